/* swapping.yaml on Linux: 32 pages written to a 128 KiB anonymous heap
 * whose machine holds 16; then the first 8 read back.
 *
 * A process cannot give itself a 16-page memory, so where the host has
 * swap the probe evicts instead with MADV_PAGEOUT: after the second
 * chapter's writes it pages out pages 0-15, the 16 least recently used,
 * which is what the scenario's LRU has swapped out by then, and checks in
 * pagemap that they really are in swap before it reads them back.
 * A page that MADV_PAGEOUT has written out may still sit in the swap
 * cache for a while, and touching it then is a minor fault: the pattern
 * note shows each page's fault. Without swap the last chapter cannot be
 * reproduced. The first two chapters' faults do not depend on it: they
 * are the first touches. */
#include "probe.h"

#include <sys/mman.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static const char *const chapters[] = {"Filling memory", "Memory is full", "Coming back from swap", NULL};

int main(void)
{
    struct mark m;
    probe_init(chapters);
    probe_check_empty();
    char *heap = mmap(NULL, 128 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED)
        return 2;
    probe_area(heap, 128 * KiB);

    probe_settle();
    mark_begin(&m);
    fill_write(heap, 64 * KiB, PAGE);
    mark_end(&m, "Filling memory");

    probe_settle();
    mark_begin(&m);
    fill_write(heap + 64 * KiB, 64 * KiB, PAGE);
    mark_end(&m, "Memory is full");

    if (!swap_present()) {
        note("evictions=not reproduced: no swap is configured");
        phase_skip("Coming back from swap", "no swap is configured");
    } else if (madvise(heap, 64 * KiB, MADV_PAGEOUT) != 0) {
        phase_skip("Coming back from swap", "MADV_PAGEOUT is not supported");
    } else {
        int swapped = 0;
        for (int i = 0; i < 16; i++)
            swapped += pagemap_swapped(pagemap_entry(heap + i * PAGE));
        note("swapped_out_by_MADV_PAGEOUT=%d/16", swapped);
        if (swapped < 8) {
            phase_skip("Coming back from swap", "MADV_PAGEOUT left the pages in memory");
        } else {
            long pswpin = vmstat_get("pswpin");
            probe_settle();
            note("read_back_pattern=%s", touch_pages(heap, 8, 0, "Coming back from swap"));
            note("pswpin=+%ld", vmstat_get("pswpin") - pswpin);
        }
    }
    probe_report();
    return 0;
}
