#ifndef VMVIZ_PLAY_QUIZ_H
#define VMVIZ_PLAY_QUIZ_H
/* Predict, then see: the decision points of a scenario's accesses as
 * questions asked before the machine shows the answer.
 *
 * A quiz plays the scenario on a timeline of its own (headless, the same
 * overrides as the viewer's or the command line's), so the right answer of
 * every question is what the engine does next, never a table: whether the
 * TLB hits, where the walk stops, which kind of fault the handler makes of
 * it, which frame the policy evicts, which physical address the access
 * reaches. Each question knows where to stop (the position just before the
 * event that reveals the answer: the screen shows the state after `stop`
 * and the answer is in the events up to `reveal`), its choices (at most
 * QUIZ_MAX_CHOICES, so one digit answers it), the right one, and why, in
 * the narration's sentence for the revealing event.
 *
 * What is asked: the kinds the caller's mask names, at most one question
 * of each kind per access (the first TLB lookup, the first walk, the first
 * victim), and nothing about an access to the page the access before it
 * touched in the same process unless it writes where that one did not
 * (the translation is in the TLB and the page is there: the answers would
 * give nothing to think about). A tour (the default) asks each kind at
 * most once per scenario step, at the first access of the step that meets
 * that decision, so that a memset of a hundred pages is one set of
 * questions, not a hundred; a drill (every_access) asks it at every access
 * of every step, as a reference string's victims call for.
 *
 * A scenario's ask: step is a question too: how much a counter changes
 * from there to the next expect (or over the next N accesses), its
 * choices the scenario's (with the engine's answer added when they lack
 * it) or the change the engine makes and three numbers near it. It is complete, like every question, once the events that
 * answer it have been played; at most QUIZ_MAX_WAITING wait for their
 * answer at once (an ask beyond that is not asked).
 *
 * Questions come one at a time (quiz_next), in the order of their stop
 * positions, as far as the caller needs them: the viewer asks for the
 * questions up to where it is going, a handout for all of them. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "play/timeline.h"
#include "scenario/scenario.h"
#include "util/diag.h"

/* The kinds of question: id, the name --ask and reports use, and what the
 * question is about. */
#define QUIZ_KIND_LIST(X)                                      \
    X(TLB, "tlb", "does the TLB hit or miss")                  \
    X(WALK, "walk", "where does the page walk stop")           \
    X(FAULT, "fault", "what kind of fault is it")              \
    X(VICTIM, "victim", "which frame does the policy evict")   \
    X(PA, "pa", "which physical address is reached")          \
    X(ASK, "ask", "the scenario's own questions (ask: steps)")

enum quiz_kind {
#define QUIZ_KIND_ENUM(id, name, about) QUIZ_##id,
    QUIZ_KIND_LIST(QUIZ_KIND_ENUM)
#undef QUIZ_KIND_ENUM
    QUIZ_KIND_COUNT
};
#define QUIZ_ALL_KINDS ((1u << QUIZ_KIND_COUNT) - 1)

/* The kind names, NULL-terminated, for --ask and its "did you mean". */
extern const char *const quiz_kind_names[];
/* A kind's name ("tlb", ...); "?" out of range. */
const char *quiz_kind_name(enum quiz_kind kind);

/* What the fault question's choices are: the classes an access can end
 * in, id and the words of its choice. Which fault kind of the engine
 * falls in which class is QUIZ_FAULT_CLASS_OF in quiz.c, one row per
 * fault kind. */
#define QUIZ_FAULT_CLASS_LIST(X)      \
    X(NONE, "no fault")               \
    X(MINOR, "minor fault")           \
    X(MAJOR, "major fault")           \
    X(COW, "copy-on-write")           \
    X(SIGSEGV, "SIGSEGV")             \
    X(OOM, "OOM kill")

enum quiz_fault_class {
#define QUIZ_FAULT_CLASS_ENUM(id, words) QUIZ_FAULT_##id,
    QUIZ_FAULT_CLASS_LIST(QUIZ_FAULT_CLASS_ENUM)
#undef QUIZ_FAULT_CLASS_ENUM
    QUIZ_FAULT_CLASS_COUNT
};

/* The class of one of the engine's fault kinds (enum fault_kind). */
enum quiz_fault_class quiz_fault_class(unsigned fault_kind);

