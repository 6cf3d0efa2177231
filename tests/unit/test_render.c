/* Unit tests for forktop/render.c: the screen as a pure function of model, view and size. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../forktop/model.h"
#include "../../forktop/render.h"

#define S(x) ((int64_t)(x)*1000000000)

struct fix {
	struct model m;
	struct view v;
	struct trows rows;
	struct rlines out;
	struct proc *bash, *sleep1, *make, *cc;
};

static char *blob(const char *a, const char *b, const char *c, size_t *len)
{
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0, lc = c ? strlen(c) + 1 : 0;
	char *x = malloc(la + lb + lc);
	memcpy(x, a, la);
	if (b)
		memcpy(x + la, b, lb);
	if (c)
		memcpy(x + la + lb, c, lc);
	*len = la + lb + lc;
	return x;
}

static void set_cmd(struct model *m, struct proc *p, const char *a, const char *b, const char *c)
{
	size_t len;
	char *x = blob(a, b, c, &len);
	char exe[64];
	snprintf(exe, sizeof(exe), "/usr/bin/%s", a);
	model_exec(m, p, x, len, strdup(exe), strdup("/work"));
}

static void base_perms(struct procfs_perms *p, uint32_t uid)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < PROCFS_ID_COUNT; i++) {
		p->uid[i] = p->gid[i] = uid;
		p->uid_ns[i] = p->gid_ns[i] = uid;
	}
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		p->ns[i] = 4026531830ull + (uint64_t)i;
	p->seccomp = 0;
	p->seccomp_filters = 0;
	strcpy(p->cgroup, "/user.slice");
}

/* bash(100) -> sleep(101), make(102) -> cc(103) */
static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct err e;
	struct procfs_perms pp;
	assert_int_equal(model_init(&f->m, 100, &e), 0);
	view_init(&f->v);
	f->v.ascii = true;
	f->v.now_ns = S(100);
	f->v.highlight_ns = S(2);
	f->bash = model_add(&f->m, 100, 1, 1, 1, S(10), &e);
	set_cmd(&f->m, f->bash, "bash", "-c", "make all");
	base_perms(&pp, 1000);
	model_set_perms(&f->m, f->bash, &pp);
	f->sleep1 = model_add(&f->m, 101, 2, 100, 2, S(20), &e);
	set_cmd(&f->m, f->sleep1, "sleep", "30", NULL);
	model_set_perms(&f->m, f->sleep1, &pp);
	f->make = model_add(&f->m, 102, 3, 100, 3, S(30), &e);
	set_cmd(&f->m, f->make, "make", "all", NULL);
	model_set_perms(&f->m, f->make, &pp);
	f->cc = model_add(&f->m, 103, 4, 102, 4, S(99), &e);
	set_cmd(&f->m, f->cc, "cc", "-c", "x y.c");
	/* cc gained a capability and a new network namespace, and runs as root */
	base_perms(&pp, 0);
	pp.caps[PROCFS_CAP_EFF] = pp.caps[PROCFS_CAP_PRM] = 1ull << 21; /* CAP_SYS_ADMIN */
	pp.ns[PROCFS_NS_NET] = 4026532000ull;
	model_set_perms(&f->m, f->cc, &pp);
	rlines_init(&f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	rlines_free(&f->out);
	trows_free(&f->rows);
	view_free(&f->v);
	model_destroy(&f->m);
	free(f);
	return 0;
}

static void dump(const struct rlines *o)
{
	if (getenv("DUMP"))
		for (int i = 0; i < o->n; i++)
			fprintf(stderr, "[%s] %x\n", o->v[i].text, o->v[i].attr);
}

/* line i is `want` padded with spaces to `width` columns */
static void assert_line(const struct rlines *o, int i, int width, const char *want)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%-*s", width, want);
	assert_string_equal(o->v[i].text, buf);
}

static void rows(struct fix *f)
{
	assert_int_equal(render_tree_rows(&f->m, &f->v, &f->rows), 0);
}

