/* Unit tests for launcher/options.c: the bubblewrap-compatible command line. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/options.h"
#include "../../launcher/spec.h"

struct fixture {
	struct sandbox_spec s;
	struct err e;
	int fd;	 /* an open fd (/dev/null) */
	int fd2; /* another one */
	char fdstr[16], fd2str[16];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	spec_init(&f->s);
	f->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	f->fd2 = open("/dev/null", O_RDONLY | O_CLOEXEC);
	snprintf(f->fdstr, sizeof(f->fdstr), "%d", f->fd);
	snprintf(f->fd2str, sizeof(f->fd2str), "%d", f->fd2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	spec_free(&f->s);
	if (f->fd >= 0)
		close(f->fd);
	if (f->fd2 >= 0)
		close(f->fd2);
	free(f);
	return 0;
}

/* options_parse takes char ** like main's argv; it never writes to the strings */
static int parse_ctx(struct fixture *f, const struct options_ctx *ctx, const char **argv)
{
	char *copy[128];
	int argc = 0;
	while (argv[argc])
		argc++;
	assert_true(argc < 128);
	memcpy(copy, argv, (size_t)(argc + 1) * sizeof(*copy));
	spec_free(&f->s);
	err_clear(&f->e);
	return options_parse(ctx, argc, copy, &f->s, &f->e);
}

static int parse_v(struct fixture *f, const char **argv)
{
	const struct options_ctx ctx = { .prog = "cordon", .want_command = true };
	return parse_ctx(f, &ctx, argv);
}

#define PARSE(f, ...) parse_v((f), (const char *[]){ "cordon", __VA_ARGS__, NULL })
#define PARSE_OK(f, ...)                                                                           \
	do {                                                                                       \
		int rc_ = PARSE(f, __VA_ARGS__);                                                   \
		if (rc_ != OPTIONS_RUN)                                                            \
			fail_msg("parse failed: %s", (f)->e.msg);                                  \
	} while (0)
#define PARSE_ERR(f, m, ...)                                                                       \
	do {                                                                                       \
		assert_int_equal(PARSE(f, __VA_ARGS__), -1);                                       \
		assert_string_equal((f)->e.msg, m);                                                \
	} while (0)

/* ---- general ---- */

static void test_command_after_options(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--unshare-pid", "echo", "a", "--bind", "b");
	assert_int_equal(f->s.argc, 4);
	assert_string_equal(f->s.argv[0], "echo");
	assert_string_equal(f->s.argv[2], "--bind");
	assert_null(f->s.argv[4]);
	assert_true(f->s.ns & CLONE_NEWPID);
}

static void test_double_dash_ends_options(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--", "--version", "x");
	assert_int_equal(f->s.argc, 2);
	assert_string_equal(f->s.argv[0], "--version");
}

static void test_no_command(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "No command specified", "--unshare-pid");
	PARSE_ERR(f, "No command specified", "--unshare-pid", "--");
	assert_int_equal(parse_v(f, (const char *[]){ "cordon", NULL }), -1);
	assert_string_equal(f->e.msg, "No command specified");
}

static void test_no_command_ok_without_want_command(void **state)
{
	struct fixture *f = *state;
	const struct options_ctx ctx = { .prog = "forktop", .want_command = false };
	assert_int_equal(parse_ctx(f, &ctx, (const char *[]){ "forktop", "--unshare-net", NULL }),
			 OPTIONS_RUN);
	assert_int_equal(f->s.argc, 0);
	assert_true(f->s.ns & CLONE_NEWNET);
}

static void test_no_command_ok_with_print_policy(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--print-policy");
	assert_true(f->s.print_policy);
	assert_int_equal(f->s.argc, 0);
}

static void test_unknown_option(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "Unknown option --foo", "--foo", "true");
	PARSE_ERR(f, "Unknown option -x", "-x", "true");
	PARSE_ERR(f, "Unknown option -", "-", "true");
}

/* every option that takes arguments, with nothing after it */
static void test_missing_arguments(void **state)
{
	static const struct {
		const char *opt, *msg;
	} cases[] = {
		{ "--args", "--args takes an argument" },
		{ "--argv0", "--argv0 takes an argument" },
		{ "--userns", "--userns takes an argument" },
		{ "--userns2", "--userns2 takes an argument" },
		{ "--pidns", "--pidns takes an argument" },
		{ "--uid", "--uid takes an argument" },
		{ "--gid", "--gid takes an argument" },
		{ "--hostname", "--hostname takes an argument" },
		{ "--chdir", "--chdir takes an argument" },
		{ "--setenv", "--setenv takes two arguments" },
		{ "--unsetenv", "--unsetenv takes an argument" },
		{ "--lock-file", "--lock-file takes an argument" },
		{ "--sync-fd", "--sync-fd takes an argument" },
		{ "--perms", "--perms takes an argument" },
		{ "--size", "--size takes an argument" },
		{ "--bind", "--bind takes two arguments" },
		{ "--bind-try", "--bind-try takes two arguments" },
		{ "--ro-bind", "--ro-bind takes two arguments" },
		{ "--ro-bind-try", "--ro-bind-try takes two arguments" },
		{ "--dev-bind", "--dev-bind takes two arguments" },
		{ "--dev-bind-try", "--dev-bind-try takes two arguments" },
		{ "--bind-fd", "--bind-fd takes two arguments" },
		{ "--ro-bind-fd", "--ro-bind-fd takes two arguments" },
		{ "--remount-ro", "--remount-ro takes an argument" },
		{ "--overlay-src", "--overlay-src takes an argument" },
		{ "--overlay", "--overlay takes three arguments" },
		{ "--tmp-overlay", "--tmp-overlay takes an argument" },
		{ "--ro-overlay", "--ro-overlay takes an argument" },
		{ "--proc", "--proc takes an argument" },
		{ "--dev", "--dev takes an argument" },
		{ "--tmpfs", "--tmpfs takes an argument" },
		{ "--mqueue", "--mqueue takes an argument" },
		{ "--dir", "--dir takes an argument" },
		{ "--file", "--file takes two arguments" },
		{ "--bind-data", "--bind-data takes two arguments" },
		{ "--ro-bind-data", "--ro-bind-data takes two arguments" },
		{ "--symlink", "--symlink takes two arguments" },
		{ "--chmod", "--chmod takes two arguments" },
		{ "--seccomp", "--seccomp takes an argument" },
		{ "--add-seccomp-fd", "--add-seccomp-fd takes an argument" },
		{ "--exec-label", "--exec-label takes an argument" },
		{ "--file-label", "--file-label takes an argument" },
		{ "--block-fd", "--block-fd takes an argument" },
		{ "--userns-block-fd", "--userns-block-fd takes an argument" },
		{ "--info-fd", "--info-fd takes an argument" },
		{ "--json-status-fd", "--json-status-fd takes an argument" },
		{ "--cap-add", "--cap-add takes an argument" },
		{ "--cap-drop", "--cap-drop takes an argument" },
		{ "--profile", "--profile takes an argument" },
		{ "--policy", "--policy takes an argument" },
		{ "--deny-syscall", "--deny-syscall takes an argument" },
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *opt = cases[i].opt;
		assert_int_equal(parse_v(f, (const char *[]){ "cordon", opt, NULL }), -1);
		assert_string_equal(f->e.msg, cases[i].msg);
	}
	/* two-argument options with one argument */
	PARSE_ERR(f, "--bind takes two arguments", "--bind", "/a");
	PARSE_ERR(f, "--overlay takes three arguments", "--overlay-src", "/l", "--overlay", "a",
		  "b");
}

