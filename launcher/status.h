/* --info-fd and --json-status-fd records, formatted byte for byte as bubblewrap writes them:
 *   info:        {\n    "child-pid": N,\n    "mnt-namespace": ID ...\n}\n
 *   json-status: { "child-pid": N, "mnt-namespace": ID ... }\n  then  { "exit-code": N }\n
 * Namespace ids are listed for the namespaces the sandbox created (mnt always), in bwrap's order
 * cgroup ipc mnt net pid uts; the user namespace is not listed (bwrap omits it too).
 * Parent only (allocates). */
#ifndef LAUNCHER_STATUS_H
#define LAUNCHER_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

enum { STATUS_NS_MAX = 6 };

struct status_ns {
	const char *name[STATUS_NS_MAX]; /* "cgroup", "ipc", ... */
	uint64_t id[STATUS_NS_MAX];
	size_t n;
};

/* Inode numbers of /proc/PID/ns/X for the CLONE_NEW* bits in `ns` (plus mnt). A namespace that
 * cannot be read is left out, as bwrap does. */
void status_read_ns(pid_t pid, unsigned long ns, struct status_ns *out);
/* The first record; one_line: the json-status form, else the info-fd form. malloc'd. */
char *status_start_json(pid_t pid, const struct status_ns *ns, bool one_line, struct err *e);
/* { "exit-code": N }\n, malloc'd. */
char *status_exit_json(int exit_code, struct err *e);
/* write(2) all of s to fd. */
int status_write(int fd, const char *option, const char *s, struct err *e);

#endif
