/* Predict, then see: questions found by watching what the engine does.
 * See quiz.h. */
#include "play/quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/narrate.h"
#include "util/grow.h"
#include "vm/counters.h"
#include "vm/event.h"
#include "vm/frames.h"
#include "vm/geometry.h"
#include "vm/policy.h"
#include "vm/pte.h"

const char *const quiz_kind_names[] = {
#define QUIZ_KIND_NAME(id, name, about) name,
    QUIZ_KIND_LIST(QUIZ_KIND_NAME)
#undef QUIZ_KIND_NAME
    NULL
};

const char *quiz_kind_name(enum quiz_kind kind)
{
    return (unsigned)kind < QUIZ_KIND_COUNT ? quiz_kind_names[kind] : "?";
}

static const char *const fault_class_words[] = {
#define QUIZ_FAULT_CLASS_WORDS(id, words) words,
    QUIZ_FAULT_CLASS_LIST(QUIZ_FAULT_CLASS_WORDS)
#undef QUIZ_FAULT_CLASS_WORDS
};

/* Which class each of the engine's fault kinds falls in: one row per row
 * of FAULT_KIND_LIST, so that a new fault kind without a class does not
 * compile (the count check below). Minor and major are the kernel's own
 * words: a fault served without I/O is minor (vm/counters.h). */
#define QUIZ_FAULT_CLASS_OF(X)   \
    X(NONE, NONE)                \
    X(ZERO_FILL, MINOR)          \
    X(ZERO_PAGE, MINOR)          \
    X(SWAP_IN, MAJOR)            \
    X(SWAP_CACHED, MINOR)        \
    X(COW, COW)                  \
    X(FILE_CACHED, MINOR)        \
    X(FILE_READ, MAJOR)          \
    X(WRITE_NOTIFY, MINOR)       \
    X(MAPERR, SIGSEGV)           \
    X(ACCERR, SIGSEGV)           \
    X(SI_KERNEL, SIGSEGV)

static const unsigned char fault_class_of[FAULT_KIND_COUNT] = {
#define QUIZ_FAULT_CLASS_ROW(kind, cls) [FAULT_##kind] = QUIZ_FAULT_##cls,
    QUIZ_FAULT_CLASS_OF(QUIZ_FAULT_CLASS_ROW)
#undef QUIZ_FAULT_CLASS_ROW
};
#define QUIZ_FAULT_CLASS_ONE(kind, cls) +1
_Static_assert(0 QUIZ_FAULT_CLASS_OF(QUIZ_FAULT_CLASS_ONE) == FAULT_KIND_COUNT,
               "every fault kind needs its class in QUIZ_FAULT_CLASS_OF");
#undef QUIZ_FAULT_CLASS_ONE

enum quiz_fault_class quiz_fault_class(unsigned fault_kind)
{
    return fault_kind < FAULT_KIND_COUNT ? (enum quiz_fault_class)fault_class_of[fault_kind]
                                         : QUIZ_FAULT_NONE;
}

/* What the quiz keeps of every question found, for the scores. */
struct record {
    uint64_t stop;
    uint32_t chapter;
    int8_t given;
    uint8_t answer;
};

/* One access as it goes: what each kind of question has learned so far. */
struct access_watch {
    bool active;
    bool repeated;            /* asks nothing: see quiz.h */
    struct event begin;
    uint64_t last_pos;        /* the access's latest event */
    bool looked_up;           /* the first TLB lookup happened */
    bool walking, walk_done;
    uint64_t walk_stop;
    bool fault_stopped;       /* the fault question's stop is known */
    bool fault_known;         /* and its answer */
    bool has[QUIZ_KIND_COUNT];
    struct quiz_question q[QUIZ_KIND_COUNT];
};

/* An ask: question waiting for its answer. */
struct waiting_ask {
    size_t index;             /* in the ready list */
    enum counter_id counter;
    uint64_t start;           /* the counter at the question */
    uint64_t ops_left;        /* accesses still to count; 0: until the next expect */
    const struct scenario_step *step;
};

/* A question found, complete once its answer is known. */
struct found {
    struct quiz_question q;
    bool complete;
};

