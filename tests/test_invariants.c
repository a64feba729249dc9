/* Every shipped scenario, played event by event, under every policy: the
 * machine's bookkeeping must agree with itself after each event, and the
 * timeline must come back to the same state when it steps back. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/timeline.h"
#include "scenario/scenario.h"
#include "suites.h"

#define SCENARIO_DIR "../scenarios"

/* Plays one scenario to the end; verifies every event while the run is
 * short, then one event in `every` so the big ones stay quick. */
static void play_verified(const char *path, const char *policy)
{
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    o.policy = policy;
    struct timeline *tl = timeline_create(s, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    uint64_t every = s->total_accesses > 5000 ? 97 : 1;
    char why[256];
    uint64_t n = 0;
    const struct tl_event *e;
    uint64_t idle = 0;
    while ((e = timeline_next(tl)) != NULL) {
        n++;
        /* Mid-fault states are allowed to be half done: check between
         * operations. */
        if (!e->ends_access || ++idle % every)
            continue;
        if (!machine_verify(timeline_machine(tl), why, sizeof why)) {
            fprintf(stderr, "\n%s (%s) after event %llu: %s\n", path, policy ? policy : "-",
                    (unsigned long long)n, why);
            CU_FAIL("machine_verify");
            break;
        }
    }
    CU_ASSERT(machine_verify(timeline_machine(tl), why, sizeof why));
    CU_ASSERT(n > 0);
    timeline_destroy(tl);
    scenario_free(s);
}

static void for_each_scenario(void (*fn)(const char *path))
{
    DIR *d = opendir(SCENARIO_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    unsigned count = 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, de->d_name);
        fn(path);
        count++;
    }
    closedir(d);
    CU_ASSERT(count >= 15);
}

static void verify_default(const char *path)
{
    play_verified(path, NULL);
}

static void verify_all_policies(const char *path)
{
    for (int p = 0; p < POLICY_COUNT; p++)
        play_verified(path, policy_name((enum policy_kind)p));
}

static void test_scenarios_keep_invariants(void)
{
    for_each_scenario(verify_default);
}

static void test_policies_keep_invariants(void)
{
    for_each_scenario(verify_all_policies);
}

void suite_invariants_register(void)
{
    CU_pSuite s = CU_add_suite("invariants", NULL, NULL);
    CU_add_test(s, "every scenario keeps the machine consistent", test_scenarios_keep_invariants);
    CU_add_test(s, "under every policy too", test_policies_keep_invariants);
}
