/* Unit tests for the sandbox runtime: the command's environment (launcher/env.c), the
 * --info-fd / --json-status-fd records (launcher/status.c, byte for byte as bwrap writes them),
 * and whole runs through sandbox_start/sandbox_wait (launcher/sandbox.c) with a spec built by
 * hand: exit status, setup errors, exec errors, the started hook and the status records.
 * Runs as root and unprivileged (a user namespace is then made implicitly). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/env.h"
#include "../../launcher/sandbox.h"
#include "../../launcher/status.h"
#include "../../launcher/userns.h"

/* ---- environment ---- */

static int set_chdir(struct sandbox_spec *s)
{
	s->chdir = strdup("/work");
	return s->chdir ? 0 : -1;
}

static void test_env_set_unset_in_order(void **state)
{
	char *base[] = { (char *)(uintptr_t) "A=1", (char *)(uintptr_t) "PWD=/old",
			 (char *)(uintptr_t) "B=2", (char *)(uintptr_t) "HOME=/home/x", NULL };
	struct sandbox_spec s;
	struct env env;
	struct err e;
	(void)state;
	spec_init(&s);
	assert_int_equal(spec_add_env(&s, ENV_SET, "A", "9", &e), 0);
	assert_int_equal(spec_add_env(&s, ENV_UNSET, "B", NULL, &e), 0);
	assert_int_equal(spec_add_env(&s, ENV_SET, "C", "x=y", &e), 0);
	assert_int_equal(spec_add_env(&s, ENV_SET, "B", "3", &e), 0);
	assert_int_equal(env_build(&s, base, "/cwd", &env, &e), 0);
	/* PWD keeps its place and is the directory chosen at start */
	env_set_pwd(&env, ENV_PWD_OLD);
	assert_int_equal(env.n, 5);
	assert_string_equal(env.envp[0], "A=9");
	assert_string_equal(env.envp[1], "PWD=/cwd");
	assert_string_equal(env.envp[2], "HOME=/home/x");
	assert_string_equal(env.envp[3], "C=x=y");
	assert_string_equal(env.envp[4], "B=3");
	assert_null(env.envp[5]);
	assert_string_equal(env_get(&env, "HOME"), "/home/x");
	assert_string_equal(env.dir[ENV_PWD_HOME], "/home/x");
	assert_null(env.pwd[ENV_PWD_CHDIR]);
	env_set_pwd(&env, ENV_PWD_ROOT);
	assert_string_equal(env.envp[1], "PWD=/");
	env_free(&env);
	spec_free(&s);
}

static void test_env_clearenv_keeps_only_pwd(void **state)
{
	char *base[] = { (char *)(uintptr_t) "A=1", (char *)(uintptr_t) "HOME=/h", NULL };
	struct sandbox_spec s;
	struct env env;
	struct err e;
	(void)state;
	spec_init(&s);
	s.clearenv = true;
	assert_int_equal(set_chdir(&s), 0);
	assert_int_equal(env_build(&s, base, "/cwd", &env, &e), 0);
	env_set_pwd(&env, ENV_PWD_CHDIR);
	assert_int_equal(env.n, 1);
	assert_string_equal(env.envp[0], "PWD=/work");
	assert_null(env.envp[1]);
	/* no HOME after --clearenv: no $HOME fallback */
	assert_null(env.pwd[ENV_PWD_HOME]);
	env_free(&env);
	spec_free(&s);
}

/* ---- status records ---- */

