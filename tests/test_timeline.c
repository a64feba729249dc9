/* Tests of src/play/timeline: a state reached by going back equals the state
 * reached going forward (random walks compared by machine digest), step
 * units and breakpoints, expectations, the fast path, command-line
 * overrides, the errors only the engine can give, the textbook
 * page-replacement figures, and trace steps; long moves abandoned by the
 * stop hook, headless timelines without snapshots, the snapshots' memory
 * budget, and the host refusing memory. Run from tests/ (the traces are in
 * data/play/). */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "play/narrate.h"
#include "play/program.h"
#include "play/setup.h"
#include "play/timeline.h"
#include "diag_helpers.h"
#include "util/diag.h"
#include "scenario/scenario.h"
#include "vm/machine.h"
/* Only for vm_host_failure, which stands in for the host refusing memory:
 * a test cannot make malloc fail at a chosen step. */
#include "vm/machine_internal.h"

void suite_timeline_register(void);

/* ---- helpers --------------------------------------------------------- */

static struct scenario *load(const char *name, const char *yaml)
{
    struct diag d;
    struct scenario *s = scenario_load_string(name, yaml, strlen(yaml), &d);
    if (s == NULL)
        fprintf(stderr, "\nscenario did not load: %s:%u:%u: %s\n", d.file, d.line, d.col,
                d.message);
    CU_ASSERT_PTR_NOT_NULL(s);
    return s;
}

/* A timeline for s with the given policy override (NULL: the scenario's). */
static struct timeline *open_policy(const struct scenario *s, const char *policy)
{
    struct timeline_overrides o;
    struct diag d;
    timeline_overrides_init(&o);
    o.policy = policy;
    struct timeline *tl = timeline_create(s, &o, &d);
    if (tl == NULL)
        fprintf(stderr, "\ntimeline_create failed: %s:%u:%u: %s\n", d.file, d.line, d.col,
                d.message);
    CU_ASSERT_PTR_NOT_NULL(tl);
    return tl;
}

/* A small seeded generator (xorshift64*), so every run walks the same way. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

static uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return n ? rng_next(state) % n : 0;
}

static const char *const all_policies[] = {"fifo", "lru", "clock", "opt", "random", "nru",
                                           "linux"};
#define NPOLICIES (sizeof all_policies / sizeof all_policies[0])

/* ---- recording a run ------------------------------------------------- */

/* What is true at one position, as playing forward found it. */
struct rec {
    uint64_t digest;
    uint64_t chapter_start;  /* a hash of the counters when the chapter began */
    uint64_t op_index;
    uint64_t failures;
    uint64_t access_seq;
    const char *chapter;
    bool has_digest;    /* digest was taken here (see record.stride) */
    uint8_t kind;       /* enum tl_kind of the event that led here */
    uint8_t ev_kind;    /* enum event_kind when kind is TL_MACHINE */
    bool ends_access, ends_op;
    uint64_t ev_hash;   /* logged_event_hash of the event that led here */
    uint64_t log_sum;   /* log_fingerprint of the log playing forward left here */
};

struct record {
    uint64_t stride;    /* digests at every stride-th position (and the end) */
    uint64_t end;       /* the last position */
    struct rec *at;     /* at[0..end] */
    struct counters final;
};

/* FNV-1a of the counters. */
static uint64_t counters_hash(const struct counters *c)
{
    const unsigned char *p = (const unsigned char *)c;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < sizeof *c; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* What one logged event contributes to log_fingerprint: its position, its
 * kind, and the machine event's kind, address, frame and victim. */
static uint64_t logged_event_hash(const struct tl_event *e)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    uint64_t parts[] = {e->position, (uint64_t)e->kind, e->access_seq, e->op_seq,
                        (uint64_t)e->ends_access << 1 | e->ends_op,
                        e->kind == TL_MACHINE ? (uint64_t)e->ev.kind : 0,
                        e->kind == TL_MACHINE ? e->ev.va : 0,
                        e->kind == TL_MACHINE ? e->ev.frame : 0,
                        e->kind == TL_MACHINE ? e->ev.victim : 0};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h = (h ^ parts[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* A fingerprint of the events the timeline's log holds now (all
 * TIMELINE_LOG_SIZE of them, newest first): the sum of their hashes and
 * their count, so that playing forward can keep it as a running sum. */
static uint64_t log_fingerprint(const struct timeline *tl)
{
    const struct tl_event *log[TIMELINE_LOG_SIZE];
    size_t n = timeline_log(tl, log, TIMELINE_LOG_SIZE);
    uint64_t sum = n;
    for (size_t i = 0; i < n; i++)
        sum += logged_event_hash(log[i]);
    return sum;
}

/* Plays tl (at position 0) to its end, recording every position (the
 * machine digest, which costs most, at every r->stride-th; 0 means 1). */
static bool record_forward(struct timeline *tl, struct record *r)
{
    size_t cap = 1024;
    if (r->stride == 0)
        r->stride = 1;
    r->at = malloc(cap * sizeof *r->at);
    r->end = 0;
    if (r->at == NULL)
        return false;
    memset(&r->at[0], 0, sizeof r->at[0]);
    r->at[0].digest = machine_digest(timeline_machine(tl));
    r->at[0].has_digest = true;
    r->at[0].chapter_start = counters_hash(timeline_chapter_start(tl));
    r->at[0].kind = 0xff;
    const struct tl_event *e;
    bool ok = timeline_position(tl) == 0 && timeline_current(tl) == NULL;
    while ((e = timeline_next(tl)) != NULL) {
        if (e->position != r->end + 1 || timeline_position(tl) != e->position)
            ok = false;
        if (r->end + 1 >= cap) {
            cap *= 2;
            struct rec *more = realloc(r->at, cap * sizeof *more);
            if (more == NULL)
                return false;
            r->at = more;
        }
        struct rec *x = &r->at[++r->end];
        x->has_digest = r->end % r->stride == 0;
        x->digest = x->has_digest ? machine_digest(timeline_machine(tl)) : 0;
        x->chapter_start = counters_hash(timeline_chapter_start(tl));
        x->op_index = timeline_op_index(tl);
        x->failures = timeline_failures(tl);
        x->access_seq = e->access_seq;
        x->chapter = timeline_chapter(tl);
        x->kind = (uint8_t)e->kind;
        x->ev_kind = (uint8_t)(e->kind == TL_MACHINE ? e->ev.kind : EV_COUNT);
        x->ends_access = e->ends_access;
        x->ends_op = e->ends_op;
        /* The log slides: the event just played comes in, the one
         * TIMELINE_LOG_SIZE before it goes out. */
        x->ev_hash = logged_event_hash(e);
        x->log_sum = r->at[r->end - 1].log_sum + x->ev_hash;
        if (r->end > TIMELINE_LOG_SIZE)
            x->log_sum -= r->at[r->end - TIMELINE_LOG_SIZE].ev_hash;
        else
            x->log_sum += 1;
        if (x->log_sum != log_fingerprint(tl))
            ok = false;
        if (timeline_current(tl) != e)
            ok = false;
    }
    r->final = timeline_machine(tl)->counters;
    r->at[r->end].digest = machine_digest(timeline_machine(tl));
    r->at[r->end].has_digest = true;
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_TRUE(timeline_at_end(tl));
    CU_ASSERT_EQUAL(timeline_position(tl), r->end);
    return true;
}

static bool is_boundary(const struct rec *x, enum tl_unit unit)
{
    switch (unit) {
    case TL_UNIT_EVENT: return true;
    case TL_UNIT_ACCESS: return x->ends_access;
    case TL_UNIT_OP: return x->ends_op;
    case TL_UNIT_CHAPTER: return x->kind == TL_CHAPTER;
    }
    return true;
}

/* Where timeline_step(unit, +1) must land from pos: the first boundary
 * after it, else the end. */
static uint64_t next_boundary(const struct record *r, uint64_t pos, enum tl_unit unit)
{
    for (uint64_t p = pos + 1; p <= r->end; p++)
        if (is_boundary(&r->at[p], unit))
            return p;
    return r->end;
}

/* Where timeline_step(unit, -1) must land from pos: the last boundary
 * before it, else 0. */
static uint64_t prev_boundary(const struct record *r, uint64_t pos, enum tl_unit unit)
{
    for (uint64_t p = pos; p-- > 1;)
        if (is_boundary(&r->at[p], unit))
            return p;
    return 0;
}

/* True when everything the timeline shows at its position is what playing
 * forward showed there. Prints the first difference. */
static bool same_as_recorded(const struct timeline *tl, const struct record *r, const char *what)
{
    uint64_t p = timeline_position(tl);
    if (p > r->end) {
        fprintf(stderr, "\n%s: position %llu is beyond the end %llu\n", what,
                (unsigned long long)p, (unsigned long long)r->end);
        return false;
    }
    const struct rec *x = &r->at[p];
    const char *bad = NULL;
    if (x->has_digest && machine_digest(timeline_machine(tl)) != x->digest)
        bad = "machine digest";
    else if (timeline_op_index(tl) != x->op_index)
        bad = "operation index";
    else if (timeline_failures(tl) != x->failures)
        bad = "failures";
    else if (timeline_chapter(tl) != x->chapter)
        bad = "chapter";
    else if (counters_hash(timeline_chapter_start(tl)) != x->chapter_start)
        bad = "chapter start counters";
    else if (p > 0) {
        const struct tl_event *e = timeline_current(tl);
        if (e == NULL || e->position != p)
            bad = "current event";
        else if (e->kind != x->kind ||
                 (e->kind == TL_MACHINE && e->ev.kind != (enum event_kind)x->ev_kind))
            bad = "current event kind";
        else if (e->ends_access != x->ends_access || e->ends_op != x->ends_op ||
                 e->access_seq != x->access_seq)
            bad = "current event flags";
    } else if (timeline_current(tl) != NULL) {
        bad = "current event at 0";
    }
    if (!bad && log_fingerprint(tl) != x->log_sum)
        bad = "log";
    if (bad)
        fprintf(stderr, "\n%s: %s differs at position %llu\n", what, bad, (unsigned long long)p);
    return bad == NULL;
}

/* Makes `moves` random moves on tl (whose end the record knows) and checks
 * each landing position and the state there. Returns the mismatches. */
static unsigned random_walk(struct timeline *tl, const struct record *r, uint64_t seed,
                            unsigned moves, const char *what)
{
    static const enum tl_unit units[] = {TL_UNIT_EVENT, TL_UNIT_ACCESS, TL_UNIT_OP,
                                         TL_UNIT_CHAPTER};
    uint64_t state = seed | 1;
    unsigned bad = 0;
    for (unsigned i = 0; i < moves && bad < 5; i++) {
        uint64_t pos = timeline_position(tl);
        uint64_t want;
        unsigned kind = (unsigned)rng_below(&state, 8);
        if (kind < 2) {
            /* A jump anywhere, sometimes past the end (clamped). */
            uint64_t to = rng_below(&state, r->end + 8);
            if (to < r->end)
                to -= to % r->stride; /* where a digest was taken */
            timeline_seek(tl, to);
            want = to > r->end ? r->end : to;
        } else if (kind < 6) {
            enum tl_unit unit = kind == 2 ? TL_UNIT_EVENT : units[rng_below(&state, 4)];
            int dir = rng_below(&state, 3) ? -1 : +1;
            bool moved = timeline_step(tl, unit, dir);
            if (dir < 0) {
                want = prev_boundary(r, pos, unit);
                if (moved != (pos > 0)) {
                    fprintf(stderr, "\n%s: step %s back from %llu returned %d\n", what,
                            tl_unit_name(unit), (unsigned long long)pos, moved);
                    bad++;
                }
            } else {
                want = next_boundary(r, pos, unit);
                if (moved != (pos < r->end)) {
                    fprintf(stderr, "\n%s: step %s forward from %llu returned %d\n", what,
                            tl_unit_name(unit), (unsigned long long)pos, moved);
                    bad++;
                }
            }
        } else if (kind == 6) {
            /* One event back the way a viewer does it. */
            want = pos ? pos - 1 : 0;
            timeline_seek(tl, want);
        } else {
            /* A short hop forward. */
            uint64_t to = pos + rng_below(&state, 40);
            timeline_seek(tl, to);
            want = to > r->end ? r->end : to;
        }
        if (timeline_position(tl) != want) {
            fprintf(stderr, "\n%s: move %u from %llu landed on %llu, expected %llu\n", what, i,
                    (unsigned long long)pos, (unsigned long long)timeline_position(tl),
                    (unsigned long long)want);
            bad++;
            continue;
        }
        if (!same_as_recorded(tl, r, what))
            bad++;
        if (timeline_at_end(tl) != (want == r->end)) {
            fprintf(stderr, "\n%s: at_end is %d at %llu (end %llu)\n", what, timeline_at_end(tl),
                    (unsigned long long)want, (unsigned long long)r->end);
            bad++;
        }
    }
    return bad;
}

/* ---- scenarios ------------------------------------------------------- */

/* Three frames, two processes, writes that go to swap and come back,
 * chapters, a failing and a passing expectation, mmap/munmap, a segfault. */
static const char walk_yaml[] =
    "title: walk\n"
    "machine:\n"
    "  preset: tiny\n"
    "  frames: 3\n"
    "  table_frames: 8\n"
    "  swap: 32\n"
    "  tlb: {entries: 4, ways: 2}\n"
    "  policy: clock\n"
    "  seed: 7\n"
    "processes:\n"
    "  - name: a\n"
    "    pid: 1\n"
    "    areas:\n"
    "      - {name: buf, start: 0x400, size: 0x200}\n"
    "  - name: b\n"
    "    pid: 2\n"
    "    areas:\n"
    "      - {name: buf, start: 0x400, size: 0x200}\n"
    "steps:\n"
    "  - chapter: warm up\n"
    "  - refs: \"1 2w 3 4w 1 2 5w 1 2 3w 4 5\"\n"
    "  - chapter: fill\n"
    "  - fill: {start: buf, size: 0x200, access: write}\n"
    "  - say: now read it back\n"
    "  - fill: {start: buf, size: 0x200, stride: 32}\n"
    "  - expect: {swap_ins: +1000}\n"
    "  - switch: 2\n"
    "  - fill: {start: buf, size: 0x200, access: write}\n"
    "  - read: {addr: buf+0x44, pid: 1}\n"
    "  - switch: 1\n"
    "  - mmap: {name: heap, size: 0x100}\n"
    "  - fill: {start: heap, size: 0x100, stride: 16, access: write}\n"
    "  - munmap: {name: heap}\n"
    "  - chapter: loop\n"
    "  - repeat:\n"
    "      times: 3\n"
    "      steps:\n"
    "        - refs: \"1w 6 2 7w 1 8\"\n"
    "        - fill: {start: buf+0x40, size: 0x100, stride: 48, access: write}\n"
    "        - pause:\n"
    "  - read: 0x3fc0\n"
    "  - expect: {segfaults: 1}\n";

/* Rounds of 12 references on a tiny machine, `rounds` of them. */
#define ROUNDS_YAML(rounds)                                                 \
    "title: long\n"                                                         \
    "machine:\n"                                                            \
    "  preset: tiny\n"                                                      \
    "  frames: 4\n"                                                         \
    "  table_frames: 4\n"                                                   \
    "  swap: 32\n"                                                          \
    "  tlb: {entries: 4, ways: 2}\n"                                        \
    "  policy: clock\n"                                                     \
    "processes:\n"                                                          \
    "  - {name: a, pid: 1}\n"                                               \
    "steps:\n"                                                              \
    "  - repeat:\n"                                                         \
    "      times: " #rounds "\n"                                            \
    "      steps:\n"                                                        \
    "        - chapter: round\n"                                            \
    "        - refs: \"1w 2 3 4w 5 1 6w 2 7 3w 1 9\"\n"

/* Long enough (over 256 snapshots' worth of events) that the timeline must
 * thin its snapshots out. */
static const char long_yaml[] = ROUNDS_YAML(1800);

/* Two chapters tens of thousands of events apart, then a failed
 * expectation: moves to the next chapter, or to a failure, are long. */
static const char far_yaml[] =
    "title: far\n"
    "machine:\n"
    "  preset: tiny\n"
    "  frames: 4\n"
    "  table_frames: 4\n"
    "  swap: 32\n"
    "  tlb: {entries: 4, ways: 2}\n"
    "  policy: clock\n"
    "processes:\n"
    "  - {name: a, pid: 1}\n"
    "steps:\n"
    "  - chapter: first\n"
    "  - repeat:\n"
    "      times: 400\n"
    "      steps:\n"
    "        - refs: \"1w 2 3 4w 5 1 6w 2 7 3w 1 9\"\n"
    "  - chapter: second\n"
    "  - refs: \"1 2 3\"\n"
    "  - expect: {faults: 1}\n";

/* The Silberschatz string with 3 frames (page tables in their own frames). */
static const char silberschatz_yaml[] =
    "title: silberschatz\n"
    "machine:\n"
    "  preset: tiny\n"
    "  frames: 3\n"
    "  table_frames: 8\n"
    "  swap: 16\n"
    "  policy: fifo\n"
    "processes:\n"
    "  - {name: p, pid: 1}\n"
    "steps:\n"
    "  - refs: \"7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1\"\n";

static const char belady_yaml[] =
    "title: belady\n"
    "machine:\n"
    "  preset: x86_64\n"
    "  frames: 3\n"
    "  table_frames: 8\n"
    "  policy: fifo\n"
    "processes:\n"
    "  - {name: p, pid: 1}\n"
    "steps:\n"
    "  - refs: [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]\n";

/* ---- going back equals going forward --------------------------------- */

static void walk_scenario(const struct scenario *s, const char *name, const char *policy,
                          unsigned moves, uint64_t seed, uint64_t stride)
{
    struct timeline *tl = open_policy(s, policy);
    struct record r = {.stride = stride};
    if (tl && record_forward(tl, &r)) {
        char what[160];
        snprintf(what, sizeof what, "%s/%s", name, policy ? policy : "default");
        CU_ASSERT_TRUE(r.end > 0);
        /* On the timeline that recorded (its end is known). */
        CU_ASSERT_EQUAL(random_walk(tl, &r, seed, moves, what), 0);
        /* On a fresh one that has not seen the end yet. */
        struct timeline *fresh = open_policy(s, policy);
        if (fresh) {
            timeline_seek(fresh, r.end / 2);
            CU_ASSERT_TRUE(same_as_recorded(fresh, &r, what));
            timeline_seek(fresh, r.end + 100);
            CU_ASSERT_EQUAL(timeline_position(fresh), r.end);
            CU_ASSERT_TRUE(timeline_at_end(fresh));
            CU_ASSERT_EQUAL(random_walk(fresh, &r, seed * 3, moves / 2, what), 0);
            timeline_destroy(fresh);
        }
        /* Every position going backwards one event at a time, over the last
         * 600 events. */
        timeline_seek(tl, r.end);
        unsigned bad = 0;
        for (uint64_t p = r.end; p > 0 && p + 600 > r.end && bad < 3; p--) {
            CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_EVENT, -1));
            if (timeline_position(tl) != p - 1 || !same_as_recorded(tl, &r, what))
                bad++;
        }
        CU_ASSERT_EQUAL(bad, 0);
    }
    free(r.at);
    timeline_destroy(tl);
}

