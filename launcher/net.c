#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"

/* pasta options cordon sets itself: the user must not redirect pasta to another namespace,
 * daemonize it out of cordon's reach, or take its pid file (the readiness signal). */
static const struct {
	char short_name; /* 0: none */
	const char *long_name;
} refused[] = {
	{ 'f', "--foreground" },  { 'P', "--pid" },	 { 0, "--netns" },
	{ 0, "--userns" },	  { 0, "--netns-only" }, { 0, "--runas" },
	{ 0, "--no-netns-quit" }, { 0, "--config-net" }, { 'h', "--help" },
	{ 0, "--version" },
};

/* pasta's short options that take no value, so more letters may follow in the same word */
static const char PASTA_FLAGS[] = "dqfeh146";

/* getopt_long takes any unambiguous prefix of a long option, with "=value" or not */
static bool long_matches(const char *arg, const char *name)
{
	size_t n = strcspn(arg, "=");

	return n > 2 && strncmp(arg, name, n) == 0;
}

/* "-X", "-Xvalue", or X after a run of value-less flags ("-qf") */
static bool short_matches(const char *arg, char c)
{
	if (arg[0] != '-' || arg[1] == '-' || !c)
		return false;
	for (const char *q = arg + 1; *q; q++) {
		if (*q == c)
			return true;
		if (!strchr(PASTA_FLAGS, *q))
			return false;
	}
	return false;
}

static bool option_matches(const char *arg, char short_name, const char *long_name)
{
	return arg[0] == '-' &&
	       (arg[1] == '-' ? long_matches(arg, long_name) : short_matches(arg, short_name));
}

const char *net_pasta_arg_refused(const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (option_matches(arg, refused[i].short_name, refused[i].long_name))
			return refused[i].long_name;
	return NULL;
}

int net_pasta_add_args(struct sandbox_spec *s, const char *text, struct err *e)
{
	static const char blanks[] = " \t\n";
	size_t added = 0;

	for (const char *q = text + strspn(text, blanks); *q; q += strspn(q, blanks)) {
		size_t n = strcspn(q, blanks);
		_cleanup_free_ char *word = strndup(q, n);
		const char *why;

		if (!word)
			return err_set(e, ENOMEM, "out of memory");
		why = net_pasta_arg_refused(word);
		if (why)
			return err_setx(e, "--net-pasta-args %s: %s: cordon sets %s itself", text,
					word, why);
		if (spec_add_str(&s->net_pasta_args, &s->n_net_pasta_args, word, e) < 0)
			return -1;
		added++;
		q += n;
	}
	if (!added)
		return err_setx(e, "--net-pasta-args '%s': no pasta options given", text);
	return 0;
}

/* The first executable "pasta" in $PATH (a default PATH when unset), malloc'd. */
static char *find_pasta(void)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *dir = path; *dir;) {
		size_t n = strcspn(dir, ":");
		char *cand = NULL;

		if (n && asprintf(&cand, "%.*s/pasta", (int)n, dir) >= 0) {
			struct stat st;
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
				return cand;
		}
		free(cand);
		dir += n;
		dir += *dir == ':';
	}
	return NULL;
}

/* fd >= 3, CLOEXEC: a hole at 0-2 (cordon started with one closed) must not be reused */
static int high_fd(int fd)
{
	int hi;

	if (fd < 0 || fd > 2)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return hi;
}

static int open_ns(int proc_fd, pid_t pid, const char *name, struct err *e)
{
	char rel[64];
	int fd;

	snprintf(rel, sizeof(rel), "%d/ns/%s", (int)pid, name);
	fd = high_fd(openat(proc_fd, rel, O_RDONLY | O_CLOEXEC));
	if (fd < 0)
		return err_set(e, errno, "--net-pasta: /proc/%s", rel);
	return fd;
}

