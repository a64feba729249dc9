/* Predict, then see: every question's right answer is what the engine does
 * next. The checks replay each library scenario on a timeline of their own
 * and read the answer off the events that follow the question's stop, by
 * rules of their own (the fault's class from the minor and major fault
 * counters, not from the quiz's table). Then scores, the handout and the
 * marking of answer files, and the viewer's quiz mode: the overlay at
 * 80x24 and 120x40, a digit answers and the score moves. Run from tests/. */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/answers.h"
#include "play/narrate.h"
#include "play/quiz.h"
#include "play/quiz_report.h"
#include "play/timeline.h"
#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui_helpers.h"
#include "vm/geometry.h"
#include "vm/pte.h"

void suite_quiz_register(void);

#define LAZY "../scenarios/lazy-allocation.yaml"
#define BELADY "../scenarios/belady.yaml"

static const char *const library[] = {
    "belady", "context-switch", "device-mapping", "file-mmap", "fork-cow", "huge-pages",
    "lazy-allocation", "out-of-memory", "page-walk", "policies", "process-creation",
    "protection", "shared-memory", "swapping", "thrashing", "tlb-reach", "zero-page",
};

/* One event of the independent replay, with the counters after it. */
struct seen {
    enum tl_kind kind;
    struct event ev;
    bool ends_access;
    const struct scenario_step *step;
    struct counters c;
};

/* Plays the scenario headless and keeps every event (index = position). */
static struct seen *replay(const struct scenario *sc, size_t *n, struct geometry *geo)
{
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct diag err;
    struct timeline *tl = timeline_create_with(sc, &o, &(struct timeline_options){.headless = true},
                                               &err);
    CU_ASSERT_FATAL(tl != NULL);
    size_t cap = 1024;
    struct seen *s = calloc(cap, sizeof *s);
    CU_ASSERT_FATAL(s != NULL);
    *n = 1;
    *geo = timeline_machine(tl)->cfg.geo;
    const struct tl_event *e;
    while ((e = timeline_next(tl))) {
        CU_ASSERT_FATAL(e->position == *n);
        if (*n == cap) {
            cap *= 2;
            s = realloc(s, cap * sizeof *s);
            CU_ASSERT_FATAL(s != NULL);
        }
        s[(*n)++] = (struct seen){.kind = e->kind, .ev = e->ev, .ends_access = e->ends_access,
                                  .step = e->step,
                                  .c = timeline_machine(tl)->counters};
    }
    timeline_destroy(tl);
    return s;
}

/* The scenario at path (for the caller to free) and its quiz, with no
 * overrides. */
static struct quiz *open_quiz(const char *path, const struct quiz_options *qo,
                              struct scenario **sc)
{
    struct diag err;
    *sc = scenario_load(path, &err);
    CU_ASSERT_FATAL(*sc != NULL);
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct quiz *q = quiz_create(*sc, &o, qo, &err);
    CU_ASSERT_FATAL(q != NULL);
    return q;
}

static bool machine_is(const struct seen *s, size_t n, uint64_t pos, enum event_kind k)
{
    return pos < n && s[pos].kind == TL_MACHINE && s[pos].ev.kind == k;
}

