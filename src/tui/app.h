#ifndef VMVIZ_TUI_APP_H
#define VMVIZ_TUI_APP_H
/* The viewer's state and its screens, without the terminal's life: tui.c
 * runs them on a real terminal, the golden-screen tests on a headless one
 * with keys from a script.
 *
 * Screens are init/draw/key trios (screens.h, one file each), dispatched
 * from one table generated from SCREEN_LIST; a key handler returns APP_*
 * flags. The base screen is the picker, the main screen or the split view
 * (two machines side by side); help, details, the event log, the scenario,
 * the what-if menu and the live prompt are overlays drawn over it; below
 * the minimum size the "too small" screen replaces everything. */
#include <stdbool.h>
#include <stddef.h>

#include "play/timeline.h"
#include "util/diag.h"
#include "tui/theme.h"
#include "tui/tui.h"
#include "tui/view.h"

/* The smallest terminal the viewer draws on; below it, "too small". */
#define APP_MIN_COLS 80
#define APP_MIN_ROWS 24

#define APP_HANDLED 0x1u
#define APP_REDRAW  0x2u
#define APP_QUIT    0x4u

/* The screens: id, the name of its trio (screen_NAME_init, _draw, _key in
 * screen_NAME.c) and what it shows. */
#define SCREEN_LIST(X)                  \
    X(PICKER, picker, "picker")         \
    X(MAIN, main, "main")               \
    X(HELP, help, "help")               \
    X(DETAILS, details, "details")      \
    X(LOG, log, "event log")            \
    X(INFO, info, "scenario")           \
    X(CONFIRM, confirm, "confirm")      \
    X(CHAPTERS, chapters, "chapters")   \
    X(WHATIF, whatif, "what if")        \
    X(SPLIT, split, "split view")       \
    X(LIVE, live, "live prompt")        \
    X(BLANK, blank, "blank")            \
    X(QUIZ, quiz, "quiz question")      \
    X(SMALL, small, "too small")

enum screen_id {
#define SCREEN_ENUM(id, name, what) SCREEN_##id,
    SCREEN_LIST(SCREEN_ENUM)
#undef SCREEN_ENUM
    SCREEN_COUNT
};

/* A scenario the picker lists. Every string is owned by the entry (freed
 * with the app). */
struct picker_entry {
    char *path;
    char *title;
    char *description;
    char *error;          /* why it does not load, or NULL */
    bool visited;         /* opened before: the picker reopens it where it was left */
    uint64_t left_at;     /* the timeline position it was left at */
    enum tl_unit left_unit;
};

#define APP_MAX_THEMES 32
/* Autoplay speeds (app_speed_rate), and the one the viewer starts at. */
#define APP_SPEEDS 8
#define APP_SPEED_DEFAULT 2

/* A long computation (a timeline move, opening an OPT scenario) shows its
 * progress line once it has run this long; shorter ones show nothing. */
#define APP_BUSY_SHOW_MS 200
/* Meanwhile keys are read this often, and the progress line redrawn. */
#define APP_BUSY_KEYS_MS 10
#define APP_BUSY_DRAW_MS 100

/* How a long computation ended. */
enum busy_outcome {
    BUSY_DONE,       /* it ran its course */
    BUSY_CANCELLED,  /* Esc stopped it where it had got to */
    BUSY_ASK_QUIT,   /* q: stopped where it had got to, and quitting is asked */
    BUSY_QUIT,       /* Ctrl-C, SIGTERM or SIGHUP: the viewer must end */
};

/* The long computation in progress, if any. */
struct busy {
    const char *what;        /* what the progress line says is being done:
                                borrowed, a string literal of the caller */
    double started_ms;       /* on the monotonic clock */
    double keys_ms;          /* when keys were last read */
    double drawn_ms;         /* when the progress line was last drawn (0: never) */
    enum busy_outcome outcome;
};

/* Bookmarks: one per letter or digit. */
#define APP_MARKS 36
struct app_mark {
    bool set;
    uint64_t position;         /* a timeline position */
};

/* What the confirm window asks before doing it. */
enum confirm_what {
    CONFIRM_NONE,
    CONFIRM_QUIT,              /* quit vmviz */
    CONFIRM_LEAVE,             /* leave the scenario for the picker */
};

/* A chapter of the open scenario: where it starts and its title
 * (borrowed from the scenario). */
struct app_chapter {
    uint64_t position;
    const char *title;
};

struct whatif;
struct live;
struct quiz;

/* The viewer's state. The app owns the scenario, the timeline, the theme
 * names and the picker's entries; opts' strings are borrowed from the
 * caller of app_create for the app's life. scene is rebuilt before every
 * draw and borrows from tl (view.h). */
