/* Unit tests for forktop/inject.c (restart conversion, the seccomp BPF evaluator checked
 * against programs libseccomp compiles, a live injection into a sleeping child) and
 * forktop/enter_check.c (the comparison table). */
#include <errno.h>
#include <setjmp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../../forktop/enter_check.h"
#include "../../forktop/inject.h"

static void test_fixup_restart_codes(void **state)
{
	static const struct {
		long rax;
		unsigned long want_rax;
		bool fixed;
	} cases[] = {
		{ -512, 0, true }, /* ERESTARTSYS: the syscall itself again */
		{ -513, 0, true }, /* ERESTARTNOINTR */
		{ -514, 0, true }, /* ERESTARTNOHAND */
		{ -516, SYS_restart_syscall, true },
		{ -4, (unsigned long)-4, false }, /* EINTR is the program's to see */
		{ 5, 5, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct user_regs_struct r;
		memset(&r, 0, sizeof(r));
		r.orig_rax = SYS_read;
		r.rax = (unsigned long)cases[i].rax;
		r.rip = 0x1002;
		assert_int_equal(inject_fixup_restart(&r), cases[i].fixed);
		if (cases[i].fixed) {
			assert_int_equal(r.rip, 0x1000);
			assert_int_equal(r.rax,
					 cases[i].want_rax == 0 ? SYS_read : cases[i].want_rax);
		} else {
			assert_int_equal(r.rip, 0x1002);
			assert_int_equal(r.rax, cases[i].want_rax);
		}
	}
}

static void test_fixup_outside_syscall(void **state)
{
	struct user_regs_struct r;
	(void)state;
	memset(&r, 0, sizeof(r));
	r.orig_rax = (unsigned long)-1; /* not in a syscall: -512 in rax is just a value */
	r.rax = (unsigned long)-512;
	r.rip = 0x2000;
	assert_false(inject_fixup_restart(&r));
	assert_int_equal(r.rip, 0x2000);
}

/* Compile a libseccomp filter to classic BPF (through a memfd). */
static struct inject_bpf compile(scmp_filter_ctx ctx)
{
	struct inject_bpf p = { NULL, 0 };
	int fd = memfd_create("bpf", 0);
	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	off_t len = lseek(fd, 0, SEEK_END);
	p.insns = malloc((size_t)len);
	assert_non_null(p.insns);
	assert_int_equal(pread(fd, p.insns, (size_t)len, 0), len);
	p.n = (size_t)len / sizeof(struct sock_filter);
	close(fd);
	return p;
}

static uint32_t run(const struct inject_bpf *p, long nr, unsigned long a0)
{
	const unsigned long args[6] = { a0, 0, 0, 0, 0, 0 };
	return inject_bpf_run(p, nr, args, 0x1000);
}

static void test_bpf_matches_libseccomp(void **state)
{
	(void)state;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	assert_non_null(ctx);
	assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(fork), 0), 0);
	assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mkdir), 0), 0);
	/* clone only with CLONE_NEWUSER is refused (an argument comparison) */
	assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
					  SCMP_A0(SCMP_CMP_MASKED_EQ, 0x10000000, 0x10000000)),
			 0);
	assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(ioctl), 0), 0);
	struct inject_bpf p = compile(ctx);
	seccomp_release(ctx);

	assert_int_equal(inject_verdict_of(run(&p, SYS_getpid, 0)), INJV_ALLOW);
	assert_int_equal(inject_verdict_of(run(&p, SYS_fork, 0)), INJV_KILL);
	assert_int_equal(run(&p, SYS_mkdir, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(inject_verdict_of(run(&p, SYS_clone, SIGCHLD)), INJV_ALLOW);
	assert_int_equal(inject_verdict_of(run(&p, SYS_clone, 0x10000000 | SIGCHLD)), INJV_ERRNO);
	assert_int_equal(inject_verdict_of(run(&p, SYS_ioctl, 0)), INJV_KILL);
	free(p.insns);
}

static void test_bpf_garbage_never_allows(void **state)
{
	/* a load outside seccomp_data: unknown programs must not be called "allow" */
	struct sock_filter bad[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4096),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct inject_bpf p = { bad, 2 };
	(void)state;
	assert_int_equal(inject_verdict_of(run(&p, SYS_getpid, 0)), INJV_KILL);
	assert_int_equal(inject_verdict_of(SECCOMP_RET_USER_NOTIF), INJV_BLOCK);
	assert_int_equal(inject_verdict_of(SECCOMP_RET_LOG), INJV_ALLOW);
}

/* Inject getpid into a child blocked in nanosleep: the child's sleep must still complete
 * in full (restart_syscall), and the injected call must return the child's pid. */
static void test_live_injection_in_sleep(void **state)
{
	struct inject_thread t;
	struct err e;
	long ret = 0;
	int st;
	const unsigned long args[6] = { 0 };
	(void)state;
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		struct timespec ts = { 0, 400000000 }, a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		long r = syscall(SYS_nanosleep, &ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ms =
			(double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		_exit(r == 0 && ms >= 399 ? 0 : 1);
	}
	usleep(100000);
	assert_int_equal(inject_attach(&t, c, 0, 0, NULL, &e), 0);
	assert_int_equal(inject_syscall(&t, SYS_getpid, args, &ret, NULL, &e), 0);
	assert_int_equal(ret, c);
	assert_int_equal(inject_release(&t, &e), 0);
	assert_true(t.restart); /* it was interrupted inside nanosleep */
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_compare_table(void **state)
{
	struct enter_snap a, b;
	struct enter_table t;
	size_t n;
	(void)state;
	enter_field_names(&n);
	memset(&a, 0, sizeof(a));
	a.n = n;
	for (size_t i = 0; i < n; i++)
		strcpy(a.val[i], "x");
	b = a;
	strcpy(b.val[6], "2"); /* Seccomp */
	strcpy(a.val[7], "? (Permission denied)");
	strcpy(b.val[7], "? (Permission denied)");
	enter_compare(&a, &b, &t);
	assert_int_equal(t.n, n);
	assert_int_equal(t.nequal, n - 2); /* one differs, one unreadable on both sides */
	assert_string_equal(t.rows[6].name, "Seccomp");
	assert_false(t.rows[6].equal);
	assert_false(t.rows[7].equal);
	assert_true(t.rows[0].equal);
}

static void test_snapshot_self(void **state)
{
	struct enter_snap s;
	struct err e;
	(void)state;
	assert_int_equal(enter_snapshot(getpid(), &s, &e), 0);
	assert_int_equal(s.n, 19);
	assert_true(strncmp(s.val[9], "user:[", 6) == 0);
	assert_true(strstr(s.val[17], " ino ") != NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixup_restart_codes),
		cmocka_unit_test(test_fixup_outside_syscall),
		cmocka_unit_test(test_bpf_matches_libseccomp),
		cmocka_unit_test(test_bpf_garbage_never_allows),
		cmocka_unit_test(test_live_injection_in_sleep),
		cmocka_unit_test(test_compare_table),
		cmocka_unit_test(test_snapshot_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
