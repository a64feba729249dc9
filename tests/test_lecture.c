/* The lecture hall, headless: quitting and leaving ask first once the
 * scenario has moved; a clicker's keys (Esc, F5, b, ., PgDn, PgUp) never
 * leave it; the picker reopens a scenario where it was left; bookmarks;
 * the chapter menu; --chapter and --step; presenter mode (the step's panel
 * large, the address split in wide boxes, the other panels in a line);
 * zoom; stepping an access at a time tells the whole access. Golden
 * screens at 80x24 and 120x40. Run from tests/. */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/narrate.h"
#include "play/timeline.h"
#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui_helpers.h"

void suite_lecture_register(void);

#define LAZY "../scenarios/lazy-allocation.yaml"

/* The chapters of a scenario as a fresh headless timeline meets them:
 * their positions and, with keep (the scenario the titles are borrowed
 * from, for the caller to free), their titles; for comparing with what the
 * viewer finds. */
static size_t chapters_of(const char *path, uint64_t *pos, const char **titles, size_t max,
                          struct scenario **keep)
{
    struct diag err;
    struct scenario *sc = scenario_load(path, &err);
    CU_ASSERT_FATAL(sc != NULL);
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct timeline_options topts = {.headless = true};
    struct timeline *tl = timeline_create_with(sc, &o, &topts, &err);
    CU_ASSERT_FATAL(tl != NULL);
    size_t n = 0;
    const struct tl_event *e;
    while ((e = timeline_next(tl)))
        if (e->kind == TL_CHAPTER && n < max) {
            pos[n] = e->position;
            if (titles)
                titles[n] = e->text;
            n++;
        }
    timeline_destroy(tl);
    if (keep)
        *keep = sc;
    else
        scenario_free(sc);
    return n;
}

static bool screen_has(struct app *a, const char *text)
{
    char *s = test_screen_text(a);
    bool found = s && strstr(s, text) != NULL;
    free(s);
    return found;
}

/* ---- quitting and leaving ----------------------------------------------- */

