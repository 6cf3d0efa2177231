/* cordon-enter: a shell (or a command) with exactly a running process's permissions.
 *   cordon-enter [--hijack] [--force] [--shell PATH] PID [-- COMMAND [ARG...]]
 *   cordon-enter --check [--hijack] [--force] [--shell PATH] PID
 * Join mode (default) enters the process's namespaces and copies its identity (join.h);
 * --hijack forks the process itself from the outside by syscall injection (inject.h). Thin:
 * parse, build the request, run it, relay the terminal and the exit status. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../common/err.h"
#include "enter_check.h"
#include "inject.h"
#include "join.h"
#include "shell.h"

#define PROG "cordon-enter"

struct opts {
	bool hijack, check, force;
	const char *shell;
	pid_t pid;
	char **command; /* NULL: a shell */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [--hijack] [--force] [--shell PATH] PID [-- COMMAND [ARG...]]\n"
		"       " PROG " --check [--hijack] [--force] [--shell PATH] PID\n"
		"Run a shell (or COMMAND) with exactly the permissions of the running process PID.\n"
		"  (default)     join: enter PID's namespaces, root and cwd, take its uid/gid,\n"
		"                capabilities, no_new_privs, rlimits and (if readable) seccomp filter\n"
		"  --hijack      fork PID itself by ptrace syscall injection: the command keeps every\n"
		"                attribute (also cgroup, LSM label, seccomp filter); PID continues\n"
		"  --shell PATH  the shell inside (default: PID's $SHELL, then /bin/sh)\n"
		"  --force       hijack even when PID's seccomp filter cannot be read\n"
		"  --check       compare the injected command's permissions with PID's, field by field\n"
		"  --help, --version\n"
		"Exit status: the command's; 128+N if killed by signal N; 1 usage or setup error;\n"
		"126 not executable; 127 not found inside.\n");
}

static int parse_pid(const char *s, pid_t *pid, struct err *e)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v <= 0 || v > INT_MAX)
		return err_setx(e, "PID %s: not a process id", s);
	*pid = (pid_t)v;
	return 0;
}

/* Returns 1 when the program should exit 0 (--help, --version). */
static int parse_args(int argc, char **argv, struct opts *o, struct err *e)
{
	int i = 1;
	memset(o, 0, sizeof(*o));
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "--version")) {
			printf(PROG " " VERSION "\n");
			return 1;
		} else if (!strcmp(a, "--hijack")) {
			o->hijack = true;
		} else if (!strcmp(a, "--check")) {
			o->check = true;
		} else if (!strcmp(a, "--force")) {
			o->force = true;
		} else if (!strcmp(a, "--shell")) {
			if (++i >= argc)
				return err_setx(e, "--shell: needs a path");
			if (argv[i][0] != '/')
				return err_setx(e, "--shell %s: not an absolute path", argv[i]);
			o->shell = argv[i];
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			return err_setx(e, "%s: unknown option (see --help)", a);
		}
	}
	if (i >= argc)
		return err_setx(e, "missing PID (see --help)");
	if (parse_pid(argv[i++], &o->pid, e) < 0)
		return -1;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i < argc) {
		if (o->check)
			return err_setx(e, "--check: takes no COMMAND");
		o->command = &argv[i];
	}
	return 0;
}

/* --- terminal -------------------------------------------------------------------------- */

struct term {
	int master, slave; /* -1 when stdio is passed as is */
	bool raw;
	struct termios saved;
};

static int term_open(struct term *t, bool want, struct err *e)
{
	struct winsize ws;
	t->master = t->slave = -1;
	t->raw = false;
	if (!want || !isatty(STDIN_FILENO))
		return 0;
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0 || grantpt(t->master) < 0 || unlockpt(t->master) < 0)
		return err_set(e, errno, "pseudo-terminal");
	/* the peer by fd, never by a /dev/pts path */
	t->slave = ioctl(t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0)
		return err_set(e, errno, "pseudo-terminal peer");
	if (tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		struct termios raw = t->saved;
		tcsetattr(t->slave, TCSANOW, &t->saved);
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
			t->raw = true;
	}
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
	return 0;
}

