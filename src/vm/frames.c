/* Frame pool, reverse map and swap slots. See frames.h. */
#include "vm/frames.h"

#include <stdlib.h>
#include <string.h>

#include "vm/event.h"
#include "vm/rng.h"

static const char *const frame_kind_names[] = {
#define FRAME_KIND_NAME(id, name, text) name,
    FRAME_KIND_LIST(FRAME_KIND_NAME)
#undef FRAME_KIND_NAME
};

static const char *const frame_kind_texts[] = {
#define FRAME_KIND_TEXT(id, name, text) text,
    FRAME_KIND_LIST(FRAME_KIND_TEXT)
#undef FRAME_KIND_TEXT
};

const char *frame_kind_name(enum frame_kind kind)
{
    return kind <= FRAME_ZERO ? frame_kind_names[kind] : "?";
}

const char *frame_kind_text(enum frame_kind kind)
{
    return kind <= FRAME_ZERO ? frame_kind_texts[kind] : "?";
}

static void frame_reset(struct frame *f)
{
    free(f->maps);
    memset(f, 0, sizeof *f);
    f->kind = FRAME_FREE;
    f->table_level = -1;
    f->owner_pid = EV_NONE;
    f->object = EV_NONE;
}

bool frames_init(struct frame_pool *p, uint32_t data_frames, uint32_t table_frames)
{
    memset(p, 0, sizeof *p);
    p->data_frames = data_frames;
    p->table_frames = table_frames;
    uint32_t total = data_frames + table_frames;
    p->frames = calloc(total ? total : 1, sizeof *p->frames);
    if (!p->frames)
        return false;
    for (uint32_t i = 0; i < total; i++)
        frame_reset(&p->frames[i]);
    p->free_data = data_frames;
    p->free_table = table_frames;
    return true;
}

void frames_destroy(struct frame_pool *p)
{
    if (!p->frames)
        return;
    for (uint32_t i = 0; i < frames_total(p); i++)
        free(p->frames[i].maps);
    free(p->frames);
    p->frames = NULL;
}

bool frames_clone(struct frame_pool *dst, const struct frame_pool *src)
{
    *dst = *src;
    uint32_t total = frames_total(src);
    dst->frames = malloc((total ? total : 1) * sizeof *dst->frames);
    if (!dst->frames)
        return false;
    memcpy(dst->frames, src->frames, total * sizeof *dst->frames);
    bool ok = true;
    for (uint32_t i = 0; i < total; i++) {
        struct frame *f = &dst->frames[i];
        if (f->capmaps == 0) {
            f->maps = NULL;
            continue;
        }
        f->maps = ok ? malloc(f->capmaps * sizeof *f->maps) : NULL;
        if (!f->maps) {
            f->capmaps = f->nmaps = 0;
            ok = false;
            continue;
        }
        memcpy(f->maps, src->frames[i].maps, f->nmaps * sizeof *f->maps);
    }
    if (!ok)
        frames_destroy(dst);
    return ok;
}

uint32_t frames_total(const struct frame_pool *p)
{
    return p->data_frames + p->table_frames;
}

bool frames_is_table_region(const struct frame_pool *p, uint32_t frame)
{
    return frame >= p->data_frames && frame < frames_total(p);
}

static bool uses_table_region(const struct frame_pool *p, enum frame_kind kind)
{
    return kind == FRAME_TABLE && p->table_frames > 0;
}

bool frames_have_free(const struct frame_pool *p, enum frame_kind kind)
{
    return uses_table_region(p, kind) ? p->free_table > 0 : p->free_data > 0;
}

static void mark_taken(struct frame_pool *p, uint32_t frame, enum frame_kind kind)
{
    struct frame *f = &p->frames[frame];
    f->kind = (uint8_t)kind;
    if (frames_is_table_region(p, frame))
        p->free_table--;
    else
        p->free_data--;
}

uint32_t frames_take(struct frame_pool *p, enum frame_kind kind)
{
    uint32_t lo = uses_table_region(p, kind) ? p->data_frames : 0;
    uint32_t hi = uses_table_region(p, kind) ? frames_total(p) : p->data_frames;
    if (!frames_have_free(p, kind))
        return UINT32_MAX;
    for (uint32_t i = lo; i < hi; i++) {
        if (p->frames[i].kind == FRAME_FREE) {
            mark_taken(p, i, kind);
            return i;
        }
    }
    return UINT32_MAX;
}

bool frames_take_at(struct frame_pool *p, uint32_t frame, enum frame_kind kind)
{
    if (frame >= frames_total(p) || p->frames[frame].kind != FRAME_FREE)
        return false;
    if (frames_is_table_region(p, frame) != uses_table_region(p, kind))
        return false;
    mark_taken(p, frame, kind);
    return true;
}

