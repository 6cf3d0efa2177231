/* Running a sandbox_spec: namespaces, uid/gid maps, the new root (mounts.c), capabilities,
 * no_new_privs, seccomp, the pid-1 reaper, lifecycle fds (--info-fd, --json-status-fd,
 * --sync-fd, --block-fd, --lock-file), then exec of the command.
 *
 * The parent prepares everything that allocates (seccomp programs, capability masks, the
 * environment, the mount plan) before the clone; the setup child runs only syscalls on that
 * prepared data, reports a failure as a `struct err` over a CLOEXEC pipe and _exit()s.
 * The parent owns the `struct sandbox`; none of these functions is for use after fork. */
#ifndef LAUNCHER_SANDBOX_H
#define LAUNCHER_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"

/* Exit codes (docs/cordon.1, EXIT STATUS). The command's own status is passed through;
 * 128+N when it was killed by signal N. */
enum {
	SANDBOX_EXIT_SETUP = 1,	     /* setup failed (bubblewrap's code for it) */
	SANDBOX_EXIT_NOEXEC = 126,   /* command found but not executable */
	SANDBOX_EXIT_NOTFOUND = 127, /* command not found */
};

struct sandbox;

struct sandbox_hooks {
	/* Called in the parent once the sandbox's first process exists (host pid `pid`), before
	 * it has done any setup; it waits until the hook returns. forktop PTRACE_SEIZEs it here
	 * so that every process of the sandbox, and the very first exec, is seen. */
	int (*started)(void *data, pid_t pid, struct err *e);
	void *data;
	/* true: the caller will waitpid() the first process itself (forktop's tracer loop) and
	 * report its status with sandbox_finish(); sandbox_wait() is then not used. */
	bool caller_reaps;
};

/* Create the sandbox and start its setup. On success *out is the started sandbox. */
int sandbox_start(const struct sandbox_spec *spec, const struct sandbox_hooks *hooks,
		  struct sandbox **out, struct err *e);
/* Host pid of the sandbox's first process (pid 1 inside with --unshare-pid). */
pid_t sandbox_pid(const struct sandbox *sb);
/* fd that becomes readable (EOF, or an error record) when setup ends; for poll() loops. */
int sandbox_setup_fd(const struct sandbox *sb);
/* Read the setup result: 0 when the command was exec'd, or -1 with e filled (e->exit_code set
 * to SANDBOX_EXIT_*). Blocks until setup ends. Idempotent. */
int sandbox_setup_result(struct sandbox *sb, struct err *e);
/* cordon: wait for the sandbox to end, forwarding SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGUSR1/2 to it;
 * writes the json-status exit record; returns the exit code cordon must exit with. */
int sandbox_wait(struct sandbox *sb, struct err *e);
/* forktop: the first process ended with waitpid() status `status` (reaped by the caller).
 * Writes the json-status exit record when the command really ran; returns the exit code. */
int sandbox_finish(struct sandbox *sb, int status);
/* Kill (SIGKILL) whatever is left of the sandbox and release everything. NULL is fine. */
void sandbox_free(struct sandbox *sb);

/* cordon's whole life: start, wait, return the exit code; on failure fills e. */
int sandbox_run(const struct sandbox_spec *spec, struct err *e);

#endif
