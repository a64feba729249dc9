/* Processes: which one runs, and its areas as /proc/PID/maps lists them,
 * with how many of each area's pages are resident and how many in swap.
 * The running process comes first, so it is on screen at any size; each
 * line is written in the richest form that fits whole. Last, when the
 * machine has a kernel half, the kernel's areas, which every process
 * shares and none lists in its maps. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/view.h"

/* From this width the areas' lines have their names in a column. */
#define PROCESS_WIDE_COLS 48

/* The processes in the order shown: the running one first, then by pid. */
static uint32_t shown_order(const struct machine *m, uint32_t *order)
{
    uint32_t n = 0;
    if (m->current < m->nprocs && m->procs[m->current].alive)
        order[n++] = m->current;
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (n == 0 || i != order[0])
            order[n++] = i;
    return n;
}

static bool areas_shown(const struct machine *m, uint32_t i, bool wide)
{
    return m->procs[i].alive && (wide || i == m->current);
}

/* A row per process and, with wide, per area of every live process (else
 * of the running one only). */
static int process_rows(const struct scene *s, bool wide)
{
    const struct machine *m = s->m;
    int rows = 0;
    for (uint32_t i = 0; i < m->nprocs; i++) {
        rows++;
        if (areas_shown(m, i, wide))
            rows += (int)m->procs[i].nareas;
    }
    return rows;
}

/* The kernel's block: a line, and one per kernel area when wide. */
static int kernel_rows(const struct scene *s, bool wide)
{
    const struct machine *m = s->m;
    if (m->kernel_root == VM_NO_FRAME)
        return 0;
    return 1 + (wide ? (int)m->nkernel_areas : 0);
}

int view_process_want(const struct scene *s, int width, bool compact)
{
    (void)width;
    return 1 + process_rows(s, !compact) + kernel_rows(s, !compact);
}

/* Resident and swapped pages per area, read from the page tables as
 * smaps reads them (machine_area_pages): a page whose swap slot is only
 * reserved, or kept in the swap cache, is resident, not in swap. */
static void count_pages(const struct machine *m, const struct process *p, uint64_t *res,
                        uint64_t *swp)
{
    for (uint32_t a = 0; a < p->nareas; a++)
        machine_area_pages(m, p, &p->areas[a], &res[a], &swp[a]);
}

/* The process's line: the richest form that fits. A process that has
 * ended shows no ASID and no CR3: its tables and its ASID went with it,
 * and a frame named now would be free, or another process's table. */
static void draw_process_line(const struct scene *s, struct rect r, int y, const struct process *p,
                              bool running)
{
    enum role role = running ? ROLE_CURRENT : p->alive ? ROLE_NORMAL : ROLE_DIM;
    if (p->pid == s->proc_pid)
        role = ROLE_CURRENT;
    const char *state = running       ? " running"
                        : p->alive      ? ""
                        : p->oom_killed ? " killed (OOM)"
                                        : " exited";
    const char *mark = running ? ">" : " ";
    char forms[4][200];
    size_t n = 0;
    if (p->alive) {
        snprintf(forms[n++], sizeof forms[0],
                 "%spid %" PRIu32 " %s%s  ASID %u  CR3 frame %" PRIu32 "  resident %" PRIu64
                 "  in swap %" PRIu64,
                 mark, p->pid, p->name, state, p->asid, p->root, p->resident, p->swapped);
        snprintf(forms[n++], sizeof forms[0],
                 "%spid %" PRIu32 " %s%s  asid %u  CR3 f%" PRIu32 "  res %" PRIu64 " swap %" PRIu64,
                 mark, p->pid, p->name, state, p->asid, p->root, p->resident, p->swapped);
    }
    snprintf(forms[n++], sizeof forms[0], "%spid %" PRIu32 " %s%s  res %" PRIu64 " swap %" PRIu64,
             mark, p->pid, p->name, state, p->resident, p->swapped);
    snprintf(forms[n++], sizeof forms[0], "%spid %" PRIu32 "%s", mark, p->pid, state);
    for (size_t i = 0; i < n; i++)
        if (draw_whole(r, y, 0, role, forms[i]))
            return;
}

