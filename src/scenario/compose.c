/* YAML text → libyaml node graph: see compose.h. */
#include "scenario/compose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

/* An anchor seen so far: aliases resolve to the latest of a name. */
struct anchor {
    char *name;
    int index;
    int complete;   /* 0 while its collection is still open */
};

struct composer {
    const char *file;
    const char *text;
    size_t len;
    struct diag *err;
    yaml_document_t *doc;
    struct anchor *anchors;
    size_t anchor_count, anchor_cap;
    struct {
        int index;          /* the open collection's node */
        int key;            /* in a mapping: the key awaiting its value, or 0 */
        size_t anchor;      /* its anchor's slot + 1, or 0 */
    } open[SCENARIO_MAX_YAML_DEPTH];
    unsigned depth;
};

/* Sets the error at 0-based mark m; always returns -1. */
static int fail_at_mark(struct composer *c, yaml_mark_t m, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

static int fail_at_mark(struct composer *c, yaml_mark_t m, const char *fmt, ...)
{
    char msg[sizeof c->err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_set(c->err, c->file, (unsigned)m.line + 1, (unsigned)m.column + 1, "%s", msg);
    return -1;
}

static int fail_oom(struct composer *c, yaml_mark_t m)
{
    return fail_at_mark(c, m, "out of memory (expected a smaller scenario)");
}

/* The 0-based mark of byte offset in the text, for reader errors, which come
 * with an offset only. Columns count characters, as libyaml's do. */
static yaml_mark_t mark_of_offset(const struct composer *c, size_t offset)
{
    yaml_mark_t m = {0, 0, 0};

    for (size_t i = 0; i < offset && i < c->len; i++) {
        if (c->text[i] == '\n') {
            m.line++;
            m.column = 0;
        } else if (((unsigned char)c->text[i] & 0xc0) != 0x80) {
            m.column++;
        }
    }
    m.index = offset;
    return m;
}

static int fail_yaml(struct composer *c, const yaml_parser_t *parser)
{
    const char *problem = parser->problem ? parser->problem : "unknown problem";

    switch (parser->error) {
    case YAML_MEMORY_ERROR:
        return fail_oom(c, parser->problem_mark);
    case YAML_READER_ERROR:
        return fail_at_mark(c, mark_of_offset(c, parser->problem_offset),
                            "invalid text: %s (expected UTF-8 text without control "
                            "characters)", problem);
    default:
        if (parser->context != NULL)
            return fail_at_mark(c, parser->problem_mark, "invalid YAML: %s (%s at line %u, "
                                "column %u)", problem, parser->context,
                                (unsigned)parser->context_mark.line + 1,
                                (unsigned)parser->context_mark.column + 1);
        return fail_at_mark(c, parser->problem_mark, "invalid YAML: %s (expected valid "
                            "YAML syntax)", problem);
    }
}

/* Gives node index its position and hangs it under the open collection.
 * 1 on success, 0 when out of memory (libyaml's convention). */
static int attach(struct composer *c, int index, yaml_mark_t mark)
{
    yaml_document_t *doc = c->doc;

    doc->nodes.start[index - 1].start_mark = mark;
    if (c->depth == 0)
        return 1;   /* the root: the document's first node */
    int parent = c->open[c->depth - 1].index;
    if (doc->nodes.start[parent - 1].type == YAML_SEQUENCE_NODE)
        return yaml_document_append_sequence_item(doc, parent, index);
    if (c->open[c->depth - 1].key == 0) {
        c->open[c->depth - 1].key = index;
        return 1;
    }
    int key = c->open[c->depth - 1].key;
    c->open[c->depth - 1].key = 0;
    return yaml_document_append_mapping_pair(doc, parent, key, index);
}

/* Remembers anchor name (if any) for node index. Its slot + 1, 0 when there
 * is no anchor, -1 when out of memory. */
static long add_anchor(struct composer *c, const yaml_char_t *name, int index, int complete)
{
    if (name == NULL)
        return 0;
    if (c->anchor_count == c->anchor_cap) {
        size_t cap = c->anchor_cap ? c->anchor_cap * 2 : 16;
        struct anchor *a = realloc(c->anchors, cap * sizeof *a);
        if (a == NULL)
            return -1;
        c->anchors = a;
        c->anchor_cap = cap;
    }
    char *copy = strdup((const char *)name);
    if (copy == NULL)
        return -1;
    c->anchors[c->anchor_count] = (struct anchor){copy, index, complete};
    return (long)++c->anchor_count;
}

static int on_alias(struct composer *c, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    size_t i = c->anchor_count;

    while (i > 0 && strcmp(c->anchors[i - 1].name, name) != 0)
        i--;
    if (i == 0)
        return fail_at_mark(c, ev->start_mark, "unknown alias '*%.*s' (expected an anchor "
                            "'&%.*s' defined earlier)", DIAG_QUOTE_MAX, name, DIAG_QUOTE_MAX, name);
    /* An alias inside its own anchor would make the graph a cycle. */
    if (!c->anchors[i - 1].complete)
        return fail_at_mark(c, ev->start_mark, "alias '*%.*s' is used inside its own "
                            "anchor (expected an anchor that is complete)", DIAG_QUOTE_MAX, name);
    int index = c->anchors[i - 1].index;
    /* No new node: the alias is the anchored node, position and all. */
    if (!attach(c, index, c->doc->nodes.start[index - 1].start_mark))
        return fail_oom(c, ev->start_mark);
    return 0;
}

static int on_scalar(struct composer *c, const yaml_event_t *ev)
{
    /* length fits an int: the whole text is at most SCENARIO_MAX_FILE_BYTES. */
    int index = yaml_document_add_scalar(c->doc, NULL, ev->data.scalar.value,
                                         (int)ev->data.scalar.length, ev->data.scalar.style);

    if (index == 0 || !attach(c, index, ev->start_mark)
        || add_anchor(c, ev->data.scalar.anchor, index, 1) < 0)
        return fail_oom(c, ev->start_mark);
    return 0;
}

static int on_collection_start(struct composer *c, const yaml_event_t *ev)
{
    int is_seq = ev->type == YAML_SEQUENCE_START_EVENT;
    int index;
    long slot;

    if (c->depth == SCENARIO_MAX_YAML_DEPTH)
        return fail_at_mark(c, ev->start_mark, "YAML nested too deeply (expected at most "
                            "%u levels of lists and mappings)", SCENARIO_MAX_YAML_DEPTH);
    if (is_seq)
        index = yaml_document_add_sequence(c->doc, NULL, ev->data.sequence_start.style);
    else
        index = yaml_document_add_mapping(c->doc, NULL, ev->data.mapping_start.style);
    if (index == 0)
        return fail_oom(c, ev->start_mark);
    slot = add_anchor(c, is_seq ? ev->data.sequence_start.anchor
                                : ev->data.mapping_start.anchor, index, 0);
    if (slot < 0 || !attach(c, index, ev->start_mark))
        return fail_oom(c, ev->start_mark);
    c->open[c->depth].index = index;
    c->open[c->depth].key = 0;
    c->open[c->depth].anchor = (size_t)slot;
    c->depth++;
    return 0;
}

static void on_collection_end(struct composer *c)
{
    c->depth--;
    if (c->open[c->depth].anchor != 0)
        c->anchors[c->open[c->depth].anchor - 1].complete = 1;
}

/* Handles one event. 1 at the end of the stream, 0 to go on, -1 on error. */
static int on_event(struct composer *c, const yaml_event_t *ev, unsigned *documents)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*documents > 1)
            return fail_at_mark(c, ev->start_mark, "a second YAML document (expected one "
                                "scenario per file)");
        return 0;
    case YAML_ALIAS_EVENT:
        return on_alias(c, ev);
    case YAML_SCALAR_EVENT:
        return on_scalar(c, ev);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(c, ev);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        on_collection_end(c);
        return 0;
    case YAML_STREAM_END_EVENT:
        return 1;
    default:
        return 0;
    }
}

int compose_document(const char *file, const char *text, size_t len,
                     yaml_document_t *doc, struct diag *err)
{
    struct composer c = {.file = file, .text = text, .len = len, .err = err, .doc = doc};
    yaml_parser_t parser;
    unsigned documents = 0;
    int rc = 0;

    if (!yaml_parser_initialize(&parser)) {
        diag_set(err, file, 1, 1, "out of memory (expected a smaller scenario)");
        return -1;
    }
    if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1)) {
        yaml_parser_delete(&parser);
        diag_set(err, file, 1, 1, "out of memory (expected a smaller scenario)");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = fail_yaml(&c, &parser);
            break;
        }
        rc = on_event(&c, &ev, &documents);
        yaml_event_delete(&ev);
    }
    for (size_t i = 0; i < c.anchor_count; i++)
        free(c.anchors[i].name);
    free(c.anchors);
    yaml_parser_delete(&parser);
    if (rc < 0) {
        yaml_document_delete(doc);
        return -1;
    }
    return 0;
}