/* The answer the replay gives for q, as the words of its choice. */
static void expected_answer(const struct seen *s, size_t n, const struct geometry *g,
                            const struct quiz_question *q, char *out, size_t len)
{
    out[0] = '\0';
    uint64_t p = q->stop + 1;
    switch (q->kind) {
    case QUIZ_TLB:
        snprintf(out, len, "%s", machine_is(s, n, p, EV_TLB_HIT) ? "hit"
                                 : machine_is(s, n, p, EV_TLB_MISS) ? "miss" : "?");
        break;
    case QUIZ_WALK: {
        uint64_t last = p;
        while (machine_is(s, n, last + 1, EV_WALK_STEP))
            last++;
        CU_ASSERT(machine_is(s, n, last, EV_WALK_STEP));
        bool missing = machine_is(s, n, last + 1, EV_PAGE_FAULT) && !pte_present(s[last].ev.entry);
        if (missing)
            snprintf(out, len, "at the %s", geometry_level_name(g, s[last].ev.level));
        else
            snprintf(out, len, "%s", QUIZ_WALK_REACHES);
        break;
    }
    case QUIZ_FAULT: {
        /* To the end of the access: a signal, a kill, a copy, or the
         * counters of minor and major faults. */
        uint64_t end = p;
        while (end < n && !s[end].ends_access)
            end++;
        bool segv = false, oom = false, cow = false;
        for (uint64_t i = p; i <= end && i < n; i++) {
            segv |= machine_is(s, n, i, EV_SEGFAULT);
            oom |= machine_is(s, n, i, EV_OOM_KILL);
            /* The handler's own word for it: a write to a zero-page
             * mapping is copy-on-write without a copy (a fresh zeroed
             * frame), a private file page's first write is a read then a
             * copy (Linux: do_cow_fault), counted as the read. */
            cow |= machine_is(s, n, i, EV_FAULT_CLASSIFIED) && s[i].ev.fault_kind == FAULT_COW;
        }
        uint64_t e = end < n ? end : n - 1;
        const char *w = oom ? "OOM kill" : segv ? "SIGSEGV" : cow ? "copy-on-write"
                        : s[e].c.major_faults > s[q->stop].c.major_faults ? "major fault"
                        : s[e].c.minor_faults > s[q->stop].c.minor_faults ? "minor fault"
                        : "no fault";
        snprintf(out, len, "%s", w);
        break;
    }
    case QUIZ_VICTIM:
        CU_ASSERT(q->reveal == p);
        if (machine_is(s, n, p, EV_VICTIM_CHOSEN))
            snprintf(out, len, "frame %u", s[p].ev.victim);
        break;
    case QUIZ_PA:
        CU_ASSERT(q->reveal == p);
        if (machine_is(s, n, p, EV_ACCESS_DONE))
            snprintf(out, len, "0x%" PRIx64, s[p].ev.pa);
        break;
    case QUIZ_ASK: {
        /* The counter's change to the next expect, or over the operations
         * the step names. */
        CU_ASSERT_FATAL(q->stop < n && s[q->stop].kind == TL_ASK);
        const struct scenario_step *st = s[q->stop].step;
        int counter = counter_lookup(st->u.ask.counter.value);
        CU_ASSERT_FATAL(counter >= 0);
        uint64_t ops = st->u.ask.ops.present ? st->u.ask.ops.value : 0, end = q->stop + 1;
        for (; end < n; end++) {
            if (ops == 0 && s[end].kind == TL_EXPECT)
                break;
            if (ops && s[end].kind == TL_MACHINE && s[end].ends_access
                && s[end].ev.kind == EV_ACCESS_DONE && --ops == 0)
                break;
        }
        if (end >= n)
            end = n - 1;
        CU_ASSERT_EQUAL(q->reveal, end);
        snprintf(out, len, "%" PRIu64, counter_get(&s[end].c, (enum counter_id)counter)
                                           - counter_get(&s[q->stop].c, (enum counter_id)counter));
        break;
    }
    default:
        break;
    }
}

/* Every question of every library scenario, every kind at every access:
 * its right choice is what the replay shows next. */
