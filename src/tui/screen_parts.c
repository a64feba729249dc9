/* What several screens draw alike: the overlay box and the key hints. */
#include <stdio.h>

#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

/* Where draw_box starts the title in the top border; the footer lines up
 * with it in the bottom one. */
#define OVERLAY_LABEL_X 2

struct rect overlay_box(int w, int h)
{
    int cols, rows;
    term_size(&cols, &rows);
    if (w > cols)
        w = cols;
    if (h > rows)
        h = rows;
    struct rect box = {(rows - h) / 2, (cols - w) / 2, h, w};
    int top = box.y - OVERLAY_MARGIN, left = box.x - OVERLAY_MARGIN;
    int bottom = box.y + box.h + OVERLAY_MARGIN, right = box.x + box.w + OVERLAY_MARGIN;
    if (top < 0)
        top = 0;
    if (left < 0)
        left = 0;
    if (bottom > rows)
        bottom = rows;
    if (right > cols)
        right = cols;
    struct rect margin = {top, left, bottom - top, right - left};
    draw_fill(margin, ROLE_NORMAL);
    return box;
}

struct rect overlay_box_around(int text_w, int text_h)
{
    return overlay_box(text_w + 2 * (1 + OVERLAY_PAD), text_h + 2);
}

struct rect overlay_inside(struct rect box, int pad)
{
    return (struct rect){box.y + 1, box.x + 1 + pad, box.h - 2, box.w - 2 - 2 * pad};
}

void overlay_footer(struct rect box, const char *text)
{
    draw_text(box, box.h - 1, OVERLAY_LABEL_X, ROLE_OVERLAY, text);
}

void overlay_scroll_footer(struct rect box, bool scrolls)
{
    char text[96];
    if (scrolls)
        snprintf(text, sizeof text, " %s/%s scroll, any other key closes ",
                 keys_first(ACTION_LINE_UP).s, keys_first(ACTION_LINE_DOWN).s);
    else
        snprintf(text, sizeof text, " any key closes ");
    overlay_footer(box, text);
}

/* The hints at the end of a bar that stay when the row is short. */
#define HINTS_KEPT 2

/* Columns a hint takes: the keys, a blank, the label, two blanks. */
static int hint_width(const struct keys_hint *h)
{
    return draw_width(h->keys) + 1 + draw_width(h->label) + 2;
}

void hints_draw(struct rect r, enum keys_bar bar)
{
    if (!rect_ok(r))
        return;
    struct keys_hint hints[KEYS_MAX_HINTS];
    size_t n = keys_hints(bar, hints, KEYS_MAX_HINTS);
    int kept_w = 0;
    for (size_t i = n > HINTS_KEPT ? n - HINTS_KEPT : 0; i < n; i++)
        kept_w += hint_width(&hints[i]);
    int x = 1;
    for (size_t i = 0; i < n; i++) {
        /* Whole hints only; the last ones come last but matter: skip
         * middle ones rather than cut the end (whose room keeps a blank
         * at the right edge). */
        int w = hint_width(&hints[i]);
        int rest = i + HINTS_KEPT < n ? kept_w + 1 : 0;
        if (x + w + rest > r.w)
            continue;
        x += draw_text(r, 0, x, ROLE_KEYHINT, hints[i].keys);
        x += draw_textf(r, 0, x, ROLE_DIM, " %s  ", hints[i].label);
    }
}
