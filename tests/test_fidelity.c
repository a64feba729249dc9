/* Fidelity: the engine against the Linux and x86-64 behaviour it models.
 * vmviz(1), SIMPLIFICATIONS, says where it stops modelling them, and
 * tests/linux/ measures the same programs on the real kernel. Every test
 * asserts exact counts, frames and list contents that a wrong engine would
 * miss. Frames are handed out lowest first, which makes each number below
 * predictable by hand. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"
#include "vm_helpers.h"

#define PAGE UINT64_C(4096)
#define MiB (UINT64_C(1) << 20)

/* ------------------------------------------------------------------ */
/* helpers                                                              */

/* Gives pid 1 a private rw- area that asks for huge pages. */
static void add_huge_area(struct machine *m, uint64_t base, uint64_t size)
{
    char why[200];
    struct area h = {.start = base, .end = base + size, .prot = PROT_R | PROT_W,
                     .kind = AREA_ANON, .huge = true};
    strcpy(h.name, "huge");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &h, why, sizeof why));
}

/* Adds a private anonymous area of `pages` pages at start to pid. */
static struct area add_anon_area(struct machine *m, uint32_t pid, uint64_t start, uint64_t pages,
                                 uint8_t prot, const char *name)
{
    char why[200];
    struct area a = {.start = start, .end = start + pages * PAGE, .prot = prot,
                     .kind = AREA_ANON, .object = EV_NONE};
    snprintf(a.name, sizeof a.name, "%s", name);
    CU_ASSERT_FATAL(machine_add_area(m, pid, &a, why, sizeof why));
    return a;
}

/* A machine on x86_64 with the options test_machine does not take. */
static struct machine *custom_machine(uint32_t frames, uint32_t table_frames, uint32_t swap,
                                      enum policy_kind policy, bool asid,
                                      uint32_t fault_around, uint32_t readahead)
{
    struct machine_config c;
    machine_config_default(&c);
    c.frames = frames;
    c.table_frames = table_frames;
    c.swap_slots = swap;
    c.policy = policy;
    c.tlb_asid = asid;
    c.fault_around = fault_around;
    c.readahead = readahead;
    char why[200];
    struct machine *m = machine_create(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

/* mmap at a fixed address (or UINT64_MAX: the kernel picks); file is the
 * object id + 1, or 0 for anonymous memory. Returns the start. */
static uint64_t do_mmap(struct machine *m, uint32_t pid, uint64_t va, uint64_t size,
                        uint8_t prot, bool shared, uint32_t file, bool huge, const char *name)
{
    struct op op = {.kind = OP_MMAP, .pid = pid, .va = va, .size = size, .prot = prot,
                    .shared = shared, .file = file, .huge = huge};
    snprintf(op.name, sizeof op.name, "%s", name);
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL_FATAL(ev.kind, EV_MMAP);
    return ev.va;
}

static uint32_t add_file(struct machine *m, const char *name, uint64_t pages,
                         const uint64_t *cached, size_t ncached, bool all)
{
    char why[200];
    uint32_t id = machine_add_file(m, name, pages * PAGE, cached, ncached, all, why, sizeof why);
    CU_ASSERT_NOT_EQUAL_FATAL(id, EV_NONE);
    return id;
}

static uint32_t frame_of(const struct machine *m, uint32_t pid, uint64_t va)
{
    uint64_t pa = machine_translate(m, machine_process(m, pid), va);
    return pa == UINT64_MAX ? EV_NONE : (uint32_t)(pa / PAGE);
}

static uint64_t resident(const struct machine *m, uint32_t pid)
{
    return machine_process(m, pid)->resident;
}

static void fork_op(struct machine *m, uint32_t parent, uint32_t child)
{
    struct op op = {.kind = OP_FORK, .pid = parent, .child = child};
    strcpy(op.name, "child");
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL_FATAL(ev.kind, EV_FORK);
}

/* ------------------------------------------------------------------ */
/* 1. lazy allocation and the zero page                                 */

static void test_zero_page(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 8, POLICY_clock);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 16 * PAGE);
    CU_ASSERT_EQUAL(m->zero_frame, EV_NONE);
    uint32_t free0 = m->pool.free_data; /* 63: the root took frame 0 */
    CU_ASSERT_EQUAL(free0, 63);

    struct event ev = test_run_access(m, 1, ACCESS_READ, base + 8);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_ZERO_PAGE);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_PAGE), 1);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_FILL), 0);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 0);
    /* Three tables (frames 1-3) and the zero page (frame 4), no data frame. */
    CU_ASSERT_EQUAL(m->zero_frame, 4);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 4)->kind, FRAME_ZERO);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 4);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    uint64_t e = test_leaf(m, 1, base);
    CU_ASSERT(pte_present(e));
    CU_ASSERT_FALSE(e & PTE_WRITABLE);
    CU_ASSERT_EQUAL(pte_frame(e), 4);
    CU_ASSERT_EQUAL(ev.pa, 4 * PAGE + 8);

    /* Eight pages read: still the one zero frame, eight minor faults. */
    for (uint64_t i = 1; i < 8; i++)
        test_run_access(m, 1, ACCESS_READ, base + i * PAGE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 8);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 4);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    for (uint64_t i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(frame_of(m, 1, base + i * PAGE), 4);

    /* A write after the read faults again and gets a zeroed frame of its own. */
    ev = test_run_access(m, 1, ACCESS_WRITE, base + 8);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code,
                    FAULT_CODE_USER | FAULT_CODE_PROTECTION | FAULT_CODE_WRITE);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_FILL), 1);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 0);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 9);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 5);
    CU_ASSERT_EQUAL(resident(m, 1), 1);
    e = test_leaf(m, 1, base);
    CU_ASSERT_EQUAL(pte_frame(e), 5);
    CU_ASSERT(e & PTE_WRITABLE);
    CU_ASSERT(e & PTE_DIRTY);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 5)->kind, FRAME_ANON);
    /* The other pages still share the zero page, which stays. */
    CU_ASSERT_EQUAL(frame_of(m, 1, base + PAGE), 4);
    CU_ASSERT_EQUAL(m->zero_frame, 4);
    /* The next write to the page does not fault. */
    test_run_access(m, 1, ACCESS_WRITE, base + 16);
    CU_ASSERT_EQUAL(m->counters.faults, 9);
    test_verify(m);
    machine_destroy(m);
}

static void test_seed_program_and_read_first(void)
{
    /* malloc(1 MiB) is an mmap: no fault; memset: +256 minor; again: +0. */
    struct machine *m = test_machine("x86_64", 512, 0, 64, POLICY_clock);
    test_process(m, 1, 0x400000, 4 * PAGE);
    uint64_t buf = do_mmap(m, 1, UINT64_MAX, MiB, PROT_R | PROT_W, false, 0, false, "buf");
    CU_ASSERT_EQUAL(m->counters.faults, 0);
    for (uint64_t off = 0; off < MiB; off += PAGE)
        test_access(m, 1, ACCESS_WRITE, buf + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 256);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 256);
    CU_ASSERT_EQUAL(m->zero_frame, EV_NONE); /* writes never need the zero page */
    for (uint64_t off = 0; off < MiB; off += 64)
        test_access(m, 1, ACCESS_WRITE, buf + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 256);
    CU_ASSERT_EQUAL(resident(m, 1), 256);
    test_verify(m);
    machine_destroy(m);

    /* Read every page first, then write: 256 + 256 minor faults, one zero
     * frame, 256 zeroed frames. */
    m = test_machine("x86_64", 512, 0, 64, POLICY_clock);
    test_process(m, 1, 0x400000, 4 * PAGE);
    buf = do_mmap(m, 1, UINT64_MAX, MiB, PROT_R | PROT_W, false, 0, false, "buf");
    uint32_t free0 = m->pool.free_data;
    for (uint64_t off = 0; off < MiB; off += PAGE)
        test_access(m, 1, ACCESS_READ, buf + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 256);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 0);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    /* 1 MiB fits in one leaf table: 3 tables and the zero page. */
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 4);
    for (uint64_t off = 0; off < MiB; off += PAGE)
        test_access(m, 1, ACCESS_WRITE, buf + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 512);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 256);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    CU_ASSERT_EQUAL(resident(m, 1), 256);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 4 - 256);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 2. fork and copy-on-write                                            */

static void test_fork_cow(void)
{
    /* Page tables in 16 reserved frames, so data frames count pages only. */
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 4 * PAGE);
    for (uint64_t i = 0; i < 4; i++)
        test_run_access(m, 1, ACCESS_WRITE, base + i * PAGE); /* frames 0-3 */
    CU_ASSERT_EQUAL(m->pool.free_data, 60);
    CU_ASSERT_EQUAL(m->pool.free_table, 12);

    struct op op = {.kind = OP_FORK, .pid = 1, .child = 2};
    strcpy(op.name, "child");
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(ev.kind, EV_FORK);
    CU_ASSERT_EQUAL(test_nevents, 1);
    CU_ASSERT_EQUAL(ev.other_pid, 2);
    CU_ASSERT_STRING_EQUAL(ev.detail,
                           "pid 2 (child) is born sharing 4 pages, 4 made read-only for "
                           "copy-on-write; 0 areas left empty");
    const struct process *child = machine_process(m, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(child);
    CU_ASSERT(child->alive);
    CU_ASSERT_STRING_EQUAL(child->name, "child");
    CU_ASSERT_EQUAL(child->resident, 4);
    CU_ASSERT_EQUAL(resident(m, 1), 4);
    /* No data frame copied; the child's root and three tables. */
    CU_ASSERT_EQUAL(m->pool.free_data, 60);
    CU_ASSERT_EQUAL(m->pool.free_table, 8);
    for (uint64_t i = 0; i < 4; i++) {
        uint64_t va = base + i * PAGE;
        uint64_t pe = test_leaf(m, 1, va), ce = test_leaf(m, 2, va);
        CU_ASSERT(pte_present(pe) && pte_present(ce));
        CU_ASSERT_FALSE(pe & PTE_WRITABLE);
        CU_ASSERT_FALSE(ce & PTE_WRITABLE);
        CU_ASSERT_EQUAL(pte_frame(pe), i);
        CU_ASSERT_EQUAL(pte_frame(ce), i);
        const struct frame *f = frames_at(&m->pool, i);
        CU_ASSERT_EQUAL(f->refcount, 2);
        CU_ASSERT_EQUAL_FATAL(f->nmaps, 2);
        CU_ASSERT_EQUAL(f->maps[0].pid, 1);
        CU_ASSERT_EQUAL(f->maps[1].pid, 2);
        CU_ASSERT_EQUAL(f->maps[0].vpn, va / PAGE);
        CU_ASSERT_EQUAL(f->maps[1].vpn, va / PAGE);
    }

    /* Reads fault in neither process. */
    for (uint64_t i = 0; i < 4; i++) {
        test_run_access(m, 1, ACCESS_READ, base + i * PAGE);
        test_run_access(m, 2, ACCESS_READ, base + i * PAGE);
    }
    CU_ASSERT_EQUAL(m->counters.faults, 4);

    /* The child's first write copies: one fault, one new frame (4). */
    ev = test_run_access(m, 2, ACCESS_WRITE, base + 5);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_COW);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 1);
    CU_ASSERT_EQUAL(test_first(EV_COW_COPY).victim, 0);
    CU_ASSERT_EQUAL(m->counters.faults, 5);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 5);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    CU_ASSERT_EQUAL(m->pool.free_data, 59);
    CU_ASSERT_EQUAL(frame_of(m, 2, base), 4);
    CU_ASSERT(test_leaf(m, 2, base) & PTE_WRITABLE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 4)->owner_pid, 2);
    CU_ASSERT_EQUAL(frame_of(m, 1, base), 0);
    CU_ASSERT_FALSE(test_leaf(m, 1, base) & PTE_WRITABLE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->refcount, 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->maps[0].pid, 1);
    CU_ASSERT_EQUAL(resident(m, 2), 4);

    /* The parent's next write: one fault, the page is reused, no copy. */
    ev = test_run_access(m, 1, ACCESS_WRITE, base + 6);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(test_seen(EV_COW_REUSE), 1);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 0);
    CU_ASSERT_EQUAL(test_first(EV_COW_REUSE).frame, 0);
    CU_ASSERT_EQUAL(m->counters.faults, 6);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    CU_ASSERT_EQUAL(m->pool.free_data, 59);
    CU_ASSERT_EQUAL(frame_of(m, 1, base), 0);
    CU_ASSERT(test_leaf(m, 1, base) & PTE_WRITABLE);
    test_run_access(m, 1, ACCESS_WRITE, base + 7);
    CU_ASSERT_EQUAL(m->counters.faults, 6);

    /* The child exits: only its copy (frame 4) and its tables are freed. */
    op = (struct op){.kind = OP_EXIT, .pid = 2};
    ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(ev.kind, EV_EXIT);
    CU_ASSERT_FALSE(machine_process(m, 2)->alive);
    CU_ASSERT_EQUAL(m->pool.free_data, 60);
    CU_ASSERT_EQUAL(m->pool.free_table, 12);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 4)->kind, FRAME_FREE);
    for (uint32_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(frames_at(&m->pool, i)->kind, FRAME_ANON);
        CU_ASSERT_EQUAL(frames_at(&m->pool, i)->refcount, 1);
        CU_ASSERT_EQUAL(frames_at(&m->pool, i)->maps[0].pid, 1);
    }
    CU_ASSERT_EQUAL(resident(m, 1), 4);
    /* Alone again, the parent writes page 1 without a copy. */
    test_run_access(m, 1, ACCESS_WRITE, base + PAGE);
    CU_ASSERT_EQUAL(test_seen(EV_COW_REUSE), 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    CU_ASSERT_EQUAL(m->pool.free_data, 60);
    test_verify(m);
    machine_destroy(m);
}

