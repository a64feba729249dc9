/* What presenter mode draws besides the panels: the virtual address split
 * drawn big, one wide box per field, readable from the back row; and the
 * one-line summary each panel shrinks to when another is the subject. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

/* The box of one field: its border, its name row, its value row, its
 * bits row, its border. */
#define BIG_BOX_ROWS 5
/* Columns between two boxes. */
#define BIG_BOX_GAP 1
/* With room, the value is drawn in glyphs this many cells high and wide
 * (a blank column between two), made of '#': a terminal's cells are the
 * only pixels, and '#' shows in every locale and every theme. */
#define GLYPH_ROWS 5
#define GLYPH_COLS 3
#define GLYPH_GAP 1

/* The glyphs of what a value is written with: hex digits and the x of
 * 0x, row by row, '#' set. */
static const struct {
    char c;
    const char *rows[GLYPH_ROWS];
} glyphs[] = {
    {'0', {"###", "# #", "# #", "# #", "###"}}, {'1', {" # ", "## ", " # ", " # ", "###"}},
    {'2', {"###", "  #", "###", "#  ", "###"}}, {'3', {"###", "  #", "###", "  #", "###"}},
    {'4', {"# #", "# #", "###", "  #", "  #"}}, {'5', {"###", "#  ", "###", "  #", "###"}},
    {'6', {"###", "#  ", "###", "# #", "###"}}, {'7', {"###", "  #", "  #", "  #", "  #"}},
    {'8', {"###", "# #", "###", "# #", "###"}}, {'9', {"###", "# #", "###", "  #", "###"}},
    {'a', {"###", "# #", "###", "# #", "# #"}}, {'b', {"## ", "# #", "## ", "# #", "## "}},
    {'c', {"###", "#  ", "#  ", "#  ", "###"}}, {'d', {"## ", "# #", "# #", "# #", "## "}},
    {'e', {"###", "#  ", "###", "#  ", "###"}}, {'f', {"###", "#  ", "###", "#  ", "#  "}},
    {'x', {"   ", "# #", " # ", "# #", "   "}},
};

/* The columns text takes in glyphs; 0 when a character has none. */
static int glyph_width(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++) {
        bool known = false;
        for (size_t g = 0; g < sizeof glyphs / sizeof glyphs[0]; g++)
            known = known || glyphs[g].c == *p;
        if (!known)
            return 0;
        n++;
    }
    return n ? n * (GLYPH_COLS + GLYPH_GAP) - GLYPH_GAP : 0;
}

/* Row `row` of text in glyphs, into buf (glyph_width(text) + 1 bytes). */
static void glyph_row(const char *text, int row, char *buf, size_t len)
{
    size_t k = 0;
    for (const char *p = text; *p; p++)
        for (size_t g = 0; g < sizeof glyphs / sizeof glyphs[0]; g++) {
            if (glyphs[g].c != *p)
                continue;
            if (p != text && k + GLYPH_GAP < len)
                buf[k++] = ' ';
            for (int c = 0; c < GLYPH_COLS && k + 1 < len; c++)
                buf[k++] = glyphs[g].rows[row][c];
        }
    buf[k] = '\0';
}

/* The fields of the split: the indices the translation uses, then the
 * offset. */
struct big_field {
    char name[32];
    char value[32];
    char bits[72];
    enum role role;
    int width;            /* the box's, borders included */
    int inner_small;      /* the inside the value needs in plain digits */
    int inner_big;        /* ...and in glyphs */
};

