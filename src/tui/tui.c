/* The viewer's main loop and the rendering benchmark.
 *
 * The loop blocks in getch while paused (no CPU at all) and waits with a
 * time-out only while playing, the time-out being what is left until the
 * next autoplay step so that keys pressed meanwhile do not slow it. */
#include "tui/tui.h"

#include <stdio.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/term.h"
#include "util/exitstatus.h"

/* Consecutive errors from a blocking read mean the terminal went away. */
#define LOOP_MAX_ERRORS 64

static void run(struct app *a)
{
    app_draw(a);
    doupdate();
    double next_tick = -1;
    int errors = 0;
    for (;;) {
        int period = app_timeout(a);
        int wait = -1;
        if (period >= 0) {
            double now = app_now_ms();
            if (next_tick < 0)
                next_tick = now + period;
            wait = next_tick > now ? (int)(next_tick - now + 0.5) : 0;
        } else {
            next_tick = -1;
        }
        int key = term_read_key(wait);
        unsigned r = 0;
        if (key == ERR) {
            if (wait >= 0) {
                r = app_tick(a);
                next_tick += period;
                /* Fell behind (a slow step): do not try to catch up. */
                if (next_tick < app_now_ms())
                    next_tick = app_now_ms() + period;
            } else if (++errors >= LOOP_MAX_ERRORS) {
                break;
            }
        } else {
            errors = 0;
            r = app_key(a, key);
        }
        if (r & APP_QUIT)
            break;
        if (r & APP_REDRAW) {
            app_draw(a);
            doupdate();
        }
    }
}

int tui_main(const struct tui_options *opts)
{
    struct diag err;
    struct app *a = app_create(opts, &err);
    if (!a) {
        diag_print(stderr, &err);
        return EXIT_BAD_INPUT;
    }
    char why[256];
    if (!term_open(why, sizeof why)) {
        /* The terminal comes from the environment: its variable names it,
         * and the terminal type is shown escaped like any untrusted text. */
        diag_set(&err, "TERM", 0, 0, "%s", why);
        diag_print(stderr, &err);
        app_destroy(a);
        return EXIT_BAD_INPUT;
    }
    app_start(a);
    run(a);
    int sig = term_quit_signal();
    term_close();
    app_destroy(a);
    /* Stopped by a signal: the status a shell expects for it. */
    return sig ? EXIT_SIGNAL_BASE + sig : 0;
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
