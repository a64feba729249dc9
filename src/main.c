/* vmviz: the command line. It parses arguments and hands over to the TUI
 * or to headless playback; nothing else lives here. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "play/narrate.h"
#include "play/report.h"
#include "play/timeline.h"
#include "scenario/diag.h"
#include "scenario/scenario.h"
#include "tui/tui.h"

#ifndef VMVIZ_VERSION
#define VMVIZ_VERSION "0.0"
#endif
#ifndef VMVIZ_PREFIX
#define VMVIZ_PREFIX "/usr/local"
#endif

#define EXIT_EXPECT 1
#define EXIT_BAD_INPUT 2

static const char usage_main[] =
    "usage: vmviz [OPTIONS] [SCENARIO]     open the interactive viewer (a picker without SCENARIO)\n"
    "       vmviz run [OPTIONS] SCENARIO   play a scenario headless, one line per event\n"
    "       vmviz check SCENARIO...        validate and run scenarios, report failed expectations\n"
    "       vmviz --help | --version\n"
    "\n"
    "viewer options:\n"
    "  --theme NAME        colour theme: default, light, projector, cvd, mono (NO_COLOR selects mono)\n"
    "  --policy NAME       replacement policy: fifo, lru, clock, opt, random, nru, linux\n"
    "  --frames N          number of physical frames\n"
    "  --tlb ENTRIES[xWAYS] TLB size and associativity\n"
    "  --seed N            seed for random choices\n"
    "\n"
    "Run 'vmviz run --help' for headless playback. See vmviz(1), vmviz-scenario(5).\n";

static const char usage_run[] =
    "usage: vmviz run [OPTIONS] SCENARIO\n"
    "\n"
    "Plays SCENARIO without a terminal UI and prints the run in plain words.\n"
    "\n"
    "  --level op|access|event  one line per operation, access or micro-step (default event)\n"
    "  --format text|json       plain sentences, or JSON Lines with stable keys\n"
    "  --stats                  print only the final counters\n"
    "  --policy NAME            replace the scenario's replacement policy\n"
    "  --frames N               replace the number of frames\n"
    "  --tlb ENTRIES[xWAYS]     replace the TLB size (and ways)\n"
    "  --seed N                 replace the seed\n"
    "\n"
    "Exit status: 0 all expectations held, 1 an expectation failed, 2 bad input.\n";

static const char usage_check[] =
    "usage: vmviz check [OPTIONS] SCENARIO...\n"
    "\n"
    "Validates and runs each scenario and reports every failed expectation as\n"
    "FILE:LINE:COLUMN. Accepts the overrides of 'vmviz run'.\n"
    "Exit status: 0 all good, 1 an expectation failed, 2 bad input or usage.\n";

/* Arguments, with where each starts in the command line for messages. */
struct args {
    int argc;
    char **argv;
    int i;
};

static unsigned arg_column(const struct args *a, int index)
{
    unsigned col = 1;
    for (int k = 0; k < index && k < a->argc; k++)
        col += (unsigned)strlen(a->argv[k]) + 1;
    return col;
}

static int usage_error(const struct args *a, int index, const char *what)
{
    struct diag d;
    diag_set(&d, "command line", 1, arg_column(a, index), "%s", what);
    diag_print(stderr, &d);
    return EXIT_BAD_INPUT;
}

