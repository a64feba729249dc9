/* The timeline: plays a scenario event by event, forwards and backwards.
 * See timeline.h. Going back restores the newest snapshot far enough
 * behind the target (or rebuilds the machine at position 0, which needs
 * no snapshot) and replays forward to it; replay runs the same code as
 * playing forward, so the state reached is the same.
 *
 * What happens before the first event (the machine configuration, the
 * checks of the steps, building the machine, OPT's future) is in setup.c;
 * this file is about time: playing, snapshots, seeking, stepping and
 * breakpoints. */
#include "play/timeline.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/program.h"
#include "play/setup.h"
#include "util/diag.h"

/* The state that a snapshot captures. */
struct tl_state {
    struct machine *m;
    struct cursor cur;
    struct item item;        /* the item being played while in_op */
    bool in_op;
    bool ended;
    uint64_t position;
    uint64_t items;          /* items the cursor has produced */
    uint64_t op_start;       /* while in_op: the position its operation began at */
    struct counters expect_base;
    struct counters chapter_base;
    const char *chapter;
    uint64_t failures;
};

/* A copy of the state, and the bytes that copy holds. */
struct tl_snapshot {
    struct tl_state st;
    size_t bytes;
};

struct timeline {
    const struct scenario *s;
    struct program prog;
    struct machine_config cfg; /* what the machine at position 0 is built from */
    enum policy_kind own_policy; /* the scenario's, whatever the overrides say */
    struct tl_state st;
    /* Snapshots, sorted by position, all after position 0 (which is
     * rebuilt instead). The array grows as they come; a headless timeline
     * never makes one. */
    bool keep_snapshots;
    struct tl_snapshot *snaps;
    size_t nsnaps, snaps_cap;
    size_t snap_bytes;        /* what timeline_snapshot_bytes reports */
    size_t budget;            /* the most snap_bytes may reach */
    uint64_t spacing;         /* events between snapshots */
    uint64_t next_snapshot;   /* the position from which the next one is due */
    /* The events each item of the program takes, by item number, learnt as
     * items are played: 0 while unknown, ITEM_LONG for ITEM_LONG or more.
     * Quiet replay runs an item whose length it knows, and that ends
     * before where it must stop, as one machine_run_op. */
    uint8_t *item_events;
    uint64_t item_events_cap;
    /* OPT: the next use of each access. The array is lent to the machine
     * at creation, so that every machine of the run (and any copy of one)
     * holds it from position 0, but filled only at the first move forward
     * (learn_future), before any access reads it; until then the timeline
     * stays at position 0. */
    uint32_t *future;
    uint64_t future_len;
    bool future_learnt;       /* the array is filled, or there is none */
    uint64_t access_total;    /* accesses in the whole scenario */
    struct tl_event log[TIMELINE_LOG_SIZE];
    /* The checks of the expect events in the log, slot by slot, and those
     * of the expect event being played. */
    struct tl_check log_checks[TIMELINE_LOG_SIZE][TL_EXPECT_MAX];
    struct tl_check played_checks[TL_EXPECT_MAX];
    size_t log_count;         /* valid entries, newest at log[(log_next - 1) % size] */
    size_t log_next;
    bool end_known;
    uint64_t end_position;
    uint32_t first_pid;
    /* Abandoning long moves: see timeline_set_poll. */
    timeline_stop_fn stop;
    void *stop_ctx;
    uint64_t poll_countdown;  /* events until the hook is called again */
    bool stopped;             /* the last move was abandoned */
    /* The host refused memory: the message, and the position from which
     * the timeline plays no further. Room for any message a diag holds:
     * it is printed as one. */
    char error[DIAG_MESSAGE_MAX];
    uint64_t error_position;
    /* The step of the event before the error, when a fast run met it
     * (the log does not hold that event); NULL otherwise. */
    const struct scenario_step *error_step;
};

_Static_assert(TL_EXPECT_MAX >= COUNTER_COUNT,
               "an expect event has room for a check of every counter");

/* Slots of the snapshot array when the first snapshot is taken; it
 * doubles from there, within the budget. */
#define SNAPSHOT_SLOTS_FIRST 16
/* The length index's mark for an item of this many events or more: such
 * an item is replayed micro-step by micro-step. */
#define ITEM_LONG UINT8_MAX

static const char *const unit_names[] = {
#define TL_UNIT_NAME(id, name) [TL_UNIT_##id] = name,
    TL_UNIT_INFO(TL_UNIT_NAME)
#undef TL_UNIT_NAME
};

const char *tl_unit_name(enum tl_unit unit)
{
    return (unsigned)unit < sizeof unit_names / sizeof unit_names[0] ? unit_names[unit] : "?";
}

/* ------------------------------------------------------------------ */
/* life cycle                                                           */

static void state_release(struct tl_state *st)
{
    machine_destroy(st->m);
    st->m = NULL;
}

static bool state_copy(struct tl_state *dst, const struct tl_state *src)
{
    *dst = *src;
    dst->m = machine_clone(src->m);
    return dst->m != NULL;
}

/* One block as the host allocates it: what was asked for and malloc's
 * header. */
static size_t block_bytes(size_t asked)
{
    return (size_t)vm_block_bytes(asked);
}

/* Makes the snapshot spacing TIMELINE_SPACING_GROWTH times wider (it
 * saturates rather than wrap). */
static void widen_spacing(struct timeline *tl)
{
    if (tl->spacing <= UINT64_MAX / TIMELINE_SPACING_GROWTH)
        tl->spacing *= TIMELINE_SPACING_GROWTH;
}

/* Keeps one snapshot in TIMELINE_SPACING_GROWTH (the oldest among them) and
 * widens the spacing to match, so that those kept stay evenly spaced. */
static void thin_snapshots(struct timeline *tl)
{
    size_t kept = 0;
    for (size_t i = 0; i < tl->nsnaps; i++) {
        if (i % TIMELINE_SPACING_GROWTH == 0) {
            tl->snaps[kept++] = tl->snaps[i];
        } else {
            tl->snap_bytes -= tl->snaps[i].bytes;
            state_release(&tl->snaps[i].st);
        }
    }
    tl->nsnaps = kept;
    widen_spacing(tl);
}

/* Makes room in the array for one more snapshot, doubling it within the
 * budget. false when the budget or the host has no room for the larger
 * array. */
static bool snapshot_room(struct timeline *tl)
{
    if (tl->nsnaps < tl->snaps_cap)
        return true;
    size_t cap = tl->snaps_cap ? tl->snaps_cap * 2 : SNAPSHOT_SLOTS_FIRST;
    size_t old_bytes = tl->snaps ? block_bytes(tl->snaps_cap * sizeof *tl->snaps) : 0;
    size_t new_bytes = block_bytes(cap * sizeof *tl->snaps);
    if (tl->snap_bytes - old_bytes + new_bytes > tl->budget)
        return false;
    struct tl_snapshot *grown = realloc(tl->snaps, cap * sizeof *grown);
    if (!grown)
        return false;
    tl->snaps = grown;
    tl->snaps_cap = cap;
    tl->snap_bytes = tl->snap_bytes - old_bytes + new_bytes;
    return true;
}

