/* What the kernel does on a page fault: the fault handler's micro-steps.
 * It finds the area (or sends SIGSEGV), classifies the fault, builds the
 * tables missing down to the leaf, asks for a frame (reclaim.c gets one),
 * gives the page its content (zero fill, the zero page, swap-in, a file
 * read with readahead, a page-cache hit, a copy-on-write copy or reuse),
 * writes the leaf entry (with fault-around), and returns.
 *
 * Separate from mmu.c because this is software deciding policy: where a
 * page comes from and what its entry allows. Getting a frame when none is
 * free is reclaim.c's. The phases and what each step may emit are in
 * machine.h (MACHINE_STEP_TABLE). */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"

/* ------------------------------------------------------------------ */
/* classifying the fault                                              */

/* What the fault handler lets an area do (arch/x86/mm/fault.c,
 * access_error): a write needs PROT_W, a fetch PROT_X, and a read any
 * access at all - x86 has no page that can be written or executed but not
 * read (without protection keys), so Linux lets -w- and --x areas be read. */
static bool area_permits(const struct area *a, enum access_kind access)
{
    switch (access) {
    case ACCESS_READ: return (a->prot & (PROT_R | PROT_W | PROT_X)) != 0;
    case ACCESS_WRITE: return (a->prot & PROT_W) != 0;
    case ACCESS_EXEC: return (a->prot & PROT_X) != 0;
    }
    return false;
}

/* The error code the SIGSEGV's handler sees (the ucontext's REG_ERR): the
 * page fault's, except that on x86 a user access to a kernel address
 * always reports a protection fault, mapped or not, so as not to leak the
 * kernel's page-table layout (arch/x86/mm/fault.c, sanitize_error_code). */
static uint8_t reported_code(const struct machine *m)
{
    const struct geometry *g = &m->cfg.geo;
    uint8_t code = m->acc.fault_code;
    if (g->arch == GEO_ARCH_X86 && m->op.va >= g->user_top && geometry_canonical(g, m->op.va))
        code |= FAULT_CODE_PROTECTION;
    return code;
}

/* SEGFAULT → PH_IDLE: SIGSEGV with SEGV_MAPERR or SEGV_ACCERR; why says
 * what the handler found. */
static void end_with_segfault(struct machine *m, struct event *ev, enum fault_kind kind,
                              const char *why)
{
    vm_event_for_access(m, ev, EV_SEGFAULT);
    ev->fault_kind = (uint8_t)kind;
    ev->fault_code = reported_code(m);
    m->counters.segfaults++;
    vm_detail(m, ev, "%s", why);
    m->phase = PH_IDLE;
}

/* PH_GP_SIGNAL → SEGFAULT → PH_IDLE. The #GP handler of a user-mode fault
 * (arch/x86/kernel/traps.c, exc_general_protection and
 * gp_user_force_sig_segv) records trap 13 and error code 0 and sends a
 * bare SIGSEGV: si_code SI_KERNEL, si_addr 0 - a #GP tells no address.
 * No page fault is counted: no fault handler ran. */
void vm_step_gp_signal(struct machine *m, struct event *ev)
{
    vm_event_for_access(m, ev, EV_SEGFAULT);
    ev->fault_kind = FAULT_SI_KERNEL;
    ev->fault_code = 0;
    m->counters.segfaults++;
    vm_detail(m, ev,
             "a general-protection fault: si_addr 0, trap 13, error code 0");
    m->phase = PH_IDLE;
}

/* Gives the faulting page an anonymous area of its own, merged with an
 * adjacent automatic area so that a trace's areas stay few. */
static struct area *add_auto_area(struct machine *m, struct process *p)
{
    uint64_t psize = vm_page_size(m);
    uint64_t start = m->op.va & ~(psize - 1);
    const char *name = m->op.textbook ? "pages" : "trace";
    struct area *below = start >= psize ? process_find_area(p, start - psize) : NULL;
    struct area *above = process_find_area(p, start + psize);
    if (below && strcmp(below->name, name) == 0 && below->end == start) {
        if (above && strcmp(above->name, name) == 0) {
            uint64_t end = above->end;
            bool anon_pages = above->anon_pages;
            process_remove_range(p, above->start, above->end);
            below = process_find_area(p, start - psize);
            below->end = end;
            below->anon_pages |= anon_pages;
        } else {
            below->end = start + psize;
        }
        return process_find_area(p, m->op.va);
    }
    if (above && strcmp(above->name, name) == 0 && above->start == start + psize) {
        above->start = start;
        return process_find_area(p, m->op.va);
    }
    struct area a = {.start = start, .end = start + psize, .prot = PROT_R | PROT_W | PROT_X,
                     .object = VM_NO_OBJECT,
                     .kind = AREA_ANON, .textbook = m->op.textbook};
    snprintf(a.name, sizeof a.name, "%s", name);
    if (!process_add_area(p, &a)) {
        vm_host_failure(m, "an area");
        return NULL;
    }
    return process_find_area(p, m->op.va);
}

static uint64_t object_page_of(const struct machine *m, const struct area *a, uint64_t va)
{
    return (va - a->start + a->file_offset) >> m->cfg.geo.page_shift;
}

/* A fault in a huge area takes a huge page when the aligned huge range
 * around it lies inside the area and no leaf table covers it yet. */
static bool wants_huge(const struct machine *m, const struct area *a, const struct walk_result *w)
{
    const struct geometry *g = &m->cfg.geo;
    if (!a->huge || a->textbook || g->huge_level < 0 || w->complete)
        return false;
    uint64_t span = geometry_level_span(g, (unsigned)g->huge_level);
    uint64_t base = m->op.va & ~(span - 1);
    return base >= a->start && base + span <= a->end && w->level <= (unsigned)g->huge_level;
}

