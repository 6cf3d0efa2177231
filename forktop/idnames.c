#include "idnames.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"

#define IDN_NS_MAX 32	     /* mount namespaces remembered (least recently used goes) */
#define IDN_ENTRIES_MAX 4096 /* names kept per file */
#define IDN_FILE_MAX ((size_t)256 * 1024) /* bytes read per file */
#define IDN_NAME_MAX 32
#define IDN_RETRY_NS 2000000000 /* an unreadable namespace is tried again after this */

struct idn_entry {
	uint32_t id;
	char name[IDN_NAME_MAX + 1];
};

struct idn_table {
	struct idn_entry *v;
	size_t n;
};

struct idn_ns {
	uint64_t mntns; /* 0: free slot */
	bool loaded;
	int64_t failed_ns; /* when the last attempt failed (not loaded) */
	uint64_t used;	   /* for the LRU */
	struct idn_table users, groups;
};

struct idnames {
	struct idn_ns ns[IDN_NS_MAX];
	uint64_t clock;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int idnames_new(struct idnames **out, struct err *e)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return err_set(e, ENOMEM, "user names");
	return 0;
}

static void table_free(struct idn_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static void ns_clear(struct idn_ns *s)
{
	table_free(&s->users);
	table_free(&s->groups);
	memset(s, 0, sizeof(*s));
}

void idnames_free(struct idnames *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < IDN_NS_MAX; i++)
		ns_clear(&n->ns[i]);
	free(n);
}

static int table_add(struct idn_table *t, size_t *cap, uint32_t id, const char *name, size_t len)
{
	if (t->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct idn_entry *nv = realloc(t->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		t->v = nv;
		*cap = nc;
	}
	t->v[t->n].id = id;
	memcpy(t->v[t->n].name, name, len);
	t->v[t->n].name[len] = '\0';
	t->n++;
	return 0;
}

/* passwd and group lines alike: "name:x:ID:..." */
static void table_parse(struct idn_table *t, char *text)
{
	size_t cap = 0;
	for (char *line = text, *next; line && *line && t->n < IDN_ENTRIES_MAX; line = next) {
		char *c1, *c2, *end;
		unsigned long id;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c1 == line || *line == '#' || c1 - line > IDN_NAME_MAX)
			continue;
		errno = 0;
		id = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || (*end && *end != ':') || errno || id > UINT32_MAX)
			continue;
		if (table_add(t, &cap, (uint32_t)id, line, (size_t)(c1 - line)) < 0)
			return;
	}
}

/* root/etc/NAME, resolved inside that root (the sandbox's symlinks cannot lead out of it),
 * a regular file only (never a FIFO that would block the screen), at most IDN_FILE_MAX
 * bytes. 0 with an empty table when there is no such file. */
static int table_load(int rootfd, const char *path, struct idn_table *t)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	buf = malloc(IDN_FILE_MAX + 1);
	if (!buf)
		return -1;
	while (len < IDN_FILE_MAX) {
		ssize_t r = read(fd, buf + len, IDN_FILE_MAX - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	table_parse(t, buf);
	return 0;
}

/* Read pid's files into s, if pid is still in mount namespace s->mntns. */
static int ns_load(struct idn_ns *s, pid_t pid)
{
	char path[64];
	struct stat st;
	_cleanup_close_ int rootfd = -1;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	/* the pid may be another process by now, or the process in another namespace */
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	if (stat(path, &st) < 0 || st.st_ino != s->mntns)
		return -1;
	if (table_load(rootfd, "etc/passwd", &s->users) < 0 ||
	    table_load(rootfd, "etc/group", &s->groups) < 0) {
		table_free(&s->users);
		table_free(&s->groups);
		return -1;
	}
	return 0;
}

static struct idn_ns *ns_slot(struct idnames *n, uint64_t mntns)
{
	struct idn_ns *lru = &n->ns[0];
	for (size_t i = 0; i < IDN_NS_MAX; i++) {
		if (n->ns[i].mntns == mntns)
			return &n->ns[i];
		if (n->ns[i].used < lru->used)
			lru = &n->ns[i];
	}
	ns_clear(lru);
	lru->mntns = mntns;
	return lru;
}

const char *idnames_get(struct idnames *n, uint64_t mntns, pid_t pid, bool group, uint32_t id)
{
	struct idn_ns *s;
	const struct idn_table *t;
	if (!n || !mntns)
		return NULL;
	s = ns_slot(n, mntns);
	s->used = ++n->clock;
	if (!s->loaded && pid > 0 && (!s->failed_ns || mono_ns() - s->failed_ns > IDN_RETRY_NS)) {
		if (ns_load(s, pid) == 0)
			s->loaded = true;
		else
			s->failed_ns = mono_ns();
	}
	t = group ? &s->groups : &s->users;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].id == id)
			return t->v[i].name;
	return NULL;
}
