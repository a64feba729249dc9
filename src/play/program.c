/* The scenario as a stream of items. See program.h. */
#include "play/program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/chunked.h"

bool program_init(struct program *p, const struct scenario *s, uint64_t page_size,
                  struct diag *err)
{
    memset(p, 0, sizeof *p);
    p->scenario = s;
    p->page_size = page_size;
    /* Count leaf step runs and trace steps with an explicit stack. */
    struct {
        const struct scenario_step *steps;
        size_t count, index;
        uint64_t mult;
    } stack[CURSOR_DEPTH];
    unsigned depth = 1;
    stack[0].steps = s->steps;
    stack[0].count = s->step_count;
    stack[0].index = 0;
    stack[0].mult = 1;
    size_t ntraces = 0;
    while (depth > 0) {
        if (stack[depth - 1].index >= stack[depth - 1].count) {
            depth--;
            continue;
        }
        const struct scenario_step *st = &stack[depth - 1].steps[stack[depth - 1].index++];
        uint64_t mult = stack[depth - 1].mult;
        if (st->kind == STEP_REPEAT && depth < CURSOR_DEPTH) {
            uint64_t times = st->u.repeat.times.value;
            stack[depth].steps = st->u.repeat.steps;
            stack[depth].count = st->u.repeat.count;
            stack[depth].index = 0;
            stack[depth].mult = mult > UINT64_MAX / (times ? times : 1) ? UINT64_MAX : mult * times;
            depth++;
            continue;
        }
        p->op_total = p->op_total > UINT64_MAX - mult ? UINT64_MAX : p->op_total + mult;
        if (st->kind == STEP_TRACE) {
            const struct scenario_step **steps =
                realloc(p->trace_steps, (ntraces + 1) * sizeof *steps);
            if (!steps) {
                diag_set(err, s->path, st->pos.line, st->pos.col, "out of memory");
                program_destroy(p);
                return false;
            }
            p->trace_steps = steps;
            struct trace_reader **readers = realloc(p->readers, (ntraces + 1) * sizeof *readers);
            if (!readers) {
                diag_set(err, s->path, st->pos.line, st->pos.col, "out of memory");
                program_destroy(p);
                return false;
            }
            p->readers = readers;
            unsigned long limit = st->u.trace.limit.present ? st->u.trace.limit.value : 0;
            p->trace_steps[ntraces] = st;
            p->readers[ntraces] = trace_open(st->u.trace.path, st->u.trace.format, limit,
                                            page_size, err);
            p->ntraces = ++ntraces;
            if (!p->readers[ntraces - 1]) {
                program_destroy(p);
                return false;
            }
        }
    }
    return true;
}

void program_destroy(struct program *p)
{
    for (size_t i = 0; i < p->ntraces; i++)
        if (p->readers[i])
            trace_close(p->readers[i]);
    free(p->readers);
    free(p->trace_steps);
    p->readers = NULL;
    p->trace_steps = NULL;
    p->ntraces = 0;
    p->last_trace_step = NULL;
    p->last_reader = NULL;
}

void cursor_start(const struct program *p, struct cursor *c, uint32_t first_pid)
{
    memset(c, 0, sizeof *c);
    c->stack[0].steps = p->scenario->steps;
    c->stack[0].count = p->scenario->step_count;
    c->depth = 1;
    c->running_pid = first_pid;
}

static struct trace_reader *reader_of(struct program *p, const struct scenario_step *st)
{
    /* A trace step gives its accesses one after another: its reader is
     * mostly the one found last. */
    if (p->last_trace_step == st)
        return p->last_reader;
    for (size_t i = 0; i < p->ntraces; i++) {
        if (p->trace_steps[i] == st) {
            p->last_trace_step = st;
            p->last_reader = p->readers[i];
            return p->readers[i];
        }
    }
    return NULL;
}

/* A step's explicit pid, or 0 for the running process. */
static uint32_t step_pid(const struct scenario_num *pid)
{
    return pid->present ? (uint32_t)pid->value : 0;
}

/* The address an expression names, resolved in the target process first,
 * then in any process, then among the kernel areas. false when the symbol
 * names no current area. */