/* A shared mapping of a file: its pages are mapped read-only until written,
 * so that the first write to each is seen (Linux: vma_wants_writenotify,
 * for a file system with page_mkwrite or dirty accounting). Shared
 * anonymous memory (shmem) wants no such notice. */
static bool area_notifies_writes(const struct machine *m, const struct area *a)
{
    return a->shared && a->object != VM_NO_OBJECT && !m->objects[a->object].anonymous;
}

/* PH_CLASSIFY → SEGFAULT → PH_IDLE (no area, or the area forbids the
 * access); or FAULT_CLASSIFIED → PH_TABLES, having decided what the fault
 * needs: swap-in, copy-on-write, cache hit, file read, zero page or zero
 * fill (a huge page where the area allows). Counts the fault, minor or
 * major. */
void vm_step_classify(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    const struct geometry *g = &m->cfg.geo;
    char why[sizeof ev->detail];
    if (m->op.kernel_mode) {
        /* A kernel-mode fault on a kernel address with nothing to fix is
         * an oops in Linux (do_kern_addr_fault, then page_fault_oops): the
         * loader refuses such a step, so only a direct caller gets here. */
        event_init(ev, EV_OP_FAILED);
        ev->pid = p->pid;
        ev->va = m->op.va;
        vm_detail(m, ev,
                 "a kernel-mode page fault at 0x%llx would be a kernel oops, which vmviz does "
                 "not model", (unsigned long long)m->op.va);
        m->phase = PH_IDLE;
        return;
    }
    if (!geometry_canonical(g, m->op.va)) {
        /* RISC-V's page fault for a non-canonical address (and a
         * classroom layout's beyond its width): no area can hold it. */
        snprintf(why, sizeof why, "0x%llx %s: no area can contain it",
                 (unsigned long long)m->op.va,
                 g->sign_extended ? "is not canonical" : "is beyond the VA width");
        end_with_segfault(m, ev, FAULT_MAPERR, why);
        return;
    }
    if (m->op.va >= g->user_top) {
        /* fault_in_kernel_space: do_kern_addr_fault looks for no area and
         * sends SIGSEGV, SEGV_MAPERR, for any user access up there. */
        snprintf(why, sizeof why,
                 "0x%llx is not a user address (user space ends at 0x%llx): no area is "
                 "looked for", (unsigned long long)m->op.va, (unsigned long long)g->user_top);
        end_with_segfault(m, ev, FAULT_MAPERR, why);
        return;
    }
    struct area *a = process_find_area(p, m->op.va);
    if (!a && m->op.auto_area)
        a = add_auto_area(m, p);
    if (!a) {
        end_with_segfault(m, ev, FAULT_MAPERR, "no area contains the address");
        return;
    }
    if (!area_permits(a, m->op.access)) {
        end_with_segfault(m, ev, FAULT_ACCERR, "the area's protection forbids this access");
        return;
    }
    if (a->kind == AREA_DEVICE) {
        /* Its entries are written at mmap and follow every mprotect, so
         * an allowed access never faults; were one missing, a driver's
         * fault handler (or SIGBUS) would decide, which is not modelled. */
        event_init(ev, EV_OP_FAILED);
        ev->pid = p->pid;
        ev->va = m->op.va;
        vm_detail(m, ev,
                 "a page fault in device area '%s' at 0x%llx: a driver's fault handler is not "
                 "modelled", a->name, (unsigned long long)m->op.va);
        m->phase = PH_IDLE;
        return;
    }
    struct walk_result w = vm_op_walk(m);
    enum fault_kind kind;
    bool major = false;
    m->acc.object = a->object;
    m->acc.private_copy = false;
    if (w.complete && pte_is_swap(*w.slot)) {
        m->acc.slot = pte_slot(*w.slot);
        const struct swap_slot *sl = swap_at(&m->swap, m->acc.slot);
        if (sl->cached) {
            /* The page is still in the swap cache (read back for another
             * process, or not yet reclaimed): no I/O. */
            kind = FAULT_SWAP_CACHED;
            m->acc.frame = sl->cache_frame;
        } else {
            kind = FAULT_SWAP_IN;
            major = true;
        }
    } else if (w.complete && pte_present(*w.slot) && area_notifies_writes(m, a)) {
        /* A shared file page is mapped read-only until its first write
         * (vma_wants_writenotify): the write faults so that the file
         * system hears of it (do_page_mkwrite) and the page is dirty. */
        kind = FAULT_WRITE_NOTIFY;
        m->acc.frame = pte_frame(*w.slot);
    } else if (w.complete && pte_present(*w.slot)) {
        /* Present, but the entry forbids what the area allows: a write to
         * a read-only copy (after fork, of the zero page, of a file page
         * mapped privately), which copy-on-write resolves. */
        kind = FAULT_COW;
        m->acc.cow_source = pte_frame(*w.slot);
        m->acc.huge = (*w.slot & PTE_HUGE) != 0;
    } else if (a->object != VM_NO_OBJECT) {
        const struct vm_object *o = &m->objects[a->object];
        uint64_t page = object_page_of(m, a, m->op.va);
        m->acc.object_page = page;
        m->acc.private_copy = !a->shared && m->op.access == ACCESS_WRITE;
        if (object_frame(o, page) != VM_NO_FRAME) {
            kind = FAULT_FILE_CACHED;
        } else if (object_slot(o, page) != VM_NO_SLOT) {
            kind = FAULT_SWAP_IN;
            major = true;
            m->acc.slot = object_slot(o, page);
        } else if (o->anonymous) {
            kind = FAULT_ZERO_FILL;
        } else {
            kind = FAULT_FILE_READ;
            major = true;
        }
    } else if (wants_huge(m, a, &w)) {
        /* do_huge_pmd_anonymous_page: the whole aligned range at once; a
         * read (or a fetch) maps the huge zero page, a write a huge page of
         * its own. */
        kind = m->op.access == ACCESS_WRITE ? FAULT_ZERO_FILL : FAULT_ZERO_PAGE;
        m->acc.huge = true;
    } else if (m->op.access != ACCESS_WRITE && !a->textbook) {
        /* do_anonymous_page: a read of untouched memory maps the zero page,
         * and so does an instruction fetch (it is no write). */
        kind = FAULT_ZERO_PAGE;
    } else {
        kind = FAULT_ZERO_FILL;
    }
    /* A private page of the area's own is about to exist: the area now
     * has an anon_vma (anon_vma_prepare runs before the page is made),
     * so fork will copy its entries. A zero-page read makes none. */
    if (!a->shared && (kind == FAULT_ZERO_FILL || kind == FAULT_COW || m->acc.private_copy))
        a->anon_pages = true;
    vm_event_for_access(m, ev, EV_FAULT_CLASSIFIED);
    ev->fault_kind = (uint8_t)kind;
    ev->size = m->acc.huge ? vm_huge_pages(m) : 1;
    if (kind == FAULT_SWAP_IN || kind == FAULT_SWAP_CACHED)
        ev->slot = m->acc.slot;
    if (a->object != VM_NO_OBJECT)
        vm_detail(m, ev, "area '%s' (%s %s, page %llu)", a->name,
                 a->shared ? "shared" : "private",
                 m->objects[a->object].anonymous ? "anonymous memory" : "file",
                 (unsigned long long)m->acc.object_page);
    else
        vm_detail(m, ev, "area '%s'", a->name);
    m->acc.fault_kind = (uint8_t)kind;
    m->counters.faults++;
    if (major)
        m->counters.major_faults++;
    else
        m->counters.minor_faults++;
    m->phase = PH_TABLES;
}

