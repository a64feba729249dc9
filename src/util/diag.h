/* Diagnostics: one error, located in a file, printed as one line.
 *
 *   FILE:LINE:COLUMN: error: what is wrong (what was expected)
 *
 * Every reader of user files (scenarios, traces, themes, key maps) reports
 * through a struct diag so that errors look the same everywhere and editors
 * can jump to them. Lines and columns are 1-based; 0 means "no position". */
#ifndef VMVIZ_UTIL_DIAG_H
#define VMVIZ_UTIL_DIAG_H

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define DIAG_PRINTF(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define DIAG_PRINTF(fmt_index, first_arg)
#endif

/* The longest file name and message a diag holds, NUL included; longer
 * ones are cut. A buffer for a part of a message (what was expected, a
 * list of choices) needs no more than DIAG_MESSAGE_MAX either. */
#define DIAG_FILE_MAX 512
#define DIAG_MESSAGE_MAX 400
/* How many bytes of a bad word a reader's message quotes ("'...'"). */
#define DIAG_QUOTE_MAX 40

struct diag {
    char file[DIAG_FILE_MAX];
    unsigned line, col;              /* 1-based; 0 when the error has no position */
    char message[DIAG_MESSAGE_MAX];  /* "what is wrong (what was expected)" */
};

/* Fill *d with one error: FILE and a printf-style message at LINE:COL.
 * Both strings are truncated to fit; d may be NULL (then nothing happens),
 * file may be NULL (stored as ""). Always leaves d's strings terminated. */
void diag_set(struct diag *d, const char *file, unsigned line, unsigned col,
              const char *fmt, ...) DIAG_PRINTF(5, 6);

/* Print d as one line "FILE:LINE:COL: error: MESSAGE\n" to out. When d has
 * no line, prints "FILE: error: MESSAGE\n" instead. FILE and MESSAGE are
 * shown in their visible form (escape.h): both may quote what a user
 * wrote, and a control character in it must not reach the terminal. */
void diag_print(FILE *out, const struct diag *d);

/* The entry of choices[0..n) closest to word by edit distance
 * (insertions, deletions, substitutions), provided that distance is at most
 * 2 and smaller than the word itself (so "x" does not suggest "pid");
 * ties go to the earlier choice. NULL when nothing is that close.
 * Used for "did you mean 'X'?" hints. */
const char *diag_suggest(const char *word, const char *const *choices, size_t n);

/* How many entries a NULL-terminated list of names has. */
size_t diag_count(const char *const *names);

/* Writes the choices[0..n) into buf as "a, b, c or d" (truncated to size);
 * returns buf. */
const char *diag_list(char *buf, size_t size, const char *const *choices, size_t n);

/* What goes between the parentheses of an "unknown NAME 'word'" error when
 * word had to be one of choices[0..n): "expected a, b or c", followed by
 * "; did you mean 'b'?" when diag_suggest finds a close one. Written into
 * buf (truncated to size); returns buf. Every reader and the command line
 * word these errors through it, so they all read alike. */
const char *diag_expected_choice(char *buf, size_t size, const char *word,
                                 const char *const *choices, size_t n);

/* The same for a word from an open-ended set described in words:
 * "expected EXPECTED", followed by "; did you mean 'HINT'?" when hint is
 * not NULL. Written into buf (truncated to size); returns buf. */
const char *diag_expected_hint(char *buf, size_t size, const char *expected,
                               const char *hint);

#endif
