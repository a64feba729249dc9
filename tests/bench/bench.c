/* Speed figures for `make bench`: not a test, nothing passes or fails.
 *
 *   1. A 1,000,000-access `rw` trace (generated at run time in $TMPDIR or
 *      /tmp with a seeded mix of localities over 2000 pages, removed at the
 *      end) on 256 frames and 4096 swap slots,
 *      run with timeline_run_fast under every replacement policy:
 *      accesses per second.
 *   2. The same trace played event by event with timeline_next under clock,
 *      then single steps back: at the end, and at 50 random positions
 *      (timeline_seek(p - 1) once positioned at p); median and maximum.
 *   3. The snapshots the timeline holds and their bytes; the first step
 *      back after a fast run to the end; the peak RSS.
 *   4. With -DBENCH_WITH_TUI: milliseconds per frame of the viewer, drawn
 *      headlessly (see bench_tui below).
 *   5. vmviz compare's race on the same trace of fifo, lru and clock at
 *      255 and 256 frames (six runs of about the same length, so that
 *      the workers share the work evenly), as run --stats plays (whole
 *      operations at a time, timeline_run_headless): wall-clock seconds
 *      with one worker process and with one per online processor.
 *   6. A machine declaring the stated maxima (4194304 frames, as many
 *      table frames and swap slots) that touches 20,000 pages: the bytes
 *      it holds (machine_bytes) after it is built and after the run, and
 *      the time to build it and to play it headless.
 *   7. The yardstick (reference.c): a 1,000,000-write trace of random pages
 *      0..127 on 64 frames, 4 table frames and a 64-entry 4-way TLB. The
 *      reference simulator and `vmviz run --stats` must give the same
 *      counters; then the time of the whole vmviz process (parsing the
 *      scenario and the trace included) as a multiple of the reference's
 *      (reading the trace included), run in this process and run as a
 *      program of its own (reference_main.c, started as vmviz is), for
 *      fifo, lru and clock on the whole trace and for opt on its first
 *      100,000 writes.
 *   8. (Run right after 7.) A 10,000,000-line Valgrind lackey trace (in the same
 *      directory, removed at the end): the whole `vmviz run --stats`
 *      process on it, wall-clock seconds and peak RSS, then the trace
 *      readers alone (trace_count) in lines and megabytes per second.
 *   9. The viewer's moves on a 10,000,000-access trace of the same mix as
 *      1 (clock): the first frame (clock and opt), End from the start, and
 *      at 30 random positions one step back, one access back, one
 *      operation back, run to the next fault and to the next eviction
 *      (median and maximum); the snapshots then held against the budget;
 *      and on a fresh timeline one step forward by an operation across
 *      the whole trace (it is one operation).
 *
 * Run from the top of the source tree: ./build/release/bench */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reference.h"
#include "play/compare.h"
#include "play/timeline.h"
#include "util/diag.h"
#include "scenario/scenario.h"
#include "scenario/trace.h"
#include "vm/machine.h"

#define BENCH_ACCESSES 1000000u
#define BENCH_PAGES    2000u
#define BENCH_BASE     REF_BASE
/* The reference as a program (the Makefile says where it builds it). */
#ifndef BENCH_REFERENCE
#define BENCH_REFERENCE "build/release/reference"
#endif
#define BENCH_SEED     UINT64_C(0x9e3779b97f4a7c15)
#define BENCH_BACKS    50

static const char *const policies[] = {"fifo", "lru", "clock", "opt", "random", "nru", "linux"};
#define NPOLICIES (sizeof policies / sizeof policies[0])

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

static uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Opens path for writing, saying why on stderr when it cannot. */
static FILE *open_output(const char *path)
{
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
    return fp;
}

/* Closes what open_output opened; false, said on stderr, when the data
 * could not all be written. */
static bool close_output(FILE *fp, const char *path)
{
    if (fclose(fp) == 0)
        return true;
    fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
    return false;
}

/* Writes a trace of n accesses: phases of 50,000 accesses, each with its
 * own hot set of 48 pages (70% of the accesses), a sequential scan over all
 * pages (20%) and uniform noise (10%); 30% of the accesses are writes. */
static bool write_mix_trace(const char *path, uint32_t n)
{
    FILE *fp = open_output(path);
    if (fp == NULL)
        return false;
    uint64_t rng = BENCH_SEED;
    uint64_t hot_base = 0, scan = 0;
    fputs("# vmviz bench: a seeded mix of localities\n", fp);
    for (uint32_t i = 0; i < n; i++) {
        if (i % 50000 == 0)
            hot_base = rng_next(&rng) % BENCH_PAGES;
        uint64_t r = rng_next(&rng) % 100, page;
        if (r < 70)
            page = (hot_base + rng_next(&rng) % 48) % BENCH_PAGES;
        else if (r < 90)
            page = scan++ % BENCH_PAGES;
        else
            page = rng_next(&rng) % BENCH_PAGES;
        uint64_t offset = (rng_next(&rng) % 512) * 8;
        char kind = rng_next(&rng) % 100 < 30 ? 'W' : 'R';
        fprintf(fp, "%c 0x%llx\n", kind,
                (unsigned long long)(BENCH_BASE + page * 4096 + offset));
    }
    return close_output(fp, path);
}