/* The touches of tests/linux/case-fork-first-touch.c, which measured on
 * Linux 6.18 (fault-around 16 pages): the child's first write to 16 pages
 * of shared anonymous memory the parent wrote, 16 faults; its first read
 * of another such area, 1; a privately mapped cached file the parent only
 * read, 4 for 64 pages; private memory the parent only read, 16 (the zero
 * page, no fault-around); pages the parent only read in an area where it
 * wrote one page, 0; pages it wrote, 16 copies on write. */
static void touch16(struct machine *m, uint32_t pid, uint64_t va, uint64_t pages, enum access_kind a)
{
    for (uint64_t i = 0; i < pages; i++)
        test_run_access(m, pid, a, va + i * PAGE);
}

static void test_fork_copies_only_anonymous_areas(void)
{
    struct machine *m = custom_machine(512, 64, 16, POLICY_fifo, true, 16, 0);
    uint32_t file = add_file(m, "lib", 64, NULL, 0, true);
    test_process(m, 1, 0, 0);
    const uint64_t shw = 0x10000000, shr = 0x11000000, lib = 0x12000000, zero = 0x13000000,
                   mixed = 0x14000000, cow = 0x15000000;
    do_mmap(m, 1, shw, 16 * PAGE, PROT_R | PROT_W, true, 0, false, "shw");
    do_mmap(m, 1, shr, 16 * PAGE, PROT_R | PROT_W, true, 0, false, "shr");
    do_mmap(m, 1, lib, 64 * PAGE, PROT_R | PROT_W, false, file + 1, false, "lib");
    do_mmap(m, 1, zero, 16 * PAGE, PROT_R | PROT_W, false, 0, false, "zero");
    do_mmap(m, 1, mixed, 16 * PAGE, PROT_R | PROT_W, false, 0, false, "mixed");
    do_mmap(m, 1, cow, 16 * PAGE, PROT_R | PROT_W, false, 0, false, "cow");
    touch16(m, 1, shw, 16, ACCESS_WRITE);
    touch16(m, 1, shr, 16, ACCESS_WRITE);
    touch16(m, 1, lib, 64, ACCESS_READ);
    touch16(m, 1, zero, 16, ACCESS_READ);
    test_run_access(m, 1, ACCESS_WRITE, mixed);
    touch16(m, 1, mixed + PAGE, 15, ACCESS_READ);
    touch16(m, 1, cow, 16, ACCESS_WRITE);
    CU_ASSERT_EQUAL(m->counters.faults, 16 + 16 + 4 + 16 + 16 + 16);
    const struct process *parent = machine_process(m, 1);
    CU_ASSERT_FALSE(process_find_area(parent, shw)->anon_pages);
    CU_ASSERT_FALSE(process_find_area(parent, lib)->anon_pages);
    CU_ASSERT_FALSE(process_find_area(parent, zero)->anon_pages);
    CU_ASSERT(process_find_area(parent, mixed)->anon_pages);
    CU_ASSERT(process_find_area(parent, cow)->anon_pages);

    struct op op = {.kind = OP_FORK, .pid = 1, .child = 2};
    strcpy(op.name, "child");
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_STRING_EQUAL(ev.detail, "pid 2 (child) is born sharing 17 pages, 17 made read-only "
                                      "for copy-on-write; 4 areas left empty");
    const struct process *child = machine_process(m, 2);
    CU_ASSERT_EQUAL(child->resident, 17);
    CU_ASSERT_EQUAL(frame_of(m, 2, shw), EV_NONE);
    CU_ASSERT_EQUAL(frame_of(m, 2, lib), EV_NONE);
    CU_ASSERT_EQUAL(frame_of(m, 2, zero), EV_NONE);
    /* Copied entries are old in the child, as they were made young in the parent. */
    CU_ASSERT(test_leaf(m, 1, cow) & PTE_ACCESSED);
    CU_ASSERT(pte_present(test_leaf(m, 2, cow)));
    CU_ASSERT_FALSE(test_leaf(m, 2, cow) & PTE_ACCESSED);
    CU_ASSERT_FALSE(test_leaf(m, 2, cow) & PTE_WRITABLE);
    CU_ASSERT_EQUAL(frame_of(m, 2, mixed + PAGE), m->zero_frame);
    CU_ASSERT(machine_process(m, 2)->areas[0].anon_pages == parent->areas[0].anon_pages);

    uint64_t f = m->counters.faults;
    touch16(m, 2, shw, 16, ACCESS_WRITE);
    CU_ASSERT_EQUAL(m->counters.faults - f, 16);
    CU_ASSERT_EQUAL(frame_of(m, 2, shw + 5 * PAGE), frame_of(m, 1, shw + 5 * PAGE));
    f = m->counters.faults;
    touch16(m, 2, shr, 16, ACCESS_READ);
    CU_ASSERT_EQUAL(m->counters.faults - f, 1); /* fault-around maps the 15 others */
    /* ... writable: shared anonymous memory wants no write notification. */
    touch16(m, 2, shr, 16, ACCESS_WRITE);
    CU_ASSERT_EQUAL(m->counters.faults - f, 1);
    f = m->counters.faults;
    touch16(m, 2, lib, 64, ACCESS_READ);
    CU_ASSERT_EQUAL(m->counters.faults - f, 4);
    f = m->counters.faults;
    touch16(m, 2, zero, 16, ACCESS_READ);
    CU_ASSERT_EQUAL(m->counters.faults - f, 16);
    f = m->counters.faults;
    touch16(m, 2, mixed + PAGE, 15, ACCESS_READ);
    CU_ASSERT_EQUAL(m->counters.faults - f, 0);
    uint64_t copies = m->counters.cow_copies;
    f = m->counters.faults;
    touch16(m, 2, cow, 16, ACCESS_WRITE);
    CU_ASSERT_EQUAL(m->counters.faults - f, 16);
    CU_ASSERT_EQUAL(m->counters.cow_copies - copies, 16);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    test_verify(m);
    machine_destroy(m);
}

static void test_fork_exit_parent(void)
{
    /* The parent exits after the child copied page 0: the parent's page 0
     * (held by it alone) goes, the shared pages stay with the child. */
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 4 * PAGE);
    for (uint64_t i = 0; i < 3; i++)
        test_run_access(m, 1, ACCESS_WRITE, base + i * PAGE); /* frames 0-2 */
    fork_op(m, 1, 2);
    test_run_access(m, 2, ACCESS_WRITE, base); /* the child's copy: frame 3 */
    CU_ASSERT_EQUAL(m->pool.free_data, 60);
    struct op op = {.kind = OP_EXIT, .pid = 1};
    test_run_op(m, &op);
    CU_ASSERT_EQUAL(m->pool.free_data, 61);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1)->refcount, 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->refcount, 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1)->maps[0].pid, 2);
    CU_ASSERT_EQUAL(resident(m, 2), 3);
    /* The survivor's write to a formerly shared page reuses it. */
    test_run_access(m, 2, ACCESS_WRITE, base + PAGE);
    CU_ASSERT_EQUAL(test_seen(EV_COW_REUSE), 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    test_verify(m);
    machine_destroy(m);
}

static void test_fork_shares_swap_slots(void)
{
    /* 4 page frames, FIFO: writing pages 0-5 sends pages 0 and 1 to slots
     * 0 and 1. */
    struct machine *m = test_machine("x86_64", 4, 16, 16, POLICY_fifo);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 8 * PAGE);
    for (uint64_t i = 0; i < 6; i++)
        test_run_access(m, 1, ACCESS_WRITE, base + i * PAGE);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 2);
    CU_ASSERT_EQUAL(machine_process(m, 1)->swapped, 2);
    CU_ASSERT_EQUAL(m->swap.used, 2);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->refs, 1);

    fork_op(m, 1, 2);
    const struct process *child = machine_process(m, 2);
    CU_ASSERT_EQUAL(child->swapped, 2);
    CU_ASSERT_EQUAL(child->resident, 4);
    CU_ASSERT_EQUAL(m->swap.used, 2);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->refs, 2);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 1)->refs, 2);
    uint64_t ce = test_leaf(m, 2, base);
    CU_ASSERT(pte_is_swap(ce));
    CU_ASSERT_EQUAL(pte_slot(ce), 0);
    CU_ASSERT_EQUAL(test_leaf(m, 1, base), ce);

    /* The child swaps page 0 in: major. FIFO evicts frame 2 (page 2, shared
     * by both), which goes to slot 2 for both. Page 0 stays in the swap
     * cache: slot 0 is held by the parent's entry and by the cache. The
     * parent's entry still names the slot, so the child's is read-only. */
    struct event ev = test_run_access(m, 2, ACCESS_READ, base);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_SWAP_IN);
    CU_ASSERT_EQUAL(test_first(EV_SWAP_IN).slot, 0);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 2);
    CU_ASSERT_EQUAL(test_seen(EV_UNMAPPED), 2);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(m->counters.swap_ins, 1);
    CU_ASSERT_EQUAL(frame_of(m, 2, base), 2);
    CU_ASSERT(swap_at(&m->swap, 0)->used);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->refs, 2);
    CU_ASSERT(swap_at(&m->swap, 0)->cached);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->cache_frame, 2);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 2)->refs, 2);
    CU_ASSERT(pte_is_swap(test_leaf(m, 1, base)));
    CU_ASSERT_FALSE(test_leaf(m, 2, base) & PTE_WRITABLE);

    /* The parent's turn: its entry names slot 0, whose page is in the
     * swap cache. A minor fault maps the same frame: the page came back
     * from swap once, not once per process. */
    ev = test_run_access(m, 1, ACCESS_READ, base);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_SWAP_CACHED);
    CU_ASSERT_EQUAL(test_first(EV_SWAP_CACHE_HIT).slot, 0);
    CU_ASSERT_EQUAL(test_first(EV_SWAP_CACHE_HIT).frame, 2);
    CU_ASSERT_EQUAL(test_seen(EV_SWAP_IN), 0);
    CU_ASSERT_EQUAL(test_seen(EV_VICTIM_CHOSEN), 0);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(m->counters.swap_ins, 1);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 7);
    CU_ASSERT_EQUAL(frame_of(m, 1, base), 2);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->refcount, 2);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->refs, 1); /* the cache's alone */
    CU_ASSERT_EQUAL(m->swap.used, 3);               /* slots 0, 1, 2 */
    CU_ASSERT_EQUAL(machine_process(m, 1)->swapped, 2);
    CU_ASSERT_EQUAL(machine_process(m, 2)->swapped, 2);

    /* The child writes it: copy-on-write (both map it). The parent's write
     * then finds the page its alone, in the swap cache with no entry
     * naming the slot: the cache lets go of slot 0 and the page is reused. */
    test_run_access(m, 2, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 1);
    test_run_access(m, 1, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(test_seen(EV_COW_REUSE), 1);
    CU_ASSERT_EQUAL(frame_of(m, 1, base), 2);
    CU_ASSERT_FALSE(swap_at(&m->swap, 0)->used);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->swap_slot, VM_NO_SLOT);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 3. files and the page cache                                          */

static void test_file_cache_faults(void)
{
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    const uint64_t cached[] = {0, 1};
    uint32_t id = add_file(m, "lib", 8, cached, 2, false); /* frames 0 and 1 */
    CU_ASSERT_EQUAL(id, 0);
    CU_ASSERT_EQUAL(object_frame(&m->objects[id], 0), 0);
    CU_ASSERT_EQUAL(object_frame(&m->objects[id], 1), 1);
    CU_ASSERT_EQUAL(m->pool.free_data, 62);
    test_process(m, 1, 0, 0);
    test_process(m, 2, 0, 0);
    const uint64_t va1 = 0x20000000, va2 = 0x30000000;
    do_mmap(m, 1, va1, 8 * PAGE, PROT_R | PROT_W, false, id + 1, false, "lib");
    do_mmap(m, 2, va2, 8 * PAGE, PROT_R | PROT_W, false, id + 1, false, "lib");

    /* A cached page: minor, no new frame. */
    struct event ev = test_run_access(m, 1, ACCESS_READ, va1);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_FILE_CACHED);
    CU_ASSERT_EQUAL(test_seen(EV_CACHE_HIT), 1);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, 62);
    CU_ASSERT_EQUAL(frame_of(m, 1, va1), 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->refcount, 1);
    CU_ASSERT_EQUAL(resident(m, 1), 1);

    /* An uncached page: major, read into frame 2, which joins the cache. */
    ev = test_run_access(m, 1, ACCESS_READ, va1 + 2 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_FILE_READ);
    CU_ASSERT_EQUAL(test_seen(EV_FILE_READ), 1);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(m->pool.free_data, 61);
    CU_ASSERT_EQUAL(frame_of(m, 1, va1 + 2 * PAGE), 2);
    CU_ASSERT_EQUAL(object_get(&m->objects[id], 2), 2 + 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->kind, FRAME_FILE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->object, id);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->object_page, 2);

    /* Another process finds it in the cache: minor, the same frame. */
    ev = test_run_access(m, 2, ACCESS_READ, va2 + 2 * PAGE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_FILE_CACHED);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 2);
    CU_ASSERT_EQUAL(frame_of(m, 2, va2 + 2 * PAGE), 2);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 2)->refcount, 2);
    CU_ASSERT_EQUAL(m->pool.free_data, 61);

    /* A private write to a mapped page copies it (frame 3); the cache page
     * is unchanged and clean. */
    ev = test_run_access(m, 1, ACCESS_WRITE, va1 + 4);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    CU_ASSERT_EQUAL(m->pool.free_data, 60);
    CU_ASSERT_EQUAL(frame_of(m, 1, va1), 3);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 3)->kind, FRAME_ANON);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 3)->object, EV_NONE);
    CU_ASSERT(test_leaf(m, 1, va1) & PTE_WRITABLE);
    CU_ASSERT_EQUAL(object_frame(&m->objects[id], 0), 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->refcount, 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->kind, FRAME_FILE);
    CU_ASSERT_FALSE(machine_frame_dirty(m, 0));
    CU_ASSERT_EQUAL(resident(m, 1), 2);

    /* A private write to a cached page not yet mapped: one fault, one copy,
     * one new frame (the cache page is the source). */
    ev = test_run_access(m, 2, ACCESS_WRITE, va2 + PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 2);
    CU_ASSERT_EQUAL(m->pool.free_data, 59);
    CU_ASSERT_EQUAL(frame_of(m, 2, va2 + PAGE), 4);
    CU_ASSERT_EQUAL(object_frame(&m->objects[id], 1), 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1)->refcount, 0);
    CU_ASSERT_FALSE(machine_frame_dirty(m, 1));
    CU_ASSERT_EQUAL(resident(m, 2), 2);

    /* When both exit, only the three cached pages keep frames. */
    struct op ex = {.kind = OP_EXIT, .pid = 1};
    test_run_op(m, &ex);
    ex.pid = 2;
    test_run_op(m, &ex);
    CU_ASSERT_EQUAL(m->pool.free_data, 61);
    for (uint32_t f = 3; f < 64; f++)
        CU_ASSERT_EQUAL(frames_at(&m->pool, f)->kind, FRAME_FREE);
    test_verify(m);
    machine_destroy(m);
}

