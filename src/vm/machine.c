/* The machine's life cycle and its micro-step dispatcher: creating,
 * cloning, digesting and destroying a machine; adding processes, areas and
 * files before a run; the stops (the host refused memory, a stated limit);
 * and machine_step, which performs the micro-step of the current phase by
 * calling the step function of mmu.c (the CPU), fault.c (the fault
 * handler), reclaim.c (getting a frame) or machine_ops.c (the other
 * operations), checking each against the phase table of machine.h.
 *
 * Separate from those files so that each of them holds one side of the
 * hardware/kernel line, and this one only what every side relies on. */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/pte.h"
#include "vm/rng.h"

/* What every "out of memory on the host" error of the setup expects. */
#define HOST_OOM_EXPECTED " (expected a smaller machine or scenario, or more memory)"
/* How machine_host_error begins when the host refused memory (any other
 * message is a stated limit). */
#define HOST_REFUSAL "out of memory on the host"
/* mmap_base lies below the top of user space by a gap for the stack: a
 * 1024th of user space, at most 128 MiB. */
#define MMAP_GAP_FRACTION 1024
#define MMAP_GAP_MAX (UINT64_C(128) << 20)

/* The engine's "none" is the events' "absent": numbers pass unchanged. */
_Static_assert(VM_NO_FRAME == EV_NONE && VM_NO_SLOT == EV_NONE && VM_NO_OBJECT == EV_NONE &&
                   VM_NO_PID == EV_NONE,
               "the engine's none must be the events' EV_NONE");
/* Each phase is a bit of a uint32_t in the phase table. */
_Static_assert(PH_COUNT <= 32, "too many phases for the phase table's masks");

/* ------------------------------------------------------------------ */
/* configuration                                                      */

void machine_config_default(struct machine_config *c)
{
    memset(c, 0, sizeof *c);
    geometry_preset("x86_64", &c->geo);
    c->frames = 512;
    c->table_frames = 0;
    c->swap_slots = 64;
    c->tlb_entries = 64;
    c->tlb_ways = 4;
    c->tlb_replacement = TLB_LRU;
    c->tlb_asid = true;
    c->policy = POLICY_clock;
    c->seed = 1;
    c->nru_interval = 8;
    c->fault_around = MACHINE_DEFAULT_FAULT_AROUND;
    c->readahead = MACHINE_DEFAULT_READAHEAD;
}

