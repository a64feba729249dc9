/* Trace readers: see trace.h.
 *
 * The file is read through a private buffer rather than stdio's line
 * functions so that the byte offset of every line is known exactly (a
 * position must survive a seek) and NUL bytes and overlong lines are caught
 * instead of silently splitting a line. Each format is one parse function in
 * an ops table; everything else (buffering, limit, positions, lackey's
 * two-access M lines) is shared. */
#include "scenario/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "scenario/value.h"

#define TRACE_BUF 65536

/* How many characters of a bad token an error message quotes. */
#define QUOTE_MAX 40

struct trace_reader;

struct trace_format_ops {
    const char *name;
    /* Parses one line (no newline, NUL-terminated at line[len]). Returns the
     * number of accesses it holds (0, 1, or 2 for a lackey M line) with
     * them in out[], or -1 with *err set. */
    int (*parse)(const struct trace_reader *t, const char *line, size_t len,
                 struct trace_access out[2], struct diag *err);
};

struct trace_reader {
    FILE *fp;
    char *path;
    const struct trace_format_ops *ops;
    unsigned long limit;
    struct trace_pos pos;
    size_t buf_len, buf_at;   /* buf[buf_at..buf_len) is unread */
    char buf[TRACE_BUF];
    char line[TRACE_MAX_LINE + 1];
};

static int parse_pages(const struct trace_reader *t, const char *line,
                       size_t len, struct trace_access out[2], struct diag *err);
static int parse_rw(const struct trace_reader *t, const char *line,
                    size_t len, struct trace_access out[2], struct diag *err);
static int parse_lackey(const struct trace_reader *t, const char *line,
                        size_t len, struct trace_access out[2], struct diag *err);

static const struct trace_format_ops format_ops[TRACE_FORMAT_COUNT] = {
    [TRACE_PAGES]  = {"pages", parse_pages},
    [TRACE_RW]     = {"rw", parse_rw},
    [TRACE_LACKEY] = {"lackey", parse_lackey},
};

static const char *const format_names[TRACE_FORMAT_COUNT] = {
#define TRACE_FORMAT_NAME(id, name) [TRACE_##id] = name,
    TRACE_FORMAT_INFO(TRACE_FORMAT_NAME)
#undef TRACE_FORMAT_NAME
};

const char *trace_format_name(enum trace_format fmt)
{
    return (unsigned)fmt < TRACE_FORMAT_COUNT ? format_names[fmt] : "?";
}

int trace_format_lookup(const char *name, enum trace_format *out)
{
    for (unsigned i = 0; i < TRACE_FORMAT_COUNT; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (enum trace_format)i;
            return 0;
        }
    }
    return -1;
}

const char *const *trace_format_names(unsigned *count)
{
    *count = TRACE_FORMAT_COUNT;
    return format_names;
}

/* Reports a bad line: the error's line is the one being parsed. */
static void line_error(const struct trace_reader *t, struct diag *err,
                       size_t col, const char *fmt, ...) DIAG_PRINTF(4, 5);

