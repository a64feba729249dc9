/* Scenarios: a YAML file turned into pure data (struct scenario).
 *
 * The loader checks the shape of everything (a number where a number is
 * expected, required keys, unknown keys, names that exist, limits) and
 * keeps the source position of every value. It does not know the engine's
 * vocabulary: which presets, policies, TLB replacements and counters exist
 * and whether a geometry is valid are checked by the play layer, which
 * reports its errors at the positions stored here (diag_set with s->path).
 *
 * Everything reachable from a struct scenario is owned by it and freed by
 * scenario_free. Strings are NUL-terminated and never longer than
 * SCENARIO_MAX_STRING bytes.
 *
 * Lifetimes: every pointer in a scenario (its path and directory, every
 * string, the arrays of files, processes, areas, steps, refs and expects)
 * lives exactly as long as the scenario, until scenario_free; whoever keeps
 * one (a timeline, an event) must not outlive it. The loader keeps nothing
 * of what it was given: the text, the name and the path may be freed once
 * it returns. The step-kind names and helps are static. */
#ifndef VMVIZ_SCENARIO_SCENARIO_H
#define VMVIZ_SCENARIO_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "scenario/trace.h"

/* Stated limits; each error that enforces one names its number. */
#define SCENARIO_MAX_FILE_BYTES    (1024ul * 1024ul) /* scenario file size */
#define SCENARIO_MAX_REPEAT_DEPTH  8u          /* repeat inside repeat ... */
#define SCENARIO_MAX_TIMES         1000000ul   /* repeat: times */
#define SCENARIO_MAX_STEPS         100000ul    /* steps in the file, nested ones too */
#define SCENARIO_MAX_ACCESSES      50000000ul  /* accesses the whole run performs */
#define SCENARIO_MAX_PLAYS         50000000ul  /* accesses and other steps played, repeats
                                                  multiplied */
#define SCENARIO_MAX_STRING        4096u       /* bytes in any one YAML scalar */
#define SCENARIO_MAX_NODES         2000000ul   /* YAML nodes visited, aliases expanded */
#define SCENARIO_MAX_YAML_DEPTH    64u         /* lists and mappings inside each other */
#define SCENARIO_MAX_LEVELS        5u          /* entries in machine.levels */
#define SCENARIO_MAX_PID           4294967295u /* pids are 1 .. 2^32-1 */
#define SCENARIO_MAX_ASID          4095u       /* ASIDs are 12 bits (PCID) */
/* Ways of a TLB whose entries are given without ways (all the entries
 * when there are fewer). */
#define SCENARIO_DEFAULT_TLB_WAYS  4u
/* Page size assumed when counting the accesses of a fill without stride
 * while the scenario sets no page_size (the presets' usual size). The play
 * layer recounts with the real size: scenario_count_accesses. */
#define SCENARIO_DEFAULT_PAGE_SIZE 4096u

/* Protection bits of a prot string ("r-x" = READ | EXEC). */
#define SCENARIO_PROT_READ  1u
#define SCENARIO_PROT_WRITE 2u
#define SCENARIO_PROT_EXEC  4u

/* Where a value is in the scenario file: 1-based line and column of the
 * node (for a step: of its kind key). 0:0 for values that were absent. */
struct scenario_pos {
    unsigned line, col;
};

/* An optional number (also sizes, pids, prot bits). */
struct scenario_num {
    int present;
    uint64_t value;
    struct scenario_pos pos;
};

/* An optional string; value is NULL when absent. */
struct scenario_str {
    int present;
    const char *value;
    struct scenario_pos pos;
};

/* An optional boolean; value is 0 when absent. */
struct scenario_flag {
    int present;
    int value;
    struct scenario_pos pos;
};

/* An address expression: a number ("0x401000"), a name ("buf") or a name
 * plus or minus a number ("buf+0x10", "stack-8"). With a symbol, the address
 * is that area's start + offset. Without one, the address is the number
 * itself, stored as its 64-bit two's-complement pattern: use
 * scenario_addr_absolute. symbol is always the name of a process area or
 * of a kernel area or of an earlier mmap step. */
struct scenario_addr {
    int present;
    const char *symbol;   /* NULL for a plain number */
    int64_t offset;
    struct scenario_pos pos;
};

/* The number of an expression without a symbol. */
static inline uint64_t scenario_addr_absolute(const struct scenario_addr *a)
{
    return (uint64_t)a->offset;
}

/* Access kinds of fill steps and traces (TRACE_ACCESS_INFO, trace.h): the
 * value is the letter trace_access.kind spells it with. */
