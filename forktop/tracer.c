#include "tracer.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/procfs.h"
#include "../common/ptrace.h"
#include "inject.h"
#include "join.h"
#include "shell.h"
#include "wake.h"

/* Task records kept for reuse. */
#define TASK_FREE_MAX 4096
/* How often zombies are checked for reaping while some are pending. */
#define ZOMBIE_POLL_MS 100
/* Zombies checked per tick at most (a parent that never reaps must not slow the loop). */
#define ZOMBIE_CHECKS_PER_TICK 4096
/* A fork child is read from /proc at its next stop (usually its exec, where it is stopped and
 * read anyway), or once the tracer is idle and it has run this long without one. */
#define DEFER_MS 10

struct task;

struct tlink {
	struct task *next, *prev;
};

/* A doubly linked list threaded through tasks (by their q or c links). */
struct task_list {
	struct task *head, *tail;
};

/* One traced thread (the leader included). */
struct task {
	pid_t tid;
	struct proc *proc;  /* NULL: a thread its process's exec killed (its exit is pending) */
	bool seen;	    /* its first stop was seen (or it was seized: no first stop) */
	bool group_stop;    /* restarted with PTRACE_LISTEN: in a group-stop */
	pid_t creator;	    /* the process whose fork/vfork/clone event announced it, 0: unknown */
	pid_t creator_ppid; /* and its parent then (a CLONE_PARENT child has that parent) */
	bool deferred;	    /* a fork child not read from /proc yet (see discover_deferred) */
	int64_t seen_ns;    /* when it was announced (deferred children) */
	bool setopts;	    /* a join shell's task: give it the tracer's options at its next stop */
	struct task *hnext; /* tid hash chain, or free list */
	struct task *next, *prev; /* all tasks */
	/* deferred: the tracer's queue of them (announcement order, so seen_ns increases) and
	 * its creator's list (see defer_add), so that neither the idle pass nor a creator's
	 * exec or exit walks every task */
	struct tlink q;		   /* the tracer's queue */
	struct tlink c;		   /* its creator's list */
	struct task_list *clist;   /* the creator list it is on */
	struct task_list children; /* a leader: its process's deferred fork children */
};

struct tracer {
	struct model *m;
	struct event_sink sink;
	struct tracer_opts opts;
	struct procfs *pfs;
	struct task **buckets;
	size_t nbuckets, ntasks;
	struct task *all;
	struct task *free_list;
	size_t nfree;
	pid_t root;
	bool root_reaped;
	int root_status;
	bool stopping;
	size_t ndeferred;	  /* tasks with `deferred` set */
	struct task_list defq;	  /* all of them, oldest first */
	struct task_list orphans; /* those whose creator's leader had no task (defer_add) */
	bool quiet_reparent;	  /* discover(): leave a reparenting to reparent_children() */
	int64_t zombie_check_ns;  /* last check_zombies() */
	struct err warn;	  /* last non-fatal problem, for debugging */
	/* the s / S keys (shell.h); all 0 while no shell is starting */
	struct shell_req shell_req; /* the request taken from opts.shells */
	pid_t shell_tid;	    /* the thread interrupted for it (hijack; join: its filters) */
	pid_t join_a;		    /* join: A (join.h), until its shell execs */
	int join_errfd;
	char join_missing[256];
	struct {
		pid_t tid;
		int status;
	} dead[8]; /* deaths inject's waits took from the loop, handled once it is done */
	size_t ndead;
};

/* taken by wake.h's signal thread, and queued for the tracer */
static const int tracer_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SHELL_DOORBELL };

int tracer_block_signals(struct err *e)
{
	sigset_t set;
	int rc;
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(tracer_signals); i++)
		sigaddset(&set, tracer_signals[i]);
	sigaddset(&set, WAKE_TIMER_SIG);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc != 0)
		return err_set(e, rc, "blocking signals");
	/* SIGCHLD is not waited for (wait4 is), so it must not be ignored: an inherited SIG_IGN
	 * would have the kernel reap forktop's children by itself */
	signal(SIGCHLD, SIG_DFL);
	return 0;
}

unsigned long tracer_root_options(void)
{
	return PTRACE_TRACE_OPTS | PTRACE_O_EXITKILL;
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int tracer_new(struct tracer **out, struct model *m, const struct event_sink *sink,
	       const struct tracer_opts *opts, struct err *e)
{
	struct tracer *t = calloc(1, sizeof(*t));
	if (!t)
		return err_set(e, ENOMEM, "tracer");
	t->m = m;
	t->sink = *sink;
	t->opts = *opts;
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return err_set(e, ENOMEM, "tracer");
	}
	if (procfs_new(&t->pfs, e) < 0) {
		tracer_free(t);
		return -1;
	}
	t->join_errfd = -1;
	*out = t;
	return 0;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	for (struct task *k = t->all, *n; k; k = n) {
		n = k->next;
		free(k);
	}
	for (struct task *k = t->free_list, *n; k; k = n) {
		n = k->hnext;
		free(k);
	}
	free(t->buckets);
	procfs_free(t->pfs);
	if (t->join_errfd >= 0)
		close(t->join_errfd);
	free(t);
}

bool tracer_root_status(const struct tracer *t, int *status)
{
	if (t->root_reaped)
		*status = t->root_status;
	return t->root_reaped;
}

/* ---- task table ---- */

static size_t task_hash(const struct tracer *t, pid_t tid)
{
	return ((size_t)tid * 2654435761u) & (t->nbuckets - 1);
}

static struct task *task_find(const struct tracer *t, pid_t tid)
{
	for (struct task *k = t->buckets[task_hash(t, tid)]; k; k = k->hnext)
		if (k->tid == tid)
			return k;
	return NULL;
}

