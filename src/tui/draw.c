/* Clipped drawing by role. */
#include "tui/draw.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "tui/term.h"

/* The roles of the cells drawn in this frame, for tests; cells beyond
 * these bounds are not tracked. */
#define GRID_ROWS 256
#define GRID_COLS 512
static signed char role_grid[GRID_ROWS][GRID_COLS];
static int grid_rows, grid_cols;
static unsigned cut_count;
static char first_cut[160];

void draw_frame_begin(int rows, int cols)
{
    grid_rows = rows < GRID_ROWS ? rows : GRID_ROWS;
    grid_cols = cols < GRID_COLS ? cols : GRID_COLS;
    memset(role_grid, -1, sizeof role_grid);
    cut_count = 0;
    first_cut[0] = '\0';
}

unsigned draw_cuts(char *first, size_t first_len)
{
    if (first && first_len)
        snprintf(first, first_len, "%s", first_cut);
    return cut_count;
}

int draw_role_at(int y, int x)
{
    if (y < 0 || x < 0 || y >= grid_rows || x >= grid_cols)
        return -1;
    return role_grid[y][x];
}

static void mark_roles(int y, int x, int n, enum role role)
{
    if (y < 0 || y >= grid_rows)
        return;
    for (int i = 0; i < n; i++)
        if (x + i >= 0 && x + i < grid_cols)
            role_grid[y][x + i] = (signed char)role;
}

/* Records a draw that lost text at the edge (blanks lost do not count). */
static void note_cut(int y, int x, const char *s, const char *lost)
{
    for (; *lost; lost++)
        if (*lost != ' ')
            break;
    if (!*lost)
        return;
    if (cut_count++ == 0)
        snprintf(first_cut, sizeof first_cut, "row %d col %d: \"%s\"", y, x, s);
}

bool rect_ok(struct rect r)
{
    return r.h > 0 && r.w > 0;
}

struct rect rect_below(struct rect r, int n)
{
    if (n > r.h)
        n = r.h;
    return (struct rect){r.y + n, r.x, r.h - n, r.w};
}

struct rect rect_rows(struct rect r, int from, int n)
{
    if (from > r.h)
        from = r.h;
    if (n > r.h - from)
        n = r.h - from;
    if (n < 0)
        n = 0;
    return (struct rect){r.y + from, r.x, n, r.w};
}

struct rect rect_cols(struct rect r, int from, int n)
{
    if (from > r.w)
        from = r.w;
    if (n > r.w - from)
        n = r.w - from;
    if (n < 0)
        n = 0;
    return (struct rect){r.y, r.x + from, r.h, n};
}

void draw_fill(struct rect r, enum role role)
{
    attr_t a = term_role_attr(role);
    for (int y = 0; y < r.h; y++) {
        wattrset(stdscr, a);
        mvwhline(stdscr, r.y + y, r.x, ' ', r.w);
        mark_roles(r.y + y, r.x, r.w, role);
    }
    wattrset(stdscr, A_NORMAL);
}

/* True when s holds nothing escape_text would change: plain ASCII. Most
 * of what is drawn is, and is then drawn without a copy. */
static bool plain_ascii(const char *s, unsigned flags)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80 || c == 0x7f || (c < 0x20 && !(c == '\n' && flags & ESCAPE_KEEP_NEWLINES)))
            return false;
    }
    return true;
}

/* The visible form of s (scenario/escape.h: control characters and stray
 * bytes written as \e, \x01, \u009b...), as headless output shows it: in
 * stack when it fits, else in memory the caller frees through *heap (NULL
 * when unused). Never NULL; cut short only when memory runs out. */
static const char *visible(const char *s, unsigned flags, char *stack, size_t size,
                           char **heap)
{
    *heap = NULL;
    if (plain_ascii(s, flags))
        return s;
    size_t need = escape_text(stack, size, s, flags);
    if (need < size)
        return stack;
    *heap = malloc(need + 1);
    if (*heap == NULL)
        return stack;
    escape_text(*heap, need + 1, s, flags);
    return *heap;
}

/* Columns of text already in its visible form: one per character. */
static int visible_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

int draw_width(const char *s)
{
    char stack[512], *heap;
    int n = visible_width(visible(s, 0, stack, sizeof stack, &heap));
    free(heap);
    return n;
}

