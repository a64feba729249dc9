/* The page walk: CR3, then one row per level with the index the VA selects
 * and the entry found there, as the tables hold it now. The level being
 * read is highlighted, the rows the walk has read are marked, and the row
 * where the walk stopped on a fault says so. Below: the physical address
 * once it is known, and an entry an eviction has just rewritten.
 *
 * Each row is written in the richest form that fits whole (the entry in
 * hex, the bits spelled out, the target in words) down to a packed one
 * ("PWUA-- -> table f17"); a number is never cut. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/view.h"
#include "vm/pte.h"

int view_walk_min_rows(const struct scene *s)
{
    return 1 + 1 + (int)s->m->cfg.geo.levels;
}

int view_walk_want(const struct scene *s, int width, bool compact)
{
    (void)width;
    /* The title, CR3, the levels, the physical address, and on a large
     * screen the key to the bits. */
    return view_walk_min_rows(s) + 1 + (compact ? 0 : 1);
}

/* The bits of a present entry, spelled "P W U A D NX" with dashes for the
 * clear ones, or packed "PWUAD-" (N for NX). */
static const struct {
    uint64_t bit;
    const char *name;
    char packed;
} entry_bits[] = {
    {PTE_PRESENT, "P", 'P'},  {PTE_WRITABLE, "W", 'W'}, {PTE_USER, "U", 'U'},
    {PTE_ACCESSED, "A", 'A'}, {PTE_DIRTY, "D", 'D'},     {PTE_NX, "NX", 'N'},
};
#define NBITS (sizeof entry_bits / sizeof entry_bits[0])

/* Draws the bits; returns the columns used. Each bit in its own role when
 * the row is plain, else in the row's role. */
static int draw_bits(struct rect r, int y, int x, uint64_t e, bool packed, bool plain,
                     enum role row)
{
    int x0 = x;
    for (size_t b = 0; b < NBITS; b++) {
        bool set = (e & entry_bits[b].bit) != 0;
        enum role role = plain ? (set ? ROLE_BIT_SET : ROLE_BIT_CLEAR) : row;
        char buf[4];
        if (packed) {
            buf[0] = set ? entry_bits[b].packed : '-';
            buf[1] = '\0';
        } else {
            snprintf(buf, sizeof buf, "%s", set ? entry_bits[b].name
                                                : (entry_bits[b].name[1] ? "--" : "-"));
        }
        x += draw_text(r, y, x, role, buf);
        if (!packed)
            x += draw_text(r, y, x, row, " ");
    }
    return x - x0;
}

/* How wide the bits are drawn. */
static int bits_width(bool packed)
{
    int w = 0;
    for (size_t b = 0; b < NBITS; b++)
        w += packed ? 1 : (int)strlen(entry_bits[b].name) + 1;
    return w;
}

enum row_form { ROW_WIDE, ROW_WORDS, ROW_PACKED, ROW_FORMS };

/* What follows the bits of a present entry, in a form. */
static void target_text(const struct machine *m, uint64_t e, bool leaf, bool huge,
                        enum row_form form, char *buf, size_t len)
{
    uint32_t frame = pte_frame(e);
    if (huge) {
        uint64_t n = geometry_level_span(&m->cfg.geo, (unsigned)m->cfg.geo.huge_level) >>
                     m->cfg.geo.page_shift;
        snprintf(buf, len,
                 form == ROW_PACKED ? "-> huge f%" PRIu32 "-%" PRIu64
                                    : "-> huge page in frames %" PRIu32 "-%" PRIu64,
                 frame, frame + n - 1);
    } else if (leaf) {
        /* Global (the kernel's pages): the translation serves every
         * process. A device's frame lies beyond RAM: the device is named. */
        const struct device *d = (e & PTE_SPECIAL) ? machine_device_at(m, frame) : NULL;
        char what[AREA_NAME_MAX + 16] = "";
        if (d)
            snprintf(what, sizeof what, form == ROW_PACKED ? " dev" : ", device %s", d->name);
        else if (e & PTE_GLOBAL)
            snprintf(what, sizeof what, form == ROW_PACKED ? " G" : ", global");
        snprintf(buf, len,
                 form == ROW_PACKED ? "-> page f%" PRIu32 "%s" : "-> page in frame %" PRIu32 "%s",
                 frame, what);
    } else {
        snprintf(buf, len, form == ROW_PACKED ? "-> table f%" PRIu32 : "-> table at frame %" PRIu32,
                 frame);
    }
}

