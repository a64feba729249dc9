/* What if, from here: rebuilding the timeline on another machine, undo,
 * and the split view's second machine. See whatif.h. */
#include "tui/whatif.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/setup.h"
#include "tui/screens.h"

/* Frame counts and TLB sizes move one at a time up to these, then double
 * or halve: small machines are where one frame more tells a story, and a
 * large one is not worth a thousand presses. */
#define FRAMES_FINE_MAX 16
#define TLB_FINE_MAX 8
/* The widest message the line at the bottom holds on the smallest screen
 * (it starts a column in, and the narration's title keeps two). */
#define MESSAGE_COLS (APP_MIN_COLS - 4)

/* What a policy, the frames or the TLB change first, then what follows
 * from them. */
const struct whatif_counter whatif_counters[WHATIF_COUNTERS] = {
    {COUNTER_faults, "faults"},       {COUNTER_evictions, "evictions"},
    {COUNTER_tlb_hits, "TLB hits"},   {COUNTER_tlb_misses, "TLB misses"},
    {COUNTER_swap_outs, "swap outs"}, {COUNTER_swap_ins, "swap ins"},
    {COUNTER_minor_faults, "minor"},  {COUNTER_major_faults, "major"},
};

struct whatif *whatif_of(struct app *a)
{
    if (!a->whatif)
        a->whatif = calloc(1, sizeof *a->whatif);
    return a->whatif;
}

void whatif_free(struct whatif *w)
{
    if (!w)
        return;
    timeline_destroy(w->right);
    free(w);
}

void whatif_knobs_of(const struct machine *m, struct whatif_knobs *k)
{
    k->policy = m->cfg.policy;
    k->frames = m->cfg.frames;
    k->tlb_entries = m->cfg.tlb_entries;
    k->tlb_ways = m->cfg.tlb_ways;
    k->asid = m->cfg.tlb_asid;
    k->seed = m->cfg.seed;
}

/* Only these policies draw random numbers: the seed changes nothing else. */
static bool seed_matters(enum policy_kind p)
{
    return p == POLICY_random || p == POLICY_nru;
}

void whatif_machine_name(const struct machine *m, char *buf, size_t len)
{
    const struct machine_config *c = &m->cfg;
    int n = snprintf(buf, len, "%s, %" PRIu32 " frames, TLB %" PRIu32 "x%" PRIu32,
                     policy_name(c->policy), c->frames, c->tlb_entries, c->tlb_ways);
    if (n > 0 && (size_t)n < len && !c->tlb_asid)
        n += snprintf(buf + n, len - (size_t)n, ", no ASIDs");
    if (n > 0 && (size_t)n < len && seed_matters(c->policy))
        snprintf(buf + n, len - (size_t)n, ", seed %" PRIu64, c->seed);
}

void whatif_knob_value(const struct whatif_knobs *k, enum whatif_knob knob, char *buf, size_t len)
{
    switch (knob) {
    case KNOB_POLICY: snprintf(buf, len, "%s", policy_name(k->policy)); break;
    case KNOB_FRAMES: snprintf(buf, len, "%" PRIu32, k->frames); break;
    case KNOB_TLB_ENTRIES: snprintf(buf, len, "%" PRIu32, k->tlb_entries); break;
    case KNOB_TLB_WAYS: snprintf(buf, len, "%" PRIu32, k->tlb_ways); break;
    case KNOB_ASID: snprintf(buf, len, "%s", k->asid ? "on" : "off"); break;
    case KNOB_SEED: snprintf(buf, len, "%" PRIu64, k->seed); break;
    case KNOB_COUNT: snprintf(buf, len, "-"); break;
    }
}

/* Overrides that name every knob of k, for checking a machine whole. */
static void overrides_all(const struct timeline_overrides *base, const struct whatif_knobs *k,
                          struct timeline_overrides *o)
{
    *o = *base;
    o->policy = policy_name(k->policy);
    o->frames = k->frames;
    o->tlb_entries = k->tlb_entries;
    o->tlb_ways = k->tlb_ways;
    o->tlb_asid = k->asid ? 1 : 0;
    o->seed = k->seed > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)k->seed;
}

/* True when the scenario runs on the machine k describes: the engine
 * takes the configuration and every step fits it (the checks made before
 * a run, without building the machine). */
static bool knobs_valid(const struct app *a, const struct whatif_knobs *k)
{
    struct timeline_overrides o;
    overrides_all(&a->opts.overrides, k, &o);
    struct machine_config c;
    struct diag err;
    uint64_t accesses;
    return setup_config(a->sc, &o, &c, &err) && setup_check(a->sc, &c, &accesses, &err);
}

/* The next size one notch up or down: by one up to fine_max, then
 * doubling (down: halving, but not below fine_max). 0 when none. */
