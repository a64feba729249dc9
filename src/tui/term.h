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

/* Takes over the terminal on stdin/stdout: a raw-ish mode, keypad, the
 * mouse, no cursor, and signal handlers (SIGINT, SIGTERM, SIGHUP ask to
 * quit; fatal signals restore the terminal and are raised again). false
 * with a message in why when stdin or stdout is not a terminal or TERM is
 * unusable. */
bool term_open(char *why, size_t why_len);
/* A terminal that draws nowhere, of a fixed size, for golden screens and
 * benchmarks: output goes to /dev/null, keys come from the caller. colors
 * is the number of colours to pretend to have (0, 8 or 256). */
bool term_open_headless(int cols, int rows, int colors, char *why, size_t why_len);
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
