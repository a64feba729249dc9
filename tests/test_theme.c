/* Theme files: the shipped themes parse, broken ones give the exact
 * FILE:LINE:COLUMN message, and every role of every shipped theme can be
 * read: a WCAG contrast of at least 4.5:1 in every form, and roles that
 * mark different things stay apart. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/term.h"
#include "tui/theme.h"

#define THEME_DIR "../themes"
#define MAX_THEMES 32

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
                         "background 234 black  # the page\n"
                         "tlb_hit  16  114 black green bold,underline  # trailing\n"
                         "\tvictim 1 2 3 4 -\r\n",
                         &err));
    CU_ASSERT_STRING_EQUAL(t.name, "t");
    CU_ASSERT_EQUAL(t.bg256, 234);
    CU_ASSERT_EQUAL(t.bg8, 0);
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
    /* "-" resolves to normal's foreground and the theme's background. */
    short fg, bg;
    theme_colors(&t, ROLE_NORMAL, THEME_FORM_256, &fg, &bg);
    CU_ASSERT(fg == 252 && bg == 234);
    theme_colors(&t, ROLE_NORMAL, THEME_FORM_8, &fg, &bg);
    CU_ASSERT(fg == 7 && bg == 0);
    theme_colors(&t, ROLE_TLB_HIT, THEME_FORM_256, &fg, &bg);
    CU_ASSERT(fg == 16 && bg == 114);
    theme_colors(&t, ROLE_TLB_HIT, THEME_FORM_MONO, &fg, &bg);
    CU_ASSERT(fg == -1 && bg == -1);
    /* "background - -" keeps the terminal's own colours. */
    CU_ASSERT_TRUE(parse(&t, "background - -\nnormal - - - - bold\n", &err));
    CU_ASSERT(t.bg256 == -1 && t.bg8 == -1);
    theme_colors(&t, ROLE_SAY, THEME_FORM_256, &fg, &bg);
    CU_ASSERT(fg == -1 && bg == -1);
}

/* The shipped themes, from the directory itself: a new file is covered
 * without touching this test. */
static size_t shipped_themes(struct theme *themes, size_t max)
{
    char *names[MAX_THEMES];
    size_t n = theme_list(THEME_DIR, names, MAX_THEMES), got = 0;
    for (size_t i = 0; i < n && got < max; i++) {
        struct diag err;
        if (theme_load(&themes[got], THEME_DIR, names[i], &err))
            got++;
        else
            diag_print(stderr, &err);
    }
    CU_ASSERT_EQUAL(got, n);
    theme_names_free(names, n);
    return got;
}

static void test_shipped_themes(void)
{
    static const char *const expected[] = {"cvd", "default", "light", "mono", "projector"};
    char *names[MAX_THEMES];
    size_t n = theme_list(THEME_DIR, names, MAX_THEMES);
    CU_ASSERT(n >= 5);
    for (size_t e = 0; e < 5; e++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(names[i], expected[e]) == 0;
        if (!found)
            fprintf(stderr, "\n  no theme %s in %s\n", expected[e], THEME_DIR);
        CU_ASSERT(found);
    }
    CU_ASSERT_STRING_EQUAL(names[0], "cvd");
    for (size_t i = 0; i < n; i++) {
        struct theme t;
        struct diag err;
        bool ok = theme_load(&t, THEME_DIR, names[i], &err);
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
        /* A colour theme paints its own page; only mono keeps the terminal's. */
        bool is_mono = strcmp(names[i], "mono") == 0;
        CU_ASSERT_EQUAL(t.bg256 < 0, is_mono);
        CU_ASSERT_EQUAL(t.bg8 < 0, is_mono);
    }
    theme_names_free(names, n);
    /* mono: attributes only. */
    struct theme m;
    struct diag err;
    CU_ASSERT_TRUE_FATAL(theme_load(&m, THEME_DIR, "mono", &err));
    for (int r = 0; r < ROLE_COUNT; r++) {
        CU_ASSERT_EQUAL(m.styles[r].fg256, -1);
        CU_ASSERT_EQUAL(m.styles[r].bg256, -1);
        CU_ASSERT_EQUAL(m.styles[r].fg8, -1);
        CU_ASSERT_EQUAL(m.styles[r].bg8, -1);
    }
}

