/* The access panel: the virtual address cut into its fields, in hex and in
 * binary, each field in its level's colour, the physical address once the
 * translation is known, and the strip of stages the access goes through. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

static const char *access_word(enum access_kind k)
{
    return k == ACCESS_WRITE ? "write" : k == ACCESS_EXEC ? "exec" : "read";
}

/* Hex digits needed for addresses below 2^bits. */
static int hex_digits(unsigned bits)
{
    int d = (int)((bits + 3) / 4);
    return d < 1 ? 1 : d;
}

/* Row 0: who accesses what, and where it lands. */
static void draw_address_line(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    int x = 0;
    const char *pname = a->proc ? a->proc->name : "";
    x += draw_textf(r, y, x, ROLE_NORMAL, "pid %" PRIu32 "%s%s%s ", a->pid, *pname ? " (" : "",
                    pname, *pname ? ")" : "");
    x += draw_textf(r, y, x, ROLE_CURRENT, "%s", access_word(a->kind));
    x += draw_text(r, y, x, ROLE_DIM, "  VA ");
    x += draw_textf(r, y, x, ROLE_VA, "0x%0*" PRIx64, hex_digits(g->va_bits), a->va);
    x += draw_text(r, y, x, ROLE_DIM, "  ->  PA ");
    if (a->pa_known)
        x += draw_textf(r, y, x, ROLE_PA, "0x%" PRIx64, a->pa);
    else if (a->segv)
        x += draw_text(r, y, x, ROLE_FAULT, "none (SIGSEGV)");
    else
        x += draw_text(r, y, x, ROLE_DIM, "? (not translated yet)");
    if (a->in_progress && x + 14 <= r.w)
        draw_text(r, y, x, ROLE_DIM, "   in progress");
}

/* Rows 1-2: the bits of the VA grouped by field, and each field's value
 * under it. Returns false when the row is too narrow for the binary. */
static bool draw_bits(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    unsigned used = g->page_shift;
    for (unsigned l = 0; l < g->levels; l++)
        used += g->index_bits[l];
    int width = 5 + (int)used + (int)g->levels + 1;
    if (width > r.w)
        return false;
    /* Short teaching addresses get a space between bits: easier to count,
     * and room for each field's label under it. */
    int sp = used <= 32 && 5 + 2 * (int)used + 2 * (int)g->levels + 2 <= r.w ? 2 : 1;
    draw_text(r, y, 0, ROLE_DIM, "bits");
    draw_text(r, y + 1, 0, ROLE_DIM, "idx");
    int x = 5;
    for (unsigned l = 0; l <= g->levels; l++) {
        bool offset = l == g->levels;
        unsigned nbits = offset ? g->page_shift : g->index_bits[l];
        unsigned low = offset ? 0 : geometry_level_shift(g, l);
        enum role role = offset ? ROLE_OFFSET : view_level_role(l);
        char bits[130];
        size_t k = 0;
        for (unsigned b = 0; b < nbits && b < 64; b++) {
            if (b && sp == 2)
                bits[k++] = ' ';
            bits[k++] = (a->va >> (low + nbits - 1 - b)) & 1 ? '1' : '0';
        }
        bits[k] = '\0';
        draw_text(r, y, x, role, bits);
        int fieldw = (int)k;
        uint64_t value = offset ? geometry_offset(g, a->va) : geometry_index(g, a->va, l);
        char label[32];
        if (offset)
            snprintf(label, sizeof label, "off 0x%" PRIx64, value);
        else
            snprintf(label, sizeof label, "%s %" PRIu64, view_level_name(g, l), value);
        if (draw_width(label) > fieldw) /* too narrow for the name: the number alone */
            snprintf(label, sizeof label, offset ? "0x%" PRIx64 : "%" PRIu64, value);
        draw_text(rect_cols(r, 0, x + fieldw), y + 1, x, role, label);
        x += fieldw + sp;
    }
    if (g->va_bits > used && x + 10 < r.w)
        draw_textf(r, y, x + 1, ROLE_DIM, "(bits %u+ are the sign)", used);
    return true;
}

/* The same split without binary, for narrow screens. */
static void draw_fields_compact(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    int x = draw_text(r, y, 0, ROLE_DIM, "split ");
    for (unsigned l = 0; l < g->levels; l++)
        x += draw_textf(r, y, x, view_level_role(l), "%s %" PRIu64 " ", view_level_name(g, l),
                        geometry_index(g, a->va, l));
    draw_textf(r, y, x, ROLE_OFFSET, "off 0x%" PRIx64, geometry_offset(g, a->va));
}

/* The stages still to come after the last one reached, as they would go
 * if nothing unusual happens. */
