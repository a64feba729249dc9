/* The processes section: each process, its pid and ASID, and its areas,
 * whose names address expressions may use. See loader_internal.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <yaml.h>

#include "scenario/loader_internal.h"
#include "util/arena.h"

static int load_area(struct loader *ld, const yaml_node_t *n, struct scenario_area *a,
                     struct nameset *names)
{
    enum { NAME, START, SIZE, PROT, SHARED, FILE_, DEVICE, OFFSET, HUGE_, GLOBAL, NKEYS };
    static const char *const keys[NKEYS] = {"name", "start", "size", "prot", "shared",
                                            "file", "device", "offset", "huge", "global"};
    yaml_node_t *v[NKEYS];

    if (ld_map_keys(ld, n, "in an area", "a mapping {name, start, size, prot, ...}", keys,
                    NKEYS, v) < 0
        || ld_require(ld, n, v[NAME], "name", "in an area", "a name such as heap") < 0
        || ld_require(ld, n, v[START], "start", "in an area", "a start address") < 0
        || ld_require(ld, n, v[SIZE], "size", "in an area", ld_size_expected) < 0)
        return -1;
    a->pos = ld_pos(n);
    if (ld_get_name(ld, v[NAME], KEY("name"), &a->name) < 0
        || ld_get_number(ld, v[START], KEY("start"), &a->start) < 0
        || ld_get_positive_size(ld, v[SIZE], KEY("size"), &a->size) < 0
        || (v[PROT] && ld_get_prot(ld, v[PROT], KEY("prot"), &a->prot) < 0)
        || (v[SHARED] && ld_get_flag(ld, v[SHARED], KEY("shared"), &a->shared) < 0)
        || (v[FILE_] && ld_get_file_ref(ld, v[FILE_], &a->file) < 0)
        || (v[DEVICE] && ld_get_device_ref(ld, v[DEVICE], &a->device) < 0)
        || (v[OFFSET] && ld_get_size(ld, v[OFFSET], KEY("offset"), &a->offset) < 0)
        || (v[HUGE_] && ld_get_flag(ld, v[HUGE_], KEY("huge"), &a->huge) < 0)
        || (v[GLOBAL] && ld_get_flag(ld, v[GLOBAL], KEY("global"), &a->global) < 0)
        || ld_check_backing(ld, &a->file, &a->device, &a->offset, &a->shared, &a->huge) < 0)
        return -1;
    if (nameset_find(names, a->name.value) != NULL)
        return ld_fail_at(ld, a->name.pos, "duplicate area '%s' in this process (expected "
                          "each area name once per process)", a->name.value);
    if (nameset_add(names, a->name.value) < 0 || nameset_add(&ld->symbols, a->name.value) < 0)
        return ld_fail_oom(ld, n);
    return 0;
}

static int load_process(struct loader *ld, const yaml_node_t *n, struct scenario_process *p)
{
    static const char *const keys[] = {"name", "pid", "asid", "areas"};
    yaml_node_t *v[COUNT_OF(keys)];
    struct nameset names = {0};
    int rc = 0;
    char asid_range[64];

    snprintf(asid_range, sizeof asid_range, "an ASID from 0 to %u, or 0 to pick a free one",
             SCENARIO_MAX_ASID);
    if (ld_map_keys(ld, n, "in a process", "a mapping {name, pid, areas}", keys,
                    COUNT_OF(keys), v) < 0
        || ld_require(ld, n, v[0], "name", "in a process", "a name such as demo") < 0
        || ld_require(ld, n, v[1], "pid", "in a process", "a pid number") < 0
        || ld_get_string(ld, v[0], KEY("name"), "a process name", &p->name) < 0
        || ld_get_pid(ld, v[1], KEY("pid"), &p->pid) < 0
        || (v[2] && ld_get_number_in(ld, v[2], KEY("asid"), 0, SCENARIO_MAX_ASID, asid_range,
                                     &p->asid) < 0))
        return -1;
    p->pos = ld_pos(n);
    if (v[3] == NULL)
        return 0;
    if (v[3]->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, v[3], KEY("areas"), "a list of areas");
    if (ld_charge(ld, v[3]) < 0)
        return -1;
    p->area_count = ld_items(v[3]);
    p->areas = arena_calloc(ld->arena, p->area_count, sizeof *p->areas);
    if (p->areas == NULL)
        return ld_fail_oom(ld, v[3]);
    for (size_t i = 0; i < p->area_count && rc == 0; i++)
        rc = load_area(ld, ld_node(ld, v[3]->data.sequence.items.start[i]), &p->areas[i],
                       &names);
    nameset_free(&names);
    return rc;
}

struct pid_slot {
    uint64_t pid;
    size_t index;
};

static int compare_pid_slots(const void *a, const void *b)
{
    const struct pid_slot *x = a, *y = b;

    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* Reports the first process (in file order) whose pid an earlier one has. */
static int check_unique_pids(struct loader *ld, const yaml_node_t *n)
{
    size_t count = ld->s->process_count, dup = SIZE_MAX;
    struct pid_slot *slots = malloc(count * sizeof *slots);

    if (slots == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < count; i++)
        slots[i] = (struct pid_slot){ld->s->processes[i].pid.value, i};
    qsort(slots, count, sizeof *slots, compare_pid_slots);
    for (size_t i = 1; i < count; i++)
        if (slots[i].pid == slots[i - 1].pid && slots[i].index < dup)
            dup = slots[i].index;
    free(slots);
    if (dup == SIZE_MAX)
        return 0;
    const struct scenario_process *p = &ld->s->processes[dup];
    return ld_fail_at(ld, p->pid.pos, "duplicate pid %llu (expected each process to have its "
                      "own pid)", (unsigned long long)p->pid.value);
}

int ld_processes(struct loader *ld, const yaml_node_t *n)
{
    static const char expected[] = "a list of processes, each {name, pid, areas}";

    if (n->type != YAML_SEQUENCE_NODE)
        return ld_fail_type(ld, n, KEY("processes"), expected);
    if (ld_items(n) == 0)
        return ld_fail_type(ld, n, KEY("processes"), "at least one process");
    if (ld_charge(ld, n) < 0)
        return -1;
    ld->s->process_count = ld_items(n);
    ld->s->processes = arena_calloc(ld->arena, ld->s->process_count,
                                    sizeof *ld->s->processes);
    if (ld->s->processes == NULL)
        return ld_fail_oom(ld, n);
    for (size_t i = 0; i < ld->s->process_count; i++)
        if (load_process(ld, ld_node(ld, n->data.sequence.items.start[i]),
                         &ld->s->processes[i]) < 0)
            return -1;
    return check_unique_pids(ld, n);
}
