/* libFuzzer target: any bytes as a command line (words split at NUL and
 * newline bytes) for `vmviz run`, `vmviz check` or `vmviz compare`,
 * chosen by the first byte. The program's own main (built with main renamed) must return 0,
 * 1 or 2, never crash or hang; its output goes to /dev/null. Scenario
 * words name files that do not exist here, so nothing long runs. Built and
 * run by `make fuzz`. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vmviz_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 2048)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[MAX_WORDS + 3];
    int argc = 0;
    argv[argc++] = "vmviz";
    static const char *const commands[] = {"run", "check", "compare"};
    argv[argc++] = (char *)commands[data[0] % 3];
    char *word = text;
    for (size_t i = 0; i + 1 < size && argc < MAX_WORDS + 2; i++)
        if (text[i] == '\0' || text[i] == '\n') {
            text[i] = '\0';
            argv[argc++] = word;
            word = text + i + 1;
        }
    if (argc < MAX_WORDS + 2)
        argv[argc++] = word;
    argv[argc] = NULL;
    /* The program writes its output and errors: keep them out of the way. */
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    int status = vmviz_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    close(null);
    free(text);
    if (status < 0 || status > 2)
        __builtin_trap();
    return 0;
}
