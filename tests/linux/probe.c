/* The helpers every Linux probe shares; probe.h says how they keep the
 * probe's own work out of the measured regions. */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

#define MAX_PHASES 32
#define MAX_NOTES 160
#define MAX_AREAS 64

/* Shared between the processes of a probe (MAP_SHARED, see probe.h). */
struct phase_rec {
    char name[96];
    long minor, major;
    int measured;
    char skip[300];
};
struct book {
    struct phase_rec phase[MAX_PHASES];
    int nphase;
    char note[MAX_NOTES][300];
    int nnote;
    struct {
        uintptr_t lo, hi;
    } area[MAX_AREAS];
    int narea;
    char tmpdir[512];
    int pagemap_noted;
};
static struct book *book;

/* Private to each process (settled like the rest of its memory). */
static char scratch[1 << 20];
static sigjmp_buf jump;
static volatile sig_atomic_t armed;
static struct sig_rec last;
static int pagemap_fd = -1;

/* ---- settling -------------------------------------------------------- */

static void __attribute__((noinline)) touch_stack(void)
{
    volatile char pad[96 * 1024];
    for (size_t i = 0; i < sizeof pad; i += 512)
        pad[i] = 0;
}

/* madvise over [lo, hi) minus the scenario areas; page by page where a
 * whole range fails (a file mapping that ends inside a page, say). */
static void populate(uintptr_t lo, uintptr_t hi, int advice)
{
    for (int i = 0; i < book->narea; i++) {
        uintptr_t a = book->area[i].lo, b = book->area[i].hi;
        if (a < hi && b > lo) {
            if (lo < a)
                populate(lo, a, advice);
            if (b < hi)
                populate(b, hi, advice);
            return;
        }
    }
    if (lo >= hi)
        return;
    if (madvise((void *)lo, hi - lo, advice) == 0)
        return;
    for (uintptr_t p = lo; p < hi; p += PAGE)
        (void)madvise((void *)p, PAGE, advice);
}

static ssize_t read_file(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, len - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == len - 1)
            break;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

void probe_settle(void)
{
    static char maps[128 * 1024];
    touch_stack();
    if (read_file("/proc/self/maps", maps, sizeof maps) < 0)
        return;
    for (char *line = maps; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        unsigned long lo, hi;
        char perms[8] = "";
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
            !strstr(line, "[vsyscall]") && !strstr(line, "[vvar") && perms[0] == 'r') {
            populate(lo, hi, perms[1] == 'w' ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
        }
        line = next;
    }
    touch_stack();
}

void probe_area(const void *start, size_t len)
{
    if (book->narea == MAX_AREAS)
        return;
    uintptr_t lo = (uintptr_t)start & ~(PAGE - 1);
    uintptr_t hi = ((uintptr_t)start + len + PAGE - 1) & ~(PAGE - 1);
    book->area[book->narea].lo = lo;
    book->area[book->narea].hi = hi;
    book->narea++;
}

/* ---- phases and notes ------------------------------------------------ */

static struct phase_rec *phase_find(const char *name)
{
    for (int i = 0; i < book->nphase; i++)
        if (strcmp(book->phase[i].name, name) == 0)
            return &book->phase[i];
    int n = __atomic_fetch_add(&book->nphase, 1, __ATOMIC_SEQ_CST);
    if (n >= MAX_PHASES)
        abort();
    snprintf(book->phase[n].name, sizeof book->phase[n].name, "%s", name);
    return &book->phase[n];
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    if (!armed) {
        signal(sig, SIG_DFL); /* returning re-runs the access: default action */
        return;
    }
    last.signo = sig;
    last.code = si->si_code;
    last.addr = (uintptr_t)si->si_addr;
    last.err = uc->uc_mcontext.gregs[REG_ERR];
    last.trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    armed = 0;
    siglongjmp(jump, 1);
}

void probe_init(const char *const *phases)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    book = mmap(NULL, sizeof *book, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (book == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    for (int i = 0; phases && phases[i]; i++)
        (void)phase_find(phases[i]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
}

void mark_begin(struct mark *m)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    m->minor = ru.ru_minflt;
    m->major = ru.ru_majflt;
}

void mark_delta(const struct mark *m, long *minor, long *major)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *minor = ru.ru_minflt - m->minor;
    *major = ru.ru_majflt - m->major;
}