static size_t big_fields(const struct scene *s, struct big_field *f)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    unsigned levels = g->levels;
    while (levels > 0 && geometry_level_shift(g, levels - 1) < a->span_shift)
        levels--;
    size_t n = 0;
    for (unsigned l = 0; l <= levels; l++) {
        bool offset = l == levels;
        unsigned nbits = offset ? a->span_shift : g->index_bits[l];
        unsigned low = offset ? 0 : geometry_level_shift(g, l);
        struct big_field *b = &f[n++];
        memset(b, 0, sizeof *b);
        uint64_t value = offset ? a->va & ((UINT64_C(1) << a->span_shift) - 1)
                                : geometry_index(g, a->va, l);
        if (offset) {
            snprintf(b->name, sizeof b->name, "offset");
            snprintf(b->value, sizeof b->value, "0x%" PRIx64, value);
        } else {
            snprintf(b->name, sizeof b->name, "%s index", geometry_level_name(g, (int)l));
            snprintf(b->value, sizeof b->value, "%" PRIu64, value);
        }
        size_t k = 0;
        for (unsigned bit = 0; bit < nbits && k + 1 < sizeof b->bits; bit++)
            b->bits[k++] = (a->va >> (low + nbits - 1 - bit)) & 1 ? '1' : '0';
        b->bits[k] = '\0';
        b->role = offset ? ROLE_OFFSET : view_level_role(l);
        int inner = (int)k;
        if (draw_width(b->name) > inner)
            inner = draw_width(b->name);
        b->inner_small = draw_width(b->value) > inner ? draw_width(b->value) : inner;
        b->inner_big = glyph_width(b->value) > inner ? glyph_width(b->value) : inner;
    }
    return n;
}

int view_access_big_rows(void)
{
    /* The address line, the boxes, the stages. */
    return 1 + BIG_BOX_ROWS + 1;
}

/* The boxes' widths (borders included) when their values take `big`
 * glyphs or plain digits, the spare columns shared out as evenly as they
 * go; false when they do not fit in w. */
static bool fit_boxes(struct big_field *f, size_t n, int w, bool big)
{
    int need = 0;
    for (size_t i = 0; i < n; i++) {
        f[i].width = (big ? f[i].inner_big : f[i].inner_small) + 2;
        need += f[i].width + (i ? BIG_BOX_GAP : 0);
    }
    if (need > w)
        return false;
    int spare = w - need;
    for (size_t i = 0; i < n; i++) {
        int share = spare / (int)(n - i);
        f[i].width += share;
        spare -= share;
    }
    return true;
}

/* Text centred in a box's inside row. */
static void centred(struct rect r, int y, int x, int w, enum role role, const char *text)
{
    int tw = draw_width(text);
    draw_whole(r, y, x + (w - tw) / 2, role, text);
}

bool view_access_big_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    struct rect in = view_frame(v, r, PANEL_ACCESS, "the virtual address, field by field");
    if (!s->acc.present || in.h < view_access_big_rows())
        return false;
    struct big_field f[GEOMETRY_MAX_LEVELS + 1];
    size_t n = big_fields(s, f);
    /* The values in glyphs when the rows and the columns allow, else in
     * digits; wide boxes either way. */
    int value_rows = 1;
    if (in.h >= view_access_big_rows() - 1 + GLYPH_ROWS && fit_boxes(f, n, in.w, true))
        value_rows = GLYPH_ROWS;
    else if (!fit_boxes(f, n, in.w, false))
        return false;
    int box_rows = BIG_BOX_ROWS - 1 + value_rows;
    view_access_address_line(s, in, 0);
    int y = 1, x = 0;
    for (size_t i = 0; i < n; i++) {
        struct rect box = {in.y + y, in.x + x, box_rows, f[i].width};
        draw_box(box, f[i].role, NULL);
        int inner = f[i].width - 2;
        centred(in, y + 1, x + 1, inner, f[i].role, f[i].name);
        if (value_rows == 1) {
            centred(in, y + 2, x + 1, inner, f[i].role, f[i].value);
        } else {
            for (int row = 0; row < GLYPH_ROWS; row++) {
                char line[128];
                glyph_row(f[i].value, row, line, sizeof line);
                /* Centred as a block: trailing blanks kept. */
                draw_text(in, y + 2 + row, x + 1 + (inner - glyph_width(f[i].value)) / 2,
                          f[i].role, line);
            }
        }
        centred(in, y + 2 + value_rows, x + 1, inner, f[i].role, f[i].bits);
        x += f[i].width + BIG_BOX_GAP;
    }
    view_access_stages(s, in, y + box_rows);
    return true;
}