static void walk_policy(const char *name, const char *yaml, const char *policy, unsigned moves,
                        uint64_t seed)
{
    struct scenario *s = load(name, yaml);
    if (s == NULL)
        return;
    walk_scenario(s, name, policy, moves, seed, 1);
    scenario_free(s);
}

static void test_walk_clock(void)
{
    walk_policy("walk.yaml", walk_yaml, NULL, 400, 1);
}

static void test_walk_every_policy(void)
{
    for (size_t i = 0; i < NPOLICIES; i++)
        walk_policy("walk.yaml", walk_yaml, all_policies[i], 250, 100 + i);
}

static void test_walk_long_thinned(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    struct record r = {0};
    if (tl && record_forward(tl, &r)) {
        /* 1800 rounds of 12 references: well over 256 * 1024 events. */
        CU_ASSERT_TRUE(r.end > 256 * (uint64_t)1024);
        CU_ASSERT_EQUAL(r.final.accesses, 1800 * 12);
        size_t n = timeline_snapshot_count(tl);
        /* The budget, not a count, bounds them: one every 1024 events. */
        CU_ASSERT_TRUE(n >= 2 && n <= r.end / 1024);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) <= TIMELINE_SNAPSHOT_BUDGET);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) > n * sizeof(struct machine));
        CU_ASSERT_EQUAL(random_walk(tl, &r, 42, 300, "long"), 0);
        /* Positions around the first snapshots and the ends. */
        static const uint64_t at[] = {0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 4097, 300, 0};
        unsigned bad = 0;
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            timeline_seek(tl, r.end - 1);
            timeline_seek(tl, at[i]);
            if (timeline_position(tl) != at[i] || !same_as_recorded(tl, &r, "long"))
                bad++;
        }
        CU_ASSERT_EQUAL(bad, 0);
        timeline_seek(tl, 3000);
        while (timeline_position(tl) > 0 && bad < 3)
            if (!timeline_step(tl, TL_UNIT_EVENT, -1) || !same_as_recorded(tl, &r, "long"))
                bad++;
        CU_ASSERT_EQUAL(bad, 0);
        /* Going back never takes snapshots beyond the bound. */
        CU_ASSERT_TRUE(timeline_snapshot_count(tl) <= r.end / 1024);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) <= TIMELINE_SNAPSHOT_BUDGET);
    }
    free(r.at);
    timeline_destroy(tl);
    scenario_free(s);
}

/* ---- step units and breakpoints -------------------------------------- */

static void test_step_back_units(void)
{
    struct scenario *s = load("walk.yaml", walk_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    struct record r = {0};
    if (tl && record_forward(tl, &r)) {
        static const enum tl_unit units[] = {TL_UNIT_ACCESS, TL_UNIT_OP, TL_UNIT_CHAPTER};
        /* Every boundary, counted on the record. */
        for (size_t u = 0; u < 3; u++) {
            uint64_t boundaries = 0;
            for (uint64_t p = 1; p < r.end; p++)
                boundaries += is_boundary(&r.at[p], units[u]);
            /* From the end back to 0, one unit at a time. */
            timeline_seek(tl, r.end);
            uint64_t steps = 0, bad = 0, pos = r.end;
            while (timeline_position(tl) > 0 && steps < r.end) {
                CU_ASSERT_TRUE(timeline_step(tl, units[u], -1));
                uint64_t now = timeline_position(tl);
                steps++;
                if (now != prev_boundary(&r, pos, units[u]) ||
                    (now > 0 && !is_boundary(&r.at[now], units[u])) ||
                    !same_as_recorded(tl, &r, tl_unit_name(units[u])))
                    bad++;
                if (units[u] == TL_UNIT_CHAPTER && now > 0) {
                    const struct tl_event *e = timeline_current(tl);
                    CU_ASSERT_TRUE(e && e->kind == TL_CHAPTER);
                    CU_ASSERT_TRUE(e && timeline_chapter(tl) == e->text);
                }
                pos = now;
            }
            CU_ASSERT_EQUAL(bad, 0);
            /* Each boundary before the end once, then position 0. */
            CU_ASSERT_EQUAL(steps, boundaries + 1);
            CU_ASSERT_FALSE(timeline_step(tl, units[u], -1));
            CU_ASSERT_EQUAL(timeline_position(tl), 0);
            /* And forward again to the end. */
            steps = bad = 0;
            pos = 0;
            while (timeline_step(tl, units[u], +1)) {
                uint64_t now = timeline_position(tl);
                if (now != next_boundary(&r, pos, units[u]) ||
                    !same_as_recorded(tl, &r, tl_unit_name(units[u])))
                    bad++;
                pos = now;
                steps++;
            }
            CU_ASSERT_EQUAL(bad, 0);
            CU_ASSERT_EQUAL(timeline_position(tl), r.end);
        }
        /* The scenario's own numbers: 3 chapters, 98 accesses. */
        uint64_t chapters = 0, accesses = 0, done = 0;
        for (uint64_t p = 1; p <= r.end; p++) {
            chapters += r.at[p].kind == TL_CHAPTER;
            done += r.at[p].kind == TL_MACHINE && r.at[p].ev_kind == EV_ACCESS_DONE;
            accesses += r.at[p].kind == TL_MACHINE && r.at[p].ev_kind == EV_ACCESS_BEGIN;
        }
        CU_ASSERT_EQUAL(chapters, 3);
        CU_ASSERT_EQUAL(accesses, 98);
        CU_ASSERT_EQUAL(r.final.accesses, 98);
        CU_ASSERT_EQUAL(done, 97); /* one access ends in SIGSEGV */
        CU_ASSERT_EQUAL(r.final.segfaults, 1);
        /* An access ends on access_done or segfault; the event before an
         * access boundary never leaves the machine busy. */
        uint64_t odd = 0;
        for (uint64_t p = 1; p <= r.end; p++)
            if (r.at[p].kind == TL_MACHINE && r.at[p].ends_access &&
                r.at[p].ev_kind != EV_ACCESS_DONE && r.at[p].ev_kind != EV_SEGFAULT &&
                r.at[p].ev_kind != EV_CONTEXT_SWITCH && r.at[p].ev_kind != EV_MMAP &&
                r.at[p].ev_kind != EV_MUNMAP)
                odd++;
        CU_ASSERT_EQUAL(odd, 0);
    }
    free(r.at);
    timeline_destroy(tl);
    scenario_free(s);
}

/* run_until(stop) from 0 to the end stops exactly on every matching event. */
static void check_breakpoint(const struct scenario *s, const struct record *r, enum tl_stop stop,
                             enum event_kind kind, uint64_t want_count)
{
    struct timeline *tl = open_policy(s, NULL);
    if (tl == NULL)
        return;
    uint64_t count = 0, bad = 0, pos = 0;
    while (timeline_run_until(tl, stop)) {
        uint64_t now = timeline_position(tl);
        const struct tl_event *e = timeline_current(tl);
        if (e == NULL || e->kind != TL_MACHINE || e->ev.kind != kind)
            bad++;
        /* The machine, the current event and the log as playing leaves them. */
        if (!same_as_recorded(tl, r, "run_until"))
            bad++;
        /* No matching event was skipped. */
        for (uint64_t p = pos + 1; p < now; p++)
            if (r->at[p].kind == TL_MACHINE && r->at[p].ev_kind == kind)
                bad++;
        pos = now;
        count++;
    }
    for (uint64_t p = pos + 1; p <= r->end; p++)
        if (r->at[p].kind == TL_MACHINE && r->at[p].ev_kind == kind)
            bad++;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(count, want_count);
    CU_ASSERT_EQUAL(timeline_position(tl), r->end);
    CU_ASSERT_TRUE(timeline_at_end(tl));
    timeline_destroy(tl);
}

static void test_run_until(void)
{
    struct scenario *s = load("walk.yaml", walk_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    struct record r = {0};
    if (tl && record_forward(tl, &r)) {
        /* Every fault raised: handled ones plus the one SIGSEGV. */
        check_breakpoint(s, &r, TL_STOP_FAULT, EV_PAGE_FAULT,
                         r.final.faults + r.final.segfaults);
        check_breakpoint(s, &r, TL_STOP_EVICTION, EV_VICTIM_CHOSEN, r.final.evictions);
        check_breakpoint(s, &r, TL_STOP_TLB_MISS, EV_TLB_MISS, r.final.tlb_misses);
        CU_ASSERT_TRUE(r.final.evictions > 20);
        CU_ASSERT_TRUE(r.final.swap_ins > 10);
        /* Chapters and pauses. */
        struct timeline *t2 = open_policy(s, NULL);
        if (t2) {
            unsigned chapters = 0, stops = 0;
            while (timeline_run_until(t2, TL_STOP_CHAPTER)) {
                const struct tl_event *e = timeline_current(t2);
                CU_ASSERT_TRUE(e && e->kind == TL_CHAPTER);
                CU_ASSERT_TRUE(same_as_recorded(t2, &r, "run_until chapter"));
                chapters++;
            }
            CU_ASSERT_EQUAL(chapters, 3);
            timeline_seek(t2, 0);
            while (timeline_run_until(t2, TL_STOP_PAUSE)) {
                const struct tl_event *e = timeline_current(t2);
                CU_ASSERT_TRUE(e && (e->kind == TL_CHAPTER || e->kind == TL_PAUSE));
                CU_ASSERT_TRUE(same_as_recorded(t2, &r, "run_until pause"));
                stops++;
            }
            CU_ASSERT_EQUAL(stops, 3 + 3);
            /* The failed expectation is the first one. */
            timeline_seek(t2, 0);
            CU_ASSERT_TRUE(timeline_run_until(t2, TL_STOP_FAILED));
            const struct tl_event *e = timeline_current(t2);
            CU_ASSERT_TRUE(e && e->kind == TL_EXPECT && e->failed);
            CU_ASSERT_TRUE(same_as_recorded(t2, &r, "run_until failed"));
            CU_ASSERT_EQUAL(timeline_failures(t2), 1);
            CU_ASSERT_FALSE(timeline_run_until(t2, TL_STOP_FAILED));
            CU_ASSERT_EQUAL(timeline_failures(t2), 1);
            CU_ASSERT_EQUAL(timeline_position(t2), r.end);
            CU_ASSERT_TRUE(same_as_recorded(t2, &r, "run_until failed, at the end"));
            timeline_destroy(t2);
        }
    }
    free(r.at);
    timeline_destroy(tl);
    scenario_free(s);
}

/* ---- expectations ---------------------------------------------------- */

static const char expect_yaml[] =
    "title: expect\n"
    "machine: {preset: tiny, frames: 8, table_frames: 4}\n"
    "processes:\n"
    "  - {name: p, pid: 1}\n"
    "steps:\n"
    "  - refs: \"1 2 3\"\n"
    "  - expect: {faults: 3, minor_faults: +4}\n"
    "  - refs: \"1\"\n"
    "  - expect:\n"
    "      tlb_hits: +1\n"
    "      faults:   +0\n"
    "      accesses: 5\n";

static void test_expectations(void)
{
    struct scenario *s = load("expect.yaml", expect_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    if (tl == NULL) {
        scenario_free(s);
        return;
    }
    const struct tl_event *e;
    unsigned expects = 0;
    while ((e = timeline_next(tl)) != NULL) {
        if (e->kind != TL_EXPECT)
            continue;
        expects++;
        CU_ASSERT_PTR_NOT_NULL(e->step);
        if (expects == 1) {
            CU_ASSERT_EQUAL(e->step->pos.line, 7);
            CU_ASSERT_TRUE(e->failed);
            CU_ASSERT_EQUAL(e->nchecks, 2);
            CU_ASSERT_EQUAL(e->checks[0].counter, COUNTER_faults);
            CU_ASSERT_FALSE(e->checks[0].relative);
            CU_ASSERT_EQUAL(e->checks[0].expected, 3);
            CU_ASSERT_EQUAL(e->checks[0].actual, 3);
            CU_ASSERT_TRUE(e->checks[0].ok);
            CU_ASSERT_EQUAL(e->checks[0].line, 7);
            CU_ASSERT_EQUAL(e->checks[0].col, 22);
            CU_ASSERT_EQUAL(e->checks[1].counter, COUNTER_minor_faults);
            CU_ASSERT_TRUE(e->checks[1].relative);
            CU_ASSERT_EQUAL(e->checks[1].expected, 4);
            CU_ASSERT_EQUAL(e->checks[1].actual, 3);
            CU_ASSERT_FALSE(e->checks[1].ok);
            CU_ASSERT_EQUAL(e->checks[1].line, 7);
            CU_ASSERT_EQUAL(e->checks[1].col, 39);
            CU_ASSERT_EQUAL(timeline_failures(tl), 1);
        } else {
            /* Relative to the previous expect, failed or not; fails on
             * accesses only. */
            CU_ASSERT_TRUE(e->failed);
            CU_ASSERT_EQUAL(e->nchecks, 3);
            CU_ASSERT_EQUAL(e->checks[0].counter, COUNTER_tlb_hits);
            CU_ASSERT_EQUAL(e->checks[0].actual, 1);
            CU_ASSERT_TRUE(e->checks[0].ok);
            CU_ASSERT_EQUAL(e->checks[0].line, 10);
            CU_ASSERT_EQUAL(e->checks[0].col, 17);
            CU_ASSERT_EQUAL(e->checks[1].counter, COUNTER_faults);
            CU_ASSERT_TRUE(e->checks[1].relative);
            CU_ASSERT_EQUAL(e->checks[1].actual, 0);
            CU_ASSERT_TRUE(e->checks[1].ok);
            CU_ASSERT_EQUAL(e->checks[2].counter, COUNTER_accesses);
            CU_ASSERT_EQUAL(e->checks[2].actual, 4);
            CU_ASSERT_EQUAL(e->checks[2].expected, 5);
            CU_ASSERT_FALSE(e->checks[2].ok);
            CU_ASSERT_EQUAL(e->checks[2].line, 12);
            CU_ASSERT_EQUAL(e->checks[2].col, 17);
        }
    }
    /* The second expect fails on accesses. */
    CU_ASSERT_EQUAL(expects, 2);
    CU_ASSERT_EQUAL(timeline_failures(tl), 2);
    /* Going back before the first expect forgets its failure. */
    timeline_seek(tl, 3);
    CU_ASSERT_EQUAL(timeline_failures(tl), 0);
    /* The fast path evaluates expectations too. */
    timeline_run_fast(tl);
    CU_ASSERT_EQUAL(timeline_failures(tl), 2);
    timeline_destroy(tl);
    scenario_free(s);
}

/* ---- the fast path --------------------------------------------------- */

static void fast_equals_slow_scenario(const struct scenario *s, const char *name,
                                     const char *policy)
{
    struct timeline *slow = open_policy(s, policy);
    struct timeline *fast = open_policy(s, policy);
    struct timeline *mid = open_policy(s, policy);
    if (slow && fast && mid) {
        while (timeline_next(slow) != NULL)
            ;
        timeline_run_fast(fast);
        /* Seeking replaces the machine: keep copies, not pointers. */
        const struct counters a = timeline_machine(slow)->counters;
        const struct counters b = timeline_machine(fast)->counters;
        const uint64_t digest = machine_digest(timeline_machine(slow));
        bool same = memcmp(&a, &b, sizeof a) == 0;
        if (!same)
            fprintf(stderr, "\n%s/%s: fast counters differ\n", name, policy);
        CU_ASSERT_TRUE(same);
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(fast)), digest);
        CU_ASSERT_EQUAL(timeline_position(fast), timeline_position(slow));
        CU_ASSERT_EQUAL(timeline_failures(fast), timeline_failures(slow));
        CU_ASSERT_TRUE(timeline_at_end(fast));
        CU_ASSERT_TRUE(a.accesses > 0);
        /* From the middle of an operation, and after going back. */
        uint64_t end = timeline_position(slow);
        timeline_seek(mid, end / 2 + 3);
        timeline_run_fast(mid);
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(mid)), digest);
        CU_ASSERT_EQUAL(timeline_position(mid), end);
        timeline_seek(mid, end / 3);
        timeline_run_fast(mid);
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(mid)), digest);
        /* And after the fast run, going back still finds the same states. */
        timeline_seek(slow, end / 4);
        timeline_seek(fast, end / 4);
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(fast)),
                        machine_digest(timeline_machine(slow)));
    }
    timeline_destroy(slow);
    timeline_destroy(fast);
    timeline_destroy(mid);
}

