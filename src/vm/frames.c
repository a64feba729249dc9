/* Frame pool and reverse map. See frames.h. */
#include "vm/frames.h"

#include <stdlib.h>
#include <string.h>

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
    return (unsigned)kind < FRAME_KIND_COUNT ? frame_kind_names[kind] : "?";
}

const char *frame_kind_text(enum frame_kind kind)
{
    return (unsigned)kind < FRAME_KIND_COUNT ? frame_kind_texts[kind] : "?";
}

const struct frame frame_free = {
    .kind = FRAME_FREE,
    .table_level = -1,
    .owner_pid = VM_NO_PID,
    .object = VM_NO_OBJECT,
    .swap_slot = VM_NO_SLOT,
};

/* True when the frame's reverse map is an array on the host (it is held
 * inline, or not at all, otherwise). */
static bool maps_on_host(const struct frame *f)
{
    return f->capmaps > 1;
}

static void frame_reset(struct frame *f)
{
    if (maps_on_host(f))
        free(f->maps);
    *f = frame_free;
}

bool frames_init(struct frame_pool *p, uint32_t data_frames, uint32_t table_frames)
{
    memset(p, 0, sizeof *p);
    p->data_frames = data_frames;
    p->table_frames = table_frames;
    p->free_data = data_frames;
    p->free_table = table_frames;
    if (!chunked_init(&p->frames, data_frames + table_frames, sizeof(struct frame), &frame_free) ||
        !freemap_init(&p->data_free, data_frames) || !freemap_init(&p->table_free, table_frames)) {
        frames_destroy(p);
        return false;
    }
    return true;
}

uint32_t frames_next_touched(const struct frame_pool *p, uint32_t f)
{
    return chunked_next(&p->frames, f);
}

void frames_destroy(struct frame_pool *p)
{
    if (p->frames.chunks)
        for (uint32_t f = frames_next_touched(p, 0); f < frames_total(p);
             f = frames_next_touched(p, f + 1))
            if (maps_on_host(frames_at(p, f)))
                free(frames_at(p, f)->maps);
    chunked_destroy(&p->frames);
    freemap_destroy(&p->data_free);
    freemap_destroy(&p->table_free);
}

