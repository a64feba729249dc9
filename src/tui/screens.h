#ifndef VMVIZ_TUI_SCREENS_H
#define VMVIZ_TUI_SCREENS_H
/* The screens: an init/draw/key trio each, in screen_NAME.c, dispatched
 * from app.c's table (SCREEN_LIST in app.h). init runs when the screen
 * opens; draw draws it for the terminal's current size; key handles one
 * key and returns APP_* flags. Screens find keys in the key table
 * (keys.h), never by their codes. */
#include <stdbool.h>

#include "tui/app.h"
#include "tui/keys.h"

/* The main screen (screen_main.c): the panels, the status line, the hint
 * bar, and the keys that move in time. */
void screen_main_init(struct app *a);
void screen_main_draw(struct app *a);
unsigned screen_main_key(struct app *a, int key);
/* Does what a viewer action does on the main screen (the mouse wheel
 * scrolls through here). */
unsigned screen_main_action(struct app *a, enum key_action act);
/* Ends a move begun with app_busy_begin: quits or asks to when a key or
 * signal asked to, says when Esc stopped it or the run cannot go on; else
 * returns result. */
unsigned screen_main_finish(struct app *a, unsigned result);
/* One autoplay step; 0 when not playing. */
unsigned screen_main_tick(struct app *a);

/* The list of scenarios to choose from (screen_picker.c). */
void screen_picker_init(struct app *a);
void screen_picker_draw(struct app *a);
unsigned screen_picker_key(struct app *a, int key);
/* Fills a->entries with the scenarios (*.yaml, regular files) of the
 * scenario folder, sorted, each with its title and description or why it
 * does not load. */
void picker_list(struct app *a);
/* Frees the entries. */
void picker_free(struct app *a);

/* The keys and what every symbol means (screen_help.c). */
void screen_help_init(struct app *a);
void screen_help_draw(struct app *a);
unsigned screen_help_key(struct app *a, int key);

/* A clicked frame, TLB entry or swap slot (screen_details.c). */
void screen_details_init(struct app *a);
void screen_details_draw(struct app *a);
unsigned screen_details_key(struct app *a, int key);

/* The whole event log, scrolled back (screen_log.c). */
void screen_log_init(struct app *a);
void screen_log_draw(struct app *a);
unsigned screen_log_key(struct app *a, int key);

/* The scenario: title, whole description, machine (screen_info.c). */
void screen_info_init(struct app *a);
void screen_info_draw(struct app *a);
unsigned screen_info_key(struct app *a, int key);

/* "Quit?" or "Leave this scenario?", asked when the scenario is not at
 * its start (screen_confirm.c). */
void screen_confirm_init(struct app *a);
void screen_confirm_draw(struct app *a);
unsigned screen_confirm_key(struct app *a, int key);

/* The chapter menu: jump to a chapter by number or title
 * (screen_chapters.c). */
void screen_chapters_init(struct app *a);
void screen_chapters_draw(struct app *a);
unsigned screen_chapters_key(struct app *a, int key);

/* What if: another machine for the same scenario, replayed to the same
 * place (screen_whatif.c). */
void screen_whatif_init(struct app *a);
void screen_whatif_draw(struct app *a);
unsigned screen_whatif_key(struct app *a, int key);

/* Two machines side by side on the same steps (screen_split.c): a base
 * screen in place of the main one. */
void screen_split_init(struct app *a);
void screen_split_draw(struct app *a);
unsigned screen_split_key(struct app *a, int key);
/* One autoplay step of both machines; 0 when not playing. */
unsigned screen_split_tick(struct app *a);

/* The live prompt on the main screen's bottom rows: a step to play next,
 * or save and undo (screen_live.c, live.h). */
void screen_live_init(struct app *a);
void screen_live_draw(struct app *a);
unsigned screen_live_key(struct app *a, int key);

/* A blank screen for when the hall should look at the lecturer
 * (screen_blank.c). */
void screen_blank_init(struct app *a);
void screen_blank_draw(struct app *a);
unsigned screen_blank_key(struct app *a, int key);

/* "Terminal too small" (screen_small.c). */
void screen_small_init(struct app *a);
void screen_small_draw(struct app *a);
unsigned screen_small_key(struct app *a, int key);

/* The dispatch (app.c). */

/* Moves to a screen (a base screen, or opens an overlay; SCREEN_COUNT
 * closes the overlay) and runs its init. */