/* The events from this snapshot to the next: the spacing (which thinning
 * and skipped snapshots widen), widened further, TIMELINE_SPACING_GROWTH
 * times at a time, while the rest of the run would take too many snapshots
 * at it: more than the rest of the budget holds, each as large as the
 * machine now (`need`), or, below TIMELINE_QUICK_SPACING, more than
 * TIMELINE_SNAPSHOTS_ENOUGH in all. The rest of the run is projected from
 * the events per access so far and the accesses still to come (the
 * scenario's total is known). Worked out afresh at each snapshot, the gap
 * follows the projection both ways: a run's first accesses fault more than
 * the rest, so the first projections run long and later ones bring the gap
 * back down; and it never drops a snapshot (only the budget does). A long
 * first pass (End) is so spared most of the snapshots it would take only
 * to drop them, and those quick steps back do not need. */
static uint64_t snapshot_gap(const struct timeline *tl, size_t need)
{
    uint64_t gap = tl->spacing;
    uint64_t done = tl->st.cur.access_seq;
    if (done == 0 || done >= tl->access_total)
        return gap;
    /* In floating point: the exact product may not fit 64 bits, and a
     * projection needs no exactness. */
    double rest = (double)tl->st.position / (double)done * (double)(tl->access_total - done);
    double room = (double)tl->budget - (double)tl->snap_bytes;
    while (rest >= (double)gap && gap <= UINT64_MAX / TIMELINE_SPACING_GROWTH) {
        double more = 1 + rest / (double)gap; /* this one included */
        bool too_large = more * (double)need > room;
        bool too_many = gap < TIMELINE_QUICK_SPACING &&
                        (double)tl->nsnaps + more > TIMELINE_SNAPSHOTS_ENOUGH;
        if (!too_large && !too_many)
            break;
        gap *= TIMELINE_SPACING_GROWTH;
    }
    return gap;
}

/* Takes a snapshot of the current state, within the count and the budget:
 * thins out the ones held while the new one would not fit. A snapshot that
 * still does not fit, or that the host has no memory for, is skipped by
 * design, silently: the run goes on without it (going back replays from
 * further away, which gives the same states), and the spacing widens so
 * that it is not tried again at every event. */
static void take_snapshot(struct timeline *tl)
{
    /* What the copy will hold, every block counted as the host gives it
     * (machine_bytes; the copy holds no more than the machine). */
    size_t need = (size_t)machine_bytes(tl->st.m);
    while (tl->nsnaps >= 2 && tl->snap_bytes + need > tl->budget)
        thin_snapshots(tl);
    uint64_t gap = snapshot_gap(tl, need);
    bool fits = snapshot_room(tl) && tl->snap_bytes + need <= tl->budget;
    struct tl_snapshot *snap = fits ? &tl->snaps[tl->nsnaps] : NULL;
    if (!fits || !state_copy(&snap->st, &tl->st)) {
        widen_spacing(tl);
    } else {
        snap->bytes = (size_t)machine_bytes(snap->st.m);
        tl->snap_bytes += snap->bytes;
        tl->nsnaps++;
    }
    tl->next_snapshot = tl->st.position + (gap > tl->spacing ? gap : tl->spacing);
}

static bool poll_at(struct timeline *tl, enum tl_task task, uint64_t position,
                    const struct cursor *cur, uint64_t target, uint64_t events);

/* The stop hook of the pass that learns OPT's future (setup_future): a
 * pass of its own, at position 0 throughout. */
static bool future_poll(void *ctx, const struct cursor *cur, uint64_t items)
{
    return poll_at(ctx, TL_TASK_FUTURE, 0, cur, UINT64_MAX, items);
}

static void set_error(struct timeline *tl, const char *message, uint64_t position);

/* Makes sure the machine knows OPT's future before a move forward: the
 * first such move learns it (setup_future, on the machine of position 0,
 * where the timeline stays until then), asking the stop hook when
 * may_poll. true when the future is there or the policy needs none; false
 * when the hook stopped the pass (timeline_stopped: the next move learns
 * again) or the host refused memory (timeline_error, at position 0). */
static bool learn_future(struct timeline *tl, bool may_poll)
{
    if (tl->future_learnt)
        return true;
    if (tl->error[0])
        return false;
    timeline_stop_fn stop = tl->stop;
    if (!may_poll)
        tl->stop = NULL;
    struct diag err;
    enum setup_outcome learned = setup_future(&tl->prog, tl->st.m, tl->first_pid,
                                              tl->access_total, future_poll, tl, tl->future,
                                              &err);
    tl->stop = stop;
    if (learned == SETUP_FAILED)
        set_error(tl, err.message, 0);
    tl->future_learnt = learned == SETUP_DONE;
    return tl->future_learnt;
}

/* The state at position 0, built afresh from the scenario: what going back
 * to before the oldest snapshot starts from. false when the host has no
 * memory for it. */
static bool initial_state(struct timeline *tl, struct tl_state *st)
{
    struct diag ignored;
    memset(st, 0, sizeof *st);
    st->m = setup_machine(tl->s, &tl->cfg, &ignored);
    if (!st->m)
        return false;
    if (tl->future)
        machine_set_future(st->m, tl->future, tl->future_len);
    cursor_start(&tl->prog, &st->cur, tl->first_pid);
    return true;
}

struct timeline *timeline_create_with(const struct scenario *s,
                                      const struct timeline_overrides *o,
                                      const struct timeline_options *opts, struct diag *err)
{
    struct timeline_options defaults = {0};
    if (!opts)
        opts = &defaults;
    struct machine_config cfg;
    uint64_t total;
    if (!setup_config(s, o, &cfg, err) || !setup_check(s, &cfg, &total, err) ||
        (cfg.policy == POLICY_opt && !setup_future_fits(s, total, err)))
        return NULL;
    struct timeline *tl = calloc(1, sizeof *tl);
    if (!tl) {
        diag_set(err, s->path, 0, 0, "out of memory");
        return NULL;
    }
    tl->s = s;
    tl->cfg = cfg;
    /* The scenario read again without the overrides: it was read with
     * them a moment ago, so this cannot fail. */
    struct timeline_overrides none;
    struct machine_config own;
    timeline_overrides_init(&none);
    tl->own_policy = setup_config(s, &none, &own, err) ? own.policy : cfg.policy;
    tl->spacing = TIMELINE_FIRST_SPACING;
    tl->next_snapshot = TIMELINE_FIRST_SPACING;
    tl->budget = opts->snapshot_budget ? opts->snapshot_budget : TIMELINE_SNAPSHOT_BUDGET;
    tl->access_total = total;
    tl->first_pid = (uint32_t)s->processes[0].pid.value;
    tl->stop = opts->stop;
    tl->stop_ctx = opts->stop_ctx;
    tl->poll_countdown = TIMELINE_POLL_EVENTS;
    tl->error_position = UINT64_MAX;
    tl->keep_snapshots = !opts->headless;
    /* Each of these sets err itself when it fails. */
    tl->st.m = setup_machine(s, &cfg, err);
    if (!tl->st.m || !program_init(&tl->prog, s, geometry_page_size(&cfg.geo), err)) {
        machine_destroy(tl->st.m);
        free(tl);
        return NULL;
    }
    /* OPT's future waits for the first move forward: position 0 needs
     * none, and learning it plays the whole scenario once. Its room is
     * taken now (untouched pages cost nothing until it is learnt). */
    tl->future_learnt = cfg.policy != POLICY_opt;
    if (!tl->future_learnt) {
        tl->future = malloc((total ? total : 1) * sizeof *tl->future);
        if (!tl->future) {
            diag_set(err, s->path, 0, 0, "out of memory for the future of opt");
            timeline_destroy(tl);
            return NULL;
        }
        tl->future_len = total;
        machine_set_future(tl->st.m, tl->future, total);
    }
    cursor_start(&tl->prog, &tl->st.cur, tl->first_pid);
    return tl;
}

