/* The machine: faults, the restart, swap, isolation, the fast path. */
#include <CUnit/CUnit.h>

#include "suites.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/machine_internal.h"
#include "vm/pte.h"
#include "vm/rng.h"
#include "vm_helpers.h"

#define MiB (UINT64_C(1) << 20)

static uint64_t mmap_anon(struct machine *m, uint32_t pid, uint64_t size, const char *name)
{
    struct op op = {.kind = OP_MMAP, .pid = pid, .va = UINT64_MAX, .size = size,
                    .prot = PROT_R | PROT_W};
    strcpy(op.name, name);
    struct event ev;
    CU_ASSERT_FATAL(machine_begin(m, &op));
    CU_ASSERT_FALSE(machine_step(m, &ev));
    CU_ASSERT_EQUAL_FATAL(ev.kind, EV_MMAP);
    return ev.va;
}

static void test_seed_program(void)
{
    struct machine *m = test_machine("x86_64", 512, 0, 64, POLICY_clock);
    test_process(m, 1, 0x400000, 0x4000);
    uint64_t buf = mmap_anon(m, 1, MiB, "buf");
    CU_ASSERT_EQUAL(buf % 4096, 0);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 0);
    for (uint64_t off = 0; off < MiB; off += 4096)
        test_access(m, 1, ACCESS_WRITE, buf + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 256);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 256);
    CU_ASSERT_EQUAL(machine_process(m, 1)->resident, 256);
    for (uint64_t off = 0; off < MiB; off += 64)
        test_access(m, 1, ACCESS_WRITE, buf + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 256);
    CU_ASSERT_EQUAL(m->counters.accesses, 256 + 16384);
    CU_ASSERT_EQUAL(m->counters.evictions, 0);
    machine_destroy(m);
}

static void test_restart_and_physical_address(void)
{
    struct machine *m = test_machine("x86_64", 16, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x10000, 0x10000);
    struct op op = {.kind = OP_ACCESS, .pid = 1, .access = ACCESS_WRITE, .va = 0x12345,
                    .future_index = UINT64_MAX};
    enum event_kind seen[64];
    struct event ev;
    unsigned n = 0;
    CU_ASSERT_FATAL(machine_begin(m, &op));
    bool more;
    do {
        more = machine_step(m, &ev);
        if (n < 64)
            seen[n++] = ev.kind;
    } while (more);
    static const enum event_kind expected[] = {
        EV_ACCESS_BEGIN, EV_TLB_MISS, EV_WALK_STEP, EV_PAGE_FAULT, EV_FAULT_CLASSIFIED,
        EV_FRAME_ALLOC, EV_TABLE_ALLOC, EV_FRAME_ALLOC, EV_TABLE_ALLOC, EV_FRAME_ALLOC,
        EV_TABLE_ALLOC, EV_FRAME_ALLOC, EV_ZERO_FILL, EV_PTE_UPDATE, EV_FAULT_RETURN,
        EV_TLB_MISS, EV_WALK_STEP, EV_WALK_STEP, EV_WALK_STEP, EV_WALK_STEP, EV_TLB_FILL,
        EV_ACCESS_DONE};
    CU_ASSERT_EQUAL_FATAL(n, sizeof expected / sizeof expected[0]);
    for (unsigned i = 0; i < n; i++)
        CU_ASSERT_EQUAL(seen[i], expected[i]);
    /* Root 0, tables 1-3, the page in frame 4: 4 * 4096 + 0x345. */
    CU_ASSERT_EQUAL(ev.frame, 4);
    CU_ASSERT_EQUAL(ev.pa, 4 * 4096 + 0x345);
    CU_ASSERT_EQUAL(machine_translate(m, machine_process(m, 1), 0x12345), 4 * 4096 + 0x345);
    CU_ASSERT_EQUAL(m->counters.tlb_misses, 2);
    CU_ASSERT_EQUAL(m->counters.page_walks, 2);
    /* Now it hits. */
    ev = test_access(m, 1, ACCESS_READ, 0x12fff);
    CU_ASSERT_EQUAL(ev.pa, 4 * 4096 + 0xfff);
    CU_ASSERT_EQUAL(m->counters.tlb_hits, 1);
    machine_destroy(m);
}

