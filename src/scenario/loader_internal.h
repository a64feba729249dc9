/* What the files of the scenario loader share. Not for use outside
 * src/scenario: the loader's interface is scenario.h.
 *
 * The loader is split by the parts of a scenario file:
 *
 *   loader.c            the entry points and the top level: the order in
 *                       which the sections are read
 *   loader_nodes.c      errors at a node's position, the node budget
 *                       (SCENARIO_MAX_NODES), scalars, mappings and keys
 *   nameset.c           sets of names (areas, files, counters) with hints
 *   loader_values.c     one value: numbers, sizes, flags, strings, names,
 *                       prot strings, address expressions, pids
 *   loader_machine.c    the machine and files sections
 *   loader_processes.c  processes and their areas
 *   loader_steps.c      steps, the budget of accesses, repeats
 *   loader_trace.c      the trace step: its path and its one count
 *
 * Every function that checks something reports through ld_fail_at (or a
 * helper built on it), which fills the caller's diag with the offending
 * node's position; they all return 0 or -1. Strings a function stores in
 * the scenario are copies in the scenario's arena; the node graph and its
 * text live only while the load runs. */
#ifndef VMVIZ_SCENARIO_LOADER_INTERNAL_H
#define VMVIZ_SCENARIO_LOADER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "scenario/scenario.h"
#include "scenario/trace.h"
#include "util/diag.h"

/* Quotes a key name in messages: KEY("frames") is "'frames'". */
#define KEY(k) "'" k "'"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* How many distinct traces (path, format, limit) one load remembers the
 * count of; a trace beyond them is read again each time a step names it. */
#define LOADER_TRACE_MEMO 16

/* A set of strings (names of areas, files, expect counters), open
 * addressing, so that checks stay linear however many names a file has.
 * The set holds pointers: the names must outlive it. All zero is empty. */
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

/* One load in progress. */
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
    struct nameset program_names; /* names of the files with a program layout */
    struct nameset device_names; /* names under machine: devices: */
    uint64_t page_size;          /* for counting fills without a stride */
    struct trace_memo memo[LOADER_TRACE_MEMO];
    size_t memo_count;
};

/* ---- errors (loader_nodes.c) ---------------------------------------------- */

/* Where node n is written, 1-based. */
struct scenario_pos ld_pos(const yaml_node_t *n);

