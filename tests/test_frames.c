/* The frame pool, its reverse map, and swap slots. */
#include <CUnit/CUnit.h>

#include "suites.h"

#include <stdlib.h>

#include "vm/event.h"
#include "vm/frames.h"
#include "vm/swap.h"
#include "vm/object.h"
#include "vm/rng.h"

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
    CU_ASSERT_EQUAL(frames_at(&p, 1)->refcount, 2);
    CU_ASSERT(frames_rmap_remove(&p, 1, 7, 0x400));
    CU_ASSERT_FALSE(frames_rmap_remove(&p, 1, 7, 0x400));
    CU_ASSERT_EQUAL(frames_at(&p, 1)->nmaps, 1);
    CU_ASSERT_EQUAL(frames_at(&p, 1)->maps[0].pid, 8);
    struct frame_pool copy;
    CU_ASSERT_FATAL(frames_clone(&copy, &p));
    frames_release(&p, 1);
    CU_ASSERT_EQUAL(frames_at(&p, 1)->kind, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_at(&p, 1)->owner_pid, EV_NONE);
    CU_ASSERT_EQUAL(frames_at(&copy, 1)->maps[0].vpn, 0x500);
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 1);
    frames_destroy(&copy);
    frames_destroy(&p);
}

/* Retaking a frame leaves the pool exactly as releasing it and taking the
 * lowest free frame would, and does nothing where those two would give
 * another frame or the other region's. */
static void test_retake(void)
{
    struct frame_pool p, ref;
    CU_ASSERT_FATAL(frames_init(&p, 4, 2));
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), (uint32_t)i);
    CU_ASSERT(frames_rmap_add(&p, 2, 7, 0x400));
    CU_ASSERT(frames_rmap_add(&p, 2, 8, 0x500)); /* the reverse map on the host */
    frames_edit(&p, 2)->dirty = true;
    CU_ASSERT_FATAL(frames_clone(&ref, &p));
    frames_release(&ref, 2);
    CU_ASSERT_EQUAL(frames_take(&ref, FRAME_FILE), 2);
    CU_ASSERT(frames_retake(&p, 2, FRAME_FILE));
    uint64_t h1 = 0, h2 = 0;
    frames_digest(&p, &h1);
    frames_digest(&ref, &h2);
    CU_ASSERT_EQUAL(h1, h2);
    CU_ASSERT_EQUAL(frames_at(&p, 2)->kind, FRAME_FILE);
    CU_ASSERT_EQUAL(frames_at(&p, 2)->nmaps, 0);
    CU_ASSERT_FALSE(frames_at(&p, 2)->dirty);
    CU_ASSERT_EQUAL(p.free_data, 0);
    CU_ASSERT_FALSE(frames_have_free(&p, FRAME_ANON));
    /* A table is taken from the reserved region, not from this frame. */
    CU_ASSERT_FALSE(frames_retake(&p, 2, FRAME_TABLE));
    CU_ASSERT_EQUAL(frames_at(&p, 2)->kind, FRAME_FILE);
    /* With frame 1 free, frames_take would give 1: nothing is retaken. */
    frames_release(&p, 1);
    CU_ASSERT_FALSE(frames_retake(&p, 3, FRAME_ANON));
    CU_ASSERT_EQUAL(frames_at(&p, 3)->kind, FRAME_ANON);
    CU_ASSERT_EQUAL(p.free_data, 1);
    /* A free frame is not retaken. */
    CU_ASSERT_FALSE(frames_retake(&p, 1, FRAME_ANON));
    CU_ASSERT_EQUAL(frames_at(&p, 1)->kind, FRAME_FREE);
    frames_destroy(&ref);
    frames_destroy(&p);
}

/* A frame's first mapping is held inline: taking and giving it back costs
 * the host nothing; a second one moves the reverse map to the host in the
 * same order, and a copy of the pool holds its own mappings. */
