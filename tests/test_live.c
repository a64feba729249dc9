/* Trying it live: a step typed at the prompt joins the timeline after the
 * operation in view, stepping back goes over it, the rest of the scenario
 * follows, :undo takes it out, :save writes a scenario that loads, passes
 * its checks and replays to the same machine. Every figure is the
 * engine's, compared with a timeline built on its own. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/timeline.h"
#include "scenario/edit.h"
#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/live.h"
#include "tui/term.h"
#include "tui_helpers.h"

#define LAZY "../scenarios/lazy-allocation.yaml"
#define THRASHING "../scenarios/thrashing.yaml"
/* Where :save writes in these tests. */
#define SAVED "live-saved.yaml"

/* Types text at the prompt, a key a character. */
static void type(struct app *a, const char *text)
{
    for (const char *c = text; *c; c++)
        app_key(a, (unsigned char)*c);
}

/* Opens the prompt, types a line and presses Enter. */
static void enter(struct app *a, const char *line)
{
    CU_ASSERT(test_press(a, ":"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_LIVE);
    type(a, line);
    CU_ASSERT(test_press(a, "<Enter>"));
}

/* Steps the app's timeline forward by n operations. */
static void ops_forward(struct app *a, int n)
{
    for (int i = 0; i < n; i++)
        CU_ASSERT(timeline_step(a->tl, TL_UNIT_OP, +1));
}

/* A timeline of the scenario in a file, played to its end. */
static struct timeline *played_to_end(const char *path, struct scenario **sc)
{
    struct diag err;
    *sc = scenario_load(path, &err);
    if (!*sc) {
        diag_print(stderr, &err);
        return NULL;
    }
    struct timeline *tl = timeline_create(*sc, NULL, &err);
    if (!tl) {
        diag_print(stderr, &err);
        scenario_free(*sc);
        return NULL;
    }
    timeline_seek(tl, UINT64_MAX);
    return tl;
}

static uint64_t counter(const struct timeline *tl, enum counter_id id)
{
    return counter_get(&timeline_machine(tl)->counters, id);
}

/* lazy-allocation after its first four operations: the chapter, the
 * sentence, the fetch from text and the write to the stack. */
static struct app *open_after_stack_write(void)
{
    struct app *a = test_app_open(LAZY, 80, 24);
    if (a)
        ops_forward(a, 4);
    return a;
}

static void test_write_joins_timeline(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    size_t steps = a->sc->step_count;
    uint64_t ops = timeline_op_total(a->tl), here = timeline_position(a->tl);
    uint64_t digest = machine_digest(timeline_machine(a->tl));
    uint64_t minor = counter(a->tl, COUNTER_minor_faults);
    const struct process *p = machine_running(timeline_machine(a->tl));
    const struct area *stack = process_find_named(p, "stack");
    CU_ASSERT_FATAL(stack != NULL);
    uint64_t va = stack->start + 0x1000;
    CU_ASSERT_EQUAL(machine_translate(timeline_machine(a->tl), p, va), UINT64_MAX);

    enter(a, "write stack+0x1000");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(a->sc->step_count, steps + 1);
    CU_ASSERT_EQUAL(timeline_op_total(a->tl), ops + 1);
    /* Into the new operation: its first micro-step, the access at that VA. */
    CU_ASSERT_EQUAL(timeline_position(a->tl), here + 1);
    const struct tl_event *e = timeline_current(a->tl);
    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT_EQUAL(e->step, &a->sc->steps[4]);
    CU_ASSERT_EQUAL(e->step->kind, STEP_WRITE);
    CU_ASSERT_EQUAL(e->kind, TL_MACHINE);
    CU_ASSERT_EQUAL(e->ev.kind, EV_ACCESS_BEGIN);
    CU_ASSERT_EQUAL(e->ev.va, va);
    CU_ASSERT(a->playing);
    char want[64];
    snprintf(want, sizeof want, "Typed step added at step %llu; Left steps back over it.",
             (unsigned long long)here);
    CU_ASSERT_STRING_EQUAL(a->message, want);
    /* The message line of the smallest screen holds it whole. */
    free(test_screen_text(a));
    CU_ASSERT_EQUAL(draw_cuts(NULL, 0), 0);

    /* Autoplay runs to the end of the typed operation and stops there. */
    for (int i = 0; i < 100 && a->playing; i++)
        app_tick(a);
    CU_ASSERT_FALSE(a->playing);
    e = timeline_current(a->tl);
    CU_ASSERT_TRUE(e && e->ends_op && e->step == &a->sc->steps[4]);
    p = machine_running(timeline_machine(a->tl));
    CU_ASSERT_NOT_EQUAL(machine_translate(timeline_machine(a->tl), p, va), UINT64_MAX);
    CU_ASSERT_EQUAL(counter(a->tl, COUNTER_minor_faults), minor + 1);

    /* Stepping back over it gives the machine before it. */
    a->unit = TL_UNIT_OP;
    CU_ASSERT(test_press(a, "<Left>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), here);
    CU_ASSERT_EQUAL(machine_digest(timeline_machine(a->tl)), digest);
    CU_ASSERT_EQUAL(counter(a->tl, COUNTER_minor_faults), minor);

    /* The rest of the scenario follows: one fault more than without. */
    struct scenario *sc;
    struct timeline *plain = played_to_end(LAZY, &sc);
    CU_ASSERT_FATAL(plain != NULL);
    timeline_seek(a->tl, UINT64_MAX);
    CU_ASSERT(timeline_at_end(a->tl));
    CU_ASSERT_EQUAL(timeline_op_index(a->tl), timeline_op_index(plain) + 1);
    CU_ASSERT_EQUAL(counter(a->tl, COUNTER_minor_faults),
                    counter(plain, COUNTER_minor_faults) + 1);
    CU_ASSERT_EQUAL(counter(a->tl, COUNTER_zero_fills), counter(plain, COUNTER_zero_fills) + 1);
    timeline_destroy(plain);
    scenario_free(sc);
    test_app_close(a);
}

static void test_undo(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    size_t steps = a->sc->step_count;
    uint64_t here = timeline_position(a->tl);
    uint64_t digest = machine_digest(timeline_machine(a->tl));
    enter(a, "write: stack+0x1000");
    ops_forward(a, 2);
    enter(a, "undo");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(a->sc->step_count, steps);
    /* Past the step, undo goes back to where it began. */
    CU_ASSERT_EQUAL(timeline_position(a->tl), here);
    CU_ASSERT_EQUAL(machine_digest(timeline_machine(a->tl)), digest);
    char want[64];
    snprintf(want, sizeof want, "Typed step removed: at step %llu, where it began.",
             (unsigned long long)here);
    CU_ASSERT_STRING_EQUAL(a->message, want);
    /* Nothing left to undo: said in place. */
    enter(a, ":undo");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_LIVE);
    CU_ASSERT(strstr(a->live->note, "live:1:1: error: no typed step") == a->live->note);
    test_app_close(a);
}

/* Undo before the step keeps the place; after another machine replaced
 * the first, undo past the step goes to the end of the step before it. */
static void test_undo_places(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    uint64_t here = timeline_position(a->tl);
    enter(a, "write stack+0x1000");
    a->unit = TL_UNIT_OP;
    CU_ASSERT(test_press(a, "<Left> <Left>"));
    uint64_t earlier = timeline_position(a->tl);
    CU_ASSERT(earlier < here);
    uint64_t digest = machine_digest(timeline_machine(a->tl));
    enter(a, "undo");
    CU_ASSERT_EQUAL(timeline_position(a->tl), earlier);
    CU_ASSERT_EQUAL(machine_digest(timeline_machine(a->tl)), digest);

    CU_ASSERT(timeline_seek(a->tl, here));
    enter(a, "write stack+0x1000");
    ops_forward(a, 3);
    /* Another policy: the same steps in other micro-steps. */
    CU_ASSERT(test_press(a, "w <Right> <Enter>"));
    CU_ASSERT_NOT_EQUAL(timeline_machine(a->tl)->cfg.policy, POLICY_clock);
    enter(a, "undo");
    const struct tl_event *e = timeline_current(a->tl);
    CU_ASSERT_TRUE(e && e->ends_op && e->step == &a->sc->steps[3]);
    CU_ASSERT(strstr(a->message, ", where it began.") != NULL);
    test_app_close(a);
}

static void test_errors_in_place(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    uint64_t here = timeline_position(a->tl);
    size_t steps = a->sc->step_count;

    enter(a, "write stak+0x10");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_LIVE);
    CU_ASSERT_STRING_EQUAL(a->live->line, "write stak+0x10");
    CU_ASSERT(strncmp(a->live->note, "live:1:7: error: unknown area 'stak'", 36) == 0);
    CU_ASSERT(strstr(a->live->note, "did you mean 'stack'?") != NULL);
    CU_ASSERT_EQUAL(a->live->cursor, 6);
    CU_ASSERT_EQUAL(a->sc->step_count, steps);
    CU_ASSERT_EQUAL(timeline_position(a->tl), here);
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);

    enter(a, "wirte 0x1000");
    CU_ASSERT(strncmp(a->live->note, "live:1:1: error: unknown step 'wirte'", 37) == 0);
    CU_ASSERT(strstr(a->live->note, "did you mean 'write'?") != NULL);
    CU_ASSERT(test_press(a, "<Esc>"));

    /* The same with the colon: the columns are the typed ones. */
    enter(a, "write: {addr: stack, pid: x}");
    CU_ASSERT(strncmp(a->live->note, "live:1:27: error: ", 18) == 0);
    CU_ASSERT(test_press(a, "<Esc>"));

    /* An open quote ends at the end of the line. */
    enter(a, "say: \"open");
    CU_ASSERT(strncmp(a->live->note, "live:1:11: error: ", 18) == 0);
    CU_ASSERT(test_press(a, "<Esc>"));

    /* What the play layer refuses is placed on the line too. */
    enter(a, "switch 9");
    CU_ASSERT(strncmp(a->live->note, "live:1:8: error: ", 17) == 0);
    CU_ASSERT_EQUAL(a->sc->step_count, steps);
    CU_ASSERT(test_press(a, "<Esc>"));

    enter(a, "save");
    CU_ASSERT(strncmp(a->live->note, "live:1:5: error: no file name", 29) == 0);
    CU_ASSERT(test_press(a, "<Esc>"));
    enter(a, "save /nonexistent-dir/x.yaml");
    CU_ASSERT(strncmp(a->live->note, "live:1:6: error: cannot write '/nonexistent-dir/x.yaml'",
                      55) == 0);
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT_EQUAL(timeline_position(a->tl), here);
    test_app_close(a);
}

