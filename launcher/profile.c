/* Built-in profiles (docs/cordon.1, PROFILES): ops and namespaces added to the spec at the
 * position of --profile (or first, for a policy's "profile").
 *
 * minimal:
 *   --ro-bind /usr /usr; then /bin /lib /lib64 /sbin as the host has them: a symlink becomes
 *   --symlink with the same link text, a directory becomes --ro-bind, a missing one nothing;
 *   --proc /proc --dev /dev --tmpfs /tmp; --unshare-user --unshare-pid --unshare-ipc
 *   --unshare-uts --unshare-net --unshare-cgroup-try; --die-with-parent --new-session.
 *   A user namespace is requested even for root: root in the sandbox is then root only over
 *   the sandbox's own namespaces, never over the host.
 *   cgroup uses the -try form (as --unshare-all does) so kernels without it still work.
 * shell:
 *   minimal without --new-session (setsid would take job control away from an interactive
 *   shell; TIOCSTI/TIOCLINUX injection is blocked by seccomp either way), plus the cwd
 *   read-write (--bind CWD CWD, --chdir CWD) and $HOME read-only (--ro-bind HOME HOME, only
 *   when HOME is set, is an existing directory other than "/" and is not the cwd). When one of
 *   the two contains the other, the outer one is bound first so the inner one stays visible
 *   with its own mode. A cwd of "/" is refused: it would hand the whole host out read-write.
 *   No environment changes.
 *
 * Error messages do not repeat the profile name; callers prefix it ("--profile foo: ..."). */
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"

static int add_path_op(struct sandbox_spec *s, enum op_type type, const char *option,
		       unsigned flags, const char *src, const char *dest, struct err *e)
{
	struct op *o = spec_add_op(s, type, option, e);
	if (!o)
		return -1;
	o->flags = flags;
	o->dest = strdup(dest);
	o->src = src ? strdup(src) : NULL;
	if (!o->dest || (src && !o->src))
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

/* /bin, /lib, /lib64, /sbin as the host has them (usr-merged: symlinks into /usr). */
static int add_root_dir(struct sandbox_spec *s, const char *path, struct err *e)
{
	struct stat st;
	char target[PATH_MAX];
	ssize_t n;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_set(e, errno, "%s", path);
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return err_set(e, errno, "%s", path);
		target[n] = '\0';
		return add_path_op(s, OP_SYMLINK, "--symlink", 0, target, path, e);
	}
	if (S_ISDIR(st.st_mode))
		return add_path_op(s, OP_BIND, "--ro-bind", OPF_RO, path, path, e);
	return 0;
}

static int apply_minimal(struct sandbox_spec *s, struct err *e)
{
	static const char *const root_dirs[] = { "/bin", "/lib", "/lib64", "/sbin" };
	static const struct {
		enum op_type type;
		const char *option, *dest;
	} mounts[] = {
		{ OP_PROC, "--proc", "/proc" },
		{ OP_DEV, "--dev", "/dev" },
		{ OP_TMPFS, "--tmpfs", "/tmp" },
	};

	if (add_path_op(s, OP_BIND, "--ro-bind", OPF_RO, "/usr", "/usr", e) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(root_dirs); i++)
		if (add_root_dir(s, root_dirs[i], e) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		const char *dest = mounts[i].dest;
		if (add_path_op(s, mounts[i].type, mounts[i].option, 0, NULL, dest, e) < 0)
			return -1;
	}
	s->ns |= CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
	s->cgroup_try = true;
	s->die_with_parent = true;
	s->new_session = true;
	return 0;
}

/* true if `inner` is `outer` or below it */
static bool path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

static int apply_shell(struct sandbox_spec *s, struct err *e)
{
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	_cleanup_free_ char *home_real = NULL;
	const char *home = getenv("HOME");
	struct stat st;
	bool with_home, cwd_first;

	if (!cwd)
		return err_set(e, errno, "getcwd");
	if (strcmp(cwd, "/") == 0)
		return err_setx(e, "the current directory is /: refusing to bind the whole host "
				   "read-write (cd somewhere else)");
	if (apply_minimal(s, e) < 0)
		return -1;
	s->new_session = false;

	with_home = home && home[0] == '/' && stat(home, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (home_real = realpath(home, NULL)) != NULL && strcmp(home_real, "/") != 0 &&
		    strcmp(home_real, cwd) != 0;
	/* bind the outer directory first, or it would hide the inner one */
	cwd_first = with_home && path_within(home_real, cwd);
	if (cwd_first && add_path_op(s, OP_BIND, "--bind", 0, cwd, cwd, e) < 0)
		return -1;
	if (with_home && add_path_op(s, OP_BIND, "--ro-bind", OPF_RO, home, home, e) < 0)
		return -1;
	if (!cwd_first && add_path_op(s, OP_BIND, "--bind", 0, cwd, cwd, e) < 0)
		return -1;
	free(s->chdir);
	s->chdir = steal_ptr(cwd);
	return 0;
}

static const struct {
	const char *name;
	int (*apply)(struct sandbox_spec *s, struct err *e);
} profiles[] = {
	{ "minimal", apply_minimal },
	{ "shell", apply_shell },
};

/* "unknown profile (minimal, shell)" */
static int unknown_profile(struct err *e)
{
	char names[128] = "";
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++) {
		if (i)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, profiles[i].name, sizeof(names) - strlen(names) - 1);
	}
	return err_setx(e, "unknown profile (%s)", names);
}

int profile_apply(struct sandbox_spec *s, const char *name, struct err *e)
{
	char *dup;
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++) {
		if (strcmp(profiles[i].name, name) != 0)
			continue;
		dup = strdup(name);
		if (!dup)
			return err_set(e, ENOMEM, "out of memory");
		free(s->profile);
		s->profile = dup;
		return profiles[i].apply(s, e);
	}
	return unknown_profile(e);
}

void profile_list(FILE *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		fprintf(f, "%s\n", profiles[i].name);
}
