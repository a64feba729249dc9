/* What the suites that drive the viewer headless share. */
#ifndef VMVIZ_TESTS_TUI_HELPERS_H
#define VMVIZ_TESTS_TUI_HELPERS_H

#include "tui/app.h"

/* Opens the viewer on a scenario (NULL: the picker of ../scenarios) on a
 * headless terminal of cols x rows with 256 colours and the default theme
 * of ../themes. NULL, with the reason on stderr, when it cannot. */
struct app *test_app_open(const char *scenario, int cols, int rows);
/* The options test_app_open uses, for a test to change some first. */
void test_app_options(struct tui_options *o, const char *scenario);
/* test_app_open with options of the caller's. */
struct app *test_app_open_with(const struct tui_options *o, int cols, int rows);
/* Closes the terminal and frees the viewer. */
void test_app_close(struct app *a);

/* The most bytes a screen takes as text (term_dump). */
#define SCREEN_BUF (256 * 80 * 4)

/* Feeds the keys of a script (keys_parse_script) to the viewer, stopping
 * at a quit; false when the script does not parse. */
bool test_press(struct app *a, const char *script);
/* Draws, reads the screen back and compares it with screens/NAME.txt
 * (VMVIZ_UPDATE_GOLDEN=1 writes it instead); a mismatch fails the test and
 * leaves what it got in screens/NAME.actual. */
void test_golden(struct app *a, const char *name);
/* Draws and returns the screen as text (malloc'd; the caller frees). */
char *test_screen_text(struct app *a);

#endif
