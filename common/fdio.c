#include "fdio.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int fd_read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = cap >= max ? NULL : realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				return cap >= max ? -E2BIG : -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;
			free(buf);
			return -saved;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -E2BIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
