#ifndef VMVIZ_VM_EVENT_H
#define VMVIZ_VM_EVENT_H
/* What one micro-step did. machine_step() returns exactly one event; the
 * list below is the whole vocabulary, in the order an access can meet them.
 * One table gives the enum, the stable name (JSON "event" key) and a short
 * default text. */
#include <stdbool.h>
#include <stdint.h>

/* The stages of one access, in the order it can go through them: the
 * strip the viewer draws. Columns: id, label, short label (for a narrow
 * strip), and whether the stage is the access going wrong (a fault, a
 * signal, a kill), which is shown in the fault colour. */
#define STAGE_LIST(X)                                   \
    X(SPLIT, "split VA", "split", false)                                                            \
    X(GP, "#GP", "#GP", true)                                                                       \
    X(TLB_HIT, "TLB hit", "TLB hit", false)                                                         \
    X(TLB_MISS, "TLB miss", "TLB miss", false)                                                      \
    X(WALK, "walk", "walk", false)                                                                  \
    X(FAULT, "FAULT", "FAULT", true)                                                                \
    X(HANDLER, "handler", "handler", false)                                                         \
    X(SEGV, "SIGSEGV", "SIGSEGV", true)                                                             \
    X(OOM, "OOM kill", "OOM kill", true)                                                            \
    X(NEW_TABLE, "new table", "table", false)                                                       \
    X(FREE_FRAME, "free frame", "frame", false)                                                     \
    X(EVICT, "evict", "evict", false)                                                               \
    X(LOAD, "load", "load", false)                                                                  \
    X(PTE, "entry", "PTE", false)                                                                   \
    X(RESTART, "restart", "restart", false)                                                         \
    X(FILL, "TLB fill", "fill", false)                                                              \
    X(DONE, "done", "done", false)

enum stage {
#define STAGE_ENUM(id, label, brief, alarming) STAGE_##id,
    STAGE_LIST(STAGE_ENUM)
#undef STAGE_ENUM
    STAGE_COUNT
};
/* The stage column of an event outside any access's strip. */
#define STAGE_NONE (-1)

/* How an event stands out in a log: its tone. */
enum event_tone {
    TONE_PLAIN,
    TONE_ACCESS,    /* an access begins */
    TONE_TLB_HIT,
    TONE_TLB_MISS,
    TONE_FAULT,     /* a fault, a signal, a kill */
    TONE_VICTIM,    /* a page chosen for eviction */
};

/* The fields an event carries beyond those every report prints when they
 * are present (pid, level, index, way, huge_set, frame, slot, victim,
 * victim_pid, detail). */
#define EVF_ACCESS    0x001u /* access kind (and kernel mode), va and vpn: a step of an
                                access */
#define EVF_RANGE     0x002u /* va and size: an operation on a range */
#define EVF_SET       0x004u /* index is a TLB set, not a table index */
#define EVF_FRAMES    0x008u /* size is the frames a huge page's run covers (when above 1) */
#define EVF_ENTRY     0x010u /* entry: the entry read or written */
#define EVF_VPN_OTHER 0x020u /* other_vpn: the victim's page, when other_pid is set */
#define EVF_CODE      0x040u /* fault_code: the error code (a page fault's, a #GP's, or the
                                one a SIGSEGV reports to its handler) */
#define EVF_FAULT     0x080u /* fault_kind: the handler's decision */
#define EVF_PA        0x100u /* pa: the physical address formed */

/* What one line of an event log shows after the event's name. */
enum event_line {
    LINE_DETAIL,          /* the detail, if any */
    LINE_ACCESS,          /* pid, access kind and VA */
    LINE_SET,             /* the TLB set looked up */
    LINE_SET_WAY_FRAME,   /* set, way and the frame it gives */
    LINE_SET_WAY_DETAIL,  /* set and way, and the detail */
    LINE_WALK,            /* the level's entry, its table frame and value */
    LINE_CODE,            /* VA and decoded error code */
    LINE_FAULT,           /* the fault kind and the detail */
    LINE_FRAME,           /* the frame concerned */
    LINE_VICTIM,          /* the victim frame and why */
    LINE_SLOT,            /* swap slot and frame */
    LINE_UNMAPPED,        /* whose page left which frame */
    LINE_ENTRY,           /* the entry written and its frame */
    LINE_PA,              /* the physical address */
};

/* Every event kind, one row each: id, stable name (the JSON "event" key),
 * the stage of an access it belongs to (STAGE_NONE outside the strip),
 * its tone in a log, the fields it carries, what its log line shows, and
 * a short default text. The enum, names, texts and every per-kind
 * property the viewer and the reports use come from this table. */
