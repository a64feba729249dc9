/* The scene: what the screen shows, derived from the timeline only.
 *
 * The access in view is the one in progress, or else the last one the log
 * holds. Its events are read back from the newest to its ACCESS_BEGIN; the
 * walk on screen is the last pass (after a fault, the restarted one), so a
 * student sees the walk that matters now. */
#include "tui/view.h"

#include <string.h>

#include "scenario/scenario.h"
#include "vm/pte.h"

static void add_stage(struct scene_access *a, enum stage st)
{
    if (a->nstages && a->stages[a->nstages - 1] == st)
        return;
    /* An eviction ends by taking the freed frame: one "evict" stage. */
    if (st == STAGE_FREE_FRAME && a->nstages && a->stages[a->nstages - 1] == STAGE_EVICT)
        return;
    if (a->nstages < SCENE_MAX_STAGES)
        a->stages[a->nstages++] = st;
}

/* The say text in force at step `at`: the last say before it in file order,
 * forgotten at each chapter. Returns true once `at` is found. */
static bool find_say(const struct scenario_step *steps, size_t n, const struct scenario_step *at,
                     const char **say)
{
    for (size_t i = 0; i < n; i++) {
        const struct scenario_step *st = &steps[i];
        if (st->kind == STEP_SAY)
            *say = st->u.text.text.value;
        else if (st->kind == STEP_CHAPTER)
            *say = NULL;
        if (st == at)
            return true;
        if (st->kind == STEP_REPEAT &&
            find_say(st->u.repeat.steps, st->u.repeat.count, at, say))
            return true;
    }
    return false;
}

static void build_access(struct scene *s)
{
    struct scene_access *a = &s->acc;
    memset(a, 0, sizeof *a);
    a->fault_level = -1;
    a->tlb_hit_index = -1;
    a->tlb_fill_index = -1;
    a->tlb_sets[0] = a->tlb_sets[1] = -1;
    a->frame = EV_NONE;
    const struct machine *m = s->m;
    a->span_shift = m->cfg.geo.page_shift;
    /* Find the newest ACCESS_BEGIN of the same operation chain. */
    size_t begin = s->nlog;
    for (size_t i = 0; i < s->nlog; i++) {
        const struct tl_event *e = s->log[i];
        if (e->kind == TL_MACHINE && e->ev.kind == EV_ACCESS_BEGIN) {
            begin = i;
            break;
        }
    }
    if (begin == s->nlog)
        return;
    const struct tl_event *b = s->log[begin];
    a->present = true;
    a->pid = b->ev.pid;
    a->va = b->ev.va;
    a->kind = b->ev.access;
    a->kernel = b->ev.kernel;
    a->proc = machine_process(m, a->pid);
    a->in_progress = machine_in_access(m) && b->op_seq == s->cur->op_seq;
    const struct geometry *g = &m->cfg.geo;
    unsigned huge_shift = g->huge_level >= 0 ? geometry_level_shift(g, (unsigned)g->huge_level)
                                             : g->page_shift;
    /* Oldest to newest. */
    for (size_t k = begin + 1; k-- > 0;) {
        const struct tl_event *te = s->log[k];
        if (te->kind != TL_MACHINE)
            continue;
        const struct event *ev = &te->ev;
        if (te->op_seq != b->op_seq)
            break;
        int st = event_stage(ev);
        if (st >= 0)
            add_stage(a, (enum stage)st);
        switch (ev->kind) {
        case EV_TLB_HIT: {
            a->tlb_hit_index = (int)(ev->index * m->tlb.ways + ev->way);
            a->tlb_sets[0] = (int)ev->index;
            a->tlb_sets[1] = -1;
            const struct tlb_entry *t = &m->tlb.entries[a->tlb_hit_index];
            if (t->valid && t->span_shift > g->page_shift)
                a->span_shift = t->span_shift;
            break;
        }
        case EV_TLB_MISS:
            a->tlb_missed = true;
            a->tlb_sets[0] = (int)ev->index;
            a->tlb_sets[1] = ev->huge_set == EV_NONE ? -1 : (int)ev->huge_set;
            /* A new lookup starts a new pass: forget the previous walk. */
            memset(a->walked, 0, sizeof a->walked);
            a->fault_level = -1;
            break;
        case EV_WALK_STEP:
            if (ev->level >= 0 && ev->level < GEOMETRY_MAX_LEVELS)
                a->walked[ev->level] = true;
            if (pte_present(ev->entry) && (ev->entry & PTE_HUGE) && ev->level >= 0 &&
                ev->level + 1 < (int)g->levels)
                a->span_shift = geometry_level_shift(g, (unsigned)ev->level);
            break;
        case EV_PAGE_FAULT:
            a->faulted = true;
            a->fault_code = ev->fault_code;
            for (int l = GEOMETRY_MAX_LEVELS - 1; l >= 0; l--)
                if (a->walked[l]) {
                    a->fault_level = l;
                    break;
                }
            break;
        case EV_GP_FAULT:
            a->gp = true;
            break;
        case EV_FAULT_CLASSIFIED:
            a->fault_kind = ev->fault_kind;
            break;
        case EV_SEGFAULT:
            a->segv = true;
            a->fault_kind = ev->fault_kind;
            break;
        case EV_OOM_KILL:
            /* The access ends only when its own process was the one killed. */
            a->killed = ev->other_pid == a->pid;
            break;
        case EV_PTE_UPDATE:
            if (ev->entry & PTE_HUGE)
                a->span_shift = huge_shift;
            break;
        case EV_FAULT_RETURN:
            a->restarted = true;
            a->fault_level = -1;
            break;
        case EV_TLB_FILL:
            a->tlb_fill_index = (int)(ev->index * m->tlb.ways + ev->way);
            a->tlb_sets[0] = (int)ev->index;
            a->tlb_sets[1] = -1;
            break;
        case EV_ACCESS_DONE:
            a->pa_known = true;
            a->pa = ev->pa;
            a->frame = ev->frame;
            break;
        default:
            break;
        }
    }
}

