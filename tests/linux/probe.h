/* What every Linux probe shares: measured regions, chapters ("phases"),
 * notes, signal capture, and readers for /proc/self/pagemap, smaps and
 * /proc/vmstat.
 *
 * A probe does on the real kernel what a scenario (or a case) does, and
 * prints
 *
 *     phase NAME minor=N major=M     the getrusage(RUSAGE_SELF) deltas of
 *                                    every process of the probe, summed
 *     phase NAME skip: REASON        a chapter the host cannot reproduce
 *     note KEY=VALUE                 anything else worth knowing
 *     skip: REASON                   the whole probe cannot run here
 *
 * How the probes keep their own work out of the counts:
 *
 *  - All bookkeeping (phase totals, notes, the signal record, the jump
 *    buffer, read buffers) lives in one MAP_SHARED anonymous "book", so a
 *    write to it never takes a copy-on-write fault after fork, and child
 *    processes add their counts to it directly.
 *  - probe_settle() faults in everything the process maps except the
 *    scenario's own areas (declared with probe_area): it touches 96 KiB of
 *    stack below the caller, then MADV_POPULATE_WRITE on every writable
 *    mapping and MADV_POPULATE_READ on every readable one (program and
 *    libc text included: fork does not copy the page tables of mappings
 *    that never had an anonymous page, so a child would otherwise fault on
 *    its first call of memset or getrusage). Every process settles before
 *    each measured region.
 *  - A measured region is mark_begin() ... mark_end(): two getrusage calls
 *    with only the scenario's accesses between them. No stdio, no malloc
 *    and no string formatting happen inside one; printing happens once,
 *    at the end, in the top process (probe_report).
 *  - The probes are linked with -z now, so no lazy symbol binding writes
 *    to the GOT inside a measured region.
 *  - Every probe measures one empty region after settling and notes it
 *    (empty_region=MINOR/MAJOR): anything but 0/0 would mean the method
 *    leaks faults of its own.
 */
#ifndef VMVIZ_LINUX_PROBE_H
#define VMVIZ_LINUX_PROBE_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PAGE 4096UL
#define KiB 1024UL
#define MiB (1024UL * 1024UL)

/* ---- phases and notes ----------------------------------------------- */

/* Sets up the book and the SIGSEGV/SIGBUS handler and declares the
 * chapters in their scenario order (a NULL-terminated list; NULL for
 * none). Call first. It does not settle: a probe declares its areas
 * first, and settles before each measured region. */
void probe_init(const char *const *phases);

/* A scenario area: probe_settle leaves it alone. */
void probe_area(const void *start, size_t len);

/* Faults in all of the process's memory except the scenario areas. */
void probe_settle(void);

struct mark {
    long minor, major;
};
/* A measured region: the faults between the two calls are added to the
 * phase (every process adds its own). */
void mark_begin(struct mark *m);
void mark_end(struct mark *m, const char *phase);
/* The same as a value (for per-page sequences and case probes). */
void mark_delta(const struct mark *m, long *minor, long *major);

