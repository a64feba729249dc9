/* The machine and files sections of a scenario: every machine setting
 * stored raw for the play layer to check, and the backing files that
 * areas and mmaps may name. See loader_internal.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "scenario/loader_internal.h"
#include "util/arena.h"
#include "util/diag.h"

/* ---- machine ---------------------------------------------------------- */

static int load_tlb(struct loader *ld, const yaml_node_t *n, struct scenario_machine *m)
{
    static const char *const keys[] = {"entries", "ways", "replacement", "asid"};
    yaml_node_t *v[COUNT_OF(keys)];

    if (ld_map_keys(ld, n, "in tlb", "a mapping with entries, ways, replacement, asid",
                    keys, COUNT_OF(keys), v) < 0)
        return -1;
    m->tlb.present = 1;
    m->tlb.pos = ld_pos(n);
    if (ld_opt_number(ld, v[0], KEY("entries"), &m->tlb.entries) < 0
        || ld_opt_number(ld, v[1], KEY("ways"), &m->tlb.ways) < 0
        || (v[2] && ld_get_string(ld, v[2], KEY("replacement"), "a replacement policy name",
                                  &m->tlb.replacement) < 0)
        || (v[3] && ld_get_flag(ld, v[3], KEY("asid"), &m->tlb.asid) < 0))
        return -1;
    /* Entries without ways: the ways vmviz-scenario(5) states, 4, or all the
     * entries when there are fewer (one fully associative set). Entries the
     * default does not divide are refused rather than given fewer ways. */
    if (m->tlb.entries.present && !m->tlb.ways.present) {
        uint64_t entries = m->tlb.entries.value;
        uint64_t ways = entries < SCENARIO_DEFAULT_TLB_WAYS ? entries
                                                          : SCENARIO_DEFAULT_TLB_WAYS;
        if (ways > 0 && entries % ways != 0)
            return ld_fail_at(ld, m->tlb.entries.pos, KEY("entries") " is %llu, which the "
                              "default %u ways do not divide (expected a multiple of %u, fewer "
                              "than %u entries, or " KEY("ways") " given)",
                              (unsigned long long)entries, SCENARIO_DEFAULT_TLB_WAYS,
                              SCENARIO_DEFAULT_TLB_WAYS, SCENARIO_DEFAULT_TLB_WAYS);
        m->tlb.ways = (struct scenario_num){1, ways, m->tlb.entries.pos};
        m->tlb.ways_defaulted = 1;
    }
    return 0;
}

static int load_levels(struct loader *ld, const yaml_node_t *n, struct scenario_machine *m)
{
    size_t count;

    if (n->type != YAML_SEQUENCE_NODE) {
        char expected[64];
        snprintf(expected, sizeof expected, "a list of 1 to %u index widths like [9, 9, 9, 9]",
                 SCENARIO_MAX_LEVELS);
        return ld_fail_type(ld, n, KEY("levels"), expected);
    }
    count = ld_items(n);
    if (count < 1 || count > SCENARIO_MAX_LEVELS)
        return ld_fail_at(ld, ld_pos(n), KEY("levels") " has %zu entries (expected 1 to %u "
                          "index widths)", count, SCENARIO_MAX_LEVELS);
    if (ld_charge(ld, n) < 0)
        return -1;
    m->levels_pos = ld_pos(n);
    m->levels_count = (unsigned)count;
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        if (ld_get_number(ld, item, "a levels entry", &m->levels[i]) < 0)
            return -1;
    }
    return 0;
}

/* kernel: [{name, start, size, prot}, ...]. Each name is a symbol steps
 * may use, once among the kernel areas. */