/* The million-access trace. */
static bool write_trace(const char *path)
{
    return write_mix_trace(path, BENCH_ACCESSES);
}

/* A scenario of one process playing the trace at `trace`, of the format
 * named, on an x86_64 machine described by `machine` (its lines below
 * "machine:"). */
static bool write_trace_scenario(const char *path, const char *trace, const char *format,
                                 const char *title, const char *machine)
{
    FILE *fp = open_output(path);
    if (fp == NULL)
        return false;
    fprintf(fp,
            "title: %s\n"
            "machine:\n"
            "  preset: x86_64\n"
            "%s"
            "processes:\n"
            "  - {name: bench, pid: 1}\n"
            "steps:\n"
            "  - chapter: the trace\n"
            "  - trace: {file: %s, format: %s, auto_areas: true}\n",
            title, machine, trace, format);
    return close_output(fp, path);
}

/* The same for an `rw` trace. */
static bool write_scenario(const char *path, const char *trace, const char *title,
                           const char *machine)
{
    return write_trace_scenario(path, trace, "rw", title, machine);
}

/* The machine of the million-access trace. */
static const char bench_machine[] = "  frames: 256\n"
                                    "  swap: 4096\n"
                                    "  tlb: {entries: 64, ways: 4}\n"
                                    "  policy: clock\n"
                                    "  seed: 1\n";

static struct timeline *open_timeline(const struct scenario *s, const char *policy)
{
    struct timeline_overrides o;
    struct diag err;
    timeline_overrides_init(&o);
    o.policy = policy;
    struct timeline *tl = timeline_create(s, &o, &err);
    if (tl == NULL)
        diag_print(stderr, &err);
    return tl;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void fast_runs(const struct scenario *s)
{
    printf("Fast runs (timeline_run_fast): %u accesses, %u pages, 256 frames, 4096 swap slots\n\n",
           BENCH_ACCESSES, BENCH_PAGES);
    printf("  %-7s %10s %10s %14s %9s %10s %9s\n", "policy", "setup ms", "run ms",
           "accesses/s", "faults", "evictions", "swap-ins");
    for (size_t i = 0; i < NPOLICIES; i++) {
        double t0 = now_s();
        struct timeline *tl = open_timeline(s, policies[i]);
        if (tl == NULL)
            continue;
        double t1 = now_s();
        timeline_run_fast(tl);
        double t2 = now_s();
        const struct counters *c = &timeline_machine(tl)->counters;
        printf("  %-7s %10.1f %10.1f %14.0f %9llu %10llu %9llu\n", policies[i],
               (t1 - t0) * 1e3, (t2 - t1) * 1e3, (double)c->accesses / (t2 - t1),
               (unsigned long long)c->faults, (unsigned long long)c->evictions,
               (unsigned long long)c->swap_ins);
        timeline_destroy(tl);
    }
    printf("\n  setup: building the machine; opt learns the future at its first move, in the "
           "run.\n\n");
}

/* The race: three policies of about the same speed, two frame counts. */
#define RACE_POLICIES {POLICY_fifo, POLICY_lru, POLICY_clock}
#define RACE_FRAMES_MIN 255
#define RACE_FRAMES_MAX 256
#define RACE_RUNS (3 * (RACE_FRAMES_MAX - RACE_FRAMES_MIN + 1))

/* Seconds of wall-clock time compare_run takes to run the race on s with
 * workers worker processes (0: one per online processor); a negative
 * value when it failed. */
static double race_seconds(const struct scenario *s, unsigned workers)
{
    struct compare_plan plan = {.policies = RACE_POLICIES, .npolicies = 3,
                                .frames_min = RACE_FRAMES_MIN, .frames_max = RACE_FRAMES_MAX,
                                .workers = workers};
    timeline_overrides_init(&plan.base);
    struct compare_row rows[RACE_RUNS];
    size_t n;
    struct diag err;
    double t0 = now_s();
    bool ok = compare_run(s, &plan, rows, &n, &err);
    double t1 = now_s();
    if (!ok)
        diag_print(stderr, &err);
    return ok ? t1 - t0 : -1;
}

static void race(const struct scenario *s)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    double one = race_seconds(s, 1), all = race_seconds(s, 0);
    if (one < 0 || all < 0)
        return;
    printf("vmviz compare: fifo, lru and clock at %d..%d frames on the trace (%d runs, "
           "headless)\n\n", RACE_FRAMES_MIN, RACE_FRAMES_MAX, RACE_RUNS);
    printf("  1 worker process:   %6.2f s\n", one);
    printf("  %ld (one per CPU):   %6.2f s, %.1f times as fast\n\n", online, all, one / all);
}

