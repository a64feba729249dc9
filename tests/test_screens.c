/* Golden screens: the viewer runs headless at a fixed size, keys come from
 * a script, and the screen read back from curses' own buffers must equal a
 * file in screens/. After a deliberate change of the screen, regenerate
 * with VMVIZ_UPDATE_GOLDEN=1 and review every changed file by eye; a
 * mismatch leaves the screen it got in screens/NAME.actual. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/term.h"
#include "tui_helpers.h"

/* Presses a key until the current event is `kind` (at most `max` times). */
static bool press_until(struct app *a, int key, enum event_kind kind, int max)
{
    for (int i = 0; i < max; i++) {
        app_key(a, key);
        const struct tl_event *e = timeline_current(a->tl);
        if (e && e->kind == TL_MACHINE && e->ev.kind == kind)
            return true;
    }
    return false;
}


static void test_start_80x24(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    test_golden(a, "start-80x24");
    test_app_close(a);
}

static void test_fault_80x24(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "f"));
    const struct tl_event *e = timeline_current(a->tl);
    CU_ASSERT(e && e->kind == TL_MACHINE && e->ev.kind == EV_PAGE_FAULT);
    test_golden(a, "fault-80x24");
    /* The row where the walk stopped is drawn in the fault role. */
    CU_ASSERT_EQUAL(term_role_at(8, 0), ROLE_FAULT);
    test_app_close(a);
}

/* A scenario's words played under another policy than its own (belady's
 * "FIFO evicts..." under --policy opt) say what they were written for,
 * when they are the step and while they stay in force; under its own
 * policy they are shown as written. */
static void test_words_for_another_policy(void)
{
    static const char note[] = "(written for fifo; this run replaces pages by opt)";
    for (int override = 0; override < 2; override++) {
        struct tui_options o;
        test_app_options(&o, "../scenarios/belady.yaml");
        if (override)
            o.overrides.policy = "opt";
        /* Wide enough that the narration's line does not wrap. */
        struct app *a = test_app_open_with(&o, 160, 40);
        CU_ASSERT_FATAL(a != NULL);
        app_key(a, 'l');
        app_key(a, 'l');
        const struct tl_event *e = timeline_current(a->tl);
        CU_ASSERT(e && e->kind == TL_SAY);
        char *screen = test_screen_text(a);
        CU_ASSERT_PTR_NOT_NULL(strstr(screen, "FIFO evicts the page that was loaded first"));
        CU_ASSERT_EQUAL(strstr(screen, note) != NULL, override);
        free(screen);
        /* A step on, the words still in force, quoted. */
        app_key(a, 'l');
        screen = test_screen_text(a);
        CU_ASSERT_PTR_NOT_NULL(strstr(screen, "\"FIFO evicts"));
        CU_ASSERT_EQUAL(strstr(screen, note) != NULL, override);
        free(screen);
        test_app_close(a);
    }
}

/* At the first step of an access the TLB has not been asked yet: the walk
 * panel says no walk has started (before, it said one was in progress, on
 * accesses that then hit the TLB too); after the miss, the walk is in
 * progress. */
static void test_walk_not_started(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    for (int access = 0; access < 3; access++) {
        CU_ASSERT(press_until(a, 'l', EV_ACCESS_BEGIN, 200));
        char *screen = test_screen_text(a);
        CU_ASSERT_PTR_NOT_NULL(strstr(screen, "Page walk  not started: the TLB is asked first"));
        CU_ASSERT_PTR_NULL(strstr(screen, "Page walk  in progress"));
        free(screen);
        app_key(a, 'l');
        const struct tl_event *e = timeline_current(a->tl);
        CU_ASSERT(e && e->kind == TL_MACHINE &&
                  (e->ev.kind == EV_TLB_MISS || e->ev.kind == EV_TLB_HIT));
        screen = test_screen_text(a);
        CU_ASSERT_PTR_NULL(strstr(screen, "not started"));
        if (e && e->ev.kind == EV_TLB_MISS)
            CU_ASSERT_PTR_NOT_NULL(strstr(screen, "Page walk  in progress"));
        free(screen);
    }
    test_app_close(a);
}

