/* JSON policy files (jansson): the same spec as the command line, for repeatable setups.
 * Format in docs/cordon.1 (POLICY FILES). Reading validates every field and names the bad one:
 * "policy.json: ops[3].dest: expected a string". --print-policy writes the spec back out in the
 * same format, so `cordon ARGS --print-policy > p.json; cordon --policy p.json` is identical. */
#ifndef LAUNCHER_POLICY_H
#define LAUNCHER_POLICY_H

#include <stdio.h>

#include "spec.h"

int policy_load_file(struct sandbox_spec *s, const char *path, struct err *e);
int policy_load_string(struct sandbox_spec *s, const char *json, const char *name, struct err *e);
/* Serialize to a malloc'd JSON string (pretty-printed, keys in a stable order). */
char *policy_dump(const struct sandbox_spec *s, struct err *e);

#endif
