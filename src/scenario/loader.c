/* The scenario loader: YAML text → struct scenario (see scenario.h).
 *
 * compose.c first turns the text into a libyaml node graph with positions.
 * The loader then walks that graph top-down, checking
 * shapes as it goes and copying what it keeps into the scenario's arena.
 * Aliases in the graph are shared nodes, so every walk is paid for from a
 * node budget (SCENARIO_MAX_NODES): an alias bomb runs out of budget instead
 * of out of memory or time. Scalars are copied once per node, however often
 * an alias repeats them.
 *
 * Every check reports through fail(), which fills the caller's diag with the
 * offending node's position; all loader functions return 0 or -1. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util/arena.h"
#include "scenario/compose.h"
#include "scenario/scenario.h"
#include "util/userfile.h"
#include "util/value.h"

/* How many characters of a bad value an error message quotes. */
#define QUOTE_MAX 40

/* Quotes a key name in messages: KEY("frames") is "'frames'". */
#define KEY(k) "'" k "'"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A set of strings (names of areas, files, expect counters), open
 * addressing, so that checks stay linear however many names a file has. */
struct nameset {
    const char **slots;
    size_t cap, count;
};

/* A trace already counted: the same file may be named by many steps. */
struct trace_memo {
    const char *path;
    enum trace_format format;
    unsigned long limit;
    struct trace_census census;
};

struct loader {
    const char *file;            /* for messages */
    struct diag *err;
    yaml_document_t doc;
    const char **scalar_copy;    /* per node: its text in the arena, once copied */
    unsigned long visits;        /* nodes paid for from SCENARIO_MAX_NODES */
    unsigned long steps;         /* steps seen, for SCENARIO_MAX_STEPS */
    struct scenario *s;
    struct arena *arena;
    struct nameset symbols;      /* area and mmap names, for expressions */
    struct nameset file_names;   /* names under files: */
    uint64_t page_size;          /* for counting fills without a stride */
    struct trace_memo memo[16];
    size_t memo_count;
};

/* ---- errors ----------------------------------------------------------- */

static struct scenario_pos pos_of(const yaml_node_t *n)
{
    return (struct scenario_pos){(unsigned)n->start_mark.line + 1,
                                 (unsigned)n->start_mark.column + 1};
}

static int fail_at(struct loader *ld, struct scenario_pos p, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

static int fail_at(struct loader *ld, struct scenario_pos p, const char *fmt, ...)
{
    char msg[sizeof ld->err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_set(ld->err, ld->file, p.line, p.col, "%s", msg);
    return -1;
}

static int fail_oom(struct loader *ld, const yaml_node_t *n)
{
    return fail_at(ld, pos_of(n), "out of memory (expected a smaller scenario)");
}

/* ---- nodes ------------------------------------------------------------ */

static yaml_node_t *node_get(struct loader *ld, int index)
{
    return yaml_document_get_node(&ld->doc, index);
}

static size_t node_index(const struct loader *ld, const yaml_node_t *n)
{
    return (size_t)(n - ld->doc.nodes.start);
}

static size_t node_items(const yaml_node_t *n)
{
    if (n->type == YAML_SEQUENCE_NODE)
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (n->type == YAML_MAPPING_NODE)
        return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    return 0;
}

/* Pays for visiting container n and its direct children. */
static int charge(struct loader *ld, const yaml_node_t *n)
{
    size_t cost = 1 + node_items(n);

    if (cost > SCENARIO_MAX_NODES - ld->visits)
        return fail_at(ld, pos_of(n), "too many YAML nodes once aliases are expanded "
                       "(expected at most %lu; is an alias repeated too often?)",
                       SCENARIO_MAX_NODES);
    ld->visits += cost;
    return 0;
}

static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0
           || strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* What a node is, for "'x' is WHAT (expected ...)" messages. */
static const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return node_items(n) == 0 ? "an empty list" : "a list";
    if (is_null(n))
        return "empty";
    size_t len = n->data.scalar.length, shown = len < QUOTE_MAX ? len : QUOTE_MAX;
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

static int fail_type(struct loader *ld, const yaml_node_t *n, const char *label,
                     const char *expected)
{
    char buf[QUOTE_MAX + 8];

    return fail_at(ld, pos_of(n), "%s is %s (expected %s)", label,
                   describe(n, buf, sizeof buf), expected);
}

/* The text of scalar n (the document's own bytes, valid during the load). */
static int scalar_text(struct loader *ld, const yaml_node_t *n, const char *label,
                       const char *expected, const char **text, size_t *len)
{
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_type(ld, n, label, expected);
    if (n->data.scalar.length > SCENARIO_MAX_STRING)
        return fail_at(ld, pos_of(n), "%s is too long, %zu bytes (expected at most %u)",
                       label, n->data.scalar.length, SCENARIO_MAX_STRING);
    if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
        return fail_at(ld, pos_of(n), "%s contains a NUL character (expected text)", label);
    *text = (const char *)n->data.scalar.value;
    *len = n->data.scalar.length;
    return 0;
}

/* The arena copy of scalar n's text, made once per node. */
static const char *scalar_copy(struct loader *ld, const yaml_node_t *n)
{
    size_t i = node_index(ld, n);

    if (ld->scalar_copy[i] == NULL)
        ld->scalar_copy[i] = arena_strndup(ld->arena, (const char *)n->data.scalar.value,
                                           n->data.scalar.length);
    return ld->scalar_copy[i];
}

/* ---- name sets -------------------------------------------------------- */

static size_t hash_name(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The stored name equal to name, or NULL. */
static const char *nameset_find(const struct nameset *set, const char *name)
{
    if (set->cap == 0)
        return NULL;
    for (size_t i = hash_name(name) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (set->slots[i] == NULL)
            return NULL;
        if (strcmp(set->slots[i], name) == 0)
            return set->slots[i];
    }
}

/* Adds name (which must outlive the set) unless present. 0, or -1 when out
 * of memory. */
static int nameset_add(struct nameset *set, const char *name)
{
    if (nameset_find(set, name) != NULL)
        return 0;
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        const char **slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return -1;
        for (size_t i = 0; i < set->cap; i++) {
            if (set->slots[i] == NULL)
                continue;
            size_t j = hash_name(set->slots[i]) & (cap - 1);
            while (slots[j] != NULL)
                j = (j + 1) & (cap - 1);
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t i = hash_name(name) & (set->cap - 1);
    while (set->slots[i] != NULL)
        i = (i + 1) & (set->cap - 1);
    set->slots[i] = name;
    set->count++;
    return 0;
}

static void nameset_free(struct nameset *set)
{
    free(set->slots);
    set->slots = NULL;
    set->cap = set->count = 0;
}

/* The name in set closest to word, for "did you mean" hints; NULL if none. */
static const char *nameset_suggest(const struct nameset *set, const char *word)
{
    const char **names = malloc((set->count ? set->count : 1) * sizeof *names);
    const char *best;
    size_t n = 0;

    if (names == NULL)
        return NULL;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i] != NULL)
            names[n++] = set->slots[i];
    best = diag_suggest(word, names, n);
    free(names);
    return best;
}

/* ---- mappings --------------------------------------------------------- */

/* Checks that n is a mapping whose keys are plain names from keys[0..nkeys),
 * each at most once, and puts the value of keys[i] in values[i] (NULL when
 * absent). label names the mapping in messages ("in machine"). */
static int map_keys(struct loader *ld, const yaml_node_t *n, const char *label,
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
        return fail_type(ld, n, what, expected);
    }
    if (charge(ld, n) < 0)
        return -1;
    for (size_t i = 0; i < nkeys; i++)
        values[i] = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_get(ld, p->key);
        const char *name = NULL;
        size_t len = 0, i;
        if (k->type != YAML_SCALAR_NODE || is_null(k))
            return fail_type(ld, k, "a key", "a plain name");
        if (scalar_text(ld, k, "a key", "a plain name", &name, &len) < 0)
            return -1;
        for (i = 0; i < nkeys; i++)
            if (strcmp(name, keys[i]) == 0)
                break;
        if (i == nkeys) {
            char expected_keys[320];
            return fail_at(ld, pos_of(k), "unknown key '%.*s' %s (%s)", QUOTE_MAX, name, label,
                           diag_expected_choice(expected_keys, sizeof expected_keys, name,
                                                keys, nkeys));
        }
        if (values[i] != NULL)
            return fail_at(ld, pos_of(k), "duplicate key '%s' %s (expected each key once)",
                           keys[i], label);
        values[i] = node_get(ld, p->value);
    }
    return 0;
}

