/* The operations other than accesses: mmap, munmap, mprotect, mapping a
 * chosen frame, context switch, exit, fork, execve, spawn and brk. Each is
 * one micro-step (a context switch that flushes the TLB takes two; execve
 * and spawn go on with the fault handler's steps for the top page of the
 * new stack), PH_SIMPLE in machine.h's table. Here too is the tearing down of pages and address spaces that
 * munmap, exit and the OOM killer (reclaim.c) share.
 *
 * Separate from the access path (mmu.c, fault.c, reclaim.c) because these
 * are system calls and scheduler events: each changes areas or tables
 * whole, in one step, with nothing for the MMU to do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/machine.h"
#include "vm/machine_internal.h"
#include "vm/pte.h"

/* Linux's tlb_single_page_flush_ceiling: an unmap of up to this many pages
 * invalidates them one by one; a larger one flushes the whole ASID. */
#define TLB_FLUSH_CEILING 33

/* ------------------------------------------------------------------ */
/* tearing down pages and address spaces                              */

void vm_swap_cache_forget(struct machine *m, uint32_t frame)
{
    struct frame *f = frames_edit(&m->pool, frame);
    if (f->swap_slot == VM_NO_SLOT)
        return;
    swap_cache_drop(&m->swap, f->swap_slot);
    f->swap_slot = VM_NO_SLOT;
}

void vm_frame_unmapped(struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (f->refcount != 0 || f->object != VM_NO_OBJECT)
        return;
    /* Still wanted through the swap cache by a swap entry elsewhere: it
     * stays, unmapped, until reclaim takes it or that entry faults it in. */
    if (f->swap_slot != VM_NO_SLOT && swap_at(&m->swap, f->swap_slot)->refs > 1)
        return;
    vm_swap_cache_forget(m, frame);
    m->policy.ops->freed(&m->policy, frame);
    frames_release(&m->pool, frame);
}

void vm_swap_put(struct machine *m, uint32_t slot)
{
    swap_release(&m->swap, slot);
    const struct swap_slot *sl = swap_at(&m->swap, slot);
    if (sl->used && sl->cached && sl->refs == 1)
        vm_frame_unmapped(m, sl->cache_frame);
}

/* Drops one page of a process: the frame loses that mapping (and is freed
 * when it was the last), or the swap slot is released. Used by munmap and
 * exit. */
static void drop_page(struct machine *m, struct process *p, uint64_t *slot, uint64_t vpn)
{
    uint64_t e = *slot;
    if (pte_holds_frame(e)) {
        uint32_t frame = pte_frame(e);
        struct frame *f = frames_edit(&m->pool, frame);
        if (f->kind == FRAME_ZERO) {
            /* The zero page, or the huge one, stays for everyone. */
            if (e & PTE_HUGE)
                m->huge_pages--;
        } else if (f->compound == FRAME_HEAD) {
            /* A huge page goes as a whole (Linux would split it first when
             * only part of it is unmapped). */
            uint64_t n = vm_huge_pages(m);
            frames_rmap_remove(&m->pool, frame, p->pid, vpn);
            p->resident -= n;
            for (uint64_t i = 0; i < n; i++)
                frames_release(&m->pool, frame + (uint32_t)i);
            m->huge_pages--;
        } else {
            /* Dirt in the entry belongs to the cached page from now on. */
            if (f->object != VM_NO_OBJECT && (e & PTE_DIRTY))
                f->dirty = true;
            frames_rmap_remove(&m->pool, frame, p->pid, vpn);
            p->resident--;
            /* A page-cache page stays cached when its last mapping goes. */
            vm_frame_unmapped(m, frame);
        }
    } else if (pte_is_swap(e)) {
        vm_swap_put(m, pte_slot(e));
        p->swapped--;
    }
    /* A device's page (pte_special) is the device's: only the entry goes. */
    *slot = 0;
}

/* Calls fn for every non-empty leaf entry of p in [start, end), skipping
 * the ranges whose tables were never built. */
void vm_visit_pages(struct machine *m, struct process *p, uint64_t start, uint64_t end,
                        void (*fn)(struct machine *m, struct process *p, uint64_t *slot,
                                   uint64_t va, void *ctx),
                        void *ctx)
{
    uint64_t psize = vm_page_size(m);
    for (uint64_t va = start; va < end && va >= start;) {
        struct walk_result w = machine_walk(m, p, va);
        uint64_t next = va + psize;
        if (w.complete && *w.slot) {
            bool huge = pte_holds_frame(*w.slot) && (*w.slot & PTE_HUGE);
            fn(m, p, w.slot, va, ctx);
            if (huge) {
                uint64_t span = geometry_level_span(&m->cfg.geo, w.level);
                uint64_t skip = (va & ~(span - 1)) + span;
                if (skip > va)
                    next = skip;
            }
        } else if (!w.complete && w.slot) {
            uint64_t span = geometry_level_span(&m->cfg.geo, w.level);
            uint64_t skip = (va & ~(span - 1)) + span;
            if (skip > va)
                next = skip;
        }
        if (next <= va)
            break;
        va = next;
    }
}

void vm_drop_visited(struct machine *m, struct process *p, uint64_t *slot, uint64_t va,
                         void *ctx)
{
    uint64_t *count = ctx;
    if (count && pte_holds_frame(*slot))
        *count += (*slot & PTE_HUGE) ? vm_huge_pages(m) : 1;
    drop_page(m, p, slot, geometry_vpn(&m->cfg.geo, va));
}

