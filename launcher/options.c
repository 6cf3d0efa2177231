/* cordon's command line: bubblewrap 0.11's options, same meaning and order rules, plus cordon's.
 *
 * One table row per option ({name, nargs, flags, handler}) and one loop. The loop works on a
 * private copy of argv so that --args FD can splice the NUL-separated arguments it reads in
 * place of "--args FD"; those strings live until the parse ends, and everything the spec keeps
 * is copied into it; as in bubblewrap, an arguments file cannot use --args itself. Modifiers
 * (--perms, --size, --overlay-src) are held as "pending" state and must be consumed by the very
 * next option, as in bubblewrap. */
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "../common/cleanup.h"
#include "../common/fdio.h"
#include "net.h"
#include "policy.h"
#include "profile.h"
#include "rlimits.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

/* bubblewrap's own limit on the number of arguments (argv plus --args data). */
#define OPTIONS_MAX_ARGS 9000
/* every --args file's data is held until the parse ends: bound how many are read */
#define OPTIONS_MAX_ARGS_FILES 16
/* bubblewrap: a tmpfs size must fit in half the address space */
#define OPTIONS_MAX_TMPFS_BYTES ((uint64_t)(SIZE_MAX >> 1))

enum opt_flags {
	OPT_MOD = 1u << 0,    /* --perms/--size: modifies the next option */
	OPT_PERMS = 1u << 1,  /* consumes a pending --perms */
	OPT_SIZE = 1u << 2,   /* consumes a pending --size */
	OPT_OVSRC = 1u << 3,  /* --overlay-src: accumulates */
	OPT_OVL = 1u << 4,    /* consumes pending --overlay-src layers */
	OPT_SPLICE = 1u << 5, /* --args: replaced by what it reads, transparent to modifiers */
};

struct parser {
	const struct options_ctx *ctx;
	struct sandbox_spec *s;
	char **args; /* working argv without argv[0]; entries point into argv or bufs */
	size_t n, pos;
	char **bufs; /* --args data, freed when the parse ends */
	size_t n_bufs;
	size_t n_args_files;
	size_t file_end; /* args[..file_end) may hold --args data; nothing beyond does */
	/* pending modifiers for the next option */
	bool has_perms, has_size;
	mode_t perms;
	uint64_t size;
	const char *perms_arg, *size_arg;
	char **ovl; /* --overlay-src paths waiting for their overlay op (owned) */
	size_t n_ovl;
};

struct opt_row;
typedef int (*opt_fn)(struct parser *p, const struct opt_row *r, char **a, struct err *e);

struct opt_row {
	const char *name;
	unsigned nargs;
	unsigned flags;
	opt_fn fn;
	size_t off;	   /* field of struct sandbox_spec, for the generic handlers */
	unsigned long val; /* CLONE_* bit, op type, gid-vs-uid: whatever the handler needs */
	unsigned opflags;  /* OPF_* for the op the option makes */
	const char *args_help;
	const char *help;
};

/* ---- small parsing helpers ---- */

/* "--bind SRC DEST" as given, for messages; empty arguments shown as ''. */
static const char *opt_text(char *buf, size_t len, char **a, unsigned nargs)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i <= nargs && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "",
				 a[i][0] ? a[i] : "''");
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

#define OPT_TEXT(a, nargs) opt_text((char[300]){ 0 }, 300, (a), (nargs))

/* Strict unsigned parse: digits only (base 10, or base 0 for --size like bwrap's strtoull),
 * returns 0, -1 for "not a number", -2 for "out of range" (negative or too large). */
