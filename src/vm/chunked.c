/* Arrays that hold only the chunks touched. See chunked.h. */
#include "vm/chunked.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char zero_element[CHUNKED_MAX_ZERO];

bool chunked_init(struct chunked *c, uint32_t length, size_t elem_size, const void *fill)
{
    memset(c, 0, sizeof *c);
    if (elem_size == 0 || elem_size > UINT32_MAX || (!fill && elem_size > CHUNKED_MAX_ZERO))
        return false;
    c->length = length;
    c->nchunks = (uint32_t)(((uint64_t)length + CHUNKED_ITEMS - 1) >> CHUNKED_SHIFT);
    c->elem_size = (uint32_t)elem_size;
    c->zero = fill == NULL;
    c->fill = fill ? fill : zero_element;
    c->chunks = calloc(c->nchunks ? c->nchunks : 1, sizeof *c->chunks);
    return c->chunks != NULL;
}

void chunked_destroy(struct chunked *c)
{
    for (uint32_t k = 0; c->chunks && k < c->nchunks; k++)
        free(c->chunks[k]);
    free(c->chunks);
    c->chunks = NULL;
    c->held = 0;
}

uint32_t chunked_chunk_length(const struct chunked *c, uint32_t k)
{
    uint32_t first = k << CHUNKED_SHIFT;
    return c->length - first < CHUNKED_ITEMS ? c->length - first : CHUNKED_ITEMS;
}

bool chunked_clone(struct chunked *dst, const struct chunked *src)
{
    *dst = *src;
    dst->held = 0;
    dst->chunks = calloc(src->nchunks ? src->nchunks : 1, sizeof *dst->chunks);
    if (!dst->chunks) {
        memset(dst, 0, sizeof *dst);
        return false;
    }
    for (uint32_t k = 0; k < src->nchunks; k++) {
        if (!src->chunks[k])
            continue;
        size_t bytes = (size_t)chunked_chunk_length(src, k) * src->elem_size;
        dst->chunks[k] = malloc(bytes);
        if (!dst->chunks[k]) {
            chunked_destroy(dst);
            memset(dst, 0, sizeof *dst);
            return false;
        }
        memcpy(dst->chunks[k], src->chunks[k], bytes);
        dst->held++;
    }
    return true;
}

void *chunked_make(struct chunked *c, uint32_t k)
{
    if (c->chunks[k])
        return c->chunks[k];
    size_t n = chunked_chunk_length(c, k), size = c->elem_size;
    unsigned char *chunk = c->zero ? calloc(n, size) : malloc(n * size);
    if (!chunk)
        return NULL;
    if (!c->zero) {
        /* The default once, then doubled: n copies in log2(n) copies. */
        memcpy(chunk, c->fill, size);
        for (size_t done = 1; done < n;) {
            size_t more = done < n - done ? done : n - done;
            memcpy(chunk + done * size, chunk, more * size);
            done += more;
        }
    }
    c->chunks[k] = chunk;
    c->held++;
    return chunk;
}

uint32_t chunked_next(const struct chunked *c, uint32_t i)
{
    if (i >= c->length)
        return c->length;
    uint32_t k = i >> CHUNKED_SHIFT;
    if (c->chunks[k])
        return i;
    while (++k < c->nchunks)
        if (c->chunks[k])
            return k << CHUNKED_SHIFT;
    return c->length;
}

uint64_t chunked_bytes(const struct chunked *c)
{
    if (!c->chunks)
        return 0;
    uint64_t bytes = vm_block_bytes((uint64_t)(c->nchunks ? c->nchunks : 1) * sizeof *c->chunks);
    for (uint32_t k = 0; k < c->nchunks; k++)
        if (c->chunks[k])
            bytes += vm_block_bytes((uint64_t)chunked_chunk_length(c, k) * c->elem_size);
    return bytes;
}
