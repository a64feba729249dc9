#ifndef VMVIZ_VM_OBJECT_H
#define VMVIZ_VM_OBJECT_H
/* Memory objects behind shared or file-backed areas: a file declared by the
 * scenario, or the anonymous object behind a MAP_SHARED|MAP_ANONYMOUS area
 * (tmpfs-like, as Linux's shmem). The page cache is kept per object: for
 * every page, where its content is now - nowhere (on disk, or zero for
 * anonymous memory), in a frame, or in a swap slot (anonymous only). Every
 * process mapping the object finds the same frame there. */
#include <stdbool.h>
#include <stdint.h>

#include "vm/sentinel.h"

#define OBJECT_NAME_MAX 32
#define OBJECT_SWAPPED (UINT64_C(1) << 63)
/* The page map is kept in chunks of this many pages, each made when one of
 * its pages gets a place and freed when none has one any more, found
 * through a sorted index of the chunks held: an object costs the pages
 * that are somewhere now, however large it is declared (a 16 TiB file, a
 * shared area as large as user space). */
#define OBJECT_CHUNK_SHIFT 12
#define OBJECT_CHUNK_PAGES (UINT64_C(1) << OBJECT_CHUNK_SHIFT)

struct vm_object {
    char name[OBJECT_NAME_MAX];
    bool anonymous;       /* shared anonymous memory: evicted to swap */
    uint64_t pages;
    /* The chunks held, by increasing number: chunk_ids[i] is the number
     * (page >> OBJECT_CHUNK_SHIFT) of chunks[i], whose entries are 0 when
     * the page is not in memory; frame + 1; or OBJECT_SWAPPED | slot;
     * chunk_used[i] counts its entries that are not 0. A chunk not in the
     * index holds zeros. */
    uint64_t *chunk_ids;
    uint64_t **chunks;
    uint32_t *chunk_used;
    uint64_t nchunks, capchunks;
};

/* Sets up an object of `pages` pages, none of them anywhere. Holds
 * nothing until a page gets a place. */
bool object_init(struct vm_object *o, const char *name, uint64_t pages, bool anonymous);
void object_destroy(struct vm_object *o);
bool object_clone(struct vm_object *dst, const struct vm_object *src);
/* Digests the pages that are somewhere, each with its number. */
void object_digest(const struct vm_object *o, uint64_t *h);
/* Bytes the object's page map holds on the host, malloc's headers counted. */
uint64_t object_bytes(const struct vm_object *o);

/* Where page i is: 0 (nowhere), frame + 1, or OBJECT_SWAPPED | slot. */
uint64_t object_get(const struct vm_object *o, uint64_t i);

/* The first page at or after i in a chunk held, or o->pages when none is:
 * the pages skipped are nowhere. */
uint64_t object_next_page(const struct vm_object *o, uint64_t i);

/* Records where page i is (see object_get). false when the host refused
 * the memory for its chunk. */
bool object_set(struct vm_object *o, uint64_t i, uint64_t where);

/* The frame holding page i, or VM_NO_FRAME. */
static inline uint32_t object_frame(const struct vm_object *o, uint64_t i)
{
    uint64_t v = object_get(o, i);
    return v && !(v & OBJECT_SWAPPED) ? (uint32_t)(v - 1) : VM_NO_FRAME;
}

/* The swap slot holding page i, or VM_NO_SLOT. */
static inline uint32_t object_slot(const struct vm_object *o, uint64_t i)
{
    uint64_t v = object_get(o, i);
    return (v & OBJECT_SWAPPED) ? (uint32_t)(v & ~OBJECT_SWAPPED) : VM_NO_SLOT;
}

#endif
