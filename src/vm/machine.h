#ifndef VMVIZ_VM_MACHINE_H
#define VMVIZ_VM_MACHINE_H
/* The machine: address spaces, page tables, a TLB, a frame pool and swap,
 * advanced one micro-step at a time.
 *
 * Use: machine_create(); add processes and areas; then for each operation
 * machine_begin() and machine_step() until it returns false (the event it
 * just returned completed the operation), or machine_run_op() to do a whole
 * operation without looking at its events. Every field is readable (views
 * take a const pointer); only these functions change it.
 *
 * One access goes through these micro-steps (docs/DESIGN.md):
 *   ACCESS_BEGIN → GP_FAULT → SEGFAULT (a non-canonical VA on x86)
 *   ACCESS_BEGIN → TLB_HIT ─────────────────────────────────────→ ACCESS_DONE
 *               ↘ TLB_MISS → WALK_STEP × levels → TLB_FILL ───────↗
 *                              ↘ PAGE_FAULT → FAULT_CLASSIFIED (or SEGFAULT)
 *                                → TABLE_ALLOC… → FRAME_ALLOC (or VICTIM_CHOSEN
 *                                → UNMAPPED, TLB_INVALIDATE… → SWAP_OUT/
 *                                WRITEBACK/PAGE_DROPPED → FRAME_ALLOC) → ZERO_FILL/
 *                                SWAP_IN/… → PTE_UPDATE → FAULT_RETURN → back
 *                                to the TLB lookup (the access restarts).
 *
 * Between two micro-steps the machine is in a phase (enum machine_phase,
 * MACHINE_PHASE_LIST just below): the phase names the micro-step
 * machine_step performs next. MACHINE_STEP_TABLE, after the phases, is
 * this diagram as a table: for each phase, every event its step may emit
 * and the phases it may leave the machine in. The CPU's steps are in
 * mmu.c, the fault handler's in fault.c, reclaim's in reclaim.c, the other
 * operations' in machine_ops.c; machine.c dispatches.
 *
 * Pointers the machine returns (machine_process, machine_running,
 * machine_host_error, a walk's slot, frames_at...) point into it: none
 * outlives machine_destroy, and each says below (or in its own header)
 * what else ends it. A machine_clone shares none of them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/counters.h"
#include "vm/event.h"
#include "vm/frames.h"
#include "vm/geometry.h"
#include "vm/object.h"
#include "vm/pagetable.h"
#include "vm/policy.h"
#include "vm/process.h"
#include "vm/sentinel.h"
#include "vm/swap.h"
#include "vm/tlb.h"

/* Where an operation is, between two micro-steps: each phase names the
 * micro-step machine_step performs next, and says what it does and in
 * which file its step function is. */
#define MACHINE_PHASE_LIST(X)                                                                     \
    X(IDLE, "no operation in progress; machine_begin starts one")                                \
    X(BEGIN, "an access starts: it is counted and its VA checked (mmu.c)")                        \
    X(GP, "the CPU raises a general-protection fault (#GP) for a non-canonical VA: no TLB "       \
          "lookup, no walk (mmu.c)")                                                             \
    X(GP_SIGNAL, "the kernel's #GP handler sends SIGSEGV with SI_KERNEL and address 0 "          \
                 "(fault.c)")                                                                    \
    X(TLB, "the TLB is looked up, first and again after the fault handler returns (mmu.c)")      \
    X(WALK, "the MMU reads the entry of level acc.level in the table at acc.table (mmu.c)")      \
    X(FAULT, "the MMU raises a page fault with error code acc.fault_code (mmu.c)")               \
    X(CLASSIFY, "the handler finds the area: SIGSEGV, or what the fault needs (fault.c)")        \
    X(TABLES, "the handler asks for the next missing table, else for the page; no event of "     \
              "its own: the step of the phase it sets runs at once (fault.c)")                   \
    X(NEED_FRAME, "a frame of kind acc.need_kind is wanted: a free one, else a victim, else "     \
                  "the OOM killer (reclaim.c)")                                                  \
    X(EVICT_UNMAP, "one mapping of the victim acc.victim is removed through its reverse map, "  \
                   "its Dirty bit moved to the page (reclaim.c)")                               \
    X(EVICT_SHOOTDOWN, "that mapping's TLB entry is invalidated; without one the step emits "    \
                       "nothing and the next phase's step runs at once (reclaim.c)")             \
    X(EVICT_SAVE, "the unmapped victim is written to swap or its file, or dropped (reclaim.c)")  \
    X(INSTALL_TABLE, "the new table in frame acc.frame is linked into its parent (fault.c)")     \
    X(HUGE_ALLOC, "the run of frames taken for a huge page at acc.frame is shown (fault.c)")     \
    X(LOAD, "the page gets its content: zero fill, zero page, swap-in or swap cache, file "     \
            "read, cache hit, copy or reuse (fault.c)")                                          \
    X(PTE, "the leaf entry is written; fault-around maps cached neighbours (fault.c)")           \
    X(RETURN, "the handler returns and the access restarts at the TLB (mmu.c)")                  \
    X(FILL, "the translation the walk found goes into the TLB (mmu.c)")                          \
    X(DONE, "Dirty set on a write, the policy told, the physical address formed (mmu.c)")        \
    X(SIMPLE, "a non-access operation, whole in one step; execve and spawn then fault in the "   \
              "top page of the new stack, from PH_CLASSIFY (machine_ops.c)")                     \
    X(SWITCH_FLUSH, "a context switch without ASIDs flushes the TLB (machine_ops.c)")

