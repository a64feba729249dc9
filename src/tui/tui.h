#ifndef VMVIZ_TUI_TUI_H
#define VMVIZ_TUI_TUI_H
/* The interactive viewer.
 *
 *   vmviz SCENARIO   opens the scenario on the main screen
 *   vmviz            opens a picker of the scenarios in scenario_dir
 *
 * The main screen shows the current access (its virtual address split into
 * indices and offset), the page walk, the TLB, physical memory with the
 * replacement policy's state, swap, the processes and their areas, the
 * counters, a narration of the last step and a log; `?` lists the keys. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "play/timeline.h"

struct tui_options {
    const char *scenario_path;   /* NULL: the picker */
    const char *scenario_dir;    /* where the picker looks (files *.yaml) */
    const char *theme_dir;       /* where NAME.theme files are */
    const char *theme_name;      /* NULL: default, or mono when NO_COLOR is set */
    struct timeline_overrides overrides;
    bool present;                /* start in presenter mode (--present) */
    bool quiz;                   /* start in quiz mode (--quiz) */
    uint64_t start_chapter;      /* open at this chapter (1 = the first; 0: no --chapter) */
    uint64_t start_step;         /* then this many steps on (--step N) */
    bool has_start_step;
    unsigned start_chapter_column; /* where --chapter's value is on the command */
    unsigned start_step_column;    /* line, for errors ("command line:1:COL") */
    const char *record_path;     /* --record FILE.cast, or NULL */
    const char *keys_path;       /* --keys FILE, or NULL */
};

/* Runs the viewer until the user quits. Returns 0 on quit; 2 on bad input
 * (a scenario or theme that does not load, no terminal) after printing
 * FILE:LINE:COLUMN: error: ... to stderr, with the terminal restored;
 * 128 + N when signal N (SIGINT, SIGTERM, SIGHUP) stopped it, the terminal
 * restored too. */
int tui_main(const struct tui_options *opts);

/* The --format name of an asciicast rendering, and the terminal type its
 * header names (the one a headless terminal draws for). */
#define TUI_CAST_FORMAT "cast"
#define TUI_CAST_TERM "xterm-256color"
/* The size a cast is drawn at unless --size says otherwise, and the
 * largest --size takes (the smallest is the viewer's minimum, 80x24). */
/* The step a cast's frames are apart unless --level says otherwise. */
#define TUI_CAST_LEVEL TL_UNIT_OP
#define TUI_CAST_COLS 80
#define TUI_CAST_ROWS 24
#define TUI_CAST_MAX_COLS 500
#define TUI_CAST_MAX_ROWS 200

/* Draws the whole scenario opts names (scenario_path, which must be set:
 * there is no picker to draw) as the viewer shows it, headless at
 * cols x rows, and writes it to out as an asciicast v2 recording
 * (tui/record.h): the first frame at time 0 shows the start, then one
 * frame per step of `level` (the viewer's step size), each the viewer's
 * default autoplay pace after the one before, the last showing the end.
 * Returns 0, 1 when an expectation of the scenario failed, or 2 after
 * printing FILE:LINE:COLUMN: error: ... to stderr (a scenario that does
 * not load, a run the host stopped, an output that cannot be written:
 * when out itself refused it, the caller reports it). */
int tui_render_cast(const struct tui_options *opts, enum tl_unit level, int cols, int rows,
                    FILE *out);

/* Renders `frames` frames of the scenario headlessly at cols x rows, one
 * timeline step between frames, and returns the mean milliseconds per
 * frame (negative when the scenario does not load). With frames = 0 it
 * returns the milliseconds from loading the scenario to the first frame
 * drawn. For `make bench`. */
double tui_bench_render(const char *scenario, int cols, int rows, int frames);

#endif
