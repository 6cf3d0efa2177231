#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/ptrace.h"

/* Between fork and exec: only async-signal-safe calls, no malloc, no stdio. */
static void write_str(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static __attribute__((noreturn)) void child(const char *prog, char *const *argv, int rfd, bool ctty)
{
	sigset_t none;
	char c;
	ssize_t n;
	int err;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	do
		n = read(rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) /* the parent could not trace us: do not run untraced */
		_exit(1);
	/* the console pty becomes the controlling terminal of the command's own session: job
	 * control in a shell, ^C to its foreground job */
	if (ctty && (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)) {
		err = errno;
		write_str(prog);
		write_str(": console: ");
		write_str(strerrordesc_np(err) ? strerrordesc_np(err) : "TIOCSCTTY failed");
		write_str("\n");
		_exit(1);
	}
	execvp(argv[0], argv);
	err = errno;
	/* strerrordesc_np returns a static string: no locale machinery, no allocation */
	write_str(prog);
	write_str(": ");
	write_str(argv[0]);
	write_str(": ");
	write_str(strerrordesc_np(err) ? strerrordesc_np(err) : "exec failed");
	write_str("\n");
	_exit(err == ENOENT ? 127 : 126);
}

int launch_plain(const char *prog, char *const *argv, unsigned long opts, bool ctty, pid_t *pid,
		 struct err *e)
{
	int p[2];
	pid_t c;
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	c = fork();
	if (c < 0) {
		err_set(e, errno, "fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c == 0) {
		close(p[1]);
		child(prog, argv, p[0], ctty);
	}
	close(p[0]);
	if (ptrace_seize(c, opts, e) < 0) {
		close(p[1]);
		waitpid(c, NULL, 0);
		return -1;
	}
	if (write(p[1], "x", 1) != 1) {
		err_set(e, errno, "starting %s", argv[0]);
		close(p[1]);
		kill(c, SIGKILL);
		waitpid(c, NULL, __WALL);
		return -1;
	}
	close(p[1]);
	*pid = c;
	return 0;
}
