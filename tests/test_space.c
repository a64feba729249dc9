/* The edges of the address space, as x86-64 Linux has them: non-canonical
 * addresses (a general-protection fault, not a page fault), the top of
 * user space (TASK_SIZE_MAX), and what each preset does instead. Every
 * test asserts the exact events, error codes and counters that
 * tests/linux/case-noncanonical.c, case-kernel-address.c and
 * case-task-size.c measure on the real kernel. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"
#include "vm_helpers.h"

#define PAGE UINT64_C(4096)

/* A user-mode access of pid 1. */
static struct event user_access(struct machine *m, enum access_kind a, uint64_t va)
{
    return test_run_access(m, 1, a, va);
}

/* True when the last operation's events are exactly these kinds. */
static bool sequence_is(const enum event_kind *kinds, unsigned n)
{
    if (test_nevents != n)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (test_events[i].kind != kinds[i])
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* non-canonical addresses                                            */

static void test_noncanonical_is_gp(void)
{
    struct machine *m = test_machine("x86_64", 32, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x400000, 0x1000);
    static const uint64_t addrs[] = {UINT64_C(0x800000000000), UINT64_C(0x1000000000000000),
                                     UINT64_C(0xffff7fffffffffff)};
    static const enum event_kind gp[] = {EV_ACCESS_BEGIN, EV_GP_FAULT, EV_SEGFAULT};
    for (unsigned i = 0; i < 3; i++)
        for (int a = ACCESS_READ; a <= ACCESS_EXEC; a++) {
            struct event ev = user_access(m, (enum access_kind)a, addrs[i]);
            CU_ASSERT(sequence_is(gp, 3));
            CU_ASSERT_EQUAL(test_events[1].fault_code, 0);
            CU_ASSERT_EQUAL(ev.fault_kind, FAULT_SI_KERNEL);
            CU_ASSERT_EQUAL(ev.fault_code, 0);
            CU_ASSERT_EQUAL(ev.va, addrs[i]);
        }
    /* Nine accesses, nine signals; no TLB lookup, no walk, no fault. */
    CU_ASSERT_EQUAL(m->counters.accesses, 9);
    CU_ASSERT_EQUAL(m->counters.segfaults, 9);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    CU_ASSERT_EQUAL(m->counters.minor_faults + m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->counters.tlb_hits + m->counters.tlb_misses, 0);
    CU_ASSERT_EQUAL(m->counters.page_walks, 0);
    CU_ASSERT_EQUAL(m->counters.table_allocs, 1);
    CU_ASSERT_STRING_EQUAL(fault_kind_name(FAULT_SI_KERNEL), "SI_KERNEL");
    machine_destroy(m);
}

/* 0xffff800000000000 is canonical: the CPU walks, finds PGD entry 256
 * empty and raises a page fault. The handler sees a kernel address and
 * reports the present bit set, as Linux's sanitize_error_code does. */
static void test_upper_half_walks(void)
{
    struct machine *m = test_machine("x86_64", 32, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x400000, 0x1000);
    static const enum event_kind walked[] = {EV_ACCESS_BEGIN, EV_TLB_MISS, EV_WALK_STEP,
                                             EV_PAGE_FAULT, EV_SEGFAULT};
    static const uint8_t hardware[] = {0x4, 0x6, 0x14}, reported[] = {0x5, 0x7, 0x15};
    for (int a = ACCESS_READ; a <= ACCESS_EXEC; a++) {
        struct event ev = user_access(m, (enum access_kind)a, UINT64_C(0xffff800000000000));
        CU_ASSERT(sequence_is(walked, 5));
        CU_ASSERT_EQUAL(test_events[2].level, 0);
        CU_ASSERT_EQUAL(test_events[2].index, 256);
        CU_ASSERT_EQUAL(test_events[3].fault_code, hardware[a]);
        CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
        CU_ASSERT_EQUAL(ev.fault_code, reported[a]);
        CU_ASSERT_PTR_NOT_NULL(strstr(ev.detail, "not a user address"));
    }
    CU_ASSERT_EQUAL(test_events[0].vpn, UINT64_C(0xffff800000000000) >> 12);
    CU_ASSERT_EQUAL(m->counters.segfaults, 3);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    CU_ASSERT_EQUAL(m->counters.page_walks, 3);
    machine_destroy(m);
}

/* With 5-level paging 0x800000000000 is an ordinary user address, and
 * the first non-canonical one is 2^56. */
static void test_five_level_rule(void)
{
    struct machine *m = test_machine("x86_64-5level", 32, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x400000, 0x1000);
    struct event ev = user_access(m, ACCESS_READ, UINT64_C(0x800000000000));
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    CU_ASSERT_EQUAL(ev.fault_code, 0x4);
    CU_ASSERT_EQUAL(test_seen(EV_WALK_STEP), 1);
    ev = user_access(m, ACCESS_READ, UINT64_C(1) << 56);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_SI_KERNEL);
    CU_ASSERT_EQUAL(test_nevents, 3);
    CU_ASSERT_EQUAL(m->counters.segfaults, 2);
    machine_destroy(m);
}

