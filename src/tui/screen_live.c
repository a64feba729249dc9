/* The live prompt: one line at the bottom of the main screen where a step
 * is typed to play next, with the row above it for errors (at their
 * column, where the cursor goes) and completion candidates. What the
 * line does is live.c's. */
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/live.h"
#include "tui/screens.h"
#include "tui/term.h"

/* The prompt's sign, before the line. */
static const char prompt_sign[] = ":";
/* The most rows a note takes above the prompt. */
#define NOTE_MAX_ROWS 5

void screen_live_init(struct app *a)
{
    struct live *l = live_of(a);
    if (l)
        live_clear(l);
}

/* "Enter runs  Esc closes  Tab completes  Up/Down earlier lines", the
 * keys' names from the table. */
static void hint_text(char *buf, size_t len)
{
    snprintf(buf, len, "A step as in a scenario (write: ADDRESS), save FILE or undo.  %s runs, %s closes, "
             "%s completes, %s/%s earlier lines.", keys_first(ACTION_PROMPT_RUN).s,
             keys_first(ACTION_PROMPT_CANCEL).s, keys_first(ACTION_PROMPT_COMPLETE).s,
             keys_first(ACTION_PROMPT_OLDER).s, keys_first(ACTION_PROMPT_NEWER).s);
}

void screen_live_draw(struct app *a)
{
    struct live *l = live_of(a);
    if (!l)
        return;
    int cols, rows;
    term_size(&cols, &rows);
    char hint[256];
    hint_text(hint, sizeof hint);
    const char *note = l->note[0] ? l->note : hint;
    enum role role = l->note[0] ? (l->note_error ? ROLE_ERROR : ROLE_SAY) : ROLE_DIM;
    int width = cols - 2;
    int note_rows = draw_wrap_rows(width, note);
    if (note_rows > NOTE_MAX_ROWS)
        note_rows = NOTE_MAX_ROWS;
    if (note_rows < 1)
        note_rows = 1;
    struct rect area = {rows - 1 - note_rows, 0, note_rows + 1, cols};
    draw_fill(area, ROLE_NORMAL);
    draw_wrap((struct rect){area.y, 1, note_rows, width}, 0, role, note);

    /* The line, scrolled so that the cursor stays in view. */
    struct rect line = {rows - 1, 0, 1, cols};
    int x = draw_text(line, 0, 0, ROLE_KEYHINT, prompt_sign);
    int room = cols - x - 1;
    size_t len = strlen(l->line);
    size_t from = l->cursor > (size_t)room ? l->cursor - (size_t)room : 0;
    char shown[SCENARIO_LINE_MAX + 1];
    snprintf(shown, sizeof shown, "%.*s", room, l->line + from);
    draw_text(line, 0, x, ROLE_NORMAL, shown);
    char under[2] = {l->cursor < len ? l->line[l->cursor] : ' ', '\0'};
    draw_text(line, 0, x + (int)(l->cursor - from), ROLE_CURRENT, under);
}

unsigned screen_live_key(struct app *a, int key)
{
    struct live *l = live_of(a);
    if (!l)
        return screens_switch(a, SCREEN_COUNT);
    enum key_action act = keys_lookup_in(KEYS_PROMPT, key);
    switch (act) {
    case ACTION_PROMPT_RUN:
        return live_enter(a);
    case ACTION_PROMPT_CANCEL:
        return screens_switch(a, SCREEN_COUNT);
    case ACTION_PROMPT_COMPLETE:
        live_complete(a);
        return APP_HANDLED | APP_REDRAW;
    default:
        live_edit(l, act, key);
        return APP_HANDLED | APP_REDRAW;
    }
}
