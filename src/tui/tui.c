/* The viewer's main loop and the rendering benchmark.
 *
 * The loop blocks in getch while paused (no CPU at all) and waits with a
 * time-out only while playing, the time-out being what is left until the
 * next autoplay step so that keys pressed meanwhile do not slow it. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>

#include "tui/app.h"
#include "tui/keyfile.h"
#include "tui/keys.h"
#include "tui/record.h"
#include "tui/term.h"
#include "util/exitstatus.h"

/* Consecutive errors from a blocking read mean the terminal went away. */
#define LOOP_MAX_ERRORS 64

/* The loop waits for whichever comes first: a key, the next autoplay
 * step, or the next key of the script. A script key counts its pause from
 * when the key before it was handled and drawn, so a slow step does not
 * eat into the pause a demo gives the audience. Keys typed meanwhile are
 * handled as usual and the script goes on. */
static void run(struct app *a, const struct keyfile *script)
{
    app_draw(a);
    term_update();
    double next_tick = -1;
    size_t scripted = 0;
    double key_due = script->count ? app_now_ms() + script->keys[0].delay_ms : -1;
    int errors = 0;
    for (;;) {
        double now = app_now_ms();
        int period = app_timeout(a);
        if (period < 0)
            next_tick = -1;
        else if (next_tick < 0)
            next_tick = now + period;
        double due = next_tick;
        if (key_due >= 0 && (due < 0 || key_due < due))
            due = key_due;
        int wait = due < 0 ? -1 : due > now ? (int)(due - now + 0.5) : 0;
        int key = term_read_key(wait);
        unsigned r = 0;
        bool script_key = false;
        if (key != ERR) {
            errors = 0;
            r = app_key(a, key);
        } else if (due < 0) {
            if (++errors >= LOOP_MAX_ERRORS)
                break;
        } else {
            /* A time-out may come a little early: what is not due yet
             * waits for the next turn. */
            now = app_now_ms() + 0.5;
            if (key_due >= 0 && now >= key_due) {
                r = app_key(a, script->keys[scripted++].key);
                script_key = true;
            } else if (next_tick >= 0 && now >= next_tick) {
                r = app_tick(a);
                next_tick += period;
                /* Fell behind (a slow step): do not try to catch up. */
                if (next_tick < app_now_ms())
                    next_tick = app_now_ms() + period;
            }
        }
        if (r & APP_QUIT)
            break;
        if (r & APP_REDRAW) {
            app_draw(a);
            term_update();
        }
        if (script_key)
            key_due = scripted < script->count
                          ? app_now_ms() + script->keys[scripted].delay_ms : -1;
    }
}

/* What a recording is called: the scenario's title, else the program's. */
static const char *recording_title(const struct app *a)
{
    return a->sc && a->sc->title.value ? a->sc->title.value : "vmviz";
}

int tui_main(const struct tui_options *opts)
{
    struct diag err;
    struct keyfile script = {0};
    /* Everything the user named is read or opened before the terminal is
     * taken over: a bad one is reported on a terminal as it was. */
    if (opts->keys_path && !keyfile_load(&script, opts->keys_path, &err)) {
        diag_print(stderr, &err);
        return EXIT_BAD_INPUT;
    }
    struct app *a = app_create(opts, &err);
    if (!a) {
        diag_print(stderr, &err);
        keyfile_free(&script);
        return EXIT_BAD_INPUT;
    }
    struct recorder rec;
    bool recording = opts->record_path != NULL;
    if (recording && !recorder_open(&rec, opts->record_path, &err)) {
        diag_print(stderr, &err);
        app_destroy(a);
        keyfile_free(&script);
        return EXIT_BAD_INPUT;
    }
    char why[256];
    bool opened = recording ? term_open_recorded(recorder_sink(&rec), why, sizeof why)
                            : term_open(why, sizeof why);
    if (!opened) {
        /* The terminal comes from the environment: its variable names it,
         * and the terminal type is shown escaped like any untrusted text. */
        diag_set(&err, "TERM", 0, 0, "%s", why);
        diag_print(stderr, &err);
        if (recording)
            recorder_abandon(&rec);
        app_destroy(a);
        keyfile_free(&script);
        return EXIT_BAD_INPUT;
    }
    if (recording) {
        int cols, rows;
        term_size(&cols, &rows);
        recorder_begin(&rec, cols, rows, recording_title(a), getenv("TERM"));
    }
    app_start(a);
    run(a, &script);
    int sig = term_quit_signal();
    term_close();
    /* Stopped by a signal: the status a shell expects for it. */
    int status = sig ? EXIT_SIGNAL_BASE + sig : 0;
    if (recording && !recorder_end(&rec, &err)) {
        diag_print(stderr, &err);
        if (status == 0)
            status = EXIT_BAD_INPUT;
    }
    app_destroy(a);
    keyfile_free(&script);
    return status;
}