/* Bytes of s that fit in cols columns (never cutting a character). */
static size_t bytes_for_cols(const char *s, int cols)
{
    size_t i = 0;
    int n = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (n == cols)
                break;
            n++;
        }
        i++;
    }
    return i;
}

/* draw_text for text already in its visible form. */
static int draw_visible(struct rect r, int y, int x, enum role role, const char *s)
{
    int room = r.w - x;
    size_t bytes = bytes_for_cols(s, room);
    if (s[bytes])
        note_cut(r.y + y, r.x + x, s, s + bytes);
    int cols = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            cols++;
    wattrset(stdscr, term_role_attr(role));
    /* No control character is left to move the cursor. bytes fits an int:
     * at most 4 bytes a column of the rect. */
    wmove(stdscr, r.y + y, r.x + x);
    waddnstr(stdscr, s, (int)bytes);
    wattrset(stdscr, A_NORMAL);
    mark_roles(r.y + y, r.x + x, cols, role);
    return cols;
}

int draw_text(struct rect r, int y, int x, enum role role, const char *s)
{
    if (y < 0 || y >= r.h || x < 0 || x >= r.w || !s)
        return 0;
    char stack[512], *heap;
    int cols = draw_visible(r, y, x, role, visible(s, 0, stack, sizeof stack, &heap));
    free(heap);
    return cols;
}

bool draw_fits(struct rect r, int y, int x, const char *s)
{
    return y >= 0 && y < r.h && x >= 0 && draw_width(s) <= r.w - x;
}

int draw_whole(struct rect r, int y, int x, enum role role, const char *s)
{
    return draw_fits(r, y, x, s) ? draw_text(r, y, x, role, s) : 0;
}

/* Formats, then draws whole (or clipped when whole is false). */
static int draw_vformat(struct rect r, int y, int x, enum role role, bool whole, const char *fmt,
                        va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return whole ? draw_whole(r, y, x, role, buf) : draw_text(r, y, x, role, buf);
}

int draw_wholef(struct rect r, int y, int x, enum role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = draw_vformat(r, y, x, role, true, fmt, ap);
    va_end(ap);
    return n;
}

/* The longest prefix of s made of whole words that fits in cols columns
 * with `reserve` more columns after it; its byte length. */
static size_t words_prefix(const char *s, int cols, int reserve)
{
    size_t fit = bytes_for_cols(s, cols - reserve > 0 ? cols - reserve : 0);
    if (!s[fit] || s[fit] == ' ')
        return fit;
    while (fit > 0 && s[fit - 1] != ' ')
        fit--;
    while (fit > 0 && s[fit - 1] == ' ')
        fit--;
    return fit;
}

int draw_words(struct rect r, int y, int x, enum role role, const char *s)
{
    if (draw_fits(r, y, x, s))
        return draw_text(r, y, x, role, s);
    if (y < 0 || y >= r.h || x < 0 || x >= r.w)
        return 0;
    /* Words are cut in the visible form, whose widths are what is drawn. */
    char stack[1024], *heap;
    const char *v = visible(s, 0, stack, sizeof stack, &heap);
    size_t keep = words_prefix(v, r.w - x, 3);
    char line[1024];
    if (keep > sizeof line - 4)
        keep = sizeof line - 4;
    memcpy(line, v, keep);
    memcpy(line + keep, keep ? "..." : "", keep ? 4 : 1);
    free(heap);
    return draw_whole(r, y, x, role, line);
}

int draw_textf(struct rect r, int y, int x, enum role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = draw_vformat(r, y, x, role, false, fmt, ap);
    va_end(ap);
    return n;
}

int draw_field(struct rect r, int y, int x, int width, enum role role, const char *s)
{
    if (width <= 0)
        return 0;
    struct rect cell = {r.y, r.x, r.h, x + width < r.w ? x + width : r.w};
    draw_fill(rect_cols(rect_rows(cell, y, 1), x, width), role);
    draw_text(cell, y, x, role, s);
    return width;
}

/* The next line of s that fits in w columns: returns its byte length and
 * sets *next to where the following line starts. */