struct timeline *timeline_create(const struct scenario *s, const struct timeline_overrides *o,
                                 struct diag *err)
{
    return timeline_create_with(s, o, NULL, err);
}

void timeline_destroy(struct timeline *tl)
{
    if (!tl)
        return;
    state_release(&tl->st);
    for (size_t i = 0; i < tl->nsnaps; i++)
        state_release(&tl->snaps[i].st);
    free(tl->snaps);
    free(tl->item_events);
    program_destroy(&tl->prog);
    free(tl->future);
    free(tl);
}

/* ------------------------------------------------------------------ */
/* playing                                                              */

/* Records that item number `item` took `events` events, for quiet replay.
 * Only a timeline that goes back keeps the index. When the host has no
 * memory to grow it the length stays unknown, and the item is replayed
 * micro-step by micro-step: slower, the same states. */
static bool grow_item_events(struct timeline *tl, uint64_t item);

static void note_item_events(struct timeline *tl, uint64_t item, uint64_t events)
{
    if (!tl->keep_snapshots || (item >= tl->item_events_cap && !grow_item_events(tl, item)))
        return;
    tl->item_events[item] = events < ITEM_LONG ? (uint8_t)events : ITEM_LONG;
}

/* Doubles the length index until it has room for item number `item`, the
 * new lengths unknown (note_item_events, which keeps this rare work out
 * of its own way). false when the host has no memory for it. */
static bool grow_item_events(struct timeline *tl, uint64_t item)
{
    uint64_t cap = tl->item_events_cap ? tl->item_events_cap : 4096;
    while (cap <= item)
        cap *= 2;
    if (cap > SIZE_MAX)
        return false;
    uint8_t *grown = realloc(tl->item_events, (size_t)cap);
    if (!grown)
        return false;
    memset(grown + tl->item_events_cap, 0, (size_t)(cap - tl->item_events_cap));
    tl->item_events = grown;
    tl->item_events_cap = cap;
    return true;
}

/* The events item number `item` takes, or 0 when the index does not know
 * it exactly. */
static uint64_t known_item_events(const struct timeline *tl, uint64_t item)
{
    if (item >= tl->item_events_cap || tl->item_events[item] == ITEM_LONG)
        return 0;
    return tl->item_events[item];
}

/* Runs the operation item just produced whole (machine_run_op) and,
 * unless the host refused memory on the way, notes its length. Returns
 * the micro-steps the machine counted. */
static uint64_t run_item_whole(struct timeline *tl, struct tl_state *st)
{
    uint64_t events = machine_run_op(st->m, &st->item.op);
    if (!machine_host_error(st->m))
        note_item_events(tl, st->items - 1, events);
    return events;
}

/* Copies an event into log slot `slot`, its detail up to the end of the
 * string (most events have a short one or none) and its checks into the
 * slot's own room. */
static void log_copy(struct timeline *tl, size_t slot, const struct tl_event *src)
{
    struct tl_event *dst = &tl->log[slot];
    memcpy(dst, src, offsetof(struct tl_event, ev) + offsetof(struct event, detail));
    size_t detail = strnlen(src->ev.detail, sizeof src->ev.detail - 1);
    memcpy(dst->ev.detail, src->ev.detail, detail);
    dst->ev.detail[detail] = '\0';
    dst->text = src->text;
    dst->nchecks = src->nchecks;
    dst->checks = NULL;
    if (src->nchecks) {
        memcpy(tl->log_checks[slot], src->checks, src->nchecks * sizeof src->checks[0]);
        dst->checks = tl->log_checks[slot];
    }
    dst->failed = src->failed;
}

/* The log's event `back` events before its newest (0: the newest);
 * back < log_count. */
static const struct tl_event *log_back(const struct timeline *tl, size_t back)
{
    return &tl->log[(tl->log_next + TIMELINE_LOG_SIZE - 1 - back) % TIMELINE_LOG_SIZE];
}

static void push_log(struct timeline *tl, const struct tl_event *e)
{
    log_copy(tl, tl->log_next, e);
    tl->log_next = (tl->log_next + 1) % TIMELINE_LOG_SIZE;
    if (tl->log_count < TIMELINE_LOG_SIZE)
        tl->log_count++;
}

/* Checks an expect step against the counters now, into `room` (which the
 * event then points to). */
static void evaluate_expect(struct tl_state *st, const struct scenario_step *step,
                            struct tl_check *room, struct tl_event *e)
{
    const struct counters *now = &st->m->counters;
    e->checks = room;
    for (size_t i = 0; i < step->u.expect.count && e->nchecks < TL_EXPECT_MAX; i++) {
        const struct scenario_expect *x = &step->u.expect.items[i];
        int id = counter_lookup(x->name);
        if (id < 0)
            continue;
        struct tl_check *c = &room[e->nchecks++];
        c->counter = (enum counter_id)id;
        c->relative = x->relative != 0;
        c->expected = (uint64_t)x->value;
        uint64_t total = counter_get(now, c->counter);
        c->actual = c->relative ? total - counter_get(&st->expect_base, c->counter) : total;
        c->ok = c->actual == c->expected;
        c->line = x->value_pos.line;
        c->col = x->value_pos.col;
        if (!c->ok)
            e->failed = true;
    }
    st->expect_base = *now;
    if (e->failed)
        st->failures++;
}

/* Fills e for a scenario item (say, chapter, pause, expect, failed); an
 * expect's checks go to the timeline's room for the event being played. */
static void play_item(struct timeline *tl, struct tl_state *st, const struct item *item,
                      struct tl_event *e)
{
    const struct scenario_step *step = item->step;
    switch (item->kind) {
    case ITEM_SAY:
        e->kind = TL_SAY;
        e->text = step->u.text.text.value;
        break;
    case ITEM_CHAPTER:
        e->kind = TL_CHAPTER;
        e->text = step->u.text.text.value;
        st->chapter = e->text;
        st->chapter_base = st->m->counters;
        break;
    case ITEM_PAUSE:
        e->kind = TL_PAUSE;
        break;
    case ITEM_ASK:
        e->kind = TL_ASK;
        e->text = step->u.ask.question.value;
        break;
    case ITEM_EXPECT:
        e->kind = TL_EXPECT;
        evaluate_expect(st, step, tl->played_checks, e);
        break;
    case ITEM_GONE:
        e->kind = TL_MACHINE;
        machine_process_gone(st->m, item->op.pid, &e->ev);
        break;
    case ITEM_FAILED:
    case ITEM_OP:
        e->kind = TL_MACHINE;
        event_init(&e->ev, EV_OP_FAILED);
        snprintf(e->ev.detail, sizeof e->ev.detail, "%s", item->reason);
        break;
    }
}

/* One event forward on state st (no snapshots, no log). false at the end,
 * and as soon as the host has refused the machine memory: the step that
 * met the refusal is not an event (what it did is unknown), so it is not
 * counted, and the machine does nothing more. */
