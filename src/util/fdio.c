/* Writing to a file descriptor. See fdio.h. */
#include "util/fdio.h"

#include <errno.h>
#include <unistd.h>

bool fd_write_all(int fd, const void *buf, size_t len)
{
    const char *bytes = buf;
    while (len > 0) {
        ssize_t w = write(fd, bytes, len);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            return false;
        bytes += w;
        len -= (size_t)w;
    }
    return true;
}
