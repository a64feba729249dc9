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

#define OBJECT_NAME_MAX 32
#define OBJECT_SWAPPED (UINT64_C(1) << 63)

struct vm_object {
    char name[OBJECT_NAME_MAX];
    bool anonymous;       /* shared anonymous memory: evicted to swap */
    uint64_t pages;
    uint64_t *page;       /* 0: not in memory; frame + 1; or OBJECT_SWAPPED | slot */
};

bool object_init(struct vm_object *o, const char *name, uint64_t pages, bool anonymous);
void object_destroy(struct vm_object *o);
bool object_clone(struct vm_object *dst, const struct vm_object *src);
void object_digest(const struct vm_object *o, uint64_t *h);

/* The frame holding page i, or UINT32_MAX. */
static inline uint32_t object_frame(const struct vm_object *o, uint64_t i)
{
    uint64_t v = i < o->pages ? o->page[i] : 0;
    return v && !(v & OBJECT_SWAPPED) ? (uint32_t)(v - 1) : UINT32_MAX;
}

/* The swap slot holding page i, or UINT32_MAX. */
static inline uint32_t object_slot(const struct vm_object *o, uint64_t i)
{
    uint64_t v = i < o->pages ? o->page[i] : 0;
    return (v & OBJECT_SWAPPED) ? (uint32_t)(v & ~OBJECT_SWAPPED) : UINT32_MAX;
}

#endif
