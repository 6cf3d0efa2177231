#include "join.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define SEALED_NAME "cordon-enter-sealed"

/* --- CVE-2019-5736: run from a sealed copy --------------------------------------------- */

static bool running_sealed(void)
{
	char link[256];
	ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	if (strncmp(link, "/memfd:" SEALED_NAME, strlen("/memfd:" SEALED_NAME)) != 0)
		return false;
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;
	return seals >= 0 && (seals & (F_SEAL_WRITE | F_SEAL_SEAL)) == (F_SEAL_WRITE | F_SEAL_SEAL);
}

int join_reexec_sealed(char **argv, char **envp, struct err *e)
{
	struct stat st;
	if (running_sealed())
		return 0;
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return err_set(e, errno, "re-exec from a sealed copy: /proc/self/exe");
	/* MFD_EXEC: kernels with vm.memfd_noexec would otherwise refuse to run it */
	_cleanup_close_ int mfd =
		memfd_create(SEALED_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create(SEALED_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return err_set(e, errno, "re-exec from a sealed copy: memfd_create");
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			return err_set(e, n < 0 ? errno : EIO, "re-exec from a sealed copy: copy");
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return err_set(e, errno, "re-exec from a sealed copy: seal");
	syscall(SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
	return err_set(e, errno, "re-exec from a sealed copy: execveat");
}

/* --- what the target has --------------------------------------------------------------- */

static const struct {
	const char *name;
	int flag;
} ns_table[] = {
	/* the kernel orders them itself (setns on a pidfd); user first in this table only for
	 * the message when one is refused */
	{ "user", CLONE_NEWUSER },     { "mnt", CLONE_NEWNS },	  { "pid", CLONE_NEWPID },
	{ "net", CLONE_NEWNET },       { "ipc", CLONE_NEWIPC },	  { "uts", CLONE_NEWUTS },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

#define MAX_GROUPS 64

struct target {
	int pidfd, procfd, rootfd, cwdfd;
	int ns_mask;
	uint32_t uid[4], gid[4]; /* inside the target's user namespace */
	gid_t groups[MAX_GROUPS];
	int ngroups; /* -1: leave alone (setgroups denied) */
	uint64_t cap_eff, cap_prm, cap_inh, cap_bnd, cap_amb;
	bool nnp;
	int seccomp;
	struct rlimit rlim[RLIM_NLIMITS];
	struct join_filters own;	    /* the filters read here */
	const struct join_filters *filters; /* what B installs: &own or join_req.filters */
};

static void target_close(struct target *t)
{
	int *fds[] = { &t->pidfd, &t->procfd, &t->rootfd, &t->cwdfd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	join_filters_free(&t->own);
}

static FILE *open_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
	if (!f && fd >= 0)
		close(fd);
	return f;
}

/* Host-view id -> id inside the target's user namespace, through its uid_map/gid_map (which
 * show the outside ids relative to our namespace). */
static int map_id(int procfd, const char *map, uint32_t host, uint32_t *inside, struct err *e)
{
	char line[128];
	_cleanup_fclose_ FILE *f = open_at(procfd, map);
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line;
		unsigned long in = strtoul(p, &p, 10), out = strtoul(p, &p, 10);
		unsigned long count = strtoul(p, &p, 10);
		if (host >= out && host - out < count) {
			*inside = (uint32_t)(in + (host - out));
			return 0;
		}
	}
	return err_setx(e, "id %u has no mapping in the process's user namespace (%s)", host, map);
}

/* Up to max unsigned numbers from s; returns how many. */
static int parse_ids(const char *s, uint32_t *out, int max)
{
	int n = 0;
	for (char *end; n < max; s = end) {
		unsigned long v = strtoul(s, &end, 10);
		if (end == s)
			break;
		out[n++] = (uint32_t)v;
	}
	return n;
}

static void status_line(struct target *t, const char *name, const char *val, uint32_t hu[4],
			uint32_t hg[4], uint32_t *hgroups)
{
	static const struct {
		const char *name;
		size_t off;
	} caps[] = {
		{ "CapEff", offsetof(struct target, cap_eff) },
		{ "CapPrm", offsetof(struct target, cap_prm) },
		{ "CapInh", offsetof(struct target, cap_inh) },
		{ "CapBnd", offsetof(struct target, cap_bnd) },
		{ "CapAmb", offsetof(struct target, cap_amb) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		if (!strcmp(name, caps[i].name))
			*(uint64_t *)((char *)t + caps[i].off) = strtoull(val, NULL, 16);
	if (!strcmp(name, "Uid"))
		parse_ids(val, hu, 4);
	else if (!strcmp(name, "Gid"))
		parse_ids(val, hg, 4);
	else if (!strcmp(name, "Groups"))
		t->ngroups = parse_ids(val, hgroups, MAX_GROUPS);
	else if (!strcmp(name, "NoNewPrivs"))
		t->nnp = strtoul(val, NULL, 10) != 0;
	else if (!strcmp(name, "Seccomp"))
		t->seccomp = (int)strtol(val, NULL, 10);
}

static int read_status(struct target *t, uint32_t hu[4], uint32_t hg[4], uint32_t *hgroups,
		       struct err *e)
{
	char line[1024];
	_cleanup_fclose_ FILE *f = open_at(t->procfd, "status");
	if (!f)
		return err_set(e, errno, "status");
	t->ngroups = 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		status_line(t, line, colon + 1, hu, hg, hgroups);
	}
	return 0;
}

static int read_identity(struct target *t, struct err *e)
{
	uint32_t hu[4] = { 0 }, hg[4] = { 0 }, hgroups[MAX_GROUPS];
	char line[16] = "";
	if (read_status(t, hu, hg, hgroups, e) < 0)
		return -1;
	for (int i = 0; i < 4; i++)
		if (map_id(t->procfd, "uid_map", hu[i], &t->uid[i], e) < 0 ||
		    map_id(t->procfd, "gid_map", hg[i], &t->gid[i], e) < 0)
			return -1;
	_cleanup_fclose_ FILE *sg = open_at(t->procfd, "setgroups");
	if (sg && fgets(line, sizeof(line), sg) && !strncmp(line, "deny", 4)) {
		t->ngroups = -1;
		return 0;
	}
	for (int i = 0; i < t->ngroups; i++) {
		uint32_t g;
		if (map_id(t->procfd, "gid_map", hgroups[i], &g, e) < 0)
			return -1;
		t->groups[i] = g;
	}
	return 0;
}

static int read_namespaces(struct target *t, struct err *e)
{
	char self[64];
	struct stat a, b;
	t->ns_mask = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++) {
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_table[i].name);
		char theirs[32];
		snprintf(theirs, sizeof(theirs), "ns/%s", ns_table[i].name);
		if (stat(self, &a) < 0 && errno == ENOENT)
			continue; /* the kernel lacks this namespace type */
		if (fstatat(t->procfd, theirs, &b, 0) < 0)
			return err_set(e, errno, "namespace %s", ns_table[i].name);
		/* joining one's own user namespace is an error: only enter what differs */
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			t->ns_mask |= ns_table[i].flag;
	}
	return 0;
}

void join_filters_free(struct join_filters *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->prog[i].filter);
	f->n = 0;
}

/* Filter idx (0 = oldest) of tid into *prog; 1 read, 0 none (past the oldest), -1 error. */
static int read_filter(pid_t tid, int idx, struct sock_fprog *prog, struct err *e)
{
	long cnt = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)(long)idx, NULL);
	if (cnt < 0 && errno == ENOENT)
		return 0;
	if (cnt <= 0)
		return err_set(e, cnt < 0 ? errno : EINVAL, "process %d: seccomp filter %d",
			       (int)tid, idx);
	if (idx == JOIN_MAX_FILTERS)
		return err_setx(e, "process %d: more than %d seccomp filters", (int)tid,
				JOIN_MAX_FILTERS);
	prog->len = (unsigned short)cnt;
	prog->filter = calloc((size_t)cnt, sizeof(struct sock_filter));
	if (!prog->filter)
		return err_set(e, ENOMEM, "memory");
	if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)(long)idx, prog->filter) != cnt) {
		free(prog->filter);
		return err_set(e, errno, "process %d: seccomp filter %d", (int)tid, idx);
	}
	return 1;
}