static void task_grow(struct tracer *t)
{
	size_t nb = t->nbuckets * 2;
	struct task **b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (struct task *k = t->all; k; k = k->next) {
		size_t h = ((size_t)k->tid * 2654435761u) & (nb - 1);
		k->hnext = b[h];
		b[h] = k;
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

static struct task *task_new(struct tracer *t, pid_t tid, struct proc *p, bool seen)
{
	struct task *k = t->free_list;
	size_t h;
	if (k) {
		t->free_list = k->hnext;
		t->nfree--;
		memset(k, 0, sizeof(*k));
	} else if (!(k = calloc(1, sizeof(*k)))) {
		return NULL;
	}
	k->tid = tid;
	k->proc = p;
	k->seen = seen;
	if (t->ntasks >= t->nbuckets * 2)
		task_grow(t);
	h = task_hash(t, tid);
	k->hnext = t->buckets[h];
	t->buckets[h] = k;
	k->next = t->all;
	if (t->all)
		t->all->prev = k;
	t->all = k;
	t->ntasks++;
	return k;
}

static void defer_unlink(struct tracer *t, struct task *k);
static void defer_orphan_children(struct tracer *t, struct task *k);

static void task_del(struct tracer *t, struct task *k)
{
	struct task **pp;
	if (k->deferred)
		defer_unlink(t, k);
	if (k->children.head)
		defer_orphan_children(t, k);
	for (pp = &t->buckets[task_hash(t, k->tid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == k) {
			*pp = k->hnext;
			break;
		}
	if (k->prev)
		k->prev->next = k->next;
	else
		t->all = k->next;
	if (k->next)
		k->next->prev = k->prev;
	t->ntasks--;
	if (t->nfree < TASK_FREE_MAX) {
		k->hnext = t->free_list;
		t->free_list = k;
		t->nfree++;
	} else {
		free(k);
	}
}

/* ---- events ---- */

static void ev_init(struct event *ev, enum ev_type type, const struct proc *p, pid_t tid)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->mono_ns = now_ns(CLOCK_MONOTONIC);
	ev->wall_ns = now_ns(CLOCK_REALTIME);
	ev->tid = tid;
	if (p) {
		ev->id = p->id;
		ev->pid = p->pid;
		ev->nspid = p->nspid;
		ev->ppid = p->ppid;
		ev->nthreads = p->nthreads;
	} else {
		ev->pid = tid;
	}
}

static void ev_command(struct event *ev, const struct proc *p)
{
	ev->argv = p->argv;
	ev->argv_len = p->argv_len;
	ev->exe = p->exe;
	ev->cwd = p->cwd;
	ev->perms = p->has_perms ? &p->perms : NULL;
	ev->perms_inherited = p->perms_inherited;
	ev->changes = p->changes;
	ev->caps_gained = p->caps_gained;
	ev->ns_changed = p->ns_changed;
	ev->injected = (int)p->injected;
	ev->inject_of = p->mirrors;
}

static void emit(struct tracer *t, const struct event *ev)
{
	if (t->sink.emit)
		t->sink.emit(t->sink.data, ev);
}

static void emit_simple(struct tracer *t, enum ev_type type, const struct proc *p, pid_t tid,
			int sig)
{
	struct event ev;
	ev_init(&ev, type, p, tid);
	ev.sig = sig;
	emit(t, &ev);
}

int tracer_refresh_perms(struct tracer *t, struct proc *p, struct err *e)
{
	struct procfs_perms perms;
	if (p->state >= PROC_ZOMBIE)
		return err_setx(e, "process %d has exited", (int)p->pid);
	if (procfs_perms(t->pfs, p->pid, &perms, e) < 0)
		return -1;
	model_set_perms(t->m, p, &perms);
	return 0;
}

static void snapshot(struct tracer *t, struct proc *p, pid_t tid)
{
	struct procfs_perms perms;
	if (procfs_perms(t->pfs, tid, &perms, &t->warn) == 0)
		model_set_perms(t->m, p, &perms);
}

/* argv, exe and what exec changes in the permissions snapshot (credentials, capabilities,
 * seccomp, no_new_privs), read while p is stopped at its exec (or just seized); what exec
 * cannot change (namespaces, cgroup, rlimits, cwd) is left to exec_info_late(), just after the
 * tracee is resumed: it would have to change them within microseconds of starting (before
 * its dynamic loader is done) for the snapshot to miss it. */
static bool exec_info(struct tracer *t, struct proc *p, struct procfs_perms *perms)
{
	char *argv = NULL, *exe = NULL;
	size_t len = 0;
	int rc = procfs_exec_info(t->pfs, p->pid, &argv, &len, &exe, perms, &t->warn);
	model_exec(t->m, p, argv, len, exe, NULL);
	return rc == 0;
}

/* Returns true when the snapshot equals the one p had (the recorder then skips it). */
static bool exec_info_late(struct tracer *t, struct proc *p, struct procfs_perms *perms,
			   bool have_perms)
{
	bool same;
	p->cwd = procfs_cwd(p->pid);
	if (!have_perms)
		return false;
	procfs_exec_rest(t->pfs, p->pid, perms);
	same = p->has_perms && procfs_perms_equal(&p->perms, perms);
	model_set_perms(t->m, p, perms);
	return same;
}

static void read_exec_info(struct tracer *t, struct proc *p)
{
	struct procfs_perms perms;
	bool ok = exec_info(t, p, &perms);
	exec_info_late(t, p, &perms, ok);
}

static struct proc *proc_discover(struct tracer *t, const struct procfs_ident *id, bool attach)
{
	struct event ev;
	struct proc *p = model_add(t->m, id->tgid, id->start_ticks, id->ppid, id->nspid,
				   now_ns(CLOCK_MONOTONIC), &t->warn);
	if (!p)
		return NULL;
	if (t->join_a && p->parent && p->parent->pid == t->join_a) {
		/* the shell a join's A forked */
		p->injected = PINJ_JOIN;
		p->mirrors = p->parent->mirrors;
	}
	if (attach) {
		read_exec_info(t, p);
		t->m->stats.execs--; /* not an exec it did under forktop */
		p->execs = 0;
	} else {
		if (!p->argv)
			model_inherit_command(p, &t->warn);
		/* A fork child has its parent's credentials, limits and (unless a clone flag
		 * asked otherwise) namespaces: copy the parent's snapshot, and read a full one
		 * when asked to, or when its pid namespace depth shows a new namespace. */
		if (t->opts.spawn_perms || !p->parent || !p->parent->has_perms ||
		    id->ns_depth != p->parent->ns_depth)
			snapshot(t, p, id->tgid);
		else {
			model_set_perms(t->m, p, &p->parent->perms);
			p->perms_inherited = true;
		}
	}
	p->ns_depth = id->ns_depth;
	if (!attach) { /* attach_process emits EV_ATTACH once the threads are counted */
		ev_init(&ev, EV_SPAWN, p, id->tgid);
		ev_command(&ev, p);
		emit(t, &ev);
	}
	return p;
}

static void discover_now(struct tracer *t, struct task *k);

static void undefer(struct tracer *t, pid_t tid)
{
	struct task *k = t->ndeferred && tid > 0 ? task_find(t, tid) : NULL;
	if (k && k->deferred)
		discover_now(t, k);
}

static struct proc *thread_owner(struct tracer *t, pid_t tgid)
{
	struct procfs_ident lid;
	struct proc *p = model_find(t->m, tgid);
	if (p && p->state < PROC_ZOMBIE)
		return p;
	/* the leader was never seen (attach race): take the process from /proc */
	if (procfs_ident(t->pfs, tgid, &lid, &t->warn) < 0)
		return NULL;
	return proc_discover(t, &lid, false);
}

/* The process (or thread) task tid belongs to, read from /proc the first time forktop hears
 * of it; emits its spawn event. NULL when it cannot be known (gone) or was seen already and
 * has exited. */
static struct proc *discover(struct tracer *t, const struct task *k)
{
	struct procfs_ident id;
	struct proc *p;
	pid_t now_ppid = 0, tid = k->tid;
	if (procfs_ident(t->pfs, tid, &id, &t->warn) < 0)
		return NULL; /* already released (a thread killed at birth): nothing to show */
	if (k->creator > 0 && id.tgid == tid && id.ppid != k->creator &&
	    id.ppid != k->creator_ppid) {
		/* Read after its creator died: it has been reparented already. Record it under
		 * its creator, then the reparenting. (ppid == the creator's parent: CLONE_PARENT) */
		now_ppid = id.ppid;
		id.ppid = k->creator;
	}
	if (id.tgid == tid && (p = model_find_key(t->m, tid, id.start_ticks)))
		return p->state < PROC_ZOMBIE ? p : NULL; /* seen already: no second spawn */
	/* its parent (or, for a thread, its process) may be a fork child not read yet: read
	 * it first, so that it is in the model to link to (one level: a deferred child's
	 * creator is always read already) */
	undefer(t, id.tgid != tid ? id.tgid : id.ppid);
	if (id.tgid != tid) {
		struct event ev;
		p = thread_owner(t, id.tgid);
		if (!p)
			return NULL;
		p->nthreads++;
		t->m->stats.threads++;
		ev_init(&ev, EV_SPAWN, p, tid);
		ev.thread = true;
		emit(t, &ev);
		return p;
	}
	p = proc_discover(t, &id, false);
	if (p && now_ppid && !t->quiet_reparent) {
		model_reparent(t->m, p, now_ppid);
		emit_simple(t, EV_REPARENT, p, p->pid, 0);
	}
	return p;
}

/* ---- deferred fork children (see handle_new_child) ---- */

enum tlink_which { TL_QUEUE, TL_CREATOR };

static struct tlink *tlink_of(struct task *k, enum tlink_which w)
{
	return w == TL_QUEUE ? &k->q : &k->c;
}

static void tlist_append(struct task_list *l, struct task *k, enum tlink_which w)
{
	tlink_of(k, w)->next = NULL;
	tlink_of(k, w)->prev = l->tail;
	if (l->tail)
		tlink_of(l->tail, w)->next = k;
	else
		l->head = k;
	l->tail = k;
}

static void tlist_remove(struct task_list *l, struct task *k, enum tlink_which w)
{
	struct tlink *x = tlink_of(k, w);
	if (x->prev)
		tlink_of(x->prev, w)->next = x->next;
	else
		l->head = x->next;
	if (x->next)
		tlink_of(x->next, w)->prev = x->prev;
	else
		l->tail = x->prev;
	x->next = x->prev = NULL;
}

static void clist_append(struct task_list *l, struct task *k)
{
	tlist_append(l, k, TL_CREATOR);
	k->clist = l;
}

static void clist_remove(struct task *k)
{
	tlist_remove(k->clist, k, TL_CREATOR);
	k->clist = NULL;
}

/* Defer fork child c of process `creator` (announced now): it goes at the end of the
 * tracer's queue and of its creator's list, kept on the creator's leader task (the one whose
 * exec and exit read them), or on the orphan list when forktop has no task for that leader. */
static void defer_add(struct tracer *t, struct task *c, const struct proc *creator)
{
	struct task *leader = task_find(t, creator->pid);
	c->deferred = true;
	c->seen_ns = now_ns(CLOCK_MONOTONIC);
	t->ndeferred++;
	tlist_append(&t->defq, c, TL_QUEUE);
	clist_append(leader && leader != c && leader->proc == creator ? &leader->children
								      : &t->orphans,
		     c);
}

static void defer_unlink(struct tracer *t, struct task *k)
{
	k->deferred = false;
	t->ndeferred--;
	tlist_remove(&t->defq, k, TL_QUEUE);
	clist_remove(k);
}

/* Leader task k goes while it has deferred children: they move to the orphan list (still
 * found by their creator's pid, and by the idle pass). */
static void defer_orphan_children(struct tracer *t, struct task *k)
{
	struct task *c;
	while ((c = k->children.head)) {
		clist_remove(c);
		clist_append(&t->orphans, c);
	}
}

/* Read a deferred fork child now. */
static void discover_now(struct tracer *t, struct task *k)
{
	defer_unlink(t, k);
	k->proc = discover(t, k);
}

/* Deferred fork children of `creator` (any when 0) announced before `before_ns`: read them
 * now. Called before their creator's exit is recorded (so that they are linked under it and
 * follow its reparenting), and when the tracer is idle (a child that runs on without exec or
 * fork is shown within DEFER_MS: work_due). */
static void discover_deferred(struct tracer *t, pid_t creator, int64_t before_ns)
{
	struct task_list *l = &t->defq;
	struct task *k;
	if (creator) {
		struct task *leader = task_find(t, creator);
		l = leader ? &leader->children : NULL;
	}
	/* Both lists are in announcement order: the ones due come first. Taken from the head
	 * one at a time: reading one may read another (its parent, see discover). */
	if (l)
		while ((k = l->head) && k->seen_ns < before_ns)
			discover_now(t, k);
	/* orphans (rare): those of this creator, restarting after each read */
	for (k = creator ? t->orphans.head : NULL; k;) {
		if (k->creator == creator && k->seen_ns < before_ns) {
			discover_now(t, k);
			k = t->orphans.head;
		} else {
			k = k->c.next;
		}
	}
}

/* ---- stops ---- */

static void resume(struct tracer *t, pid_t tid, int sig)
{
	/* fails only with ESRCH: killed meanwhile (SIGKILL, exit_group of another thread); its
	 * exit report follows */
	ptrace_resume(tid, sig, &t->warn);
}

static void handle(struct tracer *t, pid_t tid, int status);
static unsigned long tracee_options(const struct tracer *t)
{
	return t->opts.attach ? PTRACE_TRACE_OPTS : tracer_root_options();
}
static void shell_join_done(struct tracer *t, const struct proc *sh);
static void shell_join_stopped(struct tracer *t, struct task *k);
static bool shell_stop(struct tracer *t, struct task *k, const struct ptrace_stop *st);

static void handle_new_child(struct tracer *t, struct task *k, enum ptrace_stop_kind how)
{
	unsigned long msg = 0;
	int rc = ptrace_event_msg(k->tid, &msg, &t->warn);
	/* The parent goes on at once. The child is linked under its creator, which is in the
	 * model until its exit is handled (a deferred child is read before that), so that the
	 * tree link holds even when the creator exits right after the fork. */
	resume(t, k->tid, 0);
	if (rc == 0 && msg > 0 && !task_find(t, (pid_t)msg)) {
		struct task *c = task_new(t, (pid_t)msg, NULL, false);
		int cst;
		if (!c)
			return;
		if (k->proc) {
			c->creator = k->proc->pid;
			c->creator_ppid = k->proc->ppid;
			c->setopts = k->tid == t->join_a;
		}
		/* A fork child (not a clone: maybe a thread) is read from /proc at its next stop,
		 * nearly always its exec, where it is stopped and read anyway; reading it here
		 * makes every fork wait for /proc. Its spawn event still comes before anything
		 * it does, and before its creator's exit (handle_exit). */
		if (k->proc && how != PTS_CLONE)
			defer_add(t, c, k->proc);
		/* Its initial stop is usually reported by now: take it here, so that the child
		 * runs on at once. Otherwise it is resumed when its stop comes. */
		if (waitpid(c->tid, &cst, __WALL | WNOHANG) == c->tid)
			handle(t, c->tid, cst);
		else if (!c->deferred)
			c->proc = discover(t, c);
	}
}

/* What exec gave a process, read while it is stopped at its exec event (see exec_info). */
struct exec_capture {
	char *argv, *exe;
	size_t argv_len;
	struct procfs_perms perms;
	bool ok; /* perms read */
};

/* Only what must be read at the exec stop is (the event message, argv, exe, the part of the
 * snapshot exec changes): the tracee is resumed before anything else, a deferred fork child's
 * identity and spawn event included. Nothing it does meanwhile is handled before its events
 * are emitted, and what is read late cannot have changed (identity) or is read late for every
 * exec anyway (exec_info_late). */
static void handle_exec(struct tracer *t, struct task *k)
{
	unsigned long old = (unsigned long)k->tid;
	struct exec_capture c = { 0 };
	struct proc *p;
	struct event ev;
	bool same;
	ptrace_event_msg(k->tid, &old, &t->warn);
	if (k->proc || k->deferred)
		c.ok = procfs_exec_info(t->pfs, k->tid, &c.argv, &c.argv_len, &c.exe, &c.perms,
					&t->warn) == 0;
	resume(t, k->tid, 0);
	if (k->deferred) /* read now (procfs_ident reuses the status read above) */
		discover_now(t, k);
	p = k->proc;
	if ((pid_t)old != k->tid) {
		/* exec from a non-leader thread: it now has the leader's tid; the leader's record
		 * (this one) stands for it, its own record goes */
		struct task *o = task_find(t, (pid_t)old);
		if (o)
			task_del(t, o);
	}
	if (p && p->nthreads > 1)
		for (struct task *x = t->all; x; x = x->next)
			if (x->proc == p && x != k)
				x->proc = NULL; /* killed by the exec; exit reports follow */
	k->group_stop = false;
	if (!p) {
		free(c.argv);
		free(c.exe);
		return;
	}
	/* its fork children not read yet inherit the command and snapshot it had until now */
	if (t->ndeferred)
		discover_deferred(t, p->pid, INT64_MAX);
	model_exec(t->m, p, c.argv, c.argv_len, c.exe, NULL);
	same = exec_info_late(t, p, &c.perms, c.ok);
	ev_init(&ev, EV_EXEC, p, k->tid);
	ev.old_tid = (pid_t)old;
	ev_command(&ev, p);
	ev.perms_unchanged = same;
	emit(t, &ev);
	if (t->join_a && p->injected && p->parent && p->parent->pid == t->join_a)
		shell_join_done(t, p);
}

/* p exited: its live children now have another parent (init or a subreaper). */
static void reparent_children(struct tracer *t, struct proc *p)
{
	for (struct proc *c = p->first_child, *n; c; c = n) {
		pid_t ppid;
		char state;
		n = c->next_sibling;
		if (c->state >= PROC_ZOMBIE)
			continue;
		if (procfs_alive(t->pfs, c->pid, c->start_ticks, &ppid, &state) && ppid != p->pid) {
			model_reparent(t->m, c, ppid);
			emit_simple(t, EV_REPARENT, c, c->pid, 0);
		}
	}
}

/* The exited list is full: its oldest node goes at the next exit. If it is a zombie, look
 * once more whether it was reaped, so that the reap is not lost with it. */
static void check_oldest_zombie(struct tracer *t)
{
	struct proc *o = t->m->exited_head;
	pid_t ppid;
	char state;
	if (t->m->nexited < t->m->keep_exited || !o || o->state != PROC_ZOMBIE)
		return;
	if (procfs_alive(t->pfs, o->pid, o->start_ticks, &ppid, &state) && state == 'Z')
		return;
	model_reaped(t->m, o);
	emit_simple(t, EV_REAP, o, o->pid, 0);
}

static void handle_exit(struct tracer *t, struct task *k, const struct ptrace_stop *st, int status)
{
	struct proc *p = k->proc;
	struct event ev;
	bool reaped = k->tid == t->root;
	if (t->join_a && k->tid == t->join_a)
		shell_join_done(t, NULL); /* A ended before its shell could exec */
	if (reaped) {
		t->root_reaped = true;
		t->root_status = status;
	}
	if (p && k->tid != p->pid) {
		if (p->nthreads > 1)
			p->nthreads--;
		ev_init(&ev, EV_EXIT, p, k->tid);
		ev.thread = true;
		ev.exit_code = st->code;
		ev.sig = st->kind == PTS_KILLED ? st->sig : 0;
		emit(t, &ev);
	} else if (p) {
		/* its fork children not read yet are read now, under it; their reparenting
		 * (when it left them behind already) is reported after its exit */
		t->quiet_reparent = true;
		if (t->ndeferred)
			discover_deferred(t, p->pid, INT64_MAX);
		t->quiet_reparent = false;
		p->nthreads = 0;
		ev_init(&ev, EV_EXIT, p, k->tid);
		ev.exit_code = st->code;
		ev.sig = st->kind == PTS_KILLED ? st->sig : 0;
		ev.core = st->core;
		emit(t, &ev);
		/* before model_exit, which may prune p when the exited list is full */
		reparent_children(t, p);
		check_oldest_zombie(t);
		model_exit(t->m, p, ev.exit_code, ev.sig, ev.core, ev.mono_ns, reaped);
	}
	task_del(t, k);
}

static void handle_group_stop(struct tracer *t, struct task *k, int sig)
{
	k->group_stop = true;
	if (k->proc && k->proc->state == PROC_RUNNING) {
		model_set_state(k->proc, PROC_STOPPED);
		emit_simple(t, EV_STOP, k->proc, k->tid, sig);
	}
	/* LISTEN keeps it stopped for real (kill -STOP works inside) while forktop still gets
	 * told when SIGCONT arrives */
	if (ptrace_listen(k->tid, &t->warn) < 0 && t->warn.code != ESRCH)
		resume(t, k->tid, 0);
}

static void handle_interrupt(struct tracer *t, struct task *k)
{
	if (k->group_stop) {
		k->group_stop = false;
		if (k->proc && k->proc->state == PROC_STOPPED) {
			model_set_state(k->proc, PROC_RUNNING);
			emit_simple(t, EV_CONTINUE, k->proc, k->tid, 0);
		}
	}
	resume(t, k->tid, 0);
}

static void handle_stop(struct tracer *t, struct task *k, const struct ptrace_stop *st, int status)
{
	switch (st->kind) {
	case PTS_EXITED:
	case PTS_KILLED:
		handle_exit(t, k, st, status);
		break;
	case PTS_FORK:
	case PTS_VFORK:
	case PTS_CLONE:
		handle_new_child(t, k, st->kind);
		break;
	case PTS_EXEC:
		handle_exec(t, k);
		break;
	case PTS_EXIT:
	case PTS_OTHER:
		resume(t, k->tid, 0);
		break;
	case PTS_GROUP_STOP:
		handle_group_stop(t, k, st->sig);
		break;
	case PTS_INTERRUPT:
		handle_interrupt(t, k);
		break;
	case PTS_SIGNAL:
		resume(t, k->tid, st->sig); /* re-injected untouched, before it is recorded */
		emit_simple(t, EV_SIGNAL, k->proc, k->tid, st->sig);
		break;
	}
}

static void handle(struct tracer *t, pid_t tid, int status)
{
	struct ptrace_stop st = ptrace_decode(status);
	struct task *k = task_find(t, tid);
	bool dead = st.kind == PTS_EXITED || st.kind == PTS_KILLED;
	bool event_stop = st.kind == PTS_GROUP_STOP || st.kind == PTS_INTERRUPT;
	/* a status file read earlier (procfs_ident) is no longer current; one read during this
	 * stop (a deferred child read at its exec) serves its exec snapshot too */
	procfs_forget(t->pfs);
	if (!k) {
		if (dead) {
			/* never seen alive (or an untraced child of ours) */
			if (tid == t->root) {
				t->root_reaped = true;
				t->root_status = status;
			}
			return;
		}
		/* its first stop came before its creator's event */
		k = task_new(t, tid, NULL, false);
		if (!k) {
			resume(t, tid, 0);
			return;
		}
	}
	if (k->setopts && !dead) {
		/* a join's A was seized with join.h's options: give it (and so its shell, and the
		 * shell's children) the same events as every other tracee */
		k->setopts = false;
		ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)tracee_options(t));
	}
	if (!k->seen) {
		/* The first report of an auto-attached task: its initial stop (resumed at once,
		 * then read from /proc: the spawn event still comes before anything it does
		 * next), or its death when it was killed at birth. */
		k->seen = true;
		if (event_stop && !dead) {
			resume(t, tid, 0);
			if (!k->proc && !k->deferred)
				k->proc = discover(t, k);
			return;
		}
		if (!k->proc && !k->deferred)
			k->proc = discover(t, k);
	}
	/* its first report since it was announced: read it first (at its exec, once the exec
	 * is read and it runs again: handle_exec) */
	if (k->deferred && st.kind != PTS_EXEC)
		discover_now(t, k);
	if (tid == t->shell_tid && shell_stop(t, k, &st))
		return;
	handle_stop(t, k, &st, status);
}

/* ---- zombies ---- */

static void check_zombies(struct tracer *t)
{
	int budget = ZOMBIE_CHECKS_PER_TICK;
	size_t left = t->m->nzombies;
	/* newest first: zombies are mostly recent exits, so the walk stops early */
	for (struct proc *p = t->m->exited_tail, *n; p && left && budget; p = n) {
		pid_t ppid;
		char state;
		n = p->fprev;
		if (p->state != PROC_ZOMBIE)
			continue;
		budget--;
		left--;
		if (procfs_alive(t->pfs, p->pid, p->start_ticks, &ppid, &state) && state == 'Z') {
			/* an injected shell is shown under its target, not its real parent */
			if (ppid != p->ppid && !p->injected) {
				model_reparent(t->m, p, ppid);
				emit_simple(t, EV_REPARENT, p, p->pid, 0);
			}
			continue;
		}
		model_reaped(t->m, p);
		emit_simple(t, EV_REAP, p, p->pid, 0);
	}
}

/* ---- shells (the s / S keys, shell.h) ---- */

static void shell_fail(struct tracer *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void shell_fail(struct tracer *t, const char *fmt, ...)
{
	struct err e;
	va_list ap;
	err_clear(&e);
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	shell_box_fail(t->opts.shells, &e);
}

/* A traced thread of p: the leader if it is still there. */
static struct task *proc_task(const struct tracer *t, const struct proc *p)
{
	struct task *k = task_find(t, p->pid);
	if (k && k->proc == p)
		return k;
	for (k = t->all; k; k = k->next)
		if (k->proc == p)
			return k;
	return NULL;
}

/* A shell forktop started, put in the model under its target (its real parent is the
 * target's reaper after a hijack, forktop after a join) and marked injected; emits its spawn
 * (with the target's command: a hijacked shell is a fork of the target until its exec). */
static struct proc *shell_add(struct tracer *t, pid_t pid, const struct proc *target,
			      enum proc_inject how)
{
	struct procfs_ident id;
	struct event ev;
	struct proc *p;
	if (procfs_ident(t->pfs, pid, &id, &t->warn) < 0)
		return NULL;
	p = model_add(t->m, pid, id.start_ticks, target->pid, id.nspid, now_ns(CLOCK_MONOTONIC),
		      &t->warn);
	if (!p)
		return NULL;
	p->injected = how;
	p->mirrors = target->pid;
	p->ns_depth = id.ns_depth;
	if (how == PINJ_JOIN) {
		/* A is a fork of forktop, not of the target: say what it is */
		static const char helper[] = "forktop\0join-helper";
		p->argv = malloc(sizeof(helper));
		if (p->argv) {
			memcpy(p->argv, helper, sizeof(helper));
			p->argv_len = sizeof(helper);
		}
	} else {
		model_inherit_command(p, &t->warn);
	}
	snapshot(t, p, pid);
	ev_init(&ev, EV_SPAWN, p, pid);
	ev_command(&ev, p);
	emit(t, &ev);
	return p;
}

/* inject's waits: exactly the task it asks for; the other tracees' reports stay queued in
 * the kernel meanwhile (a few ms). A death is also the loop's to record, afterwards. */
static int shell_wait(void *ctx, pid_t tid, int *status, struct err *e)
{
	struct tracer *t = ctx;
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL);
		if (r == tid)
			break;
		if (r < 0 && errno != EINTR)
			return err_set(e, errno, "waitpid %d", (int)tid);
	}
	if ((WIFEXITED(*status) || WIFSIGNALED(*status)) && t->ndead < ARRAY_SIZE(t->dead)) {
		t->dead[t->ndead].tid = tid;
		t->dead[t->ndead++].status = *status;
	}
	return 0;
}

