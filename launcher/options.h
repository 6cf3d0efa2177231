/* cordon's command line: every bubblewrap 0.11 option with the same meaning and order rules,
 * plus cordon's own (--profile, --policy, --print-policy). Fills a sandbox_spec; no side
 * effects beyond reading --args/--policy input. Not for use after fork. */
#ifndef LAUNCHER_OPTIONS_H
#define LAUNCHER_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "spec.h"

enum options_result {
	OPTIONS_RUN = 0,  /* spec is ready: run it */
	OPTIONS_EXIT = 1, /* --help/--version printed: exit 0 */
};

struct options_ctx {
	const char *prog;  /* "cordon", "bwrap" or "forktop", used in --help/--version text */
	bool want_command; /* false: a missing COMMAND is fine (forktop -p) */
	/* when set, an unknown option is handed back here instead of failing: returns the number
	 * of argv entries consumed (>= 1), 0 if unknown, or -1 with e filled. Lets forktop add its
	 * own options to the same parser. */
	int (*extra)(void *data, int argc, char **argv, struct err *e);
	void *extra_data;
	/* non-fatal notes for the user (bubblewrap's warnings, e.g. a repeated --seccomp);
	 * NULL: dropped. Only main() prints, so the parser hands them here. */
	void (*warn)(void *data, const char *msg);
	void *warn_data;
};

/* Parse argv (argv[0] is the program name). On success returns OPTIONS_RUN or OPTIONS_EXIT;
 * on failure -1 with e naming the option and value, e.g. "--uid abc: not a number". */
int options_parse(const struct options_ctx *ctx, int argc, char **argv, struct sandbox_spec *spec,
		  struct err *e);

/* Usage text (bwrap's option list plus cordon's additions) to f. */
void options_usage(const struct options_ctx *ctx, FILE *f);

#endif