/* ------------------------------------------------------------------ */
/* one-line summaries                                                   */

static uint32_t frames_used(const struct machine *m)
{
    return frames_total(&m->pool) - m->pool.free_data - m->pool.free_table;
}

void view_summary(const struct scene *s, enum panel p, char *buf, size_t len)
{
    const struct machine *m = s->m;
    const struct counters *c = &m->counters;
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &m->cfg.geo;
    switch (p) {
    case PANEL_ACCESS: {
        if (!a->present) {
            snprintf(buf, len, "none yet");
            return;
        }
        int used = snprintf(buf, len, "pid %" PRIu32 " %s 0x%" PRIx64 " =", a->pid,
                            access_kind_name(a->kind), a->va);
        for (unsigned l = 0; l < g->levels && used > 0 && (size_t)used < len; l++)
            used += snprintf(buf + used, len - (size_t)used, " %s %" PRIu64,
                             geometry_level_name(g, (int)l), geometry_index(g, a->va, l));
        if (used > 0 && (size_t)used < len)
            snprintf(buf + used, len - (size_t)used, " off 0x%" PRIx64,
                     geometry_offset(g, a->va));
        return;
    }
    case PANEL_WALK:
        if (s->cr3_proc)
            snprintf(buf, len, "CR3 frame %" PRIu32 " (pid %" PRIu32 "), walks %" PRIu64,
                     s->cr3_proc->root, s->cr3_proc->pid, c->page_walks);
        else
            snprintf(buf, len, "walks %" PRIu64, c->page_walks);
        return;
    case PANEL_TLB:
        snprintf(buf, len, "valid %u/%" PRIu32 ", hits %" PRIu64 ", misses %" PRIu64,
                 tlb_count_valid(&m->tlb), m->tlb.sets * m->tlb.ways, c->tlb_hits,
                 c->tlb_misses);
        return;
    case PANEL_FRAMES:
        snprintf(buf, len, "used %" PRIu32 "/%" PRIu32 ", evicted %" PRIu64, frames_used(m),
                 frames_total(&m->pool), c->evictions);
        return;
    case PANEL_SWAP:
        snprintf(buf, len, "used %" PRIu32 "/%" PRIu32 ", out %" PRIu64 ", in %" PRIu64,
                 m->swap.used, m->swap.nslots, c->swap_outs, c->swap_ins);
        return;
    case PANEL_PROCESS: {
        uint32_t alive = 0;
        for (uint32_t i = 0; i < m->nprocs; i++)
            alive += m->procs[i].alive;
        if (m->current < m->nprocs && m->procs[m->current].alive)
            snprintf(buf, len, "alive %" PRIu32 ", running pid %" PRIu32, alive,
                     m->procs[m->current].pid);
        else
            snprintf(buf, len, "alive %" PRIu32, alive);
        return;
    }
    case PANEL_COUNTERS:
        snprintf(buf, len, "minor %" PRIu64 ", major %" PRIu64 ", SIGSEGV %" PRIu64,
                 c->minor_faults, c->major_faults, c->segfaults);
        return;
    case PANEL_NARRATION:
    case PANEL_LOG:
    case PANEL_COUNT:
        break;
    }
    snprintf(buf, len, "%s", "");
}

int view_summary_width(const struct scene *s, enum panel p)
{
    char text[256];
    view_summary(s, p, text, sizeof text);
    return draw_width(panel_ops(p)->brief) + 1 + draw_width(text);
}

void view_summary_draw(const struct scene *s, enum panel p, struct rect r)
{
    if (!rect_ok(r))
        return;
    char text[256];
    view_summary(s, p, text, sizeof text);
    int x = draw_text(r, 0, 0, ROLE_TITLE, panel_ops(p)->brief);
    draw_words(r, 0, x + 1, ROLE_NORMAL, text);
}
