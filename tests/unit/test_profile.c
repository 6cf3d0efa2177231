/* Unit tests for launcher/profile.c: the built-in profiles. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/profile.h"
#include "../../launcher/spec.h"

struct fixture {
	struct sandbox_spec s;
	struct err e;
	char tmp[64]; /* a private temp dir */
	char *old_cwd;
	char *old_home;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *home = getenv("HOME");
	if (!f)
		return -1;
	spec_init(&f->s);
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_profileXXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	f->old_cwd = getcwd(NULL, 0);
	f->old_home = home ? strdup(home) : NULL;
	*state = f;
	return 0;
}

static void rmdir_in(const char *base, const char *sub)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, sub);
	rmdir(p);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	spec_free(&f->s);
	if (f->old_cwd && chdir(f->old_cwd) < 0)
		return -1;
	if (f->old_home)
		setenv("HOME", f->old_home, 1);
	else
		unsetenv("HOME");
	rmdir_in(f->tmp, "home/proj");
	rmdir_in(f->tmp, "home");
	rmdir_in(f->tmp, "work/home");
	rmdir_in(f->tmp, "work");
	rmdir(f->tmp);
	free(f->old_cwd);
	free(f->old_home);
	free(f);
	return 0;
}

static void mkdir_in(const char *base, const char *sub)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, sub);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void assert_op(const struct op *o, enum op_type type, unsigned flags, const char *src,
		      const char *dest)
{
	assert_int_equal(o->type, type);
	assert_int_equal(o->flags, flags);
	if (src)
		assert_string_equal(o->src, src);
	else
		assert_null(o->src);
	assert_string_equal(o->dest, dest);
	assert_int_equal(o->fd, -1);
}

/* Check the minimal ops from index 0; returns the index after them. */
static size_t check_minimal_ops(const struct sandbox_spec *s)
{
	static const char *const dirs[] = { "/bin", "/lib", "/lib64", "/sbin" };
	size_t i = 0;
	assert_op(&s->ops[i++], OP_BIND, OPF_RO, "/usr", "/usr");
	assert_string_equal(s->ops[0].option, "--ro-bind");
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;
		if (lstat(dirs[d], &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(dirs[d], target, sizeof(target) - 1);
			assert_true(n > 0);
			target[n] = '\0';
			assert_op(&s->ops[i], OP_SYMLINK, 0, target, dirs[d]);
			assert_string_equal(s->ops[i++].option, "--symlink");
		} else if (S_ISDIR(st.st_mode)) {
			assert_op(&s->ops[i++], OP_BIND, OPF_RO, dirs[d], dirs[d]);
		}
	}
	assert_op(&s->ops[i++], OP_PROC, 0, NULL, "/proc");
	assert_op(&s->ops[i++], OP_DEV, 0, NULL, "/dev");
	assert_op(&s->ops[i++], OP_TMPFS, 0, NULL, "/tmp");
	return i;
}

static void check_minimal_namespaces(const struct sandbox_spec *s)
{
	assert_int_equal(s->ns, CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC |
					CLONE_NEWUTS | CLONE_NEWNET);
	assert_true(s->cgroup_try);
	assert_false(s->userns_try);
	assert_true(s->die_with_parent);
}

static void test_minimal(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(profile_apply(&f->s, "minimal", &f->e), 0);
	assert_int_equal(check_minimal_ops(&f->s), f->s.n_ops);
	check_minimal_namespaces(&f->s);
	assert_true(f->s.new_session);
	assert_string_equal(f->s.profile, "minimal");
	assert_null(f->s.chdir);
	assert_int_equal(f->s.n_env, 0);
	assert_false(f->s.clearenv);
}

static void test_minimal_keeps_earlier_ops(void **state)
{
	struct fixture *f = *state;
	struct op *o = spec_add_op(&f->s, OP_DIR, "--dir", &f->e);
	assert_non_null(o);
	o->dest = strdup("/before");
	assert_int_equal(profile_apply(&f->s, "minimal", &f->e), 0);
	assert_string_equal(f->s.ops[0].dest, "/before");
	assert_string_equal(f->s.ops[1].dest, "/usr");
}

static void test_shell_home_and_cwd(void **state)
{
	struct fixture *f = *state;
	char work[PATH_MAX], home[PATH_MAX];
	size_t i;
	mkdir_in(f->tmp, "work");
	mkdir_in(f->tmp, "home");
	snprintf(work, sizeof(work), "%s/work", f->tmp);
	snprintf(home, sizeof(home), "%s/home", f->tmp);
	assert_int_equal(chdir(work), 0);
	setenv("HOME", home, 1);
	assert_int_equal(profile_apply(&f->s, "shell", &f->e), 0);
	i = check_minimal_ops(&f->s);
	check_minimal_namespaces(&f->s);
	assert_false(f->s.new_session); /* job control needs the caller's session */
	assert_int_equal(f->s.n_ops, i + 2);
	assert_op(&f->s.ops[i], OP_BIND, OPF_RO, home, home);
	assert_op(&f->s.ops[i + 1], OP_BIND, 0, work, work);
	assert_string_equal(f->s.ops[i + 1].option, "--bind");
	assert_string_equal(f->s.chdir, work);
	assert_string_equal(f->s.profile, "shell");
	assert_int_equal(f->s.n_env, 0);
}

