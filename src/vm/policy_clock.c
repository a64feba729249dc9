/* CLOCK (second chance). The frames form a ring in frame-number order and a
 * hand sweeps it: a frame whose page has its Accessed bit set gets a second
 * chance (the bit is cleared and the hand moves on); the first frame found
 * with the bit clear is the victim. The hand stops just past the victim, so
 * the page loaded into that frame is the last the hand will meet again.
 * lists[0] only records which frames hold pages. */

#include "vm/policy.h"

/* Full turns of the hand a choice may take: the first clears every
 * Accessed bit it meets, so the second finds a victim if any frame is
 * evictable. */
#define CLOCK_MAX_TURNS 2

static void clock_loaded(struct policy *p, uint32_t frame)
{
    if (!frame_list_contains(&p->lists[0], frame) && !frame_list_append(&p->lists[0], frame, 1))
        p->refused = true;
}

static void clock_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
}

static uint32_t clock_choose(struct policy *p, const struct policy_host *host, char *why,
                             size_t why_len)
{
    unsigned second_chances = 0;
    for (uint64_t step = 0; step < CLOCK_MAX_TURNS * (uint64_t)p->nframes + 1; step++) {
        uint32_t f = p->hand;
        /* Not a remainder: a division on every turn of the hand. */
        p->hand = p->hand + 1 == p->nframes ? 0 : p->hand + 1;
        if (!frame_list_contains(&p->lists[0], f) || !host->evictable(host->ctx, f))
            continue;
        if (host->clear_referenced(host->ctx, f)) {
            second_chances++;
            continue;
        }
        if (second_chances)
            policy_why(why, why_len,
                     "the hand gave %u page%s a second chance (Accessed cleared) and stopped at "
                     "frame %u, whose Accessed bit was clear",
                     second_chances, second_chances == 1 ? "" : "s", f);
        else
            policy_why(why, why_len, "the hand points at frame %u and its Accessed bit is clear", f);
        return f;
    }
    policy_why(why, why_len, "no loaded page can be evicted");
    return VM_NO_FRAME;
}

/* The loaded frames in the order the hand meets them, from the hand to the
 * last frame, then from frame 0: only the part of the ring where frames
 * were ever listed is looked at, however many frames the machine has. */
static size_t clock_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    const struct frame_list *l = &p->lists[0];
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t from = pass ? 0 : p->hand, to = pass ? p->hand : p->nframes;
        for (uint32_t f = chunked_next(&l->links, from); f < to && n < max;
             f = chunked_next(&l->links, f + 1))
            if (frame_list_contains(l, f))
                out[n++] = f;
    }
    *first_len = n;
    return n;
}

const struct policy_ops policy_clock_ops = {
    .kind = POLICY_clock,
    .list_names = {"from the hand", NULL},
    .loaded = clock_loaded,
    .freed = clock_freed,
    .choose = clock_choose,
    .order = clock_order,
};
