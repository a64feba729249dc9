/* Trying it live: typed steps spliced into the scenario, the timeline
 * rebuilt and replayed to the same place, undo, save, completion and the
 * prompt's history. See live.h. */
#include "tui/live.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/whatif.h"
#include "util/userfile.h"

/* How much of a typed line or a file name a message quotes. */
#define LIVE_QUOTE_MAX 160

struct live *live_of(struct app *a)
{
    if (!a->live)
        a->live = calloc(1, sizeof *a->live);
    return a->live;
}

void live_forget(struct live *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        free(l->steps[i].yaml);
    free(l->steps);
    free(l->text);
    l->steps = NULL;
    l->count = l->cap = 0;
    l->text = NULL;
    l->len = 0;
    l->stop_op = 0;
}

void live_free(struct live *l)
{
    if (!l)
        return;
    live_forget(l);
    for (size_t i = 0; i < l->nhistory; i++)
        free(l->history[i]);
    free(l);
}

static void note(struct live *l, bool error, const char *text)
{
    snprintf(l->note, sizeof l->note, "%s", text);
    l->note_error = error;
}

/* Shows an error of the line and puts the cursor where it is. */
static void note_diag(struct live *l, const struct diag *err)
{
    snprintf(l->note, sizeof l->note, "%s:%u:%u: error: %s", err->file, err->line, err->col,
             err->message);
    l->note_error = true;
    size_t len = strlen(l->line);
    if (strcmp(err->file, LIVE_NAME) == 0 && err->col > 0)
        l->cursor = err->col - 1 < len ? err->col - 1 : len;
}

/* Why a rebuilt timeline did not get to its place: the host refused
 * memory, or the run ended first. */
static void note_replay(struct live *l, const struct timeline *tl)
{
    if (timeline_error(tl))
        snprintf(l->note, sizeof l->note, LIVE_NAME ":1:1: error: %s (expected more memory on "
                 "the host)", timeline_error(tl));
    else
        snprintf(l->note, sizeof l->note, LIVE_NAME ":1:1: error: the run ends before the "
                 "place of the step (expected a run that reaches it)");
    l->note_error = true;
}


/* ------------------------------------------------------------------ */
/* where a step goes                                                   */

/* True when target is st or a step nested in it. */
static bool holds(const struct scenario_step *st, const struct scenario_step *target)
{
    if (st == target)
        return true;
    if (st->kind != STEP_REPEAT)
        return false;
    for (size_t i = 0; i < st->u.repeat.count; i++)
        if (holds(&st->u.repeat.steps[i], target))
            return true;
    return false;
}

/* The index of the top-level step of s that step is or is nested in;
 * SIZE_MAX when none is. */
static size_t top_index(const struct scenario *s, const struct scenario_step *step)
{
    if (!step)
        return SIZE_MAX;
    for (size_t i = 0; i < s->step_count; i++)
        if (holds(&s->steps[i], step))
            return i;
    return SIZE_MAX;
}

/* The place in the typed list and the file's steps of top-level index k
 * of the scenario on screen: how many of the file's steps come before it
 * (*before) and how many typed ones (*typed). */
static void place_of(const struct live *l, size_t k, size_t *before, size_t *typed)
{
    size_t b = 0, t = 0;
    for (size_t i = 0; i < k; i++) {
        if (t < l->count && l->steps[t].before == b)
            t++;
        else
            b++;
    }
    *before = b;
    *typed = t;
}

/* ------------------------------------------------------------------ */
/* the scenario with the typed steps                                   */

/* The file's text with every typed step spliced in; at[i] gets where
 * typed step i is. NULL with err set. */
static char *spliced(const struct app *a, const struct live *l, struct scenario_inserted *at,
                     size_t *len, struct diag *err)
{
    struct scenario_insert *ins = calloc(l->count ? l->count : 1, sizeof *ins);
    if (!ins) {
        diag_set(err, LIVE_NAME, 1, 1, "out of memory on the host (expected fewer typed steps)");
        return NULL;
    }
    for (size_t i = 0; i < l->count; i++)
        ins[i] = (struct scenario_insert){l->steps[i].before, l->steps[i].yaml};
    char *text = scenario_splice(a->sc->path, l->text, l->len, ins, l->count, at, len, err);
    free(ins);
    return text;
}

