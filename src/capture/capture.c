/* Capture: see capture.h. Two runs of one program, then one pass over the
 * Valgrind trace that splits it at the chapter markers and finds which
 * mappings the program touched. */
#include "capture/capture.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "util/grow.h"

/* wait4 is a BSD call that the POSIX feature macros hide. */
pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage);

#define PAGE 4096ULL
#define MAX_CHAPTERS 64
#define CHAPTER_NAME_MAX 80
/* The marker's line in the trace: "**PID** vmviz-chapter NAME". */
#define MARKER_WORD " vmviz-chapter "

struct chapter {
    char name[CHAPTER_NAME_MAX];
    long native_minor, native_major;  /* getrusage() deltas of the native run */
    unsigned long long accesses;
};

/* One line of /proc/PID/maps. */
struct mapping {
    uint64_t start, end, offset;
    char perms[5];
    char path[PATH_MAX];
    int touched;
    int written;                /* the trace stores into it */
    int file;                   /* index in capture.files, -1 when anonymous */
    int declared;               /* an area of the scenario (see write_scenario) */
    char area_name[96];
    unsigned char *pages_seen;  /* a bit per page, once touched */
    uint64_t distinct_pages;
};

/* What the program did, in order: a chapter's start, a piece of the trace
 * (one file), or a syscall that changed its mappings, as Valgrind's
 * --trace-syscalls output shows it between the trace's lines. */
enum item_kind { ITEM_CHAPTER, ITEM_TRACE, ITEM_MMAP, ITEM_MUNMAP, ITEM_MPROTECT };

struct item {
    enum item_kind kind;
    unsigned index;             /* the chapter, or the trace file's number */
    uint64_t start, end, offset;
    char prot[4];
    int shared;
    int file;                   /* index in capture.files, -1 when anonymous */
    int heap;                   /* an mmap that is brk growing the heap */
};

/* A file the program mapped, and which of its pages the trace touched. */
struct file_record {
    char path[PATH_MAX];
    char name[32];              /* the scenario's name for it (OBJECT_NAME_MAX) */
    uint64_t reach;             /* the bytes its mappings reach */
    unsigned char *pages_seen;  /* a bit per page of the file */
    uint64_t pages_cap;
    int used;                   /* mapped by a declared area or an mmap step */
};

/* A mapping made by a syscall during the run, while it lasts. */
struct live_range {
    uint64_t start, end, offset;
    int file;
};

#define MAX_FDS 1024

struct capture {
    const struct capture_request *req;
    struct diag *err;
    char base[PATH_MAX];        /* output without ".yaml" */
    char program_path[PATH_MAX];
    struct chapter chapters[MAX_CHAPTERS];
    unsigned nchapters;         /* markers seen in the trace, + Start-up */
    long marks_minor[MAX_CHAPTERS], marks_major[MAX_CHAPTERS];
    unsigned nmarks;            /* markers seen in the native run */
    struct rusage native_total;
    char *maps;                 /* the last snapshot of /proc/PID/maps */
    struct mapping *mappings;
    size_t nmappings;
    uint64_t outside_pages;     /* accesses outside every mapping, page changes */
    struct item *items;
    size_t nitems, items_cap;
    unsigned ntraces;           /* trace files written */
    struct file_record *files;
    size_t nfiles, files_cap;
    struct live_range *live;    /* the syscalls' mappings now */
    size_t nlive, live_cap;
    int fd_file[MAX_FDS];       /* the file each open descriptor names, -1 */
    char pending_open[PATH_MAX];/* an openat whose result comes on a later line */
    uint64_t brk_start, brk_now;/* the program break, 0 before the first brk */
};

static int fail_at(struct capture *c, unsigned column, const char *fmt, ...) DIAG_PRINTF(3, 4);
static int file_index(struct capture *c, const char *path);

/* Sets the error at column of the command line; returns -1. */
static int fail_at(struct capture *c, unsigned column, const char *fmt, ...)
{
    char what[DIAG_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    diag_set(c->err, c->req->where, 1, column, "%s", what);
    return -1;
}

/* Finds name on PATH (or takes it as a path when it has a slash): 0 with
 * out set to an executable regular file, else -1. */
static int find_executable(const char *name, char *out, size_t len)
{
    struct stat st;
    if (strchr(name, '/')) {
        if (stat(name, &st) != 0 || !S_ISREG(st.st_mode) || access(name, X_OK) != 0)
            return -1;
        snprintf(out, len, "%s", name);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t dir_len = colon ? (size_t)(colon - path) : strlen(path);
        char candidate[PATH_MAX];
        int n = snprintf(candidate, sizeof candidate, "%.*s/%s", (int)dir_len, path, name);
        if (n > 0 && (size_t)n < sizeof candidate && stat(candidate, &st) == 0 &&
            S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
            snprintf(out, len, "%s", candidate);
            return 0;
        }
        path += dir_len + (colon ? 1 : 0);
    }
    return -1;
}

int capture_find_valgrind(char *out, size_t len)
{
    return find_executable("valgrind", out, len);
}

/* Reads all of fd into a fresh NUL-terminated string; NULL when memory runs
 * out or the read fails. */
static char *read_all(int fd)
{
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (used + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + used, cap - used - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (n == 0) {
            buf[used] = '\0';
            return buf;
        }
        used += (size_t)n;
    }
    free(buf);
    return NULL;
}

/* 0 when a run ended by itself (any exit status but 127, which is the
 * child's own "cannot execute"), else -1 with the error saying how it
 * ended and in which run ("when run natively", "under valgrind"). */
static int check_ended(struct capture *c, int status, const char *run)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) != 127)
        return 0;
    if (WIFSIGNALED(status))
        return fail_at(c, c->req->program_column, "the program was killed by signal %d %s "
                       "(expected it to run to its end)", WTERMSIG(status), run);
    return fail_at(c, c->req->program_column, "the program could not be executed %s "
                   "(expected it to run to its end)", run);
}

