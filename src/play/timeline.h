#ifndef VMVIZ_PLAY_TIMELINE_H
#define VMVIZ_PLAY_TIMELINE_H
/* The timeline owns time. It plays a scenario on a machine one event at a
 * time and can move to any position, backwards too: it keeps snapshots of
 * the machine and replays from the nearest one (or from the start, which
 * it can always rebuild), so the state reached by going back equals the
 * state reached going forward.
 *
 * A position counts the events played since the start (0 = nothing done).
 * Every event is a machine micro-step or one of the scenario's own items
 * (say, chapter, pause, expect, ask).
 *
 * Memory stays bounded: the snapshots, copies of the machine, take at
 * most TIMELINE_SNAPSHOT_BUDGET bytes together, however many that makes.
 * When the next snapshot would pass the budget, every other one is dropped
 * and the spacing doubles; a snapshot that does not fit even then, or that
 * the host has no memory for, is skipped and the spacing doubles too. As
 * each is taken, the gap to the next is also widened (doubling) while the
 * rest of the run, projected from its accesses still to come, would not
 * fit the rest of the budget, or (up to TIMELINE_QUICK_SPACING) would take
 * more than TIMELINE_SNAPSHOTS_ENOUGH in all: a long first pass does not
 * take snapshots only to drop them, nor more than quick steps back need.
 * A headless timeline (see timeline_options) holds none at all.
 *
 * Going back and long moves forward replay quietly: whole operations at a
 * time, no event built and nothing logged, up to the TIMELINE_LOG_SIZE
 * events before where the move ends, which are played one by one so that
 * the log (timeline_log) and the current event read as playing event by
 * event left them.
 *
 * Long moves can be abandoned. A move that plays many events (seek, step
 * by a unit, run_until, run_fast, the replay behind every step back, and
 * the pass that learns the future for OPT) calls the stop hook
 * every TIMELINE_POLL_EVENTS events (or at the end of the operation then
 * in progress, when it is run whole); when the hook returns true the move
 * ends at once, returns false, and timeline_stopped() says so. The
 * timeline is then at a consistent position it reached on the way (for a
 * step back: where the replay had got to, or where it started when the
 * search for the unit's start was abandoned), and playing on from there
 * gives exactly the events an uninterrupted run gives.
 *
 * The host can refuse memory. Once the machine reports it
 * (machine_host_error), or the timeline cannot rebuild a machine to go
 * back, timeline_error() returns the message and the timeline plays no
 * further forward than where that happened: there timeline_next returns
 * NULL and every move forward returns false. Going back to earlier
 * positions, and forward again up to there, still works. */
/*
 * Lifetimes. A timeline borrows its scenario: the scenario must outlive
 * it, and every pointer into the scenario it hands out (an event's step
 * and text, the chapter) lives as long as the scenario. What points into
 * the timeline itself (an event, the log, the machine, the chapter's
 * counters) is valid until the next move (timeline_next, _seek, _step,
 * _run_until, _run_fast) or timeline_destroy, whichever comes first; copy
 * what must outlive it. The error string lives until timeline_destroy. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "play/setup.h"   /* struct timeline_overrides */
#include "scenario/scenario.h"
#include "util/diag.h"
#include "vm/machine.h"

/* The most the snapshots of one timeline may take together: 256 MiB. */
#define TIMELINE_SNAPSHOT_BUDGET ((size_t)256 * 1024 * 1024)
/* The spacing of snapshots: the first is taken after TIMELINE_FIRST_SPACING
 * events, the next ones as far apart. Each time they are thinned (one kept
 * in TIMELINE_SPACING_GROWTH) or one is skipped, the spacing grows
 * TIMELINE_SPACING_GROWTH times, so that those held stay evenly spaced. */
#define TIMELINE_FIRST_SPACING 1024
#define TIMELINE_SPACING_GROWTH 2
/* A run needs no more snapshots than this for its steps back to be quick:
 * as they are taken, the gap to the next one widens while the whole run,
 * as projected, would hold more, but never past TIMELINE_QUICK_SPACING
 * events, which the bench's ten-million-access trace replays quietly in
 * about 4 ms, a fifth of the 20 ms a step back may take.
 * Fewer, wider snapshots make a long first pass (End) faster and hold
 * less memory. */
