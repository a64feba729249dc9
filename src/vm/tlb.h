#ifndef VMVIZ_VM_TLB_H
#define VMVIZ_VM_TLB_H
/* A set-associative TLB with ASID tags. entries = sets * ways; one way is
 * direct-mapped, entries ways is fully associative. A page's set is its
 * virtual page number modulo the number of sets. Only present translations
 * are ever stored (the TLB never caches a not-present entry). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLB_REPLACEMENT_LIST(X) \
    X(LRU, "lru")               \
    X(FIFO, "fifo")             \
    X(RANDOM, "random")

enum tlb_replacement {
#define TLB_REPL_ENUM(id, name) TLB_##id,
    TLB_REPLACEMENT_LIST(TLB_REPL_ENUM)
#undef TLB_REPL_ENUM
};

extern const char *const tlb_replacement_names[]; /* NULL-terminated */

struct tlb_entry {
    bool valid;
    bool global;
    bool user;          /* user mode may use it: U/S set at every level of the walk */
    bool writable;
    bool dirty;
    bool nx;
    uint8_t span_shift; /* log2 of the bytes it maps (page or huge page) */
    uint16_t asid;
    uint64_t vpn;       /* va >> span_shift */
    uint32_t frame;     /* first frame it maps */
    uint64_t stamp;     /* last use (lru) or fill time (fifo) */
};

struct tlb {
    uint32_t sets, ways;
    uint32_t set_mask;   /* sets - 1 when sets is a power of two (every preset's), else
                            0: a set is then found by a mask, not a division */
    enum tlb_replacement replacement;
    bool asid_tags;      /* false: a context switch flushes it */
    uint64_t clock;      /* stamps */
    uint64_t span_mask;  /* bit s: an entry of span shift s was ever filled, so an
                            invalidation looks in one set per span, not everywhere */
    struct tlb_entry *entries; /* sets * ways, set-major; made once, never moves */
};

/* Sets up a TLB of `entries` entries in `ways` ways. entries must be a
 * non-zero multiple of ways; returns false otherwise. */
bool tlb_init(struct tlb *t, uint32_t entries, uint32_t ways,
              enum tlb_replacement replacement, bool asid_tags);
void tlb_destroy(struct tlb *t);
/* Deep copy of src into dst (dst uninitialised). false when out of memory. */
bool tlb_clone(struct tlb *dst, const struct tlb *src);
/* The set a page of the given span falls in. */
uint32_t tlb_set_of(const struct tlb *t, uint64_t va, unsigned span_shift);
/* Looks va up for the ASID, trying each span in spans[0..nspans). Returns the
 * entry index (set * ways + way) or -1; on a hit, refreshes LRU age. */
int tlb_lookup(struct tlb *t, uint16_t asid, uint64_t va, const unsigned *spans, unsigned nspans);
/* The set of a page number: a mask where the sets are a power of two (a
 * division costs tens of cycles on every lookup, fill and invalidation). */
static inline uint32_t tlb_set_of_vpn(const struct tlb *t, uint64_t vpn)
{
    return t->set_mask || t->sets == 1 ? (uint32_t)(vpn & t->set_mask) : (uint32_t)(vpn % t->sets);
}
/* Like tlb_lookup but changes nothing. Inline: every access of a fused
 * run asks it, and a call's saved registers cost as much as its search. */
static inline int tlb_find(const struct tlb *t, uint16_t asid, uint64_t va,
                           const unsigned *spans, unsigned nspans)
{
    for (unsigned s = 0; s < nspans; s++) {
        uint64_t vpn = va >> spans[s];
        uint32_t set = tlb_set_of_vpn(t, vpn);
        const struct tlb_entry *row = &t->entries[(size_t)set * t->ways];
        for (uint32_t w = 0; w < t->ways; w++) {
            const struct tlb_entry *e = &row[w];
            /* The page number first: it rules out the other ways at once. */
            if (e->vpn == vpn && e->valid && e->span_shift == spans[s] &&
                (e->global || e->asid == asid))
                return (int)(set * t->ways + w);
        }
    }
    return -1;
}
/* Marks entry i as just used (what a hit does for LRU). */
void tlb_touch(struct tlb *t, int i);
/* Inserts a translation; returns its entry index. *evicted receives the valid
 * entry it replaced (valid=false when the way was empty). rng feeds random
 * replacement. */
int tlb_fill(struct tlb *t, const struct tlb_entry *e, uint64_t *rng, struct tlb_entry *evicted);
/* Invalidates the entry mapping va for the ASID (any span); returns its index
 * or -1 when there was none (INVLPG). */
int tlb_invalidate(struct tlb *t, uint16_t asid, uint64_t va);
/* Whether every span an entry was ever filled with is among spans[0..n):
 * then, right after tlb_find missed an address with those spans,
 * tlb_invalidate of it (same ASID) would find nothing, as both match an
 * entry alike. */
bool tlb_spans_cover(const struct tlb *t, const unsigned *spans, unsigned nspans);
/* Drops every entry of one ASID (global ones too when with_global); returns
 * how many. */
unsigned tlb_flush_asid(struct tlb *t, uint16_t asid, bool with_global);
/* Drops every entry of one ASID that user mode may use, global ones too
 * (what exit and fork must forget); the kernel's own translations
 * (supervisor-only, global) stay, since they serve every process. Returns
 * how many. */
unsigned tlb_flush_asid_user(struct tlb *t, uint16_t asid);
/* Drops every non-global entry (a CR3 reload without PCID), or every entry
 * when with_global; returns how many. */
unsigned tlb_flush_all(struct tlb *t, bool with_global);
/* Number of valid entries. */
unsigned tlb_count_valid(const struct tlb *t);
/* Adds the TLB's state to a digest. */
void tlb_digest(const struct tlb *t, uint64_t *h);

#endif
