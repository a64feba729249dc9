/* The viewer's state, its screens' dispatch, and the small screens:
 * the picker, the help and details overlays, "terminal too small". */
#include "tui/app.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "scenario/scenario.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

struct screen_ops {
    const char *name;
    void (*init)(struct app *a);
    void (*draw)(struct app *a);
    unsigned (*key)(struct app *a, int key);
};

static const struct screen_ops screens[SCREEN_COUNT] = {
    [SCREEN_PICKER] = {"picker", screen_picker_init, screen_picker_draw, screen_picker_key},
    [SCREEN_MAIN] = {"main", screen_main_init, screen_main_draw, screen_main_key},
    [SCREEN_HELP] = {"help", screen_help_init, screen_help_draw, screen_help_key},
    [SCREEN_DETAILS] = {"details", screen_details_init, screen_details_draw, screen_details_key},
    [SCREEN_LOG] = {"event log", screen_log_init, screen_log_draw, screen_log_key},
    [SCREEN_INFO] = {"scenario", screen_info_init, screen_info_draw, screen_info_key},
    [SCREEN_SMALL] = {"too small", screen_small_init, screen_small_draw, screen_small_key},
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

/* Loads a scenario and builds its timeline, which from then on calls the
 * viewer's stop hook during long moves (and already while it learns the
 * future for OPT: a picker choice can be abandoned). */
static bool open_scenario(struct app *a, const char *path, struct diag *err)
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
    return true;
}

static int compare_entries(const void *x, const void *y)
{
    const struct picker_entry *a = x, *b = y;
    return strcmp(a->path, b->path);
}

static void list_scenarios(struct app *a)
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