static void stepping(const struct scenario *s)
{
    struct timeline *tl = open_timeline(s, "clock");
    if (tl == NULL)
        return;
    double t0 = now_s();
    uint64_t events = 0;
    while (timeline_next(tl) != NULL)
        events++;
    double t1 = now_s();
    uint64_t end = timeline_position(tl);
    printf("Event by event (timeline_next, clock): %llu events in %.2f s, %.0f events/s\n\n",
           (unsigned long long)events, t1 - t0, (double)events / (t1 - t0));

    double at_end = now_s();
    timeline_step(tl, TL_UNIT_EVENT, -1);
    at_end = now_s() - at_end;

    double times[BENCH_BACKS];
    uint64_t rng = BENCH_SEED ^ 0x5eed;
    for (int i = 0; i < BENCH_BACKS; i++) {
        uint64_t p = 1 + rng_next(&rng) % end;
        timeline_seek(tl, p);
        double b0 = now_s();
        timeline_seek(tl, p - 1);
        times[i] = now_s() - b0;
    }
    qsort(times, BENCH_BACKS, sizeof times[0], compare_double);
    printf("  one step back at the end:           %9.3f ms\n", at_end * 1e3);
    printf("  one step back, %d random positions: median %.3f ms, max %.3f ms\n", BENCH_BACKS,
           (times[BENCH_BACKS / 2 - 1] + times[BENCH_BACKS / 2]) * 0.5e3,
           times[BENCH_BACKS - 1] * 1e3);
    size_t n = timeline_snapshot_count(tl), bytes = timeline_snapshot_bytes(tl);
    printf("  snapshots: %zu, %.1f KiB of the %zu MiB budget (%.1f KiB each)\n\n", n,
           (double)bytes / 1024, TIMELINE_SNAPSHOT_BUDGET >> 20,
           n ? (double)bytes / 1024 / (double)n : 0);
    timeline_destroy(tl);

    /* A fast run takes snapshots as playing does, so the first step back
     * replays only from the newest one. */
    tl = open_timeline(s, "clock");
    if (tl == NULL)
        return;
    timeline_run_fast(tl);
    double f0 = now_s();
    timeline_step(tl, TL_UNIT_EVENT, -1);
    double f1 = now_s();
    timeline_step(tl, TL_UNIT_EVENT, -1);
    double f2 = now_s();
    printf("After timeline_run_fast to the end (clock):\n\n");
    printf("  first step back:  %9.3f ms (snapshots then: %zu)\n", (f1 - f0) * 1e3,
           timeline_snapshot_count(tl));
    printf("  second step back: %9.3f ms\n\n", (f2 - f1) * 1e3);
    timeline_destroy(tl);
}

/* The viewer's moves on a long trace: LONG_ACCESSES accesses of the same
 * mix (write_mix_trace). */
#define LONG_ACCESSES 10000000u
#define LONG_SAMPLES 30

/* Milliseconds from opening a timeline of s under policy to position 0
 * being drawable (what the viewer needs for its first frame: the machine
 * of position 0), and in *first_step_ms the first step forward then
 * (for opt, the step that learns the future). */
static double first_frame_ms(const struct scenario *s, const char *policy, double *first_step_ms)
{
    double t0 = now_s();
    struct timeline *tl = open_timeline(s, policy);
    if (tl == NULL)
        return -1;
    bool drawable = timeline_machine(tl) != NULL;
    double t1 = now_s();
    timeline_step(tl, TL_UNIT_EVENT, +1);
    *first_step_ms = (now_s() - t1) * 1e3;
    timeline_destroy(tl);
    return drawable ? (t1 - t0) * 1e3 : -1;
}

/* Median and maximum of n times in seconds, printed in milliseconds. */
static void print_times(const char *what, double *times, int n)
{
    qsort(times, (size_t)n, sizeof times[0], compare_double);
    printf("  %-34s median %8.3f ms, max %8.3f ms\n", what,
           (times[n / 2 - 1] + times[n / 2]) * 0.5e3, times[n - 1] * 1e3);
}

/* One move timed at LONG_SAMPLES random positions of tl (0..end): seeks
 * there untimed, then times move(tl). */
static void time_moves(struct timeline *tl, uint64_t end, const char *what, uint64_t seed,
                       bool (*move)(struct timeline *))
{
    double times[LONG_SAMPLES];
    uint64_t rng = BENCH_SEED ^ seed;
    for (int i = 0; i < LONG_SAMPLES; i++) {
        uint64_t p = 1 + rng_next(&rng) % end;
        timeline_seek(tl, p);
        double t0 = now_s();
        move(tl);
        times[i] = now_s() - t0;
    }
    print_times(what, times, LONG_SAMPLES);
}

