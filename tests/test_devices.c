/* Devices: memory at frames beyond RAM, mapped whole at mmap time as a
 * driver's remap_pfn_range does. Every test asserts the exact entries,
 * events and counters: the mmap writes every entry (special, never
 * resident), accesses never fault, fork copies the entries, mprotect
 * rewrites them, munmap and exit clear them, and reclaim never sees the
 * device's frames. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"
#include "vm_helpers.h"

#define PAGE UINT64_C(4096)

#define FB UINT64_C(0x20000000)

/* x86_64, 16 frames, a 4-page device "fb" right after RAM (frames 16-19),
 * pid 1 with its root in frame 0 and a 16-page heap at 0x10000000. */
static struct machine *device_machine(uint32_t frames, uint32_t swap)
{
    struct machine *m = test_machine("x86_64", frames, 0, swap, POLICY_lru);
    char why[200];
    CU_ASSERT_EQUAL(machine_next_device_frame(m), frames);
    CU_ASSERT_FATAL(machine_add_device(m, "fb", frames, 4, why, sizeof why));
    test_process(m, 1, 0x10000000, 16 * PAGE);
    return m;
}

static struct event mmap_device(struct machine *m, uint32_t pid, uint64_t va, uint64_t pages,
                                uint64_t offset, uint8_t prot)
{
    struct op op = {.kind = OP_MMAP, .pid = pid, .va = va, .size = pages * PAGE,
                    .prot = prot, .device = 1, .offset = offset};
    strcpy(op.name, "screen");
    return test_run_op(m, &op);
}