static int require(struct loader *ld, const yaml_node_t *map, const yaml_node_t *value,
                   const char *key, const char *label, const char *expected)
{
    if (value == NULL)
        return fail_at(ld, pos_of(map), "missing key '%s' %s (expected %s)", key, label,
                       expected);
    return 0;
}

/* ---- scalar values ---------------------------------------------------- */

static const char number_expected[] = "a number: decimal, 0x hex or 0b binary";
static const char size_expected[] = "a size like 4096, 16KiB or 2MiB";
static const char prot_expected[] =
    "3 characters like r-x: r or -, then w or -, then x or -";
static const char name_expected[] =
    "a name of letters, digits, '_' and '.', starting with a letter or '_'";

static int get_number(struct loader *ld, const yaml_node_t *n, const char *label,
                      struct scenario_num *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (scalar_text(ld, n, label, number_expected, &text, &len) < 0)
        return -1;
    switch (value_parse_number(text, len, &out->value)) {
    case VALUE_OK:
        break;
    case VALUE_OVERFLOW:
        return fail_type(ld, n, label, "a number below 2^64");
    default:
        return fail_type(ld, n, label, number_expected);
    }
    out->present = 1;
    out->pos = pos_of(n);
    return 0;
}

/* A number in [min, max]; expected describes the range for messages. */
static int get_number_in(struct loader *ld, const yaml_node_t *n, const char *label,
                         uint64_t min, uint64_t max, const char *expected,
                         struct scenario_num *out)
{
    if (get_number(ld, n, label, out) < 0)
        return -1;
    if (out->value < min || out->value > max)
        return fail_type(ld, n, label, expected);
    return 0;
}

static int get_size(struct loader *ld, const yaml_node_t *n, const char *label,
                    struct scenario_num *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (scalar_text(ld, n, label, size_expected, &text, &len) < 0)
        return -1;
    switch (value_parse_size(text, len, &out->value)) {
    case VALUE_OK:
        break;
    case VALUE_OVERFLOW:
        return fail_type(ld, n, label, "a size below 2^64 bytes");
    default:
        return fail_type(ld, n, label, size_expected);
    }
    out->present = 1;
    out->pos = pos_of(n);
    return 0;
}

static int get_positive_size(struct loader *ld, const yaml_node_t *n, const char *label,
                             struct scenario_num *out)
{
    if (get_size(ld, n, label, out) < 0)
        return -1;
    if (out->value == 0)
        return fail_type(ld, n, label, "a size greater than 0");
    return 0;
}

static int get_flag(struct loader *ld, const yaml_node_t *n, const char *label,
                    struct scenario_flag *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (scalar_text(ld, n, label, "true or false", &text, &len) < 0)
        return -1;
    if (strcmp(text, "true") == 0)
        out->value = 1;
    else if (strcmp(text, "false") == 0)
        out->value = 0;
    else
        return fail_type(ld, n, label, "true or false");
    out->present = 1;
    out->pos = pos_of(n);
    return 0;
}

static int get_string(struct loader *ld, const yaml_node_t *n, const char *label,
                      const char *expected, struct scenario_str *out)
{
    const char *text = NULL;
    size_t len = 0;

    if (scalar_text(ld, n, label, expected, &text, &len) < 0)
        return -1;
    if ((out->value = scalar_copy(ld, n)) == NULL)
        return fail_oom(ld, n);
    out->present = 1;
    out->pos = pos_of(n);
    return 0;
}

/* A name that address expressions can use ("buf", "libc.so"). */
static int get_name(struct loader *ld, const yaml_node_t *n, const char *label,
                    struct scenario_str *out)
{
    if (get_string(ld, n, label, name_expected, out) < 0)
        return -1;
    if (!value_is_name(out->value, strlen(out->value)))
        return fail_type(ld, n, label, name_expected);
    return 0;
}

static int get_prot(struct loader *ld, const yaml_node_t *n, const char *label,
                    struct scenario_num *out)
{
    const char *text = NULL;
    size_t len = 0;
    unsigned prot;

    if (scalar_text(ld, n, label, prot_expected, &text, &len) < 0)
        return -1;
    if (value_parse_prot(text, len, &prot) != VALUE_OK)
        return fail_type(ld, n, label, prot_expected);
    out->present = 1;
    out->value = prot;
    out->pos = pos_of(n);
    return 0;
}

/* A name that must already be an area or an earlier mmap. *out is the
 * stored copy of the name. */
static int lookup_symbol(struct loader *ld, const yaml_node_t *n, const char *name,
                         const char **out)
{
    char expected[160];

    if ((*out = nameset_find(&ld->symbols, name)) != NULL)
        return 0;
    return fail_at(ld, pos_of(n), "unknown area '%.*s' (%s)", QUOTE_MAX, name,
                   diag_expected_hint(expected, sizeof expected, "the name of a process "
                                      "area or of an earlier mmap",
                                      nameset_suggest(&ld->symbols, name)));
}

static const char addr_expected[] =
    "an address: a number, an area name, or name+number or name-number";

/* An address expression: NUMBER | NAME | NAME + NUMBER | NAME - NUMBER,
 * spaces allowed around the sign. */
static int get_addr(struct loader *ld, const yaml_node_t *n, const char *label,
                    struct scenario_addr *out)
{
    const char *text = NULL;
    size_t len = 0, i = 0, end;
    uint64_t v;

    if (scalar_text(ld, n, label, addr_expected, &text, &len) < 0)
        return -1;
    out->present = 1;
    out->pos = pos_of(n);
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
            return fail_type(ld, n, label, "an address below 2^64");
        default:
            return fail_type(ld, n, label, addr_expected);
        }
    }
    end = 0;
    while (end < len && text[end] != ' ' && text[end] != '+' && text[end] != '-')
        end++;
    if (!value_is_name(text, end))
        return fail_type(ld, n, label, addr_expected);
    i = end;
    while (i < len && text[i] == ' ')
        i++;
    if (i < len) {
        int negative = text[i] == '-';
        if (text[i] != '+' && text[i] != '-')
            return fail_type(ld, n, label, addr_expected);
        i++;
        while (i < len && text[i] == ' ')
            i++;
        enum value_status st = value_parse_number(text + i, len - i, &v);
        if (st == VALUE_SYNTAX)
            return fail_type(ld, n, label, addr_expected);
        if (st == VALUE_OVERFLOW || v > (uint64_t)INT64_MAX + negative)
            return fail_type(ld, n, label, "an offset of at most 2^63-1 from the name");
        out->offset = negative ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
                               : (int64_t)v;
    }
    char name[SCENARIO_MAX_STRING + 1];
    memcpy(name, text, end);
    name[end] = '\0';
    return lookup_symbol(ld, n, name, &out->symbol);
}

/* An optional number: absent leaves *out absent. */
static int opt_number(struct loader *ld, const yaml_node_t *n, const char *label,
                      struct scenario_num *out)
{
    return n == NULL ? 0 : get_number(ld, n, label, out);
}

static const char pid_expected[] = "a pid from 1 to 4294967295";

/* A pid. The engine keeps pids in 32 bits and reads 0 as "the running
 * process", so anything else would quietly become another process. */
static int get_pid(struct loader *ld, const yaml_node_t *n, const char *label,
                   struct scenario_num *out)
{
    return get_number_in(ld, n, label, 1, SCENARIO_MAX_PID, pid_expected, out);
}

/* An optional pid: absent leaves *out absent. */
static int opt_pid(struct loader *ld, const yaml_node_t *n, const char *label,
                   struct scenario_num *out)
{
    return n == NULL ? 0 : get_pid(ld, n, label, out);
}

/* ---- machine ---------------------------------------------------------- */

