/* Step-kind tables and whole-scenario helpers that do not parse: see
 * scenario.h. The loader proper is in loader.c. */
#include "scenario/scenario.h"

#include <stdbool.h>

#include <string.h>

#include "util/arena.h"

static const char *const step_names[STEP_KIND_COUNT] = {
#define STEP_KIND_NAME(id, name, help) [STEP_##id] = name,
    STEP_KIND_INFO(STEP_KIND_NAME)
#undef STEP_KIND_NAME
};

static const char *const step_helps[STEP_KIND_COUNT] = {
#define STEP_KIND_HELP(id, name, help) [STEP_##id] = help,
    STEP_KIND_INFO(STEP_KIND_HELP)
#undef STEP_KIND_HELP
};

const char *const scenario_program_area_names[] = {"text", "data", "bss", "stack", "heap",
                                                    NULL};

const char *step_kind_name(enum step_kind kind)
{
    return (unsigned)kind < STEP_KIND_COUNT ? step_names[kind] : "?";
}

const char *const *step_kind_names(unsigned *count)
{
    *count = STEP_KIND_COUNT;
    return step_names;
}

const char *step_kind_help(enum step_kind kind)
{
    return (unsigned)kind < STEP_KIND_COUNT ? step_helps[kind] : "?";
}

int step_kind_lookup(const char *name, enum step_kind *out)
{
    for (unsigned i = 0; i < STEP_KIND_COUNT; i++) {
        if (strcmp(name, step_names[i]) == 0) {
            *out = (enum step_kind)i;
            return 0;
        }
    }
    return -1;
}

void scenario_free(struct scenario *s)
{
    /* The scenario itself lives in its arena. */
    if (s != NULL)
        arena_free(s->arena);
}

static uint64_t add_saturated(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t mul_saturated(uint64_t a, uint64_t b)
{
    return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

/* Counts what the steps play: accesses, and with every_leaf also one for
 * each other step that is not a repeat. */
static uint64_t count_steps(const struct scenario_step *steps, size_t count, uint64_t page_size,
                            bool every_leaf);

uint64_t scenario_count_accesses(const struct scenario_step *steps, size_t count,
                                 uint64_t page_size)
{
    return count_steps(steps, count, page_size, false);
}

uint64_t scenario_count_plays(const struct scenario_step *steps, size_t count,
                              uint64_t page_size)
{
    return count_steps(steps, count, page_size, true);
}

static uint64_t count_steps(const struct scenario_step *steps, size_t count, uint64_t page_size,
                            bool every_leaf)
{
    uint64_t total = 0;

    if (page_size == 0)
        page_size = 1;
    for (size_t i = 0; i < count; i++) {
        const struct scenario_step *st = &steps[i];
        uint64_t n = 0;
        switch (st->kind) {
        case STEP_READ:
        case STEP_WRITE:
        case STEP_EXEC:
            n = 1;
            break;
        case STEP_REFS:
            n = st->u.refs.count;
            break;
        case STEP_FILL: {
            uint64_t stride = st->u.fill.stride.present ? st->u.fill.stride.value : page_size;
            uint64_t size = st->u.fill.size.value;
            if (stride == 0)
                stride = 1;
            n = size / stride + (size % stride != 0);
            break;
        }
        case STEP_REPEAT:
            n = mul_saturated(st->u.repeat.times.value,
                              count_steps(st->u.repeat.steps, st->u.repeat.count, page_size,
                                          every_leaf));
            break;
        case STEP_TRACE:
            n = st->u.trace.count;
            break;
        default:
            /* say, chapter, pause, expect, mmap, switch...: one play each. */
            n = every_leaf ? 1 : 0;
            break;
        }
        total = add_saturated(total, n);
    }
    return total;
}

const struct scenario_step *scenario_chapter_step(const struct scenario_step *steps,
                                                  size_t count, const char *name)
{
    for (size_t i = 0; name && i < count; i++) {
        const struct scenario_step *st = &steps[i];
        if (st->kind == STEP_CHAPTER && st->u.text.text.value == name)
            return st;
        if (st->kind == STEP_REPEAT) {
            const struct scenario_step *inner =
                scenario_chapter_step(st->u.repeat.steps, st->u.repeat.count, name);
            if (inner)
                return inner;
        }
    }
    return NULL;
}