/* Whether the hijack may go on without reading p's seccomp filters: p has exactly the filters
 * forktop installed, which allow what a hijack injects (shell_box.known_filters). */
static bool filters_known(struct tracer *t, const struct proc *p)
{
	struct procfs_perms perms;
	int known = t->opts.shells->known_filters;
	if (known < 0 || procfs_perms(t->pfs, p->pid, &perms, &t->warn) < 0)
		return false;
	return perms.seccomp == 2 && perms.seccomp_filters == known;
}

/* k sits in the interrupt-stop asked for: fork the shell out of its process. */
static void shell_hijack(struct tracer *t, struct task *k)
{
	const struct shell_req *r = &t->shell_req;
	struct proc *p = k->proc;
	struct inject_ops ops = { shell_wait, t };
	struct hijack_req hq = { .tid = k->tid,
				 .paths = (const char *const *)r->paths,
				 .envp = r->envp,
				 .fds = { r->fd, r->fd, r->fd },
				 .ctty = true };
	struct hijack_result hr = { .pidfd = -1 };
	struct shell_res res;
	struct task *c;
	unsigned flags = INJECT_CALLER_TRACED;
	pid_t tid = k->tid;
	memset(&res, 0, sizeof(res));
	t->shell_tid = 0;
	t->ndead = 0;
	if (filters_known(t, p))
		flags |= INJECT_FORCE_SECCOMP;
	/* inject tells syscall-entry from -exit stops by PTRACE_GET_SYSCALL_INFO, which needs
	 * TRACESYSGOOD; the copies inherit it. It changes nothing else here: forktop never asks
	 * for syscall stops. */
	if (ptrace(PTRACE_SETOPTIONS, tid, NULL,
		   (void *)(tracee_options(t) | PTRACE_O_TRACESYSGOOD)) < 0)
		res.rc = err_set(&res.e, errno, "ptrace setoptions %d", (int)tid);
	else
		res.rc = inject_hijack(p->pid, flags, &ops, &hq, &hr, &res.e);
	resume(t, tid, 0); /* registers restored (or never changed): it goes on unchanged */
	if (res.rc == 0) {
		c = task_new(t, hr.child, NULL, true);
		if (c)
			c->proc = shell_add(t, hr.child, p, PINJ_HIJACK);
		res.child = hr.child;
		res.pause_ms = hr.pause_ms;
		snprintf(res.path, sizeof(res.path), "%s", hr.path ? hr.path : "?");
		if (hr.pidfd >= 0)
			close(hr.pidfd);
		shell_box_done(t->opts.shells, &res);
		/* it stopped at its execve's exit: record the exec and let it run */
		if (c && c->proc)
			handle_exec(t, c);
		else
			resume(t, hr.child, 0);
	} else {
		shell_box_done(t->opts.shells, &res);
	}
	for (size_t i = 0; i < t->ndead; i++)
		handle(t, t->dead[i].tid, t->dead[i].status);
	t->ndead = 0;
}

