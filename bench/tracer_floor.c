/* The benchmark floor: the least a correct event tracer must do. Same ptrace options as
 * forktop (SEIZE with fork/vfork/clone/exec/exit events, EXITKILL), blocking waitpid(__WALL),
 * reads each exec'd command line while the tracee is stopped, resumes everything at once
 * (group-stops with LISTEN, signals re-injected). No model, no output.
 * Built by bench/bench_forktop.sh: cc -O2 -o build/bench/tracer_floor bench/tracer_floor.c
 * Usage: tracer_floor CMD [ARGS...]; exits with CMD's status. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static void read_cmdline(pid_t pid)
{
	char path[64], buf[4096];
	int fd;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

int main(int argc, char **argv)
{
	int p[2], status, code = 1;
	pid_t root;
	char c = 'x';
	if (argc < 2) {
		fputs("usage: tracer_floor CMD [ARGS...]\n", stderr);
		return 2;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	root = fork();
	if (root == 0) {
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		execvp(argv[1], &argv[1]);
		_exit(127);
	}
	if (ptrace(PTRACE_SEIZE, root, NULL,
		   (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
				  PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) < 0)
		return 1;
	if (write(p[1], &c, 1) != 1)
		return 1;
	for (;;) {
		pid_t t = waitpid(-1, &status, __WALL);
		int sig = 0, ev;
		if (t < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (t == root)
				code = WIFEXITED(status) ? WEXITSTATUS(status)
							 : 128 + WTERMSIG(status);
			continue;
		}
		ev = status >> 16;
		if (ev == PTRACE_EVENT_EXEC)
			read_cmdline(t);
		if (ev == PTRACE_EVENT_STOP) {
			int s = WSTOPSIG(status);
			if (s == SIGSTOP || s == SIGTSTP || s == SIGTTIN || s == SIGTTOU) {
				ptrace(PTRACE_LISTEN, t, NULL, NULL);
				continue;
			}
		} else if (ev == 0) {
			sig = WSTOPSIG(status);
		}
		ptrace(PTRACE_CONT, t, NULL, (void *)(long)sig);
	}
	return code;
}
