/* Unit tests for forktop's JSONL recorder and summary (forktop/recorder.c, summary.c, linked
 * from libforktop.a). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../forktop/model.h"
#include "../../forktop/recorder.h"
#include "../../forktop/summary.h"

static struct procfs_perms sample_perms(void)
{
	struct procfs_perms p;
	memset(&p, 0, sizeof(p));
	p.caps[PROCFS_CAP_EFF] = (1ull << 21) | 1ull; /* CAP_CHOWN, CAP_SYS_ADMIN */
	p.seccomp = 2;
	p.seccomp_filters = 1;
	p.no_new_privs = true;
	p.ns[PROCFS_NS_PID] = 4026531836ull;
	p.uid_ns[PROCFS_ID_REAL] = PROCFS_ID_UNMAPPED;
	p.has_rlimits = true;
	p.rlim_cur[PROCFS_RL_NOFILE] = 1024;
	p.rlim_max[PROCFS_RL_NOFILE] = PROCFS_RLIM_INFINITY;
	snprintf(p.cgroup, sizeof(p.cgroup), "/a/b");
	return p;
}

static void test_exec_event_json(void **state)
{
	struct procfs_perms perms = sample_perms();
	struct event ev = {
		.type = EV_EXEC,
		.mono_ns = 5,
		.wall_ns = 1700000000123456789,
		.id = 3,
		.pid = 100,
		.nspid = 2,
		.ppid = 99,
		.tid = 100,
		.old_tid = 101,
		.nthreads = 1,
		.argv = "sh\0-c\0exit 7",
		.argv_len = 12,
		.exe = "/bin/sh",
		.cwd = "/tmp",
		.perms = &perms,
		.changes = PCH_CAP_GAINED | PCH_NS_CHANGED,
		.caps_gained = 1ull << 21,
		.ns_changed = 1u << PROCFS_NS_PID,
	};
	(void)state;
	json_t *o = recorder_event_json(&ev);
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(s, "\"type\":\"exec\""));
	assert_non_null(strstr(s, "\"argv\":[\"sh\",\"-c\",\"exit 7\"]"));
	assert_non_null(strstr(s, "\"old_tid\":101"));
	assert_non_null(strstr(s, "\"time\":\"2023-11-14T22:13:20.123456Z\""));
	assert_non_null(strstr(s, "\"effective\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]"));
	assert_non_null(strstr(s, "\"caps_gained\":[\"CAP_SYS_ADMIN\"]"));
	assert_non_null(strstr(s, "\"ns_changed\":[\"pid\"]"));
	assert_non_null(strstr(s, "\"changes\":[\"cap_gained\",\"ns_changed\"]"));
	assert_non_null(strstr(s, "\"seccomp\":{\"filters\":1,\"mode\":\"filter\"}"));
	assert_non_null(strstr(s, "\"nofile\":[1024,null]"));
	assert_non_null(strstr(s, "\"uid_in_ns\":{\"effective\":0,\"fs\":0,\"real\":null"));
	assert_non_null(strstr(s, "\"cgroup\":\"/a/b\""));
	free(s);
	json_decref(o);
}

static void test_exit_and_signal_json(void **state)
{
	struct event ev = { .type = EV_EXIT, .pid = 7, .tid = 7, .sig = 9, .core = false };
	(void)state;
	json_t *o = recorder_event_json(&ev);
	assert_true(json_is_null(json_object_get(o, "exit_code")));
	assert_string_equal(json_string_value(json_object_get(o, "signal_name")), "SIGKILL");
	json_decref(o);
	ev.type = EV_SPAWN;
	ev.perms_inherited = true;
	o = recorder_event_json(&ev);
	assert_true(json_is_true(json_object_get(o, "perms_inherited")));
	assert_null(json_object_get(o, "perms"));
	json_decref(o);
}

static void test_file_roundtrip(void **state)
{
	char path[] = "/tmp/forktop-rec-XXXXXX";
	char t0[] = "true";
	char *args[] = { t0, NULL };
	struct recorder_header h = { .mode = "launch", .command = args, .mono_ns = 1, .wall_ns = 2 };
	struct recorder *r;
	struct err e;
	struct model_stats st;
	char line[8192];
	int n = 0, fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(recorder_open(&r, path, &h, &e), 0);
	for (int i = 0; i < 3000; i++) {
		struct event ev = { .type = EV_SIGNAL, .pid = i, .tid = i, .sig = 17 };
		recorder_emit(r, &ev);
	}
	memset(&st, 0, sizeof(st));
	st.processes = 3;
	st.exit_codes[2] = 1;
	assert_int_equal(recorder_close(r, summary_json(&st, 2, 10), &e), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, NULL);
		assert_non_null(o);
		if (n == 0)
			assert_string_equal(json_string_value(json_object_get(o, "type")),
					    "header");
		else if (n <= 3000)
			assert_int_equal(json_integer_value(json_object_get(o, "pid")), n - 1);
		else {
			assert_string_equal(json_string_value(json_object_get(o, "type")),
					    "summary");
			assert_int_equal(json_integer_value(json_object_get(o, "events_lost")), 0);
			assert_int_equal(json_integer_value(json_object_get(
						 json_object_get(o, "failures"), "2")),
					 1);
		}
		json_decref(o);
		n++;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(n, 3002);
}

static void test_summary_text(void **state)
{
	struct model_stats st;
	(void)state;
	memset(&st, 0, sizeof(st));
	st.processes = 4;
	st.execs = 3;
	st.max_depth = 2;
	st.max_live = 3;
	st.exit_codes[1] = 2;
	st.signals[9] = 1;
	char *s = summary_text(&st, 1, 1500000000);
	assert_string_equal(s,
			    "4 processes, 0 threads, 3 execs, max depth 2, max concurrent 3, "
			    "2 failed (exit 1: 2), 1 killed (SIGKILL: 1); exit status 1; 1.500 s");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_event_json),
		cmocka_unit_test(test_exit_and_signal_json),
		cmocka_unit_test(test_file_roundtrip),
		cmocka_unit_test(test_summary_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
