/* Recordings and key files: the key-file reader (keys, delays, and the
 * exact place of every refusal), the asciicast writer read back by an
 * independent reader (cast_check.h), and a scenario drawn whole into a
 * cast, one frame per step. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast_check.h"
#include "play/timeline.h"
#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keyfile.h"
#include "tui/keys.h"
#include "tui/record.h"
#include "tui/tui.h"
#include "util/exitstatus.h"

#define LAZY "../scenarios/lazy-allocation.yaml"

/* ---- key files ---------------------------------------------------------- */

static bool parse_text(struct keyfile *kf, const char *text, struct diag *err)
{
    return keyfile_parse(kf, "demo.keys", text, strlen(text), err);
}

static void test_keyfile_good(void)
{
    struct keyfile kf;
    struct diag err;
    const char *text = "# a demo\r\n"
                       "f @2s l   <PgDn> # a comment\n"
                       "\n"
                       "\t@250ms @0.5s <C-l> <Esc> @1.25s <Space>\n"
                       "<lt> <gt> ? @0ms q\n";
    CU_ASSERT_TRUE_FATAL(parse_text(&kf, text, &err));
    CU_ASSERT_EQUAL_FATAL(kf.count, 10);
    static const int keys[] = {'f', 'l', KEY_NPAGE, KEYS_CTRL('l'), KEYS_ESC, ' ',
                               '<', '>', '?', 'q'};
    static const unsigned delays[] = {KEYFILE_DEFAULT_DELAY_MS, 2000, KEYFILE_DEFAULT_DELAY_MS,
                                      750, KEYFILE_DEFAULT_DELAY_MS, 1250,
                                      KEYFILE_DEFAULT_DELAY_MS, KEYFILE_DEFAULT_DELAY_MS,
                                      KEYFILE_DEFAULT_DELAY_MS, 0};
    static const unsigned lines[] = {2, 2, 2, 4, 4, 4, 5, 5, 5, 5};
    static const unsigned cols[] = {1, 7, 11, 15, 21, 34, 1, 6, 11, 18};
    for (size_t i = 0; i < kf.count; i++) {
        CU_ASSERT_EQUAL(kf.keys[i].key, keys[i]);
        CU_ASSERT_EQUAL(kf.keys[i].delay_ms, delays[i]);
        CU_ASSERT_EQUAL(kf.keys[i].line, lines[i]);
        CU_ASSERT_EQUAL(kf.keys[i].col, cols[i]);
    }
    keyfile_free(&kf);
    CU_ASSERT_PTR_NULL(kf.keys);

    /* Nothing but comments and a trailing delay: no keys, no error. */
    CU_ASSERT_TRUE(parse_text(&kf, "# nothing\n@3s\n", &err));
    CU_ASSERT_EQUAL(kf.count, 0);
    keyfile_free(&kf);
    /* The longest delay. */
    CU_ASSERT_TRUE(parse_text(&kf, "@3600s l", &err));
    CU_ASSERT_EQUAL(kf.keys[0].delay_ms, KEYFILE_MAX_DELAY_MS);
    keyfile_free(&kf);
}

/* A text refused at line:col with a message that starts with `what`. */
static void check_refused(const char *text, size_t len, unsigned line, unsigned col,
                          const char *what)
{
    struct keyfile kf;
    struct diag err;
    CU_ASSERT_FALSE(keyfile_parse(&kf, "demo.keys", text, len, &err));
    CU_ASSERT_EQUAL(kf.count, 0);
    CU_ASSERT_PTR_NULL(kf.keys);
    CU_ASSERT_STRING_EQUAL(err.file, "demo.keys");
    CU_ASSERT_EQUAL(err.line, line);
    CU_ASSERT_EQUAL(err.col, col);
    if (strncmp(err.message, what, strlen(what)) != 0 || !strstr(err.message, "(expected ")) {
        fprintf(stderr, "\n%u:%u: %s\n", err.line, err.col, err.message);
        CU_FAIL("the message says what and what was expected");
    }
}

