#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"

static size_t hash_pid(const struct model *m, pid_t pid)
{
	return ((size_t)pid * 2654435761u) & (m->nbuckets - 1);
}

int model_init(struct model *m, size_t keep_exited, struct err *e)
{
	memset(m, 0, sizeof(*m));
	m->nbuckets = 1024;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	if (!m->buckets)
		return err_set(e, ENOMEM, "model");
	m->keep_exited = keep_exited;
	m->next_id = 1;
	return 0;
}

static void proc_release(struct proc *p)
{
	free(p->argv);
	free(p->exe);
	free(p->cwd);
}

void model_destroy(struct model *m)
{
	/* every node is in the tree (pruned ones were freed): free it post-order, iteratively */
	struct proc *p = m->first_root;
	while (p) {
		struct proc *next;
		if (p->first_child) {
			p = p->first_child;
			continue;
		}
		next = p->next_sibling ? p->next_sibling : p->parent;
		if (p->parent)
			p->parent->first_child = p->next_sibling;
		else
			m->first_root = p->next_sibling;
		proc_release(p);
		free(p);
		p = next;
	}
	for (p = m->free_list; p;) {
		struct proc *n = p->fnext;
		free(p);
		p = n;
	}
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}

static void hash_grow(struct model *m)
{
	size_t nb = m->nbuckets * 2;
	struct proc **b = calloc(nb, sizeof(*b));
	if (!b)
		return; /* keep the old table: slower, still correct */
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct proc *p = m->buckets[i], *n; p; p = n) {
			size_t h = ((size_t)p->pid * 2654435761u) & (nb - 1);
			n = p->hnext;
			p->hnext = b[h];
			b[h] = p;
		}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

