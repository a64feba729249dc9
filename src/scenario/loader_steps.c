/* The steps of a scenario: one function per kind, the dispatcher, and the
 * lists of steps with their budget of accesses (SCENARIO_MAX_ACCESSES) and
 * steps (SCENARIO_MAX_STEPS). The trace step is in loader_trace.c. See
 * loader_internal.h. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "scenario/loader_internal.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/value.h"

int ld_fail_accesses(struct loader *ld, struct scenario_pos p)
{
    return ld_fail_at(ld, p, "too many accesses: the scenario would perform more than %lu "
                      "(expected at most %lu; use smaller sizes, fewer repeats or a trace "
                      "limit)", SCENARIO_MAX_ACCESSES, SCENARIO_MAX_ACCESSES);
}

/* read, write, exec: ADDRESS or {addr, pid, kernel}. */
static int step_access(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"addr", "pid", "kernel"};
    yaml_node_t *v[COUNT_OF(keys)];
    const char *kind = step_kind_name(st->kind);
    char label[32];

    snprintf(label, sizeof label, "'%s'", kind);
    st->accesses = 1;
    if (n->type != YAML_MAPPING_NODE)
        return ld_get_addr(ld, n, label, &st->u.access.addr);
    snprintf(label, sizeof label, "in %s", kind);
    if (ld_map_keys(ld, n, label, "an address or {addr, pid, kernel}", keys, COUNT_OF(keys),
                    v) < 0
        || ld_require(ld, n, v[0], "addr", label, ld_addr_expected) < 0
        || ld_get_addr(ld, v[0], KEY("addr"), &st->u.access.addr) < 0
        || ld_opt_pid(ld, v[1], KEY("pid"), &st->u.access.pid) < 0
        || (v[2] && ld_get_flag(ld, v[2], KEY("kernel"), &st->u.access.kernel) < 0))
        return -1;
    return 0;
}

static const char ref_expected[] = "a page number, optionally followed by w for a write";

static int parse_ref(const char *text, size_t len, struct scenario_ref *ref)
{
    ref->write = 0;
    if (len > 1 && (text[len - 1] == 'w' || text[len - 1] == 'W')) {
        ref->write = 1;
        len--;
    }
    return value_parse_number(text, len, &ref->page) == VALUE_OK ? 0 : -1;
}

/* refs given as one string: "7 0 1 2w", entries split by spaces or commas. */
static int refs_from_string(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    const char *text = NULL;
    size_t len = 0, count = 0;
    /* Columns inside a quoted scalar start after the quote. */
    unsigned col0 = ld_pos(n).col + (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE);

    if (ld_scalar_text(ld, n, KEY("refs"), "a list of page numbers", &text, &len) < 0)
        return -1;
    for (size_t i = 0; i < len;) {
        while (i < len && (text[i] == ' ' || text[i] == ',' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i == len)
            break;
        count++;
        while (i < len && text[i] != ' ' && text[i] != ',' && text[i] != '\t' && text[i] != '\n')
            i++;
    }
    if (count == 0)
        return ld_fail_type(ld, n, KEY("refs"), "at least one page number");
    struct scenario_ref *refs = arena_calloc(ld->arena, count, sizeof *refs);
    if (refs == NULL)
        return ld_fail_oom(ld, n);
    count = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && (text[i] == ' ' || text[i] == ',' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && text[i] != ' ' && text[i] != ',' && text[i] != '\t' && text[i] != '\n')
            i++;
        refs[count].pos = (struct scenario_pos){ld_pos(n).line, col0 + (unsigned)start};
        if (parse_ref(text + start, i - start, &refs[count]) < 0)
            return ld_fail_at(ld, refs[count].pos, "a refs entry is '%.*s' (expected %s)",
                              (int)(i - start < DIAG_QUOTE_MAX ? i - start : DIAG_QUOTE_MAX),
                              text + start, ref_expected);
        count++;
    }
    st->u.refs.entries = refs;
    st->u.refs.count = count;
    return 0;
}

