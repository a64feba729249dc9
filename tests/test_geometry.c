/* Geometry and page tables: index splits, presets, layouts, lazy tables. */
#include <CUnit/CUnit.h>

#include "suites.h"
#include <string.h>

#include "vm/geometry.h"
#include "vm/pte.h"
#include "vm_helpers.h"

static void test_x86_64_split(void)
{
    struct geometry g;
    CU_ASSERT_FATAL(geometry_preset("x86_64", &g));
    uint64_t va = UINT64_C(0x7FFE12345678);
    CU_ASSERT_EQUAL(geometry_index(&g, va, 0), 255);
    CU_ASSERT_EQUAL(geometry_index(&g, va, 1), 504);
    CU_ASSERT_EQUAL(geometry_index(&g, va, 2), 145);
    CU_ASSERT_EQUAL(geometry_index(&g, va, 3), 325);
    CU_ASSERT_EQUAL(geometry_offset(&g, va), 0x678);
    CU_ASSERT_EQUAL(geometry_level_shift(&g, 0), 39);
    CU_ASSERT_EQUAL(geometry_level_shift(&g, 3), 12);
    CU_ASSERT_EQUAL(geometry_entries(&g, 2), 512);
    CU_ASSERT_EQUAL(geometry_level_span(&g, 2), UINT64_C(2) << 20);
    CU_ASSERT_EQUAL(geometry_vpn(&g, va), va >> 12);
}

static void test_presets(void)
{
    struct geometry g;
    char why[200];
    for (int i = 0; geometry_preset_names[i]; i++) {
        CU_ASSERT_FATAL(geometry_preset(geometry_preset_names[i], &g));
        CU_ASSERT(geometry_validate(&g, why, sizeof why));
    }
    CU_ASSERT_FATAL(geometry_preset("x86_64-5level", &g));
    CU_ASSERT_EQUAL(g.levels, 5);
    CU_ASSERT_EQUAL(g.va_bits, 57);
    CU_ASSERT_EQUAL(geometry_level_shift(&g, 0), 48);
    CU_ASSERT_FATAL(geometry_preset("i386", &g));
    CU_ASSERT_EQUAL(geometry_index(&g, UINT64_C(0xC0801234), 0), 0x302);
    CU_ASSERT_EQUAL(geometry_index(&g, UINT64_C(0xC0801234), 1), 0x001);
    CU_ASSERT_FATAL(geometry_preset("riscv-sv39", &g));
    CU_ASSERT_EQUAL(g.va_bits, 39);
    CU_ASSERT_FATAL(geometry_preset("tiny", &g));
    CU_ASSERT_EQUAL(geometry_page_size(&g), 64);
    /* 14-bit VA 0x2A5B: index 0 = bits 13-10, index 1 = bits 9-6. */
    CU_ASSERT_EQUAL(geometry_index(&g, 0x2A5B, 0), 0xA);
    CU_ASSERT_EQUAL(geometry_index(&g, 0x2A5B, 1), 0x9);
    CU_ASSERT_EQUAL(geometry_offset(&g, 0x2A5B), 0x1B);
    CU_ASSERT_FALSE(geometry_preset("x86", &g));
}