static void free_table(void *ctx, uint32_t frame)
{
    struct machine *m = ctx;
    pagetable_release(&m->pt, frame);
    frames_release(&m->pool, frame);
}

void vm_release_mm(struct machine *m, struct process *p)
{
    for (uint32_t a = 0; a < p->nareas; a++)
        vm_visit_pages(m, p, p->areas[a].start, p->areas[a].end, vm_drop_visited, NULL);
    pagetable_for_each_table(&m->pt, &m->cfg.geo, p->root,
                             geometry_kernel_root_index(&m->cfg.geo), free_table, m);
    /* Its global user entries go too: the frames behind them are free
     * now. The kernel's own global entries serve every process: they stay. */
    tlb_flush_asid_user(&m->tlb, p->asid);
    process_free_areas(p);
    p->resident = 0;
    p->swapped = 0;
    p->heap_start = p->brk = 0;
}

void vm_release_process(struct machine *m, struct process *p)
{
    vm_release_mm(m, p);
    p->alive = false;
}

/* ------------------------------------------------------------------ */
/* the operations                                                     */


static void simple_event(struct machine *m, struct event *ev, enum event_kind kind,
                         const struct process *p)
{
    event_init(ev, kind);
    ev->pid = p ? p->pid : VM_NO_PID;
    ev->va = m->op.va;
    ev->size = m->op.size;
}

static void op_failed(struct machine *m, struct event *ev, const struct process *p,
                      const char *why)
{
    simple_event(m, ev, EV_OP_FAILED, p);
    snprintf(ev->detail, sizeof ev->detail, "%.*s", (int)sizeof ev->detail - 1, why);
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return v % to ? v + (to - v % to) : v;
}

static void do_mmap(struct machine *m, struct event *ev, struct process *p)
{
    uint64_t psize = vm_page_size(m);
    uint64_t size = round_up(m->op.size, psize);
    if (m->op.size == 0) {
        op_failed(m, ev, p, "mmap of zero bytes (EINVAL)");
        return;
    }
    if (size < m->op.size || size > m->cfg.geo.user_top) {
        char why[160];
        snprintf(why, sizeof why,
                 "mmap of 0x%llx bytes is larger than user space (ENOMEM; expected at most 0x%llx)",
                 (unsigned long long)m->op.size, (unsigned long long)m->cfg.geo.user_top);
        op_failed(m, ev, p, why);
        return;
    }
    uint64_t start = m->op.va;
    /* A huge area is placed on a huge-page boundary so that it can use them. */
    uint64_t align = m->op.huge && vm_huge_pages(m) ? vm_huge_pages(m) * psize : psize;
    if (start == UINT64_MAX) {
        start = process_find_gap(p, size, m->mmap_base, align, psize);
        if (start == UINT64_MAX) {
            op_failed(m, ev, p, "no room left in the address space");
            return;
        }
    }
    struct area a = {.start = start, .end = start + size, .prot = m->op.prot,
                     .kind = m->op.device ? AREA_DEVICE : m->op.file ? AREA_FILE : AREA_ANON,
                     .shared = m->op.shared || m->op.device, .textbook = m->op.textbook,
                     .huge = m->op.huge, .device = m->op.device ? m->op.device - 1 : 0,
                     .object = m->op.file ? m->op.file - 1 : VM_NO_OBJECT, .file_offset = m->op.offset};
    snprintf(a.name, sizeof a.name, "%s", m->op.name);
    char why[160];
    if (start + size >= start && a.end > m->cfg.geo.user_top && start % psize == 0) {
        /* As mmap refuses a range past TASK_SIZE (mm/mmap.c,
         * __get_unmapped_area). */
        snprintf(why, sizeof why,
                 "mmap of [0x%llx, 0x%llx) reaches beyond user space, which ends at 0x%llx "
                 "(ENOMEM)",
                 (unsigned long long)a.start, (unsigned long long)a.end,
                 (unsigned long long)m->cfg.geo.user_top);
        op_failed(m, ev, p, why);
        return;
    }
    if (start + size < start || !vm_check_area(m, &a, why, sizeof why)) {
        op_failed(m, ev, p, start + size < start ? "the area wraps around" : why);
        return;
    }
    if (!process_range_free(p, a.start, a.end)) {
        op_failed(m, ev, p, "the range overlaps an existing area");
        return;
    }
    if (!vm_attach_object(m, &a, why, sizeof why)) {
        op_failed(m, ev, p, why);
        return;
    }
    if (!process_add_area(p, &a)) {
        vm_host_failure(m, "an area");
        return;
    }
    uint64_t tables = 0;
    if (a.kind == AREA_DEVICE && !vm_map_device(m, p, &a, &tables, why, sizeof why)) {
        if (machine_host_error(m))
            return;
        /* Nothing was written: the tables are counted before any is taken. */
        if (!process_remove_range(p, a.start, a.end)) {
            vm_host_failure(m, "an area");
            return;
        }
        op_failed(m, ev, p, why);
        return;
    }
    simple_event(m, ev, EV_MMAP, p);
    ev->va = start;
    ev->size = size;
    char prot[4];
    prot_string(a.prot, prot);
    if (a.kind == AREA_DEVICE) {
        const struct device *d = &m->devices[a.device];
        uint64_t first = d->first_frame + a.file_offset / psize;
        ev->frame = (uint32_t)first;
        snprintf(ev->detail, sizeof ev->detail,
                 "%s %s, device '%s' frames %llu-%llu; %llu entries written, %llu new tables",
                 a.name, prot, d->name, (unsigned long long)first,
                 (unsigned long long)(first + size / psize - 1),
                 (unsigned long long)(size / psize), (unsigned long long)tables);
    } else {
        snprintf(ev->detail, sizeof ev->detail, "%s %s", a.name, prot);
    }
}

