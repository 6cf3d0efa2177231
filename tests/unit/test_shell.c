/* Unit tests for forktop's s / S plumbing (forktop/shell.c): the UI <-> tracer mailbox and its
 * doorbell, the shell's environment and candidates, the seccomp deny-list check, and the
 * terminal relay over a real pty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../forktop/shell.h"

/* Whether the doorbell rang (consumed); it is blocked for the whole test program. */
static bool doorbell_rang(void)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };
	sigemptyset(&set);
	sigaddset(&set, SHELL_DOORBELL);
	return sigtimedwait(&set, NULL, &zero) == SHELL_DOORBELL;
}

static void test_box_one_request_at_a_time(void **state)
{
	struct shell_box b;
	struct shell_req r = { .pid = 42, .join = true, .fd = 7 }, got;
	struct shell_res res = { .rc = 0, .child = 99, .pause_ms = 1.5 }, out;
	struct err e;
	(void)state;
	shell_box_init(&b);
	assert_int_equal(b.known_filters, -1);
	assert_false(shell_box_take(&b, &got)); /* nothing posted: the tracer does nothing */
	assert_int_equal(shell_box_post(&b, &r, &e), 0);
	assert_true(doorbell_rang());
	assert_int_equal(shell_box_post(&b, &r, &e), -1);
	assert_string_equal(e.msg, "a shell is already starting");
	assert_false(doorbell_rang());
	assert_false(shell_box_result(&b, &out)); /* not answered yet */
	assert_true(shell_box_take(&b, &got));
	assert_int_equal(got.pid, 42);
	assert_true(got.join);
	assert_int_equal(got.fd, 7);
	assert_false(shell_box_take(&b, &got)); /* taken once */
	shell_box_done(&b, &res);
	assert_true(shell_box_result(&b, &out));
	assert_int_equal(out.child, 99);
	assert_int_equal(b.state, SHELL_RUNNING);
	assert_int_equal(shell_box_post(&b, &r, &e), -1);
	assert_string_equal(e.msg, "a shell is already running");
	shell_box_finish(&b);
	assert_int_equal(b.state, SHELL_IDLE);
	shell_box_destroy(&b);
}

static void test_box_failure_frees_it(void **state)
{
	struct shell_box b;
	struct shell_req r = { .pid = 5 }, got;
	struct shell_res out;
	struct err e, why;
	(void)state;
	shell_box_init(&b);
	assert_int_equal(shell_box_post(&b, &r, &e), 0);
	assert_true(doorbell_rang());
	assert_true(shell_box_take(&b, &got));
	err_setx(&why, "process 5 is stopped");
	shell_box_fail(&b, &why);
	assert_true(shell_box_result(&b, &out));
	assert_int_equal(out.rc, -1);
	assert_string_equal(out.e.msg, "process 5 is stopped");
	assert_int_equal(b.state, SHELL_IDLE); /* the next s may try again */
	assert_int_equal(shell_box_post(&b, &r, &e), 0);
	assert_true(doorbell_rang());
	shell_box_destroy(&b);
}

static void test_deny_list(void **state)
{
	char mk[] = "mkdir", pt[] = "ptrace", w4[] = "wait4", io[] = "ioctl";
	char *ok[] = { mk, pt }, *bad[] = { mk, w4 }, *ioctl[] = { io };
	(void)state;
	assert_true(shell_deny_list_ok(NULL, 0));
	assert_true(shell_deny_list_ok(ok, 2));
	assert_false(shell_deny_list_ok(bad, 2));
	assert_false(shell_deny_list_ok(ioctl, 1));
}

static void test_paths_skip_nologin(void **state)
{
	struct shell_strv env = { 0 }, paths = { 0 };
	struct err e;
	char s1[] = "SHELL=/bin/bash", s2[] = "SHELL=/usr/sbin/nologin", s3[] = "SHELL=/bin/sh";
	char *v1[] = { s1, NULL }, *v2[] = { s2, NULL }, *v3[] = { s3, NULL };
	(void)state;
	env.v = v1, env.n = 1;
	assert_int_equal(shell_paths(&env, &paths, &e), 0);
	assert_int_equal(paths.n, 2);
	assert_string_equal(paths.v[0], "/bin/bash");
	assert_string_equal(paths.v[1], "/bin/sh");
	assert_null(paths.v[2]);
	shell_strv_free(&paths);
	env.v = v2;
	assert_int_equal(shell_paths(&env, &paths, &e), 0);
	assert_int_equal(paths.n, 1);
	assert_string_equal(paths.v[0], "/bin/sh");
	shell_strv_free(&paths);
	env.v = v3;
	assert_int_equal(shell_paths(&env, &paths, &e), 0);
	assert_int_equal(paths.n, 1);
	shell_strv_free(&paths);
}

