/* Trace readers: see trace.h.
 *
 * The file is read in large blocks through a private buffer rather than
 * stdio's line functions, so that the byte offset of every line is known
 * exactly (a position must survive a seek) and NUL bytes and overlong lines
 * are caught instead of silently splitting a line. Lines are parsed where
 * they lie in the buffer: nothing is copied or allocated per line, and the
 * memory is the same however long the trace.
 *
 * Each format has two parsers. The quick one reads the common shape of a
 * line with hand-written digit loops and gives up on anything else; the
 * careful one then reads the line again and is the one that knows every
 * rule and every error message, so what a line means and where its error is
 * reported never depends on which of them read it. Everything else
 * (buffering, limit, positions, the accesses a line holds: lackey's M, a
 * record across pages) is shared. */
#include "scenario/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "scenario/trace_gzip.h"
#include "util/userfile.h"
#include "util/value.h"

/* The buffer holds a block, which must have room for the longest line
 * however a block boundary cuts it. */
_Static_assert(TRACE_BLOCK > 2 * (TRACE_MAX_LINE + 1), "a line must fit in the buffer");
_Static_assert(TRACE_MAX_LINE + 1 <= UINT16_MAX, "a line's bytes must fit a run's uint16_t");

struct trace_reader;

/* The record a line holds, as a parser reads it: what the line says,
 * before it is split into accesses (a lackey M, a record across pages). */
struct trace_record {
    uint64_t value;       /* address, or page number (pages format) */
    unsigned size;        /* the record's bytes (lackey), else 0 */
    unsigned col;         /* 1-based column the value starts in */
    char kind;            /* its (first) access's kind, a TRACE_ACCESS_INFO letter */
    unsigned char modify; /* 1: a lackey M, a load then a store of the bytes */
};

/* What differs between formats (their names are in TRACE_FORMAT_INFO). */
struct trace_format_ops {
    /* Parses one line (line[0..len), its newline and a CR before it
     * removed). Returns 1 with the record it holds in *out, 0 for a line
     * without one, or -1 with *err set. */
    int (*parse)(const struct trace_reader *t, const char *line, size_t len,
                 struct trace_record *out, struct diag *err);
};

/* What identifies the content of a trace file without reading it again:
 * any write, truncation or replacement changes one of these. */
struct trace_stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    time_t mtime_sec;
    long mtime_nsec;
};

struct trace_reader {
    FILE *fp;
    gzFile gz;                /* reads fp's text when it is gzip-compressed */
    char *path;
    const struct trace_format_ops *ops;
    enum trace_format format;
    unsigned long limit;
    uint64_t page_size;       /* a lackey record crossing these pages is split */
    uint64_t max_page;        /* pages format: the largest page number allowed */
    struct trace_stamp stamp; /* the file as it must stay while it is read */
    /* Set when trace_count read this very file (same stamp, format, limit
     * and page size) before: it then holds expected accesses, so any other
     * ending means the file changed, and failures are kept for
     * trace_take_failure. */
    int checked;
    uint64_t expected;
    struct trace_pos pos;
    size_t buf_len, buf_at;   /* buf[buf_at..buf_len) is unread ... */
    /* ... and buf[buf_len] is a NUL, with one byte more after it for the
     * quick hex scan, which reads two bytes at a time. */
    char buf[TRACE_BLOCK + 2];
};

static int parse_pages(const struct trace_reader *t, const char *line,
                       size_t len, struct trace_record *out, struct diag *err);
static int parse_rw(const struct trace_reader *t, const char *line,
                    size_t len, struct trace_record *out, struct diag *err);
static int parse_lackey(const struct trace_reader *t, const char *line,
                        size_t len, struct trace_record *out, struct diag *err);

static const struct trace_format_ops format_ops[TRACE_FORMAT_COUNT] = {
    [TRACE_PAGES]  = {parse_pages},
    [TRACE_RW]     = {parse_rw},
    [TRACE_LACKEY] = {parse_lackey},
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
    return (int)(n < DIAG_QUOTE_MAX ? n : DIAG_QUOTE_MAX);
}

/* Sets *out to a record of kind, value and size (0 when none) whose value
 * starts at index start, a modify or not; field by field, as a compound
 * literal would first clear the whole struct, its padding included. */
static void set_record(struct trace_record *out, char kind, uint64_t value, uint64_t size,
                       size_t start, int modify)
{
    out->value = value;
    out->size = (unsigned)size;
    out->col = (unsigned)start + 1;
    out->kind = kind;
    out->modify = (unsigned char)modify;
}

static int parse_pages(const struct trace_reader *t, const char *line,
                       size_t len, struct trace_record *out, struct diag *err)
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
    if (st == VALUE_OVERFLOW || (st == VALUE_OK && page > t->max_page)) {
        /* A page whose address does not fit in 64 bits would wrap around
         * to a small page and be played as that one. */
        line_error(t, err, start, "page '%.*s' is beyond the 64-bit address space "
                   "(expected a page number of at most %llu)", quote_len(num_end - start),
                   line + start, (unsigned long long)t->max_page);
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
    set_record(out, kind, page, 0, start, 0);
    return 1;
}

