/* Helpers every view shares: roles of levels and frames. */
#include "tui/view.h"

#include <inttypes.h>
#include <stdio.h>

enum role view_level_role(unsigned level)
{
    static const enum role roles[] = {ROLE_LEVEL0, ROLE_LEVEL1, ROLE_LEVEL2, ROLE_LEVEL3,
                                      ROLE_LEVEL4};
    return level < 5 ? roles[level] : ROLE_NORMAL;
}

int view_process_index(const struct machine *m, uint32_t pid)
{
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return (int)i;
    return -1;
}

enum role view_frame_role(const struct machine *m, uint32_t frame)
{
    static const enum role procs[THEME_PROC_ROLES] = {ROLE_PROC1, ROLE_PROC2, ROLE_PROC3,
                                                      ROLE_PROC4};
    const struct frame *f = frames_at(&m->pool, frame);
    switch ((enum frame_kind)f->kind) {
    case FRAME_FREE: return ROLE_EMPTY;
    case FRAME_TABLE: return ROLE_FRAME_TABLE;
    case FRAME_ZERO: return ROLE_FRAME_ZERO;
    case FRAME_FILE: return ROLE_FRAME_FILE;
    case FRAME_KERNEL: return ROLE_FRAME_KERNEL;
    case FRAME_KIND_COUNT: break;
    case FRAME_ANON: {
        uint32_t pid = f->nmaps ? f->maps[0].pid : f->owner_pid;
        int i = view_process_index(m, pid);
        return procs[(i < 0 ? 0 : i) % THEME_PROC_ROLES];
    }
    }
    return ROLE_NORMAL;
}

struct rect view_frame_fit(const struct view_ctx *v, struct rect r, enum panel p,
                           const char *const *extras, size_t n)
{
    /* " Title " after one column of rule, a blank, the extra, a blank. */
    int room = r.w - 1 - (draw_width(panel_title(p)) + 2) - 2;
    for (size_t i = 0; i < n; i++)
        if (extras[i] && draw_width(extras[i]) <= room)
            return view_frame(v, r, p, extras[i]);
    return view_frame(v, r, p, n ? extras[n - 1] : NULL);
}

struct rect view_frame(const struct view_ctx *v, struct rect r, enum panel p, const char *extra)
{
    if (!v->titled)
        return r;
    draw_title(r, 0, panel_title(p), extra, v->focused);
    return rect_below(r, 1);
}

/* A huge page's first frame, for any of its frames (the frame itself when
 * it is not part of one). */
static uint32_t huge_head(const struct machine *m, uint32_t frame)
{
    uint32_t f = frame;
    while (f > 0 && frames_at(&m->pool, f)->compound == FRAME_TAIL)
        f--;
    return frames_at(&m->pool, f)->compound == FRAME_HEAD ? f : frame;
}

bool view_frame_dirty(const struct machine *m, uint32_t frame)
{
    if (frames_at(&m->pool, frame)->kind == FRAME_FREE)
        return false;
    return machine_frame_dirty(m, huge_head(m, frame));
}

uint32_t view_frame_sharers(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, huge_head(m, frame));
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->nmaps; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = f->maps[j].pid == f->maps[i].pid;
        n += !seen;
    }
    return n;
}

void view_page_label(const struct machine *m, uint32_t pid, uint64_t vpn, char *buf, size_t len)
{
    const struct process *p = machine_process(m, pid);
    unsigned shift = m->cfg.geo.page_shift;
    const struct area *a = p && vpn <= (UINT64_MAX >> shift) ? process_find_area(p, vpn << shift)
                                                            : NULL;
    if (a && a->name[0])
        snprintf(buf, len, "%s+0x%" PRIx64, a->name, vpn - (a->start >> shift));
    else
        snprintf(buf, len, "0x%" PRIx64, vpn);
}

/* The process and page a frame's content belongs to: its first mapping,
 * or for a huge page's later frames the head's page plus their place. */