static void test_status_info_format(void **state)
{
	struct status_ns ns = { { "cgroup", "mnt", "pid" },
				{ 4026532182, 4026532178, 4026532181 },
				3 };
	struct err e;
	char *s;
	(void)state;
	s = status_start_json(5639, &ns, false, &e);
	assert_non_null(s);
	assert_string_equal(
		s, "{\n    \"child-pid\": 5639,\n    \"cgroup-namespace\": 4026532182,\n"
		   "    \"mnt-namespace\": 4026532178,\n    \"pid-namespace\": 4026532181\n}\n");
	free(s);
	s = status_start_json(5639, &ns, true, &e);
	assert_non_null(s);
	assert_string_equal(s, "{ \"child-pid\": 5639, \"cgroup-namespace\": 4026532182, "
			       "\"mnt-namespace\": 4026532178, \"pid-namespace\": 4026532181 }\n");
	free(s);
	s = status_exit_json(137, &e);
	assert_non_null(s);
	assert_string_equal(s, "{ \"exit-code\": 137 }\n");
	free(s);
}

static void test_status_reads_namespaces(void **state)
{
	struct status_ns ns;
	struct stat st;
	(void)state;
	/* our own: mnt always, uts because asked, nothing else */
	status_read_ns(getpid(), CLONE_NEWUTS, &ns);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.name[0], "mnt");
	assert_string_equal(ns.name[1], "uts");
	assert_int_equal(stat("/proc/self/ns/uts", &st), 0);
	assert_true(ns.id[1] == (uint64_t)st.st_ino);
}

/* ---- uid/gid maps ---- */

static void test_userns_maps_written_by_parent(void **state)
{
	int go[2], st;
	pid_t pid;
	(void)state;
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char b;
		close(go[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(77);
		/* parent: maps written */
		if (read(go[0], &b, 1) != 1)
			_exit(10);
		_exit(getuid() == 5 && getgid() == 6 ? 0 : 11);
	}
	close(go[0]);
	/* wait until the child is in its namespace (its uid_map is empty) */
	for (int i = 0; i < 1000; i++) {
		char path[64], buf[64];
		int fd;
		ssize_t n = -1;
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf));
			close(fd);
		}
		if (n == 0)
			break;
		usleep(1000);
	}
	struct userns_map m = { 5, getuid(), 6, getgid(), true };
	struct err e;
	int proc = open("/proc", O_PATH | O_DIRECTORY);
	int rc = userns_write_maps(proc, pid, &m, &e);
	close(proc);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(rc, 0);
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- whole runs ---- */

static void add_bind(struct sandbox_spec *s, const char *src, const char *dest)
{
	struct err e;
	struct op *o = spec_add_op(s, OP_BIND, "--ro-bind", &e);
	assert_non_null(o);
	o->flags = OPF_RO;
	o->src = strdup(src);
	o->dest = strdup(dest);
}

static void add_symlink(struct sandbox_spec *s, const char *target, const char *dest)
{
	struct err e;
	struct op *o = spec_add_op(s, OP_SYMLINK, "--symlink", &e);
	assert_non_null(o);
	o->src = strdup(target);
	o->dest = strdup(dest);
}

/* A sandbox with the host's /usr and COMMAND = sh -c SCRIPT. */
static void spec_sh(struct sandbox_spec *s, const char *script)
{
	struct err e;
	spec_init(s);
	add_bind(s, "/usr", "/usr");
	add_symlink(s, "usr/bin", "/bin");
	add_symlink(s, "usr/lib", "/lib");
	add_symlink(s, "usr/lib64", "/lib64");
	assert_int_equal(spec_add_str(&s->argv, &s->argc, "sh", &e), 0);
	assert_int_equal(spec_add_str(&s->argv, &s->argc, "-c", &e), 0);
	assert_int_equal(spec_add_str(&s->argv, &s->argc, script, &e), 0);
	assert_int_equal(spec_add_str(&s->argv, &s->argc, "sh", &e), 0);
	s->argv = realloc(s->argv, (s->argc + 1) * sizeof(char *));
	s->argv[s->argc] = NULL;
}

static int run(const struct sandbox_spec *s, struct err *e)
{
	struct sandbox *sb = NULL;
	int rc = sandbox_start(s, NULL, &sb, e);
	if (rc == 0)
		rc = sandbox_wait(sb, e);
	sandbox_free(sb);
	return rc;
}

