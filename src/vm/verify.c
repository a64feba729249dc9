/* machine_verify: the engine's invariants, checked from scratch. Slow (it
 * walks every table); tests call it after every step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/machine.h"
#include "vm/pte.h"

struct tally {
    const struct machine *m;
    uint32_t *maps;       /* per frame: leaf entries pointing at it */
    uint32_t *slot_refs;  /* per swap slot: entries holding it */
    uint64_t resident, swapped;
    char *why;
    size_t why_len;
    bool ok;
};

static bool fail(struct tally *t, const char *what, unsigned long long a, unsigned long long b)
{
    if (t->ok)
        snprintf(t->why, t->why_len, "%s (%llu, %llu)", what, a, b);
    t->ok = false;
    return false;
}

static bool rmap_has(const struct frame *f, uint32_t pid, uint64_t vpn)
{
    for (uint32_t i = 0; i < f->nmaps; i++)
        if (f->maps[i].pid == pid && f->maps[i].vpn == vpn)
            return true;
    return false;
}

/* Walks one table, counting what its leaf entries point at. */
static void tally_table(struct tally *t, const struct process *p, uint32_t table, unsigned level,
                        uint64_t base)
{
    const struct machine *m = t->m;
    const struct geometry *g = &m->cfg.geo;
    const uint64_t *e = pagetable_at(&m->pt, table);
    if (!e) {
        fail(t, "a table entry points at a frame that holds no table", table, level);
        return;
    }
    if (m->pool.frames[table].kind != FRAME_TABLE)
        fail(t, "a table lives in a frame not marked as a table", table, level);
    unsigned shift = geometry_level_shift(g, level);
    for (uint64_t i = 0; i < m->pt.sizes[table] && t->ok; i++) {
        uint64_t va = base | (i << shift);
        if (pte_is_swap(e[i])) {
            if (pte_slot(e[i]) >= m->swap.nslots || !m->swap.slots[pte_slot(e[i])].used)
                fail(t, "a swap entry holds a free slot", pte_slot(e[i]), va);
            else
                t->slot_refs[pte_slot(e[i])]++;
            t->swapped++;
            continue;
        }
        if (!pte_holds_frame(e[i]))
            continue;
        bool leaf = level + 1 == g->levels || (e[i] & PTE_HUGE);
        uint32_t frame = pte_frame(e[i]);
        if (frame >= frames_total(&m->pool)) {
            fail(t, "an entry points beyond the pool", frame, va);
            return;
        }
        if (!leaf) {
            tally_table(t, p, frame, level + 1, va);
            continue;
        }
        const struct frame *f = &m->pool.frames[frame];
        if (f->kind == FRAME_ZERO)
            continue;
        if (f->kind != FRAME_ANON && f->kind != FRAME_FILE) {
            fail(t, "a page entry points at a frame that holds no page", frame, va);
            return;
        }
        if (!rmap_has(f, p->pid, va >> g->page_shift))
            fail(t, "a mapping is missing from the reverse map", frame, va);
        t->maps[frame]++;
        t->resident += (e[i] & PTE_HUGE) ? geometry_level_span(g, level) >> g->page_shift : 1;
    }
}

