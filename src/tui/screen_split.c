/* The split view: the same scenario on two machines side by side, in
 * lockstep. The left is the viewer's own timeline, moved by the main
 * screen's keys; the right (whatif.h) follows it to the same place after
 * every move. Each side shows its machine's name, its physical memory,
 * its recent events, the current step and its victim, and its counters; the
 * counters that differ between the sides stand out. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "play/narrate.h"
#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui/whatif.h"

/* The counters (whatif_counters) go two a row. */
#define SPLIT_COUNTER_COLS 2
#define SPLIT_COUNTER_ROWS ((WHATIF_COUNTERS + SPLIT_COUNTER_COLS - 1) / SPLIT_COUNTER_COLS)
/* Where a counter's value starts in its column. */
#define SPLIT_VALUE_X 11
/* An event log shorter than this tells nothing: the rows stay with the
 * frames. */
#define SPLIT_LOG_MIN_ROWS 3
/* Rows for the sentence about the current step. */
#define SPLIT_NARRATION_ROWS 2
/* Rows of a side besides its physical memory and its log: its title, the
 * step's sentence and its victim, the counters' title and rows. */
#define SPLIT_FIXED_ROWS (1 + SPLIT_NARRATION_ROWS + 1 + 1 + SPLIT_COUNTER_ROWS)

void screen_split_init(struct app *a)
{
    a->focus = -1;
}

/* The victim of the current access (of the operation, between
 * accesses), from the log: "victim: frame 2, was p1 pages+0x3"; or that
 * there is none. */
static void victim_text(const struct scene *s, char *buf, size_t len)
{
    if (s->cur) {
        for (size_t i = 0; i < s->nlog && s->log[i]->op_seq == s->cur->op_seq &&
                           s->log[i]->access_seq == s->cur->access_seq;
             i++) {
            const struct tl_event *e = s->log[i];
            if (e->kind == TL_MACHINE && e->ev.kind == EV_VICTIM_CHOSEN) {
                char page[96];
                view_page_label(s->m, e->ev.other_pid, e->ev.other_vpn, page, sizeof page);
                snprintf(buf, len, "victim: frame %" PRIu32 ", was p%" PRIu32 " %s",
                         e->ev.victim, e->ev.other_pid, page);
                return;
            }
        }
    }
    snprintf(buf, len, "no victim in this access");
}

/* One side: r is its column below the status line. */
static void draw_side(const struct scene *s, const struct scene *other, struct rect r,
                      const char *side)
{
    char name[160];
    whatif_machine_name(s->m, name, sizeof name);
    draw_title(r, 0, side, name, false);
    /* Physical memory as tall as it would like; the rows it leaves go
     * to this machine's event log when there are enough to tell
     * something. */
    int room = r.h - SPLIT_FIXED_ROWS;
    int frames_h = panel_ops(PANEL_FRAMES)->want(s, r.w, true);
    int log_h = room - frames_h;
    if (log_h < SPLIT_LOG_MIN_ROWS) {
        frames_h = room;
        log_h = 0;
    }
    int frames_scroll = 0, log_scroll = 0;
    struct view_ctx frames = {.s = s, .titled = true, .scroll = &frames_scroll};
    struct view_ctx log = {.s = s, .titled = true, .scroll = &log_scroll};
    if (frames_h > 1)
        panel_ops(PANEL_FRAMES)->draw(&frames, rect_rows(r, 1, frames_h));
    else
        frames_h = 0;
    if (log_h)
        panel_ops(PANEL_LOG)->draw(&log, rect_rows(r, 1 + frames_h, log_h));
    int y = 1 + frames_h + log_h;
    char line[1024], sentence[960];
    if (s->cur) {
        narrate(s->cur, s->m, sentence, sizeof sentence);
        snprintf(line, sizeof line, "step %" PRIu64 ": %s", timeline_position(s->tl), sentence);
    } else {
        snprintf(line, sizeof line, "step 0: nothing has happened yet.");
    }
    draw_wrap(rect_cols(rect_rows(r, y, SPLIT_NARRATION_ROWS), 1, r.w - 1), 0, ROLE_NARRATION,
              line);
    y += SPLIT_NARRATION_ROWS;
    victim_text(s, line, sizeof line);
    draw_words(r, y++, 1, ROLE_NORMAL, line);
    draw_title(r, y++, "Counters", "(differences stand out)", false);
    int colw = r.w / SPLIT_COUNTER_COLS;
    for (int i = 0; i < WHATIF_COUNTERS; i++) {
        struct rect cell = rect_cols(rect_rows(r, y + i / SPLIT_COUNTER_COLS, 1),
                                     1 + (i % SPLIT_COUNTER_COLS) * colw, colw - 1);
        uint64_t value = counter_get(&s->m->counters, whatif_counters[i].id);
        bool differs = value != counter_get(&other->m->counters, whatif_counters[i].id);
        draw_text(cell, 0, 0, ROLE_DIM, whatif_counters[i].label);
        draw_wholef(cell, 0, SPLIT_VALUE_X, differs ? ROLE_DELTA : ROLE_NORMAL, "%" PRIu64,
                    value);
    }
}