#define EVENT_LIST(X)                                                                               \
    X(ACCESS_BEGIN, "access_begin", STAGE_SPLIT, TONE_ACCESS, EVF_ACCESS, LINE_ACCESS,              \
      "the CPU starts an access and splits the VA")                                                 \
    X(GP_FAULT, "gp_fault", STAGE_GP, TONE_FAULT, EVF_ACCESS | EVF_CODE, LINE_DETAIL,               \
      "the CPU raises a general-protection fault: the address is not canonical")                   \
    X(TLB_HIT, "tlb_hit", STAGE_TLB_HIT, TONE_TLB_HIT, EVF_ACCESS | EVF_SET, LINE_SET_WAY_FRAME,    \
      "the TLB holds the translation")                                                              \
    X(TLB_MISS, "tlb_miss", STAGE_TLB_MISS, TONE_TLB_MISS, EVF_ACCESS | EVF_SET, LINE_SET,          \
      "the TLB does not hold the translation")                                                      \
    X(WALK_STEP, "walk_step", STAGE_WALK, TONE_PLAIN, EVF_ACCESS | EVF_ENTRY, LINE_WALK,            \
      "the MMU reads one page-table entry")                                                         \
    X(PAGE_FAULT, "page_fault", STAGE_FAULT, TONE_FAULT, EVF_ACCESS | EVF_CODE, LINE_CODE,          \
      "the MMU raises a page fault")                                                                \
    X(SEGFAULT, "segfault", STAGE_SEGV, TONE_FAULT, EVF_ACCESS | EVF_FAULT | EVF_CODE, LINE_FAULT,  \
      "the kernel sends SIGSEGV")                                                                   \
    X(FAULT_CLASSIFIED, "fault_classified", STAGE_HANDLER, TONE_PLAIN, EVF_ACCESS | EVF_FAULT | EVF_FRAMES,      \
      LINE_FAULT, "the fault handler decides what to do")                                           \
    X(TABLE_ALLOC, "table_alloc", STAGE_NEW_TABLE, TONE_PLAIN, EVF_ACCESS | EVF_ENTRY,              \
      LINE_FRAME, "a page-table page is allocated")                                                 \
    X(VICTIM_CHOSEN, "victim_chosen", STAGE_EVICT, TONE_VICTIM, EVF_ACCESS | EVF_VPN_OTHER,         \
      LINE_VICTIM, "no frame is free: the policy picks a victim")                                   \
    X(SWAP_OUT, "swap_out", STAGE_EVICT, TONE_PLAIN, EVF_ACCESS | EVF_VPN_OTHER, LINE_SLOT,         \
      "the dirty victim is written to swap")                                                        \
    X(WRITEBACK, "writeback", STAGE_EVICT, TONE_PLAIN, EVF_ACCESS | EVF_VPN_OTHER, LINE_DETAIL,     \
      "the dirty file page is written back")                                                        \
    X(PAGE_DROPPED, "page_dropped", STAGE_EVICT, TONE_PLAIN, EVF_ACCESS | EVF_VPN_OTHER,            \
      LINE_DETAIL, "the clean victim is dropped")                                                   \
    X(UNMAPPED, "unmapped", STAGE_EVICT, TONE_PLAIN, EVF_ACCESS | EVF_ENTRY | EVF_VPN_OTHER,        \
      LINE_UNMAPPED, "a mapping of the victim is removed")                                          \
    X(TLB_INVALIDATE, "tlb_invalidate", STAGE_EVICT, TONE_PLAIN,                                    \
      EVF_ACCESS | EVF_SET | EVF_VPN_OTHER, LINE_SET_WAY_DETAIL,                                    \
      "a stale TLB entry is invalidated")                                                           \
    X(FRAME_ALLOC, "frame_alloc", STAGE_FREE_FRAME, TONE_PLAIN, EVF_ACCESS | EVF_FRAMES,            \
      LINE_FRAME, "a free frame is taken")                                                          \
    X(ZERO_FILL, "zero_fill", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS | EVF_FRAMES, LINE_FRAME,          \
      "the frame is filled with zeros")                                                             \
    X(ZERO_PAGE, "zero_page", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS | EVF_FRAMES, LINE_FRAME,                       \
      "the shared zero page is mapped read-only")                                                   \
    X(SWAP_IN, "swap_in", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_SLOT,                            \
      "the page is read back from swap")                                                            \
    X(SWAP_CACHE_HIT, "swap_cache_hit", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_SLOT,              \
      "the page is still in the swap cache")                                                        \
    X(FILE_READ, "file_read", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_FRAME,                       \
      "the page is read from its file")                                                             \
    X(CACHE_HIT, "cache_hit", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_FRAME,                       \
      "the page is already in the page cache")                                                      \
    X(COW_COPY, "cow_copy", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_FRAME,                         \
      "the shared page is copied")                                                                  \
    X(COW_REUSE, "cow_reuse", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_FRAME,                       \
      "the page is no longer shared: it is reused")                                                 \
    X(WRITE_NOTIFY, "write_notify", STAGE_LOAD, TONE_PLAIN, EVF_ACCESS, LINE_FRAME,                 \
      "the file system is told the page will be written")                                           \
    X(PTE_UPDATE, "pte_update", STAGE_PTE, TONE_PLAIN, EVF_ACCESS | EVF_ENTRY, LINE_ENTRY,          \
      "the page-table entry is written")                                                            \
    X(FAULT_RETURN, "fault_return", STAGE_RESTART, TONE_PLAIN, EVF_ACCESS, LINE_DETAIL,             \
      "the handler returns: the access restarts")                                                   \
    X(TLB_FILL, "tlb_fill", STAGE_FILL, TONE_PLAIN, EVF_ACCESS | EVF_SET, LINE_SET_WAY_DETAIL,      \
      "the translation is put in the TLB")                                                          \
    X(ACCESS_DONE, "access_done", STAGE_DONE, TONE_PLAIN, EVF_ACCESS | EVF_PA, LINE_PA,             \
      "the access completes")                                                                       \
    X(OOM_KILL, "oom_kill", STAGE_OOM, TONE_FAULT, EVF_ACCESS, LINE_DETAIL,                         \
      "out of memory: a process is killed")                                                         \
    X(PROCESS_GONE, "process_gone", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL,                         \
      "the process no longer exists")                                                               \
    X(CONTEXT_SWITCH, "context_switch", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL,                     \
      "another process runs")                                                                       \
    X(TLB_FLUSH, "tlb_flush", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL,                               \
      "the TLB is flushed")                                                                         \
    X(MMAP, "mmap", STAGE_NONE, TONE_PLAIN, EVF_RANGE, LINE_DETAIL,                                 \
      "an area is mapped")                                                                          \
    X(MUNMAP, "munmap", STAGE_NONE, TONE_PLAIN, EVF_RANGE, LINE_DETAIL,                             \
      "an area is unmapped")                                                                        \
    X(MPROTECT, "mprotect", STAGE_NONE, TONE_PLAIN, EVF_RANGE, LINE_DETAIL,                         \
      "an area's protection changes")                                                               \
    X(MAP_FRAME, "map_frame", STAGE_NONE, TONE_PLAIN, EVF_RANGE | EVF_ENTRY,                        \
      LINE_DETAIL, "a page is mapped to a chosen frame")                                            \
    X(FORK, "fork", STAGE_NONE, TONE_PLAIN, EVF_VPN_OTHER, LINE_DETAIL,                             \
      "a process is copied")                                                                        \
    X(EXIT, "exit", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL, "a process exits")                      \
    X(EXECVE, "execve", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL,                                     \
      "a process runs a new program in a new address space")                                        \
    X(SPAWN, "spawn", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL,                                       \
      "a new process runs a program")                                                               \
    X(BRK, "brk", STAGE_NONE, TONE_PLAIN, EVF_RANGE, LINE_DETAIL,                                   \
      "the program break moves: the heap grows or shrinks")                                         \
    X(OP_FAILED, "op_failed", STAGE_NONE, TONE_PLAIN, 0, LINE_DETAIL,                               \
      "the operation cannot be done")

