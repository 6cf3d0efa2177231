/* Reading a whole file descriptor (--args, --seccomp programs, policy data). Not safe after
 * fork (allocates). */
#ifndef COMMON_FDIO_H
#define COMMON_FDIO_H

#include <stddef.h>

/* Read fd to EOF into a malloc'd buffer, NUL-terminated (the NUL is not counted in *len).
 * Returns 0, or -errno: -E2BIG when more than `max` bytes arrive, -ENOMEM. */
int fd_read_all(int fd, size_t max, char **out, size_t *len);

#endif
