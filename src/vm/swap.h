#ifndef VMVIZ_VM_SWAP_H
#define VMVIZ_VM_SWAP_H
/* The swap area: a fixed number of slots, each remembering whose page it
 * holds and how many entries (or objects) hold it. Slots are handed out
 * lowest number first, so runs are easy to follow and deterministic. A
 * slot never used costs nothing (chunked array, vm/chunked.h) and reads as
 * all zeros; a free map (vm/freemap.h) finds the lowest free slot without
 * a scan.
 *
 * Separate from the frame pool (frames.h) because it is another device:
 * the reclaim code (reclaim.c) writes pages here and the fault handler
 * (fault.c) reads them back; no frame is ever in it. */
#include <stdbool.h>
#include <stdint.h>

#include "vm/chunked.h"
#include "vm/freemap.h"
#include "vm/sentinel.h"

struct swap_slot {
    uint64_t vpn;
    uint32_t refs;         /* entries, objects and the swap cache that hold the slot */
    uint32_t pid;          /* the process whose page it holds, or VM_NO_PID */
    uint32_t cache_frame;  /* with cached: the frame holding the same page */
    bool used;
    bool cached;           /* the page is also in a frame (the swap cache) */
};

struct swap_area {
    uint32_t nslots;
    uint32_t used;
    struct chunked slots;  /* struct swap_slot */
    struct freemap free;
};

/* Sets up nslots free slots; false when the host refused the memory. */
bool swap_init(struct swap_area *s, uint32_t nslots);
/* A zeroed swap area may be destroyed. */
void swap_destroy(struct swap_area *s);
/* false when the host refused the memory; dst is then destroyed. */
bool swap_clone(struct swap_area *dst, const struct swap_area *src);

/* Slot i (below nslots) to read; never allocates. The pointer is valid
 * until the swap area is destroyed, but for a slot never used it is a
 * shared all-zero slot that a later swap_take of i does not change: read
 * it again after the area changes. */
static inline const struct swap_slot *swap_at(const struct swap_area *s, uint32_t i)
{
    static const struct swap_slot free_slot;
    const struct swap_slot *chunk = chunked_chunk(&s->slots, i);
    return chunk ? &chunk[i & CHUNKED_MASK] : &free_slot;
}

/* The first slot at or after i that may be used, or nslots (see
 * frames_next_touched). */
uint32_t swap_next_touched(const struct swap_area *s, uint32_t i);
/* Takes the lowest free slot for (pid, vpn); VM_NO_SLOT when swap is
 * full, FRAMES_REFUSED when the host refused the memory to record it. */
uint32_t swap_take(struct swap_area *s, uint32_t pid, uint64_t vpn);
/* Drops one reference to a slot; the slot is free when none is left. */
void swap_release(struct swap_area *s, uint32_t slot);
/* One more entry holds the slot (a forked process, a shared page). */
void swap_ref(struct swap_area *s, uint32_t slot);
/* The swap cache: frame holds the same page as the used slot, which keeps
 * one more reference for it (swap_cache_add), until swap_cache_drop lets
 * that reference go (the slot is free when it was the last). */
void swap_cache_add(struct swap_area *s, uint32_t slot, uint32_t frame);
void swap_cache_drop(struct swap_area *s, uint32_t slot);
/* vm_swap_full: more than half of the slots are in use. */
static inline bool swap_half_full(const struct swap_area *s)
{
    return (uint64_t)s->used * 2 > s->nslots;
}
/* Digests the used slots, each with its number. */
void swap_digest(const struct swap_area *s, uint64_t *h);
/* The bytes the slots and the free map hold on the host. */
uint64_t swap_bytes(const struct swap_area *s);

#endif