/* Capture what fn writes to stdout. */
static char *capture_stdout(struct fixture *f, const char **argv, int *rc)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char *buf = calloc(1, 65536);
	size_t n;
	assert_non_null(tmp);
	assert_non_null(buf);
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	*rc = parse_v(f, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, 65535, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void test_help(void **state)
{
	struct fixture *f = *state;
	int rc;
	char *out = capture_stdout(f, (const char *[]){ "cordon", "--help", "--bogus", NULL }, &rc);
	assert_int_equal(rc, OPTIONS_EXIT);
	assert_non_null(strstr(out, "usage: cordon [OPTIONS...] [--] COMMAND [ARGS...]"));
	/* every option is listed */
	static const char *const opts[] = {
		"--args FD",
		"--overlay RWSRC WORKDIR DEST",
		"--tmp-overlay DEST",
		"--ro-overlay DEST",
		"--bind-fd FD DEST",
		"--chmod OCTAL PATH",
		"--level-prefix",
		"--userns2 FD",
		"--disable-userns",
		"--assert-userns-disabled",
		"--unshare-cgroup-try",
		"--pidns FD",
		"--profile NAME",
		"--policy FILE",
		"--print-policy",
		"--deny-syscall NAME",
		"--perms OCTAL",
		"--size BYTES",
		"--json-status-fd FD",
		"--as-pid-1",
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strstr(out, opts[i]))
			fail_msg("--help lacks %s", opts[i]);
	free(out);
}

static void test_help_stops_at_earlier_error(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "Unknown option --bogus", "--bogus", "--help");
}

static void test_version(void **state)
{
	struct fixture *f = *state;
	int rc;
	char *out = capture_stdout(f, (const char *[]){ "cordon", "--version", NULL }, &rc);
	assert_int_equal(rc, OPTIONS_EXIT);
	assert_string_equal(out, "cordon " VERSION "\n");
	free(out);
}

static void test_version_as_bwrap(void **state)
{
	struct fixture *f = *state;
	const struct options_ctx ctx = { .prog = "bwrap", .want_command = true };
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char buf[256] = "";
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	assert_int_equal(parse_ctx(f, &ctx, (const char *[]){ "bwrap", "--version", NULL }),
			 OPTIONS_EXIT);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	assert_non_null(fgets(buf, sizeof(buf), tmp));
	fclose(tmp);
	assert_string_equal(buf, "bubblewrap 0.11.0 (cordon " VERSION ")\n");
}

/* ---- namespaces ---- */

static void test_unshare_each(void **state)
{
	static const struct {
		const char *opt;
		unsigned long bit;
	} cases[] = {
		{ "--unshare-user", CLONE_NEWUSER }, { "--unshare-ipc", CLONE_NEWIPC },
		{ "--unshare-pid", CLONE_NEWPID },   { "--unshare-net", CLONE_NEWNET },
		{ "--unshare-uts", CLONE_NEWUTS },   { "--unshare-cgroup", CLONE_NEWCGROUP },
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *opt = cases[i].opt;
		assert_int_equal(parse_v(f, (const char *[]){ "cordon", opt, "true", NULL }),
				 OPTIONS_RUN);
		assert_int_equal(f->s.ns, CLONE_NEWNS | cases[i].bit);
		assert_false(f->s.userns_try);
		assert_false(f->s.cgroup_try);
	}
	PARSE_OK(f, "--unshare-user-try", "true");
	assert_true(f->s.userns_try);
	assert_int_equal(f->s.ns, CLONE_NEWNS);
	PARSE_OK(f, "--unshare-cgroup-try", "true");
	assert_true(f->s.cgroup_try);
	assert_int_equal(f->s.ns, CLONE_NEWNS);
}

static void test_unshare_all(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--unshare-all", "true");
	assert_int_equal(f->s.ns,
			 CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS);
	assert_true(f->s.userns_try);
	assert_true(f->s.cgroup_try);
}

static void test_share_net(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--unshare-all", "--share-net", "true");
	assert_false(f->s.ns & CLONE_NEWNET);
	assert_true(f->s.ns & CLONE_NEWPID);
	/* --share-net only undoes what came before it */
	PARSE_OK(f, "--share-net", "--unshare-net", "true");
	assert_true(f->s.ns & CLONE_NEWNET);
	PARSE_OK(f, "--unshare-net", "--share-net", "true");
	assert_false(f->s.ns & CLONE_NEWNET);
}

static void test_ns_fds(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--userns", f->fdstr, "--userns2", f->fd2str, "--pidns", f->fdstr, "true");
	assert_int_equal(f->s.userns_fd, f->fd);
	assert_int_equal(f->s.userns2_fd, f->fd2);
	assert_int_equal(f->s.pidns_fd, f->fd);
	/* last one wins, like bwrap */
	PARSE_OK(f, "--pidns", f->fdstr, "--pidns", f->fd2str, "true");
	assert_int_equal(f->s.pidns_fd, f->fd2);
}

static void test_userns_flags(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--unshare-user", "--disable-userns", "true");
	assert_true(f->s.disable_userns);
	PARSE_OK(f, "--assert-userns-disabled", "true");
	assert_true(f->s.assert_userns_disabled);
	assert_false(f->s.disable_userns);
}

static void test_userns_rules(void **state)
{
	struct fixture *f = *state;
	char msg[128];
	PARSE_ERR(f, "--disable-userns: requires --unshare-user", "--disable-userns", "true");
	PARSE_ERR(f, "--disable-userns: requires --unshare-user", "--unshare-all",
		  "--disable-userns", "true");
	snprintf(msg, sizeof(msg), "--userns %d: cannot be combined with --unshare-user", f->fd);
	PARSE_ERR(f, msg, "--userns", f->fdstr, "--unshare-user", "true");
	snprintf(msg, sizeof(msg), "--userns %d: cannot be combined with --unshare-user-try",
		 f->fd);
	PARSE_ERR(f, msg, "--unshare-all", "--userns", f->fdstr, "true");
	snprintf(msg, sizeof(msg), "--userns-block-fd %d: requires --unshare-user", f->fd);
	PARSE_ERR(f, msg, "--userns-block-fd", f->fdstr, "true");
	snprintf(msg, sizeof(msg), "--userns-block-fd %d: requires --info-fd", f->fd);
	PARSE_ERR(f, msg, "--unshare-user", "--userns-block-fd", f->fdstr, "true");
	PARSE_OK(f, "--unshare-user", "--userns-block-fd", f->fdstr, "--info-fd", f->fd2str,
		 "true");
	assert_int_equal(f->s.userns_block_fd, f->fd);
	assert_int_equal(f->s.info_fd, f->fd2);
	PARSE_ERR(f, "--disable-userns: cannot be combined with --userns-block-fd",
		  "--unshare-user", "--disable-userns", "--userns-block-fd", f->fdstr, "--info-fd",
		  f->fd2str, "true");
}

static void test_uid_gid(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--unshare-user", "--uid", "1000", "--gid", "0", "true");
	assert_true(f->s.has_uid);
	assert_true(f->s.has_gid);
	assert_int_equal(f->s.uid, 1000);
	assert_int_equal(f->s.gid, 0);
	PARSE_OK(f, "--unshare-user", "--uid", "4294967294", "true");
	assert_int_equal(f->s.uid, 4294967294u);
	PARSE_OK(f, "--unshare-user", "--uid", "007", "true");
	assert_int_equal(f->s.uid, 7);
	PARSE_OK(f, "true");
	assert_false(f->s.has_uid);
}

static void test_uid_gid_bad_numbers(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--uid abc: not a number", "--uid", "abc", "true");
	PARSE_ERR(f, "--uid '': not a number", "--uid", "", "true");
	PARSE_ERR(f, "--uid 12x: not a number", "--uid", "12x", "true");
	PARSE_ERR(f, "--uid  5: not a number", "--uid", " 5", "true");
	PARSE_ERR(f, "--uid +5: not a number", "--uid", "+5", "true");
	PARSE_ERR(f, "--uid 0x10: not a number", "--uid", "0x10", "true");
	PARSE_ERR(f, "--uid -1: out of range", "--uid", "-1", "true");
	PARSE_ERR(f, "--uid 4294967295: out of range", "--uid", "4294967295", "true");
	PARSE_ERR(f, "--uid 99999999999999999999999: out of range", "--uid",
		  "99999999999999999999999", "true");
	PARSE_ERR(f, "--gid -5: out of range", "--gid", "-5", "true");
	PARSE_ERR(f, "--gid x: not a number", "--gid", "x", "true");
}