/* An error of the spliced scenario, told as the typed line's: at its
 * column when it is on the line typed now (fresh, with its form sl),
 * else naming the step that would fail, at the line of the file it is
 * on. */
static void typed_error(const struct live *l, const struct scenario_inserted *at, size_t fresh,
                        const struct scenario_line *sl, const struct diag *inner,
                        struct diag *err)
{
    if (fresh != SIZE_MAX && inner->line == at[fresh].line) {
        unsigned col = inner->col >= at[fresh].col ? inner->col - at[fresh].col + 1 : 1;
        diag_set(err, LIVE_NAME, 1, scenario_line_column(sl, col), "%s", inner->message);
        return;
    }
    for (size_t i = 0; i < l->count; i++)
        if (inner->line == at[i].line) {
            diag_set(err, LIVE_NAME, 1, 1, "the step typed before, '%.*s', would fail: %s",
                     DIAG_QUOTE_MAX, l->steps[i].yaml, inner->message);
            return;
        }
    /* A line of the file: its number there, without the typed lines. */
    unsigned line = inner->line;
    for (size_t i = 0; i < l->count; i++)
        if (at[i].line < inner->line)
            line--;
    diag_set(err, LIVE_NAME, 1, 1, "with this step, %s:%u:%u would fail: %s", inner->file,
             line, inner->col, inner->message);
}

/* Loads the scenario with the typed steps and builds its timeline (the
 * stop hook set). false with err set as typed_error says. */
static bool build(struct app *a, const struct live *l, size_t fresh,
                  const struct scenario_line *sl, struct scenario **sc, struct timeline **tl,
                  struct diag *err)
{
    struct scenario_inserted *at = calloc(l->count ? l->count : 1, sizeof *at);
    size_t len = 0;
    struct diag inner = {0};
    *sc = NULL;
    *tl = NULL;
    if (!at) {
        diag_set(err, LIVE_NAME, 1, 1, "out of memory on the host (expected fewer typed steps)");
        return false;
    }
    char *text = spliced(a, l, at, &len, &inner);
    if (!text) {
        typed_error(l, at, SIZE_MAX, sl, &inner, err);
        free(at);
        return false;
    }
    *sc = scenario_load_string(a->sc->path, text, len, &inner);
    free(text);
    struct timeline_options topts = {.stop = app_busy_poll, .stop_ctx = a};
    if (*sc)
        *tl = timeline_create_with(*sc, &a->opts.overrides, &topts, &inner);
    if (!*tl) {
        typed_error(l, at, fresh, sl, &inner, err);
        scenario_free(*sc);
        *sc = NULL;
    }
    free(at);
    return *tl != NULL;
}

/* Puts the rebuilt scenario and timeline in place of the app's. */
static void replace(struct app *a, struct scenario *sc, struct timeline *tl)
{
    /* The split view and the chapter list borrow from the old scenario. */
    whatif_split_close(a);
    app_chapters_free(a);
    timeline_destroy(a->tl);
    scenario_free(a->sc);
    a->sc = sc;
    a->tl = tl;
    a->playing = false;
}

/* After a rebuild under the busy line: APP_QUIT or the question when a
 * key asked to quit; a stop by Esc noted. 0 when it ran its course. */
static unsigned busy_result(struct app *a, struct live *l, enum busy_outcome outcome)
{
    if (outcome == BUSY_QUIT)
        return APP_QUIT;
    if (outcome == BUSY_ASK_QUIT)
        return app_ask_quit(a);
    if (outcome == BUSY_CANCELLED) {
        char msg[128];
        snprintf(msg, sizeof msg, "Stopped by %s: the scenario is as it was.",
                 keys_first(ACTION_CLOSE).s);
        note(l, false, msg);
        return APP_HANDLED | APP_REDRAW;
    }
    return 0;
}

/* After a rebuild that did not get to its place: frees what it built
 * and says why (err when it did not build; else the replay's reason),
 * unless a key asked to quit or stop. Returns APP_*. */
