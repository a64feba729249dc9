/* The strict JSON parser of the suites. See json_check.h. */
#include "json_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *json_value(const char *p, char *type, struct jobject *obj);

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

static const char *json_str(const char *p)
{
    if (*p != '"')
        return NULL;
    for (p++; *p != '"'; p++) {
        if ((unsigned char)*p < 0x20)
            return NULL; /* a raw control character */
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || p[i] == '\0')
                        return NULL;
                p += 4;
            } else if (*p == '\0' || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
    }
    return p + 1;
}

static const char *json_num(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

/* An object; its fields go to obj when obj is not NULL. */
static const char *json_obj(const char *p, struct jobject *obj)
{
    if (obj)
        obj->count = 0;
    p = skip_space(p + 1);
    if (*p == '}')
        return p + 1;
    for (;;) {
        const char *key = p;
        const char *end = json_str(p);
        if (end == NULL)
            return NULL;
        p = skip_space(end);
        if (*p++ != ':')
            return NULL;
        p = skip_space(p);
        char type;
        const char *value = p;
        end = json_value(p, &type, NULL);
        if (end == NULL)
            return NULL;
        if (obj) {
            if (obj->count == JSON_MAX_FIELDS)
                return NULL;
            struct jfield *f = &obj->fields[obj->count++];
            size_t klen = (size_t)(strchr(key + 1, '"') - key - 1);
            snprintf(f->key, sizeof f->key, "%.*s", (int)klen, key + 1);
            f->value = value;
            f->len = (size_t)(end - value);
            f->type = type;
        }
        p = skip_space(end);
        if (*p == '}')
            return p + 1;
        if (*p++ != ',')
            return NULL;
        p = skip_space(p);
    }
}

static const char *json_arr(const char *p)
{
    p = skip_space(p + 1);
    if (*p == ']')
        return p + 1;
    for (;;) {
        char type;
        p = json_value(p, &type, NULL);
        if (p == NULL)
            return NULL;
        p = skip_space(p);
        if (*p == ']')
            return p + 1;
        if (*p++ != ',')
            return NULL;
        p = skip_space(p);
    }
}

static const char *json_value(const char *p, char *type, struct jobject *obj)
{
    switch (*p) {
    case '{': *type = 'o'; return json_obj(p, obj);
    case '[': *type = 'a'; return json_arr(p);
    case '"': *type = 's'; return json_str(p);
    case 't': *type = 'b'; return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f': *type = 'b'; return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n': *type = 'z'; return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default: *type = 'n'; return json_num(p);
    }
}

/* True when line is exactly one JSON object (and nothing else). */
bool json_line(const char *line, struct jobject *obj)
{
    if (line[0] != '{')
        return false;
    char type;
    const char *end = json_value(line, &type, obj);
    return end != NULL && *end == '\0';
}

const struct jfield *jget(const struct jobject *o, const char *key)
{
    for (int i = 0; i < o->count; i++)
        if (strcmp(o->fields[i].key, key) == 0)
            return &o->fields[i];
    return NULL;
}

/* The value of a number field that is a non-negative integer. */
bool jnum(const struct jobject *o, const char *key, uint64_t *out)
{
    const struct jfield *f = jget(o, key);
    if (f == NULL || f->type != 'n' || f->value[0] < '0' || f->value[0] > '9')
        return false;
    char *end;
    *out = strtoull(f->value, &end, 10);
    return (size_t)(end - f->value) == f->len;
}

/* True when a string field's JSON text (escapes as written) is want. */
bool jstr_is(const struct jobject *o, const char *key, const char *want)
{
    const struct jfield *f = jget(o, key);
    return f && f->type == 's' && f->len == strlen(want) + 2 &&
           strncmp(f->value + 1, want, f->len - 2) == 0;
}

bool json_array_objects(const char *text, struct jobject *out, size_t max, size_t *count)
{
    *count = 0;
    char type;
    const char *p = skip_space(text);
    if (*p != '[')
        return false;
    const char *end = json_value(p, &type, NULL);
    if (end == NULL || *skip_space(end) != '\0')
        return false;
    /* Valid as a whole: now each element, which must be an object. */
    p = skip_space(p + 1);
    if (*p == ']')
        return true;
    for (;;) {
        if (*p != '{' || *count == max)
            return false;
        p = json_value(p, &type, &out[(*count)++]);
        p = skip_space(p);
        if (*p == ']')
            return true;
        p = skip_space(p + 1);
    }
}
