/* What if, from here: the menu replays the scenario on another machine to
 * the same place, undo goes back, and the split view keeps two machines in
 * lockstep. Every figure is checked against a timeline built on its own
 * with the same overrides, and Belady's anomaly is read back from the
 * screen as well as from the machines. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/setup.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/term.h"
#include "tui/whatif.h"
#include "tui_helpers.h"

#define BELADY "../scenarios/belady.yaml"

/* Accesses begun up to the timeline's position, as its current event
 * says (the timeline's own count is what the what-if aligns by). */
static uint64_t accesses_begun(const struct timeline *tl)
{
    const struct tl_event *e = timeline_current(tl);
    return e ? e->access_seq : 0;
}

/* A timeline of the app's scenario made on its own with o, at position. */
static struct timeline *fresh_at(const struct app *a, const struct timeline_overrides *o,
                                 uint64_t position)
{
    struct diag err;
    struct timeline *tl = timeline_create(a->sc, o, &err);
    if (!tl) {
        diag_print(stderr, &err);
        return NULL;
    }
    timeline_seek(tl, position);
    return tl;
}

/* The counters of the app's machine equal those of a timeline built on
 * its own with the app's overrides at the app's position. */
static void check_counters_fresh(const struct app *a)
{
    struct timeline *tl = fresh_at(a, &a->opts.overrides, timeline_position(a->tl));
    CU_ASSERT_FATAL(tl != NULL);
    const struct machine *mine = timeline_machine(a->tl), *theirs = timeline_machine(tl);
    CU_ASSERT_EQUAL(mine->cfg.policy, theirs->cfg.policy);
    CU_ASSERT_EQUAL(mine->cfg.frames, theirs->cfg.frames);
    for (int c = 0; c < COUNTER_COUNT; c++)
        CU_ASSERT_EQUAL(counter_get(&mine->counters, (enum counter_id)c),
                        counter_get(&theirs->counters, (enum counter_id)c));
    CU_ASSERT_EQUAL(timeline_op_index(a->tl), timeline_op_index(tl));
    timeline_destroy(tl);
}

static void test_menu_applies_lru(void)
{
    struct app *a = test_app_open(BELADY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* Into the run: past the fourth page fault, the first eviction. */
    CU_ASSERT(test_press(a, "e <Right> <Right>"));
    uint64_t position = timeline_position(a->tl), op = timeline_op_index(a->tl);
    CU_ASSERT(op > 0);
    struct counters fifo = timeline_machine(a->tl)->counters;
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_fifo);

    CU_ASSERT(test_press(a, "w"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_WHATIF);
    CU_ASSERT(test_press(a, "<Right>"));
    CU_ASSERT_EQUAL(a->whatif->edit.policy, POLICY_lru);
    test_golden(a, "whatif-menu-80x24");
    CU_ASSERT_EQUAL(draw_cuts(NULL, 0), 0);
    CU_ASSERT(test_press(a, "<Enter>"));

    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_lru);
    CU_ASSERT_STRING_EQUAL(a->opts.overrides.policy, "lru");
    CU_ASSERT_EQUAL(a->opts.overrides.frames, -1);
    CU_ASSERT_EQUAL(timeline_op_index(a->tl), op);
    /* Until the first eviction both policies take the same steps. */
    CU_ASSERT_EQUAL(timeline_position(a->tl), position);
    check_counters_fresh(a);
    CU_ASSERT(strncmp(a->message, "lru, 3 frames, TLB 4x4:", 23) == 0);
    CU_ASSERT_FALSE(a->message_error);
    CU_ASSERT(draw_width(a->message) <= APP_MIN_COLS - 4);

    /* Undo: FIFO again, at the same place, with FIFO's counters. */
    CU_ASSERT(test_press(a, "u"));
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_fifo);
    CU_ASSERT_PTR_NULL(a->opts.overrides.policy);
    CU_ASSERT_EQUAL(timeline_position(a->tl), position);
    CU_ASSERT(memcmp(&timeline_machine(a->tl)->counters, &fifo, sizeof fifo) == 0);
    check_counters_fresh(a);
    CU_ASSERT(strstr(a->message, "Undone, back to fifo") != NULL);
    CU_ASSERT(test_press(a, "u"));
    CU_ASSERT(strstr(a->message, "Nothing to undo") != NULL);
    test_app_close(a);
}

