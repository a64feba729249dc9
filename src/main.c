/* vmviz: the command line. It parses arguments and hands over to the TUI
 * or to headless playback; nothing else lives here.
 *
 * Every word of the command line is untrusted: errors quote it through
 * diag_print, which shows control characters escaped, and numbers are read
 * by the scenario's own parser (scenario/value.h), so that "010" or "0x10"
 * mean the same on the command line as in a scenario. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "play/answers.h"
#include "play/exercise.h"
#include "play/compare.h"
#include "play/narrate.h"
#include "play/quiz_report.h"
#include "play/report.h"
#include "play/timeline.h"
#include "util/diag.h"
#include "util/escape.h"
#include "util/exitstatus.h"
#include "scenario/scenario.h"
#include "scenario/trace.h"
#include "util/value.h"
#include "tui/theme.h"
#include "tui/tui.h"

#ifndef VMVIZ_VERSION
#define VMVIZ_VERSION "0.0"
#endif
#ifndef VMVIZ_PREFIX
#define VMVIZ_PREFIX "/usr/local"
#endif

/* The name errors about the command line give as their file. */
#define COMMAND_LINE "command line"

/* ---- the vocabulary, one table each ------------------------------------ */

/* Which commands accept an option. */
#define MODE_VIEW 1u
#define MODE_RUN 2u
#define MODE_CHECK 4u
#define MODE_COMPARE 8u
#define MODE_QUIZ 16u
#define MODE_ALL (MODE_VIEW | MODE_RUN | MODE_CHECK | MODE_QUIZ)

/* Every option: its name, whether a value follows, where it is allowed,
 * and its line of --help (VALUE is what the help calls its value). */
static const struct option_info {
    const char *name;
    const char *value;   /* NULL: a flag */
    unsigned modes;
    const char *help;
} options_table[] = {
    {"--policy", "NAME", MODE_ALL, "replacement policy: %P"},
    {"--frames", "N", MODE_ALL, "number of physical frames, 1 to %M"},
    {"--tlb", "ENTRIES[xWAYS]", MODE_ALL | MODE_COMPARE, "TLB size and associativity (%W ways by default)"},
    {"--seed", "N", MODE_ALL | MODE_COMPARE, "seed for random choices"},
    {"--theme", "NAME", MODE_VIEW, "colour theme: %T (NO_COLOR selects mono)"},
    {"--present", NULL, MODE_VIEW, "presenter mode: the step's panel large, for a projector"},
    {"--chapter", "N", MODE_VIEW, "open the scenario at its chapter N (1 is the first)"},
    {"--step", "N", MODE_VIEW, "open the scenario N steps on (from --chapter's start)"},
    {"--record", "FILE", MODE_VIEW, "record what the viewer shows as an asciicast v2 file"},
    {"--keys", "FILE", MODE_VIEW, "play the keys of FILE (with their delays) as if typed"},
    {"--level", "UNIT", MODE_RUN, "one line (a cast: one frame) per %L (default event; "
     "for a cast, op)"},
    {"--format", "FORMAT", MODE_RUN, "%F: plain sentences, JSON Lines with stable keys, or "
     "the viewer's screens as an asciicast"},
    {"--size", "COLSxROWS", MODE_RUN, "the screen --format cast draws (default %S)"},
    {"--stats", NULL, MODE_RUN, "print only the final counters"},
    {"--policies", "LIST", MODE_COMPARE, "policies to race, comma-separated: %P (default: "
     "all)"},
    {"--frames", "N|A..B", MODE_COMPARE, "frame counts to race, 1 to %M (default: the "
     "scenario's)"},
    {"--format", "FORMAT", MODE_COMPARE, "text (a table, and a chart of faults against a range "
     "of frames) or json (one array of rows)"},
    {"--format", "FORMAT", MODE_QUIZ, "text or json: readable lines, or JSON Lines with stable "
     "keys"},
    {"--questions", NULL, MODE_QUIZ, "print the numbered questions and their choices"},
    {"--answers", "FILE", MODE_QUIZ, "mark the answers of FILE ('N: ANSWER' a line)"},
    {"--ask", "KINDS", MODE_QUIZ, "ask these kinds at every access: a comma-separated list "
     "of %K (default: each kind once per step)"},
    {"--quiz", NULL, MODE_VIEW, "quiz mode: stop before each decision and ask it"},
    {"--help", NULL, MODE_ALL | MODE_COMPARE, "print this help"},
};
#define OPTION_COUNT (sizeof options_table / sizeof options_table[0])

/* Room in --help: for one line's text, for an option and its value
 * ("--tlb ENTRIES[xWAYS]"), and how many themes its list names. */
#define HELP_TEXT_MAX 400
#define HELP_OPTION_MAX 40
#define HELP_MAX_THEMES 32

/* The names an option's value is chosen from come from their tables:
 * policies (vm/policy.h), levels and formats (play/report.h), themes (the
 * themes directory). */
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* --format's words: the reporters' (play/report.h), then the viewer's
 * recording (tui/tui.h), which tui_render_cast draws instead of a
 * reporter. */
static const char *const format_names[] = {
#define FORMAT_NAME(id, name) name,
    REPORT_FORMAT_INFO(FORMAT_NAME)
#undef FORMAT_NAME
    TUI_CAST_FORMAT,
    NULL
};
#define FORMAT_CAST (COUNT_OF(format_names) - 2)

/* ---- output ------------------------------------------------------------- */

/* The first error met writing standard output (0: none yet), kept so that
 * it is reported once, with its cause, however many writes fail after. */
static int stdout_errno;

/* Ends the program the way a filter does when its reader has gone: by
 * SIGPIPE, quietly (the shell reports 128 + 13). Reached only when the
 * signal was blocked or ignored when the write failed. */
static void die_of_broken_pipe(void)
{
    sigset_t set;
    signal(SIGPIPE, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGPIPE);
    _exit(EXIT_SIGNAL_BASE + SIGPIPE);
}

/* True once writing standard output has failed; notes why the first time.
 * Called right after each batch of writes, while errno still tells. */
static bool stdout_failed(void)
{
    if (stdout_errno == 0 && ferror(stdout))
        stdout_errno = errno ? errno : EIO;
    if (stdout_errno == EPIPE)
        die_of_broken_pipe();
    return stdout_errno != 0;
}

/* The exit status, once everything is written: standard output flushed,
 * and a write error on it reported (once) as status 2. A failure to write
 * standard error cannot be reported, but still gives status 2. */
static int finish(int status)
{
    if (fflush(stdout) != 0 && stdout_errno == 0)
        stdout_errno = errno ? errno : EIO;
    if (!stdout_failed() && !ferror(stdout)) {
        fflush(stderr);
        return ferror(stderr) ? EXIT_BAD_INPUT : status;
    }
    struct diag d;
    diag_set(&d, "standard output", 0, 0, "cannot write the output: %s (expected a "
             "standard output that takes it all)", strerror(stdout_errno));
    diag_print(stderr, &d);
    return EXIT_BAD_INPUT;
}

/* ---- the command line --------------------------------------------------- */

/* Arguments, with where each starts in the command line for messages. */
struct args {
    int argc;
    char **argv;
    int i;
};

/* The column where argument index starts in the command line the way a
 * shell shows it: the words, program name included, joined by spaces. */
