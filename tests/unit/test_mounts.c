/* Unit tests for launcher/mounts.c: each test builds a spec by hand, runs mounts_prepare() here
 * and mounts_apply() in a forked child inside new namespaces (a user namespace when not root),
 * then checks the result from inside the new root. The child reports a failed check over a
 * pipe; the parent also checks that its own mount table did not change.
 * Runs as root and unprivileged (setpriv --reuid=65534 --regid=65534 --clear-groups). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/mounts.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

struct fixture {
	char dir[64];
	char src[128], file[128], host[128], lower1[128], lower2[128], upper[128], work[128];
	char data[128], sub[128];
	dev_t console;	/* test_dev_console: the terminal /dev/console must be */
	uid_t want_uid; /* test_owner: expected owner of created files */
	gid_t want_gid;
};

/* ---- fixture ------------------------------------------------------------------------- */

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void join(char *dst, size_t size, const char *dir, const char *name)
{
	int n = snprintf(dst, size, "%s/%s", dir, name);
	assert_true(n > 0 && (size_t)n < size);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char p[256];

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/cordon-mounts-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_int_equal(chmod(fx->dir, 0755), 0);
	join(fx->src, sizeof(fx->src), fx->dir, "src");
	join(fx->sub, sizeof(fx->sub), fx->dir, "src/sub");
	join(fx->file, sizeof(fx->file), fx->dir, "file");
	join(fx->host, sizeof(fx->host), fx->dir, "host");
	join(fx->lower1, sizeof(fx->lower1), fx->dir, "lower1");
	join(fx->lower2, sizeof(fx->lower2), fx->dir, "lower2");
	join(fx->upper, sizeof(fx->upper), fx->dir, "upper");
	join(fx->work, sizeof(fx->work), fx->dir, "work");
	join(fx->data, sizeof(fx->data), fx->dir, "data");
	const char *dirs[] = { fx->src,	   fx->sub,   fx->host, fx->lower1,
			       fx->lower2, fx->upper, fx->work };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		assert_int_equal(mkdir(dirs[i], 0755), 0);
	join(p, sizeof(p), fx->src, "hello");
	put_file(p, "hi\n");
	put_file(fx->file, "data\n");
	put_file(fx->data, "payload\n");
	join(p, sizeof(p), fx->lower1, "a");
	put_file(p, "1");
	join(p, sizeof(p), fx->lower1, "b");
	put_file(p, "1");
	join(p, sizeof(p), fx->lower2, "b");
	put_file(p, "2");
	*state = fx;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR) {
		chmod(path, 0700);
		return rmdir(path) < 0 ? -1 : 0;
	}
	return unlink(path) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	/* overlayfs leaves a mode-000 work/work; make it removable first */
	char ww[256];
	join(ww, sizeof(ww), fx->work, "work");
	chmod(ww, 0700);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* ---- spec building ------------------------------------------------------------------- */

static struct op *add(struct sandbox_spec *s, enum op_type t, const char *option, const char *src,
		      const char *dest)
{
	struct err e;
	struct op *o = spec_add_op(s, t, option, &e);

	assert_non_null(o);
	o->src = src ? strdup(src) : NULL;
	o->dest = dest ? strdup(dest) : NULL;
	return o;
}

static void add_lower(struct op *o, const char *path)
{
	struct err e;
	assert_int_equal(spec_add_str(&o->overlay_srcs, &o->n_overlay_srcs, path, &e), 0);
}

/* ---- running ------------------------------------------------------------------------- */

typedef int (*check_fn)(const struct fixture *fx, int report);
typedef void (*pre_fn)(const struct fixture *fx);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			dprintf(report, "line %d: %s (errno: %s)", __LINE__, #cond,                \
				strerror(errno));                                                  \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

enum { R_OK_ = 0, R_APPLY_FAILED = 1, R_CHECK_FAILED = 2, R_OTHER = 3 };