/* The text of a not-present entry, in a form. */
static void absent_text(uint64_t e, bool leaf, bool stopped_here, enum row_form form, char *buf,
                        size_t len)
{
    if (pte_is_swap(e))
        snprintf(buf, len, form == ROW_PACKED ? "in swap slot %" PRIu32
                                              : "not present: page in swap slot %" PRIu32,
                 pte_slot(e));
    else if (pte_protnone(e) && form == ROW_PACKED)
        snprintf(buf, len, "PROT_NONE%s", stopped_here ? " -> FAULT" : "");
    else if (pte_protnone(e))
        snprintf(buf, len, "not present: PROT_NONE, page kept in frame %" PRIu32 "%s",
                 pte_frame(e), stopped_here ? " -> PAGE FAULT" : "");
    else if (form == ROW_PACKED)
        snprintf(buf, len, "not present%s", stopped_here ? " -> PAGE FAULT" : "");
    else
        snprintf(buf, len, "not present: %s%s", leaf ? "no page yet" : "no table yet",
                 stopped_here ? " -> PAGE FAULT" : "");
}

/* Writes one level's row in the richest form that fits. */
static void draw_level(const struct scene *s, struct rect r, int y, unsigned l, uint64_t e,
                       bool leaf, bool huge, enum role row, bool plain, const char *mark,
                       int idx_digits, bool stopped_here)
{
    const struct machine *m = s->m;
    const struct geometry *g = &m->cfg.geo;
    uint64_t idx = geometry_index(g, s->acc.va, l);
    char head[48];
    snprintf(head, sizeof head, "%s%-3s[%*" PRIu64 "]", mark, geometry_level_name(g, (int)l),
             idx_digits, idx);
    for (int f = ROW_WIDE; f < ROW_FORMS; f++) {
        enum row_form form = (enum row_form)f;
        char hex[24] = "", rest[96];
        if (form == ROW_WIDE)
            snprintf(hex, sizeof hex, "  %016" PRIx64, e);
        int w = draw_width(head) + draw_width(hex) + 2;
        if (pte_present(e)) {
            target_text(m, e, leaf, huge, form, rest, sizeof rest);
            w += bits_width(form == ROW_PACKED) + (form == ROW_PACKED ? 1 : 0);
        } else {
            absent_text(e, leaf, stopped_here, form, rest, sizeof rest);
        }
        w += draw_width(rest);
        if (w > r.w && form + 1 < ROW_FORMS)
            continue;
        if (!plain)
            draw_fill(rect_rows(r, y, 1), row);
        int x = draw_text(r, y, 0, row, mark);
        x += draw_whole(r, y, x, plain ? view_level_role(l) : row, head + strlen(mark));
        if (hex[0])
            x += draw_whole(r, y, x, row == ROLE_NORMAL ? ROLE_DIM : row, hex);
        x += draw_text(r, y, x, row, "  ");
        if (pte_present(e)) {
            x += draw_bits(r, y, x, e, form == ROW_PACKED, plain, row);
            if (form == ROW_PACKED)
                x += draw_text(r, y, x, row, " ");
            draw_whole(r, y, x, row, rest);
        } else {
            enum role role = row != ROLE_NORMAL ? row
                             : pte_is_swap(e)   ? ROLE_SWAP_USED
                                                : ROLE_DIM;
            draw_whole(r, y, x, role, rest);
        }
        return;
    }
}

/* The physical address as the MMU forms it, in the richest form that fits. */
static void draw_pa(const struct scene *s, struct rect r, int y)
{
    const struct scene_access *a = &s->acc;
    const struct geometry *g = &s->m->cfg.geo;
    uint64_t psize = geometry_page_size(g);
    uint64_t span = UINT64_C(1) << a->span_shift;
    uint64_t offset = a->va & (span - 1);
    bool huge = a->span_shift > g->page_shift;
    char forms[3][160];
    snprintf(forms[0], sizeof forms[0],
             "  PA = frame %" PRIu32 " x 0x%" PRIx64 " + offset 0x%" PRIx64 "%s = 0x%" PRIx64,
             a->frame, psize, offset, huge ? " (in the huge page)" : "", a->pa);
    snprintf(forms[1], sizeof forms[1], "  PA = frame %" PRIu32 " x 0x%" PRIx64 " + 0x%" PRIx64
             " = 0x%" PRIx64, a->frame, psize, offset, a->pa);
    snprintf(forms[2], sizeof forms[2], "  PA 0x%" PRIx64, a->pa);
    for (size_t i = 0; i < 3; i++)
        if (draw_whole(r, y, 0, ROLE_PA, forms[i]))
            return;
}

