/* --check: compare what the injected command got with what the target has, field by field:
 * /proc/PID/status (Uid Gid CapEff CapPrm CapBnd CapAmb Seccomp Seccomp_filters NoNewPrivs),
 * the namespace links, root and cwd. The command is started exactly as cordon-enter starts it
 * (hijack or join), stopped right after its execve succeeded (its permissions are then final:
 * execve recomputes capabilities), read, and killed.
 * Not safe after fork. */
#ifndef FORKTOP_ENTER_CHECK_H
#define FORKTOP_ENTER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"

#define ENTER_FIELDS 24

/* One process's values, as display strings (whitespace normalised). */
struct enter_snap {
	char val[ENTER_FIELDS][96];
	size_t n;
};

struct enter_row {
	const char *name;
	char target[96];
	char command[96];
	bool equal;
};

struct enter_table {
	struct enter_row rows[ENTER_FIELDS];
	size_t n, nequal;
	char path[256]; /* the executable the command ran */
};

/* Field names, in table order; *n gets the count. */
const char *const *enter_field_names(size_t *n);
/* Read pid's values (a process that may be in other namespaces: only /proc of ours). */
int enter_snapshot(pid_t pid, struct enter_snap *s, struct err *e);
/* Fill t from two snapshots. */
void enter_compare(const struct enter_snap *target, const struct enter_snap *cmd,
		   struct enter_table *t);
/* Start the command for target pid (hijack or join), snapshot both, kill the command. */
int enter_check_run(pid_t pid, bool hijack, bool force, const char *const *paths, char *const *envp,
		    struct enter_table *t, struct err *e);

#endif
