/* The sandbox specification: everything cordon (or forktop) was asked to build.
 *
 * Filled by the option parser (options.c), by a JSON policy (policy.c) or by a profile
 * (profile.c); printed back as JSON by policy.c (--print-policy); executed by sandbox.c, which
 * walks `ops` in order through mounts.c. The spec owns every string and array it points to
 * (spec_free releases them). Read-only after parsing, so it is safe to read after fork. */
#ifndef LAUNCHER_SPEC_H
#define LAUNCHER_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

/* Filesystem operations, executed in argument order inside the new root.
 * No `default:` in a switch over this enum: -Wswitch-enum must flag a forgotten op. */
enum op_type {
	OP_BIND,	/* --bind / --ro-bind / --dev-bind (+ -try): src -> dest, flags OPF_* */
	OP_BIND_FD,	/* --bind-fd / --ro-bind-fd: fd -> dest */
	OP_REMOUNT_RO,	/* --remount-ro dest */
	OP_OVERLAY,	/* --overlay rwsrc workdir dest: lower = overlay_srcs */
	OP_TMP_OVERLAY, /* --tmp-overlay dest: lower = overlay_srcs, upper on a tmpfs */
	OP_RO_OVERLAY,	/* --ro-overlay dest: lower = overlay_srcs, read-only */
	OP_PROC,	/* --proc dest */
	OP_DEV,		/* --dev dest */
	OP_TMPFS,	/* --tmpfs dest (size, perms) */
	OP_MQUEUE,	/* --mqueue dest */
	OP_DIR,		/* --dir dest (perms) */
	OP_FILE,	/* --file fd dest (perms) */
	OP_BIND_DATA,	/* --bind-data / --ro-bind-data fd dest (perms, OPF_RO) */
	OP_SYMLINK,	/* --symlink src(target text) dest */
	OP_CHMOD,	/* --chmod octal dest (perms holds the mode) */
};

enum op_flags {
	OPF_RO = 1u << 0,    /* read-only (recursive for binds) */
	OPF_DEV = 1u << 1,   /* keep device nodes usable (no MS_NODEV) */
	OPF_TRY = 1u << 2,   /* a missing source is skipped silently */
	OPF_PERMS = 1u << 3, /* `perms` was given (--perms, or --chmod) */
	OPF_SIZE = 1u << 4,  /* `size` was given (--size) */
};

struct op {
	enum op_type type;
	unsigned flags;
	const char *option; /* option that made it, e.g. "--ro-bind", for messages; static string */
	char *src;	    /* host path (binds, overlay upper), symlink target text */
	char *dest;	    /* path inside the sandbox, absolute */
	char *workdir;	    /* --overlay work dir (host path) */
	char **overlay_srcs; /* lower layers, host paths, in the order given (first is lowest) */
	size_t n_overlay_srcs;
	int fd;	       /* --bind-fd, --file, --bind-data; -1 otherwise */
	mode_t perms;  /* with OPF_PERMS */
	uint64_t size; /* with OPF_SIZE, bytes */
};

enum env_op_type { ENV_SET, ENV_UNSET };
struct env_op {
	enum env_op_type type;
	char *name;
	char *value; /* ENV_SET only */
};

/* Capability changes, applied in order to the default set (bwrap: full set when the caller is
 * privileged / root in the sandbox, empty otherwise). cap == -1 means ALL. */
struct cap_op {
	bool add;
	int cap;
};

/* --rlimit NAME=SOFT[:HARD]: resource is an RLIMIT_* number (rlimits.c has the names);
 * SPEC_RLIM_UNLIMITED stands for "unlimited" (RLIM_INFINITY). */
#define SPEC_RLIM_UNLIMITED UINT64_MAX
struct rlimit_op {
	int resource;
	uint64_t soft, hard;
};

/* Namespace selection: CLONE_NEW* bits (from <sched.h>). */
struct sandbox_spec {
	/* namespaces */
	unsigned long ns;    /* CLONE_NEWUSER|CLONE_NEWNS|... requested; NEWNS is always on */
	bool userns_try;     /* --unshare-user-try */
	bool cgroup_try;     /* --unshare-cgroup-try */
	int userns_fd;	     /* --userns FD, -1 if none */
	int userns2_fd;	     /* --userns2 FD */
	int pidns_fd;	     /* --pidns FD */
	bool disable_userns; /* --disable-userns */
	bool assert_userns_disabled;