static void test_builtin(void)
{
    struct theme t, file;
    struct diag err;
    theme_builtin_mono(&t);
    CU_ASSERT_STRING_EQUAL(t.name, "mono");
    CU_ASSERT(t.bg256 == -1 && t.bg8 == -1);
    CU_ASSERT(t.styles[ROLE_TLB_HIT].attrs & THEME_ATTR_REVERSE);
    /* The built-in copy says what mono.theme says, role for role (a role
     * added since falls back to normal in both until it is listed). */
    CU_ASSERT_TRUE_FATAL(theme_load(&file, THEME_DIR, "mono", &err));
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (!t.styles[r].set)
            continue;
        if (t.styles[r].attrs != file.styles[r].attrs)
            fprintf(stderr, "\n  built-in mono and mono.theme differ on %s\n",
                    theme_role_name(r));
        CU_ASSERT_EQUAL(t.styles[r].attrs, file.styles[r].attrs);
    }
}

static void test_errors(void)
{
    expect_error("tlb_hti 1 2 3 4\n", 1, 1,
                 "unknown role 'tlb_hti' (expected a role such as normal, tlb_hit or victim; "
                 "did you mean 'tlb_hit'?)");
    expect_error("normal - - - -\n  victim 300 - - -\n", 2, 10,
                 "bad fg256 '300' (expected a colour number 0-255, or - for the foreground of "
                 "normal)");
    expect_error("normal 300 - - -\n", 1, 8,
                 "bad fg256 '300' (expected a colour number 0-255, or - for the terminal's "
                 "default)");
    expect_error("normal - x - -\n", 1, 10,
                 "bad bg256 'x' (expected a colour number 0-255, or - for the theme's "
                 "background)");
    expect_error("normal - - gren -\n", 1, 12,
                 "bad fg8 'gren' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
                 "white, or - for the terminal's default; did you mean 'green'?)");
    expect_error("say - - gren -\n", 1, 9,
                 "bad fg8 'gren' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
                 "white, or - for the foreground of normal; did you mean 'green'?)");
    expect_error("normal - - - 8\n", 1, 14,
                 "bad bg8 '8' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
                 "white, or - for the theme's background)");
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

/* The background line: required, once, two colours. */
static void test_background_errors(void)
{
    static const char *const missing =
        "the theme does not set its background (expected a line 'background bg256 bg8', "
        "such as 'background 234 black', or 'background - -' to keep the terminal's own "
        "colours)";
    expect_error("normal 252 - white -\n", 1, 1, missing);
    expect_error("# a theme\n\nnormal 252 - white -\ndim 247 - white -\n", 1, 1, missing);
    expect_error("background 234 black\nnormal - - - -\nbackground 16 black\n", 3, 1,
                 "the background is set twice (first on line 1; expected it once)");
    expect_error("background\n", 1, 11, "missing bg256 (expected: background bg256 bg8)");
    expect_error("background 234\n", 1, 15, "missing bg8 (expected: background bg256 bg8)");
    expect_error("background 234 black white\n", 1, 22,
                 "unexpected field 'white' (expected: background bg256 bg8)");
    expect_error("background 256 black\n", 1, 12,
                 "bad bg256 '256' (expected a colour number 0-255, or - for the terminal's "
                 "default)");
    expect_error("  background 234 blakc\n", 1, 18,
                 "bad bg8 'blakc' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
                 "white, or - for the terminal's default; did you mean 'black'?)");
    expect_error("backgruond 234 black\n", 1, 1,
                 "unknown role 'backgruond' (expected a role such as normal, tlb_hit or victim; "
                 "did you mean 'background'?)");
}

static void test_load_errors(void)
{
    struct theme t;
    struct diag err;
    CU_ASSERT_FALSE(theme_load(&t, "../themes", "defualt", &err));
    CU_ASSERT_EQUAL(err.line, 0u);
    CU_ASSERT_STRING_EQUAL(err.message,
                           "no theme 'defualt' in ../themes (expected cvd, default, light, "
                           "mono or projector; did you mean 'default'?)");
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
                                 "for the foreground of normal)\n");
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

/* Contrast figures computed by hand from the WCAG 2.x formulas and the
 * xterm palettes (see theme.h). */
static void test_contrast_values(void)
{
    struct theme_rgb black = {0, 0, 0}, white = {255, 255, 255}, c;
    CU_ASSERT_DOUBLE_EQUAL(theme_luminance(black), 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(theme_luminance(white), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast_ratio(black, white), 21.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast_ratio(white, black), 21.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast_ratio(white, white), 1.0, 1e-12);

    /* The palettes: cube, greys, system colours, the 8 of xterm. */
    CU_ASSERT_TRUE_FATAL(theme_palette_rgb(THEME_FORM_256, 130, &c));
    CU_ASSERT(c.r == 175 && c.g == 95 && c.b == 0);
    CU_ASSERT_TRUE_FATAL(theme_palette_rgb(THEME_FORM_256, 245, &c));
    CU_ASSERT(c.r == 138 && c.g == 138 && c.b == 138);
    CU_ASSERT_DOUBLE_EQUAL(theme_luminance(c), 0.254152, 1e-6);
    CU_ASSERT_TRUE_FATAL(theme_palette_rgb(THEME_FORM_256, 232, &c));
    CU_ASSERT(c.r == 8 && c.g == 8 && c.b == 8);
    CU_ASSERT_TRUE_FATAL(theme_palette_rgb(THEME_FORM_256, 12, &c));
    CU_ASSERT(c.r == 92 && c.g == 92 && c.b == 255);
    CU_ASSERT_TRUE_FATAL(theme_palette_rgb(THEME_FORM_8, 4, &c));
    CU_ASSERT(c.r == 0 && c.g == 0 && c.b == 238);
    CU_ASSERT_TRUE_FATAL(theme_palette_rgb(THEME_FORM_8, 1, &c));
    CU_ASSERT_DOUBLE_EQUAL(theme_luminance(c), 0.129791, 1e-6);
    CU_ASSERT_FALSE(theme_palette_rgb(THEME_FORM_8, 8, &c));
    CU_ASSERT_FALSE(theme_palette_rgb(THEME_FORM_256, -1, &c));
    CU_ASSERT_FALSE(theme_palette_rgb(THEME_FORM_256, 256, &c));
    CU_ASSERT_FALSE(theme_palette_rgb(THEME_FORM_MONO, 0, &c));
    CU_ASSERT_STRING_EQUAL(theme_form_name(THEME_FORM_8), "8-colour");
    CU_ASSERT_STRING_EQUAL(theme_form_name(THEME_FORM_COUNT), "?");

    struct theme t;
    struct diag err;
    /* Grey 245 on white 231: what clear bits and "(empty)" used to be. */
    CU_ASSERT_TRUE_FATAL(parse(&t,
                               "background 231 white\n"
                               "normal 16 - black -\n"
                               "empty 245 - black -\n"
                               "sign 231 - white -\n"
                               "say 245 - yellow - reverse\n"
                               "title 16 - black - standout,reverse\n",
                               &err));
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_NORMAL, THEME_FORM_256), 21.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_EMPTY, THEME_FORM_256), 3.452220, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_SIGN, THEME_FORM_256), 1.0, 1e-12);
    /* With 8 colours: black on xterm's white (229), yellow on it. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_EMPTY, THEME_FORM_8), 16.670756, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_SAY, THEME_FORM_8), 1.352229, 1e-5);
    /* reverse swaps: same ratio; reverse with standout is still one swap. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_SAY, THEME_FORM_256), 3.452220, 1e-5);
    struct theme_look look = theme_look(&t, ROLE_TITLE, THEME_FORM_256, THEME_TERMINAL_DARK);
    CU_ASSERT(look.fg.r == 255 && look.bg.r == 0);
    /* A role the file leaves out takes normal's colours: 21 on white. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_DELTA, THEME_FORM_256), 21.0, 1e-9);
    /* The mono form knows nothing of colours: 21 whatever they are. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_SIGN, THEME_FORM_MONO), 21.0, 1e-9);

    /* The old default: 252 on the terminal's own background, which may be
     * white (1.54) as well as black (13.6). */
    CU_ASSERT_TRUE_FATAL(parse(&t,
                               "background - -\n"
                               "normal 252 - white -\n"
                               "dim - - - - dim\n"
                               "level4 - - magenta black\n",
                               &err));
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_NORMAL, THEME_FORM_256), 1.542400, 1e-5);
    look = theme_look(&t, ROLE_NORMAL, THEME_FORM_256, THEME_TERMINAL_DARK);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast_ratio(look.fg, look.bg), 13.615143, 1e-5);
    /* xterm's magenta is too dark for black: 4.48, just short. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_LEVEL4, THEME_FORM_8), 4.477383, 1e-5);
    /* dim is a mid grey: 3.98 on white, 5.28 on black; the lower counts. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_DIM, THEME_FORM_MONO), 3.976653, 1e-5);
    look = theme_look(&t, ROLE_DIM, THEME_FORM_MONO, THEME_TERMINAL_DARK);
    CU_ASSERT_DOUBLE_EQUAL(look.fg.r, 127.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast_ratio(look.fg, look.bg), 5.280823, 1e-5);
    /* "-" everywhere: the terminal's own pair, 21 on either kind. */
    CU_ASSERT_DOUBLE_EQUAL(theme_contrast(&t, ROLE_SAY, THEME_FORM_MONO), 21.0, 1e-9);
}

