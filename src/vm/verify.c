/* machine_verify: the engine's invariants, checked from scratch. Slow (it
 * walks every table, and every reverse map back to its entries); tests
 * call it after every step.
 *
 * Separate from the machine because nothing in a run depends on it: it
 * only reads, and says the first thing that disagrees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/machine.h"
#include "vm/machine_internal.h"
#include "vm/pte.h"

struct tally {
    const struct machine *m;
    /* Counted only where the machine has something: chunked arrays of
     * uint32_t, zero where never touched. */
    struct chunked maps;       /* per frame: leaf entries pointing at it */
    struct chunked tables;     /* per frame: roots and entries pointing at it as a table */
    struct chunked slot_refs;  /* per swap slot: entries holding it */
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

static uint32_t count_at(const struct chunked *c, uint32_t i)
{
    return *(const uint32_t *)chunked_get(c, i);
}

/* One more at i; false (the tally failed) when the host refused memory. */
static bool count_up(struct tally *t, struct chunked *c, uint32_t i)
{
    uint32_t *n = chunked_touch(c, i);
    if (!n)
        return fail(t, "out of memory on the host for the tally", i, 0);
    ++*n;
    return true;
}

/* Adds the frames of [from, to), never touched and so free, to the free
 * counts of their regions. */
static void count_untouched(const struct frame_pool *p, uint32_t from, uint32_t to,
                            uint32_t *free_data, uint32_t *free_table)
{
    uint32_t split = p->data_frames;
    if (from < split)
        *free_data += (to < split ? to : split) - from;
    if (to > split)
        *free_table += to - (from > split ? from : split);
}

/* What the pool's free map says of frame f. */
static bool map_says_free(const struct frame_pool *p, uint32_t f)
{
    return frames_is_table_region(p, f) ? freemap_is_free(&p->table_free, f - p->data_frames)
                                        : freemap_is_free(&p->data_free, f);
}

static bool rmap_has(const struct frame *f, uint32_t pid, uint64_t vpn)
{
    for (uint32_t i = 0; i < f->nmaps; i++)
        if (f->maps[i].pid == pid && f->maps[i].vpn == vpn)
            return true;
    return false;
}

/* True when the leaf entry of the mapping holds frame, in the table the
 * mapping names when it names one: where a reverse-map entry must lead. */
static bool entry_holds(const struct machine *m, const struct rmap *map, uint32_t frame)
{
    const struct process *p = machine_process(m, map->pid);
    if (!p || !p->alive)
        return false;
    struct walk_result w = machine_walk(m, p, map->vpn << m->cfg.geo.page_shift);
    return w.complete && pte_holds_frame(*w.slot) && pte_frame(*w.slot) == frame &&
           (map->table == VM_NO_FRAME || map->table == w.table);
}

/* Counts that a table was reached and checks its frame; false when it
 * must not be walked (not a table, or reached twice). */
static bool reach_table(struct tally *t, uint32_t table, unsigned level)
{
    const struct machine *m = t->m;
    if (!pagetable_at(&m->pt, table)) {
        fail(t, "a table entry points at a frame that holds no table", table, level);
        return false;
    }
    if (!count_up(t, &t->tables, table))
        return false;
    if (count_at(&t->tables, table) > 1) {
        /* Reached twice: stop here, or a loop would never end. */
        fail(t, "a page table is reached from more than one entry", table, level);
        return false;
    }
    const struct frame *tf = frames_at(&m->pool, table);
    if (tf->kind != FRAME_TABLE)
        fail(t, "a table lives in a frame not marked as a table", table, level);
    else if (tf->table_level != (int8_t)level)
        fail(t, "a table is reached at a level other than its own", table, level);
    return t->ok;
}

/* Walks one of the kernel's tables: reached once (from the kernel's
 * root), owned by the kernel, no User bit anywhere, every leaf a kernel
 * frame that knows its page; a root without user entries. */