static int load_tlb(struct loader *ld, const yaml_node_t *n, struct scenario_machine *m)
{
    static const char *const keys[] = {"entries", "ways", "replacement", "asid"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (map_keys(ld, n, "in tlb", "a mapping with entries, ways, replacement, asid",
                 keys, COUNT_OF(keys), v) < 0)
        return -1;
    m->tlb.present = 1;
    m->tlb.pos = pos_of(n);
    if (opt_number(ld, v[0], KEY("entries"), &m->tlb.entries) < 0
        || opt_number(ld, v[1], KEY("ways"), &m->tlb.ways) < 0
        || (v[2] && get_string(ld, v[2], KEY("replacement"), "a replacement policy name",
                               &m->tlb.replacement) < 0)
        || (v[3] && get_flag(ld, v[3], KEY("asid"), &m->tlb.asid) < 0))
        return -1;
    /* Entries without ways: the ways vmviz-scenario(5) states, 4, or all the
     * entries when there are fewer (one fully associative set). Entries the
     * default does not divide are refused rather than given fewer ways. */
    if (m->tlb.entries.present && !m->tlb.ways.present) {
        uint64_t entries = m->tlb.entries.value;
        uint64_t ways = entries < SCENARIO_DEFAULT_TLB_WAYS ? entries
                                                          : SCENARIO_DEFAULT_TLB_WAYS;
        if (ways > 0 && entries % ways != 0)
            return fail_at(ld, m->tlb.entries.pos, KEY("entries") " is %llu, which the "
                           "default %u ways do not divide (expected a multiple of %u, fewer "
                           "than %u entries, or " KEY("ways") " given)",
                           (unsigned long long)entries, SCENARIO_DEFAULT_TLB_WAYS,
                           SCENARIO_DEFAULT_TLB_WAYS, SCENARIO_DEFAULT_TLB_WAYS);
        m->tlb.ways = (struct scenario_num){1, ways, m->tlb.entries.pos};
        m->tlb.ways_defaulted = 1;
    }
    return 0;
}

static int load_levels(struct loader *ld, const yaml_node_t *n, struct scenario_machine *m)
{
    static const char expected[] = "a list of 1 to 5 index widths like [9, 9, 9, 9]";
    size_t count;

    if (n->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, n, KEY("levels"), expected);
    count = node_items(n);
    if (count < 1 || count > SCENARIO_MAX_LEVELS)
        return fail_at(ld, pos_of(n), KEY("levels") " has %zu entries (expected 1 to %u "
                       "index widths)", count, SCENARIO_MAX_LEVELS);
    if (charge(ld, n) < 0)
        return -1;
    m->levels_pos = pos_of(n);
    m->levels_count = (unsigned)count;
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node_get(ld, n->data.sequence.items.start[i]);
        if (get_number(ld, item, "a levels entry", &m->levels[i]) < 0)
            return -1;
    }
    return 0;
}

static int load_machine(struct loader *ld, const yaml_node_t *n)
{
    enum { PRESET, VA_BITS, PAGE_SIZE, LEVELS, FRAMES, TABLE_FRAMES, SWAP, TLB, POLICY,
           SEED, NRU_INTERVAL, FAULT_AROUND, READAHEAD, NKEYS };
    static const char *const keys[NKEYS] = {
        "preset", "va_bits", "page_size", "levels", "frames", "table_frames", "swap",
        "tlb", "policy", "seed", "nru_interval", "fault_around", "readahead"};
    yaml_node_t *v[NKEYS];
    struct scenario_machine *m = &ld->s->machine;

    if (map_keys(ld, n, "in machine", "a mapping of machine settings", keys, NKEYS, v) < 0)
        return -1;
    m->present = 1;
    m->pos = pos_of(n);
    if ((v[PRESET] && get_string(ld, v[PRESET], KEY("preset"), "a preset name such as x86_64",
                                 &m->preset) < 0)
        || opt_number(ld, v[VA_BITS], KEY("va_bits"), &m->va_bits) < 0
        || (v[PAGE_SIZE] && get_positive_size(ld, v[PAGE_SIZE], KEY("page_size"),
                                              &m->page_size) < 0)
        || (v[LEVELS] && load_levels(ld, v[LEVELS], m) < 0)
        || opt_number(ld, v[FRAMES], KEY("frames"), &m->frames) < 0
        || opt_number(ld, v[TABLE_FRAMES], KEY("table_frames"), &m->table_frames) < 0
        || opt_number(ld, v[SWAP], KEY("swap"), &m->swap) < 0
        || (v[TLB] && load_tlb(ld, v[TLB], m) < 0)
        || (v[POLICY] && get_string(ld, v[POLICY], KEY("policy"),
                                    "a replacement policy name such as clock", &m->policy) < 0)
        || opt_number(ld, v[SEED], KEY("seed"), &m->seed) < 0
        || opt_number(ld, v[NRU_INTERVAL], KEY("nru_interval"), &m->nru_interval) < 0
        || opt_number(ld, v[FAULT_AROUND], KEY("fault_around"), &m->fault_around) < 0
        || opt_number(ld, v[READAHEAD], KEY("readahead"), &m->readahead) < 0)
        return -1;
    return 0;
}

/* ---- files ------------------------------------------------------------ */

static int load_cached(struct loader *ld, const yaml_node_t *n, struct scenario_file *f)
{
    static const char expected[] = "a list of page numbers, or all";

    f->cached_pos = pos_of(n);
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        if (strcmp((const char *)n->data.scalar.value, "all") != 0)
            return fail_type(ld, n, KEY("cached"), expected);
        f->cached_all = 1;
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, n, KEY("cached"), expected);
    if (charge(ld, n) < 0)
        return -1;
    size_t count = node_items(n);
    uint64_t *pages = arena_calloc(ld->arena, count, sizeof *pages);
    if (pages == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < count; i++) {
        struct scenario_num page = {0};
        if (get_number(ld, node_get(ld, n->data.sequence.items.start[i]),
                       "a cached page", &page) < 0)
            return -1;
        pages[i] = page.value;
    }
    f->cached = pages;
    f->cached_count = count;
    return 0;
}

static int load_files(struct loader *ld, const yaml_node_t *n)
{
    static const char *const keys[] = {"name", "size", "cached"};

    if (n->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, n, KEY("files"), "a list of files, each {name, size, cached}");
    if (charge(ld, n) < 0)
        return -1;
    ld->s->file_count = node_items(n);
    ld->s->files = arena_calloc(ld->arena, ld->s->file_count, sizeof *ld->s->files);
    if (ld->s->files == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < ld->s->file_count; i++) {
        yaml_node_t *item = node_get(ld, n->data.sequence.items.start[i]);
        struct scenario_file *f = &ld->s->files[i];
        yaml_node_t *v[COUNT_OF(keys)];
        if (map_keys(ld, item, "in a file", "a mapping {name, size, cached}", keys,
                     COUNT_OF(keys), v) < 0
            || require(ld, item, v[0], "name", "in a file", "a name for the file") < 0
            || require(ld, item, v[1], "size", "in a file", size_expected) < 0
            || get_string(ld, v[0], KEY("name"), "a file name", &f->name) < 0
            || get_size(ld, v[1], KEY("size"), &f->size) < 0
            || (v[2] && load_cached(ld, v[2], f) < 0))
            return -1;
        if (nameset_find(&ld->file_names, f->name.value) != NULL)
            return fail_at(ld, f->name.pos, "duplicate file '%.*s' (expected each file "
                           "name once)", QUOTE_MAX, f->name.value);
        if (nameset_add(&ld->file_names, f->name.value) < 0)
            return fail_oom(ld, item);
    }
    return 0;
}

/* file: must name an entry of files:. */
static int get_file_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out)
{
    if (get_string(ld, n, KEY("file"), "the name of a file declared under files", out) < 0)
        return -1;
    char expected[160];

    if (nameset_find(&ld->file_names, out->value) != NULL)
        return 0;
    return fail_at(ld, out->pos, "unknown file '%.*s' (%s)", QUOTE_MAX, out->value,
                   diag_expected_hint(expected, sizeof expected, "a name declared under files",
                                      nameset_suggest(&ld->file_names, out->value)));
}