static int parse_u64(const char *str, int base, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	if (str[0] == '-' && str[1] >= '0' && str[1] <= '9') {
		const char *q = str + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		return *q ? -1 : -2;
	}
	if (str[0] < '0' || str[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(str, &end, base);
	if (!end || *end)
		return -1;
	if (errno == ERANGE || v > max)
		return -2;
	*out = v;
	return 0;
}

static int number_err(int rc, const char *what, struct err *e)
{
	return err_setx(e, "%s: %s", what, rc == -1 ? "not a number" : "out of range");
}

static int parse_fd(const char *str, const char *what, int *out, struct err *e)
{
	uint64_t v;
	int rc = parse_u64(str, 10, INT_MAX, &v);
	if (rc < 0)
		return number_err(rc, what, e);
	if (fcntl((int)v, F_GETFD) < 0)
		return err_set(e, errno, "%s", what);
	*out = (int)v;
	return 0;
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

static int check_paths(char **a, unsigned nargs, unsigned first, struct err *e)
{
	for (unsigned i = first; i <= nargs; i++)
		if (!a[i][0])
			return err_setx(e, "%s: empty path", OPT_TEXT(a, nargs));
	return 0;
}

/* ---- op construction ---- */

static struct op *new_op(struct parser *p, const struct opt_row *r, enum op_type type,
			 unsigned flags, const char *dest, struct err *e)
{
	struct op *o = spec_add_op(p->s, type, r->name, e);
	if (!o)
		return NULL;
	o->flags = flags;
	o->dest = spec_dest_dup(dest);
	if (!o->dest) {
		p->s->n_ops--;
		err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	return o;
}

/* Hand pending --perms/--size to the op; the table guarantees only allowed ones are pending. */
static void take_modifiers(struct parser *p, struct op *o)
{
	if (p->has_perms) {
		o->flags |= OPF_PERMS;
		o->perms = p->perms;
		p->has_perms = false;
	}
	if (p->has_size) {
		o->flags |= OPF_SIZE;
		o->size = p->size;
		p->has_size = false;
	}
}

/* ---- handlers ---- */

static int h_help(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r, (void)a, (void)e;
	options_usage(p->ctx, stdout);
	return OPTIONS_EXIT;
}

static int h_version(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	const char *prog = p->ctx->prog ? p->ctx->prog : "cordon";
	(void)r, (void)a, (void)e;
	/* scripts check bwrap's version: speak as the bubblewrap release we mirror */
	if (strcmp(prog, "bwrap") == 0)
		printf("bubblewrap 0.11.0 (cordon %s)\n", VERSION);
	else
		printf("%s %s\n", prog, VERSION);
	return OPTIONS_EXIT;
}

static int h_bool(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)a, (void)e;
	*(bool *)((char *)p->s + r->off) = true;
	return 0;
}

static int h_str(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	return set_str((char **)((char *)p->s + r->off), a[1], e);
}

static int h_fd_field(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	return parse_fd(a[1], OPT_TEXT(a, 1), (int *)((char *)p->s + r->off), e);
}

static int h_ns(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)a, (void)e;
	p->s->ns |= r->val;
	return 0;
}

static int h_unshare_all(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r, (void)a, (void)e;
	/* bubblewrap: the -try variants of user and cgroup, so it works where those are missing */
	p->s->userns_try = true;
	p->s->cgroup_try = true;
	p->s->ns |= CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS;
	return 0;
}

static int h_share_net(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r, (void)a, (void)e;
	p->s->ns &= ~(unsigned long)CLONE_NEWNET;
	return 0;
}

static int h_net_pasta(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r, (void)a, (void)e;
	p->s->ns |= CLONE_NEWNET;
	p->s->net_pasta = true;
	return 0;
}

static int h_net_pasta_args(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	return net_pasta_add_args(p->s, a[1], e);
}

static int h_id(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	uint64_t v;
	/* (uid_t)-1 means "no change" to the kernel, so it is not a usable id */
	int rc = parse_u64(a[1], 10, UINT32_MAX - 1, &v);
	if (rc < 0)
		return number_err(rc, OPT_TEXT(a, 1), e);
	if (r->val) {
		p->s->has_gid = true;
		p->s->gid = (gid_t)v;
	} else {
		p->s->has_uid = true;
		p->s->uid = (uid_t)v;
	}
	return 0;
}

static int h_argv0(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (p->s->argv0)
		return err_setx(e, "%s: used multiple times", OPT_TEXT(a, 1));
	return set_str(&p->s->argv0, a[1], e);
}

static int check_env_name(char **a, unsigned nargs, struct err *e)
{
	if (!a[1][0] || strchr(a[1], '='))
		return err_setx(e, "%s: invalid variable name", OPT_TEXT(a, nargs));
	return 0;
}

static int h_setenv(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (check_env_name(a, 2, e) < 0)
		return -1;
	return spec_add_env(p->s, ENV_SET, a[1], a[2], e);
}

static int h_unsetenv(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (check_env_name(a, 1, e) < 0)
		return -1;
	return spec_add_env(p->s, ENV_UNSET, a[1], NULL, e);
}

static int h_clearenv(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r, (void)a, (void)e;
	/* bubblewrap applies env options as it parses: a --clearenv wipes earlier --setenv */
	for (size_t i = 0; i < p->s->n_env; i++) {
		free(p->s->env[i].name);
		free(p->s->env[i].value);
	}
	p->s->n_env = 0;
	p->s->clearenv = true;
	return 0;
}

static int h_lock_file(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (check_paths(a, 1, 1, e) < 0)
		return -1;
	return spec_add_str(&p->s->lock_files, &p->s->n_lock_files, a[1], e);
}

static int h_sync_fd(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	int fd = -1;
	(void)r;
	if (parse_fd(a[1], OPT_TEXT(a, 1), &fd, e) < 0)
		return -1;
	return spec_add_fd(&p->s->sync_fds, &p->s->n_sync_fds, fd, e);
}

static int h_perms(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (p->has_perms)
		return err_setx(e, "%s: given twice for the same operation", OPT_TEXT(a, 1));
	if (spec_parse_mode(a[1], &p->perms) < 0)
		return err_setx(e, "%s: not an octal mode", OPT_TEXT(a, 1));
	p->has_perms = true;
	p->perms_arg = a[1];
	return 0;
}

static int h_size(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	uint64_t v;
	int rc;
	(void)r;
	if (p->has_size)
		return err_setx(e, "%s: given twice for the same operation", OPT_TEXT(a, 1));
	rc = parse_u64(a[1], 0, OPTIONS_MAX_TMPFS_BYTES, &v);
	if (rc < 0)
		return number_err(rc, OPT_TEXT(a, 1), e);
	if (v == 0)
		return err_setx(e, "%s: must be a non-zero number of bytes", OPT_TEXT(a, 1));
	p->has_size = true;
	p->size = v;
	p->size_arg = a[1];
	return 0;
}

static int h_bind(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct op *o;
	if (check_paths(a, 2, 1, e) < 0)
		return -1;
	o = new_op(p, r, OP_BIND, r->opflags, a[2], e);
	if (!o)
		return -1;
	o->src = strdup(a[1]);
	return o->src ? 0 : err_set(e, ENOMEM, "out of memory");
}

/* --bind-fd, --ro-bind-fd, --file, --bind-data, --ro-bind-data: FD DEST */
static int h_fd_op(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct op *o;
	int fd = -1;
	if (parse_fd(a[1], OPT_TEXT(a, 2), &fd, e) < 0 || check_paths(a, 2, 2, e) < 0)
		return -1;
	o = new_op(p, r, (enum op_type)r->val, r->opflags, a[2], e);
	if (!o)
		return -1;
	o->fd = fd;
	take_modifiers(p, o);
	return 0;
}

/* --remount-ro, --proc, --dev, --tmpfs, --mqueue, --dir: DEST */
static int h_dest_op(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct op *o;
	if (check_paths(a, 1, 1, e) < 0)
		return -1;
	o = new_op(p, r, (enum op_type)r->val, 0, a[1], e);
	if (!o)
		return -1;
	take_modifiers(p, o);
	return 0;
}

static int h_symlink(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct op *o;
	if (check_paths(a, 2, 1, e) < 0)
		return -1;
	o = new_op(p, r, OP_SYMLINK, 0, a[2], e);
	if (!o)
		return -1;
	o->src = strdup(a[1]);
	return o->src ? 0 : err_set(e, ENOMEM, "out of memory");
}

static int h_chmod(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct op *o;
	mode_t mode;
	if (spec_parse_mode(a[1], &mode) < 0)
		return err_setx(e, "%s: not an octal mode", OPT_TEXT(a, 2));
	if (check_paths(a, 2, 2, e) < 0)
		return -1;
	o = new_op(p, r, OP_CHMOD, OPF_PERMS, a[2], e);
	if (!o)
		return -1;
	o->perms = mode;
	return 0;
}

static int h_overlay_src(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (check_paths(a, 1, 1, e) < 0)
		return -1;
	return spec_add_str(&p->ovl, &p->n_ovl, a[1], e);
}

/* --overlay RWSRC WORKDIR DEST, --tmp-overlay DEST, --ro-overlay DEST */
static int h_overlay(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	enum op_type type = (enum op_type)r->val;
	size_t need = type == OP_RO_OVERLAY ? 2 : 1;
	struct op *o;
	if (p->n_ovl < need)
		return err_setx(e, "%s: requires at least %s --overlay-src", OPT_TEXT(a, r->nargs),
				need == 2 ? "two" : "one");
	if (check_paths(a, r->nargs, 1, e) < 0)
		return -1;
	o = new_op(p, r, type, type == OP_RO_OVERLAY ? OPF_RO : 0, a[r->nargs], e);
	if (!o)
		return -1;
	if (type == OP_OVERLAY) {
		o->src = strdup(a[1]);
		o->workdir = strdup(a[2]);
		if (!o->src || !o->workdir)
			return err_set(e, ENOMEM, "out of memory");
	}
	o->overlay_srcs = steal_ptr(p->ovl);
	o->n_overlay_srcs = p->n_ovl;
	p->n_ovl = 0;
	return 0;
}

static int h_seccomp(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	/* bubblewrap warns and keeps the last one */
	if (p->s->seccomp_fd >= 0 && p->ctx->warn)
		p->ctx->warn(p->ctx->warn_data, "Only the last --seccomp option will take effect");
	if (p->s->n_add_seccomp_fds)
		return err_setx(e, "%s: cannot be combined with --add-seccomp-fd", OPT_TEXT(a, 1));
	return parse_fd(a[1], OPT_TEXT(a, 1), &p->s->seccomp_fd, e);
}

static int h_add_seccomp(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	int fd = -1;
	(void)r;
	if (p->s->seccomp_fd >= 0)
		return err_setx(e, "%s: cannot be combined with --seccomp", OPT_TEXT(a, 1));
	if (parse_fd(a[1], OPT_TEXT(a, 1), &fd, e) < 0)
		return -1;
	return spec_add_fd(&p->s->add_seccomp_fds, &p->s->n_add_seccomp_fds, fd, e);
}

static int h_cap(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct cap_op *c;
	int cap;
	if (spec_parse_cap(a[1], &cap) < 0)
		return err_setx(e, "%s: unknown capability", OPT_TEXT(a, 1));
	c = realloc(p->s->caps, (p->s->n_caps + 1) * sizeof(*c));
	if (!c)
		return err_set(e, ENOMEM, "out of memory");
	p->s->caps = c;
	c[p->s->n_caps].add = r->val != 0;
	c[p->s->n_caps].cap = cap;
	p->s->n_caps++;
	return 0;
}

static int h_profile(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (profile_apply(p->s, a[1], e) < 0)
		return err_prefix(e, "%s", OPT_TEXT(a, 1));
	return 0;
}

static int h_policy(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	/* policy messages already start with the file name */
	return policy_load_file(p->s, a[1], e);
}

static int h_deny_syscall(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	(void)r;
	if (seccomp_syscall_resolve_name(a[1]) == __NR_SCMP_ERROR)
		return err_setx(e, "%s: unknown system call", OPT_TEXT(a, 1));
	return spec_add_str(&p->s->syscall_deny, &p->s->n_syscall_deny, a[1], e);
}

static int h_rlimit(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	struct rlimit_op lim;
	(void)r;
	if (rlimits_parse(a[1], &lim, e) < 0)
		return -1;
	return rlimits_set(p->s, &lim, e);
}

/* --landlock-ro / --landlock-rw PATH (r->val: 1 for rw); either one implies --landlock */
static int h_landlock_path(struct parser *p, const struct opt_row *r, char **a, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	if (check_paths(a, 1, 1, e) < 0)
		return -1;
	/* a path inside the sandbox, like a DEST: "a/b" is "/a/b" */
	path = spec_dest_dup(a[1]);
	if (!path)
		return err_set(e, ENOMEM, "out of memory");
	p->s->landlock = true;
	if (r->val)
		return spec_add_str(&p->s->landlock_rw, &p->s->n_landlock_rw, path, e);
	return spec_add_str(&p->s->landlock_ro, &p->s->n_landlock_ro, path, e);
}

#define OFF(f) offsetof(struct sandbox_spec, f)

/* A heading in --help; skipped by opt_find. */
/* clang-format off */
#define SECTION(title) { NULL, 0, 0, NULL, 0, 0, 0, NULL, title }
/* clang-format on */

static const struct opt_row opt_table[] = {
	SECTION("General options:"),
	{ "--help", 0, 0, h_help, 0, 0, 0, "", "Print this help and exit" },
	{ "--version", 0, 0, h_version, 0, 0, 0, "", "Print the version and exit" },
	{ "--args", 1, OPT_SPLICE, NULL, 0, 0, 0, "FD",
	  "Read NUL-separated arguments from FD, in place" },
	{ "--argv0", 1, 0, h_argv0, 0, 0, 0, "VALUE", "Run COMMAND with argv[0] set to VALUE" },
	{ "--level-prefix", 0, 0, h_bool, OFF(level_prefix), 0, 0, "",
	  "Start each diagnostic line with a syslog priority <N>" },
	SECTION("Namespaces:"),
	{ "--unshare-all", 0, 0, h_unshare_all, 0, 0, 0, "",
	  "All of: --unshare-user-try -ipc -pid -net -uts -cgroup-try" },
	{ "--share-net", 0, 0, h_share_net, 0, 0, 0, "",
	  "Keep the host network (undoes --unshare-net)" },
	{ "--unshare-user", 0, 0, h_ns, 0, CLONE_NEWUSER, 0, "", "New user namespace" },
	{ "--unshare-user-try", 0, 0, h_bool, OFF(userns_try), 0, 0, "",
	  "New user namespace if the kernel allows it, else none" },
	{ "--unshare-ipc", 0, 0, h_ns, 0, CLONE_NEWIPC, 0, "", "New IPC namespace" },
	{ "--unshare-pid", 0, 0, h_ns, 0, CLONE_NEWPID, 0, "", "New pid namespace" },
	{ "--unshare-net", 0, 0, h_ns, 0, CLONE_NEWNET, 0, "",
	  "New network namespace (loopback only)" },
	{ "--net-pasta", 0, 0, h_net_pasta, 0, 0, 0, "",
	  "New network namespace with outside access through pasta" },
	{ "--net-pasta-args", 1, 0, h_net_pasta_args, 0, 0, 0, "ARGS",
	  "Extra pasta options, split at blanks (repeatable)" },
	{ "--unshare-uts", 0, 0, h_ns, 0, CLONE_NEWUTS, 0, "", "New UTS namespace (hostname)" },
	{ "--unshare-cgroup", 0, 0, h_ns, 0, CLONE_NEWCGROUP, 0, "", "New cgroup namespace" },
	{ "--unshare-cgroup-try", 0, 0, h_bool, OFF(cgroup_try), 0, 0, "",
	  "New cgroup namespace if the kernel has them, else none" },
	{ "--userns", 1, 0, h_fd_field, OFF(userns_fd), 0, 0, "FD",
	  "Use the user namespace FD instead of a new one" },
	{ "--userns2", 1, 0, h_fd_field, OFF(userns2_fd), 0, 0, "FD",
	  "Switch to the user namespace FD once setup is done" },
	{ "--pidns", 1, 0, h_fd_field, OFF(pidns_fd), 0, 0, "FD",
	  "Use the pid namespace FD (the parent one with --unshare-pid)" },
	{ "--disable-userns", 0, 0, h_bool, OFF(disable_userns), 0, 0, "",
	  "Forbid new user namespaces inside (needs --unshare-user)" },
	{ "--assert-userns-disabled", 0, 0, h_bool, OFF(assert_userns_disabled), 0, 0, "",
	  "Fail unless new user namespaces are already forbidden" },
	{ "--uid", 1, 0, h_id, 0, 0, 0, "UID", "User id inside (needs a user namespace)" },
	{ "--gid", 1, 0, h_id, 0, 1, 0, "GID", "Group id inside (needs a user namespace)" },
	{ "--hostname", 1, 0, h_str, OFF(hostname), 0, 0, "NAME",
	  "Host name inside (needs --unshare-uts)" },
	SECTION("Environment:"),
	{ "--chdir", 1, 0, h_str, OFF(chdir), 0, 0, "DIR", "Start COMMAND in DIR" },
	{ "--setenv", 2, 0, h_setenv, 0, 0, 0, "VAR VALUE", "Set VAR to VALUE" },
	{ "--unsetenv", 1, 0, h_unsetenv, 0, 0, 0, "VAR", "Remove VAR" },
	{ "--clearenv", 0, 0, h_clearenv, 0, 0, 0, "",
	  "Start from an empty environment (PWD is kept)" },
	SECTION("Monitoring from outside:"),
	{ "--lock-file", 1, 0, h_lock_file, 0, 0, 0, "DEST",
	  "Hold a lock on DEST while the sandbox runs" },
	{ "--sync-fd", 1, 0, h_sync_fd, 0, 0, 0, "FD", "Keep FD open while the sandbox runs" },
	SECTION("Filesystem (applied in argument order):"),
	{ "--perms", 1, OPT_MOD, h_perms, 0, 0, 0, "OCTAL",
	  "Mode of the next --tmpfs, --dir, --file or --(ro-)bind-data" },
	{ "--size", 1, OPT_MOD, h_size, 0, 0, 0, "BYTES", "Size of the next --tmpfs" },
	{ "--bind", 2, 0, h_bind, 0, 0, 0, "SRC DEST", "Bind the host path SRC on DEST" },
	{ "--bind-try", 2, 0, h_bind, 0, 0, OPF_TRY, "SRC DEST",
	  "--bind, skipped if SRC is missing" },
	{ "--ro-bind", 2, 0, h_bind, 0, 0, OPF_RO, "SRC DEST", "Bind SRC on DEST read-only" },
	{ "--ro-bind-try", 2, 0, h_bind, 0, 0, OPF_RO | OPF_TRY, "SRC DEST",
	  "--ro-bind, skipped if SRC is missing" },
	{ "--dev-bind", 2, 0, h_bind, 0, 0, OPF_DEV, "SRC DEST",
	  "Bind SRC on DEST, devices usable" },
	{ "--dev-bind-try", 2, 0, h_bind, 0, 0, OPF_DEV | OPF_TRY, "SRC DEST",
	  "--dev-bind, skipped if SRC is missing" },
	{ "--bind-fd", 2, 0, h_fd_op, 0, OP_BIND_FD, 0, "FD DEST",
	  "Bind the open directory or O_PATH FD on DEST" },
	{ "--ro-bind-fd", 2, 0, h_fd_op, 0, OP_BIND_FD, OPF_RO, "FD DEST", "--bind-fd, read-only" },
	{ "--remount-ro", 1, 0, h_dest_op, 0, OP_REMOUNT_RO, 0, "DEST",
	  "Make the mount at DEST read-only (not recursive)" },
	{ "--overlay-src", 1, OPT_OVSRC, h_overlay_src, 0, 0, 0, "SRC",
	  "Lower layer for the next overlay (first given is lowest)" },
	{ "--overlay", 3, OPT_OVL, h_overlay, 0, OP_OVERLAY, 0, "RWSRC WORKDIR DEST",
	  "Overlay on DEST, writes go to RWSRC (WORKDIR: empty, same fs)" },
	{ "--tmp-overlay", 1, OPT_OVL, h_overlay, 0, OP_TMP_OVERLAY, 0, "DEST",
	  "Overlay on DEST, writes go to an invisible tmpfs" },
	{ "--ro-overlay", 1, OPT_OVL, h_overlay, 0, OP_RO_OVERLAY, 0, "DEST",
	  "Read-only overlay on DEST (two or more --overlay-src)" },
	{ "--proc", 1, 0, h_dest_op, 0, OP_PROC, 0, "DEST", "Mount a new procfs on DEST" },
	{ "--dev", 1, 0, h_dest_op, 0, OP_DEV, 0, "DEST", "Mount a minimal /dev on DEST" },
	{ "--tmpfs", 1, OPT_PERMS | OPT_SIZE, h_dest_op, 0, OP_TMPFS, 0, "DEST",
	  "Mount a new tmpfs on DEST (mode 0755 unless --perms)" },
	{ "--mqueue", 1, 0, h_dest_op, 0, OP_MQUEUE, 0, "DEST", "Mount a new mqueue on DEST" },
	{ "--dir", 1, OPT_PERMS, h_dest_op, 0, OP_DIR, 0, "DEST", "Create directory DEST (0755)" },
	{ "--file", 2, OPT_PERMS, h_fd_op, 0, OP_FILE, 0, "FD DEST",
	  "Copy FD to the new file DEST (0666)" },
	{ "--bind-data", 2, OPT_PERMS, h_fd_op, 0, OP_BIND_DATA, 0, "FD DEST",
	  "Copy FD to a file bound on DEST (0600)" },
	{ "--ro-bind-data", 2, OPT_PERMS, h_fd_op, 0, OP_BIND_DATA, OPF_RO, "FD DEST",
	  "--bind-data, read-only" },
	{ "--symlink", 2, 0, h_symlink, 0, 0, 0, "SRC DEST",
	  "Create symlink DEST pointing to SRC" },
	{ "--chmod", 2, 0, h_chmod, 0, 0, 0, "OCTAL PATH", "Set the mode of the existing PATH" },
	SECTION("Lockdown:"),
	{ "--seccomp", 1, 0, h_seccomp, 0, 0, 0, "FD",
	  "Load a compiled seccomp BPF program from FD (once)" },
	{ "--add-seccomp-fd", 1, 0, h_add_seccomp, 0, 0, 0, "FD",
	  "Load a seccomp BPF program from FD (repeatable)" },
	{ "--exec-label", 1, 0, h_str, OFF(exec_label), 0, 0, "LABEL",
	  "SELinux label for COMMAND" },
	{ "--file-label", 1, 0, h_str, OFF(file_label), 0, 0, "LABEL",
	  "SELinux label for files the sandbox creates" },
	{ "--block-fd", 1, 0, h_fd_field, OFF(block_fd), 0, 0, "FD",
	  "Wait until FD has data before running COMMAND" },
	{ "--userns-block-fd", 1, 0, h_fd_field, OFF(userns_block_fd), 0, 0, "FD",
	  "Wait on FD until the user namespace is set up from outside" },
	{ "--info-fd", 1, 0, h_fd_field, OFF(info_fd), 0, 0, "FD",
	  "Write sandbox information as JSON to FD" },
	{ "--json-status-fd", 1, 0, h_fd_field, OFF(json_status_fd), 0, 0, "FD",
	  "Write status records as JSON lines to FD" },
	{ "--new-session", 0, 0, h_bool, OFF(new_session), 0, 0, "",
	  "Run COMMAND in a new session (setsid)" },
	{ "--die-with-parent", 0, 0, h_bool, OFF(die_with_parent), 0, 0, "",
	  "Kill the sandbox when the caller dies" },
	{ "--as-pid-1", 0, 0, h_bool, OFF(as_pid_1), 0, 0, "",
	  "COMMAND is pid 1 itself (no reaper; needs --unshare-pid)" },
	{ "--cap-add", 1, 0, h_cap, 0, 1, 0, "CAP", "Keep capability CAP (or ALL) inside" },
	{ "--cap-drop", 1, 0, h_cap, 0, 0, 0, "CAP", "Drop capability CAP (or ALL)" },
	SECTION("cordon's own options:"),
	{ "--profile", 1, 0, h_profile, 0, 0, 0, "NAME",
	  "Apply a built-in profile here (minimal, shell)" },
	{ "--policy", 1, 0, h_policy, 0, 0, 0, "FILE", "Apply a JSON policy file here" },
	{ "--print-policy", 0, 0, h_bool, OFF(print_policy), 0, 0, "",
	  "Print the resulting sandbox as a JSON policy and exit" },
	{ "--deny-syscall", 1, 0, h_deny_syscall, 0, 0, 0, "NAME",
	  "Make system call NAME fail with EPERM (repeatable)" },
	{ "--rlimit", 1, 0, h_rlimit, 0, 0, 0, "NAME=SOFT[:HARD]",
	  "Set resource limit NAME for COMMAND (repeatable)" },
	{ "--landlock", 0, 0, h_bool, OFF(landlock), 0, 0, "",
	  "Landlock: deny all filesystem access not granted below" },
	{ "--landlock-ro", 1, 0, h_landlock_path, 0, 0, 0, "PATH",
	  "Landlock: allow reading and executing beneath PATH" },
	{ "--landlock-rw", 1, 0, h_landlock_path, 0, 1, 0, "PATH",
	  "Landlock: allow all file access beneath PATH" },
};

static const struct opt_row *opt_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
		if (opt_table[i].name && strcmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	return NULL;
}

void options_usage(const struct options_ctx *ctx, FILE *f)
{
	const char *prog = ctx && ctx->prog ? ctx->prog : "cordon";
	fprintf(f, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n", prog);
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++) {
		const struct opt_row *r = &opt_table[i];
		char left[64];
		if (!r->name) {
			fprintf(f, "\n%s\n", r->help);
			continue;
		}
		snprintf(left, sizeof(left), "%s%s%s", r->name, r->args_help[0] ? " " : "",
			 r->args_help);
		fprintf(f, "    %-32s %s\n", left, r->help);
	}
}

/* ---- the loop ---- */

static const char PERMS_TARGETS[] = "--tmpfs, --dir, --file, --bind-data or --ro-bind-data";
static const char OVL_TARGETS[] =
	"another --overlay-src or by --overlay, --tmp-overlay or --ro-overlay";

/* A pending modifier must be taken by the next option (`next`, NULL at the end of options). */
static int check_pending(const struct parser *p, const char *next, unsigned flags, struct err *e)
{
	if (p->has_perms && !(flags & (OPT_PERMS | OPT_MOD)))
		return next ? err_setx(e, "--perms %s: must be followed by %s, not %s",
				       p->perms_arg, PERMS_TARGETS, next)
			    : err_setx(e, "--perms %s: must be followed by %s", p->perms_arg,
				       PERMS_TARGETS);
	if (p->has_size && !(flags & (OPT_SIZE | OPT_MOD)))
		return next ? err_setx(e, "--size %s: must be followed by --tmpfs, not %s",
				       p->size_arg, next)
			    : err_setx(e, "--size %s: must be followed by --tmpfs", p->size_arg);
	if (p->n_ovl && !(flags & (OPT_OVSRC | OPT_OVL)))
		return next ? err_setx(e, "--overlay-src %s: must be followed by %s, not %s",
				       p->ovl[p->n_ovl - 1], OVL_TARGETS, next)
			    : err_setx(e, "--overlay-src %s: must be followed by %s",
				       p->ovl[p->n_ovl - 1], OVL_TARGETS);
	return 0;
}

/* Replace "--args FD" at p->pos by the NUL-separated arguments read from FD. */
static int splice_args(struct parser *p, struct err *e)
{
	char **a = &p->args[p->pos];
	_cleanup_free_ char *data = NULL;
	size_t len = 0, count = 0;
	char **grown;
	int fd = -1, rc;

	/* bubblewrap: "--args not supported in arguments file" */
	if (p->pos < p->file_end)
		return err_setx(e, "%s: not supported in an arguments file",
				p->pos + 1 < p->file_end ? OPT_TEXT(a, 1) : "--args");
	if (p->n - p->pos < 2)
		return err_setx(e, "--args takes an argument");
	if (parse_fd(a[1], OPT_TEXT(a, 1), &fd, e) < 0)
		return -1;
	if (++p->n_args_files > OPTIONS_MAX_ARGS_FILES)
		return err_setx(e, "%s: too many --args (at most %d)", OPT_TEXT(a, 1),
				OPTIONS_MAX_ARGS_FILES);
	rc = fd_read_all(fd, (size_t)OPTIONS_MAX_ARGS * 4096 * 2, &data, &len);
	if (rc < 0)
		return err_set(e, -rc, "%s", OPT_TEXT(a, 1));
	/* bubblewrap consumes the fd */
	close(fd);
	for (size_t i = 0; i < len; i += strlen(data + i) + 1)
		count++;
	if (p->n - 2 + count > OPTIONS_MAX_ARGS)
		return err_setx(e, "%s: too many arguments (at most %d)", OPT_TEXT(a, 1),
				OPTIONS_MAX_ARGS);
	grown = realloc(p->bufs, (p->n_bufs + 1) * sizeof(*p->bufs));
	if (!grown)
		return err_set(e, ENOMEM, "out of memory");
	p->bufs = grown;
	if (count > 2) {
		grown = realloc(p->args, (p->n - 2 + count + 1) * sizeof(*p->args));
		if (!grown)
			return err_set(e, ENOMEM, "out of memory");
		p->args = grown;
	}
	memmove(&p->args[p->pos + count], &p->args[p->pos + 2],
		(p->n - p->pos - 2) * sizeof(*p->args));
	p->n = p->n - 2 + count;
	p->args[p->n] = NULL;
	for (size_t i = 0, k = 0; i < len; i += strlen(data + i) + 1)
		p->args[p->pos + k++] = data + i;
	p->file_end = p->pos + count;
	p->bufs[p->n_bufs++] = steal_ptr(data);
	return 0;
}

static int run_extra(struct parser *p, struct err *e)
{
	int used = 0;
	if (p->ctx->extra) {
		if (check_pending(p, p->args[p->pos], 0, e) < 0)
			return -1;
		used = p->ctx->extra(p->ctx->extra_data, (int)(p->n - p->pos), &p->args[p->pos], e);
		if (used < 0)
			return -1;
	}
	if (used == 0)
		return err_setx(e, "Unknown option %s", p->args[p->pos]);
	p->pos += (size_t)used;
	return 0;
}

static int parse_loop(struct parser *p, struct err *e)
{
	static const char *const nargs_text[] = { "no arguments", "an argument", "two arguments",
						  "three arguments" };
	while (p->pos < p->n) {
		const char *arg = p->args[p->pos];
		const struct opt_row *r;
		int rc;
		if (strcmp(arg, "--") == 0) {
			p->pos++;
			break;
		}
		if (arg[0] != '-')
			break;
		r = opt_find(arg);
		if (!r) {
			if (run_extra(p, e) < 0)
				return -1;
			continue;
		}
		if (r->flags & OPT_SPLICE) {
			if (splice_args(p, e) < 0)
				return -1;
			continue;
		}
		if (p->n - p->pos - 1 < r->nargs)
			return err_setx(e, "%s takes %s", r->name, nargs_text[r->nargs]);
		if (check_pending(p, r->name, r->flags, e) < 0)
			return -1;
		rc = r->fn(p, r, &p->args[p->pos], e);
		if (rc != 0)
			return rc;
		p->pos += 1 + r->nargs;
	}
	return check_pending(p, NULL, 0, e);
}

/* ---- after the last option ---- */

static int take_command(struct parser *p, struct err *e)
{
	struct sandbox_spec *s = p->s;
	char **argv;
	size_t n = p->n - p->pos;
	if (n == 0) {
		if (s->argc == 0 && p->ctx->want_command && !s->print_policy)
			return err_setx(e, "No command specified");
		return 0;
	}
	/* the command line's COMMAND wins over a policy's "command" */
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		argv[i] = strdup(p->args[p->pos + i]);
		if (!argv[i]) {
			for (size_t j = 0; j < i; j++)
				free(argv[j]);
			free(argv);
			return err_set(e, ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	s->argv = argv;
	s->argc = n;
	return 0;
}

/* bubblewrap's checks that span options. Run after the profile and policies are applied too. */
static int validate_userns(const struct sandbox_spec *s, struct err *e)
{
	bool newuser = s->ns & CLONE_NEWUSER;
	/* without root there is always a new user namespace (unless --userns is given) */
	bool userns = newuser || s->userns_try || s->userns_fd >= 0 || getuid() != 0;
	if (s->userns_block_fd >= 0 && !newuser)
		return err_setx(e, "--userns-block-fd %d: requires --unshare-user",
				s->userns_block_fd);
	if (s->userns_block_fd >= 0 && s->info_fd < 0)
		return err_setx(e, "--userns-block-fd %d: requires --info-fd", s->userns_block_fd);
	if (s->userns_fd >= 0 && newuser)
		return err_setx(e, "--userns %d: cannot be combined with --unshare-user",
				s->userns_fd);
	if (s->userns_fd >= 0 && s->userns_try)
		return err_setx(e, "--userns %d: cannot be combined with --unshare-user-try",
				s->userns_fd);
	if (s->disable_userns && !newuser)
		return err_setx(e, "--disable-userns: requires --unshare-user");
	if (s->disable_userns && s->userns_block_fd >= 0)
		return err_setx(e, "--disable-userns: cannot be combined with --userns-block-fd");
	if (s->has_uid && s->uid != getuid() && !userns)
		return err_setx(e, "--uid %u: requires --unshare-user or --userns",
				(unsigned)s->uid);
	if (s->has_gid && s->gid != getgid() && !userns)
		return err_setx(e, "--gid %u: requires --unshare-user or --userns",
				(unsigned)s->gid);
	return 0;
}

static int validate(const struct sandbox_spec *s, struct err *e)
{
	if (validate_userns(s, e) < 0)
		return -1;
	if (s->hostname && !(s->ns & CLONE_NEWUTS))
		return err_setx(e, "--hostname %s: requires --unshare-uts", s->hostname);
	if (s->as_pid_1 && !(s->ns & CLONE_NEWPID))
		return err_setx(e, "--as-pid-1: requires --unshare-pid");
	if (s->as_pid_1 && s->n_lock_files)
		return err_setx(e, "--as-pid-1: cannot be combined with --lock-file");
	if (s->seccomp_fd >= 0 && s->n_add_seccomp_fds)
		return err_setx(e, "--seccomp %d: cannot be combined with --add-seccomp-fd",
				s->seccomp_fd);
	return 0;
}

static void parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->n_bufs; i++)
		free(p->bufs[i]);
	free(p->bufs);
	free(p->args);
	for (size_t i = 0; i < p->n_ovl; i++)
		free(p->ovl[i]);
	free(p->ovl);
}

int options_parse(const struct options_ctx *ctx, int argc, char **argv, struct sandbox_spec *spec,
		  struct err *e)
{
	static const struct options_ctx defaults = { .prog = "cordon", .want_command = true };
	struct parser p = { .ctx = ctx ? ctx : &defaults, .s = spec };
	int rc;

	if (argc < 1)
		argc = 1;
	if ((size_t)argc - 1 > OPTIONS_MAX_ARGS)
		return err_setx(e, "too many arguments (at most %d)", OPTIONS_MAX_ARGS);
	p.n = (size_t)argc - 1;
	p.args = calloc(p.n + 1, sizeof(*p.args));
	if (!p.args)
		return err_set(e, ENOMEM, "out of memory");
	if (p.n)
		memcpy(p.args, argv + 1, p.n * sizeof(*p.args));

	rc = parse_loop(&p, e);
	if (rc == 0)
		rc = take_command(&p, e);
	if (rc == 0)
		rc = validate(spec, e);
	parser_free(&p);
	return rc < 0 ? -1 : rc == OPTIONS_EXIT ? OPTIONS_EXIT : OPTIONS_RUN;
}