/* ------------------------------------------------------------------ */
/* the tables down to the leaf                                        */

/* Sets up the search for a frame of the given kind; `level` is the table
 * level wanted when kind is FRAME_TABLE. */
void vm_want_frame(struct machine *m, enum frame_kind kind, unsigned level)
{
    m->acc.need_kind = (uint8_t)kind;
    m->acc.need_level = level;
    m->phase = PH_NEED_FRAME;
}

/* After a fault is classified: make sure every table down to the leaf
 * exists (one TABLE_ALLOC per missing level), then get the data frame. This
 * step emits nothing by itself, so it runs inside the step that needs it. */
static bool next_missing_table(struct machine *m)
{
    struct walk_result w = vm_op_walk(m);
    if (w.complete)
        return false;
    /* A huge page is mapped by the entry at its level: no table below. */
    if (m->acc.huge && w.level == (unsigned)m->cfg.geo.huge_level)
        return false;
    vm_want_frame(m, FRAME_TABLE, w.level + 1);
    return true;
}

/* PH_INSTALL_TABLE → TABLE_ALLOC → what vm_step_tables decides next
 * (PH_NEED_FRAME, PH_HUGE_ALLOC or PH_LOAD): the table frame just taken
 * becomes an empty table, linked into its parent's entry. */
void vm_step_install_table(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    uint32_t frame = m->acc.frame;
    unsigned level = m->acc.need_level;
    struct walk_result w = machine_walk(m, p, m->op.va);
    if (!vm_new_table(m, frame, level))
        return;
    struct frame *f = frames_edit(&m->pool, frame);
    f->table_level = (int8_t)level;
    f->owner_pid = p->pid;
    f->refcount = 1;
    f->loaded_at = m->steps;
    *w.slot = pte_make(frame, PTE_TABLE_FLAGS);
    m->counters.table_allocs++;
    vm_event_for_access(m, ev, EV_TABLE_ALLOC);
    ev->level = (int)level;
    ev->frame = frame;
    ev->index = (uint32_t)geometry_index(&m->cfg.geo, m->op.va, w.level);
    ev->entry = *w.slot;
    vm_detail(m, ev, "entry %u of the %s table at frame %u", ev->index,
             geometry_level_name(&m->cfg.geo, (int)w.level), w.table);
    vm_step_tables(m);
}

/* The huge zero page for a read of a huge range: the one that exists, or
 * an aligned run of free frames taken for it now (mm_get_huge_zero_folio
 * allocates it on first use; it then serves every process). Sets up
 * PH_LOAD, or PH_HUGE_ALLOC when the run was just taken; false when no run
 * is free (or the host refused one: the machine then stops). */
static bool take_huge_zero(struct machine *m)
{
    if (m->huge_zero_frame != VM_NO_FRAME) {
        m->acc.frame = m->huge_zero_frame;
        m->phase = PH_LOAD;
        return true;
    }
    uint32_t run = frames_take_run(&m->pool, (uint32_t)vm_huge_pages(m), FRAME_ZERO);
    if (run == FRAMES_REFUSED) {
        vm_host_failure(m, "the frame pool");
        return true;
    }
    if (run == VM_NO_FRAME)
        return false;
    m->acc.frame = run;
    m->phase = PH_HUGE_ALLOC;
    return true;
}

/* PH_TABLES, emitting nothing → PH_NEED_FRAME for the next missing table
 * (or for the page), PH_HUGE_ALLOC when a huge page's run of frames was
 * taken, or PH_LOAD when the page needs no new frame (copy-on-write reuse,
 * cache hit, the zero page once it exists). The dispatcher runs the step
 * of that phase at once; vm_step_install_table ends with it too. */
