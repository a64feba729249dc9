#ifndef VMVIZ_PLAY_PROGRAM_H
#define VMVIZ_PLAY_PROGRAM_H
/* A scenario as a stream of items: machine operations (one per access,
 * mmap, switch...) and the scenario's own items (say, chapter, pause,
 * expect). A cursor is the program counter over the step tree: small,
 * copyable, so the timeline snapshots it with the machine. Addresses such
 * as `buf+0x10` are resolved against the machine as it stands when the item
 * is produced, exactly as a program would see its own mappings.
 *
 * A program borrows its scenario, which must outlive it; cursors and items
 * point into the scenario's steps (valid as long as it). The program owns
 * one open reader per trace step, closed by program_destroy. */
#include <stdbool.h>
#include <stdint.h>

#include "scenario/scenario.h"
#include "scenario/trace.h"
#include "vm/machine.h"

/* ITEM_GONE: a step of a process that has ended (exit, or the OOM
 * killer), which named one of its areas: op.pid is the process. */
enum item_kind {
    ITEM_OP, ITEM_SAY, ITEM_CHAPTER, ITEM_PAUSE, ITEM_EXPECT, ITEM_FAILED, ITEM_ASK, ITEM_GONE
};

/* Room for the reason of an ITEM_FAILED, NUL included: it quotes a name
 * (or a trace's name, cut to 24 bytes) and becomes the event's detail. */
#define ITEM_REASON_MAX 96

struct item {
    enum item_kind kind;
    struct op op;                      /* ITEM_OP; ITEM_GONE: op.pid only */
    const struct scenario_step *step;  /* where it came from */
    bool last_of_step;                 /* the step's last item */
    /* ITEM_OP of a trace record that crosses page boundaries: which page
     * of it after its first (0: the first, or no crossing) and the whole
     * record's bytes (0 when more than a uint16_t holds). */
    uint8_t page_part;
    uint16_t record_bytes;
    char reason[ITEM_REASON_MAX];      /* ITEM_FAILED: why the step cannot run */
};

#define CURSOR_DEPTH (SCENARIO_MAX_REPEAT_DEPTH + 2)

struct cursor_frame {
    const struct scenario_step *steps;
    size_t count;
    size_t index;          /* the step being run */
    uint64_t times_left;   /* for the repeat that pushed this frame */
};

struct cursor {
    struct cursor_frame stack[CURSOR_DEPTH];
    unsigned depth;
    uint64_t sub;          /* items already produced by the current leaf step */
    struct trace_pos tpos; /* inside a trace step */
    uint64_t op_seq;       /* leaf step runs begun */
    uint64_t access_seq;   /* accesses produced */
    uint32_t running_pid;  /* as the scenario believes: follows switch items */
    bool done;
};

struct program {
    const struct scenario *scenario;
    uint64_t page_size;
    uint64_t op_total;       /* leaf step runs in the whole scenario */
    /* One open reader per trace step, found by the step's address. */
    const struct scenario_step **trace_steps;
    struct trace_reader **readers;
    size_t ntraces;
    const struct scenario_step *last_trace_step;   /* reader_of's last answer */
    struct trace_reader *last_reader;
};

/* Opens the traces the scenario uses. false with err set when one cannot be
 * opened. */
bool program_init(struct program *p, const struct scenario *s, uint64_t page_size,
                  struct diag *err);
void program_destroy(struct program *p);
/* A cursor at the start of the program; pid is the first process. */
void cursor_start(const struct program *p, struct cursor *c, uint32_t first_pid);
/* The engine's layout of a scenario's program (its start defaulted). */
void program_image_of(const struct scenario_program *p, struct program_image *img);
/* Produces the next item into *out, resolving names against m (read during
 * the call only). false at the end of the program. */
bool cursor_next(struct program *p, struct cursor *c, const struct machine *m, struct item *out);

/* The accesses of a trace step read at once, as the items cursor_next
 * would make of them (cursor_next_trace_run). */
#define CURSOR_RUN_MAX 256
struct cursor_run {
    const struct scenario_step *step;
    uint32_t pid;              /* the step's (0: the running process) */
    bool pages;                /* a pages trace: its values are page numbers */
    uint64_t page_size;        /* what a value is multiplied by: the page size, or 1 */
    uint64_t first_sub;        /* the cursor's sub and access_seq before the first */
    uint64_t first_access;
    struct trace_pos from, to; /* where the reader stood before the first, after the last */
    size_t count;
    struct trace_run_access acc[CURSOR_RUN_MAX];
};

/* For a pass that plays or reads accesses in bulk: when the cursor stands
 * inside a trace step, past its first access, reads up to CURSOR_RUN_MAX
 * of the step's next accesses at once into *run: those that as many
 * cursor_next calls would give. It never gives the step's last access,
 * and stops before any line trace_next_run leaves. Returns how many; 0
 * says call cursor_next. The cursor is unchanged until cursor_run_done,
 * which must come before any other use of it than reading its counters;
 * meanwhile cursor_run_item moves them. */
size_t cursor_next_trace_run(struct program *p, const struct cursor *c, struct cursor_run *run);

/* The virtual address of access i of run. */
static inline uint64_t cursor_run_va(const struct cursor_run *run, size_t i)
{
    return run->acc[i].value * run->page_size;
}

/* Makes *out the item cursor_next would have given for access i of run,
 * and the cursor's counters what they would then be: *out whole for
 * i == 0, and for a later i only what differs from the one before (out
 * must hold access i - 1's item). */
void cursor_run_item(struct cursor *c, const struct cursor_run *run, size_t i, struct item *out);

/* Leaves the cursor as cursor_next would after the first `used` accesses
 * of run (all of it, or those played before a stop: the rest come again). */
void cursor_run_done(struct cursor *c, const struct cursor_run *run, size_t used);

#endif
