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

/* One frame's place in the heap and its keys. */
struct opt_node {
    uint64_t key;     /* next use */
    uint64_t stamp;   /* load order */
    uint32_t pos;     /* heap index, NIL when absent */
};

static const struct opt_node absent_node = {.key = 0, .stamp = 0, .pos = NIL};

struct opt_state {
    uint32_t size, cap;
    uint32_t *heap;        /* frames, room for cap */
    struct chunked nodes;  /* struct opt_node per frame */
    uint64_t loads;
};

static const struct opt_node *node_at(const struct opt_state *s, uint32_t frame)
{
    const struct opt_node *chunk = chunked_chunk(&s->nodes, frame);
    return chunk ? &chunk[frame & CHUNKED_MASK] : &absent_node;
}

/* The node of a frame that is or was in the heap (its chunk exists). */
static struct opt_node *node_edit(struct opt_state *s, uint32_t frame)
{
    struct opt_node *chunk = chunked_chunk(&s->nodes, frame);
    return &chunk[frame & CHUNKED_MASK];
}

static bool before(const struct opt_state *s, uint32_t a, uint32_t b)
{
    const struct opt_node *x = node_at(s, a), *y = node_at(s, b);
    if (x->key != y->key)
        return x->key > y->key;
    return x->stamp < y->stamp;
}

static void place(struct opt_state *s, uint32_t i, uint32_t frame)
{
    s->heap[i] = frame;
    node_edit(s, frame)->pos = i;
}

static void sift_up(struct opt_state *s, uint32_t i)
{
    uint32_t frame = s->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(s, frame, s->heap[parent]))
            break;
        place(s, i, s->heap[parent]);
        i = parent;
    }
    place(s, i, frame);
}

static void sift_down(struct opt_state *s, uint32_t i)
{
    uint32_t frame = s->heap[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= s->size)
            break;
        if (child + 1 < s->size && before(s, s->heap[child + 1], s->heap[child]))
            child++;
        if (!before(s, s->heap[child], frame))
            break;
        place(s, i, s->heap[child]);
        i = child;
    }
    place(s, i, frame);
}

static void heap_remove(struct opt_state *s, uint32_t frame)
{
    uint32_t i = node_at(s, frame)->pos;
    if (i == NIL)
        return;
    node_edit(s, frame)->pos = NIL;
    s->size--;
    if (i == s->size)
        return;
    uint32_t moved = s->heap[s->size];
    place(s, i, moved);
    sift_up(s, i);
    sift_down(s, node_at(s, moved)->pos);
}

/* Inserts a frame whose node exists; there is room (see make_room). */
static void heap_insert(struct opt_state *s, uint32_t frame)
{
    place(s, s->size, frame);
    s->size++;
    sift_up(s, s->size - 1);
}

/* Room in the heap for one more frame; false when the host refused it. */
static bool make_room(struct opt_state *s)
{
    if (s->size < s->cap)
        return true;
    uint32_t cap = s->cap ? s->cap * 2 : 16;
    if (cap > s->nodes.length)
        cap = s->nodes.length;
    uint32_t *heap = realloc(s->heap, cap * sizeof *heap);
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
    return chunked_init(&s->nodes, p->nframes, sizeof(struct opt_node), &absent_node);
}

static void opt_destroy(struct policy *p)
{
    struct opt_state *s = p->state;
    if (!s)
        return;
    free(s->heap);
    chunked_destroy(&s->nodes);
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
    if (!ok || !chunked_clone(&s->nodes, &from->nodes)) {
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
           chunked_bytes(&s->nodes);
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
    struct opt_node *n = chunked_touch(&s->nodes, frame);
    if (!n || !make_room(s)) {
        p->refused = true;
        return;
    }
    /* Unknown until the access that loaded it completes; a page mapped
     * without an access is treated as never used again. */
    n->key = UINT64_MAX;
    n->stamp = ++s->loads;
    heap_insert(s, frame);
}

static void opt_accessed(struct policy *p, uint32_t frame, uint64_t next_use)
{
    struct opt_state *s = p->state;
    if (node_at(s, frame)->pos == NIL)
        return;
    struct opt_node *n = node_edit(s, frame);
    n->key = next_use;
    sift_up(s, n->pos);
    sift_down(s, node_at(s, frame)->pos);
}

static void opt_freed(struct policy *p, uint32_t frame)
{
    heap_remove(p->state, frame);
}

static uint32_t opt_choose(struct policy *p, const struct policy_host *host, char *why,
                           size_t why_len)
{
    struct opt_state *s = p->state;
    uint32_t skipped[OPT_MAX_SKIPPED];
    unsigned nskipped = 0;
    uint32_t victim = VM_NO_FRAME;
    /* Pop past unevictable frames (rare: dirty pages with swap full). */
    while (s->size > 0) {
        uint32_t top = s->heap[0];
        if (host->evictable(host->ctx, top)) {
            victim = top;
            break;
        }
        if (nskipped == OPT_MAX_SKIPPED)
            break;
        skipped[nskipped++] = top;
        heap_remove(s, top);
    }
    for (unsigned i = 0; i < nskipped; i++)
        heap_insert(s, skipped[i]);
    if (victim == VM_NO_FRAME) {
        policy_why(why, why_len, "no loaded page can be evicted");
        return VM_NO_FRAME;
    }
    uint64_t key = node_at(s, victim)->key;
    if (key == UINT64_MAX)
        policy_why(why, why_len, "the page in frame %u is never used again", victim);
    else
        policy_why(why, why_len, "the page in frame %u is next used at access %llu, the farthest",
                 victim, (unsigned long long)key + 1);
    return victim;
}

static size_t opt_order(const struct policy *p, uint32_t *out, size_t max, size_t *first_len)
{
    /* Farthest next use first: pop a scratch copy of the heap. */
    const struct opt_state *s = p->state;
    uint32_t *scratch = malloc((s->size ? s->size : 1) * sizeof *scratch);
    size_t n = 0;
    if (scratch) {
        memcpy(scratch, s->heap, s->size * sizeof *scratch);
        uint32_t size = s->size;
        while (size > 0 && n < max) {
            out[n++] = scratch[0];
            uint32_t last = scratch[--size], i = 0;
            for (;;) {
                uint32_t child = 2 * i + 1;
                if (child >= size)
                    break;
                if (child + 1 < size && before(s, scratch[child + 1], scratch[child]))
                    child++;
                if (!before(s, scratch[child], last))
                    break;
                scratch[i] = scratch[child];
                i = child;
            }
            scratch[i] = last;
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
        uint32_t f = s->heap[i];
        digest_u64(h, f);
        digest_u64(h, node_at(s, f)->key);
        digest_u64(h, node_at(s, f)->stamp);
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