void vm_step_tables(struct machine *m)
{
    if (next_missing_table(m))
        return;
    switch ((enum fault_kind)m->acc.fault_kind) {
    case FAULT_COW: {
        const struct frame *src = frames_at(&m->pool, m->acc.cow_source);
        const struct area *a = process_find_area(vm_op_process(m), m->op.va);
        /* A shared mapping writes to the page itself (after fault-around
         * mapped it read-only); a private one copies unless the page is
         * anonymous and no one else maps it. */
        bool alone = src->kind == FRAME_ANON && src->object == VM_NO_OBJECT && src->refcount == 1;
        /* In the swap cache, it is ours alone only when no swap entry
         * elsewhere names its slot: then the cache lets go of it first
         * (wp_can_reuse_anon_folio frees the swap). */
        if (alone && src->swap_slot != VM_NO_SLOT) {
            if (swap_at(&m->swap, src->swap_slot)->refs > 1)
                alone = false;
            else
                vm_swap_cache_forget(m, m->acc.cow_source);
        }
        if ((a && a->shared && src->kind != FRAME_ZERO) || alone) {
            /* Nobody else maps it: do_wp_page reuses it without a copy. */
            m->acc.frame = m->acc.cow_source;
            m->phase = PH_LOAD;
            return;
        }
        break;
    }
    case FAULT_SWAP_CACHED:
    case FAULT_WRITE_NOTIFY:
        m->phase = PH_LOAD; /* the frame is the swap cache's, or already mapped */
        return;
    case FAULT_FILE_CACHED:
        m->acc.frame = object_frame(&m->objects[m->acc.object], m->acc.object_page);
        if (m->acc.frame == VM_NO_FRAME) {
            /* Reclaimed while the tables were being allocated: now it must
             * be read from the file after all. */
            m->counters.minor_faults--;
            m->counters.major_faults++;
            m->acc.fault_kind = FAULT_FILE_READ;
            vm_want_frame(m, FRAME_FILE, 0);
            return;
        }
        if (m->acc.private_copy) {
            /* A private write: the cached page is only the source of a copy. */
            m->acc.private_copy = false;
            m->acc.cow_source = m->acc.frame;
            m->acc.fault_kind = FAULT_COW;
            break;
        }
        m->phase = PH_LOAD;
        return;
    case FAULT_FILE_READ:
        vm_want_frame(m, FRAME_FILE, 0);
        return;
    case FAULT_ZERO_PAGE:
        if (m->acc.huge && !take_huge_zero(m)) {
            /* No run for the huge zero page: the fault falls back to
             * ordinary pages (VM_FAULT_FALLBACK), and the 4 KiB zero page. */
            m->acc.huge = false;
            if (next_missing_table(m))
                return;
        }
        if (m->acc.huge)
            return;
        if (m->zero_frame != VM_NO_FRAME) {
            m->acc.frame = m->zero_frame;
            m->phase = PH_LOAD;
            return;
        }
        vm_want_frame(m, FRAME_ZERO, 0);
        return;
    default:
        break;
    }
    if (m->acc.huge) {
        uint32_t run = frames_take_run(&m->pool, (uint32_t)vm_huge_pages(m), FRAME_ANON);
        if (run == FRAMES_REFUSED) {
            vm_host_failure(m, "the frame pool");
            return;
        }
        if (run != VM_NO_FRAME) {
            m->acc.frame = run;
            m->phase = PH_HUGE_ALLOC;
            return;
        }
        /* No contiguous run free: fall back to base pages, as THP does. A
         * write to the huge zero page first lets go of its huge entry (the
         * other pages of the range read as zeros again when touched). */
        m->acc.huge = false;
        vm_unmap_huge_zero(m, vm_op_process(m), m->op.va);
        if (next_missing_table(m))
            return;
    }
    vm_want_frame(m, FRAME_ANON, 0);
}

/* PH_HUGE_ALLOC → FRAME_ALLOC → PH_LOAD: shows the run of frames
 * vm_step_tables took for a huge page. */
void vm_step_huge_alloc(struct machine *m, struct event *ev)
{
    uint64_t n = vm_huge_pages(m);
    vm_event_for_access(m, ev, EV_FRAME_ALLOC);
    ev->frame = m->acc.frame;
    ev->size = n;
    vm_detail(m, ev, "frames %u to %llu, contiguous and aligned",
             m->acc.frame, (unsigned long long)(m->acc.frame + n - 1));
    m->phase = PH_LOAD;
}

/* ------------------------------------------------------------------ */
/* loading the page                                                   */

/* After a page is read from a file, Linux reads around it (the mmap
 * read-around of do_sync_mmap_readahead): a window of the readahead size
 * that starts half of it before the page, within the file. The pages of
 * that window not yet cached are read into free frames too (never
 * evicting for them). Returns how many; the window in *first, *last. */
static unsigned read_around(struct machine *m, uint64_t *first, uint64_t *last)
{
    struct vm_object *o = &m->objects[m->acc.object];
    uint64_t half = m->cfg.readahead / 2, page0 = m->acc.object_page;
    *first = *last = page0;
    if (m->cfg.readahead == 0)
        return 0;
    *first = page0 > half ? page0 - half : 0;
    *last = *first + m->cfg.readahead - 1;
    if (*last >= o->pages)
        *last = o->pages - 1;
    unsigned n = 0;
    for (uint64_t page = *first; page <= *last && frames_have_free(&m->pool, FRAME_FILE); page++) {
        if (page == page0 || object_get(o, page))
            continue;
        uint32_t frame = frames_take(&m->pool, FRAME_FILE);
        if (frame == FRAMES_REFUSED || frame == VM_NO_FRAME) {
            vm_host_failure(m, "the frame pool");
            return n;
        }
        struct frame *f = frames_edit(&m->pool, frame);
        f->object = m->acc.object;
        f->object_page = page;
        f->loaded_at = m->steps;
        if (!object_set(o, page, (uint64_t)frame + 1)) {
            vm_host_failure(m, "a page-cache map");
            return n;
        }
        m->policy.ops->loaded(&m->policy, frame);
        n++;
    }
    return n;
}