/* ---- processes -------------------------------------------------------- */

static int load_area(struct loader *ld, const yaml_node_t *n, struct scenario_area *a,
                     struct nameset *names)
{
    enum { NAME, START, SIZE, PROT, SHARED, FILE_, OFFSET, HUGE_, GLOBAL, NKEYS };
    static const char *const keys[NKEYS] = {"name", "start", "size", "prot", "shared",
                                            "file", "offset", "huge", "global"};
    yaml_node_t *v[NKEYS];

    if (map_keys(ld, n, "in an area", "a mapping {name, start, size, prot, ...}", keys,
                 NKEYS, v) < 0
        || require(ld, n, v[NAME], "name", "in an area", "a name such as heap") < 0
        || require(ld, n, v[START], "start", "in an area", "a start address") < 0
        || require(ld, n, v[SIZE], "size", "in an area", size_expected) < 0)
        return -1;
    a->pos = pos_of(n);
    if (get_name(ld, v[NAME], KEY("name"), &a->name) < 0
        || get_number(ld, v[START], KEY("start"), &a->start) < 0
        || get_positive_size(ld, v[SIZE], KEY("size"), &a->size) < 0
        || (v[PROT] && get_prot(ld, v[PROT], KEY("prot"), &a->prot) < 0)
        || (v[SHARED] && get_flag(ld, v[SHARED], KEY("shared"), &a->shared) < 0)
        || (v[FILE_] && get_file_ref(ld, v[FILE_], &a->file) < 0)
        || (v[OFFSET] && get_size(ld, v[OFFSET], KEY("offset"), &a->offset) < 0)
        || (v[HUGE_] && get_flag(ld, v[HUGE_], KEY("huge"), &a->huge) < 0)
        || (v[GLOBAL] && get_flag(ld, v[GLOBAL], KEY("global"), &a->global) < 0))
        return -1;
    if (a->offset.present && !a->file.present)
        return fail_at(ld, a->offset.pos, KEY("offset") " without " KEY("file")
                       " (expected file: NAME next to it)");
    if (nameset_find(names, a->name.value) != NULL)
        return fail_at(ld, a->name.pos, "duplicate area '%s' in this process (expected "
                       "each area name once per process)", a->name.value);
    if (nameset_add(names, a->name.value) < 0 || nameset_add(&ld->symbols, a->name.value) < 0)
        return fail_oom(ld, n);
    return 0;
}

static int load_process(struct loader *ld, const yaml_node_t *n, struct scenario_process *p)
{
    static const char *const keys[] = {"name", "pid", "asid", "areas"};
    yaml_node_t *v[COUNT_OF(keys)];
    struct nameset names = {0};
    int rc = 0;

    if (map_keys(ld, n, "in a process", "a mapping {name, pid, areas}", keys,
                 COUNT_OF(keys), v) < 0
        || require(ld, n, v[0], "name", "in a process", "a name such as demo") < 0
        || require(ld, n, v[1], "pid", "in a process", "a pid number") < 0
        || get_string(ld, v[0], KEY("name"), "a process name", &p->name) < 0
        || get_pid(ld, v[1], KEY("pid"), &p->pid) < 0
        || (v[2] && get_number_in(ld, v[2], KEY("asid"), 0, SCENARIO_MAX_ASID,
                                  "an ASID from 0 to 4095, or 0 to pick a free one",
                                  &p->asid) < 0))
        return -1;
    p->pos = pos_of(n);
    if (v[3] == NULL)
        return 0;
    if (v[3]->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, v[3], KEY("areas"), "a list of areas");
    if (charge(ld, v[3]) < 0)
        return -1;
    p->area_count = node_items(v[3]);
    p->areas = arena_calloc(ld->arena, p->area_count, sizeof *p->areas);
    if (p->areas == NULL)
        return fail_oom(ld, v[3]);
    for (size_t i = 0; i < p->area_count && rc == 0; i++)
        rc = load_area(ld, node_get(ld, v[3]->data.sequence.items.start[i]), &p->areas[i],
                       &names);
    nameset_free(&names);
    return rc;
}

struct pid_slot {
    uint64_t pid;
    size_t index;
};

static int compare_pid_slots(const void *a, const void *b)
{
    const struct pid_slot *x = a, *y = b;

    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* Reports the first process (in file order) whose pid an earlier one has. */
static int check_unique_pids(struct loader *ld, const yaml_node_t *n)
{
    size_t count = ld->s->process_count, dup = SIZE_MAX;
    struct pid_slot *slots = malloc(count * sizeof *slots);

    if (slots == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < count; i++)
        slots[i] = (struct pid_slot){ld->s->processes[i].pid.value, i};
    qsort(slots, count, sizeof *slots, compare_pid_slots);
    for (size_t i = 1; i < count; i++)
        if (slots[i].pid == slots[i - 1].pid && slots[i].index < dup)
            dup = slots[i].index;
    free(slots);
    if (dup == SIZE_MAX)
        return 0;
    const struct scenario_process *p = &ld->s->processes[dup];
    return fail_at(ld, p->pid.pos, "duplicate pid %llu (expected each process to have its "
                   "own pid)", (unsigned long long)p->pid.value);
}

static int load_processes(struct loader *ld, const yaml_node_t *n)
{
    static const char expected[] = "a list of processes, each {name, pid, areas}";

    if (n->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, n, KEY("processes"), expected);
    if (node_items(n) == 0)
        return fail_type(ld, n, KEY("processes"), "at least one process");
    if (charge(ld, n) < 0)
        return -1;
    ld->s->process_count = node_items(n);
    ld->s->processes = arena_calloc(ld->arena, ld->s->process_count,
                                    sizeof *ld->s->processes);
    if (ld->s->processes == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < ld->s->process_count; i++)
        if (load_process(ld, node_get(ld, n->data.sequence.items.start[i]),
                         &ld->s->processes[i]) < 0)
            return -1;
    return check_unique_pids(ld, n);
}

/* ---- steps ------------------------------------------------------------ */

static int load_steps(struct loader *ld, const yaml_node_t *n, const char *label,
                      unsigned depth, uint64_t budget, struct scenario_step **out,
                      size_t *count, uint64_t *accesses);

static int fail_accesses(struct loader *ld, struct scenario_pos p)
{
    return fail_at(ld, p, "too many accesses: the scenario would perform more than %lu "
                   "(expected at most %lu; use smaller sizes, fewer repeats or a trace "
                   "limit)", SCENARIO_MAX_ACCESSES, SCENARIO_MAX_ACCESSES);
}

/* read, write, exec: ADDRESS or {addr, pid}. */
static int step_access(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"addr", "pid"};
    yaml_node_t *v[COUNT_OF(keys)];
    const char *kind = step_kind_name(st->kind);
    char label[32];

    snprintf(label, sizeof label, "'%s'", kind);
    st->accesses = 1;
    if (n->type != YAML_MAPPING_NODE)
        return get_addr(ld, n, label, &st->u.access.addr);
    snprintf(label, sizeof label, "in %s", kind);
    if (map_keys(ld, n, label, "an address or {addr, pid}", keys, COUNT_OF(keys), v) < 0
        || require(ld, n, v[0], "addr", label, addr_expected) < 0
        || get_addr(ld, v[0], KEY("addr"), &st->u.access.addr) < 0
        || opt_pid(ld, v[1], KEY("pid"), &st->u.access.pid) < 0)
        return -1;
    return 0;
}

static const char ref_expected[] = "a page number, optionally followed by w for a write";

static int parse_ref(const char *text, size_t len, struct scenario_ref *ref)
{
    ref->write = 0;
    if (len > 1 && (text[len - 1] == 'w' || text[len - 1] == 'W')) {
        ref->write = 1;
        len--;
    }
    return value_parse_number(text, len, &ref->page) == VALUE_OK ? 0 : -1;
}

