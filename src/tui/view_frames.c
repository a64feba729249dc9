/* Physical memory: a grid of frames coloured by owner and kind, the frame
 * being allocated, the victim being evicted, dirty frames marked, and the
 * replacement policy's state (its order, the clock hand, Accessed bits)
 * on the line below, so the choice of a victim can be followed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/view.h"

/* One character standing for what a frame holds. */
static char frame_glyph(const struct machine *m, uint32_t frame)
{
    const struct frame *f = &m->pool.frames[frame];
    switch ((enum frame_kind)f->kind) {
    case FRAME_FREE: return '.';
    case FRAME_TABLE: return 'T';
    case FRAME_ZERO: return '0';
    case FRAME_FILE: return 'f';
    case FRAME_ANON: {
        uint32_t pid = f->nmaps ? f->maps[0].pid : f->owner_pid;
        return pid < 10 ? (char)('0' + pid) : '#';
    }
    }
    return '?';
}

/* What a frame holds, in words that fit a rich cell. */
static void frame_what(const struct machine *m, uint32_t frame, char *buf, size_t len)
{
    const struct frame *f = &m->pool.frames[frame];
    switch ((enum frame_kind)f->kind) {
    case FRAME_FREE: snprintf(buf, len, "free"); break;
    case FRAME_ZERO: snprintf(buf, len, "zero"); break;
    case FRAME_TABLE:
        snprintf(buf, len, "p%" PRIu32 " %s", f->owner_pid,
                 f->table_level >= 0 ? view_level_name(&m->cfg.geo, (unsigned)f->table_level)
                                     : "tbl");
        break;
    case FRAME_FILE:
        snprintf(buf, len, "%.8s:%" PRIx64,
                 f->object < m->nobjects ? m->objects[f->object].name : "file", f->object_page);
        break;
    case FRAME_ANON:
        if (f->compound)
            snprintf(buf, len, "p%" PRIu32 " huge", f->owner_pid);
        else if (f->nmaps)
            snprintf(buf, len, "p%" PRIu32 " %" PRIx64, f->maps[0].pid, f->maps[0].vpn);
        else
            snprintf(buf, len, "p%" PRIu32 " -", f->owner_pid);
        break;
    }
}

