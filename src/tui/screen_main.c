/* The main screen: the layout of the panels, the status line, the hint
 * bar, and the keys that move in time. Time moves only through the
 * timeline. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/live.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui/whatif.h"

/* The layout. Below LAYOUT_WIDE_COLS x LAYOUT_WIDE_ROWS (view.h) it is
 * compact: denser panels, the columns halved. */
#define LAYOUT_HINT_MIN_ROWS 30     /* the hint bar shows from this many rows */
#define LAYOUT_TALL_ROWS 50         /* from here the narration gets a row more */
#define NARRATION_ROWS_COMPACT 4    /* the narration's rows, its title included */
#define NARRATION_ROWS 5
#define NARRATION_ROWS_TALL 6
/* The left column (walk, frames) takes this share of a wide screen. */
#define LEFT_SHARE_NUM 11
#define LEFT_SHARE_DEN 20
#define FRAMES_MIN_ROWS 4           /* kept for the frames before the walk grows */
#define PROCESS_MIN_ROWS 3          /* before the other right-hand panels grow */
#define PROCESS_MAX_ROWS_COMPACT 6  /* the most the processes grow to, before */
#define PROCESS_MAX_ROWS 12         /* spare rows go to them */
#define SWAP_MIN_ROWS 2
/* A log panel below this is no use (a title and a line or two tell
 * nothing); spare rows fewer than that stay with their column. */
#define LOG_MIN_ROWS 3

/* The status line: the words "by" and "theme" from this width; the
 * operation in words only with this much room beside the title, which
 * keeps at least TITLE_MIN columns. */
#define STATUS_WIDE_COLS 110
#define STATUS_OP_SLACK 12
#define STATUS_TITLE_MIN 8

struct layout {
    struct rect status, hint;
    struct rect panel[PANEL_COUNT];
    bool summary[PANEL_COUNT];   /* drawn as a one-line summary */
};

/* Presenter mode: the narration's rows (title included), more from a
 * projector-sized screen on; summaries side by side, more of them on a
 * wide screen. */
#define PRESENT_NARRATION_ROWS 6
#define PRESENT_NARRATION_ROWS_TALL 8
#define PRESENT_SUMMARIES_PER_ROW_MAX 3

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* The rows a panel would like, its title included, at a width. */
static int want(enum panel p, const struct scene *s, int width, bool compact)
{
    return panel_ops(p)->want(s, width, compact);
}

/* Places every panel for a cols x rows screen. Rows are the scarce
 * resource: each panel first gets the rows without which it would show
 * nothing useful (the counters all of theirs: they are always complete),
 * then what it would like in the order that matters to a student; the
 * event log takes what is left, in whichever column has more room. */