/* Frames a page spans: 1, or a huge page's run. */
static uint32_t span_frames(const struct machine *m, unsigned span_shift)
{
    return (uint32_t)(UINT64_C(1) << (span_shift - m->cfg.geo.page_shift));
}

/* What the current event changed or points at, for the highlights. */
static void build_current(struct scene *s)
{
    const struct machine *m = s->m;
    const struct tl_event *c = s->cur;
    if (!c || c->kind != TL_MACHINE)
        return;
    const struct event *ev = &c->ev;
    switch (ev->kind) {
    case EV_WALK_STEP:
        s->walk_active_level = ev->level;
        s->table_frame = ev->frame;
        break;
    case EV_TABLE_ALLOC:
        /* The new table hangs from an entry one level up. */
        s->alloc_frame = ev->frame;
        s->alloc_count = 1;
        s->pte_update_level = ev->level - 1;
        break;
    case EV_PTE_UPDATE:
        s->pte_update_level = ev->level;
        s->current_frame = ev->frame;
        s->current_count = span_frames(m, s->acc.span_shift);
        break;
    case EV_FRAME_ALLOC:
        /* A huge page's run is taken in one step. */
        s->alloc_frame = ev->frame;
        s->alloc_count = ev->size > 1 ? (uint32_t)ev->size : 1;
        break;
    case EV_VICTIM_CHOSEN:
    case EV_UNMAPPED:
        s->victim_frame = ev->victim;
        if (ev->kind == EV_UNMAPPED)
            s->victim_pte = (struct scene_pte){true, ev->other_pid, ev->other_vpn, ev->entry};
        /* The slot is reserved until the page is written, after the last
         * mapping is gone. */
        if (ev->slot != EV_NONE) {
            s->io_slot = ev->slot;
            s->io = IO_RESERVE;
        }
        break;
    case EV_PAGE_DROPPED:
    case EV_WRITEBACK:
        s->victim_frame = ev->victim;
        break;
    case EV_SWAP_OUT:
        s->victim_frame = ev->victim;
        s->io_slot = ev->slot;
        s->io = IO_WRITE;
        break;
    case EV_SWAP_IN:
        s->io = IO_READ;
        s->io_slot = ev->slot;
        s->current_frame = ev->frame;
        s->current_count = 1;
        break;
    case EV_COW_COPY:
        s->source_frame = ev->victim;
        s->current_frame = ev->frame;
        s->current_count = 1;
        break;
    case EV_ZERO_FILL:
        if (ev->victim != EV_NONE && ev->victim != ev->frame)
            s->source_frame = ev->victim; /* a write after a read of the zero page */
        s->current_frame = ev->frame;
        s->current_count = ev->size > 1 ? (uint32_t)ev->size : 1;
        break;
    case EV_ZERO_PAGE:
    case EV_FILE_READ:
    case EV_CACHE_HIT:
    case EV_SWAP_CACHE_HIT:
    case EV_COW_REUSE:
        s->current_frame = ev->frame;
        s->current_count = 1;
        break;
    case EV_TLB_HIT:
    case EV_TLB_FILL:
    case EV_TLB_INVALIDATE:
        s->tlb_event = ev->kind;
        s->tlb_event_index = (int)(ev->index * m->tlb.ways + ev->way);
        if (ev->kind == EV_TLB_INVALIDATE)
            s->victim_frame = ev->victim;
        break;
    case EV_TLB_MISS:
        s->tlb_event = ev->kind;
        break;
    case EV_ACCESS_DONE:
        s->current_frame = ev->frame;
        s->current_count = span_frames(m, s->acc.span_shift);
        break;
    case EV_MMAP:
    case EV_MUNMAP:
    case EV_MPROTECT:
        s->area_pid = ev->pid;
        s->area_start = ev->va;
        s->area_end = ev->va + ev->size;
        break;
    case EV_CONTEXT_SWITCH:
    case EV_EXIT:
        s->proc_pid = ev->pid;
        break;
    case EV_FORK:
    case EV_SPAWN:
        s->proc_pid = ev->other_pid;
        break;
    case EV_EXECVE:
        s->proc_pid = ev->pid;
        break;
    case EV_BRK:
        s->area_pid = ev->pid;
        s->area_start = ev->va;
        s->area_end = ev->va + ev->size;
        break;
    case EV_OOM_KILL:
        s->proc_pid = ev->other_pid;
        break;
    default:
        break;
    }
}

