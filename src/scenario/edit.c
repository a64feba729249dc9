/* Steps typed on one line, and a scenario's text with them put into its
 * steps list. See edit.h. */
#include "scenario/edit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "scenario/compose.h"

/* The item marker a line gets in a steps list. */
static const char item_marker[] = "- ";
#define ITEM_MARKER_LEN (sizeof item_marker - 1)

static bool is_kind_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

unsigned scenario_line_column(const struct scenario_line *l, unsigned col)
{
    unsigned o = col > 0 ? col - 1 : 0;
    if (l->npieces) {
        /* Words made into a mapping: the piece the column falls in. */
        const struct scenario_line_piece *p = &l->pieces[0];
        for (unsigned i = 1; i < l->npieces; i++)
            if (l->pieces[i].yaml_from <= o)
                p = &l->pieces[i];
        unsigned typed = p->typed_from + (o - p->yaml_from) + 1;
        return typed > l->typed_len + 1 ? l->typed_len + 1 : typed;
    }
    /* Columns after an added colon are one further right than typed. */
    if (l->colon_added && o > l->kind_len)
        o--;
    unsigned typed = l->typed_from + o + 1;
    return typed > l->typed_len + 1 ? l->typed_len + 1 : typed;
}

static const struct {
    const char *kind;
    const char *keys[SCENARIO_LINE_MAX_WORDS];
} line_words[] = {
#define LINE_WORDS_ROW(kind, k1, k2, k3) {kind, {k1, k2, k3}},
    SCENARIO_LINE_WORDS(LINE_WORDS_ROW)
#undef LINE_WORDS_ROW
};

/* "KIND w1 w2" of a kind that takes words: the item form
 * "KIND: {k1: w1, k2: w2}" into out->yaml, with the pieces that map its
 * columns back. 1 when done, 0 when the line is not of that shape (a
 * mapping or a quoted value given as it is), -1 with err set. */
static int words_to_mapping(const char *name, const char *typed, size_t kind_from,
                            size_t kind_to, size_t to, struct scenario_line *out,
                            struct diag *err)
{
    size_t at = kind_to;
    if (at < to && typed[at] == ':')
        at++;
    while (at < to && typed[at] == ' ')
        at++;
    if (at < to && strchr("{[\"'", typed[at]))
        return 0;
    const char *const *keys = NULL;
    for (size_t k = 0; k < sizeof line_words / sizeof line_words[0]; k++)
        if (strlen(line_words[k].kind) == kind_to - kind_from &&
            memcmp(line_words[k].kind, typed + kind_from, kind_to - kind_from) == 0)
            keys = line_words[k].keys;
    if (!keys || at == to)
        return 0;
    size_t len = (size_t)snprintf(out->yaml, sizeof out->yaml, "%.*s: {",
                                  (int)(kind_to - kind_from), typed + kind_from);
    out->pieces[0] = (struct scenario_line_piece){0, (unsigned)kind_from};
    out->npieces = 1;
    for (unsigned w = 0; at < to; w++) {
        size_t end = at;
        while (end < to && typed[end] != ' ')
            end++;
        if (w >= SCENARIO_LINE_MAX_WORDS || !keys[w]) {
            char form[96];
            size_t f = 0;
            for (unsigned k = 0; k < SCENARIO_LINE_MAX_WORDS && keys[k]; k++)
                f += (size_t)snprintf(form + f, sizeof form - f, " %s", keys[k]);
            diag_set(err, name, 1, (unsigned)at + 1, "'%.*s' is one word too many (expected "
                     "%.*s%s)", (int)(end - at), typed + at, (int)(kind_to - kind_from),
                     typed + kind_from, form);
            return -1;
        }
        len += (size_t)snprintf(out->yaml + len, sizeof out->yaml - len, "%s%s: ",
                                w ? ", " : "", keys[w]);
        if (len + (end - at) + 2 >= sizeof out->yaml) {
            diag_set(err, name, 1, (unsigned)at + 1, "the line is too long (expected at most "
                     "%u bytes)", SCENARIO_LINE_MAX);
            return -1;
        }
        out->pieces[out->npieces++] = (struct scenario_line_piece){(unsigned)len, (unsigned)at};
        memcpy(out->yaml + len, typed + at, end - at);
        len += end - at;
        at = end;
        while (at < to && typed[at] == ' ')
            at++;
    }
    snprintf(out->yaml + len, sizeof out->yaml - len, "}");
    return 1;
}

