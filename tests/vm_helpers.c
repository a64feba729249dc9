/* Helpers shared by the engine suites. See vm_helpers.h. */
#include "vm_helpers.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct machine *test_machine(const char *preset, uint32_t frames, uint32_t table_frames,
                             uint32_t swap, enum policy_kind policy)
{
    struct machine_config c;
    machine_config_default(&c);
    CU_ASSERT_FATAL(geometry_preset(preset, &c.geo));
    c.frames = frames;
    c.table_frames = table_frames;
    c.swap_slots = swap;
    c.policy = policy;
    /* The page-at-a-time model: the suites that test fault-around and
     * read-around set them (Linux's defaults are on). */
    c.fault_around = 0;
    c.readahead = 0;
    char why[200];
    struct machine *m = machine_create(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

void test_process(struct machine *m, uint32_t pid, uint64_t start, uint64_t size)
{
    char why[200];
    CU_ASSERT_FATAL(machine_add_process(m, pid, "test", 0, why, sizeof why));
    if (size) {
        struct area a = {.start = start, .end = start + size, .prot = PROT_R | PROT_W,
                         .kind = AREA_ANON};
        strcpy(a.name, "data");
        CU_ASSERT_FATAL(machine_add_area(m, pid, &a, why, sizeof why));
    }
}

uint64_t test_step_op(struct machine *m, const struct op *op)
{
    struct event ev;
    uint64_t n = 0;
    CU_ASSERT_FATAL(machine_begin(m, op));
    do
        n++;
    while (machine_step(m, &ev));
    return n;
}

struct event test_access(struct machine *m, uint32_t pid, enum access_kind a, uint64_t va)
{
    struct op op = {.kind = OP_ACCESS, .pid = pid, .access = a, .va = va,
                    .future_index = UINT64_MAX};
    struct event ev;
    CU_ASSERT_FATAL(machine_begin(m, &op));
    while (machine_step(m, &ev))
        ;
    return ev;
}

struct op test_ref(uint64_t page_size, uint64_t page, bool write, uint64_t index)
{
    struct op op = {.kind = OP_ACCESS, .access = write ? ACCESS_WRITE : ACCESS_READ,
                    .va = page * page_size, .textbook = true, .auto_area = true,
                    .future_index = index};
    return op;
}

uint64_t test_ref_string(enum policy_kind policy, const uint64_t *pages, size_t n,
                         uint32_t frames)
{
    return test_ref_string_tlb(policy, pages, n, frames, 0);
}

uint64_t test_ref_string_tlb(enum policy_kind policy, const uint64_t *pages, size_t n,
                             uint32_t frames, uint32_t tlb_entries)
{
    struct machine_config c;
    machine_config_default(&c);
    CU_ASSERT_FATAL(geometry_preset("x86_64", &c.geo));
    c.frames = frames;
    c.table_frames = 8;
    c.swap_slots = 16;
    c.policy = policy;
    if (tlb_entries) {
        c.tlb_entries = tlb_entries;
        c.tlb_ways = tlb_entries < 4 ? tlb_entries : 4;
    }
    char why[200];
    struct machine *m = machine_create(&c, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    test_process(m, 1, 0, 0);
    /* The future, as the timeline computes it for OPT. */
    uint32_t *next = malloc(n * sizeof *next);
    for (size_t i = 0; i < n; i++) {
        next[i] = MACHINE_NO_NEXT_USE;
        for (size_t j = i + 1; j < n; j++)
            if (pages[j] == pages[i]) {
                next[i] = (uint32_t)j;
                break;
            }
    }
    machine_set_future(m, next, n);
    for (size_t i = 0; i < n; i++) {
        struct op op = test_ref(4096, pages[i], false, i);
        test_step_op(m, &op);
    }
    uint64_t faults = m->counters.faults;
    machine_destroy(m);
    free(next);
    return faults;
}

struct event test_events[TEST_MAX_EVENTS];
unsigned test_nevents;

void test_verify(const struct machine *m)
{
    char why[256];
    if (!machine_verify(m, why, sizeof why)) {
        fprintf(stderr, "\n    machine_verify: %s\n", why);
        CU_FAIL("machine_verify");
    }
}

struct event test_run_op(struct machine *m, const struct op *op)
{
    struct event ev;
    bool more;
    test_nevents = 0;
    CU_ASSERT_FATAL(machine_begin(m, op));
    do {
        more = machine_step(m, &ev);
        if (test_nevents < TEST_MAX_EVENTS)
            test_events[test_nevents++] = ev;
    } while (more);
    test_verify(m);
    return ev;
}

struct event test_run_access(struct machine *m, uint32_t pid, enum access_kind a, uint64_t va)
{
    struct op op = {.kind = OP_ACCESS, .pid = pid, .access = a, .va = va,
                    .future_index = UINT64_MAX};
    return test_run_op(m, &op);
}

unsigned test_seen(enum event_kind kind)
{
    unsigned n = 0;
    for (unsigned i = 0; i < test_nevents; i++)
        n += test_events[i].kind == kind;
    return n;
}

struct event test_first(enum event_kind kind)
{
    for (unsigned i = 0; i < test_nevents; i++)
        if (test_events[i].kind == kind)
            return test_events[i];
    struct event none;
    event_init(&none, EV_OP_FAILED);
    return none;
}

uint64_t test_leaf(const struct machine *m, uint32_t pid, uint64_t va)
{
    struct walk_result w = machine_walk(m, machine_process(m, pid), va);
    return w.complete ? *w.slot : 0;
}
