/* libFuzzer target: any bytes as a line typed at the viewer's live
 * prompt. The line either becomes a step in item form or gives an error at
 * a column of the line; a step is spliced into a small scenario at its
 * start and its end, which then loads or gives a FILE:LINE:COLUMN error,
 * and plays a bounded number of events. Nothing may crash, hang or leak.
 * Built and run by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "play/timeline.h"
#include "scenario/edit.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scenario_text[] =
    "title: live\n"
    "processes:\n"
    "  - {name: p, pid: 1, areas: [{name: heap, start: 0x10000, size: 64KiB}]}\n"
    "steps:\n"
    "  - write: heap\n"
    "  - read: heap+0x1000\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[SCENARIO_LINE_MAX + 64];
    size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
    memcpy(line, data, n);
    line[n] = '\0';
    struct diag err;
    struct scenario_line sl;
    if (scenario_line_parse("live", line, &sl, &err) < 0) {
        /* Every error is on the line, at a column of it or just past it. */
        if (err.line != 1 || err.col < 1 || err.col > strlen(line) + 1 || !err.message[0])
            __builtin_trap();
        return 0;
    }
    struct scenario_insert ins[2] = {{0, sl.yaml}, {2, sl.yaml}};
    struct scenario_inserted at[2];
    size_t len;
    char *text = scenario_splice("live.yaml", scenario_text, sizeof scenario_text - 1, ins, 2,
                                 at, &len, &err);
    if (!text)
        __builtin_trap();
    struct scenario *s = scenario_load_string("live.yaml", text, len, &err);
    free(text);
    if (!s) {
        if (err.message[0] == '\0')
            __builtin_trap();
        return 0;
    }
    /* The lines went in as two steps more. */
    if (s->step_count != 4)
        __builtin_trap();
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct timeline *tl = timeline_create(s, &o, &err);
    if (tl) {
        for (int i = 0; i < 5000 && timeline_next(tl); i++)
            ;
        timeline_destroy(tl);
    } else if (err.message[0] == '\0') {
        __builtin_trap();
    }
    scenario_free(s);
    return 0;
}
