/* Opening the files a user names: scenarios, traces, themes.
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

#endif
