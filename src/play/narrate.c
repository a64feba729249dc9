/* Narration: an event as a sentence a student can follow. See narrate.h. */
#include "play/narrate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/pte.h"

/* The name of a level's table, the same as the panels show. */
static const char *level_name(const struct geometry *g, int level)
{
    return geometry_level_name(g, level);
}

struct out {
    char *buf;
    size_t len, used;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
    if (o->used + 1 >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used = o->used + (size_t)n < o->len ? o->used + (size_t)n : o->len - 1;
}

static const char *verb(enum access_kind a)
{
    return a == ACCESS_WRITE ? "write" : a == ACCESS_EXEC ? "instruction fetch" : "read";
}

static void entry_bits(struct out *o, uint64_t e)
{
    if (!pte_present(e)) {
        if (pte_is_swap(e))
            say(o, "not present, swap slot %u", pte_slot(e));
        else
            say(o, "not present");
        return;
    }
    say(o, "present, frame %u, %s%s%s%s%s%s%s", pte_frame(e),
        (e & PTE_WRITABLE) ? "writable" : "read-only",
        (e & PTE_USER) ? ", user" : ", supervisor only (U/S clear)",
        (e & PTE_ACCESSED) ? ", accessed" : "", (e & PTE_DIRTY) ? ", dirty" : "",
        (e & PTE_NX) ? ", no-execute" : "", (e & PTE_HUGE) ? ", huge page (PS)" : "",
        (e & PTE_GLOBAL) ? ", global" : "");
    if (e & PTE_SPECIAL)
        say(o, ", special (a device's frame, no page of RAM)");
}

/* True when the event's root entry is one of the kernel half's: a copy
 * of the kernel root's, the same in every process's root. */
static bool kernel_root_entry(const struct machine *m, const struct event *ev)
{
    return m->kernel_root != VM_NO_FRAME && ev->level == 0 &&
           ev->index >= geometry_kernel_root_index(&m->cfg.geo);
}

size_t narrate_fault_code(uint8_t code, char *buf, size_t len)
{
    int n = snprintf(buf, len, "0x%x = %s, %s mode, %s", code,
                     (code & FAULT_CODE_FETCH)   ? "instruction fetch"
                     : (code & FAULT_CODE_WRITE) ? "write"
                                                 : "read",
                     (code & FAULT_CODE_USER) ? "user" : "kernel",
                     (code & FAULT_CODE_PROTECTION) ? "page present (a protection violation)"
                                                    : "page not present");
    return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* Frames in a huge page of this layout (1 when it has none). */
static uint64_t huge_frames(const struct geometry *g)
{
    return g->huge_level < 0 ? 1
                             : geometry_level_span(g, (unsigned)g->huge_level) >> g->page_shift;
}

/* " KiB"/" MiB" size of a huge page, for sentences: "2 MiB". */
static void huge_size(const struct geometry *g, char *buf, size_t len)
{
    uint64_t bytes = huge_frames(g) << g->page_shift;
    if (bytes >= (UINT64_C(1) << 30))
        snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (UINT64_C(1) << 20))
        snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
    else
        snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes >> 10));
}

/* The TLB entry an event names, when it maps a huge page; else NULL. */
static const struct tlb_entry *huge_entry(const struct machine *m, const struct event *ev)
{
    const struct tlb_entry *t = &m->tlb.entries[ev->index * m->tlb.ways + ev->way];
    return t->valid && t->span_shift > m->cfg.geo.page_shift ? t : NULL;
}

static void fault_reason(struct out *o, const struct geometry *g, uint64_t va, uint8_t code)
{
    if ((code & FAULT_CODE_PROTECTION) && (code & FAULT_CODE_USER) && va >= g->user_top)
        say(o, "the page is the kernel's - its entry has U/S clear - and this is a user-mode "
               "access");
    else if (code & FAULT_CODE_PROTECTION)
        say(o, "the entry is present but does not allow a %s",
            (code & FAULT_CODE_WRITE) ? "write" : (code & FAULT_CODE_FETCH) ? "fetch" : "read");
    else
        say(o, "no entry maps this page yet");
}

/* True while the event belongs to an execve or a spawn: its fault is the
 * kernel's own, copying the arguments, not an access of the program. */
static bool in_execve(const struct machine *m)
{
    enum op_kind k = machine_current_op(m)->kind;
    return k == OP_EXECVE || k == OP_SPAWN;
}

/* The areas a program starts with, as a list: "text [0x400000,
 * 0x401000) r-x from 'hello' at offset 0, ...". */
