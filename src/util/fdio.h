#ifndef VMVIZ_UTIL_FDIO_H
#define VMVIZ_UTIL_FDIO_H
/* Writing to a file descriptor without stdio: for the terminal's bytes
 * passed through as they come and for what a worker process sends back
 * through its pipe, where a short write or an interruption must not lose
 * anything. */
#include <stdbool.h>
#include <stddef.h>

/* Writes all len bytes of buf to fd, going on after an interruption
 * (EINTR) or a full non-blocking descriptor (EAGAIN); false when the
 * descriptor refuses them (the reader went away). */
bool fd_write_all(int fd, const void *buf, size_t len);

#endif