enum scenario_access {
#define SCENARIO_ACCESS_ENUM(id, letter, name) SCENARIO_ACCESS_##id = letter,
    TRACE_ACCESS_INFO(SCENARIO_ACCESS_ENUM)
#undef SCENARIO_ACCESS_ENUM
};

/* machine: devices: a device's memory (a frame buffer, registers), at
 * physical frames beyond RAM. */
struct scenario_device {
    struct scenario_pos pos;              /* the device's mapping */
    struct scenario_str name;
    struct scenario_num size;             /* bytes, > 0 */
    struct scenario_num phys;             /* its physical address; absent: right after RAM
                                             and the devices before it */
};

/* machine: every setting stored raw; present == 0 means "not given". One
 * exception: tlb entries given without ways get the default ways here
 * (SCENARIO_DEFAULT_TLB_WAYS, or the entries when fewer), present and at
 * the position of entries, with ways_defaulted set; entries the default
 * does not divide are a load error. */
struct scenario_machine {
    int present;
    struct scenario_pos pos;
    struct scenario_str preset;
    struct scenario_num va_bits;
    struct scenario_num page_size;        /* bytes, > 0 */
    struct scenario_num levels[SCENARIO_MAX_LEVELS];   /* index widths */
    unsigned levels_count;                /* 0 when levels is absent */
    struct scenario_pos levels_pos;
    struct scenario_num frames;
    struct scenario_num table_frames;
    struct scenario_num swap;             /* slots */
    struct {
        int present;
        struct scenario_pos pos;
        struct scenario_num entries, ways;
        int ways_defaulted;               /* ways filled in from entries */
        struct scenario_str replacement;
        struct scenario_flag asid;
    } tlb;
    struct scenario_str policy;
    struct scenario_num seed;
    struct scenario_num nru_interval;
    struct scenario_num fault_around;
    struct scenario_num readahead;
    /* kernel: areas of the kernel half, each {name, start, size, prot}
     * (the other fields of scenario_area stay absent); kernel_pos is 0:0
     * when the key is absent. */
    struct scenario_area *kernel;
    size_t kernel_count;
    struct scenario_pos kernel_pos;
    /* devices: memory beyond RAM that areas and mmaps may map whole. */
    struct scenario_device *devices;
    size_t device_count;
};

/* The address a program's text starts at when its layout gives none:
 * where the linker puts a non-PIE x86-64 executable. */
#define SCENARIO_DEFAULT_PROGRAM_START 0x400000u

/* program: a file's layout as an executable (its ELF program headers):
 * text from file offset 0, data right after it in the file, bss after the
 * data in memory. Sizes are bytes; page multiples are checked by the play
 * layer, which knows the page size. */
struct scenario_program {
    int present;
    struct scenario_pos pos;              /* the program mapping */
    struct scenario_num start;            /* absent: SCENARIO_DEFAULT_PROGRAM_START */
    struct scenario_num text;             /* > 0 */
    struct scenario_num data, bss;        /* absent: 0 */
};

/* The names of the areas execve and spawn give a process (and brk's
 * heap): names later steps may use. NULL-terminated. */
extern const char *const scenario_program_area_names[];

/* files: a backing file that areas and mmaps may name, and that execve
 * and spawn may run when it has a program layout. */
struct scenario_file {
    struct scenario_str name;
    struct scenario_num size;             /* bytes */
    struct scenario_pos cached_pos;       /* 0:0 when cached is absent */
    int cached_all;                       /* cached: all */
    const uint64_t *cached;               /* page numbers, cached_count of them */
    size_t cached_count;
    struct scenario_program program;
};

struct scenario_area {
    struct scenario_pos pos;              /* the area's mapping */
    struct scenario_str name;
    struct scenario_num start, size;      /* bytes, size > 0 */
    struct scenario_num prot;             /* SCENARIO_PROT_* bits; absent = rw- */
    struct scenario_flag shared, huge;
    struct scenario_flag global;          /* entries survive TLB flushes (kernel-like) */
    struct scenario_str file;             /* a scenario_file name, or absent */
    struct scenario_str device;           /* a scenario_device name, or absent */
    struct scenario_num offset;           /* in the file or the device */
};

struct scenario_process {
    struct scenario_pos pos;
    struct scenario_str name;
    struct scenario_num pid;
    struct scenario_num asid;
    struct scenario_area *areas;
    size_t area_count;
};

/* One kind of step per line: id, YAML key, one-line help. The enum, the
 * names and the help texts are all generated from this table. */