static void program_areas(struct out *o, const struct machine *m, uint32_t pid)
{
    const struct process *p = machine_process(m, pid);
    for (uint32_t i = 0; p && i < p->nareas; i++) {
        const struct area *a = &p->areas[i];
        char prot[4];
        prot_string(a->prot, prot);
        say(o, "%s%s [0x%llx, 0x%llx) %s", i == 0 ? "" : i + 1 == p->nareas ? " and " : ", ",
            a->name, (unsigned long long)a->start, (unsigned long long)a->end, prot);
        if (a->object != VM_NO_OBJECT)
            say(o, " mapped privately from file '%s' at offset 0x%llx",
                m->objects[a->object].name, (unsigned long long)a->file_offset);
        else
            say(o, " anonymous");
    }
}

/* For the access of a trace record's page after its first: that it is
 * the same record crossing a page boundary, not an access of its own. */
static void crossing_clause(struct out *o, const struct tl_event *e)
{
    if (e->page_part == 0)
        return;
    if (e->record_bytes)
        say(o, " The same %u-byte %s crosses into the next page: this is its page %u.",
            (unsigned)e->record_bytes, verb(e->ev.access), (unsigned)e->page_part + 1);
    else
        say(o, " The same %s crosses into the next page: this is its page %u.",
            verb(e->ev.access), (unsigned)e->page_part + 1);
}