struct quiz {
    const struct scenario *scenario;
    struct timeline *tl;
    unsigned kinds;
    bool every_access;
    bool keep;
    /* A tour's kinds asked already in the step of the newest access. */
    const struct scenario_step *step;
    unsigned step_asked;
    bool ended;
    unsigned chapter;              /* chapters met */
    const char **titles;           /* [chapter - 1] */
    size_t cap_titles;
    struct access_watch acc;
    /* The previous access, for the repeated-page rule. */
    bool had_access;
    uint32_t prev_pid;
    uint64_t prev_vpn;
    enum access_kind prev_kind;
    /* Questions found and not yet handed out, in stop order; handed out
     * only once complete. */
    struct found *ready;
    size_t nready, next_ready, cap_ready;
    struct waiting_ask waiting[QUIZ_MAX_WAITING];
    unsigned nwaiting;
    struct record *records;
    size_t nrecords, cap_records;
    struct quiz_question *kept;    /* with keep: every question, by number - 1 */
    size_t cap_kept;
    struct quiz_question latest;   /* without keep: the newest */
};

struct quiz *quiz_create(const struct scenario *s, const struct timeline_overrides *o,
                         const struct quiz_options *opts, struct diag *err)
{
    struct quiz *q = calloc(1, sizeof *q);
    if (!q) {
        diag_set(err, s->path, 0, 0, "out of memory for the quiz (expected a smaller "
                 "scenario)");
        return NULL;
    }
    q->tl = timeline_create_with(s, o, &(struct timeline_options){.headless = true}, err);
    if (!q->tl) {
        free(q);
        return NULL;
    }
    q->scenario = s;
    q->kinds = opts->kinds & QUIZ_ALL_KINDS;
    q->every_access = opts->every_access;
    q->keep = opts->keep;
    return q;
}

void quiz_destroy(struct quiz *q)
{
    if (!q)
        return;
    timeline_destroy(q->tl);
    free(q->titles);
    free(q->records);
    free(q->kept);
    free(q->ready);
    free(q);
}

/* A fixed mix of 64 bits (splitmix64's finaliser): which other frames a
 * question offers is chosen by it, so the same run gives the same choices
 * and the right one's place among them says nothing. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* Up to max frames other than exclude that hold pages (anonymous memory
 * or file cache), chosen by seed; returns how many. */
static unsigned other_page_frames(const struct machine *m, uint32_t exclude, uint64_t seed,
                                  uint32_t *out, unsigned max)
{
    uint64_t score[QUIZ_MAX_CHOICES];
    unsigned n = 0;
    const struct frame_pool *p = &m->pool;
    for (uint32_t f = frames_next_touched(p, 0); f < p->data_frames;
         f = frames_next_touched(p, f + 1)) {
        const struct frame *fr = frames_at(p, f);
        if (f == exclude || (fr->kind != FRAME_ANON && fr->kind != FRAME_FILE))
            continue;
        uint64_t s = mix(seed ^ mix(f));
        /* Keep the max lowest scores, in order. */
        unsigned at = n < max ? n++ : max;
        while (at > 0 && score[at - 1] > s) {
            if (at < max) {
                score[at] = score[at - 1];
                out[at] = out[at - 1];
            }
            at--;
        }
        if (at < max) {
            score[at] = s;
            out[at] = f;
        }
    }
    return n;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sets q's choices to values (n of them, distinct or not) sorted and made
 * distinct, each written as a frame number or an address, and the answer
 * to right's place. */
static void set_number_choices(struct quiz_question *q, uint64_t *values, unsigned n,
                               uint64_t right, bool address)
{
    qsort(values, n, sizeof *values, compare_u64);
    q->nchoices = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i > 0 && values[i] == values[i - 1])
            continue;
        if (values[i] == right)
            q->answer = q->nchoices;
        snprintf(q->choices[q->nchoices++], QUIZ_CHOICE_MAX, address ? "0x%llx" : "frame %llu",
                 (unsigned long long)values[i]);
    }
}

static void set_word_choices(struct quiz_question *q, const char *const *words, unsigned n)
{
    q->nchoices = n;
    for (unsigned i = 0; i < n; i++)
        snprintf(q->choices[i], QUIZ_CHOICE_MAX, "%s", words[i]);
}