static void test_file_writeback_and_drop(void)
{
    /* 4 page frames, all holding the cached file; FIFO. */
    struct machine *m = test_machine("x86_64", 4, 16, 16, POLICY_fifo);
    uint32_t id = add_file(m, "data", 4, NULL, 0, true);
    CU_ASSERT_EQUAL(m->pool.free_data, 0);
    const uint64_t heap = 0x10000000, map = 0x20000000;
    test_process(m, 1, heap, 4 * PAGE);
    do_mmap(m, 1, map, 4 * PAGE, PROT_R | PROT_W, true, id + 1, false, "data");

    /* A shared write dirties the cache page itself: no copy. */
    test_run_access(m, 1, ACCESS_WRITE, map);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    CU_ASSERT_EQUAL(frame_of(m, 1, map), 0);
    CU_ASSERT(machine_frame_dirty(m, 0));
    test_run_access(m, 1, ACCESS_READ, map + PAGE);
    CU_ASSERT_FALSE(machine_frame_dirty(m, 1));
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);

    /* Memory pressure: the dirty page (frame 0) is written back first. */
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, heap);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 0);
    CU_ASSERT_EQUAL(test_seen(EV_WRITEBACK), 1);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_DROPPED), 0);
    CU_ASSERT_EQUAL(test_seen(EV_SWAP_OUT), 0);
    CU_ASSERT_EQUAL(test_seen(EV_UNMAPPED), 1);
    CU_ASSERT_EQUAL(test_seen(EV_TLB_INVALIDATE), 1);
    CU_ASSERT_EQUAL(m->counters.writebacks, 1);
    CU_ASSERT_EQUAL(m->counters.evictions, 1);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 0);
    CU_ASSERT_EQUAL(object_get(&m->objects[id], 0), 0);
    CU_ASSERT_EQUAL(test_leaf(m, 1, map), 0);
    CU_ASSERT_EQUAL(frame_of(m, 1, heap), 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->kind, FRAME_ANON);

    /* The clean mapped page (frame 1) is just dropped. */
    test_run_access(m, 1, ACCESS_WRITE, heap + PAGE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 1);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_DROPPED), 1);
    CU_ASSERT_EQUAL(test_seen(EV_WRITEBACK), 0);
    CU_ASSERT_EQUAL(test_seen(EV_UNMAPPED), 1);
    CU_ASSERT_EQUAL(m->counters.writebacks, 1);
    CU_ASSERT_EQUAL(m->counters.evictions, 2);
    CU_ASSERT_EQUAL(object_get(&m->objects[id], 1), 0);

    /* The clean unmapped page (frame 2): dropped, nothing to unmap. */
    test_run_access(m, 1, ACCESS_WRITE, heap + 2 * PAGE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 2);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_DROPPED), 1);
    CU_ASSERT_EQUAL(test_seen(EV_UNMAPPED), 0);
    CU_ASSERT_EQUAL(m->counters.writebacks, 1);
    CU_ASSERT_EQUAL(m->counters.evictions, 3);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 0);
    CU_ASSERT_EQUAL(resident(m, 1), 3);

    /* Page 0 again: read back from the file, a major fault. */
    ev = test_run_access(m, 1, ACCESS_READ, map);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_FILE_READ), 1);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    test_verify(m);
    machine_destroy(m);
}

static void test_file_pages_evicted_without_swap(void)
{
    /* No swap: dirty anonymous pages cannot go, clean file pages can. */
    struct machine *m = test_machine("x86_64", 4, 16, 0, POLICY_fifo);
    uint32_t id = add_file(m, "lib", 4, NULL, 0, false);
    const uint64_t heap = 0x10000000, map = 0x20000000;
    test_process(m, 1, heap, 4 * PAGE);
    test_run_access(m, 1, ACCESS_WRITE, heap);          /* frame 0 */
    test_run_access(m, 1, ACCESS_WRITE, heap + PAGE);   /* frame 1 */
    do_mmap(m, 1, map, 4 * PAGE, PROT_R, false, id + 1, false, "lib");
    test_run_access(m, 1, ACCESS_READ, map);            /* frame 2, major */
    test_run_access(m, 1, ACCESS_READ, map + PAGE);     /* frame 3, major */
    CU_ASSERT_EQUAL(m->counters.major_faults, 2);
    CU_ASSERT_EQUAL(m->pool.free_data, 0);

    /* FIFO's oldest pages are the dirty anonymous ones: skipped. */
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, heap + 2 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 2);
    CU_ASSERT_STRING_EQUAL(test_first(EV_VICTIM_CHOSEN).detail,
                           "frame 2 holds the oldest page that can be evicted");
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_DROPPED), 1);
    ev = test_run_access(m, 1, ACCESS_WRITE, heap + 3 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 3);
    CU_ASSERT_EQUAL(m->counters.evictions, 2);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 0);
    CU_ASSERT_EQUAL(m->counters.oom_kills, 0);
    CU_ASSERT_EQUAL(object_get(&m->objects[id], 0), 0);
    CU_ASSERT_EQUAL(object_get(&m->objects[id], 1), 0);
    for (uint64_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(frame_of(m, 1, heap + i * PAGE), i);
    CU_ASSERT_EQUAL(test_leaf(m, 1, map), 0);
    CU_ASSERT_EQUAL(resident(m, 1), 4);

    /* Only dirty anonymous pages are left: the next frame costs a process. */
    ev = test_run_access(m, 1, ACCESS_READ, map);
    CU_ASSERT_EQUAL(ev.kind, EV_OOM_KILL);
    CU_ASSERT_EQUAL(test_seen(EV_VICTIM_CHOSEN), 0);
    CU_ASSERT_EQUAL(m->counters.evictions, 2);
    CU_ASSERT_EQUAL(m->counters.oom_kills, 1);
    CU_ASSERT_FALSE(machine_process(m, 1)->alive);
    CU_ASSERT_EQUAL(m->pool.free_data, 4);
    test_verify(m);
    machine_destroy(m);
}

static void test_fault_around(void)
{
    struct machine *m = custom_machine(64, 16, 16, POLICY_fifo, true, 16, 0);
    const uint64_t cached[] = {0, 3, 5, 15, 16, 20};
    uint32_t id = add_file(m, "lib", 32, cached, 6, false); /* frames 0-5 */
    test_process(m, 1, 0, 0);
    const uint64_t va = 0x20000000; /* 16-page aligned */
    do_mmap(m, 1, va, 32 * PAGE, PROT_R, false, id + 1, false, "lib");

    /* A read of page 5 maps it and its cached neighbours in pages 0-15. */
    struct event ev = test_run_access(m, 1, ACCESS_READ, va + 5 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    CU_ASSERT_STRING_EQUAL(test_first(EV_PTE_UPDATE).detail,
                           "fault-around also mapped 3 cached neighbours read-only");
    CU_ASSERT_EQUAL(resident(m, 1), 4);
    CU_ASSERT_EQUAL(frame_of(m, 1, va), 0);
    CU_ASSERT_EQUAL(frame_of(m, 1, va + 3 * PAGE), 1);
    CU_ASSERT_EQUAL(frame_of(m, 1, va + 5 * PAGE), 2);
    CU_ASSERT_EQUAL(frame_of(m, 1, va + 15 * PAGE), 3);
    CU_ASSERT_EQUAL(frame_of(m, 1, va + 16 * PAGE), EV_NONE); /* next window */
    CU_ASSERT_EQUAL(frame_of(m, 1, va + PAGE), EV_NONE);      /* not cached */
    uint64_t e = test_leaf(m, 1, va + 3 * PAGE);
    CU_ASSERT_FALSE(e & PTE_WRITABLE);
    CU_ASSERT_FALSE(e & PTE_ACCESSED);
    CU_ASSERT(test_leaf(m, 1, va + 5 * PAGE) & PTE_ACCESSED);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1)->refcount, 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 4)->refcount, 0);

    /* The neighbours then need a walk but no fault. */
    uint64_t misses = m->counters.tlb_misses;
    test_run_access(m, 1, ACCESS_READ, va);
    test_run_access(m, 1, ACCESS_READ, va + 3 * PAGE);
    test_run_access(m, 1, ACCESS_READ, va + 15 * PAGE);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    CU_ASSERT_EQUAL(m->counters.tlb_misses, misses + 3);
    CU_ASSERT(test_leaf(m, 1, va + 3 * PAGE) & PTE_ACCESSED);

    /* Page 16 is in the next window: it faults and maps page 20 too. */
    test_run_access(m, 1, ACCESS_READ, va + 16 * PAGE);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    CU_ASSERT_EQUAL(resident(m, 1), 6);
    CU_ASSERT_EQUAL(frame_of(m, 1, va + 20 * PAGE), 5);
    test_run_access(m, 1, ACCESS_READ, va + 20 * PAGE);
    CU_ASSERT_EQUAL(m->counters.faults, 2);

    /* An uncached page is still a major fault. */
    test_run_access(m, 1, ACCESS_READ, va + PAGE);
    CU_ASSERT_EQUAL(m->counters.faults, 3);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    test_verify(m);
    machine_destroy(m);
}

static void test_readahead(void)
{
    /* Read-around with a window of 8 pages: from 4 before the page read,
     * within the file, pages already cached skipped. */
    struct machine *m = custom_machine(64, 16, 16, POLICY_fifo, true, 0, 8);
    const uint64_t cached[] = {9};
    uint32_t id = add_file(m, "big", 16, cached, 1, false); /* page 9 in frame 0 */
    test_process(m, 1, 0, 0);
    const uint64_t va = 0x20000000;
    do_mmap(m, 1, va, 16 * PAGE, PROT_R, false, id + 1, false, "big");

    /* Page 2: the window is pages 0-7 (it cannot start before the file). */
    struct event ev = test_run_access(m, 1, ACCESS_READ, va + 2 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_STRING_EQUAL(test_first(EV_FILE_READ).detail,
                           "big, page 2; read around it, pages 0-7: 7 more read");
    /* Page 2 in frame 1, then pages 0, 1, 3-7 in frames 2-8, unmapped. */
    CU_ASSERT_EQUAL(m->pool.free_data, 64 - 9);
    CU_ASSERT_EQUAL(resident(m, 1), 1);
    CU_ASSERT_EQUAL(frame_of(m, 1, va + 2 * PAGE), 1);
    const uint32_t want[8] = {2, 3, 1, 4, 5, 6, 7, 8};
    for (uint32_t p = 0; p < 8; p++) {
        CU_ASSERT_EQUAL(object_frame(&m->objects[id], p), want[p]);
        CU_ASSERT_EQUAL(frames_at(&m->pool, want[p])->kind, FRAME_FILE);
        CU_ASSERT_EQUAL(frames_at(&m->pool, want[p])->object_page, p);
        if (p != 2) {
            CU_ASSERT_EQUAL(frames_at(&m->pool, want[p])->nmaps, 0);
            CU_ASSERT_EQUAL(frame_of(m, 1, va + p * PAGE), EV_NONE);
        }
    }
    CU_ASSERT_EQUAL(object_get(&m->objects[id], 8), 0);

    /* Pages 0-7 fault only minor; page 12 is the next major fault, its
     * window 8-15: page 9 was cached, so 6 more are read. */
    for (uint64_t p = 0; p < 8; p++)
        test_run_access(m, 1, ACCESS_READ, va + p * PAGE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 7);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    test_run_access(m, 1, ACCESS_READ, va + 12 * PAGE);
    CU_ASSERT_EQUAL(m->counters.major_faults, 2);
    CU_ASSERT_STRING_EQUAL(test_first(EV_FILE_READ).detail,
                           "big, page 12; read around it, pages 8-15: 6 more read");
    CU_ASSERT_EQUAL(object_frame(&m->objects[id], 9), 0);
    for (uint64_t p = 8; p < 16; p++)
        CU_ASSERT(object_frame(&m->objects[id], p) != VM_NO_FRAME);
    CU_ASSERT_EQUAL(m->pool.free_data, 64 - 16);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 4. shared anonymous memory                                           */

static void test_shared_anonymous(void)
{
    struct machine *m = test_machine("x86_64", 4, 16, 16, POLICY_fifo);
    test_process(m, 1, 0, 0);
    const uint64_t shm = 0x30000000, heap = 0x10000000;
    do_mmap(m, 1, shm, PAGE, PROT_R | PROT_W, true, 0, false, "shm");
    do_mmap(m, 1, heap, 8 * PAGE, PROT_R | PROT_W, false, 0, false, "heap");
    CU_ASSERT_EQUAL_FATAL(m->nobjects, 1);
    CU_ASSERT(m->objects[0].anonymous);
    fork_op(m, 1, 2);

    /* The parent writes after fork, the child reads: one frame, no copy. */
    test_run_access(m, 1, ACCESS_WRITE, shm);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 1);
    CU_ASSERT_EQUAL(object_frame(&m->objects[0], 0), 0);
    struct event ev = test_run_access(m, 2, ACCESS_READ, shm);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_CACHE_HIT), 1);
    CU_ASSERT_EQUAL(frame_of(m, 2, shm), 0);
    CU_ASSERT_EQUAL(frame_of(m, 1, shm), 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->refcount, 2);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    /* The child may write to it directly too. */
    test_run_access(m, 2, ACCESS_WRITE, shm + 8);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);

    /* Pressure from the parent's heap: the shared page (oldest) goes to
     * swap, and both processes lose their mapping. */
    for (uint64_t i = 0; i < 3; i++)
        test_run_access(m, 1, ACCESS_WRITE, heap + i * PAGE); /* frames 1-3 */
    ev = test_run_access(m, 1, ACCESS_WRITE, heap + 3 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 0);
    CU_ASSERT_EQUAL(test_seen(EV_SWAP_OUT), 1);
    CU_ASSERT_EQUAL(test_seen(EV_UNMAPPED), 2);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 1);
    CU_ASSERT_EQUAL(object_slot(&m->objects[0], 0), 0);
    CU_ASSERT_EQUAL(object_frame(&m->objects[0], 0), EV_NONE);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->refs, 1);
    CU_ASSERT_EQUAL(test_leaf(m, 1, shm), 0);
    CU_ASSERT_EQUAL(test_leaf(m, 2, shm), 0);
    CU_ASSERT_EQUAL(resident(m, 2), 0);
    CU_ASSERT_EQUAL(resident(m, 1), 4);

    /* The child reads it back: major; FIFO evicts frame 1 (heap page 0). */
    ev = test_run_access(m, 2, ACCESS_READ, shm);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_SWAP_IN);
    CU_ASSERT_EQUAL(test_first(EV_SWAP_IN).slot, 0);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(m->counters.swap_ins, 1);
    CU_ASSERT_EQUAL(frame_of(m, 2, shm), 1);
    CU_ASSERT_EQUAL(object_frame(&m->objects[0], 0), 1);
    CU_ASSERT_EQUAL(swap_at(&m->swap, 0)->used, false);
    /* The parent finds it again in the object: minor, the same frame. */
    ev = test_run_access(m, 1, ACCESS_READ, shm);
    CU_ASSERT_EQUAL(test_seen(EV_CACHE_HIT), 1);
    CU_ASSERT_EQUAL(m->counters.major_faults, 1);
    CU_ASSERT_EQUAL(frame_of(m, 1, shm), 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1)->refcount, 2);
    CU_ASSERT_EQUAL(m->counters.faults, 8);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 5. protection                                                        */

