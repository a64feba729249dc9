/* lazy-allocation.yaml on Linux: the seed program. malloc(1 MiB), memset,
 * memset again, with getrusage around each (see probe.h for how the
 * probe's own work is kept out of the counts).
 *
 * "Initial state" is everything the process faulted in from exec to the
 * first line of main (the dynamic loader and libc start-up included): the
 * seed program prints that total first. The scenario models it as two
 * faults (one code page, one stack page). */
#include "probe.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define BUFFER_SIZE (1024 * 1024)

static const char *const chapters[] = {"Initial state", "malloc", "memset", "second memset", NULL};

int main(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* first thing: the faults since exec */
    long start_minor = ru.ru_minflt, start_major = ru.ru_majflt;

    probe_init(chapters);
    phase_add("Initial state", start_minor, start_major);
    note("initial_state=faults from exec to main (loader and libc start-up), not two accesses");
    probe_check_empty();

    /* The seed program printed before it called malloc, so its malloc was
     * set up already (stdout's buffer); a small malloc does that here. */
    free(malloc(64));

    struct mark m;
    probe_settle();
    mark_begin(&m);
    unsigned char *p = malloc(BUFFER_SIZE);
    mark_end(&m, "malloc");
    if (!p)
        return 2;
    probe_area(p, BUFFER_SIZE);
    note("malloc_first_page_present=%d (glibc writes the chunk header at the start of the mmap)",
         pagemap_present(pagemap_entry(p)));
    note("malloc_offset_in_page=%lu (the 1 MiB buffer spans 257 pages)", (unsigned long)p % PAGE);

    probe_settle();
    mark_begin(&m);
    memset(p, 0x42, BUFFER_SIZE);
    mark_end(&m, "memset");

    probe_settle();
    mark_begin(&m);
    memset(p, 0x42, BUFFER_SIZE);
    mark_end(&m, "second memset");

    /* The scenario's own operation, a bare mmap, for comparison. */
    long mm_minor, mm_major, set_minor, set_major;
    probe_settle();
    mark_begin(&m);
    unsigned char *q = mmap(NULL, BUFFER_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mark_delta(&m, &mm_minor, &mm_major);
    if (q == MAP_FAILED)
        return 2;
    probe_area(q, BUFFER_SIZE);
    probe_settle();
    mark_begin(&m);
    memset(q, 0x42, BUFFER_SIZE);
    mark_delta(&m, &set_minor, &set_major);
    note("with_mmap_instead_of_malloc: mmap=%ld/%ld memset=%ld/%ld", mm_minor, mm_major, set_minor,
         set_major);

    probe_report();
    return 0;
}