#define STEP_KIND_INFO(X) \
    X(READ,     "read",     "read one address") \
    X(WRITE,    "write",    "write one address") \
    X(EXEC,     "exec",     "fetch an instruction at one address") \
    X(REFS,     "refs",     "touch a string of page numbers") \
    X(FILL,     "fill",     "touch a range at a stride") \
    X(MMAP,     "mmap",     "create an area") \
    X(MUNMAP,   "munmap",   "remove an area or a range") \
    X(MPROTECT, "mprotect", "change the protection of an area or a range") \
    X(MAP,      "map",      "map a virtual address to a given frame") \
    X(SWITCH,   "switch",   "switch to another process") \
    X(FORK,     "fork",     "fork a process") \
    X(EXIT,     "exit",     "end a process") \
    X(EXECVE,   "execve",   "run a program in place of a process's address space") \
    X(SPAWN,    "spawn",    "start a new process running a program") \
    X(BRK,      "brk",      "set the size of a process's heap") \
    X(REPEAT,   "repeat",   "run nested steps several times") \
    X(SAY,      "say",      "show a sentence of narration") \
    X(CHAPTER,  "chapter",  "start a named chapter") \
    X(PAUSE,    "pause",    "wait for the viewer") \
    X(EXPECT,   "expect",   "check counters") \
    X(TRACE,    "trace",    "replay accesses from a trace file") \
    X(ASK,      "ask",      "ask how much a counter will change")

enum step_kind {
#define STEP_KIND_ENUM(id, name, help) STEP_##id,
    STEP_KIND_INFO(STEP_KIND_ENUM)
#undef STEP_KIND_ENUM
    STEP_KIND_COUNT
};

/* refs: one entry of a page-reference string ("7", or "0w" for a write). */
struct scenario_ref {
    uint64_t page;
    int write;
    struct scenario_pos pos;
};

/* expect: one counter check. "name: 42" is a total (relative = 0);
 * "name: +3" or "name: -1" is a change since the previous expect. */
struct scenario_expect {
    const char *name;
    struct scenario_pos name_pos;
    int relative;
    int64_t value;
    struct scenario_pos value_pos;
};

/* ask: the most choices a scenario may give (one more, the engine's
 * answer when they lack it, still fits one digit). */
#define SCENARIO_ASK_MAX_CHOICES 8

struct scenario_step {
    enum step_kind kind;
    struct scenario_pos pos;          /* the step's kind key */
    uint64_t accesses;                /* accesses this step performs, repeats
                                         multiplied, SCENARIO_DEFAULT_PAGE_SIZE
                                         or machine.page_size for fills */
    union {
        struct {                      /* read, write, exec */
            struct scenario_addr addr;
            struct scenario_num pid;
            struct scenario_flag kernel;  /* made in kernel mode, on kernel memory */
        } access;
        struct {                      /* refs */
            const struct scenario_ref *entries;
            size_t count;
            struct scenario_num pid;
        } refs;
        struct {                      /* fill */
            struct scenario_addr start;
            struct scenario_num size;     /* > 0 */
            struct scenario_num stride;   /* absent: the page size; else 1..size */
            enum scenario_access access;  /* absent: read */
            struct scenario_pos access_pos;
            struct scenario_num pid;
            struct scenario_flag kernel;  /* made in kernel mode, on kernel memory */
        } fill;
        struct {                      /* mmap */
            struct scenario_str name;
            struct scenario_num size;     /* > 0 */
            struct scenario_addr start;   /* absent: the engine picks */
            struct scenario_num prot;     /* absent: rw- */
            struct scenario_flag shared, huge;
            struct scenario_str file;
            struct scenario_str device;   /* a scenario_device name, or absent */
            struct scenario_num offset;
            struct scenario_num pid;
        } mmap;
        struct {                      /* munmap, mprotect: name, or addr + size */
            struct scenario_str name;
            struct scenario_addr addr;
            struct scenario_num size;
            struct scenario_num prot;     /* mprotect only (required there) */
            struct scenario_num pid;
        } range;
        struct {                      /* map */
            struct scenario_addr va;
            struct scenario_num frame;
            struct scenario_num prot;     /* absent: rw- */
            struct scenario_num pid;
        } map;
        struct {                      /* switch, exit (absent pid: exit the running one) */
            struct scenario_num pid;
        } process;
        struct {                      /* fork */
            struct scenario_num parent;   /* YAML key "pid"; absent: the running one */
            struct scenario_num child;
            struct scenario_str name;
        } fork;
        struct {                      /* execve, spawn */
            struct scenario_str program;  /* a file with a program layout */
            struct scenario_num pid;      /* execve: the process; spawn: the parent;
                                             absent: the running one */
            struct scenario_num child;    /* spawn: the new process's pid */
        } exec;
        struct {                      /* brk */
            struct scenario_num size;     /* bytes above the heap's start */
            struct scenario_num pid;
        } brk;
        struct {                      /* repeat */
            struct scenario_num times;    /* 1..SCENARIO_MAX_TIMES */
            struct scenario_step *steps;
            size_t count;                 /* >= 1 */
        } repeat;
        struct {                      /* say, chapter */
            struct scenario_str text;
            /* chapter: the faults getrusage() counted for it on Linux
             * (a captured program's native run), absent when not known */
            struct scenario_num linux_minor, linux_major;
        } text;
        struct {                      /* expect */
            const struct scenario_expect *items;
            size_t count;                 /* >= 1 */
        } expect;
        struct {                      /* ask */
            struct scenario_str question;
            struct scenario_str counter;  /* a counter name (checked by the play layer) */
            struct scenario_num ops;      /* absent: until the next expect; else the
                                             accesses it counts, 1..SCENARIO_MAX_TIMES */
            struct scenario_num choices[SCENARIO_ASK_MAX_CHOICES]; /* given ones, distinct */
            size_t nchoices;              /* 0: the quiz makes its own */
        } ask;
        struct {                      /* trace */
            struct scenario_str file;     /* as written in the scenario */
            const char *path;             /* resolved against the scenario's directory */
            enum trace_format format;
            struct scenario_pos format_pos;
            struct scenario_num limit;    /* absent: no limit; else >= 1 */
            struct scenario_flag auto_areas;
            struct scenario_num pid;
            uint64_t count;               /* accesses in the trace, after limit */
            /* pages format: the largest page number it names and where
             * (LINE:COL of path), for the play layer to check against
             * user space as it checks refs; line 0 when it names none. */
            uint64_t max_page;
            unsigned long max_page_line;
            unsigned max_page_col;
        } trace;
    } u;
};

