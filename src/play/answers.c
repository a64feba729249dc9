/* Answer files (answers.h). Every line is checked before any is kept, and
 * every error names the column it starts at, so that a student can find a
 * stray character in a file of many answers. */
#include "play/answers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/userfile.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Parses the line text[0..len) (no newline) numbered line into *a. true
 * with a->number 0 for a line with nothing to say; false with *err. */
static bool parse_line(const char *name, unsigned line, const char *text, size_t len,
                       struct answer *a, struct diag *err)
{
    size_t end = len;
    const char *hash = memchr(text, '#', len);
    if (hash)
        end = (size_t)(hash - text);
    size_t i = 0;
    while (i < end && is_blank(text[i]))
        i++;
    memset(a, 0, sizeof *a);
    if (i == end)
        return true;
    a->line = line;
    a->col = (unsigned)i + 1;
    uint64_t n = 0;
    size_t digits = 0;
    while (i < end && text[i] >= '0' && text[i] <= '9') {
        if (n <= ANSWERS_MAX_NUMBER)
            n = n * 10 + (uint64_t)(text[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0) {
        diag_set(err, name, line, a->col, "'%.*s' is not a question's number (expected "
                 "'N: ANSWER', such as '1: 0x7a2c')", (int)(end - i < DIAG_QUOTE_MAX ?
                 end - i : DIAG_QUOTE_MAX), text + i);
        return false;
    }
    if (n < 1 || n > ANSWERS_MAX_NUMBER) {
        diag_set(err, name, line, a->col, "question number %.*s is out of range (expected 1 "
                 "to %u)", (int)(digits < DIAG_QUOTE_MAX ? digits : DIAG_QUOTE_MAX),
                 text + a->col - 1, ANSWERS_MAX_NUMBER);
        return false;
    }
    while (i < end && is_blank(text[i]))
        i++;
    if (i == end || text[i] != ':') {
        diag_set(err, name, line, (unsigned)i + 1, "no ':' after question %llu (expected "
                 "'%llu: ANSWER')", (unsigned long long)n, (unsigned long long)n);
        return false;
    }
    i++;
    while (i < end && is_blank(text[i]))
        i++;
    size_t stop = end;
    while (stop > i && is_blank(text[stop - 1]))
        stop--;
    if (stop - i > ANSWERS_MAX_TEXT) {
        diag_set(err, name, line, (unsigned)i + 1, "the answer to question %llu is %zu bytes "
                 "long (expected at most %u)", (unsigned long long)n, stop - i,
                 ANSWERS_MAX_TEXT);
        return false;
    }
    a->number = (unsigned)n;
    a->text_col = (unsigned)i + 1;
    memcpy(a->text, text + i, stop - i);
    a->text[stop - i] = '\0';
    return true;
}

bool answers_parse(const char *name, const char *text, size_t len, struct answer_file *out,
                   struct diag *err)
{
    out->items = NULL;
    out->count = 0;
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        /* The line and column of the NUL, for an editor to jump to. */
        unsigned line = 1, col = 1;
        for (const char *p = text; p < nul; p++, col++)
            if (*p == '\n') {
                line++;
                col = 0;
            }
        diag_set(err, name, line, col, "a NUL byte (expected text)");
        return false;
    }
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    out->items = calloc(lines, sizeof *out->items);
    if (!out->items) {
        diag_set(err, name, 0, 0, "out of memory reading the answers (expected a smaller file)");
        return false;
    }
    unsigned line = 1;
    for (size_t start = 0; start <= len; line++) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t stop = nl ? (size_t)(nl - text) : len;
        struct answer a;
        if (!parse_line(name, line, text + start, stop - start, &a, err)) {
            answers_free(out);
            return false;
        }
        if (a.number) {
            const struct answer *before = answers_find(out, a.number);
            if (before) {
                diag_set(err, name, a.line, a.col, "question %u is answered twice (expected "
                         "one answer; the first is on line %u)", a.number, before->line);
                answers_free(out);
                return false;
            }
            out->items[out->count++] = a;
        }
        if (!nl)
            break;
        start = stop + 1;
    }
    return true;
}

bool answers_read(const char *path, struct answer_file *out, struct diag *err)
{
    size_t len = 0;
    out->items = NULL;
    out->count = 0;
    char *text = userfile_read(path, "the answers", ANSWERS_MAX_FILE_BYTES, &len, err);
    if (!text)
        return false;
    bool ok = answers_parse(path, text, len, out, err);
    free(text);
    return ok;
}

const struct answer *answers_find(const struct answer_file *f, unsigned number)
{
    for (size_t i = 0; i < f->count; i++)
        if (f->items[i].number == number)
            return &f->items[i];
    return NULL;
}

void answers_free(struct answer_file *f)
{
    free(f->items);
    f->items = NULL;
    f->count = 0;
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
