/* Physical memory: a grid of frames, the frame being allocated, the victim
 * being evicted, the source of a copy, dirty frames marked, and the
 * replacement policy's state (its order, the clock hand, Accessed bits)
 * below, so the choice of a victim can be followed.
 *
 * A cell is the richest of three forms that lets every frame fit:
 *   "12 p1 heap+0x3 x2*"  frame 12 holds page 0x3 of pid 1's area heap,
 *                         mapped twice, dirty
 *   "12:S*"               frame 12, a glyph (view_frame_glyph), dirty
 *   "S*"                  the glyph alone, each row led by its first frame
 * Nothing is cut: a form is used only when all its cells fit whole. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/view.h"

enum cell_form { CELL_RICH, CELL_NUMBERED, CELL_GLYPH };

/* Blanks between cells of each form. */
#define GAP_RICH 2
#define GAP_NUMBERED 1
/* Below the grid: a legend row from this many content rows on, and the
 * policy's state on one row from POLICY_MIN_ROWS, two from
 * POLICY_TWO_ROWS. */
#define LEGEND_ROWS 1
#define LEGEND_MIN_ROWS 6
#define POLICY_ROWS 2
#define POLICY_MIN_ROWS 3
#define POLICY_TWO_ROWS 8
/* The grid rows the panel asks for: the richest form while it takes at
 * most RICH_MAX_ROWS (numbered cells when those take at most
 * NUMBERED_MAX_ROWS), else glyphs on at most GLYPH_MAX_ROWS. */
#define RICH_MAX_ROWS 8
#define NUMBERED_MAX_ROWS 12
#define GLYPH_MAX_ROWS 8

struct grid {
    enum cell_form form;
    int cell_w;      /* columns of one cell */
    int gap;         /* blanks between cells */
    int label_w;     /* the row label before the cells (glyph form) */
    int per_row;
};

/* The cells of each form, for nd-digit frame numbers: "12 p1 heap+0x3*"
 * (rich_w the widest label), "12:S*", "S*" after a row label "12 ". */
static struct grid grid_rich(int nd, int rich_w)
{
    return (struct grid){.form = CELL_RICH, .cell_w = nd + 1 + rich_w, .gap = GAP_RICH};
}

static struct grid grid_numbered(int nd)
{
    return (struct grid){.form = CELL_NUMBERED, .cell_w = nd + 3, .gap = GAP_NUMBERED};
}

static struct grid grid_glyph(int nd)
{
    return (struct grid){.form = CELL_GLYPH, .cell_w = 2, .gap = 0, .label_w = nd + 1};
}

/* Cells of a grid that fit in a row of width columns (0 or less: none). */
static int grid_per_row(const struct grid *g, int width)
{
    return (width - g->label_w + g->gap) / (g->cell_w + g->gap);
}

/* The role that says what is happening to a frame now, or its owner's. */
static enum role frame_role(const struct scene *s, uint32_t f, bool *marked)
{
    *marked = true;
    if (f == s->victim_frame)
        return ROLE_VICTIM;
    if (s->alloc_frame != EV_NONE && f >= s->alloc_frame && f - s->alloc_frame < s->alloc_count)
        return ROLE_FRAME_ALLOC;
    if (f == s->source_frame)
        return ROLE_SOURCE;
    if (f == s->table_frame)
        return ROLE_WALK_ACTIVE;
    if (s->current_frame != EV_NONE && f >= s->current_frame &&
        f - s->current_frame < (s->current_count ? s->current_count : 1))
        return ROLE_CURRENT;
    *marked = false;
    return view_frame_role(s->m, f);
}

/* Widest rich label (with its dirty mark) over all frames. */
static int rich_width(const struct machine *m, uint32_t n)
{
    int w = 0;
    for (uint32_t f = 0; f < n; f++) {
        char label[96];
        view_frame_label(m, f, label, sizeof label);
        int lw = draw_width(label) + (view_frame_dirty(m, f) ? 1 : 0);
        if (lw > w)
            w = lw;
    }
    return w;
}

static int rows_for(uint32_t n, int per_row)
{
    return per_row > 0 ? (int)((n + (uint32_t)per_row - 1) / (uint32_t)per_row) : 1 << 30;
}

/* The richest form in which every frame fits in w x h; the glyph form
 * (scrolled) when none does. */
