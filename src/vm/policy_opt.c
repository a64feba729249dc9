/* OPT (Belady): evict the page whose next use lies farthest in the future.
 * The machine passes, with every completed access, the position of the next
 * access to the same page (UINT64_MAX for never), computed once by the
 * caller from the whole future. The frames sit in a binary max-heap keyed by
 * that position, so each decision costs O(log n) and never scans the future.
 * Ties (pages never used again) go to the page loaded first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/policy.h"
#include "vm/rng.h"

/* A frame's heap index when it is not in the heap. */
#define NIL UINT32_MAX
/* Unevictable frames a choice pops past before it gives up (they are
 * rare: dirty pages while swap is full). */
#define OPT_MAX_SKIPPED 64

/* One frame in the heap: its keys held in the heap itself, so that a
 * comparison reads no other array (an access moves its frame down the heap
 * on every completed access). */
struct opt_item {
    uint64_t key;     /* next use */
    uint64_t stamp;   /* load order */
    uint32_t frame;
};

/* A frame's heap index, NIL when absent: what finds it in the heap. */
static const uint32_t absent_pos = NIL;

struct opt_state {
    uint32_t size, cap;
    struct opt_item *heap; /* room for cap */
    struct chunked pos;    /* uint32_t heap index per frame */
    uint64_t loads;
};

static uint32_t pos_of(const struct opt_state *s, uint32_t frame)
{
    const uint32_t *chunk = chunked_chunk(&s->pos, frame);
    return chunk ? chunk[frame & CHUNKED_MASK] : NIL;
}

/* Records that frame sits at heap index i (its chunk exists: the frame was
 * touched when loaded). Takes the directory, not the state, so that a sift
 * holds it in a register across its moves. */
static void set_pos(void *const *chunks, uint32_t frame, uint32_t i)
{
    uint32_t *chunk = chunks[frame >> CHUNKED_SHIFT];
    chunk[frame & CHUNKED_MASK] = i;
}

static bool before(const struct opt_item *x, const struct opt_item *y)
{
    return x->key > y->key || (x->key == y->key && x->stamp < y->stamp);
}

/* Puts item at index i of the heap or above it, moving the items it passes
 * down one level: a hole moves up, and item is written once, where it
 * stops. */
static inline void sift_up(struct opt_state *s, uint32_t i, struct opt_item item)
{
    struct opt_item *heap = s->heap, *hole = &heap[i];
    void *const *chunks = s->pos.chunks;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        struct opt_item *above = &heap[parent];
        if (!before(&item, above))
            break;
        *hole = *above;
        set_pos(chunks, above->frame, i);
        hole = above;
        i = parent;
    }
    *hole = item;
    set_pos(chunks, item.frame, i);
}

/* Puts item at index i of the heap or below it, moving the items it
 * passes up one level. */
static inline void sift_down(struct opt_state *s, uint32_t i, struct opt_item item)
{
    struct opt_item *heap = s->heap, *hole = &heap[i];
    void *const *chunks = s->pos.chunks;
    uint32_t size = s->size;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= size)
            break;
        struct opt_item *below = &heap[child];
        if (child + 1 < size && before(below + 1, below)) {
            below++;
            child++;
        }
        if (!before(below, &item))
            break;
        *hole = *below;
        set_pos(chunks, below->frame, i);
        hole = below;
        i = child;
    }
    *hole = item;
    set_pos(chunks, item.frame, i);
}

static void heap_remove(struct opt_state *s, uint32_t frame)
{
    uint32_t i = pos_of(s, frame);
    if (i == NIL)
        return;
    set_pos(s->pos.chunks, frame, NIL);
    s->size--;
    if (i == s->size)
        return;
    /* The last item fills the hole: up if it goes before the parent, else
     * down (one of the two finds nothing to do). */
    struct opt_item moved = s->heap[s->size];
    if (i > 0 && before(&moved, &s->heap[(i - 1) / 2]))
        sift_up(s, i, moved);
    else
        sift_down(s, i, moved);
}

/* Inserts a frame with its keys; there is room (see make_room). */
static void heap_insert(struct opt_state *s, const struct opt_item *item)
{
    s->size++;
    sift_up(s, s->size - 1, *item);
}

/* Room in the heap for one more frame; false when the host refused it. */
static bool make_room(struct opt_state *s)
{
    if (s->size < s->cap)
        return true;
    uint32_t cap = s->cap ? s->cap * 2 : 16;
    if (cap > s->pos.length)
        cap = s->pos.length;
    struct opt_item *heap = realloc(s->heap, cap * sizeof *heap);
    if (!heap)
        return false;
    s->heap = heap;
    s->cap = cap;
    return true;
}

static bool opt_init(struct policy *p)
{
    struct opt_state *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    p->state = s;
    return chunked_init(&s->pos, p->nframes, sizeof(uint32_t), &absent_pos);
}

static void opt_destroy(struct policy *p)
{
    struct opt_state *s = p->state;
    if (!s)
        return;
    free(s->heap);
    chunked_destroy(&s->pos);
    free(s);
}