static void test_swap_and_major_faults(void)
{
    /* 4 frames for pages; tables live in 8 reserved frames. */
    struct machine *m = test_machine("x86_64", 4, 8, 16, POLICY_fifo);
    test_process(m, 1, 0x100000, 8 * 4096);
    for (uint64_t p = 0; p < 8; p++)
        test_access(m, 1, ACCESS_WRITE, 0x100000 + p * 4096 + 8);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 8);
    CU_ASSERT_EQUAL(m->counters.evictions, 4);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 4);
    CU_ASSERT_EQUAL(m->swap.used, 4);
    const struct process *p = machine_process(m, 1);
    CU_ASSERT_EQUAL(p->swapped, 4);
    CU_ASSERT_EQUAL(p->resident, 4);
    struct walk_result w = machine_walk(m, p, 0x100000);
    CU_ASSERT(w.complete && pte_is_swap(*w.slot));
    CU_ASSERT_EQUAL(pte_slot(*w.slot), 0);
    /* Page 0 comes back: a major fault, FIFO evicts page 4 (loaded first of
     * those resident), which is dirty and goes to swap in turn. */
    struct event ev = test_access(m, 1, ACCESS_READ, 0x100008);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(m->counters.swap_ins, 1);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 5);
    CU_ASSERT_EQUAL(ev.pa % 4096, 8);
    w = machine_walk(m, p, 0x104000);
    CU_ASSERT(pte_is_swap(*w.slot));
    w = machine_walk(m, p, 0x100000);
    CU_ASSERT(pte_present(*w.slot));
    /* Read back, page 0 stays in the swap cache: slot 0 keeps its copy, so
     * 5 slots are in use. Being the process's alone, it is mapped writable
     * but clean. */
    CU_ASSERT_EQUAL(m->swap.used, 5);
    uint32_t back = pte_frame(*w.slot);
    CU_ASSERT_EQUAL(frames_at(&m->pool, back)->swap_slot, 0);
    CU_ASSERT(swap_at(&m->swap, 0)->cached);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->cache_frame, back);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->refs, 1);
    CU_ASSERT((*w.slot & PTE_WRITABLE) && !(*w.slot & PTE_DIRTY));
    CU_ASSERT_EQUAL(p->swapped, 4);
    /* Pages 1, 2 and 3 come back (major faults), FIFO taking 5, 6 and 7,
     * dirty, to swap; reading page 4 then takes page 0 again, still clean:
     * its copy in slot 0 is current, so it is dropped without a write and
     * its entry names slot 0 again. */
    for (uint64_t q = 1; q < 4; q++)
        test_access(m, 1, ACCESS_READ, 0x100000 + q * 4096);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 8);
    uint64_t outs = m->counters.swap_outs;
    struct op again = {.kind = OP_ACCESS, .pid = 1, .access = ACCESS_READ, .va = 0x104000,
                       .future_index = UINT64_MAX};
    uint32_t victim = EV_NONE, dropped_slot = EV_NONE;
    CU_ASSERT_FATAL(machine_begin(m, &again));
    bool more;
    do {
        more = machine_step(m, &ev);
        if (ev.kind == EV_VICTIM_CHOSEN)
            victim = ev.victim;
        if (ev.kind == EV_PAGE_DROPPED)
            dropped_slot = ev.slot;
    } while (more);
    CU_ASSERT_EQUAL(victim, back);
    CU_ASSERT_EQUAL(dropped_slot, 0);
    CU_ASSERT_EQUAL(m->counters.swap_outs, outs);
    w = machine_walk(m, p, 0x100000);
    CU_ASSERT(pte_is_swap(*w.slot) && pte_slot(*w.slot) == 0);
    CU_ASSERT_FALSE(swap_at(&m->swap, 0)->cached);
    /* A clean page is dropped, not swapped: textbook reads that load pages. */
    struct machine *c = test_machine("x86_64", 2, 8, 16, POLICY_fifo);
    test_process(c, 1, 0, 0);
    for (uint64_t q = 0; q < 4; q++) {
        struct op ref = test_ref(4096, 0x100 + q, false, UINT64_MAX);
        test_step_op(c, &ref);
    }
    CU_ASSERT_EQUAL(c->counters.evictions, 2);
    CU_ASSERT_EQUAL(c->counters.swap_outs, 0);
    CU_ASSERT_EQUAL(c->counters.minor_faults, 4);
    CU_ASSERT_EQUAL(c->counters.zero_fills, 4);
    machine_destroy(c);
    machine_destroy(m);
}

static void test_isolation(void)
{
    for (int asid = 0; asid < 2; asid++) {
        struct machine_config cfg;
        machine_config_default(&cfg);
        cfg.frames = 32;
        cfg.tlb_asid = asid;
        char why[200];
        struct machine *m = machine_create(&cfg, why, sizeof why);
        test_process(m, 1, 0x200000, 0x4000);
        test_process(m, 2, 0x200000, 0x4000);
        struct event a = test_access(m, 1, ACCESS_WRITE, 0x200010);
        struct op sw = {.kind = OP_SWITCH, .pid = 2};
        uint64_t steps = test_step_op(m, &sw);
        CU_ASSERT_EQUAL(steps, asid ? 1 : 2); /* a flush without ASIDs */
        struct event b = test_access(m, 2, ACCESS_WRITE, 0x200010);
        CU_ASSERT_EQUAL(a.kind, EV_ACCESS_DONE);
        CU_ASSERT_EQUAL(b.kind, EV_ACCESS_DONE);
        CU_ASSERT_NOT_EQUAL(a.frame, b.frame);
        CU_ASSERT_EQUAL(m->counters.minor_faults, 2);
        /* Each frame is mapped by its own process only. */
        CU_ASSERT_EQUAL(frames_at(&m->pool, a.frame)->nmaps, 1);
        CU_ASSERT_EQUAL(frames_at(&m->pool, a.frame)->maps[0].pid, 1);
        CU_ASSERT_EQUAL(frames_at(&m->pool, b.frame)->maps[0].pid, 2);
        CU_ASSERT_EQUAL(frames_at(&m->pool, a.frame)->owner_pid, 1);
        /* Every translation of one process points at its own frames. */
        for (uint64_t va = 0x200000; va < 0x204000; va += 4096) {
            test_access(m, 1, ACCESS_WRITE, va);
            test_access(m, 2, ACCESS_WRITE, va);
            uint64_t pa1 = machine_translate(m, machine_process(m, 1), va);
            uint64_t pa2 = machine_translate(m, machine_process(m, 2), va);
            CU_ASSERT_NOT_EQUAL(pa1, pa2);
            CU_ASSERT_EQUAL(frames_at(&m->pool, pa1 / 4096)->maps[0].pid, 1);
            CU_ASSERT_EQUAL(frames_at(&m->pool, pa2 / 4096)->maps[0].pid, 2);
        }
        machine_destroy(m);
    }
}