struct app {
    struct tui_options opts;
    struct scenario *sc;       /* NULL until a scenario is open */
    struct timeline *tl;       /* NULL until a scenario is open */
    bool from_picker;
    enum screen_id base;       /* SCREEN_PICKER, SCREEN_MAIN or SCREEN_SPLIT */
    enum screen_id overlay;    /* SCREEN_HELP, _DETAILS, _LOG, _INFO, or
                                  SCREEN_COUNT for none */
    /* Playing. */
    bool playing;
    int speed;                 /* index into the speed table */
    enum tl_unit unit;
    /* Focus and scrolling. */
    int focus;                 /* enum panel, or -1 */
    int scroll[PANEL_COUNT];
    int help_scroll;
    int log_scroll;            /* the event-log overlay, 0 = newest at the bottom */
    int info_scroll;           /* the scenario overlay */
    /* Themes. */
    struct theme theme;
    char *themes[APP_MAX_THEMES];
    size_t nthemes;
    /* The picker. */
    struct picker_entry *entries;
    size_t nentries;
    size_t selected;
    /* What a click opened (a copy), and where the last main screen drew
     * what a click can land on. */
    struct hit detail;
    struct hits hits;
    struct scene scene;
    /* Where the main screen last put each panel (empty when not shown),
     * title row included: tests read the screen back panel by panel. */
    struct rect panels[PANEL_COUNT];
    char message[1024];
    bool message_error;
    struct busy busy;
    /* The lecture hall: presenter mode, zoom, bookmarks, confirmations. */
    bool present;              /* presenter mode: the step's panel large */
    int zoom;                  /* the panel zoomed to the whole screen, or -1 */
    int pending;               /* the first half of a two-key action (the key
                                  of ACTION_MARK or ACTION_GO_MARK), or 0 */
    struct app_mark marks[APP_MARKS];
    struct app_mark mark_back; /* where the last jump to a bookmark left from */
    enum confirm_what confirm; /* what the confirm window asks */
    struct app_chapter *chapters; /* found by app_chapters_scan (owned) */
    size_t nchapters;
    int chapter_selected;      /* the chapter menu's chosen line */
    char chapter_typed[8];     /* digits typed in the chapter menu */
    /* What if (screen_whatif.c, screen_split.c): the machines tried, for
     * undo, and the split view's second timeline. NULL when unused. */
    struct whatif *whatif;
    /* Trying it live (live.c): the typed steps and the prompt. NULL
     * until first used. */
    struct live *live;
    /* Quiz mode (screen_quiz.c): the questions of the machine on screen,
     * made when first needed and dropped when the machine changes. */
    bool quiz_mode;
    struct quiz *quiz;
    size_t quiz_number;        /* the question the overlay shows (from 1) */
    bool quiz_revealed;        /* the overlay shows its answer, not its choices */
};

/* Sets up the viewer: loads the theme and the scenario (or lists the
 * scenarios for the picker). Touches no terminal. NULL with err set when
 * the theme or the scenario does not load. */
struct app *app_create(const struct tui_options *opts, struct diag *err);
void app_destroy(struct app *a);
/* Applies the theme to the (open) terminal; call once it is open. */
void app_start(struct app *a);
/* Draws the whole screen for the terminal's current size. */
void app_draw(struct app *a);
/* Handles one key (KEY_RESIZE and KEY_MOUSE included); returns APP_*. */
unsigned app_key(struct app *a, int key);
/* A click at screen cell (y, x). */
unsigned app_click(struct app *a, int y, int x);
/* Milliseconds until the next autoplay step, or -1 when not playing. */
int app_timeout(const struct app *a);
/* One autoplay step (what the time-out in the loop triggers). */
unsigned app_tick(struct app *a);
/* Steps per second at a speed index (for the status line and tests). */
double app_speed_rate(int speed);

/* Sets the message line: printf-style text, an error or not. */
void app_say(struct app *a, bool error, const char *fmt, ...) DIAG_PRINTF(3, 4);

/* Milliseconds on the monotonic clock (for timing keys and autoplay). */
double app_now_ms(void);

/* Names the possibly long computation about to run ("Going to the end")
 * and arms its stop keys. Every timeline move of the viewer goes between
 * app_busy_begin and app_busy_end. */
void app_busy_begin(struct app *a, const char *what);
/* Ends it and says how it ended (the outcome of the last app_busy_poll). */
enum busy_outcome app_busy_end(struct app *a);
/* The viewer's timeline stop hook (a timeline_stop_fn whose ctx is the
 * app): reads the keys waiting (Esc stops, q quits; others are dropped),
 * notices a quit signal, and once the computation has run
 * APP_BUSY_SHOW_MS draws the progress line on the bottom row. Returns
 * true to abandon the computation. Does nothing before the terminal is
 * open. */
bool app_busy_poll(void *ctx, const struct tl_progress *progress);

#endif
