/* /proc inspection for forktop: a process's identity (tgid, parent, start time, pid inside its
 * pid namespace), what exec gave it (argv, exe, cwd) and its permissions snapshot (credentials,
 * capabilities, seccomp, no_new_privs, namespaces, cgroup, rlimits).
 *
 * Built on libproc2's pids API for everything it provides; the few fields libproc2 4.0.2 lacks
 * are read from /proc directly (see procfs.c). A `struct procfs` holds libproc2 contexts and is
 * reused for every query (no per-query setup); it is single-threaded, owned by the tracer
 * thread. Nothing here is safe after fork. */
#ifndef COMMON_PROCFS_H
#define COMMON_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Namespace kinds, in the order used by every table (procfs_ns_name). */
enum procfs_ns {
	PROCFS_NS_MNT,
	PROCFS_NS_PID,
	PROCFS_NS_NET,
	PROCFS_NS_IPC,
	PROCFS_NS_UTS,
	PROCFS_NS_USER,
	PROCFS_NS_CGROUP,
	PROCFS_NS_TIME,
	PROCFS_NS_COUNT
};

/* Capability sets, in /proc/PID/status order of meaning (procfs_capset_name). */
enum procfs_capset {
	PROCFS_CAP_EFF,
	PROCFS_CAP_PRM,
	PROCFS_CAP_INH,
	PROCFS_CAP_BND,
	PROCFS_CAP_AMB,
	PROCFS_CAP_COUNT
};

/* The rlimits forktop records (procfs_rlimit_name / procfs_rlimit_resource). */
enum procfs_rlimit {
	PROCFS_RL_NOFILE,
	PROCFS_RL_NPROC,
	PROCFS_RL_CORE,
	PROCFS_RL_AS,
	PROCFS_RL_FSIZE,
	PROCFS_RL_STACK,
	PROCFS_RL_CPU,
	PROCFS_RL_MEMLOCK,
	PROCFS_RL_COUNT
};

#define PROCFS_ID_UNMAPPED ((uint32_t)-1)
#define PROCFS_RLIM_INFINITY UINT64_MAX

/* Credentials: real, effective, saved, filesystem. */
enum { PROCFS_ID_REAL, PROCFS_ID_EFF, PROCFS_ID_SAVED, PROCFS_ID_FS, PROCFS_ID_COUNT };

struct procfs_ident {
	pid_t tid;
	pid_t tgid;
	pid_t ppid;
	pid_t nspid;			/* pid in the process's own (innermost) pid namespace */
	int ns_depth;			/* number of NSpid fields - 1: 0 = same pid ns as /proc's */
	unsigned long long start_ticks; /* start time since boot in clock ticks: pid+start = key */
	char state;			/* R S D T t Z X ... */
	int nthreads;
};

/* Room for a uid_map or gid_map as text: a few lines fit, a longer map ends in "..." */
#define PROCFS_MAP_TEXT 96

struct procfs_perms {
	uint32_t uid[PROCFS_ID_COUNT]; /* as seen from forktop's user namespace ("mapped") */
	uint32_t gid[PROCFS_ID_COUNT];
	uint32_t uid_ns[PROCFS_ID_COUNT]; /* inside the process's own user namespace */
	uint32_t gid_ns[PROCFS_ID_COUNT];
	/* the process's user namespace's /proc/PID/uid_map and gid_map as forktop reads them
	 * (outside ids are forktop's): "inside outside count" lines joined with ", ", e.g.
	 * "0 1000 1"; "" when unknown */
	char uid_map[PROCFS_MAP_TEXT];
	char gid_map[PROCFS_MAP_TEXT];
	uint64_t caps[PROCFS_CAP_COUNT];
	int seccomp;	     /* 0 disabled, 1 strict, 2 filter, -1 unknown */
	int seccomp_filters; /* -1 unknown */
	bool no_new_privs;
	uint64_t ns[PROCFS_NS_COUNT]; /* inode numbers; 0 = unknown */
	char cgroup[256];	      /* cgroup v2 path (or the first line's path) */
	bool has_rlimits;	      /* false when prlimit was refused */
	uint64_t rlim_cur[PROCFS_RL_COUNT];
	uint64_t rlim_max[PROCFS_RL_COUNT];
};

struct procfs;

int procfs_new(struct procfs **out, struct err *e);
void procfs_free(struct procfs *p);

/* Identity of task tid (a thread id or a pid). -1 with e->code ESRCH when it is gone.
 * The status file it reads is kept for a procfs_exec_info() of the same pid, and it reuses
 * one procfs_exec_info() read (for Tgid and NSpid, which never change), until
 * procfs_forget(): call that whenever the process may have run since (the tracer does at
 * every stop), so that the reuse is only ever within the handling of one stop. */
int procfs_ident(struct procfs *p, pid_t tid, struct procfs_ident *id, struct err *e);
void procfs_forget(struct procfs *p);
/* Permissions snapshot of task tid. */
int procfs_perms(struct procfs *p, pid_t tid, struct procfs_perms *out, struct err *e);
/* argv of pid as one malloc'd blob of NUL-terminated strings (*len bytes, each string ends in
 * NUL), exe path (malloc'd; NULL when unreadable), and when perms is not NULL the part of the
 * permissions snapshot that exec itself changes (credentials, capabilities, seccomp,
 * no_new_privs). Call while the process is stopped at its exec event so that argv is what exec
 * was given; then procfs_exec_rest() completes perms. */
int procfs_exec_info(struct procfs *p, pid_t pid, char **argv, size_t *argv_len, char **exe,
		     struct procfs_perms *perms, struct err *e);
/* The rest of an exec snapshot, which exec does not change: namespaces, cgroup, in-namespace
 * ids, rlimits. The tracer reads it just after resuming the tracee. */
void procfs_exec_rest(struct procfs *p, pid_t pid, struct procfs_perms *o);
/* The rlimits part of a snapshot (prlimit(2); has_rlimits false when refused). */
void procfs_rlimits(pid_t tid, struct procfs_perms *o);
/* Working directory of pid, malloc'd, or NULL. */
char *procfs_cwd(pid_t pid);
/* Parent pid of pid and whether it is still around (not reaped): for zombie and reparenting
 * tracking. Returns 1 alive (or zombie, *state set), 0 gone (or pid reused: start differs). */
int procfs_alive(struct procfs *p, pid_t pid, unsigned long long start_ticks, pid_t *ppid,
		 char *state);
/* Threads of pid (from /proc/PID/task) into out[max]; returns the count (may be > max), -1 on
 * error. */
int procfs_threads(pid_t pid, pid_t *out, size_t max, struct err *e);
/* Every process on the system with its parent (one /proc scan, for attach mode): malloc'd
 * arrays of *n pids and their ppids. */
int procfs_scan(struct procfs *p, pid_t **pids, pid_t **ppids, size_t *n, struct err *e);

/* Same snapshot (field by field). */
bool procfs_perms_equal(const struct procfs_perms *a, const struct procfs_perms *b);

const char *procfs_ns_name(enum procfs_ns ns);	      /* "mnt", "pid", ... */
const char *procfs_capset_name(enum procfs_capset c); /* "effective", ... */
const char *procfs_rlimit_name(enum procfs_rlimit r); /* "nofile", ... */
const char *procfs_id_name(int which);		      /* "real", "effective", ... */
/* Clock ticks per second (for start_ticks). */
long procfs_hz(void);

#endif
