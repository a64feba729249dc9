/* lazy-allocation-captured.yaml on Linux: the seed program captured by
 * vmviz capture (scenarios/programs/lazy-allocation.c), chapter by
 * chapter, measured here again as the native run of a capture measures
 * it: getrusage() at each marker, no probe work between them.
 *
 * "Start-up" is everything from exec to the first line of main. "end"
 * runs up to the program's exit, which no getrusage() inside the program
 * can follow: it is skipped. The scenario's chapters carry the counts of
 * the native run made when it was captured; these are this machine's. */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define BUFFER_SIZE (1024 * 1024)

static const char *const chapters[] = {"Start-up", "malloc", "memset", "second memset", "end",
                                       NULL};

/* The faults so far, as the marker of vmviz.h reads them. */
static void counts(long *minor, long *major)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *minor = ru.ru_minflt;
    *major = ru.ru_majflt;
}

int main(void)
{
    long minor[4], major[4];
    /* Whether the page of malloc's code is mapped before main calls it:
     * the model faults on it in chapter malloc (its fault-around maps only
     * the file pages the captured run touched). */
    uintptr_t code_page = (uintptr_t)malloc & ~(uintptr_t)(PAGE - 1);
    int code_mapped = pagemap_present(pagemap_entry((const void *)code_page));
    counts(&minor[0], &major[0]);           /* marker "malloc" */
    unsigned char *buffer = malloc(BUFFER_SIZE);
    if (!buffer)
        return 2;
    counts(&minor[1], &major[1]);           /* marker "memset" */
    memset(buffer, 0x42, BUFFER_SIZE);
    counts(&minor[2], &major[2]);           /* marker "second memset" */
    memset(buffer, 0x43, BUFFER_SIZE);
    counts(&minor[3], &major[3]);           /* marker "end" */

    probe_init(chapters);
    phase_add("Start-up", minor[0], major[0]);
    phase_add("malloc", minor[1] - minor[0], major[1] - major[0]);
    phase_add("memset", minor[2] - minor[1], major[2] - major[1]);
    phase_add("second memset", minor[3] - minor[2], major[3] - major[2]);
    phase_skip("end", "the chapter runs up to the program's exit, which it cannot measure");
    note("malloc_code_page_mapped_before_malloc=%d", code_mapped);
    note("malloc_code_folios=%s", folio_runs((const void *)code_page, 1));
    note("buffer_last_byte=%d", buffer[BUFFER_SIZE - 1]);
    free(buffer);
    probe_report();
    return 0;
}