/* Runs the program natively with VMVIZ_CAPTURE_FD set to a pipe, reads the
 * markers' lines "NAME\tMINOR\tMAJOR" and the whole run's rusage. */
static int run_native(struct capture *c)
{
    int fds[2];
    if (pipe(fds) != 0)
        return fail_at(c, c->req->program_column, "cannot make a pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return fail_at(c, c->req->program_column, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        char fd_text[16];
        snprintf(fd_text, sizeof fd_text, "%d", fds[1]);
        setenv("VMVIZ_CAPTURE_FD", fd_text, 1);
        /* Without address randomisation, as under Valgrind: a random stack
         * start moves page boundaries, and a marker's call could cross one
         * in one run and not in the next. */
        personality(ADDR_NO_RANDOMIZE);
        execv(c->program_path, c->req->argv);
        _exit(127);
    }
    close(fds[1]);
    char *text = read_all(fds[0]);
    close(fds[0]);
    int status;
    while (wait4(pid, &status, 0, &c->native_total) < 0 && errno == EINTR)
        ;
    if (!text)
        return fail_at(c, c->req->program_column, "out of memory reading the program's markers");
    c->nmarks = 0;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (!end)
            break;
        *end = '\0';
        char *tab = strchr(line, '\t');
        long minor, major;
        if (tab && c->nmarks < MAX_CHAPTERS && sscanf(tab + 1, "%ld\t%ld", &minor, &major) == 2) {
            c->marks_minor[c->nmarks] = minor;
            c->marks_major[c->nmarks] = major;
            c->nmarks++;
        }
        line = end + 1;
    }
    free(text);
    return check_ended(c, status, "when run natively");
}

/* Runs the program under lackey, its trace written to raw_path. Each
 * marker stops the process: its maps are read then, and it goes on. */
static int run_valgrind(struct capture *c, const char *valgrind, const char *raw_path)
{
    size_t argc = 0;
    while (c->req->argv[argc])
        argc++;
    char log_option[PATH_MAX + 64];
    snprintf(log_option, sizeof log_option, "--log-file=%s", raw_path);
    char **argv = calloc(argc + 7, sizeof *argv);
    if (!argv)
        return fail_at(c, c->req->program_column, "out of memory starting valgrind");
    size_t k = 0;
    argv[k++] = (char *)"valgrind";
    argv[k++] = (char *)"--tool=lackey";
    argv[k++] = (char *)"--trace-mem=yes";
    /* Each syscall as a line of the trace, in order with the accesses:
     * where a mapping appears or goes. */
    argv[k++] = (char *)"--trace-syscalls=yes";
    argv[k++] = log_option;
    argv[k++] = c->program_path;
    for (size_t i = 1; i < argc; i++)
        argv[k++] = c->req->argv[i];
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        return fail_at(c, c->req->program_column, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Any descriptor number works: under Valgrind the marker writes to
         * the trace, not to it. */
        setenv("VMVIZ_CAPTURE_FD", "2", 1);
        execv(valgrind, argv);
        _exit(127);
    }
    free(argv);
    int status;
    for (;;) {
        if (waitpid(pid, &status, WUNTRACED) < 0) {
            if (errno == EINTR)
                continue;
            return fail_at(c, c->req->program_column, "lost valgrind: %s", strerror(errno));
        }
        if (!WIFSTOPPED(status))
            break;
        /* Stopped at a marker: nothing maps or unmaps while we read. */
        char maps_path[64];
        snprintf(maps_path, sizeof maps_path, "/proc/%d/maps", (int)pid);
        FILE *maps = fopen(maps_path, "r");
        if (maps) {
            char *snapshot = read_all(fileno(maps));
            fclose(maps);
            if (snapshot) {
                free(c->maps);
                c->maps = snapshot;
            }
        }
        kill(pid, SIGCONT);
    }
    return check_ended(c, status, "under valgrind");
}

/* Parses c->maps into c->mappings. */
static int parse_maps(struct capture *c)
{
    if (!c->maps)
        return 0;
    size_t lines = 0;
    for (const char *p = c->maps; *p; p++)
        lines += *p == '\n';
    c->mappings = calloc(lines + 1, sizeof *c->mappings);
    if (!c->mappings)
        return fail_at(c, c->req->program_column, "out of memory reading the maps");
    for (char *line = c->maps; *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        struct mapping *m = &c->mappings[c->nmappings];
        unsigned long long start, stop, offset;
        int path_at = 0;
        if (sscanf(line, "%llx-%llx %4s %llx %*s %*s %n", &start, &stop, m->perms, &offset,
                   &path_at) >= 4 && start < stop) {
            m->start = start;
            m->end = stop;
            m->offset = offset;
            snprintf(m->path, sizeof m->path, "%s", path_at ? line + path_at : "");
            m->file = m->path[0] == '/' ? file_index(c, m->path) : -1;
            if (m->path[0] == '/' && m->file < 0)
                return fail_at(c, c->req->program_column, "out of memory reading the maps");
            c->nmappings++;
        }
        if (!end)
            break;
        line = end + 1;
    }
    return 0;
}

/* The mapping that holds address, or NULL. The maps are sorted. */
static struct mapping *mapping_at(struct capture *c, uint64_t address)
{
    size_t lo = 0, hi = c->nmappings;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (address < c->mappings[mid].start)
            hi = mid;
        else if (address >= c->mappings[mid].end)
            lo = mid + 1;
        else
            return &c->mappings[mid];
    }
    return NULL;
}

/* The index of the file at path in c->files, added when new; -1 when
 * memory runs out. */
static int file_index(struct capture *c, const char *path)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i].path, path) == 0)
            return (int)i;
    if (!array_grow((void **)&c->files, &c->files_cap, c->nfiles + 1, sizeof *c->files))
        return -1;
    struct file_record *f = &c->files[c->nfiles];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    return (int)c->nfiles++;
}