static struct grid choose_grid(const struct machine *m, int w, int h)
{
    uint32_t n = frames_total(&m->pool);
    int nd = view_digits(n ? n - 1 : 0);
    struct grid g = grid_numbered(nd);
    g.per_row = grid_per_row(&g, w);
    bool numbered_fits = g.per_row > 0 && rows_for(n, g.per_row) <= h;
    /* A rich cell is at least as wide as a numbered one: try it only when
     * there is room for that many. */
    if (numbered_fits) {
        struct grid rich = grid_rich(nd, rich_width(m, n));
        rich.per_row = grid_per_row(&rich, w);
        if (rich.per_row > 0 && rows_for(n, rich.per_row) <= h)
            return rich;
        return g;
    }
    struct grid tiny = grid_glyph(nd);
    tiny.per_row = grid_per_row(&tiny, w);
    if (tiny.per_row < 1)
        tiny.per_row = 1;
    return tiny;
}

static void cell_text(const struct machine *m, uint32_t f, const struct grid *g, int nd, char *buf,
                      size_t len)
{
    bool dirty = view_frame_dirty(m, f);
    char num[16];
    /* Right-aligned to nd digits without a variable field width. */
    snprintf(num, sizeof num, "%10" PRIu32, f);
    const char *np = num + 10 - (nd < 10 ? nd : 10);
    switch (g->form) {
    case CELL_RICH: {
        char label[96];
        view_frame_label(m, f, label, sizeof label);
        snprintf(buf, len, "%s %s%s", np, label, dirty ? "*" : "");
        break;
    }
    case CELL_NUMBERED:
        snprintf(buf, len, "%s:%c%s", np, view_frame_glyph(m, f), dirty ? "*" : "");
        break;
    case CELL_GLYPH:
        snprintf(buf, len, "%c%s", view_frame_glyph(m, f), dirty ? "*" : "");
        break;
    }
}

/* Glyphs that can appear, in the legend's order, with their meaning. */
static const struct {
    char glyph;
    const char *text;
} glyph_meanings[] = {
    {'.', "free"},   {'-', "kept for tables"}, {'T', "table"},  {'Z', "zero page"},
    {'f', "file"},   {'m', "shared mem"},      {'S', "shared"}, {'K', "kernel"},
    {'+', "taken"},
};

/* One line saying what the symbols on screen mean, those of processes first. */
static void draw_legend(const struct scene *s, struct rect r, int y, const bool *seen)
{
    const struct machine *m = s->m;
    char text[256];
    size_t n = (size_t)snprintf(text, sizeof text, "key: ");
    for (uint32_t i = 0; i < m->nprocs && i < 9; i++)
        if (seen[(unsigned char)('0' + m->procs[i].pid % 10)] && m->procs[i].pid < 10)
            n += (size_t)snprintf(text + n, sizeof text - n, "%" PRIu32 " pid %" PRIu32 "  ",
                                  m->procs[i].pid, m->procs[i].pid);
    if (seen['#'] && n < sizeof text)
        n += (size_t)snprintf(text + n, sizeof text - n, "# pid>9  ");
    for (size_t i = 0; i < sizeof glyph_meanings / sizeof glyph_meanings[0]; i++)
        if (seen[(unsigned char)glyph_meanings[i].glyph] && n < sizeof text)
            n += (size_t)snprintf(text + n, sizeof text - n, "%c %s  ", glyph_meanings[i].glyph,
                                  glyph_meanings[i].text);
    if (seen['*'] && n < sizeof text)
        n += (size_t)snprintf(text + n, sizeof text - n, "* dirty  ");
    if (n < sizeof text)
        snprintf(text + n, sizeof text - n, "%s all symbols", keys_first(ACTION_HELP).s);
    draw_words(r, y, 0, ROLE_DIM, text);
}

