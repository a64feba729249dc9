/* Tests of the trace readers (src/scenario/trace.c): each format on the
 * samples in data/traces/, limits, tell/seek round trips, and bad lines with
 * their exact errors. Run from tests/. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "scenario/trace.h"
#include "vm/rng.h"
#include "diag_helpers.h"

void suite_trace_register(void);

struct expected {
    char kind;
    uint64_t value;
    unsigned size;
};

/* Reads t to its end and checks every access against want[0..n). */
static void check_accesses(struct trace_reader *t, const struct expected *want, size_t n,
                           int is_page)
{
    struct trace_access a;
    struct diag d;
    size_t i = 0;
    int r;

    while ((r = trace_next(t, &a, &d)) == 1) {
        if (i < n) {
            if (a.kind != want[i].kind || a.value != want[i].value)
                fprintf(stderr, "\naccess %zu: want %c %llx, got %c %llx\n", i,
                        want[i].kind, (unsigned long long)want[i].value, a.kind,
                        (unsigned long long)a.value);
            CU_ASSERT_EQUAL(a.kind, want[i].kind);
            CU_ASSERT_EQUAL(a.value, want[i].value);
            CU_ASSERT_EQUAL(a.size, want[i].size);
            CU_ASSERT_EQUAL(a.is_page, is_page);
        }
        i++;
    }
    if (r < 0)
        fprintf(stderr, "\n%s", printed(&d));
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_EQUAL(i, n);
    /* The end is sticky. */
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 0);
}

/* What trace_count counts in the lackey trace at path, with pages of 4096
 * bytes, under limit and max; UINT64_MAX when it fails. */
static uint64_t lackey_count(const char *path, unsigned long limit, uint64_t max)
{
    struct trace_census c;
    struct diag d;
    return trace_count(path, TRACE_LACKEY, limit, 4096, max, &c, &d) == 0 ? c.count : UINT64_MAX;
}

static struct trace_reader *open_ok(const char *path, enum trace_format fmt,
                                    unsigned long limit)
{
    struct diag d;
    struct trace_reader *t = trace_open(path, fmt, limit, 4096, &d);

    if (t == NULL)
        fprintf(stderr, "\n%s", printed(&d));
    return t;
}

static const struct expected pages_all[] = {
    {'R', 7, 0}, {'R', 0, 0}, {'R', 1, 0}, {'R', 2, 0}, {'W', 0, 0}, {'R', 3, 0}};

static const struct expected rw_all[] = {
    {'R', 0x1000, 0}, {'W', 0x1008, 0}, {'X', 4096, 0}, {'R', 0x2000, 0}};

static const struct expected lackey_all[] = {
    {'X', 0x04000ac0, 3}, {'W', 0x1ffefffe78ull, 8}, {'X', 0x04000ac3, 4},
    {'R', 0x04032e40, 8}, {'R', 0x0421d4e0, 4}, {'W', 0x0421d4e0, 4},
    {'X', 0x04000ac7, 2}};

static void test_formats_by_name(void)
{
    enum trace_format f = TRACE_FORMAT_COUNT;
    unsigned n = 0;
    const char *const *names = trace_format_names(&n);

    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_STRING_EQUAL(names[TRACE_LACKEY], "lackey");
    CU_ASSERT_STRING_EQUAL(trace_format_name(TRACE_PAGES), "pages");
    CU_ASSERT_STRING_EQUAL(trace_format_name(TRACE_RW), "rw");
    CU_ASSERT_STRING_EQUAL(trace_format_name(TRACE_FORMAT_COUNT), "?");
    CU_ASSERT_EQUAL(trace_format_lookup("rw", &f), 0);
    CU_ASSERT_EQUAL(f, TRACE_RW);
    CU_ASSERT_EQUAL(trace_format_lookup("lackey", &f), 0);
    CU_ASSERT_EQUAL(f, TRACE_LACKEY);
    CU_ASSERT_EQUAL(trace_format_lookup("RW", &f), -1);
}

static void test_pages(void)
{
    struct trace_reader *t = open_ok("data/traces/pages.txt", TRACE_PAGES, 0);

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, pages_all, 6, 1);
    trace_close(t);
    /* CR LF line ends are accepted. */
    static const struct expected crlf[] = {{'R', 7, 0}, {'W', 1, 0}};
    t = open_ok("data/traces/crlf-pages.txt", TRACE_PAGES, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, crlf, 2, 1);
    trace_close(t);
}

static void test_rw(void)
{
    struct trace_reader *t = open_ok("data/traces/rw.txt", TRACE_RW, 0);

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, rw_all, 4, 0);
    trace_close(t);
}

static void test_lackey(void)
{
    struct trace_reader *t = open_ok("data/traces/lackey.txt", TRACE_LACKEY, 0);
    struct trace_pos pos;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, lackey_all, 7, 0);
    trace_tell(t, &pos);
    CU_ASSERT_EQUAL(pos.line, 13);       /* every line consumed, skipped ones too */
    CU_ASSERT_EQUAL(pos.emitted, 7);
    trace_close(t);
}

static void test_limit(void)
{
    struct trace_reader *t = open_ok("data/traces/pages.txt", TRACE_PAGES, 3);

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, pages_all, 3, 1);
    trace_close(t);
    /* A limit that falls inside an M line keeps its read, drops its write. */
    t = open_ok("data/traces/lackey.txt", TRACE_LACKEY, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, lackey_all, 5, 0);
    trace_close(t);
    /* A limit beyond the end changes nothing. */
    t = open_ok("data/traces/rw.txt", TRACE_RW, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, rw_all, 4, 0);
    trace_close(t);
}