/* RISC-V Sv39: a non-canonical VA raises a page-fault exception (the
 * privileged spec) without a walk; Linux finds no VMA and sends
 * SEGV_MAPERR with the address (arch/riscv/mm/fault.c). i386 and the
 * classroom layout have no address beyond their width to sign-extend: vmviz
 * raises the same page fault there. */
static void test_page_fault_elsewhere(void)
{
    static const struct {
        const char *preset;
        uint64_t va;
    } cases[] = {
        {"riscv-sv39", UINT64_C(1) << 38},
        {"riscv-sv39", UINT64_C(0x8000000000000000)},
        {"i386", UINT64_C(0x100000000)},
        {"tiny", UINT64_C(1) << 14},
    };
    static const enum event_kind no_walk[] = {EV_ACCESS_BEGIN, EV_PAGE_FAULT, EV_SEGFAULT};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct machine *m = test_machine(cases[i].preset, 32, 0, 0, POLICY_fifo);
        test_process(m, 1, 0, 0);
        struct event ev = user_access(m, ACCESS_WRITE, cases[i].va);
        CU_ASSERT(sequence_is(no_walk, 3));
        CU_ASSERT_EQUAL(test_events[1].fault_code, 0x6);
        CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
        CU_ASSERT_EQUAL(ev.fault_code, 0x6);
        CU_ASSERT_EQUAL(m->counters.page_walks, 0);
        CU_ASSERT_EQUAL(m->counters.faults, 0);
        machine_destroy(m);
    }
    /* Sv39's upper half is canonical: the walk reads root entry 256. */
    struct machine *m = test_machine("riscv-sv39", 32, 0, 0, POLICY_fifo);
    test_process(m, 1, 0, 0);
    struct event ev = user_access(m, ACCESS_READ, UINT64_C(0xffffffc000000000));
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    CU_ASSERT_EQUAL(test_nevents, 5);
    CU_ASSERT_EQUAL(test_events[2].index, 256);
    /* No sanitizing outside x86: RISC-V reports no error code of this kind. */
    CU_ASSERT_EQUAL(ev.fault_code, 0x4);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* the top of user space                                              */

