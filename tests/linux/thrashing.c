/* thrashing.yaml on Linux: a 36 KiB (9-page) anonymous array written pass
 * after pass on a machine with room for 8 pages. The first pass is nine
 * first touches. The later passes fault only because memory holds 8
 * pages under LRU; a process cannot impose that on itself (it needs a
 * memory cgroup limit and swap), so they are not reproduced, but their
 * fault-free Linux count is noted. */
#include "probe.h"

#include <sys/mman.h>

static const char *const chapters[] = {"First pass", "Every access faults", NULL};

int main(void)
{
    struct mark m;
    long minor, major;
    probe_init(chapters);
    probe_check_empty();
    char *array = mmap(NULL, 36 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (array == MAP_FAILED)
        return 2;
    probe_area(array, 36 * KiB);

    probe_settle();
    mark_begin(&m);
    fill_write(array, 36 * KiB, PAGE);
    mark_end(&m, "First pass");

    phase_skip("Every access faults", "needs memory limited to 8 pages (a memory cgroup) and swap "
               "(%s); a process cannot impose LRU replacement on itself",
               swap_present() ? "swap is present" : "none is configured");
    probe_settle();
    mark_begin(&m);
    for (int pass = 0; pass < 4; pass++)
        fill_write(array, 36 * KiB, PAGE);
    mark_delta(&m, &minor, &major);
    note("four_more_passes_without_a_memory_limit=%ld/%ld", minor, major);
    probe_report();
    return 0;
}