static int load_kernel(struct loader *ld, const yaml_node_t *n, struct scenario_machine *m)
{
    enum { NAME, START, SIZE, PROT, NKEYS };
    static const char *const keys[NKEYS] = {"name", "start", "size", "prot"};
    static const char expected[] = "a list of kernel areas, each {name, start, size, prot}";
    struct nameset names = {0};
    int rc = 0;

    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("kernel"), expected);
    if (ld_items(n) == 0)
        return ld_fail_type(ld, n, KEY("kernel"), "at least one kernel area");
    if (ld_charge(ld, n) < 0)
        return -1;
    m->kernel_pos = ld_pos(n);
    m->kernel_count = ld_items(n);
    m->kernel = arena_calloc(ld->arena, m->kernel_count, sizeof *m->kernel);
    if (m->kernel == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < m->kernel_count && rc == 0; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        struct scenario_area *a = &m->kernel[i];
        yaml_node_t *v[NKEYS];
        if (ld_map_keys(ld, item, "in a kernel area", "a mapping {name, start, size, prot}",
                        keys, NKEYS, v) < 0
            || ld_require(ld, item, v[NAME], "name", "in a kernel area", "a name such as text") < 0
            || ld_require(ld, item, v[START], "start", "in a kernel area",
                          "a start address in the kernel half") < 0
            || ld_require(ld, item, v[SIZE], "size", "in a kernel area", ld_size_expected) < 0
            || ld_get_name(ld, v[NAME], KEY("name"), &a->name) < 0
            || ld_get_number(ld, v[START], KEY("start"), &a->start) < 0
            || ld_get_positive_size(ld, v[SIZE], KEY("size"), &a->size) < 0
            || (v[PROT] && ld_get_prot(ld, v[PROT], KEY("prot"), &a->prot) < 0)) {
            rc = -1;
            break;
        }
        a->pos = ld_pos(item);
        if (nameset_find(&names, a->name.value) != NULL) {
            rc = ld_fail_at(ld, a->name.pos, "duplicate kernel area '%.*s' (expected each kernel "
                            "area name once)", DIAG_QUOTE_MAX, a->name.value);
            break;
        }
        if (nameset_add(&names, a->name.value) < 0
            || nameset_add(&ld->symbols, a->name.value) < 0)
            rc = ld_fail_oom(ld, item);
    }
    nameset_free(&names);
    return rc;
}

/* devices: [{name, size, phys}, ...]. */
static int load_devices(struct loader *ld, const yaml_node_t *n, struct scenario_machine *m)
{
    enum { NAME, SIZE, PHYS, NKEYS };
    static const char *const keys[NKEYS] = {"name", "size", "phys"};

    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("devices"), "a list of devices, each {name, size, phys}");
    if (ld_items(n) == 0)
        return ld_fail_type(ld, n, KEY("devices"), "at least one device");
    if (ld_charge(ld, n) < 0)
        return -1;
    m->device_count = ld_items(n);
    m->devices = arena_calloc(ld->arena, m->device_count, sizeof *m->devices);
    if (m->devices == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < m->device_count; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        struct scenario_device *d = &m->devices[i];
        yaml_node_t *v[NKEYS];
        if (ld_map_keys(ld, item, "in a device", "a mapping {name, size, phys}", keys, NKEYS,
                        v) < 0
            || ld_require(ld, item, v[NAME], "name", "in a device", "a name such as fb") < 0
            || ld_require(ld, item, v[SIZE], "size", "in a device", ld_size_expected) < 0
            || ld_get_name(ld, v[NAME], KEY("name"), &d->name) < 0
            || ld_get_positive_size(ld, v[SIZE], KEY("size"), &d->size) < 0
            || (v[PHYS] && ld_get_number(ld, v[PHYS], KEY("phys"), &d->phys) < 0))
            return -1;
        d->pos = ld_pos(item);
        if (nameset_find(&ld->device_names, d->name.value) != NULL)
            return ld_fail_at(ld, d->name.pos, "duplicate device '%.*s' (expected each device "
                              "name once)", DIAG_QUOTE_MAX, d->name.value);
        if (nameset_add(&ld->device_names, d->name.value) < 0)
            return ld_fail_oom(ld, item);
    }
    return 0;
}

int ld_get_device_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out)
{
    if (ld_get_string(ld, n, KEY("device"), "the name of a device under machine: devices",
                      out) < 0)
        return -1;
    char expected[DIAG_MESSAGE_MAX];

    if (nameset_find(&ld->device_names, out->value) != NULL)
        return 0;
    return ld_fail_at(ld, out->pos, "unknown device '%.*s' (%s)", DIAG_QUOTE_MAX, out->value,
                      diag_expected_hint(expected, sizeof expected,
                                         "a name declared under machine: devices",
                                         nameset_suggest(&ld->device_names, out->value)));
}