static char *read_all(const char *path)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	assert_non_null(buf);
	assert_true(fd >= 0);
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);
			assert_non_null(bigger);
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In the forked child: new namespaces, as root or through a user namespace. */
static int enter_namespaces(unsigned long extra)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (geteuid() == 0)
		return unshare(CLONE_NEWNS | extra);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | extra) < 0)
		return -1;
	if (write_text("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	if (write_text("/proc/self/uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	return write_text("/proc/self/gid_map", map);
}

static void child(const struct fixture *fx, const struct mount_plan *plan, unsigned long extra,
		  pre_fn pre, check_fn check, int report)
{
	struct err e;
	pid_t pid;
	int status;

	if (enter_namespaces(extra) < 0) {
		dprintf(report, "namespaces: %s", strerror(errno));
		_exit(R_OTHER);
	}
	/* a new pid namespace takes effect for children: the grandchild is its pid 1 */
	pid = fork();
	if (pid < 0)
		_exit(R_OTHER);
	if (pid == 0) {
		if (pre)
			pre(fx);
		err_clear(&e);
		if (mounts_apply(plan, &e) < 0) {
			dprintf(report, "%s", e.msg);
			_exit(R_APPLY_FAILED);
		}
		_exit(check && check(fx, report) ? R_CHECK_FAILED : R_OK_);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		_exit(R_OTHER);
	_exit(WEXITSTATUS(status));
}

/* Runs the spec; returns R_*; msg gets the child's report (apply error or failed check). */
static int run_spec_ctx(const struct fixture *fx, const struct sandbox_spec *s, pre_fn pre,
			check_fn check, const struct mount_ctx *ctx, char *msg, size_t size)
{
	struct mount_plan *plan = NULL;
	struct err e;
	char *before, *after;
	int fds[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;
	unsigned long extra = s->ns & (CLONE_NEWPID | CLONE_NEWIPC);

	msg[0] = '\0';
	if (mounts_prepare(s, ctx, &plan, &e) < 0) {
		snprintf(msg, size, "%s", e.msg);
		return R_OTHER;
	}
	before = read_all("/proc/self/mountinfo");
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child(fx, plan, extra, pre, check, fds[1]);
	}
	close(fds[1]);
	while (got + 1 < size && (n = read(fds[0], msg + got, size - got - 1)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	mounts_plan_free(plan);
	after = read_all("/proc/self/mountinfo");
	/* nothing the sandbox mounted may show up (or go away) on the host */
	assert_string_equal(before, after);
	free(before);
	free(after);
	if (!WIFEXITED(status))
		return R_OTHER;
	return WEXITSTATUS(status);
}

static int run_spec(const struct fixture *fx, const struct sandbox_spec *s, pre_fn pre,
		    check_fn check, char *msg, size_t size)
{
	struct mount_ctx ctx = { .privileged = geteuid() == 0,
				 .sandbox_uid = getuid(),
				 .sandbox_gid = getgid() };
	return run_spec_ctx(fx, s, pre, check, &ctx, msg, size);
}

static int run_spec_as(const struct fixture *fx, const struct sandbox_spec *s, check_fn check,
		       bool privileged, uid_t uid, gid_t gid, char *msg, size_t size)
{
	struct mount_ctx ctx = { .privileged = privileged, .sandbox_uid = uid, .sandbox_gid = gid };
	return run_spec_ctx(fx, s, NULL, check, &ctx, msg, size);
}

static void expect_ok(const struct fixture *fx, const struct sandbox_spec *s, pre_fn pre,
		      check_fn check)
{
	char msg[1024];
	int r = run_spec(fx, s, pre, check, msg, sizeof(msg));
	if (r != R_OK_)
		fail_msg("result %d: %s", r, msg);
}

/* The apply must fail, with a message starting with `prefix`. */
static void expect_error(const struct fixture *fx, const struct sandbox_spec *s, const char *want)
{
	char msg[1024];
	int r = run_spec(fx, s, NULL, NULL, msg, sizeof(msg));
	if (r != R_APPLY_FAILED)
		fail_msg("expected failure '%s', got result %d: %s", want, r, msg);
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("expected '%s', got '%s'", want, msg);
}

/* ---- helpers for checks (run inside the new root) ------------------------------------- */

static int file_is(const char *path, const char *text)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static int write_fails_with(const char *path, int err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == err;
}

static int can_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static unsigned long vfs_flags(const char *path)
{
	struct statvfs v;
	if (statvfs(path, &v) < 0)
		return 0;
	return v.f_flag;
}

static long fs_type(const char *path)
{
	struct statfs f;
	if (statfs(path, &f) < 0)
		return -1;
	return (long)f.f_type;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode;
}

static int link_is(const char *path, const char *target)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

/* ---- tests --------------------------------------------------------------------------- */

static int check_empty_root(const struct fixture *fx, int report)
{
	char cwd[64];
	CHECK(fs_type("/") == TMPFS_MAGIC);
	CHECK(mode_of("/") == (S_IFDIR | 0755));
	CHECK(dir_is_empty("/"));
	CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
	CHECK(access(fx->dir, F_OK) < 0 && errno == ENOENT);
	CHECK(access("/..", F_OK) == 0 && dir_is_empty("/.."));
	CHECK(vfs_flags("/") & ST_NOSUID);
	return 0;
}

static void test_empty_root(void **state)
{
	struct sandbox_spec s;
	spec_init(&s);
	expect_ok(*state, &s, NULL, check_empty_root);
	spec_free(&s);
}

static int check_binds(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(mode_of("/a") == (S_IFDIR | 0755));
	CHECK(file_is("/a/b/hello", "hi\n"));
	CHECK(can_create("/a/b/new"));
	CHECK((vfs_flags("/a/b") & (ST_NOSUID | ST_NODEV | ST_RDONLY)) == (ST_NOSUID | ST_NODEV));
	CHECK(S_ISREG(mode_of("/ro/f")));
	CHECK(file_is("/ro/f", "data\n"));
	CHECK(vfs_flags("/ro/f") & ST_RDONLY);
	CHECK(write_fails_with("/ro/f", EROFS));
	return 0;
}

static void test_bind_and_ro_bind(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;
	char p[256];

	spec_init(&s);
	add(&s, OP_BIND, "--bind", fx->src, "/a/b");
	add(&s, OP_BIND, "--ro-bind", fx->file, "/ro/f")->flags |= OPF_RO;
	expect_ok(fx, &s, NULL, check_binds);
	join(p, sizeof(p), fx->src, "new");
	assert_int_equal(access(p, F_OK), 0); /* --bind is read-write through to the host */
	spec_free(&s);
}

static void mount_sub(const struct fixture *fx)
{
	if (mount("tmpfs", fx->sub, "tmpfs", 0, "mode=0755") < 0)
		_exit(R_OTHER);
}

static int check_recursive(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(fs_type("/r/sub") == TMPFS_MAGIC);
	CHECK(vfs_flags("/r/sub") & ST_RDONLY);
	CHECK(write_fails_with("/r/sub/x", EROFS));
	CHECK(write_fails_with("/w/x", EROFS));
	CHECK(fs_type("/w/sub") == TMPFS_MAGIC);
	CHECK(can_create("/w/sub/x")); /* --remount-ro is not recursive */
	return 0;
}

static void test_ro_bind_recursive_remount_not(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_BIND, "--ro-bind", fx->src, "/r")->flags |= OPF_RO;
	add(&s, OP_BIND, "--bind", fx->src, "/w");
	add(&s, OP_REMOUNT_RO, "--remount-ro", NULL, "/w");
	expect_ok(fx, &s, mount_sub, check_recursive);
	spec_free(&s);
}

static int check_try(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(access("/x", F_OK) < 0 && errno == ENOENT);
	CHECK(S_ISDIR(mode_of("/y")));
	return 0;
}

static void test_missing_source(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_BIND, "--ro-bind", "/nope", "/x")->flags |= OPF_RO;
	expect_error(*state, &s, "--ro-bind /nope /x: No such file or directory");
	spec_free(&s);

	spec_init(&s);
	add(&s, OP_BIND, "--ro-bind-try", "/nope", "/x")->flags |= OPF_RO | OPF_TRY;
	add(&s, OP_DIR, "--dir", NULL, "/y");
	expect_ok(*state, &s, NULL, check_try);
	spec_free(&s);
}

static int check_dev_bind(const struct fixture *fx, int report)
{
	int fd;
	(void)fx;
	CHECK(S_ISCHR(mode_of("/null")));
	CHECK(open("/null", O_WRONLY) < 0 && errno == EACCES); /* nodev */
	fd = open("/dnull", O_WRONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) == 1);
	close(fd);
	return 0;
}

static void test_dev_bind_keeps_devices(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_BIND, "--bind", "/dev/null", "/null");
	add(&s, OP_BIND, "--dev-bind", "/dev/null", "/dnull")->flags |= OPF_DEV;
	expect_ok(*state, &s, NULL, check_dev_bind);
	spec_free(&s);
}

