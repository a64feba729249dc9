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

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

/* Writes name and the process's fault counts so far to fd. */
static inline void vmviz_write_counts(int fd, const char *name)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    dprintf(fd, "%s\t%ld\t%ld\n", name, usage.ru_minflt, usage.ru_majflt);
}

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
        /* The first getrusage() and dprintf() of a process fault in pages
         * of libc's code and data, and dprintf() allocates its stream
         * buffer with malloc(), which sets up the heap: 6 minor faults
         * (7 with the open() and close()), which would count in the
         * chapter after the first marker. Made
         * once here, in both runs, into /dev/null, before anything is
         * counted, they cost their faults in Start-up, which is not
         * compared (tests/linux/lazy-allocation-captured.c). */
        int null_fd = capture_fd >= 0 ? open("/dev/null", O_WRONLY) : -1;
        if (null_fd >= 0) {
            vmviz_write_counts(null_fd, name);
            close(null_fd);
            /* And the code of raise(), which the marker runs under
             * Valgrind only (signal 0 is sent to no one): it calls
             * getpid(), whose fault maps the pages around it, _exit()'s
             * among them, so that the model and Linux both have that
             * page mapped when the program exits. */
            raise(0);
        }
    }
    if (capture_fd < 0)
        return;
    if (RUNNING_ON_VALGRIND) {
        /* Stopped first, then marked: what raise() faults in falls before
         * the marker, as the native run counts before it writes. */
        raise(SIGSTOP);
        VALGRIND_PRINTF("vmviz-chapter %s\n", name);
        return;
    }
    vmviz_write_counts(capture_fd, name);
}

#define VMVIZ_CHAPTER(name) vmviz_chapter(name)

#endif
