/* LSM labels for --exec-label and --file-label. Labels are SELinux contexts (as in bubblewrap);
 * where no LSM that takes such labels is active, using one is a clear error, never a silent
 * no-op. label_check() runs in the parent; label_set_exec() is safe after fork (write to
 * /proc/thread-self/attr/exec). */
#ifndef LAUNCHER_LABEL_H
#define LAUNCHER_LABEL_H

#include "../common/err.h"

/* 0 if `label` can be applied for `option` ("--exec-label" or "--file-label"), else -1:
 * "--exec-label LABEL: no LSM here takes labels (SELinux is not enabled)". */
int label_check(const char *option, const char *label, struct err *e);
int label_set_exec(const char *label, struct err *e);

#endif
