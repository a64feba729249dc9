/* What the kernel does when a frame is needed: a free one if there is
 * one, else reclaim. The replacement policy chooses a victim through the
 * policy host (it reads and clears Accessed bits as a kernel would); every
 * mapping of the victim is removed through the reverse map, each followed
 * by its TLB shootdown; only then is a dirty victim written to swap or back
 * to its file, or a clean one dropped (the order of shrink_folio_list in
 * mm/vmscan.c); and when nothing can be evicted the OOM killer ends the
 * process with the highest badness score.
 *
 * Separate from fault.c because it serves every fault alike and is where
 * the policies (policy.h) meet the machine. The phases and what each step
 * may emit are in machine.h (MACHINE_STEP_TABLE). */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <stdio.h>

#include "vm/pte.h"

/* ------------------------------------------------------------------ */
/* the policy host                                                    */

/* The leaf entry of the mapping `map` of frame, or NULL: how the kernel
 * goes from a reverse-map entry to the page-table entry. Read in the table
 * the mapping names when that table is still its process's and its entry
 * there maps the frame as a leaf (what the walk would find); walked to
 * otherwise. Inlined where it is used: a policy's hand asks it for each
 * frame it passes, and the call cost a third of it. */
static inline __attribute__((always_inline)) uint64_t *
leaf_entry(const struct machine *m, uint32_t frame, const struct rmap *map)
{
    const struct process *p = machine_process(m, map->pid);
    if (!p || !p->alive)
        return NULL;
    uint64_t va = vm_vpn_va(m, map->vpn);
    uint64_t *entries = map->table != VM_NO_FRAME ? pagetable_at(&m->pt, map->table) : NULL;
    if (entries) {
        const struct frame *t = frames_at(&m->pool, map->table);
        unsigned level = (unsigned)t->table_level;
        if (t->kind == FRAME_TABLE && t->owner_pid == map->pid) {
            /* In a last-level table the index is the page number's low
             * bits: no shift to work out, on every Accessed bit a policy
             * reads. */
            const struct geometry *g = &m->cfg.geo;
            uint64_t index = level + 1 == g->levels
                                 ? map->vpn & ((UINT64_C(1) << g->index_bits[level]) - 1)
                                 : geometry_index(g, va, level);
            uint64_t *e = &entries[index];
            if (pte_holds_frame(*e) && pte_frame(*e) == frame &&
                pagetable_walk_stops(&m->cfg.geo, level, *e))
                return e;
        }
    }
    struct walk_result w = machine_walk(m, p, va);
    return w.complete ? w.slot : NULL;
}

bool machine_frame_referenced(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    for (uint32_t i = 0; i < f->nmaps; i++) {
        uint64_t *e = leaf_entry(m, frame, &f->maps[i]);
        if (e && (*e & PTE_ACCESSED))
            return true;
    }
    return false;
}

bool machine_frame_dirty(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (f->dirty)
        return true;
    for (uint32_t i = 0; i < f->nmaps; i++) {
        uint64_t *e = leaf_entry(m, frame, &f->maps[i]);
        if (e && (*e & PTE_DIRTY))
            return true;
    }
    return false;
}

static bool clear_referenced(struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    bool was = false;
    for (uint32_t i = 0; i < f->nmaps; i++) {
        uint64_t *e = leaf_entry(m, frame, &f->maps[i]);
        if (!e)
            continue;
        /* Only the bit: x86's ptep_clear_flush_young (arch/x86/mm/pgtable.c)
         * deliberately skips the TLB flush. A translation the TLB still
         * holds keeps being used without a walk, so Accessed stays clear
         * until the entry leaves the TLB: a page in use can look unused. */
        was |= (*e & PTE_ACCESSED) != 0;
        *e &= ~PTE_ACCESSED;
    }
    return was;
}

/* Whether evicting the frame needs a swap slot. */
static bool needs_swap(const struct machine *m, uint32_t frame)
{
    return frames_at(&m->pool, frame)->kind == FRAME_ANON && machine_frame_dirty(m, frame);
}

