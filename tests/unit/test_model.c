/* Unit tests for forktop's process model (forktop/model.c, linked from libforktop.a). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../forktop/model.h"

static struct proc *add(struct model *m, pid_t pid, unsigned long long start, pid_t ppid)
{
	struct err e;
	struct proc *p = model_add(m, pid, start, ppid, pid, 0, &e);
	assert_non_null(p);
	return p;
}

static void test_tree_links_and_depth(void **state)
{
	struct model m;
	struct err e;
	(void)state;
	assert_int_equal(model_init(&m, 100, &e), 0);
	struct proc *a = add(&m, 10, 1, 1), *b = add(&m, 11, 1, 10), *c = add(&m, 12, 1, 11),
		    *d = add(&m, 13, 1, 10);
	assert_ptr_equal(m.first_root, a);
	assert_null(a->parent);
	assert_ptr_equal(b->parent, a);
	assert_ptr_equal(c->parent, b);
	assert_ptr_equal(a->first_child, b);
	assert_ptr_equal(b->next_sibling, d);
	assert_int_equal(c->depth, 2);
	assert_int_equal(m.stats.max_depth, 2);
	assert_int_equal(m.stats.processes, 4);
	assert_int_equal(m.stats.max_live, 4);
	assert_ptr_equal(model_find(&m, 12), c);
	/* reparenting moves the subtree and its depths */
	model_reparent(&m, c, 10);
	assert_ptr_equal(c->parent, a);
	assert_int_equal(c->depth, 1);
	assert_null(b->first_child);
	/* never under its own descendant */
	model_reparent(&m, a, 12);
	assert_null(a->parent);
	model_destroy(&m);
}

static void test_pid_reuse_keyed_by_start_time(void **state)
{
	struct model m;
	struct err e;
	(void)state;
	assert_int_equal(model_init(&m, 100, &e), 0);
	struct proc *old = add(&m, 50, 100, 1);
	assert_ptr_equal(add(&m, 50, 100, 1), old); /* same process seen twice */
	model_exit(&m, old, 0, 0, false, 5, false);
	assert_int_equal(old->state, PROC_ZOMBIE);
	assert_ptr_equal(model_find_key(&m, 50, 100), old);
	struct proc *neu = add(&m, 50, 200, 1);
	assert_ptr_not_equal(neu, old);
	assert_int_equal(old->state, PROC_EXITED); /* the reused pid proves it was reaped */
	assert_ptr_equal(model_find(&m, 50), neu);
	assert_null(model_find_key(&m, 50, 100));
	assert_int_equal(m.nzombies, 0);
	/* a live node whose pid shows up with another start time: its end was missed */
	struct proc *x = add(&m, 60, 1, 1);
	struct proc *y = add(&m, 60, 2, 1);
	assert_ptr_not_equal(x, y);
	assert_int_equal(x->state, PROC_EXITED);
	model_destroy(&m);
}

static void test_exited_list_is_bounded(void **state)
{
	struct model m;
	struct err e;
	(void)state;
	assert_int_equal(model_init(&m, 2, &e), 0);
	struct proc *parent = add(&m, 1000, 1, 1);
	struct proc *kid = add(&m, 1001, 1, 1000);
	for (int i = 0; i < 5; i++) {
		struct proc *p = add(&m, 2000 + i, 1, 1);
		model_exit(&m, p, i, 0, false, 1, true);
	}
	assert_int_equal(m.nexited, 2);
	assert_int_equal(m.stats.pruned, 3);
	assert_int_equal(m.stats.exited, 5);
	assert_int_equal(m.stats.exit_codes[4], 1);
	assert_null(model_find(&m, 2000));
	/* pruning a parent makes its live child a root */
	model_exit(&m, parent, 0, 9, true, 1, true);
	model_exit(&m, add(&m, 3000, 1, 1), 0, 0, false, 1, true);
	model_exit(&m, add(&m, 3001, 1, 1), 0, 0, false, 1, true);
	assert_null(kid->parent);
	assert_int_equal(kid->depth, 0);
	assert_int_equal(m.stats.signals[9], 1);
	assert_int_equal(m.stats.cores, 1);
	assert_int_equal(m.stats.live, 1);
	model_clear_exited(&m);
	assert_int_equal(m.nexited, 0);
	assert_ptr_equal(m.first_root, kid);
	model_destroy(&m);
}

static void test_perms_changes_against_parent(void **state)
{
	struct model m;
	struct err e;
	struct procfs_perms pp, cp;
	(void)state;
	assert_int_equal(model_init(&m, 10, &e), 0);
	memset(&pp, 0, sizeof(pp));
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		pp.ns[i] = 100 + (uint64_t)i;
	pp.caps[PROCFS_CAP_EFF] = 1u << 3;
	cp = pp;
	cp.caps[PROCFS_CAP_EFF] |= 1u << 21; /* CAP_SYS_ADMIN gained */
	cp.ns[PROCFS_NS_PID] = 999;
	cp.uid[PROCFS_ID_EFF] = 1000;
	cp.no_new_privs = true;
	struct proc *a = add(&m, 1, 1, 0), *b = add(&m, 2, 1, 1);
	model_set_perms(&m, a, &pp);
	assert_int_equal(a->changes, 0);
	model_set_perms(&m, b, &cp);
	assert_int_equal(b->changes, PCH_CAP_GAINED | PCH_NS_CHANGED | PCH_UID_CHANGED | PCH_NNP);
	assert_int_equal(b->caps_gained, 1u << 21);
	assert_int_equal(b->ns_changed, 1u << PROCFS_NS_PID);
	/* an identical snapshot (exec without change) keeps only the parent differences */
	model_set_perms(&m, b, &cp);
	assert_int_equal(b->changes, PCH_CAP_GAINED | PCH_NS_CHANGED | PCH_UID_CHANGED | PCH_NNP);
	model_destroy(&m);
}

static void test_exec_and_inherit_command(void **state)
{
	struct model m;
	struct err e;
	(void)state;
	assert_int_equal(model_init(&m, 10, &e), 0);
	struct proc *a = add(&m, 1, 1, 0), *b = add(&m, 2, 1, 1);
	char *argv = malloc(8);
	memcpy(argv, "sh\0-c\0x", 8);
	model_exec(&m, a, argv, 8, strdup("/bin/sh"), strdup("/"));
	assert_int_equal(m.stats.execs, 1);
	assert_int_equal(model_inherit_command(b, &e), 0);
	assert_memory_equal(b->argv, "sh\0-c\0x", 8);
	assert_string_equal(b->exe, "/bin/sh");
	assert_string_equal(proc_state_name(b->state), "running");
	model_destroy(&m);
}

static void test_many_processes_reuse_nodes(void **state)
{
	struct model m;
	struct err e;
	(void)state;
	assert_int_equal(model_init(&m, 16, &e), 0);
	for (int i = 0; i < 100000; i++) {
		struct proc *p = add(&m, 100 + (i % 5000), (unsigned long long)i, 1);
		model_exit(&m, p, 0, 0, false, 0, true);
	}
	assert_int_equal(m.nexited, 16);
	assert_true(m.nfree <= MODEL_FREE_MAX);
	assert_int_equal(m.nhash, 0);
	assert_int_equal(m.stats.processes, 100000);
	model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_links_and_depth),
		cmocka_unit_test(test_pid_reuse_keyed_by_start_time),
		cmocka_unit_test(test_exited_list_is_bounded),
		cmocka_unit_test(test_perms_changes_against_parent),
		cmocka_unit_test(test_exec_and_inherit_command),
		cmocka_unit_test(test_many_processes_reuse_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