static void test_tell_seek(void)
{
    struct trace_reader *t = open_ok("data/traces/lackey.txt", TRACE_LACKEY, 0);
    struct trace_access a;
    struct trace_pos start, mid, in_m;
    struct diag d;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    trace_tell(t, &start);
    CU_ASSERT_EQUAL(start.offset, 0);
    CU_ASSERT_EQUAL(start.line, 0);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
    trace_tell(t, &mid);
    CU_ASSERT_EQUAL(mid.emitted, 2);
    CU_ASSERT_EQUAL(mid.line, 7);
    /* The rest from mid, twice over, must be identical. */
    check_accesses(t, lackey_all + 2, 5, 0);
    CU_ASSERT_EQUAL(trace_seek(t, &mid), 0);
    check_accesses(t, lackey_all + 2, 5, 0);
    /* Back to the very start. */
    CU_ASSERT_EQUAL(trace_seek(t, &start), 0);
    check_accesses(t, lackey_all, 7, 0);
    /* Between an M line's read and its write. */
    CU_ASSERT_EQUAL(trace_seek(t, &mid), 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
    CU_ASSERT_EQUAL(a.kind, 'R');
    CU_ASSERT_EQUAL(a.value, 0x0421d4e0);
    trace_tell(t, &in_m);
    CU_ASSERT_EQUAL(in_m.pending_next, 1);
    CU_ASSERT_EQUAL(in_m.pending_total, 2);
    CU_ASSERT_EQUAL(in_m.pending_value, 0x0421d4e0);
    check_accesses(t, lackey_all + 5, 2, 0);
    /* Seeking back into the M line gives its write again. */
    CU_ASSERT_EQUAL(trace_seek(t, &in_m), 0);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
    CU_ASSERT_EQUAL(a.kind, 'W');
    CU_ASSERT_EQUAL(a.value, 0x0421d4e0);
    CU_ASSERT_EQUAL(a.size, 4);
    trace_close(t);
}

/* Positions are plain values: one reader's position works in another. */
static void test_seek_across_readers(void)
{
    struct trace_reader *a = open_ok("data/traces/lackey.txt", TRACE_LACKEY, 0);
    struct trace_reader *b = open_ok("data/traces/lackey.txt", TRACE_LACKEY, 0);
    struct trace_access x;
    struct trace_pos pos;
    struct diag d;

    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    for (int i = 0; i < 5; i++)   /* stops inside the M line */
        CU_ASSERT_EQUAL(trace_next(a, &x, &d), 1);
    trace_tell(a, &pos);
    CU_ASSERT_EQUAL(trace_seek(b, &pos), 0);
    check_accesses(b, lackey_all + 5, 2, 0);
    check_accesses(a, lackey_all + 5, 2, 0);
    struct trace_pos bad = pos;
    bad.offset = -1;
    CU_ASSERT_EQUAL(trace_seek(a, &bad), -1);
    trace_close(a);
    trace_close(b);
    trace_close(NULL);
}

static void test_count(void)
{
    struct diag d;
    struct trace_census c;

    CU_ASSERT_EQUAL(trace_count("data/traces/pages.txt", TRACE_PAGES, 0, 4096, 100, &c, &d), 0);
    CU_ASSERT_EQUAL(c.count, 6);
    CU_ASSERT_EQUAL(trace_count("data/traces/lackey.txt", TRACE_LACKEY, 0, 4096, 100, &c, &d),
                    0);
    CU_ASSERT_EQUAL(c.count, 7);
    CU_ASSERT_EQUAL(c.max_page_line, 0);   /* no page numbers in a lackey trace */
    CU_ASSERT_EQUAL(trace_count("data/traces/lackey.txt", TRACE_LACKEY, 4, 4096, 100, &c, &d),
                    0);
    CU_ASSERT_EQUAL(c.count, 4);
    /* Past max it stops and says max + 1. */
    CU_ASSERT_EQUAL(trace_count("data/traces/rw.txt", TRACE_RW, 0, 4096, 2, &c, &d), 0);
    CU_ASSERT_EQUAL(c.count, 3);
    CU_ASSERT_EQUAL(trace_count("data/traces/bad-rw.txt", TRACE_RW, 0, 4096, 100, &c, &d), -1);
    check_string(printed(&d), "data/traces/bad-rw.txt:3:1: error: unknown access 'Q' "
                 "(expected R, W or X followed by an address)\n", "count of a bad trace");
    /* A limit before the bad line means the bad line is never read. */
    CU_ASSERT_EQUAL(trace_count("data/traces/bad-rw.txt", TRACE_RW, 2, 4096, 100, &c, &d), 0);
    CU_ASSERT_EQUAL(c.count, 2);
}

static void test_open_errors(void)
{
    struct diag d;

    CU_ASSERT_PTR_NULL(trace_open("data/traces/none.txt", TRACE_RW, 0, 4096, &d));
    check_string(printed(&d), "data/traces/none.txt: error: cannot read trace "
                 "'data/traces/none.txt': No such file or directory (expected a readable "
                 "file)\n", "missing trace");
    CU_ASSERT_PTR_NULL(trace_open("data/traces/rw.txt", TRACE_FORMAT_COUNT, 0, 4096, &d));
    /* Only regular files: a directory, a device, a FIFO (which a plain open
     * would wait on for a writer) are refused at once. */
    CU_ASSERT_PTR_NULL(trace_open("data/traces", TRACE_RW, 0, 4096, &d));
    check_string(printed(&d), "data/traces: error: cannot read trace 'data/traces': it is a "
                 "directory (expected a regular file)\n", "directory");
    CU_ASSERT_PTR_NULL(trace_open("/dev/null", TRACE_RW, 0, 4096, &d));
    check_string(printed(&d), "/dev/null: error: cannot read trace '/dev/null': it is a "
                 "character device (expected a regular file)\n", "device");
    char fifo[512];
    const char *dir = getenv("TMPDIR");
    snprintf(fifo, sizeof fifo, "%s/vmviz-fifo-%ld", dir && *dir ? dir : "/tmp", (long)getpid());
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    struct trace_census c;
    CU_ASSERT_EQUAL(trace_count(fifo, TRACE_PAGES, 0, 4096, 100, &c, &d), -1);
    char want[1200];
    snprintf(want, sizeof want, "%s: error: cannot read trace '%s': it is a FIFO (expected a "
             "regular file)\n", fifo, fifo);
    check_string(printed(&d), want, "FIFO");
    unlink(fifo);
}

/* A trace file with the given bytes, in the temporary directory; its path is
 * written to path. */
static int write_temp(const char *bytes, size_t len, char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    int fd;

    snprintf(path, size, "%s/vmviz-trace-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        return -1;
    if (write(fd, bytes, len) != (ssize_t)len) {
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    return 0;
}

static const struct {
    enum trace_format fmt;
    const char *text;
    size_t len;           /* bytes of text; 0 for strlen (text has no NUL) */
    unsigned good;        /* accesses before the error */
    unsigned line, col;
    const char *message;
} bad_lines[] = {
    {TRACE_PAGES, "1\n2\n3x\n", 0, 2, 3, 1,
     "bad page number '3x' (expected one page number per line, optionally followed by "
     "w for a write)"},
    {TRACE_PAGES, "12 13\n", 0, 0, 1, 4,
     "unexpected '13' after the page number (expected one page number per line)"},
    {TRACE_PAGES, "# c\n\n-1\n", 0, 0, 3, 1,
     "bad page number '-1' (expected one page number per line, optionally followed by "
     "w for a write)"},
    {TRACE_PAGES, "  99999999999999999999\n", 0, 0, 1, 3,
     "page '99999999999999999999' is beyond the 64-bit address space (expected a page "
     "number of at most 18446744073709551615)"},
    {TRACE_RW, "R\n", 0, 0, 1, 2, "missing address after 'R' (expected a line like 'R 0x1234')"},
    {TRACE_RW, "W 0x10\nr zz\n", 0, 1, 2, 3,
     "bad address 'zz' (expected a hex 0x... or decimal number)"},
    {TRACE_RW, "RW 0x10\n", 0, 0, 1, 1,
     "unknown access 'RW' (expected R, W or X followed by an address)"},
    {TRACE_RW, "W 0x10 extra\n", 0, 0, 1, 8,
     "unexpected 'extra' after the address (expected one access per line)"},
    {TRACE_RW, "R 0x1\nR 0x1\0\n", 13, 1, 2, 6, "NUL byte in the trace (expected a text file)"},
    {TRACE_LACKEY, "==1== hello\n L 0403,x\n", 0, 0, 2, 9,
     "bad size 'x' in a 'L' record (expected a decimal byte count like 8)"},
    {TRACE_LACKEY, " S 1234\n", 0, 0, 1, 8,
     "missing size after the address (expected ADDRESS,SIZE like 04032e40,8)"},
    {TRACE_LACKEY, "I  12345678901234567,4\n", 0, 0, 1, 4,
     "address '12345678901234567' is too large (expected at most 16 hex digits)"},
    {TRACE_LACKEY, "I  04000ac0,3\n M 04zz,4\n", 0, 1, 2, 4,
     "bad address '04zz' in a 'M' record (expected hex digits like 0401ab70)"},
    {TRACE_LACKEY, " L 10,8 junk\n", 0, 0, 1, 9,
     "unexpected 'junk' after the size (expected one record per line)"},
};

static void test_bad_lines(void)
{
    for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
        char path[512], want[1024];
        struct trace_access a;
        struct diag d;
        unsigned good = 0;
        int r;
        size_t len = bad_lines[i].len ? bad_lines[i].len : strlen(bad_lines[i].text);
        CU_ASSERT_EQUAL_FATAL(write_temp(bad_lines[i].text, len, path, sizeof path), 0);
        struct trace_reader *t = open_ok(path, bad_lines[i].fmt, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        while ((r = trace_next(t, &a, &d)) == 1)
            good++;
        CU_ASSERT_EQUAL(r, -1);
        CU_ASSERT_EQUAL(good, bad_lines[i].good);
        snprintf(want, sizeof want, "%s:%u:%u: error: %s\n", path, bad_lines[i].line,
                 bad_lines[i].col, bad_lines[i].message);
        check_string(printed(&d), want, bad_lines[i].text);
        /* The reader stays at the bad line: asking again says the same. */
        memset(&d, 0, sizeof d);
        CU_ASSERT_EQUAL(trace_next(t, &a, &d), -1);
        check_string(printed(&d), want, "second time");
        trace_close(t);
        unlink(path);
    }
}

static void test_long_line_and_no_newline(void)
{
    char path[512], want[1024];
    struct trace_access a;
    struct diag d;
    char *text = malloc(TRACE_MAX_LINE + 64);

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* A last line without a newline still counts. */
    CU_ASSERT_EQUAL_FATAL(write_temp("R 0x1\nW 0x2", 11, path, sizeof path), 0);
    struct trace_reader *t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static const struct expected two[] = {{'R', 1, 0}, {'W', 2, 0}};
    check_accesses(t, two, 2, 0);
    trace_close(t);
    unlink(path);

    /* A line of exactly TRACE_MAX_LINE bytes is fine; one more is not. */
    memset(text, ' ', TRACE_MAX_LINE);
    memcpy(text, "R 0x10", 6);
    text[TRACE_MAX_LINE] = '\n';
    memcpy(text + TRACE_MAX_LINE + 1, "R 0x20\n", 7);
    CU_ASSERT_EQUAL_FATAL(write_temp(text, TRACE_MAX_LINE + 8, path, sizeof path), 0);
    t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static const struct expected long_ok[] = {{'R', 0x10, 0}, {'R', 0x20, 0}};
    check_accesses(t, long_ok, 2, 0);
    trace_close(t);
    unlink(path);

    memset(text, ' ', TRACE_MAX_LINE + 1);
    memcpy(text, "R 0x10", 6);
    text[TRACE_MAX_LINE + 1] = '\n';
    CU_ASSERT_EQUAL_FATAL(write_temp(text, TRACE_MAX_LINE + 2, path, sizeof path), 0);
    t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), -1);
    snprintf(want, sizeof want, "%s:1:4097: error: line is too long (expected at most "
             "4096 bytes per line)\n", path);
    check_string(printed(&d), want, "long line");
    trace_close(t);
    unlink(path);

    /* The same on a later line, which the quick parser reads (the first
     * comes when the buffer is still empty): blanks between the letter
     * and the address make it 4097 bytes long; one blank less, 4096, is
     * fine. At load and at play alike. */
    for (size_t extra = 0; extra < 2; extra++) {
        size_t n = TRACE_MAX_LINE + extra;
        memcpy(text, "R 0x1\n", 6);
        memset(text + 6, ' ', n);
        text[6] = 'R';
        memcpy(text + 6 + n - 4, "0x20", 4);
        memcpy(text + 6 + n, "\nR 0x30\n", 8);
        CU_ASSERT_EQUAL_FATAL(write_temp(text, 6 + n + 8, path, sizeof path), 0);
        struct trace_census c;
        int counted = trace_count(path, TRACE_RW, 0, 4096, 100, &c, &d);
        t = open_ok(path, TRACE_RW, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        if (extra == 0) {
            CU_ASSERT_EQUAL(counted, 0);
            CU_ASSERT_EQUAL(c.count, 3);
            static const struct expected three[] = {{'R', 1, 0}, {'R', 0x20, 0}, {'R', 0x30, 0}};
            check_accesses(t, three, 3, 0);
        } else {
            snprintf(want, sizeof want, "%s:2:4097: error: line is too long (expected at most "
                     "4096 bytes per line)\n", path);
            CU_ASSERT_EQUAL(counted, -1);
            check_string(printed(&d), want, "long line at load");
            CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
            CU_ASSERT_EQUAL(trace_next(t, &a, &d), -1);
            check_string(printed(&d), want, "long later line");
        }
        trace_close(t);
        unlink(path);
    }
    free(text);
}

/* Lines that are not lackey records are skipped, whatever they say. */
static void test_lackey_skips(void)
{
    static const char text[] =
        "==42== Lackey\n"
        "hello from the program\n"
        "\n"
        "I  0401ab70,3\n"
        "Instruction count: 3\n"
        " X 1234,4\n"
        " L 0x10,8\n";
    static const struct expected want[] = {{'X', 0x0401ab70, 3}, {'R', 0x10, 8}};
    char path[512];

    CU_ASSERT_EQUAL_FATAL(write_temp(text, sizeof text - 1, path, sizeof path), 0);
    struct trace_reader *t = open_ok(path, TRACE_LACKEY, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    check_accesses(t, want, 2, 0);
    trace_close(t);
    unlink(path);
}

/* A large generated trace: offsets stay exact across buffer refills. */
static void test_large_trace_seek(void)
{
    enum { N = 100000 };
    char path[512];
    size_t cap = (size_t)N * 24, len = 0;
    char *text = malloc(cap);
    struct trace_pos marks[4];
    struct trace_access a;
    struct diag d;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (unsigned i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "%c 0x%x%s\n", "RWX"[i % 3], i * 16,
                                i % 7 == 0 ? "  # note" : "");
    CU_ASSERT_EQUAL_FATAL(write_temp(text, len, path, sizeof path), 0);
    free(text);
    struct trace_reader *t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    unsigned seen = 0;
    int ok = 1;
    while (trace_next(t, &a, &d) == 1) {
        if (seen % 30000 == 0)
            trace_tell(t, &marks[seen / 30000]);
        if (a.value != (uint64_t)seen * 16 || a.kind != "RWX"[seen % 3])
            ok = 0;
        seen++;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(seen, N);
    for (int m = 3; m >= 0; m--) {
        CU_ASSERT_EQUAL(trace_seek(t, &marks[m]), 0);
        CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
        CU_ASSERT_EQUAL(a.value, (uint64_t)(m * 30000 + 1) * 16);
    }
    trace_close(t);
    unlink(path);
}

/* Runs cut short, as a snapshot or a stop inside a run cuts them: the
 * reader is put back within the block it holds, by the position
 * trace_run_tell works out, and reading on gives every access once, in
 * order, across the blocks the file is read in (the seek back moves only
 * the read position: a wrong one would repeat or skip lines, or break
 * the next refill). */
static void test_runs_cut_and_read_again(void)
{
    enum { N = 100000 };
    char path[512];
    size_t cap = (size_t)N * 24, len = 0;
    char *text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (unsigned i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "%c 0x%x\n", "RW"[i % 2], i * 16);
    CU_ASSERT_TRUE(len > 3 * TRACE_BLOCK);
    CU_ASSERT_EQUAL_FATAL(write_temp(text, len, path, sizeof path), 0);
    free(text);
    struct trace_reader *t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    struct trace_run_access run[256];
    struct trace_access a;
    struct diag d;
    uint64_t rng = 77, seen = 0, cuts = 0;
    unsigned wrong = 0;
    while (seen < N && wrong == 0) {
        struct trace_pos from, to;
        trace_tell(t, &from);
        size_t n = trace_next_run(t, run, 1 + rng_next(&rng) % 256);
        if (n == 0) {   /* a line a block boundary cuts */
            if (trace_next(t, &a, &d) != 1 || a.value != seen * 16)
                wrong++;
            seen++;
            continue;
        }
        size_t used = rng_next(&rng) % 2 ? n : rng_next(&rng) % n;
        for (size_t i = 0; i < used; i++)
            if (run[i].value != (seen + i) * 16 || run[i].kind != "RW"[(seen + i) % 2])
                wrong++;
        seen += used;
        if (used < n) {
            trace_run_tell(&from, run, used, &to);
            CU_ASSERT_EQUAL(to.emitted, seen);
            CU_ASSERT_EQUAL_FATAL(trace_seek(t, &to), 0);
            CU_ASSERT_TRUE(trace_is_at(t, &to));
            cuts++;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(seen, N);
    CU_ASSERT_TRUE(cuts > 100);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 0);
    trace_close(t);
    unlink(path);
}

/* A page number whose address does not fit in 64 bits is refused where it
 * is, with the largest allowed: played, it would wrap to another page. */
static void test_page_beyond_address_space(void)
{
    char path[512], want[1024];
    struct trace_census c;
    struct diag d;

    /* 2^52 + 3 with 4 KiB pages would be played as page 3. */
    CU_ASSERT_EQUAL_FATAL(write_temp("1\n4503599627370499w\n", 20, path, sizeof path), 0);
    CU_ASSERT_EQUAL(trace_count(path, TRACE_PAGES, 0, 4096, 100, &c, &d), -1);
    snprintf(want, sizeof want, "%s:2:1: error: page '4503599627370499' is beyond the 64-bit "
             "address space (expected a page number of at most 4503599627370495)\n", path);
    check_string(printed(&d), want, "2^52 + 3");
    unlink(path);
    /* The last page that fits is fine, and is the largest page found. */
    CU_ASSERT_EQUAL_FATAL(write_temp("7\n 4503599627370495\n0\n", 22, path, sizeof path), 0);
    CU_ASSERT_EQUAL(trace_count(path, TRACE_PAGES, 0, 4096, 100, &c, &d), 0);
    CU_ASSERT_EQUAL(c.count, 3);
    CU_ASSERT_EQUAL(c.max_page, 4503599627370495u);
    CU_ASSERT_EQUAL(c.max_page_line, 2);
    CU_ASSERT_EQUAL(c.max_page_col, 2);
    /* With 1 GiB pages far fewer pages fit. */
    CU_ASSERT_EQUAL(trace_count(path, TRACE_PAGES, 0, 1u << 30, 100, &c, &d), -1);
    snprintf(want, sizeof want, "%s:2:2: error: page '4503599627370495' is beyond the 64-bit "
             "address space (expected a page number of at most 17179869183)\n", path);
    check_string(printed(&d), want, "1 GiB pages");
    unlink(path);
}

/* A lackey record whose bytes cross a page boundary is one access per page,
 * each with its bytes in that page; a modify loads every page, then stores
 * every page. Counts, limits and positions count those accesses. */
static void test_lackey_across_pages(void)
{
    static const char text[] =
        " S 1ffc,8\n"      /* 4 bytes in page 1, 4 in page 2 */
        " M 2ffe,4\n"      /* load 2 + 2 bytes, then store them */
        " L ff0,8200\n"    /* 16 bytes of page 0, all page 1, 4088 of page 2 */
        "I  3000,4096\n"   /* a whole page: one access */
        " L 3fff,1\n";
    static const struct {
        char kind;
        uint64_t value;
        unsigned size, part, record;
        unsigned long line;
    } want[] = {
        {'W', 0x1ffc, 4, 0, 8, 1}, {'W', 0x2000, 4, 1, 8, 1},
        {'R', 0x2ffe, 2, 0, 4, 2}, {'R', 0x3000, 2, 1, 4, 2},
        {'W', 0x2ffe, 2, 0, 4, 2}, {'W', 0x3000, 2, 1, 4, 2},
        {'R', 0xff0, 16, 0, 8200, 3}, {'R', 0x1000, 4096, 1, 8200, 3},
        {'R', 0x2000, 4088, 2, 8200, 3},
        {'X', 0x3000, 4096, 0, 4096, 4},
        {'R', 0x3fff, 1, 0, 1, 5},
    };
    enum { N = sizeof want / sizeof want[0] };
    char path[512];
    struct trace_access a;
    struct trace_census c;
    struct diag d;

    CU_ASSERT_EQUAL_FATAL(write_temp(text, sizeof text - 1, path, sizeof path), 0);
    CU_ASSERT_EQUAL(lackey_count(path, 0, 100), N);
    struct trace_reader *t = open_ok(path, TRACE_LACKEY, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    struct trace_pos marks[N];
    for (size_t i = 0; i < N; i++) {
        trace_tell(t, &marks[i]);
        CU_ASSERT_EQUAL_FATAL(trace_next(t, &a, &d), 1);
        CU_ASSERT_EQUAL(a.kind, want[i].kind);
        CU_ASSERT_EQUAL(a.value, want[i].value);
        CU_ASSERT_EQUAL(a.size, want[i].size);
        CU_ASSERT_EQUAL(a.page_part, want[i].part);
        CU_ASSERT_EQUAL(a.record_size, want[i].record);
        CU_ASSERT_EQUAL(a.line, want[i].line);
        CU_ASSERT_EQUAL(a.col, 4);
    }
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 0);
    /* Back into the middle of a record: the same accesses again. */
    for (size_t i = N; i-- > 0;) {
        CU_ASSERT_EQUAL(trace_seek(t, &marks[i]), 0);
        CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
        CU_ASSERT_EQUAL(a.value, want[i].value);
        CU_ASSERT_EQUAL(a.kind, want[i].kind);
        CU_ASSERT_EQUAL(a.size, want[i].size);
    }
    trace_close(t);

    /* A limit can stop a record between its pages. */
    CU_ASSERT_EQUAL(lackey_count(path, 3, 100), 3);
    t = open_ok(path, TRACE_LACKEY, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    unsigned n = 0;
    while (trace_next(t, &a, &d) == 1)
        n++;
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(a.value, 0x2ffe);
    trace_close(t);
    /* Past max the count says max + 1, whether max falls between records
     * or between the pages of one, with a limit or without. */
    CU_ASSERT_EQUAL(lackey_count(path, 0, 2), 3);
    CU_ASSERT_EQUAL(lackey_count(path, 0, 3), 4);
    CU_ASSERT_EQUAL(lackey_count(path, 3, 2), 3);
    CU_ASSERT_EQUAL(lackey_count(path, 3, 3), 3);

    /* With larger pages fewer records cross. */
    CU_ASSERT_EQUAL(trace_count(path, TRACE_LACKEY, 0, 2u << 20, 100, &c, &d), 0);
    CU_ASSERT_EQUAL(c.count, 6);
    unlink(path);
}

/* A record that would run past the top of the address space is refused at
 * its size; one that ends on the last byte is fine. */
static void test_lackey_past_the_top(void)
{
    char path[512], want[1024];
    struct trace_census c;
    struct diag d;

    CU_ASSERT_EQUAL_FATAL(write_temp("I  fffffffffffffff8,8\n L fffffffffffffffe,4\n", 44,
                                     path, sizeof path), 0);
    CU_ASSERT_EQUAL(trace_count(path, TRACE_LACKEY, 0, 4096, 100, &c, &d), -1);
    snprintf(want, sizeof want, "%s:2:21: error: 4 bytes at fffffffffffffffe run past the end "
             "of the 64-bit address space (expected a record that ends at ffffffffffffffff at "
             "the latest)\n", path);
    check_string(printed(&d), want, "past the top");
    unlink(path);
}

/* ---- lines as they come, and as the careful parser reads them --------- */

/* A number of `digits` digits in base 10 or 16 (mixed case), its first
 * digit not 0 when nonzero_first; its value in *value. */
static int random_number(uint64_t *rng, char *out, unsigned digits, unsigned base,
                         int nonzero_first, uint64_t *value)
{
    static const char hex[] = "0123456789abcdef0123456789ABCDEF";
    uint64_t v = 0;
    for (unsigned i = 0; i < digits; i++) {
        unsigned d = (unsigned)(rng_next(rng) % base);
        if (i == 0 && nonzero_first && d == 0)
            d = 1;
        out[i] = hex[d + (base == 16 && rng_next(rng) % 2 ? 16 : 0)];
        v = v * base + d;
    }
    *value = v;
    return (int)digits;
}

/* Appends to text one random valid line of the format, blanks varying,
 * CR LF now and then, with a blank after the record when padded; *want
 * gets the access it holds (the first of a lackey M) and *accesses how
 * many. */
static size_t random_line(uint64_t *rng, enum trace_format fmt, int padded, char *text,
                          struct expected *want, unsigned *accesses)
{
    char number[24], size_text[12];
    uint64_t value, size;
    size_t n = 0;
    int len;
    *accesses = 1;
    switch (fmt) {
    case TRACE_PAGES:
        len = random_number(rng, number, 1 + (unsigned)(rng_next(rng) % 19), 10, 0, &value);
        want->kind = rng_next(rng) % 3 == 0 ? 'W' : 'R';
        n = (size_t)sprintf(text, "%.*s%s", len, number,
                            want->kind == 'W' ? (rng_next(rng) % 2 ? "w" : "W") : "");
        want->size = 0;
        break;
    case TRACE_RW: {
        unsigned hex = rng_next(rng) % 2;
        len = random_number(rng, number, 1 + (unsigned)(rng_next(rng) % (hex ? 16 : 19)),
                            hex ? 16 : 10, 0, &value);
        char letter = "RWXrwx"[rng_next(rng) % 6];
        want->kind = (char)(letter & ~0x20);
        n = (size_t)sprintf(text, "%c%s%s%.*s", letter, rng_next(rng) % 4 ? " " : " \t ",
                            hex ? (rng_next(rng) % 2 ? "0x" : "0X") : "", len, number);
        want->size = 0;
        break;
    }
    default: {
        static const char ops[] = "ILSM";
        char op = ops[rng_next(rng) % 4];
        len = random_number(rng, number, 1 + (unsigned)(rng_next(rng) % 16), 16, 0, &value);
        int slen = random_number(rng, size_text, 1 + (unsigned)(rng_next(rng) % 9), 10, 1,
                                 &size);
        if (len == 16 && value > UINT64_MAX - size) {
            /* Keep the record below the top of the address space. */
            number[0] = '7';
            value = (value & ~(UINT64_C(0xf) << 60)) | UINT64_C(7) << 60;
        }
        want->kind = op == 'I' ? 'X' : op == 'S' ? 'W' : 'R';
        want->size = (unsigned)size;
        *accesses = op == 'M' ? 2 : 1;
        n = (size_t)sprintf(text, "%s%c%s%.*s,%.*s", op == 'I' ? "" : " ", op,
                            rng_next(rng) % 4 ? (op == 'I' ? "  " : " ") : "\t", len, number,
                            slen, size_text);
        break;
    }
    }
    want->value = value;
    if (padded)
        text[n++] = ' ';
    if (rng_next(rng) % 8 == 0)
        text[n++] = '\r';
    text[n++] = '\n';
    return n;
}

/* The common shapes of lines are read quickly; a blank at the end of a line
 * sends it to the careful parser. Both give the same accesses, at the same
 * lines and columns, with the values the lines were written with. */
static void test_quick_and_careful_agree(void)
{
    enum { LINES = 4000 };
    static const enum trace_format formats[] = {TRACE_PAGES, TRACE_RW, TRACE_LACKEY};
    for (size_t f = 0; f < 3; f++) {
        char *text[2], path[2][512];
        struct expected *want = malloc(LINES * 2 * sizeof *want);
        size_t len[2] = {0, 0}, nwant = 0;
        struct diag d;
        text[0] = malloc((size_t)LINES * 48);
        text[1] = malloc((size_t)LINES * 48);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text[0]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text[1]);
        for (int padded = 0; padded < 2; padded++) {
            uint64_t rng = UINT64_C(0x9e3779b97f4a7c15) + f;
            nwant = 0;
            for (unsigned i = 0; i < LINES; i++) {
                unsigned accesses;
                len[padded] += random_line(&rng, formats[f], padded, text[padded] + len[padded],
                                           &want[nwant], &accesses);
                if (accesses == 2) {
                    want[nwant + 1] = want[nwant];
                    want[nwant + 1].kind = 'W';
                }
                nwant += accesses;
            }
            CU_ASSERT_EQUAL_FATAL(write_temp(text[padded], len[padded], path[padded],
                                             sizeof path[padded]), 0);
        }
        /* Page size 0: records are not split, one access a line (two for M). */
        struct trace_reader *quick = trace_open(path[0], formats[f], 0, 0, &d);
        struct trace_reader *careful = trace_open(path[1], formats[f], 0, 0, &d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(quick);
        CU_ASSERT_PTR_NOT_NULL_FATAL(careful);
        struct trace_access a, b;
        size_t i = 0, mismatches = 0;
        int r;
        while ((r = trace_next(quick, &a, &d)) == 1) {
            CU_ASSERT_EQUAL_FATAL(trace_next(careful, &b, &d), 1);
            if (i >= nwant || a.kind != want[i].kind || a.value != want[i].value
                || a.size != want[i].size || a.kind != b.kind || a.value != b.value
                || a.size != b.size || a.is_page != b.is_page || a.line != b.line
                || a.col != b.col || a.page_part != b.page_part
                || a.record_size != b.record_size) {
                if (mismatches++ == 0)
                    fprintf(stderr, "\n%s access %zu (line %lu): got %c %llx,%u col %u; "
                            "careful %c %llx,%u col %u\n", trace_format_name(formats[f]), i,
                            a.line, a.kind, (unsigned long long)a.value, a.size, a.col, b.kind,
                            (unsigned long long)b.value, b.size, b.col);
            }
            i++;
        }
        CU_ASSERT_EQUAL(r, 0);
        CU_ASSERT_EQUAL(trace_next(careful, &b, &d), 0);
        CU_ASSERT_EQUAL(i, nwant);
        CU_ASSERT_EQUAL(mismatches, 0);
        trace_close(quick);
        trace_close(careful);
        unlink(path[0]);
        unlink(path[1]);
        free(text[0]);
        free(text[1]);
        free(want);
    }
}

/* trace_next_run gives what trace_next gives, run after run: random
 * traces of each format, long enough for several refills of the buffer,
 * with lackey records that cross pages or are an M (which trace_next
 * reads, the runs stopping before them), counted first so that the last access the count found is
 * checked, with and without a limit. A reader that takes runs of random
 * lengths where it can, and single accesses where it cannot, gives the
 * same values in the same order as one that reads one by one, stands at
 * the same position after each, and ends at the same place; most accesses
 * come in runs. */
static void test_runs_of_values(void)
{
    enum { LINES = 60000 };
    static const enum trace_format formats[] = {TRACE_PAGES, TRACE_RW, TRACE_LACKEY};
    for (size_t f = 0; f < 3; f++) {
        for (unsigned long limit = 0; limit <= 40001; limit += 40001) {
            char *text = malloc((size_t)LINES * 48), path[512];
            CU_ASSERT_PTR_NOT_NULL_FATAL(text);
            uint64_t rng = UINT64_C(0x5851f42d4c957f2d) + f;
            size_t len = 0;
            for (unsigned i = 0; i < LINES; i++) {
                struct expected ignored;
                unsigned accesses;
                if (formats[f] != TRACE_LACKEY) {
                    len += random_line(&rng, formats[f], 0, text + len, &ignored, &accesses);
                    continue;
                }
                /* Records of 1 to 8 bytes, as a program's are: a few cross
                 * a page; a quarter are an M. */
                char op = "ILSM"[rng_next(&rng) % 4];
                len += (size_t)sprintf(text + len, "%s%c %llx,%u\n", op == 'I' ? "" : " ", op,
                                       (unsigned long long)(rng_next(&rng) >> 20),
                                       (unsigned)(1 + rng_next(&rng) % 8));
            }
            CU_ASSERT_EQUAL_FATAL(write_temp(text, len, path, sizeof path), 0);
            /* Page numbers of up to 19 digits name an address with pages
             * of a byte only. */
            uint64_t page_size = formats[f] == TRACE_PAGES ? 1 : 4096;
            struct trace_census census;
            struct diag d;
            int counted = trace_count(path, formats[f], limit, page_size, UINT64_MAX - 1,
                                      &census, &d);
            if (counted != 0)
                fprintf(stderr, "\n%s", printed(&d));
            CU_ASSERT_EQUAL_FATAL(counted, 0);
            struct trace_reader *one = trace_open(path, formats[f], limit, page_size, &d);
            struct trace_reader *runs = trace_open(path, formats[f], limit, page_size, &d);
            CU_ASSERT_PTR_NOT_NULL_FATAL(one);
            CU_ASSERT_PTR_NOT_NULL_FATAL(runs);
            uint64_t got = 0, in_runs = 0, differ = 0, misplaced = 0;
            for (;;) {
                struct trace_run_access run[300];
                size_t n = trace_next_run(runs, run, 1 + rng_next(&rng) % 300);
                bool from_run = n > 0;
                struct trace_access a, b;
                int r = 1;
                if (n == 0) {
                    r = trace_next(runs, &b, &d);
                    if (r == 1) {
                        run[0] = (struct trace_run_access){.value = b.value, .size = b.size, .kind = b.kind};
                        n = 1;
                    }
                } else {
                    in_runs += n;
                }
                for (size_t i = 0; i < n; i++, got++)
                    if (trace_next(one, &a, &d) != 1 || a.value != run[i].value ||
                        a.kind != run[i].kind || a.size != run[i].size ||
                        (from_run && (a.page_part != 0 || a.record_size != a.size)))
                        differ++;
                struct trace_pos p1, p2;
                trace_tell(one, &p1);
                trace_tell(runs, &p2);
                misplaced += !trace_is_at(runs, &p1) || p1.line != p2.line;
                if (r != 1)
                    break;
            }
            struct trace_access a;
            CU_ASSERT_EQUAL(trace_next(one, &a, &d), 0);
            CU_ASSERT_EQUAL(got, census.count);
            CU_ASSERT_EQUAL(differ, 0);
            CU_ASSERT_EQUAL(misplaced, 0);
            /* A lackey trace's M records and records across pages are read
             * one by one; even so most come in runs. */
            CU_ASSERT_TRUE(in_runs > got / 2);
            if (limit)
                CU_ASSERT_EQUAL(got, limit);
            trace_close(one);
            trace_close(runs);
            unlink(path);
            free(text);
        }
    }
}

/* trace_count counts common lines in runs: under every limit and every
 * max, on a lackey trace whose M records and records across pages come
 * between the runs, its count is what reading with trace_next under that
 * limit gives, or max + 1 past max. */
static void test_count_in_runs(void)
{
    enum { LINES = 3000 };
    char *text = malloc((size_t)LINES * 32), path[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    uint64_t rng = 41;
    size_t len = 0;
    for (unsigned i = 0; i < LINES; i++) {
        char op = "ILSM"[rng_next(&rng) % 4];
        /* One record in eight ends past its page. */
        uint64_t addr = 0x10000000 + (rng_next(&rng) % 64) * 4096 +
                        (rng_next(&rng) % 8 ? rng_next(&rng) % 4000 : 4093);
        len += (size_t)sprintf(text + len, "%s%c %llx,%u\n", op == 'I' ? "" : " ", op,
                               (unsigned long long)addr, (unsigned)(1 + rng_next(&rng) % 8));
    }
    CU_ASSERT_EQUAL_FATAL(write_temp(text, len, path, sizeof path), 0);
    static const unsigned long limits[] = {0, 1, 7, 256, 257, 1000, 3001, 100000};
    static const uint64_t maxes[] = {0, 5, 255, 256, 257, 2999, 40000, UINT64_MAX - 1};
    uint64_t wrong = 0, all = 0;
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        struct diag d;
        struct trace_reader *t = trace_open(path, TRACE_LACKEY, limits[l], 4096, &d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        struct trace_access a;
        uint64_t n = 0;
        while (trace_next(t, &a, &d) == 1)
            n++;
        trace_close(t);
        if (limits[l] == 0)
            all = n;
        for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
            uint64_t want = n > maxes[m] ? maxes[m] + 1 : n;
            uint64_t counted = lackey_count(path, limits[l], maxes[m]);
            if (counted != want) {
                if (wrong++ == 0)
                    fprintf(stderr, "\nlimit %lu, max %llu: counted %llu, read %llu\n", limits[l],
                            (unsigned long long)maxes[m], (unsigned long long)counted,
                            (unsigned long long)want);
            }
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    /* The M records and the records across pages were there. */
    CU_ASSERT_TRUE(all > LINES + LINES / 8);
    unlink(path);
    /* Three M records (six accesses, counted one record at a time), then
     * a run of loads that the limit of 7 cuts after the first. */
    len = (size_t)sprintf(text, " M 10000000,4\n M 10000010,4\n M 10000020,4\n");
    for (unsigned i = 0; i < 20; i++)
        len += (size_t)sprintf(text + len, " L %x,4\n", 0x10000030 + 16 * i);
    CU_ASSERT_EQUAL_FATAL(write_temp(text, len, path, sizeof path), 0);
    CU_ASSERT_EQUAL(lackey_count(path, 7, 1000), 7);
    CU_ASSERT_EQUAL(lackey_count(path, 0, 10), 11);
    CU_ASSERT_EQUAL(lackey_count(path, 0, 1000), 26);
    unlink(path);
    free(text);
}

/* The quick parser's hex numbers: addresses of every length from 1 to 16
 * digits, mixing cases and every digit, end where they should (at the
 * newline of an rw line, at the comma of a lackey one), and a 17th digit,
 * or any byte next to the digits' ranges (a control byte whose 0x20 bit
 * makes '0'-'9', and a digit with its high bit set among them), makes the
 * line a bad one. The first line of a file is read by the careful parser
 * (the buffer is still empty): each file begins with one more. */
static void test_hex_of_every_length(void)
{
    static const char digits[] = "0123456789abcdefABCDEF";
    static const enum trace_format formats[] = {TRACE_RW, TRACE_LACKEY};
    /* The text before the digits and after them. */
    static const char *const shapes[][2] = {{"W 0x", "\n"}, {" S ", ",4\n"}};
    for (size_t f = 0; f < 2; f++) {
        char text[1024], path[512];
        uint64_t want[17] = {0};
        size_t len = (size_t)snprintf(text, sizeof text, "%s0%s", shapes[f][0], shapes[f][1]);
        for (unsigned n = 1; n <= 16; n++) {
            char hex[17];
            for (unsigned k = 0; k < n; k++)
                hex[k] = digits[(n * 5 + k * 7) % (sizeof digits - 1)];
            hex[n] = '\0';
            want[n] = strtoull(hex, NULL, 16);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%s", shapes[f][0], hex,
                                    shapes[f][1]);
        }
        CU_ASSERT_EQUAL_FATAL(write_temp(text, len, path, sizeof path), 0);
        struct diag d;
        struct trace_reader *t = trace_open(path, formats[f], 0, 0, &d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        struct trace_access a;
        unsigned read = 0, wrong = 0;
        while (trace_next(t, &a, &d) == 1) {
            if (read > 16 || a.value != want[read] || a.kind != 'W' || a.line != read + 1)
                wrong++;
            read++;
        }
        CU_ASSERT_EQUAL(read, 17);
        CU_ASSERT_EQUAL(wrong, 0);
        trace_close(t);
        unlink(path);
    }
    /* After a good line, "0x1f" with one byte more after it: all bad. */
    static const char *const bad[] = {
        "R 0x0\nR 0x1f1111111111111111\n", "R 0x0\nR 0x1f/\n", "R 0x0\nR 0x1f:\n",
        "R 0x0\nR 0x1f@\n", "R 0x0\nR 0x1fG\n", "R 0x0\nR 0x1f`\n", "R 0x0\nR 0x1fg\n",
        "R 0x0\nR 0x1f\x10\n", "R 0x0\nR 0x1f\x19\n", "R 0x0\nR 0x1f\xb0\n",
        "R 0x0\nR 0x1f\xe6\n", "R 0x0\nR 0x1f\xc1\n"};
    unsigned accepted = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[512];
        CU_ASSERT_EQUAL_FATAL(write_temp(bad[i], strlen(bad[i]), path, sizeof path), 0);
        struct diag d;
        struct trace_reader *t = trace_open(path, TRACE_RW, 0, 0, &d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        struct trace_access a;
        CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
        if (trace_next(t, &a, &d) != -1 || d.line != 2) {
            fprintf(stderr, "\nbad line %zu read as %llx\n", i, (unsigned long long)a.value);
            accepted++;
        }
        trace_close(t);
        unlink(path);
    }
    CU_ASSERT_EQUAL(accepted, 0);
}

/* Writes text to a new temporary file, gzip-compressed when gz. */
static int write_trace_file(const char *text, size_t len, int gz, char *path, size_t size)
{
    if (!gz)
        return write_temp(text, len, path, size);
    if (write_temp("", 0, path, size) < 0)
        return -1;
    gzFile out = gzopen(path, "wb");
    if (out == NULL)
        return -1;
    int ok = gzwrite(out, text, (unsigned)len) == (int)len;
    return gzclose(out) == Z_OK && ok ? 0 : -1;
}

/* Text of `good` lines "R 0x10", then a comment as long as it takes for
 * the next line to start at byte `at`; returns its length. */
static size_t lines_up_to(char *text, size_t at, unsigned *good)
{
    size_t n = 0;
    *good = 0;
    while (n + 7 + 2 <= at) {
        memcpy(text + n, "R 0x10\n", 7);
        n += 7;
        ++*good;
    }
    text[n++] = '#';
    while (n < at - 1)
        text[n++] = '-';
    text[n++] = '\n';
    return n;
}

/* Writes text[0..len) as a trace file (gzip-compressed when gz), reads it
 * as rw to the error it must end with, removes it: how many accesses came
 * before, the last of them in *last, the file's name in path and the
 * error as printed in printed_error. */
static unsigned read_to_error(const char *text, size_t len, int gz, struct trace_access *last,
                              char *path, size_t path_size, char *printed_error,
                              size_t error_size)
{
    unsigned n = 0;
    struct trace_access a;
    struct diag d;
    int r;
    printed_error[0] = '\0';
    CU_ASSERT_EQUAL_FATAL(write_trace_file(text, len, gz, path, path_size), 0);
    struct trace_reader *t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    while ((r = trace_next(t, &a, &d)) == 1) {
        *last = a;
        n++;
    }
    CU_ASSERT_EQUAL(r, -1);
    if (r < 0)
        snprintf(printed_error, error_size, "%s", printed(&d));
    trace_close(t);
    unlink(path);
    return n;
}

/* A line that a block boundary cuts reads as the same line, and an error in
 * it, a NUL byte or a line too long is reported at the same line and
 * column, in a plain and in a gzip-compressed trace. */
static void test_block_boundaries(void)
{
    static const long shifts[] = {-7, -3, -1, 0, 1, 4, TRACE_BLOCK - 2};
    static const struct {
        const char *line;
        size_t len;
        unsigned col;
        const char *message;
    } bad[] = {
        {"W 0x123456789\nR 0x1z\n", 0, 3,
         "bad address '0x1z' (expected a hex 0x... or decimal number)"},
        {"W 0x123456789\nR 0x12\0\n", 22, 7, "NUL byte in the trace (expected a text file)"},
    };
    char path[512], want[1024], line_error[1024];
    char *text = malloc(3 * (size_t)TRACE_BLOCK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (int gz = 0; gz < 2; gz++)
        for (size_t s = 0; s < sizeof shifts / sizeof shifts[0]; s++)
            for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
                unsigned good;
                /* The good line of 14 bytes straddles the boundary. */
                size_t n = lines_up_to(text, (size_t)(TRACE_BLOCK + shifts[s] - 7), &good);
                size_t blen = bad[b].len ? bad[b].len : strlen(bad[b].line);
                memcpy(text + n, bad[b].line, blen);
                struct trace_access last;
                CU_ASSERT_EQUAL(read_to_error(text, n + blen, gz, &last, path, sizeof path,
                                              want, sizeof want), good + 1);
                CU_ASSERT_EQUAL(last.value, 0x123456789u);
                CU_ASSERT_EQUAL(last.line, good + 2);
                snprintf(line_error, sizeof line_error, "%s:%u:%u: error: %s\n", path, good + 3,
                         bad[b].col, bad[b].message);
                check_string(want, line_error, gz ? "gzip, at a block boundary"
                                                  : "at a block boundary");
            }
    /* A line one byte too long, starting just before a boundary. */
    for (int gz = 0; gz < 2; gz++) {
        unsigned good;
        size_t n = lines_up_to(text, TRACE_BLOCK - 100, &good);
        memcpy(text + n, "R 0x10", 6);
        memset(text + n + 6, ' ', TRACE_MAX_LINE + 1 - 6);
        text[n + TRACE_MAX_LINE + 1] = '\n';
        struct trace_access last;
        CU_ASSERT_EQUAL(read_to_error(text, n + TRACE_MAX_LINE + 2, gz, &last, path, sizeof path,
                                      want, sizeof want), good);
        snprintf(line_error, sizeof line_error, "%s:%u:4097: error: line is too long (expected "
                 "at most 4096 bytes per line)\n", path, good + 2);
        check_string(want, line_error, "too long at a block boundary");
    }
    free(text);
}

/* Rewrites a file in place with other bytes, and sets its modification
 * time to a distinct second so that even a coarse clock tells the
 * versions apart. */
static void rewrite(const char *path, const char *bytes, long second)
{
    FILE *fp = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs(bytes, fp);
    fclose(fp);
    struct timespec times[2] = {{0, UTIME_OMIT}, {1000000000L + second, 0}};
    CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, times, 0), 0);
}

/* A trace counted at load and changed before or while it is played is an
 * error where the reader noticed, never a run quietly cut short, grown or
 * played from other lines. */
static void test_trace_that_changes(void)
{
    char path[512], want[1024];
    struct trace_census c;
    struct trace_access a;
    struct diag d;

    CU_ASSERT_EQUAL_FATAL(write_temp("R 0x1\nR 0x2\nR 0x3\n", 18, path, sizeof path), 0);
    rewrite(path, "R 0x1\nR 0x2\nR 0x3\n", 0);
    CU_ASSERT_EQUAL_FATAL(trace_count(path, TRACE_RW, 0, 4096, 100, &c, &d), 0);
    CU_ASSERT_EQUAL(c.count, 3);
    CU_ASSERT_EQUAL(trace_take_failure(NULL), 0);

    /* Unchanged: it plays whole, and ends where the count did. */
    struct trace_reader *t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static const struct expected three[] = {{'R', 1, 0}, {'R', 2, 0}, {'R', 3, 0}};
    check_accesses(t, three, 3, 0);
    trace_close(t);
    CU_ASSERT_EQUAL(trace_take_failure(NULL), 0);

    /* A position it cannot be read from: the seek says so, the reader
     * stays where it was, and the failure is kept for the player. */
    t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    struct trace_pos nowhere = {.offset = -1, .line = 1};
    CU_ASSERT_EQUAL(trace_seek(t, &nowhere), -1);
    struct diag seek_failure;
    CU_ASSERT_EQUAL(trace_take_failure(&seek_failure), 1);
    snprintf(want, sizeof want, "%s:2:1: error: cannot read the trace again from this line "
             "(expected a file that can be read from any line)\n", path);
    check_string(printed(&seek_failure), want, "a seek that fails");
    check_accesses(t, three, 3, 0);
    trace_close(t);
    CU_ASSERT_EQUAL(trace_take_failure(NULL), 0);

    /* Changed between the load and the run: refused when opened. */
    rewrite(path, "R 0x1\n", 1);
    CU_ASSERT_PTR_NULL(trace_open(path, TRACE_RW, 0, 4096, &d));
    snprintf(want, sizeof want, "%s: error: the trace changed after the scenario was loaded "
             "(expected it as it was when the scenario was checked; load the scenario "
             "again)\n", path);
    check_string(printed(&d), want, "changed before the run");

    /* Cut short while played: an error at the line reached, kept for the
     * player. */
    rewrite(path, "R 0x1\nR 0x2\nR 0x3\n", 2);
    CU_ASSERT_EQUAL_FATAL(trace_count(path, TRACE_RW, 0, 4096, 100, &c, &d), 0);
    t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
    CU_ASSERT_EQUAL(truncate(path, 6), 0);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);   /* still in the buffer read before */
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), -1);  /* the last access counted: checked */
    snprintf(want, sizeof want, "%s:3:1: error: the trace changed while it was played "
             "(expected it unchanged until the run ends)\n", path);
    check_string(printed(&d), want, "cut while played");
    struct diag kept;
    CU_ASSERT_EQUAL(trace_take_failure(&kept), 1);
    check_string(printed(&kept), want, "the failure kept for the player");
    CU_ASSERT_EQUAL(trace_take_failure(NULL), 0);
    trace_close(t);

    /* Grown while played: the last access counted is not given. */
    rewrite(path, "R 0x1\nR 0x2\nR 0x3\n", 3);
    CU_ASSERT_EQUAL_FATAL(trace_count(path, TRACE_RW, 0, 4096, 100, &c, &d), 0);
    t = open_ok(path, TRACE_RW, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
    FILE *fp = fopen(path, "ab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("W 0x4\n", fp);
    fclose(fp);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), 1);
    CU_ASSERT_EQUAL(trace_next(t, &a, &d), -1);
    check_string(printed(&d), want, "grown while played");
    CU_ASSERT_EQUAL(trace_take_failure(NULL), 1);
    trace_close(t);

    /* Replaced by another file of the same size after the load: refused. */
    rewrite(path, "R 0x1\nR 0x2\nR 0x3\n", 4);
    CU_ASSERT_EQUAL_FATAL(trace_count(path, TRACE_RW, 0, 4096, 100, &c, &d), 0);
    char other[512];
    CU_ASSERT_EQUAL_FATAL(write_temp("W 0x7\nW 0x8\nW 0x9\n", 18, other, sizeof other), 0);
    CU_ASSERT_EQUAL_FATAL(rename(other, path), 0);
    CU_ASSERT_PTR_NULL(trace_open(path, TRACE_RW, 0, 4096, &d));
    snprintf(want, sizeof want, "%s: error: the trace changed after the scenario was loaded "
             "(expected it as it was when the scenario was checked; load the scenario "
             "again)\n", path);
    check_string(printed(&d), want, "replaced");
    unlink(path);
}

void suite_trace_register(void)
{
    CU_pSuite suite = CU_add_suite("trace", NULL, NULL);

    CU_add_test(suite, "format names", test_formats_by_name);
    CU_add_test(suite, "pages format", test_pages);
    CU_add_test(suite, "rw format", test_rw);
    CU_add_test(suite, "lackey format", test_lackey);
    CU_add_test(suite, "limit", test_limit);
    CU_add_test(suite, "tell and seek round trip", test_tell_seek);
    CU_add_test(suite, "positions move between readers", test_seek_across_readers);
    CU_add_test(suite, "trace_count", test_count);
    CU_add_test(suite, "open errors", test_open_errors);
    CU_add_test(suite, "bad lines give exact errors", test_bad_lines);
    CU_add_test(suite, "long lines and a missing last newline",
                test_long_line_and_no_newline);
    CU_add_test(suite, "lackey skips other lines", test_lackey_skips);
    CU_add_test(suite, "large trace, seek after refills", test_large_trace_seek);
    CU_add_test(suite, "runs cut short, read again from within the block, across refills",
                test_runs_cut_and_read_again);
    CU_add_test(suite, "pages beyond the 64-bit address space", test_page_beyond_address_space);
    CU_add_test(suite, "a trace that changes is an error", test_trace_that_changes);
    CU_add_test(suite, "quick and careful parsers agree", test_quick_and_careful_agree);
    CU_add_test(suite, "hex numbers of every length", test_hex_of_every_length);
    CU_add_test(suite, "runs of values agree with single reads", test_runs_of_values);
    CU_add_test(suite, "counting in runs agrees with reading", test_count_in_runs);
    CU_add_test(suite, "lines cut by a block boundary", test_block_boundaries);
    CU_add_test(suite, "lackey records across pages", test_lackey_across_pages);
    CU_add_test(suite, "lackey records past the top of the space", test_lackey_past_the_top);
}
