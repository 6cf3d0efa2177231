/* nsenter-style join: run a command with a running process's namespaces, root, cwd,
 * credentials, capability sets, no_new_privs, rlimits and (where it can be read) seccomp
 * filter, without touching the process itself.
 *
 * The process is named by a pidfd, never by a bare pid once opened: every /proc read goes
 * through a /proc/PID directory fd that is checked against the pidfd afterwards, and setns()
 * takes the pidfd (Linux 5.8), which also enters the namespaces in the kernel's own order
 * (user first when it grants the rights to enter the others).
 *
 * Weaker than a hijack (inject.h): the command does not get the process's cgroup, LSM label,
 * or its seccomp filter when PTRACE_SECCOMP_GET_FILTER is refused (needs CAP_SYS_ADMIN; a
 * tracer of the process reads them itself and passes them in join_req.filters), and
 * joining a user namespace grants every capability in it until they are dropped (done here).
 *
 * Layout: the caller forks A (join_spawn); A enters the namespaces and the root, forks B (so B
 * is inside the pid namespace), waits for it and exits with its status; B takes the identity
 * and execs. The caller never enters the sandbox. Nothing here is safe after fork except what
 * A and B run, which is syscalls only. */
#ifndef FORKTOP_JOIN_H
#define FORKTOP_JOIN_H

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

/* Re-exec the running program from a sealed memfd copy of itself unless it already runs from
 * one, so that nothing inside a joined sandbox can write the host binary through
 * /proc/PID/exe (CVE-2019-5736). Returns only on error or when already sealed (0). */
int join_reexec_sealed(char **argv, char **envp, struct err *e);

#define JOIN_MAX_FILTERS 32

/* A process's seccomp filters, oldest first (the order they are installed in). */
struct join_filters {
	struct sock_fprog prog[JOIN_MAX_FILTERS];
	int n;
};

/* Read every seccomp filter of thread tid (PTRACE_SECCOMP_GET_FILTER; index 0 is the oldest,
 * up to the ENOENT past the newest). The caller traces tid and tid sits in a ptrace-stop; the
 * kernel also wants CAP_SYS_ADMIN and the caller under no seccomp filter itself (else EACCES).
 * 0 with f filled, or -1 with e filled and f empty (n = 0). */
int join_filters_read(pid_t tid, struct join_filters *f, struct err *e);
void join_filters_free(struct join_filters *f);

struct join_req {
	pid_t pid;
	char *const *argv;	  /* argv[0] passed as is; NULL: { chosen path } */
	const char *const *paths; /* candidate executables inside, NULL-terminated */
	char *const *envp;
	int fds[3]; /* become the command's 0, 1, 2 */
	bool ctty;  /* setsid + TIOCSCTTY on fd 0; else setsid only */
	bool trace; /* the caller PTRACE_SEIZEs A (fork, exec events) first */
	/* The process's seccomp filters, read by a caller that traces it (join_spawn cannot
	 * seize a traced process to read them): installed in B like the ones join_spawn reads
	 * itself. n = 0: none, or unreadable (said in join_result.missing when the process has
	 * a filter). NULL: join_spawn seizes the process and reads them when it may. */
	const struct join_filters *filters;
};

struct join_result {
	pid_t child;	   /* A: the caller's child; its exit status is the command's */
	int errfd;	   /* trace mode only: the error pipe (struct err, or EOF once B
				     * exec'd) for the caller to read after handling the stops */
	char missing[256]; /* attributes not copied, comma-separated (for the banner) */
};

/* Fork A as described above. Errors found before the fork are returned here; errors in A or B
 * (after the fork) come back through a pipe and are returned too, with e->exit_code set (125
 * setup, 126 not executable, 127 not found), A then reaped. In trace mode A is seized (options
 * TRACEFORK|TRACEEXEC|EXITKILL) and released before join_spawn returns; the caller handles
 * its stops and reads res->errfd. */
int join_spawn(const struct join_req *req, struct join_result *res, struct err *e);

#endif