static int refs_pages(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    if (n->type == YAML_SCALAR_NODE && !ld_is_null(n))
        return refs_from_string(ld, n, st);
    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("refs"), "a list of page numbers like [7, 0, 1, 2w]");
    if (ld_items(n) == 0)
        return ld_fail_type(ld, n, KEY("refs"), "at least one page number");
    if (ld_charge(ld, n) < 0)
        return -1;
    size_t count = ld_items(n);
    struct scenario_ref *refs = arena_calloc(ld->arena, count, sizeof *refs);
    if (refs == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        const char *text = NULL;
        size_t len = 0;
        if (ld_scalar_text(ld, item, "a refs entry", ref_expected, &text, &len) < 0)
            return -1;
        if (parse_ref(text, len, &refs[i]) < 0)
            return ld_fail_type(ld, item, "a refs entry", ref_expected);
        refs[i].pos = ld_pos(item);
    }
    st->u.refs.entries = refs;
    st->u.refs.count = count;
    return 0;
}

/* refs: [7, 0w, 1] | "7 0w 1" | {pages: ..., pid: N}. */
static int step_refs(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"pages", "pid"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (n->type == YAML_MAPPING_NODE) {
        if (ld_map_keys(ld, n, "in refs", "{pages, pid}", keys, COUNT_OF(keys), v) < 0
            || ld_require(ld, n, v[0], "pages", "in refs", "a list of page numbers") < 0
            || refs_pages(ld, v[0], st) < 0
            || ld_opt_pid(ld, v[1], KEY("pid"), &st->u.refs.pid) < 0)
            return -1;
    } else if (refs_pages(ld, n, st) < 0) {
        return -1;
    }
    st->accesses = st->u.refs.count;
    return 0;
}

static int get_access_kind(struct loader *ld, const yaml_node_t *n,
                           enum scenario_access *out)
{
    static const char *const names[] = {
#define ACCESS_NAME(id, letter, name) name,
        TRACE_ACCESS_INFO(ACCESS_NAME)
#undef ACCESS_NAME
    };
    static const enum scenario_access kinds[] = {
#define ACCESS_KIND(id, letter, name) SCENARIO_ACCESS_##id,
        TRACE_ACCESS_INFO(ACCESS_KIND)
#undef ACCESS_KIND
    };
    const char *text = NULL;
    size_t len = 0;
    char list[DIAG_MESSAGE_MAX];

    diag_list(list, sizeof list, names, COUNT_OF(names));
    if (ld_scalar_text(ld, n, KEY("access"), list, &text, &len) < 0)
        return -1;
    for (size_t i = 0; i < COUNT_OF(names); i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = kinds[i];
            return 0;
        }
    }
    char expected[DIAG_MESSAGE_MAX];
    return ld_fail_at(ld, ld_pos(n), "unknown access '%.*s' (%s)", DIAG_QUOTE_MAX, text,
                      diag_expected_choice(expected, sizeof expected, text, names,
                                           COUNT_OF(names)));
}

/* fill: {start, size, stride, access, pid, kernel}. */
static int step_fill(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { START, SIZE, STRIDE, ACCESS, PID, KERNEL, NKEYS };
    static const char *const keys[NKEYS] = {"start", "size", "stride", "access", "pid",
                                            "kernel"};
    yaml_node_t *v[NKEYS];

    st->u.fill.access = SCENARIO_ACCESS_READ;
    if (ld_map_keys(ld, n, "in fill", "a mapping {start, size, stride, access, pid, kernel}",
                    keys, NKEYS, v) < 0
        || ld_require(ld, n, v[START], "start", "in fill", ld_addr_expected) < 0
        || ld_require(ld, n, v[SIZE], "size", "in fill", ld_size_expected) < 0
        || ld_get_addr(ld, v[START], KEY("start"), &st->u.fill.start) < 0
        || ld_get_positive_size(ld, v[SIZE], KEY("size"), &st->u.fill.size) < 0
        || (v[STRIDE] && ld_get_size(ld, v[STRIDE], KEY("stride"), &st->u.fill.stride) < 0)
        || ld_opt_pid(ld, v[PID], KEY("pid"), &st->u.fill.pid) < 0
        || (v[KERNEL] && ld_get_flag(ld, v[KERNEL], KEY("kernel"), &st->u.fill.kernel) < 0))
        return -1;
    if (v[ACCESS] != NULL) {
        if (get_access_kind(ld, v[ACCESS], &st->u.fill.access) < 0)
            return -1;
        st->u.fill.access_pos = ld_pos(v[ACCESS]);
    }
    uint64_t size = st->u.fill.size.value;
    if (st->u.fill.stride.present
        && (st->u.fill.stride.value == 0 || st->u.fill.stride.value > size))
        return ld_fail_at(ld, st->u.fill.stride.pos, KEY("stride") " is %llu (expected more "
                          "than 0 and at most the size, %llu)",
                          (unsigned long long)st->u.fill.stride.value, (unsigned long long)size);
    uint64_t stride = st->u.fill.stride.present ? st->u.fill.stride.value : ld->page_size;
    st->accesses = size / stride + (size % stride != 0);
    return 0;
}