enum machine_phase {
#define MACHINE_PHASE_ENUM(id, text) PH_##id,
    MACHINE_PHASE_LIST(MACHINE_PHASE_ENUM)
#undef MACHINE_PHASE_ENUM
    PH_COUNT
};

/* In MACHINE_STEP_TABLE, the "event" of a phase whose step emits none:
 * machine_step goes straight on to the step of the phase it set. Not an
 * event kind: no event ever carries it. */
#define EV_SILENT EV_COUNT

/* The micro-step table: one row per (phase, event its step may emit), with
 * every phase the machine may be in after that step, as P(...) | P(...).
 * It is the diagram above made exact. One machine_step starts in a phase,
 * passes through SILENT phases, if any, and ends after the first event.
 *
 * Besides these rows, any step of an operation may end it instead with an
 * event of MACHINE_ANY_STEP. machine_step checks every step it takes
 * against the table (assert), and a unit test plays every scenario of the
 * library against it. A new step, event or phase is a new row here. */
#define MACHINE_STEP_TABLE(X, P)                                                           \
    /* phase           event             phases after the step */                          \
    /* no operation: machine_step while idle, or once the machine stopped */               \
    X(IDLE,            OP_FAILED,        P(IDLE))                                          \
    /* the CPU: mmu.c */                                                                   \
    X(BEGIN,           ACCESS_BEGIN,     P(TLB) | P(FAULT) | P(GP))                        \
    X(GP,              GP_FAULT,         P(GP_SIGNAL))                                     \
    X(TLB,             TLB_HIT,          P(DONE) | P(FAULT))                               \
    X(TLB,             TLB_MISS,         P(WALK))                                          \
    X(WALK,            WALK_STEP,        P(WALK) | P(FILL) | P(FAULT))                     \
    X(FAULT,           PAGE_FAULT,       P(CLASSIFY))                                      \
    X(RETURN,          FAULT_RETURN,     P(TLB))                                           \
    X(FILL,            TLB_FILL,         P(DONE))                                          \
    X(DONE,            ACCESS_DONE,      P(IDLE))                                          \
    /* the fault handler: fault.c */                                                       \
    X(CLASSIFY,        FAULT_CLASSIFIED, P(TABLES))                                        \
    X(CLASSIFY,        SEGFAULT,         P(IDLE))                                          \
    X(GP_SIGNAL,       SEGFAULT,         P(IDLE))                                          \
    X(TABLES,          SILENT,           P(NEED_FRAME) | P(HUGE_ALLOC) | P(LOAD))          \
    X(INSTALL_TABLE,   TABLE_ALLOC,      P(NEED_FRAME) | P(HUGE_ALLOC) | P(LOAD))          \
    X(HUGE_ALLOC,      FRAME_ALLOC,      P(LOAD))                                          \
    X(LOAD,            ZERO_FILL,        P(PTE))                                           \
    X(LOAD,            ZERO_PAGE,        P(PTE))                                           \
    X(LOAD,            SWAP_IN,          P(PTE) | P(NEED_FRAME))                           \
    X(LOAD,            SWAP_CACHE_HIT,   P(PTE) | P(NEED_FRAME))                           \
    X(LOAD,            FILE_READ,        P(PTE) | P(NEED_FRAME))                           \
    X(LOAD,            CACHE_HIT,        P(PTE))                                           \
    X(LOAD,            COW_COPY,         P(PTE))                                           \
    X(LOAD,            COW_REUSE,        P(PTE))                                           \
    X(LOAD,            WRITE_NOTIFY,     P(PTE))                                           \
    /* IDLE: the fault was execve's (get_user_pages), not an access's */                   \
    X(PTE,             PTE_UPDATE,       P(RETURN) | P(IDLE))                              \
    /* reclaim: reclaim.c */                                                               \
    X(NEED_FRAME,      FRAME_ALLOC,      P(INSTALL_TABLE) | P(LOAD))                       \
    X(NEED_FRAME,      VICTIM_CHOSEN,    P(EVICT_UNMAP) | P(EVICT_SAVE))                   \
    X(NEED_FRAME,      OOM_KILL,         P(NEED_FRAME) | P(IDLE))                          \
    X(EVICT_UNMAP,     UNMAPPED,         P(EVICT_SHOOTDOWN))                               \
    X(EVICT_SHOOTDOWN, TLB_INVALIDATE,   P(EVICT_UNMAP) | P(EVICT_SAVE))                   \
    X(EVICT_SHOOTDOWN, SILENT,           P(EVICT_UNMAP) | P(EVICT_SAVE))                   \
    X(EVICT_SAVE,      SWAP_OUT,         P(NEED_FRAME))                                    \
    X(EVICT_SAVE,      WRITEBACK,        P(NEED_FRAME))                                    \
    X(EVICT_SAVE,      PAGE_DROPPED,     P(NEED_FRAME))                                    \
    /* the other operations: machine_ops.c */                                              \
    X(SIMPLE,          MMAP,             P(IDLE))                                          \
    X(SIMPLE,          MUNMAP,           P(IDLE))                                          \
    X(SIMPLE,          MPROTECT,         P(IDLE))                                          \
    X(SIMPLE,          MAP_FRAME,        P(IDLE))                                          \
    X(SIMPLE,          CONTEXT_SWITCH,   P(IDLE) | P(SWITCH_FLUSH))                        \
    X(SIMPLE,          EXIT,             P(IDLE))                                          \
    X(SIMPLE,          FORK,             P(IDLE))                                          \
    X(SIMPLE,          EXECVE,           P(CLASSIFY))                                      \
    X(SIMPLE,          SPAWN,            P(CLASSIFY))                                      \
    X(SIMPLE,          BRK,              P(IDLE))                                          \
    X(SIMPLE,          OP_FAILED,        P(IDLE))                                          \
    X(SWITCH_FLUSH,    TLB_FLUSH,        P(IDLE))