static void layout_compute(struct layout *L, const struct scene *s, int cols, int rows)
{
    memset(L, 0, sizeof *L);
    bool compact = cols < LAYOUT_WIDE_COLS || rows < LAYOUT_WIDE_ROWS;
    L->status = (struct rect){0, 0, 1, cols};
    int hint = rows >= LAYOUT_HINT_MIN_ROWS ? 1 : 0;
    if (hint)
        L->hint = (struct rect){rows - 1, 0, 1, cols};
    int access_h = 1 + (compact ? VIEW_ACCESS_ROWS_BITS : VIEW_ACCESS_ROWS_FULL);
    int narr_h = compact                      ? NARRATION_ROWS_COMPACT
                 : rows >= LAYOUT_TALL_ROWS ? NARRATION_ROWS_TALL
                                            : NARRATION_ROWS;
    int y = 1;
    L->panel[PANEL_ACCESS] = (struct rect){y, 0, access_h, cols};
    y += access_h;
    int middle = rows - 1 - hint - access_h - narr_h;
    L->panel[PANEL_NARRATION] = (struct rect){y + middle, 0, narr_h, cols};
    int left_w = compact ? cols / 2 : cols * LEFT_SHARE_NUM / LEFT_SHARE_DEN;
    int right_x = left_w + 1, right_w = cols - right_x;
    const struct machine *m = s->m;

    /* Left: the walk (title, CR3, the levels, the physical address), then
     * physical memory (title, grid, legend, two rows of policy). */
    int walk_h = min_int(want(PANEL_WALK, s, left_w, compact),
                         max_int(view_walk_min_rows(s), middle - FRAMES_MIN_ROWS));
    int frames_want = want(PANEL_FRAMES, s, left_w, compact);
    int h_frames = middle - walk_h;
    int left_spare = 0;
    if (h_frames > frames_want + LOG_MIN_ROWS) {
        left_spare = h_frames - frames_want;
        h_frames = frames_want;
    }

    /* Right: the TLB, the counters, the processes, swap. */
    int tlb_set = max_int(1, view_tlb_rows_at(s, right_w) / (int)m->tlb.sets);
    int tlb_want = want(PANEL_TLB, s, right_w, compact);
    int h_cnt = want(PANEL_COUNTERS, s, right_w, compact);
    int proc_want = want(PANEL_PROCESS, s, right_w, compact);
    int swap_want = want(PANEL_SWAP, s, right_w, compact);
    int h_tlb = 1 + tlb_set, h_proc = min_int(PROCESS_MIN_ROWS, proc_want),
        h_swap = SWAP_MIN_ROWS;
    int left = middle - h_tlb - h_cnt - h_proc - h_swap;
    /* Too few rows for every minimum: swap, then the processes, then the
     * TLB give up rows, down to their title (which still counts what
     * they hold); the counters never do. */
    int *shrink[] = {&h_swap, &h_proc, &h_proc, &h_tlb};
    for (size_t i = 0; i < sizeof shrink / sizeof shrink[0] && left < 0; i++)
        if (*shrink[i] > 1) {
            (*shrink[i])--;
            left++;
        }
    int add = max_int(0, min_int(tlb_want - h_tlb, left));
    h_tlb += add;
    left -= add;
    add = max_int(0, min_int(min_int(proc_want, compact ? PROCESS_MAX_ROWS_COMPACT
                                                        : PROCESS_MAX_ROWS) -
                                 h_proc,
                             left));
    h_proc += add;
    left -= add;
    add = max_int(0, min_int(swap_want - h_swap, left));
    h_swap += add;
    left -= add;
    int right_spare = max_int(0, left);

    /* The log goes where the room is; the other column's spare rows go to
     * its most useful panel. */
    int h_log_left = 0, h_log_right = 0;
    if (left_spare >= right_spare && left_spare >= LOG_MIN_ROWS) {
        h_log_left = left_spare;
        h_proc += right_spare;
    } else {
        h_frames += left_spare;
        h_log_right = right_spare;
        if (h_log_right < LOG_MIN_ROWS) {
            h_proc += h_log_right;
            h_log_right = 0;
        }
    }
    L->panel[PANEL_WALK] = (struct rect){y, 0, walk_h, left_w};
    L->panel[PANEL_FRAMES] = (struct rect){y + walk_h, 0, h_frames, left_w};
    int ry = y;
    L->panel[PANEL_TLB] = (struct rect){ry, right_x, h_tlb, right_w};
    ry += h_tlb;
    L->panel[PANEL_COUNTERS] = (struct rect){ry, right_x, h_cnt, right_w};
    ry += h_cnt;
    L->panel[PANEL_PROCESS] = (struct rect){ry, right_x, h_proc, right_w};
    ry += h_proc;
    L->panel[PANEL_SWAP] = (struct rect){ry, right_x, h_swap, right_w};
    ry += h_swap;
    if (h_log_left)
        L->panel[PANEL_LOG] = (struct rect){y + walk_h + h_frames, 0, h_log_left, left_w};
    else
        L->panel[PANEL_LOG] = (struct rect){ry, right_x, h_log_right, right_w};
}

/* The rows a hint bar takes at this height. */
static int hint_rows(int rows)
{
    return rows >= LAYOUT_HINT_MIN_ROWS ? 1 : 0;
}

/* One panel over the whole screen but the status line and the hint bar,
 * which a zoom keeps on any screen: it says how to come back. */
static void layout_zoom(struct layout *L, enum panel p, int cols, int rows)
{
    memset(L, 0, sizeof *L);
    int hint = 1;
    L->status = (struct rect){0, 0, 1, cols};
    if (hint)
        L->hint = (struct rect){rows - 1, 0, 1, cols};
    L->panel[p] = (struct rect){1, 0, rows - 1 - hint, cols};
}

/* Presenter mode: the subject (the panel the step is about) takes most of
 * the screen, the narration the rows below it, and every other panel one
 * line of summary at the top: the access its own row, the others side by
 * side, as many to a row as fit whole. The event log is left out (L shows
 * it). */
