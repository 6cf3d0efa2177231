#include "replay.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "../common/cleanup.h"

static const struct {
	const char *name;
	enum ev_type type;
} ev_names[] = {
	{ "spawn", EV_SPAWN },	 { "exec", EV_EXEC },	  { "exit", EV_EXIT },
	{ "signal", EV_SIGNAL }, { "stop", EV_STOP },	  { "continue", EV_CONTINUE },
	{ "attach", EV_ATTACH }, { "detach", EV_DETACH }, { "reparent", EV_REPARENT },
	{ "reap", EV_REAP },
};

/* ---- events: copy and free ---- */

void replay_ev_free(struct replay_ev *x)
{
	free(x->perms);
	free(x->blob);
	memset(x, 0, sizeof(*x));
}

/* x->ev.argv/exe/cwd point into one blob owned by x. */
static int set_strings(struct replay_ev *x, const char *argv, size_t argv_len, const char *exe,
		       const char *cwd)
{
	size_t el = exe ? strlen(exe) + 1 : 0, cl = cwd ? strlen(cwd) + 1 : 0;
	char *b;
	x->ev.argv = x->ev.exe = x->ev.cwd = NULL;
	x->ev.argv_len = 0;
	if (!argv && !exe && !cwd)
		return 0;
	b = x->blob = malloc(argv_len + el + cl + 1);
	if (!b)
		return -1;
	if (argv) {
		memcpy(b, argv, argv_len);
		x->ev.argv = b;
		x->ev.argv_len = argv_len;
		b += argv_len;
	}
	if (exe) {
		memcpy(b, exe, el);
		x->ev.exe = b;
		b += el;
	}
	if (cwd) {
		memcpy(b, cwd, cl);
		x->ev.cwd = b;
	}
	return 0;
}

int replay_ev_copy(struct replay_ev *x, const struct event *ev)
{
	memset(x, 0, sizeof(*x));
	x->ev = *ev;
	x->ev.perms = NULL;
	if (ev->perms) {
		x->perms = malloc(sizeof(*x->perms));
		if (!x->perms)
			return -1;
		*x->perms = *ev->perms;
		x->ev.perms = x->perms;
	}
	if (set_strings(x, ev->argv, ev->argv_len, ev->exe, ev->cwd) < 0) {
		replay_ev_free(x);
		return -1;
	}
	return 0;
}

/* ---- parsing (the reverse of recorder.c) ---- */

static int64_t jint(const json_t *o, const char *k, int64_t def)
{
	const json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

static void parse_ids(const json_t *o, uint32_t *ids)
{
	for (int i = 0; i < PROCFS_ID_COUNT; i++) {
		const json_t *v = json_object_get(o, procfs_id_name(i));
		ids[i] = json_is_integer(v) ? (uint32_t)json_integer_value(v) : PROCFS_ID_UNMAPPED;
	}
}

static uint64_t parse_caps(const json_t *a)
{
	uint64_t mask = 0;
	size_t i;
	const json_t *v;
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		char low[64];
		cap_value_t c;
		size_t k;
		if (!s)
			continue;
		if (strncmp(s, "CAP_", 4) == 0 && isdigit((unsigned char)s[4])) {
			long n = strtol(s + 4, NULL, 10);
			if (n >= 0 && n < 64)
				mask |= 1ull << n;
			continue;
		}
		for (k = 0; s[k] && k + 1 < sizeof(low); k++)
			low[k] = (char)tolower((unsigned char)s[k]);
		low[k] = '\0';
		if (cap_from_name(low, &c) == 0 && c >= 0 && c < 64)
			mask |= 1ull << c;
	}
	return mask;
}

static uint64_t rlim_val(const json_t *v)
{
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : PROCFS_RLIM_INFINITY;
}

