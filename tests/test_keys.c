/* The key table: lookup, names, the help generated from it, key scripts. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "tui/keys.h"

static void test_lookup(void)
{
    CU_ASSERT_EQUAL(keys_lookup(' '), ACTION_PLAY);
    /* What presentation clickers send must step. */
    CU_ASSERT_EQUAL(keys_lookup(KEY_NPAGE), ACTION_STEP_FORWARD);
    CU_ASSERT_EQUAL(keys_lookup(KEY_PPAGE), ACTION_STEP_BACK);
    CU_ASSERT_EQUAL(keys_lookup(KEY_RIGHT), ACTION_STEP_FORWARD);
    CU_ASSERT_EQUAL(keys_lookup(KEY_LEFT), ACTION_STEP_BACK);
    CU_ASSERT_EQUAL(keys_lookup(KEY_DOWN), ACTION_STEP_FORWARD);
    CU_ASSERT_EQUAL(keys_lookup(KEY_UP), ACTION_STEP_BACK);
    CU_ASSERT_EQUAL(keys_lookup('l'), ACTION_STEP_FORWARD);
    CU_ASSERT_EQUAL(keys_lookup('n'), ACTION_STEP_FORWARD);
    CU_ASSERT_EQUAL(keys_lookup('h'), ACTION_STEP_BACK);
    CU_ASSERT_EQUAL(keys_lookup('p'), ACTION_STEP_BACK);
    CU_ASSERT_EQUAL(keys_lookup(KEY_HOME), ACTION_START);
    CU_ASSERT_EQUAL(keys_lookup('g'), ACTION_START);
    CU_ASSERT_EQUAL(keys_lookup(KEY_END), ACTION_END);
    CU_ASSERT_EQUAL(keys_lookup('G'), ACTION_END);
    CU_ASSERT_EQUAL(keys_lookup('['), ACTION_PREV_CHAPTER);
    CU_ASSERT_EQUAL(keys_lookup(']'), ACTION_NEXT_CHAPTER);
    CU_ASSERT_EQUAL(keys_lookup('f'), ACTION_NEXT_FAULT);
    CU_ASSERT_EQUAL(keys_lookup('e'), ACTION_NEXT_EVICTION);
    CU_ASSERT_EQUAL(keys_lookup('t'), ACTION_THEME);
    CU_ASSERT_EQUAL(keys_lookup('\t'), ACTION_FOCUS);
    CU_ASSERT_EQUAL(keys_lookup('+'), ACTION_FASTER);
    CU_ASSERT_EQUAL(keys_lookup('-'), ACTION_SLOWER);
    CU_ASSERT_EQUAL(keys_lookup('s'), ACTION_UNIT);
    CU_ASSERT_EQUAL(keys_lookup('?'), ACTION_HELP);
    CU_ASSERT_EQUAL(keys_lookup('q'), ACTION_QUIT);
    CU_ASSERT_EQUAL(keys_lookup('x'), ACTION_NONE);
    CU_ASSERT_EQUAL(keys_lookup('z'), ACTION_ZOOM);
    /* Key files (keyfile.h) take '#' for a comment: it must stay unbound. */
    CU_ASSERT_EQUAL(keys_lookup('#'), ACTION_NONE);
    CU_ASSERT_EQUAL(keys_lookup(0), ACTION_NONE);
}

static void test_no_key_bound_twice(void)
{
    for (int a = 0; a < ACTION_COUNT; a++)
        for (const int *k = keys_of((enum key_action)a); *k; k++)
            CU_ASSERT_EQUAL(keys_lookup(*k), a);
}

static void test_names(void)
{
    char buf[16];
    CU_ASSERT_STRING_EQUAL(keys_name(' ', buf, sizeof buf), "Space");
    CU_ASSERT_STRING_EQUAL(keys_name(KEY_NPAGE, buf, sizeof buf), "PgDn");
    CU_ASSERT_STRING_EQUAL(keys_name(KEY_RIGHT, buf, sizeof buf), "Right");
    CU_ASSERT_STRING_EQUAL(keys_name(KEYS_CTRL('l'), buf, sizeof buf), "^L");
    CU_ASSERT_STRING_EQUAL(keys_name('q', buf, sizeof buf), "q");
    CU_ASSERT_STRING_EQUAL(keys_name('\t', buf, sizeof buf), "Tab");
}

static void test_help(void)
{
    char lines[ACTION_COUNT][128];
    size_t n = keys_help_lines(lines, ACTION_COUNT);
    CU_ASSERT_EQUAL(n, (size_t)ACTION_COUNT);
    CU_ASSERT_STRING_EQUAL(lines[ACTION_PLAY], "Space                     play or pause");
    CU_ASSERT_STRING_EQUAL(lines[ACTION_STEP_FORWARD],
                           "Right l n PgDn Down Enter step forward (by the step size)");
    CU_ASSERT_STRING_EQUAL(lines[ACTION_QUIT], "q                         quit");
    CU_ASSERT_EQUAL(keys_lookup('Q'), ACTION_QUIZ);
    /* Every action is documented, with its keys first. */
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(strstr(lines[i], keys_help((enum key_action)i)) != NULL);
        char name[16];
        keys_name(keys_of((enum key_action)i)[0], name, sizeof name);
        CU_ASSERT(strncmp(lines[i], name, strlen(name)) == 0);
    }
}

