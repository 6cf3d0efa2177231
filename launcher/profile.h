/* Built-in profiles: named, ready-made sets of ops and namespaces (docs/cordon.1, PROFILES).
 *   minimal: read-only /usr, /bin /lib /lib64 /sbin as the host has them (symlinks into /usr or
 *            read-only binds), /proc, a minimal /dev, a tmpfs /tmp, and new user, pid, ipc,
 *            uts, net and cgroup namespaces.
 *   shell:   minimal + the caller's cwd read-write (and --chdir to it) + $HOME read-only.
 * Profile ops come before any op given on the command line after it. */
#ifndef LAUNCHER_PROFILE_H
#define LAUNCHER_PROFILE_H

#include <stdio.h>

#include "spec.h"

/* Not for use after fork (allocates, reads the cwd and $HOME). */
int profile_apply(struct sandbox_spec *s, const char *name, struct err *e);
/* Names of the built-in profiles, one per line, to f. */
void profile_list(FILE *f);

#endif