static void test_uid_needs_userns(void **state)
{
	struct fixture *f = *state;
	char self[32];
	snprintf(self, sizeof(self), "%u", (unsigned)getuid());
	/* the caller's own uid never needs a user namespace */
	PARSE_OK(f, "--uid", self, "true");
	if (getuid() == 0) {
		PARSE_ERR(f, "--uid 5: requires --unshare-user or --userns", "--uid", "5", "true");
		PARSE_ERR(f, "--gid 5: requires --unshare-user or --userns", "--gid", "5", "true");
	} else {
		/* without root a user namespace is always made */
		PARSE_OK(f, "--uid", "5", "true");
	}
	PARSE_OK(f, "--unshare-user-try", "--uid", "5", "true");
	PARSE_OK(f, "--userns", f->fdstr, "--uid", "5", "--gid", "6", "true");
}

static void test_hostname(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--unshare-uts", "--hostname", "a", "--hostname", "box", "true");
	assert_string_equal(f->s.hostname, "box");
	PARSE_ERR(f, "--hostname box: requires --unshare-uts", "--hostname", "box", "true");
}

/* ---- environment ---- */

static void test_env_in_order(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--setenv", "A", "1", "--unsetenv", "B", "--setenv", "A", "", "true");
	assert_int_equal(f->s.n_env, 3);
	assert_int_equal(f->s.env[0].type, ENV_SET);
	assert_string_equal(f->s.env[0].name, "A");
	assert_string_equal(f->s.env[0].value, "1");
	assert_int_equal(f->s.env[1].type, ENV_UNSET);
	assert_string_equal(f->s.env[1].name, "B");
	assert_null(f->s.env[1].value);
	assert_string_equal(f->s.env[2].value, "");
	assert_false(f->s.clearenv);
}

static void test_clearenv_drops_earlier_setenv(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--setenv", "A", "1", "--clearenv", "--setenv", "B", "2", "true");
	assert_true(f->s.clearenv);
	assert_int_equal(f->s.n_env, 1);
	assert_string_equal(f->s.env[0].name, "B");
}

static void test_env_bad_names(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--setenv A=B c: invalid variable name", "--setenv", "A=B", "c", "true");
	PARSE_ERR(f, "--setenv '' c: invalid variable name", "--setenv", "", "c", "true");
	PARSE_ERR(f, "--unsetenv '': invalid variable name", "--unsetenv", "", "true");
	PARSE_ERR(f, "--unsetenv X=: invalid variable name", "--unsetenv", "X=", "true");
}

static void test_strings(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--chdir", "/a", "--chdir", "/b", "--argv0", "zero", "--exec-label", "x_t",
		 "--file-label", "y_t", "true");
	assert_string_equal(f->s.chdir, "/b");
	assert_string_equal(f->s.argv0, "zero");
	assert_string_equal(f->s.exec_label, "x_t");
	assert_string_equal(f->s.file_label, "y_t");
	PARSE_ERR(f, "--argv0 b: used multiple times", "--argv0", "a", "--argv0", "b", "true");
}

/* ---- lifecycle ---- */

static void test_bools(void **state)
{
	static const struct {
		const char *opt;
		size_t off;
	} cases[] = {
		{ "--level-prefix", offsetof(struct sandbox_spec, level_prefix) },
		{ "--new-session", offsetof(struct sandbox_spec, new_session) },
		{ "--die-with-parent", offsetof(struct sandbox_spec, die_with_parent) },
		{ "--print-policy", offsetof(struct sandbox_spec, print_policy) },
		{ "--disable-userns", offsetof(struct sandbox_spec, disable_userns) },
		{ "--assert-userns-disabled",
		  offsetof(struct sandbox_spec, assert_userns_disabled) },
		{ "--unshare-user-try", offsetof(struct sandbox_spec, userns_try) },
		{ "--unshare-cgroup-try", offsetof(struct sandbox_spec, cgroup_try) },
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *opt = cases[i].opt;
		int rc = parse_v(f,
				 (const char *[]){ "cordon", "--unshare-user", opt, "true", NULL });
		if (rc != OPTIONS_RUN)
			fail_msg("%s: %s", opt, f->e.msg);
		assert_true(*(bool *)((char *)&f->s + cases[i].off));
	}
	PARSE_OK(f, "--unshare-pid", "--as-pid-1", "true");
	assert_true(f->s.as_pid_1);
}

static void test_as_pid_1_rules(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--as-pid-1: requires --unshare-pid", "--as-pid-1", "true");
	PARSE_ERR(f, "--as-pid-1: cannot be combined with --lock-file", "--unshare-pid",
		  "--as-pid-1", "--lock-file", "/l", "true");
}

static void test_fd_fields(void **state)
{
	static const struct {
		const char *opt;
		size_t off;
	} cases[] = {
		{ "--block-fd", offsetof(struct sandbox_spec, block_fd) },
		{ "--info-fd", offsetof(struct sandbox_spec, info_fd) },
		{ "--json-status-fd", offsetof(struct sandbox_spec, json_status_fd) },
		{ "--seccomp", offsetof(struct sandbox_spec, seccomp_fd) },
		{ "--userns2", offsetof(struct sandbox_spec, userns2_fd) },
		{ "--pidns", offsetof(struct sandbox_spec, pidns_fd) },
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *opt = cases[i].opt;
		char msg[128];
		assert_int_equal(parse_v(f,
					 (const char *[]){ "cordon", opt, f->fdstr, "true", NULL }),
				 OPTIONS_RUN);
		assert_int_equal(*(int *)((char *)&f->s + cases[i].off), f->fd);
		assert_int_equal(parse_v(f, (const char *[]){ "cordon", opt, "999", "true", NULL }),
				 -1);
		snprintf(msg, sizeof(msg), "%s 999: Bad file descriptor", opt);
		assert_string_equal(f->e.msg, msg);
		assert_int_equal(f->e.code, EBADF);
		assert_int_equal(parse_v(f, (const char *[]){ "cordon", opt, "x", "true", NULL }),
				 -1);
		snprintf(msg, sizeof(msg), "%s x: not a number", opt);
		assert_string_equal(f->e.msg, msg);
		assert_int_equal(parse_v(f, (const char *[]){ "cordon", opt, "-3", "true", NULL }),
				 -1);
		snprintf(msg, sizeof(msg), "%s -3: out of range", opt);
		assert_string_equal(f->e.msg, msg);
	}
	PARSE_ERR(f, "--sync-fd 99: Bad file descriptor", "--sync-fd", "99", "true");
	PARSE_ERR(f, "--sync-fd 99999999999: out of range", "--sync-fd", "99999999999", "true");
}

static void test_sync_fds_and_lock_files_repeat(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--sync-fd", f->fdstr, "--lock-file", "/a", "--sync-fd", f->fd2str,
		 "--lock-file", "/b", "true");
	assert_int_equal(f->s.n_sync_fds, 2);
	assert_int_equal(f->s.sync_fds[0], f->fd);
	assert_int_equal(f->s.sync_fds[1], f->fd2);
	assert_int_equal(f->s.n_lock_files, 2);
	assert_string_equal(f->s.lock_files[0], "/a");
	assert_string_equal(f->s.lock_files[1], "/b");
	PARSE_ERR(f, "--lock-file '': empty path", "--lock-file", "", "true");
}

/* ---- security ---- */

