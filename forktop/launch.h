/* Starting the traced command without a sandbox (--no-sandbox): fork, the child blocks on a
 * pipe until the parent has PTRACE_SEIZEd it, then execs the command, so its first exec is an
 * event like every later one. A pipe, not raise(SIGSTOP): the same handshake works for a pid
 * namespace init, which ignores a SIGSTOP it sends itself. */
#ifndef FORKTOP_LAUNCH_H
#define FORKTOP_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

/* Start argv[0] (PATH lookup) traced with ptrace options `opts`; *pid is its host pid. The
 * child execs with an empty signal mask. With ctty it first leads a new session whose
 * controlling terminal is its fd 0 (forktop's console pty). If exec fails the child prints
 * "PROG: CMD: reason" and exits 127 (not found) or 126. */
int launch_plain(const char *prog, char *const *argv, unsigned long opts, bool ctty, pid_t *pid,
		 struct err *e);

#endif
