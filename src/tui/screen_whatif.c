/* The what-if menu: the machine's knobs with their values, changed one
 * notch at a time to values the scenario can run on; Enter replays the
 * scenario to here on the machine chosen, v compares it side by side. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui/whatif.h"

/* The window's widest, and where the values start after the labels. */
#define WHATIF_MAX_COLS 72
#define WHATIF_VALUE_X 22
#define WHATIF_EDGE 2
/* Rows for the chosen policy's description, or why a knob did not turn. */
#define ABOUT_ROWS 2

static const char *const knob_labels[KNOB_COUNT] = {
#define WHATIF_KNOB_LABEL(id, label) label,
    WHATIF_KNOB_LIST(WHATIF_KNOB_LABEL)
#undef WHATIF_KNOB_LABEL
};

void screen_whatif_init(struct app *a)
{
    (void)a;
}

/* One line of the list: a marker and the label, the value between < >,
 * and what it was when it changed. */
static void draw_knob(struct rect in, int y, const struct whatif *w, enum whatif_knob knob)
{
    bool chosen = w->line == (int)knob;
    enum role role = chosen ? ROLE_SELECTED : ROLE_OVERLAY;
    draw_fill(rect_rows(in, y, 1), role);
    draw_text(in, y, 0, role, chosen ? ">" : " ");
    draw_text(in, y, 2, role, knob_labels[knob]);
    char now[32], was[32];
    whatif_knob_value(&w->edit, knob, now, sizeof now);
    whatif_knob_value(&w->shown, knob, was, sizeof was);
    int x = WHATIF_VALUE_X;
    x += draw_wholef(in, y, x, role, "< %s >", now);
    if (strcmp(now, was) != 0)
        draw_wholef(in, y, x + 2, ROLE_DELTA, "was %s", was);
}

static void draw_action(struct rect in, int y, const struct whatif *w, enum whatif_line line,
                        const char *text)
{
    bool chosen = w->line == (int)line;
    enum role role = chosen ? ROLE_SELECTED : ROLE_OVERLAY;
    draw_fill(rect_rows(in, y, 1), role);
    draw_text(in, y, 0, role, chosen ? ">" : " ");
    draw_words(in, y, 2, role, text);
}

void screen_whatif_draw(struct app *a)
{
    struct whatif *w = a->whatif;
    if (!w)
        return;
    int cols, rows;
    term_size(&cols, &rows);
    int width = cols - 2 * WHATIF_EDGE < WHATIF_MAX_COLS ? cols - 2 * WHATIF_EDGE : WHATIF_MAX_COLS;
    int text_w = width - 2 * (1 + OVERLAY_PAD);
    char intro[160];
    snprintf(intro, sizeof intro,
             "The same scenario on another machine, replayed to step %" PRIu64
             " (operation %" PRIu64 ").",
             timeline_position(a->tl), timeline_op_index(a->tl));
    char about[192];
    snprintf(about, sizeof about, "%s: %s.", policy_name(w->edit.policy),
             policy_description(w->edit.policy));
    const char *below = w->note[0] ? w->note : about;
    char keys[256];
    snprintf(keys, sizeof keys,
             "%s/%s choose, %s/%s or %s/%s change, Enter applies, %s compares side by side, "
             "%s closes.",
             keys_first(ACTION_LINE_UP).s, keys_first(ACTION_LINE_DOWN).s,
             keys_first(ACTION_STEP_BACK).s, keys_first(ACTION_STEP_FORWARD).s,
             keys_first(ACTION_SLOWER).s, keys_first(ACTION_FASTER).s,
             keys_first(ACTION_SPLIT).s, keys_first(ACTION_CLOSE).s);
    /* The intro, a blank, the knobs, a blank, the two actions, a blank,
     * the policy's description (or why a knob did not turn), a blank, the
     * keys: the box is as tall as that, within the screen. */
    int below_h = draw_wrap_rows(text_w, below) < ABOUT_ROWS ? draw_wrap_rows(text_w, below)
                                                               : ABOUT_ROWS;
    int text_h = draw_wrap_rows(text_w, intro) + 1 + KNOB_COUNT + 1 + 2 + 1 + below_h + 1 +
                 draw_wrap_rows(text_w, keys);
    struct rect box = overlay_box_around(text_w, text_h);
    if (box.h > rows - 2 * OVERLAY_MARGIN)
        box = overlay_box(width, rows - 2 * OVERLAY_MARGIN);
    draw_box(box, ROLE_OVERLAY, "What if, from here");
    struct rect in = overlay_inside(box, OVERLAY_PAD);
    int y = draw_wrap(in, 0, ROLE_OVERLAY, intro) + 1;
    for (int k = 0; k < KNOB_COUNT; k++)
        draw_knob(in, y++, w, (enum whatif_knob)k);
    y++;
    draw_action(in, y++, w, WHATIF_LINE_APPLY, "Apply, replayed to here");
    draw_action(in, y++, w, WHATIF_LINE_COMPARE, "Compare side by side with this machine");
    y++;
    y += draw_wrap(rect_rows(in, y, below_h), 0, w->note[0] ? ROLE_ERROR : ROLE_DIM, below);
    if (in.h - y - 1 > 0)
        draw_wrap(rect_rows(in, y + 1, in.h - y - 1), 0, ROLE_KEYHINT, keys);
}