static unsigned arg_column(const struct args *a, int index)
{
    unsigned col = 1;
    for (int k = 0; k < index && k < a->argc; k++)
        col += (unsigned)strlen(a->argv[k]) + 1;
    return col;
}

static int usage_error(const struct args *a, int index, const char *fmt, ...)
    DIAG_PRINTF(3, 4);

static int usage_error_at(unsigned column, const char *fmt, ...) DIAG_PRINTF(2, 3);

/* Reports "command line:1:COL: error: ..." at a column of the command
 * line (one within an argument, such as an item of a list); returns 2. */
static int usage_error_at(unsigned column, const char *fmt, ...)
{
    char what[DIAG_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    struct diag d;
    diag_set(&d, COMMAND_LINE, 1, column, "%s", what);
    diag_print(stderr, &d);
    return EXIT_BAD_INPUT;
}

/* Reports "command line:1:COL: error: ..." for argument index; returns 2. */
static int usage_error(const struct args *a, int index, const char *fmt, ...)
{
    char what[DIAG_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return usage_error_at(arg_column(a, index), "%s", what);
}

/* How many characters of a bad argument a message quotes: more than a
 * reader quotes of a file (DIAG_QUOTE_MAX), as a path is often long. */
#define QUOTE_MAX 60

/* Reads a number from min to max (the scenario's syntax: decimal, 0x,
 * 0b, '_' between digits; no sign, no suffix, nothing after it). 0 with
 * *out set, or the exit status after reporting it at argument at. */
static int parse_number_arg(const struct args *a, int at, const char *option, uint64_t min,
                            uint64_t max, uint64_t *out)
{
    const char *value = a->argv[at];
    uint64_t n;
    if (value_parse_number(value, strlen(value), &n) != VALUE_OK || n < min || n > max)
        return usage_error(a, at, "%s is '%.*s' (expected a number from %llu to %llu)", option,
                           QUOTE_MAX, value, (unsigned long long)min, (unsigned long long)max);
    *out = n;
    return 0;
}

/* --tlb ENTRIES[xWAYS]. Without ways the TLB has the default ways of
 * vmviz(1): 4, or as many as its entries when it has fewer; entries the
 * ways do not divide are refused, never given other ways. */
static int parse_tlb_arg(const struct args *a, int at, long long *entries, long long *ways)
{
    const char *value = a->argv[at];
    size_t len = strlen(value), cut = value_number_length(value, len);
    uint64_t e, w = 0;
    bool has_ways = cut < len && (value[cut] == 'x' || value[cut] == 'X');
    if (value_parse_number(value, cut, &e) != VALUE_OK || (cut < len && !has_ways)
        || (has_ways && value_parse_number(value + cut + 1, len - cut - 1, &w) != VALUE_OK))
        return usage_error(a, at, "--tlb is '%.*s' (expected ENTRIES or ENTRIESxWAYS, such as "
                           "64 or 16x2)", QUOTE_MAX, value);
    if (e < 1 || e > MACHINE_MAX_TLB)
        return usage_error(a, at, "--tlb asks for %llu entries (expected 1 to %d)",
                           (unsigned long long)e, MACHINE_MAX_TLB);
    if (has_ways && (w < 1 || w > e || e % w != 0))
        return usage_error(a, at, "--tlb asks for %llu entries in %llu ways (expected ways "
                           "that divide the entries)", (unsigned long long)e,
                           (unsigned long long)w);
    if (!has_ways) {
        w = e < SCENARIO_DEFAULT_TLB_WAYS ? e : SCENARIO_DEFAULT_TLB_WAYS;
        if (e % w != 0)
            return usage_error(a, at, "--tlb asks for %llu entries, which the default %u ways "
                               "do not divide (expected a multiple of %u, fewer than %u "
                               "entries, or ENTRIESxWAYS)", (unsigned long long)e,
                               SCENARIO_DEFAULT_TLB_WAYS, SCENARIO_DEFAULT_TLB_WAYS,
                               SCENARIO_DEFAULT_TLB_WAYS);
    }
    *entries = (long long)e;
    *ways = (long long)w;
    return 0;
}

/* --size COLSxROWS, from the viewer's smallest screen to the largest a
 * cast is drawn at. */
static int parse_size_arg(const struct args *a, int at, int *cols, int *rows)
{
    const char *value = a->argv[at];
    size_t len = strlen(value), cut = value_number_length(value, len);
    uint64_t c = 0, r = 0;
    if (cut >= len || (value[cut] != 'x' && value[cut] != 'X')
        || value_parse_number(value, cut, &c) != VALUE_OK
        || value_parse_number(value + cut + 1, len - cut - 1, &r) != VALUE_OK
        || c < TUI_CAST_COLS || c > TUI_CAST_MAX_COLS || r < TUI_CAST_ROWS
        || r > TUI_CAST_MAX_ROWS)
        return usage_error(a, at, "--size is '%.*s' (expected COLSxROWS from %dx%d to %dx%d, "
                           "such as 120x40)", QUOTE_MAX, value, TUI_CAST_COLS, TUI_CAST_ROWS,
                           TUI_CAST_MAX_COLS, TUI_CAST_MAX_ROWS);
    *cols = (int)c;
    *rows = (int)r;
    return 0;
}

/* A word written at a column of the command line that must be one of
 * names[0..n): its index, or the exit status after "unknown WHAT 'word'
 * (expected a, b or c; did you mean 'b'?)". */
static int choose_word(unsigned column, const char *word, const char *what,
                       const char *const *names, size_t n, size_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(word, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char expected[DIAG_MESSAGE_MAX];
    return usage_error_at(column, "unknown %s '%.*s' (%s)", what, QUOTE_MAX, word,
                          diag_expected_choice(expected, sizeof expected, word, names, n));
}

/* The same for the whole argument at. */
static int choose(const struct args *a, int at, const char *what, const char *const *names,
                  size_t n, size_t *out)
{
    return choose_word(arg_column(a, at), a->argv[at], what, names, n, out);
}

/* compare --policies fifo,lru,...: each a policy, each once, into the
 * plan in the order written. An item's error points at the item. */
static int parse_policy_list(const struct args *a, int at, struct compare_plan *plan)
{
    const char *list = a->argv[at];
    plan->npolicies = 0;
    for (const char *item = list;; item++) {
        size_t len = strcspn(item, ",");
        char word[QUOTE_MAX + 1];
        snprintf(word, sizeof word, "%.*s", (int)(len < QUOTE_MAX ? len : QUOTE_MAX), item);
        unsigned column = arg_column(a, at) + (unsigned)(item - list);
        size_t k = 0;
        int status = choose_word(column, word, "policy", policy_names, diag_count(policy_names),
                                 &k);
        if (status)
            return status;
        for (size_t i = 0; i < plan->npolicies; i++)
            if (plan->policies[i] == (enum policy_kind)k)
                return usage_error_at(column, "policy '%s' is listed twice in --policies "
                                      "(expected each policy once)", policy_names[k]);
        plan->policies[plan->npolicies++] = (enum policy_kind)k;
        item += len;
        if (*item == '\0')
            return 0;
    }
}

/* compare --frames N or A..B: frame counts from 1 to MACHINE_MAX_FRAMES,
 * A at most B (N is N..N). */
static int parse_frame_range(const struct args *a, int at, struct compare_plan *plan)
{
    const char *value = a->argv[at];
    const char *dots = strstr(value, "..");
    size_t len = strlen(value), first = dots ? (size_t)(dots - value) : len;
    uint64_t low, high;
    if (value_parse_number(value, first, &low) != VALUE_OK
        || (dots && value_parse_number(dots + 2, len - first - 2, &high) != VALUE_OK))
        return usage_error(a, at, "--frames is '%.*s' (expected N or a range A..B of frame "
                           "counts, such as 1..8)", QUOTE_MAX, value);
    if (!dots)
        high = low;
    if (low < 1 || low > MACHINE_MAX_FRAMES || high < 1 || high > MACHINE_MAX_FRAMES)
        return usage_error(a, at, "--frames is '%.*s' (expected frame counts from 1 to %lu)",
                           QUOTE_MAX, value, (unsigned long)MACHINE_MAX_FRAMES);
    if (high < low)
        return usage_error(a, at, "--frames is '%.*s' (expected a range A..B with A at most B)",
                           QUOTE_MAX, value);
    plan->frames_min = (uint32_t)low;
    plan->frames_max = (uint32_t)high;
    return 0;
}

/* --ask KINDS: a comma-separated list of quiz kinds (play/quiz.h), each
 * refused at its own column. */
static int parse_ask_arg(const struct args *a, int at, unsigned *kinds)
{
    const char *value = a->argv[at];
    *kinds = 0;
    for (const char *p = value;; p++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char word[QUOTE_MAX + 1];
        snprintf(word, sizeof word, "%.*s", (int)(len < QUOTE_MAX ? len : QUOTE_MAX), p);
        size_t k = 0;
        while (quiz_kind_names[k] && (strlen(quiz_kind_names[k]) != len
                                      || strncmp(p, quiz_kind_names[k], len) != 0))
            k++;
        if (!quiz_kind_names[k]) {
            char expected[DIAG_MESSAGE_MAX];
            struct diag d;
            diag_set(&d, COMMAND_LINE, 1, arg_column(a, at) + (unsigned)(p - value),
                     "unknown kind of question '%s' in --ask (%s)", word,
                     diag_expected_choice(expected, sizeof expected, word, quiz_kind_names,
                                          QUIZ_KIND_COUNT));
            diag_print(stderr, &d);
            return EXIT_BAD_INPUT;
        }
        *kinds |= 1u << k;
        if (!comma)
            return 0;
        p = comma;
    }
}

struct options {
    struct timeline_overrides overrides;
    const char *theme;
    enum tl_unit level;
    bool level_given;     /* --level was written */
    enum report_format format;
    bool cast;            /* --format cast */
    int format_at;        /* where --format was written (0: not) */
    int cast_cols, cast_rows;
    int size_at;          /* where --size was written (0: not) */
    bool stats;
    int stats_at;
    bool present;
    bool quiz;            /* the viewer's --quiz */
    bool questions;       /* quiz --questions */
    const char *answers_path;
    int answers_at;       /* where --answers was written (0: not) */
    unsigned ask_kinds;   /* quiz --ask: bits 1 << QUIZ_x */
    uint64_t start_chapter, start_step;
    bool has_start_step;
    unsigned start_chapter_column, start_step_column;
    const char *record_path, *keys_path;
    const char **paths;   /* room for every argument */
    int npaths;
    struct compare_plan compare;  /* compare: --policies and --frames */
    int frames_at;                /* where compare's --frames was written (0: not) */
};

/* The options a mode accepts, by name, for "did you mean". */
static size_t option_names(unsigned mode, const char **names)
{
    size_t n = 0;
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (options_table[i].modes & mode)
            names[n++] = options_table[i].name;
    return n;
}

/* The theme names of the data directory, as "a, b or c" (for --help). */
static void find_data_dir(char *out, size_t len);

static void theme_choices(char *out, size_t size)
{
    char data[PATH_MAX], dir[PATH_MAX + 16];
    char *names[HELP_MAX_THEMES];
    find_data_dir(data, sizeof data);
    snprintf(dir, sizeof dir, "%s/themes", data);
    size_t n = theme_list(dir, names, COUNT_OF(names));
    if (n == 0)
        snprintf(out, size, "a NAME.theme file of the themes directory");
    else
        diag_list(out, size, (const char *const *)names, n);
    theme_names_free(names, n);
}

/* --theme NAME (not a path): NAME must be one of the data directory's
 * themes, checked here so that a wrong one is reported where it was
 * written, like every other word of the command line. With no theme files
 * at all, the viewer says so itself. Returns 0 or the usage error's status. */
static int check_theme_name(const struct args *a, int at)
{
    const char *name = a->argv[at];
    if (strchr(name, '/'))
        return 0;
    char data[PATH_MAX], dir[PATH_MAX + 16];
    char *names[HELP_MAX_THEMES];
    find_data_dir(data, sizeof data);
    snprintf(dir, sizeof dir, "%s/themes", data);
    size_t n = theme_list(dir, names, COUNT_OF(names)), k;
    int status = n ? choose(a, at, "theme", (const char *const *)names, n, &k) : 0;
    theme_names_free(names, n);
    return status;
}

/* Prints the help of a mode: its usage line, then one line per option,
 * the lists of names in them drawn from the same tables the checks use. */
static void print_usage(unsigned mode)
{
    char policies[HELP_TEXT_MAX], levels[HELP_TEXT_MAX], formats[HELP_TEXT_MAX];
    char themes[HELP_TEXT_MAX], max_frames[24], tlb_ways[24], cast_size[24];
    char kinds[HELP_TEXT_MAX];
    diag_list(kinds, sizeof kinds, quiz_kind_names, QUIZ_KIND_COUNT);
    diag_list(policies, sizeof policies, policy_names, diag_count(policy_names));
    snprintf(max_frames, sizeof max_frames, "%lu", (unsigned long)MACHINE_MAX_FRAMES);
    snprintf(tlb_ways, sizeof tlb_ways, "%u", SCENARIO_DEFAULT_TLB_WAYS);
    diag_list(levels, sizeof levels, report_level_names, diag_count(report_level_names));
    diag_list(formats, sizeof formats, format_names, diag_count(format_names));
    snprintf(cast_size, sizeof cast_size, "%dx%d", TUI_CAST_COLS, TUI_CAST_ROWS);
    if (mode == MODE_VIEW)
        theme_choices(themes, sizeof themes);
    else
        themes[0] = '\0';
    if (mode == MODE_VIEW)
        fputs("usage: vmviz [OPTIONS] [SCENARIO]     open the interactive viewer (a picker "
              "without SCENARIO)\n"
              "       vmviz run [OPTIONS] SCENARIO   play a scenario headless, one line per "
              "event\n"
              "       vmviz check SCENARIO...        validate and run scenarios, report failed "
              "expectations\n"
              "       vmviz exercise KIND --seed N   generate an exercise (see 'vmviz exercise "
              "--help')\n"
              "       vmviz compare [OPTIONS] SCENARIO  race replacement policies over frame "
              "counts\n"
              "       vmviz quiz [OPTIONS] SCENARIO  the scenario's questions on paper, or "
              "mark answers\n"
              "       vmviz capture [-o NAME.yaml] [--open] -- PROGRAM [ARGS...]\n"
              "                                      record a program's run as a scenario\n"
              "       vmviz --help | --version\n\nviewer options:\n", stdout);
    else if (mode == MODE_RUN)
        fputs("usage: vmviz run [OPTIONS] SCENARIO\n\n"
              "Plays SCENARIO without a terminal UI and prints the run in plain words.\n\n",
              stdout);
    else if (mode == MODE_COMPARE)
        fputs("usage: vmviz compare [OPTIONS] SCENARIO\n\n"
              "Plays SCENARIO once per policy and frame count, in parallel, and prints each\n"
              "run's faults, TLB hit rate, evictions, writebacks and swap traffic.\n\n", stdout);
    else if (mode == MODE_QUIZ)
        fputs("usage: vmviz quiz [OPTIONS] SCENARIO --questions\n"
              "       vmviz quiz [OPTIONS] SCENARIO --answers FILE\n\n"
              "Predict, then see: prints the questions the viewer's quiz mode asks (TLB,\n"
              "walk, fault, victim, physical address, the scenario's ask: steps), or\n"
              "marks an answer file.\n\n", stdout);
    else
        fputs("usage: vmviz check [OPTIONS] SCENARIO...\n\n"
              "Validates and runs each scenario and reports every failed expectation as\n"
              "FILE:LINE:COLUMN. Accepts the machine options of 'vmviz run':\n\n", stdout);
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const struct option_info *o = &options_table[i];
        if (!(o->modes & mode))
            continue;
        char left[HELP_OPTION_MAX], help[HELP_TEXT_MAX];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->value ? " " : "",
                 o->value ? o->value : "");
        /* %P, %T, %L, %F in a help line stand for the lists, %M for the
         * most frames, %W for the TLB's default ways, %S for a cast's size. */
        size_t used = 0;
        for (const char *p = o->help; *p && used + 1 < sizeof help; p++) {
            const char *list = NULL;
            if (p[0] == '%' && p[1]) {
                list = p[1] == 'P' ? policies : p[1] == 'T' ? themes
                     : p[1] == 'L' ? levels : p[1] == 'F' ? formats
                     : p[1] == 'M' ? max_frames : p[1] == 'W' ? tlb_ways
                     : p[1] == 'S' ? cast_size : p[1] == 'K' ? kinds : NULL;
            }
            if (list) {
                used += (size_t)snprintf(help + used, sizeof help - used, "%s", list);
                if (used >= sizeof help)
                    used = sizeof help - 1;
                p++;
            } else {
                help[used++] = *p;
            }
        }
        help[used] = '\0';
        printf("  %-22s %s\n", left, help);
    }
    if (mode == MODE_VIEW)
        fputs("\nRun 'vmviz run --help' for headless playback. See vmviz(1), "
              "vmviz-scenario(5).\n", stdout);
    else if (mode == MODE_COMPARE)
        printf("\nNumbers: decimal, 0x hex or 0b binary ('_' may separate digits).\n"
               "At most %d runs (policies times frame counts). The scenario's expectations\n"
               "are not checked. Exit status: 0 every run done, %d bad input or a run that\n"
               "failed.\n", COMPARE_MAX_CONFIGS, EXIT_BAD_INPUT);
    else if (mode == MODE_QUIZ)
        printf("\nExit status: 0 every answer right (or --questions printed), %d some answer\n"
               "wrong or missing, %d bad input or an output that cannot be written.\n",
               EXIT_EXPECT_FAILED, EXIT_BAD_INPUT);
    else
        printf("\nNumbers: decimal, 0x hex or 0b binary ('_' may separate digits).\n"
               "Exit status: 0 all expectations held, %d an expectation failed, %d bad input\n"
               "or an output that cannot be written.\n", EXIT_EXPECT_FAILED, EXIT_BAD_INPUT);
}

/* Parses the options of a mode (they may come before or after the
 * scenarios; "--" ends them); returns 0, or an exit status. */
/* What parse_options returns after printing the usage for --help: the
 * caller ends with status 0 (no exit() here, so the parser can be run
 * again and again, as the command-line fuzzer does). */
#define PARSED_HELP (-1)

static int parse_options(struct args *a, struct options *o, unsigned mode)
{
    /* Every remaining argument may be a scenario: no limit on how many. */
    o->paths = malloc((size_t)(a->argc > 0 ? a->argc : 1) * sizeof *o->paths);
    if (o->paths == NULL)
        return usage_error(a, a->i, "out of memory reading the command line (expected fewer "
                           "arguments)");
    for (; a->i < a->argc; a->i++) {
        const char *arg = a->argv[a->i];
        int at = a->i;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(mode);
            free(o->paths);
            o->paths = NULL;
            return PARSED_HELP;
        }
        if (strcmp(arg, "--") == 0) {
            a->i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            o->paths[o->npaths++] = arg;
            continue;
        }
        const struct option_info *opt = NULL;
        for (size_t k = 0; k < OPTION_COUNT; k++)
            if ((options_table[k].modes & mode) && strcmp(arg, options_table[k].name) == 0)
                opt = &options_table[k];
        if (opt == NULL) {
            const char *names[OPTION_COUNT];
            size_t n = option_names(mode, names);
            char expected[DIAG_MESSAGE_MAX];
            return usage_error(a, at, "unknown option '%.*s' (%s)", QUOTE_MAX, arg,
                               diag_expected_choice(expected, sizeof expected, arg, names, n));
        }
        if (strcmp(arg, "--stats") == 0) {
            o->stats = true;
            o->stats_at = at;
            continue;
        }
        if (strcmp(arg, "--present") == 0) {
            o->present = true;
            continue;
        }
        if (strcmp(arg, "--quiz") == 0) {
            o->quiz = true;
            continue;
        }
        if (strcmp(arg, "--questions") == 0) {
            o->questions = true;
            continue;
        }
        if (a->i + 1 >= a->argc)
            return usage_error(a, at, "%s needs a value (expected '%s %s')", arg, arg,
                               opt->value);
        a->i++;
        int status = 0;
        uint64_t n = 0;
        size_t k = 0;
        if (mode == MODE_COMPARE && strcmp(arg, "--frames") == 0) {
            status = parse_frame_range(a, a->i, &o->compare);
            o->frames_at = a->i;
        } else if (mode == MODE_COMPARE && strcmp(arg, "--format") == 0) {
            status = choose(a, a->i, "format", report_format_names,
                            diag_count(report_format_names), &k);
            o->format = (enum report_format)k;
        } else if (strcmp(arg, "--policies") == 0) {
            status = parse_policy_list(a, a->i, &o->compare);
        } else if (strcmp(arg, "--policy") == 0) {
            status = choose(a, a->i, "policy", policy_names, diag_count(policy_names), &k);
            o->overrides.policy = a->argv[a->i];
        } else if (strcmp(arg, "--frames") == 0) {
            status = parse_number_arg(a, a->i, arg, 1, MACHINE_MAX_FRAMES, &n);
            o->overrides.frames = (long long)n;
        } else if (strcmp(arg, "--seed") == 0) {
            /* The overrides keep the seed in a long long, -1 meaning unset. */
            status = parse_number_arg(a, a->i, arg, 0, LLONG_MAX, &n);
            o->overrides.seed = (long long)n;
        } else if (strcmp(arg, "--tlb") == 0) {
            status = parse_tlb_arg(a, a->i, &o->overrides.tlb_entries, &o->overrides.tlb_ways);
        } else if (strcmp(arg, "--chapter") == 0) {
            status = parse_number_arg(a, a->i, arg, 1, UINT32_MAX, &o->start_chapter);
            o->start_chapter_column = arg_column(a, a->i);
        } else if (strcmp(arg, "--step") == 0) {
            status = parse_number_arg(a, a->i, arg, 0, UINT64_MAX, &o->start_step);
            o->has_start_step = true;
            o->start_step_column = arg_column(a, a->i);
        } else if (strcmp(arg, "--record") == 0) {
            o->record_path = a->argv[a->i];
        } else if (strcmp(arg, "--answers") == 0) {
            o->answers_path = a->argv[a->i];
            o->answers_at = a->i;
        } else if (strcmp(arg, "--ask") == 0) {
            status = parse_ask_arg(a, a->i, &o->ask_kinds);
        } else if (strcmp(arg, "--keys") == 0) {
            o->keys_path = a->argv[a->i];
        } else if (strcmp(arg, "--theme") == 0) {
            status = check_theme_name(a, a->i);
            o->theme = a->argv[a->i];
        } else if (strcmp(arg, "--level") == 0) {
            status = choose(a, a->i, "level", report_level_names,
                            diag_count(report_level_names), &k);
            if (status == 0)
                o->level = report_level_units[k];
            o->level_given = true;
        } else if (strcmp(arg, "--format") == 0) {
            status = choose(a, a->i, "format", format_names, diag_count(format_names), &k);
            o->cast = status == 0 && k == FORMAT_CAST;
            if (status == 0 && !o->cast)
                o->format = (enum report_format)k;
            o->format_at = a->i;
        } else if (strcmp(arg, "--size") == 0) {
            status = parse_size_arg(a, a->i, &o->cast_cols, &o->cast_rows);
            o->size_at = a->i;
        }
        if (status)
            return status;
    }
    for (; a->i < a->argc; a->i++)
        o->paths[o->npaths++] = a->argv[a->i];
    return 0;
}