static unsigned rebuild_failed(struct app *a, struct live *l, enum busy_outcome outcome,
                               const struct diag *err, struct scenario *sc,
                               struct timeline *tl)
{
    unsigned r = busy_result(a, l, outcome);
    if (!r && err)
        note_diag(l, err);
    else if (!r)
        note_replay(l, tl);
    timeline_destroy(tl);
    scenario_free(sc);
    return r ? r : APP_HANDLED | APP_REDRAW;
}

/* Reads the scenario file the first time a step is typed. */
static bool read_text(struct app *a, struct live *l, struct diag *err)
{
    if (l->text)
        return true;
    struct diag inner;
    l->text = userfile_read(a->sc->path, "the scenario", SCENARIO_MAX_FILE_BYTES, &l->len,
                            &inner);
    if (!l->text) {
        diag_set(err, LIVE_NAME, 1, 1, "cannot read the scenario again: %s", inner.message);
        return false;
    }
    l->file_steps = a->sc->step_count;
    return true;
}

/* Moves tl from position from (before top-level step k begins) to just
 * before the first event of step k: the rest of the operation in view,
 * and of the top-level step it is in, are played. With no step k, to the
 * end. false when stopped, on a host error, or when step k never
 * begins. */
static bool play_up_to(struct timeline *tl, const struct scenario *s, uint64_t from, size_t k)
{
    if (k >= s->step_count)
        return timeline_seek(tl, UINT64_MAX);
    if (!timeline_seek(tl, from))
        return false;
    for (;;) {
        uint64_t before = timeline_position(tl);
        if (!timeline_step(tl, TL_UNIT_OP, +1))
            return false;
        const struct tl_event *e = timeline_current(tl);
        size_t top = e ? top_index(s, e->step) : SIZE_MAX;
        if (top != SIZE_MAX && top >= k)
            return timeline_seek(tl, before);
    }
}

/* Adds the typed step sl where the viewer is and replays into it. */
static unsigned add_step(struct app *a, struct live *l, const struct scenario_line *sl)
{
    struct diag err;
    if (!read_text(a, l, &err)) {
        note_diag(l, &err);
        return APP_HANDLED | APP_REDRAW;
    }
    const struct tl_event *ev = timeline_current(a->tl);
    size_t c = ev ? top_index(a->sc, ev->step) : SIZE_MAX;
    if (ev && c == SIZE_MAX) {
        note(l, true, LIVE_NAME ":1:1: error: the step in view is not in the scenario's list "
             "(expected a place between two steps)");
        return APP_HANDLED | APP_REDRAW;
    }
    size_t k = ev ? c + 1 : 0;
    const struct scenario_step *around = ev ? &a->sc->steps[c] : NULL;
    bool whole = around && (around->kind == STEP_REPEAT || around->kind == STEP_TRACE);
    /* Kept apart: the scenario around goes when the rebuilt one replaces it. */
    unsigned around_line = around ? around->pos.line : 0;
    enum step_kind around_kind = around ? around->kind : STEP_KIND_COUNT;
    size_t before, j;
    place_of(l, k, &before, &j);

    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        struct live_step *grown = realloc(l->steps, ncap * sizeof *grown);
        if (!grown) {
            note(l, true, LIVE_NAME ":1:1: error: out of memory on the host (expected fewer "
                 "typed steps)");
            return APP_HANDLED | APP_REDRAW;
        }
        l->steps = grown;
        l->cap = ncap;
    }
    char *yaml = strdup(sl->yaml);
    if (!yaml) {
        note(l, true, LIVE_NAME ":1:1: error: out of memory on the host (expected a shorter "
             "line)");
        return APP_HANDLED | APP_REDRAW;
    }
    memmove(l->steps + j + 1, l->steps + j, (l->count - j) * sizeof l->steps[0]);
    l->steps[j] = (struct live_step){yaml, before, l->next_seq};
    l->count++;

    struct scenario *sc;
    struct timeline *tl;
    uint64_t from = timeline_position(a->tl);
    app_busy_begin(a, "Replaying the scenario with the typed step");
    bool built = build(a, l, j, sl, &sc, &tl, &err);
    bool there = built && play_up_to(tl, sc, from, k);
    uint64_t start = there ? timeline_position(tl) : 0;
    /* Into the new operation: its first micro-step, then autoplay up to
     * its end. */
    if (there)
        timeline_step(tl, TL_UNIT_EVENT, +1);
    enum busy_outcome outcome = app_busy_end(a);
    if (!there) {
        /* The step is not kept: the list is as before the line. */
        free(l->steps[j].yaml);
        memmove(l->steps + j, l->steps + j + 1, (l->count - j - 1) * sizeof l->steps[0]);
        l->count--;
        return rebuild_failed(a, l, outcome, built ? NULL : &err, sc, tl);
    }
    l->next_seq++;
    replace(a, sc, tl);
    const struct tl_event *first = timeline_current(a->tl);
    l->stop_op = first ? first->op_seq : 0;
    a->playing = first && !first->ends_op;
    /* Short, the step number first: the message line of the smallest
     * screen holds it whole. */
    char msg[sizeof a->message];
    if (whole)
        snprintf(msg, sizeof msg, "Typed step added after the %s at line %u, played to its "
                 "end first.", step_kind_name(around_kind), around_line);
    else
        snprintf(msg, sizeof msg, "Typed step added at step %" PRIu64 "; %s steps back over "
                 "it.", start, keys_first(ACTION_STEP_BACK).s);
    app_say(a, false, "%s", msg);
    note(l, false, "");
    return screens_switch(a, SCREEN_COUNT);
}

