/* Sets of names (areas, files, the counters of one expect), with the
 * closest name for "did you mean" hints. See loader_internal.h. */
#include <stdlib.h>
#include <string.h>

#include "scenario/loader_internal.h"
#include "util/diag.h"

static size_t hash_name(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The stored name equal to name, or NULL. */
const char *nameset_find(const struct nameset *set, const char *name)
{
    if (set->cap == 0)
        return NULL;
    for (size_t i = hash_name(name) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (set->slots[i] == NULL)
            return NULL;
        if (strcmp(set->slots[i], name) == 0)
            return set->slots[i];
    }
}

/* Adds name (which must outlive the set) unless present. 0, or -1 when out
 * of memory. */
int nameset_add(struct nameset *set, const char *name)
{
    if (nameset_find(set, name) != NULL)
        return 0;
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        const char **slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return -1;
        for (size_t i = 0; i < set->cap; i++) {
            if (set->slots[i] == NULL)
                continue;
            size_t j = hash_name(set->slots[i]) & (cap - 1);
            while (slots[j] != NULL)
                j = (j + 1) & (cap - 1);
            slots[j] = set->slots[i];
        }
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t i = hash_name(name) & (set->cap - 1);
    while (set->slots[i] != NULL)
        i = (i + 1) & (set->cap - 1);
    set->slots[i] = name;
    set->count++;
    return 0;
}

void nameset_free(struct nameset *set)
{
    free(set->slots);
    set->slots = NULL;
    set->cap = set->count = 0;
}

/* The name in set closest to word, for "did you mean" hints; NULL if none. */
const char *nameset_suggest(const struct nameset *set, const char *word)
{
    const char **names = malloc((set->count ? set->count : 1) * sizeof *names);
    const char *best;
    size_t n = 0;

    if (names == NULL)
        return NULL;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i] != NULL)
            names[n++] = set->slots[i];
    best = diag_suggest(word, names, n);
    free(names);
    return best;
}
