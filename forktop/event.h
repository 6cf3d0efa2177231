/* One thing the tracer saw, handed to the views (recorder, TUI) through an event sink.
 * Pointers are borrowed for the duration of the sink call: a sink that keeps an event copies
 * what it needs. The sink is called from the tracer thread and must not block. */
#ifndef FORKTOP_EVENT_H
#define FORKTOP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/procfs.h"

/* No `default:` in switches over this enum. Names in event_type_name (the JSONL "type"). */
enum ev_type {
	EV_SPAWN,    /* a new process (or thread, `thread` set) */
	EV_EXEC,     /* execve succeeded; argv/exe read while stopped */
	EV_EXIT,     /* a process (or thread) ended: exit code or signal */
	EV_SIGNAL,   /* a signal was delivered (re-injected unchanged) */
	EV_STOP,     /* the process entered a group-stop */
	EV_CONTINUE, /* the process left it (SIGCONT) */
	EV_ATTACH,   /* -p: an existing process was attached */
	EV_DETACH,   /* -p: the process was detached at the end */
	EV_REPARENT, /* a process's parent changed (orphaned: to init or a subreaper) */
	EV_REAP,     /* a zombie was reaped by its parent */
};

struct event {
	enum ev_type type;
	int64_t mono_ns; /* CLOCK_MONOTONIC */
	int64_t wall_ns; /* CLOCK_REALTIME */
	uint64_t id;	 /* the process's model id */
	pid_t pid, nspid, ppid, tid;
	pid_t old_tid; /* EV_EXEC from a non-leader thread: the thread that called exec */
	bool thread;   /* EV_SPAWN/EV_EXIT of a non-leader thread */
	int nthreads;
	int exit_code, sig;
	bool core;
	const char *argv; /* EV_SPAWN/EV_EXEC/EV_ATTACH: NUL-separated, argv_len bytes */
	size_t argv_len;
	const char *exe, *cwd;
	const struct procfs_perms *perms; /* EV_SPAWN/EV_EXEC/EV_ATTACH, NULL if unreadable */
	bool perms_inherited;		  /* perms is the parent's, copied at fork (not read) */
	bool perms_unchanged; /* EV_EXEC: the snapshot read equals the one the process had */
	unsigned changes;     /* enum proc_change bits */
	uint64_t caps_gained;
	unsigned ns_changed;
	/* EV_SPAWN of a shell started by forktop's s / S keys: how (enum proc_inject; 0 for
	 * the workload's own processes) and the host pid of the process it mirrors */
	int injected;
	pid_t inject_of;
};

struct event_sink {
	void (*emit)(void *data, const struct event *ev);
	/* optional: called when the tracer is about to wait for its next event, with the
	 * CLOCK_MONOTONIC time; returns how long (ms) it may wait at most before calling again,
	 * or -1 for no limit. Lets a sink batch its work instead of waking up per event. */
	int (*idle)(void *data, int64_t now_ns);
	void *data;
};

const char *event_type_name(enum ev_type t);
/* "SIGTERM", or "SIG64" for a signal without an abbreviation, into buf. */
void event_sig_name(int sig, char *buf, size_t size);

/* Deep copy for a sink that keeps an event past its call: *dst gets src with argv, exe and cwd
 * copied into *blob (grown as needed, owned by the caller) and the snapshot into *perms.
 * false on ENOMEM: dst then has the scalars and the snapshot but no strings. */
bool event_copy(struct event *dst, struct procfs_perms *perms, char **blob, size_t *blob_cap,
		const struct event *src);

#endif