/* Every role of every shipped theme (and of the built-in mono), in every
 * form, reaches THEME_MIN_CONTRAST. With VMVIZ_THEME_REPORT set, prints
 * the worst role of each theme and form. */
static void check_legible(const struct theme *t)
{
    for (int f = 0; f < THEME_FORM_COUNT; f++) {
        double worst = 1e9;
        int worst_role = 0;
        for (int r = 0; r < ROLE_COUNT; r++) {
            double c = theme_contrast(t, (enum role)r, (enum theme_form)f);
            if (c < worst) {
                worst = c;
                worst_role = r;
            }
            if (c < THEME_MIN_CONTRAST)
                fprintf(stderr, "\n  theme %s, role %s, %s form: contrast %.2f:1 (below %.1f:1)",
                        t->name, theme_role_name((enum role)r),
                        theme_form_name((enum theme_form)f), c, THEME_MIN_CONTRAST);
            CU_ASSERT(c >= THEME_MIN_CONTRAST);
        }
        if (getenv("VMVIZ_THEME_REPORT"))
            fprintf(stderr, "\n  %-10s %-10s worst %-15s %.2f:1", t->name,
                    theme_form_name((enum theme_form)f), theme_role_name((enum role)worst_role),
                    worst);
    }
    /* The mono rule, said outright: dim is a mid grey, so no theme uses it
     * (the mono form above already fails it at 3.98:1). */
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (t->styles[r].attrs & THEME_ATTR_DIM)
            fprintf(stderr, "\n  theme %s, role %s: uses dim", t->name,
                    theme_role_name((enum role)r));
        CU_ASSERT_FALSE(t->styles[r].attrs & THEME_ATTR_DIM);
    }
}

