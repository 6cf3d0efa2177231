/* forktop: follow every process of a sandboxed (or attached) tree with ptrace and record it.
 * Thin: parse, start (sandboxed, plain or attached), trace, summarise, exit with the
 * command's status. */
#include <errno.h>
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
#include "launch.h"
#include "recorder.h"
#include "start.h"
#include "summary.h"
#include "tracer.h"

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
	struct start started; /* the launched tree (sandboxed or plain) */
	int64_t t0;
};

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

static int run_trace(struct run *r, struct err *e)
{
	struct tracer_opts topts = { .attach = r->cli.attach_pid > 0,
				     .spawn_perms = r->cli.spawn_perms };
	struct event_sink sink = { 0 };
	/* before any thread starts, so that no thread takes them; the command does not inherit
	 * the mask (launch_plain and sandbox_start reset it in the child) */
	if (tracer_block_signals(e) < 0 || run_open_recorder(r, e) < 0)
		return -1;
	if (r->rec) {
		sink.emit = recorder_emit;
		sink.idle = recorder_idle;
		sink.data = r->rec;
	}
	if (tracer_new(&r->tracer, &r->model, &sink, &topts, e) < 0)
		return -1;
	if (r->cli.attach_pid > 0) {
		if (tracer_attach(r->tracer, r->cli.attach_pid, e) < 0) {
			struct err ignore;
			tracer_detach_all(r->tracer, &ignore);
			return -1;
		}
	} else if (start_tree(&r->started, &r->spec, e) < 0 ||
		   tracer_add_root(r->tracer, r->started.pid, e) < 0) {
		return -1;
	}
	return tracer_run(r->tracer, e);
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
	tracer_free(r->tracer);
	start_free(&r->started);
	model_destroy(&r->model);
	spec_free(&r->spec);
	return code;
}

int main(int argc, char **argv)
{
	struct logger log = { .prog = "forktop" };
	struct run r = { 0 };
	struct err e = { 0 };
	int rc;

	r.t0 = clock_ns(CLOCK_MONOTONIC);
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
	if (model_init(&r.model, r.cli.keep_exited, &e) < 0) {
		log_err(&log, &e);
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
