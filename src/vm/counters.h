#ifndef VMVIZ_VM_COUNTERS_H
#define VMVIZ_VM_COUNTERS_H
/* The machine's counters, named as getrusage(2) and hardware performance
 * counters name them. This one table generates the struct, the names used by
 * stats output and by `expect:` in scenarios, and their descriptions. */
#include <stddef.h>
#include <stdint.h>

#define COUNTER_LIST(X)                                                          \
    X(accesses, "memory accesses performed")                                     \
    X(reads, "reads")                                                            \
    X(writes, "writes")                                                          \
    X(execs, "instruction fetches")                                              \
    X(tlb_hits, "TLB lookups that found the translation")                       \
    X(tlb_misses, "TLB lookups that did not (a restarted access looks up again)") \
    X(page_walks, "page-table walks")                                            \
    X(faults, "page faults handled (minor + major)")                             \
    X(minor_faults, "faults served without I/O")                                 \
    X(major_faults, "faults that needed I/O (swap-in, file read)")               \
    X(segfaults, "accesses stopped by SIGSEGV")                                  \
    X(evictions, "pages taken from their frame to free it")                      \
    X(swap_ins, "pages read back from swap")                                     \
    X(swap_outs, "pages written to swap")                                        \
    X(zero_fills, "frames allocated and cleared")                                \
    X(cow_copies, "pages copied on a write to a shared copy-on-write page")      \
    X(writebacks, "dirty file pages written back to their file")                 \
    X(table_allocs, "page-table pages allocated")                                \
    X(tlb_flushes, "whole-TLB flushes")                                          \
    X(oom_kills, "processes killed because no memory could be freed")

struct counters {
#define COUNTER_FIELD(name, text) uint64_t name;
    COUNTER_LIST(COUNTER_FIELD)
#undef COUNTER_FIELD
};

enum counter_id {
#define COUNTER_ENUM(name, text) COUNTER_##name,
    COUNTER_LIST(COUNTER_ENUM)
#undef COUNTER_ENUM
    COUNTER_COUNT
};

/* The counter's name as stats output and `expect:` spell it. */
const char *counter_name(enum counter_id id);
/* A short description, for help and man pages. */
const char *counter_description(enum counter_id id);
/* The id of a counter name, or -1 when there is none. */
int counter_lookup(const char *name);
/* The value of one counter. */
uint64_t counter_get(const struct counters *c, enum counter_id id);
/* All counter names, NULL-terminated, for "did you mean". */
extern const char *const counter_names[];

#endif