/* Unmaps the pages of [start, end), flushing their TLB entries one by one
 * up to TLB_FLUSH_CEILING pages and the whole ASID beyond. */
static uint64_t unmap_range(struct machine *m, struct process *p, uint64_t start, uint64_t end)
{
    uint64_t freed = 0, pages = (end - start) / vm_page_size(m);
    vm_visit_pages(m, p, start, end, vm_drop_visited, &freed);
    if (pages <= TLB_FLUSH_CEILING) {
        for (uint64_t va = start; va < end && va >= start; va += vm_page_size(m))
            tlb_invalidate(&m->tlb, p->asid, va);
    } else {
        tlb_flush_asid(&m->tlb, p->asid, false);
        m->counters.tlb_flushes++;
    }
    return freed;
}

static bool split_partial_huge(struct machine *m, struct process *p, uint64_t start, uint64_t end);

static void do_munmap(struct machine *m, struct event *ev, struct process *p)
{
    uint64_t psize = vm_page_size(m);
    uint64_t start = m->op.va & ~(psize - 1);
    uint64_t end = round_up(m->op.va + m->op.size, psize);
    if (m->op.size == 0 || end <= start) {
        op_failed(m, ev, p, "munmap of an empty range");
        return;
    }
    if (!split_partial_huge(m, p, start, end)) {
        op_failed(m, ev, p, "no free frame to split a huge page (ENOMEM)");
        return;
    }
    uint64_t freed = unmap_range(m, p, start, end);
    if (!process_remove_range(p, start, end)) {
        vm_host_failure(m, "an area");
        return;
    }
    simple_event(m, ev, EV_MUNMAP, p);
    ev->va = start;
    ev->size = end - start;
    snprintf(ev->detail, sizeof ev->detail, "%llu resident page%s released",
             (unsigned long long)freed, freed == 1 ? "" : "s");
}

struct reprotect_state {
    uint8_t prot;
    uint64_t changed, writable; /* entries changed; given their write bit back */
};

/* Whether mprotect may make an entry writable at once, so that the next
 * write does not fault (can_change_pte_writable in mm/mprotect.c): in a
 * private area, only a private anonymous page this process alone may write
 * (a page shared since fork, the zero page or a file page must still be
 * copied); in a shared one, shared anonymous memory always (it wants no
 * write notification), a file page only when its entry is dirty (the file
 * system was told at the first write). */
static bool may_upgrade_to_writable(const struct machine *m, const struct area *a, uint64_t e)
{
    const struct frame *f = frames_at(&m->pool, pte_frame(e));
    if (!a->shared)
        return f->kind == FRAME_ANON && f->object == VM_NO_OBJECT && f->anon_exclusive;
    if (a->object != VM_NO_OBJECT && m->objects[a->object].anonymous)
        return true;
    return (e & PTE_DIRTY) != 0;
}

static void reprotect_visited(struct machine *m, struct process *p, uint64_t *slot, uint64_t va,
                              void *ctx)
{
    struct reprotect_state *rs = ctx;
    uint8_t prot = rs->prot;
    if (pte_special(*slot)) {
        /* A shared device mapping takes the new protection whole, Writable
         * too: nothing is left to a write fault (no write-notify on
         * VM_PFNMAP, so change_pte_range applies vm_page_prot). */
        uint64_t before = *slot;
        struct area dev = *process_find_area(p, va);
        *slot = vm_device_leaf(m, &dev, va) | (*slot & PTE_DIRTY);
        if ((*slot & PTE_WRITABLE) && !(before & PTE_WRITABLE) && pte_present(*slot))
            rs->writable++;
        if (*slot != before) {
            rs->changed++;
            tlb_invalidate(&m->tlb, p->asid, va);
        }
        return;
    }
    if (!pte_holds_frame(*slot))
        return;
    uint64_t before = *slot;
    /* PROT_NONE: Present goes, the page stays (change_pte_range with
     * PAGE_NONE); any other protection brings it back. */
    if (prot == 0)
        *slot = (*slot & ~PTE_PRESENT) | PTE_PROTNONE;
    else if (pte_protnone(*slot))
        *slot = (*slot & ~PTE_PROTNONE) | PTE_PRESENT;
    if (!(prot & PROT_W))
        *slot &= ~PTE_WRITABLE;
    else if (!(*slot & PTE_WRITABLE) && pte_present(*slot) &&
             may_upgrade_to_writable(m, process_find_area(p, va), *slot)) {
        *slot |= PTE_WRITABLE;
        rs->writable++;
    }
    if (!(prot & PROT_X))
        *slot |= PTE_NX;
    else
        *slot &= ~PTE_NX;
    if (*slot != before) {
        rs->changed++;
        /* flush_tlb_range: no cached translation may keep the old rights. */
        tlb_invalidate(&m->tlb, p->asid, va);
    }
}

