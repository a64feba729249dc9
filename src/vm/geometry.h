#ifndef VMVIZ_VM_GEOMETRY_H
#define VMVIZ_VM_GEOMETRY_H
/*
 * The shape of a virtual address: how many bits it has, how they split into
 * one index per page-table level, and the page offset below them.
 *
 *   x86_64 (4 levels, 4 KiB pages):
 *
 *   63      48 47    39 38    30 29    21 20    12 11          0
 *   +---------+--------+--------+--------+--------+-------------+
 *   | sign    | PGD    | PUD    | PMD    | PTE    | offset      |
 *   +---------+--------+--------+--------+--------+-------------+
 *
 * Level 0 is the root (the table CR3 points at); the last level holds the
 * entries that map pages.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEOMETRY_MAX_LEVELS 5
#define GEOMETRY_MIN_PAGE_SHIFT 4   /* 16-byte pages, for toy layouts */
#define GEOMETRY_MAX_PAGE_SHIFT 30  /* 1 GiB */
/* A table of 4096 entries (32 KiB) at most: every table the machine makes
 * is held in memory whole, so this bounds what one new table costs. */
#define GEOMETRY_MAX_INDEX_BITS 12
#define GEOMETRY_LEVEL_NAME_MAX 8

/* The architectures a layout follows: what a non-canonical address does,
 * and whose page-fault error codes the kernel reports. */
enum geometry_arch {
    GEO_ARCH_X86,       /* x86: a non-canonical address raises #GP, never a page fault */
    GEO_ARCH_RISCV,     /* RISC-V: a non-canonical address raises a page fault, no walk */
    GEO_ARCH_CLASSROOM,  /* a classroom layout: no rule beyond the VA width */
};

/* The presets, one row each: name, architecture, VA bits, page shift,
 * levels, index bits per level, the level a huge-page entry may stop at
 * (-1: none), whether addresses are sign-extended from the top VA bit (the
 * canonical rule: bits 63 down to va_bits - 1 all equal), the first
 * address above user space (Linux's TASK_SIZE_MAX), the first address of
 * the kernel half (0: none), and the names of the levels, root first, as
 * the architecture's own documentation spells them. Every view and every
 * sentence takes a level's name from here.
 *
 * x86_64 user space ends one page below 2^47 (arch/x86/include/asm/
 * page_64_types.h, task_size_max: no mapping at the highest canonical
 * address, where a SYSCALL would return to a non-canonical RIP); i386 on a
 * 3G/1G split ends at PAGE_OFFSET, 0xC0000000 (page_32_types.h); sv39 at
 * PGDIR_SIZE * PTRS_PER_PGD / 2 = 2^38 (arch/riscv/include/asm/pgtable.h). */
#define GEOMETRY_PRESET_LIST(X)                                                          \
    X("x86_64", GEO_ARCH_X86, 48, 12, 4, 9, 2, true, (UINT64_C(1) << 47) - 4096,         \
      UINT64_C(0xffff800000000000), "PGD", "PUD", "PMD", "PTE", NULL)                    \
    X("x86_64-5level", GEO_ARCH_X86, 57, 12, 5, 9, 3, true, (UINT64_C(1) << 56) - 4096,  \
      UINT64_C(0xff00000000000000), "PGD", "P4D", "PUD", "PMD", "PTE")                   \
    X("i386", GEO_ARCH_X86, 32, 12, 2, 10, -1, false, UINT64_C(0xC0000000),              \
      UINT64_C(0xC0000000), "PD", "PT", NULL, NULL, NULL)                                \
    X("riscv-sv39", GEO_ARCH_RISCV, 39, 12, 3, 9, 1, true, UINT64_C(1) << 38,            \
      UINT64_C(0xffffffc000000000), "L2", "L1", "L0", NULL, NULL)                        \
    X("tiny", GEO_ARCH_CLASSROOM, 14, 6, 2, 4, -1, false, UINT64_C(1) << 14, 0, "L1", "L2", \
      NULL, NULL, NULL)

