/* The TLB: sets and ways, replacement, ASIDs, global entries, flushes. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include <string.h>

#include "vm/rng.h"
#include "vm/tlb.h"

static struct tlb_entry entry(uint16_t asid, uint64_t vpn, uint32_t frame, bool global)
{
    struct tlb_entry e = {.valid = true, .asid = asid, .vpn = vpn, .frame = frame,
                          .span_shift = 12, .global = global, .writable = true};
    return e;
}

static const unsigned span = 12;

static void test_sets_and_lru(void)
{
    struct tlb t;
    uint64_t rng = 1;
    CU_ASSERT_FALSE(tlb_init(&t, 6, 4, TLB_LRU, true));
    CU_ASSERT_FATAL(tlb_init(&t, 8, 2, TLB_LRU, true));
    CU_ASSERT_EQUAL(t.sets, 4);
    /* Pages 1, 5, 9 all fall in set 1 (vpn mod 4). */
    CU_ASSERT_EQUAL(tlb_set_of(&t, 5 << 12, span), 1);
    struct tlb_entry old, a = entry(1, 1, 10, false), b = entry(1, 5, 11, false),
                          c = entry(1, 9, 12, false);
    CU_ASSERT_EQUAL(tlb_fill(&t, &a, &rng, &old), 2);
    CU_ASSERT_EQUAL(tlb_fill(&t, &b, &rng, &old), 3);
    /* Touch page 1, so page 5 is least recently used and goes. */
    CU_ASSERT_EQUAL(tlb_lookup(&t, 1, 1 << 12, &span, 1), 2);
    CU_ASSERT_EQUAL(tlb_fill(&t, &c, &rng, &old), 3);
    CU_ASSERT(old.valid);
    CU_ASSERT_EQUAL(old.vpn, 5);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 1, 5 << 12, &span, 1), -1);
    CU_ASSERT_EQUAL(t.entries[tlb_lookup(&t, 1, 9 << 12, &span, 1)].frame, 12);
    CU_ASSERT_EQUAL(tlb_count_valid(&t), 2);
    tlb_destroy(&t);
}

static void test_fifo_and_direct_mapped(void)
{
    struct tlb t;
    uint64_t rng = 1;
    struct tlb_entry old;
    CU_ASSERT_FATAL(tlb_init(&t, 4, 4, TLB_FIFO, true)); /* fully associative */
    for (uint64_t v = 0; v < 4; v++) {
        struct tlb_entry e = entry(1, v, (uint32_t)v, false);
        tlb_fill(&t, &e, &rng, &old);
    }
    tlb_lookup(&t, 1, 0, &span, 1); /* a hit does not save page 0 under FIFO */
    struct tlb_entry e = entry(1, 7, 7, false);
    tlb_fill(&t, &e, &rng, &old);
    CU_ASSERT_EQUAL(old.vpn, 0);
    tlb_destroy(&t);
    CU_ASSERT_FATAL(tlb_init(&t, 4, 1, TLB_LRU, true)); /* direct-mapped */
    e = entry(1, 2, 2, false);
    tlb_fill(&t, &e, &rng, &old);
    e = entry(1, 6, 6, false); /* same set as page 2 */
    tlb_fill(&t, &e, &rng, &old);
    CU_ASSERT_EQUAL(old.vpn, 2);
    CU_ASSERT_EQUAL(tlb_count_valid(&t), 1);
    tlb_destroy(&t);
}

static void test_asid_isolation_and_flushes(void)
{
    struct tlb t;
    uint64_t rng = 1;
    CU_ASSERT_FATAL(tlb_init(&t, 16, 4, TLB_LRU, true));
    struct tlb_entry a = entry(1, 0x400, 3, false), b = entry(2, 0x400, 9, false),
                     g = entry(1, 0x800, 5, true);
    tlb_fill(&t, &a, &rng, NULL);
    tlb_fill(&t, &b, &rng, NULL);
    tlb_fill(&t, &g, &rng, NULL);
    /* Same page, two address spaces, two frames. */
    CU_ASSERT_EQUAL(t.entries[tlb_lookup(&t, 1, 0x400000, &span, 1)].frame, 3);
    CU_ASSERT_EQUAL(t.entries[tlb_lookup(&t, 2, 0x400000, &span, 1)].frame, 9);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 3, 0x400000, &span, 1), -1);
    /* A global entry matches every ASID. */
    CU_ASSERT(tlb_lookup(&t, 3, 0x800000, &span, 1) >= 0);
    CU_ASSERT_EQUAL(tlb_flush_asid(&t, 1, false), 1);
    CU_ASSERT_EQUAL(tlb_lookup(&t, 1, 0x400000, &span, 1), -1);
    CU_ASSERT(tlb_lookup(&t, 2, 0x400000, &span, 1) >= 0);
    CU_ASSERT(tlb_invalidate(&t, 2, 0x400123) >= 0);
    CU_ASSERT_EQUAL(tlb_invalidate(&t, 2, 0x400123), -1);
    tlb_fill(&t, &b, &rng, NULL);
    CU_ASSERT_EQUAL(tlb_flush_all(&t, false), 1); /* the global entry survives */
    CU_ASSERT_EQUAL(tlb_count_valid(&t), 1);
    CU_ASSERT_EQUAL(tlb_flush_all(&t, true), 1);
    CU_ASSERT_EQUAL(tlb_count_valid(&t), 0);
    tlb_destroy(&t);
}

