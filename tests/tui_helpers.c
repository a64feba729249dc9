/* The viewer on a headless terminal, for the screen suites: opening it,
 * feeding it keys, and comparing its screen with a golden file. */
#include "tui_helpers.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
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

bool test_press(struct app *a, const char *script)
{
    int keys[256];
    size_t bad;
    int n = keys_parse_script(script, keys, 256, &bad);
    if (n < 0) {
        fprintf(stderr, "bad key script at %zu: %s\n", bad, script);
        return false;
    }
    for (int i = 0; i < n; i++)
        if (app_key(a, keys[i]) & APP_QUIT)
            break;
    return true;
}

static char *read_all(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(TEST_SCREEN_BUF);
    size_t n = buf ? fread(buf, 1, TEST_SCREEN_BUF - 1, fp) : 0;
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void write_all(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return;
    fputs(text, fp);
    fclose(fp);
}

void test_check_golden(struct app *a, const char *name)
{
    app_draw(a);
    char *got = malloc(TEST_SCREEN_BUF);
    CU_ASSERT_FATAL(got != NULL);
    term_dump(got, TEST_SCREEN_BUF);
    char path[256], actual[256];
    snprintf(path, sizeof path, "screens/%s.txt", name);
    snprintf(actual, sizeof actual, "screens/%s.actual", name);
    const char *update = getenv("VMVIZ_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        write_all(path, got);
        remove(actual);
        free(got);
        return;
    }
    char *want = read_all(path);
    if (!want) {
        fprintf(stderr, "\n%s: missing (VMVIZ_UPDATE_GOLDEN=1 creates it)\n", path);
        CU_FAIL("golden file missing");
        write_all(actual, got);
        free(got);
        return;
    }
    if (strcmp(want, got) != 0) {
        /* Point at the first line that differs. */
        int line = 1;
        const char *w = want, *g = got;
        while (*w && *w == *g) {
            if (*w == '\n')
                line++;
            w++;
            g++;
        }
        fprintf(stderr, "\n%s: differs from line %d; got %s\n", path, line, actual);
        write_all(actual, got);
        CU_FAIL("screen differs from its golden file");
    } else {
        remove(actual);
    }
    free(want);
    free(got);
}