static void parse_perms(const json_t *o, struct procfs_perms *p)
{
	const json_t *caps = json_object_get(o, "caps"), *sc = json_object_get(o, "seccomp");
	const json_t *ns = json_object_get(o, "ns"), *rl = json_object_get(o, "rlimits");
	const char *mode = json_string_value(json_object_get(sc, "mode"));
	memset(p, 0, sizeof(*p));
	parse_ids(json_object_get(o, "uid"), p->uid);
	parse_ids(json_object_get(o, "gid"), p->gid);
	parse_ids(json_object_get(o, "uid_in_ns"), p->uid_ns);
	parse_ids(json_object_get(o, "gid_in_ns"), p->gid_ns);
	/* absent in recordings made before the maps were recorded: unknown */
	snprintf(p->uid_map, sizeof(p->uid_map), "%s",
		 json_string_value(json_object_get(o, "uid_map")) ?: "");
	snprintf(p->gid_map, sizeof(p->gid_map), "%s",
		 json_string_value(json_object_get(o, "gid_map")) ?: "");
	for (int i = 0; i < PROCFS_CAP_COUNT; i++)
		p->caps[i] = parse_caps(json_object_get(caps, procfs_capset_name(i)));
	p->seccomp = !mode			     ? -1
		     : strcmp(mode, "disabled") == 0 ? 0
		     : strcmp(mode, "strict") == 0   ? 1
						     : 2;
	p->seccomp_filters = (int)jint(sc, "filters", -1);
	p->no_new_privs = json_is_true(json_object_get(o, "no_new_privs"));
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		p->ns[i] = (uint64_t)jint(ns, procfs_ns_name(i), 0);
	snprintf(p->cgroup, sizeof(p->cgroup), "%s",
		 json_string_value(json_object_get(o, "cgroup")) ?: "");
	p->has_rlimits = json_is_object(rl);
	for (int i = 0; p->has_rlimits && i < PROCFS_RL_COUNT; i++) {
		const json_t *pair = json_object_get(rl, procfs_rlimit_name(i));
		p->rlim_cur[i] = rlim_val(json_array_get(pair, 0));
		p->rlim_max[i] = rlim_val(json_array_get(pair, 1));
	}
}

/* argv array -> NUL-separated blob (malloc'd). */
static char *parse_argv(const json_t *a, size_t *len)
{
	size_t n = 0, i;
	const json_t *v;
	char *b, *o;
	json_array_foreach(a, i, v)
		n += json_string_length(v) + 1;
	b = o = malloc(n ? n : 1);
	if (!b)
		return NULL;
	json_array_foreach(a, i, v) {
		size_t l = json_string_length(v);
		memcpy(o, json_string_value(v) ?: "", l);
		o[l] = '\0';
		o += l + 1;
	}
	*len = n;
	return b;
}

static int parse_type(const char *s, enum ev_type *t)
{
	for (size_t i = 0; s && i < sizeof(ev_names) / sizeof(ev_names[0]); i++)
		if (strcmp(ev_names[i].name, s) == 0) {
			*t = ev_names[i].type;
			return 0;
		}
	return -1;
}

