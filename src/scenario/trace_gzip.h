/* Gzip-compressed traces: a trace file that starts with gzip's magic bytes
 * is read through zlib, so that a long captured trace (vmviz capture writes
 * them compressed) takes a tenth of the space. Offsets, lines and columns
 * are those of the uncompressed text. */
#ifndef VMVIZ_SCENARIO_TRACE_GZIP_H
#define VMVIZ_SCENARIO_TRACE_GZIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

/* Looks at the first bytes of fp (open, at any position): 1 with *out a
 * zlib reader of the file from its start when they are gzip's magic, 0 with
 * *out NULL and fp at its start when they are not, -1 when the file cannot
 * be read or memory runs out. fp stays open and owned by the caller; *out
 * reads a duplicate of its descriptor and must be closed with
 * trace_gzip_close. */
int trace_gzip_open(FILE *fp, gzFile *out);

/* Reads up to len uncompressed bytes into buf: how many (0 at the end), or
 * -1 on corrupt or cut data, with *why set to zlib's static message. */
long trace_gzip_read(gzFile gz, char *buf, size_t len, const char **why);

/* Moves to uncompressed offset (forward by decompressing, backward by
 * starting again from the file's start): 0, or -1. */
int trace_gzip_seek(gzFile gz, int64_t offset);

/* Closes the reader; NULL is a no-op. */
void trace_gzip_close(gzFile gz);

#endif
