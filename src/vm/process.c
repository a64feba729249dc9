/* Areas of a process. See process.h. */
#include "vm/process.h"

#include <stdlib.h>
#include <string.h>

struct area *process_find_area(const struct process *p, uint64_t va)
{
    /* Areas are few; a binary search keeps large traces with auto areas fast. */
    uint32_t lo = 0, hi = p->nareas;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        struct area *a = &p->areas[mid];
        if (va < a->start)
            hi = mid;
        else if (va >= a->end)
            lo = mid + 1;
        else
            return a;
    }
    return NULL;
}

struct area *process_find_named(const struct process *p, const char *name)
{
    for (uint32_t i = 0; i < p->nareas; i++)
        if (strcmp(p->areas[i].name, name) == 0)
            return &p->areas[i];
    return NULL;
}

bool process_named_span(const struct process *p, const char *name, uint64_t *start,
                        uint64_t *end)
{
    const struct area *first = process_find_named(p, name);
    if (!first)
        return false;
    *start = first->start;
    *end = first->end;
    /* Areas are sorted: the pieces an mprotect left follow one another. */
    for (uint32_t i = (uint32_t)(first - p->areas) + 1;
         i < p->nareas && p->areas[i].start == *end && strcmp(p->areas[i].name, name) == 0; i++)
        *end = p->areas[i].end;
    return true;
}

bool process_range_mapped(const struct process *p, uint64_t start, uint64_t end)
{
    uint64_t at = start;
    for (uint32_t i = 0; i < p->nareas && at < end; i++) {
        const struct area *a = &p->areas[i];
        if (a->end <= at)
            continue;
        if (a->start > at)
            return false;
        at = a->end;
    }
    return at >= end;
}

bool process_range_free(const struct process *p, uint64_t start, uint64_t end)
{
    for (uint32_t i = 0; i < p->nareas; i++)
        if (p->areas[i].start < end && start < p->areas[i].end)
            return false;
    return true;
}

static bool reserve(struct process *p, uint32_t n)
{
    if (n <= p->capareas)
        return true;
    uint32_t cap = p->capareas ? p->capareas * 2 : 8;
    while (cap < n)
        cap *= 2;
    struct area *areas = realloc(p->areas, cap * sizeof *areas);
    if (!areas)
        return false;
    p->areas = areas;
    p->capareas = cap;
    return true;
}

bool process_add_area(struct process *p, const struct area *a)
{
    if (a->start >= a->end || !process_range_free(p, a->start, a->end) ||
        !reserve(p, p->nareas + 1))
        return false;
    uint32_t at = 0;
    while (at < p->nareas && p->areas[at].start < a->start)
        at++;
    memmove(&p->areas[at + 1], &p->areas[at], (p->nareas - at) * sizeof *p->areas);
    p->areas[at] = *a;
    p->nareas++;
    return true;
}

bool process_remove_range(struct process *p, uint64_t start, uint64_t end)
{
    for (uint32_t i = 0; i < p->nareas; i++) {
        struct area *a = &p->areas[i];
        if (a->end <= start || end <= a->start)
            continue;
        if (start > a->start && end < a->end) {
            /* Cut in the middle: the tail becomes a new area. */
            if (!reserve(p, p->nareas + 1))
                return false;
            a = &p->areas[i];
            struct area tail = *a;
            tail.start = end;
            tail.file_offset += end - a->start;
            a->end = start;
            memmove(&p->areas[i + 2], &p->areas[i + 1], (p->nareas - i - 1) * sizeof *p->areas);
            p->areas[i + 1] = tail;
            p->nareas++;
            return true;
        }
        if (start <= a->start && end >= a->end) {
            memmove(&p->areas[i], &p->areas[i + 1], (p->nareas - i - 1) * sizeof *p->areas);
            p->nareas--;
            i--;
            continue;
        }
        if (start <= a->start) {
            a->file_offset += end - a->start;
            a->start = end;
        } else {
            a->end = start;
        }
    }
    return true;
}

static uint64_t fit_below(uint64_t top, uint64_t floor, uint64_t size, uint64_t align)
{
    if (top < floor || top - floor < size)
        return UINT64_MAX;
    uint64_t start = (top - size) & ~(align - 1);
    return start >= floor ? start : UINT64_MAX;
}

uint64_t process_find_gap(const struct process *p, uint64_t size, uint64_t below, uint64_t align,
                          uint64_t lowest)
{
    /* Holes are tried from the highest down, as Linux's top-down mmap does. */
    uint64_t hole_top = below;
    for (uint32_t i = p->nareas; i-- > 0;) {
        const struct area *a = &p->areas[i];
        if (a->start >= hole_top)
            continue;
        uint64_t floor = a->end > lowest ? a->end : lowest;
        uint64_t start = fit_below(hole_top, floor, size, align);
        if (start != UINT64_MAX)
            return start;
        hole_top = a->start;
    }
    return fit_below(hole_top, lowest, size, align);
}

bool process_clone_areas(struct process *dst, const struct process *src)
{
    dst->areas = NULL;
    dst->capareas = 0;
    if (src->nareas == 0) {
        dst->nareas = 0;
        return true;
    }
    dst->areas = malloc(src->nareas * sizeof *dst->areas);
    if (!dst->areas)
        return false;
    memcpy(dst->areas, src->areas, src->nareas * sizeof *dst->areas);
    dst->nareas = dst->capareas = src->nareas;
    return true;
}

void process_free_areas(struct process *p)
{
    free(p->areas);
    p->areas = NULL;
    p->nareas = p->capareas = 0;
}

void prot_string(uint8_t prot, char buf[4])
{
    buf[0] = (prot & PROT_R) ? 'r' : '-';
    buf[1] = (prot & PROT_W) ? 'w' : '-';
    buf[2] = (prot & PROT_X) ? 'x' : '-';
    buf[3] = '\0';
}