static bool resolve(const struct machine *m, const struct cursor *c, uint32_t pid,
                    const struct scenario_addr *a, uint64_t *out)
{
    if (!a->symbol) {
        *out = scenario_addr_absolute(a);
        return true;
    }
    const struct process *p = machine_process(m, pid ? pid : c->running_pid);
    const struct area *area = p ? process_find_named(p, a->symbol) : NULL;
    for (uint32_t i = 0; !area && i < m->nprocs; i++)
        if (m->procs[i].alive)
            area = process_find_named(&m->procs[i], a->symbol);
    for (uint32_t i = 0; !area && i < m->nkernel_areas; i++)
        if (strcmp(m->kernel_areas[i].name, a->symbol) == 0)
            area = &m->kernel_areas[i];
    if (!area)
        return false;
    *out = area->start + (uint64_t)a->offset;
    return true;
}

static void item_op(struct item *out, enum op_kind kind, uint32_t pid)
{
    out->kind = ITEM_OP;
    vm_clear_small(&out->op, sizeof out->op);
    out->op.kind = kind;
    out->op.pid = pid;
    out->op.future_index = UINT64_MAX;
}

static void item_access(struct item *out, struct cursor *c, uint32_t pid, enum access_kind access,
                        uint64_t va)
{
    item_op(out, OP_ACCESS, pid);
    out->op.access = access;
    out->op.va = va;
    out->op.future_index = c->access_seq++;
}

static void item_failed(struct item *out, const char *before, const char *name,
                        const char *after)
{
    out->kind = ITEM_FAILED;
    snprintf(out->reason, sizeof out->reason, "%s%s%s", before, name, after);
}

/* An item that cannot run because the area `symbol` names is not mapped
 * in process pid (0: the running one). When that process has ended, by
 * exit or the OOM killer, its areas went with it: the step is skipped as
 * any later step of the process is (ITEM_GONE), where "no area named"
 * would hide why. */
static void item_area_missing(struct item *out, const struct machine *m, const struct cursor *c,
                              uint32_t pid, const char *symbol)
{
    const struct process *p = machine_process(m, pid ? pid : c->running_pid);
    if (p && !p->alive) {
        item_op(out, OP_ACCESS, p->pid);
        out->kind = ITEM_GONE;
        return;
    }
    item_failed(out, "no area named '", symbol, "' is mapped");
}

static enum access_kind access_of(char kind)
{
    return kind == SCENARIO_ACCESS_WRITE ? ACCESS_WRITE
         : kind == SCENARIO_ACCESS_EXEC  ? ACCESS_EXEC
                                         : ACCESS_READ;
}

/* The area a range step names: by name, or addr + size. */
static bool resolve_range(const struct machine *m, const struct cursor *c, uint32_t pid,
                          const struct scenario_step *st, uint64_t *start, uint64_t *size)
{
    if (st->u.range.name.present) {
        const struct process *p = machine_process(m, pid ? pid : c->running_pid);
        uint64_t end;
        if (!p || !process_named_span(p, st->u.range.name.value, start, &end))
            return false;
        *size = end - *start;
        return true;
    }
    *size = st->u.range.size.value;
    return resolve(m, c, pid, &st->u.range.addr, start);
}

void program_image_of(const struct scenario_program *p, struct program_image *img)
{
    img->base = p->start.present ? p->start.value : SCENARIO_DEFAULT_PROGRAM_START;
    img->text = p->text.value;
    img->data = p->data.value;
    img->bss = p->bss.value;
}

/* An execve or spawn of the file named: its object and its layout. The
 * loader checked that the file exists and has a program layout. */
static void item_program(const struct program *p, const struct machine *m, const char *name,
                         struct item *out)
{
    for (size_t i = 0; i < p->scenario->file_count; i++) {
        const struct scenario_file *f = &p->scenario->files[i];
        if (strcmp(f->name.value, name) == 0)
            program_image_of(&f->program, &out->op.image);
    }
    uint32_t id = machine_find_object(m, name);
    out->op.file = id == EV_NONE ? 0 : id + 1;
    snprintf(out->op.name, sizeof out->op.name, "%s", name);
}

/* What an access of trace step st marks in its operation: whether its
 * value was a page number (pages). For produce and cursor_run_item. */
