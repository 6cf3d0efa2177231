/* Parent side of a sandbox: decide the namespaces and ids, prepare everything that allocates,
 * clone the setup child (setup.c), write its uid/gid maps, report it (hooks, --info-fd,
 * --json-status-fd), release it, then wait for it while forwarding signals.
 *
 * User namespaces (bwrap's scheme): the clone makes the first one and the parent maps a single
 * id, inside -> the caller's. Unprivileged, mounting devpts (--dev) needs root mapped, so the
 * first map is then 0 -> caller and the child nests a second namespace after the mounts that
 * maps the requested --uid/--gid -> 0; --disable-userns nests too (see setup.c). */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "caps.h"
#include "label.h"
#include "net.h"
#include "setup.h"
#include "status.h"

struct sandbox {
	const struct sandbox_spec *spec;
	struct sandbox_hooks hooks;
	struct setup su;
	struct userns_map first_map;
	unsigned long clone_flags;
	bool userns_only_try; /* the user namespace came from --unshare-user-try alone */
	pid_t pid;
	bool setup_done; /* EOF on the message pipe */
	bool exec_seen;	 /* the command reached execve */
	bool failed;
	struct err err; /* the setup failure, when failed */
	bool reaped;
	int status;
	bool exit_reported;
	bool kill_leftovers;	/* cordon: end whatever the command left behind (see sandbox_run) */
	struct status_ns ns;	/* namespace ids, read while /proc/PID/ns is still open to us */
	struct net_pasta pasta; /* --net-pasta: pid 0 until it runs */
};

static const int forwarded[] = { SETUP_FORWARDED_SIGNALS };

static void forwarded_set(sigset_t *set, bool with_sigchld)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
	if (with_sigchld)
		sigaddset(set, SIGCHLD);
}

static bool has_op(const struct sandbox_spec *s, enum op_type t)
{
	for (size_t i = 0; i < s->n_ops; i++)
		if (s->ops[i].type == t)
			return true;
	return false;
}

