/* The TLB: its sets, one or more rows each, and every way of a set as a
 * cell "a1 10010>12 WD": the ASID (with ASID tags), the virtual page
 * number in hex, the frame, and the flags (W writable, D dirty, G global,
 * X executable, H a huge page, its page number then counting base pages;
 * K the kernel's, U/S clear: user mode may not use it).
 * An empty way is "-". Every number is whole: when a set's ways do not fit
 * on one row they wrap onto the next, and when the sets do not fit the
 * panel shows those around the one the access looks in, and says which. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/view.h"

/* What a cell may show, richest first. */
enum tlb_form { FORM_FULL, FORM_NO_FLAGS, FORM_BARE, FORM_COUNT };


/* The text of entry e in a form ("-" when empty). */
static void entry_text(const struct machine *m, const struct tlb_entry *e, enum tlb_form form,
                       char *buf, size_t len)
{
    if (!e->valid) {
        snprintf(buf, len, "-");
        return;
    }
    unsigned page_shift = m->cfg.geo.page_shift;
    unsigned long long vpn = (unsigned long long)(e->vpn << (e->span_shift - page_shift));
    size_t n = 0;
    if (m->tlb.asid_tags && form != FORM_BARE)
        n += (size_t)snprintf(buf, len, "a%u ", e->asid);
    n += (size_t)snprintf(buf + n, len - n, "%llx>%" PRIu32, vpn, e->frame);
    if (form == FORM_FULL) {
        char flags[8];
        snprintf(flags, sizeof flags, "%s%s%s%s%s%s", e->writable ? "W" : "", e->dirty ? "D" : "",
                 e->global ? "G" : "", e->nx ? "" : "X", e->span_shift > page_shift ? "H" : "",
                 e->user ? "" : "K");
        if (flags[0] && n < len)
            snprintf(buf + n, len - n, " %s", flags);
    }
}

/* The widest cell of a form in each way, over every set, into w[ways]. */
static void way_widths(const struct machine *m, enum tlb_form form, int *w)
{
    for (uint32_t way = 0; way < m->tlb.ways; way++)
        w[way] = 1; /* "-" */
    for (uint32_t set = 0; set < m->tlb.sets; set++)
        for (uint32_t way = 0; way < m->tlb.ways; way++) {
            const struct tlb_entry *e = &m->tlb.entries[set * m->tlb.ways + way];
            if (!e->valid)
                continue;
            char text[64];
            entry_text(m, e, form, text, sizeof text);
            int tw = draw_width(text);
            if (tw > w[way])
                w[way] = tw;
        }
}

/* The set the panel should keep in view: the one the current event acts
 * on, else the one the access looked in. */
static int focus_set(const struct scene *s)
{
    if (s->tlb_event_index >= 0)
        return s->tlb_event_index / (int)s->m->tlb.ways;
    return s->acc.present ? s->acc.tlb_sets[0] : -1;
}

static bool set_searched(const struct scene *s, int set)
{
    return s->acc.present && (set == s->acc.tlb_sets[0] || set == s->acc.tlb_sets[1]);
}

#define TLB_MAX_COLUMNS 64
/* Blanks between the set's label (">set 12") and its ways, and between
 * ways. */
#define TLB_GAP 1
/* The label before a set's number: its mark (">" for a set the access
 * looks in, else a blank) and "set ". */
#define TLB_SET_LABEL ">set "

/* How the panel lays out: a form, ways per row, where each column starts. */
struct tlb_layout {
    enum tlb_form form;
    int label_w;                 /* ">set 12 " */
    int per_row;
    int rows_per_set;
    int col_x[TLB_MAX_COLUMNS];  /* relative to the content rect */
    int col_w[TLB_MAX_COLUMNS];
};

/* Lays the columns out for a form and a number of ways per row; false
 * when they are wider than width. */
