/* The frame pool, its reverse map, and swap slots. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include "vm/event.h"
#include "vm/frames.h"

static void test_pool(void)
{
    struct frame_pool p;
    CU_ASSERT_FATAL(frames_init(&p, 4, 2));
    CU_ASSERT_EQUAL(frames_total(&p), 6);
    /* Tables go to the reserved region, pages to the rest, lowest first. */
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_TABLE), 4);
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 0);
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 1);
    CU_ASSERT_FALSE(frames_take_at(&p, 1, FRAME_ANON));
    CU_ASSERT(frames_take_at(&p, 3, FRAME_ANON));
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 2);
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), UINT32_MAX);
    CU_ASSERT_FALSE(frames_have_free(&p, FRAME_ANON));
    CU_ASSERT(frames_have_free(&p, FRAME_TABLE));
    CU_ASSERT(frames_rmap_add(&p, 1, 7, 0x400));
    CU_ASSERT(frames_rmap_add(&p, 1, 8, 0x500));
    CU_ASSERT_EQUAL(p.frames[1].refcount, 2);
    CU_ASSERT(frames_rmap_remove(&p, 1, 7, 0x400));
    CU_ASSERT_FALSE(frames_rmap_remove(&p, 1, 7, 0x400));
    CU_ASSERT_EQUAL(p.frames[1].nmaps, 1);
    CU_ASSERT_EQUAL(p.frames[1].maps[0].pid, 8);
    struct frame_pool copy;
    CU_ASSERT_FATAL(frames_clone(&copy, &p));
    frames_release(&p, 1);
    CU_ASSERT_EQUAL(p.frames[1].kind, FRAME_FREE);
    CU_ASSERT_EQUAL(p.frames[1].owner_pid, EV_NONE);
    CU_ASSERT_EQUAL(copy.frames[1].maps[0].vpn, 0x500);
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 1);
    frames_destroy(&copy);
    frames_destroy(&p);
}

static void test_swap(void)
{
    struct swap_area s;
    CU_ASSERT_FATAL(swap_init(&s, 2));
    CU_ASSERT_EQUAL(swap_take(&s, 1, 10), 0);
    CU_ASSERT_EQUAL(swap_take(&s, 1, 11), 1);
    CU_ASSERT_EQUAL(swap_take(&s, 1, 12), UINT32_MAX);
    swap_release(&s, 0);
    CU_ASSERT_EQUAL(s.used, 1);
    CU_ASSERT_EQUAL(swap_take(&s, 2, 13), 0);
    CU_ASSERT_EQUAL(s.slots[0].pid, 2);
    swap_destroy(&s);
}

void suite_frames_register(void)
{
    CU_pSuite s = CU_add_suite("frames", NULL, NULL);
    CU_add_test(s, "pool, regions and reverse map", test_pool);
    CU_add_test(s, "swap slots", test_swap);
}
