/* The swap area's slots (see swap.h). Kept apart from the frame pool
 * (frames.c): a slot holds a page that is in no frame. */
#include "vm/swap.h"

#include <string.h>

#include "vm/rng.h"

bool swap_init(struct swap_area *s, uint32_t nslots)
{
    memset(s, 0, sizeof *s);
    s->nslots = nslots;
    if (!chunked_init(&s->slots, nslots, sizeof(struct swap_slot), NULL) ||
        !freemap_init(&s->free, nslots)) {
        swap_destroy(s);
        return false;
    }
    return true;
}

void swap_destroy(struct swap_area *s)
{
    chunked_destroy(&s->slots);
    freemap_destroy(&s->free);
}

bool swap_clone(struct swap_area *dst, const struct swap_area *src)
{
    *dst = *src;
    memset(&dst->free, 0, sizeof dst->free);
    if (!chunked_clone(&dst->slots, &src->slots) || !freemap_clone(&dst->free, &src->free)) {
        swap_destroy(dst);
        return false;
    }
    return true;
}

uint32_t swap_next_touched(const struct swap_area *s, uint32_t i)
{
    return chunked_next(&s->slots, i);
}

/* Slot i to change: a used one, or one being taken (after chunked_touch). */
static struct swap_slot *slot_edit(struct swap_area *s, uint32_t i)
{
    struct swap_slot *chunk = chunked_chunk(&s->slots, i);
    return &chunk[i & CHUNKED_MASK];
}

uint32_t swap_take(struct swap_area *s, uint32_t pid, uint64_t vpn)
{
    uint32_t i = freemap_lowest(&s->free);
    if (i == UINT32_MAX)
        return VM_NO_SLOT;
    struct swap_slot *slot = chunked_touch(&s->slots, i);
    if (!slot || !freemap_take(&s->free, i))
        return FRAMES_REFUSED;
    *slot = (struct swap_slot){.used = true, .refs = 1, .pid = pid, .vpn = vpn};
    s->used++;
    return i;
}

void swap_release(struct swap_area *s, uint32_t slot)
{
    if (slot < s->nslots && swap_at(s, slot)->used) {
        struct swap_slot *sl = slot_edit(s, slot);
        if (--sl->refs == 0) {
            *sl = (struct swap_slot){0};
            freemap_release(&s->free, slot);
            s->used--;
        }
    }
}

void swap_ref(struct swap_area *s, uint32_t slot)
{
    if (slot < s->nslots && swap_at(s, slot)->used)
        slot_edit(s, slot)->refs++;
}

void swap_cache_add(struct swap_area *s, uint32_t slot, uint32_t frame)
{
    if (slot < s->nslots && swap_at(s, slot)->used && !swap_at(s, slot)->cached) {
        struct swap_slot *sl = slot_edit(s, slot);
        sl->cached = true;
        sl->cache_frame = frame;
        sl->refs++;
    }
}

void swap_cache_drop(struct swap_area *s, uint32_t slot)
{
    if (slot < s->nslots && swap_at(s, slot)->cached) {
        struct swap_slot *sl = slot_edit(s, slot);
        sl->cached = false;
        sl->cache_frame = 0;
        swap_release(s, slot);
    }
}

void swap_digest(const struct swap_area *s, uint64_t *h)
{
    digest_u64(h, s->nslots);
    for (uint32_t i = swap_next_touched(s, 0); i < s->nslots; i = swap_next_touched(s, i + 1)) {
        const struct swap_slot *slot = swap_at(s, i);
        if (!slot->used)
            continue;
        digest_u64(h, i);
        digest_u64(h, 1 + slot->pid + ((uint64_t)slot->refs << 32));
        digest_u64(h, slot->vpn);
        digest_u64(h, slot->cached ? 1 + (uint64_t)slot->cache_frame : 0);
    }
}

uint64_t swap_bytes(const struct swap_area *s)
{
    return chunked_bytes(&s->slots) + freemap_bytes(&s->free);
}