/* Steps whose options are a mapping take them as words too, and a fork
 * on its own gets the first free pid; errors keep the typed columns. */
static void test_words(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    size_t steps = a->sc->step_count;
    enter(a, "mprotect stack r--");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(a->sc->step_count, steps + 1);
    const struct process *p = machine_running(timeline_machine(a->tl));
    const struct area *stack = process_find_named(p, "stack");
    CU_ASSERT_FATAL(stack != NULL);
    CU_ASSERT_EQUAL(stack->prot, PROT_R);

    uint32_t before = timeline_machine(a->tl)->nprocs;
    enter(a, "fork");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_EQUAL(a->sc->step_count, steps + 2);
    const struct machine *m = timeline_machine(a->tl);
    CU_ASSERT_EQUAL(m->nprocs, before + 1);
    bool child = false;
    for (uint32_t i = 0; i < m->nprocs; i++)
        child = child || (m->procs[i].pid == 2 && m->procs[i].alive);
    CU_ASSERT(child);

    /* The area's word is at column 10 of what was typed. */
    enter(a, "mprotect stak r--");
    CU_ASSERT(strncmp(a->live->note, "live:1:10: error: unknown area 'stak'", 37) == 0);
    CU_ASSERT(test_press(a, "<Esc>"));
    enter(a, "munmap heap extra");
    CU_ASSERT_STRING_EQUAL(a->live->note, "live:1:13: error: 'extra' is one word too many "
                                          "(expected munmap name)");
    CU_ASSERT(test_press(a, "<Esc>"));
    CU_ASSERT_EQUAL(a->sc->step_count, steps + 2);
    test_app_close(a);
}

