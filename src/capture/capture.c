/* Capture: see capture.h. Two runs of one program, then one pass over the
 * Valgrind trace that splits it at the chapter markers and finds which
 * mappings the program touched. */
#include "capture/capture.h"

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
    char declared_prot[4];      /* what the scenario declares (see write_scenario) */
    char area_name[96];
    unsigned char *pages_seen;  /* a bit per page, once touched */
    uint64_t distinct_pages;
};

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
};

static int fail_at(struct capture *c, unsigned column, const char *fmt, ...) DIAG_PRINTF(3, 4);

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
    char **argv = calloc(argc + 6, sizeof *argv);
    if (!argv)
        return fail_at(c, c->req->program_column, "out of memory starting valgrind");
    size_t k = 0;
    argv[k++] = (char *)"valgrind";
    argv[k++] = (char *)"--tool=lackey";
    argv[k++] = (char *)"--trace-mem=yes";
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

/* Records that address was accessed: its mapping is touched, and its page
 * counted once. 0, or -1 when memory runs out. */
static int note_access(struct capture *c, uint64_t address, int is_store,
                       uint64_t *last_outside_page)
{
    struct mapping *m = mapping_at(c, address);
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

/* The trace file of chapter index: NAME.N.lackey.gz (compressed: a
 * lackey trace is large and repetitive, a tenth of it remains). */
static void chapter_trace_path(const struct capture *c, unsigned index, char *out, size_t len)
{
    snprintf(out, len, "%s.%u.lackey.gz", c->base, index);
}

/* Splits the raw trace at its markers into one trace file per chapter,
 * keeping only access lines, and notes every access. */
static int split_trace(struct capture *c, const char *raw_path)
{
    FILE *raw = fopen(raw_path, "r");
    if (!raw)
        return fail_at(c, c->req->output_column, "cannot read the trace '%s': %s", raw_path,
                       strerror(errno));
    char path[PATH_MAX + 32];
    c->nchapters = 1;
    snprintf(c->chapters[0].name, sizeof c->chapters[0].name, "Start-up");
    chapter_trace_path(c, 0, path, sizeof path);
    gzFile out = gzopen(path, "wb6");
    int status = 0;
    if (!out)
        status = fail_at(c, c->req->output_column, "cannot write '%s': %s", path, strerror(errno));
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
            if (gzclose(out) != Z_OK)
                status = fail_at(c, c->req->output_column, "cannot write '%s'", path);
            chapter_trace_path(c, c->nchapters++, path, sizeof path);
            out = gzopen(path, "wb6");
            if (!out)
                status = fail_at(c, c->req->output_column, "cannot write '%s': %s", path,
                                 strerror(errno));
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
        if (status == 0 && gzprintf(out, "%s %08llx,%u\n", line[0] == 'I' ? "I " : line[1] == 'L'
                                    ? " L" : line[1] == 'S' ? " S" : " M", address, size) <= 0)
            status = fail_at(c, c->req->output_column, "cannot write '%s'", path);
    }
    free(line);
    fclose(raw);
    if (out && gzclose(out) != Z_OK && status == 0)
        status = fail_at(c, c->req->output_column, "cannot write '%s'", path);
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

/* True when the area names so far (names[0..n)) hold name. */
static int name_taken(char (*names)[96], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* True when a touched mapping before index, of the same file, maps
 * file_page and touched it. */
static int file_page_listed_before(const struct capture *c, size_t index, uint64_t file_page)
{
    const struct mapping *m = &c->mappings[index];
    for (size_t j = 0; j < index; j++) {
        const struct mapping *other = &c->mappings[j];
        if (!other->touched || strcmp(other->path, m->path) != 0 ||
            file_page < other->offset / PAGE ||
            file_page >= other->offset / PAGE + (other->end - other->start) / PAGE)
            continue;
        uint64_t page = file_page - other->offset / PAGE;
        if (other->pages_seen[page / 8] & (1u << (page % 8)))
            return 1;
    }
    return 0;
}

/* Writes the scenario: machine, files, the process and its areas, then a
 * chapter and a trace step per chapter. */
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

    uint64_t distinct = c->outside_pages;
    for (size_t i = 0; i < c->nmappings; i++)
        distinct += c->mappings[i].distinct_pages;
    /* Enough frames that nothing is evicted: the program ran with memory
     * to spare, and its faults are first touches. Each page touched takes
     * one frame (a cached file page one more when written privately: the
     * few pages of data and RELRO), page tables a few: 64 more frames than
     * pages touched, or 512, the scenarios' default, when that is more. */
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
            "  The memory accesses of one run of %s under Valgrind's lackey tool, with\n"
            "  the areas of its /proc/PID/maps that the run touched (read at its last\n"
            "  chapter marker). Each chapter says how many faults getrusage() counted\n"
            "  for it in a native run of the same program.\n", program_name);
    fprintf(out, "machine:\n  preset: x86_64\n  frames: %llu\n", (unsigned long long)frames);

    /* Files: one per mapped path, as large as its mappings reach. */
    char (*file_names)[96] = calloc(c->nmappings + 1, sizeof *file_names);
    char (*area_names)[96] = calloc(c->nmappings + 1, sizeof *area_names);
    if (!file_names || !area_names) {
        free(file_names);
        free(area_names);
        fclose(out);
        return fail_at(c, c->req->output_column, "out of memory writing the scenario");
    }
    int any_file = 0;
    for (size_t i = 0; i < c->nmappings; i++) {
        struct mapping *m = &c->mappings[i];
        if (!m->touched || m->path[0] != '/')
            continue;
        size_t first = i;
        for (size_t j = 0; j < i; j++)
            if (c->mappings[j].touched && strcmp(c->mappings[j].path, m->path) == 0) {
                first = j;
                break;
            }
        if (first != i) {
            snprintf(file_names[i], sizeof file_names[i], "%s", file_names[first]);
            continue;
        }
        uint64_t reach = 0;
        for (size_t j = i; j < c->nmappings; j++)
            if (c->mappings[j].touched && strcmp(c->mappings[j].path, m->path) == 0 &&
                c->mappings[j].offset + (c->mappings[j].end - c->mappings[j].start) > reach)
                reach = c->mappings[j].offset + (c->mappings[j].end - c->mappings[j].start);
        name_from_path(m->path, file_names[i], sizeof file_names[i]);
        if (!any_file)
            fprintf(out, "files:\n");
        any_file = 1;
        /* In the page cache: the pages of the file the run touched (it
         * has just read them); the rest is not known, and left out so as
         * not to take frames. */
        fprintf(out, "  - {name: %s, size: 0x%llx, cached: [", file_names[i],
                (unsigned long long)reach);
        const char *separator = "";
        for (size_t j = i; j < c->nmappings; j++) {
            const struct mapping *same = &c->mappings[j];
            if (!same->touched || strcmp(same->path, m->path) != 0)
                continue;
            for (uint64_t page = 0; page < (same->end - same->start) / PAGE; page++) {
                uint64_t file_page = same->offset / PAGE + page;
                /* Two mappings can map one file page (RELRO after data's
                 * start): it is listed once, where it first appears. */
                if (!(same->pages_seen[page / 8] & (1u << (page % 8))) ||
                    file_page_listed_before(c, j, file_page))
                    continue;
                fprintf(out, "%s%llu", separator, (unsigned long long)file_page);
                separator = ", ";
            }
        }
        fprintf(out, "]}\n");
    }

    fprintf(out, "processes:\n  - name: %s\n    pid: 1\n", program_name);
    /* The highest anonymous mapping touched is the stack: Valgrind maps the
     * program's stack itself, without the [stack] label. */
    size_t stack_index = SIZE_MAX;
    for (size_t i = 0; i < c->nmappings; i++)
        if (c->mappings[i].touched && (c->mappings[i].path[0] == '\0' ||
                                       strcmp(c->mappings[i].path, "[stack]") == 0))
            stack_index = i;
    unsigned areas = 0, anonymous = 0;
    for (size_t i = 0; i < c->nmappings; i++) {
        struct mapping *m = &c->mappings[i];
        if (!m->touched)
            continue;
        char name[96];
        if (i == stack_index)
            snprintf(name, sizeof name, "stack");
        else if (strcmp(m->path, "[heap]") == 0)
            snprintf(name, sizeof name, "heap");
        else if (m->path[0] == '/' && strcmp(m->path, program_real) == 0)
            snprintf(name, sizeof name, "%s", segment_kind(m->perms));
        else if (m->path[0] == '/')
            snprintf(name, sizeof name, "%.60s.%s", file_names[i], segment_kind(m->perms));
        else if (m->path[0] == '[')
            name_from_path(m->path + 1, name, sizeof name), name[strcspn(name, "]")] = '\0';
        else
            snprintf(name, sizeof name, "anon%u", ++anonymous);
        char unique[96];
        snprintf(unique, sizeof unique, "%s", name);
        for (unsigned k = 2; name_taken(area_names, areas, unique); k++)
            snprintf(unique, sizeof unique, "%.80s%u", name, k);
        snprintf(area_names[areas], sizeof area_names[areas], "%s", unique);
        if (areas == 0)
            fprintf(out, "    areas:\n");
        areas++;
        /* An area written although the snapshot forbids writes is the
         * dynamic loader's RELRO: written before its mprotect(PROT_READ),
         * which the trace cannot show. It starts writable, and an mprotect
         * step at the first marker gives it the snapshot's protection. */
        char prot[4] = {m->perms[0], m->written ? 'w' : m->perms[1], m->perms[2], '\0'};
        memcpy(m->declared_prot, prot, sizeof prot);
        snprintf(m->area_name, sizeof m->area_name, "%s", unique);
        fprintf(out, "      - {name: %s, start: 0x%llx, size: 0x%llx, prot: %s", unique,
                (unsigned long long)m->start, (unsigned long long)(m->end - m->start), prot);
        if (m->path[0] == '/')
            fprintf(out, ", file: %s, offset: 0x%llx", file_names[i],
                    (unsigned long long)m->offset);
        if (m->perms[3] == 's')
            fprintf(out, ", shared: true");
        fprintf(out, "}\n");
    }
    free(file_names);
    free(area_names);
    if (areas == 0)
        fprintf(out, "    areas: []\n");

    fprintf(out, "steps:\n");
    unsigned long long accesses = 0;
    for (unsigned i = 0; i < c->nchapters; i++) {
        struct chapter *ch = &c->chapters[i];
        fprintf(out, "  - chapter: ");
        put_quoted(out, ch->name);
        fprintf(out, "\n");
        char say[256];
        if (c->nmarks + 1 == c->nchapters)
            snprintf(say, sizeof say, "On Linux, run natively, getrusage() counted %ld minor "
                     "and %ld major faults in this chapter%s.", ch->native_minor,
                     ch->native_major, i == 0 ? ", from execve to the first marker" :
                     i + 1 == c->nchapters ? ", up to the program's exit" : "");
        else
            snprintf(say, sizeof say, "The native run marked %u chapters, not %u: no Linux "
                     "counts to compare.", c->nmarks, c->nchapters - 1);
        fprintf(out, "  - say: ");
        put_quoted(out, say);
        fprintf(out, "\n");
        for (size_t k = 0; i == 1 && k < c->nmappings; k++) {
            const struct mapping *m = &c->mappings[k];
            if (m->touched && m->declared_prot[1] != m->perms[1])
                fprintf(out, "  - mprotect: {name: %s, prot: %.3s}\n", m->area_name, m->perms);
        }
        char path[PATH_MAX + 32];
        chapter_trace_path(c, i, path, sizeof path);
        const char *slash = strrchr(path, '/');
        if (ch->accesses) {
            fprintf(out, "  - trace: {file: ");
            put_quoted(out, slash ? slash + 1 : path);
            fprintf(out, ", format: lackey, auto_areas: true}\n");
        } else {
            remove(path);
        }
        accesses += ch->accesses;
    }
    if (fclose(out) != 0)
        return fail_at(c, c->req->output_column, "cannot write '%s'", c->req->output);
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
        status = split_trace(c, raw_path);
    remove(raw_path);
    if (status == 0) {
        native_deltas(c);
        status = write_scenario(c, summary);
    }
    for (size_t i = 0; i < c->nmappings; i++)
        free(c->mappings[i].pages_seen);
    free(c->mappings);
    free(c->maps);
    free(c);
    return status;
}