static bool event_back(struct timeline *tl)
{
    return timeline_seek(tl, timeline_position(tl) - 1);
}

static bool access_back(struct timeline *tl)
{
    return timeline_step(tl, TL_UNIT_ACCESS, -1);
}

static bool op_back(struct timeline *tl)
{
    return timeline_step(tl, TL_UNIT_OP, -1);
}

static bool to_fault(struct timeline *tl)
{
    return timeline_run_until(tl, TL_STOP_FAULT);
}

static bool to_eviction(struct timeline *tl)
{
    return timeline_run_until(tl, TL_STOP_EVICTION);
}

/* The viewer's timeline always has a stop hook (it reads the keys while a
 * move runs), and a move with a hook may take other paths: the moves
 * timed here carry one that never says stop. */
static bool never_stop(void *ctx, const struct tl_progress *progress)
{
    (void)ctx;
    (void)progress;
    return false;
}

static void long_trace_moves(const char *dir)
{
    char trace[600], yaml[600];
    snprintf(trace, sizeof trace, "%s/long.rw", dir);
    snprintf(yaml, sizeof yaml, "%s/long.yaml", dir);
    if (!write_mix_trace(trace, LONG_ACCESSES) ||
        !write_scenario(yaml, trace, "long", bench_machine)) {
        remove(trace);
        return;
    }
    struct diag err;
    struct scenario *s = scenario_load(yaml, &err);
    if (s == NULL) {
        diag_print(stderr, &err);
        remove(trace);
        remove(yaml);
        return;
    }
    printf("The viewer on a %u-access trace (clock, 256 frames, its moves with a stop hook\n"
           "as the viewer's):\n\n", LONG_ACCESSES);
    double clock_step, opt_step;
    double clock_frame = first_frame_ms(s, "clock", &clock_step);
    double opt_frame = first_frame_ms(s, "opt", &opt_step);
    printf("  first frame (timeline made, position 0 drawable): clock %.1f ms, opt %.1f ms\n",
           clock_frame, opt_frame);
    printf("  the first step then: clock %.1f ms, opt %.0f ms (learning the future)\n",
           clock_step, opt_step);
    struct timeline *tl = open_timeline(s, "clock");
    if (tl != NULL) {
        timeline_set_poll(tl, never_stop, NULL);
        double t0 = now_s();
        timeline_seek(tl, UINT64_MAX);
        double t1 = now_s();
        uint64_t end = timeline_position(tl);
        printf("  End from the start:                 %8.0f ms (%llu events)\n", (t1 - t0) * 1e3,
               (unsigned long long)end);
        timeline_seek(tl, 0);
        double t2 = now_s();
        timeline_seek(tl, UINT64_MAX);
        printf("  End again from the start:           %8.0f ms\n", (now_s() - t2) * 1e3);
        time_moves(tl, end, "one step back:", 1, event_back);
        time_moves(tl, end, "one access back:", 2, access_back);
        time_moves(tl, end, "one operation back:", 3, op_back);
        time_moves(tl, end, "run to the next fault:", 4, to_fault);
        time_moves(tl, end, "run to the next eviction:", 5, to_eviction);
        size_t n = timeline_snapshot_count(tl), bytes = timeline_snapshot_bytes(tl);
        printf("  snapshots: %zu, %.1f MiB of the %zu MiB budget\n", n,
               (double)bytes / (1024 * 1024), TIMELINE_SNAPSHOT_BUDGET >> 20);
        timeline_destroy(tl);
    }
    /* The trace is one operation: a step forward by an operation from
     * its start, on a fresh timeline, crosses all of it. */
    struct timeline *op = open_timeline(s, "clock");
    if (op != NULL)
        timeline_set_poll(op, never_stop, NULL);
    if (op != NULL && timeline_step(op, TL_UNIT_OP, +1)) {
        double t0 = now_s();
        timeline_step(op, TL_UNIT_OP, +1);
        printf("  one operation forward (the trace):  %8.0f ms (to event %llu)\n",
               (now_s() - t0) * 1e3, (unsigned long long)timeline_position(op));
    }
    timeline_destroy(op);
    printf("\n");
    scenario_free(s);
    remove(trace);
    remove(yaml);
}

/* The snapshots the viewer holds at the end of two library scenarios
 * played event by event (the README's table). */