static void test_answers_are_the_engines(void)
{
    unsigned per_kind[QUIZ_KIND_COUNT] = {0};
    for (size_t i = 0; i < sizeof library / sizeof library[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "../scenarios/%s.yaml", library[i]);
        struct scenario *sc;
        struct quiz_options qo = {.kinds = QUIZ_ALL_KINDS, .every_access = true};
        struct quiz *q = open_quiz(path, &qo, &sc);
        size_t n;
        struct geometry geo;
        struct seen *s = replay(sc, &n, &geo);
        const struct quiz_question *qq;
        uint64_t last_stop = 0;
        unsigned number = 0;
        while ((qq = quiz_next(q))) {
            CU_ASSERT_EQUAL(qq->number, ++number);
            CU_ASSERT(qq->stop >= last_stop);
            CU_ASSERT(qq->stop < qq->reveal);
            CU_ASSERT(qq->nchoices >= 2 && qq->nchoices <= QUIZ_MAX_CHOICES);
            CU_ASSERT(qq->answer < qq->nchoices);
            CU_ASSERT(qq->why[0] != '\0');
            for (unsigned a = 0; a < qq->nchoices; a++)
                for (unsigned b = a + 1; b < qq->nchoices; b++)
                    CU_ASSERT(strcmp(qq->choices[a], qq->choices[b]) != 0);
            last_stop = qq->stop;
            char want[QUIZ_CHOICE_MAX];
            expected_answer(s, n, &geo, qq, want, sizeof want);
            if (strcmp(want, qq->choices[qq->answer]) != 0)
                fprintf(stderr, "\n%s question %u (%s): quiz says '%s', the engine '%s'\n",
                        library[i], qq->number, qq->text, qq->choices[qq->answer], want);
            CU_ASSERT_STRING_EQUAL(qq->choices[qq->answer], want);
            per_kind[qq->kind]++;
        }
        CU_ASSERT(quiz_error(q) == NULL);
        quiz_destroy(q);
        free(s);
        scenario_free(sc);
    }
    /* The library meets every kind of question. */
    for (unsigned k = 0; k < QUIZ_KIND_COUNT; k++)
        CU_ASSERT(per_kind[k] > 0);
}

/* fork-cow asks how many copies the parent makes of the pages the child
 * copied: none. The viewer stops there when playing and says it. */
static void test_ask_step(void)
{
    struct scenario *sc;
    struct quiz_options qo = {.kinds = 1u << QUIZ_ASK};
    struct quiz *q = open_quiz("../scenarios/fork-cow.yaml", &qo, &sc);
    const struct quiz_question *qq = quiz_next(q);
    CU_ASSERT_FATAL(qq != NULL);
    CU_ASSERT_EQUAL(qq->kind, QUIZ_ASK);
    CU_ASSERT(strstr(qq->text, "How many copies will it make?") != NULL);
    /* The scenario's choices, which hold the answer. */
    CU_ASSERT_EQUAL(qq->nchoices, 3);
    CU_ASSERT_STRING_EQUAL(qq->choices[0], "0");
    CU_ASSERT_STRING_EQUAL(qq->choices[1], "4");
    CU_ASSERT_STRING_EQUAL(qq->choices[2], "8");
    CU_ASSERT_STRING_EQUAL(qq->choices[qq->answer], "0");
    CU_ASSERT_STRING_EQUAL(qq->why, "cow_copies went from 4 to 4: a change of 0.");
    CU_ASSERT(quiz_next(q) == NULL);
    quiz_destroy(q);
    /* Playing stops at it as at a pause, and the narration asks it. */
    struct diag err;
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct timeline *tl = timeline_create(sc, &o, &err);
    CU_ASSERT_FATAL(tl != NULL);
    bool asked = false;
    while (!asked && timeline_run_until(tl, TL_STOP_PAUSE))
        asked = timeline_current(tl)->kind == TL_ASK;
    CU_ASSERT_FATAL(asked);
    char said[256];
    narrate(timeline_current(tl), timeline_machine(tl), said, sizeof said);
    CU_ASSERT(strncmp(said, "A question: The parent now writes", 33) == 0);
    timeline_destroy(tl);
    scenario_free(sc);

    /* Four accesses of a fill fault four times: the quiz's own choices
     * hold 4. Choices that lack the answer get it: 16 zero fills. */
    qo.kinds = 1u << QUIZ_ASK;
    q = open_quiz("data/quiz-ask.yaml", &qo, &sc);
    qq = quiz_next(q);
    CU_ASSERT_FATAL(qq != NULL);
    CU_ASSERT_STRING_EQUAL(qq->choices[qq->answer], "4");
    CU_ASSERT(qq->nchoices == 4);
    qq = quiz_next(q);
    CU_ASSERT_FATAL(qq != NULL);
    CU_ASSERT_EQUAL(qq->nchoices, 4);
    CU_ASSERT_STRING_EQUAL(qq->choices[3], "16");
    CU_ASSERT_EQUAL(qq->answer, 3);
    CU_ASSERT(quiz_next(q) == NULL);
    quiz_destroy(q);
    scenario_free(sc);
}