static void trace_op_marks(struct op *op, const struct scenario_step *st, bool pages)
{
    op->textbook = pages;
    op->auto_area = pages || st->u.trace.auto_areas.value;
}

/* An item's record_bytes for a trace record of size bytes: 0 when more
 * than it holds. */
static uint16_t record_bytes_of(unsigned size)
{
    return size > UINT16_MAX ? 0 : (uint16_t)size;
}

/* Produces item number c->sub of a leaf step. Sets last_of_step. */
static void produce(struct program *p, struct cursor *c, const struct machine *m,
                    const struct scenario_step *st, struct item *out)
{
    out->last_of_step = true;
    switch (st->kind) {
    case STEP_READ:
    case STEP_WRITE:
    case STEP_EXEC: {
        uint32_t pid = step_pid(&st->u.access.pid);
        uint64_t va;
        if (!resolve(m, c, pid, &st->u.access.addr, &va)) {
            item_area_missing(out, m, c, pid, st->u.access.addr.symbol);
            return;
        }
        item_access(out, c, pid, st->kind == STEP_READ ? ACCESS_READ
                                 : st->kind == STEP_WRITE ? ACCESS_WRITE : ACCESS_EXEC, va);
        out->op.kernel_mode = st->u.access.kernel.value != 0;
        return;
    }
    case STEP_REFS: {
        const struct scenario_ref *r = &st->u.refs.entries[c->sub];
        item_access(out, c, step_pid(&st->u.refs.pid), r->write ? ACCESS_WRITE : ACCESS_READ,
                    r->page * p->page_size);
        out->op.textbook = true;
        out->op.auto_area = true;
        out->last_of_step = c->sub + 1 >= st->u.refs.count;
        return;
    }
    case STEP_FILL: {
        uint32_t pid = step_pid(&st->u.fill.pid);
        uint64_t start;
        if (!resolve(m, c, pid, &st->u.fill.start, &start)) {
            item_area_missing(out, m, c, pid, st->u.fill.start.symbol);
            return;
        }
        uint64_t stride = st->u.fill.stride.present ? st->u.fill.stride.value : p->page_size;
        uint64_t offset = c->sub * stride;
        item_access(out, c, pid, access_of((char)st->u.fill.access), start + offset);
        out->op.kernel_mode = st->u.fill.kernel.value != 0;
        out->last_of_step = offset + stride >= st->u.fill.size.value;
        return;
    }
    case STEP_MMAP: {
        item_op(out, OP_MMAP, step_pid(&st->u.mmap.pid));
        out->op.size = st->u.mmap.size.value;
        out->op.va = UINT64_MAX;
        if (st->u.mmap.start.present &&
            !resolve(m, c, out->op.pid, &st->u.mmap.start, &out->op.va)) {
            item_area_missing(out, m, c, out->op.pid, st->u.mmap.start.symbol);
            return;
        }
        out->op.prot = st->u.mmap.prot.present ? (uint8_t)st->u.mmap.prot.value : PROT_R | PROT_W;
        out->op.shared = st->u.mmap.shared.value;
        out->op.huge = st->u.mmap.huge.value;
        if (st->u.mmap.file.present) {
            uint32_t id = machine_find_object(m, st->u.mmap.file.value);
            out->op.file = id == EV_NONE ? 0 : id + 1;
            out->op.offset = st->u.mmap.offset.present ? st->u.mmap.offset.value : 0;
        }
        if (st->u.mmap.device.present) {
            const struct device *d = machine_device_named(m, st->u.mmap.device.value);
            out->op.device = d ? (uint32_t)(d - m->devices) + 1 : 0;
            out->op.offset = st->u.mmap.offset.present ? st->u.mmap.offset.value : 0;
        }
        snprintf(out->op.name, sizeof out->op.name, "%s", st->u.mmap.name.value);
        return;
    }
    case STEP_MUNMAP:
    case STEP_MPROTECT: {
        uint32_t pid = step_pid(&st->u.range.pid);
        item_op(out, st->kind == STEP_MUNMAP ? OP_MUNMAP : OP_MPROTECT, pid);
        if (!resolve_range(m, c, pid, st, &out->op.va, &out->op.size)) {
            const char *name = st->u.range.name.present ? st->u.range.name.value
                                                        : st->u.range.addr.symbol;
            item_area_missing(out, m, c, pid, name);
            return;
        }
        out->op.prot = (uint8_t)st->u.range.prot.value;
        return;
    }
    case STEP_MAP: {
        uint32_t pid = step_pid(&st->u.map.pid);
        item_op(out, OP_MAP_FRAME, pid);
        if (!resolve(m, c, pid, &st->u.map.va, &out->op.va)) {
            item_area_missing(out, m, c, pid, st->u.map.va.symbol);
            return;
        }
        out->op.frame = (uint32_t)st->u.map.frame.value;
        out->op.prot = st->u.map.prot.present ? (uint8_t)st->u.map.prot.value : PROT_R | PROT_W;
        return;
    }
    case STEP_SWITCH:
        item_op(out, OP_SWITCH, (uint32_t)st->u.process.pid.value);
        c->running_pid = out->op.pid;
        return;
    case STEP_EXIT:
        item_op(out, OP_EXIT, step_pid(&st->u.process.pid));
        return;
    case STEP_TRACE: {
        struct trace_reader *r = reader_of(p, st);
        if (c->sub == 0)
            memset(&c->tpos, 0, sizeof c->tpos);
        if (!trace_is_at(r, &c->tpos) && trace_seek(r, &c->tpos) < 0) {
            /* Read from anywhere else, the accesses would not be the ones
             * the cursor stands at: the step ends, saying why. */
            out->kind = ITEM_FAILED;
            snprintf(out->reason, sizeof out->reason,
                     "trace '%.24s' cannot be read again from line %lu",
                     st->u.trace.file.value, c->tpos.line + 1);
            return;
        }
        struct trace_access a;
        struct diag err;
        if (trace_next(r, &a, &err) != 1) {
            /* Checked whole at load: only a file changed since can do this. */
            out->kind = ITEM_FAILED;
            /* The reason has room for the place, not always for the path. */
            snprintf(out->reason, sizeof out->reason,
                     "trace '%.24s' changed since it was loaded (line %u column %u)",
                     st->u.trace.file.value, err.line, err.col);
            return;
        }
        trace_tell(r, &c->tpos);
        uint32_t pid = step_pid(&st->u.trace.pid);
        item_access(out, c, pid, access_of(a.kind), a.is_page ? a.value * p->page_size : a.value);
        trace_op_marks(&out->op, st, a.is_page != 0);
        out->last_of_step = c->sub + 1 >= st->u.trace.count;
        out->page_part = a.page_part > UINT8_MAX ? UINT8_MAX : (uint8_t)a.page_part;
        out->record_bytes = record_bytes_of(a.record_size);
        return;
    }
    case STEP_SAY:
        out->kind = ITEM_SAY;
        return;
    case STEP_CHAPTER:
        out->kind = ITEM_CHAPTER;
        return;
    case STEP_PAUSE:
        out->kind = ITEM_PAUSE;
        return;
    case STEP_EXPECT:
        out->kind = ITEM_EXPECT;
        return;
    case STEP_ASK:
        out->kind = ITEM_ASK;
        return;
    case STEP_FORK:
        item_op(out, OP_FORK, step_pid(&st->u.fork.parent));
        out->op.child = (uint32_t)st->u.fork.child.value;
        if (st->u.fork.name.present)
            snprintf(out->op.name, sizeof out->op.name, "%s", st->u.fork.name.value);
        return;
    case STEP_EXECVE:
        item_op(out, OP_EXECVE, step_pid(&st->u.exec.pid));
        item_program(p, m, st->u.exec.program.value, out);
        return;
    case STEP_SPAWN:
        item_op(out, OP_SPAWN, step_pid(&st->u.exec.pid));
        out->op.child = (uint32_t)st->u.exec.child.value;
        item_program(p, m, st->u.exec.program.value, out);
        return;
    case STEP_BRK:
        item_op(out, OP_BRK, step_pid(&st->u.brk.pid));
        out->op.size = st->u.brk.size.value;
        return;
    case STEP_REPEAT:
    case STEP_KIND_COUNT:
        break;
    }
    item_failed(out, "", step_kind_name(st->kind), " is not supported");
}

