/* Every shipped scenario, played event by event, under every policy: the
 * machine's bookkeeping must agree with itself after each event, every
 * micro-step must be one the phase table allows (machine.h,
 * MACHINE_STEP_TABLE), and the timeline must come back to the same state
 * when it steps back. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/timeline.h"
#include "scenario/scenario.h"
#include "suites.h"

#define SCENARIO_DIR "../scenarios"

/* The phases the library's micro-steps started in. */
static bool phase_seen[PH_COUNT];

/* Checks one micro-step of the machine: it started in phase `from`
 * (PH_IDLE: the operation began in this step), emitted ev, and left the
 * machine where it is now. */
static void check_step(const char *path, const char *policy, uint64_t n, enum machine_phase from,
                       const struct machine *m, const struct event *ev)
{
    if (from == PH_IDLE)
        from = machine_current_op(m)->kind == OP_ACCESS ? PH_BEGIN : PH_SIMPLE;
    enum machine_phase to = machine_next_phase(m);
    phase_seen[from] = true;
    if (!machine_step_allowed(from, ev->kind, to)) {
        fprintf(stderr, "\n%s (%s) event %llu: %s -> %s -> %s is not in the phase table\n", path,
                policy ? policy : "-", (unsigned long long)n, machine_phase_name(from),
                event_name(ev->kind), machine_phase_name(to));
        CU_FAIL("a micro-step outside the phase table");
    }
}

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
    for (;;) {
        const struct machine *m = timeline_machine(tl);
        enum machine_phase from = machine_next_phase(m);
        uint64_t steps = m->steps;
        if ((e = timeline_next(tl)) == NULL)
            break;
        n++;
        /* Only events the machine made: a scenario's own items, and
         * operations the program could not even begin, step nothing. */
        m = timeline_machine(tl);
        if (e->kind == TL_MACHINE && m->steps != steps)
            check_step(path, policy, n, from, m, &e->ev);
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

/* After the walks above: every phase of the table holds a micro-step the
 * library takes (a phase no run reaches would be a row no run checks).
 * The rarer paths (munmap, map_frame, refusals, a process gone) are
 * checked step by step in the machine suite. */
static void test_library_covers_phase_table(void)
{
    if (!phase_seen[PH_BEGIN]) /* when this test runs alone */
        for_each_scenario(verify_default);
    for (int p = 0; p < PH_COUNT; p++) {
        if (p == PH_IDLE)
            continue;
        if (!phase_seen[p])
            fprintf(stderr, "\nno micro-step of the library starts in %s\n",
                    machine_phase_name((enum machine_phase)p));
        CU_ASSERT(phase_seen[p]);
    }
}

void suite_invariants_register(void)
{
    CU_pSuite s = CU_add_suite("invariants", NULL, NULL);
    CU_add_test(s, "every scenario keeps the machine consistent", test_scenarios_keep_invariants);
    CU_add_test(s, "under every policy too", test_policies_keep_invariants);
    CU_add_test(s, "the library takes every phase of the table", test_library_covers_phase_table);
}