bool machine_config_validate(const struct machine_config *c, char *why, size_t why_len)
{
    if (!geometry_validate(&c->geo, why, why_len))
        return false;
    if (c->frames < 1 || c->frames > MACHINE_MAX_FRAMES) {
        snprintf(why, why_len, "frames is %u (expected 1 to %u)", c->frames, MACHINE_MAX_FRAMES);
        return false;
    }
    if (c->table_frames > MACHINE_MAX_FRAMES) {
        snprintf(why, why_len, "table_frames is %u (expected 0 to %u)", c->table_frames,
                 MACHINE_MAX_FRAMES);
        return false;
    }
    if (c->swap_slots > MACHINE_MAX_SWAP) {
        snprintf(why, why_len, "swap is %u slots (expected 0 to %u)", c->swap_slots,
                 MACHINE_MAX_SWAP);
        return false;
    }
    if (c->tlb_entries < 1 || c->tlb_entries > MACHINE_MAX_TLB) {
        snprintf(why, why_len, "the TLB has %u entries (expected 1 to %d)", c->tlb_entries,
                 MACHINE_MAX_TLB);
        return false;
    }
    if (c->tlb_ways < 1 || c->tlb_entries % c->tlb_ways != 0) {
        snprintf(why, why_len,
                 "%u TLB entries do not split into %u ways (expected entries to be a multiple "
                 "of ways)",
                 c->tlb_entries, c->tlb_ways);
        return false;
    }
    if (c->fault_around > MACHINE_MAX_WINDOW_PAGES || c->readahead > MACHINE_MAX_WINDOW_PAGES) {
        snprintf(why, why_len, "fault_around is %u and readahead %u pages (expected 0 to %d each)",
                 c->fault_around, c->readahead, MACHINE_MAX_WINDOW_PAGES);
        return false;
    }
    if (c->policy >= POLICY_COUNT) {
        snprintf(why, why_len, "unknown policy (expected one of the policies of vmviz(1))");
        return false;
    }
    /* A table frame's entries must fit the frame numbers of the pool; and
     * no frame number reaches FRAMES_REFUSED or VM_NO_FRAME. */
    if ((uint64_t)c->frames + c->table_frames > FRAMES_REFUSED) {
        snprintf(why, why_len,
                 "%u frames and %u table frames are too many in all (expected fewer than 2^32 "
                 "together)", c->frames, c->table_frames);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* sizes and lookups                                                  */

uint64_t vm_page_size(const struct machine *m)
{
    return geometry_page_size(&m->cfg.geo);
}

/* Pages in a huge page, or 0 when the layout has none. */
uint64_t vm_huge_pages(const struct machine *m)
{
    const struct geometry *g = &m->cfg.geo;
    if (g->huge_level < 0)
        return 0;
    return geometry_level_span(g, (unsigned)g->huge_level) >> g->page_shift;
}

struct process *machine_process(const struct machine *m, uint32_t pid)
{
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return &m->procs[i];
    return NULL;
}

void machine_process_gone(const struct machine *m, uint32_t pid, struct event *ev)
{
    const struct process *p = machine_process(m, pid);
    event_init(ev, EV_PROCESS_GONE);
    ev->pid = pid;
    snprintf(ev->detail, sizeof ev->detail, "pid %u %s", pid,
             !p               ? "does not exist"
             : p->oom_killed  ? "was killed by the OOM killer"
                              : "has exited");
}

struct process *machine_running(const struct machine *m)
{
    return m->nprocs ? &m->procs[m->current] : NULL;
}

struct walk_result machine_walk(const struct machine *m, const struct process *p, uint64_t va)
{
    return pagetable_walk(&m->pt, &m->cfg.geo, p->root, va);
}

void machine_area_pages(const struct machine *m, const struct process *p, const struct area *a,
                        uint64_t *resident, uint64_t *swapped)
{
    const struct geometry *g = &m->cfg.geo;
    uint64_t psize = vm_page_size(m);
    *resident = *swapped = 0;
    for (uint64_t va = a->start; va < a->end;) {
        struct walk_result w = machine_walk(m, p, va);
        uint64_t next = va + psize;
        if (w.slot && (!w.complete || (*w.slot & PTE_HUGE))) {
            /* A missing table or a huge entry covers the whole span of
             * its entry: skip to its end. */
            uint64_t span = geometry_level_span(g, w.level);
            next = (va & ~(span - 1)) + span;
        }
        if (w.complete && pte_holds_frame(*w.slot)) {
            uint32_t frame = pte_frame(*w.slot);
            /* The zero page is no page of the process's own (smaps does
             * not count it in Rss either). */
            bool own = frame >= frames_total(&m->pool) ||
                       frames_at(&m->pool, frame)->kind != FRAME_ZERO;
            if (own) {
                uint64_t end = next < a->end ? next : a->end;
                *resident += (end - va) / psize;
            }
        } else if (w.complete && pte_is_swap(*w.slot)) {
            (*swapped)++;
        }
        if (next <= va)
            break;
        va = next;
    }
    /* Shared anonymous memory in swap is the object's, not the entries':
     * smaps counts it in Swap all the same (shmem_partial_swap_usage). */
    if (a->object != VM_NO_OBJECT && m->objects[a->object].anonymous) {
        const struct vm_object *o = &m->objects[a->object];
        uint64_t first = a->file_offset / psize, pages = (a->end - a->start) / psize;
        for (uint64_t i = 0; i < pages && first + i < o->pages; i++)
            if (object_slot(o, first + i) != VM_NO_SLOT)
                (*swapped)++;
    }
}

/* ------------------------------------------------------------------ */
/* life cycle                                                         */

struct machine *machine_create(const struct machine_config *cfg, char *why, size_t why_len)
{
    if (!machine_config_validate(cfg, why, why_len))
        return NULL;
    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(why, why_len, "out of memory on the host for the machine" HOST_OOM_EXPECTED);
        return NULL;
    }
    m->cfg = *cfg;
    m->rng = cfg->seed ^ UINT64_C(0x5eed);
    uint32_t total = cfg->frames + cfg->table_frames;
    if (!frames_init(&m->pool, cfg->frames, cfg->table_frames) ||
        !pagetable_init(&m->pt, total) ||
        !tlb_init(&m->tlb, cfg->tlb_entries, cfg->tlb_ways, cfg->tlb_replacement, cfg->tlb_asid) ||
        !swap_init(&m->swap, cfg->swap_slots) ||
        !policy_init(&m->policy, cfg->policy, cfg->frames, cfg->seed, cfg->nru_interval)) {
        machine_destroy(m);
        snprintf(why, why_len, "out of memory on the host for the machine (expected fewer "
                               "frames, swap slots or TLB entries)");
        return NULL;
    }
    m->procs = calloc(MACHINE_MAX_PROCESSES, sizeof *m->procs);
    m->objects = calloc(MACHINE_MAX_OBJECTS, sizeof *m->objects);
    m->zero_frame = VM_NO_FRAME;
    m->huge_zero_frame = VM_NO_FRAME;
    m->kernel_root = VM_NO_FRAME;
    if (!m->procs || !m->objects) {
        machine_destroy(m);
        snprintf(why, why_len, "out of memory on the host for the machine (expected fewer "
                               "frames, swap slots or TLB entries)");
        return NULL;
    }
    /* Below the top of user space, leaving room for a stack, as Linux's
     * mmap_base does (TASK_SIZE minus a stack gap). */
    uint64_t top = cfg->geo.user_top;
    uint64_t gap = top / MMAP_GAP_FRACTION;
    if (gap > MMAP_GAP_MAX)
        gap = MMAP_GAP_MAX;
    m->mmap_base = (top - gap) & ~(vm_page_size(m) - 1);
    m->phase = PH_IDLE;
    return m;
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    frames_destroy(&m->pool);
    pagetable_destroy(&m->pt);
    tlb_destroy(&m->tlb);
    swap_destroy(&m->swap);
    if (m->policy.ops)
        policy_destroy(&m->policy);
    if (m->procs)
        for (uint32_t i = 0; i < m->nprocs; i++)
            process_free_areas(&m->procs[i]);
    if (m->objects)
        for (uint32_t i = 0; i < m->nobjects; i++)
            object_destroy(&m->objects[i]);
    free(m->objects);
    free(m->procs);
    free(m);
}

struct machine *machine_clone(const struct machine *src)
{
    struct machine *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    *m = *src;
    /* The walk memo points into src's tables. */
    memset(m->walk_memo, 0, sizeof m->walk_memo);
    /* Nothing of src's is ours until copied: a failed copy frees only
     * what it made. */
    memset(&m->pool, 0, sizeof m->pool);
    memset(&m->pt, 0, sizeof m->pt);
    memset(&m->swap, 0, sizeof m->swap);
    m->tlb.entries = NULL;
    m->policy.ops = NULL;
    m->procs = calloc(MACHINE_MAX_PROCESSES, sizeof *m->procs);
    m->objects = calloc(MACHINE_MAX_OBJECTS, sizeof *m->objects);
    uint32_t nprocs = m->nprocs, nobjects = m->nobjects;
    m->nprocs = 0;
    m->nobjects = 0;
    bool ok = m->procs && m->objects && frames_clone(&m->pool, &src->pool) && pagetable_clone(&m->pt, &src->pt) &&
              tlb_clone(&m->tlb, &src->tlb) && swap_clone(&m->swap, &src->swap) &&
              policy_clone(&m->policy, &src->policy);
    if (ok && !m->policy.ops)
        ok = false;
    for (uint32_t i = 0; ok && i < nprocs; i++) {
        m->procs[i] = src->procs[i];
        ok = process_clone_areas(&m->procs[i], &src->procs[i]);
        m->nprocs = i + 1;
    }
    for (uint32_t i = 0; ok && i < nobjects; i++) {
        ok = object_clone(&m->objects[i], &src->objects[i]);
        m->nobjects = ok ? i + 1 : i;
    }
    if (!ok) {
        if (!m->policy.ops)
            memset(&m->policy, 0, sizeof m->policy);
        machine_destroy(m);
        return NULL;
    }
    return m;
}

uint64_t machine_digest(const struct machine *m)
{
    uint64_t h = DIGEST_INIT;
    const struct counters *c = &m->counters;
    digest_bytes(&h, c, sizeof *c);
    digest_u64(&h, m->rng);
    digest_u64(&h, m->steps);
    digest_u64(&h, m->current);
    digest_u64(&h, m->phase);
    digest_u64(&h, m->nprocs);
    digest_u64(&h, m->zero_frame);
    digest_u64(&h, m->huge_zero_frame);
    digest_u64(&h, m->huge_pages);
    digest_u64(&h, m->kernel_root);
    for (uint32_t i = 0; i < m->ndevices; i++) {
        digest_u64(&h, m->devices[i].first_frame);
        digest_u64(&h, m->devices[i].pages);
        digest_bytes(&h, m->devices[i].name, strlen(m->devices[i].name));
    }
    for (uint32_t i = 0; i < m->nkernel_areas; i++) {
        const struct area *ka = &m->kernel_areas[i];
        digest_u64(&h, ka->start);
        digest_u64(&h, ka->end);
        digest_u64(&h, ka->prot);
        digest_bytes(&h, ka->name, strlen(ka->name));
    }
    for (uint32_t i = 0; i < m->nobjects; i++)
        object_digest(&m->objects[i], &h);
    frames_digest(&m->pool, &h);
    pagetable_digest(&m->pt, &h);
    tlb_digest(&m->tlb, &h);
    swap_digest(&m->swap, &h);
    policy_digest(&m->policy, &h);
    for (uint32_t i = 0; i < m->nprocs; i++) {
        const struct process *p = &m->procs[i];
        digest_u64(&h, p->pid);
        digest_u64(&h, p->asid | (uint64_t)p->alive << 16 | (uint64_t)p->oom_killed << 17);
        digest_u64(&h, p->root);
        digest_u64(&h, p->resident);
        digest_u64(&h, p->swapped);
        digest_u64(&h, p->heap_start);
        digest_u64(&h, p->brk);
        for (uint32_t a = 0; a < p->nareas; a++) {
            const struct area *ar = &p->areas[a];
            digest_u64(&h, ar->start);
            digest_u64(&h, ar->end);
            digest_u64(&h, ar->prot | (uint64_t)ar->kind << 8 | (uint64_t)ar->shared << 16 |
                               (uint64_t)ar->textbook << 17 | (uint64_t)ar->huge << 18 |
                               (uint64_t)ar->global << 19 | (uint64_t)ar->anon_pages << 20 |
                               (uint64_t)ar->object << 32);
            digest_u64(&h, ar->file_offset);
            digest_bytes(&h, ar->name, strlen(ar->name));
        }
    }
    if (m->phase != PH_IDLE) {
        digest_bytes(&h, &m->acc, sizeof m->acc);
        digest_u64(&h, m->op.kind);
        digest_u64(&h, m->op.va);
    }
    return h;
}

uint64_t machine_bytes(const struct machine *m)
{
    uint64_t bytes = vm_block_bytes(sizeof *m);
    bytes += vm_block_bytes(MACHINE_MAX_PROCESSES * sizeof *m->procs);
    bytes += vm_block_bytes(MACHINE_MAX_OBJECTS * sizeof *m->objects);
    bytes += frames_bytes(&m->pool);
    bytes += pagetable_bytes(&m->pt);
    bytes += vm_block_bytes((uint64_t)m->tlb.sets * m->tlb.ways * sizeof *m->tlb.entries);
    bytes += swap_bytes(&m->swap);
    bytes += policy_bytes(&m->policy);
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].capareas)
            bytes += vm_block_bytes((uint64_t)m->procs[i].capareas * sizeof *m->procs[i].areas);
    for (uint32_t i = 0; i < m->nobjects; i++)
        bytes += object_bytes(&m->objects[i]);
    return bytes;
}