static void test_protection(void)
{
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 4 * PAGE);
    test_run_access(m, 1, ACCESS_WRITE, base); /* frame 0 */
    CU_ASSERT_EQUAL(m->counters.faults, 1);

    struct op op = {.kind = OP_MPROTECT, .pid = 1, .va = base, .size = PAGE, .prot = PROT_R};
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(ev.kind, EV_MPROTECT);
    CU_ASSERT_EQUAL(machine_process(m, 1)->nareas, 2);
    CU_ASSERT_FALSE(test_leaf(m, 1, base) & PTE_WRITABLE);

    /* A write: SIGSEGV, SEGV_ACCERR; not a fault handled. */
    ev = test_run_access(m, 1, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code,
                    FAULT_CODE_USER | FAULT_CODE_PROTECTION | FAULT_CODE_WRITE);
    CU_ASSERT_EQUAL(test_seen(EV_TLB_HIT), 0); /* mprotect dropped the entry */
    CU_ASSERT_EQUAL(m->counters.segfaults, 1);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    CU_ASSERT(machine_process(m, 1)->alive);
    /* The process goes on: a read works without a fault. */
    ev = test_run_access(m, 1, ACCESS_READ, base + 8);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.frame, 0);
    CU_ASSERT_EQUAL(m->counters.faults, 1);

    /* Back to rw-: the page is this process's alone, so mprotect makes
     * its entry writable at once (can_change_pte_writable): no fault. */
    op.prot = PROT_R | PROT_W;
    ev = test_run_op(m, &op);
    CU_ASSERT_STRING_EQUAL(ev.detail, "now rw-; 1 entry changed, 1 made writable at once");
    CU_ASSERT(test_leaf(m, 1, base) & PTE_WRITABLE);
    ev = test_run_access(m, 1, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 0);
    CU_ASSERT_EQUAL(ev.frame, 0);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, 63);

    /* Outside every area: SEGV_MAPERR, from a not-present entry. */
    ev = test_run_access(m, 1, ACCESS_READ, 0x50000000);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_MAPERR);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code, FAULT_CODE_USER);
    CU_ASSERT_EQUAL(m->counters.segfaults, 2);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    CU_ASSERT(machine_process(m, 1)->alive);
    test_verify(m);
    machine_destroy(m);
}

/* The cases of tests/linux/case-mprotect-write.c, measured on Linux 6.18:
 * 16 private anonymous pages written, made read-only, then writable again,
 * then written: no fork, 0 faults and the same frames; after fork with
 * the child alive, 16 faults (copies); after the child exited, 16 faults
 * that keep the frames (reuse: the pages were shared, so not exclusive). */
static void test_mprotect_back_to_writable(void)
{
    struct machine *m = test_machine("x86_64", 256, 32, 16, POLICY_fifo);
    const uint64_t alone = 0x10000000, shared = 0x20000000, exited = 0x30000000;
    test_process(m, 1, alone, 16 * PAGE);
    add_anon_area(m, 1, shared, 16, PROT_R | PROT_W, "shared");
    add_anon_area(m, 1, exited, 16, PROT_R | PROT_W, "exited");
    for (uint64_t i = 0; i < 16; i++) {
        test_run_access(m, 1, ACCESS_WRITE, alone + i * PAGE);
        test_run_access(m, 1, ACCESS_WRITE, shared + i * PAGE);
        test_run_access(m, 1, ACCESS_WRITE, exited + i * PAGE);
    }
    uint32_t before[3][16];
    const uint64_t bases[3] = {alone, shared, exited};
    for (int r = 0; r < 3; r++)
        for (uint64_t i = 0; i < 16; i++)
            before[r][i] = frame_of(m, 1, bases[r] + i * PAGE);

    /* No fork: 0 faults, the same frames. */
    struct op ro = {.kind = OP_MPROTECT, .pid = 1, .va = alone, .size = 16 * PAGE, .prot = PROT_R};
    struct op rw = ro;
    rw.prot = PROT_R | PROT_W;
    test_run_op(m, &ro);
    CU_ASSERT_STRING_EQUAL(test_run_op(m, &rw).detail,
                           "now rw-; 16 entries changed, 16 made writable at once");
    uint64_t f = m->counters.faults;
    for (uint64_t i = 0; i < 16; i++) {
        test_run_access(m, 1, ACCESS_WRITE, alone + i * PAGE);
        CU_ASSERT_EQUAL(frame_of(m, 1, alone + i * PAGE), before[0][i]);
    }
    CU_ASSERT_EQUAL(m->counters.faults - f, 0);

    /* fork, the child alive: the pages are shared, each write copies. */
    fork_op(m, 1, 2);
    ro.va = rw.va = shared;
    test_run_op(m, &ro);
    CU_ASSERT_STRING_EQUAL(test_run_op(m, &rw).detail,
                           "now rw-; 0 entries changed, 0 made writable at once");
    f = m->counters.faults;
    uint64_t copies = m->counters.cow_copies;
    for (uint64_t i = 0; i < 16; i++)
        test_run_access(m, 1, ACCESS_WRITE, shared + i * PAGE);
    CU_ASSERT_EQUAL(m->counters.faults - f, 16);
    CU_ASSERT_EQUAL(m->counters.cow_copies - copies, 16);

    /* The child exits: still not exclusive, so each write faults, and
     * reuses its page. */
    struct op ex = {.kind = OP_EXIT, .pid = 2};
    test_run_op(m, &ex);
    ro.va = rw.va = exited;
    test_run_op(m, &ro);
    test_run_op(m, &rw);
    f = m->counters.faults;
    copies = m->counters.cow_copies;
    for (uint64_t i = 0; i < 16; i++) {
        test_run_access(m, 1, ACCESS_WRITE, exited + i * PAGE);
        CU_ASSERT_EQUAL(frame_of(m, 1, exited + i * PAGE), before[2][i]);
    }
    CU_ASSERT_EQUAL(m->counters.faults - f, 16);
    CU_ASSERT_EQUAL(m->counters.cow_copies - copies, 0);
    /* Reused, they are exclusive again: another round costs nothing. */
    test_run_op(m, &ro);
    test_run_op(m, &rw);
    f = m->counters.faults;
    for (uint64_t i = 0; i < 16; i++)
        test_run_access(m, 1, ACCESS_WRITE, exited + i * PAGE);
    CU_ASSERT_EQUAL(m->counters.faults - f, 0);
    test_verify(m);
    machine_destroy(m);
}

/* PROT_NONE forbids every access, to resident pages as to others: Linux
 * clears Present and keeps the page (measured on Linux 6.18: a read of a
 * resident page after mprotect(PROT_NONE) gets SIGSEGV with SEGV_ACCERR).
 * Leaving PROT_NONE brings the page back without a fault. */
static void test_prot_none(void)
{
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 4 * PAGE);
    test_run_access(m, 1, ACCESS_WRITE, base); /* frame 0 */
    test_run_access(m, 1, ACCESS_READ, base);  /* in the TLB now */
    uint32_t frame = pte_frame(test_leaf(m, 1, base));
    struct op op = {.kind = OP_MPROTECT, .pid = 1, .va = base, .size = 2 * PAGE, .prot = 0};
    CU_ASSERT_EQUAL(test_run_op(m, &op).kind, EV_MPROTECT);
    uint64_t e = test_leaf(m, 1, base);
    CU_ASSERT_FALSE(pte_present(e));
    CU_ASSERT_TRUE(pte_protnone(e));
    CU_ASSERT_EQUAL(pte_frame(e), frame);
    CU_ASSERT_EQUAL(machine_process(m, 1)->resident, 1);
    test_verify(m);
    for (int k = 0; k < 3; k++) {
        static const enum access_kind kinds[] = {ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC};
        struct event ev = test_run_access(m, 1, kinds[k], base + 16);
        CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
        CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
        /* Present is clear: the error code says "not present". */
        CU_ASSERT_FALSE(test_first(EV_PAGE_FAULT).fault_code & FAULT_CODE_PROTECTION);
    }
    /* The page never touched in the area too. */
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_READ, base + PAGE).kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(m->counters.segfaults, 4);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    /* Back to r--: the same page, readable at once, no fault. */
    op.prot = PROT_R;
    test_run_op(m, &op);
    struct event ev = test_run_access(m, 1, ACCESS_READ, base + 16);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.frame, frame);
    CU_ASSERT_EQUAL(m->counters.faults, 1);
    test_verify(m);
    /* munmap of a PROT_NONE page gives its frame back. */
    op.prot = 0;
    test_run_op(m, &op);
    struct op un = {.kind = OP_MUNMAP, .pid = 1, .va = base, .size = 4 * PAGE};
    test_run_op(m, &un);
    CU_ASSERT_EQUAL(machine_process(m, 1)->resident, 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, frame)->kind, FRAME_FREE);
    test_verify(m);
    machine_destroy(m);
}

/* x86 has no page that can be written or executed but not read: Linux's
 * fault handler lets a read into any accessible area (access_error, with
 * vma_is_accessible). Measured on Linux 6.18: a read of fresh -w- or --x
 * memory completes with one minor fault, and so does a read of a written
 * -w- page, with none. */
static void test_read_in_write_or_exec_only_area(void)
{
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    test_process(m, 1, 0, 0);
    struct area w = add_anon_area(m, 1, 0x10000000, 2, PROT_W, "wonly");
    struct area x = add_anon_area(m, 1, 0x20000000, 2, PROT_X, "xonly");
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_READ, w.start).kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    test_run_access(m, 1, ACCESS_WRITE, w.start + PAGE);
    uint64_t faults = m->counters.faults;
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_READ, w.start + PAGE).kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.faults, faults);
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_READ, x.start).kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.faults, faults + 1);
    /* A write to --x and a fetch from -w- are still refused. */
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_WRITE, x.start).kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_EXEC, w.start + PAGE).kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(m->counters.segfaults, 2);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 6. out of memory                                                     */

#define OOM_BASE UINT64_C(0x10000000)

/* The OOM tests' machine: 4 frames for pages, 16 for tables, `swap`
 * slots, fifo; pids 1 and 2 with an area of `pages` pages at OOM_BASE,
 * and pid 1's first `written` pages written. */
static struct machine *oom_machine(uint32_t swap, uint64_t pages, uint64_t written)
{
    struct machine *m = test_machine("x86_64", 4, 16, swap, POLICY_fifo);
    test_process(m, 1, OOM_BASE, pages * PAGE);
    test_process(m, 2, OOM_BASE, pages * PAGE);
    for (uint64_t i = 0; i < written; i++)
        test_run_access(m, 1, ACCESS_WRITE, OOM_BASE + i * PAGE);
    return m;
}

