/* Diagnostics shared by every reader of user files: see diag.h. */
#include "scenario/diag.h"

#include <stdarg.h>
#include <string.h>

void diag_set(struct diag *d, const char *file, unsigned line, unsigned col,
              const char *fmt, ...)
{
    va_list ap;

    if (d == NULL)
        return;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    d->col = col;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}

void diag_print(FILE *out, const struct diag *d)
{
    if (d->line > 0)
        fprintf(out, "%s:%u:%u: error: %s\n", d->file, d->line, d->col,
                d->message);
    else
        fprintf(out, "%s: error: %s\n", d->file, d->message);
}

/* Words longer than this get no suggestion: nobody mistypes a 60-letter key,
 * and the fixed bound keeps the distance table on the stack. */
#define SUGGEST_MAX_LEN 63
#define SUGGEST_MAX_DISTANCE 2u

/* Levenshtein distance of a and b, both at most SUGGEST_MAX_LEN long. */
static unsigned edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned row[SUGGEST_MAX_LEN + 1];

    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diagonal = row[0];   /* row[i-1][j-1] */
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned above = row[j];  /* row[i-1][j] */
            unsigned best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diagonal = above;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *diag_suggest(const char *word, const char *const *choices, size_t n)
{
    const char *best = NULL;
    unsigned best_distance = SUGGEST_MAX_DISTANCE + 1;
    size_t lw = strlen(word);

    if (lw > SUGGEST_MAX_LEN)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t lc = strlen(choices[i]);
        if (lc > SUGGEST_MAX_LEN)
            continue;
        /* The length difference alone is a lower bound on the distance. */
        if ((lc > lw ? lc - lw : lw - lc) > SUGGEST_MAX_DISTANCE)
            continue;
        unsigned dist = edit_distance(word, lw, choices[i], lc);
        if (dist < best_distance && dist < lw) {
            best = choices[i];
            best_distance = dist;
        }
    }
    return best;
}