/* mmap: {name, size, start, prot, shared, file, device, offset, huge, pid}. */
static int step_mmap(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { NAME, SIZE, START, PROT, SHARED, FILE_, DEVICE, OFFSET, HUGE_, PID, NKEYS };
    static const char *const keys[NKEYS] = {"name", "size", "start", "prot", "shared",
                                            "file", "device", "offset", "huge", "pid"};
    yaml_node_t *v[NKEYS];

    if (ld_map_keys(ld, n, "in mmap", "a mapping {name, size, prot, ...}", keys, NKEYS, v) < 0
        || ld_require(ld, n, v[NAME], "name", "in mmap", "a name for the new area") < 0
        || ld_require(ld, n, v[SIZE], "size", "in mmap", ld_size_expected) < 0
        || ld_get_name(ld, v[NAME], KEY("name"), &st->u.mmap.name) < 0
        || ld_get_positive_size(ld, v[SIZE], KEY("size"), &st->u.mmap.size) < 0
        || (v[START] && ld_get_addr(ld, v[START], KEY("start"), &st->u.mmap.start) < 0)
        || (v[PROT] && ld_get_prot(ld, v[PROT], KEY("prot"), &st->u.mmap.prot) < 0)
        || (v[SHARED] && ld_get_flag(ld, v[SHARED], KEY("shared"), &st->u.mmap.shared) < 0)
        || (v[FILE_] && ld_get_file_ref(ld, v[FILE_], &st->u.mmap.file) < 0)
        || (v[DEVICE] && ld_get_device_ref(ld, v[DEVICE], &st->u.mmap.device) < 0)
        || (v[OFFSET] && ld_get_size(ld, v[OFFSET], KEY("offset"), &st->u.mmap.offset) < 0)
        || (v[HUGE_] && ld_get_flag(ld, v[HUGE_], KEY("huge"), &st->u.mmap.huge) < 0)
        || ld_opt_pid(ld, v[PID], KEY("pid"), &st->u.mmap.pid) < 0
        || ld_check_backing(ld, &st->u.mmap.file, &st->u.mmap.device, &st->u.mmap.offset,
                            &st->u.mmap.shared, &st->u.mmap.huge) < 0)
        return -1;
    /* From here on, later steps may name the new area. */
    if (nameset_add(&ld->symbols, st->u.mmap.name.value) < 0)
        return ld_fail_oom(ld, n);
    return 0;
}