static bool parse_count(const char *s, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

struct options {
    struct timeline_overrides overrides;
    const char *theme;
    enum tl_unit level;
    enum report_format format;
    bool stats;
    const char *paths[256];
    int npaths;
};

/* Parses options shared by every mode; returns 0, or an exit status. */
static int parse_options(struct args *a, struct options *o, bool viewer, bool run,
                         const char *usage)
{
    for (; a->i < a->argc; a->i++) {
        const char *arg = a->argv[a->i];
        const char *value = a->i + 1 < a->argc ? a->argv[a->i + 1] : NULL;
        int at = a->i;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        }
        if (strcmp(arg, "--") == 0) {
            a->i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            if (o->npaths == (int)(sizeof o->paths / sizeof o->paths[0]))
                return usage_error(a, at, "too many scenarios (expected at most 256)");
            o->paths[o->npaths++] = arg;
            continue;
        }
        bool takes_value = strcmp(arg, "--policy") == 0 || strcmp(arg, "--frames") == 0 ||
                           strcmp(arg, "--tlb") == 0 || strcmp(arg, "--seed") == 0 ||
                           (viewer && strcmp(arg, "--theme") == 0) ||
                           (run && (strcmp(arg, "--level") == 0 || strcmp(arg, "--format") == 0));
        if (!takes_value && !(run && strcmp(arg, "--stats") == 0)) {
            char what[160];
            snprintf(what, sizeof what, "unknown option '%.60s' (expected one listed by --help)",
                     arg);
            return usage_error(a, at, what);
        }
        if (strcmp(arg, "--stats") == 0) {
            o->stats = true;
            continue;
        }
        if (!value) {
            char what[120];
            snprintf(what, sizeof what, "%s needs a value (expected '%s VALUE')", arg, arg);
            return usage_error(a, at, what);
        }
        a->i++;
        long long n;
        if (strcmp(arg, "--policy") == 0) {
            if (policy_lookup(value) < 0)
                return usage_error(a, a->i,
                                   "unknown policy (expected fifo, lru, clock, opt, random, nru "
                                   "or linux)");
            o->overrides.policy = value;
        } else if (strcmp(arg, "--frames") == 0) {
            if (!parse_count(value, MACHINE_MAX_FRAMES, &n) || n < 1)
                return usage_error(a, a->i, "bad frame count (expected 1 to 4194304)");
            o->overrides.frames = n;
        } else if (strcmp(arg, "--seed") == 0) {
            if (!parse_count(value, LLONG_MAX, &n))
                return usage_error(a, a->i, "bad seed (expected a non-negative number)");
            o->overrides.seed = n;
        } else if (strcmp(arg, "--tlb") == 0) {
            char buf[64];
            snprintf(buf, sizeof buf, "%s", value);
            char *x = strchr(buf, 'x');
            long long ways = -1;
            if (x) {
                *x = '\0';
                if (!parse_count(x + 1, MACHINE_MAX_TLB, &ways) || ways < 1)
                    return usage_error(a, a->i, "bad TLB ways (expected ENTRIES or ENTRIESxWAYS)");
            }
            if (!parse_count(buf, MACHINE_MAX_TLB, &n) || n < 1 || (ways > 0 && n % ways))
                return usage_error(a, a->i,
                                   "bad TLB size (expected ENTRIES or ENTRIESxWAYS, entries a "
                                   "multiple of ways, at most 65536)");
            o->overrides.tlb_entries = n;
            o->overrides.tlb_ways = ways;
        } else if (strcmp(arg, "--theme") == 0) {
            o->theme = value;
        } else if (strcmp(arg, "--level") == 0) {
            if (strcmp(value, "op") == 0)
                o->level = TL_UNIT_OP;
            else if (strcmp(value, "access") == 0)
                o->level = TL_UNIT_ACCESS;
            else if (strcmp(value, "event") == 0)
                o->level = TL_UNIT_EVENT;
            else
                return usage_error(a, a->i, "unknown level (expected op, access or event)");
        } else if (strcmp(arg, "--format") == 0) {
            if (strcmp(value, "text") == 0)
                o->format = REPORT_TEXT;
            else if (strcmp(value, "json") == 0)
                o->format = REPORT_JSON;
            else
                return usage_error(a, a->i, "unknown format (expected text or json)");
        }
    }
    for (; a->i < a->argc; a->i++)
        if (o->npaths < (int)(sizeof o->paths / sizeof o->paths[0]))
            o->paths[o->npaths++] = a->argv[a->i];
    return 0;
}

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
        fprintf(stderr,
                c->relative ? "%s:%u:%u: expectation failed: %s is %+lld (expected %+lld)\n"
                            : "%s:%u:%u: expectation failed: %s is %lld (expected %lld)\n",
                path, c->line, c->col, counter_name(c->counter), (long long)c->actual,
                (long long)c->expected);
    }
}

/* Plays to the end without printing events, reporting failed
 * expectations as they come. */
static void play_to_end(struct timeline *tl, const char *path)
{
    while (timeline_run_until(tl, TL_STOP_FAILED)) {
        const struct tl_event *e = timeline_current(tl);
        if (e)
            print_failures(path, e);
    }
}

static int cmd_run(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, false, true, usage_run);
    if (status)
        return status;
    if (o.npaths != 1)
        return usage_error(a, a->argc, o.npaths ? "more than one scenario (expected exactly one)"
                                                : "no scenario given (expected 'vmviz run SCENARIO')");
    struct scenario *s;
    struct timeline *tl = open_scenario(o.paths[0], &o, &s);
    if (!tl)
        return EXIT_BAD_INPUT;
    if (o.stats) {
        play_to_end(tl, s->path);
    } else {
        struct reporter r;
        reporter_init(&r, stdout, o.format, o.level, timeline_machine(tl));
        const struct tl_event *e;
        while ((e = timeline_next(tl)) != NULL) {
            reporter_event(&r, e, timeline_machine(tl));
            if (e->kind == TL_EXPECT && e->failed)
                print_failures(s->path, e);
        }
    }
    if (o.stats)
        report_stats(stdout, o.format, &timeline_machine(tl)->counters);
    status = timeline_failures(tl) ? EXIT_EXPECT : 0;
    timeline_destroy(tl);
    scenario_free(s);
    if (fflush(stdout) != 0)
        return EXIT_BAD_INPUT;
    return status;
}

static int cmd_check(struct args *a)
{
    struct options o = {.level = TL_UNIT_EVENT, .format = REPORT_TEXT};
    timeline_overrides_init(&o.overrides);
    int status = parse_options(a, &o, false, false, usage_check);
    if (status)
        return status;
    if (o.npaths == 0)
        return usage_error(a, a->argc, "no scenario given (expected 'vmviz check SCENARIO...')");
    int worst = 0;
    for (int i = 0; i < o.npaths; i++) {
        struct scenario *s;
        struct timeline *tl = open_scenario(o.paths[i], &o, &s);
        if (!tl) {
            worst = EXIT_BAD_INPUT;
            continue;
        }
        play_to_end(tl, s->path);
        uint64_t failures = timeline_failures(tl);
        printf("%s: %s (%llu expectation%s failed)\n", o.paths[i], failures ? "FAILED" : "ok",
               (unsigned long long)failures, failures == 1 ? "" : "s");
        if (failures && worst < EXIT_EXPECT)
            worst = EXIT_EXPECT;
        timeline_destroy(tl);
        scenario_free(s);
    }
    return worst;
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
    int status = parse_options(a, &o, true, false, usage_main);
    if (status)
        return status;
    if (o.npaths > 1)
        return usage_error(a, a->argc, "more than one scenario (expected at most one)");
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
    };
    return tui_main(&t);
}

int main(int argc, char **argv)
{
    struct args a = {.argc = argc, .argv = argv, .i = 1};
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("vmviz %s\n", VMVIZ_VERSION);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "run") == 0) {
        a.i = 2;
        return cmd_run(&a);
    }
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        a.i = 2;
        return cmd_check(&a);
    }
    return cmd_view(&a);
}