static void test_mapped_whole_at_mmap(void)
{
    struct machine *m = device_machine(16, 0);
    struct event ev = mmap_device(m, 1, FB, 3, PAGE, PROT_R | PROT_W);
    CU_ASSERT_EQUAL(test_nevents, 1);
    CU_ASSERT_EQUAL(ev.kind, EV_MMAP);
    CU_ASSERT_EQUAL(ev.frame, 17);
    CU_ASSERT_STRING_EQUAL(ev.detail, "screen rw-, device 'fb' frames 17-19; 3 entries "
                                      "written, 3 new tables");
    /* The root, then PUD, PMD and PTE tables in frames 1-3: no frame for
     * any page. */
    CU_ASSERT_EQUAL(m->counters.table_allocs, 4);
    CU_ASSERT_EQUAL(m->pool.free_data, 16 - 4);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    for (uint64_t i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(test_leaf(m, 1, FB + i * PAGE),
                        pte_make(17 + (uint32_t)i, PTE_PRESENT | PTE_WRITABLE | PTE_USER |
                                                       PTE_ACCESSED | PTE_SPECIAL | PTE_NX));
    const struct process *p = machine_process(m, 1);
    CU_ASSERT_EQUAL(p->resident, 0);
    uint64_t res, swp;
    machine_area_pages(m, p, process_find_area(p, FB), &res, &swp);
    CU_ASSERT_EQUAL(res, 0);
    CU_ASSERT_EQUAL(swp, 0);
    /* A write: walk, fill, done; Dirty set in the entry, no fault. */
    static const enum event_kind walked[] = {EV_ACCESS_BEGIN, EV_TLB_MISS, EV_WALK_STEP,
                                             EV_WALK_STEP, EV_WALK_STEP, EV_WALK_STEP,
                                             EV_TLB_FILL, EV_ACCESS_DONE};
    ev = test_run_access(m, 1, ACCESS_WRITE, FB + PAGE + 0x40);
    CU_ASSERT_EQUAL_FATAL(test_nevents, 8);
    for (unsigned i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(test_events[i].kind, walked[i]);
    CU_ASSERT_EQUAL(ev.frame, 18);
    CU_ASSERT_EQUAL(ev.pa, 18 * PAGE + 0x40);
    CU_ASSERT(test_leaf(m, 1, FB + PAGE) & PTE_DIRTY);
    CU_ASSERT_PTR_NOT_NULL(machine_device_at(m, 18));
    CU_ASSERT_PTR_NULL(machine_device_at(m, 15));
    CU_ASSERT_PTR_NULL(machine_device_at(m, 20));
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    machine_destroy(m);
}

/* fork copies the entries; mprotect rewrites them; PROT_NONE refuses;
 * munmap and exit clear them and free nothing but tables. */
static void test_fork_mprotect_munmap(void)
{
    struct machine *m = device_machine(16, 0);
    mmap_device(m, 1, FB, 2, 0, PROT_R | PROT_W);
    struct op fork = {.kind = OP_FORK, .pid = 1, .child = 2};
    struct event ev = test_run_op(m, &fork);
    CU_ASSERT_EQUAL(ev.kind, EV_FORK);
    CU_ASSERT_STRING_EQUAL(ev.detail, "pid 2 (test) is born sharing 0 pages, 0 made read-only "
                                      "for copy-on-write; 1 area left empty; 2 device entries "
                                      "copied");
    /* The child's copy is old: Accessed clear, all else the same. */
    CU_ASSERT_EQUAL(test_leaf(m, 2, FB), test_leaf(m, 1, FB) & ~PTE_ACCESSED);
    CU_ASSERT(test_leaf(m, 2, FB) & PTE_WRITABLE);
    ev = test_run_access(m, 2, ACCESS_WRITE, FB + PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.frame, 17);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    /* Read-only: a write is SEGV_ACCERR; back to rw-, Writable at once. */
    struct op ro = {.kind = OP_MPROTECT, .pid = 1, .va = FB, .size = 2 * PAGE, .prot = PROT_R};
    test_run_op(m, &ro);
    CU_ASSERT_FALSE(test_leaf(m, 1, FB) & PTE_WRITABLE);
    ev = test_run_access(m, 1, ACCESS_WRITE, FB);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    struct op rw = ro;
    rw.prot = PROT_R | PROT_W;
    test_run_op(m, &rw);
    ev = test_run_access(m, 1, ACCESS_WRITE, FB);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    struct op none = ro;
    none.prot = 0;
    test_run_op(m, &none);
    CU_ASSERT(pte_special(test_leaf(m, 1, FB)) && !pte_present(test_leaf(m, 1, FB)));
    ev = test_run_access(m, 1, ACCESS_READ, FB);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    uint32_t free_before = m->pool.free_data;
    struct op unmap = {.kind = OP_MUNMAP, .pid = 1, .va = FB, .size = 2 * PAGE};
    test_run_op(m, &unmap);
    CU_ASSERT_EQUAL(test_leaf(m, 1, FB), 0);
    CU_ASSERT_EQUAL(m->pool.free_data, free_before);
    struct op exit2 = {.kind = OP_EXIT, .pid = 2};
    test_run_op(m, &exit2);
    /* pid 2's root and its three tables are free again. */
    CU_ASSERT_EQUAL(m->pool.free_data, free_before + 4);
    machine_destroy(m);
}

/* Reclaim under pressure evicts the heap, never the device; an mmap whose
 * tables do not fit fails and leaves nothing behind. */
static void test_pressure_and_enomem(void)
{
    struct machine *m = device_machine(8, 32);
    mmap_device(m, 1, FB, 4, 0, PROT_R | PROT_W);
    for (uint64_t i = 0; i < 16; i++) {
        test_run_access(m, 1, ACCESS_WRITE, 0x10000000 + i * PAGE);
        for (unsigned k = 0; k < test_nevents; k++)
            if (test_events[k].kind == EV_VICTIM_CHOSEN)
                CU_ASSERT(test_events[k].victim < 8);
    }
    CU_ASSERT(m->counters.evictions > 0);
    for (uint64_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(pte_frame(test_leaf(m, 1, FB + i * PAGE)), 8 + i);
    struct event ev = test_run_access(m, 1, ACCESS_READ, FB + 3 * PAGE);
    CU_ASSERT_EQUAL(ev.frame, 11);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 0);
    machine_destroy(m);

    /* 5 frames: the root, the heap's three tables and its page leave none
     * for the tables of a device mapped far away. */
    m = test_machine("x86_64", 5, 0, 0, POLICY_lru);
    char why[200];
    CU_ASSERT_FATAL(machine_add_device(m, "fb", 5, 4, why, sizeof why));
    test_process(m, 1, 0x10000000, PAGE);
    test_run_access(m, 1, ACCESS_WRITE, 0x10000000);
    CU_ASSERT_EQUAL(m->pool.free_data, 0);
    ev = mmap_device(m, 1, FB, 1, 0, PROT_R);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    /* The heap's PUD and PMD serve 0x20000000 too: one PTE table. */
    CU_ASSERT_STRING_EQUAL(ev.detail, "mapping device 'fb' needs 1 frame for page tables, and 0 "
                                      "are free (ENOMEM)");
    CU_ASSERT_PTR_NULL(process_find_area(machine_process(m, 1), FB));
    machine_destroy(m);
}

static void test_device_refusals(void)
{
    char why[300];
    struct machine *m = test_machine("x86_64", 16, 0, 0, POLICY_fifo);
    CU_ASSERT_FALSE(machine_add_device(m, "low", 15, 2, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "device 'low' at frames 15 to 16 is not beyond RAM and the "
                                "devices before it (expected pages from frame 16 up, below "
                                "frame 4294967295)");
    CU_ASSERT_FATAL(machine_add_device(m, "fb", 32, 4, why, sizeof why));
    CU_ASSERT_EQUAL(machine_next_device_frame(m), 36);
    CU_ASSERT_FALSE(machine_add_device(m, "fb", 40, 1, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "device name 'fb' is taken (expected a new name of at most 31 "
                                "bytes)");
    CU_ASSERT_FALSE(machine_add_device(m, "regs", 34, 1, why, sizeof why));
    CU_ASSERT_FALSE(machine_add_device(m, "none", 40, 0, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(machine_device_named(m, "fb"));
    /* A declared area maps its device before the run; a private one is
     * refused, and so is one past the device's end. */
    test_process(m, 1, 0, 0);
    struct area a = {.start = FB, .end = FB + 2 * PAGE, .prot = PROT_R | PROT_W,
                     .kind = AREA_DEVICE, .device = 0, .shared = true, .file_offset = 2 * PAGE};
    strcpy(a.name, "fbmem");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &a, why, sizeof why));
    CU_ASSERT_EQUAL(pte_frame(test_leaf(m, 1, FB)), 34);
    test_verify(m);
    a.start = 0x30000000;
    a.end = a.start + 3 * PAGE;
    CU_ASSERT_FALSE(machine_add_area(m, 1, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "area 'fbmem' at offset 0x2000 maps beyond the end of device "
                                "'fb' (expected a page-aligned offset and at most 4 pages "
                                "from it)");
    a.end = a.start + PAGE;
    a.shared = false;
    CU_ASSERT_FALSE(machine_add_area(m, 1, &a, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "area 'fbmem' maps device 'fb' privately (expected a shared "
                                "mapping of ordinary pages: a driver's mmap maps its device "
                                "MAP_SHARED)");
    test_verify(m);
    machine_destroy(m);
}

void suite_devices_register(void)
{
    CU_pSuite s = CU_add_suite("devices", NULL, NULL);
    CU_add_test(s, "a device is mapped whole at mmap and never faults",
                test_mapped_whole_at_mmap);
    CU_add_test(s, "fork copies device entries; mprotect, munmap and exit",
                test_fork_mprotect_munmap);
    CU_add_test(s, "reclaim never sees a device; mmap without table frames fails",
                test_pressure_and_enomem);
    CU_add_test(s, "devices and device areas refused with their reasons", test_device_refusals);
}