int replay_parse_event(const json_t *o, struct replay_ev *x, struct err *e)
{
	const char *type = json_string_value(json_object_get(o, "type"));
	const json_t *argv = json_object_get(o, "argv"), *perms = json_object_get(o, "perms");
	const char *inj;
	_cleanup_free_ char *blob = NULL;
	size_t len = 0;
	memset(x, 0, sizeof(*x));
	if (parse_type(type, &x->ev.type) < 0)
		return err_setx(e, "unknown event type \"%s\"", type ? type : "(none)");
	x->ev.mono_ns = jint(o, "mono_ns", 0);
	x->ev.id = (uint64_t)jint(o, "id", 0);
	x->ev.pid = (pid_t)jint(o, "pid", 0);
	x->ev.nspid = (pid_t)jint(o, "nspid", 0);
	x->ev.ppid = (pid_t)jint(o, "ppid", 0);
	x->ev.tid = (pid_t)jint(o, "tid", x->ev.pid);
	x->ev.old_tid = (pid_t)jint(o, "old_tid", x->ev.pid);
	x->ev.nthreads = (int)jint(o, "threads", 0);
	x->ev.thread = json_is_true(json_object_get(o, "thread"));
	x->ev.exit_code = (int)jint(o, "exit_code", 0);
	x->ev.sig = (int)jint(o, "signal", 0);
	x->ev.core = json_is_true(json_object_get(o, "core"));
	x->ev.perms_inherited = json_is_true(json_object_get(o, "perms_inherited"));
	x->ev.perms_unchanged = json_is_true(json_object_get(o, "perms_unchanged"));
	inj = json_string_value(json_object_get(o, "injected"));
	x->ev.injected = !inj ? PINJ_NONE : strcmp(inj, "join") == 0 ? PINJ_JOIN : PINJ_HIJACK;
	x->ev.inject_of = (pid_t)jint(o, "inject_of", 0);
	if (x->ev.pid <= 0)
		return err_setx(e, "%s event without a pid", type);
	if (json_is_array(argv) && !(blob = parse_argv(argv, &len)))
		return err_set(e, ENOMEM, "argv");
	if (set_strings(x, blob, len, json_string_value(json_object_get(o, "exe")),
			json_string_value(json_object_get(o, "cwd"))) < 0)
		return err_set(e, ENOMEM, "event");
	if (json_is_object(perms)) {
		x->perms = malloc(sizeof(*x->perms));
		if (!x->perms) {
			replay_ev_free(x);
			return err_set(e, ENOMEM, "perms");
		}
		parse_perms(perms, x->perms);
		x->ev.perms = x->perms;
	}
	return 0;
}

/* ---- applying ---- */

static char *dup_mem(const char *s, size_t n)
{
	char *d = malloc(n ? n : 1);
	if (d && n)
		memcpy(d, s, n);
	return d;
}

/* Copies of ev's argv, exe and cwd (each NULL when ev has none); -1 on ENOMEM (none kept). */
static int dup_command(const struct event *ev, char **argv, char **exe, char **cwd)
{
	*argv = ev->argv ? dup_mem(ev->argv, ev->argv_len) : NULL;
	*exe = ev->exe ? strdup(ev->exe) : NULL;
	*cwd = ev->cwd ? strdup(ev->cwd) : NULL;
	if ((ev->argv && !*argv) || (ev->exe && !*exe) || (ev->cwd && !*cwd)) {
		free(*argv);
		free(*exe);
		free(*cwd);
		return -1;
	}
	return 0;
}

/* Give p the command of ev (a spawn inherits its parent's; an attach sees the running one). */
static int set_command(struct proc *p, const struct event *ev)
{
	char *argv, *exe, *cwd;
	if (dup_command(ev, &argv, &exe, &cwd) < 0)
		return -1;
	free(p->argv);
	free(p->exe);
	free(p->cwd);
	p->argv = argv;
	p->argv_len = argv ? ev->argv_len : 0;
	p->exe = exe;
	p->cwd = cwd;
	return 0;
}

static int apply_spawn(struct model *m, const struct event *ev, struct proc **out, struct err *e)
{
	struct proc *p;
	if (ev->thread) {
		p = model_find(m, ev->pid);
		if (p) {
			p->nthreads = ev->nthreads > 0 ? ev->nthreads : p->nthreads + 1;
			m->stats.threads++;
		}
		*out = p;
		return 0;
	}
	/* the recorded id stands for the start time: unique per process of the run */
	p = model_add(m, ev->pid, ev->id, ev->ppid, ev->nspid, ev->mono_ns, e);
	if (!p)
		return -1;
	if (set_command(p, ev) < 0)
		return err_set(e, ENOMEM, "process %d", (int)ev->pid);
	if (ev->perms) {
		model_set_perms(m, p, ev->perms);
	} else if (ev->perms_inherited && p->parent && p->parent->has_perms) {
		/* recorded as "the parent's, as of this event" (docs/events.md) */
		struct procfs_perms copy = p->parent->perms;
		model_set_perms(m, p, &copy);
	}
	if (ev->nthreads > 0)
		p->nthreads = ev->nthreads;
	p->injected = (enum proc_inject)ev->injected;
	p->mirrors = ev->inject_of;
	*out = p;
	return 0;
}