/* Puts a freshly loaded frame in its object's page cache. */
static void cache_insert(struct machine *m, uint32_t frame)
{
    struct frame *f = frames_edit(&m->pool, frame);
    f->object = m->acc.object;
    f->object_page = m->acc.object_page;
    f->owner_pid = VM_NO_PID;
    if (!object_set(&m->objects[m->acc.object], m->acc.object_page, (uint64_t)frame + 1))
        vm_host_failure(m, "a page-cache map");
}

/* Whether the page read back from swap (or found in the swap cache) at
 * frame is the faulting process's alone: nobody maps it yet, and no swap
 * entry but the faulting one (and the cache) holds its slot. */
static bool swap_page_exclusive(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (f->refcount != 0)
        return false;
    if (f->swap_slot == VM_NO_SLOT)
        return true;
    return swap_at(&m->swap, f->swap_slot)->refs <= 2;
}

/* PH_LOAD → ZERO_FILL, ZERO_PAGE, SWAP_IN, FILE_READ, CACHE_HIT, COW_COPY
 * or COW_REUSE → PH_PTE; a private write to a file page just read goes to
 * PH_NEED_FRAME instead, for the process's own copy. The page gets its
 * content and its reverse-map entry; a file read also reads ahead. */
void vm_step_load(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    uint32_t frame = m->acc.frame;
    struct frame *f = frames_edit(&m->pool, frame);
    enum fault_kind kind = (enum fault_kind)m->acc.fault_kind;
    bool fresh = true;   /* a frame that just got its content */
    switch (kind) {
    case FAULT_COW:
        if (frame == m->acc.cow_source) {
            vm_event_for_access(m, ev, EV_COW_REUSE);
            ev->frame = frame;
            m->phase = PH_PTE;
            return;
        }
        break;
    case FAULT_FILE_CACHED:
        vm_event_for_access(m, ev, EV_CACHE_HIT);
        ev->frame = frame;
        fresh = false;
        break;
    case FAULT_WRITE_NOTIFY:
        /* do_page_mkwrite: the file system hears of the write; the PTE
         * step marks the page dirty. */
        vm_event_for_access(m, ev, EV_WRITE_NOTIFY);
        ev->frame = frame;
        m->phase = PH_PTE;
        return;
    case FAULT_SWAP_CACHED:
        vm_event_for_access(m, ev, EV_SWAP_CACHE_HIT);
        ev->slot = m->acc.slot;
        ev->frame = frame;
        fresh = false;
        break;
    case FAULT_ZERO_PAGE:
        vm_event_for_access(m, ev, EV_ZERO_PAGE);
        ev->frame = frame;
        if (m->acc.huge) {
            ev->size = vm_huge_pages(m);
            if (m->huge_zero_frame == VM_NO_FRAME)
                m->huge_zero_frame = frame;
            m->huge_pages++; /* one more huge mapping for the TLB to look for */
        } else if (m->zero_frame == VM_NO_FRAME) {
            m->zero_frame = frame;
        }
        if (f->loaded_at == 0)
            f->loaded_at = m->steps;
        m->phase = PH_PTE;
        return;
    default:
        break;
    }
    if (fresh) {
        f->kind = kind == FAULT_FILE_READ ? FRAME_FILE : FRAME_ANON;
        f->owner_pid = p->pid;
        f->loaded_at = m->steps;
        f->dirty = false;
    }
    switch (kind) {
    case FAULT_SWAP_IN:
        vm_event_for_access(m, ev, EV_SWAP_IN);
        ev->slot = m->acc.slot;
        if (m->acc.object != VM_NO_OBJECT) {
            /* Shared memory: the object lets go of the slot, so the page
             * has no other copy. */
            swap_release(&m->swap, m->acc.slot);
            cache_insert(m, frame);
            f->dirty = true;
        } else {
            /* The page joins the swap cache: the slot keeps its copy, and
             * the entry lets go of it when it is rewritten (PH_PTE). */
            f->swap_slot = m->acc.slot;
            swap_cache_add(&m->swap, m->acc.slot, frame);
        }
        m->counters.swap_ins++;
        break;
    case FAULT_SWAP_CACHED:
        break;
    case FAULT_COW: {
        /* Copy (or, from the zero page, clear), then this process lets go
         * of the original. */
        uint32_t src = m->acc.cow_source;
        const struct frame *from = frames_at(&m->pool, src);
        if (from->kind == FRAME_ZERO) {
            vm_event_for_access(m, ev, EV_ZERO_FILL);
            ev->size = m->acc.huge ? vm_huge_pages(m) : 1;
            m->counters.zero_fills++;
        } else {
            vm_event_for_access(m, ev, EV_COW_COPY);
            m->counters.cow_copies++;
            if (from->object != VM_NO_OBJECT)
                vm_detail(m, ev, "page %llu of %s '%s'",
                         (unsigned long long)from->object_page,
                         m->objects[from->object].anonymous ? "shared memory" : "file",
                         m->objects[from->object].name);
        }
        /* This process lets go of the original when its entry points at
         * the copy (PH_PTE). */
        ev->victim = src;
        break;
    }
    case FAULT_FILE_READ: {
        vm_event_for_access(m, ev, EV_FILE_READ);
        cache_insert(m, frame);
        uint64_t first, last;
        unsigned around = read_around(m, &first, &last);
        ev->count = around;
        if (around)
            vm_detail(m, ev,
                     "%s, page %llu; read around it, pages %llu-%llu: %u more read",
                     m->objects[m->acc.object].name, (unsigned long long)m->acc.object_page,
                     (unsigned long long)first, (unsigned long long)last, around);
        else
            vm_detail(m, ev, "%s, page %llu",
                     m->objects[m->acc.object].name, (unsigned long long)m->acc.object_page);
        break;
    }
    case FAULT_FILE_CACHED:
        break;
    default:
        vm_event_for_access(m, ev, EV_ZERO_FILL);
        ev->size = 1;
        m->counters.zero_fills++;
        if (m->acc.object != VM_NO_OBJECT)
            cache_insert(m, frame);
        break;
    }
    ev->frame = frame;
    if (m->acc.huge) {
        /* Huge pages are never reclaimed here: the policy does not see them. */
        uint64_t n = vm_huge_pages(m);
        for (uint64_t i = 1; i < n; i++)
            frames_edit(&m->pool, frame + (uint32_t)i)->owner_pid = p->pid;
        vm_detail(m, ev, "a huge page of %llu frames, %u to %llu",
                 (unsigned long long)n, frame, (unsigned long long)(frame + n - 1));
        ev->size = n;
        m->huge_pages++;
        m->acc.map_pending = true;
        m->phase = PH_PTE;
        return;
    }
    if (fresh)
        m->policy.ops->loaded(&m->policy, frame);
    if ((kind == FAULT_SWAP_IN || kind == FAULT_SWAP_CACHED) && m->op.access == ACCESS_WRITE &&
        m->acc.object == VM_NO_OBJECT && !swap_page_exclusive(m, frame)) {
        /* A write to a page another process still holds (mapped, or by
         * its own swap entry): do_swap_page goes on to copy it, in the
         * same fault. */
        m->acc.cow_source = frame;
        m->acc.fault_kind = FAULT_COW;
        vm_want_frame(m, FRAME_ANON, 0);
        return;
    }
    if (m->acc.private_copy) {
        /* A private write to a file page: the cached page is only the
         * source; the process gets its own copy next. */
        m->acc.private_copy = false;
        m->acc.cow_source = frame;
        m->acc.fault_kind = FAULT_COW;
        vm_want_frame(m, FRAME_ANON, 0);
        return;
    }
    /* The frame joins the process when its entry is written (PH_PTE), so
     * that the reverse map and the tables never disagree between steps. */
    m->acc.map_pending = true;
    m->phase = PH_PTE;
}

