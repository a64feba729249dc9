/* The trace step: where its file is, and its one reading at load time,
 * which checks every line and counts the accesses (once per trace, however
 * many steps name it). See loader_internal.h. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "scenario/loader_internal.h"
#include "scenario/trace.h"
#include "util/arena.h"
#include "util/diag.h"

/* The trace's path: as written when absolute or when the scenario has no
 * directory, else relative to the scenario's directory. */
static const char *trace_path(struct loader *ld, const char *file)
{
    const char *dir = ld->s->dir;

    if (file[0] == '/' || strcmp(dir, ".") == 0)
        return file;
    size_t ld_len = strlen(dir), lf = strlen(file);
    char *p = arena_alloc(ld->arena, ld_len + lf + 2);
    if (p != NULL) {
        memcpy(p, dir, ld_len);
        p[ld_len] = '/';
        memcpy(p + ld_len + 1, file, lf + 1);
    }
    return p;
}

/* Keeps in the step the largest page a pages trace names, and where, so
 * that the play layer can check it against user space as it checks refs. */
static void record_pages(struct scenario_step *st, const struct trace_census *census)
{
    st->u.trace.max_page = census->max_page;
    st->u.trace.max_page_line = census->max_page_line;
    st->u.trace.max_page_col = census->max_page_col;
}

/* Streams the trace once to validate it and count its accesses; reuses an
 * earlier count of the same trace. *count may exceed budget (then by 1). */
static int count_trace(struct loader *ld, struct scenario_step *st, uint64_t budget,
                       uint64_t *count)
{
    const char *path = st->u.trace.path;
    enum trace_format fmt = st->u.trace.format;
    unsigned long limit = (unsigned long)st->u.trace.limit.value;

    for (size_t i = 0; i < ld->memo_count; i++) {
        const struct trace_memo *m = &ld->memo[i];
        if (m->format == fmt && m->limit == limit && strcmp(m->path, path) == 0) {
            *count = m->census.count;
            record_pages(st, &m->census);
            return 0;
        }
    }
    struct trace_census census;
    if (trace_count(path, fmt, limit, ld->page_size, budget, &census, ld->err) < 0) {
        if (ld->err->line == 0)   /* could not open: point at the step's file: */
            return ld_fail_at(ld, st->u.trace.file.pos, "%s", ld->err->message);
        return -1;
    }
    *count = census.count;
    record_pages(st, &census);
    /* A count over budget is an error anyway, so only exact counts are kept. */
    if (*count <= budget && ld->memo_count < COUNT_OF(ld->memo))
        ld->memo[ld->memo_count++] = (struct trace_memo){path, fmt, limit, census};
    return 0;
}

/* trace: {file, format, limit, auto_areas, pid}. */
int ld_step_trace(struct loader *ld, const yaml_node_t *n, struct scenario_step *st,
                  uint64_t budget)
{
    enum { FILE_, FORMAT, LIMIT, AUTO_AREAS, PID, NKEYS };
    static const char *const keys[NKEYS] = {"file", "format", "limit", "auto_areas", "pid"};
    yaml_node_t *v[NKEYS];
    struct scenario_str format = {0};
    unsigned nformats;
    const char *const *formats = trace_format_names(&nformats);
    char limit_range[64], format_list[DIAG_MESSAGE_MAX];

    snprintf(limit_range, sizeof limit_range, "a number from 1 to %lu", ULONG_MAX);
    diag_list(format_list, sizeof format_list, formats, nformats);
    if (ld_map_keys(ld, n, "in trace", "a mapping {file, format, limit, auto_areas, pid}", keys,
                    NKEYS, v) < 0
        || ld_require(ld, n, v[FILE_], "file", "in trace", "a trace file path") < 0
        || ld_require(ld, n, v[FORMAT], "format", "in trace", format_list) < 0
        || ld_get_string(ld, v[FILE_], KEY("file"), "a trace file path", &st->u.trace.file) < 0
        || ld_get_string(ld, v[FORMAT], KEY("format"), format_list, &format) < 0
        || (v[LIMIT] && ld_get_number_in(ld, v[LIMIT], KEY("limit"), 1, ULONG_MAX, limit_range,
                                         &st->u.trace.limit) < 0)
        || (v[AUTO_AREAS] && ld_get_flag(ld, v[AUTO_AREAS], KEY("auto_areas"),
                                         &st->u.trace.auto_areas) < 0)
        || ld_opt_pid(ld, v[PID], KEY("pid"), &st->u.trace.pid) < 0)
        return -1;
    st->u.trace.format_pos = format.pos;
    if (trace_format_lookup(format.value, &st->u.trace.format) < 0) {
        char expected[DIAG_MESSAGE_MAX];
        return ld_fail_at(ld, format.pos, "unknown trace format '%.*s' (%s)", DIAG_QUOTE_MAX,
                          format.value, diag_expected_choice(expected, sizeof expected,
                                                             format.value, formats, nformats));
    }
    if (st->u.trace.file.value[0] == '\0')
        return ld_fail_type(ld, v[FILE_], KEY("file"), "a trace file path");
    if ((st->u.trace.path = trace_path(ld, st->u.trace.file.value)) == NULL)
        return ld_fail_oom(ld, n);
    if (count_trace(ld, st, budget, &st->u.trace.count) < 0)
        return -1;
    st->accesses = st->u.trace.count;
    if (st->accesses > budget)
        return ld_fail_accesses(ld, st->pos);
    return 0;
}
