/* belady.yaml on Linux: the string 1 2 3 4 1 2 5 1 2 3 4 5 as reads of
 * pages of a private anonymous area (reference p is a read of Linux page
 * p; the scenario's toy layout has 64-byte pages). Its only chapter
 * counts faults with 3 frames under FIFO, which a process cannot impose
 * on itself (it needs a memory cgroup limit and swap), so it is not
 * reproduced; what the string costs without a limit is noted. */
#include "probe.h"

#include <sys/mman.h>

static const char *const chapters[] = {"Three frames", NULL};

static const int refs[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};

int main(void)
{
    struct mark m;
    long minor, major;
    probe_init(chapters);
    probe_check_empty();
    char *pages = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED)
        return 2;
    probe_area(pages, 6 * PAGE);

    phase_skip("Three frames", "needs memory limited to 3 pages (a memory cgroup) and swap; a "
               "process cannot impose FIFO replacement on itself");
    probe_settle();
    mark_begin(&m);
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
        (void)*(volatile char *)(pages + refs[i] * PAGE);
    mark_delta(&m, &minor, &major);
    note("string_without_a_memory_limit=%ld/%ld (first touches of pages 1-5)", minor, major);
    probe_report();
    return 0;
}