bool frames_clone(struct frame_pool *dst, const struct frame_pool *src)
{
    *dst = *src;
    memset(&dst->frames, 0, sizeof dst->frames);
    memset(&dst->data_free, 0, sizeof dst->data_free);
    memset(&dst->table_free, 0, sizeof dst->table_free);
    if (!chunked_clone(&dst->frames, &src->frames)) {
        frames_destroy(dst);
        return false;
    }
    /* Every reverse map is copied; after a refusal, the copies not made
     * point nowhere, so that destroying frees only what is ours. */
    bool ok = true;
    uint32_t total = frames_total(src);
    for (uint32_t i = frames_next_touched(src, 0); i < total; i = frames_next_touched(src, i + 1)) {
        struct frame *f = frames_edit(dst, i);
        if (f->capmaps == 0) {
            f->maps = NULL;
            continue;
        }
        if (!maps_on_host(f)) {
            /* The copy's inline mapping came with the frame. */
            f->maps = &f->map_inline;
            continue;
        }
        f->maps = ok ? malloc(f->capmaps * sizeof *f->maps) : NULL;
        if (!f->maps) {
            f->capmaps = f->nmaps = 0;
            ok = false;
            continue;
        }
        memcpy(f->maps, frames_at(src, i)->maps, f->nmaps * sizeof *f->maps);
    }
    if (!ok || !freemap_clone(&dst->data_free, &src->data_free) ||
        !freemap_clone(&dst->table_free, &src->table_free)) {
        frames_destroy(dst);
        return false;
    }
    return true;
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

/* The free map of the frame's region and the frame's place in it. */
static struct freemap *region_of(struct frame_pool *p, uint32_t frame, uint32_t *index)
{
    if (frames_is_table_region(p, frame)) {
        *index = frame - p->data_frames;
        return &p->table_free;
    }
    *index = frame;
    return &p->data_free;
}

/* Makes the storage that taking the free frame needs; false when the host
 * refused it (nothing taken). */
static bool prepare_take(struct frame_pool *p, uint32_t frame)
{
    uint32_t index;
    struct freemap *region = region_of(p, frame, &index);
    return chunked_touch(&p->frames, frame) != NULL && freemap_prepare(region, index);
}

/* Marks a free frame taken; prepare_take succeeded for it. */
static void mark_taken(struct frame_pool *p, uint32_t frame, enum frame_kind kind)
{
    uint32_t index;
    struct freemap *region = region_of(p, frame, &index);
    freemap_take(region, index);
    frames_edit(p, frame)->kind = (uint8_t)kind;
    if (region == &p->table_free)
        p->free_table--;
    else
        p->free_data--;
}

uint32_t frames_take(struct frame_pool *p, enum frame_kind kind)
{
    if (!frames_have_free(p, kind))
        return VM_NO_FRAME;
    bool tables = uses_table_region(p, kind);
    uint32_t index = freemap_lowest(tables ? &p->table_free : &p->data_free);
    if (index == UINT32_MAX)
        return VM_NO_FRAME;
    uint32_t frame = tables ? p->data_frames + index : index;
    if (!prepare_take(p, frame))
        return FRAMES_REFUSED;
    mark_taken(p, frame, kind);
    return frame;
}

bool frames_take_at(struct frame_pool *p, uint32_t frame, enum frame_kind kind)
{
    if (frame >= frames_total(p) || frames_at(p, frame)->kind != FRAME_FREE)
        return false;
    if (frames_is_table_region(p, frame) != uses_table_region(p, kind))
        return false;
    if (!prepare_take(p, frame))
        return false;
    mark_taken(p, frame, kind);
    return true;
}

uint32_t frames_take_run(struct frame_pool *p, uint32_t n, enum frame_kind kind)
{
    if (n == 0 || p->free_data < n)
        return VM_NO_FRAME;
    uint32_t start = freemap_find_run(&p->data_free, n);
    if (start == UINT32_MAX)
        return VM_NO_FRAME;
    /* Everything the run needs is made before any frame is taken. */
    for (uint32_t i = 0; i < n; i++)
        if (!prepare_take(p, start + i))
            return FRAMES_REFUSED;
    for (uint32_t i = 0; i < n; i++) {
        mark_taken(p, start + i, kind);
        frames_edit(p, start + i)->compound = i ? FRAME_TAIL : FRAME_HEAD;
    }
    return start;
}

void frames_release(struct frame_pool *p, uint32_t frame)
{
    if (frames_at(p, frame)->kind == FRAME_FREE)
        return;
    uint32_t index;
    struct freemap *region = region_of(p, frame, &index);
    freemap_release(region, index);
    if (region == &p->table_free)
        p->free_table++;
    else
        p->free_data++;
    frame_reset(frames_edit(p, frame));
}

bool frames_retake(struct frame_pool *p, uint32_t frame, enum frame_kind kind)
{
    uint32_t index;
    const struct freemap *region = region_of(p, frame, &index);
    /* Released, the frame would be its region's only free one, so the
     * lowest: taking it back leaves the free map as it is now. */
    if (frames_at(p, frame)->kind == FRAME_FREE || region->nfree != 0 ||
        uses_table_region(p, kind) != (region == &p->table_free))
        return false;
    struct frame *f = frames_edit(p, frame);
    frame_reset(f);
    f->kind = (uint8_t)kind;
    return true;
}

bool frames_rmap_add(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn)
{
    return frames_rmap_add_at(p, frame, pid, vpn, VM_NO_FRAME);
}

bool frames_rmap_set_table(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn,
                           uint32_t table)
{
    struct frame *f = frames_edit(p, frame);
    for (uint32_t i = 0; i < f->nmaps; i++) {
        if (f->maps[i].pid == pid && f->maps[i].vpn == vpn) {
            f->maps[i].table = table;
            return true;
        }
    }
    return false;
}

bool frames_rmap_add_at(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn,
                        uint32_t table)
{
    struct frame *f = frames_edit(p, frame);
    if (f->capmaps == 0) {
        f->maps = &f->map_inline;
        f->capmaps = 1;
    } else if (f->nmaps == f->capmaps) {
        /* The second mapping moves the reverse map to the host. */
        uint32_t cap = f->capmaps * 2;
        struct rmap *maps = maps_on_host(f) ? realloc(f->maps, cap * sizeof *maps)
                                            : malloc(cap * sizeof *maps);
        if (!maps)
            return false;
        if (!maps_on_host(f))
            maps[0] = f->map_inline;
        f->maps = maps;
        f->capmaps = cap;
    }
    f->maps[f->nmaps++] = (struct rmap){.pid = pid, .table = table, .vpn = vpn};
    f->refcount++;
    return true;
}

/* The reverse map gives back room it no longer needs: none when no
 * mapping is left, half when a quarter is used, so that it never holds
 * more than four times its mappings. */
static void shrink_maps(struct frame *f)
{
    if (f->nmaps == 0) {
        if (maps_on_host(f))
            free(f->maps);
        f->maps = NULL;
        f->capmaps = 0;
    } else if (f->capmaps > 2 && f->nmaps <= f->capmaps / 4) {
        struct rmap *maps = realloc(f->maps, f->capmaps / 2 * sizeof *maps);
        if (maps) {
            f->maps = maps;
            f->capmaps /= 2;
        }
    }
}

bool frames_rmap_remove(struct frame_pool *p, uint32_t frame, uint32_t pid, uint64_t vpn)
{
    const struct frame *seen = frames_at(p, frame);
    for (uint32_t i = 0; i < seen->nmaps; i++) {
        if (seen->maps[i].pid == pid && seen->maps[i].vpn == vpn) {
            struct frame *f = frames_edit(p, frame);
            /* Keep the order of the remaining mappings: it is shown. */
            memmove(&f->maps[i], &f->maps[i + 1], (f->nmaps - i - 1) * sizeof *f->maps);
            f->nmaps--;
            f->refcount--;
            shrink_maps(f);
            return true;
        }
    }
    return false;
}

void frames_digest(const struct frame_pool *p, uint64_t *h)
{
    digest_u64(h, p->data_frames);
    digest_u64(h, p->table_frames);
    uint32_t total = frames_total(p);
    for (uint32_t i = frames_next_touched(p, 0); i < total; i = frames_next_touched(p, i + 1)) {
        const struct frame *f = frames_at(p, i);
        if (f->kind == FRAME_FREE)
            continue; /* free frames are all alike (frame_free) */
        digest_u64(h, i);
        digest_u64(h, (uint64_t)f->kind | (uint64_t)(uint8_t)f->table_level << 8 |
                          (uint64_t)f->dirty << 16 | (uint64_t)f->compound << 24 |
                          (uint64_t)f->anon_exclusive << 32);
        digest_u64(h, f->owner_pid);
        digest_u64(h, f->object);
        digest_u64(h, f->object_page);
        digest_u64(h, f->refcount);
        digest_u64(h, f->loaded_at);
        digest_u64(h, f->swap_slot);
        for (uint32_t m = 0; m < f->nmaps; m++) {
            digest_u64(h, f->maps[m].pid);
            digest_u64(h, f->maps[m].vpn);
        }
    }
}

uint64_t frames_bytes(const struct frame_pool *p)
{
    uint64_t bytes = chunked_bytes(&p->frames) + freemap_bytes(&p->data_free) +
                     freemap_bytes(&p->table_free);
    uint32_t total = frames_total(p);
    for (uint32_t i = frames_next_touched(p, 0); i < total; i = frames_next_touched(p, i + 1)) {
        const struct frame *f = frames_at(p, i);
        if (maps_on_host(f))
            bytes += vm_block_bytes((uint64_t)f->capmaps * sizeof *f->maps);
    }
    return bytes;
}
