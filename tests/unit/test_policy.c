/* Unit tests for launcher/policy.c: JSON policy load/validate and --print-policy dump. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/options.h"
#include "../../launcher/policy.h"
#include "../../launcher/spec.h"

struct fixture {
	struct sandbox_spec s;
	struct err e;
	int fd;
	char path[64]; /* a temp file for policies */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fd;
	if (!f)
		return -1;
	spec_init(&f->s);
	f->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	snprintf(f->path, sizeof(f->path), "/tmp/test_policyXXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	spec_free(&f->s);
	close(f->fd);
	unlink(f->path);
	free(f);
	return 0;
}

static int load(struct fixture *f, const char *json)
{
	spec_free(&f->s);
	err_clear(&f->e);
	return policy_load_string(&f->s, json, "p.json", &f->e);
}

#define LOAD_OK(f, json)                                                                           \
	do {                                                                                       \
		if (load((f), (json)) != 0)                                                        \
			fail_msg("load failed: %s", (f)->e.msg);                                   \
	} while (0)
#define LOAD_ERR(f, json, m)                                                                       \
	do {                                                                                       \
		assert_int_equal(load((f), (json)), -1);                                           \
		assert_string_equal((f)->e.msg, (m));                                              \
	} while (0)

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* options_parse over a const argv (it never writes to the strings) */
static int parse(struct sandbox_spec *s, struct err *e, const char *const *argv)
{
	const struct options_ctx ctx = { .prog = "cordon", .want_command = true };
	char *copy[512];
	int argc = 0;
	while (argv[argc])
		argc++;
	assert_true(argc < 512);
	memcpy(copy, argv, (size_t)(argc + 1) * sizeof(*copy));
	return options_parse(&ctx, argc, copy, s, e);
}

/* ---- loading ---- */

static void test_load_everything(void **state)
{
	struct fixture *f = *state;
	char json[4096];
	snprintf(json, sizeof(json),
		 "{\"version\": 1,"
		 " \"namespaces\": {\"user\": true, \"user-try\": false, \"pid\": true, \"net\": "
		 "true,"
		 "   \"ipc\": true, \"uts\": true, \"cgroup\": false, \"cgroup-try\": true},"
		 " \"userns2-fd\": %d, \"pidns-fd\": %d, \"disable-userns\": true,"
		 " \"assert-userns-disabled\": true, \"uid\": 1000, \"gid\": 100,"
		 " \"hostname\": \"box\", \"chdir\": \"/w\", \"clearenv\": true,"
		 " \"env\": [{\"set\": \"A\", \"value\": \"1\"}, {\"unset\": \"B\"}], \"argv0\": "
		 "\"zero\","
		 " \"ops\": [{\"type\": \"ro-bind\", \"src\": \"/usr\", \"dest\": \"/usr\", "
		 "\"try\": true},"
		 "   {\"type\": \"tmpfs\", \"dest\": \"tmp\", \"perms\": \"1777\", \"size\": 4096},"
		 "   {\"type\": \"overlay\", \"sources\": [\"/l1\", \"/l2\"], \"rwsrc\": \"/rw\","
		 "    \"workdir\": \"/wd\", \"dest\": \"/o\"},"
		 "   {\"type\": \"file\", \"fd\": %d, \"dest\": \"/f\"},"
		 "   {\"type\": \"chmod\", \"perms\": \"0700\", \"dest\": \"/f\"}],"
		 " \"add-seccomp-fds\": [%d, %d], \"deny-syscalls\": [\"ptrace\"],"
		 " \"caps\": [{\"drop\": \"ALL\"}, {\"add\": \"cap_net_raw\"}], \"new-session\": "
		 "true,"
		 " \"exec-label\": \"x_t\", \"file-label\": \"y_t\", \"lock-files\": [\"/l\"],"
		 " \"sync-fds\": [%d], \"block-fd\": %d, \"userns-block-fd\": %d, \"info-fd\": %d,"
		 " \"json-status-fd\": %d, \"die-with-parent\": true, \"as-pid-1\": true,"
		 " \"level-prefix\": true, \"command\": [\"sh\", \"-c\", \"x\"]}",
		 f->fd, f->fd, f->fd, f->fd, f->fd, f->fd, f->fd, f->fd, f->fd, f->fd);
	LOAD_OK(f, json);
	struct sandbox_spec *s = &f->s;
	assert_int_equal(s->ns, CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
					CLONE_NEWIPC | CLONE_NEWUTS);
	assert_false(s->userns_try);
	assert_true(s->cgroup_try);
	assert_int_equal(s->userns_fd, -1);
	assert_int_equal(s->userns2_fd, f->fd);
	assert_int_equal(s->pidns_fd, f->fd);
	assert_true(s->disable_userns && s->assert_userns_disabled);
	assert_true(s->has_uid && s->has_gid);
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->gid, 100);
	assert_string_equal(s->hostname, "box");
	assert_string_equal(s->chdir, "/w");
	assert_true(s->clearenv);
	assert_int_equal(s->n_env, 2);
	assert_int_equal(s->env[1].type, ENV_UNSET);
	assert_string_equal(s->argv0, "zero");
	assert_int_equal(s->n_ops, 5);
	assert_int_equal(s->ops[0].type, OP_BIND);
	assert_int_equal(s->ops[0].flags, OPF_RO | OPF_TRY);
	assert_string_equal(s->ops[0].option, "--ro-bind-try");
	assert_string_equal(s->ops[1].dest, "/tmp");
	assert_int_equal(s->ops[1].flags, OPF_PERMS | OPF_SIZE);
	assert_int_equal(s->ops[1].perms, 01777);
	assert_int_equal(s->ops[1].size, 4096);
	assert_int_equal(s->ops[2].type, OP_OVERLAY);
	assert_string_equal(s->ops[2].src, "/rw");
	assert_string_equal(s->ops[2].workdir, "/wd");
	assert_int_equal(s->ops[2].n_overlay_srcs, 2);
	assert_string_equal(s->ops[2].overlay_srcs[1], "/l2");
	assert_int_equal(s->ops[3].type, OP_FILE);
	assert_int_equal(s->ops[3].fd, f->fd);
	assert_string_equal(s->ops[3].option, "--file");
	assert_int_equal(s->ops[4].type, OP_CHMOD);
	assert_int_equal(s->ops[4].perms, 0700);
	assert_int_equal(s->n_add_seccomp_fds, 2);
	assert_string_equal(s->syscall_deny[0], "ptrace");
	assert_int_equal(s->n_caps, 2);
	assert_false(s->caps[0].add);
	assert_int_equal(s->caps[0].cap, -1);
	assert_true(s->caps[1].add);
	assert_int_equal(s->caps[1].cap, 13);
	assert_true(s->new_session);
	assert_string_equal(s->exec_label, "x_t");
	assert_string_equal(s->file_label, "y_t");
	assert_string_equal(s->lock_files[0], "/l");
	assert_int_equal(s->sync_fds[0], f->fd);
	assert_int_equal(s->block_fd, f->fd);
	assert_int_equal(s->userns_block_fd, f->fd);
	assert_int_equal(s->info_fd, f->fd);
	assert_int_equal(s->json_status_fd, f->fd);
	assert_true(s->die_with_parent && s->as_pid_1 && s->level_prefix);
	assert_int_equal(s->argc, 3);
	assert_string_equal(s->argv[2], "x");
	assert_null(s->argv[3]);
}