static bool frame_evictable(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (f->kind != FRAME_ANON && f->kind != FRAME_FILE)
        return false;
    /* The page being copied is pinned, as the kernel holds a reference. */
    if (m->phase != PH_IDLE && m->acc.fault_kind == FAULT_COW && m->acc.cow_source == frame)
        return false;
    /* Swap full matters only to a page that needs a slot it does not hold
     * yet; asked first because deciding whether a page is dirty reads its
     * entries. */
    if (f->swap_slot == VM_NO_SLOT && m->swap.used >= m->swap.nslots && needs_swap(m, frame))
        return false;
    return true;
}

static bool host_referenced(void *ctx, uint32_t frame)
{
    return machine_frame_referenced(ctx, frame);
}

static bool host_clear_referenced(void *ctx, uint32_t frame)
{
    return clear_referenced(ctx, frame);
}

static bool host_dirty(void *ctx, uint32_t frame)
{
    return machine_frame_dirty(ctx, frame);
}

static bool host_evictable(void *ctx, uint32_t frame)
{
    return frame_evictable(ctx, frame);
}

struct policy_host vm_policy_host(struct machine *m)
{
    return (struct policy_host){
        .ctx = m,
        .referenced = host_referenced,
        .clear_referenced = host_clear_referenced,
        .dirty = host_dirty,
        .evictable = host_evictable,
    };
}

size_t machine_policy_order(const struct machine *m, uint32_t *out, size_t max, size_t *first_len)
{
    return m->policy.ops->order(&m->policy, out, max, first_len);
}

/* ------------------------------------------------------------------ */
/* the TLB shootdown                                                  */

bool vm_shootdown(struct machine *m, uint32_t pid, uint64_t vpn, int *index)
{
    struct process *p = machine_process(m, pid);
    int i = p ? tlb_invalidate(&m->tlb, p->asid, vm_vpn_va(m, vpn)) : -1;
    if (index)
        *index = i;
    return i >= 0;
}

bool vm_unmap_huge_zero(struct machine *m, struct process *p, uint64_t va)
{
    struct walk_result w = machine_walk(m, p, va);
    if (!w.complete || !pte_holds_frame(*w.slot) || !(*w.slot & PTE_HUGE) ||
        frames_at(&m->pool, pte_frame(*w.slot))->kind != FRAME_ZERO)
        return false;
    *w.slot = 0;
    m->huge_pages--;
    tlb_invalidate(&m->tlb, p->asid, va);
    return true;
}

/* ------------------------------------------------------------------ */
/* the OOM killer                                                     */

/* Counts the tables pagetable_for_each_table visits. */
static void count_table(void *ctx, uint32_t frame)
{
    (void)frame;
    (*(uint64_t *)ctx)++;
}

/* Linux's badness score of p without oom_score_adj (oom_badness in
 * mm/oom_kill.c): its resident pages, its pages in swap (its swap
 * entries) and its page-table pages below the root, as mm_pgtables_bytes
 * counts them (PTE, PMD and PUD tables; pgd_alloc's root is not counted);
 * *tables gets the last of the three. */
static uint64_t oom_badness(const struct machine *m, const struct process *p, uint64_t *tables)
{
    uint64_t n = 0;
    pagetable_for_each_table(&m->pt, &m->cfg.geo, p->root,
                             geometry_kernel_root_index(&m->cfg.geo), count_table, &n);
    *tables = n - 1;   /* the root is visited last, and is not counted */
    return p->resident + p->swapped + *tables;
}

/* Out of memory: kill the process with the highest badness score
 * (oom_badness above); a tie goes to the process made last, as
 * select_bad_process keeps the last task of equal score, and when every
 * score is 0 the faulting process goes. Runs inside vm_step_need_frame's
 * step: (PH_NEED_FRAME) → OOM_KILL → PH_NEED_FRAME again, or PH_IDLE when
 * the faulting process itself was killed. */