static void test_keyfile_bad(void)
{
#define REFUSED(text, line, col, what) check_refused(text, sizeof text - 1, line, col, what)
    REFUSED("l l\n  <Foo> q\n", 2, 3, "unknown key '<Foo>'");
    REFUSED("l ll", 1, 3, "unknown key 'll'");
    REFUSED("# ok\n\n   f <C-1>", 3, 6, "unknown key '<C-1>'");
    REFUSED("<>", 1, 1, "unknown key '<>'");
    REFUSED("l \xc3\xa9", 1, 3, "unknown key");
    REFUSED("l \xff", 1, 3, "unknown key");
    REFUSED("\x1b", 1, 1, "unknown key");
    REFUSED("l\nx\x00y", 2, 1, "unknown key");
    REFUSED("<VeryLongKeyNameIndeed>", 1, 1, "unknown key");
    REFUSED("l @5x l", 1, 3, "bad delay '@5x'");
    REFUSED("@", 1, 1, "bad delay '@'");
    REFUSED("l\n @ms", 2, 2, "bad delay '@ms'");
    REFUSED("@1.s", 1, 1, "bad delay");
    REFUSED("@.5s", 1, 1, "bad delay");
    REFUSED("@-1s", 1, 1, "bad delay");
    REFUSED("@2h", 1, 1, "bad delay");
    REFUSED("@3601s", 1, 1, "bad delay");
    REFUSED("@99999999999999999999ms", 1, 1, "bad delay");
    /* Delays that add up past the longest. */
    REFUSED("@3000s @601s l", 1, 8, "bad delay");
#undef REFUSED
}

static void test_keyfile_load(void)
{
    struct keyfile kf;
    struct diag err;
    char path[] = "/tmp/vmviz-keys.XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    static const char text[] = "f\n@1s <Right>\n";
    CU_ASSERT_EQUAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    CU_ASSERT_TRUE(keyfile_load(&kf, path, &err));
    CU_ASSERT_EQUAL(kf.count, 2);
    keyfile_free(&kf);
    unlink(path);
    /* Missing, and a directory: said about the file, nothing allocated. */
    CU_ASSERT_FALSE(keyfile_load(&kf, path, &err));
    CU_ASSERT_STRING_EQUAL(err.file, path);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot read the key file"));
    CU_ASSERT_FALSE(keyfile_load(&kf, "/tmp", &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "a directory"));
    CU_ASSERT_EQUAL(kf.count, 0);
}

/* ---- the cast writer ------------------------------------------------------ */

struct collected {
    char bytes[4096];
    size_t len;
};

static void collect(void *ctx, const char *bytes, size_t len)
{
    struct collected *c = ctx;
    if (c->len + len <= sizeof c->bytes) {
        memcpy(c->bytes + c->len, bytes, len);
        c->len += len;
    }
}

/* The whole of a stream written so far, NUL-terminated (free it). */
static char *read_back(FILE *fp, size_t *len)
{
    fflush(fp);
    long size = ftell(fp);
    char *text = malloc((size_t)size + 1);
    rewind(fp);
    *len = fread(text, 1, (size_t)size, fp);
    text[*len] = '\0';
    return text;
}

