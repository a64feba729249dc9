#ifndef VMVIZ_VM_MACHINE_INTERNAL_H
#define VMVIZ_VM_MACHINE_INTERNAL_H
/* What the files of the machine share, and nothing else. Not for use
 * outside src/vm: the rest of the program reads the machine through
 * machine.h.
 *
 *   machine.c      life cycle, the micro-step dispatcher, the phase table
 *   mmu.c          what the CPU does: TLB, walk, A/D bits, fill, restart
 *   fault.c        what the kernel does on a fault: classify, tables, load, PTE
 *   reclaim.c      getting a frame when none is free: victim, write-out,
 *                  unmap, shootdown, OOM killer
 *   machine_ops.c  the operations other than accesses (mmap, fork, exit...)
 *   kernel.c       the kernel half: its areas and the tables every process shares
 *
 * Every vm_step_* function performs the micro-step of one phase: it fills
 * *ev (unless it says it emits nothing) and sets m->phase to the phase of
 * the next micro-step. MACHINE_STEP_TABLE in machine.h lists, for each
 * phase, the events its step may emit and the phases it may go to. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/machine.h"

/* m->acc.proc when the operation names no process that exists. */
#define VM_NO_PROC UINT32_MAX

/* ---- machine.c: sizes, lookups and the stops ---- */

/* Bytes in a page. */
uint64_t vm_page_size(const struct machine *m);
/* Base pages in a huge page, or 0 when the layout has none. */
uint64_t vm_huge_pages(const struct machine *m);
/* The first address of virtual page vpn. */
static inline uint64_t vm_vpn_va(const struct machine *m, uint64_t vpn)
{
    return vpn << m->cfg.geo.page_shift;
}
/* The virtual page the operation in progress is about. */
static inline uint64_t vm_op_vpn(const struct machine *m)
{
    return geometry_vpn(&m->cfg.geo, m->op.va);
}
/* The process the operation in progress acts for (it exists). */
struct process *vm_op_process(struct machine *m);
/* machine_walk of the operation's process at op.va, through m->leaf when
 * the leaf entry was already found (then complete, with the same level,
 * table and slot a walk would give). */
struct walk_result vm_op_walk(struct machine *m);
/* Records that the leaf entry of the operation's page is entry `index` of
 * the table at frame `table`, of the given level. */
void vm_note_leaf(struct machine *m, unsigned level, uint32_t table, uint32_t index);
/* Forgets m->leaf: the operation's page changed. */
static inline void vm_forget_leaf(struct machine *m)
{
    m->leaf.known = false;
}
/* Whether m->leaf holds: noted for this operation, and no table made or
 * freed since. */
static inline bool vm_leaf_known(const struct machine *m)
{
    return m->leaf.known && m->leaf.generation == m->pt.generation;
}
/* Starts *ev as an event of the access in progress: its kind, access,
 * pid, va and vpn (vm_event_for_access_loud). */
void vm_event_for_access_loud(const struct machine *m, struct event *ev, enum event_kind kind);
/* vm_event_for_access_loud, or only the kind while the machine runs
 * quietly (the steps write the fields they set, and read none back):
 * inline, as quiet steps start several events an access. */
