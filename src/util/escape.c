/* Untrusted text made safe to show: see escape.h. */
#include "util/escape.h"

#include <string.h>

static int is_continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

struct escape_unit escape_next(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char b = p[0];
    struct escape_unit u = {ESCAPE_INVALID, b, 1};
    /* The range the second byte must fall in depends on the first, which is
     * what rules out overlong forms, surrogates and code points past
     * U+10FFFF (RFC 3629, section 4). */
    unsigned char low = 0x80, high = 0xbf;
    size_t need;
    uint32_t code;

    if (b < 0x80) {
        u.kind = (b < 0x20 || b == 0x7f) ? ESCAPE_CONTROL : ESCAPE_PLAIN;
        return u;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        need = 2;
        code = b & 0x1fu;
    } else if (b >= 0xe0 && b <= 0xef) {
        need = 3;
        code = b & 0x0fu;
        if (b == 0xe0)
            low = 0xa0;
        else if (b == 0xed)
            high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        need = 4;
        code = b & 0x07u;
        if (b == 0xf0)
            low = 0x90;
        else if (b == 0xf4)
            high = 0x8f;
    } else {
        return u;
    }
    if (len < need || p[1] < low || p[1] > high)
        return u;
    for (size_t i = 1; i < need; i++) {
        if (!is_continuation(p[i]))
            return u;
        code = code << 6 | (p[i] & 0x3fu);
    }
    u.kind = code <= 0x9f ? ESCAPE_CONTROL : ESCAPE_PLAIN;
    u.code = code;
    u.bytes = need;
    return u;
}

static const char hex_digits[] = "0123456789abcdef";

size_t escape_unit_form(const char *s, struct escape_unit u, char out[ESCAPE_UNIT_MAX])
{
    if (u.kind == ESCAPE_PLAIN) {
        memcpy(out, s, u.bytes);
        return u.bytes;
    }
    out[0] = '\\';
    if (u.kind == ESCAPE_CONTROL && u.code >= 0x80) {
        /* A C1 control is a character: its code point, not its bytes. */
        memcpy(out + 1, "u00", 3);
        out[4] = hex_digits[u.code >> 4 & 0xf];
        out[5] = hex_digits[u.code & 0xf];
        return 6;
    }
    if (u.kind == ESCAPE_CONTROL) {
        static const char letters[] = {[7] = 'a', [8] = 'b', [9] = 't', [10] = 'n',
                                       [11] = 'v', [12] = 'f', [13] = 'r', [27] = 'e'};
        if (u.code < sizeof letters && letters[u.code]) {
            out[1] = letters[u.code];
            return 2;
        }
    }
    out[1] = 'x';
    out[2] = hex_digits[u.code >> 4 & 0xf];
    out[3] = hex_digits[u.code & 0xf];
    return 4;
}

/* The visible form of the unit u at s, honouring flags. */
static size_t form_of(const char *s, struct escape_unit u, unsigned flags,
                      char out[ESCAPE_UNIT_MAX])
{
    if (flags & ESCAPE_KEEP_NEWLINES && u.kind == ESCAPE_CONTROL && u.code == '\n') {
        out[0] = '\n';
        return 1;
    }
    return escape_unit_form(s, u, out);
}

size_t escape_text(char *out, size_t size, const char *s, unsigned flags)
{
    size_t need = 0, written = 0, len = s ? strlen(s) : 0;
    int room = size > 0;   /* cleared by the first unit that does not fit */

    for (size_t i = 0; i < len;) {
        struct escape_unit u = escape_next(s + i, len - i);
        char form[ESCAPE_UNIT_MAX];
        size_t n = form_of(s + i, u, flags, form);
        if (room && written + n < size) {
            memcpy(out + written, form, n);
            written += n;
        } else {
            room = 0;
        }
        need += n;
        i += u.bytes;
    }
    if (size > 0)
        out[written] = '\0';
    return need;
}

int escape_fputs(const char *s, FILE *fp)
{
    size_t len = s ? strlen(s) : 0, plain = 0;

    /* Runs of plain characters go out in one call. */
    for (size_t i = 0; i < len;) {
        struct escape_unit u = escape_next(s + i, len - i);
        if (u.kind == ESCAPE_PLAIN) {
            i += u.bytes;
            continue;
        }
        char form[ESCAPE_UNIT_MAX];
        size_t n = escape_unit_form(s + i, u, form);
        if ((i > plain && fwrite(s + plain, 1, i - plain, fp) != i - plain)
            || fwrite(form, 1, n, fp) != n)
            return EOF;
        i += u.bytes;
        plain = i;
    }
    if (len > plain && fwrite(s + plain, 1, len - plain, fp) != len - plain)
        return EOF;
    return 0;
}