static void fast_equals_slow(const char *name, const char *yaml, const char *policy)
{
    struct scenario *s = load(name, yaml);
    if (s == NULL)
        return;
    fast_equals_slow_scenario(s, name, policy);
    scenario_free(s);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every scenario of the library (../scenarios, from tests/): going back
 * equals going forward, and the fast run equals stepping, under its own
 * policy and every other one. */
/* The paths of the library's scenarios (../scenarios/NAME.yaml, from
 * tests/), sorted, at most max, each malloc'd: how many. */
static size_t library_paths(char **names, size_t max)
{
    DIR *dir = opendir("../scenarios");
    CU_ASSERT_PTR_NOT_NULL(dir);
    if (dir == NULL)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL && n < max) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) {
            names[n] = malloc(len + 16);
            if (names[n])
                snprintf(names[n++], len + 16, "../scenarios/%s", de->d_name);
        }
    }
    closedir(dir);
    qsort(names, n, sizeof names[0], compare_names);
    CU_ASSERT_TRUE(n >= 1);
    return n;
}

static void test_library_scenarios(void)
{
    char *names[256];
    size_t n = library_paths(names, 256);
    for (size_t i = 0; i < n; i++) {
        struct diag d;
        struct scenario *s = scenario_load(names[i], &d);
        if (s == NULL)
            fprintf(stderr, "\n%s:%u:%u: %s\n", d.file, d.line, d.col, d.message);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (s) {
            /* Big runs (huge-pages, say) under their own policy only. */
            bool big = s->total_accesses > 5000;
            walk_scenario(s, names[i], NULL, big ? 60 : 120, 1000 + i,
                          1 + s->total_accesses / 2000);
            for (size_t p = 0; p < NPOLICIES; p++)
                if (!big || p == 0)
                    fast_equals_slow_scenario(s, names[i], big ? NULL : all_policies[p]);
            /* Its own expectations hold. */
            struct timeline *tl = open_policy(s, NULL);
            if (tl) {
                timeline_run_fast(tl);
                if (timeline_failures(tl))
                    fprintf(stderr, "\n%s: %llu expectation(s) failed\n", names[i],
                            (unsigned long long)timeline_failures(tl));
                CU_ASSERT_EQUAL(timeline_failures(tl), 0);
                timeline_destroy(tl);
            }
            scenario_free(s);
        }
        free(names[i]);
    }
}

static void test_fast_equals_slow(void)
{
    for (size_t i = 0; i < NPOLICIES; i++) {
        fast_equals_slow("walk.yaml", walk_yaml, all_policies[i]);
        fast_equals_slow("silberschatz.yaml", silberschatz_yaml, all_policies[i]);
    }
}

/* ---- textbook figures ------------------------------------------------ */

struct outcome {
    uint64_t faults;              /* page_fault events */
    uint64_t fault_at[32];        /* index of each faulting reference */
    uint64_t evictions;
    uint64_t victim[32];          /* page of each victim */
};

/* Plays the whole timeline event by event, noting which reference faulted
 * and which page each eviction took. */
static void play_outcome(struct timeline *tl, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    const struct tl_event *e;
    while ((e = timeline_next(tl)) != NULL) {
        if (e->kind != TL_MACHINE)
            continue;
        if (e->ev.kind == EV_PAGE_FAULT && o->faults < 32)
            o->fault_at[o->faults++] = e->access_seq - 1;
        if (e->ev.kind == EV_VICTIM_CHOSEN && o->evictions < 32)
            o->victim[o->evictions++] = e->ev.other_vpn;
    }
}

static void check_list(const uint64_t *got, size_t ngot, const uint64_t *want, size_t nwant,
                       const char *what)
{
    bool same = ngot == nwant;
    for (size_t i = 0; same && i < ngot; i++)
        same = got[i] == want[i];
    if (!same) {
        fprintf(stderr, "\n%s: got", what);
        for (size_t i = 0; i < ngot; i++)
            fprintf(stderr, " %llu", (unsigned long long)got[i]);
        fprintf(stderr, "\n");
    }
    CU_ASSERT_TRUE(same);
}

static void test_silberschatz(void)
{
    static const struct {
        const char *policy;
        size_t nfaults;
        uint64_t fault_at[15];
        size_t nvictims;
        uint64_t victim[12];
    } want[] = {
        {"fifo", 15, {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 13, 14, 17, 18, 19},
         12, {7, 0, 1, 2, 3, 0, 4, 2, 3, 0, 1, 2}},
        {"opt", 9, {0, 1, 2, 3, 5, 7, 10, 13, 17}, 6, {7, 1, 0, 4, 3, 2}},
        {"lru", 12, {0, 1, 2, 3, 5, 7, 8, 9, 10, 13, 15, 17}, 9, {7, 1, 2, 3, 0, 4, 0, 3, 2}},
    };
    struct scenario *s = load("silberschatz.yaml", silberschatz_yaml);
    if (s == NULL)
        return;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct timeline *tl = open_policy(s, want[i].policy);
        if (tl == NULL)
            continue;
        struct outcome o;
        play_outcome(tl, &o);
        const struct counters *c = &timeline_machine(tl)->counters;
        CU_ASSERT_EQUAL(o.faults, want[i].nfaults);
        CU_ASSERT_EQUAL(c->faults, want[i].nfaults);
        CU_ASSERT_EQUAL(c->accesses, 20);
        CU_ASSERT_EQUAL(c->evictions, want[i].nvictims);
        /* The root table and one second-level table. */
        CU_ASSERT_EQUAL(c->table_allocs, 2);
        check_list(o.fault_at, o.faults, want[i].fault_at, want[i].nfaults, want[i].policy);
        check_list(o.victim, o.evictions, want[i].victim, want[i].nvictims, want[i].policy);
        /* The fast path agrees. */
        timeline_seek(tl, 0);
        timeline_run_fast(tl);
        CU_ASSERT_EQUAL(timeline_machine(tl)->counters.faults, want[i].nfaults);
        timeline_destroy(tl);
    }
    scenario_free(s);
}

static void test_belady(void)
{
    struct scenario *s = load("belady.yaml", belady_yaml);
    if (s == NULL)
        return;
    struct timeline_overrides o;
    struct diag d;
    for (long long frames = 3; frames <= 4; frames++) {
        timeline_overrides_init(&o);
        o.frames = frames;
        struct timeline *tl = timeline_create(s, &o, &d);
        CU_ASSERT_PTR_NOT_NULL(tl);
        if (tl == NULL)
            continue;
        struct outcome out;
        play_outcome(tl, &out);
        /* More frames, more faults: Belady's anomaly. */
        CU_ASSERT_EQUAL(out.faults, frames == 3 ? 9 : 10);
        CU_ASSERT_EQUAL(timeline_machine(tl)->counters.faults, frames == 3 ? 9 : 10);
        CU_ASSERT_EQUAL(timeline_machine(tl)->cfg.frames, (uint32_t)frames);
        timeline_destroy(tl);
    }
    scenario_free(s);
}

/* ---- overrides ------------------------------------------------------- */

static const char tlb_yaml[] =
    "title: tlb\n"
    "machine: {preset: tiny, frames: 8, table_frames: 4, policy: fifo, seed: 5}\n"
    "processes:\n"
    "  - {name: p, pid: 1}\n"
    "steps:\n"
    "  - refs: \"1 2 1 2 1 2\"\n";

static struct timeline *open_with(const struct scenario *s, const struct timeline_overrides *o)
{
    struct diag d;
    struct timeline *tl = timeline_create(s, o, &d);
    if (tl == NULL)
        fprintf(stderr, "\ntimeline_create: %s\n", printed(&d));
    CU_ASSERT_PTR_NOT_NULL(tl);
    return tl;
}

static void test_overrides(void)
{
    struct timeline_overrides o;
    struct scenario *s = load("tlb.yaml", tlb_yaml);
    if (s == NULL)
        return;
    /* The scenario's own values. */
    timeline_overrides_init(&o);
    CU_ASSERT_PTR_NULL(o.policy);
    CU_ASSERT_EQUAL(o.frames, -1);
    struct timeline *tl = open_with(s, &o);
    if (tl) {
        const struct machine *m = timeline_machine(tl);
        CU_ASSERT_EQUAL(m->cfg.policy, POLICY_fifo);
        CU_ASSERT_EQUAL(m->cfg.frames, 8);
        CU_ASSERT_EQUAL(m->cfg.tlb_entries, 64);
        CU_ASSERT_EQUAL(m->cfg.tlb_ways, 4);
        CU_ASSERT_EQUAL(m->cfg.seed, 5);
        timeline_run_fast(tl);
        CU_ASSERT_EQUAL(m->counters.tlb_hits, 4);
        CU_ASSERT_EQUAL(m->counters.tlb_misses, 4);
        timeline_destroy(tl);
    }
    /* A one-entry TLB misses on every alternate page. */
    o.tlb_entries = 1;
    o.tlb_ways = 1;
    o.frames = 5;
    o.policy = "lru";
    o.seed = 99;
    tl = open_with(s, &o);
    if (tl) {
        const struct machine *m = timeline_machine(tl);
        CU_ASSERT_EQUAL(m->cfg.policy, POLICY_lru);
        CU_ASSERT_EQUAL(m->cfg.frames, 5);
        CU_ASSERT_EQUAL(m->pool.data_frames, 5);
        CU_ASSERT_EQUAL(m->cfg.tlb_entries, 1);
        CU_ASSERT_EQUAL(m->cfg.tlb_ways, 1);
        CU_ASSERT_EQUAL(m->cfg.seed, 99);
        while (timeline_next(tl) != NULL)
            ;
        CU_ASSERT_EQUAL(m->counters.tlb_hits, 0);
        /* 2 first touches miss twice (before and after the fault). */
        CU_ASSERT_EQUAL(m->counters.tlb_misses, 8);
        CU_ASSERT_EQUAL(m->counters.faults, 2);
        timeline_destroy(tl);
    }
    /* Entries without ways: at most 4 ways. */
    timeline_overrides_init(&o);
    o.tlb_entries = 8;
    tl = open_with(s, &o);
    if (tl) {
        CU_ASSERT_EQUAL(timeline_machine(tl)->cfg.tlb_entries, 8);
        CU_ASSERT_EQUAL(timeline_machine(tl)->cfg.tlb_ways, 4);
        timeline_destroy(tl);
    }
    o.tlb_entries = 2;
    tl = open_with(s, &o);
    if (tl) {
        CU_ASSERT_EQUAL(timeline_machine(tl)->cfg.tlb_ways, 2);
        timeline_destroy(tl);
    }
    scenario_free(s);

    /* The policy override changes the outcome: Silberschatz under opt. */
    s = load("silberschatz.yaml", silberschatz_yaml);
    if (s == NULL)
        return;
    timeline_overrides_init(&o);
    o.policy = "opt";
    tl = open_with(s, &o);
    if (tl) {
        timeline_run_fast(tl);
        CU_ASSERT_EQUAL(timeline_machine(tl)->counters.faults, 9);
        timeline_destroy(tl);
    }
    /* More frames than pages: only the 6 first touches fault. */
    timeline_overrides_init(&o);
    o.frames = 6;
    tl = open_with(s, &o);
    if (tl) {
        timeline_run_fast(tl);
        CU_ASSERT_EQUAL(timeline_machine(tl)->counters.faults, 6);
        CU_ASSERT_EQUAL(timeline_machine(tl)->counters.evictions, 0);
        timeline_destroy(tl);
    }
    /* The seed drives random: the same seed gives the same run, and the
     * two seeds below give different victims. */
    uint64_t digests[3];
    static const long long seeds[] = {1, 1, 2};
    for (int i = 0; i < 3; i++) {
        timeline_overrides_init(&o);
        o.policy = "random";
        o.seed = seeds[i];
        tl = open_with(s, &o);
        digests[i] = 0;
        if (tl) {
            CU_ASSERT_EQUAL(timeline_machine(tl)->cfg.seed, (uint64_t)seeds[i]);
            timeline_run_fast(tl);
            digests[i] = machine_digest(timeline_machine(tl));
            timeline_destroy(tl);
        }
    }
    CU_ASSERT_EQUAL(digests[0], digests[1]);
    CU_ASSERT_NOT_EQUAL(digests[0], digests[2]);
    scenario_free(s);
}

/* ---- errors only the engine can give --------------------------------- */

/* timeline_create on yaml (which loads) fails with exactly this line. */
static void check_create_error(const char *yaml, const struct timeline_overrides *o,
                               const char *want)
{
    struct scenario *s = load("engine.yaml", yaml);
    if (s == NULL)
        return;
    struct diag d;
    memset(&d, 0, sizeof d);
    struct timeline *tl = timeline_create(s, o, &d);
    CU_ASSERT_PTR_NULL(tl);
    const char *got = printed(&d);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\nwant: %sgot:  %s", want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
    timeline_destroy(tl);
    scenario_free(s);
}

static void test_engine_errors(void)
{
    check_create_error("title: t\n"
                       "machine: {preset: tiny, policy: lur}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps: [read: 0]\n",
                       NULL,
                       "engine.yaml:2:33: error: unknown policy 'lur' (expected fifo, lru, "
                       "clock, opt, random, nru or linux; did you mean 'lru'?)\n");
    check_create_error("title: t\n"
                       "machine:\n"
                       "  policy: belady\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps: [read: 0]\n",
                       NULL,
                       "engine.yaml:3:11: error: unknown policy 'belady' "
                       "(expected fifo, lru, clock, opt, random, nru or linux)\n");
    check_create_error("title: t\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps:\n"
                       "  - read: 0\n"
                       "  - expect: {faults: 1, minor_fault: 1}\n",
                       NULL,
                       "engine.yaml:5:25: error: unknown counter 'minor_fault' (expected "
                       "accesses, reads, writes, execs, tlb_hits, tlb_misses, page_walks, "
                       "faults, minor_faults, major_faults, segfaults, evictions, swap_ins, "
                       "swap_outs, zero_fills, cow_copies, writebacks, table_allocs, "
                       "tlb_flushes or oom_kills; did you mean 'minor_faults'?)\n");
    check_create_error("title: t\n"
                       "machine: {preset: x86-64}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps: [read: 0]\n",
                       NULL,
                       "engine.yaml:2:19: error: unknown preset 'x86-64' (expected x86_64, "
                       "x86_64-5level, i386, riscv-sv39 or tiny; did you mean 'x86_64'?)\n");
    check_create_error("title: t\n"
                       "machine: {preset: vax}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps: [read: 0]\n",
                       NULL,
                       "engine.yaml:2:19: error: unknown preset 'vax' (expected x86_64, "
                       "x86_64-5level, i386, riscv-sv39 or tiny)\n");
    check_create_error("title: t\n"
                       "processes: [{name: p, pid: 1}, {name: q, pid: 2}]\n"
                       "steps:\n"
                       "  - read: 0x1000\n"
                       "  - write: {addr: 0x1000, pid: 3}\n",
                       NULL,
                       "engine.yaml:5:32: error: no process has pid 3 (expected a pid declared "
                       "under processes)\n");
    check_create_error("title: t\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps:\n"
                       "  - repeat:\n"
                       "      times: 2\n"
                       "      steps:\n"
                       "        - switch: 9\n",
                       NULL,
                       "engine.yaml:7:19: error: no process has pid 9 (expected a pid declared "
                       "under processes)\n");
    check_create_error("title: t\n"
                       "machine: {tlb: {entries: 8, replacement: lfu}}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps: [read: 0]\n",
                       NULL,
                       "engine.yaml:2:42: error: unknown TLB replacement 'lfu' (expected lru, "
                       "fifo or random; did you mean 'lru'?)\n");
    check_create_error("title: t\n"
                       "machine: {preset: tiny, frames: 3}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps:\n"
                       "  - map: {va: 0x40, frame: 3}\n",
                       NULL,
                       "engine.yaml:5:28: error: frame 3 does not exist (expected 0 to 2)\n");
    check_create_error("title: t\n"
                       "machine: {preset: tiny}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps:\n"
                       "  - refs: [1, 300]\n",
                       NULL,
                       "engine.yaml:5:15: error: page 300 is beyond user space (expected a page "
                       "below 256)\n");
    /* The command line's own override is reported as such. */
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    o.policy = "clok";
    check_create_error("title: t\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps: [read: 0]\n",
                       &o,
                       "--policy: error: unknown policy 'clok' (expected fifo, lru, clock, opt, "
                       "random, nru or linux; did you mean 'clock'?)\n");
    /* A frames override applies before frame numbers are checked. */
    timeline_overrides_init(&o);
    o.frames = 2;
    check_create_error("title: t\n"
                       "machine: {preset: tiny, frames: 8}\n"
                       "processes: [{name: p, pid: 1}]\n"
                       "steps:\n"
                       "  - map: {va: 0x40, frame: 5}\n",
                       &o,
                       "engine.yaml:5:28: error: frame 5 does not exist (expected 0 to 1)\n");
}

/* ---- trace steps ----------------------------------------------------- */

/* Page 2 is written, swapped out, read back (the one major fault) and
 * evicted again unwritten: its copy in swap is still current (the swap
 * cache), so only one swap-out. */
static const char trace_pages_yaml[] =
    "title: pages trace\n"
    "machine: {preset: tiny, frames: 3, table_frames: 4, swap: 8, policy: fifo}\n"
    "processes: [{name: p, pid: 1}]\n"
    "steps:\n"
    "  - trace: {file: belady.pages, format: pages}\n"
    "  - expect: {accesses: 12, writes: 2, faults: 9, major_faults: 1, swap_outs: 1}\n"
    "  - trace: {file: belady.pages, format: pages, limit: 4}\n";

static const char trace_rw_yaml[] =
    "title: rw trace\n"
    "machine: {preset: x86_64, frames: 3, table_frames: 16, swap: 16, policy: lru}\n"
    "processes:\n"
    "  - name: p\n"
    "    pid: 1\n"
    "    areas: [{name: data, start: 0x10000, size: 16KiB, prot: rwx}]\n"
    "steps:\n"
    "  - trace: {file: mixed.rw, format: rw}\n"
    "  - expect: {accesses: 14, reads: 5, writes: 7, execs: 2, segfaults: 4, faults: 7}\n"
    "  - chapter: again, with automatic areas\n"
    "  - trace: {file: mixed.rw, format: rw, auto_areas: true}\n"
    "  - expect: {accesses: +14, segfaults: +0, faults: +8, swap_ins: +5}\n"
    "  - trace: {file: mixed.rw, format: rw, limit: 5}\n"
    "  - expect: {accesses: +5, reads: +2, writes: +2, execs: +1, faults: +2}\n";