static uint32_t next_size(uint32_t n, int direction, uint32_t fine_max, uint32_t max)
{
    if (direction > 0) {
        uint64_t up = n < fine_max ? (uint64_t)n + 1 : (uint64_t)n * 2;
        return up <= max ? (uint32_t)up : 0;
    }
    if (n <= 1)
        return 0;
    return n <= fine_max ? n - 1 : (n / 2 > fine_max ? n / 2 : fine_max);
}

/* The largest divisor of entries not above ways: the ways a TLB keeps
 * when its entries change. */
static uint32_t ways_within(uint32_t entries, uint32_t ways)
{
    while (ways > 1 && entries % ways != 0)
        ways--;
    return ways;
}

/* The next divisor of entries above (below) ways, or 0. */
static uint32_t next_ways(uint32_t entries, uint32_t ways, int direction)
{
    for (uint32_t w = direction > 0 ? ways + 1 : ways - 1; w >= 1 && w <= entries;
         w = direction > 0 ? w + 1 : w - 1)
        if (entries % w == 0)
            return w;
    return 0;
}

/* One notch of a knob, valid or not; false when the knob has no value
 * that way. */
static bool knob_notch(struct whatif_knobs *k, enum whatif_knob knob, int direction)
{
    switch (knob) {
    case KNOB_POLICY:
        /* The policies go round: each is a press or a few away. */
        k->policy = (enum policy_kind)(((int)k->policy + direction + POLICY_COUNT) % POLICY_COUNT);
        return true;
    case KNOB_FRAMES: {
        uint32_t f = next_size(k->frames, direction, FRAMES_FINE_MAX, MACHINE_MAX_FRAMES);
        if (!f)
            return false;
        k->frames = f;
        return true;
    }
    case KNOB_TLB_ENTRIES: {
        /* Up keeps the ways (entries stay a multiple of them); down below
         * the ways takes fewer ways too. */
        uint32_t e = k->tlb_entries;
        do
            e = next_size(e, direction, TLB_FINE_MAX, MACHINE_MAX_TLB);
        while (e && direction > 0 && e % k->tlb_ways != 0);
        if (!e)
            return false;
        k->tlb_entries = e;
        k->tlb_ways = ways_within(e, k->tlb_ways);
        return true;
    }
    case KNOB_TLB_WAYS: {
        uint32_t w = next_ways(k->tlb_entries, k->tlb_ways, direction);
        if (!w)
            return false;
        k->tlb_ways = w;
        return true;
    }
    case KNOB_ASID:
        k->asid = !k->asid;
        return true;
    case KNOB_SEED:
        if (direction < 0 ? k->seed == 0 : k->seed >= (uint64_t)LLONG_MAX)
            return false;
        k->seed = direction < 0 ? k->seed - 1 : k->seed + 1;
        return true;
    case KNOB_COUNT:
        break;
    }
    return false;
}

bool whatif_knob_turn(const struct app *a, struct whatif_knobs *k, enum whatif_knob knob,
                      int direction)
{
    struct whatif_knobs next = *k;
    /* Skip the values the scenario cannot run on; every knob runs out of
     * values within a few dozen notches (the policies go round once). */
    for (int tries = 0; tries < POLICY_COUNT + 64; tries++) {
        if (!knob_notch(&next, knob, direction))
            return false;
        if (knob == KNOB_POLICY && next.policy == k->policy)
            return false;
        if (knobs_valid(a, &next)) {
            *k = next;
            return true;
        }
    }
    return false;
}

void whatif_overrides(const struct timeline_overrides *base, const struct whatif_knobs *from,
                      const struct whatif_knobs *to, struct timeline_overrides *out)
{
    struct timeline_overrides all;
    overrides_all(base, to, &all);
    *out = *base;
    if (to->policy != from->policy)
        out->policy = all.policy;
    if (to->frames != from->frames)
        out->frames = all.frames;
    /* Entries without ways would take the default ways: set both. */
    if (to->tlb_entries != from->tlb_entries || to->tlb_ways != from->tlb_ways) {
        out->tlb_entries = all.tlb_entries;
        out->tlb_ways = all.tlb_ways;
    }
    if (to->asid != from->asid)
        out->tlb_asid = all.tlb_asid;
    if (to->seed != from->seed)
        out->seed = all.seed;
}

/* Where a timeline is in the scenario, coarsest first: -1, 0 or 1 as tl
 * is before, at or after the operation and access given. */
static int place_cmp(const struct timeline *tl, uint64_t op, uint64_t access)
{
    uint64_t o = timeline_op_index(tl), n = timeline_access_index(tl);
    if (o != op)
        return o < op ? -1 : 1;
    return n == access ? 0 : n < access ? -1 : 1;
}

