/* Setting a scenario up on the engine: the machine configuration, the
 * checks of the steps against the engine, the machine at position 0, and
 * OPT's future. See setup.h. */
#include "play/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

void timeline_overrides_init(struct timeline_overrides *o)
{
    o->policy = NULL;
    o->frames = o->tlb_entries = o->tlb_ways = o->seed = -1;
    o->tlb_asid = -1;
}

/* ------------------------------------------------------------------ */
/* the machine configuration                                          */

static bool fail_at(struct diag *err, const struct scenario *s, struct scenario_pos pos,
                    const char *message)
{
    diag_set(err, s->path, pos.line, pos.col, "%s", message);
    return false;
}

/* "unknown X 'word' (expected a, b or c; did you mean 'b'?)", worded as
 * every reader and the command line word it. */
static bool fail_unknown(struct diag *err, const struct scenario *s, struct scenario_pos pos,
                         const char *what, const char *word, const char *const *names)
{
    char expected[DIAG_MESSAGE_MAX];
    diag_expected_choice(expected, sizeof expected, word, names, diag_count(names));
    diag_set(err, s->path, pos.line, pos.col, "unknown %s '%s' (%s)", what, word, expected);
    return false;
}

/* Ways when only the number of entries is given (through the API: the
 * loader and the command line give ways with every entries):
 * SCENARIO_DEFAULT_TLB_WAYS when they divide the entries, else the largest
 * power of two below it that does, down to direct-mapped. */
static uint32_t default_ways(uint32_t entries)
{
    uint32_t ways = SCENARIO_DEFAULT_TLB_WAYS;
    while (ways > 1 && entries % ways != 0)
        ways /= 2;
    return ways;
}

/* A number of bits as geometry_custom takes it: any value beyond 64 is
 * kept invalid (65) rather than cut to an unsigned that may look valid. */
static unsigned layout_bits(uint64_t value)
{
    return value > 64 ? 65 : (unsigned)value;
}

bool setup_config(const struct scenario *s, const struct timeline_overrides *o,
                  struct machine_config *c, struct diag *err)
{
    const struct scenario_machine *sm = &s->machine;
    char why[DIAG_MESSAGE_MAX];
    machine_config_default(c);
    bool custom = sm->va_bits.present || sm->page_size.present || sm->levels_count > 0;
    if (sm->preset.present && custom)
        return fail_at(err, s, sm->preset.pos,
                       "a preset and a custom layout at once (expected either preset, or "
                       "va_bits, page_size and levels)");
    if (sm->preset.present && !geometry_preset(sm->preset.value, &c->geo))
        return fail_unknown(err, s, sm->preset.pos, "preset", sm->preset.value,
                            geometry_preset_names);
    if (custom) {
        if (!sm->va_bits.present || !sm->page_size.present || sm->levels_count == 0)
            return fail_at(err, s, sm->pos,
                           "an incomplete custom layout (expected va_bits, page_size and levels "
                           "together)");
        unsigned bits[GEOMETRY_MAX_LEVELS];
        for (unsigned i = 0; i < sm->levels_count && i < GEOMETRY_MAX_LEVELS; i++)
            bits[i] = layout_bits(sm->levels[i].value);
        unsigned va_bits = layout_bits(sm->va_bits.value);
        if (!geometry_custom(&c->geo, va_bits, sm->page_size.value, bits, sm->levels_count, why,
                             sizeof why))
            return fail_at(err, s, sm->levels_pos.line ? sm->levels_pos : sm->pos, why);
    }
    struct {
        const struct scenario_num *num;
        uint32_t *field;
        uint64_t min, max;
        const char *name;
    } numbers[] = {
        {&sm->frames, &c->frames, 1, MACHINE_MAX_FRAMES, "frames"},
        {&sm->table_frames, &c->table_frames, 0, MACHINE_MAX_FRAMES, "table_frames"},
        {&sm->swap, &c->swap_slots, 0, MACHINE_MAX_SWAP, "swap"},
        {&sm->tlb.entries, &c->tlb_entries, 1, MACHINE_MAX_TLB, "tlb entries"},
        {&sm->tlb.ways, &c->tlb_ways, 1, MACHINE_MAX_TLB, "tlb ways"},
        {&sm->nru_interval, &c->nru_interval, 1, SETUP_MAX_NRU_INTERVAL, "nru_interval"},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        const struct scenario_num *n = numbers[i].num;
        if (!n->present)
            continue;
        if (n->value < numbers[i].min || n->value > numbers[i].max) {
            diag_set(err, s->path, n->pos.line, n->pos.col, "%s is %llu (expected %llu to %llu)",
                     numbers[i].name, (unsigned long long)n->value,
                     (unsigned long long)numbers[i].min, (unsigned long long)numbers[i].max);
            return false;
        }
        *numbers[i].field = (uint32_t)n->value;
    }
    if (sm->tlb.entries.present && !sm->tlb.ways.present)
        c->tlb_ways = default_ways(c->tlb_entries);
    if (sm->tlb.replacement.present) {
        int r = -1;
        for (int i = 0; tlb_replacement_names[i]; i++)
            if (strcmp(tlb_replacement_names[i], sm->tlb.replacement.value) == 0)
                r = i;
        if (r < 0)
            return fail_unknown(err, s, sm->tlb.replacement.pos, "TLB replacement",
                                sm->tlb.replacement.value, tlb_replacement_names);
        c->tlb_replacement = (enum tlb_replacement)r;
    }
    if (sm->tlb.asid.present)
        c->tlb_asid = sm->tlb.asid.value != 0;
    if (sm->policy.present) {
        int p = policy_lookup(sm->policy.value);
        if (p < 0)
            return fail_unknown(err, s, sm->policy.pos, "policy", sm->policy.value, policy_names);
        c->policy = (enum policy_kind)p;
    }
    if (sm->seed.present)
        c->seed = sm->seed.value;
    if (sm->fault_around.present) {
        uint64_t v = sm->fault_around.value;
        if (v > SETUP_MAX_FAULT_AROUND || (v & (v - 1)) != 0) {
            diag_set(err, s->path, sm->fault_around.pos.line, sm->fault_around.pos.col,
                     "fault_around is not a power of two up to %u (expected a window in "
                     "pages, such as 16, or 0 for off)", SETUP_MAX_FAULT_AROUND);
            return false;
        }
        c->fault_around = (uint32_t)v;
    }
    if (sm->readahead.present) {
        if (sm->readahead.value > SETUP_MAX_READAHEAD) {
            diag_set(err, s->path, sm->readahead.pos.line, sm->readahead.pos.col,
                     "readahead is too large (expected 0 to %u pages)", SETUP_MAX_READAHEAD);
            return false;
        }
        c->readahead = (uint32_t)sm->readahead.value;
    }
    /* Command-line overrides come last. */
    struct scenario_pos none = {0, 0};
    if (o && o->policy) {
        int p = policy_lookup(o->policy);
        if (p < 0) {
            struct scenario tmp = *s;
            tmp.path = "--policy";
            return fail_unknown(err, &tmp, none, "policy", o->policy, policy_names);
        }
        c->policy = (enum policy_kind)p;
    }
    if (o && o->frames >= 0)
        c->frames = (uint32_t)(o->frames > MACHINE_MAX_FRAMES ? 0 : o->frames);
    if (o && o->tlb_entries >= 0) {
        c->tlb_entries = (uint32_t)(o->tlb_entries > MACHINE_MAX_TLB ? 0 : o->tlb_entries);
        c->tlb_ways = o->tlb_ways >= 0 ? (uint32_t)(o->tlb_ways > MACHINE_MAX_TLB ? 0 : o->tlb_ways)
                                       : default_ways(c->tlb_entries);
    }
    if (o && o->seed >= 0)
        c->seed = (uint64_t)o->seed;
    if (o && o->tlb_asid >= 0)
        c->tlb_asid = o->tlb_asid != 0;
    if (!machine_config_validate(c, why, sizeof why))
        return fail_at(err, s, sm->pos, why);
    return true;
}

