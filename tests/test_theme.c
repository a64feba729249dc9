/* Theme files: the shipped themes parse, and broken ones give the exact
 * FILE:LINE:COLUMN message. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "tui/theme.h"

static bool parse(struct theme *t, const char *text, struct diag *err)
{
    return theme_parse(t, "t", "t.theme", text, strlen(text), err);
}

/* Parses text, expecting a failure with exactly this diagnostic. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *message)
{
    struct theme t;
    struct diag err;
    memset(&err, 0, sizeof err);
    CU_ASSERT_FALSE(parse(&t, text, &err));
    CU_ASSERT_STRING_EQUAL(err.file, "t.theme");
    CU_ASSERT_EQUAL(err.line, line);
    CU_ASSERT_EQUAL(err.col, col);
    CU_ASSERT_STRING_EQUAL(err.message, message);
    if (strcmp(err.message, message) != 0 || err.line != line || err.col != col)
        fprintf(stderr, "\n  got %u:%u: %s\n", err.line, err.col, err.message);
}

static void test_good(void)
{
    struct theme t;
    struct diag err;
    CU_ASSERT_TRUE(parse(&t,
                         "# comment\n"
                         "\n"
                         "normal   252 -   white -\n"
                         "tlb_hit  16  114 black green bold,underline  # trailing\n"
                         "\tvictim 1 2 3 4 -\r\n",
                         &err));
    CU_ASSERT_STRING_EQUAL(t.name, "t");
    const struct theme_style *h = &t.styles[ROLE_TLB_HIT];
    CU_ASSERT(h->set);
    CU_ASSERT_EQUAL(h->fg256, 16);
    CU_ASSERT_EQUAL(h->bg256, 114);
    CU_ASSERT_EQUAL(h->fg8, 0);
    CU_ASSERT_EQUAL(h->bg8, 2);
    CU_ASSERT_EQUAL(h->attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
    CU_ASSERT_EQUAL(t.styles[ROLE_NORMAL].bg256, -1);
    CU_ASSERT_EQUAL(t.styles[ROLE_VICTIM].fg8, 3);
    /* A role the file leaves out looks like normal, without attributes. */
    CU_ASSERT_FALSE(t.styles[ROLE_DIRTY].set);
    CU_ASSERT_EQUAL(t.styles[ROLE_DIRTY].fg256, 252);
    CU_ASSERT_EQUAL(t.styles[ROLE_DIRTY].attrs, 0u);
}

static void test_shipped_themes(void)
{
    static const char *const names[] = {"default", "light", "projector", "mono"};
    for (size_t i = 0; i < 4; i++) {
        struct theme t;
        struct diag err;
        bool ok = theme_load(&t, "../themes", names[i], &err);
        if (!ok)
            diag_print(stderr, &err);
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_STRING_EQUAL(t.name, names[i]);
        /* Every shipped theme sets every role: none falls back by accident. */
        for (int r = 0; r < ROLE_COUNT && ok; r++) {
            if (!t.styles[r].set)
                fprintf(stderr, "\n  %s does not set %s\n", names[i], theme_role_name(r));
            CU_ASSERT(t.styles[r].set);
        }
    }
    /* mono: attributes only. */
    struct theme m;
    struct diag err;
    CU_ASSERT_TRUE_FATAL(theme_load(&m, "../themes", "mono", &err));
    for (int r = 0; r < ROLE_COUNT; r++) {
        CU_ASSERT_EQUAL(m.styles[r].fg256, -1);
        CU_ASSERT_EQUAL(m.styles[r].bg8, -1);
    }
    char *names_found[32];
    size_t n = theme_list("../themes", names_found, 32);
    CU_ASSERT(n >= 4);
    CU_ASSERT_STRING_EQUAL(names_found[0], "default");
    theme_names_free(names_found, n);
}

static void test_builtin(void)
{
    struct theme t;
    theme_builtin_mono(&t);
    CU_ASSERT_STRING_EQUAL(t.name, "mono");
    CU_ASSERT(t.styles[ROLE_TLB_HIT].attrs & THEME_ATTR_REVERSE);
}

