/* The quiz without a terminal: handouts and marking. See quiz_report.h. */
#include "play/quiz_report.h"

#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/exitstatus.h"

/* Choices fit on one line of a handout up to this width. */
#define HANDOUT_WIDTH 76

/* The chapter heading a text report prints when the chapter changes. */
static void text_chapter(FILE *out, const struct quiz *q, unsigned chapter)
{
    const char *title = quiz_chapter_title(q, chapter);
    if (!title)
        return;
    fprintf(out, "\nchapter %u: ", chapter);
    escape_fputs(title, out);
    fputc('\n', out);
}

static void json_kind_and_place(FILE *out, const struct quiz_question *qq)
{
    fprintf(out, "{\"number\":%u,\"kind\":\"%s\",\"chapter\":%u,\"line\":%u,\"col\":%u,"
            "\"stop\":%llu,\"reveal\":%llu,\"question\":", qq->number,
            quiz_kind_name(qq->kind), qq->chapter, qq->line, qq->col,
            (unsigned long long)qq->stop, (unsigned long long)qq->reveal);
    json_string(out, qq->text);
}

static void json_choices(FILE *out, const struct quiz_question *qq)
{
    fputs(",\"choices\":[", out);
    for (unsigned i = 0; i < qq->nchoices; i++) {
        if (i)
            fputc(',', out);
        json_string(out, qq->choices[i]);
    }
    fputc(']', out);
}

/* The choices of a handout: on the question's own line below it when they
 * fit, else one a line. */
static void text_choices(FILE *out, const struct quiz_question *qq)
{
    size_t width = 4;
    for (unsigned i = 0; i < qq->nchoices; i++)
        width += strlen(qq->choices[i]) + 6;
    for (unsigned i = 0; i < qq->nchoices; i++) {
        fputs(i == 0 || width > HANDOUT_WIDTH ? "    " : "   ", out);
        fprintf(out, "%u) ", i + 1);
        escape_fputs(qq->choices[i], out);
        if (width > HANDOUT_WIDTH || i + 1 == qq->nchoices)
            fputc('\n', out);
    }
}

/* The error of a run that stopped short, in err; 2. */
static int run_error(const struct quiz *q, const char *scenario, struct diag *err)
{
    diag_set(err, scenario, 0, 0, "%s", quiz_error(q));
    return EXIT_BAD_INPUT;
}

int quiz_print_questions(FILE *out, enum report_format format, struct quiz *q,
                         const char *scenario, struct diag *err)
{
    const struct quiz_question *qq;
    unsigned chapter = 0;
    while ((qq = quiz_next(q)) != NULL) {
        if (format == REPORT_JSON) {
            json_kind_and_place(out, qq);
            json_choices(out, qq);
            fputs("}\n", out);
            continue;
        }
        if (qq->chapter != chapter)
            text_chapter(out, q, chapter = qq->chapter);
        fprintf(out, "%3u. ", qq->number);
        escape_fputs(qq->text, out);
        fputc('\n', out);
        text_choices(out, qq);
    }
    return quiz_error(q) ? run_error(q, scenario, err) : 0;
}

/* A score line: text "chapter 2 (Title): 3/4 right, 1 wrong" or a JSON
 * object; chapter QUIZ_EVERY_CHAPTER is the total. */
static void print_score(FILE *out, enum report_format format, const struct quiz *q,
                        unsigned chapter)
{
    struct quiz_score s = quiz_score(q, chapter);
    unsigned missing = s.questions - s.right - s.wrong - s.skipped;
    if (format == REPORT_JSON) {
        if (chapter == QUIZ_EVERY_CHAPTER) {
            fputs("{\"total\":true", out);
        } else {
            fprintf(out, "{\"chapter\":%u,\"title\":", chapter);
            const char *title = quiz_chapter_title(q, chapter);
            if (title)
                json_string(out, title);
            else
                fputs("null", out);
        }
        fprintf(out, ",\"questions\":%u,\"right\":%u,\"wrong\":%u,\"unanswered\":%u}\n",
                s.questions, s.right, s.wrong, missing);
        return;
    }
    if (chapter == QUIZ_EVERY_CHAPTER) {
        fputs("total", out);
    } else if (quiz_chapter_title(q, chapter)) {
        fprintf(out, "chapter %u (", chapter);
        escape_fputs(quiz_chapter_title(q, chapter), out);
        fputc(')', out);
    } else {
        fputs("before the first chapter", out);
    }
    fprintf(out, ": %u/%u right", s.right, s.questions);
    if (s.wrong)
        fprintf(out, ", %u wrong", s.wrong);
    if (missing)
        fprintf(out, ", %u unanswered", missing);
    fputc('\n', out);
}

