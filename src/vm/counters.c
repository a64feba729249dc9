/* Counter names and values, generated from COUNTER_LIST. */
#include "vm/counters.h"

#include <string.h>

const char *const counter_names[] = {
#define COUNTER_NAME(name, text) #name,
    COUNTER_LIST(COUNTER_NAME)
#undef COUNTER_NAME
    NULL,
};

static const char *const counter_texts[] = {
#define COUNTER_TEXT(name, text) text,
    COUNTER_LIST(COUNTER_TEXT)
#undef COUNTER_TEXT
};

const char *counter_name(enum counter_id id)
{
    return id < COUNTER_COUNT ? counter_names[id] : "?";
}

const char *counter_description(enum counter_id id)
{
    return id < COUNTER_COUNT ? counter_texts[id] : "?";
}

int counter_lookup(const char *name)
{
    for (int i = 0; i < COUNTER_COUNT; i++)
        if (strcmp(counter_names[i], name) == 0)
            return i;
    return -1;
}

uint64_t counter_get(const struct counters *c, enum counter_id id)
{
    switch (id) {
#define COUNTER_CASE(name, text) case COUNTER_##name: return c->name;
        COUNTER_LIST(COUNTER_CASE)
#undef COUNTER_CASE
    default:
        return 0;
    }
}
