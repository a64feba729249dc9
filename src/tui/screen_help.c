/* The help: every key of the viewer, from the key table, then what every
 * symbol on the main screen means; scrolled with the line keys, closed by
 * any other. */
#include <stdio.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"

/* What every symbol on the main screen means, after the keys in the help;
 * the last line, which names keys, is written by symbols_scroll_line. */
static const char *const symbol_lines[] = {
    "",
    "What the symbols on the screen mean",
    "Frames  .  free                     -  free, kept for page tables",
    "        T  a page table             Z  the shared zero page",
    "        f  a file's page cache      m  a page of shared memory",
    "        1-9  an anonymous page of that pid (# from pid 10)",
    "        S  an anonymous page two or more processes map",
    "        K  the kernel's own memory  (k PUD: a table of the kernel's)",
    "        +  just taken, its content not there yet     *  dirty",
    "        12 p1 heap+0x3 x2  frame 12 holds page 0x3 of pid 1's area",
    "           heap (counted from the area's start), mapped twice",
    "        a row led by a number: that row's first frame",
    "Policy  12r  frame 12 with its Accessed bit set; +N more: N not shown",
    "TLB     a1 10>4 WD  ASID 1, virtual page 0x10 is in frame 4",
    "        W writable  D dirty  G global  X executable  H huge page",
    "        K  the kernel's: user mode may not use it (U/S clear)",
    "        -  an empty way    >set  the set the access looks in",
    "Walk    P present  W writable  U user  A accessed  D dirty",
    "        NX (packed: N) no-execute; - or -- a clear bit",
    "        global (packed: G)  a global page, as the kernel's are",
    "        device fb (packed: dev)  a page on device fb, beyond RAM",
    "        >  the entry read now   *  the entry written now",
    "        !  where the walk stopped: the page fault",
    "Swap    3:p1 heap+0x2  slot 3 holds that page of pid 1",
    "        1-9  the owner's pid    m  shared memory    .  free",
};
enum { NSYMBOLS = sizeof symbol_lines / sizeof symbol_lines[0] + 1 };

static void symbols_scroll_line(char *buf, size_t len)
{
    snprintf(buf, len, "Panels  \"sets 0-3 of 0-15 shown\": the rest scroll (%s, then %s/%s)",
             keys_first(ACTION_FOCUS).s, keys_first(ACTION_LINE_UP).s,
             keys_first(ACTION_LINE_DOWN).s);
}

void screen_help_init(struct app *a)
{
    a->help_scroll = 0;
}

void screen_help_draw(struct app *a)
{
    char lines[ACTION_COUNT + 1 + NSYMBOLS][128];
    size_t n = keys_help_lines(lines, ACTION_COUNT);
    size_t keys_end = n + 1;
    snprintf(lines[n++], 128, "%-*s %s", KEYS_HELP_KEYS_WIDTH, "Mouse click",
             "details of a frame, TLB entry or swap slot");
    for (size_t i = 0; i + 1 < NSYMBOLS; i++)
        snprintf(lines[n++], 128, "%s", symbol_lines[i]);
    symbols_scroll_line(lines[n++], 128);
    int width = 0;
    for (size_t i = 0; i < n; i++)
        if (draw_width(lines[i]) > width)
            width = draw_width(lines[i]);
    struct rect box = overlay_box_around(width, (int)n);
    draw_box(box, ROLE_OVERLAY, "Keys and symbols");
    struct rect in = overlay_inside(box, OVERLAY_PAD);
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
    overlay_scroll_footer(box, max_scroll > 0);
}

unsigned screen_help_key(struct app *a, int key)
{
    switch (keys_lookup_in(KEYS_SCROLL, key)) {
    case ACTION_LINE_DOWN:
        a->help_scroll++;
        return APP_HANDLED | APP_REDRAW;
    case ACTION_LINE_UP:
        if (a->help_scroll > 0)
            a->help_scroll--;
        return APP_HANDLED | APP_REDRAW;
    default:
        break;
    }
    if (keys_lookup(key) == ACTION_QUIT)
        return app_ask_quit(a);
    return screens_switch(a, SCREEN_COUNT);
}
