/* The viewer's state and its life, theme cycling, and the dispatch of
 * keys, clicks, ticks and drawing to the screens (screens.h), one file
 * each. Long computations are in busy.c. */
#include "tui/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario/scenario.h"
#include "tui/keys.h"
#include "tui/live.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui/whatif.h"

struct screen_ops {
    const char *name;
    void (*init)(struct app *a);
    void (*draw)(struct app *a);
    unsigned (*key)(struct app *a, int key);
};

/* Every screen's trio, screen_NAME_init/_draw/_key, by its SCREEN_LIST row. */
static const struct screen_ops screens[SCREEN_COUNT] = {
#define SCREEN_OPS(id, name, what) \
    [SCREEN_##id] = {what, screen_##name##_init, screen_##name##_draw, screen_##name##_key},
    SCREEN_LIST(SCREEN_OPS)
#undef SCREEN_OPS
};

static const double speeds[APP_SPEEDS] = {0.5, 1, 2, 4, 8, 15, 30, 60};

double app_speed_rate(int speed)
{
    if (speed < 0)
        speed = 0;
    if (speed >= APP_SPEEDS)
        speed = APP_SPEEDS - 1;
    return speeds[speed];
}

void app_say(struct app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof a->message, fmt, ap);
    va_end(ap);
    a->message_error = error;
}

/* ------------------------------------------------------------------ */
/* themes                                                               */

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool load_initial_theme(struct app *a, struct diag *err)
{
    const char *name = a->opts.theme_name;
    bool explicit = name != NULL;
    if (!name) {
        const char *nc = getenv("NO_COLOR");
        name = nc && *nc ? "mono" : "default";
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.theme", a->opts.theme_dir ? a->opts.theme_dir : ".", name);
    if (!explicit && !file_exists(path)) {
        /* Installed without themes: still legible. */
        theme_builtin_mono(&a->theme);
        return true;
    }
    return theme_load(&a->theme, a->opts.theme_dir, name, err);
}

static void cycle_theme(struct app *a)
{
    if (a->nthemes == 0) {
        snprintf(a->message, sizeof a->message, "No theme files to choose from.");
        return;
    }
    size_t next = 0;
    for (size_t i = 0; i < a->nthemes; i++)
        if (strcmp(a->themes[i], a->theme.name) == 0)
            next = (i + 1) % a->nthemes;
    struct theme t;
    struct diag err;
    if (!theme_load(&t, a->opts.theme_dir, a->themes[next], &err)) {
        snprintf(a->message, sizeof a->message, "%s:%u:%u: %s", err.file, err.line, err.col,
                 err.message);
        a->message_error = true;
        return;
    }
    a->theme = t;
    term_apply_theme(&a->theme);
    snprintf(a->message, sizeof a->message, "Theme: %s%s", a->theme.name,
             term_colors() == 0 ? " (this terminal has no colours: attributes only)" : "");
    a->message_error = false;
}

/* ------------------------------------------------------------------ */
/* scenarios                                                            */

/* Creating the timeline plays nothing (OPT's future is learnt by the first
 * move forward, under the busy line), so the first frame comes at once. */
bool app_open_scenario(struct app *a, const char *path, struct diag *err)
{
    struct scenario *sc = scenario_load(path, err);
    if (!sc)
        return false;
    struct timeline_options topts = {.stop = app_busy_poll, .stop_ctx = a};
    struct timeline *tl = timeline_create_with(sc, &a->opts.overrides, &topts, err);
    if (!tl) {
        scenario_free(sc);
        return false;
    }
    if (a->tl)
        timeline_destroy(a->tl);
    if (a->sc)
        scenario_free(a->sc);
    a->sc = sc;
    a->tl = tl;
    a->playing = false;
    a->unit = TL_UNIT_EVENT;
    a->zoom = -1;
    a->pending = 0;
    memset(a->marks, 0, sizeof a->marks);
    a->mark_back.set = false;
    app_chapters_free(a);
    live_forget(a->live);
    quiz_reset(a);
    return true;
}

/* ------------------------------------------------------------------ */
/* life and dispatch                                                    */

struct app *app_create(const struct tui_options *opts, struct diag *err)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a) {
        diag_set(err, "vmviz", 0, 0, "out of memory");
        return NULL;
    }
    a->opts = *opts;
    a->overlay = SCREEN_COUNT;
    a->focus = -1;
    a->zoom = -1;
    a->speed = APP_SPEED_DEFAULT;
    if (!load_initial_theme(a, err)) {
        free(a);
        return NULL;
    }
    a->nthemes = theme_list(opts->theme_dir, a->themes, APP_MAX_THEMES);
    if (opts->scenario_path) {
        if (!app_open_scenario(a, opts->scenario_path, err)) {
            app_destroy(a);
            return NULL;
        }
        a->base = SCREEN_MAIN;
        a->present = opts->present;
        a->quiz_mode = opts->quiz;
        if ((opts->start_chapter || opts->has_start_step) && !app_open_at(a, err)) {
            app_destroy(a);
            return NULL;
        }
    } else {
        picker_list(a);
        a->base = SCREEN_PICKER;
        a->from_picker = true;
    }
    screens[a->base].init(a);
    return a;
}