/* Marks page file_page of file touched: 0, or -1 when memory runs out. */
static int file_page_seen(struct capture *c, int file, uint64_t file_page)
{
    struct file_record *f = &c->files[file];
    if (file_page >= f->pages_cap) {
        uint64_t cap = f->pages_cap ? f->pages_cap : 64;
        while (cap <= file_page)
            cap *= 2;
        unsigned char *bigger = realloc(f->pages_seen, (size_t)(cap / 8));
        if (!bigger)
            return -1;
        memset(bigger + f->pages_cap / 8, 0, (size_t)((cap - f->pages_cap) / 8));
        f->pages_seen = bigger;
        f->pages_cap = cap;
    }
    f->pages_seen[file_page / 8] |= (unsigned char)(1u << (file_page % 8));
    return 0;
}

/* True when file's page file_page was touched. */
static int file_page_touched(const struct file_record *f, uint64_t file_page)
{
    return file_page < f->pages_cap && (f->pages_seen[file_page / 8] & (1u << (file_page % 8)));
}

/* Removes [start, end) from the ranges ranges[0..*n), cutting those it
 * overlaps (a file range's offset follows its start): 0, or -1 when
 * memory runs out. */
static int ranges_cut(struct live_range **ranges, size_t *n, size_t *cap, uint64_t start,
                      uint64_t end)
{
    for (size_t i = 0; i < *n; i++) {
        struct live_range r = (*ranges)[i];
        if (r.end <= start || r.start >= end)
            continue;
        if (r.start < start && r.end > end) {
            if (!array_grow((void **)ranges, cap, *n + 1, sizeof **ranges))
                return -1;
            struct live_range above = {end, r.end, r.offset + (end - r.start), r.file};
            (*ranges)[(*n)++] = above;
            (*ranges)[i].end = start;
        } else if (r.start < start) {
            (*ranges)[i].end = start;
        } else if (r.end > end) {
            (*ranges)[i].offset += end - r.start;
            (*ranges)[i].start = end;
        } else {
            (*ranges)[i--] = (*ranges)[--*n];
        }
    }
    return 0;
}

/* Adds a range after cutting what it overlaps: 0, or -1 when memory runs
 * out. */
static int ranges_put(struct live_range **ranges, size_t *n, size_t *cap, struct live_range r)
{
    if (ranges_cut(ranges, n, cap, r.start, r.end) != 0 ||
        !array_grow((void **)ranges, cap, *n + 1, sizeof **ranges))
        return -1;
    (*ranges)[(*n)++] = r;
    return 0;
}

/* Records that address was accessed: its mapping is touched, and its page
 * counted once. 0, or -1 when memory runs out. */
static int note_access(struct capture *c, uint64_t address, int is_store,
                       uint64_t *last_outside_page)
{
    /* A mapping a syscall made during the run first: the last snapshot
     * may no longer hold it, or hold another one there. */
    for (size_t i = 0; i < c->nlive; i++) {
        const struct live_range *r = &c->live[i];
        if (address < r->start || address >= r->end)
            continue;
        return r->file < 0 ? 0 : file_page_seen(c, r->file, (r->offset + address - r->start) / PAGE);
    }
    struct mapping *m = mapping_at(c, address);
    if (m && m->file >= 0 && file_page_seen(c, m->file, (m->offset + address - m->start) / PAGE))
        return -1;
    if (m && is_store)
        m->written = 1;
    if (!m) {
        if (address / PAGE != *last_outside_page) {
            *last_outside_page = address / PAGE;
            c->outside_pages++;
        }
        return 0;
    }
    if (!m->pages_seen) {
        m->pages_seen = calloc((size_t)((m->end - m->start) / PAGE / 8 + 1), 1);
        if (!m->pages_seen)
            return -1;
        m->touched = 1;
    }
    uint64_t page = (address - m->start) / PAGE;
    if (!(m->pages_seen[page / 8] & (1u << (page % 8)))) {
        m->pages_seen[page / 8] |= (unsigned char)(1u << (page % 8));
        m->distinct_pages++;
    }
    return 0;
}

/* The directory of a capture's traces, beside NAME.yaml: NAME.traces
 * (one directory, so that a capture's many files do not crowd the folder
 * of scenarios). */
static void traces_dir_path(const struct capture *c, char *out, size_t len)
{
    snprintf(out, len, "%s.traces", c->base);
}

/* The trace file number index: NAME.traces/N.lackey.gz (compressed: a
 * lackey trace is large and repetitive, a tenth of it remains). */
static void chapter_trace_path(const struct capture *c, unsigned index, char *out, size_t len)
{
    snprintf(out, len, "%s.traces/%u.lackey.gz", c->base, index);
}

/* Makes the traces directory, or keeps the one an earlier capture made:
 * 0, or -1 with the error. */
