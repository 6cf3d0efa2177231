#include "spec.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/capability.h>

void spec_init(struct sandbox_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->ns = CLONE_NEWNS;
	s->userns_fd = -1;
	s->userns2_fd = -1;
	s->pidns_fd = -1;
	s->seccomp_fd = -1;
	s->block_fd = -1;
	s->userns_block_fd = -1;
	s->info_fd = -1;
	s->json_status_fd = -1;
}

static void op_free(struct op *o)
{
	free(o->src);
	free(o->dest);
	free(o->workdir);
	for (size_t i = 0; i < o->n_overlay_srcs; i++)
		free(o->overlay_srcs[i]);
	free(o->overlay_srcs);
}

void spec_free(struct sandbox_spec *s)
{
	for (size_t i = 0; i < s->n_ops; i++)
		op_free(&s->ops[i]);
	free(s->ops);
	for (size_t i = 0; i < s->n_env; i++) {
		free(s->env[i].name);
		free(s->env[i].value);
	}
	free(s->env);
	for (size_t i = 0; i < s->n_lock_files; i++)
		free(s->lock_files[i]);
	free(s->lock_files);
	for (size_t i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	for (size_t i = 0; i < s->n_syscall_deny; i++)
		free(s->syscall_deny[i]);
	free(s->syscall_deny);
	free(s->rlimits);
	for (size_t i = 0; i < s->n_landlock_ro; i++)
		free(s->landlock_ro[i]);
	free(s->landlock_ro);
	for (size_t i = 0; i < s->n_landlock_rw; i++)
		free(s->landlock_rw[i]);
	free(s->landlock_rw);
	for (size_t i = 0; i < s->n_net_pasta_args; i++)
		free(s->net_pasta_args[i]);
	free(s->net_pasta_args);
	free(s->add_seccomp_fds);
	free(s->sync_fds);
	free(s->caps);
	free(s->hostname);
	free(s->chdir);
	free(s->argv0);
	free(s->exec_label);
	free(s->file_label);
	free(s->profile);
	spec_init(s);
}

static int grow(void **arr, size_t n, size_t elem, struct err *e)
{
	void *p = realloc(*arr, (n + 1) * elem);
	if (!p)
		return err_set(e, ENOMEM, "out of memory");
	*arr = p;
	return 0;
}

struct op *spec_add_op(struct sandbox_spec *s, enum op_type type, const char *option, struct err *e)
{
	struct op *o;
	if (grow((void **)&s->ops, s->n_ops, sizeof(*s->ops), e) < 0)
		return NULL;
	o = &s->ops[s->n_ops++];
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->option = option;
	o->fd = -1;
	return o;
}

int spec_add_env(struct sandbox_spec *s, enum env_op_type type, const char *name, const char *value,
		 struct err *e)
{
	struct env_op *v;
	if (grow((void **)&s->env, s->n_env, sizeof(*s->env), e) < 0)
		return -1;
	v = &s->env[s->n_env];
	v->type = type;
	v->name = strdup(name);
	v->value = value ? strdup(value) : NULL;
	if (!v->name || (value && !v->value)) {
		free(v->name);
		free(v->value);
		return err_set(e, ENOMEM, "out of memory");
	}
	s->n_env++;
	return 0;
}

int spec_add_fd(int **arr, size_t *n, int fd, struct err *e)
{
	if (grow((void **)arr, *n, sizeof(**arr), e) < 0)
		return -1;
	(*arr)[(*n)++] = fd;
	return 0;
}

int spec_add_str(char ***arr, size_t *n, const char *str, struct err *e)
{
	char *dup = strdup(str);
	if (!dup || grow((void **)arr, *n, sizeof(**arr), e) < 0) {
		free(dup);
		return err_set(e, ENOMEM, "out of memory");
	}
	(*arr)[(*n)++] = dup;
	return 0;
}

static void put_fd(int fd, int *out, size_t max, size_t *n)
{
	if (fd < 0)
		return;
	if (*n < max)
		out[*n] = fd;
	(*n)++;
}

size_t spec_fds(const struct sandbox_spec *s, int *out, size_t max)
{
	size_t n = 0;
	/* --userns/--pidns/--seccomp/--bind-fd/--file fds are consumed by setup, and bwrap does
	 * not pass them on; the fds a command is meant to see are the lifecycle ones. */
	for (size_t i = 0; i < s->n_sync_fds; i++)
		put_fd(s->sync_fds[i], out, max, &n);
	put_fd(s->info_fd, out, max, &n);
	put_fd(s->json_status_fd, out, max, &n);
	put_fd(s->block_fd, out, max, &n);
	put_fd(s->userns_block_fd, out, max, &n);
	return n;
}

const char *op_type_name(enum op_type t)
{
	switch (t) {
	case OP_BIND:
		return "bind";
	case OP_BIND_FD:
		return "bind-fd";
	case OP_REMOUNT_RO:
		return "remount-ro";
	case OP_OVERLAY:
		return "overlay";
	case OP_TMP_OVERLAY:
		return "tmp-overlay";
	case OP_RO_OVERLAY:
		return "ro-overlay";
	case OP_PROC:
		return "proc";
	case OP_DEV:
		return "dev";
	case OP_TMPFS:
		return "tmpfs";
	case OP_MQUEUE:
		return "mqueue";
	case OP_DIR:
		return "dir";
	case OP_FILE:
		return "file";
	case OP_BIND_DATA:
		return "bind-data";
	case OP_SYMLINK:
		return "symlink";
	case OP_CHMOD:
		return "chmod";
	}
	return "?";
}

int spec_parse_mode(const char *str, mode_t *out)
{
	unsigned long v = 0;
	if (!*str || strlen(str) > 6)
		return -1;
	for (const char *q = str; *q; q++) {
		if (*q < '0' || *q > '7')
			return -1;
		v = v * 8 + (unsigned long)(*q - '0');
	}
	if (v > 07777)
		return -1;
	*out = (mode_t)v;
	return 0;
}

int spec_parse_cap(const char *name, int *cap)
{
	char buf[64];
	cap_value_t v;
	size_t len;
	if (strcasecmp(name, "ALL") == 0) {
		*cap = -1;
		return 0;
	}
	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	len = strlen(name);
	if (len == 0 || len + 5 > sizeof(buf))
		return -1;
	/* a number, as libcap's cap_from_name (and so bubblewrap) takes it */
	if (name[0] >= '0' && name[0] <= '9') {
		char *end = NULL;
		long n;
		errno = 0;
		n = strtol(name, &end, 10);
		if (errno || *end || n < 0 || n >= (long)cap_max_bits())
			return -1;
		*cap = (int)n;
		return 0;
	}
	memcpy(buf, "cap_", 4);
	for (size_t i = 0; i <= len; i++)
		buf[4 + i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	if (cap_from_name(buf, &v) < 0)
		return -1;
	*cap = (int)v;
	return 0;
}

char *spec_dest_dup(const char *dest)
{
	char *out = NULL;
	if (dest[0] == '/')
		return strdup(dest);
	return asprintf(&out, "/%s", dest) < 0 ? NULL : out;
}