static void test_run_exit_status(void **state)
{
	struct sandbox_spec s;
	struct err e;
	(void)state;
	spec_sh(&s, "exit 3");
	assert_int_equal(run(&s, &e), 3);
	spec_free(&s);
	spec_sh(&s, "kill -TERM $$");
	assert_int_equal(run(&s, &e), 128 + 15);
	/* through the pid-1 reaper */
	s.ns |= CLONE_NEWPID;
	assert_int_equal(run(&s, &e), 128 + 15);
	spec_free(&s);
}

static void test_run_exec_errors(void **state)
{
	struct sandbox_spec s;
	struct err e;
	(void)state;
	spec_sh(&s, "");
	free(s.argv[0]);
	s.argv[0] = strdup("/nonexistent");
	assert_int_equal(run(&s, &e), -1);
	assert_string_equal(e.msg, "execvp /nonexistent: No such file or directory");
	assert_int_equal(e.exit_code, SANDBOX_EXIT_NOTFOUND);
	free(s.argv[0]);
	s.argv[0] = strdup("/usr");
	s.ns |= CLONE_NEWPID;
	assert_int_equal(run(&s, &e), -1);
	assert_string_equal(e.msg, "execvp /usr: Permission denied");
	assert_int_equal(e.exit_code, SANDBOX_EXIT_NOEXEC);
	spec_free(&s);
}

static void test_run_setup_error(void **state)
{
	struct sandbox_spec s;
	struct err e;
	(void)state;
	spec_sh(&s, "true");
	s.chdir = strdup("/nope");
	assert_int_equal(run(&s, &e), -1);
	assert_string_equal(e.msg, "--chdir /nope: No such file or directory");
	assert_int_equal(e.exit_code, SANDBOX_EXIT_SETUP);
	spec_free(&s);
}

struct hook_data {
	pid_t pid;
	int calls;
};

static int started(void *data, pid_t pid, struct err *e)
{
	struct hook_data *h = data;
	(void)e;
	h->pid = pid;
	h->calls++;
	return 0;
}

