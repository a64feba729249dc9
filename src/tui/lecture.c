/* Navigation a lecturer can trust: quitting and leaving a scenario ask
 * first once it has moved, the picker reopens a scenario where it was
 * left, bookmarks, the chapters and where a scenario opens
 * (--chapter, --step). A clicker's keys (Esc, F5, b, .) never lose the
 * place. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"

/* A scenario worth asking about: open, in view, and moved from its start. */
static bool scenario_moved(const struct app *a)
{
    return a->tl && (a->base == SCREEN_MAIN || a->base == SCREEN_SPLIT) &&
           timeline_position(a->tl) > 0;
}

unsigned app_ask_quit(struct app *a)
{
    if (!scenario_moved(a))
        return APP_QUIT;
    a->playing = false;
    a->confirm = CONFIRM_QUIT;
    return screens_switch(a, SCREEN_CONFIRM);
}

/* Remembers where the open scenario was left, for the picker. */
static void remember_place(struct app *a)
{
    for (size_t i = 0; i < a->nentries; i++)
        if (strcmp(a->entries[i].path, a->sc->path) == 0) {
            a->entries[i].visited = true;
            a->entries[i].left_at = timeline_position(a->tl);
            a->entries[i].left_unit = a->unit;
        }
}

unsigned app_leave_now(struct app *a)
{
    a->playing = false;
    remember_place(a);
    return screens_switch(a, SCREEN_PICKER);
}

unsigned app_ask_leave(struct app *a)
{
    if (!a->from_picker)
        return APP_HANDLED;
    if (!scenario_moved(a))
        return app_leave_now(a);
    a->playing = false;
    a->confirm = CONFIRM_LEAVE;
    return screens_switch(a, SCREEN_CONFIRM);
}

void app_reopen_place(struct app *a, const struct picker_entry *e)
{
    app_busy_begin(a, "Going back to where it was left");
    if (e->visited && e->left_at > 0) {
        a->unit = e->left_unit;
        timeline_seek(a->tl, e->left_at);
    }
}

/* ------------------------------------------------------------------ */
/* chapters                                                             */

void app_chapters_free(struct app *a)
{
    free(a->chapters);
    a->chapters = NULL;
    a->nchapters = 0;
}

bool app_chapters_scan(struct app *a)
{
    app_chapters_free(a);
    uint64_t here = timeline_position(a->tl);
    size_t cap = 0;
    bool whole = timeline_seek(a->tl, 0);
    while (whole && timeline_step(a->tl, TL_UNIT_CHAPTER, +1)) {
        const struct tl_event *e = timeline_current(a->tl);
        if (!e || e->kind != TL_CHAPTER)
            break;
        if (a->nchapters == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct app_chapter *grown = realloc(a->chapters, ncap * sizeof *grown);
            if (!grown) {
                whole = false;
                break;
            }
            a->chapters = grown;
            cap = ncap;
        }
        a->chapters[a->nchapters++] = (struct app_chapter){e->position, e->text ? e->text : ""};
    }
    if (timeline_stopped(a->tl) || timeline_error(a->tl))
        whole = false;
    timeline_seek(a->tl, here);
    return whole;
}

size_t app_chapter_at(const struct app *a, uint64_t position)
{
    size_t found = 0;
    for (size_t i = 0; i < a->nchapters; i++)
        if (a->chapters[i].position <= position)
            found = i + 1;
    return found;
}

bool app_goto_chapter(struct app *a, size_t number)
{
    if (number < 1 || number > a->nchapters)
        return false;
    a->playing = false;
    return timeline_seek(a->tl, a->chapters[number - 1].position);
}

