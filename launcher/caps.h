/* Capabilities of the sandboxed command (bubblewrap's rules).
 *
 * The starting set is the caller's effective set when the caller is root, else empty; the
 * spec's --cap-add/--cap-drop are applied to it in order (ALL allowed). A sandbox whose uid is
 * not 0 gets no capability unless --cap-add/--cap-drop were used (bwrap does the same).
 * caps_mask_build() runs in the parent; caps_apply() and caps_drop_all()
 * are safe after fork (syscalls only). */
#ifndef LAUNCHER_CAPS_H
#define LAUNCHER_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "spec.h"

/* Every capability the running kernel knows, as a mask. */
uint64_t caps_all(void);
/* The caller's effective set (capget). */
int caps_caller_effective(uint64_t *out, struct err *e);
/* Mask the command gets: `initial` (caps_caller_effective() for a root caller, else 0) with
 * the spec's cap ops applied; `sandbox_root`: the command's uid inside is 0. */
uint64_t caps_mask_build(const struct sandbox_spec *s, uint64_t initial, bool sandbox_root);

/* After fork, once every privileged setup step is done: bounding set := mask, then
 * permitted = effective = inheritable := mask, then (ambient) the mask raised as ambient caps
 * so that a non-root command keeps them across execve. */
int caps_apply(uint64_t mask, bool ambient, struct err *e);
/* Whether caps_apply() raises ambient caps: bwrap leaves them empty for a root caller that gave
 * no --cap-add/--cap-drop (root keeps its caps across execve without them). */
bool caps_want_ambient(const struct sandbox_spec *s, bool caller_root);
/* effective := permitted (after a uid change with PR_SET_KEEPCAPS cleared it). */
int caps_raise_effective(struct err *e);
/* Empty every set (the pid-1 reaper needs none). */
int caps_drop_all(struct err *e);

#endif