/* Enter, which the key table gives to stepping on the main screen. */
static bool is_enter(int key)
{
    return key == '\n' || key == '\r' || key == KEY_ENTER;
}

/* Turns the chosen knob; says in the menu when there is no other value. */
static void turn(struct app *a, struct whatif *w, int direction)
{
    w->note[0] = '\0';
    if (w->line >= KNOB_COUNT)
        return;
    enum whatif_knob knob = (enum whatif_knob)w->line;
    if (!whatif_knob_turn(a, &w->edit, knob, direction))
        snprintf(w->note, sizeof w->note, "%s: no %s value this scenario can run on.",
                 knob_labels[knob], direction > 0 ? "larger" : "smaller");
}

static bool same_machine(const struct whatif_knobs *x, const struct whatif_knobs *y)
{
    return x->policy == y->policy && x->frames == y->frames && x->tlb_entries == y->tlb_entries &&
           x->tlb_ways == y->tlb_ways && x->asid == y->asid && x->seed == y->seed;
}

/* Enter or v: the machine edited, applied or beside this one. */
static unsigned choose(struct app *a, struct whatif *w, bool compare)
{
    struct timeline_overrides o;
    whatif_overrides(&a->opts.overrides, &w->shown, &w->edit, &o);
    screens_switch(a, SCREEN_COUNT);
    /* Nothing edited: compare with what v on the main screen would. */
    if (compare && same_machine(&w->edit, &w->shown))
        return whatif_action(a, ACTION_SPLIT);
    if (compare)
        return whatif_split_open(a, &o);
    if (same_machine(&w->edit, &w->shown)) {
        snprintf(a->message, sizeof a->message, "The same machine: nothing to replay.");
        a->message_error = false;
        return APP_HANDLED | APP_REDRAW;
    }
    return whatif_apply(a, &o);
}

unsigned screen_whatif_key(struct app *a, int key)
{
    struct whatif *w = a->whatif;
    if (!w)
        return screens_switch(a, SCREEN_COUNT);
    switch (keys_lookup_in(KEYS_SCROLL, key)) {
    case ACTION_LINE_UP:
        w->line = (w->line + WHATIF_LINES - 1) % WHATIF_LINES;
        w->note[0] = '\0';
        return APP_HANDLED | APP_REDRAW;
    case ACTION_LINE_DOWN:
        w->line = (w->line + 1) % WHATIF_LINES;
        w->note[0] = '\0';
        return APP_HANDLED | APP_REDRAW;
    default:
        break;
    }
    if (is_enter(key))
        return choose(a, w, w->line == WHATIF_LINE_COMPARE);
    switch (keys_lookup(key)) {
    case ACTION_STEP_FORWARD:
    case ACTION_FASTER:
        turn(a, w, +1);
        return APP_HANDLED | APP_REDRAW;
    case ACTION_STEP_BACK:
    case ACTION_SLOWER:
        turn(a, w, -1);
        return APP_HANDLED | APP_REDRAW;
    case ACTION_SPLIT:
        return choose(a, w, true);
    case ACTION_CLOSE:
        return screens_switch(a, SCREEN_COUNT);
    case ACTION_QUIT:
        return APP_QUIT;
    default:
        return APP_HANDLED;
    }
}
