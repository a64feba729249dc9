/* The timeline: plays a scenario event by event, forwards and backwards.
 * See timeline.h. Going back restores the newest snapshot far enough
 * behind the target and replays forward to it; replay runs the same code
 * as playing forward, so the state reached is the same. */
#include "play/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/program.h"
#include "scenario/diag.h"

/* The state that a snapshot captures. */
struct tl_state {
    struct machine *m;
    struct cursor cur;
    struct item item;        /* the item being played while in_op */
    bool in_op;
    bool ended;
    uint64_t position;
    struct counters expect_base;
    struct counters chapter_base;
    const char *chapter;
    uint64_t failures;
};

struct timeline {
    const struct scenario *s;
    struct program prog;
    struct tl_state st;
    struct tl_state *snaps;   /* sorted by position; snaps[0] is position 0 */
    size_t nsnaps;
    uint64_t interval;        /* events between snapshots */
    uint64_t *future;         /* OPT: next use of each access */
    struct tl_event log[TIMELINE_LOG_SIZE];
    size_t log_count;         /* valid entries, newest at log[(log_next - 1) % size] */
    size_t log_next;
    bool end_known;
    uint64_t end_position;
    uint32_t first_pid;
};

const char *tl_unit_name(enum tl_unit unit)
{
    switch (unit) {
    case TL_UNIT_EVENT: return "micro-step";
    case TL_UNIT_ACCESS: return "access";
    case TL_UNIT_OP: return "operation";
    case TL_UNIT_CHAPTER: return "chapter";
    }
    return "?";
}

void timeline_overrides_init(struct timeline_overrides *o)
{
    o->policy = NULL;
    o->frames = o->tlb_entries = o->tlb_ways = o->seed = -1;
}

/* ------------------------------------------------------------------ */
/* building the machine from the scenario                               */

static bool fail_at(struct diag *err, const struct scenario *s, struct scenario_pos pos,
                    const char *message)
{
    diag_set(err, s->path, pos.line, pos.col, "%s", message);
    return false;
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    return n;
}

/* "unknown X 'word' (expected one of: a, b, c)" with a suggestion. */
static bool fail_unknown(struct diag *err, const struct scenario *s, struct scenario_pos pos,
                         const char *what, const char *word, const char *const *names)
{
    char list[256] = "";
    size_t n = count_names(names);
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    }
    const char *near = diag_suggest(word, names, n);
    if (near)
        diag_set(err, s->path, pos.line, pos.col,
                 "unknown %s '%s' (did you mean '%s'? expected one of: %s)", what, word, near,
                 list);
    else
        diag_set(err, s->path, pos.line, pos.col, "unknown %s '%s' (expected one of: %s)", what,
                 word, list);
    return false;
}

/* Ways when only the number of entries is given: 4 when they divide,
 * else 2, else direct-mapped. */
static uint32_t default_ways(uint32_t entries)
{
    return entries % 4 == 0 ? 4 : entries % 2 == 0 ? 2 : 1;
}

static bool config_from(const struct scenario *s, const struct timeline_overrides *o,
                        struct machine_config *c, struct diag *err)
{
    const struct scenario_machine *sm = &s->machine;
    char why[200];
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
            bits[i] = sm->levels[i].value > 64 ? 65 : (unsigned)sm->levels[i].value;
        unsigned va_bits = sm->va_bits.value > 64 ? 65 : (unsigned)sm->va_bits.value;
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
        {&sm->nru_interval, &c->nru_interval, 1, 1000000, "nru_interval"},
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
        if (v > 512 || (v & (v - 1)) != 0)
            return fail_at(err, s, sm->fault_around.pos,
                           "fault_around is not a power of two up to 512 (expected a window in "
                           "pages, such as 16, or 0 for off)");
        c->fault_around = (uint32_t)v;
    }
    if (sm->readahead.present) {
        if (sm->readahead.value > 512)
            return fail_at(err, s, sm->readahead.pos,
                           "readahead is too large (expected 0 to 512 pages)");
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
    if (!machine_config_validate(c, why, sizeof why))
        return fail_at(err, s, sm->pos, why);
    return true;
}

