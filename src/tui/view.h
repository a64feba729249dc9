#ifndef VMVIZ_TUI_VIEW_H
#define VMVIZ_TUI_VIEW_H
/* The views of the main screen and what they share.
 *
 * Before drawing, the main screen builds a struct scene: the machine as it
 * stands, the event that led here, and what the access in view has done so
 * far (read from the timeline's log). Every view draws from the scene into
 * its rectangle and nothing else, so the screen after step N always shows
 * the machine after step N.
 *
 * Lifetimes: a scene borrows from its timeline. Its pointers (the machine,
 * the events, the processes, the scenario's text) are valid until the
 * timeline next moves (a step, a seek, a run) or is destroyed; the main
 * screen builds a new scene before every draw. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "play/timeline.h"
#include "tui/draw.h"
#include "vm/machine.h"

struct scene;
struct view_ctx;

/* The panels of the main screen, in Tab order, and what each is: its id,
 * its title, its brief title (presenter mode's one-line summaries), the
 * view that draws it, the rows it would like (a
 * panel_want_fn, or NULL when the layout gives it a fixed height or what
 * is left), and whether Up/Down scroll it once it has the focus. The enum,
 * the titles and panel_ops() are all generated from this one table. */
#define PANEL_TABLE(X)                                                                     \
    X(ACCESS, "Access", "Access", view_access_draw, NULL, false)                          \
    X(WALK, "Page walk", "Walk", view_walk_draw, view_walk_want, false)                   \
    X(TLB, "TLB", "TLB", view_tlb_draw, view_tlb_want, true)                              \
    X(FRAMES, "Physical memory", "Memory", view_frames_draw, view_frames_want, true)      \
    X(SWAP, "Swap", "Swap", view_swap_draw, view_swap_want, true)                         \
    X(PROCESS, "Processes", "Procs", view_process_draw, view_process_want, true)          \
    X(COUNTERS, "Counters", "Faults", view_counters_draw, view_counters_want, false)      \
    X(NARRATION, "What happened", "Said", view_narration_draw, NULL, true)                \
    X(LOG, "Event log", "Log", view_log_draw, NULL, true)

enum panel {
#define PANEL_ENUM(id, ...) PANEL_##id,
    PANEL_TABLE(PANEL_ENUM)
#undef PANEL_ENUM
    PANEL_COUNT
};

/* The rows a panel would like, its title included, at a content width;
 * compact is the dense layout of small screens (below LAYOUT_WIDE_COLS x
 * LAYOUT_WIDE_ROWS). */
typedef int (*panel_want_fn)(const struct scene *s, int width, bool compact);

struct panel_ops {
    const char *title;
    const char *brief;        /* a title of a word */
    void (*draw)(const struct view_ctx *v, struct rect r);
    panel_want_fn want;       /* NULL: not asked */
    bool scrolls;             /* Up/Down scroll it when focused */
};

/* A panel's row of the table: static, valid for the program's life. */
const struct panel_ops *panel_ops(enum panel p);
/* The panel's title (the same text as panel_ops(p)->title): static. */
const char *panel_title(enum panel p);

/* The main screen's layout switches to its dense form below these (the
 * 80x24 minimum is always dense). */
#define LAYOUT_WIDE_COLS 120
#define LAYOUT_WIDE_ROWS 36

/* The stages an access goes through are STAGE_LIST in vm/event.h. */

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
    bool kernel;               /* made in kernel mode (a system call on kernel memory) */
    bool pa_known;
    uint64_t pa;
    uint32_t frame;            /* the frame the access reached (pa_known) */
    int tlb_sets[2];           /* the sets the last lookup searched (a second one
                                  for huge pages), -1 when none */
    int tlb_hit_index;         /* entry that hit, or -1 */
    int tlb_fill_index;        /* entry filled, or -1 */
    bool tlb_missed;
    /* The walk on screen: the last pass (after a restart, the new one). */
    bool walked[GEOMETRY_MAX_LEVELS];
    int fault_level;           /* level where the walk stopped on a fault, or -1 */
    bool faulted, segv, restarted;
    bool gp;                   /* a non-canonical VA raised #GP: nothing was looked up */
    bool killed;               /* the OOM killer ended the access's process */
    uint8_t fault_code, fault_kind;
    /* The translation's page: page_shift until a huge page is known (a
     * walk that ended on a PS entry, a TLB entry for a huge page, a fault
     * that mapped one). */
    unsigned span_shift;
    enum stage stages[SCENE_MAX_STAGES];
    size_t nstages;
};