/* ------------------------------------------------------------------ */
/* the steps against the engine                                       */

/* True when a fork or spawn step of the list creates pid. */
static bool forked_in(const struct scenario_step *steps, size_t n, uint64_t pid)
{
    for (size_t i = 0; i < n; i++) {
        if (steps[i].kind == STEP_FORK && steps[i].u.fork.child.value == pid)
            return true;
        if (steps[i].kind == STEP_SPAWN && steps[i].u.exec.child.value == pid)
            return true;
        if (steps[i].kind == STEP_REPEAT &&
            forked_in(steps[i].u.repeat.steps, steps[i].u.repeat.count, pid))
            return true;
    }
    return false;
}

/* A pid the scenario declares, or one of its fork or spawn steps creates. */
static bool pid_declared(const struct scenario *s, uint64_t pid)
{
    for (size_t i = 0; i < s->process_count; i++)
        if (s->processes[i].pid.value == pid)
            return true;
    return forked_in(s->steps, s->step_count, pid);
}

static bool file_declared(const struct scenario *s, const char *name)
{
    for (size_t i = 0; i < s->file_count; i++)
        if (strcmp(s->files[i].name.value, name) == 0)
            return true;
    return false;
}

static bool check_file(const struct scenario *s, const struct scenario_str *file,
                       struct diag *err)
{
    if (!file->present || file_declared(s, file->value))
        return true;
    diag_set(err, s->path, file->pos.line, file->pos.col,
             "no file is named '%s' (expected a name declared under files)", file->value);
    return false;
}

static bool check_pid(const struct scenario *s, const struct scenario_num *pid, struct diag *err)
{
    if (!pid->present || pid_declared(s, pid->value))
        return true;
    diag_set(err, s->path, pid->pos.line, pid->pos.col,
             "no process has pid %llu (expected a pid declared under processes)",
             (unsigned long long)pid->value);
    return false;
}

/* A fork's or spawn's child: a pid no declared process has. */
static bool check_new_pid(const struct scenario *s, const struct scenario_num *child,
                          struct diag *err)
{
    for (size_t k = 0; k < s->process_count; k++)
        if (s->processes[k].pid.value == child->value) {
            diag_set(err, s->path, child->pos.line, child->pos.col,
                     "pid %llu is already a declared process (expected a new pid)",
                     (unsigned long long)child->value);
            return false;
        }
    return true;
}

/* Every program layout fits the machine's pages and user space, and its
 * file holds its text and data. */
