#include "recorder.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "model.h"

/* Records kept for reuse between the tracer and the writer thread. */
#define REC_FREE_MAX 1024
/* Events queued at most: beyond, events are dropped (and counted) rather than letting memory
 * grow or stopping a tracee while the writer catches up. */
#define REC_QUEUE_MAX 16384
/* The writer thread is woken once this many events wait, or when the tracer goes idle with
 * events older than REC_FLUSH_MS: not once per event, which would cost a context switch per
 * traced fork on a small machine. */
#define REC_WAKE_BATCH 512
#define REC_FLUSH_MS 50

struct rec {
	struct event ev;
	struct procfs_perms perms;
	char *blob; /* argv, then exe\0, then cwd\0 (owned) */
	size_t blob_cap;
	struct rec *next;
};

struct recorder {
	FILE *f;
	bool own_file;
	pthread_t writer;
	bool writer_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rec *head, *tail; /* queue, oldest first */
	size_t queued;
	size_t pending;	  /* queued since the writer was last woken */
	int64_t batch_ns; /* mono time of the first of those */
	uint64_t lost;
	char *cap_names[64]; /* libcap's names, upper case, looked up once */
	struct rec *free_list;
	size_t nfree;
	bool closing;
	json_t *summary;
	int write_errno;
	char *line; /* write_json's buffer (writer thread, or before it starts) */
	size_t line_cap;
};

const char *event_type_name(enum ev_type t)
{
	switch (t) {
	case EV_SPAWN:
		return "spawn";
	case EV_EXEC:
		return "exec";
	case EV_EXIT:
		return "exit";
	case EV_SIGNAL:
		return "signal";
	case EV_STOP:
		return "stop";
	case EV_CONTINUE:
		return "continue";
	case EV_ATTACH:
		return "attach";
	case EV_DETACH:
		return "detach";
	case EV_REPARENT:
		return "reparent";
	case EV_REAP:
		return "reap";
	}
	return "?";
}

/* "CAP_SYS_ADMIN" for bit i (libcap's cap_to_name, upper-cased), malloc'd. */
static char *cap_name(int i)
{
	char buf[32];
	char *n = cap_to_name((cap_value_t)i);
	if (n && strncmp(n, "cap_", 4) == 0) {
		size_t k;
		for (k = 0; n[k] && k + 1 < sizeof(buf); k++)
			buf[k] = (char)(n[k] >= 'a' && n[k] <= 'z' ? n[k] - 32 : n[k]);
		buf[k] = '\0';
	} else {
		snprintf(buf, sizeof(buf), "CAP_%d", i);
	}
	cap_free(n);
	return strdup(buf);
}

/* names: a cache of cap_name() for bits 0..63, or NULL to look each one up */
static json_t *caps_json_named(uint64_t mask, char *const *names)
{
	json_t *a = json_array();
	for (int i = 0; i < 64 && a; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (names && names[i]) {
			json_array_append_new(a, json_string(names[i]));
		} else {
			char *n = cap_name(i);
			json_array_append_new(a, json_string(n ? n : "CAP_?"));
			free(n);
		}
	}
	return a;
}

json_t *recorder_caps_json(uint64_t mask)
{
	return caps_json_named(mask, NULL);
}

static json_t *ids_json(const uint32_t *ids)
{
	json_t *o = json_object();
	for (int i = 0; i < PROCFS_ID_COUNT; i++)
		json_object_set_new(o, procfs_id_name(i),
				    ids[i] == PROCFS_ID_UNMAPPED ? json_null()
								 : json_integer(ids[i]));
	return o;
}

static json_t *rlim_json(uint64_t v)
{
	return v == PROCFS_RLIM_INFINITY ? json_null() : json_integer((json_int_t)v);
}

static json_t *perms_json(const struct procfs_perms *p, char *const *names);

json_t *recorder_perms_json(const struct procfs_perms *p)
{
	return perms_json(p, NULL);
}