/* refs given as one string: "7 0 1 2w", entries split by spaces or commas. */
static int refs_from_string(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    const char *text = NULL;
    size_t len = 0, count = 0;
    /* Columns inside a quoted scalar start after the quote. */
    unsigned col0 = pos_of(n).col + (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE);

    if (scalar_text(ld, n, KEY("refs"), "a list of page numbers", &text, &len) < 0)
        return -1;
    for (size_t i = 0; i < len;) {
        while (i < len && (text[i] == ' ' || text[i] == ',' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i == len)
            break;
        count++;
        while (i < len && text[i] != ' ' && text[i] != ',' && text[i] != '\t' && text[i] != '\n')
            i++;
    }
    if (count == 0)
        return fail_type(ld, n, KEY("refs"), "at least one page number");
    struct scenario_ref *refs = arena_calloc(ld->arena, count, sizeof *refs);
    if (refs == NULL)
        return fail_oom(ld, n);
    count = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && (text[i] == ' ' || text[i] == ',' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && text[i] != ' ' && text[i] != ',' && text[i] != '\t' && text[i] != '\n')
            i++;
        refs[count].pos = (struct scenario_pos){pos_of(n).line, col0 + (unsigned)start};
        if (parse_ref(text + start, i - start, &refs[count]) < 0)
            return fail_at(ld, refs[count].pos, "a refs entry is '%.*s' (expected %s)",
                           (int)(i - start < QUOTE_MAX ? i - start : QUOTE_MAX),
                           text + start, ref_expected);
        count++;
    }
    st->u.refs.entries = refs;
    st->u.refs.count = count;
    return 0;
}

static int refs_pages(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    if (n->type == YAML_SCALAR_NODE && !is_null(n))
        return refs_from_string(ld, n, st);
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, n, KEY("refs"), "a list of page numbers like [7, 0, 1, 2w]");
    if (node_items(n) == 0)
        return fail_type(ld, n, KEY("refs"), "at least one page number");
    if (charge(ld, n) < 0)
        return -1;
    size_t count = node_items(n);
    struct scenario_ref *refs = arena_calloc(ld->arena, count, sizeof *refs);
    if (refs == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node_get(ld, n->data.sequence.items.start[i]);
        const char *text = NULL;
        size_t len = 0;
        if (scalar_text(ld, item, "a refs entry", ref_expected, &text, &len) < 0)
            return -1;
        if (parse_ref(text, len, &refs[i]) < 0)
            return fail_type(ld, item, "a refs entry", ref_expected);
        refs[i].pos = pos_of(item);
    }
    st->u.refs.entries = refs;
    st->u.refs.count = count;
    return 0;
}

/* refs: [7, 0w, 1] | "7 0w 1" | {pages: ..., pid: N}. */
static int step_refs(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"pages", "pid"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (n->type == YAML_MAPPING_NODE) {
        if (map_keys(ld, n, "in refs", "{pages, pid}", keys, COUNT_OF(keys), v) < 0
            || require(ld, n, v[0], "pages", "in refs", "a list of page numbers") < 0
            || refs_pages(ld, v[0], st) < 0
            || opt_pid(ld, v[1], KEY("pid"), &st->u.refs.pid) < 0)
            return -1;
    } else if (refs_pages(ld, n, st) < 0) {
        return -1;
    }
    st->accesses = st->u.refs.count;
    return 0;
}

static int get_access_kind(struct loader *ld, const yaml_node_t *n,
                           enum scenario_access *out)
{
    static const char *const names[] = {"read", "write", "exec"};
    static const enum scenario_access kinds[] = {
        SCENARIO_ACCESS_READ, SCENARIO_ACCESS_WRITE, SCENARIO_ACCESS_EXEC};
    const char *text = NULL;
    size_t len = 0;
    char list[40];

    diag_list(list, sizeof list, names, COUNT_OF(names));
    if (scalar_text(ld, n, KEY("access"), list, &text, &len) < 0)
        return -1;
    for (size_t i = 0; i < COUNT_OF(names); i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = kinds[i];
            return 0;
        }
    }
    char expected[120];
    return fail_at(ld, pos_of(n), "unknown access '%.*s' (%s)", QUOTE_MAX, text,
                   diag_expected_choice(expected, sizeof expected, text, names,
                                        COUNT_OF(names)));
}

/* fill: {start, size, stride, access, pid}. */
static int step_fill(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { START, SIZE, STRIDE, ACCESS, PID, NKEYS };
    static const char *const keys[NKEYS] = {"start", "size", "stride", "access", "pid"};
    yaml_node_t *v[NKEYS];

    st->u.fill.access = SCENARIO_ACCESS_READ;
    if (map_keys(ld, n, "in fill", "a mapping {start, size, stride, access, pid}", keys,
                 NKEYS, v) < 0
        || require(ld, n, v[START], "start", "in fill", addr_expected) < 0
        || require(ld, n, v[SIZE], "size", "in fill", size_expected) < 0
        || get_addr(ld, v[START], KEY("start"), &st->u.fill.start) < 0
        || get_positive_size(ld, v[SIZE], KEY("size"), &st->u.fill.size) < 0
        || (v[STRIDE] && get_size(ld, v[STRIDE], KEY("stride"), &st->u.fill.stride) < 0)
        || opt_pid(ld, v[PID], KEY("pid"), &st->u.fill.pid) < 0)
        return -1;
    if (v[ACCESS] != NULL) {
        if (get_access_kind(ld, v[ACCESS], &st->u.fill.access) < 0)
            return -1;
        st->u.fill.access_pos = pos_of(v[ACCESS]);
    }
    uint64_t size = st->u.fill.size.value;
    if (st->u.fill.stride.present
        && (st->u.fill.stride.value == 0 || st->u.fill.stride.value > size))
        return fail_at(ld, st->u.fill.stride.pos, KEY("stride") " is %llu (expected more "
                       "than 0 and at most the size, %llu)",
                       (unsigned long long)st->u.fill.stride.value, (unsigned long long)size);
    uint64_t stride = st->u.fill.stride.present ? st->u.fill.stride.value : ld->page_size;
    st->accesses = size / stride + (size % stride != 0);
    return 0;
}

/* mmap: {name, size, start, prot, shared, file, offset, huge, pid}. */
static int step_mmap(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { NAME, SIZE, START, PROT, SHARED, FILE_, OFFSET, HUGE_, PID, NKEYS };
    static const char *const keys[NKEYS] = {"name", "size", "start", "prot", "shared",
                                            "file", "offset", "huge", "pid"};
    yaml_node_t *v[NKEYS];

    if (map_keys(ld, n, "in mmap", "a mapping {name, size, prot, ...}", keys, NKEYS, v) < 0
        || require(ld, n, v[NAME], "name", "in mmap", "a name for the new area") < 0
        || require(ld, n, v[SIZE], "size", "in mmap", size_expected) < 0
        || get_name(ld, v[NAME], KEY("name"), &st->u.mmap.name) < 0
        || get_positive_size(ld, v[SIZE], KEY("size"), &st->u.mmap.size) < 0
        || (v[START] && get_addr(ld, v[START], KEY("start"), &st->u.mmap.start) < 0)
        || (v[PROT] && get_prot(ld, v[PROT], KEY("prot"), &st->u.mmap.prot) < 0)
        || (v[SHARED] && get_flag(ld, v[SHARED], KEY("shared"), &st->u.mmap.shared) < 0)
        || (v[FILE_] && get_file_ref(ld, v[FILE_], &st->u.mmap.file) < 0)
        || (v[OFFSET] && get_size(ld, v[OFFSET], KEY("offset"), &st->u.mmap.offset) < 0)
        || (v[HUGE_] && get_flag(ld, v[HUGE_], KEY("huge"), &st->u.mmap.huge) < 0)
        || opt_pid(ld, v[PID], KEY("pid"), &st->u.mmap.pid) < 0)
        return -1;
    if (st->u.mmap.offset.present && !st->u.mmap.file.present)
        return fail_at(ld, st->u.mmap.offset.pos, KEY("offset") " without " KEY("file")
                       " (expected file: NAME next to it)");
    /* From here on, later steps may name the new area. */
    if (nameset_add(&ld->symbols, st->u.mmap.name.value) < 0)
        return fail_oom(ld, n);
    return 0;
}

