/* Unit tests for forktop/replay.c: rebuilding the model from a recorded run, stepping
 * forward and back. The fixture follows docs/events.md: tests/expected/tui_run.jsonl. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../forktop/recorder.h"
#include "../../forktop/render.h"
#include "../../forktop/replay.h"
#include "../../forktop/tui_feed.h"

#define MS(x) ((int64_t)(x)*1000000)

static const char *fixture(void)
{
	static char path[4096];
	const char *root = getenv("T_ROOT");
	snprintf(path, sizeof(path), "%s/tests/expected/tui_run.jsonl", root ? root : ".");
	return path;
}

static int setup(void **state)
{
	struct replay *r = calloc(1, sizeof(*r));
	struct err e = { 0 };
	if (replay_open(r, "--replay", fixture(), 1000, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		free(r);
		return -1;
	}
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	replay_close(*state);
	free(*state);
	return 0;
}

/* The whole screen as one string (ASCII). */
static char *screen(struct replay *r, int w, int h)
{
	struct view v;
	struct trows rows = { 0 };
	struct rlines out;
	struct evlog log;
	char *s = calloc(1, (size_t)(w + 1) * (size_t)h + 1);
	view_init(&v);
	v.ascii = true;
	v.now_ns = replay_now(r);
	v.mode = "replay";
	rlines_init(&out);
	assert_int_equal(evlog_init(&log), 0);
	assert_int_equal(render_tree_rows(&r->model, &v, &rows), 0);
	assert_int_equal(render_screen(&r->model, &log, &v, &rows, w, h, &out), 0);
	for (int i = 0; i < out.n; i++) {
		strcat(s, out.v[i].text);
		strcat(s, "\n");
	}
	rlines_free(&out);
	trows_free(&rows);
	evlog_free(&log);
	view_free(&v);
	return s;
}

static void test_open_reads_every_event(void **state)
{
	struct replay *r = *state;
	char buf[128];
	assert_int_equal(r->n, 25);
	assert_non_null(r->summary);
	assert_int_equal(r->t0, 1000000000000);
	replay_sandbox_text(r->header, buf, sizeof(buf));
	assert_string_equal(buf, "shell: user,pid");
	assert_int_equal(r->evs[0].ev.type, EV_SPAWN);
	assert_null(r->evs[0].ev.argv);
	assert_non_null(r->evs[0].perms);
	assert_int_equal(r->evs[0].perms->rlim_cur[PROCFS_RL_NOFILE], 1024);
	assert_true(r->evs[0].perms->rlim_cur[PROCFS_RL_NPROC] == PROCFS_RLIM_INFINITY);
	assert_int_equal(r->evs[0].perms->seccomp, 2);
	assert_true(r->evs[0].perms->no_new_privs);
	assert_int_equal(r->evs[0].perms->caps[PROCFS_CAP_BND],
			 (1ull << 0) | (1ull << 5) | (1ull << 12));
}

static void test_end_state(void **state)
{
	struct replay *r = *state;
	struct err e;
	struct proc *sh, *make, *cc;
	assert_int_equal(replay_seek(r, r->n, &e), 0);
	assert_int_equal(r->model.stats.processes, 5);
	assert_int_equal(r->model.stats.exited, 5);
	assert_int_equal(r->model.stats.live, 0);
	assert_int_equal(r->model.stats.execs, 5);
	assert_int_equal(r->model.stats.signals[SIGTERM], 1);
	assert_int_equal(r->model.stats.exit_codes[2], 2);
	sh = r->model.first_root;
	assert_non_null(sh);
	assert_null(sh->next_sibling);
	assert_int_equal(sh->state, PROC_EXITED);
	assert_int_equal(sh->exit_code, 2);
	make = sh->first_child->next_sibling;
	assert_int_equal(make->pid, 102);
	cc = make->first_child;
	assert_int_equal(cc->pid, 103);
	assert_int_equal(cc->exit_signal, SIGTERM);
	assert_int_equal(cc->end_ns - cc->start_ns, MS(471));
	assert_string_equal(cc->exe, "/usr/bin/cc");
	assert_int_equal(cc->changes & (PCH_CAP_GAINED | PCH_NS_CHANGED | PCH_UID_CHANGED),
			 PCH_CAP_GAINED | PCH_NS_CHANGED | PCH_UID_CHANGED);
	assert_int_equal(cc->caps_gained, 1ull << 12);
	assert_int_equal(cc->ns_changed, 1u << PROCFS_NS_NET);
	assert_int_equal(cc->next_sibling->pid, 104);
}