/* Starts a question of the access: its place, what it asks. */
static struct quiz_question *begin_question(struct quiz *z, enum quiz_kind kind,
                                            const struct tl_event *e, uint64_t stop)
{
    struct access_watch *a = &z->acc;
    struct quiz_question *q = &a->q[kind];
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->stop = stop;
    q->reveal = e->position;
    q->access_seq = e->access_seq;
    q->chapter = z->chapter;
    q->line = e->step ? e->step->pos.line : 0;
    q->col = e->step ? e->step->pos.col : 0;
    a->has[kind] = true;
    return q;
}

/* "write 0x10010000 (pid 1)": the access a question is about. */
static int access_words(const struct access_watch *a, char *buf, size_t len)
{
    return snprintf(buf, len, "%s 0x%llx (pid %u)", access_kind_name(a->begin.access),
                    (unsigned long long)a->begin.va, a->begin.pid);
}

/* The question's text: the access, then what is asked about it. */
static void set_text(const struct access_watch *a, struct quiz_question *q, const char *asked)
{
    char what[64];
    access_words(a, what, sizeof what);
    snprintf(q->text, sizeof q->text, "%s: %s", what, asked);
}

/* The fault question's answer, once the event that decides it is seen. */
static void settle_fault(struct quiz *z, const struct tl_event *e, const struct machine *m,
                         enum quiz_fault_class cls)
{
    struct access_watch *a = &z->acc;
    uint64_t stop = a->q[QUIZ_FAULT].stop;
    struct quiz_question *q = begin_question(z, QUIZ_FAULT, e, stop);
    set_text(a, q, "what fault does it take?");
    set_word_choices(q, fault_class_words, QUIZ_FAULT_CLASS_COUNT);
    q->answer = cls;
    narrate(e, m, q->why, sizeof q->why);
    a->fault_known = true;
}

/* Learns from one machine event of the access in progress. */
static void watch_access(struct quiz *z, const struct tl_event *e, const struct machine *m)
{
    struct access_watch *a = &z->acc;
    const struct event *ev = &e->ev;
    enum event_kind k = ev->kind;
    if (!a->looked_up && (k == EV_TLB_HIT || k == EV_TLB_MISS)) {
        a->looked_up = true;
        static const char *const hit_miss[] = {"hit", "miss"};
        struct quiz_question *q = begin_question(z, QUIZ_TLB, e, a->last_pos);
        set_text(a, q, "does the TLB hit or miss?");
        set_word_choices(q, hit_miss, 2);
        q->answer = k == EV_TLB_MISS;
        narrate(e, m, q->why, sizeof q->why);
        if (k == EV_TLB_MISS) {
            a->walking = true;
            a->walk_stop = e->position;
        }
    } else if (a->walking && !a->walk_done && k == EV_WALK_STEP) {
        const struct geometry *g = &m->cfg.geo;
        struct quiz_question *q = begin_question(z, QUIZ_WALK, e, a->walk_stop);
        set_text(a, q, "the TLB missed. Where does the page walk stop?");
        q->nchoices = 0;
        for (unsigned l = 0; l < g->levels && q->nchoices + 1 < QUIZ_MAX_CHOICES; l++)
            snprintf(q->choices[q->nchoices++], QUIZ_CHOICE_MAX, "at the %s",
                     geometry_level_name(g, (int)l));
        snprintf(q->choices[q->nchoices++], QUIZ_CHOICE_MAX, "%s", QUIZ_WALK_REACHES);
        bool stops = !pte_present(ev->entry) && ev->level >= 0
                     && (unsigned)ev->level < q->nchoices - 1;
        q->answer = stops ? (unsigned)ev->level : q->nchoices - 1;
        narrate(e, m, q->why, sizeof q->why);
    } else if (a->walking && k != EV_WALK_STEP) {
        a->walk_done = true;
    }

    if (!a->fault_stopped && (k == EV_TLB_FILL || k == EV_ACCESS_DONE || k == EV_PAGE_FAULT
                              || k == EV_SEGFAULT || k == EV_GP_FAULT)) {
        a->fault_stopped = true;
        a->q[QUIZ_FAULT].stop = a->last_pos;
        if (k == EV_TLB_FILL || k == EV_ACCESS_DONE)
            settle_fault(z, e, m, QUIZ_FAULT_NONE);
    }
    if (a->fault_stopped && !a->fault_known && (k == EV_FAULT_CLASSIFIED || k == EV_SEGFAULT))
        settle_fault(z, e, m, quiz_fault_class(ev->fault_kind));
    if (a->fault_stopped && k == EV_OOM_KILL)
        settle_fault(z, e, m, QUIZ_FAULT_OOM);

    if (k == EV_VICTIM_CHOSEN && !a->has[QUIZ_VICTIM]) {
        struct quiz_question *q = begin_question(z, QUIZ_VICTIM, e, a->last_pos);
        char asked[80];
        snprintf(asked, sizeof asked, "no frame is free. Which frame does %s evict?",
                 policy_name(m->cfg.policy));
        set_text(a, q, asked);
        uint32_t others[QUIZ_MAX_CHOICES - 1];
        unsigned n = other_page_frames(m, ev->victim, e->position, others,
                                       QUIZ_MAX_CHOICES - 1);
        uint64_t values[QUIZ_MAX_CHOICES];
        for (unsigned i = 0; i < n; i++)
            values[i] = others[i];
        values[n++] = ev->victim;
        set_number_choices(q, values, n, ev->victim, false);
        narrate(e, m, q->why, sizeof q->why);
    }
    if (k == EV_ACCESS_DONE && !a->has[QUIZ_PA]) {
        struct quiz_question *q = begin_question(z, QUIZ_PA, e, a->last_pos);
        set_text(a, q, "which physical address does it reach?");
        uint64_t page = geometry_page_size(&m->cfg.geo);
        uint32_t others[2];
        unsigned n = other_page_frames(m, (uint32_t)(ev->pa / page), e->position, others, 2);
        uint64_t values[4];
        for (unsigned i = 0; i < n; i++)
            values[i] = others[i] * page + ev->pa % page;
        values[n++] = ev->va;
        values[n++] = ev->pa;
        set_number_choices(q, values, n, ev->pa, true);
        narrate(e, m, q->why, sizeof q->why);
    }
    a->last_pos = e->position;
}

