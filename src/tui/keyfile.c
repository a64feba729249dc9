/* Key files: see keyfile.h. */
#include "tui/keyfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
#include "util/userfile.h"

/* A key word longer than this is no key name ("<Resize>" is the longest). */
#define KEY_WORD_MAX 16

#define KEY_EXPECTED \
    "expected one printable character, a key name such as <Space>, <Right>, <PgDn>, " \
    "<Esc>, <F5> or <C-l>, a delay such as @500ms, or # and a comment"
#define DELAY_EXPECTED "expected @ and a duration such as @500ms, @2s or @1.5s, at most an hour"

/* The milliseconds of a delay word ("@1.5s", "@250ms"); false when it is
 * not one or is longer than KEYFILE_MAX_DELAY_MS. */
static bool parse_delay(const char *w, size_t len, unsigned *ms)
{
    size_t i = 1;
    unsigned long long whole = 0, frac = 0, scale = 1;
    size_t digits = 0;
    while (i < len && w[i] >= '0' && w[i] <= '9') {
        /* More digits than any delay up to an hour needs would overflow. */
        if (++digits > 10)
            return false;
        whole = whole * 10 + (unsigned)(w[i++] - '0');
    }
    /* Digits on both sides of a point: "@.5s" and "@1.s" read as typos. */
    if (digits == 0)
        return false;
    if (i < len && w[i] == '.') {
        i++;
        size_t fdigits = 0;
        while (i < len && w[i] >= '0' && w[i] <= '9') {
            /* Past a microsecond the digits change nothing a terminal shows. */
            if (fdigits < 6) {
                frac = frac * 10 + (unsigned)(w[i] - '0');
                scale *= 10;
            }
            fdigits++;
            i++;
        }
        if (fdigits == 0)
            return false;
    }
    unsigned long long unit;
    if (len - i == 2 && w[i] == 'm' && w[i + 1] == 's')
        unit = 1;
    else if (len - i == 1 && w[i] == 's')
        unit = 1000;
    else
        return false;
    unsigned long long total = whole * unit + frac * unit / scale;
    if (total > KEYFILE_MAX_DELAY_MS)
        return false;
    *ms = (unsigned)total;
    return true;
}

/* The key a key word names; false when it names none. */
static bool parse_key(const char *w, size_t len, int *key)
{
    if (len == 1) {
        /* Blanks and controls have names; bytes past ASCII are no key. */
        if (w[0] <= ' ' || w[0] > '~')
            return false;
        *key = (unsigned char)w[0];
        return true;
    }
    char word[KEY_WORD_MAX + 1];
    if (len > KEY_WORD_MAX || memchr(w, '\0', len))
        return false;
    memcpy(word, w, len);
    word[len] = '\0';
    size_t bad;
    return keys_parse_script(word, key, 1, &bad) == 1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool keyfile_parse(struct keyfile *kf, const char *name, const char *text, size_t len,
                   struct diag *err)
{
    memset(kf, 0, sizeof *kf);
    size_t cap = 0;
    unsigned line = 1;
    size_t line_start = 0;
    unsigned delay = 0;
    bool delayed = false;
    for (size_t i = 0; i < len;) {
        if (text[i] == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        if (is_blank(text[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && text[i] != '\n' && !is_blank(text[i]))
            i++;
        const char *w = text + start;
        size_t wlen = i - start;
        unsigned col = (unsigned)(start - line_start + 1);
        if (w[0] == '#') {
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        if (w[0] == '@') {
            unsigned ms;
            if (!parse_delay(w, wlen, &ms) || delay + ms > KEYFILE_MAX_DELAY_MS) {
                diag_set(err, name, line, col, "bad delay '%.*s' (%s)",
                         (int)(wlen < DIAG_QUOTE_MAX ? wlen : DIAG_QUOTE_MAX), w,
                         DELAY_EXPECTED);
                keyfile_free(kf);
                return false;
            }
            delay += ms;
            delayed = true;
            continue;
        }
        int key;
        if (!parse_key(w, wlen, &key)) {
            diag_set(err, name, line, col, "unknown key '%.*s' (%s)",
                     (int)(wlen < DIAG_QUOTE_MAX ? wlen : DIAG_QUOTE_MAX), w, KEY_EXPECTED);
            keyfile_free(kf);
            return false;
        }
        if (kf->count == KEYFILE_MAX_KEYS) {
            diag_set(err, name, line, col, "more than %d keys (expected a shorter script)",
                     KEYFILE_MAX_KEYS);
            keyfile_free(kf);
            return false;
        }
        if (kf->count == cap) {
            size_t grown = cap ? cap * 2 : 64;
            struct keyfile_key *keys = realloc(kf->keys, grown * sizeof *keys);
            if (!keys) {
                diag_set(err, name, line, col, "out of memory reading the keys "
                         "(expected a shorter script)");
                keyfile_free(kf);
                return false;
            }
            kf->keys = keys;
            cap = grown;
        }
        kf->keys[kf->count++] = (struct keyfile_key){
            .key = key,
            .delay_ms = delayed ? delay : KEYFILE_DEFAULT_DELAY_MS,
            .line = line,
            .col = col,
        };
        delay = 0;
        delayed = false;
    }
    return true;
}

bool keyfile_load(struct keyfile *kf, const char *path, struct diag *err)
{
    memset(kf, 0, sizeof *kf);
    size_t len;
    char *text = userfile_read(path, "the key file", KEYFILE_MAX_BYTES, &len, err);
    if (!text)
        return false;
    bool ok = keyfile_parse(kf, path, text, len, err);
    free(text);
    return ok;
}

void keyfile_free(struct keyfile *kf)
{
    free(kf->keys);
    kf->keys = NULL;
    kf->count = 0;
}