static void test_midway_state(void **state)
{
	struct replay *r = *state;
	struct err e;
	struct proc *sleep1, *cc;
	size_t pos = replay_pos_at(r, MS(300));
	assert_int_equal(r->evs[pos - 1].ev.mono_ns, r->t0 + MS(201));
	assert_int_equal(replay_seek(r, pos, &e), 0);
	sleep1 = model_find(&r->model, 101);
	cc = model_find(&r->model, 103);
	assert_int_equal(sleep1->state, PROC_STOPPED);
	assert_int_equal(cc->state, PROC_RUNNING);
	assert_int_equal(cc->nthreads, 1); /* its thread came and went */
	assert_int_equal(r->model.stats.live, 4);
	assert_int_equal(model_find(&r->model, 104), NULL); /* exited and reaped */
	assert_int_equal(replay_now(r), r->t0 + MS(201));
	char *s = screen(r, 80, 12);
	if (getenv("DUMP"))
		fputs(s, stderr);
	assert_non_null(strstr(s, "    101      2 1000     stopped   0.1s -        |-sleep 1"));
	assert_non_null(strstr(s, "    103      4 0        running   0.1s -          |-cc -c x.c"));
	assert_non_null(strstr(s, "    104      5 1000     exited    0.0s 1          `-false"));
	assert_non_null(
		strstr(s, "forktop replay | live 4 exited 1 total 5 | 0 ev/s | sandbox: none"));
	free(s);
}