static int check_tmpfs(const struct fixture *fx, int report)
{
	struct statvfs v;
	(void)fx;
	CHECK(fs_type("/t") == TMPFS_MAGIC);
	CHECK(mode_of("/t") == (S_IFDIR | 0700));
	CHECK(statvfs("/t", &v) == 0 && v.f_blocks * v.f_frsize == 1048576);
	CHECK((vfs_flags("/t") & (ST_NOSUID | ST_NODEV)) == (ST_NOSUID | ST_NODEV));
	CHECK(mode_of("/u/v") == (S_IFDIR | 0755));
	CHECK(can_create("/u/v/file"));
	return 0;
}

static void test_tmpfs(void **state)
{
	struct sandbox_spec s;
	struct op *o;

	spec_init(&s);
	o = add(&s, OP_TMPFS, "--tmpfs", NULL, "/t");
	o->flags |= OPF_PERMS | OPF_SIZE;
	o->perms = 0700;
	o->size = 1048576;
	add(&s, OP_TMPFS, "--tmpfs", NULL, "/u/v");
	expect_ok(*state, &s, NULL, check_tmpfs);
	spec_free(&s);
}

static int check_create(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(mode_of("/d") == (S_IFDIR | 0711));
	CHECK(mode_of("/p") == (S_IFDIR | 0700));
	CHECK(mode_of("/p/q") == (S_IFDIR | 0700));
	CHECK(mode_of("/f") == (S_IFREG | 0666));
	CHECK(file_is("/f", "payload\n"));
	CHECK(mode_of("/g/h") == (S_IFREG | 0640));
	CHECK(mode_of("/g") == (S_IFDIR | 0750));
	CHECK(link_is("/s", "/d"));
	CHECK(link_is("/dev/stdin", "/proc/self/fd/0"));
	return 0;
}