static void test_custom_layouts(void)
{
    struct geometry g;
    char why[200];
    unsigned two[] = {4, 4};
    CU_ASSERT(geometry_custom(&g, 14, 64, two, 2, why, sizeof why));
    unsigned big[] = {12, 12, 12, 12, 4};
    CU_ASSERT(geometry_custom(&g, 64, 4096, big, 5, why, sizeof why));
    CU_ASSERT_EQUAL(geometry_index(&g, UINT64_MAX, 0), 4095);
    CU_ASSERT_EQUAL(geometry_index(&g, UINT64_MAX, 4), 15);
    /* A table bigger than 4096 entries is refused: each is held whole. */
    unsigned wide[] = {13, 13, 13, 13};
    CU_ASSERT_FALSE(geometry_custom(&g, 64, 4096, wide, 4, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "level 1 has 13 index bits (expected 1 to 12)");
    unsigned one[] = {2};
    CU_ASSERT(geometry_custom(&g, 32, UINT64_C(1) << 30, one, 1, why, sizeof why));
    /* Rejected: sums that do not add up, odd page sizes, too many levels. */
    CU_ASSERT_FALSE(geometry_custom(&g, 15, 64, two, 2, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "make 14, not va_bits 15"));
    CU_ASSERT_FALSE(geometry_custom(&g, 14, 48, two, 2, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a power of two"));
    CU_ASSERT_FALSE(geometry_custom(&g, 12, 8, two, 2, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "16 bytes to 1 GiB"));
    unsigned six[] = {1, 1, 1, 1, 1, 1};
    CU_ASSERT_FALSE(geometry_custom(&g, 18, 4096, six, 6, why, sizeof why));
    unsigned zero[] = {0, 8};
    CU_ASSERT_FALSE(geometry_custom(&g, 20, 4096, zero, 2, why, sizeof why));
    CU_ASSERT_FALSE(geometry_custom(&g, 65, 4096, big, 5, why, sizeof why));
    CU_ASSERT_FALSE(geometry_custom(&g, 64, 4096, big, 4, why, sizeof why));
}

static void test_lazy_tables(void)
{
    struct machine *m = test_machine("x86_64", 64, 0, 0, POLICY_fifo);
    test_process(m, 1, UINT64_C(0x600000), UINT64_C(0x400000));
    const struct process *p = machine_process(m, 1);
    /* Only the root exists before any access. */
    CU_ASSERT_EQUAL(m->counters.table_allocs, 1);
    struct walk_result w = machine_walk(m, p, UINT64_C(0x600000));
    CU_ASSERT_FALSE(w.complete);
    CU_ASSERT_EQUAL(w.level, 0);
    CU_ASSERT_EQUAL(m->pool.free_data, 63);
    struct event ev = test_access(m, 1, ACCESS_WRITE, UINT64_C(0x600010));
    CU_ASSERT_EQUAL(ev.kind, EV_ACCESS_DONE);
    /* PUD, PMD and PTE tables were built on the way: 3 + the root. */
    CU_ASSERT_EQUAL(m->counters.table_allocs, 4);
    CU_ASSERT_EQUAL(m->pool.free_data, 64 - 5);
    w = machine_walk(m, p, UINT64_C(0x600010));
    CU_ASSERT(w.complete);
    CU_ASSERT_EQUAL(w.level, 3);
    CU_ASSERT(pte_present(*w.slot));
    CU_ASSERT((*w.slot & (PTE_DIRTY | PTE_ACCESSED | PTE_WRITABLE | PTE_USER)) ==
              (PTE_DIRTY | PTE_ACCESSED | PTE_WRITABLE | PTE_USER));
    /* The next page shares every table. */
    test_access(m, 1, ACCESS_READ, UINT64_C(0x601000));
    CU_ASSERT_EQUAL(m->counters.table_allocs, 4);
    /* 0x800000 is in the next 2 MiB: only a new PTE table. */
    test_access(m, 1, ACCESS_READ, UINT64_C(0x800000));
    CU_ASSERT_EQUAL(m->counters.table_allocs, 5);
    for (uint32_t f = 0; f < 5; f++)
        CU_ASSERT_EQUAL(frames_at(&m->pool, f)->kind, f == 4 ? FRAME_ANON : FRAME_TABLE);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 0)->table_level, 0);
    CU_ASSERT_EQUAL(frames_at(&m->pool, 3)->table_level, 3);
    machine_destroy(m);
}

void suite_geometry_register(void)
{
    CU_pSuite s = CU_add_suite("geometry", NULL, NULL);
    CU_add_test(s, "x86_64 index split", test_x86_64_split);
    CU_add_test(s, "presets", test_presets);
    CU_add_test(s, "custom layouts", test_custom_layouts);
}

void suite_pagetable_register(void)
{
    CU_pSuite s = CU_add_suite("pagetable", NULL, NULL);
    CU_add_test(s, "tables built lazily", test_lazy_tables);
}
