#ifndef VMVIZ_TUI_THEME_H
#define VMVIZ_TUI_THEME_H
/* Colour roles and themes.
 *
 * Views never name a colour: they ask for a role (ROLE_TLB_HIT) and the
 * theme says how it looks. A theme is a data file: one background line
 * and one role a line:
 *
 *   # comment
 *   background  bg256 bg8
 *   role        fg256 bg256   fg8   bg8    attrs
 *   tlb_hit     16    114     black green  bold
 *
 * background (required, once): the page every role is drawn on, a colour
 * number 0-255 and an 8-colour name or number; "- -" keeps the terminal's
 * own colours (the mono theme). fg256/bg256: a colour number 0-255 or "-";
 * fg8/bg8: 0-7, a colour name (black red green yellow blue magenta cyan
 * white) or "-". A "-" foreground is the foreground of "normal" (for
 * normal itself, the terminal's); a "-" background is the theme's
 * background. attrs: "-" or a comma-separated list of bold, dim, italic,
 * reverse, standout, underline; the column may be left out. The
 * 256-colour pair is used on terminals with 256 colours, the 8-colour pair
 * on the others; terminals without colours get the attributes only. A
 * role the file does not list looks like "normal".
 *
 * Legibility is measured, not guessed: theme_contrast() gives the WCAG 2.x
 * contrast ratio of a role in each form, and the tests hold every shipped
 * theme to THEME_MIN_CONTRAST for every role. */
#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define ROLE_LIST(X)                                                              \
    X(NORMAL, "normal", "ordinary text")                                          \
    X(DIM, "dim", "labels and secondary text")                                    \
    X(TITLE, "title", "panel titles")                                             \
    X(TITLE_FOCUS, "title_focus", "the title of the focused panel")               \
    X(STATUS, "status", "the status line")                                        \
    X(STATUS_PLAY, "status_play", "the playing indicator")                        \
    X(STATUS_PAUSE, "status_pause", "the paused indicator")                       \
    X(KEYHINT, "keyhint", "key names in hints and help")                          \
    X(CURRENT, "current", "what the current step acts on")                        \
    X(VA, "va", "virtual addresses")                                              \
    X(PA, "pa", "physical addresses")                                             \
    X(LEVEL0, "level0", "VA bits and entries of level 0 (the root)")              \
    X(LEVEL1, "level1", "VA bits and entries of level 1")                         \
    X(LEVEL2, "level2", "VA bits and entries of level 2")                         \
    X(LEVEL3, "level3", "VA bits and entries of level 3")                         \
    X(LEVEL4, "level4", "VA bits and entries of level 4")                         \
    X(OFFSET, "offset", "the page offset bits")                                   \
    X(SIGN, "sign", "upper VA bits no level uses")                                \
    X(WALK_READ, "walk_read", "entries this walk has read")                       \
    X(WALK_ACTIVE, "walk_active", "the entry being read now")                     \
    X(FAULT, "fault", "page faults and where a walk stops")                       \
    X(BIT_SET, "bit_set", "an entry bit that is set")                             \
    X(BIT_CLEAR, "bit_clear", "an entry bit that is clear")                       \
    X(TLB_LOOKUP, "tlb_lookup", "the TLB set being searched")                     \
    X(TLB_HIT, "tlb_hit", "a TLB hit")                                            \
    X(TLB_MISS, "tlb_miss", "a TLB miss")                                         \
    X(TLB_FILL, "tlb_fill", "a TLB entry being filled")                           \
    X(TLB_INVALIDATE, "tlb_invalidate", "a TLB entry being invalidated")          \
    X(EMPTY, "empty", "unused TLB ways, free frames, free swap slots")            \
    X(FRAME_TABLE, "frame_table", "frames holding page tables")                   \
    X(FRAME_ZERO, "frame_zero", "the shared zero page")                           \
    X(FRAME_FILE, "frame_file", "frames of the page cache")                       \
    X(FRAME_KERNEL, "frame_kernel", "frames of the kernel's own memory")          \
    X(PROC1, "proc1", "anonymous frames of the first process")                    \
    X(PROC2, "proc2", "anonymous frames of the second process")                   \
    X(PROC3, "proc3", "anonymous frames of the third process")                    \
    X(PROC4, "proc4", "anonymous frames of the fourth process")                   \
    X(FRAME_ALLOC, "frame_alloc", "the frame being allocated")                    \
    X(VICTIM, "victim", "the victim being evicted")                               \
    X(SOURCE, "source", "the frame a copy is read from (copy-on-write)")          \
    X(DIRTY, "dirty", "the dirty mark")                                           \
    X(HAND, "hand", "the clock hand, the next victim")                            \
    X(SWAP_USED, "swap_used", "swap slots holding a page")                        \
    X(SWAP_IO, "swap_io", "the swap slot being written or read")                  \
    X(STAGE_DONE, "stage_done", "stages of the access already done")              \
    X(STAGE_NOW, "stage_now", "the stage of the access happening now")           \
    X(STAGE_TODO, "stage_todo", "stages still to come")                           \
    X(NARRATION, "narration", "the sentence about the current step")              \
    X(SAY, "say", "the scenario's own text")                                      \
    X(DELTA, "delta", "a counter's change since the chapter began")               \
    X(ERROR, "error", "errors and failed expectations")                           \
    X(OVERLAY, "overlay", "help and detail windows")                              \
    X(SELECTED, "selected", "the selected line of a list")