static void test_profile_applied_first(void **state)
{
	struct fixture *f = *state;
	LOAD_OK(f, "{\"ops\": [{\"type\": \"dir\", \"dest\": \"/mine\"}],"
		   " \"namespaces\": {\"net\": false}, \"profile\": \"minimal\", \"version\": 1}");
	assert_string_equal(f->s.ops[0].dest, "/usr");
	assert_string_equal(f->s.ops[f->s.n_ops - 1].dest, "/mine");
	assert_string_equal(f->s.profile, "minimal");
	/* keys after the profile override it */
	assert_false(f->s.ns & CLONE_NEWNET);
	assert_true(f->s.ns & CLONE_NEWPID);
}

static void test_profile_expanded_is_not_applied(void **state)
{
	struct fixture *f = *state;
	LOAD_OK(f, "{\"version\": 1, \"profile\": \"minimal\", \"profile-expanded\": true}");
	assert_int_equal(f->s.n_ops, 0);
	assert_string_equal(f->s.profile, "minimal");
	LOAD_ERR(f, "{\"version\": 1, \"profile-expanded\": true}",
		 "p.json: profile-expanded: needs \"profile\"");
}

static void test_policy_adds_to_existing_spec(void **state)
{
	struct fixture *f = *state;
	struct op *o;
	spec_free(&f->s);
	o = spec_add_op(&f->s, OP_DIR, "--dir", &f->e);
	o->dest = strdup("/before");
	spec_add_env(&f->s, ENV_SET, "OLD", "1", &f->e);
	f->s.ns |= CLONE_NEWNET;
	assert_int_equal(
		policy_load_string(&f->s,
				   "{\"version\": 1, \"clearenv\": true, \"env\": [{\"set\":"
				   " \"NEW\", \"value\": \"2\"}], \"namespaces\": {\"pid\":"
				   " true}, \"ops\": [{\"type\": \"proc\", \"dest\": \"/proc\"}]}",
				   "p.json", &f->e),
		0);
	assert_int_equal(f->s.n_ops, 2);
	assert_string_equal(f->s.ops[0].dest, "/before");
	assert_int_equal(f->s.ops[1].type, OP_PROC);
	/* clearenv drops what was set before it, like --clearenv */
	assert_int_equal(f->s.n_env, 1);
	assert_string_equal(f->s.env[0].name, "NEW");
	/* namespaces not named are left alone */
	assert_true(f->s.ns & CLONE_NEWNET);
	assert_true(f->s.ns & CLONE_NEWPID);
}

