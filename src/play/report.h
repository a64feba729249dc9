#ifndef VMVIZ_PLAY_REPORT_H
#define VMVIZ_PLAY_REPORT_H
/* Headless output of a run: plain sentences or JSON Lines, at the level of
 * events, accesses or operations, and the final counters. */
#include <stdbool.h>
#include <stdio.h>

#include "play/timeline.h"

enum report_format { REPORT_TEXT, REPORT_JSON };

struct reporter {
    FILE *out;
    enum report_format format;
    enum tl_unit level;          /* TL_UNIT_EVENT, _ACCESS or _OP */
    struct counters op_start;    /* counters when the current operation began */
    bool tlb_hit, faulted;       /* what the current access went through */
    uint8_t fault_kind;
};

void reporter_init(struct reporter *r, FILE *out, enum report_format format, enum tl_unit level,
                   const struct machine *m);
/* Prints what the level asks for about e (nothing for most events at the
 * access and operation levels). Text lines show their control characters
 * in the visible form of scenario/escape.h, so each stays one line. */
void reporter_event(struct reporter *r, const struct tl_event *e, const struct machine *m);
/* Prints the counters: "name value" lines, or one JSON object. */
void report_stats(FILE *out, enum report_format format, const struct counters *c);
/* Writes s as a JSON string literal (quotes included): every control
 * character escaped (C0, DEL and the C1 range U+0080..U+009F, as \uXXXX
 * or \b \f \n \r \t), and each byte that is not UTF-8 as U+FFFD. */
void json_string(FILE *out, const char *s);

#endif
