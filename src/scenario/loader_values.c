/* One value of a scenario: numbers, sizes, flags, strings, names, prot
 * strings, address expressions and pids, each read from one scalar with
 * the shape it must have. See loader_internal.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "scenario/loader_internal.h"
#include "util/diag.h"
#include "util/value.h"

static const char number_expected[] = "a number: decimal, 0x hex or 0b binary";
const char ld_size_expected[] = "a size like 4096, 16KiB or 2MiB";
const char ld_prot_expected[] =
    "3 characters like r-x: r or -, then w or -, then x or -";
static const char name_expected[] =
    "a name of letters, digits, '_' and '.', starting with a letter or '_'";

int ld_get_number(struct loader *ld, const yaml_node_t *n, const char *label,
                  struct scenario_num *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (ld_scalar_text(ld, n, label, number_expected, &text, &len) < 0)
        return -1;
    switch (value_parse_number(text, len, &out->value)) {
    case VALUE_OK:
        break;
    case VALUE_OVERFLOW:
        return ld_fail_type(ld, n, label, "a number below 2^64");
    default:
        return ld_fail_type(ld, n, label, number_expected);
    }
    out->present = 1;
    out->pos = ld_pos(n);
    return 0;
}

/* A number in [min, max]; expected describes the range for messages. */
int ld_get_number_in(struct loader *ld, const yaml_node_t *n, const char *label,
                     uint64_t min, uint64_t max, const char *expected,
                     struct scenario_num *out)
{
    if (ld_get_number(ld, n, label, out) < 0)
        return -1;
    if (out->value < min || out->value > max)
        return ld_fail_type(ld, n, label, expected);
    return 0;
}

int ld_get_size(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_num *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (ld_scalar_text(ld, n, label, ld_size_expected, &text, &len) < 0)
        return -1;
    switch (value_parse_size(text, len, &out->value)) {
    case VALUE_OK:
        break;
    case VALUE_OVERFLOW:
        return ld_fail_type(ld, n, label, "a size below 2^64 bytes");
    default:
        return ld_fail_type(ld, n, label, ld_size_expected);
    }
    out->present = 1;
    out->pos = ld_pos(n);
    return 0;
}

int ld_get_positive_size(struct loader *ld, const yaml_node_t *n, const char *label,
                         struct scenario_num *out)
{
    if (ld_get_size(ld, n, label, out) < 0)
        return -1;
    if (out->value == 0)
        return ld_fail_type(ld, n, label, "a size greater than 0");
    return 0;
}

int ld_get_flag(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_flag *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (ld_scalar_text(ld, n, label, "true or false", &text, &len) < 0)
        return -1;
    if (strcmp(text, "true") == 0)
        out->value = 1;
    else if (strcmp(text, "false") == 0)
        out->value = 0;
    else
        return ld_fail_type(ld, n, label, "true or false");
    out->present = 1;
    out->pos = ld_pos(n);
    return 0;
}

int ld_get_string(struct loader *ld, const yaml_node_t *n, const char *label,
                  const char *expected, struct scenario_str *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (ld_scalar_text(ld, n, label, expected, &text, &len) < 0)
        return -1;
    if ((out->value = ld_scalar_copy(ld, n)) == NULL)
        return ld_fail_oom(ld, n);
    out->present = 1;
    out->pos = ld_pos(n);
    return 0;
}

/* A name that address expressions can use ("buf", "libc.so"). */
int ld_get_name(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_str *out)
{
    if (ld_get_string(ld, n, label, name_expected, out) < 0)
        return -1;
    if (!value_is_name(out->value, strlen(out->value)))
        return ld_fail_type(ld, n, label, name_expected);
    return 0;
}

int ld_get_prot(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_num *out)
{
    const char *text = NULL;
    size_t len = 0;
    unsigned prot;

    if (ld_scalar_text(ld, n, label, ld_prot_expected, &text, &len) < 0)
        return -1;
    if (value_parse_prot(text, len, &prot) != VALUE_OK)
        return ld_fail_type(ld, n, label, ld_prot_expected);
    out->present = 1;
    out->value = prot;
    out->pos = ld_pos(n);
    return 0;
}

