/* Radix page tables. See pagetable.h. */
#include "vm/pagetable.h"

#include <stdlib.h>
#include <string.h>

#include "vm/pte.h"
#include "vm/rng.h"

bool pagetable_init(struct page_tables *pt, uint32_t nframes)
{
    pt->nframes = nframes;
    pt->tables = calloc(nframes ? nframes : 1, sizeof *pt->tables);
    pt->sizes = calloc(nframes ? nframes : 1, sizeof *pt->sizes);
    if (!pt->tables || !pt->sizes) {
        pagetable_destroy(pt);
        return false;
    }
    return true;
}

void pagetable_destroy(struct page_tables *pt)
{
    if (pt->tables)
        for (uint32_t i = 0; i < pt->nframes; i++)
            free(pt->tables[i]);
    free(pt->tables);
    free(pt->sizes);
    pt->tables = NULL;
    pt->sizes = NULL;
}

bool pagetable_clone(struct page_tables *dst, const struct page_tables *src)
{
    if (!pagetable_init(dst, src->nframes))
        return false;
    for (uint32_t i = 0; i < src->nframes; i++) {
        if (!src->tables[i])
            continue;
        dst->tables[i] = malloc(src->sizes[i] * sizeof(uint64_t));
        if (!dst->tables[i]) {
            pagetable_destroy(dst);
            return false;
        }
        memcpy(dst->tables[i], src->tables[i], src->sizes[i] * sizeof(uint64_t));
        dst->sizes[i] = src->sizes[i];
    }
    return true;
}

bool pagetable_create(struct page_tables *pt, const struct geometry *g, uint32_t frame,
                      unsigned level)
{
    uint64_t n = geometry_entries(g, level);
    free(pt->tables[frame]);
    pt->tables[frame] = calloc(n, sizeof(uint64_t));
    pt->sizes[frame] = pt->tables[frame] ? n : 0;
    return pt->tables[frame] != NULL;
}

void pagetable_release(struct page_tables *pt, uint32_t frame)
{
    free(pt->tables[frame]);
    pt->tables[frame] = NULL;
    pt->sizes[frame] = 0;
}

uint64_t *pagetable_at(const struct page_tables *pt, uint32_t frame)
{
    return frame < pt->nframes ? pt->tables[frame] : NULL;
}

struct walk_result pagetable_walk(const struct page_tables *pt, const struct geometry *g,
                                  uint32_t root, uint64_t va)
{
    struct walk_result r = {.level = 0, .table = root, .slot = NULL, .complete = false};
    uint32_t table = root;
    for (unsigned level = 0; level < g->levels; level++) {
        uint64_t *entries = pagetable_at(pt, table);
        if (!entries)
            return r;
        r.level = level;
        r.table = table;
        r.slot = &entries[geometry_index(g, va, level)];
        bool leaf = level + 1 == g->levels || (pte_holds_frame(*r.slot) && (*r.slot & PTE_HUGE));
        if (leaf) {
            r.complete = true;
            return r;
        }
        if (!pte_present(*r.slot))
            return r;
        table = pte_frame(*r.slot);
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
        for (uint64_t i = 0; i < pt->sizes[table]; i++)
            if (pte_present(entries[i]) && !(entries[i] & PTE_HUGE))
                for_each(pt, g, pte_frame(entries[i]), level + 1, fn, ctx);
    }
    fn(ctx, table);
}

void pagetable_for_each_table(const struct page_tables *pt, const struct geometry *g,
                              uint32_t root, void (*fn)(void *ctx, uint32_t frame), void *ctx)
{
    for_each(pt, g, root, 0, fn, ctx);
}

void pagetable_digest(const struct page_tables *pt, uint64_t *h)
{
    for (uint32_t f = 0; f < pt->nframes; f++) {
        if (!pt->tables[f])
            continue;
        digest_u64(h, f);
        for (uint64_t i = 0; i < pt->sizes[f]; i++)
            if (pt->tables[f][i]) {
                digest_u64(h, i);
                digest_u64(h, pt->tables[f][i]);
            }
    }
}
