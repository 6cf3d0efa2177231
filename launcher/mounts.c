#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "fsutil.h"

/* Layout during setup (all inside the sandbox's private mount namespace):
 *
 *   /            the "stage": a private tmpfs, our root until the end
 *   /oldroot     the host's root; host paths are resolved here with RESOLVE_IN_ROOT, so an
 *                absolute symlink on the host means what it means on the host
 *   /newroot     the new root (an empty tmpfs) with every op applied below it
 *   /bindfile-N, /tmp-overlay-{upper,work}-N  scratch for --bind-data and --tmp-overlay
 *
 * Each op resolves its destination from a fresh fd of the topmost mount at /newroot, so
 * "--bind / /" followed by "--dir /x" creates /x in the bind, like bwrap. At the end the
 * topmost mount at /newroot becomes the root (pivot_root) and the stage, with the host
 * below it, is detached. */

#define STAGE_OLDROOT "oldroot"
#define STAGE_NEWROOT "newroot"
#define OLDROOT_PROC "/oldroot/proc"

struct mount_plan {
	const struct sandbox_spec *spec;
	bool privileged;
	uid_t uid; /* owner of everything created, as the setup child sees ids */
	gid_t gid;
	bool own_proc;		/* fresh procfs: the sandbox has its own (or a given) pid ns */
	const char *file_label; /* --file-label: context= for tmpfs mounts */
	char tty[256];		/* stdout's tty for /dev/console (bwrap does the same), or "" */
};

/* State of one mounts_apply() run; lives on the setup child's stack. */
struct apply {
	const struct mount_plan *p;
	int stage;   /* root of the stage tmpfs */
	int oldroot; /* the host's root */
	int root;    /* the topmost mount at /newroot, fresh for each op */
	unsigned scratch;
	struct err *e;
};

/* ---- messages ---------------------------------------------------------------------- */

static void op_describe(const struct op *op, char *buf, size_t size)
{
	char opt[32];
	const char *o = op->option;
	const char *dest = op->dest ? op->dest : "";

	if (!o) {
		snprintf(opt, sizeof(opt), "--%s", op_type_name(op->type));
		o = opt;
	}
	switch (op->type) {
	case OP_BIND:
	case OP_SYMLINK:
		snprintf(buf, size, "%s %s %s", o, op->src ? op->src : "", dest);
		return;
	case OP_BIND_FD:
	case OP_FILE:
	case OP_BIND_DATA:
		snprintf(buf, size, "%s %d %s", o, op->fd, dest);
		return;
	case OP_OVERLAY:
		snprintf(buf, size, "%s %s %s %s", o, op->src ? op->src : "",
			 op->workdir ? op->workdir : "", dest);
		return;
	case OP_CHMOD:
		snprintf(buf, size, "%s %04o %s", o, (unsigned)op->perms, dest);
		return;
	case OP_REMOUNT_RO:
	case OP_TMP_OVERLAY:
	case OP_RO_OVERLAY:
	case OP_PROC:
	case OP_DEV:
	case OP_TMPFS:
	case OP_MQUEUE:
	case OP_DIR:
		snprintf(buf, size, "%s %s", o, dest);
		return;
	}
	snprintf(buf, size, "%s %s", o, dest);
}

/* "OPTION ARGS: WHAT: strerror(code)", or without WHAT when it is NULL. Returns -1. */
static int fail(struct apply *a, const struct op *op, int code, const char *what)
{
	char d[400];

	op_describe(op, d, sizeof(d));
	if (what)
		return err_set(a->e, code, "%s: %s", d, what);
	return err_set(a->e, code, "%s", d);
}

/* ---- mount API helpers (all return -1 with errno set) ---------------------------------- */

/* A detached mount of a new filesystem: kv is key, value pairs ending with a NULL key; a NULL
 * value sets a flag. */
static int fs_new(const char *type, const char *const *kv, unsigned attrs)
{
	_cleanup_close_ int fs = fsopen(type, FSOPEN_CLOEXEC);

	if (fs < 0)
		return -1;
	/* what mount(2) would show as the source, as bwrap's mounts do */
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", type, 0) < 0)
		return -1;
	for (size_t i = 0; kv && kv[i]; i += 2) {
		unsigned cmd = kv[i + 1] ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG;
		if (fsconfig(fs, cmd, kv[i], kv[i + 1], 0) < 0)
			return -1;
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fs, FSMOUNT_CLOEXEC, attrs);
}

