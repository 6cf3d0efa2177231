/* forktop's tracing engine: one thread that owns every ptrace request and every waitpid(), and
 * keeps the process model up to date. Event-only stops (fork, vfork, clone, exec, exit, group
 * stops, signal deliveries); every tracee is resumed as soon as its event is recorded (events
 * go to a sink that queues them). See docs/events.md for what is reported.
 *
 * Not thread-safe: every function must be called from the thread that seized the tracees. */
#ifndef FORKTOP_TRACER_H
#define FORKTOP_TRACER_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "event.h"
#include "model.h"

struct tracer;
struct shell_box;

struct tracer_opts {
	bool attach;	  /* -p mode: no EXITKILL; detach (all tracees resumed) on INT/TERM/HUP */
	bool spawn_perms; /* read a full permissions snapshot at every spawn (exec always does) */
	/* the s / S keys' requests (shell.h), taken when SHELL_DOORBELL arrives; NULL: none */
	struct shell_box *shells;
};

/* Block the signals the tracer takes (SIGINT, SIGTERM, SIGHUP, SIGQUIT, shell.h's
 * SHELL_DOORBELL, and wake.h's timer signal: wake.h's thread takes them for it) and set SIGCHLD
 * to its default. Call in main() before starting any thread, so that no thread gets them. */
int tracer_block_signals(struct err *e);

int tracer_new(struct tracer **out, struct model *m, const struct event_sink *sink,
	       const struct tracer_opts *opts, struct err *e);
void tracer_free(struct tracer *t);

/* ptrace options for the launched root (PTRACE_TRACE_OPTS | EXITKILL). */
unsigned long tracer_root_options(void);
/* The launched tree's first process, already PTRACE_SEIZEd with tracer_root_options() by the
 * caller (the sandbox hook or the plain launcher), and not yet exec'd. forktop is its parent. */
int tracer_add_root(struct tracer *t, pid_t pid, struct err *e);
/* -p: seize pid, its threads and all its descendants (and their threads). Error messages
 * explain ptrace denials (Yama, another tracer, permissions). */
int tracer_attach(struct tracer *t, pid_t pid, struct err *e);
/* Trace until no tracee is left (or, in attach mode, until INT/TERM/HUP: then every tracee is
 * detached and resumed). Returns 0, or -1 on an internal error (tracees then die with
 * forktop by EXITKILL, or are detached in attach mode). */
int tracer_run(struct tracer *t, struct err *e);
/* Detach from every tracee, leaving each running (or in its group-stop). */
int tracer_detach_all(struct tracer *t, struct err *e);
/* A fresh permissions snapshot of p ("on demand", e.g. a view's refresh key): read now, the
 * changes against its parent recomputed. From the tracer thread only. */
int tracer_refresh_perms(struct tracer *t, struct proc *p, struct err *e);
/* The root's waitpid() status once it has been reaped: true and *status set. */
bool tracer_root_status(const struct tracer *t, int *status);

#endif