static void step_oom(struct machine *m, struct event *ev)
{
    struct process *faulting = vm_op_process(m), *victim = faulting;
    uint64_t best = 0, tables;
    for (uint32_t i = 0; i < m->nprocs; i++) {
        struct process *p = &m->procs[i];
        uint64_t score = p->alive ? oom_badness(m, p, &tables) : 0;
        if (score > 0 && score >= best) {
            victim = p;
            best = score;
        }
    }
    uint64_t score = oom_badness(m, victim, &tables);
    vm_event_for_access(m, ev, EV_OOM_KILL);
    ev->other_pid = victim->pid;
    vm_detail(m, ev, "pid %u (%s), %llu resident + %llu in swap + %llu page tables = %llu",
              victim->pid, victim->name, (unsigned long long)victim->resident,
              (unsigned long long)victim->swapped, (unsigned long long)tables,
              (unsigned long long)score);
    m->counters.oom_kills++;
    vm_release_process(m, victim);
    victim->oom_killed = true;
    if (victim == faulting)
        m->phase = PH_IDLE;
    else
        vm_want_frame(m, m->acc.need_kind, m->acc.need_level);
}

/* ------------------------------------------------------------------ */
/* getting a frame: a free one, else a victim                         */

void vm_frame_allocated(struct machine *m, struct event *ev, uint32_t frame)
{
    vm_event_for_access(m, ev, EV_FRAME_ALLOC);
    ev->frame = frame;
    ev->size = 1;
    m->acc.frame = frame;
    if (m->acc.need_kind == FRAME_TABLE) {
        ev->level = (int)m->acc.need_level;
        vm_detail(m, ev, "for a %s page table",
                  geometry_level_name(&m->cfg.geo, (int)m->acc.need_level));
        m->phase = PH_INSTALL_TABLE;
    } else {
        m->phase = PH_LOAD;
    }
}

/* PH_NEED_FRAME → FRAME_ALLOC → PH_INSTALL_TABLE (a table) or PH_LOAD (a
 * page) when a frame of the kind is free; else VICTIM_CHOSEN → PH_EVICT_SAVE
 * when the policy finds a victim; else OOM_KILL → PH_NEED_FRAME, or PH_IDLE
 * when the faulting process was the one killed (see step_oom). Tables are
 * never evicted: a table wanted when every frame kept for tables is taken
 * goes straight to the OOM killer. */
void vm_step_need_frame(struct machine *m, struct event *ev)
{
    enum frame_kind kind = m->acc.need_kind;
    if (frames_have_free(&m->pool, kind)) {
        uint32_t frame = frames_take(&m->pool, kind);
        if (frame == FRAMES_REFUSED || frame == VM_NO_FRAME) {
            /* A frame is free: only the host can have refused it. */
            vm_host_failure(m, "the frame pool");
            return;
        }
        vm_frame_allocated(m, ev, frame);
        return;
    }
    if (kind == FRAME_TABLE && m->pool.table_frames > 0) {
        step_oom(m, ev);
        return;
    }
    struct policy_host host = vm_policy_host(m);
    char why[96] = "";
    uint32_t victim = m->policy.ops->choose(&m->policy, &host, why, m->quiet ? 0 : sizeof why);
    if (m->policy.refused) {
        vm_host_failure(m, "the replacement policy's lists");
        return;
    }
    if (victim == VM_NO_FRAME) {
        step_oom(m, ev);
        return;
    }
    const struct frame *f = frames_at(&m->pool, victim);
    vm_event_for_access(m, ev, EV_VICTIM_CHOSEN);
    ev->victim = victim;
    ev->frame = victim;
    if (f->nmaps) {
        ev->other_pid = f->maps[0].pid;
        ev->other_vpn = f->maps[0].vpn;
    }
    m->acc.victim = victim;
    m->acc.victim_map = 0;
    m->acc.victim_slot = VM_NO_SLOT;
    m->acc.victim_object = f->object;
    /* Whose page it is, for the events that follow: its first mapping, or
     * its place in its object when nothing maps it. */
    m->acc.victim_pid = f->nmaps ? f->maps[0].pid : VM_NO_PID;
    m->acc.victim_vpn = f->nmaps ? f->maps[0].vpn : f->object_page;
    if (f->swap_slot != VM_NO_SLOT) {
        /* Already in the swap cache: its slot holds a copy, current unless
         * the page was written since. */
        m->acc.victim_slot = f->swap_slot;
        ev->slot = f->swap_slot;
        vm_detail(m, ev, "%s; it is in the swap cache, slot %u", why,
                 f->swap_slot);
    } else if (needs_swap(m, victim)) {
        /* Like add_to_swap in shrink_folio_list: the slot is taken before
         * the page is unmapped, so that each entry can point at it; a
         * private page joins the swap cache until it is written out. */
        uint32_t slot = swap_take(&m->swap, m->acc.victim_pid, m->acc.victim_vpn);
        if (slot == FRAMES_REFUSED || slot == VM_NO_SLOT) {
            /* The victim was evictable: a slot is free. */
            vm_host_failure(m, "a swap slot");
            return;
        }
        if (f->object == VM_NO_OBJECT) {
            /* The slot's first reference becomes the swap cache's. */
            swap_cache_add(&m->swap, slot, victim);
            swap_release(&m->swap, slot);
            frames_edit(&m->pool, victim)->swap_slot = slot;
        }
        m->acc.victim_slot = slot;
        ev->slot = slot;
        vm_detail(m, ev, "%s; swap slot %u is reserved for it", why, slot);
    } else {
        vm_detail(m, ev, "%s", why);
    }
    /* Unmap first, write afterwards (shrink_folio_list: try_to_unmap,
     * then pageout): nobody can write the page while it is written out. */
    m->phase = f->nmaps > 0 ? PH_EVICT_UNMAP : PH_EVICT_SAVE;
}