static bool advance(struct timeline *tl, struct tl_state *st, struct tl_event *e)
{
    memset(e, 0, sizeof *e);
    if (machine_host_error(st->m))
        return false;
    if (!st->in_op) {
        if (st->ended || !cursor_next(&tl->prog, &st->cur, st->m, &st->item)) {
            st->ended = true;
            return false;
        }
        st->items++;
        if (st->item.kind != ITEM_OP) {
            play_item(tl, st, &st->item, e);
            e->step = st->item.step;
            e->ends_access = e->ends_op = true;
            goto done;
        }
        machine_begin(st->m, &st->item.op);
        if (machine_host_error(st->m))
            return false;
        st->in_op = true;
        st->op_start = st->position;
    }
    e->kind = TL_MACHINE;
    e->step = st->item.step;
    e->page_part = st->item.page_part;
    e->record_bytes = st->item.record_bytes;
    st->in_op = machine_step(st->m, &e->ev);
    if (machine_host_error(st->m))
        return false;
    if (!st->in_op)
        note_item_events(tl, st->items - 1, st->position + 1 - st->op_start);
    e->ends_access = !st->in_op;
    e->ends_op = !st->in_op && st->item.last_of_step;
done:
    st->position++;
    e->position = st->position;
    e->op_seq = st->cur.op_seq;
    e->access_seq = st->cur.access_seq;
    return true;
}

/* Records that the host refused memory, reached at `position`. The first
 * message is kept (what follows is its consequence); the position is the
 * earliest at which it happened, so that the timeline plays no further. */
static void set_error(struct timeline *tl, const char *message, uint64_t position)
{
    if (!tl->error[0])
        snprintf(tl->error, sizeof tl->error, "%s", message);
    if (position < tl->error_position)
        tl->error_position = position;
}

/* A move begins: the previous one's outcome is forgotten, and the hook is
 * first called after a full TIMELINE_POLL_EVENTS, so that short moves
 * never call it. */
static void move_begin(struct timeline *tl)
{
    tl->stopped = false;
    tl->poll_countdown = TIMELINE_POLL_EVENTS;
}

/* Counts `events` more events of a long move, and every
 * TIMELINE_POLL_EVENTS asks the stop hook, telling it the pass is at
 * position with cursor cur. true when it says stop (the move must then end
 * where it is). */
static bool poll_at(struct timeline *tl, enum tl_task task, uint64_t position,
                    const struct cursor *cur, uint64_t target, uint64_t events)
{
    if (!tl->stop)
        return false;
    if (tl->poll_countdown > events) {
        tl->poll_countdown -= events;
        return false;
    }
    tl->poll_countdown = TIMELINE_POLL_EVENTS;
    struct tl_progress progress = {
        .task = task,
        .position = position,
        .target = target,
        .op_index = cur->op_seq,
        .op_total = tl->prog.op_total,
        .access_index = cur->access_seq,
        .access_total = tl->access_total,
    };
    if (!tl->stop(tl->stop_ctx, &progress))
        return false;
    tl->stopped = true;
    return true;
}

/* poll_at for a long move on state st. */
static bool poll_stop(struct timeline *tl, enum tl_task task, const struct tl_state *st,
                      uint64_t target, uint64_t events)
{
    return poll_at(tl, task, st->position, &st->cur, target, events);
}

/* A snapshot is taken between operations, once the spacing has passed
 * since the newest one (never on a headless timeline). */
static bool snapshot_due(const struct timeline *tl)
{
    return tl->keep_snapshots && !tl->st.in_op && tl->st.position >= tl->next_snapshot;
}

const struct tl_event *timeline_next(struct timeline *tl)
{
    if (!learn_future(tl, false))
        return NULL;
    if (tl->error[0] && tl->st.position >= tl->error_position)
        return NULL;
    if (snapshot_due(tl))
        take_snapshot(tl);
    struct tl_event e;
    if (!advance(tl, &tl->st, &e)) {
        const char *why = machine_host_error(tl->st.m);
        if (why) {
            set_error(tl, why, tl->st.position);
        } else {
            tl->end_known = true;
            tl->end_position = tl->st.position;
        }
        return NULL;
    }
    push_log(tl, &e);
    return log_back(tl, 0);
}

/* How many snapshots lie at or before `position`: the newest of them is
 * snaps[count - 1]. */
static size_t snapshots_up_to(const struct timeline *tl, uint64_t position)
{
    size_t i = tl->nsnaps;
    while (i > 0 && tl->snaps[i - 1].st.position > position)
        i--;
    return i;
}

/* Makes the newest snapshot at or before `position` the current state, or
 * the state at position 0 when there is none. When the host has no memory
 * for a copy of the snapshot, the live machine is given back and the
 * snapshot itself becomes the current state (it is no longer held). false
 * (with the error set) only when position 0 cannot be rebuilt. */
static bool restore_before(struct timeline *tl, uint64_t position)
{
    size_t i = snapshots_up_to(tl, position);
    struct tl_state copy;
    if (i == 0) {
        if (!initial_state(tl, &copy)) {
            set_error(tl, "out of memory on the host: cannot rebuild the machine to go back",
                      tl->st.position);
            return false;
        }
    } else if (!state_copy(&copy, &tl->snaps[i - 1].st)) {
        state_release(&tl->st);
        copy = tl->snaps[i - 1].st;
        tl->snap_bytes -= tl->snaps[i - 1].bytes;
        memmove(&tl->snaps[i - 1], &tl->snaps[i], (tl->nsnaps - i) * sizeof *tl->snaps);
        tl->nsnaps--;
    }
    state_release(&tl->st);
    tl->st = copy;
    tl->log_count = 0;
    tl->log_next = 0;
    return true;
}

/* How far before its limit a quiet play still runs an item it has never
 * played whole: almost every operation takes fewer events, and one that
 * takes more only costs a second replay (see play_quietly). */
#define QUIET_UNKNOWN_MARGIN 64

static void play_trace_run(struct timeline *tl, struct tl_state *st, const struct cursor_run *run,
                           bool (*play)(struct timeline *, struct tl_state *, void *), void *ctx);

/* What play_quietly needs to play an operation item, alone or in a run,
 * and whether the stop hook ended the play. */
struct quiet_seek {
    uint64_t limit, target;
    enum tl_task task;
    bool may_pass;
    bool live;               /* the timeline's own state, not a scratch copy */
    bool stopped;            /* the stop hook ended the play */
};

/* What play_quietly checks before each event: false when it must return
 * (at the limit, at a host error, or at the position of the timeline's
 * error). */
static bool quiet_may_go_on(const struct timeline *tl, const struct tl_state *st,
                            const struct quiet_seek *q)
{
    return st->position < q->limit && !machine_host_error(st->m) &&
           !(q->live && tl->error[0] && st->position >= tl->error_position);
}

/* One micro-step of the operation in progress, the stop hook asked after
 * it; its length noted when it ends. false when the play must stop: a
 * host error, or the hook said so (q->stopped). */
static bool quiet_micro_step(struct timeline *tl, struct tl_state *st, struct quiet_seek *q)
{
    struct event scratch;
    st->in_op = machine_step(st->m, &scratch);
    if (machine_host_error(st->m))
        return false;
    st->position++;
    if (!st->in_op)
        note_item_events(tl, st->items - 1, st->position - st->op_start);
    if (poll_stop(tl, q->task, st, q->target, 1)) {
        q->stopped = true;
        return false;
    }
    return true;
}

