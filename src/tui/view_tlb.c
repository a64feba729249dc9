/* The TLB: one row per set, one cell per way. Each valid entry shows its
 * ASID, virtual page, frame and flags; the set the access looks in, the
 * entry that hit, the one filled and the one invalidated are highlighted. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

int view_tlb_rows(const struct scene *s)
{
    return (int)s->m->tlb.sets + 1;
}

/* The entry's text at a given cell width: the richest form that fits,
 * from "a1 400>f4 WDX" down to "400>4". */
static void entry_text(const struct tlb_entry *t, bool asids, int w, char *buf, size_t len)
{
    if (!t->valid) {
        snprintf(buf, len, "%s", w >= 7 ? "(empty)" : "-");
        return;
    }
    char flags[8];
    snprintf(flags, sizeof flags, "%s%s%s%s", t->writable ? "W" : "", t->dirty ? "D" : "",
             t->global ? "G" : "", t->nx ? "" : "X");
    unsigned long long vpn = (unsigned long long)t->vpn;
    if (asids) {
        snprintf(buf, len, "a%u %llx>f%" PRIu32 " %s", t->asid, vpn, t->frame, flags);
        if (draw_width(buf) <= w)
            return;
    }
    snprintf(buf, len, "%llx>f%" PRIu32 " %s", vpn, t->frame, flags);
    if (draw_width(buf) <= w)
        return;
    snprintf(buf, len, "%llx>%" PRIu32, vpn, t->frame);
}

void view_tlb_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    const struct tlb *t = &m->tlb;
    const struct scene_access *a = &s->acc;
    char extra[160];
    uint64_t lookups = m->counters.tlb_hits + m->counters.tlb_misses;
    snprintf(extra, sizeof extra,
             r.w >= 60 ? "%" PRIu32 " sets x %" PRIu32 " ways, %s%s" : "%" PRIu32 "x%" PRIu32 " %s%s",
             t->sets, t->ways,
             tlb_replacement_names[t->replacement],
             t->asid_tags ? (r.w >= 70 ? ", ASID tags" : ", ASIDs") : "");
    if (r.w >= 60 && lookups)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), ", hits %.0f%%",
                 100.0 * (double)m->counters.tlb_hits / (double)lookups);
    struct rect whole = r;
    r = view_frame(v, r, PANEL_TLB, extra);
    if (!rect_ok(r))
        return;
    int label_w = t->sets > 100 ? 9 : t->sets > 10 ? 8 : 7;
    int cell_w = (r.w - label_w) / (int)t->ways;
    int rows = r.h;
    bool legend = rows > (int)t->sets + 1 && r.w >= 40;
    if (legend)
        rows--;
    /* Which sets to show: all when they fit, else around the active one. */
    int active = a->present ? a->tlb_set : -1;
    int nsets = (int)t->sets;
    int first = 0;
    if (nsets > rows) {
        if (v->focused && v->scroll)
            first = *v->scroll;
        else if (active >= 0)
            first = active - rows / 2;
        if (first > nsets - rows)
            first = nsets - rows;
        if (first < 0)
            first = 0;
        if (v->scroll)
            *v->scroll = first;
    }
    if (cell_w < 2) {
        draw_textf(r, 0, 0, ROLE_DIM, "%u of %u entries valid (too narrow to list)",
                   tlb_count_valid(t), t->sets * t->ways);
        return;
    }
    for (int row = 0; row < rows && first + row < nsets; row++) {
        int set = first + row;
        bool is_active = set == active;
        enum role label_role = ROLE_DIM;
        if (is_active && (s->tlb_event == EV_TLB_MISS))
            label_role = ROLE_TLB_MISS;
        else if (is_active && a->in_progress)
            label_role = ROLE_TLB_LOOKUP;
        else if (is_active)
            label_role = ROLE_NORMAL;
        char label[32];
        snprintf(label, sizeof label, "%sset %d", is_active ? ">" : " ", set);
        draw_field(r, row, 0, label_w - 1, label_role, label);
        for (uint32_t way = 0; way < t->ways; way++) {
            int index = set * (int)t->ways + (int)way;
            const struct tlb_entry *e = &t->entries[index];
            enum role role = e->valid ? ROLE_NORMAL : ROLE_EMPTY;
            if (index == s->tlb_event_index) {
                role = s->tlb_event == EV_TLB_HIT    ? ROLE_TLB_HIT
                       : s->tlb_event == EV_TLB_FILL ? ROLE_TLB_FILL
                                                     : ROLE_TLB_INVALIDATE;
            } else if (is_active && s->tlb_event == EV_TLB_MISS) {
                role = ROLE_TLB_LOOKUP;
            } else if (index == a->tlb_hit_index || index == a->tlb_fill_index) {
                role = ROLE_WALK_READ;
            }
            char text[64];
            entry_text(e, t->asid_tags, cell_w - 1, text, sizeof text);
            if (index == s->tlb_event_index && s->tlb_event == EV_TLB_INVALIDATE)
                snprintf(text, sizeof text, "%s", cell_w > 12 ? "invalidated" : "inv");
            int x = label_w + (int)way * cell_w;
            draw_field(r, row, x, cell_w - 1, role, text);
            hits_add(v->hits, (struct rect){r.y + row, r.x + x, 1, cell_w - 1}, HIT_TLB,
                     (uint32_t)index);
        }
    }
    if (nsets > rows) {
        size_t len = strlen(extra);
        snprintf(extra + len, sizeof extra - len, "; sets %d-%d", first,
                 first + rows - 1);
        view_frame(v, whole, PANEL_TLB, extra);
    } else if (legend)
        draw_text(r, r.h - 1, 0, ROLE_DIM,
                  t->asid_tags ? " aASID page>frame  W write D dirty G global X exec"
                               : " page>frame  W write D dirty G global X exec");
}
