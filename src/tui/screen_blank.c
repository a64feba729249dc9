/* A blank screen, for when the hall should look at the lecturer and not
 * at the projection (b or ., as clickers send). Any key brings the
 * screen back and does nothing else: the clicker's next press only
 * uncovers it. */
#include "tui/app.h"
#include "tui/screens.h"
#include "tui/term.h"

void screen_blank_init(struct app *a)
{
    a->playing = false;
}

void screen_blank_draw(struct app *a)
{
    (void)a;
    int cols, rows;
    term_size(&cols, &rows);
    draw_fill((struct rect){0, 0, rows, cols}, ROLE_NORMAL);
}

unsigned screen_blank_key(struct app *a, int key)
{
    (void)key;
    return screens_switch(a, SCREEN_COUNT);
}