/* What any step of an operation, in any phase but PH_IDLE, may emit
 * instead of its own event, ending the operation: its process no longer
 * exists (PROCESS_GONE); or OP_FAILED, when the host refused memory, a
 * stated limit was reached (machine_host_error) or the operation passed
 * MACHINE_MAX_OP_STEPS. */
#define MACHINE_ANY_STEP(X, P)                                                             \
    X(PROCESS_GONE,    P(IDLE))                                                            \
    X(OP_FAILED,       P(IDLE))

/* "PH_TLB" for PH_TLB; "?" when out of range. */
const char *machine_phase_name(enum machine_phase phase);
/* What the phase's step does (MACHINE_PHASE_LIST). */
const char *machine_phase_text(enum machine_phase phase);
/* True when MACHINE_STEP_TABLE (or MACHINE_ANY_STEP) lets one
 * machine_step that starts in phase `from` emit an event of kind ev and
 * leave the machine in phase `to`, passing through SILENT phases on the
 * way. */
bool machine_step_allowed(enum machine_phase from, enum event_kind ev, enum machine_phase to);

#define MACHINE_MAX_FRAMES  (UINT32_C(1) << 22)  /* 16 GiB of 4 KiB pages */
#define MACHINE_MAX_SWAP    (UINT32_C(1) << 22)
#define MACHINE_MAX_TLB     65536
#define MACHINE_MAX_PROCESSES 64
/* Slots of the fused walk's memo (struct walk_memo): a power of two. */
#define MACHINE_WALK_MEMO_SLOTS 16
#define MACHINE_MAX_OBJECTS 64
/* The most kernel areas a machine may declare (machine_add_kernel_area). */
#define MACHINE_MAX_KERNEL_AREAS 16
/* The most devices a machine may declare (machine_add_device). */
#define MACHINE_MAX_DEVICES 8
/* The highest frame number a device may reach: an entry holds 40 bits of
 * frame number, and a frame number is 32 bits here. */