static void test_load_file_errors(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(policy_load_file(&f->s, "/nonexistent/p.json", &f->e), -1);
	assert_string_equal(f->e.msg, "/nonexistent/p.json: No such file or directory");
	assert_int_equal(f->e.code, ENOENT);
	assert_int_equal(policy_load_file(&f->s, "/", &f->e), -1);
	assert_string_equal(f->e.msg, "/: Is a directory");
	write_file(f->path, "{\"version\": 1,\n \"ops\": [}\n");
	assert_int_equal(policy_load_file(&f->s, f->path, &f->e), -1);
	assert_non_null(strstr(f->e.msg, ": line 2 column "));
	assert_int_equal(strncmp(f->e.msg, f->path, strlen(f->path)), 0);
	write_file(f->path, "{\"version\": 1, \"hostname\": 5}");
	assert_int_equal(policy_load_file(&f->s, f->path, &f->e), -1);
	char msg[128];
	snprintf(msg, sizeof(msg), "%s: hostname: expected a string", f->path);
	assert_string_equal(f->e.msg, msg);
}

static void test_top_level_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "[1]", "p.json: expected a JSON object");
	LOAD_ERR(f, "{}", "p.json: version: missing (this is version 1)");
	LOAD_ERR(f, "{\"version\": 2}", "p.json: version: 2: unsupported (expected 1)");
	LOAD_ERR(f, "{\"version\": \"1\"}", "p.json: version: expected an integer");
	LOAD_ERR(f, "{\"version\": 1, \"bogus\": 1}", "p.json: bogus: unknown key");
	LOAD_ERR(f, "{\"bogus\": 1}", "p.json: bogus: unknown key");
	LOAD_ERR(f, "{\"version\": 1, \"profile\": \"foo\"}",
		 "p.json: profile: foo: unknown profile (minimal, shell)");
	LOAD_ERR(f, "{\"version\": 1, \"profile\": 3}", "p.json: profile: expected a string");
	assert_int_equal(load(f, "{\"version\": 1, \"version\": 1}"), -1);
	assert_non_null(strstr(f->e.msg, "duplicate"));
	assert_int_equal(load(f, "not json"), -1);
	assert_int_equal(strncmp(f->e.msg, "p.json: line 1 column ", 22), 0);
}

static void test_type_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "{\"version\": 1, \"clearenv\": 1}", "p.json: clearenv: expected a boolean");
	LOAD_ERR(f, "{\"version\": 1, \"die-with-parent\": \"yes\"}",
		 "p.json: die-with-parent: expected a boolean");
	LOAD_ERR(f, "{\"version\": 1, \"uid\": \"0\"}", "p.json: uid: expected an integer");
	LOAD_ERR(f, "{\"version\": 1, \"uid\": 1.5}", "p.json: uid: expected an integer");
	LOAD_ERR(f, "{\"version\": 1, \"uid\": -1}", "p.json: uid: -1: out of range");
	LOAD_ERR(f, "{\"version\": 1, \"gid\": 4294967295}",
		 "p.json: gid: 4294967295: out of range");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": {}}", "p.json: ops: expected an array");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [1]}", "p.json: ops[0]: expected an object");
	LOAD_ERR(f, "{\"version\": 1, \"namespaces\": []}",
		 "p.json: namespaces: expected an object");
	LOAD_ERR(f, "{\"version\": 1, \"namespaces\": {\"pid\": 1}}",
		 "p.json: namespaces.pid: expected a boolean");
	LOAD_ERR(f, "{\"version\": 1, \"namespaces\": {\"mnt\": true}}",
		 "p.json: namespaces.mnt: unknown key");
	LOAD_ERR(f, "{\"version\": 1, \"command\": \"sh\"}", "p.json: command: expected an array");
	LOAD_ERR(f, "{\"version\": 1, \"command\": []}", "p.json: command: must not be empty");
	LOAD_ERR(f, "{\"version\": 1, \"command\": [\"sh\", 1]}",
		 "p.json: command[1]: expected a string");
	LOAD_ERR(f, "{\"version\": 1, \"lock-files\": [\"\"]}",
		 "p.json: lock-files[0]: empty path");
	LOAD_ERR(f, "{\"version\": 1, \"deny-syscalls\": [\"foo\"]}",
		 "p.json: deny-syscalls[0]: foo: unknown system call");
	/* jansson refuses NUL inside strings: a path can never be cut short */
	assert_int_equal(load(f, "{\"version\": 1, \"hostname\": \"a\\u0000b\"}"), -1);
	assert_int_equal(strncmp(f->e.msg, "p.json: line 1 column ", 22), 0);
}

