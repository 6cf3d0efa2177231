/* User-facing messages. Owned by main(): the logger holds the program name ("cordon", or
 * "bwrap" when invoked under that name) and whether --level-prefix was given (then each line
 * starts with a syslog priority "<N>", as sd-daemon(3) defines). Not safe after fork. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARNING = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

struct logger {
	const char *prog;
	bool level_prefix;
	FILE *out; /* NULL means stderr */
};

void log_msg(const struct logger *l, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print e->msg as an error line: "prog: msg". */
void log_err(const struct logger *l, const struct err *e);
/* Basename of argv[0], for the logger's prog. */
const char *log_progname(const char *argv0);

#endif