#define TIMELINE_SNAPSHOTS_ENOUGH 512
#define TIMELINE_QUICK_SPACING (UINT64_C(1) << 18)
/* Events between two calls of the stop hook during a long move: about a
 * tenth of a millisecond of playing, so a stop is honoured at once. */
#define TIMELINE_POLL_EVENTS 1024
#define TIMELINE_LOG_SIZE 256

/* What a timeline event is. */
#define TL_KIND_LIST(X)                                 \
    X(MACHINE, "machine")  /* a machine micro-step */   \
    X(SAY, "say")                                       \
    X(CHAPTER, "chapter")                               \
    X(PAUSE, "pause")                                   \
    X(EXPECT, "expect")                                 \
    X(ASK, "ask")          /* a question (play/quiz.h answers it) */

enum tl_kind {
#define TL_KIND_ENUM(id, name) TL_##id,
    TL_KIND_LIST(TL_KIND_ENUM)
#undef TL_KIND_ENUM
};

/* Checks one expect event holds: room for every counter, since an expect
 * names each at most once (timeline.c asserts it). */
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
    const struct scenario_step *step; /* the scenario step it came from (the
                                         scenario's; NULL for none) */
    bool ends_access;      /* the machine is idle after it */
    bool ends_op;          /* the last event of its operation */
    /* TL_MACHINE of an access replaying a trace record that crosses page
     * boundaries: which page of the record after its first (1: the
     * second; 0: none) and the record's bytes (0: unknown). */
    uint8_t page_part;
    uint16_t record_bytes;
    struct event ev;       /* TL_MACHINE */
    const char *text;      /* TL_SAY / TL_CHAPTER / TL_ASK: borrowed from the scenario */
    unsigned nchecks;      /* TL_EXPECT */
    /* TL_EXPECT: the nchecks outcomes, out of line so that an event is
     * cheap to copy and clear; the timeline's, valid as long as the event. */
    const struct tl_check *checks;
    bool failed;           /* TL_EXPECT: some check failed */
};

/* Step sizes, for stepping and for `--level`, smallest first: id and the
 * name the help and the viewer give it. (--level names the units it
 * prints by names of its own: report.h.) */
#define TL_UNIT_INFO(X)          \
    X(EVENT,   "micro-step")     \
    X(ACCESS,  "access")         \
    X(OP,      "operation")      \
    X(CHAPTER, "chapter")

enum tl_unit {
#define TL_UNIT_ENUM(id, name) TL_UNIT_##id,
    TL_UNIT_INFO(TL_UNIT_ENUM)
#undef TL_UNIT_ENUM
};
/* The unit's name ("micro-step", ...); a static string, "?" when out of
 * range. */
const char *tl_unit_name(enum tl_unit unit);

/* Where run_until stops. */
enum tl_stop {
    TL_STOP_FAULT,       /* a page fault (or SIGSEGV) */
    TL_STOP_EVICTION,    /* a victim chosen */
    TL_STOP_TLB_MISS,
    TL_STOP_CHAPTER,
    TL_STOP_FAILED,      /* a failed expectation */
    TL_STOP_PAUSE,       /* a pause item or a chapter (autoplay) */
    TL_STOP_STEP_END,    /* the last event of the step being played (where a step
                            forward by an operation ends) */
};

/* What a long move is doing, passed to the stop hook so that a caller
 * can show how far it has got. */
enum tl_task {
    TL_TASK_FORWARD,  /* playing forward: to a position, a breakpoint or the end */
    TL_TASK_REPLAY,   /* going back: replaying from a snapshot to the target */
    TL_TASK_SEARCH,   /* going back by a unit: replaying to find where it begins */
    TL_TASK_FUTURE,   /* an OPT timeline's first move forward: learning every
                         access's next use */
};