/* The victim's last mapping is gone: its object forgets it (or records
 * its swap slot), the policy forgets it, and the frame is free; the next
 * phase is PH_NEED_FRAME again, which now finds it free. With keep, the
 * frame is taken back at once for the frame wanted when that is the frame
 * PH_NEED_FRAME would take (frames_retake) and nothing failed: returns
 * whether it was. */
static bool finish_eviction(struct machine *m, bool keep)
{
    uint32_t victim = m->acc.victim;
    const struct frame *f = frames_at(&m->pool, victim);
    if (m->acc.victim_object != VM_NO_OBJECT) {
        /* The page cache forgets the frame; shared anonymous memory
         * remembers where in swap its page went. */
        uint64_t slot = m->acc.victim_slot;
        if (!object_set(&m->objects[m->acc.victim_object], f->object_page,
                        slot != VM_NO_SLOT ? OBJECT_SWAPPED | slot : 0))
            vm_host_failure(m, "a page-cache map");
    }
    m->counters.evictions++;
    /* The swap cache lets go of a private page: its entries hold the slot. */
    vm_swap_cache_forget(m, victim);
    m->policy.ops->freed(&m->policy, victim);
    bool kept = keep && !m->policy.refused && !m->host_error[0] &&
                frames_retake(&m->pool, victim, m->acc.need_kind);
    if (!kept)
        frames_release(&m->pool, victim);
    vm_want_frame(m, m->acc.need_kind, m->acc.need_level);
    return kept;
}

/* PH_EVICT_SAVE → SWAP_OUT (a dirty anonymous page, to the slot reserved
 * when it was chosen), WRITEBACK (a dirty file page) or PAGE_DROPPED (a
 * clean one) → PH_NEED_FRAME, the frame now free. Every mapping is gone by
 * now: the dirty bits of the entries were moved to the page as they were
 * removed. */
