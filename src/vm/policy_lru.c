/* Exact LRU: every completed access moves its frame to the tail of
 * lists[0], so the head is always the least recently used page. */

#include "vm/policy.h"

static void lru_touch(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    if (!frame_list_append(&p->lists[0], frame, 1))
        p->refused = true;
}

static void lru_accessed(struct policy *p, uint32_t frame, uint64_t next_use)
{
    (void)next_use;
    lru_touch(p, frame);
}

static void lru_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
}

static uint32_t lru_choose(struct policy *p, const struct policy_host *host, char *why,
                           size_t why_len)
{
    const struct frame_list *l = &p->lists[0];
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f)) {
        if (host->evictable(host->ctx, f)) {
            policy_why(why, why_len, "frame %u holds the least recently used page", f);
            return f;
        }
    }
    policy_why(why, why_len, "no loaded page can be evicted");
    return VM_NO_FRAME;
}

static size_t lru_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    size_t n = frame_list_copy(&p->lists[0], out, max);
    *first_len = n;
    return n;
}

const struct policy_ops policy_lru_ops = {
    .kind = POLICY_lru,
    .list_names = {"least recent first", NULL},
    .loaded = lru_touch,
    .accessed = lru_accessed,
    .freed = lru_freed,
    .choose = lru_choose,
    .order = lru_order,
};