static void machine_sentence(struct out *o, const struct tl_event *e, const struct machine *m)
{
    const struct event *ev = &e->ev;
    const struct geometry *g = &m->cfg.geo;
    unsigned long long va = (unsigned long long)ev->va;
    switch (ev->kind) {
    case EV_ACCESS_BEGIN: {
        if (!geometry_canonical(g, ev->va)) {
            say(o, "pid %u: %s at 0x%llx. The address is %s, so no level of the page tables "
                   "can hold it.", ev->pid, verb(ev->access), va,
                g->sign_extended ? "not canonical" : "beyond the VA width");
            break;
        }
        if (ev->kernel)
            say(o, "pid %u, in the kernel (a system call): %s at 0x%llx, in kernel mode.",
                ev->pid, verb(ev->access), va);
        else
            say(o, "pid %u: %s at 0x%llx.", ev->pid, verb(ev->access), va);
        crossing_clause(o, e);
        say(o, " The MMU splits the address:");
        for (unsigned l = 0; l < g->levels; l++)
            say(o, " %s index %llu,", level_name(g, (int)l),
                (unsigned long long)geometry_index(g, ev->va, l));
        say(o, " offset 0x%llx.", (unsigned long long)geometry_offset(g, ev->va));
        break;
    }
    case EV_TLB_HIT: {
        if (huge_entry(m, ev)) {
            char size[16];
            huge_size(g, size, sizeof size);
            say(o, "TLB hit: set %u way %u holds the %s huge page that contains page 0x%llx "
                   "(frames %u-%llu), so no page-table walk is needed.",
                ev->index, ev->way, size, (unsigned long long)ev->vpn, ev->frame,
                (unsigned long long)(ev->frame + huge_frames(g) - 1));
            break;
        }
        say(o, "TLB hit: set %u way %u already holds page 0x%llx -> frame %u, so no page-table "
               "walk is needed.", ev->index, ev->way, (unsigned long long)ev->vpn, ev->frame);
        const struct tlb_entry *hit = &m->tlb.entries[ev->index * m->tlb.ways + ev->way];
        if (hit->valid && !hit->user && !ev->kernel)
            say(o, " But the kernel filled it, with U/S clear, and this access is in user mode.");
        break;
    }
    case EV_TLB_MISS:
        say(o, "TLB miss: set %u does not hold page 0x%llx", ev->index, (unsigned long long)ev->vpn);
        if (ev->huge_set != EV_NONE)
            say(o, ", nor does set %u, where a huge page holding it would be", ev->huge_set);
        say(o, ", so the MMU walks the page tables from the root that CR3 points at.");
        break;
    case EV_WALK_STEP:
        say(o, "Walk: the %s table (frame %u), entry %u: ", level_name(g, ev->level), ev->frame,
            ev->index);
        entry_bits(o, ev->entry);
        if (pte_present(ev->entry) && kernel_root_entry(m, ev)) {
            say(o, ". It points to the kernel's own tables: every process's root holds this "
                   "same entry, copied from the kernel's root when the process was made.");
        } else if (pte_present(ev->entry) && ev->level + 1 < (int)g->levels &&
                   !(ev->entry & PTE_HUGE)) {
            say(o, ". It points to the next table.");
        } else if (pte_present(ev->entry) && (ev->entry & PTE_HUGE)) {
            char size[16];
            huge_size(g, size, sizeof size);
            say(o, ". PS is set: this entry maps a whole %s page (frames %u-%llu), so the walk "
                   "ends here, a level early.", size, pte_frame(ev->entry),
                (unsigned long long)(pte_frame(ev->entry) + huge_frames(g) - 1));
        } else if (pte_present(ev->entry) && machine_device_at(m, pte_frame(ev->entry))) {
            say(o, ". This is the page itself, on device '%s': its frames lie beyond RAM.",
                machine_device_at(m, pte_frame(ev->entry))->name);
        } else if (pte_present(ev->entry)) {
            say(o, ". This is the page itself.");
        } else {
            say(o, ". The walk stops here.");
        }
        break;
    case EV_PAGE_FAULT: {
        char code[96];
        narrate_fault_code(ev->fault_code, code, sizeof code);
        say(o, "Page fault at 0x%llx, error code %s: ", va, code);
        fault_reason(o, g, ev->va, ev->fault_code);
        say(o, ". The CPU stops the instruction and enters the kernel's fault handler.");
        break;
    }
    case EV_GP_FAULT:
        say(o, "General-protection fault (#GP, vector 13): %s - an address must repeat bit %u "
               "in every bit above it. The CPU checks this before it uses the TLB or any "
               "table, so nothing is looked up and no page fault is raised; error code 0.",
            ev->detail, g->va_bits - 1);
        break;
    case EV_SEGFAULT:
        if (ev->fault_kind == FAULT_SI_KERNEL) {
            say(o, "The kernel's #GP handler sends SIGSEGV to pid %u with si_code SI_KERNEL and "
                   "si_addr 0: a #GP does not say which address was at fault. No page fault "
                   "is counted.", ev->pid);
            break;
        }
        say(o, "SIGSEGV (%s) to pid %u: %s.", fault_kind_name((enum fault_kind)ev->fault_kind),
            ev->pid, ev->detail);
        if (g->arch == GEO_ARCH_X86 && ev->va >= g->user_top && geometry_canonical(g, ev->va))
            say(o, " Its handler sees error code 0x%x: for a user access to a kernel address "
                   "Linux always sets the present bit, mapped or not, so as not to reveal "
                   "its page tables.", ev->fault_code);
        break;
    case EV_FAULT_CLASSIFIED:
        if (in_execve(m))
            say(o, "execve copies the file name, the environment and the arguments to the top "
                   "of the new stack, at 0x%llx. It writes through get_user_pages, which calls "
                   "the fault handler as a page fault would, and the fault is counted to the "
                   "process. ", va);
        switch ((enum fault_kind)ev->fault_kind) {
        case FAULT_SWAP_IN:
            say(o, "The handler finds %s and a swap entry: the page is in swap slot %u. "
                   "Reading it back needs I/O: a major fault.", ev->detail, ev->slot);
            break;
        case FAULT_SWAP_CACHED:
            say(o, "The handler finds %s and a swap entry for slot %u, but the page is still in "
                   "memory, in the swap cache: no I/O, a minor fault.", ev->detail, ev->slot);
            break;
        case FAULT_COW:
            if (ev->size > 1)
                say(o, "The handler finds %s, which allows the %s, but the entry maps the "
                       "huge zero page read-only: the range gets a huge page of its own, as "
                       "Linux 6.12 and later do (earlier kernels split it into 4 KiB pages). A "
                       "minor fault.", ev->detail, verb(ev->access));
            else
                say(o, "The handler finds %s, which allows the %s, but the entry is read-only: "
                       "copy-on-write. A minor fault.", ev->detail, verb(ev->access));
            break;
        case FAULT_ZERO_PAGE:
            if (ev->size > 1) {
                char size[16];
                huge_size(g, size, sizeof size);
                say(o, "The handler finds %s, never touched, and room for a %s huge page. The "
                       "%s only needs zeros, so it maps the huge zero page read-only, the whole "
                       "range at once: no memory of its own. A minor fault.",
                    ev->detail, size, verb(ev->access));
            } else {
                say(o, "The handler finds %s, never touched. The %s only needs zeros%s, so it "
                       "maps the shared zero page read-only: no new frame. A minor fault.",
                    ev->detail, verb(ev->access),
                    ev->access == ACCESS_EXEC ? " (it is no write)" : "");
            }
            break;
        case FAULT_FILE_CACHED:
            say(o, "The handler finds %s. That page is already in the page cache: a minor "
                   "fault (no I/O).", ev->detail);
            break;
        case FAULT_FILE_READ:
            say(o, "The handler finds %s. That page is not in memory: it must be read from the "
                   "file, a major fault (I/O).", ev->detail);
            break;
        case FAULT_WRITE_NOTIFY:
            say(o, "The handler finds %s, which allows the write, but a shared file page stays "
                   "read-only until it is first written: the file system must hear of the "
                   "write (page_mkwrite), so that the page is known to be dirty and written "
                   "back later. A minor fault, no copy.", ev->detail);
            break;
        default:
            say(o, "The handler finds %s, which allows the %s. The page was never touched: "
                   "it gets a fresh zeroed frame. A minor fault (no I/O).",
                ev->detail, verb(ev->access));
            break;
        }
        break;
    case EV_TABLE_ALLOC:
        say(o, "The %s table was missing on the way: frame %u now holds a new one, and %s "
               "entry %u points to it. Linux writes such an entry present, writable, user, "
               "accessed and dirty: only the leaf entry limits what an access may do.",
            level_name(g, ev->level), ev->frame,
            level_name(g, ev->level - 1), ev->index);
        break;
    case EV_VICTIM_CHOSEN:
        if (m->pool.table_frames && m->pool.free_table)
            say(o, "No frame is free for a page (%s %u free frame%s %s kept for page tables "
                   "only).", m->pool.free_table == 1 ? "the" : "all", m->pool.free_table,
                m->pool.free_table == 1 ? "" : "s", m->pool.free_table == 1 ? "is" : "are");
        else
            say(o, "No frame is free.");
        if (ev->other_pid != EV_NONE)
            say(o, " The %s policy picks frame %u (pid %u page 0x%llx): %s.",
                policy_name(m->cfg.policy), ev->victim, ev->other_pid,
                (unsigned long long)ev->other_vpn, ev->detail);
        else
            say(o, " The %s policy picks frame %u, a page-cache page no process maps: %s.",
                policy_name(m->cfg.policy), ev->victim, ev->detail);
        if (ev->other_pid != EV_NONE)
            say(o, " Every mapping of it is removed first; only then is it written out or "
                   "dropped, so no one can change it meanwhile.");
        break;
    case EV_SWAP_OUT:
        say(o, "No mapping is left. The page is anonymous memory with no other copy: it is "
               "written to swap slot %u, and frame %u is free.", ev->slot, ev->victim);
        break;
    case EV_WRITEBACK:
        say(o, "No mapping is left. The page is a dirty file page: it is written back to its "
               "file, and frame %u is free.", ev->victim);
        break;
    case EV_PAGE_DROPPED:
        if (ev->slot != EV_NONE)
            say(o, "The page was not written since it came back from swap slot %u, whose copy "
                   "is still current: it is dropped without I/O, and frame %u is free.",
                ev->slot, ev->victim);
        else
            say(o, "The page is clean: its content can be had again, so it is dropped without "
                   "I/O, and frame %u is free.", ev->victim);
        break;
    case EV_UNMAPPED:
        say(o, "The reverse map says pid %u maps frame %u at page 0x%llx: that entry now reads ",
            ev->other_pid, ev->victim, (unsigned long long)ev->other_vpn);
        entry_bits(o, ev->entry);
        say(o, ".");
        if (ev->slot != EV_NONE && pte_is_swap(ev->entry))
            say(o, " It names the swap slot the page is about to be written to.");
        if (ev->detail[0])
            say(o, " The entry was dirty: the page is marked dirty, to be written out.");
        break;
    case EV_TLB_INVALIDATE:
        say(o, "The TLB still held that translation (set %u way %u): it is invalidated so no "
               "one uses the stale frame.", ev->index, ev->way);
        break;
    case EV_FRAME_ALLOC:
        if (ev->level >= 0) {
            say(o, "Frame %u is free: it is taken for a new %s table.", ev->frame,
                level_name(g, ev->level));
        } else if (ev->size > 1) {
            char size[16];
            huge_size(g, size, sizeof size);
            bool zero = ev->frame < frames_total(&m->pool) &&
                        frames_at(&m->pool, ev->frame)->kind == FRAME_ZERO;
            say(o, "Frames %u-%llu are free, %llu in a row and aligned: they are taken for ",
                ev->frame, (unsigned long long)(ev->frame + ev->size - 1),
                (unsigned long long)ev->size);
            if (zero)
                say(o, "the huge zero page, once for the whole machine (Linux allocates it the "
                       "first time a huge range is read).");
            else
                say(o, "one %s huge page.", size);
        } else if (ev->frame < frames_total(&m->pool) &&
                   frames_at(&m->pool, ev->frame)->kind == FRAME_ZERO) {
            say(o, "Frame %u is free: it becomes the shared zero page, taken once for the whole "
                   "machine (Linux sets it aside at boot). Every read of memory never written "
                   "maps this same frame.", ev->frame);
        } else {
            say(o, "Frame %u is free: it is taken for the page.", ev->frame);
        }
        break;
    case EV_ZERO_FILL:
        if (ev->size > 1)
            say(o, "Frames %u-%llu are filled with zeros, so the program never sees old data.",
                ev->frame, (unsigned long long)(ev->frame + ev->size - 1));
        else if (ev->victim != EV_NONE)
            say(o, "A write to the zero page: frame %u is filled with zeros to become this "
                   "process's own page (nothing is copied: the zero page holds only zeros).",
                ev->frame);
        else
            say(o, "Frame %u is filled with zeros, so the program never sees old data.",
                ev->frame);
        break;
    case EV_ZERO_PAGE:
        if (ev->size > 1)
            say(o, "The huge zero page (frames %u-%llu) is mapped read-only: this %s takes no "
                   "memory of its own. A later write will fault again, for a huge page of its "
                   "own.", ev->frame, (unsigned long long)(ev->frame + ev->size - 1),
                verb(ev->access));
        else
            say(o, "The shared zero page (frame %u) is mapped read-only: this %s takes no frame "
                   "of its own. A later write will fault again for a private copy.", ev->frame,
                verb(ev->access));
        break;
    case EV_SWAP_IN:
        if (frames_at(&m->pool, ev->frame)->swap_slot == ev->slot)
            say(o, "The page is read from swap slot %u into frame %u. The slot keeps its copy "
                   "(the swap cache): while nobody writes the page, evicting it again needs no "
                   "I/O, and another process whose entry names the slot finds it here.",
                ev->slot, ev->frame);
        else
            say(o, "The page is read from swap slot %u into frame %u; the slot is freed.",
                ev->slot, ev->frame);
        break;
    case EV_SWAP_CACHE_HIT:
        say(o, "Slot %u's page is already in frame %u (the swap cache): it is mapped as it is.",
            ev->slot, ev->frame);
        break;
    case EV_FILE_READ:
        say(o, "The page is read from the file (%s) into frame %u, which joins the page cache.",
            ev->detail, ev->frame);
        if (ev->count)
            say(o, " One disk read is costly, so Linux reads the neighbouring pages of the "
                   "file in the same I/O (mmap read-around: a window that starts half of it "
                   "before the page); they join the page cache, not yet mapped.");
        break;
    case EV_CACHE_HIT:
        say(o, "The page is already in the page cache at frame %u: it is mapped as it is.",
            ev->frame);
        break;
    case EV_COW_COPY:
        if (ev->detail[0])
            say(o, "The page-cache page in frame %u (%s) is copied into frame %u: a private "
                   "copy, so the file never sees this write.", ev->victim, ev->detail, ev->frame);
        else
            say(o, "The shared page in frame %u is copied into frame %u for this process alone.",
                ev->victim, ev->frame);
        break;
    case EV_COW_REUSE:
        say(o, "No other process maps frame %u any more: it is made writable, no copy needed.",
            ev->frame);
        break;
    case EV_WRITE_NOTIFY:
        say(o, "The file system is told that the page in frame %u will be written; the page "
               "is marked dirty, and its entry becomes writable: every process that maps the "
               "file sees the write.", ev->frame);
        break;
    case EV_PTE_UPDATE:
        say(o, "Entry %u of the %s table is written: ", ev->index, level_name(g, ev->level));
        entry_bits(o, ev->entry);
        say(o, ".");
        if (ev->detail[0])
            say(o, " The %s.", ev->detail);
        if (in_execve(m))
            say(o, " The strings are copied in, and the stack pointer will start just below "
                   "them. execve is done: the program starts at its first instruction, and "
                   "every other page faults in when first touched.");
        break;
    case EV_FAULT_RETURN:
        say(o, "The handler returns and the faulting instruction restarts from the beginning: "
               "a new TLB lookup.");
        break;
    case EV_TLB_FILL: {
        const struct tlb_entry *t = huge_entry(m, ev);
        if (t) {
            char size[16];
            huge_size(g, size, sizeof size);
            say(o, "The translation of the %s huge page at 0x%llx -> frames %u-%llu is stored "
                   "in TLB set %u way %u%s%s: one entry covers all %llu pages.",
                size, (unsigned long long)(t->vpn << t->span_shift), ev->frame,
                (unsigned long long)(ev->frame + huge_frames(g) - 1), ev->index, ev->way,
                ev->detail[0] ? ", " : "", ev->detail, (unsigned long long)huge_frames(g));
            break;
        }
        say(o, "The translation page 0x%llx -> frame %u is stored in TLB set %u way %u%s%s.",
            (unsigned long long)ev->vpn, ev->frame, ev->index, ev->way, ev->detail[0] ? ", " : "",
            ev->detail);
        const struct tlb_entry *filled = &m->tlb.entries[ev->index * m->tlb.ways + ev->way];
        if (filled->valid && filled->global && !filled->user)
            say(o, " It is global and the kernel's: it serves every process and survives a CR3 "
                   "reload. (With page-table isolation, which Linux turns on for CPUs that "
                   "Meltdown affects, most kernel mappings lose the Global bit.)");
        else if (filled->valid && filled->global)
            say(o, " It is global: it serves every process and survives a CR3 reload.");
        break;
    }
    case EV_ACCESS_DONE: {
        uint64_t base = (uint64_t)ev->frame << g->page_shift;
        uint64_t offset = ev->pa - base;
        if (offset >= geometry_page_size(g))
            say(o, "Done: virtual 0x%llx is physical 0x%llx (the huge page at frame %u, offset "
                   "0x%llx).", va, (unsigned long long)ev->pa, ev->frame,
                (unsigned long long)offset);
        else
            say(o, "Done: virtual 0x%llx is physical 0x%llx (frame %u, offset 0x%llx).", va,
                (unsigned long long)ev->pa, ev->frame, (unsigned long long)offset);
        const struct device *d = machine_device_at(m, ev->frame);
        if (d)
            say(o, " The address is on device '%s', not in RAM: the device sees the %s.", d->name,
                verb(ev->access));
        break;
    }
    case EV_OOM_KILL:
        say(o, "Out of memory: nothing can be evicted. The OOM killer kills the process with "
               "the highest badness score, its resident pages plus its pages in swap plus its "
               "page tables, as Linux's oom_badness counts them: %s.", ev->detail);
        break;
    case EV_PROCESS_GONE:
        say(o, "Skipped: %s.", ev->detail);
        break;
    case EV_CONTEXT_SWITCH:
        say(o, "Context switch to pid %u: %s.%s", ev->pid, ev->detail,
            m->cfg.tlb_asid ? " With ASID tags the TLB keeps its entries." : "");
        break;
    case EV_TLB_FLUSH:
        say(o, "TLB flushed: %s.", ev->detail);
        break;
    case EV_MMAP:
        if (ev->frame != EV_NONE && machine_device_at(m, ev->frame)) {
            /* remap_pfn_range: the driver's mmap fills every entry. */
            say(o, "mmap: pid %u maps [0x%llx, 0x%llx): %s. A driver maps its device whole, "
                   "now (remap_pfn_range): the entries point at the device's frames, beyond "
                   "RAM, marked special. No frame of RAM is taken, and these pages will never "
                   "fault, be evicted or be swapped.", ev->pid, va,
                (unsigned long long)(ev->va + ev->size), ev->detail);
            break;
        }
        say(o, "mmap: pid %u gets area %s at [0x%llx, 0x%llx). Nothing is allocated yet: "
               "pages get frames only when touched.", ev->pid, ev->detail, va,
            (unsigned long long)(ev->va + ev->size));
        break;
    case EV_MUNMAP:
        say(o, "munmap: pid %u removes [0x%llx, 0x%llx); %s.", ev->pid, va,
            (unsigned long long)(ev->va + ev->size), ev->detail);
        break;
    case EV_MPROTECT:
        say(o, "mprotect: [0x%llx, 0x%llx) of pid %u is %s. The TLB entries of the pages "
               "whose entry changed are invalidated, so that no cached translation keeps the "
               "old rights.", va, (unsigned long long)(ev->va + ev->size), ev->pid, ev->detail);
        if (ev->count)
            say(o, " A page made writable at once is private memory that only this process "
                   "may write, or shared memory: its next write needs no fault (Linux 6.0 and "
                   "later, can_change_pte_writable). A page shared since fork still faults: it "
                   "is copied, or reused when the other process no longer maps it.");
        break;
    case EV_MAP_FRAME:
        say(o, "Page 0x%llx of pid %u is mapped to frame %u.", (unsigned long long)ev->vpn,
            ev->pid, ev->frame);
        break;
    case EV_FORK:
        say(o, "fork: %s. Entries are copied only for areas with anonymous pages of their own "
               "(written memory, private copies), which no fault could rebuild; an area left "
               "empty (shared memory, a file mapped privately and never written, memory only "
               "read) is faulted in by the child's first touches, minor faults. The child's "
               "copied entries start with Accessed clear.", ev->detail);
        break;
    case EV_EXIT:
        say(o, "pid %u exits: %s.", ev->pid, ev->detail);
        break;
    case EV_EXECVE: {
        const struct process *p = machine_process(m, ev->pid);
        say(o, "execve: pid %u keeps its pid but runs a new program, '%s'. Its old address "
               "space is released as at exit (%s). The new one has areas only: ",
            ev->pid, p ? p->name : "?", ev->detail);
        program_areas(o, m, ev->pid);
        say(o, ". No page of the program is read yet.");
        break;
    }
    case EV_SPAWN: {
        const struct process *p = machine_process(m, ev->other_pid);
        say(o, "spawn: pid %u creates pid %u to run '%s', as posix_spawn does: the new process "
               "gets its address space from execve, not a copy of its parent's. A root table in "
               "frame %u, and areas only: ",
            ev->pid, ev->other_pid, p ? p->name : "?", ev->frame);
        program_areas(o, m, ev->other_pid);
        say(o, ". No page of the program is read yet.");
        break;
    }
    case EV_BRK:
        say(o, "brk: pid %u moves its program break to 0x%llx, %llu bytes above the heap's "
               "start: %s. New heap pages get frames only when touched.",
            ev->pid, (unsigned long long)(ev->va + ev->size), (unsigned long long)ev->size,
            ev->detail);
        break;
    case EV_OP_FAILED:
        say(o, "The step cannot run: %s.", ev->detail);
        break;
    case EV_COUNT:
        break;
    }
}

