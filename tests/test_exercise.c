/* Exercises from a seed: for every kind and difficulty over many seeds, the
 * generated scenario loads and plays whole, and every answer the engine
 * gives agrees with a computation of this file's own that reads the
 * scenario's data and never the generator's: the mapping of the map steps
 * for translate, a set-associative LRU TLB simulated access by access for
 * tlb, FIFO, LRU and OPT simulated for refs, copy-on-write groups for
 * fork. Then determinism, marking, and the errors of answer files. Run
 * from tests/. */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "diag_helpers.h"
#include "play/answers.h"
#include "play/exercise.h"
#include "play/timeline.h"
#include "scenario/scenario.h"
#include "tui/tui.h"
#include "util/value.h"

void suite_exercise_register(void);

/* Seeds each kind and difficulty is tried with. */
#define SEEDS 200u
#define KINDS 4u
#define DIFFICULTIES 3u

/* ---- playing an exercise ------------------------------------------------- */

/* A generated exercise, loaded and played to the end by this file. */
struct played {
    struct exercise ex;
    struct exercise_answer answers[EXERCISE_MAX_QUESTIONS];
    struct scenario *s;
    struct timeline *tl;
};

static bool play(struct played *p, enum exercise_kind kind, uint64_t seed,
                 enum exercise_difficulty difficulty)
{
    struct diag err;
    memset(p, 0, sizeof *p);
    CU_ASSERT_FATAL(exercise_generate(&p->ex, kind, seed, difficulty));
    p->s = scenario_load_string("exercise.yaml", p->ex.text, p->ex.len, &err);
    if (!p->s) {
        fprintf(stderr, "\n%s%s\n", printed(&err), p->ex.text);
        return false;
    }
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    p->tl = timeline_create_with(p->s, &o, &(struct timeline_options){.headless = true}, &err);
    if (!p->tl) {
        fprintf(stderr, "\n%s", printed(&err));
        return false;
    }
    while (timeline_next(p->tl))
        ;
    char why[256];
    bool whole = timeline_error(p->tl) == NULL && timeline_failures(p->tl) == 0
        && machine_verify(timeline_machine(p->tl), why, sizeof why);
    if (!exercise_solve(&p->ex, "exercise.yaml", p->answers, &err)) {
        fprintf(stderr, "\n%s", printed(&err));
        return false;
    }
    return whole;
}

static void unplay(struct played *p)
{
    timeline_destroy(p->tl);
    scenario_free(p->s);
    exercise_free(&p->ex);
}

static uint64_t number_of(const char *text)
{
    uint64_t n = UINT64_MAX;
    CU_ASSERT(value_parse_number(text, strlen(text), &n) == VALUE_OK);
    return n;
}

/* "1 4 5" for the pages marked in set[0..n), "none" for none. */
static void list_of(char *buf, size_t size, const bool *set, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (set[i])
            used += (size_t)snprintf(buf + used, size - used, "%s%zu", used ? " " : "", i);
    if (used == 0)
        snprintf(buf, size, "none");
}

static void check_answer(const struct played *p, unsigned q, const char *want)
{
    if (strcmp(p->answers[q].text, want) != 0) {
        fprintf(stderr, "\n%s seed %llu %s question %u: engine %s, expected %s\n",
                exercise_kind_names[p->ex.kind], (unsigned long long)p->ex.seed,
                exercise_difficulty_names[p->ex.difficulty], q + 1, p->answers[q].text, want);
        CU_FAIL("an answer disagrees");
    }
}

static void check_number(const struct played *p, unsigned q, uint64_t want)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)want);
    check_answer(p, q, text);
}

/* ---- translate: the map steps, read from the scenario -------------------- */