unsigned screens_switch(struct app *a, enum screen_id id);
/* Keys every screen treats alike: help, log, scenario, theme, redraw,
 * quit. */
unsigned screens_common_key(struct app *a, enum key_action act);
/* Opens a scenario in place of the one open (if any): loads it and builds
 * its timeline, which from then on calls the viewer's stop hook during
 * long moves. false with err set, the viewer unchanged, when it does not
 * load. */
bool app_open_scenario(struct app *a, const char *path, struct diag *err);

/* Navigation a lecturer can trust (lecture.c). */

/* Quits, or when the scenario in view has moved from its start, asks
 * first (the confirm window). Returns APP_* flags. */
unsigned app_ask_quit(struct app *a);
/* Back to the picker (from_picker only), asking first when the scenario
 * has moved; the picker remembers where it was left. */
unsigned app_ask_leave(struct app *a);
/* Back to the picker at once, remembering where the scenario was left. */
unsigned app_leave_now(struct app *a);
/* After the picker opened e: begins a move (app_busy_begin) back to where
 * e was left, if it was; the caller ends it with screen_main_finish. */
void app_reopen_place(struct app *a, const struct picker_entry *e);
/* Finds every chapter of the open scenario (its position and title) by
 * playing it through, and comes back to where it was: a->chapters. false
 * when the pass was stopped or failed (the list is then partial). */
bool app_chapters_scan(struct app *a);
void app_chapters_free(struct app *a);
/* The number (from 1) of the chapter a position is in, 0 before the
 * first; from a->chapters. */
size_t app_chapter_at(const struct app *a, uint64_t position);
/* Goes to the start of chapter number (from 1) of a->chapters; false
 * when there is no such chapter or the move was stopped. */
bool app_goto_chapter(struct app *a, size_t number);
/* Moves a scenario just opened to where --chapter and --step ask; false
 * with err set ("command line:1:COL: ...") when there is no such place. */
bool app_open_at(struct app *a, struct diag *err);
/* The first key of a bookmark action (m or '): says what to press next
 * and waits for it (a->pending). */
unsigned app_mark_begin(struct app *a, enum key_action act);
/* The second key: sets or returns to the bookmark it names (' again:
 * back to where the last jump left). */
unsigned app_mark_finish(struct app *a, int key);

/* Quiz mode (screen_quiz.c): a question overlay before each decision of
 * the engine, answered with one digit. */
void screen_quiz_init(struct app *a);
void screen_quiz_draw(struct app *a);
unsigned screen_quiz_key(struct app *a, int key);
/* Turns quiz mode on or off (the key's action), saying so. */
unsigned quiz_toggle(struct app *a);
/* After a move forward from position before, in quiz mode: goes back to
 * the first unanswered question passed (or reached) and asks it. */
unsigned quiz_after_move(struct app *a, uint64_t before);
/* Drops the questions (the scenario or the machine changed): quiz mode
 * stays as it was, and its score starts again. */
void quiz_reset(struct app *a);

/* What several screens draw alike (screen_parts.c). */

/* Blank columns and rows an overlay keeps around its box, so that the
 * screen below does not run into its border. */
#define OVERLAY_MARGIN 1
/* Blank columns between an overlay's border and its text. */
#define OVERLAY_PAD 1
/* Lines PgUp and PgDn scroll in an overlay. */
#define OVERLAY_PAGE 10

/* A box of at most w x h (border included) centred on the screen, its
 * margin cleared; returns the box. */
struct rect overlay_box(int w, int h);
/* overlay_box for text_w x text_h of text, with border and padding. */
struct rect overlay_box_around(int text_w, int text_h);
/* The inside of a box: within the border, pad blank columns in on each
 * side. */
struct rect overlay_inside(struct rect box, int pad);
/* A line in the box's bottom border ("any key closes"), lined up with the
 * title above. */
void overlay_footer(struct rect box, const char *text);
/* The footer of a window that scrolls by lines: " Up/Down scroll, any
 * other key closes ", or " any key closes " when there is nothing to
 * scroll. */
void overlay_scroll_footer(struct rect box, bool scrolls);
/* The key hints of a bar, from the key table, on row r: whole hints only;
 * when the row is short the last ones (help, quit) stay and middle ones
 * are left out. */
void hints_draw(struct rect r, enum keys_bar bar);

#endif