/* ---- playing ------------------------------------------------------------ */

/* Loads a scenario and builds its timeline; prints the error and returns
 * NULL on bad input. */
static struct timeline *open_scenario(const char *path, const struct options *o,
                                      struct scenario **out)
{
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    if (!s) {
        diag_print(stderr, &err);
        return NULL;
    }
    struct timeline *tl =
        timeline_create_with(s, &o->overrides, &(struct timeline_options){.headless = true}, &err);
    if (!tl) {
        diag_print(stderr, &err);
        scenario_free(s);
        return NULL;
    }
    *out = s;
    return tl;
}

/* Prints each failed check of an expect event as FILE:LINE:COLUMN. */
static void print_failures(const char *path, const struct tl_event *e)
{
    for (unsigned i = 0; i < e->nchecks; i++) {
        const struct tl_check *c = &e->checks[i];
        if (c->ok)
            continue;
        escape_fputs(path, stderr);
        fprintf(stderr,
                c->relative ? ":%u:%u: expectation failed: %s is %+lld (expected %+lld)\n"
                            : ":%u:%u: expectation failed: %s is %lld (expected %lld)\n",
                c->line, c->col, counter_name(c->counter), (long long)c->actual,
                (long long)c->expected);
    }
}

/* What headless playback watches for besides the events it prints. */
struct watch {
    const char *path;
    bool oom_told;    /* the OOM killer's last kill was told already */
};