/* ------------------------------------------------------------------ */
/* the entry                                                          */

/* The leaf entry for a frame: writable only where the area allows it and
 * the frame is this process's alone to write (not the zero page, not a
 * cached file page mapped privately, not a copy-on-write original). */
uint64_t vm_leaf_flags(const struct area *a, enum access_kind access, bool may_write)
{
    uint64_t flags = PTE_PRESENT | PTE_USER | PTE_ACCESSED;
    if ((a->prot & PROT_W) && may_write)
        flags |= PTE_WRITABLE;
    if (access == ACCESS_WRITE)
        flags |= PTE_DIRTY;
    if (!(a->prot & PROT_X))
        flags |= PTE_NX;
    if (a->global)
        flags |= PTE_GLOBAL;
    return flags;
}

/* do_fault_around: on a read fault in a file-backed area, the neighbours
 * already in the page cache are mapped too, read-only, within a window of
 * fault_around pages aligned to its size. They all sit in the same leaf
 * table as the faulting page (the window never crosses a table). */
static unsigned fault_around(struct machine *m, struct process *p, const struct area *a,
                             uint64_t *slot)
{
    uint64_t psize = vm_page_size(m);
    uint64_t window = (uint64_t)m->cfg.fault_around * psize;
    uint64_t start = m->op.va & ~(window - 1), end = start + window;
    const struct geometry *g = &m->cfg.geo;
    /* The bytes one leaf table covers: an entry of the level above it. */
    uint64_t span = g->levels >= 2 ? geometry_level_span(g, g->levels - 2) : UINT64_MAX;
    uint64_t table_start = span == UINT64_MAX ? 0 : m->op.va & ~(span - 1);
    uint64_t table_end = span == UINT64_MAX ? UINT64_MAX : table_start + span;
    if (start < a->start)
        start = a->start;
    if (end > a->end)
        end = a->end;
    if (start < table_start)
        start = table_start;
    if (end > table_end)
        end = table_end;
    uint64_t *table = slot - geometry_index(&m->cfg.geo, m->op.va, m->cfg.geo.levels - 1);
    const struct vm_object *o = &m->objects[a->object];
    unsigned mapped = 0;
    for (uint64_t va = start; va < end; va += psize) {
        uint64_t *e = &table[geometry_index(&m->cfg.geo, va, m->cfg.geo.levels - 1)];
        uint32_t frame = object_frame(o, object_page_of(m, a, va));
        if (*e || frame == VM_NO_FRAME)
            continue;
        if (!frames_rmap_add(&m->pool, frame, p->pid, geometry_vpn(&m->cfg.geo, va))) {
            vm_host_failure(m, "a reverse map");
            return mapped;
        }
        /* As the area's own protection maps a page it reads: writable only
         * in shared anonymous memory, which wants no write notification. */
        *e = pte_make(frame, vm_leaf_flags(a, ACCESS_READ, a->shared && !area_notifies_writes(m, a)) &
                                 ~PTE_ACCESSED);
        p->resident++;
        mapped++;
    }
    return mapped;
}

/* PH_PTE → PTE_UPDATE → PH_RETURN: the leaf entry is written, writable
 * only where the page is the process's alone; a read fault in a file
 * area also maps its cached neighbours (fault-around). → PH_IDLE instead
 * when the fault was execve's (get_user_pages): no instruction waits. */