static void test_fd_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "{\"version\": 1, \"sync-fds\": [999]}",
		 "p.json: sync-fds[0]: 999: Bad file descriptor");
	LOAD_ERR(f, "{\"version\": 1, \"info-fd\": 999}",
		 "p.json: info-fd: 999: Bad file descriptor");
	LOAD_ERR(f, "{\"version\": 1, \"seccomp-fd\": -2}", "p.json: seccomp-fd: -2: out of range");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"bind-fd\", \"fd\": 999, \"dest\": "
		 "\"/x\"}]}",
		 "p.json: ops[0].fd: 999: Bad file descriptor");
}

static void test_op_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"dest\": \"/x\"}]}",
		 "p.json: ops[0].type: missing");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": \"nfs\", \"dest\": \"/x\"}]}",
		 "p.json: ops[0].type: nfs: unknown op type");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": 3}]}",
		 "p.json: ops[0].type: expected a string");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"proc\", \"dest\": \"/p\"},"
		 " {\"type\": \"dir\", \"dest\": \"/d\"}, {\"type\": \"tmpfs\", \"dest\": \"/t\"},"
		 " {\"type\": \"bind\", \"src\": \"/a\", \"dest\": 5}]}",
		 "p.json: ops[3].dest: expected a string");
	LOAD_ERR(
		f,
		"{\"version\": 1, \"ops\": [{\"type\": \"proc\", \"dest\": \"/p\", \"bogus\": 1}]}",
		"p.json: ops[0].bogus: unknown key");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"proc\", \"dest\": \"/p\", \"size\": 1}]}",
		 "p.json: ops[0].size: not valid for a proc op");
	LOAD_ERR(
		f,
		"{\"version\": 1, \"ops\": [{\"type\": \"dir\", \"dest\": \"/p\", \"try\": true}]}",
		"p.json: ops[0].try: not valid for a dir op");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": \"bind\", \"dest\": \"/p\"}]}",
		 "p.json: ops[0].src: missing");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": \"bind\", \"src\": \"/p\"}]}",
		 "p.json: ops[0].dest: missing");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": \"file\", \"dest\": \"/p\"}]}",
		 "p.json: ops[0].fd: missing");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": \"chmod\", \"dest\": \"/p\"}]}",
		 "p.json: ops[0].perms: missing");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"overlay\", \"sources\": [\"/a\"],"
		 " \"rwsrc\": \"/rw\", \"dest\": \"/o\"}]}",
		 "p.json: ops[0].workdir: missing");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"ro-overlay\", \"sources\": [\"/a\"],"
		 " \"dest\": \"/o\"}]}",
		 "p.json: ops[0].sources: a ro-overlay op needs at least 2");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"tmp-overlay\", \"sources\": [],"
		 " \"dest\": \"/o\"}]}",
		 "p.json: ops[0].sources: a tmp-overlay op needs at least 1");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"tmp-overlay\", \"sources\": [\"\"],"
		 " \"dest\": \"/o\"}]}",
		 "p.json: ops[0].sources[0]: empty path");
	LOAD_ERR(f, "{\"version\": 1, \"ops\": [{\"type\": \"tmpfs\", \"dest\": \"\"}]}",
		 "p.json: ops[0].dest: empty path");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"tmpfs\", \"dest\": \"/t\", \"perms\": "
		 "\"999\"}]}",
		 "p.json: ops[0].perms: 999: not an octal mode");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"tmpfs\", \"dest\": \"/t\", \"perms\": "
		 "493}]}",
		 "p.json: ops[0].perms: expected a string");
	LOAD_ERR(
		f,
		"{\"version\": 1, \"ops\": [{\"type\": \"tmpfs\", \"dest\": \"/t\", \"size\": 0}]}",
		"p.json: ops[0].size: must be a non-zero number of bytes");
	LOAD_ERR(f,
		 "{\"version\": 1, \"ops\": [{\"type\": \"tmpfs\", \"dest\": \"/t\", \"size\": "
		 "-1}]}",
		 "p.json: ops[0].size: -1: out of range");
	LOAD_ERR(
		f,
		"{\"version\": 1, \"ops\": [{\"type\": \"bind\", \"src\": \"/a\", \"dest\": \"/b\","
		" \"try\": 1}]}",
		"p.json: ops[0].try: expected a boolean");
}