/* The letters of TRACE_ACCESS_INFO, as the rw format writes them. */
static const char access_letters[] = {
#define ACCESS_LETTER(id, letter, name) letter,
    TRACE_ACCESS_INFO(ACCESS_LETTER)
#undef ACCESS_LETTER
};
#define ACCESS_LETTERS (sizeof access_letters / sizeof access_letters[0])

/* For each byte, the access letter it is in either case, or 0: one
 * lookup a line. */
static const char access_letter_of[256] = {
#define ACCESS_LETTER_BOTH(id, letter, name) [letter] = letter, [letter - 'A' + 'a'] = letter,
    TRACE_ACCESS_INFO(ACCESS_LETTER_BOTH)
#undef ACCESS_LETTER_BOTH
};

/* The access letter c is, in either case, or 0. */
static char access_letter(char c)
{
    return access_letter_of[(unsigned char)c];
}

/* Reports an rw line whose access is not one letter of access_letters. */
static void unknown_access(const struct trace_reader *t, struct diag *err, const char *line,
                           size_t op, size_t len)
{
    char letters[ACCESS_LETTERS][2];
    const char *names[ACCESS_LETTERS];
    char list[DIAG_MESSAGE_MAX];
    size_t end = token_end(line, op, len, 0);

    for (size_t i = 0; i < ACCESS_LETTERS; i++) {
        letters[i][0] = access_letters[i];
        letters[i][1] = '\0';
        names[i] = letters[i];
    }
    line_error(t, err, op, "unknown access '%.*s' (expected %s followed by an address)",
               quote_len(end - op), line + op, diag_list(list, sizeof list, names,
                                                         ACCESS_LETTERS));
}