static void layout_present(struct layout *L, const struct scene *s, enum panel subject,
                           int cols, int rows)
{
    memset(L, 0, sizeof *L);
    int hint = hint_rows(rows);
    L->status = (struct rect){0, 0, 1, cols};
    if (hint)
        L->hint = (struct rect){rows - 1, 0, 1, cols};
    int top = 1;
    if (subject != PANEL_ACCESS) {
        L->panel[PANEL_ACCESS] = (struct rect){top++, 0, 1, cols};
        L->summary[PANEL_ACCESS] = true;
    }
    int widest = 0;
    for (int p = 0; p < PANEL_COUNT; p++)
        if (p != (int)subject && p != PANEL_ACCESS && p != PANEL_NARRATION && p != PANEL_LOG)
            widest = max_int(widest, view_summary_width(s, (enum panel)p));
    int per_row = PRESENT_SUMMARIES_PER_ROW_MAX;
    while (per_row > 1 && cols / per_row - 1 < widest)
        per_row--;
    int col_w = cols / per_row;
    int n = 0;
    for (int p = 0; p < PANEL_COUNT; p++) {
        if (p == (int)subject || p == PANEL_ACCESS || p == PANEL_NARRATION || p == PANEL_LOG)
            continue;
        L->panel[p] = (struct rect){top + n / per_row, (n % per_row) * col_w, 1, col_w - 1};
        L->summary[p] = true;
        n++;
    }
    top += (n + per_row - 1) / per_row;
    int narr_h = subject == PANEL_NARRATION  ? 0
                 : rows >= LAYOUT_WIDE_ROWS ? PRESENT_NARRATION_ROWS_TALL
                                            : PRESENT_NARRATION_ROWS;
    int subject_h = rows - hint - top - narr_h;
    L->panel[subject] = (struct rect){top, 0, subject_h, cols};
    if (narr_h)
        L->panel[PANEL_NARRATION] = (struct rect){top + subject_h, 0, narr_h, cols};
}

/* The panel presenter mode shows large: the focused one, else the one the
 * step is about. */
static enum panel present_subject(const struct app *a)
{
    return a->focus >= 0 ? (enum panel)a->focus : scene_subject(&a->scene);
}

/* What the machine is doing, in a few words ("write 0x401000 (pid 1)"). */
static void op_text(const struct machine *m, char *buf, size_t len)
{
    const struct op *op = machine_current_op(m);
    switch (op->kind) {
    case OP_ACCESS:
        snprintf(buf, len, "%s 0x%" PRIx64, access_kind_name(op->access), op->va);
        break;
    case OP_MMAP: snprintf(buf, len, "mmap %s", op->name); break;
    case OP_MUNMAP: snprintf(buf, len, "munmap 0x%" PRIx64, op->va); break;
    case OP_MPROTECT: snprintf(buf, len, "mprotect 0x%" PRIx64, op->va); break;
    case OP_MAP_FRAME: snprintf(buf, len, "map 0x%" PRIx64, op->va); break;
    case OP_SWITCH: snprintf(buf, len, "switch to pid %" PRIu32, op->pid); break;
    case OP_EXIT: snprintf(buf, len, "exit"); break;
    case OP_EXECVE: snprintf(buf, len, "execve %s", op->name); break;
    case OP_SPAWN: snprintf(buf, len, "spawn %s", op->name); break;
    case OP_BRK: snprintf(buf, len, "brk +0x%" PRIx64, op->size); break;
    default: snprintf(buf, len, "-"); break;
    }
}