int scenario_line_parse(const char *name, const char *typed, struct scenario_line *out,
                        struct diag *err)
{
    size_t n = strlen(typed);
    memset(out, 0, sizeof *out);
    out->typed_len = n > SCENARIO_LINE_MAX ? SCENARIO_LINE_MAX : (unsigned)n;
    if (n > SCENARIO_LINE_MAX) {
        diag_set(err, name, 1, SCENARIO_LINE_MAX + 1, "the line is too long, %zu bytes "
                 "(expected at most %u)", n, SCENARIO_LINE_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)typed[i] < 0x20 || typed[i] == 0x7f) {
            diag_set(err, name, 1, (unsigned)i + 1, "a control character (expected "
                     "printable text)");
            return -1;
        }
    size_t from = 0, to = n;
    while (from < n && typed[from] == ' ')
        from++;
    /* A line copied from a scenario file keeps its item marker. */
    if (n - from >= ITEM_MARKER_LEN && memcmp(typed + from, item_marker, ITEM_MARKER_LEN) == 0)
        from += ITEM_MARKER_LEN;
    while (from < n && typed[from] == ' ')
        from++;
    while (to > from && typed[to - 1] == ' ')
        to--;
    if (from == to) {
        diag_set(err, name, 1, (unsigned)from + 1, "an empty line (expected a step such as "
                 "'write: 0x1000' or 'refs: 1 2 3')");
        return -1;
    }
    out->typed_from = (unsigned)from;
    size_t kind = from;
    while (kind < to && is_kind_byte(typed[kind]))
        kind++;
    out->kind_len = (unsigned)(kind - from);
    int worded = words_to_mapping(name, typed, from, kind, to, out, err);
    if (worded < 0)
        return -1;
    if (!worded) {
        size_t len = kind - from;
        memcpy(out->yaml, typed + from, len);
        if (out->kind_len > 0 && (kind == to || typed[kind] != ':')) {
            out->yaml[len++] = ':';
            out->colon_added = 1;
        }
        memcpy(out->yaml + len, typed + kind, to - kind);
        len += to - kind;
        out->yaml[len] = '\0';
    }