static void test_same_access_when_steps_differ(void)
{
    /* At the end FIFO and LRU have taken different numbers of micro-steps:
     * the new machine is at the end of the same (last) operation. */
    struct app *a = test_app_open(BELADY, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "<End>"));
    uint64_t op = timeline_op_index(a->tl);
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->counters.faults, 9);
    CU_ASSERT(test_press(a, "w <Right>"));
    test_golden(a, "whatif-menu-120x40");
    CU_ASSERT(test_press(a, "<Enter>"));
    CU_ASSERT_EQUAL(timeline_op_index(a->tl), op);
    CU_ASSERT(timeline_at_end(a->tl) || !timeline_step(a->tl, TL_UNIT_OP, +1));
    /* LRU is a stack algorithm, but with 3 frames this string costs it 10. */
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->counters.faults, 10);
    CU_ASSERT(strstr(a->message, "faults 9 -> 10") != NULL);
    /* Mid-run, where the step numbers no longer match: the same access. */
    CU_ASSERT(test_press(a, "<End> <Left> <Left> <Left>"));
    uint64_t access = accesses_begun(a->tl), position = timeline_position(a->tl);
    CU_ASSERT(test_press(a, "w <Left> <Enter>"));
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_fifo);
    CU_ASSERT_EQUAL(accesses_begun(a->tl), access);
    CU_ASSERT_NOT_EQUAL(timeline_position(a->tl), position);
    check_counters_fresh(a);
    test_app_close(a);
}

static void test_knobs_stay_valid(void)
{
    struct app *a = test_app_open(BELADY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "w"));
    struct whatif *w = a->whatif;
    CU_ASSERT_FATAL(w != NULL);
    CU_ASSERT_EQUAL(w->shown.frames, 3);
    CU_ASSERT_EQUAL(w->shown.tlb_entries, 4);
    /* Frames: down to one, and no further. */
    CU_ASSERT(test_press(a, "<Down> <Left> <Left> <Left> <Left>"));
    CU_ASSERT_EQUAL(w->edit.frames, 1);
    CU_ASSERT(strstr(w->note, "no smaller value") != NULL);
    CU_ASSERT(test_press(a, "+ + + +"));
    CU_ASSERT_EQUAL(w->edit.frames, 5);
    /* TLB entries and ways: the ways always divide the entries. */
    CU_ASSERT(test_press(a, "<Down> <Right> <Right>"));
    CU_ASSERT_EQUAL(w->edit.tlb_entries, 16);
    CU_ASSERT_EQUAL(w->edit.tlb_ways, 4);
    CU_ASSERT(test_press(a, "<Down> <Left>"));
    CU_ASSERT_EQUAL(w->edit.tlb_ways, 2);
    CU_ASSERT(test_press(a, "<Right> <Right> <Right>"));
    CU_ASSERT_EQUAL(w->edit.tlb_ways, 16);
    CU_ASSERT(w->note[0] == '\0');
    CU_ASSERT(test_press(a, "<Right>"));
    CU_ASSERT_EQUAL(w->edit.tlb_ways, 16);
    CU_ASSERT(strstr(w->note, "TLB ways: no larger value") != NULL);
    /* ASIDs off, and the overrides name only what changed. */
    CU_ASSERT(test_press(a, "<Down> <Right>"));
    CU_ASSERT_FALSE(w->edit.asid);
    CU_ASSERT(test_press(a, "<Enter>"));
    const struct machine *m = timeline_machine(a->tl);
    CU_ASSERT_EQUAL(m->cfg.frames, 5);
    CU_ASSERT_EQUAL(m->cfg.tlb_entries, 16);
    CU_ASSERT_EQUAL(m->cfg.tlb_ways, 16);
    CU_ASSERT_FALSE(m->tlb.asid_tags);
    CU_ASSERT_PTR_NULL(a->opts.overrides.policy);
    CU_ASSERT_EQUAL(a->opts.overrides.frames, 5);
    CU_ASSERT_EQUAL(a->opts.overrides.tlb_asid, 0);
    CU_ASSERT_EQUAL(a->opts.overrides.seed, -1);
    check_counters_fresh(a);
    /* Esc leaves the machine alone. */
    CU_ASSERT(test_press(a, "w <Right> <Esc>"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_fifo);
    test_app_close(a);
}

