#ifndef VMVIZ_VM_FRAMES_H
#define VMVIZ_VM_FRAMES_H
/* Physical memory: a fixed pool of frames, each with a kind, an owner, a
 * reference count and a reverse map listing every (process, page) that maps
 * it. Frames [0, data_frames) serve pages (and page tables when no frames are
 * reserved for them); frames [data_frames, data_frames + table_frames) serve
 * page tables only. Free frames are handed out lowest number first so that
 * runs are easy to follow and deterministic. Swap slots are in swap.h. */
#include <stdbool.h>
#include <stdint.h>

#include "vm/chunked.h"
#include "vm/freemap.h"
#include "vm/sentinel.h"

#define FRAME_KIND_LIST(X)                         \
    X(FREE, "free", "free")                        \
    X(ANON, "anon", "anonymous memory")            \
    X(FILE, "file", "file cache")                  \
    X(TABLE, "table", "page table")                \
    X(ZERO, "zero", "the shared zero page")         \
    X(KERNEL, "kernel", "kernel memory")

enum frame_kind {
#define FRAME_KIND_ENUM(id, name, text) FRAME_##id,
    FRAME_KIND_LIST(FRAME_KIND_ENUM)
#undef FRAME_KIND_ENUM
    FRAME_KIND_COUNT
};

const char *frame_kind_name(enum frame_kind kind);
const char *frame_kind_text(enum frame_kind kind);

/* One mapping of a frame: which process maps it at which virtual page,
 * and the frame of the page table whose entry maps it there, so that
 * eviction reaches the entry without walking (VM_NO_FRAME when the
 * mapping was recorded without it; the entry is then found by a walk).
 * The table is where the walk leads while the mapping lasts: a process's
 * tables are freed only with its whole address space, and a split huge
 * page's head is given its new table (frames_rmap_set_table). */
struct rmap {
    uint32_t pid;
    uint32_t table;
    uint64_t vpn;
};

struct frame {
    uint8_t kind;          /* enum frame_kind */
    int8_t table_level;    /* for FRAME_TABLE: its level; otherwise -1 */
    bool dirty;            /* file cache page modified since read (or swap copy stale) */
    uint8_t compound;      /* FRAME_HEAD or FRAME_TAIL of a huge page, else 0 */
    /* A private anonymous page that only one process may write (Linux:
     * PageAnonExclusive): set when a fault maps it writable, cleared when
     * fork shares it. mprotect may give such a page its write bit back
     * without a fault. */
    bool anon_exclusive;
    uint32_t owner_pid;    /* the process it was allocated for (VM_NO_PID when shared) */
    uint32_t object;       /* the file or shared-memory object it caches, or VM_NO_OBJECT */
    uint32_t refcount;     /* mappings (data) or 1 (tables) */
    uint64_t object_page;  /* page number within that object; for FRAME_KERNEL, the
                              virtual page it backs in the kernel half */
    uint32_t nmaps, capmaps;
    /* The reverse map: maps[0..nmaps). With room for one mapping (the
     * common case, a private page) maps points at map_inline, so a fault
     * and an eviction allocate nothing; from a second mapping on, at an
     * array of capmaps on the host. NULL when capmaps is 0. */
    struct rmap *maps;
    struct rmap map_inline;
    uint64_t loaded_at;    /* machine clock when it got its content */
    uint32_t swap_slot;    /* the swap cache: a slot holding the same page, or VM_NO_SLOT */
};

/* What every free frame reads as: kind FRAME_FREE, table_level -1, no
 * owner, no object, nothing else. */
extern const struct frame frame_free;

/* The frames are kept in a chunked array (vm/chunked.h): a frame never
 * taken costs nothing, and reads as frame_free. Two free maps (one per
 * region) find the lowest free frame without a scan. */
struct frame_pool {
    uint32_t data_frames;
    uint32_t table_frames;
    uint32_t free_data;
    uint32_t free_table;
    struct chunked frames;     /* struct frame, data_frames + table_frames */
    struct freemap data_free;  /* frames [0, data_frames) */
    struct freemap table_free; /* frames [data_frames, data_frames + table_frames) */
};