static inline void vm_event_for_access(const struct machine *m, struct event *ev,
                                       enum event_kind kind)
{
    if (m->quiet)
        ev->kind = kind;
    else
        vm_event_for_access_loud(m, ev, kind);
}
/* Formats the event's detail text (vm_detail). */
void vm_format_detail(struct event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Formats the event's detail text, unless the machine runs quietly
 * (m->quiet: inside machine_run_op, whose events nobody reads); then not
 * even the arguments are worked out, so they must not have effects. */
#define vm_detail(m, ev, ...)                                                                 \
    do {                                                                                      \
        if (!(m)->quiet)                                                                      \
            vm_format_detail((ev), __VA_ARGS__);                                              \
    } while (0)
/* Takes a frame for a new root table of pid's (counted in table_allocs)
 * into *root; false with why when no frame is free, or when the machine
 * stopped (the host refused, or the cap on table memory). */
bool vm_take_root(struct machine *m, uint32_t pid, uint32_t *root, char *why, size_t why_len);
/* Checks an area's alignment and that it lies in user space; false with why. */
bool vm_check_area(const struct machine *m, const struct area *a, char *why, size_t why_len);
/* Gives a shared anonymous area its object and checks a file-backed one
 * against its file; false with why. */
bool vm_attach_object(struct machine *m, struct area *a, char *why, size_t why_len);
/* Records that the host refused memory the machine needed for `what`: the
 * operation ends (m->phase becomes PH_IDLE) and the machine does nothing
 * more (see machine_host_error). Never a simulated event. */
void vm_host_failure(struct machine *m, const char *what);
/* The same stop for a limit the machine states (vmviz-scenario(5),
 * LIMITS) that the run would pass: `what` says which. The run stops at
 * the same step on every host. */
void vm_limit_reached(struct machine *m, const char *what);
/* Stops the machine for a table pagetable_create did not make: a host
 * refusal or the cap on page-table memory (PAGETABLE_MAX_BYTES). */
void vm_table_not_made(struct machine *m, enum pagetable_outcome why);
/* Makes frame hold an empty table of the given level; false, the machine
 * stopped (vm_table_not_made), when it could not. */
bool vm_new_table(struct machine *m, uint32_t frame, unsigned level);
/* Takes a free frame for an empty table of the given level owned by pid,
 * and counts it (table_allocs), without an event: for the operations that
 * build tables in one step (fork, map_frame, a device's mmap, a split).
 * Returns the frame; VM_NO_FRAME when none is free; FRAMES_REFUSED when
 * the machine stopped instead (the host refused, or a stated limit). */
uint32_t vm_take_table(struct machine *m, uint32_t pid, unsigned level);
/* Builds the tables missing on the way to va's leaf in p, each taken with
 * vm_take_table and linked from its parent's entry; *made counts them.
 * Returns 0, or what vm_take_table returned for the one it could not make
 * (the tables made before it stay). */
uint32_t vm_build_path(struct machine *m, struct process *p, uint64_t va, uint64_t *made);
/* How many tables mapping every page of [start, end) under the existing
 * root table would add. */
uint64_t vm_tables_needed(const struct machine *m, uint32_t root, uint64_t start, uint64_t end);

/* ---- mmu.c: the CPU's micro-steps of an access ---- */

void vm_step_begin(struct machine *m, struct event *ev);
void vm_step_gp(struct machine *m, struct event *ev);
void vm_step_tlb(struct machine *m, struct event *ev);
void vm_step_walk(struct machine *m, struct event *ev);
void vm_step_fault(struct machine *m, struct event *ev);
void vm_step_return(struct machine *m, struct event *ev);
void vm_step_fill(struct machine *m, struct event *ev);
void vm_step_done(struct machine *m, struct event *ev);
/* An access begun at once, with exactly the effects of its micro-steps:
 * when the TLB holds its translation and allows it, BEGIN, the TLB hit and
 * DONE (3 steps); when the TLB misses, BEGIN, the TLB miss and a walk step
 * a level, then, when the walk finds the page present and allowed, the TLB
 * fill and DONE, the machine idle again, and otherwise the page fault
 * raised (PAGE_FAULT) and the machine left in PH_CLASSIFY for the stepper
 * to go on. Returns how many micro-steps were taken (acc.op_steps); 0,
 * nothing changed, when the access is neither (machine_run_op then steps
 * it from the start). */
uint64_t vm_fast_access(struct machine *m, const struct op *op);
/* The restart after a fault handler has returned, for an access the
 * stepper has brought to PH_RETURN or PH_TLB: FAULT_RETURN when at
 * PH_RETURN, then, when the TLB misses, the TLB miss, the walk and, when
 * the page is present and allowed, the fill and DONE (else the page fault
 * raised, as vm_fast_access raises it), with exactly the stepper's
 * effects, op_steps counted; a TLB hit is left to the stepper at PH_TLB. Returns the micro-steps taken; 0, nothing changed, when the
 * machine is at neither phase, its process is gone, a host error stands or
 * the step limit is near: the stepper then goes on. */
uint64_t vm_fast_tlb_miss(struct machine *m);

/* After a micro-step taken quietly (inside machine_run_op), what
 * machine_step does after each: a policy that could not grow its lists,
 * or a host error, stops the machine. Returns whether the operation goes
 * on (m->phase is not PH_IDLE). Inline: a fused fault asks it after each
 * of its steps. */
static inline __attribute__((always_inline)) bool vm_quiet_step_done(struct machine *m)
{
    if (m->policy.refused)
        vm_host_failure(m, "the replacement policy's lists");
    if (m->host_error[0])
        m->phase = PH_IDLE;
    return m->phase != PH_IDLE;
}

/* ---- fault.c: the kernel's fault handler ---- */

/* The fault handler of an access machine_run_op runs (m->quiet), left in
 * PH_CLASSIFY by the hardware's steps, run whole for the common fault: a
 * not-present page of a private anonymous area whose tables exist, zero
 * filled or read back from a swap slot only its entry holds, into a free
 * frame or one a victim mapped once leaves. The steps and their effects
 * are the stepper's (the frame and the eviction by the step functions
 * themselves; classify, the load and the entry written out as those steps
 * make them for such a page), m->steps and op_steps counted as
 * machine_step counts them, and the machine left at PH_RETURN, or at the
 * phase boundary where the fault stops being common (an OOM kill, a victim
 * mapped more than once), or stopped. Returns the micro-steps taken; 0,
 * nothing changed, when the fault is not one of these. */
uint64_t vm_fast_fault(struct machine *m);

void vm_step_classify(struct machine *m, struct event *ev);
void vm_step_gp_signal(struct machine *m, struct event *ev);
/* PH_TABLES: emits nothing (the dispatcher goes straight on to the phase
 * it sets). */
void vm_step_tables(struct machine *m);
void vm_step_install_table(struct machine *m, struct event *ev);
void vm_step_huge_alloc(struct machine *m, struct event *ev);
void vm_step_load(struct machine *m, struct event *ev);
void vm_step_pte(struct machine *m, struct event *ev);
/* Asks for a frame of the given kind (a table of `level` when kind is
 * FRAME_TABLE): the next phase is PH_NEED_FRAME. */
void vm_want_frame(struct machine *m, enum frame_kind kind, unsigned level);
/* The bits of a new leaf entry for a page of area a. */
uint64_t vm_leaf_flags(const struct area *a, enum access_kind access, bool may_write);

/* ---- reclaim.c: a frame when none is free ---- */

void vm_step_need_frame(struct machine *m, struct event *ev);
/* PH_NEED_FRAME's FRAME_ALLOC for frame, taken for the frame wanted: the
 * event, then PH_INSTALL_TABLE (a table) or PH_LOAD (a page). */
void vm_frame_allocated(struct machine *m, struct event *ev, uint32_t frame);
void vm_step_evict_save(struct machine *m, struct event *ev);
/* vm_step_evict_save, but the victim's frame is kept for the frame wanted
 * when PH_NEED_FRAME would take that very frame (frames_retake): true
 * then, and the next micro-step is vm_frame_allocated(victim), with the
 * phase still PH_NEED_FRAME until it. For the fused fault alone: between
 * the two steps the frame reads as taken, where the stepper shows it free. */
bool vm_step_evict_save_keeping(struct machine *m, struct event *ev);
void vm_step_evict_unmap(struct machine *m, struct event *ev);
/* Returns false, having emitted nothing, when the TLB held no entry to
 * invalidate (the dispatcher goes straight on). */
bool vm_step_evict_shootdown(struct machine *m, struct event *ev);
/* What the replacement policy may ask of the machine (policy.h). */
struct policy_host vm_policy_host(struct machine *m);
/* Removes (pid, vpn)'s translation from the TLB; true when one was there,
 * its entry index in *index (when not NULL; -1 when none). */
bool vm_shootdown(struct machine *m, uint32_t pid, uint64_t vpn, int *index);
/* When va is mapped in p by a huge entry holding the huge zero page, clears
 * that entry and its TLB entry and returns true: the range reads as zeros
 * again, page by page, when touched (a table of ordinary entries may take
 * its place). False, changing nothing, otherwise. */
bool vm_unmap_huge_zero(struct machine *m, struct process *p, uint64_t va);

/* ---- device.c: devices ---- */

/* The leaf entry of a device area's page at va: the device's frame, User,
 * Accessed and special; Writable and NX from the area's protection
 * (PROT_NONE: not present, kept as a PROT_NONE entry). */
uint64_t vm_device_leaf(const struct machine *m, const struct area *a, uint64_t va);
/* Writes every entry of the device area a of p (remap_pfn_range),
 * building the tables it needs, and says how many in *tables. false with
 * why when fewer frames are free than the tables need (the process is
 * then as it was), or when the host refused (the machine has stopped). */
bool vm_map_device(struct machine *m, struct process *p, const struct area *a,
                   uint64_t *tables, char *why, size_t why_len);

/* ---- kernel.c: the kernel half ---- */

/* The bits of a kernel leaf entry for a protection: present, accessed,
 * global, no User bit; writable and dirty with PROT_W; NX without PROT_X. */
uint64_t vm_kernel_leaf_flags(uint8_t prot);
/* Copies the kernel root's upper entries into the root table at frame
 * root (clone_pgd_range); nothing when there is no kernel half yet. */
void vm_share_kernel(struct machine *m, uint32_t root);

/* ---- machine_ops.c: the other operations, and tearing down ---- */

/* One micro-step of a non-access operation. */
void vm_step_simple(struct machine *m, struct event *ev);
/* The TLB flush that follows a switch without ASIDs. */
void vm_step_switch_flush(struct machine *m, struct event *ev);
/* Calls fn for every non-empty leaf entry of p in [start, end), skipping
 * ranges with no tables and the rest of a huge page after its entry. */
void vm_visit_pages(struct machine *m, struct process *p, uint64_t start, uint64_t end,
                    void (*fn)(struct machine *m, struct process *p, uint64_t *slot, uint64_t va,
                               void *ctx),
                    void *ctx);
/* A vm_visit_pages callback that unmaps the page; ctx, when not NULL, is a
 * uint64_t counting the resident pages dropped. */
void vm_drop_visited(struct machine *m, struct process *p, uint64_t *slot, uint64_t va,
                     void *ctx);
/* Releases a whole address space: every page, every table (the root
 * too), every area; the process's TLB entries go. The kernel's tables
 * below the root's kernel-half entries are everyone's and stay, as do the
 * kernel's global TLB entries (free_pgd_range stops at the user part).
 * Exit, the OOM killer and execve (which then gives the process a new
 * one). */
void vm_release_mm(struct machine *m, struct process *p);
/* Tears down a whole address space and ends the process (exit, the OOM
 * killer). */
void vm_release_process(struct machine *m, struct process *p);
/* A data frame whose last mapping just went: unless a file or shared
 * memory object caches it, it is freed (the policy forgets it, and its
 * swap cache lets go of its slot). */
void vm_frame_unmapped(struct machine *m, uint32_t frame);
/* An entry that named a swap slot lets go of it. When only the swap cache
 * still holds the slot, its frame is of no use to anyone: freed too. */
void vm_swap_put(struct machine *m, uint32_t slot);
/* Takes frame out of the swap cache: its slot loses the cache's reference
 * (and is free when that was the last). Nothing when it is not cached. */
void vm_swap_cache_forget(struct machine *m, uint32_t frame);

#endif
