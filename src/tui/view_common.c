/* Helpers every view shares: level names, roles of levels and frames. */
#include "tui/view.h"

#include <string.h>

const char *view_level_name(const struct geometry *g, unsigned level)
{
    static const char *const x86_4[] = {"PGD", "PUD", "PMD", "PTE"};
    static const char *const x86_5[] = {"PGD", "P4D", "PUD", "PMD", "PTE"};
    static const char *const i386[] = {"PD", "PT"};
    static const char *const generic[] = {"L0", "L1", "L2", "L3", "L4"};
    if (level >= GEOMETRY_MAX_LEVELS)
        return "L?";
    if (strcmp(g->name, "x86_64") == 0 && g->levels == 4)
        return x86_4[level];
    if (strcmp(g->name, "x86_64-5level") == 0 && g->levels == 5)
        return x86_5[level];
    if (strcmp(g->name, "i386") == 0 && g->levels == 2)
        return i386[level];
    return generic[level];
}

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
    const struct frame *f = &m->pool.frames[frame];
    switch ((enum frame_kind)f->kind) {
    case FRAME_FREE: return ROLE_EMPTY;
    case FRAME_TABLE: return ROLE_FRAME_TABLE;
    case FRAME_ZERO: return ROLE_FRAME_ZERO;
    case FRAME_FILE: return ROLE_FRAME_FILE;
    case FRAME_ANON: {
        uint32_t pid = f->nmaps ? f->maps[0].pid : f->owner_pid;
        int i = view_process_index(m, pid);
        return procs[(i < 0 ? 0 : i) % THEME_PROC_ROLES];
    }
    }
    return ROLE_NORMAL;
}

struct rect view_frame(const struct view_ctx *v, struct rect r, enum panel p, const char *extra)
{
    if (!v->titled)
        return r;
    draw_title(r, 0, panel_title(p), extra, v->focused);
    return rect_below(r, 1);
}