static void tally_kernel_table(struct tally *t, uint32_t table, unsigned level, uint64_t base)
{
    const struct machine *m = t->m;
    const struct geometry *g = &m->cfg.geo;
    if (!reach_table(t, table, level))
        return;
    if (frames_at(&m->pool, table)->owner_pid != VM_KERNEL_PID)
        fail(t, "a kernel table is owned by a process", table, level);
    const uint64_t *e = pagetable_at(&m->pt, table);
    unsigned shift = geometry_level_shift(g, level);
    uint64_t first = level == 0 ? geometry_kernel_root_index(g) : 0;
    uint32_t size = pagetable_size(&m->pt, table);
    for (uint64_t i = 0; i < size && t->ok; i++) {
        if (!e[i])
            continue;
        if (i < first) {
            fail(t, "the kernel's root maps user space", table, i);
            return;
        }
        uint64_t va = geometry_sign_extend(g, base | (i << shift));
        if (!pte_present(e[i]) || (e[i] & (PTE_USER | PTE_HUGE))) {
            fail(t, "a kernel entry is not present, or is a user or huge one", table, i);
            return;
        }
        uint32_t frame = pte_frame(e[i]);
        if (frame >= frames_total(&m->pool)) {
            fail(t, "a kernel entry points beyond the pool", frame, va);
            return;
        }
        if (level + 1 < g->levels) {
            tally_kernel_table(t, frame, level + 1, va);
            continue;
        }
        const struct frame *f = frames_at(&m->pool, frame);
        if (f->kind != FRAME_KERNEL || f->owner_pid != VM_KERNEL_PID ||
            f->object_page != va >> g->page_shift || !(e[i] & PTE_GLOBAL) ||
            !machine_kernel_area(m, va))
            fail(t, "a kernel leaf entry disagrees with its frame or its area", frame, va);
        count_up(t, &t->maps, frame);
    }
}

/* Walks one table of a process, counting that it was reached and what
 * its leaf entries point at. The root's kernel-half entries are copies of
 * the kernel root's (the tables below are counted once, from there). */
