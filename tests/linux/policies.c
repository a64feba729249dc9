/* policies.yaml on Linux: Silberschatz's reference string as reads of
 * pages of a private anonymous area (reference p is a read of Linux page
 * p; the scenario's toy layout has 64-byte pages). The first three
 * references are first touches and comparable. The rest fault only
 * because the scenario's machine has 3 frames, which a process cannot
 * impose on itself (it needs a memory cgroup limit and swap); what the
 * whole string costs without a limit is noted. */
#include "probe.h"

#include <sys/mman.h>

static const char *const chapters[] = {"Filling the frames", "Replacement", NULL};

static const int first[] = {7, 0, 1};
static const int rest[] = {2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};

int main(void)
{
    struct mark m;
    long minor, major;
    probe_init(chapters);
    probe_check_empty();
    char *pages = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED)
        return 2;
    probe_area(pages, 8 * PAGE);

    probe_settle();
    mark_begin(&m);
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        (void)*(volatile char *)(pages + first[i] * PAGE);
    mark_end(&m, "Filling the frames");

    phase_skip("Replacement", "needs memory limited to 3 pages (a memory cgroup) and swap; a "
               "process cannot impose a replacement policy on itself");
    probe_settle();
    mark_begin(&m);
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        (void)*(volatile char *)(pages + rest[i] * PAGE);
    mark_delta(&m, &minor, &major);
    note("rest_of_the_string_without_a_memory_limit=%ld/%ld (first touches of pages 2, 3 and 4)",
         minor, major);
    probe_report();
    return 0;
}