/* munmap: {name} or {addr, size}; mprotect: the same plus prot. */
static int step_range(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { NAME, ADDR, SIZE, PID, PROT, NKEYS };
    static const char *const keys[NKEYS] = {"name", "addr", "size", "pid", "prot"};
    yaml_node_t *v[NKEYS] = {NULL};
    int is_mprotect = st->kind == STEP_MPROTECT;
    const char *label = is_mprotect ? "in mprotect" : "in munmap";
    struct scenario_str *name = &st->u.range.name;

    if (map_keys(ld, n, label, is_mprotect ? "a mapping {name, prot} or {addr, size, prot}"
                                           : "a mapping {name} or {addr, size}",
                 keys, is_mprotect ? NKEYS : NKEYS - 1, v) < 0)
        return -1;
    if (v[NAME] != NULL && v[ADDR] != NULL)
        return fail_at(ld, pos_of(v[ADDR]), KEY("addr") " together with " KEY("name")
                       " (expected either name, or addr with size)");
    if (v[NAME] == NULL && v[ADDR] == NULL)
        return fail_at(ld, pos_of(n), "missing key 'name' or 'addr' %s (expected either "
                       "name, or addr with size)", label);
    if (v[NAME] != NULL && v[SIZE] != NULL)
        return fail_at(ld, pos_of(v[SIZE]), KEY("size") " together with " KEY("name")
                       " (expected size only with addr)");
    if (v[ADDR] != NULL
        && require(ld, n, v[SIZE], "size", label, "a size next to addr") < 0)
        return -1;
    if (is_mprotect && require(ld, n, v[PROT], "prot", label, prot_expected) < 0)
        return -1;
    if (v[NAME] != NULL) {
        if (get_name(ld, v[NAME], KEY("name"), name) < 0
            || lookup_symbol(ld, v[NAME], name->value, &name->value) < 0)
            return -1;
    } else if (get_addr(ld, v[ADDR], KEY("addr"), &st->u.range.addr) < 0
               || get_positive_size(ld, v[SIZE], KEY("size"), &st->u.range.size) < 0) {
        return -1;
    }
    if (opt_pid(ld, v[PID], KEY("pid"), &st->u.range.pid) < 0
        || (is_mprotect && get_prot(ld, v[PROT], KEY("prot"), &st->u.range.prot) < 0))
        return -1;
    return 0;
}

/* map: {va, frame, pid, prot}. */
static int step_map(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"va", "frame", "pid", "prot"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (map_keys(ld, n, "in map", "a mapping {va, frame, pid, prot}", keys,
                 COUNT_OF(keys), v) < 0
        || require(ld, n, v[0], "va", "in map", addr_expected) < 0
        || require(ld, n, v[1], "frame", "in map", "a frame number") < 0
        || get_addr(ld, v[0], KEY("va"), &st->u.map.va) < 0
        || get_number(ld, v[1], KEY("frame"), &st->u.map.frame) < 0
        || opt_pid(ld, v[2], KEY("pid"), &st->u.map.pid) < 0
        || (v[3] && get_prot(ld, v[3], KEY("prot"), &st->u.map.prot) < 0))
        return -1;
    return 0;
}

/* switch: PID | {pid};  exit: PID | {pid} | nothing (the running process). */
static int step_process(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"pid"};
    yaml_node_t *v[1];
    int is_exit = st->kind == STEP_EXIT;
    const char *label = is_exit ? "in exit" : "in switch";

    if (is_exit && is_null(n))
        return 0;
    if (n->type == YAML_SCALAR_NODE && !is_null(n))
        return get_pid(ld, n, is_exit ? KEY("exit") : KEY("switch"), &st->u.process.pid);
    if (n->type != YAML_MAPPING_NODE)
        return fail_type(ld, n, is_exit ? KEY("exit") : KEY("switch"), "a pid or {pid}");
    if (map_keys(ld, n, label, "a pid or {pid}", keys, 1, v) < 0
        || (!is_exit && require(ld, n, v[0], "pid", label, "a pid number") < 0)
        || opt_pid(ld, v[0], KEY("pid"), &st->u.process.pid) < 0)
        return -1;
    return 0;
}

/* fork: {pid (parent), child, name}. */
static int step_fork(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"pid", "child", "name"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (map_keys(ld, n, "in fork", "a mapping {pid, child, name}", keys, COUNT_OF(keys), v) < 0
        || require(ld, n, v[1], "child", "in fork", "the child's pid") < 0
        || opt_pid(ld, v[0], KEY("pid"), &st->u.fork.parent) < 0
        || get_pid(ld, v[1], KEY("child"), &st->u.fork.child) < 0
        || (v[2] && get_string(ld, v[2], KEY("name"), "a process name", &st->u.fork.name) < 0))
        return -1;
    return 0;
}

/* repeat: {times, steps}. */
static int step_repeat(struct loader *ld, const yaml_node_t *n, struct scenario_step *st,
                       unsigned depth, uint64_t budget)
{
    static const char *const keys[] = {"times", "steps"};
    yaml_node_t *v[COUNT_OF(keys)];
    char range[64];
    uint64_t inner = 0;

    if (depth + 1 > SCENARIO_MAX_REPEAT_DEPTH)
        return fail_at(ld, st->pos, "repeat nested too deeply (expected at most %u levels "
                       "of repeat)", SCENARIO_MAX_REPEAT_DEPTH);
    snprintf(range, sizeof range, "a number from 1 to %lu", SCENARIO_MAX_TIMES);
    if (map_keys(ld, n, "in repeat", "a mapping {times, steps}", keys, COUNT_OF(keys), v) < 0
        || require(ld, n, v[0], "times", "in repeat", range) < 0
        || require(ld, n, v[1], "steps", "in repeat", "a list of steps") < 0
        || get_number_in(ld, v[0], KEY("times"), 1, SCENARIO_MAX_TIMES, range,
                         &st->u.repeat.times) < 0
        || load_steps(ld, v[1], KEY("steps"), depth + 1, budget, &st->u.repeat.steps,
                      &st->u.repeat.count, &inner) < 0)
        return -1;
    /* inner <= budget <= SCENARIO_MAX_ACCESSES and times <= SCENARIO_MAX_TIMES, so
     * the product fits in 64 bits. */
    st->accesses = inner * st->u.repeat.times.value;
    if (st->accesses > budget)
        return fail_accesses(ld, st->pos);
    return 0;
}

/* say: TEXT;  chapter: NAME. */
static int step_text(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    if (st->kind == STEP_SAY)
        return get_string(ld, n, KEY("say"), "a sentence to show", &st->u.text.text);
    return get_string(ld, n, KEY("chapter"), "a chapter name", &st->u.text.text);
}

static int step_pause(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    (void)st;
    if (is_null(n) || (n->type == YAML_SCALAR_NODE
                       && strcmp((const char *)n->data.scalar.value, "true") == 0))
        return 0;
    return fail_type(ld, n, KEY("pause"), "nothing, or true");
}

/* expect: {COUNTER: TOTAL | +N | -N, ...}. */
static int step_expect(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char expected[] =
        "a number, or +N or -N for a change since the previous expect";
    struct nameset seen = {0};
    size_t count;
    int rc = 0;

    if (n->type != YAML_MAPPING_NODE)
        return fail_type(ld, n, KEY("expect"), "a mapping of counter: value");
    count = node_items(n);
    if (count == 0)
        return fail_type(ld, n, KEY("expect"), "at least one counter: value");
    if (charge(ld, n) < 0)
        return -1;
    struct scenario_expect *items = arena_calloc(ld->arena, count, sizeof *items);
    if (items == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < count && rc == 0; i++) {
        yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = node_get(ld, p->key), *v = node_get(ld, p->value);
        struct scenario_expect *e = &items[i];
        const char *text = NULL;
        size_t len = 0, skip = 0;
        if (scalar_text(ld, k, "a counter name", "a counter name such as minor_faults",
                        &text, &len) < 0) {
            rc = -1;
            break;
        }
        if ((e->name = scalar_copy(ld, k)) == NULL) {
            rc = fail_oom(ld, k);
            break;
        }
        e->name_pos = pos_of(k);
        if (nameset_find(&seen, e->name) != NULL) {
            rc = fail_at(ld, e->name_pos, "duplicate counter '%.*s' in expect (expected "
                         "each counter once)", QUOTE_MAX, e->name);
            break;
        }
        if (nameset_add(&seen, e->name) < 0) {
            rc = fail_oom(ld, k);
            break;
        }
        char label[QUOTE_MAX + 8];
        snprintf(label, sizeof label, "'%.*s'", QUOTE_MAX, e->name);
        if (scalar_text(ld, v, label, expected, &text, &len) < 0) {
            rc = -1;
            break;
        }
        if (len > 0 && (text[0] == '+' || text[0] == '-')) {
            e->relative = 1;
            skip = 1;
        }
        uint64_t value;
        enum value_status vs = value_parse_number(text + skip, len - skip, &value);
        if (vs == VALUE_OK && value > (uint64_t)INT64_MAX)
            vs = VALUE_OVERFLOW;
        if (vs != VALUE_OK) {
            rc = fail_type(ld, v, label, vs == VALUE_OVERFLOW
                           ? "a number of at most 2^63-1" : expected);
            break;
        }
        e->value = text[0] == '-' ? -(int64_t)value : (int64_t)value;
        e->value_pos = pos_of(v);
    }
    nameset_free(&seen);
    st->u.expect.items = items;
    st->u.expect.count = count;
    return rc;
}

