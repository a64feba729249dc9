/* Radix page tables. See pagetable.h. */
#include "vm/pagetable.h"

#include <stdlib.h>
#include <string.h>

#include "vm/pte.h"
#include "vm/rng.h"

static const struct table_ref no_table = {.entries = NULL, .size = 0};

bool pagetable_init(struct page_tables *pt, uint32_t nframes)
{
    memset(pt, 0, sizeof *pt);
    pt->nframes = nframes;
    pt->max_bytes = PAGETABLE_MAX_BYTES;
    return chunked_init(&pt->index, nframes, sizeof(struct table_ref), &no_table);
}

static const struct table_ref *ref_at(const struct page_tables *pt, uint32_t frame)
{
    return chunked_get(&pt->index, frame);
}

/* The entry of a frame whose index chunk exists (it holds or held a table). */
static struct table_ref *ref_edit(struct page_tables *pt, uint32_t frame)
{
    struct table_ref *chunk = chunked_chunk(&pt->index, frame);
    return &chunk[frame & CHUNKED_MASK];
}

void pagetable_destroy(struct page_tables *pt)
{
    if (pt->index.chunks)
        for (uint32_t f = chunked_next(&pt->index, 0); f < pt->nframes;
             f = chunked_next(&pt->index, f + 1))
            free(ref_at(pt, f)->entries);
    chunked_destroy(&pt->index);
    pt->bytes = 0;
}

bool pagetable_clone(struct page_tables *dst, const struct page_tables *src)
{
    *dst = *src;
    if (!chunked_clone(&dst->index, &src->index))
        return false;
    /* The copied index points at src's tables until each is copied; after
     * a refusal the rest point nowhere, so that destroying frees only ours. */
    bool ok = true;
    for (uint32_t f = chunked_next(&src->index, 0); f < src->nframes;
         f = chunked_next(&src->index, f + 1)) {
        struct table_ref *r = ref_edit(dst, f);
        if (!r->entries)
            continue;
        const uint64_t *from = r->entries;
        r->entries = ok ? malloc((size_t)r->size * sizeof(uint64_t)) : NULL;
        if (!r->entries) {
            r->size = 0;
            ok = false;
            continue;
        }
        memcpy(r->entries, from, (size_t)r->size * sizeof(uint64_t));
    }
    if (!ok)
        pagetable_destroy(dst);
    return ok;
}

enum pagetable_outcome pagetable_create(struct page_tables *pt, const struct geometry *g,
                                        uint32_t frame, unsigned level)
{
    uint64_t n = geometry_entries(g, level);
    uint64_t old = ref_at(pt, frame)->size * sizeof(uint64_t);
    if (pt->bytes - old + n * sizeof(uint64_t) > pt->max_bytes)
        return PAGETABLE_OVER_LIMIT;
    struct table_ref *r = chunked_touch(&pt->index, frame);
    uint64_t *entries = r ? calloc(n, sizeof(uint64_t)) : NULL;
    if (!entries)
        return PAGETABLE_REFUSED;
    free(r->entries);
    pt->bytes = pt->bytes - old + n * sizeof(uint64_t);
    r->entries = entries;
    r->size = (uint32_t)n;
    pt->generation++;
    return PAGETABLE_MADE;
}

void pagetable_release(struct page_tables *pt, uint32_t frame)
{
    if (!pagetable_at(pt, frame))
        return;
    struct table_ref *r = ref_edit(pt, frame);
    free(r->entries);
    pt->bytes -= r->size * sizeof(uint64_t);
    *r = no_table;
    pt->generation++;
}

uint32_t pagetable_size(const struct page_tables *pt, uint32_t frame)
{
    return frame < pt->nframes ? ref_at(pt, frame)->size : 0;
}

uint64_t pagetable_bytes(const struct page_tables *pt)
{
    uint64_t bytes = chunked_bytes(&pt->index);
    if (pt->index.chunks)
        for (uint32_t f = chunked_next(&pt->index, 0); f < pt->nframes;
             f = chunked_next(&pt->index, f + 1))
            if (ref_at(pt, f)->entries)
                bytes += vm_block_bytes(ref_at(pt, f)->size * sizeof(uint64_t));
    return bytes;
}

struct walk_result pagetable_walk(const struct page_tables *pt, const struct geometry *g,
                                  uint32_t root, uint64_t va)
{
    struct walk_result r = {.level = 0, .table = root, .slot = NULL, .complete = false};
    uint32_t table = root;
    /* The lowest bit of each level's index, from the root's down (what
     * geometry_index computes, kept as the walk descends): in a valid
     * geometry the index bits and the offset make up va_bits. */
    unsigned shift = g->va_bits - g->index_bits[0];
    for (unsigned level = 0; level < g->levels; level++) {
        uint64_t *entries = pagetable_at(pt, table);
        if (!entries)
            return r;
        r.level = level;
        r.table = table;
        r.slot = &entries[(va >> shift) & ((UINT64_C(1) << g->index_bits[level]) - 1)];
        if (pagetable_walk_stops(g, level, *r.slot)) {
            r.complete = true;
            return r;
        }
        if (!pte_present(*r.slot))
            return r;
        table = pte_frame(*r.slot);
        shift -= g->index_bits[level + 1];
    }
    return r;
}

static void for_each(const struct page_tables *pt, const struct geometry *g, uint32_t table,
                     unsigned level, void (*fn)(void *, uint32_t), void *ctx)
{
    uint64_t *entries = pagetable_at(pt, table);
    if (!entries)
        return;
    if (level + 1 < g->levels) {
        for (uint64_t i = 0; i < pagetable_size(pt, table); i++)
            if (pte_present(entries[i]) && !(entries[i] & PTE_HUGE))
                for_each(pt, g, pte_frame(entries[i]), level + 1, fn, ctx);
    }
    fn(ctx, table);
}

void pagetable_for_each_table(const struct page_tables *pt, const struct geometry *g,
                              uint32_t root, uint64_t root_entries,
                              void (*fn)(void *ctx, uint32_t frame), void *ctx)
{
    uint64_t *entries = pagetable_at(pt, root);
    if (!entries)
        return;
    uint64_t n = pagetable_size(pt, root);
    if (root_entries < n)
        n = root_entries;
    if (g->levels > 1)
        for (uint64_t i = 0; i < n; i++)
            if (pte_present(entries[i]) && !(entries[i] & PTE_HUGE))
                for_each(pt, g, pte_frame(entries[i]), 1, fn, ctx);
    fn(ctx, root);
}

void pagetable_digest(const struct page_tables *pt, uint64_t *h)
{
    for (uint32_t f = chunked_next(&pt->index, 0); f < pt->nframes;
         f = chunked_next(&pt->index, f + 1)) {
        const struct table_ref *r = ref_at(pt, f);
        if (!r->entries)
            continue;
        digest_u64(h, f);
        for (uint64_t i = 0; i < r->size; i++)
            if (r->entries[i]) {
                digest_u64(h, i);
                digest_u64(h, r->entries[i]);
            }
    }
}
