/* forktop: follow every process of a sandboxed (or attached) tree with ptrace and record it.
 * Thin: parse, start (sandboxed, plain or attached), trace, summarise, exit with the
 * command's status. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../launcher/options.h"
#include "../launcher/policy.h"
#include "../launcher/sandbox.h"
#include "cli.h"
#include "join.h"
#include "launch.h"
#include "recorder.h"
#include "shell.h"
#include "start.h"
#include "summary.h"
#include "tracer.h"
#include "timeline.h"
#include "tui.h"

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int write_summary_file(const char *path, json_t *j, struct err *e)
{
	_cleanup_fclose_ FILE *f = NULL;
	FILE *out = stdout;
	if (strcmp(path, "-") != 0) {
		f = fopen(path, "we");
		if (!f)
			return err_set(e, errno, "--summary %s", path);
		out = f;
	}
	if (json_dumpf(j, out, JSON_INDENT(2) | JSON_SORT_KEYS) < 0 || fputc('\n', out) == EOF ||
	    fflush(out) == EOF)
		return err_set(e, errno ? errno : EIO, "--summary %s", path);
	return 0;
}

struct run {
	struct forktop_cli cli;
	struct sandbox_spec spec;
	struct model model;
	struct recorder *rec;
	struct tracer *tracer;
	struct start started;	 /* the launched tree (sandboxed or plain) */
	struct tui_live *ui;	 /* the interactive screen; NULL with --headless or no terminal */
	struct shell_box shells; /* the s / S keys: UI thread -> tracer thread */
	int64_t t0;
	int autogroup_nice; /* forktop's autogroup's nice before run_autogroup_yield() */
	bool autogroup_set; /* changed: restore at the end */
};

/* Nice of this process's scheduler autogroup (sched(7)), or INT_MIN when unknown. */
static int autogroup_nice_get(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/autogroup", "re");
	char line[64], *p, *end;
	long nice;
	/* "/autogroup-6202 nice 0" */
	if (!f || !fgets(line, sizeof(line), f) || !(p = strstr(line, " nice ")))
		return INT_MIN;
	nice = strtol(p + 6, &end, 10);
	return end == p + 6 || nice < -20 || nice > 19 ? INT_MIN : (int)nice;
}

static bool autogroup_nice_write(int nice)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/autogroup", "we");
	if (!f)
		return false;
	fprintf(f, "%d\n", nice);
	return fflush(f) == 0;
}

/* The kernel takes one autogroup change per second from a caller without CAP_SYS_ADMIN
 * (EAGAIN otherwise, system-wide): with retry, try for that long (at start-up, only when
 * another change was made within the last second; at the end, so that forktop never leaves
 * the session's value raised). */