/* One area's line: the richest form that fits. */
static void draw_area_line(const struct scene *s, struct rect r, int y, const struct process *p,
                           const struct area *ar, uint64_t res, uint64_t swp, int name_w)
{
    const struct machine *m = s->m;
    int hexw = m->cfg.geo.va_bits > 32 ? 12 : 8;
    char prot[4];
    prot_string(ar->prot, prot);
    uint64_t psize = geometry_page_size(&m->cfg.geo);
    uint64_t pages = (ar->end - ar->start + psize - 1) / psize;
    bool here = s->acc.present && s->acc.pid == p->pid && s->acc.va >= ar->start &&
                s->acc.va < ar->end;
    bool changed = s->area_pid == p->pid && ar->start < s->area_end && s->area_start < ar->end;
    enum role role = changed || here ? ROLE_CURRENT : ROLE_NORMAL;
    const char *mark = changed || here ? " >" : "  ";
    char name[AREA_NAME_MAX + 8], counts[64], addr[48];
    snprintf(name, sizeof name, "%-*s", name_w, ar->name);
    if (ar->kind == AREA_DEVICE) {
        /* No page of RAM: the device's frames, mapped since the mmap. */
        const struct device *d = &m->devices[ar->device];
        uint64_t first = d->first_frame + ar->file_offset / psize;
        snprintf(counts, sizeof counts, "device %s f%" PRIu64 "-%" PRIu64, d->name, first,
                 first + pages - 1);
    } else if (swp)
        snprintf(counts, sizeof counts, "%" PRIu64 "/%" PRIu64 " res %" PRIu64 " swap", res,
                 pages, swp);
    else
        snprintf(counts, sizeof counts, "%" PRIu64 "/%" PRIu64 " res", res, pages);
    snprintf(addr, sizeof addr, "%0*" PRIx64 "-%0*" PRIx64 " ", hexw, ar->start, hexw, ar->end);
    char forms[3][240];
    snprintf(forms[0], sizeof forms[0], "%s%s%s%c %s %s", mark, addr, prot,
             ar->shared ? 's' : 'p', name, counts);
    snprintf(forms[1], sizeof forms[1], "%s%s%c %s %s", mark, prot, ar->shared ? 's' : 'p', name,
             counts);
    snprintf(forms[2], sizeof forms[2], "%s%s %s", mark, ar->name, counts);
    for (size_t i = 0; i < 3; i++) {
        if (!draw_fits(r, y, 0, forms[i]))
            continue;
        int x = draw_text(r, y, 0, role, mark);
        if (i == 0)
            x += draw_text(r, y, x, ROLE_VA, addr);
        /* The rest after the address (or the mark) in the line's role. */
        const char *rest = forms[i] + strlen(mark) + (i == 0 ? strlen(addr) : 0);
        draw_text(r, y, x, role, rest);
        return;
    }
}

/* The kernel's line: whose it is and which root entries hold it. */
static void draw_kernel_line(const struct scene *s, struct rect r, int y)
{
    const struct geometry *g = &s->m->cfg.geo;
    char forms[3][120];
    snprintf(forms[0], sizeof forms[0],
             " kernel  in every process: %s entries %" PRIu64 "-%" PRIu64 " of each root",
             geometry_level_name(g, 0), geometry_kernel_root_index(g),
             geometry_entries(g, 0) - 1);
    snprintf(forms[1], sizeof forms[1], " kernel  in every process");
    snprintf(forms[2], sizeof forms[2], " kernel");
    for (size_t i = 0; i < 3; i++)
        if (draw_whole(r, y, 0, ROLE_NORMAL, forms[i]))
            return;
}

