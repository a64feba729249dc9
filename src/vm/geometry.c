/* VA layouts: presets and validated custom layouts. See geometry.h. */
#include "vm/geometry.h"

#include <stdio.h>
#include <string.h>

const char *const geometry_preset_names[] = {
#define PRESET_NAME(name, ...) name,
    GEOMETRY_PRESET_LIST(PRESET_NAME)
#undef PRESET_NAME
    NULL,
};

/* A custom layout's levels are numbered from the root: L1, L2, ... */
static void name_levels_generic(struct geometry *g)
{
    for (unsigned i = 0; i < GEOMETRY_MAX_LEVELS; i++)
        snprintf(g->level_names[i], sizeof g->level_names[i], "L%u", i + 1);
}

static void set_preset(struct geometry *g, const char *name, enum geometry_arch arch,
                       unsigned va_bits, unsigned page_shift, unsigned levels, unsigned bits,
                       int huge_level, bool sign_extended, uint64_t user_top,
                       uint64_t kernel_start, const char *const names[GEOMETRY_MAX_LEVELS])
{
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", name);
    g->va_bits = va_bits;
    g->page_shift = page_shift;
    g->levels = levels;
    for (unsigned i = 0; i < levels; i++) {
        g->index_bits[i] = bits;
        snprintf(g->level_names[i], sizeof g->level_names[i], "%s", names[i] ? names[i] : "?");
    }
    g->huge_level = huge_level;
    g->arch = arch;
    g->sign_extended = sign_extended;
    g->user_top = user_top;
    g->kernel_start = kernel_start;
}

bool geometry_preset(const char *name, struct geometry *g)
{
#define PRESET_MATCH(pname, arch, va, shift, levels, bits, huge, sext, top, kstart, n0, n1,  \
                     n2, n3, n4)                                                       \
    if (strcmp(name, pname) == 0) {                                                    \
        const char *const names[GEOMETRY_MAX_LEVELS] = {n0, n1, n2, n3, n4};            \
        set_preset(g, pname, arch, va, shift, levels, bits, huge, sext, top, kstart, names); \
        return true;                                                                   \
    }
    GEOMETRY_PRESET_LIST(PRESET_MATCH)
#undef PRESET_MATCH
    return false;
}

const char *geometry_level_name(const struct geometry *g, int level)
{
    if (level < 0 || (unsigned)level >= g->levels || !g->level_names[level][0])
        return "?";
    return g->level_names[level];
}

bool geometry_validate(const struct geometry *g, char *why, size_t why_len)
{
    if (g->va_bits < 2 || g->va_bits > 64) {
        snprintf(why, why_len, "va_bits %u is out of range (expected 2 to 64)", g->va_bits);
        return false;
    }
    if (g->page_shift < GEOMETRY_MIN_PAGE_SHIFT || g->page_shift > GEOMETRY_MAX_PAGE_SHIFT) {
        snprintf(why, why_len,
                 "page size 2^%u is out of range (expected a power of two from 16 bytes to 1 GiB)",
                 g->page_shift);
        return false;
    }
    if (g->levels < 1 || g->levels > GEOMETRY_MAX_LEVELS) {
        snprintf(why, why_len, "%u levels (expected 1 to %d)", g->levels, GEOMETRY_MAX_LEVELS);
        return false;
    }
    unsigned total = g->page_shift;
    for (unsigned i = 0; i < g->levels; i++) {
        if (g->index_bits[i] < 1 || g->index_bits[i] > GEOMETRY_MAX_INDEX_BITS) {
            snprintf(why, why_len, "level %u has %u index bits (expected 1 to %d)", i + 1,
                     g->index_bits[i], GEOMETRY_MAX_INDEX_BITS);
            return false;
        }
        total += g->index_bits[i];
    }
    if (total != g->va_bits) {
        snprintf(why, why_len,
                 "the levels' index bits plus the %u offset bits make %u, not va_bits %u "
                 "(expected them to add up)",
                 g->page_shift, total, g->va_bits);
        return false;
    }
    return true;
}

