/* lazy-allocation-captured.yaml on Linux: the seed program captured by
 * vmviz capture (scenarios/programs/lazy-allocation.c), chapter by
 * chapter, measured here again as the native run of a capture measures
 * it: the probe runs itself again as a new program (fork and execve), its
 * markers do what those of scenarios/programs/vmviz.h do natively, and
 * the last chapter, "end", is the whole run's count from wait4() less the
 * last marker's.
 *
 * Besides the counts it measures what the marker's first call costs (its
 * line written once into /dev/null and raise(0), the code the marker runs
 * under Valgrind), whether that set up malloc's heap (brk moves: glibc's
 * vdprintf allocates its stream buffer with malloc), and whether the page
 * of _exit(), the last code the program runs, was mapped before the
 * program ends: without raise(0) it was not (nothing had run in its
 * 64 KiB fault-around window), and the exit faulted it natively where
 * the model, under Valgrind, had mapped it at raise()'s getpid(). The
 * scenario's chapters carry the counts of the native run made when it was
 * captured; these are this machine's. */
#include "probe.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage);

#define BUFFER_SIZE (1024 * 1024)
#define MARKERS 4

static const char *const chapters[] = {"Start-up", "malloc", "memset", "second memset", "end",
                                       NULL};

/* What the program run by the probe reports to it, in one write. */
struct seed_report {
    long minor[MARKERS], major[MARKERS];
    long marker_line_minor;         /* the faults of its first line */
    long marker_raise_minor;        /* and of its raise(0) */
    int heap_set_up_by_marker;      /* brk moved in the marker's first dprintf */
    int heap_set_up_by_malloc;      /* brk moved in malloc(1 MiB) */
    int exit_page_mapped_at_end;    /* the page of _exit() was mapped at main's end */
    char exit_window[17];           /* its 64 KiB fault-around window, '+' mapped */
    int buffer_last_byte;
};

/* The marker of vmviz.h, natively: the counts so far into report. Its
 * first call writes the same line once into /dev/null and runs raise(0)
 * (the code raise(SIGSTOP) runs under Valgrind) before counting. */
static void marker(struct seed_report *report, int index)
{
    struct rusage usage;
    if (index == 0) {
        void *brk_before = sbrk(0);
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            getrusage(RUSAGE_SELF, &usage);
            dprintf(null_fd, "%s\t%ld\t%ld\n", "malloc", usage.ru_minflt, usage.ru_majflt);
            close(null_fd);
            long before = usage.ru_minflt;
            getrusage(RUSAGE_SELF, &usage);
            report->marker_line_minor = usage.ru_minflt - before;
            before = usage.ru_minflt;
            raise(0);
            getrusage(RUSAGE_SELF, &usage);
            report->marker_raise_minor = usage.ru_minflt - before;
        }
        report->heap_set_up_by_marker = sbrk(0) != brk_before;
    }
    getrusage(RUSAGE_SELF, &usage);
    report->minor[index] = usage.ru_minflt;
    report->major[index] = usage.ru_majflt;
}

/* Whether the page at address is mapped, read in pagemap (open on
 * /proc/self/pagemap): 1 or 0. */
static int page_mapped(int pagemap, uintptr_t address)
{
    uint64_t entry = 0;
    if (pread(pagemap, &entry, sizeof entry, (off_t)(address / PAGE * sizeof entry)) !=
        (ssize_t)sizeof entry)
        return 0;
    return (int)(entry >> 63 & 1);
}

/* The seed program between its markers, run by the probe as a program of
 * its own; the report goes to report_fd just before main's end. */
static int run_seed(int report_fd)
{
    static struct seed_report report;
    marker(&report, 0);                     /* "malloc" */
    void *brk_before = sbrk(0);
    unsigned char *buffer = malloc(BUFFER_SIZE);
    if (!buffer)
        return 2;
    report.heap_set_up_by_malloc = sbrk(0) != brk_before;
    marker(&report, 1);                     /* "memset" */
    memset(buffer, 0x42, BUFFER_SIZE);
    marker(&report, 2);                     /* "second memset" */
    memset(buffer, 0x43, BUFFER_SIZE);
    marker(&report, 3);                     /* "end" */
    report.buffer_last_byte = buffer[BUFFER_SIZE - 1];
    free(buffer);
    /* Read after the last count, through a pagemap of its own (this run
     * makes no probe_init): the lookups fault nothing in, and what they
     * touch of libc (open, pread) lies outside _exit's window. */
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    uintptr_t exit_page = (uintptr_t)_exit & ~(uintptr_t)(PAGE - 1);
    uintptr_t window = exit_page & ~(uintptr_t)(16 * PAGE - 1);
    report.exit_page_mapped_at_end = page_mapped(pagemap, exit_page);
    for (int i = 0; i < 16; i++)
        report.exit_window[i] = page_mapped(pagemap, window + i * PAGE) ? '+' : '.';
    close(pagemap);
    if (write(report_fd, &report, sizeof report) != (ssize_t)sizeof report)
        return 2;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--seed") == 0)
        return run_seed(atoi(argv[2]));

    int fds[2];
    if (pipe(fds) != 0)
        probe_skip("cannot make a pipe");
    pid_t pid = fork();
    if (pid < 0)
        probe_skip("cannot fork");
    if (pid == 0) {
        close(fds[0]);
        char fd_text[16];
        snprintf(fd_text, sizeof fd_text, "%d", fds[1]);
        /* Without address randomisation, as vmviz capture runs it: a
         * random stack start moves page boundaries, and the exit's deeper
         * calls cross into a new stack page in one run and not the next. */
        personality(ADDR_NO_RANDOMIZE);
        execl("/proc/self/exe", argv[0], "--seed", fd_text, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    struct seed_report report;
    ssize_t got = read(fds[0], &report, sizeof report);
    close(fds[0]);
    int status;
    struct rusage total;
    while (wait4(pid, &status, 0, &total) < 0)
        ;
    if (got != (ssize_t)sizeof report || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        probe_skip("the seed run did not report");

    probe_init(chapters);
    phase_add("Start-up", report.minor[0], report.major[0]);
    for (int i = 1; i < MARKERS; i++)
        phase_add(chapters[i], report.minor[i] - report.minor[i - 1],
                  report.major[i] - report.major[i - 1]);
    phase_add("end", total.ru_minflt - report.minor[MARKERS - 1],
              total.ru_majflt - report.major[MARKERS - 1]);
    note("marker_first_line_minor_faults=%ld", report.marker_line_minor);
    note("marker_raise0_minor_faults=%ld", report.marker_raise_minor);
    note("heap_set_up_by_marker=%d", report.heap_set_up_by_marker);
    note("heap_set_up_by_malloc=%d", report.heap_set_up_by_malloc);
    note("exit_page_mapped_at_end=%d", report.exit_page_mapped_at_end);
    note("exit_fault_around_window=%.16s", report.exit_window);
    note("buffer_last_byte=%d", report.buffer_last_byte);
    probe_report();
    return 0;
}