static void line_error(const struct trace_reader *t, struct diag *err,
                       size_t col, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_set(err, t->path, (unsigned)(t->pos.line + 1), (unsigned)(col + 1),
             "%s", msg);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_space(const char *s, size_t i, size_t len)
{
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

/* End of the token starting at i: up to whitespace, '#' or stop (when
 * stop is not 0). */
static size_t token_end(const char *s, size_t i, size_t len, char stop)
{
    while (i < len && !is_space(s[i]) && s[i] != '#' && (stop == 0 || s[i] != stop))
        i++;
    return i;
}

/* 1 when only whitespace or a '#' comment follows position i. */
static int rest_is_empty(const char *s, size_t i, size_t len)
{
    i = skip_space(s, i, len);
    return i == len || s[i] == '#';
}

static int quote_len(size_t n)
{
    return (int)(n < QUOTE_MAX ? n : QUOTE_MAX);
}

static int parse_pages(const struct trace_reader *t, const char *line,
                       size_t len, struct trace_access out[2], struct diag *err)
{
    size_t start = skip_space(line, 0, len);
    size_t end = token_end(line, start, len, 0);
    size_t num_end = end;
    uint64_t page;
    char kind = 'R';

    if (start == end)
        return 0;   /* blank line or comment */
    if (end - start > 1 && (line[end - 1] == 'w' || line[end - 1] == 'W')) {
        kind = 'W';
        num_end--;
    }
    enum value_status st = value_parse_number(line + start, num_end - start, &page);
    if (st == VALUE_OVERFLOW) {
        line_error(t, err, start, "page number '%.*s' is too large (expected at most 64 bits)",
                   quote_len(end - start), line + start);
        return -1;
    }
    if (st != VALUE_OK) {
        line_error(t, err, start, "bad page number '%.*s' (expected one page number per line, "
                   "optionally followed by w for a write)", quote_len(end - start), line + start);
        return -1;
    }
    if (!rest_is_empty(line, end, len)) {
        size_t junk = skip_space(line, end, len);
        line_error(t, err, junk, "unexpected '%.*s' after the page number (expected one page "
                   "number per line)", quote_len(len - junk), line + junk);
        return -1;
    }
    out[0] = (struct trace_access){.kind = kind, .is_page = 1, .value = page};
    return 1;
}

static int parse_rw(const struct trace_reader *t, const char *line,
                    size_t len, struct trace_access out[2], struct diag *err)
{
    size_t op = skip_space(line, 0, len);
    char kind;
    uint64_t addr;

    if (op == len || line[op] == '#')
        return 0;
    switch (line[op]) {
    case 'R': case 'r': kind = 'R'; break;
    case 'W': case 'w': kind = 'W'; break;
    case 'X': case 'x': kind = 'X'; break;
    default: {
        size_t end = token_end(line, op, len, 0);
        line_error(t, err, op, "unknown access '%.*s' (expected R, W or X followed by an "
                   "address)", quote_len(end - op), line + op);
        return -1;
    }
    }
    if (op + 1 < len && !is_space(line[op + 1]) && line[op + 1] != '#') {
        size_t end = token_end(line, op, len, 0);
        line_error(t, err, op, "unknown access '%.*s' (expected R, W or X followed by an "
                   "address)", quote_len(end - op), line + op);
        return -1;
    }
    size_t start = skip_space(line, op + 1, len);
    size_t end = token_end(line, start, len, 0);
    if (start == end) {
        line_error(t, err, start, "missing address after '%c' (expected a line like "
                   "'%c 0x1234')", line[op], kind);
        return -1;
    }
    enum value_status st = value_parse_number(line + start, end - start, &addr);
    if (st == VALUE_OVERFLOW) {
        line_error(t, err, start, "address '%.*s' is too large (expected at most 64 bits)",
                   quote_len(end - start), line + start);
        return -1;
    }
    if (st != VALUE_OK) {
        line_error(t, err, start, "bad address '%.*s' (expected a hex 0x... or decimal "
                   "number)", quote_len(end - start), line + start);
        return -1;
    }
    if (!rest_is_empty(line, end, len)) {
        size_t junk = skip_space(line, end, len);
        line_error(t, err, junk, "unexpected '%.*s' after the address (expected one access "
                   "per line)", quote_len(len - junk), line + junk);
        return -1;
    }
    out[0] = (struct trace_access){.kind = kind, .is_page = 0, .value = addr};
    return 1;
}

/* Lackey prints addresses as bare hex digits ("0401ab70"). */
static enum value_status parse_hex(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return VALUE_SYNTAX;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return VALUE_SYNTAX;
        if (v >> 60)
            return VALUE_OVERFLOW;
        v = v << 4 | d;
    }
    *out = v;
    return VALUE_OK;
}

static int parse_lackey(const struct trace_reader *t, const char *line,
                        size_t len, struct trace_access out[2], struct diag *err)
{
    char op;
    size_t i;
    uint64_t addr, size;

    /* Records are "I  addr,size" (in column 1) or " L addr,size" with L, S
     * or M in column 2; everything else (==pid== messages, program output)
     * is not part of the trace. */
    if (len >= 2 && line[0] == 'I' && is_space(line[1])) {
        op = 'I';
        i = 2;
    } else if (len >= 3 && line[0] == ' ' && strchr("LSM", line[1]) != NULL
               && line[1] != '\0' && is_space(line[2])) {
        op = line[1];
        i = 3;
    } else {
        return 0;
    }
    size_t start = skip_space(line, i, len);
    size_t end = start;
    while (end < len && !is_space(line[end]) && line[end] != ',')
        end++;
    enum value_status st = parse_hex(line + start, end - start, &addr);
    if (st == VALUE_OVERFLOW) {
        line_error(t, err, start, "address '%.*s' is too large (expected at most 16 hex "
                   "digits)", quote_len(end - start), line + start);
        return -1;
    }
    if (st != VALUE_OK) {
        line_error(t, err, start, "bad address '%.*s' in a '%c' record (expected hex digits "
                   "like 0401ab70)", quote_len(end - start), line + start, op);
        return -1;
    }
    if (end >= len || line[end] != ',') {
        line_error(t, err, end, "missing size after the address (expected ADDRESS,SIZE like "
                   "04032e40,8)");
        return -1;
    }
    size_t sstart = end + 1;
    size_t send = sstart;
    while (send < len && !is_space(line[send]))
        send++;
    st = value_parse_number(line + sstart, send - sstart, &size);
    if (st != VALUE_OK || size > 0xffffffffu
        || (send - sstart > 1 && line[sstart] == '0')) {
        line_error(t, err, sstart, "bad size '%.*s' in a '%c' record (expected a decimal "
                   "byte count like 8)", quote_len(send - sstart), line + sstart, op);
        return -1;
    }
    if (skip_space(line, send, len) != len) {
        size_t junk = skip_space(line, send, len);
        line_error(t, err, junk, "unexpected '%.*s' after the size (expected one record per "
                   "line)", quote_len(len - junk), line + junk);
        return -1;
    }
    struct trace_access a = {.kind = 'R', .is_page = 0, .value = addr,
                             .size = (unsigned)size};
    switch (op) {
    case 'I':
        a.kind = 'X';
        break;
    case 'S':
        a.kind = 'W';
        break;
    case 'M':
        /* A modify is a load then a store of the same bytes. */
        out[0] = a;
        a.kind = 'W';
        out[1] = a;
        return 2;
    default:
        break;
    }
    out[0] = a;
    return 1;
}

struct trace_reader *trace_open(const char *path, enum trace_format fmt,
                                unsigned long limit, struct diag *err)
{
    struct trace_reader *t;

    if ((unsigned)fmt >= TRACE_FORMAT_COUNT) {
        diag_set(err, path, 0, 0, "unknown trace format %d (expected pages, rw or lackey)",
                 (int)fmt);
        return NULL;
    }
    t = calloc(1, sizeof *t);
    if (t == NULL || (t->path = strdup(path)) == NULL) {
        free(t);
        diag_set(err, path, 0, 0, "out of memory opening the trace (expected a smaller one)");
        return NULL;
    }
    t->fp = fopen(path, "rb");
    if (t->fp == NULL) {
        diag_set(err, path, 0, 0, "cannot open trace '%s': %s (expected a readable file)",
                 path, strerror(errno));
        free(t->path);
        free(t);
        return NULL;
    }
    t->ops = &format_ops[fmt];
    t->limit = limit;
    return t;
}

/* Forgets buffered bytes and puts the file back at pos.offset, so that the
 * next read starts at the first unread line. */
static int rewind_to_pos(struct trace_reader *t, int64_t offset)
{
    t->buf_len = t->buf_at = 0;
    clearerr(t->fp);
    return fseeko(t->fp, (off_t)offset, SEEK_SET) == 0 ? 0 : -1;
}

/* Reads the next line into t->line (NUL-terminated, newline and a CR before
 * it removed) and its length into *len, consuming it from the buffer but not
 * yet advancing t->pos (the caller does once the line is accepted), so an
 * error leaves the position at the bad line. *consumed gets the line's
 * bytes in the file. 1 line read, 0 end of file, -1 error. */
static int read_line(struct trace_reader *t, size_t *len, size_t *consumed,
                     struct diag *err)
{
    size_t n = 0, used = 0;

    for (;;) {
        if (t->buf_at == t->buf_len) {
            size_t got = fread(t->buf, 1, sizeof t->buf, t->fp);
            if (got == 0) {
                if (ferror(t->fp)) {
                    diag_set(err, t->path, (unsigned)(t->pos.line + 1), 1,
                             "cannot read the trace: %s (expected a readable file)",
                             strerror(errno));
                    return -1;
                }
                if (used == 0)
                    return 0;
                break;   /* a last line without a newline */
            }
            t->buf_len = got;
            t->buf_at = 0;
        }
        const char *start = t->buf + t->buf_at;
        size_t avail = t->buf_len - t->buf_at;
        const char *nl = memchr(start, '\n', avail);
        size_t chunk = nl ? (size_t)(nl - start) : avail;
        if (n + chunk > TRACE_MAX_LINE) {
            diag_set(err, t->path, (unsigned)(t->pos.line + 1), TRACE_MAX_LINE + 1,
                     "line is too long (expected at most %d bytes per line)",
                     TRACE_MAX_LINE);
            return -1;
        }
        if (memchr(start, '\0', chunk) != NULL) {
            size_t col = n + (size_t)((const char *)memchr(start, '\0', chunk) - start);
            diag_set(err, t->path, (unsigned)(t->pos.line + 1), (unsigned)(col + 1),
                     "NUL byte in the trace (expected a text file)");
            return -1;
        }
        memcpy(t->line + n, start, chunk);
        n += chunk;
        used += chunk + (nl != NULL);
        t->buf_at += chunk + (nl != NULL);
        if (nl != NULL)
            break;
    }
    if (n > 0 && t->line[n - 1] == '\r')
        n--;
    t->line[n] = '\0';
    *len = n;
    *consumed = used;
    return 1;
}

int trace_next(struct trace_reader *t, struct trace_access *out, struct diag *err)
{
    if (t->limit != 0 && t->pos.emitted >= t->limit)
        return 0;
    if (t->pos.pending_write) {
        *out = (struct trace_access){.kind = 'W', .is_page = 0,
                                     .value = t->pos.pending_value,
                                     .size = t->pos.pending_size};
        t->pos.pending_write = 0;
        t->pos.emitted++;
        return 1;
    }
    for (;;) {
        struct trace_access got[2];
        size_t len, consumed;
        int r = read_line(t, &len, &consumed, err);
        if (r <= 0) {
            if (r < 0)
                rewind_to_pos(t, t->pos.offset);
            return r;
        }
        int n = t->ops->parse(t, t->line, len, got, err);
        if (n < 0) {
            rewind_to_pos(t, t->pos.offset);
            return -1;
        }
        t->pos.offset += (int64_t)consumed;
        t->pos.line++;
        if (n == 0)
            continue;
        if (n == 2) {
            t->pos.pending_write = 1;
            t->pos.pending_value = got[1].value;
            t->pos.pending_size = got[1].size;
        }
        *out = got[0];
        t->pos.emitted++;
        return 1;
    }
}

void trace_tell(const struct trace_reader *t, struct trace_pos *pos)
{
    *pos = t->pos;
}

int trace_seek(struct trace_reader *t, const struct trace_pos *pos)
{
    if (pos->offset < 0 || rewind_to_pos(t, pos->offset) != 0) {
        rewind_to_pos(t, t->pos.offset);
        return -1;
    }
    t->pos = *pos;
    return 0;
}

void trace_close(struct trace_reader *t)
{
    if (t == NULL)
        return;
    fclose(t->fp);
    free(t->path);
    free(t);
}

int trace_count(const char *path, enum trace_format fmt, unsigned long limit,
                uint64_t max, uint64_t *count, struct diag *err)
{
    struct trace_reader *t = trace_open(path, fmt, limit, err);
    struct trace_access a;
    uint64_t n = 0;
    int r;

    if (t == NULL)
        return -1;
    while ((r = trace_next(t, &a, err)) == 1) {
        if (++n > max)
            break;
    }
    trace_close(t);
    if (r < 0)
        return -1;
    *count = n;
    return 0;
}
