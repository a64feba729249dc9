/* The access panel: the virtual address cut into its fields, in hex and in
 * binary, each field in its level's colour, the physical address once the
 * translation is known, and the strip of stages the access goes through. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/view.h"

static const char *access_word(enum access_kind k, bool kernel)
{
    if (kernel)
        return k == ACCESS_WRITE ? "kernel write" : k == ACCESS_EXEC ? "kernel exec"
                                                                     : "kernel read";
    return k == ACCESS_WRITE ? "write" : k == ACCESS_EXEC ? "exec" : "read";
}

/* Hex digits needed for addresses below 2^bits. */
static int hex_digits(unsigned bits)
{
    int d = (int)((bits + 3) / 4);
    return d < 1 ? 1 : d;
}

/* Row 0: who accesses what, and where it lands. The process's name goes
 * first when the row is short of room; the addresses are always whole. */
void view_access_address_line(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    char who[64], va[40], pa[64];
    const char *pname = a->proc ? a->proc->name : "";
    snprintf(va, sizeof va, "0x%0*" PRIx64, hex_digits(g->va_bits), a->va);
    enum role pa_role = ROLE_PA;
    if (a->pa_known)
        snprintf(pa, sizeof pa, "0x%" PRIx64, a->pa);
    else if (a->killed)
        snprintf(pa, sizeof pa, "none (the OOM killer ended the process)");
    else if (a->segv)
        snprintf(pa, sizeof pa, "none (SIGSEGV)");
    else
        snprintf(pa, sizeof pa, "? (not translated yet)");
    if (!a->pa_known)
        pa_role = a->killed || a->segv ? ROLE_FAULT : ROLE_DIM;
    for (int form = 0; form < 3; form++) {
        if (form == 0 && *pname)
            snprintf(who, sizeof who, "pid %" PRIu32 " (%s) ", a->pid, pname);
        else
            snprintf(who, sizeof who, "pid %" PRIu32 " ", a->pid);
        if (form == 2 && !a->pa_known)
            snprintf(pa, sizeof pa, "%s", a->killed ? "none (OOM kill)" : a->segv ? "none" : "?");
        int w = draw_width(who) + draw_width(access_word(a->kind, a->kernel)) + 5 +
                draw_width(va) + 9 +
                draw_width(pa);
        if (w > r.w && form < 2)
            continue;
        int x = draw_text(r, y, 0, ROLE_NORMAL, who);
        x += draw_text(r, y, x, ROLE_CURRENT, access_word(a->kind, a->kernel));
        x += draw_text(r, y, x, ROLE_DIM, "  VA ");
        x += draw_whole(r, y, x, ROLE_VA, va);
        x += draw_text(r, y, x, ROLE_DIM, "  ->  PA ");
        x += draw_whole(r, y, x, pa_role, pa);
        if (a->in_progress)
            draw_whole(r, y, x, ROLE_DIM, "   in progress");
        return;
    }
}

/* Rows 1-2: the bits of the VA grouped by field, and each field's value
 * under it. Returns false when the row is too narrow for the binary. */
/* The levels whose indices the translation uses: all of them, or those
 * down to the entry that maps a huge page (the rest of the VA is then the
 * offset within it). */
static unsigned index_levels(const struct scene_access *a, const struct geometry *g)
{
    unsigned n = g->levels;
    while (n > 0 && geometry_level_shift(g, n - 1) < a->span_shift)
        n--;
    return n;
}

static bool draw_bits(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    unsigned levels = index_levels(a, g);
    unsigned used = g->page_shift;
    for (unsigned l = 0; l < g->levels; l++)
        used += g->index_bits[l];
    int width = 5 + (int)used + (int)levels + 1;
    if (width > r.w)
        return false;
    /* Short teaching addresses get a space between bits: easier to count,
     * and room for each field's label under it. */
    int sp = used <= 32 && 5 + 2 * (int)used + 2 * (int)levels + 2 <= r.w ? 2 : 1;
    draw_text(r, y, 0, ROLE_DIM, "bits");
    draw_text(r, y + 1, 0, ROLE_DIM, "idx");
    int x = 5;
    for (unsigned l = 0; l <= levels; l++) {
        bool offset = l == levels;
        unsigned nbits = offset ? a->span_shift : g->index_bits[l];
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
        uint64_t value = offset ? a->va & ((UINT64_C(1) << a->span_shift) - 1)
                                : geometry_index(g, a->va, l);
        char label[32];
        if (offset)
            snprintf(label, sizeof label, "off 0x%" PRIx64, value);
        else
            snprintf(label, sizeof label, "%s %" PRIu64, geometry_level_name(g, (int)l), value);
        if (draw_width(label) > fieldw) /* too narrow for the name: the number alone */
            snprintf(label, sizeof label, offset ? "0x%" PRIx64 : "%" PRIu64, value);
        draw_whole(rect_cols(r, 0, x + fieldw), y + 1, x, role, label);
        x += fieldw + sp;
    }
    if (g->sign_extended && !geometry_canonical(g, a->va))
        draw_wholef(r, y, x + 1, ROLE_FAULT, "(bits %u+ do not all copy bit %u: not canonical)",
                    used, g->va_bits - 1);
    else if (g->va_bits > used)
        draw_wholef(r, y, x + 1, ROLE_DIM, "(bits %u+ are the sign)", used);
    return true;
}