static void test_oom_kills_largest(void)
{
    struct machine *m = oom_machine(0, 4, 3); /* pid 1 in frames 0-2 */
    const uint64_t base = OOM_BASE;
    test_run_access(m, 2, ACCESS_WRITE, base);                /* frame 3 */
    CU_ASSERT_EQUAL(m->pool.free_data, 0);
    CU_ASSERT_EQUAL(m->pool.free_table, 8);

    /* pid 2 needs a frame; nothing can be evicted; pid 1 is the largest. */
    struct event ev = test_run_access(m, 2, ACCESS_WRITE, base + PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_OOM_KILL), 1);
    CU_ASSERT_EQUAL(test_first(EV_OOM_KILL).other_pid, 1);
    CU_ASSERT_EQUAL(m->counters.oom_kills, 1);
    CU_ASSERT_EQUAL(m->counters.evictions, 0);
    CU_ASSERT_FALSE(machine_process(m, 1)->alive);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    CU_ASSERT(machine_process(m, 2)->alive);
    CU_ASSERT_EQUAL(resident(m, 2), 2);
    /* pid 1's three frames and four tables are back; pid 2 took frame 0. */
    CU_ASSERT_EQUAL(ev.frame, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, 2);
    CU_ASSERT_EQUAL(m->pool.free_table, 12);
    CU_ASSERT_EQUAL(frame_of(m, 2, base + PAGE), 0);
    CU_ASSERT_EQUAL(frame_of(m, 2, base), 3);
    /* Its pages are in no frame and no TLB entry any more. */
    for (uint32_t f = 1; f < 3; f++)
        CU_ASSERT_EQUAL(frames_at(&m->pool, f)->kind, FRAME_FREE);
    ev = test_run_access(m, 1, ACCESS_READ, base);
    CU_ASSERT_EQUAL(ev.kind, EV_PROCESS_GONE);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 7. the Linux two-list policy                                         */

static void expect_order(const struct machine *m, const uint32_t *want, size_t n,
                         size_t want_first)
{
    uint32_t got[16];
    size_t first_len = 99;
    size_t len = machine_policy_order(m, got, 16, &first_len);
    CU_ASSERT_EQUAL(len, n);
    CU_ASSERT_EQUAL(first_len, want_first);
    for (size_t i = 0; i < n && i < len; i++)
        CU_ASSERT_EQUAL(got[i], want[i]);
}

/* A machine whose TLB holds one translation: every use of another page
 * walks the tables and sets its Accessed bit, as the policies' textbook
 * descriptions assume. */
static struct machine *one_entry_tlb_machine(uint32_t frames, enum policy_kind policy)
{
    struct machine_config c;
    machine_config_default(&c);
    c.frames = frames;
    c.table_frames = 8;
    c.swap_slots = 16;
    c.policy = policy;
    c.tlb_entries = c.tlb_ways = 1;
    char why[200];
    struct machine *m = machine_create(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

static void test_linux_policy(void)
{
    struct machine *m = one_entry_tlb_machine(4, POLICY_linux);
    test_process(m, 1, 0, 0);
    /* Textbook reads of pages 0x100-0x103 fill frames 0-3. */
    for (uint64_t i = 0; i < 4; i++) {
        struct op op = test_ref(PAGE, 0x100 + i, false, UINT64_MAX);
        test_run_op(m, &op);
    }
    /* New pages go to the inactive list; oldest first. */
    static const uint32_t loaded[] = {0, 1, 2, 3};
    expect_order(m, loaded, 4, 4);

    /* 0x104: every inactive page has Accessed set (its first touch). The
     * tail is promoted, three times; then active (3) outgrows inactive (1)
     * and its tail (frame 0) is demoted, Accessed cleared; frame 3 is
     * promoted, frame 1 demoted; frame 0, now unreferenced, is the victim. */
    struct op op = test_ref(PAGE, 0x104, false, UINT64_MAX);
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 0);
    CU_ASSERT_STRING_EQUAL(test_first(EV_VICTIM_CHOSEN).detail,
                           "frame 0 is the oldest unreferenced inactive page (4 promoted, 2 "
                           "demoted)");
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_DROPPED), 1);
    CU_ASSERT_EQUAL(ev.frame, 0);
    /* inactive: frame 1 (page 0x101, demoted), frame 0 (0x104, new);
     * active: frame 2 (0x102), frame 3 (0x103). */
    static const uint32_t after_first[] = {1, 0, 2, 3};
    expect_order(m, after_first, 4, 2);
    CU_ASSERT_FALSE(machine_frame_referenced(m, 1));
    CU_ASSERT_FALSE(machine_frame_referenced(m, 2));
    CU_ASSERT_FALSE(machine_frame_referenced(m, 3));
    CU_ASSERT(machine_frame_referenced(m, 0));

    /* 0x101 is used again: the TLB holds only 0x104's translation, so a
     * walk sets 0x101's Accessed bit, no fault. */
    op = test_ref(PAGE, 0x101, false, UINT64_MAX);
    ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 0);
    CU_ASSERT_EQUAL(test_seen(EV_TLB_MISS), 1);
    CU_ASSERT(machine_frame_referenced(m, 1));
    CU_ASSERT_EQUAL(m->counters.faults, 5);

    /* 0x105: the inactive tail (frame 1) is referenced and promoted; active
     * (3) outgrows inactive (1): frame 2 demoted; frame 0 referenced and
     * promoted; frame 3 demoted; frame 2 is unreferenced: the victim. FIFO
     * would have taken frame 1, which was just used. */
    op = test_ref(PAGE, 0x105, false, UINT64_MAX);
    ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 2);
    CU_ASSERT_STRING_EQUAL(test_first(EV_VICTIM_CHOSEN).detail,
                           "frame 2 is the oldest unreferenced inactive page (2 promoted, 2 "
                           "demoted)");
    CU_ASSERT_EQUAL(ev.frame, 2);
    static const uint32_t after_second[] = {3, 2, 1, 0};
    expect_order(m, after_second, 4, 2);
    CU_ASSERT_EQUAL(frame_of(m, 1, 0x101 * PAGE), 1);
    CU_ASSERT_EQUAL(frame_of(m, 1, 0x102 * PAGE), EV_NONE);
    CU_ASSERT_EQUAL(frame_of(m, 1, 0x104 * PAGE), 0);
    CU_ASSERT_EQUAL(m->counters.evictions, 2);
    CU_ASSERT_EQUAL(m->counters.swap_outs, 0);
    CU_ASSERT_EQUAL(m->counters.faults, 6);
    test_verify(m);
    machine_destroy(m);
}

/* The same start with a TLB of 16 entries. Clearing an Accessed bit
 * leaves the translation cached (x86's ptep_clear_flush_young flushes
 * nothing), so the next use of 0x101 hits the TLB, sets nothing, and the
 * page just used is the next victim. */
static void test_accessed_clear_keeps_tlb(void)
{
    struct machine *m = test_machine("x86_64", 4, 8, 16, POLICY_linux);
    test_process(m, 1, 0, 0);
    for (uint64_t i = 0; i < 5; i++) {
        struct op op = test_ref(PAGE, 0x100 + i, false, UINT64_MAX);
        test_run_op(m, &op);
    }
    CU_ASSERT_EQUAL(m->counters.evictions, 1);
    CU_ASSERT_FALSE(machine_frame_referenced(m, 1));
    int cached = tlb_find(&m->tlb, machine_process(m, 1)->asid, 0x101 * PAGE,
                          (unsigned[]){12}, 1);
    CU_ASSERT(cached >= 0);
    struct op op = test_ref(PAGE, 0x101, false, UINT64_MAX);
    test_run_op(m, &op);
    CU_ASSERT_EQUAL(test_seen(EV_TLB_HIT), 1);
    CU_ASSERT_EQUAL(test_seen(EV_WALK_STEP), 0);
    CU_ASSERT_FALSE(machine_frame_referenced(m, 1));
    op = test_ref(PAGE, 0x105, false, UINT64_MAX);
    test_run_op(m, &op);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 1);
    CU_ASSERT_STRING_EQUAL(test_first(EV_VICTIM_CHOSEN).detail,
                           "frame 1 is the oldest unreferenced inactive page (0 promoted, 0 "
                           "demoted)");
    CU_ASSERT_EQUAL(frame_of(m, 1, 0x101 * PAGE), EV_NONE);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 8. context switches, global entries, shootdown                       */

static void test_switch_without_asid(void)
{
    struct machine *m = custom_machine(64, 0, 16, POLICY_fifo, false, 0, 0);
    const uint64_t base = 0x10000000, kern = 0x40000000;
    test_process(m, 1, base, 4 * PAGE);
    test_process(m, 2, base, 4 * PAGE);
    char why[200];
    struct area g = {.start = kern, .end = kern + PAGE, .prot = PROT_R | PROT_W,
                     .kind = AREA_ANON, .global = true};
    strcpy(g.name, "global");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &g, why, sizeof why));
    test_run_access(m, 1, ACCESS_WRITE, base);
    test_run_access(m, 1, ACCESS_WRITE, base + PAGE);
    test_run_access(m, 1, ACCESS_WRITE, kern);
    CU_ASSERT(test_leaf(m, 1, kern) & PTE_GLOBAL);
    CU_ASSERT_FALSE(test_leaf(m, 1, base) & PTE_GLOBAL);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 3);

    struct op sw = {.kind = OP_SWITCH, .pid = 2};
    struct event ev = test_run_op(m, &sw);
    CU_ASSERT_EQUAL(test_nevents, 2);
    CU_ASSERT_EQUAL(test_events[0].kind, EV_CONTEXT_SWITCH);
    CU_ASSERT_EQUAL(ev.kind, EV_TLB_FLUSH);
    CU_ASSERT_STRING_EQUAL(ev.detail,
                           "no ASID tags: loading CR3 drops every non-global entry (2)");
    CU_ASSERT_EQUAL(m->counters.tlb_flushes, 1);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 1);
    CU_ASSERT_EQUAL(machine_running(m)->pid, 2);

    sw.pid = 1;
    test_run_op(m, &sw);
    CU_ASSERT_EQUAL(m->counters.tlb_flushes, 2);
    uint64_t hits = m->counters.tlb_hits, misses = m->counters.tlb_misses;
    /* The global entry survived both switches; the others did not. */
    test_run_access(m, 1, ACCESS_READ, kern);
    CU_ASSERT_EQUAL(m->counters.tlb_hits, hits + 1);
    CU_ASSERT_EQUAL(m->counters.tlb_misses, misses);
    test_run_access(m, 1, ACCESS_READ, base);
    test_run_access(m, 1, ACCESS_READ, base + PAGE);
    CU_ASSERT_EQUAL(m->counters.tlb_misses, misses + 2);
    CU_ASSERT_EQUAL(m->counters.faults, 3);
    test_verify(m);
    machine_destroy(m);
}

static void test_switch_with_asid(void)
{
    struct machine *m = custom_machine(64, 0, 16, POLICY_fifo, true, 0, 0);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 4 * PAGE);
    test_process(m, 2, base, 4 * PAGE);
    test_run_access(m, 1, ACCESS_WRITE, base);
    test_run_access(m, 1, ACCESS_WRITE, base + PAGE);
    struct op sw = {.kind = OP_SWITCH, .pid = 2};
    struct event ev = test_run_op(m, &sw);
    CU_ASSERT_EQUAL(test_nevents, 1);
    CU_ASSERT_EQUAL(ev.kind, EV_CONTEXT_SWITCH);
    CU_ASSERT_EQUAL(m->counters.tlb_flushes, 0);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 2);
    test_run_access(m, 2, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 3);
    sw.pid = 1;
    test_run_op(m, &sw);
    uint64_t hits = m->counters.tlb_hits, misses = m->counters.tlb_misses;
    ev = test_run_access(m, 1, ACCESS_READ, base);
    CU_ASSERT_EQUAL(test_events[1].kind, EV_TLB_HIT);
    CU_ASSERT_EQUAL(ev.frame, frame_of(m, 1, base));
    test_run_access(m, 1, ACCESS_READ, base + PAGE);
    CU_ASSERT_EQUAL(m->counters.tlb_hits, hits + 2);
    CU_ASSERT_EQUAL(m->counters.tlb_misses, misses);
    CU_ASSERT_EQUAL(m->counters.tlb_flushes, 0);
    /* Same VA, different ASIDs, different frames. */
    CU_ASSERT_NOT_EQUAL(frame_of(m, 1, base), frame_of(m, 2, base));
    test_verify(m);
    machine_destroy(m);
}

static void test_shootdown_after_fork(void)
{
    struct machine *m = test_machine("x86_64", 4, 16, 16, POLICY_fifo);
    const uint64_t base = 0x10000000;
    test_process(m, 1, base, 8 * PAGE);
    test_run_access(m, 1, ACCESS_WRITE, base); /* frame 0 */
    fork_op(m, 1, 2);
    test_run_access(m, 1, ACCESS_READ, base);
    test_run_access(m, 2, ACCESS_READ, base);
    uint16_t asid1 = machine_process(m, 1)->asid, asid2 = machine_process(m, 2)->asid;
    CU_ASSERT_NOT_EQUAL(asid1, asid2);
    unsigned spans[1] = {12};
    CU_ASSERT(tlb_find(&m->tlb, asid1, base, spans, 1) >= 0);
    CU_ASSERT(tlb_find(&m->tlb, asid2, base, spans, 1) >= 0);
    for (uint64_t i = 1; i < 4; i++)
        test_run_access(m, 1, ACCESS_WRITE, base + i * PAGE); /* frames 1-3 */

    /* The next page evicts frame 0, mapped by both: both entries go. */
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, base + 4 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 0);
    CU_ASSERT_EQUAL(test_seen(EV_UNMAPPED), 2);
    CU_ASSERT_EQUAL(test_seen(EV_TLB_INVALIDATE), 2);
    unsigned k = 0;
    uint32_t pids[2] = {0, 0};
    for (unsigned i = 0; i < test_nevents; i++)
        if (test_events[i].kind == EV_TLB_INVALIDATE && k < 2) {
            pids[k++] = test_events[i].other_pid;
            CU_ASSERT_EQUAL(test_events[i].other_vpn, base / PAGE);
        }
    CU_ASSERT_EQUAL(pids[0], 1);
    CU_ASSERT_EQUAL(pids[1], 2);
    CU_ASSERT(tlb_find(&m->tlb, asid1, base, spans, 1) < 0);
    CU_ASSERT(tlb_find(&m->tlb, asid2, base, spans, 1) < 0);
    /* Both now hold the same swap slot. */
    uint64_t e1 = test_leaf(m, 1, base), e2 = test_leaf(m, 2, base);
    CU_ASSERT(pte_is_swap(e1));
    CU_ASSERT_EQUAL(e1, e2);
    CU_ASSERT_EQUAL(swap_at(&m->swap, pte_slot(e1))->refs, 2);
    CU_ASSERT_EQUAL(machine_process(m, 2)->resident, 0);
    CU_ASSERT_EQUAL(machine_process(m, 2)->swapped, 1);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* 9. huge pages                                                        */