/* split_huge_pmd: the huge mapping covering va becomes a table of base-page
 * entries with the same bits, each frame an ordinary page again, so that
 * part of the range can change. false when no frame is free for the table. */
static bool split_huge(struct machine *m, struct process *p, uint64_t va)
{
    const struct geometry *g = &m->cfg.geo;
    struct walk_result w = machine_walk(m, p, va);
    if (!w.complete || !pte_holds_frame(*w.slot) || !(*w.slot & PTE_HUGE))
        return true;
    if (vm_unmap_huge_zero(m, p, va))
        return true; /* the huge zero page is not split */
    uint32_t t = vm_take_table(m, p->pid, w.level + 1);
    if (t == VM_NO_FRAME || t == FRAMES_REFUSED)
        return false;
    uint64_t e = *w.slot, n = vm_huge_pages(m);
    uint64_t span = geometry_level_span(g, w.level);
    uint64_t base_vpn = geometry_vpn(g, va & ~(span - 1));
    uint32_t head = pte_frame(e);
    uint64_t flags = (e & ~PTE_ADDR_MASK) & ~PTE_HUGE;
    uint64_t *entries = pagetable_at(&m->pt, t);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t f = head + (uint32_t)i;
        entries[i] = pte_make(f, flags);
        frames_edit(&m->pool, f)->compound = 0;
        /* The head's mapping moves to the new table; the others join it. */
        bool recorded = i == 0 ? frames_rmap_set_table(&m->pool, f, p->pid, base_vpn, t)
                               : frames_rmap_add_at(&m->pool, f, p->pid, base_vpn + i, t);
        if (i > 0 && !recorded) {
            vm_host_failure(m, "a reverse map");
            return false;
        }
        m->policy.ops->loaded(&m->policy, f);
    }
    *w.slot = pte_make(t, PTE_TABLE_FLAGS);
    tlb_invalidate(&m->tlb, p->asid, va);
    m->huge_pages--;
    return true;
}

/* Splits the huge pages that [start, end) covers only in part. */
static bool split_partial_huge(struct machine *m, struct process *p, uint64_t start, uint64_t end)
{
    if (m->huge_pages == 0)
        return true;
    uint64_t span = geometry_level_span(&m->cfg.geo, (unsigned)m->cfg.geo.huge_level);
    uint64_t edges[2] = {start, end - vm_page_size(m)};
    for (int i = 0; i < 2; i++) {
        uint64_t base = edges[i] & ~(span - 1);
        if ((base < start || base + span > end) && !split_huge(m, p, edges[i]))
            return false;
    }
    return true;
}

static void do_mprotect(struct machine *m, struct event *ev, struct process *p)
{
    uint64_t psize = vm_page_size(m);
    uint64_t start = m->op.va & ~(psize - 1);
    uint64_t end = round_up(m->op.va + m->op.size, psize);
    if (m->op.size == 0 || end <= start) {
        op_failed(m, ev, p, "mprotect of an empty range");
        return;
    }
    if (!process_range_mapped(p, start, end)) {
        char why[160];
        snprintf(why, sizeof why,
                 "mprotect of [0x%llx, 0x%llx): part of it is not mapped (ENOMEM; expected a "
                 "range inside areas)",
                 (unsigned long long)start, (unsigned long long)end);
        op_failed(m, ev, p, why);
        return;
    }
    if (!split_partial_huge(m, p, start, end)) {
        op_failed(m, ev, p, "no free frame to split a huge page (ENOMEM)");
        return;
    }
    /* Split the areas at the edges, then set the new protection. */
    for (uint32_t i = 0; i < p->nareas; i++) {
        struct area a = p->areas[i];
        if (a.end <= start || end <= a.start)
            continue;
        uint64_t lo = a.start > start ? a.start : start;
        uint64_t hi = a.end < end ? a.end : end;
        struct area mid = a;
        mid.start = lo;
        mid.end = hi;
        mid.file_offset += lo - a.start;
        mid.prot = m->op.prot;
        if (!process_remove_range(p, lo, hi) || !process_add_area(p, &mid)) {
            vm_host_failure(m, "an area");
            return;
        }
    }
    /* Entries lose what the new protection forbids, or get back a write
     * bit no fault would refuse; the TLB forgets the changed ones. */
    struct reprotect_state rs = {.prot = m->op.prot};
    vm_visit_pages(m, p, start, end, reprotect_visited, &rs);
    simple_event(m, ev, EV_MPROTECT, p);
    ev->va = start;
    ev->size = end - start;
    ev->count = (uint32_t)rs.writable;
    char text[4];
    prot_string(m->op.prot, text);
    snprintf(ev->detail, sizeof ev->detail,
             "now %s; %llu entr%s changed, %llu made writable at once",
             text, (unsigned long long)rs.changed, rs.changed == 1 ? "y" : "ies",
             (unsigned long long)rs.writable);
}

/* Textbook exercise: "page 3 is in frame 7". The frame must be free; the
 * tables it needs take other frames. */
