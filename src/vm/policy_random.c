/* Random replacement, seeded: the same seed evicts the same pages. The
 * choice is uniform over the evictable frames in load order (lists[0]). */
#include <stdio.h>

#include "vm/policy.h"
#include "vm/rng.h"

static void random_loaded(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    frame_list_append(&p->lists[0], frame, 1);
}

static void random_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
}

static uint32_t random_choose(struct policy *p, const struct policy_host *host, char *why,
                              size_t why_len)
{
    const struct frame_list *l = &p->lists[0];
    uint64_t candidates = 0;
    for (uint32_t f = l->head; f != UINT32_MAX; f = l->next[f])
        candidates += host->evictable(host->ctx, f);
    if (candidates == 0) {
        snprintf(why, why_len, "no loaded page can be evicted");
        return UINT32_MAX;
    }
    uint64_t pick = rng_below(&p->rng, candidates);
    for (uint32_t f = l->head; f != UINT32_MAX; f = l->next[f]) {
        if (!host->evictable(host->ctx, f))
            continue;
        if (pick-- == 0) {
            snprintf(why, why_len, "frame %u drawn at random among %llu candidates", f,
                     (unsigned long long)candidates);
            return f;
        }
    }
    return UINT32_MAX;
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