static void test_presets_know_their_edges(void)
{
    static const struct {
        const char *preset;
        uint64_t user_top, kernel_start, kernel_root_index;
    } cases[] = {
        {"x86_64", UINT64_C(0x7ffffffff000), UINT64_C(0xffff800000000000), 256},
        {"x86_64-5level", (UINT64_C(1) << 56) - PAGE, UINT64_C(0xff00000000000000), 256},
        {"i386", UINT64_C(0xC0000000), UINT64_C(0xC0000000), 768},
        {"riscv-sv39", UINT64_C(0x4000000000), UINT64_C(0xffffffc000000000), 256},
        {"tiny", UINT64_C(1) << 14, 0, 16},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct geometry g;
        CU_ASSERT_FATAL(geometry_preset(cases[i].preset, &g));
        CU_ASSERT_EQUAL(g.user_top, cases[i].user_top);
        CU_ASSERT_EQUAL(g.kernel_start, cases[i].kernel_start);
        CU_ASSERT_EQUAL(geometry_kernel_root_index(&g), cases[i].kernel_root_index);
    }
    struct geometry g;
    CU_ASSERT_FATAL(geometry_preset("x86_64", &g));
    CU_ASSERT(geometry_canonical(&g, UINT64_C(0x7fffffffffff)));
    CU_ASSERT_FALSE(geometry_canonical(&g, UINT64_C(0x800000000000)));
    CU_ASSERT_FALSE(geometry_canonical(&g, UINT64_C(0xffff7fffffffffff)));
    CU_ASSERT(geometry_canonical(&g, UINT64_C(0xffff800000000000)));
    CU_ASSERT(geometry_kernel_half(&g, UINT64_C(0xffffffff81000000)));
    CU_ASSERT_FALSE(geometry_kernel_half(&g, UINT64_C(0x7ffffffff000)));
    CU_ASSERT_EQUAL(geometry_sign_extend(&g, (UINT64_C(256) << 39)), UINT64_C(0xffff800000000000));
    CU_ASSERT_EQUAL(geometry_sign_extend(&g, UINT64_C(0x1000)), UINT64_C(0x1000));
    CU_ASSERT(geometry_gp_on_noncanonical(&g));
    CU_ASSERT_FATAL(geometry_preset("riscv-sv39", &g));
    CU_ASSERT_FALSE(geometry_gp_on_noncanonical(&g));
    CU_ASSERT_FATAL(geometry_preset("i386", &g));
    CU_ASSERT_FALSE(geometry_gp_on_noncanonical(&g));
    CU_ASSERT(geometry_canonical(&g, UINT64_C(0xffffffff)));
    CU_ASSERT_FALSE(geometry_canonical(&g, UINT64_C(0x100000000)));
}

/* mmap(MAP_FIXED_NOREPLACE) of one page at 0x7ffffffff000 fails with
 * ENOMEM, at 0x7fffffffe000 it is granted (case-task-size.c). An access to
 * the guard page is an access to kernel space: SEGV_MAPERR, 0x5. */