int join_filters_read(pid_t tid, struct join_filters *f, struct err *e)
{
	int rc;
	f->n = 0;
	/* index 0 is the oldest (the kernel counts from the first installed; ptrace(2)'s
	 * "most recently installed has index 0" is wrong), the order B installs them in; at
	 * JOIN_MAX_FILTERS read_filter fails before it writes *prog */
	while ((rc = read_filter(tid, f->n, &f->prog[f->n < JOIN_MAX_FILTERS ? f->n : 0], e)) > 0)
		f->n++;
	if (rc < 0)
		join_filters_free(f);
	return rc;
}

/* The filters, when we may read them: seize and stop the target for the duration (only
 * possible when nothing traces it already: forktop reads them itself, join_req.filters). */
static void read_filters(pid_t pid, struct target *t)
{
	struct err e;
	int st;
	if (t->seccomp != 2 || ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0 && waitpid(pid, &st, __WALL) == pid)
		join_filters_read(pid, &t->own, &e); /* unreadable: said in join_result.missing */
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
}

static int parse_limit(const char *s, rlim_t *v)
{
	char *end;
	if (!strncmp(s, "unlimited", 9)) {
		*v = RLIM_INFINITY;
		return 9;
	}
	*v = strtoull(s, &end, 10);
	return end == s ? -1 : (int)(end - s);
}

