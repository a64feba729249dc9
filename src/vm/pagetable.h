#ifndef VMVIZ_VM_PAGETABLE_H
#define VMVIZ_VM_PAGETABLE_H
/* Page tables as a radix tree of any depth. Every table lives in a frame of
 * the pool; its entries are kept here, indexed by that frame number (in a
 * chunked index: only the part of the pool where tables are costs memory),
 * so "the table at frame 7" means what it would mean to the MMU. A non-leaf
 * entry holds the frame of the next table; a leaf entry holds the frame of
 * the page, or a swap slot. Tables are created as memory is touched. */
#include <stdbool.h>
#include <stdint.h>

#include "vm/chunked.h"
#include "vm/geometry.h"
#include "vm/pte.h"

/* Where the table at a frame keeps its entries. */
struct table_ref {
    uint64_t *entries;   /* NULL when the frame holds no table */
    uint32_t size;       /* number of entries */
};

/* The most bytes of entries all page tables of a machine may hold
 * together (vmviz-scenario(5), LIMITS). A table that would pass it is not
 * made, and the machine stops (see machine_host_error). */
#define PAGETABLE_MAX_BYTES (UINT64_C(256) << 20)

struct page_tables {
    uint32_t nframes;     /* frames the index covers */
    struct chunked index; /* frame -> struct table_ref, made where tables are */
    uint64_t bytes;       /* bytes of entries held by all tables */
    uint64_t max_bytes;   /* PAGETABLE_MAX_BYTES (a test may lower it) */
    /* Counts the tables made and released: a leaf entry moves, and what
     * the entries above a last-level table point at changes, only with
     * one (see leaf and walk_memo in machine.h). Not state: digests leave
     * it out. */
    uint64_t generation;
};

/* What pagetable_create did. */
enum pagetable_outcome {
    PAGETABLE_MADE,
    PAGETABLE_REFUSED,     /* the host refused the memory */
    PAGETABLE_OVER_LIMIT,  /* the tables would pass max_bytes */
};

bool pagetable_init(struct page_tables *pt, uint32_t nframes);
/* A zeroed struct page_tables may be destroyed. */
void pagetable_destroy(struct page_tables *pt);
bool pagetable_clone(struct page_tables *dst, const struct page_tables *src);
/* Makes frame hold an empty table of the given level, unless the host
 * refuses the memory or the tables would pass max_bytes. */
enum pagetable_outcome pagetable_create(struct page_tables *pt, const struct geometry *g,
                                        uint32_t frame, unsigned level);
/* Forgets the table at frame (the frame itself is released by the caller). */
void pagetable_release(struct page_tables *pt, uint32_t frame);

/* The entries of the table at frame, or NULL. Valid until that table is
 * released (pagetable_release) or the tables destroyed: tables never move
 * while they exist. */
static inline uint64_t *pagetable_at(const struct page_tables *pt, uint32_t frame)
{
    if (frame >= pt->nframes)
        return NULL;
    const struct table_ref *chunk = chunked_chunk(&pt->index, frame);
    return chunk ? chunk[frame & CHUNKED_MASK].entries : NULL;
}

/* The number of entries of the table at frame, 0 when it holds none. */
uint32_t pagetable_size(const struct page_tables *pt, uint32_t frame);
/* The bytes the tables and their index hold on the host. */
uint64_t pagetable_bytes(const struct page_tables *pt);

/* The result of a software walk: how deep it got and the entry it stopped on. */
struct walk_result {
    unsigned level;      /* level of *slot (the last level reached) */
    uint32_t table;      /* frame of the table holding *slot */
    uint64_t *slot;      /* the entry itself, NULL only if root is not a table; valid
                            while its table exists (see pagetable_at) */
    bool complete;       /* true when slot is the leaf entry for va (last level,
                            or a huge entry) */
};

/* Whether a walk stops at `entry`, read at `level`: the last level's
 * entry, or a huge entry mapping a frame (then complete). The one test of
 * pagetable_walk and of the MMU's walk (mmu.c), which must stop alike. */
static inline bool pagetable_walk_stops(const struct geometry *g, unsigned level, uint64_t entry)
{
    return level + 1 == g->levels || (pte_holds_frame(entry) && (entry & PTE_HUGE));
}

/* Walks from the root table at frame `root` towards va without changing any
 * bit, as the kernel does in software. Stops at the first non-present
 * non-leaf entry (complete = false) or at the leaf (complete = true). */
struct walk_result pagetable_walk(const struct page_tables *pt, const struct geometry *g,
                                  uint32_t root, uint64_t va);
/* Calls fn for every table frame reachable from root through its first
 * root_entries entries, children first, then for the root itself, so a
 * caller can free a whole tree. The root's later entries (the kernel's,
 * whose tables every process shares) are not followed. */
void pagetable_for_each_table(const struct page_tables *pt, const struct geometry *g,
                              uint32_t root, uint64_t root_entries,
                              void (*fn)(void *ctx, uint32_t frame), void *ctx);
void pagetable_digest(const struct page_tables *pt, uint64_t *h);

#endif