static int set_attr(int mnt, unsigned long long set, bool recursive)
{
	struct mount_attr attr = { .attr_set = set };

	return mount_setattr(mnt, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			     sizeof(attr));
}

/* A detached recursive copy of the mount tree at the object `fd` refers to. */
static int clone_tree(int fd, const char *name)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;

	return open_tree(fd, name, name[0] ? AT_SYMLINK_NOFOLLOW | flags : AT_EMPTY_PATH | flags);
}

static int move_onto(int mnt, int target)
{
	return move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* ---- op helpers ---------------------------------------------------------------------- */

/* bwrap: parents of a destination are 0755, minus group/other access that --perms denies. */
static mode_t parent_mode(const struct op *op)
{
	mode_t m = 0755;

	if (op->flags & OPF_PERMS) {
		if ((op->perms & 0070) == 0)
			m &= ~(mode_t)0050;
		if ((op->perms & 0007) == 0)
			m &= ~(mode_t)0005;
	}
	return m;
}

static mode_t perms_or(const struct op *op, mode_t dflt)
{
	return (op->flags & OPF_PERMS) ? op->perms : dflt;
}

static int ensure_dest_dir(struct apply *a, const struct op *op)
{
	if (fs_ensure_dir(a->root, op->dest, parent_mode(op), 0755) < 0)
		return fail(a, op, errno, "destination");
	return 0;
}

/* Mount the detached mount `mnt` on the op's destination, resolved inside the new root. */
static int attach(struct apply *a, const struct op *op, int mnt, bool dir)
{
	_cleanup_close_ int t =
		fs_open_in_root(a->root, op->dest, O_PATH | (dir ? O_DIRECTORY : 0), 0);

	if (t < 0)
		return fail(a, op, errno, "destination");
	if (move_onto(mnt, t) < 0)
		return fail(a, op, errno, "mount");
	return 0;
}

/* Bind the host object `src` (an O_PATH fd) on the destination, creating it as a file or a
 * directory to match. */
static int bind_from(struct apply *a, const struct op *op, int src, bool ro, bool dev)
{
	_cleanup_close_ int mnt = -1;
	unsigned long long attrs = MOUNT_ATTR_NOSUID | (dev ? 0 : MOUNT_ATTR_NODEV) |
				   (ro ? MOUNT_ATTR_RDONLY : 0);
	struct stat st;
	int r;

	if (fstat(src, &st) < 0)
		return fail(a, op, errno, NULL);
	mnt = clone_tree(src, "");
	if (mnt < 0)
		return fail(a, op, errno, "bind");
	if (set_attr(mnt, attrs, true) < 0)
		return fail(a, op, errno, "mount flags");
	if (S_ISDIR(st.st_mode))
		r = fs_ensure_dir(a->root, op->dest, parent_mode(op), 0755);
	else
		r = fs_ensure_file(a->root, op->dest, parent_mode(op), 0444);
	if (r < 0)
		return fail(a, op, errno, "destination");
	return attach(a, op, mnt, S_ISDIR(st.st_mode));
}

/* Open a host path as bwrap sees it (host symlinks followed, relative to the host root). */
static int open_host(struct apply *a, const char *path, int flags)
{
	return fs_openat2(a->oldroot, path, O_PATH | flags, 0, false);
}

static int op_bind(struct apply *a, const struct op *op)
{
	_cleanup_close_ int src = open_host(a, op->src, 0);

	if (src < 0) {
		if (errno == ENOENT && (op->flags & OPF_TRY))
			return 0;
		return fail(a, op, errno, NULL);
	}
	return bind_from(a, op, src, op->flags & OPF_RO, op->flags & OPF_DEV);
}

/* The fd was opened in the caller's mount namespace, whose mounts cannot be cloned from
 * here; find the same object in our copy of the host tree through its path, and check it is
 * the very inode the fd holds. */
static int op_bind_fd(struct apply *a, const struct op *op)
{
	_cleanup_close_ int src = -1;
	char fd_link[64], num[24], target[FS_PATH_MAX];
	struct stat want, got;
	ssize_t n;

	if (fstat(op->fd, &want) < 0)
		return fail(a, op, errno, NULL);
	fs_fmt_u64(num, (unsigned)op->fd);
	if (fs_join(fd_link, sizeof(fd_link), OLDROOT_PROC "/self/fd/", num) < 0)
		return fail(a, op, errno, NULL);
	n = readlink(fd_link, target, sizeof(target) - 1);
	if (n < 0)
		return fail(a, op, errno, "resolving the fd");
	target[n] = '\0';
	src = open_host(a, target, 0);
	if (src < 0 || fstat(src, &got) < 0)
		return fail(a, op, errno, target);
	if (got.st_dev != want.st_dev || got.st_ino != want.st_ino)
		return fail(a, op, EXDEV, "the fd's path now names another file");
	return bind_from(a, op, src, op->flags & OPF_RO, op->flags & OPF_DEV);
}

static int op_remount_ro(struct apply *a, const struct op *op)
{
	_cleanup_close_ int t = fs_open_in_root(a->root, op->dest, O_PATH, 0);

	if (t < 0)
		return fail(a, op, errno, NULL);
	if (set_attr(t, MOUNT_ATTR_RDONLY, false) < 0)
		return fail(a, op, errno, errno == EINVAL ? "not a mount point" : "remount");
	return 0;
}

/* An overlay layer by fd (Linux 6.13); older kernels take the fd's /proc path as a string. */
static int ovl_layer(int fs, const char *key, int fd)
{
	char path[64], num[24];

	if (fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	fs_fmt_u64(num, (unsigned)fd);
	if (fs_join(path, sizeof(path), OLDROOT_PROC "/self/fd/", num) < 0)
		return -1;
	return fsconfig(fs, FSCONFIG_SET_STRING, key, path, 0);
}

static int ovl_host_layer(struct apply *a, const struct op *op, int fs, const char *key,
			  const char *path)
{
	_cleanup_close_ int fd = open_host(a, path, O_DIRECTORY);

	if (fd < 0 || ovl_layer(fs, key, fd) < 0)
		return fail(a, op, errno, path);
	return 0;
}

/* --tmp-overlay: upper and work directories in the stage, out of everyone's reach. */
static int ovl_tmp_layers(struct apply *a, const struct op *op, int fs)
{
	static const char *const keys[] = { "upperdir", "workdir" };
	static const char *const prefixes[] = { "tmp-overlay-upper-", "tmp-overlay-work-" };
	char num[24], name[64];
	unsigned idx = a->scratch++;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_close_ int fd = -1;
		if (fs_join(name, sizeof(name), prefixes[i], fs_fmt_u64(num, idx)) < 0 ||
		    mkdirat(a->stage, name, 0755) < 0)
			return fail(a, op, errno, "overlay scratch directory");
		fd = openat(a->stage, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || ovl_layer(fs, keys[i], fd) < 0)
			return fail(a, op, errno, "overlay scratch directory");
	}
	return 0;
}

static int op_overlay(struct apply *a, const struct op *op)
{
	_cleanup_close_ int fs = -1, mnt = -1;
	bool ro = op->type == OP_RO_OVERLAY;

	if (ensure_dest_dir(a, op) < 0)
		return -1;
	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail(a, op, errno, "overlayfs");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		return fail(a, op, errno, "overlayfs");
	/* overlay_srcs is bottom first; lowerdir+ appends from the top down */
	for (size_t i = op->n_overlay_srcs; i-- > 0;)
		if (ovl_host_layer(a, op, fs, "lowerdir+", op->overlay_srcs[i]) < 0)
			return -1;
	if (op->type == OP_OVERLAY) {
		if (ovl_host_layer(a, op, fs, "upperdir", op->src) < 0 ||
		    ovl_host_layer(a, op, fs, "workdir", op->workdir) < 0)
			return -1;
	} else if (op->type == OP_TMP_OVERLAY) {
		if (ovl_tmp_layers(a, op, fs) < 0)
			return -1;
	}
	/* user.* xattrs: works in a user namespace, and bwrap always asks for it */
	if (fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return fail(a, op, errno, "overlayfs");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		if (errno == ELOOP)
			return fail(a, op, 0, "overlay directories may not overlap");
		return fail(a, op, errno, "overlayfs");
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, ro ? MOUNT_ATTR_RDONLY : 0);
	if (mnt < 0)
		return fail(a, op, errno, "overlayfs");
	return attach(a, op, mnt, true);
}

/* Read-only binds over the /proc entries that reach the whole machine (/proc/sysrq-trigger
 * can reboot it). bwrap covers them only when access(W_OK) says they are writable, which
 * procfs never says of /proc/sys itself (so bwrap leaves /proc/sys writable to a real root);
 * we cover every one that exists. */
static int proc_cover(struct apply *a, const struct op *op, int proc)
{
	static const char *const names[] = { "sys", "sysrq-trigger", "irq", "bus" };
	const unsigned long long attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_close_ int mnt = -1, t = -1;
		t = openat(proc, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (t < 0 && errno == ENOENT)
			continue;
		if (t < 0)
			return fail(a, op, errno, names[i]);
		mnt = clone_tree(t, "");
		if (mnt < 0 || set_attr(mnt, attrs, true) < 0 || move_onto(mnt, t) < 0)
			return fail(a, op, errno, names[i]);
	}
	return 0;
}

static int op_proc(struct apply *a, const struct op *op)
{
	_cleanup_close_ int mnt = -1;

	if (ensure_dest_dir(a, op) < 0)
		return -1;
	if (a->p->own_proc) {
		mnt = fs_new("proc", NULL,
			     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	} else {
		/* sharing the host's pid namespace: a new procfs is not allowed in a user
		 * namespace, and would show the same pids anyway; bind the host's */
		_cleanup_close_ int src = open_host(a, "/proc", O_DIRECTORY);
		if (src >= 0)
			mnt = clone_tree(src, "");
		if (mnt >= 0 && set_attr(mnt, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true) < 0) {
			close(mnt);
			mnt = -1;
		}
	}
	if (mnt < 0)
		return fail(a, op, errno, "procfs");
	if (attach(a, op, mnt, true) < 0)
		return -1;
	/* after move_mount, mnt is the root of the attached procfs */
	return proc_cover(a, op, mnt);
}

/* Create an empty file `name` in dir and bind the host's `host_path` (a device) on it. */
static int dev_bind_node(struct apply *a, const struct op *op, int dir, const char *name,
			 const char *host_path)
{
	_cleanup_close_ int src = -1, mnt = -1, t = -1;
	int fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);

	if (fd < 0)
		return fail(a, op, errno, name);
	close(fd);
	src = open_host(a, host_path, 0);
	if (src < 0)
		return fail(a, op, errno, host_path);
	mnt = clone_tree(src, "");
	if (mnt < 0 || set_attr(mnt, MOUNT_ATTR_NOSUID, true) < 0)
		return fail(a, op, errno, host_path);
	t = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (t < 0 || move_onto(mnt, t) < 0)
		return fail(a, op, errno, name);
	return 0;
}

static int dev_links(struct apply *a, const struct op *op, int dev)
{
	/* clang-format off */
	static const char *const links[][2] = {
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
		{ "fd", "/proc/self/fd" },
		{ "core", "/proc/kcore" },
		{ "ptmx", "pts/ptmx" },
	};
	/* clang-format on */

	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0)
			return fail(a, op, errno, links[i][0]);
	return 0;
}

