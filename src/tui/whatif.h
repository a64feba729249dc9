#ifndef VMVIZ_TUI_WHATIF_H
#define VMVIZ_TUI_WHATIF_H
/* What if, from here: the same scenario on another machine, replayed to
 * the place the viewer is at, and two machines side by side.
 *
 * A machine is named by its knobs (policy, frames, TLB entries and ways,
 * ASIDs, seed). Trying one rebuilds the timeline with the app's overrides
 * changed for the knobs that differ, so that opts.overrides always
 * describes the machine on screen; the overrides it replaced go on a
 * stack for undo. The split view keeps a second timeline, built the same
 * way, that follows the first one step for step.
 *
 * Every rebuild and replay runs between app_busy_begin and app_busy_end:
 * Esc abandons it (the machine on screen stays as it was), q quits. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "play/timeline.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/view.h"

/* The knobs the what-if menu turns, in its order: id and label. */
#define WHATIF_KNOB_LIST(X)          \
    X(POLICY, "Replacement policy")  \
    X(FRAMES, "Physical frames")     \
    X(TLB_ENTRIES, "TLB entries")    \
    X(TLB_WAYS, "TLB ways")          \
    X(ASID, "ASID tags")             \
    X(SEED, "Random seed")

enum whatif_knob {
#define WHATIF_KNOB_ENUM(id, label) KNOB_##id,
    WHATIF_KNOB_LIST(WHATIF_KNOB_ENUM)
#undef WHATIF_KNOB_ENUM
    KNOB_COUNT
};

/* The menu's lines after the knobs: the two things it can do. */
enum whatif_line {
    WHATIF_LINE_APPLY = KNOB_COUNT,   /* apply and replay to here */
    WHATIF_LINE_COMPARE,              /* compare side by side */
    WHATIF_LINES
};

/* A machine as the menu shows it. */
struct whatif_knobs {
    enum policy_kind policy;
    uint32_t frames;
    uint32_t tlb_entries, tlb_ways;
    bool asid;
    uint64_t seed;
};

/* The counters two machines are compared by, in the order the message
 * line names them and the split view shows them (two a row): id and
 * label. */
struct whatif_counter {
    enum counter_id id;
    const char *label;
};
#define WHATIF_COUNTERS 8
extern const struct whatif_counter whatif_counters[WHATIF_COUNTERS];

/* Machines kept for undo; the oldest is forgotten beyond this. */
#define WHATIF_UNDO_MAX 32

struct whatif {
    /* The menu: the machine on screen when it opened, the one edited, and
     * the chosen line (a knob or an enum whatif_line). */
    struct whatif_knobs shown, edit;
    int line;
    char note[128];      /* why the last turn of a knob did nothing */
    /* The overrides of the machines replaced, the newest last. */
    struct timeline_overrides undo[WHATIF_UNDO_MAX];
    size_t nundo;
    /* The last machine tried other than the one on screen: what `v`
     * compares with. */
    bool has_alt;
    struct timeline_overrides alt;
    /* The split view's right-hand machine (NULL when the split is shut),
     * and the scene drawn from it. */
    struct timeline *right;
    struct scene right_scene;
};

/* The app's what-if state, made on first use; NULL when the host has no
 * memory for it. */
struct whatif *whatif_of(struct app *a);
/* Frees the what-if state and the split's timeline; NULL is allowed. */
void whatif_free(struct whatif *w);

/* The knobs of a machine. */
void whatif_knobs_of(const struct machine *m, struct whatif_knobs *k);
/* "fifo, 3 frames, TLB 4x4" (entries x ways), then ", no ASIDs" when the
 * TLB has no ASID tags, and ", seed N" for the policies that draw random
 * numbers: a machine's name in titles and messages. */
void whatif_machine_name(const struct machine *m, char *buf, size_t len);
/* A knob's value in words ("lru", "4", "on"). */
void whatif_knob_value(const struct whatif_knobs *k, enum whatif_knob knob, char *buf,
                       size_t len);
/* Turns a knob one notch up (direction +1) or down (-1) to the next value
 * that gives a machine the scenario can run on; false, k unchanged, when
 * there is none that way. */
bool whatif_knob_turn(const struct app *a, struct whatif_knobs *k, enum whatif_knob knob,
                      int direction);
/* The overrides that give the machine `to`: base (the app's) with every
 * knob that differs from `from` (the machine base gives) set. */
void whatif_overrides(const struct timeline_overrides *base, const struct whatif_knobs *from,
                      const struct whatif_knobs *to, struct timeline_overrides *out);

/* Moves tl to the place ref is at in the same scenario: the same
 * position when that lies in the same access of the same operation,
 * otherwise the end of that access (between accesses, of that operation).
 * false when stopped or on a host error (timeline_stopped,
 * timeline_error). */
bool whatif_align(struct timeline *tl, const struct timeline *ref);

/* Rebuilds the timeline on the machine o describes, replayed to the same
 * place, and says in the message line what changed in the counters; o
 * becomes the app's overrides and the ones replaced go on the undo
 * stack. Returns APP_* flags (APP_QUIT when q was pressed meanwhile). */
unsigned whatif_apply(struct app *a, const struct timeline_overrides *o);
/* Back to the machine before the last what-if, at the same place; says
 * so, or that there is nothing to undo. */
unsigned whatif_undo(struct app *a);
/* Opens the split view with the current machine on the left and the one
 * o describes on the right, at the same place. */
unsigned whatif_split_open(struct app *a, const struct timeline_overrides *o);
/* Moves the split's right-hand machine to where the left one is, under
 * the busy line; says so when Esc stopped it or the host refused, and
 * returns APP_QUIT when q was pressed meanwhile. */
unsigned whatif_split_follow(struct app *a);
/* Shuts the split's right-hand timeline. */
void whatif_split_close(struct app *a);

/* What the main screen's keys w, u and v do: the menu, undo, the split
 * view with the last alternative (or another policy when none was tried). */
unsigned whatif_action(struct app *a, enum key_action act);

#endif
