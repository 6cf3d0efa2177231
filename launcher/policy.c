/* JSON policy files (jansson). One table row per top-level key, used both to load and to dump,
 * so the two cannot drift apart; one row per op type for "ops".
 *
 * Loading: every key is checked (unknown keys rejected) before anything is applied; then
 * "version" (required, 1), then "profile" (applied first, wherever it appears in the file),
 * then the other keys in table order. Values are appended to / override what the spec already
 * holds, exactly as the equivalent options at the position of --policy would. Cross-option
 * rules (--uid needs a user namespace...) are checked by options_parse once all options and
 * policies are in.
 *
 * Dumping: the expanded spec. A profile's ops are part of "ops", so the dump names the profile
 * with "profile-expanded": true, which tells the loader to record the name without applying
 * it again: `--print-policy` output loaded with --policy prints back identically. */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <seccomp.h>
#include <sys/capability.h>

#include "../common/cleanup.h"
#include "profile.h"
#include "net.h"
#include "rlimits.h"

#define POLICY_VERSION 1
#define JPATH_LEN 256
/* same bound as --size */
#define POLICY_MAX_TMPFS_BYTES ((json_int_t)(SIZE_MAX >> 1))

struct pol {
	const char *file;
	struct sandbox_spec *s;
	struct err *e;
};

static void json_decref_p(json_t **j)
{
	json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_decref_p)

/* "FILE: PATH: MSG" (with ": strerror" when code > 0) */
static int __attribute__((format(printf, 4, 5)))
perr(const struct pol *p, int code, const char *jpath, const char *fmt, ...)
{
	char msg[JPATH_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (code > 0)
		return err_set(p->e, code, "%s: %s: %s", p->file, jpath, msg);
	return err_setx(p->e, "%s: %s: %s", p->file, jpath, msg);
}

/* Build a JSON path like "ops[3].dest" (truncated when absurdly long). */
static void __attribute__((format(printf, 2, 3))) jpath_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, JPATH_LEN, fmt, ap);
	va_end(ap);
}

/* ---- typed getters ---- */

static int get_str(const struct pol *p, json_t *v, const char *jpath, const char **out)
{
	/* -1 spelled out: the analyzer does not look into variadic perr() and would take *out
	 * as possibly unset (NULL) in every caller */
	if (!json_is_string(v)) {
		perr(p, 0, jpath, "expected a string");
		return -1;
	}
	/* no NUL inside: jansson rejects \u0000 unless JSON_ALLOW_NUL is given */
	*out = json_string_value(v);
	return 0;
}

static int get_path(const struct pol *p, json_t *v, const char *jpath, const char **out)
{
	if (get_str(p, v, jpath, out) < 0)
		return -1;
	if (!**out)
		return perr(p, 0, jpath, "empty path");
	return 0;
}

static int get_bool(const struct pol *p, json_t *v, const char *jpath, bool *out)
{
	if (!json_is_boolean(v))
		return perr(p, 0, jpath, "expected a boolean");
	*out = json_is_true(v);
	return 0;
}

static int get_int(const struct pol *p, json_t *v, const char *jpath, json_int_t max,
		   json_int_t *out)
{
	if (!json_is_integer(v))
		return perr(p, 0, jpath, "expected an integer");
	*out = json_integer_value(v);
	if (*out < 0 || *out > max)
		return perr(p, 0, jpath, "%lld: out of range", (long long)*out);
	return 0;
}

static int get_fd(const struct pol *p, json_t *v, const char *jpath, int *out)
{
	json_int_t n = 0;
	if (get_int(p, v, jpath, INT_MAX, &n) < 0)
		return -1;
	if (fcntl((int)n, F_GETFD) < 0)
		return perr(p, errno, jpath, "%d", (int)n);
	*out = (int)n;
	return 0;
}

static int get_perms(const struct pol *p, json_t *v, const char *jpath, mode_t *out)
{
	const char *str = NULL;
	if (get_str(p, v, jpath, &str) < 0)
		return -1;
	if (spec_parse_mode(str, out) < 0)
		return perr(p, 0, jpath, "%s: not an octal mode", str);
	return 0;
}

static int get_array(const struct pol *p, json_t *v, const char *jpath)
{
	return json_is_array(v) ? 0 : perr(p, 0, jpath, "expected an array");
}

static int get_object(const struct pol *p, json_t *v, const char *jpath)
{
	return json_is_object(v) ? 0 : perr(p, 0, jpath, "expected an object");
}

static int set_str(char **field, const char *v, struct err *e)
{
	char *dup = strdup(v);
	if (!dup)
		return err_set(e, ENOMEM, "out of memory");
	free(*field);
	*field = dup;
	return 0;
}

/* ---- dump helpers ---- */

static int put(json_t *obj, const char *key, json_t *v, struct err *e)
{
	/* json_string() is NULL for text that is not UTF-8: JSON cannot carry it */
	if (!v)
		return err_setx(e, "--print-policy: %s: cannot be written as JSON (not UTF-8?)",
				key);
	if (json_object_set_new(obj, key, v) < 0)
		return err_set(e, ENOMEM, "--print-policy: %s", key);
	return 0;
}

static int append(json_t *arr, json_t *v, const char *key, struct err *e)
{
	if (!v)
		return err_setx(e, "--print-policy: %s: cannot be written as JSON (not UTF-8?)",
				key);
	if (json_array_append_new(arr, v) < 0)
		return err_set(e, ENOMEM, "--print-policy: %s", key);
	return 0;
}