unsigned live_undo(struct app *a)
{
    struct live *l = live_of(a);
    if (!l)
        return APP_HANDLED | APP_REDRAW;
    if (l->count == 0) {
        note(l, true, LIVE_NAME ":1:1: error: no typed step to remove (expected a step typed "
             "first)");
        return APP_HANDLED | APP_REDRAW;
    }
    size_t last = 0;
    for (size_t i = 1; i < l->count; i++)
        if (l->steps[i].seq > l->steps[last].seq)
            last = i;
    struct live_step removed = l->steps[last];
    memmove(l->steps + last, l->steps + last + 1, (l->count - last - 1) * sizeof l->steps[0]);
    l->count--;

    struct scenario *sc;
    struct timeline *tl;
    struct diag err;
    /* Before the step, the place stays; in it or past it, the viewer goes
     * to where it began, which is where the step after it (index next)
     * begins without it. The events before the step are the same either
     * way, on whatever machine. */
    uint64_t here = timeline_position(a->tl);
    size_t next = removed.before + last;
    const struct tl_event *ev = timeline_current(a->tl);
    size_t top = ev ? top_index(a->sc, ev->step) : SIZE_MAX;
    bool past = top != SIZE_MAX && top >= next;
    app_busy_begin(a, "Replaying the scenario without the typed step");
    bool built = build(a, l, SIZE_MAX, NULL, &sc, &tl, &err);
    bool there = built && (past ? play_up_to(tl, sc, 0, next) : timeline_seek(tl, here));
    enum busy_outcome outcome = app_busy_end(a);
    if (!there) {
        memmove(l->steps + last + 1, l->steps + last, (l->count - last) * sizeof l->steps[0]);
        l->steps[last] = removed;
        l->count++;
        return rebuild_failed(a, l, outcome, built ? NULL : &err, sc, tl);
    }
    replace(a, sc, tl);
    l->stop_op = 0;
    char msg[sizeof a->message];
    snprintf(msg, sizeof msg, "Typed step removed: at step %" PRIu64 "%s.",
             timeline_position(a->tl), past ? ", where it began" : "");
    free(removed.yaml);
    app_say(a, false, "%s", msg);
    note(l, false, "");
    return screens_switch(a, SCREEN_COUNT);
}

bool live_save(struct app *a, const char *path, unsigned col, struct diag *err)
{
    struct live *l = live_of(a);
    if (!l) {
        diag_set(err, LIVE_NAME, 1, col, "out of memory on the host (expected a smaller "
                 "scenario)");
        return false;
    }
    if (!read_text(a, l, err))
        return false;
    struct scenario_inserted *at = calloc(l->count ? l->count : 1, sizeof *at);
    struct diag inner;
    size_t len = 0;
    char *text = at ? spliced(a, l, at, &len, &inner) : NULL;
    free(at);
    if (!text) {
        diag_set(err, LIVE_NAME, 1, col, "cannot write the scenario: %s", at ? inner.message
                                                                              : "out of memory");
        return false;
    }
    FILE *fp = fopen(path, "w");
    bool ok = fp && fwrite(text, 1, len, fp) == len;
    int saved_errno = errno;
    if (fp && fclose(fp) != 0 && ok) {
        ok = false;
        saved_errno = errno;
    }
    free(text);
    if (!ok) {
        diag_set(err, LIVE_NAME, 1, col, "cannot write '%.*s': %s (expected a file that can "
                 "be written)", DIAG_QUOTE_MAX, path, strerror(saved_errno));
        return false;
    }
    return true;
}