static int dev_pts(struct apply *a, const struct op *op, int dev)
{
	/* key, value pairs (a NULL value is a flag), then a NULL key */
	static const char *const kv[] = {
		"newinstance", NULL, "ptmxmode", "0666", "mode", "620", NULL,
	};
	_cleanup_close_ int mnt = -1, t = -1;

	if (mkdirat(dev, "shm", 0755) < 0)
		return fail(a, op, errno, "shm");
	if (mkdirat(dev, "pts", 0755) < 0)
		return fail(a, op, errno, "pts");
	mnt = fs_new("devpts", kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return fail(a, op, errno, "devpts");
	t = openat(dev, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t < 0 || move_onto(mnt, t) < 0)
		return fail(a, op, errno, "devpts");
	return 0;
}

static int op_dev(struct apply *a, const struct op *op)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	const char *kv[] = { "mode", "0755", NULL, NULL, NULL };
	_cleanup_close_ int mnt = -1;
	char host[64];

	if (ensure_dest_dir(a, op) < 0)
		return -1;
	if (a->p->file_label) {
		kv[2] = "context";
		kv[3] = a->p->file_label;
	}
	mnt = fs_new("tmpfs", kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return fail(a, op, errno, "tmpfs");
	if (attach(a, op, mnt, true) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		if (fs_join(host, sizeof(host), "/dev/", nodes[i]) < 0 ||
		    dev_bind_node(a, op, mnt, nodes[i], host) < 0)
			return -1;
	}
	if (dev_links(a, op, mnt) < 0 || dev_pts(a, op, mnt) < 0)
		return -1;
	/* stdout is a terminal: /dev/console is that terminal, so ttyname() works inside; no
	 * more access than the inherited fd already gives */
	if (a->p->tty[0])
		return dev_bind_node(a, op, mnt, "console", a->p->tty);
	return 0;
}

static int op_tmpfs(struct apply *a, const struct op *op)
{
	const char *kv[7] = { "mode", NULL };
	char mode[32], size[32];
	size_t n = 2;
	_cleanup_close_ int mnt = -1;

	if (ensure_dest_dir(a, op) < 0)
		return -1;
	kv[1] = fs_fmt_oct(mode, perms_or(op, 0755));
	if (op->flags & OPF_SIZE) {
		kv[n++] = "size";
		kv[n++] = fs_fmt_u64(size, op->size);
	}
	if (a->p->file_label) {
		kv[n++] = "context";
		kv[n++] = a->p->file_label;
	}
	kv[n] = NULL;
	mnt = fs_new("tmpfs", kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return fail(a, op, errno, "tmpfs");
	return attach(a, op, mnt, true);
}

static int op_mqueue(struct apply *a, const struct op *op)
{
	_cleanup_close_ int mnt = -1;

	if (ensure_dest_dir(a, op) < 0)
		return -1;
	mnt = fs_new("mqueue", NULL, 0);
	if (mnt < 0)
		return fail(a, op, errno, "mqueue");
	return attach(a, op, mnt, true);
}

static int op_dir(struct apply *a, const struct op *op)
{
	if (fs_ensure_dir(a->root, op->dest, parent_mode(op), perms_or(op, 0755)) < 0)
		return fail(a, op, errno, NULL);
	return 0;
}

static int op_file(struct apply *a, const struct op *op)
{
	char name[FS_NAME_MAX];
	_cleanup_close_ int fd = -1;
	int parent = fs_mkdir_parents(a->root, op->dest, parent_mode(op), name);

	if (parent < 0)
		return fail(a, op, errno, "destination");
	close(parent);
	fd = fs_open_in_root(a->root, op->dest, O_CREAT | O_WRONLY | O_TRUNC | O_NOCTTY,
			     perms_or(op, 0666));
	if (fd < 0)
		return fail(a, op, errno, "destination");
	if (fs_copy_fd(op->fd, fd) < 0)
		return fail(a, op, errno, "copying data");
	return 0;
}

/* The data goes to a file in the stage, which is bound on the destination: like bwrap, the
 * file itself is reachable only through that mount. */
static int op_bind_data(struct apply *a, const struct op *op)
{
	_cleanup_close_ int mnt = -1;
	char name[64], num[24];
	unsigned long long attrs;
	int fd, r;

	if (fs_join(name, sizeof(name), "bindfile-", fs_fmt_u64(num, a->scratch++)) < 0)
		return fail(a, op, errno, NULL);
	fd = openat(a->stage, name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(a, op, errno, "temporary file");
	r = fchmod(fd, perms_or(op, 0600));
	if (r == 0)
		r = fs_copy_fd(op->fd, fd);
	if (r < 0) {
		int saved = errno;
		close(fd);
		return fail(a, op, saved, "copying data");
	}
	close(fd);
	if (fs_ensure_file(a->root, op->dest, parent_mode(op), 0444) < 0)
		return fail(a, op, errno, "destination");
	mnt = clone_tree(a->stage, name);
	attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		((op->flags & OPF_RO) ? MOUNT_ATTR_RDONLY : 0);
	if (mnt < 0 || set_attr(mnt, attrs, true) < 0)
		return fail(a, op, errno, "bind");
	if (attach(a, op, mnt, false) < 0)
		return -1;
	unlinkat(a->stage, name, 0);
	return 0;
}

static int op_symlink(struct apply *a, const struct op *op)
{
	char name[FS_NAME_MAX], have[FS_PATH_MAX], desc[400];
	_cleanup_close_ int parent = fs_mkdir_parents(a->root, op->dest, parent_mode(op), name);
	ssize_t n;

	if (parent < 0)
		return fail(a, op, errno, "destination");
	if (name[0] && symlinkat(op->src, parent, name) == 0)
		return 0;
	if (name[0] && errno != EEXIST)
		return fail(a, op, errno, NULL);
	/* bwrap >= 0.9: an identical existing symlink is fine */
	n = name[0] ? readlinkat(parent, name, have, sizeof(have) - 1) : -1;
	if (n < 0) {
		if (!name[0] || errno == EINVAL)
			return fail(a, op, 0, "destination exists and is not a symlink");
		return fail(a, op, errno, "destination exists");
	}
	have[n] = '\0';
	if (strcmp(have, op->src) == 0)
		return 0;
	op_describe(op, desc, sizeof(desc));
	return err_set(a->e, 0, "%s: existing destination is %s", desc, have);
}

static int op_chmod(struct apply *a, const struct op *op)
{
	_cleanup_close_ int t = fs_open_in_root(a->root, op->dest, O_PATH, 0);

	if (t < 0 || fs_chmod_fd(t, op->perms, OLDROOT_PROC) < 0)
		return fail(a, op, errno, NULL);
	return 0;
}

static int op_apply(struct apply *a, const struct op *op)
{
	switch (op->type) {
	case OP_BIND:
		return op_bind(a, op);
	case OP_BIND_FD:
		return op_bind_fd(a, op);
	case OP_REMOUNT_RO:
		return op_remount_ro(a, op);
	case OP_OVERLAY:
	case OP_TMP_OVERLAY:
	case OP_RO_OVERLAY:
		return op_overlay(a, op);
	case OP_PROC:
		return op_proc(a, op);
	case OP_DEV:
		return op_dev(a, op);
	case OP_TMPFS:
		return op_tmpfs(a, op);
	case OP_MQUEUE:
		return op_mqueue(a, op);
	case OP_DIR:
		return op_dir(a, op);
	case OP_FILE:
		return op_file(a, op);
	case OP_BIND_DATA:
		return op_bind_data(a, op);
	case OP_SYMLINK:
		return op_symlink(a, op);
	case OP_CHMOD:
		return op_chmod(a, op);
	}
	return fail(a, op, EINVAL, "unknown operation");
}

/* ---- entering and leaving the stage ------------------------------------------------ */

static int setup_fail(struct apply *a, const char *what)
{
	return err_set(a->e, errno, "setting up the new root: %s", what);
}

/* Make / a slave (nothing we do propagates to the host), mount the stage tmpfs on top of the
 * host's / and pivot into it, leaving the host at /oldroot; then bind /newroot, an empty 0755
 * directory of the stage, onto itself: the new root. (The same layout as bwrap's, so the new
 * root shows in mountinfo as bwrap's does.) */
static int stage_enter(struct apply *a)
{
	_cleanup_close_ int root = -1;

	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return setup_fail(a, "making / a slave mount");
	a->stage = fs_new("tmpfs", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (a->stage < 0)
		return setup_fail(a, "tmpfs");
	if (move_mount(a->stage, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return setup_fail(a, "mounting the stage");
	if (mkdirat(a->stage, STAGE_OLDROOT, 0755) < 0 ||
	    mkdirat(a->stage, STAGE_NEWROOT, 0755) < 0)
		return setup_fail(a, "mkdir");
	if (fchdir(a->stage) < 0 || syscall(SYS_pivot_root, ".", STAGE_OLDROOT) < 0 ||
	    chdir("/") < 0)
		return setup_fail(a, "pivot_root");
	a->oldroot = openat(a->stage, STAGE_OLDROOT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (a->oldroot < 0)
		return setup_fail(a, "oldroot");
	root = open_tree(a->stage, STAGE_NEWROOT, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (root < 0 || move_mount(root, "", a->stage, STAGE_NEWROOT, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return setup_fail(a, "mounting the new root");
	return 0;
}

/* Pivot into the topmost mount at /newroot; the stage (holding the host's root) ends up
 * stacked on it and is detached whole. Leaves cwd and root at the new root. */
static int stage_leave(struct apply *a)
{
	_cleanup_close_ int root = -1;

	/* lazily unmounting a slave sends nothing to the host, but make sure of it (bwrap) */
	if (mount(NULL, "/" STAGE_OLDROOT, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return setup_fail(a, "making /oldroot private");
	root = openat(a->stage, STAGE_NEWROOT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0 || fchdir(root) < 0)
		return setup_fail(a, "newroot");
	close(a->oldroot);
	a->oldroot = -1;
	close(a->stage);
	a->stage = -1;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return setup_fail(a, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return setup_fail(a, "detaching the old root");
	if (chdir("/") < 0)
		return setup_fail(a, "chdir");
	return 0;
}

static int apply_all(struct apply *a)
{
	const struct sandbox_spec *s = a->p->spec;

	if (stage_enter(a) < 0)
		return -1;
	for (size_t i = 0; i < s->n_ops; i++) {
		int r;
		a->root = openat(a->stage, STAGE_NEWROOT,
				 O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (a->root < 0)
			return setup_fail(a, "newroot");
		r = op_apply(a, &s->ops[i]);
		close(a->root);
		a->root = -1;
		if (r < 0)
			return -1;
	}
	return stage_leave(a);
}

int mounts_apply(const struct mount_plan *p, struct err *e)
{
	struct apply a = { .p = p, .stage = -1, .oldroot = -1, .root = -1, .e = e };
	/* modes are exactly the ones asked for (bwrap: 0666 for --file even under umask 022) */
	mode_t old_umask = umask(0);
	/* New inodes (and tmpfs roots) belong to the fsuid/fsgid: make that the sandbox's
	 * owner when a user-namespace setup child runs as another id. setfsuid() ignores ids
	 * this namespace does not map; with a nested user namespace (setup as 0 outside, which
	 * the inner map shows as the sandbox's id) that keeps 0, which is right. Not for real
	 * root: bwrap creates as root, and another fsuid would lose access to host paths. */
	bool switch_ids = !p->privileged && (geteuid() != p->uid || getegid() != p->gid);
	int old_fsgid = switch_ids ? setfsgid(p->gid) : -1;
	int old_fsuid = switch_ids ? setfsuid(p->uid) : -1;
	int r = apply_all(&a);

	/* no fd may keep a path to the host once the command runs */
	if (a.root >= 0)
		close(a.root);
	if (a.oldroot >= 0)
		close(a.oldroot);
	if (a.stage >= 0)
		close(a.stage);
	if (switch_ids) {
		setfsuid((uid_t)old_fsuid);
		setfsgid((gid_t)old_fsgid);
	}
	umask(old_umask);
	return r;
}

/* ---- the parent's part --------------------------------------------------------------- */

static int check_op(const struct op *op, struct err *e)
{
	char d[400];
	const char *why = NULL;
	bool fd_op = op->type == OP_BIND_FD || op->type == OP_FILE || op->type == OP_BIND_DATA;

	if (!op->dest || !op->dest[0])
		why = "no destination";
	else if ((op->type == OP_BIND || op->type == OP_SYMLINK || op->type == OP_OVERLAY) &&
		 !op->src)
		why = "no source";
	else if (op->type == OP_OVERLAY && !op->workdir)
		why = "no work directory";
	else if (fd_op && op->fd < 0)
		why = "no file descriptor";
	else if ((op->type == OP_OVERLAY || op->type == OP_TMP_OVERLAY) && op->n_overlay_srcs < 1)
		why = "requires at least one --overlay-src";
	else if (op->type == OP_RO_OVERLAY && op->n_overlay_srcs < 2)
		why = "requires at least two --overlay-src";
	else if ((op->flags & OPF_PERMS || op->type == OP_CHMOD) && (op->perms & ~(mode_t)07777))
		why = "mode out of range";
	if (!why)
		return 0;
	op_describe(op, d, sizeof(d));
	return err_setx(e, "%s: %s", d, why);
}

int mounts_prepare(const struct sandbox_spec *s, const struct mount_ctx *ctx,
		   struct mount_plan **out, struct err *e)
{
	struct mount_plan *p;
	bool want_tty = false;

	*out = NULL;
	for (size_t i = 0; i < s->n_ops; i++) {
		if (check_op(&s->ops[i], e) < 0)
			return -1;
		want_tty |= s->ops[i].type == OP_DEV;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ENOMEM, "mount plan");
	p->spec = s;
	p->privileged = ctx && ctx->privileged;
	p->uid = ctx ? ctx->sandbox_uid : geteuid();
	p->gid = ctx ? ctx->sandbox_gid : getegid();
	p->own_proc = (s->ns & CLONE_NEWPID) || s->pidns_fd >= 0;
	p->file_label = s->file_label;
	if (want_tty && isatty(STDOUT_FILENO) &&
	    ttyname_r(STDOUT_FILENO, p->tty, sizeof(p->tty)) != 0)
		p->tty[0] = '\0';
	*out = p;
	return 0;
}

void mounts_plan_free(struct mount_plan *p)
{
	free(p);
}