/* A report of the thread interrupted for a hijack or a join. true: taken (the hijack or join
 * ran). */
static bool shell_stop(struct tracer *t, struct task *k, const struct ptrace_stop *st)
{
	switch (st->kind) {
	case PTS_INTERRUPT:
		if (k->group_stop || !k->proc)
			break; /* a SIGCONT wake-up from LISTEN: not ours */
		if (t->shell_req.join)
			shell_join_stopped(t, k);
		else
			shell_hijack(t, k);
		return true;
	case PTS_GROUP_STOP:
		t->shell_tid = 0;
		shell_fail(t,
			   "process %d was stopped (job control) meanwhile: nothing was injected",
			   k->proc ? (int)k->proc->pid : (int)k->tid);
		break;
	case PTS_EXITED:
	case PTS_KILLED:
		t->shell_tid = 0;
		shell_fail(t, "process %d exited meanwhile", (int)k->tid);
		break;
	case PTS_FORK:
	case PTS_VFORK:
	case PTS_CLONE:
	case PTS_EXEC:
	case PTS_EXIT:
	case PTS_SIGNAL:
	case PTS_OTHER:
		break; /* the interrupt-stop comes after this one */
	}
	return false;
}

/* join: A is seized (join.h); its stops, its shell B's spawn and exec come through the loop.
 * filters: the target's seccomp filters, read by us (join cannot seize our tracee). */
