/* Devices: physical memory that is not RAM (a frame buffer, a device's
 * registers), at frames beyond the pool's, and the areas that map it.
 *
 * A driver's mmap maps its device whole, at once: remap_pfn_range writes
 * every entry of the area (building the tables they need) before mmap
 * returns, marks the area VM_IO | VM_PFNMAP and each entry special, since
 * no struct page stands behind the frames. Such a page never faults in,
 * is never on an LRU list, never evicted or swapped, has no page cache and
 * no reverse map; fork copies its entries (vma_needs_copy) instead of
 * leaving them to fault in again. The frames and their content belong to
 * the device: munmap and exit only clear the entries. */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <stdio.h>
#include <string.h>

#include "vm/pte.h"

uint64_t machine_next_device_frame(const struct machine *m)
{
    if (m->ndevices == 0)
        return frames_total(&m->pool);
    const struct device *last = &m->devices[m->ndevices - 1];
    return (uint64_t)last->first_frame + last->pages;
}

bool machine_add_device(struct machine *m, const char *name, uint64_t first_frame,
                        uint64_t pages, char *why, size_t why_len)
{
    if (m->ndevices >= MACHINE_MAX_DEVICES) {
        snprintf(why, why_len, "device '%s' is one too many (expected at most %d)", name,
                 MACHINE_MAX_DEVICES);
        return false;
    }
    if (strlen(name) >= AREA_NAME_MAX || machine_device_named(m, name)) {
        snprintf(why, why_len, "device name '%s' is %s (expected a new name of at most %d "
                 "bytes)", name, strlen(name) >= AREA_NAME_MAX ? "too long" : "taken",
                 AREA_NAME_MAX - 1);
        return false;
    }
    uint64_t lowest = machine_next_device_frame(m);
    if (pages == 0 || first_frame < lowest || pages > MACHINE_MAX_DEVICE_FRAME ||
        first_frame > (uint64_t)MACHINE_MAX_DEVICE_FRAME - pages) {
        snprintf(why, why_len,
                 "device '%s' at frames %llu to %llu is not beyond RAM and the devices before "
                 "it (expected pages from frame %llu up, below frame %llu)", name,
                 (unsigned long long)first_frame,
                 (unsigned long long)(first_frame + pages - (pages > 0)),
                 (unsigned long long)lowest, (unsigned long long)MACHINE_MAX_DEVICE_FRAME);
        return false;
    }
    struct device *d = &m->devices[m->ndevices++];
    snprintf(d->name, sizeof d->name, "%s", name);
    d->first_frame = (uint32_t)first_frame;
    d->pages = (uint32_t)pages;
    return true;
}

const struct device *machine_device_at(const struct machine *m, uint64_t frame)
{
    for (uint32_t i = 0; i < m->ndevices; i++) {
        const struct device *d = &m->devices[i];
        if (frame >= d->first_frame && frame - d->first_frame < d->pages)
            return d;
    }
    return NULL;
}

const struct device *machine_device_named(const struct machine *m, const char *name)
{
    for (uint32_t i = 0; i < m->ndevices; i++)
        if (strcmp(m->devices[i].name, name) == 0)
            return &m->devices[i];
    return NULL;
}

uint64_t vm_device_leaf(const struct machine *m, const struct area *a, uint64_t va)
{
    const struct device *d = &m->devices[a->device];
    uint64_t psize = vm_page_size(m);
    uint32_t frame = d->first_frame + (uint32_t)((a->file_offset + (va - a->start)) / psize);
    /* PAGE_SHARED and its read-only and executable forms: Accessed is in
     * every x86 protection of user memory; Dirty is left to the CPU. */
    uint64_t flags = PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_SPECIAL;
    if (a->prot & PROT_W)
        flags |= PTE_WRITABLE;
    if (!(a->prot & PROT_X))
        flags |= PTE_NX;
    if (a->prot == 0)
        flags = (flags & ~PTE_PRESENT) | PTE_PROTNONE;
    return pte_make(frame, flags);
}

bool vm_map_device(struct machine *m, struct process *p, const struct area *a,
                   uint64_t *tables, char *why, size_t why_len)
{
    uint64_t psize = vm_page_size(m);
    uint64_t need = vm_tables_needed(m, p->root, a->start, a->end);
    const struct frame_pool *pool = &m->pool;
    uint64_t free = pool->table_frames ? pool->free_table : pool->free_data;
    *tables = 0;
    if (need > free) {
        /* Linux would reclaim for them; vmviz takes only free frames. */
        snprintf(why, why_len,
                 "mapping device '%s' needs %llu frame%s for page tables, and %llu %s free "
                 "(ENOMEM)", m->devices[a->device].name, (unsigned long long)need,
                 need == 1 ? "" : "s", (unsigned long long)free, free == 1 ? "is" : "are");
        return false;
    }
    for (uint64_t va = a->start; va < a->end && va >= a->start; va += psize) {
        uint32_t failed = vm_build_path(m, p, va, tables);
        if (failed) {
            /* The frames were counted free above: only the host fails. */
            if (failed == VM_NO_FRAME)
                vm_host_failure(m, "the frame pool");
            snprintf(why, why_len, "%s", machine_host_error(m));
            return false;
        }
        *machine_walk(m, p, va).slot = vm_device_leaf(m, a, va);
    }
    return true;
}
