/* Free items, the lowest found fast. See freemap.h. */
#include "vm/freemap.h"

#include <stdlib.h>
#include <string.h>

#include "vm/chunked.h"

#define ALL UINT64_MAX

static uint32_t summary_words(uint32_t nblocks)
{
    return (nblocks + 63) / 64;
}

static unsigned lowest_bit(uint64_t w)
{
    return (unsigned)__builtin_ctzll(w);
}

bool freemap_init(struct freemap *m, uint32_t n)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->nfree = n;
    m->nblocks = (uint32_t)(((uint64_t)n + FREEMAP_BLOCK - 1) >> FREEMAP_SHIFT);
    uint32_t words = summary_words(m->nblocks);
    m->some_free = calloc(words ? words : 1, sizeof *m->some_free);
    m->blocks = calloc(m->nblocks ? m->nblocks : 1, sizeof *m->blocks);
    if (!m->some_free || !m->blocks) {
        freemap_destroy(m);
        return false;
    }
    for (uint32_t b = 0; b < m->nblocks; b++)
        m->some_free[b / 64] |= UINT64_C(1) << (b % 64);
    return true;
}

void freemap_destroy(struct freemap *m)
{
    for (uint32_t b = 0; m->blocks && b < m->nblocks; b++)
        free(m->blocks[b]);
    free(m->blocks);
    free(m->some_free);
    memset(m, 0, sizeof *m);
}

bool freemap_clone(struct freemap *dst, const struct freemap *src)
{
    *dst = *src;
    uint32_t words = summary_words(src->nblocks);
    dst->some_free = malloc((words ? words : 1) * sizeof *dst->some_free);
    dst->blocks = calloc(src->nblocks ? src->nblocks : 1, sizeof *dst->blocks);
    if (!dst->some_free || !dst->blocks) {
        freemap_destroy(dst);
        return false;
    }
    memcpy(dst->some_free, src->some_free, words * sizeof *dst->some_free);
    for (uint32_t b = 0; b < src->nblocks; b++) {
        if (!src->blocks[b])
            continue;
        dst->blocks[b] = malloc(sizeof *dst->blocks[b]);
        if (!dst->blocks[b]) {
            freemap_destroy(dst);
            return false;
        }
        *dst->blocks[b] = *src->blocks[b];
    }
    return true;
}

/* The lowest free item of block b, which has one. */
static uint32_t block_lowest(const struct freemap *m, uint32_t b)
{
    const struct freemap_block *blk = m->blocks[b];
    uint32_t first = b << FREEMAP_SHIFT;
    if (!blk)
        return first;
    unsigned w = lowest_bit(~blk->full);
    return first + w * 64 + lowest_bit(~blk->taken[w]);
}

uint32_t freemap_lowest(const struct freemap *m)
{
    uint32_t words = summary_words(m->nblocks);
    for (uint32_t w = 0; w < words; w++)
        if (m->some_free[w])
            return block_lowest(m, w * 64 + lowest_bit(m->some_free[w]));
    return UINT32_MAX;
}

bool freemap_is_free(const struct freemap *m, uint32_t i)
{
    const struct freemap_block *blk = m->blocks[i >> FREEMAP_SHIFT];
    uint32_t k = i & (FREEMAP_BLOCK - 1);
    return !blk || !(blk->taken[k / 64] >> (k % 64) & 1);
}

bool freemap_prepare(struct freemap *m, uint32_t i)
{
    uint32_t b = i >> FREEMAP_SHIFT;
    if (m->blocks[b])
        return true;
    struct freemap_block *blk = calloc(1, sizeof *blk);
    if (!blk)
        return false;
    uint32_t first = b << FREEMAP_SHIFT;
    uint32_t items = m->n - first < FREEMAP_BLOCK ? m->n - first : FREEMAP_BLOCK;
    blk->nfree = items;
    /* The places past the last item are taken for good. */
    for (uint32_t k = items; k < FREEMAP_BLOCK; k++)
        blk->taken[k / 64] |= UINT64_C(1) << (k % 64);
    for (unsigned w = 0; w < FREEMAP_WORDS; w++)
        if (blk->taken[w] == ALL)
            blk->full |= UINT64_C(1) << w;
    m->blocks[b] = blk;
    return true;
}