static void record_warning(void *data, const char *msg)
{
	snprintf(data, 128, "%s", msg);
}

static void test_seccomp(void **state)
{
	struct fixture *f = *state;
	char msg[160];
	PARSE_OK(f, "--add-seccomp-fd", f->fdstr, "--add-seccomp-fd", f->fd2str, "true");
	assert_int_equal(f->s.n_add_seccomp_fds, 2);
	assert_int_equal(f->s.add_seccomp_fds[0], f->fd);
	assert_int_equal(f->s.add_seccomp_fds[1], f->fd2);
	assert_int_equal(f->s.seccomp_fd, -1);
	/* a repeated --seccomp: the last one wins, with bubblewrap's warning */
	{
		char warned[128] = "";
		const struct options_ctx ctx = { .prog = "cordon",
						 .want_command = true,
						 .warn = record_warning,
						 .warn_data = warned };
		const char *argv[] = { "cordon",  "--seccomp", f->fdstr, "--seccomp",
				       f->fd2str, "true",      NULL };
		assert_int_equal(parse_ctx(f, &ctx, argv), OPTIONS_RUN);
		assert_int_equal(f->s.seccomp_fd, f->fd2);
		assert_string_equal(warned, "Only the last --seccomp option will take effect");
	}
	snprintf(msg, sizeof(msg), "--seccomp %d: cannot be combined with --add-seccomp-fd", f->fd);
	PARSE_ERR(f, msg, "--add-seccomp-fd", f->fd2str, "--seccomp", f->fdstr, "true");
	snprintf(msg, sizeof(msg), "--add-seccomp-fd %d: cannot be combined with --seccomp",
		 f->fd2);
	PARSE_ERR(f, msg, "--seccomp", f->fdstr, "--add-seccomp-fd", f->fd2str, "true");
	PARSE_ERR(f, "--add-seccomp-fd 999: Bad file descriptor", "--add-seccomp-fd", "999",
		  "true");
}

static void test_caps(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--cap-add", "CAP_SYS_ADMIN", "--cap-drop", "ALL", "--cap-add", "net_raw",
		 "--cap-add", "Cap_Chown", "--cap-drop", "all", "--cap-add", "cap_kill", "true");
	assert_int_equal(f->s.n_caps, 6);
	assert_true(f->s.caps[0].add);
	assert_int_equal(f->s.caps[0].cap, 21 /* CAP_SYS_ADMIN */);
	assert_false(f->s.caps[1].add);
	assert_int_equal(f->s.caps[1].cap, -1);
	assert_int_equal(f->s.caps[2].cap, 13 /* CAP_NET_RAW */);
	assert_int_equal(f->s.caps[3].cap, 0 /* CAP_CHOWN */);
	assert_int_equal(f->s.caps[4].cap, -1);
	assert_int_equal(f->s.caps[5].cap, 5 /* CAP_KILL */);
	PARSE_ERR(f, "--cap-add foo: unknown capability", "--cap-add", "foo", "true");
	PARSE_ERR(f, "--cap-drop CAP_: unknown capability", "--cap-drop", "CAP_", "true");
	/* numbers, as libcap (and so bubblewrap) takes them */
	PARSE_OK(f, "--cap-add", "12", "true");
	assert_int_equal(f->s.caps[0].cap, 12 /* CAP_NET_ADMIN */);
	PARSE_ERR(f, "--cap-add 99: unknown capability", "--cap-add", "99", "true");
	PARSE_ERR(f, "--cap-add 1x: unknown capability", "--cap-add", "1x", "true");
	PARSE_ERR(f, "--cap-add '': unknown capability", "--cap-add", "", "true");
}

static void test_deny_syscall(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--deny-syscall", "ptrace", "--deny-syscall", "mount", "true");
	assert_int_equal(f->s.n_syscall_deny, 2);
	assert_string_equal(f->s.syscall_deny[0], "ptrace");
	assert_string_equal(f->s.syscall_deny[1], "mount");
	PARSE_ERR(f, "--deny-syscall foo: unknown system call", "--deny-syscall", "foo", "true");
	PARSE_ERR(f, "--deny-syscall '': unknown system call", "--deny-syscall", "", "true");
}

static void test_net_pasta(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--net-pasta", "true");
	assert_true(f->s.net_pasta);
	assert_true(f->s.ns & CLONE_NEWNET);
	assert_int_equal(f->s.n_net_pasta_args, 0);
	/* split at blanks; repeated options add up, in order */
	PARSE_OK(f, "--net-pasta", "--net-pasta-args", "  -t\t127.0.0.1/80  -4 ",
		 "--net-pasta-args", "--no-map-gw", "true");
	assert_int_equal(f->s.n_net_pasta_args, 4);
	assert_string_equal(f->s.net_pasta_args[0], "-t");
	assert_string_equal(f->s.net_pasta_args[1], "127.0.0.1/80");
	assert_string_equal(f->s.net_pasta_args[2], "-4");
	assert_string_equal(f->s.net_pasta_args[3], "--no-map-gw");
	/* values that merely look like refused options are fine */
	PARSE_OK(f, "--net-pasta", "--net-pasta-args",
		 "-t 8080 -u 53 -I p0 --ns-mac-addr 02:00:00:00:00:01", "true");
	assert_int_equal(f->s.n_net_pasta_args, 8);
	/* --share-net after it is caught when the sandbox starts (sandbox.c), not here */
	PARSE_OK(f, "--net-pasta", "--share-net", "true");
	assert_true(f->s.net_pasta);
	assert_false(f->s.ns & CLONE_NEWNET);
}

static void test_net_pasta_errors(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--net-pasta-args '': no pasta options given", "--net-pasta-args", "", "true");
	PARSE_ERR(f, "--net-pasta-args '  ': no pasta options given", "--net-pasta-args", "  ",
		  "true");
	PARSE_ERR(f, "--net-pasta-args -f: -f: cordon sets --foreground itself", "--net-pasta-args",
		  "-f", "true");
	PARSE_ERR(f, "--net-pasta-args -4qf: -4qf: cordon sets --foreground itself",
		  "--net-pasta-args", "-4qf", "true");
	PARSE_ERR(f, "--net-pasta-args -P/x: -P/x: cordon sets --pid itself", "--net-pasta-args",
		  "-P/x", "true");
	PARSE_ERR(f, "--net-pasta-args -t 1 --netns x: --netns: cordon sets --netns itself",
		  "--net-pasta-args", "-t 1 --netns x", "true");
	PARSE_ERR(f, "--net-pasta-args --userns=/x: --userns=/x: cordon sets --userns itself",
		  "--net-pasta-args", "--userns=/x", "true");
	/* getopt_long takes an unambiguous prefix: so does the check */
	PARSE_ERR(f, "--net-pasta-args --run 0: --run: cordon sets --runas itself",
		  "--net-pasta-args", "--run 0", "true");
	PARSE_ERR(f, "--net-pasta-args --version: --version: cordon sets --version itself",
		  "--net-pasta-args", "--version", "true");
	PARSE_ERR(f, "--net-pasta-args takes an argument", "--net-pasta-args");
}