static void check_translate(const struct played *p)
{
    const struct machine *m = timeline_machine(p->tl);
    const struct process *proc = machine_process(m, 1);
    uint64_t page_size = p->s->machine.page_size.value;
    for (unsigned q = 0; q < p->ex.nquestions; q++) {
        uint64_t va = p->ex.questions[q].arg, pa = UINT64_MAX;
        for (size_t i = 0; i < p->s->step_count; i++) {
            const struct scenario_step *st = &p->s->steps[i];
            if (st->kind == STEP_MAP
                && scenario_addr_absolute(&st->u.map.va) / page_size == va / page_size)
                pa = st->u.map.frame.value * page_size + va % page_size;
        }
        /* The engine's own translation agrees with the map steps... */
        CU_ASSERT_EQUAL(machine_translate(m, proc, va), pa);
        /* ...and the answer with both. */
        if (pa == UINT64_MAX)
            check_answer(p, q, "fault");
        else
            CU_ASSERT_EQUAL(number_of(p->answers[q].text), pa);
    }
}

/* ---- tlb: a set-associative LRU TLB, simulated -------------------------- */

#define SIM_MAX_ENTRIES 16
#define SIM_MAX_PASSES 4

static void check_tlb(const struct played *p)
{
    const struct scenario *s = p->s;
    unsigned entries = (unsigned)s->machine.tlb.entries.value;
    unsigned ways = (unsigned)s->machine.tlb.ways.value, sets = entries / ways;
    uint64_t area = s->processes[0].areas[0].start.value;
    uint64_t tag[SIM_MAX_ENTRIES], used_at[SIM_MAX_ENTRIES], clock = 0;
    bool valid[SIM_MAX_ENTRIES] = {false}, touched[64] = {false};
    uint64_t hits[SIM_MAX_PASSES + 1] = {0}, misses[SIM_MAX_PASSES + 1] = {0};
    uint64_t faults[SIM_MAX_PASSES + 1] = {0};
    unsigned pass = 0;
    CU_ASSERT_FATAL(entries <= SIM_MAX_ENTRIES);
    for (size_t i = 0; i < s->step_count; i++) {
        const struct scenario_step *st = &s->steps[i];
        if (st->kind == STEP_CHAPTER)
            pass++;
        if (st->kind != STEP_FILL)
            continue;
        CU_ASSERT_FATAL(pass >= 1 && pass <= SIM_MAX_PASSES);
        uint64_t start = area + (uint64_t)st->u.fill.start.offset;
        for (uint64_t a = start; a < start + st->u.fill.size.value; a += st->u.fill.stride.value) {
            uint64_t vpn = a / 4096;
            unsigned set = (unsigned)(vpn % sets);
            clock++;
            int found = -1;
            for (unsigned w = 0; w < ways; w++)
                if (valid[set * ways + w] && tag[set * ways + w] == vpn)
                    found = (int)(set * ways + w);
            if (found >= 0) {
                hits[pass]++;
                used_at[found] = clock;
                continue;
            }
            /* A miss, and a second one after the fault on a first touch. */
            misses[pass]++;
            if (!touched[(vpn - area / 4096) % 64]) {
                touched[(vpn - area / 4096) % 64] = true;
                faults[pass]++;
                misses[pass]++;
            }
            unsigned victim = set * ways;
            for (unsigned w = 0; w < ways; w++) {
                unsigned e = set * ways + w;
                if (!valid[e]) {
                    victim = e;
                    break;
                }
                if (used_at[e] < used_at[victim])
                    victim = e;
            }
            valid[victim] = true;
            tag[victim] = vpn;
            used_at[victim] = clock;
        }
    }
    for (unsigned q = 0; q < p->ex.nquestions; q++) {
        const struct exercise_question *eq = &p->ex.questions[q];
        unsigned from = eq->from_chapter ? eq->from_chapter : 1;
        unsigned to = eq->to_chapter ? eq->to_chapter : pass + 1;
        uint64_t want = 0;
        for (unsigned k = from; k < to; k++)
            want += eq->counter == COUNTER_tlb_hits ? hits[k]
                  : eq->counter == COUNTER_tlb_misses ? misses[k] : faults[k];
        CU_ASSERT(eq->counter == COUNTER_tlb_hits || eq->counter == COUNTER_tlb_misses
                  || eq->counter == COUNTER_faults);
        check_number(p, q, want);
    }
}

/* ---- refs: FIFO, LRU and OPT, simulated ---------------------------------- */