/* ------------------------------------------------------------------ */
/* adding processes, areas and files                                  */

/* The lowest ASID no process uses (there are fewer processes than ASIDs). */
static uint16_t free_asid(const struct machine *m)
{
    for (uint16_t asid = 1;; asid++) {
        bool used = false;
        for (uint32_t i = 0; i < m->nprocs && !used; i++)
            used = m->procs[i].asid == asid;
        if (!used)
            return asid;
    }
}

bool machine_add_process(struct machine *m, uint32_t pid, const char *name, uint16_t asid,
                         char *why, size_t why_len)
{
    if (pid == 0 || machine_process(m, pid)) {
        snprintf(why, why_len, pid ? "pid %u is already in use (expected a new pid)"
                                   : "pid 0 is reserved (expected 1 or more)", pid);
        return false;
    }
    if (m->nprocs >= MACHINE_MAX_PROCESSES) {
        snprintf(why, why_len, "too many processes (expected at most %d)", MACHINE_MAX_PROCESSES);
        return false;
    }
    /* Everything that can be refused is checked before the root frame is
     * taken, so a refusal leaves the machine as it was. */
    if (asid > MACHINE_MAX_ASID) {
        snprintf(why, why_len, "ASID %u does not fit in 12 bits (expected 1 to %d)", asid,
                 MACHINE_MAX_ASID);
        return false;
    }
    for (uint32_t i = 0; asid && i < m->nprocs; i++)
        if (m->procs[i].asid == asid) {
            snprintf(why, why_len, "ASID %u is already used by pid %u (expected a distinct ASID)",
                     asid, m->procs[i].pid);
            return false;
        }
    uint32_t root;
    if (!vm_take_root(m, pid, &root, why, why_len))
        return false;
    if (!asid)
        asid = free_asid(m);
    struct process *p = &m->procs[m->nprocs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->asid = asid;
    p->alive = true;
    p->root = root;
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    return true;
}

bool vm_take_root(struct machine *m, uint32_t pid, uint32_t *root, char *why, size_t why_len)
{
    uint32_t frame = frames_take(&m->pool, FRAME_TABLE);
    if (frame == FRAMES_REFUSED) {
        vm_host_failure(m, "the frame pool");
        snprintf(why, why_len, "out of memory on the host for the root page table of pid %u"
                               HOST_OOM_EXPECTED,
                 pid);
        return false;
    }
    if (frame == VM_NO_FRAME) {
        snprintf(why, why_len,
                 "no free frame for the root page table of pid %u (expected more frames%s)", pid,
                 m->pool.table_frames ? " kept for tables" : "");
        return false;
    }
    enum pagetable_outcome made = pagetable_create(&m->pt, &m->cfg.geo, frame, 0);
    if (made != PAGETABLE_MADE) {
        frames_release(&m->pool, frame);
        /* The machine stops: a fork or spawn during the run ends there. */
        vm_table_not_made(m, made);
        if (made == PAGETABLE_OVER_LIMIT)
            snprintf(why, why_len, "%s", machine_host_error(m));
        else
            snprintf(why, why_len, "out of memory on the host for the root page table of pid %u"
                               HOST_OOM_EXPECTED,
                     pid);
        return false;
    }
    struct frame *f = frames_edit(&m->pool, frame);
    f->table_level = 0;
    f->owner_pid = pid;
    f->refcount = 1;
    m->counters.table_allocs++;
    /* pgd_alloc: the kernel half comes with every new root. */
    vm_share_kernel(m, frame);
    *root = frame;
    return true;
}

bool vm_check_area(const struct machine *m, const struct area *a, char *why, size_t why_len)
{
    uint64_t psize = vm_page_size(m);
    if (a->start % psize || a->end % psize || a->end <= a->start) {
        snprintf(why, why_len,
                 "area '%s' [0x%llx, 0x%llx) is not page-aligned (expected multiples of %llu)",
                 a->name, (unsigned long long)a->start, (unsigned long long)a->end,
                 (unsigned long long)psize);
        return false;
    }
    if (a->end > m->cfg.geo.user_top) {
        snprintf(why, why_len,
                 "area '%s' ends at 0x%llx, beyond user space, which mmap refuses with ENOMEM "
                 "(expected an end at most 0x%llx, TASK_SIZE_MAX)", a->name,
                 (unsigned long long)a->end, (unsigned long long)m->cfg.geo.user_top);
        return false;
    }
    return true;
}

/* Gives a shared anonymous area its object, and checks that a file-backed
 * one fits its file. */
bool vm_attach_object(struct machine *m, struct area *a, char *why, size_t why_len)
{
    uint64_t psize = vm_page_size(m);
    if (a->kind == AREA_DEVICE) {
        a->object = VM_NO_OBJECT;
        if (a->device >= m->ndevices) {
            snprintf(why, why_len, "area '%s' names no device (expected a device the "
                     "machine declares)", a->name);
            return false;
        }
        const struct device *d = &m->devices[a->device];
        uint64_t first = a->file_offset / psize, pages = (a->end - a->start) / psize;
        if (a->file_offset % psize || first > d->pages || pages > d->pages - first) {
            snprintf(why, why_len,
                     "area '%s' at offset 0x%llx maps beyond the end of device '%s' (expected "
                     "a page-aligned offset and at most %u pages from it)", a->name,
                     (unsigned long long)a->file_offset, d->name, d->pages);
            return false;
        }
        if (!a->shared || a->huge) {
            snprintf(why, why_len, "area '%s' maps device '%s' %s (expected a shared mapping "
                     "of ordinary pages: a driver's mmap maps its device MAP_SHARED)", a->name,
                     d->name, a->huge ? "with huge pages" : "privately");
            return false;
        }
        return true;
    }
    if (a->kind == AREA_FILE) {
        if (a->object >= m->nobjects || m->objects[a->object].anonymous) {
            snprintf(why, why_len, "area '%s' names no file (expected a file the scenario "
                                   "declares)", a->name);
            return false;
        }
        const struct vm_object *o = &m->objects[a->object];
        /* In pages, so that no sum can wrap: the offset and the area must
         * both lie within the file. */
        uint64_t first = a->file_offset / psize, pages = (a->end - a->start) / psize;
        if (a->file_offset % psize || first > o->pages || pages > o->pages - first) {
            snprintf(why, why_len,
                     "area '%s' at offset 0x%llx maps beyond the end of file '%s' (expected a "
                     "page-aligned offset and at most %llu pages from it)",
                     a->name, (unsigned long long)a->file_offset, o->name,
                     (unsigned long long)o->pages);
            return false;
        }
        return true;
    }
    a->object = VM_NO_OBJECT;
    if (!a->shared)
        return true;
    if (m->nobjects >= MACHINE_MAX_OBJECTS) {
        snprintf(why, why_len, "too many shared areas and files (expected at most %d)",
                 MACHINE_MAX_OBJECTS);
        return false;
    }
    if (!object_init(&m->objects[m->nobjects], a->name, (a->end - a->start) / psize, true)) {
        snprintf(why, why_len, "out of memory on the host for shared area '%s'" HOST_OOM_EXPECTED,
                 a->name);
        return false;
    }
    a->object = m->nobjects++;
    a->file_offset = 0;
    return true;
}

bool machine_check_first_access(const struct machine *m, char *why, size_t why_len)
{
    const struct frame_pool *pool = &m->pool;
    uint32_t tables = m->cfg.geo.levels - 1;
    if (pool->table_frames) {
        if (pool->free_table >= tables && pool->free_data >= 1)
            return true;
        snprintf(why, why_len,
                 "the frames left cannot hold what a first access needs: %u table%s below a "
                 "root (%u of %u frames for tables are free) and a page (%u frames free) "
                 "(expected table_frames of at least %u and frames of at least %u)",
                 tables, tables == 1 ? "" : "s", pool->free_table, pool->table_frames,
                 pool->free_data, pool->table_frames - pool->free_table + tables,
                 pool->data_frames - pool->free_data + 1);
        return false;
    }
    if (pool->free_data >= tables + 1)
        return true;
    uint32_t used = pool->data_frames - pool->free_data;
    snprintf(why, why_len,
             "%u frames cannot hold a first access: %u %s in use (roots, cached pages) and %s "
             "needs %u table%s below a root and a page (expected frames of at least %u, or "
             "table_frames of at least %u)",
             pool->data_frames, used, used == 1 ? "is" : "are", m->cfg.geo.name, tables,
             tables == 1 ? "" : "s", used + tables + 1, m->nprocs + tables);
    return false;
}

uint32_t machine_find_object(const struct machine *m, const char *name)
{
    for (uint32_t i = 0; i < m->nobjects; i++)
        if (!m->objects[i].anonymous && strcmp(m->objects[i].name, name) == 0)
            return i;
    return VM_NO_OBJECT;
}

/* Undoes a file being added: its cached frames go back to the pool and
 * the object is forgotten (it is the last one). */
static void forget_file(struct machine *m, uint32_t id)
{
    struct vm_object *o = &m->objects[id];
    for (uint64_t page = object_next_page(o, 0); page < o->pages;
         page = object_next_page(o, page + 1)) {
        uint32_t frame = object_frame(o, page);
        if (frame == VM_NO_FRAME)
            continue;
        m->policy.ops->freed(&m->policy, frame);
        frames_release(&m->pool, frame);
    }
    object_destroy(o);
    m->nobjects = id;
}

uint32_t machine_add_file(struct machine *m, const char *name, uint64_t size,
                          const uint64_t *cached, size_t ncached, bool all_cached, char *why,
                          size_t why_len)
{
    uint64_t psize = vm_page_size(m);
    uint64_t pages = size / psize + (size % psize != 0);
    if (m->nobjects >= MACHINE_MAX_OBJECTS || machine_find_object(m, name) != VM_NO_OBJECT ||
        pages == 0 || pages > MACHINE_MAX_FILE_PAGES) {
        snprintf(why, why_len, "file '%s' %s", name,
                 pages == 0 || pages > MACHINE_MAX_FILE_PAGES
                     ? "has a size out of range (expected 1 byte to 2^32 pages)"
                 : machine_find_object(m, name) != VM_NO_OBJECT ? "is declared twice (expected unique names)"
                                                       : "is one file too many (expected at most 64)");
        return VM_NO_OBJECT;
    }
    struct vm_object *o = &m->objects[m->nobjects];
    if (!object_init(o, name, pages, false)) {
        snprintf(why, why_len, "out of memory on the host for file '%s' of %llu pages" HOST_OOM_EXPECTED, name,
                 (unsigned long long)pages);
        return VM_NO_OBJECT;
    }
    uint32_t id = m->nobjects++;
    uint64_t n = all_cached ? pages : ncached;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t page = all_cached ? i : cached[i];
        if (page >= pages) {
            snprintf(why, why_len, "cached page %llu is beyond file '%s' (expected below %llu)",
                     (unsigned long long)page, name, (unsigned long long)pages);
            forget_file(m, id);
            return VM_NO_OBJECT;
        }
        if (object_frame(o, page) != VM_NO_FRAME)
            continue;
        uint32_t frame = frames_take(&m->pool, FRAME_FILE);
        if (frame == FRAMES_REFUSED) {
            snprintf(why, why_len, "out of memory on the host for the frame pool" HOST_OOM_EXPECTED);
            forget_file(m, id);
            return VM_NO_OBJECT;
        }
        if (frame == VM_NO_FRAME) {
            snprintf(why, why_len, "no free frame to cache page %llu of '%s' (expected fewer "
                                   "cached pages than frames)",
                     (unsigned long long)page, name);
            forget_file(m, id);
            return VM_NO_OBJECT;
        }
        struct frame *f = frames_edit(&m->pool, frame);
        f->object = id;
        f->object_page = page;
        if (!object_set(o, page, (uint64_t)frame + 1)) {
            frames_release(&m->pool, frame);
            snprintf(why, why_len, "out of memory on the host for the page cache of '%s'" HOST_OOM_EXPECTED,
                     name);
            forget_file(m, id);
            return VM_NO_OBJECT;
        }
        m->policy.ops->loaded(&m->policy, frame);
        if (m->policy.refused) {
            snprintf(why, why_len,
                     "out of memory on the host for the replacement policy's lists" HOST_OOM_EXPECTED);
            forget_file(m, id);
            return VM_NO_OBJECT;
        }
    }
    return id;
}

