/* Long computations: the timeline's stop hook, which reads the keys while
 * a move runs (Esc stops it, q stops it and asks to quit), and the progress line it draws on
 * the bottom row once the move has run APP_BUSY_SHOW_MS. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/term.h"

/* Below this many columns for the progress beside the stop keys, the
 * progress takes the whole row. */
#define BUSY_MIN_TEXT_COLS 20

double app_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void app_busy_begin(struct app *a, const char *what)
{
    a->busy.what = what;
    a->busy.started_ms = a->busy.keys_ms = app_now_ms();
    a->busy.drawn_ms = 0;
    a->busy.outcome = BUSY_DONE;
}

enum busy_outcome app_busy_end(struct app *a)
{
    a->busy.what = NULL;
    return a->busy.outcome;
}

/* How far through the scenario a pass is, by the finer of the two
 * measures it has (accesses, or operations when it has more of those):
 * "24% of the accesses" into share and "access 1234 of 5000" into detail.
 * Both empty when the scenario has neither. */
static void busy_fraction(const struct tl_progress *p, char *share, char *detail, size_t len)
{
    bool by_access = p->access_total >= p->op_total && p->access_total > 0;
    uint64_t done = by_access ? p->access_index : p->op_index;
    uint64_t total = by_access ? p->access_total : p->op_total;
    share[0] = detail[0] = '\0';
    if (total == 0)
        return;
    snprintf(share, len, "%d%% of the %s", (int)((double)done * 100.0 / (double)total),
             by_access ? "accesses" : "operations");
    snprintf(detail, len, "%s %" PRIu64 " of %" PRIu64, by_access ? "access" : "operation", done,
             total);
}

/* The progress line: what is being done and how far it has got, the most
 * telling first (a short line keeps the words that fit). */
static void busy_text(const struct app *a, const struct tl_progress *p, char *buf, size_t len)
{
    const char *what = a->busy.what ? a->busy.what : "Working";
    char share[64], detail[96];
    busy_fraction(p, share, detail, sizeof share);
    int percent = p->target && p->target != UINT64_MAX
                      ? (int)((double)p->position * 100.0 / (double)p->target)
                      : 0;
    switch (p->task) {
    case TL_TASK_FORWARD:
        if (p->target != UINT64_MAX)
            snprintf(buf, len, "%s: %d%%, step %" PRIu64 " of %" PRIu64 ".", what, percent,
                     p->position, p->target);
        else if (share[0])
            snprintf(buf, len, "%s: %s, step %" PRIu64 " (%s).", what, share, p->position,
                     detail);
        else
            snprintf(buf, len, "%s: step %" PRIu64 ".", what, p->position);
        break;
    case TL_TASK_REPLAY:
        snprintf(buf, len, "%s: replaying, %d%%, step %" PRIu64 " of %" PRIu64 ".", what,
                 percent, p->position, p->target);
        break;
    case TL_TASK_SEARCH:
        snprintf(buf, len, "%s: replaying to find where it begins, step %" PRIu64 ".", what,
                 p->position);
        break;
    case TL_TASK_FUTURE:
        snprintf(buf, len, "%s: learning the future for opt, %s (%s).", what, share, detail);
        break;
    }
}

static void busy_draw(struct app *a, const struct tl_progress *p)
{
    int cols, rows;
    term_size(&cols, &rows);
    if (rows < 1 || cols < 1)
        return;
    char text[320];
    busy_text(a, p, text, sizeof text);
    /* The keys keep their place at the right; the progress gives up
     * words when the line is short. */
    char keys[64];
    snprintf(keys, sizeof keys, "%s stops, %s quits ", keys_first(ACTION_CLOSE).s,
             keys_first(ACTION_QUIT).s);
    int keys_w = draw_width(keys);
    struct rect line = {rows - 1, 0, 1, cols};
    draw_fill(line, ROLE_STATUS);
    if (cols > keys_w + BUSY_MIN_TEXT_COLS) {
        draw_words(rect_cols(line, 0, cols - keys_w - 1), 0, 1, ROLE_STATUS, text);
        draw_text(line, 0, cols - keys_w, ROLE_STATUS, keys);
    } else {
        draw_words(line, 0, 1, ROLE_STATUS, text);
    }
    wnoutrefresh(stdscr);
    term_update();
}

bool app_busy_poll(void *ctx, const struct tl_progress *progress)
{
    struct app *a = ctx;
    struct busy *b = &a->busy;
    if (!term_is_open())
        return false;
    if (term_quit_signal()) {
        b->outcome = BUSY_QUIT;
        return true;
    }
    double now = app_now_ms();
    if (now - b->keys_ms >= APP_BUSY_KEYS_MS) {
        b->keys_ms = now;
        int key;
        while ((key = term_read_key(0)) != ERR) {
            if (key == TERM_KEY_QUIT) {
                b->outcome = BUSY_QUIT;
                return true;
            }
            if (keys_lookup(key) == ACTION_QUIT) {
                b->outcome = BUSY_ASK_QUIT;
                return true;
            }
            if (keys_lookup(key) == ACTION_CLOSE) {
                b->outcome = BUSY_CANCELLED;
                return true;
            }
            if (key == KEY_MOUSE) {
                MEVENT me;
                getmouse(&me);
            }
            /* Any other key is dropped: queued up, the keys pressed while
             * waiting would all run, one long move after another. */
        }
    }
    if (now - b->started_ms >= APP_BUSY_SHOW_MS && now - b->drawn_ms >= APP_BUSY_DRAW_MS) {
        b->drawn_ms = now;
        busy_draw(a, progress);
    }
    return false;
}