static void term_close(struct term *t)
{
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
	t->raw = false;
	if (t->master >= 0)
		close(t->master);
	if (t->slave >= 0)
		close(t->slave);
	t->master = t->slave = -1;
}

static bool copy_fd(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno != EINTR)
			return false;
		off += w > 0 ? w : 0;
	}
	return true;
}

/* --- waiting for the command ----------------------------------------------------------- */

struct session {
	pid_t child;	   /* what we wait for */
	bool traced;	   /* hijack: we are its tracer, not its parent */
	int pidfd;	   /* signals are forwarded through it */
	struct term *term; /* never NULL (master -1: stdio passed as is) */
	int status;
	bool done;
};

/* Handle the ptrace stops of a traced command: deliver its signals, keep its job-control
 * stops real (LISTEN), note its exit. */
static void reap(struct session *s)
{
	int st;
	while (waitpid(s->child, &st, WNOHANG | __WALL) == s->child) {
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			s->status = st;
			s->done = true;
			return;
		}
		if (!s->traced || !WIFSTOPPED(st))
			continue;
		int ev = st >> 16, sig = WSTOPSIG(st);
		if (ev == PTRACE_EVENT_STOP &&
		    (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU))
			ptrace(PTRACE_LISTEN, s->child, NULL, NULL);
		else
			ptrace(PTRACE_CONT, s->child, NULL, (void *)(long)(ev ? 0 : sig));
	}
}

static int session_run(struct session *s, int sfd, struct err *e)
{
	struct signalfd_siginfo si;
	bool in_open = s->term->master >= 0;
	while (!s->done) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { -1, POLLIN, 0 }, { -1, POLLIN, 0 } };
		if (s->term->master >= 0) {
			p[1].fd = in_open ? STDIN_FILENO : -1;
			p[2].fd = s->term->master;
		}
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			return err_set(e, errno, "poll");
		if (p[1].revents && !copy_fd(STDIN_FILENO, s->term->master))
			in_open = false;
		if (p[2].revents && !copy_fd(s->term->master, STDOUT_FILENO)) {
			close(s->term->master); /* the command and its children closed the tty */
			s->term->master = -1;
		}
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD) {
			reap(s);
		} else if (si.ssi_signo == SIGWINCH && s->term->master >= 0) {
			struct winsize ws;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(s->term->master, TIOCSWINSZ, &ws);
		} else if (si.ssi_signo != SIGWINCH) {
			syscall(SYS_pidfd_send_signal, s->pidfd, si.ssi_signo, NULL, 0);
		}
	}
	/* what the command wrote last */
	while (s->term->master >= 0 && copy_fd(s->term->master, STDOUT_FILENO)) {
		struct pollfd p = { s->term->master, POLLIN, 0 };
		if (poll(&p, 1, 0) <= 0)
			break;
	}
	return 0;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* --- the two modes --------------------------------------------------------------------- */

struct run {
	struct opts o;
	struct shell_strv env, paths;
	struct term term;
	int sfd;
};

static int start_hijack(struct run *r, struct session *s, double *pause_ms, struct err *e)
{
	struct hijack_result res;
	struct hijack_req req = {
		.paths = (const char *const *)r->paths.v,
		.argv = r->o.command,
		.envp = r->env.v,
		.fds = { 0, 1, 2 },
		.ctty = r->term.slave >= 0,
	};
	if (r->term.slave >= 0)
		req.fds[0] = req.fds[1] = req.fds[2] = r->term.slave;
	if (inject_hijack(r->o.pid, r->o.force ? INJECT_FORCE_SECCOMP : 0, NULL, &req, &res, e) < 0)
		return -1;
	s->child = res.child;
	s->traced = true;
	s->pidfd = res.pidfd;
	*pause_ms = res.pause_ms;
	return 0;
}

static int start_join(struct run *r, struct session *s, bool trace, struct join_result *res,
		      struct err *e)
{
	struct join_req req = {
		.pid = r->o.pid,
		.argv = r->o.command,
		.paths = (const char *const *)r->paths.v,
		.envp = r->env.v,
		.fds = { 0, 1, 2 },
		.ctty = r->term.slave >= 0,
		.trace = trace,
	};
	if (r->term.slave >= 0)
		req.fds[0] = req.fds[1] = req.fds[2] = r->term.slave;
	if (join_spawn(&req, res, e) < 0)
		return -1;
	s->child = res->child;
	s->traced = false;
	s->pidfd = (int)syscall(SYS_pidfd_open, res->child, 0);
	return 0;
}

