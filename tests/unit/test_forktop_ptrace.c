/* Unit tests for common/ptrace.c (status decoding, a real seized child) and common/procfs.c
 * (identity and snapshot of known processes). */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/procfs.h"
#include "../../common/ptrace.h"

static int stopped(int sig, int event)
{
	return (event << 16) | (sig << 8) | 0x7f;
}

static void test_decode(void **state)
{
	struct ptrace_stop s;
	(void)state;
	s = ptrace_decode(3 << 8);
	assert_int_equal(s.kind, PTS_EXITED);
	assert_int_equal(s.code, 3);
	s = ptrace_decode(SIGKILL);
	assert_int_equal(s.kind, PTS_KILLED);
	assert_int_equal(s.sig, SIGKILL);
	s = ptrace_decode(SIGSEGV | 0x80);
	assert_true(s.core);
	assert_int_equal(ptrace_decode(stopped(SIGTRAP, PTRACE_EVENT_FORK)).kind, PTS_FORK);
	assert_int_equal(ptrace_decode(stopped(SIGTRAP, PTRACE_EVENT_VFORK)).kind, PTS_VFORK);
	assert_int_equal(ptrace_decode(stopped(SIGTRAP, PTRACE_EVENT_CLONE)).kind, PTS_CLONE);
	assert_int_equal(ptrace_decode(stopped(SIGTRAP, PTRACE_EVENT_EXEC)).kind, PTS_EXEC);
	assert_int_equal(ptrace_decode(stopped(SIGTRAP, PTRACE_EVENT_EXIT)).kind, PTS_EXIT);
	s = ptrace_decode(stopped(SIGTSTP, PTRACE_EVENT_STOP));
	assert_int_equal(s.kind, PTS_GROUP_STOP);
	assert_int_equal(s.sig, SIGTSTP);
	assert_int_equal(ptrace_decode(stopped(SIGTRAP, PTRACE_EVENT_STOP)).kind, PTS_INTERRUPT);
	s = ptrace_decode(stopped(SIGUSR1, 0));
	assert_int_equal(s.kind, PTS_SIGNAL);
	assert_int_equal(s.sig, SIGUSR1);
	assert_string_equal(ptrace_stop_name(PTS_GROUP_STOP), "group-stop");
}

