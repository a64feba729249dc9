/* The kernel half: the kernel's own areas, their frames and the tables
 * that map them, built once before the run and shared by every process.
 *
 * Linux keeps one reference root for the kernel (swapper_pg_dir, the root
 * of init_mm) and copies its upper entries into every new process's root
 * (arch/x86/mm/pgtable.c, pgd_ctor and clone_pgd_range); the tables below
 * those entries are therefore the same for all processes, and exit never
 * frees them. The kernel's leaf entries have U/S clear (supervisor only)
 * and, on a CPU without page-table isolation, G set: their TLB entries
 * serve every address space and survive a CR3 reload.
 *
 * Separate from machine.c because none of it happens during a run: it is
 * the machine as it boots, before its first process. */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"

uint64_t vm_kernel_leaf_flags(uint8_t prot)
{
    /* PAGE_KERNEL and its read-only and executable forms: Accessed always,
     * Dirty with Writable, Global, never User. */
    uint64_t flags = PTE_PRESENT | PTE_ACCESSED | PTE_GLOBAL;
    if (prot & PROT_W)
        flags |= PTE_WRITABLE | PTE_DIRTY;
    if (!(prot & PROT_X))
        flags |= PTE_NX;
    return flags;
}

void vm_share_kernel(struct machine *m, uint32_t root)
{
    if (m->kernel_root == VM_NO_FRAME || root == m->kernel_root)
        return;
    const uint64_t *from = pagetable_at(&m->pt, m->kernel_root);
    uint64_t *to = pagetable_at(&m->pt, root);
    uint64_t first = geometry_kernel_root_index(&m->cfg.geo);
    uint64_t n = geometry_entries(&m->cfg.geo, 0);
    /* clone_pgd_range: the kernel's root entries, as they are. */
    memcpy(to + first, from + first, (size_t)(n - first) * sizeof *to);
}

const struct area *machine_kernel_area(const struct machine *m, uint64_t va)
{
    for (uint32_t i = 0; i < m->nkernel_areas; i++)
        if (va >= m->kernel_areas[i].start && va < m->kernel_areas[i].end)
            return &m->kernel_areas[i];
    return NULL;
}

/* Tables that mapping [start, end) would add under the kernel's root (the
 * root itself included when there is none yet). */
static uint64_t tables_needed(const struct machine *m, uint64_t start, uint64_t end)
{
    const struct geometry *g = &m->cfg.geo;
    if (m->kernel_root == VM_NO_FRAME) {
        /* Every table of every level: one per distinct region it covers. */
        uint64_t n = 1;
        for (unsigned l = 1; l < g->levels; l++) {
            unsigned shift = geometry_level_shift(g, l - 1);
            n += ((end - 1) >> shift) - (start >> shift) + 1;
        }
        return n;
    }
    return vm_tables_needed(m, m->kernel_root, start, end);
}

/* Takes a frame of the kind for the kernel; false, the machine stopped,
 * when the host refused it (a frame is free: the caller counted). */
static bool take_for_kernel(struct machine *m, enum frame_kind kind, uint32_t *frame)
{
    uint32_t f = frames_take(&m->pool, kind);
    if (f == FRAMES_REFUSED || f == VM_NO_FRAME) {
        vm_host_failure(m, "the frame pool");
        return false;
    }
    struct frame *fr = frames_edit(&m->pool, f);
    fr->owner_pid = VM_KERNEL_PID;
    fr->refcount = 1;
    fr->loaded_at = m->steps;
    *frame = f;
    return true;
}

/* A new kernel table of the level in a fresh frame; false when the
 * machine stopped. */
static bool new_kernel_table(struct machine *m, unsigned level, uint32_t *frame)
{
    if (!take_for_kernel(m, FRAME_TABLE, frame))
        return false;
    if (!vm_new_table(m, *frame, level)) {
        frames_release(&m->pool, *frame);
        return false;
    }
    frames_edit(&m->pool, *frame)->table_level = (int8_t)level;
    m->counters.table_allocs++;
    return true;
}