static void test_dir_file_symlink_chmod(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;
	struct op *o;
	int f1 = open(fx->data, O_RDONLY | O_CLOEXEC), f2 = open(fx->data, O_RDONLY | O_CLOEXEC);

	assert_true(f1 >= 0 && f2 >= 0);
	spec_init(&s);
	add(&s, OP_DIR, "--dir", NULL, "/d");
	o = add(&s, OP_DIR, "--dir", NULL, "/p/q");
	o->flags |= OPF_PERMS;
	o->perms = 0700;
	o = add(&s, OP_DIR, "--dir", NULL, "/d"); /* exists: fine, and its mode is kept */
	o->flags |= OPF_PERMS;
	o->perms = 0777;
	add(&s, OP_FILE, "--file", NULL, "/f")->fd = f1;
	o = add(&s, OP_FILE, "--file", NULL, "/g/h");
	o->fd = f2;
	o->flags |= OPF_PERMS;
	o->perms = 0640;
	add(&s, OP_SYMLINK, "--symlink", "/d", "/s");
	add(&s, OP_SYMLINK, "--symlink", "/d", "/s"); /* identical: fine */
	add(&s, OP_SYMLINK, "--symlink", "/proc/self/fd/0", "/dev/stdin");
	o = add(&s, OP_CHMOD, "--chmod", NULL, "/s"); /* follows the link, inside */
	o->flags |= OPF_PERMS;
	o->perms = 0711;
	expect_ok(fx, &s, NULL, check_create);
	spec_free(&s);
	close(f1);
	close(f2);
}

static void test_symlink_conflicts(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_DIR, "--dir", NULL, "/x");
	add(&s, OP_SYMLINK, "--symlink", "/a", "/x");
	expect_error(*state, &s, "--symlink /a /x: destination exists and is not a symlink");
	spec_free(&s);

	spec_init(&s);
	add(&s, OP_SYMLINK, "--symlink", "/a", "/l");
	add(&s, OP_SYMLINK, "--symlink", "/b", "/l");
	expect_error(*state, &s, "--symlink /b /l: existing destination is /a");
	spec_free(&s);

	spec_init(&s);
	add(&s, OP_DIR, "--dir", NULL, "/a");
	add(&s, OP_BIND, "--bind", "/dev/null", "/a");
	expect_error(*state, &s, "--bind /dev/null /a: destination: Is a directory");
	spec_free(&s);

	spec_init(&s);
	add(&s, OP_CHMOD, "--chmod", NULL, "/none")->perms = 0700;
	expect_error(*state, &s, "--chmod 0700 /none: No such file or directory");
	spec_free(&s);
}

