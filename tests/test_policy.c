/* Replacement policies on the textbook strings. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "vm/policy.h"
#include "vm/rng.h"
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

/* What OPT must hold of one frame, kept the plain way. */
struct opt_model {
    bool in;
    uint64_t key, stamp;
};

#define OPT_MODEL_FRAMES 5000

static struct opt_model opt_frames[OPT_MODEL_FRAMES];

/* Whether frame a goes before frame b: the farther next use, then the
 * earlier load. */
static bool opt_model_before(uint32_t a, uint32_t b)
{
    const struct opt_model *x = &opt_frames[a], *y = &opt_frames[b];
    return x->key > y->key || (x->key == y->key && x->stamp < y->stamp);
}

static int opt_model_compare(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return opt_model_before(x, y) ? -1 : opt_model_before(y, x) ? 1 : 0;
}

/* Frames a multiple of three cannot be evicted, in the check of a choice
 * that pops past them. */
static bool opt_model_evictable(void *ctx, uint32_t frame)
{
    (void)ctx;
    return frame % 3 != 0;
}

static bool opt_model_any(void *ctx, uint32_t frame)
{
    (void)ctx;
    (void)frame;
    return true;
}

/* The policy's order and choices against the model's. */
static void opt_model_check(struct policy *p, uint32_t *got, uint32_t *want)
{
    uint32_t n = 0;
    for (uint32_t f = 0; f < OPT_MODEL_FRAMES; f++)
        if (opt_frames[f].in)
            want[n++] = f;
    qsort(want, n, sizeof *want, opt_model_compare);
    size_t first_len;
    CU_ASSERT_EQUAL_FATAL(policy_held(p), n);
    CU_ASSERT_EQUAL_FATAL(p->ops->order(p, got, OPT_MODEL_FRAMES, &first_len), n);
    CU_ASSERT_EQUAL(first_len, n);
    for (uint32_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL_FATAL(got[i], want[i]);
    struct policy_host host = {.evictable = opt_model_any};
    CU_ASSERT_EQUAL(p->ops->choose(p, &host, NULL, 0), n ? want[0] : VM_NO_FRAME);
    /* The first evictable frame in order, unless 64 unevictable ones come
     * before it. */
    uint32_t victim = VM_NO_FRAME;
    for (uint32_t i = 0; i < n && i <= 64; i++)
        if (opt_model_evictable(NULL, want[i])) {
            victim = want[i];
            break;
        }
    host.evictable = opt_model_evictable;
    CU_ASSERT_EQUAL(p->ops->choose(p, &host, NULL, 0), victim);
}

/* OPT's heap against a plain model over random loads, uses (next uses
 * that tie, at "never" and at a number, included) and frees, on frames in
 * two chunks of its per-frame array, carried over clones: the same order
 * and the same victims throughout. */
static void test_opt_against_model(void)
{
    struct policy p;
    CU_ASSERT_FATAL(policy_init(&p, POLICY_opt, OPT_MODEL_FRAMES, 1, 0));
    uint32_t *got = malloc(OPT_MODEL_FRAMES * sizeof *got);
    uint32_t *want = malloc(OPT_MODEL_FRAMES * sizeof *want);
    CU_ASSERT_FATAL(got && want);
    memset(opt_frames, 0, sizeof opt_frames);
    uint64_t rng = 7, loads = 0;
    for (int step = 0; step < 20000; step++) {
        /* 300 frames, a few of them beyond the first chunk. */
        uint32_t f = (uint32_t)rng_below(&rng, 300);
        if (f >= 280)
            f += 4096;
        struct opt_model *m = &opt_frames[f];
        uint64_t roll = rng_below(&rng, 10);
        if (roll < 3) {
            p.ops->loaded(&p, f);
            *m = (struct opt_model){true, UINT64_MAX, ++loads};
        } else if (roll < 8) {
            uint64_t next = rng_below(&rng, 8) == 0 ? UINT64_MAX : rng_below(&rng, 500);
            p.ops->accessed(&p, f, next);
            if (m->in)
                m->key = next;
        } else {
            p.ops->freed(&p, f);
            m->in = false;
        }
        if (step % 1000 == 999) {
            struct policy copy;
            CU_ASSERT_FATAL(policy_clone(&copy, &p));
            policy_destroy(&p);
            p = copy;
        }
        if (step % 97 == 0)
            opt_model_check(&p, got, want);
    }
    opt_model_check(&p, got, want);
    CU_ASSERT_FALSE(p.refused);
    policy_destroy(&p);
    free(got);
    free(want);
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
    CU_add_test(s, "OPT's victims and order against a plain model", test_opt_against_model);
    CU_add_test(s, "names", test_names);
}
