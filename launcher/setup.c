#include "setup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "label.h"
#include "sandbox.h"

static void send_msg(const struct setup *p, int kind, const struct err *e)
{
	struct setup_msg m;
	ssize_t w;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	if (e)
		m.e = *e;
	/* one record is far below PIPE_BUF, so the write is atomic */
	do
		w = write(p->msg_wr, &m, sizeof(m));
	while (w < 0 && errno == EINTR);
}

static void __attribute__((noreturn)) fail(const struct setup *p, struct err *e)
{
	if (!e->exit_code)
		e->exit_code = SANDBOX_EXIT_SETUP;
	send_msg(p, SETUP_MSG_ERR, e);
	_exit(e->exit_code);
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* One handshake byte from the parent; EOF: the parent gave up (and reports why). */
static void wait_parent(struct setup *p)
{
	ssize_t r;
	char b;

	do
		r = read(p->go_rd, &b, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(SANDBOX_EXIT_SETUP);
}

/* Block until fd has data (or EOF), as --block-fd and bwrap do. */
static void wait_fd(int fd)
{
	ssize_t r;
	char b;

	do
		r = read(fd, &b, 1);
	while (r < 0 && errno == EINTR);
	close(fd);
}

/* bwrap brings up lo in a new network namespace; lo gets 127.0.0.1 and ::1 when it goes up */
static int loopback_up(struct err *e)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return err_set(e, errno, "--unshare-net: socket");
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = err_set(e, errno, "--unshare-net: loopback flags");
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = err_set(e, errno, "--unshare-net: bringing up loopback");
	}
	close(fd);
	return rc;
}

/* --userns FD: take the requested ids in the joined namespace, keeping the capabilities that
 * the rest of the setup needs. */
static int switch_ids(const struct setup *p, struct err *e)
{
	const struct sandbox_spec *s = p->spec;

	if (!s->has_uid && !s->has_gid)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_set(e, errno, "prctl(PR_SET_KEEPCAPS)");
	if (s->has_gid && setresgid(s->gid, s->gid, s->gid) < 0)
		return err_set(e, errno, "--gid %u", (unsigned)s->gid);
	if (s->has_uid && setresuid(s->uid, s->uid, s->uid) < 0)
		return err_set(e, errno, "--uid %u", (unsigned)s->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_set(e, errno, "prctl(PR_SET_KEEPCAPS)");
	return caps_raise_effective(e);
}

/* A second user namespace inside the first: maps the final uid/gid (the first one may map
 * root, which mounting devpts needs), and with --disable-userns caps the number of user
 * namespaces in the first one so the sandbox, living in the second, cannot lift the limit. */
static int nest_userns(const struct setup *p, struct err *e)
{
	int rc;

	if (p->spec->disable_userns) {
		int fd = openat(p->proc_fd, "sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return err_set(e, errno,
				       "--disable-userns: /proc/sys/user/max_user_namespaces");
		rc = write(fd, "1", 1) == 1 ? 0 : -1;
		if (rc < 0)
			err_set(e, errno, "--disable-userns: writing max_user_namespaces");
		close(fd);
		if (rc < 0)
			return -1;
	}
	if (unshare(CLONE_NEWUSER) < 0)
		return err_set(e, errno, "creating the sandbox's inner user namespace");
	/* a non-dumpable process's /proc files belong to root, unmapped here: the map files
	 * could not be opened */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return err_set(e, errno, "prctl(PR_SET_DUMPABLE)");
	rc = userns_write_maps(p->proc_fd, 0, &p->nested_map, e);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 && rc == 0)
		rc = err_set(e, errno, "prctl(PR_SET_DUMPABLE)");
	return rc;
}

static int check_userns_disabled(const struct setup *p, struct err *e)
{
	const struct sandbox_spec *s = p->spec;

	if (!s->disable_userns && !s->assert_userns_disabled)
		return 0;
	if (unshare(CLONE_NEWUSER) == 0)
		return err_setx(e, "%s: creating a user namespace still works inside the sandbox",
				s->disable_userns ? "--disable-userns"
						  : "--assert-userns-disabled");
	return 0;
}

static int setup_namespaces(const struct setup *p, struct err *e)
{
	const struct sandbox_spec *s = p->spec;

	if (s->userns_fd >= 0 && switch_ids(p, e) < 0)
		return -1;
	if ((s->ns & CLONE_NEWNET) && loopback_up(e) < 0)
		return -1;
	/* the label takes effect at the next execve only; /proc is still the host's here */
	if (s->exec_label && label_set_exec(s->exec_label, e) < 0)
		return -1;
	if (mounts_apply(p->plan, e) < 0)
		return -1;
	if (s->hostname) {
		/* never the host's hostname */
		if (!(s->ns & CLONE_NEWUTS))
			return err_setx(e, "--hostname %s: requires --unshare-uts", s->hostname);
		if (sethostname(s->hostname, strlen(s->hostname)) < 0)
			return err_set(e, errno, "--hostname %s", s->hostname);
	}
	if (s->userns2_fd >= 0 && setns(s->userns2_fd, CLONE_NEWUSER) < 0)
		return err_set(e, errno, "--userns2 %d", s->userns2_fd);
	if (p->nested && nest_userns(p, e) < 0)
		return -1;
	return check_userns_disabled(p, e);
}