/* ------------------------------------------------------------------ */
/* life                                                                 */

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
    a->speed = 2;
    if (!load_initial_theme(a, err)) {
        free(a);
        return NULL;
    }
    a->nthemes = theme_list(opts->theme_dir, a->themes, APP_MAX_THEMES);
    if (opts->scenario_path) {
        if (!open_scenario(a, opts->scenario_path, err)) {
            app_destroy(a);
            return NULL;
        }
        a->base = SCREEN_MAIN;
    } else {
        list_scenarios(a);
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
    if (a->tl)
        timeline_destroy(a->tl);
    scenario_free(a->sc);
    for (size_t i = 0; i < a->nentries; i++) {
        free(a->entries[i].path);
        free(a->entries[i].title);
        free(a->entries[i].description);
        free(a->entries[i].error);
    }
    free(a->entries);
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
    if (id == SCREEN_PICKER || id == SCREEN_MAIN) {
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
        return APP_QUIT;
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
        if (a->base == SCREEN_MAIN && a->overlay == SCREEN_COUNT && (me.bstate & BUTTON4_PRESSED))
            return screen_main_key(a, 'k');
#ifdef BUTTON5_PRESSED
        if (a->base == SCREEN_MAIN && a->overlay == SCREEN_COUNT && (me.bstate & BUTTON5_PRESSED))
            return screen_main_key(a, 'j');
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
    if (!a->playing || a->base != SCREEN_MAIN)
        return -1;
    return (int)(1000.0 / app_speed_rate(a->speed));
}

unsigned app_tick(struct app *a)
{
    if (a->base != SCREEN_MAIN || a->overlay != SCREEN_COUNT || too_small())
        return 0;
    return screen_main_tick(a);
}

/* ------------------------------------------------------------------ */
/* long computations                                                    */

double app_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void app_busy_begin(struct app *a, const char *what)
{
    a->busy.what = what;
    a->busy.started_ms = a->busy.keys_ms = app_now_ms();
    a->busy.drawn_ms = 0;
    a->busy.outcome = BUSY_DONE;
}

enum busy_outcome app_busy_end(struct app *a)
{
    a->busy.what = NULL;
    return a->busy.outcome;
}

/* How far through the scenario a pass is, by the finer of the two
 * measures it has (accesses, or operations when it has more of those):
 * "24% of the accesses" into share and "access 1234 of 5000" into detail.
 * Both empty when the scenario has neither. */
static void busy_fraction(const struct tl_progress *p, char *share, char *detail, size_t len)
{
    bool by_access = p->access_total >= p->op_total && p->access_total > 0;
    uint64_t done = by_access ? p->access_index : p->op_index;
    uint64_t total = by_access ? p->access_total : p->op_total;
    share[0] = detail[0] = '\0';
    if (total == 0)
        return;
    snprintf(share, len, "%d%% of the %s", (int)((double)done * 100.0 / (double)total),
             by_access ? "accesses" : "operations");
    snprintf(detail, len, "%s %" PRIu64 " of %" PRIu64, by_access ? "access" : "operation", done,
             total);
}

/* The progress line: what is being done and how far it has got, the most
 * telling first (a short line keeps the words that fit). */
static void busy_text(const struct app *a, const struct tl_progress *p, char *buf, size_t len)
{
    const char *what = a->busy.what ? a->busy.what : "Working";
    char share[64], detail[96];
    busy_fraction(p, share, detail, sizeof share);
    int percent = p->target && p->target != UINT64_MAX
                      ? (int)((double)p->position * 100.0 / (double)p->target)
                      : 0;
    switch (p->task) {
    case TL_TASK_FORWARD:
        if (p->target != UINT64_MAX)
            snprintf(buf, len, "%s: %d%%, step %" PRIu64 " of %" PRIu64 ".", what, percent,
                     p->position, p->target);
        else if (share[0])
            snprintf(buf, len, "%s: %s, step %" PRIu64 " (%s).", what, share, p->position,
                     detail);
        else
            snprintf(buf, len, "%s: step %" PRIu64 ".", what, p->position);
        break;
    case TL_TASK_REPLAY:
        snprintf(buf, len, "%s: replaying, %d%%, step %" PRIu64 " of %" PRIu64 ".", what,
                 percent, p->position, p->target);
        break;
    case TL_TASK_SEARCH:
        snprintf(buf, len, "%s: replaying to find where it begins, step %" PRIu64 ".", what,
                 p->position);
        break;
    case TL_TASK_FUTURE:
        snprintf(buf, len, "%s: learning the future for opt, %s (%s).", what, share, detail);
        break;
    }
}

static void busy_draw(struct app *a, const struct tl_progress *p)
{
    int cols, rows;
    term_size(&cols, &rows);
    if (rows < 1 || cols < 1)
        return;
    char text[320];
    busy_text(a, p, text, sizeof text);
    /* The keys keep their place at the right; the progress gives up
     * words when the line is short. */
    static const char keys[] = "Esc stops, q quits ";
    int keys_w = draw_width(keys);
    struct rect line = {rows - 1, 0, 1, cols};
    draw_fill(line, ROLE_STATUS);
    if (cols > keys_w + 20) {
        draw_words(rect_cols(line, 0, cols - keys_w - 1), 0, 1, ROLE_STATUS, text);
        draw_text(line, 0, cols - keys_w, ROLE_STATUS, keys);
    } else {
        draw_words(line, 0, 1, ROLE_STATUS, text);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

bool app_busy_poll(void *ctx, const struct tl_progress *progress)
{
    struct app *a = ctx;
    struct busy *b = &a->busy;
    if (!term_is_open())
        return false;
    if (term_quit_signal()) {
        b->outcome = BUSY_QUIT;
        return true;
    }
    double now = app_now_ms();
    if (now - b->keys_ms >= APP_BUSY_KEYS_MS) {
        b->keys_ms = now;
        int key;
        while ((key = term_read_key(0)) != ERR) {
            if (key == TERM_KEY_QUIT || keys_lookup(key) == ACTION_QUIT) {
                b->outcome = BUSY_QUIT;
                return true;
            }
            if (key == KEYS_ESC) {
                b->outcome = BUSY_CANCELLED;
                return true;
            }
            if (key == KEY_MOUSE) {
                MEVENT me;
                getmouse(&me);
            }
            /* Any other key is dropped: queued up, the keys pressed while
             * waiting would all run, one long move after another. */
        }
    }
    if (now - b->started_ms >= APP_BUSY_SHOW_MS && now - b->drawn_ms >= APP_BUSY_DRAW_MS) {
        b->drawn_ms = now;
        busy_draw(a, progress);
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* the picker                                                           */

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
    struct rect body = {2, 2, rows - 4, cols - 4};
    if (a->nentries == 0) {
        draw_textf(body, 0, 0, ROLE_ERROR, "No scenario (*.yaml) in %s.",
                   a->opts.scenario_dir ? a->opts.scenario_dir : ".");
        draw_wrap(rect_below(body, 2), 0, ROLE_DIM,
                  "Give a scenario on the command line (vmviz FILE.yaml) or set VMVIZ_DATA to "
                  "the folder that holds scenarios/ and themes/.");
    }
    /* Each entry: a title line and up to two lines of description. */
    int per = 4;
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
        struct rect desc = rect_cols(rect_rows(item, 1, per - 2), 4, item.w - 4);
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
        int x = 1;
        x += draw_text(foot, 0, x, ROLE_KEYHINT, "Up/Down");
        x += draw_text(foot, 0, x, ROLE_DIM, " choose  ");
        x += draw_text(foot, 0, x, ROLE_KEYHINT, "Enter");
        x += draw_text(foot, 0, x, ROLE_DIM, " open  ");
        x += draw_text(foot, 0, x, ROLE_KEYHINT, "?");
        x += draw_text(foot, 0, x, ROLE_DIM, " help  ");
        x += draw_text(foot, 0, x, ROLE_KEYHINT, "q");
        draw_text(foot, 0, x, ROLE_DIM, " quit");
    }
}

unsigned screen_picker_key(struct app *a, int key)
{
    a->message[0] = '\0';
    switch (key) {
    case KEY_UP:
    case 'k':
    case 'p':
    case KEY_PPAGE:
        if (a->selected > 0)
            a->selected--;
        return APP_HANDLED | APP_REDRAW;
    case KEY_DOWN:
    case 'j':
    case 'n':
    case KEY_NPAGE:
        if (a->selected + 1 < a->nentries)
            a->selected++;
        return APP_HANDLED | APP_REDRAW;
    case KEY_HOME:
    case 'g':
        a->selected = 0;
        return APP_HANDLED | APP_REDRAW;
    case KEY_END:
    case 'G':
        a->selected = a->nentries ? a->nentries - 1 : 0;
        return APP_HANDLED | APP_REDRAW;
    case '\n':
    case '\r':
    case KEY_ENTER:
    case KEY_RIGHT:
    case 'l':
    case ' ': {
        if (a->nentries == 0)
            return APP_HANDLED;
        struct diag err;
        app_busy_begin(a, "Opening the scenario");
        bool opened = open_scenario(a, a->entries[a->selected].path, &err);
        enum busy_outcome outcome = app_busy_end(a);
        if (outcome == BUSY_QUIT)
            return APP_QUIT;
        if (outcome == BUSY_CANCELLED) {
            snprintf(a->message, sizeof a->message, "Opening stopped (Esc).");
            a->message_error = false;
            return APP_HANDLED | APP_REDRAW;
        }
        if (!opened) {
            snprintf(a->message, sizeof a->message, "%s:%u:%u: error: %s", err.file, err.line,
                     err.col, err.message);
            a->message_error = true;
            return APP_HANDLED | APP_REDRAW;
        }
        return screens_switch(a, SCREEN_MAIN);
    }
    default:
        return screens_common_key(a, keys_lookup(key));
    }
}

/* ------------------------------------------------------------------ */
/* overlays                                                             */

/* A centred box of at most w x h inside the screen, with a blank margin
 * around it so that the screen below does not run into its border. */
static struct rect centred(int w, int h)
{
    int cols, rows;
    term_size(&cols, &rows);
    if (w > cols)
        w = cols;
    if (h > rows)
        h = rows;
    struct rect box = {(rows - h) / 2, (cols - w) / 2, h, w};
    struct rect margin = {box.y - 1, box.x - 1, box.h + 2, box.w + 2};
    if (margin.y < 0) {
        margin.y = 0;
        margin.h = box.h + 1;
    }
    if (margin.x < 0) {
        margin.x = 0;
        margin.w = box.w + 1;
    }
    if (margin.y + margin.h > rows)
        margin.h = rows - margin.y;
    if (margin.x + margin.w > cols)
        margin.w = cols - margin.x;
    draw_fill(margin, ROLE_NORMAL);
    return box;
}

/* What every symbol on the main screen means, after the keys in the help. */
static const char *const symbol_lines[] = {
    "",
    "What the symbols on the screen mean",
    "Frames  .  free                     -  free, kept for page tables",
    "        T  a page table             Z  the shared zero page",
    "        f  a file's page cache      m  a page of shared memory",
    "        1-9  an anonymous page of that pid (# from pid 10)",
    "        S  an anonymous page two or more processes map",
    "        +  just taken, its content not there yet     *  dirty",
    "        12 p1 heap+0x3 x2  frame 12 holds page 0x3 of pid 1's area",
    "           heap (counted from the area's start), mapped twice",
    "        a row led by a number: that row's first frame",
    "Policy  12r  frame 12 with its Accessed bit set; +N more: N not shown",
    "TLB     a1 10>4 WD  ASID 1, virtual page 0x10 is in frame 4",
    "        W writable  D dirty  G global  X executable  H huge page",
    "        -  an empty way    >set  the set the access looks in",
    "Walk    P present  W writable  U user  A accessed  D dirty",
    "        NX (packed: N) no-execute; - or -- a clear bit",
    "        >  the entry read now   *  the entry written now",
    "        !  where the walk stopped: the page fault",
    "Swap    3:p1 heap+0x2  slot 3 holds that page of pid 1",
    "        1-9  the owner's pid    m  shared memory    .  free",
    "Panels  \"sets 0-3 of 0-15 shown\": the rest scroll (Tab, then Up/Down)",
};

void screen_help_init(struct app *a)
{
    a->help_scroll = 0;
}

void screen_help_draw(struct app *a)
{
    enum { NSYMBOLS = sizeof symbol_lines / sizeof symbol_lines[0] };
    char lines[ACTION_COUNT + 1 + NSYMBOLS][128];
    size_t n = keys_help_lines(lines, ACTION_COUNT);
    size_t keys_end = n + 1;
    snprintf(lines[n++], 128, "%-*s %s", KEYS_HELP_KEYS_WIDTH, "Mouse click",
             "details of a frame, TLB entry or swap slot");
    for (size_t i = 0; i < NSYMBOLS; i++)
        snprintf(lines[n++], 128, "%s", symbol_lines[i]);
    int width = 0;
    for (size_t i = 0; i < n; i++)
        if (draw_width(lines[i]) > width)
            width = draw_width(lines[i]);
    struct rect box = centred(width + 4, (int)n + 2);
    draw_box(box, ROLE_OVERLAY, "Keys and symbols");
    struct rect in = {box.y + 1, box.x + 2, box.h - 2, box.w - 4};
    int max_scroll = (int)n - in.h;
    if (max_scroll < 0)
        max_scroll = 0;
    if (a->help_scroll > max_scroll)
        a->help_scroll = max_scroll;
    for (int row = 0; row < in.h && a->help_scroll + row < (int)n; row++) {
        size_t i = (size_t)(a->help_scroll + row);
        const char *line = lines[i];
        if (i >= keys_end) {
            draw_words(in, row, 0, i == keys_end + 1 ? ROLE_KEYHINT : ROLE_OVERLAY, line);
            continue;
        }
        char keys[64];
        snprintf(keys, sizeof keys, "%.*s", KEYS_HELP_KEYS_WIDTH, line);
        draw_text(in, row, 0, ROLE_KEYHINT, keys);
        if (draw_width(line) > KEYS_HELP_KEYS_WIDTH + 1)
            draw_words(in, row, KEYS_HELP_KEYS_WIDTH + 1, ROLE_OVERLAY,
                       line + KEYS_HELP_KEYS_WIDTH + 1);
    }
    draw_text(box, box.h - 1, 2, ROLE_OVERLAY,
              max_scroll ? " Up/Down scroll, any other key closes " : " any key closes ");
}

unsigned screen_help_key(struct app *a, int key)
{
    if (key == KEY_DOWN || key == 'j') {
        a->help_scroll++;
        return APP_HANDLED | APP_REDRAW;
    }
    if (key == KEY_UP || key == 'k') {
        if (a->help_scroll > 0)
            a->help_scroll--;
        return APP_HANDLED | APP_REDRAW;
    }
    if (keys_lookup(key) == ACTION_QUIT)
        return APP_QUIT;
    return screens_switch(a, SCREEN_COUNT);
}

/* The event log as an overlay over most of the screen, so that it can be
 * read and scrolled back at any terminal size (at 80x24 the main screen has
 * no room for its panel). */
void screen_log_init(struct app *a)
{
    a->log_scroll = 0;
}

void screen_log_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    struct rect box = centred(cols - 2, rows - 2);
    draw_box(box, ROLE_OVERLAY, "Event log, newest last");
    struct rect in = {box.y + 1, box.x + 1, box.h - 2, box.w - 2};
    scene_build(&a->scene, a->tl);
    struct view_ctx v = {.s = &a->scene, .focused = true, .titled = false,
                         .scroll = &a->log_scroll, .hits = NULL};
    view_log_draw(&v, in);
    draw_text(box, box.h - 1, 2, ROLE_OVERLAY,
              " Up/Down/PgUp/PgDn scroll, L or any other key closes ");
}

unsigned screen_log_key(struct app *a, int key)
{
    int page = 10;
    /* log_scroll counts events back from the newest; the view clamps it. */
    switch (key) {
    case KEY_UP:
    case 'k':
        a->log_scroll++;
        return APP_HANDLED | APP_REDRAW;
    case KEY_PPAGE:
        a->log_scroll += page;
        return APP_HANDLED | APP_REDRAW;
    case KEY_DOWN:
    case 'j':
        a->log_scroll = a->log_scroll > 0 ? a->log_scroll - 1 : 0;
        return APP_HANDLED | APP_REDRAW;
    case KEY_NPAGE:
        a->log_scroll = a->log_scroll > page ? a->log_scroll - page : 0;
        return APP_HANDLED | APP_REDRAW;
    default:
        break;
    }
    if (keys_lookup(key) == ACTION_QUIT)
        return APP_QUIT;
    return screens_switch(a, SCREEN_COUNT);
}

/* The scenario's title, its whole description and the machine it runs
 * on, scrollable: the panels only have room for its start. */
void screen_info_init(struct app *a)
{
    a->info_scroll = 0;
}

void screen_info_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    int w = cols - 4 < 100 ? cols - 4 : 100;
    struct rect box = centred(w, rows - 2);
    draw_box(box, ROLE_OVERLAY, "About this scenario");
    struct rect in = {box.y + 1, box.x + 2, box.h - 2, box.w - 4};
    const struct machine *m = timeline_machine(a->tl);
    const struct geometry *g = &m->cfg.geo;
    char text[8192];
    int len = snprintf(text, sizeof text, "%s\n%s\n\n%s\n\n",
                       a->sc->title.value ? a->sc->title.value : "(untitled)", a->sc->path,
                       a->sc->description.value && *a->sc->description.value
                           ? a->sc->description.value
                           : "(no description)");
    if (len > 0 && (size_t)len < sizeof text)
        snprintf(text + len, sizeof text - (size_t)len,
                 "The machine: %s layout (%u-bit virtual addresses, %u levels, %" PRIu64
                 "-byte pages); %" PRIu32 " frames%s; %" PRIu32 " swap slots; a TLB of %" PRIu32
                 " entries, %" PRIu32 "-way, %s%s; the %s replacement policy.",
                 g->name, g->va_bits, g->levels, geometry_page_size(g), frames_total(&m->pool),
                 m->pool.table_frames ? " (some kept for page tables)" : "", m->swap.nslots,
                 m->tlb.sets * m->tlb.ways, m->tlb.ways, tlb_replacement_names[m->tlb.replacement],
                 m->tlb.asid_tags ? ", with ASID tags" : ", without ASIDs",
                 policy_name(m->policy.ops->kind));
    int total = draw_wrap_rows(in.w, text);
    int max_scroll = total > in.h ? total - in.h : 0;
    if (a->info_scroll > max_scroll)
        a->info_scroll = max_scroll;
    draw_wrap_skip(in, 0, ROLE_OVERLAY, text, a->info_scroll);
    draw_text(box, box.h - 1, 2, ROLE_OVERLAY,
              max_scroll ? " Up/Down scroll, any other key closes " : " any key closes ");
}

unsigned screen_info_key(struct app *a, int key)
{
    if (key == KEY_DOWN || key == 'j' || key == KEY_NPAGE) {
        a->info_scroll += key == KEY_NPAGE ? 10 : 1;
        return APP_HANDLED | APP_REDRAW;
    }
    if (key == KEY_UP || key == 'k' || key == KEY_PPAGE) {
        a->info_scroll -= key == KEY_PPAGE ? 10 : 1;
        if (a->info_scroll < 0)
            a->info_scroll = 0;
        return APP_HANDLED | APP_REDRAW;
    }
    if (keys_lookup(key) == ACTION_QUIT)
        return APP_QUIT;
    return screens_switch(a, SCREEN_COUNT);
}

void screen_details_init(struct app *a)
{
    (void)a;
}

static void details_frame(const struct machine *m, uint32_t f, char lines[][128], size_t *n)
{
    const struct frame *fr = frames_at(&m->pool, f);
    size_t k = 0;
    snprintf(lines[k++], 128, "Frame %" PRIu32 ": %s", f, frame_kind_text((enum frame_kind)fr->kind));
    snprintf(lines[k++], 128, "physical addresses 0x%" PRIx64 " - 0x%" PRIx64,
             (uint64_t)f * geometry_page_size(&m->cfg.geo),
             (uint64_t)(f + 1) * geometry_page_size(&m->cfg.geo) - 1);
    if (fr->kind != FRAME_FREE) {
        if (fr->owner_pid != EV_NONE)
            snprintf(lines[k++], 128, "allocated for pid %" PRIu32, fr->owner_pid);
        if (fr->kind == FRAME_TABLE)
            snprintf(lines[k++], 128, "page table of level %d (%s)", fr->table_level,
                     fr->table_level >= 0
                         ? geometry_level_name(&m->cfg.geo, fr->table_level) : "?");
        if (fr->object < m->nobjects)
            snprintf(lines[k++], 128, "page %" PRIu64 " of %s '%s' (page cache)", fr->object_page,
                     m->objects[fr->object].anonymous ? "shared memory" : "file",
                     m->objects[fr->object].name);
        if (fr->compound)
            snprintf(lines[k++], 128, "part of a huge page (%s frame)",
                     fr->compound == FRAME_HEAD ? "first" : "a following");
        snprintf(lines[k++], 128, "dirty: %s   referenced (Accessed): %s   mappings: %" PRIu32,
                 machine_frame_dirty(m, f) ? "yes" : "no",
                 machine_frame_referenced(m, f) ? "yes" : "no", fr->nmaps);
        for (uint32_t i = 0; i < fr->nmaps && i < 6; i++)
            snprintf(lines[k++], 128, "  mapped by pid %" PRIu32 " at VA 0x%" PRIx64,
                     fr->maps[i].pid, fr->maps[i].vpn << m->cfg.geo.page_shift);
        snprintf(lines[k++], 128, "content loaded at machine step %" PRIu64, fr->loaded_at);
    }
    *n = k;
}

static void details_tlb(const struct machine *m, uint32_t i, char lines[][128], size_t *n)
{
    const struct tlb_entry *t = &m->tlb.entries[i];
    size_t k = 0;
    snprintf(lines[k++], 128, "TLB set %" PRIu32 ", way %" PRIu32, i / m->tlb.ways, i % m->tlb.ways);
    if (!t->valid) {
        snprintf(lines[k++], 128, "empty (invalid): holds no translation");
    } else {
        snprintf(lines[k++], 128, "ASID %u%s", t->asid, t->global ? " (global: every ASID)" : "");
        snprintf(lines[k++], 128, "virtual page 0x%" PRIx64 " (VA 0x%" PRIx64 ")", t->vpn,
                 t->vpn << t->span_shift);
        snprintf(lines[k++], 128, "-> frame %" PRIu32 " (PA 0x%" PRIx64 ")", t->frame,
                 (uint64_t)t->frame << m->cfg.geo.page_shift);
        snprintf(lines[k++], 128, "writable %s, dirty %s, executable %s",
                 t->writable ? "yes" : "no", t->dirty ? "yes" : "no", t->nx ? "no" : "yes");
        snprintf(lines[k++], 128, "last %s at TLB clock %" PRIu64,
                 m->tlb.replacement == TLB_FIFO ? "filled" : "used", t->stamp);
    }
    *n = k;
}

void screen_details_draw(struct app *a)
{
    const struct machine *m = timeline_machine(a->tl);
    char lines[16][128];
    size_t n = 0;
    const char *title = "Details";
    if (a->detail.kind == HIT_FRAME && a->detail.index < frames_total(&m->pool)) {
        details_frame(m, a->detail.index, lines, &n);
        title = "Frame";
    } else if (a->detail.kind == HIT_TLB && a->detail.index < m->tlb.sets * m->tlb.ways) {
        details_tlb(m, a->detail.index, lines, &n);
        title = "TLB entry";
    } else if (a->detail.kind == HIT_SWAP && a->detail.index < m->swap.nslots) {
        const struct swap_slot *sl = swap_at(&m->swap, a->detail.index);
        title = "Swap slot";
        snprintf(lines[n++], 128, "Swap slot %" PRIu32, a->detail.index);
        if (sl->used)
            snprintf(lines[n++], 128, "holds page 0x%" PRIx64 " of pid %" PRIu32, sl->vpn, sl->pid);
        else
            snprintf(lines[n++], 128, "free");
    }
    int width = 30;
    for (size_t i = 0; i < n; i++)
        if (draw_width(lines[i]) > width)
            width = draw_width(lines[i]);
    struct rect box = centred(width + 4, (int)n + 2);
    draw_box(box, ROLE_OVERLAY, title);
    struct rect in = {box.y + 1, box.x + 2, box.h - 2, box.w - 4};
    for (size_t i = 0; i < n; i++)
        draw_text(in, (int)i, 0, i == 0 ? ROLE_KEYHINT : ROLE_OVERLAY, lines[i]);
    draw_text(box, box.h - 1, 2, ROLE_OVERLAY, " any key closes ");
}

unsigned screen_details_key(struct app *a, int key)
{
    if (keys_lookup(key) == ACTION_QUIT)
        return APP_QUIT;
    return screens_switch(a, SCREEN_COUNT);
}

/* ------------------------------------------------------------------ */
/* too small                                                            */

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
             "(or use a smaller font); q quits.",
             cols, rows, APP_MIN_COLS, APP_MIN_ROWS);
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