static void test_quit_asks_once_moved(void)
{
    struct app *a = test_app_open(LAZY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* At the start nothing is lost: q quits at once. */
    CU_ASSERT(app_key(a, 'q') & APP_QUIT);
    CU_ASSERT(test_press(a, "<Right> <Right> <Right>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    unsigned r = app_key(a, 'q');
    CU_ASSERT(!(r & APP_QUIT));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_CONFIRM);
    CU_ASSERT(screen_has(a, "Quit vmviz? You are at step 3 of this scenario."));
    test_golden(a, "confirm-quit-80x24");
    /* A clicker's keys answer no: the place is kept. */
    const char *stays[] = {"<Esc>", "<PgDn>", "<F5>", "b", ".", "n", "<Enter>"};
    for (size_t i = 0; i < sizeof stays / sizeof stays[0]; i++) {
        if (a->overlay != SCREEN_CONFIRM)
            app_key(a, 'q');
        CU_ASSERT_EQUAL(a->overlay, SCREEN_CONFIRM);
        int key[4];
        size_t bad;
        CU_ASSERT_EQUAL_FATAL(keys_parse_script(stays[i], key, 4, &bad), 1);
        CU_ASSERT(!(app_key(a, key[0]) & APP_QUIT));
        CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
        CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    }
    /* y, or q again, quits. */
    app_key(a, 'q');
    CU_ASSERT(app_key(a, 'y') & APP_QUIT);
    app_key(a, 'q');
    CU_ASSERT(app_key(a, 'q') & APP_QUIT);
    /* From an overlay too. */
    CU_ASSERT(test_press(a, "?"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_HELP);
    CU_ASSERT(!(app_key(a, 'q') & APP_QUIT));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_CONFIRM);
    test_app_close(a);

    a = test_app_open(LAZY, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "f q"));
    test_golden(a, "confirm-quit-120x40");
    test_app_close(a);
}

/* Opens the picker and the scenario named (file name), chosen by Down. */
static struct app *open_from_picker(const char *file)
{
    struct app *a = test_app_open(NULL, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    size_t i = 0;
    while (i < a->nentries && !strstr(a->entries[i].path, file))
        i++;
    CU_ASSERT_FATAL(i < a->nentries);
    for (size_t k = 0; k < i; k++)
        app_key(a, KEY_DOWN);
    app_key(a, '\n');
    CU_ASSERT_FATAL(a->base == SCREEN_MAIN);
    return a;
}

static void test_clicker_never_leaves(void)
{
    struct app *a = open_from_picker("lazy-allocation.yaml");
    /* At the start, Esc goes back to the list: nothing to lose. */
    app_key(a, KEYS_ESC);
    CU_ASSERT_EQUAL(a->base, SCREEN_PICKER);
    app_key(a, '\n');
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    /* Every button a clicker has: PgDn, PgUp, Esc, F5, Shift-F5, b, . */
    CU_ASSERT(test_press(a, "<PgDn> <PgDn> <PgDn> <PgDn> <PgUp>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    CU_ASSERT_EQUAL(a->overlay, SCREEN_CONFIRM);
    CU_ASSERT(screen_has(a, "Leave for the list of scenarios? You are at step 3"));
    test_golden(a, "confirm-leave-80x24");
    CU_ASSERT(test_press(a, "<Esc> <Esc> <Esc>"));
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    CU_ASSERT(a->overlay == SCREEN_COUNT || a->overlay == SCREEN_CONFIRM);
    if (a->overlay == SCREEN_CONFIRM)
        app_key(a, 'n');
    CU_ASSERT(test_press(a, "<F5>"));
    CU_ASSERT(a->present);
    CU_ASSERT(test_press(a, "<S-F5>"));
    CU_ASSERT(!a->present);
    CU_ASSERT(test_press(a, "b"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_BLANK);
    /* Blank: nothing but blanks on the screen. */
    char *s = test_screen_text(a);
    CU_ASSERT_FATAL(s != NULL);
    for (const char *p = s; *p; p++)
        if (*p != ' ' && *p != '\n') {
            CU_FAIL("the blank screen shows something");
            break;
        }
    free(s);
    /* The key that uncovers it does nothing else. */
    CU_ASSERT(test_press(a, "<PgDn>"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    CU_ASSERT(test_press(a, ". ."));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    CU_ASSERT_EQUAL(timeline_position(a->tl), 3);
    /* Leaving, confirmed: the picker reopens it where it was left. */
    CU_ASSERT(test_press(a, "s <PgDn>"));
    uint64_t left = timeline_position(a->tl);
    CU_ASSERT(left > 3);
    CU_ASSERT(test_press(a, "<Esc> y"));
    CU_ASSERT_EQUAL(a->base, SCREEN_PICKER);
    app_key(a, '\n');
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    CU_ASSERT_EQUAL(timeline_position(a->tl), left);
    CU_ASSERT_EQUAL(a->unit, TL_UNIT_ACCESS);
    test_app_close(a);
}

/* ---- bookmarks ------------------------------------------------------------- */

static void test_bookmarks(void)
{
    struct app *a = test_app_open(LAZY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "<Right> <Right> <Right> <Right> <Right> m a"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), 5);
    CU_ASSERT(strstr(a->message, "Bookmark a set at step 5") != NULL);
    CU_ASSERT(test_press(a, "f f m 7"));
    uint64_t seven = timeline_position(a->tl);
    CU_ASSERT(seven > 5);
    CU_ASSERT(test_press(a, "<End> ' a"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), 5);
    uint64_t end_pos = 0;
    {
        /* ' ' goes back to where the jump left: the end. */
        CU_ASSERT(test_press(a, "' '"));
        end_pos = timeline_position(a->tl);
        CU_ASSERT(timeline_at_end(a->tl));
        CU_ASSERT(test_press(a, "' '"));
        CU_ASSERT_EQUAL(timeline_position(a->tl), 5);
    }
    CU_ASSERT(end_pos > seven);
    CU_ASSERT(test_press(a, "' 7"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), seven);
    /* A name never set, and a key that names nothing: no move. */
    CU_ASSERT(test_press(a, "' z"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), seven);
    CU_ASSERT(strstr(a->message, "No bookmark z yet") != NULL);
    CU_ASSERT(test_press(a, "m <Right>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), seven);
    CU_ASSERT(test_press(a, "<Right>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), seven + 1);
    test_app_close(a);
}

/* ---- chapters ----------------------------------------------------------------- */

static void test_chapter_menu(void)
{
    uint64_t pos[8];
    const char *titles[8];
    struct scenario *sc;
    size_t n = chapters_of(LAZY, pos, titles, 8, &sc);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    struct app *a = test_app_open(LAZY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "<Right> <Right> c"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_CHAPTERS);
    CU_ASSERT_EQUAL(a->nchapters, n);
    /* The scan came back to where the viewer was. */
    CU_ASSERT_EQUAL(timeline_position(a->tl), 2);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(a->chapters[i].position, pos[i]);
        CU_ASSERT_STRING_EQUAL(a->chapters[i].title, titles[i]);
    }
    test_golden(a, "chapters-80x24");
    /* By number. */
    CU_ASSERT(test_press(a, "3 <Enter>"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos[2]);
    CU_ASSERT_EQUAL(timeline_current(a->tl)->kind, TL_CHAPTER);
    CU_ASSERT_STRING_EQUAL(timeline_chapter(a->tl), titles[2]);
    /* By words of the title ("second memset" is the 4th), and by arrows. */
    CU_ASSERT(test_press(a, "c s e c o n d <Enter>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos[3]);
    CU_ASSERT(test_press(a, "c <Up> <Up> <Up> <Enter>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos[0]);
    /* Esc closes without moving. */
    CU_ASSERT(test_press(a, "c <Down> <Esc>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos[0]);
    test_app_close(a);

    a = test_app_open(LAZY, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "] ] c"));
    test_golden(a, "chapters-120x40");
    test_app_close(a);
    scenario_free(sc);
}

static void test_open_at_chapter_and_step(void)
{
    uint64_t pos[8];
    CU_ASSERT_EQUAL_FATAL(chapters_of(LAZY, pos, NULL, 8, NULL), 4);
    struct tui_options o;
    test_app_options(&o, LAZY);
    o.start_chapter = 2;
    struct app *a = test_app_open_with(&o, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos[1]);
    test_app_close(a);
    o.has_start_step = true;
    o.start_step = 7;
    a = test_app_open_with(&o, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_EQUAL(timeline_position(a->tl), pos[1] + 7);
    test_app_close(a);
    o.start_chapter = 0;
    a = test_app_open_with(&o, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_EQUAL(timeline_position(a->tl), 7);
    test_app_close(a);
    /* No such chapter, and a step past the end: command-line errors. */
    struct diag err;
    o.start_chapter = 5;
    o.start_chapter_column = 17;
    o.has_start_step = false;
    CU_ASSERT(app_create(&o, &err) == NULL);
    CU_ASSERT_STRING_EQUAL(err.file, "command line");
    CU_ASSERT_EQUAL(err.col, 17);
    CU_ASSERT_STRING_EQUAL(err.message,
                           "--chapter 5: the scenario has 4 chapters (expected 1 to 4)");
    o.start_chapter = 4;
    o.has_start_step = true;
    o.start_step = UINT64_MAX / 2;
    o.start_step_column = 27;
    CU_ASSERT(app_create(&o, &err) == NULL);
    CU_ASSERT_EQUAL(err.col, 27);
    CU_ASSERT(strstr(err.message, "goes past the end") != NULL);
}

/* ---- presenter mode and zoom ----------------------------------------------- */

/* Steps until the current machine event is kind. */
static bool step_to(struct app *a, enum event_kind kind)
{
    for (int i = 0; i < 10000; i++) {
        const struct tl_event *e = timeline_current(a->tl);
        if (e && e->kind == TL_MACHINE && e->ev.kind == kind)
            return true;
        if (!(app_key(a, KEY_RIGHT) & APP_REDRAW) || timeline_at_end(a->tl))
            return false;
    }
    return false;
}

static void test_presenter_mode(void)
{
    struct tui_options o;
    test_app_options(&o, LAZY);
    o.present = true;
    struct app *a = test_app_open_with(&o, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(a->present);
    /* The access begins: the address split, big. */
    CU_ASSERT_FATAL(step_to(a, EV_ACCESS_BEGIN));
    char *s = test_screen_text(a);
    CU_ASSERT_FATAL(s != NULL);
    const struct geometry *g = &timeline_machine(a->tl)->cfg.geo;
    uint64_t va = a->scene.acc.va;
    for (unsigned l = 0; l < g->levels; l++) {
        char name[40];
        snprintf(name, sizeof name, "%s index", geometry_level_name(g, (int)l));
        CU_ASSERT(strstr(s, name) != NULL);
    }
    CU_ASSERT(strstr(s, "offset") != NULL);
    free(s);
    CU_ASSERT(a->panels[PANEL_ACCESS].h >= 1 + view_access_big_rows());
    /* Each field's bits carry its level's role, the offset its own. */
    struct rect acc = a->panels[PANEL_ACCESS];
    int levels_seen = 0, offset_seen = 0;
    for (int y = acc.y; y < acc.y + acc.h; y++)
        for (int x = acc.x; x < acc.x + acc.w; x++) {
            int role = term_role_at(y, x);
            levels_seen |= role == ROLE_LEVEL0 ? 1 : role == ROLE_LEVEL3 ? 8 : 0;
            offset_seen |= role == ROLE_OFFSET;
        }
    CU_ASSERT_EQUAL(levels_seen, 9);
    CU_ASSERT(offset_seen);
    test_golden(a, "present-split-80x24");
    (void)va;
    /* A walk step: the walk is the large panel, the others one line. */
    CU_ASSERT_FATAL(step_to(a, EV_WALK_STEP));
    app_draw(a);
    CU_ASSERT(a->panels[PANEL_WALK].h >= 24 / 2);
    CU_ASSERT_EQUAL(a->panels[PANEL_TLB].h, 1);
    CU_ASSERT_EQUAL(a->panels[PANEL_FRAMES].h, 1);
    CU_ASSERT(a->panels[PANEL_NARRATION].h >= 5);
    test_golden(a, "present-walk-80x24");
    /* The one-line summaries say what the machine holds. */
    char line[256];
    const struct machine *m = timeline_machine(a->tl);
    view_summary(&a->scene, PANEL_TLB, line, sizeof line);
    char want[128];
    snprintf(want, sizeof want, "valid %u/%u, hits %" PRIu64 ", misses %" PRIu64,
             tlb_count_valid(&m->tlb), m->tlb.sets * m->tlb.ways, m->counters.tlb_hits,
             m->counters.tlb_misses);
    CU_ASSERT_STRING_EQUAL(line, want);
    CU_ASSERT(screen_has(a, want));
    /* A frame taken for a table: the walk shows it hung in place. A frame
     * cleared for the data: physical memory is the large panel. */
    CU_ASSERT_FATAL(step_to(a, EV_FRAME_ALLOC));
    CU_ASSERT(timeline_current(a->tl)->ev.level >= 0);
    app_draw(a);
    CU_ASSERT(a->panels[PANEL_WALK].h >= 24 / 2);
    CU_ASSERT_FATAL(step_to(a, EV_ZERO_FILL));
    app_draw(a);
    CU_ASSERT(a->panels[PANEL_FRAMES].h >= 24 / 2);
    /* P toggles it off: every panel again. */
    CU_ASSERT(test_press(a, "P"));
    CU_ASSERT(!a->present);
    app_draw(a);
    CU_ASSERT(a->panels[PANEL_TLB].h > 1);
    test_app_close(a);

    a = test_app_open_with(&o, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_FATAL(step_to(a, EV_TLB_MISS));
    app_draw(a);
    CU_ASSERT(a->panels[PANEL_TLB].h >= 40 / 2);
    test_golden(a, "present-tlb-120x40");
    test_app_close(a);
}

static void test_zoom(void)
{
    struct app *a = test_app_open(LAZY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "f <Tab> <Tab> <Tab> <Tab> z"));
    CU_ASSERT_EQUAL(a->zoom, PANEL_FRAMES);
    app_draw(a);
    CU_ASSERT_EQUAL(a->panels[PANEL_FRAMES].h, 24 - 2);
    CU_ASSERT_EQUAL(a->panels[PANEL_TLB].h, 0);
    test_golden(a, "zoom-frames-80x24");
    /* Tab shows the next panel whole; Esc comes back, then leaves the focus. */
    CU_ASSERT(test_press(a, "<Tab>"));
    CU_ASSERT_EQUAL(a->zoom, PANEL_SWAP);
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT_EQUAL(a->zoom, -1);
    CU_ASSERT_EQUAL(a->base, SCREEN_MAIN);
    /* Without a focus, z zooms the panel the step is about: the walk of
     * the fault. */
    CU_ASSERT(test_press(a, "<Esc> z"));
    CU_ASSERT_EQUAL(a->zoom, PANEL_WALK);
    test_app_close(a);

    a = test_app_open(LAZY, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT_FATAL(step_to(a, EV_ACCESS_BEGIN));
    CU_ASSERT(test_press(a, "z"));
    CU_ASSERT_EQUAL(a->zoom, PANEL_ACCESS);
    test_golden(a, "zoom-access-120x40");
    test_app_close(a);
}

/* At step size "access" one PgDn is one access, and the narration says
 * the whole of it. */
static void test_access_steps(void)
{
    struct app *a = test_app_open(LAZY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "s"));
    CU_ASSERT_EQUAL(a->unit, TL_UNIT_ACCESS);
    int accesses = 0;
    for (int i = 0; i < 12 && !timeline_at_end(a->tl); i++) {
        uint64_t before = timeline_machine(a->tl)->counters.accesses;
        app_key(a, KEYS_CLICKER_NEXT);
        const struct tl_event *e = timeline_current(a->tl);
        CU_ASSERT_FATAL(e != NULL);
        CU_ASSERT(e->ends_access || e->kind != TL_MACHINE);
        uint64_t after = timeline_machine(a->tl)->counters.accesses;
        CU_ASSERT(after - before <= 1);
        if (e->kind == TL_MACHINE && e->ev.kind == EV_ACCESS_DONE) {
            accesses++;
            char summary[1024];
            CU_ASSERT(narrate_access(a->tl, summary, sizeof summary) > 0);
            /* The summary's start is on screen, in the narration. */
            char head[40];
            snprintf(head, sizeof head, "%.30s", summary);
            CU_ASSERT(screen_has(a, head));
        }
    }
    CU_ASSERT(accesses >= 2);
    test_app_close(a);
}

void suite_lecture_register(void)
{
    CU_pSuite s = CU_add_suite("lecture", NULL, NULL);
    CU_add_test(s, "q asks first once the scenario has moved", test_quit_asks_once_moved);
    CU_add_test(s, "a clicker's keys never leave the scenario", test_clicker_never_leaves);
    CU_add_test(s, "bookmarks", test_bookmarks);
    CU_add_test(s, "the chapter menu", test_chapter_menu);
    CU_add_test(s, "--chapter and --step", test_open_at_chapter_and_step);
    CU_add_test(s, "presenter mode", test_presenter_mode);
    CU_add_test(s, "zoom", test_zoom);
    CU_add_test(s, "one access per click", test_access_steps);
}
