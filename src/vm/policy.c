/* The policy registry and the frame list the list-based policies share. */
#include "vm/policy.h"

#include <stdlib.h>
#include <string.h>

#include "vm/rng.h"

#define NIL UINT32_MAX

const char *const policy_names[] = {
#define POLICY_NAME(name, text) #name,
    POLICY_LIST(POLICY_NAME)
#undef POLICY_NAME
    NULL,
};

static const char *const policy_texts[] = {
#define POLICY_TEXT(name, text) text,
    POLICY_LIST(POLICY_TEXT)
#undef POLICY_TEXT
};

static const struct policy_ops *const policy_table[] = {
#define POLICY_OPS(name, text) &policy_##name##_ops,
    POLICY_LIST(POLICY_OPS)
#undef POLICY_OPS
};

const char *policy_name(enum policy_kind kind)
{
    return kind < POLICY_COUNT ? policy_names[kind] : "?";
}

const char *policy_description(enum policy_kind kind)
{
    return kind < POLICY_COUNT ? policy_texts[kind] : "?";
}

int policy_lookup(const char *name)
{
    for (int i = 0; i < POLICY_COUNT; i++)
        if (strcmp(policy_names[i], name) == 0)
            return i;
    return -1;
}

bool policy_init(struct policy *p, enum policy_kind kind, uint32_t nframes, uint64_t seed,
                 uint32_t nru_interval)
{
    memset(p, 0, sizeof *p);
    if (kind >= POLICY_COUNT)
        return false;
    p->ops = policy_table[kind];
    p->nframes = nframes;
    p->rng = seed;
    p->nru_interval = nru_interval ? nru_interval : 8;
    p->hand = 0;
    if (!frame_list_init(&p->lists[0], nframes) || !frame_list_init(&p->lists[1], nframes) ||
        !frame_set_init(&p->set, nframes) || (p->ops->init && !p->ops->init(p))) {
        policy_destroy(p);
        return false;
    }
    return true;
}

void policy_destroy(struct policy *p)
{
    if (p->ops && p->ops->destroy)
        p->ops->destroy(p);
    frame_list_destroy(&p->lists[0]);
    frame_list_destroy(&p->lists[1]);
    frame_set_destroy(&p->set);
    p->state = NULL;
}

bool policy_clone(struct policy *dst, const struct policy *src)
{
    *dst = *src;
    dst->state = NULL;
    memset(dst->lists, 0, sizeof dst->lists);
    memset(&dst->set, 0, sizeof dst->set);
    if (!frame_list_clone(&dst->lists[0], &src->lists[0], src->nframes) ||
        !frame_list_clone(&dst->lists[1], &src->lists[1], src->nframes) ||
        !frame_set_clone(&dst->set, &src->set, src->nframes) ||
        (src->ops->clone && !src->ops->clone(dst, src))) {
        frame_list_destroy(&dst->lists[0]);
        frame_list_destroy(&dst->lists[1]);
        frame_set_destroy(&dst->set);
        return false;
    }
    return true;
}

void policy_digest(const struct policy *p, uint64_t *h)
{
    digest_u64(h, p->ops->kind);
    digest_u64(h, p->rng);
    digest_u64(h, p->now);
    digest_u64(h, p->hand);
    frame_list_digest(&p->lists[0], h);
    frame_list_digest(&p->lists[1], h);
    frame_set_digest(&p->set, h);
    if (p->ops->digest)
        p->ops->digest(p, h);
}

