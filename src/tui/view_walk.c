/* The page walk: CR3, then one row per level with the index the VA selects
 * and the entry found there, as the tables hold it now. The level being
 * read is highlighted, the rows the walk has read are marked, and the row
 * where the walk stopped on a fault says so. */
#include <inttypes.h>
#include <stdio.h>

#include "tui/view.h"
#include "vm/pte.h"

int view_walk_rows(const struct scene *s)
{
    return (int)s->m->cfg.geo.levels + 2;
}

/* One entry bit: its letter when set, dashes when clear. */
static int draw_bit(struct rect r, int y, int x, enum role row_role, bool plain, uint64_t e,
                    uint64_t bit, const char *name)
{
    bool set = (e & bit) != 0;
    enum role role = plain ? (set ? ROLE_BIT_SET : ROLE_BIT_CLEAR) : row_role;
    char buf[4] = "--";
    if (set)
        snprintf(buf, sizeof buf, "%s", name);
    else
        buf[name[1] ? 2 : 1] = '\0';
    return draw_text(r, y, x, role, buf) + draw_text(r, y, x + (int)(name[1] ? 2 : 1), row_role, " ");
}

void view_walk_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct scene_access *a = &s->acc;
    const struct machine *m = s->m;
    const struct geometry *g = &m->cfg.geo;
    r = view_frame(v, r, PANEL_WALK,
                   !a->present ? NULL
                   : a->tlb_hit_index >= 0 && !a->tlb_missed ? "not needed: the TLB hit"
                   : a->segv ? "stopped: no valid mapping"
                   : a->faulted && !a->restarted
                       ? (r.w >= 60 ? "stopped by a page fault: the kernel handles it" : "page fault")
                   : a->in_progress ? "in progress" : "done");
    if (!a->present || !a->proc) {
        draw_wrap(r, 0, ROLE_DIM,
                  "The page walk appears here: from CR3 (the root table of the running "
                  "process) down one table per level to the entry that maps the page.");
        return;
    }
    bool wide = r.w >= 72;
    bool hit = a->tlb_hit_index >= 0 && !a->tlb_missed;
    int y = 0;
    int x = draw_text(r, y, 0, ROLE_DIM, "CR3 ");
    x += draw_textf(r, y, x, ROLE_NORMAL, "-> root table at frame %" PRIu32, a->proc->root);
    if (hit && x + 25 <= r.w)
        draw_text(r, y, x, ROLE_TLB_HIT, "  TLB hit: no walk needed");
    else if (wide)
        draw_textf(r, y, x, ROLE_DIM, "  (pid %" PRIu32 ")", a->pid);
    y++;
    uint32_t table = a->proc->root;
    bool reached = true;
    int idx_digits = 1;
    for (uint64_t n = geometry_entries(g, 0) - 1; n >= 10; n /= 10)
        idx_digits++;
    for (unsigned l = 0; l < g->levels && y < r.h; l++, y++) {
        uint64_t idx = geometry_index(g, a->va, l);
        uint64_t e = 0;
        const uint64_t *entries = reached ? pagetable_at(&m->pt, table) : NULL;
        if (entries)
            e = entries[idx];
        else
            reached = false;
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
        } else if ((int)l == a->fault_level && a->faulted && !a->restarted &&
                   (!pte_present(e) || (a->fault_code & FAULT_CODE_PROTECTION))) {
            /* Marked until the handler has fixed the entry. */
            row = ROLE_FAULT;
            plain = false;
            mark = "! ";
        } else if (a->walked[l] && !hit) {
            row = ROLE_WALK_READ;
        } else if (!reached || hit) {
            row = ROLE_DIM;
        }
        if (!plain)
            draw_fill(rect_rows(r, y, 1), row);
        x = draw_text(r, y, 0, row, mark);
        x += draw_textf(r, y, x, plain ? view_level_role(l) : row, "%-3s[%*" PRIu64 "]",
                        view_level_name(g, l), idx_digits, idx);
        if (!reached) {
            draw_text(r, y, x, row, "  (not reached)");
            continue;
        }
        if (wide)
            x += draw_textf(r, y, x, row == ROLE_NORMAL ? ROLE_DIM : row, "  %016" PRIx64, e);
        x += draw_text(r, y, x, row, "  ");
        bool leaf = l + 1 == g->levels || (pte_present(e) && (e & PTE_HUGE));
        if (pte_present(e) && r.w < 56) {
            /* Narrow: the bits packed, the target in short. */
            static const struct {
                uint64_t bit;
                char c;
            } bits[] = {{PTE_PRESENT, 'P'}, {PTE_WRITABLE, 'W'}, {PTE_USER, 'U'},
                        {PTE_ACCESSED, 'A'}, {PTE_DIRTY, 'D'},   {PTE_NX, 'N'}};
            for (size_t b = 0; b < sizeof bits / sizeof bits[0]; b++) {
                char c[2] = {(e & bits[b].bit) ? bits[b].c : '-', '\0'};
                x += draw_text(r, y, x, plain ? ((e & bits[b].bit) ? ROLE_BIT_SET : ROLE_BIT_CLEAR)
                                              : row, c);
            }
            x += draw_textf(r, y, x, row, leaf ? " -> page f%" PRIu32 : " -> table f%" PRIu32,
                            pte_frame(e));
            table = pte_frame(e);
            if (leaf)
                reached = false;
        } else if (pte_present(e)) {
            x += draw_bit(r, y, x, row, plain, e, PTE_PRESENT, "P");
            x += draw_bit(r, y, x, row, plain, e, PTE_WRITABLE, "W");
            x += draw_bit(r, y, x, row, plain, e, PTE_USER, "U");
            x += draw_bit(r, y, x, row, plain, e, PTE_ACCESSED, "A");
            x += draw_bit(r, y, x, row, plain, e, PTE_DIRTY, "D");
            x += draw_bit(r, y, x, row, plain, e, PTE_NX, "NX");
            if (leaf)
                x += draw_textf(r, y, x, row, "-> page in frame %" PRIu32, pte_frame(e));
            else
                x += draw_textf(r, y, x, row, "-> table at frame %" PRIu32, pte_frame(e));
            if ((e & PTE_HUGE) && l + 1 < g->levels)
                draw_text(r, y, x, row, " (huge)");
            table = pte_frame(e);
            if (leaf)
                reached = false;
        } else if (pte_is_swap(e)) {
            draw_textf(r, y, x, row == ROLE_NORMAL ? ROLE_SWAP_USED : row,
                       r.w < 56 ? "in swap slot %" PRIu32 : "not present: page in swap slot %" PRIu32,
                       pte_slot(e));
            reached = false;
        } else {
            x += draw_text(r, y, x, row == ROLE_NORMAL ? ROLE_DIM : row,
                           r.w < 56 ? "not present"
                           : leaf   ? "not present: no page yet"
                                    : "not present: no table yet");
            if ((int)l == a->fault_level && a->faulted && !a->restarted)
                draw_text(r, y, x, row, " -> PAGE FAULT");
            reached = false;
        }
    }
    if (y < r.h && a->pa_known) {
        uint64_t psize = geometry_page_size(g);
        draw_textf(r, y++, 0, ROLE_PA,
                   "  PA = frame %" PRIu64 " x 0x%" PRIx64 " + offset 0x%" PRIx64 " = 0x%" PRIx64,
                   a->pa / psize, psize, geometry_offset(g, a->va), a->pa);
    } else if (y < r.h && a->segv) {
        draw_text(r, y++, 0, ROLE_FAULT, "  no translation: the process gets SIGSEGV");
    }
    if (y < r.h && r.h - y >= 1 && wide)
        draw_text(r, r.h - 1, 0, ROLE_DIM,
                  "  P present  W writable  U user  A accessed  D dirty  NX no-execute");
}
