/* vmviz.h: chapter markers for programs captured with "vmviz capture".
 *
 *     #include "vmviz.h"
 *     VMVIZ_CHAPTER("memset");
 *
 * starts a chapter of the captured scenario at that point. Outside a
 * capture the marker reads one environment variable, once, and returns: a
 * program built with it runs as it would without. Under a capture it runs
 * twice, and the marker does one thing in each run:
 *
 *   under Valgrind  it writes "vmviz-chapter NAME" into the memory trace
 *                   with a client request, in order with the accesses, and
 *                   stops the process (SIGSTOP) so that vmviz can read its
 *                   /proc/PID/maps while nothing moves;
 *   natively        it writes NAME and the process's getrusage() fault
 *                   counts so far to the descriptor vmviz gave it.
 *
 * Needs valgrind/valgrind.h (Debian package valgrind). */
#ifndef VMVIZ_H
#define VMVIZ_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <valgrind/valgrind.h>

/* Marks the start of chapter name (see above); name has no newline. */
static inline void vmviz_chapter(const char *name)
{
    /* The descriptor vmviz capture passes, -1 before the first call, -2
     * when the program is not captured. */
    static int capture_fd = -1;
    if (capture_fd == -1) {
        const char *fd = getenv("VMVIZ_CAPTURE_FD");
        capture_fd = fd ? atoi(fd) : -2;
        if (capture_fd < 0)
            capture_fd = -2;
    }
    if (capture_fd < 0)
        return;
    if (RUNNING_ON_VALGRIND) {
        VALGRIND_PRINTF("vmviz-chapter %s\n", name);
        raise(SIGSTOP);
        return;
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    dprintf(capture_fd, "%s\t%ld\t%ld\n", name, usage.ru_minflt, usage.ru_majflt);
}

#define VMVIZ_CHAPTER(name) vmviz_chapter(name)

#endif