	/* identity and environment */
	bool has_uid, has_gid;
	uid_t uid; /* --uid: uid inside the sandbox */
	gid_t gid;
	char *hostname; /* --hostname, needs CLONE_NEWUTS */
	char *chdir;	/* --chdir */
	bool clearenv;
	struct env_op *env; /* --setenv/--unsetenv in order, applied after clearenv */
	size_t n_env;
	char *argv0; /* --argv0 */

	/* filesystem */
	struct op *ops;
	size_t n_ops;

	/* security */
	int seccomp_fd;	      /* --seccomp FD (a compiled BPF program), -1 if none */
	int *add_seccomp_fds; /* --add-seccomp-fd, in order */
	size_t n_add_seccomp_fds;
	struct cap_op *caps;
	size_t n_caps;
	bool new_session;
	char *exec_label;
	char *file_label;

	/* lifecycle */
	char **lock_files;
	size_t n_lock_files;
	int *sync_fds; /* --sync-fd, bwrap keeps only the last one; we keep all */
	size_t n_sync_fds;
	int block_fd; /* -1 if none */
	int userns_block_fd;
	int info_fd;
	int json_status_fd;
	bool die_with_parent;
	bool as_pid_1;
	bool level_prefix;

	/* cordon's own additions */
	char **syscall_deny; /* --deny-syscall NAME: fail these with EPERM (libseccomp rules) */
	size_t n_syscall_deny;
	char *profile;	   /* --profile NAME that was applied, for --print-policy */
	bool print_policy; /* --print-policy: print the spec as JSON and exit */
	bool no_sandbox;   /* forktop --no-sandbox: run the command with no isolation */
	/* internal, set by forktop only (no option, no policy key, not printed): fd 0 becomes
	 * the controlling terminal of a new session led by the command (its console pty) */
	bool ctty;
	/* --net-pasta: the new network namespace reaches the outside through pasta (net.c);
	 * implies CLONE_NEWNET. net_pasta_args: extra pasta options, one word each */
	bool net_pasta;
	char **net_pasta_args;
	size_t n_net_pasta_args;

	/* cordon's limits (rlimits.c, landlock.c) */
	struct rlimit_op *rlimits; /* --rlimit: at most one per resource (a later one replaces) */
	size_t n_rlimits;
	bool landlock;	    /* --landlock (implied by --landlock-ro/-rw): Landlock rules */
	char **landlock_ro; /* --landlock-ro: paths inside the sandbox, read and execute */
	size_t n_landlock_ro;
	char **landlock_rw; /* --landlock-rw: paths inside the sandbox, every access right */
	size_t n_landlock_rw;

	/* the command */
	char **argv; /* NULL-terminated */
	size_t argc;
};

void spec_init(struct sandbox_spec *s);
void spec_free(struct sandbox_spec *s);

/* Append a zeroed op of `type` (fd = -1) and return it; the caller fills it. */
struct op *spec_add_op(struct sandbox_spec *s, enum op_type type, const char *option,
		       struct err *e);
int spec_add_env(struct sandbox_spec *s, enum env_op_type type, const char *name, const char *value,
		 struct err *e);
int spec_add_fd(int **arr, size_t *n, int fd, struct err *e);
int spec_add_str(char ***arr, size_t *n, const char *str, struct err *e);

/* Every fd the spec names (so the launcher can keep exactly those open across exec). Fills
 * out[] up to max entries, returns the count (possibly > max). */
size_t spec_fds(const struct sandbox_spec *s, int *out, size_t max);

/* Name of an op type as used in policy JSON, e.g. "bind", "tmp-overlay". */
const char *op_type_name(enum op_type t);

/* Text rules shared by the command line and policy files, so that both accept exactly the
 * same values. The parsers return 0, or -1 when the text is not valid.
 *   spec_parse_mode: octal digits only, at most 07777 (--perms, --chmod, "perms").
 *   spec_parse_cap:  "ALL" (*cap = -1) or a capability name in any case, with or without the
 *                    CAP_ prefix; never a number (--cap-add/--cap-drop, "caps").
 *   spec_dest_dup:   a destination inside the sandbox, malloc'd; "a/b" is taken as "/a/b",
 *                    as bubblewrap does. NULL when out of memory. */
int spec_parse_mode(const char *str, mode_t *out);
int spec_parse_cap(const char *name, int *cap);
char *spec_dest_dup(const char *dest);

#endif
