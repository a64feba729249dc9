/* Placeholder while the screen is written: closes on any key. */
#include "tui/app.h"
#include "tui/screens.h"

void screen_blank_init(struct app *a)
{
    (void)a;
}

void screen_blank_draw(struct app *a)
{
    (void)a;
}

unsigned screen_blank_key(struct app *a, int key)
{
    (void)key;
    return screens_switch(a, SCREEN_COUNT);
}
