/* Capture: turns a run of a real program into a scenario. The program runs
 * twice: once under Valgrind's lackey tool, whose memory trace becomes the
 * scenario's trace steps and whose /proc/PID/maps (read while a chapter
 * marker of scenarios/programs/vmviz.h holds the process stopped) becomes
 * its areas; and once natively, where the markers write getrusage() fault
 * counts that the scenario's chapters quote. This module runs processes:
 * only main.c uses it, and the engine and the player never see it. */
#ifndef VMVIZ_CAPTURE_CAPTURE_H
#define VMVIZ_CAPTURE_CAPTURE_H

#include "util/diag.h"

struct capture_request {
    char *const *argv;        /* the program and its arguments, NULL-ended */
    const char *output;       /* the scenario to write, NAME.yaml */
    const char *where;        /* file name errors carry ("command line") */
    unsigned program_column;  /* column of argv[0] on that line */
    unsigned output_column;   /* column of output on that line */
};

/* What a capture found, for its summary line. */
struct capture_summary {
    unsigned chapters;        /* chapters written, "Start-up" included */
    unsigned areas;           /* areas taken from /proc/PID/maps */
    unsigned long long accesses;  /* accesses in the trace files */
};

/* The path of the valgrind executable found on PATH, written to out (len
 * bytes): 0, or -1 when there is none. */
int capture_find_valgrind(char *out, size_t len);

/* Runs req->argv natively and under valgrind (found on PATH), and writes
 * req->output with its trace files in a directory beside it
 * (NAME.traces/N.lackey.gz, one per stretch of the trace between chapters
 * and syscall steps). Returns 0 with *summary set, or -1 with *err set at
 * req->where:1:column (the program's column for a program that cannot run
 * or whose two runs disagree, the output's for a file that cannot be
 * written). Blocks until both runs end. */
int capture_run(const struct capture_request *req, struct capture_summary *summary,
                struct diag *err);

#endif
