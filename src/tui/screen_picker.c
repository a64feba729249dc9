/* The picker: the scenarios of the library, each with its title and the
 * start of its description (or why it does not load); one opens on the
 * main screen. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

/* Rows and columns between the screen's edge and the list. */
#define PICKER_MARGIN 2
/* Rows of an entry's description, and how far in they start. */
#define PICKER_DESC_ROWS 2
#define PICKER_DESC_INDENT 4

static char *dup_string(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int compare_entries(const void *x, const void *y)
{
    const struct picker_entry *a = x, *b = y;
    return strcmp(a->path, b->path);
}

void picker_list(struct app *a)
{
    const char *dir = a->opts.scenario_dir ? a->opts.scenario_dir : ".";
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0 || de->d_name[0] == '.')
            continue;
        /* Regular files only (a symbolic link counts as what it points
         * to): opening a FIFO would wait for a writer forever, and a
         * device or a directory is no scenario. */
        char full[4096];
        struct stat st;
        if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, de->d_name) >= sizeof full ||
            stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (a->nentries == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct picker_entry *n = realloc(a->entries, ncap * sizeof *n);
            if (!n)
                break;
            a->entries = n;
            cap = ncap;
        }
        struct picker_entry *e = &a->entries[a->nentries++];
        memset(e, 0, sizeof *e);
        size_t plen = strlen(dir) + len + 2;
        e->path = malloc(plen);
        if (e->path)
            snprintf(e->path, plen, "%s/%s", dir, de->d_name);
        else
            a->nentries--;
    }
    closedir(d);
    qsort(a->entries, a->nentries, sizeof *a->entries, compare_entries);
    for (size_t i = 0; i < a->nentries; i++) {
        struct picker_entry *e = &a->entries[i];
        struct diag err;
        struct scenario *sc = scenario_load(e->path, &err);
        if (sc) {
            e->title = dup_string(sc->title.value);
            e->description = dup_string(sc->description.value);
            scenario_free(sc);
        } else {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s:%u:%u: error: %s", err.file, err.line, err.col,
                     err.message);
            e->error = dup_string(msg);
        }
    }
}

void picker_free(struct app *a)
{
    for (size_t i = 0; i < a->nentries; i++) {
        free(a->entries[i].path);
        free(a->entries[i].title);
        free(a->entries[i].description);
        free(a->entries[i].error);
    }
    free(a->entries);
    a->entries = NULL;
    a->nentries = 0;
}

void screen_picker_init(struct app *a)
{
    if (a->selected >= a->nentries)
        a->selected = 0;
}

void screen_picker_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    struct rect all = {0, 0, rows, cols};
    draw_fill(all, ROLE_NORMAL);
    draw_fill(rect_rows(all, 0, 1), ROLE_STATUS);
    draw_text(all, 0, 1, ROLE_STATUS, "vmviz: choose a scenario");
    struct rect body = {PICKER_MARGIN, PICKER_MARGIN, rows - 2 * PICKER_MARGIN,
                        cols - 2 * PICKER_MARGIN};
    if (a->nentries == 0) {
        draw_textf(body, 0, 0, ROLE_ERROR, "No scenario (*.yaml) in %s.",
                   a->opts.scenario_dir ? a->opts.scenario_dir : ".");
        draw_wrap(rect_below(body, 2), 0, ROLE_DIM,
                  "Give a scenario on the command line (vmviz FILE.yaml) or set VMVIZ_DATA to "
                  "the folder that holds scenarios/ and themes/.");
    }
    /* Each entry: a title line, its description, a blank line. */
    int per = 1 + PICKER_DESC_ROWS + 1;
    int visible = body.h / per;
    if (visible < 1)
        visible = 1;
    size_t first = a->selected >= (size_t)visible ? a->selected - (size_t)visible + 1 : 0;
    int y = 0;
    for (size_t i = first; i < a->nentries && y + per <= body.h + 1; i++, y += per) {
        const struct picker_entry *e = &a->entries[i];
        bool sel = i == a->selected;
        struct rect item = rect_rows(body, y, per - 1);
        if (sel)
            draw_fill(rect_rows(item, 0, 1), ROLE_SELECTED);
        const char *base = strrchr(e->path, '/');
        base = base ? base + 1 : e->path;
        int x = draw_text(item, 0, 0, sel ? ROLE_SELECTED : ROLE_TITLE, sel ? "> " : "  ");
        x += draw_text(item, 0, x, sel ? ROLE_SELECTED : ROLE_TITLE,
                       e->title ? e->title : base);
        draw_textf(item, 0, x, sel ? ROLE_SELECTED : ROLE_DIM, "  (%s)", base);
        struct rect desc = rect_cols(rect_rows(item, 1, PICKER_DESC_ROWS), PICKER_DESC_INDENT,
                                     item.w - PICKER_DESC_INDENT);
        if (e->error)
            draw_wrap(desc, 0, ROLE_ERROR, e->error);
        else
            draw_wrap(desc, 0, ROLE_NORMAL,
                      e->description ? e->description : "(no description)");
    }
    struct rect foot = {rows - 1, 0, 1, cols};
    if (a->message[0]) {
        draw_text(foot, 0, 1, a->message_error ? ROLE_ERROR : ROLE_SAY, a->message);
    } else {
        hints_draw(foot, KEYS_BAR_PICKER);
    }
}

unsigned screen_picker_key(struct app *a, int key)
{
    a->message[0] = '\0';
    enum key_action act = keys_lookup_in(KEYS_PICKER, key);
    switch (act) {
    case ACTION_PICK_PREV:
        if (a->selected > 0)
            a->selected--;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_PICK_NEXT:
        if (a->selected + 1 < a->nentries)
            a->selected++;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_PICK_FIRST:
        a->selected = 0;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_PICK_LAST:
        a->selected = a->nentries ? a->nentries - 1 : 0;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_PICK_OPEN: {
        if (a->nentries == 0)
            return APP_HANDLED;
        struct diag err;
        app_busy_begin(a, "Opening the scenario");
        bool opened = app_open_scenario(a, a->entries[a->selected].path, &err);
        enum busy_outcome outcome = app_busy_end(a);
        if (outcome == BUSY_QUIT || outcome == BUSY_ASK_QUIT)
            return APP_QUIT;
        if (outcome == BUSY_CANCELLED) {
            snprintf(a->message, sizeof a->message, "Opening stopped (%s).",
                     keys_first(ACTION_CLOSE).s);
            a->message_error = false;
            return APP_HANDLED | APP_REDRAW;
        }
        if (!opened) {
            snprintf(a->message, sizeof a->message, "%s:%u:%u: error: %s", err.file, err.line,
                     err.col, err.message);
            a->message_error = true;
            return APP_HANDLED | APP_REDRAW;
        }
        unsigned r = screens_switch(a, SCREEN_MAIN);
        app_reopen_place(a, &a->entries[a->selected]);
        return screen_main_finish(a, r);
    }
    default:
        return screens_common_key(a, keys_lookup(key));
    }
}
