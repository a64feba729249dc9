/* A reader of asciicast v2 files written from the format, not from the
 * writer: see cast_check.h. A small JSON parser of its own, over one line
 * at a time. */
#include "cast_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

/* JSON nesting deeper than this in a header is refused (a header is flat). */
#define MAX_DEPTH 8

struct cursor {
    const char *p, *end;
    char *why;
    size_t why_len;
    unsigned long line;
    /* The decoded bytes of the last string read. */
    char *buf;
    size_t len, cap;
};

static bool fail(struct cursor *c, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(c->why, c->why_len, "line %lu: %s", c->line, what);
    return false;
}

static void skip_blanks(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

static bool expect(struct cursor *c, char ch)
{
    skip_blanks(c);
    if (c->p >= c->end || *c->p != ch)
        return fail(c, "expected '%c'", ch);
    c->p++;
    return true;
}

static bool put_bytes(struct cursor *c, const char *bytes, size_t n)
{
    if (c->len + n > c->cap) {
        size_t cap = (c->len + n) * 2 + 64;
        char *grown = realloc(c->buf, cap);
        if (!grown)
            return fail(c, "out of memory");
        c->buf = grown;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, bytes, n);
    c->len += n;
    return true;
}

static bool put_code_point(struct cursor *c, unsigned long u)
{
    char b[4];
    size_t n;
    if (u < 0x80) {
        b[0] = (char)u;
        n = 1;
    } else if (u < 0x800) {
        b[0] = (char)(0xc0 | (u >> 6));
        b[1] = (char)(0x80 | (u & 0x3f));
        n = 2;
    } else if (u < 0x10000) {
        b[0] = (char)(0xe0 | (u >> 12));
        b[1] = (char)(0x80 | ((u >> 6) & 0x3f));
        b[2] = (char)(0x80 | (u & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (u >> 18));
        b[1] = (char)(0x80 | ((u >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((u >> 6) & 0x3f));
        b[3] = (char)(0x80 | (u & 0x3f));
        n = 4;
    }
    return put_bytes(c, b, n);
}

static bool read_hex4(struct cursor *c, unsigned long *u)
{
    if (c->end - c->p < 4)
        return fail(c, "\\u needs four hex digits");
    *u = 0;
    for (int i = 0; i < 4; i++) {
        char h = *c->p++;
        unsigned d = h >= '0' && h <= '9' ? (unsigned)(h - '0')
                   : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                   : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10) : 16u;
        if (d == 16)
            return fail(c, "\\u needs four hex digits");
        *u = *u * 16 + d;
    }
    return true;
}

/* A JSON string, decoded into c->buf[0..c->len). */
static bool read_string(struct cursor *c)
{
    c->len = 0;
    if (!expect(c, '"'))
        return false;
    while (c->p < c->end && *c->p != '"') {
        unsigned char b = (unsigned char)*c->p;
        if (b < 0x20)
            return fail(c, "a raw control character 0x%02x in a string", b);
        if (b != '\\') {
            struct escape_unit u = escape_next(c->p, (size_t)(c->end - c->p));
            if (u.kind == ESCAPE_INVALID)
                return fail(c, "a byte that is not UTF-8 (0x%02x) in a string", b);
            if (!put_bytes(c, c->p, u.bytes))
                return false;
            c->p += u.bytes;
            continue;
        }
        if (++c->p >= c->end)
            return fail(c, "a string ends in a backslash");
        char e = *c->p++;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k) {
            if (!put_bytes(c, &to[k - from], 1))
                return false;
            continue;
        }
        if (e != 'u')
            return fail(c, "an unknown escape \\%c", e);
        unsigned long u, low;
        if (!read_hex4(c, &u))
            return false;
        if (u >= 0xdc00 && u <= 0xdfff)
            return fail(c, "a lone low surrogate \\u%04lx", u);
        if (u >= 0xd800 && u <= 0xdbff) {
            if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
                return fail(c, "a high surrogate without its low one");
            c->p += 2;
            if (!read_hex4(c, &low) || low < 0xdc00 || low > 0xdfff)
                return fail(c, "a high surrogate without its low one");
            u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
        }
        if (!put_code_point(c, u))
            return false;
    }
    if (c->p >= c->end)
        return fail(c, "a string is not closed");
    c->p++;
    return true;
}

/* A JSON number, by its grammar (no leading zeros, no '+', no bare '.'). */
static bool read_number(struct cursor *c, double *out)
{
    skip_blanks(c);
    const char *start = c->p;
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (c->p < c->end && *c->p >= '1' && *c->p <= '9')
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    else
        return fail(c, "expected a number");
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return fail(c, "expected digits after '.'");
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return fail(c, "expected digits in an exponent");
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    }
    char tmp[64];
    size_t n = (size_t)(c->p - start);
    if (n >= sizeof tmp)
        return fail(c, "a number too long");
    memcpy(tmp, start, n);
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    return true;
}

static bool read_value(struct cursor *c, int depth);

static bool read_word(struct cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return fail(c, "expected a JSON value");
    c->p += n;
    return true;
}

/* Any JSON value, checked and passed over. */
static bool read_value(struct cursor *c, int depth)
{
    skip_blanks(c);
    if (c->p >= c->end)
        return fail(c, "expected a JSON value");
    if (depth > MAX_DEPTH)
        return fail(c, "nested too deep");
    double d;
    switch (*c->p) {
    case '"':
        return read_string(c);
    case 't':
        return read_word(c, "true");
    case 'f':
        return read_word(c, "false");
    case 'n':
        return read_word(c, "null");
    case '[':
    case '{': {
        char close = *c->p == '[' ? ']' : '}';
        bool object = close == '}';
        c->p++;
        skip_blanks(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return true;
        }
        for (;;) {
            if (object && (!read_string(c) || !expect(c, ':')))
                return false;
            if (!read_value(c, depth + 1))
                return false;
            skip_blanks(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            return expect(c, close);
        }
    }
    default:
        return read_number(c, &d);
    }
}

/* Nothing but blanks up to the end of the line. */
static bool at_line_end(struct cursor *c)
{
    skip_blanks(c);
    return c->p == c->end || fail(c, "something after the JSON value");
}

static bool read_header(struct cursor *c, struct cast_info *info)
{
    if (!expect(c, '{'))
        return false;
    skip_blanks(c);
    if (c->p < c->end && *c->p == '}')
        return fail(c, "an empty header");
    for (;;) {
        if (!read_string(c) || !expect(c, ':'))
            return false;
        static const char *const keys[] = {"version", "width", "height", "timestamp"};
        long long *fields[] = {&info->version, &info->width, &info->height, &info->timestamp};
        bool *has[] = {&info->has_version, &info->has_width, &info->has_height,
                       &info->has_timestamp};
        int known = -1;
        for (int k = 0; k < 4; k++)
            if (c->len == strlen(keys[k]) && memcmp(c->buf, keys[k], c->len) == 0)
                known = k;
        if (known >= 0) {
            double d;
            if (*has[known])
                return fail(c, "\"%s\" twice", keys[known]);
            if (!read_number(c, &d))
                return false;
            if (d != (double)(long long)d)
                return fail(c, "\"%s\" is not a whole number", keys[known]);
            *fields[known] = (long long)d;
            *has[known] = true;
        } else if (!read_value(c, 1)) {
            return false;
        }
        skip_blanks(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (!expect(c, '}'))
            return false;
        break;
    }
    if (!at_line_end(c))
        return false;
    if (!info->has_version || info->version != 2)
        return fail(c, "the header has no \"version\": 2");
    if (!info->has_width || !info->has_height || info->width < 1 || info->height < 1)
        return fail(c, "the header has no positive \"width\" and \"height\"");
    return true;
}

static bool read_event(struct cursor *c, struct cast_info *info, cast_output_fn on_output,
                       void *ctx)
{
    double t;
    if (!expect(c, '[') || !read_number(c, &t) || !expect(c, ','))
        return false;
    if (t < 0 || t < info->last_time)
        return fail(c, "the time %f goes back (the last was %f)", t, info->last_time);
    info->last_time = t;
    if (!read_string(c))
        return false;
    char type = c->len == 1 ? c->buf[0] : '\0';
    if (type != 'o' && type != 'r' && type != 'i' && type != 'm')
        return fail(c, "an unknown event type (expected o, r, i or m)");
    if (!expect(c, ',') || !read_string(c) || !expect(c, ']') || !at_line_end(c))
        return false;
    if (type == 'o') {
        info->outputs++;
        if (on_output)
            on_output(ctx, c->buf, c->len);
    } else if (type == 'r') {
        unsigned cols, rows;
        char tail;
        char size[32];
        if (c->len >= sizeof size)
            return fail(c, "a resize is not COLSxROWS");
        memcpy(size, c->buf, c->len);
        size[c->len] = '\0';
        if (sscanf(size, "%ux%u%c", &cols, &rows, &tail) != 2 || cols == 0 || rows == 0)
            return fail(c, "a resize is not COLSxROWS");
        info->resizes++;
    }
    return true;
}

bool cast_check(const char *text, size_t len, struct cast_info *info, cast_output_fn on_output,
                void *ctx, char *why, size_t why_len)
{
    memset(info, 0, sizeof *info);
    struct cursor c = {.why = why, .why_len = why_len};
    bool ok = true;
    const char *p = text, *end = text + len;
    if (len == 0 || text[len - 1] != '\n') {
        c.line = 1;
        free(c.buf);
        return fail(&c, "the file does not end with a line break");
    }
    while (ok && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        c.line++;
        c.p = p;
        c.end = nl;
        ok = c.line == 1 ? read_header(&c, info) : read_event(&c, info, on_output, ctx);
        p = nl + 1;
    }
    free(c.buf);
    return ok;
}