/* bwrap's order: --chdir, else the caller's cwd if it exists inside, else $HOME, else /. */
static int enter_cwd(struct setup *p, struct err *e)
{
	struct env *env = &p->env;
	const char *dir = p->spec->chdir;

	if (dir) {
		if (chdir(dir) < 0)
			return err_set(e, errno, "--chdir %s", dir);
		env_set_pwd(env, ENV_PWD_CHDIR);
		return 0;
	}
	if (env->dir[ENV_PWD_OLD] && chdir(env->dir[ENV_PWD_OLD]) == 0) {
		env_set_pwd(env, ENV_PWD_OLD);
		return 0;
	}
	if (env->dir[ENV_PWD_HOME] && chdir(env->dir[ENV_PWD_HOME]) == 0) {
		env_set_pwd(env, ENV_PWD_HOME);
		return 0;
	}
	if (chdir("/") < 0)
		return err_set(e, errno, "chdir /");
	env_set_pwd(env, ENV_PWD_ROOT);
	return 0;
}

/* close_range() around the sorted fds in keep[] (fds 0-2 always stay). */
static int close_except(const int *keep, size_t n, unsigned flags)
{
	unsigned lo = 3;

	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < lo)
			continue;
		if ((unsigned)keep[i] > lo && syscall(SYS_close_range, lo, keep[i] - 1, flags) < 0)
			return -1;
		lo = (unsigned)keep[i] + 1;
	}
	return (int)syscall(SYS_close_range, lo, ~0U, flags);
}

static void sort_fds(int *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* forktop's console: the command leads a new session whose controlling terminal is its fd 0
 * (the pty), so the shell gets job control and ^C reaches its foreground job. In the process
 * that execs, after the reaper fork (pid 1 stays outside the session). */
static int take_ctty(struct err *e)
{
	/* --new-session without a reaper made this process a session leader already */
	if (getsid(0) != getpid() && setsid() < 0)
		return err_set(e, errno, "console: setsid");
	if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return err_set(e, errno, "console: TIOCSCTTY");
	return 0;
}

static void __attribute__((noreturn)) exec_command(struct setup *p)
{
	struct err e = { 0 };
	int code;

	if (p->spec->ctty && take_ctty(&e) < 0)
		fail(p, &e);
	if (sigprocmask(SIG_SETMASK, &p->child_mask, NULL) < 0) {
		err_set(&e, errno, "sigprocmask");
		fail(p, &e);
	}
	/* CLOEXEC rather than close: the message pipe must live until the execve itself */
	if (close_except(p->keep, p->n_keep, CLOSE_RANGE_CLOEXEC) < 0) {
		err_set(&e, errno, "close_range");
		fail(p, &e);
	}
	for (size_t i = 0; i < p->n_keep; i++)
		if (fcntl(p->keep[i], F_SETFD, 0) < 0) {
			err_set(&e, errno, "keeping fd %d open", p->keep[i]);
			fail(p, &e);
		}
	/* inside the new root, after no_new_privs (Landlock needs it) and before seccomp */
	if (p->isolate && landlock_apply(p->spec, &p->landlock, &e) < 0)
		fail(p, &e);
	/* while the capabilities last: raising a hard limit needs CAP_SYS_RESOURCE */
	if (p->isolate && rlimits_apply(&p->rlimits, &e) < 0)
		fail(p, &e);
	if (p->isolate && caps_apply(p->caps, p->caps_ambient, &e) < 0)
		fail(p, &e);
	/* last, so the filters need not allow anything the setup does */
	if (p->isolate && sysfilter_install(&p->progs, &e) < 0)
		fail(p, &e);
	send_msg(p, SETUP_MSG_EXEC, NULL);
	/* execvp searches the PATH of environ: make it the command's environment */
	environ = p->env.envp;
	execvp(p->exec_path, p->argv);
	code = errno;
	err_set(&e, code, "execvp %s", p->exec_path);
	e.exit_code = (code == ENOENT || code == ENOTDIR) ? SANDBOX_EXIT_NOTFOUND
							  : SANDBOX_EXIT_NOEXEC;
	fail(p, &e);
}

static int take_locks(struct setup *p, struct err *e)
{
	const struct sandbox_spec *s = p->spec;

	for (size_t i = 0; i < s->n_lock_files; i++) {
		struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
		int fd = open(s->lock_files[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return err_set(e, errno, "--lock-file %s", s->lock_files[i]);
		p->lock_fds[i] = fd;
		if (fcntl(fd, F_SETLK, &l) < 0)
			return err_set(e, errno, "--lock-file %s: cannot lock", s->lock_files[i]);
	}
	return 0;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* Block SIGCHLD and the forwarded signals and return a signalfd for them. A handler is set
 * as well: a pid 1 only receives signals it handles. */
static int reaper_signals(struct err *e)
{
	static const int fwd[] = { SETUP_FORWARDED_SIGNALS };
	struct sigaction sa;
	sigset_t mask;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++) {
		sigaddset(&mask, fwd[i]);
		sigaction(fwd[i], &sa, NULL);
	}
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return err_set(e, errno, "sigprocmask");
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "signalfd");
	return fd;
}

/* Reap every child; pass forwarded signals to `child`; exit with its status when it ends
 * (as pid 1 that ends the namespace, killing whatever is left). */
static void __attribute__((noreturn)) reap_until(pid_t child, int sfd)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t r = read(sfd, &si, sizeof(si));

		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(si)) {
			kill(child, SIGKILL);
			_exit(SANDBOX_EXIT_SETUP);
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(child, (int)si.ssi_signo);
			continue;
		}
		for (;;) {
			int st;
			pid_t w = waitpid(-1, &st, WNOHANG);
			if (w <= 0)
				break;
			if (w == child)
				_exit(status_code(st));
		}
	}
}

