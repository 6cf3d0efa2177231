/* Unit tests for launcher/caps.c: the capability mask bwrap's rules give the command, and
 * caps_apply() in a forked child (in a user namespace when not root). */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../launcher/caps.h"

#define BIT(c) ((uint64_t)1 << (c))

static void add_cap(struct sandbox_spec *s, bool add, int cap)
{
	s->caps = realloc(s->caps, (s->n_caps + 1) * sizeof(*s->caps));
	assert_non_null(s->caps);
	s->caps[s->n_caps++] = (struct cap_op){ add, cap };
}

static void test_root_keeps_caller_set(void **state)
{
	struct sandbox_spec s;
	(void)state;
	spec_init(&s);
	assert_true(caps_mask_build(&s, caps_all(), true) == caps_all());
	/* a caller's set without CAP_SYS_RESOURCE stays without it */
	assert_true(caps_mask_build(&s, caps_all() & ~BIT(CAP_SYS_RESOURCE), true) ==
		    (caps_all() & ~BIT(CAP_SYS_RESOURCE)));
	spec_free(&s);
}

static void test_non_root_uid_gets_nothing_by_default(void **state)
{
	struct sandbox_spec s;
	(void)state;
	spec_init(&s);
	assert_true(caps_mask_build(&s, caps_all(), false) == 0);
	assert_true(caps_mask_build(&s, 0, true) == 0);
	spec_free(&s);
}

static void test_ops_apply_in_order(void **state)
{
	struct sandbox_spec s;
	(void)state;
	spec_init(&s);
	add_cap(&s, false, CAP_SYS_ADMIN);
	assert_true(caps_mask_build(&s, caps_all(), true) == (caps_all() & ~BIT(CAP_SYS_ADMIN)));
	add_cap(&s, false, -1); /* --cap-drop ALL */
	assert_true(caps_mask_build(&s, caps_all(), true) == 0);
	add_cap(&s, true, CAP_CHOWN);
	assert_true(caps_mask_build(&s, caps_all(), true) == BIT(CAP_CHOWN));
	/* with cap options a non-root uid gets what they say (bwrap --uid 5 --cap-add ...) */
	assert_true(caps_mask_build(&s, 0, false) == BIT(CAP_CHOWN));
	spec_free(&s);
}

static void test_add_all_then_drop(void **state)
{
	struct sandbox_spec s;
	(void)state;
	spec_init(&s);
	add_cap(&s, true, -1);
	add_cap(&s, false, CAP_SYS_ADMIN);
	assert_true(caps_mask_build(&s, 0, false) == (caps_all() & ~BIT(CAP_SYS_ADMIN)));
	spec_free(&s);
}

static void test_all_matches_kernel(void **state)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int last = -1;
	(void)state;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &last), 1);
	fclose(f);
	assert_true(caps_all() == (last == 63 ? ~(uint64_t)0 : (BIT(last + 1) - 1)));
}

static void test_ambient_rule(void **state)
{
	struct sandbox_spec s;
	(void)state;
	spec_init(&s);
	assert_false(caps_want_ambient(&s, true));
	assert_true(caps_want_ambient(&s, false));
	add_cap(&s, false, CAP_SYS_ADMIN);
	assert_true(caps_want_ambient(&s, true));
	spec_free(&s);
}

/* "CapBnd:\t0000000000000001" -> value */
static uint64_t status_caps(const char *key)
{
	char line[256];
	uint64_t v = ~(uint64_t)0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoull(line + strlen(key) + 1, NULL, 16);
	fclose(f);
	return v;
}

static void test_apply_in_child(void **state)
{
	pid_t pid;
	int st;
	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct err e;
		uint64_t want = BIT(CAP_CHOWN) | BIT(CAP_KILL);
		/* unprivileged: a user namespace gives the full set to drop from */
		if (geteuid() != 0 && unshare(CLONE_NEWUSER) < 0)
			_exit(77);
		if (caps_apply(want, true, &e) < 0)
			_exit(10);
		if (status_caps("CapBnd:") != want)
			_exit(11);
		if (status_caps("CapEff:") != want || status_caps("CapPrm:") != want)
			_exit(12);
		if (status_caps("CapAmb:") != want)
			_exit(13);
		/* a dropped cap cannot come back */
		if (caps_apply(want | BIT(CAP_SYS_ADMIN), false, &e) == 0)
			_exit(14);
		if (caps_drop_all(&e) < 0 || status_caps("CapEff:") != 0)
			_exit(15);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_keeps_caller_set),
		cmocka_unit_test(test_non_root_uid_gets_nothing_by_default),
		cmocka_unit_test(test_ops_apply_in_order),
		cmocka_unit_test(test_add_all_then_drop),
		cmocka_unit_test(test_all_matches_kernel),
		cmocka_unit_test(test_ambient_rule),
		cmocka_unit_test(test_apply_in_child),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