static void test_huge_pages(void)
{
    struct machine *m = test_machine("x86_64", 4096, 0, 16, POLICY_clock);
    test_process(m, 1, 0, 0);
    const uint64_t base = 0x40000000, size = 4 * MiB;
    add_huge_area(m, base, size);

    for (uint64_t off = 0; off < size; off += PAGE)
        test_access(m, 1, ACCESS_WRITE, base + off);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 2);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 2);
    CU_ASSERT_EQUAL(m->counters.table_allocs, 3); /* root, PUD, PMD: no PTE table */
    CU_ASSERT_EQUAL(m->huge_pages, 2);
    CU_ASSERT_EQUAL(resident(m, 1), 1024);
    /* Frames 0-2 hold tables: the aligned runs are 512-1023 and 1024-1535. */
    CU_ASSERT_EQUAL(m->pool.free_data, 4096 - 3 - 1024);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 512)->compound, FRAME_HEAD);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1024)->compound, FRAME_HEAD);
    unsigned tails = 0;
    for (uint32_t f = 512; f < 1536; f++)
        tails += frames_at(&m->pool, f)->compound == FRAME_TAIL && frames_at(&m->pool, f)->kind == FRAME_ANON;
    CU_ASSERT_EQUAL(tails, 1022);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 511)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1536)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 512)->nmaps, 1);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 512)->maps[0].vpn, base / PAGE);

    const struct process *p = machine_process(m, 1);
    struct walk_result w = machine_walk(m, p, base + 0x123456);
    CU_ASSERT(w.complete);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT(*w.slot & PTE_HUGE);
    CU_ASSERT_EQUAL(pte_frame(*w.slot), 512);
    w = machine_walk(m, p, base + 2 * MiB + 5);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT_EQUAL(pte_frame(*w.slot), 1024);

    /* One TLB entry per 2 MiB: the faulting accesses missed twice each. */
    CU_ASSERT_EQUAL(m->counters.tlb_misses, 4);
    unsigned huge_span[1] = {21};
    int i = tlb_find(&m->tlb, p->asid, base + 0x1ff000, huge_span, 1);
    CU_ASSERT_FATAL(i >= 0);
    CU_ASSERT_EQUAL(m->tlb.entries[i].span_shift, 21);
    CU_ASSERT_EQUAL(m->tlb.entries[i].frame, 512);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 2);
    uint64_t hits = m->counters.tlb_hits;
    for (uint64_t off = 0; off < size; off += PAGE)
        test_access(m, 1, ACCESS_READ, base + off);
    CU_ASSERT_EQUAL(m->counters.tlb_misses, 4);
    CU_ASSERT_EQUAL(m->counters.tlb_hits, hits + 1024);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    struct event ev = test_access(m, 1, ACCESS_READ, base + 2 * MiB + 0x3456);
    CU_ASSERT_EQUAL(ev.pa, 1024 * PAGE + 0x3456);

    /* munmap frees every frame of both. */
    struct op un = {.kind = OP_MUNMAP, .pid = 1, .va = base, .size = size};
    ev = test_run_op(m, &un);
    CU_ASSERT_EQUAL(ev.kind, EV_MUNMAP);
    CU_ASSERT_EQUAL(m->pool.free_data, 4096 - 3);
    CU_ASSERT_EQUAL(m->huge_pages, 0);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    unsigned still = 0;
    for (uint32_t f = 512; f < 1536; f++)
        still += frames_at(&m->pool, f)->kind != FRAME_FREE || frames_at(&m->pool, f)->compound != 0;
    CU_ASSERT_EQUAL(still, 0);
    CU_ASSERT_EQUAL(tlb_count_valid(&m->tlb), 0);
    test_verify(m);
    machine_destroy(m);
}

static void test_huge_read_before_write(void)
{
    /* Linux 6.18 with MADV_HUGEPAGE (tests/linux/case-thp.c): reading a
     * 2 MiB range first maps the huge zero page (1 fault, no memory of its
     * own); the first write faults again and gets a huge page (1 fault). */
    struct machine *m = test_machine("x86_64", 4096, 0, 16, POLICY_clock);
    test_process(m, 1, 0, 0);
    const uint64_t base = 0x40000000;
    add_huge_area(m, base, 4 * MiB);
    uint32_t free0 = m->pool.free_data;
    for (uint64_t off = 0; off < 2 * MiB; off += PAGE)
        test_access(m, 1, ACCESS_READ, base + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 0);
    CU_ASSERT_EQUAL(m->huge_pages, 1);
    /* Root, PUD, PMD, then the aligned run 512-1023 for the huge zero page. */
    CU_ASSERT_EQUAL(m->huge_zero_frame, 512);
    CU_ASSERT_EQUAL(m->zero_frame, VM_NO_FRAME);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 512)->kind, FRAME_ZERO);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1023)->kind, FRAME_ZERO);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1023)->compound, FRAME_TAIL);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 2 - 512);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    const struct process *p = machine_process(m, 1);
    struct walk_result w = machine_walk(m, p, base + 0x1234);
    CU_ASSERT(w.complete);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT(*w.slot & PTE_HUGE);
    CU_ASSERT_FALSE(*w.slot & PTE_WRITABLE);
    CU_ASSERT_EQUAL(pte_frame(*w.slot), 512);

    /* The second 2 MiB range, read too, shares the same huge zero page. */
    test_access(m, 1, ACCESS_READ, base + 2 * MiB);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 2);
    CU_ASSERT_EQUAL(m->huge_pages, 2);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 2 - 512);

    /* The first write to the range: one fault, 512 zero-filled frames. */
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, base + 0x5000);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code,
                    FAULT_CODE_USER | FAULT_CODE_PROTECTION | FAULT_CODE_WRITE);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_FILL), 1);
    CU_ASSERT_EQUAL(test_first(EV_ZERO_FILL).size, 512);
    for (uint64_t off = 0; off < 2 * MiB; off += PAGE)
        test_access(m, 1, ACCESS_WRITE, base + off);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 3);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 1);
    CU_ASSERT_EQUAL(m->huge_pages, 2);
    CU_ASSERT_EQUAL(resident(m, 1), 512);
    w = machine_walk(m, p, base);
    CU_ASSERT_EQUAL(w.level, 2);
    CU_ASSERT(*w.slot & PTE_WRITABLE);
    CU_ASSERT_EQUAL(pte_frame(*w.slot), 1024);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 1024)->kind, FRAME_ANON);
    /* The huge zero page stays, for the other range and for everyone. */
    CU_ASSERT_EQUAL(frames_at(&m->pool, 512)->kind, FRAME_ZERO);
    CU_ASSERT_EQUAL(frame_of(m, 1, base + 2 * MiB + PAGE), 513); /* page 1 of the run */

    /* munmap of everything: the huge page is freed, the huge zero page kept. */
    struct op un = {.kind = OP_MUNMAP, .pid = 1, .va = base, .size = 4 * MiB};
    test_run_op(m, &un);
    CU_ASSERT_EQUAL(m->huge_pages, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 2 - 512);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 512)->kind, FRAME_ZERO);
    test_verify(m);
    machine_destroy(m);
}

static void test_fetch_maps_zero_page(void)
{
    /* Linux (tests/linux/case-exec-fetch.c): a fetch from fresh private
     * anonymous memory is no write: the zero page, then the first write
     * faults again. Exec then write: two faults, one frame. */
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    test_process(m, 1, 0, 0);
    struct area x = add_anon_area(m, 1, 0x20000000, 2, PROT_R | PROT_W | PROT_X, "jit");
    uint32_t free0 = m->pool.free_data;
    struct event ev = test_run_access(m, 1, ACCESS_EXEC, x.start);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_ZERO_PAGE);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code, FAULT_CODE_USER | FAULT_CODE_FETCH);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_FILL), 0);
    CU_ASSERT_EQUAL(frame_of(m, 1, x.start), m->zero_frame);
    CU_ASSERT_EQUAL(resident(m, 1), 0);
    test_run_access(m, 1, ACCESS_WRITE, x.start);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 2);
    CU_ASSERT_EQUAL(m->counters.zero_fills, 1);
    CU_ASSERT_EQUAL(resident(m, 1), 1);
    /* Three tables, the zero page, the page: five frames. */
    CU_ASSERT_EQUAL(m->pool.free_data, free0 - 2);
    CU_ASSERT_EQUAL(test_run_access(m, 1, ACCESS_EXEC, x.start).kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    test_verify(m);
    machine_destroy(m);
}

static void test_huge_page_fallback(void)
{
    /* 1024 page frames, tables apart. Fill them all, then free 600 in the
     * middle: enough free frames, but no aligned run of 512. */
    struct machine *m = test_machine("x86_64", 1024, 32, 16, POLICY_fifo);
    const uint64_t frag = 0x10000000, base = 0x40000000;
    test_process(m, 1, frag, 1024 * PAGE);
    for (uint64_t i = 0; i < 1024; i++)
        test_access(m, 1, ACCESS_WRITE, frag + i * PAGE);
    CU_ASSERT_EQUAL(m->pool.free_data, 0);
    struct op un = {.kind = OP_MUNMAP, .pid = 1, .va = frag + 100 * PAGE, .size = 600 * PAGE};
    test_run_op(m, &un);
    CU_ASSERT_EQUAL(m->pool.free_data, 600);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 99)->kind, FRAME_ANON);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 700)->kind, FRAME_ANON);

    add_huge_area(m, base, 2 * MiB);
    uint64_t faults = m->counters.faults, fills = m->counters.zero_fills;
    for (uint64_t i = 0; i < 4; i++)
        test_access(m, 1, ACCESS_WRITE, base + i * PAGE);
    CU_ASSERT_EQUAL(m->counters.faults, faults + 4);
    CU_ASSERT_EQUAL(m->counters.zero_fills, fills + 4);
    CU_ASSERT_EQUAL(m->huge_pages, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, 596);
    const struct process *p = machine_process(m, 1);
    struct walk_result w = machine_walk(m, p, base);
    CU_ASSERT(w.complete);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT_FALSE(*w.slot & PTE_HUGE);
    for (uint64_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(frame_of(m, 1, base + i * PAGE), 100 + i);
        CU_ASSERT_EQUAL(frames_at(&m->pool, 100 + i)->compound, 0);
    }
    test_verify(m);
    machine_destroy(m);
}

static void test_huge_translate(void)
{
    /* machine_translate must agree with the MMU: inside a huge page the
     * offset is the low 21 bits, not the low 12. */
    struct machine *m = test_machine("x86_64", 4096, 0, 16, POLICY_clock);
    test_process(m, 1, 0, 0);
    const uint64_t base = 0x40000000;
    add_huge_area(m, base, 2 * MiB);
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, base + 0x123456);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(ev.pa, 512 * PAGE + 0x123456);
    CU_ASSERT_EQUAL(machine_translate(m, machine_process(m, 1), base + 0x123456),
                    512 * PAGE + 0x123456);
    test_verify(m);
    machine_destroy(m);
}

static void test_huge_partial_mprotect(void)
{
    /* mprotect of one 4 KiB page inside a huge page: that page must stay
     * read-only even after a write to the rest of the huge page (Linux
     * splits the PMD mapping first). */
    struct machine *m = test_machine("x86_64", 4096, 0, 16, POLICY_clock);
    test_process(m, 1, 0, 0);
    const uint64_t base = 0x40000000;
    add_huge_area(m, base, 2 * MiB);
    test_run_access(m, 1, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(m->huge_pages, 1);
    struct op op = {.kind = OP_MPROTECT, .pid = 1, .va = base, .size = PAGE, .prot = PROT_R};
    test_run_op(m, &op);
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, base);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    ev = test_run_access(m, 1, ACCESS_WRITE, base + 2 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    ev = test_run_access(m, 1, ACCESS_WRITE, base + 8);
    CU_ASSERT_EQUAL(ev.kind, EV_SEGFAULT);
    CU_ASSERT_EQUAL(ev.fault_kind, FAULT_ACCERR);
    CU_ASSERT_EQUAL(m->counters.segfaults, 2);
    test_verify(m);
    machine_destroy(m);
}

static void test_fork_write_protects_global_entries(void)
{
    /* A private writable page whose entry is global: fork makes the entry
     * read-only, so the parent's cached translation must not keep allowing
     * writes. The parent's next write faults and copies; the child keeps
     * the page as it was at fork. */
    struct machine *m = test_machine("x86_64", 64, 16, 16, POLICY_fifo);
    test_process(m, 1, 0, 0);
    const uint64_t va = 0x10000000;
    char why[200];
    struct area g = {.start = va, .end = va + PAGE, .prot = PROT_R | PROT_W,
                     .kind = AREA_ANON, .global = true};
    strcpy(g.name, "global");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &g, why, sizeof why));
    test_run_access(m, 1, ACCESS_WRITE, va); /* frame 0, a global TLB entry */
    CU_ASSERT(test_leaf(m, 1, va) & PTE_GLOBAL);
    fork_op(m, 1, 2);
    CU_ASSERT_FALSE(test_leaf(m, 1, va) & PTE_WRITABLE);
    struct event ev = test_run_access(m, 1, ACCESS_WRITE, va);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_FAULT), 1);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 1);
    CU_ASSERT_EQUAL(frame_of(m, 2, va), 0);
    CU_ASSERT_NOT_EQUAL(frame_of(m, 1, va), 0);
    test_verify(m);
    machine_destroy(m);
}