static void library_snapshots(void)
{
    static const char *const library[] = {"scenarios/lazy-allocation.yaml",
                                          "scenarios/huge-pages.yaml"};
    printf("Library scenarios played to the end event by event (snapshots held)\n\n");
    printf("  %-32s %10s %10s %12s\n", "scenario", "events", "snapshots", "their MB");
    for (size_t i = 0; i < sizeof library / sizeof library[0]; i++) {
        struct diag err;
        struct scenario *s = scenario_load(library[i], &err);
        if (s == NULL) {
            diag_print(stderr, &err);
            continue;
        }
        struct timeline *tl = open_timeline(s, NULL);
        if (tl != NULL) {
            uint64_t events = 0;
            while (timeline_next(tl) != NULL)
                events++;
            printf("  %-32s %10llu %10zu %12.1f\n", library[i], (unsigned long long)events,
                   timeline_snapshot_count(tl), (double)timeline_snapshot_bytes(tl) / 1e6);
            timeline_destroy(tl);
        }
        scenario_free(s);
    }
    printf("\n");
}

#define MAXIMA_PAGES 20000u

/* The stated maxima, 20,000 pages written once each. */
static bool write_maxima(const char *path)
{
    FILE *fp = open_output(path);
    if (fp == NULL)
        return false;
    fprintf(fp,
            "title: the stated maxima, %u pages touched\n"
            "machine: {preset: x86_64, frames: %u, table_frames: %u, swap: %u}\n"
            "processes:\n"
            "  - name: p\n"
            "    pid: 1\n"
            "    areas: [{name: heap, start: 0x10000000, size: %u}]\n"
            "steps:\n"
            "  - fill: {start: heap, size: %u, access: write}\n",
            MAXIMA_PAGES, MACHINE_MAX_FRAMES, MACHINE_MAX_FRAMES, MACHINE_MAX_SWAP,
            MAXIMA_PAGES * 4096, MAXIMA_PAGES * 4096);
    return close_output(fp, path);
}

static void maxima(const char *path)
{
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    if (s == NULL) {
        diag_print(stderr, &err);
        return;
    }
    printf("The stated maxima (%u frames, %u table frames, %u swap slots), %u pages "
           "touched, headless\n\n", MACHINE_MAX_FRAMES, MACHINE_MAX_FRAMES, MACHINE_MAX_SWAP,
           MAXIMA_PAGES);
    printf("  %-7s %10s %12s %10s %12s\n", "policy", "build ms", "built KiB", "play ms",
           "played KiB");
    static const char *const shown[] = {"clock", "opt"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        struct timeline_overrides o;
        timeline_overrides_init(&o);
        o.policy = shown[i];
        struct timeline_options opts = {.headless = true};
        double t0 = now_s();
        struct timeline *tl = timeline_create_with(s, &o, &opts, &err);
        double t1 = now_s();
        if (tl == NULL) {
            diag_print(stderr, &err);
            break;
        }
        uint64_t built = machine_bytes(timeline_machine(tl));
        double t2 = now_s();
        timeline_run_fast(tl);
        double t3 = now_s();
        uint64_t played = machine_bytes(timeline_machine(tl));
        printf("  %-7s %10.1f %12.1f %10.1f %12.1f\n", shown[i], (t1 - t0) * 1e3,
               (double)built / 1024, (t3 - t2) * 1e3, (double)played / 1024);
        timeline_destroy(tl);
    }
    printf("\n  build: building the machine (opt learns the future at its first move, in "
           "the play);\n"
           "  KiB: machine_bytes, every block the machine holds, malloc's headers counted.\n\n");
    scenario_free(s);
}

/* The generated scenario, for bench_tui. */
static const char *bench_scenario;

#ifdef BENCH_WITH_TUI
#include "tui/tui.h"

/* Milliseconds per frame of the viewer, drawn headlessly at three sizes,
 * one step between frames, on the seed scenario and on the bench trace. */
static void bench_tui(void)
{
    static const int sizes[][2] = {{80, 24}, {120, 40}, {250, 70}};
    const char *paths[] = {"scenarios/lazy-allocation.yaml", bench_scenario};
    printf("Viewer (headless)\n\n");
    printf("  %-32s %8s %12s %16s\n", "scenario", "size", "ms/frame", "start to frame");
    for (size_t p = 0; p < 2; p++)
        for (size_t i = 0; i < 3; i++) {
            double ms = tui_bench_render(paths[p], sizes[i][0], sizes[i][1], 500);
            double first = tui_bench_render(paths[p], sizes[i][0], sizes[i][1], 0);
            char size[16];
            snprintf(size, sizeof size, "%dx%d", sizes[i][0], sizes[i][1]);
            printf("  %-32s %8s %12.3f %13.1f ms\n", p ? "bench trace" : paths[p], size, ms, first);
        }
    printf("\n  ms/frame: one frame drawn, one step between frames (500 frames);\n"
           "  start to frame: loading the scenario, building the timeline, first frame.\n\n");
}
#endif


#define YARD_ACCESSES 1000000u
#define YARD_OPT      100000u
#define YARD_RUNS     5

/* Random pages 0..127, every access a write (reads of pages never written
 * map the shared zero page and would leave the frames idle). */