static void test_env_and_cap_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "{\"version\": 1, \"env\": [{}]}",
		 "p.json: env[0]: expected \"set\" or \"unset\"");
	LOAD_ERR(f, "{\"version\": 1, \"env\": [{\"set\": \"A\"}]}",
		 "p.json: env[0].value: missing");
	LOAD_ERR(f, "{\"version\": 1, \"env\": [{\"unset\": \"A\", \"value\": \"x\"}]}",
		 "p.json: env[0].value: not valid with \"unset\"");
	LOAD_ERR(f, "{\"version\": 1, \"env\": [{\"set\": \"A=B\", \"value\": \"x\"}]}",
		 "p.json: env[0].set: A=B: invalid variable name");
	LOAD_ERR(f, "{\"version\": 1, \"env\": [{\"set\": \"A\", \"unset\": \"B\"}]}",
		 "p.json: env[0].unset: only one of \"set\" and \"unset\" is allowed");
	LOAD_ERR(f, "{\"version\": 1, \"env\": [{\"sett\": \"A\"}]}",
		 "p.json: env[0].sett: unknown key");
	LOAD_ERR(f, "{\"version\": 1, \"caps\": [{\"add\": \"CAP_FOO\"}]}",
		 "p.json: caps[0].add: CAP_FOO: unknown capability");
	LOAD_ERR(f, "{\"version\": 1, \"caps\": [{\"keep\": \"CAP_KILL\"}]}",
		 "p.json: caps[0].keep: unknown key");
	LOAD_ERR(f, "{\"version\": 1, \"caps\": [{\"add\": \"CAP_KILL\", \"drop\": \"ALL\"}]}",
		 "p.json: caps[0]: expected {\"add\": CAP} or {\"drop\": CAP}");
	LOAD_ERR(f, "{\"version\": 1, \"caps\": [{\"add\": 5}]}",
		 "p.json: caps[0].add: expected a string");
}

/* ---- dumping ---- */

static void test_dump_exact(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	static const char *const argv[] = {
		"cordon",
		"--unshare-pid",
		"--unshare-net",
		"--uid", "0",
		"--setenv", "A", "1",
		"--unsetenv", "B",
		"--bind-try", "/a", "/b",
		"--perms", "0700",
		"--size", "1024",
		"--tmpfs", "/t",
		"--overlay-src", "/l",
		"--tmp-overlay", "/o",
		"--cap-drop", "ALL",
		"--cap-add", "sys_admin",
		"--deny-syscall", "ptrace",
		"--", "echo", "hi",
		NULL
	};
	/* clang-format on */
	static const char expected[] = "{\n"
				       "  \"version\": 1,\n"
				       "  \"namespaces\": {\n"
				       "    \"user\": false,\n"
				       "    \"user-try\": false,\n"
				       "    \"pid\": true,\n"
				       "    \"net\": true,\n"
				       "    \"ipc\": false,\n"
				       "    \"uts\": false,\n"
				       "    \"cgroup\": false,\n"
				       "    \"cgroup-try\": false\n"
				       "  },\n"
				       "  \"disable-userns\": false,\n"
				       "  \"assert-userns-disabled\": false,\n"
				       "  \"uid\": 0,\n"
				       "  \"clearenv\": false,\n"
				       "  \"env\": [\n"
				       "    {\n"
				       "      \"set\": \"A\",\n"
				       "      \"value\": \"1\"\n"
				       "    },\n"
				       "    {\n"
				       "      \"unset\": \"B\"\n"
				       "    }\n"
				       "  ],\n"
				       "  \"ops\": [\n"
				       "    {\n"
				       "      \"type\": \"bind\",\n"
				       "      \"src\": \"/a\",\n"
				       "      \"dest\": \"/b\",\n"
				       "      \"try\": true\n"
				       "    },\n"
				       "    {\n"
				       "      \"type\": \"tmpfs\",\n"
				       "      \"dest\": \"/t\",\n"
				       "      \"perms\": \"0700\",\n"
				       "      \"size\": 1024\n"
				       "    },\n"
				       "    {\n"
				       "      \"type\": \"tmp-overlay\",\n"
				       "      \"sources\": [\n"
				       "        \"/l\"\n"
				       "      ],\n"
				       "      \"dest\": \"/o\"\n"
				       "    }\n"
				       "  ],\n"
				       "  \"deny-syscalls\": [\n"
				       "    \"ptrace\"\n"
				       "  ],\n"
				       "  \"caps\": [\n"
				       "    {\n"
				       "      \"drop\": \"ALL\"\n"
				       "    },\n"
				       "    {\n"
				       "      \"add\": \"CAP_SYS_ADMIN\"\n"
				       "    }\n"
				       "  ],\n"
				       "  \"new-session\": false,\n"
				       "  \"die-with-parent\": false,\n"
				       "  \"as-pid-1\": false,\n"
				       "  \"level-prefix\": false,\n"
				       "  \"command\": [\n"
				       "    \"echo\",\n"
				       "    \"hi\"\n"
				       "  ]\n"
				       "}";
	char *out;
	spec_free(&f->s);
	if (parse(&f->s, &f->e, argv) != OPTIONS_RUN)
		fail_msg("%s", f->e.msg);
	out = policy_dump(&f->s, &f->e);
	assert_non_null(out);
	assert_string_equal(out, expected);
	free(out);
}

/* `cordon ARGS --print-policy > p.json; cordon --policy p.json --print-policy` prints the same */
static void round_trip(struct fixture *f, const char **argv)
{
	struct sandbox_spec again;
	char *first, *second;
	const char *argv2[] = { "cordon", "--policy", f->path, "--print-policy", NULL };

	spec_free(&f->s);
	if (parse(&f->s, &f->e, argv) != OPTIONS_RUN)
		fail_msg("parse: %s", f->e.msg);
	first = policy_dump(&f->s, &f->e);
	assert_non_null(first);
	write_file(f->path, first);

	spec_init(&again);
	if (parse(&again, &f->e, argv2) != OPTIONS_RUN)
		fail_msg("reload: %s", f->e.msg);
	second = policy_dump(&again, &f->e);
	assert_non_null(second);
	assert_string_equal(first, second);
	spec_free(&again);
	free(first);
	free(second);
}

