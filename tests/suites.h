/* Every CUnit suite of the project, one line each. Each test file defines
 * `void suite_NAME_register(void)` that adds its suite with CU_add_suite. */
#define SUITE_LIST(X) \
    X(geometry)       \
    X(pagetable)      \
    X(tlb)            \
    X(frames)         \
    X(policy)         \
    X(machine)        \
    X(fidelity)       \
    X(space)          \
    X(devices)        \
    X(invariants)     \
    X(loader)         \
    X(trace)          \
    X(timeline)       \
    X(digests)        \
    X(report)         \
    X(theme)          \
    X(keys)           \
    X(screens)        \
    X(lecture)        \
    X(whatif)         \
    X(live)           \
    X(record)         \
    X(truth)          \
    X(exercise)       \
    X(compare)        \
    X(quiz)

#define SUITE_DECLARE(name) void suite_##name##_register(void);
SUITE_LIST(SUITE_DECLARE)
#undef SUITE_DECLARE
