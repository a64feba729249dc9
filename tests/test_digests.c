/* The machine's state at the end of every library scenario under every
 * policy, and along a long random trace, as digests recorded in
 * tests/data/digests.txt before the engine and the timeline were made
 * faster: a change meant only for speed must leave every one of them
 * equal, since not a single micro-step may change. When the file has to
 * change because the engine's behaviour did, VMVIZ_WRITE_DIGESTS=path
 * writes the new one instead of comparing.
 *
 * The fused paths are held to the stepper here too: machine_run_op must
 * reach, operation by operation, the machine machine_step reaches, and say
 * how many micro-steps it took; timeline_run_headless must end where
 * playing event by event ends. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
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
#include "vm_helpers.h"
/* Only for vm_fast_fault, which machine_run_op calls: its cases are
 * tested one by one against the stepper. */
#include "vm/machine_internal.h"

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

/* ---- the fused paths against the stepper -------------------------------- */

/* Operations between two digests (and at the end of each scenario step):
 * the digest walks the whole machine. */
#define FUSED_DIGEST_EVERY 64u

struct fused_tally {
    uint64_t ops;            /* operations run both ways */
    uint64_t fast_ops;       /* of which machine_run_op did at once (3 steps) */
    uint64_t mismatches;     /* operations after which the two machines differ */
};

/* Plays the timeline event by event and, beside it, a clone of its
 * machine taken at position 0 that runs each operation with one
 * machine_run_op: after every operation the clone must have taken as many
 * micro-steps as the events played (and returned that count), and hold
 * the same counters; the digests are compared every `every` operations
 * and at the end. */
static void run_op_beside_stepper(const char *label, struct timeline *tl, uint64_t every,
                                  struct fused_tally *t)
{
    const struct machine *stepped = timeline_machine(tl);
    struct machine *fused = machine_clone(stepped);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fused);
    uint64_t steps_before = stepped->steps;
    const struct tl_event *e;
    while ((e = timeline_next(tl)) != NULL) {
        if (e->kind != TL_MACHINE || !e->ends_access || stepped->steps == steps_before)
            continue; /* within an operation, or no machine step (a failed step) */
        uint64_t events = stepped->steps - steps_before;
        steps_before = stepped->steps;
        uint64_t got = machine_run_op(fused, machine_current_op(stepped));
        t->ops++;
        t->fast_ops += got == 3 && events == 3;
        bool same = got == events && fused->steps == stepped->steps &&
                    memcmp(&fused->counters, &stepped->counters, sizeof fused->counters) == 0 &&
                    fused->phase == stepped->phase;
        if (same && (t->ops % every == 0 || e->ends_op))
            same = machine_digest(fused) == machine_digest(stepped);
        if (!same && t->mismatches++ == 0)
            fprintf(stderr, "%s: operation %llu (position %llu): %llu events stepped, "
                    "machine_run_op says %llu\n", label, (unsigned long long)t->ops,
                    (unsigned long long)e->position, (unsigned long long)events,
                    (unsigned long long)got);
    }
    CU_ASSERT_EQUAL(machine_digest(fused), machine_digest(stepped));
    CU_ASSERT_EQUAL(memcmp(&fused->counters, &stepped->counters, sizeof fused->counters), 0);
    machine_destroy(fused);
}

/* A timeline of path under policy; NULL when it does not load. */
static struct timeline *open_timeline(const char *path, const char *policy, bool headless,
                                      struct scenario **out)
{
    struct diag err;
    *out = scenario_load(path, &err);
    if (!*out)
        return NULL;
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    o.policy = policy;
    struct timeline *tl =
        timeline_create_with(*out, &o, &(struct timeline_options){.headless = headless}, &err);
    if (!tl) {
        scenario_free(*out);
        *out = NULL;
    }
    return tl;
}