static void test_segfaults(void)
{
    struct machine *m = test_machine("x86_64", 16, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x10000, 0x1000);
    char why[200];
    struct area ro = {.start = 0x20000, .end = 0x21000, .prot = PROT_R, .kind = AREA_ANON};
    strcpy(ro.name, "ro");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &ro, why, sizeof why));
    struct event ev = test_access(m, 1, ACCESS_READ, 0x90000);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    ev = test_access(m, 1, ACCESS_WRITE, 0x20000);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    ev = test_access(m, 1, ACCESS_EXEC, 0x10000);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    /* A read of the read-only area works; a write to it later still fails
     * (the entry is read-only and so is the area). */
    ev = test_access(m, 1, ACCESS_READ, 0x20000);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    ev = test_access(m, 1, ACCESS_WRITE, 0x20000);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    CU_ASSERT_EQUAL(m->counters.segfaults, 4);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    /* Not canonical: a general-protection fault (the space suite has the
     * rest). */
    ev = test_access(m, 1, ACCESS_READ, UINT64_C(1) << 50);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_SI_KERNEL);
    CU_ASSERT_EQUAL(m->counters.segfaults, 5);
    machine_destroy(m);
}

static void test_munmap_and_exit(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 8, POLICY_lru);
    test_process(m, 1, 0x10000, 0x1000);
    uint64_t buf = mmap_anon(m, 1, 8 * 4096, "buf");
    for (int i = 0; i < 8; i++)
        test_access(m, 1, ACCESS_WRITE, buf + (uint64_t)i * 4096);
    uint32_t free_before = m->pool.free_data;
    struct op un = {.kind = OP_MUNMAP, .pid = 1, .va = buf + 2 * 4096, .size = 4 * 4096};
    test_step_op(m, &un);
    CU_ASSERT_EQUAL(m->pool.free_data, free_before + 4);
    const struct process *p = machine_process(m, 1);
    CU_ASSERT_EQUAL(p->nareas, 3); /* data, and buf cut in two */
    CU_ASSERT_EQUAL(p->resident, 4);
    CU_ASSERT_EQUAL(machine_translate(m, p, buf + 3 * 4096), UINT64_MAX);
    struct event ev = test_access(m, 1, ACCESS_READ, buf + 3 * 4096);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    struct op ex = {.kind = OP_EXIT, .pid = 1};
    test_step_op(m, &ex);
    CU_ASSERT_EQUAL(m->pool.free_data, 64);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 0);
    ev = test_access(m, 1, ACCESS_READ, buf);
    CU_ASSERT_EQUAL(ev.kind, EV_PROCESS_GONE);
    machine_destroy(m);
}

static void test_out_of_memory(void)
{
    /* No swap, 2 page frames: the third dirty page cannot be had. */
    struct machine *m = test_machine("x86_64", 2, 8, 0, POLICY_fifo);
    test_process(m, 1, 0x10000, 0x4000);
    test_access(m, 1, ACCESS_WRITE, 0x10000);
    test_access(m, 1, ACCESS_WRITE, 0x11000);
    struct event ev = test_access(m, 1, ACCESS_WRITE, 0x12000);
    CU_ASSERT_EQUAL(ev.kind, EV_OOM_KILL);
    CU_ASSERT_EQUAL(ev.other_pid, 1);
    CU_ASSERT_EQUAL(m->counters.oom_kills, 1);
    CU_ASSERT_FALSE(machine_process(m, 1)->alive);
    CU_ASSERT_EQUAL(m->pool.free_data, 2);
    CU_ASSERT_EQUAL(m->pool.free_table, 8);
    machine_destroy(m);
}

/* Runs an operation step by step, checking every micro-step against the
 * phase table (machine.h, MACHINE_STEP_TABLE), and marks the events seen. */
static struct event table_checked_op(struct machine *m, const struct op *op, bool *seen)
{
    struct event ev;
    CU_ASSERT_FATAL(machine_begin(m, op));
    bool more;
    do {
        enum machine_phase from = machine_next_phase(m);
        more = machine_step(m, &ev);
        seen[ev.kind] = true;
        if (!machine_step_allowed(from, ev.kind, machine_next_phase(m)))
            fprintf(stderr, "\n%s -> %s -> %s is not in the phase table\n",
                    machine_phase_name(from), event_name(ev.kind),
                    machine_phase_name(machine_next_phase(m)));
        CU_ASSERT(machine_step_allowed(from, ev.kind, machine_next_phase(m)));
    } while (more);
    return ev;
}

static struct event table_checked_access(struct machine *m, uint32_t pid, enum access_kind a,
                                         uint64_t va, bool *seen)
{
    struct op op = {.kind = OP_ACCESS, .pid = pid, .access = a, .va = va,
                    .future_index = UINT64_MAX};
    return table_checked_op(m, &op, seen);
}

/* The paths the scenario library does not take (the invariants suite
 * checks those it does), step by step against the phase table. */