static const char trace_lackey_yaml[] =
    "title: lackey trace\n"
    "machine: {preset: x86_64, frames: 2, table_frames: 16, swap: 16, policy: clock}\n"
    "processes: [{name: p, pid: 1}]\n"
    "steps:\n"
    "  - trace: {file: small.lackey, format: lackey, auto_areas: true}\n"
    "  - expect: {accesses: 11, execs: 4, reads: 4, writes: 3, segfaults: 0}\n"
    "  - trace: {file: small.lackey, format: lackey, auto_areas: true}\n"
    "  - expect: {accesses: +11, segfaults: +0}\n";

/* Lackey records that cross a page boundary: each page is an access of its
 * own. The 8-byte store at 0x41ffc writes pages 0x41 and 0x42, both
 * untouched: two minor faults. Played whole: the store again (no fault),
 * the load at 0x42ffe (0x43 maps the zero page: 1), the modify at 0x43ffc
 * (reads 0x43 and 0x44, 0x44 mapping the zero page: 1; then writes both,
 * each a copy of the zero page: 2) and the fetch at 0x44ffe (0x45: 1). */
static const char trace_crossing_yaml[] =
    "title: lackey records across pages\n"
    "machine: {preset: x86_64, frames: 16, table_frames: 16, swap: 16, policy: clock}\n"
    "processes: [{name: p, pid: 1}]\n"
    "steps:\n"
    "  - trace: {file: crossing.lackey, format: lackey, auto_areas: true, limit: 2}\n"
    "  - expect: {accesses: 2, writes: 2, minor_faults: 2}\n"
    "  - trace: {file: crossing.lackey, format: lackey, auto_areas: true}\n"
    "  - expect: {accesses: +10, reads: 4, writes: +4, execs: 2, minor_faults: +5}\n";

/* Plays a trace scenario: its expectations must all hold, the counters
 * must be the given ones, and random walks must find the same states. */
static void check_trace(const char *name, const char *yaml, uint64_t accesses, uint64_t faults,
                        uint64_t segfaults)
{
    struct scenario *s = load(name, yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    struct record r = {0};
    if (tl && record_forward(tl, &r)) {
        if (timeline_failures(tl))
            fprintf(stderr, "\n%s: %llu expectation(s) failed\n", name,
                    (unsigned long long)timeline_failures(tl));
        CU_ASSERT_EQUAL(timeline_failures(tl), 0);
        CU_ASSERT_EQUAL(r.final.accesses, accesses);
        CU_ASSERT_EQUAL(r.final.faults, faults);
        CU_ASSERT_EQUAL(r.final.segfaults, segfaults);
        CU_ASSERT_EQUAL(random_walk(tl, &r, 7, 300, name), 0);
        /* Back from the end one event at a time, through every trace step. */
        unsigned bad = 0;
        timeline_seek(tl, r.end);
        while (timeline_position(tl) > 0 && bad < 3)
            if (!timeline_step(tl, TL_UNIT_EVENT, -1) || !same_as_recorded(tl, &r, name))
                bad++;
        CU_ASSERT_EQUAL(bad, 0);
        for (size_t i = 0; i < NPOLICIES; i++)
            fast_equals_slow(name, yaml, all_policies[i]);
    }
    free(r.at);
    timeline_destroy(tl);
    scenario_free(s);
}

static void test_trace_pages(void)
{
    /* 12 + 4 references: 9 faults, then under FIFO with 5, 3, 4 resident
     * (oldest first) 1 evicts 5, 2 evicts 3, 3 evicts 4, 4 evicts 1. */
    check_trace("data/play/pages.yaml", trace_pages_yaml, 16, 13, 0);
}

static void test_trace_rw(void)
{
    /* Only the declared area: 4 pages in 3 frames under LRU fault 7 times
     * and the 4 accesses outside it get SIGSEGV. The same trace with
     * automatic areas: 8 faults. Its first 5 accesses again: 2 faults. */
    struct scenario *s = load("data/play/rw.yaml", trace_rw_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    if (tl) {
        timeline_run_fast(tl);
        const struct counters *c = &timeline_machine(tl)->counters;
        CU_ASSERT_EQUAL(timeline_failures(tl), 0);
        CU_ASSERT_EQUAL(c->accesses, 33);
        CU_ASSERT_EQUAL(c->segfaults, 4);
        CU_ASSERT_EQUAL(c->faults, 17);
        /* Automatic areas: one per page, merged when adjacent. */
        const struct process *p = machine_process(timeline_machine(tl), 1);
        CU_ASSERT_PTR_NOT_NULL(p);
        if (p) {
            unsigned autos = 0;
            for (uint32_t i = 0; i < p->nareas; i++)
                if (strcmp(p->areas[i].name, "trace") == 0) {
                    autos++;
                    CU_ASSERT_TRUE((p->areas[i].start == 0x40000 && p->areas[i].end == 0x42000) ||
                                   (p->areas[i].start == 0x50000 && p->areas[i].end == 0x51000));
                }
            CU_ASSERT_EQUAL(autos, 2);
        }
        timeline_destroy(tl);
    }
    scenario_free(s);
    check_trace("data/play/rw.yaml", trace_rw_yaml, 33, 17, 4);
}

static void test_trace_lackey(void)
{
    /* 11 accesses to 5 pages in 2 frames, twice. */
    struct scenario *s = load("data/play/lackey.yaml", trace_lackey_yaml);
    uint64_t faults = 0;
    if (s) {
        struct timeline *tl = open_policy(s, NULL);
        if (tl) {
            timeline_run_fast(tl);
            const struct counters *c = &timeline_machine(tl)->counters;
            faults = c->faults;
            CU_ASSERT_EQUAL(timeline_failures(tl), 0);
            /* Two frames for five pages: every pass faults at least on
             * 5 pages, then on the 3 it could not keep. */
            CU_ASSERT_TRUE(c->faults >= 8);
            CU_ASSERT_TRUE(c->evictions > 0);
            CU_ASSERT_EQUAL(c->faults, c->minor_faults + c->major_faults);
            CU_ASSERT_EQUAL(c->major_faults, c->swap_ins);
            /* The stack page is written, evicted and read back. */
            CU_ASSERT_TRUE(c->swap_ins >= 1);
            const struct process *p = machine_process(timeline_machine(tl), 1);
            unsigned autos = 0;
            for (uint32_t i = 0; p && i < p->nareas; i++)
                autos += strcmp(p->areas[i].name, "trace") == 0;
            /* 0x4000000-0x4002000, 0x4032000, 0x421d000, 0x1ffefff000 */
            CU_ASSERT_EQUAL(autos, 4);
            timeline_destroy(tl);
        }
        scenario_free(s);
    }
    check_trace("data/play/lackey.yaml", trace_lackey_yaml, 22, faults, 0);
}

static void test_trace_crossing(void)
{
    check_trace("data/play/crossing.yaml", trace_crossing_yaml, 12, 7, 0);
}

/* Each access of a crossing record after its first page carries which
 * page it is and the record's bytes, also when played again after a seek
 * back, and the narration says it is the same access going on. */
static void test_trace_crossing_narration(void)
{
    static const struct {
        uint64_t va;
        unsigned page_part, record_bytes;
    } want[] = {
        {0x41ffc, 0, 8}, {0x42000, 1, 8},                   /* limit: 2 */
        {0x41ffc, 0, 8}, {0x42000, 1, 8}, {0x42ffe, 0, 4}, {0x43000, 1, 4},
        {0x43ffc, 0, 8}, {0x44000, 1, 8}, {0x43ffc, 0, 8}, {0x44000, 1, 8},
        {0x44ffe, 0, 4}, {0x45000, 1, 4},
    };
    struct scenario *s = load("data/play/crossing.yaml", trace_crossing_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    size_t n = 0;
    uint64_t second_page_at = 0;
    const struct tl_event *e;
    while ((e = timeline_next(tl))) {
        if (e->kind != TL_MACHINE || e->ev.kind != EV_ACCESS_BEGIN)
            continue;
        CU_ASSERT_FATAL(n < sizeof want / sizeof want[0]);
        CU_ASSERT_EQUAL(e->ev.va, want[n].va);
        CU_ASSERT_EQUAL(e->page_part, want[n].page_part);
        CU_ASSERT_EQUAL(e->record_bytes, want[n].record_bytes);
        char text[512];
        narrate(e, timeline_machine(tl), text, sizeof text);
        if (n == 1) {
            second_page_at = e->position;
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "pid 1: write at 0x42000. The same 8-byte write "
                                                "crosses into the next page: this is its page 2. "
                                                "The MMU splits the address:"));
        } else if (n == 11) {
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "The same 4-byte instruction fetch crosses into "
                                                "the next page: this is its page 2."));
        } else if (want[n].page_part == 0) {
            CU_ASSERT_PTR_NULL(strstr(text, "crosses"));
        }
        n++;
    }
    CU_ASSERT_EQUAL(n, sizeof want / sizeof want[0]);
    /* Played again from a snapshot: the same. */
    CU_ASSERT_TRUE(timeline_seek(tl, second_page_at - 1));
    e = timeline_next(tl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->ev.kind, EV_ACCESS_BEGIN);
    CU_ASSERT_EQUAL(e->page_part, 1);
    CU_ASSERT_EQUAL(e->record_bytes, 8);
    /* The access's one-line summary says it before its colon, and the
     * first page's does not. */
    char summary[512];
    CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_ACCESS, +1));
    narrate_access(tl, summary, sizeof summary);
    /* The frame is the one the page is mapped to now. */
    const struct machine *m = timeline_machine(tl);
    uint64_t pa = machine_translate(m, machine_process(m, 1), 0x42000);
    char want_summary[512];
    snprintf(want_summary, sizeof want_summary,
             "write 0x42000 (page 2 of the same 8-byte write): TLB miss > walk > fault 0x6 (zero "
             "fill) > frame %llu > zeroed > entry -> frame %llu > restart > TLB miss > walk > TLB "
             "fill > done, PA 0x%llx", (unsigned long long)(pa >> 12),
             (unsigned long long)(pa >> 12), (unsigned long long)pa);
    CU_ASSERT_NOT_EQUAL(pa, UINT64_MAX);
    CU_ASSERT_STRING_EQUAL(summary, want_summary);
    CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_ACCESS, -1));
    narrate_access(tl, summary, sizeof summary);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "write 0x41ffc: TLB miss"));
    CU_ASSERT_PTR_NULL(strstr(summary, "(page"));
    timeline_destroy(tl);
    scenario_free(s);
}

/* ---- long moves, snapshots, the host ----------------------------------- */

/* A stop hook that says stop at its stop_at-th call, and keeps what it was
 * last told. */
#define STOPPER_KEPT 64

struct stopper {
    unsigned calls;
    unsigned stop_at;   /* the call that says stop (0: none) */
    struct tl_progress last;
    uint64_t called_at[STOPPER_KEPT]; /* the position of each of the first calls */
};

static bool stop_after(void *ctx, const struct tl_progress *progress)
{
    struct stopper *st = ctx;
    st->last = *progress;
    if (st->calls < STOPPER_KEPT)
        st->called_at[st->calls] = progress->position;
    return ++st->calls == st->stop_at;
}

/* The most events one operation of the record takes (a scenario item, an
 * event of its own, counts as one). */
static uint64_t longest_op(const struct record *r)
{
    uint64_t longest = 0, start = 0;
    for (uint64_t p = 1; p <= r->end; p++)
        if (r->at[p].ends_op) {
            if (p - start > longest)
                longest = p - start;
            start = p;
        }
    return longest;
}

/* Plays tl on to its end event by event, checking every position against
 * the record. Returns the mismatches. */
static unsigned plays_on_as_recorded(struct timeline *tl, const struct record *r,
                                     const char *what)
{
    unsigned bad = 0;
    while (bad < 3 && timeline_next(tl) != NULL)
        if (!same_as_recorded(tl, r, what))
            bad++;
    if (timeline_position(tl) != r->end || !timeline_at_end(tl)) {
        fprintf(stderr, "\n%s: played on to %llu, the end is %llu\n", what,
                (unsigned long long)timeline_position(tl), (unsigned long long)r->end);
        bad++;
    }
    return bad;
}

/* A timeline of s made as opts says, under policy (NULL: the
 * scenario's). */
static struct timeline *open_options_policy(const struct scenario *s, const char *policy,
                                            const struct timeline_options *opts)
{
    struct timeline_overrides o;
    struct diag d;
    timeline_overrides_init(&o);
    o.policy = policy;
    struct timeline *tl = timeline_create_with(s, &o, opts, &d);
    if (tl == NULL)
        fprintf(stderr, "\ntimeline_create_with failed: %s:%u:%u: %s\n", d.file, d.line,
                d.col, d.message);
    CU_ASSERT_PTR_NOT_NULL(tl);
    return tl;
}

static struct timeline *open_options(const struct scenario *s,
                                     const struct timeline_options *opts)
{
    return open_options_policy(s, NULL, opts);
}

/* The next event that ends an access, played from where tl is; NULL at
 * the end. */
static const struct tl_event *next_access_end(struct timeline *tl)
{
    const struct tl_event *e;
    while ((e = timeline_next(tl)) != NULL && !(e->kind == TL_MACHINE && e->ends_access))
        ;
    return e;
}

/* End (a seek past the end) abandoned at the hook's N-th call stops where
 * it had got to, a position reached playing forward; playing on from there
 * gives exactly the events of the uninterrupted run. */
/* End on a fresh timeline of s, abandoned by the stop hook at its
 * stop_at-th call: every call came once TIMELINE_POLL_EVENTS had passed,
 * and End stops where the hook said, at a position playing event by event
 * showed, the hook told where the move stood; later moves are not stopped
 * and play on as recorded. */
static void check_end_abandoned(const struct scenario *s, const struct record *r,
                                unsigned stop_at, const char *what)
{
    struct timeline *tl = open_policy(s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    struct stopper st = {.stop_at = stop_at};
    timeline_set_poll(tl, stop_after, &st);
    CU_ASSERT_FALSE(timeline_seek(tl, UINT64_MAX));
    CU_ASSERT_TRUE(timeline_stopped(tl));
    CU_ASSERT_EQUAL(st.calls, stop_at);
    uint64_t p = timeline_position(tl);
    /* The hook is called once TIMELINE_POLL_EVENTS events have passed
     * since the move began or the call before: after the event that
     * completes them, or at the end of the operation run whole in which
     * they complete. */
    uint64_t longest = longest_op(r), before = 0;
    CU_ASSERT_TRUE(longest > 0);
    for (unsigned i = 0; i < st.calls && i < STOPPER_KEPT; i++) {
        uint64_t gap = st.called_at[i] - before;
        CU_ASSERT_TRUE(st.called_at[i] > before && gap >= TIMELINE_POLL_EVENTS &&
                       gap < TIMELINE_POLL_EVENTS + longest);
        before = st.called_at[i];
    }
    CU_ASSERT_EQUAL(st.called_at[stop_at - 1], p);
    CU_ASSERT_TRUE(p < r->end);
    CU_ASSERT_FALSE(timeline_at_end(tl));
    CU_ASSERT_TRUE(same_as_recorded(tl, r, what));
    /* What the hook was told. */
    CU_ASSERT_EQUAL(st.last.task, TL_TASK_FORWARD);
    CU_ASSERT_EQUAL(st.last.position, p);
    CU_ASSERT_EQUAL(st.last.target, UINT64_MAX);
    CU_ASSERT_EQUAL(st.last.op_index, timeline_op_index(tl));
    CU_ASSERT_EQUAL(st.last.op_total, timeline_op_total(tl));
    CU_ASSERT_EQUAL(st.last.access_total, r->final.accesses);
    CU_ASSERT_TRUE(st.last.access_index <= r->final.accesses);
    /* Later moves are not stopped (the hook says stop only once). */
    CU_ASSERT_EQUAL(plays_on_as_recorded(tl, r, what), 0);
    CU_ASSERT_TRUE(timeline_seek(tl, p));
    CU_ASSERT_FALSE(timeline_stopped(tl));
    CU_ASSERT_TRUE(same_as_recorded(tl, r, what));
    timeline_destroy(tl);
}

static void test_poll_abandons_seek(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    if (s == NULL)
        return;
    struct timeline *ref = open_policy(s, NULL);
    struct record r = {0};
    if (ref && record_forward(ref, &r)) {
        static const unsigned stop_at[] = {1, 2, 7, 40};
        for (size_t i = 0; i < sizeof stop_at / sizeof stop_at[0]; i++) {
            char what[64];
            snprintf(what, sizeof what, "long, stopped at call %u", stop_at[i]);
            check_end_abandoned(s, &r, stop_at[i], what);
        }
    }
    free(r.at);
    timeline_destroy(ref);
    scenario_free(s);
}

/* Every other long move abandoned: a step forward by a chapter, run_until,
 * run_fast, a step back (both the search for where the unit begins and the
 * replay to it), each leaving a consistent position. */
static void test_poll_abandons_every_move(void)
{
    struct scenario *s = load("far.yaml", far_yaml);
    if (s == NULL)
        return;
    struct timeline *ref = open_policy(s, NULL);
    struct record r = {0};
    if (ref && record_forward(ref, &r)) {
        uint64_t second = next_boundary(&r, 1, TL_UNIT_CHAPTER);
        CU_ASSERT_TRUE(second > 20 * (uint64_t)TIMELINE_POLL_EVENTS);
        struct timeline *tl = open_policy(s, NULL);
        struct stopper st = {.stop_at = 3};
        if (tl) {
            timeline_set_poll(tl, stop_after, &st);
            /* Forward by a chapter. */
            CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_CHAPTER, +1)); /* to "first": short */
            CU_ASSERT_EQUAL(timeline_position(tl), 1);
            CU_ASSERT_FALSE(timeline_stopped(tl));
            CU_ASSERT_FALSE(timeline_step(tl, TL_UNIT_CHAPTER, +1));
            CU_ASSERT_TRUE(timeline_stopped(tl));
            uint64_t p = timeline_position(tl);
            CU_ASSERT_TRUE(p > 1 && p < second);
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "far: chapter step stopped"));
            CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_CHAPTER, +1));
            CU_ASSERT_EQUAL(timeline_position(tl), second);
            /* run_until: a failed expectation at the very end. */
            CU_ASSERT_TRUE(timeline_seek(tl, 5));
            st.calls = 0;
            CU_ASSERT_FALSE(timeline_run_until(tl, TL_STOP_FAILED));
            CU_ASSERT_TRUE(timeline_stopped(tl));
            p = timeline_position(tl);
            CU_ASSERT_TRUE(p > 5 && p < second);
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "far: run_until stopped"));
            CU_ASSERT_TRUE(timeline_run_until(tl, TL_STOP_FAILED));
            CU_ASSERT_EQUAL(timeline_position(tl), r.end);
            /* A step back by a chapter from the end: the search is
             * abandoned and the viewer stays where it was. */
            st.calls = 0;
            st.stop_at = 0; /* the seek there is not stopped, however long */
            CU_ASSERT_TRUE(timeline_seek(tl, second - 1));
            st.calls = 0;
            st.stop_at = 1;
            CU_ASSERT_FALSE(timeline_step(tl, TL_UNIT_CHAPTER, -1));
            CU_ASSERT_TRUE(timeline_stopped(tl));
            CU_ASSERT_EQUAL(st.last.task, TL_TASK_SEARCH);
            CU_ASSERT_EQUAL(timeline_position(tl), second - 1);
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "far: search stopped"));
            timeline_destroy(tl);
        }
        /* Without snapshots every step back replays from the start: the
         * replay is long, and abandoned it stops at a position on the way. */
        struct timeline_options headless = {.headless = true};
        tl = open_options(s, &headless);
        if (tl) {
            CU_ASSERT_TRUE(timeline_seek(tl, second));
            st.calls = 0;
            st.stop_at = 2;
            timeline_set_poll(tl, stop_after, &st);
            uint64_t target = second - 10;
            CU_ASSERT_FALSE(timeline_seek(tl, target));
            CU_ASSERT_TRUE(timeline_stopped(tl));
            CU_ASSERT_EQUAL(st.last.task, TL_TASK_REPLAY);
            CU_ASSERT_EQUAL(st.last.target, target);
            uint64_t p = timeline_position(tl);
            CU_ASSERT_TRUE(p > 0 && p < target);
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "far: replay stopped"));
            CU_ASSERT_TRUE(timeline_seek(tl, target));
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "far: after the replay stopped"));
            timeline_destroy(tl);
        }
        /* run_fast stops between two operations, at a position of the run. */
        tl = open_policy(s, NULL);
        if (tl) {
            st.calls = 0;
            st.stop_at = 4;
            timeline_set_poll(tl, stop_after, &st);
            CU_ASSERT_FALSE(timeline_run_fast(tl));
            CU_ASSERT_TRUE(timeline_stopped(tl));
            uint64_t p = timeline_position(tl);
            CU_ASSERT_TRUE(p > 0 && p < r.end);
            if (p < r.end && r.at[p].has_digest)
                CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), r.at[p].digest);
            CU_ASSERT_TRUE(timeline_run_fast(tl));
            CU_ASSERT_EQUAL(timeline_position(tl), r.end);
            CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), r.at[r.end].digest);
            timeline_destroy(tl);
        }
    }
    free(r.at);
    timeline_destroy(ref);
    scenario_free(s);
}

