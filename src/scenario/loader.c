/* The scenario loader: YAML text → struct scenario (see scenario.h).
 *
 * compose.c first turns the text into a libyaml node graph with positions.
 * The loader then walks that graph top-down, checking
 * shapes as it goes and copying what it keeps into the scenario's arena.
 * Aliases in the graph are shared nodes, so every walk is paid for from a
 * node budget (SCENARIO_MAX_NODES): an alias bomb runs out of budget instead
 * of out of memory or time. Scalars are copied once per node, however often
 * an alias repeats them.
 *
 * This file holds the entry points and the top level of a scenario: the
 * order in which its sections are read. Each section has a file of its own;
 * loader_internal.h lists them and what they share. Every check reports
 * through ld_fail_at(), which fills the caller's diag with the offending
 * node's position; all loader functions return 0 or -1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "scenario/compose.h"
#include "scenario/loader_internal.h"
#include "scenario/scenario.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/userfile.h"

static int load_root(struct loader *ld, const yaml_node_t *root)
{
    enum { TITLE, DESCRIPTION, MACHINE, PROCESSES, FILES, STEPS, NKEYS };
    static const char *const keys[NKEYS] = {"title", "description", "machine",
                                            "processes", "files", "steps"};
    yaml_node_t *v[NKEYS];
    struct scenario *s = ld->s;

    static const char expected[] = "a mapping with title, processes and steps";

    if (root->type != YAML_MAPPING_NODE)
        return ld_fail_type(ld, root, "the scenario", expected);
    if (ld_map_keys(ld, root, "at the top level", expected, keys, NKEYS, v) < 0
        || ld_require(ld, root, v[TITLE], "title", "at the top level",
                      "a title: line naming the scenario") < 0
        || ld_require(ld, root, v[PROCESSES], "processes", "at the top level",
                      "a list of at least one process") < 0
        || ld_require(ld, root, v[STEPS], "steps", "at the top level",
                      "a list of at least one step") < 0
        || ld_get_string(ld, v[TITLE], KEY("title"), "a title", &s->title) < 0
        || (s->title.value[0] == '\0' && ld_fail_type(ld, v[TITLE], KEY("title"), "a title") < 0)
        || (v[DESCRIPTION] && ld_get_string(ld, v[DESCRIPTION], KEY("description"),
                                            "a description", &s->description) < 0))
        return -1;
    /* Fixed order, whatever the file's: steps refer to processes and files,
     * processes to files, and fills need the page size. */
    if ((v[MACHINE] && ld_machine(ld, v[MACHINE]) < 0)
        || (v[FILES] && ld_files(ld, v[FILES]) < 0)
        || ld_processes(ld, v[PROCESSES]) < 0)
        return -1;
    ld->page_size = s->machine.page_size.present ? s->machine.page_size.value
                                                 : SCENARIO_DEFAULT_PAGE_SIZE;
    return ld_steps(ld, v[STEPS], KEY("steps"), 0, SCENARIO_MAX_ACCESSES, &s->steps,
                    &s->step_count, &s->total_accesses);
}

/* The directory part of path: "." when there is none. */
static const char *dir_of(struct arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return ".";
    if (slash == path)
        return "/";
    return arena_strndup(a, path, (size_t)(slash - path));
}

struct scenario *scenario_load_string(const char *name, const char *text, size_t len,
                                      struct diag *err)
{
    struct diag scratch;
    struct loader ld = {.file = name, .err = err ? err : &scratch};
    int rc = -1;

    if (len > SCENARIO_MAX_FILE_BYTES) {
        ld_fail_at(&ld, (struct scenario_pos){1, 1}, "the file is too large, %zu bytes "
                   "(expected at most %lu)", len, SCENARIO_MAX_FILE_BYTES);
        return NULL;
    }
    ld.arena = arena_new();
    if (ld.arena == NULL || (ld.s = arena_alloc(ld.arena, sizeof *ld.s)) == NULL
        || (ld.s->path = arena_strndup(ld.arena, name, strlen(name))) == NULL
        || (ld.s->dir = dir_of(ld.arena, name)) == NULL) {
        arena_free(ld.arena);
        ld_fail_at(&ld, (struct scenario_pos){1, 1}, "out of memory (expected a smaller "
                   "scenario)");
        return NULL;
    }
    ld.s->arena = ld.arena;
    if (compose_document(name, text, len, &ld.doc, ld.err) < 0) {
        arena_free(ld.arena);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&ld.doc);
    if (root == NULL) {
        ld_fail_at(&ld, (struct scenario_pos){1, 1}, "the file is empty (expected a mapping "
                   "with title, processes and steps)");
        goto done;
    }
    ld.scalar_copy = calloc((size_t)(ld.doc.nodes.top - ld.doc.nodes.start),
                            sizeof *ld.scalar_copy);
    if (ld.scalar_copy == NULL) {
        ld_fail_at(&ld, (struct scenario_pos){1, 1}, "out of memory (expected a smaller "
                   "scenario)");
        goto done;
    }
    rc = load_root(&ld, root);
done:
    free(ld.scalar_copy);
    nameset_free(&ld.symbols);
    nameset_free(&ld.file_names);
    nameset_free(&ld.program_names);
    nameset_free(&ld.device_names);
    yaml_document_delete(&ld.doc);
    if (rc < 0) {
        arena_free(ld.arena);
        return NULL;
    }
    return ld.s;
}

struct scenario *scenario_load(const char *path, struct diag *err)
{
    FILE *fp = userfile_open(path, "the scenario", err);
    char *text;
    size_t len;
    struct scenario *s;

    if (fp == NULL)
        return NULL;
    /* One byte more than allowed tells "too large" from "exactly at the limit". */
    text = malloc(SCENARIO_MAX_FILE_BYTES + 1);
    if (text == NULL) {
        fclose(fp);
        diag_set(err, path, 0, 0, "out of memory (expected a smaller scenario)");
        return NULL;
    }
    len = fread(text, 1, SCENARIO_MAX_FILE_BYTES + 1, fp);
    if (ferror(fp)) {
        diag_set(err, path, 0, 0, "cannot read the scenario: %s (expected a readable "
                 "file)", strerror(errno));
        fclose(fp);
        free(text);
        return NULL;
    }
    fclose(fp);
    if (len > SCENARIO_MAX_FILE_BYTES) {
        diag_set(err, path, 0, 0, "the file is too large (expected at most %lu bytes)",
                 SCENARIO_MAX_FILE_BYTES);
        free(text);
        return NULL;
    }
    s = scenario_load_string(path, text, len, err);
    free(text);
    return s;
}