static void test_completion(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, ":"));
    type(a, "wr");
    CU_ASSERT_EQUAL(live_complete(a), 1);
    CU_ASSERT_STRING_EQUAL(a->live->line, "write ");
    type(a, "st");
    CU_ASSERT(test_press(a, "<Tab>"));
    CU_ASSERT_STRING_EQUAL(a->live->line, "write stack");
    /* More than one: their common start, and the list. */
    live_clear(a->live);
    type(a, "re");
    CU_ASSERT_EQUAL(live_complete(a), 3);
    CU_ASSERT_STRING_EQUAL(a->live->line, "re");
    CU_ASSERT_STRING_EQUAL(a->live->note, "step kinds and commands: read refs repeat");
    type(a, "p");
    CU_ASSERT_EQUAL(live_complete(a), 1);
    CU_ASSERT_STRING_EQUAL(a->live->line, "repeat ");
    live_clear(a->live);
    type(a, "read: {addr: ");
    CU_ASSERT_EQUAL(live_complete(a), 2);
    CU_ASSERT_STRING_EQUAL(a->live->note, "areas of pid 1: text stack");
    type(a, "t");
    CU_ASSERT_EQUAL(live_complete(a), 1);
    CU_ASSERT_STRING_EQUAL(a->live->line, "read: {addr: text");
    live_clear(a->live);
    type(a, "u");
    CU_ASSERT_EQUAL(live_complete(a), 1);
    CU_ASSERT_STRING_EQUAL(a->live->line, "undo ");

    /* Editing and the lines of this session. */
    live_clear(a->live);
    type(a, "read tex");
    CU_ASSERT(test_press(a, "<Home> <Right> <Del>"));
    CU_ASSERT_STRING_EQUAL(a->live->line, "rad tex");
    CU_ASSERT(test_press(a, "<End> <BkSp>"));
    CU_ASSERT_STRING_EQUAL(a->live->line, "rad te");
    CU_ASSERT(test_press(a, "<Enter>"));
    CU_ASSERT(test_press(a, "<Esc> :"));
    type(a, "x");
    CU_ASSERT(test_press(a, "<Up>"));
    CU_ASSERT_STRING_EQUAL(a->live->line, "rad te");
    CU_ASSERT(test_press(a, "<Down>"));
    CU_ASSERT_STRING_EQUAL(a->live->line, "x");
    test_app_close(a);
}