bool frame_list_init(struct frame_list *l, uint32_t nframes)
{
    size_t n = nframes ? nframes : 1;
    l->head = l->tail = NIL;
    l->count = 0;
    l->prev = malloc(n * sizeof *l->prev);
    l->next = malloc(n * sizeof *l->next);
    l->member = calloc(n, sizeof *l->member);
    if (!l->prev || !l->next || !l->member) {
        frame_list_destroy(l);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        l->prev[i] = l->next[i] = NIL;
    return true;
}

void frame_list_destroy(struct frame_list *l)
{
    free(l->prev);
    free(l->next);
    free(l->member);
    l->prev = l->next = NULL;
    l->member = NULL;
}

bool frame_list_clone(struct frame_list *dst, const struct frame_list *src, uint32_t nframes)
{
    size_t n = nframes ? nframes : 1;
    *dst = *src;
    dst->prev = malloc(n * sizeof *dst->prev);
    dst->next = malloc(n * sizeof *dst->next);
    dst->member = malloc(n * sizeof *dst->member);
    if (!dst->prev || !dst->next || !dst->member) {
        frame_list_destroy(dst);
        return false;
    }
    memcpy(dst->prev, src->prev, n * sizeof *dst->prev);
    memcpy(dst->next, src->next, n * sizeof *dst->next);
    memcpy(dst->member, src->member, n * sizeof *dst->member);
    return true;
}

void frame_list_append(struct frame_list *l, uint32_t frame, uint8_t id)
{
    l->prev[frame] = l->tail;
    l->next[frame] = NIL;
    if (l->tail != NIL)
        l->next[l->tail] = frame;
    else
        l->head = frame;
    l->tail = frame;
    l->member[frame] = id;
    l->count++;
}

void frame_list_push_front(struct frame_list *l, uint32_t frame, uint8_t id)
{
    l->next[frame] = l->head;
    l->prev[frame] = NIL;
    if (l->head != NIL)
        l->prev[l->head] = frame;
    else
        l->tail = frame;
    l->head = frame;
    l->member[frame] = id;
    l->count++;
}

void frame_list_remove(struct frame_list *l, uint32_t frame)
{
    if (!l->member[frame])
        return;
    if (l->prev[frame] != NIL)
        l->next[l->prev[frame]] = l->next[frame];
    else
        l->head = l->next[frame];
    if (l->next[frame] != NIL)
        l->prev[l->next[frame]] = l->prev[frame];
    else
        l->tail = l->prev[frame];
    l->prev[frame] = l->next[frame] = NIL;
    l->member[frame] = 0;
    l->count--;
}

bool frame_list_contains(const struct frame_list *l, uint32_t frame)
{
    return l->member[frame] != 0;
}

size_t frame_list_copy(const struct frame_list *l, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (uint32_t f = l->head; f != NIL && n < max; f = l->next[f])
        out[n++] = f;
    return n;
}

void frame_list_digest(const struct frame_list *l, uint64_t *h)
{
    digest_u64(h, l->count);
    for (uint32_t f = l->head; f != NIL; f = l->next[f])
        digest_u64(h, f);
}

bool frame_set_init(struct frame_set *s, uint32_t nframes)
{
    size_t n = nframes ? nframes : 1;
    s->count = 0;
    s->items = malloc(n * sizeof *s->items);
    s->pos = malloc(n * sizeof *s->pos);
    if (!s->items || !s->pos) {
        frame_set_destroy(s);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        s->pos[i] = NIL;
    return true;
}

void frame_set_destroy(struct frame_set *s)
{
    free(s->items);
    free(s->pos);
    s->items = s->pos = NULL;
    s->count = 0;
}

bool frame_set_clone(struct frame_set *dst, const struct frame_set *src, uint32_t nframes)
{
    size_t n = nframes ? nframes : 1;
    dst->count = src->count;
    dst->items = malloc(n * sizeof *dst->items);
    dst->pos = malloc(n * sizeof *dst->pos);
    if (!dst->items || !dst->pos) {
        frame_set_destroy(dst);
        return false;
    }
    memcpy(dst->items, src->items, src->count * sizeof *dst->items);
    memcpy(dst->pos, src->pos, n * sizeof *dst->pos);
    return true;
}

void frame_set_add(struct frame_set *s, uint32_t frame)
{
    if (s->pos[frame] != NIL)
        return;
    s->pos[frame] = s->count;
    s->items[s->count++] = frame;
}

void frame_set_remove(struct frame_set *s, uint32_t frame)
{
    uint32_t i = s->pos[frame];
    if (i == NIL)
        return;
    /* The last item takes the hole: O(1), order not kept. */
    uint32_t last = s->items[--s->count];
    s->items[i] = last;
    s->pos[last] = i;
    s->pos[frame] = NIL;
}

void frame_set_digest(const struct frame_set *s, uint64_t *h)
{
    digest_u64(h, s->count);
    for (uint32_t i = 0; i < s->count; i++)
        digest_u64(h, s->items[i]);
}