size_t narrate(const struct tl_event *e, const struct machine *m, char *buf, size_t len)
{
    struct out o = {.buf = buf, .len = len, .used = 0};
    if (len == 0)
        return 0;
    buf[0] = '\0';
    switch (e->kind) {
    case TL_MACHINE:
        machine_sentence(&o, e, m);
        break;
    case TL_SAY:
        say(&o, "%s", e->text ? e->text : "");
        break;
    case TL_CHAPTER:
        say(&o, "Chapter: %s", e->text ? e->text : "");
        break;
    case TL_PAUSE:
        say(&o, "Pause.");
        break;
    case TL_ASK:
        say(&o, "A question: %s", e->text ? e->text : "");
        break;
    case TL_EXPECT:
        say(&o, "Expect:");
        for (unsigned i = 0; i < e->nchecks; i++) {
            const struct tl_check *c = &e->checks[i];
            say(&o, c->relative ? " %s %+lld %s" : " %s %lld %s", counter_name(c->counter),
                (long long)c->actual, c->ok ? "ok" : "FAILED, expected");
            if (!c->ok)
                say(&o, c->relative ? " %+lld" : " %lld", (long long)c->expected);
            say(&o, "%s", i + 1 < e->nchecks ? ";" : ".");
        }
        break;
    }
    return o.used;
}