static bool write_yard_trace(const char *path, uint32_t n)
{
    FILE *fp = open_output(path);
    if (fp == NULL)
        return false;
    uint64_t rng = BENCH_SEED ^ 0x7a5d;
    fputs("# vmviz bench: random pages for the yardstick\n", fp);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t page = rng_next(&rng) % REF_PAGES, offset = (rng_next(&rng) % 512) * 8;
        fprintf(fp, "W 0x%llx\n", (unsigned long long)(BENCH_BASE + page * 4096 + offset));
    }
    return close_output(fp, path);
}

/* The yardstick's machine: what reference.h describes. */
static bool write_yard_scenario(const char *path, const char *trace)
{
    char machine[128];
    snprintf(machine, sizeof machine,
             "  frames: %u\n"
             "  table_frames: 4\n"
             "  swap: 256\n"
             "  tlb: {entries: 64, ways: 4}\n",
             REF_FRAMES);
    return write_scenario(path, trace, "yardstick", machine);
}

/* Runs cmd, a program that prints counters as `vmviz run --stats` does
 * (vmviz, or the reference as a program), and reads those the reference
 * keeps into *c; the wall-clock seconds, or a negative value when it
 * failed. */
static double process_stats(const char *cmd, struct ref_counters *c)
{
    memset(c, 0, sizeof *c);
    double t0 = now_s();
    FILE *fp = popen(cmd, "r");
    if (fp == NULL)
        return -1;
    char name[64];
    unsigned long long v;
    while (fscanf(fp, "%63s %llu", name, &v) == 2) {
#define YARD_READ(field) if (strcmp(name, #field) == 0) c->field = v;
        REF_COUNTERS(YARD_READ)
#undef YARD_READ
    }
    int status = pclose(fp);
    double t1 = now_s();
    return status == 0 ? t1 - t0 : -1;
}

/* The names of the counters that differ, or "none". */
static void yard_differences(const struct ref_counters *a, const struct ref_counters *b,
                             char *out, size_t len)
{
    out[0] = '\0';
#define YARD_DIFF(field)                                                              \
    if (a->field != b->field)                                                         \
        snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? "," : "", #field);
    REF_COUNTERS(YARD_DIFF)
#undef YARD_DIFF
    if (!*out)
        snprintf(out, len, "none");
}

/* Returns false when a counter differs: the figures would compare
 * different work. */
static bool yardstick(const char *dir)
{
    static const char *const names[] = {"fifo", "lru", "clock", "opt"};
    static const enum ref_policy kinds[] = {REF_FIFO, REF_LRU, REF_CLOCK, REF_OPT};
    char trace[600], trace_opt[600], yaml[600], yaml_opt[600];
    snprintf(trace, sizeof trace, "%s/yard.rw", dir);
    snprintf(trace_opt, sizeof trace_opt, "%s/yard-opt.rw", dir);
    snprintf(yaml, sizeof yaml, "%s/yard.yaml", dir);
    snprintf(yaml_opt, sizeof yaml_opt, "%s/yard-opt.yaml", dir);
    bool ok = write_yard_trace(trace, YARD_ACCESSES) && write_yard_trace(trace_opt, YARD_OPT) &&
              write_yard_scenario(yaml, trace) && write_yard_scenario(yaml_opt, trace_opt);
    if (ok) {
        printf("The yardstick: random pages 0..%u written, %u frames, 4 table frames, "
               "64-entry 4-way TLB\n\n", REF_PAGES - 1, REF_FRAMES);
        printf("  %-6s %9s %12s %12s %11s %10s %10s %9s  %s\n", "policy", "accesses",
               "reference", "reference", "run --stats", "multiple", "multiple", "faults",
               "counters that differ");
        printf("  %-6s %9s %12s %12s %11s %10s %10s\n", "", "", "(in bench)", "(program)", "",
               "(in bench)", "(program)");
    }
    for (size_t i = 0; ok && i < 4; i++) {
        bool opt = kinds[i] == REF_OPT;
        const char *path = opt ? trace_opt : trace;
        struct ref_counters ref = {0}, prog = {0}, vm = {0};
        char ref_cmd[1024], vm_cmd[1024];
        snprintf(ref_cmd, sizeof ref_cmd, "./%s '%s' %s", BENCH_REFERENCE, path, names[i]);
        snprintf(vm_cmd, sizeof vm_cmd, "./vmviz run --stats --policy %s '%s'", names[i],
                 opt ? yaml_opt : yaml);
        /* They take turns, each keeping its best time, so that a shared
         * machine's slow spells fall on all alike. */
        double best = -1, pt = -1, vt = -1;
        for (int r = 0; r < YARD_RUNS && ok; r++) {
            uint32_t *pages;
            double t0 = now_s();
            size_t n = ref_read_trace(path, BENCH_BASE, &pages);
            ok = n > 0 && ref_run(pages, n, BENCH_BASE, kinds[i], &ref);
            double t = now_s() - t0;
            if (n > 0)
                free(pages);
            if (best < 0 || t < best)
                best = t;
            double p = ok ? process_stats(ref_cmd, &prog) : -1;
            double v = p >= 0 ? process_stats(vm_cmd, &vm) : -1;
            if (v < 0) {
                vt = -1;
                break;
            }
            if (pt < 0 || p < pt)
                pt = p;
            if (vt < 0 || v < vt)
                vt = v;
        }
        if (!ok || vt < 0) {
            fprintf(stderr, "bench: the yardstick could not run under %s\n", names[i]);
            ok = false;
            break;
        }
        char diff[256];
        yard_differences(&ref, &vm, diff, sizeof diff);
        if (strcmp(diff, "none") == 0)
            yard_differences(&ref, &prog, diff, sizeof diff);
        printf("  %-6s %9llu %9.1f ms %9.1f ms %8.0f ms %9.1fx %9.1fx %9llu  %s\n", names[i],
               (unsigned long long)ref.accesses, best * 1e3, pt * 1e3, vt * 1e3, vt / best,
               vt / pt, (unsigned long long)ref.faults, diff);
        ok = strcmp(diff, "none") == 0;
    }
    if (ok)
        printf("\n  reference (in bench): reading the trace and simulating it, in this\n"
               "  process; (program): the same as a whole process of its own\n"
               "  (%s), started as vmviz is; run --stats: the whole\n"
               "  vmviz process, the scenario and the trace parsed. Each the best of %d\n"
               "  runs, the three taking turns.\n\n",
               BENCH_REFERENCE, YARD_RUNS);
    remove(trace);
    remove(trace_opt);
    remove(yaml);
    remove(yaml_opt);
    return ok;
}