enum role {
#define ROLE_ENUM(id, name, text) ROLE_##id,
    ROLE_LIST(ROLE_ENUM)
#undef ROLE_ENUM
    ROLE_COUNT
};

/* The number of owner colours (PROC1..PROC4), cycled by process. */
#define THEME_PROC_ROLES 4

/* How one role looks, as the file says it. A colour is -1 for "-": the
 * foreground of normal, or the theme's background (see theme_colors). */
struct theme_style {
    short fg256, bg256;
    short fg8, bg8;
    unsigned attrs;        /* THEME_ATTR_* */
    bool set;              /* listed in the file */
};

#define THEME_ATTR_BOLD      0x01u
#define THEME_ATTR_DIM       0x02u
#define THEME_ATTR_ITALIC    0x04u
#define THEME_ATTR_REVERSE   0x08u
#define THEME_ATTR_STANDOUT  0x10u
#define THEME_ATTR_UNDERLINE 0x20u

#define THEME_NAME_MAX 64

struct theme {
    char name[THEME_NAME_MAX];
    /* The background line: the page every role whose bg is -1 is drawn
     * on, and the colour the viewer paints the screen with. -1 keeps the
     * terminal's own background. */
    short bg256, bg8;
    struct theme_style styles[ROLE_COUNT];
};

/* The file name of a role ("tlb_hit"), or "?" when out of range. */
const char *theme_role_name(enum role role);
/* A one-line description of a role, for theme authors. */
const char *theme_role_text(enum role role);
/* The role of a file name, or -1. */
int theme_role_lookup(const char *name);

/* Parses theme text text[0..len); file names it in messages and name becomes
 * t->name. true on success; false with err set to FILE:LINE:COLUMN and what
 * was expected (a missing background line is reported at line 1). Roles
 * not listed are copied from "normal" without its attributes. */
bool theme_parse(struct theme *t, const char *name, const char *file, const char *text,
                 size_t len, struct diag *err);
/* Reads and parses a theme file (name is the file's base name without
 * ".theme"). Same contract as theme_parse; an unreadable file is an error
 * without a line. */
bool theme_load_file(struct theme *t, const char *path, struct diag *err);
/* Loads the theme NAME: a path when it contains '/', otherwise
 * DIR/NAME.theme. An unknown name is an error that lists the themes of dir. */
bool theme_load(struct theme *t, const char *dir, const char *name, struct diag *err);
/* The built-in monochrome theme, used when no theme file can be found:
 * the terminal's own colours, bold, reverse and underline, no dim. */
void theme_builtin_mono(struct theme *t);