static void test_errors(void)
{
    expect_error("tlb_hti 1 2 3 4\n", 1, 1,
                 "unknown role 'tlb_hti' (expected a role such as normal, tlb_hit or victim; "
                 "did you mean 'tlb_hit'?)");
    expect_error("normal - - - -\n  victim 300 - - -\n", 2, 10,
                 "bad fg256 '300' (expected a colour number 0-255, or - for the terminal's "
                 "default)");
    expect_error("normal - x - -\n", 1, 10,
                 "bad bg256 'x' (expected a colour number 0-255, or - for the terminal's "
                 "default)");
    expect_error("normal - - gren -\n", 1, 12,
                 "bad fg8 'gren' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
                 "white, or - for the terminal's default; did you mean 'green'?)");
    expect_error("normal - - - 8\n", 1, 14,
                 "bad bg8 '8' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
                 "white, or - for the terminal's default)");
    expect_error("normal - - - - bold,blod\n", 1, 21,
                 "bad attribute 'blod' (expected bold, dim, italic, reverse, standout or "
                 "underline, separated by commas, or -; did you mean 'bold'?)");
    expect_error("normal 1 2\n", 1, 11, "missing fg8 (expected: role fg256 bg256 fg8 bg8 [attrs])");
    expect_error("normal - - - - bold extra\n", 1, 21,
                 "unexpected field 'extra' (expected: role fg256 bg256 fg8 bg8 [attrs])");
    expect_error("normal - - - -\n# x\nnormal 1 1 1 1\n", 3, 1,
                 "role 'normal' is set twice (first on line 1; expected each role once)");
    expect_error("# nothing\n\n", 2, 1,
                 "the theme sets no role (expected lines: role fg256 bg256 fg8 bg8 [attrs])");
}

static void test_load_errors(void)
{
    struct theme t;
    struct diag err;
    CU_ASSERT_FALSE(theme_load(&t, "../themes", "defualt", &err));
    CU_ASSERT_EQUAL(err.line, 0u);
    CU_ASSERT_STRING_EQUAL(err.message,
                           "no theme 'defualt' in ../themes (expected one of: default, light, "
                           "mono, projector; did you mean 'default'?)");
    CU_ASSERT_FALSE(theme_load(&t, "../themes", "data/tui/no-such.theme", &err));
    CU_ASSERT_STRING_EQUAL(err.file, "data/tui/no-such.theme");
    CU_ASSERT(strncmp(err.message, "cannot read the theme: ", 23) == 0);
    /* A broken file on disk: the message names the file and the place. */
    CU_ASSERT_FALSE(theme_load(&t, "data/tui", "./data/tui/broken.theme", &err));
    CU_ASSERT_STRING_EQUAL(err.file, "./data/tui/broken.theme");
    CU_ASSERT_EQUAL(err.line, 4u);
    CU_ASSERT_EQUAL(err.col, 32u);
    char line[1024];
    FILE *fp = tmpfile();
    CU_ASSERT_FATAL(fp != NULL);
    diag_print(fp, &err);
    rewind(fp);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, fp));
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(line, "./data/tui/broken.theme:4:32: error: bad fg8 'purple' (expected "
                                 "0-7, black, red, green, yellow, blue, magenta, cyan, white, or - "
                                 "for the terminal's default)\n");
}

static void test_roles(void)
{
    CU_ASSERT_EQUAL(theme_role_lookup("tlb_hit"), ROLE_TLB_HIT);
    CU_ASSERT_EQUAL(theme_role_lookup("nope"), -1);
    CU_ASSERT_STRING_EQUAL(theme_role_name(ROLE_VICTIM), "victim");
    CU_ASSERT_STRING_EQUAL(theme_role_name(ROLE_COUNT), "?");
    for (int r = 0; r < ROLE_COUNT; r++)
        CU_ASSERT(strlen(theme_role_text(r)) > 0);
}

void suite_theme_register(void);
void suite_theme_register(void)
{
    CU_pSuite s = CU_add_suite("theme", NULL, NULL);
    CU_add_test(s, "a good theme", test_good);
    CU_add_test(s, "the shipped themes", test_shipped_themes);
    CU_add_test(s, "the built-in fallback", test_builtin);
    CU_add_test(s, "broken lines: exact messages", test_errors);
    CU_add_test(s, "missing and broken files", test_load_errors);
    CU_add_test(s, "role names", test_roles);
}