static void test_task_size_max(void)
{
    struct machine *m = test_machine("x86_64", 32, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x400000, 0x1000);
    char why[200];
    struct area top = {.start = UINT64_C(0x7ffffffff000), .end = UINT64_C(0x800000000000),
                       .prot = PROT_R | PROT_W, .kind = AREA_ANON, .object = VM_NO_OBJECT};
    strcpy(top.name, "top");
    CU_ASSERT_FALSE(machine_add_area(m, 1, &top, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "area 'top' ends at 0x800000000000, beyond user space, which "
                                "mmap refuses with ENOMEM (expected an end at most "
                                "0x7ffffffff000, TASK_SIZE_MAX)");
    struct op mm = {.kind = OP_MMAP, .pid = 1, .va = UINT64_C(0x7ffffffff000), .size = PAGE,
                    .prot = PROT_R | PROT_W};
    strcpy(mm.name, "last");
    struct event ev = test_run_op(m, &mm);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    CU_ASSERT_STRING_EQUAL(ev.detail, "mmap of [0x7ffffffff000, 0x800000000000) reaches beyond "
                                      "user space, which ends at 0x7ffffffff000 (ENOMEM)");
    mm.va = UINT64_C(0x7fffffffe000);
    ev = test_run_op(m, &mm);
    CU_ASSERT_EQUAL(ev.kind, EV_MMAP);
    CU_ASSERT_EQUAL(ev.va, UINT64_C(0x7fffffffe000));
    ev = user_access(m, ACCESS_WRITE, UINT64_C(0x7fffffffe008));
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    ev = user_access(m, ACCESS_READ, UINT64_C(0x7ffffffff000));
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(test_seen(EV_WALK_STEP), 4);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code, 0x4);
    CU_ASSERT_EQUAL(ev.fault_code, 0x5);
    /* The kernel's own choice of address starts below the top, as
     * mmap_base does (TASK_SIZE minus a gap for the stack). */
    struct op pick = {.kind = OP_MMAP, .pid = 1, .va = UINT64_MAX, .size = PAGE,
                      .prot = PROT_R};
    strcpy(pick.name, "picked");
    ev = test_run_op(m, &pick);
    CU_ASSERT_EQUAL(ev.kind, EV_MMAP);
    CU_ASSERT_EQUAL(ev.va, UINT64_C(0x7ffff7fff000) - PAGE);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* the kernel half                                                    */

#define KTEXT UINT64_C(0xffffffff81000000)
#define KDATA UINT64_C(0xffffffff82000000)

static void add_kernel(struct machine *m, const char *name, uint64_t start, uint64_t pages,
                       uint8_t prot)
{
    char why[200];
    struct area a = {.start = start, .end = start + pages * PAGE, .prot = prot};
    snprintf(a.name, sizeof a.name, "%s", name);
    bool added = machine_add_kernel_area(m, &a, why, sizeof why);
    if (!added)
        fprintf(stderr, "\n    machine_add_kernel_area: %s\n", why);
    CU_ASSERT_FATAL(added);
}

static struct event kernel_access(struct machine *m, uint32_t pid, enum access_kind a,
                                  uint64_t va)
{
    struct op op = {.kind = OP_ACCESS, .pid = pid, .access = a, .va = va,
                    .future_index = UINT64_MAX, .kernel_mode = true};
    return test_run_op(m, &op);
}

/* x86_64 with text (r-x, 2 pages) and data (rw-, 2 pages) in the kernel
 * half, then two processes. Frames go lowest first: the kernel's root 0,
 * its PUD 1, PMD 2, text's PTE table 3 and pages 4-5, data's PTE table 6
 * and pages 7-8; the processes' roots 9 and 10. */
static struct machine *kernel_machine(uint32_t frames, bool asid)
{
    struct machine_config c;
    machine_config_default(&c);
    c.frames = frames;
    c.swap_slots = 0;
    c.tlb_asid = asid;
    c.policy = POLICY_lru;
    char why[200];
    struct machine *m = machine_create(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    add_kernel(m, "text", KTEXT, 2, PROT_R | PROT_X);
    add_kernel(m, "data", KDATA, 2, PROT_R | PROT_W);
    CU_ASSERT_EQUAL_FATAL(m->nkernel_areas, 2);
    test_process(m, 1, 0x400000, 4 * PAGE);
    test_process(m, 2, 0x400000, 4 * PAGE);
    test_verify(m);
    return m;
}

static void test_kernel_tables_are_shared(void)
{
    struct machine *m = kernel_machine(64, true);
    CU_ASSERT_EQUAL(m->kernel_root, 0);
    static const struct {
        uint32_t frame;
        enum frame_kind kind;
        int level;
    } layout[] = {{0, FRAME_TABLE, 0}, {1, FRAME_TABLE, 1}, {2, FRAME_TABLE, 2},
                  {3, FRAME_TABLE, 3}, {4, FRAME_KERNEL, -1}, {5, FRAME_KERNEL, -1},
                  {6, FRAME_TABLE, 3}, {7, FRAME_KERNEL, -1}, {8, FRAME_KERNEL, -1}};
    for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) {
        const struct frame *f = frames_at(&m->pool, layout[i].frame);
        CU_ASSERT_EQUAL(f->kind, layout[i].kind);
        CU_ASSERT_EQUAL(f->owner_pid, VM_KERNEL_PID);
        CU_ASSERT_EQUAL(f->table_level, layout[i].level);
    }
    CU_ASSERT_EQUAL(frames_at(&m->pool, 5)->object_page, (KTEXT >> 12) + 1);
    CU_ASSERT_EQUAL(machine_process(m, 1)->root, 9);
    CU_ASSERT_EQUAL(machine_process(m, 2)->root, 10);
    /* Five kernel tables and two roots. */
    CU_ASSERT_EQUAL(m->counters.table_allocs, 7);
    CU_ASSERT_EQUAL(m->pool.free_data, 64 - 11);
    /* Both roots hold the kernel root's entry 511 (_KERNPG_TABLE: P W A D,
     * no U), pointing at the one PUD; entries 256-510 are empty. */
    const uint64_t *kroot = pagetable_at(&m->pt, 0);
    CU_ASSERT_EQUAL(kroot[511], pte_make(1, PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED |
                                                 PTE_DIRTY));
    for (uint32_t root = 9; root <= 10; root++) {
        const uint64_t *e = pagetable_at(&m->pt, root);
        CU_ASSERT_EQUAL(e[511], kroot[511]);
        CU_ASSERT_EQUAL(e[256], 0);
    }
    /* Leaf entries: PAGE_KERNEL_RX for text, PAGE_KERNEL for data. */
    CU_ASSERT_EQUAL(test_leaf(m, 1, KTEXT), pte_make(4, PTE_PRESENT | PTE_ACCESSED | PTE_GLOBAL));
    CU_ASSERT_EQUAL(test_leaf(m, 2, KDATA + PAGE),
                    pte_make(8, PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED | PTE_DIRTY |
                                    PTE_GLOBAL | PTE_NX));
    CU_ASSERT_PTR_NOT_NULL(machine_kernel_area(m, KDATA + 5));
    CU_ASSERT_PTR_NULL(machine_kernel_area(m, KDATA + 2 * PAGE));
    machine_destroy(m);
}

static void test_kernel_mode_access(void)
{
    struct machine *m = kernel_machine(64, false);
    static const enum event_kind walked[] = {EV_ACCESS_BEGIN, EV_TLB_MISS, EV_WALK_STEP,
                                             EV_WALK_STEP, EV_WALK_STEP, EV_WALK_STEP,
                                             EV_TLB_FILL, EV_ACCESS_DONE};
    struct event ev = kernel_access(m, 1, ACCESS_WRITE, KDATA + 0x18);
    CU_ASSERT(sequence_is(walked, 8));
    CU_ASSERT(test_events[0].kernel);
    CU_ASSERT_EQUAL(test_events[2].frame, 9);  /* pid 1's root */
    CU_ASSERT_EQUAL(test_events[2].index, 511);
    CU_ASSERT_EQUAL(test_events[3].frame, 1);  /* the kernel's PUD */
    CU_ASSERT_EQUAL(test_events[5].frame, 6);  /* data's PTE table */
    CU_ASSERT_EQUAL(ev.frame, 7);
    CU_ASSERT_EQUAL(ev.pa, 7 * PAGE + 0x18);
    const struct tlb_entry *t = &m->tlb.entries[test_events[6].index * m->tlb.ways + test_events[6].way];
    CU_ASSERT(t->valid && t->global && !t->user && t->writable);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    CU_ASSERT_EQUAL(m->counters.page_walks, 1);
    /* A switch without ASIDs flushes every non-global entry: the kernel's
     * stays and serves pid 2's system call. */
    test_access(m, 1, ACCESS_WRITE, 0x400000);
    struct op sw = {.kind = OP_SWITCH, .pid = 2};
    test_run_op(m, &sw);
    CU_ASSERT_EQUAL(test_first(EV_TLB_FLUSH).kind, EV_TLB_FLUSH);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 1);
    static const enum event_kind hit[] = {EV_ACCESS_BEGIN, EV_TLB_HIT, EV_ACCESS_DONE};
    ev = kernel_access(m, 2, ACCESS_READ, KDATA + 0x20);
    CU_ASSERT(sequence_is(hit, 3));
    CU_ASSERT_EQUAL(ev.pa, 7 * PAGE + 0x20);
    /* The kernel's frames never reach the replacement policy. */
    uint32_t order[64];
    size_t first_len;
    size_t n = machine_policy_order(m, order, 64, &first_len);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_NOT_EQUAL(frames_at(&m->pool, order[i])->kind, FRAME_KERNEL);
    machine_destroy(m);
}