static void test_round_trip_every_option(void **state)
{
	struct fixture *f = *state;
	char fd[16];
	snprintf(fd, sizeof(fd), "%d", f->fd);
	/* clang-format off */
	const char *argv[] = {
		"cordon",
		"--unshare-user",
		"--unshare-ipc",
		"--unshare-pid",
		"--unshare-net",
		"--unshare-uts",
		"--unshare-cgroup",
		"--unshare-user-try",
		"--unshare-cgroup-try",
		"--userns2", fd,
		"--pidns", fd,
		"--disable-userns",
		"--assert-userns-disabled",
		"--uid", "5",
		"--gid", "6",
		"--hostname", "h",
		"--chdir", "/c",
		"--setenv", "A", "x y",
		"--clearenv",
		"--setenv", "B", "",
		"--unsetenv", "C",
		"--argv0", "a0",
		"--bind", "/1", "/1",
		"--bind-try", "/2", "/2",
		"--ro-bind", "/3", "/3",
		"--ro-bind-try", "/4", "/4",
		"--dev-bind", "/5", "/5",
		"--dev-bind-try", "/6", "/6",
		"--bind-fd", fd, "/7",
		"--ro-bind-fd", fd, "/8",
		"--remount-ro", "/9",
		"--overlay-src", "/l1",
		"--overlay-src", "/l2",
		"--overlay", "/rw", "/wd", "/10",
		"--overlay-src", "/l3",
		"--tmp-overlay", "/11",
		"--overlay-src", "/l4",
		"--overlay-src", "/l5",
		"--ro-overlay", "/12",
		"--proc", "/13",
		"--dev", "/14",
		"--perms", "0700",
		"--size", "99",
		"--tmpfs", "/15",
		"--mqueue", "/16",
		"--perms", "0711",
		"--dir", "/17",
		"--file", fd, "/18",
		"--perms", "0644",
		"--bind-data", fd, "/19",
		"--ro-bind-data", fd, "/20",
		"--symlink", "t", "/21",
		"--chmod", "04755", "/21",
		"--add-seccomp-fd", fd,
		"--add-seccomp-fd", fd,
		"--exec-label", "e_t",
		"--file-label", "f_t",
		"--block-fd", fd,
		"--info-fd", fd,
		"--json-status-fd", fd,
		"--new-session",
		"--die-with-parent",
		"--level-prefix",
		"--lock-file", "/lk",
		"--sync-fd", fd,
		"--sync-fd", fd,
		"--cap-add", "ALL",
		"--cap-drop", "CAP_SYS_ADMIN",
		"--deny-syscall", "ptrace",
		"--deny-syscall", "bpf",
		"--", "/bin/sh", "-c", "echo \"$0\"",
		NULL
	};
	/* clang-format on */
	round_trip(f, argv);
	/* --userns-block-fd cannot go with --disable-userns */
	const char *argv2[] = {
		"cordon", "--unshare-user", "--userns-block-fd", fd, "--info-fd", fd, "true", NULL
	};
	round_trip(f, argv2);
}

static void test_round_trip_profiles(void **state)
{
	struct fixture *f = *state;
	const char *minimal[] = { "cordon",  "--profile", "minimal",	    "--share-net",
				  "--tmpfs", "/x",	  "--print-policy", NULL };
	const char *shell[] = { "cordon", "--tmpfs", "/first", "--profile", "shell", "true", NULL };
	const char *seccomp[] = { "cordon",   "--seccomp", "0",	   "--as-pid-1", "--unshare-pid",
				  "--userns", "0",	   "true", NULL };
	round_trip(f, minimal);
	round_trip(f, shell);
	round_trip(f, seccomp);
}

static void test_dump_profile_is_informational(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "cordon", "--profile", "minimal", "true", NULL };
	char *out;
	spec_free(&f->s);
	assert_int_equal(parse(&f->s, &f->e, argv), OPTIONS_RUN);
	out = policy_dump(&f->s, &f->e);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"profile\": \"minimal\",\n  \"profile-expanded\": true"));
	assert_non_null(strstr(out, "\"type\": \"proc\""));
	free(out);
}

static void test_dump_not_utf8(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "cordon", "--tmpfs", "/\xff", "true", NULL };
	spec_free(&f->s);
	assert_int_equal(parse(&f->s, &f->e, argv), OPTIONS_RUN);
	assert_null(policy_dump(&f->s, &f->e));
	assert_string_equal(f->e.msg,
			    "--print-policy: dest: cannot be written as JSON (not UTF-8?)");
}