struct tl_progress {
    enum tl_task task;
    uint64_t position;      /* the position the pass has reached (0 for TL_TASK_FUTURE) */
    uint64_t target;        /* the position sought; UINT64_MAX when unknown (the end,
                               a breakpoint, the start of a unit) */
    uint64_t op_index;      /* operations begun so far in the pass */
    uint64_t op_total;      /* operations in the whole scenario */
    uint64_t access_index;  /* accesses begun so far in the pass */
    uint64_t access_total;  /* accesses in the whole scenario */
};

/* The stop hook: returns true to abandon the move in progress. It must not
 * touch the timeline (reading nothing but what progress says). */
typedef bool (*timeline_stop_fn)(void *ctx, const struct tl_progress *progress);

/* How a timeline is made. All zero is the interactive default. */
struct timeline_options {
    bool headless;          /* plays forward only: holds no snapshots (going back
                               still works, by replaying from the start) */
    size_t snapshot_budget; /* bytes the snapshots may take; 0: TIMELINE_SNAPSHOT_BUDGET */
    timeline_stop_fn stop;  /* the stop hook from creation on, or NULL */
    void *stop_ctx;         /* passed to stop; must stay valid while it is set */
};

struct timeline;

/* Builds the machine a scenario describes (with the overrides) and a
 * timeline at position 0, interactive (snapshots kept), with no stop hook.
 * NULL with err set (FILE:LINE:COLUMN of the offending scenario value)
 * when the scenario asks for something the engine cannot do; nothing is
 * left allocated then. s is borrowed and must outlive the timeline; o is
 * read during the call only. */
struct timeline *timeline_create(const struct scenario *s, const struct timeline_overrides *o,
                                 struct diag *err);
/* The same, made as opts says (NULL: the default). Headless playback
 * (vmviz run, vmviz check, --stats) passes {.headless = true}. Creation
 * plays nothing, whatever the policy: OPT's future (every access's next
 * use, learnt by playing the whole scenario once) is learnt by the first
 * move forward, which the stop hook can abandon like any long move (it
 * returns false at position 0, timeline_stopped says so, and the next
 * move forward learns again); timeline_next learns it without asking the
 * hook. The machine then plays exactly as if it had known the future from
 * the start. */
struct timeline *timeline_create_with(const struct scenario *s,
                                      const struct timeline_overrides *o,
                                      const struct timeline_options *opts, struct diag *err);
/* Frees the timeline and its machines; NULL is allowed. */
void timeline_destroy(struct timeline *tl);

/* Sets (or, with stop NULL, removes) the stop hook that long moves call
 * every TIMELINE_POLL_EVENTS events; see the top of this file. ctx must
 * stay valid while the hook is set. */
void timeline_set_poll(struct timeline *tl, timeline_stop_fn stop, void *ctx);
/* True when the most recent move ended because the stop hook asked;
 * false after a move that finished or failed for another reason. */
bool timeline_stopped(const struct timeline *tl);
/* NULL while all is well; once the host refused memory the run needs,
 * what it was (see the top of this file). Never cleared: the string lives
 * until timeline_destroy. */
const char *timeline_error(const struct timeline *tl);

/* Plays one event forward. Returns it, or NULL at the end (or once
 * timeline_error is set and this is where it happened). Never polls. The
 * event is the timeline's: valid until the next move. */
const struct tl_event *timeline_next(struct timeline *tl);
/* Moves to an absolute position. true when it got there, or, for a
 * position past the end, to the end (as near as there is: timeline_at_end
 * and timeline_position then tell); false when it could not, always with
 * the reason there to ask for: stopped (timeline_stopped), or the host
 * refused memory (timeline_error), at a consistent position on the way. */
bool timeline_seek(struct timeline *tl, uint64_t position);
/* Moves one unit forward or back (direction +1 / -1). true when it moved
 * (forward: to the next unit boundary or the end; back: to the previous
 * boundary or the start). false when already at that end, when stopped
 * (timeline_stopped; a move forward keeps the events played so far) or
 * on a host error. Forward by a chapter, operations run whole and quietly
 * (as run_until runs them) and the log is rebuilt where the step ends,
 * as playing event by event leaves it. */
