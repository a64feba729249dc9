/* Random replacement, seeded: the same seed evicts the same pages. The
 * choice is uniform over the evictable frames: a frame drawn from the set
 * of loaded ones is kept when it can be evicted, else another is drawn
 * (O(1) expected while most pages can go); after a few misses a count over
 * the load-order list decides, still uniformly. lists[0] keeps the load
 * order for the screen. */

#include "vm/policy.h"
#include "vm/rng.h"

#define RANDOM_DRAWS 32 /* draws before counting every candidate */

static void random_loaded(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    if (!frame_list_append(&p->lists[0], frame, 1) || !frame_set_add(&p->set, frame))
        p->refused = true;
}

static void random_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    frame_set_remove(&p->set, frame);
}

static uint32_t random_choose(struct policy *p, const struct policy_host *host, char *why,
                              size_t why_len)
{
    for (int draw = 0; draw < RANDOM_DRAWS && p->set.count; draw++) {
        uint32_t f = p->set.items[rng_below(&p->rng, p->set.count)];
        if (host->evictable(host->ctx, f)) {
            policy_why(why, why_len, "frame %u drawn at random among the %u loaded pages", f,
                     p->set.count);
            return f;
        }
    }
    const struct frame_list *l = &p->lists[0];
    uint64_t candidates = 0;
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f))
        candidates += host->evictable(host->ctx, f);
    if (candidates == 0) {
        policy_why(why, why_len, "no loaded page can be evicted");
        return VM_NO_FRAME;
    }
    uint64_t pick = rng_below(&p->rng, candidates);
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f)) {
        if (!host->evictable(host->ctx, f))
            continue;
        if (pick-- == 0) {
            policy_why(why, why_len, "frame %u drawn at random among %llu candidates", f,
                     (unsigned long long)candidates);
            return f;
        }
    }
    return VM_NO_FRAME;
}

static size_t random_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    size_t n = frame_list_copy(&p->lists[0], out, max);
    *first_len = n;
    return n;
}

const struct policy_ops policy_random_ops = {
    .kind = POLICY_random,
    .list_names = {"loaded", NULL},
    .loaded = random_loaded,
    .freed = random_freed,
    .choose = random_choose,
    .order = random_order,
};
