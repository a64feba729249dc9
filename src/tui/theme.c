/* Theme files: parsing and lookup. No curses here, so the parser can be
 * tested (and its messages checked) without a terminal; term.c turns a
 * parsed theme into colour pairs. */
#include "tui/theme.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/userfile.h"

static const char *const role_names[] = {
#define ROLE_NAME(id, name, text) name,
    ROLE_LIST(ROLE_NAME)
#undef ROLE_NAME
};

/* What may start a line, for "did you mean" hints. */
static const char *const line_words[] = {
#define ROLE_NAME(id, name, text) name,
    ROLE_LIST(ROLE_NAME)
#undef ROLE_NAME
    "background",
};

static const char *const role_texts[] = {
#define ROLE_TEXT(id, name, text) text,
    ROLE_LIST(ROLE_TEXT)
#undef ROLE_TEXT
};

static const char *const color8_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", THEME_ATTR_BOLD},         {"dim", THEME_ATTR_DIM},
    {"italic", THEME_ATTR_ITALIC},     {"reverse", THEME_ATTR_REVERSE},
    {"standout", THEME_ATTR_STANDOUT}, {"underline", THEME_ATTR_UNDERLINE},
};

#define THEME_MAX_FILE_BYTES (256u * 1024u)

const char *theme_role_name(enum role role)
{
    return (unsigned)role < ROLE_COUNT ? role_names[role] : "?";
}

const char *theme_role_text(enum role role)
{
    return (unsigned)role < ROLE_COUNT ? role_texts[role] : "?";
}

int theme_role_lookup(const char *name)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(role_names[i], name) == 0)
            return i;
    return -1;
}

/* One whitespace-separated field of a line, with its 1-based column. */
struct field {
    const char *s;
    size_t len;
    unsigned col;
};

struct parser {
    const char *file;
    unsigned line;
    struct diag *err;
    unsigned background_line; /* where the background was set; 0: not yet */
};

static bool field_is(const struct field *f, const char *word)
{
    return strlen(word) == f->len && memcmp(f->s, word, f->len) == 0;
}

/* Copies a field into buf (truncating) so that messages can quote it. */
static const char *field_str(const struct field *f, char *buf, size_t size)
{
    size_t n = f->len < size - 1 ? f->len : size - 1;
    memcpy(buf, f->s, n);
    buf[n] = '\0';
    return buf;
}