static void test_rlimit(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--rlimit", "nofile=64:128", "--rlimit", "core=0", "--rlimit", "cpu=unlimited",
		 "--rlimit", "stack=8388608:unlimited", "true");
	assert_int_equal(f->s.n_rlimits, 4);
	assert_int_equal(f->s.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(f->s.rlimits[0].soft, 64);
	assert_int_equal(f->s.rlimits[0].hard, 128);
	/* SOFT alone sets both, as prlimit(1) does */
	assert_int_equal(f->s.rlimits[1].resource, RLIMIT_CORE);
	assert_int_equal(f->s.rlimits[1].soft, 0);
	assert_int_equal(f->s.rlimits[1].hard, 0);
	assert_true(f->s.rlimits[2].soft == SPEC_RLIM_UNLIMITED);
	assert_true(f->s.rlimits[2].hard == SPEC_RLIM_UNLIMITED);
	assert_int_equal(f->s.rlimits[3].soft, 8388608);
	assert_true(f->s.rlimits[3].hard == SPEC_RLIM_UNLIMITED);
	/* a later --rlimit on the same resource replaces the earlier one */
	PARSE_OK(f, "--rlimit", "nofile=64:128", "--rlimit", "nproc=5", "--rlimit", "nofile=9",
		 "true");
	assert_int_equal(f->s.n_rlimits, 2);
	assert_int_equal(f->s.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(f->s.rlimits[0].soft, 9);
	assert_int_equal(f->s.rlimits[0].hard, 9);
	/* every resource of the table */
	PARSE_OK(f, "--rlimit", "as=1", "--rlimit", "core=1", "--rlimit", "cpu=1", "--rlimit",
		 "data=1", "--rlimit", "fsize=1", "--rlimit", "locks=1", "--rlimit", "memlock=1",
		 "--rlimit", "msgqueue=1", "--rlimit", "nice=1", "--rlimit", "nofile=1", "--rlimit",
		 "nproc=1", "--rlimit", "rss=1", "--rlimit", "rtprio=1", "--rlimit", "rttime=1",
		 "--rlimit", "sigpending=1", "--rlimit", "stack=1", "true");
	assert_int_equal(f->s.n_rlimits, 16);
}

static void test_rlimit_errors(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--rlimit foo=1: unknown resource", "--rlimit", "foo=1", "true");
	PARSE_ERR(f, "--rlimit NOFILE=1: unknown resource", "--rlimit", "NOFILE=1", "true");
	PARSE_ERR(f, "--rlimit =1: unknown resource", "--rlimit", "=1", "true");
	PARSE_ERR(f, "--rlimit nofile=abc: not a number", "--rlimit", "nofile=abc", "true");
	PARSE_ERR(f, "--rlimit nofile=1:abc: not a number", "--rlimit", "nofile=1:abc", "true");
	PARSE_ERR(f, "--rlimit nofile=: not a number", "--rlimit", "nofile=", "true");
	PARSE_ERR(f, "--rlimit nofile=1:: not a number", "--rlimit", "nofile=1:", "true");
	PARSE_ERR(f, "--rlimit nofile=0x10: not a number", "--rlimit", "nofile=0x10", "true");
	PARSE_ERR(f, "--rlimit nofile= 1: not a number", "--rlimit", "nofile= 1", "true");
	PARSE_ERR(f, "--rlimit nofile=-1: out of range", "--rlimit", "nofile=-1", "true");
	PARSE_ERR(f, "--rlimit nofile=9223372036854775808: out of range", "--rlimit",
		  "nofile=9223372036854775808", "true");
	PARSE_ERR(f, "--rlimit nofile=10:5: soft limit above the hard limit", "--rlimit",
		  "nofile=10:5", "true");
	PARSE_ERR(f, "--rlimit nofile=unlimited:5: soft limit above the hard limit", "--rlimit",
		  "nofile=unlimited:5", "true");
	PARSE_ERR(f, "--rlimit nofile: expected NAME=SOFT[:HARD]", "--rlimit", "nofile", "true");
	PARSE_ERR(f, "--rlimit takes an argument", "--rlimit");
}

static void test_landlock(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "true");
	assert_false(f->s.landlock);
	PARSE_OK(f, "--landlock", "true");
	assert_true(f->s.landlock);
	assert_int_equal(f->s.n_landlock_ro + f->s.n_landlock_rw, 0);
	/* a path implies --landlock; paths are inside the sandbox: "a/b" is "/a/b" */
	PARSE_OK(f, "--landlock-ro", "/usr", "--landlock-rw", "tmp/x", "--landlock-ro", "/etc",
		 "true");
	assert_true(f->s.landlock);
	assert_int_equal(f->s.n_landlock_ro, 2);
	assert_string_equal(f->s.landlock_ro[0], "/usr");
	assert_string_equal(f->s.landlock_ro[1], "/etc");
	assert_int_equal(f->s.n_landlock_rw, 1);
	assert_string_equal(f->s.landlock_rw[0], "/tmp/x");
	PARSE_ERR(f, "--landlock-ro '': empty path", "--landlock-ro", "", "true");
	PARSE_ERR(f, "--landlock-rw '': empty path", "--landlock-rw", "", "true");
	PARSE_ERR(f, "--landlock-rw takes an argument", "--landlock-rw");
}

/* ---- filesystem ops ---- */

static void assert_op(const struct op *o, enum op_type type, unsigned flags, const char *src,
		      const char *dest, int fd, const char *option)
{
	assert_int_equal(o->type, type);
	assert_int_equal(o->flags, flags);
	if (src)
		assert_string_equal(o->src, src);
	else
		assert_null(o->src);
	assert_string_equal(o->dest, dest);
	assert_int_equal(o->fd, fd);
	assert_string_equal(o->option, option);
}

static void test_binds(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--bind", "/a", "/1", "--bind-try", "/b", "/2", "--ro-bind", "/c", "/3",
		 "--ro-bind-try", "/d", "/4", "--dev-bind", "/e", "/5", "--dev-bind-try", "/f",
		 "/6", "true");
	assert_int_equal(f->s.n_ops, 6);
	assert_op(&f->s.ops[0], OP_BIND, 0, "/a", "/1", -1, "--bind");
	assert_op(&f->s.ops[1], OP_BIND, OPF_TRY, "/b", "/2", -1, "--bind-try");
	assert_op(&f->s.ops[2], OP_BIND, OPF_RO, "/c", "/3", -1, "--ro-bind");
	assert_op(&f->s.ops[3], OP_BIND, OPF_RO | OPF_TRY, "/d", "/4", -1, "--ro-bind-try");
	assert_op(&f->s.ops[4], OP_BIND, OPF_DEV, "/e", "/5", -1, "--dev-bind");
	assert_op(&f->s.ops[5], OP_BIND, OPF_DEV | OPF_TRY, "/f", "/6", -1, "--dev-bind-try");
}

static void test_fd_ops(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--bind-fd", f->fdstr, "/1", "--ro-bind-fd", f->fd2str, "/2", "--file",
		 f->fdstr, "/3", "--bind-data", f->fd2str, "/4", "--ro-bind-data", f->fdstr, "/5",
		 "true");
	assert_int_equal(f->s.n_ops, 5);
	assert_op(&f->s.ops[0], OP_BIND_FD, 0, NULL, "/1", f->fd, "--bind-fd");
	assert_op(&f->s.ops[1], OP_BIND_FD, OPF_RO, NULL, "/2", f->fd2, "--ro-bind-fd");
	assert_op(&f->s.ops[2], OP_FILE, 0, NULL, "/3", f->fd, "--file");
	assert_op(&f->s.ops[3], OP_BIND_DATA, 0, NULL, "/4", f->fd2, "--bind-data");
	assert_op(&f->s.ops[4], OP_BIND_DATA, OPF_RO, NULL, "/5", f->fd, "--ro-bind-data");
	PARSE_ERR(f, "--file 99 /x: Bad file descriptor", "--file", "99", "/x", "true");
	PARSE_ERR(f, "--bind-fd x /x: not a number", "--bind-fd", "x", "/x", "true");
	PARSE_ERR(f, "--ro-bind-data -1 /x: out of range", "--ro-bind-data", "-1", "/x", "true");
}