static int check_bind_data(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(file_is("/etc/bd", "payload\n"));
	CHECK(mode_of("/etc/bd") == (S_IFREG | 0600));
	CHECK(can_create("/etc/bd"));
	CHECK(file_is("/rbd", "payload\n"));
	CHECK(mode_of("/rbd") == (S_IFREG | 0644));
	CHECK(write_fails_with("/rbd", EROFS));
	/* the scratch file is reachable only through the bind */
	CHECK(access("/bindfile-0", F_OK) < 0 && access("/oldroot", F_OK) < 0);
	return 0;
}

static void test_bind_data(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;
	struct op *o;
	int f1 = open(fx->data, O_RDONLY | O_CLOEXEC), f2 = open(fx->data, O_RDONLY | O_CLOEXEC);

	assert_true(f1 >= 0 && f2 >= 0);
	spec_init(&s);
	add(&s, OP_BIND_DATA, "--bind-data", NULL, "/etc/bd")->fd = f1;
	o = add(&s, OP_BIND_DATA, "--ro-bind-data", NULL, "/rbd");
	o->fd = f2;
	o->flags |= OPF_RO | OPF_PERMS;
	o->perms = 0644;
	expect_ok(fx, &s, NULL, check_bind_data);
	spec_free(&s);
	close(f1);
	close(f2);
}

static int check_proc(const struct fixture *fx, int report)
{
	char self[32];
	(void)fx;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	CHECK(fs_type("/proc") == PROC_SUPER_MAGIC);
	CHECK(link_is("/proc/self", self));
	CHECK(write_text("/proc/sysrq-trigger", "h") < 0);
	CHECK(vfs_flags("/proc/sys") & ST_RDONLY);
	/* kernels without CONFIG_MAGIC_SYSRQ have no such file */
	if (access("/proc/sysrq-trigger", F_OK) == 0)
		CHECK(vfs_flags("/proc/sysrq-trigger") & ST_RDONLY);
	CHECK(vfs_flags("/proc/irq") & ST_RDONLY);
	CHECK((vfs_flags("/proc") & ST_RDONLY) == 0);
	return 0;
}

/* Every mount left in the namespace is the new root or under /proc: the host's root and the
 * staging tmpfs are gone, not merely out of sight. */
static int only_sandbox_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024], point[512];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %511s", point) != 1 ||
		    (strcmp(point, "/") != 0 && strncmp(point, "/proc", 5) != 0)) {
			fclose(f);
			return 0;
		}
		n++;
	}
	fclose(f);
	return n >= 2 && n <= 6;
}

static int check_own_proc(const struct fixture *fx, int report)
{
	CHECK(getpid() == 1);
	CHECK(access("/proc/2", F_OK) < 0);
	CHECK(only_sandbox_mounts());
	return check_proc(fx, report);
}

static void test_proc(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	s.ns |= CLONE_NEWPID;
	add(&s, OP_PROC, "--proc", NULL, "/proc");
	expect_ok(*state, &s, NULL, check_own_proc);
	spec_free(&s);

	/* host pid namespace: the host's procfs is bound instead */
	spec_init(&s);
	add(&s, OP_PROC, "--proc", NULL, "/proc");
	expect_ok(*state, &s, NULL, check_proc);
	spec_free(&s);
}

static int check_dev(const struct fixture *fx, int report)
{
	char z[4] = "abc";
	int fd;
	(void)fx;
	CHECK(fs_type("/dev") == TMPFS_MAGIC);
	CHECK(S_ISCHR(mode_of("/dev/null")));
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	CHECK(fd >= 0 && read(fd, z, 3) == 3 && z[0] == 0 && z[2] == 0);
	close(fd);
	CHECK(S_ISCHR(mode_of("/dev/urandom")) && S_ISCHR(mode_of("/dev/tty")));
	CHECK(link_is("/dev/ptmx", "pts/ptmx"));
	CHECK(link_is("/dev/fd", "/proc/self/fd"));
	CHECK(link_is("/dev/stderr", "/proc/self/fd/2"));
	CHECK(link_is("/dev/core", "/proc/kcore"));
	CHECK(fs_type("/dev/pts") == DEVPTS_SUPER_MAGIC);
	CHECK(S_ISDIR(mode_of("/dev/shm")));
	if (!isatty(STDOUT_FILENO))
		CHECK(access("/dev/console", F_OK) < 0);
	fd = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(fd >= 0);
	CHECK(ptsname(fd) && strncmp(ptsname(fd), "/dev/pts/", 9) == 0);
	close(fd);
	return 0;
}