static bool parse_number(const struct field *f, long max, long *out)
{
    if (f->len == 0 || f->len > 3)
        return false;
    long v = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (!isdigit((unsigned char)f->s[i]))
            return false;
        v = v * 10 + (f->s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* What "-" means in each column, for messages. */
#define DASH_TERMINAL "the terminal's default"
#define DASH_NORMAL_FG "the foreground of normal"
#define DASH_BACKGROUND "the theme's background"

static bool parse_color256(struct parser *p, const struct field *f, const char *what,
                           const char *dash, short *out)
{
    long v;
    if (field_is(f, "-")) {
        *out = -1;
        return true;
    }
    if (parse_number(f, 255, &v)) {
        *out = (short)v;
        return true;
    }
    char buf[64];
    diag_set(p->err, p->file, p->line, f->col,
             "bad %s '%s' (expected a colour number 0-255, or - for %s)", what,
             field_str(f, buf, sizeof buf), dash);
    return false;
}

static bool parse_color8(struct parser *p, const struct field *f, const char *what,
                         const char *dash, short *out)
{
    long v;
    if (field_is(f, "-")) {
        *out = -1;
        return true;
    }
    if (parse_number(f, 7, &v)) {
        *out = (short)v;
        return true;
    }
    for (size_t i = 0; i < sizeof color8_names / sizeof color8_names[0]; i++)
        if (field_is(f, color8_names[i])) {
            *out = (short)i;
            return true;
        }
    char buf[64];
    const char *word = field_str(f, buf, sizeof buf);
    const char *hint = diag_suggest(word, color8_names, 8);
    char tail[64] = "";
    if (hint)
        snprintf(tail, sizeof tail, "; did you mean '%s'?", hint);
    diag_set(p->err, p->file, p->line, f->col,
             "bad %s '%s' (expected 0-7, black, red, green, yellow, blue, magenta, cyan, "
             "white, or - for %s%s)",
             what, word, dash, tail);
    return false;
}

static bool parse_attrs(struct parser *p, const struct field *f, unsigned *out)
{
    *out = 0;
    if (field_is(f, "-"))
        return true;
    const char *s = f->s, *end = f->s + f->len;
    while (s <= end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        struct field one = {s, (size_t)(stop - s), f->col + (unsigned)(s - f->s)};
        bool found = false;
        for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
            if (field_is(&one, attr_names[i].name)) {
                *out |= attr_names[i].bit;
                found = true;
            }
        if (!found) {
            static const char *const choices[] = {"bold",    "dim",      "italic",
                                                  "reverse", "standout", "underline"};
            char buf[64], tail[64] = "";
            const char *word = field_str(&one, buf, sizeof buf);
            const char *hint = one.len ? diag_suggest(word, choices, 6) : NULL;
            if (hint)
                snprintf(tail, sizeof tail, "; did you mean '%s'?", hint);
            diag_set(p->err, p->file, p->line, one.col,
                     "bad attribute '%s' (expected bold, dim, italic, reverse, standout or "
                     "underline, separated by commas, or -%s)",
                     word, tail);
            return false;
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    return true;
}

/* Splits one line into at most max fields; returns how many there were
 * (possibly more than max). A '#' outside a field starts a comment. */
static size_t split_fields(const char *line, size_t len, struct field *out, size_t max)
{
    size_t n = 0, i = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i >= len || line[i] == '#')
            break;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            i++;
        if (n < max)
            out[n] = (struct field){line + start, i - start, (unsigned)start + 1};
        n++;
    }
    return n;
}

static const char *const field_names[] = {"role", "fg256", "bg256", "fg8", "bg8", "attrs"};

/* background bg256 bg8 */
static bool parse_background(struct parser *p, struct theme *t, const struct field *f, size_t n,
                             const char *line, size_t len)
{
    static const char *const names[] = {"background", "bg256", "bg8"};
    char buf[64];
    if (p->background_line) {
        diag_set(p->err, p->file, p->line, f[0].col,
                 "the background is set twice (first on line %u; expected it once)",
                 p->background_line);
        return false;
    }
    if (n < 3) {
        const struct field *last = &f[n - 1];
        diag_set(p->err, p->file, p->line, last->col + (unsigned)last->len,
                 "missing %s (expected: background bg256 bg8)", names[n]);
        return false;
    }
    if (n > 3) {
        struct field extra[4];
        split_fields(line, len, extra, 4);
        diag_set(p->err, p->file, p->line, extra[3].col,
                 "unexpected field '%s' (expected: background bg256 bg8)",
                 field_str(&extra[3], buf, sizeof buf));
        return false;
    }
    if (!parse_color256(p, &f[1], "bg256", DASH_TERMINAL, &t->bg256) ||
        !parse_color8(p, &f[2], "bg8", DASH_TERMINAL, &t->bg8))
        return false;
    p->background_line = p->line;
    return true;
}

static bool parse_line(struct parser *p, struct theme *t, const char *line, size_t len,
                       unsigned *first_line)
{
    struct field f[6];
    size_t n = split_fields(line, len, f, 6);
    if (n == 0)
        return true;
    if (field_is(&f[0], "background"))
        return parse_background(p, t, f, n < 6 ? n : 6, line, len);
    char buf[64];
    int role = theme_role_lookup(field_str(&f[0], buf, sizeof buf));
    if (role < 0) {
        const char *hint =
            diag_suggest(buf, line_words, sizeof line_words / sizeof line_words[0]);
        char tail[80] = "";
        if (hint)
            snprintf(tail, sizeof tail, "; did you mean '%s'?", hint);
        diag_set(p->err, p->file, p->line, f[0].col,
                 "unknown role '%s' (expected a role such as normal, tlb_hit or victim%s)", buf,
                 tail);
        return false;
    }
    if (t->styles[role].set) {
        diag_set(p->err, p->file, p->line, f[0].col,
                 "role '%s' is set twice (first on line %u; expected each role once)", buf,
                 first_line[role]);
        return false;
    }
    if (n < 5) {
        /* Point just past the last field: that is where the missing one goes. */
        const struct field *last = &f[n - 1];
        diag_set(p->err, p->file, p->line, last->col + (unsigned)last->len,
                 "missing %s (expected: role fg256 bg256 fg8 bg8 [attrs])", field_names[n]);
        return false;
    }
    if (n > 6) {
        struct field extra[7];
        split_fields(line, len, extra, 7);
        diag_set(p->err, p->file, p->line, extra[6].col,
                 "unexpected field '%s' (expected: role fg256 bg256 fg8 bg8 [attrs])",
                 field_str(&extra[6], buf, sizeof buf));
        return false;
    }
    /* A "-" foreground is normal's, except on normal's own line. */
    const char *fg_dash = role == ROLE_NORMAL ? DASH_TERMINAL : DASH_NORMAL_FG;
    struct theme_style st = {.set = true};
    if (!parse_color256(p, &f[1], "fg256", fg_dash, &st.fg256) ||
        !parse_color256(p, &f[2], "bg256", DASH_BACKGROUND, &st.bg256) ||
        !parse_color8(p, &f[3], "fg8", fg_dash, &st.fg8) ||
        !parse_color8(p, &f[4], "bg8", DASH_BACKGROUND, &st.bg8))
        return false;
    if (n == 6 && !parse_attrs(p, &f[5], &st.attrs))
        return false;
    t->styles[role] = st;
    first_line[role] = p->line;
    return true;
}

bool theme_parse(struct theme *t, const char *name, const char *file, const char *text,
                 size_t len, struct diag *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name ? name : "");
    t->bg256 = t->bg8 = -1;
    struct parser p = {file, 0, err, 0};
    unsigned first_line[ROLE_COUNT] = {0};
    size_t pos = 0;
    unsigned roles = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        p.line++;
        if (memchr(text + pos, '\0', end - pos)) {
            diag_set(err, file, p.line, 1, "NUL byte in a theme (expected a text file)");
            return false;
        }
        if (!parse_line(&p, t, text + pos, end - pos, first_line))
            return false;
        pos = end + 1;
    }
    for (int i = 0; i < ROLE_COUNT; i++)
        roles += t->styles[i].set;
    if (roles == 0) {
        diag_set(err, file, p.line ? p.line : 1, 1,
                 "the theme sets no role (expected lines: role fg256 bg256 fg8 bg8 [attrs])");
        return false;
    }
    if (!p.background_line) {
        /* Line 1: where the line is best added. */
        diag_set(err, file, 1, 1,
                 "the theme does not set its background (expected a line 'background bg256 "
                 "bg8', such as 'background 234 black', or 'background - -' to keep the "
                 "terminal's own colours)");
        return false;
    }
    /* Unlisted roles look like normal text: never invisible, never garish. */
    struct theme_style base = t->styles[ROLE_NORMAL];
    base.attrs = 0;
    if (!base.set)
        base = (struct theme_style){-1, -1, -1, -1, 0, false};
    for (int i = 0; i < ROLE_COUNT; i++)
        if (!t->styles[i].set) {
            t->styles[i] = base;
            t->styles[i].set = false;
        }
    return true;
}

