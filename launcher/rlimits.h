/* --rlimit NAME=SOFT[:HARD]: resource limits for the sandboxed command.
 *
 * One table row per resource (rlimits.c): the names are prlimit(1)'s, without its long forms.
 * A value is a decimal number or "unlimited"; SOFT alone sets both limits, as prlimit(1) and
 * `ulimit -n N` do. The parent parses and checks (options.c, policy.c) and prepares the values
 * plus their message text (rlimits_prepare); the setup child only calls setrlimit
 * (rlimits_apply), right before exec, while it still holds its capabilities. */
#ifndef LAUNCHER_RLIMITS_H
#define LAUNCHER_RLIMITS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "spec.h"

/* as many as the kernel has resources (RLIM_NLIMITS) */
#define RLIMITS_MAX 16
/* "rttime=unlimited:unlimited" and two 20-digit numbers fit */
#define RLIMITS_TEXT_LEN 64

/* RLIMIT_* of a resource name ("nofile"), or -1 when there is none. */
int rlimits_resource(const char *name);
/* Name of an RLIMIT_* number, NULL if it is not in the table. */
const char *rlimits_name(int resource);
/* One value: digits only (at most INT64_MAX), or "unlimited" (SPEC_RLIM_UNLIMITED). Returns 0,
 * -1 "not a number", -2 "out of range". */
int rlimits_parse_value(const char *str, uint64_t *out);
/* "NAME=SOFT[:HARD]" (--rlimit's argument) into *out; on failure e names it:
 * "--rlimit foo=1: unknown resource", "--rlimit nofile=abc: not a number". */
int rlimits_parse(const char *arg, struct rlimit_op *out, struct err *e);
/* The canonical text, "nofile=1024" or "nofile=1024:unlimited" (SOFT alone when equal). */
void rlimits_format(const struct rlimit_op *r, char *buf, size_t len);
/* Add r to the spec, replacing an earlier limit on the same resource. Checks soft <= hard. */
int rlimits_set(struct sandbox_spec *s, const struct rlimit_op *r, struct err *e);

/* Prepared in the parent, applied by the setup child: no allocation. */
struct rlimits_plan {
	size_t n;
	struct {
		int resource;
		struct rlimit lim;
		char text[RLIMITS_TEXT_LEN]; /* for messages: "nofile=1024:4096" */
	} v[RLIMITS_MAX];
};

void rlimits_prepare(const struct sandbox_spec *s, struct rlimits_plan *out);
/* setrlimit() each one; e: "--rlimit nofile=2000000: Operation not permitted". Safe after
 * fork (syscalls and err_set only). */
int rlimits_apply(const struct rlimits_plan *pl, struct err *e);

#endif