/* Looks at one event of a headless run: failed expectations and the OOM
 * killer ending the last process are said on standard error. Returns
 * false when the run must stop: a trace changed under it (reported as the
 * error it is) or standard output cannot be written. */
static bool watch_event(struct watch *w, const struct tl_event *e, const struct machine *m)
{
    if (e->kind == TL_EXPECT && e->failed)
        print_failures(w->path, e);
    if (e->kind == TL_MACHINE && e->ev.kind == EV_OOM_KILL && !w->oom_told) {
        bool alive = false;
        for (uint32_t i = 0; i < m->nprocs && !alive; i++)
            alive = m->procs[i].alive;
        if (!alive) {
            /* Later steps find no process: their events say so one by
             * one, which is easy to miss in a long run. */
            escape_fputs(w->path, stderr);
            fprintf(stderr, ":%u:%u: warning: the OOM killer ended pid %u, the last process "
                    "(the steps after this one have no process to run)\n",
                    e->step ? e->step->pos.line : 0, e->step ? e->step->pos.col : 0,
                    e->ev.other_pid);
            w->oom_told = true;
        }
    }
    struct diag d;
    if (trace_take_failure(&d)) {
        diag_print(stderr, &d);
        return false;
    }
    return !stdout_failed();
}

/* After timeline_next found nothing more: true at the real end; false,
 * with the reason on standard error at the step reached, when the machine
 * stopped because the host refused memory or a stated limit was reached. */