static void test_rare_steps_follow_phase_table(void)
{
    bool seen[EV_COUNT] = {false};
    struct event ev;
    char why[200];
    /* Stepping an idle machine. */
    struct machine *m = test_machine("x86_64", 8, 8, 0, POLICY_fifo);
    CU_ASSERT_FALSE(machine_step(m, &ev));
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    CU_ASSERT(machine_step_allowed(PH_IDLE, ev.kind, machine_next_phase(m)));
    /* A process that does not exist, and one that has exited. */
    test_process(m, 1, 0x10000, 0x4000);
    test_process(m, 2, 0x10000, 0x4000);
    ev = table_checked_access(m, 9, ACCESS_READ, 0x10000, seen);
    CU_ASSERT_EQUAL(ev.kind, EV_PROCESS_GONE);
    CU_ASSERT_STRING_EQUAL(ev.detail, "pid 9 does not exist");
    struct op exit2 = {.kind = OP_EXIT, .pid = 2};
    table_checked_op(m, &exit2, seen);
    ev = table_checked_access(m, 2, ACCESS_READ, 0x10000, seen);
    CU_ASSERT_EQUAL(ev.kind, EV_PROCESS_GONE);
    CU_ASSERT_STRING_EQUAL(ev.detail, "pid 2 has exited");
    CU_ASSERT_FALSE(machine_process(m, 2)->oom_killed);
    /* A refused operation, a page mapped to a chosen frame, munmap. */
    struct op zero = {.kind = OP_MMAP, .pid = 1, .va = UINT64_MAX, .size = 0,
                      .prot = PROT_R | PROT_W};
    ev = table_checked_op(m, &zero, seen);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    struct op map = {.kind = OP_MAP_FRAME, .pid = 1, .va = 0x20000, .frame = 5,
                     .prot = PROT_R | PROT_W};
    ev = table_checked_op(m, &map, seen);
    CU_ASSERT_EQUAL(ev.kind, EV_MAP_FRAME);
    table_checked_access(m, 1, ACCESS_WRITE, 0x10000, seen);
    struct op unmap = {.kind = OP_MUNMAP, .pid = 1, .va = 0x10000, .size = 0x4000};
    ev = table_checked_op(m, &unmap, seen);
    CU_ASSERT_EQUAL(ev.kind, EV_MUNMAP);
    CU_ASSERT(machine_verify(m, why, sizeof why));
    machine_destroy(m);

    /* The OOM killer takes another process, and the fault goes on. */
    m = test_machine("x86_64", 3, 8, 0, POLICY_fifo);
    test_process(m, 1, 0x10000, 0x4000);
    test_process(m, 2, 0x10000, 0x4000);
    table_checked_access(m, 2, ACCESS_WRITE, 0x10000, seen);
    table_checked_access(m, 2, ACCESS_WRITE, 0x11000, seen);
    table_checked_access(m, 1, ACCESS_WRITE, 0x10000, seen);
    ev = table_checked_access(m, 1, ACCESS_WRITE, 0x11000, seen);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_FALSE(machine_process(m, 2)->alive);
    CU_ASSERT(machine_verify(m, why, sizeof why));
    machine_destroy(m);

    /* A private write to a file page not yet cached: read, then copied. */
    m = test_machine("x86_64", 8, 8, 0, POLICY_fifo);
    test_process(m, 1, 0, 0);
    uint32_t file = machine_add_file(m, "data", 4 * 4096, NULL, 0, false, why, sizeof why);
    CU_ASSERT_NOT_EQUAL_FATAL(file, VM_NO_OBJECT);
    struct op mm = {.kind = OP_MMAP, .pid = 1, .va = UINT64_MAX, .size = 4 * 4096,
                    .prot = PROT_R | PROT_W, .file = file + 1};
    strcpy(mm.name, "data");
    ev = table_checked_op(m, &mm, seen);
    CU_ASSERT_EQUAL_FATAL(ev.kind, EV_MMAP);
    table_checked_access(m, 1, ACCESS_WRITE, ev.va, seen);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    CU_ASSERT(machine_verify(m, why, sizeof why));
    machine_destroy(m);

    enum event_kind wanted[] = {EV_PROCESS_GONE, EV_EXIT,   EV_OP_FAILED, EV_MAP_FRAME,
                                EV_MUNMAP,       EV_OOM_KILL, EV_FILE_READ, EV_COW_COPY};
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        CU_ASSERT(seen[wanted[i]]);
}

/* machine_verify finds a table no root reaches, and a reverse map that
 * names a mapping no entry holds. */
static void test_verify_finds_orphans_and_stray_mappings(void)
{
    char why[200];
    struct machine *m = test_machine("x86_64", 8, 8, 0, POLICY_fifo);
    test_process(m, 1, 0x10000, 0x4000);
    test_access(m, 1, ACCESS_WRITE, 0x10000);
    CU_ASSERT_FATAL(machine_verify(m, why, sizeof why));
    /* A page in an area of its own, unmapped again: its tables stay. Then
     * the root's entry to them is lost, and they hang from nothing. */
    const struct process *p = machine_process(m, 1);
    struct area far = {.start = UINT64_C(0x7f0000000000), .end = UINT64_C(0x7f0000001000),
                       .prot = PROT_R | PROT_W, .kind = AREA_ANON};
    strcpy(far.name, "far");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &far, why, sizeof why));
    test_access(m, 1, ACCESS_WRITE, far.start);
    struct op unmap = {.kind = OP_MUNMAP, .pid = 1, .va = far.start, .size = 4096};
    test_step_op(m, &unmap);
    CU_ASSERT_FATAL(machine_verify(m, why, sizeof why));
    uint64_t *root = pagetable_at(&m->pt, p->root);
    unsigned i = (unsigned)geometry_index(&m->cfg.geo, far.start, 0);
    uint64_t saved = root[i];
    root[i] = 0;
    CU_ASSERT_FALSE(machine_verify(m, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "orphan"));
    root[i] = saved;
    CU_ASSERT_FATAL(machine_verify(m, why, sizeof why));
    /* The page's frame claims a second mapping that no entry holds. */
    uint32_t frame = (uint32_t)(machine_translate(m, p, 0x10000) / 4096);
    CU_ASSERT_FATAL(frames_rmap_add(&m->pool, frame, 1, 0x13));
    CU_ASSERT_FALSE(machine_verify(m, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "reverse map names a mapping"));
    CU_ASSERT(frames_rmap_remove(&m->pool, frame, 1, 0x13));
    CU_ASSERT(machine_verify(m, why, sizeof why));
    machine_destroy(m);
}