/* Plays the operation just made st->item for play_quietly: whole where
 * its length is known and it ends by the limit, or where it was never
 * played and the limit is far; otherwise micro-step by micro-step, so
 * that the play can stop inside it. Sets q->stopped when the stop hook
 * ended the play. As play_trace_run's callback, false ends the run (the
 * caller's checks then decide): the play stops, reached its limit
 * (perhaps inside the operation), or met an error. Going on after an
 * operation played micro-step by micro-step keeps the run: cutting it
 * would read its lines again. */
static bool quiet_seek_op(struct timeline *tl, struct tl_state *st, void *ctx)
{
    struct quiet_seek *q = ctx;
    uint64_t events = known_item_events(tl, st->items - 1);
    if (events != 0 && st->position + events <= q->limit) {
        st->position += machine_run_op(st->m, &st->item.op);
    } else if (events == 0 && q->may_pass && q->limit - st->position > QUIET_UNKNOWN_MARGIN) {
        events = run_item_whole(tl, st);
        st->position += events;
    } else {
        machine_begin(st->m, &st->item.op);
        st->in_op = true;
        st->op_start = st->position;
        while (st->in_op)
            if (!quiet_may_go_on(tl, st, q) || !quiet_micro_step(tl, st, q))
                return false;
        return quiet_may_go_on(tl, st, q);
    }
    if (poll_stop(tl, q->task, st, q->target, events)) {
        q->stopped = true;
        return false;
    }
    return quiet_may_go_on(tl, st, q);
}

/* Plays st forward to `limit`, or to the end, quietly: no timeline event
 * is built and nothing is logged; the machine, the cursor and the
 * scenario's own state (chapter, expectations, failures) move as playing
 * moves them. An operation whose length the index knows, and that ends by
 * limit, runs whole through machine_run_op, which leaves the machine as
 * the micro-steps would; with may_pass, so does one never played, while
 * limit is more than QUIET_UNKNOWN_MARGIN events away (it may then end
 * past limit: the caller replays again, knowing its length). Any other
 * runs micro-step by micro-step, so that the play can stop inside it. The
 * stop hook is asked as timeline.h says: after the event that completes
 * TIMELINE_POLL_EVENTS, or at the end of the operation run whole in which
 * they complete (waiting for the next call to be due before each
 * operation, as it once did, played the last events before every call
 * micro-step by micro-step: End took a fifth longer in the viewer than
 * without a hook). On the live state it takes the snapshots that fall
 * due, as playing does. true
 * when it reached limit (or passed it, with may_pass) or the end
 * (st->ended); false when stopped, at a host error (the caller reads
 * machine_host_error), or at the position of an earlier one. */
static bool play_quietly(struct timeline *tl, struct tl_state *st, uint64_t limit,
                         enum tl_task task, uint64_t target, bool may_pass)
{
    bool live = st == &tl->st;
    struct quiet_seek q = {limit, target, task, may_pass, live, false};
    while (st->position < limit) {
        if (!quiet_may_go_on(tl, st, &q))
            return false;
        if (st->in_op) {
            if (!quiet_micro_step(tl, st, &q))
                return false;
            continue;
        }
        if (live && snapshot_due(tl))
            take_snapshot(tl);
        /* A trace's accesses are read in runs (the live state only:
         * play_trace_run takes the snapshots that fall due). */
        struct cursor_run run;
        if (live && !st->ended && cursor_next_trace_run(&tl->prog, &st->cur, &run) > 0) {
            play_trace_run(tl, st, &run, quiet_seek_op, &q);
        } else if (st->ended || !cursor_next(&tl->prog, &st->cur, st->m, &st->item)) {
            st->ended = true;
            return true;
        } else {
            st->items++;
            if (st->item.kind == ITEM_OP) {
                quiet_seek_op(tl, st, &q);
            } else {
                struct tl_event item_event;
                memset(&item_event, 0, sizeof item_event);
                play_item(tl, st, &st->item, &item_event);
                st->position++;
                if (poll_stop(tl, task, st, target, 1))
                    return false;
            }
        }
        if (q.stopped)
            return false;
    }
    return true;
}

/* Makes the log what playing event by event leaves at the current
 * position, after a quiet play that was stopped or found the end: goes
 * back by the replay that every step back makes. The replay is short (at
 * most the snapshot spacing and the log), so the stop hook is not asked:
 * it has just said stop. */
static bool rebuild_log(struct timeline *tl);

/* timeline_seek within a move that has begun (timeline_step uses it): the
 * events before the last TIMELINE_LOG_SIZE are played quietly, those
 * played loudly, so that the log ends up as playing leaves it. */
static bool seek_within_move(struct timeline *tl, uint64_t position)
{
    if (tl->end_known && position > tl->end_position)
        position = tl->end_position;
    enum tl_task task = TL_TASK_FORWARD;
    uint64_t loud_from = position > TIMELINE_LOG_SIZE ? position - TIMELINE_LOG_SIZE : 0;
    /* Going forward over ground played before, a snapshot ahead saves
     * replaying up to it. */
    size_t ahead = snapshots_up_to(tl, loud_from);
    bool jump_ahead = ahead > 0 && tl->snaps[ahead - 1].st.position > tl->st.position;
    if (position < tl->st.position || jump_ahead) {
        if (!restore_before(tl, loud_from))
            return false;
        if (!jump_ahead)
            task = TL_TASK_REPLAY;
    }
    bool played_quietly = tl->st.position < loud_from;
    if (played_quietly) {
        bool ok = play_quietly(tl, &tl->st, loud_from, task, position, true);
        if (ok && tl->st.position > loud_from) {
            /* An operation never played before ran past where the log
             * begins: again from before it, its length known now. */
            task = TL_TASK_REPLAY;
            ok = restore_before(tl, loud_from) &&
                 play_quietly(tl, &tl->st, loud_from, task, position, false);
        }
        if (!ok) {
            const char *why = machine_host_error(tl->st.m);
            if (why)
                set_error(tl, why, tl->st.position);
            if (tl->stopped)
                rebuild_log(tl);
            return false;
        }
        if (tl->st.ended) /* the end came first: the log is rebuilt there */
            return rebuild_log(tl);
    }
    while (tl->st.position < position) {
        if (poll_stop(tl, task, &tl->st, position, 1))
            return false;
        if (!timeline_next(tl)) {
            if (timeline_error(tl))
                return false;
            /* The end, as near as there is: the log must hold what came
             * before it, not what came before the quiet play. */
            if (played_quietly && tl->st.position < loud_from + TIMELINE_LOG_SIZE)
                rebuild_log(tl);
            return timeline_error(tl) == NULL;
        }
    }
    return true;
}

static bool rebuild_log(struct timeline *tl)
{
    if (tl->st.position == 0)
        return true;
    timeline_stop_fn stop = tl->stop;
    bool stopped = tl->stopped;
    tl->stop = NULL;
    tl->end_known = tl->end_known || tl->st.ended;
    if (tl->st.ended)
        tl->end_position = tl->st.position;
    uint64_t position = tl->st.position;
    uint64_t loud_from = position > TIMELINE_LOG_SIZE ? position - TIMELINE_LOG_SIZE : 0;
    bool ok = restore_before(tl, loud_from) &&
              play_quietly(tl, &tl->st, loud_from, TL_TASK_REPLAY, position, false);
    while (ok && tl->st.position < position)
        ok = timeline_next(tl) != NULL;
    tl->stop = stop;
    tl->stopped = stopped;
    return ok;
}