static void do_map_frame(struct machine *m, struct event *ev, struct process *p)
{
    const struct geometry *g = &m->cfg.geo;
    uint64_t psize = vm_page_size(m);
    uint64_t va = m->op.va & ~(psize - 1);
    uint32_t frame = m->op.frame;
    if (frame >= m->pool.data_frames || frames_at(&m->pool, frame)->kind != FRAME_FREE) {
        char why[96];
        snprintf(why, sizeof why, "frame %u is not a free frame of the pool", frame);
        op_failed(m, ev, p, why);
        return;
    }
    /* Every address that is not canonical lies beyond user space too. */
    if (va >= g->user_top) {
        char why[120];
        snprintf(why, sizeof why, "0x%llx is beyond user space (expected below 0x%llx)",
                 (unsigned long long)va, (unsigned long long)g->user_top);
        op_failed(m, ev, p, why);
        return;
    }
    struct area *a = process_find_area(p, va);
    if (!a) {
        struct area page = {.start = va, .end = va + psize, .object = VM_NO_OBJECT,
                            .prot = m->op.prot ? m->op.prot
                                                                               : PROT_R | PROT_W,
                            .kind = AREA_ANON, .textbook = true};
        snprintf(page.name, sizeof page.name, "page-0x%llx",
                 (unsigned long long)geometry_vpn(g, va));
        if (!process_add_area(p, &page)) {
            vm_host_failure(m, "an area");
            return;
        }
        a = process_find_area(p, va);
    }
    if (!frames_take_at(&m->pool, frame, FRAME_ANON)) {
        /* It was free: only the host can have refused it. */
        vm_host_failure(m, "the frame pool");
        return;
    }
    uint64_t made = 0;
    uint32_t failed = vm_build_path(m, p, va, &made);
    if (failed) {
        frames_release(&m->pool, frame);
        if (failed == VM_NO_FRAME)
            op_failed(m, ev, p, "no free frame left for a page table");
        return;
    }
    struct walk_result w = machine_walk(m, p, va);
    if (*w.slot) {
        frames_release(&m->pool, frame);
        op_failed(m, ev, p, "the page is already mapped");
        return;
    }
    struct frame *f = frames_edit(&m->pool, frame);
    f->owner_pid = p->pid;
    f->loaded_at = m->steps;
    if (!frames_rmap_add_at(&m->pool, frame, p->pid, geometry_vpn(g, va), w.table)) {
        vm_host_failure(m, "a reverse map");
        return;
    }
    m->policy.ops->loaded(&m->policy, frame);
    *w.slot = pte_make(frame, vm_leaf_flags(a, ACCESS_READ, true) & ~PTE_ACCESSED);
    p->resident++;
    simple_event(m, ev, EV_MAP_FRAME, p);
    ev->va = va;
    ev->vpn = geometry_vpn(g, va);
    ev->frame = frame;
    ev->entry = *w.slot;
    ev->level = (int)w.level;
}

static void do_switch(struct machine *m, struct event *ev, struct process *p)
{
    struct process *from = machine_running(m);
    simple_event(m, ev, EV_CONTEXT_SWITCH, p);
    ev->other_pid = from ? from->pid : VM_NO_PID;
    ev->frame = p->root;
    m->current = (uint32_t)(p - m->procs);
    snprintf(ev->detail, sizeof ev->detail, "CR3 now points at frame %u", p->root);
    if (!m->cfg.tlb_asid)
        m->phase = PH_SWITCH_FLUSH;
}

static void do_exit(struct machine *m, struct event *ev, struct process *p)
{
    uint64_t resident = p->resident;
    vm_release_process(m, p);
    simple_event(m, ev, EV_EXIT, p);
    snprintf(ev->detail, sizeof ev->detail, "%llu resident page%s unmapped",
             (unsigned long long)resident, resident == 1 ? "" : "s");
}

struct fork_state {
    struct process *child;
    const struct area *area;
    bool failed;
    uint64_t shared, protected;
    uint32_t left_to_faults; /* areas whose entries the child does not get */
    uint64_t device;  /* device entries copied */
};

/* Whether fork copies an area's entries (vma_needs_copy in mm/memory.c):
 * only when a fault could not rebuild them, that is when the area has
 * anonymous pages of its own. Shared memory, a file mapped privately and
 * never written, and memory only read (the zero page) start empty in the
 * child, whose first touches fault them in. */
static bool fork_copies_entries(const struct area *a)
{
    /* A device's entries too: a VM_PFNMAP area has no pages to fault in. */
    return a->anon_pages || a->kind == AREA_DEVICE;
}

/* Gives the child the parent's entry for one page: the same frame (or swap
 * slot), private writable pages made read-only in both for copy-on-write.
 * The child's entry is old (Accessed clear, as copy_present_pte makes it)
 * and, in a shared area, clean: the parent's entry keeps the Dirty bit. */