static void test_rmap_inline_owner(void)
{
    struct frame_pool p;
    CU_ASSERT_FATAL(frames_init(&p, 4, 0));
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 0);
    uint64_t bytes = frames_bytes(&p);
    CU_ASSERT(frames_rmap_add(&p, 0, 3, 0x10));
    CU_ASSERT_EQUAL(frames_bytes(&p), bytes);
    CU_ASSERT_EQUAL(frames_at(&p, 0)->capmaps, 1);
    CU_ASSERT_PTR_EQUAL(frames_at(&p, 0)->maps, &frames_at(&p, 0)->map_inline);

    struct frame_pool copy;
    CU_ASSERT_FATAL(frames_clone(&copy, &p));
    CU_ASSERT_PTR_EQUAL(frames_at(&copy, 0)->maps, &frames_at(&copy, 0)->map_inline);
    CU_ASSERT(frames_rmap_remove(&copy, 0, 3, 0x10));
    CU_ASSERT(frames_rmap_add(&copy, 0, 4, 0x20));
    CU_ASSERT_EQUAL(frames_at(&p, 0)->maps[0].pid, 3);
    CU_ASSERT_EQUAL(frames_at(&p, 0)->maps[0].vpn, 0x10);

    CU_ASSERT(frames_rmap_add(&p, 0, 5, 0x30));
    CU_ASSERT(frames_bytes(&p) > bytes);
    CU_ASSERT_EQUAL(frames_at(&p, 0)->nmaps, 2);
    CU_ASSERT_EQUAL(frames_at(&p, 0)->refcount, 2);
    CU_ASSERT_EQUAL(frames_at(&p, 0)->maps[0].pid, 3);
    CU_ASSERT_EQUAL(frames_at(&p, 0)->maps[1].pid, 5);
    CU_ASSERT(frames_rmap_remove(&p, 0, 3, 0x10));
    CU_ASSERT(frames_rmap_remove(&p, 0, 5, 0x30));
    CU_ASSERT_EQUAL(frames_at(&p, 0)->nmaps, 0);
    CU_ASSERT_PTR_NULL(frames_at(&p, 0)->maps);
    CU_ASSERT_EQUAL(frames_bytes(&p), bytes);
    CU_ASSERT(frames_rmap_add(&p, 0, 6, 0x40));
    CU_ASSERT_EQUAL(frames_bytes(&p), bytes);
    CU_ASSERT_EQUAL(frames_at(&copy, 0)->maps[0].pid, 4);
    frames_release(&p, 0);
    CU_ASSERT_EQUAL(frames_bytes(&p), bytes);
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
    CU_ASSERT_EQUAL(swap_at(&s, 0)->pid, 2);
    swap_destroy(&s);
}

/* The lowest free frame, slot or aligned run, found the slow way. */
static uint32_t slow_lowest(const bool *taken, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++)
        if (!taken[i])
            return i;
    return UINT32_MAX;
}

static uint32_t slow_run(const bool *taken, uint32_t to, uint32_t n)
{
    for (uint32_t start = 0; start + n <= to; start += n) {
        uint32_t i = 0;
        while (i < n && !taken[start + i])
            i++;
        if (i == n)
            return start;
    }
    return UINT32_MAX;
}

/* Random takes and releases over several free-map blocks, regions that
 * end inside a block, and huge runs: the pool always hands out what a
 * scan from frame 0 would, and swap the lowest free slot. */