/* munmap: {name} or {addr, size}; mprotect: the same plus prot. */
static int step_range(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { NAME, ADDR, SIZE, PID, PROT, NKEYS };
    static const char *const keys[NKEYS] = {"name", "addr", "size", "pid", "prot"};
    yaml_node_t *v[NKEYS] = {NULL};
    int is_mprotect = st->kind == STEP_MPROTECT;
    const char *label = is_mprotect ? "in mprotect" : "in munmap";
    struct scenario_str *name = &st->u.range.name;

    if (ld_map_keys(ld, n, label, is_mprotect ? "a mapping {name, prot} or {addr, size, prot}"
                                           : "a mapping {name} or {addr, size}",
                    keys, is_mprotect ? NKEYS : NKEYS - 1, v) < 0)
        return -1;
    if (v[NAME] != NULL && v[ADDR] != NULL)
        return ld_fail_at(ld, ld_pos(v[ADDR]), KEY("addr") " together with " KEY("name")
                          " (expected either name, or addr with size)");
    if (v[NAME] == NULL && v[ADDR] == NULL)
        return ld_fail_at(ld, ld_pos(n), "missing key 'name' or 'addr' %s (expected either "
                          "name, or addr with size)", label);
    if (v[NAME] != NULL && v[SIZE] != NULL)
        return ld_fail_at(ld, ld_pos(v[SIZE]), KEY("size") " together with " KEY("name")
                          " (expected size only with addr)");
    if (v[ADDR] != NULL
        && ld_require(ld, n, v[SIZE], "size", label, "a size next to addr") < 0)
        return -1;
    if (is_mprotect && ld_require(ld, n, v[PROT], "prot", label, ld_prot_expected) < 0)
        return -1;
    if (v[NAME] != NULL) {
        if (ld_get_name(ld, v[NAME], KEY("name"), name) < 0
            || ld_lookup_symbol(ld, v[NAME], name->value, &name->value) < 0)
            return -1;
    } else if (ld_get_addr(ld, v[ADDR], KEY("addr"), &st->u.range.addr) < 0
               || ld_get_positive_size(ld, v[SIZE], KEY("size"), &st->u.range.size) < 0) {
        return -1;
    }
    if (ld_opt_pid(ld, v[PID], KEY("pid"), &st->u.range.pid) < 0
        || (is_mprotect && ld_get_prot(ld, v[PROT], KEY("prot"), &st->u.range.prot) < 0))
        return -1;
    return 0;
}

/* map: {va, frame, pid, prot}. */
static int step_map(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"va", "frame", "pid", "prot"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (ld_map_keys(ld, n, "in map", "a mapping {va, frame, pid, prot}", keys,
                    COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[0], "va", "in map", ld_addr_expected) < 0
        || ld_require(ld, n, v[1], "frame", "in map", "a frame number") < 0
        || ld_get_addr(ld, v[0], KEY("va"), &st->u.map.va) < 0
        || ld_get_number(ld, v[1], KEY("frame"), &st->u.map.frame) < 0
        || ld_opt_pid(ld, v[2], KEY("pid"), &st->u.map.pid) < 0
        || (v[3] && ld_get_prot(ld, v[3], KEY("prot"), &st->u.map.prot) < 0))
        return -1;
    return 0;
}

/* switch: PID | {pid};  exit: PID | {pid} | nothing (the running process). */
static int step_process(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"pid"};
    yaml_node_t *v[1];
    int is_exit = st->kind == STEP_EXIT;
    const char *label = is_exit ? "in exit" : "in switch";

    if (is_exit && ld_is_null(n))
        return 0;
    if (n->type == YAML_SCALAR_NODE && !ld_is_null(n))
        return ld_get_pid(ld, n, is_exit ? KEY("exit") : KEY("switch"), &st->u.process.pid);
    if (n->type != YAML_MAPPING_NODE)
        return ld_fail_type(ld, n, is_exit ? KEY("exit") : KEY("switch"), "a pid or {pid}");
    if (ld_map_keys(ld, n, label, "a pid or {pid}", keys, 1, v) < 0
        || (!is_exit && ld_require(ld, n, v[0], "pid", label, "a pid number") < 0)
        || ld_opt_pid(ld, v[0], KEY("pid"), &st->u.process.pid) < 0)
        return -1;
    return 0;
}

/* fork: {pid (parent), child, name}. */
static int step_fork(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"pid", "child", "name"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (ld_map_keys(ld, n, "in fork", "a mapping {pid, child, name}", keys, COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[1], "child", "in fork", "the child's pid") < 0
        || ld_opt_pid(ld, v[0], KEY("pid"), &st->u.fork.parent) < 0
        || ld_get_pid(ld, v[1], KEY("child"), &st->u.fork.child) < 0
        || (v[2] && ld_get_string(ld, v[2], KEY("name"), "a process name", &st->u.fork.name) < 0))
        return -1;
    return 0;
}