/* Fills ld->err with a message at p; returns -1. */
int ld_fail_at(struct loader *ld, struct scenario_pos p, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

/* "out of memory (expected a smaller scenario)" at n; returns -1. */
int ld_fail_oom(struct loader *ld, const yaml_node_t *n);

/* "LABEL is WHAT n IS (expected EXPECTED)" at n; returns -1. */
int ld_fail_type(struct loader *ld, const yaml_node_t *n, const char *label,
                 const char *expected);

/* ---- nodes (loader_nodes.c) ----------------------------------------------- */

/* The node of the document with this index (a key, a value, an item). */
yaml_node_t *ld_node(struct loader *ld, int index);

/* Items of a sequence, pairs of a mapping, 0 for a scalar. */
size_t ld_items(const yaml_node_t *n);

/* Pays for visiting container n and its direct children from the node
 * budget; -1 with the error set once it is spent. */
int ld_charge(struct loader *ld, const yaml_node_t *n);

/* 1 when n is a plain empty, "~" or "null" scalar. */
int ld_is_null(const yaml_node_t *n);

/* What a node is, for "'x' is WHAT (expected ...)" messages: "a mapping",
 * "a list", "empty", or the scalar quoted (at most QUOTE_MAX bytes) into
 * buf, which must hold QUOTE_MAX + 8 bytes. Returns a constant or buf. */
const char *ld_describe(const yaml_node_t *n, char *buf, size_t size);

/* The text of scalar n (the document's own bytes, valid during the load,
 * NUL-free and at most SCENARIO_MAX_STRING bytes). */
int ld_scalar_text(struct loader *ld, const yaml_node_t *n, const char *label,
                   const char *expected, const char **text, size_t *len);

/* The arena copy of scalar n's text, made once per node; NULL when out of
 * memory. It lives as long as the scenario. */
const char *ld_scalar_copy(struct loader *ld, const yaml_node_t *n);

/* Checks that n is a mapping whose keys are plain names from keys[0..nkeys),
 * each at most once, and puts the value of keys[i] in values[i] (NULL when
 * absent). label names the mapping in messages ("in machine"); expected
 * says what was expected when n is no mapping. */
int ld_map_keys(struct loader *ld, const yaml_node_t *n, const char *label,
                const char *expected, const char *const *keys, size_t nkeys,
                yaml_node_t **values);

/* "missing key 'KEY' LABEL (expected EXPECTED)" at map when value is NULL. */
int ld_require(struct loader *ld, const yaml_node_t *map, const yaml_node_t *value,
               const char *key, const char *label, const char *expected);

/* ---- name sets (nameset.c) -------------------------------------------------- */

/* The stored name equal to name, or NULL. */
const char *nameset_find(const struct nameset *set, const char *name);

/* Adds name (which must outlive the set) unless present. 0, or -1 when out
 * of memory. */
int nameset_add(struct nameset *set, const char *name);

/* Frees what the set holds (not the names) and leaves it empty. */
void nameset_free(struct nameset *set);

/* The name in set closest to word, for "did you mean" hints; NULL if none. */
const char *nameset_suggest(const struct nameset *set, const char *word);

/* ---- values (loader_values.c) ----------------------------------------------- */

/* What is expected of a size, a prot string and an address expression. */
extern const char ld_size_expected[];
extern const char ld_prot_expected[];
extern const char ld_addr_expected[];

/* Each reads one scalar into *out (present, value, position), or fails at
 * it naming it by label ("'frames'"). */
int ld_get_number(struct loader *ld, const yaml_node_t *n, const char *label,
                  struct scenario_num *out);
/* A number in [min, max]; expected describes the range for messages. */
int ld_get_number_in(struct loader *ld, const yaml_node_t *n, const char *label,
                     uint64_t min, uint64_t max, const char *expected,
                     struct scenario_num *out);
int ld_get_size(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_num *out);
int ld_get_positive_size(struct loader *ld, const yaml_node_t *n, const char *label,
                         struct scenario_num *out);
int ld_get_flag(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_flag *out);
/* Any text (copied into the arena). */
int ld_get_string(struct loader *ld, const yaml_node_t *n, const char *label,
                  const char *expected, struct scenario_str *out);
/* A name that address expressions can use ("buf", "libc.so"). */
int ld_get_name(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_str *out);
/* "r-x": SCENARIO_PROT_* bits. */
int ld_get_prot(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_num *out);
/* A name that must already be an area or an earlier mmap. *out is the
 * stored copy of the name. */
int ld_lookup_symbol(struct loader *ld, const yaml_node_t *n, const char *name,
                     const char **out);
/* NUMBER | NAME | NAME + NUMBER | NAME - NUMBER. */
int ld_get_addr(struct loader *ld, const yaml_node_t *n, const char *label,
                struct scenario_addr *out);
/* A pid from 1 to SCENARIO_MAX_PID. */
int ld_get_pid(struct loader *ld, const yaml_node_t *n, const char *label,
               struct scenario_num *out);
/* The same when n may be NULL (absent: *out stays absent). */
int ld_opt_number(struct loader *ld, const yaml_node_t *n, const char *label,
                  struct scenario_num *out);
int ld_opt_pid(struct loader *ld, const yaml_node_t *n, const char *label,
               struct scenario_num *out);

/* ---- sections --------------------------------------------------------------- */

/* machine: (loader_machine.c). */
int ld_machine(struct loader *ld, const yaml_node_t *n);
/* files: (loader_machine.c); fills ld->file_names. */
int ld_files(struct loader *ld, const yaml_node_t *n);
/* file: of an area or an mmap, which must name an entry of files:
 * (loader_machine.c). */
int ld_get_file_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out);
/* A device: value, which must name a device under machine: devices. */
int ld_get_device_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out);
/* What an area or an mmap maps, checked as a whole: file and device not
 * both, an offset only with one of them, and a device shared (absent
 * counts as shared) and without huge pages (loader_machine.c). */
int ld_check_backing(struct loader *ld, const struct scenario_str *file,
                     const struct scenario_str *device, const struct scenario_num *offset,
                     const struct scenario_flag *shared, const struct scenario_flag *huge);
/* program: must name a file of files: that has a program layout. */
int ld_get_program_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out);
/* processes: (loader_processes.c); adds every area name to ld->symbols. */
int ld_processes(struct loader *ld, const yaml_node_t *n);

/* A list of steps (loader_steps.c) that may perform at most budget accesses
 * in all; *accesses gets how many they do. depth counts the repeats around
 * the list. */
int ld_steps(struct loader *ld, const yaml_node_t *n, const char *label,
             unsigned depth, uint64_t budget, struct scenario_step **out,
             size_t *count, uint64_t *accesses);
/* "too many accesses ..." at p (loader_steps.c); returns -1. */
int ld_fail_accesses(struct loader *ld, struct scenario_pos p);
/* trace: {file, format, limit, auto_areas, pid} (loader_trace.c). */
int ld_step_trace(struct loader *ld, const yaml_node_t *n, struct scenario_step *st,
                  uint64_t budget);

#endif