static void test_legible(void)
{
    struct theme themes[MAX_THEMES];
    size_t n = shipped_themes(themes, MAX_THEMES);
    CU_ASSERT(n >= 5);
    for (size_t i = 0; i < n; i++)
        check_legible(&themes[i]);
    struct theme mono;
    theme_builtin_mono(&mono);
    check_legible(&mono);
}

/* Telling roles apart.
 *
 * Two looks differ when bold, underline or italic differ, or when their
 * foregrounds or their backgrounds are at least APART apart in CIELAB
 * (Delta E 1976). Roles that carry an outcome (hit against miss, the new
 * frame against the victim, a fault against what went well) must differ
 * in lightness (CIELAB L*, by LIGHTER) or by attribute, not by hue alone,
 * so that no meaning rests on red against green. The cvd theme is held to
 * both rules through simulated protanopia, deuteranopia and tritanopia
 * as well (Machado, Oliveira and Fernandes 2009, full severity, applied in
 * linear RGB). */
#define APART 20.0
#define LIGHTER 20.0

struct lab {
    double l, a, b;
};

static double to_linear(double c)
{
    c /= 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double lab_f(double t)
{
    return t > 216.0 / 24389.0 ? cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
}

enum vision { SEEN_NORMAL, SEEN_PROTAN, SEEN_DEUTAN, SEEN_TRITAN, VISION_COUNT };
static const char *const vision_names[VISION_COUNT] = {"normal vision", "protanopia",
                                                       "deuteranopia", "tritanopia"};
static const double machado[VISION_COUNT][3][3] = {
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
    {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216},
     {-0.003882, -0.048116, 1.051998}},
    {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413},
     {-0.011820, 0.042940, 0.968881}},
    {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602},
     {0.004733, 0.691367, 0.303900}},
};