/* True when the area can be added, frames included; else false with why. */
static bool check_kernel_area(const struct machine *m, const struct area *a, char *why,
                              size_t why_len)
{
    const struct geometry *g = &m->cfg.geo;
    uint64_t psize = vm_page_size(m);
    if (g->kernel_start == 0) {
        snprintf(why, why_len,
                 "the %s layout has no kernel half (expected a preset with one: x86_64, "
                 "x86_64-5level, i386 or riscv-sv39)", g->name);
        return false;
    }
    if (m->nkernel_areas >= MACHINE_MAX_KERNEL_AREAS) {
        snprintf(why, why_len, "kernel area '%s' is one too many (expected at most %d)",
                 a->name, MACHINE_MAX_KERNEL_AREAS);
        return false;
    }
    if (a->end <= a->start) {
        snprintf(why, why_len,
                 "kernel area '%s' at 0x%llx runs past the top of the address space "
                 "(expected it to end below 2^64)", a->name, (unsigned long long)a->start);
        return false;
    }
    if (a->start % psize || a->end % psize) {
        snprintf(why, why_len,
                 "kernel area '%s' [0x%llx, 0x%llx) is not page-aligned (expected multiples "
                 "of %llu)", a->name, (unsigned long long)a->start, (unsigned long long)a->end,
                 (unsigned long long)psize);
        return false;
    }
    if (!geometry_kernel_half(g, a->start) || !geometry_kernel_half(g, a->end - 1)) {
        snprintf(why, why_len,
                 "kernel area '%s' [0x%llx, 0x%llx) is not in the kernel half (expected "
                 "canonical addresses from 0x%llx up)", a->name, (unsigned long long)a->start,
                 (unsigned long long)a->end, (unsigned long long)g->kernel_start);
        return false;
    }
    if (!(a->prot & PROT_R)) {
        snprintf(why, why_len,
                 "kernel area '%s' cannot be read (expected a protection with r: a present "
                 "x86 page can always be read)", a->name);
        return false;
    }
    for (uint32_t i = 0; i < m->nkernel_areas; i++) {
        const struct area *b = &m->kernel_areas[i];
        if (b->start < a->end && a->start < b->end) {
            snprintf(why, why_len,
                     "kernel area '%s' overlaps kernel area '%s' [0x%llx, 0x%llx) (expected "
                     "kernel areas that do not overlap)", a->name, b->name,
                     (unsigned long long)b->start, (unsigned long long)b->end);
            return false;
        }
    }
    /* Every frame is counted first, so that a refusal changes nothing. */
    uint64_t pages = (a->end - a->start) / psize;
    uint64_t tables = tables_needed(m, a->start, a->end);
    const struct frame_pool *pool = &m->pool;
    bool fits = pool->table_frames ? pool->free_table >= tables && pool->free_data >= pages
                                   : pool->free_data >= tables + pages;
    if (!fits) {
        snprintf(why, why_len,
                 "kernel area '%s' needs %llu frames for its pages and %llu for its tables, "
                 "taken when the machine is built (expected more frames: %u are free)", a->name,
                 (unsigned long long)pages, (unsigned long long)tables,
                 pool->free_data + pool->free_table);
        return false;
    }
    return true;
}

bool machine_add_kernel_area(struct machine *m, const struct area *area, char *why,
                             size_t why_len)
{
    const struct geometry *g = &m->cfg.geo;
    struct area a = *area;
    a.kind = AREA_ANON;
    a.shared = true;
    a.global = true;
    a.huge = a.textbook = false;
    a.object = VM_NO_OBJECT;
    a.file_offset = 0;
    if (!check_kernel_area(m, &a, why, why_len))
        return false;
    if (m->kernel_root == VM_NO_FRAME && !new_kernel_table(m, 0, &m->kernel_root)) {
        m->kernel_root = VM_NO_FRAME;
        snprintf(why, why_len, "%s", machine_host_error(m));
        return false;
    }
    uint64_t psize = vm_page_size(m);
    uint64_t leaf = vm_kernel_leaf_flags(a.prot);
    for (uint64_t va = a.start; va < a.end; va += psize) {
        struct walk_result w = pagetable_walk(&m->pt, g, m->kernel_root, va);
        while (!w.complete) {
            uint32_t t;
            if (!new_kernel_table(m, w.level + 1, &t)) {
                snprintf(why, why_len, "%s", machine_host_error(m));
                return false;
            }
            *w.slot = pte_make(t, PTE_KERNEL_TABLE_FLAGS);
            w = pagetable_walk(&m->pt, g, m->kernel_root, va);
        }
        uint32_t f;
        if (!take_for_kernel(m, FRAME_KERNEL, &f)) {
            snprintf(why, why_len, "%s", machine_host_error(m));
            return false;
        }
        frames_edit(&m->pool, f)->object_page = geometry_vpn(g, va);
        *w.slot = pte_make(f, leaf);
    }
    /* Sorted by start, as a process's areas are. */
    uint32_t i = m->nkernel_areas++;
    while (i > 0 && m->kernel_areas[i - 1].start > a.start) {
        m->kernel_areas[i] = m->kernel_areas[i - 1];
        i--;
    }
    m->kernel_areas[i] = a;
    /* Processes made before see the new root entries too. */
    for (uint32_t p = 0; p < m->nprocs; p++)
        if (m->procs[p].alive)
            vm_share_kernel(m, m->procs[p].root);
    return true;
}