static void test_walk_in_progress(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* The restarted walk of the first access, at its first level. */
    CU_ASSERT(test_press(a, "f"));
    CU_ASSERT(press_until(a, 'l', EV_FAULT_RETURN, 20));
    CU_ASSERT(press_until(a, 'l', EV_WALK_STEP, 5));
    test_golden(a, "walk-80x24");
    test_app_close(a);
}

static void test_tlb_hit(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "] ] ]"));
    CU_ASSERT_STRING_EQUAL(timeline_chapter(a->tl), "The TLB saves the walk");
    CU_ASSERT(press_until(a, KEY_NPAGE, EV_TLB_HIT, 10));
    test_golden(a, "tlb-hit-80x24");
    /* The entry that hit, set 1 way 0, is drawn in the hit role. */
    const struct hit *h = NULL;
    for (size_t i = 0; i < a->hits.n; i++)
        if (a->hits.items[i].kind == HIT_TLB && a->hits.items[i].index == 2)
            h = &a->hits.items[i];
    CU_ASSERT_FATAL(h != NULL);
    CU_ASSERT_EQUAL(term_role_at(h->r.y, h->r.x), ROLE_TLB_HIT);
    test_app_close(a);
}

static void test_eviction_120x40(void)
{
    struct app *a = test_app_open("../scenarios/swapping.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "e"));
    const struct tl_event *e = timeline_current(a->tl);
    CU_ASSERT(e && e->kind == TL_MACHINE && e->ev.kind == EV_VICTIM_CHOSEN);
    test_golden(a, "eviction-120x40");
    /* Its mapping is removed first (the entry now names the slot), then
     * the dirty page is written to swap. */
    CU_ASSERT(test_press(a, "<Right>"));
    e = timeline_current(a->tl);
    CU_ASSERT(e && e->kind == TL_MACHINE && e->ev.kind == EV_UNMAPPED);
    CU_ASSERT(press_until(a, 'n', EV_SWAP_OUT, 5));
    test_golden(a, "swap-out-120x40");
    test_app_close(a);
}

static void test_swap_in_120x40(void)
{
    struct app *a = test_app_open("../scenarios/swapping.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "] ] ] f"));
    CU_ASSERT(press_until(a, 'n', EV_SWAP_IN, 30));
    test_golden(a, "swap-in-120x40");
    test_app_close(a);
}

static void test_picker(void)
{
    struct app *a = test_app_open(NULL, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(a->nentries >= 4);
    CU_ASSERT(test_press(a, "<Down>"));
    test_golden(a, "picker-80x24");
    /* Enter opens the chosen scenario on the main screen. */
    CU_ASSERT(test_press(a, "<Enter>"));
    CU_ASSERT(a->base == SCREEN_MAIN && a->tl != NULL);
    /* Esc goes back to the list. */
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT(a->base == SCREEN_PICKER);
    test_app_close(a);
}

static void test_help(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "?"));
    CU_ASSERT(a->overlay == SCREEN_HELP);
    test_golden(a, "help-80x24");
    CU_ASSERT(test_press(a, "x"));
    CU_ASSERT(a->overlay == SCREEN_COUNT);
    test_app_close(a);
}

static void test_too_small(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    term_resize(60, 20);
    CU_ASSERT(app_key(a, KEY_RESIZE) & APP_REDRAW);
    test_golden(a, "too-small-60x20");
    /* Keys other than q do nothing there; growing back restores the screen. */
    uint64_t pos = timeline_position(a->tl);
    CU_ASSERT(test_press(a, "l l"));
    CU_ASSERT(timeline_position(a->tl) == pos);
    term_resize(80, 24);
    app_key(a, KEY_RESIZE);
    CU_ASSERT(test_press(a, "l"));
    CU_ASSERT(timeline_position(a->tl) == pos + 1);
    test_app_close(a);
}