/* One step of an access summary, or nothing for an event it leaves out. */
static void summary_step(struct out *o, const struct event *ev, const struct machine *m,
                         bool *walked)
{
    switch (ev->kind) {
    case EV_ACCESS_BEGIN:
        say(o, "%s%s 0x%llx:", ev->kernel ? "kernel " : "", access_kind_name(ev->access),
            (unsigned long long)ev->va);
        break;
    case EV_TLB_HIT: say(o, " > TLB hit"); break;
    case EV_TLB_MISS:
        say(o, " > TLB miss");
        *walked = false;
        break;
    case EV_WALK_STEP:
        if (!*walked)
            say(o, " > walk");
        *walked = true;
        break;
    case EV_PAGE_FAULT: say(o, " > fault 0x%x", ev->fault_code); break;
    case EV_FAULT_CLASSIFIED: say(o, " (%s)", fault_kind_brief((enum fault_kind)ev->fault_kind)); break;
    case EV_GP_FAULT: say(o, " > #GP"); break;
    case EV_SEGFAULT:
        say(o, " > SIGSEGV (%s)", fault_kind_name((enum fault_kind)ev->fault_kind));
        break;
    case EV_TABLE_ALLOC:
        say(o, " > new %s table in frame %u", geometry_level_name(&m->cfg.geo, ev->level),
            ev->frame);
        break;
    case EV_VICTIM_CHOSEN:
        say(o, " > evict frame %u (%s)", ev->victim, policy_name(m->cfg.policy));
        break;
    case EV_SWAP_OUT: say(o, " > to swap slot %u", ev->slot); break;
    case EV_WRITEBACK: say(o, " > dirty: written back to its file"); break;
    case EV_PAGE_DROPPED: say(o, " > clean: dropped"); break;
    case EV_TLB_INVALIDATE: say(o, " > TLB entry invalidated"); break;
    case EV_FRAME_ALLOC:
        if (ev->level < 0) {
            if (ev->size > 1)
                say(o, " > frames %u-%llu", ev->frame,
                    (unsigned long long)(ev->frame + ev->size - 1));
            else
                say(o, " > frame %u", ev->frame);
        }
        break;
    case EV_ZERO_FILL: say(o, " > zeroed"); break;
    case EV_ZERO_PAGE: say(o, " > zero page frame %u", ev->frame); break;
    case EV_SWAP_IN: say(o, " > read from swap slot %u", ev->slot); break;
    case EV_SWAP_CACHE_HIT: say(o, " > in the swap cache, frame %u", ev->frame); break;
    case EV_FILE_READ: say(o, " > read from the file"); break;
    case EV_CACHE_HIT: say(o, " > cached in frame %u", ev->frame); break;
    case EV_COW_COPY: say(o, " > copy of frame %u", ev->victim); break;
    case EV_COW_REUSE: say(o, " > frame %u reused", ev->frame); break;
    case EV_WRITE_NOTIFY: say(o, " > frame %u now dirty", ev->frame); break;
    case EV_PTE_UPDATE: say(o, " > entry -> frame %u", ev->frame); break;
    case EV_FAULT_RETURN: say(o, " > restart"); break;
    case EV_TLB_FILL: say(o, " > TLB fill"); break;
    case EV_ACCESS_DONE: say(o, " > done, PA 0x%llx", (unsigned long long)ev->pa); break;
    case EV_OOM_KILL: say(o, " > out of memory: pid %u killed", ev->other_pid); break;
    default: break;
    }
}