/* The base name of path without its directory and ".theme". */
static void theme_name_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 6 && strcmp(base + n - 6, ".theme") == 0)
        n -= 6;
    if (n >= size)
        n = size - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

bool theme_load_file(struct theme *t, const char *path, struct diag *err)
{
    /* Only a regular file, opened without blocking: a FIFO named like a
     * theme must not hang the viewer before its screen is even up. */
    size_t len;
    char *buf = userfile_read(path, "the theme", THEME_MAX_FILE_BYTES, &len, err);
    if (!buf)
        return false;
    char name[THEME_NAME_MAX];
    theme_name_of(path, name, sizeof name);
    bool ok = theme_parse(t, name, path, buf, len, err);
    free(buf);
    return ok;
}

bool theme_load(struct theme *t, const char *dir, const char *name, struct diag *err)
{
    if (strchr(name, '/'))
        return theme_load_file(t, name, err);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.theme", dir ? dir : ".", name);
    /* Whatever is there (even a FIFO, which opening could wait on) is the
     * theme asked for: theme_load_file says what is wrong with it. */
    struct stat st;
    if (stat(path, &st) == 0)
        return theme_load_file(t, path, err);
    char *names[32];
    size_t n = theme_list(dir, names, 32);
    char expected[DIAG_MESSAGE_MAX];
    if (n)
        diag_set(err, "--theme", 0, 0, "no theme '%s' in %s (%s)", name, dir ? dir : ".",
                 diag_expected_choice(expected, sizeof expected, name,
                                      (const char *const *)names, n));
    else
        diag_set(err, "--theme", 0, 0,
                 "no theme '%s': %s holds no .theme file (expected a theme name or a path)", name,
                 dir ? dir : ".");
    theme_names_free(names, n);
    return false;
}

