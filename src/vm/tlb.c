/* Set-associative, ASID-tagged TLB. See tlb.h. */
#include "vm/tlb.h"

#include <stdlib.h>
#include <string.h>

#include "vm/rng.h"

const char *const tlb_replacement_names[] = {
#define TLB_REPL_NAME(id, name) name,
    TLB_REPLACEMENT_LIST(TLB_REPL_NAME)
#undef TLB_REPL_NAME
    NULL,
};

bool tlb_init(struct tlb *t, uint32_t entries, uint32_t ways,
              enum tlb_replacement replacement, bool asid_tags)
{
    memset(t, 0, sizeof *t);
    if (entries == 0 || ways == 0 || entries % ways != 0)
        return false;
    t->sets = entries / ways;
    t->ways = ways;
    t->set_mask = (t->sets & (t->sets - 1)) == 0 ? t->sets - 1 : 0;
    t->replacement = replacement;
    t->asid_tags = asid_tags;
    t->entries = calloc(entries, sizeof *t->entries);
    return t->entries != NULL;
}

void tlb_destroy(struct tlb *t)
{
    free(t->entries);
    t->entries = NULL;
}

bool tlb_clone(struct tlb *dst, const struct tlb *src)
{
    *dst = *src;
    size_t n = (size_t)src->sets * src->ways;
    dst->entries = malloc(n * sizeof *dst->entries);
    if (!dst->entries)
        return false;
    memcpy(dst->entries, src->entries, n * sizeof *dst->entries);
    return true;
}

uint32_t tlb_set_of(const struct tlb *t, uint64_t va, unsigned span_shift)
{
    return tlb_set_of_vpn(t, va >> span_shift);
}

void tlb_touch(struct tlb *t, int i)
{
    if (t->replacement == TLB_LRU)
        t->entries[i].stamp = ++t->clock;
}

int tlb_lookup(struct tlb *t, uint16_t asid, uint64_t va, const unsigned *spans, unsigned nspans)
{
    int i = tlb_find(t, asid, va, spans, nspans);
    if (i >= 0)
        tlb_touch(t, i);
    return i;
}

int tlb_fill(struct tlb *t, const struct tlb_entry *e, uint64_t *rng, struct tlb_entry *evicted)
{
    uint32_t set = tlb_set_of_vpn(t, e->vpn);
    struct tlb_entry *row = &t->entries[(size_t)set * t->ways];
    /* One look at the set: an existing entry for the same page is
     * replaced in place, else the first invalid way is taken, else the
     * replacement picks (least recently used: the first of the lowest
     * stamps). */
    uint32_t same = t->ways, invalid = t->ways, oldest = 0;
    for (uint32_t w = 0; w < t->ways; w++) {
        const struct tlb_entry *r = &row[w];
        if (!r->valid) {
            if (invalid == t->ways)
                invalid = w;
            continue;
        }
        if (same == t->ways && r->vpn == e->vpn && r->span_shift == e->span_shift &&
            r->asid == e->asid)
            same = w;
        if (r->stamp < row[oldest].stamp)
            oldest = w;
    }
    uint32_t way = same != t->ways      ? same
                 : invalid != t->ways   ? invalid
                 : t->replacement == TLB_RANDOM ? (uint32_t)rng_below(rng, t->ways)
                                                : oldest;
    if (evicted)
        *evicted = row[way];
    /* Field by field: the caller has just built *e so, and a struct
     * copy's wider reads would each wait for those narrow stores. */
    struct tlb_entry *slot = &row[way];
    slot->global = e->global;
    slot->user = e->user;
    slot->writable = e->writable;
    slot->dirty = e->dirty;
    slot->nx = e->nx;
    slot->span_shift = e->span_shift;
    slot->asid = e->asid;
    slot->vpn = e->vpn;
    slot->frame = e->frame;
    slot->valid = true;
    t->span_mask |= UINT64_C(1) << e->span_shift;
    row[way].stamp = ++t->clock;
    return (int)(set * t->ways + way);
}

/* The index of the lowest set bit of a non-zero word. */
static unsigned lowest_bit(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned i = 0;
    while (!(x >> i & 1))
        i++;
    return i;
#endif
}

int tlb_invalidate(struct tlb *t, uint16_t asid, uint64_t va)
{
    /* An entry of span shift s sits in set (va >> s) % sets, as tlb_fill
     * placed it: only those sets are searched. The lowest matching index
     * is the one dropped, as a scan of the whole TLB in order would. */
    int found = -1;
    for (uint64_t rest = t->span_mask; rest != 0; rest &= rest - 1) {
        unsigned s = lowest_bit(rest);
        uint64_t vpn = va >> s;
        uint32_t set = tlb_set_of_vpn(t, vpn);
        const struct tlb_entry *row = &t->entries[(size_t)set * t->ways];
        for (uint32_t w = 0; w < t->ways; w++) {
            const struct tlb_entry *e = &row[w];
            if (e->vpn == vpn && e->valid && e->span_shift == s &&
                (e->asid == asid || e->global)) {
                int i = (int)(set * t->ways + w);
                if (found < 0 || i < found)
                    found = i;
                break;
            }
        }
    }
    if (found >= 0)
        t->entries[found].valid = false;
    return found;
}

bool tlb_spans_cover(const struct tlb *t, const unsigned *spans, unsigned nspans)
{
    uint64_t looked = 0;
    for (unsigned s = 0; s < nspans; s++)
        looked |= UINT64_C(1) << spans[s];
    return (t->span_mask & ~looked) == 0;
}

unsigned tlb_flush_asid(struct tlb *t, uint16_t asid, bool with_global)
{
    unsigned dropped = 0;
    size_t n = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < n; i++) {
        struct tlb_entry *e = &t->entries[i];
        if (e->valid && e->asid == asid && (with_global || !e->global)) {
            e->valid = false;
            dropped++;
        }
    }
    return dropped;
}

unsigned tlb_flush_asid_user(struct tlb *t, uint16_t asid)
{
    unsigned dropped = 0;
    size_t n = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < n; i++) {
        struct tlb_entry *e = &t->entries[i];
        if (e->valid && e->asid == asid && e->user) {
            e->valid = false;
            dropped++;
        }
    }
    return dropped;
}

unsigned tlb_flush_all(struct tlb *t, bool with_global)
{
    unsigned dropped = 0;
    size_t n = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < n; i++) {
        struct tlb_entry *e = &t->entries[i];
        if (e->valid && (with_global || !e->global)) {
            e->valid = false;
            dropped++;
        }
    }
    return dropped;
}

unsigned tlb_count_valid(const struct tlb *t)
{
    unsigned valid = 0;
    size_t n = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < n; i++)
        valid += t->entries[i].valid;
    return valid;
}

void tlb_digest(const struct tlb *t, uint64_t *h)
{
    digest_u64(h, t->sets);
    digest_u64(h, t->ways);
    digest_u64(h, t->clock);
    size_t n = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < n; i++) {
        const struct tlb_entry *e = &t->entries[i];
        if (!e->valid) {
            digest_u64(h, 0);
            continue;
        }
        digest_u64(h, 1 | (uint64_t)e->global << 1 | (uint64_t)e->writable << 2 |
                          (uint64_t)e->dirty << 3 | (uint64_t)e->nx << 4 |
                          (uint64_t)e->user << 5 |
                          (uint64_t)e->span_shift << 8 | (uint64_t)e->asid << 16);
        digest_u64(h, e->vpn);
        digest_u64(h, e->frame);
        digest_u64(h, e->stamp);
    }
}