void scene_build(struct scene *s, const struct timeline *tl)
{
    memset(s, 0, sizeof *s);
    s->tl = tl;
    s->m = timeline_machine(tl);
    s->cur = timeline_current(tl);
    s->nlog = timeline_log(tl, s->log, TIMELINE_LOG_SIZE);
    s->walk_active_level = -1;
    s->pte_update_level = -1;
    s->table_frame = EV_NONE;
    s->alloc_frame = EV_NONE;
    s->victim_frame = EV_NONE;
    s->source_frame = EV_NONE;
    s->current_frame = EV_NONE;
    s->io_slot = EV_NONE;
    s->tlb_event_index = -1;
    s->tlb_event = EV_COUNT;
    s->area_pid = EV_NONE;
    s->proc_pid = EV_NONE;
    build_access(s);
    const struct machine *m = s->m;
    s->cr3_proc = s->acc.in_progress ? s->acc.proc : machine_running(m);
    s->walk_shown = s->acc.present && s->cr3_proc && s->acc.proc == s->cr3_proc;
    /* While an eviction is in progress the victim stays marked. */
    uint32_t victim;
    if (machine_evicting(m, &victim))
        s->victim_frame = victim;
    if (s->acc.pa_known) {
        s->current_frame = s->acc.frame;
        s->current_count = span_frames(m, s->acc.span_shift);
    }
    build_current(s);
    const struct tl_event *c = s->cur;
    if (c && c->step) {
        const struct scenario *sc = timeline_scenario(tl);
        const char *say = NULL;
        if (find_say(sc->steps, sc->step_count, c->step, &say))
            s->say = say;
    }
}

void hits_clear(struct hits *h)
{
    h->n = 0;
}

void hits_add(struct hits *h, struct rect r, enum hit_kind kind, uint32_t index)
{
    if (h && h->n < HITS_MAX)
        h->items[h->n++] = (struct hit){r, kind, index};
}

const struct hit *hits_find(const struct hits *h, int y, int x)
{
    for (size_t i = 0; i < h->n; i++) {
        const struct rect *r = &h->items[i].r;
        if (y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w)
            return &h->items[i];
    }
    return NULL;
}

/* The panel that shows best what each stage of an access does. */
static const enum panel stage_panel[STAGE_COUNT] = {
    [STAGE_SPLIT] = PANEL_ACCESS,     [STAGE_GP] = PANEL_ACCESS,
    [STAGE_TLB_HIT] = PANEL_TLB,      [STAGE_TLB_MISS] = PANEL_TLB,
    [STAGE_WALK] = PANEL_WALK,        [STAGE_FAULT] = PANEL_WALK,
    [STAGE_HANDLER] = PANEL_PROCESS,  [STAGE_SEGV] = PANEL_PROCESS,
    [STAGE_OOM] = PANEL_FRAMES,       [STAGE_NEW_TABLE] = PANEL_WALK,
    [STAGE_FREE_FRAME] = PANEL_FRAMES, [STAGE_EVICT] = PANEL_FRAMES,
    [STAGE_LOAD] = PANEL_FRAMES,      [STAGE_PTE] = PANEL_WALK,
    [STAGE_RESTART] = PANEL_WALK,     [STAGE_FILL] = PANEL_TLB,
    [STAGE_DONE] = PANEL_ACCESS,
};

enum panel scene_subject(const struct scene *s)
{
    const struct tl_event *e = s->cur;
    if (!e)
        return PANEL_ACCESS;
    if (e->kind != TL_MACHINE)
        return PANEL_NARRATION;
    /* Swap I/O is the swap panel's, whichever stage it serves; choosing
     * the victim (and reserving its slot) is physical memory's. */
    if (s->io == IO_WRITE || s->io == IO_READ)
        return PANEL_SWAP;
    if (s->tlb_event != EV_COUNT)
        return PANEL_TLB;
    int st = event_stage(&e->ev);
    if (st == STAGE_NONE || st < 0 || st >= STAGE_COUNT)
        /* mmap, munmap, a switch, fork, exit: the processes and areas. */
        return s->victim_frame != EV_NONE || s->alloc_frame != EV_NONE ? PANEL_FRAMES
                                                                         : PANEL_PROCESS;
    return stage_panel[st];
}