enum event_kind {
#define EVENT_ENUM(id, name, stage, tone, fields, line, text) EV_##id,
    EVENT_LIST(EVENT_ENUM)
#undef EVENT_ENUM
    EV_COUNT
};

#define EV_NONE UINT32_MAX /* an absent frame, slot, pid or index */

enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

/* Why a fault handler acted as it did (FAULT_CLASSIFIED's and SEGFAULT's
 * fault_kind): id, stable name (JSON "fault"), the few words an access
 * summary gives it, and what it means. */
#define FAULT_KIND_LIST(X)                                                                     \
    X(NONE, "none", "?", "no fault")                                                           \
    X(ZERO_FILL, "zero_fill", "zero fill", "first write (or read) of anonymous memory")        \
    X(ZERO_PAGE, "zero_page", "zero page", "first read maps the shared zero page")             \
    X(SWAP_IN, "swap_in", "swap-in, major", "the entry holds a swap slot: major")              \
    X(SWAP_CACHED, "swap_cached", "swap cache, minor",                                         \
      "the entry holds a swap slot whose page is still in a frame: minor")                     \
    X(COW, "cow", "copy-on-write", "write to a shared read-only copy")                         \
    X(FILE_CACHED, "file_cached", "page cache, minor", "file page already in the page cache: minor") \
    X(FILE_READ, "file_read", "file read, major", "file page read from disk: major")           \
    X(WRITE_NOTIFY, "write_notify", "write notify",                                            \
      "first write to a shared file page mapped read-only: minor")                             \
    X(MAPERR, "SEGV_MAPERR", "no area", "no area: SIGSEGV, SEGV_MAPERR")                       \
    X(ACCERR, "SEGV_ACCERR", "not allowed", "the area forbids it: SIGSEGV, SEGV_ACCERR")       \
    X(SI_KERNEL, "SI_KERNEL", "#GP", "a general-protection fault: SIGSEGV, SI_KERNEL, address 0")