bool timeline_step(struct timeline *tl, enum tl_unit unit, int direction);
/* Plays forward until an event matching `stop`; true there. false at the
 * end, when stopped (timeline_stopped) or on a host error, each where
 * playing had got to. */
bool timeline_run_until(struct timeline *tl, enum tl_stop stop);
/* Runs to the end as fast as possible (the machine's short cut for
 * accesses), publishing no events. Used by --stats and benchmarks. true at
 * the end; false when stopped between two operations or on a host error. */
bool timeline_run_fast(struct timeline *tl);
/* What a headless run is told: an event it may want to act on. Returns
 * false to end the run there. */
typedef bool (*timeline_watch_fn)(void *ctx, const struct tl_event *e);
/* Runs to the end as timeline_run_fast does, for a run without a screen
 * (run --stats, check, compare): the same machine, counters, failures and
 * position as playing event by event with timeline_next. watch (when not
 * NULL) is called with every event that is not a micro-step of an
 * operation (say, chapter, expect, failed steps...), as timeline_next
 * would return it, and with the OOM_KILL event of an operation in which the
 * OOM killer ended the last process alive (its kind, step, position and
 * pids; no detail). true at the end or on a host error (timeline_error,
 * reported at timeline_error_step); false when watch or the stop hook
 * ended the run. */
bool timeline_run_headless(struct timeline *tl, timeline_watch_fn watch, void *ctx);
/* The scenario step of the last event played before the host error, or
 * NULL when there is no error (or the error came before any step). */
const struct scenario_step *timeline_error_step(const struct timeline *tl);

/* The current position: events played since the start. */
uint64_t timeline_position(const struct timeline *tl);
/* True at the end, once playing has found where the end is (a timeline
 * seeked to the last position before ever passing it says false until the
 * next step finds nothing more). */
bool timeline_at_end(const struct timeline *tl);
/* The event that led to the current state, or NULL at position 0 (or when
 * it is no longer in the log). Valid until the next move. */
const struct tl_event *timeline_current(const struct timeline *tl);
/* Up to max most recent events (newest first) that led here, at most
 * TIMELINE_LOG_SIZE; each valid until the next move. */
size_t timeline_log(const struct timeline *tl, const struct tl_event **out, size_t max);
/* The machine as it is at the current position (valid until the next
 * move: going back replaces it), and the scenario the timeline plays (the
 * one it was created with). */
const struct machine *timeline_machine(const struct timeline *tl);
const struct scenario *timeline_scenario(const struct timeline *tl);
/* The replacement policy the scenario itself asks for (its machine's, or
 * the preset's), which a --policy override may have replaced: the one its
 * own words were written for. */
enum policy_kind timeline_own_policy(const struct timeline *tl);
/* The chapter the current position is in (NULL before the first; the
 * scenario's string), and the counters when it began (valid until the next
 * move). */
const char *timeline_chapter(const struct timeline *tl);
const struct counters *timeline_chapter_start(const struct timeline *tl);
/* Operations: how many have begun, and how many the scenario has. */
uint64_t timeline_op_index(const struct timeline *tl);
uint64_t timeline_op_total(const struct timeline *tl);
/* Accesses begun so far (the access_seq of the current event; 0 at the
 * start). */
uint64_t timeline_access_index(const struct timeline *tl);
/* Expectations that failed so far. */
uint64_t timeline_failures(const struct timeline *tl);
/* Snapshots held now, and the bytes they take (for the README's bound):
 * every block each copy of the machine holds, as allocated, plus a
 * malloc header per block. At most the budget (TIMELINE_SNAPSHOT_BUDGET
 * unless the options said otherwise); 0 for a headless timeline. */
size_t timeline_snapshot_count(const struct timeline *tl);
size_t timeline_snapshot_bytes(const struct timeline *tl);

#endif