/* A user-mode access to the kernel half: the walk reaches a present leaf
 * with U clear (0x5, 0x7, 0x15), or an empty entry (0x4); either way
 * do_kern_addr_fault sends SEGV_MAPERR, reporting the present bit. */
static void test_user_access_to_kernel(void)
{
    struct machine *m = kernel_machine(64, true);
    static const uint8_t codes[] = {0x5, 0x7, 0x15};
    for (int a = ACCESS_READ; a <= ACCESS_EXEC; a++) {
        struct event ev = user_access(m, (enum access_kind)a, KTEXT + 0x40);
        CU_ASSERT_EQUAL(test_seen(EV_WALK_STEP), 4);
        CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code, codes[a]);
        CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
        CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
        CU_ASSERT_EQUAL(ev.fault_code, codes[a]);
        CU_ASSERT_EQUAL(ev.va, KTEXT + 0x40);
    }
    /* Unmapped, in the kernel half: PMD entry 24 is empty. */
    struct event ev = user_access(m, ACCESS_WRITE, UINT64_C(0xffffffff83000000));
    CU_ASSERT_EQUAL(test_seen(EV_WALK_STEP), 3);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code, 0x6);
    CU_ASSERT_EQUAL(ev.fault_code, 0x7);
    /* A kernel entry in the TLB is refused to user mode too: the lookup
     * hits, the U/S bit faults, the entry is dropped. */
    kernel_access(m, 1, ACCESS_READ, KDATA);
    ev = user_access(m, ACCESS_READ, KDATA + 8);
    static const enum event_kind refused[] = {EV_ACCESS_BEGIN, EV_TLB_HIT, EV_PAGE_FAULT,
                                              EV_SEGFAULT};
    CU_ASSERT(sequence_is(refused, 4));
    CU_ASSERT_EQUAL(test_events[2].fault_code, 0x5);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 0);
    CU_ASSERT_EQUAL(m->counters.segfaults, 5);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    /* The engine refuses what the loader never lets through: a
     * kernel-mode access outside the kernel half. */
    ev = kernel_access(m, 1, ACCESS_READ, 0x400000);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    CU_ASSERT_EQUAL(test_nevents, 1);
    machine_destroy(m);
}