static void policy_line(const struct scene *s, struct rect r, int y)
{
    const struct machine *m = s->m;
    const struct policy *p = &m->policy;
    /* Room for the frames the policy holds, not for every frame. */
    size_t held = policy_held(p);
    uint32_t *order = malloc(sizeof *order * (held ? held : 1));
    if (!order)
        return;
    size_t first_len = 0;
    size_t n = machine_policy_order(m, order, held, &first_len);
    int x = draw_whole(r, y, 0, ROLE_NORMAL, policy_name(p->ops->kind));
    if (p->ops->kind == POLICY_clock)
        x += draw_wholef(r, y, x, ROLE_HAND, " hand->%" PRIu32, p->hand);
    for (int list = 0; list < 2 && y < r.h; list++) {
        const char *name = p->ops->list_names[list];
        if (!name)
            break;
        size_t from = list == 0 ? 0 : first_len, to = list == 0 ? first_len : n;
        char head[64];
        snprintf(head, sizeof head, " %s:", name);
        if (!draw_fits(r, y, x, head) && y + 1 < r.h) {
            y++;
            x = 2;
        }
        x += draw_whole(r, y, x, ROLE_DIM, head);
        if (from == to)
            x += draw_whole(r, y, x, ROLE_DIM, " (none)");
        for (size_t i = from; i < to; i++) {
            uint32_t f = order[i];
            char item[24], more[40];
            snprintf(item, sizeof item, " %" PRIu32 "%s", f, machine_frame_referenced(m, f) ? "r" : "");
            snprintf(more, sizeof more, " +%zu more", to - i - 1);
            /* Room for this item and, unless it is the last, the count of
             * those that would follow. */
            int need = draw_width(item) + (i + 1 < to ? draw_width(more) : 0);
            if (x + need > r.w) {
                if (y + 1 < r.h) {
                    y++;
                    x = 2;
                } else {
                    snprintf(more, sizeof more, " +%zu more", to - i);
                    draw_whole(r, y, x, ROLE_DIM, more);
                    break;
                }
            }
            bool marked;
            enum role role = frame_role(s, f, &marked);
            if (!marked)
                role = i == 0 && list == 0 ? ROLE_HAND : ROLE_NORMAL;
            x += draw_whole(r, y, x, role, item);
        }
    }
    free(order);
}