void vm_step_pte(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    const struct area *a = process_find_area(p, m->op.va);
    struct walk_result w = vm_op_walk(m);
    const struct frame *f = frames_at(&m->pool, m->acc.frame);
    bool may_write = f->kind != FRAME_ZERO && (f->object == VM_NO_OBJECT || a->shared);
    if (area_notifies_writes(m, a) && m->op.access != ACCESS_WRITE)
        may_write = false; /* read-only until the first write tells the file system */
    if (m->acc.fault_kind == FAULT_COW && m->acc.frame == m->acc.cow_source)
        may_write = true; /* reused: it is ours alone now */
    bool from_swap = (m->acc.fault_kind == FAULT_SWAP_IN || m->acc.fault_kind == FAULT_SWAP_CACHED) &&
                     m->acc.object == VM_NO_OBJECT;
    if (from_swap) {
        /* Writable only when the page is ours alone (do_swap_page maps an
         * exclusive page writable even for a read). */
        may_write = swap_page_exclusive(m, m->acc.frame);
    }
    if (m->acc.map_pending) {
        /* The loaded page becomes the process's: its reverse map and its
         * resident count, together with its entry. */
        uint64_t n = m->acc.huge ? vm_huge_pages(m) : 1;
        uint64_t vpn = vm_op_vpn(m) & ~(n - 1);
        if (!frames_rmap_add_at(&m->pool, m->acc.frame, p->pid, vpn,
                                w.complete ? w.table : VM_NO_FRAME)) {
            vm_host_failure(m, "a reverse map");
            return;
        }
        p->resident += n;
        m->acc.map_pending = false;
    }
    if (pte_holds_frame(*w.slot) && pte_frame(*w.slot) != m->acc.frame) {
        /* A copy replaces the original: this mapping of it goes, and the
         * original with it when it was the last. */
        uint32_t old = pte_frame(*w.slot);
        if (frames_at(&m->pool, old)->kind != FRAME_ZERO) {
            if (frames_rmap_remove(&m->pool, old, p->pid, vm_op_vpn(m)))
                p->resident--;
            vm_frame_unmapped(m, old);
        } else if (*w.slot & PTE_HUGE) {
            m->huge_pages--; /* the huge zero page's mapping goes */
        }
        vm_shootdown(m, p->pid, vm_op_vpn(m), NULL);
    }
    if (pte_is_swap(*w.slot)) {
        /* The entry named a swap slot: it lets go of it now. */
        vm_swap_put(m, pte_slot(*w.slot));
        p->swapped--;
        *w.slot = 0;
    }
    bool slot_freed = false;
    uint32_t freed_slot = VM_NO_SLOT;
    if (from_swap && f->swap_slot != VM_NO_SLOT && swap_at(&m->swap, f->swap_slot)->refs == 1 &&
        (m->op.access == ACCESS_WRITE || swap_half_full(&m->swap))) {
        /* should_try_to_free_swap: nobody else needs the slot, and either
         * this write makes its copy stale or swap is more than half full:
         * the swap cache lets go of it, and the page has no other copy. */
        slot_freed = true;
        freed_slot = f->swap_slot;
        vm_swap_cache_forget(m, m->acc.frame);
        frames_edit(&m->pool, m->acc.frame)->dirty = true;
    }
    *w.slot = pte_make(m->acc.frame, vm_leaf_flags(a, m->op.access, may_write) |
                                         (m->acc.huge ? PTE_HUGE : 0));
    if (f->kind == FRAME_ANON && f->object == VM_NO_OBJECT && !a->shared)
        frames_edit(&m->pool, m->acc.frame)->anon_exclusive = may_write;
    /* fault_dirty_shared_page: a write through a shared file mapping makes
     * the cached page dirty at once, to be written back. */
    if (area_notifies_writes(m, a) && m->op.access == ACCESS_WRITE)
        frames_edit(&m->pool, m->acc.frame)->dirty = true;
    vm_event_for_access(m, ev, EV_PTE_UPDATE);
    ev->level = (int)w.level;
    ev->index = (uint32_t)geometry_index(&m->cfg.geo, m->op.va, w.level);
    ev->frame = m->acc.frame;
    ev->entry = *w.slot;
    if (slot_freed)
        vm_detail(m, ev, "%s swap slot %u is freed",
                  m->op.access == ACCESS_WRITE ? "write makes the copy stale:"
                                               : "swap is more than half full:",
                  freed_slot);
    if (a->object != VM_NO_OBJECT && m->op.access != ACCESS_WRITE && m->cfg.fault_around > 1) {
        unsigned mapped = fault_around(m, p, a, w.slot);
        if (mapped)
            vm_detail(m, ev, "fault-around also mapped %u cached neighbour%s%s",
                     mapped, mapped == 1 ? "" : "s",
                     a->shared && !area_notifies_writes(m, a) ? "" : " read-only");
    }
    m->phase = m->op.kind == OP_ACCESS ? PH_RETURN : PH_IDLE;
}


/* ------------------------------------------------------------------ */
/* the common fault, run whole                                        */

/* The most micro-steps vm_fast_fault takes (classify, a victim chosen,
 * unmapped, its shootdown, saved, the frame taken, load, entry): it
 * leaves an operation this close to MACHINE_MAX_OP_STEPS to the stepper,
 * which stops it there. */
#define FAST_FAULT_MAX_STEPS 8

/* One more micro-step begins: counted as machine_step counts it. */
static void fast_step_begin(struct machine *m, uint64_t *n)
{
    (*n)++;
    m->steps++;
    m->acc.op_steps++;
}