/* exit, fork and the OOM killer leave the kernel's tables and frames
 * alone; a new process gets the kernel half too. */
static void test_kernel_survives_processes(void)
{
    struct machine *m = kernel_machine(24, true);
    kernel_access(m, 1, ACCESS_READ, KTEXT);
    for (uint64_t i = 0; i < 4; i++)
        test_access(m, 1, ACCESS_WRITE, 0x400000 + i * PAGE);
    /* pid 1: PUD, PMD, PTE tables and 4 pages. */
    CU_ASSERT_EQUAL(m->pool.free_data, 24 - 11 - 7);
    struct op fork = {.kind = OP_FORK, .pid = 1, .child = 3};
    test_run_op(m, &fork);
    const struct process *child = machine_process(m, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(child);
    CU_ASSERT_EQUAL(pagetable_at(&m->pt, child->root)[511], pagetable_at(&m->pt, 0)[511]);
    /* fork drops the parent's user translations, not the kernel's. */
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 1);
    struct op exit1 = {.kind = OP_EXIT, .pid = 1};
    test_run_op(m, &exit1);
    struct op exit3 = {.kind = OP_EXIT, .pid = 3};
    test_run_op(m, &exit3);
    for (uint32_t f = 0; f <= 8; f++)
        CU_ASSERT_NOT_EQUAL(frames_at(&m->pool, f)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(m->pool.free_data, 24 - 10);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 1);
    /* A process made now shares the kernel half as well. */
    char why[200];
    CU_ASSERT_FATAL(machine_add_process(m, 4, "late", 0, why, sizeof why));
    struct event ev = kernel_access(m, 4, ACCESS_EXEC, KTEXT + PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.frame, 5);
    /* pid 2 grows until the OOM killer ends it (no swap): the kernel's
     * frames are never victims, and its tables survive the kill. */
    uint64_t taken = 0;
    for (uint64_t i = 0; i < 4; i++) {
        ev = test_run_access(m, 2, ACCESS_WRITE, 0x400000 + i * PAGE);
        taken += ev.kind == EV_ACCESS_DONE;
    }
    CU_ASSERT_EQUAL(taken, 4);
    struct area big = {.start = 0x10000000, .end = 0x10000000 + 64 * PAGE,
                       .prot = PROT_R | PROT_W, .kind = AREA_ANON, .object = VM_NO_OBJECT};
    strcpy(big.name, "big");
    CU_ASSERT_FATAL(machine_add_area(m, 2, &big, why, sizeof why));
    unsigned kills = 0;
    for (uint64_t i = 0; i < 64 && machine_process(m, 2)->alive; i++) {
        test_run_access(m, 2, ACCESS_WRITE, big.start + i * PAGE);
        kills += test_seen(EV_OOM_KILL);
        for (unsigned k = 0; k < test_nevents; k++)
            if (test_events[k].kind == EV_VICTIM_CHOSEN)
                CU_ASSERT_NOT_EQUAL(frames_at(&m->pool, test_events[k].victim)->kind, FRAME_KERNEL);
    }
    CU_ASSERT_EQUAL(kills, 1);
    CU_ASSERT_FALSE(machine_process(m, 2)->alive);
    for (uint32_t f = 0; f <= 8; f++)
        CU_ASSERT_EQUAL(frames_at(&m->pool, f)->owner_pid, VM_KERNEL_PID);
    ev = kernel_access(m, 4, ACCESS_WRITE, KDATA);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.frame, 7);
    machine_destroy(m);
}