static int traces_dir_make(struct capture *c)
{
    char dir[PATH_MAX + 16];
    traces_dir_path(c, dir, sizeof dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fail_at(c, c->req->output_column, "cannot make the directory '%s': %s "
                       "(expected a writable folder for the traces)", dir, strerror(errno));
    return 0;
}

/* Removes the traces an earlier, longer capture left in the directory
 * (N.lackey.gz, N at least the number this one wrote), so that it holds
 * only this capture's; other files stay. */
static void traces_dir_trim(const struct capture *c)
{
    char dir[PATH_MAX + 16];
    traces_dir_path(c, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        unsigned index;
        int end = 0;
        if (sscanf(de->d_name, "%u.lackey.gz%n", &index, &end) != 1 ||
            de->d_name[end] != '\0' || end == 0 || index < c->ntraces)
            continue;
        char path[PATH_MAX + 32];
        chapter_trace_path(c, index, path, sizeof path);
        remove(path);
    }
    closedir(d);
}

/* Appends it to the program's items: 0, or -1 when memory runs out. */
static int item_add(struct capture *c, struct item it)
{
    if (!array_grow((void **)&c->items, &c->items_cap, c->nitems + 1, sizeof *c->items))
        return -1;
    c->items[c->nitems++] = it;
    return 0;
}

/* The path inside "0xADDR(PATH)" at text, cut from a Valgrind syscall
 * line into out; 0, or -1 when there is none. */
static int syscall_path(const char *text, char *out, size_t len)
{
    const char *open = text ? strchr(text, '(') : NULL;
    const char *close = open ? strstr(open, "), ") : NULL;
    if (!close)
        close = open ? strstr(open, ") )") : NULL;
    if (!close)
        return -1;
    snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
    return 0;
}

/* Reads one line of Valgrind's --trace-syscalls output, "SYSCALL[PID,TID]
 * (NR) sys_NAME ( ARGS ) --> ... Success(0xRESULT)". Opens and closes
 * keep the descriptors' files; mmap, munmap, mprotect and brk that
 * succeeded fill *it and return 1 (brk as an mmap or munmap of the pages
 * it adds or removes). 0 for any other line, -1 when memory runs out. */
static int read_syscall(struct capture *c, const char *line, struct item *it)
{
    const char *nr_at = strstr(line, "](");
    const char *result_at = strstr(line, "Success(0x");
    if (!nr_at)
        return 0;
    long nr = strtol(nr_at + 2, NULL, 10);
    unsigned long long result = result_at ? strtoull(result_at + 10, NULL, 16) : 0;
    unsigned long long a[6] = {0};
    memset(it, 0, sizeof *it);
    it->file = -1;
    if (strstr(line, ") ... [async] --> ")) {
        /* The result of an open whose line came before. */
        if ((nr == 2 || nr == 257) && c->pending_open[0] && result_at && result < MAX_FDS) {
            int file = file_index(c, c->pending_open);
            if (file < 0)
                return -1;
            c->fd_file[result] = file;
        }
        c->pending_open[0] = '\0';
        return 0;
    }
    if (nr == 2 || nr == 257) {
        const char *args = strstr(line, nr == 2 ? "sys_open ( " : "sys_openat ( ");
        if (args && nr == 257)
            args = strchr(args + strlen("sys_openat ( "), ',');
        char path[PATH_MAX];
        if (syscall_path(args, path, sizeof path) != 0 || path[0] != '/')
            return 0;
        if (!result_at) {
            snprintf(c->pending_open, sizeof c->pending_open, "%s", path);
            return 0;
        }
        int file = result < MAX_FDS ? file_index(c, path) : 0;
        if (file < 0)
            return -1;
        if (result < MAX_FDS)
            c->fd_file[result] = file;
        return 0;
    }
    if (nr == 3 && sscanf(strstr(line, ") sys_close ( ") ? strstr(line, "( ") : "", "( %llu",
                          &a[0]) == 1 && a[0] < MAX_FDS) {
        c->fd_file[a[0]] = -1;
        return 0;
    }
    if (!result_at)
        return 0;
    const char *args = strstr(line, " ( ");
    if (!args)
        return 0;
    if (nr == 9 && sscanf(args, " ( %llx, %llu, %llu, %llu, %llu, %llu", &a[0], &a[1], &a[2],
                          &a[3], &a[4], &a[5]) == 6) {
        it->kind = ITEM_MMAP;
        it->start = result;
        it->end = result + (a[1] + PAGE - 1) / PAGE * PAGE;
        it->offset = a[5];
        it->shared = (a[3] & 0x01) != 0;          /* MAP_SHARED */
        if (!(a[3] & 0x20) && a[4] < MAX_FDS)     /* not MAP_ANONYMOUS */
            it->file = c->fd_file[a[4]];
    } else if ((nr == 10 || nr == 11) &&
               sscanf(args, " ( %llx, %llu, %llu", &a[0], &a[1], &a[2]) >= 2) {
        it->kind = nr == 10 ? ITEM_MPROTECT : ITEM_MUNMAP;
        it->start = a[0];
        it->end = a[0] + (a[1] + PAGE - 1) / PAGE * PAGE;
    } else if (nr == 12) {
        uint64_t old_end = (c->brk_now + PAGE - 1) / PAGE * PAGE;
        uint64_t new_end = (result + PAGE - 1) / PAGE * PAGE;
        if (c->brk_start == 0)
            c->brk_start = c->brk_now = old_end = result;
        c->brk_now = result;
        if (new_end == old_end)
            return 0;
        it->kind = new_end > old_end ? ITEM_MMAP : ITEM_MUNMAP;
        it->start = new_end > old_end ? old_end : new_end;
        it->end = new_end > old_end ? new_end : old_end;
        it->heap = 1;
        a[2] = 3;                                 /* brk's heap is rw- */
    } else {
        return 0;
    }
    it->prot[0] = a[2] & 1 ? 'r' : '-';
    it->prot[1] = a[2] & 2 ? 'w' : '-';
    it->prot[2] = a[2] & 4 ? 'x' : '-';
    if (it->kind == ITEM_MMAP) {
        struct live_range r = {it->start, it->end, it->offset, it->file};
        if (ranges_put(&c->live, &c->nlive, &c->live_cap, r) != 0)
            return -1;
    } else if (it->kind == ITEM_MUNMAP &&
               ranges_cut(&c->live, &c->nlive, &c->live_cap, it->start, it->end) != 0) {
        return -1;
    }
    return 1;
}

/* The trace file being written: its number and accesses. */
struct segment {
    gzFile out;
    char path[PATH_MAX + 32];
    unsigned long long accesses;
};

/* Starts trace file number c->ntraces: 0, or -1. */
static int segment_open(struct capture *c, struct segment *seg)
{
    chapter_trace_path(c, c->ntraces, seg->path, sizeof seg->path);
    seg->accesses = 0;
    seg->out = gzopen(seg->path, "wb6");
    if (!seg->out)
        return fail_at(c, c->req->output_column, "cannot write '%s': %s", seg->path,
                       strerror(errno));
    return 0;
}

/* Ends the trace file being written: kept as a trace item when it holds
 * accesses, removed when not. 0, or -1. */
static int segment_close(struct capture *c, struct segment *seg)
{
    int status = gzclose(seg->out) == Z_OK ? 0 : -1;
    seg->out = NULL;
    if (status != 0)
        return fail_at(c, c->req->output_column, "cannot write '%s'", seg->path);
    if (!seg->accesses) {
        remove(seg->path);
        return 0;
    }
    struct item it = {.kind = ITEM_TRACE, .index = c->ntraces++, .file = -1};
    if (item_add(c, it) != 0)
        return fail_at(c, c->req->program_column, "out of memory splitting the trace");
    return 0;
}

/* Ends the trace file being written, puts it (a chapter or a syscall)
 * after it, and starts the next trace file: 0, or -1. */
static int cut_at(struct capture *c, struct segment *seg, struct item it)
{
    if (segment_close(c, seg) != 0)
        return -1;
    if (item_add(c, it) != 0)
        return fail_at(c, c->req->program_column, "out of memory splitting the trace");
    return segment_open(c, seg);
}

/* Splits the raw trace at its markers and at the syscalls that map, unmap
 * or protect memory into trace files of access lines only, each an item
 * between the chapters' and the syscalls' items, and notes every access. */
static int split_trace(struct capture *c, const char *raw_path)
{
    FILE *raw = fopen(raw_path, "r");
    if (!raw)
        return fail_at(c, c->req->output_column, "cannot read the trace '%s': %s", raw_path,
                       strerror(errno));
    struct segment seg = {0};
    c->nchapters = 1;
    snprintf(c->chapters[0].name, sizeof c->chapters[0].name, "Start-up");
    struct item chapter = {.kind = ITEM_CHAPTER, .index = 0, .file = -1};
    int status = item_add(c, chapter) != 0
                     ? fail_at(c, c->req->program_column, "out of memory splitting the trace")
                     : segment_open(c, &seg);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t last_outside_page = UINT64_MAX;
    while (status == 0 && (n = getline(&line, &cap, raw)) > 0) {
        char *marker = line[0] == '*' ? strstr(line, MARKER_WORD) : NULL;
        if (marker) {
            if (c->nchapters == MAX_CHAPTERS) {
                status = fail_at(c, c->req->program_column, "the program marks more than %d "
                                 "chapters (expected fewer VMVIZ_CHAPTER calls)", MAX_CHAPTERS - 1);
                break;
            }
            char *name = marker + strlen(MARKER_WORD);
            name[strcspn(name, "\r\n")] = '\0';
            struct chapter *ch = &c->chapters[c->nchapters];
            snprintf(ch->name, sizeof ch->name, "%s", *name ? name : "chapter");
            chapter.index = c->nchapters++;
            status = cut_at(c, &seg, chapter);
            continue;
        }
        if (strncmp(line, "SYSCALL[", 8) == 0) {
            struct item it;
            int found = read_syscall(c, line, &it);
            if (found < 0)
                status = fail_at(c, c->req->program_column, "out of memory reading syscalls");
            if (found <= 0)
                continue;
            status = cut_at(c, &seg, it);
            continue;
        }
        /* Lackey's access lines: "I  ADDR,SIZE" and " L|S|M ADDR,SIZE". */
        int is_fetch = line[0] == 'I' && line[1] == ' ';
        int is_data = line[0] == ' ' && strchr("LSM", line[1]) && line[1] && line[2] == ' ';
        if (!is_fetch && !is_data)
            continue;
        unsigned long long address;
        unsigned size;
        if (sscanf(line + 2, " %llx,%u", &address, &size) != 2)
            continue;
        /* An access across a page boundary (a 32-byte vector store 16 bytes
         * before a page's end) touches both pages: the trace reader plays
         * it as one access per page, and each page is noted here. */
        uint64_t pages = size > 1 ? (address + size - 1) / PAGE - address / PAGE + 1 : 1;
        int is_store = line[1] == 'S' || line[1] == 'M';
        for (uint64_t p = 0; p < pages && status == 0; p++) {
            uint64_t at = p ? (address / PAGE + p) * PAGE : address;
            if (note_access(c, at, is_store, &last_outside_page) != 0)
                status = fail_at(c, c->req->program_column, "out of memory counting pages");
        }
        c->chapters[c->nchapters - 1].accesses += (line[1] == 'M' ? 2 : 1) * pages;
        seg.accesses++;
        if (status == 0 && gzprintf(seg.out, "%s %08llx,%u\n", line[0] == 'I' ? "I " : line[1] == 'L'
                                    ? " L" : line[1] == 'S' ? " S" : " M", address, size) <= 0)
            status = fail_at(c, c->req->output_column, "cannot write '%s'", seg.path);
    }
    free(line);
    fclose(raw);
    if (seg.out && segment_close(c, &seg) != 0 && status == 0)
        status = -1;
    return status;
}

/* A scenario name made of path's last component: letters, digits, '_'
 * and '.', starting with a letter. */
static void name_from_path(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t k = 0;
    if (len < 3)
        return;
    if (!((*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z')))
        out[k++] = 'f';
    for (; *base && k + 1 < len; base++) {
        char ch = *base;
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
        out[k++] = keep ? ch : '_';
    }
    out[k] = '\0';
}

/* What part of a file a mapping of it holds, by its permissions. */
static const char *segment_kind(const char *perms)
{
    if (perms[2] == 'x')
        return "text";
    if (perms[1] == 'w')
        return "data";
    return "rodata";
}

/* Writes s as a double-quoted YAML string. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* The names given so far, areas' and files' apart: each at most 31
 * characters (AREA_NAME_MAX, OBJECT_NAME_MAX), so the engine keeps them
 * whole and two never look alike. */
struct names {
    char (*list)[32];
    size_t n, cap;
};

/* Writes to out (32 bytes) base cut to fit, or with the first number from
 * 2 on that makes it new, and remembers it; 0, or -1 when memory runs out. */
static int unique_name(struct names *names, const char *base, char out[32])
{
    if (!array_grow((void **)&names->list, &names->cap, names->n + 1, sizeof *names->list))
        return -1;
    snprintf(out, 32, "%.31s", base);
    for (unsigned k = 2;; k++) {
        size_t i = 0;
        while (i < names->n && strcmp(names->list[i], out) != 0)
            i++;
        if (i == names->n)
            break;
        char number[16];
        int digits = snprintf(number, sizeof number, "%u", k);
        snprintf(out, 32, "%.*s%s", 31 - digits, base, number);
    }
    memcpy(names->list[names->n++], out, 32);
    return 0;
}

/* A file's stem for its areas' names: its last component without a
 * trailing ".so" or ".so.N" ("libc.so.6" is "libc"), at most 20
 * characters, so that ".rodata2" after it still fits in 31. */
static void file_stem(const char *path, char *out, size_t len)
{
    char name[PATH_MAX];
    name_from_path(path, name, sizeof name);
    char *so = strstr(name, ".so");
    if (so && (so[3] == '\0' || (so[3] == '.' && so[4] >= '0' && so[4] <= '9' &&
                                 strspn(so + 4, "0123456789.") == strlen(so + 4))))
        *so = '\0';
    snprintf(out, len, "%.20s", name);
}

/* True when [start, end) overlaps an item of kind. */
static int items_overlap(const struct capture *c, enum item_kind kind, uint64_t start,
                         uint64_t end)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i].kind == kind && c->items[i].start < end && c->items[i].end > start)
            return 1;
    return 0;
}

/* Writes "  - VERB: {addr: A, size: S[, prot: P]}" for each piece of
 * [start, end) that the mapped ranges hold: the model's munmap and
 * mprotect take mapped pages only. */
static void write_on_pieces(FILE *out, const char *verb, const struct live_range *mapped,
                            size_t n, uint64_t start, uint64_t end, const char *prot)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t from = mapped[i].start > start ? mapped[i].start : start;
        uint64_t to = mapped[i].end < end ? mapped[i].end : end;
        if (from >= to)
            continue;
        fprintf(out, "  - %s: {addr: 0x%llx, size: 0x%llx", verb, (unsigned long long)from,
                (unsigned long long)(to - from));
        if (prot)
            fprintf(out, ", prot: %s", prot);
        fprintf(out, "}\n");
    }
}