static bool frame_page(const struct machine *m, uint32_t frame, uint32_t *pid, uint64_t *vpn)
{
    uint32_t head = huge_head(m, frame);
    const struct frame *h = frames_at(&m->pool, head);
    if (h->nmaps == 0)
        return false;
    *pid = h->maps[0].pid;
    *vpn = h->maps[0].vpn + (frame - head);
    return true;
}

/* True for a frame just taken whose content has not arrived yet. */
static bool frame_taken_only(const struct frame *f)
{
    return f->kind != FRAME_FREE && f->kind != FRAME_ZERO && f->nmaps == 0 &&
           f->owner_pid == EV_NONE && f->object == EV_NONE;
}

char view_frame_glyph(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (frame_taken_only(f))
        return '+';
    switch ((enum frame_kind)f->kind) {
    case FRAME_FREE: return frames_is_table_region(&m->pool, frame) ? '-' : '.';
    case FRAME_TABLE: return 'T';
    case FRAME_ZERO: return 'Z';
    case FRAME_FILE: return 'f';
    case FRAME_KERNEL: return 'K';
    case FRAME_KIND_COUNT: break;
    case FRAME_ANON: {
        if (f->object != EV_NONE)
            return 'm';
        if (view_frame_sharers(m, frame) >= 2)
            return 'S';
        uint32_t pid = f->owner_pid, p;
        uint64_t vpn;
        if (frame_page(m, frame, &p, &vpn))
            pid = p;
        return pid < 10 ? (char)('0' + pid) : '#';
    }
    }
    return '?';
}

void view_frame_label(const struct machine *m, uint32_t frame, char *buf, size_t len)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (frame_taken_only(f)) {
        snprintf(buf, len, "taken");
        return;
    }
    uint32_t maps = f->compound ? 1 : f->nmaps;
    char count[16] = "";
    if (maps >= 2)
        snprintf(count, sizeof count, " x%" PRIu32, maps);
    switch ((enum frame_kind)f->kind) {
    case FRAME_FREE:
        snprintf(buf, len, "%s", frames_is_table_region(&m->pool, frame) ? "reserved" : "free");
        return;
    case FRAME_ZERO:
        snprintf(buf, len, "%s", f->compound ? "huge zero page" : "zero page");
        return;
    case FRAME_TABLE:
        if (f->owner_pid == VM_KERNEL_PID)
            snprintf(buf, len, "k %s", geometry_level_name(&m->cfg.geo, f->table_level));
        else
            snprintf(buf, len, "p%" PRIu32 " %s", f->owner_pid,
                     geometry_level_name(&m->cfg.geo, f->table_level));
        return;
    case FRAME_KERNEL: {
        /* "k text+0x1": page 1 of the kernel area text. */
        uint64_t va = f->object_page << m->cfg.geo.page_shift;
        const struct area *a = machine_kernel_area(m, va);
        if (a)
            snprintf(buf, len, "k %s+0x%" PRIx64, a->name,
                     (va - a->start) >> m->cfg.geo.page_shift);
        else
            snprintf(buf, len, "k 0x%" PRIx64, f->object_page);
        return;
    }
    case FRAME_FILE:
    case FRAME_ANON:
    case FRAME_KIND_COUNT:
        break;
    }
    if (f->object < m->nobjects) {
        snprintf(buf, len, "%s+0x%" PRIx64 "%s", m->objects[f->object].name, f->object_page,
                 count);
        return;
    }
    uint32_t pid;
    uint64_t vpn;
    if (!frame_page(m, frame, &pid, &vpn)) {
        /* No entry maps it: the page of a swap slot (read back, or on its
         * way out), or a page between its unmapping and its drop. */
        if (f->swap_slot != EV_NONE)
            snprintf(buf, len, "swap slot %" PRIu32, f->swap_slot);
        else
            snprintf(buf, len, "p%" PRIu32 " unmapped", f->owner_pid);
        return;
    }
    char page[64];
    view_page_label(m, pid, vpn, page, sizeof page);
    snprintf(buf, len, "p%" PRIu32 " %s%s", pid, page, count);
}

int view_digits(uint32_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}