static bool ended_whole(const struct timeline *tl, const char *path)
{
    const char *why = timeline_error(tl);
    if (!why)
        return true;
    const struct scenario_step *step = timeline_error_step(tl);
    struct diag d;
    diag_set(&d, path, step ? step->pos.line : 0, step ? step->pos.col : 0, "%s", why);
    diag_print(stderr, &d);
    return false;
}

/* What play_to_end gives the headless run to call: watch_event with
 * the watch and machine in ctx. */
struct headless_watch {
    struct watch w;
    const struct timeline *tl;
};

static bool watch_headless(void *ctx, const struct tl_event *e)
{
    struct headless_watch *h = ctx;
    return watch_event(&h->w, e, timeline_machine(h->tl));
}

/* Plays to the end without printing events, the machine running whole
 * operations (timeline_run_headless). false when the run was cut short by
 * an error (reported here or before, or a failed output). */
static bool play_to_end(struct timeline *tl, const char *path)
{
    struct headless_watch h = {.w = {.path = path}, .tl = tl};
    if (!timeline_run_headless(tl, watch_headless, &h))
        return false;
    return ended_whole(tl, path);
}

/* vmviz run --format cast: the viewer draws the run (tui_render_cast),
 * a frame per operation unless --level says otherwise: a frame per
 * micro-step would make hours of a film of a scenario of seconds. Returns
 * the exit status, the scenario's errors printed there. */
static int run_cast(const struct options *o)
{
    char data[PATH_MAX], theme_dir[PATH_MAX + 16];
    find_data_dir(data, sizeof data);
    snprintf(theme_dir, sizeof theme_dir, "%s/themes", data);
    struct tui_options t = {
        .scenario_path = o->paths[0],
        .theme_dir = theme_dir,
        .overrides = o->overrides,
    };
    return tui_render_cast(&t, o->level_given ? o->level : TUI_CAST_LEVEL, o->cast_cols,
                           o->cast_rows, stdout);
}

/* A command that plays exactly one scenario: 0 when one was given,
 * else the usage error's status. */
static int need_one_scenario(const struct args *a, const struct options *o, const char *command)
{
    if (o->npaths == 1)
        return 0;
    if (o->npaths)
        return usage_error(a, a->argc, "more than one scenario (expected exactly one)");
    return usage_error(a, a->argc, "no scenario given (expected 'vmviz %s SCENARIO')", command);
}

