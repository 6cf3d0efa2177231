/* --net-pasta: connect the sandbox's new network namespace to the outside through pasta(1)
 * (package passt), so the command gets outbound TCP/UDP and DNS without the host's network
 * namespace and without root.
 *
 * The parent cordon runs pasta in the foreground as its own child, attached to the sandbox's
 * network namespace (and user namespace, when the sandbox has its own), and waits
 * until pasta has configured the interface (pasta writes its pid file only then) before it
 * lets the sandbox's setup go on. The parent stops it when the sandbox ends.
 * None of these functions is for use after fork. */
#ifndef LAUNCHER_NET_H
#define LAUNCHER_NET_H

#include <sys/types.h>

#include "../common/err.h"
#include "spec.h"

/* A running pasta: pid 0 when none. out_fd, log_fd: the read ends of its stdout and stderr,
 * held open (and never read) so that its later output is dropped rather than killing it with
 * SIGPIPE. */
struct net_pasta {
	pid_t pid;
	int pidfd; /* -1 when pidfd_open failed (pre-5.3 kernels): then the bare pid is used */
	int out_fd, log_fd;
};

/* How long the parent waits for pasta to configure the namespace. */
#define NET_PASTA_TIMEOUT_MS 10000

/* Why cordon refuses the pasta option word `arg` (cordon sets it itself, e.g. --netns,
 * --foreground, --pid, --runas), or NULL when it is fine to pass on. */
const char *net_pasta_arg_refused(const char *arg);

/* --net-pasta-args TEXT: split TEXT at blanks (no quoting) and append the words to
 * s->net_pasta_args, each checked with net_pasta_arg_refused(). */
int net_pasta_add_args(struct sandbox_spec *s, const char *text, struct err *e);

/* Start pasta for the sandbox whose first process is `pid` (host pid), reading its namespaces
 * through proc_fd (an O_PATH fd of the host's /proc; the process must still be dumpable).
 * Returns once the interface is up, with *out filled; -1 with e filled otherwise (nothing left
 * running; e quotes pasta's own message when it gave one). */
int net_pasta_start(const struct sandbox_spec *s, int proc_fd, pid_t pid, struct net_pasta *out,
		    struct err *e);

/* Kill and reap pasta and close its pipe; np->pid is then 0. Nothing happens when pid <= 0. */
void net_pasta_stop(struct net_pasta *np);

#endif