/* Steps tl forward by `unit` from position 0 to the end: each step must
 * land on the recorded run's next boundary and show what playing event by
 * event left there; at the end there is nothing more, and it says so.
 * Returns the steps taken. */
static unsigned steps_forward_as_recorded(struct timeline *tl, const struct record *r,
                                          enum tl_unit unit, const char *what)
{
    unsigned steps = 0, bad = 0;
    uint64_t at = 0;
    while (bad < 3 && at < r->end) {
        uint64_t expected = next_boundary(r, at, unit);
        CU_ASSERT_TRUE(timeline_step(tl, unit, +1));
        at = timeline_position(tl);
        CU_ASSERT_EQUAL(at, expected);
        if (at != expected || !same_as_recorded(tl, r, what))
            bad++;
        steps++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_FALSE(timeline_step(tl, unit, +1));
    CU_ASSERT_TRUE(timeline_at_end(tl));
    CU_ASSERT_EQUAL(timeline_position(tl), r->end);
    return steps;
}

/* Stepping forward by a chapter runs operations whole, quietly, and
 * rebuilds the log at the end: every chapter reached (and the end) shows
 * the machine, current event and log that playing event by event left
 * there, under every policy, with snapshots and headless. */
static void test_chapter_step_quiet(void)
{
    static const char *const policies[] = {"clock", "opt", "lru"};
    const char *names[] = {"far.yaml", "long.yaml"};
    const char *yamls[] = {far_yaml, long_yaml};
    for (size_t k = 0; k < 2; k++) {
        struct scenario *s = load(names[k], yamls[k]);
        if (s == NULL)
            continue;
        for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
            struct timeline *ref = open_policy(s, policies[p]);
            struct record r = {.stride = 1};
            if (!ref || !record_forward(ref, &r)) {
                timeline_destroy(ref);
                continue;
            }
            for (int headless = 0; headless < 2; headless++) {
                struct timeline_options opts = {.headless = headless != 0};
                struct timeline *tl = open_options_policy(s, policies[p], &opts);
                if (!tl)
                    continue;
                char what[160];
                snprintf(what, sizeof what, "%s/%s%s: chapter step", names[k], policies[p],
                         headless ? " headless" : "");
                CU_ASSERT_TRUE(steps_forward_as_recorded(tl, &r, TL_UNIT_CHAPTER, what) >= 2);
                /* Back a chapter, then forward again: the same chapter. */
                CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_CHAPTER, -1));
                uint64_t back = timeline_position(tl);
                CU_ASSERT_EQUAL(back, prev_boundary(&r, r.end, TL_UNIT_CHAPTER));
                CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_CHAPTER, +1));
                CU_ASSERT_EQUAL(timeline_position(tl), next_boundary(&r, back, TL_UNIT_CHAPTER));
                CU_ASSERT_TRUE(same_as_recorded(tl, &r, what));
                timeline_destroy(tl);
            }
            free(r.at);
            timeline_destroy(ref);
        }
        scenario_free(s);
    }
}

/* A step of many items: a reference string of 400 pages (some 4000
 * events, far more than the log holds) between shorter steps. */
static void long_step_yaml(char *out, size_t len)
{
    int n = snprintf(out, len,
                     "title: one long step\n"
                     "machine: {preset: tiny, frames: 4, table_frames: 4, swap: 32,\n"
                     "          tlb: {entries: 4, ways: 2}, policy: clock}\n"
                     "processes:\n"
                     "  - {name: a, pid: 1}\n"
                     "steps:\n"
                     "  - chapter: before\n"
                     "  - refs: \"1w 2 3\"\n"
                     "  - refs: \"");
    for (int i = 0; i < 400 && n > 0 && (size_t)n < len; i++)
        n += snprintf(out + n, len - (size_t)n, "%s%d%s", i ? " " : "", 1 + (i * 7) % 13,
                      i % 5 == 0 ? "w" : "");
    if (n > 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n,
                 "\"\n"
                 "  - say: between\n"
                 "  - refs: \"4 5w\"\n"
                 "  - expect: {faults: 1}\n");
}

/* Stepping forward by an operation runs the step's items before its last
 * whole, quietly, and plays the last event by event (it holds the event
 * that ends the step), then rebuilds the log: every step end reached
 * shows the machine, current event and log that playing event by event
 * left there, with snapshots and headless, under clock and opt. */
static void test_op_step_quiet(void)
{
    static char yaml[8192];
    long_step_yaml(yaml, sizeof yaml);
    struct scenario *s = load("one-long-step.yaml", yaml);
    if (s == NULL)
        return;
    static const char *const policies[] = {"clock", "opt"};
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        struct timeline *ref = open_policy(s, policies[p]);
        struct record r = {.stride = 1};
        if (!ref || !record_forward(ref, &r)) {
            timeline_destroy(ref);
            continue;
        }
        /* The long step really is long: more events than the log holds. */
        uint64_t longest = 0, last = 0;
        for (uint64_t at = 1; at <= r.end; at++)
            if (is_boundary(&r.at[at], TL_UNIT_OP)) {
                longest = at - last > longest ? at - last : longest;
                last = at;
            }
        CU_ASSERT_TRUE(longest > 4 * TIMELINE_LOG_SIZE);
        for (int headless = 0; headless < 2; headless++) {
            struct timeline_options opts = {.headless = headless != 0};
            struct timeline *tl = open_options_policy(s, policies[p], &opts);
            if (!tl)
                continue;
            char what[160];
            snprintf(what, sizeof what, "%s%s: step by operation", policies[p],
                     headless ? " headless" : "");
            /* chapter, refs, the long refs, say, refs, expect */
            CU_ASSERT_EQUAL(steps_forward_as_recorded(tl, &r, TL_UNIT_OP, what), 6);
            /* From inside the long step: to its end, as playing leaves it. */
            uint64_t inside = next_boundary(&r, 1, TL_UNIT_OP) + 10;
            CU_ASSERT_TRUE(timeline_seek(tl, inside));
            CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_OP, +1));
            CU_ASSERT_EQUAL(timeline_position(tl), next_boundary(&r, inside, TL_UNIT_OP));
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, what));
            timeline_destroy(tl);
        }
        free(r.at);
        timeline_destroy(ref);
    }
    scenario_free(s);
}

/* OPT's future as a timeline learnt it at creation before it learnt it
 * lazily: the machine of position 0 given the future first, then every
 * operation run whole. digests[i] is the machine after access i + 1;
 * *start the machine before any. Returns the accesses, 0 on failure. */
static uint64_t future_first_digests(const struct scenario *s, const char *policy,
                                     uint64_t **digests, uint64_t *start)
{
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    o.policy = policy;
    struct machine_config cfg;
    uint64_t total = 0;
    struct diag d;
    struct program prog;
    uint32_t *future = NULL;
    *digests = NULL;
    if (!setup_config(s, &o, &cfg, &d) || !setup_check(s, &cfg, &total, &d))
        return 0;
    struct machine *m = setup_machine(s, &cfg, &d);
    if (!m || !program_init(&prog, s, geometry_page_size(&cfg.geo), &d)) {
        machine_destroy(m);
        return 0;
    }
    uint32_t first_pid = (uint32_t)s->processes[0].pid.value;
    *start = machine_digest(m);
    uint64_t count = 0;
    *digests = malloc(total * sizeof **digests);
    future = malloc(total * sizeof *future);
    if (*digests && future &&
        setup_future(&prog, m, first_pid, total, NULL, NULL, future, &d) == SETUP_DONE) {
        machine_set_future(m, future, total);
        struct cursor cur;
        struct item item;
        cursor_start(&prog, &cur, first_pid);
        while (count < total && cursor_next(&prog, &cur, m, &item)) {
            if (item.kind != ITEM_OP)
                continue;
            bool access = item.op.kind == OP_ACCESS;
            machine_run_op(m, &item.op);
            if (access)
                (*digests)[count++] = machine_digest(m);
        }
    }
    CU_ASSERT_EQUAL(count, total);
    free(future);
    program_destroy(&prog);
    machine_destroy(m);
    return count;
}

/* Plays tl on event by event to its end, checking the machine after
 * every access against digests (see future_first_digests). Returns the
 * mismatches; *checked counts the accesses compared. */
static unsigned plays_as_future_first(struct timeline *tl, const uint64_t *digests,
                                      uint64_t accesses, uint64_t *checked)
{
    unsigned bad = 0;
    const struct tl_event *e;
    *checked = 0;
    while ((e = timeline_next(tl)) != NULL) {
        if (e->kind != TL_MACHINE || !e->ends_access || e->access_seq == 0)
            continue;
        (*checked)++;
        if (e->access_seq > accesses ||
            machine_digest(timeline_machine(tl)) != digests[e->access_seq - 1]) {
            if (bad++ < 3)
                fprintf(stderr, "\naccess %llu at position %llu: not the machine that knew "
                        "the future from the start\n",
                        (unsigned long long)e->access_seq,
                        (unsigned long long)e->position);
        }
    }
    return bad;
}

/* OPT's future is learnt by the first move forward, not at creation, and
 * the machine then plays as one that knew it from the start: the same
 * digest after every access, event by event, after seeks back and forth
 * and in a headless run. */
static void test_future_learnt_lazily(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    if (s == NULL)
        return;
    uint64_t *digests, start;
    uint64_t accesses = future_first_digests(s, "opt", &digests, &start);
    CU_ASSERT_EQUAL(accesses, 1800 * 12);
    struct stopper st = {0};
    struct timeline_options opts = {.stop = stop_after, .stop_ctx = &st};
    struct timeline *tl = open_options_policy(s, "opt", &opts);
    if (tl && accesses) {
        /* Creation played nothing, so the hook was never asked. */
        CU_ASSERT_EQUAL(st.calls, 0);
        CU_ASSERT_EQUAL(timeline_position(tl), 0);
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), start);
        uint64_t checked;
        CU_ASSERT_EQUAL(plays_as_future_first(tl, digests, accesses, &checked), 0);
        CU_ASSERT_EQUAL(checked, accesses);
        /* Back and forth over 20 positions: the states of the same run. */
        uint64_t end = timeline_position(tl), rng = 14;
        for (int i = 0; i < 20; i++) {
            CU_ASSERT_TRUE(timeline_seek(tl, rng_below(&rng, end)));
            const struct tl_event *e = next_access_end(tl);
            if (e && e->access_seq > 0)
                CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)),
                                digests[e->access_seq - 1]);
        }
    }
    timeline_destroy(tl);
    struct timeline_options headless = {.headless = true};
    tl = open_options_policy(s, "opt", &headless);
    if (tl && accesses) {
        CU_ASSERT_TRUE(timeline_run_headless(tl, NULL, NULL));
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), digests[accesses - 1]);
    }
    timeline_destroy(tl);
    free(digests);
    scenario_free(s);
}

/* ---- OPT's future from the stream of accesses ------------------------ */

/* One access as the machine pass reads it: its process's pid (0 for
 * none) and page, and its index. */
struct access_page {
    uint32_t pid;
    uint64_t vpn;
    uint64_t index;
};