/* The same random workload twice: once stepped event by event, once with
 * machine_run_op. States, counters and event counts must agree. */
static void test_fast_path_agrees(void)
{
    for (int pol = 0; pol < POLICY_COUNT; pol++) {
        if (pol == POLICY_opt)
            continue;
        /* 8 table frames + a hot set of 12 pages fit; the cold pages evict. */
        struct machine *slow = test_machine("x86_64", 24, 0, 64, (enum policy_kind)pol);
        test_process(slow, 1, 0x100000, 32 * 4096);
        test_process(slow, 2, 0x100000, 32 * 4096);
        struct machine *fast = machine_clone(slow);
        CU_ASSERT_EQUAL_FATAL(machine_digest(slow), machine_digest(fast));
        uint64_t rng = 42;
        for (int i = 0; i < 3000; i++) {
            struct op op = {.kind = OP_ACCESS, .future_index = UINT64_MAX};
            uint64_t r = rng_next(&rng);
            if (r % 97 == 0) {
                op.kind = OP_SWITCH;
                op.pid = 1 + (uint32_t)(r / 97 % 2);
            } else {
                op.pid = 1 + (uint32_t)(r % 2);
                /* Mostly a hot set of 6 pages, sometimes anywhere. */
                uint64_t page = (r >> 8) % 10 < 8 ? (r >> 16) % 6 : (r >> 16) % 34;
                op.va = 0x100000 + page * 4096 + (r >> 32) % 4096;
                op.access = (r >> 40) % 3 == 0 ? ACCESS_WRITE : ACCESS_READ;
            }
            uint64_t a = test_step_op(slow, &op);
            uint64_t b = machine_run_op(fast, &op);
            CU_ASSERT_EQUAL(a, b);
            if (machine_digest(slow) != machine_digest(fast)) {
                CU_FAIL("digests differ");
                break;
            }
            char why[200];
            if (!machine_verify(slow, why, sizeof why)) {
                CU_FAIL(why);
                break;
            }
        }
        CU_ASSERT(memcmp(&slow->counters, &fast->counters, sizeof slow->counters) == 0);
        /* NRU drops TLB entries at every periodic clear: the fewest hits. */
        CU_ASSERT(slow->counters.tlb_hits > 500);
        CU_ASSERT(slow->counters.evictions > 10);
        CU_ASSERT(slow->counters.segfaults > 10);
        machine_destroy(slow);
        machine_destroy(fast);
    }
}

static void test_clone_and_determinism(void)
{
    struct machine *a = test_machine("x86_64", 4, 4, 16, POLICY_random);
    test_process(a, 1, 0x100000, 16 * 4096);
    struct machine *b = machine_clone(a);
    for (uint64_t i = 0; i < 40; i++) {
        uint64_t va = 0x100000 + (i * 7 % 16) * 4096;
        test_access(a, 1, ACCESS_WRITE, va);
        test_access(b, 1, ACCESS_WRITE, va);
    }
    CU_ASSERT_EQUAL(machine_digest(a), machine_digest(b));
    CU_ASSERT(a->counters.evictions > 0);
    struct machine *c = machine_clone(a);
    CU_ASSERT_EQUAL(machine_digest(a), machine_digest(c));
    test_access(c, 1, ACCESS_READ, 0x100000);
    CU_ASSERT_NOT_EQUAL(machine_digest(a), machine_digest(c));
    machine_destroy(a);
    machine_destroy(b);
    machine_destroy(c);
}

static void test_map_frame(void)
{
    struct machine *m = test_machine("tiny", 16, 0, 0, POLICY_fifo);
    test_process(m, 1, 0, 0);
    struct op op = {.kind = OP_MAP_FRAME, .pid = 1, .va = 3 * 64, .frame = 9,
                    .prot = PROT_R | PROT_W};
    test_step_op(m, &op);
    struct event ev = test_access(m, 1, ACCESS_READ, 3 * 64 + 5);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.pa, 9 * 64 + 5);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    /* The second-level table took another frame, not frame 9. */
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1)->kind, FRAME_TABLE);
    op.va = 4 * 64;
    test_step_op(m, &op);
    CU_ASSERT_EQUAL(machine_translate(m, machine_process(m, 1), 4 * 64), UINT64_MAX);
    machine_destroy(m);
}

/* A machine declaring the stated maxima of frames, table frames and swap
 * holds what it uses: a few hundred KiB after a few accesses, under every
 * policy, and a copy of it no more (it held some 800 MiB once). */