static void test_click_frame(void)
{
    struct app *a = test_app_open("../scenarios/swapping.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "e"));
    app_draw(a);
    /* Find frame 0's cell through the hit map, as a click would. */
    const struct hit *h = NULL;
    for (size_t i = 0; i < a->hits.n; i++)
        if (a->hits.items[i].kind == HIT_FRAME && a->hits.items[i].index == 0)
            h = &a->hits.items[i];
    CU_ASSERT_FATAL(h != NULL);
    CU_ASSERT(app_click(a, h->r.y, h->r.x) & APP_REDRAW);
    CU_ASSERT(a->overlay == SCREEN_DETAILS);
    test_golden(a, "details-frame-120x40");
    test_app_close(a);
}

static void test_back_and_forth(void)
{
    /* Stepping forward N then back N gives the same screen. */
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "l l l l"));
    app_draw(a);
    char *before = malloc(SCREEN_BUF), *after = malloc(SCREEN_BUF);
    CU_ASSERT_FATAL(before && after);
    term_dump(before, SCREEN_BUF);
    CU_ASSERT(test_press(a, "l l l l l l l l l l l l h h h h h h h h h h h h"));
    app_draw(a);
    term_dump(after, SCREEN_BUF);
    CU_ASSERT_STRING_EQUAL(before, after);
    free(before);
    free(after);
    test_app_close(a);
}

static void test_quit_keys(void)
{
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(app_key(a, 'q') & APP_QUIT);
    CU_ASSERT(app_key(a, TERM_KEY_QUIT) & APP_QUIT);
    /* Paused: no time-out, so the loop blocks and uses no CPU. */
    CU_ASSERT(app_timeout(a) == -1);
    CU_ASSERT(test_press(a, "<Space>"));
    CU_ASSERT(a->playing && app_timeout(a) > 0);
    /* The first event is a chapter: autoplay stops there by itself. */
    CU_ASSERT(app_tick(a) & APP_REDRAW);
    CU_ASSERT(!a->playing && app_timeout(a) == -1);
    CU_ASSERT(test_press(a, "<Space>"));
    CU_ASSERT(app_tick(a) & APP_REDRAW);
    CU_ASSERT(a->playing);
    CU_ASSERT(test_press(a, "<Space>"));
    CU_ASSERT(!a->playing && app_timeout(a) == -1);
    test_app_close(a);
}

static void test_bench(void)
{
    double ms = tui_bench_render("../scenarios/page-walk.yaml", 120, 40, 20);
    CU_ASSERT(ms >= 0);
    CU_ASSERT(tui_bench_render("../scenarios/no-such-file.yaml", 80, 24, 1) < 0);
}

/* Presses `key` until the current event is `kind`; false when none comes. */
static bool seek_event(struct app *a, enum event_kind kind)
{
    const struct tl_event *e;
    while ((e = timeline_next(a->tl)))
        if (e->kind == TL_MACHINE && e->ev.kind == kind)
            return true;
    return false;
}