static int cmd_run(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT,
                        .cast_cols = TUI_CAST_COLS, .cast_rows = TUI_CAST_ROWS};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, MODE_RUN);
    if (status == PARSED_HELP)
        return finish(0);
    if (status == 0)
        status = need_one_scenario(a, &o, "run");
    if (status == 0 && o.cast && o.stats)
        status = usage_error(a, o.stats_at, "--stats prints counters, which --format cast "
                             "does not draw (expected --format text or json with --stats)");
    if (status == 0 && o.size_at && !o.cast)
        status = usage_error(a, o.size_at - 1, "--size sets the screen of --format cast "
                             "(expected --format cast with --size)");
    if (status == 0 && o.cast) {
        status = run_cast(&o);
        free(o.paths);
        return finish(status);
    }
    struct scenario *s = NULL;
    struct timeline *tl = status ? NULL : open_scenario(o.paths[0], &o, &s);
    free(o.paths);
    if (status)
        return finish(status);
    if (!tl)
        return finish(EXIT_BAD_INPUT);
    bool whole = true;
    if (o.stats) {
        whole = play_to_end(tl, s->path);
        if (whole) {
            report_stats(stdout, o.format, &timeline_machine(tl)->counters);
            report_linux_totals(stdout, o.format, s);
        }
    } else {
        struct reporter r;
        struct watch w = {.path = s->path};
        reporter_init(&r, stdout, o.format, o.level, timeline_machine(tl));
        const struct tl_event *e;
        while (whole && (e = timeline_next(tl)) != NULL) {
            reporter_event(&r, e, timeline_machine(tl));
            whole = watch_event(&w, e, timeline_machine(tl));
        }
        if (whole)
            whole = ended_whole(tl, s->path);
        if (whole)
            reporter_finish(&r, timeline_machine(tl));
    }
    status = !whole ? EXIT_BAD_INPUT : timeline_failures(tl) ? EXIT_EXPECT_FAILED : 0;
    timeline_destroy(tl);
    scenario_free(s);
    return finish(status);
}

static int cmd_quiz(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, MODE_QUIZ);
    if (status == PARSED_HELP)
        return finish(0);
    if (status == 0 && o.npaths != 1)
        status = usage_error(a, a->argc, o.npaths ? "more than one scenario (expected exactly "
                                                    "one)"
                                                  : "no scenario given (expected 'vmviz quiz "
                                                    "SCENARIO --questions')");
    if (status == 0 && o.cast)
        status = usage_error(a, o.format_at, "a quiz has no screens to record (expected "
                             "--format text or json)");
    if (status == 0 && o.questions == (o.answers_path != NULL))
        status = usage_error(a, o.answers_at ? o.answers_at - 1 : a->argc,
                             "%s (expected either --questions or --answers FILE)",
                             o.questions ? "--questions and --answers together"
                                         : "nothing to do");
    struct diag err;
    struct answer_file sheet = {0};
    if (status == 0 && o.answers_path && !answers_read(o.answers_path, &sheet, &err)) {
        diag_print(stderr, &err);
        status = EXIT_BAD_INPUT;
    }
    struct scenario *s = NULL;
    if (status == 0 && (s = scenario_load(o.paths[0], &err)) == NULL) {
        diag_print(stderr, &err);
        status = EXIT_BAD_INPUT;
    }
    /* Without --ask a tour, with it a drill (play/quiz.h). */
    struct quiz_options qo = {.kinds = o.ask_kinds ? o.ask_kinds : QUIZ_ALL_KINDS,
                              .every_access = o.ask_kinds != 0};
    struct quiz *q = status ? NULL : quiz_create(s, &o.overrides, &qo, &err);
    if (status == 0 && !q) {
        diag_print(stderr, &err);
        status = EXIT_BAD_INPUT;
    }
    if (q) {
        status = o.questions ? quiz_print_questions(stdout, o.format, q, s->path, &err)
                             : quiz_mark(stdout, o.format, q, &sheet, o.answers_path, s->path,
                                         &err);
        if (status == EXIT_BAD_INPUT)
            diag_print(stderr, &err);
    }
    quiz_destroy(q);
    scenario_free(s);
    answers_free(&sheet);
    free(o.paths);
    return finish(status);
}

static int cmd_check(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, MODE_CHECK);
    if (status == PARSED_HELP)
        return finish(0);
    if (status == 0 && o.npaths == 0)
        status = usage_error(a, a->argc, "no scenario given (expected 'vmviz check "
                             "SCENARIO...')");
    if (status) {
        free(o.paths);
        return finish(status);
    }
    int worst = 0;
    for (int i = 0; i < o.npaths && !stdout_failed(); i++) {
        struct scenario *s;
        struct timeline *tl = open_scenario(o.paths[i], &o, &s);
        if (!tl) {
            worst = EXIT_BAD_INPUT;
            continue;
        }
        if (play_to_end(tl, s->path)) {
            uint64_t failures = timeline_failures(tl);
            escape_fputs(o.paths[i], stdout);
            printf(": %s (%llu expectation%s failed)\n", failures ? "FAILED" : "ok",
                   (unsigned long long)failures, failures == 1 ? "" : "s");
            if (failures && worst < EXIT_EXPECT_FAILED)
                worst = EXIT_EXPECT_FAILED;
        } else {
            worst = EXIT_BAD_INPUT;
        }
        timeline_destroy(tl);
        scenario_free(s);
    }
    free(o.paths);
    return finish(worst);
}

/* ---- exercises ---------------------------------------------------------- */

/* The options of 'vmviz exercise', for its help and "did you mean". */
static const struct option_info exercise_options[] = {
    {"--seed", "N", 0, "the seed the exercise is drawn from, 0 to 2^63-1 (required)"},
    {"--difficulty", "LEVEL", 0, "the exercise's size: %D (default easy)"},
    {"--answers", NULL, 0, "print the answers, worked out by the engine, as an answer file"},
    {"--check", "FILE", 0, "mark the answer file FILE: ok or wrong per question, and a score"},
    {"--format", "FORMAT", 0, "%F, for --answers and --check (default text)"},
    {"--help", NULL, 0, "print this help"},
};

static void print_exercise_usage(void)
{
    char difficulties[HELP_TEXT_MAX], formats[HELP_TEXT_MAX];
    diag_list(difficulties, sizeof difficulties, exercise_difficulty_names,
              diag_count(exercise_difficulty_names));
    diag_list(formats, sizeof formats, report_format_names, diag_count(report_format_names));
    fputs("usage: vmviz exercise KIND --seed N [--difficulty LEVEL] [--answers | --check FILE]\n\n"
          "Prints an exercise drawn from the seed as a scenario: its description asks\n"
          "numbered questions. The same KIND, seed and difficulty always give the same\n"
          "exercise. Kinds:\n", stdout);
    for (size_t k = 0; exercise_kind_names[k]; k++)
        printf("  %-22s %s\n", exercise_kind_names[k], exercise_kind_help((enum exercise_kind)k));
    fputs("\noptions:\n", stdout);
    for (size_t i = 0; i < COUNT_OF(exercise_options); i++) {
        const struct option_info *o = &exercise_options[i];
        char left[HELP_OPTION_MAX];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->value ? " " : "",
                 o->value ? o->value : "");
        /* %D in a help line stands for the difficulties, %F for the formats. */
        const char *mark = strchr(o->help, '%');
        if (mark)
            printf("  %-22s %.*s%s%s\n", left, (int)(mark - o->help), o->help,
                   mark[1] == 'D' ? difficulties : formats, mark + 2);
        else
            printf("  %-22s %s\n", left, o->help);
    }
    printf("\nAn answer file has one line 'N: ANSWER' per question; '#' starts a comment.\n"
           "Exit status: 0 all answers right, %d some wrong, %d bad input.\n",
           EXIT_EXPECT_FAILED, EXIT_BAD_INPUT);
}