static void shell_join(struct tracer *t, const struct proc *target,
		       const struct join_filters *filters)
{
	const struct shell_req *r = &t->shell_req;
	struct join_req jq = { .pid = target->pid,
			       .paths = (const char *const *)r->paths,
			       .envp = r->envp,
			       .fds = { r->fd, r->fd, r->fd },
			       .ctty = true,
			       .trace = true,
			       .filters = filters };
	struct join_result jr;
	struct task *k;
	struct err e;
	err_clear(&e);
	if (join_spawn(&jq, &jr, &e) < 0) {
		shell_box_fail(t->opts.shells, &e);
		return;
	}
	t->join_a = jr.child;
	t->join_errfd = jr.errfd;
	snprintf(t->join_missing, sizeof(t->join_missing), "%s", jr.missing);
	k = task_new(t, jr.child, NULL, true);
	if (k) {
		k->proc = shell_add(t, jr.child, target, PINJ_JOIN);
		k->setopts = true;
	}
}

/* k sits in the interrupt-stop asked for a join: read its seccomp filters (the kernel hands
 * them to a tracer with CAP_SYS_ADMIN only; unprivileged, join says they were not copied), let
 * it go on at once and join it. */
static void shell_join_stopped(struct tracer *t, struct task *k)
{
	struct join_filters f = { .n = 0 };
	const struct proc *p = k->proc;
	struct err e;
	t->shell_tid = 0;
	err_clear(&e);
	if (join_filters_read(k->tid, &f, &e) < 0)
		t->warn = e;
	resume(t, k->tid, 0);
	shell_join(t, p, &f);
	join_filters_free(&f);
}

