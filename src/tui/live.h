#ifndef VMVIZ_TUI_LIVE_H
#define VMVIZ_TUI_LIVE_H
/* Trying it live: steps typed at the viewer's prompt join the scenario
 * after the operation in view.
 *
 * The app keeps the typed steps, each with the place in the scenario's
 * top-level steps list it goes to (before the file's step `before`). The
 * scenario on screen is always the file's text with those lines spliced
 * in (scenario/edit.h), loaded by the loader, so a typed step is checked
 * and played exactly as the same line in the file would be, and `:save`
 * writes that very text. Typing a step rebuilds the timeline and replays
 * it to the place the viewer was at (under the busy line, as what-if
 * does), then steps into the new operation; stepping back goes over it
 * like any other step.
 *
 * A step inside a repeat or a trace cannot take a line between two of
 * its items: the typed step goes after the whole top-level step, which
 * plays to its end first, and the message says so.
 *
 * Errors are NAME:1:COLUMN of the typed line (LIVE_NAME), the line kept
 * for editing. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/edit.h"
#include "tui/app.h"
#include "tui/keys.h"

/* The file name errors of the prompt give. */
#define LIVE_NAME "live"
/* Lines Up and Down recall. */
#define LIVE_HISTORY_MAX 64
/* The most candidates a completion lists. */
#define LIVE_CANDIDATES_MAX 48

/* The prompt's own commands, besides steps: id, word, argument, help. */
#define LIVE_COMMAND_LIST(X)                                                        \
    X(SAVE, "save", "FILE", "write the scenario with the typed steps to FILE")      \
    X(UNDO, "undo", "", "remove the step typed last")

enum live_command {
#define LIVE_COMMAND_ENUM(id, word, arg, help) LIVE_##id,
    LIVE_COMMAND_LIST(LIVE_COMMAND_ENUM)
#undef LIVE_COMMAND_ENUM
    LIVE_COMMAND_COUNT
};

/* A typed step: its line in item form, where it goes, and when it was
 * typed (:undo removes the latest). */
struct live_step {
    char *yaml;
    size_t before;       /* the file's top-level step it precedes */
    unsigned seq;        /* the order it was typed in */
};

struct live {
    /* The scenario file's text as first read (NULL until a step is typed). */
    char *text;
    size_t len;
    size_t file_steps;   /* its top-level steps */
    /* The typed steps in the order they stand in the scenario. */
    struct live_step *steps;
    size_t count, cap;
    unsigned next_seq;
    /* The prompt: the line, the cursor (a byte offset), the lines entered
     * before (oldest first), which of them is shown (nhistory: the line
     * being written), and that line while another is shown. */
    char line[SCENARIO_LINE_MAX + 1];
    size_t cursor;
    char *history[LIVE_HISTORY_MAX];
    size_t nhistory, recall;
    char draft[SCENARIO_LINE_MAX + 1];
    /* What the row above the prompt says: an error at a column of the
     * line, or the candidates of a completion. */
    char note[DIAG_FILE_MAX + DIAG_MESSAGE_MAX + 64];
    bool note_error;
    /* The operation autoplay stops after: the typed one (0: none). */
    uint64_t stop_op;
};

/* The app's live state, made on first use; NULL when the host has no
 * memory for it. */
struct live *live_of(struct app *a);
/* Frees it; NULL is allowed. */
void live_free(struct live *l);
/* Drops the typed steps and the file's text: another scenario is open. */
void live_forget(struct live *l);

/* Runs the prompt's line: a command or a step. On success the prompt
 * closes and the message line says what happened; on an error the note
 * holds LIVE_NAME:1:COLUMN: error: ..., the line stays. Returns APP_*. */
unsigned live_enter(struct app *a);
/* Completes the word before the cursor: a step kind or command first, an
 * area of the running process after. One candidate is written in; more
 * write their common start and are listed in the note. Returns how many
 * candidates there were. */
size_t live_complete(struct app *a);
/* Up (-1) and Down (+1): an earlier or later line of this session. */
void live_recall(struct live *l, int direction);
/* Clears the line for a new one (the history stays). */
void live_clear(struct live *l);
/* What an editing key does to the line: the cursor keys, the erasers,
 * and a printable character (ACTION_NONE with the key) typed at the
 * cursor. false when the key is none of those. */
bool live_edit(struct live *l, enum key_action act, int key);

/* Removes the step typed last and replays to the same place, or to where
 * that step began when the viewer was past it. Returns APP_*. */
unsigned live_undo(struct app *a);
/* Writes the scenario with the typed steps to path; false with err set at
 * LIVE_NAME:1:col when it cannot. */
bool live_save(struct app *a, const char *path, unsigned col, struct diag *err);

/* True when autoplay should stop at the event e: the end of the typed
 * operation it was started into (which it then forgets). */
bool live_stops_autoplay(struct app *a, const struct tl_event *e);

#endif