bool live_stops_autoplay(struct app *a, const struct tl_event *e)
{
    struct live *l = a->live;
    if (!l || !l->stop_op || !e || e->op_seq != l->stop_op || !e->ends_op)
        return false;
    l->stop_op = 0;
    return true;
}

/* ------------------------------------------------------------------ */
/* the line                                                            */

static const char *const command_words[LIVE_COMMAND_COUNT] = {
#define LIVE_COMMAND_WORD(id, word, arg, help) word,
    LIVE_COMMAND_LIST(LIVE_COMMAND_WORD)
#undef LIVE_COMMAND_WORD
};

static bool is_word_byte(char c)
{
    return c != ' ' && c != ':' && c != ',' && c != '{' && c != '[' && c != '\0';
}

/* The greatest pid a scenario's steps give a new process (fork, spawn),
 * nested steps included. */
static uint64_t steps_max_child(const struct scenario_step *steps, size_t n)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        const struct scenario_step *st = &steps[i];
        uint64_t pid = st->kind == STEP_FORK                            ? st->u.fork.child.value
                       : st->kind == STEP_SPAWN && st->u.exec.child.present ? st->u.exec.child.value
                                                                          : 0;
        if (pid > max)
            max = pid;
        if (st->kind == STEP_REPEAT) {
            uint64_t inner = steps_max_child(st->u.repeat.steps, st->u.repeat.count);
            if (inner > max)
                max = inner;
        }
    }
    return max;
}

/* "fork" on its own: a fork of the running process into the first pid
 * that no process has and no step gives (the scenario format wants the
 * child named). Any other line is returned as it is. */
static const char *bare_fork(const struct app *a, const char *line, char *buf, size_t size)
{
    size_t from = 0, to = strlen(line);
    while (from < to && line[from] == ' ')
        from++;
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == ':'))
        to--;
    if (to - from != 4 || memcmp(line + from, "fork", 4) != 0)
        return line;
    const struct machine *m = timeline_machine(a->tl);
    uint64_t max = steps_max_child(a->sc->steps, a->sc->step_count);
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid > max)
            max = m->procs[i].pid;
    for (size_t i = 0; i < a->sc->process_count; i++)
        if (a->sc->processes[i].pid.value > max)
            max = a->sc->processes[i].pid.value;
    snprintf(buf, size, "%.*sfork %" PRIu64, (int)from, line, max + 1);
    return buf;
}

/* The command the line starts with, or LIVE_COMMAND_COUNT; *arg gets
 * the offset of what follows it. A step kind is never a command. */
static enum live_command command_of(const char *line, size_t *arg)
{
    size_t i = 0;
    while (line[i] == ' ')
        i++;
    if (line[i] == ':')
        i++;
    size_t from = i;
    while (is_word_byte(line[i]))
        i++;
    if (line[i] != ' ' && line[i] != '\0')
        return LIVE_COMMAND_COUNT;
    char word[16];
    if (i - from >= sizeof word)
        return LIVE_COMMAND_COUNT;
    memcpy(word, line + from, i - from);
    word[i - from] = '\0';
    enum step_kind kind;
    if (step_kind_lookup(word, &kind) == 0)
        return LIVE_COMMAND_COUNT;
    for (int c = 0; c < LIVE_COMMAND_COUNT; c++)
        if (strcmp(word, command_words[c]) == 0) {
            while (line[i] == ' ')
                i++;
            *arg = i;
            return (enum live_command)c;
        }
    return LIVE_COMMAND_COUNT;
}