#define SIM_MAX_FRAMES 8
#define SIM_MAX_PAGES 16
#define SIM_MAX_REFS 32

static void check_refs(const struct played *p)
{
    const struct scenario *s = p->s;
    const struct scenario_step *st = &s->steps[0];
    CU_ASSERT_FATAL(st->kind == STEP_REFS && st->u.refs.count <= SIM_MAX_REFS);
    const char *policy = s->machine.policy.value;
    unsigned nframes = (unsigned)s->machine.frames.value;
    size_t n = st->u.refs.count;
    const struct scenario_ref *r = st->u.refs.entries;
    uint64_t page[SIM_MAX_FRAMES], loaded[SIM_MAX_FRAMES], used[SIM_MAX_FRAMES];
    bool dirty[SIM_MAX_FRAMES];
    unsigned held = 0;
    uint64_t faults = 0, swap_outs = 0;
    int64_t victim_at[SIM_MAX_REFS + 1];
    for (size_t i = 0; i < n; i++) {
        victim_at[i + 1] = -1;
        unsigned f = held;
        for (unsigned k = 0; k < held; k++)
            if (page[k] == r[i].page)
                f = k;
        if (f == held) {
            faults++;
            if (held < nframes) {
                held++;
            } else {
                f = 0;
                for (unsigned k = 1; k < held; k++) {
                    bool better;
                    if (strcmp(policy, "fifo") == 0) {
                        better = loaded[k] < loaded[f];
                    } else if (strcmp(policy, "lru") == 0) {
                        better = used[k] < used[f];
                    } else {
                        size_t next_k = n, next_f = n;
                        for (size_t j = n; j-- > i + 1;) {
                            if (r[j].page == page[k])
                                next_k = j;
                            if (r[j].page == page[f])
                                next_f = j;
                        }
                        better = next_k > next_f
                              || (next_k == n && next_f == n && loaded[k] < loaded[f]);
                    }
                    if (better)
                        f = k;
                }
                victim_at[i + 1] = (int64_t)page[f];
                swap_outs += dirty[f];
            }
            page[f] = r[i].page;
            loaded[f] = i;
            dirty[f] = false;
        }
        used[f] = i;
        dirty[f] = dirty[f] || r[i].write;
    }
    bool resident[SIM_MAX_PAGES] = {false};
    for (unsigned k = 0; k < held; k++)
        resident[page[k]] = true;
    for (unsigned q = 0; q < p->ex.nquestions; q++) {
        const struct exercise_question *eq = &p->ex.questions[q];
        char want[80];
        if (eq->kind == QUESTION_COUNTER) {
            check_number(p, q, eq->counter == COUNTER_faults ? faults : swap_outs);
        } else if (eq->kind == QUESTION_EVICTED) {
            if (victim_at[eq->arg] < 0)
                check_answer(p, q, "none");
            else
                check_number(p, q, (uint64_t)victim_at[eq->arg]);
        } else {
            list_of(want, sizeof want, resident, SIM_MAX_PAGES);
            check_answer(p, q, want);
        }
    }
}

/* ---- fork: copy-on-write groups ----------------------------------------- */

#define SIM_PROCS 4