static bool forked_in(const struct scenario_step *steps, size_t n, uint64_t pid)
{
    for (size_t i = 0; i < n; i++) {
        if (steps[i].kind == STEP_FORK && steps[i].u.fork.child.value == pid)
            return true;
        if (steps[i].kind == STEP_REPEAT &&
            forked_in(steps[i].u.repeat.steps, steps[i].u.repeat.count, pid))
            return true;
    }
    return false;
}

/* A pid the scenario declares, or one of its fork steps creates. */
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
            break;
        case STEP_REFS:
            if (!check_pid(s, &st->u.refs.pid, err))
                return false;
            for (size_t r = 0; r < st->u.refs.count; r++) {
                const struct scenario_ref *ref = &st->u.refs.entries[r];
                uint64_t va = ref->page << c->geo.page_shift;
                if ((va >> c->geo.page_shift) != ref->page || !geometry_va_valid(&c->geo, va) ||
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
            if (!check_pid(s, &st->u.fork.parent, err))
                return false;
            for (size_t k = 0; k < s->process_count; k++)
                if (s->processes[k].pid.value == st->u.fork.child.value) {
                    diag_set(err, s->path, st->u.fork.child.pos.line, st->u.fork.child.pos.col,
                             "pid %llu is already a declared process (expected a new pid)",
                             (unsigned long long)st->u.fork.child.value);
                    return false;
                }
            break;
        case STEP_REPEAT:
            if (!check_steps(s, st->u.repeat.steps, st->u.repeat.count, c, err))
                return false;
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

static struct machine *build_machine(const struct scenario *s, const struct machine_config *c,
                                     struct diag *err)
{
    char why[200];
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
    for (size_t i = 0; i < s->process_count; i++) {
        const struct scenario_process *sp = &s->processes[i];
        uint16_t asid = sp->asid.present ? (uint16_t)(sp->asid.value & 0xfff) : 0;
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
            struct area area = {
                .start = sa->start.value,
                .end = sa->start.value + sa->size.value,
                .prot = sa->prot.present ? (uint8_t)sa->prot.value : PROT_R | PROT_W,
                .kind = sa->file.present ? AREA_FILE : AREA_ANON,
                .shared = sa->shared.value != 0,
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
    return m;
}

/* ------------------------------------------------------------------ */
/* OPT's future                                                         */

struct seen_map {
    uint64_t *keys;   /* 0 = empty; stored as key + 1 */
    uint64_t *values;
    size_t cap;
};

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return k;
}

/* Runs the scenario once on a scratch machine to learn which page every
 * access touches, then computes for each access the position of the next
 * access to the same page, walking backwards with a hash map. */
static bool compute_future(struct timeline *tl, const struct machine *initial, uint64_t n,
                           struct diag *err)
{
    uint64_t *pages = malloc((n ? n : 1) * sizeof *pages);
    tl->future = malloc((n ? n : 1) * sizeof *tl->future);
    struct machine *m = machine_clone(initial);
    struct seen_map map = {0};
    map.cap = 16;
    while (map.cap < 2 * n + 16)
        map.cap *= 2;
    map.keys = calloc(map.cap, sizeof *map.keys);
    map.values = malloc(map.cap * sizeof *map.values);
    bool ok = pages && tl->future && m && map.keys && map.values;
    if (ok) {
        struct cursor cur;
        cursor_start(&tl->prog, &cur, tl->first_pid);
        struct item item;
        uint64_t count = 0;
        while (cursor_next(&tl->prog, &cur, m, &item)) {
            if (item.kind != ITEM_OP)
                continue;
            if (item.op.kind == OP_ACCESS && count < n) {
                const struct process *p = item.op.pid ? machine_process(m, item.op.pid)
                                                      : machine_running(m);
                uint64_t pid = p ? p->pid : 0;
                pages[count++] = (pid << 52) ^ geometry_vpn(&m->cfg.geo, item.op.va);
            }
            machine_run_op(m, &item.op);
        }
        for (uint64_t i = count; i < n; i++)
            pages[i] = UINT64_MAX - i;
        for (uint64_t i = n; i-- > 0;) {
            uint64_t key = pages[i] + 1;
            size_t slot = mix(key) & (map.cap - 1);
            while (map.keys[slot] && map.keys[slot] != key)
                slot = (slot + 1) & (map.cap - 1);
            tl->future[i] = map.keys[slot] ? map.values[slot] : UINT64_MAX;
            map.keys[slot] = key;
            map.values[slot] = i;
        }
    }
    free(pages);
    free(map.keys);
    free(map.values);
    machine_destroy(m);
    if (!ok)
        diag_set(err, tl->s->path, 0, 0, "out of memory computing the future for opt");
    return ok;
}

/* ------------------------------------------------------------------ */
/* life cycle                                                           */

static void state_release(struct tl_state *st)
{
    machine_destroy(st->m);
    st->m = NULL;
}

static bool state_copy(struct tl_state *dst, const struct tl_state *src)
{
    *dst = *src;
    dst->m = machine_clone(src->m);
    return dst->m != NULL;
}

static bool take_snapshot(struct timeline *tl)
{
    if (tl->nsnaps == TIMELINE_MAX_SNAPSHOTS) {
        /* Thin out: keep every other snapshot, double the spacing. */
        size_t kept = 0;
        for (size_t i = 0; i < tl->nsnaps; i++) {
            if (i % 2 == 0)
                tl->snaps[kept++] = tl->snaps[i];
            else
                state_release(&tl->snaps[i]);
        }
        tl->nsnaps = kept;
        tl->interval *= 2;
    }
    if (!state_copy(&tl->snaps[tl->nsnaps], &tl->st))
        return false;
    tl->nsnaps++;
    return true;
}

struct timeline *timeline_create(const struct scenario *s, const struct timeline_overrides *o,
                                 struct diag *err)
{
    struct machine_config cfg;
    if (!config_from(s, o, &cfg, err) || !check_steps(s, s->steps, s->step_count, &cfg, err))
        return NULL;
    uint64_t total = scenario_count_accesses(s->steps, s->step_count, geometry_page_size(&cfg.geo));
    if (total > SCENARIO_MAX_ACCESSES) {
        diag_set(err, s->path, s->steps[0].pos.line, s->steps[0].pos.col,
                 "the steps perform %llu accesses with %llu-byte pages (expected at most %lu)",
                 (unsigned long long)total, (unsigned long long)geometry_page_size(&cfg.geo),
                 SCENARIO_MAX_ACCESSES);
        return NULL;
    }
    struct timeline *tl = calloc(1, sizeof *tl);
    if (!tl) {
        diag_set(err, s->path, 0, 0, "out of memory");
        return NULL;
    }
    tl->s = s;
    tl->interval = 1024;
    tl->first_pid = (uint32_t)s->processes[0].pid.value;
    tl->snaps = calloc(TIMELINE_MAX_SNAPSHOTS, sizeof *tl->snaps);
    if (!tl->snaps) {
        diag_set(err, s->path, 0, 0, "out of memory");
        free(tl);
        return NULL;
    }
    /* Each of these sets err itself when it fails. */
    tl->st.m = build_machine(s, &cfg, err);
    if (!tl->st.m || !program_init(&tl->prog, s, geometry_page_size(&cfg.geo), err)) {
        machine_destroy(tl->st.m);
        free(tl->snaps);
        free(tl);
        return NULL;
    }
    if (cfg.policy == POLICY_opt) {
        if (!compute_future(tl, tl->st.m, total, err)) {
            timeline_destroy(tl);
            return NULL;
        }
        machine_set_future(tl->st.m, tl->future, total);
    }
    cursor_start(&tl->prog, &tl->st.cur, tl->first_pid);
    if (!take_snapshot(tl)) {
        diag_set(err, s->path, 0, 0, "out of memory");
        timeline_destroy(tl);
        return NULL;
    }
    return tl;
}

void timeline_destroy(struct timeline *tl)
{
    if (!tl)
        return;
    state_release(&tl->st);
    for (size_t i = 0; i < tl->nsnaps; i++)
        state_release(&tl->snaps[i]);
    free(tl->snaps);
    program_destroy(&tl->prog);
    free(tl->future);
    free(tl);
}

/* ------------------------------------------------------------------ */
/* playing                                                              */

static void push_log(struct timeline *tl, const struct tl_event *e)
{
    tl->log[tl->log_next] = *e;
    tl->log_next = (tl->log_next + 1) % TIMELINE_LOG_SIZE;
    if (tl->log_count < TIMELINE_LOG_SIZE)
        tl->log_count++;
}

static void evaluate_expect(struct tl_state *st, const struct scenario_step *step,
                            struct tl_event *e)
{
    const struct counters *now = &st->m->counters;
    for (size_t i = 0; i < step->u.expect.count && e->nchecks < TL_EXPECT_MAX; i++) {
        const struct scenario_expect *x = &step->u.expect.items[i];
        int id = counter_lookup(x->name);
        if (id < 0)
            continue;
        struct tl_check *c = &e->checks[e->nchecks++];
        c->counter = (enum counter_id)id;
        c->relative = x->relative != 0;
        c->expected = (uint64_t)x->value;
        uint64_t total = counter_get(now, c->counter);
        c->actual = c->relative ? total - counter_get(&st->expect_base, c->counter) : total;
        c->ok = c->actual == c->expected;
        c->line = x->value_pos.line;
        c->col = x->value_pos.col;
        if (!c->ok)
            e->failed = true;
    }
    st->expect_base = *now;
    if (e->failed)
        st->failures++;
}

/* Fills e for a scenario item (say, chapter, pause, expect, failed). */
static void play_item(struct tl_state *st, const struct item *item, struct tl_event *e)
{
    const struct scenario_step *step = item->step;
    switch (item->kind) {
    case ITEM_SAY:
        e->kind = TL_SAY;
        e->text = step->u.text.text.value;
        break;
    case ITEM_CHAPTER:
        e->kind = TL_CHAPTER;
        e->text = step->u.text.text.value;
        st->chapter = e->text;
        st->chapter_base = st->m->counters;
        break;
    case ITEM_PAUSE:
        e->kind = TL_PAUSE;
        break;
    case ITEM_EXPECT:
        e->kind = TL_EXPECT;
        evaluate_expect(st, step, e);
        break;
    case ITEM_FAILED:
    case ITEM_OP:
        e->kind = TL_MACHINE;
        event_init(&e->ev, EV_OP_FAILED);
        snprintf(e->ev.detail, sizeof e->ev.detail, "%s", item->reason);
        break;
    }
}

/* One event forward on state st (no snapshots, no log). false at the end. */
static bool advance(struct timeline *tl, struct tl_state *st, struct tl_event *e)
{
    memset(e, 0, sizeof *e);
    if (!st->in_op) {
        if (st->ended || !cursor_next(&tl->prog, &st->cur, st->m, &st->item)) {
            st->ended = true;
            return false;
        }
        if (st->item.kind != ITEM_OP) {
            play_item(st, &st->item, e);
            e->step = st->item.step;
            e->ends_access = e->ends_op = true;
            goto done;
        }
        machine_begin(st->m, &st->item.op);
        st->in_op = true;
    }
    e->kind = TL_MACHINE;
    e->step = st->item.step;
    st->in_op = machine_step(st->m, &e->ev);
    e->ends_access = !st->in_op;
    e->ends_op = !st->in_op && st->item.last_of_step;
done:
    st->position++;
    e->position = st->position;
    e->op_seq = st->cur.op_seq;
    e->access_seq = st->cur.access_seq;
    return true;
}

/* A snapshot is taken between operations, once the spacing has passed
 * since the newest one. */
static bool snapshot_due(const struct timeline *tl)
{
    return !tl->st.in_op &&
           tl->st.position >= tl->snaps[tl->nsnaps - 1].position + tl->interval;
}

const struct tl_event *timeline_next(struct timeline *tl)
{
    if (snapshot_due(tl))
        take_snapshot(tl);
    struct tl_event e;
    if (!advance(tl, &tl->st, &e)) {
        tl->end_known = true;
        tl->end_position = tl->st.position;
        return NULL;
    }
    push_log(tl, &e);
    return &tl->log[(tl->log_next + TIMELINE_LOG_SIZE - 1) % TIMELINE_LOG_SIZE];
}

/* Restores the newest snapshot at or before `position`. */
static void restore_before(struct timeline *tl, uint64_t position)
{
    size_t i = tl->nsnaps;
    while (i > 1 && tl->snaps[i - 1].position > position)
        i--;
    struct tl_state copy;
    if (!state_copy(&copy, &tl->snaps[i - 1]))
        return; /* out of memory: stay where we are */
    state_release(&tl->st);
    tl->st = copy;
    tl->log_count = 0;
    tl->log_next = 0;
}

void timeline_seek(struct timeline *tl, uint64_t position)
{
    if (tl->end_known && position > tl->end_position)
        position = tl->end_position;
    if (position < tl->st.position) {
        /* Start far enough back that the event log fills up again. */
        uint64_t from = position > TIMELINE_LOG_SIZE ? position - TIMELINE_LOG_SIZE : 0;
        restore_before(tl, from);
    }
    while (tl->st.position < position && timeline_next(tl))
        ;
}

static bool is_boundary(const struct tl_event *e, enum tl_unit unit)
{
    switch (unit) {
    case TL_UNIT_EVENT: return true;
    case TL_UNIT_ACCESS: return e->ends_access;
    case TL_UNIT_OP: return e->ends_op;
    case TL_UNIT_CHAPTER: return e->kind == TL_CHAPTER;
    }
    return true;
}

/* The greatest position before `before` that ends a unit, found by
 * replaying windows between snapshots, newest first. 0 when none. */
static uint64_t previous_boundary(struct timeline *tl, uint64_t before, enum tl_unit unit)
{
    size_t i = tl->nsnaps;
    while (i > 1 && tl->snaps[i - 1].position >= before)
        i--;
    for (; i > 0; i--) {
        struct tl_state scratch;
        if (!state_copy(&scratch, &tl->snaps[i - 1]))
            return 0;
        uint64_t found = 0;
        struct tl_event e;
        while (scratch.position + 1 < before && advance(tl, &scratch, &e))
            if (is_boundary(&e, unit))
                found = e.position;
        state_release(&scratch);
        if (found)
            return found;
        before = tl->snaps[i - 1].position + 1;
        if (tl->snaps[i - 1].position == 0)
            return 0;
    }
    return 0;
}

bool timeline_step(struct timeline *tl, enum tl_unit unit, int direction)
{
    if (direction < 0) {
        if (tl->st.position == 0)
            return false;
        uint64_t target = unit == TL_UNIT_EVENT ? tl->st.position - 1
                                                : previous_boundary(tl, tl->st.position, unit);
        timeline_seek(tl, target);
        return true;
    }
    const struct tl_event *e;
    bool moved = false;
    while ((e = timeline_next(tl)) != NULL) {
        moved = true;
        if (is_boundary(e, unit))
            return true;
    }
    return moved;
}

static bool stops_at(const struct tl_event *e, enum tl_stop stop)
{
    switch (stop) {
    case TL_STOP_FAULT:
        return e->kind == TL_MACHINE && e->ev.kind == EV_PAGE_FAULT;
    case TL_STOP_EVICTION:
        return e->kind == TL_MACHINE && e->ev.kind == EV_VICTIM_CHOSEN;
    case TL_STOP_TLB_MISS:
        return e->kind == TL_MACHINE && e->ev.kind == EV_TLB_MISS;
    case TL_STOP_CHAPTER:
        return e->kind == TL_CHAPTER;
    case TL_STOP_FAILED:
        return e->kind == TL_EXPECT && e->failed;
    case TL_STOP_PAUSE:
        return e->kind == TL_PAUSE || e->kind == TL_CHAPTER;
    }
    return false;
}

bool timeline_run_until(struct timeline *tl, enum tl_stop stop)
{
    const struct tl_event *e;
    while ((e = timeline_next(tl)) != NULL)
        if (stops_at(e, stop))
            return true;
    return false;
}

void timeline_run_fast(struct timeline *tl)
{
    struct tl_state *st = &tl->st;
    struct tl_event e;
    /* Finish an operation in progress event by event, then go fast. */
    while (st->in_op && advance(tl, st, &e))
        push_log(tl, &e);
    for (;;) {
        /* Snapshots as playing would take them, so stepping back after a
         * fast run does not replay from the start. */
        if (snapshot_due(tl))
            take_snapshot(tl);
        if (st->ended || !cursor_next(&tl->prog, &st->cur, st->m, &st->item)) {
            st->ended = true;
            break;
        }
        if (st->item.kind == ITEM_OP) {
            st->position += machine_run_op(st->m, &st->item.op);
            continue;
        }
        memset(&e, 0, sizeof e);
        play_item(st, &st->item, &e);
        e.step = st->item.step;
        e.ends_access = e.ends_op = true;
        st->position++;
        e.position = st->position;
        e.op_seq = st->cur.op_seq;
        e.access_seq = st->cur.access_seq;
        push_log(tl, &e);
    }
    tl->end_known = true;
    tl->end_position = st->position;
}

/* ------------------------------------------------------------------ */
/* reading                                                              */

uint64_t timeline_position(const struct timeline *tl)
{
    return tl->st.position;
}

bool timeline_at_end(const struct timeline *tl)
{
    return tl->st.ended || (tl->end_known && tl->st.position >= tl->end_position);
}

const struct tl_event *timeline_current(const struct timeline *tl)
{
    if (tl->log_count == 0 || tl->st.position == 0)
        return NULL;
    const struct tl_event *e = &tl->log[(tl->log_next + TIMELINE_LOG_SIZE - 1) % TIMELINE_LOG_SIZE];
    return e->position == tl->st.position ? e : NULL;
}

size_t timeline_log(const struct timeline *tl, const struct tl_event **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < tl->log_count && n < max; i++)
        out[n++] = &tl->log[(tl->log_next + TIMELINE_LOG_SIZE - 1 - i) % TIMELINE_LOG_SIZE];
    return n;
}

const struct machine *timeline_machine(const struct timeline *tl)
{
    return tl->st.m;
}

const struct scenario *timeline_scenario(const struct timeline *tl)
{
    return tl->s;
}

const char *timeline_chapter(const struct timeline *tl)
{
    return tl->st.chapter;
}

const struct counters *timeline_chapter_start(const struct timeline *tl)
{
    return &tl->st.chapter_base;
}

uint64_t timeline_op_index(const struct timeline *tl)
{
    return tl->st.cur.op_seq;
}

uint64_t timeline_op_total(const struct timeline *tl)
{
    return tl->prog.op_total;
}

uint64_t timeline_failures(const struct timeline *tl)
{
    return tl->st.failures;
}

size_t timeline_snapshot_count(const struct timeline *tl)
{
    return tl->nsnaps;
}

static size_t machine_bytes(const struct machine *m)
{
    size_t bytes = sizeof *m;
    uint32_t total = frames_total(&m->pool);
    bytes += total * (sizeof(struct frame) + 2 * sizeof(uint64_t));
    for (uint32_t f = 0; f < total; f++) {
        bytes += m->pool.frames[f].capmaps * sizeof(struct rmap);
        bytes += m->pt.sizes[f] * sizeof(uint64_t);
    }
    bytes += (size_t)m->tlb.sets * m->tlb.ways * sizeof(struct tlb_entry);
    bytes += m->swap.nslots * sizeof(struct swap_slot);
    bytes += 2 * m->policy.nframes * (2 * sizeof(uint32_t) + 1);
    for (uint32_t i = 0; i < m->nprocs; i++)
        bytes += m->procs[i].capareas * sizeof(struct area);
    return bytes;
}

size_t timeline_snapshot_bytes(const struct timeline *tl)
{
    size_t bytes = 0;
    for (size_t i = 0; i < tl->nsnaps; i++)
        bytes += machine_bytes(tl->snaps[i].m) + sizeof(struct tl_state);
    return bytes;
}