static bool autogroup_nice_set(int nice, bool retry)
{
	for (int i = 0; i < 24; i++) {
		struct timespec ts = { 0, 50L * 1000000 };
		errno = 0;
		if (autogroup_nice_write(nice))
			return true;
		if (errno != EAGAIN || !retry)
			return false;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* With the live view the workload is in a session of its own (the console's pty is its
 * controlling terminal), hence in a scheduler autogroup of its own, which competes with
 * forktop's as a whole: a tracee the tracer resumes then seldom preempts it, so the tracer
 * runs dry and sleeps (a full wait4 scan, a sleep and a cross-CPU wake-up) after nearly every
 * event. Measured on wl_tree 5000: the tracer's CPU 400-600 ms instead of 200, the workload
 * 1.5x slower than headless. Giving forktop's autogroup less weight (raising its nice needs
 * no privilege) restores that interplay; run_finish puts the old value back. */
#define AUTOGROUP_NICE_UP 5
static void run_autogroup_yield(struct run *r)
{
	int nice = autogroup_nice_get();
	if (nice == INT_MIN || nice >= 19)
		return;
	r->autogroup_nice = nice;
	r->autogroup_set = autogroup_nice_set(
		nice + AUTOGROUP_NICE_UP > 19 ? 19 : nice + AUTOGROUP_NICE_UP, true);
}

static int run_open_recorder(struct run *r, struct err *e)
{
	_cleanup_free_ char *sb = NULL;
	struct err ignore;
	struct recorder_header h = {
		.mode = r->cli.attach_pid > 0 ? "attach" : "launch",
		.command = r->cli.attach_pid > 0 ? NULL : r->spec.argv,
		.attach_pid = r->cli.attach_pid,
		.mono_ns = r->t0,
		.wall_ns = clock_ns(CLOCK_REALTIME),
	};
	if (!r->cli.events)
		return 0;
	if (r->cli.attach_pid == 0 && !r->spec.no_sandbox)
		sb = policy_dump(&r->spec, &ignore); /* NULL (recorded as null) until it lands */
	h.sandbox_json = sb;
	return recorder_open(&r->rec, r->cli.events, &h, e);
}

/* The header's last words once the tracer is done. */
static void finished_text(const struct run *r, int rc, char *buf, size_t size)
{
	int status;
	if (rc < 0)
		snprintf(buf, size, "tracer error");
	else if (r->cli.attach_pid > 0)
		snprintf(buf, size, "detached");
	else if (!tracer_root_status(r->tracer, &status))
		snprintf(buf, size, "finished");
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "finished: killed by SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, size, "finished: exit %d", WEXITSTATUS(status));
}

static int run_start(struct run *r, struct err *e)
{
	int rc;
	if (r->cli.attach_pid > 0)
		return 0;
	/* the workload gets the console's pty as its stdin/stdout/stderr */
	if (r->ui && tui_live_redirect(r->ui, e) < 0)
		return -1;
	r->spec.ctty = r->ui != NULL; /* launched with a UI: it has a console pane, the pty */
	rc = start_tree(&r->started, &r->spec, e);
	if (r->ui)
		tui_live_restore(r->ui);
	return rc;
}

static int run_trace(struct run *r, struct err *e)
{
	struct tracer_opts topts = { .attach = r->cli.attach_pid > 0,
				     .spawn_perms = r->cli.spawn_perms,
				     .shells = r->ui ? &r->shells : NULL };
	struct event_sink sink = { 0 }, rsink = { 0 };
	char state[128];
	int rc;
	if (r->cli.attach_pid == 0 && r->ui)
		run_autogroup_yield(r);
	if (run_start(r, e) < 0)
		return -1;
	/* after the fork (the command must not inherit a blocked mask), before any thread */
	if (tracer_block_signals(e) < 0 || run_open_recorder(r, e) < 0)
		return -1;
	if (r->rec) {
		rsink.emit = recorder_emit;
		rsink.idle = recorder_idle;
		rsink.data = r->rec;
	}
	sink = rsink;
	if (r->ui)
		tui_live_sink(r->ui, r->rec ? &rsink : NULL, &sink);
	if (tracer_new(&r->tracer, &r->model, &sink, &topts, e) < 0)
		return -1;
	if (r->cli.attach_pid > 0) {
		if (tracer_attach(r->tracer, r->cli.attach_pid, e) < 0) {
			struct err ignore;
			tracer_detach_all(r->tracer, &ignore);
			return -1;
		}
	} else if (tracer_add_root(r->tracer, r->started.pid, e) < 0) {
		return -1;
	}
	if (r->ui && tui_live_start(r->ui, r->cli.attach_pid > 0 ? 0 : r->started.pid, e) < 0)
		return -1;
	rc = tracer_run(r->tracer, e);
	if (r->ui) {
		/* the screen stays up until the user quits */
		finished_text(r, rc, state, sizeof(state));
		tui_live_finished(r->ui, state);
		tui_live_wait(r->ui);
	}
	return rc;
}

/* --replay FILE and --timeline FILE -o OUT: no tracing. */
static int run_offline(const struct forktop_cli *c, struct err *e)
{
	struct replay rp;
	struct tui_opts o = { .keep_exited = c->keep_exited,
			      .exited_ttl_ns = (int64_t)(c->exited_for * 1e9) };
	int rc;
	if (c->timeline)
		return timeline_render_file(c->timeline, c->output, e);
	if (replay_open(&rp, "--replay", c->replay, c->keep_exited, e) < 0)
		return -1;
	if (!tui_available()) {
		replay_close(&rp);
		return err_setx(e, "--replay %s: needs a terminal", c->replay);
	}
	rc = tui_replay(&rp, &o, e);
	replay_close(&rp);
	return rc;
}

/* Seccomp filters forktop installs in its sandbox and knows to allow what the s key's hijack
 * injects (shell.h): cordon's own filter, unless --deny-syscall names one of those calls;
 * nothing is known of --seccomp/--add-seccomp-fd programs, nor of filters forktop itself runs
 * under. -1: none known. */
static int known_filters(const struct run *r)
{
	char line[128];
	int own = -1;
	_cleanup_fclose_ FILE *f = NULL;
	if (r->cli.attach_pid > 0 || r->spec.no_sandbox || r->spec.seccomp_fd >= 0 ||
	    r->spec.n_add_seccomp_fds ||
	    !shell_deny_list_ok(r->spec.syscall_deny, r->spec.n_syscall_deny))
		return -1;
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp_filters:", 16) == 0) {
			char *end;
			long n = strtol(line + 16, &end, 10);
			own = end != line + 16 && n >= 0 && n < 1024 ? (int)n : -1;
			break;
		}
	return own == 0 ? 1 : -1;
}

/* Will this run show the interactive screen (where S may join a sandbox)? Decided from the
 * command line before it is parsed, so that a re-exec happens before anything is read from
 * a file descriptor. */
static bool wants_tui(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--headless") || !strcmp(a, "--replay") ||
		    !strcmp(a, "--timeline") || !strcmp(a, "--help") || !strcmp(a, "-h") ||
		    !strcmp(a, "--version") || !strcmp(a, "--print-policy") ||
		    (!strcmp(a, "--events") && i + 1 < argc && !strcmp(argv[i + 1], "-")))
			return false;
	}
	return tui_available();
}