/* Counts a scenario's questions. */
static unsigned count_questions(const char *path, const struct quiz_options *qo)
{
    struct scenario *sc;
    struct quiz *q = open_quiz(path, qo, &sc);
    unsigned n = 0;
    while (quiz_next(q))
        n++;
    quiz_destroy(q);
    scenario_free(sc);
    return n;
}

/* The tour asks far fewer questions than the drill, and --ask's kinds only. */
static void test_tour_and_drill(void)
{
    struct quiz_options tour = {.kinds = QUIZ_ALL_KINDS};
    struct quiz_options drill = {.kinds = QUIZ_ALL_KINDS, .every_access = true};
    unsigned t = count_questions(LAZY, &tour), d = count_questions(LAZY, &drill);
    CU_ASSERT_EQUAL(t, 20);
    CU_ASSERT(d > 10 * t);
    /* belady: one reference string; its drill of victims asks each eviction. */
    struct quiz_options victims = {.kinds = 1u << QUIZ_VICTIM, .every_access = true};
    CU_ASSERT_EQUAL(count_questions(BELADY, &victims), 6);
    struct quiz_options tlb_tour = {.kinds = 1u << QUIZ_TLB};
    CU_ASSERT_EQUAL(count_questions(BELADY, &tlb_tour), 1);
}

/* Scores: per chapter and in all; the first answer stays. */
static void test_scores(void)
{
    struct scenario *sc;
    struct quiz_options qo = {.kinds = QUIZ_ALL_KINDS, .keep = true};
    struct quiz *q = open_quiz(LAZY, &qo, &sc);
    CU_ASSERT_EQUAL(quiz_find_through(q, UINT64_MAX), 20);
    /* Right for the odd questions, wrong for the even ones but 20, which
     * is skipped. */
    for (size_t i = 1; i <= 19; i++) {
        const struct quiz_question *qq = quiz_question(q, i);
        int given = i % 2 ? (int)qq->answer : (int)((qq->answer + 1) % qq->nchoices);
        CU_ASSERT_EQUAL(quiz_answer(q, i, given), i % 2 == 1);
    }
    quiz_answer(q, 20, QUIZ_SKIPPED);
    /* Again, another answer: the first stays. */
    CU_ASSERT_EQUAL(quiz_answer(q, 1, (int)(quiz_question(q, 1)->answer + 1) % 2), true);
    struct quiz_score all = quiz_score(q, QUIZ_EVERY_CHAPTER);
    CU_ASSERT_EQUAL(all.questions, 20);
    CU_ASSERT_EQUAL(all.right, 10);
    CU_ASSERT_EQUAL(all.wrong, 9);
    CU_ASSERT_EQUAL(all.skipped, 1);
    unsigned sum = 0;
    for (unsigned c = 0; c <= quiz_chapters(q); c++)
        sum += quiz_score(q, c).questions;
    CU_ASSERT_EQUAL(sum, 20);
    CU_ASSERT_STRING_EQUAL(quiz_chapter_title(q, 1), "Initial state");
    /* Chapter 1 holds questions 1 to 8: 4 right. */
    CU_ASSERT_EQUAL(quiz_score(q, 1).questions, 8);
    CU_ASSERT_EQUAL(quiz_score(q, 1).right, 4);
    quiz_destroy(q);
    scenario_free(sc);
}

/* Marks the file text against belady's tour; returns the status, the
 * report in out (malloc'd) and any error in err. */
