/* The yardstick as a program of its own (see reference.h): `reference
 * TRACE POLICY` reads a trace the bench wrote, plays it under POLICY (fifo,
 * lru, clock or opt) and prints the counters as `vmviz run --stats` prints
 * them, a "name value" a line, so that make bench can time the reference
 * and vmviz alike, each a whole process. Exit status 2 for bad arguments,
 * 1 when the trace cannot be read or memory runs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"

int main(int argc, char **argv)
{
    static const char *const names[] = {"fifo", "lru", "clock", "opt"};
    static const enum ref_policy kinds[] = {REF_FIFO, REF_LRU, REF_CLOCK, REF_OPT};
    int policy = -1;
    for (int i = 0; argc == 3 && i < 4; i++)
        if (strcmp(argv[2], names[i]) == 0)
            policy = i;
    if (policy < 0) {
        fprintf(stderr, "usage: reference TRACE fifo|lru|clock|opt\n");
        return 2;
    }
    uint32_t *pages = NULL;
    struct ref_counters c;
    size_t n = ref_read_trace(argv[1], REF_BASE, &pages);
    bool played = n > 0 && ref_run(pages, n, REF_BASE, kinds[policy], &c);
    if (n > 0)
        free(pages);
    if (!played) {
        fprintf(stderr, "reference: cannot play %s\n", argv[1]);
        return 1;
    }
#define REF_PRINT(field) printf("%-13s %llu\n", #field, (unsigned long long)c.field);
    REF_COUNTERS(REF_PRINT)
#undef REF_PRINT
    return 0;
}