void view_frames_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    const struct frame_pool *pool = &m->pool;
    uint32_t n = frames_total(pool);
    char extra[160];
    int len = pool->table_frames
                  ? snprintf(extra, sizeof extra,
                             "%" PRIu32 " frames: %" PRIu32 " of %" PRIu32
                             " free for pages, %" PRIu32 " of %" PRIu32 " free for tables",
                             n, pool->free_data, pool->data_frames, pool->free_table,
                             pool->table_frames)
                  : snprintf(extra, sizeof extra, "%" PRIu32 " frames, %" PRIu32 " free", n,
                             pool->free_data);
    len += snprintf(extra + len, sizeof extra - (size_t)len, ", %" PRIu64 "-byte",
                    geometry_page_size(&m->cfg.geo));
    char brief[96];
    if (pool->table_frames)
        snprintf(brief, sizeof brief, "%" PRIu32 " frames, %" PRIu32 "+%" PRIu32 " free", n,
                 pool->free_data, pool->free_table);
    else
        snprintf(brief, sizeof brief, "%" PRIu32 " frames, %" PRIu32 " free", n, pool->free_data);
    struct rect whole = r;
    const char *const extras[] = {extra, brief};
    r = view_frame_fit(v, r, PANEL_FRAMES, extras, 2);
    if (!rect_ok(r))
        return;
    /* Below the grid: the policy (1-2 rows) and a legend when there is room. */
    int policy_rows = r.h >= POLICY_TWO_ROWS ? POLICY_ROWS : r.h >= POLICY_MIN_ROWS ? 1 : 0;
    int legend_rows = r.h >= LEGEND_MIN_ROWS ? LEGEND_ROWS : 0;
    int grid_h = r.h - policy_rows - legend_rows;
    if (grid_h < 1) {
        grid_h = r.h;
        policy_rows = legend_rows = 0;
    }
    struct grid g = choose_grid(m, r.w, grid_h);
    int nd = view_digits(n ? n - 1 : 0);
    int total_rows = rows_for(n, g.per_row);
    int first_row = 0;
    if (total_rows > grid_h) {
        /* Too many frames: a window around what is happening. */
        uint32_t focus = s->victim_frame != EV_NONE  ? s->victim_frame
                         : s->alloc_frame != EV_NONE ? s->alloc_frame
                         : s->source_frame != EV_NONE ? s->source_frame
                                                      : s->current_frame;
        /* A copy is about the frame it fills: when its source is too far
         * from it for one window, the window shows the copy. */
        if (focus == s->source_frame && s->current_frame != EV_NONE &&
            abs((int)(s->current_frame / (uint32_t)g.per_row) -
                (int)(s->source_frame / (uint32_t)g.per_row)) >= grid_h)
            focus = s->current_frame;
        if (v->focused && v->scroll)
            first_row = *v->scroll;
        else if (focus != EV_NONE)
            first_row = (int)focus / g.per_row - (grid_h - 1) / 2;
        if (first_row > total_rows - grid_h)
            first_row = total_rows - grid_h;
        if (first_row < 0)
            first_row = 0;
        if (v->scroll)
            *v->scroll = first_row;
        uint32_t last = (uint32_t)(first_row + grid_h) * (uint32_t)g.per_row;
        char range[64], shown[240];
        snprintf(range, sizeof range, "frames %" PRIu32 "-%" PRIu32 " of 0-%" PRIu32 " shown",
                 (uint32_t)first_row * (uint32_t)g.per_row, (last < n ? last : n) - 1, n - 1);
        snprintf(shown, sizeof shown, "%s; %s", range, extra);
        const char *const windowed[] = {shown, range, range + strlen("frames ")};
        view_frame_fit(v, whole, PANEL_FRAMES, windowed, 3);
    }
    bool seen[256] = {false};
    for (int row = 0; row < grid_h; row++) {
        uint32_t row_first = (uint32_t)(first_row + row) * (uint32_t)g.per_row;
        if (row_first >= n)
            break;
        if (g.form == CELL_GLYPH)
            draw_wholef(r, row, 0, ROLE_DIM, "%*" PRIu32, nd, row_first);
        for (int col = 0; col < g.per_row; col++) {
            uint32_t f = row_first + (uint32_t)col;
            if (f >= n)
                break;
            bool marked;
            enum role role = frame_role(s, f, &marked);
            if (!marked && m->policy.ops->kind == POLICY_clock && f == m->policy.hand &&
                frames_at(pool, f)->kind != FRAME_FREE)
                role = ROLE_HAND;
            char text[128];
            cell_text(m, f, &g, nd, text, sizeof text);
            seen[(unsigned char)view_frame_glyph(m, f)] = true;
            bool dirty = view_frame_dirty(m, f);
            if (dirty)
                seen['*'] = true;
            int x = g.label_w + col * (g.cell_w + g.gap);
            draw_field(r, row, x, g.cell_w, role, text);
            if (dirty && !marked) {
                /* The mark in its own role, so it stands out in any theme. */
                int dx = x + draw_width(text) - 1;
                draw_text(r, row, dx, ROLE_DIRTY, "*");
            }
            hits_add(v->hits, (struct rect){r.y + row, r.x + x, 1, g.cell_w}, HIT_FRAME, f);
        }
    }
    /* The rows the grid leaves free name the devices: memory after RAM,
     * which no frame of the grid is. */
    int device_row = total_rows - first_row;
    for (uint32_t d = 0; d < m->ndevices && device_row < grid_h; d++) {
        const struct device *dev = &m->devices[d];
        char forms[2][160];
        snprintf(forms[0], sizeof forms[0],
                 "beyond RAM: device %s, frames %" PRIu32 "-%" PRIu32 " (mapped whole, never "
                 "evicted)", dev->name, dev->first_frame, dev->first_frame + dev->pages - 1);
        snprintf(forms[1], sizeof forms[1], "beyond RAM: device %s, frames %" PRIu32 "-%" PRIu32,
                 dev->name, dev->first_frame, dev->first_frame + dev->pages - 1);
        if (draw_whole(r, device_row, 0, ROLE_DIM, forms[0]) ||
            draw_whole(r, device_row, 0, ROLE_DIM, forms[1]))
            device_row++;
    }
    int y = grid_h;
    if (legend_rows)
        draw_legend(s, r, y++, seen);
    if (policy_rows)
        policy_line(s, rect_rows(r, y, policy_rows), 0);
}

/* Grid rows the frames would like at content width w: every frame in the
 * richest form that stays reasonable, else a few rows of glyphs. */
static int grid_rows_wanted(const struct scene *s, int width)
{
    const struct machine *m = s->m;
    uint32_t n = frames_total(&m->pool);
    int nd = view_digits(n ? n - 1 : 0);
    struct grid numbered_g = grid_numbered(nd);
    int numbered = rows_for(n, grid_per_row(&numbered_g, width));
    if (numbered <= NUMBERED_MAX_ROWS) {
        struct grid rich_g = grid_rich(nd, rich_width(m, n));
        int rich = rows_for(n, grid_per_row(&rich_g, width));
        return rich <= RICH_MAX_ROWS ? rich : numbered;
    }
    struct grid glyph_g = grid_glyph(nd);
    int tiny = rows_for(n, grid_per_row(&glyph_g, width));
    return tiny > GLYPH_MAX_ROWS ? GLYPH_MAX_ROWS : tiny < 1 ? 1 : tiny;
}

int view_frames_want(const struct scene *s, int width, bool compact)
{
    (void)compact;
    return 1 + grid_rows_wanted(s, width) + LEGEND_ROWS + POLICY_ROWS;
}