static int compare_access_pages(const void *a, const void *b)
{
    const struct access_page *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->vpn != y->vpn)
        return x->vpn < y->vpn ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* OPT's future as the machine knows it, written out plainly for s under
 * opt: the program played operation by operation on the machine of
 * position 0, each access's pid and page read on the machine as it stands
 * before the access, and the next use of each access found by sorting the
 * accesses by page. *next gets `total` entries (malloc'd), accesses past
 * the program's end having none. Returns total, 0 when s cannot play. */
static uint64_t future_by_machine(const struct scenario *s, uint32_t **next)
{
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    o.policy = "opt";
    struct machine_config cfg;
    uint64_t total = 0, count = 0;
    struct diag d;
    struct program prog;
    *next = NULL;
    if (!setup_config(s, &o, &cfg, &d) || !setup_check(s, &cfg, &total, &d) || total == 0)
        return 0;
    struct machine *m = setup_machine(s, &cfg, &d);
    if (!m || !program_init(&prog, s, geometry_page_size(&cfg.geo), &d)) {
        machine_destroy(m);
        return 0;
    }
    struct access_page *seen = malloc(total * sizeof *seen);
    *next = malloc(total * sizeof **next);
    if (seen && *next) {
        struct cursor cur;
        struct item item;
        cursor_start(&prog, &cur, (uint32_t)s->processes[0].pid.value);
        while (count < total && cursor_next(&prog, &cur, m, &item)) {
            if (item.kind != ITEM_OP)
                continue;
            if (item.op.kind == OP_ACCESS) {
                const struct process *p = item.op.pid ? machine_process(m, item.op.pid)
                                                      : machine_running(m);
                seen[count] = (struct access_page){p ? p->pid : 0,
                                                   geometry_vpn(&m->cfg.geo, item.op.va), count};
                count++;
            }
            machine_run_op(m, &item.op);
        }
        qsort(seen, count, sizeof *seen, compare_access_pages);
        for (uint64_t i = 0; i < total; i++)
            (*next)[i] = MACHINE_NO_NEXT_USE;
        for (uint64_t i = 0; i + 1 < count; i++)
            if (seen[i].pid == seen[i + 1].pid && seen[i].vpn == seen[i + 1].vpn)
                (*next)[seen[i].index] = (uint32_t)seen[i + 1].index;
    }
    free(seen);
    program_destroy(&prog);
    machine_destroy(m);
    return total;
}

/* Counts the items a pass reads, as its stop hook hears of them. */
static bool count_polls(void *ctx, const struct cursor *cur, uint64_t items)
{
    (void)cur;
    *(uint64_t *)ctx += items;
    return false;
}

/* OPT's future as setup_future learns it for s under opt (next malloc'd,
 * `total` entries), with *polls the items its passes read; the outcome,
 * err set when it failed. */
static enum setup_outcome future_by_setup(const struct scenario *s, uint32_t **next,
                                          uint64_t *polls, uint64_t max_table_bytes,
                                          struct diag *err)
{
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    o.policy = "opt";
    struct machine_config cfg;
    uint64_t total = 0;
    struct program prog;
    *next = NULL;
    *polls = 0;
    if (!setup_config(s, &o, &cfg, err) || !setup_check(s, &cfg, &total, err))
        return SETUP_FAILED;
    struct machine *m = setup_machine(s, &cfg, err);
    if (!m || !program_init(&prog, s, geometry_page_size(&cfg.geo), err)) {
        machine_destroy(m);
        return SETUP_FAILED;
    }
    if (max_table_bytes)
        m->pt.max_bytes = max_table_bytes;
    *next = malloc((total ? total : 1) * sizeof **next);
    enum setup_outcome learnt =
        *next ? setup_future(&prog, m, (uint32_t)s->processes[0].pid.value, total, count_polls,
                             polls, *next, err)
              : SETUP_FAILED;
    program_destroy(&prog);
    machine_destroy(m);
    return learnt;
}

/* setup_future's table equals the machine's, entry by entry, for s (named
 * what); true when it does. */
static bool future_as_machine(const struct scenario *s, const char *what)
{
    uint32_t *want = NULL, *got = NULL;
    uint64_t polls, total = future_by_machine(s, &want);
    struct diag d;
    bool same = total > 0 && future_by_setup(s, &got, &polls, 0, &d) == SETUP_DONE;
    uint64_t differ = 0;
    for (uint64_t i = 0; same && i < total; i++)
        if (got[i] != want[i] && differ++ < 3)
            fprintf(stderr, "\n%s: access %llu: next use %u, the machine's %u\n", what,
                    (unsigned long long)i, got[i], want[i]);
    free(want);
    free(got);
    return same && differ == 0;
}

/* Every scenario of the library: the future setup_future learns equals
 * the machine's, whichever pass it took; the ones made of accesses at
 * numbers alone take the pass without a machine. */
static void test_future_library(void)
{
    char *names[256];
    size_t n = library_paths(names, 256);
    static const char *const from_stream[] = {"../scenarios/belady.yaml",
                                              "../scenarios/policies.yaml"};
    size_t streamed = 0;
    for (size_t i = 0; i < n; i++) {
        struct diag d;
        struct scenario *s = scenario_load(names[i], &d);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (s) {
            bool stream = setup_stream_decides_pages(s);
            bool listed = false;
            for (size_t k = 0; k < sizeof from_stream / sizeof from_stream[0]; k++)
                listed = listed || strcmp(names[i], from_stream[k]) == 0;
            if (stream != listed)
                fprintf(stderr, "\n%s: %s the steps alone\n", names[i],
                        stream ? "unexpectedly decided by" : "not decided by");
            CU_ASSERT_EQUAL(stream, listed);
            streamed += stream;
            CU_ASSERT_TRUE(future_as_machine(s, names[i]));
            scenario_free(s);
        }
        free(names[i]);
    }
    CU_ASSERT_EQUAL(streamed, sizeof from_stream / sizeof from_stream[0]);
}

/* A random scenario of three processes and accesses at numbers alone: rw
 * traces with and without an explicit pid (pid 1 runs), refs, writes and
 * fills, on few frames and `swap` slots, so that the OOM killer ends
 * processes on the way (when swap is small) and accesses outside the
 * declared areas get SIGSEGV; every later access of a killed process is
 * still an access of its pid. In a fresh directory dir; false when it
 * cannot be written. */
static bool write_random_processes(char *dir, uint64_t seed, unsigned swap, char *yaml,
                                   size_t yaml_size)
{
    if (mkdtemp(dir) == NULL)
        return false;
    char path[128];
    snprintf(yaml, yaml_size, "%s/procs.yaml", dir);
    FILE *y = fopen(yaml, "w");
    bool ok = y != NULL;
    uint64_t state = seed | 1;
    static const char *const traces[] = {"a.rw", "b.rw", "c.rw"};
    for (unsigned t = 0; ok && t < 3; t++) {
        snprintf(path, sizeof path, "%s/%s", dir, traces[t]);
        FILE *fp = fopen(path, "w");
        ok = fp != NULL;
        for (unsigned i = 0; ok && i < 700; i++) {
            /* Mostly inside the areas (pages 0..39), some beyond them. */
            uint64_t page = rng_below(&state, 10) ? rng_below(&state, 40) : 40 + rng_below(&state, 30);
            fprintf(fp, "%c 0x%llx\n", rng_below(&state, 3) ? 'W' : 'R',
                    (unsigned long long)(0x10000000 + page * 4096 + rng_below(&state, 4096)));
        }
        ok = fp && fclose(fp) == 0 && ok;
    }
    if (ok) {
        fprintf(y,
                "title: random processes\n"
                "machine: {preset: x86_64, frames: 40, swap: %u, tlb: {entries: 8, ways: 2}}\n"
                "processes:\n"
                "  - {name: one, pid: 1, areas: [{name: heap, start: 0x10000000, size: 160KiB}]}\n"
                "  - {name: two, pid: 2, areas: [{name: heap, start: 0x10000000, size: 160KiB}]}\n"
                "  - {name: three, pid: 3, areas: [{name: heap, start: 0x10000000, size: 160KiB}]}\n"
                "steps:\n"
                "  - chapter: all three\n"
                "  - trace: {file: a.rw, format: rw, pid: 2}\n"
                "  - refs: {pages: [65536, 65537, 65538, 65536], pid: 3}\n"
                "  - repeat:\n"
                "      times: 3\n"
                "      steps:\n"
                "        - write: {addr: 0x10003008, pid: 3}\n"
                "        - fill: {start: 0x10000000, size: 64KiB, access: write, pid: %u}\n"
                "        - say: and again\n"
                "  - trace: {file: b.rw, format: rw, auto_areas: true}\n"
                "  - trace: {file: c.rw, format: rw, pid: %u}\n"
                "  - read: 0x10001000\n",
                swap, (unsigned)(1 + seed % 3), (unsigned)(1 + (seed / 3) % 3));
    }
    if (y)
        ok = fclose(y) == 0 && ok;
    return ok;
}

static void remove_random_processes(const char *dir, const char *yaml)
{
    static const char *const traces[] = {"a.rw", "b.rw", "c.rw"};
    char path[128];
    for (unsigned t = 0; t < 3; t++) {
        snprintf(path, sizeof path, "%s/%s", dir, traces[t]);
        remove(path);
    }
    remove(yaml);
    rmdir(dir);
}

/* Random traces of several processes, some of them killed on the way:
 * the future learnt from the steps alone equals the machine's. At least
 * one run has OOM kills and segfaults, so that the kills are tried. */
static void test_future_random_processes(void)
{
    static const unsigned swaps[] = {0, 4, 16, 512};
    uint64_t kills = 0, segfaults = 0;
    for (unsigned i = 0; i < 8; i++) {
        char dir[] = "/tmp/vmviz-future-XXXXXX", yaml[128];
        uint64_t seed = 11 + 7 * i;
        CU_ASSERT_TRUE_FATAL(write_random_processes(dir, seed, swaps[i % 4], yaml, sizeof yaml));
        struct diag d;
        struct scenario *s = scenario_load(yaml, &d);
        if (s == NULL)
            fprintf(stderr, "\n%s:%u:%u: %s\n", d.file, d.line, d.col, d.message);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (s) {
            CU_ASSERT_TRUE(setup_stream_decides_pages(s));
            char what[64];
            snprintf(what, sizeof what, "random processes, seed %llu", (unsigned long long)seed);
            CU_ASSERT_TRUE(future_as_machine(s, what));
            struct timeline *tl = open_policy(s, "opt");
            if (tl) {
                timeline_run_fast(tl);
                CU_ASSERT_EQUAL(timeline_failures(tl), 0);
                kills += timeline_machine(tl)->counters.oom_kills;
                segfaults += timeline_machine(tl)->counters.segfaults;
                timeline_destroy(tl);
            }
            scenario_free(s);
        }
        remove_random_processes(dir, yaml);
    }
    if (kills < 2 || segfaults < 1)
        fprintf(stderr, "\n%llu OOM kills, %llu segfaults\n", (unsigned long long)kills,
                (unsigned long long)segfaults);
    if (kills < 2 || segfaults < 1)
        fprintf(stderr, "\n%llu OOM kills, %llu segfaults\n", (unsigned long long)kills,
                (unsigned long long)segfaults);
    CU_ASSERT_TRUE(kills >= 2);
    CU_ASSERT_TRUE(segfaults >= 1);
}

/* Writes to pages first to last (page numbers from 0x10000000) into fp. */
static void write_pages(FILE *fp, uint64_t first, uint64_t last)
{
    int64_t step = first <= last ? 1 : -1;
    for (uint64_t page = first;; page += (uint64_t)step) {
        fprintf(fp, "W 0x%llx\n", (unsigned long long)(0x10000000 + page * 4096));
        if (page == last)
            break;
    }
}

/* Pages the way the map of pages seen stores them in every way it can: a
 * first page, a few far above it that no dense range holds yet, a range
 * falling below the first, one rising above it to take in the far ones,
 * pages at the far end of the address space, the same page numbers in a
 * second process, and all of it again so that every page has a next
 * use. The future learnt from the steps alone equals the machine's. */
static void scattered_pages_as_machine(unsigned second_pid)
{
    char dir[] = "/tmp/vmviz-future-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char trace[128], yaml[512];
    snprintf(trace, sizeof trace, "%s/pages.rw", dir);
    FILE *fp = fopen(trace, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    for (int round = 0; round < 2; round++) {
        write_pages(fp, 5000, 5000);
        write_pages(fp, 9000, 9009);
        write_pages(fp, 4487, 3000);
        write_pages(fp, 5512, 9100);
        write_pages(fp, UINT64_C(0x7fff0000) - 0x10000, UINT64_C(0x7fff0000) - 0x10000 + 3);
    }
    CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);
    snprintf(yaml, sizeof yaml,
             "title: scattered pages\n"
             "machine: {preset: x86_64, frames: 64, swap: 16384}\n"
             "processes:\n"
             "  - {name: one, pid: 1}\n"
             "  - {name: two, pid: %u}\n"
             "steps:\n"
             "  - trace: {file: %s, format: rw, auto_areas: true}\n"
             "  - trace: {file: %s, format: rw, auto_areas: true, pid: %u}\n",
             second_pid, trace, trace, second_pid);
    struct scenario *s = load("scattered.yaml", yaml);
    if (s) {
        CU_ASSERT_TRUE(setup_stream_decides_pages(s));
        CU_ASSERT_TRUE(future_as_machine(s, "scattered pages"));
        scenario_free(s);
    }
    remove(trace);
    rmdir(dir);
}

static void test_future_scattered_pages(void)
{
    scattered_pages_as_machine(2);
}

/* Writes, in a fresh directory dir, a pages trace, a lackey one whose
 * records sometimes cross a page or are an M, and an rw one, 3000 lines
 * each, and a scenario playing them in two processes (the rw one cut short
 * by a limit) into yaml; false when they cannot be written. */
static bool write_trace_formats(char *dir, char path[3][128], char *yaml, size_t yaml_size)
{
    if (mkdtemp(dir) == NULL)
        return false;
    static const char *const names[] = {"p.txt", "l.txt", "r.rw"};
    uint64_t state = 77;
    for (int t = 0; t < 3; t++) {
        snprintf(path[t], 128, "%s/%s", dir, names[t]);
        FILE *fp = fopen(path[t], "w");
        if (!fp)
            return false;
        for (unsigned i = 0; i < 3000; i++) {
            uint64_t page = rng_below(&state, 90);
            if (t == 0) {
                fprintf(fp, "%llu%s\n", (unsigned long long)(0x10000 + page),
                        rng_below(&state, 3) ? "" : "w");
            } else if (t == 1) {
                char op = "ILSM"[rng_below(&state, 4)];
                /* Now and then a record that ends past its page. */
                uint64_t offset = rng_below(&state, 8) ? rng_below(&state, 4000) : 4092;
                fprintf(fp, "%s%c %llx,%u\n", op == 'I' ? "" : " ", op,
                        (unsigned long long)(0x10000000 + page * 4096 + offset),
                        (unsigned)(1 + rng_below(&state, 8)));
            } else {
                fprintf(fp, "%c 0x%llx\n", rng_below(&state, 2) ? 'R' : 'W',
                        (unsigned long long)(0x10000000 + page * 4096));
            }
        }
        if (fclose(fp) != 0)
            return false;
    }
    snprintf(yaml, yaml_size, "%s/formats.yaml", dir);
    FILE *y = fopen(yaml, "w");
    if (!y)
        return false;
    fprintf(y,
            "title: every format\n"
            "machine: {preset: x86_64, frames: 48, swap: 4096}\n"
            "processes:\n"
            "  - {name: one, pid: 1}\n"
            "  - {name: two, pid: 2}\n"
            "steps:\n"
            "  - trace: {file: %s, format: pages}\n"
            "  - say: between the traces\n"
            "  - trace: {file: %s, format: lackey, auto_areas: true, pid: 2}\n"
            "  - trace: {file: %s, format: rw, auto_areas: true, limit: 2500}\n",
            path[0], path[1], path[2]);
    return fclose(y) == 0;
}

static void remove_trace_formats(const char *dir, char path[3][128], const char *yaml)
{
    for (int t = 0; t < 3; t++)
        remove(path[t]);
    remove(yaml);
    rmdir(dir);
}

/* write_trace_formats, then its scenario loaded; NULL when either fails. */
static struct scenario *trace_formats_scenario(char *dir, char path[3][128], char *yaml,
                                               size_t yaml_size)
{
    struct diag d;
    return write_trace_formats(dir, path, yaml, yaml_size) ? scenario_load(yaml, &d) : NULL;
}

/* Traces of each format, which the pass without a machine reads in runs
 * (cursor_next_trace_run) and one by one where a run stops, each step's
 * last access read alone. The future learnt from the steps alone equals
 * the machine's. */
static void test_future_trace_formats(void)
{
    char dir[] = "/tmp/vmviz-future-XXXXXX", path[3][128], yaml[160];
    struct scenario *s = trace_formats_scenario(dir, path, yaml, sizeof yaml);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(setup_stream_decides_pages(s));
    CU_ASSERT_TRUE(future_as_machine(s, "every format"));
    scenario_free(s);
    remove_trace_formats(dir, path, yaml);
}

/* A cursor that reads runs where it can gives the items, and stands where,
 * a cursor reading item by item does: every item the same, field by field
 * (the operation byte for byte), the counters after each the same, and
 * after each run, cut short at a random access now and then
 * (cursor_run_done with fewer than it read, the rest read again), the
 * same position. Most accesses come in runs. */
static void test_cursor_runs(void)
{
    char dir[] = "/tmp/vmviz-runs-XXXXXX", path[3][128], yaml[160];
    struct scenario *s = trace_formats_scenario(dir, path, yaml, sizeof yaml);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct diag d;
    struct timeline *tl = timeline_create(s, NULL, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    const struct machine *m = timeline_machine(tl);
    struct program one, runs;
    CU_ASSERT_FATAL(program_init(&one, s, geometry_page_size(&m->cfg.geo), &d));
    CU_ASSERT_FATAL(program_init(&runs, s, geometry_page_size(&m->cfg.geo), &d));
    struct cursor a, b;
    cursor_start(&one, &a, 1);
    cursor_start(&runs, &b, 1);
    static struct cursor_run run;
    struct item ia, ib;
    uint64_t items = 0, in_runs = 0, differ = 0, misplaced = 0, cut = 0, rng = 5;
    for (;;) {
        size_t n = cursor_next_trace_run(&runs, &b, &run), used = n;
        if (n > 0) {
            if (rng_below(&rng, 4) == 0) {
                used = (size_t)rng_below(&rng, n);
                cut++;
            }
            for (size_t i = 0; i < used; i++, items++) {
                cursor_run_item(&b, &run, i, &ib);
                bool got = cursor_next(&one, &a, m, &ia);
                differ += !got || ia.kind != ib.kind || ia.step != ib.step ||
                          ia.last_of_step != ib.last_of_step || ia.page_part != ib.page_part ||
                          ia.record_bytes != ib.record_bytes ||
                          memcmp(&ia.op, &ib.op, sizeof ia.op) != 0 ||
                          a.sub != b.sub || a.access_seq != b.access_seq || a.op_seq != b.op_seq;
            }
            cursor_run_done(&b, &run, used);
            in_runs += used;
            misplaced += a.tpos.offset != b.tpos.offset || a.tpos.line != b.tpos.line ||
                         a.tpos.emitted != b.tpos.emitted || a.sub != b.sub ||
                         a.access_seq != b.access_seq;
            continue;
        }
        bool got_a = cursor_next(&one, &a, m, &ia), got_b = cursor_next(&runs, &b, m, &ib);
        differ += got_a != got_b;
        if (!got_a || !got_b)
            break;
        items++;
        differ += ia.kind != ib.kind || ia.step != ib.step || ia.last_of_step != ib.last_of_step ||
                  (ia.kind == ITEM_OP && memcmp(&ia.op, &ib.op, sizeof ia.op) != 0);
    }
    CU_ASSERT_EQUAL(differ, 0);
    CU_ASSERT_EQUAL(misplaced, 0);
    /* 3000 + 2500 lines, the lackey trace's M records and records across
     * pages twice, a say and a chapter-less start: the items all came. */
    CU_ASSERT_TRUE(items > 8500);
    CU_ASSERT_TRUE(in_runs > items / 2);
    CU_ASSERT_TRUE(cut > 0);
    program_destroy(&one);
    program_destroy(&runs);
    timeline_destroy(tl);
    scenario_free(s);
    remove_trace_formats(dir, path, yaml);
}

/* A fast run that plays traces in runs takes its snapshots where they
 * fall due, inside a run too, each holding the cursor where it stood:
 * going back to any position after it finds the machine, the counters and
 * the access index that stepping event by event finds there, and playing
 * on from there ends where stepping ends. Under fifo and opt. */
static void test_fast_runs_then_back(void)
{
    char dir[] = "/tmp/vmviz-runs-XXXXXX", path[3][128], yaml[160];
    struct scenario *s = trace_formats_scenario(dir, path, yaml, sizeof yaml);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    static const char *const policies[] = {"fifo", "opt"};
    for (int k = 0; k < 2; k++) {
        enum { POINTS = 40 };
        struct timeline *slow = open_policy(s, policies[k]);
        struct timeline *fast = open_policy(s, policies[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(slow);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fast);
        CU_ASSERT_TRUE(timeline_run_fast(fast));
        uint64_t end = timeline_position(fast), rng = 3 + (uint64_t)k;
        CU_ASSERT_TRUE(end > 20000);
        CU_ASSERT_TRUE(timeline_snapshot_count(fast) > 4);
        uint64_t at[POINTS], digest[POINTS], accesses[POINTS], index[POINTS];
        for (int i = 0; i < POINTS; i++)
            at[i] = 1 + rng_next(&rng) % end;
        /* In order, so that one pass of stepping sees every point. */
        for (int i = 1; i < POINTS; i++)
            for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
                uint64_t t = at[j];
                at[j] = at[j - 1];
                at[j - 1] = t;
            }
        int next = 0;
        while (next < POINTS && timeline_next(slow) != NULL)
            while (next < POINTS && timeline_position(slow) == at[next]) {
                digest[next] = machine_digest(timeline_machine(slow));
                accesses[next] = timeline_machine(slow)->counters.accesses;
                index[next] = timeline_access_index(slow);
                next++;
            }
        CU_ASSERT_EQUAL_FATAL(next, POINTS);
        uint64_t differ = 0;
        for (int i = POINTS - 1; i >= 0; i--) {
            CU_ASSERT_TRUE(timeline_seek(fast, at[i]));
            differ += timeline_position(fast) != at[i] ||
                      machine_digest(timeline_machine(fast)) != digest[i] ||
                      timeline_machine(fast)->counters.accesses != accesses[i] ||
                      timeline_access_index(fast) != index[i];
        }
        CU_ASSERT_EQUAL(differ, 0);
        while (timeline_next(slow) != NULL)
            ;
        CU_ASSERT_TRUE(timeline_run_fast(fast));
        CU_ASSERT_EQUAL(timeline_position(fast), end);
        CU_ASSERT_EQUAL(timeline_position(slow), end);
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(fast)),
                        machine_digest(timeline_machine(slow)));
        timeline_destroy(slow);
        timeline_destroy(fast);
    }
    scenario_free(s);
    remove_trace_formats(dir, path, yaml);
}

