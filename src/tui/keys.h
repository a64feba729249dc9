#ifndef VMVIZ_TUI_KEYS_H
#define VMVIZ_TUI_KEYS_H
/* The key map. One table binds keys to actions and writes everything that
 * names a key: the `?` help, the hint bars at the bottom of the main screen
 * and of the picker, and every sentence that tells which key to press
 * (those take the name of the action's first key). What they say is what
 * the keys do.
 *
 * Each row: the key map it belongs to, the action, its place in the hint
 * bars, its help text, then its keys (ncurses key codes or characters),
 * the first being the one hints and texts show.
 *
 * Key maps:
 *   VIEWER  the main screen's keys, and those every screen shares (help,
 *           theme, redraw, quit): keys_lookup(). The help lists these.
 *   PICKER  the picker's own, looked up there before the viewer's.
 *   SCROLL  scrolling: the help, log and scenario windows, and a focused
 *           panel that scrolls (which takes only its line keys).
 *   PROMPT  editing the line of the live prompt (printable keys type).
 * A key is bound at most once in each map; maps may share keys.
 *
 * Hint column (which bars show the action, where, and how):
 *   KEYS_NOHINT                    in no hint bar
 *   KEYS_HINT(bars, order, label)  "KEY label" in those bars (MAIN,
 *                                  PICKER or ALL), bars ordered by order
 *   KEYS_JOIN(bars, order, sep)    adds its first key to the hint of that
 *                                  order, after sep: "Right/Left step",
 *                                  "[ ] chapter" (the labelled row comes
 *                                  first in the table)
 *
 * Presentation clickers send PgDn/PgUp or the arrows: those step. */
#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#define KEYS_CTRL(c) ((c) & 0x1f)
#define KEYS_ESC 27
/* What presentation clickers send; texts name them beside the arrows. */
#define KEYS_CLICKER_NEXT KEY_NPAGE
#define KEYS_CLICKER_PREV KEY_PPAGE
/* A clicker's "start the slide show" button: F5, or Shift-F5 ("from the
 * current slide"), which terminals send as F17. */
#define KEYS_CLICKER_SHOW KEY_F(5)
#define KEYS_CLICKER_SHOW_HERE KEY_F(17)

