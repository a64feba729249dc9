/* The loader's ground floor: errors at a node's position, the node budget
 * that aliases are paid from, scalars and their text, and mappings with
 * known keys. See loader_internal.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "scenario/loader_internal.h"
#include "util/arena.h"
#include "util/diag.h"

/* ---- errors ----------------------------------------------------------- */

struct scenario_pos ld_pos(const yaml_node_t *n)
{
    return (struct scenario_pos){(unsigned)n->start_mark.line + 1,
                                 (unsigned)n->start_mark.column + 1};
}

int ld_fail_at(struct loader *ld, struct scenario_pos p, const char *fmt, ...)
{
    char msg[sizeof ld->err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_set(ld->err, ld->file, p.line, p.col, "%s", msg);
    return -1;
}

int ld_fail_oom(struct loader *ld, const yaml_node_t *n)
{
    return ld_fail_at(ld, ld_pos(n), "out of memory (expected a smaller scenario)");
}

/* ---- nodes ------------------------------------------------------------ */

yaml_node_t *ld_node(struct loader *ld, int index)
{
    return yaml_document_get_node(&ld->doc, index);
}

static size_t node_index(const struct loader *ld, const yaml_node_t *n)
{
    return (size_t)(n - ld->doc.nodes.start);
}

size_t ld_items(const yaml_node_t *n)
{
    if (n->type == YAML_SEQUENCE_NODE)
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (n->type == YAML_MAPPING_NODE)
        return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    return 0;
}

/* Pays for visiting container n and its direct children. */
int ld_charge(struct loader *ld, const yaml_node_t *n)
{
    size_t cost = 1 + ld_items(n);

    if (cost > SCENARIO_MAX_NODES - ld->visits)
        return ld_fail_at(ld, ld_pos(n), "too many YAML nodes once aliases are expanded "
                          "(expected at most %lu; is an alias repeated too often?)",
                          SCENARIO_MAX_NODES);
    ld->visits += cost;
    return 0;
}

int ld_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0
           || strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* What a node is, for "'x' is WHAT (expected ...)" messages. */
const char *ld_describe(const yaml_node_t *n, char *buf, size_t size)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return ld_items(n) == 0 ? "an empty list" : "a list";
    if (ld_is_null(n))
        return "empty";
    size_t len = n->data.scalar.length, shown = len < DIAG_QUOTE_MAX ? len : DIAG_QUOTE_MAX;
    const unsigned char *v = n->data.scalar.value;
    size_t o = 0;
    /* The text as written: diag_print shows its control characters escaped.
     * A character cut in two would print as stray bytes, so the quote stops
     * before one. */
    while (shown < len && shown > 0 && (v[shown] & 0xc0) == 0x80)
        shown--;
    buf[o++] = '\'';
    for (size_t i = 0; i < shown && o + 5 < size; i++)
        buf[o++] = (char)v[i];
    if (shown < len && o + 5 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

int ld_fail_type(struct loader *ld, const yaml_node_t *n, const char *label,
                 const char *expected)
{
    char buf[DIAG_QUOTE_MAX + 8];

    return ld_fail_at(ld, ld_pos(n), "%s is %s (expected %s)", label,
                      ld_describe(n, buf, sizeof buf), expected);
}

/* The text of scalar n (the document's own bytes, valid during the load). */
int ld_scalar_text(struct loader *ld, const yaml_node_t *n, const char *label,
                   const char *expected, const char **text, size_t *len)
{
    if (n->type != YAML_SCALAR_NODE || ld_is_null(n))
        return ld_fail_type(ld, n, label, expected);
    if (n->data.scalar.length > SCENARIO_MAX_STRING)
        return ld_fail_at(ld, ld_pos(n), "%s is too long, %zu bytes (expected at most %u)",
                          label, n->data.scalar.length, SCENARIO_MAX_STRING);
    if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
        return ld_fail_at(ld, ld_pos(n), "%s contains a NUL character (expected text)", label);
    *text = (const char *)n->data.scalar.value;
    *len = n->data.scalar.length;
    return 0;
}

/* The arena copy of scalar n's text, made once per node. */
const char *ld_scalar_copy(struct loader *ld, const yaml_node_t *n)
{
    size_t i = node_index(ld, n);

    if (ld->scalar_copy[i] == NULL)
        ld->scalar_copy[i] = arena_strndup(ld->arena, (const char *)n->data.scalar.value,
                                           n->data.scalar.length);
    return ld->scalar_copy[i];
}

/* ---- mappings --------------------------------------------------------- */

/* Checks that n is a mapping whose keys are plain names from keys[0..nkeys),
 * each at most once, and puts the value of keys[i] in values[i] (NULL when
 * absent). label names the mapping in messages ("in machine"). */
int ld_map_keys(struct loader *ld, const yaml_node_t *n, const char *label,
                const char *expected, const char *const *keys, size_t nkeys,
                yaml_node_t **values)
{
    if (n->type != YAML_MAPPING_NODE) {
        /* "in fill" → 'fill' is ...; "in an area" → an area is ... */
        const char *what = strncmp(label, "in ", 3) == 0 ? label + 3 : "the scenario";
        char quoted[48];
        if (strncmp(what, "a ", 2) != 0 && strncmp(what, "an ", 3) != 0
            && strncmp(what, "the ", 4) != 0) {
            snprintf(quoted, sizeof quoted, "'%s'", what);
            what = quoted;
        }
        return ld_fail_type(ld, n, what, expected);
    }
    if (ld_charge(ld, n) < 0)
        return -1;
    for (size_t i = 0; i < nkeys; i++)
        values[i] = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = ld_node(ld, p->key);
        const char *name = NULL;
        size_t len = 0, i;
        if (k->type != YAML_SCALAR_NODE || ld_is_null(k))
            return ld_fail_type(ld, k, "a key", "a plain name");
        if (ld_scalar_text(ld, k, "a key", "a plain name", &name, &len) < 0)
            return -1;
        for (i = 0; i < nkeys; i++)
            if (strcmp(name, keys[i]) == 0)
                break;
        if (i == nkeys) {
            char expected_keys[DIAG_MESSAGE_MAX];
            return ld_fail_at(ld, ld_pos(k), "unknown key '%.*s' %s (%s)", DIAG_QUOTE_MAX, name,
                              label, diag_expected_choice(expected_keys, sizeof expected_keys,
                                                          name, keys, nkeys));
        }
        if (values[i] != NULL)
            return ld_fail_at(ld, ld_pos(k), "duplicate key '%s' %s (expected each key once)",
                              keys[i], label);
        values[i] = ld_node(ld, p->value);
    }
    return 0;
}

int ld_require(struct loader *ld, const yaml_node_t *map, const yaml_node_t *value,
               const char *key, const char *label, const char *expected)
{
    if (value == NULL)
        return ld_fail_at(ld, ld_pos(map), "missing key '%s' %s (expected %s)", key, label,
                          expected);
    return 0;
}