#define MACHINE_MAX_DEVICE_FRAME UINT32_MAX
#define MACHINE_MAX_OP_STEPS 1000000
#define MACHINE_MAX_ASID 4095  /* PCIDs have 12 bits */
/* The most pages fault_around and readahead may each span: a leaf table's
 * worth on x86_64, where Linux caps fault_around_bytes (PTRS_PER_PTE
 * pages); readahead takes the same bound. */
#define MACHINE_MAX_WINDOW_PAGES 512
/* Linux's defaults: fault_around_bytes is 64 KiB (16 pages of 4 KiB), and
 * a file's read-around window is its ra_pages, VM_READAHEAD_PAGES: 128 KiB
 * (32 pages). */
#define MACHINE_DEFAULT_FAULT_AROUND 16
#define MACHINE_DEFAULT_READAHEAD 32
/* The most pages a declared file may have. */
#define MACHINE_MAX_FILE_PAGES (UINT64_C(1) << 32)

struct machine_config {
    struct geometry geo;
    uint32_t frames;        /* frames for pages (and tables unless reserved) */
    uint32_t table_frames;  /* extra frames reserved for page tables, 0 = none */
    uint32_t swap_slots;
    uint32_t tlb_entries, tlb_ways;
    enum tlb_replacement tlb_replacement;
    bool tlb_asid;          /* tag entries with an ASID (PCID) */
    enum policy_kind policy;
    uint64_t seed;
    uint32_t nru_interval;
    uint32_t fault_around;  /* pages mapped around a file read fault, 0 = off */
    uint32_t readahead;     /* pages read around a file page read from disk, 0 = off */
};

/* x86_64, 512 frames, 64 swap slots, a 64-entry 4-way LRU TLB with ASIDs,
 * clock, seed 1. */
void machine_config_default(struct machine_config *c);
/* Checks a configuration; false with the reason in why. */
bool machine_config_validate(const struct machine_config *c, char *why, size_t why_len);

enum op_kind {
    OP_NONE,
    OP_ACCESS,     /* pid, access, va, textbook, future_index */
    OP_MMAP,       /* pid, va (UINT64_MAX: the kernel picks), size, prot, shared, file, offset, name */
    OP_MUNMAP,     /* pid, va, size */
    OP_MPROTECT,   /* pid, va, size, prot */
    OP_MAP_FRAME,  /* pid, va, frame, prot */
    OP_SWITCH,     /* pid */
    OP_EXIT,       /* pid */
    OP_FORK,       /* pid (the parent), child, name */
    OP_EXECVE,     /* pid, file, image, name (the program's) */
    OP_SPAWN,      /* pid (the parent), child, file, image, name (the program's) */
    OP_BRK,        /* pid, size (the heap's new size in bytes) */
};

/* An executable's layout, as its ELF program headers would give it: text
 * from file offset 0, data from the file right after the text, then bss.
 * Every size is a multiple of the page size; text is not empty. */
struct program_image {
    uint64_t base;             /* where the text starts */
    uint64_t text, data, bss;  /* bytes */
};

/* The stack execve gives a program: the page the arguments and the
 * environment are copied to, and the 128 KiB setup_arg_pages adds below
 * it (fs/exec.c, stack_expand). */
#define EXEC_STACK_EXPAND (UINT64_C(128) << 10)
/* The most areas a program starts with: text, data, bss, stack. */
#define PROGRAM_MAX_AREAS 4

/* The areas execve gives a program of layout img under geometry g, by
 * address (text, then data and bss when not empty, then the stack just
 * below the top of user space), in out[], their number in *count, and the
 * address where its heap (the program break) starts: right after the bss,
 * as load_elf_binary sets start_brk without randomisation. The areas have
 * no object yet: text and data are AREA_FILE, the caller names the file.
 * false with why when the sizes are not page multiples, the text is empty
 * or the layout does not fit below the stack. */
bool machine_program_areas(const struct geometry *g, const struct program_image *img,
                           struct area out[PROGRAM_MAX_AREAS], uint32_t *count,
                           uint64_t *heap_start, char *why, size_t why_len);