static json_t *perms_json(const struct procfs_perms *p, char *const *names)
{
	static const char *const modes[] = { "disabled", "strict", "filter" };
	json_t *o = json_object(), *caps = json_object(), *ns = json_object(), *sc = json_object();
	json_object_set_new(o, "uid", ids_json(p->uid));
	json_object_set_new(o, "gid", ids_json(p->gid));
	json_object_set_new(o, "uid_in_ns", ids_json(p->uid_ns));
	json_object_set_new(o, "gid_in_ns", ids_json(p->gid_ns));
	json_object_set_new(o, "uid_map", p->uid_map[0] ? json_string(p->uid_map) : json_null());
	json_object_set_new(o, "gid_map", p->gid_map[0] ? json_string(p->gid_map) : json_null());
	for (int i = 0; i < PROCFS_CAP_COUNT; i++)
		json_object_set_new(caps, procfs_capset_name(i),
				    caps_json_named(p->caps[i], names));
	json_object_set_new(o, "caps", caps);
	json_object_set_new(sc, "mode",
			    p->seccomp >= 0 && p->seccomp <= 2 ? json_string(modes[p->seccomp])
							       : json_null());
	json_object_set_new(sc, "filters",
			    p->seccomp_filters >= 0 ? json_integer(p->seccomp_filters)
						    : json_null());
	json_object_set_new(o, "seccomp", sc);
	json_object_set_new(o, "no_new_privs", json_boolean(p->no_new_privs));
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		json_object_set_new(ns, procfs_ns_name(i),
				    p->ns[i] ? json_integer((json_int_t)p->ns[i]) : json_null());
	json_object_set_new(o, "ns", ns);
	json_object_set_new(o, "cgroup", json_string(p->cgroup));
	if (p->has_rlimits) {
		json_t *rl = json_object();
		for (int i = 0; i < PROCFS_RL_COUNT; i++)
			json_object_set_new(rl, procfs_rlimit_name(i),
					    json_pack("[oo]", rlim_json(p->rlim_cur[i]),
						      rlim_json(p->rlim_max[i])));
		json_object_set_new(o, "rlimits", rl);
	} else {
		json_object_set_new(o, "rlimits", json_null());
	}
	return o;
}

static json_t *argv_json(const char *blob, size_t len)
{
	json_t *a = json_array();
	for (size_t off = 0; off < len;) {
		size_t n = strnlen(blob + off, len - off);
		json_array_append_new(a, json_stringn(blob + off, n));
		off += n + 1;
	}
	return a;
}

static json_t *changes_json(const struct event *ev)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ PCH_CAP_GAINED, "cap_gained" },   { PCH_NS_CHANGED, "ns_changed" },
		{ PCH_UID_CHANGED, "uid_changed" }, { PCH_GID_CHANGED, "gid_changed" },
		{ PCH_SECCOMP, "seccomp_changed" }, { PCH_NNP, "no_new_privs_set" },
	};
	json_t *a = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (ev->changes & names[i].bit)
			json_array_append_new(a, json_string(names[i].name));
	return a;
}

static json_t *wall_string(int64_t wall_ns)
{
	char buf[64], out[80];
	struct tm tm;
	time_t s = (time_t)(wall_ns / 1000000000);
	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, sizeof(out), "%s.%06ldZ", buf, (long)(wall_ns % 1000000000 / 1000));
	return json_string(out);
}

static void add_perms(json_t *o, const struct event *ev, char *const *names)
{
	/* a fork child's copied snapshot is its parent's: not repeated on every spawn line */
	if (ev->perms_inherited)
		json_object_set_new(o, "perms_inherited", json_true());
	else if (ev->perms_unchanged) /* exec with the same snapshot as before: not repeated */
		json_object_set_new(o, "perms_unchanged", json_true());
	else
		json_object_set_new(o, "perms",
				    ev->perms ? perms_json(ev->perms, names) : json_null());
	json_object_set_new(o, "changes", changes_json(ev));
	if (ev->changes & PCH_CAP_GAINED)
		json_object_set_new(o, "caps_gained", caps_json_named(ev->caps_gained, names));
	if (ev->changes & PCH_NS_CHANGED) {
		json_t *a = json_array();
		for (int i = 0; i < PROCFS_NS_COUNT; i++)
			if (ev->ns_changed & (1u << i))
				json_array_append_new(a, json_string(procfs_ns_name(i)));
		json_object_set_new(o, "ns_changed", a);
	}
}