static void test_rlimits_load(void **state)
{
	struct fixture *f = *state;
	LOAD_OK(f, "{\"version\": 1, \"rlimits\": {\"nofile\": [64, 128], "
		   "\"cpu\": [\"unlimited\", \"unlimited\"], \"core\": [0, \"unlimited\"]}}");
	assert_int_equal(f->s.n_rlimits, 3);
	assert_int_equal(f->s.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(f->s.rlimits[0].soft, 64);
	assert_int_equal(f->s.rlimits[0].hard, 128);
	assert_int_equal(f->s.rlimits[1].resource, RLIMIT_CPU);
	assert_true(f->s.rlimits[1].soft == SPEC_RLIM_UNLIMITED);
	assert_true(f->s.rlimits[2].hard == SPEC_RLIM_UNLIMITED);
	assert_int_equal(f->s.rlimits[2].soft, 0);
}

static void test_rlimits_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": [1]}", "p.json: rlimits: expected an object");
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": {\"foo\": [1, 1]}}",
		 "p.json: rlimits.foo: unknown resource");
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": {\"nofile\": 5}}",
		 "p.json: rlimits.nofile: expected [SOFT, HARD]");
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": {\"nofile\": [5]}}",
		 "p.json: rlimits.nofile: expected [SOFT, HARD]");
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": {\"nofile\": [\"abc\", 5]}}",
		 "p.json: rlimits.nofile[0]: expected an integer or \"unlimited\"");
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": {\"nofile\": [1, -5]}}",
		 "p.json: rlimits.nofile[1]: -5: out of range");
	LOAD_ERR(f, "{\"version\": 1, \"rlimits\": {\"nofile\": [10, 5]}}",
		 "p.json: rlimits.nofile: soft limit above the hard limit");
}

static void test_landlock_load(void **state)
{
	struct fixture *f = *state;
	LOAD_OK(f, "{\"version\": 1}");
	assert_false(f->s.landlock);
	LOAD_OK(f, "{\"version\": 1, \"landlock\": {}}");
	assert_true(f->s.landlock);
	LOAD_OK(f, "{\"version\": 1, \"landlock\": {\"ro\": [\"/usr\", \"etc\"], "
		   "\"rw\": [\"/tmp\"]}}");
	assert_true(f->s.landlock);
	assert_int_equal(f->s.n_landlock_ro, 2);
	assert_string_equal(f->s.landlock_ro[1], "/etc");
	assert_int_equal(f->s.n_landlock_rw, 1);
	assert_string_equal(f->s.landlock_rw[0], "/tmp");
	LOAD_ERR(f, "{\"version\": 1, \"landlock\": true}", "p.json: landlock: expected an object");
	LOAD_ERR(f, "{\"version\": 1, \"landlock\": {\"rx\": []}}",
		 "p.json: landlock.rx: unknown key");
	LOAD_ERR(f, "{\"version\": 1, \"landlock\": {\"ro\": \"/usr\"}}",
		 "p.json: landlock.ro: expected an array");
	LOAD_ERR(f, "{\"version\": 1, \"landlock\": {\"rw\": [\"\"]}}",
		 "p.json: landlock.rw[0]: empty path");
	LOAD_ERR(f, "{\"version\": 1, \"landlock\": {\"rw\": [3]}}",
		 "p.json: landlock.rw[0]: expected a string");
}

static void test_dump_limits_exact(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = { "cordon",   "--rlimit",	    "nofile=64:128",
			       "--rlimit", "cpu=unlimited", "--landlock-ro",
			       "/usr",	   "--landlock",    "true",
			       NULL };
	const char *want = "  \"rlimits\": {\n"
			   "    \"cpu\": [\n"
			   "      \"unlimited\",\n"
			   "      \"unlimited\"\n"
			   "    ],\n"
			   "    \"nofile\": [\n"
			   "      64,\n"
			   "      128\n"
			   "    ]\n"
			   "  },\n"
			   "  \"landlock\": {\n"
			   "    \"ro\": [\n"
			   "      \"/usr\"\n"
			   "    ],\n"
			   "    \"rw\": []\n"
			   "  },\n";
	char *out;
	spec_free(&f->s);
	assert_int_equal(parse(&f->s, &f->e, argv), OPTIONS_RUN);
	out = policy_dump(&f->s, &f->e);
	assert_non_null(out);
	if (!strstr(out, want))
		fail_msg("dump lacks the limits as expected:\n%s", out);
	free(out);
}

static void test_round_trip_limits(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const char *limits[] = {
		"cordon", "--rlimit", "nproc=5", "--rlimit", "nofile=1", "--rlimit",
		"stack=1:unlimited", "--rlimit", "as=unlimited", "--landlock-rw", "/w",
		"--landlock-ro", "/r1", "--landlock-ro", "/r2", "true", NULL
	};
	/* clang-format on */
	const char *bare[] = { "cordon", "--landlock", "true", NULL };
	round_trip(f, limits);
	round_trip(f, bare);
}