bool geometry_custom(struct geometry *g, unsigned va_bits, uint64_t page_size,
                     const unsigned *index_bits, unsigned levels, char *why, size_t why_len)
{
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "custom");
    if (page_size == 0 || (page_size & (page_size - 1)) != 0) {
        snprintf(why, why_len, "page size %llu is not a power of two (expected 16 bytes to 1 GiB)",
                 (unsigned long long)page_size);
        return false;
    }
    unsigned shift = 0;
    while ((UINT64_C(1) << shift) < page_size)
        shift++;
    g->va_bits = va_bits;
    g->page_shift = shift;
    if (levels > GEOMETRY_MAX_LEVELS) {
        snprintf(why, why_len, "%u levels (expected 1 to %d)", levels, GEOMETRY_MAX_LEVELS);
        return false;
    }
    g->levels = levels;
    for (unsigned i = 0; i < levels; i++)
        g->index_bits[i] = index_bits[i];
    g->huge_level = -1;
    g->arch = GEO_ARCH_CLASSROOM;
    name_levels_generic(g);
    /* The whole width is user space, and there is no kernel half. */
    g->user_top = va_bits >= 64 ? UINT64_MAX : UINT64_C(1) << va_bits;
    return geometry_validate(g, why, why_len);
}

uint64_t geometry_page_size(const struct geometry *g)
{
    return UINT64_C(1) << g->page_shift;
}

uint64_t geometry_entries(const struct geometry *g, unsigned level)
{
    return UINT64_C(1) << g->index_bits[level];
}

unsigned geometry_level_shift(const struct geometry *g, unsigned level)
{
    unsigned shift = g->page_shift;
    for (unsigned i = g->levels; i-- > level + 1;)
        shift += g->index_bits[i];
    return shift;
}

uint64_t geometry_index(const struct geometry *g, uint64_t va, unsigned level)
{
    return (va >> geometry_level_shift(g, level)) & (geometry_entries(g, level) - 1);
}

uint64_t geometry_offset(const struct geometry *g, uint64_t va)
{
    return va & (geometry_page_size(g) - 1);
}

uint64_t geometry_vpn(const struct geometry *g, uint64_t va)
{
    uint64_t vpn = va >> g->page_shift;
    unsigned vpn_bits = g->va_bits - g->page_shift;
    if (g->sign_extended)
        return vpn;
    return vpn_bits >= 64 ? vpn : vpn & ((UINT64_C(1) << vpn_bits) - 1);
}

bool geometry_canonical(const struct geometry *g, uint64_t va)
{
    if (g->va_bits >= 64)
        return true;
    if (!g->sign_extended)
        return va < (UINT64_C(1) << g->va_bits);
    /* Bits 63 down to va_bits - 1: all clear or all set. */
    uint64_t high = va >> (g->va_bits - 1);
    return high == 0 || high == UINT64_MAX >> (g->va_bits - 1);
}

bool geometry_gp_on_noncanonical(const struct geometry *g)
{
    return g->arch == GEO_ARCH_X86 && g->sign_extended;
}

bool geometry_kernel_half(const struct geometry *g, uint64_t va)
{
    return g->kernel_start != 0 && va >= g->kernel_start && geometry_canonical(g, va);
}

uint64_t geometry_kernel_root_index(const struct geometry *g)
{
    if (g->kernel_start == 0)
        return geometry_entries(g, 0);
    return geometry_index(g, g->kernel_start, 0);
}

uint64_t geometry_sign_extend(const struct geometry *g, uint64_t va)
{
    if (!g->sign_extended || g->va_bits >= 64)
        return va;
    uint64_t low = (UINT64_C(1) << g->va_bits) - 1;
    va &= low;
    return (va >> (g->va_bits - 1)) & 1 ? va | ~low : va;
}

uint64_t geometry_level_span(const struct geometry *g, unsigned level)
{
    return UINT64_C(1) << geometry_level_shift(g, level);
}