#define LACKEY_LINES 10000000u
#define LACKEY_TEXT  UINT64_C(0x108000)      /* the program's text: 64 KiB */
#define LACKEY_HEAP  UINT64_C(0x4a5a040)     /* its heap: 4 MiB */
#define LACKEY_STACK UINT64_C(0x1ffefff000)  /* its stack: 64 KiB */

/* Writes a trace shaped like lackey's output for a small C program: a
 * banner, then instruction fetches running through 64 KiB of text with a
 * jump now and then (about 55% of the lines; a fetch that runs over a
 * page's end touches two pages), and loads, stores and modifies of the
 * stack (half the data accesses) and of a 4 MiB heap, each aligned to its
 * size. */
static bool write_lackey_trace(const char *path, uint32_t lines)
{
    FILE *fp = open_output(path);
    if (fp == NULL)
        return false;
    uint64_t rng = BENCH_SEED ^ 0x1ac4e7;
    uint64_t pc = LACKEY_TEXT;
    fputs("==4242== Lackey, an example Valgrind tool\n"
          "==4242== Command: ./bench\n"
          "==4242== \n", fp);
    for (uint32_t i = 0; i < lines; i++) {
        uint64_t r = rng_next(&rng);
        if (r % 100 < 55) {
            unsigned len = 1 + (unsigned)(r >> 8) % 7;
            /* Mostly straight on, now and then a jump elsewhere in the text. */
            pc = (r >> 16) % 32 == 0 ? LACKEY_TEXT + (r >> 24) % 65536 : pc + len;
            if (pc + len > LACKEY_TEXT + 65536)
                pc = LACKEY_TEXT;
            fprintf(fp, "I  %08llx,%u\n", (unsigned long long)pc, len);
            continue;
        }
        unsigned size = 1u << ((r >> 8) % 4);
        uint64_t addr = (r >> 12) % 2 == 0
                            ? LACKEY_STACK + (rng_next(&rng) % 65536 & ~(uint64_t)(size - 1))
                            : LACKEY_HEAP + (rng_next(&rng) % (4u << 20) & ~(uint64_t)(size - 1));
        char op = r % 100 < 80 ? 'L' : r % 100 < 95 ? 'S' : 'M';
        fprintf(fp, " %c %08llx,%u\n", op, (unsigned long long)addr, size);
    }
    fputs("==4242== \n==4242== Counted 1 call to main()\n", fp);
    return close_output(fp, path);
}

/* A scenario of one process playing the lackey trace at `trace`. */
static bool write_lackey_scenario(const char *path, const char *trace)
{
    return write_trace_scenario(path, trace, "lackey", "lackey bench", "  frames: 4096\n");
}

/* Runs `vmviz run --stats yaml` as a child process, its output discarded:
 * the wall-clock seconds and the child's peak RSS in KiB, or a negative
 * time when it failed. */
