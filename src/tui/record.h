#ifndef VMVIZ_TUI_RECORD_H
#define VMVIZ_TUI_RECORD_H
/* Recordings of the viewer as asciicast v2 files, the format asciinema
 * plays: a first line holding a JSON object (version 2, the terminal's
 * width and height, the Unix time the recording began, a title and the
 * terminal type), then one JSON array per line,
 *
 *   [SECONDS, "o", "BYTES"]     the terminal was sent BYTES
 *   [SECONDS, "r", "COLSxROWS"] the terminal took a new size
 *
 * SECONDS counted from the start, never going back. BYTES are JSON text:
 * control characters as \uXXXX (or \n, \r, \t, \b, \f), '"' and '\' with
 * a backslash, UTF-8 kept as it is. A character cut between two pieces of
 * output is joined again (a recording never splits one); a byte that is
 * not UTF-8 becomes U+FFFD, as JSON text can hold nothing else.
 *
 * The times are the clock's (the viewer recorded live) or given by the
 * caller (a scenario rendered without a terminal). */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tui/term.h"
#include "util/diag.h"

struct recorder {
    FILE *out;
    const char *name;        /* the file's name for messages (borrowed) */
    bool owns_out;           /* opened by recorder_open: closed at the end */
    bool created;            /* recorder_open made the file (removed if abandoned) */
    bool begun;              /* the header is written */
    bool synthetic;          /* times come from recorder_set_time */
    double start_ms;         /* the monotonic clock at the header */
    double now_s;            /* the time given by recorder_set_time */
    double last_s;           /* the last time written */
    char pending[4];         /* the start of a character the last output cut */
    size_t npending;
    unsigned long outputs;   /* "o" events written */
    int error;               /* the first errno met writing; 0 while all is well */
    struct term_sink sink;   /* what recorder_sink returns */
};

/* Opens path to record into, before anything is shown, so that a path
 * that cannot be written is refused while the terminal is as it was. A
 * file that exists is kept as it is until recorder_begin. false with err
 * set ("cannot write the recording: REASON (expected a writable file)",
 * or "... it is a directory (expected a regular file)") otherwise. */
bool recorder_open(struct recorder *r, const char *path, struct diag *err);
/* Records into a stream the caller owns (standard output), times given by
 * recorder_set_time; name is what messages call it. */
void recorder_attach(struct recorder *r, FILE *out, const char *name);
/* Writes the header: cols x rows, title (NULL: none) and the terminal
 * type term (NULL: none). The clock starts here. false (the first write
 * error in r->error) when the file refuses it. */
bool recorder_begin(struct recorder *r, int cols, int rows, const char *title,
                    const char *term);
/* From now on events get this time (seconds from the start) instead of
 * the clock's. */
void recorder_set_time(struct recorder *r, double seconds);
/* One "o" event with the bytes (a cut character is held back for the
 * next). Nothing is written for no bytes. */
void recorder_output(struct recorder *r, const char *bytes, size_t len);
/* One "r" event. */
void recorder_resize(struct recorder *r, int cols, int rows);
/* The sink a recorded terminal hands its output and resizes to; valid
 * while r is. */
const struct term_sink *recorder_sink(struct recorder *r);
/* Ends the recording: what was held back is written, the file flushed and
 * (when recorder_open opened it) closed. false with err set ("cannot
 * write the recording: REASON (expected a writable file)") when any
 * write failed. */
bool recorder_end(struct recorder *r, struct diag *err);
/* Gives up a recording that never began: closes the file, and removes it
 * when recorder_open created it. */
void recorder_abandon(struct recorder *r);

#endif