static char *slurp(int fd)
{
	static char buf[4096];
	ssize_t n, total = 0;
	while ((n = read(fd, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	buf[total] = '\0';
	return buf;
}

static void test_run_hook_and_records(void **state)
{
	struct hook_data h = { 0, 0 };
	struct sandbox_hooks hooks = { started, &h, false };
	struct sandbox_spec s;
	struct sandbox *sb = NULL;
	struct err e;
	char want[256];
	int info[2], js[2];
	(void)state;
	spec_sh(&s, "exit 5");
	assert_int_equal(pipe(info), 0);
	assert_int_equal(pipe(js), 0);
	s.info_fd = info[1];
	s.json_status_fd = js[1];
	assert_int_equal(sandbox_start(&s, &hooks, &sb, &e), 0);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.pid, sandbox_pid(sb));
	assert_int_equal(sandbox_setup_result(sb, &e), 0);
	assert_int_equal(sandbox_wait(sb, &e), 5);
	sandbox_free(sb);
	close(js[1]);
	/* --info-fd was closed once written (bwrap does: EOF means "started") */
	assert_int_equal(fcntl(info[1], F_GETFD), -1);
	snprintf(want, sizeof(want),
		 "{\n    \"child-pid\": %d,\n    \"mnt-namespace\": ", (int)h.pid);
	assert_memory_equal(slurp(info[0]), want, strlen(want));
	snprintf(want, sizeof(want), "{ \"child-pid\": %d, \"mnt-namespace\": ", (int)h.pid);
	char *j = slurp(js[0]);
	assert_memory_equal(j, want, strlen(want));
	assert_non_null(strstr(j, " }\n{ \"exit-code\": 5 }\n"));
	close(info[0]);
	close(js[0]);
	s.info_fd = s.json_status_fd = -1;
	spec_free(&s);
}

/* forktop's way: the caller reaps the first process and hands over its status */
static void test_run_caller_reaps(void **state)
{
	struct sandbox_hooks hooks = { NULL, NULL, true };
	struct sandbox_spec s;
	struct sandbox *sb = NULL;
	struct err e;
	int js[2], st;
	(void)state;
	spec_sh(&s, "exit 7");
	s.ns |= CLONE_NEWPID;
	assert_int_equal(pipe(js), 0);
	s.json_status_fd = js[1];
	assert_int_equal(sandbox_start(&s, &hooks, &sb, &e), 0);
	assert_int_equal(waitpid(sandbox_pid(sb), &st, 0), sandbox_pid(sb));
	assert_int_equal(sandbox_finish(sb, st), 7);
	assert_int_equal(sandbox_setup_result(sb, &e), 0);
	sandbox_free(sb);
	close(js[1]);
	assert_non_null(strstr(slurp(js[0]), "{ \"exit-code\": 7 }\n"));
	close(js[0]);
	s.json_status_fd = -1;
	spec_free(&s);
}

static void test_run_no_exit_record_when_exec_fails(void **state)
{
	struct sandbox_spec s;
	struct err e;
	int js[2];
	(void)state;
	spec_sh(&s, "");
	free(s.argv[0]);
	s.argv[0] = strdup("/nonexistent");
	assert_int_equal(pipe(js), 0);
	s.json_status_fd = js[1];
	assert_int_equal(run(&s, &e), -1);
	close(js[1]);
	assert_null(strstr(slurp(js[0]), "exit-code"));
	close(js[0]);
	s.json_status_fd = -1;
	spec_free(&s);
}

static void test_run_environment_and_fds(void **state)
{
	struct sandbox_spec s;
	struct err e;
	int keep, stray;
	char script[256];
	(void)state;
	/* an fd the spec names survives exec, any other does not */
	keep = open("/dev/null", O_RDONLY);
	stray = open("/dev/null", O_RDONLY);
	assert_true(keep > 2 && stray > 2);
	snprintf(script, sizeof(script),
		 "[ \"$FOO\" = bar ] && [ -z \"$BAR\" ] && [ \"$PWD\" = / ] && "
		 "[ -e /proc/self/fd/%d ] || exit 10; [ -e /proc/self/fd/%d ] && exit 11; exit 0",
		 keep, stray);
	spec_sh(&s, script);
	struct op *o = spec_add_op(&s, OP_PROC, "--proc", &e);
	o->dest = strdup("/proc");
	s.ns |= CLONE_NEWPID;
	s.as_pid_1 = true;
	s.clearenv = true;
	assert_int_equal(spec_add_env(&s, ENV_SET, "FOO", "bar", &e), 0);
	assert_int_equal(spec_add_env(&s, ENV_SET, "BAR", "x", &e), 0);
	assert_int_equal(spec_add_env(&s, ENV_UNSET, "BAR", NULL, &e), 0);
	assert_int_equal(spec_add_fd(&s.sync_fds, &s.n_sync_fds, keep, &e), 0);
	assert_int_equal(run(&s, &e), 0);
	close(keep);
	close(stray);
	spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_set_unset_in_order),
		cmocka_unit_test(test_env_clearenv_keeps_only_pwd),
		cmocka_unit_test(test_status_info_format),
		cmocka_unit_test(test_status_reads_namespaces),
		cmocka_unit_test(test_userns_maps_written_by_parent),
		cmocka_unit_test(test_run_exit_status),
		cmocka_unit_test(test_run_exec_errors),
		cmocka_unit_test(test_run_setup_error),
		cmocka_unit_test(test_run_hook_and_records),
		cmocka_unit_test(test_run_caller_reaps),
		cmocka_unit_test(test_run_no_exit_record_when_exec_fails),
		cmocka_unit_test(test_run_environment_and_fds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