/* The join's shell sh exec'd (its setup succeeded), or A ended first (sh NULL: why is on the
 * error pipe). */
static void shell_join_done(struct tracer *t, const struct proc *sh)
{
	struct shell_res res;
	memset(&res, 0, sizeof(res));
	if (sh) {
		res.child = sh->pid;
		snprintf(res.path, sizeof(res.path), "%s", sh->exe ? sh->exe : "?");
		snprintf(res.missing, sizeof(res.missing), "%s", t->join_missing);
	} else {
		ssize_t n = t->join_errfd >= 0 ? read(t->join_errfd, &res.e, sizeof(res.e)) : 0;
		res.rc = -1;
		if (n != (ssize_t)sizeof(res.e))
			err_setx(&res.e, "join: the shell ended before it started");
	}
	if (t->join_errfd >= 0)
		close(t->join_errfd);
	t->join_errfd = -1;
	t->join_a = 0;
	shell_box_done(t->opts.shells, &res);
}

/* Whether p is in seccomp filter mode (a join then reads its filters). */
static bool has_filters(struct tracer *t, const struct proc *p)
{
	struct procfs_perms perms;
	return procfs_perms(t->pfs, p->pid, &perms, &t->warn) == 0 && perms.seccomp == 2;
}

/* SHELL_DOORBELL: a request from the UI thread. */
static void shell_take(struct tracer *t)
{
	static const struct join_filters none = { .n = 0 };
	struct shell_req *r = &t->shell_req;
	struct proc *p;
	struct task *k;
	struct err e;
	if (!t->opts.shells || !shell_box_take(t->opts.shells, r))
		return;
	p = model_find(t->m, r->pid);
	if (!p || p->state >= PROC_ZOMBIE) {
		shell_fail(t, "process %d has exited", (int)r->pid);
		return;
	}
	if (p->state == PROC_STOPPED) {
		shell_fail(t, "process %d is stopped (job control): continue it first (x: SIGCONT)",
			   (int)p->pid);
		return;
	}
	/* a join reads the filters in an interrupt-stop when there are any */
	if (r->join && !has_filters(t, p)) {
		shell_join(t, p, &none);
		return;
	}
	k = proc_task(t, p);
	err_clear(&e);
	if (!k) {
		shell_fail(t, "process %d: no traced thread", (int)p->pid);
		return;
	}
	if (ptrace_interrupt(k->tid, &e) < 0) {
		shell_box_fail(t->opts.shells, &e);
		return;
	}
	t->shell_tid = k->tid; /* its interrupt-stop comes through the loop: shell_stop() */
}