/* sRGB as seen with vision v, in CIELAB (D65). */
static struct lab lab_of(struct theme_rgb c, enum vision v)
{
    double in[3] = {to_linear(c.r), to_linear(c.g), to_linear(c.b)}, rgb[3];
    for (int i = 0; i < 3; i++) {
        rgb[i] = 0;
        for (int j = 0; j < 3; j++)
            rgb[i] += machado[v][i][j] * in[j];
        rgb[i] = rgb[i] < 0 ? 0 : rgb[i] > 1 ? 1 : rgb[i];
    }
    double x = 0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2];
    double y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    double z = 0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2];
    double fx = lab_f(x / 0.95047), fy = lab_f(y), fz = lab_f(z / 1.08883);
    return (struct lab){116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

static double delta_e(struct lab p, struct lab q)
{
    return sqrt((p.l - q.l) * (p.l - q.l) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b));
}

#define SHAPE_ATTRS (THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE | THEME_ATTR_ITALIC)

/* How far apart two roles are in form: 1000 when an attribute tells them
 * apart, else the larger Delta E (or L* difference when lightness_only)
 * of their foregrounds and of their backgrounds. The worse of a dark and
 * a light terminal. */
static double apart(const struct theme *t, enum role x, enum role y, enum theme_form form,
                    enum vision v, bool lightness_only)
{
    double worst = 1000;
    for (int term = 0; term < 2; term++) {
        struct theme_look p = theme_look(t, x, form, (enum theme_terminal)term);
        struct theme_look q = theme_look(t, y, form, (enum theme_terminal)term);
        if ((p.attrs & SHAPE_ATTRS) != (q.attrs & SHAPE_ATTRS))
            continue;
        struct lab pf = lab_of(p.fg, v), qf = lab_of(q.fg, v);
        struct lab pb = lab_of(p.bg, v), qb = lab_of(q.bg, v);
        double d = lightness_only ? fmax(fabs(pf.l - qf.l), fabs(pb.l - qb.l))
                                  : fmax(delta_e(pf, qf), delta_e(pb, qb));
        worst = fmin(worst, d);
    }
    return worst;
}