static void test_tree_lines(void **state)
{
	struct fix *f = *state;
	rows(f);
	assert_int_equal(f->rows.n, 4);
	assert_int_equal(render_tree(&f->rows, &f->v, 80, 6, &f->out), 0);
	dump(&f->out);
	assert_int_equal(f->out.n, 6);
	assert_line(&f->out, 0, 80, "    PID  NSPID USER     STATE      AGE EXIT     COMMAND");
	assert_line(&f->out, 1, 80,
		    "    100      1 1000     running  1m30s -        bash -c 'make all'");
	assert_line(&f->out, 2, 80, "    101      2 1000     running  1m20s -        |-sleep 30");
	assert_line(&f->out, 3, 80, "    102      3 1000     running  1m10s -        `-make all");
	assert_line(&f->out, 4, 80,
		    "    103      4 0        running   1.0s -          `-cc -c 'x y.c'");
	assert_line(&f->out, 5, 80, "");
	/* cc is new (started 1 s ago, highlight lasts 2 s) and changed its uid */
	assert_true(f->out.v[4].attr & RA_NEW);
	assert_false(f->out.v[1].attr & RA_NEW);
	assert_int_equal(f->out.v[4].nspans, 1);
	assert_int_equal(f->out.v[4].spans[0].col, 15);
	assert_true(f->out.v[4].spans[0].attr & RA_CHANGED);
}

static void test_tree_utf8_lines(void **state)
{
	struct fix *f = *state;
	f->v.ascii = false;
	rows(f);
	assert_string_equal(f->rows.v[1].prefix, "\u251c\u2500");
	assert_string_equal(f->rows.v[2].prefix, "\u2514\u2500");
	assert_string_equal(f->rows.v[3].prefix, "  \u2514\u2500");
	/* a second child of sleep: the bar under make's branch continues for sleep's child */
	struct err e;
	struct proc *x = model_add(&f->m, 104, 5, 101, 5, S(50), &e);
	set_cmd(&f->m, x, "true", NULL, NULL);
	rows(f);
	assert_string_equal(f->rows.v[2].prefix, "\u2502 \u2514\u2500");
}

static void test_every_line_is_width_columns(void **state)
{
	struct fix *f = *state;
	f->v.selected = f->cc->id;
	f->v.details = true;
	f->v.events = true;
	rows(f);
	struct evlog log;
	assert_int_equal(evlog_init(&log), 0);
	assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, 80, 24, &f->out), 0);
	assert_int_equal(f->out.n, 24);
	for (int i = 0; i < f->out.n; i++)
		assert_int_equal(strlen(f->out.v[i].text), 80); /* ASCII mode: bytes = columns */
	assert_non_null(strstr(f->out.v[0].text, "live 4 exited 0 total 4"));
	assert_non_null(strstr(f->out.v[23].text, "?:help"));
	evlog_free(&log);
}

static void test_collapse_and_expand(void **state)
{
	struct fix *f = *state;
	assert_int_equal(idset_add(&f->v.collapsed, f->make->id), 0);
	rows(f);
	assert_int_equal(f->rows.n, 3);
	assert_true(f->rows.v[2].collapsed);
	assert_int_equal(render_tree(&f->rows, &f->v, 80, 4, &f->out), 0);
	assert_non_null(strstr(f->out.v[3].text, "`-[+]make all ..."));
	idset_del(&f->v.collapsed, f->make->id);
	rows(f);
	assert_int_equal(f->rows.n, 4);
}

static void test_filter_keeps_ancestors(void **state)
{
	struct fix *f = *state;
	strcpy(f->v.filter, "cc");
	rows(f);
	assert_int_equal(f->rows.n, 3);
	assert_ptr_equal(f->rows.v[0].p, f->bash);
	assert_ptr_equal(f->rows.v[1].p, f->make);
	assert_ptr_equal(f->rows.v[2].p, f->cc);
	assert_false(f->rows.v[0].match);
	assert_true(f->rows.v[2].match);
	/* sleep is hidden, so make is now bash's last shown child */
	assert_string_equal(f->rows.v[1].prefix, "`-");
	strcpy(f->v.filter, "nothing-matches");
	rows(f);
	assert_int_equal(f->rows.n, 0);
}