static void test_run_until_stays(void)
{
    /* page-walk has faults but never evicts: e stays put and says so. */
    struct app *a = test_app_open("../scenarios/page-walk.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "l l l"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    CU_ASSERT(test_press(a, "e"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    CU_ASSERT(strstr(a->message, "No eviction from here to the end: still at step 3") != NULL);
    /* f finds the next fault; after the last one, f stays put too. */
    CU_ASSERT(test_press(a, "f"));
    CU_ASSERT(timeline_position(a->tl) > 3);
    while (timeline_run_until(a->tl, TL_STOP_FAULT))
        ;
    timeline_seek(a->tl, timeline_position(a->tl) - 1);
    uint64_t at = timeline_position(a->tl);
    CU_ASSERT(test_press(a, "f"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), at);
    CU_ASSERT(strstr(a->message, "No page fault from here") != NULL);
    test_app_close(a);
}

static void test_info_overlay(void)
{
    /* The whole description can be read at 80x24, scrolling if need be. */
    struct app *a = test_app_open("../scenarios/huge-pages.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "i"));
    CU_ASSERT(a->overlay == SCREEN_INFO);
    char seen[8 * SCREEN_BUF / 4] = "";
    for (int i = 0; i < 10; i++) {
        char *t = test_screen_text(a);
        CU_ASSERT_FATAL(t != NULL);
        /* Keep the box's inside, rows joined, to look for the words. */
        for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
            char *l = strchr(line, '|');
            if (!l)
                continue;
            strncat(seen, l + 1, sizeof seen - strlen(seen) - 2);
            strcat(seen, " ");
        }
        free(t);
        CU_ASSERT(test_press(a, "<Down> <Down> <Down> <Down>"));
    }
    const char *d = a->sc->description.value;
    char word[64];
    size_t missing = 0;
    while (*d) {
        size_t n = 0;
        while (*d && *d != ' ' && *d != '\n' && n + 1 < sizeof word)
            word[n++] = *d++;
        word[n] = '\0';
        while (*d == ' ' || *d == '\n')
            d++;
        if (n && !strstr(seen, word)) {
            fprintf(stderr, "\nnot shown: %s\n", word);
            missing++;
        }
    }
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT(test_press(a, "x"));
    CU_ASSERT(a->overlay == SCREEN_COUNT);
    test_app_close(a);
}

static void test_switch_shows_new_cr3(void)
{
    struct app *a = test_app_open("../scenarios/context-switch.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_FATAL(seek_event(a, EV_CONTEXT_SWITCH));
    const struct machine *m = timeline_machine(a->tl);
    const struct process *p2 = machine_process(m, 2);
    CU_ASSERT_FATAL(p2 && m->current == (uint32_t)(p2 - m->procs));
    char *t = test_screen_text(a);
    char want[80];
    snprintf(want, sizeof want, "CR3 -> root table at frame %u (pid 2)", p2->root);
    CU_ASSERT(strstr(t, want) != NULL);
    /* pid 1's last walk is not shown under pid 2's CR3. */
    CU_ASSERT(strstr(t, "pid 2 has made no access since it last ran") != NULL);
    free(t);
    test_app_close(a);
}

static void test_mmap_highlights_new_area(void)
{
    struct app *a = test_app_open("../scenarios/file-mmap.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_FATAL(seek_event(a, EV_MMAP));
    char *t = test_screen_text(a);
    CU_ASSERT_FATAL(t != NULL);
    /* The new area's row carries the mark; no other area row does. */
    int marked = 0, marked_new = 0;
    for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
        /* An area row: " >start-end prot name ...". */
        char *p = strstr(line, " >");
        unsigned long long start, end;
        char prot[8];
        if (!p || sscanf(p + 2, "%llx-%llx %7s", &start, &end, prot) != 3)
            continue;
        marked++;
        if (strstr(p, " map "))
            marked_new++;
    }
    CU_ASSERT_EQUAL(marked, 1);
    CU_ASSERT_EQUAL(marked_new, 1);
    free(t);
    test_app_close(a);
}

static void test_victim_entry_shown(void)
{
    struct app *a = test_app_open("../scenarios/swapping.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_FATAL(seek_event(a, EV_UNMAPPED));
    const struct tl_event *e = timeline_current(a->tl);
    char *t = test_screen_text(a);
    char want[80];
    snprintf(want, sizeof want, "swap slot %u", e->ev.slot);
    /* At 80x24 the walk panel still says where the victim's entry went. */
    CU_ASSERT(strstr(t, "victim") != NULL && strstr(t, want) != NULL);
    free(t);
    test_app_close(a);
}

static void test_panel_table(void)
{
    /* Every panel has its row: a title (the one panel_title gives), a
     * view, and what the layout asks of it. */
    for (int p = 0; p < PANEL_COUNT; p++) {
        const struct panel_ops *ops = panel_ops((enum panel)p);
        CU_ASSERT_PTR_NOT_NULL(ops->draw);
        CU_ASSERT_STRING_EQUAL(ops->title, panel_title((enum panel)p));
        bool sized = p == PANEL_ACCESS || p == PANEL_NARRATION || p == PANEL_LOG;
        CU_ASSERT_EQUAL(ops->want == NULL, sized);
    }
    CU_ASSERT_STRING_EQUAL(panel_ops(PANEL_FRAMES)->title, "Physical memory");
    CU_ASSERT(panel_ops(PANEL_TLB)->scrolls && panel_ops(PANEL_LOG)->scrolls);
    CU_ASSERT(!panel_ops(PANEL_COUNTERS)->scrolls && !panel_ops(PANEL_ACCESS)->scrolls);
}

static void test_focused_panel_scrolls(void)
{
    /* Focused on a panel that scrolls, Down scrolls it instead of
     * stepping; on one that does not, Down steps. */
    struct app *a = test_app_open("../scenarios/swapping.yaml", 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "e"));
    uint64_t pos = timeline_position(a->tl);
    CU_ASSERT(test_press(a, "<Tab> <Tab> <Tab>"));
    CU_ASSERT_EQUAL(a->focus, PANEL_TLB);
    CU_ASSERT(test_press(a, "<Down>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos);
    CU_ASSERT_EQUAL(a->scroll[PANEL_TLB], 1);
    CU_ASSERT(test_press(a, "<Up> <Up>"));
    CU_ASSERT_EQUAL(a->scroll[PANEL_TLB], 0);
    CU_ASSERT(test_press(a, "<Tab> <Tab> <Tab> <Tab>"));
    CU_ASSERT_EQUAL(a->focus, PANEL_COUNTERS);
    CU_ASSERT(test_press(a, "<Down>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos + 1);
    test_app_close(a);
}

void suite_screens_register(void);
void suite_screens_register(void)
{
    CU_pSuite s = CU_add_suite("screens", NULL, NULL);
    CU_add_test(s, "first screen at 80x24", test_start_80x24);
    CU_add_test(s, "a page fault at 80x24", test_fault_80x24);
    CU_add_test(s, "a walk in progress", test_walk_in_progress);
    CU_add_test(s, "no walk has started before the TLB is asked", test_walk_not_started);
    CU_add_test(s, "a TLB hit", test_tlb_hit);
    CU_add_test(s, "an eviction and its swap-out", test_eviction_120x40);
    CU_add_test(s, "a swap-in", test_swap_in_120x40);
    CU_add_test(s, "the picker", test_picker);
    CU_add_test(s, "the help overlay", test_help);
    CU_add_test(s, "terminal too small", test_too_small);
    CU_add_test(s, "a click on a frame", test_click_frame);
    CU_add_test(s, "forward then back", test_back_and_forth);
    CU_add_test(s, "quit and autoplay", test_quit_keys);
    CU_add_test(s, "render benchmark", test_bench);
    CU_add_test(s, "e and f with nothing ahead stay put", test_run_until_stays);
    CU_add_test(s, "i shows the whole description", test_info_overlay);
    CU_add_test(s, "a context switch shows the new CR3", test_switch_shows_new_cr3);
    CU_add_test(s, "mmap marks the new area", test_mmap_highlights_new_area);
    CU_add_test(s, "an eviction shows the victim's entry", test_victim_entry_shown);
    CU_add_test(s, "the panel table", test_panel_table);
    CU_add_test(s, "a focused panel takes Up and Down", test_focused_panel_scrolls);
    CU_add_test(s, "a scenario's words under another policy say whom they were written for",
                test_words_for_another_policy);
}
