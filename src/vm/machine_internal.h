#ifndef VMVIZ_VM_MACHINE_INTERNAL_H
#define VMVIZ_VM_MACHINE_INTERNAL_H
/* What machine.c (accesses and faults) and machine_ops.c (the other
 * operations) share. Not for use outside src/vm. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/machine.h"

/* Bytes in a page. */
uint64_t vm_page_size(const struct machine *m);
/* Base pages in a huge page, or 0 when the layout has none. */
uint64_t vm_huge_pages(const struct machine *m);
/* The process the operation in progress acts for. */
struct process *vm_op_process(struct machine *m);
/* Checks an area's alignment and that it lies in user space; false with why. */
bool vm_check_area(const struct machine *m, const struct area *a, char *why, size_t why_len);
/* Gives a shared anonymous area its object and checks a file-backed one
 * against its file; false with why. */
bool vm_attach_object(struct machine *m, struct area *a, char *why, size_t why_len);
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
/* Tears down a whole address space (exit, the OOM killer). */
void vm_release_process(struct machine *m, struct process *p);
/* The bits of a new leaf entry for a page of area a. */
uint64_t vm_leaf_flags(const struct area *a, enum access_kind access, bool may_write);
/* Records that the host refused memory the machine needed for `what`: the
 * operation ends and the machine does nothing more (see
 * machine_host_error). Never a simulated event. */
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
/* One micro-step of a non-access operation (machine_ops.c). */
void vm_step_simple(struct machine *m, struct event *ev);
/* The TLB flush that follows a switch without ASIDs (machine_ops.c). */
void vm_step_switch_flush(struct machine *m, struct event *ev);

#endif
