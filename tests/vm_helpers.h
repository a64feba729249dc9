/* Small helpers the engine suites share: build a machine, run accesses. */
#ifndef VMVIZ_TESTS_VM_HELPERS_H
#define VMVIZ_TESTS_VM_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/machine.h"

/* A machine on the given preset with `frames` frames and `swap` slots,
 * page tables in their own reserved frames when table_frames > 0; fault-around
 * and read-around off (one page per fault). */
struct machine *test_machine(const char *preset, uint32_t frames, uint32_t table_frames,
                             uint32_t swap, enum policy_kind policy);
/* Adds pid with one rw- anonymous area [start, start + size). */
void test_process(struct machine *m, uint32_t pid, uint64_t start, uint64_t size);
/* Performs one access by stepping every micro-step; returns the last event. */
struct event test_access(struct machine *m, uint32_t pid, enum access_kind a, uint64_t va);
/* Performs an op by stepping; returns the number of events. */
uint64_t test_step_op(struct machine *m, const struct op *op);
/* A textbook reference to page `page` (auto area, counts as refs do). */
struct op test_ref(uint64_t page_size, uint64_t page, bool write, uint64_t index);
/* Runs a reference string through a fresh machine with `frames` frames and
 * the default TLB (64 entries, 4 ways), and returns the page faults. */
uint64_t test_ref_string(enum policy_kind policy, const uint64_t *pages, size_t n,
                         uint32_t frames);
/* The same with a TLB of tlb_entries entries (4 ways, or fully associative
 * below 4; 0: the default). */
uint64_t test_ref_string_tlb(enum policy_kind policy, const uint64_t *pages, size_t n,
                             uint32_t frames, uint32_t tlb_entries);

/* ---- operations whose events are kept ---- */

#define TEST_MAX_EVENTS 256
/* The events of the last operation test_run_op ran (the first
 * TEST_MAX_EVENTS of them). */
extern struct event test_events[TEST_MAX_EVENTS];
extern unsigned test_nevents;
/* Fails the running test when the machine's bookkeeping disagrees with
 * itself (machine_verify), saying why. */
void test_verify(const struct machine *m);
/* Steps an operation to its end, keeping its events, then verifies the
 * machine; returns the last event. */
struct event test_run_op(struct machine *m, const struct op *op);
/* One access of pid, as test_run_op runs it. */
struct event test_run_access(struct machine *m, uint32_t pid, enum access_kind a, uint64_t va);
/* How many events of that kind the last operation produced. */
unsigned test_seen(enum event_kind kind);
/* The first event of that kind of the last operation (kind OP_FAILED when
 * there was none). */
struct event test_first(enum event_kind kind);
/* pid's leaf entry for va, or 0 when the walk does not reach one. */
uint64_t test_leaf(const struct machine *m, uint32_t pid, uint64_t va);

#endif
