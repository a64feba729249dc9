#ifndef VMVIZ_TUI_VIEW_H
#define VMVIZ_TUI_VIEW_H
/* The views of the main screen and what they share.
 *
 * Before drawing, the main screen builds a struct scene: the machine as it
 * stands, the event that led here, and what the access in view has done so
 * far (read from the timeline's log). Every view draws from the scene into
 * its rectangle and nothing else, so the screen after step N always shows
 * the machine after step N. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "play/timeline.h"
#include "tui/draw.h"
#include "vm/machine.h"

/* The panels, in Tab order. */
#define PANEL_LIST(X)                        \
    X(ACCESS, "Access")                      \
    X(WALK, "Page walk")                     \
    X(TLB, "TLB")                            \
    X(FRAMES, "Physical memory")             \
    X(SWAP, "Swap")                          \
    X(PROCESS, "Processes")                  \
    X(COUNTERS, "Counters")                  \
    X(NARRATION, "What happened")            \
    X(LOG, "Event log")

enum panel {
#define PANEL_ENUM(id, title) PANEL_##id,
    PANEL_LIST(PANEL_ENUM)
#undef PANEL_ENUM
    PANEL_COUNT
};

const char *panel_title(enum panel p);

/* The stages an access goes through, as the access strip shows them. */
#define STAGE_LIST(X)                   \
    X(SPLIT, "split VA")                \
    X(TLB_HIT, "TLB hit")               \
    X(TLB_MISS, "TLB miss")             \
    X(WALK, "walk")                     \
    X(FAULT, "FAULT")                   \
    X(HANDLER, "handler")               \
    X(SEGV, "SIGSEGV")                  \
    X(FREE_FRAME, "free frame")         \
    X(EVICT, "evict")                   \
    X(LOAD, "load")                     \
    X(PTE, "entry")                     \
    X(RESTART, "restart")               \
    X(FILL, "TLB fill")                 \
    X(DONE, "done")

enum stage {
#define STAGE_ENUM(id, label) STAGE_##id,
    STAGE_LIST(STAGE_ENUM)
#undef STAGE_ENUM
    STAGE_COUNT
};

const char *stage_label(enum stage s);

#define SCENE_MAX_STAGES 24

/* What the access in view (the one in progress, or else the last one) has
 * done, read from the log. */
struct scene_access {
    bool present;
    bool in_progress;
    uint32_t pid;
    const struct process *proc;
    uint64_t va;
    enum access_kind kind;
    bool pa_known;
    uint64_t pa;
    int tlb_set;               /* the set the VA maps to */
    int tlb_hit_index;         /* entry that hit, or -1 */
    int tlb_fill_index;        /* entry filled, or -1 */
    bool tlb_missed;
    /* The walk on screen: the last pass (after a restart, the new one). */
    bool walked[GEOMETRY_MAX_LEVELS];
    int fault_level;           /* level where the walk stopped on a fault, or -1 */
    bool faulted, segv, restarted;
    uint8_t fault_code, fault_kind;
    enum stage stages[SCENE_MAX_STAGES];
    size_t nstages;
};

struct scene {
    const struct timeline *tl;
    const struct machine *m;
    const struct tl_event *cur;       /* NULL at the start */
    const struct tl_event *log[TIMELINE_LOG_SIZE]; /* newest first */
    size_t nlog;
    struct scene_access acc;
    /* What the current event points at (EV_NONE / -1 when nothing). */
    int walk_active_level;
    int pte_update_level;
    uint32_t table_frame;             /* table read or allocated */
    uint32_t alloc_frame;
    uint32_t victim_frame;
    uint32_t current_frame;           /* the data frame of the access */
    uint32_t io_slot;
    bool io_write;
    int tlb_event_index;              /* entry the current event touches */
    enum event_kind tlb_event;        /* which TLB event, EV_COUNT for none */
    const char *say;                  /* the scenario's text in force, or NULL */
};

/* Builds the scene for the timeline's current position. */
void scene_build(struct scene *s, const struct timeline *tl);

/* What a mouse click can land on. */
enum hit_kind { HIT_FRAME, HIT_TLB, HIT_SWAP };

struct hit {
    struct rect r;
    enum hit_kind kind;
    uint32_t index;
};

#define HITS_MAX 4096

struct hits {
    struct hit items[HITS_MAX];
    size_t n;
};

void hits_clear(struct hits *h);
void hits_add(struct hits *h, struct rect r, enum hit_kind kind, uint32_t index);
const struct hit *hits_find(const struct hits *h, int y, int x);

/* What a view gets besides its rectangle. */
struct view_ctx {
    const struct scene *s;
    bool focused;
    bool titled;          /* the rect's first row is the panel's title */
    int *scroll;          /* the panel's scroll offset (the view clamps it) */
    struct hits *hits;
};

/* Draws the panel's title row when v->titled and returns the rect left for
 * the content. */
struct rect view_frame(const struct view_ctx *v, struct rect r, enum panel p, const char *extra);

/* Rows a view would like at width w (the layout's hint). */
int view_walk_rows(const struct scene *s);
int view_tlb_rows(const struct scene *s);
int view_process_rows(const struct scene *s, bool wide);

void view_access_draw(const struct view_ctx *v, struct rect r);
void view_walk_draw(const struct view_ctx *v, struct rect r);
void view_tlb_draw(const struct view_ctx *v, struct rect r);
void view_frames_draw(const struct view_ctx *v, struct rect r);
void view_swap_draw(const struct view_ctx *v, struct rect r);
void view_process_draw(const struct view_ctx *v, struct rect r);
void view_counters_draw(const struct view_ctx *v, struct rect r);
void view_narration_draw(const struct view_ctx *v, struct rect r);
void view_log_draw(const struct view_ctx *v, struct rect r);

/* One line about an event for the log (no machine needed). */
void view_event_line(const struct tl_event *e, const struct machine *m, char *buf, size_t len);
/* The names of page-table levels for the machine's geometry ("PGD"...,
 * or "L0"...). */
const char *view_level_name(const struct geometry *g, unsigned level);
/* The role of a level's VA bits and entries. */
enum role view_level_role(unsigned level);
/* The role of a frame by kind and owner (free, table, zero, file, procN). */
enum role view_frame_role(const struct machine *m, uint32_t frame);
/* Index of a pid among the machine's processes (for owner colours). */
int view_process_index(const struct machine *m, uint32_t pid);

#endif