/* Roles that mark different things at the same place and time. */
static const enum role groups[][6] = {
    {ROLE_TLB_HIT, ROLE_TLB_MISS, ROLE_TLB_FILL, ROLE_TLB_INVALIDATE, ROLE_COUNT},
    {ROLE_FRAME_ALLOC, ROLE_VICTIM, ROLE_SOURCE, ROLE_HAND, ROLE_COUNT},
    {ROLE_PROC1, ROLE_PROC2, ROLE_PROC3, ROLE_PROC4, ROLE_COUNT},
    {ROLE_LEVEL0, ROLE_LEVEL1, ROLE_LEVEL2, ROLE_LEVEL3, ROLE_LEVEL4, ROLE_COUNT},
    {ROLE_STAGE_DONE, ROLE_STAGE_NOW, ROLE_FAULT, ROLE_COUNT},
    {ROLE_WALK_READ, ROLE_WALK_ACTIVE, ROLE_FAULT, ROLE_COUNT},
    {ROLE_BIT_SET, ROLE_BIT_CLEAR, ROLE_COUNT},
};

/* Outcomes: these must not differ by hue alone. */
static const enum role outcomes[][2] = {
    {ROLE_TLB_HIT, ROLE_TLB_MISS},  {ROLE_FRAME_ALLOC, ROLE_VICTIM},
    {ROLE_FAULT, ROLE_STAGE_DONE},  {ROLE_FAULT, ROLE_WALK_READ},
    {ROLE_ERROR, ROLE_NARRATION},
};

static void check_apart(const struct theme *t, enum theme_form form, enum vision v)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (int i = 0; groups[g][i] != ROLE_COUNT; i++)
            for (int j = i + 1; groups[g][j] != ROLE_COUNT; j++) {
                double d = apart(t, groups[g][i], groups[g][j], form, v, false);
                if (d < APART)
                    fprintf(stderr, "\n  theme %s, %s form, %s: %s and %s look alike (%.1f)",
                            t->name, theme_form_name(form), vision_names[v],
                            theme_role_name(groups[g][i]), theme_role_name(groups[g][j]), d);
                CU_ASSERT(d >= APART);
            }
    for (size_t o = 0; o < sizeof outcomes / sizeof outcomes[0]; o++) {
        double d = apart(t, outcomes[o][0], outcomes[o][1], form, v, true);
        if (d < LIGHTER)
            fprintf(stderr, "\n  theme %s, %s form, %s: %s and %s differ by hue only (%.1f)",
                    t->name, theme_form_name(form), vision_names[v],
                    theme_role_name(outcomes[o][0]), theme_role_name(outcomes[o][1]), d);
        CU_ASSERT(d >= LIGHTER);
    }
}

static void test_apart(void)
{
    struct theme themes[MAX_THEMES];
    size_t n = shipped_themes(themes, MAX_THEMES);
    bool cvd_seen = false;
    for (size_t i = 0; i < n; i++) {
        bool cvd = strcmp(themes[i].name, "cvd") == 0;
        cvd_seen |= cvd;
        /* The colour forms; in mono's, only attributes are left, which
         * the mono theme (whose every form is that) is checked on. */
        for (int f = THEME_FORM_256; f <= THEME_FORM_8; f++)
            for (int v = 0; v < (cvd ? VISION_COUNT : 1); v++)
                check_apart(&themes[i], (enum theme_form)f, (enum vision)v);
    }
    CU_ASSERT(cvd_seen);
    /* The checks themselves: red against green of equal lightness is
     * caught under deuteranopia, and an attribute is enough. */
    struct theme t;
    struct diag err;
    CU_ASSERT_TRUE_FATAL(parse(&t,
                               "background 16 black\n"
                               "normal 252 - white -\n"
                               "tlb_hit 16 71 black green bold\n"
                               "tlb_miss 16 173 black red bold\n"
                               "victim 16 173 black red bold,underline\n",
                               &err));
    CU_ASSERT(apart(&t, ROLE_TLB_HIT, ROLE_TLB_MISS, THEME_FORM_256, SEEN_NORMAL, false) >= APART);
    CU_ASSERT(apart(&t, ROLE_TLB_HIT, ROLE_TLB_MISS, THEME_FORM_256, SEEN_DEUTAN, false) < APART);
    CU_ASSERT(apart(&t, ROLE_TLB_HIT, ROLE_TLB_MISS, THEME_FORM_256, SEEN_NORMAL, true) < LIGHTER);
    CU_ASSERT(apart(&t, ROLE_TLB_HIT, ROLE_VICTIM, THEME_FORM_256, SEEN_DEUTAN, true) == 1000);
}