static bool check_programs(const struct scenario *s, const struct machine_config *c,
                           struct diag *err)
{
    for (size_t i = 0; i < s->file_count; i++) {
        const struct scenario_file *f = &s->files[i];
        if (!f->program.present)
            continue;
        struct program_image img;
        struct area areas[PROGRAM_MAX_AREAS];
        uint32_t n;
        uint64_t heap;
        char why[DIAG_MESSAGE_MAX];
        program_image_of(&f->program, &img);
        if (!machine_program_areas(&c->geo, &img, areas, &n, &heap, why, sizeof why))
            return fail_at(err, s, f->program.pos, why);
        if (img.text + img.data < img.text || img.text + img.data > f->size.value) {
            diag_set(err, s->path, f->program.pos.line, f->program.pos.col,
                     "the program's text and data take %llu bytes of file '%s', which has %llu "
                     "(expected a file at least as large as text and data together)",
                     (unsigned long long)(img.text + img.data), f->name.value,
                     (unsigned long long)f->size.value);
            return false;
        }
    }
    return true;
}

/* ---- the kernel half ---- */

static const struct scenario_area *kernel_named(const struct scenario *s, const char *name)
{
    for (size_t i = 0; i < s->machine.kernel_count; i++)
        if (strcmp(s->machine.kernel[i].name.value, name) == 0)
            return &s->machine.kernel[i];
    return NULL;
}

/* The kernel area holding all of [lo, hi), or NULL. */
static const struct scenario_area *kernel_holding(const struct scenario *s, uint64_t lo,
                                                  uint64_t hi)
{
    for (size_t i = 0; i < s->machine.kernel_count; i++) {
        const struct scenario_area *k = &s->machine.kernel[i];
        uint64_t start = k->start.value, end = start + k->size.value;
        if (end > start && lo >= start && hi <= end)
            return k;
    }
    return NULL;
}

static const char *access_name(enum access_kind kind)
{
    return kind == ACCESS_WRITE ? "write" : kind == ACCESS_EXEC ? "fetch" : "read";
}

/* A kernel-mode access (kernel: true) of size bytes from addr: it must
 * lie inside one kernel area that allows it. The kernel faulting on its
 * own memory is an oops (do_kern_addr_fault finds nothing to fix, then
 * page_fault_oops), which vmviz does not model: refused here, before the
 * run. */
