#include "enter_check.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "inject.h"
#include "join.h"

static const char *const status_fields[] = {
	"Uid",	  "Gid",     "CapEff",		"CapPrm",     "CapBnd",
	"CapAmb", "Seccomp", "Seccomp_filters", "NoNewPrivs",
};
static const char *const ns_fields[] = {
	"user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time",
};
static const char *const all_fields[] = {
	"Uid",	      "Gid",	 "CapEff",  "CapPrm",
	"CapBnd",     "CapAmb",	 "Seccomp", "Seccomp_filters",
	"NoNewPrivs", "ns/user", "ns/mnt",  "ns/pid",
	"ns/net",     "ns/ipc",	 "ns/uts",  "ns/cgroup",
	"ns/time",    "root",	 "cwd",
};

const char *const *enter_field_names(size_t *n)
{
	*n = ARRAY_SIZE(all_fields);
	return all_fields;
}

/* "0\t0\t0\t0" -> "0 0 0 0" */
static void normalise(char *dst, size_t size, const char *src)
{
	size_t o = 0;
	bool space = false;
	for (; *src && *src != '\n' && o + 1 < size; src++) {
		if (*src == ' ' || *src == '\t') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < size)
			dst[o++] = ' ';
		space = false;
		dst[o++] = *src;
	}
	dst[o] = 0;
}

static int read_status(pid_t pid, struct enter_snap *s, struct err *e)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return err_set(e, errno, "process %d", (int)pid);
	for (size_t i = 0; i < ARRAY_SIZE(status_fields); i++)
		strcpy(s->val[i], "-");
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		for (size_t i = 0; i < ARRAY_SIZE(status_fields); i++)
			if (!strcmp(line, status_fields[i]))
				normalise(s->val[i], sizeof(s->val[i]), colon + 1);
	}
	return 0;
}

/* A directory by identity (device, inode, mount id): paths differ across mount namespaces. */
static void dir_ident(pid_t pid, const char *which, char *out, size_t size)
{
	char path[64], target[64] = "";
	struct statx stx;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_MNT_ID, &stx) < 0) {
		snprintf(out, size, "? (%s)", strerror(errno));
		return;
	}
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	snprintf(out, size, "%s dev %u:%u ino %llu mnt %llu", target, stx.stx_dev_major,
		 stx.stx_dev_minor, (unsigned long long)stx.stx_ino,
		 (unsigned long long)stx.stx_mnt_id);
}

int enter_snapshot(pid_t pid, struct enter_snap *s, struct err *e)
{
	char path[64];
	size_t k = ARRAY_SIZE(status_fields);
	memset(s, 0, sizeof(*s));
	if (read_status(pid, s, e) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(ns_fields); i++, k++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_fields[i]);
		ssize_t n = readlink(path, s->val[k], sizeof(s->val[k]) - 1);
		if (n < 0)
			snprintf(s->val[k], sizeof(s->val[k]), "? (%s)", strerror(errno));
		else
			s->val[k][n] = 0;
	}
	dir_ident(pid, "root", s->val[k], sizeof(s->val[k]));
	k++;
	dir_ident(pid, "cwd", s->val[k], sizeof(s->val[k]));
	s->n = ++k;
	return 0;
}

void enter_compare(const struct enter_snap *target, const struct enter_snap *cmd,
		   struct enter_table *t)
{
	t->n = t->nequal = 0;
	for (size_t i = 0; i < target->n && i < ARRAY_SIZE(all_fields); i++) {
		struct enter_row *r = &t->rows[t->n++];
		r->name = all_fields[i];
		snprintf(r->target, sizeof(r->target), "%s", target->val[i]);
		snprintf(r->command, sizeof(r->command), "%s", cmd->val[i]);
		/* an unreadable value is never "equal" */
		r->equal = !strcmp(r->target, r->command) && r->target[0] != '?';
		t->nequal += r->equal;
	}
}

static void kill_traced(pid_t pid)
{
	int st;
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

static int check_hijack(pid_t pid, bool force, const char *const *paths, char *const *envp,
			struct enter_snap *cmd, struct enter_table *t, struct err *e)
{
	struct hijack_req req = { .paths = paths, .argv = NULL, .envp = envp, .fds = { 0, 1, 2 } };
	struct hijack_result res;
	int rc;
	if (inject_hijack(pid, force ? INJECT_FORCE_SECCOMP : 0, NULL, &req, &res, e) < 0)
		return -1;
	rc = enter_snapshot(res.child, cmd, e);
	snprintf(t->path, sizeof(t->path), "%s", res.path);
	kill_traced(res.child);
	close(res.pidfd);
	return rc;
}

/* Follow A and B: B's successful execve is where its permissions are final. */
static int follow_join(pid_t a, struct enter_snap *cmd, bool *got, struct err *e)
{
	int st, rc = 0;
	pid_t r;
	*got = false;
	while ((r = waitpid(-1, &st, __WALL)) != a || !(WIFEXITED(st) || WIFSIGNALED(st))) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, errno, "waitpid");
		}
		if (!WIFSTOPPED(st))
			continue;
		int ev = st >> 16;
		if (ev == PTRACE_EVENT_EXEC && r != a && !*got) {
			rc = enter_snapshot(r, cmd, e);
			*got = rc == 0;
			kill(r, SIGKILL);
		}
		ptrace(PTRACE_CONT, r, NULL,
		       (void *)(long)(ev || WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st)));
	}
	return rc;
}

static int check_join(pid_t pid, const char *const *paths, char *const *envp,
		      struct enter_snap *cmd, struct enter_table *t, struct err *e)
{
	struct join_req req = { .pid = pid,
				.argv = NULL,
				.paths = paths,
				.envp = envp,
				.fds = { 0, 1, 2 },
				.trace = true };
	struct join_result res;
	struct err child_err;
	bool got;
	if (join_spawn(&req, &res, e) < 0)
		return -1;
	_cleanup_close_ int errfd = res.errfd;
	if (follow_join(res.child, cmd, &got, e) < 0)
		return -1;
	err_clear(&child_err);
	if (read(errfd, &child_err, sizeof(child_err)) == (ssize_t)sizeof(child_err)) {
		*e = child_err;
		return -1;
	}
	if (!got)
		return err_setx(e, "process %d: the joined command never ran", (int)pid);
	snprintf(t->path, sizeof(t->path), "%s", "(shell)");
	return 0;
}

int enter_check_run(pid_t pid, bool hijack, bool force, const char *const *paths, char *const *envp,
		    struct enter_table *t, struct err *e)
{
	struct enter_snap target, cmd;
	memset(t, 0, sizeof(*t));
	if (enter_snapshot(pid, &target, e) < 0)
		return -1;
	if (hijack ? check_hijack(pid, force, paths, envp, &cmd, t, e) < 0
		   : check_join(pid, paths, envp, &cmd, t, e) < 0)
		return -1;
	enter_compare(&target, &cmd, t);
	return 0;
}
