/* JSON policy files (jansson): the same spec as the command line, for repeatable setups.
 * Format in docs/cordon.1 (POLICY FILES). Reading validates every field and names the bad one:
 * "policy.json: ops[3].dest: expected a string". --print-policy writes the spec back out in the
 * same format, so `cordon ARGS --print-policy > p.json; cordon --policy p.json` is identical.
 *
 * "profile" in a hand-written policy is applied first (wherever the key appears). A dump holds
 * the already expanded ops, so it writes "profile": NAME with "profile-expanded": true; the
 * loader then only records NAME (for the next dump) and does not apply it again: loading a dump
 * and dumping it gives byte-identical output. "version" (1) is required; unknown keys are
 * errors. "command" is used when the command line gives none. Cross-option rules (--uid needs a
 * user namespace, ...) are checked by options_parse after every option and policy is in. */
#ifndef LAUNCHER_POLICY_H
#define LAUNCHER_POLICY_H

#include <stdio.h>

#include "spec.h"

/* Not for use after fork: these allocate (jansson). The loaders add to `s` as --policy at that
 * position would; on failure `s` may hold part of the file and is only fit for spec_free. */
int policy_load_file(struct sandbox_spec *s, const char *path, struct err *e);
int policy_load_string(struct sandbox_spec *s, const char *json, const char *name, struct err *e);
/* Serialize to a malloc'd JSON string (pretty-printed, keys in a stable order). */
char *policy_dump(const struct sandbox_spec *s, struct err *e);

#endif