/* A page-table entry the current step changed outside the walk in view
 * (an eviction's unmapping). */
struct scene_pte {
    bool present;
    uint32_t pid;
    uint64_t vpn;
    uint64_t entry;
};

/* Every pointer borrowed from the timeline: see "Lifetimes" above. */
/* What the current event does with a swap slot. Columns: id, the verb the
 * swap panel shows. */
#define SCENE_IO_LIST(X)        \
    X(NONE, "")                 \
    X(RESERVE, "reserved")      \
    X(WRITE, "writing")         \
    X(READ, "reading")

enum scene_io {
#define SCENE_IO_ENUM(id, verb) IO_##id,
    SCENE_IO_LIST(SCENE_IO_ENUM)
#undef SCENE_IO_ENUM
};

struct scene {
    const struct timeline *tl;
    const struct machine *m;
    const struct tl_event *cur;       /* NULL at the start */
    const struct tl_event *log[TIMELINE_LOG_SIZE]; /* newest first */
    size_t nlog;
    struct scene_access acc;
    /* The process whose root table CR3 holds now: the access's while it is
     * in progress, else the running one (NULL when none runs). The walk in
     * view is shown only when it belongs to that process. */
    const struct process *cr3_proc;
    bool walk_shown;
    /* What the current event points at (EV_NONE / -1 when nothing). */
    int walk_active_level;
    int pte_update_level;
    uint32_t table_frame;             /* table read or allocated */
    uint32_t alloc_frame;             /* first frame taken... */
    uint32_t alloc_count;             /* ...and how many (a huge page takes a run) */
    uint32_t victim_frame;
    uint32_t source_frame;            /* the frame a copy reads from */
    uint32_t current_frame;           /* the data frame of the access */
    uint32_t current_count;           /* frames of that page (a huge page's run) */
    uint32_t io_slot;                 /* the swap slot the current event uses */
    enum scene_io io;                 /* what it does with it */
    int tlb_event_index;              /* entry the current event touches */
    enum event_kind tlb_event;        /* which TLB event, EV_COUNT for none */
    struct scene_pte victim_pte;      /* an entry an eviction just rewrote */
    /* The area the current operation created or changed (mmap, munmap,
     * mprotect), else area_pid is EV_NONE. */
    uint32_t area_pid;
    uint64_t area_start, area_end;
    uint32_t proc_pid;                /* a process the current event created,
                                         switched to or ended, else EV_NONE */
    const char *say;                  /* the scenario's text in force, or NULL */
};

/* Builds the scene for the timeline's current position; it stays valid
 * until the timeline next moves. */
void scene_build(struct scene *s, const struct timeline *tl);
/* The panel the current step is about (the TLB for a lookup, the walk for
 * an entry read, physical memory for an eviction, swap for its I/O, the
 * processes for an mmap...): what presenter mode shows large. */
enum panel scene_subject(const struct scene *s);

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
/* The hit under (y, x), or NULL: a pointer into h, valid until h is next
 * cleared (the next draw of the main screen); copy what is kept. */
const struct hit *hits_find(const struct hits *h, int y, int x);

/* What a view gets besides its rectangle, for one draw: every pointer is
 * the caller's and is not kept. */
struct view_ctx {
    const struct scene *s;
    bool focused;
    bool titled;          /* the rect's first row is the panel's title */
    int *scroll;          /* the panel's scroll offset (the view clamps it) */
    struct hits *hits;    /* where clickable cells go, or NULL */
};

/* Draws the panel's title row when v->titled and returns the rect left for
 * the content. */
struct rect view_frame(const struct view_ctx *v, struct rect r, enum panel p, const char *extra);
/* Like view_frame with the first of extras[0..n) that fits whole (richest
 * first); the last one, in whole words, when none does. */
struct rect view_frame_fit(const struct view_ctx *v, struct rect r, enum panel p,
                           const char *const *extras, size_t n);