int ld_check_backing(struct loader *ld, const struct scenario_str *file,
                     const struct scenario_str *device, const struct scenario_num *offset,
                     const struct scenario_flag *shared, const struct scenario_flag *huge)
{
    if (offset->present && !file->present && !device->present)
        return ld_fail_at(ld, offset->pos, KEY("offset") " without " KEY("file") " or "
                          KEY("device") " (expected file: NAME or device: NAME next to it)");
    if (!device->present)
        return 0;
    if (file->present)
        return ld_fail_at(ld, device->pos, KEY("device") " and " KEY("file") " together "
                          "(expected one of them: an area maps a file or a device)");
    if (shared->present && !shared->value)
        return ld_fail_at(ld, shared->pos, KEY("shared") " is false for a device (expected "
                          "shared: true, or no shared key: a driver's mmap maps its device "
                          "MAP_SHARED)");
    if (huge->present && huge->value)
        return ld_fail_at(ld, huge->pos, KEY("huge") " for a device (expected ordinary "
                          "pages: a device is mapped page by page)");
    return 0;
}

int ld_machine(struct loader *ld, const yaml_node_t *n)
{
    enum { PRESET, VA_BITS, PAGE_SIZE, LEVELS, FRAMES, TABLE_FRAMES, SWAP, TLB, POLICY,
           SEED, NRU_INTERVAL, FAULT_AROUND, READAHEAD, KERNEL, DEVICES, NKEYS };
    static const char *const keys[NKEYS] = {
        "preset", "va_bits", "page_size", "levels", "frames", "table_frames", "swap",
        "tlb", "policy", "seed", "nru_interval", "fault_around", "readahead", "kernel",
        "devices"};
    yaml_node_t *v[NKEYS];
    struct scenario_machine *m = &ld->s->machine;

    if (ld_map_keys(ld, n, "in machine", "a mapping of machine settings", keys, NKEYS, v) < 0)
        return -1;
    m->present = 1;
    m->pos = ld_pos(n);
    if ((v[PRESET] && ld_get_string(ld, v[PRESET], KEY("preset"), "a preset name such as x86_64",
                                    &m->preset) < 0)
        || ld_opt_number(ld, v[VA_BITS], KEY("va_bits"), &m->va_bits) < 0
        || (v[PAGE_SIZE] && ld_get_positive_size(ld, v[PAGE_SIZE], KEY("page_size"),
                                                 &m->page_size) < 0)
        || (v[LEVELS] && load_levels(ld, v[LEVELS], m) < 0)
        || ld_opt_number(ld, v[FRAMES], KEY("frames"), &m->frames) < 0
        || ld_opt_number(ld, v[TABLE_FRAMES], KEY("table_frames"), &m->table_frames) < 0
        || ld_opt_number(ld, v[SWAP], KEY("swap"), &m->swap) < 0
        || (v[TLB] && load_tlb(ld, v[TLB], m) < 0)
        || (v[POLICY] && ld_get_string(ld, v[POLICY], KEY("policy"),
                                       "a replacement policy name such as clock", &m->policy) < 0)
        || ld_opt_number(ld, v[SEED], KEY("seed"), &m->seed) < 0
        || ld_opt_number(ld, v[NRU_INTERVAL], KEY("nru_interval"), &m->nru_interval) < 0
        || ld_opt_number(ld, v[FAULT_AROUND], KEY("fault_around"), &m->fault_around) < 0
        || ld_opt_number(ld, v[READAHEAD], KEY("readahead"), &m->readahead) < 0
        || (v[KERNEL] && load_kernel(ld, v[KERNEL], m) < 0)
        || (v[DEVICES] && load_devices(ld, v[DEVICES], m) < 0))
        return -1;
    return 0;
}

/* ---- files ------------------------------------------------------------ */

static int load_cached(struct loader *ld, const yaml_node_t *n, struct scenario_file *f)
{
    static const char expected[] = "a list of page numbers, or all";

    f->cached_pos = ld_pos(n);
    if (n->type == YAML_SCALAR_NODE && !ld_is_null(n)) {
        if (strcmp((const char *)n->data.scalar.value, "all") != 0)
            return ld_fail_type(ld, n, KEY("cached"), expected);
        f->cached_all = 1;
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("cached"), expected);
    if (ld_charge(ld, n) < 0)
        return -1;
    size_t count = ld_items(n);
    uint64_t *pages = arena_calloc(ld->arena, count, sizeof *pages);
    if (pages == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < count; i++) {
        struct scenario_num page = {0};
        if (ld_get_number(ld, ld_node(ld, n->data.sequence.items.start[i]),
                          "a cached page", &page) < 0)
            return -1;
        pages[i] = page.value;
    }
    f->cached = pages;
    f->cached_count = count;
    return 0;
}