static void test_cast_writer(void)
{
    FILE *fp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    struct recorder rec;
    recorder_attach(&rec, fp, "a stream");
    CU_ASSERT_TRUE(recorder_begin(&rec, 100, 30, "A \"title\"\n", "xterm-256color"));
    static const char controls[] = "\x1b[1mbold\x01 \"q\" \\ \x7f";
    recorder_set_time(&rec, 0);
    recorder_output(&rec, controls, sizeof controls - 1);
    recorder_set_time(&rec, 0.5);
    /* A stray byte, then a character cut in two between outputs. */
    recorder_output(&rec, "\xff-\xc3", 3);
    recorder_set_time(&rec, 0.25);    /* earlier: written as 0.5 */
    recorder_output(&rec, "\xa9!", 2);
    recorder_output(&rec, "", 0);     /* nothing: no event */
    recorder_set_time(&rec, 2);
    recorder_resize(&rec, 120, 40);
    recorder_output(&rec, "\xe2\x94", 2);   /* never finished: U+FFFD at the end */
    struct diag err;
    CU_ASSERT_TRUE(recorder_end(&rec, &err));
    size_t len;
    char *text = read_back(fp, &len);
    fclose(fp);

    struct cast_info info;
    struct collected got = {{0}, 0};
    char why[256] = "";
    CU_ASSERT_TRUE(cast_check(text, len, &info, collect, &got, why, sizeof why));
    if (why[0])
        fprintf(stderr, "\n%s\n%s\n", why, text);
    CU_ASSERT_EQUAL(info.version, 2);
    CU_ASSERT_EQUAL(info.width, 100);
    CU_ASSERT_EQUAL(info.height, 30);
    CU_ASSERT_TRUE(info.has_timestamp && info.timestamp > 1600000000LL);
    CU_ASSERT_EQUAL(info.outputs, 4);
    CU_ASSERT_EQUAL(rec.outputs, 4);
    CU_ASSERT_EQUAL(info.resizes, 1);
    CU_ASSERT_DOUBLE_EQUAL(info.last_time, 2.0, 1e-9);
    /* What the terminal was sent, every byte back; the stray and the
     * unfinished ones as U+FFFD, the cut character whole. */
    static const char want[] = "\x1b[1mbold\x01 \"q\" \\ \x7f" "\xef\xbf\xbd-" "\xc3\xa9!"
                               "\xef\xbf\xbd\xef\xbf\xbd";
    CU_ASSERT_EQUAL(got.len, sizeof want - 1);
    CU_ASSERT_TRUE(memcmp(got.bytes, want, sizeof want - 1) == 0);
    /* The escapes themselves, as the format spells them. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"title\": \"A \\\"title\\\"\\n\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"env\": {\"TERM\": \"xterm-256color\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[0.000000, \"o\", \"\\u001b[1mbold\\u0001 \\\"q\\\" "
                                        "\\\\ \\u007f\"]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[0.500000, \"o\", \"\\ufffd-\"]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[0.500000, \"o\", \"\xc3\xa9!\"]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[2.000000, \"r\", \"120x40\"]\n"));
    free(text);
}

/* The reader is strict: what the writer must never write is refused. */
static void test_cast_reader(void)
{
    static const char *const bad[] = {
        "{\"version\": 1, \"width\": 80, \"height\": 24}\n",
        "{\"version\": 2, \"width\": 80}\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"a\"]\n[0.5, \"o\", \"b\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"\x01\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"\xff\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"\\ud800\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"x\", \"a\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"r\", \"80by24\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[01, \"o\", \"a\"]\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"a\"] x\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"a\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cast_info info;
        char why[256];
        CU_ASSERT_FALSE(cast_check(bad[i], strlen(bad[i]), &info, NULL, NULL, why, sizeof why));
    }
}

static void test_recorder_open(void)
{
    struct recorder rec;
    struct diag err;
    CU_ASSERT_FALSE(recorder_open(&rec, "/nonexistent-dir/x.cast", &err));
    CU_ASSERT_STRING_EQUAL(err.file, "/nonexistent-dir/x.cast");
    CU_ASSERT_EQUAL(err.line, 0);
    CU_ASSERT_STRING_EQUAL(err.message, "cannot write the recording: No such file or directory "
                                        "(expected a writable file)");
    CU_ASSERT_FALSE(recorder_open(&rec, "/tmp", &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot write the recording"));

    /* A file that exists is untouched until the recording begins, and an
     * abandoned recording leaves it so; one it made goes away. */
    char path[] = "/tmp/vmviz-cast.XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "keep", 4), 4);
    close(fd);
    CU_ASSERT_TRUE_FATAL(recorder_open(&rec, path, &err));
    recorder_abandon(&rec);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    FILE *fp = fopen(path, "r");
    char kept[8] = "";
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_PTR_NOT_NULL(fgets(kept, sizeof kept, fp));
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(kept, "keep");
    CU_ASSERT_TRUE_FATAL(recorder_open(&rec, path, &err));
    CU_ASSERT_TRUE(recorder_begin(&rec, 80, 24, NULL, NULL));
    recorder_output(&rec, "x", 1);
    CU_ASSERT_TRUE(recorder_end(&rec, &err));
    fp = fopen(path, "r");
    char line[128] = "";
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, fp));
    fclose(fp);
    CU_ASSERT_EQUAL(strncmp(line, "{\"version\": 2, \"width\": 80, \"height\": 24, ", 42), 0);
    unlink(path);
    CU_ASSERT_TRUE_FATAL(recorder_open(&rec, path, &err));
    recorder_abandon(&rec);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
}

/* ---- a scenario drawn into a cast ------------------------------------------ */

/* How many steps of `unit` the scenario has from start to end. */
static unsigned long count_steps(const char *path, enum tl_unit unit)
{
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct timeline_overrides o;
    timeline_overrides_init(&o);
    struct timeline *tl = timeline_create(s, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
    unsigned long steps = 0;
    while (timeline_step(tl, unit, +1))
        steps++;
    timeline_destroy(tl);
    scenario_free(s);
    return steps;
}

/* Renders a scenario into a cast; returns its text (free it) and status. */
static char *render(const char *path, enum tl_unit unit, int cols, int rows, int *status,
                    size_t *len)
{
    struct tui_options o = {.scenario_path = path, .theme_dir = "../themes"};
    timeline_overrides_init(&o.overrides);
    FILE *fp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    *status = tui_render_cast(&o, unit, cols, rows, fp);
    char *text = read_back(fp, len);
    fclose(fp);
    return text;
}

static void test_render_cast(void)
{
    static const enum tl_unit units[] = {TL_UNIT_OP, TL_UNIT_CHAPTER};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        int status;
        size_t len;
        char *text = render(LAZY, units[u], 100, 30, &status, &len);
        CU_ASSERT_EQUAL(status, 0);
        struct cast_info info;
        char why[256] = "";
        CU_ASSERT_TRUE(cast_check(text, len, &info, NULL, NULL, why, sizeof why));
        if (why[0])
            fprintf(stderr, "\n%s\n", why);
        CU_ASSERT_EQUAL(info.width, 100);
        CU_ASSERT_EQUAL(info.height, 30);
        /* The start, then one frame per step, each a step's pace apart. */
        unsigned long steps = count_steps(LAZY, units[u]);
        CU_ASSERT_TRUE(steps > 1);
        CU_ASSERT_EQUAL(info.outputs, steps + 1);
        CU_ASSERT_DOUBLE_EQUAL(info.last_time,
                               (double)steps / app_speed_rate(APP_SPEED_DEFAULT), 1e-6);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"title\": \"Lazy allocation"));
        free(text);
    }
}

static void test_render_cast_bad(void)
{
    int status;
    size_t len;
    char *text = render("../tests/data/bad/bad-size.yaml", TL_UNIT_OP, 80, 24, &status, &len);
    CU_ASSERT_EQUAL(status, EXIT_BAD_INPUT);
    CU_ASSERT_EQUAL(len, 0);
    free(text);
}

void suite_record_register(void);
void suite_record_register(void)
{
    CU_pSuite s = CU_add_suite("record", NULL, NULL);
    CU_add_test(s, "key files: keys, delays, places", test_keyfile_good);
    CU_add_test(s, "key files: every refusal at its place", test_keyfile_bad);
    CU_add_test(s, "key files: reading the file", test_keyfile_load);
    CU_add_test(s, "casts: the writer read back", test_cast_writer);
    CU_add_test(s, "casts: the reader refuses", test_cast_reader);
    CU_add_test(s, "casts: opening and abandoning", test_recorder_open);
    CU_add_test(s, "casts: a scenario, one frame per step", test_render_cast);
    CU_add_test(s, "casts: a bad scenario", test_render_cast_bad);
}
