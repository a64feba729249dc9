#ifndef VMVIZ_VM_FREEMAP_H
#define VMVIZ_VM_FREEMAP_H
/* Which of n items (frames, swap slots) are free, finding the lowest free
 * one without looking at them all.
 *
 * The items are grouped in blocks of FREEMAP_BLOCK. A block holds a bit
 * per item (set: taken) and a word saying which of its 64-bit words are
 * full; a summary bit per block says whether it has a free item. The
 * lowest free item is the first block with its summary bit set, then the
 * first word not full in it, then the first clear bit: a scan of n / 2^18
 * summary words and three bit searches. A block is made when one of its
 * items is first taken: one never touched is all free and costs a null
 * pointer. */
#include <stdbool.h>
#include <stdint.h>

#define FREEMAP_SHIFT 12
#define FREEMAP_BLOCK (UINT32_C(1) << FREEMAP_SHIFT)
#define FREEMAP_WORDS (FREEMAP_BLOCK / 64)

struct freemap_block {
    uint64_t full;                  /* bit w: taken[w] has no free item */
    uint64_t taken[FREEMAP_WORDS];  /* bit: the item is taken (the places past
                                       the last item count as taken) */
    uint32_t nfree;                 /* free items in the block */
};

struct freemap {
    uint32_t n;        /* items */
    uint32_t nfree;    /* free items */
    uint32_t nblocks;
    uint64_t *some_free;            /* bit b: block b has a free item */
    struct freemap_block **blocks;  /* NULL: every item of the block is free */
};

/* Every item free. false when the host refused the memory. */
bool freemap_init(struct freemap *m, uint32_t n);
/* A zeroed struct freemap may be destroyed. */
void freemap_destroy(struct freemap *m);
/* false when the host refused the memory; dst is then zeroed. */
bool freemap_clone(struct freemap *dst, const struct freemap *src);
/* The lowest free item, or UINT32_MAX when none is free. */
uint32_t freemap_lowest(const struct freemap *m);
bool freemap_is_free(const struct freemap *m, uint32_t i);
/* Makes room to record a change to item i: false when the host refused
 * it. After it, freemap_take(i) cannot fail. */
bool freemap_prepare(struct freemap *m, uint32_t i);
/* Marks free item i taken; false (nothing changed) when the host refused
 * the memory for its block. */
bool freemap_take(struct freemap *m, uint32_t i);
/* Marks taken item i free. */
void freemap_release(struct freemap *m, uint32_t i);
/* The lowest multiple of len that starts len free items in a row, or
 * UINT32_MAX when there is none. */
uint32_t freemap_find_run(const struct freemap *m, uint32_t len);
/* The bytes it holds on the host. */
uint64_t freemap_bytes(const struct freemap *m);

#endif
