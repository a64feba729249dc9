/* Tests of src/play/compare: racing policies on the textbook string of
 * scenarios/belady.yaml. Belady's figures (FIFO: 9 faults with 3 frames,
 * 10 with 4) and the stack property of LRU and OPT check the engine; every
 * row is checked against a run of its own through the timeline, as vmviz
 * run --stats plays it; the table, the chart and the JSON are checked as
 * printed. */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "play/compare.h"
#include "play/timeline.h"
#include "scenario/scenario.h"

void suite_compare_register(void);

#define BELADY "../scenarios/belady.yaml"
#define LAZY "../scenarios/lazy-allocation.yaml"

/* The configurations of a plan over frames 1..8 at most. */
#define MAX_ROWS (POLICY_COUNT * 8)

/* A plan of the policies named (a NULL-terminated list) over low..high. */
static struct compare_plan plan_of(const char *const *names, uint32_t low, uint32_t high)
{
    struct compare_plan p = {.frames_min = low, .frames_max = high};
    timeline_overrides_init(&p.base);
    for (; *names; names++)
        p.policies[p.npolicies++] = (enum policy_kind)policy_lookup(*names);
    return p;
}

/* Every policy, in policy_names order, over low..high. */
static struct compare_plan plan_all(uint32_t low, uint32_t high)
{
    return plan_of(policy_names, low, high);
}

/* Runs plan on the scenario at path; true with the rows. */
static bool race(const char *path, const struct compare_plan *plan, struct compare_row *rows,
                 size_t *nrows)
{
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    bool ok = compare_run(s, plan, rows, nrows, &err);
    if (!ok)
        fprintf(stderr, "compare_run: %s\n", err.message);
    scenario_free(s);
    return ok;
}

/* The faults of the row of a policy and frame count, or UINT64_MAX. */
static uint64_t faults_of(const struct compare_row *rows, size_t n, enum policy_kind policy,
                          uint32_t frames)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].policy == policy && rows[i].frames == frames)
            return rows[i].counters.faults;
    return UINT64_MAX;
}

static void test_belady_fifo(void)
{
    struct compare_plan p = plan_of((const char *const[]){"fifo", NULL}, 1, 8);
    struct compare_row rows[MAX_ROWS];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_EQUAL(faults_of(rows, n, POLICY_fifo, 3), 9);
    CU_ASSERT_EQUAL(faults_of(rows, n, POLICY_fifo, 4), 10);
}

static void test_stack_policies(void)
{
    struct compare_plan p = plan_all(1, 8);
    struct compare_row rows[MAX_ROWS];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    CU_ASSERT_EQUAL_FATAL(n, MAX_ROWS);
    for (uint32_t f = 2; f <= 8; f++)
        CU_ASSERT_TRUE(faults_of(rows, n, POLICY_lru, f) <= faults_of(rows, n, POLICY_lru, f - 1));
    /* OPT is the floor: no policy faults less at any frame count. */
    for (uint32_t f = 1; f <= 8; f++)
        for (int k = 0; k < POLICY_COUNT; k++)
            CU_ASSERT_TRUE(faults_of(rows, n, POLICY_opt, f)
                           <= faults_of(rows, n, (enum policy_kind)k, f));
    /* The string has 5 distinct pages: from 5 frames on, only the first
     * touches fault, whatever the policy. */
    for (int k = 0; k < POLICY_COUNT; k++)
        CU_ASSERT_EQUAL(faults_of(rows, n, (enum policy_kind)k, 5), 5);
}

/* Plays one configuration alone, event by event, as vmviz run --stats. */
static bool run_alone(const struct scenario *s, const struct timeline_overrides *o,
                      struct counters *out)
{
    struct diag err;
    struct timeline *tl =
        timeline_create_with(s, o, &(struct timeline_options){.headless = true}, &err);
    if (!tl)
        return false;
    while (timeline_next(tl) != NULL)
        continue;
    bool ok = timeline_error(tl) == NULL;
    *out = timeline_machine(tl)->counters;
    timeline_destroy(tl);
    return ok;
}