static bool evict_save(struct machine *m, struct event *ev, bool keep)
{
    uint32_t victim = m->acc.victim;
    struct frame *f = frames_edit(&m->pool, victim);
    uint32_t slot = m->acc.victim_slot;
    if (slot != VM_NO_SLOT && f->dirty) {
        vm_event_for_access(m, ev, EV_SWAP_OUT);
        ev->slot = slot;
        m->counters.swap_outs++;
    } else if (slot != VM_NO_SLOT) {
        /* Clean in the swap cache: the copy in its slot is current. */
        vm_event_for_access(m, ev, EV_PAGE_DROPPED);
        ev->slot = slot;
        vm_detail(m, ev, "its copy in swap slot %u is current", slot);
    } else if (f->kind == FRAME_FILE && f->dirty) {
        vm_event_for_access(m, ev, EV_WRITEBACK);
        m->counters.writebacks++;
    } else {
        vm_event_for_access(m, ev, EV_PAGE_DROPPED);
    }
    f->dirty = false;
    ev->frame = victim;
    ev->victim = victim;
    ev->other_pid = m->acc.victim_pid;
    ev->other_vpn = m->acc.victim_vpn;
    return finish_eviction(m, keep);
}

void vm_step_evict_save(struct machine *m, struct event *ev)
{
    evict_save(m, ev, false);
}

bool vm_step_evict_save_keeping(struct machine *m, struct event *ev)
{
    return evict_save(m, ev, true);
}

/* PH_EVICT_UNMAP → UNMAPPED → PH_EVICT_SHOOTDOWN. One mapping of the victim
 * is removed per step, through the reverse map (try_to_unmap_one): its
 * entry is cleared, or points at the swap slot of a private page, and the
 * entry's Dirty bit moves to the page. */
void vm_step_evict_unmap(struct machine *m, struct event *ev)
{
    uint32_t victim = m->acc.victim;
    struct frame *f = frames_edit(&m->pool, victim);
    struct rmap map = f->maps[0];
    uint64_t *e = leaf_entry(m, victim, &map);
    struct process *owner = machine_process(m, map.pid);
    vm_event_for_access(m, ev, EV_UNMAPPED);
    ev->frame = victim;
    ev->victim = victim;
    ev->other_pid = map.pid;
    ev->other_vpn = map.vpn;
    /* A private page's entry keeps its swap slot; a page of an object is
     * found again through the object, so its entry is simply cleared. */
    bool swap_entry = m->acc.victim_slot != VM_NO_SLOT && m->acc.victim_object == VM_NO_OBJECT;
    if (e) {
        if (*e & PTE_DIRTY) {
            f->dirty = true;
            vm_detail(m, ev, "its Dirty bit passes to the page");
        }
        *e = swap_entry ? pte_make_swap(m->acc.victim_slot) : 0;
        ev->entry = *e;
        ev->slot = m->acc.victim_slot;
    }
    if (swap_entry)
        swap_ref(&m->swap, m->acc.victim_slot);
    m->acc.victim_map++;
    frames_rmap_remove(&m->pool, victim, map.pid, map.vpn);
    if (owner) {
        owner->resident--;
        if (swap_entry)
            owner->swapped++;
    }
    m->acc.shootdown_pid = map.pid;
    m->acc.shootdown_va = vm_vpn_va(m, map.vpn);
    m->phase = PH_EVICT_SHOOTDOWN;
}

/* PH_EVICT_SHOOTDOWN → TLB_INVALIDATE → PH_EVICT_UNMAP while the victim
 * has mappings left, else PH_NEED_FRAME (the frame is free now). Invalidates
 * the TLB entry of the mapping just removed. When the TLB held none, the
 * step is folded into the next one: it returns false having emitted
 * nothing (SILENT in the table). */
bool vm_step_evict_shootdown(struct machine *m, struct event *ev)
{
    uint64_t vpn = geometry_vpn(&m->cfg.geo, m->acc.shootdown_va);
    int index;
    bool had = vm_shootdown(m, m->acc.shootdown_pid, vpn, &index);
    const struct frame *f = frames_at(&m->pool, m->acc.victim);
    m->phase = f->nmaps > 0 ? PH_EVICT_UNMAP : PH_EVICT_SAVE;
    if (!had)
        return false;
    vm_event_for_access(m, ev, EV_TLB_INVALIDATE);
    ev->other_pid = m->acc.shootdown_pid;
    ev->other_vpn = vpn;
    ev->index = (uint32_t)index / m->tlb.ways;
    ev->way = (uint32_t)index % m->tlb.ways;
    ev->victim = m->acc.victim;
    return true;
}

