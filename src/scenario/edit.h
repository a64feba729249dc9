/* Steps typed on one line, and a scenario's text with such steps put into
 * its steps list: what the viewer's live prompt plays and what `:save`
 * writes.
 *
 * A step on one line is written as an item of a steps list is, without
 * the "- " ("write: heap+0x2000", "mmap: {name: b, size: 8KiB}"); the
 * colon after the kind may be left out ("write heap+0x2000", "fork
 * {child: 2}"), and a leading "- " is allowed. Steps whose options are a
 * mapping may give them as words in a fixed order instead
 * (SCENARIO_LINE_WORDS: "mprotect heap r--" is "mprotect: {name: heap,
 * prot: r--}"). The line is turned into
 * that item form and checked to be one YAML item on its own; what the
 * step means is checked by the loader itself, once the line is in the
 * scenario's text: scenario_splice puts it there and scenario_load_string
 * reads the whole, so every kind of step the loader knows can be typed. */
#ifndef VMVIZ_SCENARIO_EDIT_H
#define VMVIZ_SCENARIO_EDIT_H

#include <stddef.h>

#include "util/diag.h"

/* The longest step line, in bytes. */
#define SCENARIO_LINE_MAX 1024

/* The steps that take their options as words, and the option each word
 * is, in order: kind, then up to SCENARIO_LINE_MAX_WORDS keys. */
#define SCENARIO_LINE_MAX_WORDS 3
#define SCENARIO_LINE_WORDS(X)                 \
    X("mmap", "name", "size", "prot")          \
    X("munmap", "name", NULL, NULL)            \
    X("mprotect", "name", "prot", NULL)        \
    X("fork", "child", "name", NULL)           \
    X("spawn", "program", "child", "pid")

/* Where a run of the item form came from in the typed line. */
struct scenario_line_piece {
    unsigned yaml_from;    /* 0-based offset in the item form */
    unsigned typed_from;   /* 0-based column of the typed line */
};

/* A typed line in item form, and how to find the typed columns again. */
struct scenario_line {
    char yaml[SCENARIO_LINE_MAX + 64]; /* "KIND: ARGS": the colon added if need be, or
                                          words made a mapping */
    unsigned typed_from;               /* 0-based column of the typed line it starts at */
    unsigned kind_len;                 /* bytes of the kind word */
    int colon_added;                   /* 1 when the colon after the kind was added */
    unsigned typed_len;                /* bytes of the typed line */
    /* Words turned into a mapping: each piece of the item form and the
     * typed column it stands for (npieces 0: the item form is the typed
     * line, with at most the colon added). */
    struct scenario_line_piece pieces[SCENARIO_LINE_MAX_WORDS + 1];
    unsigned npieces;
};

/* Turns a typed line into item form and checks it is one YAML step on
 * one line (a one-key mapping; what the key and value mean is the
 * loader's to check). 0, or -1 with err set to NAME:1:COLUMN, the column
 * of the typed line, as every error of the line is. */
int scenario_line_parse(const char *name, const char *typed, struct scenario_line *out,
                        struct diag *err);

/* The 1-based column of the typed line that 1-based column col of the
 * item form (as inserted into a text, col counted from the item's first
 * byte) stands for. */
unsigned scenario_line_column(const struct scenario_line *l, unsigned col);

/* A line to put into the steps list: before the top-level step with
 * index `before` (the step count: after the last). */
struct scenario_insert {
    size_t before;
    const char *yaml;      /* item form, one line */
};

/* Where an inserted line ended up in the new text: its 1-based line, and
 * the 1-based column of its item's first byte. */
struct scenario_inserted {
    unsigned line, col;
};

/* A scenario's text text[0..len) with each inserted line put into its
 * top-level steps list, a line of its own at the list's indentation,
 * "- " first. ins must be in order of `before`; lines for the same place
 * go in their order. The steps list must be a block list (one "- " item
 * a line): a flow list ("steps: [...]") is refused. Returns the new text
 * (malloc'd, NUL-terminated, *out_len bytes) and fills at[i] for ins[i];
 * NULL with err set (at name) when the text does not parse, has no block
 * steps list, or an index is past the list. */
char *scenario_splice(const char *name, const char *text, size_t len,
                      const struct scenario_insert *ins, size_t n,
                      struct scenario_inserted *at, size_t *out_len, struct diag *err);

#endif
