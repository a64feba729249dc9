/* The event, stage and fault-kind tables as data, generated from their
 * X-macro lists in event.h. */
#include "vm/event.h"

#include <stddef.h>
#include <string.h>

/* One row of EVENT_LIST as data. */
struct event_info {
    const char *name, *text;
    int stage;
    enum event_tone tone;
    unsigned fields;
    enum event_line line;
};

static const struct event_info event_info[] = {
#define EVENT_INFO(id, name, stage, tone, fields, line, text) {name, text, stage, tone, fields, line},
    EVENT_LIST(EVENT_INFO)
#undef EVENT_INFO
};

struct stage_info {
    const char *label, *brief;
    bool alarming;
};

static const struct stage_info stage_info[] = {
#define STAGE_INFO(id, label, brief, alarming) {label, brief, alarming},
    STAGE_LIST(STAGE_INFO)
#undef STAGE_INFO
};

static const char *const fault_kind_names[] = {
#define FAULT_KIND_NAME(id, name, brief, text) name,
    FAULT_KIND_LIST(FAULT_KIND_NAME)
#undef FAULT_KIND_NAME
};

static const char *const fault_kind_briefs[] = {
#define FAULT_KIND_BRIEF(id, name, brief, text) brief,
    FAULT_KIND_LIST(FAULT_KIND_BRIEF)
#undef FAULT_KIND_BRIEF
};

const char *event_name(enum event_kind kind)
{
    return kind < EV_COUNT ? event_info[kind].name : "?";
}

const char *event_text(enum event_kind kind)
{
    return kind < EV_COUNT ? event_info[kind].text : "?";
}

int event_stage(const struct event *ev)
{
    if (ev->kind >= EV_COUNT)
        return STAGE_NONE;
    if (ev->kind == EV_FRAME_ALLOC && ev->level >= 0)
        return STAGE_NEW_TABLE;
    return event_info[ev->kind].stage;
}

enum event_tone event_tone(enum event_kind kind)
{
    return kind < EV_COUNT ? event_info[kind].tone : TONE_PLAIN;
}

unsigned event_fields(enum event_kind kind)
{
    return kind < EV_COUNT ? event_info[kind].fields : 0;
}

enum event_line event_line(enum event_kind kind)
{
    return kind < EV_COUNT ? event_info[kind].line : LINE_DETAIL;
}

const char *stage_label(enum stage s)
{
    return (unsigned)s < STAGE_COUNT ? stage_info[s].label : "?";
}

const char *stage_brief(enum stage s)
{
    return (unsigned)s < STAGE_COUNT ? stage_info[s].brief : "?";
}

bool stage_alarming(enum stage s)
{
    return (unsigned)s < STAGE_COUNT && stage_info[s].alarming;
}

const char *fault_kind_name(enum fault_kind kind)
{
    return (unsigned)kind < FAULT_KIND_COUNT ? fault_kind_names[kind] : "?";
}

const char *fault_kind_brief(enum fault_kind kind)
{
    return (unsigned)kind < FAULT_KIND_COUNT ? fault_kind_briefs[kind] : "?";
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
    /* The detail is a string: its first byte is enough to empty it, and
     * clearing all of it would be most of the cost of every micro-step. */
    memset(ev, 0, offsetof(struct event, detail));
    ev->detail[0] = '\0';
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