static void fork_page(struct machine *m, struct process *parent, uint64_t *slot, uint64_t va,
                      void *ctx)
{
    struct fork_state *fs = ctx;
    if (fs->failed)
        return;
    uint64_t made = 0;
    if (vm_build_path(m, fs->child, va, &made)) {
        fs->failed = true;
        return;
    }
    struct walk_result child = machine_walk(m, fs->child, va);
    uint64_t *child_slot = child.slot;
    uint64_t vpn = geometry_vpn(&m->cfg.geo, va);
    uint64_t e = *slot;
    if (pte_holds_frame(e)) {
        uint32_t frame = pte_frame(e);
        if (frames_at(&m->pool, frame)->kind != FRAME_ZERO) {
            if (!fs->area->shared && (e & PTE_WRITABLE)) {
                *slot &= ~PTE_WRITABLE;
                fs->protected++;
            }
            /* Shared now: a write must fault again, even after mprotect. */
            frames_edit(&m->pool, frame)->anon_exclusive = false;
            if (!frames_rmap_add_at(&m->pool, frame, fs->child->pid, vpn, child.table)) {
                vm_host_failure(m, "a reverse map");
                fs->failed = true;
                return;
            }
            fs->child->resident++;
            fs->shared++;
        }
        *child_slot = *slot & ~(PTE_ACCESSED | (fs->area->shared ? PTE_DIRTY : 0));
    } else if (pte_is_swap(e)) {
        swap_ref(&m->swap, pte_slot(e));
        fs->child->swapped++;
        *child_slot = e;
    } else if (pte_special(e)) {
        /* A device's entry is copied (vma_needs_copy: a VM_PFNMAP area
         * could not fault it in again), old and clean as any entry of a
         * shared area (__copy_present_ptes); no page to count. */
        *child_slot = e & ~(PTE_ACCESSED | PTE_DIRTY);
        fs->device++;
    }
    (void)parent;
}

/* fork: the child gets a copy of the areas and of the page tables. */
static void do_fork(struct machine *m, struct event *ev, struct process *p)
{
    char why[160];
    for (uint32_t i = 0; i < p->nareas; i++)
        if (p->areas[i].huge && m->huge_pages) {
            op_failed(m, ev, p, "fork of a process with huge pages is not modelled");
            return;
        }
    char name[AREA_NAME_MAX];
    snprintf(name, sizeof name, "%s", m->op.name[0] ? m->op.name : p->name);
    if (!machine_add_process(m, m->op.child, name, 0, why, sizeof why)) {
        if (!machine_host_error(m))
            op_failed(m, ev, p, why);
        return;
    }
    p = vm_op_process(m); /* the table of processes may not move, but be sure */
    struct process *child = &m->procs[m->nprocs - 1];
    struct fork_state fs = {.child = child};
    /* The child's mm is a copy of the parent's, its program break too. */
    child->heap_start = p->heap_start;
    child->brk = p->brk;
    if (!process_clone_areas(child, p)) {
        vm_host_failure(m, "an area");
        return;
    }
    for (uint32_t i = 0; i < p->nareas && !fs.failed; i++) {
        fs.area = &p->areas[i];
        if (fork_copies_entries(fs.area))
            vm_visit_pages(m, p, p->areas[i].start, p->areas[i].end, fork_page, &fs);
        else
            fs.left_to_faults++;
    }
    /* The parent's cached translations, global ones too, may still allow
     * writes; the kernel's are untouched. */
    tlb_flush_asid_user(&m->tlb, p->asid);
    if (fs.failed) {
        vm_release_process(m, child);
        op_failed(m, ev, p, "fork: no free frame for the child's page tables (ENOMEM)");
        return;
    }
    simple_event(m, ev, EV_FORK, p);
    ev->other_pid = child->pid;
    ev->frame = child->root;
    int n = snprintf(ev->detail, sizeof ev->detail,
                     "pid %u (%s) is born sharing %llu pages, %llu made read-only for "
                     "copy-on-write; %u area%s left empty",
                     child->pid, child->name, (unsigned long long)fs.shared,
                     (unsigned long long)fs.protected, fs.left_to_faults,
                     fs.left_to_faults == 1 ? "" : "s");
    if (fs.device && n > 0 && (size_t)n < sizeof ev->detail)
        snprintf(ev->detail + n, sizeof ev->detail - (size_t)n,
                 "; %llu device entries copied", (unsigned long long)fs.device);
}

/* ------------------------------------------------------------------ */
/* running a program: execve, spawn, brk                              */

bool machine_program_areas(const struct geometry *g, const struct program_image *img,
                           struct area out[PROGRAM_MAX_AREAS], uint32_t *count,
                           uint64_t *heap_start, char *why, size_t why_len)
{
    uint64_t psize = geometry_page_size(g);
    if (img->text == 0 || img->text % psize || img->data % psize || img->bss % psize ||
        img->base % psize) {
        snprintf(why, why_len,
                 "a program of text 0x%llx, data 0x%llx and bss 0x%llx bytes at 0x%llx is "
                 "not made of whole pages (expected a text that is not empty, and sizes and a "
                 "start that are multiples of the page size, %llu)",
                 (unsigned long long)img->text, (unsigned long long)img->data,
                 (unsigned long long)img->bss, (unsigned long long)img->base,
                 (unsigned long long)psize);
        return false;
    }
    /* One page for the arguments, and stack_expand below it, in whole
     * pages (at least one). */
    uint64_t expand = EXEC_STACK_EXPAND / psize ? EXEC_STACK_EXPAND / psize * psize : psize;
    uint64_t stack = psize + expand, top = g->user_top & ~(psize - 1);
    uint64_t end = img->base + img->text;
    bool wraps = end < img->base || end + img->data < end || end + img->data + img->bss < end;
    end += img->data + img->bss;
    if (top < stack || wraps || end > top - stack) {
        snprintf(why, why_len,
                 "a program of 0x%llx bytes at 0x%llx does not fit below its stack, the %llu "
                 "KiB under the top of user space at 0x%llx (expected a smaller program or a "
                 "lower start)",
                 (unsigned long long)(img->text + img->data + img->bss),
                 (unsigned long long)img->base, (unsigned long long)(stack >> 10),
                 (unsigned long long)top);
        return false;
    }
    static const struct {
        const char *name;
        uint8_t prot;
        uint8_t kind;
    } parts[PROGRAM_MAX_AREAS] = {
        {"text", PROT_R | PROT_X, AREA_FILE},
        {"data", PROT_R | PROT_W, AREA_FILE},
        {"bss", PROT_R | PROT_W, AREA_ANON},
        {"stack", PROT_R | PROT_W, AREA_ANON},
    };
    uint64_t starts[PROGRAM_MAX_AREAS] = {img->base, img->base + img->text,
                                          img->base + img->text + img->data, top - stack};
    uint64_t sizes[PROGRAM_MAX_AREAS] = {img->text, img->data, img->bss, stack};
    uint32_t n = 0;
    for (int i = 0; i < PROGRAM_MAX_AREAS; i++) {
        if (sizes[i] == 0)
            continue;
        struct area a = {.start = starts[i], .end = starts[i] + sizes[i], .prot = parts[i].prot,
                         .kind = parts[i].kind, .object = VM_NO_OBJECT,
                         /* Text is the file from offset 0; data follows it there. */
                         .file_offset = i == 1 ? img->text : 0};
        snprintf(a.name, sizeof a.name, "%s", parts[i].name);
        out[n++] = a;
    }
    *count = n;
    *heap_start = end;
    return true;
}