static void test_shell_cwd_inside_home(void **state)
{
	struct fixture *f = *state;
	char proj[PATH_MAX], home[PATH_MAX];
	size_t i;
	mkdir_in(f->tmp, "home");
	mkdir_in(f->tmp, "home/proj");
	snprintf(home, sizeof(home), "%s/home", f->tmp);
	snprintf(proj, sizeof(proj), "%s/home/proj", f->tmp);
	assert_int_equal(chdir(proj), 0);
	setenv("HOME", home, 1);
	assert_int_equal(profile_apply(&f->s, "shell", &f->e), 0);
	i = check_minimal_ops(&f->s);
	/* HOME (outer, read-only) first, so the writable cwd is not covered by it */
	assert_op(&f->s.ops[i], OP_BIND, OPF_RO, home, home);
	assert_op(&f->s.ops[i + 1], OP_BIND, 0, proj, proj);
}

static void test_shell_home_inside_cwd(void **state)
{
	struct fixture *f = *state;
	char work[PATH_MAX], home[PATH_MAX];
	size_t i;
	mkdir_in(f->tmp, "work");
	mkdir_in(f->tmp, "work/home");
	snprintf(work, sizeof(work), "%s/work", f->tmp);
	snprintf(home, sizeof(home), "%s/work/home", f->tmp);
	assert_int_equal(chdir(work), 0);
	setenv("HOME", home, 1);
	assert_int_equal(profile_apply(&f->s, "shell", &f->e), 0);
	i = check_minimal_ops(&f->s);
	/* cwd (outer) first, then HOME read-only on top of it */
	assert_op(&f->s.ops[i], OP_BIND, 0, work, work);
	assert_op(&f->s.ops[i + 1], OP_BIND, OPF_RO, home, home);
}

static void shell_expect_no_home(struct fixture *f, const char *home)
{
	char work[PATH_MAX];
	size_t i;
	snprintf(work, sizeof(work), "%s/work", f->tmp);
	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	spec_free(&f->s);
	assert_int_equal(profile_apply(&f->s, "shell", &f->e), 0);
	i = check_minimal_ops(&f->s);
	assert_int_equal(f->s.n_ops, i + 1);
	assert_op(&f->s.ops[i], OP_BIND, 0, work, work);
	assert_string_equal(f->s.chdir, work);
}

static void test_shell_home_skipped(void **state)
{
	struct fixture *f = *state;
	char work[PATH_MAX], missing[PATH_MAX];
	mkdir_in(f->tmp, "work");
	snprintf(work, sizeof(work), "%s/work", f->tmp);
	snprintf(missing, sizeof(missing), "%s/nope", f->tmp);
	assert_int_equal(chdir(work), 0);
	shell_expect_no_home(f, NULL);		  /* unset */
	shell_expect_no_home(f, missing);	  /* does not exist */
	shell_expect_no_home(f, work);		  /* same as cwd */
	shell_expect_no_home(f, "/");		  /* would expose the whole host */
	shell_expect_no_home(f, "");		  /* empty */
	shell_expect_no_home(f, "/etc/hostname"); /* not a directory */
}

static void test_shell_refuses_root_cwd(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(profile_apply(&f->s, "shell", &f->e), -1);
	assert_string_equal(f->e.msg, "the current directory is /: refusing to bind the whole host "
				      "read-write (cd somewhere else)");
}

static void test_unknown_profile(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(profile_apply(&f->s, "foo", &f->e), -1);
	assert_string_equal(f->e.msg, "unknown profile (minimal, shell)");
	assert_int_equal(f->s.n_ops, 0);
	assert_null(f->s.profile);
	assert_int_equal(profile_apply(&f->s, "", &f->e), -1);
	assert_int_equal(profile_apply(&f->s, "Minimal", &f->e), -1);
}

static void test_profile_list(void **state)
{
	char buf[128] = "";
	FILE *tmp = tmpfile();
	size_t n;
	(void)state;
	assert_non_null(tmp);
	profile_list(tmp);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	assert_string_equal(buf, "minimal\nshell\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_minimal),
		T(test_minimal_keeps_earlier_ops),
		T(test_shell_home_and_cwd),
		T(test_shell_cwd_inside_home),
		T(test_shell_home_inside_cwd),
		T(test_shell_home_skipped),
		T(test_shell_refuses_root_cwd),
		T(test_unknown_profile),
		T(test_profile_list),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