/* bwrap's test for --unshare-user-try: the kernel has user namespaces and allows some */
static bool userns_available(void)
{
	char buf[32] = { 0 };
	int fd;
	ssize_t n;

	if (access("/proc/self/ns/user", F_OK) < 0)
		return false;
	fd = open("/proc/sys/user/max_user_namespaces", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return !(n > 0 && strcmp(buf, "0\n") == 0);
}

/* Namespaces, ids and the user-namespace scheme. */
static void plan_identity(struct sandbox *sb)
{
	const struct sandbox_spec *s = sb->spec;
	struct setup *p = &sb->su;
	uid_t ruid = getuid(), uid = s->has_uid ? s->uid : ruid;
	gid_t rgid = getgid(), gid = s->has_gid ? s->gid : rgid;
	bool explicit_user = s->ns & CLONE_NEWUSER;
	bool userns = explicit_user || (ruid != 0 && s->userns_fd < 0) ||
		      (s->userns_try && userns_available());
	bool root_first = userns && s->userns_block_fd < 0 && (uid != 0 || gid != 0) &&
			  has_op(s, OP_DEV);
	uid_t ns_uid = root_first ? 0 : uid;
	gid_t ns_gid = root_first ? 0 : gid;

	p->userns = userns;
	sb->userns_only_try = userns && !explicit_user && ruid == 0;
	p->privileged = ruid == 0 && !userns && s->userns_fd < 0;
	p->nested = userns && s->userns_block_fd < 0 &&
		    (ns_uid != uid || ns_gid != gid || s->disable_userns);
	p->nested_map = (struct userns_map){ uid, ns_uid, gid, ns_gid, false };
	sb->first_map = (struct userns_map){ ns_uid, ruid, ns_gid, rgid, true };

	sb->clone_flags = (s->ns & ~(unsigned long)CLONE_NEWUSER) | CLONE_NEWNS;
	if (userns)
		sb->clone_flags |= CLONE_NEWUSER;
	if (s->cgroup_try && access("/proc/self/ns/cgroup", F_OK) == 0)
		sb->clone_flags |= CLONE_NEWCGROUP;
	/* clone cannot make a pid namespace below one joined by setns: the child does it */
	if (s->pidns_fd >= 0 && (sb->clone_flags & CLONE_NEWPID)) {
		sb->clone_flags &= ~(unsigned long)CLONE_NEWPID;
		p->pidns_relay = true;
	}
	/* bwrap: pid 1 reaps zombies and holds --lock-file locks and --sync-fd */
	p->reaper = !s->as_pid_1 && ((s->ns & CLONE_NEWPID) || s->n_lock_files || s->n_sync_fds);
}

static int check_spec(const struct sandbox_spec *s, struct err *e)
{
	if (s->argc == 0 || !s->argv || !s->argv[0])
		return err_setx(e, "No command specified");
	if (s->no_sandbox)
		return 0;
	if (s->hostname && !(s->ns & CLONE_NEWUTS))
		return err_setx(e, "--hostname %s: requires --unshare-uts", s->hostname);
	if (s->as_pid_1 && !(s->ns & CLONE_NEWPID))
		return err_setx(e, "--as-pid-1: requires --unshare-pid");
	if (s->as_pid_1 && s->n_lock_files)
		return err_setx(e, "--as-pid-1: cannot be combined with --lock-file");
	if (s->n_net_pasta_args && !s->net_pasta)
		return err_setx(e, "--net-pasta-args: requires --net-pasta");
	if (s->net_pasta && !(s->ns & CLONE_NEWNET))
		return err_setx(e, "--net-pasta: needs a new network namespace, but a later "
				   "--share-net (or \"namespaces\": {\"net\": false}) dropped it");
	if (label_check("--exec-label", s->exec_label, e) < 0 ||
	    label_check("--file-label", s->file_label, e) < 0)
		return -1;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* fds the command keeps: the spec's, less those setup consumes or the parent writes, less the
 * --sync-fds when the reaper holds them (as bwrap does). */
static int plan_fds(struct sandbox *sb, struct err *e)
{
	const struct sandbox_spec *s = sb->spec;
	struct setup *p = &sb->su;
	size_t n = spec_fds(s, NULL, 0), k = 0;
	_cleanup_free_ int *all = calloc(n + 1, sizeof(int));

	p->keep = calloc(n + 1, sizeof(int));
	p->reaper_keep = calloc(s->n_sync_fds + s->n_lock_files + 2, sizeof(int));
	p->lock_fds = calloc(s->n_lock_files + 1, sizeof(int));
	if (!all || !p->keep || !p->reaper_keep || !p->lock_fds)
		return err_set(e, ENOMEM, "out of memory");
	spec_fds(s, all, n);
	for (size_t i = 0; i < n; i++) {
		int fd = all[i];
		bool sync = false;

		for (size_t j = 0; j < s->n_sync_fds; j++)
			sync |= s->sync_fds[j] == fd;
		if (fd <= 2 || fd == s->info_fd || fd == s->json_status_fd || fd == s->block_fd ||
		    fd == s->userns_block_fd || (sync && p->reaper))
			continue;
		p->keep[k++] = fd;
	}
	qsort(p->keep, k, sizeof(int), cmp_int);
	p->n_keep = 0;
	for (size_t i = 0; i < k; i++)
		if (i == 0 || p->keep[i] != p->keep[i - 1])
			p->keep[p->n_keep++] = p->keep[i];
	for (size_t i = 0; i < s->n_lock_files; i++)
		p->lock_fds[i] = -1;
	return 0;
}

static int plan_command(struct sandbox *sb, struct err *e)
{
	const struct sandbox_spec *s = sb->spec;
	struct setup *p = &sb->su;

	p->argv = calloc(s->argc + 1, sizeof(char *));
	if (!p->argv)
		return err_set(e, ENOMEM, "out of memory");
	memcpy(p->argv, s->argv, s->argc * sizeof(char *));
	p->exec_path = s->argv[0];
	if (s->argv0)
		p->argv[0] = s->argv0;
	/* like bwrap: $PWD when it names the cwd (keeps symlinked paths), else getcwd */
	p->old_cwd = get_current_dir_name();
	return env_build(s, environ, p->old_cwd, &p->env, e);
}

static int prepare(struct sandbox *sb, struct err *e)
{
	const struct sandbox_spec *s = sb->spec;
	struct setup *p = &sb->su;
	uint64_t initial = 0;

	if (check_spec(s, e) < 0 || plan_command(sb, e) < 0 || plan_fds(sb, e) < 0)
		return -1;
	p->isolate = !s->no_sandbox;
	if (!p->isolate)
		return 0;
	plan_identity(sb);
	if (getuid() == 0 && caps_caller_effective(&initial, e) < 0)
		return -1;
	p->caps = caps_mask_build(s, initial, p->nested_map.uid_inside == 0);
	p->caps_ambient = caps_want_ambient(s, getuid() == 0);
	if (sysfilter_prepare(s, &p->progs, e) < 0)
		return -1;
	rlimits_prepare(s, &p->rlimits);
	if (landlock_prepare(s, &p->landlock, e) < 0)
		return -1;
	p->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (p->proc_fd < 0)
		return err_set(e, errno, "/proc");
	struct mount_ctx ctx = {
		.privileged = p->privileged,
		.sandbox_uid = p->nested_map.uid_inside,
		.sandbox_gid = p->nested_map.gid_inside,
	};
	return mounts_prepare(s, &ctx, &p->plan, e);
}

static pid_t raw_clone(unsigned long flags)
{
	/* fork-like: no new stack, the child returns here on a copy of ours */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int read_max_userns_is_zero(void)
{
	char buf[16] = { 0 };
	int fd = open("/proc/sys/user/max_user_namespaces", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && buf[0] == '0' && buf[1] == '\n';
}

static int clone_error(struct sandbox *sb, int code, struct err *e)
{
	if ((sb->clone_flags & CLONE_NEWUSER) &&
	    (code == EPERM || code == EACCES || (code == ENOSPC && read_max_userns_is_zero())))
		return userns_refused(code, e);
	if (code == ENOSPC)
		return err_set(e, code,
			       "creating the sandbox's namespaces (a namespace limit in "
			       "/proc/sys/user was reached)");
	return err_set(e, code, "creating the sandbox's namespaces");
}

/* Switch to --userns / --pidns before the clone, so the child is created inside them. */
static int join_namespaces(const struct sandbox_spec *s, struct err *e)
{
	if (s->userns_fd >= 0 && setns(s->userns_fd, CLONE_NEWUSER) < 0) {
		if (errno == EINVAL)
			return err_setx(
				e,
				"--userns %d: cannot join it (not a user namespace, or not a "
				"descendant of the current one)",
				s->userns_fd);
		return err_set(e, errno, "--userns %d", s->userns_fd);
	}
	if (s->pidns_fd >= 0 && setns(s->pidns_fd, CLONE_NEWPID) < 0)
		return err_set(e, errno, "--pidns %d", s->pidns_fd);
	return 0;
}

static int spawn(struct sandbox *sb, struct err *e)
{
	struct setup *p = &sb->su;
	int go[2], msg[2];
	unsigned long flags = p->isolate ? sb->clone_flags : 0;
	_cleanup_close_ int own_pidns = -1;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	p->go_rd = go[0];
	p->go_wr = go[1];
	if (pipe2(msg, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	p->msg_rd = msg[0];
	p->msg_wr = msg[1];
	/* --pidns changes where our own later children go: keep a way back (LeakSanitizer's
	 * helper thread, forktop's forks) */
	if (p->isolate && sb->spec->pidns_fd >= 0)
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (p->isolate && join_namespaces(sb->spec, e) < 0)
		return -1;
	pid = raw_clone(flags);
	if (pid < 0 && sb->userns_only_try &&
	    (errno == EPERM || errno == EACCES || errno == ENOSPC)) {
		/* --unshare-user-try as root: go on without one */
		sb->clone_flags &= ~(unsigned long)CLONE_NEWUSER;
		p->userns = p->nested = false;
		p->privileged = sb->spec->userns_fd < 0;
		pid = raw_clone(sb->clone_flags);
	}
	if (pid < 0)
		return clone_error(sb, errno, e);
	if (pid == 0)
		setup_child(p);
	/* needs CAP_SYS_ADMIN over our own pid namespace; without it, stay */
	if (own_pidns >= 0)
		(void)setns(own_pidns, CLONE_NEWPID);
	sb->pid = pid;
	close(p->go_rd);
	close(p->msg_wr);
	p->go_rd = p->msg_wr = -1;
	return 0;
}

static int write_start_records(struct sandbox *sb, struct err *e)
{
	const struct sandbox_spec *s = sb->spec;

	if (s->info_fd < 0 && s->json_status_fd < 0)
		return 0;
	if (s->info_fd >= 0) {
		_cleanup_free_ char *j = status_start_json(sb->pid, &sb->ns, false, e);
		if (!j || status_write(s->info_fd, "--info-fd", j, e) < 0)
			return -1;
		/* bwrap closes it: readers take EOF as "the sandbox has started" */
		close(s->info_fd);
	}
	if (s->json_status_fd >= 0) {
		_cleanup_free_ char *j = status_start_json(sb->pid, &sb->ns, true, e);
		if (!j || status_write(s->json_status_fd, "--json-status-fd", j, e) < 0)
			return -1;
	}
	return 0;
}

static int send_byte(struct sandbox *sb, char c, struct err *e)
{
	ssize_t w;

	do
		w = write(sb->su.go_wr, &c, 1);
	while (w < 0 && errno == EINTR);
	if (w != 1)
		return err_set(e, errno, "starting the sandbox");
	return 0;
}

/* Have the child make itself non-dumpable (and set no_new_privs) and wait until it has. */
static int lock_down(struct sandbox *sb, struct err *e)
{
	struct setup_msg m;
	ssize_t r;

	if (send_byte(sb, 'd', e) < 0)
		return -1;
	do
		r = read(sb->su.msg_rd, &m, sizeof(m));
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(m) && m.kind == SETUP_MSG_LOCKED)
		return 0;
	if (r == (ssize_t)sizeof(m) && m.kind == SETUP_MSG_ERR) {
		*e = m.e;
		e->msg[sizeof(e->msg) - 1] = '\0';
		return -1;
	}
	err_setx(e, "the sandbox ended during setup");
	e->exit_code = SANDBOX_EXIT_SETUP;
	return -1;
}

/* --net-pasta: pasta attaches to the namespaces through /proc/PID/ns, which needs the child
 * still dumpable, and the command must find the interface configured: start it right before
 * the lock-down, and wait until it is ready. */
static int lock_down_net(struct sandbox *sb, struct err *e)
{
	if (sb->su.isolate && sb->spec->net_pasta && !sb->pasta.pid &&
	    net_pasta_start(sb->spec, sb->su.proc_fd, sb->pid, &sb->pasta, e) < 0)
		return -1;
	return lock_down(sb, e);
}

/* Between clone and the child's first step: maps, hook, lock-down, records, then let it go
 * (see setup.h for the handshake). */
static int release(struct sandbox *sb, struct err *e)
{
	const struct sandbox_spec *s = sb->spec;
	struct setup *p = &sb->su;

	if (p->isolate && p->userns && s->userns_block_fd < 0 &&
	    userns_write_maps(p->proc_fd, sb->pid, &sb->first_map, e) < 0)
		return err_prefix(e, "--unshare-user");
	if (sb->hooks.started && sb->hooks.started(sb->hooks.data, sb->pid, e) < 0)
		return -1;
	/* /proc/PID/ns needs ptrace access: read before the child turns non-dumpable */
	status_read_ns(sb->pid, p->isolate ? sb->clone_flags : 0, &sb->ns);
	/* with --userns-block-fd someone outside writes the maps after reading --info-fd: the
	 * child must stay dumpable (its map files writable by the caller's uid) until then */
	if (s->userns_block_fd < 0 && lock_down_net(sb, e) < 0)
		return -1;
	if (write_start_records(sb, e) < 0)
		return -1;
	if (s->userns_block_fd >= 0) {
		char b;
		ssize_t r;
		do
			r = read(s->userns_block_fd, &b, 1);
		while (r < 0 && errno == EINTR);
		if (lock_down_net(sb, e) < 0)
			return -1;
	}
	if (send_byte(sb, 'g', e) < 0)
		return -1;
	close(p->go_wr);
	p->go_wr = -1;
	return 0;
}

int sandbox_start(const struct sandbox_spec *spec, const struct sandbox_hooks *hooks,
		  struct sandbox **out, struct err *e)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));
	sigset_t cur;

	*out = NULL;
	if (!sb)
		return err_set(e, ENOMEM, "out of memory");
	sb->spec = spec;
	if (hooks)
		sb->hooks = *hooks;
	sb->su.spec = spec;
	sb->su.proc_fd = sb->su.go_rd = sb->su.go_wr = sb->su.msg_rd = sb->su.msg_wr = -1;
	/* the command starts with the caller's mask, less what cordon blocks for forwarding */
	sigprocmask(SIG_BLOCK, NULL, &cur);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigdelset(&cur, forwarded[i]);
	sigdelset(&cur, SIGCHLD);
	sb->su.child_mask = cur;
	if (prepare(sb, e) < 0 || spawn(sb, e) < 0 || release(sb, e) < 0) {
		/* the caller never had it: reap it here whatever the hooks say */
		sb->hooks.caller_reaps = false;
		sandbox_free(sb);
		return -1;
	}
	*out = sb;
	return 0;
}

pid_t sandbox_pid(const struct sandbox *sb)
{
	return sb->pid;
}

int sandbox_setup_fd(const struct sandbox *sb)
{
	return sb->su.msg_rd;
}

/* Read one record (or EOF) from the message pipe. */
static void read_msg(struct sandbox *sb)
{
	struct setup_msg m;
	ssize_t r;

	if (sb->setup_done)
		return;
	do
		r = read(sb->su.msg_rd, &m, sizeof(m));
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		sb->setup_done = true;
		return;
	}
	if (r != (ssize_t)sizeof(m))
		return;
	if (m.kind == SETUP_MSG_EXEC) {
		sb->exec_seen = true;
	} else if (m.kind == SETUP_MSG_ERR && !sb->failed) {
		sb->failed = true;
		sb->err = m.e;
		sb->err.msg[sizeof(sb->err.msg) - 1] = '\0';
	}
}

int sandbox_setup_result(struct sandbox *sb, struct err *e)
{
	while (!sb->setup_done)
		read_msg(sb);
	if (sb->failed) {
		*e = sb->err;
		return -1;
	}
	if (!sb->exec_seen) {
		err_setx(e, "the sandbox ended during setup");
		e->exit_code = SANDBOX_EXIT_SETUP;
		return -1;
	}
	return 0;
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* The first process has been reaped: settle the result. */
static int conclude(struct sandbox *sb, struct err *e)
{
	const struct sandbox_spec *s = sb->spec;
	int code = status_code(sb->status);

	while (!sb->setup_done)
		read_msg(sb);
	if (sb->failed) {
		*e = sb->err;
		return -1;
	}
	if (!sb->exec_seen) {
		/* killed during setup (e.g. Ctrl-C): report it like the command's death */
		if (WIFSIGNALED(sb->status))
			return code;
		err_setx(e, "the sandbox ended during setup (exit status %d)", code);
		e->exit_code = SANDBOX_EXIT_SETUP;
		return -1;
	}
	if (s->json_status_fd >= 0 && !sb->exit_reported) {
		struct err ignored;
		_cleanup_free_ char *j = status_exit_json(code, &ignored);
		/* like bwrap: the status is reported even if the reader went away */
		if (j)
			status_write(s->json_status_fd, "--json-status-fd", j, &ignored);
		sb->exit_reported = true;
	}
	return code;
}

int sandbox_finish(struct sandbox *sb, int status)
{
	struct err e;
	int rc;

	sb->reaped = true;
	sb->status = status;
	rc = conclude(sb, &e);
	return rc < 0 ? (e.exit_code ? e.exit_code : SANDBOX_EXIT_SETUP) : rc;
}

/* Kill and reap every child we have left: processes of the sandbox orphaned by the command
 * were reparented to us (PR_SET_CHILD_SUBREAPER). Bounded, in case one keeps forking. */
static void end_leftovers(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	for (int round = 0; round < 2000; round++) {
		char buf[4096];
		bool any = false;
		ssize_t n = -1;
		int fd = open(path, O_RDONLY | O_CLOEXEC), st;
		pid_t w;

		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		buf[n > 0 ? n : 0] = '\0';
		for (char *q = buf, *end; *q; q = end) {
			long pid = strtol(q, &end, 10);
			if (end == q)
				break;
			if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
				any = true;
		}
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (w < 0 && errno == ECHILD)
			return;
		if (!any)
			usleep(1000);
	}
}

static void forward_pending(struct sandbox *sb, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			kill(sb->pid, (int)si.ssi_signo);
}

int sandbox_wait(struct sandbox *sb, struct err *e)
{
	sigset_t mask, old;
	int sfd, rc;

	forwarded_set(&mask, true);
	if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
		return err_set(e, errno, "sigprocmask");
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		rc = err_set(e, errno, "signalfd");
		sigprocmask(SIG_SETMASK, &old, NULL);
		return rc;
	}
	while (!sb->reaped) {
		struct pollfd pf[2] = { { sfd, POLLIN, 0 }, { sb->su.msg_rd, POLLIN, 0 } };
		int st;
		pid_t w = waitpid(sb->pid, &st, WNOHANG);

		if (w == sb->pid) {
			sb->reaped = true;
			sb->status = st;
			break;
		}
		if (w < 0 && errno != EINTR) {
			rc = err_set(e, errno, "waitpid");
			goto out;
		}
		if (poll(pf, sb->setup_done ? 1 : 2, -1) < 0 && errno != EINTR) {
			rc = err_set(e, errno, "poll");
			goto out;
		}
		if (pf[1].revents)
			read_msg(sb);
		if (pf[0].revents)
			forward_pending(sb, sfd);
	}
	rc = conclude(sb, e);
	/* before end_leftovers() reaps every child: pasta's pid must stay ours until killed */
	net_pasta_stop(&sb->pasta);
	if (sb->kill_leftovers)
		end_leftovers();
out:
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void sandbox_free(struct sandbox *sb)
{
	struct setup *p;

	if (!sb)
		return;
	p = &sb->su;
	if (sb->pid > 0 && !sb->reaped) {
		int st;
		kill(sb->pid, SIGKILL);
		while (!sb->hooks.caller_reaps && waitpid(sb->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	net_pasta_stop(&sb->pasta);
	close_fd(&p->go_rd);
	close_fd(&p->go_wr);
	close_fd(&p->msg_rd);
	close_fd(&p->msg_wr);
	close_fd(&p->proc_fd);
	env_free(&p->env);
	sysfilter_progs_free(&p->progs);
	if (p->plan)
		mounts_plan_free(p->plan);
	free(p->argv);
	free(p->old_cwd);
	free(p->keep);
	free(p->reaper_keep);
	free(p->lock_fds);
	free(sb);
}

int sandbox_run(const struct sandbox_spec *spec, struct err *e)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	struct sandbox *sb = NULL;
	sigset_t fwd, old;
	int rc;

	/* an inherited SIG_IGN for SIGCHLD would let the kernel reap the sandbox for us */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* held from now on and forwarded once the sandbox runs, so Ctrl-C during setup cannot
	 * leave it behind */
	forwarded_set(&fwd, false);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	if (spec->die_with_parent)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* without a pid namespace, what the command leaves running would outlive cordon: have
	 * it reparented to us and end it with the sandbox (a pid namespace does that itself) */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	rc = sandbox_start(spec, NULL, &sb, e);
	if (rc == 0 && sb) {
		sb->kill_leftovers = true;
		rc = sandbox_wait(sb, e);
	}
	sandbox_free(sb);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
