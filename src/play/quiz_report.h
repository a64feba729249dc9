#ifndef VMVIZ_PLAY_QUIZ_REPORT_H
#define VMVIZ_PLAY_QUIZ_REPORT_H
/* The quiz without a terminal: a handout of numbered questions, and the
 * marking of an answer file against what the engine does. Text for people,
 * JSON Lines (one object a line, stable keys) for programs. Scenario
 * text in a question (a chapter's title) is printed in its visible form. */
#include <stdio.h>

#include "play/answers.h"
#include "play/quiz.h"
#include "play/report.h"

/* Prints every question q has left to find (quiz_next to the end), numbered,
 * each with its choices numbered from 1, under the title of its chapter,
 * but not the answers. Returns 0, or 2 with err set when the run could not
 * be played to its end (quiz_error; scenario is the path it names). */
int quiz_print_questions(FILE *out, enum report_format format, struct quiz *q,
                         const char *scenario, struct diag *err);

/* Marks the answers of sheet (read from answers_path) against every
 * question q has left to find: for each question whether it was right, the
 * right choice and why; the score of each chapter; the total. Returns 0
 * when every question was answered right, 1 when some were not (a question
 * without an answer is wrong), or 2 with err set and nothing printed when
 * an answer names no choice of its question or a question that does not
 * exist, or the run could not be played to its end. */
int quiz_mark(FILE *out, enum report_format format, struct quiz *q,
              const struct answer_file *sheet, const char *answers_path, const char *scenario,
              struct diag *err);

#endif