bool whatif_align(struct timeline *tl, const struct timeline *ref)
{
    uint64_t op = timeline_op_index(ref), access = timeline_access_index(ref);
    if (!timeline_seek(tl, timeline_position(ref)))
        return false;
    /* Another machine takes more or fewer micro-steps for the same
     * accesses: when the step number lands elsewhere, the end of the same
     * access (or of the same operation, between accesses) is the same
     * place in the scenario. A false step at either end of the run is as
     * near as there is. */
    while (place_cmp(tl, op, access) < 0)
        if (!timeline_step(tl, TL_UNIT_ACCESS, +1))
            return !timeline_stopped(tl) && !timeline_error(tl);
    while (place_cmp(tl, op, access) > 0)
        if (!timeline_step(tl, TL_UNIT_ACCESS, -1))
            return !timeline_stopped(tl) && !timeline_error(tl);
    return true;
}

/* ------------------------------------------------------------------ */
/* rebuilding                                                          */


/* A timeline of the app's scenario on the machine o describes, at the
 * place the app's timeline is at, built and replayed under the busy line.
 * NULL when it did not get there; *result then holds APP_QUIT when q was
 * pressed, and the message line says why otherwise. */
static struct timeline *build_here(struct app *a, const struct timeline_overrides *o,
                                   const char *what, unsigned *result)
{
    struct timeline_options topts = {.stop = app_busy_poll, .stop_ctx = a};
    struct diag err = {0};
    app_busy_begin(a, what);
    struct timeline *tl = timeline_create_with(a->sc, o, &topts, &err);
    bool there = tl && whatif_align(tl, a->tl);
    enum busy_outcome outcome = app_busy_end(a);
    *result = APP_HANDLED | APP_REDRAW;
    if (there)
        return tl;
    char msg[sizeof a->message];
    if (outcome == BUSY_QUIT) {
        *result = APP_QUIT;
    } else if (outcome == BUSY_ASK_QUIT) {
        *result = app_ask_quit(a);
    } else if (outcome == BUSY_CANCELLED) {
        snprintf(msg, sizeof msg, "Stopped by %s: still on the same machine.",
                 keys_first(ACTION_CLOSE).s);
        app_say(a, false, "%s", msg);
    } else if (!tl) {
        snprintf(msg, sizeof msg, "That machine cannot run this scenario: %s", err.message);
        app_say(a, true, "%s", msg);
    } else {
        snprintf(msg, sizeof msg, "That machine cannot replay to here: %s",
                 timeline_error(tl) ? timeline_error(tl) : "the replay ended early");
        app_say(a, true, "%s", msg);
    }
    timeline_destroy(tl);
    return NULL;
}

/* Appends text to a message of at most MESSAGE_COLS columns; false, the
 * message unchanged, when it would not fit whole. */
static bool append_fits(char *msg, size_t len, const char *text)
{
    if (draw_width(msg) + draw_width(text) > MESSAGE_COLS || strlen(msg) + strlen(text) >= len)
        return false;
    strcat(msg, text);
    return true;
}

/* "lru, 4 frames, TLB 4x4: faults 9 -> 7, evictions 6 -> 3": the new
 * machine and the counters that differ from the old one's at this place,
 * as many as the line holds whole. */
static void say_counters(struct app *a, const char *lead, const struct counters *was)
{
    const struct machine *m = timeline_machine(a->tl);
    char msg[sizeof a->message], name[128];
    whatif_machine_name(m, name, sizeof name);
    snprintf(msg, sizeof msg, "%s%s:", lead, name);
    size_t differ = 0;
    for (size_t i = 0; i < WHATIF_COUNTERS; i++) {
        uint64_t before = counter_get(was, whatif_counters[i].id);
        uint64_t now = counter_get(&m->counters, whatif_counters[i].id);
        if (before == now)
            continue;
        char part[96];
        snprintf(part, sizeof part, "%s %s %" PRIu64 " -> %" PRIu64, differ ? "," : "",
                 whatif_counters[i].label, before, now);
        if (!append_fits(msg, sizeof msg, part))
            break;
        differ++;
    }
    if (!differ)
        append_fits(msg, sizeof msg, " the counters are the same so far.");
    app_say(a, false, "%s", msg);
}

/* Puts the machine o describes in place of the current one, at the same
 * place; false, the machine unchanged, when the rebuild did not get there
 * (*result then says whether to quit). The overrides replaced go on the
 * undo stack when push is set; either way they become the alternative
 * `v` compares with. */
