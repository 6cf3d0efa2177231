#include "log.h"

#include <stdarg.h>
#include <string.h>

void log_msg(const struct logger *l, enum log_level lvl, const char *fmt, ...)
{
	FILE *out = l->out ? l->out : stderr;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one fprintf per line keeps lines whole when several processes share stderr */
	if (l->level_prefix)
		fprintf(out, "<%d>%s: %s\n", (int)lvl, l->prog, line);
	else
		fprintf(out, "%s: %s\n", l->prog, line);
	fflush(out);
}

void log_err(const struct logger *l, const struct err *e)
{
	log_msg(l, LOG_LVL_ERR, "%s", e->msg[0] ? e->msg : "unknown error");
}

const char *log_progname(const char *argv0)
{
	const char *s;
	if (!argv0 || !*argv0)
		return "cordon";
	s = strrchr(argv0, '/');
	return s ? s + 1 : argv0;
}