struct scenario {
    const char *path;        /* as given to the loader (the name for strings) */
    const char *dir;         /* its directory, "." when it has none */
    struct scenario_str title;
    struct scenario_str description;
    struct scenario_machine machine;
    struct scenario_file *files;
    size_t file_count;
    struct scenario_process *processes;
    size_t process_count;    /* >= 1 */
    struct scenario_step *steps;
    size_t step_count;       /* top-level steps, >= 1 */
    uint64_t total_accesses; /* <= SCENARIO_MAX_ACCESSES */
    struct arena *arena;     /* owns everything above */
};

/* Loads the scenario in the file at path. Returns NULL with *err filled
 * (FILE:LINE:COL of the offending node) on any problem: unreadable or too
 * large file, a file that is not a regular one (never waited on, see
 * userfile.h), YAML syntax, wrong shape or type, unknown key, undefined
 * name, a limit exceeded, a bad line in a referenced trace (reported at the
 * trace's own FILE:LINE:COL). Trace files are read (streamed) once here. */
struct scenario *scenario_load(const char *path, struct diag *err);

/* Like scenario_load, from text[0..len) in memory. name is used in
 * messages and (copied) as s->path; trace files resolve against its
 * directory. */
struct scenario *scenario_load_string(const char *name, const char *text,
                                      size_t len, struct diag *err);

/* Frees s and everything it owns; NULL is a no-op. */
void scenario_free(struct scenario *s);

/* Counts the accesses the steps perform when the page size is page_size
 * (fills without a stride touch one address per page). Saturates at
 * UINT64_MAX instead of wrapping. For the play layer to recheck
 * SCENARIO_MAX_ACCESSES once the real geometry is known. */
/* Counts what the steps play when the page size is page_size: every
 * access, and one for every other step but a repeat (which multiplies what
 * it holds). Saturates at UINT64_MAX. SCENARIO_MAX_PLAYS bounds it, so that
 * repeats of steps that are not accesses cannot run for ever either. */
uint64_t scenario_count_plays(const struct scenario_step *steps, size_t count,
                              uint64_t page_size);
uint64_t scenario_count_accesses(const struct scenario_step *steps, size_t count,
                                 uint64_t page_size);

/* The chapter step whose name is the very string name (as the timeline's
 * current chapter points into the scenario), looked for in steps[0..count)
 * and the repeats they hold; NULL when none is. */
const struct scenario_step *scenario_chapter_step(const struct scenario_step *steps,
                                                  size_t count, const char *name);

/* The YAML key of a step kind ("read"), or "?" when out of range. */
const char *step_kind_name(enum step_kind kind);

/* Every step kind's YAML key, in enum order (static), and how many there
 * are (for lists and hints). */
const char *const *step_kind_names(unsigned *count);

/* A one-line description of a step kind, or "?" when out of range. */
const char *step_kind_help(enum step_kind kind);

/* Looks up a step kind by YAML key: 0 and *out set, or -1 if unknown. */
int step_kind_lookup(const char *name, enum step_kind *out);

#endif