/* prlimit() needs CAP_SYS_RESOURCE over another user's process; /proc/PID/limits does not
 * (its lines come in RLIMIT_* order, values from column 26 on). */
static int read_rlimits(pid_t pid, struct target *t, struct err *e)
{
	char line[256];
	int r = 0;
	if (prlimit(pid, 0, NULL, &t->rlim[0]) == 0) {
		for (r = 1; r < RLIM_NLIMITS; r++)
			if (prlimit(pid, (__rlimit_resource_t)r, NULL, &t->rlim[r]) < 0)
				return err_set(e, errno, "process %d: rlimits", (int)pid);
		return 0;
	}
	_cleanup_fclose_ FILE *f = open_at(t->procfd, "limits");
	if (f && fgets(line, sizeof(line), f)) /* header */
		for (r = 0; r < RLIM_NLIMITS && fgets(line, sizeof(line), f); r++) {
			const char *p = line + 26;
			int n;
			if (strlen(line) < 26 || (n = parse_limit(p, &t->rlim[r].rlim_cur)) < 0)
				break;
			p += n;
			while (*p == ' ')
				p++;
			if (parse_limit(p, &t->rlim[r].rlim_max) < 0)
				break;
		}
	if (r != RLIM_NLIMITS)
		return err_set(e, f ? EINVAL : errno, "process %d: limits", (int)pid);
	return 0;
}

