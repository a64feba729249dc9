/* castcat: checks an asciicast v2 file and prints what its "o" events
 * sent the terminal, one after the other, so that a shell test can replay
 * a recording into a terminal of the same size and read the screen back.
 *
 *   castcat FILE       the bytes of every "o" event, in order
 *   castcat -i FILE    one line instead: WIDTHxHEIGHT OUTPUTS RESIZES
 *
 * Exit status 0, or 1 with "FILE: line N: what" on stderr when the file
 * is not a valid cast (cast_check.h), 2 when it cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cast_check.h"

static void print_output(void *ctx, const char *bytes, size_t len)
{
    fwrite(bytes, 1, len, ctx);
}

int main(int argc, char **argv)
{
    bool info_only = argc == 3 && strcmp(argv[1], "-i") == 0;
    if (argc != 2 && !info_only) {
        fprintf(stderr, "usage: castcat [-i] FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 2;
    }
    size_t cap = 1 << 16, len = 0, got;
    char *text = malloc(cap);
    while (text && (got = fread(text + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            char *grown = realloc(text, cap * 2);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!text) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 2;
    }
    struct cast_info info;
    char why[256];
    bool ok = cast_check(text, len, &info, info_only ? NULL : print_output, stdout, why,
                         sizeof why);
    free(text);
    if (!ok) {
        fprintf(stderr, "%s: %s\n", path, why);
        return 1;
    }
    if (info_only)
        printf("%lldx%lld %lu %lu\n", info.width, info.height, info.outputs, info.resizes);
    return fflush(stdout) == 0 ? 0 : 2;
}