static void test_step_back_equals_fresh(void **state)
{
	struct replay *r = *state;
	struct err e;
	for (size_t k = 0; k <= r->n; k += 3) {
		struct replay fresh;
		char *a, *b;
		assert_int_equal(replay_seek(r, r->n, &e), 0);
		assert_int_equal(replay_seek(r, k, &e), 0); /* backward */
		assert_int_equal(r->pos, k);
		assert_int_equal(replay_open(&fresh, "--replay", fixture(), 1000, &e), 0);
		assert_int_equal(replay_seek(&fresh, k, &e), 0); /* forward */
		a = screen(r, 100, 14);
		b = screen(&fresh, 100, 14);
		assert_string_equal(a, b);
		free(a);
		free(b);
		replay_close(&fresh);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* uid_map / gid_map written by the recorder come back from a recording; a recording made
 * before they existed leaves them unknown (""). */
static void test_maps_round_trip(void **state)
{
	struct procfs_perms p;
	struct replay_ev x;
	struct err e;
	json_t *o;
	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.uid_map, "0 1000 1, 1 100000 65536");
	strcpy(p.gid_map, "0 1000 1");
	o = json_pack("{s:s, s:i, s:i, s:o}", "type", "spawn", "id", 1, "pid", 5, "perms",
		      recorder_perms_json(&p));
	assert_non_null(o);
	assert_int_equal(replay_parse_event(o, &x, &e), 0);
	assert_non_null(x.ev.perms);
	assert_string_equal(x.ev.perms->uid_map, "0 1000 1, 1 100000 65536");
	assert_string_equal(x.ev.perms->gid_map, "0 1000 1");
	replay_ev_free(&x);
	json_object_del(json_object_get(o, "perms"), "uid_map");
	json_object_set_new(json_object_get(o, "perms"), "gid_map", json_null());
	assert_int_equal(replay_parse_event(o, &x, &e), 0);
	assert_string_equal(x.ev.perms->uid_map, "");
	assert_string_equal(x.ev.perms->gid_map, "");
	replay_ev_free(&x);
	json_decref(o);
}

static void test_errors(void **state)
{
	struct replay r;
	struct err e;
	char path[] = "/tmp/test_replay.XXXXXX";
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(replay_open(&r, "--replay", "/nonexistent/x.jsonl", 10, &e), -1);
	assert_string_equal(e.msg, "--replay /nonexistent/x.jsonl: No such file or directory");
	write_file(path, "{\"type\":\"header\",\"format\":\"forktop-events\",\"version\":1}\n"
			 "{\"type\":\"exec\",\"pid\":1}\nnot json\n");
	assert_int_equal(replay_open(&r, "--replay", path, 10, &e), -1);
	assert_non_null(strstr(e.msg, ": line 3: not a JSON object"));
	write_file(path, "{\"type\":\"spawn\",\"pid\":1}\n");
	assert_int_equal(replay_open(&r, "--replay", path, 10, &e), -1);
	assert_non_null(strstr(e.msg, "line 1: not a forktop events header"));
	write_file(path, "{\"type\":\"header\",\"format\":\"forktop-events\",\"version\":1}\n"
			 "{\"type\":\"bogus\",\"pid\":1}\n");
	assert_int_equal(replay_open(&r, "--replay", path, 10, &e), -1);
	assert_non_null(strstr(e.msg, "line 2: unknown event type \"bogus\""));
	write_file(path, "{\"type\":\"header\",\"format\":\"forktop-events\",\"version\":2}\n");
	assert_int_equal(replay_open(&r, "--replay", path, 10, &e), -1);
	assert_non_null(strstr(e.msg, "version 2 not supported"));
	unlink(path);
}

static void test_live_events_copy(void **state)
{
	struct model m;
	struct err e;
	struct replay_ev x;
	struct proc *p;
	struct procfs_perms pp = { .seccomp = 2 };
	struct event ev = { .type = EV_SPAWN,
			    .id = 1,
			    .pid = 42,
			    .ppid = 1,
			    .nspid = 1,
			    .argv = "a\0b",
			    .argv_len = 4,
			    .exe = "/a",
			    .perms = &pp };
	(void)state;
	assert_int_equal(model_init(&m, 10, &e), 0);
	assert_int_equal(replay_ev_copy(&x, &ev), 0);
	assert_ptr_not_equal(x.ev.argv, ev.argv);
	assert_ptr_not_equal(x.ev.perms, &pp);
	assert_int_equal(replay_apply(&m, &x.ev, &p, &e), 0);
	assert_non_null(p);
	assert_memory_equal(p->argv, "a\0b", 4);
	assert_int_equal(p->perms.seccomp, 2);
	replay_ev_free(&x);
	ev = (struct event){ .type = EV_EXIT, .pid = 42, .exit_code = 3 };
	assert_int_equal(replay_apply(&m, &ev, &p, &e), 0);
	assert_int_equal(p->state, PROC_EXITED);
	ev.pid = 43; /* unknown: ignored */
	assert_int_equal(replay_apply(&m, &ev, &p, &e), 0);
	assert_null(p);
	model_destroy(&m);
}

struct counter {
	int events, idles;
};

static void count_emit(void *data, const struct event *ev)
{
	(void)ev;
	((struct counter *)data)->events++;
}

static int count_idle(void *data, int64_t now_ns)
{
	(void)now_ns;
	((struct counter *)data)->idles++;
	return 42;
}

/* The live UI's queue: the tracer's events arrive in order, copied (the tracer's buffers are
 * reused at once), the next sink (the recorder) still gets every one, and records are
 * recycled. */
static void test_feed_queue(void **state)
{
	struct tui_feed f;
	struct err e;
	struct counter next = { 0 };
	struct model m;
	struct feed_item *list;
	struct proc *p;
	char argv[] = "sleep\0"
		      "5";
	struct event ev = { .type = EV_SPAWN,
			    .id = 1,
			    .pid = 10,
			    .ppid = 1,
			    .argv = argv,
			    .argv_len = sizeof(argv) };
	int n = 0;
	(void)state;
	assert_int_equal(tui_feed_init(&f, &e), 0);
	f.next = (struct event_sink){ .emit = count_emit, .idle = count_idle, .data = &next };
	assert_int_equal(model_init(&m, 10, &e), 0);
	tui_feed_emit(&f, &ev);
	memcpy(argv, "XXXXX", 5); /* the tracer's buffer changes after the call */
	ev = (struct event){ .type = EV_EXIT, .pid = 10, .exit_code = 7 };
	tui_feed_emit(&f, &ev);
	assert_int_equal(tui_feed_idle(&f, 0), 42);
	assert_int_equal(next.events, 2);
	assert_int_equal(next.idles, 1);
	list = tui_feed_take(&f);
	for (struct feed_item *x = list; x; x = x->next, n++)
		assert_int_equal(replay_apply(&m, &x->ev, NULL, &e), 0);
	assert_int_equal(n, 2);
	assert_null(tui_feed_take(&f));
	p = m.first_root;
	assert_non_null(p);
	assert_memory_equal(p->argv,
			    "sleep\0"
			    "5",
			    8);
	assert_int_equal(p->state, PROC_EXITED);
	assert_int_equal(p->exit_code, 7);
	tui_feed_recycle(&f, list);
	assert_int_equal(f.nfree, 2);
	/* a recycled record takes the next event */
	tui_feed_emit(&f, &ev);
	assert_int_equal(f.nfree, 1);
	list = tui_feed_take(&f);
	assert_non_null(list);
	assert_null(list->next);
	tui_feed_recycle(&f, list);
	model_destroy(&m);
	tui_feed_destroy(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_reads_every_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midway_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_back_equals_fresh, setup, teardown),
		cmocka_unit_test(test_maps_round_trip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_live_events_copy),
		cmocka_unit_test(test_feed_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