/* program: {text, data, bss, start}: the file's layout as an executable. */
static int load_program(struct loader *ld, const yaml_node_t *n, struct scenario_program *p)
{
    enum { TEXT, DATA, BSS, START, NKEYS };
    static const char *const keys[NKEYS] = {"text", "data", "bss", "start"};
    yaml_node_t *v[NKEYS];

    p->present = 1;
    p->pos = ld_pos(n);
    if (ld_map_keys(ld, n, "in a program", "a mapping {text, data, bss, start}", keys, NKEYS,
                    v) < 0
        || ld_require(ld, n, v[TEXT], "text", "in a program", "the text's size in bytes") < 0
        || ld_get_positive_size(ld, v[TEXT], KEY("text"), &p->text) < 0
        || (v[DATA] && ld_get_size(ld, v[DATA], KEY("data"), &p->data) < 0)
        || (v[BSS] && ld_get_size(ld, v[BSS], KEY("bss"), &p->bss) < 0)
        || (v[START] && ld_get_number(ld, v[START], KEY("start"), &p->start) < 0))
        return -1;
    return 0;
}

int ld_files(struct loader *ld, const yaml_node_t *n)
{
    static const char *const keys[] = {"name", "size", "cached", "program"};

    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("files"), "a list of files, each {name, size, cached, "
                            "program}");
    if (ld_charge(ld, n) < 0)
        return -1;
    ld->s->file_count = ld_items(n);
    ld->s->files = arena_calloc(ld->arena, ld->s->file_count, sizeof *ld->s->files);
    if (ld->s->files == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < ld->s->file_count; i++) {
        yaml_node_t *item = ld_node(ld, n->data.sequence.items.start[i]);
        struct scenario_file *f = &ld->s->files[i];
        yaml_node_t *v[COUNT_OF(keys)];
        if (ld_map_keys(ld, item, "in a file", "a mapping {name, size, cached, program}", keys,
                        COUNT_OF(keys), v) < 0
            || ld_require(ld, item, v[0], "name", "in a file", "a name for the file") < 0
            || ld_require(ld, item, v[1], "size", "in a file", ld_size_expected) < 0
            || ld_get_string(ld, v[0], KEY("name"), "a file name", &f->name) < 0
            || ld_get_size(ld, v[1], KEY("size"), &f->size) < 0
            || (v[2] && load_cached(ld, v[2], f) < 0)
            || (v[3] && load_program(ld, v[3], &f->program) < 0))
            return -1;
        if (nameset_find(&ld->file_names, f->name.value) != NULL)
            return ld_fail_at(ld, f->name.pos, "duplicate file '%.*s' (expected each file "
                              "name once)", DIAG_QUOTE_MAX, f->name.value);
        if (nameset_add(&ld->file_names, f->name.value) < 0
            || (f->program.present && nameset_add(&ld->program_names, f->name.value) < 0))
            return ld_fail_oom(ld, item);
    }
    return 0;
}

/* file: must name an entry of files:. */
int ld_get_file_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out)
{
    if (ld_get_string(ld, n, KEY("file"), "the name of a file declared under files", out) < 0)
        return -1;
    char expected[DIAG_MESSAGE_MAX];

    if (nameset_find(&ld->file_names, out->value) != NULL)
        return 0;
    return ld_fail_at(ld, out->pos, "unknown file '%.*s' (%s)", DIAG_QUOTE_MAX, out->value,
                      diag_expected_hint(expected, sizeof expected, "a name declared under files",
                                         nameset_suggest(&ld->file_names, out->value)));
}

int ld_get_program_ref(struct loader *ld, const yaml_node_t *n, struct scenario_str *out)
{
    if (ld_get_string(ld, n, KEY("program"), "the name of a file with a program layout",
                      out) < 0)
        return -1;
    char expected[DIAG_MESSAGE_MAX];

    if (nameset_find(&ld->program_names, out->value) != NULL)
        return 0;
    if (nameset_find(&ld->file_names, out->value) != NULL)
        return ld_fail_at(ld, out->pos, "file '%.*s' has no program layout (expected "
                          "program: {text, data, bss} in its entry under files)",
                          DIAG_QUOTE_MAX, out->value);
    return ld_fail_at(ld, out->pos, "unknown program '%.*s' (%s)", DIAG_QUOTE_MAX, out->value,
                      diag_expected_hint(expected, sizeof expected,
                                         "the name of a file with a program layout",
                                         nameset_suggest(&ld->program_names, out->value)));
}
