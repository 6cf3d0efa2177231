#include "shell.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"

/* How often the relay hands control back to its caller (the UI drains the tracer's feed). */
#define TICK_MS 30
/* Where a command is looked for when the target has no PATH */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --- the box ----------------------------------------------------------------------------- */

void shell_box_init(struct shell_box *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->state = SHELL_IDLE;
	b->known_filters = -1;
}

void shell_box_destroy(struct shell_box *b)
{
	pthread_mutex_destroy(&b->lock);
}

int shell_box_post(struct shell_box *b, const struct shell_req *r, struct err *e)
{
	enum shell_state st;
	pthread_mutex_lock(&b->lock);
	st = b->state;
	if (st == SHELL_IDLE) {
		b->req = *r;
		memset(&b->res, 0, sizeof(b->res));
		b->state = SHELL_POSTED;
	}
	pthread_mutex_unlock(&b->lock);
	if (st != SHELL_IDLE)
		return err_setx(e, "a shell is already %s",
				st == SHELL_RUNNING ? "running" : "starting");
	kill(getpid(), SHELL_DOORBELL);
	return 0;
}

bool shell_box_result(struct shell_box *b, struct shell_res *res)
{
	bool done;
	pthread_mutex_lock(&b->lock);
	done = b->state == SHELL_DONE;
	if (done) {
		*res = b->res;
		b->state = res->rc == 0 ? SHELL_RUNNING : SHELL_IDLE;
	}
	pthread_mutex_unlock(&b->lock);
	return done;
}

void shell_box_finish(struct shell_box *b)
{
	pthread_mutex_lock(&b->lock);
	b->state = SHELL_IDLE;
	pthread_mutex_unlock(&b->lock);
}

bool shell_box_take(struct shell_box *b, struct shell_req *r)
{
	bool posted;
	pthread_mutex_lock(&b->lock);
	posted = b->state == SHELL_POSTED;
	if (posted) {
		*r = b->req;
		b->state = SHELL_TAKEN;
	}
	pthread_mutex_unlock(&b->lock);
	return posted;
}

void shell_box_done(struct shell_box *b, const struct shell_res *res)
{
	pthread_mutex_lock(&b->lock);
	if (b->state == SHELL_TAKEN) {
		b->res = *res;
		b->state = SHELL_DONE;
	}
	pthread_mutex_unlock(&b->lock);
}

void shell_box_fail(struct shell_box *b, const struct err *e)
{
	struct shell_res res;
	memset(&res, 0, sizeof(res));
	res.rc = -1;
	res.e = *e;
	shell_box_done(b, &res);
}

bool shell_deny_list_ok(char *const *deny, size_t n)
{
	/* what inject.c's hijack runs in the target and in its copy */
	static const char *const used[] = { "clone",	    "wait4",	      "exit",
					    "mmap",	    "socketpair",     "recvmsg",
					    "fcntl",	    "dup3",	      "setsid",
					    "rt_sigaction", "rt_sigprocmask", "close_range",
					    "execve",	    "ioctl",	      "restart_syscall" };
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ARRAY_SIZE(used); j++)
			if (strcmp(deny[i], used[j]) == 0)
				return false;
	return true;
}

/* --- environment and paths ----------------------------------------------------------------- */

static int strv_add(struct shell_strv *s, const char *str, struct err *e)
{
	char **v = realloc(s->v, (s->n + 2) * sizeof(*v));
	if (!v)
		return err_set(e, ENOMEM, "memory");
	s->v = v;
	if (!(s->v[s->n] = strdup(str)))
		return err_set(e, ENOMEM, "memory");
	s->v[++s->n] = NULL;
	return 0;
}

void shell_strv_free(struct shell_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static const char *strv_get(const struct shell_strv *s, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < s->n; i++)
		if (!strncmp(s->v[i], name, len) && s->v[i][len] == '=')
			return s->v[i] + len + 1;
	return NULL;
}