static void test_picked_asids_are_unique(void)
{
    /* A process given ASID 2 and one left to pick (asid 0) must not share
     * a tag, or the second would hit the first's TLB entries. */
    struct machine *m = test_machine("x86_64", 64, 0, 16, POLICY_fifo);
    char why[200];
    CU_ASSERT_FATAL(machine_add_process(m, 1, "a", 2, why, sizeof why));
    CU_ASSERT_FATAL(machine_add_process(m, 2, "b", 0, why, sizeof why));
    CU_ASSERT_NOT_EQUAL(machine_process(m, 1)->asid, machine_process(m, 2)->asid);
    const uint64_t va = 0x10000000;
    struct area a = {.start = va, .end = va + PAGE, .prot = PROT_R | PROT_W, .kind = AREA_ANON};
    strcpy(a.name, "data");
    CU_ASSERT_FATAL(machine_add_area(m, 1, &a, why, sizeof why));
    CU_ASSERT_FATAL(machine_add_area(m, 2, &a, why, sizeof why));
    struct event e1 = test_run_access(m, 1, ACCESS_WRITE, va);
    struct event e2 = test_run_access(m, 2, ACCESS_WRITE, va);
    CU_ASSERT_EQUAL(m->counters.faults, 2);
    CU_ASSERT_NOT_EQUAL(e1.frame, e2.frame);
    test_verify(m);
    machine_destroy(m);
}

/* The writes of tests/linux/case-shared-file-write.c, without its large
 * folios (vmviz's page cache holds single pages), measured on Linux 6.18:
 * a write to a clean cached page not yet mapped, 1 fault; a read of
 * another, 1; the write after that read, 1 more (write notification); a
 * write to a page fault-around mapped read-only, 1; a write to a page
 * already written through the mapping, 0. */
static void test_shared_file_write_notify(void)
{
    struct machine *m = custom_machine(64, 16, 16, POLICY_fifo, true, 16, 0);
    uint32_t id = add_file(m, "data", 32, NULL, 0, true);
    test_process(m, 1, 0, 0);
    const uint64_t map = 0x20000000; /* 16-page aligned */
    do_mmap(m, 1, map, 32 * PAGE, PROT_R | PROT_W, true, id + 1, false, "data");

    struct event ev = test_run_access(m, 1, ACCESS_WRITE, map);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 1);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_FILE_CACHED);
    CU_ASSERT(test_leaf(m, 1, map) & PTE_WRITABLE);
    CU_ASSERT(frames_at(&m->pool, ev.frame)->dirty);
    CU_ASSERT_EQUAL(frame_of(m, 1, map + PAGE), EV_NONE); /* no fault-around on a write */

    /* A read of page 16 maps it, and fault-around its 15 neighbours,
     * read-only and clean. */
    test_run_access(m, 1, ACCESS_READ, map + 16 * PAGE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 2);
    uint64_t e = test_leaf(m, 1, map + 16 * PAGE);
    CU_ASSERT(pte_present(e));
    CU_ASSERT_FALSE(e & PTE_WRITABLE);
    CU_ASSERT_FALSE(frames_at(&m->pool, pte_frame(e))->dirty);
    CU_ASSERT(pte_present(test_leaf(m, 1, map + 17 * PAGE)));

    /* The first write to it: a minor fault, no copy, the same frame, now
     * writable and dirty. */
    uint32_t frame = pte_frame(e);
    ev = test_run_access(m, 1, ACCESS_WRITE, map + 16 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_PAGE_FAULT).fault_code,
                    FAULT_CODE_USER | FAULT_CODE_PROTECTION | FAULT_CODE_WRITE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_WRITE_NOTIFY);
    CU_ASSERT_EQUAL(test_seen(EV_WRITE_NOTIFY), 1);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY) + test_seen(EV_COW_REUSE) + test_seen(EV_FRAME_ALLOC), 0);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 3);
    CU_ASSERT_EQUAL(m->counters.cow_copies, 0);
    CU_ASSERT_EQUAL(ev.frame, frame);
    e = test_leaf(m, 1, map + 16 * PAGE);
    CU_ASSERT((e & (PTE_WRITABLE | PTE_DIRTY)) == (PTE_WRITABLE | PTE_DIRTY));
    CU_ASSERT(frames_at(&m->pool, frame)->dirty);

    /* A page fault-around mapped: its first write faults too. */
    test_run_access(m, 1, ACCESS_WRITE, map + 17 * PAGE);
    CU_ASSERT_EQUAL(m->counters.minor_faults, 4);
    /* Pages already written: no fault. */
    test_run_access(m, 1, ACCESS_WRITE, map + 16 * PAGE + 8);
    test_run_access(m, 1, ACCESS_WRITE, map + 8);
    CU_ASSERT_EQUAL(m->counters.faults, 4);
    CU_ASSERT_EQUAL(m->counters.major_faults, 0);

    /* Shared anonymous memory wants no notice: a read maps it writable. */
    const uint64_t shm = 0x30000000;
    do_mmap(m, 1, shm, PAGE, PROT_R | PROT_W, true, 0, false, "shm");
    test_run_access(m, 1, ACCESS_READ, shm);
    CU_ASSERT(test_leaf(m, 1, shm) & PTE_WRITABLE);
    test_run_access(m, 1, ACCESS_WRITE, shm);
    CU_ASSERT_EQUAL(m->counters.faults, 5);
    test_verify(m);
    machine_destroy(m);
}

static void test_shared_file_dirt_survives_exit(void)
{
    /* A shared write, then the writer exits: the cache page is still dirty
     * and is written back when it is evicted; the clean one is dropped. */
    struct machine *m = test_machine("x86_64", 4, 16, 16, POLICY_fifo);
    uint32_t id = add_file(m, "data", 2, NULL, 0, true); /* frames 0, 1 */
    test_process(m, 1, 0, 0);
    const uint64_t map = 0x20000000, heap = 0x10000000;
    do_mmap(m, 1, map, 2 * PAGE, PROT_R | PROT_W, true, id + 1, false, "data");
    test_run_access(m, 1, ACCESS_WRITE, map);
    test_run_access(m, 1, ACCESS_READ, map + PAGE);
    CU_ASSERT(frames_at(&m->pool, 0)->dirty); /* fault_dirty_shared_page */
    CU_ASSERT(test_leaf(m, 1, map) & PTE_DIRTY);
    CU_ASSERT_FALSE(test_leaf(m, 1, map + PAGE) & PTE_WRITABLE); /* read: until written */
    struct op ex = {.kind = OP_EXIT, .pid = 1};
    test_run_op(m, &ex);
    CU_ASSERT(frames_at(&m->pool, 0)->dirty);
    CU_ASSERT_FALSE(frames_at(&m->pool, 1)->dirty);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->nmaps, 0);
    CU_ASSERT_EQUAL(object_frame(&m->objects[id], 0), 0);
    test_process(m, 2, heap, 4 * PAGE);
    test_run_access(m, 2, ACCESS_WRITE, heap);        /* frame 2 */
    test_run_access(m, 2, ACCESS_WRITE, heap + PAGE); /* frame 3 */
    test_run_access(m, 2, ACCESS_WRITE, heap + 2 * PAGE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 0);
    CU_ASSERT_EQUAL(test_seen(EV_WRITEBACK), 1);
    CU_ASSERT_EQUAL(m->counters.writebacks, 1);
    test_run_access(m, 2, ACCESS_WRITE, heap + 3 * PAGE);
    CU_ASSERT_EQUAL(test_first(EV_VICTIM_CHOSEN).victim, 1);
    CU_ASSERT_EQUAL(test_seen(EV_PAGE_DROPPED), 1);
    CU_ASSERT_EQUAL(m->counters.writebacks, 1);
    CU_ASSERT_EQUAL(m->counters.evictions, 2);
    test_verify(m);
    machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* running a program: spawn, execve, brk                              */

#define TOP (m->cfg.geo.user_top & ~(PAGE - 1)) /* the top of user space */
#define STACK_PAGES 33               /* the arguments' page and 128 KiB */

static struct op program_op(enum op_kind kind, uint32_t pid, uint32_t child, uint32_t file)
{
    struct op op = {.kind = kind, .pid = pid, .child = child, .file = file + 1,
                    .image = {.base = 0x400000, .text = PAGE, .data = PAGE, .bss = 2 * PAGE}};
    strcpy(op.name, "hello");
    return op;
}

static void test_spawn_builds_address_space(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 8, POLICY_clock);
    uint32_t file = add_file(m, "hello", 2, NULL, 0, true);
    test_process(m, 1, 0x10000000, 4 * PAGE);
    struct counters before = m->counters;
    struct op op = program_op(OP_SPAWN, 1, 2, file);
    struct event last = test_run_op(m, &op);
    /* SPAWN, FAULT_CLASSIFIED, (FRAME_ALLOC, TABLE_ALLOC) x 3, FRAME_ALLOC,
     * ZERO_FILL, PTE_UPDATE: no access, no TLB, no restart. */
    static const enum event_kind want[] = {
        EV_SPAWN, EV_FAULT_CLASSIFIED, EV_FRAME_ALLOC, EV_TABLE_ALLOC, EV_FRAME_ALLOC,
        EV_TABLE_ALLOC, EV_FRAME_ALLOC, EV_TABLE_ALLOC, EV_FRAME_ALLOC, EV_ZERO_FILL,
        EV_PTE_UPDATE};
    CU_ASSERT_EQUAL_FATAL(test_nevents, sizeof want / sizeof want[0]);
    for (unsigned i = 0; i < test_nevents; i++)
        CU_ASSERT_EQUAL(test_events[i].kind, want[i]);
    CU_ASSERT_EQUAL(last.kind, EV_PTE_UPDATE);
    CU_ASSERT_FALSE(machine_busy(m));
    /* Frames 0 and 1 cache the file, 2 is the shell's root, 3 the child's. */
    CU_ASSERT_EQUAL(test_events[0].pid, 1);
    CU_ASSERT_EQUAL(test_events[0].other_pid, 2);
    CU_ASSERT_EQUAL(test_events[0].frame, 3);
    CU_ASSERT_EQUAL(test_events[1].pid, 2);
    CU_ASSERT_EQUAL(test_events[1].va, TOP - 8);
    CU_ASSERT_EQUAL(test_events[1].access, ACCESS_WRITE);
    CU_ASSERT_EQUAL(test_events[1].fault_kind, FAULT_ZERO_FILL);
    CU_ASSERT_EQUAL(test_events[9].frame, 7);
    CU_ASSERT_EQUAL(last.frame, 7);
    CU_ASSERT_EQUAL(last.entry & (PTE_PRESENT | PTE_WRITABLE | PTE_DIRTY),
                    PTE_PRESENT | PTE_WRITABLE | PTE_DIRTY);
    CU_ASSERT_EQUAL(m->counters.faults - before.faults, 1);
    CU_ASSERT_EQUAL(m->counters.minor_faults - before.minor_faults, 1);
    CU_ASSERT_EQUAL(m->counters.zero_fills - before.zero_fills, 1);
    CU_ASSERT_EQUAL(m->counters.table_allocs - before.table_allocs, 4);
    CU_ASSERT_EQUAL(m->counters.accesses - before.accesses, 0);
    CU_ASSERT_EQUAL(m->counters.tlb_misses - before.tlb_misses, 0);

    const struct process *c = machine_process(m, 2);
    CU_ASSERT_STRING_EQUAL(c->name, "hello");
    CU_ASSERT_EQUAL(c->root, 3);
    CU_ASSERT_EQUAL(c->resident, 1);
    CU_ASSERT_EQUAL(c->heap_start, 0x400000 + 4 * PAGE);
    CU_ASSERT_EQUAL(c->brk, 0x400000 + 4 * PAGE);
    CU_ASSERT_EQUAL_FATAL(c->nareas, 4);
    const struct {
        const char *name;
        uint64_t start, end, offset;
        uint8_t prot, kind;
    } areas[] = {
        {"text", 0x400000, 0x401000, 0, PROT_R | PROT_X, AREA_FILE},
        {"data", 0x401000, 0x402000, PAGE, PROT_R | PROT_W, AREA_FILE},
        {"bss", 0x402000, 0x404000, 0, PROT_R | PROT_W, AREA_ANON},
        {"stack", TOP - STACK_PAGES * PAGE, TOP, 0, PROT_R | PROT_W, AREA_ANON},
    };
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_STRING_EQUAL(c->areas[i].name, areas[i].name);
        CU_ASSERT_EQUAL(c->areas[i].start, areas[i].start);
        CU_ASSERT_EQUAL(c->areas[i].end, areas[i].end);
        CU_ASSERT_EQUAL(c->areas[i].prot, areas[i].prot);
        CU_ASSERT_EQUAL(c->areas[i].kind, areas[i].kind);
        CU_ASSERT_EQUAL(c->areas[i].file_offset, areas[i].offset);
        CU_ASSERT_EQUAL(c->areas[i].object, areas[i].kind == AREA_FILE ? file : EV_NONE);
    }
    /* Only the stack's top page is present. */
    CU_ASSERT_EQUAL(frame_of(m, 2, TOP - PAGE), 7);
    CU_ASSERT_EQUAL(frame_of(m, 2, TOP - 2 * PAGE), EV_NONE);
    CU_ASSERT_EQUAL(frame_of(m, 2, 0x400000), EV_NONE);

    /* The first fetch maps the cached text page: frame 0, minor, no zero fill. */
    struct event ev = test_run_access(m, 2, ACCESS_EXEC, 0x400000);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_first(EV_FAULT_CLASSIFIED).fault_kind, FAULT_FILE_CACHED);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_FILL), 0);
    CU_ASSERT_EQUAL(frame_of(m, 2, 0x400000), 0);
    /* A write to data copies the file's page 1 (frame 1). */
    test_run_access(m, 2, ACCESS_WRITE, 0x401000);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 1);
    CU_ASSERT_EQUAL(test_first(EV_COW_COPY).victim, 1);
    CU_ASSERT_NOT_EQUAL(frame_of(m, 2, 0x401000), 1);
    machine_destroy(m);
}

