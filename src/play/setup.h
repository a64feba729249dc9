#ifndef VMVIZ_PLAY_SETUP_H
#define VMVIZ_PLAY_SETUP_H
/* Setting a scenario up on the engine: everything the timeline does before
 * the first event. The scenario loader checked the shape of the file; here
 * the engine's vocabulary is checked against it (presets, policies, TLB
 * replacements, counters, pids, frames, user space), the machine
 * configuration is made from the scenario and the command line's
 * overrides, the machine of position 0 is built, and for OPT the future is
 * learned (when the timeline first plays forward). Every error is reported at the FILE:LINE:COLUMN of the scenario
 * value it is about.
 *
 * Nothing here keeps a pointer to the scenario: what it builds holds only
 * copies (names are copied into the machine). */
#include <stdbool.h>
#include <stdint.h>

#include "play/program.h"
#include "scenario/scenario.h"
#include "util/diag.h"
#include "vm/machine.h"

/* Replaces scenario values (each only when set). The policy name is read
 * while the configuration is made, not kept. */
struct timeline_overrides {
    const char *policy;    /* NULL: keep */
    long long frames;      /* -1: keep */
    long long tlb_entries; /* -1: keep */
    long long tlb_ways;    /* -1: keep */
    long long seed;        /* -1: keep */
    int tlb_asid;          /* -1: keep, 0: no ASID tags, 1: tag entries with ASIDs */
};
/* Sets every field to "keep the scenario's value". */
void timeline_overrides_init(struct timeline_overrides *o);

/* The largest values of machine settings the engine takes from a scenario
 * (vmviz-scenario(5)); fault_around must also be a power of two or 0. */
#define SETUP_MAX_NRU_INTERVAL 1000000u   /* accesses */
#define SETUP_MAX_FAULT_AROUND MACHINE_MAX_WINDOW_PAGES /* pages */
#define SETUP_MAX_READAHEAD    MACHINE_MAX_WINDOW_PAGES /* pages */

/* The machine configuration the scenario's machine section describes,
 * with the overrides (o may be NULL) applied last. false with err set
 * (an unknown preset, policy or TLB replacement, a number out of range, a
 * layout the engine refuses); *c is then of no use. */
bool setup_config(const struct scenario *s, const struct timeline_overrides *o,
                  struct machine_config *c, struct diag *err);

/* Checks the steps against the engine and the configuration: counter
 * names, pids, files, frames, pages within user space, and what the steps
 * play with c's page size (SCENARIO_MAX_PLAYS, SCENARIO_MAX_ACCESSES).
 * true with *accesses set to the accesses of the whole run; false with err
 * set. */
bool setup_check(const struct scenario *s, const struct machine_config *c,
                 uint64_t *accesses, struct diag *err);

/* The machine at position 0: c, the scenario's files, its processes and
 * their areas. NULL with err set when the engine refuses one of them or the
 * first access could not have its tables; nothing is left allocated then. */
struct machine *setup_machine(const struct scenario *s, const struct machine_config *c,
                              struct diag *err);

/* Called while the future is learned, after every item or run of items
 * (items: how many since the last call); true asks to stop. cur is the
 * pass's own cursor, valid only during the call. */
typedef bool (*setup_poll_fn)(void *ctx, const struct cursor *cur, uint64_t items);

enum setup_outcome {
    SETUP_DONE,       /* *future is set */
    SETUP_STOPPED,    /* poll asked to stop; err is untouched */
    SETUP_FAILED,     /* err is set (the host refused memory) */
};

/* Whether OPT can learn the future of a run of `accesses` accesses: it
 * holds fewer than MACHINE_NO_NEXT_USE. false with err set otherwise. A
 * count alone, so that a timeline refuses such a run at creation and
 * learns the future itself later (setup_future). */
bool setup_future_fits(const struct scenario *s, uint64_t accesses, struct diag *err);

/* Whether the steps alone decide which page of which process every access
 * touches, so that OPT's future needs no machine: every step, repeats
 * opened, is an access at a number (a read, write, exec or fill without a
 * symbol, refs, a trace) or runs nothing on the machine (say, chapter,
 * pause, expect, ask). Such a run adds no process and switches none, so
 * each access's pid is the one the machine of position 0 gives it (a
 * process killed on the way keeps its pid, and the running one stays
 * current); and no address waits on an area. false for any other step:
 * mmap, munmap, mprotect, map, switch, fork, exit, execve, spawn, brk, or
 * an address with a symbol. */
bool setup_stream_decides_pages(const struct scenario *s);

/* OPT's future: for each of the run's `accesses` accesses, the index of
 * the next access to the same page of the same process
 * (MACHINE_NO_NEXT_USE for none), four bytes each, written to
 * next[0..accesses-1] (room for at least one). The accesses are read from
 * the program's stream of items in one pass, each linked to the next use
 * as it comes, with a map of the distinct pages: from the steps alone when
 * they decide the pages (setup_stream_decides_pages) and the page tables
 * of initial have room for every table those pages could need; otherwise
 * by playing the program on a copy of initial (which is not changed; the
 * copy knows no future, whatever initial was lent). Both give the same
 * table, and the copy can stop only at that cap or when the host refuses
 * memory. A run of MACHINE_NO_NEXT_USE accesses or more is refused
 * (SETUP_FAILED). next is whole only on SETUP_DONE: the pass writes it as
 * it goes. The program's cursor state is its own: the pass starts one at
 * first_pid. */
enum setup_outcome setup_future(struct program *prog, const struct machine *initial,
                                uint32_t first_pid, uint64_t accesses, setup_poll_fn poll,
                                void *ctx, uint32_t *next, struct diag *err);

#endif