struct op {
    enum op_kind kind;
    uint32_t pid;              /* 0: the running process */
    enum access_kind access;
    uint64_t va;
    uint64_t size;
    uint32_t frame;
    uint8_t prot;
    bool shared;
    bool huge;                 /* mmap: ask for huge pages (MADV_HUGEPAGE) */
    bool textbook;             /* every first touch takes a frame (reference strings) */
    bool auto_area;            /* an access outside every area creates one for its page
                                  (traces of real programs declare no areas) */
    bool kernel_mode;          /* access: made by the kernel for the process, as a system
                                  call touches kernel data (the kernel half only) */
    uint64_t future_index;     /* this access's position in the future, or UINT64_MAX */
    uint32_t file;             /* mmap: 1 + the file's object id, or 0 for anonymous memory */
    uint32_t device;           /* mmap: 1 + the device's index, or 0 (then offset is in it) */
    uint64_t offset;           /* mmap: offset in that file */
    uint32_t child;            /* fork, spawn: the child's pid */
    struct program_image image; /* execve, spawn: the program's layout (file: its file) */
    char name[AREA_NAME_MAX];
};

/* A device's memory: frames beyond the pool's that no policy, swap or
 * reverse map knows, mapped whole into a process at mmap time (a frame
 * buffer, a device's registers: Linux's remap_pfn_range). */
struct device {
    char name[AREA_NAME_MAX];
    uint32_t first_frame;
    uint32_t pages;
};

/* The state of the operation in progress (an access's, mostly). Read it
 * through the queries below (machine_in_access, machine_evicting...):
 * which field means what depends on the phase. */
struct access_state {
    uint32_t proc;           /* index of the process in procs */
    unsigned level;          /* walk: level about to be read */
    uint32_t table;          /* walk: frame of that table */
    int tlb_index;           /* TLB entry used or filled */
    uint8_t fault_code;
    uint8_t fault_kind;      /* enum fault_kind */
    bool supervisor;         /* walk: an entry on the way had U/S clear, so only the
                                kernel may use the translation */
    bool restarted;
    uint8_t need_kind;       /* enum frame_kind wanted by PH_NEED_FRAME */
    unsigned need_level;     /* table level wanted */
    uint32_t frame;          /* frame obtained */
    uint32_t victim;         /* the frame being evicted, or VM_NO_FRAME */
    uint32_t victim_map;     /* mappings of the victim removed so far */
    uint32_t victim_slot;    /* swap slot the victim goes to, or VM_NO_SLOT */
    bool map_pending;        /* the loaded frame gets its reverse map and counts as
                                resident when PH_PTE writes its entry */
    uint32_t victim_pid;     /* the victim's first mapping's process, or VM_NO_PID */
    uint64_t victim_vpn;     /* its page there (or its page in its object) */
    uint32_t slot;           /* swap slot being read, or VM_NO_SLOT */
    uint32_t cow_source;     /* frame a copy-on-write fault copies from */
    uint32_t object;         /* the object the faulting page belongs to, or VM_NO_OBJECT */
    uint64_t object_page;    /* its page in that object */
    bool private_copy;       /* a private write to an object page: copy after loading */
    uint32_t victim_object;  /* the object the victim caches, or VM_NO_OBJECT */
    uint32_t op_steps;       /* micro-steps this operation has taken */
    bool huge;               /* the fault maps a whole huge page */
    uint8_t span_shift;      /* log2 of the bytes the translation in use maps */
    uint64_t shootdown_va;   /* pending invalidation */
    uint32_t shootdown_pid;
};