static void test_search_marks_matches(void **state)
{
	struct fix *f = *state;
	strcpy(f->v.search, "sleep");
	rows(f);
	assert_int_equal(f->rows.n, 4);
	assert_true(f->rows.v[1].match);
	assert_false(f->rows.v[2].match);
	assert_true(render_proc_matches(f->make, "102"));
}

static void test_exited_dimmed_with_signal(void **state)
{
	struct fix *f = *state;
	model_exit(&f->m, f->sleep1, 0, SIGKILL, false, S(25), false);
	model_exit(&f->m, f->cc, 2, 0, false, S(99) + S(1) / 2, true);
	rows(f);
	assert_int_equal(render_tree(&f->rows, &f->v, 80, 5, &f->out), 0);
	dump(&f->out);
	assert_non_null(strstr(f->out.v[2].text, "zombie    5.0s SIGKILL  |-sleep 30"));
	assert_true(f->out.v[2].attr & RA_DIM);
	assert_non_null(strstr(f->out.v[4].text, "exited    0.5s 2          `-cc"));
	assert_true(f->out.v[4].spans[f->out.v[4].nspans - 1].attr & RA_ERROR);
	/* shown for a while only: sleep ended 75 s ago, cc 0.5 s ago */
	f->v.exited_ttl_ns = S(10);
	rows(f);
	assert_int_equal(f->rows.n, 3);
	assert_ptr_equal(f->rows.v[2].p, f->cc);
	/* an expired process stays as the ancestor of a shown one */
	model_exit(&f->m, f->make, 0, 0, false, S(50), true);
	rows(f);
	assert_int_equal(f->rows.n, 3);
	assert_ptr_equal(f->rows.v[1].p, f->make);
	f->v.now_ns = S(200);
	rows(f);
	assert_int_equal(f->rows.n, 1);
	f->v.exited_ttl_ns = 0;
	model_clear_exited(&f->m);
	rows(f);
	assert_int_equal(f->rows.n, 1);
}

static void test_details_pane(void **state)
{
	struct fix *f = *state;
	char all[8192] = "";
	assert_int_equal(render_details(f->cc, &f->v, 70, 30, &f->out), 0);
	assert_int_equal(f->out.n, 30);
	for (int i = 0; i < f->out.n; i++) {
		strcat(all, f->out.v[i].text);
		strcat(all, "\n");
	}
	assert_non_null(strstr(all, " Details: pid 103 (ns 4), parent 102, #4"));
	assert_non_null(strstr(all, " exe        /usr/bin/cc "));
	assert_non_null(strstr(all, " argv       cc -c 'x y.c' "));
	assert_non_null(strstr(all, " uid        0/0/0/0  in ns 0/0/0/0  (changed)"));
	assert_non_null(strstr(all, " cap eff    sys_admin "));
	assert_non_null(strstr(all, " gained     sys_admin "));
	assert_non_null(strstr(all, " ns net     4026532000  new"));
	assert_non_null(strstr(all, " ns mnt     4026531830  same as parent"));
	assert_non_null(strstr(all, " seccomp    disabled, 0 filters, no_new_privs no"));
	/* the changed lines are highlighted */
	for (int i = 0; i < f->out.n; i++)
		if (strstr(f->out.v[i].text, " ns net ")) {
			assert_int_equal(f->out.v[i].nspans, 1);
			assert_true(f->out.v[i].spans[0].attr & RA_CHANGED);
		}
}

