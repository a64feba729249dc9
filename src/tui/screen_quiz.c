/* Quiz mode: predict, then see. Moving forward stops just before each
 * decision the engine is about to make (play/quiz.h) and this overlay asks
 * it, the choices numbered; one digit answers, Esc skips. Then the viewer
 * steps on to the event that shows the answer, and the overlay says
 * whether the answer was right and why, with the score; at the end of a
 * chapter the chapter's score, at the last question the total. Any key
 * then goes on (to the next question when the reveal reached one).
 *
 * A question answered or skipped is never asked again: stepping back and
 * forward again goes past it, and the score keeps the first answer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "play/quiz.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

/* The overlay's widest. */
#define QUIZ_MAX_COLS 76

void quiz_reset(struct app *a)
{
    quiz_destroy(a->quiz);
    a->quiz = NULL;
    a->quiz_number = 0;
    a->quiz_revealed = false;
    if (a->overlay == SCREEN_QUIZ)
        a->overlay = SCREEN_COUNT;
}

/* The quiz of the machine on screen, made now if need be; NULL (said in
 * the message line) when it cannot be. The viewer asks the tour: each
 * kind once per scenario step (play/quiz.h). */
static struct quiz *quiz_of(struct app *a)
{
    if (a->quiz || !a->sc)
        return a->quiz;
    struct diag err;
    struct quiz_options qo = {.kinds = QUIZ_ALL_KINDS, .keep = true};
    a->quiz = quiz_create(a->sc, &a->opts.overrides, &qo, &err);
    if (!a->quiz) {
        snprintf(a->message, sizeof a->message, "No quiz: %s", err.message);
        a->message_error = true;
    }
    return a->quiz;
}

static const struct quiz_question *shown(const struct app *a)
{
    return a->quiz ? quiz_question(a->quiz, a->quiz_number) : NULL;
}

/* "quiz 7/9": right of those answered or skipped. */
static void score_words(const struct quiz *q, char *buf, size_t len)
{
    struct quiz_score s = quiz_score(q, QUIZ_EVERY_CHAPTER);
    snprintf(buf, len, "quiz %u/%u", s.right, s.right + s.wrong + s.skipped);
}

unsigned quiz_toggle(struct app *a)
{
    a->quiz_mode = !a->quiz_mode;
    if (a->quiz_mode) {
        snprintf(a->message, sizeof a->message, "Quiz mode: stepping forward stops before "
                 "each decision and asks it. %s ends it.", keys_first(ACTION_QUIZ).s);
    } else {
        char score[48] = "no answers";
        if (a->quiz)
            score_words(a->quiz, score, sizeof score);
        snprintf(a->message, sizeof a->message, "Quiz mode off (%s).", score);
    }
    a->message_error = false;
    return APP_HANDLED | APP_REDRAW;
}

/* Opens the overlay on question q, the viewer at its stop. */
static unsigned ask(struct app *a, const struct quiz_question *q)
{
    a->playing = false;
    a->quiz_number = q->number;
    a->quiz_revealed = false;
    return screens_switch(a, SCREEN_QUIZ);
}

unsigned quiz_after_move(struct app *a, uint64_t before)
{
    struct quiz *q = quiz_of(a);
    uint64_t after = timeline_position(a->tl);
    const struct quiz_question *next = q ? quiz_pending(q, before, after) : NULL;
    if (!next)
        return 0;
    if (next->stop != after && !timeline_seek(a->tl, next->stop))
        return APP_REDRAW;
    return ask(a, next);
}

void screen_quiz_init(struct app *a)
{
    (void)a;
}

/* The lines the overlay shows after the answer: the verdict, why, and the
 * scores due (the chapter's when its last question was this one, the
 * total at the very last). */
static size_t result_lines(struct app *a, const struct quiz_question *shown_q,
                           char lines[][512], size_t max)
{
    /* A copy: finding the next question may move the quiz's questions. */
    const struct quiz_question copy = *shown_q, *q = &copy;
    size_t n = 0;
    int given = quiz_given(a->quiz, q->number);
    char score[48];
    score_words(a->quiz, score, sizeof score);
    if (given == QUIZ_SKIPPED)
        snprintf(lines[n++], 512, "Skipped: the answer is %u) %s (%s).", q->answer + 1,
                 q->choices[q->answer], score);
    else if ((unsigned)given == q->answer)
        snprintf(lines[n++], 512, "Right: %u) %s (%s).", q->answer + 1, q->choices[q->answer],
                 score);
    else
        snprintf(lines[n++], 512, "Wrong: you said %d) %s; the answer is %u) %s (%s).",
                 given + 1, q->choices[given], q->answer + 1, q->choices[q->answer], score);
    snprintf(lines[n++], 512, "%s", q->why);
    /* The question after this one, if any, tells whether a chapter ended. */
    quiz_find_through(a->quiz, q->stop);
    const struct quiz_question *after = quiz_question(a->quiz, q->number + 1);
    if (n < max && (!after || after->chapter != q->chapter) && q->chapter > 0) {
        struct quiz_score s = quiz_score(a->quiz, q->chapter);
        snprintf(lines[n++], 512, "Chapter %u (%s): %u/%u right.", q->chapter,
                 quiz_chapter_title(a->quiz, q->chapter), s.right, s.questions);
    }
    if (n < max && !after) {
        struct quiz_score s = quiz_score(a->quiz, QUIZ_EVERY_CHAPTER);
        snprintf(lines[n++], 512, "The quiz is over: %u/%u right, %u wrong, %u skipped.",
                 s.right, s.questions, s.wrong, s.skipped);
    }
    return n;
}

