#ifndef VMVIZ_BENCH_REFERENCE_H
#define VMVIZ_BENCH_REFERENCE_H
/* The yardstick `make bench` measures vmviz against: the smallest
 * simulator that counts what vmviz counts for one process writing a trace
 * of pages (see reference.c). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ref_policy { REF_FIFO, REF_LRU, REF_CLOCK, REF_OPT };

/* The counters vmviz's stats print that such a run can move, by the names
 * it prints them under. */
#define REF_COUNTERS(X)                                                                  \
    X(accesses) X(writes) X(tlb_hits) X(tlb_misses) X(page_walks) X(faults)             \
    X(minor_faults) X(major_faults) X(evictions) X(swap_ins) X(swap_outs) X(zero_fills) \
    X(table_allocs)

struct ref_counters {
#define REF_COUNTER_FIELD(name) uint64_t name;
    REF_COUNTERS(REF_COUNTER_FIELD)
#undef REF_COUNTER_FIELD
};

/* Plays n writes, to pages[i] (0 to REF_PAGES - 1, counted from the virtual
 * address base, a multiple of the page size), on an x86_64 machine of
 * REF_FRAMES frames, four table frames, a 64-entry 4-way LRU TLB and
 * enough swap, as vmviz plays the same trace; the counters go to *out.
 * Returns false when the host is out of memory (OPT's next-use table). */
bool ref_run(const uint32_t *pages, size_t n, uint64_t base, enum ref_policy policy,
             struct ref_counters *out);

/* Reads a trace in vmviz's `rw` format written by the bench ("W 0x..."
 * lines and # comments) into pages relative to base; returns the number
 * read, or 0 when the file cannot be read or holds another address. The
 * array is malloc'ed and goes to *pages. */
size_t ref_read_trace(const char *path, uint64_t base, uint32_t **pages);

#define REF_PAGES  128u
#define REF_FRAMES 64u
/* Where the bench's traces put page 0. */
#define REF_BASE   UINT64_C(0x10000000)

#endif
