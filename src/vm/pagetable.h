#ifndef VMVIZ_VM_PAGETABLE_H
#define VMVIZ_VM_PAGETABLE_H
/* Page tables as a radix tree of any depth. Every table lives in a frame of
 * the pool; its entries are kept here, indexed by that frame number, so
 * "the table at frame 7" means what it would mean to the MMU. A non-leaf
 * entry holds the frame of the next table; a leaf entry holds the frame of
 * the page, or a swap slot. Tables are created as memory is touched. */
#include <stdbool.h>
#include <stdint.h>

#include "vm/geometry.h"

struct page_tables {
    uint32_t nframes;    /* size of the index below */
    uint64_t **tables;   /* frame -> entries, or NULL when not a table */
    uint64_t *sizes;     /* frame -> number of entries */
};

bool pagetable_init(struct page_tables *pt, uint32_t nframes);
void pagetable_destroy(struct page_tables *pt);
bool pagetable_clone(struct page_tables *dst, const struct page_tables *src);
/* Makes frame hold an empty table of the given level. false when out of
 * memory. */
bool pagetable_create(struct page_tables *pt, const struct geometry *g, uint32_t frame,
                      unsigned level);
/* Forgets the table at frame (the frame itself is released by the caller). */
void pagetable_release(struct page_tables *pt, uint32_t frame);
/* The entries of the table at frame, or NULL. */
uint64_t *pagetable_at(const struct page_tables *pt, uint32_t frame);

/* The result of a software walk: how deep it got and the entry it stopped on. */
struct walk_result {
    unsigned level;      /* level of *slot (the last level reached) */
    uint32_t table;      /* frame of the table holding *slot */
    uint64_t *slot;      /* the entry itself, NULL only if root is not a table */
    bool complete;       /* true when slot is the leaf entry for va (last level,
                            or a huge entry) */
};

/* Walks from the root table at frame `root` towards va without changing any
 * bit, as the kernel does in software. Stops at the first non-present
 * non-leaf entry (complete = false) or at the leaf (complete = true). */
struct walk_result pagetable_walk(const struct page_tables *pt, const struct geometry *g,
                                  uint32_t root, uint64_t va);
/* Calls fn for every table frame reachable from root, children first, so a
 * caller can free a whole tree. */
void pagetable_for_each_table(const struct page_tables *pt, const struct geometry *g,
                              uint32_t root, void (*fn)(void *ctx, uint32_t frame), void *ctx);
void pagetable_digest(const struct page_tables *pt, uint64_t *h);

#endif
