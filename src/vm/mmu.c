/* What the CPU does during an access: the MMU's micro-steps. The VA is
 * checked, the TLB looked up, the tables walked one entry per step
 * (setting Accessed), a page fault raised with its error code, the
 * translation cached, Dirty set on a write and the physical address
 * formed; after the fault handler returns, the instruction restarts here.
 *
 * Separate from fault.c because this is the hardware: nothing here
 * decides anything about memory, it only reads the tables the kernel
 * built and reports what it finds. The phases and what each step may
 * emit are in machine.h (MACHINE_STEP_TABLE). */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"

/* ------------------------------------------------------------------ */
/* the micro-steps of the CPU                                         */

/* The page-fault error code of the access in progress (SDM vol. 3A,
 * 4.7): User for a user-mode access, Protection when the entry was
 * present, Write, Fetch. */
static uint8_t fault_code_for(const struct machine *m, bool present)
{
    enum access_kind access = m->op.access;
    uint8_t code = m->op.kernel_mode ? 0 : FAULT_CODE_USER;
    if (present)
        code |= FAULT_CODE_PROTECTION;
    if (access == ACCESS_WRITE)
        code |= FAULT_CODE_WRITE;
    if (access == ACCESS_EXEC)
        code |= FAULT_CODE_FETCH;
    return code;
}

/* True when the entry allows the access: a write needs Writable, a fetch
 * needs NX clear (any present entry may be read), and a user-mode access
 * needs User set at every level of the walk (supervisor false). */
static bool entry_permits(uint64_t e, enum access_kind access, bool user_mode, bool supervisor)
{
    if (access == ACCESS_WRITE && !(e & PTE_WRITABLE))
        return false;
    if (access == ACCESS_EXEC && (e & PTE_NX))
        return false;
    if (user_mode && supervisor)
        return false;
    return true;
}

/* PH_BEGIN → ACCESS_BEGIN → PH_TLB; or, for a VA no table can map, PH_GP
 * on x86 (a non-canonical address is a general-protection fault) and
 * PH_FAULT elsewhere (RISC-V raises a page fault without a walk; the
 * classroom layouts do the same beyond their width). Counts the access. */
void vm_step_begin(struct machine *m, struct event *ev)
{
    const struct geometry *g = &m->cfg.geo;
    if (m->op.kernel_mode && !geometry_kernel_half(g, m->op.va)) {
        /* The loader lets a kernel-mode access name kernel areas only:
         * the kernel's own accesses to user memory (copy_to_user, SMAP)
         * are not modelled. */
        event_init(ev, EV_OP_FAILED);
        ev->pid = vm_op_process(m)->pid;
        ev->va = m->op.va;
        vm_detail(m, ev,
                 "a kernel-mode access at 0x%llx, outside the kernel half, is not modelled",
                 (unsigned long long)m->op.va);
        m->phase = PH_IDLE;
        return;
    }
    vm_event_for_access(m, ev, EV_ACCESS_BEGIN);
    m->counters.accesses++;
    switch (m->op.access) {
    case ACCESS_READ: m->counters.reads++; break;
    case ACCESS_WRITE: m->counters.writes++; break;
    case ACCESS_EXEC: m->counters.execs++; break;
    }
    if (!geometry_canonical(g, m->op.va)) {
        if (geometry_gp_on_noncanonical(g)) {
            m->phase = PH_GP;
            return;
        }
        m->acc.fault_code = fault_code_for(m, false);
        m->phase = PH_FAULT;
        return;
    }
    m->phase = PH_TLB;
}

/* PH_GP → GP_FAULT → PH_GP_SIGNAL. The CPU checks that a linear address
 * is canonical before it translates it (SDM vol. 3A, 3.3.7.1): a
 * non-canonical one raises #GP, vector 13, with error code 0. No TLB
 * lookup, no walk, no page fault, and CR2 is not written. */
void vm_step_gp(struct machine *m, struct event *ev)
{
    const struct geometry *g = &m->cfg.geo;
    vm_event_for_access(m, ev, EV_GP_FAULT);
    ev->fault_code = 0;
    vm_detail(m, ev,
             "0x%llx is not canonical: bits 63 to %u are not all equal",
             (unsigned long long)m->op.va, g->va_bits - 1);
    m->phase = PH_GP_SIGNAL;
}

/* The page sizes a lookup tries: the base page, and the huge page size
 * while any huge page is mapped. */
