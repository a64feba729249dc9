/* The viewer on a headless terminal, for the screen suites. */
#include "tui_helpers.h"

#include <stdio.h>

#include "tui/term.h"

struct app *test_app_open(const char *scenario, int cols, int rows)
{
    struct tui_options o = {
        .scenario_path = scenario,
        .scenario_dir = "../scenarios",
        .theme_dir = "../themes",
        .theme_name = "default",
    };
    timeline_overrides_init(&o.overrides);
    struct diag err;
    struct app *a = app_create(&o, &err);
    if (!a) {
        diag_print(stderr, &err);
        return NULL;
    }
    char why[200];
    if (!term_open_headless(cols, rows, 256, why, sizeof why)) {
        fprintf(stderr, "headless terminal: %s\n", why);
        app_destroy(a);
        return NULL;
    }
    app_start(a);
    return a;
}

void test_app_close(struct app *a)
{
    term_close();
    app_destroy(a);
}