static void check_fork(const struct played *p)
{
    const struct scenario *s = p->s;
    uint64_t npages = s->processes[0].areas[0].size.value / 4096;
    /* frame[pid][page]: which copy of the page a process maps; writable:
     * whether its entry allows a write without a fault. */
    unsigned frame[SIM_PROCS][SIM_MAX_PAGES] = {{0}}, next_frame = 1;
    bool writable[SIM_PROCS][SIM_MAX_PAGES] = {{false}}, alive[SIM_PROCS] = {false, true};
    uint64_t copies = 0, faults_after = 0;
    unsigned running = 1;
    for (size_t i = 0; i < s->step_count; i++) {
        const struct scenario_step *st = &s->steps[i];
        if (st->kind == STEP_FORK)
            alive[st->u.fork.child.value] = true;
        else if (st->kind == STEP_SWITCH)
            running = (unsigned)st->u.process.pid.value;
        else if (st->kind == STEP_WRITE) {
            unsigned pg = (unsigned)(st->u.access.addr.offset / 4096);
            if (writable[running][pg])
                continue;
            faults_after++;
            unsigned sharers = 0;
            for (unsigned q = 1; q < SIM_PROCS; q++)
                sharers += alive[q] && frame[q][pg] == frame[running][pg];
            if (sharers > 1) {
                copies++;
                frame[running][pg] = next_frame++;
            }
            writable[running][pg] = true;
        }
    }
    bool shared[SIM_MAX_PAGES] = {false};
    for (uint64_t pg = 0; pg < npages; pg++)
        shared[pg] = frame[1][pg] == frame[2][pg];
    for (unsigned q = 0; q < p->ex.nquestions; q++) {
        const struct exercise_question *eq = &p->ex.questions[q];
        char want[80];
        if (eq->kind == QUESTION_SHARED) {
            list_of(want, sizeof want, shared, npages);
            check_answer(p, q, want);
        } else if (eq->counter == COUNTER_cow_copies) {
            check_number(p, q, copies);
        } else {
            CU_ASSERT_EQUAL(eq->counter, COUNTER_faults);
            check_number(p, q, faults_after);
        }
    }
}

static void (*const checkers[KINDS])(const struct played *) = {
    check_translate, check_tlb, check_refs, check_fork,
};

static void test_every_kind_agrees(void)
{
    for (unsigned kind = 0; kind < KINDS; kind++)
        for (unsigned d = 0; d < DIFFICULTIES; d++)
            for (uint64_t seed = 0; seed < SEEDS; seed++) {
                struct played p;
                bool whole = play(&p, kind, seed, d);
                if (!whole)
                    fprintf(stderr, "\n%s seed %llu %s does not play whole\n",
                            exercise_kind_names[kind], (unsigned long long)seed,
                            exercise_difficulty_names[d]);
                CU_ASSERT(whole);
                CU_ASSERT(p.ex.nquestions >= 2);
                if (whole)
                    checkers[kind](&p);
                unplay(&p);
            }
}

/* ---- determinism ---------------------------------------------------------- */

static void test_same_seed_same_bytes(void)
{
    unsigned differ = 0, pairs = 0;
    for (unsigned kind = 0; kind < KINDS; kind++)
        for (unsigned d = 0; d < DIFFICULTIES; d++)
            for (uint64_t seed = 0; seed < SEEDS; seed++) {
                struct exercise a, b, c;
                CU_ASSERT_FATAL(exercise_generate(&a, kind, seed, d));
                CU_ASSERT_FATAL(exercise_generate(&b, kind, seed, d));
                CU_ASSERT_FATAL(exercise_generate(&c, kind, seed + 1, d));
                CU_ASSERT(a.len == b.len && memcmp(a.text, b.text, a.len) == 0);
                /* The exercise itself, past the title that names the seed. */
                const char *body_a = strchr(a.text, '\n'), *body_c = strchr(c.text, '\n');
                differ += strcmp(body_a, body_c) != 0;
                if (strcmp(body_a, body_c) == 0)
                    fprintf(stderr, "\n%s %s seeds %llu and %llu\n", exercise_kind_names[kind],
                            exercise_difficulty_names[d], (unsigned long long)seed,
                            (unsigned long long)seed + 1);
                pairs++;
                exercise_free(&a);
                exercise_free(&b);
                exercise_free(&c);
            }
    CU_ASSERT_EQUAL(differ, pairs);
}

/* ---- the viewer ------------------------------------------------------------ */

/* Every kind's exercise, written to a file as a teacher would hand it
 * out, is drawn by the viewer from start to end (headless, as a cast). */