/* The view's name source: names for uid/gid 0 and 1000 in bash's sandbox only. */
static const char *fake_names(void *data, const struct proc *p, bool group, uint32_t id)
{
	struct fix *f = data;
	if (p != f->bash && p != f->cc)
		return NULL;
	if (id == 0)
		return group ? "wheel" : "toor";
	if (id == 1000)
		return group ? "staff" : "alice";
	return NULL;
}

static void test_user_names_and_maps(void **state)
{
	struct fix *f = *state;
	struct procfs_perms pp = f->cc->perms;
	char all[8192] = "";
	/* cc runs in a new user namespace mapping root to 1000; bash has the initial maps */
	strcpy(pp.uid_map, "0 1000 1");
	strcpy(pp.gid_map, "0 1000 1");
	model_set_perms(&f->m, f->cc, &pp);
	pp = f->make->perms;
	strcpy(pp.uid_map, "0 0 4294967295");
	strcpy(pp.gid_map, "0 0 4294967295");
	model_set_perms(&f->m, f->make, &pp);
	f->v.id_name = fake_names;
	f->v.id_name_data = f;
	rows(f);
	assert_int_equal(render_tree(&f->rows, &f->v, 80, 5, &f->out), 0);
	dump(&f->out);
	/* the name when the source knows it, else the number */
	assert_line(&f->out, 1, 80,
		    "    100      1 alice    running  1m30s -        bash -c 'make all'");
	assert_line(&f->out, 2, 80, "    101      2 1000     running  1m20s -        |-sleep 30");
	assert_line(&f->out, 4, 80,
		    "    103      4 toor     running   1.0s -          `-cc -c 'x y.c'");
	rlines_clear(&f->out);
	assert_int_equal(render_details(f->cc, &f->v, 70, 30, &f->out), 0);
	for (int i = 0; i < f->out.n; i++) {
		strcat(all, f->out.v[i].text);
		strcat(all, "\n");
		/* the map lines differ from the parent's: highlighted */
		if (strstr(f->out.v[i].text, " uid map ") ||
		    strstr(f->out.v[i].text, " gid map ")) {
			assert_int_equal(f->out.v[i].nspans, 1);
			assert_true(f->out.v[i].spans[0].attr & RA_CHANGED);
		}
	}
	assert_non_null(strstr(all, " uid        0/0/0/0  in ns 0/0/0/0 (toor)  (changed) "));
	assert_non_null(strstr(all, " uid map    0 1000 1  (changed)"));
	assert_non_null(strstr(all, " gid        0/0/0/0  in ns 0/0/0/0 (wheel) "));
	assert_non_null(strstr(all, " gid map    0 1000 1  (changed)"));
	/* the same map as the parent: not marked; an unknown map: "?" */
	rlines_clear(&f->out);
	all[0] = '\0';
	pp = f->cc->perms;
	strcpy(pp.uid_map, "0 0 4294967295");
	pp.gid_map[0] = '\0';
	model_set_perms(&f->m, f->cc, &pp);
	assert_int_equal(render_details(f->cc, &f->v, 70, 30, &f->out), 0);
	for (int i = 0; i < f->out.n; i++) {
		strcat(all, f->out.v[i].text);
		strcat(all, "\n");
		if (strstr(f->out.v[i].text, " uid map "))
			assert_int_equal(f->out.v[i].nspans, 0);
	}
	assert_non_null(strstr(all, " uid map    0 0 4294967295 "));
	assert_null(strstr(all, " uid map    0 0 4294967295  (changed)"));
	assert_non_null(strstr(all, " gid map    ?  (changed)"));
}

