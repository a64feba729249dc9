#ifndef VMVIZ_PLAY_ANSWERS_H
#define VMVIZ_PLAY_ANSWERS_H
/* Answer files: a student's answers to numbered questions, one a line.
 *
 *   # a comment; blank lines are ignored
 *   1: 0x7a2c
 *   2:  fault        # blanks around the answer do not count
 *
 * A line is "N: ANSWER", N the question's number as printed (from 1). '#'
 * starts a comment anywhere on a line. The reader only checks the shape;
 * whether an answer is right, and whether question N exists, is for the
 * caller, who reports with the positions kept here. */
#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/* The largest question number and the longest answer (bytes) accepted:
 * a line beyond either is an error, not something to cut. */
#define ANSWERS_MAX_NUMBER 1000u
#define ANSWERS_MAX_TEXT 200u
/* The largest answer file read. */
#define ANSWERS_MAX_FILE_BYTES (64u * 1024u)

struct answer {
    unsigned number;         /* 1 .. ANSWERS_MAX_NUMBER */
    char text[ANSWERS_MAX_TEXT + 1]; /* blanks around it removed; "" when none was written */
    unsigned line, col;      /* where the number starts */
    unsigned text_col;       /* where the answer starts (after the blanks) */
};

struct answer_file {
    struct answer *items;    /* in the order of the file; each number once */
    size_t count;
};

/* Reads the answer file at path (a regular file, at most
 * ANSWERS_MAX_FILE_BYTES) into *out. false with *err set to
 * "PATH:LINE:COL: ..." when a line is not "N: ANSWER", N is not a number
 * from 1 to ANSWERS_MAX_NUMBER, a number comes twice, an answer is longer
 * than ANSWERS_MAX_TEXT, the file holds a NUL byte, or it cannot be read;
 * *out is then empty. On success the caller frees *out with
 * answers_free. */
bool answers_read(const char *path, struct answer_file *out, struct diag *err);
/* The same, from text[0..len) in memory; name stands for the file in
 * messages. */
bool answers_parse(const char *name, const char *text, size_t len, struct answer_file *out,
                   struct diag *err);
/* The answer to question number, or NULL when the file has none. */
const struct answer *answers_find(const struct answer_file *f, unsigned number);
/* Frees what answers_read or answers_parse gave; leaves *f empty. */
void answers_free(struct answer_file *f);
/* Which of choices[0..n) an answer names: its number (1 to n, one digit)
 * or its words (case ignored). The index, or -1 when it names none. */
int answers_choice(const struct answer *a, const char *const *choices, unsigned n);

#endif
