/* "Terminal too small": below APP_MIN_COLS x APP_MIN_ROWS it replaces
 * every screen and says what is needed; only quit works. */
#include <stdio.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

void screen_small_init(struct app *a)
{
    (void)a;
}

void screen_small_draw(struct app *a)
{
    (void)a;
    int cols, rows;
    term_size(&cols, &rows);
    struct rect all = {0, 0, rows, cols};
    draw_fill(all, ROLE_NORMAL);
    char msg[256];
    snprintf(msg, sizeof msg,
             "Terminal too small: %dx%d. vmviz needs at least %dx%d. Enlarge the window "
             "(or use a smaller font); %s quits.",
             cols, rows, APP_MIN_COLS, APP_MIN_ROWS, keys_first(ACTION_QUIT).s);
    /* Centred in height, a column off each side. */
    int h = draw_wrap_rows(cols - 2, msg);
    draw_wrap((struct rect){(rows - h) / 2 > 0 ? (rows - h) / 2 : 0, 1, rows, cols - 2}, 0,
              ROLE_ERROR, msg);
}

unsigned screen_small_key(struct app *a, int key)
{
    (void)a;
    if (keys_lookup(key) == ACTION_QUIT)
        return APP_QUIT;
    return APP_HANDLED;
}
