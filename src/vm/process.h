#ifndef VMVIZ_VM_PROCESS_H
#define VMVIZ_VM_PROCESS_H
/* Processes and their areas (VMAs): [start, end) ranges with a protection,
 * a kind (anonymous or file-backed), private or shared, and a name, kept
 * sorted by start address like /proc/PID/maps. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/sentinel.h"

#define PROT_R 0x1
#define PROT_W 0x2
#define PROT_X 0x4

#define AREA_NAME_MAX 32

/* AREA_DEVICE: a device's memory (VM_IO | VM_PFNMAP), its entries
 * written at mmap time. */
enum area_kind { AREA_ANON, AREA_FILE, AREA_DEVICE };

struct area {
    uint64_t start, end;
    uint8_t prot;          /* PROT_R | PROT_W | PROT_X */
    uint8_t kind;          /* enum area_kind */
    bool shared;
    bool huge;             /* wants huge pages where aligned */
    bool textbook;         /* created for a reference string: every first touch needs a frame */
    bool global;           /* its entries are global: they survive CR3 reloads */
    /* The area has had anonymous pages of its own (Linux: it has an
     * anon_vma): a zero-filled page, a copy-on-write copy, a private copy
     * of a file page. Set by the first fault that makes one, kept by fork
     * and by a split; fork copies the entries only of such areas. */
    bool anon_pages;
    uint32_t object;       /* the object behind a file-backed or shared area, else VM_NO_OBJECT */
    uint64_t file_offset;  /* offset of start in the object, or in the device */
    uint32_t device;       /* AREA_DEVICE: the device's index (machine_device) */
    char name[AREA_NAME_MAX];
};

struct process {
    uint32_t pid;
    uint16_t asid;
    bool alive;
    bool oom_killed;        /* ended by the OOM killer (alive is false), not by exit */
    uint32_t root;          /* frame of the root table (CR3) */
    uint64_t resident;      /* pages mapped to frames */
    uint64_t swapped;       /* pages in swap */
    char name[AREA_NAME_MAX];
    /* The heap of a process that runs a program (execve, spawn):
     * [heap_start, brk) is what brk(2) asked for; its area, "heap", ends
     * at brk rounded up to a page. Both 0 for a process declared with its
     * areas. */
    uint64_t heap_start, brk;
    struct area *areas;
    uint32_t nareas, capareas;
};

/* The area containing va, or NULL. The pointer is into p->areas: valid
 * until p's areas next change (an area added or removed, munmap,
 * mprotect, exit, or an access that creates an automatic area), which may
 * move them all. */
struct area *process_find_area(const struct process *p, uint64_t va);
/* The area with that name, or NULL; valid as process_find_area's. */
struct area *process_find_named(const struct process *p, const char *name);
/* The span of the area called name, with the pieces that continue it
 * without a gap (an mprotect of part of an area splits it into pieces
 * that keep its name). false when no area has that name. */
bool process_named_span(const struct process *p, const char *name, uint64_t *start,
                        uint64_t *end);
/* True when every byte of [start, end) lies in some area. */
bool process_range_mapped(const struct process *p, uint64_t start, uint64_t end);
/* True when [start, end) overlaps no area. */
bool process_range_free(const struct process *p, uint64_t start, uint64_t end);
/* Inserts an area, keeping the order; false when it overlaps one or memory
 * runs out. */
bool process_add_area(struct process *p, const struct area *a);
/* Removes [start, end) from every area, splitting an area cut in the middle.
 * false when out of memory. */
bool process_remove_range(struct process *p, uint64_t start, uint64_t end);
/* Finds room for size bytes below `below`, highest first as Linux's top-down
 * mmap does, aligned to `align`. Returns the start or UINT64_MAX. */
uint64_t process_find_gap(const struct process *p, uint64_t size, uint64_t below, uint64_t align,
                          uint64_t lowest);
bool process_clone_areas(struct process *dst, const struct process *src);
void process_free_areas(struct process *p);
/* "rwx" style string of a protection into buf[4]. */
void prot_string(uint8_t prot, char buf[4]);

#endif