static void test_viewer_draws_exercises(void)
{
    for (unsigned kind = 0; kind < KINDS; kind++) {
        struct exercise ex;
        CU_ASSERT_FATAL(exercise_generate(&ex, kind, 1, EXERCISE_HARD));
        char path[] = "/tmp/vmviz-exercise-XXXXXX";
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        FILE *f = fdopen(fd, "w");
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT_EQUAL(fwrite(ex.text, 1, ex.len, f), ex.len);
        fclose(f);
        struct tui_options o = {.scenario_path = path, .theme_dir = "../themes"};
        timeline_overrides_init(&o.overrides);
        FILE *cast = tmpfile();
        CU_ASSERT_FATAL(cast != NULL);
        CU_ASSERT_EQUAL(tui_render_cast(&o, TL_UNIT_OP, 80, 24, cast), 0);
        CU_ASSERT(ftell(cast) > 0);
        fclose(cast);
        remove(path);
        exercise_free(&ex);
    }
}

/* ---- marking ---------------------------------------------------------------- */

/* Marks text as an answer file of p's exercise; returns the score, with
 * the report in report (static, overwritten by the next call). */
static unsigned mark(const struct played *p, const char *text, const char **report)
{
    static char *out;
    size_t len;
    free(out);
    FILE *f = open_memstream(&out, &len);
    struct answer_file given;
    struct diag err;
    unsigned right = 0;
    CU_ASSERT_FATAL(answers_parse("answers.txt", text, strlen(text), &given, &err));
    CU_ASSERT(exercise_mark(f, REPORT_TEXT, &p->ex, p->answers, "answers.txt", &given, &right,
                            &err));
    answers_free(&given);
    fclose(f);
    *report = out;
    return right;
}

static void test_marking(void)
{
    struct played p;
    CU_ASSERT_FATAL(play(&p, EXERCISE_TRANSLATE, 7, EXERCISE_HARD));
    unsigned n = p.ex.nquestions;
    /* The engine's own answers, as --answers prints them: full marks. */
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    exercise_print_answers(f, REPORT_TEXT, &p.ex, p.answers);
    fclose(f);
    const char *report;
    char want[EXERCISE_ANSWER_MAX + 64];
    CU_ASSERT_EQUAL(mark(&p, text, &report), n);
    snprintf(want, sizeof want, "score: %u/%u\n", n, n);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, want));
    free(text);

    /* Two wrong (questions 2 and 5), the others written another way that
     * means the same: upper case, blanks, a comment. */
    char file[2048];
    size_t used = 0;
    for (unsigned q = 0; q < n; q++) {
        char upper[EXERCISE_ANSWER_MAX];
        for (size_t i = 0; i <= strlen(p.answers[q].text); i++)
            upper[i] = (char)toupper((unsigned char)p.answers[q].text[i]);
        if (upper[0] == '0' && upper[1] == 'X')
            upper[1] = 'x';
        used += (size_t)snprintf(file + used, sizeof file - used, "  %u :  %s   # mine\n",
                                 q + 1, q == 1 || q == 4 ? "0x1" : upper);
    }
    CU_ASSERT_EQUAL(mark(&p, file, &report), n - 2);
    snprintf(want, sizeof want, "score: %u/%u\n", n - 2, n);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, want));
    snprintf(want, sizeof want, "2: wrong  you wrote 0x1; the answer is %s (",
             p.answers[1].text);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, want));
    snprintf(want, sizeof want, "5: wrong  you wrote 0x1; the answer is %s (",
             p.answers[4].text);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(report, "1: ok "));

    /* A question without an answer counts as wrong. */
    CU_ASSERT_EQUAL(mark(&p, "# nothing yet\n\n", &report), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, "1: wrong  no answer; the answer is "));

    /* A question the exercise does not ask, at its line and column. */
    struct answer_file given;
    struct diag err;
    unsigned right;
    CU_ASSERT_FATAL(answers_parse("a.txt", "1: 0x10\n\n  99: 4\n", 17, &given, &err));
    f = open_memstream(&text, &len);
    CU_ASSERT_FALSE(exercise_mark(f, REPORT_TEXT, &p.ex, p.answers, "a.txt", &given, &right,
                                  &err));
    fclose(f);
    free(text);
    snprintf(want, sizeof want, "a.txt:3:3: error: question 99 does not exist (expected 1 to "
             "%u)\n", n);
    check_string(printed(&err), want, "a question out of range");
    answers_free(&given);
    unplay(&p);
}