static void test_run_op_library(void)
{
    static char paths[256][300];
    size_t n = library(paths, 256);
    CU_ASSERT(n > 10);
    struct fused_tally t = {0};
    unsigned runs = 0;
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < POLICY_COUNT; p++) {
            struct scenario *s;
            struct timeline *tl =
                open_timeline(paths[i], policy_name((enum policy_kind)p), false, &s);
            if (!tl)
                continue;
            char label[400];
            snprintf(label, sizeof label, "%s %s", paths[i], policy_name((enum policy_kind)p));
            run_op_beside_stepper(label, tl, FUSED_DIGEST_EVERY, &t);
            timeline_destroy(tl);
            scenario_free(s);
            runs++;
        }
    CU_ASSERT_EQUAL(t.mismatches, 0);
    /* Every library scenario loads, and they do real work both ways. */
    CU_ASSERT_EQUAL(runs, n * POLICY_COUNT);
    CU_ASSERT(t.ops > 10000);
    CU_ASSERT(t.fast_ops > 0 && t.fast_ops < t.ops);
}

/* A process that ends and one spawned after it, given the same root
 * frame, walk the same addresses: the fused walk's memo of the first's
 * tables (freed with it) must not serve the second. */
static void test_run_op_tables_remade(void)
{
    char dir[] = "/tmp/vmviz-remade-XXXXXX", path[64];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/remade.yaml", dir);
    FILE *fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("title: remade tables\n"
          "machine: {preset: x86_64, frames: 64, tlb: {entries: 16, ways: 4}}\n"
          "files:\n"
          "  - {name: hello, size: 8KiB, cached: all,"
          " program: {text: 4KiB, data: 4KiB, bss: 4KiB}}\n"
          "processes:\n"
          "  - {name: shell, pid: 1}\n"
          "steps:\n"
          "  - spawn: {program: hello, child: 2}\n"
          "  - switch: 2\n"
          "  - exec: text\n"
          "  - write: bss\n"
          "  - exit: 2\n"
          "  - switch: 1\n"
          "  - spawn: {program: hello, child: 3}\n"
          "  - switch: 3\n"
          "  - exec: text\n"
          "  - write: bss\n"
          "  - read: bss\n",
          fp);
    CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);
    struct fused_tally t = {0};
    struct scenario *s;
    struct timeline *tl = open_timeline(path, "fifo", false, &s);
    CU_ASSERT_PTR_NOT_NULL(tl);
    if (tl) {
        run_op_beside_stepper(path, tl, 1, &t);
        timeline_destroy(tl);
        scenario_free(s);
    }
    CU_ASSERT_EQUAL(t.mismatches, 0);
    CU_ASSERT(t.ops >= 6);
    remove(path);
    rmdir(dir);
}

/* A seeded trace of `count` accesses for pid over `pages` pages (one in
 * eight anywhere, the rest among the first 40), reads, writes and
 * fetches mixed. */
static bool write_seeded_trace(const char *path, uint64_t seed, uint32_t count, uint32_t pages)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return false;
    uint64_t rng = seed;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t page = rng_below(&rng, 8) == 0 ? rng_below(&rng, pages) : rng_below(&rng, 40);
        static const char kinds[] = "RRRWWX";
        fprintf(fp, "%c 0x%llx\n", kinds[rng_below(&rng, 6)],
                (unsigned long long)(0x10000000 + page * 4096 + rng_below(&rng, 4096)));
    }
    return fclose(fp) == 0;
}

/* Long random traces under every policy, each op run both ways: three
 * seeds on one process (evictions, swap, dirty pages, TLB misses all the
 * way), a parent and its forked child taking turns over a shared heap
 * (copy-on-write under memory pressure), and one process on a three-level
 * RISC-V machine whose TLB replaces at random (the walks and the fills
 * after each fault's restart draw from the machine's generator). */