/* cordon-enter's candidates: COMMAND as given, along PATH, or --shell */
static void test_exec_paths_for_a_command(void **state)
{
	struct shell_strv env = { 0 }, paths = { 0 };
	struct err e;
	char p1[] = "PATH=/opt/x:/bin", s1[] = "SHELL=/bin/bash";
	char *v1[] = { p1, s1, NULL }, *v2[] = { s1, NULL };
	(void)state;
	env.v = v1, env.n = 2;
	assert_int_equal(shell_exec_paths(&env, NULL, "ls", &paths, &e), 0);
	assert_int_equal(paths.n, 2);
	assert_string_equal(paths.v[0], "/opt/x/ls");
	assert_string_equal(paths.v[1], "/bin/ls");
	shell_strv_free(&paths);
	/* a path is taken as is, --shell does not apply to a COMMAND */
	assert_int_equal(shell_exec_paths(&env, "/bin/zsh", "./run", &paths, &e), 0);
	assert_int_equal(paths.n, 1);
	assert_string_equal(paths.v[0], "./run");
	shell_strv_free(&paths);
	/* --shell replaces $SHELL and the /bin/sh fallback */
	assert_int_equal(shell_exec_paths(&env, "/bin/zsh", NULL, &paths, &e), 0);
	assert_int_equal(paths.n, 1);
	assert_string_equal(paths.v[0], "/bin/zsh");
	shell_strv_free(&paths);
	/* no PATH: the usual directories */
	env.v = v2, env.n = 1;
	assert_int_equal(shell_exec_paths(&env, NULL, "id", &paths, &e), 0);
	assert_int_equal(paths.n, 6);
	assert_string_equal(paths.v[0], "/usr/local/sbin/id");
	assert_string_equal(paths.v[5], "/bin/id");
	assert_null(paths.v[6]);
	shell_strv_free(&paths);
}

static void test_env_is_the_targets_with_a_marker(void **state)
{
	struct shell_strv env = { 0 };
	struct err e;
	char mark[64];
	bool has_mark = false, has_term = false, has_path = false;
	(void)state;
	setenv("TERM", "xterm-test", 1);
	assert_int_equal(shell_env(getpid(), false, &env, &e), 0);
	snprintf(mark, sizeof(mark), "CORDON_ENTER=%d:hijack", (int)getpid());
	for (size_t i = 0; i < env.n; i++) {
		has_mark |= strcmp(env.v[i], mark) == 0;
		/* TERM is ours, not the target's (here the same process, set before) */
		has_term |= strncmp(env.v[i], "TERM=", 5) == 0;
		has_path |= strncmp(env.v[i], "PATH=", 5) == 0;
	}
	assert_true(has_mark);
	assert_true(has_term);
	(void)has_path;
	assert_null(env.v[env.n]);
	shell_strv_free(&env);
}

static void tick(void *ctx)
{
	(*(int *)ctx)++;
}

/* The relay copies both ways and ends when the pty's last slave holder closes it. */
static void test_relay_ends_when_the_shell_hangs_up(void **state)
{
	int in[2], out[2], master, slave, ticks = 0;
	char buf[64] = "";
	ssize_t n;
	struct err e;
	(void)state;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(shell_pty_open(STDIN_FILENO, &master, &slave, &e), 0);
	assert_int_equal(write(slave, "from-shell\n", 11), 11);
	assert_int_equal(write(in[1], "typed\n", 6), 6);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		/* the "shell": reads what was typed, then hangs up */
		char got[16] = "";
		ssize_t k = read(slave, got, sizeof(got) - 1);
		_exit(k == 6 && memcmp(got, "typed\n", 6) == 0 ? 0 : 1);
	}
	close(slave);
	assert_int_equal(shell_relay(in[0], out[1], master, tick, &ticks, &e), 0);
	int st;
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = read(out[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "from-shell"));
	close(master);
	close(in[0]), close(in[1]), close(out[0]), close(out[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_box_one_request_at_a_time),
		cmocka_unit_test(test_box_failure_frees_it),
		cmocka_unit_test(test_deny_list),
		cmocka_unit_test(test_paths_skip_nologin),
		cmocka_unit_test(test_exec_paths_for_a_command),
		cmocka_unit_test(test_env_is_the_targets_with_a_marker),
		cmocka_unit_test(test_relay_ends_when_the_shell_hangs_up),
	};
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SHELL_DOORBELL);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