static void remember(struct live *l)
{
    if (!l->line[0])
        return;
    if (l->nhistory > 0 && strcmp(l->history[l->nhistory - 1], l->line) == 0) {
        l->recall = l->nhistory;
        return;
    }
    char *copy = strdup(l->line);
    if (!copy)
        return;
    if (l->nhistory == LIVE_HISTORY_MAX) {
        free(l->history[0]);
        memmove(l->history, l->history + 1, (LIVE_HISTORY_MAX - 1) * sizeof l->history[0]);
        l->nhistory--;
    }
    l->history[l->nhistory++] = copy;
    l->recall = l->nhistory;
}

void live_recall(struct live *l, int direction)
{
    if (direction < 0 && l->recall > 0) {
        if (l->recall == l->nhistory)
            snprintf(l->draft, sizeof l->draft, "%s", l->line);
        l->recall--;
        snprintf(l->line, sizeof l->line, "%s", l->history[l->recall]);
    } else if (direction > 0 && l->recall < l->nhistory) {
        l->recall++;
        snprintf(l->line, sizeof l->line, "%s",
                 l->recall == l->nhistory ? l->draft : l->history[l->recall]);
    }
    l->cursor = strlen(l->line);
}

void live_clear(struct live *l)
{
    l->line[0] = '\0';
    l->cursor = 0;
    l->note[0] = '\0';
    l->note_error = false;
    l->recall = l->nhistory;
}

static void insert(struct live *l, const char *text, size_t n);

bool live_edit(struct live *l, enum key_action act, int key)
{
    size_t len = strlen(l->line);
    switch (act) {
    case ACTION_PROMPT_LEFT:
        if (l->cursor > 0)
            l->cursor--;
        break;
    case ACTION_PROMPT_RIGHT:
        if (l->cursor < len)
            l->cursor++;
        break;
    case ACTION_PROMPT_HOME: l->cursor = 0; break;
    case ACTION_PROMPT_END: l->cursor = len; break;
    case ACTION_PROMPT_ERASE:
        if (l->cursor == 0)
            break;
        l->cursor--;
        memmove(l->line + l->cursor, l->line + l->cursor + 1, len - l->cursor);
        break;
    case ACTION_PROMPT_DELETE:
        if (l->cursor < len)
            memmove(l->line + l->cursor, l->line + l->cursor + 1, len - l->cursor);
        break;
    case ACTION_PROMPT_OLDER: live_recall(l, -1); break;
    case ACTION_PROMPT_NEWER: live_recall(l, +1); break;
    case ACTION_NONE:
        /* Printable ASCII: what a step is written in. */
        if (key < 0x20 || key > 0x7e)
            return false;
        char c = (char)key;
        insert(l, &c, 1);
        break;
    default:
        return false;
    }
    l->note[0] = '\0';
    l->note_error = false;
    return true;
}

unsigned live_enter(struct app *a)
{
    struct live *l = live_of(a);
    if (!l)
        return APP_HANDLED | APP_REDRAW;
    remember(l);
    size_t arg = 0;
    struct diag err;
    switch (command_of(l->line, &arg)) {
    case LIVE_SAVE: {
        const char *path = l->line + arg;
        size_t n = strlen(path);
        while (n > 0 && path[n - 1] == ' ')
            n--;
        if (n == 0) {
            diag_set(&err, LIVE_NAME, 1, (unsigned)arg + 1, "no file name (expected save "
                     "FILE)");
            note_diag(l, &err);
            return APP_HANDLED | APP_REDRAW;
        }
        char file[SCENARIO_LINE_MAX + 1];
        snprintf(file, sizeof file, "%.*s", (int)n, path);
        if (!live_save(a, file, (unsigned)arg + 1, &err)) {
            note_diag(l, &err);
            return APP_HANDLED | APP_REDRAW;
        }
        char msg[sizeof a->message];
        snprintf(msg, sizeof msg, "Saved with %zu typed step%s: %.*s", l->count,
                 l->count == 1 ? "" : "s", LIVE_QUOTE_MAX, file);
        app_say(a, false, "%s", msg);
        note(l, false, "");
        return screens_switch(a, SCREEN_COUNT);
    }
    case LIVE_UNDO:
        if (l->line[arg] != '\0') {
            diag_set(&err, LIVE_NAME, 1, (unsigned)arg + 1, "'%.*s' after undo (expected "
                     "nothing)", DIAG_QUOTE_MAX, l->line + arg);
            note_diag(l, &err);
            return APP_HANDLED | APP_REDRAW;
        }
        return live_undo(a);
    case LIVE_COMMAND_COUNT:
        break;
    }
    struct scenario_line sl;
    char with_child[SCENARIO_LINE_MAX + 32];
    if (scenario_line_parse(LIVE_NAME, bare_fork(a, l->line, with_child, sizeof with_child), &sl,
                            &err) < 0) {
        note_diag(l, &err);
        return APP_HANDLED | APP_REDRAW;
    }
    return add_step(a, l, &sl);
}