static void test_save_replays(void)
{
    struct app *a = test_app_open(LAZY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* After the first expect: a fetch of text, a hit on a mapped page,
     * changes no counter any later expect checks. */
    ops_forward(a, 9);
    CU_ASSERT_EQUAL(timeline_current(a->tl)->step->kind, STEP_EXPECT);
    enter(a, "read text");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    timeline_seek(a->tl, UINT64_MAX);
    /* At the end, after everything: a new page of the stack. */
    enter(a, "- write: stack+0x2000");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    timeline_seek(a->tl, UINT64_MAX);
    CU_ASSERT_EQUAL(timeline_failures(a->tl), 0);
    remove(SAVED);
    enter(a, "save " SAVED);
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    CU_ASSERT_STRING_EQUAL(a->message, "Saved with 2 typed steps: " SAVED);

    struct scenario *sc;
    struct timeline *tl = played_to_end(SAVED, &sc);
    CU_ASSERT_FATAL(tl != NULL);
    CU_ASSERT_EQUAL(sc->step_count, a->sc->step_count);
    CU_ASSERT_EQUAL(timeline_failures(tl), 0);
    CU_ASSERT_EQUAL(timeline_position(tl), timeline_position(a->tl));
    CU_ASSERT_EQUAL(machine_digest(timeline_machine(tl)), machine_digest(timeline_machine(a->tl)));
    for (int c = 0; c < COUNTER_COUNT; c++)
        CU_ASSERT_EQUAL(counter(tl, (enum counter_id)c), counter(a->tl, (enum counter_id)c));
    CU_ASSERT_EQUAL(sc->steps[9].kind, STEP_READ);
    CU_ASSERT_EQUAL(sc->steps[sc->step_count - 1].kind, STEP_WRITE);
    timeline_destroy(tl);
    scenario_free(sc);

    /* The lines went in at the list's indentation, each before the step
     * it precedes in the file. */
    size_t len;
    struct diag err;
    FILE *fp = fopen(SAVED, "r");
    CU_ASSERT_FATAL(fp != NULL);
    char text[8192];
    len = fread(text, 1, sizeof text - 1, fp);
    text[len] = '\0';
    fclose(fp);
    CU_ASSERT(strstr(text, "  - expect: {minor_faults: +3, major_faults: +0}\n"
                           "  - read: text\n  - chapter: memset\n") != NULL);
    CU_ASSERT(strstr(text, "  - expect: {minor_faults: +0, major_faults: +0}\n"
                           "  - write: stack+0x2000\n") != NULL);
    (void)err;
    remove(SAVED);
    test_app_close(a);
}

static void test_after_repeat(void)
{
    struct app *a = test_app_open(THRASHING, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* Into the repeat: the typed step goes after all of it. */
    size_t r = 0;
    while (r < a->sc->step_count && a->sc->steps[r].kind != STEP_REPEAT)
        r++;
    CU_ASSERT_FATAL(r < a->sc->step_count);
    const struct scenario_step *inner = &a->sc->steps[r].u.repeat.steps[0];
    while (timeline_step(a->tl, TL_UNIT_OP, +1) && timeline_current(a->tl)->step != inner)
        ;
    CU_ASSERT_FATAL(timeline_current(a->tl)->step == inner);
    unsigned line = a->sc->steps[r].pos.line;
    enter(a, "read 0x1000");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    char want[96];
    snprintf(want, sizeof want, "Typed step added after the repeat at line %u, played to its "
             "end first.", line);
    CU_ASSERT_STRING_EQUAL(a->message, want);
    const struct tl_event *e = timeline_current(a->tl);
    CU_ASSERT_TRUE(e && e->step == &a->sc->steps[r + 1] && e->step->kind == STEP_READ);
    test_app_close(a);
}

static void test_splice(void)
{
    static const char text[] = "title: t\nsteps:\n- read: 1\n-   write: 2\nprocesses: []";
    struct scenario_insert ins[] = {{0, "say: a"}, {2, "say: b"}, {2, "say: c"}};
    struct scenario_inserted at[3];
    size_t len;
    struct diag err;
    char *out = scenario_splice("t.yaml", text, strlen(text), ins, 3, at, &len, &err);
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT_STRING_EQUAL(out, "title: t\nsteps:\n- say: a\n- read: 1\n-   write: 2\n"
                                "- say: b\n- say: c\nprocesses: []");
    CU_ASSERT_EQUAL(at[0].line, 3);
    CU_ASSERT_EQUAL(at[0].col, 3);
    CU_ASSERT_EQUAL(at[2].line, 7);
    free(out);

    /* The list last, the text without a final newline. */
    static const char tail[] = "title: t\nsteps:\n  - read: 1\n  - write: 2";
    struct scenario_insert end = {2, "exit:"};
    out = scenario_splice("t.yaml", tail, strlen(tail), &end, 1, at, &len, &err);
    CU_ASSERT_FATAL(out != NULL);
    CU_ASSERT_STRING_EQUAL(out, "title: t\nsteps:\n  - read: 1\n  - write: 2\n  - exit:\n");
    CU_ASSERT_EQUAL(at[0].line, 5);
    CU_ASSERT_EQUAL(at[0].col, 5);
    free(out);

    static const char flow[] = "title: t\nsteps: [{read: 1}]\n";
    CU_ASSERT_PTR_NULL(scenario_splice("t.yaml", flow, strlen(flow), &end, 1, at, &len, &err));
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.col, 8);

    struct scenario_line sl;
    CU_ASSERT_EQUAL(scenario_line_parse("live", "  refs 1 2 3", &sl, &err), 0);
    CU_ASSERT_STRING_EQUAL(sl.yaml, "refs: 1 2 3");
    CU_ASSERT_EQUAL(scenario_line_column(&sl, 7), 8);
    CU_ASSERT_EQUAL(scenario_line_parse("live", "", &sl, &err), -1);
    CU_ASSERT_EQUAL(err.col, 1);
    CU_ASSERT_EQUAL(scenario_line_parse("live", "read: [1", &sl, &err), -1);
    CU_ASSERT_EQUAL(err.col, 9);
}

static void test_esc_stops_the_replay(void)
{
    /* A replay of hundreds of thousands of steps, and Esc waiting in the
     * terminal's input: the replay stops, the scenario stays as it was. */
    struct app *a = test_app_open("../scenarios/huge-pages.yaml", 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, "<End>"));
    uint64_t position = timeline_position(a->tl);
    size_t steps = a->sc->step_count;
    CU_ASSERT(position > 100000);
    CU_ASSERT(test_press(a, ":"));
    type(a, "read 0x1000");
    ungetch(KEYS_ESC);
    CU_ASSERT(test_press(a, "<Enter>"));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_LIVE);
    CU_ASSERT_STRING_EQUAL(a->live->note, "Stopped by Esc: the scenario is as it was.");
    CU_ASSERT_STRING_EQUAL(a->live->line, "read 0x1000");
    CU_ASSERT_EQUAL(a->sc->step_count, steps);
    CU_ASSERT_EQUAL(a->live->count, 0);
    CU_ASSERT_EQUAL(timeline_position(a->tl), position);
    /* q meanwhile stops it and asks; y quits. */
    ungetch('q');
    CU_ASSERT(!(app_key(a, '\n') & APP_QUIT));
    CU_ASSERT_EQUAL(a->overlay, SCREEN_CONFIRM);
    CU_ASSERT_EQUAL(a->sc->step_count, steps);
    CU_ASSERT(app_key(a, 'y') & APP_QUIT);
    test_app_close(a);
}