void app_destroy(struct app *a)
{
    if (!a)
        return;
    whatif_free(a->whatif);
    live_free(a->live);
    quiz_reset(a);
    if (a->tl)
        timeline_destroy(a->tl);
    scenario_free(a->sc);
    app_chapters_free(a);
    picker_free(a);
    theme_names_free(a->themes, a->nthemes);
    free(a);
}

void app_start(struct app *a)
{
    if (term_colors() == 0 && strcmp(a->theme.name, "mono") != 0) {
        /* Colours this terminal cannot show would leave roles alike. */
        struct diag err;
        if (!theme_load(&a->theme, a->opts.theme_dir, "mono", &err))
            theme_builtin_mono(&a->theme);
    }
    term_apply_theme(&a->theme);
}

static bool too_small(void)
{
    int cols, rows;
    term_size(&cols, &rows);
    return cols < APP_MIN_COLS || rows < APP_MIN_ROWS;
}

void app_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    draw_frame_begin(rows, cols);
    if (too_small()) {
        screens[SCREEN_SMALL].draw(a);
    } else {
        screens[a->base].draw(a);
        if (a->overlay != SCREEN_COUNT)
            screens[a->overlay].draw(a);
    }
    wnoutrefresh(stdscr);
}

unsigned screens_switch(struct app *a, enum screen_id id)
{
    if (id == SCREEN_PICKER || id == SCREEN_MAIN || id == SCREEN_SPLIT) {
        a->base = id;
        a->overlay = SCREEN_COUNT;
    } else if (id == SCREEN_COUNT) {
        a->overlay = SCREEN_COUNT;
        return APP_HANDLED | APP_REDRAW;
    } else {
        a->overlay = id;
    }
    screens[id].init(a);
    return APP_HANDLED | APP_REDRAW;
}

unsigned screens_common_key(struct app *a, enum key_action act)
{
    switch (act) {
    case ACTION_HELP:
        return screens_switch(a, a->overlay == SCREEN_HELP ? SCREEN_COUNT : SCREEN_HELP);
    case ACTION_LOG:
        if (a->base != SCREEN_MAIN)
            return 0;
        return screens_switch(a, a->overlay == SCREEN_LOG ? SCREEN_COUNT : SCREEN_LOG);
    case ACTION_INFO:
        if (a->base != SCREEN_MAIN)
            return 0;
        return screens_switch(a, a->overlay == SCREEN_INFO ? SCREEN_COUNT : SCREEN_INFO);
    case ACTION_THEME:
        cycle_theme(a);
        return APP_HANDLED | APP_REDRAW;
    case ACTION_REDRAW:
        clearok(curscr, TRUE);
        return APP_HANDLED | APP_REDRAW;
    case ACTION_QUIT:
        return app_ask_quit(a);
    default:
        return 0;
    }
}

unsigned app_click(struct app *a, int y, int x)
{
    if (too_small())
        return 0;
    if (a->overlay != SCREEN_COUNT)
        return screens_switch(a, SCREEN_COUNT);
    if (a->base != SCREEN_MAIN)
        return 0;
    const struct hit *h = hits_find(&a->hits, y, x);
    if (!h)
        return 0;
    a->detail = *h;
    return screens_switch(a, SCREEN_DETAILS);
}

unsigned app_key(struct app *a, int key)
{
    if (key == TERM_KEY_QUIT)
        return APP_QUIT;
    /* The one place a resize is handled: everything is laid out again from
     * the new size at the next draw, scroll offsets are clamped there. */
    if (key == KEY_RESIZE)
        return APP_HANDLED | APP_REDRAW;
    if (key == KEY_MOUSE) {
        MEVENT me;
        if (getmouse(&me) != OK)
            return 0;
        if (me.bstate & BUTTON1_PRESSED)
            return app_click(a, me.y, me.x);
        /* The wheel scrolls the focused panel, as the scroll keys do. */
        if (a->base == SCREEN_MAIN && a->overlay == SCREEN_COUNT && (me.bstate & BUTTON4_PRESSED))
            return screen_main_action(a, ACTION_SCROLL_UP);
#ifdef BUTTON5_PRESSED
        if (a->base == SCREEN_MAIN && a->overlay == SCREEN_COUNT && (me.bstate & BUTTON5_PRESSED))
            return screen_main_action(a, ACTION_SCROLL_DOWN);
#endif
        return 0;
    }
    if (too_small())
        return screens[SCREEN_SMALL].key(a, key);
    if (a->overlay != SCREEN_COUNT)
        return screens[a->overlay].key(a, key);
    return screens[a->base].key(a, key);
}

int app_timeout(const struct app *a)
{
    if (!a->playing || (a->base != SCREEN_MAIN && a->base != SCREEN_SPLIT))
        return -1;
    return (int)(1000.0 / app_speed_rate(a->speed));
}

unsigned app_tick(struct app *a)
{
    if ((a->base != SCREEN_MAIN && a->base != SCREEN_SPLIT) || a->overlay != SCREEN_COUNT ||
        too_small())
        return 0;
    return a->base == SCREEN_SPLIT ? screen_split_tick(a) : screen_main_tick(a);
}
