/* Memory objects and their page cache. See object.h. */
#include "vm/object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/rng.h"

bool object_init(struct vm_object *o, const char *name, uint64_t pages, bool anonymous)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    o->anonymous = anonymous;
    o->pages = pages;
    o->nchunks = (pages + OBJECT_CHUNK_PAGES - 1) >> OBJECT_CHUNK_SHIFT;
    o->chunks = calloc(o->nchunks ? o->nchunks : 1, sizeof *o->chunks);
    return o->chunks != NULL;
}

void object_destroy(struct vm_object *o)
{
    for (uint64_t c = 0; o->chunks && c < o->nchunks; c++)
        free(o->chunks[c]);
    free(o->chunks);
    o->chunks = NULL;
    o->nchunks = 0;
}

bool object_clone(struct vm_object *dst, const struct vm_object *src)
{
    *dst = *src;
    dst->chunks = calloc(src->nchunks ? src->nchunks : 1, sizeof *dst->chunks);
    if (!dst->chunks)
        return false;
    for (uint64_t c = 0; c < src->nchunks; c++) {
        if (!src->chunks[c])
            continue;
        dst->chunks[c] = malloc(OBJECT_CHUNK_PAGES * sizeof **dst->chunks);
        if (!dst->chunks[c]) {
            object_destroy(dst);
            return false;
        }
        memcpy(dst->chunks[c], src->chunks[c], OBJECT_CHUNK_PAGES * sizeof **dst->chunks);
    }
    return true;
}

bool object_set(struct vm_object *o, uint64_t i, uint64_t where)
{
    if (i >= o->pages)
        return false;
    uint64_t **chunk = &o->chunks[i >> OBJECT_CHUNK_SHIFT];
    if (!*chunk) {
        if (where == 0)
            return true; /* already nowhere */
        *chunk = calloc(OBJECT_CHUNK_PAGES, sizeof **chunk);
        if (!*chunk)
            return false;
    }
    (*chunk)[i & (OBJECT_CHUNK_PAGES - 1)] = where;
    return true;
}

uint64_t object_bytes(const struct vm_object *o)
{
    uint64_t bytes = o->nchunks * sizeof *o->chunks;
    for (uint64_t c = 0; c < o->nchunks; c++)
        if (o->chunks[c])
            bytes += OBJECT_CHUNK_PAGES * sizeof **o->chunks;
    return bytes;
}

void object_digest(const struct vm_object *o, uint64_t *h)
{
    digest_bytes(h, o->name, strlen(o->name));
    digest_u64(h, o->pages | (uint64_t)o->anonymous << 63);
    for (uint64_t c = 0; c < o->nchunks; c++) {
        if (!o->chunks[c])
            continue;
        for (uint64_t k = 0; k < OBJECT_CHUNK_PAGES; k++)
            if (o->chunks[c][k]) {
                digest_u64(h, (c << OBJECT_CHUNK_SHIFT) | k);
                digest_u64(h, o->chunks[c][k]);
            }
    }
}
