#ifndef VMVIZ_PLAY_REPORT_H
#define VMVIZ_PLAY_REPORT_H
/* Headless output of a run: plain sentences or JSON Lines, at the level of
 * events, accesses or operations, and the final counters. A reporter
 * borrows its stream (the caller's to close) and keeps nothing of the
 * events and machines it is shown. */
#include <stdbool.h>
#include <stdio.h>

#include "play/timeline.h"

/* Output formats, as --format names them. */
#define REPORT_FORMAT_INFO(X) \
    X(TEXT, "text")           \
    X(JSON, "json")

enum report_format {
#define REPORT_FORMAT_ENUM(id, name) REPORT_##id,
    REPORT_FORMAT_INFO(REPORT_FORMAT_ENUM)
#undef REPORT_FORMAT_ENUM
};
/* The format names in enum order, NULL-terminated (static). */
extern const char *const report_format_names[];

/* Levels of detail, as --level names them and in the order its help lists
 * them, with the timeline unit each prints one line per. */
#define REPORT_LEVEL_INFO(X)    \
    X("op",     TL_UNIT_OP)     \
    X("access", TL_UNIT_ACCESS) \
    X("event",  TL_UNIT_EVENT)

/* The level names in the table's order, NULL-terminated (static), and the
 * unit of each. */
extern const char *const report_level_names[];
extern const enum tl_unit report_level_units[];

struct reporter {
    FILE *out;
    enum report_format format;
    enum tl_unit level;          /* TL_UNIT_EVENT, _ACCESS or _OP */
    struct counters op_start;    /* counters when the current operation began */
    bool tlb_hit, faulted;       /* what the current access went through */
    uint8_t fault_kind;
    const struct scenario_step *chapter;  /* the chapter being played, or NULL */
    struct counters chapter_start;        /* counters when it began */
};

void reporter_init(struct reporter *r, FILE *out, enum report_format format, enum tl_unit level,
                   const struct machine *m);
/* Prints what the level asks for about e (nothing for most events at the
 * access and operation levels). Text lines show their control characters
 * in the visible form of scenario/escape.h, so each stays one line. */
void reporter_event(struct reporter *r, const struct tl_event *e, const struct machine *m);
/* Ends the run: for a last chapter that carries Linux's counts, the line
 * comparing them with the model's (as each chapter's end prints it). */
void reporter_finish(struct reporter *r, const struct machine *m);
/* After the counters of report_stats: the sums of the Linux counts the
 * scenario's top-level chapters carry, "linux_minor_faults N" and
 * "linux_major_faults N" lines or one JSON object; nothing when no
 * chapter carries them. */
void report_linux_totals(FILE *out, enum report_format format, const struct scenario *s);
/* Prints the counters: "name value" lines, or one JSON object. */
void report_stats(FILE *out, enum report_format format, const struct counters *c);
/* Writes every counter as JSON members, "name":value separated by commas,
 * without the braces, so that a larger object can hold them. */
void report_counter_members(FILE *out, const struct counters *c);
/* Writes s as a JSON string literal (quotes included): every control
 * character escaped (C0, DEL and the C1 range U+0080..U+009F, as \uXXXX
 * or \b \f \n \r \t), and each byte that is not UTF-8 as U+FFFD. */
void json_string(FILE *out, const char *s);
/* The same for the len bytes at s, NUL bytes included (as \u0000). */
void json_bytes(FILE *out, const char *s, size_t len);

#endif
