/* Racing replacement policies. See compare.h.
 *
 * Every configuration runs in a process of its own: a worker process is
 * forked per processor, takes every workers-th configuration, and sends
 * each outcome back whole through its pipe. A process shares nothing with
 * the others, so no lock is needed and a configuration that ends badly
 * cannot spoil another; the outcomes are put back in plan order by their
 * index, so the output is the same whichever worker finished first. */
#include "play/compare.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/timeline.h"
#include "scenario/trace.h"
#include "util/fdio.h"

size_t compare_count(const struct compare_plan *plan)
{
    size_t frames = plan->frames_min ? (size_t)(plan->frames_max - plan->frames_min) + 1 : 1;
    return plan->npolicies * frames;
}

char compare_mark(enum policy_kind policy)
{
    char taken[POLICY_COUNT];
    char mark = '?';
    for (int k = 0; k <= (int)policy && k < POLICY_COUNT; k++) {
        const char *name = policy_names[k];
        mark = '?';
        for (const char *c = name; *c && mark == '?'; c++) {
            char upper = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
            if (memchr(taken, upper, (size_t)k) == NULL)
                mark = upper;
        }
        taken[k] = mark;
    }
    return mark;
}

/* ---- one configuration ------------------------------------------------- */

/* One configuration's outcome, as a worker sends it back: plain bytes,
 * no pointer, so that it crosses a pipe whole. */
struct outcome {
    size_t index;
    bool done;               /* set by whoever ran it */
    bool ok;
    struct counters counters;
    struct diag err;         /* when not ok */
};

/* The policy and frame count of configuration index of a plan whose frame
 * range is set. */
static enum policy_kind config_policy(const struct compare_plan *p, size_t index)
{
    return p->policies[index / ((size_t)(p->frames_max - p->frames_min) + 1)];
}

static uint32_t config_frames(const struct compare_plan *p, size_t index)
{
    return p->frames_min + (uint32_t)(index % ((size_t)(p->frames_max - p->frames_min) + 1));
}

/* Says in err's message which configuration failed, before what went
 * wrong, as a reader of the error needs both. */
static void name_config(struct diag *err, enum policy_kind policy, uint32_t frames)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s with %" PRIu32 " frame%s: ", policy_name(policy), frames,
             frames == 1 ? "" : "s");
    size_t plen = strlen(prefix), mlen = strlen(err->message);
    if (plen + mlen >= sizeof err->message)
        mlen = sizeof err->message - 1 - plen;
    memmove(err->message + plen, err->message, mlen);
    memcpy(err->message, prefix, plen);
    err->message[plen + mlen] = '\0';
}

/* Plays configuration index to its end, exactly as vmviz run --stats
 * does (whole operations at a time, the same overrides), into *out. */
static void run_config(const struct scenario *s, const struct compare_plan *p, size_t index,
                       struct outcome *out)
{
    memset(out, 0, sizeof *out);
    out->index = index;
    out->done = true;
    enum policy_kind policy = config_policy(p, index);
    uint32_t frames = config_frames(p, index);
    struct timeline_overrides o = p->base;
    o.policy = policy_name(policy);
    o.frames = frames;
    struct timeline *tl =
        timeline_create_with(s, &o, &(struct timeline_options){.headless = true}, &out->err);
    if (tl) {
        timeline_run_headless(tl, NULL, NULL);
        const char *why = timeline_error(tl);
        if (why) {
            const struct scenario_step *step = timeline_error_step(tl);
            diag_set(&out->err, s->path, step ? step->pos.line : 0, step ? step->pos.col : 0,
                     "%s", why);
        } else if (!trace_take_failure(&out->err)) {
            out->ok = true;
            out->counters = timeline_machine(tl)->counters;
        }
        timeline_destroy(tl);
    }
    if (!out->ok)
        name_config(&out->err, policy, frames);
}

/* ---- the workers ------------------------------------------------------- */

/* A worker as the parent sees it: its pipe and the outcome being read. */
struct worker {
    pid_t pid;               /* 0: not forked (its share ran in the parent) */
    int fd;                  /* the read end; -1 once at its end */
    struct outcome partial;
    size_t have;             /* bytes of partial read so far */
};