int shell_env(pid_t pid, bool join, struct shell_strv *env, struct err *e)
{
	char path[64], mark[64];
	_cleanup_free_ char *buf = malloc(65536);
	ssize_t n = 0;
	if (!buf)
		return err_set(e, ENOMEM, "memory");
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		n = read(fd, buf, 65535);
	buf[n > 0 ? n : 0] = 0;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		if (strncmp(buf + i, "TERM=", 5) != 0 &&
		    strncmp(buf + i, "CORDON_ENTER=", 13) != 0 && strv_add(env, buf + i, e) < 0)
			return -1;
	if (getenv("TERM")) {
		snprintf(buf, 65536, "TERM=%s", getenv("TERM"));
		if (strv_add(env, buf, e) < 0)
			return -1;
	}
	snprintf(mark, sizeof(mark), "CORDON_ENTER=%d:%s", (int)pid, join ? "join" : "hijack");
	return strv_add(env, mark, e);
}

/* COMMAND along the target's PATH */
static int search_path(const struct shell_strv *env, const char *command, struct shell_strv *paths,
		       struct err *e)
{
	const char *p = strv_get(env, "PATH");
	_cleanup_free_ char *copy = strdup(p && *p ? p : DEFAULT_PATH);
	char *save = NULL, buf[PATH_MAX];
	if (!copy)
		return err_set(e, ENOMEM, "memory");
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", d, command);
		if (strv_add(paths, buf, e) < 0)
			return -1;
	}
	return 0;
}

int shell_exec_paths(const struct shell_strv *env, const char *shell, const char *command,
		     struct shell_strv *paths, struct err *e)
{
	if (command && strchr(command, '/'))
		return strv_add(paths, command, e);
	if (command)
		return search_path(env, command, paths, e);
	if (shell)
		return strv_add(paths, shell, e);
	const char *mine = strv_get(env, "SHELL"), *base = mine ? strrchr(mine, '/') : NULL;
	/* an account's "no login" shell is no shell to run */
	if (base && (!strcmp(base, "/nologin") || !strcmp(base, "/false")))
		mine = NULL;
	if (mine && mine[0] == '/' && strv_add(paths, mine, e) < 0)
		return -1;
	if ((!mine || strcmp(mine, "/bin/sh") != 0) && strv_add(paths, "/bin/sh", e) < 0)
		return -1;
	return 0;
}

int shell_paths(const struct shell_strv *env, struct shell_strv *paths, struct err *e)
{
	return shell_exec_paths(env, NULL, NULL, paths, e);
}

/* --- the terminal -------------------------------------------------------------------------- */

int shell_pty_open(int like, int *master, int *slave, struct err *e)
{
	struct winsize ws;
	_cleanup_close_ int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int s;
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return err_set(e, errno, "pseudo-terminal");
	/* the peer by fd: the shell may live where no /dev/pts path of ours exists */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return err_set(e, errno, "pseudo-terminal peer");
	if (ioctl(like, TIOCGWINSZ, &ws) == 0)
		ioctl(m, TIOCSWINSZ, &ws);
	*master = steal_fd(m);
	*slave = s;
	return 0;
}

static bool write_all(int fd, const char *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, buf + off, n - off);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			return false;
		off += w > 0 ? (size_t)w : 0;
	}
	return true;
}

/* One read from `from` copied to `to`: 1 copied, 0 nothing to read now, -1 end (EOF/EIO). */
static int copy_once(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	return write_all(to, buf, (size_t)n) ? 1 : -1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int shell_relay(int in, int out, int master, void (*tick)(void *), void *ctx, struct err *e)
{
	struct termios saved, raw;
	bool restore = false;
	int64_t last = mono_ms();
	int ret = 0;
	if (tcgetattr(in, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(in, TCSADRAIN, &raw) == 0;
	}
	for (;;) {
		struct pollfd p[2] = { { in, POLLIN, 0 }, { master, POLLIN, 0 } };
		int rc = poll(p, 2, TICK_MS);
		if (rc < 0 && errno != EINTR) {
			ret = err_set(e, errno, "poll");
			break;
		}
		if (rc < 0) { /* SIGWINCH: the terminal's size goes to the shell's */
			struct winsize ws;
			if (ioctl(out, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
			continue;
		}
		/* our terminal is gone: closing the master (the caller) hangs the shell up */
		if (p[0].revents && copy_once(in, master) < 0)
			break;
		/* EIO (POLLHUP): every holder of the slave closed it: the shell is gone */
		if (p[1].revents && copy_once(master, out) < 0)
			break;
		if (mono_ms() - last >= TICK_MS) {
			last = mono_ms();
			if (tick)
				tick(ctx);
		}
	}
	if (restore)
		tcsetattr(in, TCSADRAIN, &saved);
	return ret;
}