static void test_declared_maxima(void)
{
    for (int pol = 0; pol < POLICY_COUNT; pol++) {
        struct machine *m = test_machine("x86_64", MACHINE_MAX_FRAMES, MACHINE_MAX_FRAMES,
                                         MACHINE_MAX_SWAP, (enum policy_kind)pol);
        CU_ASSERT(machine_bytes(m) < 1024 * 1024);
        test_process(m, 1, 0x100000, 64 * 4096);
        for (uint64_t p = 0; p < 64; p++)
            test_access(m, 1, p % 3 ? ACCESS_WRITE : ACCESS_READ, 0x100000 + p * 4096);
        CU_ASSERT_EQUAL(m->counters.faults, 64);
        uint64_t bytes = machine_bytes(m);
        CU_ASSERT(bytes < 2 * 1024 * 1024);
        char why[200];
        if (!machine_verify(m, why, sizeof why))
            CU_FAIL(why);
        struct machine *c = machine_clone(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(machine_bytes(c) <= bytes);
        CU_ASSERT_EQUAL(machine_digest(c), machine_digest(m));
        machine_destroy(c);
        machine_destroy(m);
    }
}

/* Clock's order is the loaded frames from the hand round the ring, as a
 * sweep over every frame would find them, with frames loaded beyond the
 * first chunk and the hand past them; a shorter room gets its start. */
static void test_clock_order(void)
{
    struct machine *m = test_machine("x86_64", 9000, 0, 9000, POLICY_clock);
    test_process(m, 1, 0x100000, 12000 * 4096);
    uint64_t rng = 3;
    for (int i = 0; i < 30000; i++) {
        uint64_t r = rng_next(&rng);
        test_access(m, 1, ACCESS_WRITE, 0x100000 + r % 12000 * 4096);
    }
    CU_ASSERT(m->counters.evictions > 1000);
    uint32_t *want = malloc(9000 * sizeof *want), *got = malloc(9000 * sizeof *got);
    CU_ASSERT_FATAL(want && got);
    size_t n = 0;
    for (uint32_t i = 0; i < m->policy.nframes; i++) {
        uint32_t f = (m->policy.hand + i) % m->policy.nframes;
        if (frame_list_contains(&m->policy.lists[0], f))
            want[n++] = f;
    }
    size_t first_len;
    CU_ASSERT_EQUAL(policy_held(&m->policy), n);
    CU_ASSERT_EQUAL(machine_policy_order(m, got, 9000, &first_len), n);
    CU_ASSERT_EQUAL(first_len, n);
    CU_ASSERT(memcmp(got, want, n * sizeof *got) == 0);
    CU_ASSERT_EQUAL(machine_policy_order(m, got, 10, &first_len), 10);
    CU_ASSERT(memcmp(got, want, 10 * sizeof *got) == 0);
    free(want);
    free(got);
    machine_destroy(m);
}

/* A shared area as large as half of user space costs the pages it holds
 * (its page map was a directory of 32 MiB, made up front). */
static void test_huge_shared_area(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 64, POLICY_clock);
    test_process(m, 1, 0, 0);
    uint64_t before = machine_bytes(m);
    struct area a = {.start = UINT64_C(1) << 45, .end = UINT64_C(3) << 45,
                     .prot = PROT_R | PROT_W, .kind = AREA_ANON, .shared = true};
    strcpy(a.name, "vast");
    char why[200];
    CU_ASSERT_FATAL(machine_add_area(m, 1, &a, why, sizeof why));
    CU_ASSERT(machine_bytes(m) < before + 1024);
    test_access(m, 1, ACCESS_WRITE, a.start);
    test_access(m, 1, ACCESS_WRITE, a.end - 4096);
    test_access(m, 1, ACCESS_READ, a.start + (a.end - a.start) / 2);
    CU_ASSERT_EQUAL(m->counters.faults, 3);
    CU_ASSERT_EQUAL(object_frame(&m->objects[0], 0) != UINT32_MAX, true);
    /* The chunks of the page map made: the first, the middle, the last. */
    const struct vm_object *o = &m->objects[0];
    CU_ASSERT_EQUAL(object_next_page(o, 1), 1);
    CU_ASSERT_EQUAL(object_next_page(o, 4096), o->pages / 2);
    CU_ASSERT_EQUAL(object_next_page(o, o->pages / 2 + 4096), o->pages - 4096);
    CU_ASSERT_EQUAL(object_next_page(o, o->pages - 1), o->pages - 1);
    CU_ASSERT(machine_bytes(m) < before + 256 * 1024);
    if (!machine_verify(m, why, sizeof why))
        CU_FAIL(why);
    struct machine *c = machine_clone(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(machine_digest(c), machine_digest(m));
    machine_destroy(c);
    machine_destroy(m);
}

/* Equal states give equal digests however their storage was made: a frame,
 * a swap slot, a table and a list entry made and given back leave the
 * digest as it was, though their chunks stay. */
/* A small machine whose pid 1 has written the page at va (in its area of
 * eight pages at 0x100000). */
static struct machine *machine_with_written_page(uint64_t va)
{
    struct machine *m = test_machine("x86_64", 16, 8, 16, POLICY_fifo);
    test_process(m, 1, 0x100000, 8 * 4096);
    test_access(m, 1, ACCESS_WRITE, va);
    return m;
}

/* An access remembers where its page's leaf entry is (the fault and the
 * fill read it there), the digest does not see it, verify catches a
 * remembered entry that is not the one a walk finds, and a table made or
 * freed since makes it stale. */
static void test_leaf_remembered(void)
{
    struct machine *m = machine_with_written_page(0x101008);
    CU_ASSERT_FATAL(m->leaf.known);
    struct walk_result w = machine_walk(m, machine_process(m, 1), 0x101008);
    CU_ASSERT_FATAL(w.complete);
    CU_ASSERT_EQUAL(m->leaf.table, w.table);
    CU_ASSERT_EQUAL(m->leaf.level, w.level);
    CU_ASSERT_PTR_EQUAL(&pagetable_at(&m->pt, m->leaf.table)[m->leaf.index], w.slot);
    CU_ASSERT_EQUAL(m->leaf.index, 0x101);
    test_verify(m);
    char why[200];
    uint64_t digest = machine_digest(m);
    m->leaf.index++;
    CU_ASSERT_EQUAL(machine_digest(m), digest);
    CU_ASSERT_FALSE(machine_verify(m, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "remembered leaf entry"));
    m->leaf.index--;
    /* A table made or freed since makes it stale: the next look walks
     * again and remembers anew. */
    CU_ASSERT_TRUE(vm_leaf_known(m));
    uint32_t spare = frames_take(&m->pool, FRAME_TABLE);
    CU_ASSERT_FATAL(spare != VM_NO_FRAME && spare != FRAMES_REFUSED);
    CU_ASSERT_EQUAL_FATAL(pagetable_create(&m->pt, &m->cfg.geo, spare, 3), PAGETABLE_MADE);
    CU_ASSERT_FALSE(vm_leaf_known(m));
    CU_ASSERT_PTR_EQUAL(vm_op_walk(m).slot, w.slot);
    CU_ASSERT_TRUE(vm_leaf_known(m));
    pagetable_release(&m->pt, spare);
    frames_release(&m->pool, spare);
    CU_ASSERT_FALSE(vm_leaf_known(m));
    test_verify(m);
    /* The next operation starts from nothing. */
    test_access(m, 1, ACCESS_READ, 0x102000);
    test_verify(m);
    machine_destroy(m);
}

/* Each mapping in a reverse map names the table whose entry maps it, the
 * one a walk reaches: the parent's after a fault, the child's after fork;
 * verify catches one that names another table. */
static void test_rmap_names_leaf_table(void)
{
    struct machine *m = machine_with_written_page(0x103000);
    struct walk_result parent = machine_walk(m, machine_process(m, 1), 0x103000);
    CU_ASSERT_FATAL(parent.complete && pte_present(*parent.slot));
    uint32_t frame = pte_frame(*parent.slot);
    CU_ASSERT_EQUAL_FATAL(frames_at(&m->pool, frame)->nmaps, 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, frame)->maps[0].table, parent.table);
    struct op fork = {.kind = OP_FORK, .pid = 1, .child = 2};
    test_step_op(m, &fork);
    struct walk_result child = machine_walk(m, machine_process(m, 2), 0x103000);
    CU_ASSERT_FATAL(child.complete);
    CU_ASSERT_NOT_EQUAL(child.table, parent.table);
    const struct frame *f = frames_at(&m->pool, frame);
    CU_ASSERT_EQUAL_FATAL(f->nmaps, 2);
    CU_ASSERT_EQUAL(f->maps[0].table, parent.table);
    CU_ASSERT_EQUAL(f->maps[1].pid, 2);
    CU_ASSERT_EQUAL(f->maps[1].table, child.table);
    test_verify(m);
    frames_edit(&m->pool, frame)->maps[1].table = parent.table;
    char why[200];
    CU_ASSERT_FALSE(machine_verify(m, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "reverse map names a mapping"));
    frames_edit(&m->pool, frame)->maps[1].table = child.table;
    test_verify(m);
    machine_destroy(m);
}

