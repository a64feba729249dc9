/* Event names and texts, generated from EVENT_LIST. */
#include "vm/event.h"

#include <string.h>

static const char *const event_names[] = {
#define EVENT_NAME(id, name, text) name,
    EVENT_LIST(EVENT_NAME)
#undef EVENT_NAME
};

static const char *const event_texts[] = {
#define EVENT_TEXT(id, name, text) text,
    EVENT_LIST(EVENT_TEXT)
#undef EVENT_TEXT
};

const char *event_name(enum event_kind kind)
{
    return kind < EV_COUNT ? event_names[kind] : "?";
}

const char *event_text(enum event_kind kind)
{
    return kind < EV_COUNT ? event_texts[kind] : "?";
}

const char *fault_kind_name(enum fault_kind kind)
{
    static const char *const names[] = {
        [FAULT_NONE] = "none",
        [FAULT_ZERO_FILL] = "zero_fill",
        [FAULT_ZERO_PAGE] = "zero_page",
        [FAULT_SWAP_IN] = "swap_in",
        [FAULT_COW] = "cow",
        [FAULT_FILE_CACHED] = "file_cached",
        [FAULT_FILE_READ] = "file_read",
        [FAULT_MAPERR] = "SEGV_MAPERR",
        [FAULT_ACCERR] = "SEGV_ACCERR",
    };
    return kind <= FAULT_ACCERR ? names[kind] : "?";
}

const char *access_kind_name(enum access_kind kind)
{
    switch (kind) {
    case ACCESS_READ: return "read";
    case ACCESS_WRITE: return "write";
    case ACCESS_EXEC: return "exec";
    }
    return "?";
}

void event_init(struct event *ev, enum event_kind kind)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->pid = EV_NONE;
    ev->level = -1;
    ev->index = EV_NONE;
    ev->way = EV_NONE;
    ev->huge_set = EV_NONE;
    ev->frame = EV_NONE;
    ev->slot = EV_NONE;
    ev->victim = EV_NONE;
    ev->other_pid = EV_NONE;
}