static void test_dest_ops(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--remount-ro", "/1", "--proc", "/2", "--dev", "/3", "--tmpfs", "/4",
		 "--mqueue", "/5", "--dir", "/6", "--symlink", "usr/bin", "/7", "--chmod", "0750",
		 "/8", "true");
	assert_int_equal(f->s.n_ops, 8);
	assert_op(&f->s.ops[0], OP_REMOUNT_RO, 0, NULL, "/1", -1, "--remount-ro");
	assert_op(&f->s.ops[1], OP_PROC, 0, NULL, "/2", -1, "--proc");
	assert_op(&f->s.ops[2], OP_DEV, 0, NULL, "/3", -1, "--dev");
	assert_op(&f->s.ops[3], OP_TMPFS, 0, NULL, "/4", -1, "--tmpfs");
	assert_op(&f->s.ops[4], OP_MQUEUE, 0, NULL, "/5", -1, "--mqueue");
	assert_op(&f->s.ops[5], OP_DIR, 0, NULL, "/6", -1, "--dir");
	assert_op(&f->s.ops[6], OP_SYMLINK, 0, "usr/bin", "/7", -1, "--symlink");
	assert_op(&f->s.ops[7], OP_CHMOD, OPF_PERMS, NULL, "/8", -1, "--chmod");
	assert_int_equal(f->s.ops[7].perms, 0750);
}

static void test_relative_dest_is_under_root(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--tmpfs", "tmp", "--bind", "rel", "a/b", "true");
	assert_string_equal(f->s.ops[0].dest, "/tmp");
	assert_string_equal(f->s.ops[1].src, "rel");
	assert_string_equal(f->s.ops[1].dest, "/a/b");
}

static void test_empty_paths(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--tmpfs '': empty path", "--tmpfs", "", "true");
	PARSE_ERR(f, "--bind '' /x: empty path", "--bind", "", "/x", "true");
	PARSE_ERR(f, "--ro-bind /x '': empty path", "--ro-bind", "/x", "", "true");
	PARSE_ERR(f, "--symlink '' /x: empty path", "--symlink", "", "/x", "true");
	PARSE_ERR(f, "--chmod 0755 '': empty path", "--chmod", "0755", "", "true");
	PARSE_ERR(f, "--overlay-src '': empty path", "--overlay-src", "", "true");
}

static void test_ops_keep_argument_order(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--tmpfs", "/a", "--unshare-pid", "--dir", "/a/b", "--setenv", "X", "1",
		 "--bind", "/s", "/a/b", "--remount-ro", "/a", "true");
	assert_int_equal(f->s.n_ops, 4);
	assert_int_equal(f->s.ops[0].type, OP_TMPFS);
	assert_int_equal(f->s.ops[1].type, OP_DIR);
	assert_int_equal(f->s.ops[2].type, OP_BIND);
	assert_int_equal(f->s.ops[3].type, OP_REMOUNT_RO);
}

static void test_perms_applies_to_next_only(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--perms", "0700", "--tmpfs", "/a", "--tmpfs", "/b", "--perms", "1777", "--dir",
		 "/c", "--perms", "0", "--file", f->fdstr, "/d", "--perms", "640", "--bind-data",
		 f->fdstr, "/e", "--perms", "0444", "--ro-bind-data", f->fdstr, "/f", "true");
	assert_int_equal(f->s.n_ops, 6);
	assert_int_equal(f->s.ops[0].flags, OPF_PERMS);
	assert_int_equal(f->s.ops[0].perms, 0700);
	assert_int_equal(f->s.ops[1].flags, 0);
	assert_int_equal(f->s.ops[2].perms, 01777);
	assert_true(f->s.ops[2].flags & OPF_PERMS);
	assert_int_equal(f->s.ops[3].perms, 0);
	assert_true(f->s.ops[3].flags & OPF_PERMS);
	assert_int_equal(f->s.ops[4].perms, 0640);
	assert_int_equal(f->s.ops[5].perms, 0444);
	assert_int_equal(f->s.ops[5].flags, OPF_PERMS | OPF_RO);
}

static void test_perms_errors(void **state)
{
	struct fixture *f = *state;
	static const char targets[] = "--tmpfs, --dir, --file, --bind-data or --ro-bind-data";
	char msg[256];
	PARSE_ERR(f, "--perms 999: not an octal mode", "--perms", "999", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--perms 17777: not an octal mode", "--perms", "17777", "--tmpfs", "/a",
		  "true");
	PARSE_ERR(f, "--perms '': not an octal mode", "--perms", "", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--perms 0o7: not an octal mode", "--perms", "0o7", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--perms -7: not an octal mode", "--perms", "-7", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--perms 0600: given twice for the same operation", "--perms", "0700",
		  "--perms", "0600", "--tmpfs", "/a", "true");
	snprintf(msg, sizeof(msg), "--perms 0700: must be followed by %s, not --bind", targets);
	PARSE_ERR(f, msg, "--perms", "0700", "--bind", "/a", "/b", "true");
	snprintf(msg, sizeof(msg), "--perms 0700: must be followed by %s, not --chmod", targets);
	PARSE_ERR(f, msg, "--perms", "0700", "--chmod", "0700", "/b", "true");
	snprintf(msg, sizeof(msg), "--perms 0700: must be followed by %s, not --unshare-pid",
		 targets);
	PARSE_ERR(f, msg, "--perms", "0700", "--unshare-pid", "--tmpfs", "/a", "true");
	snprintf(msg, sizeof(msg), "--perms 0700: must be followed by %s, not --profile", targets);
	PARSE_ERR(f, msg, "--perms", "0700", "--profile", "minimal", "true");
	snprintf(msg, sizeof(msg), "--perms 0700: must be followed by %s", targets);
	PARSE_ERR(f, msg, "--perms", "0700", "true");
	PARSE_ERR(f, msg, "--perms", "0700", "--", "true");
	PARSE_ERR(f, msg, "--perms", "0700");
}

static void test_size(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--size", "10485760", "--tmpfs", "/a", "--tmpfs", "/b", "--size", "0x1000",
		 "--perms", "0700", "--tmpfs", "/c", "--perms", "0750", "--size", "010", "--tmpfs",
		 "/d", "true");
	assert_int_equal(f->s.ops[0].flags, OPF_SIZE);
	assert_int_equal(f->s.ops[0].size, 10485760);
	assert_int_equal(f->s.ops[1].flags, 0);
	assert_int_equal(f->s.ops[2].flags, OPF_SIZE | OPF_PERMS);
	assert_int_equal(f->s.ops[2].size, 4096);
	assert_int_equal(f->s.ops[2].perms, 0700);
	assert_int_equal(f->s.ops[3].size, 8); /* strtoull base 0, like bwrap */
	assert_int_equal(f->s.ops[3].perms, 0750);
}

static void test_size_errors(void **state)
{
	struct fixture *f = *state;
	PARSE_ERR(f, "--size 0: must be a non-zero number of bytes", "--size", "0", "--tmpfs", "/a",
		  "true");
	PARSE_ERR(f, "--size abc: not a number", "--size", "abc", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--size 10k: not a number", "--size", "10k", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--size -10: out of range", "--size", "-10", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--size 99999999999999999999: out of range", "--size", "99999999999999999999",
		  "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--size 9223372036854775808: out of range", "--size", "9223372036854775808",
		  "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--size 20: given twice for the same operation", "--size", "10", "--size",
		  "20", "--tmpfs", "/a", "true");
	PARSE_ERR(f, "--size 10: must be followed by --tmpfs, not --dir", "--size", "10", "--dir",
		  "/a", "true");
	PARSE_ERR(f, "--size 10: must be followed by --tmpfs, not --dir", "--size", "10", "--perms",
		  "0700", "--dir", "/a", "true");
	PARSE_ERR(f, "--size 10: must be followed by --tmpfs", "--size", "10", "true");
}

