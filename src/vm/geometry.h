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

/* The presets, one row each: name, VA bits, page shift, levels, index bits
 * per level, the level a huge-page entry may stop at (-1: none), the first
 * address above user space, and the names of the levels, root first, as
 * the architecture's own documentation spells them. Every view and every
 * sentence takes a level's name from here. */
#define GEOMETRY_PRESET_LIST(X)                                                          \
    X("x86_64", 48, 12, 4, 9, 2, UINT64_C(1) << 47, "PGD", "PUD", "PMD", "PTE", NULL)     \
    X("x86_64-5level", 57, 12, 5, 9, 3, UINT64_C(1) << 56, "PGD", "P4D", "PUD", "PMD",     \
      "PTE")                                                                             \
    X("i386", 32, 12, 2, 10, -1, UINT64_C(0xC0000000), "PD", "PT", NULL, NULL, NULL)      \
    X("riscv-sv39", 39, 12, 3, 9, 1, UINT64_C(1) << 38, "L2", "L1", "L0", NULL, NULL)      \
    X("tiny", 14, 6, 2, 4, -1, UINT64_C(1) << 14, "L1", "L2", NULL, NULL, NULL)

struct geometry {
    char name[24];
    unsigned va_bits;
    unsigned page_shift;
    unsigned levels;
    unsigned index_bits[GEOMETRY_MAX_LEVELS];
    /* Level at which a huge-page entry (PS) may stop a walk, or -1. On
     * x86_64 it is the PMD (level 2 of 4): one entry maps 2 MiB. */
    int huge_level;
    /* First address above user space (the canonical lower half on x86_64). */
    uint64_t user_top;
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
/* Virtual page number of va (va >> page_shift, within va_bits). */
uint64_t geometry_vpn(const struct geometry *g, uint64_t va);
/* True when va lies inside the VA width (for 64-bit widths every VA does). */
bool geometry_va_valid(const struct geometry *g, uint64_t va);
/* Bytes covered by one entry of the given level (page size at the leaf). */
uint64_t geometry_level_span(const struct geometry *g, unsigned level);

#endif
