/* Processes: which one runs, and its areas as /proc/PID/maps lists them,
 * with how many of each area's pages are resident and how many in swap. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "tui/view.h"

int view_process_rows(const struct scene *s, bool wide)
{
    const struct machine *m = s->m;
    int rows = 1;
    for (uint32_t i = 0; i < m->nprocs; i++) {
        rows++;
        if (wide || i == m->current)
            rows += (int)m->procs[i].nareas;
    }
    return rows;
}

/* Resident and swapped pages per area, from the reverse maps and the swap
 * slots: cheap whatever the areas' sizes. */
static void count_pages(const struct machine *m, const struct process *p, uint64_t *res,
                        uint64_t *swp)
{
    unsigned shift = m->cfg.geo.page_shift;
    for (uint32_t a = 0; a < p->nareas; a++)
        res[a] = swp[a] = 0;
    uint32_t n = frames_total(&m->pool);
    for (uint32_t f = 0; f < n; f++) {
        const struct frame *fr = &m->pool.frames[f];
        if (fr->kind == FRAME_TABLE)
            continue;
        for (uint32_t k = 0; k < fr->nmaps; k++)
            if (fr->maps[k].pid == p->pid) {
                struct area *a = process_find_area(p, fr->maps[k].vpn << shift);
                if (a)
                    res[a - p->areas]++;
            }
    }
    for (uint32_t i = 0; i < m->swap.nslots; i++) {
        const struct swap_slot *sl = &m->swap.slots[i];
        if (sl->used && sl->pid == p->pid) {
            struct area *a = process_find_area(p, sl->vpn << shift);
            if (a)
                swp[a - p->areas]++;
        }
    }
}

void view_process_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    r = view_frame(v, r, PANEL_PROCESS, r.w >= 50 ? "areas like /proc/PID/maps" : NULL);
    if (!rect_ok(r))
        return;
    bool wide = r.w >= 48;
    int hexw = m->cfg.geo.va_bits > 32 ? 12 : 8;
    int y = 0;
    int skip = v->focused && v->scroll ? *v->scroll : 0;
    int line = 0;
    for (uint32_t i = 0; i < m->nprocs && y < r.h; i++) {
        const struct process *p = &m->procs[i];
        bool running = i == m->current && p->alive;
        if (line++ >= skip) {
            enum role role = running ? ROLE_CURRENT : p->alive ? ROLE_NORMAL : ROLE_DIM;
            int x = draw_text(r, y, 0, role, running ? ">" : " ");
            x += draw_textf(r, y, x, role, "pid %" PRIu32 " %s", p->pid, p->name);
            if (running)
                x += draw_text(r, y, x, ROLE_DIM, " running");
            else if (!p->alive)
                x += draw_text(r, y, x, ROLE_DIM, " exited");
            draw_textf(r, y, x, ROLE_DIM, "  asid %u  CR3 f%" PRIu32 "  res %" PRIu64 " swap %" PRIu64,
                       p->asid, p->root, p->resident, p->swapped);
            y++;
        }
        if (!(running || r.h - y > (int)p->nareas + 1) || !p->alive)
            continue;
        uint64_t *res = calloc(p->nareas ? p->nareas : 1, sizeof *res);
        uint64_t *swp = calloc(p->nareas ? p->nareas : 1, sizeof *swp);
        if (!res || !swp) {
            free(res);
            free(swp);
            continue;
        }
        count_pages(m, p, res, swp);
        uint64_t psize = geometry_page_size(&m->cfg.geo);
        for (uint32_t a = 0; a < p->nareas && y < r.h; a++) {
            if (line++ < skip)
                continue;
            const struct area *ar = &p->areas[a];
            char prot[4];
            prot_string(ar->prot, prot);
            uint64_t pages = (ar->end - ar->start + psize - 1) / psize;
            bool here = s->acc.present && s->acc.pid == p->pid && s->acc.va >= ar->start &&
                        s->acc.va < ar->end;
            enum role role = here ? ROLE_CURRENT : ROLE_NORMAL;
            int x = draw_text(r, y, 0, role, here ? " >" : "  ");
            if (wide)
                x += draw_textf(r, y, x, ROLE_VA, "%0*" PRIx64 "-%0*" PRIx64, hexw, ar->start, hexw,
                                ar->end);
            x += draw_textf(r, y, x, role, " %s%c %-8s", prot, ar->shared ? 's' : 'p', ar->name);
            x += draw_textf(r, y, x, res[a] ? ROLE_NORMAL : ROLE_DIM, " %" PRIu64 "/%" PRIu64 " res",
                            res[a], pages);
            if (swp[a])
                draw_textf(r, y, x, ROLE_SWAP_USED, " %" PRIu64 " swap", swp[a]);
            y++;
        }
        free(res);
        free(swp);
    }
    if (v->scroll && line <= skip)
        *v->scroll = line > 0 ? line - 1 : 0;
}