/* A child seized before it runs: fork, exec and exit events arrive in order. */
static void test_seized_child_events(void **state)
{
	int p[2], status;
	char c = 'x';
	struct err e;
	pid_t child, t;
	bool saw_fork = false, saw_exec = false;
	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	if (child == 0) {
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		if (fork() == 0)
			_exit(0);
		execl("/bin/sh", "sh", "-c", "exit 5", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(ptrace_seize(child, PTRACE_TRACE_OPTS | PTRACE_O_EXITKILL, &e), 0);
	assert_int_equal(write(p[1], &c, 1), 1);
	for (;;) {
		struct ptrace_stop s;
		unsigned long msg = 0;
		t = waitpid(-1, &status, __WALL);
		if (t < 0)
			break;
		s = ptrace_decode(status);
		if (t == child && s.kind == PTS_EXITED) {
			assert_int_equal(s.code, 5);
			continue;
		}
		if (s.kind == PTS_EXITED || s.kind == PTS_KILLED)
			continue;
		if (s.kind == PTS_FORK) {
			assert_int_equal(ptrace_event_msg(t, &msg, &e), 0);
			assert_true(msg > 0);
			saw_fork = true;
		}
		if (s.kind == PTS_EXEC) {
			assert_int_equal(ptrace_event_msg(t, &msg, &e), 0);
			assert_int_equal((pid_t)msg, child);
			saw_exec = true;
		}
		ptrace_resume(t, s.kind == PTS_SIGNAL ? s.sig : 0, &e);
	}
	assert_true(saw_fork);
	assert_true(saw_exec);
	close(p[0]);
	close(p[1]);
}

static void test_procfs_self(void **state)
{
	struct procfs *p;
	struct procfs_ident id;
	struct procfs_perms perms;
	struct err e;
	struct stat st;
	char *argv, *exe;
	size_t len;
	(void)state;
	assert_int_equal(procfs_new(&p, &e), 0);
	assert_int_equal(procfs_ident(p, getpid(), &id, &e), 0);
	assert_int_equal(id.tgid, getpid());
	assert_int_equal(id.ppid, getppid());
	assert_true(id.start_ticks > 0);
	assert_int_equal(id.state, 'R');
	assert_int_equal(procfs_perms(p, getpid(), &perms, &e), 0);
	assert_int_equal(perms.uid[PROCFS_ID_EFF], geteuid());
	assert_int_equal(perms.uid_ns[PROCFS_ID_REAL], getuid());
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(perms.ns[PROCFS_NS_NET], st.st_ino);
	assert_int_equal(perms.seccomp, 0);
	assert_true(perms.has_rlimits);
	assert_int_equal(procfs_exec_info(p, getpid(), &argv, &len, &exe, NULL, &e), 0);
	assert_non_null(strstr(argv, program_invocation_short_name));
	assert_non_null(strstr(exe, program_invocation_short_name));
	free(argv);
	free(exe);
	assert_int_equal(procfs_ident(p, 999999999, &id, &e), -1);
	assert_int_equal(e.code, ESRCH);
	assert_string_equal(procfs_ns_name(PROCFS_NS_CGROUP), "cgroup");
	procfs_free(p);
}

/* The exec path's snapshot (procfs_exec_info + procfs_exec_rest: namespaces through pidfd
 * ioctls where the kernel has them, the remembered cgroup path) equals the full one read
 * through libproc2 and /proc/PID/ns, for ourselves and for a child in new namespaces; and a
 * command line longer than the first read buffer comes back whole. */
static void check_exec_snapshot(struct procfs *p, pid_t pid)
{
	struct procfs_perms full, fast;
	struct err e;
	char *argv, *exe;
	size_t len;
	assert_int_equal(procfs_perms(p, pid, &full, &e), 0);
	for (int round = 0; round < 2; round++) { /* the second one hits the cgroup cache */
		assert_int_equal(procfs_exec_info(p, pid, &argv, &len, &exe, &fast, &e), 0);
		procfs_exec_rest(p, pid, &fast);
		for (int i = 0; i < PROCFS_NS_COUNT; i++)
			assert_int_equal(fast.ns[i], full.ns[i]);
		assert_string_equal(fast.cgroup, full.cgroup);
		assert_true(procfs_perms_equal(&fast, &full));
		free(argv);
		free(exe);
	}
}

static void test_procfs_exec_snapshot(void **state)
{
	struct procfs *p;
	struct err e;
	char *argv, *exe, big[9000];
	size_t len;
	int pp[2];
	pid_t child;
	(void)state;
	assert_int_equal(procfs_new(&p, &e), 0);
	check_exec_snapshot(p, getpid());
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pipe(pp), 0);
	child = fork();
	if (child == 0) {
		/* new uts and ipc namespaces when allowed (root); the same ones otherwise */
		if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0)
			(void)0;
		/* the shell waits on the pipe (a builtin: no child) until the test closes it */
		close(pp[1]);
		if (dup2(pp[0], 0) < 0)
			_exit(1);
		execl("/bin/sh", "sh", "-c", "read x", "sh", big, (char *)NULL);
		_exit(127);
	}
	close(pp[0]);
	for (int i = 0; i < 500; i++) { /* until it has exec'd */
		char *a = NULL, *x = NULL;
		if (procfs_exec_info(p, child, &a, &len, &x, NULL, &e) == 0 &&
		    strcmp(a, "sh") == 0) {
			free(a);
			free(x);
			break;
		}
		free(a);
		free(x);
		usleep(10000);
	}
	check_exec_snapshot(p, child);
	assert_int_equal(procfs_exec_info(p, child, &argv, &len, &exe, NULL, &e), 0);
	assert_int_equal(len, sizeof("sh") + sizeof("-c") + sizeof("read x") + sizeof("sh") +
				      sizeof(big));
	assert_string_equal(argv + len - sizeof(big), big);
	free(argv);
	free(exe);
	close(pp[1]);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	procfs_free(p);
}

static void test_explain_no_such_process(void **state)
{
	struct err e;
	(void)state;
	ptrace_explain_denial(999999999, ESRCH, &e);
	assert_string_equal(e.msg, "-p 999999999: No such process");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_seized_child_events),
		cmocka_unit_test(test_procfs_self),
		cmocka_unit_test(test_procfs_exec_snapshot),
		cmocka_unit_test(test_explain_no_such_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