static void test_run_op_random(void)
{
    char dir[] = "/tmp/vmviz-fused-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char trace[3][64], yaml[64];
    for (int i = 0; i < 3; i++)
        snprintf(trace[i], sizeof trace[i], "%s/t%d.rw", dir, i);
    snprintf(yaml, sizeof yaml, "%s/r.yaml", dir);
    static const uint64_t seeds[] = {7, 2025, 0xfeed};
    static const unsigned frames[] = {48, 24, 40};
    struct fused_tally t = {0};
    for (int k = 0; k < 5; k++) {
        bool fork = k == 3, riscv = k == 4;
        for (int i = 0; i < 3; i++)
            CU_ASSERT_FATAL(write_seeded_trace(trace[i], seeds[i] + (uint64_t)k * 131,
                                               fork ? 8000 : 20000, fork ? 120 : 300));
        FILE *fp = fopen(yaml, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
        fprintf(fp,
                "title: fused\n"
                "machine: {preset: %s, frames: %u, table_frames: 16, swap: 1024,\n"
                "          tlb: {entries: 16, ways: 4%s}}\n"
                "processes:\n"
                "  - name: parent\n"
                "    pid: 1\n"
                "    areas:\n"
                "      - {name: heap, start: 0x10000000, size: 2MiB, prot: rwx}\n"
                "steps:\n",
                riscv ? "riscv-sv39" : "x86_64", fork ? 64 : frames[k % 3],
                riscv ? ", replacement: random" : "");
        if (fork)
            fprintf(fp,
                    "  - trace: {file: %s, format: rw}\n"
                    "  - fork: {child: 2, name: child}\n"
                    "  - trace: {file: %s, format: rw, pid: 2}\n"
                    "  - trace: {file: %s, format: rw, pid: 1}\n",
                    trace[0], trace[1], trace[2]);
        else
            fprintf(fp, "  - trace: {file: %s, format: rw}\n", trace[k % 3]);
        CU_ASSERT_FATAL(fclose(fp) == 0);
        for (int p = 0; p < POLICY_COUNT; p++) {
            struct scenario *s;
            struct timeline *tl = open_timeline(yaml, policy_name((enum policy_kind)p), false, &s);
            CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
            const struct machine *m = timeline_machine(tl);
            char label[64];
            snprintf(label, sizeof label, "random %d %s", k, policy_name((enum policy_kind)p));
            run_op_beside_stepper(label, tl, FUSED_DIGEST_EVERY, &t);
            CU_ASSERT(m->counters.evictions > 1000);
            CU_ASSERT(m->counters.swap_ins > 500);
            if (fork)
                CU_ASSERT(m->counters.cow_copies > 10);
            timeline_destroy(tl);
            scenario_free(s);
        }
    }
    CU_ASSERT_EQUAL(t.mismatches, 0);
    CU_ASSERT(t.fast_ops > 0 && t.fast_ops < t.ops);
    for (int i = 0; i < 3; i++)
        remove(trace[i]);
    remove(yaml);
    rmdir(dir);
}

/* What a headless run's watch was shown: the events and their kinds. */
struct watch_log {
    uint64_t events, failed_expects, oom_kills;
    uint64_t last_position;
};

static bool log_watch(void *ctx, const struct tl_event *e)
{
    struct watch_log *w = ctx;
    w->events++;
    w->failed_expects += e->kind == TL_EXPECT && e->failed;
    w->oom_kills += e->kind == TL_MACHINE && e->ev.kind == EV_OOM_KILL;
    w->last_position = e->position;
    return true;
}

/* True while some process is alive. */
static bool any_alive(const struct machine *m)
{
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].alive)
            return true;
    return false;
}

/* timeline_run_headless on a headless timeline (a trace's accesses read
 * in runs) against timeline_next for every library scenario under every
 * policy, and the corpus (a scenario whose OOM killer ends the last
 * process, a failed expectation): the same end, position, failures,
 * counters and machine, and the watch shown the same events. */