/* machine_run_op takes a TLB miss whose walk finds the page at once, and
 * a miss that faults from the walk on: the same micro-steps, counters and
 * machine as stepping each. */
static void test_fast_walk_agrees(void)
{
    struct machine *slow = machine_with_written_page(0x102000);
    struct machine *fast = machine_clone(slow);
    const struct op ops[] = {
        {.kind = OP_ACCESS, .pid = 1, .va = 0x102010, .access = ACCESS_READ},  /* a hit */
        {.kind = OP_ACCESS, .pid = 1, .va = 0x104000, .access = ACCESS_WRITE}, /* a fault */
        {.kind = OP_ACCESS, .pid = 1, .va = 0x102020, .access = ACCESS_WRITE}, /* a miss */
    };
    /* The fault misses twice: before it, and when the access restarts. */
    const uint64_t misses_each[] = {0, 2, 1};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        struct op op = ops[i];
        op.future_index = UINT64_MAX;
        if (i == 2) {
            /* The translation leaves the TLB; its entries stay. */
            tlb_invalidate(&slow->tlb, machine_process(slow, 1)->asid, op.va);
            tlb_invalidate(&fast->tlb, machine_process(fast, 1)->asid, op.va);
        }
        uint64_t misses = fast->counters.tlb_misses;
        CU_ASSERT_EQUAL(machine_run_op(fast, &op), test_step_op(slow, &op));
        CU_ASSERT_EQUAL(machine_digest(fast), machine_digest(slow));
        CU_ASSERT(memcmp(&slow->counters, &fast->counters, sizeof slow->counters) == 0);
        CU_ASSERT_EQUAL(fast->steps, slow->steps);
        CU_ASSERT_EQUAL(fast->counters.tlb_misses, misses + misses_each[i]);
        CU_ASSERT_FALSE(machine_busy(fast));
    }
    /* The miss: BEGIN, TLB miss, four walk steps, the fill and DONE. */
    struct op again = ops[2];
    again.future_index = UINT64_MAX;
    tlb_invalidate(&fast->tlb, machine_process(fast, 1)->asid, again.va);
    CU_ASSERT_EQUAL(machine_run_op(fast, &again), 8);
    CU_ASSERT_EQUAL(fast->counters.faults, slow->counters.faults);
    test_verify(fast);
    machine_destroy(slow);
    machine_destroy(fast);
}