bool timeline_seek(struct timeline *tl, uint64_t position)
{
    move_begin(tl);
    if (position > 0 && !learn_future(tl, true))
        return false;
    return seek_within_move(tl, position);
}

static bool is_boundary(const struct tl_event *e, enum tl_unit unit)
{
    switch (unit) {
    case TL_UNIT_EVENT: return true;
    case TL_UNIT_ACCESS: return e->ends_access;
    case TL_UNIT_OP: return e->ends_op;
    case TL_UNIT_CHAPTER: return e->kind == TL_CHAPTER;
    }
    return true;
}

/* True when no event after state `from` up to state `after` ends a
 * `unit` (with after_searched, the event that led to `after` included),
 * read from the two states alone, for an operation or a chapter; false
 * for the other units. An event that ends operation k is followed by one
 * of a later operation, so the operations begun (op_seq) would differ;
 * the event that led to a state between items ends an operation when its
 * item is not a machine operation or is its step's last. A chapter is a
 * step of its own: its event begins an operation. */
static bool no_boundary_between(enum tl_unit unit, const struct tl_state *from,
                                const struct tl_state *after, bool after_searched)
{
    if ((unit != TL_UNIT_OP && unit != TL_UNIT_CHAPTER) || from->cur.op_seq != after->cur.op_seq)
        return false;
    return unit == TL_UNIT_CHAPTER || !after_searched ||
           (!after->in_op && after->item.kind == ITEM_OP && !after->item.last_of_step);
}

/* The greatest position before `before` that ends a unit, into *found (0
 * when none), found by replaying on scratch copies the windows that begin
 * at each snapshot, newest first, and last the one from position 0. The
 * current state is not touched. false when stopped or when the host has no
 * memory for a scratch copy (the error is then set). */
static bool previous_boundary(struct timeline *tl, uint64_t before, enum tl_unit unit,
                              uint64_t *found)
{
    size_t i = tl->nsnaps;
    while (i > 0 && tl->snaps[i - 1].st.position >= before)
        i--;
    /* Windows: snaps[i - 1] up to `before`, then each older one up to the
     * start of the window after it, then position 0. `after` is the state
     * at the end of the window: at `before` for the first, whose last
     * event is not searched; for the others the snapshot at the next
     * window's start, whose last event is. */
    const struct tl_state *after = &tl->st;
    bool after_searched = false;
    for (;; i--) {
        if (i > 0 && no_boundary_between(unit, &tl->snaps[i - 1].st, after, after_searched)) {
            after = &tl->snaps[i - 1].st;
            after_searched = true;
            before = after->position + 1;
            continue;
        }
        struct tl_state scratch;
        bool copied = i > 0 ? state_copy(&scratch, &tl->snaps[i - 1].st)
                            : initial_state(tl, &scratch);
        if (!copied) {
            set_error(tl, "out of memory on the host: cannot copy the machine to go back",
                      tl->st.position);
            return false;
        }
        uint64_t window_start = scratch.position;
        uint64_t last = 0;
        struct tl_event e;
        bool stopped = false;
        while (scratch.position + 1 < before) {
            if (poll_stop(tl, TL_TASK_SEARCH, &scratch, UINT64_MAX, 1)) {
                stopped = true;
                break;
            }
            if (!advance(tl, &scratch, &e))
                break;
            if (is_boundary(&e, unit))
                last = e.position;
        }
        state_release(&scratch);
        if (stopped)
            return false;
        if (last || window_start == 0) {
            *found = last;
            return true;
        }
        before = window_start + 1;
        after = &tl->snaps[i - 1].st;
        after_searched = true;
    }
}

/* The greatest position before the current one that ends a unit, read
 * from the log, which holds the events just played: true with *found set
 * (0 when the log goes back to the first event without one); false when
 * the log does not reach that far back, or is not the run of events
 * before the current position (a fast run logs only the scenario's own
 * items). */
static bool boundary_in_log(const struct timeline *tl, enum tl_unit unit, uint64_t *found)
{
    uint64_t position = tl->st.position;
    for (size_t i = 0; i < tl->log_count; i++) {
        const struct tl_event *e = log_back(tl, i);
        if (e->position != position - i)
            return false;
        if (i > 0 && is_boundary(e, unit)) {
            *found = e->position;
            return true;
        }
        if (e->position == 1) {
            *found = 0;
            return true;
        }
    }
    return false;
}

static bool run_until_within_move(struct timeline *tl, enum tl_stop stop);

bool timeline_step(struct timeline *tl, enum tl_unit unit, int direction)
{
    move_begin(tl);
    if (direction > 0 && !learn_future(tl, true))
        return false;
    if (direction < 0) {
        if (tl->st.position == 0)
            return false;
        uint64_t target = tl->st.position - 1;
        if (unit != TL_UNIT_EVENT && !boundary_in_log(tl, unit, &target) &&
            !previous_boundary(tl, tl->st.position, unit, &target))
            return false;
        return seek_within_move(tl, target);
    }
    if (unit == TL_UNIT_CHAPTER || unit == TL_UNIT_OP) {
        /* The next chapter, or the end of the step (a trace's millions of
         * accesses are one operation), is where run_until stops for one:
         * reached running operations whole, the log rebuilt at the end. */
        uint64_t from = tl->st.position;
        if (run_until_within_move(tl, unit == TL_UNIT_OP ? TL_STOP_STEP_END : TL_STOP_CHAPTER))
            return true;
        return tl->st.position != from && !tl->stopped && timeline_error(tl) == NULL;
    }
    bool moved = false;
    for (;;) {
        if (poll_stop(tl, TL_TASK_FORWARD, &tl->st, UINT64_MAX, 1))
            return false;
        const struct tl_event *e = timeline_next(tl);
        if (e == NULL)
            return moved && timeline_error(tl) == NULL;
        moved = true;
        if (is_boundary(e, unit))
            return true;
    }
}

static bool stops_at(const struct tl_event *e, enum tl_stop stop)
{
    switch (stop) {
    case TL_STOP_FAULT:
        return e->kind == TL_MACHINE && e->ev.kind == EV_PAGE_FAULT;
    case TL_STOP_EVICTION:
        return e->kind == TL_MACHINE && e->ev.kind == EV_VICTIM_CHOSEN;
    case TL_STOP_TLB_MISS:
        return e->kind == TL_MACHINE && e->ev.kind == EV_TLB_MISS;
    case TL_STOP_CHAPTER:
        return e->kind == TL_CHAPTER;
    case TL_STOP_FAILED:
        return e->kind == TL_EXPECT && e->failed;
    case TL_STOP_PAUSE:
        return e->kind == TL_PAUSE || e->kind == TL_CHAPTER || e->kind == TL_ASK;
    case TL_STOP_STEP_END:
        return e->ends_op;
    }
    return false;
}

/* True when an operation whose counters went from `before` to `after` may
 * hold an event where `stop` stops: each machine event it stops at moves a
 * counter in its operation (a page fault ends handled or as a SIGSEGV, a
 * victim chosen is evicted unless memory runs out); the scenario's own
 * items are never inside an operation. Operations it says false of are
 * skipped whole by a quiet run; one it says true of is played again event
 * by event, so a false alarm costs time, never exactness. */