#define KEY_ACTION_LIST(X)                                                                   \
    X(VIEWER, PLAY, KEYS_HINT(MAIN, 1, "play"), "play or pause", ' ')                         \
    X(VIEWER, STEP_FORWARD, KEYS_HINT(MAIN, 2, "step"), "step forward (by the step size)",    \
      KEY_RIGHT, 'l', 'n', KEYS_CLICKER_NEXT, KEY_DOWN, '\n', KEY_ENTER)                     \
    X(VIEWER, STEP_BACK, KEYS_JOIN(MAIN, 2, "/"), "step back (by the step size)", KEY_LEFT,   \
      'h', 'p', KEYS_CLICKER_PREV, KEY_UP, KEY_BACKSPACE)                                    \
    X(VIEWER, UNIT, KEYS_HINT(MAIN, 3, "step size"),                                          \
      "step size: micro-step, access, operation, chapter", 's')                               \
    X(VIEWER, FASTER, KEYS_NOHINT, "play faster", '+', '=')                                   \
    X(VIEWER, SLOWER, KEYS_NOHINT, "play slower", '-', '_')                                   \
    X(VIEWER, START, KEYS_NOHINT, "go to the start", KEY_HOME, 'g')                           \
    X(VIEWER, END, KEYS_NOHINT, "go to the end", KEY_END, 'G')                                \
    X(VIEWER, PREV_CHAPTER, KEYS_HINT(MAIN, 6, "chapter"), "previous chapter", '[')           \
    X(VIEWER, NEXT_CHAPTER, KEYS_JOIN(MAIN, 6, " "), "next chapter", ']')                     \
    X(VIEWER, NEXT_FAULT, KEYS_HINT(MAIN, 4, "next fault"), "run to the next page fault",     \
      'f')                                                                                    \
    X(VIEWER, NEXT_EVICTION, KEYS_HINT(MAIN, 5, "next eviction"),                             \
      "run to the next eviction", 'e')                                                        \
    X(VIEWER, THEME, KEYS_HINT(MAIN, 8, "theme"), "next colour theme", 't')                   \
    X(VIEWER, FOCUS, KEYS_HINT(MAIN, 7, "focus"),                                             \
      "focus the next panel (Up/Down then scroll it)", '\t')                                  \
    X(VIEWER, FOCUS_BACK, KEYS_NOHINT, "focus the previous panel", KEY_BTAB)                  \
    X(VIEWER, SCROLL_DOWN, KEYS_NOHINT, "scroll the focused panel down", 'j')                 \
    X(VIEWER, SCROLL_UP, KEYS_NOHINT, "scroll the focused panel up", 'k')                     \
    X(VIEWER, LOG, KEYS_NOHINT, "show or hide the whole event log (scrolls back)", 'L')       \
    X(VIEWER, INFO, KEYS_NOHINT, "the scenario: its title, whole description and machine",    \
      'i')                                                                                    \
    X(VIEWER, HELP, KEYS_HINT(ALL, 9, "help"),                                                \
      "show or hide this help and what every symbol means", '?')                              \
    X(VIEWER, CHAPTERS, KEYS_NOHINT, "chapter menu: jump by number or title", 'c')             \
    X(VIEWER, MARK, KEYS_NOHINT, "bookmark this step (then a letter or digit)", 'm')          \
    X(VIEWER, GO_MARK, KEYS_NOHINT, "back to a bookmark (' again: before the jump)", '\'')     \
    X(VIEWER, PRESENT, KEYS_NOHINT, "presenter mode: the step's panel large", 'P',             \
      KEYS_CLICKER_SHOW, KEYS_CLICKER_SHOW_HERE)                                             \
    X(VIEWER, ZOOM, KEYS_NOHINT, "zoom a panel to the whole screen, and back", 'z')           \
    X(VIEWER, BLANK, KEYS_NOHINT, "blank the screen; any key brings it back", 'b', '.')       \
    X(VIEWER, WHATIF, KEYS_NOHINT, "what if: other policy, frames, TLB or seed", 'w')         \
    X(VIEWER, UNDO_WHATIF, KEYS_NOHINT, "undo the last what-if", 'u')                          \
    X(VIEWER, SPLIT, KEYS_NOHINT, "split view: two machines side by side", 'v')               \
    X(VIEWER, LIVE, KEYS_NOHINT, "try it live: type a step to play next (or save, undo)", ':') \
    X(VIEWER, CLOSE, KEYS_NOHINT, "close a window, leave the focus; stop a long move",        \
      KEYS_ESC)                                                                               \
    X(VIEWER, REDRAW, KEYS_NOHINT, "redraw the screen", KEYS_CTRL('l'))                       \
    X(VIEWER, QUIZ, KEYS_NOHINT, "quiz mode: stop before each decision and ask it", 'Q')      \
    X(VIEWER, QUIT, KEYS_HINT(ALL, 10, "quit"), "quit", 'q')                             \
    X(PICKER, PICK_PREV, KEYS_HINT(PICKER, 1, "choose"), "choose the scenario above",         \
      KEY_UP, 'k', 'p', KEY_PPAGE)                                                            \
    X(PICKER, PICK_NEXT, KEYS_JOIN(PICKER, 1, "/"), "choose the scenario below", KEY_DOWN,    \
      'j', 'n', KEY_NPAGE)                                                                    \
    X(PICKER, PICK_FIRST, KEYS_NOHINT, "choose the first scenario", KEY_HOME, 'g')            \
    X(PICKER, PICK_LAST, KEYS_NOHINT, "choose the last scenario", KEY_END, 'G')               \
    X(PICKER, PICK_OPEN, KEYS_HINT(PICKER, 2, "open"), "open the chosen scenario", '\n',      \
      '\r', KEY_ENTER, KEY_RIGHT, 'l', ' ')                                                   \
    X(SCROLL, LINE_UP, KEYS_NOHINT, "scroll up a line", KEY_UP, 'k')                          \
    X(SCROLL, LINE_DOWN, KEYS_NOHINT, "scroll down a line", KEY_DOWN, 'j')                    \
    X(SCROLL, PAGE_UP, KEYS_NOHINT, "scroll up a page", KEY_PPAGE)                            \
    X(SCROLL, PAGE_DOWN, KEYS_NOHINT, "scroll down a page", KEY_NPAGE)                        \
    X(PROMPT, PROMPT_RUN, KEYS_NOHINT, "run the line: a step, save FILE or undo", '\n', '\r',   \
      KEY_ENTER)                                                                              \
    X(PROMPT, PROMPT_CANCEL, KEYS_NOHINT, "close the prompt", KEYS_ESC)                       \
    X(PROMPT, PROMPT_LEFT, KEYS_NOHINT, "move the cursor left", KEY_LEFT)                     \
    X(PROMPT, PROMPT_RIGHT, KEYS_NOHINT, "move the cursor right", KEY_RIGHT)                  \
    X(PROMPT, PROMPT_HOME, KEYS_NOHINT, "to the start of the line", KEY_HOME, KEYS_CTRL('a')) \
    X(PROMPT, PROMPT_END, KEYS_NOHINT, "to the end of the line", KEY_END, KEYS_CTRL('e'))     \
    X(PROMPT, PROMPT_ERASE, KEYS_NOHINT, "erase before the cursor", KEY_BACKSPACE, 127,       \
      KEYS_CTRL('h'))                                                                         \
    X(PROMPT, PROMPT_DELETE, KEYS_NOHINT, "erase at the cursor", KEY_DC)                      \
    X(PROMPT, PROMPT_OLDER, KEYS_NOHINT, "an earlier line of this session", KEY_UP)           \
    X(PROMPT, PROMPT_NEWER, KEYS_NOHINT, "a later line of this session", KEY_DOWN)            \
    X(PROMPT, PROMPT_COMPLETE, KEYS_NOHINT, "complete a step kind or an area name", '\t')