uint32_t frames_take_run(struct frame_pool *p, uint32_t n)
{
    if (n == 0 || p->free_data < n)
        return UINT32_MAX;
    for (uint32_t start = 0; start + n <= p->data_frames; start += n) {
        uint32_t i = 0;
        while (i < n && p->frames[start + i].kind == FRAME_FREE)
            i++;
        if (i < n)
            continue;
        for (i = 0; i < n; i++) {
            mark_taken(p, start + i, FRAME_ANON);
            p->frames[start + i].compound = i ? FRAME_TAIL : FRAME_HEAD;
        }
        return start;
    }
    return UINT32_MAX;
}

void frames_release(struct frame_pool *p, uint32_t frame)
{
    struct frame *f = &p->frames[frame];
    if (f->kind == FRAME_FREE)
        return;
    if (frames_is_table_region(p, frame))
        p->free_table++;
    else
        p->free_data++;
    frame_reset(f);
}

bool frames_rmap_add(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn)
{
    struct frame *f = &p->frames[frame];
    if (f->nmaps == f->capmaps) {
        uint32_t cap = f->capmaps ? f->capmaps * 2 : 2;
        struct rmap *maps = realloc(f->maps, cap * sizeof *maps);
        if (!maps)
            return false;
        f->maps = maps;
        f->capmaps = cap;
    }
    f->maps[f->nmaps++] = (struct rmap){.pid = pid, .vpn = vpn};
    f->refcount++;
    return true;
}

bool frames_rmap_remove(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn)
{
    struct frame *f = &p->frames[frame];
    for (uint32_t i = 0; i < f->nmaps; i++) {
        if (f->maps[i].pid == pid && f->maps[i].vpn == vpn) {
            /* Keep the order of the remaining mappings: it is shown. */
            memmove(&f->maps[i], &f->maps[i + 1], (f->nmaps - i - 1) * sizeof *f->maps);
            f->nmaps--;
            f->refcount--;
            return true;
        }
    }
    return false;
}

void frames_digest(const struct frame_pool *p, uint64_t *h)
{
    digest_u64(h, p->data_frames);
    digest_u64(h, p->table_frames);
    for (uint32_t i = 0; i < frames_total(p); i++) {
        const struct frame *f = &p->frames[i];
        digest_u64(h, (uint64_t)f->kind | (uint64_t)(uint8_t)f->table_level << 8 |
                          (uint64_t)f->dirty << 16 | (uint64_t)f->compound << 24);
        if (f->kind == FRAME_FREE)
            continue;
        digest_u64(h, f->owner_pid);
        digest_u64(h, f->object);
        digest_u64(h, f->object_page);
        digest_u64(h, f->refcount);
        digest_u64(h, f->loaded_at);
        for (uint32_t m = 0; m < f->nmaps; m++) {
            digest_u64(h, f->maps[m].pid);
            digest_u64(h, f->maps[m].vpn);
        }
    }
}

bool swap_init(struct swap_area *s, uint32_t nslots)
{
    s->nslots = nslots;
    s->used = 0;
    s->slots = calloc(nslots ? nslots : 1, sizeof *s->slots);
    return s->slots != NULL;
}

void swap_destroy(struct swap_area *s)
{
    free(s->slots);
    s->slots = NULL;
}

bool swap_clone(struct swap_area *dst, const struct swap_area *src)
{
    *dst = *src;
    size_t n = src->nslots ? src->nslots : 1;
    dst->slots = malloc(n * sizeof *dst->slots);
    if (!dst->slots)
        return false;
    memcpy(dst->slots, src->slots, n * sizeof *dst->slots);
    return true;
}

uint32_t swap_take(struct swap_area *s, uint32_t pid, uint64_t vpn)
{
    for (uint32_t i = 0; i < s->nslots; i++) {
        if (!s->slots[i].used) {
            s->slots[i] = (struct swap_slot){.used = true, .refs = 1, .pid = pid, .vpn = vpn};
            s->used++;
            return i;
        }
    }
    return UINT32_MAX;
}

void swap_release(struct swap_area *s, uint32_t slot)
{
    if (slot < s->nslots && s->slots[slot].used && --s->slots[slot].refs == 0) {
        s->slots[slot].used = false;
        s->used--;
    }
}

void swap_ref(struct swap_area *s, uint32_t slot)
{
    if (slot < s->nslots && s->slots[slot].used)
        s->slots[slot].refs++;
}

void swap_digest(const struct swap_area *s, uint64_t *h)
{
    digest_u64(h, s->nslots);
    for (uint32_t i = 0; i < s->nslots; i++) {
        const struct swap_slot *slot = &s->slots[i];
        digest_u64(h, slot->used ? 1 + slot->pid + ((uint64_t)slot->refs << 32) : 0);
        if (slot->used)
            digest_u64(h, slot->vpn);
    }
}