static int block_signals(int *sfd, struct err *e)
{
	sigset_t set;
	sigemptyset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGSEGV && sig != SIGBUS &&
		    sig != SIGFPE && sig != SIGILL && sig != SIGTRAP && sig != SIGABRT &&
		    sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU && sig != SIGCONT &&
		    sig < SIGRTMIN)
			sigaddset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return err_set(e, errno, "sigprocmask");
	*sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (*sfd < 0)
		return err_set(e, errno, "signalfd");
	return 0;
}

static int run_command(struct run *r, int *code, struct err *e)
{
	struct session s = { .term = &r->term, .pidfd = -1 };
	struct join_result jr;
	double pause_ms = 0;
	if (term_open(&r->term, !r->o.command, e) < 0)
		return -1;
	if (r->o.hijack ? start_hijack(r, &s, &pause_ms, e) : start_join(r, &s, false, &jr, e))
		return -1;
	/* only the command keeps the terminal's peer open: its exit ends the output */
	if (r->term.slave >= 0) {
		close(r->term.slave);
		r->term.slave = -1;
	}
	if (!r->o.command && r->o.hijack)
		fprintf(stderr,
			PROG ": shell in process %d by hijack (a fork of it, with every "
			     "permission it has; it was paused %.1f ms); exit to return\r\n",
			(int)r->o.pid, pause_ms);
	else if (!r->o.command)
		fprintf(stderr,
			PROG ": shell in process %d by join (not copied: %s); exit to "
			     "return\r\n",
			(int)r->o.pid, jr.missing);
	if (s.traced && ptrace(PTRACE_CONT, s.child, NULL, NULL) < 0)
		return err_set(e, errno, "ptrace cont %d", (int)s.child);
	if (session_run(&s, r->sfd, e) < 0)
		return -1;
	if (s.pidfd >= 0)
		close(s.pidfd);
	*code = exit_code(s.status);
	return 0;
}

static int run_check(struct run *r, int *code, struct err *e)
{
	struct enter_table tab;
	if (enter_check_run(r->o.pid, r->o.hijack, r->o.force, (const char *const *)r->paths.v,
			    r->env.v, &tab, e) < 0)
		return -1;
	printf("%-16s %-10s %-46s %s\n", "FIELD", "RESULT", "TARGET", "COMMAND");
	for (size_t i = 0; i < tab.n; i++)
		printf("%-16s %-10s %-46s %s\n", tab.rows[i].name,
		       tab.rows[i].equal ? "equal" : "DIFFERENT", tab.rows[i].target,
		       tab.rows[i].command);
	printf("%s: %zu of %zu fields equal (%s, command %s)\n", PROG, tab.nequal, tab.n,
	       r->o.hijack ? "hijack" : "join", tab.path);
	*code = tab.nequal == tab.n ? 0 : 2;
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	struct run r = { .sfd = -1, .term = { .master = -1, .slave = -1 } };
	struct err e;
	const char *command;
	int code = 1, rc;
	err_clear(&e);
	rc = parse_args(argc, argv, &r.o, &e);
	if (rc == 1)
		return 0;
	command = r.o.command ? r.o.command[0] : NULL; /* NULL: a shell */
	/* join mode reaches into the sandbox: run from a sealed copy first */
	if (rc == 0 && !r.o.hijack && join_reexec_sealed(argv, envp, &e) < 0)
		rc = -1;
	if (rc == 0 && (shell_env(r.o.pid, !r.o.hijack, &r.env, &e) < 0 ||
			shell_exec_paths(&r.env, r.o.shell, command, &r.paths, &e) < 0 ||
			block_signals(&r.sfd, &e) < 0))
		rc = -1;
	if (rc == 0)
		rc = r.o.check ? run_check(&r, &code, &e) : run_command(&r, &code, &e);
	term_close(&r.term);
	shell_strv_free(&r.env);
	shell_strv_free(&r.paths);
	if (r.sfd >= 0)
		close(r.sfd);
	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		return e.exit_code ? e.exit_code : 1;
	}
	return code;
}