enum keys_map { KEYS_VIEWER, KEYS_PICKER, KEYS_SCROLL, KEYS_PROMPT };

/* Every action of every map, in table order: the viewer's rows come first
 * (keys.c checks it). */
enum key_action {
    ACTION_NONE = -1,
#define KEY_ACTION_ENUM(map, id, ...) ACTION_##id,
    KEY_ACTION_LIST(KEY_ACTION_ENUM)
#undef KEY_ACTION_ENUM
    ACTION_TOTAL
};

/* ACTION_COUNT: the number of the viewer's actions, the first rows of the
 * table. keys_lookup finds only these, and the help lists these. */
#define KEYS_IS_VIEWER_VIEWER 1
#define KEYS_IS_VIEWER_PICKER 0
#define KEYS_IS_VIEWER_SCROLL 0
#define KEYS_IS_VIEWER_PROMPT 0
enum {
#define KEY_ACTION_COUNT_VIEWER(map, id, ...) +KEYS_IS_VIEWER_##map
    ACTION_COUNT = 0 KEY_ACTION_LIST(KEY_ACTION_COUNT_VIEWER)
#undef KEY_ACTION_COUNT_VIEWER
};

/* The hint bars. */
enum keys_bar {
    KEYS_BAR_MAIN = 1,     /* the main screen's bottom row */
    KEYS_BAR_PICKER = 2,   /* the picker's */
    KEYS_BAR_ALL = KEYS_BAR_MAIN | KEYS_BAR_PICKER,
};

/* A row's hint column (see the top of this file). */
struct keys_hint_spec {
    unsigned bars;         /* enum keys_bar bits; 0: no hint */
    int order;
    const char *text;      /* the label, or for a join the separator */
    bool join;
};
#define KEYS_NOHINT {0, 0, NULL, false}
#define KEYS_HINT(bars, order, label) {KEYS_BAR_##bars, order, label, false}
#define KEYS_JOIN(bars, order, sep) {KEYS_BAR_##bars, order, sep, true}

#define KEYS_MAX_PER_ACTION 8
/* Width of the keys column in help lines; the text starts one after. */
#define KEYS_HELP_KEYS_WIDTH 25
/* Room for a key's name ("Space", "PgDn", "^L", "#1234"). */
#define KEYS_NAME_MAX 16
/* Hints a bar can hold. */
#define KEYS_MAX_HINTS 16

/* The viewer's action a key is bound to, or ACTION_NONE. */
enum key_action keys_lookup(int key);
/* The action a key is bound to in one key map, or ACTION_NONE. */
enum key_action keys_lookup_in(enum keys_map map, int key);
/* The help text of an action: static text, valid for the program's life. */
const char *keys_help(enum key_action action);
/* The keys of an action, 0-terminated (at most KEYS_MAX_PER_ACTION): a
 * pointer into the static table, valid for the program's life. */
const int *keys_of(enum key_action action);
/* A short printable name of a key ("Space", "PgDn", "Right", "^L", "q"),
 * into buf; returns buf. */
const char *keys_name(int key, char *buf, size_t size);

/* A key's name as a value, for sentences that name keys:
 *   snprintf(buf, len, "%s quits", keys_first(ACTION_QUIT).s);
 * The text lives as long as the value (in a call's arguments, until the
 * call returns). */
struct key_name {
    char s[KEYS_NAME_MAX];
};
/* The name of a key. */
struct key_name keys_named(int key);
/* The name of an action's first key, the one hints and texts show. */
struct key_name keys_first(enum key_action action);

/* One hint of a bar: the keys' names ("Right/Left") and the label
 * ("step"), static text. */
struct keys_hint {
    char keys[4 * KEYS_NAME_MAX];
    const char *label;
};
/* The hints of a bar in their order; returns how many (at most max). */
size_t keys_hints(enum keys_bar bar, struct keys_hint *out, size_t max);

/* The help lines, one per viewer action: the keys' names padded to a
 * column, then the help text. Returns the number of lines (ACTION_COUNT);
 * writes line i into lines[i] when i < max, each at most width bytes. */
size_t keys_help_lines(char lines[][128], size_t max);
/* Parses a key script ("l l f ? <PgDn> <Right> <Space> <Tab> <Esc> <C-l>
 * <Resize>") into key codes; returns how many (at most max), or -1 with
 * the bad token's offset in *bad_at. Words of one character are that
 * character; <...> names a special key. */
int keys_parse_script(const char *script, int *out, size_t max, size_t *bad_at);

#endif
