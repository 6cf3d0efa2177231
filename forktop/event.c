#include "event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void event_sig_name(int sig, char *buf, size_t size)
{
	const char *n = sigabbrev_np(sig);
	if (n)
		snprintf(buf, size, "SIG%s", n);
	else
		snprintf(buf, size, "SIG%d", sig);
}

bool event_copy(struct event *dst, struct procfs_perms *perms, char **blob, size_t *blob_cap,
		const struct event *src)
{
	size_t al = src->argv ? src->argv_len : 0;
	size_t el = src->exe ? strlen(src->exe) + 1 : 0, cl = src->cwd ? strlen(src->cwd) + 1 : 0;
	size_t need = al + el + cl;
	char *b;

	*dst = *src;
	dst->argv = dst->exe = dst->cwd = NULL;
	dst->argv_len = 0;
	dst->perms = NULL;
	if (src->perms) {
		*perms = *src->perms;
		dst->perms = perms;
	}
	if (need > *blob_cap) {
		char *nb = realloc(*blob, need);
		if (!nb)
			return false;
		*blob = nb;
		*blob_cap = need;
	}
	b = *blob;
	if (src->argv) {
		memcpy(b, src->argv, al);
		dst->argv = b;
		dst->argv_len = al;
		b += al;
	}
	if (src->exe) {
		memcpy(b, src->exe, el);
		dst->exe = b;
		b += el;
	}
	if (src->cwd) {
		memcpy(b, src->cwd, cl);
		dst->cwd = b;
	}
	return true;
}