static void add_command(json_t *o, const struct event *ev)
{
	json_object_set_new(o, "argv", ev->argv ? argv_json(ev->argv, ev->argv_len) : json_null());
	json_object_set_new(o, "exe", ev->exe ? json_string(ev->exe) : json_null());
	json_object_set_new(o, "cwd", ev->cwd ? json_string(ev->cwd) : json_null());
	if (ev->injected != PINJ_NONE) { /* a shell of forktop's s / S keys */
		json_object_set_new(o, "injected",
				    json_string(ev->injected == PINJ_JOIN ? "join" : "hijack"));
		json_object_set_new(o, "inject_of", json_integer(ev->inject_of));
	}
}

static json_t *sig_name(int sig)
{
	char buf[32];
	event_sig_name(sig, buf, sizeof(buf));
	return json_string(buf);
}

static void add_type_fields(json_t *o, const struct event *ev, char *const *names)
{
	switch (ev->type) {
	case EV_SPAWN:
	case EV_ATTACH:
		json_object_set_new(o, "thread", json_boolean(ev->thread));
		if (!ev->thread) {
			add_command(o, ev);
			add_perms(o, ev, names);
		}
		break;
	case EV_EXEC:
		if (ev->old_tid != ev->pid)
			json_object_set_new(o, "old_tid", json_integer(ev->old_tid));
		add_command(o, ev);
		add_perms(o, ev, names);
		break;
	case EV_EXIT:
		json_object_set_new(o, "thread", json_boolean(ev->thread));
		json_object_set_new(o, "exit_code",
				    ev->sig ? json_null() : json_integer(ev->exit_code));
		json_object_set_new(o, "signal", ev->sig ? json_integer(ev->sig) : json_null());
		json_object_set_new(o, "signal_name", ev->sig ? sig_name(ev->sig) : json_null());
		json_object_set_new(o, "core", json_boolean(ev->core));
		break;
	case EV_SIGNAL:
	case EV_STOP:
		json_object_set_new(o, "signal", json_integer(ev->sig));
		json_object_set_new(o, "signal_name", sig_name(ev->sig));
		break;
	case EV_CONTINUE:
	case EV_DETACH:
	case EV_REPARENT:
	case EV_REAP:
		break;
	}
}

static json_t *event_json(const struct event *ev, char *const *names);

json_t *recorder_event_json(const struct event *ev)
{
	return event_json(ev, NULL);
}

static json_t *event_json(const struct event *ev, char *const *names)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(event_type_name(ev->type)));
	json_object_set_new(o, "mono_ns", json_integer(ev->mono_ns));
	json_object_set_new(o, "time", wall_string(ev->wall_ns));
	json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "nspid", json_integer(ev->nspid));
	json_object_set_new(o, "ppid", json_integer(ev->ppid));
	json_object_set_new(o, "tid", json_integer(ev->tid));
	json_object_set_new(o, "threads", json_integer(ev->nthreads));
	add_type_fields(o, ev, names);
	return o;
}