/* The same split without binary, for narrow screens. */
static void draw_fields_compact(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    int x = draw_text(r, y, 0, ROLE_DIM, "split ");
    for (unsigned l = 0; l < g->levels; l++)
        x += draw_textf(r, y, x, view_level_role(l), "%s %" PRIu64 " ", geometry_level_name(g, (int)l),
                        geometry_index(g, a->va, l));
    draw_textf(r, y, x, ROLE_OFFSET, "off 0x%" PRIx64, geometry_offset(g, a->va));
}

static enum role stage_role(enum stage st, bool now)
{
    if (stage_alarming(st))
        return ROLE_FAULT;
    return now ? ROLE_STAGE_NOW : ROLE_STAGE_DONE;
}

static int strip_width(const enum stage *st, size_t n, bool shorter, int sep, bool more)
{
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += draw_width(shorter ? stage_brief(st[i]) : stage_label(st[i])) + sep;
    return total - sep + (more ? sep + 3 : 0);
}

/* The access as a sequence: the stages done and the one now, then "..."
 * while it goes on - nothing is shown before it has happened. When it does
 * not fit: shorter labels, then tighter arrows, and only then the oldest
 * stages go. */
void view_access_stages(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    bool more = a->in_progress;
    int room = r.w - 6;
    bool shorter = strip_width(a->stages, a->nstages, false, 3, more) > room;
    int sep = strip_width(a->stages, a->nstages, true, 3, more) > room ? 1 : 3;
    size_t first = 0;
    while (first + 1 < a->nstages &&
           strip_width(a->stages + first, a->nstages - first, shorter, sep, more) + 2 > room)
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
        x += draw_whole(r, y, x, stage_role(a->stages[i], now),
                        shorter ? stage_brief(a->stages[i]) : stage_label(a->stages[i]));
    }
    if (more) {
        x += draw_text(r, y, x, ROLE_DIM, arrow);
        draw_text(r, y, x, ROLE_STAGE_TODO, "...");
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
        char text[320];
        snprintf(text, sizeof text,
                 "Press %s to play, %s (or %s) to take one step, %s for all the keys. "
                 "Each access will appear here: its virtual address cut into one index per "
                 "page-table level and an offset.",
                 keys_first(ACTION_PLAY).s, keys_first(ACTION_STEP_FORWARD).s,
                 keys_named(KEYS_CLICKER_NEXT).s, keys_first(ACTION_HELP).s);
        draw_wrap(rect_below(r, 1), 0, ROLE_DIM, text);
        return;
    }
    int y = 0;
    view_access_address_line(s, r, y++);
    if (r.h >= VIEW_ACCESS_ROWS_BITS && draw_bits(s, r, y))
        y += 2;
    else
        draw_fields_compact(s, r, y++);
    if (y < r.h)
        view_access_stages(s, r, y++);
    if (y < r.h && r.h >= VIEW_ACCESS_ROWS_FULL) {
        const struct geometry *g = &s->m->cfg.geo;
        unsigned levels = index_levels(&s->acc, g);
        char text[200];
        if (s->acc.gp)
            snprintf(text, sizeof text,
                     "Not canonical: the CPU raises #GP before it uses any index; no TLB "
                     "entry and no table is looked at.");
        else if (s->acc.span_shift > g->page_shift)
            snprintf(text, sizeof text,
                     "A huge page: the walk ends at the %s entry (PS set), so the VA has %u "
                     "indices and a %u-bit offset within the %" PRIu64 " KiB page.",
                     geometry_level_name(g, (int)levels - 1), levels, s->acc.span_shift,
                     (UINT64_C(1) << s->acc.span_shift) / 1024);
        else
            snprintf(text, sizeof text,
                     "The MMU reads the %u indices from left to right, one table per level; "
                     "the offset (%u bits) is kept as it is.",
                     levels, g->page_shift);
        draw_words(r, y, 0, ROLE_DIM, text);
    }
}