static void draw_status(struct app *a, struct rect r)
{
    const struct scene *s = &a->scene;
    draw_fill(r, ROLE_STATUS);
    const char *title = a->sc->title.value ? a->sc->title.value : a->sc->path;
    char op[96];
    op_text(s->m, op, sizeof op);
    char right[160];
    bool wide = r.w >= STATUS_WIDE_COLS;
    snprintf(right, sizeof right, " %s %.4g/s | %s%s | %s%s%s ",
             a->playing ? "PLAY" : "paused", app_speed_rate(a->speed), wide ? "by " : "",
             tl_unit_name(a->unit), policy_name(s->m->policy.ops->kind), wide ? " | theme " : "",
             wide ? a->theme.name : "");
    char mid[160];
    snprintf(mid, sizeof mid, " | op %" PRIu64 "/%" PRIu64 "%s%s | step %" PRIu64 "%s",
             timeline_op_index(a->tl), timeline_op_total(a->tl), op[0] == '-' ? "" : " ",
             op[0] == '-' ? "" : op, timeline_position(a->tl),
             timeline_at_end(a->tl) ? " (end)" : "");
    int rw = draw_width(right);
    int room = r.w - rw;
    if (draw_width(mid) + STATUS_OP_SLACK > room)
        /* No room: the access panel shows the operation anyway. */
        snprintf(mid, sizeof mid, " | op %" PRIu64 "/%" PRIu64 " | step %" PRIu64 "%s",
                 timeline_op_index(a->tl), timeline_op_total(a->tl), timeline_position(a->tl),
                 timeline_at_end(a->tl) ? " (end)" : "");
    int x = draw_text(rect_cols(r, 0, room), 0, 0, ROLE_STATUS, " ");
    int title_room = room - 1 - draw_width(mid);
    if (title_room < STATUS_TITLE_MIN)
        title_room = STATUS_TITLE_MIN;
    char t[256];
    snprintf(t, sizeof t, "%s", title);
    if (draw_width(t) > title_room && title_room > 3) {
        /* Keep the end of the status legible: shorten the title. */
        t[title_room - 3] = '\0';
        strcat(t, "...");
    }
    x += draw_text(rect_cols(r, 0, room), 0, x, ROLE_STATUS, t);
    draw_text(rect_cols(r, 0, room), 0, x, ROLE_STATUS, mid);
    if (rw <= r.w) {
        int rx = r.w - rw;
        int px = draw_textf(r, 0, rx, a->playing ? ROLE_STATUS_PLAY : ROLE_STATUS_PAUSE, " %s",
                            a->playing ? "PLAY" : "paused");
        draw_text(r, 0, rx + px, ROLE_STATUS, right + 1 + (a->playing ? 4 : 6));
    }
}

/* The message to show: the last move's, else the host's refusal, which
 * stays in view for as long as the viewer runs (it cannot play on). */
static const char *shown_message(const struct app *a, bool *error)
{
    *error = a->message_error;
    if (a->message[0])
        return a->message;
    *error = true;
    return timeline_error(a->tl);
}

static void draw_hint(struct app *a, struct rect r)
{
    if (!rect_ok(r))
        return;
    bool error;
    const char *message = shown_message(a, &error);
    if (message) {
        draw_text(r, 0, 1, error ? ROLE_ERROR : ROLE_SAY, message);
        return;
    }
    hints_draw(r, KEYS_BAR_MAIN);
}

void screen_main_init(struct app *a)
{
    a->focus = -1;
    memset(a->scroll, 0, sizeof a->scroll);
}

void screen_main_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    scene_build(&a->scene, a->tl);
    hits_clear(&a->hits);
    struct layout L;
    if (a->zoom >= 0)
        layout_zoom(&L, (enum panel)a->zoom, cols, rows);
    else if (a->present)
        layout_present(&L, &a->scene, present_subject(a), cols, rows);
    else
        layout_compute(&L, &a->scene, cols, rows);
    draw_fill((struct rect){0, 0, rows, cols}, ROLE_NORMAL);
    draw_status(a, L.status);
    memcpy(a->panels, L.panel, sizeof a->panels);
    for (int p = 0; p < PANEL_COUNT; p++) {
        if (!rect_ok(L.panel[p]))
            continue;
        if (L.summary[p]) {
            view_summary_draw(&a->scene, (enum panel)p, L.panel[p]);
            continue;
        }
        struct view_ctx v = {
            .s = &a->scene,
            .focused = a->focus == p,
            .titled = true,
            .scroll = &a->scroll[p],
            .hits = &a->hits,
        };
        /* Large, the address is split into wide boxes. */
        bool large = a->zoom == p || (a->present && a->zoom < 0);
        if (p == PANEL_ACCESS && large && view_access_big_draw(&v, L.panel[p]))
            continue;
        panel_ops((enum panel)p)->draw(&v, L.panel[p]);
    }
    draw_hint(a, L.hint);
    bool error;
    const char *message = shown_message(a, &error);
    /* No hint bar: the message takes the narration's title row, the whole
     * row, so that no end of the title is left beside it to be read with
     * it. */
    if (!rect_ok(L.hint) && message && rect_ok(L.panel[PANEL_NARRATION])) {
        struct rect row = L.panel[PANEL_NARRATION];
        row.h = 1;
        draw_fill(row, ROLE_NORMAL);
        draw_words(row, 0, 1, error ? ROLE_ERROR : ROLE_SAY, message);
    }
}