void screen_quiz_draw(struct app *a)
{
    const struct quiz_question *q = shown(a);
    if (!q)
        return;
    int cols, rows;
    term_size(&cols, &rows);
    int w = cols - 2 * (OVERLAY_MARGIN + OVERLAY_PAD + 1);
    if (w > QUIZ_MAX_COLS)
        w = QUIZ_MAX_COLS;
    char result[4][512];
    size_t nresult = a->quiz_revealed ? result_lines(a, q, result, 4) : 0;
    q = shown(a);
    char hint[96];
    if (a->quiz_revealed)
        snprintf(hint, sizeof hint, "Any key goes on.");
    else
        snprintf(hint, sizeof hint, "1-%u: answer.  %s: skip.", q->nchoices,
                 keys_first(ACTION_CLOSE).s);
    /* The question, a blank row, the choices or the verdict, a blank row,
     * the hint. */
    int h = draw_wrap_rows(w, q->text) + 3;
    if (a->quiz_revealed)
        for (size_t i = 0; i < nresult; i++)
            h += draw_wrap_rows(w, result[i]);
    else
        h += (int)q->nchoices;
    struct rect box = overlay_box_around(w, h);
    char title[80], score[48];
    score_words(a->quiz, score, sizeof score);
    snprintf(title, sizeof title, "Question %u (%s)", q->number, score);
    draw_box(box, ROLE_OVERLAY, title);
    struct rect in = overlay_inside(box, OVERLAY_PAD);
    int y = draw_wrap(in, 0, ROLE_OVERLAY, q->text) + 1;
    if (a->quiz_revealed) {
        for (size_t i = 0; i < nresult; i++)
            y += draw_wrap(in, y, i == 0 ? ROLE_SAY : ROLE_OVERLAY, result[i]);
    } else {
        for (unsigned i = 0; i < q->nchoices; i++, y++) {
            draw_wholef(in, y, 0, ROLE_KEYHINT, "%u", i + 1);
            draw_words(in, y, 3, ROLE_OVERLAY, q->choices[i]);
        }
    }
    draw_words(in, y + 1, 0, ROLE_KEYHINT, hint);
}

/* Records what was given, steps on to the answer (but never past the next
 * question's stop), and shows the verdict. */
static unsigned answer(struct app *a, const struct quiz_question *q, int given)
{
    /* Finding the next question may move the quiz's questions: q is read
     * before. */
    unsigned number = q->number, right = q->answer;
    uint64_t stop = q->stop, target = q->reveal;
    quiz_answer(a->quiz, number, given);
    const struct quiz_question *next = quiz_pending(a->quiz, stop, target);
    if (next && next->stop < target)
        target = next->stop;
    app_busy_begin(a, "Showing the answer");
    timeline_seek(a->tl, target);
    unsigned r = screen_main_finish(a, APP_HANDLED | APP_REDRAW);
    a->quiz_revealed = true;
    a->scroll[PANEL_NARRATION] = 0;
    char score[48];
    score_words(a->quiz, score, sizeof score);
    int got = quiz_given(a->quiz, number);
    snprintf(a->message, sizeof a->message, "%s: %s.", got == QUIZ_SKIPPED ? "Skipped"
             : (unsigned)got == right ? "Right" : "Wrong", score);
    a->message_error = false;
    return r;
}

unsigned screen_quiz_key(struct app *a, int key)
{
    const struct quiz_question *q = shown(a);
    if (!q)
        return screens_switch(a, SCREEN_COUNT);
    if (a->quiz_revealed) {
        /* Going on: the next question when the reveal stopped at one. */
        uint64_t here = timeline_position(a->tl);
        const struct quiz_question *next = quiz_pending(a->quiz, here, here);
        if (next)
            return ask(a, next);
        return screens_switch(a, SCREEN_COUNT);
    }
    if (key >= '1' && key < '1' + (int)q->nchoices)
        return answer(a, q, key - '1');
    enum key_action act = keys_lookup(key);
    if (act == ACTION_CLOSE)
        return answer(a, q, QUIZ_SKIPPED);
    if (act == ACTION_QUIT)
        return app_ask_quit(a);
    if (act == ACTION_QUIZ) {
        screens_switch(a, SCREEN_COUNT);
        return quiz_toggle(a);
    }
    return APP_HANDLED;
}