/* Fork; the child returns, the parent becomes a reaper for it and never returns. keep[0..n)
 * are fds the reaper holds on to (sync fds, locks). */
static void fork_reaper(struct setup *p, int *keep, size_t n)
{
	struct err e = { 0 };
	int sfd = reaper_signals(&e);
	pid_t pid;

	if (sfd < 0)
		fail(p, &e);
	pid = fork();
	if (pid < 0) {
		err_set(&e, errno, "fork");
		fail(p, &e);
	}
	if (pid == 0) {
		close(sfd);
		if (p->spec->die_with_parent)
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		return;
	}
	close(p->msg_wr);
	if (p->isolate)
		caps_drop_all(&e);
	keep[n++] = sfd;
	sort_fds(keep, n);
	close_except(keep, n, 0);
	reap_until(pid, sfd);
}

/* --pidns with --unshare-pid: the clone joined the given pid namespace (a new one cannot be
 * made there by clone itself); make the new one below it now and continue in its pid 1. */
static void pidns_relay(struct setup *p)
{
	struct err e = { 0 };

	if (unshare(CLONE_NEWPID) < 0) {
		err_set(&e, errno, "--unshare-pid inside --pidns %d", p->spec->pidns_fd);
		fail(p, &e);
	}
	fork_reaper(p, p->reaper_keep, 0);
}

static void close_status_fds(const struct setup *p)
{
	/* written by the parent only; a command holding them would delay the reader's EOF */
	if (p->spec->info_fd > 2)
		close(p->spec->info_fd);
	if (p->spec->json_status_fd > 2)
		close(p->spec->json_status_fd);
}

void setup_child(struct setup *p)
{
	const struct sandbox_spec *s = p->spec;
	struct err e = { 0 };

	if (s->die_with_parent)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	close(p->go_wr);
	close(p->msg_rd);
	/* before waiting: a --userns-block-fd helper reads --info-fd to EOF before it acts */
	close_status_fds(p);
	wait_parent(p);
	if (p->isolate) {
		/* nothing may ptrace us or open /proc/PID/{mem,exe,environ} before exec */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
			err_set(&e, errno, "prctl(PR_SET_DUMPABLE)");
			fail(p, &e);
		}
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
			err_set(&e, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
			fail(p, &e);
		}
	}
	send_msg(p, SETUP_MSG_LOCKED, NULL);
	wait_parent(p);
	close(p->go_rd);
	if (p->pidns_relay)
		pidns_relay(p);
	if (p->isolate && setup_namespaces(p, &e) < 0)
		fail(p, &e);
	/* a credential change (the inner user namespace, --userns ids) clears the death signal */
	if (s->die_with_parent)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (s->block_fd >= 0)
		wait_fd(s->block_fd);
	if (enter_cwd(p, &e) < 0)
		fail(p, &e);
	if (s->new_session && setsid() < 0) {
		err_set(&e, errno, "--new-session: setsid");
		fail(p, &e);
	}
	if (p->reaper) {
		size_t n = 0;

		if (take_locks(p, &e) < 0)
			fail(p, &e);
		for (size_t i = 0; i < s->n_sync_fds; i++)
			p->reaper_keep[n++] = s->sync_fds[i];
		for (size_t i = 0; i < s->n_lock_files; i++)
			p->reaper_keep[n++] = p->lock_fds[i];
		fork_reaper(p, p->reaper_keep, n);
	}
	exec_command(p);
}