static void hash_del(struct model *m, struct proc *p)
{
	struct proc **pp;
	if (!p->in_hash)
		return;
	for (pp = &m->buckets[hash_pid(m, p->pid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	p->in_hash = false;
	m->nhash--;
}

struct proc *model_find(const struct model *m, pid_t pid)
{
	for (struct proc *p = m->buckets[hash_pid(m, pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

struct proc *model_find_key(const struct model *m, pid_t pid, unsigned long long start_ticks)
{
	struct proc *p = model_find(m, pid);
	return p && p->start_ticks == start_ticks ? p : NULL;
}

static void tree_unlink(struct model *m, struct proc *p)
{
	struct proc **first = p->parent ? &p->parent->first_child : &m->first_root;
	struct proc **last = p->parent ? &p->parent->last_child : &m->last_root;
	if (p->prev_sibling)
		p->prev_sibling->next_sibling = p->next_sibling;
	else
		*first = p->next_sibling;
	if (p->next_sibling)
		p->next_sibling->prev_sibling = p->prev_sibling;
	else
		*last = p->prev_sibling;
	p->parent = p->prev_sibling = p->next_sibling = NULL;
}

static void set_depth(struct model *m, struct proc *p, int depth)
{
	/* iterative walk of the subtree: a 1,000-deep chain must not recurse 1,000 times */
	struct proc *q = p;
	int d = depth;
	p->depth = depth;
	if (depth > m->stats.max_depth)
		m->stats.max_depth = depth;
	while (q) {
		if (q->first_child) {
			q = q->first_child;
			q->depth = ++d;
		} else {
			while (q != p && !q->next_sibling) {
				q = q->parent;
				d--;
			}
			if (q == p)
				break;
			q = q->next_sibling;
			q->depth = d;
		}
		if (q->depth > m->stats.max_depth)
			m->stats.max_depth = q->depth;
	}
}

static void tree_link(struct model *m, struct proc *p, struct proc *parent)
{
	struct proc **first = parent ? &parent->first_child : &m->first_root;
	struct proc **last = parent ? &parent->last_child : &m->last_root;
	p->parent = parent;
	p->prev_sibling = *last;
	p->next_sibling = NULL;
	if (*last)
		(*last)->next_sibling = p;
	else
		*first = p;
	*last = p;
	set_depth(m, p, parent ? parent->depth + 1 : 0);
}

static struct proc *node_alloc(struct model *m)
{
	struct proc *p = m->free_list;
	if (p) {
		m->free_list = p->fnext;
		m->nfree--;
		memset(p, 0, sizeof(*p));
		return p;
	}
	return calloc(1, sizeof(*p));
}

static void node_free(struct model *m, struct proc *p)
{
	proc_release(p);
	if (m->nfree < MODEL_FREE_MAX) {
		p->fnext = m->free_list;
		m->free_list = p;
		m->nfree++;
	} else {
		free(p);
	}
}

/* The node holding ppid (live, or a zombie: a child can be seen after its parent exited),
 * never p itself. */
static struct proc *find_parent(const struct model *m, const struct proc *p, pid_t ppid)
{
	struct proc *q = ppid > 0 ? model_find(m, ppid) : NULL;
	return q && q != p ? q : NULL;
}

struct proc *model_add(struct model *m, pid_t pid, unsigned long long start_ticks, pid_t ppid,
		       pid_t nspid, int64_t now_ns, struct err *e)
{
	struct proc *old = model_find(m, pid), *p;
	size_t h;
	if (old && old->start_ticks == start_ticks && old->state < PROC_ZOMBIE)
		return old;
	if (old && old->state < PROC_ZOMBIE) /* its end was missed: close it */
		model_exit(m, old, 0, 0, false, now_ns, true);
	else if (old) /* same pid, another process: the old one has been reaped */
		model_reaped(m, old);
	p = node_alloc(m);
	if (!p) {
		err_set(e, ENOMEM, "process %d", (int)pid);
		return NULL;
	}
	p->id = m->next_id++;
	p->pid = pid;
	p->nspid = nspid;
	p->ppid = ppid;
	p->start_ticks = start_ticks;
	p->start_ns = now_ns;
	p->nthreads = 1;
	p->state = PROC_RUNNING;
	if (m->nhash >= m->nbuckets * 2)
		hash_grow(m);
	h = hash_pid(m, pid);
	p->hnext = m->buckets[h];
	m->buckets[h] = p;
	p->in_hash = true;
	m->nhash++;
	tree_link(m, p, find_parent(m, p, ppid));
	m->stats.processes++;
	if (++m->stats.live > m->stats.max_live)
		m->stats.max_live = m->stats.live;
	return p;
}

void model_reparent(struct model *m, struct proc *p, pid_t ppid)
{
	struct proc *np = find_parent(m, p, ppid);
	p->ppid = ppid;
	if (np == p->parent)
		return;
	/* never make a node its own ancestor (a stale ppid read during a race) */
	for (struct proc *a = np; a; a = a->parent)
		if (a == p)
			return;
	tree_unlink(m, p);
	tree_link(m, p, np);
}

void model_exec(struct model *m, struct proc *p, char *argv, size_t argv_len, char *exe, char *cwd)
{
	proc_release(p);
	p->argv = argv;
	p->argv_len = argv_len;
	p->exe = exe;
	p->cwd = cwd;
	p->execs++;
	p->nthreads = 1; /* exec leaves one thread */
	m->stats.execs++;
}

static char *dup_mem(const char *s, size_t n)
{
	char *d = malloc(n ? n : 1);
	if (d && n)
		memcpy(d, s, n);
	return d;
}

int model_inherit_command(struct proc *p, struct err *e)
{
	const struct proc *pp = p->parent;
	if (!pp || !pp->argv)
		return 0;
	proc_release(p);
	p->argv = dup_mem(pp->argv, pp->argv_len);
	p->argv_len = pp->argv_len;
	p->exe = pp->exe ? strdup(pp->exe) : NULL;
	p->cwd = pp->cwd ? strdup(pp->cwd) : NULL;
	if (!p->argv || (pp->exe && !p->exe) || (pp->cwd && !p->cwd))
		return err_set(e, ENOMEM, "process %d", (int)p->pid);
	return 0;
}

unsigned model_diff_perms(const struct procfs_perms *a, const struct procfs_perms *b,
			  uint64_t *caps_gained, unsigned *ns_changed)
{
	unsigned ch = 0, ns = 0;
	uint64_t gained = (b->caps[PROCFS_CAP_EFF] & ~a->caps[PROCFS_CAP_EFF]) |
			  (b->caps[PROCFS_CAP_PRM] & ~a->caps[PROCFS_CAP_PRM]);
	if (gained)
		ch |= PCH_CAP_GAINED;
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		if (a->ns[i] && b->ns[i] && a->ns[i] != b->ns[i])
			ns |= 1u << i;
	if (ns)
		ch |= PCH_NS_CHANGED;
	if (memcmp(a->uid, b->uid, sizeof(a->uid)) != 0)
		ch |= PCH_UID_CHANGED;
	if (memcmp(a->gid, b->gid, sizeof(a->gid)) != 0)
		ch |= PCH_GID_CHANGED;
	if (a->seccomp != b->seccomp || a->seccomp_filters != b->seccomp_filters)
		ch |= PCH_SECCOMP;
	if (!a->no_new_privs && b->no_new_privs)
		ch |= PCH_NNP;
	if (caps_gained)
		*caps_gained = gained;
	if (ns_changed)
		*ns_changed = ns;
	return ch;
}

void model_set_perms(struct model *m, struct proc *p, const struct procfs_perms *perms)
{
	uint64_t gained = 0, g2 = 0;
	unsigned ns = 0, ns2 = 0, ch = 0;
	(void)m;
	if (p->parent && p->parent->has_perms)
		ch |= model_diff_perms(&p->parent->perms, perms, &gained, &ns);
	if (p->has_perms)
		ch |= model_diff_perms(&p->perms, perms, &g2, &ns2);
	p->changes = ch;
	p->caps_gained = gained | g2;
	p->ns_changed = ns | ns2;
	p->perms = *perms;
	p->has_perms = true;
	p->perms_inherited = false;
}

static void fifo_push(struct model *m, struct proc *p)
{
	p->fnext = NULL;
	p->fprev = m->exited_tail;
	if (m->exited_tail)
		m->exited_tail->fnext = p;
	else
		m->exited_head = p;
	m->exited_tail = p;
	m->nexited++;
}

static void fifo_del(struct model *m, struct proc *p)
{
	if (p->fprev)
		p->fprev->fnext = p->fnext;
	else
		m->exited_head = p->fnext;
	if (p->fnext)
		p->fnext->fprev = p->fprev;
	else
		m->exited_tail = p->fprev;
	p->fnext = p->fprev = NULL;
	m->nexited--;
}

/* Remove an exited node for good; its children (live or kept) become roots. */
static void prune(struct model *m, struct proc *p)
{
	while (p->first_child) {
		struct proc *c = p->first_child;
		tree_unlink(m, c);
		tree_link(m, c, NULL);
	}
	if (p->state == PROC_ZOMBIE)
		m->nzombies--;
	fifo_del(m, p);
	hash_del(m, p);
	tree_unlink(m, p);
	node_free(m, p);
	m->stats.pruned++;
}

void model_exit(struct model *m, struct proc *p, int exit_code, int sig, bool core, int64_t now_ns,
		bool reaped)
{
	if (p->state >= PROC_ZOMBIE)
		return;
	p->state = reaped ? PROC_EXITED : PROC_ZOMBIE;
	p->exit_code = exit_code;
	p->exit_signal = sig;
	p->core = core;
	p->end_ns = now_ns;
	p->nthreads = 0;
	if (reaped)
		hash_del(m, p);
	else
		m->nzombies++;
	m->stats.live--;
	m->stats.exited++;
	if (sig > 0 && sig < 65)
		m->stats.signals[sig]++;
	else
		m->stats.exit_codes[exit_code & 255]++;
	if (core)
		m->stats.cores++;
	fifo_push(m, p);
	while (m->nexited > m->keep_exited && m->exited_head)
		prune(m, m->exited_head);
}

void model_reaped(struct model *m, struct proc *p)
{
	hash_del(m, p);
	if (p->state == PROC_ZOMBIE) {
		p->state = PROC_EXITED;
		m->nzombies--;
	}
}

void model_set_state(struct proc *p, enum proc_state st)
{
	p->state = st;
}

void model_clear_exited(struct model *m)
{
	while (m->exited_head)
		prune(m, m->exited_head);
}

const char *proc_state_name(enum proc_state st)
{
	switch (st) {
	case PROC_RUNNING:
		return "running";
	case PROC_STOPPED:
		return "stopped";
	case PROC_ZOMBIE:
		return "zombie";
	case PROC_EXITED:
		return "exited";
	}
	return "?";
}