/* "At the end. Home (g) goes back to the start.", the keys from the table. */
static void say_at_end(struct app *a)
{
    char msg[96];
    snprintf(msg, sizeof msg, "At the end. %s (%s) goes back to the start.",
             keys_first(ACTION_START).s, keys_named(keys_of(ACTION_START)[1]).s);
    app_say(a, false, "%s", msg);
}

/* True when the last move ended for a reason the move's own message does
 * not tell: Esc, a quit, the host's refusal (finish_move says those). */
static bool move_interrupted(const struct app *a)
{
    return timeline_stopped(a->tl) || timeline_error(a->tl) != NULL;
}

/* Steps in time; at either end says so instead of doing nothing silently. */
static void step(struct app *a, enum tl_unit unit, int direction)
{
    if (!timeline_step(a->tl, unit, direction) && !move_interrupted(a)) {
        if (direction > 0)
            say_at_end(a);
        else
            app_say(a, false, "At the start.");
    }
}

/* Runs to the next event of a kind; when there is none before the end,
 * stays where it was (past no pause or chapter) and says so. */
static void run_until(struct app *a, enum tl_stop stop, const char *what)
{
    a->playing = false;
    uint64_t from = timeline_position(a->tl);
    if (timeline_run_until(a->tl, stop) || move_interrupted(a))
        return;
    if (!timeline_seek(a->tl, from))
        return;
    char msg[160];
    snprintf(msg, sizeof msg, "No %s from here to the end: still at step %" PRIu64 ".", what,
             from);
    app_say(a, false, "%s", msg);
}

/* What a key that moves in time does, for the progress line; NULL for a
 * key that does not move. */
static const char *move_name(const struct app *a, enum key_action act)
{
    switch (act) {
    case ACTION_STEP_FORWARD:
        return a->unit == TL_UNIT_CHAPTER ? "Going to the next chapter"
               : a->unit == TL_UNIT_OP    ? "Going to the next operation"
               : a->unit == TL_UNIT_ACCESS ? "Going to the next access"
                                           : "Stepping forward";
    case ACTION_STEP_BACK:
        return a->unit == TL_UNIT_CHAPTER ? "Going back a chapter"
               : a->unit == TL_UNIT_OP    ? "Going back an operation"
               : a->unit == TL_UNIT_ACCESS ? "Going back an access"
                                           : "Stepping back";
    case ACTION_START: return "Going to the start";
    case ACTION_END: return "Going to the end";
    case ACTION_PREV_CHAPTER: return "Going back a chapter";
    case ACTION_NEXT_CHAPTER: return "Going to the next chapter";
    case ACTION_NEXT_FAULT: return "Looking for the next page fault";
    case ACTION_NEXT_EVICTION: return "Looking for the next eviction";
    default: return NULL;
    }
}

/* After a move: the viewer quits when asked to while it ran; a stop by Esc
 * and the host's refusal are said, with the step the viewer is at. */
unsigned screen_main_finish(struct app *a, unsigned result)
{
    enum busy_outcome outcome = app_busy_end(a);
    if (outcome == BUSY_QUIT)
        return APP_QUIT;
    if (outcome == BUSY_ASK_QUIT)
        return app_ask_quit(a);
    char msg[sizeof a->message];
    if (timeline_error(a->tl)) {
        a->playing = false;
        snprintf(msg, sizeof msg, "%s: the run cannot go on past step %" PRIu64 " (%s quits).",
                 timeline_error(a->tl), timeline_position(a->tl), keys_first(ACTION_QUIT).s);
        app_say(a, true, "%s", msg);
    } else if (outcome == BUSY_CANCELLED) {
        a->playing = false;
        snprintf(msg, sizeof msg, "Stopped by %s at step %" PRIu64 ".",
                 keys_first(ACTION_CLOSE).s, timeline_position(a->tl));
        app_say(a, false, "%s", msg);
    }
    return result;
}

