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
#define MAX_EVENTS 64

static struct event events[MAX_EVENTS];
static unsigned nevents;

static void verify(const struct machine *m)
{
    char why[256];
    if (!machine_verify(m, why, sizeof why)) {
        fprintf(stderr, "\n    machine_verify: %s\n", why);
        CU_FAIL("machine_verify");
    }
}

/* Steps an operation to its end, keeping its events; checks the machine. */
static struct event run_op(struct machine *m, const struct op *op)
{
    struct event ev;
    bool more;
    nevents = 0;
    CU_ASSERT_FATAL(machine_begin(m, op));
    do {
        more = machine_step(m, &ev);
        if (nevents < MAX_EVENTS)
            events[nevents++] = ev;
    } while (more);
    verify(m);
    return ev;
}

static struct event user_access(struct machine *m, enum access_kind a, uint64_t va)
{
    struct op op = {.kind = OP_ACCESS, .pid = 1, .access = a, .va = va,
                    .future_index = UINT64_MAX};
    return run_op(m, &op);
}

/* How many events of that kind the last operation produced. */
static unsigned count_of(enum event_kind kind)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nevents; i++)
        n += events[i].kind == kind;
    return n;
}

/* The first event of that kind of the last operation (OP_FAILED when
 * there was none). */
static struct event event_of(enum event_kind kind)
{
    for (unsigned i = 0; i < nevents; i++)
        if (events[i].kind == kind)
            return events[i];
    struct event none;
    event_init(&none, EV_OP_FAILED);
    return none;
}

/* True when the last operation's events are exactly these kinds. */
static bool sequence_is(const enum event_kind *kinds, unsigned n)
{
    if (nevents != n)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (events[i].kind != kinds[i])
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
            CU_ASSERT_EQUAL(events[1].fault_code, 0);
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
        CU_ASSERT_EQUAL(events[2].level, 0);
        CU_ASSERT_EQUAL(events[2].index, 256);
        CU_ASSERT_EQUAL(events[3].fault_code, hardware[a]);
        CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
        CU_ASSERT_EQUAL(ev.fault_code, reported[a]);
        CU_ASSERT_PTR_NOT_NULL(strstr(ev.detail, "not a user address"));
    }
    CU_ASSERT_EQUAL(events[0].vpn, UINT64_C(0xffff800000000000) >> 12);
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
    CU_ASSERT_EQUAL(count_of(EV_WALK_STEP), 1);
    ev = user_access(m, ACCESS_READ, UINT64_C(1) << 56);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_SI_KERNEL);
    CU_ASSERT_EQUAL(nevents, 3);
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
        CU_ASSERT_EQUAL(events[1].fault_code, 0x6);
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
    CU_ASSERT_EQUAL(nevents, 5);
    CU_ASSERT_EQUAL(events[2].index, 256);
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
    struct event ev = run_op(m, &mm);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    CU_ASSERT_STRING_EQUAL(ev.detail, "mmap of [0x7ffffffff000, 0x800000000000) reaches beyond "
                                      "user space, which ends at 0x7ffffffff000 (ENOMEM)");
    mm.va = UINT64_C(0x7fffffffe000);
    ev = run_op(m, &mm);
    CU_ASSERT_EQUAL(ev.kind, EV_MMAP);
    CU_ASSERT_EQUAL(ev.va, UINT64_C(0x7fffffffe000));
    ev = user_access(m, ACCESS_WRITE, UINT64_C(0x7fffffffe008));
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    ev = user_access(m, ACCESS_READ, UINT64_C(0x7ffffffff000));
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    CU_ASSERT_EQUAL(count_of(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(count_of(EV_WALK_STEP), 4);
    CU_ASSERT_EQUAL(event_of(EV_PAGE_FAULT).fault_code, 0x4);
    CU_ASSERT_EQUAL(ev.fault_code, 0x5);
    /* The kernel's own choice of address starts below the top, as
     * mmap_base does (TASK_SIZE minus a gap for the stack). */
    struct op pick = {.kind = OP_MMAP, .pid = 1, .va = UINT64_MAX, .size = PAGE,
                      .prot = PROT_R};
    strcpy(pick.name, "picked");
    ev = run_op(m, &pick);
    CU_ASSERT_EQUAL(ev.kind, EV_MMAP);
    CU_ASSERT_EQUAL(ev.va, UINT64_C(0x7ffff7fff000) - PAGE);
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
}
