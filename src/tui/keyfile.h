#ifndef VMVIZ_TUI_KEYFILE_H
#define VMVIZ_TUI_KEYFILE_H
/* Key files: the keys of a scripted demo, played by `vmviz --keys FILE`
 * as if typed, each after a delay.
 *
 *   # the first fault, then three steps        a comment, to the line's end
 *   f @2s l l l                                 keys, and a delay before one
 *   <PgDn> <Right> @1.5s <Space>                special keys by name
 *   @500ms q                                    quit (the viewer then ends)
 *
 * Words are separated by blanks. A key is one printable ASCII character
 * or a name in angle brackets as keys_parse_script reads it (<Space>,
 * <Tab>, <Enter>, <Esc>, <Right>, <Left>, <Up>, <Down>, <PgDn>, <PgUp>,
 * <Home>, <End>, <BkSp>, <F5>, <S-F5>, <C-l> and the other Ctrl letters,
 * <lt> and <gt> for < and >). A word starting with '#' starts a comment.
 * A word @N ms or @N s (such as @500ms, @2s, @1.5s; at most an hour) is
 * the pause before the next key, instead of KEYFILE_DEFAULT_DELAY_MS;
 * several in a row add up. A pause after the last key does nothing. */
#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/* The pause before a key no @ word precedes: long enough to see what the
 * key before it did. */
#define KEYFILE_DEFAULT_DELAY_MS 500
/* The longest pause one key may have. */
#define KEYFILE_MAX_DELAY_MS (60u * 60u * 1000u)
/* The most keys and bytes a key file may have. */
#define KEYFILE_MAX_KEYS 100000
#define KEYFILE_MAX_BYTES (1024 * 1024)

struct keyfile_key {
    int key;                /* a curses key code, as term_read_key returns it */
    unsigned delay_ms;      /* the pause between the key before (or the start) and it */
    unsigned line, col;     /* where the file names it */
};

struct keyfile {
    struct keyfile_key *keys;   /* owned; NULL when empty */
    size_t count;
};

/* Reads the key file at path (a regular file). false with err set to
 * FILE:LINE:COLUMN: error: ... (the first bad word) or to why the file
 * cannot be read; *kf is then empty. */
bool keyfile_load(struct keyfile *kf, const char *path, struct diag *err);
/* The same for the text of len bytes (which may hold NULs); name is the
 * file's name for messages. */
bool keyfile_parse(struct keyfile *kf, const char *name, const char *text, size_t len,
                   struct diag *err);
/* Frees the keys; kf is empty after. */
void keyfile_free(struct keyfile *kf);

#endif