static void scroll_focus(struct app *a, int delta)
{
    if (a->focus < 0)
        return;
    /* The log counts from the newest upwards: "up" shows older lines. */
    if (a->focus == PANEL_LOG)
        delta = -delta;
    a->scroll[a->focus] += delta;
    if (a->scroll[a->focus] < 0)
        a->scroll[a->focus] = 0;
}

/* The action a key stands for here: a focused panel that scrolls takes
 * the line keys (Up, Down) to scroll; every other key is the viewer's. */
static enum key_action main_action(const struct app *a, int key)
{
    if (a->focus >= 0 && panel_ops((enum panel)a->focus)->scrolls) {
        switch (keys_lookup_in(KEYS_SCROLL, key)) {
        case ACTION_LINE_UP: return ACTION_SCROLL_UP;
        case ACTION_LINE_DOWN: return ACTION_SCROLL_DOWN;
        default: break;
        }
    }
    return keys_lookup(key);
}

static unsigned main_act(struct app *a, enum key_action act);

/* Finds the chapters (a pass through the scenario, which Esc can stop)
 * and opens the menu on them. */
static unsigned open_chapters(struct app *a)
{
    a->playing = false;
    app_busy_begin(a, "Finding the chapters");
    bool found = app_chapters_scan(a);
    unsigned r = screen_main_finish(a, APP_HANDLED | APP_REDRAW);
    if (!found || (r & APP_QUIT) || a->overlay != SCREEN_COUNT)
        return r;
    if (a->nchapters == 0) {
        app_say(a, false, "This scenario has no chapters.");
        return r;
    }
    return screens_switch(a, SCREEN_CHAPTERS);
}

unsigned screen_main_key(struct app *a, int key)
{
    if (a->pending) {
        /* The second key of a bookmark: it names the bookmark. */
        a->message[0] = '\0';
        app_busy_begin(a, "Going to the bookmark");
        return screen_main_finish(a, app_mark_finish(a, key));
    }
    return screen_main_action(a, main_action(a, key));
}

unsigned screen_main_action(struct app *a, enum key_action act)
{
    a->message[0] = '\0';
    uint64_t before = timeline_position(a->tl);
    const char *moving = move_name(a, act);
    if (moving)
        app_busy_begin(a, moving);
    unsigned result = main_act(a, act);
    if (moving)
        result = screen_main_finish(a, result);
    if (a->quiz_mode && !(result & APP_QUIT) && timeline_position(a->tl) > before)
        result |= quiz_after_move(a, before);
    /* A new step has its own sentence: read it from the top. */
    if (timeline_position(a->tl) != before)
        a->scroll[PANEL_NARRATION] = 0;
    return result;
}