static int apply_exec(struct model *m, struct proc *p, const struct event *ev, struct err *e)
{
	char *argv, *exe, *cwd;
	if (dup_command(ev, &argv, &exe, &cwd) < 0)
		return err_set(e, ENOMEM, "process %d", (int)ev->pid);
	model_exec(m, p, argv, argv ? ev->argv_len : 0, exe, cwd);
	if (ev->perms) {
		model_set_perms(m, p, ev->perms);
	} else if (ev->perms_unchanged && p->has_perms) {
		/* the same snapshot again: the differences from the parent are recomputed, as
		 * the tracer does */
		struct procfs_perms copy = p->perms;
		model_set_perms(m, p, &copy);
	}
	if (ev->injected != PINJ_NONE) {
		p->injected = (enum proc_inject)ev->injected;
		p->mirrors = ev->inject_of;
	}
	return 0;
}

static void apply_exit(struct model *m, struct proc *p, const struct event *ev)
{
	if (ev->thread) {
		if (p->nthreads > 1)
			p->nthreads--;
		return;
	}
	/* only the tree's root is reaped by forktop itself; others stay zombies until their
	 * parent reaps them (a "reap" event) */
	model_exit(m, p, ev->exit_code, ev->sig, ev->core, ev->mono_ns, p->parent == NULL);
}

int replay_apply(struct model *m, const struct event *ev, struct proc **out, struct err *e)
{
	struct proc *p = NULL;
	if (out)
		*out = NULL;
	if (ev->type == EV_SPAWN || ev->type == EV_ATTACH)
		return apply_spawn(m, ev, out ? out : &p, e);
	p = model_find(m, ev->pid);
	if (!p)
		return 0;
	if (out)
		*out = p;
	switch (ev->type) {
	case EV_SPAWN:
	case EV_ATTACH:
		break;
	case EV_EXEC:
		return apply_exec(m, p, ev, e);
	case EV_EXIT:
		apply_exit(m, p, ev);
		break;
	case EV_STOP:
		if (p->state == PROC_RUNNING)
			model_set_state(p, PROC_STOPPED);
		break;
	case EV_CONTINUE:
		if (p->state == PROC_STOPPED)
			model_set_state(p, PROC_RUNNING);
		break;
	case EV_REPARENT:
		model_reparent(m, p, ev->ppid);
		break;
	case EV_REAP:
		model_reaped(m, p);
		break;
	case EV_SIGNAL:
	case EV_DETACH:
		break;
	}
	return 0;
}

/* ---- the file ---- */

static int push_event(struct replay *r, const json_t *o, struct err *e)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 1024;
		struct replay_ev *nv = realloc(r->evs, nc * sizeof(*nv));
		if (!nv)
			return err_set(e, ENOMEM, "events");
		r->evs = nv;
		r->cap = nc;
	}
	if (replay_parse_event(o, &r->evs[r->n], e) < 0)
		return -1;
	r->n++;
	return 0;
}

static int read_line(struct replay *r, const char *line, size_t lineno, struct err *e)
{
	json_error_t je;
	json_t *o = json_loads(line, 0, &je);
	const char *type;
	int rc = 0;
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return err_setx(e, "line %zu: not a JSON object: %s", lineno, o ? "" : je.text);
	}
	type = json_string_value(json_object_get(o, "type"));
	if (type && strcmp(type, "header") == 0) {
		if (lineno != 1 || r->header) {
			json_decref(o);
			return err_setx(e, "line %zu: header not on the first line", lineno);
		}
		r->header = o;
		return 0;
	}
	if (!r->header) {
		json_decref(o);
		return err_setx(e, "line 1: not a forktop events header");
	}
	if (type && strcmp(type, "summary") == 0) {
		json_decref(r->summary);
		r->summary = o;
		return 0;
	}
	if (push_event(r, o, e) < 0)
		rc = err_prefix(e, "line %zu", lineno);
	json_decref(o);
	return rc;
}