json_t *recorder_header_json(const struct recorder_header *h)
{
	struct utsname u;
	char host[256] = "";
	json_t *o = json_object(), *cmd = json_null(), *sb = json_null();
	uname(&u);
	gethostname(host, sizeof(host) - 1);
	if (h->command) {
		cmd = json_array();
		for (char *const *a = h->command; *a; a++)
			json_array_append_new(cmd, json_string(*a));
	}
	if (h->sandbox_json) {
		sb = json_loads(h->sandbox_json, 0, NULL);
		if (!sb)
			sb = json_null();
	}
	json_object_set_new(o, "type", json_string("header"));
	json_object_set_new(o, "format", json_string("forktop-events"));
	json_object_set_new(o, "version", json_integer(EVENTS_FORMAT_VERSION));
	json_object_set_new(o, "forktop_version", json_string(VERSION));
	json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "kernel", json_string(u.release));
	json_object_set_new(o, "machine", json_string(u.machine));
	json_object_set_new(o, "mono_ns", json_integer(h->mono_ns));
	json_object_set_new(o, "time", wall_string(h->wall_ns));
	json_object_set_new(o, "clock_ticks", json_integer(procfs_hz()));
	json_object_set_new(o, "mode", json_string(h->mode));
	json_object_set_new(o, "command", cmd);
	json_object_set_new(o, "attach_pid",
			    h->attach_pid > 0 ? json_integer(h->attach_pid) : json_null());
	json_object_set_new(o, "sandbox", sb);
	return o;
}

/* One line per event, dumped into a buffer then written with one fwrite(): json_dumpf()
 * calls fwrite() for every token, each taking the FILE lock. */
static int dump_line(struct recorder *r, const json_t *o)
{
	const size_t flags = JSON_COMPACT | JSON_ENSURE_ASCII;
	size_t n = json_dumpb(o, r->line, r->line_cap ? r->line_cap - 1 : 0, flags);
	if (n == 0)
		return -1;
	if (n + 1 > r->line_cap) { /* did not fit (or no buffer yet): grow, dump again */
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;
		char *b = realloc(r->line, cap);
		if (!b)
			return -1;
		r->line = b;
		r->line_cap = cap;
		if (json_dumpb(o, r->line, n, flags) != n)
			return -1;
	}
	r->line[n++] = '\n';
	return fwrite(r->line, 1, n, r->f) == n ? 0 : -1;
}

static void write_json(struct recorder *r, json_t *o)
{
	if (!o)
		return;
	errno = 0;
	if (dump_line(r, o) < 0 && !r->write_errno)
		r->write_errno = errno ? errno : EIO;
	json_decref(o);
}

static void rec_put(struct recorder *r, struct rec *x)
{
	if (r->nfree < REC_FREE_MAX) {
		x->next = r->free_list;
		r->free_list = x;
		r->nfree++;
	} else {
		free(x->blob);
		free(x);
	}
}

