/* Memory objects and their page cache. See object.h. */
#include "vm/object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/chunked.h"
#include "vm/rng.h"

bool object_init(struct vm_object *o, const char *name, uint64_t pages, bool anonymous)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    o->anonymous = anonymous;
    o->pages = pages;
    return true;
}

void object_destroy(struct vm_object *o)
{
    for (uint64_t c = 0; o->chunks && c < o->nchunks; c++)
        free(o->chunks[c]);
    free(o->chunks);
    free(o->chunk_ids);
    free(o->chunk_used);
    o->chunks = NULL;
    o->chunk_ids = NULL;
    o->chunk_used = NULL;
    o->nchunks = o->capchunks = 0;
}

bool object_clone(struct vm_object *dst, const struct vm_object *src)
{
    *dst = *src;
    dst->chunks = NULL;
    dst->chunk_ids = NULL;
    dst->chunk_used = NULL;
    dst->nchunks = dst->capchunks = 0;
    if (src->capchunks == 0)
        return true;
    dst->chunks = calloc(src->capchunks, sizeof *dst->chunks);
    dst->chunk_ids = malloc(src->capchunks * sizeof *dst->chunk_ids);
    dst->chunk_used = malloc(src->capchunks * sizeof *dst->chunk_used);
    if (!dst->chunks || !dst->chunk_ids || !dst->chunk_used) {
        object_destroy(dst);
        return false;
    }
    dst->capchunks = src->capchunks;
    memcpy(dst->chunk_ids, src->chunk_ids, src->nchunks * sizeof *dst->chunk_ids);
    memcpy(dst->chunk_used, src->chunk_used, src->nchunks * sizeof *dst->chunk_used);
    for (uint64_t c = 0; c < src->nchunks; c++) {
        dst->chunks[c] = malloc(OBJECT_CHUNK_PAGES * sizeof **dst->chunks);
        if (!dst->chunks[c]) {
            dst->nchunks = c;
            object_destroy(dst);
            return false;
        }
        memcpy(dst->chunks[c], src->chunks[c], OBJECT_CHUNK_PAGES * sizeof **dst->chunks);
    }
    dst->nchunks = src->nchunks;
    return true;
}

/* The place in the index of the first chunk numbered id or more. */
static uint64_t find_chunk(const struct vm_object *o, uint64_t id)
{
    uint64_t lo = 0, hi = o->nchunks;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (o->chunk_ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t object_get(const struct vm_object *o, uint64_t i)
{
    if (i >= o->pages)
        return 0;
    uint64_t id = i >> OBJECT_CHUNK_SHIFT, at = find_chunk(o, id);
    if (at == o->nchunks || o->chunk_ids[at] != id)
        return 0;
    return o->chunks[at][i & (OBJECT_CHUNK_PAGES - 1)];
}

uint64_t object_next_page(const struct vm_object *o, uint64_t i)
{
    if (i >= o->pages)
        return o->pages;
    uint64_t id = i >> OBJECT_CHUNK_SHIFT, at = find_chunk(o, id);
    if (at == o->nchunks)
        return o->pages;
    return o->chunk_ids[at] == id ? i : o->chunk_ids[at] << OBJECT_CHUNK_SHIFT;
}

/* Room in the index for one more chunk; false when the host refused it. */
static bool index_room(struct vm_object *o)
{
    if (o->nchunks < o->capchunks)
        return true;
    uint64_t cap = o->capchunks ? o->capchunks * 2 : 4;
    uint64_t **chunks = realloc(o->chunks, cap * sizeof *chunks);
    if (!chunks)
        return false;
    o->chunks = chunks;
    uint64_t *ids = realloc(o->chunk_ids, cap * sizeof *ids);
    if (!ids)
        return false;
    o->chunk_ids = ids;
    uint32_t *used = realloc(o->chunk_used, cap * sizeof *used);
    if (!used)
        return false;
    o->chunk_used = used;
    o->capchunks = cap;
    return true;
}

bool object_set(struct vm_object *o, uint64_t i, uint64_t where)
{
    if (i >= o->pages)
        return false;
    uint64_t id = i >> OBJECT_CHUNK_SHIFT, at = find_chunk(o, id);
    if (at == o->nchunks || o->chunk_ids[at] != id) {
        if (where == 0)
            return true; /* already nowhere */
        uint64_t *chunk = index_room(o) ? calloc(OBJECT_CHUNK_PAGES, sizeof *chunk) : NULL;
        if (!chunk)
            return false;
        uint64_t after = o->nchunks - at;
        memmove(&o->chunks[at + 1], &o->chunks[at], after * sizeof *o->chunks);
        memmove(&o->chunk_ids[at + 1], &o->chunk_ids[at], after * sizeof *o->chunk_ids);
        memmove(&o->chunk_used[at + 1], &o->chunk_used[at], after * sizeof *o->chunk_used);
        o->chunks[at] = chunk;
        o->chunk_ids[at] = id;
        o->chunk_used[at] = 0;
        o->nchunks++;
    }
    uint64_t *entry = &o->chunks[at][i & (OBJECT_CHUNK_PAGES - 1)];
    if (*entry == 0 && where != 0)
        o->chunk_used[at]++;
    else if (*entry != 0 && where == 0)
        o->chunk_used[at]--;
    *entry = where;
    if (o->chunk_used[at] == 0) {
        /* No page of the chunk is anywhere now: it goes. */
        free(o->chunks[at]);
        uint64_t after = o->nchunks - at - 1;
        memmove(&o->chunks[at], &o->chunks[at + 1], after * sizeof *o->chunks);
        memmove(&o->chunk_ids[at], &o->chunk_ids[at + 1], after * sizeof *o->chunk_ids);
        memmove(&o->chunk_used[at], &o->chunk_used[at + 1], after * sizeof *o->chunk_used);
        o->nchunks--;
    }
    return true;
}

uint64_t object_bytes(const struct vm_object *o)
{
    if (o->capchunks == 0)
        return 0;
    return vm_block_bytes(o->capchunks * sizeof *o->chunks) +
           vm_block_bytes(o->capchunks * sizeof *o->chunk_ids) +
           vm_block_bytes(o->capchunks * sizeof *o->chunk_used) +
           o->nchunks * vm_block_bytes(OBJECT_CHUNK_PAGES * sizeof **o->chunks);
}

void object_digest(const struct vm_object *o, uint64_t *h)
{
    digest_bytes(h, o->name, strlen(o->name));
    digest_u64(h, o->pages | (uint64_t)o->anonymous << 63);
    for (uint64_t c = 0; c < o->nchunks; c++)
        for (uint64_t k = 0; k < OBJECT_CHUNK_PAGES; k++)
            if (o->chunks[c][k]) {
                digest_u64(h, (o->chunk_ids[c] << OBJECT_CHUNK_SHIFT) | k);
                digest_u64(h, o->chunks[c][k]);
            }
}