static bool place_columns(const struct machine *m, const int *way_w, int width, int per_row,
                          struct tlb_layout *L)
{
    int ways = (int)m->tlb.ways;
    int x = L->label_w;
    for (int c = 0; c < per_row; c++) {
        /* A column holds ways c, c + per_row, ... */
        int cw = 1;
        for (int way = c; way < ways; way += per_row)
            if (way_w[way] > cw)
                cw = way_w[way];
        L->col_x[c] = x;
        L->col_w[c] = cw;
        x += cw + TLB_GAP;
    }
    L->per_row = per_row;
    L->rows_per_set = (ways + per_row - 1) / per_row;
    return x - TLB_GAP <= width;
}

/* The layout for a width x height rect: the richest form, with the most
 * ways per row, that still shows two sets (or all of them, when fewer) in
 * height rows; when none does, the richest that fits the width at all.
 * height < 0 asks for the richest regardless of rows. false when not even
 * one way fits. */
static bool choose_layout(const struct machine *m, int width, int height, struct tlb_layout *L)
{
    int ways = (int)m->tlb.ways;
    int max_per_row = ways < TLB_MAX_COLUMNS ? ways : TLB_MAX_COLUMNS;
    int *way_w = malloc(sizeof *way_w * (size_t)ways);
    if (!way_w)
        return false;
    L->label_w = (int)strlen(TLB_SET_LABEL) + view_digits(m->tlb.sets - 1) + TLB_GAP;
    int want_sets = m->tlb.sets < 2 ? (int)m->tlb.sets : 2;
    struct tlb_layout first = {0};
    bool have_first = false, found = false;
    for (int f = FORM_FULL; f < FORM_COUNT && !found; f++) {
        way_widths(m, (enum tlb_form)f, way_w);
        L->form = (enum tlb_form)f;
        for (int per_row = max_per_row; per_row >= 1 && !found; per_row--) {
            if (!place_columns(m, way_w, width, per_row, L))
                continue;
            if (!have_first) {
                first = *L;
                have_first = true;
            }
            found = height < 0 || height / L->rows_per_set >= want_sets;
        }
    }
    free(way_w);
    if (!found && have_first)
        *L = first;
    return found || have_first;
}

int view_tlb_rows_at(const struct scene *s, int width)
{
    struct tlb_layout L;
    if (!choose_layout(s->m, width, -1, &L))
        return 1;
    return (int)s->m->tlb.sets * L.rows_per_set;
}

int view_tlb_want(const struct scene *s, int width, bool compact)
{
    (void)compact;
    /* The title, every set, the key. */
    return 1 + view_tlb_rows_at(s, width) + 1;
}

static enum role cell_role(const struct scene *s, int index, int set, const struct tlb_entry *e)
{
    const struct scene_access *a = &s->acc;
    if (index == s->tlb_event_index)
        return s->tlb_event == EV_TLB_HIT    ? ROLE_TLB_HIT
               : s->tlb_event == EV_TLB_FILL ? ROLE_TLB_FILL
                                             : ROLE_TLB_INVALIDATE;
    if (s->tlb_event == EV_TLB_MISS && set_searched(s, set))
        return ROLE_TLB_LOOKUP;
    if (index == a->tlb_hit_index || index == a->tlb_fill_index)
        return ROLE_WALK_READ;
    return e->valid ? ROLE_NORMAL : ROLE_EMPTY;
}

