#include "status.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"

void status_read_ns(pid_t pid, unsigned long ns, struct status_ns *out)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} table[STATUS_NS_MAX] = {
		{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "mnt", CLONE_NEWNS },
		{ "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID }, { "uts", CLONE_NEWUTS },
	};

	out->n = 0;
	for (size_t i = 0; i < STATUS_NS_MAX; i++) {
		char path[64];
		struct stat st;

		if (!(ns & table[i].flag) && table[i].flag != CLONE_NEWNS)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, table[i].name);
		if (stat(path, &st) < 0)
			continue;
		out->name[out->n] = table[i].name;
		out->id[out->n] = (uint64_t)st.st_ino;
		out->n++;
	}
}

/* jansson's one-line form is {"a": 1, "b": 2}; bwrap pads the braces with spaces */
static char *pad_braces(char *s, struct err *e)
{
	size_t n = strlen(s);
	char *out;

	if (n < 2 || s[0] != '{' || s[n - 1] != '}') {
		free(s);
		err_setx(e, "status: unexpected JSON from jansson");
		return NULL;
	}
	out = malloc(n + 4);
	if (!out) {
		free(s);
		err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(out, n + 4, "{ %.*s }\n", (int)(n - 2), s + 1);
	free(s);
	return out;
}

static char *dump(json_t *obj, bool one_line, struct err *e)
{
	char *s = json_dumps(obj, one_line ? JSON_INDENT(0) | JSON_PRESERVE_ORDER
					   : JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	char *out;
	size_t n;

	if (!s) {
		err_set(e, ENOMEM, "status: formatting JSON");
		return NULL;
	}
	if (one_line)
		return pad_braces(s, e);
	n = strlen(s);
	out = realloc(s, n + 2);
	if (!out) {
		free(s);
		err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

char *status_start_json(pid_t pid, const struct status_ns *ns, bool one_line, struct err *e)
{
	_cleanup_(json_decrefp) json_t *obj = json_object();

	if (!obj || json_object_set_new(obj, "child-pid", json_integer(pid)) < 0)
		goto nomem;
	for (size_t i = 0; i < ns->n; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%s-namespace", ns->name[i]);
		if (json_object_set_new(obj, key, json_integer((json_int_t)ns->id[i])) < 0)
			goto nomem;
	}
	return dump(obj, one_line, e);
nomem:
	err_set(e, ENOMEM, "out of memory");
	return NULL;
}

char *status_exit_json(int exit_code, struct err *e)
{
	_cleanup_(json_decrefp) json_t *obj = json_object();

	if (!obj || json_object_set_new(obj, "exit-code", json_integer(exit_code)) < 0) {
		err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	return dump(obj, true, e);
}

int status_write(int fd, const char *option, const char *s, struct err *e)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_set(e, errno, "%s %d", option, fd);
		s += w;
		n -= (size_t)w;
	}
	return 0;
}