/* Sets up a pool with every frame free. false when out of memory. */
bool frames_init(struct frame_pool *p, uint32_t data_frames, uint32_t table_frames);
/* A zeroed pool may be destroyed. */
void frames_destroy(struct frame_pool *p);
/* false when out of memory; dst is then destroyed. */
bool frames_clone(struct frame_pool *dst, const struct frame_pool *src);
/* Total number of frames. */
uint32_t frames_total(const struct frame_pool *p);

/* Frame f (below frames_total) to read; never allocates. Read it before
 * the pool changes: for a frame never taken the pointer is the shared
 * frame_free, which a later frames_take of f does not change, and the
 * maps array moves whenever the frame's reverse map grows or shrinks. */
static inline const struct frame *frames_at(const struct frame_pool *p, uint32_t f)
{
    const struct frame *chunk = chunked_chunk(&p->frames, f);
    return chunk ? &chunk[f & CHUNKED_MASK] : &frame_free;
}

/* Frame f to change. Only for a frame that is taken (or was taken once):
 * its storage was made then, so this never allocates. The pointer is valid
 * until frames_destroy (chunks never move); its maps array moves whenever
 * the reverse map grows or shrinks. */
static inline struct frame *frames_edit(struct frame_pool *p, uint32_t f)
{
    struct frame *chunk = chunked_chunk(&p->frames, f);
    return &chunk[f & CHUNKED_MASK];
}

/* The first frame at or after f that may be taken (the frames skipped are
 * free and were never taken), or frames_total when none is: how a loop
 * over the frames visits only the part of the pool in use. */
uint32_t frames_next_touched(const struct frame_pool *p, uint32_t f);

/* Takes the lowest free frame able to hold the kind (page tables go to the
 * reserved region when there is one). Returns its number, VM_NO_FRAME when
 * none is free, or FRAMES_REFUSED (vm/sentinel.h). */
uint32_t frames_take(struct frame_pool *p, enum frame_kind kind);
/* Takes one given free frame; false when it is not free (or the host
 * refused the memory to record it). */
bool frames_take_at(struct frame_pool *p, uint32_t frame, enum frame_kind kind);
#define FRAME_HEAD 1
#define FRAME_TAIL 2

/* Takes n free page frames in a row, the first a multiple of n (a huge
 * page: its frames must be physically contiguous and aligned): the lowest
 * such run, each frame of the kind given (FRAME_ANON for a huge page,
 * FRAME_ZERO for the huge zero page), the first the head. Returns the
 * first, VM_NO_FRAME when no such run is free, or FRAMES_REFUSED. */
uint32_t frames_take_run(struct frame_pool *p, uint32_t n, enum frame_kind kind);
/* Returns a frame to the free list; clears its reverse map. */
void frames_release(struct frame_pool *p, uint32_t frame);
/* frames_release(frame) then frames_take(kind), which take this same frame
 * back when no other frame of its region was free (reclaim freeing its
 * victim for the frame it was after): the pool ends as those two leave
 * it, with none of their work. Returns false, having done nothing, when
 * the frame is free, another frame of its region is, or kind is taken in
 * the other region. */
bool frames_retake(struct frame_pool *p, uint32_t frame, enum frame_kind kind);
/* True when a frame of this kind could be taken without eviction. */
bool frames_have_free(const struct frame_pool *p, enum frame_kind kind);
/* True when the frame is in the region reserved for page tables. */
bool frames_is_table_region(const struct frame_pool *p, uint32_t frame);
/* Records that pid maps the (taken) frame at vpn. false when out of memory.
 * A reverse map holds room for at most four times its mappings (none
 * when it has none); its first mapping takes no host memory. */
bool frames_rmap_add(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn);
/* frames_rmap_add, with the frame of the table whose entry maps it. */
bool frames_rmap_add_at(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn,
                        uint32_t table);
/* The mapping (pid, vpn) of frame is now made by an entry of the table at
 * frame `table` (a huge page split moved it); false when it is not
 * recorded. */
bool frames_rmap_set_table(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn,
                           uint32_t table);
/* Forgets one mapping; returns false when it was not recorded. */
bool frames_rmap_remove(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn);
/* Digests the frames that are not free, each with its number. */
void frames_digest(const struct frame_pool *p, uint64_t *h);
/* The bytes the pool holds on the host, reverse maps included. */
uint64_t frames_bytes(const struct frame_pool *p);

#endif
