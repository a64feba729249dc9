/* "Quit vmviz?" and "Leave this scenario?": asked once the scenario has
 * moved from its start, so that a stray q, or the Esc a clicker sends,
 * never loses the place in front of a hall. Only y goes on (or, to quit,
 * q again); every other key stays, Esc included: a clicker cannot send y. */
#include <inttypes.h>
#include <stdio.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

/* The key that confirms, besides the action's own key pressed again. */
#define CONFIRM_YES 'y'

void screen_confirm_init(struct app *a)
{
    (void)a;
}

void screen_confirm_draw(struct app *a)
{
    bool quitting = a->confirm == CONFIRM_QUIT;
    char question[160], keys[160];
    snprintf(question, sizeof question, "%s at step %" PRIu64 " of this scenario.",
             quitting ? "Quit vmviz? You are" : "Leave for the list of scenarios? You are",
             timeline_position(a->tl));
    if (quitting)
        snprintf(keys, sizeof keys, "%c or %s: quit.  Any other key: stay here.", CONFIRM_YES,
                 keys_first(ACTION_QUIT).s);
    else
        snprintf(keys, sizeof keys, "%c: leave (the list reopens it here).  Any other key: "
                 "stay.", CONFIRM_YES);
    int w = draw_width(question) > draw_width(keys) ? draw_width(question) : draw_width(keys);
    struct rect box = overlay_box_around(w, 3);
    draw_box(box, ROLE_OVERLAY, quitting ? "Quit?" : "Leave?");
    struct rect in = overlay_inside(box, OVERLAY_PAD);
    draw_words(in, 0, 0, ROLE_OVERLAY, question);
    draw_words(in, 2, 0, ROLE_KEYHINT, keys);
}

unsigned screen_confirm_key(struct app *a, int key)
{
    enum confirm_what what = a->confirm;
    a->confirm = CONFIRM_NONE;
    bool yes = key == CONFIRM_YES || key == 'Y' ||
               (what == CONFIRM_QUIT && keys_lookup(key) == ACTION_QUIT);
    unsigned closed = screens_switch(a, SCREEN_COUNT);
    if (!yes)
        return closed;
    if (what == CONFIRM_QUIT)
        return APP_QUIT;
    return app_leave_now(a);
}
