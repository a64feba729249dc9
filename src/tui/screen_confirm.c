/* "Quit vmviz?" and "Leave this scenario?": asked once the scenario has
 * moved from its start, so that a stray q, or the Esc a clicker sends,
 * never loses the place in front of a hall. Only y (or the same key
 * again) goes on; every other key stays, as a clicker cannot send y. */
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
    snprintf(keys, sizeof keys, "%c or %s: %s.  Any other key: stay here.", CONFIRM_YES,
             quitting ? keys_first(ACTION_QUIT).s : keys_first(ACTION_CLOSE).s,
             quitting ? "quit" : "leave (the list reopens it here)");
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
    enum key_action again = what == CONFIRM_QUIT ? ACTION_QUIT : ACTION_CLOSE;
    bool yes = key == CONFIRM_YES || key == 'Y' || keys_lookup(key) == again;
    if (!yes)
        return screens_switch(a, SCREEN_COUNT);
    if (what == CONFIRM_QUIT)
        return APP_QUIT;
    return app_leave_now(a);
}