/* ------------------------------------------------------------------ */
/* completion                                                          */

/* Candidates for a word: names starting with it, without repeats. */
struct candidates {
    const char *name[LIVE_CANDIDATES_MAX];
    size_t count;
};

static void offer(struct candidates *c, const char *name, const char *word, size_t len)
{
    if (strncmp(name, word, len) != 0 || c->count == LIVE_CANDIDATES_MAX)
        return;
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->name[i], name) == 0)
            return;
    c->name[c->count++] = name;
}

/* Inserts text at the cursor, as much as the line holds. */
static void insert(struct live *l, const char *text, size_t n)
{
    size_t len = strlen(l->line);
    if (len + n > SCENARIO_LINE_MAX)
        n = SCENARIO_LINE_MAX - len;
    memmove(l->line + l->cursor + n, l->line + l->cursor, len - l->cursor + 1);
    memcpy(l->line + l->cursor, text, n);
    l->cursor += n;
}

size_t live_complete(struct app *a)
{
    struct live *l = live_of(a);
    if (!l)
        return 0;
    size_t start = l->cursor;
    while (start > 0 && is_word_byte(l->line[start - 1]))
        start--;
    size_t first = 0;
    while (first < start && (l->line[first] == ' ' || l->line[first] == ':'))
        first++;
    bool kind_word = first == start;
    const char *word = l->line + start;
    size_t len = l->cursor - start;
    struct candidates c = {.count = 0};
    char what[64];
    if (kind_word) {
        unsigned nkinds;
        const char *const *kinds = step_kind_names(&nkinds);
        for (unsigned i = 0; i < nkinds; i++)
            offer(&c, kinds[i], word, len);
        for (int i = 0; i < LIVE_COMMAND_COUNT; i++)
            offer(&c, command_words[i], word, len);
        snprintf(what, sizeof what, "step kinds and commands");
    } else {
        size_t arg;
        if (command_of(l->line, &arg) != LIVE_COMMAND_COUNT) {
            note(l, false, "Nothing to complete here: a file name.");
            return 0;
        }
        const struct process *p = machine_running(timeline_machine(a->tl));
        if (!p) {
            note(l, false, "No process is running: no areas to complete.");
            return 0;
        }
        for (uint32_t i = 0; i < p->nareas; i++)
            offer(&c, p->areas[i].name, word, len);
        snprintf(what, sizeof what, "areas of pid %" PRIu32, p->pid);
    }
    if (c.count == 0) {
        snprintf(l->note, sizeof l->note, "None of the %s starts with '%.*s'.", what,
                 (int)(len < DIAG_QUOTE_MAX ? len : DIAG_QUOTE_MAX), word);
        l->note_error = false;
        return 0;
    }
    /* The longest start every candidate shares. */
    size_t common = strlen(c.name[0]);
    for (size_t i = 1; i < c.count; i++) {
        size_t k = 0;
        while (k < common && c.name[i][k] == c.name[0][k])
            k++;
        common = k;
    }
    if (common > len)
        insert(l, c.name[0] + len, common - len);
    if (c.count == 1) {
        if (kind_word)
            insert(l, " ", 1);
        note(l, false, "");
        return 1;
    }
    int n = snprintf(l->note, sizeof l->note, "%s:", what);
    for (size_t i = 0; i < c.count && n > 0 && (size_t)n < sizeof l->note; i++)
        n += snprintf(l->note + n, sizeof l->note - (size_t)n, " %s", c.name[i]);
    l->note_error = false;
    return c.count;
}