bool machine_verify(const struct machine *m, char *why, size_t why_len)
{
    uint32_t total = frames_total(&m->pool);
    struct tally t = {.m = m, .why = why, .why_len = why_len, .ok = true};
    t.maps = calloc(total ? total : 1, sizeof *t.maps);
    t.slot_refs = calloc(m->swap.nslots ? m->swap.nslots : 1, sizeof *t.slot_refs);
    if (!t.maps || !t.slot_refs) {
        free(t.maps);
        free(t.slot_refs);
        snprintf(why, why_len, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < m->nprocs && t.ok; i++) {
        const struct process *p = &m->procs[i];
        if (!p->alive)
            continue;
        t.resident = t.swapped = 0;
        tally_table(&t, p, p->root, 0, 0);
        if (t.ok && t.resident != p->resident)
            fail(&t, "a process's resident count is off", p->resident, t.resident);
        if (t.ok && t.swapped != p->swapped)
            fail(&t, "a process's swapped count is off", p->swapped, t.swapped);
    }
    uint32_t free_data = 0, free_table = 0;
    for (uint32_t f = 0; f < total && t.ok; f++) {
        const struct frame *fr = &m->pool.frames[f];
        if (fr->kind == FRAME_FREE) {
            if (frames_is_table_region(&m->pool, f))
                free_table++;
            else
                free_data++;
            continue;
        }
        if (fr->kind != FRAME_ANON && fr->kind != FRAME_FILE)
            continue;
        if (fr->compound == FRAME_TAIL)
            continue;
        if (fr->nmaps != t.maps[f] || fr->refcount != fr->nmaps)
            fail(&t, "a frame's reverse map disagrees with the entries", f, t.maps[f]);
        else if (fr->object == EV_NONE && fr->nmaps == 0)
            fail(&t, "a page frame is neither mapped nor cached (leaked)", f, fr->kind);
        else if (fr->object != EV_NONE &&
                 (fr->object >= m->nobjects ||
                  object_frame(&m->objects[fr->object], fr->object_page) != f))
            fail(&t, "a cached frame is not where its object says", f, fr->object_page);
    }
    if (t.ok && (free_data != m->pool.free_data || free_table != m->pool.free_table))
        fail(&t, "the free counts are off", m->pool.free_data, free_data);
    for (uint32_t o = 0; o < m->nobjects && t.ok; o++) {
        const struct vm_object *obj = &m->objects[o];
        for (uint64_t page = 0; page < obj->pages && t.ok; page++) {
            uint32_t slot = object_slot(obj, page), frame = object_frame(obj, page);
            if (slot != UINT32_MAX) {
                if (slot >= m->swap.nslots || !m->swap.slots[slot].used)
                    fail(&t, "an object's page is in a free swap slot", o, page);
                else
                    t.slot_refs[slot]++;
            } else if (frame != UINT32_MAX &&
                       (frame >= total || m->pool.frames[frame].object != o))
                fail(&t, "an object's page points at a frame that does not cache it", o, page);
        }
    }
    uint32_t used = 0;
    for (uint32_t s = 0; s < m->swap.nslots && t.ok; s++) {
        const struct swap_slot *slot = &m->swap.slots[s];
        used += slot->used;
        if (slot->used && slot->refs != t.slot_refs[s])
            fail(&t, "a swap slot's references are off", s, t.slot_refs[s]);
    }
    if (t.ok && used != m->swap.used)
        fail(&t, "the swap use count is off", m->swap.used, used);
    /* No TLB entry may translate to a frame its entry no longer maps. */
    size_t n = (size_t)m->tlb.sets * m->tlb.ways;
    for (size_t i = 0; i < n && t.ok; i++) {
        const struct tlb_entry *e = &m->tlb.entries[i];
        if (!e->valid)
            continue;
        const struct process *owner = NULL;
        for (uint32_t k = 0; k < m->nprocs; k++)
            if (m->procs[k].alive && m->procs[k].asid == e->asid)
                owner = &m->procs[k];
        if (!owner) {
            fail(&t, "a TLB entry belongs to no live process", e->asid, e->vpn);
            break;
        }
        uint64_t va = e->vpn << e->span_shift;
        struct walk_result w = machine_walk(m, owner, va);
        if (!w.complete || !pte_present(*w.slot) || pte_frame(*w.slot) != e->frame)
            fail(&t, "a TLB entry is stale", e->vpn, e->frame);
        else if (e->writable && !(*w.slot & PTE_WRITABLE))
            fail(&t, "a TLB entry allows a write its entry forbids", e->vpn, e->frame);
    }
    free(t.maps);
    free(t.slot_refs);
    return t.ok;
}