uint64_t vm_fast_fault(struct machine *m)
{
    if (m->phase != PH_CLASSIFY || !m->quiet || m->host_error[0] ||
        m->acc.proc == VM_NO_PROC || m->acc.huge || m->op.kind != OP_ACCESS ||
        m->op.kernel_mode)
        return 0;
    struct process *p = &m->procs[m->acc.proc];
    const struct geometry *g = &m->cfg.geo;
    if (!p->alive || m->acc.op_steps + FAST_FAULT_MAX_STEPS > MACHINE_MAX_OP_STEPS ||
        !geometry_canonical(g, m->op.va) || m->op.va >= g->user_top)
        return 0;
    /* A private anonymous area without an object (what vm_step_classify
     * finds there: no auto area to add, no device, no file). */
    struct area *a = process_find_area(p, m->op.va);
    if (!a || a->kind == AREA_DEVICE || a->shared || a->object != VM_NO_OBJECT ||
        !area_permits(a, m->op.access))
        return 0;
    /* Every table down to the leaf exists (PH_TABLES asks for none), and
     * the leaf names a slot that only it holds, the page not in the swap
     * cache (a swap-in the page's alone: no copy follows), or nothing, for
     * a write or a textbook page (a zero fill). */
    struct walk_result w = vm_op_walk(m);
    if (!w.complete || w.level + 1 != g->levels)
        return 0;
    uint32_t slot = VM_NO_SLOT;
    if (pte_is_swap(*w.slot)) {
        slot = pte_slot(*w.slot);
        const struct swap_slot *sl = swap_at(&m->swap, slot);
        if (sl->cached || sl->refs != 1)
            return 0;
    } else if (*w.slot != 0 || (m->op.access != ACCESS_WRITE && !a->textbook)) {
        return 0;
    }
    struct event ev; /* nobody reads it: the machine is quiet */
    uint64_t n = 0;
    /* FAULT_CLASSIFIED, as vm_step_classify decides it here; PH_TABLES
     * then asks for the page's frame. */
    fast_step_begin(m, &n);
    m->acc.object = VM_NO_OBJECT;
    m->acc.private_copy = false;
    m->counters.faults++;
    if (slot != VM_NO_SLOT) {
        m->acc.slot = slot;
        m->acc.fault_kind = FAULT_SWAP_IN;
        m->counters.major_faults++;
    } else {
        m->acc.fault_kind = FAULT_ZERO_FILL;
        a->anon_pages = true;
        m->counters.minor_faults++;
    }
    vm_want_frame(m, FRAME_ANON, 0);
    /* PH_NEED_FRAME: a free frame (then PH_LOAD), else a victim evicted
     * first. */
    for (;;) {
        fast_step_begin(m, &n);
        vm_step_need_frame(m, &ev);
        if (!vm_quiet_step_done(m) || m->phase == PH_LOAD)
            break;
        if (m->phase != PH_EVICT_UNMAP)
            return n; /* an OOM kill, or a victim nothing maps */
        const struct frame *victim = frames_at(&m->pool, m->acc.victim);
        if (victim->nmaps != 1)
            return n; /* the stepper unmaps each of several mappings */
        fast_step_begin(m, &n);
        vm_step_evict_unmap(m, &ev);
        if (!vm_quiet_step_done(m))
            return n;
        fast_step_begin(m, &n);
        if (vm_step_evict_shootdown(m, &ev)) {
            /* It invalidated an entry: a step of its own. */
            if (!vm_quiet_step_done(m))
                return n;
            fast_step_begin(m, &n);
        }
        bool kept = vm_step_evict_save_keeping(m, &ev);
        if (!vm_quiet_step_done(m))
            return n;
        if (kept) {
            /* PH_NEED_FRAME's step, the victim's frame already taken
             * back (it is what frames_take would give). */
            fast_step_begin(m, &n);
            vm_frame_allocated(m, &ev, m->acc.victim);
            if (!vm_quiet_step_done(m))
                return n;
            break;
        }
    }
    if (m->phase != PH_LOAD)
        return n; /* the host refused the frame */
    uint32_t frame = m->acc.frame;
    /* ZERO_FILL or SWAP_IN, as vm_step_load makes them for a fresh frame
     * of a page without an object: the page joins the swap cache when it
     * comes from swap, and is its process's alone (its slot held by its
     * entry and the cache only), so no copy follows. */
    fast_step_begin(m, &n);
    struct frame *f = frames_edit(&m->pool, frame);
    f->kind = FRAME_ANON;
    f->owner_pid = p->pid;
    f->loaded_at = m->steps;
    f->dirty = false;
    if (slot != VM_NO_SLOT) {
        f->swap_slot = slot;
        swap_cache_add(&m->swap, slot, frame);
        m->counters.swap_ins++;
    } else {
        m->counters.zero_fills++;
    }
    m->policy.ops->loaded(&m->policy, frame);
    if (!vm_quiet_step_done(m))
        return n;
    /* PTE_UPDATE, as vm_step_pte writes it for that page: its reverse map
     * and resident count, the entry's swap slot let go of (and the swap
     * cache's too, when the write makes its copy stale or swap is more
     * than half full), the entry writable. */
    fast_step_begin(m, &n);
    if (!frames_rmap_add_at(&m->pool, frame, p->pid, vm_op_vpn(m), w.table)) {
        vm_host_failure(m, "a reverse map");
        return n;
    }
    p->resident++;
    if (slot != VM_NO_SLOT) {
        vm_swap_put(m, slot);
        p->swapped--;
        if (swap_at(&m->swap, slot)->refs == 1 &&
            (m->op.access == ACCESS_WRITE || swap_half_full(&m->swap))) {
            vm_swap_cache_forget(m, frame);
            f->dirty = true;
        }
    }
    *w.slot = pte_make(frame, vm_leaf_flags(a, m->op.access, true));
    f->anon_exclusive = true;
    m->phase = PH_RETURN;
    vm_quiet_step_done(m);
    return n;
}
