#ifndef VMVIZ_PLAY_ANSWERS_H
#define VMVIZ_PLAY_ANSWERS_H
/* Answer files: what a student wrote down for the numbered questions of a
 * handout. One answer a line, `N: ANSWER`, N the question's number (from
 * 1) and ANSWER the choice's number (1-9) or its words as printed (case
 * ignored, blanks around ignored); `#` starts a comment; blank lines are
 * ignored. Which answers fit which questions is the caller's to check
 * (answers_choice): the file alone only has to be well formed. Every
 * refusal is FILE:LINE:COLUMN with what was expected. */
#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/* The longest answer a line may give, and the largest answer file read. */
#define ANSWER_TEXT_MAX 80
#define ANSWERS_FILE_MAX ((size_t)1 << 20)
/* The largest question number a file may name. */
#define ANSWER_NUMBER_MAX 1000000u

struct answer {
    unsigned number;               /* the question's */
    char text[ANSWER_TEXT_MAX];    /* as written, blanks around removed */
    unsigned line, col;            /* where the answer's text starts */
};

struct answer_sheet {
    struct answer *answers;        /* by question number */
    size_t count;
};

/* Reads the answer file at path into *sheet (the caller frees it with
 * answers_free). false with err set at the FILE:LINE:COLUMN of the first
 * thing wrong: a line that is not `N: ANSWER`, a number out of range, the
 * same question answered twice, an answer too long; or the file cannot be
 * read. Nothing is left allocated then. */
bool answers_load(const char *path, struct answer_sheet *sheet, struct diag *err);
/* Frees what answers_load allocated; a zeroed sheet may be freed. */
void answers_free(struct answer_sheet *sheet);
/* The answer given for question number, or NULL when there is none. */
const struct answer *answers_find(const struct answer_sheet *sheet, unsigned number);
/* Which of choices[0..n) the answer names: its number (1 to n) or its
 * words (case ignored). The index, or -1 when it names none of them. */
int answers_choice(const struct answer *a, const char *const *choices, unsigned n);

#endif