int tui_render_cast(const struct tui_options *opts, enum tl_unit level, int cols, int rows,
                    FILE *out)
{
    struct diag err;
    struct app *a = app_create(opts, &err);
    if (!a) {
        diag_print(stderr, &err);
        return EXIT_BAD_INPUT;
    }
    /* Nobody waits for the progress line of a long step: without the
     * hook, every frame is the same on every machine. */
    timeline_set_poll(a->tl, NULL, NULL);
    a->unit = level;
    struct recorder rec;
    recorder_attach(&rec, out, "standard output");
    char why[256];
    if (!term_open_headless_recorded(cols, rows, 256, recorder_sink(&rec), why, sizeof why)) {
        diag_set(&err, "vmviz", 0, 0, "%s", why);
        diag_print(stderr, &err);
        app_destroy(a);
        return EXIT_BAD_INPUT;
    }
    recorder_begin(&rec, cols, rows, recording_title(a), TUI_CAST_TERM);
    app_start(a);
    double pace = 1.0 / app_speed_rate(APP_SPEED_DEFAULT);
    int step_key = keys_of(ACTION_STEP_FORWARD)[0];
    recorder_set_time(&rec, 0);
    app_draw(a);
    term_update();
    for (unsigned long frame = 1; rec.error == 0; frame++) {
        uint64_t before = timeline_position(a->tl);
        app_key(a, step_key);
        if (timeline_position(a->tl) == before)
            break;
        recorder_set_time(&rec, (double)frame * pace);
        app_draw(a);
        term_update();
    }
    term_close();
    int status = timeline_failures(a->tl) ? EXIT_EXPECT_FAILED : 0;
    const char *host_error = timeline_error(a->tl);
    if (host_error) {
        const struct tl_event *e = timeline_current(a->tl);
        diag_set(&err, a->sc->path, e && e->step ? e->step->pos.line : 0,
                 e && e->step ? e->step->pos.col : 0, "%s", host_error);
        diag_print(stderr, &err);
        status = EXIT_BAD_INPUT;
    }
    /* A stream that refused the output is the caller's to report (it
     * knows it as standard output); any other failure is said here. */
    if (!recorder_end(&rec, &err)) {
        if (!ferror(out))
            diag_print(stderr, &err);
        status = EXIT_BAD_INPUT;
    }
    app_destroy(a);
    return status;
}

double tui_bench_render(const char *scenario, int cols, int rows, int frames)
{
    struct tui_options o = {.scenario_path = scenario};
    timeline_overrides_init(&o.overrides);
    struct diag err;
    double started = app_now_ms();
    struct app *a = app_create(&o, &err);
    if (!a)
        return -1;
    char why[256];
    bool opened_here = !term_is_open();
    if (opened_here && !term_open_headless(cols, rows, 256, why, sizeof why)) {
        app_destroy(a);
        return -1;
    }
    term_resize(cols, rows);
    app_start(a);
    if (frames == 0) {
        /* Start to first frame: load, build the timeline, draw once. */
        app_draw(a);
        double ms = app_now_ms() - started;
        if (opened_here)
            term_close();
        app_destroy(a);
        return ms;
    }
    double total = 0;
    for (int i = 0; i < frames; i++) {
        double t0 = app_now_ms();
        app_draw(a);
        total += app_now_ms() - t0;
        if (app_key(a, keys_of(ACTION_STEP_FORWARD)[0]) & APP_REDRAW && timeline_at_end(a->tl))
            app_key(a, keys_of(ACTION_START)[0]);
    }
    if (opened_here)
        term_close();
    app_destroy(a);
    return frames > 0 ? total / frames : 0;
}