/* vmviz exercise KIND --seed N [--difficulty LEVEL] [--answers | --check FILE]
 * [--format FORMAT]. */
static int cmd_exercise(struct args *a)
{
    int kind_at = 0, seed_at = 0, check_at = 0, answers_at = 0, format_at = 0;
    size_t kind = 0, difficulty = EXERCISE_EASY, format = REPORT_TEXT;
    uint64_t seed = 0;
    int status = 0;
    for (; status == 0 && a->i < a->argc; a->i++) {
        const char *arg = a->argv[a->i];
        int at = a->i;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_exercise_usage();
            return finish(0);
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            if (kind_at)
                return finish(usage_error(a, at, "a second kind '%.*s' (expected one KIND)",
                                          QUOTE_MAX, arg));
            kind_at = at;
            status = choose(a, at, "exercise kind", exercise_kind_names,
                            diag_count(exercise_kind_names), &kind);
            continue;
        }
        const struct option_info *opt = NULL;
        for (size_t k = 0; k < COUNT_OF(exercise_options); k++)
            if (strcmp(arg, exercise_options[k].name) == 0)
                opt = &exercise_options[k];
        if (opt == NULL) {
            const char *names[COUNT_OF(exercise_options)];
            for (size_t k = 0; k < COUNT_OF(exercise_options); k++)
                names[k] = exercise_options[k].name;
            char expected[DIAG_MESSAGE_MAX];
            return finish(usage_error(a, at, "unknown option '%.*s' (%s)", QUOTE_MAX, arg,
                                      diag_expected_choice(expected, sizeof expected, arg, names,
                                                           COUNT_OF(names))));
        }
        if (strcmp(arg, "--answers") == 0) {
            answers_at = at;
            continue;
        }
        if (a->i + 1 >= a->argc)
            return finish(usage_error(a, at, "%s needs a value (expected '%s %s')", arg, arg,
                                      opt->value));
        a->i++;
        if (strcmp(arg, "--seed") == 0) {
            seed_at = a->i;
            status = parse_number_arg(a, a->i, arg, 0, LLONG_MAX, &seed);
        } else if (strcmp(arg, "--difficulty") == 0) {
            status = choose(a, a->i, "difficulty", exercise_difficulty_names,
                            diag_count(exercise_difficulty_names), &difficulty);
        } else if (strcmp(arg, "--check") == 0) {
            check_at = a->i;
        } else if (strcmp(arg, "--format") == 0) {
            format_at = a->i;
            status = choose(a, a->i, "format", report_format_names,
                            diag_count(report_format_names), &format);
        }
    }
    if (status == 0 && !kind_at) {
        char kinds[HELP_TEXT_MAX];
        diag_list(kinds, sizeof kinds, exercise_kind_names, diag_count(exercise_kind_names));
        status = usage_error(a, a->argc, "no exercise kind given (expected 'vmviz exercise "
                             "KIND --seed N', KIND one of %s)", kinds);
    }
    if (status == 0 && !seed_at)
        status = usage_error(a, a->argc, "no seed given (expected 'vmviz exercise %s --seed "
                             "N')", exercise_kind_names[kind]);
    if (status == 0 && answers_at && check_at)
        status = usage_error(a, check_at - 1, "--check marks answers that --answers would "
                             "print (expected one of --answers and --check)");
    if (status == 0 && format_at && !answers_at && !check_at)
        status = usage_error(a, format_at - 1, "--format is for --answers and --check; the "
                             "exercise itself is a scenario (expected --answers or --check "
                             "with --format)");
    if (status)
        return finish(status);

    struct exercise ex;
    if (!exercise_generate(&ex, (enum exercise_kind)kind, seed,
                           (enum exercise_difficulty)difficulty))
        return finish(usage_error(a, kind_at, "out of memory generating the exercise "
                                  "(expected a host with memory to spare)"));
    if (!answers_at && !check_at) {
        fwrite(ex.text, 1, ex.len, stdout);
        exercise_free(&ex);
        return finish(0);
    }
    struct exercise_answer answers[EXERCISE_MAX_QUESTIONS];
    struct diag err;
    char name[DIAG_FILE_MAX];
    snprintf(name, sizeof name, "exercise %s seed %llu", exercise_kind_names[kind],
             (unsigned long long)seed);
    if (!exercise_solve(&ex, name, answers, &err)) {
        diag_print(stderr, &err);
        exercise_free(&ex);
        return finish(EXIT_BAD_INPUT);
    }
    if (answers_at) {
        exercise_print_answers(stdout, (enum report_format)format, &ex, answers);
        exercise_free(&ex);
        return finish(0);
    }
    struct answer_file given;
    unsigned right = 0;
    status = EXIT_BAD_INPUT;
    if (answers_read(a->argv[check_at], &given, &err)) {
        if (exercise_mark(stdout, (enum report_format)format, &ex, answers, a->argv[check_at],
                          &given, &right, &err))
            status = right == ex.nquestions ? 0 : EXIT_EXPECT_FAILED;
        answers_free(&given);
    }
    if (status == EXIT_BAD_INPUT)
        diag_print(stderr, &err);
    exercise_free(&ex);
    return finish(status);
}

/* vmviz compare: parses, checks the size of the race, hands it to
 * play/compare.c and prints the rows once all are in, so that an error
 * leaves nothing half-printed. */
static int cmd_compare(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, MODE_COMPARE);
    if (status == PARSED_HELP)
        return finish(0);
    if (status == 0)
        status = need_one_scenario(a, &o, "compare");
    struct compare_plan *plan = &o.compare;
    if (status == 0 && plan->npolicies == 0)
        for (int k = 0; k < POLICY_COUNT; k++)
            plan->policies[plan->npolicies++] = (enum policy_kind)k;
    size_t count = compare_count(plan);
    if (status == 0 && count > COMPARE_MAX_CONFIGS)
        status = usage_error(a, o.frames_at, "--frames %lu..%lu with %zu polic%s makes %zu runs "
                             "(expected at most %d: fewer frame counts or policies)",
                             (unsigned long)plan->frames_min, (unsigned long)plan->frames_max,
                             plan->npolicies, plan->npolicies == 1 ? "y" : "ies", count,
                             COMPARE_MAX_CONFIGS);
    const char *path = status ? NULL : o.paths[0];
    free(o.paths);
    if (status)
        return finish(status);
    plan->base = o.overrides;
    struct diag err;
    struct scenario *s = scenario_load(path, &err);
    struct compare_row *rows = s ? calloc(count, sizeof *rows) : NULL;
    size_t nrows = 0;
    if (s && !rows)
        diag_set(&err, s->path, 0, 0, "out of memory for %zu runs (expected fewer)", count);
    if (rows && compare_run(s, plan, rows, &nrows, &err)) {
        if (o.format == REPORT_JSON) {
            compare_print_json(stdout, rows, nrows);
        } else {
            compare_print_table(stdout, rows, nrows);
            if (plan->frames_max > plan->frames_min) {
                fputc('\n', stdout);
                compare_print_chart(stdout, rows, nrows);
            }
        }
    } else {
        diag_print(stderr, &err);
        status = EXIT_BAD_INPUT;
    }
    free(rows);
    scenario_free(s);
    return finish(status);
}