/* ---- the loop ---- */

int tracer_add_root(struct tracer *t, pid_t pid, struct err *e)
{
	struct procfs_ident id;
	struct proc *p;
	if (procfs_ident(t->pfs, pid, &id, e) < 0)
		return -1;
	p = proc_discover(t, &id, false);
	if (!p || !task_new(t, pid, p, true))
		return err_set(e, ENOMEM, "process %d", (int)pid);
	t->root = pid;
	return 0;
}

/* A fatal signal for forktop: attach mode detaches; a launched tree gets the signal when it
 * was sent by a process (a terminal's ^C already reached the whole foreground group). */
static int on_signal(struct tracer *t, const siginfo_t *si, struct err *e)
{
	if (si->si_signo == SHELL_DOORBELL && si->si_pid == getpid()) {
		shell_take(t);
		return 0;
	}
	if (t->opts.attach) {
		t->stopping = true;
		return tracer_detach_all(t, e);
	}
	if ((si->si_code == SI_USER || si->si_code == SI_QUEUE) && t->root > 0 && !t->root_reaped)
		kill(t->root, si->si_signo);
	return 0;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < 0 ? b : b < 0 || a < b ? a : b;
}

/* When the tracer's own periodic work (zombie checks, deferred fork children) is next due:
 * a CLOCK_MONOTONIC time, or -1 for none. */
static int64_t work_due(const struct tracer *t)
{
	int64_t at = -1;
	if (t->m->nzombies) /* at most every ZOMBIE_POLL_MS: most zombies are reaped within that
			     * time, and each check reads /proc */
		at = t->zombie_check_ns + (int64_t)ZOMBIE_POLL_MS * 1000000;
	if (t->ndeferred && t->defq.head)
		at = earliest(at, t->defq.head->seen_ns + (int64_t)DEFER_MS * 1000000);
	return at;
}

/* Called with no event pending (what it reads must come after every event reported so far:
 * a deferred child's creator's exit, say). */
static void do_work(struct tracer *t, int64_t now)
{
	if (t->m->nzombies && now - t->zombie_check_ns >= (int64_t)ZOMBIE_POLL_MS * 1000000) {
		t->zombie_check_ns = now;
		check_zombies(t);
	}
	if (t->ndeferred)
		discover_deferred(t, 0, now - (int64_t)DEFER_MS * 1000000);
}

/* The next report of a tracee (or of another child of ours: wake.h's), sleeping until one
 * comes; 0 when the periodic work is due and nothing is pending. */
static pid_t next_report(struct tracer *t, struct wake *w, int *status)
{
	int64_t now = now_ns(CLOCK_MONOTONIC), at = work_due(t);
	pid_t tid;
	if (at >= 0 && at <= now) {
		tid = wait4(-1, status, __WALL | WNOHANG, NULL);
		if (tid == 0)
			do_work(t, now);
		return tid;
	}
	if (t->sink.idle) { /* the recorder's flush of a batch not yet written */
		int ms = t->sink.idle(t->sink.data, now);
		at = earliest(at, ms < 0 ? -1 : now + (int64_t)ms * 1000000);
	}
	wake_at(w, at);
	return wait4(-1, status, __WALL, NULL);
}