static void test_golden_prompt(void)
{
    struct app *a = open_after_stack_write();
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(test_press(a, ":"));
    type(a, "write st");
    CU_ASSERT(test_press(a, "<Tab>"));
    type(a, "+0x1000");
    test_golden(a, "live-prompt-80x24");
    CU_ASSERT_EQUAL(draw_cuts(NULL, 0), 0);
    test_app_close(a);

    a = test_app_open(LAZY, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    ops_forward(a, 4);
    enter(a, "write hep+0x2000");
    test_golden(a, "live-error-120x40");
    test_app_close(a);
}

void suite_live_register(void);
void suite_live_register(void)
{
    CU_pSuite s = CU_add_suite("live", NULL, NULL);
    CU_add_test(s, "a typed write joins the timeline", test_write_joins_timeline);
    CU_add_test(s, "undo removes the typed step", test_undo);
    CU_add_test(s, "undo keeps the place or goes to the step's", test_undo_places);
    CU_add_test(s, "errors in place", test_errors_in_place);
    CU_add_test(s, "options as words, and a bare fork", test_words);
    CU_add_test(s, "completion, editing, history", test_completion);
    CU_add_test(s, "save writes a scenario that replays", test_save_replays);
    CU_add_test(s, "a step typed inside a repeat", test_after_repeat);
    CU_add_test(s, "splicing lines into a text", test_splice);
    CU_add_test(s, "Esc stops the replay, q stops it and asks", test_esc_stops_the_replay);
    CU_add_test(s, "golden prompts", test_golden_prompt);
}