static void test_dev(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_DEV, "--dev", NULL, "/dev");
	expect_ok(*state, &s, NULL, check_dev);
	spec_free(&s);
}

static int check_console(const struct fixture *fx, int report)
{
	struct stat st;
	CHECK(stat("/dev/console", &st) == 0);
	CHECK(S_ISCHR(st.st_mode) && st.st_rdev == fx->console);
	return 0;
}

/* bwrap: when stdout is a terminal, /dev/console is that terminal */
static void test_dev_console(void **state)
{
	struct fixture *fx = *state;
	struct sandbox_spec s;
	struct stat st;
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave, saved;

	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	assert_int_equal(fstat(slave, &st), 0);
	fx->console = st.st_rdev;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(slave, STDOUT_FILENO), STDOUT_FILENO);
	spec_init(&s);
	add(&s, OP_DEV, "--dev", NULL, "/dev");
	expect_ok(fx, &s, NULL, check_console);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	close(slave);
	close(master);
	spec_free(&s);
}

static int owned_by(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	return lstat(path, &st) == 0 && st.st_uid == uid && st.st_gid == gid;
}

static int check_owner(const struct fixture *fx, int report)
{
	uid_t u = fx->want_uid;
	gid_t g = fx->want_gid;
	CHECK(owned_by("/", u, g));
	CHECK(owned_by("/a", u, g) && owned_by("/a/b", u, g));
	CHECK(owned_by("/t", u, g) && owned_by("/s", u, g));
	CHECK(owned_by("/f", u, g));
	CHECK(setfsuid((uid_t)-1) == (int)geteuid()); /* ids restored */
	return 0;
}

/* A setup child that runs as another id inside its user namespace creates everything as
 * mount_ctx's sandbox ids; real root (privileged) creates as root, like bwrap. Our test user
 * namespace maps a single id, so unprivileged runs check the plain case only. */