/* Does the sandbox have a user namespace of its own (pasta must join it), or is it ours? */
static bool same_userns(int userns_fd)
{
	struct stat a, b;

	return stat("/proc/self/ns/user", &a) == 0 && fstat(userns_fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

struct pasta_cmd {
	char *path;
	const char **argv;	/* string literals, userns_path, the spec's words */
	int ready_rd, ready_wr; /* pasta's stdout: its --pid file, written once configured */
	int log_rd, log_wr;	/* pasta's stderr */
	int netns_fd;		/* pasta's stdin */
	int userns_fd;		/* only to compare with ours */
	bool join_userns;	/* the sandbox has a user namespace of its own */
	char userns_path[64];
};

static bool user_gave(const struct sandbox_spec *s, char short_name, const char *long_name)
{
	for (size_t i = 0; i < s->n_net_pasta_args; i++)
		if (option_matches(s->net_pasta_args[i], short_name, long_name))
			return true;
	return false;
}

/* The argv: pasta in the foreground (it stays our child), quiet, configuring the namespace,
 * no automatic port forwarding in either direction unless the user asks for it (a sandbox
 * should not publish its listening ports on the host), then the user's words. */
static int build_argv(const struct sandbox_spec *s, struct pasta_cmd *c, struct err *e)
{
	static const struct {
		const char *flag;
		const char *long_name;
	} fwd[] = { { "-t", "--tcp-ports" },
		    { "-u", "--udp-ports" },
		    { "-T", "--tcp-ns" },
		    { "-U", "--udp-ns" } };
	size_t n = 0;

	c->argv = calloc(24 + s->n_net_pasta_args, sizeof(*c->argv));
	if (!c->argv)
		return err_set(e, ENOMEM, "out of memory");
	c->argv[n++] = "pasta";
	c->argv[n++] = "--config-net";
	c->argv[n++] = "--quiet";
	c->argv[n++] = "--foreground";
	c->argv[n++] = "--no-netns-quit";
	c->argv[n++] = "--pid";
	c->argv[n++] = "/proc/self/fd/1";
	c->argv[n++] = "--netns";
	c->argv[n++] = "/proc/self/fd/0";
	if (c->join_userns) {
		c->argv[n++] = "--userns";
		c->argv[n++] = c->userns_path;
	} else {
		c->argv[n++] = "--netns-only";
	}
	/* as root pasta would switch to nobody, who cannot configure a root-owned namespace */
	if (geteuid() == 0) {
		c->argv[n++] = "--runas";
		c->argv[n++] = "0";
	}
	for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
		if (!user_gave(s, fwd[i].flag[1], fwd[i].long_name)) {
			c->argv[n++] = fwd[i].flag;
			c->argv[n++] = "none";
		}
	for (size_t i = 0; i < s->n_net_pasta_args; i++)
		c->argv[n++] = s->net_pasta_args[i];
	c->argv[n] = NULL;
	return 0;
}

static void cmd_free(struct pasta_cmd *c)
{
	int *fds[] = { &c->ready_rd, &c->ready_wr, &c->log_rd,
		       &c->log_wr,   &c->netns_fd, &c->userns_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(c->path);
	free(c->argv);
}

static int prepare_cmd(const struct sandbox_spec *s, int proc_fd, pid_t pid, struct pasta_cmd *c,
		       struct err *e)
{
	int p[2];

	c->path = find_pasta();
	if (!c->path)
		return err_setx(e, "--net-pasta: pasta not found (install the passt package)");
	c->netns_fd = open_ns(proc_fd, pid, "net", e);
	if (c->netns_fd < 0)
		return -1;
	c->userns_fd = open_ns(proc_fd, pid, "user", e);
	if (c->userns_fd < 0)
		return -1;
	c->join_userns = !same_userns(c->userns_fd);
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "--net-pasta: pipe");
	c->ready_rd = high_fd(p[0]);
	c->ready_wr = high_fd(p[1]);
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "--net-pasta: pipe");
	c->log_rd = high_fd(p[0]);
	c->log_wr = high_fd(p[1]);
	if (c->ready_rd < 0 || c->ready_wr < 0 || c->log_rd < 0 || c->log_wr < 0)
		return err_set(e, errno, "--net-pasta: pipe");
	/* nobody reads pasta's output once it runs: a full pipe must drop its messages, not
	 * stall it (the read ends stay open, so no SIGPIPE either) */
	if (fcntl(c->log_wr, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(c->ready_wr, F_SETFL, O_NONBLOCK) < 0)
		return err_set(e, errno, "--net-pasta: pipe");
	/* Newer pasta closes every inherited fd but 0-2 first thing, so what it must open comes
	 * as those: the network namespace as stdin, the pid file (the readiness signal) as
	 * stdout, stderr for its messages. The user namespace goes by path: as its owner, pasta
	 * may open it (a root-owned network namespace outside any user namespace it could not:
	 * it has dropped capabilities that the sandbox's process still holds) */
	snprintf(c->userns_path, sizeof(c->userns_path), "/proc/%d/ns/user", (int)pid);
	return build_argv(s, c, e);
}

/* Between fork and exec: syscalls only. */
static void __attribute__((noreturn)) exec_pasta(const struct pasta_cmd *c, pid_t parent)
{
	sigset_t none;

	/* a cordon killed outright must not leave pasta holding the namespace */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(127);
	/* its own process group: Ctrl-C in the terminal is for the sandbox, which cordon
	 * forwards it to; the network must outlive a command that handles SIGINT */
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* all >= 3 (high_fd), so no dup2 here overwrites another's source */
	if (dup2(c->netns_fd, 0) < 0 || dup2(c->ready_wr, 1) < 0 || dup2(c->log_wr, 2) < 0)
		_exit(127);
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		_exit(127);
	/* execv's prototype predates const; it does not write the strings */
	union {
		const char **in;
		char *const *out;
	} argv = { .in = c->argv };
	execv(c->path, argv.out);
	_exit(127);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* pasta's stderr so far, for the message when it fails */
struct pasta_log {
	char buf[2048];
	size_t len;
};

static void log_read(int fd, struct pasta_log *log)
{
	ssize_t n;

	do
		n = read(fd, log->buf + log->len, sizeof(log->buf) - 1 - log->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		log->len += (size_t)n;
	log->buf[log->len] = '\0';
}

/* The first line that says something ("Failed to send N bytes to syslog" does not). */
static const char *log_reason(struct pasta_log *log)
{
	for (char *line = log->buf, *end; *line; line = end) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (*line && strncmp(line, "Failed to send", 14) != 0)
			return strncmp(line, "pasta: ", 7) == 0 ? line + 7 : line;
	}
	return NULL;
}

/* One more chunk of pasta's stdout: 1 once a line is its pid (it writes it when the network
 * is configured), 0 at EOF (it died), -1 to go on. Other lines are not the signal. */
static int read_pid_line(int fd, pid_t pasta, char *buf, size_t size, size_t *got)
{
	ssize_t n = read(fd, buf + *got, size - 1 - *got);
	char *nl;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? -1 : 0;
	if (n == 0)
		return 0;
	*got += (size_t)n;
	buf[*got] = '\0';
	while ((nl = strchr(buf, '\n'))) {
		*nl = '\0';
		if (strtol(buf, NULL, 10) == (long)pasta && buf[strspn(buf, "0123456789")] == '\0')
			return 1;
		*got -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, *got + 1);
	}
	if (*got == size - 1)
		*got = 0;
	return -1;
}

/* Wait for pasta's pid line (configured) or EOF (it died), keeping its stderr;
 * 1 ready, 0 died, -1 timed out. */
static int wait_ready(const struct pasta_cmd *c, pid_t pasta, struct pasta_log *log)
{
	long deadline = now_ms() + NET_PASTA_TIMEOUT_MS;
	char buf[64];
	size_t got = 0;

	for (;;) {
		struct pollfd pf[2] = { { c->ready_rd, POLLIN, 0 }, { c->log_rd, POLLIN, 0 } };
		long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -1;
		r = poll(pf, log->len < sizeof(log->buf) - 1 ? 2 : 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (pf[1].revents & POLLIN)
			log_read(c->log_rd, log);
		if (!pf[0].revents)
			continue;
		r = read_pid_line(c->ready_rd, pasta, buf, sizeof(buf), &got);
		if (r >= 0)
			return r;
	}
}

static int pasta_failed(pid_t pid, int ready, const struct pasta_cmd *c, struct pasta_log *log,
			struct err *e)
{
	const char *why;
	int st = 0;

	if (ready < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (ready < 0)
		return err_setx(e,
				"--net-pasta: pasta did not set up the network within %d seconds",
				NET_PASTA_TIMEOUT_MS / 1000);
	/* it has exited: the rest of what it said is in the pipe */
	while (log->len < sizeof(log->buf) - 1) {
		size_t before = log->len;
		log_read(c->log_rd, log);
		if (log->len == before)
			break;
	}
	why = log_reason(log);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !why)
		return err_setx(e, "--net-pasta: could not run %s", c->path);
	if (WIFSIGNALED(st))
		return err_setx(e,
				"--net-pasta: pasta was killed by signal %d before the network "
				"was set up",
				WTERMSIG(st));
	if (why)
		return err_setx(e, "--net-pasta: pasta: %s", why);
	return err_setx(e,
			"--net-pasta: pasta exited with status %d before the network was set "
			"up",
			WEXITSTATUS(st));
}

int net_pasta_start(const struct sandbox_spec *s, int proc_fd, pid_t pid, struct net_pasta *out,
		    struct err *e)
{
	struct pasta_cmd c = { .ready_rd = -1,
			       .ready_wr = -1,
			       .log_rd = -1,
			       .log_wr = -1,
			       .netns_fd = -1,
			       .userns_fd = -1 };
	struct pasta_log log = { .len = 0 };
	pid_t parent = getpid(), child;
	int ready, rc = 0;

	out->pid = 0;
	out->pidfd = out->out_fd = out->log_fd = -1;
	if (prepare_cmd(s, proc_fd, pid, &c, e) < 0) {
		cmd_free(&c);
		return -1;
	}
	child = fork();
	if (child < 0)
		rc = err_set(e, errno, "--net-pasta: fork");
	if (child == 0)
		exec_pasta(&c, parent);
	if (child > 0) {
		/* only pasta may hold the write ends: its exit is then our EOF */
		close(c.ready_wr);
		close(c.log_wr);
		c.ready_wr = c.log_wr = -1;
		ready = wait_ready(&c, child, &log);
		if (ready == 1) {
			out->pid = child;
			/* our child, not reaped yet: a pidfd names exactly it, even after a
			 * tracer's waitpid(-1) (forktop) reaped it and the pid was reused */
			out->pidfd = (int)syscall(SYS_pidfd_open, child, 0);
			out->out_fd = c.ready_rd;
			out->log_fd = c.log_rd;
			c.ready_rd = c.log_rd = -1;
		} else {
			rc = pasta_failed(child, ready, &c, &log, e);
		}
	}
	cmd_free(&c);
	return rc;
}

void net_pasta_stop(struct net_pasta *np)
{
	int st;

	if (np->pid <= 0)
		return;
	if (np->pidfd >= 0) {
		siginfo_t si;
		/* ESRCH/ECHILD: someone else reaped it already; never touch the bare pid */
		syscall(SYS_pidfd_send_signal, np->pidfd, SIGKILL, NULL, 0);
		while (waitid(P_PIDFD, (id_t)np->pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
		close(np->pidfd);
	} else {
		kill(np->pid, SIGKILL);
		while (waitpid(np->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (np->out_fd >= 0)
		close(np->out_fd);
	if (np->log_fd >= 0)
		close(np->log_fd);
	np->pid = 0;
	np->pidfd = np->out_fd = np->log_fd = -1;
}
