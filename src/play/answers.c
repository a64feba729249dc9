/* Reading answer files: see answers.h. */
#include "play/answers.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/userfile.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Reads one line [p, end) (line numbered line) into sheet; false with err
 * set. */
static bool read_line(const char *path, const char *p, const char *end, unsigned line,
                      struct answer_sheet *sheet, struct diag *err)
{
    const char *start = p;
    const char *hash = memchr(p, '#', (size_t)(end - p));
    if (hash)
        end = hash;
    while (end > p && blank(end[-1]))
        end--;
    while (p < end && blank(*p))
        p++;
    if (p == end)
        return true;
    unsigned col = (unsigned)(p - start) + 1;
    if (!isdigit((unsigned char)*p)) {
        diag_set(err, path, line, col, "'%.*s' is not an answer (expected 'N: ANSWER', N the "
                 "question's number)", (int)(end - p < DIAG_QUOTE_MAX ? end - p : DIAG_QUOTE_MAX), p);
        return false;
    }
    uint64_t n = 0;
    while (p < end && isdigit((unsigned char)*p) && n <= ANSWER_NUMBER_MAX)
        n = n * 10 + (uint64_t)(*p++ - '0');
    if (n < 1 || n > ANSWER_NUMBER_MAX || (p < end && isdigit((unsigned char)*p))) {
        diag_set(err, path, line, col, "question number out of range (expected 1 to %u)",
                 ANSWER_NUMBER_MAX);
        return false;
    }
    while (p < end && blank(*p))
        p++;
    if (p == end || *p != ':') {
        diag_set(err, path, line, (unsigned)(p - start) + 1, "no ':' after the question's "
                 "number (expected 'N: ANSWER')");
        return false;
    }
    p++;
    while (p < end && blank(*p))
        p++;
    unsigned text_col = (unsigned)(p - start) + 1;
    if (p == end) {
        diag_set(err, path, line, text_col, "no answer after '%llu:' (expected the choice's "
                 "number or its words)", (unsigned long long)n);
        return false;
    }
    if ((size_t)(end - p) >= ANSWER_TEXT_MAX) {
        diag_set(err, path, line, text_col, "the answer is longer than %d characters "
                 "(expected the choice's number or its words)", ANSWER_TEXT_MAX - 1);
        return false;
    }
    struct answer *a = &sheet->answers[sheet->count++];
    a->number = (unsigned)n;
    memcpy(a->text, p, (size_t)(end - p));
    a->text[end - p] = '\0';
    a->line = line;
    a->col = text_col;
    return true;
}

static int compare_number(const void *x, const void *y)
{
    const struct answer *a = x, *b = y;
    return a->number < b->number ? -1 : a->number > b->number;
}

/* By number, then line: for finding a question answered twice. */
static int compare_answers(const void *x, const void *y)
{
    int by_number = compare_number(x, y);
    if (by_number)
        return by_number;
    const struct answer *a = x, *b = y;
    return a->line < b->line ? -1 : a->line > b->line;
}

bool answers_load(const char *path, struct answer_sheet *sheet, struct diag *err)
{
    memset(sheet, 0, sizeof *sheet);
    size_t len;
    char *text = userfile_read(path, "the answer file", ANSWERS_FILE_MAX, &len, err);
    if (!text)
        return false;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    sheet->answers = calloc(lines, sizeof *sheet->answers);
    bool ok = sheet->answers != NULL;
    if (!ok)
        diag_set(err, path, 0, 0, "out of memory reading the answer file (expected a smaller "
                 "file)");
    const char *p = text, *end = text + len;
    for (unsigned line = 1; ok && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (memchr(p, '\0', (size_t)(stop - p))) {
            diag_set(err, path, line, (unsigned)((const char *)memchr(p, '\0', (size_t)(stop - p))
                                                 - p) + 1,
                     "a NUL byte (expected a text file)");
            ok = false;
            break;
        }
        ok = read_line(path, p, stop, line, sheet, err);
        p = nl ? nl + 1 : end;
    }
    free(text);
    /* Sorted by number, then line: a question answered twice is found by
     * its neighbour, and answers_find is a binary search. */
    if (ok)
        qsort(sheet->answers, sheet->count, sizeof *sheet->answers, compare_answers);
    for (size_t i = 1; ok && i < sheet->count; i++) {
        const struct answer *a = &sheet->answers[i - 1], *b = &sheet->answers[i];
        if (a->number == b->number) {
            diag_set(err, path, b->line, 1, "question %u is answered twice (expected one "
                     "answer a question; the first is on line %u)", b->number, a->line);
            ok = false;
        }
    }
    if (!ok)
        answers_free(sheet);
    return ok;
}

void answers_free(struct answer_sheet *sheet)
{
    free(sheet->answers);
    sheet->answers = NULL;
    sheet->count = 0;
}

const struct answer *answers_find(const struct answer_sheet *sheet, unsigned number)
{
    /* Numbers are distinct once loaded. */
    struct answer key = {.number = number};
    return sheet->count ? bsearch(&key, sheet->answers, sheet->count, sizeof key,
                                  compare_number)
                        : NULL;
}

int answers_choice(const struct answer *a, const char *const *choices, unsigned n)
{
    const char *t = a->text;
    if (t[0] >= '1' && t[0] <= '9' && t[1] == '\0')
        return (unsigned)(t[0] - '1') < n ? t[0] - '1' : -1;
    for (unsigned i = 0; i < n; i++)
        if (strcasecmp(t, choices[i]) == 0)
            return (int)i;
    return -1;
}