static int open_target(const struct join_req *req, struct target *t, struct err *e)
{
	pid_t pid = req->pid;
	char path[64];
	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (t->pidfd < 0)
		return err_set(e, errno, "process %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	t->procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0)
		return err_set(e, errno, "process %d: %s", (int)pid, path);
	t->rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	t->cwdfd = openat(t->procfd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0 || t->cwdfd < 0)
		return err_set(e, errno, "process %d: root and cwd", (int)pid);
	if (read_identity(t, e) < 0 || read_namespaces(t, e) < 0)
		return err_prefix(e, "process %d", (int)pid);
	if (read_rlimits(pid, t, e) < 0)
		return -1;
	if (req->filters)
		t->filters = req->filters;
	else
		read_filters(pid, t);
	/* everything above went by pid or /proc/PID: it was this process only if the pidfd's
	 * process is still alive now (a pid is not reused before its process is reaped) */
	if (syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0)
		return err_set(e, errno, "process %d exited meanwhile", (int)pid);
	return 0;
}

/* --- after fork: syscalls only ---------------------------------------------------------- */

static _Noreturn void fail(int errfd, int code, struct err *e)
{
	e->exit_code = code;
	if (write(errfd, e, sizeof(*e)) < 0)
		_exit(code);
	_exit(code);
}

static int set_caps(const struct target *t, struct err *e)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)t->cap_eff, (uint32_t)t->cap_prm, (uint32_t)t->cap_inh },
		{ (uint32_t)(t->cap_eff >> 32), (uint32_t)(t->cap_prm >> 32),
		  (uint32_t)(t->cap_inh >> 32) },
	};
	if (syscall(SYS_capset, &h, d) < 0)
		return err_set(e, errno, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_set(e, errno, "ambient capabilities");
	for (int c = 0; c < 64; c++)
		if ((t->cap_amb >> c) & 1 &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return err_set(e, errno, "ambient capability %d", c);
	return 0;
}

static int take_identity(const struct target *t, struct err *e)
{
	for (int c = 0; c < 64; c++)
		if (!((t->cap_bnd >> c) & 1) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return err_set(e, errno, "bounding set");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_set(e, errno, "keepcaps");
	if (t->ngroups >= 0 && setgroups((size_t)t->ngroups, t->groups) < 0)
		return err_set(e, errno, "setgroups");
	if (syscall(SYS_setresgid, t->gid[0], t->gid[1], t->gid[2]) < 0 ||
	    syscall(SYS_setfsgid, t->gid[3]) < 0)
		return err_set(e, errno, "setresgid %u", t->gid[1]);
	if (syscall(SYS_setresuid, t->uid[0], t->uid[1], t->uid[2]) < 0)
		return err_set(e, errno, "setresuid %u", t->uid[1]);
	syscall(SYS_setfsuid, t->uid[3]);
	if (set_caps(t, e) < 0)
		return -1;
	for (int r = 0; r < RLIM_NLIMITS; r++)
		if (setrlimit((__rlimit_resource_t)r, &t->rlim[r]) < 0)
			return err_set(e, errno, "rlimit %d", r);
	return 0;
}

static int setup_stdio(const struct join_req *req, struct err *e)
{
	int high[3];
	for (int i = 0; i < 3; i++) {
		high[i] = fcntl(req->fds[i], F_DUPFD_CLOEXEC, 3);
		if (high[i] < 0)
			return err_set(e, errno, "fd %d", req->fds[i]);
	}
	for (int i = 0; i < 3; i++)
		if (dup3(high[i], i, 0) < 0)
			return err_set(e, errno, "dup3");
	if (setsid() < 0)
		return err_set(e, errno, "setsid");
	if (req->ctty && ioctl(0, TIOCSCTTY, 0) < 0)
		return err_set(e, errno, "controlling terminal");
	return 0;
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* B: inside every namespace and the root; becomes the target's identity and execs. */
static _Noreturn void run_b(const struct join_req *req, const struct target *t, int errfd)
{
	struct err e;
	int first = ENOENT;
	err_clear(&e);
	if (setup_stdio(req, &e) < 0 || take_identity(t, &e) < 0)
		fail(errfd, 125, &e);
	reset_signals();
	/* the error pipe must survive until execve: mark, do not close */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (t->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_set(&e, errno, "no_new_privs");
		fail(errfd, 125, &e);
	}
	for (int i = 0; i < t->filters->n; i++)
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &t->filters->prog[i]) < 0) {
			err_set(&e, errno, "seccomp filter %d of %d", i + 1, t->filters->n);
			fail(errfd, 125, &e);
		}
	for (size_t i = 0; req->paths[i]; i++) {
		const char *self[2] = { req->paths[i], NULL };
		execve(req->paths[i], req->argv ? req->argv : (char *const *)(uintptr_t)self,
		       req->envp);
		if (first == ENOENT)
			first = errno;
	}
	err_set(&e, first, "%s: not executable inside the process's root",
		req->argv ? req->argv[0] : req->paths[0]);
	fail(errfd, first == ENOENT ? 127 : 126, &e);
}

/* A: enters the namespaces and the root, forks B, relays signals to it and its status. */
static _Noreturn void run_a(const struct join_req *req, const struct target *t, int errfd,
			    int syncfd)
{
	struct err e;
	char go;
	sigset_t all;
	int st;
	err_clear(&e);
	if (syncfd >= 0 && read(syncfd, &go, 1) != 1)
		_exit(125);
	/* from here on nothing in the sandbox may read our memory or ptrace us, until exec
	 * (set after the caller's seize: a non-dumpable child is not seizable unprivileged) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (t->ns_mask && setns(t->pidfd, t->ns_mask) < 0) {
		err_set(&e, errno, "setns into process %d's namespaces", (int)req->pid);
		fail(errfd, 125, &e);
	}
	if (fchdir(t->rootfd) < 0 || chroot(".") < 0 || fchdir(t->cwdfd) < 0) {
		err_set(&e, errno, "chroot to process %d's root", (int)req->pid);
		fail(errfd, 125, &e);
	}
	pid_t b = fork();
	if (b < 0) {
		err_set(&e, errno, "fork");
		fail(errfd, 125, &e);
	}
	if (b == 0)
		run_b(req, t, errfd);
	close(errfd);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		int sig = sigwaitinfo(&all, NULL);
		if (sig == SIGCHLD || sig < 0) {
			pid_t r = waitpid(b, &st, WNOHANG);
			if (r == b && WIFEXITED(st))
				_exit(WEXITSTATUS(st));
			if (r == b && WIFSIGNALED(st))
				_exit(128 + WTERMSIG(st));
		} else {
			kill(b, sig);
		}
	}
}

int join_spawn(const struct join_req *req, struct join_result *res, struct err *e)
{
	struct target t = { .pidfd = -1, .procfd = -1, .rootfd = -1, .cwdfd = -1 };
	t.filters = &t.own;
	int errp[2] = { -1, -1 }, syncp[2] = { -1, -1 };
	pid_t a;
	memset(res, 0, sizeof(*res));
	res->errfd = -1;
	if (open_target(req, &t, e) < 0) {
		target_close(&t);
		return -1;
	}
	snprintf(res->missing, sizeof(res->missing), "cgroup, LSM label%s",
		 t.seccomp == 2 && !t.filters->n ? ", seccomp filter (unreadable)" : "");
	if (pipe2(errp, O_CLOEXEC) < 0 || (req->trace && pipe2(syncp, O_CLOEXEC) < 0)) {
		target_close(&t);
		return err_set(e, errno, "pipe");
	}
	a = fork();
	if (a == 0) {
		close(errp[0]);
		if (syncp[1] >= 0)
			close(syncp[1]);
		run_a(req, &t, errp[1], syncp[0]);
	}
	close(errp[1]);
	if (syncp[0] >= 0)
		close(syncp[0]);
	target_close(&t);
	if (a < 0) {
		close(errp[0]);
		if (syncp[1] >= 0)
			close(syncp[1]);
		return err_set(e, errno, "fork");
	}
	res->child = a;
	if (req->trace) {
		unsigned long opts = PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
		int seized = ptrace(PTRACE_SEIZE, a, NULL, (void *)opts);
		if (write(syncp[1], "g", 1) != 1 || seized < 0) {
			kill(a, SIGKILL);
			waitpid(a, NULL, __WALL);
			close(syncp[1]);
			close(errp[0]);
			return err_set(e, errno, "ptrace seize %d", (int)a);
		}
		close(syncp[1]);
		res->errfd = errp[0];
		return 0;
	}
	struct err child_err;
	ssize_t n = read(errp[0], &child_err, sizeof(child_err));
	close(errp[0]);
	if (n == (ssize_t)sizeof(child_err)) {
		*e = child_err;
		waitpid(a, NULL, 0);
		return -1;
	}
	return 0;
}