/* The ask: questions that may wait for their answer at once. */
#define QUIZ_MAX_WAITING 16
/* One digit answers a question. */
#define QUIZ_MAX_CHOICES 9
#define QUIZ_CHOICE_MAX 40
#define QUIZ_TEXT_MAX 160
#define QUIZ_WHY_MAX 400
/* The choice words of the walk question when no entry on the way is
 * missing. */
#define QUIZ_WALK_REACHES "it reaches the page"

struct quiz_question {
    enum quiz_kind kind;
    unsigned number;          /* from 1, in the order of the stop positions */
    uint64_t stop;            /* ask here: the state after this position */
    uint64_t reveal;          /* the event at this position shows the answer */
    uint64_t access_seq;      /* the access it is about (timeline's access_seq) */
    unsigned chapter;         /* the chapter it is in: 0 before the first, then from 1 */
    unsigned line, col;       /* the scenario step of the access */
    char text[QUIZ_TEXT_MAX];
    unsigned nchoices;
    char choices[QUIZ_MAX_CHOICES][QUIZ_CHOICE_MAX];
    unsigned answer;          /* the index of the right choice */
    char why[QUIZ_WHY_MAX];   /* the narration of the revealing event */
};

/* What was given for a question. */
#define QUIZ_UNANSWERED (-1)
#define QUIZ_SKIPPED (-2)

struct quiz_score {
    unsigned questions;       /* found so far */
    unsigned right, wrong, skipped; /* the rest is unanswered */
};

struct quiz;

/* What a quiz asks and keeps. */
struct quiz_options {
    unsigned kinds;       /* bits 1 << QUIZ_x */
    bool every_access;    /* a drill: every access, not once per step (see above) */
    /* Every question found stays readable by number (quiz_question), as
     * the viewer needs to show one again; without it only the newest
     * does, so that a handout of a long trace takes no more memory than
     * one question (the scores stay: a few bytes per question). */
    bool keep;
};

/* A quiz of the scenario s (borrowed: it must outlive the quiz) with the
 * overrides o and the options (both read during the call). NULL with err
 * set when the scenario cannot be played (as timeline_create). */
struct quiz *quiz_create(const struct scenario *s, const struct timeline_overrides *o,
                         const struct quiz_options *opts, struct diag *err);
/* Frees the quiz; NULL is allowed. */
void quiz_destroy(struct quiz *q);

/* The next question (in stop order), playing the quiz's timeline as far as
 * needed; NULL when there is none left. The question is the quiz's, valid
 * until the next call (or, with keep, until quiz_destroy). */
const struct quiz_question *quiz_next(struct quiz *q);
/* Finds every question that stops at or before position (quiz_next until
 * one stops beyond it or none is left). Returns how many are known. */
size_t quiz_find_through(struct quiz *q, uint64_t position);
/* Questions found so far. */
size_t quiz_count(const struct quiz *q);
/* Question number n (from 1) when kept (see quiz_create), else NULL. */
const struct quiz_question *quiz_question(const struct quiz *q, size_t n);
/* The first unanswered question that stops from position `from` to
 * `through` (both included), finding questions as far as needed; NULL
 * when there is none (and always without keep). */
const struct quiz_question *quiz_pending(struct quiz *q, uint64_t from, uint64_t through);
/* NULL, or why the quiz's timeline could play no further (timeline_error). */
const char *quiz_error(const struct quiz *q);

/* Records what was given for question n (from 1, found already): a choice
 * index, QUIZ_SKIPPED or QUIZ_UNANSWERED. Returns true when it is the right
 * choice. A question answered before keeps its first answer: stepping back
 * and forward again does not change the score. */
bool quiz_answer(struct quiz *q, size_t n, int given);
/* What was given for question n: a choice index, QUIZ_SKIPPED or
 * QUIZ_UNANSWERED (also for a number never found). */
int quiz_given(const struct quiz *q, size_t n);
/* The score of a chapter's questions found so far (chapter as
 * quiz_question.chapter), or of all of them with QUIZ_EVERY_CHAPTER. */
#define QUIZ_EVERY_CHAPTER UINT32_MAX
struct quiz_score quiz_score(const struct quiz *q, unsigned chapter);
/* Chapters met so far, and the title of chapter c (from 1; NULL out of
 * range; borrowed from the scenario). */
unsigned quiz_chapters(const struct quiz *q);
const char *quiz_chapter_title(const struct quiz *q, unsigned c);

#endif