/* The areas of the program the operation runs, text and data on its
 * file; false with why when they do not fit the machine or the file. */
static bool program_areas(struct machine *m, struct area *areas, uint32_t *n, uint64_t *heap,
                          char *why, size_t why_len)
{
    if (!machine_program_areas(&m->cfg.geo, &m->op.image, areas, n, heap, why, why_len))
        return false;
    for (uint32_t i = 0; i < *n; i++) {
        if (areas[i].kind == AREA_FILE)
            areas[i].object = m->op.file ? m->op.file - 1 : VM_NO_OBJECT;
        if (!vm_attach_object(m, &areas[i], why, why_len))
            return false;
    }
    return true;
}

/* Gives p the program's areas and program break, and its name (the
 * task's comm becomes the program's name). false: the host refused. */
static bool install_program(struct machine *m, struct process *p, const struct area *areas,
                            uint32_t n, uint64_t heap)
{
    for (uint32_t i = 0; i < n; i++)
        if (!process_add_area(p, &areas[i])) {
            vm_host_failure(m, "an area");
            return false;
        }
    p->heap_start = p->brk = heap;
    snprintf(p->name, sizeof p->name, "%s", m->op.name);
    return true;
}

/* The rest of execve: copy_strings puts the file name, the environment
 * and the arguments at the top of the new stack through get_user_pages,
 * which faults that page in with the fault handler (handle_mm_fault), a
 * write, building the tables it needs. The operation goes on in
 * PH_CLASSIFY for that page of the process acc.proc, and ends with its
 * entry written (no CPU access: no TLB fill, no restart). bprm->p starts
 * one pointer below the top (__bprm_mm_init). */
static void fault_in_stack_top(struct machine *m, const struct process *p)
{
    m->acc.proc = (uint32_t)(p - m->procs);
    m->op.va = p->areas[p->nareas - 1].end - sizeof(uint64_t);
    vm_forget_leaf(m);
    m->op.access = ACCESS_WRITE;
    m->op.size = 0;
    m->phase = PH_CLASSIFY;
}

/* execve: the process keeps its pid; its address space is replaced by a
 * new one (exec_mmap): the new root table is taken first, as bprm_mm_init
 * does, then the old pages, tables and areas are released as at exit. */
static void do_execve(struct machine *m, struct event *ev, struct process *p)
{
    struct area areas[PROGRAM_MAX_AREAS];
    uint32_t n, root;
    uint64_t heap;
    char why[160];
    if (!program_areas(m, areas, &n, &heap, why, sizeof why)) {
        op_failed(m, ev, p, why);
        return;
    }
    if (!vm_take_root(m, p->pid, &root, why, sizeof why)) {
        if (!machine_host_error(m))
            op_failed(m, ev, p, "execve: no free frame for the new root table (ENOMEM)");
        return;
    }
    uint64_t released = p->resident, swapped = p->swapped;
    vm_release_mm(m, p);
    p->root = root;
    if (!install_program(m, p, areas, n, heap))
        return;
    simple_event(m, ev, EV_EXECVE, p);
    ev->frame = root;
    snprintf(ev->detail, sizeof ev->detail,
             "'%s' replaces the address space: %llu resident page%s and %llu in swap released, "
             "a new root table in frame %u",
             p->name, (unsigned long long)released, released == 1 ? "" : "s",
             (unsigned long long)swapped, root);
    fault_in_stack_top(m, p);
}

/* posix_spawn: a new process whose address space is the program's, as
 * execve builds it, nothing of the parent's copied. */