static void test_lowest_free(void)
{
    enum { DATA = 9000, TABLES = 5000, SLOTS = 8300 };
    struct frame_pool p;
    struct swap_area s;
    CU_ASSERT_FATAL(frames_init(&p, DATA, TABLES));
    CU_ASSERT_FATAL(swap_init(&s, SLOTS));
    bool *taken = calloc(DATA + TABLES, sizeof *taken);
    bool *used = calloc(SLOTS, sizeof *used);
    CU_ASSERT_FATAL(taken && used);
    uint64_t rng = 7;
    unsigned mismatches = 0;
    for (int i = 0; i < 60000 && mismatches < 5; i++) {
        uint64_t r = rng_next(&rng);
        uint32_t f = (uint32_t)(r >> 20) % (DATA + TABLES);
        switch (r % 8) {
        case 0: case 1: case 2: {
            bool table = r >> 8 & 1;
            uint32_t want = table ? slow_lowest(taken, DATA, DATA + TABLES)
                                  : slow_lowest(taken, 0, DATA);
            uint32_t got = frames_take(&p, table ? FRAME_TABLE : FRAME_ANON);
            mismatches += got != want;
            if (got < DATA + TABLES)
                taken[got] = true;
            break;
        }
        case 3: {
            uint32_t n = r >> 8 & 1 ? 512 : 8;
            uint32_t want = p.free_data >= n ? slow_run(taken, DATA, n) : UINT32_MAX;
            uint32_t got = frames_take_run(&p, n, FRAME_ANON);
            mismatches += got != want;
            for (uint32_t k = 0; got < DATA && k < n; k++)
                taken[got + k] = true;
            break;
        }
        case 4: case 5:
            frames_release(&p, f);
            taken[f] = false;
            break;
        case 6: {
            uint32_t want = slow_lowest(used, 0, SLOTS);
            uint32_t got = swap_take(&s, 1, r);
            mismatches += got != want;
            if (got < SLOTS)
                used[got] = true;
            break;
        }
        default: {
            uint32_t slot = (uint32_t)(r >> 20) % SLOTS;
            if (used[slot])
                swap_release(&s, slot);
            used[slot] = false;
            break;
        }
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    uint32_t free_data = 0, free_table = 0;
    for (uint32_t f = 0; f < DATA + TABLES; f++) {
        CU_ASSERT_EQUAL(frames_at(&p, f)->kind == FRAME_FREE, !taken[f]);
        if (!taken[f])
            *(f < DATA ? &free_data : &free_table) += 1;
    }
    CU_ASSERT_EQUAL(p.free_data, free_data);
    CU_ASSERT_EQUAL(p.free_table, free_table);
    free(taken);
    free(used);
    swap_destroy(&s);
    frames_destroy(&p);
}

/* A pool and swap of the largest sizes hold only what was touched, and
 * reading a frame or slot never touched makes nothing. */
static void test_untouched_costs_nothing(void)
{
    struct frame_pool p;
    struct swap_area s;
    CU_ASSERT_FATAL(frames_init(&p, 1u << 22, 1u << 22));
    CU_ASSERT_FATAL(swap_init(&s, 1u << 22));
    uint64_t pool0 = frames_bytes(&p), swap0 = swap_bytes(&s);
    CU_ASSERT(pool0 < 64 * 1024);
    CU_ASSERT(swap0 < 32 * 1024);
    for (uint32_t f = 0; f < (1u << 23); f += 4099) {
        CU_ASSERT_EQUAL(frames_at(&p, f)->kind, FRAME_FREE);
        CU_ASSERT_EQUAL(frames_at(&p, f)->table_level, -1);
        CU_ASSERT_EQUAL(frames_at(&p, f)->owner_pid, EV_NONE);
        CU_ASSERT_EQUAL(frames_at(&p, f)->object, EV_NONE);
        CU_ASSERT_FALSE(swap_at(&s, f >> 1)->used);
    }
    CU_ASSERT_EQUAL(frames_bytes(&p), pool0);
    CU_ASSERT_EQUAL(swap_bytes(&s), swap0);
    CU_ASSERT_EQUAL(frames_next_touched(&p, 0), frames_total(&p));
    /* The last frame of each region, then the lowest free ones. */
    CU_ASSERT(frames_take_at(&p, (1u << 22) - 1, FRAME_ANON));
    CU_ASSERT(frames_take_at(&p, (1u << 23) - 1, FRAME_TABLE));
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_ANON), 0);
    CU_ASSERT_EQUAL(frames_take(&p, FRAME_TABLE), 1u << 22);
    CU_ASSERT_EQUAL(frames_take_run(&p, 512, FRAME_ANON), 512);
    CU_ASSERT_EQUAL(swap_take(&s, 1, 2), 0);
    CU_ASSERT(frames_bytes(&p) < pool0 + 4 * (4096 * sizeof(struct frame) + 1024));
    CU_ASSERT(swap_bytes(&s) < swap0 + 4096 * sizeof(struct swap_slot) + 4096);
    CU_ASSERT_EQUAL(frames_next_touched(&p, 0), 0);
    CU_ASSERT_EQUAL(frames_next_touched(&p, 4096), (1u << 22) - 4096);
    swap_destroy(&s);
    frames_destroy(&p);
}