bool app_open_at(struct app *a, struct diag *err)
{
    const struct tui_options *o = &a->opts;
    uint64_t from = 0;
    if (o->start_chapter) {
        if (!app_chapters_scan(a)) {
            diag_set(err, "command line", 1, o->start_chapter_column,
                     "--chapter %" PRIu64 ": the scenario could not be played to find it "
                     "(expected a scenario that plays to its end)",
                     o->start_chapter);
            return false;
        }
        if (o->start_chapter > a->nchapters) {
            if (a->nchapters == 0)
                diag_set(err, "command line", 1, o->start_chapter_column,
                         "--chapter %" PRIu64 ": the scenario has no chapters (expected a "
                         "scenario with chapter steps)",
                         o->start_chapter);
            else
                diag_set(err, "command line", 1, o->start_chapter_column,
                         "--chapter %" PRIu64 ": the scenario has %zu chapter%s (expected 1 "
                         "to %zu)",
                         o->start_chapter, a->nchapters, a->nchapters == 1 ? "" : "s",
                         a->nchapters);
            return false;
        }
        from = a->chapters[o->start_chapter - 1].position;
    }
    if (o->has_start_step) {
        timeline_seek(a->tl, UINT64_MAX);
        uint64_t end = timeline_position(a->tl);
        if (o->start_step > end - from) {
            diag_set(err, "command line", 1, o->start_step_column,
                     "--step %" PRIu64 " goes past the end: the scenario has %" PRIu64
                     " steps%s (expected 0 to %" PRIu64 ")",
                     o->start_step, end - from, o->start_chapter ? " from that chapter" : "",
                     end - from);
            return false;
        }
        from += o->start_step;
    }
    timeline_seek(a->tl, from);
    return true;
}

/* ------------------------------------------------------------------ */
/* bookmarks                                                            */

/* The slot of a bookmark's name: 0-9 then a-z (A-Z alike), or -1. */
static int mark_slot(int key)
{
    if (key >= '0' && key <= '9')
        return key - '0';
    if (key >= 'a' && key <= 'z')
        return 10 + key - 'a';
    if (key >= 'A' && key <= 'Z')
        return 10 + key - 'A';
    return -1;
}


unsigned app_mark_begin(struct app *a, enum key_action act)
{
    a->pending = act == ACTION_MARK ? keys_of(ACTION_MARK)[0] : keys_of(ACTION_GO_MARK)[0];
    if (act == ACTION_MARK)
        app_say(a, false, "Bookmark this step: press a letter or digit to name it.");
    else
        app_say(a, false, "Return to a bookmark: press its letter or digit (%s again: where "
                "you were before the last jump).", keys_first(ACTION_GO_MARK).s);
    return APP_HANDLED | APP_REDRAW;
}

unsigned app_mark_finish(struct app *a, int key)
{
    bool setting = a->pending == keys_of(ACTION_MARK)[0];
    a->pending = 0;
    uint64_t here = timeline_position(a->tl);
    if (!setting && key == keys_of(ACTION_GO_MARK)[0]) {
        if (!a->mark_back.set) {
            app_say(a, false, "No jump to return from yet.");
            return APP_HANDLED | APP_REDRAW;
        }
        uint64_t to = a->mark_back.position;
        a->mark_back.position = here;
        a->playing = false;
        timeline_seek(a->tl, to);
        app_say(a, false, "Back to step %" PRIu64 ".", to);
        return APP_HANDLED | APP_REDRAW;
    }
    int slot = mark_slot(key);
    if (slot < 0) {
        app_say(a, false, "No bookmark %s (a bookmark is named by a letter or digit).",
                setting ? "set" : "named so");
        return APP_HANDLED | APP_REDRAW;
    }
    char name = (char)(slot < 10 ? '0' + slot : 'a' + slot - 10);
    if (setting) {
        a->marks[slot] = (struct app_mark){true, here};
        app_say(a, false, "Bookmark %c set at step %" PRIu64 ": %s%c returns here.", name, here,
                keys_first(ACTION_GO_MARK).s, name);
        return APP_HANDLED | APP_REDRAW;
    }
    if (!a->marks[slot].set) {
        app_say(a, false, "No bookmark %c yet: %s%c sets it.", name, keys_first(ACTION_MARK).s,
                name);
        return APP_HANDLED | APP_REDRAW;
    }
    a->mark_back = (struct app_mark){true, here};
    a->playing = false;
    timeline_seek(a->tl, a->marks[slot].position);
    app_say(a, false, "At bookmark %c, step %" PRIu64 " (%s%s returns to step %" PRIu64 ").",
            name, a->marks[slot].position, keys_first(ACTION_GO_MARK).s,
            keys_first(ACTION_GO_MARK).s, here);
    return APP_HANDLED | APP_REDRAW;
}