/* Appends a question to the ready list; NULL when the host refused. */
static struct found *add_ready(struct quiz *z, const struct quiz_question *q, bool complete)
{
    if (z->next_ready == z->nready)
        z->nready = z->next_ready = 0;
    if (!array_grow((void **)&z->ready, &z->cap_ready, z->nready + 1, sizeof *z->ready))
        return NULL;
    struct found *f = &z->ready[z->nready++];
    f->q = *q;
    f->complete = complete;
    return f;
}

/* The access is over: its questions the mask asks for become ready, in
 * the order of their stops (the order of the kinds). A fault question
 * whose answer never came is not among them: has[] is set only with the
 * answer. false when the host refused memory. */
static bool finish_access(struct quiz *z)
{
    struct access_watch *a = &z->acc;
    bool ok = true;
    if (a->active && !a->repeated) {
        for (unsigned k = 0; k < QUIZ_KIND_COUNT && ok; k++)
            if (a->has[k] && (z->kinds & ~z->step_asked & (1u << k))) {
                ok = add_ready(z, &a->q[k], true) != NULL;
                if (!z->every_access)
                    z->step_asked |= 1u << k;
            }
    }
    a->active = false;
    return ok;
}

/* Up to three numbers near value, chosen by seed: half, double, one and
 * two either side, 0 and 1; so the right one is not always in the middle. */