static int mark(const char *answers, char **out, struct diag *err)
{
    const char *path = "quiz-answers.tmp";
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(answers, f);
    fclose(f);
    struct answer_file sheet;
    if (!answers_read(path, &sheet, err)) {
        remove(path);
        *out = NULL;
        return 2;
    }
    struct scenario *sc;
    struct quiz_options qo = {.kinds = QUIZ_ALL_KINDS};
    struct quiz *q = open_quiz(BELADY, &qo, &sc);
    size_t len;
    FILE *mem = open_memstream(out, &len);
    int status = quiz_mark(mem, REPORT_TEXT, q, &sheet, path, sc->path, err);
    fclose(mem);
    quiz_destroy(q);
    scenario_free(sc);
    answers_free(&sheet);
    remove(path);
    return status;
}

/* belady's tour, answered from what the engine did: its first access misses
 * the TLB, stops at the L1, takes a minor fault and reaches 0x0; the fourth
 * page evicts frame 0 (fifo). */
static void test_marking(void)
{
    char *out;
    struct diag err;
    CU_ASSERT_EQUAL(mark("# all right\n1: miss\n2: at the L1\n3: 2\n4: 0x0\n5: FRAME 0\n",
                         &out, &err), 0);
    CU_ASSERT(out && strstr(out, "total: 5/5 right\n"));
    free(out);
    CU_ASSERT_EQUAL(mark("1: hit\n2: 1\n  3 :  minor fault  # blanks\n5: 1\n", &out, &err), 1);
    CU_ASSERT(out && strstr(out, "  1. WRONG read 0x40 (pid 1): does the TLB hit or miss?\n"
                                 "     you said 1) hit; the answer is 2) miss."));
    CU_ASSERT(out && strstr(out, "  4. NO ANSWER"));
    CU_ASSERT(out && strstr(out, "total: 3/5 right, 1 wrong, 1 unanswered\n"));
    free(out);
    CU_ASSERT_EQUAL(mark("1: miss\n\n2: sideways\n", &out, &err), 2);
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_EQUAL(err.col, 4);
    CU_ASSERT(strstr(err.message, "'sideways' is not a choice of question 2") != NULL);
    free(out);
    CU_ASSERT_EQUAL(mark("1: miss\n6: 1\n", &out, &err), 2);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT(strstr(err.message, "there is no question 6 (expected a question number from 1 "
                                  "to 5)") != NULL);
    free(out);
    CU_ASSERT_EQUAL(mark("1: miss\nmiss\n", &out, &err), 2);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.col, 1);
    CU_ASSERT_EQUAL(mark("1 miss\n", &out, &err), 2);
    CU_ASSERT_EQUAL(err.col, 3);
    CU_ASSERT_EQUAL(mark("2: 1\n2: 2\n", &out, &err), 2);
    CU_ASSERT_EQUAL(err.line, 2);
}

/* The viewer in quiz mode: stepping stops before the first decision, the
 * overlay asks it, a digit answers, the viewer steps on to the answer. */