/* The rows each panel would like, its title included (panel_want_fn, see
 * PANEL_TABLE): every frame, every set of the TLB, every counter... in
 * the richest form that stays reasonable. */
int view_walk_want(const struct scene *s, int width, bool compact);
int view_tlb_want(const struct scene *s, int width, bool compact);
int view_frames_want(const struct scene *s, int width, bool compact);
int view_swap_want(const struct scene *s, int width, bool compact);
int view_process_want(const struct scene *s, int width, bool compact);
int view_counters_want(const struct scene *s, int width, bool compact);
/* The rows without which the walk shows nothing useful: its title, CR3
 * and a row per level. */
int view_walk_min_rows(const struct scene *s);
/* Rows every set of the TLB takes at content width w (ways wrap when a set
 * does not fit on one row). */
int view_tlb_rows_at(const struct scene *s, int width);

/* Content rows from which the access panel shows the VA in binary with
 * the indices under it (fewer: the indices alone), and from which it adds
 * the sentence on how the MMU reads them; the layout gives it one or the
 * other. */
#define VIEW_ACCESS_ROWS_BITS 4
#define VIEW_ACCESS_ROWS_FULL 5

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
/* The role of a level's VA bits and entries. */
enum role view_level_role(unsigned level);
/* The role of a frame by kind and owner (free, table, zero, file, procN). */
enum role view_frame_role(const struct machine *m, uint32_t frame);
/* One character for what a frame holds: '.' free, '-' free but kept for
 * page tables, 'T' a page table, 'Z' the zero page, 'f' the page cache of
 * a file, 'm' shared memory, '1'-'9' an anonymous page of that pid ('#'
 * from pid 10), 'S' an anonymous page two or more processes map, 'K' the
 * kernel's own memory, '+' taken, its content not there yet. */
char view_frame_glyph(const struct machine *m, uint32_t frame);
/* What a frame holds in words, exact: "free", "reserved", "p1 PGD",
 * "k PUD" (a table of the kernel's, every process's), "zero page",
 * "data+0x3", "p1 heap+0x1f", "k text+0x1" (page 1 of the kernel area
 * text), with " x2" when two mappings share it. */
void view_frame_label(const struct machine *m, uint32_t frame, char *buf, size_t len);
/* A page of a process named by its area: "heap+0x1f" is page 0x1f of the
 * area "heap" (counted from the area's start); "0x10010" when no named
 * area holds it. */
void view_page_label(const struct machine *m, uint32_t pid, uint64_t vpn, char *buf, size_t len);
/* True when the page in the frame has been written (for any frame of a
 * huge page, the huge page's state). */
bool view_frame_dirty(const struct machine *m, uint32_t frame);
/* How many distinct processes map the frame. */
uint32_t view_frame_sharers(const struct machine *m, uint32_t frame);
/* Decimal digits of n (for right-aligned frame and slot numbers). */
int view_digits(uint32_t n);
/* Index of a pid among the machine's processes (for owner colours). */
int view_process_index(const struct machine *m, uint32_t pid);

/* The access panel's parts (view_access.c), which presenter mode draws
 * too: row y of r says who accesses what and where it lands; the strip of
 * the stages the access has gone through. */
void view_access_address_line(const struct scene *s, struct rect r, int y);
void view_access_stages(const struct scene *s, struct rect r, int y);

/* Presenter mode (view_present.c). */

/* The rows, below its title, of the access drawn big. */
int view_access_big_rows(void);
/* The access panel drawn big: the address, one wide box per field of the
 * virtual address (its name, its value, its bits, in its level's role),
 * the stages. false, having drawn only the title, when there is no access
 * yet or the boxes do not fit whole: the caller draws the usual panel. */
bool view_access_big_draw(const struct view_ctx *v, struct rect r);
/* A panel in one line of words ("TLB: 3 of 16 entries valid; 5 hits, 2
 * misses"), its title not included; "" for the narration and the log. */
void view_summary(const struct scene *s, enum panel p, char *buf, size_t len);
/* The columns the summary takes with its brief title. */
int view_summary_width(const struct scene *s, enum panel p);
/* Row 0 of r: the panel's brief title, then its summary in whole words. */
void view_summary_draw(const struct scene *s, enum panel p, struct rect r);

#endif
