#ifndef VMVIZ_PLAY_TIMELINE_H
#define VMVIZ_PLAY_TIMELINE_H
/* The timeline owns time. It plays a scenario on a machine one event at a
 * time and can move to any position, backwards too: it keeps snapshots of
 * the machine and replays from the nearest one, so the state reached by
 * going back equals the state reached going forward.
 *
 * A position counts the events played since the start (0 = nothing done).
 * Every event is a machine micro-step or one of the scenario's own items
 * (say, chapter, pause, expect). Memory stays bounded: at most
 * TIMELINE_MAX_SNAPSHOTS copies of the machine; when they would be more,
 * every other one is dropped and the spacing doubles. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/diag.h"
#include "scenario/scenario.h"
#include "vm/machine.h"

#define TIMELINE_MAX_SNAPSHOTS 256
#define TIMELINE_LOG_SIZE 256

/* What a timeline event is. */
#define TL_KIND_LIST(X)                                 \
    X(MACHINE, "machine")  /* a machine micro-step */   \
    X(SAY, "say")                                       \
    X(CHAPTER, "chapter")                               \
    X(PAUSE, "pause")                                   \
    X(EXPECT, "expect")

enum tl_kind {
#define TL_KIND_ENUM(id, name) TL_##id,
    TL_KIND_LIST(TL_KIND_ENUM)
#undef TL_KIND_ENUM
};

#define TL_EXPECT_MAX 24

/* One expectation's outcome. */
struct tl_check {
    enum counter_id counter;
    bool relative;
    uint64_t expected;
    uint64_t actual;       /* the total, or the change when relative */
    bool ok;
    unsigned line, col;    /* in the scenario */
};

struct tl_event {
    enum tl_kind kind;
    uint64_t position;     /* this event's position: the state after it */
    uint64_t op_seq;       /* which operation (leaf step run) it belongs to, from 1 */
    uint64_t access_seq;   /* accesses begun so far */
    const struct scenario_step *step; /* the scenario step it came from */
    bool ends_access;      /* the machine is idle after it */
    bool ends_op;          /* the last event of its operation */
    struct event ev;       /* TL_MACHINE */
    const char *text;      /* TL_SAY / TL_CHAPTER: borrowed from the scenario */
    unsigned nchecks;      /* TL_EXPECT */
    struct tl_check checks[TL_EXPECT_MAX];
    bool failed;           /* TL_EXPECT: some check failed */
};

/* Replaces scenario values (each only when set). */
struct timeline_overrides {
    const char *policy;    /* NULL: keep */
    long long frames;      /* -1: keep */
    long long tlb_entries; /* -1: keep */
    long long tlb_ways;    /* -1: keep */
    long long seed;        /* -1: keep */
};
void timeline_overrides_init(struct timeline_overrides *o);

/* Step sizes, for stepping and for `--level`. */
enum tl_unit { TL_UNIT_EVENT, TL_UNIT_ACCESS, TL_UNIT_OP, TL_UNIT_CHAPTER };
const char *tl_unit_name(enum tl_unit unit);

/* Where run_until stops. */
enum tl_stop {
    TL_STOP_FAULT,       /* a page fault (or SIGSEGV) */
    TL_STOP_EVICTION,    /* a victim chosen */
    TL_STOP_TLB_MISS,
    TL_STOP_CHAPTER,
    TL_STOP_FAILED,      /* a failed expectation */
    TL_STOP_PAUSE,       /* a pause item or a chapter (autoplay) */
};

struct timeline;

/* Builds the machine a scenario describes (with the overrides) and a
 * timeline at position 0. NULL with err set (FILE:LINE:COLUMN of the
 * offending scenario value) when the scenario asks for something the
 * engine cannot do. */
struct timeline *timeline_create(const struct scenario *s, const struct timeline_overrides *o,
                                 struct diag *err);
void timeline_destroy(struct timeline *tl);

/* Plays one event forward. Returns it, or NULL at the end. */
const struct tl_event *timeline_next(struct timeline *tl);
/* Moves to an absolute position (clamped to the end). */
void timeline_seek(struct timeline *tl, uint64_t position);
/* Moves one unit forward or back (direction +1 / -1); false when already
 * at that end. */
bool timeline_step(struct timeline *tl, enum tl_unit unit, int direction);
/* Plays forward until an event matching `stop`; false at the end. */
bool timeline_run_until(struct timeline *tl, enum tl_stop stop);
/* Runs to the end as fast as possible (the machine's short cut for
 * accesses), publishing no events. Used by --stats and benchmarks. */
void timeline_run_fast(struct timeline *tl);

uint64_t timeline_position(const struct timeline *tl);
/* True at the end, once playing has found where the end is (a timeline
 * seeked to the last position before ever passing it says false until the
 * next step finds nothing more). */
bool timeline_at_end(const struct timeline *tl);
/* The event that led to the current state, or NULL at position 0. */
const struct tl_event *timeline_current(const struct timeline *tl);
/* Up to max most recent events (newest first) that led here. */
size_t timeline_log(const struct timeline *tl, const struct tl_event **out, size_t max);
const struct machine *timeline_machine(const struct timeline *tl);
const struct scenario *timeline_scenario(const struct timeline *tl);
/* The chapter the current position is in (NULL before the first), and the
 * counters when it began. */
const char *timeline_chapter(const struct timeline *tl);
const struct counters *timeline_chapter_start(const struct timeline *tl);
/* Operations: how many have begun, and how many the scenario has. */
uint64_t timeline_op_index(const struct timeline *tl);
uint64_t timeline_op_total(const struct timeline *tl);
/* Expectations that failed so far. */
uint64_t timeline_failures(const struct timeline *tl);
/* Snapshots held now, and the bytes they take (for the README's bound). */
size_t timeline_snapshot_count(const struct timeline *tl);
size_t timeline_snapshot_bytes(const struct timeline *tl);

#endif