static void test_execve_replaces_address_space(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 8, POLICY_clock);
    uint32_t file = add_file(m, "hello", 2, NULL, 0, true);
    const uint64_t heap = 0x10000000;
    test_process(m, 1, heap, 4 * PAGE);
    for (unsigned i = 0; i < 4; i++)
        test_run_access(m, 1, ACCESS_WRITE, heap + i * PAGE);
    fork_op(m, 1, 2);
    uint32_t old_root = machine_process(m, 2)->root;
    CU_ASSERT_EQUAL(resident(m, 2), 4);
    uint32_t free_before = m->pool.free_data;
    struct op op = program_op(OP_EXECVE, 2, 0, file);
    test_run_op(m, &op);
    CU_ASSERT_EQUAL_FATAL(test_events[0].kind, EV_EXECVE);
    CU_ASSERT_EQUAL(test_events[0].pid, 2);
    CU_ASSERT_STRING_EQUAL(test_events[0].detail,
                           "'hello' replaces the address space: 4 resident pages and 0 in swap "
                           "released, a new root table in frame 14");
    CU_ASSERT_EQUAL(test_events[0].frame, 14);
    const struct process *c = machine_process(m, 2);
    CU_ASSERT(c->alive);
    CU_ASSERT_EQUAL(c->root, 14);
    CU_ASSERT_NOT_EQUAL(c->root, old_root);
    CU_ASSERT_STRING_EQUAL(c->name, "hello");
    CU_ASSERT_EQUAL(c->nareas, 4);
    CU_ASSERT_EQUAL(c->resident, 1);
    CU_ASSERT_EQUAL(process_find_named(c, "heap"), NULL);
    /* The old root and its 3 tables are free; the new root, 3 tables and
     * the stack page are taken: 4 + 0 shared pages freed (the parent still
     * maps them), 5 taken. */
    CU_ASSERT_EQUAL(m->pool.free_data, free_before + 4 - 5);
    /* The parent's pages are its own again: its write reuses them. */
    test_run_access(m, 1, ACCESS_WRITE, heap);
    CU_ASSERT_EQUAL(test_seen(EV_COW_REUSE), 1);
    CU_ASSERT_EQUAL(test_seen(EV_COW_COPY), 0);
    machine_destroy(m);
}

static void test_execve_without_frame_fails(void)
{
    struct machine *m = test_machine("x86_64", 5, 0, 0, POLICY_clock);
    uint32_t file = add_file(m, "hello", 1, NULL, 0, false);
    test_process(m, 1, 0x10000000, PAGE);
    test_run_access(m, 1, ACCESS_WRITE, 0x10000000);
    CU_ASSERT_EQUAL(m->pool.free_data, 0);
    struct op op = program_op(OP_EXECVE, 1, 0, file);
    op.image.data = 0;
    struct event ev = test_run_op(m, &op);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    CU_ASSERT_STRING_EQUAL(ev.detail, "execve: no free frame for the new root table (ENOMEM)");
    const struct process *p = machine_process(m, 1);
    CU_ASSERT_EQUAL(p->resident, 1);
    CU_ASSERT_EQUAL(p->nareas, 1);
    CU_ASSERT_EQUAL(p->root, 0);
    machine_destroy(m);
}

static void test_brk_grows_and_shrinks(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 8, POLICY_clock);
    uint32_t file = add_file(m, "hello", 2, NULL, 0, true);
    test_process(m, 1, 0x10000000, PAGE);
    struct op brk = {.kind = OP_BRK, .pid = 1, .size = PAGE};
    struct event ev = test_run_op(m, &brk);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    struct op op = program_op(OP_SPAWN, 1, 2, file);
    test_run_op(m, &op);
    const uint64_t start = 0x404000;
    brk.pid = 2;
    brk.size = 2 * PAGE + 1; /* three pages */
    ev = test_run_op(m, &brk);
    CU_ASSERT_EQUAL(ev.kind, EV_BRK);
    CU_ASSERT_EQUAL(ev.va, start);
    CU_ASSERT_EQUAL(ev.size, 2 * PAGE + 1);
    const struct process *c = machine_process(m, 2);
    CU_ASSERT_EQUAL(c->brk, start + 2 * PAGE + 1);
    const struct area *h = process_find_named(c, "heap");
    CU_ASSERT_FATAL(h != NULL);
    CU_ASSERT_EQUAL(h->start, start);
    CU_ASSERT_EQUAL(h->end, start + 3 * PAGE);
    CU_ASSERT_EQUAL(test_seen(EV_ZERO_FILL), 0);
    for (unsigned i = 0; i < 3; i++)
        test_run_access(m, 2, ACCESS_WRITE, start + i * PAGE);
    CU_ASSERT_EQUAL(resident(m, 2), 4);
    /* Growing extends the same area. */
    brk.size = 4 * PAGE;
    test_run_op(m, &brk);
    CU_ASSERT_EQUAL(c->nareas, 5);
    CU_ASSERT_EQUAL(process_find_named(c, "heap")->end, start + 4 * PAGE);
    /* Shrinking to one page unmaps the last three, two of them resident. */
    brk.size = PAGE;
    ev = test_run_op(m, &brk);
    CU_ASSERT_EQUAL(ev.kind, EV_BRK);
    CU_ASSERT_STRING_EQUAL(ev.detail, "heap [0x404000, 0x405000), 1 page; 2 resident pages "
                                      "released");
    CU_ASSERT_EQUAL(resident(m, 2), 2);
    CU_ASSERT_EQUAL(process_find_named(c, "heap")->end, start + PAGE);
    /* Up to the stack: refused. */
    brk.size = TOP - start;
    ev = test_run_op(m, &brk);
    CU_ASSERT_EQUAL(ev.kind, EV_OP_FAILED);
    CU_ASSERT_EQUAL(c->brk, start + PAGE);
    machine_destroy(m);
}

/* oom_badness (mm/oom_kill.c) counts a process's resident pages, its swap
 * entries and its page tables: a process with fewer pages in memory but
 * more in swap is the one killed. */
static void test_oom_counts_swap_and_tables(void)
{
    struct machine *m = oom_machine(3, 8, 4);
    const uint64_t base = OOM_BASE;
    /* Each of pid 2's first three pages sends one of pid 1's to swap. */
    for (uint64_t i = 0; i < 3; i++)
        test_run_access(m, 2, ACCESS_WRITE, base + i * PAGE);
    CU_ASSERT_EQUAL(machine_process(m, 1)->resident, 1);
    CU_ASSERT_EQUAL(machine_process(m, 1)->swapped, 3);
    CU_ASSERT_EQUAL(machine_process(m, 2)->resident, 3);
    CU_ASSERT_EQUAL(m->counters.oom_kills, 0);
    /* Swap is full and every page is dirty: nothing can be evicted. pid 1
     * scores 1 + 3 + 3 tables = 7, pid 2 3 + 0 + 3 = 6: pid 1 goes, though
     * pid 2 has more pages in memory. */
    struct event ev = test_run_access(m, 2, ACCESS_WRITE, base + 3 * PAGE);
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    CU_ASSERT_EQUAL(test_seen(EV_OOM_KILL), 1);
    struct event kill = test_first(EV_OOM_KILL);
    CU_ASSERT_EQUAL(kill.other_pid, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(kill.detail, "1 resident + 3 in swap + 3 page tables = 7"));
    CU_ASSERT_FALSE(machine_process(m, 1)->alive);
    CU_ASSERT_EQUAL(machine_process(m, 2)->resident, 4);
    CU_ASSERT_EQUAL(m->swap.used, 0);
    test_verify(m);
    machine_destroy(m);
}

/* Linux links a new table with _PAGE_TABLE (pmd_populate, pud_populate and
 * pgd_populate in arch/x86/include/asm/pgalloc.h): present, writable,
 * user, accessed and dirty, whether a fault made the table or fork did;
 * the leaf entry alone limits an access. */
static void test_table_entries_as_linux_writes_them(void)
{
    struct machine *m = test_machine("x86_64", 16, 8, 0, POLICY_fifo);
    test_process(m, 1, 0x10000000, 0x4000);
    test_run_access(m, 1, ACCESS_READ, 0x10000000);
    test_run_access(m, 1, ACCESS_WRITE, 0x10001000);
    struct op fork = {.kind = OP_FORK, .pid = 1, .child = 2};
    test_run_op(m, &fork);
    const struct geometry *g = &m->cfg.geo;
    for (uint32_t pid = 1; pid <= 2; pid++) {
        const struct process *p = machine_process(m, pid);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        uint32_t table = p->root;
        for (unsigned level = 0; level + 1 < g->levels; level++) {
            uint64_t e = pagetable_at(&m->pt, table)[geometry_index(g, 0x10001000, level)];
            CU_ASSERT_EQUAL(e & ~PTE_ADDR_MASK, PTE_PRESENT | PTE_WRITABLE | PTE_USER |
                                                    PTE_ACCESSED | PTE_DIRTY);
            table = pte_frame(e);
        }
        /* The leaf is the page's own: read-only for copy-on-write after
         * fork, so no Writable came down from the levels above. */
        uint64_t leaf = pagetable_at(&m->pt, table)[geometry_index(g, 0x10001000, g->levels - 1)];
        CU_ASSERT_TRUE(pte_present(leaf) && !(leaf & PTE_WRITABLE));
    }
    machine_destroy(m);
}

void suite_fidelity_register(void)
{
    CU_pSuite s = CU_add_suite("fidelity", NULL, NULL);
    CU_add_test(s, "a read maps the zero page; a write then zero-fills", test_zero_page);
    CU_add_test(s, "spawn: areas only, the stack's top page faulted in by execve",
                test_spawn_builds_address_space);
    CU_add_test(s, "execve releases the old address space and keeps the pid",
                test_execve_replaces_address_space);
    CU_add_test(s, "execve without a frame for its root fails and changes nothing",
                test_execve_without_frame_fails);
    CU_add_test(s, "brk grows the heap area and shrinks it as munmap does",
                test_brk_grows_and_shrinks);
    CU_add_test(s, "seed program, and reading before writing",
                test_seed_program_and_read_first);
    CU_add_test(s, "fork shares frames; the first write copies, the last reuses",
                test_fork_cow);
    CU_add_test(s, "the parent exits: the child keeps the shared pages", test_fork_exit_parent);
    CU_add_test(s, "fork copies the entries of areas with anonymous pages only",
                test_fork_copies_only_anonymous_areas);
    CU_add_test(s, "fork shares swap slots; both swap in as major faults",
                test_fork_shares_swap_slots);
    CU_add_test(s, "page cache: minor when cached, major when read, same frame for all",
                test_file_cache_faults);
    CU_add_test(s, "dirty file pages are written back, clean ones dropped",
                test_file_writeback_and_drop);
    CU_add_test(s, "without swap only file pages are evicted",
                test_file_pages_evicted_without_swap);
    CU_add_test(s, "fault-around maps cached neighbours", test_fault_around);
    CU_add_test(s, "a major fault reads around the page", test_readahead);
    CU_add_test(s, "shared anonymous memory: one frame, through swap and back",
                test_shared_anonymous);
    CU_add_test(s, "mprotect: SEGV_ACCERR, then reuse; SEGV_MAPERR outside", test_protection);
    CU_add_test(s, "mprotect back to rw-: no fault for pages only this process maps",
                test_mprotect_back_to_writable);
    CU_add_test(s, "PROT_NONE forbids resident pages too", test_prot_none);
    CU_add_test(s, "reads in -w- and --x areas, as x86 allows", test_read_in_write_or_exec_only_area);
    CU_add_test(s, "the OOM killer takes the largest process", test_oom_kills_largest);
    CU_add_test(s, "the OOM killer's score counts swap and page tables",
                test_oom_counts_swap_and_tables);
    CU_add_test(s, "linux policy: promotion, demotion, exact lists", test_linux_policy);
    CU_add_test(s, "clearing Accessed keeps the TLB entry: a used page looks unused", test_accessed_clear_keeps_tlb);
    CU_add_test(s, "no ASIDs: a switch flushes all but global entries",
                test_switch_without_asid);
    CU_add_test(s, "ASIDs: entries survive switches", test_switch_with_asid);
    CU_add_test(s, "evicting a shared frame shoots down both TLB entries",
                test_shootdown_after_fork);
    CU_add_test(s, "huge pages: one fault, one TLB entry per 2 MiB", test_huge_pages);
    CU_add_test(s, "huge range read first: the huge zero page, then a fault for its own",
                test_huge_read_before_write);
    CU_add_test(s, "a fetch maps the zero page; exec then write is two faults",
                test_fetch_maps_zero_page);
    CU_add_test(s, "huge pages fall back to 4 KiB without an aligned run",
                test_huge_page_fallback);
    CU_add_test(s, "shared file dirt survives exit and is written back",
                test_shared_file_dirt_survives_exit);
    CU_add_test(s, "a shared file page is read-only until written: write notification",
                test_shared_file_write_notify);
    CU_add_test(s, "huge pages: machine_translate keeps the 2 MiB offset", test_huge_translate);
    CU_add_test(s, "huge pages: a partial mprotect stays in force", test_huge_partial_mprotect);
    CU_add_test(s, "fork write-protects global entries in the TLB too",
                test_fork_write_protects_global_entries);
    CU_add_test(s, "an ASID picked for a process is not already in use",
                test_picked_asids_are_unique);
    CU_add_test(s, "an entry that points to a table is Linux's _PAGE_TABLE",
                test_table_entries_as_linux_writes_them);
}