static void do_spawn(struct machine *m, struct event *ev, struct process *parent)
{
    struct area areas[PROGRAM_MAX_AREAS];
    uint32_t n;
    uint64_t heap;
    char why[160];
    if (!program_areas(m, areas, &n, &heap, why, sizeof why)) {
        op_failed(m, ev, parent, why);
        return;
    }
    if (!machine_add_process(m, m->op.child, m->op.name, 0, why, sizeof why)) {
        if (!machine_host_error(m))
            op_failed(m, ev, parent, why);
        return;
    }
    parent = vm_op_process(m);
    struct process *child = &m->procs[m->nprocs - 1];
    if (!install_program(m, child, areas, n, heap))
        return;
    simple_event(m, ev, EV_SPAWN, parent);
    ev->other_pid = child->pid;
    ev->frame = child->root;
    snprintf(ev->detail, sizeof ev->detail,
             "pid %u runs '%s' in a new address space, its root table in frame %u; nothing is "
             "copied from pid %u", child->pid, child->name, child->root, parent->pid);
    fault_in_stack_top(m, child);
}

/* The heap's area ending at end, when the last piece below end is one. */
static struct area *heap_piece_ending(struct process *p, uint64_t end)
{
    struct area *a = end ? process_find_area(p, end - 1) : NULL;
    return a && a->end == end && a->kind == AREA_ANON && !a->shared &&
                   a->prot == (PROT_R | PROT_W) && strcmp(a->name, "heap") == 0
               ? a
               : NULL;
}

/* brk: the program break moves to heap_start + size. The heap's area,
 * "heap", covers it in whole pages: growing adds pages (none is allocated
 * until touched), shrinking unmaps them as munmap does. */
static void do_brk(struct machine *m, struct event *ev, struct process *p)
{
    uint64_t psize = vm_page_size(m);
    if (!p->heap_start) {
        op_failed(m, ev, p, "brk: the process runs no program, so it has no heap (expected "
                            "execve or spawn first)");
        return;
    }
    uint64_t brk = p->heap_start + m->op.size;
    uint64_t old_end = round_up(p->brk, psize), new_end = round_up(brk, psize);
    if (brk < p->heap_start || new_end < brk || new_end > m->cfg.geo.user_top ||
        (new_end > old_end && !process_range_free(p, old_end, new_end))) {
        char why[160];
        snprintf(why, sizeof why,
                 "brk to 0x%llx: the heap would reach another area or leave user space "
                 "(ENOMEM)", (unsigned long long)brk);
        op_failed(m, ev, p, why);
        return;
    }
    uint64_t freed = 0;
    if (new_end > old_end) {
        struct area *piece = heap_piece_ending(p, old_end);
        if (piece) {
            piece->end = new_end;
        } else {
            struct area a = {.start = old_end, .end = new_end, .prot = PROT_R | PROT_W,
                             .kind = AREA_ANON, .object = VM_NO_OBJECT};
            snprintf(a.name, sizeof a.name, "heap");
            if (!process_add_area(p, &a)) {
                vm_host_failure(m, "an area");
                return;
            }
        }
    } else if (new_end < old_end) {
        freed = unmap_range(m, p, new_end, old_end);
        if (!process_remove_range(p, new_end, old_end)) {
            vm_host_failure(m, "an area");
            return;
        }
    }
    p->brk = brk;
    simple_event(m, ev, EV_BRK, p);
    ev->va = p->heap_start;
    ev->size = m->op.size;
    snprintf(ev->detail, sizeof ev->detail, "heap [0x%llx, 0x%llx), %llu page%s; %llu resident "
             "page%s released",
             (unsigned long long)p->heap_start, (unsigned long long)new_end,
             (unsigned long long)((new_end - p->heap_start) / psize),
             new_end - p->heap_start == psize ? "" : "s", (unsigned long long)freed,
             freed == 1 ? "" : "s");
}

/* PH_SIMPLE → MMAP, MUNMAP, MPROTECT, MAP_FRAME, EXIT, FORK, BRK or
 * OP_FAILED (the operation refused, as the system call would fail) →
 * PH_IDLE; EXECVE or SPAWN → PH_CLASSIFY, for the top page of the new
 * stack; or CONTEXT_SWITCH → PH_IDLE, or PH_SWITCH_FLUSH when the TLB has
 * no ASID tags. Runs a whole non-access operation as one micro-step
 * (execve and spawn go on with the fault handler's). */
void vm_step_simple(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    m->phase = PH_IDLE;
    switch (m->op.kind) {
    case OP_MMAP: do_mmap(m, ev, p); break;
    case OP_MUNMAP: do_munmap(m, ev, p); break;
    case OP_MPROTECT: do_mprotect(m, ev, p); break;
    case OP_MAP_FRAME: do_map_frame(m, ev, p); break;
    case OP_SWITCH: do_switch(m, ev, p); break;
    case OP_EXIT: do_exit(m, ev, p); break;
    case OP_FORK: do_fork(m, ev, p); break;
    case OP_EXECVE: do_execve(m, ev, p); break;
    case OP_SPAWN: do_spawn(m, ev, p); break;
    case OP_BRK: do_brk(m, ev, p); break;
    default: op_failed(m, ev, p, "unknown operation"); break;
    }
}

/* PH_SWITCH_FLUSH → TLB_FLUSH → PH_IDLE: without ASID tags, loading CR3
 * drops every non-global entry. */
void vm_step_switch_flush(struct machine *m, struct event *ev)
{
    unsigned dropped = tlb_flush_all(&m->tlb, false);
    m->counters.tlb_flushes++;
    simple_event(m, ev, EV_TLB_FLUSH, machine_running(m));
    snprintf(ev->detail, sizeof ev->detail,
             "no ASID tags: loading CR3 drops every non-global entry (%u)", dropped);
    m->phase = PH_IDLE;
}