static unsigned tlb_spans(const struct machine *m, unsigned spans[2])
{
    spans[0] = m->cfg.geo.page_shift;
    if (m->huge_pages == 0)
        return 1;
    spans[1] = geometry_level_shift(&m->cfg.geo, (unsigned)m->cfg.geo.huge_level);
    return 2;
}

/* PH_TLB → TLB_HIT → PH_DONE, or PH_FAULT when the cached entry forbids
 * the access; or TLB_MISS → PH_WALK from the root table (CR3). */
void vm_step_tlb(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    unsigned spans[2];
    unsigned nspans = tlb_spans(m, spans);
    unsigned span = spans[0];
    int i = tlb_lookup(&m->tlb, p->asid, m->op.va, spans, nspans);
    if (i >= 0) {
        m->acc.span_shift = m->tlb.entries[i].span_shift;
        vm_event_for_access(m, ev, EV_TLB_HIT);
        ev->index = (uint32_t)i / m->tlb.ways;
        ev->way = (uint32_t)i % m->tlb.ways;
        ev->frame = m->tlb.entries[i].frame;
        m->counters.tlb_hits++;
        m->acc.tlb_index = i;
        const struct tlb_entry *t = &m->tlb.entries[i];
        /* A global entry the kernel filled serves a user-mode lookup too;
         * its U/S bit then refuses it (no page-table isolation here). */
        bool allowed = !(m->op.access == ACCESS_WRITE && !t->writable) &&
                       !(m->op.access == ACCESS_EXEC && t->nx) &&
                       (m->op.kernel_mode || t->user);
        if (allowed) {
            m->acc.frame = t->frame;
            m->phase = PH_DONE;
        } else {
            m->acc.fault_code = fault_code_for(m, true);
            m->phase = PH_FAULT;
        }
        return;
    }
    vm_event_for_access(m, ev, EV_TLB_MISS);
    ev->index = tlb_set_of(&m->tlb, m->op.va, span);
    if (nspans > 1)
        ev->huge_set = tlb_set_of(&m->tlb, m->op.va, spans[1]);
    m->counters.tlb_misses++;
    m->counters.page_walks++;
    m->acc.level = 0;
    m->acc.table = p->root;
    m->acc.supervisor = false;
    m->phase = PH_WALK;
}

/* PH_WALK → WALK_STEP → PH_WALK (the next level), PH_FILL (a leaf that
 * allows the access) or PH_FAULT (not present, or forbidden). Sets Accessed
 * in every entry the MMU uses. */
void vm_step_walk(struct machine *m, struct event *ev)
{
    const struct geometry *g = &m->cfg.geo;
    unsigned level = m->acc.level;
    uint64_t index = geometry_index(g, m->op.va, level);
    uint64_t *entries = pagetable_at(&m->pt, m->acc.table);
    uint64_t *slot = &entries[index];
    vm_event_for_access(m, ev, EV_WALK_STEP);
    ev->level = (int)level;
    ev->index = (uint32_t)index;
    ev->frame = m->acc.table;
    /* The entry a software walk would stop on: the fault's steps and the
     * fill read it from here. */
    if (pagetable_walk_stops(g, level, *slot))
        vm_note_leaf(m, level, m->acc.table, (uint32_t)index);
    if (!pte_present(*slot)) {
        ev->entry = *slot;
        m->acc.fault_code = fault_code_for(m, false);
        m->phase = PH_FAULT;
        return;
    }
    /* U/S counts at every level: one clear bit makes the page the
     * kernel's (SDM vol. 3A, 4.6.1). */
    if (!(*slot & PTE_USER))
        m->acc.supervisor = true;
    bool leaf = level + 1 == g->levels || (*slot & PTE_HUGE);
    if (leaf && !entry_permits(*slot, m->op.access, !m->op.kernel_mode, m->acc.supervisor)) {
        ev->entry = *slot;
        m->acc.fault_code = fault_code_for(m, true);
        m->phase = PH_FAULT;
        return;
    }
    /* The MMU sets Accessed in every entry it uses. */
    *slot |= PTE_ACCESSED;
    ev->entry = *slot;
    if (leaf) {
        m->acc.frame = pte_frame(*slot);
        m->acc.span_shift = (uint8_t)geometry_level_shift(g, level);
        m->phase = PH_FILL;
        return;
    }
    m->acc.table = pte_frame(*slot);
    m->acc.level = level + 1;
}