static void test_viewer_quiz(void)
{
    struct tui_options o;
    test_app_options(&o, BELADY);
    o.quiz = true;
    struct app *a = test_app_open_with(&o, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    /* Step until the overlay opens. */
    for (int i = 0; i < 20 && a->overlay != SCREEN_QUIZ; i++)
        test_press(a, "<Right>");
    CU_ASSERT_FATAL(a->overlay == SCREEN_QUIZ);
    const struct quiz_question *q = quiz_question(a->quiz, a->quiz_number);
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT_EQUAL(q->kind, QUIZ_TLB);
    /* Stopped just before the lookup: the access has begun. */
    CU_ASSERT_EQUAL(timeline_position(a->tl), q->stop);
    CU_ASSERT_EQUAL(timeline_current(a->tl)->ev.kind, EV_ACCESS_BEGIN);
    test_golden(a, "quiz-question-80x24");
    /* Answer right: the digit of the engine's answer. */
    char key[16];
    snprintf(key, sizeof key, "%u", q->answer + 1);
    uint64_t reveal = q->reveal;
    test_press(a, key);
    CU_ASSERT_EQUAL(timeline_position(a->tl), reveal);
    CU_ASSERT_EQUAL(timeline_current(a->tl)->ev.kind, EV_TLB_MISS);
    CU_ASSERT_EQUAL(quiz_score(a->quiz, QUIZ_EVERY_CHAPTER).right, 1);
    CU_ASSERT(strstr(a->message, "Right: quiz 1/1") != NULL);
    test_golden(a, "quiz-answer-80x24");
    /* The walk question stops where the TLB missed: asked next. */
    test_press(a, "x");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_QUIZ);
    q = quiz_question(a->quiz, a->quiz_number);
    CU_ASSERT_EQUAL(q->kind, QUIZ_WALK);
    /* A wrong answer. */
    snprintf(key, sizeof key, "%u", (q->answer + 1) % q->nchoices + 1);
    test_press(a, key);
    struct quiz_score s = quiz_score(a->quiz, QUIZ_EVERY_CHAPTER);
    CU_ASSERT_EQUAL(s.right, 1);
    CU_ASSERT_EQUAL(s.wrong, 1);
    CU_ASSERT(strstr(a->message, "Wrong: quiz 1/2") != NULL);
    /* Esc skips the next. */
    test_press(a, "x <Esc>");
    CU_ASSERT_EQUAL(quiz_score(a->quiz, QUIZ_EVERY_CHAPTER).skipped, 1);
    /* Back to the start and forward again: nothing is asked twice. */
    test_press(a, "x <Home>");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_COUNT);
    for (int i = 0; i < 8; i++)
        test_press(a, "<Right>");
    CU_ASSERT(a->overlay == SCREEN_COUNT || quiz_question(a->quiz, a->quiz_number)->number > 3);
    CU_ASSERT_EQUAL(quiz_score(a->quiz, QUIZ_EVERY_CHAPTER).right, 1);
    /* Q turns quiz mode off. */
    test_press(a, "x Q");
    CU_ASSERT(!a->quiz_mode);
    test_app_close(a);

    a = test_app_open_with(&o, 120, 40);
    CU_ASSERT_FATAL(a != NULL);
    for (int i = 0; i < 20 && a->overlay != SCREEN_QUIZ; i++)
        test_press(a, "<Right>");
    CU_ASSERT_FATAL(a->overlay == SCREEN_QUIZ);
    test_golden(a, "quiz-question-120x40");
    test_app_close(a);
}

/* Q turns quiz mode on in the viewer; the key table says so. */
static void test_quiz_key(void)
{
    CU_ASSERT_EQUAL(keys_lookup('Q'), ACTION_QUIZ);
    struct app *a = test_app_open(BELADY, 80, 24);
    CU_ASSERT_FATAL(a != NULL);
    CU_ASSERT(!a->quiz_mode);
    test_press(a, "Q");
    CU_ASSERT(a->quiz_mode);
    CU_ASSERT(strstr(a->message, "Quiz mode") != NULL);
    /* A run to the end stops at the first question. */
    test_press(a, "G");
    CU_ASSERT_EQUAL(a->overlay, SCREEN_QUIZ);
    test_app_close(a);
}

void suite_quiz_register(void)
{
    CU_pSuite s = CU_add_suite("quiz", NULL, NULL);
    CU_add_test(s, "every right answer is what the engine does next",
                test_answers_are_the_engines);
    CU_add_test(s, "the tour and the drill", test_tour_and_drill);
    CU_add_test(s, "a scenario's ask step", test_ask_step);
    CU_add_test(s, "scores per chapter and in all", test_scores);
    CU_add_test(s, "marking answer files", test_marking);
    CU_add_test(s, "the viewer's quiz mode", test_viewer_quiz);
    CU_add_test(s, "the quiz key", test_quiz_key);
}