static unsigned near_numbers(int64_t value, uint64_t seed, int64_t *out)
{
    int64_t pool[] = {value + 1, value - 1, value * 2, value / 2, value + 2, 0, 1, value - 2};
    uint64_t score[3];
    unsigned n = 0;
    for (size_t i = 0; i < sizeof pool / sizeof pool[0]; i++) {
        bool seen = pool[i] == value || (pool[i] < 0 && value >= 0);
        for (unsigned j = 0; j < n && !seen; j++)
            seen = out[j] == pool[i];
        if (seen)
            continue;
        uint64_t sc = mix(seed ^ mix((uint64_t)pool[i]));
        unsigned at = n < 3 ? n++ : 3;
        while (at > 0 && score[at - 1] > sc) {
            if (at < 3) {
                score[at] = score[at - 1];
                out[at] = out[at - 1];
            }
            at--;
        }
        if (at < 3) {
            score[at] = sc;
            out[at] = pool[i];
        }
    }
    return n;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* A scenario's ask: its question waits for the counter's change. */
static bool start_ask(struct quiz *z, const struct tl_event *e, const struct machine *m)
{
    if (!(z->kinds & (1u << QUIZ_ASK)) || z->nwaiting == QUIZ_MAX_WAITING)
        return true;
    const struct scenario_step *st = e->step;
    struct quiz_question q = {
        .kind = QUIZ_ASK, .stop = e->position, .access_seq = e->access_seq,
        .chapter = z->chapter, .line = st->pos.line, .col = st->pos.col};
    snprintf(q.text, sizeof q.text, "%s", e->text ? e->text : "");
    struct found *f = add_ready(z, &q, false);
    if (!f)
        return false;
    enum counter_id c = (enum counter_id)counter_lookup(st->u.ask.counter.value);
    z->waiting[z->nwaiting++] = (struct waiting_ask){
        .index = (size_t)(f - z->ready), .counter = c,
        .start = counter_get(&m->counters, c),
        .ops_left = st->u.ask.ops.present ? st->u.ask.ops.value : 0, .step = st};
    return true;
}

/* The ask's answer: the counter's change up to position. */
static void settle_ask(struct quiz *z, const struct waiting_ask *w, uint64_t position,
                       const struct machine *m)
{
    struct found *f = &z->ready[w->index];
    uint64_t now = counter_get(&m->counters, w->counter);
    int64_t change = (int64_t)(now - w->start);
    /* The scenario's choices, and the engine's answer when they lack it:
     * the right answer is always among them. */
    const struct scenario_step *st = w->step;
    int64_t values[QUIZ_MAX_CHOICES];
    unsigned n = 0;
    bool among = false;
    for (size_t i = 0; i < st->u.ask.nchoices; i++) {
        values[n++] = (int64_t)st->u.ask.choices[i].value;
        among |= values[n - 1] == change;
    }
    if (n == 0)
        n = near_numbers(change, f->q.stop, values);
    if (!among)
        values[n++] = change;
    qsort(values, n, sizeof values[0], compare_i64);
    f->q.nchoices = n;
    for (unsigned i = 0; i < n; i++) {
        snprintf(f->q.choices[i], QUIZ_CHOICE_MAX, "%lld", (long long)values[i]);
        if (values[i] == change)
            f->q.answer = i;
    }
    f->q.reveal = position > f->q.stop ? position : f->q.stop + 1;
    snprintf(f->q.why, sizeof f->q.why, "%s went from %llu to %llu: a change of %lld.",
             counter_name(w->counter), (unsigned long long)w->start,
             (unsigned long long)now, (long long)change);
    f->complete = true;
}

/* Counts e towards the waiting asks; those whose answer it completes are
 * settled (at_end: every one, the run is over). */
static void watch_asks(struct quiz *z, const struct tl_event *e, const struct machine *m,
                       bool at_end)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < z->nwaiting; i++) {
        struct waiting_ask *w = &z->waiting[i];
        bool done = at_end;
        if (!done && w->ops_left == 0)
            done = e->kind == TL_EXPECT;
        else if (!done && e->kind == TL_MACHINE && e->ends_access
                 && (event_fields(e->ev.kind) & EVF_ACCESS))
            /* The last event of an access (not of an mmap, say). */
            done = --w->ops_left == 0;
        if (done)
            settle_ask(z, w, at_end ? timeline_position(z->tl) : e->position, m);
        else
            z->waiting[kept++] = *w;
    }
    z->nwaiting = kept;
}

/* Starts watching an access. */
static void start_access(struct quiz *z, const struct tl_event *e)
{
    struct access_watch *a = &z->acc;
    memset(a, 0, sizeof *a);
    a->active = true;
    a->begin = e->ev;
    a->last_pos = e->position;
    const struct event *ev = &e->ev;
    a->repeated = z->had_access && z->prev_pid == ev->pid && z->prev_vpn == ev->vpn
                  && (ev->access == z->prev_kind || ev->access == ACCESS_READ);
    z->had_access = true;
    z->prev_pid = ev->pid;
    z->prev_vpn = ev->vpn;
    z->prev_kind = ev->access;
    if (e->step != z->step) {
        z->step = e->step;
        z->step_asked = 0;
    }
}

