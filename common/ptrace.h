/* ptrace primitives for forktop: attach with PTRACE_SEIZE, decode waitpid() statuses into stop
 * kinds, and restart tracees (CONT, LISTEN, DETACH). Event-only tracing: no syscall stops.
 * Every request must come from the thread that attached (ptrace is per tracer thread).
 * None of these allocate; ptrace_decode() is a pure function. Not for use after fork. */
#ifndef COMMON_PTRACE_H
#define COMMON_PTRACE_H

#include <stdbool.h>
#include <sys/ptrace.h>
#include <sys/types.h>

#include "err.h"

/* Options for every tracee: fork/vfork/clone/exec/exit events, auto-attach of children.
 * EXITKILL is added for launched trees (tracer death kills the tree) and left out in attach
 * mode (tracer death must not kill processes forktop did not start). */
#define PTRACE_TRACE_OPTS                                                                          \
	(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |     \
	 PTRACE_O_TRACEEXIT)

enum ptrace_stop_kind {
	PTS_EXITED,	/* WIFEXITED: code */
	PTS_KILLED,	/* WIFSIGNALED: sig, core */
	PTS_FORK,	/* PTRACE_EVENT_FORK: new pid via ptrace_event_msg */
	PTS_VFORK,	/* PTRACE_EVENT_VFORK */
	PTS_CLONE,	/* PTRACE_EVENT_CLONE (thread or process) */
	PTS_EXEC,	/* PTRACE_EVENT_EXEC: former tid via ptrace_event_msg */
	PTS_EXIT,	/* PTRACE_EVENT_EXIT: wait status via ptrace_event_msg */
	PTS_GROUP_STOP, /* PTRACE_EVENT_STOP with a stopping signal: restart with LISTEN */
	PTS_INTERRUPT,	/* PTRACE_EVENT_STOP with SIGTRAP (or the initial stop of a new tracee) */
	PTS_SIGNAL,	/* signal-delivery-stop: re-inject sig */
	PTS_OTHER,	/* anything else (unknown event): resume with no signal */
};

struct ptrace_stop {
	enum ptrace_stop_kind kind;
	int sig;   /* PTS_KILLED, PTS_GROUP_STOP, PTS_SIGNAL, PTS_INTERRUPT: the signal */
	int code;  /* PTS_EXITED: exit code */
	bool core; /* PTS_KILLED: core dumped */
};

/* Decode a waitpid(__WALL) status of a seized tracee. */
struct ptrace_stop ptrace_decode(int status);
/* Name of a stop kind, for messages and tests. */
const char *ptrace_stop_name(enum ptrace_stop_kind k);

int ptrace_seize(pid_t tid, unsigned long opts, struct err *e);
/* Restart after a stop, delivering sig (0 for none). */
int ptrace_resume(pid_t tid, int sig, struct err *e);
/* Restart from a group-stop without running: the task stays stopped until SIGCONT. */
int ptrace_listen(pid_t tid, struct err *e);
int ptrace_interrupt(pid_t tid, struct err *e);
int ptrace_detach(pid_t tid, int sig, struct err *e);
int ptrace_event_msg(pid_t tid, unsigned long *msg, struct err *e);

/* Why a seize of pid failed, for a clear message: fills e from the errno of PTRACE_SEIZE, the
 * target's TracerPid and /proc/sys/kernel/yama/ptrace_scope. */
void ptrace_explain_denial(pid_t pid, int err_no, struct err *e);

#endif
