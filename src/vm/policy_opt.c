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

#define NIL UINT32_MAX

struct opt_state {
    uint32_t size;
    uint32_t *heap;   /* frames */
    uint32_t *pos;    /* frame -> heap index, NIL when absent */
    uint64_t *key;    /* frame -> next use */
    uint64_t *stamp;  /* frame -> load order */
    uint64_t loads;
};

static bool before(const struct opt_state *s, uint32_t a, uint32_t b)
{
    if (s->key[a] != s->key[b])
        return s->key[a] > s->key[b];
    return s->stamp[a] < s->stamp[b];
}

static void place(struct opt_state *s, uint32_t i, uint32_t frame)
{
    s->heap[i] = frame;
    s->pos[frame] = i;
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
    uint32_t i = s->pos[frame];
    if (i == NIL)
        return;
    s->pos[frame] = NIL;
    s->size--;
    if (i == s->size)
        return;
    uint32_t moved = s->heap[s->size];
    place(s, i, moved);
    sift_up(s, i);
    sift_down(s, s->pos[moved]);
}

static void heap_insert(struct opt_state *s, uint32_t frame)
{
    place(s, s->size, frame);
    s->size++;
    sift_up(s, s->size - 1);
}

static bool opt_init(struct policy *p)
{
    struct opt_state *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    size_t n = p->nframes ? p->nframes : 1;
    s->heap = malloc(n * sizeof *s->heap);
    s->pos = malloc(n * sizeof *s->pos);
    s->key = calloc(n, sizeof *s->key);
    s->stamp = calloc(n, sizeof *s->stamp);
    p->state = s;
    if (!s->heap || !s->pos || !s->key || !s->stamp)
        return false;
    for (size_t i = 0; i < n; i++)
        s->pos[i] = NIL;
    return true;
}

static void opt_destroy(struct policy *p)
{
    struct opt_state *s = p->state;
    if (!s)
        return;
    free(s->heap);
    free(s->pos);
    free(s->key);
    free(s->stamp);
    free(s);
}

static bool opt_clone(struct policy *dst, const struct policy *src)
{
    const struct opt_state *from = src->state;
    struct opt_state *s = malloc(sizeof *s);
    if (!s)
        return false;
    size_t n = src->nframes ? src->nframes : 1;
    *s = *from;
    s->heap = malloc(n * sizeof *s->heap);
    s->pos = malloc(n * sizeof *s->pos);
    s->key = malloc(n * sizeof *s->key);
    s->stamp = malloc(n * sizeof *s->stamp);
    dst->state = s;
    if (!s->heap || !s->pos || !s->key || !s->stamp) {
        opt_destroy(dst);
        dst->state = NULL;
        return false;
    }
    memcpy(s->heap, from->heap, n * sizeof *s->heap);
    memcpy(s->pos, from->pos, n * sizeof *s->pos);
    memcpy(s->key, from->key, n * sizeof *s->key);
    memcpy(s->stamp, from->stamp, n * sizeof *s->stamp);
    return true;
}

static void opt_loaded(struct policy *p, uint32_t frame)
{
    struct opt_state *s = p->state;
    heap_remove(s, frame);
    /* Unknown until the access that loaded it completes; a page mapped
     * without an access is treated as never used again. */
    s->key[frame] = UINT64_MAX;
    s->stamp[frame] = ++s->loads;
    heap_insert(s, frame);
}

static void opt_accessed(struct policy *p, uint32_t frame, uint64_t next_use)
{
    struct opt_state *s = p->state;
    if (s->pos[frame] == NIL)
        return;
    s->key[frame] = next_use;
    uint32_t i = s->pos[frame];
    sift_up(s, i);
    sift_down(s, s->pos[frame]);
}

static void opt_freed(struct policy *p, uint32_t frame)
{
    heap_remove(p->state, frame);
}

static uint32_t opt_choose(struct policy *p, const struct policy_host *host, char *why,
                           size_t why_len)
{
    struct opt_state *s = p->state;
    uint32_t skipped[64];
    unsigned nskipped = 0;
    uint32_t victim = NIL;
    /* Pop past unevictable frames (rare: dirty pages with swap full). */
    while (s->size > 0) {
        uint32_t top = s->heap[0];
        if (host->evictable(host->ctx, top)) {
            victim = top;
            break;
        }
        if (nskipped == 64)
            break;
        skipped[nskipped++] = top;
        heap_remove(s, top);
    }
    for (unsigned i = 0; i < nskipped; i++)
        heap_insert(s, skipped[i]);
    if (victim == NIL) {
        snprintf(why, why_len, "no loaded page can be evicted");
        return NIL;
    }
    if (s->key[victim] == UINT64_MAX)
        snprintf(why, why_len, "the page in frame %u is never used again", victim);
    else
        snprintf(why, why_len, "the page in frame %u is next used at access %llu, the farthest",
                 victim, (unsigned long long)s->key[victim] + 1);
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
        digest_u64(h, s->key[f]);
        digest_u64(h, s->stamp[f]);
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
};