void view_tlb_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    const struct tlb *t = &m->tlb;
    char extra[200];
    uint64_t lookups = m->counters.tlb_hits + m->counters.tlb_misses;
    /* The size as --tlb ENTRIESxWAYS gives it; the sets follow from it. */
    int len = snprintf(extra, sizeof extra, "%" PRIu32 " entries, %" PRIu32 "-way, %" PRIu32
                       " set%s, %s%s", t->sets * t->ways, t->ways, t->sets,
                       t->sets == 1 ? "" : "s", tlb_replacement_names[t->replacement],
                       t->asid_tags ? ", ASID tags" : ", no ASIDs");
    if (lookups)
        snprintf(extra + len, sizeof extra - (size_t)len, ", hits %" PRIu64 "%%",
                 m->counters.tlb_hits * 100 / lookups);
    struct rect whole = r;
    r = view_frame(v, r, PANEL_TLB, extra);
    if (!rect_ok(r))
        return;
    struct tlb_layout L;
    if (!choose_layout(m, r.w, r.h, &L)) {
        draw_wholef(r, 0, 0, ROLE_DIM, "%u of %u valid", tlb_count_valid(t), t->sets * t->ways);
        return;
    }
    int nsets = (int)t->sets;
    int fit = r.h / L.rows_per_set;
    if (fit < 1) {
        draw_wholef(r, 0, 0, ROLE_DIM, "%u of %u valid", tlb_count_valid(t), t->sets * t->ways);
        return;
    }
    int first = 0;
    if (nsets > fit) {
        int focus = focus_set(s);
        if (v->focused && v->scroll)
            first = *v->scroll;
        else if (focus >= 0)
            first = focus - (fit - 1) / 2;
        if (first > nsets - fit)
            first = nsets - fit;
        if (first < 0)
            first = 0;
        if (v->scroll)
            *v->scroll = first;
        /* Which sets are shown goes first in the title: it must not be
         * the part left out. */
        char range[64], shown[280];
        if (fit == 1)
            snprintf(range, sizeof range, "set %d of 0-%d shown", first, nsets - 1);
        else
            snprintf(range, sizeof range, "sets %d-%d of 0-%d shown", first, first + fit - 1,
                     nsets - 1);
        snprintf(shown, sizeof shown, "%s; %s", range, extra);
        const char *const extras[] = {shown, range};
        view_frame_fit(v, whole, PANEL_TLB, extras, 2);
    }
    for (int k = 0; k < fit && first + k < nsets; k++) {
        int set = first + k;
        int y0 = k * L.rows_per_set;
        bool searched = set_searched(s, set);
        enum role label_role = ROLE_DIM;
        if (searched && s->tlb_event == EV_TLB_MISS)
            label_role = ROLE_TLB_MISS;
        else if (searched && s->acc.in_progress)
            label_role = ROLE_TLB_LOOKUP;
        else if (searched)
            label_role = ROLE_NORMAL;
        draw_wholef(r, y0, 0, label_role, "%sset %d", searched ? ">" : " ", set);
        for (uint32_t way = 0; way < t->ways; way++) {
            int index = set * (int)t->ways + (int)way;
            const struct tlb_entry *e = &t->entries[index];
            char text[64];
            entry_text(m, e, L.form, text, sizeof text);
            int y = y0 + (int)way / L.per_row;
            int col = (int)way % L.per_row;
            /* An entry just invalidated says so where there is room. */
            if (index == s->tlb_event_index && s->tlb_event == EV_TLB_INVALIDATE && !e->valid)
                snprintf(text, sizeof text, "%s",
                         L.col_w[col] >= 11 ? "invalidated" : L.col_w[col] >= 3 ? "inv" : "-");
            int x = L.col_x[col];
            draw_field(r, y, x, L.col_w[col], cell_role(s, index, set, e), text);
            hits_add(v->hits, (struct rect){r.y + y, r.x + x, 1, L.col_w[col]}, HIT_TLB,
                     (uint32_t)index);
        }
    }
    int used = fit * L.rows_per_set;
    if (nsets <= fit && r.h > nsets * L.rows_per_set)
        used = nsets * L.rows_per_set;
    /* K is in the key only when a kernel entry is there to explain. */
    bool kernel = false;
    for (size_t i = 0; i < (size_t)t->sets * t->ways && !kernel; i++)
        kernel = t->entries[i].valid && !t->entries[i].user;
    if (used < r.h)
        draw_words(r, used, 1, ROLE_DIM,
                   t->asid_tags
                       ? (kernel ? "key: a1 10>4 WD is ASID 1, page 0x10 in frame 4, W writable, "
                                   "D dirty, G global, X executable, H huge, K kernel only; - "
                                   "empty"
                                 : "key: a1 10>4 WD is ASID 1, page 0x10 in frame 4, W writable, "
                                   "D dirty, G global, X executable, H huge; - empty")
                       : (kernel ? "key: 10>4 WD is page 0x10 in frame 4, W writable, D dirty, "
                                   "G global, X executable, H huge, K kernel only; - empty"
                                 : "key: 10>4 WD is page 0x10 in frame 4, W writable, D dirty, "
                                   "G global, X executable, H huge; - empty"));
}