void mark_end(struct mark *m, const char *phase)
{
    long minor, major;
    mark_delta(m, &minor, &major);
    phase_add(phase, minor, major);
}

void phase_add(const char *phase, long minor, long major)
{
    struct phase_rec *p = phase_find(phase);
    __atomic_add_fetch(&p->minor, minor, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&p->major, major, __ATOMIC_SEQ_CST);
    p->measured = 1;
}

void phase_skip(const char *phase, const char *fmt, ...)
{
    struct phase_rec *p = phase_find(phase);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->skip, sizeof p->skip, fmt, ap);
    va_end(ap);
}

void note(const char *fmt, ...)
{
    int n = __atomic_fetch_add(&book->nnote, 1, __ATOMIC_SEQ_CST);
    if (n >= MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(book->note[n], sizeof book->note[n], fmt, ap);
    va_end(ap);
}

void probe_report(void)
{
    for (int i = 0; i < book->nphase && i < MAX_PHASES; i++) {
        const struct phase_rec *p = &book->phase[i];
        if (p->skip[0])
            printf("phase %s skip: %s\n", p->name, p->skip);
        else if (!p->measured)
            printf("phase %s skip: not measured (a bug in the probe)\n", p->name);
        else
            printf("phase %s minor=%ld major=%ld\n", p->name, p->minor, p->major);
    }
    for (int i = 0; i < book->nnote && i < MAX_NOTES; i++)
        printf("note %s\n", book->note[i]);
    fflush(stdout);
}

void probe_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("skip: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    probe_rmdir();
    exit(0);
}

void probe_check_empty(void)
{
    struct mark m;
    long minor, major;
    probe_settle();
    mark_begin(&m);
    mark_delta(&m, &minor, &major);
    note("empty_region=%ld/%ld", minor, major);
}

/* ---- touching memory --------------------------------------------------- */

void fill_read(const void *p, size_t size, size_t stride)
{
    const volatile char *c = p;
    for (size_t i = 0; i < size; i += stride)
        (void)c[i];
}

void fill_write(void *p, size_t size, size_t stride)
{
    volatile char *c = p;
    for (size_t i = 0; i < size; i += stride)
        c[i] = 1;
}

const char *touch_pages(void *p, size_t npages, int write, const char *phase)
{
    static char pattern[4096];
    volatile char *c = p;
    size_t i;
    for (i = 0; i < npages && i < sizeof pattern - 1; i++) {
        struct mark m;
        long minor, major;
        mark_begin(&m);
        if (write)
            c[i * PAGE] = 1;
        else
            (void)c[i * PAGE];
        mark_delta(&m, &minor, &major);
        if (phase)
            phase_add(phase, minor, major);
        long n = minor + major;
        pattern[i] = n == 0 ? '.' : n == 1 ? (major ? 'M' : 'm') : n > 9 ? '9' : (char)('0' + n);
    }
    pattern[i] = '\0';
    return pattern;
}

/* ---- signals ----------------------------------------------------------- */

int probe_try(void (*fn)(void *), void *arg, struct sig_rec *rec)
{
    if (sigsetjmp(jump, 1) == 0) {
        armed = 1;
        fn(arg);
        armed = 0;
        rec->signo = 0;
        return 0;
    }
    *rec = last;
    return rec->signo;
}

const char *si_code_name(int signo, int code)
{
    if (code == SI_KERNEL)
        return "SI_KERNEL";
    if (signo == SIGSEGV) {
        switch (code) {
        case SEGV_MAPERR: return "SEGV_MAPERR";
        case SEGV_ACCERR: return "SEGV_ACCERR";
#ifdef SEGV_PKUERR
        case SEGV_PKUERR: return "SEGV_PKUERR";
#endif
        }
    }
    if (signo == SIGBUS) {
        switch (code) {
        case BUS_ADRALN: return "BUS_ADRALN";
        case BUS_ADRERR: return "BUS_ADRERR";
        case BUS_OBJERR: return "BUS_OBJERR";
        }
    }
    return "other";
}

void sig_describe(const struct sig_rec *r, char *out, size_t len)
{
    if (!r->signo) {
        snprintf(out, len, "sig=none");
        return;
    }
    snprintf(out, len, "sig=%s si_code=%s(%d) si_addr=%#lx err=%#lx trapno=%ld",
             r->signo == SIGSEGV ? "SIGSEGV" : r->signo == SIGBUS ? "SIGBUS" : "other",
             si_code_name(r->signo, r->code), r->code, (unsigned long)r->addr,
             (unsigned long)r->err, r->trapno);
}

void call_at(void *entry, void *rax)
{
    /* Below the red zone, in case the compiler keeps something there. */
    __asm__ volatile("sub $256, %%rsp\n\t"
                     "call *%[e]\n\t"
                     "add $256, %%rsp\n\t"
                     :
                     : [e] "r"(entry), "a"(rax)
                     : "memory", "cc", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
}

void probe_read(void *p)
{
    (void)*(volatile char *)p;
}

void probe_write(void *p)
{
    *(volatile char *)p = 1;
}

void probe_fetch(void *p)
{
    call_at(p, p);
}

/* ---- what the kernel shows ------------------------------------------- */

uint64_t pagemap_entry(const void *p)
{
    uint64_t e = 0;
    if (pagemap_fd < 0)
        return 0;
    if (pread(pagemap_fd, &e, sizeof e, (off_t)((uintptr_t)p / PAGE * sizeof e)) != sizeof e)
        return 0;
    return e;
}
int pagemap_present(uint64_t e) { return (int)(e >> 63 & 1); }
int pagemap_swapped(uint64_t e) { return (int)(e >> 62 & 1); }
uint64_t pagemap_pfn(uint64_t e) { return e & ((UINT64_C(1) << 55) - 1); }

int pfn_visible(void)
{
    static int known = -2;
    if (known != -2)
        return known;
    if (pagemap_fd < 0) {
        known = -1;
        if (!__atomic_exchange_n(&book->pagemap_noted, 1, __ATOMIC_SEQ_CST))
            note("pagemap=unreadable");
        return known;
    }
    uint64_t e = pagemap_entry(book); /* settled: present */
    known = pagemap_present(e) && pagemap_pfn(e) != 0;
    if (!__atomic_exchange_n(&book->pagemap_noted, 1, __ATOMIC_SEQ_CST))
        note("pagemap=%s", known ? "pfn-visible" :
                       "pfn-hidden(PFN 0: the process lacks CAP_SYS_ADMIN; frame identity not measured)");
    return known;
}

int dtlb_open(void)
{
    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_HW_CACHE;
    pe.size = sizeof pe;
    pe.config = PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
    pe.exclude_kernel = 1;
    pe.exclude_hv = 1;
    int fd = (int)syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
    if (fd < 0)
        note("dtlb_counter=unavailable(%s: no hardware TLB counter here; TLB misses not measured)",
             strerror(errno));
    else
        note("dtlb_counter=dTLB-load-misses, user mode");
    return fd;
}

long dtlb_read(int fd)
{
    uint64_t v;
    if (fd < 0 || read(fd, &v, sizeof v) != sizeof v)
        return -1;
    return (long)v;
}

const char *folio_runs(const void *p, size_t npages)
{
    static char out[4096];
    size_t len = 0, run = 0;
    int fd;
    if (pfn_visible() != 1)
        return "unknown (frame numbers hidden)";
    fd = open("/proc/kpageflags", O_RDONLY);
    if (fd < 0)
        return "unknown (kpageflags unreadable)";
    out[0] = '\0';
    for (size_t i = 0; i < npages; i++) {
        uint64_t e = pagemap_entry((const char *)p + i * PAGE), flags = 0;
        if (!pagemap_present(e) ||
            pread(fd, &flags, sizeof flags, (off_t)(pagemap_pfn(e) * sizeof flags)) != sizeof flags) {
            close(fd);
            return "unknown (a page is not mapped)";
        }
        int tail = (int)(flags >> 16 & 1); /* KPF_COMPOUND_TAIL */
        if (!tail && run) {
            len += (size_t)snprintf(out + len, sizeof out - len, "%s%zu", len ? " " : "", run);
            run = 0;
        }
        run++;
        if (len > sizeof out - 32)
            break;
    }
    snprintf(out + len, sizeof out - len, "%s%zu", len ? " " : "", run);
    close(fd);
    return out;
}

long long kpage_flags(const void *p)
{
    uint64_t e = pagemap_entry(p), flags;
    int fd;
    if (pfn_visible() != 1 || !pagemap_present(e))
        return -1;
    fd = open("/proc/kpageflags", O_RDONLY);
    if (fd < 0)
        return -1;
    if (pread(fd, &flags, sizeof flags, (off_t)(pagemap_pfn(e) * sizeof flags)) != sizeof flags)
        flags = (uint64_t)-1;
    close(fd);
    return (long long)flags;
}

long file_offset_of(const void *p)
{
    static char maps[128 * 1024];
    uintptr_t a = (uintptr_t)p;
    if (read_file("/proc/self/maps", maps, sizeof maps) < 0)
        return -1;
    for (char *line = maps; line && *line;) {
        unsigned long lo, hi, off;
        if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) == 3 && a >= lo && a < hi)
            return (long)(a - lo + off);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

long vmstat_get(const char *key)
{
    size_t k = strlen(key);
    if (read_file("/proc/vmstat", scratch, sizeof scratch) < 0)
        return -1;
    for (char *line = scratch; line && *line;) {
        if (strncmp(line, key, k) == 0 && line[k] == ' ')
            return atol(line + k + 1);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

long smaps_get(const void *addr, const char *field)
{
    size_t k = strlen(field);
    uintptr_t a = (uintptr_t)addr;
    int inside = 0;
    if (read_file("/proc/self/smaps", scratch, sizeof scratch) < 0)
        return -1;
    for (char *line = scratch; line && *line;) {
        unsigned long lo, hi;
        char c;
        if (sscanf(line, "%lx-%lx %c", &lo, &hi, &c) == 3)
            inside = a >= lo && a < hi;
        else if (inside && strncmp(line, field, k) == 0 && line[k] == ':')
            return atol(line + k + 1);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

long resident_pages(const void *p, size_t len)
{
    static unsigned char vec[1 << 16];
    size_t n = (len + PAGE - 1) / PAGE;
    long count = 0;
    if (n > sizeof vec || mincore((void *)p, len, vec) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        count += vec[i] & 1;
    return count;
}

void read_line(const char *path, char *out, size_t len)
{
    char buf[512];
    out[0] = '\0';
    if (read_file(path, buf, sizeof buf) < 0)
        return;
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(out, len, "%s", buf);
}

int cpu_flag(const char *flag)
{
    size_t k = strlen(flag);
    if (read_file("/proc/cpuinfo", scratch, sizeof scratch) < 0)
        return 0;
    char *line = strstr(scratch, "\nflags");
    if (!line)
        return 0;
    char *end = strchr(line + 1, '\n');
    for (char *f = strstr(line, flag); f && (!end || f < end); f = strstr(f + 1, flag))
        if (f[-1] == ' ' && (f[k] == ' ' || f[k] == '\n' || f[k] == '\0'))
            return 1;
    return 0;
}

int swap_present(void)
{
    char buf[4096];
    if (read_file("/proc/swaps", buf, sizeof buf) < 0)
        return 0;
    char *nl = strchr(buf, '\n'); /* the header line */
    return nl && nl[1] != '\0';
}

void sysfs_choice(const char *path, char *out, size_t len)
{
    char line[512];
    read_line(path, line, sizeof line);
    char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
    if (a && b) {
        *b = '\0';
        snprintf(out, len, "%s", a + 1);
    } else {
        snprintf(out, len, "%s", line);
    }
}

const char *probe_tmpdir(void)
{
    const char *cand[] = {getenv("TMPDIR"), "/var/tmp", "/tmp", "."};
    if (book->tmpdir[0])
        return book->tmpdir;
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        struct statfs fs;
        char path[512];
        if (!cand[i] || !cand[i][0])
            continue;
        snprintf(path, sizeof path, "%s/vmviz-probe.XXXXXX", cand[i]);
        if (!mkdtemp(path))
            continue;
        if (statfs(path, &fs) == 0 && fs.f_type != TMPFS_MAGIC_ && fs.f_type != RAMFS_MAGIC_) {
            snprintf(book->tmpdir, sizeof book->tmpdir, "%s", path);
            return book->tmpdir;
        }
        rmdir(path);
    }
    return NULL;
}

void probe_rmdir(void)
{
    if (!book || !book->tmpdir[0])
        return;
    DIR *d = opendir(book->tmpdir);
    if (d) {
        struct dirent *e;
        char path[1024];
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", book->tmpdir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(book->tmpdir);
    book->tmpdir[0] = '\0';
}

int make_file(const char *path, size_t size)
{
    static char block[64 * 1024];
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)('a' + i % 26);
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof block ? size - done : sizeof block;
        if (write(fd, block, n) != (ssize_t)n) {
            close(fd);
            return -1;
        }
        done += n;
    }
    fsync(fd);
    return fd;
}

void drop_cache(int fd)
{
    fsync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

/* ---- two processes in lock step ------------------------------------- */

static void link_open(struct link *l)
{
    if (pipe(l->down) != 0 || pipe(l->up) != 0) {
        perror("pipe");
        exit(2);
    }
}

static void link_side(struct link *l, int child)
{
    if (child) {
        /* The inherited descriptor still reads the parent's pagemap. */
        if (pagemap_fd >= 0)
            close(pagemap_fd);
        pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
        close(l->down[1]);
        close(l->up[0]);
    } else {
        close(l->down[0]);
        close(l->up[1]);
    }
}

pid_t fork_linked(struct link *l)
{
    link_open(l);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    link_side(l, pid == 0);
    if (pid == 0) {
        struct mark m;
        long minor, major;
        probe_settle();
        mark_begin(&m);
        mark_delta(&m, &minor, &major);
        note("empty_region_in_child=%ld/%ld", minor, major);
    }
    return pid;
}

pid_t fork_measured(struct link *l, const char *phase)
{
    struct mark m;
    long cal_minor, cal_major, minor, major;

    /* The calibration fork: same code path, a child that exits at once.
     * Run twice, the first time unmeasured: the first fork of a process
     * writes some of libc's data for good, which a later fork does not. */
    for (int round = 0; round < 2; round++) {
        probe_settle();
        mark_begin(&m);
        pid_t c = fork();
        if (c == 0)
            _exit(0);
        mark_delta(&m, &cal_minor, &cal_major);
        reap(c);
    }

    link_open(l);
    probe_settle();
    mark_begin(&m);
    pid_t pid = fork();
    if (pid == 0) {
        struct rusage ru; /* the child starts at 0 (copy_process) */
        getrusage(RUSAGE_SELF, &ru);
        link_side(l, 1);
        note("fork_child_runtime_faults=%ld/%ld (C runtime after fork, not counted)",
             ru.ru_minflt, ru.ru_majflt);
        struct mark e;
        long eminor, emajor;
        probe_settle();
        mark_begin(&e);
        mark_delta(&e, &eminor, &emajor);
        note("empty_region_in_child=%ld/%ld", eminor, emajor);
        return 0;
    }
    mark_delta(&m, &minor, &major);
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    link_side(l, 0);
    phase_add(phase, minor - cal_minor, major - cal_major);
    note("fork_parent_raw=%ld/%ld fork_calibration=%ld/%ld (counted: the difference)", minor, major,
         cal_minor, cal_major);
    return pid;
}

void give_child(struct link *l)
{
    char c = 1;
    if (write(l->down[1], &c, 1) != 1 || read(l->up[0], &c, 1) != 1) {
        fprintf(stderr, "probe: the child is gone\n");
        exit(2);
    }
}

void wait_parent(struct link *l)
{
    char c;
    if (read(l->down[0], &c, 1) != 1)
        _exit(0);
}

void give_parent(struct link *l)
{
    char c = 1;
    if (write(l->up[1], &c, 1) != 1)
        _exit(2);
}

void reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
}
