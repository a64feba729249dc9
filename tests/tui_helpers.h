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

/* Room for a screen read back with term_dump, up to 256 rows of 80
 * columns of UTF-8. */
#define TEST_SCREEN_BUF (256 * 80 * 4)

/* Feeds the keys of a script (keys_parse_script) to the viewer, up to a
 * key that quits; false when the script does not parse. */
bool test_press(struct app *a, const char *script);
/* Draws, reads the screen back and compares it with screens/NAME.txt
 * (run from tests/), failing the CUnit test when they differ and leaving
 * what it got in screens/NAME.actual. With VMVIZ_UPDATE_GOLDEN=1 in the
 * environment it writes the file instead. */
void test_check_golden(struct app *a, const char *name);

#endif
