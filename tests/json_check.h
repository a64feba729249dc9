/* A small strict JSON parser for the suites that check JSON output: it
 * accepts only what RFC 8259 allows (no trailing commas, no leading zeros,
 * no raw control characters in strings) and keeps each object's fields
 * with the text of their values. */
#ifndef VMVIZ_TESTS_JSON_CHECK_H
#define VMVIZ_TESTS_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_FIELDS 40

struct jfield {
    char key[32];
    const char *value;    /* the value's text */
    size_t len;
    char type;            /* 'n' number, 's' string, 'o' object, 'a' array, 'b' bool, 'z' null */
};

struct jobject {
    struct jfield fields[JSON_MAX_FIELDS];
    int count;
};

/* True when line is exactly one JSON object (and nothing else); its
 * fields go to obj. */
bool json_line(const char *line, struct jobject *obj);
/* True when text is exactly one JSON array (blanks around it allowed)
 * whose elements are all objects, at most max: each into out, *count set
 * to how many. */
bool json_array_objects(const char *text, struct jobject *out, size_t max, size_t *count);
/* The field of o named key, or NULL. */
const struct jfield *jget(const struct jobject *o, const char *key);
/* The value of a number field that is a non-negative integer. */
bool jnum(const struct jobject *o, const char *key, uint64_t *out);
/* True when a string field's JSON text (escapes as written) is want. */
bool jstr_is(const struct jobject *o, const char *key, const char *want);

#endif