/* The areas a program starts with, and its heap: names later steps may use. */
static int add_program_symbols(struct loader *ld, const yaml_node_t *n)
{
    for (size_t i = 0; scenario_program_area_names[i]; i++)
        if (nameset_add(&ld->symbols, scenario_program_area_names[i]) < 0)
            return ld_fail_oom(ld, n);
    return 0;
}

/* execve: PROGRAM | {program, pid};  spawn: {program, child, pid}. */
static int step_exec(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    enum { PROGRAM, PID, CHILD, NKEYS };
    static const char *const keys[NKEYS] = {"program", "pid", "child"};
    yaml_node_t *v[NKEYS] = {NULL};
    int is_spawn = st->kind == STEP_SPAWN;
    const char *label = is_spawn ? "in spawn" : "in execve";

    if (!is_spawn && n->type == YAML_SCALAR_NODE && !ld_is_null(n)) {
        if (ld_get_program_ref(ld, n, &st->u.exec.program) < 0)
            return -1;
        return add_program_symbols(ld, n);
    }
    if (ld_map_keys(ld, n, label, is_spawn ? "a mapping {program, child, pid}"
                                           : "a program name or {program, pid}",
                    keys, is_spawn ? NKEYS : NKEYS - 1, v) < 0
        || ld_require(ld, n, v[PROGRAM], "program", label,
                      "the name of a file with a program layout") < 0
        || (is_spawn && ld_require(ld, n, v[CHILD], "child", label, "the new process's pid") < 0)
        || ld_get_program_ref(ld, v[PROGRAM], &st->u.exec.program) < 0
        || ld_opt_pid(ld, v[PID], KEY("pid"), &st->u.exec.pid) < 0
        || (is_spawn && ld_get_pid(ld, v[CHILD], KEY("child"), &st->u.exec.child) < 0))
        return -1;
    return add_program_symbols(ld, n);
}

/* brk: SIZE | {size, pid}. */
static int step_brk(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"size", "pid"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (n->type != YAML_MAPPING_NODE)
        return ld_get_size(ld, n, KEY("brk"), &st->u.brk.size);
    if (ld_map_keys(ld, n, "in brk", "a size or {size, pid}", keys, COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[0], "size", "in brk", "the heap's size in bytes") < 0
        || ld_get_size(ld, v[0], KEY("size"), &st->u.brk.size) < 0
        || ld_opt_pid(ld, v[1], KEY("pid"), &st->u.brk.pid) < 0)
        return -1;
    return 0;
}

/* repeat: {times, steps}. */
static int step_repeat(struct loader *ld, const yaml_node_t *n, struct scenario_step *st,
                       unsigned depth, uint64_t budget)
{
    static const char *const keys[] = {"times", "steps"};
    yaml_node_t *v[COUNT_OF(keys)];
    char range[64];
    uint64_t inner = 0;

    if (depth + 1 > SCENARIO_MAX_REPEAT_DEPTH)
        return ld_fail_at(ld, st->pos, "repeat nested too deeply (expected at most %u levels "
                          "of repeat)", SCENARIO_MAX_REPEAT_DEPTH);
    snprintf(range, sizeof range, "a number from 1 to %lu", SCENARIO_MAX_TIMES);
    if (ld_map_keys(ld, n, "in repeat", "a mapping {times, steps}", keys, COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[0], "times", "in repeat", range) < 0
        || ld_require(ld, n, v[1], "steps", "in repeat", "a list of steps") < 0
        || ld_get_number_in(ld, v[0], KEY("times"), 1, SCENARIO_MAX_TIMES, range,
                            &st->u.repeat.times) < 0
        || ld_steps(ld, v[1], KEY("steps"), depth + 1, budget, &st->u.repeat.steps,
                    &st->u.repeat.count, &inner) < 0)
        return -1;
    /* inner <= budget <= SCENARIO_MAX_ACCESSES and times <= SCENARIO_MAX_TIMES, so
     * the product fits in 64 bits. */
    st->accesses = inner * st->u.repeat.times.value;
    if (st->accesses > budget)
        return ld_fail_accesses(ld, st->pos);
    return 0;
}

