/* What the suites that drive the viewer headless share. */
#ifndef VMVIZ_TESTS_TUI_HELPERS_H
#define VMVIZ_TESTS_TUI_HELPERS_H

#include "tui/app.h"

/* Opens the viewer on a scenario (NULL: the picker of ../scenarios) on a
 * headless terminal of cols x rows with 256 colours and the default theme
 * of ../themes. NULL, with the reason on stderr, when it cannot. */
struct app *test_app_open(const char *scenario, int cols, int rows);
/* Closes the terminal and frees the viewer. */
void test_app_close(struct app *a);

#endif