void phase_add(const char *phase, long minor, long major);
void phase_skip(const char *phase, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* note("key=%d", v): one "note key=v" line. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints every phase, then every note. The top process calls it once. */
void probe_report(void);

/* Prints "skip: REASON" and exits 0. */
void probe_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Measures an empty region and notes it as empty_region=MINOR/MAJOR. */
void probe_check_empty(void);

/* ---- touching memory (inside measured regions) --------------------- */

/* One access at p, p+stride, ... below p+size, as a scenario's fill. */
void fill_read(const void *p, size_t size, size_t stride);
void fill_write(void *p, size_t size, size_t stride);

/* Touches npages pages from p (the first byte of each), measuring every
 * page on its own; adds the total to phase (when not NULL) and returns
 * the pattern, one character a page: '.' no fault, 'm' one minor, 'M' one
 * major, else the number of faults (9 for 9 or more). */
const char *touch_pages(void *p, size_t npages, int write, const char *phase);

/* ---- signals -------------------------------------------------------- */

struct sig_rec {
    int signo, code;
    uintptr_t addr;
    long err, trapno; /* x86-64 ucontext REG_ERR and REG_TRAPNO */
};

/* Runs fn(arg); a SIGSEGV or SIGBUS raised inside is caught (the handler
 * jumps back here). Returns 0, or the signal number, the details in *rec. */
int probe_try(void (*fn)(void *), void *arg, struct sig_rec *rec);
const char *si_code_name(int signo, int code);
/* "sig=SIGSEGV si_code=SEGV_MAPERR si_addr=0x... err=0x6 trapno=14" */
void sig_describe(const struct sig_rec *r, char *out, size_t len);

/* Fetches an instruction at entry with %rax = rax (the bytes 00 00 decode
 * as add %al,(%rax)). Never returns normally: the caller arranges a
 * signal and calls it through probe_try. */
void call_at(void *entry, void *rax);

/* One access at p, of the kind its name says, for probe_try: a read and a
 * write of one byte, and a fetch (call_at p with %rax = p). */
void probe_read(void *p);
void probe_write(void *p);
void probe_fetch(void *p);

/* ---- what the kernel shows ------------------------------------------ */

/* The /proc/self/pagemap entry of the page holding p (0 when unreadable). */
uint64_t pagemap_entry(const void *p);
int pagemap_present(uint64_t e);
int pagemap_swapped(uint64_t e);
uint64_t pagemap_pfn(uint64_t e);
/* 1 when pagemap shows frame numbers, 0 when it hides them (PFN 0 for a
 * present page: unprivileged), -1 when it cannot be read. Notes it once
 * as pagemap=.... */
int pfn_visible(void);

/* A counter of user-mode data-TLB load misses (perf_event_open), or -1
 * when the host has none (a virtual machine without a PMU, say), noted
 * once as dtlb_counter=.... dtlb_read gives the count so far. */
int dtlb_open(void);
long dtlb_read(int fd);

/* The sizes, in pages, of the folios behind the npages mapped pages from
 * p ("16 16 32"), read from /proc/kpageflags (compound head and tail
 * bits); a short explanation instead when frame numbers or kpageflags are
 * not readable, or a page is not mapped. */
const char *folio_runs(const void *p, size_t npages);

/* The /proc/kpageflags word of the frame mapped at p, or -1 (frame
 * numbers hidden, kpageflags unreadable, or nothing mapped). Bits used:
 * 15 compound head, 16 compound tail, 22 THP, 24 zero page (4 KiB or
 * huge). */
long long kpage_flags(const void *p);

/* The file offset that the mapping holding p maps at p, or -1. */
long file_offset_of(const void *p);

/* A /proc/vmstat counter, or -1. */
long vmstat_get(const char *key);
/* A field of the smaps entry that contains addr, in kB, or -1. */
long smaps_get(const void *addr, const char *field);
/* Pages of [p, p+len) that mincore(2) reports resident. */
long resident_pages(const void *p, size_t len);

/* The first line of a file, stripped, into out ("" when unreadable). */
void read_line(const char *path, char *out, size_t len);
/* 1 when /proc/cpuinfo lists the CPU flag (pcid, la57, ...). */
int cpu_flag(const char *flag);
/* 1 when /proc/swaps lists an active swap area. */
int swap_present(void);
/* The selected word of a sysfs "a [b] c" setting, or "" (e.g. THP). */
void sysfs_choice(const char *path, char *out, size_t len);

/* A directory on a filesystem with a real page cache (not tmpfs), made
 * for the probe; removed by probe_rmdir. NULL when there is none. */
const char *probe_tmpdir(void);
void probe_rmdir(void);
/* Creates a file of size bytes (every byte written), fsynced. */
int make_file(const char *path, size_t size);
/* Drops the file's clean pages from the page cache (fsync, then
 * POSIX_FADV_DONTNEED). */
void drop_cache(int fd);

/* ---- two processes in lock step ------------------------------------ */

/* A pair of pipes between a parent and one child. */
struct link {
    int down[2], up[2];
};
/* Forks a child that settles first; returns its pid in the parent and 0
 * in the child. */
pid_t fork_linked(struct link *l);
/* fork_linked inside the measured phase of a scenario's fork: the
 * parent's faults across fork() are added to the phase minus those of an
 * identical calibration fork made just before (glibc's fork writes to the
 * stack and to libc's data after the system call, and each such write is a
 * copy-on-write fault that has nothing to do with the scenario). Notes
 * both raw counts. The child's own start-up faults (all of them the C
 * runtime's) are noted, not counted. */
pid_t fork_measured(struct link *l, const char *phase);
/* The parent hands the turn to the child and waits for it back. */
void give_child(struct link *l);
/* The child waits for its turn / hands it back. */
void wait_parent(struct link *l);
void give_parent(struct link *l);
/* The parent waits for the child to exit. */
void reap(pid_t pid);

#endif
