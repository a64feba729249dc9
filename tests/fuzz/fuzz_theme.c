/* libFuzzer target: any bytes as a theme file. Parsing either succeeds,
 * with every role set, or fails with a LINE:COLUMN error and a message
 * saying what was expected. Built and run by `make fuzz`. */
#include <stdint.h>
#include <string.h>

#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct theme t;
    struct diag err;
    memset(&err, 0, sizeof err);
    if (theme_parse(&t, "fuzz", "fuzz.theme", (const char *)data, size, &err)) {
        for (int r = 0; r < ROLE_COUNT; r++)
            if (t.styles[r].fg256 < -1 || t.styles[r].fg256 > 255 || t.styles[r].bg8 < -1 ||
                t.styles[r].bg8 > 7)
                __builtin_trap();
        return 0;
    }
    if (err.message[0] == '\0' || strstr(err.message, "expected") == NULL)
        __builtin_trap();
    return 0;
}