    /* On its own, as the one item of a list: a line that does not end
     * there (an open quote or bracket) or is no mapping fails here, at its
     * own columns, before it goes near the scenario's text. */
    char doc[sizeof out->yaml + ITEM_MARKER_LEN + 1];
    snprintf(doc, sizeof doc, "%s%s\n", item_marker, out->yaml);
    yaml_document_t d;
    struct diag inner;
    if (compose_document(name, doc, strlen(doc), &d, &inner) < 0) {
        unsigned col = inner.col > ITEM_MARKER_LEN ? inner.col - (unsigned)ITEM_MARKER_LEN : 1;
        /* A problem found past the line's end (an open quote) is at its end. */
        diag_set(err, name, 1, inner.line > 1 ? out->typed_len + 1
                                              : scenario_line_column(out, col), "%s",
                 inner.message);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&d);
    bool one_mapping = root && root->type == YAML_SEQUENCE_NODE &&
                       root->data.sequence.items.top - root->data.sequence.items.start == 1 &&
                       yaml_document_get_node(&d, root->data.sequence.items.start[0])->type ==
                           YAML_MAPPING_NODE;
    yaml_document_delete(&d);
    if (!one_mapping) {
        diag_set(err, name, 1, (unsigned)from + 1, "'%.*s' is not a step (expected KIND: "
                 "ARGS, such as 'write: 0x1000' or 'mmap: {name: b, size: 8KiB}')",
                 DIAG_QUOTE_MAX, typed + from);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* splicing                                                            */

/* Where the top-level steps list is in a text: the byte offset of the
 * line each item starts on, where the list ends, and the column of its
 * item markers. */
struct steps_places {
    size_t *item_line;     /* offsets of the start of each item's line */
    size_t count;
    size_t end;            /* offset where the list ends (the next line to write on) */
    bool end_mid_line;     /* the text ends without a newline, right there */
    unsigned indent;       /* 0-based column of the "- " markers */
};

/* The offset of the start of the line that offset at is on. */
static size_t line_start(const char *text, size_t at)
{
    while (at > 0 && text[at - 1] != '\n')
        at--;
    return at;
}

/* Finds the top-level steps list by the parser's events (the loader has
 * read the text already; this only locates it). 0, or -1 with err set. */
static int find_steps(const char *name, const char *text, size_t len, struct steps_places *p,
                      struct diag *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int depth = 0, rc = -1;
    /* In the root mapping: whether the next node is a key, and whether
     * the value after the key just read is the steps list. */
    bool at_key = true, steps_next = false, in_steps = false, done = false;
    int steps_depth = 0;
    size_t cap = 0;

    memset(p, 0, sizeof *p);
    if (!yaml_parser_initialize(&parser)) {
        diag_set(err, name, 0, 0, "out of memory (expected a smaller scenario)");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            diag_set(err, name, (unsigned)parser.problem_mark.line + 1,
                     (unsigned)parser.problem_mark.column + 1, "%s (expected a scenario that "
                     "loads)", parser.problem ? parser.problem : "cannot parse");
            goto out;
        }
        yaml_event_type_t t = ev.type;
        bool starts = t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT;
        bool ends = t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT;
        bool node = starts || t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT;
        if (in_steps && node && depth == steps_depth) {
            if (p->count == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                size_t *grown = realloc(p->item_line, ncap * sizeof *grown);
                if (!grown) {
                    yaml_event_delete(&ev);
                    diag_set(err, name, 0, 0, "out of memory (expected a smaller scenario)");
                    goto out;
                }
                p->item_line = grown;
                cap = ncap;
            }
            p->item_line[p->count++] = line_start(text, ev.start_mark.index);
        }
        if (in_steps && t == YAML_SEQUENCE_END_EVENT && depth == steps_depth) {
            size_t at = ev.start_mark.index;
            p->end = line_start(text, at);
            /* At the end of a text without a final newline, the list ends
             * mid-line: the new lines go after a newline of their own. */
            if (at == len && at > 0 && text[at - 1] != '\n') {
                p->end = len;
                p->end_mid_line = true;
            }
            rc = 0;
            done = true;
        }
        if (depth == 1 && node && !in_steps) {
            if (steps_next) {
                if (t != YAML_SEQUENCE_START_EVENT ||
                    ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE) {
                    diag_set(err, name, (unsigned)ev.start_mark.line + 1,
                             (unsigned)ev.start_mark.column + 1, "the steps list is not a "
                             "block list (expected one '- ' item a line, so that typed "
                             "steps can go between them)");
                    yaml_event_delete(&ev);
                    goto out;
                }
                in_steps = true;
                steps_depth = depth + 1;
            }
            steps_next = at_key && t == YAML_SCALAR_EVENT &&
                         strcmp((const char *)ev.data.scalar.value, "steps") == 0;
            at_key = !at_key;
        }
        if (starts)
            depth++;
        if (ends)
            depth--;
        if (t == YAML_STREAM_END_EVENT)
            done = true;
        yaml_event_delete(&ev);
    }
    if (rc < 0)
        diag_set(err, name, 1, 1, "no steps list at the top level (expected 'steps:' "
                 "with a list of steps)");
    else if (p->count > 0) {
        const char *line = text + p->item_line[0];
        unsigned indent = 0;
        while (line[indent] == ' ')
            indent++;
        p->indent = indent;
    }
out:
    yaml_parser_delete(&parser);
    if (rc < 0) {
        free(p->item_line);
        p->item_line = NULL;
    }
    return rc;
}

/* A growing output text that counts its lines. */
struct out_text {
    char *s;
    size_t len, cap;
    unsigned lines;        /* newlines written */
    bool failed;
};

static void put(struct out_text *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t ncap = (o->len + n + 1) * 2;
        char *grown = realloc(o->s, ncap);
        if (!grown) {
            o->failed = true;
            return;
        }
        o->s = grown;
        o->cap = ncap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
    for (size_t i = 0; i < n; i++)
        o->lines += s[i] == '\n';
}

char *scenario_splice(const char *name, const char *text, size_t len,
                      const struct scenario_insert *ins, size_t n,
                      struct scenario_inserted *at, size_t *out_len, struct diag *err)
{
    struct steps_places p;
    if (find_steps(name, text, len, &p, err) < 0)
        return NULL;
    struct out_text o = {0};
    size_t copied = 0;
    for (size_t i = 0; i < n; i++) {
        if (ins[i].before > p.count || (i > 0 && ins[i].before < ins[i - 1].before)) {
            diag_set(err, name, 0, 0, "no place %zu in the steps list (expected at most %zu, "
                     "in order)", ins[i].before, p.count);
            free(p.item_line);
            free(o.s);
            return NULL;
        }
        size_t where = ins[i].before < p.count ? p.item_line[ins[i].before] : p.end;
        put(&o, text + copied, where - copied);
        copied = where;
        if (ins[i].before == p.count && p.end_mid_line && where == len && o.len > 0 &&
            o.s[o.len - 1] != '\n')
            put(&o, "\n", 1);
        for (unsigned c = 0; c < p.indent; c++)
            put(&o, " ", 1);
        at[i].line = o.lines + 1;
        at[i].col = p.indent + (unsigned)ITEM_MARKER_LEN + 1;
        put(&o, item_marker, ITEM_MARKER_LEN);
        put(&o, ins[i].yaml, strlen(ins[i].yaml));
        put(&o, "\n", 1);
    }
    put(&o, text + copied, len - copied);
    free(p.item_line);
    if (o.failed || !o.s) {
        free(o.s);
        diag_set(err, name, 0, 0, "out of memory (expected a smaller scenario)");
        return NULL;
    }
    *out_len = o.len;
    return o.s;
}
