/* Starting the traced tree: inside a cordon sandbox (launcher/sandbox.c, with the first
 * process seized from the `started` hook before any setup) or plainly (--no-sandbox). */
#ifndef FORKTOP_START_H
#define FORKTOP_START_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../launcher/spec.h"

struct sandbox;

struct start {
	pid_t pid;	    /* host pid of the first process (seized, forktop is its parent) */
	struct sandbox *sb; /* NULL with --no-sandbox */
	int setup_exit;	    /* exit code for a failure before the command ran (0: default) */
};

void start_init(struct start *s);
/* Start spec->argv traced (PTRACE_SEIZE with EXITKILL) and return at once. */
int start_tree(struct start *s, const struct sandbox_spec *spec, struct err *e);
/* The first process was reaped with waitpid status `status`: forktop's exit code. When the
 * sandbox's setup failed, e->msg says why (else e->msg is empty). */
int start_finish(struct start *s, int status, struct err *e);
void start_free(struct start *s);

#endif