static void test_overlays(void **state)
{
	struct fixture *f = *state;
	const struct op *o;
	PARSE_OK(f, "--overlay-src", "/l1", "--overlay-src", "/l2", "--overlay", "/rw", "/work",
		 "/o", "--overlay-src", "/l3", "--tmp-overlay", "/t", "--overlay-src", "/a",
		 "--overlay-src", "/b", "--ro-overlay", "/r", "true");
	assert_int_equal(f->s.n_ops, 3);
	o = &f->s.ops[0];
	assert_op(o, OP_OVERLAY, 0, "/rw", "/o", -1, "--overlay");
	assert_string_equal(o->workdir, "/work");
	assert_int_equal(o->n_overlay_srcs, 2);
	assert_string_equal(o->overlay_srcs[0], "/l1");
	assert_string_equal(o->overlay_srcs[1], "/l2");
	o = &f->s.ops[1];
	assert_op(o, OP_TMP_OVERLAY, 0, NULL, "/t", -1, "--tmp-overlay");
	assert_int_equal(o->n_overlay_srcs, 1);
	assert_string_equal(o->overlay_srcs[0], "/l3");
	assert_null(o->workdir);
	o = &f->s.ops[2];
	assert_op(o, OP_RO_OVERLAY, OPF_RO, NULL, "/r", -1, "--ro-overlay");
	assert_int_equal(o->n_overlay_srcs, 2);
	assert_string_equal(o->overlay_srcs[1], "/b");
}

static void test_overlay_errors(void **state)
{
	struct fixture *f = *state;
	static const char next[] = "must be followed by another --overlay-src or by --overlay, "
				   "--tmp-overlay or --ro-overlay";
	char msg[256];
	PARSE_ERR(f, "--overlay /rw /w /o: requires at least one --overlay-src", "--overlay", "/rw",
		  "/w", "/o", "true");
	PARSE_ERR(f, "--tmp-overlay /o: requires at least one --overlay-src", "--tmp-overlay", "/o",
		  "true");
	PARSE_ERR(f, "--ro-overlay /o: requires at least two --overlay-src", "--overlay-src", "/a",
		  "--ro-overlay", "/o", "true");
	snprintf(msg, sizeof(msg), "--overlay-src /b: %s, not --tmpfs", next);
	PARSE_ERR(f, msg, "--overlay-src", "/a", "--overlay-src", "/b", "--tmpfs", "/o", "true");
	snprintf(msg, sizeof(msg), "--overlay-src /a: %s, not --perms", next);
	PARSE_ERR(f, msg, "--overlay-src", "/a", "--perms", "0700", "--tmp-overlay", "/o", "true");
	snprintf(msg, sizeof(msg), "--overlay-src /a: %s", next);
	PARSE_ERR(f, msg, "--overlay-src", "/a", "true");
	/* layers are used up by the overlay that takes them */
	PARSE_ERR(f, "--tmp-overlay /p: requires at least one --overlay-src", "--overlay-src", "/a",
		  "--tmp-overlay", "/o", "--tmp-overlay", "/p", "true");
}

/* ---- --args ---- */

static int args_pipe(const char *data, size_t len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (write(p[1], data, len) != (ssize_t)len) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	return p[0];
}

static void test_args_spliced_in_place(void **state)
{
	static const char data[] = "--tmpfs\0/b\0--setenv\0K\0v\0";
	struct fixture *f = *state;
	char fd[16];
	int pfd = args_pipe(data, sizeof(data) - 1);
	assert_true(pfd >= 0);
	snprintf(fd, sizeof(fd), "%d", pfd);
	PARSE_OK(f, "--tmpfs", "/a", "--args", fd, "--tmpfs", "/c", "true");
	assert_int_equal(f->s.n_ops, 3);
	assert_string_equal(f->s.ops[0].dest, "/a");
	assert_string_equal(f->s.ops[1].dest, "/b");
	assert_string_equal(f->s.ops[2].dest, "/c");
	assert_int_equal(f->s.n_env, 1);
	assert_string_equal(f->s.env[0].value, "v");
	/* the fd is consumed, like bwrap does */
	assert_int_equal(fcntl(pfd, F_GETFD), -1);
}

static void test_args_unterminated_last_and_command(void **state)
{
	static const char data[] = "--perms\0"
				   "0700\0--tmpfs\0/x\0echo\0hi";
	struct fixture *f = *state;
	char fd[16];
	int pfd = args_pipe(data, sizeof(data) - 1);
	snprintf(fd, sizeof(fd), "%d", pfd);
	PARSE_OK(f, "--args", fd);
	assert_int_equal(f->s.ops[0].perms, 0700);
	assert_int_equal(f->s.argc, 2);
	assert_string_equal(f->s.argv[0], "echo");
	assert_string_equal(f->s.argv[1], "hi");
}

static void test_args_modifier_across_splice(void **state)
{
	static const char data[] = "--tmpfs\0/x\0";
	struct fixture *f = *state;
	char fd[16];
	int pfd = args_pipe(data, sizeof(data) - 1);
	snprintf(fd, sizeof(fd), "%d", pfd);
	PARSE_OK(f, "--perms", "0711", "--args", fd, "true");
	assert_int_equal(f->s.ops[0].perms, 0711);
}

static void test_args_empty_then_another(void **state)
{
	struct fixture *f = *state;
	char fd1[16], fd2[16];
	int empty = args_pipe("", 0);
	int second = args_pipe("--dir\0/in\0", 10);
	snprintf(fd1, sizeof(fd1), "%d", empty);
	snprintf(fd2, sizeof(fd2), "%d", second);
	/* the second --args follows the (empty) first one's data: it is on the command line */
	PARSE_OK(f, "--args", fd1, "--args", fd2, "--dir", "/out", "true");
	assert_int_equal(f->s.n_ops, 2);
	assert_string_equal(f->s.ops[0].dest, "/in");
	assert_string_equal(f->s.ops[1].dest, "/out");
	assert_int_equal(fcntl(second, F_GETFD), -1);
	assert_int_equal(fcntl(empty, F_GETFD), -1);
}

/* bubblewrap: "--args not supported in arguments file" */
static void test_args_nested_refused(void **state)
{
	struct fixture *f = *state;
	char fd[16], outer[64], msg[128];
	int inner = args_pipe("--dir\0/in\0", 10);
	int n, ofd;
	/* "--dir /out --args INNER", NUL-separated */
	n = snprintf(outer, sizeof(outer), "--dir%c/out%c--args%c%d%c", 0, 0, 0, inner, 0);
	ofd = args_pipe(outer, (size_t)n);
	snprintf(fd, sizeof(fd), "%d", ofd);
	snprintf(msg, sizeof(msg), "--args %d: not supported in an arguments file", inner);
	PARSE_ERR(f, msg, "--args", fd, "true");
	/* refused before reading: the inner fd is neither read nor closed */
	assert_int_not_equal(fcntl(inner, F_GETFD), -1);
	close(inner);
	/* also when the file ends with a bare --args whose FD would come from argv */
	inner = args_pipe("--dir\0/in\0", 10);
	ofd = args_pipe("--args", 7);
	snprintf(fd, sizeof(fd), "%d", ofd);
	snprintf(outer, sizeof(outer), "%d", inner);
	PARSE_ERR(f, "--args: not supported in an arguments file", "--args", fd, outer, "true");
	assert_int_not_equal(fcntl(inner, F_GETFD), -1);
	close(inner);
}

static void test_args_errors(void **state)
{
	struct fixture *f = *state;
	char fd[16], msg[128];
	PARSE_ERR(f, "--args 99: Bad file descriptor", "--args", "99", "true");
	PARSE_ERR(f, "--args x: not a number", "--args", "x", "true");
	/* an option at the end of the data takes the rest of its arguments from the command
	 * line (bubblewrap would stop at the end of the data: "--bind takes two arguments") */
	int pfd = args_pipe("--bind\0/a\0", 10);
	snprintf(fd, sizeof(fd), "%d", pfd);
	PARSE_OK(f, "--args", fd, "/b", "true");
	assert_string_equal(f->s.ops[0].dest, "/b");
	/* a directory cannot be read */
	int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(fd, sizeof(fd), "%d", dfd);
	snprintf(msg, sizeof(msg), "--args %d: Is a directory", dfd);
	PARSE_ERR(f, msg, "--args", fd, "true");
	close(dfd);
}