/* Starts worker w of n: a child process that runs configurations w,
 * w + n, ... and writes each outcome to its pipe. When the host refuses a
 * pipe or a process, the parent runs that share itself, so a busy host
 * gives the same figures, only later. */
static void start_worker(struct worker *wk, unsigned w, unsigned n, const struct scenario *s,
                         const struct compare_plan *p, size_t count, struct outcome *results)
{
    int fds[2];
    wk->pid = 0;
    wk->fd = -1;
    wk->have = 0;
    if (pipe(fds) == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            struct outcome r;
            for (size_t i = w; i < count; i += n) {
                run_config(s, p, i, &r);
                if (!fd_write_all(fds[1], &r, sizeof r))
                    break;
            }
            /* Nothing of the parent's (buffered output, exit handlers)
             * is the child's to run. */
            _exit(0);
        }
        close(fds[1]);
        if (pid > 0) {
            wk->pid = pid;
            wk->fd = fds[0];
            return;
        }
        close(fds[0]);
    }
    for (size_t i = w; i < count; i += n)
        run_config(s, p, i, &results[i]);
}

/* Reads what the workers send until every pipe is at its end, each whole
 * outcome into its place; an outcome that is not the worker's to send is
 * ignored (its place then says not done). */
static void collect(struct worker *workers, unsigned n, struct outcome *results, size_t count)
{
    struct pollfd fds[COMPARE_MAX_WORKERS];
    for (;;) {
        nfds_t nfds = 0;
        unsigned which[COMPARE_MAX_WORKERS];
        for (unsigned w = 0; w < n; w++) {
            if (workers[w].fd < 0)
                continue;
            fds[nfds] = (struct pollfd){.fd = workers[w].fd, .events = POLLIN};
            which[nfds++] = w;
        }
        if (nfds == 0)
            return;
        if (poll(fds, nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            for (nfds_t k = 0; k < nfds; k++) {
                close(fds[k].fd);
                workers[which[k]].fd = -1;
            }
            return;
        }
        for (nfds_t k = 0; k < nfds; k++) {
            if (fds[k].revents == 0)
                continue;
            struct worker *wk = &workers[which[k]];
            ssize_t got = read(wk->fd, (char *)&wk->partial + wk->have,
                               sizeof wk->partial - wk->have);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(wk->fd);
                wk->fd = -1;
                continue;
            }
            wk->have += (size_t)got;
            if (wk->have < sizeof wk->partial)
                continue;
            wk->have = 0;
            size_t i = wk->partial.index;
            if (i < count && i % n == which[k] && wk->partial.done)
                results[i] = wk->partial;
        }
    }
}

/* Waits for every forked worker to end. */
static void reap(const struct worker *workers, unsigned n)
{
    for (unsigned w = 0; w < n; w++) {
        if (workers[w].pid <= 0)
            continue;
        while (waitpid(workers[w].pid, NULL, 0) < 0 && errno == EINTR)
            continue;
    }
}

/* How many workers to start: one per online processor, no more than
 * there are configurations, COMPARE_MAX_WORKERS at most. */
static unsigned worker_count(const struct compare_plan *p, size_t count)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = p->workers ? p->workers : online > 0 ? (unsigned)online : 1;
    if (n > COMPARE_MAX_WORKERS)
        n = COMPARE_MAX_WORKERS;
    if (n > count)
        n = (unsigned)count;
    return n ? n : 1;
}