static int check_header(const json_t *h, struct err *e)
{
	const char *fmt = json_string_value(json_object_get(h, "format"));
	json_int_t v = json_integer_value(json_object_get(h, "version"));
	if (!fmt || strcmp(fmt, "forktop-events") != 0)
		return err_setx(e, "line 1: format is not forktop-events");
	if (v != 1)
		return err_setx(e, "line 1: format version %lld not supported (1 is)",
				(long long)v);
	return 0;
}

int replay_open(struct replay *r, const char *opt, const char *path, size_t keep_exited,
		struct err *e)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	FILE *in = stdin;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	memset(r, 0, sizeof(*r));
	r->keep_exited = keep_exited;
	if (strcmp(path, "-") != 0) {
		f = fopen(path, "re");
		if (!f)
			return err_set(e, errno, "%s %s", opt, path);
		in = f;
	}
	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (n == 0 || line[0] == '\n')
			continue;
		if (read_line(r, line, lineno, e) < 0)
			goto fail;
	}
	if (!r->header) {
		err_setx(e, "empty file");
		goto fail;
	}
	if (check_header(r->header, e) < 0)
		goto fail;
	r->t0 = jint(r->header, "mono_ns", r->n ? r->evs[0].ev.mono_ns : 0);
	if (model_init(&r->model, keep_exited, e) < 0)
		goto fail;
	return 0;
fail:
	err_prefix(e, "%s %s", opt, path);
	replay_close(r);
	return -1;
}

void replay_close(struct replay *r)
{
	for (size_t i = 0; i < r->n; i++)
		replay_ev_free(&r->evs[i]);
	free(r->evs);
	json_decref(r->header);
	json_decref(r->summary);
	if (r->model.buckets)
		model_destroy(&r->model);
	memset(r, 0, sizeof(*r));
}

int replay_seek(struct replay *r, size_t pos, struct err *e)
{
	if (pos > r->n)
		pos = r->n;
	if (pos < r->pos) {
		model_destroy(&r->model);
		if (model_init(&r->model, r->keep_exited, e) < 0)
			return -1;
		r->pos = 0;
	}
	for (; r->pos < pos; r->pos++)
		if (replay_apply(&r->model, &r->evs[r->pos].ev, NULL, e) < 0)
			return -1;
	return 0;
}

size_t replay_pos_at(const struct replay *r, int64_t rel_ns)
{
	size_t lo = 0, hi = r->n;
	int64_t t = r->t0 + rel_ns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->evs[mid].ev.mono_ns <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int64_t replay_now(const struct replay *r)
{
	return r->pos ? r->evs[r->pos - 1].ev.mono_ns : r->t0;
}

void replay_sandbox_text(const json_t *header, char *buf, size_t size)
{
	const json_t *sb = json_object_get(header, "sandbox"),
		     *ns = json_object_get(sb, "namespaces");
	const char *prof = json_string_value(json_object_get(sb, "profile"));
	const char *k;
	json_t *v;
	size_t o = 0;
	if (!json_is_object(sb)) {
		snprintf(buf, size, "none");
		return;
	}
	/* the profile first: the header is cut at the screen's width */
	buf[0] = '\0';
	if (prof)
		o = (size_t)snprintf(buf, size, "%s: ", prof);
	json_object_foreach((json_t *)(uintptr_t)ns, k, v) {
		if (json_is_true(v) && o + 1 < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
					      o && buf[o - 1] != ' ' ? "," : "", k);
	}
	if (o == 0 || buf[o - 1] == ' ')
		snprintf(buf + o, size - o, "no namespaces");
}