static void test_digest_ignores_storage(void)
{
    struct machine *m = test_machine("x86_64", 20000, 0, 20000, POLICY_clock);
    test_process(m, 1, 0x100000, 8 * 4096);
    test_access(m, 1, ACCESS_WRITE, 0x100000);
    uint64_t before = machine_digest(m), bytes = machine_bytes(m);
    CU_ASSERT_FATAL(frames_take_at(&m->pool, 17000, FRAME_ANON));
    CU_ASSERT(frame_list_append(&m->policy.lists[0], 17000, 1));
    CU_ASSERT_EQUAL(pagetable_create(&m->pt, &m->cfg.geo, 17000, 3), PAGETABLE_MADE);
    uint32_t slot = swap_take(&m->swap, 1, 0x999);
    CU_ASSERT_EQUAL(slot, 0);
    CU_ASSERT_NOT_EQUAL(machine_digest(m), before);
    swap_release(&m->swap, slot);
    pagetable_release(&m->pt, 17000);
    frame_list_remove(&m->policy.lists[0], 17000);
    frames_release(&m->pool, 17000);
    CU_ASSERT(machine_bytes(m) > bytes);
    CU_ASSERT_EQUAL(machine_digest(m), before);
    char why[200];
    if (!machine_verify(m, why, sizeof why))
        CU_FAIL(why);
    machine_destroy(m);
}

/* A table that would take the page tables past their cap is not made: the
 * machine stops as it does when the host refuses memory, at the same step
 * every time, with the limit named, and no event of the run says it. */
static void test_page_table_cap(void)
{
    for (int run = 0; run < 2; run++) {
        struct machine *m = test_machine("x86_64", 64, 0, 0, POLICY_fifo);
        /* The root and the three tables of a first access, exactly. */
        m->pt.max_bytes = 4 * 4096;
        test_process(m, 1, 0, UINT64_C(1) << 40);
        struct event ev = test_access(m, 1, ACCESS_WRITE, 0x1000);
        CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
        CU_ASSERT_PTR_NULL(machine_host_error(m));
        /* Another gigabyte needs two more tables. */
        struct op op = {.kind = OP_ACCESS, .pid = 1, .access = ACCESS_WRITE,
                        .va = UINT64_C(1) << 30, .future_index = UINT64_MAX};
        CU_ASSERT_FATAL(machine_begin(m, &op));
        enum event_kind seen[16];
        unsigned n = 0;
        bool more;
        do {
            more = machine_step(m, &ev);
            if (n < 16)
                seen[n++] = ev.kind;
        } while (more);
        /* The walk finds the PUD entry empty; the frame for a PMD table is
         * taken; making the table stops the machine. */
        static const enum event_kind expected[] = {
            EV_ACCESS_BEGIN, EV_TLB_MISS, EV_WALK_STEP, EV_WALK_STEP, EV_PAGE_FAULT,
            EV_FAULT_CLASSIFIED, EV_FRAME_ALLOC, EV_OP_FAILED};
        CU_ASSERT_EQUAL_FATAL(n, sizeof expected / sizeof expected[0]);
        for (unsigned i = 0; i < n; i++)
            CU_ASSERT_EQUAL(seen[i], expected[i]);
        CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
        CU_ASSERT_PTR_NOT_NULL_FATAL(machine_host_error(m));
        CU_ASSERT_PTR_NOT_NULL(strstr(ev.detail, "a limit of vmviz-scenario(5)"));
        CU_ASSERT_PTR_NOT_NULL(strstr(machine_host_error(m), "page tables"));
        CU_ASSERT_PTR_NULL(strstr(machine_host_error(m), "out of memory"));
        CU_ASSERT_EQUAL(m->counters.table_allocs, 4);
        CU_ASSERT_EQUAL(m->counters.oom_kills, 0);
        CU_ASSERT_FALSE(machine_begin(m, &op));
        machine_destroy(m);
    }
}

void suite_machine_register(void)
{
    CU_pSuite s = CU_add_suite("machine", NULL, NULL);
    CU_add_test(s, "seed program: +256 minor faults, then +0", test_seed_program);
    CU_add_test(s, "fault, restart and physical address", test_restart_and_physical_address);
    CU_add_test(s, "dirty victims to swap, back as major faults", test_swap_and_major_faults);
    CU_add_test(s, "processes never reach each other's frames", test_isolation);
    CU_add_test(s, "SIGSEGV: map and access errors", test_segfaults);
    CU_add_test(s, "munmap and exit release memory", test_munmap_and_exit);
    CU_add_test(s, "out of memory kills", test_out_of_memory);
    CU_add_test(s, "fast path and micro-steps agree", test_fast_path_agrees);
    CU_add_test(s, "clone, digest, determinism", test_clone_and_determinism);
    CU_add_test(s, "map a page to a chosen frame", test_map_frame);
    CU_add_test(s, "the declared maxima cost what is used", test_declared_maxima);
    CU_add_test(s, "digests ignore how storage was made", test_digest_ignores_storage);
    CU_add_test(s, "an access remembers its leaf entry", test_leaf_remembered);
    CU_add_test(s, "a reverse map names the table of each mapping", test_rmap_names_leaf_table);
    CU_add_test(s, "a fast walk and the stepper agree", test_fast_walk_agrees);
    CU_add_test(s, "clock's order over a large ring", test_clock_order);
    CU_add_test(s, "a shared area of 64 TiB costs what it holds", test_huge_shared_area);
    CU_add_test(s, "the cap on page-table memory stops the run", test_page_table_cap);
    CU_add_test(s, "rare micro-steps follow the phase table", test_rare_steps_follow_phase_table);
    CU_add_test(s, "verify finds orphan tables and stray mappings",
                test_verify_finds_orphans_and_stray_mappings);
}