static bool replace_machine(struct app *a, const struct timeline_overrides *o, bool push,
                            const char *lead, unsigned *result)
{
    struct whatif *w = whatif_of(a);
    *result = APP_HANDLED | APP_REDRAW;
    if (!w) {
        app_say(a, true, "Out of memory on the host: no what-if.");
        return false;
    }
    struct timeline *tl = build_here(a, o, "Replaying the scenario on the other machine", result);
    if (!tl)
        return false;
    struct counters was = timeline_machine(a->tl)->counters;
    if (push) {
        if (w->nundo == WHATIF_UNDO_MAX) {
            memmove(w->undo, w->undo + 1, sizeof w->undo[0] * (WHATIF_UNDO_MAX - 1));
            w->nundo--;
        }
        w->undo[w->nundo++] = a->opts.overrides;
    }
    w->alt = a->opts.overrides;
    w->has_alt = true;
    a->opts.overrides = *o;
    timeline_destroy(a->tl);
    a->tl = tl;
    a->playing = false;
    quiz_reset(a);
    say_counters(a, lead, &was);
    return true;
}

unsigned whatif_apply(struct app *a, const struct timeline_overrides *o)
{
    unsigned result;
    replace_machine(a, o, true, "", &result);
    return result;
}

unsigned whatif_undo(struct app *a)
{
    struct whatif *w = whatif_of(a);
    if (!w || w->nundo == 0) {
        app_say(a, false, "Nothing to undo: this is the machine the viewer started with.");
        return APP_HANDLED | APP_REDRAW;
    }
    /* Taken off the stack only once the rebuild got there: a stopped one
     * can be tried again. */
    struct timeline_overrides o = w->undo[w->nundo - 1];
    unsigned result;
    if (replace_machine(a, &o, false, "Undone, back to ", &result))
        w->nundo--;
    return result;
}

unsigned whatif_split_open(struct app *a, const struct timeline_overrides *o)
{
    struct whatif *w = whatif_of(a);
    if (!w) {
        app_say(a, true, "Out of memory on the host: no split view.");
        return APP_HANDLED | APP_REDRAW;
    }
    unsigned result;
    struct timeline *tl = build_here(a, o, "Building the machine to compare", &result);
    if (!tl)
        return result;
    timeline_destroy(w->right);
    w->right = tl;
    w->alt = *o;
    w->has_alt = true;
    a->playing = false;
    screens_switch(a, SCREEN_SPLIT);
    return result;
}

unsigned whatif_split_follow(struct app *a)
{
    struct whatif *w = a->whatif;
    if (!w || !w->right)
        return APP_HANDLED | APP_REDRAW;
    app_busy_begin(a, "Keeping the right-hand machine in step");
    bool there = whatif_align(w->right, a->tl);
    enum busy_outcome outcome = app_busy_end(a);
    if (outcome == BUSY_QUIT)
        return APP_QUIT;
    if (outcome == BUSY_ASK_QUIT)
        return app_ask_quit(a);
    if (!there) {
        char msg[sizeof a->message];
        a->playing = false;
        if (timeline_error(w->right))
            snprintf(msg, sizeof msg, "The right-hand machine cannot go on: %s",
                     timeline_error(w->right));
        else
            snprintf(msg, sizeof msg, "Stopped by %s: the right-hand machine is at step %" PRIu64
                     ".", keys_first(ACTION_CLOSE).s, timeline_position(w->right));
        app_say(a, timeline_error(w->right) != NULL, "%s", msg);
    }
    return APP_HANDLED | APP_REDRAW;
}

void whatif_split_close(struct app *a)
{
    if (!a->whatif)
        return;
    timeline_destroy(a->whatif->right);
    a->whatif->right = NULL;
}

/* The machine `v` compares with when no what-if was tried: the other of
 * FIFO and LRU, the two every course starts with. */
static void default_alternative(const struct app *a, struct timeline_overrides *o)
{
    struct whatif_knobs now, other;
    whatif_knobs_of(timeline_machine(a->tl), &now);
    other = now;
    other.policy = now.policy == POLICY_fifo ? POLICY_lru : POLICY_fifo;
    whatif_overrides(&a->opts.overrides, &now, &other, o);
}

unsigned whatif_action(struct app *a, enum key_action act)
{
    struct whatif *w = whatif_of(a);
    if (!w) {
        app_say(a, true, "Out of memory on the host: no what-if.");
        return APP_HANDLED | APP_REDRAW;
    }
    switch (act) {
    case ACTION_WHATIF:
        a->playing = false;
        whatif_knobs_of(timeline_machine(a->tl), &w->shown);
        w->edit = w->shown;
        w->line = KNOB_POLICY;
        w->note[0] = '\0';
        return screens_switch(a, SCREEN_WHATIF);
    case ACTION_UNDO_WHATIF:
        return whatif_undo(a);
    case ACTION_SPLIT: {
        struct timeline_overrides o;
        if (w->has_alt)
            o = w->alt;
        else
            default_alternative(a, &o);
        return whatif_split_open(a, &o);
    }
    default:
        return 0;
    }
}