bool compare_run(const struct scenario *s, const struct compare_plan *plan,
                 struct compare_row *rows, size_t *nrows, struct diag *err)
{
    *nrows = 0;
    size_t count = compare_count(plan);
    if (plan->npolicies == 0 || plan->npolicies > POLICY_COUNT || count > COMPARE_MAX_CONFIGS
        || (plan->frames_min && plan->frames_max < plan->frames_min)) {
        diag_set(err, s->path, 0, 0, "%zu configurations asked for (expected 1 to %d, each "
                 "frame range from low to high)", count, COMPARE_MAX_CONFIGS);
        return false;
    }
    struct compare_plan p = *plan;
    if (p.frames_min == 0) {
        struct machine_config c;
        if (!setup_config(s, &p.base, &c, err))
            return false;
        p.frames_min = p.frames_max = c.frames;
    }
    struct outcome *results = calloc(count, sizeof *results);
    if (results == NULL) {
        diag_set(err, s->path, 0, 0, "out of memory for %zu configurations (expected fewer)",
                 count);
        return false;
    }
    unsigned n = worker_count(&p, count);
    struct worker workers[COMPARE_MAX_WORKERS];
    for (unsigned w = 0; w < n; w++)
        start_worker(&workers[w], w, n, s, &p, count, results);
    collect(workers, n, results, count);
    reap(workers, n);
    bool ok = true;
    for (size_t i = 0; i < count && ok; i++) {
        if (!results[i].done) {
            diag_set(err, s->path, 0, 0, "%s with %" PRIu32 " frames: the process running it "
                     "ended before it was done (expected it to end normally; was it killed, or "
                     "out of memory?)", policy_name(config_policy(&p, i)),
                     config_frames(&p, i));
            ok = false;
        } else if (!results[i].ok) {
            *err = results[i].err;
            ok = false;
        } else {
            rows[i] = (struct compare_row){.policy = config_policy(&p, i),
                                           .frames = config_frames(&p, i),
                                           .counters = results[i].counters};
        }
    }
    free(results);
    if (ok)
        *nrows = count;
    return ok;
}

/* ---- printing ---------------------------------------------------------- */

void compare_print_table(FILE *out, const struct compare_row *rows, size_t nrows)
{
    fprintf(out, "%-7s %6s %8s %12s %9s %10s %8s %9s\n", "policy", "frames", "faults",
            "TLB hit rate", "evictions", "writebacks", "swap-ins", "swap-outs");
    for (size_t i = 0; i < nrows; i++) {
        const struct counters *c = &rows[i].counters;
        uint64_t lookups = c->tlb_hits + c->tlb_misses;
        char rate[48];
        if (lookups == 0) {
            snprintf(rate, sizeof rate, "-");
        } else {
            /* Tenths of a percent, rounded, in whole numbers: the same
             * text on every host. */
            uint64_t tenths = (c->tlb_hits * 1000 + lookups / 2) / lookups;
            snprintf(rate, sizeof rate, "%" PRIu64 ".%" PRIu64 "%%", tenths / 10, tenths % 10);
        }
        fprintf(out, "%-7s %6" PRIu32 " %8" PRIu64 " %12s %9" PRIu64 " %10" PRIu64 " %8" PRIu64
                " %9" PRIu64 "\n", policy_name(rows[i].policy), rows[i].frames, c->faults, rate,
                c->evictions, c->writebacks, c->swap_ins, c->swap_outs);
    }
}

void compare_print_json(FILE *out, const struct compare_row *rows, size_t nrows)
{
    fputs("[\n", out);
    for (size_t i = 0; i < nrows; i++) {
        fputs("{\"policy\":", out);
        json_string(out, policy_name(rows[i].policy));
        fprintf(out, ",\"frames\":%" PRIu32 ",", rows[i].frames);
        report_counter_members(out, &rows[i].counters);
        fputs(i + 1 < nrows ? "},\n" : "}\n", out);
    }
    fputs("]\n", out);
}

