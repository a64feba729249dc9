#ifndef VMVIZ_TUI_TERM_H
#define VMVIZ_TUI_TERM_H
/* The terminal's owner. This is the only module that starts and ends
 * curses (newterm, endwin, delscreen), installs signal handlers and turns
 * a theme into colour pairs. Everything else draws on stdscr through
 * draw.h and reads keys through term_read_key.
 *
 * Life: term_open (or term_open_headless for tests and benchmarks) →
 * term_apply_theme → draw, term_read_key ... → term_close. term_close is
 * safe to call twice; a fatal signal restores the terminal by itself. */
#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "tui/theme.h"

/* What term_read_key returns when a signal asked the program to stop. */
#define TERM_KEY_QUIT (KEY_MAX + 1)

/* Where a recorded terminal's output goes besides the screen: output gets
 * every byte curses wrote, in order, each time term_update or
 * term_read_key hands them on; resize gets the new size of a real
 * terminal whose window changed. ctx is passed to both. */
struct term_sink {
    void (*output)(void *ctx, const char *bytes, size_t len);
    void (*resize)(void *ctx, int cols, int rows);
    void *ctx;
};

/* Takes over the terminal on stdin/stdout: a raw-ish mode, keypad, the
 * mouse, no cursor, and signal handlers (SIGINT, SIGTERM, SIGHUP ask to
 * quit; fatal signals restore the terminal and are raised again). false
 * with a message in why when stdin or stdout is not a terminal or TERM is
 * unusable. */
bool term_open(char *why, size_t why_len);
/* The same, and every byte curses sends the terminal from then on also
 * goes to sink (which must stay valid until term_close). The bytes written
 * while the terminal is set up (modes, the alternate screen) and by
 * term_close go to the terminal only: the recording is what the screen
 * shows, from the first full drawing to the last. */
bool term_open_recorded(const struct term_sink *sink, char *why, size_t why_len);
/* A terminal that draws nowhere, of a fixed size, for golden screens and
 * benchmarks: output goes to /dev/null, keys come from the caller. colors
 * is the number of colours to pretend to have (0, 8 or 256). */
bool term_open_headless(int cols, int rows, int colors, char *why, size_t why_len);
/* The same, its output going to sink instead of /dev/null (see
 * term_open_recorded). */
bool term_open_headless_recorded(int cols, int rows, int colors, const struct term_sink *sink,
                                 char *why, size_t why_len);
/* Restores the terminal and frees curses. Safe when not open. */
void term_close(void);
bool term_is_open(void);
/* Changes a headless terminal's size; what a SIGWINCH does to a real one. */
void term_resize(int cols, int rows);
void term_size(int *cols, int *rows);
/* Colours the terminal can show: 0, 8 or 256 (more counts as 256). */
int term_colors(void);

/* Makes the theme's roles current (colour pairs and attributes). */
void term_apply_theme(const struct theme *t);
/* The attributes (colour pair included) a role stands for now. */
attr_t term_role_attr(enum role role);

/* Sends what was drawn (doupdate) and hands the bytes to the sink of a
 * recorded terminal. Call it instead of doupdate. */
void term_update(void);

/* Waits for a key: forever when timeout_ms < 0, else at most that long
 * (ERR on time-out). Returns TERM_KEY_QUIT once a quit signal arrived. */
int term_read_key(int timeout_ms);
/* The signal that asked to quit, or 0. */
int term_quit_signal(void);

/* The screen as text: rows lines of cols characters, each ended by '\n',
 * trailing blanks kept, line-drawing characters as ASCII (- | +). Writes
 * at most size - 1 bytes and a NUL; returns the full length. */
size_t term_dump(char *buf, size_t size);
/* The role whose attributes the cell at (y, x) carries, or -1. */
int term_role_at(int y, int x);

#endif
