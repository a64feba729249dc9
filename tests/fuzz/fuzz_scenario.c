/* libFuzzer target: any bytes as a scenario. Loading must either succeed
 * or give a FILE:LINE:COLUMN error; a loaded scenario then plays a bounded
 * number of events, stepping back now and then. Nothing may crash, hang or
 * leak. Built and run by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "play/timeline.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag err;
    struct scenario *s = scenario_load_string("fuzz.yaml", (const char *)data, size, &err);
    if (!s) {
        /* Every error has a position or at least a message. */
        if (err.message[0] == '\0')
            __builtin_trap();
        return 0;
    }
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct timeline *tl = timeline_create(s, &o, &err);
    if (tl) {
        for (int i = 0; i < 5000 && timeline_next(tl); i++)
            if (i % 997 == 996)
                timeline_step(tl, TL_UNIT_ACCESS, -1);
        timeline_destroy(tl);
    } else if (err.message[0] == '\0') {
        __builtin_trap();
    }
    scenario_free(s);
    return 0;
}