/* say: TEXT;  chapter: NAME | {name, linux_minor_faults, linux_major_faults}:
 * the second form carries what Linux counted for the chapter, shown
 * beside the model's counts. */
static int step_text(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"name", "linux_minor_faults", "linux_major_faults"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (st->kind == STEP_SAY)
        return ld_get_string(ld, n, KEY("say"), "a sentence to show", &st->u.text.text);
    if (n->type != YAML_MAPPING_NODE)
        return ld_get_string(ld, n, KEY("chapter"), "a chapter name", &st->u.text.text);
    if (ld_map_keys(ld, n, "in chapter", "a name or {name, linux_minor_faults, "
                    "linux_major_faults}", keys, COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[0], "name", "in chapter", "the chapter's name") < 0
        || ld_get_string(ld, v[0], KEY("name"), "a chapter name", &st->u.text.text) < 0
        || ld_require(ld, n, v[1], "linux_minor_faults", "in chapter",
                      "the minor faults Linux counted") < 0
        || ld_get_number(ld, v[1], KEY("linux_minor_faults"), &st->u.text.linux_minor) < 0
        || ld_opt_number(ld, v[2], KEY("linux_major_faults"), &st->u.text.linux_major) < 0)
        return -1;
    return 0;
}

static int step_pause(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    (void)st;
    if (ld_is_null(n) || (n->type == YAML_SCALAR_NODE
                          && strcmp((const char *)n->data.scalar.value, "true") == 0))
        return 0;
    return ld_fail_type(ld, n, KEY("pause"), "nothing, or true");
}

/* ask's choices: a list of 2 to SCENARIO_ASK_MAX_CHOICES distinct numbers. */
static int ask_choices(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    char expected[80];
    snprintf(expected, sizeof expected, "a list of 2 to %d different numbers",
             SCENARIO_ASK_MAX_CHOICES);
    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("choices"), expected);
    if (ld_items(n) < 2 || ld_items(n) > SCENARIO_ASK_MAX_CHOICES)
        return ld_fail_at(ld, ld_pos(n), "'choices' has %zu number%s (expected %s)",
                          ld_items(n), ld_items(n) == 1 ? "" : "s", expected);
    st->u.ask.nchoices = ld_items(n);
    for (size_t i = 0; i < st->u.ask.nchoices; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        struct scenario_num *c = &st->u.ask.choices[i];
        /* Counters never decrease: a change is a number, never below 0. */
        if (ld_get_number_in(ld, item, "a choice", 0, INT64_MAX, "a number of at most 63 bits",
                             c) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (st->u.ask.choices[j].value == c->value)
                return ld_fail_at(ld, c->pos, "the choice %llu is given twice (expected %s)",
                                  (unsigned long long)c->value, expected);
    }
    return 0;
}

/* ask: {question: TEXT, counter: NAME, until: expect | N, choices: [N...]}:
 * a question
 * whose answer is how much the counter changes from here to the next
 * expect, or over the next N accesses (the play layer finds out), with
 * the scenario's choices or, without them, the quiz's own. */
static int step_ask(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char *const keys[] = {"question", "counter", "until", "choices"};
    static const char counter[] = "a counter name such as minor_faults";
    yaml_node_t *v[COUNT_OF(keys)];
    char until[96];
    snprintf(until, sizeof until, "expect, or a number of accesses from 1 to %lu",
             SCENARIO_MAX_TIMES);
    if (ld_map_keys(ld, n, "in ask", "a mapping {question, counter, until, choices}", keys,
                    COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[0], "question", "in ask", "the question's text") < 0
        || ld_require(ld, n, v[1], "counter", "in ask", counter) < 0
        || ld_get_string(ld, v[0], KEY("question"), "the question's text",
                         &st->u.ask.question) < 0
        || ld_get_string(ld, v[1], KEY("counter"), counter, &st->u.ask.counter) < 0
        || (v[3] && ask_choices(ld, v[3], st) < 0))
        return -1;
    if (v[2] == NULL || (v[2]->type == YAML_SCALAR_NODE
                         && strcmp((const char *)v[2]->data.scalar.value, "expect") == 0))
        return 0;
    /* A word other than expect would be read as a bad number: say both. */
    if (v[2]->type == YAML_SCALAR_NODE && !isdigit(v[2]->data.scalar.value[0]))
        return ld_fail_at(ld, ld_pos(v[2]), "'until' is '%.*s' (expected %s)", DIAG_QUOTE_MAX,
                          (const char *)v[2]->data.scalar.value, until);
    return ld_get_number_in(ld, v[2], KEY("until"), 1, SCENARIO_MAX_TIMES, until,
                            &st->u.ask.ops);
}