static void test_asid_override(void)
{
    struct app *a = test_app_open(BELADY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    CU_ASSERT_EQUAL(o.tlb_asid, -1);
    struct machine_config c;
    struct diag err;
    CU_ASSERT(setup_config(a->sc, &o, &c, &err));
    CU_ASSERT_TRUE(c.tlb_asid);
    o.tlb_asid = 0;
    CU_ASSERT(setup_config(a->sc, &o, &c, &err));
    CU_ASSERT_FALSE(c.tlb_asid);
    test_app_close(a);
}

/* Where the number after a counter's label is on one half of the screen
 * (the last such row: the counters are at the bottom): its value into
 * *value and its cell into *y, *x; false when none is there. */
static bool counter_on_screen(const char *text, int cols, bool right, const char *label,
                              long long *value, int *y, int *x)
{
    int half = (cols - 1) / 2;
    bool found = false;
    int row = 0;
    for (const char *line = text; *line; row++) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char part[256];
        size_t from = right ? (size_t)half + 1 : 0, to = right ? len : (size_t)half;
        if (to > len)
            to = len;
        if (from < to && to - from < sizeof part) {
            memcpy(part, line + from, to - from);
            part[to - from] = '\0';
            char key[64];
            snprintf(key, sizeof key, " %s ", label);
            const char *f = strstr(part, key);
            int skip;
            if (f && sscanf(f + strlen(key), " %n%lld", &skip, value) == 1) {
                *y = row;
                *x = (int)(from + (size_t)(f - part) + strlen(key)) + skip;
                found = true;
            }
        }
        line = end ? end + 1 : line + len;
    }
    return found;
}

/* The faults a half of the screen shows, checked to stand out when the
 * other side's differ. */
static long long faults_on_screen(const char *text, int cols, bool right)
{
    long long faults = -1, evictions = -1;
    int y, x, ey, ex;
    if (!counter_on_screen(text, cols, right, "faults", &faults, &y, &x) ||
        !counter_on_screen(text, cols, right, "evictions", &evictions, &ey, &ex))
        return -1;
    /* Belady's two machines differ in faults, not in evictions. */
    CU_ASSERT_EQUAL(term_role_at(y, x), ROLE_DELTA);
    CU_ASSERT_EQUAL(term_role_at(ey, ex), ROLE_NORMAL);
    return faults;
}

/* Belady's anomaly side by side: FIFO with 3 frames on the left, with 4
 * on the right; at the end the right has the one fault more. */
static void check_belady_split(int cols, int rows, const char *golden)
{
    struct app *a = test_app_open(BELADY, cols, rows);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "w <Down> <Right> v"));
    CU_ASSERT_EQUAL_FATAL(a->base, SCREEN_SPLIT);
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    struct timeline *right = a->whatif->right;
    CU_ASSERT_FATAL(right != NULL);
    CU_ASSERT_EQUAL(timeline_machine(right)->cfg.frames, 4);
    /* The left machine is still the scenario's own. */
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.frames, 3);
    CU_ASSERT_EQUAL(a->opts.overrides.frames, -1);
    /* Lockstep: the same access after every move, though 4 frames take
     * other micro-steps than 3 once the runs part. */
    bool parted = false;
    for (int i = 0; i < 120; i++) {
        CU_ASSERT(test_press(a, "<Right>"));
        CU_ASSERT_EQUAL(timeline_op_index(right), timeline_op_index(a->tl));
        CU_ASSERT_EQUAL(accesses_begun(right), accesses_begun(a->tl));
        CU_ASSERT_EQUAL(timeline_access_index(right), accesses_begun(right));
        if (timeline_position(right) != timeline_position(a->tl))
            parted = true;
    }
    CU_ASSERT(parted);
    CU_ASSERT(test_press(a, "<End>"));
    CU_ASSERT(timeline_at_end(a->tl));
    CU_ASSERT_EQUAL(timeline_op_index(right), timeline_op_index(a->tl));
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->counters.faults, 9);
    CU_ASSERT_EQUAL(timeline_machine(right)->counters.faults, 10);
    test_golden(a, golden);
    CU_ASSERT_EQUAL(draw_cuts(NULL, 0), 0);
    char *text = malloc(SCREEN_BUF);
    CU_ASSERT_FATAL(text != NULL);
    term_dump(text, SCREEN_BUF);
    CU_ASSERT_EQUAL(faults_on_screen(text, cols, false), 9);
    CU_ASSERT_EQUAL(faults_on_screen(text, cols, true), 10);
    free(text);
    /* Back, lockstep the other way: Home takes both to the start. */
    CU_ASSERT(test_press(a, "<Home>"));
    CU_ASSERT_EQUAL(timeline_position(right), 0);
    /* v returns to the main screen where the left one is. */
    CU_ASSERT(test_press(a, "<End> v"));
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    CU_ASSERT(timeline_at_end(a->tl));
    CU_ASSERT_PTR_NULL(a->whatif->right);
    test_app_close(a);
}

static void test_belady_split_80x24(void)
{
    check_belady_split(80, 24, "split-80x24");
}

static void test_belady_split_120x40(void)
{
    check_belady_split(120, 40, "split-120x40");
}