static bool opt_clone(struct policy *dst, const struct policy *src)
{
    const struct opt_state *from = src->state;
    struct opt_state *s = malloc(sizeof *s);
    if (!s)
        return false;
    *s = *from;
    s->heap = from->cap ? malloc(from->cap * sizeof *s->heap) : NULL;
    bool ok = !from->cap || s->heap;
    if (ok && from->size)
        memcpy(s->heap, from->heap, from->size * sizeof *s->heap);
    if (!ok || !chunked_clone(&s->pos, &from->pos)) {
        free(s->heap);
        free(s);
        return false;
    }
    dst->state = s;
    return true;
}

static uint64_t opt_bytes(const struct policy *p)
{
    const struct opt_state *s = p->state;
    return vm_block_bytes(sizeof *s) + (s->cap ? vm_block_bytes(s->cap * sizeof *s->heap) : 0) +
           chunked_bytes(&s->pos);
}

static size_t opt_held(const struct policy *p)
{
    const struct opt_state *s = p->state;
    return s->size;
}

static void opt_loaded(struct policy *p, uint32_t frame)
{
    struct opt_state *s = p->state;
    heap_remove(s, frame);
    if (!chunked_touch(&s->pos, frame) || !make_room(s)) {
        p->refused = true;
        return;
    }
    /* Unknown until the access that loaded it completes; a page mapped
     * without an access is treated as never used again. */
    struct opt_item item = {.key = UINT64_MAX, .stamp = ++s->loads, .frame = frame};
    heap_insert(s, &item);
}

static void opt_accessed(struct policy *p, uint32_t frame, uint64_t next_use)
{
    struct opt_state *s = p->state;
    uint32_t i = pos_of(s, frame);
    if (i == NIL)
        return;
    struct opt_item item = s->heap[i];
    uint64_t old = item.key;
    item.key = next_use;
    /* A later next use can only move it up, an earlier one only down (the
     * other sift would find nothing to do). */
    if (next_use > old)
        sift_up(s, i, item);
    else if (next_use < old)
        sift_down(s, i, item);
}

static void opt_freed(struct policy *p, uint32_t frame)
{
    heap_remove(p->state, frame);
}

static uint32_t opt_choose(struct policy *p, const struct policy_host *host, char *why,
                           size_t why_len)
{
    struct opt_state *s = p->state;
    struct opt_item skipped[OPT_MAX_SKIPPED];
    unsigned nskipped = 0;
    uint32_t victim = VM_NO_FRAME;
    uint64_t key = 0;
    /* Pop past unevictable frames (rare: dirty pages with swap full). */
    while (s->size > 0) {
        struct opt_item top = s->heap[0];
        if (host->evictable(host->ctx, top.frame)) {
            victim = top.frame;
            key = top.key;
            break;
        }
        if (nskipped == OPT_MAX_SKIPPED)
            break;
        skipped[nskipped++] = top;
        heap_remove(s, top.frame);
    }
    for (unsigned i = 0; i < nskipped; i++)
        heap_insert(s, &skipped[i]);
    if (victim == VM_NO_FRAME) {
        policy_why(why, why_len, "no loaded page can be evicted");
        return VM_NO_FRAME;
    }
    if (key == UINT64_MAX)
        policy_why(why, why_len, "the page in frame %u is never used again", victim);
    else
        policy_why(why, why_len, "the page in frame %u is next used at access %llu, the farthest",
                 victim, (unsigned long long)key + 1);
    return victim;
}

/* qsort's form of before: the items' order as the heap pops them. */
static int compare_items(const void *a, const void *b)
{
    return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

static size_t opt_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    /* Farthest next use first: a sorted scratch copy of the heap, the
     * order popping it gives (no two items tie: each load has its own
     * stamp). */
    const struct opt_state *s = p->state;
    struct opt_item *scratch = malloc((s->size ? s->size : 1) * sizeof *scratch);
    size_t n = 0;
    if (scratch) {
        if (s->size)
            memcpy(scratch, s->heap, s->size * sizeof *scratch);
        qsort(scratch, s->size, sizeof *scratch, compare_items);
        while (n < s->size && n < max) {
            out[n] = scratch[n].frame;
            n++;
        }
        free(scratch);
    }
    *first_len = n;
    return n;
}

static void opt_digest(const struct policy *p, uint64_t *h)
{
    const struct opt_state *s = p->state;
    digest_u64(h, s->size);
    digest_u64(h, s->loads);
    for (uint32_t i = 0; i < s->size; i++) {
        digest_u64(h, s->heap[i].frame);
        digest_u64(h, s->heap[i].key);
        digest_u64(h, s->heap[i].stamp);
    }
}

const struct policy_ops policy_opt_ops = {
    .kind = POLICY_opt,
    .list_names = {"farthest next use first", NULL},
    .init = opt_init,
    .destroy = opt_destroy,
    .clone = opt_clone,
    .loaded = opt_loaded,
    .accessed = opt_accessed,
    .freed = opt_freed,
    .choose = opt_choose,
    .order = opt_order,
    .digest = opt_digest,
    .bytes = opt_bytes,
    .held = opt_held,
};