static size_t wrap_line(const char *s, int w, const char **next)
{
    size_t fit = bytes_for_cols(s, w);
    const char *nl = memchr(s, '\n', fit);
    if (nl) {
        *next = nl + 1;
        return (size_t)(nl - s);
    }
    if (s[fit] == '\0' || s[fit] == '\n') {
        *next = s[fit] ? s + fit + 1 : s + fit;
        return fit;
    }
    size_t cut = fit;
    while (cut > 0 && s[cut] != ' ')
        cut--;
    if (cut == 0) { /* one long word: break it */
        *next = s + fit;
        return fit;
    }
    *next = s + cut + 1;
    return cut;
}

int draw_wrap_rows(int w, const char *s)
{
    if (w <= 0)
        return 0;
    /* Line breaks still break lines; other controls take their escapes'
     * room, as draw_wrap_skip draws them. */
    char stack[1024], *heap;
    s = visible(s, ESCAPE_KEEP_NEWLINES, stack, sizeof stack, &heap);
    int rows = 0;
    while (*s) {
        const char *next;
        wrap_line(s, w, &next);
        rows++;
        s = next;
    }
    free(heap);
    return rows;
}

int draw_wrap(struct rect r, int y, enum role role, const char *s)
{
    return draw_wrap_skip(r, y, role, s, 0);
}

int draw_wrap_skip(struct rect r, int y, enum role role, const char *s, int skip)
{
    /* A line break in the text (a description's paragraphs, a sentence put
     * below another) breaks the line; any other control character is
     * shown in its visible form. */
    char stack[1024], *heap;
    s = visible(s, ESCAPE_KEEP_NEWLINES, stack, sizeof stack, &heap);
    for (; skip > 0 && *s && r.w > 0; skip--) {
        const char *next;
        wrap_line(s, r.w, &next);
        s = next;
    }
    int used = 0;
    while (*s && y + used < r.h) {
        const char *next;
        size_t n = wrap_line(s, r.w, &next);
        char line[1024];
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, s, n);
        line[n] = '\0';
        if (*next && y + used == r.h - 1 && r.w > 3) {
            /* Out of rows with text left: say so after the last whole
             * word rather than cut one. */
            size_t keep = draw_width(line) + 3 <= r.w ? n : words_prefix(line, r.w, 3);
            memcpy(line + keep, "...", 4);
        }
        draw_text(r, y + used, 0, role, line);
        used++;
        s = next;
    }
    free(heap);
    return used;
}

void draw_title(struct rect r, int y, const char *title, const char *extra, bool focused)
{
    if (y < 0 || y >= r.h)
        return;
    wattrset(stdscr, term_role_attr(ROLE_DIM));
    mvwhline(stdscr, r.y + y, r.x, ACS_HLINE, r.w);
    mark_roles(r.y + y, r.x, r.w, ROLE_DIM);
    wattrset(stdscr, A_NORMAL);
    int x = 1;
    char buf[512];
    snprintf(buf, sizeof buf, " %s ", title);
    x += draw_words(r, y, x, focused ? ROLE_TITLE_FOCUS : ROLE_TITLE, buf);
    if (extra && *extra && x + 6 < r.w) {
        /* Whole words of the extra, and a blank before the rule goes on. */
        x += draw_text(r, y, x, ROLE_DIM, " ");
        x += draw_words(rect_cols(r, 0, r.w - 1), y, x, ROLE_DIM, extra);
        draw_text(r, y, x, ROLE_DIM, " ");
    }
}

void draw_box(struct rect r, enum role role, const char *title)
{
    if (r.h < 2 || r.w < 2)
        return;
    draw_fill(r, role);
    attr_t a = term_role_attr(role);
    wattrset(stdscr, a);
    mvwhline(stdscr, r.y, r.x + 1, ACS_HLINE, r.w - 2);
    mvwhline(stdscr, r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
    mvwvline(stdscr, r.y + 1, r.x, ACS_VLINE, r.h - 2);
    mvwvline(stdscr, r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
    mvwaddch(stdscr, r.y, r.x, ACS_ULCORNER);
    mvwaddch(stdscr, r.y, r.x + r.w - 1, ACS_URCORNER);
    mvwaddch(stdscr, r.y + r.h - 1, r.x, ACS_LLCORNER);
    mvwaddch(stdscr, r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
    wattrset(stdscr, A_NORMAL);
    if (title)
        draw_textf(r, 0, 2, role, " %s ", title);
}