struct machine {
    struct machine_config cfg;
    struct frame_pool pool;
    struct page_tables pt;
    struct tlb tlb;
    struct swap_area swap;
    struct policy policy;
    struct process *procs;
    uint32_t nprocs;
    uint32_t current;          /* index of the running process */
    struct counters counters;
    uint64_t rng;
    uint64_t steps;            /* micro-steps done since creation */
    uint64_t mmap_base;
    struct vm_object *objects; /* files and shared anonymous memory */
    uint32_t nobjects;
    uint32_t zero_frame;       /* the shared zero page, once allocated, else VM_NO_FRAME */
    uint32_t huge_zero_frame;  /* the first frame of the huge zero page, once allocated */
    /* The kernel half: the root of the kernel's own tables (Linux's
     * swapper_pg_dir, init_mm's), whose upper entries every process's root
     * copies, or VM_NO_FRAME while no kernel area is declared; and the
     * kernel areas, sorted by start. */
    uint32_t kernel_root;
    struct area kernel_areas[MACHINE_MAX_KERNEL_AREAS];
    uint32_t nkernel_areas;
    /* Devices: physical memory beyond the pool's frames, in the order
     * declared. */
    struct device devices[MACHINE_MAX_DEVICES];
    uint32_t ndevices;
    uint32_t huge_pages;       /* huge pages mapped now: the TLB then looks up both sizes */
    const uint32_t *future_next; /* borrowed; see machine_set_future */
    uint64_t future_len;
    /* Set once when the host refused memory the machine needed, or the
     * run would pass a limit the machine states (the memory of its page
     * tables): the run cannot go on faithfully, and the machine does
     * nothing more. Never a simulated event. Empty while all is well. */
    char host_error[320];
    /* The operation in progress. */
    struct op op;
    enum machine_phase phase;
    struct access_state acc;
    /* Where the leaf entry of the operation's page was last found (the
     * process acc.proc, the address op.va), so that the steps of a fault
     * and the TLB fill read it without walking the tables again. A cache,
     * not state: the digest leaves it out. Forgotten at each operation, and
     * stale once a table was made or freed since (pt.generation), the only
     * changes that move a leaf entry (vm_leaf_known). */
    struct leaf_hint {
        bool known;
        uint8_t level;       /* level of the table holding the entry */
        uint32_t table;      /* frame of that table */
        uint32_t index;      /* the entry's index in it */
        uint64_t generation; /* pt.generation when it was found */
    } leaf;
    /* For the fused walk (mmu.c), the last-level table its walks reached
     * from a root, slot by the address's upper bits: a later walk there
     * starts at the last level, the entries above read as they were (each
     * present, a table, Accessed set, which nothing clears above the
     * last level). A cache, not state: the digest leaves it out, a clone
     * starts without it, and an entry holds only while no table was made
     * or released since (pt.generation). */
    struct walk_memo {
        uint64_t *entries;   /* the last-level table's entries; NULL: empty */
        uint64_t generation; /* pt.generation when it was made */
        uint64_t region;     /* the address's bits above the last level's index */
        uint32_t root;       /* the root table the walk began at */
        uint32_t table;      /* the last-level table's frame */
        bool supervisor;     /* an entry above lacked the U/S bit */
    } walk_memo[MACHINE_WALK_MEMO_SLOTS];
    /* True only inside machine_run_op, whose events nobody reads: the
     * steps then format no detail text. False between calls, so no part
     * of the state a caller sees. */
    bool quiet;
};

/* Creates a machine with no process. NULL with the reason in why when the
 * configuration is invalid or memory runs out. The caller owns it:
 * machine_destroy frees it and ends every pointer into it. */
struct machine *machine_create(const struct machine_config *cfg, char *why, size_t why_len);
void machine_destroy(struct machine *m);
/* A deep copy that evolves independently (shares only the borrowed
 * future); the caller owns it. NULL when the host refused the memory. */
struct machine *machine_clone(const struct machine *m);
/* A 64-bit digest of the whole state: equal states give equal digests,
 * however the memory behind them happened to be laid out (free frames,
 * free swap slots and absent tables are not in it, whether their storage
 * was ever made or not). */
uint64_t machine_digest(const struct machine *m);
/* The bytes the machine holds on the host, every block counted with
 * malloc's header (VM_MALLOC_HEADER_BYTES): the structure, its process
 * and object tables, the frames made so far and their reverse maps, the
 * page tables and their index, the TLB, the swap slots made so far, the
 * free maps, the policy's state, the areas and the objects' page maps.
 * A machine_clone of it holds the same, or a little less (areas keep
 * spare room; a copy does not). It grows with what the run touches, not
 * with the frames and slots declared. */
uint64_t machine_bytes(const struct machine *m);

/* Adds a process with its root table (taking a frame). asid 0 picks one.
 * false with why when the pid exists, there are too many, or no frame. */
bool machine_add_process(struct machine *m, uint32_t pid, const char *name, uint16_t asid,
                         char *why, size_t why_len);
/* Adds an area to a process before the run; false with why when it overlaps,
 * is not page-aligned or lies outside user space. */
bool machine_add_area(struct machine *m, uint32_t pid, const struct area *a, char *why,
                      size_t why_len);