static void test_rows_equal_single_runs(void)
{
    struct diag err;
    struct scenario *s = scenario_load(BELADY, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct compare_plan p = plan_all(1, 8);
    /* A TLB and a seed of the command line's reach every run. */
    p.base.tlb_entries = 2;
    p.base.tlb_ways = 1;
    p.base.seed = 7;
    struct compare_row rows[MAX_ROWS];
    size_t n;
    CU_ASSERT_TRUE_FATAL(compare_run(s, &p, rows, &n, &err));
    CU_ASSERT_EQUAL(n, MAX_ROWS);
    for (size_t i = 0; i < n; i++) {
        struct timeline_overrides o = p.base;
        o.policy = policy_name(rows[i].policy);
        o.frames = rows[i].frames;
        struct counters alone;
        CU_ASSERT_TRUE_FATAL(run_alone(s, &o, &alone));
        for (int c = 0; c < COUNTER_COUNT; c++)
            CU_ASSERT_EQUAL(counter_get(&rows[i].counters, (enum counter_id)c),
                            counter_get(&alone, (enum counter_id)c));
    }
    /* The TLB override did change the figures: with the scenario's own
     * 4-entry TLB the hits differ. */
    struct compare_plan q = plan_all(4, 4);
    struct compare_row own[POLICY_COUNT];
    size_t nown;
    CU_ASSERT_TRUE_FATAL(compare_run(s, &q, own, &nown, &err));
    CU_ASSERT_NOT_EQUAL(own[0].counters.tlb_hits, rows[3].counters.tlb_hits);
    scenario_free(s);
}

static void test_stable_order(void)
{
    const char *const names[] = {"opt", "random", "fifo", "lru", NULL};
    struct compare_row one[MAX_ROWS], many[MAX_ROWS];
    size_t n1, n5;
    struct compare_plan p = plan_of(names, 2, 7);
    p.workers = 1;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, one, &n1));
    p.workers = 5;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, many, &n5));
    CU_ASSERT_EQUAL_FATAL(n1, 4 * 6);
    CU_ASSERT_EQUAL_FATAL(n5, n1);
    for (size_t i = 0; i < n1; i++) {
        CU_ASSERT_EQUAL(one[i].policy, (enum policy_kind)policy_lookup(names[i / 6]));
        CU_ASSERT_EQUAL(one[i].frames, 2 + i % 6);
        CU_ASSERT_EQUAL(many[i].policy, one[i].policy);
        CU_ASSERT_EQUAL(many[i].frames, one[i].frames);
        CU_ASSERT_EQUAL(memcmp(&many[i].counters, &one[i].counters, sizeof one[i].counters), 0);
    }
}

static void test_scenario_frames(void)
{
    /* Without a range, each policy runs on the scenario's own 3 frames. */
    struct compare_plan p = plan_all(0, 0);
    CU_ASSERT_EQUAL(compare_count(&p), POLICY_COUNT);
    struct compare_row rows[POLICY_COUNT];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    CU_ASSERT_EQUAL_FATAL(n, POLICY_COUNT);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(rows[i].frames, 3);
    CU_ASSERT_EQUAL(rows[POLICY_fifo].counters.faults, 9);
}

