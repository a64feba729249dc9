/* The event log as an overlay over most of the screen, so that it can be
 * read and scrolled back at any terminal size (at 80x24 the main screen has
 * no room for its panel). */
#include <stdio.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

void screen_log_init(struct app *a)
{
    a->log_scroll = 0;
}

void screen_log_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    struct rect box = overlay_box(cols - 2 * OVERLAY_MARGIN, rows - 2 * OVERLAY_MARGIN);
    draw_box(box, ROLE_OVERLAY, "Event log, newest last");
    struct rect in = overlay_inside(box, 0);
    scene_build(&a->scene, a->tl);
    struct view_ctx v = {.s = &a->scene, .focused = true, .titled = false,
                         .scroll = &a->log_scroll, .hits = NULL};
    view_log_draw(&v, in);
    char footer[128];
    snprintf(footer, sizeof footer, " %s/%s/%s/%s scroll, %s or any other key closes ",
             keys_first(ACTION_LINE_UP).s, keys_first(ACTION_LINE_DOWN).s,
             keys_first(ACTION_PAGE_UP).s, keys_first(ACTION_PAGE_DOWN).s,
             keys_first(ACTION_LOG).s);
    overlay_footer(box, footer);
}

unsigned screen_log_key(struct app *a, int key)
{
    /* log_scroll counts events back from the newest; the view clamps it. */
    switch (keys_lookup_in(KEYS_SCROLL, key)) {
    case ACTION_LINE_UP:
        a->log_scroll++;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_PAGE_UP:
        a->log_scroll += OVERLAY_PAGE;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_LINE_DOWN:
        a->log_scroll = a->log_scroll > 0 ? a->log_scroll - 1 : 0;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_PAGE_DOWN:
        a->log_scroll = a->log_scroll > OVERLAY_PAGE ? a->log_scroll - OVERLAY_PAGE : 0;
        return APP_HANDLED | APP_REDRAW;
    default:
        break;
    }
    if (keys_lookup(key) == ACTION_QUIT)
        return app_ask_quit(a);
    return screens_switch(a, SCREEN_COUNT);
}