/* Writes the scenario: machine, files, the process and the areas it had
 * before its first syscall, then the items in order: a chapter, its
 * native counts, its trace files and the mmap, munmap and mprotect steps
 * between them. */
static int write_scenario(struct capture *c, struct capture_summary *summary)
{
    FILE *out = fopen(c->req->output, "w");
    if (!out)
        return fail_at(c, c->req->output_column, "cannot write '%s': %s", c->req->output,
                       strerror(errno));
    char program_real[PATH_MAX];
    if (!realpath(c->program_path, program_real))
        snprintf(program_real, sizeof program_real, "%s", c->program_path);
    char program_name[96];
    name_from_path(c->program_path, program_name, sizeof program_name);

    /* Declared areas: the last snapshot's mappings that no mmap or brk of
     * the run made, touched by the trace or changed by a syscall. */
    for (size_t i = 0; i < c->nmappings; i++) {
        struct mapping *m = &c->mappings[i];
        m->declared = !items_overlap(c, ITEM_MMAP, m->start, m->end) &&
                      (m->touched || items_overlap(c, ITEM_MUNMAP, m->start, m->end) ||
                       items_overlap(c, ITEM_MPROTECT, m->start, m->end));
        if (m->declared && m->file >= 0)
            c->files[m->file].used = 1;
        if (m->declared && m->file >= 0 &&
            m->offset + (m->end - m->start) > c->files[m->file].reach)
            c->files[m->file].reach = m->offset + (m->end - m->start);
    }
    for (size_t i = 0; i < c->nitems; i++) {
        const struct item *it = &c->items[i];
        if (it->kind != ITEM_MMAP || it->file < 0)
            continue;
        c->files[it->file].used = 1;
        if (it->offset + (it->end - it->start) > c->files[it->file].reach)
            c->files[it->file].reach = it->offset + (it->end - it->start);
    }

    /* Enough frames that nothing is evicted: the program ran with memory
     * to spare, and its faults are first touches. Each page touched takes
     * one frame (a cached file page one more when written privately: the
     * few pages of data and RELRO), page tables a few: 64 more frames than
     * pages touched, or 512, the scenarios' default, when that is more. */
    uint64_t distinct = c->outside_pages;
    for (size_t i = 0; i < c->nmappings; i++)
        distinct += c->mappings[i].file < 0 ? c->mappings[i].distinct_pages : 0;
    for (size_t i = 0; i < c->nfiles; i++)
        for (uint64_t page = 0; page < c->files[i].pages_cap; page++)
            distinct += file_page_touched(&c->files[i], page) ? 1 : 0;
    uint64_t frames = distinct + 64;
    if (frames < 512)
        frames = 512;
    if (frames > 4194304)
        frames = 4194304;

    fprintf(out, "# Captured by vmviz capture from:");
    for (size_t i = 0; c->req->argv[i]; i++)
        fprintf(out, " %s", c->req->argv[i]);
    fprintf(out, "\ntitle: ");
    char title[PATH_MAX + 16];
    snprintf(title, sizeof title, "Captured: %s", program_name);
    put_quoted(out, title);
    fprintf(out, "\ndescription: >\n"
            "  The memory accesses of one run of %s under Valgrind's lackey tool.\n"
            "  The areas it starts with are those of its /proc/PID/maps (read at its\n"
            "  last chapter marker) that Valgrind mapped before the program ran; each\n"
            "  mmap, munmap, mprotect and brk of the run is a step where the program\n"
            "  made it. Each chapter says how many faults getrusage() counted for it\n"
            "  in a native run of the same program.\n", program_name);
    fprintf(out, "machine:\n  preset: x86_64\n  frames: %llu\n", (unsigned long long)frames);

    struct names file_names = {0}, area_names = {0};
    int status = 0;
    int any_file = 0;
    for (size_t i = 0; i < c->nfiles && status == 0; i++) {
        struct file_record *f = &c->files[i];
        if (!f->used)
            continue;
        char base[PATH_MAX];
        name_from_path(f->path, base, sizeof base);
        if (unique_name(&file_names, base, f->name) != 0) {
            status = -1;
            break;
        }
        if (!any_file)
            fprintf(out, "files:\n");
        any_file = 1;
        /* In the page cache: the pages of the file the run touched (it
         * has just read them); the rest is not known, and left out so as
         * not to take frames. */
        fprintf(out, "  - {name: %s, size: 0x%llx, cached: [", f->name,
                (unsigned long long)f->reach);
        const char *separator = "";
        for (uint64_t page = 0; page < f->pages_cap && page * PAGE < f->reach; page++)
            if (file_page_touched(f, page)) {
                fprintf(out, "%s%llu", separator, (unsigned long long)page);
                separator = ", ";
            }
        fprintf(out, "]}\n");
    }

    fprintf(out, "processes:\n  - name: %s\n    pid: 1\n", program_name);
    /* The highest anonymous mapping declared is the stack: Valgrind maps
     * the program's stack itself, without the [stack] label. */
    size_t stack_index = SIZE_MAX;
    for (size_t i = 0; i < c->nmappings; i++)
        if (c->mappings[i].declared && (c->mappings[i].path[0] == '\0' ||
                                        strcmp(c->mappings[i].path, "[stack]") == 0))
            stack_index = i;
    unsigned areas = 0, anonymous = 0;
    struct live_range *mapped = NULL;
    size_t nmapped = 0, mapped_cap = 0;
    for (size_t i = 0; i < c->nmappings && status == 0; i++) {
        struct mapping *m = &c->mappings[i];
        if (!m->declared)
            continue;
        char name[96];
        if (i == stack_index)
            snprintf(name, sizeof name, "stack");
        else if (strcmp(m->path, "[heap]") == 0)
            snprintf(name, sizeof name, "heap");
        else if (m->path[0] == '/' && strcmp(m->path, program_real) == 0)
            snprintf(name, sizeof name, "%s", segment_kind(m->perms));
        else if (m->path[0] == '/') {
            char stem[32];
            file_stem(m->path, stem, sizeof stem);
            snprintf(name, sizeof name, "%s.%s", stem, segment_kind(m->perms));
        } else if (m->path[0] == '[')
            name_from_path(m->path + 1, name, sizeof name), name[strcspn(name, "]")] = '\0';
        else
            snprintf(name, sizeof name, "anon%u", ++anonymous);
        struct live_range r = {m->start, m->end, m->offset, m->file};
        if (unique_name(&area_names, name, m->area_name) != 0 ||
            ranges_put(&mapped, &nmapped, &mapped_cap, r) != 0) {
            status = -1;
            break;
        }
        if (areas == 0)
            fprintf(out, "    areas:\n");
        areas++;
        /* An area written although the snapshot forbids writes is the
         * dynamic loader's RELRO: written before its mprotect(PROT_READ),
         * the step that gives it the snapshot's protection. */
        char prot[4] = {m->perms[0], m->written ? 'w' : m->perms[1], m->perms[2], '\0'};
        fprintf(out, "      - {name: %s, start: 0x%llx, size: 0x%llx, prot: %s", m->area_name,
                (unsigned long long)m->start, (unsigned long long)(m->end - m->start), prot);
        if (m->file >= 0)
            fprintf(out, ", file: %s, offset: 0x%llx", c->files[m->file].name,
                    (unsigned long long)m->offset);
        if (m->perms[3] == 's')
            fprintf(out, ", shared: true");
        fprintf(out, "}\n");
    }
    if (areas == 0)
        fprintf(out, "    areas: []\n");

    fprintf(out, "steps:\n");
    unsigned long long accesses = 0;
    for (size_t k = 0; k < c->nitems && status == 0; k++) {
        const struct item *it = &c->items[k];
        if (it->kind == ITEM_CHAPTER) {
            unsigned i = it->index;
            struct chapter *ch = &c->chapters[i];
            int counted = c->nmarks + 1 == c->nchapters;
            fprintf(out, "  - chapter: ");
            if (counted)
                fprintf(out, "{name: ");
            put_quoted(out, ch->name);
            if (counted)
                fprintf(out, ", linux_minor_faults: %ld, linux_major_faults: %ld}",
                        ch->native_minor, ch->native_major);
            fprintf(out, "\n");
            /* Why Linux's count and the model's may differ here: the
             * reasons vmviz(1), CAPTURE, states with their evidence. */
            char say[768];
            if (!counted)
                snprintf(say, sizeof say, "The native run marked %u chapters, not %u: no Linux "
                         "counts to compare.", c->nmarks, c->nchapters - 1);
            else if (i == 0)
                snprintf(say, sizeof say, "From execve to the first marker Linux counted %ld "
                         "minor faults. The model counts what Valgrind traced from the first "
                         "instruction it ran: under Valgrind, Valgrind loads the program and the "
                         "dynamic loader, natively the kernel's execve does; and Linux may map a "
                         "file's pages a large folio at a fault where the model maps one page and "
                         "its fault-around.", ch->native_minor);
            else
                snprintf(say, sizeof say, "In this chapter Linux counted %ld minor and %ld "
                         "major faults%s. The marker's own cost is not in it: its first call, "
                         "before counting, wrote its line once into /dev/null (its dprintf() "
                         "mallocs a buffer) and ran raise(0), the code it runs under Valgrind, "
                         "so that cost is in Start-up in both runs. What may differ: a file's "
                         "page may fault natively where the model's fault-around, which reaches "
                         "every page the traced run touched, had mapped it already, and Linux "
                         "may map a large folio at a fault.", ch->native_minor, ch->native_major,
                         i + 1 == c->nchapters ? ", up to the program's exit" : "");
            fprintf(out, "  - say: ");
            put_quoted(out, say);
            fprintf(out, "\n");
            accesses += ch->accesses;
        } else if (it->kind == ITEM_TRACE) {
            char path[PATH_MAX + 32];
            chapter_trace_path(c, it->index, path, sizeof path);
            /* Relative to the scenario: from the last '/' of NAME on. */
            const char *slash = strrchr(c->base, '/');
            fprintf(out, "  - trace: {file: ");
            put_quoted(out, path + (slash ? (size_t)(slash + 1 - c->base) : 0));
            /* Automatic areas only for accesses outside every mapping
             * the capture knows (none when it saw every mmap). */
            fprintf(out, ", format: lackey%s}\n", c->outside_pages ? ", auto_areas: true" : "");
        } else if (it->kind == ITEM_MPROTECT) {
            write_on_pieces(out, "mprotect", mapped, nmapped, it->start, it->end, it->prot);
        } else {
            /* An mmap over mapped pages (MAP_FIXED, as the dynamic loader
             * places a library's segments in the range it reserved) first
             * unmaps them, as Linux does. */
            write_on_pieces(out, "munmap", mapped, nmapped, it->start, it->end, NULL);
            if (ranges_cut(&mapped, &nmapped, &mapped_cap, it->start, it->end) != 0) {
                status = -1;
                break;
            }
            if (it->kind == ITEM_MUNMAP)
                continue;
            char name[96], unique[32];
            if (it->heap)
                snprintf(name, sizeof name, "heap");
            else if (it->file >= 0) {
                char stem[32];
                file_stem(c->files[it->file].path, stem, sizeof stem);
                snprintf(name, sizeof name, "%s.%s", stem, segment_kind(it->prot));
            } else
                snprintf(name, sizeof name, "anon%u", ++anonymous);
            struct live_range r = {it->start, it->end, it->offset, it->file};
            if (unique_name(&area_names, name, unique) != 0 ||
                ranges_put(&mapped, &nmapped, &mapped_cap, r) != 0) {
                status = -1;
                break;
            }
            fprintf(out, "  - mmap: {name: %s, start: 0x%llx, size: 0x%llx, prot: %s", unique,
                    (unsigned long long)it->start, (unsigned long long)(it->end - it->start),
                    it->prot);
            if (it->file >= 0)
                fprintf(out, ", file: %s, offset: 0x%llx", c->files[it->file].name,
                        (unsigned long long)it->offset);
            if (it->shared)
                fprintf(out, ", shared: true");
            fprintf(out, "}\n");
        }
    }
    free(mapped);
    free(file_names.list);
    free(area_names.list);
    if (fclose(out) != 0 && status == 0)
        return fail_at(c, c->req->output_column, "cannot write '%s'", c->req->output);
    if (status != 0)
        return fail_at(c, c->req->output_column, "out of memory writing the scenario");
    summary->chapters = c->nchapters;
    summary->areas = areas;
    summary->accesses = accesses;
    return 0;
}