static void test_maps(void)
{
    /* Within each key map a key has one action; maps may share keys. */
    for (int a = 0; a < ACTION_TOTAL; a++) {
        enum keys_map map = a < ACTION_COUNT ? KEYS_VIEWER
                            : a <= ACTION_PICK_OPEN ? KEYS_PICKER
                            : a <= ACTION_PAGE_DOWN ? KEYS_SCROLL
                                                    : KEYS_PROMPT;
        for (const int *k = keys_of((enum key_action)a); *k; k++)
            CU_ASSERT_EQUAL(keys_lookup_in(map, *k), a);
    }
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_PICKER, KEY_UP), ACTION_PICK_PREV);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_PICKER, ' '), ACTION_PICK_OPEN);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_PICKER, '\r'), ACTION_PICK_OPEN);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_PICKER, 'q'), ACTION_NONE);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_SCROLL, KEY_DOWN), ACTION_LINE_DOWN);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_SCROLL, 'k'), ACTION_LINE_UP);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_SCROLL, KEY_NPAGE), ACTION_PAGE_DOWN);
    CU_ASSERT_EQUAL(keys_lookup_in(KEYS_SCROLL, 'x'), ACTION_NONE);
    /* keys_lookup is the viewer's map only. */
    CU_ASSERT_EQUAL(keys_lookup('\r'), ACTION_NONE);
    CU_ASSERT_EQUAL(keys_lookup(KEY_UP), ACTION_STEP_BACK);
}

/* A bar's hints as the screen shows them, "KEYS label" two blanks apart. */
static void hint_bar(enum keys_bar bar, char *out, size_t len)
{
    struct keys_hint hints[KEYS_MAX_HINTS];
    size_t n = keys_hints(bar, hints, KEYS_MAX_HINTS), used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s %s", i ? "  " : "", hints[i].keys,
                                 hints[i].label);
}

static void test_hints(void)
{
    char bar[256];
    hint_bar(KEYS_BAR_MAIN, bar, sizeof bar);
    CU_ASSERT_STRING_EQUAL(bar, "Space play  Right/Left step  s step size  f next fault  "
                                "e next eviction  [ ] chapter  Tab focus  t theme  ? help  "
                                "q quit");
    hint_bar(KEYS_BAR_PICKER, bar, sizeof bar);
    CU_ASSERT_STRING_EQUAL(bar, "Up/Down choose  Enter open  ? help  q quit");
    /* Texts name an action by its first key. */
    CU_ASSERT_STRING_EQUAL(keys_first(ACTION_PLAY).s, "Space");
    CU_ASSERT_STRING_EQUAL(keys_first(ACTION_CLOSE).s, "Esc");
    CU_ASSERT_STRING_EQUAL(keys_first(ACTION_LINE_DOWN).s, "Down");
    CU_ASSERT_STRING_EQUAL(keys_named(KEYS_CLICKER_NEXT).s, "PgDn");
    CU_ASSERT_STRING_EQUAL(keys_first(ACTION_NONE).s, "");
}

static void test_script(void)
{
    int keys[16];
    size_t bad = 0;
    CU_ASSERT_EQUAL(keys_parse_script("l  f <PgDn>\n<Right> <Space> <C-l> <lt> ?", keys, 16, &bad), 8);
    CU_ASSERT_EQUAL(keys[0], 'l');
    CU_ASSERT_EQUAL(keys[1], 'f');
    CU_ASSERT_EQUAL(keys[2], KEY_NPAGE);
    CU_ASSERT_EQUAL(keys[3], KEY_RIGHT);
    CU_ASSERT_EQUAL(keys[4], ' ');
    CU_ASSERT_EQUAL(keys[5], KEYS_CTRL('l'));
    CU_ASSERT_EQUAL(keys[6], '<');
    CU_ASSERT_EQUAL(keys[7], '?');
    CU_ASSERT_EQUAL(keys_parse_script("l <Nope> f", keys, 16, &bad), -1);
    CU_ASSERT_EQUAL(bad, 2u);
    CU_ASSERT_EQUAL(keys_parse_script("ab", keys, 16, &bad), -1);
    CU_ASSERT_EQUAL(keys_parse_script("", keys, 16, &bad), 0);
    CU_ASSERT_EQUAL(keys_parse_script("a b c", keys, 2, &bad), 2);
}

void suite_keys_register(void);
void suite_keys_register(void)
{
    CU_pSuite s = CU_add_suite("keys", NULL, NULL);
    CU_add_test(s, "lookup", test_lookup);
    CU_add_test(s, "each key bound once", test_no_key_bound_twice);
    CU_add_test(s, "key names", test_names);
    CU_add_test(s, "help from the table", test_help);
    CU_add_test(s, "key scripts", test_script);
    CU_add_test(s, "key maps", test_maps);
    CU_add_test(s, "hint bars and key names", test_hints);
}