static void tally_table(struct tally *t, const struct process *p, uint32_t table, unsigned level,
                        uint64_t base)
{
    const struct machine *m = t->m;
    const struct geometry *g = &m->cfg.geo;
    if (!reach_table(t, table, level))
        return;
    const uint64_t *e = pagetable_at(&m->pt, table);
    unsigned shift = geometry_level_shift(g, level);
    uint32_t size = pagetable_size(&m->pt, table);
    uint64_t kernel_first = level == 0 ? geometry_kernel_root_index(g) : size;
    const uint64_t *kernel = m->kernel_root != VM_NO_FRAME ? pagetable_at(&m->pt, m->kernel_root)
                                                           : NULL;
    for (uint64_t i = 0; i < size && t->ok; i++) {
        if (i >= kernel_first) {
            /* The MMU may set Accessed in a copy: the rest is the kernel's. */
            uint64_t want = kernel ? kernel[i] : 0;
            if ((e[i] & ~PTE_ACCESSED) != (want & ~PTE_ACCESSED))
                fail(t, "a process's root differs from the kernel's in the kernel half",
                     p->pid, i);
            continue;
        }
        uint64_t va = base | (i << shift);
        if (pte_is_swap(e[i])) {
            if (pte_slot(e[i]) >= m->swap.nslots || !swap_at(&m->swap, pte_slot(e[i]))->used)
                fail(t, "a swap entry holds a free slot", pte_slot(e[i]), va);
            else
                count_up(t, &t->slot_refs, pte_slot(e[i]));
            t->swapped++;
            continue;
        }
        if (pte_special(e[i])) {
            /* A device's page: a leaf of a device area of this process,
             * holding exactly the entry the area's page must have. */
            const struct area *a = process_find_area(p, va);
            uint64_t want = a && a->kind == AREA_DEVICE && level + 1 == g->levels
                                ? vm_device_leaf(m, a, va) : 0;
            if (!want || (e[i] & ~(PTE_ACCESSED | PTE_DIRTY)) !=
                             (want & ~(PTE_ACCESSED | PTE_DIRTY)))
                fail(t, "a device entry is not its device area's", pte_frame(e[i]), va);
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
        const struct frame *f = frames_at(&m->pool, frame);
        if (f->kind == FRAME_ZERO)
            continue;
        if (f->kind != FRAME_ANON && f->kind != FRAME_FILE) {
            fail(t, "a page entry points at a frame that holds no page", frame, va);
            return;
        }
        if (!rmap_has(f, p->pid, va >> g->page_shift))
            fail(t, "a mapping is missing from the reverse map", frame, va);
        count_up(t, &t->maps, frame);
        t->resident += (e[i] & PTE_HUGE) ? geometry_level_span(g, level) >> g->page_shift : 1;
    }
}

bool machine_verify(const struct machine *m, char *why, size_t why_len)
{
    uint32_t total = frames_total(&m->pool);
    struct tally t = {.m = m, .why = why, .why_len = why_len, .ok = true};
    if (!chunked_init(&t.maps, total, sizeof(uint32_t), NULL) ||
        !chunked_init(&t.tables, total, sizeof(uint32_t), NULL) ||
        !chunked_init(&t.slot_refs, m->swap.nslots, sizeof(uint32_t), NULL)) {
        chunked_destroy(&t.maps);
        chunked_destroy(&t.tables);
        chunked_destroy(&t.slot_refs);
        snprintf(why, why_len, "out of memory");
        return false;
    }
    if (m->kernel_root != VM_NO_FRAME)
        tally_kernel_table(&t, m->kernel_root, 0, 0);
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
        /* A device area is mapped whole from its mmap on. */
        for (uint32_t a = 0; a < p->nareas && t.ok; a++) {
            const struct area *ar = &p->areas[a];
            uint64_t psize = (uint64_t)1 << m->cfg.geo.page_shift;
            for (uint64_t va = ar->start; ar->kind == AREA_DEVICE && va < ar->end && t.ok;
                 va += psize) {
                struct walk_result w = machine_walk(m, p, va);
                if (!w.complete || !pte_special(*w.slot))
                    fail(&t, "a page of a device area has no device entry", p->pid, va);
            }
        }
    }
    /* The frames never touched are free: counted in a sum, not one by one. */
    uint32_t free_data = 0, free_table = 0;
    for (uint32_t f = 0; f < total && t.ok; f++) {
        uint32_t next = frames_next_touched(&m->pool, f);
        count_untouched(&m->pool, f, next, &free_data, &free_table);
        if (next >= total)
            break;
        f = next;
        const struct frame *fr = frames_at(&m->pool, f);
        if (map_says_free(&m->pool, f) != (fr->kind == FRAME_FREE)) {
            fail(&t, "the free map disagrees with a frame", f, fr->kind);
            break;
        }
        if (fr->kind == FRAME_FREE) {
            if (frames_is_table_region(&m->pool, f))
                free_table++;
            else
                free_data++;
            continue;
        }
        if (fr->kind == FRAME_KERNEL) {
            /* Mapped once, by the kernel's own tables; no reverse map. */
            if (count_at(&t.maps, f) != 1 || fr->nmaps != 0)
                fail(&t, "a kernel frame is not mapped exactly once by the kernel's tables", f,
                     count_at(&t.maps, f));
            continue;
        }
        if (fr->kind == FRAME_TABLE) {
            /* Every table hangs from exactly one place: a live process's
             * root, the kernel's root, or one entry of a table reached from
             * one of them (the kernel's from every root, through the copies
             * of its root entries checked above). */
            if (!pagetable_at(&m->pt, f))
                fail(&t, "a frame marked as a table holds none", f, fr->owner_pid);
            else if (count_at(&t.tables, f) == 0)
                fail(&t, "a page table is reached from no root (an orphan)", f, fr->owner_pid);
        }
        if ((fr->kind != FRAME_ANON && fr->kind != FRAME_FILE) || fr->compound == FRAME_TAIL) {
            /* Only a page (a huge one by its head) is mapped by entries. */
            if (fr->nmaps != 0 || count_at(&t.maps, f) != 0)
                fail(&t, "a frame that holds no page has mappings", f, fr->nmaps);
            continue;
        }
        /* The reverse map names exactly the entries that hold the frame:
         * each entry is in it (tally_table), as many as it has, and each of
         * its mappings leads back to the frame. */
        for (uint32_t k = 0; k < fr->nmaps && t.ok; k++)
            if (!entry_holds(m, &fr->maps[k], f))
                fail(&t,
                     "a reverse map names a mapping whose entry (or table) does not hold the "
                     "frame",
                     f, fr->maps[k].vpn);
        if (!t.ok)
            break;
        if (fr->swap_slot != VM_NO_SLOT) {
            /* The swap cache: the slot names the frame back, and holds one
             * reference for it. Only a private page of its own is cached. */
            const struct swap_slot *sl = fr->swap_slot < m->swap.nslots
                                             ? swap_at(&m->swap, fr->swap_slot) : NULL;
            if (!sl || !sl->used || !sl->cached || sl->cache_frame != f ||
                fr->kind != FRAME_ANON || fr->object != VM_NO_OBJECT)
                fail(&t, "a frame in the swap cache and its slot disagree", f, fr->swap_slot);
            else
                count_up(&t, &t.slot_refs, fr->swap_slot);
            if (!t.ok)
                break;
        }
        if (fr->anon_exclusive && (fr->kind != FRAME_ANON || fr->object != VM_NO_OBJECT ||
                                   fr->nmaps > 1)) {
            /* Only a private anonymous page one process maps may be
             * written without a fault after mprotect. */
            fail(&t, "a page marked exclusive is shared or not anonymous", f, fr->nmaps);
            break;
        }
        if (fr->nmaps != count_at(&t.maps, f) || fr->refcount != fr->nmaps)
            fail(&t, "a frame's reverse map disagrees with the entries", f, count_at(&t.maps, f));
        else if (fr->object == VM_NO_OBJECT && fr->nmaps == 0 &&
                 (fr->swap_slot == VM_NO_SLOT || swap_at(&m->swap, fr->swap_slot)->refs < 2))
            /* Unmapped, a private page stays only in the swap cache, and
             * only while a swap entry somewhere still names its slot. */
            fail(&t, "a page frame is neither mapped nor cached (leaked)", f, fr->kind);
        else if (fr->object != VM_NO_OBJECT &&
                 (fr->object >= m->nobjects ||
                  object_frame(&m->objects[fr->object], fr->object_page) != f))
            fail(&t, "a cached frame is not where its object says", f, fr->object_page);
    }
    if (t.ok && (free_data != m->pool.free_data || free_table != m->pool.free_table ||
                 free_data != m->pool.data_free.nfree || free_table != m->pool.table_free.nfree))
        fail(&t, "the free counts are off", m->pool.free_data, free_data);
    for (uint32_t o = 0; o < m->nobjects && t.ok; o++) {
        const struct vm_object *obj = &m->objects[o];
        /* Only the chunks of the page map made: the other pages are nowhere. */
        for (uint64_t page = object_next_page(obj, 0); page < obj->pages && t.ok;
             page = object_next_page(obj, page + 1)) {
            uint32_t slot = object_slot(obj, page), frame = object_frame(obj, page);
            if (slot != VM_NO_SLOT) {
                if (slot >= m->swap.nslots || !swap_at(&m->swap, slot)->used)
                    fail(&t, "an object's page is in a free swap slot", o, page);
                else
                    count_up(&t, &t.slot_refs, slot);
            } else if (frame != VM_NO_FRAME &&
                       (frame >= total || frames_at(&m->pool, frame)->object != o))
                fail(&t, "an object's page points at a frame that does not cache it", o, page);
        }
    }
    uint32_t used = 0;
    for (uint32_t s = swap_next_touched(&m->swap, 0); s < m->swap.nslots && t.ok;
         s = swap_next_touched(&m->swap, s + 1)) {
        const struct swap_slot *slot = swap_at(&m->swap, s);
        used += slot->used;
        if (slot->used == freemap_is_free(&m->swap.free, s))
            fail(&t, "the free map disagrees with a swap slot", s, slot->used);
        if (slot->used && slot->refs != count_at(&t.slot_refs, s))
            fail(&t, "a swap slot's references are off", s, count_at(&t.slot_refs, s));
        else if (slot->cached && (!slot->used || slot->cache_frame >= total ||
                                  frames_at(&m->pool, slot->cache_frame)->swap_slot != s))
            fail(&t, "a swap slot's cached frame does not name it", s, slot->cache_frame);
    }
    if (t.ok && (used != m->swap.used || m->swap.free.nfree != m->swap.nslots - used))
        fail(&t, "the swap use count is off", m->swap.used, used);
    /* No TLB entry may translate to a frame its entry no longer maps. */
    size_t n = (size_t)m->tlb.sets * m->tlb.ways;
    for (size_t i = 0; i < n && t.ok; i++) {
        const struct tlb_entry *e = &m->tlb.entries[i];
        if (!e->valid)
            continue;
        uint64_t va = e->vpn << e->span_shift;
        struct walk_result w;
        if (e->global && !e->user && m->kernel_root != VM_NO_FRAME) {
            /* The kernel's: it serves every process, whoever filled it. */
            w = pagetable_walk(&m->pt, &m->cfg.geo, m->kernel_root, va);
        } else {
            const struct process *owner = NULL;
            for (uint32_t k = 0; k < m->nprocs; k++)
                if (m->procs[k].alive && m->procs[k].asid == e->asid)
                    owner = &m->procs[k];
            if (!owner) {
                fail(&t, "a TLB entry belongs to no live process", e->asid, e->vpn);
                break;
            }
            w = machine_walk(m, owner, va);
        }
        if (!w.complete || !pte_present(*w.slot) || pte_frame(*w.slot) != e->frame)
            fail(&t, "a TLB entry is stale", e->vpn, e->frame);
        else if (e->writable && !(*w.slot & PTE_WRITABLE))
            fail(&t, "a TLB entry allows a write its entry forbids", e->vpn, e->frame);
    }
    /* The leaf entry remembered for the last operation's page is the one
     * a walk finds: the fault path reads and writes it without walking. */
    if (t.ok && vm_leaf_known(m) && m->acc.proc < m->nprocs && m->procs[m->acc.proc].alive) {
        struct walk_result w = machine_walk(m, &m->procs[m->acc.proc], m->op.va);
        const uint64_t *entries = pagetable_at(&m->pt, m->leaf.table);
        if (!w.complete || !entries || w.table != m->leaf.table || w.level != m->leaf.level ||
            w.slot != &entries[m->leaf.index])
            fail(&t, "the remembered leaf entry is not the one a walk finds", m->leaf.table,
                 m->leaf.index);
    }
    chunked_destroy(&t.maps);
    chunked_destroy(&t.tables);
    chunked_destroy(&t.slot_refs);
    return t.ok;
}