/* expect: {COUNTER: TOTAL | +N | -N, ...}. */
static int step_expect(struct loader *ld, const yaml_node_t *n, struct scenario_step *st)
{
    static const char expected[] =
        "a number, or +N or -N for a change since the previous expect";
    struct nameset seen = {0};
    size_t count;
    int rc = 0;

    if (n->type != YAML_MAPPING_NODE)
        return ld_fail_type(ld, n, KEY("expect"), "a mapping of counter: value");
    count = ld_items(n);
    if (count == 0)
        return ld_fail_type(ld, n, KEY("expect"), "at least one counter: value");
    if (ld_charge(ld, n) < 0)
        return -1;
    struct scenario_expect *items = arena_calloc(ld->arena, count, sizeof *items);
    if (items == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < count && rc == 0; i++) {
        yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = ld_node(ld, p->key), *v = ld_node(ld, p->value);
        struct scenario_expect *e = &items[i];
        const char *text = NULL;
        size_t len = 0, skip = 0;
        if (ld_scalar_text(ld, k, "a counter name", "a counter name such as minor_faults",
                           &text, &len) < 0) {
            rc = -1;
            break;
        }
        if ((e->name = ld_scalar_copy(ld, k)) == NULL) {
            rc = ld_fail_oom(ld, k);
            break;
        }
        e->name_pos = ld_pos(k);
        if (nameset_find(&seen, e->name) != NULL) {
            rc = ld_fail_at(ld, e->name_pos, "duplicate counter '%.*s' in expect (expected "
                            "each counter once)", DIAG_QUOTE_MAX, e->name);
            break;
        }
        if (nameset_add(&seen, e->name) < 0) {
            rc = ld_fail_oom(ld, k);
            break;
        }
        char label[DIAG_QUOTE_MAX + 8];
        snprintf(label, sizeof label, "'%.*s'", DIAG_QUOTE_MAX, e->name);
        if (ld_scalar_text(ld, v, label, expected, &text, &len) < 0) {
            rc = -1;
            break;
        }
        if (len > 0 && (text[0] == '+' || text[0] == '-')) {
            e->relative = 1;
            skip = 1;
        }
        uint64_t value;
        enum value_status vs = value_parse_number(text + skip, len - skip, &value);
        if (vs == VALUE_OK && value > (uint64_t)INT64_MAX)
            vs = VALUE_OVERFLOW;
        if (vs != VALUE_OK) {
            rc = ld_fail_type(ld, v, label, vs == VALUE_OVERFLOW
                              ? "a number of at most 2^63-1" : expected);
            break;
        }
        e->value = text[0] == '-' ? -(int64_t)value : (int64_t)value;
        e->value_pos = ld_pos(v);
    }
    nameset_free(&seen);
    st->u.expect.items = items;
    st->u.expect.count = count;
    return rc;
}


static const char step_expected[] =
    "a one-key mapping naming the step, such as '- read: 0x1000'";