struct geometry {
    char name[24];
    unsigned va_bits;
    unsigned page_shift;
    unsigned levels;
    unsigned index_bits[GEOMETRY_MAX_LEVELS];
    /* Level at which a huge-page entry (PS) may stop a walk, or -1. On
     * x86_64 it is the PMD (level 2 of 4): one entry maps 2 MiB. */
    int huge_level;
    enum geometry_arch arch;
    /* Addresses are sign-extended from bit va_bits - 1: the upper half is
     * canonical too (x86_64's kernel half). Without it, an address at or
     * beyond 2^va_bits has no place in the tables. */
    bool sign_extended;
    /* First address above user space: TASK_SIZE_MAX. On x86_64 one page
     * below the end of the canonical lower half. */
    uint64_t user_top;
    /* First address of the kernel half, whose root entries every process
     * shares; 0 when the layout has none. */
    uint64_t kernel_start;
    /* Each level's name, root first ("PGD", "L1"...). */
    char level_names[GEOMETRY_MAX_LEVELS][GEOMETRY_LEVEL_NAME_MAX];
};

/* Fills *g with the named preset (x86_64, x86_64-5level, i386, riscv-sv39,
 * tiny) and returns true, or returns false for an unknown name. */
bool geometry_preset(const char *name, struct geometry *g);

/* The preset names, NULL-terminated, for help text and "did you mean". */
extern const char *const geometry_preset_names[];

/* Builds a custom layout from a VA width, a page size in bytes and the index
 * widths of each level (root first). Returns true when it is valid; otherwise
 * false with the reason in why (what is wrong and what is expected). */
bool geometry_custom(struct geometry *g, unsigned va_bits, uint64_t page_size,
                     const unsigned *index_bits, unsigned levels,
                     char *why, size_t why_len);

/* The name of a level ("PGD" on x86_64, "L1" for the root of a custom
 * layout), the same on every panel and in every sentence; "?" when the
 * level does not exist. */
const char *geometry_level_name(const struct geometry *g, int level);

/* Checks an already filled geometry; same contract as geometry_custom. */
bool geometry_validate(const struct geometry *g, char *why, size_t why_len);

/* Page size in bytes. */
uint64_t geometry_page_size(const struct geometry *g);
/* Number of entries in a table of the given level. */
uint64_t geometry_entries(const struct geometry *g, unsigned level);
/* The lowest VA bit the given level's index uses. */
unsigned geometry_level_shift(const struct geometry *g, unsigned level);
/* The index va selects at the given level. */
uint64_t geometry_index(const struct geometry *g, uint64_t va, unsigned level);
/* The offset of va within its page. */
uint64_t geometry_offset(const struct geometry *g, uint64_t va);
/* Virtual page number of va: va >> page_shift, whole on a sign-extended
 * layout (an upper-half page keeps its high bits), else within va_bits. */
uint64_t geometry_vpn(const struct geometry *g, uint64_t va);
/* True when va is canonical: on a sign-extended layout bits 63 down to
 * va_bits - 1 are all equal, on another va lies below 2^va_bits (for
 * 64-bit widths every VA does). Only a canonical address has a place in
 * the tables. */
bool geometry_canonical(const struct geometry *g, uint64_t va);
/* True when a non-canonical address raises a general-protection fault
 * (#GP) before any TLB lookup or walk: x86 with a sign-extended layout.
 * Elsewhere it raises a page fault without a walk (RISC-V's rule; the
 * classroom layouts and i386 follow it for addresses beyond their width). */
bool geometry_gp_on_noncanonical(const struct geometry *g);
/* True when va lies in the kernel half (canonical, at or above
 * kernel_start); never on a layout without one. */
bool geometry_kernel_half(const struct geometry *g, uint64_t va);
/* The first root index that maps the kernel half (the root entries every
 * process shares), or the root's entry count when there is no kernel half. */
uint64_t geometry_kernel_root_index(const struct geometry *g);
/* va with its upper bits set from bit va_bits - 1 on a sign-extended
 * layout: the address an upper-half root index stands for. Unchanged
 * elsewhere. */
uint64_t geometry_sign_extend(const struct geometry *g, uint64_t va);
/* Bytes covered by one entry of the given level (page size at the leaf). */
uint64_t geometry_level_span(const struct geometry *g, unsigned level);

#endif
