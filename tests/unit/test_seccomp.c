/* Unit tests for launcher/seccomp.c: cordon's libseccomp filter installed in a forked child
 * (TIOCSTI/TIOCLINUX fail with EPERM, also with high bits set in the 64-bit request, while
 * other ioctls work), --deny-syscall rules, and reading --seccomp programs from an fd. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/sysfilter.h"

/* Run fn in a child with prog installed (prog NULL: no filter); returns fn's exit code. */
static int in_child(const struct sock_fprog *prog, int (*fn)(void))
{
	int st;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sysfilter_progs p = { (struct sock_fprog *)(uintptr_t)prog, prog ? 1 : 0 };
		struct err e;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sysfilter_install(&p, &e) < 0)
			_exit(100);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* errno of ioctl(/dev/null, req) as the exit code (0 on success) */
static int ioctl_errno(unsigned long req)
{
	char c = 'x';
	int fd = open("/dev/null", O_RDONLY);
	long rc;
	if (fd < 0)
		return 99;
	rc = syscall(SYS_ioctl, fd, req, &c);
	return rc < 0 ? errno : 0;
}

static int try_tiocsti(void)
{
	return ioctl_errno(TIOCSTI);
}

static int try_tiocsti_high_bits(void)
{
	/* the kernel truncates the request to 32 bits: this is TIOCSTI to it */
	return ioctl_errno(TIOCSTI | (1UL << 32) | (0xabUL << 40));
}

static int try_tioclinux(void)
{
	return ioctl_errno(TIOCLINUX);
}

static int try_fionread(void)
{
	int p[2], n = -1;
	if (pipe(p) < 0 || write(p[1], "abc", 3) != 3)
		return 98;
	if (ioctl(p[0], FIONREAD, &n) < 0)
		return errno;
	return n == 3 ? 0 : 97;
}

static int try_mkdir(void)
{
	/* ENOENT from the kernel, EPERM from a filter: nothing is ever created */
	return mkdir("/nonexistent-cordon-test/x", 0700) < 0 ? errno : 0;
}

static void test_tty_filter_blocks_injection(void **state)
{
	struct sock_fprog prog = { 0, NULL };
	struct err e;
	(void)state;
	/* without a filter /dev/null is simply not a tty */
	assert_int_equal(in_child(NULL, try_tiocsti), ENOTTY);
	assert_int_equal(in_child(NULL, try_tiocsti_high_bits), ENOTTY);
	assert_int_equal(sysfilter_build(true, NULL, 0, &prog, &e), 0);
	assert_true(prog.len > 0);
	assert_int_equal(in_child(&prog, try_tiocsti), EPERM);
	assert_int_equal(in_child(&prog, try_tiocsti_high_bits), EPERM);
	assert_int_equal(in_child(&prog, try_tioclinux), EPERM);
	/* harmless ioctls still work */
	assert_int_equal(in_child(&prog, try_fionread), 0);
	assert_int_equal(in_child(&prog, try_mkdir), ENOENT);
	free(prog.filter);
}

static void test_deny_syscall(void **state)
{
	struct sock_fprog prog = { 0, NULL };
	char *deny[] = { (char *)(uintptr_t) "mkdir", (char *)(uintptr_t) "mkdirat" };
	struct err e;
	(void)state;
	assert_int_equal(in_child(NULL, try_mkdir), ENOENT);
	assert_int_equal(sysfilter_build(false, deny, 2, &prog, &e), 0);
	assert_int_equal(in_child(&prog, try_mkdir), EPERM);
	/* only what was asked for */
	assert_int_equal(in_child(&prog, try_tiocsti), ENOTTY);
	assert_int_equal(in_child(&prog, try_fionread), 0);
	free(prog.filter);
}

static void test_deny_unknown_syscall(void **state)
{
	struct sock_fprog prog = { 0, NULL };
	char *deny[] = { (char *)(uintptr_t) "no_such_call" };
	struct err e;
	(void)state;
	assert_int_equal(sysfilter_build(false, deny, 1, &prog, &e), -1);
	assert_string_equal(e.msg, "--deny-syscall no_such_call: unknown system call");
	assert_null(prog.filter);
}

static int fd_with(const void *data, size_t len)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	return p[0];
}

static void test_read_program(void **state)
{
	struct sock_fprog prog = { 0, NULL };
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u) };
	struct err e;
	char msg[128];
	int fd;
	(void)state;

	fd = fd_with(allow, sizeof(allow));
	assert_int_equal(sysfilter_read_program("--seccomp", fd, &prog, &e), 0);
	close(fd);
	assert_int_equal(prog.len, 1);
	assert_memory_equal(prog.filter, allow, sizeof(allow));
	/* the program read works as a filter */
	assert_int_equal(in_child(&prog, try_fionread), 0);
	free(prog.filter);

	fd = fd_with("abc", 3);
	assert_int_equal(sysfilter_read_program("--add-seccomp-fd", fd, &prog, &e), -1);
	snprintf(msg, sizeof(msg),
		 "--add-seccomp-fd %d: not a compiled BPF program (3 bytes, not a "
		 "non-zero multiple of 8)",
		 fd);
	assert_string_equal(e.msg, msg);
	close(fd);

	fd = fd_with("", 0);
	assert_int_equal(sysfilter_read_program("--seccomp", fd, &prog, &e), -1);
	assert_non_null(strstr(e.msg, "(0 bytes"));
	close(fd);

	assert_int_equal(sysfilter_read_program("--seccomp", 555, &prog, &e), -1);
	assert_string_equal(e.msg, "--seccomp 555: Bad file descriptor");
}

static void test_prepare_counts(void **state)
{
	struct sandbox_spec s;
	struct sysfilter_progs p;
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u) };
	struct err e;
	(void)state;
	spec_init(&s);
	/* default: the TIOCSTI filter */
	assert_int_equal(sysfilter_prepare(&s, &p, &e), 0);
	assert_int_equal(p.n, 1);
	sysfilter_progs_free(&p);
	/* --new-session too: setsid alone does not stop a privileged sandbox */
	s.new_session = true;
	assert_int_equal(sysfilter_prepare(&s, &p, &e), 0);
	assert_int_equal(p.n, 1);
	sysfilter_progs_free(&p);
	/* user programs come after cordon's own */
	s.seccomp_fd = fd_with(allow, sizeof(allow));
	assert_int_equal(spec_add_str(&s.syscall_deny, &s.n_syscall_deny, "mkdir", &e), 0);
	assert_int_equal(sysfilter_prepare(&s, &p, &e), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.progs[1].len, 1);
	sysfilter_progs_free(&p);
	close(s.seccomp_fd);
	s.seccomp_fd = -1;
	spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tty_filter_blocks_injection),
		cmocka_unit_test(test_deny_syscall),
		cmocka_unit_test(test_deny_unknown_syscall),
		cmocka_unit_test(test_read_program),
		cmocka_unit_test(test_prepare_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
