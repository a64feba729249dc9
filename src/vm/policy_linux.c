/* A Linux-style two-list LRU (mm/vmscan.c, mm/swap.c, much simplified).
 * lists[0] is the inactive list, lists[1] the active list; heads are the
 * newest, tails the oldest. New pages start at the inactive head. Reclaim
 * looks at the inactive tail: a page whose Accessed bit is set gets a second
 * chance and is promoted to the active head (the bit cleared); an
 * unreferenced one is the victim. When the inactive list holds fewer pages
 * than the active one, the active tail is demoted to the inactive head first,
 * its Accessed bit cleared, as shrink_active_list ages pages. */

#include "vm/policy.h"

/* The bound on one choice's scan: at most this many rounds per frame
 * managed, plus a few, after which it finds no victim. */
#define LINUX_SCAN_PER_FRAME 4
#define LINUX_SCAN_EXTRA 4

static void linux_loaded(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    frame_list_remove(&p->lists[1], frame);
    if (!frame_list_push_front(&p->lists[0], frame, 1))
        p->refused = true;
}

static void linux_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    frame_list_remove(&p->lists[1], frame);
}

static void balance_lists(struct policy *p, const struct policy_host *host, unsigned *demoted)
{
    struct frame_list *inactive = &p->lists[0], *active = &p->lists[1];
    while (active->count > 0 && inactive->count < active->count) {
        uint32_t f = active->tail;
        frame_list_remove(active, f);
        host->clear_referenced(host->ctx, f);
        if (!frame_list_push_front(inactive, f, 1))
            p->refused = true;
        (*demoted)++;
    }
}

static uint32_t linux_choose(struct policy *p, const struct policy_host *host, char *why,
                             size_t why_len)
{
    struct frame_list *inactive = &p->lists[0], *active = &p->lists[1];
    unsigned promoted = 0, demoted = 0;
    uint64_t budget = LINUX_SCAN_PER_FRAME * (uint64_t)p->nframes + LINUX_SCAN_EXTRA;
    while (budget-- > 0) {
        balance_lists(p, host, &demoted);
        if (p->refused)
            break; /* the host refused memory: the machine stops */
        /* Scan the inactive list from its tail for an evictable page. */
        uint32_t f = inactive->tail;
        while (f != VM_NO_FRAME && !host->evictable(host->ctx, f))
            f = frame_list_prev(inactive, f);
        if (f == VM_NO_FRAME)
            break;
        if (host->clear_referenced(host->ctx, f)) {
            frame_list_remove(inactive, f);
            if (!frame_list_push_front(active, f, 2)) {
                p->refused = true;
                break;
            }
            promoted++;
            continue;
        }
        policy_why(why, why_len,
                 "frame %u is the oldest unreferenced inactive page (%u promoted, %u demoted)", f,
                 promoted, demoted);
        return f;
    }
    policy_why(why, why_len, "no loaded page can be evicted");
    return VM_NO_FRAME;
}

static size_t linux_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    /* Shown oldest first, so the next candidate leads. */
    size_t n = 0;
    for (int list = 0; list < 2; list++) {
        const struct frame_list *l = &p->lists[list];
        for (uint32_t f = l->tail; f != VM_NO_FRAME && n < max; f = frame_list_prev(l, f))
            out[n++] = f;
        if (list == 0)
            *first_len = n;
    }
    return n;
}

const struct policy_ops policy_linux_ops = {
    .kind = POLICY_linux,
    .list_names = {"inactive (oldest first)", "active (oldest first)"},
    .loaded = linux_loaded,
    .freed = linux_freed,
    .choose = linux_choose,
    .order = linux_order,
};
