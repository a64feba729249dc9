/* The seed program with chapter markers: malloc 1 MiB, memset it twice.
 * "vmviz capture -- ./lazy-allocation" records it as lazy-allocation.yaml
 * (see README, "Your own program"). Build it without optimisation, so that
 * the first memset, overwritten by the second, is not removed:
 *
 *     cc -O0 -o lazy-allocation lazy-allocation.c */
#include "vmviz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE (1024 * 1024)

int main(void)
{
    VMVIZ_CHAPTER("malloc");
    unsigned char *buffer = malloc(BUFFER_SIZE);
    if (!buffer)
        return 1;
    VMVIZ_CHAPTER("memset");
    memset(buffer, 0x42, BUFFER_SIZE);
    VMVIZ_CHAPTER("second memset");
    memset(buffer, 0x43, BUFFER_SIZE);
    VMVIZ_CHAPTER("end");
    printf("%d\n", buffer[BUFFER_SIZE - 1]);
    free(buffer);
    return 0;
}
