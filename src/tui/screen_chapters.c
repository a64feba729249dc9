/* The chapter menu: every chapter of the scenario by number and title,
 * the one in view marked. A lecturer jumps with Up/Down and Enter (a
 * clicker's PgUp/PgDn choose too), by typing a chapter's number, or by
 * typing words of its title. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

/* The window's widest, and the rows it keeps for its footer and the
 * typed text. */
#define CHAPTERS_MAX_COLS 72
#define CHAPTERS_EXTRA_ROWS 2

void screen_chapters_init(struct app *a)
{
    a->chapter_typed[0] = '\0';
    size_t here = app_chapter_at(a, timeline_position(a->tl));
    a->chapter_selected = here ? (int)here - 1 : 0;
}

/* Case-insensitive: does title contain what was typed? */
static bool title_has(const char *title, const char *typed)
{
    size_t n = strlen(typed);
    for (const char *t = title; *t; t++) {
        size_t i = 0;
        while (i < n && t[i] && tolower((unsigned char)t[i]) == tolower((unsigned char)typed[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* Chooses the chapter the typed text names: its number, else the first
 * title containing it. */
static void choose_typed(struct app *a)
{
    const char *typed = a->chapter_typed;
    if (!*typed)
        return;
    bool digits = true;
    for (const char *p = typed; *p; p++)
        digits = digits && isdigit((unsigned char)*p);
    if (digits) {
        size_t n = 0;
        for (const char *p = typed; *p && n <= a->nchapters; p++)
            n = n * 10 + (size_t)(*p - '0');
        if (n >= 1 && n <= a->nchapters)
            a->chapter_selected = (int)n - 1;
        return;
    }
    for (size_t i = 0; i < a->nchapters; i++)
        if (title_has(a->chapters[i].title, typed)) {
            a->chapter_selected = (int)i;
            return;
        }
}

void screen_chapters_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    int w = cols - 4 < CHAPTERS_MAX_COLS ? cols - 4 : CHAPTERS_MAX_COLS;
    int h = (int)a->nchapters + CHAPTERS_EXTRA_ROWS + 2 * OVERLAY_PAD;
    if (h > rows - 2 * OVERLAY_MARGIN)
        h = rows - 2 * OVERLAY_MARGIN;
    struct rect box = overlay_box(w, h);
    draw_box(box, ROLE_OVERLAY, "Chapters");
    struct rect in = overlay_inside(box, OVERLAY_PAD);
    int list_h = in.h - CHAPTERS_EXTRA_ROWS;
    if (list_h < 1)
        list_h = 1;
    /* Keep the chosen line in view. */
    int first = a->chapter_selected - list_h / 2;
    if (first > (int)a->nchapters - list_h)
        first = (int)a->nchapters - list_h;
    if (first < 0)
        first = 0;
    size_t here = app_chapter_at(a, timeline_position(a->tl));
    int digits = snprintf(NULL, 0, "%zu", a->nchapters);
    for (int row = 0; row < list_h && first + row < (int)a->nchapters; row++) {
        size_t i = (size_t)(first + row);
        bool chosen = (int)i == a->chapter_selected;
        struct rect line = rect_below(in, row);
        line.h = 1;
        enum role role = chosen ? ROLE_SELECTED : ROLE_OVERLAY;
        draw_fill(line, role);
        char num[32];
        snprintf(num, sizeof num, "%c%*zu ", i + 1 == here ? '>' : ' ', digits, i + 1);
        int x = draw_text(line, 0, 0, i + 1 == here ? ROLE_KEYHINT : role, num);
        draw_words(line, 0, x, role, a->chapters[i].title);
    }
    char typed[64];
    if (a->chapter_typed[0])
        snprintf(typed, sizeof typed, "Typed: %s", a->chapter_typed);
    else
        snprintf(typed, sizeof typed, "> marks the chapter in view.");
    draw_words(rect_below(in, in.h - 1), 0, 0, ROLE_DIM, typed);
    char footer[160];
    snprintf(footer, sizeof footer, " Up/Down or a number or words: choose; %s goes; %s closes ",
             keys_named('\n').s, keys_first(ACTION_CLOSE).s);
    overlay_footer(box, footer);
}

unsigned screen_chapters_key(struct app *a, int key)
{
    int n = (int)a->nchapters;
    size_t typed_len = strlen(a->chapter_typed);
    if (key == KEYS_ESC)
        return screens_switch(a, SCREEN_COUNT);
    if (key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_RIGHT) {
        a->message[0] = '\0';
        size_t number = (size_t)a->chapter_selected + 1;
        screens_switch(a, SCREEN_COUNT);
        app_busy_begin(a, "Going to the chapter");
        bool went = app_goto_chapter(a, number);
        unsigned r = screen_main_finish(a, APP_HANDLED | APP_REDRAW);
        if (went && !a->message[0])
            app_say(a, false, "Chapter %zu: %s", number, a->chapters[number - 1].title);
        return r | APP_REDRAW;
    }
    if (key == KEY_BACKSPACE || key == 127 || key == '\b') {
        if (typed_len)
            a->chapter_typed[typed_len - 1] = '\0';
        choose_typed(a);
        return APP_HANDLED | APP_REDRAW;
    }
    if (key >= ' ' && key < 127 && typed_len + 1 < sizeof a->chapter_typed) {
        /* A number or words of a title. */
        a->chapter_typed[typed_len] = (char)key;
        a->chapter_typed[typed_len + 1] = '\0';
        choose_typed(a);
        return APP_HANDLED | APP_REDRAW;
    }
    int delta = 0;
    switch (keys_lookup_in(KEYS_SCROLL, key)) {
    case ACTION_LINE_UP: delta = -1; break;
    case ACTION_LINE_DOWN: delta = 1; break;
    case ACTION_PAGE_UP: delta = -1; break;
    case ACTION_PAGE_DOWN: delta = 1; break;
    default: return APP_HANDLED;
    }
    a->chapter_typed[0] = '\0';
    a->chapter_selected += delta;
    if (a->chapter_selected < 0)
        a->chapter_selected = 0;
    if (a->chapter_selected >= n)
        a->chapter_selected = n - 1;
    return APP_HANDLED | APP_REDRAW;
}
