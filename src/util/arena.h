/* A bump allocator: a loaded scenario is many small strings and arrays that
 * all die together, so they live in one arena freed in one call.
 * Internal to src/scenario. */
#ifndef VMVIZ_UTIL_ARENA_H
#define VMVIZ_UTIL_ARENA_H

#include <stddef.h>

struct arena;

/* A new empty arena, or NULL when out of memory. */
struct arena *arena_new(void);

/* n zeroed bytes aligned for any type, valid until arena_free; NULL when
 * out of memory or when n is absurdly large. */
void *arena_alloc(struct arena *a, size_t n);

/* count * size zeroed bytes; NULL on overflow or out of memory. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* A NUL-terminated copy of s[0..len); NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* Frees the arena and everything allocated from it; NULL is a no-op. */
void arena_free(struct arena *a);

#endif
