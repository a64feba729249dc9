#ifndef VMVIZ_TUI_DRAW_H
#define VMVIZ_TUI_DRAW_H
/* Drawing on stdscr by role, clipped to rectangles. Views draw only
 * through these, so nothing spills into a neighbour and no view names a
 * colour. Coordinates inside a rect are relative to its corner.
 *
 * The screen never shows a cut number: text either fits or is left out.
 * draw_whole draws a string entirely or not at all; draw_words keeps whole
 * words and ends with "..." when some are left out. draw_text still clips
 * at the rect's edge, but every clip that hides anything but blanks is
 * counted (draw_cuts), so a test can prove that no view relies on it. The
 * role each cell was last drawn in is kept too (draw_role_at), so tests
 * can check highlights whatever the theme.
 *
 * Text is drawn escaped: a control character shows as its visible escape
 * ("\e", "\x01"...), as in every other output of the program, so scenario
 * text cannot steer the terminal; draw_width counts those characters too. */
#include <stdbool.h>
#include <stddef.h>

#include "tui/theme.h"

struct rect {
    int y, x, h, w;
};

/* True when the rect has room for at least one cell. */
bool rect_ok(struct rect r);
/* The rect without its first n rows (n may exceed h: the result is empty). */
struct rect rect_below(struct rect r, int n);
/* The rows [from, from + n) of r, clipped. */
struct rect rect_rows(struct rect r, int from, int n);
/* The columns [from, from + n) of r, clipped. */
struct rect rect_cols(struct rect r, int from, int n);

/* Paints the whole rect with blanks of a role. */
void draw_fill(struct rect r, enum role role);
/* Starts a new frame of a rows x cols screen: forgets the cuts and the
 * roles of the previous one. */
void draw_frame_begin(int rows, int cols);
/* How many draws of this frame lost text at a rect's edge; the first one
 * is described in first (where, and the text) when first_len > 0. */
unsigned draw_cuts(char *first, size_t first_len);
/* The role the cell (y, x) was last drawn in during this frame, or -1. */
int draw_role_at(int y, int x);

/* True when s fits whole at (y, x) of r. */
bool draw_fits(struct rect r, int y, int x, const char *s);
/* Writes s at (y, x) of r only when it fits whole; returns the columns
 * used (0 when it was left out). */
int draw_whole(struct rect r, int y, int x, enum role role, const char *s);
int draw_wholef(struct rect r, int y, int x, enum role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Writes as many whole words of s as fit at (y, x) of r, then "..." when
 * some were left out; returns the columns used. */
int draw_words(struct rect r, int y, int x, enum role role, const char *s);

/* Writes s at (y, x) of r in role, clipped to r (a clip that hides text is
 * counted, see draw_cuts); returns the columns used. UTF-8 text counts one
 * column per character. */
int draw_text(struct rect r, int y, int x, enum role role, const char *s);
int draw_textf(struct rect r, int y, int x, enum role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Writes s padded with blanks to exactly width columns (a longer s is
 * clipped, and the clip counted). */
int draw_field(struct rect r, int y, int x, int width, enum role role, const char *s);
/* Word-wraps s into r from row y; returns the rows used (at most r.h - y).
 * The last row that does not hold the rest ends, after its last whole
 * word, in "...". */
int draw_wrap(struct rect r, int y, enum role role, const char *s);
/* Like draw_wrap, leaving out the first `skip` rows of the wrapped text. */
int draw_wrap_skip(struct rect r, int y, enum role role, const char *s, int skip);
/* Rows draw_wrap would use at width w (no limit on rows). */
int draw_wrap_rows(int w, const char *s);
/* A horizontal rule with an optional title: "-- Title ----------". The
 * extra text keeps whole words only. */
void draw_title(struct rect r, int y, const char *title, const char *extra, bool focused);
/* A framed box (line-drawing characters) filled with role. */
void draw_box(struct rect r, enum role role, const char *title);
/* Display columns of a UTF-8 string (one per character). */
int draw_width(const char *s);

#endif