size_t cursor_next_trace_run(struct program *p, const struct cursor *c, struct cursor_run *run)
{
    if (c->depth == 0 || c->sub == 0)
        return 0;
    const struct cursor_frame *f = &c->stack[c->depth - 1];
    if (f->index >= f->count || f->steps[f->index].kind != STEP_TRACE)
        return 0;
    const struct scenario_step *st = &f->steps[f->index];
    /* The step's last access stays cursor_next's, which ends the step. */
    uint64_t left = st->u.trace.count > c->sub + 1 ? st->u.trace.count - c->sub - 1 : 0;
    size_t max = left < CURSOR_RUN_MAX ? (size_t)left : CURSOR_RUN_MAX;
    struct trace_reader *r = reader_of(p, st);
    if (max == 0 || !trace_is_at(r, &c->tpos))
        return 0;
    run->count = trace_next_run(r, run->acc, max);
    if (run->count == 0)
        return 0;
    run->from = c->tpos;
    trace_tell(r, &run->to);
    run->step = st;
    run->pid = step_pid(&st->u.trace.pid);
    run->pages = st->u.trace.format == TRACE_PAGES;
    run->page_size = run->pages ? p->page_size : 1;
    run->first_sub = c->sub;
    run->first_access = c->access_seq;
    return run->count;
}