/* Plays events until the next question is complete; false at the end. */
static bool play_to_questions(struct quiz *z)
{
    while (z->next_ready >= z->nready || !z->ready[z->next_ready].complete) {
        if (z->ended)
            return false;
        const struct tl_event *e = timeline_next(z->tl);
        if (!e) {
            z->acc.active = false;
            watch_asks(z, NULL, timeline_machine(z->tl), true);
            z->ended = true;
            continue;
        }
        if (z->nwaiting)
            watch_asks(z, e, timeline_machine(z->tl), false);
        if (e->kind == TL_ASK) {
            if (!start_ask(z, e, timeline_machine(z->tl)))
                z->ended = true;
            continue;
        }
        if (e->kind == TL_CHAPTER) {
            if (!array_grow((void **)&z->titles, &z->cap_titles, z->chapter + 1,
                            sizeof *z->titles)) {
                z->ended = true;
                return false;
            }
            z->titles[z->chapter++] = e->text;
            continue;
        }
        if (e->kind != TL_MACHINE)
            continue;
        if (e->ev.kind == EV_ACCESS_BEGIN)
            start_access(z, e);
        else if (!z->acc.active)
            continue;
        watch_access(z, e, timeline_machine(z->tl));
        if (e->ends_access && !finish_access(z))
            z->ended = true;
    }
    return true;
}

const struct quiz_question *quiz_next(struct quiz *z)
{
    if (!play_to_questions(z))
        return NULL;
    if (!array_grow((void **)&z->records, &z->cap_records, z->nrecords + 1, sizeof *z->records)
        || (z->keep && !array_grow((void **)&z->kept, &z->cap_kept, z->nrecords + 1,
                                   sizeof *z->kept))) {
        z->ended = true;
        return NULL;
    }
    struct quiz_question *q = z->keep ? &z->kept[z->nrecords] : &z->latest;
    *q = z->ready[z->next_ready++].q;
    q->number = (unsigned)(z->nrecords + 1);
    z->records[z->nrecords++] = (struct record){
        .stop = q->stop, .chapter = q->chapter, .given = QUIZ_UNANSWERED,
        .answer = (uint8_t)q->answer};
    return q;
}

size_t quiz_find_through(struct quiz *z, uint64_t position)
{
    while (z->nrecords == 0 || z->records[z->nrecords - 1].stop <= position)
        if (!quiz_next(z))
            break;
    return z->nrecords;
}

size_t quiz_count(const struct quiz *z)
{
    return z->nrecords;
}

const struct quiz_question *quiz_question(const struct quiz *z, size_t n)
{
    return z->keep && n >= 1 && n <= z->nrecords ? &z->kept[n - 1] : NULL;
}

const struct quiz_question *quiz_pending(struct quiz *z, uint64_t from, uint64_t through)
{
    if (!z->keep)
        return NULL;
    /* The records are in stop order: the first at or after from. */
    size_t lo = 0, hi = z->nrecords;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->records[mid].stop < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo;; i++) {
        if (i == z->nrecords && !quiz_next(z))
            return NULL;
        if (z->records[i].stop > through)
            return NULL;
        if (z->records[i].stop >= from && z->records[i].given == QUIZ_UNANSWERED)
            return &z->kept[i];
    }
}

const char *quiz_error(const struct quiz *z)
{
    return timeline_error(z->tl);
}

bool quiz_answer(struct quiz *z, size_t n, int given)
{
    if (n < 1 || n > z->nrecords)
        return false;
    struct record *r = &z->records[n - 1];
    if (r->given == QUIZ_UNANSWERED)
        r->given = (int8_t)given;
    return r->given >= 0 && r->given == r->answer;
}

int quiz_given(const struct quiz *z, size_t n)
{
    return n >= 1 && n <= z->nrecords ? z->records[n - 1].given : QUIZ_UNANSWERED;
}

struct quiz_score quiz_score(const struct quiz *z, unsigned chapter)
{
    struct quiz_score s = {0};
    for (size_t i = 0; i < z->nrecords; i++) {
        const struct record *r = &z->records[i];
        if (chapter != QUIZ_EVERY_CHAPTER && r->chapter != chapter)
            continue;
        s.questions++;
        if (r->given == QUIZ_SKIPPED)
            s.skipped++;
        else if (r->given >= 0)
            r->given == r->answer ? s.right++ : s.wrong++;
    }
    return s;
}

unsigned quiz_chapters(const struct quiz *z)
{
    return z->chapter;
}

const char *quiz_chapter_title(const struct quiz *z, unsigned c)
{
    return c >= 1 && c <= z->chapter ? z->titles[c - 1] : NULL;
}