/* Long moves over traces played in runs, abandoned by the stop hook at its
 * N-th call: End, a step forward by an operation (a trace's accesses are
 * one) and a run to the next eviction, each stopped inside a trace. They
 * stop at a position playing forward reaches, with its machine and log,
 * and playing on from there gives exactly the events of the uninterrupted
 * run. */
static void test_poll_abandons_runs(void)
{
    char dir[] = "/tmp/vmviz-runs-XXXXXX", path[3][128], yaml[160];
    struct scenario *s = trace_formats_scenario(dir, path, yaml, sizeof yaml);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct timeline *ref = open_policy(s, NULL);
    struct record r = {0};
    CU_ASSERT_FATAL(ref && record_forward(ref, &r));
    static const unsigned stop_at[] = {1, 3, 6};
    for (int move = 0; move < 3; move++)
        for (size_t i = 0; i < sizeof stop_at / sizeof stop_at[0]; i++) {
            char what[64];
            snprintf(what, sizeof what, "move %d stopped at call %u", move, stop_at[i]);
            struct timeline *tl = open_policy(s, NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
            /* Into the first trace, by a step, before the hook is set. */
            CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_EVENT, +1));
            struct stopper st = {.stop_at = stop_at[i]};
            timeline_set_poll(tl, stop_after, &st);
            bool moved = move == 0 ? timeline_seek(tl, UINT64_MAX)
                       : move == 1 ? timeline_step(tl, TL_UNIT_OP, +1)
                                   : timeline_run_until(tl, TL_STOP_EVICTION) &&
                                         timeline_run_until(tl, TL_STOP_STEP_END);
            CU_ASSERT_FALSE(moved);
            CU_ASSERT_TRUE(timeline_stopped(tl));
            CU_ASSERT_TRUE(timeline_position(tl) > 1 && timeline_position(tl) < r.end);
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, what));
            CU_ASSERT_EQUAL(plays_on_as_recorded(tl, &r, what), 0);
            timeline_destroy(tl);
        }
    free(r.at);
    timeline_destroy(ref);
    scenario_free(s);
    remove_trace_formats(dir, path, yaml);
}

/* Two processes whose pids differ by 4096, touching the same pages: each
 * page's next use stays in its own process (a key made of the pid shifted
 * above the page number mixed them up). */
static void test_future_pids_apart(void)
{
    scattered_pages_as_machine(4097);
}

/* What the steps alone decide: accesses at numbers, with or without a
 * pid, and items that run nothing; not a step that changes areas or
 * processes, nor an address that names an area. */
static void test_future_stream_criterion(void)
{
    static const char *const head =
        "title: t\n"
        "machine: {preset: x86_64, frames: 8}\n"
        "processes:\n"
        "  - {name: a, pid: 1, areas: [{name: buf, start: 0x10000000, size: 64KiB}]}\n"
        "  - {name: b, pid: 2}\n"
        "steps:\n";
    static const struct {
        const char *steps;
        bool decided;
    } cases[] = {
        {"  - write: 0x10000000\n  - read: {addr: 0x10001000, pid: 2}\n", true},
        {"  - say: hello\n  - repeat: {times: 2, steps: [{fill: {start: 0x10000000, "
         "size: 8KiB}}]}\n  - expect: {accesses: 4}\n", true},
        {"  - refs: {pages: [1, 2, 1]}\n  - pause:\n", true},
        {"  - write: buf+8\n", false},
        {"  - fill: {start: buf, size: 8KiB}\n", false},
        {"  - mmap: {name: more, size: 8KiB}\n  - write: 0x10000000\n", false},
        {"  - fork: {child: 3}\n  - write: 0x10000000\n", false},
        {"  - switch: 2\n  - write: 0x10000000\n", false},
        {"  - write: 0x10000000\n  - exit: 1\n", false},
        {"  - repeat: {times: 2, steps: [{write: 0x10000000}, {munmap: {name: buf}}]}\n", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, "%s%s", head, cases[i].steps);
        struct scenario *s = load("criterion.yaml", yaml);
        if (s == NULL)
            continue;
        if (setup_stream_decides_pages(s) != cases[i].decided)
            fprintf(stderr, "\ncase %zu: expected %s\n", i,
                    cases[i].decided ? "decided by the steps" : "a pass on a machine");
        CU_ASSERT_EQUAL(setup_stream_decides_pages(s), cases[i].decided);
        CU_ASSERT_TRUE(future_as_machine(s, "criterion"));
        scenario_free(s);
    }
}

/* Near the cap on page-table bytes the steps alone cannot tell whether the
 * machine stops: a run of 300 accesses to 2 pages whose tables fit is
 * learnt in one pass without a machine (one poll per item); the same
 * accesses spread over 3 leaf tables that do not fit are played on a
 * machine, which stops at the cap, as the pass on a machine always did. */
static void test_future_table_cap(void)
{
    static const char *const yaml_fmt =
        "title: cap\n"
        "machine: {preset: x86_64, frames: 64}\n"
        "processes:\n"
        "  - {name: a, pid: 1}\n"
        "steps:\n"
        "  - repeat: {times: 100, steps: [{refs: {pages: [%u, %u, %u]}}]}\n";
    char yaml[512];
    struct diag d;
    /* Room for two pages' paths of 3 tables of 4 KiB each beyond the root
     * and what position 0 holds. */
    snprintf(yaml, sizeof yaml, yaml_fmt, 5, 6, 5);
    struct scenario *s = load("cap.yaml", yaml);
    if (s == NULL)
        return;
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct machine_config cfg;
    uint64_t total = 0;
    CU_ASSERT_TRUE_FATAL(setup_config(s, &o, &cfg, &d) && setup_check(s, &cfg, &total, &d));
    struct machine *m = setup_machine(s, &cfg, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint64_t cap = m->pt.bytes + 2 * 3 * 4096;
    machine_destroy(m);
    uint32_t *next = NULL;
    uint64_t polls = 0;
    CU_ASSERT_EQUAL(future_by_setup(s, &next, &polls, cap, &d), SETUP_DONE);
    /* 100 repeats of one refs step of 3 items. */
    CU_ASSERT_EQUAL(polls, 300);
    if (next) {
        CU_ASSERT_EQUAL(next[0], 2);
        CU_ASSERT_EQUAL(next[1], 4);
        CU_ASSERT_EQUAL(next[298], MACHINE_NO_NEXT_USE);
    }
    free(next);
    scenario_free(s);
    /* Pages 1 GiB apart: a directory and a leaf table each besides the
     * first page's three, seven tables where six fit. */
    snprintf(yaml, sizeof yaml, yaml_fmt, 5, 5 + 262144, 5 + 2 * 262144);
    s = load("cap.yaml", yaml);
    if (s == NULL)
        return;
    CU_ASSERT_EQUAL(future_by_setup(s, &next, &polls, cap, &d), SETUP_FAILED);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.message, "a limit of vmviz-scenario(5)"));
    /* The pass without a machine, then the one on a machine to the stop. */
    CU_ASSERT_TRUE(polls > 300);
    free(next);
    scenario_free(s);
}

/* The stop hook can abandon the learning of OPT's future at the first move
 * forward: the timeline stays at position 0, usable, and the next move
 * learns it again and plays as a machine that knew it from the start. */
static void test_poll_abandons_future(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    if (s == NULL)
        return;
    uint64_t *digests, start;
    uint64_t accesses = future_first_digests(s, "opt", &digests, &start);
    struct stopper st = {.stop_at = 2};
    struct timeline_options opts = {.stop = stop_after, .stop_ctx = &st};
    struct timeline *tl = open_options_policy(s, "opt", &opts);
    if (tl && accesses) {
        CU_ASSERT_FALSE(timeline_step(tl, TL_UNIT_OP, +1));
        CU_ASSERT_TRUE(timeline_stopped(tl));
        CU_ASSERT_EQUAL(st.calls, 2);
        CU_ASSERT_EQUAL(st.last.task, TL_TASK_FUTURE);
        CU_ASSERT_EQUAL(st.last.access_total, 1800 * 12);
        CU_ASSERT_TRUE(st.last.access_index > 0 && st.last.access_index < 1800 * 12);
        CU_ASSERT_EQUAL(timeline_position(tl), 0);
        CU_ASSERT_PTR_NULL(timeline_current(tl));
        CU_ASSERT_PTR_NULL(timeline_error(tl));
        CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), start);
        /* Stopped again, by a seek this time. */
        st.calls = 0;
        CU_ASSERT_FALSE(timeline_seek(tl, 5000));
        CU_ASSERT_TRUE(timeline_stopped(tl));
        CU_ASSERT_EQUAL(st.last.task, TL_TASK_FUTURE);
        CU_ASSERT_EQUAL(timeline_position(tl), 0);
        /* Not stopped: learnt again, and the run is the one that knew the
         * future from the start. */
        st.calls = 0;
        st.stop_at = 0;
        CU_ASSERT_TRUE(timeline_step(tl, TL_UNIT_OP, +1));
        CU_ASSERT_FALSE(timeline_stopped(tl));
        CU_ASSERT_TRUE(st.calls > 0);
        CU_ASSERT_EQUAL(st.last.task, TL_TASK_FUTURE);
        CU_ASSERT_TRUE(timeline_position(tl) > 0);
        uint64_t checked;
        CU_ASSERT_EQUAL(plays_as_future_first(tl, digests, accesses, &checked), 0);
        CU_ASSERT_EQUAL(checked, accesses);
    }
    timeline_destroy(tl);
    /* run_until and run_fast learn it too, and a stop leaves them at 0. */
    for (int how = 0; how < 2; how++) {
        st.calls = 0;
        st.stop_at = 1;
        tl = open_options_policy(s, "opt", &opts);
        if (!tl || !accesses)
            break;
        CU_ASSERT_FALSE(how ? timeline_run_fast(tl) : timeline_run_until(tl, TL_STOP_EVICTION));
        CU_ASSERT_TRUE(timeline_stopped(tl));
        CU_ASSERT_EQUAL(st.last.task, TL_TASK_FUTURE);
        CU_ASSERT_EQUAL(timeline_position(tl), 0);
        st.stop_at = 0;
        CU_ASSERT_TRUE(how ? timeline_run_fast(tl) : timeline_run_until(tl, TL_STOP_EVICTION));
        if (how) {
            CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), digests[accesses - 1]);
        } else {
            /* Stopped inside an access: compared where it ends. */
            const struct tl_event *e = next_access_end(tl);
            CU_ASSERT_TRUE(e != NULL && e->access_seq > 0);
            if (e && e->access_seq > 0)
                CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)),
                                digests[e->access_seq - 1]);
        }
        timeline_destroy(tl);
        tl = NULL;
    }
    timeline_destroy(tl);
    free(digests);
    scenario_free(s);
}

/* A headless timeline holds no snapshot at any time, and going back still
 * reaches the state going forward reached (replaying from the start). */
static void test_headless_no_snapshots(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    struct timeline_options headless = {.headless = true};
    if (s) {
        struct timeline *tl = open_options(s, &headless);
        unsigned held = 0;
        while (tl && timeline_next(tl) != NULL)
            if (timeline_snapshot_count(tl) != 0 || timeline_snapshot_bytes(tl) != 0)
                held++;
        CU_ASSERT_EQUAL(held, 0);
        CU_ASSERT_TRUE(tl && timeline_at_end(tl));
        timeline_destroy(tl);
        tl = open_options(s, &headless);
        if (tl) {
            CU_ASSERT_TRUE(timeline_run_fast(tl));
            CU_ASSERT_EQUAL(timeline_snapshot_count(tl), 0);
            CU_ASSERT_EQUAL(timeline_snapshot_bytes(tl), 0);
        }
        timeline_destroy(tl);
        scenario_free(s);
    }
    s = load("walk.yaml", walk_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_options(s, &headless);
    struct record r = {0};
    if (tl && record_forward(tl, &r)) {
        CU_ASSERT_EQUAL(random_walk(tl, &r, 9, 120, "walk, headless"), 0);
        CU_ASSERT_EQUAL(timeline_snapshot_count(tl), 0);
    }
    free(r.at);
    timeline_destroy(tl);
    scenario_free(s);
}

/* The snapshots' bytes never pass the budget: with room for a handful of
 * machines they thin out long before the count limit, and going back
 * still equals going forward; with room for none, none are held. */
/* What the snapshot array and one snapshot of the long run take (*one is
 * 0 when they could not be measured), measured on a timeline with the
 * default budget, which takes its first two snapshots 1024 events apart. */
static void long_snapshot_bytes(const struct scenario *s, size_t *array, size_t *one)
{
    struct timeline *probe = open_policy(s, NULL);
    *one = *array = 0;
    if (probe) {
        CU_ASSERT_TRUE(timeline_seek(probe, 1500));
        CU_ASSERT_EQUAL(timeline_snapshot_count(probe), 1);
        size_t with_one = timeline_snapshot_bytes(probe);
        CU_ASSERT_TRUE(timeline_seek(probe, 2600));
        CU_ASSERT_EQUAL(timeline_snapshot_count(probe), 2);
        *one = timeline_snapshot_bytes(probe) - with_one;
        *array = with_one - *one;
        /* Every machine holds at least its frames and the structure. */
        CU_ASSERT_TRUE(*one > sizeof(struct machine) + 8 * sizeof(struct frame));
        timeline_destroy(probe);
    }
}

static void test_snapshot_budget(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    if (s == NULL)
        return;
    size_t one, array;
    long_snapshot_bytes(s, &array, &one);
    struct timeline_options opts = {.snapshot_budget = array + 6 * one + one / 2};
    struct timeline *tl = open_options(s, &opts);
    struct record r = {0};
    if (tl && one) {
        /* Checked after every event while recording. */
        size_t most = 0, most_count = 0;
        while (timeline_next(tl) != NULL) {
            if (timeline_snapshot_bytes(tl) > most)
                most = timeline_snapshot_bytes(tl);
            if (timeline_snapshot_count(tl) > most_count)
                most_count = timeline_snapshot_count(tl);
        }
        CU_ASSERT_TRUE(most <= opts.snapshot_budget);
        CU_ASSERT_TRUE(most_count >= 2 && most_count <= 7);
        CU_ASSERT_TRUE(timeline_snapshot_count(tl) >= 2);
        timeline_destroy(tl);
        /* The same, recorded, then walked back and forth. */
        tl = open_options(s, &opts);
        if (tl && record_forward(tl, &r)) {
            CU_ASSERT_EQUAL(random_walk(tl, &r, 77, 60, "long, small budget"), 0);
            CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) <= opts.snapshot_budget);
        }
        free(r.at);
    }
    timeline_destroy(tl);
    /* Room for the array but not one machine: none is held. */
    opts.snapshot_budget = array + one / 2;
    tl = open_options(s, &opts);
    if (tl && one) {
        CU_ASSERT_TRUE(timeline_seek(tl, 20000));
        CU_ASSERT_EQUAL(timeline_snapshot_count(tl), 0);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) <= opts.snapshot_budget);
        CU_ASSERT_TRUE(timeline_seek(tl, 19000));
        CU_ASSERT_EQUAL(timeline_position(tl), 19000);
    }
    timeline_destroy(tl);
    /* The default budget holds on the long run too. */
    tl = open_policy(s, NULL);
    if (tl) {
        timeline_run_fast(tl);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) <= TIMELINE_SNAPSHOT_BUDGET);
    }
    timeline_destroy(tl);
    scenario_free(s);
}

/* The first pass sets the snapshot spacing from the scenario's access
 * total instead of filling the budget and thinning it again and again:
 * the long run (21,600 accesses, 356,415 events) at one snapshot every
 * 1024 events would need some 348, five halvings more than the room for 8
 * given here. Played event by event, it widens the gap at the first
 * snapshot (to 65,538 events), takes 7, drops none, and so ends with the
 * budget nearly full. */