/* The trace's path: as written when absolute or when the scenario has no
 * directory, else relative to the scenario's directory. */
static const char *trace_path(struct loader *ld, const char *file)
{
    const char *dir = ld->s->dir;

    if (file[0] == '/' || strcmp(dir, ".") == 0)
        return file;
    size_t ld_len = strlen(dir), lf = strlen(file);
    char *p = arena_alloc(ld->arena, ld_len + lf + 2);
    if (p != NULL) {
        memcpy(p, dir, ld_len);
        p[ld_len] = '/';
        memcpy(p + ld_len + 1, file, lf + 1);
    }
    return p;
}

/* Keeps in the step the largest page a pages trace names, and where, so
 * that the play layer can check it against user space as it checks refs. */
static void record_pages(struct scenario_step *st, const struct trace_census *census)
{
    st->u.trace.max_page = census->max_page;
    st->u.trace.max_page_line = census->max_page_line;
    st->u.trace.max_page_col = census->max_page_col;
}

/* Streams the trace once to validate it and count its accesses; reuses an
 * earlier count of the same trace. *count may exceed budget (then by 1). */
static int count_trace(struct loader *ld, struct scenario_step *st, uint64_t budget,
                       uint64_t *count)
{
    const char *path = st->u.trace.path;
    enum trace_format fmt = st->u.trace.format;
    unsigned long limit = (unsigned long)st->u.trace.limit.value;

    for (size_t i = 0; i < ld->memo_count; i++) {
        const struct trace_memo *m = &ld->memo[i];
        if (m->format == fmt && m->limit == limit && strcmp(m->path, path) == 0) {
            *count = m->census.count;
            record_pages(st, &m->census);
            return 0;
        }
    }
    struct trace_census census;
    if (trace_count(path, fmt, limit, ld->page_size, budget, &census, ld->err) < 0) {
        if (ld->err->line == 0)   /* could not open: point at the step's file: */
            return fail_at(ld, st->u.trace.file.pos, "%s", ld->err->message);
        return -1;
    }
    *count = census.count;
    record_pages(st, &census);
    /* A count over budget is an error anyway, so only exact counts are kept. */
    if (*count <= budget && ld->memo_count < COUNT_OF(ld->memo))
        ld->memo[ld->memo_count++] = (struct trace_memo){path, fmt, limit, census};
    return 0;
}

/* trace: {file, format, limit, auto_areas, pid}. */
static int step_trace(struct loader *ld, const yaml_node_t *n, struct scenario_step *st,
                      uint64_t budget)
{
    enum { FILE_, FORMAT, LIMIT, AUTO_AREAS, PID, NKEYS };
    static const char *const keys[NKEYS] = {"file", "format", "limit", "auto_areas", "pid"};
    yaml_node_t *v[NKEYS];
    struct scenario_str format = {0};
    unsigned nformats;
    const char *const *formats = trace_format_names(&nformats);
    char limit_range[64], format_list[80];

    snprintf(limit_range, sizeof limit_range, "a number from 1 to %lu", ULONG_MAX);
    diag_list(format_list, sizeof format_list, formats, nformats);
    if (map_keys(ld, n, "in trace", "a mapping {file, format, limit, auto_areas, pid}", keys,
                 NKEYS, v) < 0
        || require(ld, n, v[FILE_], "file", "in trace", "a trace file path") < 0
        || require(ld, n, v[FORMAT], "format", "in trace", format_list) < 0
        || get_string(ld, v[FILE_], KEY("file"), "a trace file path", &st->u.trace.file) < 0
        || get_string(ld, v[FORMAT], KEY("format"), format_list, &format) < 0
        || (v[LIMIT] && get_number_in(ld, v[LIMIT], KEY("limit"), 1, ULONG_MAX, limit_range,
                                      &st->u.trace.limit) < 0)
        || (v[AUTO_AREAS] && get_flag(ld, v[AUTO_AREAS], KEY("auto_areas"),
                                      &st->u.trace.auto_areas) < 0)
        || opt_pid(ld, v[PID], KEY("pid"), &st->u.trace.pid) < 0)
        return -1;
    st->u.trace.format_pos = format.pos;
    if (trace_format_lookup(format.value, &st->u.trace.format) < 0) {
        char expected[120];
        return fail_at(ld, format.pos, "unknown trace format '%.*s' (%s)", QUOTE_MAX,
                       format.value, diag_expected_choice(expected, sizeof expected,
                                                          format.value, formats, nformats));
    }
    if (st->u.trace.file.value[0] == '\0')
        return fail_type(ld, v[FILE_], KEY("file"), "a trace file path");
    if ((st->u.trace.path = trace_path(ld, st->u.trace.file.value)) == NULL)
        return fail_oom(ld, n);
    if (count_trace(ld, st, budget, &st->u.trace.count) < 0)
        return -1;
    st->accesses = st->u.trace.count;
    if (st->accesses > budget)
        return fail_accesses(ld, st->pos);
    return 0;
}

static const char step_expected[] =
    "a one-key mapping naming the step, such as '- read: 0x1000'";

/* One step: a mapping with one key, the kind, whose value holds the rest. */
static int load_step(struct loader *ld, const yaml_node_t *n, unsigned depth,
                     uint64_t budget, struct scenario_step *st)
{
    static const char *const kinds[STEP_KIND_COUNT] = {
#define STEP_KIND_NAME(id, name, help) [STEP_##id] = name,
        STEP_KIND_INFO(STEP_KIND_NAME)
#undef STEP_KIND_NAME
    };
    const char *text = NULL;
    size_t len = 0;

    if (n->type != YAML_MAPPING_NODE || node_items(n) == 0)
        return fail_type(ld, n, "a step", step_expected);
    if (charge(ld, n) < 0)
        return -1;
    yaml_node_t *k = node_get(ld, n->data.mapping.pairs.start[0].key);
    yaml_node_t *v = node_get(ld, n->data.mapping.pairs.start[0].value);
    if (k->type != YAML_SCALAR_NODE || is_null(k))
        return fail_type(ld, k, "a step kind", "a name such as read, fill or expect");
    if (scalar_text(ld, k, "a step kind", "a name such as read", &text, &len) < 0)
        return -1;
    st->pos = pos_of(k);
    if (step_kind_lookup(text, &st->kind) < 0) {
        char expected[320];
        return fail_at(ld, st->pos, "unknown step '%.*s' (%s)", QUOTE_MAX, text,
                       diag_expected_choice(expected, sizeof expected, text, kinds,
                                            STEP_KIND_COUNT));
    }
    if (node_items(n) > 1) {
        yaml_node_t *k2 = node_get(ld, n->data.mapping.pairs.start[1].key);
        char buf[QUOTE_MAX + 8];
        return fail_at(ld, pos_of(k2), "a step has a second key %s next to '%s' (expected "
                       "one key per step; indent options under it, as in '- %s: {...}')",
                       describe(k2, buf, sizeof buf), text, text);
    }
    switch (st->kind) {
    case STEP_READ:
    case STEP_WRITE:
    case STEP_EXEC:
        return step_access(ld, v, st);
    case STEP_REFS:
        return step_refs(ld, v, st);
    case STEP_FILL:
        return step_fill(ld, v, st);
    case STEP_MMAP:
        return step_mmap(ld, v, st);
    case STEP_MUNMAP:
    case STEP_MPROTECT:
        return step_range(ld, v, st);
    case STEP_MAP:
        return step_map(ld, v, st);
    case STEP_SWITCH:
    case STEP_EXIT:
        return step_process(ld, v, st);
    case STEP_FORK:
        return step_fork(ld, v, st);
    case STEP_REPEAT:
        return step_repeat(ld, v, st, depth, budget);
    case STEP_SAY:
    case STEP_CHAPTER:
        return step_text(ld, v, st);
    case STEP_PAUSE:
        return step_pause(ld, v, st);
    case STEP_EXPECT:
        return step_expect(ld, v, st);
    case STEP_TRACE:
        return step_trace(ld, v, st, budget);
    case STEP_KIND_COUNT:
        break;
    }
    return fail_type(ld, k, "a step kind", "a known step");
}

