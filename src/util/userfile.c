/* Opening the files a user names: see userfile.h. */
#include "util/userfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a file that is not regular is, for the message. */
static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "not a regular file";   /* whatever else a system may have */
}

FILE *userfile_open(const char *path, const char *what, struct diag *err)
{
    /* O_NONBLOCK: opening a FIFO for reading returns at once instead of
     * waiting for a writer. O_NOCTTY: a terminal device never becomes the
     * controlling terminal by being named here. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;

    if (fd < 0) {
        diag_set(err, path, 0, 0, "cannot read %s: %s (expected a readable file)", what,
                 strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        diag_set(err, path, 0, 0, "cannot read %s: %s (expected a readable file)", what,
                 strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        const char *kind = kind_of(st.st_mode);
        diag_set(err, path, 0, 0, "cannot read %s: it is %s (expected a regular file)", what,
                 kind);
        close(fd);
        return NULL;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        diag_set(err, path, 0, 0, "cannot read %s: %s (expected a readable file)", what,
                 strerror(errno));
        close(fd);
        return NULL;
    }
    FILE *fp = fdopen(fd, "rb");
    if (fp == NULL) {
        diag_set(err, path, 0, 0, "cannot read %s: %s (expected a readable file)", what,
                 strerror(errno));
        close(fd);
    }
    return fp;
}

char *userfile_read(const char *path, const char *what, size_t max, size_t *len,
                    struct diag *err)
{
    FILE *fp = userfile_open(path, what, err);
    if (!fp)
        return NULL;
    /* One byte past the limit tells a file of exactly max bytes from a
     * longer one. */
    char *text = malloc(max + 2);
    if (!text) {
        fclose(fp);
        diag_set(err, path, 0, 0, "out of memory reading %s (expected a smaller file)", what);
        return NULL;
    }
    size_t got = fread(text, 1, max + 1, fp);
    bool failed = ferror(fp) != 0;
    fclose(fp);
    if (failed || got > max) {
        if (failed)
            diag_set(err, path, 0, 0, "cannot read %s: read error (expected a readable file)",
                     what);
        else
            diag_set(err, path, 0, 0, "%s is larger than %zu bytes (expected a smaller file)",
                     what, max);
        free(text);
        return NULL;
    }
    text[got] = '\0';
    *len = got;
    return text;
}
