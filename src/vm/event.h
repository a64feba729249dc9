#ifndef VMVIZ_VM_EVENT_H
#define VMVIZ_VM_EVENT_H
/* What one micro-step did. machine_step() returns exactly one event; the
 * list below is the whole vocabulary, in the order an access can meet them.
 * One table gives the enum, the stable name (JSON "event" key) and a short
 * default text. */
#include <stdint.h>

#define EVENT_LIST(X)                                                              \
    X(ACCESS_BEGIN, "access_begin", "the CPU starts an access and splits the VA")  \
    X(TLB_HIT, "tlb_hit", "the TLB holds the translation")                         \
    X(TLB_MISS, "tlb_miss", "the TLB does not hold the translation")               \
    X(WALK_STEP, "walk_step", "the MMU reads one page-table entry")                \
    X(PAGE_FAULT, "page_fault", "the MMU raises a page fault")                     \
    X(SEGFAULT, "segfault", "the kernel sends SIGSEGV")                            \
    X(FAULT_CLASSIFIED, "fault_classified", "the fault handler decides what to do") \
    X(TABLE_ALLOC, "table_alloc", "a page-table page is allocated")                \
    X(VICTIM_CHOSEN, "victim_chosen", "no frame is free: the policy picks a victim") \
    X(SWAP_OUT, "swap_out", "the dirty victim is written to swap")                 \
    X(WRITEBACK, "writeback", "the dirty file page is written back")               \
    X(PAGE_DROPPED, "page_dropped", "the clean victim is dropped")                 \
    X(UNMAPPED, "unmapped", "a mapping of the victim is removed")                  \
    X(TLB_INVALIDATE, "tlb_invalidate", "a stale TLB entry is invalidated")        \
    X(FRAME_ALLOC, "frame_alloc", "a free frame is taken")                         \
    X(ZERO_FILL, "zero_fill", "the frame is filled with zeros")                    \
    X(ZERO_PAGE, "zero_page", "the shared zero page is mapped read-only")          \
    X(SWAP_IN, "swap_in", "the page is read back from swap")                       \
    X(FILE_READ, "file_read", "the page is read from its file")                    \
    X(CACHE_HIT, "cache_hit", "the page is already in the page cache")             \
    X(COW_COPY, "cow_copy", "the shared page is copied")                           \
    X(COW_REUSE, "cow_reuse", "the page is no longer shared: it is reused")        \
    X(PTE_UPDATE, "pte_update", "the page-table entry is written")                 \
    X(FAULT_RETURN, "fault_return", "the handler returns: the access restarts")    \
    X(TLB_FILL, "tlb_fill", "the translation is put in the TLB")                   \
    X(ACCESS_DONE, "access_done", "the access completes")                          \
    X(OOM_KILL, "oom_kill", "out of memory: a process is killed")                  \
    X(PROCESS_GONE, "process_gone", "the process no longer exists")                \
    X(CONTEXT_SWITCH, "context_switch", "another process runs")                    \
    X(TLB_FLUSH, "tlb_flush", "the TLB is flushed")                                \
    X(MMAP, "mmap", "an area is mapped")                                           \
    X(MUNMAP, "munmap", "an area is unmapped")                                     \
    X(MPROTECT, "mprotect", "an area's protection changes")                        \
    X(MAP_FRAME, "map_frame", "a page is mapped to a chosen frame")                \
    X(FORK, "fork", "a process is copied")                                         \
    X(EXIT, "exit", "a process exits")                                             \
    X(OP_FAILED, "op_failed", "the operation cannot be done")

enum event_kind {
#define EVENT_ENUM(id, name, text) EV_##id,
    EVENT_LIST(EVENT_ENUM)
#undef EVENT_ENUM
    EV_COUNT
};

#define EV_NONE UINT32_MAX /* an absent frame, slot, pid or index */

enum access_kind { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

/* Why a fault handler acted as it did (FAULT_CLASSIFIED's fault_kind). */
enum fault_kind {
    FAULT_NONE,
    FAULT_ZERO_FILL,  /* first write (or read) of anonymous memory */
    FAULT_ZERO_PAGE,  /* first read maps the shared zero page */
    FAULT_SWAP_IN,    /* the entry holds a swap slot: major */
    FAULT_COW,        /* write to a shared read-only copy */
    FAULT_FILE_CACHED,/* file page already in the page cache: minor */
    FAULT_FILE_READ,  /* file page read from disk: major */
    FAULT_MAPERR,     /* no area: SIGSEGV, SEGV_MAPERR */
    FAULT_ACCERR,     /* the area forbids it: SIGSEGV, SEGV_ACCERR */
};

/* x86 page-fault error code bits (SDM 4.7). */
#define FAULT_CODE_PROTECTION 0x1 /* set: the page was present */
#define FAULT_CODE_WRITE      0x2
#define FAULT_CODE_USER       0x4
#define FAULT_CODE_FETCH      0x10

struct event {
    enum event_kind kind;
    enum access_kind access;
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
    uint8_t fault_code;  /* PAGE_FAULT error code */
    uint8_t fault_kind;  /* enum fault_kind */
    char detail[160];    /* why: the policy's reasoning, a failure's reason */
};

/* Stable snake_case name of an event kind. */
const char *event_name(enum event_kind kind);
/* A short default description of an event kind. */
const char *event_text(enum event_kind kind);
/* Name of a fault kind ("zero_fill", "swap_in", ...). */
const char *fault_kind_name(enum fault_kind kind);
/* "read", "write" or "exec". */
const char *access_kind_name(enum access_kind kind);
/* Resets *ev to an event of the given kind with every field absent. */
void event_init(struct event *ev, enum event_kind kind);

#endif