static int digits(uint32_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

static int min_u32(uint32_t a, uint32_t b)
{
    return (int)(a < b ? a : b);
}

struct cell_format {
    int w;        /* columns, separator excluded */
    int kind;     /* 0 glyph, 1 glyph + dirty, 2 number + glyph + dirty, 3 rich */
};

/* The role that says what is happening to a frame now, or its owner's. */
static enum role frame_role(const struct scene *s, uint32_t f, bool *marked)
{
    *marked = true;
    if (f == s->victim_frame)
        return ROLE_VICTIM;
    if (f == s->alloc_frame)
        return ROLE_FRAME_ALLOC;
    if (f == s->table_frame)
        return ROLE_WALK_ACTIVE;
    if (f == s->current_frame)
        return ROLE_CURRENT;
    *marked = false;
    return view_frame_role(s->m, f);
}

static void policy_line(const struct scene *s, struct rect r, int y)
{
    const struct machine *m = s->m;
    const struct policy *p = &m->policy;
    uint32_t total = frames_total(&m->pool);
    uint32_t *order = malloc(sizeof *order * (total ? total : 1));
    if (!order)
        return;
    size_t first_len = 0;
    size_t n = machine_policy_order(m, order, total, &first_len);
    int x = draw_textf(r, y, 0, ROLE_NORMAL, "%s", policy_name(p->ops->kind));
    bool clock = p->ops->kind == POLICY_clock;
    if (clock)
        x += draw_textf(r, y, x, ROLE_HAND, " hand->%" PRIu32, p->hand);
    for (int list = 0; list < 2 && y < r.h; list++) {
        const char *name = p->ops->list_names[list];
        if (!name)
            break;
        size_t from = list == 0 ? 0 : first_len, to = list == 0 ? first_len : n;
        x += draw_textf(r, y, x, ROLE_DIM, " %s:", name);
        if (from == to)
            x += draw_text(r, y, x, ROLE_DIM, " (none)");
        for (size_t i = from; i < to; i++) {
            uint32_t f = order[i];
            char item[24];
            bool ref = machine_frame_referenced(m, f);
            snprintf(item, sizeof item, " %" PRIu32 "%s", f, ref ? "r" : "");
            if (x + draw_width(item) + 4 > r.w) {
                if (y + 1 < r.h) {
                    y++;
                    x = 2;
                } else {
                    draw_text(r, y, x, ROLE_DIM, " ...");
                    break;
                }
            }
            bool marked;
            enum role role = frame_role(s, f, &marked);
            if (!marked)
                role = i == 0 && list == 0 ? ROLE_HAND : ROLE_NORMAL;
            x += draw_text(r, y, x, role, item);
        }
    }
    free(order);
}

void view_frames_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    uint32_t n = frames_total(&m->pool);
    uint32_t free_frames = m->pool.free_data + m->pool.free_table;
    char extra[128];
    int len = m->pool.table_frames
                  ? snprintf(extra, sizeof extra, "%" PRIu32 " frames, %" PRIu32 " free + %" PRIu32
                             " for tables", n, m->pool.free_data, m->pool.free_table)
                  : snprintf(extra, sizeof extra, "%" PRIu32 " frames, %" PRIu32 " free", n,
                             free_frames);
    if (r.w >= 60 && !m->pool.table_frames)
        len += snprintf(extra + len, sizeof extra - (size_t)len, ", %" PRIu64 "-byte pages",
                        geometry_page_size(&m->cfg.geo));
    struct rect whole = r;
    r = view_frame(v, r, PANEL_FRAMES, extra);
    if (!rect_ok(r))
        return;
    /* Below the grid: the policy (1-2 rows) and a legend when there is room. */
    int policy_rows = r.h >= 8 ? 2 : r.h >= 3 ? 1 : 0;
    int legend_rows = r.h >= 6 ? 1 : 0;
    int grid_h = r.h - policy_rows - legend_rows;
    if (grid_h < 1) {
        grid_h = r.h;
        policy_rows = legend_rows = 0;
    }
    int nd = digits(n ? n - 1 : 0);
    const struct cell_format formats[] = {
        {nd + 12, 3}, {nd + 3, 2}, {2, 1}, {1, 0},
    };
    const struct cell_format *fmt = &formats[3];
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        int per_row = (r.w + 1) / (formats[i].w + (formats[i].kind ? 1 : 0));
        if (per_row > 0 && ((int)n + per_row - 1) / per_row <= grid_h) {
            fmt = &formats[i];
            break;
        }
    }
    /* Glyph cells touch: a row of 60 frames reads as a strip of memory. */
    int sep = fmt->kind ? 1 : 0;
    int per_row = (r.w + sep) / (fmt->w + sep);
    if (per_row < 1)
        per_row = 1;
    int total_rows = ((int)n + per_row - 1) / per_row;
    int first_row = 0;
    if (total_rows > grid_h) {
        /* Too many frames: a window around what is happening. */
        uint32_t focus = s->victim_frame != EV_NONE  ? s->victim_frame
                         : s->alloc_frame != EV_NONE ? s->alloc_frame
                                                     : s->current_frame;
        if (v->focused && v->scroll)
            first_row = *v->scroll;
        else if (focus != EV_NONE)
            first_row = (int)focus / per_row - grid_h / 2;
        if (first_row > total_rows - grid_h)
            first_row = total_rows - grid_h;
        if (first_row < 0)
            first_row = 0;
        if (v->scroll)
            *v->scroll = first_row;
    }
    if (total_rows > grid_h) {
        /* Say which part is shown: the title is redrawn with the range. */
        snprintf(extra + len, sizeof extra - (size_t)len, ", showing %d-%d",
                 first_row * per_row, min_u32((uint32_t)((first_row + grid_h) * per_row), n) - 1);
        view_frame(v, whole, PANEL_FRAMES, extra);
    }
    for (int row = 0; row < grid_h; row++) {
        for (int col = 0; col < per_row; col++) {
            uint32_t f = (uint32_t)((first_row + row) * per_row + col);
            if (f >= n)
                break;
            bool marked;
            enum role role = frame_role(s, f, &marked);
            if (!marked && m->policy.ops->kind == POLICY_clock && f == m->policy.hand &&
                m->pool.frames[f].kind != FRAME_FREE)
                role = ROLE_HAND;
            bool dirty = m->pool.frames[f].kind != FRAME_FREE && machine_frame_dirty(m, f);
            char text[64], what[32], num[16];
            /* Right-aligned to nd digits, without a variable field width. */
            snprintf(num, sizeof num, "%10" PRIu32, f);
            const char *np = num + 10 - (nd < 10 ? nd : 10);
            switch (fmt->kind) {
            case 3:
                frame_what(m, f, what, sizeof what);
                snprintf(text, sizeof text, "%s %s%s", np, what, dirty ? "*" : "");
                break;
            case 2:
                snprintf(text, sizeof text, "%s:%c%s", np, frame_glyph(m, f),
                         dirty ? "*" : "");
                break;
            case 1:
                snprintf(text, sizeof text, "%c%s", frame_glyph(m, f), dirty ? "*" : "");
                break;
            default:
                snprintf(text, sizeof text, "%c", dirty ? '*' : frame_glyph(m, f));
                break;
            }
            int x = col * (fmt->w + sep);
            draw_field(r, row, x, fmt->w, role, text);
            if (dirty && fmt->kind > 0) {
                /* The mark in its own role, so it stands out in any theme. */
                int dx = x + draw_width(text) - 1;
                if (dx < x + fmt->w && !marked)
                    draw_text(r, row, dx, ROLE_DIRTY, "*");
            }
            hits_add(v->hits, (struct rect){r.y + row, r.x + x, 1, fmt->w}, HIT_FRAME, f);
        }
    }
    int y = grid_h;
    if (legend_rows) {
        int x = 0;
        x += draw_text(r, y, x, ROLE_PROC1, "1");
        x += draw_text(r, y, x, ROLE_DIM, " pid 1  ");
        x += draw_text(r, y, x, ROLE_FRAME_TABLE, "T");
        x += draw_text(r, y, x, ROLE_DIM, " table  ");
        x += draw_text(r, y, x, ROLE_FRAME_ZERO, "0");
        x += draw_text(r, y, x, ROLE_DIM, " zero  ");
        x += draw_text(r, y, x, ROLE_FRAME_FILE, "f");
        x += draw_text(r, y, x, ROLE_DIM, " file  ");
        x += draw_text(r, y, x, ROLE_EMPTY, ".");
        x += draw_text(r, y, x, ROLE_DIM, " free  ");
        x += draw_text(r, y, x, ROLE_DIRTY, "*");
        x += draw_text(r, y, x, ROLE_DIM, " dirty  ");
        x += draw_text(r, y, x, ROLE_FRAME_ALLOC, "new");
        x += draw_text(r, y, x, ROLE_DIM, " ");
        draw_text(r, y, x, ROLE_VICTIM, "victim");
        y++;
    }
    if (policy_rows)
        policy_line(s, rect_rows(r, y, policy_rows), 0);
}
