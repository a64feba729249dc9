/* Text → value parsers: see value.h. */
#include "util/value.h"

#include <string.h>

static int digit_value(char c, unsigned base)
{
    int v;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return (unsigned)v < base ? v : -1;
}

enum value_status value_parse_number(const char *s, size_t len, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    uint64_t v = 0;
    int overflow = 0, digits = 0, prev_digit = 0;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, i = 2;
    else if (len >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, i = 2;
    for (; i < len; i++) {
        if (s[i] == '_') {
            /* Only between two digits, so "1__0", "_1" and "1_" stay errors. */
            if (!prev_digit || i + 1 >= len || digit_value(s[i + 1], base) < 0)
                return VALUE_SYNTAX;
            prev_digit = 0;
            continue;
        }
        int d = digit_value(s[i], base);
        if (d < 0)
            return VALUE_SYNTAX;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            overflow = 1;
        else
            v = v * base + (uint64_t)d;
        digits++;
        prev_digit = 1;
    }
    if (digits == 0)
        return VALUE_SYNTAX;
    if (overflow)
        return VALUE_OVERFLOW;
    *out = v;
    return VALUE_OK;
}

size_t value_number_length(const char *s, size_t len)
{
    unsigned base = 10;
    size_t i = 0;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, i = 2;
    else if (len >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, i = 2;
    while (i < len && (s[i] == '_' || digit_value(s[i], base) >= 0))
        i++;
    return i;
}

enum value_status value_parse_size(const char *s, size_t len, uint64_t *out)
{
    static const struct { const char *name; unsigned shift; } suffixes[] = {
        {"KiB", 10}, {"K", 10}, {"MiB", 20}, {"M", 20},
        {"GiB", 30}, {"G", 30}, {"TiB", 40}, {"T", 40},
    };
    size_t end = 0;
    unsigned shift = 0;
    int hex = len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    uint64_t v;

    /* The number ends where its digits end. In hex, B is a digit, but no
     * suffix starts with B, so "0x1B" is 27 and "0x1KiB" is 1024. */
    if (hex)
        end = 2;
    while (end < len && (s[end] == '_' || digit_value(s[end], hex ? 16 : 10) >= 0
                         || (!hex && end == 1 && (s[1] == 'b' || s[1] == 'B')
                             && s[0] == '0')))
        end++;
    size_t num_end = end;
    while (end < len && s[end] == ' ')
        end++;
    if (end < len) {
        size_t i;
        for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            size_t sl = strlen(suffixes[i].name);
            if (len - end == sl && memcmp(s + end, suffixes[i].name, sl) == 0)
                break;
        }
        if (i == sizeof suffixes / sizeof suffixes[0])
            return VALUE_SYNTAX;
        shift = suffixes[i].shift;
    } else if (end != num_end) {
        return VALUE_SYNTAX;   /* trailing spaces without a suffix */
    }
    enum value_status st = value_parse_number(s, num_end, &v);
    if (st != VALUE_OK)
        return st;
    if (shift > 0 && v > (UINT64_MAX >> shift))
        return VALUE_OVERFLOW;
    *out = v << shift;
    return VALUE_OK;
}

enum value_status value_parse_prot(const char *s, size_t len, unsigned *out)
{
    static const char letters[3] = {'r', 'w', 'x'};
    unsigned prot = 0;

    if (len != 3)
        return VALUE_SYNTAX;
    for (unsigned i = 0; i < 3; i++) {
        if (s[i] == letters[i])
            prot |= 1u << i;
        else if (s[i] != '-')
            return VALUE_SYNTAX;
    }
    *out = prot;
    return VALUE_OK;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int value_is_name(const char *s, size_t len)
{
    if (len == 0 || !is_alpha(s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '.')
            return 0;
    return 1;
}
