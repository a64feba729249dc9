/* Diagnostics shared by every reader of user files: see diag.h. */
#include "util/diag.h"

#include <stdarg.h>
#include <string.h>

#include "util/escape.h"

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
    escape_fputs(d->file, out);
    if (d->line > 0)
        fprintf(out, ":%u:%u", d->line, d->col);
    fputs(": error: ", out);
    escape_fputs(d->message, out);
    fputc('\n', out);
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

size_t diag_count(const char *const *names)
{
    size_t n = 0;

    while (names[n] != NULL)
        n++;
    return n;
}

const char *diag_list(char *buf, size_t size, const char *const *choices, size_t n)
{
    size_t used = 0;

    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        const char *joint = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", joint, choices[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

const char *diag_expected_hint(char *buf, size_t size, const char *expected,
                               const char *hint)
{
    if (hint != NULL)
        snprintf(buf, size, "expected %s; did you mean '%s'?", expected, hint);
    else
        snprintf(buf, size, "expected %s", expected);
    return buf;
}

const char *diag_expected_choice(char *buf, size_t size, const char *word,
                                 const char *const *choices, size_t n)
{
    char list[DIAG_MESSAGE_MAX];

    diag_list(list, sizeof list, choices, n);
    return diag_expected_hint(buf, size, list, diag_suggest(word, choices, n));
}
