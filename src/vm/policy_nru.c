/* NRU (not recently used). Pages fall into four classes by their Accessed
 * and Dirty bits: 0 = neither, 1 = dirty only, 2 = accessed only, 3 = both.
 * The victim is drawn at random (seeded) from the lowest non-empty class.
 * Every nru_interval accesses a "clock interrupt" clears every Accessed bit,
 * so "recently" means "since the last clear". Only the pages accessed since
 * the last clear can have the bit set: they are kept in a set, so a clear
 * costs what was accessed, not every page. Choosing a victim looks at every
 * page, as the definition's classes require. */

#include "vm/policy.h"
#include "vm/rng.h"

static void nru_loaded(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    if (!frame_list_append(&p->lists[0], frame, 1))
        p->refused = true;
}

static void nru_freed(struct policy *p, uint32_t frame)
{
    frame_list_remove(&p->lists[0], frame);
    frame_set_remove(&p->set, frame);
}

/* The access that just completed set the page's Accessed bit. */
static void nru_accessed(struct policy *p, uint32_t frame, uint64_t next_use)
{
    (void)next_use;
    if (!frame_set_add(&p->set, frame))
        p->refused = true;
}

static unsigned nru_class(const struct policy_host *host, uint32_t frame)
{
    return (host->referenced(host->ctx, frame) ? 2u : 0u) + (host->dirty(host->ctx, frame) ? 1u : 0u);
}

static uint32_t nru_choose(struct policy *p, const struct policy_host *host, char *why,
                           size_t why_len)
{
    const struct frame_list *l = &p->lists[0];
    uint64_t in_class[4] = {0};
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f))
        if (host->evictable(host->ctx, f))
            in_class[nru_class(host, f)]++;
    unsigned lowest = 0;
    while (lowest < 4 && in_class[lowest] == 0)
        lowest++;
    if (lowest == 4) {
        policy_why(why, why_len, "no loaded page can be evicted");
        return VM_NO_FRAME;
    }
    static const char *const class_names[] = {
        "not accessed, clean", "not accessed, dirty", "accessed, clean", "accessed, dirty"};
    uint64_t pick = rng_below(&p->rng, in_class[lowest]);
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f)) {
        if (!host->evictable(host->ctx, f) || nru_class(host, f) != lowest)
            continue;
        if (pick-- == 0) {
            policy_why(why, why_len, "frame %u drawn from class %u (%s), %llu page%s in it", f,
                     lowest, class_names[lowest], (unsigned long long)in_class[lowest],
                     in_class[lowest] == 1 ? "" : "s");
            return f;
        }
    }
    return VM_NO_FRAME;
}

static void nru_tick(struct policy *p, const struct policy_host *host)
{
    if (p->now % p->nru_interval != 0)
        return;
    for (uint32_t i = 0; i < p->set.count; i++)
        host->clear_referenced(host->ctx, p->set.items[i]);
    while (p->set.count)
        frame_set_remove(&p->set, p->set.items[p->set.count - 1]);
}

static size_t nru_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    size_t n = frame_list_copy(&p->lists[0], out, max);
    *first_len = n;
    return n;
}

const struct policy_ops policy_nru_ops = {
    .kind = POLICY_nru,
    .list_names = {"loaded", NULL},
    .loaded = nru_loaded,
    .freed = nru_freed,
    .accessed = nru_accessed,
    .choose = nru_choose,
    .tick = nru_tick,
    .order = nru_order,
};