static bool may_stop_in(enum tl_stop stop, const struct counters *before,
                        const struct counters *after)
{
    switch (stop) {
    case TL_STOP_FAULT:
        return after->faults != before->faults || after->segfaults != before->segfaults;
    case TL_STOP_EVICTION:
        return after->evictions != before->evictions || after->oom_kills != before->oom_kills;
    case TL_STOP_TLB_MISS:
        return after->tlb_misses != before->tlb_misses;
    case TL_STOP_CHAPTER:
    case TL_STOP_FAILED:
    case TL_STOP_PAUSE:
        return false; /* the scenario's own items, never inside an operation */
    case TL_STOP_STEP_END:
        return false; /* a step's last item is given back before it runs */
    }
    return true;
}

/* Plays the accesses of a trace read in a run (cursor_next_trace_run) one
 * by one: each made st->item and counted first, as cursor_next would have
 * given it, then played by play (which says whether to go on); a snapshot
 * is taken between two where one falls due, the cursor first put where it
 * stands then. It stops before an access at a host error, and after one
 * where play says so, the cursor left after the last access played. */
static void play_trace_run(struct timeline *tl, struct tl_state *st, const struct cursor_run *run,
                           bool (*play)(struct timeline *, struct tl_state *, void *), void *ctx)
{
    for (size_t i = 0; i < run->count; i++) {
        if (machine_host_error(st->m)) {
            cursor_run_done(&st->cur, run, i);
            return;
        }
        /* Before the first, the caller has just looked. */
        if (i > 0 && snapshot_due(tl)) {
            cursor_run_done(&st->cur, run, i);
            take_snapshot(tl);
        }
        cursor_run_item(&st->cur, run, i, &st->item);
        st->items++;
        if (!play(tl, st, ctx)) {
            cursor_run_done(&st->cur, run, i + 1);
            return;
        }
    }
    cursor_run_done(&st->cur, run, run->count);
}

/* What find_candidate_quietly needs to run an item of a run as it runs
 * one alone, and what came of it. */
struct quiet_play {
    enum tl_stop stop;
    uint64_t *candidate;
    enum { QUIET_ON, QUIET_FOUND, QUIET_FAILED } outcome;
};

/* Runs the operation in st->item whole, quietly: false when the run stops
 * there, q->outcome saying why. */
static bool quiet_play_op(struct timeline *tl, struct tl_state *st, void *ctx)
{
    struct quiet_play *q = ctx;
    struct counters before = st->m->counters;
    uint64_t start = st->position;
    uint64_t events = run_item_whole(tl, st);
    if (machine_host_error(st->m)) {
        q->outcome = QUIET_FAILED;
        return false;
    }
    st->position += events;
    if (may_stop_in(q->stop, &before, &st->m->counters)) {
        *q->candidate = start;
        q->outcome = QUIET_FOUND;
        return false;
    }
    if (poll_stop(tl, TL_TASK_FORWARD, st, UINT64_MAX, events)) {
        q->outcome = QUIET_FAILED;
        return false;
    }
    return true;
}

/* Plays forward quietly, an item (or a run of a trace's accesses) at a
 * time, up to the first operation that may hold an event where `stop`
 * stops (may_stop_in), the end, or the scenario's first own item (played
 * loudly by the caller, since it may be where run_until stops), or for
 * TL_STOP_STEP_END the step's last item. *candidate is the position that
 * operation began at, or UINT64_MAX when none was found. false when
 * stopped or on a host error. */
static bool find_candidate_quietly(struct timeline *tl, enum tl_stop stop, uint64_t *candidate)
{
    struct tl_state *st = &tl->st;
    struct quiet_play q = {stop, candidate, QUIET_ON};
    struct cursor_run run;
    *candidate = UINT64_MAX;
    while (!st->in_op) {
        if ((tl->error[0] && st->position >= tl->error_position) || machine_host_error(st->m))
            return false;
        if (snapshot_due(tl))
            take_snapshot(tl);
        /* No run holds a step's last access: it stays the caller's when
         * the stop is the step's end. */
        if (!st->ended && cursor_next_trace_run(&tl->prog, &st->cur, &run) > 0) {
            play_trace_run(tl, st, &run, quiet_play_op, &q);
            if (q.outcome != QUIET_ON)
                return q.outcome == QUIET_FOUND;
            continue;
        }
        struct cursor before_cursor = st->cur;
        if (st->ended || !cursor_next(&tl->prog, &st->cur, st->m, &st->item)) {
            st->ended = true;
            return true;
        }
        if (st->item.kind != ITEM_OP || (stop == TL_STOP_STEP_END && st->item.last_of_step)) {
            /* Given back: the caller plays it event by event (a step's
             * last item holds the event that ends the step). */
            st->cur = before_cursor;
            return true;
        }
        st->items++;
        if (!quiet_play_op(tl, st, &q))
            return q.outcome == QUIET_FOUND;
    }
    return true;
}

/* timeline_run_until within a move that has begun (timeline_step uses it
 * for chapters and for the end of a step). */
static bool run_until_within_move(struct timeline *tl, enum tl_stop stop)
{
    /* Operations are run quietly where going back is cheap (snapshots are
     * kept); the scenario's own items, and an operation that may hold
     * the breakpoint, are played event by event. */
    bool quiet = tl->keep_snapshots;
    bool log_stale = false; /* operations were run quietly since the log was right */
    for (;;) {
        if (quiet && !tl->st.in_op) {
            uint64_t candidate, from = tl->st.position;
            bool found = find_candidate_quietly(tl, stop, &candidate);
            if (!found || tl->st.ended) {
                const char *why = machine_host_error(tl->st.m);
                if (why)
                    set_error(tl, why, tl->st.position);
                rebuild_log(tl);
                return false;
            }
            /* Back to where the operation began, to play it event by event
             * (the log is rebuilt on the way). */
            if (candidate != UINT64_MAX) {
                if (!seek_within_move(tl, candidate))
                    return false;
                log_stale = false;
            } else if (tl->st.position != from) {
                log_stale = true;
            }
        }
        bool stopped = poll_stop(tl, TL_TASK_FORWARD, &tl->st, UINT64_MAX, 1);
        const struct tl_event *e = stopped ? NULL : timeline_next(tl);
        bool found = e != NULL && stops_at(e, stop);
        if (found || e == NULL) {
            if (log_stale)
                rebuild_log(tl);
            return found;
        }
    }
}

bool timeline_run_until(struct timeline *tl, enum tl_stop stop)
{
    move_begin(tl);
    return learn_future(tl, true) && run_until_within_move(tl, stop);
}

/* Tells the watch of a headless run, when there is one, about an
 * operation in which the OOM killer ended the last process alive: the
 * event that did it, as the stepper would have made it (the kind, the step
 * and the pid; no detail). It is the faulting process: killing any other
 * leaves the faulting one alive and the access going on. */
static bool watch_last_kill(const struct tl_state *st, uint32_t pid, timeline_watch_fn watch,
                            void *ctx)
{
    const struct machine *m = st->m;
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].alive)
            return true;
    struct tl_event e;
    memset(&e, 0, sizeof e);
    e.kind = TL_MACHINE;
    e.step = st->item.step;
    e.position = st->position;
    e.op_seq = st->cur.op_seq;
    e.access_seq = st->cur.access_seq;
    e.ends_access = e.ends_op = true;
    event_init(&e.ev, EV_OOM_KILL);
    e.ev.other_pid = pid;
    e.ev.pid = pid;
    return watch(ctx, &e);
}