static bool check_kernel_access(const struct scenario *s, const struct scenario_addr *addr,
                                uint64_t size, enum access_kind kind, struct diag *err)
{
    uint64_t lo;
    if (addr->symbol) {
        const struct scenario_area *named = kernel_named(s, addr->symbol);
        if (!named) {
            diag_set(err, s->path, addr->pos.line, addr->pos.col,
                     "'%s' is not a kernel area, and a kernel-mode access touches the kernel's "
                     "own memory only (expected the name of a kernel area, or an address in one)",
                     addr->symbol);
            return false;
        }
        lo = named->start.value + (uint64_t)addr->offset;
    } else {
        lo = scenario_addr_absolute(addr);
    }
    uint64_t hi = lo + size;
    const struct scenario_area *k = hi > lo ? kernel_holding(s, lo, hi) : NULL;
    if (!k && size == 1) {
        diag_set(err, s->path, addr->pos.line, addr->pos.col,
                 "a kernel-mode %s at 0x%llx touches memory no kernel area maps, which in Linux "
                 "is an oops (expected an address inside a kernel area)",
                 access_name(kind), (unsigned long long)lo);
        return false;
    }
    if (!k) {
        diag_set(err, s->path, addr->pos.line, addr->pos.col,
                 "a kernel-mode %s of [0x%llx, 0x%llx) touches memory no kernel area maps, which "
                 "in Linux is an oops (expected addresses inside one kernel area)",
                 access_name(kind), (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    uint64_t prot = k->prot.present ? k->prot.value : SCENARIO_PROT_READ | SCENARIO_PROT_WRITE;
    if ((kind == ACCESS_WRITE && !(prot & SCENARIO_PROT_WRITE)) ||
        (kind == ACCESS_EXEC && !(prot & SCENARIO_PROT_EXEC))) {
        diag_set(err, s->path, addr->pos.line, addr->pos.col,
                 "a kernel-mode %s of kernel area '%s' would oops: its entries forbid it and the "
                 "kernel does not fault in its own memory (expected a kernel area that allows "
                 "the %s)", access_name(kind), k->name.value, access_name(kind));
        return false;
    }
    return true;
}

/* True when a step (in a repeat too) makes an area of that name: an mmap
 * of it, or execve, spawn or brk, which make the program's areas. */
static bool step_makes_area(const struct scenario_step *steps, size_t n, const char *name)
{
    bool program_name = false;
    for (size_t k = 0; scenario_program_area_names[k]; k++)
        program_name = program_name || strcmp(scenario_program_area_names[k], name) == 0;
    for (size_t i = 0; i < n; i++) {
        const struct scenario_step *st = &steps[i];
        if (st->kind == STEP_MMAP && strcmp(st->u.mmap.name.value, name) == 0)
            return true;
        if (program_name &&
            (st->kind == STEP_EXECVE || st->kind == STEP_SPAWN || st->kind == STEP_BRK))
            return true;
        if (st->kind == STEP_REPEAT &&
            step_makes_area(st->u.repeat.steps, st->u.repeat.count, name))
            return true;
    }
    return false;
}

/* A kernel area's name must not be a process's area's too: steps name
 * both, and a name must say which. */
static bool check_kernel_names(const struct scenario *s, struct diag *err)
{
    for (size_t k = 0; k < s->machine.kernel_count; k++) {
        const struct scenario_str *name = &s->machine.kernel[k].name;
        for (size_t p = 0; p < s->process_count; p++)
            for (size_t a = 0; a < s->processes[p].area_count; a++)
                if (strcmp(s->processes[p].areas[a].name.value, name->value) == 0) {
                    diag_set(err, s->path, name->pos.line, name->pos.col,
                             "kernel area '%s' has the name of an area of pid %llu (expected "
                             "names that differ: steps name both)", name->value,
                             (unsigned long long)s->processes[p].pid.value);
                    return false;
                }
        if (step_makes_area(s->steps, s->step_count, name->value)) {
            diag_set(err, s->path, name->pos.line, name->pos.col,
                     "kernel area '%s' has the name of an area a step makes: an mmap's, or one "
                     "of the program's areas of execve, spawn and brk (expected names that "
                     "differ: steps name both)", name->value);
            return false;
        }
    }
    return true;
}

static enum access_kind step_access_kind(enum step_kind kind)
{
    return kind == STEP_WRITE ? ACCESS_WRITE : kind == STEP_EXEC ? ACCESS_EXEC : ACCESS_READ;
}

static enum access_kind fill_access_kind(enum scenario_access access)
{
    return access == SCENARIO_ACCESS_WRITE ? ACCESS_WRITE
         : access == SCENARIO_ACCESS_EXEC  ? ACCESS_EXEC
                                           : ACCESS_READ;
}

/* Checks what only the engine knows about the steps: counter names, pids,
 * frames, and the features this version does not have. */
static bool check_steps(const struct scenario *s, const struct scenario_step *steps, size_t n,
                        const struct machine_config *c, struct diag *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct scenario_step *st = &steps[i];
        switch (st->kind) {
        case STEP_READ:
        case STEP_WRITE:
        case STEP_EXEC:
            if (!check_pid(s, &st->u.access.pid, err))
                return false;
            if (st->u.access.kernel.value &&
                !check_kernel_access(s, &st->u.access.addr, 1, step_access_kind(st->kind), err))
                return false;
            break;
        case STEP_REFS:
            if (!check_pid(s, &st->u.refs.pid, err))
                return false;
            for (size_t r = 0; r < st->u.refs.count; r++) {
                const struct scenario_ref *ref = &st->u.refs.entries[r];
                uint64_t va = ref->page << c->geo.page_shift;
                if ((va >> c->geo.page_shift) != ref->page || !geometry_canonical(&c->geo, va) ||
                    va >= c->geo.user_top) {
                    diag_set(err, s->path, ref->pos.line, ref->pos.col,
                             "page %llu is beyond user space (expected a page below %llu)",
                             (unsigned long long)ref->page,
                             (unsigned long long)(c->geo.user_top >> c->geo.page_shift));
                    return false;
                }
            }
            break;
        case STEP_FILL:
            if (!check_pid(s, &st->u.fill.pid, err))
                return false;
            if (st->u.fill.kernel.value &&
                !check_kernel_access(s, &st->u.fill.start, st->u.fill.size.value,
                                     fill_access_kind(st->u.fill.access), err))
                return false;
            break;
        case STEP_MMAP:
            if (!check_pid(s, &st->u.mmap.pid, err))
                return false;
            if (!check_file(s, &st->u.mmap.file, err))
                return false;
            break;
        case STEP_MUNMAP:
        case STEP_MPROTECT:
            if (!check_pid(s, &st->u.range.pid, err))
                return false;
            break;
        case STEP_MAP:
            if (!check_pid(s, &st->u.map.pid, err))
                return false;
            if (st->u.map.frame.value >= c->frames) {
                diag_set(err, s->path, st->u.map.frame.pos.line, st->u.map.frame.pos.col,
                         "frame %llu does not exist (expected 0 to %u)",
                         (unsigned long long)st->u.map.frame.value, c->frames - 1);
                return false;
            }
            break;
        case STEP_SWITCH:
        case STEP_EXIT:
            if (!check_pid(s, &st->u.process.pid, err))
                return false;
            break;
        case STEP_FORK:
            if (!check_pid(s, &st->u.fork.parent, err) || !check_new_pid(s, &st->u.fork.child, err))
                return false;
            break;
        case STEP_EXECVE:
        case STEP_SPAWN:
            if (!check_pid(s, &st->u.exec.pid, err) ||
                (st->kind == STEP_SPAWN && !check_new_pid(s, &st->u.exec.child, err)))
                return false;
            break;
        case STEP_BRK:
            if (!check_pid(s, &st->u.brk.pid, err))
                return false;
            break;
        case STEP_REPEAT:
            if (!check_steps(s, st->u.repeat.steps, st->u.repeat.count, c, err))
                return false;
            break;
        case STEP_ASK:
            if (counter_lookup(st->u.ask.counter.value) < 0)
                return fail_unknown(err, s, st->u.ask.counter.pos, "counter",
                                    st->u.ask.counter.value, counter_names);
            break;
        case STEP_EXPECT:
            for (size_t e = 0; e < st->u.expect.count; e++) {
                const struct scenario_expect *x = &st->u.expect.items[e];
                if (counter_lookup(x->name) < 0)
                    return fail_unknown(err, s, x->name_pos, "counter", x->name, counter_names);
            }
            break;
        case STEP_TRACE:
            if (!check_pid(s, &st->u.trace.pid, err))
                return false;
            /* As for refs: a page trace may not reach beyond user space. */
            if (st->u.trace.max_page_line &&
                (st->u.trace.max_page > (c->geo.user_top - 1) >> c->geo.page_shift)) {
                diag_set(err, st->u.trace.path, (unsigned)st->u.trace.max_page_line,
                         st->u.trace.max_page_col,
                         "page %llu is beyond user space (expected a page below %llu)",
                         (unsigned long long)st->u.trace.max_page,
                         (unsigned long long)(c->geo.user_top >> c->geo.page_shift));
                return false;
            }
            break;
        case STEP_SAY:
        case STEP_CHAPTER:
        case STEP_PAUSE:
        case STEP_KIND_COUNT:
            break;
        }
    }
    return true;
}

bool setup_check(const struct scenario *s, const struct machine_config *c,
                 uint64_t *accesses, struct diag *err)
{
    if (!check_programs(s, c, err) || !check_kernel_names(s, err) ||
        !check_steps(s, s->steps, s->step_count, c, err))
        return false;
    uint64_t page_size = geometry_page_size(&c->geo);
    uint64_t plays = scenario_count_plays(s->steps, s->step_count, page_size);
    if (plays > SCENARIO_MAX_PLAYS) {
        char count[32];
        if (plays == UINT64_MAX)
            snprintf(count, sizeof count, "more than %llu", (unsigned long long)(UINT64_MAX - 1));
        else
            snprintf(count, sizeof count, "%llu", (unsigned long long)plays);
        diag_set(err, s->path, s->steps[0].pos.line, s->steps[0].pos.col,
                 "the steps would play %s accesses and other steps, repeats multiplied "
                 "(expected at most %lu)",
                 count, SCENARIO_MAX_PLAYS);
        return false;
    }
    uint64_t total = scenario_count_accesses(s->steps, s->step_count, page_size);
    if (total > SCENARIO_MAX_ACCESSES) {
        diag_set(err, s->path, s->steps[0].pos.line, s->steps[0].pos.col,
                 "the steps perform %llu accesses with %llu-byte pages (expected at most %lu)",
                 (unsigned long long)total, (unsigned long long)page_size,
                 SCENARIO_MAX_ACCESSES);
        return false;
    }
    *accesses = total;
    return true;
}

/* ------------------------------------------------------------------ */
/* the machine at position 0                                          */

struct machine *setup_machine(const struct scenario *s, const struct machine_config *c,
                              struct diag *err)
{
    char why[DIAG_MESSAGE_MAX];
    struct machine *m = machine_create(c, why, sizeof why);
    if (!m) {
        fail_at(err, s, s->machine.pos, why);
        return NULL;
    }
    for (size_t i = 0; i < s->file_count; i++) {
        const struct scenario_file *f = &s->files[i];
        if (machine_add_file(m, f->name.value, f->size.value, f->cached, f->cached_count,
                             f->cached_all != 0, why, sizeof why) == EV_NONE) {
            fail_at(err, s, f->cached_pos.line ? f->cached_pos : f->name.pos, why);
            machine_destroy(m);
            return NULL;
        }
    }
    /* The kernel half first: built once, as the machine boots, and shared
     * by every process made after it. */
    for (size_t i = 0; i < s->machine.kernel_count; i++) {
        const struct scenario_area *ka = &s->machine.kernel[i];
        struct area area = {
            .start = ka->start.value,
            .end = ka->start.value + ka->size.value,
            .prot = ka->prot.present ? (uint8_t)ka->prot.value : PROT_R | PROT_W,
        };
        snprintf(area.name, sizeof area.name, "%s", ka->name.value);
        if (!machine_add_kernel_area(m, &area, why, sizeof why)) {
            fail_at(err, s, ka->pos, why);
            machine_destroy(m);
            return NULL;
        }
    }
    /* Devices next: their frames follow RAM (the pool, as the command line
     * may have resized it). */
    for (size_t i = 0; i < s->machine.device_count; i++) {
        const struct scenario_device *sd = &s->machine.devices[i];
        uint64_t psize = geometry_page_size(&c->geo);
        uint64_t first = sd->phys.present ? sd->phys.value / psize : machine_next_device_frame(m);
        if (sd->size.value % psize || (sd->phys.present && sd->phys.value % psize)) {
            snprintf(why, sizeof why,
                     "device '%s' is not in whole pages: size 0x%llx%s (expected multiples of "
                     "%llu)", sd->name.value, (unsigned long long)sd->size.value,
                     sd->phys.present ? " at a physical address not page-aligned" : "",
                     (unsigned long long)psize);
            fail_at(err, s, sd->pos, why);
            machine_destroy(m);
            return NULL;
        }
        if (!machine_add_device(m, sd->name.value, first, sd->size.value / psize, why,
                                sizeof why)) {
            fail_at(err, s, sd->pos, why);
            machine_destroy(m);
            return NULL;
        }
    }
    for (size_t i = 0; i < s->process_count; i++) {
        const struct scenario_process *sp = &s->processes[i];
        uint16_t asid = sp->asid.present ? (uint16_t)(sp->asid.value & SCENARIO_MAX_ASID) : 0;
        if (!machine_add_process(m, (uint32_t)sp->pid.value, sp->name.value, asid, why,
                                 sizeof why)) {
            fail_at(err, s, sp->pos, why);
            machine_destroy(m);
            return NULL;
        }
        for (size_t a = 0; a < sp->area_count; a++) {
            const struct scenario_area *sa = &sp->areas[a];
            if (!check_file(s, &sa->file, err)) {
                machine_destroy(m);
                return NULL;
            }
            const struct device *dev =
                sa->device.present ? machine_device_named(m, sa->device.value) : NULL;
            struct area area = {
                .start = sa->start.value,
                .end = sa->start.value + sa->size.value,
                .prot = sa->prot.present ? (uint8_t)sa->prot.value : PROT_R | PROT_W,
                .kind = dev ? AREA_DEVICE : sa->file.present ? AREA_FILE : AREA_ANON,
                .device = dev ? (uint32_t)(dev - m->devices) : 0,
                .shared = sa->shared.value != 0 || dev,
                .global = sa->global.value != 0,
                .huge = sa->huge.value != 0,
                .object = sa->file.present ? machine_find_object(m, sa->file.value) : EV_NONE,
                .file_offset = sa->offset.present ? sa->offset.value : 0,
            };
            snprintf(area.name, sizeof area.name, "%s", sa->name.value);
            if (area.end < area.start ||
                !machine_add_area(m, (uint32_t)sp->pid.value, &area, why, sizeof why)) {
                fail_at(err, s, sa->pos, area.end < area.start ? "the area wraps around" : why);
                machine_destroy(m);
                return NULL;
            }
        }
    }
    /* Refused now rather than ended by the OOM killer at the first access. */
    if (!machine_check_first_access(m, why, sizeof why)) {
        const struct scenario_machine *sm = &s->machine;
        fail_at(err, s, sm->frames.present ? sm->frames.pos : sm->pos, why);
        machine_destroy(m);
        return NULL;
    }
    return m;
}

/* ------------------------------------------------------------------ */
/* OPT's future                                                       */

/* Where the process goes in the key of a page: above the page number,
 * which takes at most 52 bits with pages of 4 KiB or more, so that the
 * same page number in two processes gives two keys. The process is its
 * slot in the machine plus one, which the 12 bits above hold
 * (MACHINE_MAX_PROCESSES), not its pid: pids 4096 apart would share keys. */
#define FUTURE_PROC_SHIFT 52
_Static_assert(MACHINE_MAX_PROCESSES < (1u << (64 - FUTURE_PROC_SHIFT)),
               "a page's key holds every process slot");
/* The fewest slots of the map of pages seen: a power of two. */
#define SEEN_MAP_MIN_BITS 4
#define SEEN_MAP_MIN (1u << SEEN_MAP_MIN_BITS)
/* The window of the map of pages seen holds at least this many keys, and
 * at most this many per page seen beyond: four bytes a key, so a window
 * never takes more than a map of its pages would. */
#define SEEN_WINDOW_MIN 1024u
#define SEEN_WINDOW_PER_PAGE 8u

/* One page in the map of pages seen: its key and value side by side, so
 * that a look-up reads one place. */
struct seen_slot {
    uint64_t key;   /* 0 = empty; stored as key + 1 */
    uint32_t value; /* the last access to the key: fewer than MACHINE_NO_NEXT_USE */
};

/* The pages seen so far, each with its last access. Those whose keys fall
 * in a window of consecutive keys are held in an array indexed by key (the
 * pages of a run are mostly a few dense ranges, and indexing is cheaper
 * than hashing); the others in a hash map of as many slots as twice its
 * keys at least. No key is in both. */
struct seen_map {
    uint32_t *window; /* the last access of each key from base on, or
                         MACHINE_NO_NEXT_USE for a page not seen */
    uint64_t base;
    size_t span;      /* keys in the window: 0 before the first page */
    struct seen_slot *slots;
    size_t cap;       /* 0, or a power of two */
    unsigned shift;   /* 64 - log2(cap): what spread leaves of a key */
    size_t count;     /* keys in the hash map: at most half of cap */
    size_t distinct;  /* pages seen, window and map together */
};

/* Spreads a key over the slots: Fibonacci hashing, the top bits of the key
 * times 2^64 over the golden ratio, which sends pages next to each other
 * (the usual run of a trace) to slots far apart, as it does strides. */
static size_t spread(const struct seen_map *map, uint64_t k)
{
    return (size_t)((k * UINT64_C(0x9e3779b97f4a7c15)) >> map->shift);
}

bool setup_future_fits(const struct scenario *s, uint64_t accesses, struct diag *err)
{
    if (accesses < MACHINE_NO_NEXT_USE)
        return true;
    diag_set(err, s->path, 0, 0, "opt plays at most %llu accesses (this run has %llu)",
             (unsigned long long)MACHINE_NO_NEXT_USE - 1, (unsigned long long)accesses);
    return false;
}

/* Whether the steps, repeats and all, hold only accesses at numbers and
 * items that run nothing on the machine (see setup.h). */
static bool steps_decide_pages(const struct scenario_step *steps, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct scenario_step *st = &steps[i];
        switch (st->kind) {
        case STEP_READ:
        case STEP_WRITE:
        case STEP_EXEC:
            if (st->u.access.addr.symbol)
                return false;
            break;
        case STEP_FILL:
            if (st->u.fill.start.symbol)
                return false;
            break;
        case STEP_REPEAT:
            if (!steps_decide_pages(st->u.repeat.steps, st->u.repeat.count))
                return false;
            break;
        case STEP_REFS:
        case STEP_TRACE:
        case STEP_SAY:
        case STEP_CHAPTER:
        case STEP_PAUSE:
        case STEP_EXPECT:
        case STEP_ASK:
            break;
        default:
            return false;
        }
    }
    return true;
}

bool setup_stream_decides_pages(const struct scenario *s)
{
    return steps_decide_pages(s->steps, s->step_count);
}

/* The slot of key in the map (cap > 0): where it is, or the empty slot
 * where it goes. The map is at most half full, so an empty slot is always
 * found. */
static struct seen_slot *seen_slot(const struct seen_map *map, uint64_t key)
{
    size_t slot = spread(map, key);
    while (map->slots[slot].key && map->slots[slot].key != key)
        slot = (slot + 1) & (map->cap - 1);
    return &map->slots[slot];
}

/* Makes room for one more key, doubling the map before it would be more
 * than half full. false when the host refuses the memory (the map is as
 * it was). */
static bool seen_room(struct seen_map *map)
{
    if (map->count + 1 <= map->cap / 2)
        return true;
    size_t cap = map->cap ? 2 * map->cap : SEEN_MAP_MIN;
    unsigned shift = map->cap ? map->shift - 1 : 64 - SEEN_MAP_MIN_BITS;
    struct seen_map bigger = {.slots = calloc(cap, sizeof *bigger.slots), .cap = cap,
                              .shift = shift};
    if (!bigger.slots)
        return false;
    for (size_t i = 0; i < map->cap; i++)
        if (map->slots[i].key)
            *seen_slot(&bigger, map->slots[i].key) = map->slots[i];
    free(map->slots);
    map->slots = bigger.slots;
    map->cap = cap;
    map->shift = shift;
    return true;
}

/* The window covering what it covers and key, with the keys of the hash
 * map that it now covers moved into it, when it can stay dense enough
 * (see SEEN_WINDOW_PER_PAGE); false when it cannot or the host refuses
 * the memory, the map then as it was. A window grows to twice its span at
 * least or not at all, so that growing copies it a few times in a run
 * however the pages come, not once a page. */
static bool seen_widen(struct seen_map *map, uint64_t key)
{
    uint64_t lo = key, hi = key; /* the keys to cover, both included */
    if (map->span) {
        lo = key < map->base ? key : map->base;
        hi = key > map->base + (map->span - 1) ? key : map->base + (map->span - 1);
    }
    size_t limit = SEEN_WINDOW_PER_PAGE * (map->distinct + 1);
    if (limit < SEEN_WINDOW_MIN)
        limit = SEEN_WINDOW_MIN;
    if (hi - lo >= limit)
        return false;
    size_t span = map->span ? 2 * map->span : SEEN_WINDOW_MIN;
    if (span <= hi - lo)
        span = (size_t)(hi - lo) + 1;
    if (span > limit)
        return false;
    /* The room beyond the keys to cover goes where the window grows: to
     * both sides of the first key, else to the side of the new key. */
    uint64_t base = lo;
    if (!map->span)
        base = key >= span / 2 ? key - span / 2 : 0;
    else if (key < map->base)
        base = hi >= span - 1 ? hi - (span - 1) : 0;
    if (base > UINT64_MAX - (span - 1))
        base = UINT64_MAX - (span - 1);
    uint32_t *window = malloc(span * sizeof *window);
    size_t moving = 0;
    for (size_t i = 0; i < map->cap; i++)
        if (map->slots[i].key && map->slots[i].key - 1 - base < span)
            moving++;
    struct seen_map rest = {.cap = map->cap, .shift = map->shift};
    if (moving)
        rest.slots = calloc(map->cap, sizeof *rest.slots);
    if (!window || (moving && !rest.slots)) {
        free(window);
        free(rest.slots);
        return false;
    }
    memset(window, 0xff, span * sizeof *window); /* MACHINE_NO_NEXT_USE */
    if (map->span)
        memcpy(window + (map->base - base), map->window, map->span * sizeof *window);
    for (size_t i = 0; moving && i < map->cap; i++) {
        const struct seen_slot *slot = &map->slots[i];
        if (!slot->key)
            continue;
        if (slot->key - 1 - base < span) {
            window[slot->key - 1 - base] = slot->value;
        } else {
            *seen_slot(&rest, slot->key) = *slot;
            rest.count++;
        }
    }
    if (moving) {
        free(map->slots);
        map->slots = rest.slots;
        map->count = rest.count;
    }
    free(map->window);
    map->window = window;
    map->base = base;
    map->span = span;
    return true;
}

/* The last access of the page of key (MACHINE_NO_NEXT_USE when it was
 * not seen), to read and write: in the window, which may first grow to
 * take the key, else in the hash map. NULL when the host refuses the
 * map memory. */
static uint32_t *seen_last(struct seen_map *map, uint64_t key)
{
    if (key - map->base < map->span)
        return &map->window[key - map->base];
    struct seen_slot *slot = map->cap ? seen_slot(map, key + 1) : NULL;
    if (slot && slot->key)
        return &slot->value;
    if (seen_widen(map, key))
        return &map->window[key - map->base];
    /* The map may grow first, which moves the key's slot. */
    if (!seen_room(map))
        return NULL;
    slot = seen_slot(map, key + 1);
    *slot = (struct seen_slot){key + 1, MACHINE_NO_NEXT_USE};
    map->count++;
    return &slot->value;
}

/* Frees what the map holds and empties it. */
static void seen_clear(struct seen_map *map)
{
    free(map->window);
    free(map->slots);
    *map = (struct seen_map){0};
}

/* The key of the page an access touches: its process as m finds it (its
 * slot plus one, 0 for none) above the page number. */
static uint64_t page_key(const struct machine *m, uint32_t pid, uint64_t va)
{
    const struct process *p = pid ? machine_process(m, pid) : machine_running(m);
    uint64_t proc = p ? (uint64_t)(p - m->procs) + 1 : 0;
    return (proc << FUTURE_PROC_SHIFT) ^ geometry_vpn(&m->cfg.geo, va);
}

/* Access i touches the page of key: the page's last access so far gets i
 * as its next use, and i has none yet. false when the host refuses the
 * map memory. */
static bool link_next_use(struct seen_map *map, uint32_t *next, uint64_t i, uint64_t key)
{
    uint32_t *last = seen_last(map, key);
    if (!last)
        return false;
    if (*last != MACHINE_NO_NEXT_USE)
        next[*last] = (uint32_t)i;
    else
        map->distinct++;
    *last = (uint32_t)i;
    next[i] = MACHINE_NO_NEXT_USE;
    return true;
}

/* Reads the program with a cursor of its own from first_pid, linking each
 * of its first n accesses to the next one to the same page in next (see
 * link_next_use), as they come; accesses past the program's end have none.
 * map (empty) ends holding the distinct pages. With a scratch machine every
 * operation runs on it, and each access's page is read on it as it stands
 * before the access; without one (the steps decide the pages,
 * setup_stream_decides_pages) the pages are read on initial, which stays
 * as it was. *why is set on SETUP_FAILED. */
static enum setup_outcome learn_next_uses(struct program *prog, const struct machine *initial,
                                          struct machine *scratch, uint32_t first_pid,
                                          uint64_t n, setup_poll_fn poll, void *ctx,
                                          struct seen_map *map, uint32_t *next, const char **why)
{
    const struct machine *m = scratch ? scratch : initial;
    /* The pass has a cursor of its own; poll sees it. */
    struct cursor cur;
    cursor_start(prog, &cur, first_pid);
    struct item item;
    struct cursor_run run;
    uint64_t count = 0;
    /* Once every access is known nothing after matters (a scenario of
     * endless say items must not keep this pass going). */
    while (count < n) {
        /* Without a machine to run them on, a trace's accesses are read in
         * runs: the pages are all this pass needs of them. */
        size_t got = scratch ? 0 : cursor_next_trace_run(prog, &cur, &run);
        if (got > 0) {
            cursor_run_done(&cur, &run, got);
            if (poll && poll(ctx, &cur, got))
                return SETUP_STOPPED;
            for (size_t i = 0; i < got && count < n; i++, count++)
                if (!link_next_use(map, next, count, page_key(m, run.pid, cursor_run_va(&run, i))))
                    return SETUP_FAILED;
            continue;
        }
        if (!cursor_next(prog, &cur, m, &item))
            break;
        if (poll && poll(ctx, &cur, 1))
            return SETUP_STOPPED;
        if (item.kind != ITEM_OP)
            continue;
        if (item.op.kind == OP_ACCESS) {
            if (!link_next_use(map, next, count, page_key(m, item.op.pid, item.op.va)))
                return SETUP_FAILED;
            count++;
        }
        if (!scratch)
            continue;
        machine_run_op(scratch, &item.op);
        if (machine_host_error(scratch)) {
            *why = machine_host_error(scratch);
            return SETUP_FAILED;
        }
    }
    for (uint64_t i = count; i < n; i++)
        next[i] = MACHINE_NO_NEXT_USE;
    return SETUP_DONE;
}

/* Whether the page tables of initial can take every table that accesses
 * to `distinct` pages could make without passing their cap: a full path
 * below the root for each page at most (no other operation makes tables in
 * a run setup_stream_decides_pages admits). When they can, no access stops
 * the machine at that limit, as it would the pass on a scratch machine. */
static bool tables_fit(const struct machine *initial, uint64_t distinct)
{
    const struct geometry *g = &initial->cfg.geo;
    uint64_t path = 0;
    for (unsigned level = 1; level < g->levels; level++)
        path += geometry_entries(g, level) * sizeof(uint64_t);
    uint64_t room = initial->pt.max_bytes > initial->pt.bytes
                        ? initial->pt.max_bytes - initial->pt.bytes : 0;
    return path == 0 || distinct <= room / path;
}

/* Learns the next use of every access as the program's stream of items
 * brings it (learn_next_uses): from the steps alone when they decide the
 * pages, unless those pages could need more tables than the cap allows;
 * else, all over again, by running the program on a scratch machine. */
enum setup_outcome setup_future(struct program *prog, const struct machine *initial,
                                uint32_t first_pid, uint64_t accesses, setup_poll_fn poll,
                                void *ctx, uint32_t *next, struct diag *err)
{
    if (!setup_future_fits(prog->scenario, accesses, err))
        return SETUP_FAILED;
    struct seen_map map = {0};
    enum setup_outcome outcome = SETUP_DONE;
    const char *why = "out of memory computing the future for opt";
    /* Whether the pass without a machine settled the outcome: learnt the
     * future, or was stopped, or the host refused memory. */
    bool settled = false;
    if (setup_stream_decides_pages(prog->scenario)) {
        outcome = learn_next_uses(prog, initial, NULL, first_pid, accesses, poll, ctx, &map,
                                  next, &why);
        settled = outcome != SETUP_DONE || tables_fit(initial, map.distinct);
        seen_clear(&map);
    }
    struct machine *scratch = NULL;
    if (!settled) {
        scratch = machine_clone(initial);
        /* The pass plays as a machine that knows no future, whatever
         * initial was lent (it may be the array being filled). */
        if (scratch)
            machine_set_future(scratch, NULL, 0);
        outcome = scratch ? learn_next_uses(prog, initial, scratch, first_pid, accesses, poll,
                                            ctx, &map, next, &why)
                          : SETUP_FAILED;
    }
    if (outcome == SETUP_FAILED)
        diag_set(err, prog->scenario->path, 0, 0, "%s", why);
    seen_clear(&map);
    machine_destroy(scratch);
    return outcome;
}
