#ifndef VMVIZ_TUI_SCREENS_H
#define VMVIZ_TUI_SCREENS_H
/* The screens' init/draw/key trios, dispatched from app.c's table. */
#include "tui/app.h"
#include "tui/keys.h"

void screen_main_init(struct app *a);
void screen_main_draw(struct app *a);
unsigned screen_main_key(struct app *a, int key);
/* One autoplay step; 0 when not playing. */
unsigned screen_main_tick(struct app *a);

void screen_picker_init(struct app *a);
void screen_picker_draw(struct app *a);
unsigned screen_picker_key(struct app *a, int key);

void screen_help_init(struct app *a);
void screen_help_draw(struct app *a);
unsigned screen_help_key(struct app *a, int key);

void screen_details_init(struct app *a);
void screen_details_draw(struct app *a);
unsigned screen_details_key(struct app *a, int key);

void screen_log_init(struct app *a);
void screen_log_draw(struct app *a);
unsigned screen_log_key(struct app *a, int key);

void screen_info_init(struct app *a);
void screen_info_draw(struct app *a);
unsigned screen_info_key(struct app *a, int key);

void screen_small_init(struct app *a);
void screen_small_draw(struct app *a);
unsigned screen_small_key(struct app *a, int key);

/* Moves to a screen (a base screen, or opens an overlay) and runs its init. */
unsigned screens_switch(struct app *a, enum screen_id id);
/* Keys every screen treats alike: help, theme, redraw, quit. */
unsigned screens_common_key(struct app *a, enum key_action act);

#endif