void cursor_run_item(struct cursor *c, const struct cursor_run *run, size_t i, struct item *out)
{
    const struct trace_run_access *a = &run->acc[i];
    if (i == 0) {
        /* What produce makes of a trace access, less what each one sets. */
        item_op(out, OP_ACCESS, run->pid);
        out->step = run->step;
        out->last_of_step = false;
        out->page_part = 0;
        out->reason[0] = '\0';
        trace_op_marks(&out->op, run->step, run->pages);
    }
    out->op.access = access_of(a->kind);
    out->op.va = cursor_run_va(run, i);
    out->op.future_index = run->first_access + i;
    out->record_bytes = record_bytes_of(a->size);
    c->sub = run->first_sub + i + 1;
    c->access_seq = run->first_access + i + 1;
}

void cursor_run_done(struct cursor *c, const struct cursor_run *run, size_t used)
{
    c->sub = run->first_sub + used;
    c->access_seq = run->first_access + used;
    /* Short of the whole run, the reader stands past what was used: the
     * next cursor_next, finding it elsewhere, seeks back. */
    if (used == run->count)
        c->tpos = run->to;
    else
        trace_run_tell(&run->from, run->acc, used, &c->tpos);
}

bool cursor_next(struct program *p, struct cursor *c, const struct machine *m, struct item *out)
{
    while (c->depth > 0) {
        struct cursor_frame *f = &c->stack[c->depth - 1];
        if (f->index >= f->count) {
            if (c->depth == 1) {
                c->depth = 0;
                break;
            }
            if (f->times_left > 1) {
                f->times_left--;
                f->index = 0;
                continue;
            }
            c->depth--;
            c->stack[c->depth - 1].index++;
            c->sub = 0;
            continue;
        }
        const struct scenario_step *st = &f->steps[f->index];
        if (st->kind == STEP_REPEAT) {
            if (c->depth >= CURSOR_DEPTH || st->u.repeat.count == 0 ||
                st->u.repeat.times.value == 0) {
                f->index++;
                continue;
            }
            struct cursor_frame *inner = &c->stack[c->depth++];
            inner->steps = st->u.repeat.steps;
            inner->count = st->u.repeat.count;
            inner->index = 0;
            inner->times_left = st->u.repeat.times.value;
            c->sub = 0;
            continue;
        }
        /* The item is built in place, each kind setting what it uses (an
         * operation's op is cleared once, by item_op): only what every kind
         * reads is reset here. */
        out->step = st;
        out->page_part = 0;
        out->record_bytes = 0;
        out->reason[0] = '\0';
        if (c->sub == 0)
            c->op_seq++;
        produce(p, c, m, st, out);
        if (out->kind == ITEM_FAILED || out->kind == ITEM_GONE)
            out->last_of_step = true;
        if (out->last_of_step) {
            f->index++;
            c->sub = 0;
        } else {
            c->sub++;
        }
        return true;
    }
    c->done = true;
    return false;
}