/* The built-in fallback, in the file format itself so it goes through the
 * same parser: the terminal's own colours and attributes only, legible on
 * any terminal. The same as themes/mono.theme; no dim (see theme_contrast). */
static const char builtin_mono[] =
    "background - -\n"
    "normal - - - - -\n"
    "dim - - - - -\n"
    "title - - - - bold,underline\n"
    "title_focus - - - - reverse,bold\n"
    "status - - - - reverse\n"
    "status_play - - - - reverse,bold\n"
    "status_pause - - - - reverse\n"
    "keyhint - - - - bold\n"
    "current - - - - reverse\n"
    "va - - - - bold\n"
    "pa - - - - bold\n"
    "level0 - - - - bold\n"
    "level1 - - - - underline\n"
    "level2 - - - - bold,underline\n"
    "level3 - - - - -\n"
    "level4 - - - - reverse\n"
    "offset - - - - -\n"
    "sign - - - - -\n"
    "walk_read - - - - bold\n"
    "walk_active - - - - reverse,bold\n"
    "fault - - - - reverse,bold,underline\n"
    "bit_set - - - - bold\n"
    "bit_clear - - - - -\n"
    "tlb_lookup - - - - underline\n"
    "tlb_hit - - - - reverse,bold\n"
    "tlb_miss - - - - reverse,underline\n"
    "tlb_fill - - - - reverse\n"
    "tlb_invalidate - - - - reverse,bold,underline\n"
    "empty - - - - -\n"
    "frame_table - - - - underline\n"
    "frame_zero - - - - underline\n"
    "frame_file - - - - underline\n"
    "frame_kernel - - - - underline\n"
    "proc1 - - - - bold\n"
    "proc2 - - - - underline\n"
    "proc3 - - - - bold,underline\n"
    "proc4 - - - - -\n"
    "frame_alloc - - - - reverse,bold\n"
    "victim - - - - reverse,underline\n"
    "source - - - - bold,underline\n"
    "dirty - - - - bold\n"
    "hand - - - - reverse\n"
    "swap_used - - - - bold\n"
    "swap_io - - - - reverse,bold\n"
    "stage_done - - - - bold\n"
    "stage_now - - - - reverse,bold\n"
    "stage_todo - - - - -\n"
    "narration - - - - -\n"
    "say - - - - bold\n"
    "delta - - - - bold\n"
    "error - - - - reverse,bold\n"
    "overlay - - - - -\n"
    "selected - - - - reverse\n";

void theme_builtin_mono(struct theme *t)
{
    struct diag err;
    /* It is a constant of this file: it always parses. */
    theme_parse(t, "mono", "(built-in)", builtin_mono, sizeof builtin_mono - 1, &err);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t theme_list(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir ? dir : ".");
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < max) {
        size_t len = strlen(de->d_name);
        if (len <= 6 || strcmp(de->d_name + len - 6, ".theme") != 0 || de->d_name[0] == '.')
            continue;
        char *name = malloc(len - 5);
        if (!name)
            break;
        memcpy(name, de->d_name, len - 6);
        name[len - 6] = '\0';
        names[n++] = name;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], compare_names);
    return n;
}

void theme_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

/* Legibility: palettes, WCAG luminance and contrast. */

static const char *const form_names[THEME_FORM_COUNT] = {"256-colour", "8-colour", "mono"};

const char *theme_form_name(enum theme_form form)
{
    return (unsigned)form < THEME_FORM_COUNT ? form_names[form] : "?";
}

