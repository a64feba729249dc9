/* Replacement policies on the textbook strings. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include "vm_helpers.h"

/* Silberschatz, Operating System Concepts: the reference string of the
 * page-replacement chapter. */
static const uint64_t silberschatz[] = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
static const uint64_t belady[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
#define COUNT(a) (sizeof a / sizeof a[0])

static void test_silberschatz(void)
{
    CU_ASSERT_EQUAL(test_ref_string(POLICY_fifo, silberschatz, COUNT(silberschatz), 3), 15);
    CU_ASSERT_EQUAL(test_ref_string(POLICY_opt, silberschatz, COUNT(silberschatz), 3), 9);
    CU_ASSERT_EQUAL(test_ref_string(POLICY_lru, silberschatz, COUNT(silberschatz), 3), 12);
    /* Second chance, hand over frames 0-2, Accessed set by the loading
     * access and by every use: worked by hand, 14 faults. A TLB of one
     * entry makes every use of another page walk and set Accessed. */
    CU_ASSERT_EQUAL(test_ref_string_tlb(POLICY_clock, silberschatz, COUNT(silberschatz), 3, 1),
                    14);
    /* With 64 entries the fifth reference (page 0) hits the TLB right after
     * the hand cleared its Accessed bit (x86 flushes nothing then): the bit
     * stays clear, page 0 is the next victim, and one more fault follows. */
    CU_ASSERT_EQUAL(test_ref_string(POLICY_clock, silberschatz, COUNT(silberschatz), 3), 15);
}

static void test_belady_anomaly(void)
{
    CU_ASSERT_EQUAL(test_ref_string(POLICY_fifo, belady, COUNT(belady), 3), 9);
    CU_ASSERT_EQUAL(test_ref_string(POLICY_fifo, belady, COUNT(belady), 4), 10);
    /* LRU is a stack algorithm: more frames never hurt. */
    CU_ASSERT_EQUAL(test_ref_string(POLICY_lru, belady, COUNT(belady), 3), 10);
    CU_ASSERT_EQUAL(test_ref_string(POLICY_lru, belady, COUNT(belady), 4), 8);
    CU_ASSERT_EQUAL(test_ref_string(POLICY_opt, belady, COUNT(belady), 3), 7);
    CU_ASSERT_EQUAL(test_ref_string(POLICY_opt, belady, COUNT(belady), 4), 6);
}

static void test_no_policy_beats_opt(void)
{
    /* Every policy is deterministic for a seed and never below OPT; with
     * as many frames as pages, each page faults exactly once. */
    for (int p = 0; p < POLICY_COUNT; p++) {
        uint64_t a = test_ref_string((enum policy_kind)p, silberschatz, COUNT(silberschatz), 3);
        uint64_t b = test_ref_string((enum policy_kind)p, silberschatz, COUNT(silberschatz), 3);
        CU_ASSERT_EQUAL(a, b);
        CU_ASSERT(a >= 9);
        CU_ASSERT(a <= COUNT(silberschatz));
        CU_ASSERT_EQUAL(test_ref_string((enum policy_kind)p, silberschatz, COUNT(silberschatz), 6), 6);
    }
}

static void test_names(void)
{
    CU_ASSERT_EQUAL(policy_lookup("clock"), POLICY_clock);
    CU_ASSERT_EQUAL(policy_lookup("linux"), POLICY_linux);
    CU_ASSERT_EQUAL(policy_lookup("clok"), -1);
    CU_ASSERT_STRING_EQUAL(policy_name(POLICY_opt), "opt");
}

void suite_policy_register(void)
{
    CU_pSuite s = CU_add_suite("policy", NULL, NULL);
    CU_add_test(s, "Silberschatz string: FIFO 15, OPT 9, LRU 12, clock 14", test_silberschatz);
    CU_add_test(s, "Belady's anomaly under FIFO", test_belady_anomaly);
    CU_add_test(s, "no policy beats OPT", test_no_policy_beats_opt);
    CU_add_test(s, "names", test_names);
}