static void test_split_default_and_last(void)
{
    struct app *a = test_app_open(BELADY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* Nothing tried yet: v compares FIFO with LRU. */
    CU_ASSERT(test_press(a, "f v"));
    CU_ASSERT_EQUAL_FATAL(a->base, SCREEN_SPLIT);
    CU_ASSERT_EQUAL(timeline_machine(a->whatif->right)->cfg.policy, POLICY_lru);
    CU_ASSERT_EQUAL(timeline_position(a->whatif->right), timeline_position(a->tl));
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    /* After a what-if, v compares with the machine it replaced. */
    CU_ASSERT(test_press(a, "w <Right> <Right> <Enter> v"));
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_clock);
    CU_ASSERT_EQUAL_FATAL(a->base, SCREEN_SPLIT);
    CU_ASSERT_EQUAL(timeline_machine(a->whatif->right)->cfg.policy, POLICY_fifo);
    /* v in the menu with nothing edited compares the same way. */
    CU_ASSERT(test_press(a, "v w v"));
    CU_ASSERT_EQUAL_FATAL(a->base, SCREEN_SPLIT);
    CU_ASSERT_EQUAL(timeline_machine(a->whatif->right)->cfg.policy, POLICY_fifo);
    /* Autoplay moves both. */
    CU_ASSERT(test_press(a, "<Space>"));
    CU_ASSERT(a->playing && app_timeout(a) > 0);
    for (int i = 0; i < 5; i++)
        app_tick(a);
    CU_ASSERT_EQUAL(timeline_op_index(a->whatif->right), timeline_op_index(a->tl));
    CU_ASSERT(test_press(a, "v"));
    CU_ASSERT_FALSE(a->playing);
    test_app_close(a);
}

static void test_undo_is_deep(void)
{
    struct app *a = test_app_open(BELADY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* Seventeen machines in turn: 4 to 16 frames one by one, then 32 to
     * 256 doubling. */
    for (int i = 0; i < 17; i++)
        CU_ASSERT(test_press(a, "w <Down> <Right> <Enter>"));
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.frames, 256);
    for (int i = 0; i < 17; i++)
        CU_ASSERT(test_press(a, "u"));
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.frames, 3);
    CU_ASSERT_EQUAL(a->opts.overrides.frames, -1);
    test_app_close(a);
}

static void test_esc_stops_the_replay(void)
{
    /* A replay of hundreds of thousands of steps, and Esc waiting in the
     * terminal's input: the replay stops and the machine stays. */
    struct app *a = test_app_open("../scenarios/huge-pages.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "<End>"));
    uint64_t position = timeline_position(a->tl);
    enum policy_kind policy = timeline_machine(a->tl)->cfg.policy;
    CU_ASSERT(position > 100000);
    CU_ASSERT(test_press(a, "w <Right>"));
    ungetch(KEYS_ESC);
    CU_ASSERT(test_press(a, "<Enter>"));
    CU_ASSERT(strstr(a->message, "Stopped by Esc: still on the same machine") != NULL);
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, policy);
    CU_ASSERT_EQUAL(timeline_position(a->tl), position);
    CU_ASSERT_PTR_NULL(a->opts.overrides.policy);
    CU_ASSERT(test_press(a, "u"));
    CU_ASSERT(strstr(a->message, "Nothing to undo") != NULL);
    /* q meanwhile stops it and asks; y quits. */
    CU_ASSERT(test_press(a, "w <Right>"));
    ungetch('q');
    CU_ASSERT(!(app_key(a, '\n') & APP_QUIT));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_CONFIRM);
    CU_ASSERT_EQUAL(timeline_machine(a->tl)->cfg.policy, policy);
    CU_ASSERT(app_key(a, 'y') & APP_QUIT);
    test_app_close(a);
}

void suite_whatif_register(void);
void suite_whatif_register(void)
{
    CU_pSuite s = CU_add_suite("whatif", NULL, NULL);
    CU_add_test(s, "w, LRU, Enter: same place, counters of a fresh run; u undoes",
                test_menu_applies_lru);
    CU_add_test(s, "steps that differ: the same access", test_same_access_when_steps_differ);
    CU_add_test(s, "the menu offers valid machines only", test_knobs_stay_valid);
    CU_add_test(s, "the ASID override", test_asid_override);
    CU_add_test(s, "Belady side by side at 80x24", test_belady_split_80x24);
    CU_add_test(s, "Belady side by side at 120x40", test_belady_split_120x40);
    CU_add_test(s, "v: FIFO/LRU by default, else the machine replaced", test_split_default_and_last);
    CU_add_test(s, "undo goes back 17 machines", test_undo_is_deep);
    CU_add_test(s, "Esc stops a replay, q stops it and asks", test_esc_stops_the_replay);
}