/* Fills each chapter's native counts: the markers' differences, the first
 * counted from execve, the last up to the exit. */
static void native_deltas(struct capture *c)
{
    if (c->nmarks + 1 != c->nchapters)
        return;
    long previous_minor = 0, previous_major = 0;
    for (unsigned i = 0; i < c->nchapters; i++) {
        long minor = i < c->nmarks ? c->marks_minor[i] : c->native_total.ru_minflt;
        long major = i < c->nmarks ? c->marks_major[i] : c->native_total.ru_majflt;
        c->chapters[i].native_minor = minor - previous_minor;
        c->chapters[i].native_major = major - previous_major;
        previous_minor = minor;
        previous_major = major;
    }
}

int capture_run(const struct capture_request *req, struct capture_summary *summary,
                struct diag *err)
{
    struct capture *c = calloc(1, sizeof *c);
    if (!c) {
        diag_set(err, req->where, 1, req->program_column, "out of memory");
        return -1;
    }
    c->req = req;
    c->err = err;
    for (size_t i = 0; i < MAX_FDS; i++)
        c->fd_file[i] = -1;
    int status = 0;
    size_t out_len = strlen(req->output);
    if (out_len < 6 || strcmp(req->output + out_len - 5, ".yaml") != 0 || out_len >= PATH_MAX)
        status = fail_at(c, req->output_column, "the output '%s' does not end in .yaml "
                         "(expected NAME.yaml)", req->output);
    else
        snprintf(c->base, sizeof c->base, "%.*s", (int)(out_len - 5), req->output);
    char valgrind[PATH_MAX];
    if (status == 0 && capture_find_valgrind(valgrind, sizeof valgrind) != 0)
        status = fail_at(c, req->program_column, "capture needs valgrind, which is not "
                         "installed (expected it on PATH: apt-get install valgrind)");
    if (status == 0 && find_executable(req->argv[0], c->program_path, sizeof c->program_path))
        status = fail_at(c, req->program_column, "no program '%s' to run (expected an "
                         "executable file, or a name found on PATH)", req->argv[0]);
    char raw_path[PATH_MAX + 16];
    snprintf(raw_path, sizeof raw_path, "%s.raw", c->base);
    if (status == 0)
        status = run_native(c);
    if (status == 0)
        status = run_valgrind(c, valgrind, raw_path);
    if (status == 0)
        status = parse_maps(c);
    if (status == 0)
        status = traces_dir_make(c);
    if (status == 0)
        status = split_trace(c, raw_path);
    if (status == 0)
        traces_dir_trim(c);
    remove(raw_path);
    if (status == 0) {
        native_deltas(c);
        status = write_scenario(c, summary);
    }
    for (size_t i = 0; i < c->nmappings; i++)
        free(c->mappings[i].pages_seen);
    free(c->mappings);
    free(c->maps);
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i].pages_seen);
    free(c->files);
    free(c->items);
    free(c->live);
    free(c);
    return status;
}