/* ---- "net" and "net-pasta-args" (--net-pasta) ---- */

static void test_net_load(void **state)
{
	struct fixture *f = *state;
	LOAD_OK(f, "{\"version\": 1, \"namespaces\": {\"net\": false}, \"net\": \"pasta\","
		   " \"net-pasta-args\": [\"-t\", \"127.0.0.1/80\"]}");
	assert_true(f->s.net_pasta);
	assert_true(f->s.ns & CLONE_NEWNET);
	assert_int_equal(f->s.n_net_pasta_args, 2);
	assert_string_equal(f->s.net_pasta_args[0], "-t");
	assert_string_equal(f->s.net_pasta_args[1], "127.0.0.1/80");
	LOAD_OK(f, "{\"version\": 1, \"net\": \"loopback\"}");
	assert_false(f->s.net_pasta);
	assert_true(f->s.ns & CLONE_NEWNET);
	LOAD_OK(f, "{\"version\": 1, \"namespaces\": {\"net\": true}, \"net\": \"host\"}");
	assert_false(f->s.net_pasta);
	assert_false(f->s.ns & CLONE_NEWNET);
}

static void test_net_errors(void **state)
{
	struct fixture *f = *state;
	LOAD_ERR(f, "{\"version\": 1, \"net\": \"slirp\"}",
		 "p.json: net: slirp: expected \"host\", \"loopback\" or \"pasta\"");
	LOAD_ERR(f, "{\"version\": 1, \"net\": true}", "p.json: net: expected a string");
	LOAD_ERR(f, "{\"version\": 1, \"net-pasta-args\": \"-t 80\"}",
		 "p.json: net-pasta-args: expected an array");
	LOAD_ERR(f, "{\"version\": 1, \"net-pasta-args\": [\"-t\", 80]}",
		 "p.json: net-pasta-args[1]: expected a string");
	LOAD_ERR(f, "{\"version\": 1, \"net-pasta-args\": [\"\"]}",
		 "p.json: net-pasta-args[0]: empty argument");
	LOAD_ERR(f, "{\"version\": 1, \"net-pasta-args\": [\"--netns=/x\"]}",
		 "p.json: net-pasta-args[0]: --netns=/x: cordon sets --netns itself");
	LOAD_ERR(f, "{\"version\": 1, \"net-pasta-args\": [\"-P\", \"/x\"]}",
		 "p.json: net-pasta-args[0]: -P: cordon sets --pid itself");
}

static void test_dump_net_exact(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = {
		"cordon", "--net-pasta", "--net-pasta-args", "-t 8080", "true", NULL
	};
	const char *plain[] = { "cordon", "--unshare-net", "true", NULL };
	const char *want = "  },\n"
			   "  \"net\": \"pasta\",\n"
			   "  \"net-pasta-args\": [\n"
			   "    \"-t\",\n"
			   "    \"8080\"\n"
			   "  ],\n";
	char *out;
	spec_free(&f->s);
	assert_int_equal(parse(&f->s, &f->e, argv), OPTIONS_RUN);
	out = policy_dump(&f->s, &f->e);
	assert_non_null(out);
	if (!strstr(out, want))
		fail_msg("dump lacks the network as expected:\n%s", out);
	free(out);
	/* plain --unshare-net: "namespaces" says it all, no "net" key */
	spec_free(&f->s);
	assert_int_equal(parse(&f->s, &f->e, plain), OPTIONS_RUN);
	out = policy_dump(&f->s, &f->e);
	assert_non_null(out);
	assert_null(strstr(out, "\"net\": \""));
	assert_null(strstr(out, "net-pasta-args"));
	free(out);
}

static void test_round_trip_net(void **state)
{
	struct fixture *f = *state;
	const char *pasta[] = { "cordon",
				"--net-pasta",
				"--net-pasta-args",
				"-t 1 -u 2 --no-map-gw",
				"--net-pasta-args",
				"-4",
				"true",
				NULL };
	const char *bare[] = { "cordon", "--net-pasta", "true", NULL };
	round_trip(f, pasta);
	round_trip(f, bare);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_load_everything),
		T(test_profile_applied_first),
		T(test_profile_expanded_is_not_applied),
		T(test_policy_adds_to_existing_spec),
		T(test_load_file_errors),
		T(test_top_level_errors),
		T(test_type_errors),
		T(test_fd_errors),
		T(test_op_errors),
		T(test_env_and_cap_errors),
		T(test_dump_exact),
		T(test_round_trip_every_option),
		T(test_round_trip_profiles),
		T(test_dump_profile_is_informational),
		T(test_dump_not_utf8),
		T(test_rlimits_load),
		T(test_rlimits_errors),
		T(test_landlock_load),
		T(test_dump_limits_exact),
		T(test_round_trip_limits),
		T(test_net_load),
		T(test_net_errors),
		T(test_dump_net_exact),
		T(test_round_trip_net),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