static void test_kernel_area_refusals(void)
{
    char why[300];
    struct machine *tiny = test_machine("tiny", 64, 0, 0, POLICY_fifo);
    struct area a = {.start = 0x1000, .end = 0x1040, .prot = PROT_R};
    strcpy(a.name, "k");
    CU_ASSERT_FALSE(machine_add_kernel_area(tiny, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "the tiny layout has no kernel half (expected a preset with "
                                "one: x86_64, x86_64-5level, i386 or riscv-sv39)");
    machine_destroy(tiny);
    struct machine *m = test_machine("x86_64", 8, 0, 0, POLICY_fifo);
    a = (struct area){.start = 0x7fff00000000, .end = 0x7fff00001000, .prot = PROT_R};
    strcpy(a.name, "low");
    CU_ASSERT_FALSE(machine_add_kernel_area(m, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "kernel area 'low' [0x7fff00000000, 0x7fff00001000) is not in "
                                "the kernel half (expected canonical addresses from "
                                "0xffff800000000000 up)");
    a = (struct area){.start = KDATA, .end = KDATA + PAGE, .prot = PROT_W};
    strcpy(a.name, "wo");
    CU_ASSERT_FALSE(machine_add_kernel_area(m, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "kernel area 'wo' cannot be read (expected a protection with "
                                "r: a present x86 page can always be read)");
    a = (struct area){.start = UINT64_C(0xfffffffffffff000), .end = 0, .prot = PROT_R};
    strcpy(a.name, "top");
    CU_ASSERT_FALSE(machine_add_kernel_area(m, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "kernel area 'top' at 0xfffffffffffff000 runs past the top of "
                                "the address space (expected it to end below 2^64)");
    /* 8 frames: the root, PUD, PMD, PTE and 4 pages fit; 5 pages do not,
     * and a refusal takes nothing. */
    a = (struct area){.start = KDATA, .end = KDATA + 5 * PAGE, .prot = PROT_R};
    strcpy(a.name, "big");
    CU_ASSERT_FALSE(machine_add_kernel_area(m, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "kernel area 'big' needs 5 frames for its pages and 4 for its "
                                "tables, taken when the machine is built (expected more frames: 8 are "
                                "free)");
    CU_ASSERT_EQUAL(m->pool.free_data, 8);
    CU_ASSERT_EQUAL(m->kernel_root, VM_NO_FRAME);
    a.end = KDATA + 4 * PAGE;
    CU_ASSERT_FATAL(machine_add_kernel_area(m, &a, why, sizeof why));
    CU_ASSERT_EQUAL(m->pool.free_data, 0);
    a = (struct area){.start = KDATA + PAGE, .end = KDATA + 2 * PAGE, .prot = PROT_R};
    strcpy(a.name, "inside");
    CU_ASSERT_FALSE(machine_add_kernel_area(m, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "kernel area 'inside' overlaps kernel area 'big' "
                                "[0xffffffff82000000, 0xffffffff82004000) (expected kernel areas "
                                "that do not overlap)");
    test_verify(m);
    machine_destroy(m);
}

/* A process that exists before a kernel area is added gets its root
 * entries too; i386's kernel half starts at page directory entry 768. */
static void test_kernel_half_elsewhere(void)
{
    struct machine *m = test_machine("i386", 32, 0, 0, POLICY_fifo);
    test_process(m, 1, 0x8048000, PAGE);
    add_kernel(m, "lowmem", UINT64_C(0xC0000000), 2, PROT_R | PROT_W);
    const uint64_t *root = pagetable_at(&m->pt, machine_process(m, 1)->root);
    CU_ASSERT_EQUAL(root[768], pagetable_at(&m->pt, m->kernel_root)[768]);
    CU_ASSERT(pte_present(root[768]));
    test_verify(m);
    struct event ev = kernel_access(m, 1, ACCESS_WRITE, UINT64_C(0xC0001004));
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_WALK_STEP), 2);
    ev = user_access(m, ACCESS_READ, UINT64_C(0xC0001004));
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    CU_ASSERT_EQUAL(ev.fault_code, 0x5);
    machine_destroy(m);
    /* Sv39: root entry 256 and up; no sanitized error code. */
    m = test_machine("riscv-sv39", 32, 0, 0, POLICY_fifo);
    add_kernel(m, "kernel", UINT64_C(0xffffffff80000000), 1, PROT_R | PROT_X);
    test_process(m, 1, 0x10000, PAGE);
    ev = user_access(m, ACCESS_WRITE, UINT64_C(0xffffffff80000000));
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code, 0x7);
    CU_ASSERT_EQUAL(ev.fault_code, 0x7);
    CU_ASSERT_EQUAL(test_events[2].index, 510);
    machine_destroy(m);
}

void suite_space_register(void)
{
    CU_pSuite s = CU_add_suite("space", NULL, NULL);
    CU_add_test(s, "x86-64: a non-canonical address raises #GP, then SI_KERNEL",
                test_noncanonical_is_gp);
    CU_add_test(s, "x86-64: the canonical upper half is walked", test_upper_half_walks);
    CU_add_test(s, "5-level paging moves the canonical boundary", test_five_level_rule);
    CU_add_test(s, "RISC-V, i386, tiny: a page fault without a walk",
                test_page_fault_elsewhere);
    CU_add_test(s, "every preset knows its user space and kernel half",
                test_presets_know_their_edges);
    CU_add_test(s, "user space ends at TASK_SIZE_MAX", test_task_size_max);
    CU_add_test(s, "kernel areas: tables built once, shared by every root",
                test_kernel_tables_are_shared);
    CU_add_test(s, "kernel mode: a walk, a global TLB entry that survives a flush",
                test_kernel_mode_access);
    CU_add_test(s, "user mode on kernel memory: 0x5/0x7/0x15 or 0x4, SEGV_MAPERR",
                test_user_access_to_kernel);
    CU_add_test(s, "fork, exit and the OOM killer leave the kernel alone",
                test_kernel_survives_processes);
    CU_add_test(s, "kernel areas refused with their reasons", test_kernel_area_refusals);
    CU_add_test(s, "i386 and Sv39 have a kernel half too", test_kernel_half_elsewhere);
}
