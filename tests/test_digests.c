/* The machine's state at the end of every library scenario under every
 * policy, and along a long random trace, as digests recorded in
 * tests/data/digests.txt before the engine and the timeline were made
 * faster: a change meant only for speed must leave every one of them
 * equal, since not a single micro-step may change. When the file has to
 * change because the engine's behaviour did, VMVIZ_WRITE_DIGESTS=path
 * writes the new one instead of comparing. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

#include "play/timeline.h"
#include "scenario/scenario.h"
#include "util/diag.h"
#include "vm/machine.h"
#include "vm/policy.h"
#include "vm/rng.h"

#define DIGEST_FILE "data/digests.txt"
#define RANDOM_ACCESSES 100000u
#define RANDOM_STRIDE 4096u

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The library's scenario paths in name order (the file's order). */
static size_t library(char paths[][300], size_t max)
{
    DIR *d = opendir("../scenarios");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < max && n < 256) {
        size_t len = strlen(de->d_name);
        if (len >= 6 && strcmp(de->d_name + len - 5, ".yaml") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], compare_names);
    for (size_t i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "../scenarios/%s", names[i]);
        free(names[i]);
    }
    return n;
}

/* One line per run: name, policy and the digest, "-" when it did not load. */
static void line_for(FILE *out, const char *name, const char *path, const char *policy,
                     bool stepwise)
{
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    struct timeline *tl = NULL;
    if (s) {
        struct timeline_overrides o;
        timeline_overrides_init(&o);
        o.policy = policy;
        tl = timeline_create(s, &o, &err);
    }
    if (!tl) {
        fprintf(out, "%s %s -\n", name, policy);
        scenario_free(s);
        return;
    }
    uint64_t h = 0;
    if (stepwise) {
        /* Event by event, the digest every RANDOM_STRIDE events folded in. */
        uint64_t n = 0;
        while (timeline_next(tl) != NULL)
            if (++n % RANDOM_STRIDE == 0)
                h = h * UINT64_C(0x100000001b3) ^ machine_digest(timeline_machine(tl));
    } else {
        timeline_run_fast(tl);
    }
    h = h * UINT64_C(0x100000001b3) ^ machine_digest(timeline_machine(tl));
    fprintf(out, "%s %s %016" PRIx64 " %" PRIu64 "\n", name, policy, h,
            timeline_machine(tl)->counters.faults);
    timeline_destroy(tl);
    scenario_free(s);
}

/* A seeded trace of reads, writes and fetches over 300 pages on 48
 * frames, with a small TLB: evictions, swap and TLB misses all the way. */
static bool write_random(const char *trace, const char *yaml)
{
    FILE *fp = fopen(trace, "w");
    if (!fp)
        return false;
    uint64_t rng = 2024;
    for (uint32_t i = 0; i < RANDOM_ACCESSES; i++) {
        uint64_t page = rng_below(&rng, 8) == 0 ? rng_below(&rng, 300) : rng_below(&rng, 40);
        static const char kinds[] = "RRRWWX";
        fprintf(fp, "%c 0x%llx\n", kinds[rng_below(&rng, 6)],
                (unsigned long long)(0x10000000 + page * 4096 + rng_below(&rng, 4096)));
    }
    if (fclose(fp) != 0)
        return false;
    fp = fopen(yaml, "w");
    if (!fp)
        return false;
    fprintf(fp,
            "title: random\n"
            "machine: {preset: x86_64, frames: 48, swap: 512, tlb: {entries: 16, ways: 4}}\n"
            "processes:\n"
            "  - {name: r, pid: 1}\n"
            "steps:\n"
            "  - trace: {file: %s, format: rw, auto_areas: true}\n",
            trace);
    return fclose(fp) == 0;
}

static void write_all(FILE *out)
{
    static char paths[256][300];
    size_t n = library(paths, 256);
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < POLICY_COUNT; p++)
            line_for(out, strrchr(paths[i], '/') + 1, paths[i],
                     policy_name((enum policy_kind)p), false);
    char dir[] = "/tmp/vmviz-digests-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char trace[64], yaml[64];
    snprintf(trace, sizeof trace, "%s/random.rw", dir);
    snprintf(yaml, sizeof yaml, "%s/random.yaml", dir);
    CU_ASSERT_FATAL(write_random(trace, yaml));
    for (int p = 0; p < POLICY_COUNT; p++)
        line_for(out, "random-trace", yaml, policy_name((enum policy_kind)p), true);
    remove(trace);
    remove(yaml);
    rmdir(dir);
}

static void test_digests_unchanged(void)
{
    const char *to = getenv("VMVIZ_WRITE_DIGESTS");
    if (to) {
        FILE *out = fopen(to, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);
        write_all(out);
        fclose(out);
        return;
    }
    char *now = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&now, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    write_all(out);
    fclose(out);
    FILE *fp = fopen(DIGEST_FILE, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    char expected[256], *at = now, *nl;
    unsigned lines = 0;
    while (fgets(expected, sizeof expected, fp)) {
        nl = strchr(at, '\n');
        CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
        size_t n = (size_t)(nl - at) + 1;
        if (strlen(expected) != n || memcmp(expected, at, n) != 0) {
            fprintf(stderr, "digest differs: expected %s         got %.*s", expected, (int)n, at);
            CU_FAIL("a digest differs from the recorded one");
        }
        at = nl + 1;
        lines++;
    }
    fclose(fp);
    CU_ASSERT_EQUAL(*at, '\0'); /* no run more than recorded */
    CU_ASSERT(lines > 100);
    free(now);
}

void suite_digests_register(void)
{
    CU_pSuite s = CU_add_suite("digests", NULL, NULL);
    CU_add_test(s, "every library scenario and a random trace end as recorded",
                test_digests_unchanged);
}