static double vmviz_stats_child(const char *yaml, long *peak_kib)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execl("./vmviz", "vmviz", "run", "--stats", yaml, (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    double t = now_s() - t0;
    *peak_kib = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

/* The best of three runs of `vmviz run --stats yaml`: its seconds (negative
 * when it failed) and the largest peak RSS in KiB. */
static double best_stats_run(const char *yaml, long *peak)
{
    double best = -1;
    *peak = 0;
    for (int r = 0; r < 3; r++) {
        long kib;
        double t = vmviz_stats_child(yaml, &kib);
        if (t < 0) {
            fprintf(stderr, "bench: vmviz run --stats failed on %s\n", yaml);
            return -1;
        }
        if (best < 0 || t < best)
            best = t;
        if (kib > *peak)
            *peak = kib;
    }
    return best;
}

/* The lackey trace: the whole run --stats process on it and on its first
 * tenth (the same memory, if the trace is streamed), then the trace
 * readers alone. */
static void lackey_trace(const char *dir)
{
    char trace[600], yaml[600], small[600], small_yaml[600];
    snprintf(trace, sizeof trace, "%s/lackey.txt", dir);
    snprintf(yaml, sizeof yaml, "%s/lackey.yaml", dir);
    snprintf(small, sizeof small, "%s/lackey-tenth.txt", dir);
    snprintf(small_yaml, sizeof small_yaml, "%s/lackey-tenth.yaml", dir);
    if (write_lackey_trace(trace, LACKEY_LINES) && write_lackey_scenario(yaml, trace)
        && write_lackey_trace(small, LACKEY_LINES / 10)
        && write_lackey_scenario(small_yaml, small)) {
        struct stat st;
        double mib = stat(trace, &st) == 0 ? (double)st.st_size / (1 << 20) : 0;
        printf("A %u-line lackey trace (%.0f MiB), one process, auto areas, 4096 frames\n\n",
               LACKEY_LINES, mib);
        long peak, small_peak;
        double whole = best_stats_run(yaml, &peak);
        double tenth = best_stats_run(small_yaml, &small_peak);
        if (whole >= 0 && tenth >= 0) {
            printf("  run --stats, whole process:   %6.2f s, peak RSS %.1f MiB\n", whole,
                   (double)peak / 1024);
            printf("  the same on its first tenth:  %6.2f s, peak RSS %.1f MiB\n", tenth,
                   (double)small_peak / 1024);
        }
        struct trace_census census;
        struct diag err;
        double t0 = now_s();
        if (trace_count(trace, TRACE_LACKEY, 0, 4096, UINT64_MAX - 1, &census, &err) < 0) {
            diag_print(stderr, &err);
        } else {
            double t = now_s() - t0;
            printf("  parsing alone (trace_count):  %6.2f s, %.1f M lines/s, %.0f MiB/s, "
                   "%llu accesses\n", t, LACKEY_LINES / t / 1e6, mib / t,
                   (unsigned long long)census.count);
            if (whole > 0)
                printf("  parsing's share of the run:   %5.0f%% (the trace is read twice: "
                       "checked at load, then played)\n", 200 * t / whole);
        }
        printf("\n  run --stats: best of 3, loading and playing included.\n\n");
    }
    remove(trace);
    remove(yaml);
    remove(small);
    remove(small_yaml);
}

int main(void)
{
    const char *tmpdir = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/vmviz-bench-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "bench: cannot create a directory like %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char trace[sizeof dir + 16], yaml[sizeof dir + 16], big[sizeof dir + 16];
    snprintf(trace, sizeof trace, "%s/trace.rw", dir);
    snprintf(yaml, sizeof yaml, "%s/bench.yaml", dir);
    snprintf(big, sizeof big, "%s/maxima.yaml", dir);
    int status = 1;
    if (!yardstick(dir)) {
        rmdir(dir);
        return 1;
    }
    /* Before anything large is allocated here: a child's peak RSS counts
     * the memory it shared with this process until it ran vmviz. */
    lackey_trace(dir);
    double t0 = now_s();
    if (write_trace(trace) && write_scenario(yaml, trace, "bench", bench_machine)) {
        double t1 = now_s();
        struct diag err;
        bench_scenario = yaml;
        struct scenario *s = scenario_load(yaml, &err);
        double t2 = now_s();
        if (s == NULL) {
            diag_print(stderr, &err);
        } else {
            printf("vmviz bench\n\n");
            printf("  trace written in %.2f s, scenario loaded (trace checked) in %.2f s\n\n",
                   t1 - t0, t2 - t1);
            fast_runs(s);
            stepping(s);
            library_snapshots();
            long_trace_moves(dir);
            race(s);
#ifdef BENCH_WITH_TUI
            bench_tui();
#endif
            if (write_maxima(big))
                maxima(big);
            printf("Peak RSS: %.1f MiB\n", (double)peak_rss_kib() / 1024);
            scenario_free(s);
            status = 0;
        }
    }
    remove(trace);
    remove(yaml);
    remove(big);
    rmdir(dir);
    return status;
}