bool machine_add_area(struct machine *m, uint32_t pid, const struct area *area, char *why,
                      size_t why_len)
{
    struct area copy = *area;
    struct area *a = &copy;
    struct process *p = machine_process(m, pid);
    if (!p) {
        snprintf(why, why_len, "no process with pid %u (expected a declared pid)", pid);
        return false;
    }
    if (!vm_check_area(m, a, why, why_len))
        return false;
    for (uint32_t i = 0; i < p->nareas; i++) {
        const struct area *b = &p->areas[i];
        if (b->start < a->end && a->start < b->end) {
            snprintf(why, why_len,
                     "area '%s' [0x%llx, 0x%llx) overlaps area '%s' [0x%llx, 0x%llx) of pid %u "
                     "(expected areas that do not overlap)",
                     a->name, (unsigned long long)a->start, (unsigned long long)a->end, b->name,
                     (unsigned long long)b->start, (unsigned long long)b->end, pid);
            return false;
        }
    }
    if (!vm_attach_object(m, a, why, why_len))
        return false;
    if (!process_add_area(p, a)) {
        snprintf(why, why_len, "out of memory on the host for area '%s'" HOST_OOM_EXPECTED, a->name);
        return false;
    }
    uint64_t tables;
    if (a->kind == AREA_DEVICE && !vm_map_device(m, p, a, &tables, why, why_len)) {
        if (!machine_host_error(m))
            (void)process_remove_range(p, a->start, a->end);
        return false;
    }
    return true;
}