/* PH_FAULT → PAGE_FAULT → PH_CLASSIFY. Raises #PF with its error code. */
void vm_step_fault(struct machine *m, struct event *ev)
{
    /* A page fault drops the TLB's entry for the address (SDM 4.10.4.1),
     * so the restarted access sees the entry the handler writes. */
    tlb_invalidate(&m->tlb, vm_op_process(m)->asid, m->op.va);
    vm_event_for_access(m, ev, EV_PAGE_FAULT);
    ev->fault_code = m->acc.fault_code;
    m->phase = PH_CLASSIFY;
}

/* PH_RETURN → FAULT_RETURN → PH_TLB: the handler returns and the CPU
 * restarts the faulting instruction, which looks the TLB up again. */
void vm_step_return(struct machine *m, struct event *ev)
{
    vm_event_for_access(m, ev, EV_FAULT_RETURN);
    m->acc.restarted = true;
    m->phase = PH_TLB;
}

/* PH_FILL → TLB_FILL → PH_DONE. Caches the translation the walk found,
 * replacing an entry of its set when the set is full. */
/* Caches the translation of the leaf entry e for the access in progress
 * (its span and U/S from acc); *old receives the entry it replaced. */
static const struct tlb_entry *fill_tlb(struct machine *m, const struct process *p, uint64_t e,
                                        struct tlb_entry *old)
{
    struct tlb_entry t = {
        .valid = true,
        .global = (e & PTE_GLOBAL) != 0,
        .user = !m->acc.supervisor,
        .writable = (e & PTE_WRITABLE) != 0,
        .dirty = (e & PTE_DIRTY) != 0,
        .nx = (e & PTE_NX) != 0,
        .span_shift = m->acc.span_shift,
        .asid = p->asid,
        .vpn = m->op.va >> m->acc.span_shift,
        .frame = pte_frame(e),
    };
    m->acc.tlb_index = tlb_fill(&m->tlb, &t, &m->rng, old);
    return &m->tlb.entries[m->acc.tlb_index];
}

void vm_step_fill(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    struct walk_result w = vm_op_walk(m);
    struct tlb_entry old;
    const struct tlb_entry *t = fill_tlb(m, p, *w.slot, &old);
    int i = m->acc.tlb_index;
    vm_event_for_access(m, ev, EV_TLB_FILL);
    ev->index = (uint32_t)i / m->tlb.ways;
    ev->way = (uint32_t)i % m->tlb.ways;
    ev->frame = t->frame;
    if (old.valid && !(old.vpn == t->vpn && old.asid == t->asid))
        vm_detail(m, ev, "replacing page 0x%llx of ASID %u",
                 (unsigned long long)old.vpn, old.asid);
    m->phase = PH_DONE;
}

static uint64_t next_use_of(const struct machine *m)
{
    uint64_t i = m->op.future_index;
    if (i >= m->future_len || m->future_next[i] == MACHINE_NO_NEXT_USE)
        return UINT64_MAX;
    return m->future_next[i];
}

/* The last micro-step of a successful access: Dirty set by a write, the
 * policy told, the physical address formed. */
static void complete_access(struct machine *m, uint32_t frame)
{
    if (m->op.access == ACCESS_WRITE) {
        struct tlb_entry *t = &m->tlb.entries[m->acc.tlb_index];
        if (!t->dirty) {
            struct walk_result w = vm_op_walk(m);
            *w.slot |= PTE_DIRTY;
            t->dirty = true;
        }
    }
    /* A device's frame lies beyond the pool: no policy keeps it. */
    const struct frame *f = frame < frames_total(&m->pool) ? frames_at(&m->pool, frame) : NULL;
    if (f && (f->kind == FRAME_ANON || f->kind == FRAME_FILE) && !f->compound) {
        if (m->policy.ops->accessed)
            m->policy.ops->accessed(&m->policy, frame, next_use_of(m));
        m->policy.now++;
        if (m->policy.ops->tick) {
            struct policy_host host = vm_policy_host(m);
            m->policy.ops->tick(&m->policy, &host);
        }
    }
}

/* The frame's address plus the offset within the page (or huge page) the
 * translation maps. */
static uint64_t physical_address(const struct machine *m, uint32_t frame)
{
    uint64_t span = UINT64_C(1) << m->acc.span_shift;
    return (uint64_t)frame * vm_page_size(m) + (m->op.va & (span - 1));
}

/* PH_DONE → ACCESS_DONE → PH_IDLE: Dirty set on a write, the policy told,
 * the physical address formed. */