/* Where scenarios/ and themes/ are: $VMVIZ_DATA, else next to the
 * executable in the build tree, else ../share/vmviz beside an installed
 * executable (so a moved or staged install still works), else the prefix
 * it was built for. */
static void find_data_dir(char *out, size_t len)
{
    const char *env = getenv("VMVIZ_DATA");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        static const char *const ups[] = {"", "/../..", "/..", "/../share/vmviz"};
        for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
            char probe[PATH_MAX + 32];
            snprintf(probe, sizeof probe, "%s%s/scenarios/lazy-allocation.yaml", exe, ups[i]);
            if (access(probe, R_OK) == 0) {
                snprintf(out, len, "%s%s", exe, ups[i]);
                return;
            }
        }
    }
    snprintf(out, len, "%s/share/vmviz", VMVIZ_PREFIX);
}

static int cmd_view(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, MODE_VIEW);
    if (status == PARSED_HELP)
        return finish(0);
    if (status == 0 && o.npaths > 1)
        status = usage_error(a, a->argc, "more than one scenario (expected at most one)");
    if (status == 0 && o.npaths == 0 && (o.start_chapter || o.has_start_step))
        status = usage_error(a, a->argc, "%s opens a scenario at a place, but no scenario is "
                             "given (expected 'vmviz %s N SCENARIO')",
                             o.start_chapter ? "--chapter" : "--step",
                             o.start_chapter ? "--chapter" : "--step");
    if (status) {
        free(o.paths);
        return finish(status);
    }
    char data[PATH_MAX];
    find_data_dir(data, sizeof data);
    char scenario_dir[PATH_MAX + 16], theme_dir[PATH_MAX + 16];
    snprintf(scenario_dir, sizeof scenario_dir, "%s/scenarios", data);
    snprintf(theme_dir, sizeof theme_dir, "%s/themes", data);
    struct tui_options t = {
        .scenario_path = o.npaths ? o.paths[0] : NULL,
        .scenario_dir = scenario_dir,
        .theme_dir = theme_dir,
        .theme_name = o.theme,
        .overrides = o.overrides,
        .present = o.present,
        .quiz = o.quiz,
        .start_chapter = o.start_chapter,
        .start_step = o.start_step,
        .has_start_step = o.has_start_step,
        .start_chapter_column = o.start_chapter_column,
        .start_step_column = o.start_step_column,
        .record_path = o.record_path,
        .keys_path = o.keys_path,
    };
    status = tui_main(&t);
    free(o.paths);
    return status;
}

static int cmd_view(struct args *a);

/* vmviz capture [-o NAME.yaml] [--open] -- PROGRAM [ARGS...]: runs
 * PROGRAM natively and under Valgrind and writes a scenario of its run
 * (capture.h); --open then opens the viewer on it. */
static int cmd_capture(struct args *a)
{
    const char *output = NULL;
    int output_at = 0, open_after = 0;
    for (; a->i < a->argc; a->i++) {
        const char *arg = a->argv[a->i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs("usage: vmviz capture [-o NAME.yaml] [--open] -- PROGRAM [ARGS...]\n\n"
                  "Runs PROGRAM under valgrind --tool=lackey --trace-mem=yes and once natively,\n"
                  "and writes a scenario (default PROGRAM.yaml) with one lackey trace per\n"
                  "chapter beside it. VMVIZ_CHAPTER markers (scenarios/programs/vmviz.h) start\n"
                  "chapters, and the native run's getrusage() counts are quoted in each.\n\n"
                  "  -o NAME.yaml   the scenario to write\n"
                  "  --open         open the viewer on it afterwards\n", stdout);
            return finish(0);
        }
        if (strcmp(arg, "--") == 0) {
            a->i++;
            break;
        }
        if (strcmp(arg, "-o") == 0) {
            if (a->i + 1 >= a->argc)
                return finish(usage_error(a, a->i, "-o needs a value (expected '-o NAME.yaml')"));
            output_at = ++a->i;
            output = a->argv[a->i];
            continue;
        }
        if (strcmp(arg, "--open") == 0) {
            open_after = 1;
            continue;
        }
        if (arg[0] == '-')
            return finish(usage_error(a, a->i, "unknown option '%.*s' (expected -o, --open "
                                      "or -- before the program)", QUOTE_MAX, arg));
        break;
    }
    if (a->i >= a->argc)
        return finish(usage_error(a, a->argc, "no program given (expected 'vmviz capture "
                                  "-- PROGRAM [ARGS...]')"));
    char default_output[PATH_MAX];
    if (!output) {
        const char *program = a->argv[a->i];
        const char *slash = strrchr(program, '/');
        snprintf(default_output, sizeof default_output, "%s.yaml", slash ? slash + 1 : program);
        output = default_output;
        output_at = a->i;
    }
    struct capture_request req = {
        .argv = a->argv + a->i,
        .output = output,
        .where = COMMAND_LINE,
        .program_column = arg_column(a, a->i),
        .output_column = arg_column(a, output_at),
    };
    struct capture_summary summary = {0};
    struct diag err;
    if (capture_run(&req, &summary, &err) != 0) {
        diag_print(stderr, &err);
        return finish(EXIT_BAD_INPUT);
    }
    printf("%s: %u chapters, %u areas, %llu accesses\n", output, summary.chapters,
           summary.areas, summary.accesses);
    if (!open_after)
        return finish(0);
    fflush(stdout);
    char *view_argv[] = {a->argv[0], (char *)output, NULL};
    struct args view = {.argc = 2, .argv = view_argv, .i = 1};
    return cmd_view(&view);
}

int main(int argc, char **argv)
{
    /* Headless output is a filter's: when its reader goes away, SIGPIPE
     * ends it quietly, even when the caller had the signal ignored. */
    signal(SIGPIPE, SIG_DFL);
    struct args a = {.argc = argc, .argv = argv, .i = 1};
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("vmviz %s\n", VMVIZ_VERSION);
        return finish(0);
    }
    if (argc > 1 && strcmp(argv[1], "run") == 0) {
        a.i = 2;
        return cmd_run(&a);
    }
    if (argc > 1 && strcmp(argv[1], "quiz") == 0) {
        a.i = 2;
        return cmd_quiz(&a);
    }
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        a.i = 2;
        return cmd_check(&a);
    }
    if (argc > 1 && strcmp(argv[1], "exercise") == 0) {
        a.i = 2;
        return cmd_exercise(&a);
    }
    if (argc > 1 && strcmp(argv[1], "capture") == 0) {
        a.i = 2;
        return cmd_capture(&a);
    }
    if (argc > 1 && strcmp(argv[1], "compare") == 0) {
        a.i = 2;
        return cmd_compare(&a);
    }
    return cmd_view(&a);
}