static size_t predict(const struct scene_access *a, enum stage *out)
{
    static const enum stage after_fault[] = {STAGE_FAULT, STAGE_HANDLER, STAGE_FREE_FRAME,
                                             STAGE_LOAD,  STAGE_PTE,     STAGE_RESTART,
                                             STAGE_FILL,  STAGE_DONE};
    static const enum stage after_restart[] = {STAGE_RESTART, STAGE_TLB_MISS, STAGE_WALK,
                                               STAGE_FILL, STAGE_DONE};
    static const enum stage after_miss[] = {STAGE_TLB_MISS, STAGE_WALK, STAGE_FILL, STAGE_DONE};
    static const enum stage after_hit[] = {STAGE_TLB_HIT, STAGE_DONE};
    if (!a->in_progress || a->nstages == 0 || a->segv)
        return 0;
    enum stage last = a->stages[a->nstages - 1];
    const enum stage *chain;
    size_t n;
    if (a->restarted) {
        chain = after_restart;
        n = sizeof after_restart / sizeof after_restart[0];
    } else if (a->faulted) {
        chain = after_fault;
        n = sizeof after_fault / sizeof after_fault[0];
        if (last == STAGE_EVICT)
            last = STAGE_FREE_FRAME;
    } else if (a->tlb_missed) {
        chain = after_miss;
        n = sizeof after_miss / sizeof after_miss[0];
    } else if (a->tlb_hit_index >= 0) {
        chain = after_hit;
        n = 2;
    } else {
        return 0;
    }
    size_t at = n;
    for (size_t i = 0; i < n; i++)
        if (chain[i] == last)
            at = i;
    size_t k = 0;
    for (size_t i = at + 1; i < n; i++)
        out[k++] = chain[i];
    return k;
}

static enum role stage_role(enum stage st, bool now)
{
    if (now)
        return (st == STAGE_FAULT || st == STAGE_SEGV) ? ROLE_FAULT : ROLE_STAGE_NOW;
    if (st == STAGE_FAULT || st == STAGE_SEGV)
        return ROLE_FAULT;
    return ROLE_STAGE_DONE;
}

/* Short labels for narrow strips. */
static const char *stage_short(enum stage st)
{
    switch (st) {
    case STAGE_SPLIT: return "split";
    case STAGE_FREE_FRAME: return "frame";
    case STAGE_PTE: return "PTE";
    case STAGE_FILL: return "fill";
    default: return stage_label(st);
    }
}

static int strip_width(const enum stage *done, size_t ndone, const enum stage *todo, size_t ntodo,
                       bool shorter, int sep)
{
    int total = 0;
    for (size_t i = 0; i < ndone; i++)
        total += draw_width(shorter ? stage_short(done[i]) : stage_label(done[i])) + sep;
    for (size_t i = 0; i < ntodo; i++)
        total += draw_width(shorter ? stage_short(todo[i]) : stage_label(todo[i])) + sep;
    return total - sep;
}

/* The access as a sequence: stages done, the one now, those to come.
 * When it does not fit: shorter labels, then tighter arrows, and only then
 * the oldest stages go. */
static void draw_stages(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    enum stage todo[16];
    size_t ntodo = predict(a, todo);
    int room = r.w - 7;
    bool shorter = false;
    int sep = 3;
    if (strip_width(a->stages, a->nstages, todo, ntodo, false, 3) > room)
        shorter = true;
    if (strip_width(a->stages, a->nstages, todo, ntodo, true, 3) > room)
        sep = 1;
    size_t first = 0;
    while (strip_width(a->stages + first, a->nstages - first, todo, ntodo, shorter, sep) + 2 >
               room &&
           first + 1 < a->nstages)
        first++;
    const char *arrow = sep == 3 ? " > " : ">";
    int x = draw_text(r, y, 0, ROLE_DIM, "steps ");
    if (first)
        x += draw_text(r, y, x, ROLE_DIM, "< ");
    bool last_now = s->cur && s->cur->kind == TL_MACHINE &&
                    (a->in_progress || s->cur->ev.kind == EV_ACCESS_DONE);
    for (size_t i = first; i < a->nstages; i++) {
        bool now = i + 1 == a->nstages && last_now;
        if (i > first)
            x += draw_text(r, y, x, ROLE_DIM, arrow);
        x += draw_text(r, y, x, stage_role(a->stages[i], now),
                       shorter ? stage_short(a->stages[i]) : stage_label(a->stages[i]));
    }
    for (size_t i = 0; i < ntodo; i++) {
        x += draw_text(r, y, x, ROLE_DIM, arrow);
        x += draw_text(r, y, x, ROLE_STAGE_TODO,
                       shorter ? stage_short(todo[i]) : stage_label(todo[i]));
    }
}

void view_access_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    char extra[96];
    const struct geometry *geo = &s->m->cfg.geo;
    snprintf(extra, sizeof extra, "%s: %u-bit VA, %u levels, %" PRIu64 "-byte pages", geo->name,
             geo->va_bits, geo->levels, geometry_page_size(geo));
    r = view_frame(v, r, PANEL_ACCESS, extra);
    if (!s->acc.present) {
        draw_text(r, 0, 0, ROLE_DIM, "No memory access yet.");
        draw_wrap(rect_below(r, 1), 0, ROLE_DIM,
                  "Press Space to play, Right (or PgDn) to take one step, ? for all the keys. "
                  "Each access will appear here: its virtual address cut into one index per "
                  "page-table level and an offset.");
        return;
    }
    int y = 0;
    draw_address_line(s, r, y++);
    if (r.h >= 4 && draw_bits(s, r, y))
        y += 2;
    else
        draw_fields_compact(s, r, y++);
    if (y < r.h)
        draw_stages(s, r, y++);
    if (y < r.h && r.h >= 5) {
        const struct geometry *g = &s->m->cfg.geo;
        draw_textf(r, y, 0, ROLE_DIM,
                   "The MMU reads the %u indices from left to right, one table per level; the "
                   "offset (%u bits) is kept as it is.",
                   g->levels, g->page_shift);
    }
}
