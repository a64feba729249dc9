#ifndef VMVIZ_VM_CHUNKED_H
#define VMVIZ_VM_CHUNKED_H
/* An array that holds only the chunks touched.
 *
 * A chunked array of `length` elements keeps them in chunks of
 * CHUNKED_ITEMS, each made when one of its elements is first written and
 * filled with the array's default element until then. An element whose
 * chunk was never made reads as that default, and reading never allocates:
 * an array declared with four million elements of which a thousand were
 * written holds one chunk and a directory of pointers. The frame pool, the
 * page-table index, the swap slots and the replacement policies' per-frame
 * state are kept this way, so that a machine costs what it uses rather
 * than what it declares.
 *
 * Chunks stay once made (an element written back to the default still
 * sits in its chunk), so two arrays with the same elements may hold
 * different chunks: whatever compares or digests them looks at the
 * elements, not at the chunks. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CHUNKED_SHIFT 12
#define CHUNKED_ITEMS (UINT32_C(1) << CHUNKED_SHIFT)
#define CHUNKED_MASK (CHUNKED_ITEMS - 1)
#define CHUNKED_MAX_ZERO 64

/* What malloc keeps in front of every block on the usual 64-bit
 * allocators. The engine counts it with every block it holds (see
 * machine_bytes), so that its byte counts are what the host gives and not
 * only what was asked for. */
#define VM_MALLOC_HEADER_BYTES 16

/* The bytes one block of `asked` bytes takes on the host. */
static inline uint64_t vm_block_bytes(uint64_t asked)
{
    return asked + VM_MALLOC_HEADER_BYTES;
}

/* Zeroes the n bytes at p, n a constant, in pieces of at most 64 bytes:
 * the compiler writes each with a few vector stores, where a memset of a
 * larger struct becomes a string instruction slow to start. For the
 * structs cleared on every access (the access state, an item's op). */
static inline void vm_clear_small(void *p, size_t n)
{
    unsigned char *bytes = p;
    for (size_t at = 0; at < n; at += 64)
        memset(bytes + at, 0, n - at < 64 ? n - at : 64);
}

struct chunked {
    uint32_t length;     /* elements */
    uint32_t nchunks;    /* length / CHUNKED_ITEMS, rounded up */
    uint32_t elem_size;  /* bytes of one element */
    uint32_t held;       /* chunks made */
    bool zero;           /* the default element is all zero bytes */
    const void *fill;    /* the default element */
    void **chunks;       /* nchunks pointers, NULL for a chunk never made */
};

/* Sets up an array of `length` elements of elem_size bytes, every one
 * reading as *fill (fill must outlive the array and its clones), or as all
 * zero bytes when fill is NULL (elements of CHUNKED_MAX_ZERO bytes at
 * most). Holds only the directory. false when the host refused it. */
bool chunked_init(struct chunked *c, uint32_t length, size_t elem_size, const void *fill);
/* Frees the chunks and the directory (what elements point to is the
 * owner's). A zeroed struct chunked may be destroyed. */
void chunked_destroy(struct chunked *c);
/* A copy holding copies of the same chunks, byte for byte. false when the
 * host refused it; dst is then zeroed. */
bool chunked_clone(struct chunked *dst, const struct chunked *src);
/* Makes chunk k (filled with the default); NULL when the host refused. */
void *chunked_make(struct chunked *c, uint32_t k);
/* The first element at or after i that lies in a chunk made, or length
 * when none does: the elements skipped read as the default. */
uint32_t chunked_next(const struct chunked *c, uint32_t i);
/* Elements in chunk k (fewer in the last one). */
uint32_t chunked_chunk_length(const struct chunked *c, uint32_t k);
/* The bytes the array holds on the host: its directory and chunks. */
uint64_t chunked_bytes(const struct chunked *c);

/* The chunk holding element i (i < length), or NULL when it was never
 * made. Callers index it with i & CHUNKED_MASK in their element type. */
static inline void *chunked_chunk(const struct chunked *c, uint32_t i)
{
    return c->chunks[i >> CHUNKED_SHIFT];
}

/* Element i to read: the default when its chunk was never made. */
static inline const void *chunked_get(const struct chunked *c, uint32_t i)
{
    const unsigned char *chunk = chunked_chunk(c, i);
    return chunk ? chunk + (size_t)(i & CHUNKED_MASK) * c->elem_size : c->fill;
}

/* Element i to write, its chunk made when needed; NULL when the host
 * refused the chunk. */
static inline void *chunked_touch(struct chunked *c, uint32_t i)
{
    unsigned char *chunk = chunked_chunk(c, i);
    if (!chunk && !(chunk = chunked_make(c, i >> CHUNKED_SHIFT)))
        return NULL;
    return chunk + (size_t)(i & CHUNKED_MASK) * c->elem_size;
}

#endif
