/* tlb-reach.yaml on Linux: a 32 KiB and a 256 KiB anonymous array, each
 * written then read at a 64-byte stride. The faults are comparable; the
 * scenario's point, TLB misses, needs a hardware counter, which the probe
 * reads when the host has one (dTLB-load-misses, user mode: the Linux TLB
 * is far larger than the scenario's 16 entries, and a read miss only). */
#include "probe.h"

#include <sys/mman.h>

static const char *const chapters[] = {"Small array, first pass", "Small array, second pass",
                                       "Big array, first pass", "Big array, second pass", NULL};

static void pass(char *p, size_t size, int write, const char *chapter, int tlb)
{
    struct mark m;
    probe_settle();
    long t0 = dtlb_read(tlb);
    mark_begin(&m);
    if (write)
        fill_write(p, size, 64);
    else
        fill_read(p, size, 64);
    mark_end(&m, chapter);
    long t1 = dtlb_read(tlb);
    if (tlb >= 0)
        note("dtlb_load_misses[%s]=%ld", chapter, t1 - t0);
}

int main(void)
{
    probe_init(chapters);
    probe_check_empty();
    char *small = mmap(NULL, 32 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *big = mmap(NULL, 256 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (small == MAP_FAILED || big == MAP_FAILED)
        return 2;
    probe_area(small, 32 * KiB);
    probe_area(big, 256 * KiB);
    int tlb = dtlb_open();

    pass(small, 32 * KiB, 1, "Small array, first pass", tlb);
    pass(small, 32 * KiB, 0, "Small array, second pass", tlb);
    pass(big, 256 * KiB, 1, "Big array, first pass", tlb);
    pass(big, 256 * KiB, 0, "Big array, second pass", tlb);

    probe_report();
    return 0;
}