/* Legibility.
 *
 * A theme takes one of three forms, by terminal: its 256-colour columns,
 * its 8-colour columns, or its attributes alone (no colour at all). The
 * colours are assumed to be xterm's: the 16 system colours of its default
 * palette, the 6x6x6 cube with levels 0, 95, 135, 175, 215, 255 and the
 * 24 greys 8 + 10 * i; with 8 colours, black 0,0,0, red 205,0,0, green
 * 0,205,0, yellow 205,205,0, blue 0,0,238, magenta 205,0,205, cyan
 * 0,205,205, white 229,229,229. Bold is not taken to brighten a colour:
 * many terminals only thicken the letters. */
enum theme_form {
    THEME_FORM_256,  /* fg256 and bg256 */
    THEME_FORM_8,    /* fg8 and bg8 */
    THEME_FORM_MONO, /* attributes only, in the terminal's own colours */
};
#define THEME_FORM_COUNT 3

/* The contrast every role of a shipped theme reaches in every form: the
 * WCAG 2.x minimum for text (success criterion 1.4.3). */
#define THEME_MIN_CONTRAST 4.5

/* An sRGB colour, each channel 0-255 (fractional after mixing). */
struct theme_rgb {
    double r, g, b;
};

/* The terminal's own default colours, which no theme can know: a dark
 * terminal is taken as white on black, a light one as black on white. */
enum theme_terminal {
    THEME_TERMINAL_DARK,
    THEME_TERMINAL_LIGHT,
};

/* How a role appears: the colours the eye sees once "-" is resolved,
 * reverse applied and dim mixed in, and the attributes. */
struct theme_look {
    struct theme_rgb fg, bg;
    unsigned attrs; /* THEME_ATTR_* as the theme gives them */
};

/* "256-colour", "8-colour" or "mono"; "?" when out of range. */
const char *theme_form_name(enum theme_form form);

/* The colour numbers role is drawn with in form: a -1 foreground becomes
 * the foreground of normal, a -1 background the theme's background; what
 * is still -1 is the terminal's own colour. THEME_FORM_MONO gives -1, -1.
 * A role out of range is taken as normal. */
void theme_colors(const struct theme *t, enum role role, enum theme_form form, short *fg,
                  short *bg);

/* The RGB value of colour number colour in form (0-255 for
 * THEME_FORM_256, 0-7 for THEME_FORM_8), from the palettes above. false
 * (and *out untouched) for -1, a number out of range or THEME_FORM_MONO. */
bool theme_palette_rgb(enum theme_form form, int colour, struct theme_rgb *out);

/* WCAG 2.x relative luminance of c: 0 for black, 1 for white. */
double theme_luminance(struct theme_rgb c);

/* WCAG 2.x contrast ratio of two colours, (L1 + 0.05) / (L2 + 0.05) with
 * L1 the lighter: from 1 (the same) to 21 (black and white). Symmetric. */
double theme_contrast_ratio(struct theme_rgb a, struct theme_rgb b);

/* How role of t looks in form on a terminal whose own colours are term
 * (they matter only where a colour is still -1 after theme_colors):
 * reverse or standout swap foreground and background; dim then mixes the
 * foreground half-way into the background, which is how terminals that
 * honour it draw dim. */
struct theme_look theme_look(const struct theme *t, enum role role, enum theme_form form,
                             enum theme_terminal term);

/* The contrast ratio between the text of role and what it is drawn on, in
 * form: the lower of the two theme_look()s (dark and light terminal), so a
 * colour left to the terminal counts as the worse of black and white. A
 * theme that keeps the terminal's colours (mono) scores 21 on every role,
 * except with dim (3.98: a mid grey on white). No I/O; pure. */
double theme_contrast(const struct theme *t, enum role role, enum theme_form form);

/* The names of the themes in dir (files NAME.theme), sorted, into
 * names[0..max); returns how many. Each name is a malloc'd string the
 * caller frees with theme_names_free. */
size_t theme_list(const char *dir, char **names, size_t max);
void theme_names_free(char **names, size_t n);

#endif
