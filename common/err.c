#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void __attribute__((format(printf, 3, 0)))
err_vformat(struct err *e, int code, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(e->msg))
		n = (int)sizeof(e->msg) - 1;
	if (code > 0) {
		char buf[128];
		/* GNU strerror_r returns a pointer that may or may not be buf */
		const char *s = strerror_r(code, buf, sizeof(buf));
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", s);
	}
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	if (!e)
		return -1;
	e->code = code;
	e->exit_code = 0;
	va_start(ap, fmt);
	err_vformat(e, code, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int err_setx(struct err *e, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return -1;
	e->code = EINVAL;
	e->exit_code = 0;
	va_start(ap, fmt);
	err_vformat(e, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[256];
	char old[sizeof(e->msg)];
	va_list ap;
	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	size_t n;
	memcpy(old, e->msg, sizeof(old));
	/* built by hand: the result is truncated on purpose when it does not fit */
	n = strnlen(prefix, sizeof(prefix) - 1);
	memcpy(e->msg, prefix, n);
	if (n + 2 < sizeof(e->msg)) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
	}
	size_t rest = strnlen(old, sizeof(old));
	if (rest > sizeof(e->msg) - 1 - n)
		rest = sizeof(e->msg) - 1 - n;
	memcpy(e->msg + n, old, rest);
	e->msg[n + rest] = '\0';
	return -1;
}

void err_clear(struct err *e)
{
	if (e) {
		e->code = 0;
		e->exit_code = 0;
		e->msg[0] = '\0';
	}
}