void machine_set_future(struct machine *m, const uint32_t *next_use, uint64_t len)
{
    m->future_next = next_use;
    m->future_len = len;
}

/* ------------------------------------------------------------------ */
/* helpers of the micro-steps                                         */

struct process *vm_op_process(struct machine *m)
{
    return &m->procs[m->acc.proc];
}

void vm_note_leaf(struct machine *m, unsigned level, uint32_t table, uint32_t index)
{
    m->leaf = (struct leaf_hint){.known = true, .level = (uint8_t)level, .table = table,
                                 .index = index, .generation = m->pt.generation};
}

struct walk_result vm_op_walk(struct machine *m)
{
    if (vm_leaf_known(m))
        return (struct walk_result){.level = m->leaf.level,
                                    .table = m->leaf.table,
                                    .slot = &pagetable_at(&m->pt, m->leaf.table)[m->leaf.index],
                                    .complete = true};
    struct walk_result w = machine_walk(m, vm_op_process(m), m->op.va);
    if (w.complete) {
        uint64_t *entries = pagetable_at(&m->pt, w.table);
        vm_note_leaf(m, w.level, w.table, (uint32_t)(w.slot - entries));
    }
    return w;
}

void vm_event_for_access_loud(const struct machine *m, struct event *ev, enum event_kind kind)
{
    event_init(ev, kind);
    ev->access = m->op.access;
    ev->kernel = m->op.kernel_mode;
    ev->pid = m->procs[m->acc.proc].pid;
    ev->va = m->op.va;
    ev->vpn = vm_op_vpn(m);
}

