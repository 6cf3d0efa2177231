/* The new root: an empty tmpfs, the spec's filesystem ops applied in order, then pivot_root with
 * the old root detached.
 *
 * mounts_prepare() runs in the parent (may allocate); mounts_apply() runs in the setup child,
 * inside the new mount (and user/pid) namespaces, after uid/gid maps are written, and is
 * async-signal-safe: no malloc, no stdio. It makes "/" rslave first so nothing propagates to
 * the host, opens every host source once (O_PATH / open_tree) and mounts through that fd, and
 * resolves every destination inside the new root with openat2(RESOLVE_IN_ROOT) so a symlink in
 * the new root can never reach a host path. On return, cwd and root are the new root. */
#ifndef LAUNCHER_MOUNTS_H
#define LAUNCHER_MOUNTS_H

#include <stdbool.h>

#include "spec.h"

struct mount_plan;

struct mount_ctx {
	bool privileged;		/* real root on the host (no new user namespace) */
	uid_t sandbox_uid, sandbox_gid; /* owner of created files/dirs as seen inside */
};

int mounts_prepare(const struct sandbox_spec *s, const struct mount_ctx *ctx,
		   struct mount_plan **out, struct err *e);
int mounts_apply(const struct mount_plan *p, struct err *e);
void mounts_plan_free(struct mount_plan *p);

#endif