/* One step: a mapping with one key, the kind, whose value holds the rest. */
static int load_step(struct loader *ld, const yaml_node_t *n, unsigned depth,
                     uint64_t budget, struct scenario_step *st)
{
    const char *text = NULL;
    size_t len = 0;

    if (n->type != YAML_MAPPING_NODE || ld_items(n) == 0)
        return ld_fail_type(ld, n, "a step", step_expected);
    if (ld_charge(ld, n) < 0)
        return -1;
    yaml_node_t *k = ld_node(ld, n->data.mapping.pairs.start[0].key);
    yaml_node_t *v = ld_node(ld, n->data.mapping.pairs.start[0].value);
    if (k->type != YAML_SCALAR_NODE || ld_is_null(k))
        return ld_fail_type(ld, k, "a step kind", "a name such as read, fill or expect");
    if (ld_scalar_text(ld, k, "a step kind", "a name such as read", &text, &len) < 0)
        return -1;
    st->pos = ld_pos(k);
    if (step_kind_lookup(text, &st->kind) < 0) {
        unsigned nkinds;
        const char *const *kinds = step_kind_names(&nkinds);
        char expected[DIAG_MESSAGE_MAX];
        return ld_fail_at(ld, st->pos, "unknown step '%.*s' (%s)", DIAG_QUOTE_MAX, text,
                          diag_expected_choice(expected, sizeof expected, text, kinds,
                                               nkinds));
    }
    if (ld_items(n) > 1) {
        yaml_node_t *k2 = ld_node(ld, n->data.mapping.pairs.start[1].key);
        char buf[DIAG_QUOTE_MAX + 8];
        return ld_fail_at(ld, ld_pos(k2), "a step has a second key %s next to '%s' (expected "
                          "one key per step; indent options under it, as in '- %s: {...}')",
                          ld_describe(k2, buf, sizeof buf), text, text);
    }
    switch (st->kind) {
    case STEP_READ:
    case STEP_WRITE:
    case STEP_EXEC:
        return step_access(ld, v, st);
    case STEP_REFS:
        return step_refs(ld, v, st);
    case STEP_FILL:
        return step_fill(ld, v, st);
    case STEP_MMAP:
        return step_mmap(ld, v, st);
    case STEP_MUNMAP:
    case STEP_MPROTECT:
        return step_range(ld, v, st);
    case STEP_MAP:
        return step_map(ld, v, st);
    case STEP_SWITCH:
    case STEP_EXIT:
        return step_process(ld, v, st);
    case STEP_FORK:
        return step_fork(ld, v, st);
    case STEP_EXECVE:
    case STEP_SPAWN:
        return step_exec(ld, v, st);
    case STEP_BRK:
        return step_brk(ld, v, st);
    case STEP_REPEAT:
        return step_repeat(ld, v, st, depth, budget);
    case STEP_SAY:
    case STEP_CHAPTER:
        return step_text(ld, v, st);
    case STEP_PAUSE:
        return step_pause(ld, v, st);
    case STEP_EXPECT:
        return step_expect(ld, v, st);
    case STEP_TRACE:
        return ld_step_trace(ld, v, st, budget);
    case STEP_ASK:
        return step_ask(ld, v, st);
    case STEP_KIND_COUNT:
        break;
    }
    return ld_fail_type(ld, k, "a step kind", "a known step");
}

/* A list of steps that may perform at most budget accesses in all; *accesses
 * gets how many they do. depth counts the repeats around the list. */
int ld_steps(struct loader *ld, const yaml_node_t *n, const char *label,
             unsigned depth, uint64_t budget, struct scenario_step **out,
             size_t *count, uint64_t *accesses)
{
    uint64_t total = 0;

    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, label, "a list of steps");
    if (ld_items(n) == 0)
        return ld_fail_type(ld, n, label, "at least one step");
    if (ld_charge(ld, n) < 0)
        return -1;
    *count = ld_items(n);
    *out = arena_calloc(ld->arena, *count, sizeof **out);
    if (*out == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < *count; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        struct scenario_step *st = &(*out)[i];
        if (++ld->steps > SCENARIO_MAX_STEPS)
            return ld_fail_at(ld, ld_pos(item), "too many steps (expected at most %lu in the "
                              "file, counting nested steps and aliases)", SCENARIO_MAX_STEPS);
        if (load_step(ld, item, depth, budget - total, st) < 0)
            return -1;
        /* total <= budget holds after every step, so nothing here can wrap. */
        if (st->accesses > budget - total)
            return ld_fail_accesses(ld, st->pos);
        total += st->accesses;
    }
    *accesses = total;
    return 0;
}

