/* cordon: a sandbox launcher that accepts bubblewrap's command line. Thin: parse, run, exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "options.h"
#include "policy.h"
#include "sandbox.h"

static void warn_cb(void *data, const char *msg)
{
	log_msg(data, LOG_LVL_WARNING, "%s", msg);
}

int main(int argc, char **argv)
{
	struct logger log = { .prog = "cordon" };
	struct sandbox_spec spec;
	struct err e = { 0 };
	int rc;

	/* invoked as "bwrap": speak as bwrap so scripts that parse its messages keep working */
	if (strcmp(log_progname(argv[0]), "bwrap") == 0)
		log.prog = "bwrap";

	if (getuid() != geteuid() || getgid() != getegid()) {
		log_msg(&log, LOG_LVL_ERR, "refusing to run setuid or setgid: use user namespaces");
		return SANDBOX_EXIT_SETUP;
	}

	spec_init(&spec);
	struct options_ctx ctx = {
		.prog = log.prog, .want_command = true, .warn = warn_cb, .warn_data = &log
	};
	rc = options_parse(&ctx, argc, argv, &spec, &e);
	log.level_prefix = spec.level_prefix;
	if (rc < 0) {
		log_err(&log, &e);
		spec_free(&spec);
		return e.exit_code ? e.exit_code : SANDBOX_EXIT_SETUP;
	}
	if (rc == OPTIONS_EXIT) {
		spec_free(&spec);
		return 0;
	}
	if (spec.print_policy) {
		_cleanup_free_ char *json = policy_dump(&spec, &e);
		spec_free(&spec);
		if (!json) {
			log_err(&log, &e);
			return SANDBOX_EXIT_SETUP;
		}
		fputs(json, stdout);
		fputc('\n', stdout);
		return fflush(stdout) == 0 ? 0 : SANDBOX_EXIT_SETUP;
	}

	rc = sandbox_run(&spec, &e);
	if (rc < 0) {
		log_err(&log, &e);
		rc = e.exit_code ? e.exit_code : SANDBOX_EXIT_SETUP;
	}
	spec_free(&spec);
	return rc;
}
