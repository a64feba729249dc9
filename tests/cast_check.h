/* An independent reader of asciicast v2 files, for the record suite and
 * the castcat tool: it checks what the format promises (record.h) rather
 * than trusting the writer. */
#ifndef VMVIZ_TESTS_CAST_CHECK_H
#define VMVIZ_TESTS_CAST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct cast_info {
    long long version, width, height, timestamp;
    bool has_version, has_width, has_height, has_timestamp;
    unsigned long outputs;       /* "o" events */
    unsigned long resizes;       /* "r" events */
    double last_time;            /* the time of the last event */
};

/* Called with the decoded bytes of each "o" event, in order. */
typedef void (*cast_output_fn)(void *ctx, const char *bytes, size_t len);

/* Reads a whole cast of len bytes: a header line holding a JSON object
 * with numbers version (2), width, height and timestamp, then one event
 * per line, [TIME, "o"|"r"|"i"|"m", "DATA"], TIME a number that never
 * goes back, DATA a JSON string ("COLSxROWS" for "r"), nothing else on
 * the line. Every string must be valid JSON text (escapes, UTF-8, no raw
 * control characters). true with *info filled, or false with "line N:
 * what" in why. on_output may be NULL. */
bool cast_check(const char *text, size_t len, struct cast_info *info, cast_output_fn on_output,
                void *ctx, char *why, size_t why_len);

#endif
