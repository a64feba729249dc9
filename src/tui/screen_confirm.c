/* Placeholder while the screen is written: closes on any key. */
#include "tui/app.h"
#include "tui/screens.h"

void screen_confirm_init(struct app *a)
{
    (void)a;
}

void screen_confirm_draw(struct app *a)
{
    (void)a;
}

unsigned screen_confirm_key(struct app *a, int key)
{
    (void)key;
    return screens_switch(a, SCREEN_COUNT);
}
