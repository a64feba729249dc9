#ifndef VMVIZ_TUI_DRAW_H
#define VMVIZ_TUI_DRAW_H
/* Drawing on stdscr by role, clipped to rectangles. Views draw only
 * through these, so nothing spills into a neighbour and no view names a
 * colour. Coordinates inside a rect are relative to its corner. */
#include <stdbool.h>

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
/* Writes s at (y, x) of r in role, clipped to r; returns the columns used.
 * UTF-8 text counts one column per character. */
int draw_text(struct rect r, int y, int x, enum role role, const char *s);
int draw_textf(struct rect r, int y, int x, enum role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Writes s padded with blanks (or cut) to exactly width columns. */
int draw_field(struct rect r, int y, int x, int width, enum role role, const char *s);
/* Word-wraps s into r from row y; returns the rows used (at most r.h - y).
 * The last row that does not hold the rest ends in "...". */
int draw_wrap(struct rect r, int y, enum role role, const char *s);
/* Rows draw_wrap would use at width w (no limit on rows). */
int draw_wrap_rows(int w, const char *s);
/* A horizontal rule with an optional title: "-- Title ----------". */
void draw_title(struct rect r, int y, const char *title, const char *extra, bool focused);
/* A framed box (line-drawing characters) filled with role. */
void draw_box(struct rect r, enum role role, const char *title);
/* Display columns of a UTF-8 string (one per character). */
int draw_width(const char *s);

#endif
