/* Gzip-compressed traces: see trace_gzip.h. */
#include "scenario/trace_gzip.h"

/* Compressed bytes zlib reads from the file at a time. */
#define TRACE_GZIP_BUFFER (128 * 1024)

#include <string.h>
#include <sys/types.h>
#include <unistd.h>

int trace_gzip_open(FILE *fp, gzFile *out)
{
    unsigned char magic[2];
    *out = NULL;
    size_t got = fread(magic, 1, sizeof magic, fp);
    if (ferror(fp) || fseeko(fp, 0, SEEK_SET) != 0)
        return -1;
    if (got < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
        return 0;
    /* zlib reads from the descriptor's own offset, which fp's buffering
     * has moved: the duplicate starts again at the file's start. */
    int fd = dup(fileno(fp));
    if (fd < 0)
        return -1;
    if (lseek(fd, 0, SEEK_SET) != 0 || (*out = gzdopen(fd, "rb")) == NULL) {
        close(fd);
        return -1;
    }
    /* The reader asks for large blocks: zlib's 8 KiB default would read
     * the file in sixteen times as many system calls. */
    gzbuffer(*out, TRACE_GZIP_BUFFER);
    return 1;
}

/* zlib's message without the "<fd:N>: " it puts before it for a reader
 * opened on a descriptor: the error already names the file. */
static const char *without_descriptor(const char *message)
{
    const char *after = strncmp(message, "<fd:", 4) == 0 ? strstr(message, ">: ") : NULL;
    return after ? after + 3 : message;
}

long trace_gzip_read(gzFile gz, char *buf, size_t len, const char **why)
{
    unsigned chunk = len > 1u << 30 ? 1u << 30 : (unsigned)len;
    int got = gzread(gz, buf, chunk);
    if (got < 0) {
        int code;
        *why = without_descriptor(gzerror(gz, &code));
        return -1;
    }
    /* A stream cut short reads as an end unless zlib is asked. */
    if (got == 0) {
        int code;
        const char *message = gzerror(gz, &code);
        if (code != Z_OK && code != Z_STREAM_END) {
            *why = without_descriptor(message);
            return -1;
        }
    }
    return got;
}

int trace_gzip_seek(gzFile gz, int64_t offset)
{
    gzclearerr(gz);
    return gzseek(gz, (z_off_t)offset, SEEK_SET) == (z_off_t)offset ? 0 : -1;
}

void trace_gzip_close(gzFile gz)
{
    if (gz)
        gzclose(gz);
}