/* xterm's default 16 system colours; the first 8 are also its 8-colour
 * palette. Bold does not brighten: 0-7 stay 0-7. */
static const unsigned char system16[16][3] = {
    {0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
    {0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
    {127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
    {92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

/* The six levels of each channel of the 6x6x6 cube (16-231). */
static const unsigned char cube_levels[6] = {0, 95, 135, 175, 215, 255};

bool theme_palette_rgb(enum theme_form form, int colour, struct theme_rgb *out)
{
    int max = form == THEME_FORM_256 ? 255 : form == THEME_FORM_8 ? 7 : -1;
    if (colour < 0 || colour > max)
        return false;
    if (colour < 16) {
        *out = (struct theme_rgb){system16[colour][0], system16[colour][1], system16[colour][2]};
    } else if (colour < 232) {
        int c = colour - 16;
        *out = (struct theme_rgb){cube_levels[c / 36], cube_levels[c / 6 % 6], cube_levels[c % 6]};
    } else {
        double grey = 8 + 10 * (colour - 232);
        *out = (struct theme_rgb){grey, grey, grey};
    }
    return true;
}

/* One sRGB channel (0-255) to linear light (0-1), as WCAG 2.x defines it. */
static double linear_channel(double c)
{
    c /= 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double theme_luminance(struct theme_rgb c)
{
    return 0.2126 * linear_channel(c.r) + 0.7152 * linear_channel(c.g) +
           0.0722 * linear_channel(c.b);
}

double theme_contrast_ratio(struct theme_rgb a, struct theme_rgb b)
{
    double la = theme_luminance(a), lb = theme_luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

void theme_colors(const struct theme *t, enum role role, enum theme_form form, short *fg,
                  short *bg)
{
    *fg = *bg = -1;
    if (form != THEME_FORM_256 && form != THEME_FORM_8)
        return;
    if ((unsigned)role >= ROLE_COUNT)
        role = ROLE_NORMAL;
    bool c256 = form == THEME_FORM_256;
    const struct theme_style *s = &t->styles[role], *n = &t->styles[ROLE_NORMAL];
    *fg = c256 ? s->fg256 : s->fg8;
    if (*fg < 0)
        *fg = c256 ? n->fg256 : n->fg8;
    *bg = c256 ? s->bg256 : s->bg8;
    if (*bg < 0)
        *bg = c256 ? t->bg256 : t->bg8;
}

struct theme_look theme_look(const struct theme *t, enum role role, enum theme_form form,
                             enum theme_terminal term)
{
    static const struct theme_rgb black = {0, 0, 0}, white = {255, 255, 255};
    if ((unsigned)role >= ROLE_COUNT)
        role = ROLE_NORMAL;
    struct theme_look look = {.attrs = t->styles[role].attrs};
    short fg, bg;
    theme_colors(t, role, form, &fg, &bg);
    if (!theme_palette_rgb(form, fg, &look.fg))
        look.fg = term == THEME_TERMINAL_LIGHT ? black : white;
    if (!theme_palette_rgb(form, bg, &look.bg))
        look.bg = term == THEME_TERMINAL_LIGHT ? white : black;
    /* Terminals send standout as reverse video; both at once is still one swap. */
    if (look.attrs & (THEME_ATTR_REVERSE | THEME_ATTR_STANDOUT)) {
        struct theme_rgb tmp = look.fg;
        look.fg = look.bg;
        look.bg = tmp;
    }
    if (look.attrs & THEME_ATTR_DIM) {
        look.fg.r = (look.fg.r + look.bg.r) / 2;
        look.fg.g = (look.fg.g + look.bg.g) / 2;
        look.fg.b = (look.fg.b + look.bg.b) / 2;
    }
    return look;
}

double theme_contrast(const struct theme *t, enum role role, enum theme_form form)
{
    struct theme_look dark = theme_look(t, role, form, THEME_TERMINAL_DARK);
    struct theme_look light = theme_look(t, role, form, THEME_TERMINAL_LIGHT);
    double a = theme_contrast_ratio(dark.fg, dark.bg);
    double b = theme_contrast_ratio(light.fg, light.bg);
    return a < b ? a : b;
}