static int parse_rw(const struct trace_reader *t, const char *line,
                    size_t len, struct trace_record *out, struct diag *err)
{
    size_t op = skip_space(line, 0, len);
    char kind;
    uint64_t addr;

    if (op == len || line[op] == '#')
        return 0;
    kind = access_letter(line[op]);
    if (kind == 0 || (op + 1 < len && !is_space(line[op + 1]) && line[op + 1] != '#')) {
        unknown_access(t, err, line, op, len);
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
    set_record(out, kind, addr, 0, start, 0);
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

/* The record of a lackey line whose letter is op (I, L, S or M), address
 * addr and size size, the address starting at index start. */
static void lackey_record(char op, uint64_t addr, uint64_t size, size_t start,
                          struct trace_record *out)
{
    /* A modify is a load then a store of the same bytes. */
    set_record(out, op == 'I' ? 'X' : op == 'S' ? 'W' : 'R', addr, size, start, op == 'M');
}

static int parse_lackey(const struct trace_reader *t, const char *line,
                        size_t len, struct trace_record *out, struct diag *err)
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
    if (size > 0 && addr > UINT64_MAX - (size - 1)) {
        line_error(t, err, sstart, "%llu bytes at %.*s run past the end of the 64-bit address "
                   "space (expected a record that ends at ffffffffffffffff at the latest)",
                   (unsigned long long)size, quote_len(end - start), line + start);
        return -1;
    }
    lackey_record(op, addr, size, start, out);
    return 1;
}

/* ---- the quick parsers ----------------------------------------------- */

/* Each reads the line at p when it has its format's common shape and ends
 * with a newline: 1 with the line's record in *out and the line's bytes,
 * newline included, in *used; -1, having read at most one byte past the
 * first newline or NUL byte, when the line has any other shape (the
 * careful parser then decides). The NUL after the buffer's data stops
 * every scan and fails the line it is in, so that a line the end of the
 * buffer cuts is never taken as whole, and an empty buffer holds no line. */

/* The value of each hex digit, 16 for any other byte. */
static const unsigned char hex_value[256] = {
#define NOT_HEX16 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
    NOT_HEX16, NOT_HEX16, NOT_HEX16,                           /* 0x00 - 0x2f */
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,      /* '0' - '9' */
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, /* 'A' - 'F' */
    NOT_HEX16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, /* 'a' - 'f' */
    NOT_HEX16, NOT_HEX16, NOT_HEX16, NOT_HEX16, NOT_HEX16,     /* 0x70 - 0xbf */
    NOT_HEX16, NOT_HEX16, NOT_HEX16, NOT_HEX16,                /* 0xc0 - 0xff */
#undef NOT_HEX16
};

/* Digits a number of this base can have and never exceed 64 bits. */
#define QUICK_HEX_DIGITS 16
#define QUICK_DEC_DIGITS 19

static int is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* Two hex digits at a time: hex_pair[i], where i is the two bytes read as
 * a uint16_t, is their value plus HEX_PAIR, or 0 when either byte is not a
 * hex digit (one lookup for a pair of digits rather than one a digit: a
 * trace's addresses are mostly its bytes). Only the 22 x 22 pairs of digits
 * are ever written; the rest stays zero, and the pages of it that nothing
 * reads take no memory. */
#define HEX_PAIR 0x100u
static uint16_t hex_pair[1u << 16];

/* Fills hex_pair, once (each reader's opening asks). */
static void hex_pair_fill(void)
{
    static int filled;
    static const char digits[] = "0123456789abcdefABCDEF";

    if (filled)
        return;
    for (const char *a = digits; *a; a++) {
        for (const char *b = digits; *b; b++) {
            const char two[2] = {*a, *b};
            uint16_t i;
            memcpy(&i, two, sizeof i);
            hex_pair[i] = (uint16_t)(HEX_PAIR | hex_value[(unsigned char)*a] << 4
                                     | hex_value[(unsigned char)*b]);
        }
    }
    filled = 1;
}

/* Reads hex digits from p[*i]: 1 with the value in *out and *i past them,
 * or 0 when there are none or more than 16. The buffer's closing NUL
 * ends them at the latest (the pairs read at most the byte after it); bits
 * shifted out of a longer number do not matter, as it is refused. Inline:
 * a call costs as much as a few digits. */
static inline int quick_hex(const char *p, size_t *i, uint64_t *out)
{
    const unsigned char *first = (const unsigned char *)p + *i, *s = first;
    uint64_t v = 0;
    unsigned d;
    uint16_t two;

    for (;;) {
        memcpy(&two, s, sizeof two);
        if ((d = hex_pair[two]) == 0)
            break;
        v = v << 8 | (d & 0xff);
        s += 2;
    }
    if ((d = hex_value[*s]) < 16) {   /* an odd number of digits */
        v = v << 4 | d;
        s++;
    }
    if (s == first || s - first > QUICK_HEX_DIGITS)
        return 0;
    *out = v;
    *i += (size_t)(s - first);
    return 1;
}

/* Reads decimal digits from p[*i], at most max of them (so that the value
 * fits): 1 with the value in *out and *i past them, or 0 when there are
 * none or more. */
static int quick_decimal(const char *p, size_t *i, unsigned max, uint64_t *out)
{
    size_t at = *i;
    uint64_t v = 0;

    while (is_digit(p[at])) {
        v = v * 10 + (uint64_t)(p[at] - '0');
        at++;
    }
    if (at == *i || at - *i > max)
        return 0;
    *out = v;
    *i = at;
    return 1;
}

/* The line's length with its newline when p[i] ends it (a newline, or a CR
 * then a newline), else 0. */
static size_t quick_end(const char *p, size_t i)
{
    if (p[i] == '\r')
        i++;
    return p[i] == '\n' ? i + 1 : 0;
}

/* "7" or "7w": a decimal page number in column 1. Inline, as a call costs
 * about as much as the line's parsing. */
static inline int quick_pages(const struct trace_reader *t, const char *p, size_t *used,
                              struct trace_record *out)
{
    size_t i = 0;
    uint64_t page;
    char kind = 'R';

    if (!quick_decimal(p, &i, QUICK_DEC_DIGITS, &page) || page > t->max_page)
        return -1;
    if (p[i] == 'w' || p[i] == 'W') {
        kind = 'W';
        i++;
    }
    if ((*used = quick_end(p, i)) == 0)
        return -1;
    set_record(out, kind, page, 0, 0, 0);
    return 1;
}

/* "R 0x1234" or "W 4096": a letter in column 1, blanks, then a 0x hex or a
 * decimal address. */
static int quick_rw(const char *p, size_t *used, struct trace_record *out)
{
    char kind = access_letter(p[0]);
    size_t i = 2, start;
    uint64_t addr;

    if (kind == 0 || !is_space(p[1]))
        return -1;
    while (is_space(p[i]))   /* more blanks after the one at p[1] */
        i++;
    start = i;
    if (p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X')) {
        i += 2;
        if (!quick_hex(p, &i, &addr))
            return -1;
    } else if (!quick_decimal(p, &i, QUICK_DEC_DIGITS, &addr)) {
        return -1;
    }
    if ((*used = quick_end(p, i)) == 0)
        return -1;
    set_record(out, kind, addr, 0, start, 0);
    return 1;
}

/* The commonest rw line, an access letter, one blank, 0x, hex digits and
 * the newline ("W 0x7ffd1a2c\n"), read straight into a run's access:
 * what quick_rw makes of it (its record's size is 0), without its general
 * steps. Its bytes, or 0 for a line of any other shape, which quick_rw
 * then reads. */
static inline size_t quick_rw_common(const char *p, struct trace_run_access *out)
{
    char kind = access_letter(p[0]);
    size_t i = 4;
    uint64_t addr;

    if (kind == 0 || p[1] != ' ' || p[2] != '0' || (p[3] != 'x' && p[3] != 'X') ||
        !quick_hex(p, &i, &addr) || p[i] != '\n')
        return 0;
    *out = (struct trace_run_access){.value = addr, .size = 0,
                                     .line_bytes = (uint16_t)(i + 1), .kind = kind};
    return i + 1;
}

/* "I  0401ab70,3", " L 04032e40,8", " S ...", " M ...": the record, blanks,
 * hex digits, a comma and a decimal size without leading zeros. */
static int quick_lackey(const char *p, size_t *used, struct trace_record *out)
{
    char op;
    size_t i, start, size_start;
    uint64_t addr, size;

    if (p[0] == 'I' && is_space(p[1])) {
        op = 'I';
        i = 2;
    } else if (p[0] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M') && is_space(p[2])) {
        op = p[1];
        i = 3;
    } else {
        return -1;
    }
    while (is_space(p[i]))
        i++;
    start = i;
    if (!quick_hex(p, &i, &addr) || p[i] != ',')
        return -1;
    size_start = ++i;
    /* Nine digits always fit the 32 bits a size has. */
    if (!quick_decimal(p, &i, 9, &size) || (p[size_start] == '0' && i - size_start > 1)
        || (*used = quick_end(p, i)) == 0 || (size > 0 && addr > UINT64_MAX - (size - 1)))
        return -1;
    lackey_record(op, addr, size, start, out);
    return 1;
}

/* ---- traces already counted ------------------------------------------ */

/* Every trace trace_count has read to its end, with what it found: a
 * reader opened later on the same file (the run, after the load) knows from
 * here how many accesses it must give and what the file must look like. It
 * lives as long as the program; a file counted again replaces its entry. */
struct counted_trace {
    char *path;
    enum trace_format format;
    unsigned long limit;
    uint64_t page_size;
    struct trace_stamp stamp;
    uint64_t count;
};

static struct counted_trace *counted;
static size_t counted_len, counted_cap;

/* The first failure of a checked reader, until trace_take_failure. */
static struct diag failure;
static int failure_set;

static struct counted_trace *counted_find(const char *path, enum trace_format fmt,
                                          unsigned long limit, uint64_t page_size)
{
    for (size_t i = 0; i < counted_len; i++)
        if (counted[i].format == fmt && counted[i].limit == limit
            && counted[i].page_size == page_size && strcmp(counted[i].path, path) == 0)
            return &counted[i];
    return NULL;
}

/* Remembers a count; when memory runs out the trace is simply not
 * remembered, which only means a later reader checks less. */
static void counted_remember(const char *path, enum trace_format fmt, unsigned long limit,
                             uint64_t page_size, const struct trace_stamp *stamp,
                             uint64_t count)
{
    struct counted_trace *c = counted_find(path, fmt, limit, page_size);

    if (c == NULL) {
        if (counted_len == counted_cap) {
            size_t cap = counted_cap ? counted_cap * 2 : 8;
            struct counted_trace *grown = realloc(counted, cap * sizeof *grown);
            if (grown == NULL)
                return;
            counted = grown;
            counted_cap = cap;
        }
        char *copy = strdup(path);
        if (copy == NULL)
            return;
        c = &counted[counted_len++];
        c->path = copy;
        c->format = fmt;
        c->limit = limit;
        c->page_size = page_size;
    }
    c->stamp = *stamp;
    c->count = count;
}

int trace_take_failure(struct diag *out)
{
    if (!failure_set)
        return 0;
    if (out != NULL)
        *out = failure;
    failure_set = 0;
    return 1;
}

/* ---- opening and reading --------------------------------------------- */

static int stamp_of(FILE *fp, struct trace_stamp *out)
{
    struct stat st;

    if (fstat(fileno(fp), &st) != 0)
        return -1;
    *out = (struct trace_stamp){st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec,
                                st.st_mtim.tv_nsec};
    return 0;
}

static int stamp_equal(const struct trace_stamp *a, const struct trace_stamp *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size
           && a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

/* The largest page number whose whole page has a 64-bit address. */
static uint64_t max_page_for(uint64_t page_size)
{
    if (page_size <= 1)
        return UINT64_MAX;
    return (UINT64_MAX - (page_size - 1)) / page_size;
}

/* Opens the file as a trace. When checked, the file must be the one
 * trace_count last read under this path, format, limit and page size (if
 * it read it). */
static struct trace_reader *open_reader(const char *path, enum trace_format fmt,
                                        unsigned long limit, uint64_t page_size, int checked,
                                        struct diag *err)
{
    struct trace_reader *t;
    char what[64 + DIAG_QUOTE_MAX];

    if ((unsigned)fmt >= TRACE_FORMAT_COUNT) {
        char list[DIAG_MESSAGE_MAX];
        diag_set(err, path, 0, 0, "unknown trace format %d (expected %s)", (int)fmt,
                 diag_list(list, sizeof list, format_names, TRACE_FORMAT_COUNT));
        return NULL;
    }
    t = calloc(1, sizeof *t);
    if (t == NULL || (t->path = strdup(path)) == NULL) {
        free(t);
        diag_set(err, path, 0, 0, "out of memory opening the trace (expected a smaller one)");
        return NULL;
    }
    snprintf(what, sizeof what, "trace '%s'", path);
    t->fp = userfile_open(path, what, err);
    if (t->fp != NULL && (stamp_of(t->fp, &t->stamp) != 0 || trace_gzip_open(t->fp, &t->gz) < 0)) {
        diag_set(err, path, 0, 0, "cannot read trace '%s': %s (expected a readable file)",
                 path, strerror(errno));
        fclose(t->fp);
        t->fp = NULL;
    }
    if (t->fp == NULL) {
        free(t->path);
        free(t);
        return NULL;
    }
    hex_pair_fill();
    t->ops = &format_ops[fmt];
    t->format = fmt;
    t->limit = limit;
    t->page_size = page_size;
    t->max_page = UINT64_MAX;
    const struct counted_trace *c = checked ? counted_find(path, fmt, limit, page_size) : NULL;
    if (c != NULL) {
        if (!stamp_equal(&c->stamp, &t->stamp)) {
            diag_set(err, path, 0, 0, "the trace changed after the scenario was loaded "
                     "(expected it as it was when the scenario was checked; load the "
                     "scenario again)");
            trace_close(t);
            return NULL;
        }
        t->checked = 1;
        t->expected = c->count;
    }
    return t;
}

struct trace_reader *trace_open(const char *path, enum trace_format fmt,
                                unsigned long limit, uint64_t page_size, struct diag *err)
{
    return open_reader(path, fmt, limit, page_size, 1, err);
}

/* Forgets buffered bytes and puts the file back at pos.offset, so that the
 * next read starts at the first unread line. */
static int rewind_to_pos(struct trace_reader *t, int64_t offset)
{
    t->buf_len = t->buf_at = 0;
    t->buf[0] = '\0';
    clearerr(t->fp);
    if (t->gz)
        return trace_gzip_seek(t->gz, offset);
    return fseeko(t->fp, (off_t)offset, SEEK_SET) == 0 ? 0 : -1;
}

/* Fails with *err at the line about to be read when the file is no longer
 * what it was when the reader opened it (written to, cut or grown): from
 * then on its lines are not the ones that were checked. */
static int check_unchanged(struct trace_reader *t, struct diag *err)
{
    struct trace_stamp now;

    if (stamp_of(t->fp, &now) == 0 && stamp_equal(&now, &t->stamp))
        return 0;
    diag_set(err, t->path, (unsigned)(t->pos.line + 1), 1, "the trace changed while it "
             "was played (expected it unchanged until the run ends)");
    return -1;
}

/* Moves the unread bytes to the buffer's start and reads the next block
 * of the file after them. The bytes read (0 at the end of the file), or -1
 * with *err set at the line about to be read. */
static long refill(struct trace_reader *t, struct diag *err)
{
    size_t unread = t->buf_len - t->buf_at;
    long got;

    if (check_unchanged(t, err) < 0)
        return -1;
    memmove(t->buf, t->buf + t->buf_at, unread);
    t->buf_at = 0;
    t->buf_len = unread;
    if (t->gz) {
        const char *why = "";
        got = trace_gzip_read(t->gz, t->buf + unread, TRACE_BLOCK - unread, &why);
        if (got < 0) {
            diag_set(err, t->path, (unsigned)(t->pos.line + 1), 1, "cannot uncompress the "
                     "trace: %s (expected whole gzip data)", why);
            return -1;
        }
    } else {
        got = (long)fread(t->buf + unread, 1, TRACE_BLOCK - unread, t->fp);
        if (got == 0 && ferror(t->fp)) {
            diag_set(err, t->path, (unsigned)(t->pos.line + 1), 1, "cannot read the trace: "
                     "%s (expected a readable file)", strerror(errno));
            return -1;
        }
    }
    t->buf_len += (size_t)got;
    t->buf[t->buf_len] = '\0';
    return got;
}

/* Finds the next line in the buffer, reading more of the file when it is
 * not all there: *line and *len get it (newline and a CR before it
 * removed), consumed from the buffer but without advancing t->pos (the
 * caller does once the line is accepted), so an error leaves the position
 * at the bad line. *consumed gets the line's bytes in the file. A line
 * longer than TRACE_MAX_LINE is an error whatever it holds; a shorter one
 * with a NUL byte is one at the NUL. 1 line read, 0 end of file, -1 error. */
static int read_line(struct trace_reader *t, const char **line, size_t *len,
                     size_t *consumed, struct diag *err)
{
    for (;;) {
        const char *start = t->buf + t->buf_at;
        size_t unread = t->buf_len - t->buf_at;
        const char *nl = memchr(start, '\n', unread);
        size_t n = nl ? (size_t)(nl - start) : unread;
        if (n > TRACE_MAX_LINE) {
            diag_set(err, t->path, (unsigned)(t->pos.line + 1), TRACE_MAX_LINE + 1,
                     "line is too long (expected at most %d bytes per line)",
                     TRACE_MAX_LINE);
            return -1;
        }
        if (nl == NULL) {
            long got = refill(t, err);
            if (got < 0)
                return -1;
            if (got > 0)
                continue;
            if (unread == 0)
                return 0;
            start = t->buf + t->buf_at;   /* a last line without a newline */
        }
        const char *nul = memchr(start, '\0', n);
        if (nul != NULL) {
            diag_set(err, t->path, (unsigned)(t->pos.line + 1), (unsigned)(nul - start + 1),
                     "NUL byte in the trace (expected a text file)");
            return -1;
        }
        *consumed = n + (nl != NULL);
        t->buf_at += *consumed;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        *line = start;
        *len = n;
        return 1;
    }
}

/* Keeps the first failure of a checked reader for trace_take_failure. */
static int failed(const struct trace_reader *t, const struct diag *err)
{
    if (t->checked && !failure_set && err != NULL) {
        failure = *err;
        failure_set = 1;
    }
    return -1;
}

/* The reader found the end of the file: for a checked trace that is wrong
 * before the accesses it held when it was counted. */
static int at_end(struct trace_reader *t, struct diag *err)
{
    if (check_unchanged(t, err) < 0)
        return failed(t, err);
    if (t->checked && t->pos.emitted < t->expected) {
        diag_set(err, t->path, (unsigned)(t->pos.line + 1), 1, "the trace ends after %lu "
                 "accesses (expected %llu, as when the scenario was loaded)",
                 t->pos.emitted, (unsigned long long)t->expected);
        return failed(t, err);
    }
    return 0;
}

/* How many pages the bytes of a record touch: 1 unless it has a size
 * that crosses a boundary of the reader's pages. */
static inline uint64_t pages_touched(const struct trace_reader *t, const struct trace_record *r)
{
    if (r->size <= 1 || t->page_size == 0)   /* the size first: two formats have none */
        return 1;
    /* Most records lie in one page: with pages of a power of two, that
     * takes no division to tell. */
    uint64_t mask = t->page_size - 1;
    if ((t->page_size & mask) == 0 && (r->value & mask) + (r->size - 1) <= mask)
        return 1;
    /* The parsers refused a record that runs past the top of the space. */
    return (r->value + (r->size - 1)) / t->page_size - r->value / t->page_size + 1;
}

/* Access number i of the record pending in t->pos: its pages in order (for
 * a modify, each page's load, then each page's store), each with the bytes
 * of the record that lie in it. */
static void pending_access(const struct trace_reader *t, uint64_t i, struct trace_access *out)
{
    const struct trace_pos *p = &t->pos;
    uint64_t end = p->pending_value + p->pending_size;   /* 0 at the top of the space */
    uint64_t pages = p->pending_modify ? p->pending_total / 2 : p->pending_total;
    uint64_t part = i % pages, start = p->pending_value, stop = end;
    if (pages > 1) {
        uint64_t page = p->pending_value / t->page_size + part;
        if (part > 0)
            start = page * t->page_size;
        if (part + 1 < pages)
            stop = (page + 1) * t->page_size;
    }
    *out = (struct trace_access){.kind = p->pending_modify && i >= pages ? 'W'
                                                                      : (char)p->pending_kind,
                                 .is_page = 0, .value = start, .size = (unsigned)(stop - start),
                                 .page_part = (unsigned)part,
                                 .record_size = (unsigned)p->pending_size, .line = p->line,
                                 .col = p->pending_col};
}

/* The format's quick parser (see "the quick parsers"), called by name so
 * that the compiler can put it in the reading loop. */
static inline int quick_line(const struct trace_reader *t, const char *p, size_t *used,
                             struct trace_record *out)
{
    int n = -1;
    switch (t->format) {
    case TRACE_PAGES:
        n = quick_pages(t, p, used, out);
        break;
    case TRACE_RW:
        n = quick_rw(p, used, out);
        break;
    case TRACE_LACKEY:
        n = quick_lackey(p, used, out);
        break;
    case TRACE_FORMAT_COUNT:
        break;
    }
    /* Blanks can stretch a line the quick parsers read past TRACE_MAX_LINE:
     * the careful parser then says it is too long, wherever it lies. */
    return n > 0 && *used > TRACE_MAX_LINE + 1 ? -1 : n;
}

/* The accesses of a line's record: each page it touches, twice for a
 * modify (0 for a line without one). */
static uint64_t record_accesses(const struct trace_reader *t, const struct trace_record *rec,
                                int n)
{
    return n > 0 ? (rec->modify + 1u) * pages_touched(t, rec) : 0;
}

/* 1 when total accesses more reach the last one the count found: the file
 * must then be checked for having grown. */
static int last_counted(const struct trace_reader *t, uint64_t total)
{
    return total > 0 && t->checked && t->pos.emitted + total >= t->expected;
}

/* Moves t->pos past a line of consumed bytes. */
static void pass_line(struct trace_reader *t, size_t consumed)
{
    t->pos.offset += (int64_t)consumed;
    t->pos.line++;
}

/* Reads on to the next line that holds a record and consumes it, advancing
 * t->pos past the line (but not its accesses: the caller counts those).
 * Returns 1 with the record in *rec and the number of accesses it holds
 * (each page it touches, twice for a modify) in *total; 0 at the end of the
 * trace; -1 with *err set on a bad line, a read error or a file that
 * changed, the reader then left at the bad line. The limit is the
 * caller's. */
static int next_record(struct trace_reader *t, struct trace_record *rec, uint64_t *total,
                       struct diag *err)
{
    for (;;) {
        size_t consumed;
        /* Most lines are read where they lie by the quick parser; any
         * other, and the line a block boundary cuts, by the careful one. */
        int n = quick_line(t, t->buf + t->buf_at, &consumed, rec);
        if (n > 0) {
            t->buf_at += consumed;
        } else {
            const char *line;
            size_t len;
            int r = read_line(t, &line, &len, &consumed, err);
            if (r <= 0) {
                if (r < 0) {
                    rewind_to_pos(t, t->pos.offset);
                    return failed(t, err);
                }
                return at_end(t, err);
            }
            n = t->ops->parse(t, line, len, rec, err);
            if (n < 0) {
                rewind_to_pos(t, t->pos.offset);
                return failed(t, err);
            }
        }
        *total = record_accesses(t, rec, n);
        /* The last access the count found: the file must not have grown. */
        if (last_counted(t, *total) && check_unchanged(t, err) < 0) {
            rewind_to_pos(t, t->pos.offset);
            return failed(t, err);
        }
        pass_line(t, consumed);
        if (*total > 0)
            return 1;
    }
}

/* next_record, with its common case put in the loops that read every line
 * rather than called: a line the quick parser reads whose accesses stop
 * short of the last the count found. */
static inline int next_record_inline(struct trace_reader *t, struct trace_record *rec,
                                     uint64_t *total, struct diag *err)
{
    size_t consumed;

    if (quick_line(t, t->buf + t->buf_at, &consumed, rec) > 0) {
        *total = record_accesses(t, rec, 1);
        if (!last_counted(t, *total)) {
            t->buf_at += consumed;
            pass_line(t, consumed);
            return 1;
        }
    }
    return next_record(t, rec, total, err);
}

int trace_next(struct trace_reader *t, struct trace_access *out, struct diag *err)
{
    if (t->limit != 0 && t->pos.emitted >= t->limit)
        return 0;
    if (t->pos.pending_next < t->pos.pending_total) {
        pending_access(t, t->pos.pending_next++, out);
        if (t->pos.pending_next == t->pos.pending_total)
            t->pos.pending_next = t->pos.pending_total = 0;
        t->pos.emitted++;
        return 1;
    }
    struct trace_record rec;
    uint64_t total;
    int r = next_record_inline(t, &rec, &total, err);
    if (r <= 0)
        return r;
    if (total == 1) {
        *out = (struct trace_access){.kind = rec.kind, .is_page = t->format == TRACE_PAGES,
                                     .value = rec.value, .size = rec.size,
                                     .record_size = rec.size, .line = t->pos.line,
                                     .col = rec.col};
    } else {
        t->pos.pending_total = total;
        t->pos.pending_value = rec.value;
        t->pos.pending_size = rec.size;
        t->pos.pending_col = rec.col;
        t->pos.pending_kind = (unsigned char)rec.kind;
        t->pos.pending_modify = rec.modify;
        pending_access(t, 0, out);
        t->pos.pending_next = 1;
    }
    t->pos.emitted++;
    return 1;
}

size_t trace_next_run(struct trace_reader *t, struct trace_run_access *out, size_t max)
{
    if (t->pos.pending_total != 0)
        return 0;
    if (t->limit != 0)
        max = t->pos.emitted >= t->limit ? 0
            : t->limit - t->pos.emitted < max ? (size_t)(t->limit - t->pos.emitted) : max;
    /* The last access the count found is trace_next's, which checks the
     * file then. */
    if (t->checked) {
        if (t->pos.emitted + 1 >= t->expected)
            return 0;
        if (t->expected - 1 - t->pos.emitted < max)
            max = (size_t)(t->expected - 1 - t->pos.emitted);
    }
    size_t got = 0, at = t->buf_at;
    struct trace_record rec;
    size_t consumed;
    int rw = t->format == TRACE_RW;
    /* What next_record_inline takes without a call; anything else (a line
     * the quick parser leaves, a record of more than one access) stops the
     * run before it. The position moves once, at the end. */
    while (got < max) {
        if (rw && (consumed = quick_rw_common(t->buf + at, &out[got])) > 0) {
            at += consumed;
            got++;
            continue;
        }
        if (quick_line(t, t->buf + at, &consumed, &rec) <= 0 || rec.modify != 0 ||
            pages_touched(t, &rec) != 1)
            break;
        at += consumed;
        out[got++] = (struct trace_run_access){.value = rec.value, .size = rec.size,
                                               .line_bytes = (uint16_t)consumed,
                                               .kind = rec.kind};
    }
    t->pos.offset += (int64_t)(at - t->buf_at);
    t->pos.line += got;
    t->pos.emitted += got;
    t->buf_at = at;
    return got;
}

void trace_run_tell(const struct trace_pos *from, const struct trace_run_access *run, size_t k,
                    struct trace_pos *out)
{
    /* Each access of a run is a line of its own, and none is pending. */
    *out = *from;
    for (size_t i = 0; i < k; i++)
        out->offset += run[i].line_bytes;
    out->line += k;
    out->emitted += k;
}

void trace_tell(const struct trace_reader *t, struct trace_pos *pos)
{
    *pos = t->pos;
}

int trace_is_at(const struct trace_reader *t, const struct trace_pos *pos)
{
    /* On one file these three tell positions apart: the line is the one
     * the offset begins, and the pending record, the one before it, is
     * read only while pending_next is below its total (both 0 otherwise,
     * the rest of it then stale). */
    return t->pos.offset == pos->offset && t->pos.emitted == pos->emitted &&
           t->pos.pending_next == pos->pending_next;
}

int trace_seek(struct trace_reader *t, const struct trace_pos *pos)
{
    /* Back to a line of the block in hand (where a run cut short leaves
     * its cursor, at every snapshot or stop inside it): its bytes are
     * still in the buffer, whose unread part begins at t->pos.offset, so
     * only the read position moves; the file is not read again. */
    int64_t back = t->pos.offset - pos->offset;
    if (pos->offset >= 0 && back >= 0 && (uint64_t)back <= t->buf_at) {
        t->buf_at -= (size_t)back;
        t->pos = *pos;
        return 0;
    }
    if (pos->offset < 0 || rewind_to_pos(t, pos->offset) != 0) {
        struct diag err;
        diag_set(&err, t->path, (unsigned)(pos->line + 1), 1, "cannot read the trace again "
                 "from this line (expected a file that can be read from any line)");
        rewind_to_pos(t, t->pos.offset);
        return failed(t, &err);
    }
    t->pos = *pos;
    return 0;
}

void trace_close(struct trace_reader *t)
{
    if (t == NULL)
        return;
    trace_gzip_close(t->gz);
    fclose(t->fp);
    free(t->path);
    free(t);
}

int trace_count(const char *path, enum trace_format fmt, unsigned long limit,
                uint64_t page_size, uint64_t max, struct trace_census *census,
                struct diag *err)
{
    struct trace_reader *t = open_reader(path, fmt, limit, page_size, 0, err);
    struct trace_record rec;
    uint64_t total;
    int r = 1;

    memset(census, 0, sizeof *census);
    if (t == NULL)
        return -1;
    t->max_page = max_page_for(page_size);
    /* A record at a time, counted as trace_next would give its accesses:
     * the limit cuts the last record short, and past max (where counting
     * its accesses one by one would stop) the count is max + 1. Common
     * lines are counted in runs that stop short of max and the limit (the
     * census, not the reader's position, counts what came before them); a
     * pages trace's one by one, for its largest page. */
    struct trace_run_access run[256];
    const size_t run_max = sizeof run / sizeof run[0];
    while ((limit == 0 || census->count < limit)) {
        uint64_t room = max - census->count;
        if (limit != 0 && limit - census->count < room)
            room = limit - census->count;
        size_t n = fmt == TRACE_PAGES ? 0
                 : trace_next_run(t, run, room < run_max ? (size_t)room : run_max);
        census->count += n;
        if (n > 0)
            continue;
        if ((r = next_record_inline(t, &rec, &total, err)) <= 0)
            break;
        if (fmt == TRACE_PAGES && (census->count == 0 || rec.value > census->max_page)) {
            census->max_page = rec.value;
            census->max_page_line = t->pos.line;
            census->max_page_col = rec.col;
        }
        census->count += total;
        if (limit != 0 && census->count > limit)
            census->count = limit;
        if (census->count > max) {
            census->count = max + 1;
            break;
        }
    }
    /* Only a count of the whole file describes it: one cut short at max
     * is an error for the caller anyway. */
    if (r >= 0 && census->count <= max)
        counted_remember(path, fmt, limit, page_size, &t->stamp, census->count);
    trace_close(t);
    return r < 0 ? -1 : 0;
}