size_t narrate_page_part(const struct tl_event *e, char *buf, size_t len)
{
    int n = 0;
    if (len == 0)
        return 0;
    buf[0] = '\0';
    if (e->page_part && e->record_bytes)
        n = snprintf(buf, len, " (page %u of the same %u-byte %s)", (unsigned)e->page_part + 1,
                     (unsigned)e->record_bytes, access_kind_name(e->ev.access));
    else if (e->page_part)
        n = snprintf(buf, len, " (page %u of the same %s)", (unsigned)e->page_part + 1,
                     access_kind_name(e->ev.access));
    return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

size_t narrate_access(const struct timeline *tl, char *buf, size_t len)
{
    struct out o = {.buf = buf, .len = len, .used = 0};
    if (len == 0)
        return 0;
    buf[0] = '\0';
    const struct tl_event *log[TIMELINE_LOG_SIZE];
    size_t n = timeline_log(tl, log, TIMELINE_LOG_SIZE);
    /* The newest machine event's operation must be an access. */
    size_t newest = 0;
    while (newest < n && log[newest]->kind != TL_MACHINE)
        newest++;
    if (newest == n)
        return 0;
    uint64_t seq = log[newest]->op_seq;
    size_t begin = n;
    /* The newest access of the operation (a fill is one operation of many
     * accesses). */
    for (size_t i = newest; i < n && log[i]->op_seq == seq && begin == n; i++)
        if (log[i]->kind == TL_MACHINE && log[i]->ev.kind == EV_ACCESS_BEGIN)
            begin = i;
    if (begin == n)
        return 0;
    const struct machine *m = timeline_machine(tl);
    bool walked = false;
    for (size_t k = begin + 1; k-- > newest;)
        if (log[k]->kind == TL_MACHINE && log[k]->op_seq == seq)
            summary_step(&o, &log[k]->ev, m, &walked);
    if (machine_in_access(m))
        say(&o, " > ...");
    /* A record's later page says so before the colon: "write 0x42000
     * (page 2 of the same 8-byte write): ...". */
    char part[64];
    size_t part_len = narrate_page_part(log[begin], part, sizeof part);
    char *colon = strchr(buf, ':');
    if (part_len && colon && o.used + part_len < len) {
        memmove(colon + part_len, colon, strlen(colon) + 1);
        memcpy(colon, part, part_len);
        o.used += part_len;
    }
    /* The first step follows the colon without an arrow. */
    char *first = strstr(buf, ": > ");
    if (first) {
        memmove(first + 1, first + 3, strlen(first + 3) + 1);
        o.used -= 2;
    }
    return o.used;
}
