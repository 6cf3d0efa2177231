/* Unit tests for join's seccomp filter reading (forktop/join.c, join_filters_read): what forktop
 * does as the tracer of a process it joins. The filters come back oldest first, so that
 * installing them in that order rebuilds the same stack (observable: with two filters that
 * return different errnos for one syscall, the newest one's errno wins). */
#include <errno.h>
#include <setjmp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/seccomp.h>

#include "../../forktop/join.h"

/* mkdir fails with err under a new filter; false if it could not be installed */
static bool deny_mkdir(int err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	bool ok = ctx &&
		  seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), SCMP_SYS(mkdir), 0) == 0 &&
		  seccomp_load(ctx) == 0;
	seccomp_release(ctx);
	return ok;
}

/* A child under n filters (mkdir: EPERM from the oldest, then EACCES, ENOSPC...), seized and in
 * an interrupt-stop. */
static pid_t filtered_child(int n)
{
	static const int errs[] = { EPERM, EACCES, ENOSPC, EROFS };
	int st, ready[2];
	char go;
	assert_int_equal(pipe(ready), 0);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		close(ready[0]);
		for (int i = 0; i < n; i++)
			if (!deny_mkdir(errs[i % 4]))
				_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &go, 1), 1); /* its filters are in place */
	close(ready[0]);
	assert_int_equal(ptrace(PTRACE_SEIZE, c, NULL, NULL), 0);
	assert_int_equal(ptrace(PTRACE_INTERRUPT, c, NULL, NULL), 0);
	assert_int_equal(waitpid(c, &st, __WALL), c);
	assert_true(WIFSTOPPED(st));
	return c;
}

static void kill_child(pid_t c)
{
	kill(c, SIGKILL);
	waitpid(c, NULL, __WALL);
}

/* mkdir's errno in a child that installs f (as join's B does), 0 if it got through */
static int errno_under(const struct join_filters *f)
{
	int st;
	char dir[] = "/tmp/test_join.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d", dir);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		for (int i = 0; i < f->n; i++)
			if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f->prog[i]) < 0)
				_exit(200);
		_exit(mkdir(path, 0700) == 0 ? 0 : errno);
	}
	assert_int_equal(waitpid(c, &st, 0), c);
	rmdir(path);
	rmdir(dir);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_filters_read_oldest_first(void **state)
{
	struct join_filters f = { .n = 0 };
	struct err e;
	(void)state;
	if (geteuid() != 0)
		skip(); /* PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN */
	pid_t c = filtered_child(2);
	assert_int_equal(join_filters_read(c, &f, &e), 0);
	kill_child(c);
	assert_int_equal(f.n, 2);
	/* the newest filter's errno wins: EACCES only when installed in the same order */
	assert_int_equal(errno_under(&f), EACCES);
	join_filters_free(&f);
	assert_int_equal(f.n, 0);
}

static void test_no_filter_reads_as_an_error(void **state)
{
	struct join_filters f = { .n = 0 };
	struct err e;
	(void)state;
	if (geteuid() != 0)
		skip();
	pid_t c = filtered_child(0);
	/* the kernel says EINVAL for a process without filters: join shows none as unreadable
	 * only when /proc says it has some */
	assert_int_equal(join_filters_read(c, &f, &e), -1);
	assert_int_equal(e.code, EINVAL);
	assert_int_equal(f.n, 0);
	kill_child(c);
}

static void test_too_many_filters(void **state)
{
	struct join_filters f = { .n = 0 };
	struct err e;
	(void)state;
	if (geteuid() != 0)
		skip();
	pid_t c = filtered_child(JOIN_MAX_FILTERS + 1);
	assert_int_equal(join_filters_read(c, &f, &e), -1);
	assert_non_null(strstr(e.msg, "more than 32 seccomp filters"));
	assert_int_equal(f.n, 0);
	kill_child(c);
}

/* In a process that is not privileged (uid 65534 when we run as root): a child of its own
 * under a filter, seized and interrupted, then join_filters_read. Exit code: the error's errno
 * (0: the read succeeded), 100+ when the set-up failed. No cmocka here: this runs forked. */
static void __attribute__((noreturn)) unprivileged_reader(void)
{
	struct join_filters f = { .n = 0 };
	struct err e = { 0 };
	int st, ready[2];
	char go;
	pid_t c;
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			       setresuid(65534, 65534, 65534) < 0))
		_exit(100);
	/* a uid change made us non-dumpable, which would forbid the seize below */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		_exit(100);
	if (pipe(ready) < 0 || (c = fork()) < 0)
		_exit(101);
	if (c == 0) {
		/* never outlives the reader, whatever path it takes */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() == 1 ||
		    !deny_mkdir(EPERM) || write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &go, 1) != 1 || ptrace(PTRACE_SEIZE, c, NULL, NULL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, c, NULL, NULL) < 0 || waitpid(c, &st, __WALL) != c)
		_exit(102);
	st = join_filters_read(c, &f, &e) == 0 ? 0 : e.code;
	kill(c, SIGKILL);
	waitpid(c, NULL, __WALL);
	_exit(st > 0 && st < 100 ? st : st == 0 ? 0 : 103);
}

static void test_unprivileged_is_refused(void **state)
{
	int st;
	pid_t c;
	(void)state;
	c = fork();
	assert_true(c >= 0);
	if (c == 0)
		unprivileged_reader();
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters_read_oldest_first),
		cmocka_unit_test(test_no_filter_reads_as_an_error),
		cmocka_unit_test(test_too_many_filters),
		cmocka_unit_test(test_unprivileged_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