static int run_loop(struct tracer *t, struct wake *w, struct err *e)
{
	while (!t->stopping) {
		siginfo_t si;
		int status;
		pid_t tid;
		if (wake_take(w, &si)) {
			if (on_signal(t, &si, e) < 0)
				return -1;
			continue;
		}
		/* every tracee is gone; a child we do not trace (the sandbox's pasta) may live on
		 * until the launcher stops it, so ECHILD alone would never come */
		if (t->ntasks == 0 && (t->root_reaped || t->opts.attach))
			break;
		tid = next_report(t, w, &status);
		if (tid > 0) {
			if ((WIFEXITED(status) || WIFSIGNALED(status)) && !task_find(t, tid))
				wake_reaped(w, tid); /* maybe the wake-up child (wake.h) */
			handle(t, tid, status);
			continue;
		}
		if (tid < 0 && errno == ECHILD)
			break;
		if (tid < 0 && errno != EINTR)
			return err_set(e, errno, "waitpid");
	}
	return 0;
}

int tracer_run(struct tracer *t, struct err *e)
{
	struct wake *w = NULL;
	int rc;
	if (tracer_block_signals(e) < 0 ||
	    wake_start(&w, tracer_signals, ARRAY_SIZE(tracer_signals), e) < 0)
		return -1;
	rc = run_loop(t, w, e);
	wake_stop(w);
	if (t->m->nzombies)
		check_zombies(t);
	return rc;
}

/* ---- detach ---- */

static void detach_one(struct tracer *t, struct task *k, const struct ptrace_stop *st)
{
	if (st->kind == PTS_FORK || st->kind == PTS_VFORK || st->kind == PTS_CLONE) {
		/* the new task is traced already: wait for its first stop and detach it too */
		unsigned long msg = 0;
		if (ptrace_event_msg(k->tid, &msg, &t->warn) == 0 && msg > 0 &&
		    !task_find(t, (pid_t)msg))
			task_new(t, (pid_t)msg, NULL, false);
	}
	if (k->proc && k->tid == k->proc->pid)
		emit_simple(t, EV_DETACH, k->proc, k->tid, 0);
	ptrace_detach(k->tid, st->kind == PTS_SIGNAL ? st->sig : 0, &t->warn);
	task_del(t, k);
}

int tracer_detach_all(struct tracer *t, struct err *e)
{
	if (t->ndeferred)
		discover_deferred(t, 0, INT64_MAX);
	for (struct task *k = t->all; k; k = k->next)
		if (k->seen)
			ptrace_interrupt(k->tid, &t->warn);
	while (t->ntasks > 0) {
		int status;
		struct ptrace_stop st;
		struct task *k;
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0 && errno == ECHILD)
			break;
		if (tid < 0)
			return err_set(e, errno, "waitpid");
		st = ptrace_decode(status);
		k = task_find(t, tid);
		if (st.kind == PTS_EXITED || st.kind == PTS_KILLED) {
			if (k)
				handle_exit(t, k, &st, status);
			continue;
		}
		if (!k) {
			ptrace_detach(tid, 0, &t->warn);
			continue;
		}
		k->seen = true;
		detach_one(t, k, &st);
	}
	return 0;
}

/* ---- attach (-p) ---- */

static int attach_threads(struct tracer *t, struct proc *p)
{
	pid_t tids[512];
	bool added = true;
	while (added) { /* threads may be created while we seize the others */
		int n = procfs_threads(p->pid, tids, ARRAY_SIZE(tids), &t->warn);
		added = false;
		for (int i = 0; i < n && i < (int)ARRAY_SIZE(tids); i++) {
			if (task_find(t, tids[i]))
				continue;
			if (ptrace_seize(tids[i], PTRACE_TRACE_OPTS, &t->warn) < 0)
				continue; /* exited meanwhile, or auto-attached already */
			if (!task_new(t, tids[i], p, true))
				return -1;
			p->nthreads++;
			t->m->stats.threads++;
			added = true;
		}
	}
	return 0;
}

/* Seize one process (pid already seized when `seized`), record it and its threads. */
static int attach_process(struct tracer *t, pid_t pid, bool seized, struct err *e)
{
	struct procfs_ident id;
	struct event ev;
	struct proc *p;
	if (!seized && ptrace_seize(pid, PTRACE_TRACE_OPTS, &t->warn) < 0)
		return 0; /* gone, or already traced (auto-attached): not an error */
	if (procfs_ident(t->pfs, pid, &id, e) < 0)
		return seized ? -1 : 0;
	p = proc_discover(t, &id, true);
	if (!p || !task_new(t, pid, p, true) || attach_threads(t, p) < 0)
		return err_set(e, ENOMEM, "process %d", (int)pid);
	ev_init(&ev, EV_ATTACH, p, pid);
	ev_command(&ev, p);
	emit(t, &ev);
	return 0;
}

static bool traced_live(const struct tracer *t, pid_t pid)
{
	const struct proc *p = model_find(t->m, pid);
	return p && p->state < PROC_ZOMBIE;
}

/* One pass over /proc: attach every untraced process whose parent is traced. Returns the
 * number attached, -1 on error. */
static int attach_descendants(struct tracer *t, struct err *e)
{
	pid_t *pids, *ppids;
	size_t n;
	int added = 0;
	bool more = true;
	if (procfs_scan(t->pfs, &pids, &ppids, &n, e) < 0)
		return -1;
	while (more) { /* pids are not ordered parent first: repeat until nothing new */
		more = false;
		for (size_t i = 0; i < n; i++) {
			if (!traced_live(t, ppids[i]) || traced_live(t, pids[i]))
				continue;
			if (attach_process(t, pids[i], false, e) < 0) {
				free(pids);
				free(ppids);
				return -1;
			}
			if (traced_live(t, pids[i])) {
				added++;
				more = true;
			}
		}
	}
	free(pids);
	free(ppids);
	return added;
}

int tracer_attach(struct tracer *t, pid_t pid, struct err *e)
{
	int n;
	if (pid == getpid())
		return err_setx(e, "-p %d: cannot trace forktop itself", (int)pid);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(unsigned long)PTRACE_TRACE_OPTS) < 0) {
		ptrace_explain_denial(pid, errno, e);
		return -1;
	}
	if (attach_process(t, pid, true, e) < 0)
		return -1;
	do
		n = attach_descendants(t, e);
	while (n > 0);
	return n < 0 ? -1 : 0;
}
