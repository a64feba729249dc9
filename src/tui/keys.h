#ifndef VMVIZ_TUI_KEYS_H
#define VMVIZ_TUI_KEYS_H
/* The key map. One table binds keys to actions and writes the help: the `?`
 * overlay is generated from it, so what it says is what the keys do.
 *
 * Each row: action, help text, then the keys (ncurses key codes or
 * characters), the first being the one hints show. Presentation clickers
 * send PgDn/PgUp or the arrows: those step. */
#include <stddef.h>

#include <curses.h>

#define KEYS_CTRL(c) ((c) & 0x1f)
#define KEYS_ESC 27

#define KEY_ACTION_LIST(X)                                                                  \
    X(PLAY, "play or pause", ' ')                                                           \
    X(STEP_FORWARD, "step forward (by the step size)", KEY_RIGHT, 'l', 'n', KEY_NPAGE,      \
      KEY_DOWN, '\n', KEY_ENTER)                                                            \
    X(STEP_BACK, "step back (by the step size)", KEY_LEFT, 'h', 'p', KEY_PPAGE, KEY_UP,     \
      KEY_BACKSPACE)                                                                        \
    X(UNIT, "step size: micro-step, access, operation, chapter", 's')                       \
    X(FASTER, "play faster", '+', '=')                                                      \
    X(SLOWER, "play slower", '-', '_')                                                      \
    X(START, "go to the start", KEY_HOME, 'g')                                              \
    X(END, "go to the end", KEY_END, 'G')                                                   \
    X(PREV_CHAPTER, "previous chapter", '[')                                                \
    X(NEXT_CHAPTER, "next chapter", ']')                                                    \
    X(NEXT_FAULT, "run to the next page fault", 'f')                                        \
    X(NEXT_EVICTION, "run to the next eviction", 'e')                                       \
    X(THEME, "next colour theme", 't')                                                      \
    X(FOCUS, "focus the next panel (Up/Down then scroll it)", '\t')                         \
    X(FOCUS_BACK, "focus the previous panel", KEY_BTAB)                                     \
    X(SCROLL_DOWN, "scroll the focused panel down", 'j')                                    \
    X(SCROLL_UP, "scroll the focused panel up", 'k')                                        \
    X(LOG, "show or hide the whole event log (scrolls back)", 'L')                          \
    X(INFO, "the scenario: its title, whole description and machine", 'i')                  \
    X(HELP, "show or hide this help and what every symbol means", '?')                      \
    X(CLOSE, "close a window, leave the focus; stop a long move", KEYS_ESC)                 \
    X(REDRAW, "redraw the screen", KEYS_CTRL('l'))                                          \
    X(QUIT, "quit", 'q', 'Q')

enum key_action {
    ACTION_NONE = -1,
#define KEY_ACTION_ENUM(id, help, ...) ACTION_##id,
    KEY_ACTION_LIST(KEY_ACTION_ENUM)
#undef KEY_ACTION_ENUM
    ACTION_COUNT
};

#define KEYS_MAX_PER_ACTION 8
/* Width of the keys column in help lines; the text starts one after. */
#define KEYS_HELP_KEYS_WIDTH 25

/* The action a key is bound to, or ACTION_NONE. */
enum key_action keys_lookup(int key);
/* The help text of an action. */
const char *keys_help(enum key_action action);
/* The keys of an action, 0-terminated (at most KEYS_MAX_PER_ACTION). */
const int *keys_of(enum key_action action);
/* A short printable name of a key ("Space", "PgDn", "Right", "^L", "q"),
 * into buf; returns buf. */
const char *keys_name(int key, char *buf, size_t size);
/* The help lines, one per action: the keys' names padded to a column, then
 * the help text. Returns the number of lines (ACTION_COUNT); writes line i
 * into lines[i] when i < max, each at most width bytes. */
size_t keys_help_lines(char lines[][128], size_t max);
/* Parses a key script ("l l f ? <PgDn> <Right> <Space> <Tab> <Esc> <C-l>
 * <Resize>") into key codes; returns how many (at most max), or -1 with
 * the bad token's offset in *bad_at. Words of one character are that
 * character; <...> names a special key. */
int keys_parse_script(const char *script, int *out, size_t max, size_t *bad_at);

#endif
