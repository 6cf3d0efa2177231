/* uid/gid maps of a user namespace. Safe after fork (no malloc, no stdio): the parent writes
 * the maps of the sandbox's first user namespace, and the setup child writes those of the
 * nested one it may create (see sandbox.c). */
#ifndef LAUNCHER_USERNS_H
#define LAUNCHER_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

struct userns_map {
	uid_t uid_inside, uid_outside; /* one-id extents: "inside outside 1" */
	gid_t gid_inside, gid_outside;
	bool deny_setgroups; /* write "deny" to setgroups first (required when unprivileged) */
};

/* Write the maps of process `pid` (0: the calling process) through proc_fd, an fd of a /proc
 * mount (the host's, opened before pivot_root). */
int userns_write_maps(int proc_fd, pid_t pid, const struct userns_map *m, struct err *e);

/* The message for a refused user namespace (EPERM/EACCES/ENOSPC from clone or unshare). */
int userns_refused(int code, struct err *e);

#endif