void vm_step_done(struct machine *m, struct event *ev)
{
    uint32_t frame = m->acc.frame;
    complete_access(m, frame);
    vm_event_for_access(m, ev, EV_ACCESS_DONE);
    ev->frame = frame;
    ev->pa = physical_address(m, frame);
    m->phase = PH_IDLE;
}

/* The effects of BEGIN for an access done at once: the operation, a fresh
 * access state for process p, the access counted. */
static void begin_fused(struct machine *m, const struct op *op, const struct process *p)
{
    m->op = *op;
    vm_forget_leaf(m);
    vm_clear_small(&m->acc, sizeof m->acc);
    m->acc.victim = VM_NO_FRAME;
    m->acc.victim_slot = m->acc.slot = VM_NO_SLOT;
    m->acc.proc = (uint32_t)(p - m->procs);
    m->acc.tlb_index = -1;
    m->acc.span_shift = (uint8_t)m->cfg.geo.page_shift;
    m->counters.accesses++;
    m->counters.reads += op->access == ACCESS_READ;
    m->counters.writes += op->access == ACCESS_WRITE;
    m->counters.execs += op->access == ACCESS_EXEC;
}

/* The walk of a TLB miss, from acc.table (the root) at level 0, with exactly
 * the effects of one WALK_STEP a level as vm_step_walk takes it; then, when
 * the leaf is present and allows the access, those of TLB_FILL and DONE
 * (the machine idle again), and otherwise those of PAGE_FAULT, the machine
 * left in PH_CLASSIFY for the fault handler. Returns the micro-steps
 * taken. The lowest bit of each level's index is kept as the walk descends
 * (what geometry_level_shift computes: a valid geometry's index bits and
 * offset make up va_bits), as pagetable_walk does. The TLB has just missed
 * the address with spans[0..nspans). */
static uint64_t walk_fused(struct machine *m, const struct process *p, const unsigned *spans,
                           unsigned nspans)
{
    const struct geometry *g = &m->cfg.geo;
    const struct op *op = &m->op;
    unsigned shift = g->va_bits - g->index_bits[0];
    /* The table and level in locals, written to acc where the walk stops:
     * each level's read waits for the one before, and a store and reload
     * of acc.table between them would lengthen that chain. */
    uint32_t root = m->acc.table, table = root;
    bool supervisor = m->acc.supervisor;
    unsigned level = 0, last = g->levels - 1;
    uint64_t *entries;
    /* A walk from this root through the same entries above the last
     * level (struct walk_memo) starts there: those levels' reads would
     * change nothing and find what the memo holds; their steps are
     * counted all the same (the returns below count from level 0). */
    uint64_t region = op->va >> (g->page_shift + g->index_bits[last]);
    struct walk_memo *memo = &m->walk_memo[region & (MACHINE_WALK_MEMO_SLOTS - 1)];
    if (last > 0 && memo->entries && memo->generation == m->pt.generation &&
        memo->root == root && memo->region == region) {
        level = last;
        table = memo->table;
        supervisor = supervisor || memo->supervisor;
        shift = g->page_shift;
        entries = memo->entries;
    } else {
        entries = pagetable_at(&m->pt, table);
    }
    for (;; level++) {
        uint64_t index = (op->va >> shift) & ((UINT64_C(1) << g->index_bits[level]) - 1);
        uint64_t *slot = &entries[index];
        uint64_t e = *slot;
        if (pagetable_walk_stops(g, level, e))
            vm_note_leaf(m, level, table, (uint32_t)index);
        bool leaf = level + 1 == g->levels || (e & PTE_HUGE);
        if (!pte_present(e) ||
            (leaf && !entry_permits(e, op->access, !op->kernel_mode,
                                    supervisor || !(e & PTE_USER)))) {
            if (pte_present(e) && !(e & PTE_USER))
                supervisor = true;
            m->acc.level = level;
            m->acc.table = table;
            m->acc.supervisor = supervisor;
            m->acc.fault_code = fault_code_for(m, pte_present(e));
            /* PAGE_FAULT as vm_step_fault takes it: the TLB's entry for the
             * address dropped (there is none to look for when the lookup
             * that missed looked at every span the TLB holds); the
             * handler's steps are the stepper's. */
            if (!tlb_spans_cover(&m->tlb, spans, nspans))
                tlb_invalidate(&m->tlb, p->asid, op->va);
            m->phase = PH_CLASSIFY;
            return level + 2;
        }
        if (!(e & PTE_USER))
            supervisor = true;
        if (!(e & PTE_ACCESSED))
            *slot = e | PTE_ACCESSED;
        if (leaf) {
            m->acc.level = level;
            m->acc.table = table;
            m->acc.supervisor = supervisor;
            m->acc.frame = pte_frame(e);
            m->acc.span_shift = (uint8_t)shift;
            /* TLB_FILL, then ACCESS_DONE. */
            fill_tlb(m, p, *slot, NULL);
            complete_access(m, m->acc.frame);
            m->phase = PH_IDLE;
            return level + 3;
        }
        table = pte_frame(e);
        shift -= g->index_bits[level + 1];
        entries = pagetable_at(&m->pt, table);
        if (level + 1 == last)
            *memo = (struct walk_memo){.entries = entries, .generation = m->pt.generation,
                                       .region = region, .root = root, .table = table,
                                       .supervisor = supervisor};
    }
}