/* One marked question. */
static void print_marked(FILE *out, enum report_format format, const struct quiz_question *qq,
                         int given)
{
    bool right = given >= 0 && (unsigned)given == qq->answer;
    if (format == REPORT_JSON) {
        json_kind_and_place(out, qq);
        json_choices(out, qq);
        fputs(",\"given\":", out);
        if (given >= 0)
            json_string(out, qq->choices[given]);
        else
            fputs("null", out);
        fputs(",\"answer\":", out);
        json_string(out, qq->choices[qq->answer]);
        fprintf(out, ",\"right\":%s,\"why\":", right ? "true" : "false");
        json_string(out, qq->why);
        fputs("}\n", out);
        return;
    }
    fprintf(out, "%3u. %s ", qq->number, right ? "right" : given >= 0 ? "WRONG" : "NO ANSWER");
    escape_fputs(qq->text, out);
    fputs("\n     ", out);
    if (!right && given >= 0) {
        fprintf(out, "you said %d) ", given + 1);
        escape_fputs(qq->choices[given], out);
        fputs("; ", out);
    }
    fprintf(out, "the answer is %u) ", qq->answer + 1);
    escape_fputs(qq->choices[qq->answer], out);
    fputs(". ", out);
    escape_fputs(qq->why, out);
    fputc('\n', out);
}

/* Marks every question into out; 0 or the exit status with err set. */
static int mark_all(FILE *out, enum report_format format, struct quiz *q,
                    const struct answer_file *sheet, const char *answers_path,
                    const char *scenario, struct diag *err)
{
    const struct quiz_question *qq;
    unsigned chapter = 0;
    bool started = false;
    while ((qq = quiz_next(q)) != NULL) {
        if (!started || qq->chapter != chapter) {
            if (started)
                print_score(out, format, q, chapter);
            chapter = qq->chapter;
            started = true;
            if (format == REPORT_TEXT)
                text_chapter(out, q, chapter);
        }
        const struct answer *a = answers_find(sheet, qq->number);
        int given = QUIZ_UNANSWERED;
        /* "N:" with nothing after it is a question left unanswered. */
        if (a && a->text[0]) {
            const char *names[QUIZ_MAX_CHOICES];
            for (unsigned i = 0; i < qq->nchoices; i++)
                names[i] = qq->choices[i];
            given = answers_choice(a, names, qq->nchoices);
            if (given < 0) {
                diag_set(err, answers_path, a->line, a->text_col, "'%.*s' is not a choice of "
                         "question %u (expected 1 to %u, or a choice's words such as '%s')",
                         DIAG_QUOTE_MAX, a->text, qq->number, qq->nchoices, qq->choices[0]);
                return EXIT_BAD_INPUT;
            }
        }
        quiz_answer(q, qq->number, given);
        print_marked(out, format, qq, given);
    }
    if (quiz_error(q))
        return run_error(q, scenario, err);
    if (started)
        print_score(out, format, q, chapter);
    size_t count = quiz_count(q);
    for (size_t i = 0; i < sheet->count; i++) {
        const struct answer *a = &sheet->items[i];
        if (a->number > count) {
            diag_set(err, answers_path, a->line, a->col, "there is no question %u (expected a "
                     "question number from 1 to %zu)", a->number, count);
            return EXIT_BAD_INPUT;
        }
    }
    if (format == REPORT_TEXT)
        fputc('\n', out);
    print_score(out, format, q, QUIZ_EVERY_CHAPTER);
    struct quiz_score s = quiz_score(q, QUIZ_EVERY_CHAPTER);
    return s.right == s.questions ? 0 : EXIT_EXPECT_FAILED;
}

int quiz_mark(FILE *out, enum report_format format, struct quiz *q,
              const struct answer_file *sheet, const char *answers_path, const char *scenario,
              struct diag *err)
{
    /* Nothing is printed before the last answer is known to fit its
     * question: the report is made in memory first. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        diag_set(err, answers_path, 0, 0, "out of memory marking the answers (expected a "
                 "smaller scenario)");
        return EXIT_BAD_INPUT;
    }
    int status = mark_all(mem, format, q, sheet, answers_path, scenario, err);
    if (fclose(mem) != 0 && status != EXIT_BAD_INPUT) {
        diag_set(err, answers_path, 0, 0, "out of memory marking the answers (expected a "
                 "smaller scenario)");
        status = EXIT_BAD_INPUT;
    }
    if (status != EXIT_BAD_INPUT && text)
        fwrite(text, 1, len, out);
    free(text);
    return status;
}
