/* Unit tests for common/procfs.c's uid/gid map text: forktop's own maps for a process of its
 * user namespace, and a child's maps (one line unprivileged, a long one cut at a whole line as
 * root). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/procfs.h"

/* /proc/PID/FILE's lines, normalised as procfs does: "a b c, d e f". */
static void map_of(pid_t pid, const char *file, char *out, size_t size)
{
	char path[64], line[128];
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "re");
	assert_non_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b, c;
		if (sscanf(line, "%lu %lu %lu", &a, &b, &c) == 3)
			snprintf(out + strlen(out), size - strlen(out), "%s%lu %lu %lu",
				 out[0] ? ", " : "", a, b, c);
	}
	fclose(f);
}

static void test_own_namespace(void **state)
{
	struct procfs *p;
	struct procfs_perms perms;
	struct err e;
	char want[512];
	(void)state;
	assert_int_equal(procfs_new(&p, &e), 0);
	assert_int_equal(procfs_perms(p, getpid(), &perms, &e), 0);
	map_of(getpid(), "uid_map", want, sizeof(want));
	assert_string_equal(perms.uid_map, want);
	map_of(getpid(), "gid_map", want, sizeof(want));
	assert_string_equal(perms.gid_map, want);
	procfs_free(p);
}

/* A child in a new user namespace, stopped until killed; maps written by the caller. */
static pid_t userns_child(void)
{
	int ready[2];
	char c;
	pid_t pid;
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
		/* never outlives the test, however it ends (after unshare: a credential change
		 * clears the death signal) */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() == 1)
			_exit(1);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (c != 'y') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void write_file(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Write the maps, take the snapshot, end the child: before any assertion, so that a failing
 * one leaves no process behind. */
static int child_perms(pid_t pid, const char *uid_map, const char *gid_map,
		       struct procfs_perms *perms)
{
	struct procfs *p;
	struct err e;
	int rc = -1;
	write_file(pid, "uid_map", uid_map);
	if (gid_map)
		write_file(pid, "gid_map", gid_map);
	if (procfs_new(&p, &e) == 0) {
		rc = procfs_perms(p, pid, perms, &e);
		procfs_free(p);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}

static void test_child_namespace(void **state)
{
	struct procfs_perms perms;
	char map[1024], want[64];
	const char *head = "0 0 1, 100 200100 1, 200 200200 1, ";
	pid_t pid = userns_child();
	(void)state;
	if (pid < 0)
		skip(); /* no user namespaces for this user */
	if (getuid() != 0) {
		/* one line: our uid as root inside */
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getuid());
		assert_int_equal(child_perms(pid, map, NULL, &perms), 0);
		snprintf(want, sizeof(want), "0 %u 1", (unsigned)getuid());
		assert_string_equal(perms.uid_map, want);
		assert_string_equal(perms.gid_map, ""); /* not written: an empty map */
		assert_int_equal(perms.uid_ns[PROCFS_ID_EFF], 0);
		return;
	}
	/* twelve lines: more than fit, cut after a whole line */
	map[0] = '\0';
	for (int i = 0; i < 12; i++)
		snprintf(map + strlen(map), sizeof(map) - strlen(map), "%d %d 1\n", i * 100,
			 i == 0 ? 0 : 200000 + i * 100);
	assert_int_equal(child_perms(pid, map, "0 0 4294967295\n", &perms), 0);
	assert_int_equal(strncmp(perms.uid_map, head, strlen(head)), 0);
	assert_true(strlen(perms.uid_map) < PROCFS_MAP_TEXT);
	/* whole lines only, then the mark */
	assert_string_equal(perms.uid_map + strlen(perms.uid_map) - 7, " 1, ...");
	assert_string_equal(perms.gid_map, "0 0 4294967295");
	assert_int_equal(perms.uid_ns[PROCFS_ID_EFF], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_namespace),
		cmocka_unit_test(test_child_namespace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