static void test_headless_matches_stepper(void)
{
    static char paths[300][300];
    size_t n = library(paths, 256);
    const char *extra[] = {"corpus/oom-last-process.yaml", "corpus/frames-decimal.yaml"};
    for (size_t i = 0; i < 2; i++)
        snprintf(paths[n++], sizeof paths[0], "%s", extra[i]);
    uint64_t failed = 0, kills = 0;
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < POLICY_COUNT; p++) {
            const char *policy = policy_name((enum policy_kind)p);
            struct scenario *s1, *s2;
            struct timeline *a = open_timeline(paths[i], policy, false, &s1);
            struct timeline *b = open_timeline(paths[i], policy, true, &s2);
            CU_ASSERT_PTR_NOT_NULL_FATAL(a);
            CU_ASSERT_PTR_NOT_NULL_FATAL(b);
            struct watch_log stepped = {0}, headless = {0};
            const struct tl_event *e;
            uint64_t steps = timeline_machine(a)->steps;
            while ((e = timeline_next(a)) != NULL) {
                /* Not a micro-step of the machine (no step taken), or the
                 * kill of the last process. */
                const struct machine *m = timeline_machine(a);
                if (e->kind != TL_MACHINE || m->steps == steps ||
                    (e->ev.kind == EV_OOM_KILL && !any_alive(m)))
                    log_watch(&stepped, e);
                steps = m->steps;
            }
            CU_ASSERT_TRUE(timeline_run_headless(b, log_watch, &headless));
            const struct machine *ma = timeline_machine(a), *mb = timeline_machine(b);
            bool same = timeline_position(a) == timeline_position(b) &&
                        timeline_at_end(a) && timeline_at_end(b) &&
                        timeline_failures(a) == timeline_failures(b) &&
                        machine_digest(ma) == machine_digest(mb) &&
                        memcmp(&ma->counters, &mb->counters, sizeof ma->counters) == 0 &&
                        memcmp(&stepped, &headless, sizeof stepped) == 0 &&
                        (timeline_error(a) == NULL) == (timeline_error(b) == NULL);
            if (!same)
                fprintf(stderr, "%s %s: headless run differs: %llu/%llu events, %llu/%llu "
                        "failed, %llu/%llu kills, last at %llu/%llu, position %llu/%llu\n",
                        paths[i], policy, (unsigned long long)stepped.events,
                        (unsigned long long)headless.events,
                        (unsigned long long)stepped.failed_expects,
                        (unsigned long long)headless.failed_expects,
                        (unsigned long long)stepped.oom_kills,
                        (unsigned long long)headless.oom_kills,
                        (unsigned long long)stepped.last_position,
                        (unsigned long long)headless.last_position,
                        (unsigned long long)timeline_position(a),
                        (unsigned long long)timeline_position(b));
            CU_ASSERT_TRUE(same);
            failed += headless.failed_expects;
            kills += headless.oom_kills;
            timeline_destroy(a);
            timeline_destroy(b);
            scenario_free(s1);
            scenario_free(s2);
        }
    /* The corpus scenarios did fail an expectation and end the last
     * process, so both were compared. */
    CU_ASSERT(failed > 0);
    CU_ASSERT(kills > 0);
}


/* Stops the run at the first event it is shown. */
static bool stop_watch(void *ctx, const struct tl_event *e)
{
    (void)e;
    (*(unsigned *)ctx)++;
    return false;
}

/* A headless run whose watch stops it in the middle of a run of a trace's
 * accesses (the OOM killer ends the only process, without swap, at its
 * 13th page) stops at the access that did it, as playing event by event
 * meets it, and goes on from there when run again: it ends where playing
 * event by event ends, having read every access once, with the same
 * machine and counters. */
