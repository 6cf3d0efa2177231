/* forktop's command line: cordon's options (the same parser, launcher/options.c) plus
 * forktop's own, handed to the parser's `extra` hook. */
#ifndef FORKTOP_CLI_H
#define FORKTOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../launcher/spec.h"

struct forktop_cli {
	bool headless;	      /* --headless */
	const char *events;   /* --events FILE|- */
	const char *summary;  /* --summary FILE|-: JSON summary */
	pid_t attach_pid;     /* -p PID */
	size_t keep_exited;   /* --keep-exited N */
	bool spawn_perms;     /* --spawn-perms: full snapshot at every fork, not a copy */
	bool quiet;	      /* --quiet: no summary line on stderr */
	const char *replay;   /* --replay FILE: show a recording in the UI */
	const char *timeline; /* --timeline FILE: draw a recording (with -o) */
	const char *output;   /* -o OUT: .svg or .html */
	bool focus_console;   /* --focus console */
	double exited_for;    /* --exited-for SECONDS: exited processes shown that long */
	struct sandbox_spec *spec;
};

/* The options_ctx.extra hook (data = struct forktop_cli). */
int cli_extra(void *data, int argc, char **argv, struct err *e);
/* Parse argv into cli and spec. Returns OPTIONS_RUN, OPTIONS_EXIT (help/version printed) or
 * -1 with e filled. Applies the `shell` profile when no sandbox option was given. */
int cli_parse(struct forktop_cli *cli, struct sandbox_spec *spec, int argc, char **argv,
	      struct err *e);
/* forktop's own options, for --help. */
const char *cli_usage(void);

#endif