/* Adds an area of the kernel half (kernel text, data...) before the run:
 * its pages get frames of kind FRAME_KERNEL at once, and its tables are
 * built once, under the kernel's root table, with the User bit clear and
 * the Global bit set in its leaf entries (Linux's PAGE_KERNEL: Accessed
 * set, Dirty set when writable). Every process's root, those that exist
 * and those made later (fork too), holds copies of the kernel root's
 * upper entries, so the tables below are shared by all. false with why
 * when the layout has no kernel half, the area is not page-aligned, lies
 * outside the kernel half, overlaps another, wraps, has a protection
 * without read, would pass MACHINE_MAX_KERNEL_AREAS, or when no frame is
 * free (the machine is then left as it was). */
bool machine_add_kernel_area(struct machine *m, const struct area *a, char *why,
                             size_t why_len);
/* The kernel area holding va, or NULL. It points into the machine: valid
 * until machine_destroy (kernel areas never change once added). */
const struct area *machine_kernel_area(const struct machine *m, uint64_t va);
/* Declares a device of `pages` pages at physical frames [first_frame,
 * first_frame + pages), which must lie beyond the pool's frames and
 * beyond every device declared before (devices sit in increasing order,
 * as a bus places them above RAM). false with why when the name is taken
 * or too long, pages is 0, the frames overlap the pool or a device, pass
 * MACHINE_MAX_DEVICE_FRAME, or MACHINE_MAX_DEVICES would be passed. */
bool machine_add_device(struct machine *m, const char *name, uint64_t first_frame,
                        uint64_t pages, char *why, size_t why_len);
/* The first frame a next device could start at: after the pool's frames
 * and every device so far. */
uint64_t machine_next_device_frame(const struct machine *m);
/* The device whose memory holds frame, or NULL (the frame is RAM, or
 * nothing). Points into the machine: valid until machine_destroy. */
const struct device *machine_device_at(const struct machine *m, uint64_t frame);
/* The device with that name, or NULL; valid as machine_device_at's. */
const struct device *machine_device_named(const struct machine *m, const char *name);
/* Declares a file of `size` bytes; the pages listed in cached[] (or every
 * page when all_cached) start in the page cache, taking frames. Returns its
 * object id, or VM_NO_OBJECT with why. */
uint32_t machine_add_file(struct machine *m, const char *name, uint64_t size,
                          const uint64_t *cached, size_t ncached, bool all_cached, char *why,
                          size_t why_len);
/* After the processes and files are added: true when the frames left can
 * hold what one access of a fresh process needs (a table per level below
 * the root, and the page), else false with why saying what is needed and
 * the frames or table_frames that would do. A machine that fails this
 * would end its first access in the OOM killer. */
bool machine_check_first_access(const struct machine *m, char *why, size_t why_len);
/* The object id of a file name, or VM_NO_OBJECT. */
uint32_t machine_find_object(const struct machine *m, const char *name);
/* The process with that pid, or NULL. It points into the machine's table
 * of processes, which never moves: valid until machine_destroy, and it
 * stays that pid's after the process exits or is killed (alive false).
 * Its areas move when they change (see process_find_area). */
struct process *machine_process(const struct machine *m, uint32_t pid);
/* Makes *ev the PROCESS_GONE of a step of pid, which is not running: its
 * detail says whether the process does not exist, was killed by the OOM
 * killer or has exited. The machine's own check and the timeline, for a
 * step naming an area of an ended process, word it alike through this. */
void machine_process_gone(const struct machine *m, uint32_t pid, struct event *ev);
/* The running process (NULL when there is none); valid as long as
 * machine_process's, but a context switch makes another one the running
 * process. */
struct process *machine_running(const struct machine *m);

/* Lends the machine the future for OPT: next_use[i] is the position of the
 * next access to the same page after access i, or MACHINE_NO_NEXT_USE for
 * none. Four bytes an access (a run OPT plays has fewer accesses than
 * MACHINE_NO_NEXT_USE). The array must outlive the machine and its clones. */
#define MACHINE_NO_NEXT_USE UINT32_MAX
void machine_set_future(struct machine *m, const uint32_t *next_use, uint64_t len);

/* NULL while all is well; once the host refused memory the machine
 * needed, what it was for ("out of memory on the host: ..."), or once the
 * run would have passed a limit the machine states, which limit ("... a
 * limit of vmviz-scenario(5): the run stops here"). From then on
 * machine_begin and machine_step refuse to do anything: the same scenario
 * and seed must give the same run on every host, so a host's refusal is
 * never turned into a simulated event, and a stated limit stops every
 * host's run at the same step. The text is the machine's: it never
 * changes once set, and is valid until machine_destroy. */