static void *writer_main(void *data)
{
	struct recorder *r = data;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct rec *batch;
		while (!r->head && !r->closing)
			pthread_cond_wait(&r->cond, &r->lock);
		batch = r->head;
		r->head = r->tail = NULL;
		if (!batch && r->closing)
			break;
		pthread_mutex_unlock(&r->lock);
		for (struct rec *x = batch; x; x = x->next)
			write_json(r, event_json(&x->ev, r->cap_names));
		pthread_mutex_lock(&r->lock);
		for (struct rec *x = batch, *n; x; x = n) {
			n = x->next;
			r->queued--;
			rec_put(r, x);
		}
		if (!r->head) {
			/* idle: make what was written visible (tail -f, a crash) */
			pthread_mutex_unlock(&r->lock);
			if (fflush(r->f) == EOF && !r->write_errno)
				r->write_errno = errno;
			pthread_mutex_lock(&r->lock);
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (r->summary) {
		json_object_set_new(r->summary, "events_lost", json_integer((json_int_t)r->lost));
		write_json(r, r->summary);
		r->summary = NULL;
	}
	if (fflush(r->f) == EOF && !r->write_errno)
		r->write_errno = errno;
	return NULL;
}

int recorder_open(struct recorder **out, const char *path, const struct recorder_header *h,
		  struct err *e)
{
	struct recorder *r = calloc(1, sizeof(*r));
	int rc;
	if (!r)
		return err_set(e, ENOMEM, "--events %s", path);
	if (strcmp(path, "-") == 0) {
		r->f = stdout;
	} else {
		r->f = fopen(path, "we");
		if (!r->f) {
			free(r);
			return err_set(e, errno, "--events %s", path);
		}
		r->own_file = true;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	for (int i = 0; i < 64; i++)
		r->cap_names[i] = cap_name(i);
	write_json(r, recorder_header_json(h));
	if (fflush(r->f) == EOF || r->write_errno) {
		err_set(e, r->write_errno ? r->write_errno : errno, "--events %s", path);
		recorder_close(r, NULL, NULL);
		return -1;
	}
	rc = pthread_create(&r->writer, NULL, writer_main, r);
	if (rc != 0) {
		err_set(e, rc, "--events %s: writer thread", path);
		recorder_close(r, NULL, NULL);
		return -1;
	}
	r->writer_started = true;
	*out = r;
	return 0;
}

void recorder_emit(void *data, const struct event *ev)
{
	struct recorder *r = data;
	struct rec *x;
	bool wake;
	pthread_mutex_lock(&r->lock);
	if (r->queued >= REC_QUEUE_MAX) {
		r->lost++;
		pthread_mutex_unlock(&r->lock);
		return;
	}
	r->queued++;
	x = r->free_list;
	if (x) {
		r->free_list = x->next;
		r->nfree--;
	}
	pthread_mutex_unlock(&r->lock);
	if (!x && !(x = calloc(1, sizeof(*x)))) {
		/* out of memory: the event is lost, the tracee is not stopped */
		pthread_mutex_lock(&r->lock);
		r->queued--;
		r->lost++;
		pthread_mutex_unlock(&r->lock);
		return;
	}
	/* out of memory: the event is still recorded, without its strings */
	(void)event_copy(&x->ev, &x->perms, &x->blob, &x->blob_cap, ev);
	x->next = NULL;
	pthread_mutex_lock(&r->lock);
	if (r->tail)
		r->tail->next = x;
	else
		r->head = x;
	r->tail = x;
	if (r->pending++ == 0)
		r->batch_ns = ev->mono_ns;
	wake = r->pending >= REC_WAKE_BATCH;
	if (wake)
		r->pending = 0;
	pthread_mutex_unlock(&r->lock);
	if (wake)
		pthread_cond_signal(&r->cond);
}

int recorder_idle(void *data, int64_t now_ns)
{
	struct recorder *r = data;
	int64_t age;
	bool wake = false;
	int wait = -1;
	pthread_mutex_lock(&r->lock);
	if (r->pending > 0) {
		age = now_ns - r->batch_ns;
		if (age >= (int64_t)REC_FLUSH_MS * 1000000) {
			wake = true;
			r->pending = 0;
		} else {
			wait = (int)(((int64_t)REC_FLUSH_MS * 1000000 - age) / 1000000) + 1;
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (wake)
		pthread_cond_signal(&r->cond);
	return wait;
}

int recorder_close(struct recorder *r, json_t *summary, struct err *e)
{
	int werr;
	if (!r) {
		json_decref(summary);
		return 0;
	}
	pthread_mutex_lock(&r->lock);
	r->closing = true;
	r->summary = summary;
	pthread_mutex_unlock(&r->lock);
	pthread_cond_signal(&r->cond);
	if (r->writer_started)
		pthread_join(r->writer, NULL);
	else
		json_decref(steal_ptr(r->summary));
	if (r->own_file && fclose(r->f) == EOF && !r->write_errno)
		r->write_errno = errno;
	werr = r->write_errno;
	for (struct rec *x = r->free_list, *n; x; x = n) {
		n = x->next;
		free(x->blob);
		free(x);
	}
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	for (int i = 0; i < 64; i++)
		free(r->cap_names[i]);
	free(r->line);
	free(r);
	if (werr)
		return err_set(e, werr, "--events: write");
	return 0;
}