static void test_failing_configuration(void)
{
    /* lazy-allocation cannot run on 1 frame: the first failure in plan
     * order is the one reported, at its place in the scenario, and no
     * row comes back. */
    struct diag err;
    struct scenario *s = scenario_load(LAZY, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct compare_plan p = plan_of((const char *const[]){"lru", "fifo", NULL}, 1, 6);
    struct compare_row rows[12];
    size_t n = 99;
    CU_ASSERT_FALSE(compare_run(s, &p, rows, &n, &err));
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_STRING_EQUAL(err.file, LAZY);
    CU_ASSERT_TRUE(err.line > 0 && err.col > 0);
    CU_ASSERT_EQUAL(strncmp(err.message, "lru with 1 frame: ", 18), 0);
    /* Too many configurations are refused before any runs. */
    struct compare_plan big = plan_all(1, 1000);
    CU_ASSERT_TRUE(compare_count(&big) > COMPARE_MAX_CONFIGS);
    CU_ASSERT_FALSE(compare_run(s, &big, rows, &n, &err));
    scenario_free(s);
}

/* What a print function writes, as a malloc'd string. */
static char *printed(void (*print)(FILE *, const struct compare_row *, size_t),
                     const struct compare_row *rows, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    print(f, rows, n);
    fclose(f);
    return text;
}

static void test_chart(void)
{
    struct compare_plan p = plan_of((const char *const[]){"fifo", "opt", NULL}, 1, 5);
    struct compare_row rows[10];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    /* The figures the chart below draws: FIFO's bump at 4 frames, OPT
     * under it everywhere but where both take every reference or only
     * the first touches. */
    static const uint64_t fifo[] = {12, 12, 9, 10, 5}, opt[] = {12, 9, 7, 6, 5};
    for (uint32_t f = 1; f <= 5; f++) {
        CU_ASSERT_EQUAL(faults_of(rows, n, POLICY_fifo, f), fifo[f - 1]);
        CU_ASSERT_EQUAL(faults_of(rows, n, POLICY_opt, f), opt[f - 1]);
    }
    char *chart = printed(compare_print_chart, rows, n);
    CU_ASSERT_STRING_EQUAL(chart,
                           "faults\n"
                           "12 |   *   F\n"
                           "11 |\n"
                           "10 |               F\n"
                           " 9 |       O   F\n"
                           " 8 |\n"
                           " 7 |           O\n"
                           " 6 |               O\n"
                           " 5 |                   *\n"
                           "   +---+---+---+---+---+\n"
                           "       1   2   3   4   5  frames\n"
                           "F fifo  O opt  * several at one point\n");
    free(chart);
    /* One frame count draws no chart. */
    chart = printed(compare_print_chart, rows, 1);
    CU_ASSERT_STRING_EQUAL(chart, "");
    free(chart);
}

/* The lines of a chart, each checked to fit the width. */
static int chart_lines(const char *chart)
{
    int lines = 0;
    for (const char *line = chart; *line;) {
        const char *nl = strchr(line, '\n');
        CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
        CU_ASSERT_TRUE(nl - line <= COMPARE_CHART_WIDTH);
        lines++;
        line = nl + 1;
    }
    return lines;
}

static void test_chart_fits(void)
{
    /* Every policy: the legend names each, and "faults", 12 down to 5,
     * the axis, the frames and the legend fit the width. */
    struct compare_plan p = plan_all(1, 8);
    struct compare_row rows[MAX_ROWS];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    char *chart = printed(compare_print_chart, rows, n);
    CU_ASSERT_EQUAL(chart_lines(chart), 1 + 8 + 2 + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(chart, "I linux"));
    free(chart);
    /* More frame counts than columns: one in so many is drawn, evenly
     * labelled, and the legend says so. */
    struct compare_plan wide = plan_of((const char *const[]){"fifo", "lru", NULL}, 1, 300);
    struct compare_row *many = calloc(600, sizeof *many);
    CU_ASSERT_PTR_NOT_NULL_FATAL(many);
    CU_ASSERT_TRUE_FATAL(race(BELADY, &wide, many, &n));
    CU_ASSERT_EQUAL_FATAL(n, 600);
    chart = printed(compare_print_chart, many, n);
    CU_ASSERT_EQUAL(chart_lines(chart), 1 + 8 + 2 + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(chart, "\n    1  21  41  61  81 101 121 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(chart, "one frame count in 5 shown"));
    free(chart);
    free(many);
}

static void test_table(void)
{
    struct compare_plan p = plan_of((const char *const[]){"fifo", NULL}, 3, 4);
    struct compare_row rows[2];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    /* 2 TLB hits in 22 lookups with 4 frames (a faulting access looks up
     * again when it restarts): 9.1%. */
    CU_ASSERT_EQUAL(rows[1].counters.tlb_hits, 2);
    CU_ASSERT_EQUAL(rows[1].counters.tlb_misses, 20);
    char *table = printed(compare_print_table, rows, n);
    CU_ASSERT_STRING_EQUAL(table,
        "policy  frames   faults TLB hit rate evictions writebacks swap-ins swap-outs\n"
        "fifo         3        9        14.3%         6          0        0         0\n"
        "fifo         4       10         9.1%         6          0        0         0\n");
    free(table);
}

static void test_json(void)
{
    struct compare_plan p = plan_all(2, 4);
    struct compare_row rows[POLICY_COUNT * 3];
    size_t n;
    CU_ASSERT_TRUE_FATAL(race(BELADY, &p, rows, &n));
    char *text = printed(compare_print_json, rows, n);
    struct jobject objs[POLICY_COUNT * 3 + 1];
    size_t count;
    CU_ASSERT_TRUE_FATAL(json_array_objects(text, objs, POLICY_COUNT * 3 + 1, &count));
    CU_ASSERT_EQUAL_FATAL(count, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        CU_ASSERT_TRUE(jstr_is(&objs[i], "policy", policy_name(rows[i].policy)));
        CU_ASSERT_TRUE(jnum(&objs[i], "frames", &v) && v == rows[i].frames);
        CU_ASSERT_EQUAL(objs[i].count, 2 + COUNTER_COUNT);
        for (int c = 0; c < COUNTER_COUNT; c++) {
            CU_ASSERT_TRUE(jnum(&objs[i], counter_name((enum counter_id)c), &v));
            CU_ASSERT_EQUAL(v, counter_get(&rows[i].counters, (enum counter_id)c));
        }
    }
    free(text);
    /* The reader refuses what is not an array of objects. */
    CU_ASSERT_FALSE(json_array_objects("[{\"a\":1},]", objs, 4, &count));
    CU_ASSERT_FALSE(json_array_objects("[{\"a\":1},2]", objs, 4, &count));
    CU_ASSERT_FALSE(json_array_objects("{\"a\":1}", objs, 4, &count));
    CU_ASSERT_TRUE(json_array_objects(" [ ]\n", objs, 4, &count) && count == 0);
}

static void test_marks(void)
{
    /* Each policy's mark is its own, and none is the collision mark. */
    for (int a = 0; a < POLICY_COUNT; a++) {
        char mark = compare_mark((enum policy_kind)a);
        CU_ASSERT_TRUE(mark >= 'A' && mark <= 'Z');
        for (int b = 0; b < a; b++)
            CU_ASSERT_NOT_EQUAL(mark, compare_mark((enum policy_kind)b));
    }
    CU_ASSERT_EQUAL(compare_mark(POLICY_fifo), 'F');
    CU_ASSERT_EQUAL(compare_mark(POLICY_opt), 'O');
}

void suite_compare_register(void)
{
    CU_pSuite s = CU_add_suite("compare", NULL, NULL);
    CU_add_test(s, "Belady's anomaly under FIFO", test_belady_fifo);
    CU_add_test(s, "LRU never rises, OPT is the floor", test_stack_policies);
    CU_add_test(s, "each row equals a run of its own", test_rows_equal_single_runs);
    CU_add_test(s, "rows in plan order whatever the workers", test_stable_order);
    CU_add_test(s, "the scenario's own frames by default", test_scenario_frames);
    CU_add_test(s, "a failing configuration", test_failing_configuration);
    CU_add_test(s, "the chart", test_chart);
    CU_add_test(s, "the chart fits 80 columns", test_chart_fits);
    CU_add_test(s, "the table", test_table);
    CU_add_test(s, "JSON rows with every counter", test_json);
    CU_add_test(s, "one mark per policy", test_marks);
}