const char *machine_host_error(const struct machine *m);

/* Starts an operation. false when one is already in progress. */
bool machine_begin(struct machine *m, const struct op *op);
/* True between machine_begin and the step that completes the operation. */
bool machine_busy(const struct machine *m);
/* The phase of the next micro-step: PH_IDLE when no operation is in
 * progress. */
enum machine_phase machine_next_phase(const struct machine *m);
/* True while an access (OP_ACCESS) is in progress: from machine_begin
 * until the step that completes it (ACCESS_DONE, SEGFAULT, an OOM kill of
 * its own process, PROCESS_GONE, OP_FAILED). */
bool machine_in_access(const struct machine *m);
/* True while an eviction is under way: from the step after VICTIM_CHOSEN
 * until the step that writes the unmapped victim out or drops it (phases
 * PH_EVICT_UNMAP, PH_EVICT_SHOOTDOWN and PH_EVICT_SAVE). Then
 * *victim, when victim is not NULL, receives the victim's frame; when
 * false, *victim is left as it was. */
bool machine_evicting(const struct machine *m, uint32_t *victim);
/* The operation in progress, or, while idle, the last one begun (kind
 * OP_NONE before the first). It points into the machine: valid until
 * machine_destroy, and the next operation overwrites what it says. */
const struct op *machine_current_op(const struct machine *m);
/* Performs one micro-step and describes it in *ev. Returns true when the
 * operation goes on, false when this event completed it. Calling it while
 * idle returns false with an OP_FAILED event. */
bool machine_step(struct machine *m, struct event *ev);
/* Runs a whole operation without publishing events (a TLB hit takes a
 * short cut). Reaches exactly the state and counters that stepping would;
 * returns the number of micro-steps it stands for. */
uint64_t machine_run_op(struct machine *m, const struct op *op);

/* Software walk of a process's tables for va (no bits changed). The
 * result's slot points into a table: valid until that table is released
 * (munmap keeps tables; exit and the OOM killer release them all). */
struct walk_result machine_walk(const struct machine *m, const struct process *p, uint64_t va);
/* How many pages of area a (of process p) are resident and how many in
 * swap, read from its page-table entries as /proc/PID/smaps reads Rss and
 * Swap: an entry holding a frame is resident (a huge entry counts every
 * page it maps inside the area; the zero page counts for nothing), an
 * entry naming a swap slot is in swap. A page still resident while its
 * swap slot is reserved, or kept in the swap cache, counts as resident
 * only. Skips the ranges whose tables were never built. */
void machine_area_pages(const struct machine *m, const struct process *p, const struct area *a,
                        uint64_t *resident, uint64_t *swapped);
/* The physical address va translates to in process p, or UINT64_MAX when it
 * is not mapped. */
uint64_t machine_translate(const struct machine *m, const struct process *p, uint64_t va);
/* True when any entry mapping the frame is dirty, or the frame is. */
bool machine_frame_dirty(const struct machine *m, uint32_t frame);
/* True when any entry mapping the frame has Accessed set. */
bool machine_frame_referenced(const struct machine *m, uint32_t frame);
/* Checks that the machine's bookkeeping agrees with itself: every page
 * table is reached from exactly one entry (or is a live process's root or
 * the kernel's root), at its own level, and every frame marked as a table
 * holds one; the kernel's tables are reached through the kernel's root,
 * and every process's root holds exact copies (Accessed aside) of its
 * upper entries, so that they are shared, not owned; every kernel frame
 * is mapped once, by a global supervisor entry inside a kernel area; every
 * frame's reverse map names exactly the leaf entries that hold it (each
 * entry is in it, and each of its mappings leads back to the frame, in the
 * table the mapping names when it names one) and
 * frames that hold no page have none; reference counts; free counts and
 * free maps; the page cache; swap slot references; resident and swapped
 * counts; that no TLB entry maps a frame its page-table entry no longer
 * does; and that the leaf entry remembered for the last operation's page
 * (m->leaf) is the one a walk finds. It looks only at the frames and slots ever used. Call it
 * between operations (a fault in progress is half done by design). Returns
 * true, or false with the first disagreement in why. For tests. */
bool machine_verify(const struct machine *m, char *why, size_t why_len);
/* The policy's order of frames (see policy_ops.order). */
size_t machine_policy_order(const struct machine *m, uint32_t *out, size_t max, size_t *first_len);

#endif