static int run_open_ui(struct run *r, struct err *e)
{
	_cleanup_free_ char *sb = NULL;
	struct err ignore;
	char text[128];
	struct tui_opts o = {
		.attach = r->cli.attach_pid > 0,
		.console = r->cli.attach_pid == 0,
		.focus_console = r->cli.focus_console,
		.keep_exited = r->cli.keep_exited,
		.exited_ttl_ns = (int64_t)(r->cli.exited_for * 1e9),
		.shells = &r->shells,
	};
	r->shells.known_filters = known_filters(r);
	/* --events - writes to stdout: the screen would be in the way */
	if (r->cli.headless || !tui_available() ||
	    (r->cli.events && strcmp(r->cli.events, "-") == 0))
		return 0;
	if (r->cli.attach_pid == 0 && !r->spec.no_sandbox)
		sb = policy_dump(&r->spec, &ignore);
	tui_sandbox_text(sb, text, sizeof(text));
	o.sandbox = text;
	return tui_live_new(&r->ui, &o, e);
}

static int run_finish(struct run *r, int rc, const struct logger *log)
{
	struct err e = { 0 };
	int status,
		code = rc < 0 ? (r->started.setup_exit ? r->started.setup_exit : SANDBOX_EXIT_SETUP)
			      : 0;
	int64_t dur = clock_ns(CLOCK_MONOTONIC) - r->t0;
	if (r->tracer && r->cli.attach_pid == 0 && tracer_root_status(r->tracer, &status)) {
		code = start_finish(&r->started, status, &e);
		if (e.msg[0])
			log_err(log, &e);
	} else if (r->cli.attach_pid == 0 && rc == 0)
		code = SANDBOX_EXIT_SETUP;
	if (rc == 0 || r->tracer) {
		int shown = r->cli.attach_pid > 0 ? -1 : code;
		if (r->cli.summary) {
			json_t *j = summary_json(&r->model.stats, shown, dur);
			if (write_summary_file(r->cli.summary, j, &e) < 0)
				log_err(log, &e);
			json_decref(j);
		}
		if (!r->cli.quiet) {
			_cleanup_free_ char *s = summary_text(&r->model.stats, shown, dur);
			if (s)
				log_msg(log, LOG_LVL_INFO, "%s", s);
		}
	}
	if (recorder_close(r->rec,
			   rc == 0 || r->tracer ? summary_json(&r->model.stats, code, dur) : NULL,
			   &e) < 0) {
		log_err(log, &e);
		if (code == 0)
			code = SANDBOX_EXIT_SETUP;
	}
	if (r->autogroup_set)
		autogroup_nice_set(r->autogroup_nice, true);
	tui_live_free(r->ui); /* before the tracer: the UI thread reads nothing of it */
	tracer_free(r->tracer);
	start_free(&r->started);
	model_destroy(&r->model);
	spec_free(&r->spec);
	shell_box_destroy(&r->shells);
	return code;
}

int main(int argc, char **argv)
{
	struct logger log = { .prog = "forktop" };
	struct run r = { 0 };
	struct err e = { 0 };
	int rc;

	/* S (join) reaches into the sandbox from this process: run from a sealed copy first
	 * (CVE-2019-5736), like cordon-enter */
	if (wants_tui(argc, argv) && join_reexec_sealed(argv, environ, &e) < 0) {
		log_err(&log, &e);
		return SANDBOX_EXIT_SETUP;
	}
	r.t0 = clock_ns(CLOCK_MONOTONIC);
	shell_box_init(&r.shells);
	spec_init(&r.spec);
	start_init(&r.started);
	rc = cli_parse(&r.cli, &r.spec, argc, argv, &e);
	if (rc == OPTIONS_EXIT) {
		if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
			fputs(cli_usage(), stdout);
		spec_free(&r.spec);
		return 0;
	}
	if (rc < 0) {
		log_err(&log, &e);
		spec_free(&r.spec);
		return e.exit_code ? e.exit_code : SANDBOX_EXIT_SETUP;
	}
	log.level_prefix = r.spec.level_prefix;
	if (r.spec.print_policy) {
		_cleanup_free_ char *json = policy_dump(&r.spec, &e);
		spec_free(&r.spec);
		if (!json) {
			log_err(&log, &e);
			return SANDBOX_EXIT_SETUP;
		}
		puts(json);
		return fflush(stdout) == 0 ? 0 : SANDBOX_EXIT_SETUP;
	}
	if (r.cli.replay || r.cli.timeline) {
		spec_free(&r.spec);
		if (run_offline(&r.cli, &e) < 0) {
			log_err(&log, &e);
			return SANDBOX_EXIT_SETUP;
		}
		return 0;
	}
	if (model_init(&r.model, r.cli.keep_exited, &e) < 0) {
		log_err(&log, &e);
		spec_free(&r.spec);
		return SANDBOX_EXIT_SETUP;
	}
	if (run_open_ui(&r, &e) < 0) {
		log_err(&log, &e);
		model_destroy(&r.model);
		spec_free(&r.spec);
		return SANDBOX_EXIT_SETUP;
	}
	rc = run_trace(&r, &e);
	if (rc < 0) {
		log_err(&log, &e);
		if (e.exit_code)
			r.started.setup_exit = e.exit_code;
	}
	return run_finish(&r, rc, &log);
}
