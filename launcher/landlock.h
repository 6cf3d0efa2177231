/* Landlock filesystem rules (--landlock, --landlock-ro PATH, --landlock-rw PATH).
 *
 * The parent asks the kernel for its Landlock ABI version and works out which access rights
 * that ABI knows (landlock_prepare): every one of them is handled, so whatever no rule grants
 * is denied. A kernel without Landlock is an error, never an unrestricted run. The setup child,
 * after pivot_root and no_new_privs and before seccomp and exec, opens each path O_PATH inside
 * the new root, adds one rule per path and restricts itself (landlock_apply): only syscalls.
 *   ro: read files, list directories, execute.   rw: every right the ABI knows. */
#ifndef LAUNCHER_LANDLOCK_H
#define LAUNCHER_LANDLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "spec.h"

struct landlock_plan {
	bool on;
	int abi;	      /* the kernel's Landlock ABI version */
	uint64_t handled;     /* LANDLOCK_ACCESS_FS_* rights of that ABI */
	uint64_t ro, rw;      /* rights granted by --landlock-ro / --landlock-rw */
	uint64_t file_rights; /* the subset that applies to a file that is not a directory */
};

/* The kernel's Landlock ABI version (>= 1), or -errno (-ENOSYS, -EOPNOTSUPP: no Landlock). */
int landlock_abi(void);
/* Every access right ABI version `abi` knows (0 when abi < 1). */
uint64_t landlock_rights(int abi);
/* Fill pl for s (pl->on false when s asks for no Landlock). Fails when the kernel has no
 * Landlock: "--landlock-ro /usr: Landlock is not supported by this kernel". */
int landlock_prepare(const struct sandbox_spec *s, struct landlock_plan *pl, struct err *e);
/* In the setup child: build the ruleset from s's paths and restrict this process. Needs
 * no_new_privs. Safe after fork: syscalls and err_set only. */
int landlock_apply(const struct sandbox_spec *s, const struct landlock_plan *pl, struct err *e);

#endif
