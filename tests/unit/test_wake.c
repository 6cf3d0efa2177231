/* Unit tests for forktop/wake.c: what ends the tracer's blocking wait4(). A signal for forktop
 * and a deadline each make wait4() return (through the wake-up child) and nothing else; the
 * signal is then in the queue with its sender; no child is left behind. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../forktop/wake.h"

static const int sigs[] = { SIGUSR1, SIGTERM };

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* wait4(-1) as the tracer does; the reaped child is reported to w */
static pid_t reap(struct wake *w, int *status)
{
	pid_t pid;
	while ((pid = wait4(-1, status, __WALL, NULL)) < 0 && errno == EINTR)
		;
	if (pid > 0)
		wake_reaped(w, pid);
	return pid;
}

/* A child that lives until finish(): with no child at all, wait4() would return ECHILD at once
 * (the tracer always has its tracees). */
static pid_t sleeper;

static struct wake *start(void)
{
	struct wake *w = NULL;
	struct err e;
	sleeper = fork();
	if (sleeper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed assertion skips finish() */
		pause();
		_exit(0);
	}
	assert_true(sleeper > 0);
	assert_int_equal(wake_start(&w, sigs, 2, &e), 0);
	assert_non_null(w);
	return w;
}

/* Stop w, end the sleeper: then no child may be left. */
static void finish(struct wake *w)
{
	wake_stop(w);
	kill(sleeper, SIGKILL);
	assert_int_equal(waitpid(sleeper, NULL, 0), sleeper);
	assert_int_equal(waitpid(-1, NULL, __WALL | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_signal_ends_the_wait(void **state)
{
	struct wake *w = start();
	siginfo_t si;
	int status;
	pid_t pid;
	(void)state;
	assert_false(wake_take(w, &si));
	kill(getpid(), SIGUSR1);
	pid = reap(w, &status);
	assert_true(pid > 0 && pid != getpid());
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the queue is filled before the child exists: it is there once the child is reaped */
	assert_true(wake_take(w, &si));
	assert_int_equal(si.si_signo, SIGUSR1);
	assert_int_equal(si.si_pid, getpid());
	assert_false(wake_take(w, &si));
	finish(w);
}

static void test_two_signals_both_queued(void **state)
{
	struct wake *w = start();
	siginfo_t si;
	int status, seen = 0;
	(void)state;
	kill(getpid(), SIGTERM);
	kill(getpid(), SIGUSR1);
	/* both may come through one child, or through two: take them as the tracer does (the
	 * kernel hands pending signals over lowest number first, not in the order sent) */
	while (seen != 3) {
		while (!wake_take(w, &si))
			assert_true(reap(w, &status) > 0);
		seen |= si.si_signo == SIGTERM ? 1 : si.si_signo == SIGUSR1 ? 2 : 4;
	}
	assert_int_equal(seen, 3);
	finish(w); /* reaps a child still outstanding */
}

static void test_deadline_ends_the_wait(void **state)
{
	struct wake *w = start();
	int64_t t0 = mono_ns(), dt;
	siginfo_t si;
	int status;
	(void)state;
	wake_at(w, t0 + 30 * 1000000);
	assert_true(reap(w, &status) > 0);
	dt = mono_ns() - t0;
	assert_true(dt >= 29 * 1000000);
	assert_true(dt < 2000LL * 1000000);
	assert_false(wake_take(w, &si)); /* a deadline queues no signal */
	finish(w);
}

static void test_cancelled_deadline_does_not_wake(void **state)
{
	struct wake *w = start();
	pid_t c;
	int status;
	(void)state;
	wake_at(w, mono_ns() + 20 * 1000000);
	wake_at(w, -1);
	/* a child of our own that exits after the cancelled deadline must be the first report */
	c = fork();
	if (c == 0) {
		usleep(100000);
		_exit(7);
	}
	assert_int_equal(reap(w, &status), c);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	finish(w);
}

static void test_later_deadline_moves_the_timer(void **state)
{
	struct wake *w = start();
	int64_t t0 = mono_ns();
	int status;
	(void)state;
	wake_at(w, t0 + 10 * 1000000);
	wake_at(w, t0 + 60 * 1000000); /* more than WAKE_SLACK_NS later: set again */
	assert_true(reap(w, &status) > 0);
	assert_true(mono_ns() - t0 >= 59 * 1000000);
	finish(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_ends_the_wait),
		cmocka_unit_test(test_two_signals_both_queued),
		cmocka_unit_test(test_deadline_ends_the_wait),
		cmocka_unit_test(test_cancelled_deadline_does_not_wake),
		cmocka_unit_test(test_later_deadline_moves_the_timer),
	};
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < 2; i++)
		sigaddset(&set, sigs[i]);
	sigaddset(&set, WAKE_TIMER_SIG);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