/* An object's page map holds the chunks of the pages that are somewhere,
 * in order, whatever the object's size, and lets a chunk go when its last
 * page goes. */
static void test_object_chunks(void)
{
    struct vm_object o;
    CU_ASSERT_FATAL(object_init(&o, "vast", UINT64_C(1) << 40, false));
    CU_ASSERT_EQUAL(object_bytes(&o), 0);
    uint64_t pages[] = {UINT64_C(1) << 39, 5, (UINT64_C(1) << 40) - 1, 4100, 6};
    for (int i = 0; i < 5; i++)
        CU_ASSERT(object_set(&o, pages[i], 1 + (uint64_t)i));
    CU_ASSERT_EQUAL(o.nchunks, 4);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(object_get(&o, pages[i]), 1 + (uint64_t)i);
    CU_ASSERT_EQUAL(object_get(&o, 7), 0);
    CU_ASSERT_EQUAL(object_next_page(&o, 0), 0);
    CU_ASSERT_EQUAL(object_next_page(&o, 4096), 4096);
    CU_ASSERT_EQUAL(object_next_page(&o, 8192), UINT64_C(1) << 39);
    struct vm_object copy;
    CU_ASSERT_FATAL(object_clone(&copy, &o));
    uint64_t h1 = DIGEST_INIT, h2 = DIGEST_INIT;
    object_digest(&o, &h1);
    object_digest(&copy, &h2);
    CU_ASSERT_EQUAL(h1, h2);
    CU_ASSERT(object_set(&o, 5, 0));
    CU_ASSERT_EQUAL(o.nchunks, 4);
    CU_ASSERT(object_set(&o, 6, 0));
    CU_ASSERT_EQUAL(o.nchunks, 3);
    CU_ASSERT_EQUAL(object_next_page(&o, 0), 4096);
    /* Back as they were, through other values: the same digest. */
    CU_ASSERT(object_set(&o, 6, 9));
    CU_ASSERT(object_set(&o, 5, 2));
    CU_ASSERT_EQUAL(o.nchunks, 4);
    CU_ASSERT(object_set(&o, 6, 5));
    CU_ASSERT(object_set(&o, 77, 0)); /* already nowhere */
    h1 = DIGEST_INIT;
    object_digest(&o, &h1);
    CU_ASSERT_EQUAL(h1, h2);
    object_destroy(&copy);
    object_destroy(&o);
}

void suite_frames_register(void)
{
    CU_pSuite s = CU_add_suite("frames", NULL, NULL);
    CU_add_test(s, "pool, regions and reverse map", test_pool);
    CU_add_test(s, "the first mapping is held inline", test_rmap_inline_owner);
    CU_add_test(s, "a frame retaken ends as released and taken", test_retake);
    CU_add_test(s, "swap slots", test_swap);
    CU_add_test(s, "the lowest free frame, run and slot", test_lowest_free);
    CU_add_test(s, "what is never touched costs nothing", test_untouched_costs_nothing);
    CU_add_test(s, "an object's page map holds what is somewhere", test_object_chunks);
}