static unsigned main_act(struct app *a, enum key_action act)
{
    switch (act) {
    case ACTION_PLAY:
        if (timeline_at_end(a->tl) && !a->playing) {
            say_at_end(a);
            break;
        }
        a->playing = !a->playing;
        break;
    case ACTION_STEP_FORWARD:
        a->playing = false;
        step(a, a->unit, +1);
        break;
    case ACTION_STEP_BACK:
        a->playing = false;
        step(a, a->unit, -1);
        break;
    case ACTION_UNIT:
        a->unit = a->unit == TL_UNIT_CHAPTER ? TL_UNIT_EVENT : (enum tl_unit)(a->unit + 1);
        {
            char msg[96];
            snprintf(msg, sizeof msg, "Step size: one %s.", tl_unit_name(a->unit));
            app_say(a, false, "%s", msg);
        }
        break;
    case ACTION_FASTER:
        if (a->speed + 1 < APP_SPEEDS)
            a->speed++;
        break;
    case ACTION_SLOWER:
        if (a->speed > 0)
            a->speed--;
        break;
    case ACTION_START:
        a->playing = false;
        timeline_seek(a->tl, 0);
        break;
    case ACTION_END:
        a->playing = false;
        timeline_seek(a->tl, UINT64_MAX);
        break;
    case ACTION_PREV_CHAPTER:
        a->playing = false;
        step(a, TL_UNIT_CHAPTER, -1);
        break;
    case ACTION_NEXT_CHAPTER:
        a->playing = false;
        step(a, TL_UNIT_CHAPTER, +1);
        break;
    case ACTION_NEXT_FAULT:
        run_until(a, TL_STOP_FAULT, "page fault");
        break;
    case ACTION_NEXT_EVICTION:
        run_until(a, TL_STOP_EVICTION, "eviction");
        break;
    case ACTION_FOCUS:
        if (a->zoom >= 0) {
            /* Zoomed, Tab shows the next panel whole. */
            a->zoom = (a->zoom + 1) % PANEL_COUNT;
            break;
        }
        a->focus = a->focus + 1 >= PANEL_COUNT ? -1 : a->focus + 1;
        break;
    case ACTION_FOCUS_BACK:
        a->focus = a->focus < 0 ? PANEL_COUNT - 1 : a->focus - 1;
        break;
    case ACTION_SCROLL_DOWN:
        scroll_focus(a, 1);
        break;
    case ACTION_SCROLL_UP:
        scroll_focus(a, -1);
        break;
    case ACTION_WHATIF:
    case ACTION_UNDO_WHATIF:
    case ACTION_SPLIT:
        return whatif_action(a, act);
    case ACTION_CLOSE:
        /* A clicker sends Esc too: it undoes what is on top, one thing at
         * a time, and leaving the scenario asks first. */
        if (a->zoom >= 0)
            a->zoom = -1;
        else if (a->focus >= 0)
            a->focus = -1;
        else
            return app_ask_leave(a);
        break;
    case ACTION_CHAPTERS:
        return open_chapters(a);
    case ACTION_MARK:
    case ACTION_GO_MARK:
        return app_mark_begin(a, act);
    case ACTION_PRESENT:
        a->present = !a->present;
        app_say(a, false, "%s", a->present ? "Presenter mode: the step's panel large."
                                         : "Presenter mode off: every panel in view.");
        break;
    case ACTION_ZOOM:
        if (a->zoom < 0 && a->focus < 0)
            scene_build(&a->scene, a->tl);
        a->zoom = a->zoom >= 0 ? -1 : a->focus >= 0 ? a->focus : (int)scene_subject(&a->scene);
        if (a->zoom >= 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "Zoomed: %s or %s comes back, %s shows the next panel.",
                     keys_first(ACTION_ZOOM).s, keys_first(ACTION_CLOSE).s,
                     keys_first(ACTION_FOCUS).s);
            app_say(a, false, "%s", msg);
        }
        break;
    case ACTION_BLANK:
        a->playing = false;
        return screens_switch(a, SCREEN_BLANK);
    case ACTION_LIVE:
        a->playing = false;
        return screens_switch(a, SCREEN_LIVE);
    case ACTION_QUIZ:
        return quiz_toggle(a);
    default:
        return screens_common_key(a, act);
    }
    return APP_HANDLED | APP_REDRAW;
}

unsigned screen_main_tick(struct app *a)
{
    if (!a->playing)
        return 0;
    app_busy_begin(a, "Playing");
    uint64_t before = timeline_position(a->tl);
    bool moved = timeline_step(a->tl, a->unit, +1);
    if (move_interrupted(a))
        return screen_main_finish(a, APP_REDRAW);
    app_busy_end(a);
    if (!moved) {
        a->playing = false;
        say_at_end(a);
        return APP_REDRAW;
    }
    a->scroll[PANEL_NARRATION] = 0;
    if (a->quiz_mode && quiz_after_move(a, before) && a->overlay == SCREEN_QUIZ) {
        a->playing = false;
        return APP_REDRAW;
    }
    /* Autoplay stops where the scenario asks the viewer to look. */
    const struct tl_event *e = timeline_current(a->tl);
    if (e && (e->kind == TL_PAUSE || e->kind == TL_ASK || (e->kind == TL_EXPECT && e->failed) ||
              (e->kind == TL_CHAPTER && a->unit != TL_UNIT_CHAPTER))) {
        a->playing = false;
        char msg[128];
        snprintf(msg, sizeof msg, "%s: %s goes on.",
                 e->kind == TL_PAUSE ? "Paused by the scenario" : "A new chapter",
                 keys_first(ACTION_PLAY).s);
        if (e->kind == TL_ASK)
            snprintf(msg, sizeof msg, "A question: %s goes on, %s asks it as a quiz.",
                     keys_first(ACTION_PLAY).s, keys_first(ACTION_QUIZ).s);
        app_say(a, false, "%s", e->kind == TL_EXPECT ? "An expectation failed." : msg);
    }
    if (timeline_at_end(a->tl) || live_stops_autoplay(a, e))
        a->playing = false;
    return APP_REDRAW;
}
