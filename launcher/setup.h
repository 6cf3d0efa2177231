/* The sandbox's setup child and its pid-1 reaper: everything that runs between clone and exec.
 *
 * sandbox.c prepares a `struct setup` in the parent (all allocation happens there), clones, and
 * the child runs setup_child() on its copy of it. Only syscalls from here on: no malloc, no
 * stdio. A failure is sent to the parent as a `struct setup_msg` over the CLOEXEC pipe msg_wr,
 * and the child _exit()s. Right before execve the command sends a SETUP_MSG_EXEC record, so
 * the parent can tell "the command ran" (marker, then EOF) from "setup died" (EOF alone).
 *
 * Start handshake over go_wr: the parent writes the maps and runs the started hook while the
 * child is still dumpable (an unprivileged parent could not open the map files or ptrace it
 * otherwise), then sends 'd'; the child makes itself non-dumpable, sets no_new_privs and
 * answers SETUP_MSG_LOCKED; the parent publishes the pid (--info-fd) only then, and sends 'g'. */
#ifndef LAUNCHER_SETUP_H
#define LAUNCHER_SETUP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "env.h"
#include "landlock.h"
#include "mounts.h"
#include "rlimits.h"
#include "sysfilter.h"
#include "spec.h"
#include "userns.h"

enum setup_msg_kind { SETUP_MSG_ERR = 1, SETUP_MSG_EXEC = 2, SETUP_MSG_LOCKED = 3 };

struct setup_msg {
	int kind;
	struct err e; /* SETUP_MSG_ERR */
};

/* Signals cordon and the reaper pass on to the command. */
#define SETUP_FORWARDED_SIGNALS SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2

struct setup {
	const struct sandbox_spec *spec;
	bool isolate;	 /* false: forktop --no-sandbox, a plain fork+exec */
	bool privileged; /* real root and no new user namespace */
	bool userns;	 /* a new user namespace is created by the clone */
	bool nested;	 /* ...and a second one after the mounts (see sandbox.c) */
	struct userns_map nested_map;
	bool reaper;	   /* a pid-1 reaper forks the command */
	bool pidns_relay;  /* --pidns with --unshare-pid: unshare+fork first */
	uint64_t caps;	   /* the command's capability mask */
	bool caps_ambient; /* ...also raised as ambient caps */
	struct env env;
	struct sysfilter_progs progs;
	struct rlimits_plan rlimits;   /* --rlimit, set right before exec */
	struct landlock_plan landlock; /* --landlock*, applied right before exec */
	struct mount_plan *plan;
	char **argv; /* the command's argv, argv[0] replaced by --argv0 */
	const char *exec_path;
	char *old_cwd;	    /* caller's cwd (PWD if it names it), or NULL */
	int proc_fd;	    /* O_PATH fd of the host's /proc */
	int go_rd, go_wr;   /* parent -> child: "maps written, hooks done, go" */
	int msg_rd, msg_wr; /* child -> parent: struct setup_msg records */
	int *keep;	    /* fds (besides 0-2) the command keeps across exec */
	size_t n_keep;
	int *reaper_keep;    /* scratch for the reaper: sync fds + lock fds + signalfd */
	int *lock_fds;	     /* scratch: one per --lock-file */
	sigset_t child_mask; /* signal mask the command starts with */
};

/* The clone child: never returns. */
void setup_child(struct setup *p) __attribute__((noreturn));

#endif