static void test_event_log(void **state)
{
	struct fix *f = *state;
	struct evlog log;
	struct event ev = { .type = EV_EXEC, .mono_ns = S(11) + 5000000, .pid = 100 };
	size_t len;
	char *argv = blob("ls", "-l", NULL, &len);
	assert_int_equal(evlog_init(&log), 0);
	ev.argv = argv;
	ev.argv_len = len;
	evlog_push(&log, &ev);
	ev = (struct event){
		.type = EV_EXIT, .mono_ns = S(12), .pid = 100, .sig = SIGSEGV, .core = true
	};
	evlog_push(&log, &ev);
	f->v.t0_ns = S(10);
	assert_int_equal(render_events(&log, &f->v, 60, 4, &f->out), 0);
	assert_int_equal(f->out.n, 4);
	assert_string_equal(f->out.v[0].text,
			    " Events (2)                                                 ");
	assert_string_equal(f->out.v[1].text,
			    "   1.005 exec         100 ls -l                             ");
	assert_string_equal(f->out.v[2].text,
			    "   2.000 exit         100 SIGSEGV (core dumped)             ");
	assert_true(f->out.v[2].attr & RA_ERROR);
	rlines_clear(&f->out);
	strcpy(f->v.evfilter, "exec");
	assert_int_equal(render_events(&log, &f->v, 60, 4, &f->out), 0);
	assert_non_null(strstr(f->out.v[1].text, "exec"));
	assert_string_equal(f->out.v[2].text,
			    "                                                            ");
	/* the ring keeps the newest EVLOG_MAX */
	for (int i = 0; i < EVLOG_MAX + 5; i++)
		evlog_push(&log, &ev);
	assert_int_equal(log.n, EVLOG_MAX);
	assert_int_equal(log.total, EVLOG_MAX + 7);
	evlog_free(&log);
	free(argv);
}

static void test_selection_row_stays_put(void **state)
{
	struct fix *f = *state;
	struct evlog log;
	struct err e;
	assert_int_equal(evlog_init(&log), 0);
	for (int i = 0; i < 40; i++)
		model_add(&f->m, 300 + i, 300 + (unsigned long long)i, 102, 0, S(50), &e);
	f->v.selected = f->make->id;
	f->v.sel_row = 2;
	rows(f);
	assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, 80, 24, &f->out), 0);
	dump(&f->out);
	assert_true(f->out.v[4].attr & RA_REVERSE); /* header, titles, 2 rows above */
	/* new processes above the selection: it stays on its screen row */
	for (int i = 0; i < 5; i++)
		model_add(&f->m, 200 + i, 100 + (unsigned long long)i, 101, 0, S(50), &e);
	rows(f);
	rlines_clear(&f->out);
	assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, 80, 24, &f->out), 0);
	assert_true(f->out.v[4].attr & RA_REVERSE);
	assert_non_null(strstr(f->out.v[4].text, "make all"));
	assert_int_equal(f->v.sel_row, 2);
	assert_int_equal(f->v.top, 5);
	evlog_free(&log);
}

static void test_overlays(void **state)
{
	struct fix *f = *state;
	struct evlog log;
	char all[4096] = "";
	assert_int_equal(evlog_init(&log), 0);
	rows(f);
	f->v.overlay = OV_SIGNALS;
	f->v.menu_sel = 1;
	assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, 80, 24, &f->out), 0);
	for (int i = 0; i < f->out.n; i++) {
		assert_int_equal(strlen(f->out.v[i].text), 80);
		strcat(all, f->out.v[i].text);
	}
	assert_non_null(strstr(all, "Send signal:"));
	assert_non_null(strstr(all, " >  9 SIGKILL"));
	assert_non_null(strstr(all, "   15 SIGTERM"));
	rlines_clear(&f->out);
	f->v.overlay = OV_HELP;
	assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, 80, 24, &f->out), 0);
	assert_string_equal(f->out.v[1].text,
			    "forktop keys                                          "
			    "                          ");
	evlog_free(&log);
}

