/* The micro-step state machine. See machine.h for the sequence of events;
 * each case of machine_step() below is one micro-step and sets the phase of
 * the next one. */
#include "vm/machine.h"
#include "vm/machine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/pte.h"
#include "vm/rng.h"

/* What every "out of memory on the host" error of the setup expects. */
#define HOST_OOM_EXPECTED " (expected a smaller machine or scenario, or more memory)"

#define NONE EV_NONE

/* ------------------------------------------------------------------ */
/* configuration                                                        */

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
    if (c->fault_around > 512 || c->readahead > 512) {
        snprintf(why, why_len, "fault_around is %u and readahead %u pages (expected 0 to 512 each)",
                 c->fault_around, c->readahead);
        return false;
    }
    if (c->policy >= POLICY_COUNT) {
        snprintf(why, why_len, "unknown policy (expected one of the policies of vmviz(1))");
        return false;
    }
    /* A table frame's entries must fit the frame numbers of the pool; and
     * no frame number reaches FRAMES_REFUSED or UINT32_MAX. */
    if ((uint64_t)c->frames + c->table_frames > (UINT64_C(1) << 32) - 2) {
        snprintf(why, why_len,
                 "%u frames and %u table frames are too many in all (expected fewer than 2^32 "
                 "together)", c->frames, c->table_frames);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* the policy's view of the machine                                     */

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

static uint64_t vpn_va(const struct machine *m, uint64_t vpn)
{
    return vpn << m->cfg.geo.page_shift;
}

struct process *machine_process(const struct machine *m, uint32_t pid)
{
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return &m->procs[i];
    return NULL;
}

struct process *machine_running(const struct machine *m)
{
    return m->nprocs ? &m->procs[m->current] : NULL;
}

struct walk_result machine_walk(const struct machine *m, const struct process *p, uint64_t va)
{
    return pagetable_walk(&m->pt, &m->cfg.geo, p->root, va);
}

/* The leaf entry mapping (pid, vpn), or NULL. */
static uint64_t *leaf_entry(const struct machine *m, uint32_t pid, uint64_t vpn)
{
    const struct process *p = machine_process(m, pid);
    if (!p || !p->alive)
        return NULL;
    struct walk_result w = machine_walk(m, p, vpn_va(m, vpn));
    return w.complete ? w.slot : NULL;
}

uint64_t machine_translate(const struct machine *m, const struct process *p, uint64_t va)
{
    struct walk_result w = machine_walk(m, p, va);
    if (!w.complete || !pte_present(*w.slot))
        return UINT64_MAX;
    uint64_t span = geometry_level_span(&m->cfg.geo, w.level);
    return (uint64_t)pte_frame(*w.slot) * vm_page_size(m) + (va & (span - 1));
}

bool machine_frame_referenced(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    for (uint32_t i = 0; i < f->nmaps; i++) {
        uint64_t *e = leaf_entry(m, f->maps[i].pid, f->maps[i].vpn);
        if (e && (*e & PTE_ACCESSED))
            return true;
    }
    return false;
}

bool machine_frame_dirty(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (f->dirty)
        return true;
    for (uint32_t i = 0; i < f->nmaps; i++) {
        uint64_t *e = leaf_entry(m, f->maps[i].pid, f->maps[i].vpn);
        if (e && (*e & PTE_DIRTY))
            return true;
    }
    return false;
}

static void clear_referenced(struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    for (uint32_t i = 0; i < f->nmaps; i++) {
        uint64_t *e = leaf_entry(m, f->maps[i].pid, f->maps[i].vpn);
        if (!e)
            continue;
        *e &= ~PTE_ACCESSED;
        /* As ptep_clear_flush_young: the cached translation goes too, so
         * the next access walks the table and sets Accessed again. */
        struct process *p = machine_process(m, f->maps[i].pid);
        tlb_invalidate(&m->tlb, p->asid, vpn_va(m, f->maps[i].vpn));
    }
}

/* Whether evicting the frame needs a swap slot. */
static bool needs_swap(const struct machine *m, uint32_t frame)
{
    return frames_at(&m->pool, frame)->kind == FRAME_ANON && machine_frame_dirty(m, frame);
}

static bool frame_evictable(const struct machine *m, uint32_t frame)
{
    const struct frame *f = frames_at(&m->pool, frame);
    if (f->kind != FRAME_ANON && f->kind != FRAME_FILE)
        return false;
    /* The page being copied is pinned, as the kernel holds a reference. */
    if (m->phase != PH_IDLE && m->acc.fault_kind == FAULT_COW && m->acc.cow_source == frame)
        return false;
    if (needs_swap(m, frame) && m->swap.used >= m->swap.nslots)
        return false;
    return true;
}

static bool host_referenced(void *ctx, uint32_t frame)
{
    return machine_frame_referenced(ctx, frame);
}

static void host_clear_referenced(void *ctx, uint32_t frame)
{
    clear_referenced(ctx, frame);
}

static bool host_dirty(void *ctx, uint32_t frame)
{
    return machine_frame_dirty(ctx, frame);
}

static bool host_evictable(void *ctx, uint32_t frame)
{
    return frame_evictable(ctx, frame);
}

static struct policy_host policy_host(struct machine *m)
{
    return (struct policy_host){
        .ctx = m,
        .referenced = host_referenced,
        .clear_referenced = host_clear_referenced,
        .dirty = host_dirty,
        .evictable = host_evictable,
    };
}

size_t machine_policy_order(const struct machine *m, uint32_t *out, size_t max, size_t *first_len)
{
    return m->policy.ops->order(&m->policy, out, max, first_len);
}

/* ------------------------------------------------------------------ */
/* life cycle                                                           */

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
    m->zero_frame = NONE;
    if (!m->procs || !m->objects) {
        machine_destroy(m);
        snprintf(why, why_len, "out of memory on the host for the machine (expected fewer "
                               "frames, swap slots or TLB entries)");
        return NULL;
    }
    /* Below the top of user space, leaving room for a stack, as Linux's
     * mmap_base does (TASK_SIZE minus a stack gap). */
    uint64_t top = cfg->geo.user_top;
    uint64_t gap = top / 1024;
    if (gap > (UINT64_C(128) << 20))
        gap = UINT64_C(128) << 20;
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
    digest_u64(&h, m->huge_pages);
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
        digest_u64(&h, p->asid | (uint64_t)p->alive << 16);
        digest_u64(&h, p->root);
        digest_u64(&h, p->resident);
        digest_u64(&h, p->swapped);
        for (uint32_t a = 0; a < p->nareas; a++) {
            const struct area *ar = &p->areas[a];
            digest_u64(&h, ar->start);
            digest_u64(&h, ar->end);
            digest_u64(&h, ar->prot | (uint64_t)ar->kind << 8 | (uint64_t)ar->shared << 16 |
                               (uint64_t)ar->textbook << 17 | (uint64_t)ar->huge << 18 |
                               (uint64_t)ar->global << 19 | (uint64_t)ar->object << 32);
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
    uint32_t root = frames_take(&m->pool, FRAME_TABLE);
    if (root == FRAMES_REFUSED) {
        vm_host_failure(m, "the frame pool");
        snprintf(why, why_len, "out of memory on the host for the root page table of pid %u"
                               HOST_OOM_EXPECTED,
                 pid);
        return false;
    }
    if (root == UINT32_MAX) {
        snprintf(why, why_len,
                 "no free frame for the root page table of pid %u (expected more frames%s)", pid,
                 m->pool.table_frames ? " kept for tables" : "");
        return false;
    }
    enum pagetable_outcome made = pagetable_create(&m->pt, &m->cfg.geo, root, 0);
    if (made != PAGETABLE_MADE) {
        frames_release(&m->pool, root);
        /* The machine stops: a fork during the run ends there. */
        vm_table_not_made(m, made);
        if (made == PAGETABLE_OVER_LIMIT)
            snprintf(why, why_len, "%s", machine_host_error(m));
        else
            snprintf(why, why_len, "out of memory on the host for the root page table of pid %u"
                               HOST_OOM_EXPECTED,
                     pid);
        return false;
    }
    struct frame *f = frames_edit(&m->pool, root);
    f->table_level = 0;
    f->owner_pid = pid;
    f->refcount = 1;
    if (!asid)
        asid = free_asid(m);
    struct process *p = &m->procs[m->nprocs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->asid = asid;
    p->alive = true;
    p->root = root;
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    m->counters.table_allocs++;
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
                 "area '%s' ends at 0x%llx, beyond user space (expected below 0x%llx)", a->name,
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
    a->object = NONE;
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
    return NONE;
}

/* Undoes a file being added: its cached frames go back to the pool and
 * the object is forgotten (it is the last one). */
static void forget_file(struct machine *m, uint32_t id)
{
    struct vm_object *o = &m->objects[id];
    for (uint64_t page = object_next_page(o, 0); page < o->pages;
         page = object_next_page(o, page + 1)) {
        uint32_t frame = object_frame(o, page);
        if (frame == UINT32_MAX)
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
    if (m->nobjects >= MACHINE_MAX_OBJECTS || machine_find_object(m, name) != NONE ||
        pages == 0 || pages > (UINT64_C(1) << 32)) {
        snprintf(why, why_len, "file '%s' %s", name,
                 pages == 0 || pages > (UINT64_C(1) << 32)
                     ? "has a size out of range (expected 1 byte to 2^32 pages)"
                 : machine_find_object(m, name) != NONE ? "is declared twice (expected unique names)"
                                                       : "is one file too many (expected at most 64)");
        return NONE;
    }
    struct vm_object *o = &m->objects[m->nobjects];
    if (!object_init(o, name, pages, false)) {
        snprintf(why, why_len, "out of memory on the host for file '%s' of %llu pages" HOST_OOM_EXPECTED, name,
                 (unsigned long long)pages);
        return NONE;
    }
    uint32_t id = m->nobjects++;
    uint64_t n = all_cached ? pages : ncached;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t page = all_cached ? i : cached[i];
        if (page >= pages) {
            snprintf(why, why_len, "cached page %llu is beyond file '%s' (expected below %llu)",
                     (unsigned long long)page, name, (unsigned long long)pages);
            forget_file(m, id);
            return NONE;
        }
        if (object_frame(o, page) != UINT32_MAX)
            continue;
        uint32_t frame = frames_take(&m->pool, FRAME_FILE);
        if (frame == FRAMES_REFUSED) {
            snprintf(why, why_len, "out of memory on the host for the frame pool" HOST_OOM_EXPECTED);
            forget_file(m, id);
            return NONE;
        }
        if (frame == UINT32_MAX) {
            snprintf(why, why_len, "no free frame to cache page %llu of '%s' (expected fewer "
                                   "cached pages than frames)",
                     (unsigned long long)page, name);
            forget_file(m, id);
            return NONE;
        }
        struct frame *f = frames_edit(&m->pool, frame);
        f->object = id;
        f->object_page = page;
        if (!object_set(o, page, (uint64_t)frame + 1)) {
            frames_release(&m->pool, frame);
            snprintf(why, why_len, "out of memory on the host for the page cache of '%s'" HOST_OOM_EXPECTED,
                     name);
            forget_file(m, id);
            return NONE;
        }
        m->policy.ops->loaded(&m->policy, frame);
        if (m->policy.refused) {
            snprintf(why, why_len,
                     "out of memory on the host for the replacement policy's lists" HOST_OOM_EXPECTED);
            forget_file(m, id);
            return NONE;
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
    return true;
}

void machine_set_future(struct machine *m, const uint64_t *next_use, uint64_t len)
{
    m->future_next = next_use;
    m->future_len = len;
}

/* ------------------------------------------------------------------ */
/* helpers of the micro-steps                                           */

struct process *vm_op_process(struct machine *m)
{
    return &m->procs[m->acc.proc];
}

static uint64_t op_vpn(const struct machine *m)
{
    return geometry_vpn(&m->cfg.geo, m->op.va);
}

static void event_for_access(const struct machine *m, struct event *ev, enum event_kind kind)
{
    event_init(ev, kind);
    ev->access = m->op.access;
    ev->pid = m->procs[m->acc.proc].pid;
    ev->va = m->op.va;
    ev->vpn = op_vpn(m);
}

static uint8_t fault_code_for(enum access_kind access, bool present)
{
    uint8_t code = FAULT_CODE_USER;
    if (present)
        code |= FAULT_CODE_PROTECTION;
    if (access == ACCESS_WRITE)
        code |= FAULT_CODE_WRITE;
    if (access == ACCESS_EXEC)
        code |= FAULT_CODE_FETCH;
    return code;
}

/* The entry an access needs, or the reason the entry forbids it. */
static bool entry_permits(uint64_t e, enum access_kind access)
{
    if (access == ACCESS_WRITE && !(e & PTE_WRITABLE))
        return false;
    if (access == ACCESS_EXEC && (e & PTE_NX))
        return false;
    return true;
}

/* What the fault handler lets an area do (arch/x86/mm/fault.c,
 * access_error): a write needs PROT_W, a fetch PROT_X, and a read any
 * access at all - x86 has no page that can be written or executed but not
 * read (without protection keys), so Linux lets -w- and --x areas be read. */
static bool area_permits(const struct area *a, enum access_kind access)
{
    switch (access) {
    case ACCESS_READ: return (a->prot & (PROT_R | PROT_W | PROT_X)) != 0;
    case ACCESS_WRITE: return (a->prot & PROT_W) != 0;
    case ACCESS_EXEC: return (a->prot & PROT_X) != 0;
    }
    return false;
}

/* Removes (pid, vpn)'s translation from the TLB; true when one was there. */
static bool shootdown(struct machine *m, uint32_t pid, uint64_t vpn, int *index)
{
    struct process *p = machine_process(m, pid);
    int i = p ? tlb_invalidate(&m->tlb, p->asid, vpn_va(m, vpn)) : -1;
    if (index)
        *index = i;
    return i >= 0;
}

/* Drops one page of a process: the frame loses that mapping (and is freed
 * when it was the last), or the swap slot is released. Used by munmap and
 * exit. */
static void drop_page(struct machine *m, struct process *p, uint64_t *slot, uint64_t vpn)
{
    uint64_t e = *slot;
    if (pte_holds_frame(e)) {
        uint32_t frame = pte_frame(e);
        struct frame *f = frames_edit(&m->pool, frame);
        if (f->compound == FRAME_HEAD) {
            /* A huge page goes as a whole (Linux would split it first when
             * only part of it is unmapped). */
            uint64_t n = vm_huge_pages(m);
            frames_rmap_remove(&m->pool, frame, p->pid, vpn);
            p->resident -= n;
            for (uint64_t i = 0; i < n; i++)
                frames_release(&m->pool, frame + (uint32_t)i);
            m->huge_pages--;
        } else if (f->kind != FRAME_ZERO) {
            /* Dirt in the entry belongs to the cached page from now on. */
            if (f->object != NONE && (e & PTE_DIRTY))
                f->dirty = true;
            frames_rmap_remove(&m->pool, frame, p->pid, vpn);
            p->resident--;
            /* A page-cache page stays cached when its last mapping goes. */
            if (f->refcount == 0 && f->object == NONE) {
                m->policy.ops->freed(&m->policy, frame);
                frames_release(&m->pool, frame);
            }
        }
    } else if (pte_is_swap(e)) {
        swap_release(&m->swap, pte_slot(e));
        p->swapped--;
    }
    *slot = 0;
}

/* Calls fn for every non-empty leaf entry of p in [start, end), skipping
 * the ranges whose tables were never built. */
void vm_visit_pages(struct machine *m, struct process *p, uint64_t start, uint64_t end,
                        void (*fn)(struct machine *m, struct process *p, uint64_t *slot,
                                   uint64_t va, void *ctx),
                        void *ctx)
{
    uint64_t psize = vm_page_size(m);
    for (uint64_t va = start; va < end && va >= start;) {
        struct walk_result w = machine_walk(m, p, va);
        uint64_t next = va + psize;
        if (w.complete && *w.slot) {
            bool huge = pte_holds_frame(*w.slot) && (*w.slot & PTE_HUGE);
            fn(m, p, w.slot, va, ctx);
            if (huge) {
                uint64_t span = geometry_level_span(&m->cfg.geo, w.level);
                uint64_t skip = (va & ~(span - 1)) + span;
                if (skip > va)
                    next = skip;
            }
        } else if (!w.complete && w.slot) {
            uint64_t span = geometry_level_span(&m->cfg.geo, w.level);
            uint64_t skip = (va & ~(span - 1)) + span;
            if (skip > va)
                next = skip;
        }
        if (next <= va)
            break;
        va = next;
    }
}

void vm_drop_visited(struct machine *m, struct process *p, uint64_t *slot, uint64_t va,
                         void *ctx)
{
    uint64_t *count = ctx;
    if (count && pte_holds_frame(*slot))
        *count += (*slot & PTE_HUGE) ? vm_huge_pages(m) : 1;
    drop_page(m, p, slot, geometry_vpn(&m->cfg.geo, va));
}

static void free_table(void *ctx, uint32_t frame)
{
    struct machine *m = ctx;
    pagetable_release(&m->pt, frame);
    frames_release(&m->pool, frame);
}

/* Tears down a whole address space: exit, or the OOM killer. */
void vm_release_process(struct machine *m, struct process *p)
{
    for (uint32_t a = 0; a < p->nareas; a++)
        vm_visit_pages(m, p, p->areas[a].start, p->areas[a].end, vm_drop_visited, NULL);
    pagetable_for_each_table(&m->pt, &m->cfg.geo, p->root, free_table, m);
    /* Its global entries go too: the frames behind them are free now. */
    tlb_flush_asid(&m->tlb, p->asid, true);
    process_free_areas(p);
    p->alive = false;
    p->resident = 0;
    p->swapped = 0;
}

/* ------------------------------------------------------------------ */
/* the access micro-steps                                               */

static void step_begin(struct machine *m, struct event *ev)
{
    event_for_access(m, ev, EV_ACCESS_BEGIN);
    m->counters.accesses++;
    switch (m->op.access) {
    case ACCESS_READ: m->counters.reads++; break;
    case ACCESS_WRITE: m->counters.writes++; break;
    case ACCESS_EXEC: m->counters.execs++; break;
    }
    if (!geometry_va_valid(&m->cfg.geo, m->op.va)) {
        /* Non-canonical or beyond the VA width: no table can map it. */
        m->acc.fault_code = fault_code_for(m->op.access, false);
        m->phase = PH_FAULT;
        return;
    }
    m->phase = PH_TLB;
}

/* The page sizes a lookup tries: the base page, and the huge page size
 * while any huge page is mapped. */
static unsigned tlb_spans(const struct machine *m, unsigned spans[2])
{
    spans[0] = m->cfg.geo.page_shift;
    if (m->huge_pages == 0)
        return 1;
    spans[1] = geometry_level_shift(&m->cfg.geo, (unsigned)m->cfg.geo.huge_level);
    return 2;
}

static void step_tlb(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    unsigned spans[2];
    unsigned nspans = tlb_spans(m, spans);
    unsigned span = spans[0];
    int i = tlb_lookup(&m->tlb, p->asid, m->op.va, spans, nspans);
    if (i >= 0) {
        m->acc.span_shift = m->tlb.entries[i].span_shift;
        event_for_access(m, ev, EV_TLB_HIT);
        ev->index = (uint32_t)i / m->tlb.ways;
        ev->way = (uint32_t)i % m->tlb.ways;
        ev->frame = m->tlb.entries[i].frame;
        m->counters.tlb_hits++;
        m->acc.tlb_index = i;
        const struct tlb_entry *t = &m->tlb.entries[i];
        bool allowed = !(m->op.access == ACCESS_WRITE && !t->writable) &&
                       !(m->op.access == ACCESS_EXEC && t->nx);
        if (allowed) {
            m->acc.frame = t->frame;
            m->phase = PH_DONE;
        } else {
            m->acc.fault_code = fault_code_for(m->op.access, true);
            m->phase = PH_FAULT;
        }
        return;
    }
    event_for_access(m, ev, EV_TLB_MISS);
    ev->index = tlb_set_of(&m->tlb, m->op.va, span);
    if (nspans > 1)
        ev->huge_set = tlb_set_of(&m->tlb, m->op.va, spans[1]);
    m->counters.tlb_misses++;
    m->counters.page_walks++;
    m->acc.level = 0;
    m->acc.table = p->root;
    m->phase = PH_WALK;
}

static void step_walk(struct machine *m, struct event *ev)
{
    const struct geometry *g = &m->cfg.geo;
    unsigned level = m->acc.level;
    uint64_t index = geometry_index(g, m->op.va, level);
    uint64_t *entries = pagetable_at(&m->pt, m->acc.table);
    uint64_t *slot = &entries[index];
    event_for_access(m, ev, EV_WALK_STEP);
    ev->level = (int)level;
    ev->index = (uint32_t)index;
    ev->frame = m->acc.table;
    if (!pte_present(*slot)) {
        ev->entry = *slot;
        m->acc.fault_code = fault_code_for(m->op.access, false);
        m->phase = PH_FAULT;
        return;
    }
    bool leaf = level + 1 == g->levels || (*slot & PTE_HUGE);
    if (leaf && !entry_permits(*slot, m->op.access)) {
        ev->entry = *slot;
        m->acc.fault_code = fault_code_for(m->op.access, true);
        m->phase = PH_FAULT;
        return;
    }
    /* The MMU sets Accessed in every entry it uses. */
    *slot |= PTE_ACCESSED;
    ev->entry = *slot;
    if (leaf) {
        m->acc.frame = pte_frame(*slot);
        m->acc.span_shift = (uint8_t)geometry_level_shift(g, level);
        m->phase = PH_FILL;
        return;
    }
    m->acc.table = pte_frame(*slot);
    m->acc.level = level + 1;
}

static void step_fault(struct machine *m, struct event *ev)
{
    /* A page fault drops the TLB's entry for the address (SDM 4.10.4.1),
     * so the restarted access sees the entry the handler writes. */
    tlb_invalidate(&m->tlb, vm_op_process(m)->asid, m->op.va);
    event_for_access(m, ev, EV_PAGE_FAULT);
    ev->fault_code = m->acc.fault_code;
    m->phase = PH_CLASSIFY;
}

static void end_with_segfault(struct machine *m, struct event *ev, enum fault_kind kind)
{
    event_for_access(m, ev, EV_SEGFAULT);
    ev->fault_kind = (uint8_t)kind;
    m->counters.segfaults++;
    snprintf(ev->detail, sizeof ev->detail, "%s",
             kind == FAULT_MAPERR ? "no area contains the address"
                                  : "the area's protection forbids this access");
    m->phase = PH_IDLE;
}

/* Gives the faulting page an anonymous area of its own, merged with an
 * adjacent automatic area so that a trace's areas stay few. */
static const struct area *add_auto_area(struct machine *m, struct process *p)
{
    uint64_t psize = vm_page_size(m);
    uint64_t start = m->op.va & ~(psize - 1);
    const char *name = m->op.textbook ? "pages" : "trace";
    struct area *below = start >= psize ? process_find_area(p, start - psize) : NULL;
    struct area *above = process_find_area(p, start + psize);
    if (below && strcmp(below->name, name) == 0 && below->end == start) {
        if (above && strcmp(above->name, name) == 0) {
            uint64_t end = above->end;
            process_remove_range(p, above->start, above->end);
            below = process_find_area(p, start - psize);
            below->end = end;
        } else {
            below->end = start + psize;
        }
        return process_find_area(p, m->op.va);
    }
    if (above && strcmp(above->name, name) == 0 && above->start == start + psize) {
        above->start = start;
        return process_find_area(p, m->op.va);
    }
    struct area a = {.start = start, .end = start + psize, .prot = PROT_R | PROT_W | PROT_X,
                     .object = NONE,
                     .kind = AREA_ANON, .textbook = m->op.textbook};
    snprintf(a.name, sizeof a.name, "%s", name);
    if (!process_add_area(p, &a)) {
        vm_host_failure(m, "an area");
        return NULL;
    }
    return process_find_area(p, m->op.va);
}

static uint64_t object_page_of(const struct machine *m, const struct area *a, uint64_t va)
{
    return (va - a->start + a->file_offset) >> m->cfg.geo.page_shift;
}

/* A fault in a huge area takes a huge page when the aligned huge range
 * around it lies inside the area and no leaf table covers it yet. */
static bool wants_huge(const struct machine *m, const struct area *a, const struct walk_result *w)
{
    const struct geometry *g = &m->cfg.geo;
    if (!a->huge || a->textbook || g->huge_level < 0 || w->complete)
        return false;
    uint64_t span = geometry_level_span(g, (unsigned)g->huge_level);
    uint64_t base = m->op.va & ~(span - 1);
    return base >= a->start && base + span <= a->end && w->level <= (unsigned)g->huge_level;
}

static void step_classify(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    const struct area *a = geometry_va_valid(&m->cfg.geo, m->op.va)
                               ? process_find_area(p, m->op.va) : NULL;
    if (!a && m->op.auto_area && geometry_va_valid(&m->cfg.geo, m->op.va))
        a = add_auto_area(m, p);
    if (!a) {
        end_with_segfault(m, ev, FAULT_MAPERR);
        return;
    }
    if (!area_permits(a, m->op.access)) {
        end_with_segfault(m, ev, FAULT_ACCERR);
        return;
    }
    struct walk_result w = machine_walk(m, p, m->op.va);
    enum fault_kind kind;
    bool major = false;
    m->acc.object = a->object;
    m->acc.private_copy = false;
    if (w.complete && pte_is_swap(*w.slot)) {
        kind = FAULT_SWAP_IN;
        major = true;
        m->acc.slot = pte_slot(*w.slot);
    } else if (w.complete && pte_present(*w.slot)) {
        /* Present, but the entry forbids what the area allows: a write to
         * a read-only copy (after fork, of the zero page, of a file page
         * mapped privately), which copy-on-write resolves. */
        kind = FAULT_COW;
        m->acc.cow_source = pte_frame(*w.slot);
        m->acc.huge = (*w.slot & PTE_HUGE) != 0;
    } else if (a->object != NONE) {
        const struct vm_object *o = &m->objects[a->object];
        uint64_t page = object_page_of(m, a, m->op.va);
        m->acc.object_page = page;
        m->acc.private_copy = !a->shared && m->op.access == ACCESS_WRITE;
        if (object_frame(o, page) != UINT32_MAX) {
            kind = FAULT_FILE_CACHED;
        } else if (object_slot(o, page) != UINT32_MAX) {
            kind = FAULT_SWAP_IN;
            major = true;
            m->acc.slot = object_slot(o, page);
        } else if (o->anonymous) {
            kind = FAULT_ZERO_FILL;
        } else {
            kind = FAULT_FILE_READ;
            major = true;
        }
    } else if (wants_huge(m, a, &w)) {
        /* do_huge_pmd_anonymous_page: the whole aligned range at once. */
        kind = FAULT_ZERO_FILL;
        m->acc.huge = true;
    } else if (m->op.access == ACCESS_READ && !a->textbook) {
        /* do_anonymous_page: a read of untouched memory maps the zero page. */
        kind = FAULT_ZERO_PAGE;
    } else {
        kind = FAULT_ZERO_FILL;
    }
    event_for_access(m, ev, EV_FAULT_CLASSIFIED);
    ev->fault_kind = (uint8_t)kind;
    if (kind == FAULT_SWAP_IN)
        ev->slot = m->acc.slot;
    if (a->object != NONE)
        snprintf(ev->detail, sizeof ev->detail, "area '%s' (%s %s, page %llu)", a->name,
                 a->shared ? "shared" : "private",
                 m->objects[a->object].anonymous ? "anonymous memory" : "file",
                 (unsigned long long)m->acc.object_page);
    else
        snprintf(ev->detail, sizeof ev->detail, "area '%s'", a->name);
    m->acc.fault_kind = (uint8_t)kind;
    m->counters.faults++;
    if (major)
        m->counters.major_faults++;
    else
        m->counters.minor_faults++;
    m->phase = PH_TABLES;
}

/* Sets up the search for a frame of the given kind; `level` is the table
 * level wanted when kind is FRAME_TABLE. */
static void want_frame(struct machine *m, enum frame_kind kind, unsigned level)
{
    m->acc.need_kind = (uint8_t)kind;
    m->acc.need_level = level;
    m->phase = PH_NEED_FRAME;
}

/* After a fault is classified: make sure every table down to the leaf
 * exists (one TABLE_ALLOC per missing level), then get the data frame. This
 * step emits nothing by itself, so it runs inside the step that needs it. */
static bool next_missing_table(struct machine *m)
{
    struct walk_result w = machine_walk(m, vm_op_process(m), m->op.va);
    if (w.complete)
        return false;
    /* A huge page is mapped by the entry at its level: no table below. */
    if (m->acc.huge && w.level == (unsigned)m->cfg.geo.huge_level)
        return false;
    want_frame(m, FRAME_TABLE, w.level + 1);
    return true;
}

static void after_tables(struct machine *m);
static void step_oom(struct machine *m, struct event *ev);
static void finish_eviction(struct machine *m);

static void step_need_frame(struct machine *m, struct event *ev)
{
    enum frame_kind kind = m->acc.need_kind;
    if (frames_have_free(&m->pool, kind)) {
        uint32_t frame = frames_take(&m->pool, kind);
        if (frame == FRAMES_REFUSED || frame == UINT32_MAX) {
            /* A frame is free: only the host can have refused it. */
            vm_host_failure(m, "the frame pool");
            return;
        }
        event_for_access(m, ev, EV_FRAME_ALLOC);
        ev->frame = frame;
        ev->size = 1;
        m->acc.frame = frame;
        if (kind == FRAME_TABLE) {
            ev->level = (int)m->acc.need_level;
            snprintf(ev->detail, sizeof ev->detail, "for a %s page table",
                     geometry_level_name(&m->cfg.geo, (int)m->acc.need_level));
            m->phase = PH_INSTALL_TABLE;
        } else {
            m->phase = PH_LOAD;
        }
        return;
    }
    if (kind == FRAME_TABLE && m->pool.table_frames > 0) {
        step_oom(m, ev);
        return;
    }
    struct policy_host host = policy_host(m);
    char why[96] = "";
    uint32_t victim = m->policy.ops->choose(&m->policy, &host, why, sizeof why);
    if (m->policy.refused) {
        vm_host_failure(m, "the replacement policy's lists");
        return;
    }
    if (victim == UINT32_MAX) {
        step_oom(m, ev);
        return;
    }
    const struct frame *f = frames_at(&m->pool, victim);
    event_for_access(m, ev, EV_VICTIM_CHOSEN);
    ev->victim = victim;
    ev->frame = victim;
    if (f->nmaps) {
        ev->other_pid = f->maps[0].pid;
        ev->other_vpn = f->maps[0].vpn;
    }
    snprintf(ev->detail, sizeof ev->detail, "%s", why);
    m->acc.victim = victim;
    m->acc.victim_map = 0;
    m->acc.victim_slot = NONE;
    m->phase = PH_EVICT_SAVE;
}

static void step_evict_save(struct machine *m, struct event *ev)
{
    uint32_t victim = m->acc.victim;
    struct frame *f = frames_edit(&m->pool, victim);
    uint64_t vpn = f->nmaps ? f->maps[0].vpn : f->object_page;
    uint32_t pid = f->nmaps ? f->maps[0].pid : NONE;
    m->acc.victim_object = f->object;
    if (needs_swap(m, victim)) {
        uint32_t slot = swap_take(&m->swap, pid, vpn);
        if (slot == FRAMES_REFUSED || slot == UINT32_MAX) {
            /* The victim was evictable: a slot is free. */
            vm_host_failure(m, "a swap slot");
            return;
        }
        event_for_access(m, ev, EV_SWAP_OUT);
        ev->slot = slot;
        m->acc.victim_slot = slot;
        m->counters.swap_outs++;
    } else if (f->kind == FRAME_FILE && machine_frame_dirty(m, victim)) {
        event_for_access(m, ev, EV_WRITEBACK);
        m->counters.writebacks++;
        f->dirty = false;
    } else {
        event_for_access(m, ev, EV_PAGE_DROPPED);
    }
    ev->frame = victim;
    ev->victim = victim;
    ev->other_pid = pid;
    ev->other_vpn = vpn;
    if (f->nmaps > 0)
        m->phase = PH_EVICT_UNMAP;
    else
        finish_eviction(m);
}

static void finish_eviction(struct machine *m)
{
    uint32_t victim = m->acc.victim;
    const struct frame *f = frames_at(&m->pool, victim);
    if (m->acc.victim_object != NONE) {
        /* The page cache forgets the frame; shared anonymous memory
         * remembers where in swap its page went. */
        uint64_t slot = m->acc.victim_slot;
        if (!object_set(&m->objects[m->acc.victim_object], f->object_page,
                        slot != NONE ? OBJECT_SWAPPED | slot : 0))
            vm_host_failure(m, "a page-cache map");
    }
    m->counters.evictions++;
    m->policy.ops->freed(&m->policy, victim);
    frames_release(&m->pool, victim);
    want_frame(m, m->acc.need_kind, m->acc.need_level);
}

/* One mapping of the victim is removed per step, through the reverse map. */
static void step_evict_unmap(struct machine *m, struct event *ev)
{
    uint32_t victim = m->acc.victim;
    const struct frame *f = frames_at(&m->pool, victim);
    struct rmap map = f->maps[0];
    uint64_t *e = leaf_entry(m, map.pid, map.vpn);
    struct process *owner = machine_process(m, map.pid);
    event_for_access(m, ev, EV_UNMAPPED);
    ev->frame = victim;
    ev->victim = victim;
    ev->other_pid = map.pid;
    ev->other_vpn = map.vpn;
    /* A private page's entry keeps its swap slot; a page of an object is
     * found again through the object, so its entry is simply cleared. */
    bool swap_entry = m->acc.victim_slot != NONE && m->acc.victim_object == NONE;
    if (e) {
        *e = swap_entry ? pte_make_swap(m->acc.victim_slot) : 0;
        ev->entry = *e;
        ev->slot = m->acc.victim_slot;
    }
    if (swap_entry && m->acc.victim_map++ > 0)
        swap_ref(&m->swap, m->acc.victim_slot);
    frames_rmap_remove(&m->pool, victim, map.pid, map.vpn);
    if (owner) {
        owner->resident--;
        if (swap_entry)
            owner->swapped++;
    }
    m->acc.shootdown_pid = map.pid;
    m->acc.shootdown_va = vpn_va(m, map.vpn);
    m->phase = PH_EVICT_SHOOTDOWN;
}

/* Invalidates the TLB entry of the mapping just removed. When the TLB held
 * none, the step is folded into the next one (nothing to show). */
static bool step_evict_shootdown(struct machine *m, struct event *ev)
{
    uint64_t vpn = geometry_vpn(&m->cfg.geo, m->acc.shootdown_va);
    int index;
    bool had = shootdown(m, m->acc.shootdown_pid, vpn, &index);
    const struct frame *f = frames_at(&m->pool, m->acc.victim);
    if (f->nmaps > 0)
        m->phase = PH_EVICT_UNMAP;
    else
        finish_eviction(m);
    if (!had)
        return false;
    event_for_access(m, ev, EV_TLB_INVALIDATE);
    ev->other_pid = m->acc.shootdown_pid;
    ev->other_vpn = vpn;
    ev->index = (uint32_t)index / m->tlb.ways;
    ev->way = (uint32_t)index % m->tlb.ways;
    ev->victim = m->acc.victim;
    return true;
}

static void step_huge_alloc(struct machine *m, struct event *ev)
{
    uint64_t n = vm_huge_pages(m);
    event_for_access(m, ev, EV_FRAME_ALLOC);
    ev->frame = m->acc.frame;
    ev->size = n;
    snprintf(ev->detail, sizeof ev->detail, "frames %u to %llu, contiguous and aligned",
             m->acc.frame, (unsigned long long)(m->acc.frame + n - 1));
    m->phase = PH_LOAD;
}

static void step_install_table(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    uint32_t frame = m->acc.frame;
    unsigned level = m->acc.need_level;
    struct walk_result w = machine_walk(m, p, m->op.va);
    if (!vm_new_table(m, frame, level))
        return;
    struct frame *f = frames_edit(&m->pool, frame);
    f->table_level = (int8_t)level;
    f->owner_pid = p->pid;
    f->refcount = 1;
    f->loaded_at = m->steps;
    /* Intermediate entries allow everything; the leaf decides. */
    *w.slot = pte_make(frame, PTE_PRESENT | PTE_WRITABLE | PTE_USER);
    m->counters.table_allocs++;
    event_for_access(m, ev, EV_TABLE_ALLOC);
    ev->level = (int)level;
    ev->frame = frame;
    ev->index = (uint32_t)geometry_index(&m->cfg.geo, m->op.va, w.level);
    ev->entry = *w.slot;
    snprintf(ev->detail, sizeof ev->detail, "entry %u of the %s table at frame %u", ev->index,
             geometry_level_name(&m->cfg.geo, (int)w.level), w.table);
    after_tables(m);
}

static void after_tables(struct machine *m)
{
    if (next_missing_table(m))
        return;
    switch ((enum fault_kind)m->acc.fault_kind) {
    case FAULT_COW: {
        const struct frame *src = frames_at(&m->pool, m->acc.cow_source);
        const struct area *a = process_find_area(vm_op_process(m), m->op.va);
        /* A shared mapping writes to the page itself (after fault-around
         * mapped it read-only); a private one copies unless the page is
         * anonymous and no one else maps it. */
        if ((a && a->shared && src->kind != FRAME_ZERO) ||
            (src->kind == FRAME_ANON && src->object == NONE && src->refcount == 1)) {
            /* Nobody else maps it: do_wp_page reuses it without a copy. */
            m->acc.frame = m->acc.cow_source;
            m->phase = PH_LOAD;
            return;
        }
        break;
    }
    case FAULT_FILE_CACHED:
        m->acc.frame = object_frame(&m->objects[m->acc.object], m->acc.object_page);
        if (m->acc.frame == UINT32_MAX) {
            /* Reclaimed while the tables were being allocated: now it must
             * be read from the file after all. */
            m->counters.minor_faults--;
            m->counters.major_faults++;
            m->acc.fault_kind = FAULT_FILE_READ;
            want_frame(m, FRAME_FILE, 0);
            return;
        }
        if (m->acc.private_copy) {
            /* A private write: the cached page is only the source of a copy. */
            m->acc.private_copy = false;
            m->acc.cow_source = m->acc.frame;
            m->acc.fault_kind = FAULT_COW;
            break;
        }
        m->phase = PH_LOAD;
        return;
    case FAULT_FILE_READ:
        want_frame(m, FRAME_FILE, 0);
        return;
    case FAULT_ZERO_PAGE:
        if (m->zero_frame != NONE) {
            m->acc.frame = m->zero_frame;
            m->phase = PH_LOAD;
            return;
        }
        want_frame(m, FRAME_ZERO, 0);
        return;
    default:
        break;
    }
    if (m->acc.huge) {
        uint32_t run = frames_take_run(&m->pool, (uint32_t)vm_huge_pages(m));
        if (run == FRAMES_REFUSED) {
            vm_host_failure(m, "the frame pool");
            return;
        }
        if (run != UINT32_MAX) {
            m->acc.frame = run;
            m->phase = PH_HUGE_ALLOC;
            return;
        }
        /* No contiguous run free: fall back to base pages, as THP does. */
        m->acc.huge = false;
        if (next_missing_table(m))
            return;
    }
    want_frame(m, FRAME_ANON, 0);
}

/* After a read from a file, the pages that follow are read into free
 * frames too (never evicting for it), up to the readahead window. Returns
 * how many. */
static unsigned read_ahead(struct machine *m)
{
    struct vm_object *o = &m->objects[m->acc.object];
    unsigned n = 0;
    for (uint64_t page = m->acc.object_page + 1;
         page < o->pages && n < m->cfg.readahead && frames_have_free(&m->pool, FRAME_FILE);
         page++, n++) {
        if (object_get(o, page))
            break;
        uint32_t frame = frames_take(&m->pool, FRAME_FILE);
        if (frame == FRAMES_REFUSED || frame == UINT32_MAX) {
            vm_host_failure(m, "the frame pool");
            return n;
        }
        struct frame *f = frames_edit(&m->pool, frame);
        f->object = m->acc.object;
        f->object_page = page;
        f->loaded_at = m->steps;
        if (!object_set(o, page, (uint64_t)frame + 1)) {
            vm_host_failure(m, "a page-cache map");
            return n;
        }
        m->policy.ops->loaded(&m->policy, frame);
    }
    return n;
}

/* Puts a freshly loaded frame in its object's page cache. */
static void cache_insert(struct machine *m, uint32_t frame)
{
    struct frame *f = frames_edit(&m->pool, frame);
    f->object = m->acc.object;
    f->object_page = m->acc.object_page;
    f->owner_pid = NONE;
    if (!object_set(&m->objects[m->acc.object], m->acc.object_page, (uint64_t)frame + 1))
        vm_host_failure(m, "a page-cache map");
}

static void step_load(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    uint32_t frame = m->acc.frame;
    struct frame *f = frames_edit(&m->pool, frame);
    uint64_t vpn = op_vpn(m);
    enum fault_kind kind = (enum fault_kind)m->acc.fault_kind;
    bool fresh = true;   /* a frame that just got its content */
    switch (kind) {
    case FAULT_COW:
        if (frame == m->acc.cow_source) {
            event_for_access(m, ev, EV_COW_REUSE);
            ev->frame = frame;
            m->phase = PH_PTE;
            return;
        }
        break;
    case FAULT_FILE_CACHED:
        event_for_access(m, ev, EV_CACHE_HIT);
        ev->frame = frame;
        fresh = false;
        break;
    case FAULT_ZERO_PAGE:
        event_for_access(m, ev, EV_ZERO_PAGE);
        ev->frame = frame;
        if (m->zero_frame == NONE) {
            m->zero_frame = frame;
            f->loaded_at = m->steps;
        }
        m->phase = PH_PTE;
        return;
    default:
        break;
    }
    if (fresh) {
        f->kind = kind == FAULT_FILE_READ ? FRAME_FILE : FRAME_ANON;
        f->owner_pid = p->pid;
        f->loaded_at = m->steps;
        f->dirty = false;
    }
    switch (kind) {
    case FAULT_SWAP_IN:
        event_for_access(m, ev, EV_SWAP_IN);
        ev->slot = m->acc.slot;
        swap_release(&m->swap, m->acc.slot);
        if (m->acc.object != NONE) {
            cache_insert(m, frame);
        } else {
            p->swapped--;
        }
        /* The slot is let go at once, so the page has no other copy. */
        f->dirty = true;
        m->counters.swap_ins++;
        break;
    case FAULT_COW: {
        /* Copy (or, from the zero page, clear), then this process lets go
         * of the original. */
        uint32_t src = m->acc.cow_source;
        const struct frame *from = frames_at(&m->pool, src);
        if (from->kind == FRAME_ZERO) {
            event_for_access(m, ev, EV_ZERO_FILL);
            m->counters.zero_fills++;
        } else {
            event_for_access(m, ev, EV_COW_COPY);
            m->counters.cow_copies++;
            if (from->object != NONE)
                snprintf(ev->detail, sizeof ev->detail, "page %llu of %s '%s'",
                         (unsigned long long)from->object_page,
                         m->objects[from->object].anonymous ? "shared memory" : "file",
                         m->objects[from->object].name);
        }
        ev->victim = src;
        if (from->kind != FRAME_ZERO && frames_rmap_remove(&m->pool, src, p->pid, vpn)) {
            p->resident--;
            if (from->refcount == 0 && from->object == NONE) {
                m->policy.ops->freed(&m->policy, src);
                frames_release(&m->pool, src);
            }
        }
        shootdown(m, p->pid, vpn, NULL);
        break;
    }
    case FAULT_FILE_READ: {
        event_for_access(m, ev, EV_FILE_READ);
        cache_insert(m, frame);
        unsigned ahead = read_ahead(m);
        snprintf(ev->detail, sizeof ev->detail, "%s, page %llu%s%u", m->objects[m->acc.object].name,
                 (unsigned long long)m->acc.object_page, ahead ? "; read ahead: " : "", ahead);
        if (!ahead)
            ev->detail[strlen(ev->detail) - 1] = '\0';
        break;
    }
    case FAULT_FILE_CACHED:
        break;
    default:
        event_for_access(m, ev, EV_ZERO_FILL);
        ev->size = 1;
        m->counters.zero_fills++;
        if (m->acc.object != NONE)
            cache_insert(m, frame);
        break;
    }
    ev->frame = frame;
    if (m->acc.huge) {
        /* Huge pages are never reclaimed here: the policy does not see them. */
        uint64_t n = vm_huge_pages(m);
        for (uint64_t i = 1; i < n; i++)
            frames_edit(&m->pool, frame + (uint32_t)i)->owner_pid = p->pid;
        snprintf(ev->detail, sizeof ev->detail, "a huge page of %llu frames, %u to %llu",
                 (unsigned long long)n, frame, (unsigned long long)(frame + n - 1));
        ev->size = n;
        m->huge_pages++;
        if (!frames_rmap_add(&m->pool, frame, p->pid,
                             geometry_vpn(&m->cfg.geo, m->op.va) & ~(n - 1))) {
            vm_host_failure(m, "a reverse map");
            return;
        }
        p->resident += n;
        m->phase = PH_PTE;
        return;
    }
    if (fresh)
        m->policy.ops->loaded(&m->policy, frame);
    if (m->acc.private_copy) {
        /* A private write to a file page: the cached page is only the
         * source; the process gets its own copy next. */
        m->acc.private_copy = false;
        m->acc.cow_source = frame;
        m->acc.fault_kind = FAULT_COW;
        want_frame(m, FRAME_ANON, 0);
        return;
    }
    if (!frames_rmap_add(&m->pool, frame, p->pid, vpn)) {
        vm_host_failure(m, "a reverse map");
        return;
    }
    p->resident++;
    m->phase = PH_PTE;
}

/* The leaf entry for a frame: writable only where the area allows it and
 * the frame is this process's alone to write (not the zero page, not a
 * cached file page mapped privately, not a copy-on-write original). */
uint64_t vm_leaf_flags(const struct area *a, enum access_kind access, bool may_write)
{
    uint64_t flags = PTE_PRESENT | PTE_USER | PTE_ACCESSED;
    if ((a->prot & PROT_W) && may_write)
        flags |= PTE_WRITABLE;
    if (access == ACCESS_WRITE)
        flags |= PTE_DIRTY;
    if (!(a->prot & PROT_X))
        flags |= PTE_NX;
    if (a->global)
        flags |= PTE_GLOBAL;
    return flags;
}

/* do_fault_around: on a read fault in a file-backed area, the neighbours
 * already in the page cache are mapped too, read-only, within a window of
 * fault_around pages aligned to its size. They all sit in the same leaf
 * table as the faulting page (the window never crosses a table). */
static unsigned fault_around(struct machine *m, struct process *p, const struct area *a,
                             uint64_t *slot)
{
    uint64_t psize = vm_page_size(m);
    uint64_t window = (uint64_t)m->cfg.fault_around * psize;
    uint64_t start = m->op.va & ~(window - 1), end = start + window;
    const struct geometry *g = &m->cfg.geo;
    /* The bytes one leaf table covers: an entry of the level above it. */
    uint64_t span = g->levels >= 2 ? geometry_level_span(g, g->levels - 2) : UINT64_MAX;
    uint64_t table_start = span == UINT64_MAX ? 0 : m->op.va & ~(span - 1);
    uint64_t table_end = span == UINT64_MAX ? UINT64_MAX : table_start + span;
    if (start < a->start)
        start = a->start;
    if (end > a->end)
        end = a->end;
    if (start < table_start)
        start = table_start;
    if (end > table_end)
        end = table_end;
    uint64_t *table = slot - geometry_index(&m->cfg.geo, m->op.va, m->cfg.geo.levels - 1);
    const struct vm_object *o = &m->objects[a->object];
    unsigned mapped = 0;
    for (uint64_t va = start; va < end; va += psize) {
        uint64_t *e = &table[geometry_index(&m->cfg.geo, va, m->cfg.geo.levels - 1)];
        uint32_t frame = object_frame(o, object_page_of(m, a, va));
        if (*e || frame == UINT32_MAX)
            continue;
        if (!frames_rmap_add(&m->pool, frame, p->pid, geometry_vpn(&m->cfg.geo, va))) {
            vm_host_failure(m, "a reverse map");
            return mapped;
        }
        *e = pte_make(frame, vm_leaf_flags(a, ACCESS_READ, false) & ~PTE_ACCESSED);
        p->resident++;
        mapped++;
    }
    return mapped;
}

static void step_pte(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    const struct area *a = process_find_area(p, m->op.va);
    struct walk_result w = machine_walk(m, p, m->op.va);
    const struct frame *f = frames_at(&m->pool, m->acc.frame);
    bool may_write = f->kind != FRAME_ZERO && (f->object == NONE || a->shared);
    if (m->acc.fault_kind == FAULT_COW && m->acc.frame == m->acc.cow_source)
        may_write = true; /* reused: it is ours alone now */
    *w.slot = pte_make(m->acc.frame, vm_leaf_flags(a, m->op.access, may_write) |
                                         (m->acc.huge ? PTE_HUGE : 0));
    event_for_access(m, ev, EV_PTE_UPDATE);
    ev->level = (int)w.level;
    ev->index = (uint32_t)geometry_index(&m->cfg.geo, m->op.va, w.level);
    ev->frame = m->acc.frame;
    ev->entry = *w.slot;
    if (a->object != NONE && m->op.access != ACCESS_WRITE && m->cfg.fault_around > 1) {
        unsigned mapped = fault_around(m, p, a, w.slot);
        if (mapped)
            snprintf(ev->detail, sizeof ev->detail,
                     "fault-around also mapped %u cached neighbour%s read-only", mapped,
                     mapped == 1 ? "" : "s");
    }
    m->phase = PH_RETURN;
}

static void step_return(struct machine *m, struct event *ev)
{
    event_for_access(m, ev, EV_FAULT_RETURN);
    m->acc.restarted = true;
    m->phase = PH_TLB;
}

static void step_fill(struct machine *m, struct event *ev)
{
    struct process *p = vm_op_process(m);
    struct walk_result w = machine_walk(m, p, m->op.va);
    uint64_t e = *w.slot;
    struct tlb_entry t = {
        .valid = true,
        .global = (e & PTE_GLOBAL) != 0,
        .writable = (e & PTE_WRITABLE) != 0,
        .dirty = (e & PTE_DIRTY) != 0,
        .nx = (e & PTE_NX) != 0,
        .span_shift = m->acc.span_shift,
        .asid = p->asid,
        .vpn = m->op.va >> m->acc.span_shift,
        .frame = pte_frame(e),
    };
    struct tlb_entry old;
    int i = tlb_fill(&m->tlb, &t, &m->rng, &old);
    m->acc.tlb_index = i;
    event_for_access(m, ev, EV_TLB_FILL);
    ev->index = (uint32_t)i / m->tlb.ways;
    ev->way = (uint32_t)i % m->tlb.ways;
    ev->frame = t.frame;
    if (old.valid && !(old.vpn == t.vpn && old.asid == t.asid))
        snprintf(ev->detail, sizeof ev->detail, "replacing page 0x%llx of ASID %u",
                 (unsigned long long)old.vpn, old.asid);
    m->phase = PH_DONE;
}

static uint64_t next_use_of(const struct machine *m)
{
    uint64_t i = m->op.future_index;
    return i < m->future_len ? m->future_next[i] : UINT64_MAX;
}

/* The last micro-step of a successful access: Dirty set by a write, the
 * policy told, the physical address formed. */
static void complete_access(struct machine *m, uint32_t frame)
{
    if (m->op.access == ACCESS_WRITE) {
        struct tlb_entry *t = &m->tlb.entries[m->acc.tlb_index];
        if (!t->dirty) {
            struct walk_result w = machine_walk(m, vm_op_process(m), m->op.va);
            *w.slot |= PTE_DIRTY;
            t->dirty = true;
        }
    }
    const struct frame *f = frames_at(&m->pool, frame);
    if ((f->kind == FRAME_ANON || f->kind == FRAME_FILE) && !f->compound) {
        if (m->policy.ops->accessed)
            m->policy.ops->accessed(&m->policy, frame, next_use_of(m));
        m->policy.now++;
        if (m->policy.ops->tick) {
            struct policy_host host = policy_host(m);
            m->policy.ops->tick(&m->policy, &host);
        }
    }
}

/* The frame's address plus the offset within the page (or huge page) the
 * translation maps. */
static uint64_t physical_address(const struct machine *m, uint32_t frame)
{
    uint64_t span = UINT64_C(1) << m->acc.span_shift;
    return (uint64_t)frame * vm_page_size(m) + (m->op.va & (span - 1));
}

static void step_done(struct machine *m, struct event *ev)
{
    uint32_t frame = m->acc.frame;
    complete_access(m, frame);
    event_for_access(m, ev, EV_ACCESS_DONE);
    ev->frame = frame;
    ev->pa = physical_address(m, frame);
    m->phase = PH_IDLE;
}

/* Out of memory: kill the process with the most resident pages, as the
 * Linux OOM killer's badness score mostly comes down to. */
static void step_oom(struct machine *m, struct event *ev)
{
    struct process *victim = NULL;
    for (uint32_t i = 0; i < m->nprocs; i++) {
        struct process *p = &m->procs[i];
        if (p->alive && (!victim || p->resident > victim->resident))
            victim = p;
    }
    struct process *faulting = vm_op_process(m);
    if (!victim || victim->resident == 0)
        victim = faulting;
    event_for_access(m, ev, EV_OOM_KILL);
    ev->other_pid = victim->pid;
    snprintf(ev->detail, sizeof ev->detail, "pid %u (%s) had %llu resident pages", victim->pid,
             victim->name, (unsigned long long)victim->resident);
    m->counters.oom_kills++;
    vm_release_process(m, victim);
    if (victim == faulting)
        m->phase = PH_IDLE;
    else
        want_frame(m, m->acc.need_kind, m->acc.need_level);
}

/* ------------------------------------------------------------------ */
/* driving                                                              */

void vm_host_failure(struct machine *m, const char *what)
{
    if (!m->host_error[0])
        snprintf(m->host_error, sizeof m->host_error,
                 "out of memory on the host for %s: the run cannot go on faithfully "
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

bool vm_new_table(struct machine *m, uint32_t frame, unsigned level)
{
    enum pagetable_outcome made = pagetable_create(&m->pt, &m->cfg.geo, frame, level);
    if (made == PAGETABLE_MADE)
        return true;
    vm_table_not_made(m, made);
    return false;
}

const char *machine_host_error(const struct machine *m)
{
    return m->host_error[0] ? m->host_error : NULL;
}

bool machine_busy(const struct machine *m)
{
    return m->phase != PH_IDLE;
}

bool machine_begin(struct machine *m, const struct op *op)
{
    if (m->phase != PH_IDLE || m->host_error[0])
        return false;
    m->op = *op;
    memset(&m->acc, 0, sizeof m->acc);
    m->acc.victim = m->acc.victim_slot = m->acc.slot = NONE;
    m->acc.tlb_index = -1;
    m->acc.span_shift = (uint8_t)m->cfg.geo.page_shift;
    struct process *p = op->pid ? machine_process(m, op->pid) : machine_running(m);
    if (!p) {
        /* Reported by the first step. */
        m->acc.proc = UINT32_MAX;
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
    bool host = strncmp(m->host_error, "out of memory on the host", 25) == 0;
    snprintf(ev->detail, sizeof ev->detail, "%s",
             host ? "the machine stops: the host refused memory it needed"
                  : "the machine stops: a limit of vmviz-scenario(5) was reached");
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
    if (m->acc.proc == UINT32_MAX || !m->procs[m->acc.proc].alive) {
        event_init(ev, EV_PROCESS_GONE);
        ev->pid = m->acc.proc != UINT32_MAX ? m->procs[m->acc.proc].pid : m->op.pid;
        ev->va = m->op.va;
        snprintf(ev->detail, sizeof ev->detail, "pid %u %s", ev->pid,
                 m->acc.proc == UINT32_MAX ? "does not exist" : "has exited or was killed");
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
    for (;;) {
        switch (m->phase) {
        case PH_IDLE: break;
        case PH_BEGIN: step_begin(m, ev); break;
        case PH_TLB: step_tlb(m, ev); break;
        case PH_WALK: step_walk(m, ev); break;
        case PH_FAULT: step_fault(m, ev); break;
        case PH_CLASSIFY: step_classify(m, ev); break;
        case PH_TABLES:
            after_tables(m);
            continue; /* emits nothing: the next step does the work */
        case PH_NEED_FRAME: step_need_frame(m, ev); break;
        case PH_EVICT_SAVE: step_evict_save(m, ev); break;
        case PH_EVICT_UNMAP: step_evict_unmap(m, ev); break;
        case PH_EVICT_SHOOTDOWN:
            if (!step_evict_shootdown(m, ev))
                continue;
            break;
        case PH_INSTALL_TABLE: step_install_table(m, ev); break;
        case PH_HUGE_ALLOC: step_huge_alloc(m, ev); break;
        case PH_LOAD: step_load(m, ev); break;
        case PH_PTE: step_pte(m, ev); break;
        case PH_RETURN: step_return(m, ev); break;
        case PH_FILL: step_fill(m, ev); break;
        case PH_DONE: step_done(m, ev); break;
        case PH_OOM: step_oom(m, ev); break;
        case PH_SIMPLE: vm_step_simple(m, ev); break;
        case PH_SWITCH_FLUSH: vm_step_switch_flush(m, ev); break;
        }
        break;
    }
    if (m->policy.refused)
        vm_host_failure(m, "the replacement policy's lists");
    if (m->host_error[0]) {
        /* The host refused memory during this step (or a stated limit was
         * reached): whatever the step was doing is not a simulated
         * outcome. */
        stopped_event(m, ev);
        m->phase = PH_IDLE;
    }
    return m->phase != PH_IDLE;
}

uint64_t machine_run_op(struct machine *m, const struct op *op)
{
    /* Short cut for the common case: an access whose translation is in the
     * TLB and allows it. Same effects as BEGIN, TLB_HIT and DONE. */
    if (op->kind == OP_ACCESS && m->phase == PH_IDLE) {
        struct process *p = op->pid ? machine_process(m, op->pid) : machine_running(m);
        if (p && p->alive && geometry_va_valid(&m->cfg.geo, op->va)) {
            unsigned spans[2];
            unsigned nspans = tlb_spans(m, spans);
            int i = tlb_find(&m->tlb, p->asid, op->va, spans, nspans);
            if (i >= 0) {
                const struct tlb_entry *t = &m->tlb.entries[i];
                if (entry_permits((t->writable ? PTE_WRITABLE : 0) | (t->nx ? PTE_NX : 0),
                                  op->access)) {
                    tlb_touch(&m->tlb, i);
                    m->op = *op;
                    memset(&m->acc, 0, sizeof m->acc);
                    m->acc.victim = m->acc.victim_slot = m->acc.slot = NONE;
                    m->acc.proc = (uint32_t)(p - m->procs);
                    m->acc.tlb_index = i;
                    m->acc.span_shift = t->span_shift;
                    m->counters.accesses++;
                    m->counters.reads += op->access == ACCESS_READ;
                    m->counters.writes += op->access == ACCESS_WRITE;
                    m->counters.execs += op->access == ACCESS_EXEC;
                    m->counters.tlb_hits++;
                    complete_access(m, t->frame);
                    m->steps += 3;
                    if (m->policy.refused)
                        vm_host_failure(m, "the replacement policy's lists");
                    return 3;
                }
            }
        }
    }
    uint64_t n = 0;
    struct event ev;
    if (!machine_begin(m, op))
        return 0;
    do
        n++;
    while (machine_step(m, &ev));
    return n;
}