enum fault_kind {
#define FAULT_KIND_ENUM(id, name, brief, text) FAULT_##id,
    FAULT_KIND_LIST(FAULT_KIND_ENUM)
#undef FAULT_KIND_ENUM
    FAULT_KIND_COUNT
};

/* x86 page-fault error code bits (SDM 4.7). */
#define FAULT_CODE_PROTECTION 0x1 /* set: the page was present */
#define FAULT_CODE_WRITE      0x2
#define FAULT_CODE_USER       0x4
#define FAULT_CODE_FETCH      0x10

struct event {
    enum event_kind kind;
    enum access_kind access;
    bool kernel;         /* an access's event: the access is made in kernel mode */
    uint32_t pid;
    uint64_t va;
    uint64_t vpn;
    int level;           /* page-table level, -1 when none */
    uint32_t index;      /* index used at that level, or TLB set */
    uint32_t way;        /* TLB way, or EV_NONE */
    uint32_t huge_set;   /* TLB_MISS: the set also searched for a huge page, or EV_NONE */
    uint64_t entry;      /* entry read or written */
    uint32_t frame;      /* table frame (walk), data frame, or EV_NONE */
    uint32_t slot;       /* swap slot or EV_NONE */
    uint32_t victim;     /* victim frame or EV_NONE */
    uint32_t other_pid;  /* the victim's or target process, or EV_NONE */
    uint64_t other_vpn;  /* the victim's page */
    uint64_t pa;         /* physical address (ACCESS_DONE) */
    uint64_t size;       /* bytes (mmap, munmap, mprotect), pages freed, or the frames
                            a FRAME_ALLOC or ZERO_FILL covers (a huge page's run) */
    uint8_t fault_code;  /* PAGE_FAULT's and GP_FAULT's error code; SEGFAULT's: the one
                            the signal's handler sees (REG_ERR) */
    uint8_t fault_kind;  /* enum fault_kind */
    uint32_t count;      /* FILE_READ: pages read around it; MPROTECT: entries made
                            writable at once; else 0 */
    char detail[160];    /* why: the policy's reasoning, a failure's reason */
};

/* Stable snake_case name of an event kind. */
const char *event_name(enum event_kind kind);
/* A short default description of an event kind. */
const char *event_text(enum event_kind kind);
/* The stage of an access an event belongs to (STAGE_NONE: none). A frame
 * taken for a page table belongs to the new-table stage, not to the
 * free-frame one its kind gives. */
int event_stage(const struct event *ev);
/* The tone, fields and log line of an event kind (EVENT_LIST's columns). */
enum event_tone event_tone(enum event_kind kind);
unsigned event_fields(enum event_kind kind);
enum event_line event_line(enum event_kind kind);
/* A stage's label, its short form, and whether it is the access going
 * wrong; "?" and false for a value out of range. */
const char *stage_label(enum stage s);
const char *stage_brief(enum stage s);
bool stage_alarming(enum stage s);
/* Name of a fault kind ("zero_fill", "swap_in", ...) and its few words
 * ("zero fill", "swap-in, major", ...); "?" out of range. */
const char *fault_kind_name(enum fault_kind kind);
const char *fault_kind_brief(enum fault_kind kind);
/* "read", "write" or "exec". */
const char *access_kind_name(enum access_kind kind);
/* Resets *ev to an event of the given kind with every field absent (the
 * detail an empty string: the bytes after its terminator are not
 * cleared). */
void event_init(struct event *ev, enum event_kind kind);

#endif
