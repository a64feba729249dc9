/* A bump allocator: see arena.h. */
#include "util/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 65536u

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct arena_block *head;
};

struct arena *arena_new(void)
{
    return calloc(1, sizeof(struct arena));
}

void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    struct arena_block *b = a->head;

    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    if (b == NULL || b->size - b->used < n) {
        /* A large request gets a block of its own, placed behind the
         * current one so that the current block's free space stays usable. */
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        struct arena_block *nb = malloc(sizeof *nb + size);
        if (nb == NULL)
            return NULL;
        nb->used = 0;
        nb->size = size;
        if (b != NULL && size != ARENA_BLOCK) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / 2 / size)
        return NULL;
    return arena_alloc(a, count * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void arena_free(struct arena *a)
{
    if (a == NULL)
        return;
    for (struct arena_block *b = a->head, *next; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}