/* A list of steps that may perform at most budget accesses in all; *accesses
 * gets how many they do. depth counts the repeats around the list. */
static int load_steps(struct loader *ld, const yaml_node_t *n, const char *label,
                      unsigned depth, uint64_t budget, struct scenario_step **out,
                      size_t *count, uint64_t *accesses)
{
    uint64_t total = 0;

    if (n->type != YAML_SEQUENCE_NODE)
        return fail_type(ld, n, label, "a list of steps");
    if (node_items(n) == 0)
        return fail_type(ld, n, label, "at least one step");
    if (charge(ld, n) < 0)
        return -1;
    *count = node_items(n);
    *out = arena_calloc(ld->arena, *count, sizeof **out);
    if (*out == NULL)
        return fail_oom(ld, n);
    for (size_t i = 0; i < *count; i++) {
        yaml_node_t *item = node_get(ld, n->data.sequence.items.start[i]);
        struct scenario_step *st = &(*out)[i];
        if (++ld->steps > SCENARIO_MAX_STEPS)
            return fail_at(ld, pos_of(item), "too many steps (expected at most %lu in the "
                           "file, counting nested steps and aliases)", SCENARIO_MAX_STEPS);
        if (load_step(ld, item, depth, budget - total, st) < 0)
            return -1;
        /* total <= budget holds after every step, so nothing here can wrap. */
        if (st->accesses > budget - total)
            return fail_accesses(ld, st->pos);
        total += st->accesses;
    }
    *accesses = total;
    return 0;
}

/* ---- top level -------------------------------------------------------- */

static int load_root(struct loader *ld, const yaml_node_t *root)
{
    enum { TITLE, DESCRIPTION, MACHINE, PROCESSES, FILES, STEPS, NKEYS };
    static const char *const keys[NKEYS] = {"title", "description", "machine",
                                            "processes", "files", "steps"};
    yaml_node_t *v[NKEYS];
    struct scenario *s = ld->s;

    static const char expected[] = "a mapping with title, processes and steps";

    if (root->type != YAML_MAPPING_NODE)
        return fail_type(ld, root, "the scenario", expected);
    if (map_keys(ld, root, "at the top level", expected, keys, NKEYS, v) < 0
        || require(ld, root, v[TITLE], "title", "at the top level",
                   "a title: line naming the scenario") < 0
        || require(ld, root, v[PROCESSES], "processes", "at the top level",
                   "a list of at least one process") < 0
        || require(ld, root, v[STEPS], "steps", "at the top level",
                   "a list of at least one step") < 0
        || get_string(ld, v[TITLE], KEY("title"), "a title", &s->title) < 0
        || (s->title.value[0] == '\0' && fail_type(ld, v[TITLE], KEY("title"), "a title") < 0)
        || (v[DESCRIPTION] && get_string(ld, v[DESCRIPTION], KEY("description"),
                                         "a description", &s->description) < 0))
        return -1;
    /* Fixed order, whatever the file's: steps refer to processes and files,
     * processes to files, and fills need the page size. */
    if ((v[MACHINE] && load_machine(ld, v[MACHINE]) < 0)
        || (v[FILES] && load_files(ld, v[FILES]) < 0)
        || load_processes(ld, v[PROCESSES]) < 0)
        return -1;
    ld->page_size = s->machine.page_size.present ? s->machine.page_size.value
                                                 : SCENARIO_DEFAULT_PAGE_SIZE;
    return load_steps(ld, v[STEPS], KEY("steps"), 0, SCENARIO_MAX_ACCESSES, &s->steps,
                      &s->step_count, &s->total_accesses);
}

/* The directory part of path: "." when there is none. */
static const char *dir_of(struct arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return ".";
    if (slash == path)
        return "/";
    return arena_strndup(a, path, (size_t)(slash - path));
}

struct scenario *scenario_load_string(const char *name, const char *text, size_t len,
                                      struct diag *err)
{
    struct diag scratch;
    struct loader ld = {.file = name, .err = err ? err : &scratch};
    int rc = -1;

    if (len > SCENARIO_MAX_FILE_BYTES) {
        fail_at(&ld, (struct scenario_pos){1, 1}, "the file is too large, %zu bytes "
                "(expected at most %lu)", len, SCENARIO_MAX_FILE_BYTES);
        return NULL;
    }
    ld.arena = arena_new();
    if (ld.arena == NULL || (ld.s = arena_alloc(ld.arena, sizeof *ld.s)) == NULL
        || (ld.s->path = arena_strndup(ld.arena, name, strlen(name))) == NULL
        || (ld.s->dir = dir_of(ld.arena, name)) == NULL) {
        arena_free(ld.arena);
        fail_at(&ld, (struct scenario_pos){1, 1}, "out of memory (expected a smaller "
                "scenario)");
        return NULL;
    }
    ld.s->arena = ld.arena;
    if (compose_document(name, text, len, &ld.doc, ld.err) < 0) {
        arena_free(ld.arena);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&ld.doc);
    if (root == NULL) {
        fail_at(&ld, (struct scenario_pos){1, 1}, "the file is empty (expected a mapping "
                "with title, processes and steps)");
        goto done;
    }
    ld.scalar_copy = calloc((size_t)(ld.doc.nodes.top - ld.doc.nodes.start),
                            sizeof *ld.scalar_copy);
    if (ld.scalar_copy == NULL) {
        fail_at(&ld, (struct scenario_pos){1, 1}, "out of memory (expected a smaller "
                "scenario)");
        goto done;
    }
    rc = load_root(&ld, root);
done:
    free(ld.scalar_copy);
    nameset_free(&ld.symbols);
    nameset_free(&ld.file_names);
    yaml_document_delete(&ld.doc);
    if (rc < 0) {
        arena_free(ld.arena);
        return NULL;
    }
    return ld.s;
}

struct scenario *scenario_load(const char *path, struct diag *err)
{
    FILE *fp = userfile_open(path, "the scenario", err);
    char *text;
    size_t len;
    struct scenario *s;

    if (fp == NULL)
        return NULL;
    /* One byte more than allowed tells "too large" from "exactly at the limit". */
    text = malloc(SCENARIO_MAX_FILE_BYTES + 1);
    if (text == NULL) {
        fclose(fp);
        diag_set(err, path, 0, 0, "out of memory (expected a smaller scenario)");
        return NULL;
    }
    len = fread(text, 1, SCENARIO_MAX_FILE_BYTES + 1, fp);
    if (ferror(fp)) {
        diag_set(err, path, 0, 0, "cannot read the scenario: %s (expected a readable "
                 "file)", strerror(errno));
        fclose(fp);
        free(text);
        return NULL;
    }
    fclose(fp);
    if (len > SCENARIO_MAX_FILE_BYTES) {
        diag_set(err, path, 0, 0, "the file is too large (expected at most %lu bytes)",
                 SCENARIO_MAX_FILE_BYTES);
        free(text);
        return NULL;
    }
    s = scenario_load_string(path, text, len, err);
    free(text);
    return s;
}