/* A kernel area: always resident, global, supervisor-only. */
static void draw_kernel_area(const struct scene *s, struct rect r, int y, const struct area *ar,
                             int name_w)
{
    const struct machine *m = s->m;
    int hexw = m->cfg.geo.va_bits > 32 ? 16 : 8;
    char prot[4];
    prot_string(ar->prot, prot);
    uint64_t psize = geometry_page_size(&m->cfg.geo);
    uint64_t pages = (ar->end - ar->start) / psize;
    bool here = s->acc.present && s->acc.va >= ar->start && s->acc.va < ar->end;
    enum role role = here ? ROLE_CURRENT : ROLE_NORMAL;
    const char *mark = here ? " >" : "  ";
    char addr[48], forms[3][200];
    snprintf(addr, sizeof addr, "%0*" PRIx64 "-%0*" PRIx64 " ", hexw, ar->start, hexw, ar->end);
    snprintf(forms[0], sizeof forms[0], "%s%s%sg %-*s %" PRIu64 "/%" PRIu64 " res", mark, addr,
             prot, name_w, ar->name, pages, pages);
    snprintf(forms[1], sizeof forms[1], "%s%sg %-*s %" PRIu64 "/%" PRIu64 " res", mark, prot,
             name_w, ar->name, pages, pages);
    snprintf(forms[2], sizeof forms[2], "%s%s %" PRIu64 "/%" PRIu64 " res", mark, ar->name, pages,
             pages);
    for (size_t i = 0; i < 3; i++) {
        if (!draw_fits(r, y, 0, forms[i]))
            continue;
        int x = draw_text(r, y, 0, role, mark);
        if (i == 0)
            x += draw_text(r, y, x, ROLE_VA, addr);
        draw_text(r, y, x, role, forms[i] + strlen(mark) + (i == 0 ? strlen(addr) : 0));
        return;
    }
}

void view_process_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    static const char *const extras[] = {"areas like /proc/PID/maps", NULL};
    r = view_frame_fit(v, r, PANEL_PROCESS, extras, 2);
    if (!rect_ok(r))
        return;
    bool wide = r.w >= PROCESS_WIDE_COLS;
    uint32_t order[MACHINE_MAX_PROCESSES];
    uint32_t nshown = shown_order(m, order);
    int y = 0;
    int skip = v->focused && v->scroll ? *v->scroll : 0;
    int line = 0;
    for (uint32_t k = 0; k < nshown && y < r.h; k++) {
        uint32_t i = order[k];
        const struct process *p = &m->procs[i];
        bool running = i == m->current && p->alive;
        if (line++ >= skip)
            draw_process_line(s, r, y++, p, running);
        if (!(running || r.h - y > (int)p->nareas + 1) || !areas_shown(m, i, true))
            continue;
        uint64_t *res = calloc(p->nareas ? p->nareas : 1, sizeof *res);
        uint64_t *swp = calloc(p->nareas ? p->nareas : 1, sizeof *swp);
        if (!res || !swp) {
            free(res);
            free(swp);
            continue;
        }
        count_pages(m, p, res, swp);
        int name_w = 4;
        for (uint32_t a = 0; a < p->nareas; a++)
            if (draw_width(p->areas[a].name) > name_w)
                name_w = draw_width(p->areas[a].name);
        /* Keep the area the step is about in view: skip earlier ones when
         * there are more areas than rows. */
        uint32_t first = 0;
        for (uint32_t a = 0; a < p->nareas && skip == 0; a++) {
            const struct area *ar = &p->areas[a];
            bool relevant = (s->acc.present && s->acc.pid == p->pid && s->acc.va >= ar->start &&
                             s->acc.va < ar->end) ||
                            (s->area_pid == p->pid && ar->start < s->area_end &&
                             s->area_start < ar->end);
            if (relevant && (int)a >= r.h - y)
                first = a - (uint32_t)(r.h - y) + 1;
        }
        for (uint32_t a = first; a < p->nareas && y < r.h; a++) {
            if (line++ < skip)
                continue;
            draw_area_line(s, r, y++, p, &p->areas[a], res[a], swp[a], wide ? name_w : 0);
        }
        free(res);
        free(swp);
    }
    if (m->kernel_root != VM_NO_FRAME && y < r.h) {
        if (line++ >= skip)
            draw_kernel_line(s, r, y++);
        int name_w = 4;
        for (uint32_t a = 0; a < m->nkernel_areas; a++)
            if (draw_width(m->kernel_areas[a].name) > name_w)
                name_w = draw_width(m->kernel_areas[a].name);
        for (uint32_t a = 0; wide && a < m->nkernel_areas && y < r.h; a++) {
            if (line++ < skip)
                continue;
            draw_kernel_area(s, r, y++, &m->kernel_areas[a], name_w);
        }
    }
    if (v->scroll && line <= skip)
        *v->scroll = line > 0 ? line - 1 : 0;
}