bool freemap_take(struct freemap *m, uint32_t i)
{
    if (!freemap_prepare(m, i))
        return false;
    uint32_t b = i >> FREEMAP_SHIFT, k = i & (FREEMAP_BLOCK - 1);
    struct freemap_block *blk = m->blocks[b];
    blk->taken[k / 64] |= UINT64_C(1) << (k % 64);
    if (blk->taken[k / 64] == ALL)
        blk->full |= UINT64_C(1) << (k / 64);
    if (--blk->nfree == 0)
        m->some_free[b / 64] &= ~(UINT64_C(1) << (b % 64));
    m->nfree--;
    return true;
}

void freemap_release(struct freemap *m, uint32_t i)
{
    uint32_t b = i >> FREEMAP_SHIFT, k = i & (FREEMAP_BLOCK - 1);
    struct freemap_block *blk = m->blocks[b];
    blk->taken[k / 64] &= ~(UINT64_C(1) << (k % 64));
    blk->full &= ~(UINT64_C(1) << (k / 64));
    blk->nfree++;
    m->some_free[b / 64] |= UINT64_C(1) << (b % 64);
    m->nfree++;
}

/* The first item at or after i that is free (want_free) or taken, or
 * UINT32_MAX when there is none below n. */
static uint32_t next_item(const struct freemap *m, uint32_t i, bool want_free)
{
    for (uint32_t b = i >> FREEMAP_SHIFT; b < m->nblocks && i < m->n; b++) {
        uint32_t first = b << FREEMAP_SHIFT;
        uint32_t k = i > first ? i - first : 0;
        const struct freemap_block *blk = m->blocks[b];
        if (!blk) {
            if (want_free)
                return first + k;
            continue;
        }
        if (want_free ? blk->nfree == 0 : blk->nfree == FREEMAP_BLOCK)
            continue;
        for (unsigned w = k / 64; w < FREEMAP_WORDS; w++) {
            uint64_t bits = want_free ? ~blk->taken[w] : blk->taken[w];
            if (w == k / 64)
                bits &= ALL << (k % 64);
            if (bits) {
                uint32_t found = first + w * 64 + lowest_bit(bits);
                return found < m->n ? found : UINT32_MAX;
            }
        }
    }
    return UINT32_MAX;
}

uint32_t freemap_find_run(const struct freemap *m, uint32_t len)
{
    if (len == 0 || len > m->nfree)
        return UINT32_MAX;
    uint64_t start = 0;
    for (;;) {
        uint32_t free_at = next_item(m, (uint32_t)start, true);
        if (free_at == UINT32_MAX)
            return UINT32_MAX;
        /* The first multiple of len at or after it. */
        start = ((uint64_t)free_at + len - 1) / len * len;
        if (start + len > m->n)
            return UINT32_MAX;
        uint32_t taken_at = next_item(m, (uint32_t)start, false);
        if (taken_at == UINT32_MAX || taken_at >= start + len)
            return (uint32_t)start;
        start = ((uint64_t)taken_at / len + 1) * len;
        if (start >= m->n)
            return UINT32_MAX;
    }
}

uint64_t freemap_bytes(const struct freemap *m)
{
    if (!m->blocks)
        return 0;
    uint32_t words = summary_words(m->nblocks);
    uint64_t bytes = vm_block_bytes((uint64_t)(words ? words : 1) * sizeof *m->some_free) +
                     vm_block_bytes((uint64_t)(m->nblocks ? m->nblocks : 1) * sizeof *m->blocks);
    for (uint32_t b = 0; b < m->nblocks; b++)
        if (m->blocks[b])
            bytes += vm_block_bytes(sizeof *m->blocks[b]);
    return bytes;
}