static void test_owner(void **state)
{
	struct fixture *fx = *state;
	struct sandbox_spec s;
	char msg[1024];
	int fds[3];
	bool root = geteuid() == 0;
	struct {
		bool privileged;
		uid_t uid, want_uid;
		gid_t gid, want_gid;
	} runs[] = {
		{ false, getuid(), getuid(), getgid(), getgid() },
		{ false, 1234, 1234, 4321, 4321 },
		{ true, 1234, 0, 4321, 0 },
	};

	for (size_t i = 0; i < (root ? 3u : 1u); i++) {
		fds[i] = open(fx->data, O_RDONLY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
		spec_init(&s);
		add(&s, OP_DIR, "--dir", NULL, "/a/b");
		add(&s, OP_TMPFS, "--tmpfs", NULL, "/t");
		add(&s, OP_SYMLINK, "--symlink", "x", "/s");
		add(&s, OP_FILE, "--file", NULL, "/f")->fd = fds[i];
		fx->want_uid = runs[i].want_uid;
		fx->want_gid = runs[i].want_gid;
		if (run_spec_as(fx, &s, check_owner, runs[i].privileged, runs[i].uid, runs[i].gid,
				msg, sizeof(msg)) != R_OK_)
			fail_msg("run %zu: %s", i, msg);
		spec_free(&s);
		close(fds[i]);
	}
}

static int check_mqueue(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(fs_type("/dev/mqueue") == MQUEUE_MAGIC);
	return 0;
}

static void test_mqueue(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	s.ns |= CLONE_NEWIPC;
	add(&s, OP_MQUEUE, "--mqueue", NULL, "/dev/mqueue");
	expect_ok(*state, &s, NULL, check_mqueue);
	spec_free(&s);
}

static int check_inside_links(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(S_ISDIR(mode_of("/target/x")));
	CHECK(file_is("/tmpx/f", "data\n"));
	return 0;
}

/* The host directory must be untouched after an escape attempt. */
static void assert_host_untouched(const struct fixture *fx)
{
	struct stat st;
	assert_int_equal(stat(fx->host, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	DIR *d = opendir(fx->host);
	struct dirent *de;
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			fail_msg("escape: %s/%s was created on the host", fx->host, de->d_name);
	closedir(d);
}

static void escape_attempt(const struct fixture *fx, const char *link, enum op_type t,
			   const char *want_error, bool with_proc, bool direct)
{
	struct sandbox_spec s;
	struct op *o;
	char dest[512];
	int fd = open(fx->data, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	spec_init(&s);
	if (with_proc)
		add(&s, OP_PROC, "--proc", NULL, "/proc");
	add(&s, OP_SYMLINK, "--symlink", link, "/esc");
	/* through the link (/esc/pwned), or onto the link itself (/esc) */
	snprintf(dest, sizeof(dest), direct ? "/esc" : "/esc/pwned");
	switch (t) {
	case OP_DIR:
		add(&s, OP_DIR, "--dir", NULL, dest);
		break;
	case OP_FILE:
		add(&s, OP_FILE, "--file", NULL, dest)->fd = fd;
		break;
	case OP_SYMLINK:
		add(&s, OP_SYMLINK, "--symlink", "x", dest);
		break;
	case OP_BIND:
		add(&s, OP_BIND, "--bind", fx->file, dest);
		break;
	case OP_TMPFS:
		add(&s, OP_TMPFS, "--tmpfs", NULL, dest);
		break;
	case OP_CHMOD:
		o = add(&s, OP_CHMOD, "--chmod", NULL, "/esc");
		o->perms = 0777;
		o->flags |= OPF_PERMS;
		break;
	case OP_BIND_FD:
	case OP_REMOUNT_RO:
	case OP_OVERLAY:
	case OP_TMP_OVERLAY:
	case OP_RO_OVERLAY:
	case OP_PROC:
	case OP_DEV:
	case OP_MQUEUE:
	case OP_BIND_DATA:
		fail_msg("not an escape test type");
	}
	expect_error(fx, &s, want_error);
	spec_free(&s);
	close(fd);
	assert_host_untouched(fx);
}

/* a symlink inside the new root is followed inside it */
static void test_symlinks_followed_inside(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_DIR, "--dir", NULL, "/target");
	add(&s, OP_SYMLINK, "--symlink", "/target", "/in");
	add(&s, OP_DIR, "--dir", NULL, "/in/x");
	add(&s, OP_DIR, "--dir", NULL, "/tmpx");
	add(&s, OP_SYMLINK, "--symlink", "../tmpx/f", "/dangling");
	add(&s, OP_BIND, "--bind", fx->file, "/dangling"); /* the link's target is created */
	expect_ok(fx, &s, NULL, check_inside_links);
	spec_free(&s);
}

static void test_symlink_escapes_stay_inside(void **state)
{
	const struct fixture *fx = *state;
	char link[512], want[1024];
	const enum op_type kinds[] = { OP_DIR, OP_FILE, OP_SYMLINK, OP_BIND, OP_TMPFS };

	/* links naming host paths: absolute, through the staging /oldroot, relative with many
	 * "..", and through /proc magic links: none may reach the host */
	const char *prefixes[] = { "", "/oldroot", "../../../../../../../..",
				   "/proc/self/root/oldroot", "/proc/self/cwd/oldroot" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		bool magic = strncmp(prefixes[i], "/proc", 5) == 0;
		snprintf(link, sizeof(link), "%s%s", prefixes[i], fx->host);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			const char *opt = kinds[k] == OP_DIR	   ? "--dir"
					  : kinds[k] == OP_FILE	   ? "--file"
					  : kinds[k] == OP_SYMLINK ? "--symlink"
					  : kinds[k] == OP_BIND	   ? "--bind"
								   : "--tmpfs";
			/* the message names the option; the reason is ENOENT (target missing
			 * inside) or ELOOP (magic link refused) */
			snprintf(want, sizeof(want), "%s ", opt);
			escape_attempt(fx, link, kinds[k], want, magic, false);
			if (kinds[k] == OP_FILE || kinds[k] == OP_BIND)
				escape_attempt(fx, link, kinds[k], want, magic, true);
		}
		snprintf(want, sizeof(want), "--chmod 0777 /esc: %s",
			 magic ? "Too many levels of symbolic links" : "No such file or directory");
		escape_attempt(fx, link, OP_CHMOD, want, magic, true);
	}
}

static int check_overlays(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(fs_type("/o") == OVERLAYFS_SUPER_MAGIC);
	CHECK(file_is("/o/a", "1"));
	CHECK(file_is("/o/b", "2")); /* the last --overlay-src is the top layer */
	CHECK(can_create("/o/c"));
	CHECK(file_is("/r/b", "2"));
	CHECK(write_fails_with("/r/c", EROFS));
	CHECK(file_is("/w/b", "1"));
	CHECK(can_create("/w/new"));
	return 0;
}

static void test_overlays(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;
	struct op *o;
	char p[256];

	spec_init(&s);
	o = add(&s, OP_TMP_OVERLAY, "--tmp-overlay", NULL, "/o");
	add_lower(o, fx->lower1);
	add_lower(o, fx->lower2);
	o = add(&s, OP_RO_OVERLAY, "--ro-overlay", NULL, "/r");
	add_lower(o, fx->lower1);
	add_lower(o, fx->lower2);
	o = add(&s, OP_OVERLAY, "--overlay", fx->upper, "/w");
	/* the analyzer follows add()'s `src ? ... : NULL` to "fx is NULL"; fx->work is an array */
	o->workdir = strdup(fx->work); /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
	add_lower(o, fx->lower1);
	expect_ok(fx, &s, NULL, check_overlays);
	spec_free(&s);
	join(p, sizeof(p), fx->upper, "new");
	assert_int_equal(access(p, F_OK), 0); /* --overlay writes go to RWSRC */
	join(p, sizeof(p), fx->lower1, "c");
	assert_int_not_equal(access(p, F_OK), 0);
	join(p, sizeof(p), fx->lower2, "c");
	assert_int_not_equal(access(p, F_OK), 0);

	spec_init(&s);
	o = add(&s, OP_TMP_OVERLAY, "--tmp-overlay", NULL, "/o");
	add_lower(o, "/nope");
	expect_error(fx, &s, "--tmp-overlay /o: /nope: No such file or directory");
	spec_free(&s);
}

static void test_overlay_needs_sources(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;
	struct mount_plan *plan = NULL;
	struct mount_ctx ctx = { 0 };
	struct err e;

	spec_init(&s);
	add_lower(add(&s, OP_RO_OVERLAY, "--ro-overlay", NULL, "/r"), fx->lower1);
	assert_int_equal(mounts_prepare(&s, &ctx, &plan, &e), -1);
	assert_string_equal(e.msg, "--ro-overlay /r: requires at least two --overlay-src");
	assert_null(plan);
	spec_free(&s);
}

static int check_bind_fd(const struct fixture *fx, int report)
{
	(void)fx;
	CHECK(file_is("/bfd/hello", "hi\n"));
	CHECK(can_create("/bfd/fromfd"));
	CHECK(write_fails_with("/rbfd/x", EROFS));
	return 0;
}

static void test_bind_fd(void **state)
{
	const struct fixture *fx = *state;
	struct sandbox_spec s;
	struct op *o;
	int fd = open(fx->src, O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	spec_init(&s);
	add(&s, OP_BIND_FD, "--bind-fd", NULL, "/bfd")->fd = fd;
	o = add(&s, OP_BIND_FD, "--ro-bind-fd", NULL, "/rbfd");
	o->fd = fd;
	o->flags |= OPF_RO;
	expect_ok(fx, &s, NULL, check_bind_fd);
	spec_free(&s);
	close(fd);

	spec_init(&s);
	add(&s, OP_BIND_FD, "--bind-fd", NULL, "/x")->fd = 555;
	expect_error(fx, &s, "--bind-fd 555 /x: Bad file descriptor");
	spec_free(&s);
}

static int check_root_bind(const struct fixture *fx, int report)
{
	CHECK(S_ISDIR(mode_of("/etc")));
	CHECK(vfs_flags("/") & ST_RDONLY);
	CHECK(write_fails_with("/cordon-test-x", EROFS));
	CHECK(access("/oldroot", F_OK) < 0 && access("/newroot", F_OK) < 0);
	CHECK(fs_type("/tmp") == TMPFS_MAGIC);
	CHECK(access(fx->dir, F_OK) < 0);
	CHECK(S_ISDIR(mode_of("/tmp/made")));
	return 0;
}

static void test_root_bind(void **state)
{
	struct sandbox_spec s;

	spec_init(&s);
	add(&s, OP_BIND, "--ro-bind", "/", "/")->flags |= OPF_RO;
	add(&s, OP_TMPFS, "--tmpfs", NULL, "/tmp");
	add(&s, OP_DIR, "--dir", NULL, "/tmp/made");
	add(&s, OP_REMOUNT_RO, "--remount-ro", NULL, "/"); /* already ro: still fine */
	expect_ok(*state, &s, NULL, check_root_bind);
	spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_and_ro_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ro_bind_recursive_remount_not, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_bind_keeps_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmpfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_file_symlink_chmod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mqueue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_followed_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_escapes_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlay_needs_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_bind, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
