/* Error reporting: a fixed-size, fork-safe error record.
 *
 * A function that can fail takes `struct err *e` last, returns a negative value and fills `e`.
 * Only main() prints. The record is plain data, so a setup child can write it to a pipe as is.
 * err_set() and err_setx() use vsnprintf only: safe after fork (no malloc in glibc's
 * vsnprintf for the formats used here: %s %d %u %ld %lu %x %o). */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

#include <stdarg.h>

struct err {
	int code;      /* errno-style; 0 when no errno applies */
	int exit_code; /* exit status main() should use; 0 = the program's default for errors */
	char msg[512]; /* what failed, naming the option, path or value */
};

/* Fill e with "MSG: strerror(code)"; returns -1. If code is 0, no errno text is appended. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Fill e with MSG only, code = EINVAL; returns -1. */
int err_setx(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix an existing message with "PREFIX: " (for adding context on the way up); returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);

#endif