uint64_t vm_fast_access(struct machine *m, const struct op *op)
{
    const struct geometry *g = &m->cfg.geo;
    if (op->kind != OP_ACCESS || m->phase != PH_IDLE)
        return 0;
    struct process *p = op->pid ? machine_process(m, op->pid) : machine_running(m);
    if (!p || !p->alive || !geometry_canonical(g, op->va) ||
        (op->kernel_mode && !geometry_kernel_half(g, op->va)))
        return 0;
    unsigned spans[2];
    unsigned nspans = tlb_spans(m, spans);
    int i = tlb_find(&m->tlb, p->asid, op->va, spans, nspans);
    if (i >= 0) {
        /* BEGIN, TLB_HIT and DONE, when the cached entry allows it. */
        const struct tlb_entry *t = &m->tlb.entries[i];
        if (!entry_permits((t->writable ? PTE_WRITABLE : 0) | (t->nx ? PTE_NX : 0), op->access,
                           !op->kernel_mode, !t->user))
            return 0;
        tlb_touch(&m->tlb, i);
        begin_fused(m, op, p);
        m->acc.tlb_index = i;
        m->acc.span_shift = t->span_shift;
        m->counters.tlb_hits++;
        complete_access(m, t->frame);
        return 3;
    }
    if (m->host_error[0])
        return 0;
    /* BEGIN and TLB_MISS, then the walk. */
    begin_fused(m, op, p);
    m->counters.tlb_misses++;
    m->counters.page_walks++;
    m->acc.table = p->root;
    m->acc.op_steps = 2 + walk_fused(m, p, spans, nspans);
    return m->acc.op_steps;
}

uint64_t vm_fast_tlb_miss(struct machine *m)
{
    if ((m->phase != PH_RETURN && m->phase != PH_TLB) || m->host_error[0] ||
        m->acc.proc == VM_NO_PROC)
        return 0;
    struct process *p = &m->procs[m->acc.proc];
    /* The stepper stops an operation past MACHINE_MAX_OP_STEPS: at most
     * the return, the TLB step, a walk step a level, the fill and DONE are
     * taken here. */
    if (!p->alive || m->acc.op_steps + m->cfg.geo.levels + 4 > MACHINE_MAX_OP_STEPS)
        return 0;
    uint64_t n = 0;
    if (m->phase == PH_RETURN) {
        /* FAULT_RETURN as vm_step_return takes it: the instruction
         * restarts. */
        m->acc.restarted = true;
        m->phase = PH_TLB;
        n = 1;
    }
    unsigned spans[2];
    unsigned nspans = tlb_spans(m, spans);
    if (tlb_find(&m->tlb, p->asid, m->op.va, spans, nspans) < 0) {
        /* TLB_MISS as vm_step_tlb takes it, then the walk. */
        m->counters.tlb_misses++;
        m->counters.page_walks++;
        m->acc.level = 0;
        m->acc.table = p->root;
        m->acc.supervisor = false;
        n += 1 + walk_fused(m, p, spans, nspans);
    }
    m->acc.op_steps += (uint32_t)n;
    return n;
}

/* ------------------------------------------------------------------ */
/* translation without side effects                                   */

uint64_t machine_translate(const struct machine *m, const struct process *p, uint64_t va)
{
    struct walk_result w = machine_walk(m, p, va);
    if (!w.complete || !pte_present(*w.slot))
        return UINT64_MAX;
    uint64_t span = geometry_level_span(&m->cfg.geo, w.level);
    return (uint64_t)pte_frame(*w.slot) * vm_page_size(m) + (va & (span - 1));
}