static void test_tiny_and_wide_screens(void **state)
{
	struct fix *f = *state;
	struct evlog log;
	struct layout lay;
	assert_int_equal(evlog_init(&log), 0);
	rows(f);
	f->v.details = true;
	for (int w = 1; w < 200; w += 13)
		for (int h = 1; h < 60; h += 7) {
			rlines_clear(&f->out);
			assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, w, h, &f->out),
					 0);
			assert_int_equal(f->out.n, h);
			for (int i = 0; i < h; i++)
				assert_int_equal(strlen(f->out.v[i].text), w);
		}
	/* every pane at once, on every size: nothing overlaps, nothing is negative */
	f->v.events = true;
	f->v.console = true;
	for (int w = 1; w < 200; w += 17)
		for (int h = 1; h < 60; h += 5) {
			render_layout(&f->v, w, h, &lay);
			assert_true(lay.tree.h >= 0 && lay.details.h >= 0 && lay.events.h >= 0 &&
				    lay.console.h >= 0);
			if (h >= 3)
				assert_true(lay.tree.y + lay.tree.h <= lay.status.y);
			if (lay.events.h)
				assert_true(lay.events.y + lay.events.h <= lay.console.y);
			rlines_clear(&f->out);
			assert_int_equal(render_screen(&f->m, &log, &f->v, &f->rows, w, h, &f->out),
					 0);
			assert_int_equal(f->out.n, h);
		}
	f->v.events = false;
	f->v.console = false;
	render_layout(&f->v, 160, 40, &lay);
	assert_int_equal(lay.details.x, 96); /* beside the tree on wide screens */
	f->v.console = true;
	render_layout(&f->v, 80, 24, &lay);
	assert_true(lay.console.h >= 3);
	assert_int_equal(lay.console.y + lay.console.h, 23);
	f->v.zoom = true;
	render_layout(&f->v, 80, 24, &lay);
	assert_int_equal(lay.console.h, 22);
	assert_int_equal(lay.tree.h, 0);
	evlog_free(&log);
}

/* Display columns of a UTF-8 line (every code point here is one column). */
static int columns(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void test_deep_chain(void **state)
{
	struct fix *f = *state;
	struct err e;
	struct proc *p = f->cc;
	f->v.ascii = false;
	for (int i = 0; i < 40; i++) {
		p = model_add(&f->m, 1000 + i, 1000 + (unsigned long long)i, p->pid, 0, S(60), &e);
		assert_non_null(p);
		set_cmd(&f->m, p, "sh", NULL, NULL);
	}
	rows(f);
	assert_int_equal(f->rows.n, 44);
	assert_int_equal(f->rows.v[43].depth, 42);
	/* the deepest levels are drawn, the rest is an ellipsis */
	assert_true(strncmp(f->rows.v[43].prefix, "\u2026 ", 4) == 0);
	assert_int_equal(render_tree(&f->rows, &f->v, 100, 45, &f->out), 0);
	for (int i = 0; i < f->out.n; i++)
		assert_int_equal(columns(f->out.v[i].text), 100);
	assert_non_null(strstr(f->out.v[44].text, "\u2514\u2500sh"));
}

static void test_helpers(void **state)
{
	char buf[64];
	(void)state;
	render_age(S(59) + 900000000, buf, sizeof(buf));
	assert_string_equal(buf, "59.9s");
	render_age(S(3599), buf, sizeof(buf));
	assert_string_equal(buf, "59m59s");
	render_age(S(7500), buf, sizeof(buf));
	assert_string_equal(buf, "2h05m");
	render_age(S(90000), buf, sizeof(buf));
	assert_string_equal(buf, "1d01h");
	render_argv("a\0b c\0\0", 7, buf, sizeof(buf));
	assert_string_equal(buf, "a 'b c' ''");
	struct idset s = { 0 };
	for (uint64_t i = 1; i < 100; i++)
		assert_int_equal(idset_add(&s, i * 7), 0);
	for (uint64_t i = 1; i < 100; i += 2)
		idset_del(&s, i * 7);
	for (uint64_t i = 1; i < 100; i++)
		assert_int_equal(idset_has(&s, i * 7), i % 2 == 0);
	idset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tree_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_utf8_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_line_is_width_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collapse_and_expand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_keeps_ancestors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_marks_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exited_dimmed_with_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_details_pane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_names_and_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selection_row_stays_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_and_wide_screens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_chain, setup, teardown),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