static void test_answers_compare_by_meaning(void)
{
    struct exercise_question translate = {.kind = QUESTION_TRANSLATE};
    struct exercise_question list = {.kind = QUESTION_RESIDENT};
    CU_ASSERT(exercise_answer_matches(&translate, "0x1a2c", "0x1A2C"));
    CU_ASSERT(exercise_answer_matches(&translate, "fault", "FAULT"));
    CU_ASSERT_FALSE(exercise_answer_matches(&translate, "0x1a2c", "1a2c"));
    CU_ASSERT_FALSE(exercise_answer_matches(&translate, "fault", "0x0"));
    CU_ASSERT(exercise_answer_matches(&list, "1 4 5", "5,1 4"));
    CU_ASSERT(exercise_answer_matches(&list, "none", "None"));
    CU_ASSERT_FALSE(exercise_answer_matches(&list, "1 4 5", "1 4"));
    CU_ASSERT_FALSE(exercise_answer_matches(&list, "1 4 5", "1 4 5 x"));
    CU_ASSERT_FALSE(exercise_answer_matches(&list, "none", ""));
}

/* ---- answer files ---------------------------------------------------------- */

static void bad_answers(const char *text, size_t len, const char *want)
{
    struct answer_file f;
    struct diag err;
    CU_ASSERT_FALSE(answers_parse("a.txt", text, len, &f, &err));
    CU_ASSERT_EQUAL(f.count, 0);
    check_string(printed(&err), want, text);
}

static void test_answer_file_errors(void)
{
    struct answer_file f;
    struct diag err;
    const char *good = "# mine\n1: 0x7a2c\n\n 2 :fault # the page is missing\r\n3:\n";
    CU_ASSERT_FATAL(answers_parse("a.txt", good, strlen(good), &f, &err));
    CU_ASSERT_EQUAL(f.count, 3);
    CU_ASSERT_STRING_EQUAL(answers_find(&f, 1)->text, "0x7a2c");
    CU_ASSERT_STRING_EQUAL(answers_find(&f, 2)->text, "fault");
    CU_ASSERT_EQUAL(answers_find(&f, 2)->line, 4);
    CU_ASSERT_EQUAL(answers_find(&f, 2)->col, 2);
    CU_ASSERT_STRING_EQUAL(answers_find(&f, 3)->text, "");
    CU_ASSERT_PTR_NULL(answers_find(&f, 4));
    answers_free(&f);

    bad_answers("1: 4\nfour: 4\n", 13, "a.txt:2:1: error: 'four: 4' is not a question's number "
                "(expected 'N: ANSWER', such as '1: 0x7a2c')\n");
    bad_answers("  7 0x10\n", 9, "a.txt:1:5: error: no ':' after question 7 (expected "
                "'7: ANSWER')\n");
    bad_answers("0: 1\n", 5, "a.txt:1:1: error: question number 0 is out of range (expected 1 "
                "to 1000)\n");
    bad_answers("1: a\n2: b\n1: c\n", 15, "a.txt:3:1: error: question 1 is answered twice "
                "(expected one answer; the first is on line 1)\n");
    bad_answers("1: a\n2: b\0c\n", 12, "a.txt:2:5: error: a NUL byte (expected text)\n");
    char longer[300];
    memset(longer, 'x', sizeof longer);
    memcpy(longer, "1: ", 3);
    bad_answers(longer, sizeof longer, "a.txt:1:4: error: the answer to question 1 is 297 "
                "bytes long (expected at most 200)\n");
}

void suite_exercise_register(void)
{
    CU_pSuite s = CU_add_suite("exercise", NULL, NULL);
    CU_add_test(s, "every kind's answers agree with a computation of its own",
                test_every_kind_agrees);
    CU_add_test(s, "the same seed gives the same bytes, another seed another exercise",
                test_same_seed_same_bytes);
    CU_add_test(s, "the viewer draws every kind", test_viewer_draws_exercises);
    CU_add_test(s, "marking an answer file", test_marking);
    CU_add_test(s, "answers compare by meaning", test_answers_compare_by_meaning);
    CU_add_test(s, "answer files' errors at their line and column", test_answer_file_errors);
}