/* Decimal digits of v. */
static int digits(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* Appends word to the legend line being built, starting a new line when
 * it would pass the chart's width. */
static void legend_word(FILE *out, int *used, const char *word)
{
    int len = (int)strlen(word);
    if (*used > 0 && *used + 2 + len > COMPARE_CHART_WIDTH) {
        fputc('\n', out);
        *used = 0;
    }
    if (*used > 0) {
        fputs("  ", out);
        *used += 2;
    }
    fputs(word, out);
    *used += len;
}

/* The x axis's title, after the last label. */
#define X_TITLE "  frames"

void compare_print_chart(FILE *out, const struct compare_row *rows, size_t nrows)
{
    /* The frame counts are those of the first policy's rows. */
    size_t nframes = 0;
    while (nframes < nrows && rows[nframes].policy == rows[0].policy)
        nframes++;
    if (nframes < 2 || nrows % nframes != 0)
        return;
    uint64_t ymin = UINT64_MAX, ymax = 0;
    for (size_t i = 0; i < nrows; i++) {
        uint64_t f = rows[i].counters.faults;
        ymin = f < ymin ? f : ymin;
        ymax = f > ymax ? f : ymax;
    }
    /* Faults per row: 1, 2, 5, 10, 20, 50... the first that fits, the
     * rows starting at multiples of it, so every label is a round
     * whole number. */
    uint64_t step = 1, lo = ymin, nlines = ymax - ymin + 1;
    for (uint64_t scale = 1; nlines > COMPARE_CHART_ROWS; scale *= 10) {
        static const uint64_t factors[] = {1, 2, 5};
        for (size_t k = 0; k < 3; k++) {
            step = scale * factors[k];
            lo = ymin - ymin % step;
            nlines = (ymax - lo) / step + 1;
            if (nlines <= COMPARE_CHART_ROWS)
                break;
        }
    }
    int label_width = digits(lo + (nlines - 1) * step);
    /* The plot's columns: up to 4 per frame count; when there are more
     * frame counts than columns, every sample-th is drawn. */
    int room = COMPARE_CHART_WIDTH - (label_width + 2) - (int)strlen(X_TITLE);
    size_t sample = (nframes + (size_t)room - 1) / (size_t)room;
    size_t shown = (nframes + sample - 1) / sample;
    int cell = room / (int)shown;
    cell = cell > 4 ? 4 : cell < 1 ? 1 : cell;
    int width = cell * (int)shown;
    char grid[COMPARE_CHART_ROWS][COMPARE_CHART_WIDTH];
    memset(grid, ' ', sizeof grid);
    for (size_t i = 0; i < nrows; i++) {
        size_t j = i % nframes;
        if (j % sample != 0)
            continue;
        int col = (int)(j / sample) * cell + cell - 1;
        char *at = &grid[(rows[i].counters.faults - lo) / step][col];
        char mark = compare_mark(rows[i].policy);
        *at = *at == ' ' || *at == mark ? mark : '*';
    }
    fputs("faults\n", out);
    for (uint64_t r = nlines; r-- > 0;) {
        fprintf(out, "%*" PRIu64 " |", label_width, lo + r * step);
        int end = width;
        while (end > 0 && grid[r][end - 1] == ' ')
            end--;
        fprintf(out, "%.*s\n", end, grid[r]);
    }
    fprintf(out, "%*s +", label_width, "");
    for (int c = 0; c < width; c++)
        fputc(c % cell == cell - 1 && cell > 1 ? '+' : '-', out);
    /* The frame counts under the axis, each ending under its mark: every
     * label_every-th, evenly, as often as the widest fits with a blank
     * before it. */
    fprintf(out, "\n%*s  ", label_width, "");
    int widest = digits(rows[(shown - 1) * sample].frames);
    int label_every = (widest + 1 + cell - 1) / cell, used = 0;
    for (size_t j = 0; j < shown; j += (size_t)label_every) {
        uint32_t frames = rows[j * sample].frames;
        int col = (int)j * cell + cell - 1, start = col - digits(frames) + 1;
        if (start < used)
            continue;
        fprintf(out, "%*s%" PRIu32, start - used, "", frames);
        used = col + 1;
    }
    fputs(X_TITLE "\n", out);
    int line = 0;
    char word[64];
    for (size_t i = 0; i < nrows; i += nframes) {
        snprintf(word, sizeof word, "%c %s", compare_mark(rows[i].policy),
                 policy_name(rows[i].policy));
        legend_word(out, &line, word);
    }
    legend_word(out, &line, "* several at one point");
    if (step > 1) {
        snprintf(word, sizeof word, "a row: %" PRIu64 " faults from its label up", step);
        legend_word(out, &line, word);
    }
    if (sample > 1) {
        snprintf(word, sizeof word, "one frame count in %zu shown", sample);
        legend_word(out, &line, word);
    }
    fputc('\n', out);
}
