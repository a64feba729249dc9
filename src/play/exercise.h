#ifndef VMVIZ_PLAY_EXERCISE_H
#define VMVIZ_PLAY_EXERCISE_H
/* Exercises from a seed: a scenario generated from (kind, seed,
 * difficulty), whose description states a task and numbered questions,
 * and the answers to them, worked out by playing that scenario on the
 * engine. The same kind, seed and difficulty give the same bytes on every
 * host: the generator draws from its own splitmix64 (vm/rng.h), never
 * from the C library.
 *
 * Marking compares a student's answer file (play/answers.h) with the
 * engine's answers, question by question. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "play/answers.h"
#include "play/report.h"
#include "util/diag.h"
#include "vm/counters.h"

/* The kinds of exercise: id, the name the command line takes, and a line
 * of help. */
#define EXERCISE_KIND_LIST(X)                                                           \
    X(TRANSLATE, "translate", "translate virtual addresses through a page table")      \
    X(TLB, "tlb", "count the TLB hits and misses of a loop over an array")             \
    X(REFS, "refs", "play a reference string under a replacement policy")              \
    X(FORK, "fork", "follow copy-on-write after fork")

enum exercise_kind {
#define EXERCISE_KIND_ENUM(id, name, help) EXERCISE_##id,
    EXERCISE_KIND_LIST(EXERCISE_KIND_ENUM)
#undef EXERCISE_KIND_ENUM
};
/* The kind names in enum order, NULL-terminated (static). */
extern const char *const exercise_kind_names[];
/* A kind's line of help (static; "?" out of range). */
const char *exercise_kind_help(enum exercise_kind kind);

/* How large an exercise is: id and name. */
#define EXERCISE_DIFFICULTY_LIST(X) \
    X(EASY, "easy")                 \
    X(MEDIUM, "medium")             \
    X(HARD, "hard")

enum exercise_difficulty {
#define EXERCISE_DIFFICULTY_ENUM(id, name) EXERCISE_##id,
    EXERCISE_DIFFICULTY_LIST(EXERCISE_DIFFICULTY_ENUM)
#undef EXERCISE_DIFFICULTY_ENUM
};
/* The difficulty names in enum order, NULL-terminated (static). */
extern const char *const exercise_difficulty_names[];

/* The most questions an exercise asks, and room for an answer's text and
 * for its one line of why. */
#define EXERCISE_MAX_QUESTIONS 12
#define EXERCISE_ANSWER_MAX 160
#define EXERCISE_WHY_MAX 320

/* What a question asks, which decides how an answer to it is compared:
 * numbers by value (0x1F equals 31), words and lists without regard to
 * case, lists as sets of numbers. */
enum exercise_question_kind {
    QUESTION_TRANSLATE,   /* arg: a virtual address; a hex address or "fault" */
    QUESTION_COUNTER,     /* a counter's change between two chapters: a number */
    QUESTION_EVICTED,     /* arg: access k (from 1); the page evicted there, or "none" */
    QUESTION_RESIDENT,    /* arg: pages 0..arg-1; those in memory at the end, or "none" */
    QUESTION_SHARED,      /* arg: pages of the area "heap" shared by pid 1 and pid 2 */
};

struct exercise_question {
    enum exercise_question_kind kind;
    uint64_t arg;
    enum counter_id counter;   /* QUESTION_COUNTER */
    unsigned from_chapter;     /* QUESTION_COUNTER: from the start of chapter N (1 is the
                                  first; 0: the start of the run) */
    unsigned to_chapter;       /* ... to the start of chapter N (0: the end of the run) */
};

/* A generated exercise: the scenario's text and the questions its
 * description asks, in order (question 1 is questions[0]). */
struct exercise {
    enum exercise_kind kind;
    enum exercise_difficulty difficulty;
    uint64_t seed;
    char *text;                /* the scenario, NUL-terminated; owned */
    size_t len;
    struct exercise_question questions[EXERCISE_MAX_QUESTIONS];
    unsigned nquestions;
};

/* Generates the exercise of kind, seed and difficulty into *ex. false
 * only when the host has no memory for the text (*ex is then empty).
 * Free it with exercise_free. */
bool exercise_generate(struct exercise *ex, enum exercise_kind kind, uint64_t seed,
                       enum exercise_difficulty difficulty);
/* Frees what exercise_generate made; leaves *ex empty. */
void exercise_free(struct exercise *ex);

/* An answer the engine worked out: its text as a student writes it, and
 * one line on why. */
struct exercise_answer {
    char text[EXERCISE_ANSWER_MAX];
    char why[EXERCISE_WHY_MAX];
};

/* Loads the exercise's scenario (named name in messages, as the viewer
 * would load a file of that name) and plays it to the end on the engine,
 * then answers every question from what the run did and the machine it
 * left: out[i] answers questions[i]. false with *err when the scenario is
 * refused or the run does not end whole (an error in the generator, or
 * a host out of memory). */
bool exercise_solve(const struct exercise *ex, const char *name, struct exercise_answer *out,
                    struct diag *err);

/* Prints the answers. As text, an answer file a student could have
 * written, each answer with its why as a comment: "N: ANSWER    # WHY";
 * as JSON Lines, one {"question", "answer", "why"} object per question. */
void exercise_print_answers(FILE *out, enum report_format format, const struct exercise *ex,
                            const struct exercise_answer *answers);

/* True when given, as a student wrote it, is the same answer as the
 * engine's answer to question q (compared as enum
 * exercise_question_kind says). */
bool exercise_answer_matches(const struct exercise_question *q, const char *expected,
                             const char *given);

/* Marks a student's answers against the engine's: checks that every
 * number answered is a question of the exercise (else false with *err at
 * that answer's line and column, path naming the file), then prints one
 * line per question (ok, or wrong with the right answer and why) and the
 * score, as text or JSON Lines. *right receives the questions answered
 * right. */
bool exercise_mark(FILE *out, enum report_format format, const struct exercise *ex,
                   const struct exercise_answer *answers, const char *path,
                   const struct answer_file *given, unsigned *right, struct diag *err);

#endif