/* A name that must already be an area (a process's or a kernel one) or
 * an earlier mmap. *out is the
 * stored copy of the name. */
int ld_lookup_symbol(struct loader *ld, const yaml_node_t *n, const char *name,
                     const char **out)
{
    char expected[DIAG_MESSAGE_MAX];

    if ((*out = nameset_find(&ld->symbols, name)) != NULL)
        return 0;
    return ld_fail_at(ld, ld_pos(n), "unknown area '%.*s' (%s)", DIAG_QUOTE_MAX, name,
                      diag_expected_hint(expected, sizeof expected, "the name of a process "
                                         "area, of a kernel area or of an earlier mmap",
                                         nameset_suggest(&ld->symbols, name)));
}

const char ld_addr_expected[] =
    "an address: a number, an area name, or name+number or name-number";

/* An address expression: NUMBER | NAME | NAME + NUMBER | NAME - NUMBER,
 * spaces allowed around the sign. */
int ld_get_addr(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_addr *out)
{
    const char *text = NULL;
    size_t len = 0, i = 0, end;
    uint64_t v;

    if (ld_scalar_text(ld, n, label, ld_addr_expected, &text, &len) < 0)
        return -1;
    out->present = 1;
    out->pos = ld_pos(n);
    out->symbol = NULL;
    out->offset = 0;
    if (len > 0 && text[0] >= '0' && text[0] <= '9') {
        switch (value_parse_number(text, len, &v)) {
        case VALUE_OK:
            /* Kept as its bit pattern; scenario_addr_absolute undoes this. */
            out->offset = v > (uint64_t)INT64_MAX ? -(int64_t)(UINT64_MAX - v) - 1
                                                  : (int64_t)v;
            return 0;
        case VALUE_OVERFLOW:
            return ld_fail_type(ld, n, label, "an address below 2^64");
        default:
            return ld_fail_type(ld, n, label, ld_addr_expected);
        }
    }
    end = 0;
    while (end < len && text[end] != ' ' && text[end] != '+' && text[end] != '-')
        end++;
    if (!value_is_name(text, end))
        return ld_fail_type(ld, n, label, ld_addr_expected);
    i = end;
    while (i < len && text[i] == ' ')
        i++;
    if (i < len) {
        int negative = text[i] == '-';
        if (text[i] != '+' && text[i] != '-')
            return ld_fail_type(ld, n, label, ld_addr_expected);
        i++;
        while (i < len && text[i] == ' ')
            i++;
        enum value_status st = value_parse_number(text + i, len - i, &v);
        if (st == VALUE_SYNTAX)
            return ld_fail_type(ld, n, label, ld_addr_expected);
        if (st == VALUE_OVERFLOW || v > (uint64_t)INT64_MAX + negative)
            return ld_fail_type(ld, n, label, "an offset of at most 2^63-1 from the name");
        out->offset = negative ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
                               : (int64_t)v;
    }
    char name[SCENARIO_MAX_STRING + 1];
    memcpy(name, text, end);
    name[end] = '\0';
    return ld_lookup_symbol(ld, n, name, &out->symbol);
}

/* An optional number: absent leaves *out absent. */
int ld_opt_number(struct loader *ld, const yaml_node_t *n, const char *label,
                  struct scenario_num *out)
{
    return n == NULL ? 0 : ld_get_number(ld, n, label, out);
}

/* A pid. The engine keeps pids in 32 bits and reads 0 as "the running
 * process", so anything else would quietly become another process. */
int ld_get_pid(struct loader *ld, const yaml_node_t *n, const char *label,
               struct scenario_num *out)
{
    char expected[48];

    snprintf(expected, sizeof expected, "a pid from 1 to %u", SCENARIO_MAX_PID);
    return ld_get_number_in(ld, n, label, 1, SCENARIO_MAX_PID, expected, out);
}

/* An optional pid: absent leaves *out absent. */
int ld_opt_pid(struct loader *ld, const yaml_node_t *n, const char *label,
               struct scenario_num *out)
{
    return n == NULL ? 0 : ld_get_pid(ld, n, label, out);
}
