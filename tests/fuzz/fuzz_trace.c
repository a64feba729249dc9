/* libFuzzer target: any bytes as a trace file, in each of the three
 * formats. trace_count either counts it or gives a LINE:COLUMN error; a
 * reader then gives exactly the accesses counted (or the same error), and
 * seeking back to a remembered position reads the same access again; a
 * reader taking runs (trace_next_run) where it can gives what one reading
 * one by one gives, and stands where it stands, the position after a run
 * as trace_run_tell works it out. Nothing may crash, hang or leak. Built
 * and run by `make fuzz`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The most accesses a trace may hold here, as a scenario's budget. */
#define FUZZ_MAX_ACCESSES 100000

/* Reads the counted trace at path twice side by side, one reader in runs
 * of lengths taken from data, the other one access at a time; traps where
 * they disagree. */
static void runs_agree(const char *path, enum trace_format f, unsigned long limit,
                       const uint8_t *data, size_t size)
{
    struct diag err;
    struct trace_reader *one = trace_open(path, f, limit, 4096, &err);
    struct trace_reader *runs = trace_open(path, f, limit, 4096, &err);
    if (!one || !runs)
        __builtin_trap(); /* counted a moment ago: it must open */
    struct trace_run_access run[64];
    for (size_t step = 0;; step++) {
        struct trace_pos from, after, told;
        trace_tell(runs, &from);
        size_t want = 1 + (size ? data[step % size] % 64 : 0);
        size_t k = trace_next_run(runs, run, want);
        struct trace_access a, b;
        if (k > want)
            __builtin_trap();
        if (k == 0) {
            int ra = trace_next(one, &a, &err), rb = trace_next(runs, &b, &err);
            if (ra != rb || (ra == 1 && (a.value != b.value || a.kind != b.kind)))
                __builtin_trap();
            if (ra != 1)
                break;
            continue;
        }
        for (size_t i = 0; i < k; i++)
            if (trace_next(one, &a, &err) != 1 || a.value != run[i].value ||
                a.kind != run[i].kind || a.size != run[i].size || a.page_part != 0 ||
                a.record_size != a.size)
                __builtin_trap();
        trace_tell(one, &after);
        trace_tell(runs, &told);
        struct trace_pos worked;
        trace_run_tell(&from, run, k, &worked);
        if (!trace_is_at(runs, &after) || after.line != told.line ||
            worked.offset != told.offset || worked.line != told.line ||
            worked.emitted != told.emitted)
            __builtin_trap();
    }
    trace_close(one);
    trace_close(runs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "fuzz-trace-%ld.txt", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    for (int f = 0; f < TRACE_FORMAT_COUNT; f++) {
        struct trace_census census;
        struct diag err;
        unsigned long limit = size % 3 == 0 ? 0 : size % 50;
        if (trace_count(path, (enum trace_format)f, limit, 4096, FUZZ_MAX_ACCESSES, &census,
                        &err) < 0) {
            if (err.message[0] == '\0')
                __builtin_trap();
            continue;
        }
        /* Past max the count stops at max + 1 (a lackey record of a
         * gigabyte touches that many pages in one line): the loader
         * refuses such a trace, so there is no count to read it against. */
        if (census.count > FUZZ_MAX_ACCESSES)
            continue;
        struct trace_reader *r = trace_open(path, (enum trace_format)f, limit, 4096, &err);
        if (!r)
            __builtin_trap(); /* counted a moment ago: it must open */
        struct trace_access a, marked = {0}, again;
        struct trace_pos mark = {0};
        uint64_t n = 0;
        int rc;
        for (;;) {
            /* Remember where the middle access starts, and what it is. */
            if (n == census.count / 2)
                trace_tell(r, &mark);
            if ((rc = trace_next(r, &a, &err)) != 1)
                break;
            if (n == census.count / 2)
                marked = a;
            n++;
        }
        if (rc < 0 || n != census.count)
            __builtin_trap(); /* the reader must agree with the count */
        if (census.count > 0 && trace_seek(r, &mark) == 0) {
            if (trace_next(r, &again, &err) != 1 || again.kind != marked.kind ||
                again.value != marked.value || again.line != marked.line ||
                again.col != marked.col)
                __builtin_trap(); /* seeking back reads the same access again */
        }
        trace_close(r);
        runs_agree(path, (enum trace_format)f, limit, data, size);
    }
    remove(path);
    return 0;
}
