/* forktop's process model: the tree of every process the tracer has seen, keyed by host pid +
 * start time (pids get reused), with what each one ran, its permissions snapshot and how it
 * differs from its parent, and run-wide statistics.
 *
 * The tracer is the only writer; views (the headless recorder, the TUI) read it. Memory stays
 * bounded: nodes come from a free list, live processes are all kept, exited ones are kept in
 * a FIFO of at most `keep_exited` nodes (for views that show exited processes until cleared)
 * and folded into counters beyond that. Single-threaded: no locking. */
#ifndef FORKTOP_MODEL_H
#define FORKTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../common/procfs.h"

enum proc_state {
	PROC_RUNNING,
	PROC_STOPPED, /* group-stop (SIGSTOP, SIGTSTP, ...) */
	PROC_ZOMBIE,  /* exited, not reaped by its parent yet */
	PROC_EXITED,  /* exited and reaped */
};

/* What a process changed compared with its parent (or with itself before an exec). */
enum proc_change {
	PCH_CAP_GAINED = 1u << 0, /* a capability (effective or permitted) the parent lacks */
	PCH_NS_CHANGED = 1u << 1, /* a namespace differs */
	PCH_UID_CHANGED = 1u << 2,
	PCH_GID_CHANGED = 1u << 3,
	PCH_SECCOMP = 1u << 4, /* seccomp mode or filter count changed */
	PCH_NNP = 1u << 5,     /* no_new_privs set */
};

/* A shell forktop started with the s / S keys (docs/forktop-tui.md): not a process the
 * workload made. */
enum proc_inject {
	PINJ_NONE,
	PINJ_HIJACK, /* a fork of the target made by syscall injection (key s) */
	PINJ_JOIN,   /* entered the target's namespaces from outside (key S) */
};

struct proc {
	uint64_t id; /* 1, 2, ... in order of first sight; unique for the run */
	pid_t pid;   /* host pid (forktop's pid namespace) */
	pid_t nspid; /* pid inside its own pid namespace */
	pid_t ppid;  /* host pid of the real parent (updated on reparenting) */
	unsigned long long start_ticks;
	int depth;    /* 0 for a root of the tree */
	int ns_depth; /* pid namespace nesting (NSpid fields - 1) */

	struct proc *parent; /* NULL: a root (parent not traced, or pruned) */
	struct proc *first_child, *last_child, *prev_sibling, *next_sibling;

	enum proc_state state;
	int nthreads;
	int execs;
	char *argv; /* NUL-separated strings, argv_len bytes; NULL before any known command */
	size_t argv_len;
	char *exe, *cwd;
	int64_t start_ns, end_ns; /* CLOCK_MONOTONIC */
	int exit_code;		  /* valid when exit_signal == 0 and state >= ZOMBIE */
	int exit_signal;
	bool core;

	bool has_perms;
	bool perms_inherited; /* the snapshot is a copy of the parent's (fork), not read */
	struct procfs_perms perms;
	unsigned changes;     /* enum proc_change bits */
	uint64_t caps_gained; /* effective|permitted bits gained */
	unsigned ns_changed;  /* 1 << enum procfs_ns */

	enum proc_inject injected;
	pid_t mirrors; /* injected: host pid of the process whose permissions it has */

	/* internal */
	struct proc *hnext;	    /* pid hash chain */
	struct proc *fnext, *fprev; /* exited FIFO, or free list (fnext) */
	bool in_hash;
};

struct model_stats {
	uint64_t processes; /* every process seen */
	uint64_t threads;   /* every non-leader thread seen */
	uint64_t execs;
	uint64_t live, max_live; /* processes not yet exited */
	int max_depth;
	uint64_t exited;
	uint64_t exit_codes[256]; /* processes that exited with code N */
	uint64_t signals[65];	  /* processes killed by signal N */
	uint64_t cores;
	uint64_t pruned; /* exited nodes dropped from the model (counted above) */
};

/* Free nodes kept for reuse; beyond this they go back to malloc. */
#define MODEL_FREE_MAX 4096

struct model {
	struct proc **buckets;
	size_t nbuckets, nhash;
	struct proc *first_root, *last_root;
	struct proc *exited_head, *exited_tail; /* oldest first */
	size_t nexited, keep_exited;
	size_t nzombies; /* exited nodes not reaped yet (on the FIFO) */
	struct proc *free_list;
	size_t nfree;
	uint64_t next_id;
	struct model_stats stats;
};

int model_init(struct model *m, size_t keep_exited, struct err *e);
void model_destroy(struct model *m);

/* The process currently holding host pid `pid` (live or zombie), or NULL. */
struct proc *model_find(const struct model *m, pid_t pid);
/* The node for exactly this process (pid and start time), in any state, or NULL. */
struct proc *model_find_key(const struct model *m, pid_t pid, unsigned long long start_ticks);
/* Add a process seen for the first time. A node still holding the same pid with another start
 * time is an old process whose pid was reused: it is marked reaped and unhashed first.
 * The parent is the node holding ppid, if any. Returns NULL only on ENOMEM. */
struct proc *model_add(struct model *m, pid_t pid, unsigned long long start_ticks, pid_t ppid,
		       pid_t nspid, int64_t now_ns, struct err *e);
/* Move p under the process holding ppid (or make it a root). */
void model_reparent(struct model *m, struct proc *p, pid_t ppid);
/* p ran exec: takes ownership of argv/exe/cwd (malloc'd). */
void model_exec(struct model *m, struct proc *p, char *argv, size_t argv_len, char *exe, char *cwd);
/* Inherit the command of the parent (a fork child runs the same program until it execs). */
int model_inherit_command(struct proc *p, struct err *e);
/* Store a snapshot and compute the changes against the parent and against p's previous
 * snapshot. */
void model_set_perms(struct model *m, struct proc *p, const struct procfs_perms *perms);
/* p exited with waitpid status (exit code or signal). `reaped`: the tracer was the real parent
 * and reaped it; otherwise it is a zombie until model_reaped(). */
void model_exit(struct model *m, struct proc *p, int exit_code, int sig, bool core, int64_t now_ns,
		bool reaped);
void model_reaped(struct model *m, struct proc *p);
void model_set_state(struct proc *p, enum proc_state st);
/* Drop every exited node (a view's "clear"). */
void model_clear_exited(struct model *m);

/* Compare two snapshots, a (parent, or before) and b (child, or after): PCH_* bits, and the
 * details. */
unsigned model_diff_perms(const struct procfs_perms *a, const struct procfs_perms *b,
			  uint64_t *caps_gained, unsigned *ns_changed);

const char *proc_state_name(enum proc_state st);

#endif