static void test_args_count_is_bounded(void **state)
{
	struct fixture *f = *state;
	const char *argv[40];
	char fds[17][16], msg[128];
	int pipes[17];
	int argc = 0;
	argv[argc++] = "cordon";
	for (int i = 0; i < 17; i++) {
		pipes[i] = args_pipe("--dir\0/x\0", 9);
		assert_true(pipes[i] >= 0);
		snprintf(fds[i], sizeof(fds[i]), "%d", pipes[i]);
		argv[argc++] = "--args";
		argv[argc++] = fds[i];
	}
	argv[argc++] = "true";
	argv[argc] = NULL;
	/* 16 are read (and closed), the 17th is refused */
	assert_int_equal(parse_v(f, argv), -1);
	snprintf(msg, sizeof(msg), "--args %d: too many --args (at most 16)", pipes[16]);
	assert_string_equal(f->e.msg, msg);
	assert_int_equal(fcntl(pipes[15], F_GETFD), -1);
	close(pipes[16]);
}

static void test_args_too_many_arguments(void **state)
{
	struct fixture *f = *state;
	size_t len = (size_t)9001 * 2;
	char *data = malloc(len);
	char fd[16], msg[128];
	int p[2];
	assert_non_null(data);
	for (size_t i = 0; i < len; i += 2) {
		data[i] = 'x';
		data[i + 1] = '\0';
	}
	assert_int_equal(pipe(p), 0);
	/* 18002 bytes fit in a pipe buffer */
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	free(data);
	snprintf(fd, sizeof(fd), "%d", p[0]);
	snprintf(msg, sizeof(msg), "--args %d: too many arguments (at most 9000)", p[0]);
	PARSE_ERR(f, msg, "--args", fd);
}

/* ---- profiles, policies and the extra hook ---- */

static void test_profile_position(void **state)
{
	struct fixture *f = *state;
	PARSE_OK(f, "--tmpfs", "/first", "--profile", "minimal", "--share-net", "--tmpfs", "/last",
		 "true");
	assert_string_equal(f->s.ops[0].dest, "/first");
	assert_string_equal(f->s.ops[1].dest, "/usr");
	assert_string_equal(f->s.ops[f->s.n_ops - 1].dest, "/last");
	assert_string_equal(f->s.profile, "minimal");
	assert_false(f->s.ns & CLONE_NEWNET);
	assert_true(f->s.ns & CLONE_NEWPID);
	PARSE_ERR(f, "--profile foo: unknown profile (minimal, shell)", "--profile", "foo", "true");
}

static void test_policy_position(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/test_options_policyXXXXXX";
	static const char json[] =
		"{\"version\": 1, \"ops\": [{\"type\": \"dir\", \"dest\": \"/p\"}],"
		" \"command\": [\"from-policy\"]}";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, sizeof(json) - 1), (ssize_t)sizeof(json) - 1);
	close(fd);
	PARSE_OK(f, "--dir", "/a", "--policy", path, "--dir", "/b");
	assert_int_equal(f->s.n_ops, 3);
	assert_string_equal(f->s.ops[1].dest, "/p");
	assert_string_equal(f->s.ops[2].dest, "/b");
	/* the policy's command is used when the command line has none... */
	assert_int_equal(f->s.argc, 1);
	assert_string_equal(f->s.argv[0], "from-policy");
	/* ...and the command line's wins otherwise */
	PARSE_OK(f, "--policy", path, "echo", "x");
	assert_int_equal(f->s.argc, 2);
	assert_string_equal(f->s.argv[0], "echo");
	unlink(path);
	PARSE_ERR(f, "/nonexistent/p.json: No such file or directory", "--policy",
		  "/nonexistent/p.json", "true");
}

struct extra_state {
	int calls;
	char seen[64];
};

static int extra_hook(void *data, int argc, char **argv, struct err *e)
{
	struct extra_state *st = data;
	st->calls++;
	if (strcmp(argv[0], "-p") == 0) {
		if (argc < 2)
			return err_setx(e, "-p takes an argument");
		snprintf(st->seen, sizeof(st->seen), "%s", argv[1]);
		return 2;
	}
	if (strcmp(argv[0], "--no-sandbox") == 0)
		return 1;
	return 0;
}

static void test_extra_hook(void **state)
{
	struct fixture *f = *state;
	struct extra_state st = { 0 };
	const struct options_ctx ctx = {
		.prog = "forktop", .want_command = true, .extra = extra_hook, .extra_data = &st
	};
	assert_int_equal(parse_ctx(f, &ctx,
				   (const char *[]){ "forktop", "--tmpfs", "/a", "-p", "123",
						     "--no-sandbox", "--dir", "/b", "true", NULL }),
			 OPTIONS_RUN);
	assert_int_equal(st.calls, 2);
	assert_string_equal(st.seen, "123");
	assert_int_equal(f->s.n_ops, 2);
	assert_int_equal(parse_ctx(f, &ctx, (const char *[]){ "forktop", "--what", "true", NULL }),
			 -1);
	assert_string_equal(f->e.msg, "Unknown option --what");
	assert_int_equal(parse_ctx(f, &ctx, (const char *[]){ "forktop", "-p", NULL }), -1);
	assert_string_equal(f->e.msg, "-p takes an argument");
	/* a pending modifier is not for the hook's options */
	assert_int_equal(parse_ctx(f, &ctx,
				   (const char *[]){ "forktop", "--size", "5", "--no-sandbox",
						     "--tmpfs", "/a", "true", NULL }),
			 -1);
	assert_string_equal(f->e.msg, "--size 5: must be followed by --tmpfs, not --no-sandbox");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_command_after_options),
		T(test_double_dash_ends_options),
		T(test_no_command),
		T(test_no_command_ok_without_want_command),
		T(test_no_command_ok_with_print_policy),
		T(test_unknown_option),
		T(test_missing_arguments),
		T(test_help),
		T(test_help_stops_at_earlier_error),
		T(test_version),
		T(test_version_as_bwrap),
		T(test_unshare_each),
		T(test_unshare_all),
		T(test_share_net),
		T(test_ns_fds),
		T(test_userns_flags),
		T(test_userns_rules),
		T(test_uid_gid),
		T(test_uid_gid_bad_numbers),
		T(test_uid_needs_userns),
		T(test_hostname),
		T(test_env_in_order),
		T(test_clearenv_drops_earlier_setenv),
		T(test_env_bad_names),
		T(test_strings),
		T(test_bools),
		T(test_as_pid_1_rules),
		T(test_fd_fields),
		T(test_sync_fds_and_lock_files_repeat),
		T(test_seccomp),
		T(test_caps),
		T(test_deny_syscall),
		T(test_net_pasta),
		T(test_net_pasta_errors),
		T(test_rlimit),
		T(test_rlimit_errors),
		T(test_landlock),
		T(test_binds),
		T(test_fd_ops),
		T(test_dest_ops),
		T(test_relative_dest_is_under_root),
		T(test_empty_paths),
		T(test_ops_keep_argument_order),
		T(test_perms_applies_to_next_only),
		T(test_perms_errors),
		T(test_size),
		T(test_size_errors),
		T(test_overlays),
		T(test_overlay_errors),
		T(test_args_spliced_in_place),
		T(test_args_unterminated_last_and_command),
		T(test_args_modifier_across_splice),
		T(test_args_empty_then_another),
		T(test_args_nested_refused),
		T(test_args_errors),
		T(test_args_count_is_bounded),
		T(test_args_too_many_arguments),
		T(test_profile_position),
		T(test_policy_position),
		T(test_extra_hook),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