static void test_snapshot_spacing_from_total(void)
{
    struct scenario *s = load("long.yaml", long_yaml);
    if (s == NULL)
        return;
    size_t one, array;
    long_snapshot_bytes(s, &array, &one);
    struct timeline_options opts = {.snapshot_budget = array + 8 * one + one / 2};
    struct timeline *tl = one ? open_options(s, &opts) : NULL;
    if (tl) {
        size_t held = 0, taken = 0, drops = 0;
        uint64_t first = 0, second = 0;
        while (timeline_next(tl) != NULL) {
            size_t n = timeline_snapshot_count(tl);
            if (n > held) {
                taken += n - held;
                if (first == 0)
                    first = timeline_position(tl);
                else if (second == 0)
                    second = timeline_position(tl);
            } else if (n < held) {
                drops++;
            }
            held = n;
        }
        CU_ASSERT_TRUE(timeline_position(tl) > 256 * (uint64_t)1024);
        CU_ASSERT_TRUE(first >= TIMELINE_FIRST_SPACING && first < 2 * TIMELINE_FIRST_SPACING);
        /* 348 snapshots' worth of events over at most 8: 1024 times 64. */
        CU_ASSERT_TRUE(second - first >= 64 * TIMELINE_FIRST_SPACING);
        CU_ASSERT_TRUE(taken <= 8);
        CU_ASSERT_EQUAL(drops, 0);
        CU_ASSERT_TRUE(held >= 6 && held <= 8);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) <= opts.snapshot_budget);
    }
    timeline_destroy(tl);
    scenario_free(s);
}

/* The long run twice over: some 713,000 events, 43,200 accesses. */
static const char longer_yaml[] = ROUNDS_YAML(3600);

/* A run holds no more snapshots than quick steps back need, though the
 * budget has room for thousands of these small machines: End across the
 * longer run (some 713,000 events, 692 snapshots at one every 1024 events)
 * keeps at most TIMELINE_SNAPSHOTS_ENOUGH (509: the gap widens while the
 * first accesses make the run look longer), and going back from there
 * still equals going forward. */
static void test_snapshots_enough(void)
{
    struct scenario *s = load("longer.yaml", longer_yaml);
    if (s == NULL)
        return;
    struct timeline *tl = open_policy(s, NULL);
    if (tl) {
        CU_ASSERT_TRUE(timeline_seek(tl, UINT64_MAX));
        uint64_t end = timeline_position(tl);
        size_t n = timeline_snapshot_count(tl);
        CU_ASSERT_TRUE(end > 700000 && end / TIMELINE_FIRST_SPACING > TIMELINE_SNAPSHOTS_ENOUGH);
        CU_ASSERT_TRUE(n <= TIMELINE_SNAPSHOTS_ENOUGH && n >= TIMELINE_SNAPSHOTS_ENOUGH / 2);
        CU_ASSERT_TRUE(timeline_snapshot_bytes(tl) * 8 < TIMELINE_SNAPSHOT_BUDGET);
        /* Back from the end, from the snapshots End took, to where a
         * fresh timeline plays from the start. */
        struct timeline *fresh = open_policy(s, NULL);
        if (fresh) {
            static const uint64_t back[] = {100001, 200002};
            for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
                CU_ASSERT_TRUE(timeline_seek(tl, end - back[i]));
                CU_ASSERT_TRUE(timeline_seek(fresh, end - back[i]));
                CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)),
                                machine_digest(timeline_machine(fresh)));
            }
            timeline_destroy(fresh);
        }
    }
    timeline_destroy(tl);
    scenario_free(s);
}

/* Once the host refuses memory the timeline plays no further than where
 * that happened, says why, and can still go back. */
static void test_host_refusal(void)
{
    struct scenario *s = load("walk.yaml", walk_yaml);
    if (s == NULL)
        return;
    struct timeline *ref = open_policy(s, NULL);
    struct record r = {0};
    if (ref && record_forward(ref, &r) && r.end > 300) {
        struct timeline *tl = open_policy(s, NULL);
        if (tl) {
            CU_ASSERT_PTR_NULL(timeline_error(tl));
            CU_ASSERT_TRUE(timeline_seek(tl, 200));
            vm_host_failure((struct machine *)timeline_machine(tl), "a test's refusal");
            CU_ASSERT_PTR_NULL(timeline_next(tl));
            CU_ASSERT_PTR_NOT_NULL(timeline_error(tl));
            if (timeline_error(tl))
                CU_ASSERT_PTR_NOT_NULL(strstr(timeline_error(tl), "a test's refusal"));
            CU_ASSERT_EQUAL(timeline_position(tl), 200);
            CU_ASSERT_FALSE(timeline_at_end(tl));
            CU_ASSERT_FALSE(timeline_seek(tl, 300));
            CU_ASSERT_FALSE(timeline_step(tl, TL_UNIT_EVENT, +1));
            CU_ASSERT_FALSE(timeline_run_until(tl, TL_STOP_FAULT));
            CU_ASSERT_FALSE(timeline_run_fast(tl));
            CU_ASSERT_EQUAL(timeline_position(tl), 200);
            /* Back is fine; forward again stops where the refusal was. */
            CU_ASSERT_TRUE(timeline_seek(tl, 100));
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "walk, after the refusal"));
            CU_ASSERT_FALSE(timeline_seek(tl, 250));
            CU_ASSERT_EQUAL(timeline_position(tl), 200);
            CU_ASSERT_TRUE(same_as_recorded(tl, &r, "walk, at the refusal"));
            CU_ASSERT_PTR_NOT_NULL(timeline_error(tl));
            timeline_destroy(tl);
        }
    }
    free(r.at);
    timeline_destroy(ref);
    scenario_free(s);
}

/* ---- quiet seeks on long random traces ------------------------------ */

/* A random `rw` trace of `accesses` accesses over `pages` pages (some
 * locality, a third writes) and a scenario playing it, with chapters and
 * an expectation between its halves, in a fresh directory dir. */
static bool write_random_trace(char *dir, uint64_t seed, unsigned accesses, unsigned pages,
                               const char *policy, char *yaml, size_t yaml_size)
{
    if (mkdtemp(dir) == NULL)
        return false;
    char trace[128];
    snprintf(trace, sizeof trace, "%s/random.rw", dir);
    snprintf(yaml, yaml_size, "%s/random.yaml", dir);
    FILE *t = fopen(trace, "w");
    FILE *y = fopen(yaml, "w");
    if (t == NULL || y == NULL) {
        if (t)
            fclose(t);
        if (y)
            fclose(y);
        return false;
    }
    uint64_t state = seed | 1, hot = 0;
    for (unsigned i = 0; i < accesses; i++) {
        if (i % 500 == 0)
            hot = rng_below(&state, pages);
        uint64_t page = rng_below(&state, 4) ? (hot + rng_below(&state, 12)) % pages
                                              : rng_below(&state, pages);
        fprintf(t, "%c 0x%llx\n", rng_below(&state, 3) ? 'R' : 'W',
                (unsigned long long)(0x400000 + page * 4096 + rng_below(&state, 4096)));
    }
    fprintf(y,
            "title: random trace\n"
            "machine: {preset: x86_64, frames: 24, table_frames: 16, swap: 512,\n"
            "          tlb: {entries: 8, ways: 2}, policy: %s, seed: 3}\n"
            "processes:\n"
            "  - {name: p, pid: 1}\n"
            "steps:\n"
            "  - chapter: first half\n"
            "  - trace: {file: random.rw, format: rw, auto_areas: true, limit: %u}\n"
            "  - expect: {accesses: %u}\n"
            "  - chapter: the whole trace\n"
            "  - trace: {file: random.rw, format: rw, auto_areas: true}\n",
            policy, accesses / 2, accesses / 2);
    bool ok = fclose(t) == 0;
    return fclose(y) == 0 && ok;
}

static void remove_random_trace(const char *dir, const char *yaml)
{
    char trace[128];
    snprintf(trace, sizeof trace, "%s/random.rw", dir);
    remove(trace);
    remove(yaml);
    rmdir(dir);
}

/* Seeks, steps back by every unit, End and run_until at dense samples of
 * a long random trace under `policy`: each landing shows the machine
 * (digest), the current event and the log that playing event by event
 * showed there. */
static void quiet_seeks_on(uint64_t seed, const char *policy, unsigned accesses)
{
    char dir[] = "/tmp/vmviz-quiet-XXXXXX", yaml[128];
    CU_ASSERT_TRUE_FATAL(write_random_trace(dir, seed, accesses, 90, policy, yaml, sizeof yaml));
    struct diag d;
    struct scenario *s = scenario_load(yaml, &d);
    CU_ASSERT_PTR_NOT_NULL(s);
    struct timeline *tl = s ? open_policy(s, NULL) : NULL;
    struct record r = {.stride = 7};
    char what[64];
    snprintf(what, sizeof what, "random trace/%s", policy);
    if (tl && record_forward(tl, &r)) {
        CU_ASSERT_EQUAL(r.final.accesses, accesses + accesses / 2);
        /* Long enough that seeks replay quietly from snapshots. */
        CU_ASSERT_TRUE(r.end > 20 * TIMELINE_FIRST_SPACING);
        CU_ASSERT_TRUE(r.final.evictions > accesses / 10);
        unsigned bad = 0;
        uint64_t state = seed * 7 + 1;
        static const enum tl_unit units[] = {TL_UNIT_EVENT, TL_UNIT_ACCESS, TL_UNIT_OP,
                                             TL_UNIT_CHAPTER};
        for (unsigned i = 0; i < 400 && bad < 5; i++) {
            /* From far away, to a position where a digest was taken. */
            timeline_seek(tl, rng_below(&state, r.end + 1));
            uint64_t to = rng_below(&state, r.end + 1);
            to -= to % r.stride;
            timeline_seek(tl, to);
            if (timeline_position(tl) != to || !same_as_recorded(tl, &r, what))
                bad++;
            enum tl_unit unit = units[i % 4];
            uint64_t want = prev_boundary(&r, to, unit);
            if (to > 0 && (!timeline_step(tl, unit, -1) || timeline_position(tl) != want ||
                           !same_as_recorded(tl, &r, what)))
                bad++;
        }
        CU_ASSERT_EQUAL(bad, 0);
        /* Every position of a window, one event back at a time, the way the
         * viewer steps. */
        timeline_seek(tl, r.end / 3);
        for (uint64_t p = r.end / 3; p + 300 > r.end / 3 && bad < 5; p--)
            if (!timeline_seek(tl, p - 1) || !same_as_recorded(tl, &r, what))
                bad++;
        CU_ASSERT_EQUAL(bad, 0);
        /* End on a timeline that has not seen it, then from the start. */
        struct timeline *fresh = open_policy(s, NULL);
        if (fresh) {
            CU_ASSERT_TRUE(timeline_seek(fresh, UINT64_MAX));
            CU_ASSERT_EQUAL(timeline_position(fresh), r.end);
            CU_ASSERT_TRUE(timeline_at_end(fresh));
            CU_ASSERT_TRUE(same_as_recorded(fresh, &r, what));
            timeline_seek(fresh, 0);
            CU_ASSERT_TRUE(same_as_recorded(fresh, &r, what));
            CU_ASSERT_TRUE(timeline_seek(fresh, r.end + 5));
            CU_ASSERT_TRUE(same_as_recorded(fresh, &r, what));
            timeline_destroy(fresh);
        }
        /* Every fault and every eviction, in order, none skipped; both
         * chapters. */
        check_breakpoint(s, &r, TL_STOP_FAULT, EV_PAGE_FAULT, r.final.faults + r.final.segfaults);
        struct timeline *chapters = open_policy(s, NULL);
        if (chapters) {
            unsigned found = 0;
            while (timeline_run_until(chapters, TL_STOP_CHAPTER)) {
                found++;
                if (!same_as_recorded(chapters, &r, what))
                    bad++;
            }
            CU_ASSERT_EQUAL(found, 2);
            CU_ASSERT_EQUAL(timeline_position(chapters), r.end);
            CU_ASSERT_TRUE(same_as_recorded(chapters, &r, what));
            CU_ASSERT_EQUAL(bad, 0);
            timeline_destroy(chapters);
        }
        check_breakpoint(s, &r, TL_STOP_EVICTION, EV_VICTIM_CHOSEN, r.final.evictions);
    }
    free(r.at);
    timeline_destroy(tl);
    scenario_free(s);
    remove_random_trace(dir, yaml);
}

static void test_quiet_seeks_random_traces(void)
{
    quiet_seeks_on(11, "clock", 6000);
    quiet_seeks_on(12, "lru", 5000);
    quiet_seeks_on(13, "opt", 5000);
}

/* End over a long trace, abandoned by the stop hook at its k-th call: the
 * quiet play reads the trace in runs and runs its operations whole, and
 * still calls the hook as timeline.h says and stops where it said, at a
 * position playing event by event showed; the timeline then plays on as
 * recorded. */
static void test_poll_abandons_trace_seek(void)
{
    char dir[] = "/tmp/vmviz-quiet-XXXXXX", yaml[128];
    CU_ASSERT_TRUE_FATAL(write_random_trace(dir, 21, 6000, 90, "clock", yaml, sizeof yaml));
    struct diag d;
    struct scenario *s = scenario_load(yaml, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct timeline *ref = open_policy(s, NULL);
    struct record r = {0};
    CU_ASSERT_FATAL(ref && record_forward(ref, &r));
    CU_ASSERT_TRUE(r.end > 40 * (uint64_t)TIMELINE_POLL_EVENTS);
    static const unsigned stop_at[] = {1, 2, 9, 30};
    for (size_t i = 0; i < sizeof stop_at / sizeof stop_at[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "random trace, End stopped at call %u", stop_at[i]);
        check_end_abandoned(s, &r, stop_at[i], what);
    }
    free(r.at);
    timeline_destroy(ref);
    scenario_free(s);
    remove_random_trace(dir, yaml);
}

void suite_timeline_register(void)
{
    CU_pSuite suite = CU_add_suite("timeline", NULL, NULL);
    if (suite == NULL)
        return;
    CU_add_test(suite, "random walk equals forward (clock)", test_walk_clock);
    CU_add_test(suite, "random walk equals forward (every policy)", test_walk_every_policy);
    CU_add_test(suite, "random walk with thinned snapshots", test_walk_long_thinned);
    CU_add_test(suite, "step back by access, operation, chapter", test_step_back_units);
    CU_add_test(suite, "run until a breakpoint", test_run_until);
    CU_add_test(suite, "expectations", test_expectations);
    CU_add_test(suite, "fast run equals stepping", test_fast_equals_slow);
    CU_add_test(suite, "Silberschatz string: fifo 15, opt 9, lru 12", test_silberschatz);
    CU_add_test(suite, "Belady's anomaly under fifo", test_belady);
    CU_add_test(suite, "overrides", test_overrides);
    CU_add_test(suite, "engine errors with positions", test_engine_errors);
    CU_add_test(suite, "trace step: pages", test_trace_pages);
    CU_add_test(suite, "trace step: rw", test_trace_rw);
    CU_add_test(suite, "trace step: lackey", test_trace_lackey);
    CU_add_test(suite, "trace step: lackey records across pages", test_trace_crossing);
    CU_add_test(suite, "trace step: a record's second page narrated as the same access",
                test_trace_crossing_narration);
    CU_add_test(suite, "library scenarios: back equals forward, fast equals slow",
                test_library_scenarios);
    CU_add_test(suite, "stop hook: End abandoned, then played on", test_poll_abandons_seek);
    CU_add_test(suite, "stop hook: every long move abandoned", test_poll_abandons_every_move);
    CU_add_test(suite, "stop hook: learning OPT's future abandoned", test_poll_abandons_future);
    CU_add_test(suite, "opt's future: the library's scenarios, as the machine learns it",
                test_future_library);
    CU_add_test(suite, "opt's future: random traces of three processes, kills included, as "
                "the machine learns it", test_future_random_processes);
    CU_add_test(suite, "opt's future: pages scattered, falling, rising and far apart",
                test_future_scattered_pages);
    CU_add_test(suite, "opt's future: traces of every format, read in runs",
                test_future_trace_formats);
    CU_add_test(suite, "a cursor reading runs gives what one reading items gives",
                test_cursor_runs);
    CU_add_test(suite, "a fast run in runs, then back anywhere, finds the stepper's states",
                test_fast_runs_then_back);
    CU_add_test(suite, "long moves over traces in runs, abandoned, play on as recorded",
                test_poll_abandons_runs);
    CU_add_test(suite, "opt's future keeps apart processes whose pids differ by 4096",
                test_future_pids_apart);
    CU_add_test(suite, "opt's future: what the steps alone decide", test_future_stream_criterion);
    CU_add_test(suite, "opt's future: near the cap on page tables, a machine decides",
                test_future_table_cap);
    CU_add_test(suite, "opt: the future learnt at the first move, as if known from the start",
                test_future_learnt_lazily);
    CU_add_test(suite, "step by chapter: quiet, as playing event by event left it",
                test_chapter_step_quiet);
    CU_add_test(suite, "step by operation: the step's items but its last run whole, as playing left it",
                test_op_step_quiet);
    CU_add_test(suite, "headless: no snapshots", test_headless_no_snapshots);
    CU_add_test(suite, "snapshots within the memory budget", test_snapshot_budget);
    CU_add_test(suite, "snapshot spacing set from the access total", test_snapshot_spacing_from_total);
    CU_add_test(suite, "snapshots: no more than quick steps back need", test_snapshots_enough);
    CU_add_test(suite, "host refusal: stop there, go back", test_host_refusal);
    CU_add_test(suite, "quiet seeks on long random traces: same machine, event and log",
                test_quiet_seeks_random_traces);
    CU_add_test(suite, "stop hook: End over a long trace, read in runs, stops where it said",
                test_poll_abandons_trace_seek);
}
