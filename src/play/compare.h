#ifndef VMVIZ_PLAY_COMPARE_H
#define VMVIZ_PLAY_COMPARE_H
/* Racing replacement policies: one scenario played once per (policy,
 * frame count), the configurations spread over worker processes (each
 * run is independent, and a process of its own shares nothing with the
 * others), and the final counters of each printed as a table, a chart of
 * faults against frames, or one JSON array. No terminal UI: vmviz compare
 * writes plain text on standard output.
 *
 * Each configuration is the run `vmviz run --stats --policy P --frames N`
 * (with the same --tlb and --seed) would make, so its counters are the
 * ones that command prints. The scenario's expectations are not checked:
 * they describe the scenario's own machine, not the others raced here. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "play/report.h"
#include "play/setup.h"
#include "scenario/scenario.h"
#include "util/diag.h"
#include "vm/counters.h"
#include "vm/policy.h"

/* The most configurations (policies times frame counts) one comparison
 * runs: enough for every policy over a range of hundreds of frame counts,
 * few enough that a slip of the finger does not start hours of work. */
#define COMPARE_MAX_CONFIGS 4096
/* The most worker processes, whatever the number of processors. */
#define COMPARE_MAX_WORKERS 64
/* The chart's width in columns, all labels included, and the most rows
 * its plot takes (more faults than rows: each row stands for several). */
#define COMPARE_CHART_WIDTH 80
#define COMPARE_CHART_ROWS 20

/* What to race. */
struct compare_plan {
    enum policy_kind policies[POLICY_COUNT]; /* in the order rows are printed */
    size_t npolicies;                        /* 1 to POLICY_COUNT, each policy once */
    uint32_t frames_min, frames_max;         /* 0 and 0: the scenario's own frames */
    struct timeline_overrides base;          /* the TLB and seed every run takes; its
                                                policy and frames are not read */
    unsigned workers;                        /* 0: as many as online processors */
};

/* One configuration's outcome. */
struct compare_row {
    enum policy_kind policy;
    uint32_t frames;
    struct counters counters;
};

/* How many configurations plan asks for with the frame range it states
 * (a plan without a range counts one frame count per policy). */
size_t compare_count(const struct compare_plan *plan);

/* The marks the chart draws each policy with: the first letter of its
 * name, upper case, not taken by a policy before it in policy_names (so
 * a policy keeps its mark whatever the list compared). */
char compare_mark(enum policy_kind policy);

/* Runs every configuration of plan on s, in parallel, and fills rows
 * (room for compare_count(plan), at most COMPARE_MAX_CONFIGS) in plan
 * order: policies as listed, then frames ascending, whatever order the
 * workers finished in. *nrows is set to the count. false with err set
 * when the plan is empty or too large, when the scenario cannot give its
 * frames, or when a configuration fails (the scenario refuses the
 * machine, a trace changed, the host refused memory): err is then the
 * first failing configuration's in plan order, at FILE:LINE:COLUMN of the
 * scenario, its message saying which configuration it was. */
bool compare_run(const struct scenario *s, const struct compare_plan *plan,
                 struct compare_row *rows, size_t *nrows, struct diag *err);

/* Prints the rows as a table: one line per row with policy, frames,
 * faults, TLB hit rate, evictions, writebacks, swap-ins and swap-outs. */
void compare_print_table(FILE *out, const struct compare_row *rows, size_t nrows);

/* Prints the rows as one JSON array of objects, one per line, each with
 * "policy", "frames" and every counter of vm/counters.h by its name. */
void compare_print_json(FILE *out, const struct compare_row *rows, size_t nrows);

/* Draws faults against frames as plain text at most COMPARE_CHART_WIDTH
 * columns wide: y the faults (whole numbers on the axis), x the frame
 * counts, one mark per policy (compare_mark), '*' where several meet, and
 * a legend. rows must be plan-ordered with the same frame counts for
 * every policy (what compare_run gives). Prints nothing when there are
 * fewer than two frame counts. */
void compare_print_chart(FILE *out, const struct compare_row *rows, size_t nrows);

#endif