void vm_format_detail(struct event *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->detail, sizeof ev->detail, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* stopping: the host refused, or a stated limit                      */

void vm_host_failure(struct machine *m, const char *what)
{
    if (!m->host_error[0])
        snprintf(m->host_error, sizeof m->host_error,
                 HOST_REFUSAL " for %s: the run cannot go on faithfully "
                 "(expected a smaller machine or run, or more memory)", what);
    m->phase = PH_IDLE;
}

void vm_limit_reached(struct machine *m, const char *what)
{
    if (!m->host_error[0])
        snprintf(m->host_error, sizeof m->host_error,
                 "%.100s, a limit of vmviz-scenario(5): the run stops here (expected "
                 "accesses spread over fewer tables, or fewer index bits per level)", what);
    m->phase = PH_IDLE;
}

void vm_table_not_made(struct machine *m, enum pagetable_outcome why)
{
    if (why == PAGETABLE_OVER_LIMIT) {
        uint64_t cap = m->pt.max_bytes;
        bool mib = cap && cap % (UINT64_C(1) << 20) == 0;
        char what[120];
        snprintf(what, sizeof what,
                 "one more page table would take the machine's page tables past %llu %s",
                 (unsigned long long)(mib ? cap >> 20 : cap >> 10), mib ? "MiB" : "KiB");
        vm_limit_reached(m, what);
    } else {
        vm_host_failure(m, "a page table");
    }
}

uint64_t vm_tables_needed(const struct machine *m, uint32_t root, uint64_t start, uint64_t end)
{
    const struct geometry *g = &m->cfg.geo;
    uint64_t n = 0;
    /* Per level below the root: one table for each region of its size the
     * range touches that the walk cannot reach yet. */
    for (unsigned l = 1; l < g->levels; l++) {
        unsigned shift = geometry_level_shift(g, l - 1);
        for (uint64_t r = start >> shift; r <= (end - 1) >> shift; r++) {
            uint64_t va = r << shift;
            struct walk_result w = pagetable_walk(&m->pt, g, root, va < start ? start : va);
            if (w.level < l)
                n++;
        }
    }
    return n;
}

bool vm_new_table(struct machine *m, uint32_t frame, unsigned level)
{
    enum pagetable_outcome made = pagetable_create(&m->pt, &m->cfg.geo, frame, level);
    if (made == PAGETABLE_MADE)
        return true;
    vm_table_not_made(m, made);
    return false;
}

uint32_t vm_take_table(struct machine *m, uint32_t pid, unsigned level)
{
    uint32_t t = frames_take(&m->pool, FRAME_TABLE);
    if (t == FRAMES_REFUSED)
        vm_host_failure(m, "the frame pool");
    if (t == VM_NO_FRAME || t == FRAMES_REFUSED)
        return t;
    if (!vm_new_table(m, t, level)) {
        frames_release(&m->pool, t);
        return FRAMES_REFUSED;
    }
    struct frame *tf = frames_edit(&m->pool, t);
    tf->table_level = (int8_t)level;
    tf->owner_pid = pid;
    tf->refcount = 1;
    m->counters.table_allocs++;
    return t;
}

uint32_t vm_build_path(struct machine *m, struct process *p, uint64_t va, uint64_t *made)
{
    for (;;) {
        struct walk_result w = machine_walk(m, p, va);
        if (w.complete)
            return 0;
        uint32_t t = vm_take_table(m, p->pid, w.level + 1);
        if (t == VM_NO_FRAME || t == FRAMES_REFUSED)
            return t;
        *w.slot = pte_make(t, PTE_TABLE_FLAGS);
        (*made)++;
    }
}

const char *machine_host_error(const struct machine *m)
{
    return m->host_error[0] ? m->host_error : NULL;
}

/* ------------------------------------------------------------------ */
/* the phase table (machine.h) and the queries on the phase           */

static const char *const phase_names[] = {
#define PHASE_NAME(id, text) "PH_" #id,
    MACHINE_PHASE_LIST(PHASE_NAME)
#undef PHASE_NAME
};

static const char *const phase_texts[] = {
#define PHASE_TEXT(id, text) text,
    MACHINE_PHASE_LIST(PHASE_TEXT)
#undef PHASE_TEXT
};

const char *machine_phase_name(enum machine_phase phase)
{
    return (unsigned)phase < PH_COUNT ? phase_names[phase] : "?";
}

const char *machine_phase_text(enum machine_phase phase)
{
    return (unsigned)phase < PH_COUNT ? phase_texts[phase] : "?";
}

#define PHASE_BIT(id) (UINT32_C(1) << PH_##id)

/* MACHINE_STEP_TABLE as data: step_next[phase][event] has a bit for every
 * phase a step of that phase may leave the machine in after emitting that
 * event ([phase][EV_SILENT]: after emitting nothing). A (phase, event) pair
 * listed twice does not compile (-Woverride-init). */
static const uint32_t step_next[PH_COUNT][EV_COUNT + 1] = {
#define STEP_ROW(from, event, next) [PH_##from][EV_##event] = (next),
    MACHINE_STEP_TABLE(STEP_ROW, PHASE_BIT)
#undef STEP_ROW
};

/* MACHINE_ANY_STEP as data: for any phase but PH_IDLE. */
static const uint32_t any_step_next[EV_COUNT] = {
#define ANY_ROW(event, next) [EV_##event] = (next),
    MACHINE_ANY_STEP(ANY_ROW, PHASE_BIT)
#undef ANY_ROW
};

/* True when the table lets the step of phase `handled` emit ev and leave
 * the machine in phase `to` (no SILENT phase on the way). */
static bool step_in_table(enum machine_phase handled, enum event_kind ev, enum machine_phase to)
{
    uint32_t to_bit = UINT32_C(1) << to;
    if (handled != PH_IDLE && (any_step_next[ev] & to_bit))
        return true;
    return (step_next[handled][ev] & to_bit) != 0;
}

bool machine_step_allowed(enum machine_phase from, enum event_kind ev, enum machine_phase to)
{
    if ((unsigned)from >= PH_COUNT || (unsigned)to >= PH_COUNT || (unsigned)ev >= EV_COUNT)
        return false;
    /* The phases whose step may run in this machine_step: from, and those
     * that SILENT steps lead to. */
    uint32_t pending = UINT32_C(1) << from, seen = 0;
    while (pending) {
        unsigned p = 0;
        while (!(pending >> p & 1))
            p++;
        pending &= ~(UINT32_C(1) << p);
        seen |= UINT32_C(1) << p;
        if (step_in_table((enum machine_phase)p, ev, to))
            return true;
        pending |= step_next[p][EV_SILENT] & ~seen;
    }
    return false;
}

enum machine_phase machine_next_phase(const struct machine *m)
{
    return m->phase;
}

bool machine_in_access(const struct machine *m)
{
    return m->phase != PH_IDLE && m->op.kind == OP_ACCESS;
}

const struct op *machine_current_op(const struct machine *m)
{
    return &m->op;
}

bool machine_evicting(const struct machine *m, uint32_t *victim)
{
    if (m->phase != PH_EVICT_SAVE && m->phase != PH_EVICT_UNMAP &&
        m->phase != PH_EVICT_SHOOTDOWN)
        return false;
    if (victim)
        *victim = m->acc.victim;
    return true;
}

/* ------------------------------------------------------------------ */
/* driving                                                            */

bool machine_busy(const struct machine *m)
{
    return m->phase != PH_IDLE;
}

bool machine_begin(struct machine *m, const struct op *op)
{
    if (m->phase != PH_IDLE || m->host_error[0])
        return false;
    m->op = *op;
    vm_forget_leaf(m);
    memset(&m->acc, 0, sizeof m->acc);
    m->acc.victim = VM_NO_FRAME;
    m->acc.victim_slot = m->acc.slot = VM_NO_SLOT;
    m->acc.tlb_index = -1;
    m->acc.span_shift = (uint8_t)m->cfg.geo.page_shift;
    struct process *p = op->pid ? machine_process(m, op->pid) : machine_running(m);
    if (!p) {
        /* Reported by the first step. */
        m->acc.proc = VM_NO_PROC;
        m->phase = PH_SIMPLE;
        return true;
    }
    m->acc.proc = (uint32_t)(p - m->procs);
    m->phase = op->kind == OP_ACCESS ? PH_BEGIN : PH_SIMPLE;
    return true;
}

/* The event that says the machine stopped: its detail names the kind of
 * stop in a whole sentence; machine_host_error has the full reason. */
static void stopped_event(const struct machine *m, struct event *ev)
{
    event_init(ev, EV_OP_FAILED);
    bool host = strncmp(m->host_error, HOST_REFUSAL, sizeof HOST_REFUSAL - 1) == 0;
    snprintf(ev->detail, sizeof ev->detail, "%s",
             host ? "the machine stops: the host refused memory it needed"
                  : "the machine stops: a limit of vmviz-scenario(5) was reached");
}

/* The step of the current phase, after any phases that emit nothing
 * (SILENT in MACHINE_STEP_TABLE); returns the phase whose step emitted
 * (for the table's check). The one dispatch of machine_step and of
 * quiet_step (machine_run_op's). */
static enum machine_phase run_phase(struct machine *m, struct event *ev)
{
    enum machine_phase handled = m->phase;
    for (;;) {
        handled = m->phase;
        switch (m->phase) {
        case PH_IDLE: break;
        case PH_BEGIN: vm_step_begin(m, ev); break;
        case PH_GP: vm_step_gp(m, ev); break;
        case PH_GP_SIGNAL: vm_step_gp_signal(m, ev); break;
        case PH_TLB: vm_step_tlb(m, ev); break;
        case PH_WALK: vm_step_walk(m, ev); break;
        case PH_FAULT: vm_step_fault(m, ev); break;
        case PH_CLASSIFY: vm_step_classify(m, ev); break;
        case PH_TABLES:
            vm_step_tables(m);
            continue; /* emits nothing: the next step does the work */
        case PH_NEED_FRAME: vm_step_need_frame(m, ev); break;
        case PH_EVICT_SAVE: vm_step_evict_save(m, ev); break;
        case PH_EVICT_UNMAP: vm_step_evict_unmap(m, ev); break;
        case PH_EVICT_SHOOTDOWN:
            if (!vm_step_evict_shootdown(m, ev))
                continue;
            break;
        case PH_INSTALL_TABLE: vm_step_install_table(m, ev); break;
        case PH_HUGE_ALLOC: vm_step_huge_alloc(m, ev); break;
        case PH_LOAD: vm_step_load(m, ev); break;
        case PH_PTE: vm_step_pte(m, ev); break;
        case PH_RETURN: vm_step_return(m, ev); break;
        case PH_FILL: vm_step_fill(m, ev); break;
        case PH_DONE: vm_step_done(m, ev); break;
        case PH_SIMPLE: vm_step_simple(m, ev); break;
        case PH_SWITCH_FLUSH: vm_step_switch_flush(m, ev); break;
        case PH_COUNT: break;
        }
        return handled;
    }
}

bool machine_step(struct machine *m, struct event *ev)
{
    if (m->host_error[0]) {
        stopped_event(m, ev);
        return false;
    }
    if (m->phase == PH_IDLE) {
        event_init(ev, EV_OP_FAILED);
        snprintf(ev->detail, sizeof ev->detail, "no operation in progress");
        return false;
    }
    m->steps++;
    if (m->acc.proc == VM_NO_PROC || !m->procs[m->acc.proc].alive) {
        machine_process_gone(m, m->acc.proc != VM_NO_PROC ? m->procs[m->acc.proc].pid : m->op.pid,
                             ev);
        ev->va = m->op.va;
        m->phase = PH_IDLE;
        return false;
    }
    /* No operation needs anywhere near this many steps; stopping here turns
     * a defect into a visible failure instead of a hang. */
    if (++m->acc.op_steps > MACHINE_MAX_OP_STEPS) {
        event_init(ev, EV_OP_FAILED);
        snprintf(ev->detail, sizeof ev->detail, "the operation did not finish in %d steps",
                 MACHINE_MAX_OP_STEPS);
        m->phase = PH_IDLE;
        return false;
    }
    enum machine_phase handled = run_phase(m, ev);
    if (m->policy.refused)
        vm_host_failure(m, "the replacement policy's lists");
    if (m->host_error[0]) {
        /* The host refused memory during this step (or a stated limit was
         * reached): whatever the step was doing is not a simulated
         * outcome. */
        stopped_event(m, ev);
        m->phase = PH_IDLE;
    }
    /* The step did what the table says a step of its phase may do. */
    assert(step_in_table(handled, ev->kind, m->phase));
    (void)handled;
    return m->phase != PH_IDLE;
}

/* One micro-step inside machine_run_op, with machine_step's effects: the
 * cases where a step fails or the machine stops (a host error standing,
 * nothing in progress, the process gone, the operation at its step limit)
 * are machine_step's own; the rest skips the events only it reads. */
static bool quiet_step(struct machine *m, struct event *ev)
{
    if (m->host_error[0] || m->phase == PH_IDLE || m->acc.proc == VM_NO_PROC ||
        !m->procs[m->acc.proc].alive || m->acc.op_steps >= MACHINE_MAX_OP_STEPS)
        return machine_step(m, ev);
    m->steps++;
    m->acc.op_steps++;
    run_phase(m, ev);
    return vm_quiet_step_done(m);
}

uint64_t machine_run_op(struct machine *m, const struct op *op)
{
    /* Short cuts for the common cases (mmu.c): an access whose translation
     * is in the TLB and allows it (three micro-steps), and one whose walk
     * finds it present and allowed. */
    uint64_t n = vm_fast_access(m, op);
    m->steps += n;
    if (n && m->phase == PH_IDLE) {
        vm_quiet_step_done(m);
        return n;
    }
    /* From the start, or from the fault a fast walk ran into. */
    struct event ev;
    if (n == 0 && !machine_begin(m, op))
        return 0;
    m->quiet = true;
    for (;;) {
        /* A common fault's handler runs whole (fault.c). */
        uint64_t handled = vm_fast_fault(m);
        n += handled;
        if (handled && m->phase == PH_IDLE)
            break;
        /* The restart after a fault handler returned misses the TLB (the
         * fault dropped its entry): its walk is taken at once too. */
        uint64_t walked =
            m->phase == PH_RETURN || m->phase == PH_TLB ? vm_fast_tlb_miss(m) : 0;
        if (walked) {
            n += walked;
            m->steps += walked;
            if (vm_quiet_step_done(m))
                continue;
            break;
        }
        n++;
        if (!quiet_step(m, &ev))
            break;
    }
    m->quiet = false;
    return n;
}