static void draw_status(struct app *a, struct rect r)
{
    draw_fill(r, ROLE_STATUS);
    char right[96];
    snprintf(right, sizeof right, " %s | by %s ", a->playing ? "PLAY" : "paused",
             tl_unit_name(a->unit));
    int rw = draw_width(right);
    draw_whole(r, 0, r.w - rw, ROLE_STATUS, right);
    char mid[128];
    snprintf(mid, sizeof mid, " | op %" PRIu64 "/%" PRIu64 " | step %" PRIu64 "%s",
             timeline_op_index(a->tl), timeline_op_total(a->tl), timeline_position(a->tl),
             timeline_at_end(a->tl) ? " (end)" : "");
    struct rect left = rect_cols(r, 0, r.w - rw);
    int mw = draw_width(mid);
    char title[256];
    snprintf(title, sizeof title, " Side by side: %s",
             a->sc->title.value ? a->sc->title.value : a->sc->path);
    /* The numbers matter more than the title: the title gives way. */
    struct rect title_room = rect_cols(left, 0, left.w - mw);
    int x = draw_words(title_room, 0, 0, ROLE_STATUS, title);
    draw_whole(left, 0, x, ROLE_STATUS, mid);
}

/* The keys of this view, as many as the row holds whole. */
static void draw_hints(struct rect r)
{
    char hints[6][48];
    snprintf(hints[0], sizeof hints[0], "%s/%s step", keys_first(ACTION_STEP_FORWARD).s,
             keys_first(ACTION_STEP_BACK).s);
    snprintf(hints[1], sizeof hints[1], "%s play", keys_first(ACTION_PLAY).s);
    snprintf(hints[2], sizeof hints[2], "%s step size", keys_first(ACTION_UNIT).s);
    snprintf(hints[3], sizeof hints[3], "%s fault", keys_first(ACTION_NEXT_FAULT).s);
    snprintf(hints[4], sizeof hints[4], "%s/%s back", keys_first(ACTION_SPLIT).s,
             keys_first(ACTION_CLOSE).s);
    snprintf(hints[5], sizeof hints[5], "%s quit", keys_first(ACTION_QUIT).s);
    int x = 1;
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        int w = draw_whole(r, 0, x, ROLE_KEYHINT, hints[i]);
        if (w)
            x += w + 2;
    }
}

void screen_split_draw(struct app *a)
{
    struct whatif *w = a->whatif;
    int cols, rows;
    term_size(&cols, &rows);
    draw_fill((struct rect){0, 0, rows, cols}, ROLE_NORMAL);
    if (!w || !w->right)
        return;
    scene_build(&a->scene, a->tl);
    scene_build(&w->right_scene, w->right);
    hits_clear(&a->hits);
    memset(a->panels, 0, sizeof a->panels);
    draw_status(a, (struct rect){0, 0, 1, cols});
    int left_w = (cols - 1) / 2;
    struct rect left = {1, 0, rows - 2, left_w};
    struct rect right = {1, left_w + 1, rows - 2, cols - left_w - 1};
    draw_side(&a->scene, &w->right_scene, left, "Left");
    draw_side(&w->right_scene, &a->scene, right, "Right");
    struct rect bottom = {rows - 1, 0, 1, cols};
    if (a->message[0])
        draw_words(bottom, 0, 1, a->message_error ? ROLE_ERROR : ROLE_SAY, a->message);
    else
        draw_hints(bottom);
}

/* The keys that move in time: the main screen's, then the right-hand
 * machine follows. */
static bool moves(enum key_action act)
{
    switch (act) {
    case ACTION_PLAY:
    case ACTION_STEP_FORWARD:
    case ACTION_STEP_BACK:
    case ACTION_UNIT:
    case ACTION_FASTER:
    case ACTION_SLOWER:
    case ACTION_START:
    case ACTION_END:
    case ACTION_PREV_CHAPTER:
    case ACTION_NEXT_CHAPTER:
    case ACTION_NEXT_FAULT:
    case ACTION_NEXT_EVICTION:
        return true;
    default:
        return false;
    }
}

unsigned screen_split_key(struct app *a, int key)
{
    enum key_action act = keys_lookup(key);
    if (act == ACTION_SPLIT || act == ACTION_CLOSE) {
        a->playing = false;
        a->message[0] = '\0';
        whatif_split_close(a);
        return screens_switch(a, SCREEN_MAIN);
    }
    if (moves(act)) {
        unsigned result = screen_main_action(a, act);
        if (result & APP_QUIT)
            return result;
        return result | whatif_split_follow(a);
    }
    return screens_common_key(a, act);
}

unsigned screen_split_tick(struct app *a)
{
    unsigned result = screen_main_tick(a);
    if (result & APP_QUIT)
        return result;
    return result ? result | whatif_split_follow(a) : 0;
}