/* An entry an eviction has just rewritten, which the walk above does not
 * show (it belongs to another page). */
static void draw_victim_pte(const struct scene *s, struct rect r, int y)
{
    const struct scene_pte *v = &s->victim_pte;
    char page[80], state[64], line[3][200];
    view_page_label(s->m, v->pid, v->vpn, page, sizeof page);
    if (pte_is_swap(v->entry))
        snprintf(state, sizeof state, "swap slot %" PRIu32, pte_slot(v->entry));
    else
        snprintf(state, sizeof state, "%s", v->entry ? "changed" : "empty");
    snprintf(line[0], sizeof line[0], "  victim: pid %" PRIu32 " %s entry is now not present, %s",
             v->pid, page, state);
    snprintf(line[1], sizeof line[1], "  victim pid %" PRIu32 " %s: not present, %s", v->pid,
             page, state);
    snprintf(line[2], sizeof line[2], "  victim entry: %s", state);
    for (size_t i = 0; i < 3; i++)
        if (draw_whole(r, y, 0, ROLE_VICTIM, line[i]))
            return;
}

void view_walk_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct scene_access *a = &s->acc;
    const struct machine *m = s->m;
    const struct geometry *g = &m->cfg.geo;
    bool hit = a->tlb_hit_index >= 0 && !a->tlb_missed;
    /* What became of the walk, long and short. */
    const char *state[2] = {NULL, NULL};
    if (!s->walk_shown) {
    } else if (a->gp) {
        state[0] = "none: the VA is not canonical, a #GP", state[1] = "#GP";
    } else if (a->segv) {
        state[0] = "stopped: no valid mapping", state[1] = "SIGSEGV";
    } else if (a->killed) {
        state[0] = "stopped: out of memory", state[1] = "OOM kill";
    } else if (a->faulted && !a->restarted && hit) {
        state[0] = "none: the TLB entry forbids this access, a page fault";
        state[1] = "TLB hit, then a fault";
    } else if (a->faulted && !a->restarted) {
        state[0] = "stopped by a page fault", state[1] = "page fault";
    } else if (hit) {
        state[0] = "not needed: the TLB hit", state[1] = "TLB hit";
    } else if (a->in_progress && !a->tlb_missed) {
        /* The access has begun and the TLB is not asked yet: no walk has
         * started, and on a hit none will. */
        state[0] = "not started: the TLB is asked first", state[1] = "TLB first";
    } else {
        state[0] = state[1] = a->in_progress ? "in progress" : "done";
    }
    r = view_frame_fit(v, r, PANEL_WALK, state, 2);
    if (!rect_ok(r))
        return;
    const struct process *p = s->cr3_proc;
    if (!p) {
        draw_wrap(r, 0, ROLE_DIM, "No process runs: CR3 points at no table.");
        return;
    }
    int y = 0;
    int x = draw_text(r, y, 0, ROLE_DIM, "CR3 ");
    char cr3[3][96];
    if (p->alive) {
        snprintf(cr3[0], sizeof cr3[0], "-> root table at frame %" PRIu32 " (pid %" PRIu32 ")",
                 p->root, p->pid);
        snprintf(cr3[1], sizeof cr3[1], "-> root table at frame %" PRIu32, p->root);
        snprintf(cr3[2], sizeof cr3[2], "-> f%" PRIu32, p->root);
    } else {
        /* Its tables were freed with it: a frame named now would be free,
         * or another's, and no level of the walk can be shown. */
        snprintf(cr3[0], sizeof cr3[0], "-> none: pid %" PRIu32 " has ended, its tables freed",
                 p->pid);
        snprintf(cr3[1], sizeof cr3[1], "-> none (pid %" PRIu32 " ended)", p->pid);
        snprintf(cr3[2], sizeof cr3[2], "-> none");
    }
    for (size_t i = 0; i < 3; i++)
        if ((x += draw_whole(r, y, x, ROLE_NORMAL, cr3[i])) > 4)
            break;
    if (!p->alive) {
        if (a->killed && y + 1 < r.h)
            draw_words(r, y + 1, 0, ROLE_FAULT,
                       "  no translation: the OOM killer ended the process");
        return;
    }
    if (s->walk_shown && hit && !a->faulted)
        draw_whole(r, y, x, ROLE_TLB_HIT, "  TLB hit: no walk needed");
    y++;
    if (!s->walk_shown) {
        char text[160];
        snprintf(text, sizeof text,
                 "pid %" PRIu32 " has made no access since it last ran: its next walk starts "
                 "here.", p->pid);
        draw_wrap(rect_below(r, y), 0, ROLE_DIM, text);
        return;
    }
    uint32_t table = p->root;
    /* A #GP happens before the tables are looked at. */
    bool reached = !a->gp;
    int huge_level = -1;
    int idx_digits = 1;
    for (uint64_t n = geometry_entries(g, 0) - 1; n >= 10; n /= 10)
        idx_digits++;
    for (unsigned l = 0; l < g->levels && y < r.h; l++, y++) {
        const uint64_t *entries = reached ? pagetable_at(&m->pt, table) : NULL;
        uint64_t e = entries ? entries[geometry_index(g, a->va, l)] : 0;
        if (!entries)
            reached = false;
        bool stopped_here = (int)l == a->fault_level && a->faulted && !a->restarted;
        enum role row = ROLE_NORMAL;
        bool plain = true;
        const char *mark = "  ";
        if ((int)l == s->walk_active_level) {
            row = ROLE_WALK_ACTIVE;
            plain = false;
            mark = "> ";
        } else if ((int)l == s->pte_update_level) {
            row = ROLE_CURRENT;
            plain = false;
            mark = "* ";
        } else if (stopped_here && (!pte_present(e) || (a->fault_code & FAULT_CODE_PROTECTION))) {
            /* Marked until the handler has fixed the entry. */
            row = ROLE_FAULT;
            plain = false;
            mark = "! ";
        } else if (a->walked[l] && !hit) {
            row = ROLE_WALK_READ;
        } else if (!reached || hit || !a->tlb_missed) {
            /* Not read by this access (yet): what its walk would find. */
            row = ROLE_DIM;
        }
        if (!reached) {
            char text[96];
            const char *name = geometry_level_name(g, (int)l);
            if (huge_level >= 0)
                snprintf(text, sizeof text, "%s%-3s  not used: the %s entry maps a huge page",
                         mark, name, geometry_level_name(g, huge_level));
            else
                snprintf(text, sizeof text, "%s%-3s  (not reached)", mark, name);
            if (!draw_whole(r, y, 0, row, text))
                draw_wholef(r, y, 0, row, "%s%-3s  -", mark, name);
            continue;
        }
        bool huge = pte_present(e) && (e & PTE_HUGE) && l + 1 < g->levels;
        bool leaf = l + 1 == g->levels || huge;
        draw_level(s, r, y, l, e, leaf, huge, row, plain, mark, idx_digits, stopped_here);
        if (!pte_present(e) || leaf)
            reached = false;
        if (huge)
            huge_level = (int)l;
        table = pte_frame(e);
    }
    if (y < r.h && a->pa_known)
        draw_pa(s, r, y++);
    else if (y < r.h && a->gp)
        draw_words(r, y++, 0, ROLE_FAULT,
                   "  no translation: #GP, then SIGSEGV with SI_KERNEL and address 0");
    else if (y < r.h && a->segv)
        draw_words(r, y++, 0, ROLE_FAULT, "  no translation: the process gets SIGSEGV");
    else if (y < r.h && a->killed)
        draw_words(r, y++, 0, ROLE_FAULT, "  no translation: the OOM killer ended the process");
    if (y < r.h && s->victim_pte.present)
        draw_victim_pte(s, r, y++);
    if (y < r.h && !draw_whole(r, r.h - 1, 0, ROLE_DIM,
                               "key: P present  W writable  U user  A accessed  D dirty  "
                               "NX no-execute") &&
        !draw_whole(r, r.h - 1, 0, ROLE_DIM,
                    "key: P present W writable U user A accessed D dirty NX no-exec"))
        draw_wholef(r, r.h - 1, 0, ROLE_DIM, "key: P W U A D N(X): %s explains",
                    keys_first(ACTION_HELP).s);
}