/* The viewer paints the page with the theme's background: a role whose bg
 * is "-" is drawn on it, and mono leaves the terminal's own colours. */
static void check_page(const char *name, int colors, short want_fg, short want_bg)
{
    struct theme t;
    struct diag err;
    char why[200];
    CU_ASSERT_TRUE_FATAL(theme_load(&t, THEME_DIR, name, &err));
    CU_ASSERT_TRUE_FATAL(term_open_headless(80, 24, colors, why, sizeof why));
    term_apply_theme(&t);
    short page = (short)PAIR_NUMBER(getbkgd(stdscr));
    short fg = -1, bg = -1;
    if (page)
        pair_content(page, &fg, &bg);
    CU_ASSERT_EQUAL(fg, want_fg);
    CU_ASSERT_EQUAL(bg, want_bg);
    /* A text role without a bg of its own sits on the page. */
    short rfg = -1, rbg = -1;
    short rpair = (short)PAIR_NUMBER(term_role_attr(ROLE_EMPTY));
    if (rpair)
        pair_content(rpair, &rfg, &rbg);
    CU_ASSERT_EQUAL(rbg, want_bg);
    short efg, ebg;
    theme_colors(&t, ROLE_EMPTY, colors >= 256 ? THEME_FORM_256 : THEME_FORM_8, &efg, &ebg);
    CU_ASSERT_EQUAL(rfg, colors ? efg : -1);
    term_close();
}

static void test_page(void)
{
    check_page("default", 256, 252, 234);
    check_page("default", 8, COLOR_WHITE, COLOR_BLACK);
    check_page("light", 256, 235, 255);
    check_page("projector", 8, COLOR_BLACK, COLOR_WHITE);
    check_page("mono", 256, -1, -1);
    /* Switching back to mono takes the page colour away again. */
    struct theme t;
    struct diag err;
    char why[200];
    CU_ASSERT_TRUE_FATAL(term_open_headless(80, 24, 256, why, sizeof why));
    CU_ASSERT_TRUE_FATAL(theme_load(&t, THEME_DIR, "cvd", &err));
    term_apply_theme(&t);
    CU_ASSERT_NOT_EQUAL(PAIR_NUMBER(getbkgd(stdscr)), 0);
    theme_builtin_mono(&t);
    term_apply_theme(&t);
    CU_ASSERT_EQUAL(PAIR_NUMBER(getbkgd(stdscr)), 0);
    term_close();
}

void suite_theme_register(void);
void suite_theme_register(void)
{
    CU_pSuite s = CU_add_suite("theme", NULL, NULL);
    CU_add_test(s, "a good theme", test_good);
    CU_add_test(s, "the shipped themes", test_shipped_themes);
    CU_add_test(s, "the built-in fallback", test_builtin);
    CU_add_test(s, "broken lines: exact messages", test_errors);
    CU_add_test(s, "the background line", test_background_errors);
    CU_add_test(s, "missing and broken files", test_load_errors);
    CU_add_test(s, "role names", test_roles);
    CU_add_test(s, "contrast: known figures", test_contrast_values);
    CU_add_test(s, "every role of every theme is legible", test_legible);
    CU_add_test(s, "roles that mark different things stay apart", test_apart);
    CU_add_test(s, "the page takes the theme's background", test_page);
}