/* What tlb_invalidate did when it scanned every entry in order: the first
 * valid entry of the ASID (or global) whose span covers va is dropped. */
static int invalidate_by_scan(struct tlb *t, uint16_t asid, uint64_t va)
{
    size_t n = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < n; i++) {
        struct tlb_entry *e = &t->entries[i];
        if (e->valid && (e->asid == asid || e->global) && (va >> e->span_shift) == e->vpn) {
            e->valid = false;
            return (int)i;
        }
    }
    return -1;
}

/* tlb_invalidate looks only in the sets that can hold the page: on random
 * contents (three page sizes, three ASIDs, global entries, the same page
 * under several ASIDs) it drops the very entry a full scan drops. */
static void test_invalidate_matches_full_scan(void)
{
    static const unsigned shifts[] = {12, 21, 30};
    static const uint32_t shapes[][2] = {{64, 4}, {16, 16}, {8, 1}, {1536, 12}};
    uint64_t rng = 42;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        struct tlb fast, slow;
        CU_ASSERT_FATAL(tlb_init(&fast, shapes[k][0], shapes[k][1], TLB_LRU, true));
        for (int round = 0; round < 20000; round++) {
            if (rng_below(&rng, 2) == 0) {
                unsigned shift = shifts[rng_below(&rng, 3)];
                uint64_t va = rng_below(&rng, UINT64_C(1) << 32);
                struct tlb_entry e = entry((uint16_t)(1 + rng_below(&rng, 3)), va >> shift,
                                           (uint32_t)round, rng_below(&rng, 8) == 0);
                e.span_shift = (uint8_t)shift;
                tlb_fill(&fast, &e, &rng, NULL);
                continue;
            }
            CU_ASSERT_FATAL(tlb_clone(&slow, &fast));
            uint16_t asid = (uint16_t)(1 + rng_below(&rng, 3));
            /* Mostly an address some entry covers, so that most calls drop one. */
            const struct tlb_entry *hint = &fast.entries[rng_below(&rng, shapes[k][0])];
            uint64_t va = hint->valid && rng_below(&rng, 4) != 0
                              ? (hint->vpn << hint->span_shift) +
                                    rng_below(&rng, UINT64_C(1) << hint->span_shift)
                              : rng_below(&rng, UINT64_C(1) << 32);
            CU_ASSERT_EQUAL(tlb_invalidate(&fast, asid, va), invalidate_by_scan(&slow, asid, va));
            CU_ASSERT_EQUAL(memcmp(fast.entries, slow.entries,
                                   (size_t)shapes[k][0] * sizeof *fast.entries), 0);
            tlb_destroy(&slow);
        }
        tlb_destroy(&fast);
    }
}

/* Once a lookup missed with every span the TLB was ever filled with, an
 * invalidation of the address finds nothing; a span it was filled with and
 * the lookup skipped makes the invalidation needed. */
static void test_spans_cover(void)
{
    struct tlb t;
    uint64_t rng = 1;
    const unsigned both[2] = {12, 21};
    CU_ASSERT_FATAL(tlb_init(&t, 8, 2, TLB_LRU, true));
    CU_ASSERT(tlb_spans_cover(&t, &span, 1)); /* never filled */
    struct tlb_entry a = entry(1, 3, 10, false);
    tlb_fill(&t, &a, &rng, NULL);
    CU_ASSERT(tlb_spans_cover(&t, &span, 1));
    CU_ASSERT_EQUAL(tlb_find(&t, 1, UINT64_C(4) << 12, &span, 1), -1);
    CU_ASSERT_EQUAL(tlb_invalidate(&t, 1, UINT64_C(4) << 12), -1);
    /* A 2 MiB entry: a 4 KiB lookup misses the address it maps, which an
     * invalidation must still drop. */
    struct tlb_entry huge = entry(1, 0, 512, false);
    huge.span_shift = 21;
    tlb_fill(&t, &huge, &rng, NULL);
    CU_ASSERT_FALSE(tlb_spans_cover(&t, &span, 1));
    CU_ASSERT(tlb_spans_cover(&t, both, 2));
    CU_ASSERT_EQUAL(tlb_find(&t, 1, UINT64_C(5) << 12, &span, 1), -1);
    CU_ASSERT(tlb_invalidate(&t, 1, UINT64_C(5) << 12) >= 0);
    tlb_destroy(&t);
}

void suite_tlb_register(void)
{
    CU_pSuite s = CU_add_suite("tlb", NULL, NULL);
    CU_add_test(s, "sets, ways and LRU", test_sets_and_lru);
    CU_add_test(s, "FIFO and direct-mapped", test_fifo_and_direct_mapped);
    CU_add_test(s, "ASID isolation, global entries, flushes", test_asid_isolation_and_flushes);
    CU_add_test(s, "invalidation searches one set per span, as a full scan would",
                test_invalidate_matches_full_scan);
    CU_add_test(s, "a lookup over every span filled leaves nothing to invalidate",
                test_spans_cover);
}