static json_t *str_array(char *const *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		json_t *s = json_string(v[i]);
		if (!s || json_array_append_new(arr, s) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *int_array(const int *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		if (json_array_append_new(arr, json_integer(v[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* ---- capabilities ---- */

static json_t *cap_json(int cap)
{
	char *name;
	json_t *j;
	if (cap < 0)
		return json_string("ALL");
	name = cap_to_name((cap_value_t)cap);
	if (!name)
		return NULL;
	for (char *q = name; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 32);
	j = json_string(name);
	cap_free(name);
	return j;
}

/* ---- namespaces ---- */

static const struct {
	const char *key;
	unsigned long bit; /* CLONE_NEW*, or 0 for a bool field */
	size_t off;	   /* the bool field when bit == 0 */
} ns_keys[] = {
	{ "user", CLONE_NEWUSER, 0 },
	{ "user-try", 0, offsetof(struct sandbox_spec, userns_try) },
	{ "pid", CLONE_NEWPID, 0 },
	{ "net", CLONE_NEWNET, 0 },
	{ "ipc", CLONE_NEWIPC, 0 },
	{ "uts", CLONE_NEWUTS, 0 },
	{ "cgroup", CLONE_NEWCGROUP, 0 },
	{ "cgroup-try", 0, offsetof(struct sandbox_spec, cgroup_try) },
};

static int load_namespaces(const struct pol *p, json_t *v, const char *key)
{
	const char *k;
	json_t *val;
	if (get_object(p, v, key) < 0)
		return -1;
	json_object_foreach(v, k, val) {
		char jpath[JPATH_LEN];
		size_t i;
		bool on = false;
		jpath_fmt(jpath, "%s.%s", key, k);
		for (i = 0; i < ARRAY_SIZE(ns_keys) && strcmp(ns_keys[i].key, k) != 0; i++)
			;
		if (i == ARRAY_SIZE(ns_keys))
			return perr(p, 0, jpath, "unknown key");
		if (get_bool(p, val, jpath, &on) < 0)
			return -1;
		if (ns_keys[i].bit && on)
			p->s->ns |= ns_keys[i].bit;
		else if (ns_keys[i].bit)
			p->s->ns &= ~ns_keys[i].bit;
		else
			*(bool *)((char *)p->s + ns_keys[i].off) = on;
	}
	return 0;
}

static int dump_namespaces(const struct sandbox_spec *s, json_t *root, const char *key,
			   struct err *e)
{
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < ARRAY_SIZE(ns_keys); i++) {
		bool on = ns_keys[i].bit ? (s->ns & ns_keys[i].bit) != 0
					 : *(const bool *)((const char *)s + ns_keys[i].off);
		if (json_object_set_new(obj, ns_keys[i].key, json_boolean(on)) < 0) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return put(root, key, obj, e);
}

/* ---- uid / gid ---- */

static int load_id(const struct pol *p, json_t *v, const char *key)
{
	json_int_t n = 0;
	/* (uid_t)-1 means "unchanged" to the kernel */
	if (get_int(p, v, key, (json_int_t)UINT32_MAX - 1, &n) < 0)
		return -1;
	if (key[0] == 'u') {
		p->s->has_uid = true;
		p->s->uid = (uid_t)n;
	} else {
		p->s->has_gid = true;
		p->s->gid = (gid_t)n;
	}
	return 0;
}

static int dump_id(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	if (key[0] == 'u')
		return s->has_uid ? put(root, key, json_integer(s->uid), e) : 0;
	return s->has_gid ? put(root, key, json_integer(s->gid), e) : 0;
}

/* ---- environment ---- */

static int load_clearenv(const struct pol *p, json_t *v, const char *key)
{
	bool on = false;
	if (get_bool(p, v, key, &on) < 0)
		return -1;
	/* like --clearenv: what was set before it is gone */
	if (on) {
		for (size_t i = 0; i < p->s->n_env; i++) {
			free(p->s->env[i].name);
			free(p->s->env[i].value);
		}
		p->s->n_env = 0;
	}
	p->s->clearenv = on;
	return 0;
}

static int load_env_entry(const struct pol *p, json_t *v, const char *jpath)
{
	const char *k, *name = NULL, *value = NULL;
	json_t *val;
	bool set = false;
	if (get_object(p, v, jpath) < 0)
		return -1;
	json_object_foreach(v, k, val) {
		char sub[JPATH_LEN];
		jpath_fmt(sub, "%s.%s", jpath, k);
		if (strcmp(k, "set") == 0 || strcmp(k, "unset") == 0) {
			if (name)
				return perr(p, 0, sub,
					    "only one of \"set\" and \"unset\" is allowed");
			set = k[0] == 's';
			if (get_str(p, val, sub, &name) < 0)
				return -1;
			if (!name[0] || strchr(name, '='))
				return perr(p, 0, sub, "%s: invalid variable name", name);
		} else if (strcmp(k, "value") == 0) {
			if (get_str(p, val, sub, &value) < 0)
				return -1;
		} else {
			return perr(p, 0, sub, "unknown key");
		}
	}
	if (!name)
		return perr(p, 0, jpath, "expected \"set\" or \"unset\"");
	if (set && !value) {
		char sub[JPATH_LEN];
		jpath_fmt(sub, "%s.value", jpath);
		return perr(p, 0, sub, "missing");
	}
	if (!set && value) {
		char sub[JPATH_LEN];
		jpath_fmt(sub, "%s.value", jpath);
		return perr(p, 0, sub, "not valid with \"unset\"");
	}
	return spec_add_env(p->s, set ? ENV_SET : ENV_UNSET, name, value, p->e);
}

/* Every element of the array `key` through `entry`, each named "key[i]" in messages. */
static int load_each(const struct pol *p, json_t *v, const char *key,
		     int (*entry)(const struct pol *p, json_t *v, const char *jpath))
{
	size_t i;
	json_t *item;
	if (get_array(p, v, key) < 0)
		return -1;
	json_array_foreach(v, i, item) {
		char jpath[JPATH_LEN];
		jpath_fmt(jpath, "%s[%zu]", key, i);
		if (entry(p, item, jpath) < 0)
			return -1;
	}
	return 0;
}

static int load_env(const struct pol *p, json_t *v, const char *key)
{
	return load_each(p, v, key, load_env_entry);
}

static int dump_env(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	json_t *arr;
	if (!s->n_env)
		return 0;
	arr = json_array();
	if (put(root, key, arr, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_env; i++) {
		const struct env_op *v = &s->env[i];
		json_t *o = json_object();
		if (append(arr, o, key, e) < 0)
			return -1;
		switch (v->type) {
		case ENV_SET:
			if (put(o, "set", json_string(v->name), e) < 0 ||
			    put(o, "value", json_string(v->value), e) < 0)
				return -1;
			break;
		case ENV_UNSET:
			if (put(o, "unset", json_string(v->name), e) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* ---- ops ---- */

enum op_key {
	OK_TYPE = 1u << 0,
	OK_TRY = 1u << 1,
	OK_SRC = 1u << 2,
	OK_DEST = 1u << 3,
	OK_FD = 1u << 4,
	OK_PERMS = 1u << 5,
	OK_SIZE = 1u << 6,
	OK_SOURCES = 1u << 7,
	OK_RWSRC = 1u << 8,
	OK_WORKDIR = 1u << 9,
};

static const struct {
	const char *name;
	unsigned bit;
} op_keys[] = {
	{ "type", OK_TYPE },	   { "try", OK_TRY },	      { "src", OK_SRC },
	{ "dest", OK_DEST },	   { "fd", OK_FD },	      { "perms", OK_PERMS },
	{ "size", OK_SIZE },	   { "sources", OK_SOURCES }, { "rwsrc", OK_RWSRC },
	{ "workdir", OK_WORKDIR },
};

struct op_kind {
	const char *name; /* "type" in JSON */
	enum op_type type;
	unsigned flags;			 /* OPF_RO / OPF_DEV */
	const char *option, *option_try; /* for messages from the mount code */
	unsigned allowed, required;	 /* OK_* */
	size_t min_sources;
};

static const struct op_kind op_kinds[] = {
	{ "bind", OP_BIND, 0, "--bind", "--bind-try", OK_SRC | OK_DEST | OK_TRY, OK_SRC | OK_DEST,
	  0 },
	{ "ro-bind", OP_BIND, OPF_RO, "--ro-bind", "--ro-bind-try", OK_SRC | OK_DEST | OK_TRY,
	  OK_SRC | OK_DEST, 0 },
	{ "dev-bind", OP_BIND, OPF_DEV, "--dev-bind", "--dev-bind-try", OK_SRC | OK_DEST | OK_TRY,
	  OK_SRC | OK_DEST, 0 },
	{ "bind-fd", OP_BIND_FD, 0, "--bind-fd", NULL, OK_FD | OK_DEST, OK_FD | OK_DEST, 0 },
	{ "ro-bind-fd", OP_BIND_FD, OPF_RO, "--ro-bind-fd", NULL, OK_FD | OK_DEST, OK_FD | OK_DEST,
	  0 },
	{ "remount-ro", OP_REMOUNT_RO, 0, "--remount-ro", NULL, OK_DEST, OK_DEST, 0 },
	{ "overlay", OP_OVERLAY, 0, "--overlay", NULL, OK_SOURCES | OK_RWSRC | OK_WORKDIR | OK_DEST,
	  OK_SOURCES | OK_RWSRC | OK_WORKDIR | OK_DEST, 1 },
	{ "tmp-overlay", OP_TMP_OVERLAY, 0, "--tmp-overlay", NULL, OK_SOURCES | OK_DEST,
	  OK_SOURCES | OK_DEST, 1 },
	{ "ro-overlay", OP_RO_OVERLAY, OPF_RO, "--ro-overlay", NULL, OK_SOURCES | OK_DEST,
	  OK_SOURCES | OK_DEST, 2 },
	{ "proc", OP_PROC, 0, "--proc", NULL, OK_DEST, OK_DEST, 0 },
	{ "dev", OP_DEV, 0, "--dev", NULL, OK_DEST, OK_DEST, 0 },
	{ "tmpfs", OP_TMPFS, 0, "--tmpfs", NULL, OK_DEST | OK_PERMS | OK_SIZE, OK_DEST, 0 },
	{ "mqueue", OP_MQUEUE, 0, "--mqueue", NULL, OK_DEST, OK_DEST, 0 },
	{ "dir", OP_DIR, 0, "--dir", NULL, OK_DEST | OK_PERMS, OK_DEST, 0 },
	{ "file", OP_FILE, 0, "--file", NULL, OK_FD | OK_DEST | OK_PERMS, OK_FD | OK_DEST, 0 },
	{ "bind-data", OP_BIND_DATA, 0, "--bind-data", NULL, OK_FD | OK_DEST | OK_PERMS,
	  OK_FD | OK_DEST, 0 },
	{ "ro-bind-data", OP_BIND_DATA, OPF_RO, "--ro-bind-data", NULL, OK_FD | OK_DEST | OK_PERMS,
	  OK_FD | OK_DEST, 0 },
	{ "symlink", OP_SYMLINK, 0, "--symlink", NULL, OK_SRC | OK_DEST, OK_SRC | OK_DEST, 0 },
	{ "chmod", OP_CHMOD, 0, "--chmod", NULL, OK_PERMS | OK_DEST, OK_PERMS | OK_DEST, 0 },
};

static const struct op_kind *op_kind_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(op_kinds); i++)
		if (strcmp(op_kinds[i].name, name) == 0)
			return &op_kinds[i];
	return NULL;
}

static const struct op_kind *op_kind_of(const struct op *o)
{
	const struct op_kind *any = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(op_kinds); i++) {
		if (op_kinds[i].type != o->type)
			continue;
		if (op_kinds[i].flags == (o->flags & (OPF_RO | OPF_DEV)))
			return &op_kinds[i];
		if (!any)
			any = &op_kinds[i];
	}
	return any;
}

static const char *op_key_name(unsigned bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(op_keys); i++)
		if (op_keys[i].bit == bit)
			return op_keys[i].name;
	return "?";
}

/* Check the op's keys against its kind; returns the kind. */
static const struct op_kind *op_check_keys(const struct pol *p, json_t *v, const char *jpath)
{
	const struct op_kind *kind;
	const char *k, *type = NULL;
	json_t *val;
	char sub[JPATH_LEN];
	unsigned seen = 0;

	jpath_fmt(sub, "%s.type", jpath);
	if (!json_object_get(v, "type")) {
		perr(p, 0, sub, "missing");
		return NULL;
	}
	if (get_str(p, json_object_get(v, "type"), sub, &type) < 0)
		return NULL;
	kind = op_kind_find(type);
	if (!kind) {
		perr(p, 0, sub, "%s: unknown op type", type);
		return NULL;
	}
	json_object_foreach(v, k, val) {
		size_t i;
		jpath_fmt(sub, "%s.%s", jpath, k);
		for (i = 0; i < ARRAY_SIZE(op_keys) && strcmp(op_keys[i].name, k) != 0; i++)
			;
		if (i == ARRAY_SIZE(op_keys)) {
			perr(p, 0, sub, "unknown key");
			return NULL;
		}
		if (op_keys[i].bit != OK_TYPE && !(kind->allowed & op_keys[i].bit)) {
			perr(p, 0, sub, "not valid for a %s op", kind->name);
			return NULL;
		}
		seen |= op_keys[i].bit;
	}
	for (unsigned bit = 1; bit <= OK_WORKDIR; bit <<= 1) {
		if ((kind->required & bit) && !(seen & bit)) {
			jpath_fmt(sub, "%s.%s", jpath, op_key_name(bit));
			perr(p, 0, sub, "missing");
			return NULL;
		}
	}
	return kind;
}

static int op_load_sources(const struct pol *p, json_t *v, const char *jpath,
			   const struct op_kind *kind, struct op *o)
{
	size_t i;
	json_t *item;
	if (get_array(p, v, jpath) < 0)
		return -1;
	if (json_array_size(v) < kind->min_sources)
		return perr(p, 0, jpath, "a %s op needs at least %zu", kind->name,
			    kind->min_sources);
	json_array_foreach(v, i, item) {
		char sub[JPATH_LEN];
		const char *path = NULL;
		jpath_fmt(sub, "%s[%zu]", jpath, i);
		if (get_path(p, item, sub, &path) < 0 ||
		    spec_add_str(&o->overlay_srcs, &o->n_overlay_srcs, path, p->e) < 0)
			return -1;
	}
	return 0;
}

static int op_load_field(const struct pol *p, json_t *v, const char *k, const char *sub,
			 const struct op_kind *kind, struct op *o)
{
	const char *str = NULL;
	json_int_t n = 0;
	bool on = false;
	char **field = NULL;

	if (strcmp(k, "type") == 0)
		return 0;
	if (strcmp(k, "try") == 0) {
		if (get_bool(p, v, sub, &on) < 0)
			return -1;
		o->flags = on ? (o->flags | OPF_TRY) : (o->flags & ~(unsigned)OPF_TRY);
		o->option = on ? kind->option_try : kind->option;
		return 0;
	}
	if (strcmp(k, "fd") == 0)
		return get_fd(p, v, sub, &o->fd);
	if (strcmp(k, "perms") == 0) {
		o->flags |= OPF_PERMS;
		return get_perms(p, v, sub, &o->perms);
	}
	if (strcmp(k, "size") == 0) {
		if (get_int(p, v, sub, POLICY_MAX_TMPFS_BYTES, &n) < 0)
			return -1;
		if (n == 0)
			return perr(p, 0, sub, "must be a non-zero number of bytes");
		o->flags |= OPF_SIZE;
		o->size = (uint64_t)n;
		return 0;
	}
	if (strcmp(k, "sources") == 0)
		return op_load_sources(p, v, sub, kind, o);
	if (strcmp(k, "dest") == 0) {
		if (get_path(p, v, sub, &str) < 0)
			return -1;
		free(o->dest);
		o->dest = spec_dest_dup(str);
		return o->dest ? 0 : err_set(p->e, ENOMEM, "out of memory");
	}
	field = strcmp(k, "workdir") == 0 ? &o->workdir : &o->src; /* src, rwsrc */
	if (get_path(p, v, sub, &str) < 0)
		return -1;
	return set_str(field, str, p->e);
}

static int load_op(const struct pol *p, json_t *v, const char *jpath)
{
	const struct op_kind *kind;
	struct op *o;
	const char *k;
	json_t *val;

	if (get_object(p, v, jpath) < 0)
		return -1;
	kind = op_check_keys(p, v, jpath);
	if (!kind)
		return -1;
	o = spec_add_op(p->s, kind->type, kind->option, p->e);
	if (!o)
		return -1;
	o->flags = kind->flags;
	json_object_foreach(v, k, val) {
		char sub[JPATH_LEN];
		jpath_fmt(sub, "%s.%s", jpath, k);
		if (op_load_field(p, val, k, sub, kind, o) < 0)
			return -1;
	}
	return 0;
}

static int load_ops(const struct pol *p, json_t *v, const char *key)
{
	return load_each(p, v, key, load_op);
}

static int dump_op(const struct op *o, json_t *obj, struct err *e)
{
	const struct op_kind *kind = op_kind_of(o);
	char perms[16];
	if (!kind)
		return err_setx(e, "--print-policy: op %d has no JSON form", (int)o->type);
	if (put(obj, "type", json_string(kind->name), e) < 0)
		return -1;
	if ((kind->allowed & OK_SOURCES) &&
	    put(obj, "sources", str_array(o->overlay_srcs, o->n_overlay_srcs), e) < 0)
		return -1;
	if ((kind->allowed & (OK_SRC | OK_RWSRC)) && o->src &&
	    put(obj, (kind->allowed & OK_RWSRC) ? "rwsrc" : "src", json_string(o->src), e) < 0)
		return -1;
	if ((kind->allowed & OK_WORKDIR) && o->workdir &&
	    put(obj, "workdir", json_string(o->workdir), e) < 0)
		return -1;
	if ((kind->allowed & OK_FD) && put(obj, "fd", json_integer(o->fd), e) < 0)
		return -1;
	if (o->dest && put(obj, "dest", json_string(o->dest), e) < 0)
		return -1;
	snprintf(perms, sizeof(perms), "%04o", (unsigned)o->perms);
	if ((o->flags & OPF_PERMS) && put(obj, "perms", json_string(perms), e) < 0)
		return -1;
	if ((o->flags & OPF_SIZE) && put(obj, "size", json_integer((json_int_t)o->size), e) < 0)
		return -1;
	if ((o->flags & OPF_TRY) && put(obj, "try", json_true(), e) < 0)
		return -1;
	return 0;
}

static int dump_ops(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	json_t *arr = json_array();
	if (put(root, key, arr, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_ops; i++) {
		json_t *obj = json_object();
		if (append(arr, obj, key, e) < 0 || dump_op(&s->ops[i], obj, e) < 0)
			return -1;
	}
	return 0;
}

/* ---- arrays of fds, strings, caps; the command ---- */

static int load_fds(const struct pol *p, json_t *v, const char *key, int **arr, size_t *n)
{
	size_t i;
	json_t *item;
	if (get_array(p, v, key) < 0)
		return -1;
	json_array_foreach(v, i, item) {
		char jpath[JPATH_LEN];
		int fd = -1;
		jpath_fmt(jpath, "%s[%zu]", key, i);
		if (get_fd(p, item, jpath, &fd) < 0 || spec_add_fd(arr, n, fd, p->e) < 0)
			return -1;
	}
	return 0;
}

static int load_sync_fds(const struct pol *p, json_t *v, const char *key)
{
	return load_fds(p, v, key, &p->s->sync_fds, &p->s->n_sync_fds);
}

static int load_add_seccomp_fds(const struct pol *p, json_t *v, const char *key)
{
	return load_fds(p, v, key, &p->s->add_seccomp_fds, &p->s->n_add_seccomp_fds);
}

static int dump_sync_fds(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	return s->n_sync_fds ? put(root, key, int_array(s->sync_fds, s->n_sync_fds), e) : 0;
}

static int dump_add_seccomp_fds(const struct sandbox_spec *s, json_t *root, const char *key,
				struct err *e)
{
	if (!s->n_add_seccomp_fds)
		return 0;
	return put(root, key, int_array(s->add_seccomp_fds, s->n_add_seccomp_fds), e);
}

/* Array of strings; `check` (may be NULL) validates each one. */
static int load_strs(const struct pol *p, json_t *v, const char *key, char ***arr, size_t *n,
		     int (*check)(const struct pol *p, const char *str, const char *jpath))
{
	size_t i;
	json_t *item;
	if (get_array(p, v, key) < 0)
		return -1;
	json_array_foreach(v, i, item) {
		char jpath[JPATH_LEN];
		const char *str = NULL;
		jpath_fmt(jpath, "%s[%zu]", key, i);
		if (get_str(p, item, jpath, &str) < 0 || (check && check(p, str, jpath) < 0) ||
		    spec_add_str(arr, n, str, p->e) < 0)
			return -1;
	}
	return 0;
}

static int check_syscall(const struct pol *p, const char *str, const char *jpath)
{
	if (seccomp_syscall_resolve_name(str) == __NR_SCMP_ERROR)
		return perr(p, 0, jpath, "%s: unknown system call", str);
	return 0;
}

static int check_path(const struct pol *p, const char *str, const char *jpath)
{
	return str[0] ? 0 : perr(p, 0, jpath, "empty path");
}

static int load_deny_syscalls(const struct pol *p, json_t *v, const char *key)
{
	return load_strs(p, v, key, &p->s->syscall_deny, &p->s->n_syscall_deny, check_syscall);
}

static int load_lock_files(const struct pol *p, json_t *v, const char *key)
{
	return load_strs(p, v, key, &p->s->lock_files, &p->s->n_lock_files, check_path);
}

static int dump_deny_syscalls(const struct sandbox_spec *s, json_t *root, const char *key,
			      struct err *e)
{
	if (!s->n_syscall_deny)
		return 0;
	return put(root, key, str_array(s->syscall_deny, s->n_syscall_deny), e);
}

static int dump_lock_files(const struct sandbox_spec *s, json_t *root, const char *key,
			   struct err *e)
{
	return s->n_lock_files ? put(root, key, str_array(s->lock_files, s->n_lock_files), e) : 0;
}

/* ---- rlimits: {"nofile": [SOFT, HARD], ...}, each an integer or "unlimited" ---- */

static int load_rlimit_value(const struct pol *p, json_t *v, const char *jpath, uint64_t *out)
{
	json_int_t n;
	if (json_is_string(v) && strcmp(json_string_value(v), "unlimited") == 0) {
		*out = SPEC_RLIM_UNLIMITED;
		return 0;
	}
	if (!json_is_integer(v))
		return perr(p, 0, jpath, "expected an integer or \"unlimited\"");
	n = json_integer_value(v);
	if (n < 0)
		return perr(p, 0, jpath, "%lld: out of range", (long long)n);
	*out = (uint64_t)n;
	return 0;
}

static int load_rlimits(const struct pol *p, json_t *v, const char *key)
{
	const char *k;
	json_t *val;
	if (get_object(p, v, key) < 0)
		return -1;
	json_object_foreach(v, k, val) {
		char jpath[JPATH_LEN], sub[JPATH_LEN];
		struct rlimit_op r = { .resource = rlimits_resource(k) };
		jpath_fmt(jpath, "%s.%s", key, k);
		if (r.resource < 0)
			return perr(p, 0, jpath, "unknown resource");
		if (!json_is_array(val) || json_array_size(val) != 2)
			return perr(p, 0, jpath, "expected [SOFT, HARD]");
		jpath_fmt(sub, "%s[0]", jpath);
		if (load_rlimit_value(p, json_array_get(val, 0), sub, &r.soft) < 0)
			return -1;
		jpath_fmt(sub, "%s[1]", jpath);
		if (load_rlimit_value(p, json_array_get(val, 1), sub, &r.hard) < 0)
			return -1;
		if (r.soft > r.hard)
			return perr(p, 0, jpath, "soft limit above the hard limit");
		if (rlimits_set(p->s, &r, p->e) < 0)
			return -1;
	}
	return 0;
}

static json_t *rlimit_value_json(uint64_t v)
{
	return v == SPEC_RLIM_UNLIMITED ? json_string("unlimited") : json_integer((json_int_t)v);
}

/* in RLIMIT_* number order, whatever order the options came in: stable output */
static int dump_rlimits(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	json_t *obj;
	if (!s->n_rlimits)
		return 0;
	obj = json_object();
	if (put(root, key, obj, e) < 0)
		return -1;
	for (int res = 0; res < RLIMITS_MAX; res++) {
		for (size_t i = 0; i < s->n_rlimits; i++) {
			const struct rlimit_op *r = &s->rlimits[i];
			json_t *pair;
			if (r->resource != res || !rlimits_name(res))
				continue;
			pair = json_array();
			if (put(obj, rlimits_name(res), pair, e) < 0 ||
			    append(pair, rlimit_value_json(r->soft), key, e) < 0 ||
			    append(pair, rlimit_value_json(r->hard), key, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- landlock: {"ro": [PATH...], "rw": [PATH...]}; the key alone turns Landlock on ---- */

static int load_landlock_paths(const struct pol *p, json_t *v, const char *jpath, char ***arr,
			       size_t *n)
{
	size_t i;
	json_t *item;
	if (get_array(p, v, jpath) < 0)
		return -1;
	json_array_foreach(v, i, item) {
		char sub[JPATH_LEN];
		const char *str = NULL;
		_cleanup_free_ char *path = NULL;
		jpath_fmt(sub, "%s[%zu]", jpath, i);
		if (get_path(p, item, sub, &str) < 0)
			return -1;
		/* inside the sandbox, as "dest" is: "a/b" is "/a/b" */
		path = spec_dest_dup(str);
		if (!path)
			return err_set(p->e, ENOMEM, "out of memory");
		if (spec_add_str(arr, n, path, p->e) < 0)
			return -1;
	}
	return 0;
}

static int load_landlock(const struct pol *p, json_t *v, const char *key)
{
	const char *k;
	json_t *val;
	if (get_object(p, v, key) < 0)
		return -1;
	json_object_foreach(v, k, val) {
		char jpath[JPATH_LEN];
		jpath_fmt(jpath, "%s.%s", key, k);
		if (strcmp(k, "ro") == 0) {
			if (load_landlock_paths(p, val, jpath, &p->s->landlock_ro,
						&p->s->n_landlock_ro) < 0)
				return -1;
		} else if (strcmp(k, "rw") == 0) {
			if (load_landlock_paths(p, val, jpath, &p->s->landlock_rw,
						&p->s->n_landlock_rw) < 0)
				return -1;
		} else {
			return perr(p, 0, jpath, "unknown key");
		}
	}
	p->s->landlock = true;
	return 0;
}

static int dump_landlock(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	json_t *obj;
	if (!s->landlock)
		return 0;
	obj = json_object();
	if (put(root, key, obj, e) < 0 ||
	    put(obj, "ro", str_array(s->landlock_ro, s->n_landlock_ro), e) < 0 ||
	    put(obj, "rw", str_array(s->landlock_rw, s->n_landlock_rw), e) < 0)
		return -1;
	return 0;
}

static int load_cap_entry(const struct pol *p, json_t *v, const char *jpath)
{
	const char *k, *name = NULL;
	json_t *val;
	struct cap_op *c;
	char sub[JPATH_LEN];
	int cap;
	if (get_object(p, v, jpath) < 0)
		return -1;
	if (json_object_size(v) != 1)
		return perr(p, 0, jpath, "expected {\"add\": CAP} or {\"drop\": CAP}");
	json_object_foreach(v, k, val) {
		jpath_fmt(sub, "%s.%s", jpath, k);
		if (strcmp(k, "add") != 0 && strcmp(k, "drop") != 0)
			return perr(p, 0, sub, "unknown key");
		if (get_str(p, val, sub, &name) < 0)
			return -1;
		if (spec_parse_cap(name, &cap) < 0)
			return perr(p, 0, sub, "%s: unknown capability", name);
		c = realloc(p->s->caps, (p->s->n_caps + 1) * sizeof(*c));
		if (!c)
			return err_set(p->e, ENOMEM, "out of memory");
		p->s->caps = c;
		c[p->s->n_caps].add = k[0] == 'a';
		c[p->s->n_caps].cap = cap;
		p->s->n_caps++;
	}
	return 0;
}

static int load_caps(const struct pol *p, json_t *v, const char *key)
{
	return load_each(p, v, key, load_cap_entry);
}

static int dump_caps(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	json_t *arr;
	if (!s->n_caps)
		return 0;
	arr = json_array();
	if (put(root, key, arr, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_caps; i++) {
		json_t *o = json_object();
		if (append(arr, o, key, e) < 0 ||
		    put(o, s->caps[i].add ? "add" : "drop", cap_json(s->caps[i].cap), e) < 0)
			return -1;
	}
	return 0;
}

static int load_command(const struct pol *p, json_t *v, const char *key)
{
	struct sandbox_spec *s = p->s;
	char **argv = NULL;
	size_t argc = 0;
	if (get_array(p, v, key) < 0)
		return -1;
	if (json_array_size(v) == 0)
		return perr(p, 0, key, "must not be empty");
	if (load_strs(p, v, key, &argv, &argc, NULL) < 0 ||
	    spec_add_str(&argv, &argc, "", p->e) < 0) {
		for (size_t i = 0; i < argc; i++)
			free(argv[i]);
		free(argv);
		return -1;
	}
	/* NULL-terminate: the "" placeholder becomes the terminator */
	free(argv[--argc]);
	argv[argc] = NULL;
	for (size_t i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	s->argv = argv;
	s->argc = argc;
	return 0;
}

static int dump_command(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	return s->argc ? put(root, key, str_array(s->argv, s->argc), e) : 0;
}

/* ---- "net": "host" | "loopback" | "pasta" (cordon's --net-pasta) ---- */

static int load_net(const struct pol *p, json_t *v, const char *key)
{
	const char *mode = NULL;
	if (get_str(p, v, key, &mode) < 0)
		return -1;
	/* after "namespaces" (table order): this key has the last word on the net namespace */
	if (strcmp(mode, "host") == 0)
		p->s->ns &= ~(unsigned long)CLONE_NEWNET;
	else if (strcmp(mode, "loopback") == 0 || strcmp(mode, "pasta") == 0)
		p->s->ns |= CLONE_NEWNET;
	else
		return perr(p, 0, key, "%s: expected \"host\", \"loopback\" or \"pasta\"", mode);
	p->s->net_pasta = mode[0] == 'p';
	return 0;
}

/* only "pasta" is written: "namespaces"."net" already tells host from loopback */
static int dump_net(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e)
{
	return s->net_pasta ? put(root, key, json_string("pasta"), e) : 0;
}

static int check_pasta_arg(const struct pol *p, const char *str, const char *jpath)
{
	const char *why = net_pasta_arg_refused(str);
	if (!str[0])
		return perr(p, 0, jpath, "empty argument");
	return why ? perr(p, 0, jpath, "%s: cordon sets %s itself", str, why) : 0;
}

static int load_net_pasta_args(const struct pol *p, json_t *v, const char *key)
{
	return load_strs(p, v, key, &p->s->net_pasta_args, &p->s->n_net_pasta_args,
			 check_pasta_arg);
}

static int dump_net_pasta_args(const struct sandbox_spec *s, json_t *root, const char *key,
			       struct err *e)
{
	if (!s->n_net_pasta_args)
		return 0;
	return put(root, key, str_array(s->net_pasta_args, s->n_net_pasta_args), e);
}

/* ---- the top-level table ---- */

enum field_kind { F_BOOL, F_FD, F_STR, F_CUSTOM };

struct field {
	const char *key;
	enum field_kind kind;
	size_t off; /* F_BOOL, F_FD, F_STR: the spec field */
	int (*load)(const struct pol *p, json_t *v, const char *key);
	int (*dump)(const struct sandbox_spec *s, json_t *root, const char *key, struct err *e);
};

#define OFF(f) offsetof(struct sandbox_spec, f)
/* clang-format off */
#define CUSTOM(k, l, d) { k, F_CUSTOM, 0, l, d }
/* clang-format on */

static const struct field fields[] = {
	CUSTOM("namespaces", load_namespaces, dump_namespaces),
	CUSTOM("net", load_net, dump_net),
	CUSTOM("net-pasta-args", load_net_pasta_args, dump_net_pasta_args),
	{ "userns-fd", F_FD, OFF(userns_fd), NULL, NULL },
	{ "userns2-fd", F_FD, OFF(userns2_fd), NULL, NULL },
	{ "pidns-fd", F_FD, OFF(pidns_fd), NULL, NULL },
	{ "disable-userns", F_BOOL, OFF(disable_userns), NULL, NULL },
	{ "assert-userns-disabled", F_BOOL, OFF(assert_userns_disabled), NULL, NULL },
	CUSTOM("uid", load_id, dump_id),
	CUSTOM("gid", load_id, dump_id),
	{ "hostname", F_STR, OFF(hostname), NULL, NULL },
	{ "chdir", F_STR, OFF(chdir), NULL, NULL },
	{ "clearenv", F_BOOL, OFF(clearenv), load_clearenv, NULL },
	CUSTOM("env", load_env, dump_env),
	{ "argv0", F_STR, OFF(argv0), NULL, NULL },
	CUSTOM("ops", load_ops, dump_ops),
	{ "seccomp-fd", F_FD, OFF(seccomp_fd), NULL, NULL },
	CUSTOM("add-seccomp-fds", load_add_seccomp_fds, dump_add_seccomp_fds),
	CUSTOM("deny-syscalls", load_deny_syscalls, dump_deny_syscalls),
	CUSTOM("rlimits", load_rlimits, dump_rlimits),
	CUSTOM("landlock", load_landlock, dump_landlock),
	CUSTOM("caps", load_caps, dump_caps),
	{ "new-session", F_BOOL, OFF(new_session), NULL, NULL },
	{ "exec-label", F_STR, OFF(exec_label), NULL, NULL },
	{ "file-label", F_STR, OFF(file_label), NULL, NULL },
	CUSTOM("lock-files", load_lock_files, dump_lock_files),
	CUSTOM("sync-fds", load_sync_fds, dump_sync_fds),
	{ "block-fd", F_FD, OFF(block_fd), NULL, NULL },
	{ "userns-block-fd", F_FD, OFF(userns_block_fd), NULL, NULL },
	{ "info-fd", F_FD, OFF(info_fd), NULL, NULL },
	{ "json-status-fd", F_FD, OFF(json_status_fd), NULL, NULL },
	{ "die-with-parent", F_BOOL, OFF(die_with_parent), NULL, NULL },
	{ "as-pid-1", F_BOOL, OFF(as_pid_1), NULL, NULL },
	{ "level-prefix", F_BOOL, OFF(level_prefix), NULL, NULL },
	CUSTOM("command", load_command, dump_command),
};

static int load_field(const struct pol *p, const struct field *f, json_t *v)
{
	char *base = (char *)p->s;
	if (f->load)
		return f->load(p, v, f->key);
	switch (f->kind) {
	case F_BOOL:
		return get_bool(p, v, f->key, (bool *)(base + f->off));
	case F_FD:
		return get_fd(p, v, f->key, (int *)(base + f->off));
	case F_STR: {
		const char *str = NULL;
		if (get_str(p, v, f->key, &str) < 0)
			return -1;
		return set_str((char **)(base + f->off), str, p->e);
	}
	case F_CUSTOM:
		break;
	}
	return 0;
}

static int dump_field(const struct sandbox_spec *s, const struct field *f, json_t *root,
		      struct err *e)
{
	const char *base = (const char *)s;
	if (f->dump)
		return f->dump(s, root, f->key, e);
	switch (f->kind) {
	case F_BOOL:
		return put(root, f->key, json_boolean(*(const bool *)(base + f->off)), e);
	case F_FD: {
		int fd = *(const int *)(base + f->off);
		return fd >= 0 ? put(root, f->key, json_integer(fd), e) : 0;
	}
	case F_STR: {
		const char *str = *(char *const *)(base + f->off);
		return str ? put(root, f->key, json_string(str), e) : 0;
	}
	case F_CUSTOM:
		break;
	}
	return 0;
}

static const struct field *field_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

static int load_header(const struct pol *p, json_t *root)
{
	json_t *v = json_object_get(root, "version");
	json_t *prof = json_object_get(root, "profile");
	json_t *expanded = json_object_get(root, "profile-expanded");
	const char *name = NULL;
	json_int_t n = 0;
	bool is_expanded = false;

	if (!v)
		return perr(p, 0, "version", "missing (this is version %d)", POLICY_VERSION);
	if (!json_is_integer(v))
		return perr(p, 0, "version", "expected an integer");
	n = json_integer_value(v);
	if (n != POLICY_VERSION)
		return perr(p, 0, "version", "%lld: unsupported (expected %d)", (long long)n,
			    POLICY_VERSION);
	if (expanded && get_bool(p, expanded, "profile-expanded", &is_expanded) < 0)
		return -1;
	if (!prof)
		return is_expanded ? perr(p, 0, "profile-expanded", "needs \"profile\"") : 0;
	if (get_str(p, prof, "profile", &name) < 0)
		return -1;
	/* a dump already holds the profile's ops: only remember the name */
	if (is_expanded)
		return set_str(&p->s->profile, name, p->e);
	if (profile_apply(p->s, name, p->e) < 0)
		return err_prefix(p->e, "%s: profile: %s", p->file, name);
	return 0;
}

static int load_root(const struct pol *p, json_t *root)
{
	const char *k;
	json_t *v;
	if (!json_is_object(root))
		return err_setx(p->e, "%s: expected a JSON object", p->file);
	json_object_foreach(root, k, v) {
		if (strcmp(k, "version") != 0 && strcmp(k, "profile") != 0 &&
		    strcmp(k, "profile-expanded") != 0 && !field_find(k))
			return perr(p, 0, k, "unknown key");
	}
	if (load_header(p, root) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		v = json_object_get(root, fields[i].key);
		if (v && load_field(p, &fields[i], v) < 0)
			return -1;
	}
	return 0;
}

static int load_error(const struct pol *p, const json_error_t *jerr)
{
	if (jerr->line > 0)
		return err_setx(p->e, "%s: line %d column %d: %s", p->file, jerr->line,
				jerr->column, jerr->text);
	return err_setx(p->e, "%s: %s", p->file, jerr->text);
}

int policy_load_string(struct sandbox_spec *s, const char *json, const char *name, struct err *e)
{
	struct pol p = { .file = name ? name : "policy", .s = s, .e = e };
	json_error_t jerr;
	_cleanup_json_ json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return load_error(&p, &jerr);
	return load_root(&p, root);
}

int policy_load_file(struct sandbox_spec *s, const char *path, struct err *e)
{
	struct pol p = { .file = path, .s = s, .e = e };
	json_error_t jerr;
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_json_ json_t *root = NULL;
	struct stat st;
	if (!f)
		return err_set(e, errno, "%s", path);
	/* fopen() opens a directory; reading it would show as an empty, invalid document */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		return err_set(e, EISDIR, "%s", path);
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	if (!root && ferror(f))
		return err_set(e, EIO, "%s", path);
	if (!root)
		return load_error(&p, &jerr);
	return load_root(&p, root);
}

char *policy_dump(const struct sandbox_spec *s, struct err *e)
{
	_cleanup_json_ json_t *root = json_object();
	char *out;
	if (!root || put(root, "version", json_integer(POLICY_VERSION), e) < 0)
		return NULL;
	if (s->profile && (put(root, "profile", json_string(s->profile), e) < 0 ||
			   put(root, "profile-expanded", json_true(), e) < 0))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (dump_field(s, &fields[i], root, e) < 0)
			return NULL;
	out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!out)
		err_set(e, ENOMEM, "--print-policy");
	return out;
}
