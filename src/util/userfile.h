/* Opening the files a user names: scenarios, traces, themes, key files.
 *
 * Only regular files are read. A FIFO named like a scenario would make a
 * plain fopen wait for a writer forever, a directory or a device would be
 * read as nonsense, so the file is opened without blocking, checked with
 * fstat and refused unless it is a regular file; only then does reading
 * go back to blocking, which a regular file never does for long. */
#ifndef VMVIZ_UTIL_USERFILE_H
#define VMVIZ_UTIL_USERFILE_H

#include <stdio.h>

#include "util/diag.h"

/* Opens path for reading when it is a regular file. Returns the stream, or
 * NULL with *err set (file: path, no position) to
 *   "cannot read WHAT: REASON (expected a readable file)"      or
 *   "cannot read WHAT: it is a KIND (expected a regular file)"
 * where WHAT names the file for the reader ("the scenario", "trace 'x'")
 * and KIND is directory, FIFO, socket, character device or block device. */
FILE *userfile_open(const char *path, const char *what, struct diag *err);

/* Reads the whole of the regular file at path, at most max bytes, into a
 * new buffer (with a NUL after the *len bytes read; the caller frees it).
 * NULL with *err set as userfile_open does, or to "WHAT is larger than MAX
 * bytes (expected a smaller file)", "cannot read WHAT: read error
 * (expected a readable file)" or "out of memory reading WHAT (...)". */
char *userfile_read(const char *path, const char *what, size_t max, size_t *len,
                    struct diag *err);

#endif