static void test_headless_stopped_in_a_run(void)
{
    char dir[] = "/tmp/vmviz-stopped-XXXXXX", trace[64], yaml[64];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(trace, sizeof trace, "%s/t.rw", dir);
    snprintf(yaml, sizeof yaml, "%s/t.yaml", dir);
    FILE *fp = fopen(trace, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    for (unsigned i = 0; i < 2000; i++)
        fprintf(fp, "W 0x%x\n", 0x10000000 + (i * 7 % 100) * 4096);
    CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);
    fp = fopen(yaml, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fprintf(fp,
            "title: stopped\n"
            "machine: {preset: x86_64, frames: 12, table_frames: 4, swap: 0}\n"
            "processes:\n"
            "  - {name: only, pid: 1}\n"
            "steps:\n"
            "  - trace: {file: %s, format: rw, auto_areas: true}\n",
            trace);
    CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);
    struct scenario *s1, *s2;
    struct timeline *a = open_timeline(yaml, "fifo", false, &s1);
    struct timeline *b = open_timeline(yaml, "fifo", true, &s2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint64_t killed_at = 0;
    while (timeline_next(a) != NULL)
        if (killed_at == 0 && timeline_machine(a)->counters.oom_kills == 1)
            killed_at = timeline_access_index(a);
    unsigned stops = 0;
    CU_ASSERT_FALSE(timeline_run_headless(b, stop_watch, &stops));
    CU_ASSERT_EQUAL(stops, 1);
    /* Stopped at the kill, past the trace's first access (read alone). */
    CU_ASSERT_EQUAL(timeline_machine(b)->counters.oom_kills, 1);
    CU_ASSERT_EQUAL(killed_at, 13);
    CU_ASSERT_EQUAL(timeline_access_index(b), killed_at);
    struct watch_log rest = {0};
    CU_ASSERT_TRUE(timeline_run_headless(b, log_watch, &rest));
    const struct machine *ma = timeline_machine(a), *mb = timeline_machine(b);
    CU_ASSERT_EQUAL(timeline_access_index(a), 2000);
    CU_ASSERT_EQUAL(timeline_access_index(b), 2000);
    CU_ASSERT_EQUAL(timeline_position(a), timeline_position(b));
    CU_ASSERT_TRUE(timeline_at_end(b));
    CU_ASSERT_EQUAL(machine_digest(ma), machine_digest(mb));
    CU_ASSERT_EQUAL(memcmp(&ma->counters, &mb->counters, sizeof ma->counters), 0);
    timeline_destroy(a);
    timeline_destroy(b);
    scenario_free(s1);
    scenario_free(s2);
    remove(trace);
    remove(yaml);
    rmdir(dir);
}

/* Begins an access and steps it to the fault's PH_CLASSIFY; false when it
 * ends without faulting. */
static bool step_to_classify(struct machine *m, uint32_t pid, enum access_kind access,
                             uint64_t va)
{
    struct op op = {.kind = OP_ACCESS, .pid = pid, .access = access, .va = va,
                    .future_index = UINT64_MAX};
    struct event ev;
    if (!machine_begin(m, &op))
        return false;
    while (machine_next_phase(m) != PH_CLASSIFY)
        if (!machine_step(m, &ev))
            return false;
    return true;
}

/* Steps the operation in progress to its end. */
static void finish_op(struct machine *m)
{
    struct event ev;
    while (machine_step(m, &ev))
        continue;
}

/* At a fault's PH_CLASSIFY: vm_fast_fault on a copy of m, then the stepper
 * on m for as many micro-steps as it took; both must stand at the same
 * phase with the same digest. A declined fault must leave the copy as it
 * was. Returns the micro-steps vm_fast_fault took. */
static uint64_t fast_fault_beside_stepper(struct machine *m)
{
    struct machine *fast = machine_clone(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fast);
    uint64_t before = machine_digest(fast);
    fast->quiet = true;
    uint64_t n = vm_fast_fault(fast);
    fast->quiet = false;
    if (n == 0) {
        CU_ASSERT_EQUAL(machine_digest(fast), before);
        CU_ASSERT_EQUAL(machine_next_phase(fast), PH_CLASSIFY);
    }
    struct event ev;
    for (uint64_t i = 0; i < n; i++)
        machine_step(m, &ev);
    CU_ASSERT_EQUAL(machine_next_phase(m), machine_next_phase(fast));
    CU_ASSERT_EQUAL(machine_digest(m), machine_digest(fast));
    CU_ASSERT_EQUAL(m->steps, fast->steps);
    machine_destroy(fast);
    return n;
}

/* The common fault run whole (vm_fast_fault): each kind it takes ends as
 * the stepper ends it, micro-step for micro-step; each it declines is
 * left untouched for the stepper. Two frames, FIFO, an x86-64 machine
 * whose tables have frames of their own. */
static void test_fast_fault_cases(void)
{
    const uint64_t base = 0x10000000, page = 4096;
    struct machine *m = test_machine("x86_64", 2, 8, 8, POLICY_fifo);
    test_process(m, 1, base, 4 << 20);
    /* The first fault builds the tables: declined, the stepper's. */
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_WRITE, base));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 0);
    finish_op(m);
    /* A zero fill into a free frame: classify, the frame, the fill, the
     * entry. */
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_WRITE, base + page));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 4);
    CU_ASSERT_EQUAL(machine_next_phase(m), PH_RETURN);
    finish_op(m);
    /* No frame free: the first page, dirty and in the TLB, is evicted to
     * swap (victim, unmap, shootdown, swap-out, the frame), then filled. */
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_WRITE, base + 2 * page));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 8);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 1);
    finish_op(m);
    /* The first page read back from swap, another evicted for it: a
     * major fault. */
    uint64_t major = m->counters.major_faults;
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_READ, base));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 8);
    CU_ASSERT_EQUAL(m->counters.major_faults, major + 1);
    CU_ASSERT_EQUAL(m->counters.swap_ins, 1);
    finish_op(m);
    /* A read of a page never touched maps the zero page: declined. */
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_READ, base + 5 * page));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 0);
    finish_op(m);
    /* Past the first 2 MiB the leaf table is missing: declined. */
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_WRITE, base + (3 << 20)));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 0);
    finish_op(m);
    test_verify(m);
    machine_destroy(m);

    /* No swap: nothing can be evicted, and the OOM killer ends the only
     * process in the frame's step; the copy stops where the stepper does. */
    m = test_machine("x86_64", 2, 8, 0, POLICY_fifo);
    test_process(m, 1, base, 1 << 20);
    for (uint64_t i = 0; i < 2; i++)
        test_run_access(m, 1, ACCESS_WRITE, base + i * page);
    CU_ASSERT_FATAL(step_to_classify(m, 1, ACCESS_WRITE, base + 2 * page));
    CU_ASSERT_EQUAL(fast_fault_beside_stepper(m), 2);
    CU_ASSERT_EQUAL(machine_next_phase(m), PH_IDLE);
    CU_ASSERT_EQUAL(m->counters.oom_kills, 1);
    machine_destroy(m);
}

void suite_digests_register(void)
{
    CU_pSuite s = CU_add_suite("digests", NULL, NULL);
    CU_add_test(s, "every library scenario and a random trace end as recorded",
                test_digests_unchanged);
    CU_add_test(s, "machine_run_op matches the stepper op by op in every library scenario",
                test_run_op_library);
    CU_add_test(s, "machine_run_op matches the stepper along long random traces, fork included",
                test_run_op_random);
    CU_add_test(s, "machine_run_op walks tables made anew after a process ends",
                test_run_op_tables_remade);
    CU_add_test(s, "a headless run ends where playing event by event ends",
                test_headless_matches_stepper);
    CU_add_test(s, "a headless run stopped inside a run of accesses goes on from there",
                test_headless_stopped_in_a_run);
    CU_add_test(s, "the common fault run whole ends as the stepper ends it",
                test_fast_fault_cases);
}