/* Shows the watch of a headless run (when there is one) the event just
 * logged; false, with *watch_stopped set, when it ends the run. */
static bool tell_watch(struct timeline *tl, timeline_watch_fn watch, void *ctx,
                       bool *watch_stopped)
{
    if (!watch)
        return true;
    *watch_stopped = !watch(ctx, log_back(tl, 0));
    return !*watch_stopped;
}

/* Plays the operation in st->item whole, as run_fast does: false when
 * run_fast must return false (the watch or the stop hook ended the run).
 * *last_step becomes the item's step when it made an event. */
static bool run_op_item(struct timeline *tl, struct tl_state *st, timeline_watch_fn watch,
                        void *ctx, bool *watch_stopped, const struct scenario_step **last_step)
{
    uint64_t kills = st->m->counters.oom_kills;
    const struct process *p = st->item.op.pid ? machine_process(st->m, st->item.op.pid)
                                              : machine_running(st->m);
    uint32_t pid = p ? p->pid : 0;
    uint64_t events = run_item_whole(tl, st);
    /* The step that met a host refusal is no event (advance). */
    if (events && machine_host_error(st->m))
        events--;
    if (events)
        *last_step = st->item.step;
    st->position += events;
    if (watch && st->m->counters.oom_kills != kills && !watch_last_kill(st, pid, watch, ctx)) {
        *watch_stopped = true;
        return false;
    }
    return !poll_stop(tl, TL_TASK_FORWARD, st, UINT64_MAX, events);
}

/* What run_fast needs to play an item of a run as it plays one alone. */
struct fast_play {
    timeline_watch_fn watch;
    void *ctx;
    bool *watch_stopped;
    const struct scenario_step **last_step;
    bool go_on;              /* false: run_fast must return false */
};

static bool fast_play_op(struct timeline *tl, struct tl_state *st, void *ctx)
{
    struct fast_play *f = ctx;
    f->go_on = run_op_item(tl, st, f->watch, f->ctx, f->watch_stopped, f->last_step);
    return f->go_on;
}

/* timeline_run_fast with the watch of timeline_run_headless (NULL: none);
 * *watch_stopped says whether the watch ended the run. */
static bool run_fast(struct timeline *tl, timeline_watch_fn watch, void *ctx,
                     bool *watch_stopped)
{
    struct tl_state *st = &tl->st;
    struct tl_event e;
    *watch_stopped = false;
    move_begin(tl);
    if (!learn_future(tl, true))
        return false;
    if (tl->error[0] && st->position >= tl->error_position)
        return false;
    /* Finish an operation in progress event by event, then go fast. */
    while (st->in_op && advance(tl, st, &e)) {
        push_log(tl, &e);
        if (!tell_watch(tl, watch, ctx, watch_stopped))
            return false;
    }
    /* The scenario step of the newest event played: where a host error
     * met in the next one is reported. */
    const struct scenario_step *last_step = st->item.step;
    struct cursor_run run;
    for (;;) {
        if (machine_host_error(st->m)) {
            set_error(tl, machine_host_error(st->m), st->position);
            if (st->position == tl->error_position)
                tl->error_step = last_step;
            return false;
        }
        /* Snapshots as playing would take them, so stepping back after a
         * fast run does not replay from the start. */
        if (snapshot_due(tl))
            take_snapshot(tl);
        if (!st->ended && cursor_next_trace_run(&tl->prog, &st->cur, &run) > 0) {
            struct fast_play f = {watch, ctx, watch_stopped, &last_step, true};
            play_trace_run(tl, st, &run, fast_play_op, &f);
            if (!f.go_on)
                return false;
            continue;
        }
        if (st->ended || !cursor_next(&tl->prog, &st->cur, st->m, &st->item)) {
            st->ended = true;
            break;
        }
        st->items++;
        if (st->item.kind == ITEM_OP) {
            if (!run_op_item(tl, st, watch, ctx, watch_stopped, &last_step))
                return false;
            continue;
        }
        memset(&e, 0, sizeof e);
        play_item(tl, st, &st->item, &e);
        e.step = last_step = st->item.step;
        e.ends_access = e.ends_op = true;
        st->position++;
        e.position = st->position;
        e.op_seq = st->cur.op_seq;
        e.access_seq = st->cur.access_seq;
        push_log(tl, &e);
        if (!tell_watch(tl, watch, ctx, watch_stopped))
            return false;
        if (poll_stop(tl, TL_TASK_FORWARD, st, UINT64_MAX, 1))
            return false;
    }
    tl->end_known = true;
    tl->end_position = st->position;
    return true;
}

bool timeline_run_fast(struct timeline *tl)
{
    bool watch_stopped;
    return run_fast(tl, NULL, NULL, &watch_stopped);
}

bool timeline_run_headless(struct timeline *tl, timeline_watch_fn watch, void *ctx)
{
    bool watch_stopped;
    run_fast(tl, watch, ctx, &watch_stopped);
    return !watch_stopped && !tl->stopped;
}

const struct scenario_step *timeline_error_step(const struct timeline *tl)
{
    if (!tl->error[0])
        return NULL;
    if (tl->error_step)
        return tl->error_step;
    const struct tl_event *e = timeline_current(tl);
    return e ? e->step : NULL;
}

void timeline_set_poll(struct timeline *tl, timeline_stop_fn stop, void *ctx)
{
    tl->stop = stop;
    tl->stop_ctx = ctx;
}

bool timeline_stopped(const struct timeline *tl)
{
    return tl->stopped;
}

const char *timeline_error(const struct timeline *tl)
{
    return tl->error[0] ? tl->error : NULL;
}

/* ------------------------------------------------------------------ */
/* reading                                                              */

uint64_t timeline_position(const struct timeline *tl)
{
    return tl->st.position;
}

bool timeline_at_end(const struct timeline *tl)
{
    return tl->st.ended || (tl->end_known && tl->st.position >= tl->end_position);
}

const struct tl_event *timeline_current(const struct timeline *tl)
{
    if (tl->log_count == 0 || tl->st.position == 0)
        return NULL;
    const struct tl_event *e = log_back(tl, 0);
    return e->position == tl->st.position ? e : NULL;
}

size_t timeline_log(const struct timeline *tl, const struct tl_event **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < tl->log_count && n < max; i++)
        out[n++] = log_back(tl, i);
    return n;
}

const struct machine *timeline_machine(const struct timeline *tl)
{
    return tl->st.m;
}

const struct scenario *timeline_scenario(const struct timeline *tl)
{
    return tl->s;
}

enum policy_kind timeline_own_policy(const struct timeline *tl)
{
    return tl->own_policy;
}

const char *timeline_chapter(const struct timeline *tl)
{
    return tl->st.chapter;
}

const struct counters *timeline_chapter_start(const struct timeline *tl)
{
    return &tl->st.chapter_base;
}

uint64_t timeline_op_index(const struct timeline *tl)
{
    return tl->st.cur.op_seq;
}

uint64_t timeline_access_index(const struct timeline *tl)
{
    return tl->st.cur.access_seq;
}

uint64_t timeline_op_total(const struct timeline *tl)
{
    return tl->prog.op_total;
}

uint64_t timeline_failures(const struct timeline *tl)
{
    return tl->st.failures;
}

size_t timeline_snapshot_count(const struct timeline *tl)
{
    return tl->nsnaps;
}

size_t timeline_snapshot_bytes(const struct timeline *tl)
{
    return tl->snap_bytes;
}
