/* FIFO: the page loaded longest ago goes first. lists[0] is load order. */

#include "vm/policy.h"

static void fifo_loaded(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    if (!frame_list_append(&p->lists[0], frame, 1))
        p->refused = true;
}

static void fifo_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
}

static uint32_t fifo_choose(struct policy *p, const struct policy_host *host, char *why,
                            size_t why_len)
{
    const struct frame_list *l = &p->lists[0];
    unsigned position = 0;
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f), position++) {
        if (!host->evictable(host->ctx, f))
            continue;
        if (position == 0)
            policy_why(why, why_len, "frame %u holds the oldest page", f);
        else
            policy_why(why, why_len, "frame %u holds the oldest page that can be evicted", f);
        return f;
    }
    policy_why(why, why_len, "no loaded page can be evicted");
    return VM_NO_FRAME;
}

static size_t fifo_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    size_t n = frame_list_copy(&p->lists[0], out, max);
    *first_len = n;
    return n;
}

const struct policy_ops policy_fifo_ops = {
    .kind = POLICY_fifo,
    .list_names = {"oldest first", NULL},
    .loaded = fifo_loaded,
    .freed = fifo_freed,
    .choose = fifo_choose,
    .order = fifo_order,
};
