/* The policy registry and the frame list the list-based policies share. */
#include "vm/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/rng.h"

/* A frame's place in a frame_set when it is not in it. */
#define NO_POS UINT32_MAX

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
    if (!frame_list_clone(&dst->lists[0], &src->lists[0]) ||
        !frame_list_clone(&dst->lists[1], &src->lists[1]) ||
        !frame_set_clone(&dst->set, &src->set) ||
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

uint64_t policy_bytes(const struct policy *p)
{
    uint64_t bytes = frame_list_bytes(&p->lists[0]) + frame_list_bytes(&p->lists[1]) +
                     frame_set_bytes(&p->set);
    if (p->ops && p->ops->bytes && p->state)
        bytes += p->ops->bytes(p);
    return bytes;
}

size_t policy_held(const struct policy *p)
{
    if (p->ops->held)
        return p->ops->held(p);
    return (size_t)p->lists[0].count + p->lists[1].count;
}

const struct list_link frame_list_unlinked = {
    .prev = VM_NO_FRAME, .next = VM_NO_FRAME, .member = 0};

bool frame_list_init(struct frame_list *l, uint32_t nframes)
{
    l->head = l->tail = VM_NO_FRAME;
    l->count = 0;
    return chunked_init(&l->links, nframes, sizeof(struct list_link), &frame_list_unlinked);
}

void frame_list_destroy(struct frame_list *l)
{
    chunked_destroy(&l->links);
}

bool frame_list_clone(struct frame_list *dst, const struct frame_list *src)
{
    *dst = *src;
    return chunked_clone(&dst->links, &src->links);
}

/* The links of a listed frame, to change (its chunk exists). */
static struct list_link *link_edit(struct frame_list *l, uint32_t frame)
{
    struct list_link *chunk = chunked_chunk(&l->links, frame);
    return &chunk[frame & CHUNKED_MASK];
}

bool frame_list_append(struct frame_list *l, uint32_t frame, uint8_t id)
{
    struct list_link *k = chunked_touch(&l->links, frame);
    if (!k)
        return false;
    k->prev = l->tail;
    k->next = VM_NO_FRAME;
    if (l->tail != VM_NO_FRAME)
        link_edit(l, l->tail)->next = frame;
    else
        l->head = frame;
    l->tail = frame;
    k->member = id;
    l->count++;
    return true;
}

bool frame_list_push_front(struct frame_list *l, uint32_t frame, uint8_t id)
{
    struct list_link *k = chunked_touch(&l->links, frame);
    if (!k)
        return false;
    k->next = l->head;
    k->prev = VM_NO_FRAME;
    if (l->head != VM_NO_FRAME)
        link_edit(l, l->head)->prev = frame;
    else
        l->tail = frame;
    l->head = frame;
    k->member = id;
    l->count++;
    return true;
}

void frame_list_remove(struct frame_list *l, uint32_t frame)
{
    if (!frame_list_contains(l, frame))
        return;
    struct list_link *k = link_edit(l, frame);
    if (k->prev != VM_NO_FRAME)
        link_edit(l, k->prev)->next = k->next;
    else
        l->head = k->next;
    if (k->next != VM_NO_FRAME)
        link_edit(l, k->next)->prev = k->prev;
    else
        l->tail = k->prev;
    *k = frame_list_unlinked;
    l->count--;
}

size_t frame_list_copy(const struct frame_list *l, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (uint32_t f = l->head; f != VM_NO_FRAME && n < max; f = frame_list_next(l, f))
        out[n++] = f;
    return n;
}

void frame_list_digest(const struct frame_list *l, uint64_t *h)
{
    digest_u64(h, l->count);
    for (uint32_t f = l->head; f != VM_NO_FRAME; f = frame_list_next(l, f))
        digest_u64(h, f);
}

uint64_t frame_list_bytes(const struct frame_list *l)
{
    return chunked_bytes(&l->links);
}

static const uint32_t absent = NO_POS;

bool frame_set_init(struct frame_set *s, uint32_t nframes)
{
    s->count = s->cap = 0;
    s->items = NULL;
    return chunked_init(&s->pos, nframes, sizeof(uint32_t), &absent);
}

void frame_set_destroy(struct frame_set *s)
{
    free(s->items);
    s->items = NULL;
    s->count = s->cap = 0;
    chunked_destroy(&s->pos);
}

bool frame_set_clone(struct frame_set *dst, const struct frame_set *src)
{
    *dst = *src;
    dst->items = src->cap ? malloc(src->cap * sizeof *dst->items) : NULL;
    if (src->cap && !dst->items) {
        memset(dst, 0, sizeof *dst);
        return false;
    }
    if (src->count)
        memcpy(dst->items, src->items, src->count * sizeof *dst->items);
    if (!chunked_clone(&dst->pos, &src->pos)) {
        free(dst->items);
        memset(dst, 0, sizeof *dst);
        return false;
    }
    return true;
}

static uint32_t set_pos(const struct frame_set *s, uint32_t frame)
{
    const uint32_t *chunk = chunked_chunk(&s->pos, frame);
    return chunk ? chunk[frame & CHUNKED_MASK] : NO_POS;
}

/* The place of a frame whose chunk exists (a member, or one once). */
static uint32_t *pos_edit(struct frame_set *s, uint32_t frame)
{
    uint32_t *chunk = chunked_chunk(&s->pos, frame);
    return &chunk[frame & CHUNKED_MASK];
}

bool frame_set_add(struct frame_set *s, uint32_t frame)
{
    if (set_pos(s, frame) != NO_POS)
        return true;
    if (s->count == s->cap) {
        /* Room doubles, up to every frame. */
        uint32_t cap = s->cap ? s->cap * 2 : 16;
        if (cap > s->pos.length)
            cap = s->pos.length;
        uint32_t *items = realloc(s->items, cap * sizeof *items);
        if (!items)
            return false;
        s->items = items;
        s->cap = cap;
    }
    uint32_t *pos = chunked_touch(&s->pos, frame);
    if (!pos)
        return false;
    *pos = s->count;
    s->items[s->count++] = frame;
    return true;
}

void frame_set_remove(struct frame_set *s, uint32_t frame)
{
    uint32_t i = set_pos(s, frame);
    if (i == NO_POS)
        return;
    /* The last item takes the hole: O(1), order not kept. */
    uint32_t last = s->items[--s->count];
    s->items[i] = last;
    *pos_edit(s, last) = i;
    *pos_edit(s, frame) = NO_POS;
}

void frame_set_digest(const struct frame_set *s, uint64_t *h)
{
    digest_u64(h, s->count);
    for (uint32_t i = 0; i < s->count; i++)
        digest_u64(h, s->items[i]);
}

uint64_t frame_set_bytes(const struct frame_set *s)
{
    return chunked_bytes(&s->pos) + (s->cap ? vm_block_bytes(s->cap * sizeof *s->items) : 0);
}

void policy_why(char *why, size_t why_len, const char *fmt, ...)
{
    if (why_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}
