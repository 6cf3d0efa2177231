/* User and group names as a traced process sees them: its own /etc/passwd and /etc/group
 * (inside its sandbox), read through /proc/PID/root and cached per mount namespace. For the
 * TUI's UI thread only (never the tracer's: reading files there would slow the workload).
 * Not thread-safe. */
#ifndef FORKTOP_IDNAMES_H
#define FORKTOP_IDNAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

struct idnames;

int idnames_new(struct idnames **out, struct err *e);
void idnames_free(struct idnames *n);
/* The name of uid `id` (gid with `group`) in the files of mount namespace `mntns`, reading
 * them through live process pid the first time (pid <= 0: only what is cached). NULL when
 * unknown: no such entry, no file, or the namespace cannot be read (retried later). */
const char *idnames_get(struct idnames *n, uint64_t mntns, pid_t pid, bool group, uint32_t id);

#endif
