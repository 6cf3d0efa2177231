#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "cleanup.h"

/* libproc2 item lists; the enums below index the results, so keep them in the same order. */
static enum pids_item perms_items[] = {
	PIDS_ID_RUID, PIDS_ID_EUID, PIDS_ID_SUID,   PIDS_ID_FUID, PIDS_ID_RGID, PIDS_ID_EGID,
	PIDS_ID_SGID, PIDS_ID_FGID, PIDS_NS_MNT,    PIDS_NS_PID,  PIDS_NS_NET,	PIDS_NS_IPC,
	PIDS_NS_UTS,  PIDS_NS_USER, PIDS_NS_CGROUP, PIDS_NS_TIME,
};
enum { PI_UID0 = 0, PI_GID0 = 4, PI_NS0 = 8 };

static void translate_ids(pid_t tid, const char *file, const uint32_t *in, uint32_t *out,
			  char *text);

static enum pids_item scan_items[] = { PIDS_ID_PID, PIDS_ID_PPID };
enum { SI_PID, SI_PPID };

struct procfs {
	struct pids_info *perms;
	struct pids_info *scan;
	uint64_t self_userns; /* our own user namespace: ids need no translation there */
	char self_uid_map[PROCFS_MAP_TEXT]; /* its maps, for processes that share it */
	char self_gid_map[PROCFS_MAP_TEXT];
	bool no_pidfd;	/* no pidfd_open or no namespace ioctls: read /proc/PID/ns */
	uint64_t cg_id; /* the last unified cgroup id seen at an exec, and its path */
	char cg_path[sizeof(((struct procfs_perms *)0)->cgroup)];
	pid_t status_pid; /* last status read (ident, exec_info), until procfs_forget() */
	char status[4096];
	int self_ns[PROCFS_NS_COUNT]; /* our own namespaces, held open (see procfs_new) */
};

/* pidfd ioctls (include/uapi/linux/pidfd.h), spelled out because the build host's headers may
 * predate them: PIDFD_GET_<NS>_NAMESPACE (Linux 6.11) and PIDFD_GET_INFO (6.13). */
#define PROCFS_PIDFD_MAGIC 0xFF
static const unsigned char pidfd_ns_nr[PROCFS_NS_COUNT] = {
	[PROCFS_NS_MNT] = 3,  [PROCFS_NS_PID] = 5,  [PROCFS_NS_NET] = 4,    [PROCFS_NS_IPC] = 2,
	[PROCFS_NS_UTS] = 10, [PROCFS_NS_USER] = 9, [PROCFS_NS_CGROUP] = 1, [PROCFS_NS_TIME] = 7,
};
struct procfs_pidfd_info { /* struct pidfd_info, first version (64 bytes) */
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define PROCFS_PIDFD_GET_INFO _IOWR(PROCFS_PIDFD_MAGIC, 11, struct procfs_pidfd_info)
#define PROCFS_PIDFD_INFO_CGROUPID (1ull << 2)

static const struct {
	const char *name;
	int resource;
} rlimit_table[PROCFS_RL_COUNT] = {
	[PROCFS_RL_NOFILE] = { "nofile", RLIMIT_NOFILE },
	[PROCFS_RL_NPROC] = { "nproc", RLIMIT_NPROC },
	[PROCFS_RL_CORE] = { "core", RLIMIT_CORE },
	[PROCFS_RL_AS] = { "as", RLIMIT_AS },
	[PROCFS_RL_FSIZE] = { "fsize", RLIMIT_FSIZE },
	[PROCFS_RL_STACK] = { "stack", RLIMIT_STACK },
	[PROCFS_RL_CPU] = { "cpu", RLIMIT_CPU },
	[PROCFS_RL_MEMLOCK] = { "memlock", RLIMIT_MEMLOCK },
};

static const char *const ns_names[PROCFS_NS_COUNT] = {
	[PROCFS_NS_MNT] = "mnt",       [PROCFS_NS_PID] = "pid",	  [PROCFS_NS_NET] = "net",
	[PROCFS_NS_IPC] = "ipc",       [PROCFS_NS_UTS] = "uts",	  [PROCFS_NS_USER] = "user",
	[PROCFS_NS_CGROUP] = "cgroup", [PROCFS_NS_TIME] = "time",
};

static const char *const capset_names[PROCFS_CAP_COUNT] = {
	[PROCFS_CAP_EFF] = "effective",	  [PROCFS_CAP_PRM] = "permitted",
	[PROCFS_CAP_INH] = "inheritable", [PROCFS_CAP_BND] = "bounding",
	[PROCFS_CAP_AMB] = "ambient",
};

static const char *const id_names[PROCFS_ID_COUNT] = { "real", "effective", "saved", "fs" };

const char *procfs_ns_name(enum procfs_ns ns)
{
	return ns < PROCFS_NS_COUNT ? ns_names[ns] : "?";
}

const char *procfs_capset_name(enum procfs_capset c)
{
	return c < PROCFS_CAP_COUNT ? capset_names[c] : "?";
}

const char *procfs_rlimit_name(enum procfs_rlimit r)
{
	return r < PROCFS_RL_COUNT ? rlimit_table[r].name : "?";
}

const char *procfs_id_name(int which)
{
	return which >= 0 && which < PROCFS_ID_COUNT ? id_names[which] : "?";
}

long procfs_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? hz : 100;
}

static int new_info(struct pids_info **info, enum pids_item *items, int n, const char *what,
		    struct err *e)
{
	int rc = procps_pids_new(info, items, n);
	if (rc < 0)
		return err_set(e, -rc, "libproc2: %s", what);
	return 0;
}

int procfs_new(struct procfs **out, struct err *e)
{
	struct stat st;
	struct procfs *p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ENOMEM, "procfs");
	/* Holding our own namespaces open keeps their nsfs dentries alive: without that, every
	 * PIDFD_GET_<NS>_NAMESPACE of a process in them (all of them with --no-sandbox or -p)
	 * builds a dentry and an inode that its close() frees again. They are alive anyway: we
	 * are in them. */
	for (int i = 0; i < PROCFS_NS_COUNT; i++) {
		char path[48];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		p->self_ns[i] = open(path, O_PATH | O_CLOEXEC);
	}
	if (new_info(&p->perms, perms_items, (int)ARRAY_SIZE(perms_items), "perms", e) < 0 ||
	    new_info(&p->scan, scan_items, (int)ARRAY_SIZE(scan_items), "scan", e) < 0) {
		procfs_free(p);
		return -1;
	}
	if (stat("/proc/self/ns/user", &st) == 0)
		p->self_userns = st.st_ino;
	{
		const uint32_t none[PROCFS_ID_COUNT] = { 0 };
		uint32_t ignore[PROCFS_ID_COUNT];
		translate_ids(getpid(), "uid_map", none, ignore, p->self_uid_map);
		translate_ids(getpid(), "gid_map", none, ignore, p->self_gid_map);
	}
	*out = p;
	return 0;
}

void procfs_free(struct procfs *p)
{
	if (!p)
		return;
	if (p->perms)
		procps_pids_unref(&p->perms);
	if (p->scan)
		procps_pids_unref(&p->scan);
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		if (p->self_ns[i] >= 0)
			close(p->self_ns[i]);
	free(p);
}

/* One task through libproc2: the stack of results, or NULL when the task is gone. */
static struct pids_stack *select_one(struct pids_info *info, pid_t tid)
{
	unsigned id = (unsigned)tid;
	struct pids_fetch *f = procps_pids_select(info, &id, 1, PIDS_SELECT_PID);
	if (!f || !f->counts || f->counts->total < 1 || !f->stacks || !f->stacks[0])
		return NULL;
	return f->stacks[0];
}

/* Read fd into buf (NUL-terminated). `single`: a /proc file generated as one record (stat,
 * status, cgroup: seq_file single_open) or by a read that loops to the end (cmdline), where a
 * short read means the end: no second read() just to see 0. Returns length or -1 (errno). */
static ssize_t read_fd(int fd, char *buf, size_t size, bool single)
{
	size_t len = 0;
	while (len + 1 < size) {
		size_t want = size - 1 - len;
		ssize_t n = read(fd, buf + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len += (size_t)n;
		if (n == 0 || (single && (size_t)n < want))
			break;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Read a small /proc file whole into buf (NUL-terminated). Returns length or -1 (errno). */
static ssize_t read_file(const char *path, char *buf, size_t size, bool single)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return read_fd(fd, buf, size, single);
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	return read_file(path, buf, size, false);
}

/* /proc/PID/NAME of a one-record file (see read_fd). */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return read_file(path, buf, size, true);
}

/* Value of "Key:\t..." in a status buffer, or NULL. */
static const char *status_field(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *s = buf;
	while (s && *s) {
		if (strncmp(s, key, klen) == 0 && s[klen] == ':')
			return s + klen + 1;
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return NULL;
}

/* ---- direct reads for the per-event path ----
 * One libproc2 procps_pids_select() costs ~40 us here (it reads /proc/uptime and the status
 * file on every call, whatever the items), against ~3 us for one small /proc file. The
 * tracer reads /proc at every spawn, exec and reap, while a tracee may be waiting, so those
 * paths (procfs_ident, procfs_alive, procfs_exec_info, procfs_exec_rest) read the files
 * themselves, one open/read/close each by path (a /proc/PID directory fd would cost two more
 * system calls for two or three files); libproc2 serves the rest (full snapshots, the scan). */

/* /proc/PID/stat after the command name: state ppid ... num_threads(20) ... starttime(22) */
static int parse_stat(const char *buf, char *state, pid_t *ppid, int *nthreads,
		      unsigned long long *start)
{
	const char *s = strrchr(buf, ')');
	unsigned long long v[20];
	char *end;
	if (!s || s[1] != ' ')
		return -1;
	s += 2;
	*state = *s;
	s++;
	for (int i = 0; i < 20; i++) { /* fields 4..23 */
		v[i] = strtoull(s, &end, 10);
		if (end == s)
			return -1;
		s = end;
	}
	*ppid = (pid_t)v[0];	/* field 4 */
	*nthreads = (int)v[16]; /* field 20 */
	*start = v[18];		/* field 22 */
	return 0;
}

static void parse_ids(const char *buf, const char *key, uint32_t *out)
{
	const char *v = status_field(buf, key);
	char *end;
	for (int i = 0; i < PROCFS_ID_COUNT; i++) {
		out[i] = v ? (uint32_t)strtoul(v, &end, 10) : PROCFS_ID_UNMAPPED;
		if (v)
			v = end;
	}
}

/* NSpid: the last field is the pid in the innermost namespace. libproc2 4.0.2 has no item for
 * NSpid, so it is read from /proc/TID/status. */
static void parse_nspid(const char *buf, struct procfs_ident *id)
{
	const char *v = status_field(buf, "NSpid");
	char *end;
	id->nspid = id->tid;
	id->ns_depth = 0;
	if (!v)
		return;
	for (int n = 0;; n++) {
		long x = strtol(v, &end, 10);
		if (end == v)
			break;
		id->nspid = (pid_t)x;
		id->ns_depth = n;
		v = end;
	}
}

void procfs_forget(struct procfs *p)
{
	p->status_pid = 0;
}

int procfs_ident(struct procfs *p, pid_t tid, struct procfs_ident *id, struct err *e)
{
	char stat[1024];
	const char *status = p->status, *tg;
	/* the fields used here (Tgid, NSpid) never change: a status read by procfs_exec_info()
	 * during this stop serves, even once the task runs again */
	bool have_status = p->status_pid == tid;
	if (read_proc(tid, "stat", stat, sizeof(stat)) < 0 ||
	    (!have_status && read_proc(tid, "status", p->status, sizeof(p->status)) < 0)) {
		p->status_pid = have_status ? tid : 0;
		return err_set(e, errno == ENOENT ? ESRCH : errno, "/proc/%d", (int)tid);
	}
	p->status_pid = tid;
	memset(id, 0, sizeof(*id));
	id->tid = tid;
	if (parse_stat(stat, &id->state, &id->ppid, &id->nthreads, &id->start_ticks) < 0)
		return err_set(e, EIO, "/proc/%d/stat", (int)tid);
	tg = status_field(status, "Tgid");
	id->tgid = tg ? (pid_t)strtol(tg, NULL, 10) : tid;
	parse_nspid(status, id);
	return 0;
}

/* Capabilities, seccomp and no_new_privs: libproc2 4.0.2 has no items for CapEff & co.,
 * Seccomp, Seccomp_filters or NoNewPrivs, so they come from /proc/TID/status directly. */
static void parse_status_perms(const char *buf, struct procfs_perms *o)
{
	static const char *const cap_keys[PROCFS_CAP_COUNT] = {
		[PROCFS_CAP_EFF] = "CapEff", [PROCFS_CAP_PRM] = "CapPrm",
		[PROCFS_CAP_INH] = "CapInh", [PROCFS_CAP_BND] = "CapBnd",
		[PROCFS_CAP_AMB] = "CapAmb",
	};
	const char *v;
	for (size_t i = 0; i < PROCFS_CAP_COUNT; i++) {
		v = status_field(buf, cap_keys[i]);
		o->caps[i] = v ? strtoull(v, NULL, 16) : 0;
	}
	v = status_field(buf, "Seccomp");
	o->seccomp = v ? (int)strtol(v, NULL, 10) : -1;
	v = status_field(buf, "Seccomp_filters");
	o->seccomp_filters = v ? (int)strtol(v, NULL, 10) : -1;
	v = status_field(buf, "NoNewPrivs");
	o->no_new_privs = v && strtol(v, NULL, 10) == 1;
}

/* Append one map line to text (PROCFS_MAP_TEXT bytes): whole lines only, each leaving room
 * for the ", ..." that ends a map too long to show. */
static void map_text_add(char *text, unsigned long inside, unsigned long outside,
			 unsigned long count)
{
	size_t o = strlen(text);
	char one[72];
	int n;
	if (o >= 3 && strcmp(text + o - 3, "...") == 0)
		return;
	n = snprintf(one, sizeof(one), "%s%lu %lu %lu", o ? ", " : "", inside, outside, count);
	if (o + (size_t)n + 5 < PROCFS_MAP_TEXT)
		memcpy(text + o, one, (size_t)n + 1);
	else
		snprintf(text + o, PROCFS_MAP_TEXT - o, "%s...", o ? ", " : "");
}

/* Translate host-view ids into the process's user namespace with /proc/PID/{uid,gid}_map
 * (libproc2 has no map items), keeping the map as text. Read by a process in another user
 * namespace, each line is "inside outside count" with `outside` relative to the reader's
 * namespace. */
static void translate_ids(pid_t tid, const char *file, const uint32_t *in, uint32_t *out,
			  char *text)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, file);
	for (int i = 0; i < PROCFS_ID_COUNT; i++)
		out[i] = PROCFS_ID_UNMAPPED;
	text[0] = '\0';
	if (read_small(path, buf, sizeof(buf)) < 0)
		return;
	for (char *line = buf; line && *line;) {
		char *end1, *end2, *end3;
		unsigned long inside = strtoul(line, &end1, 10);
		unsigned long outside = strtoul(end1, &end2, 10);
		unsigned long count = strtoul(end2, &end3, 10);
		if (end1 != line && end2 != end1 && end3 != end2) {
			for (int i = 0; i < PROCFS_ID_COUNT; i++)
				if (in[i] >= outside && in[i] - outside < count)
					out[i] = (uint32_t)(inside + (in[i] - outside));
			map_text_add(text, inside, outside, count);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

/* In-namespace ids and the maps: translated through the process's maps when it is in
 * another user namespace than forktop, else the same ids and forktop's own maps (read once:
 * a process of forktop's namespace has the very same map files). */
static void ns_ids(const struct procfs *p, pid_t tid, struct procfs_perms *o)
{
	if (o->ns[PROCFS_NS_USER] && o->ns[PROCFS_NS_USER] != p->self_userns) {
		translate_ids(tid, "uid_map", o->uid, o->uid_ns, o->uid_map);
		translate_ids(tid, "gid_map", o->gid, o->gid_ns, o->gid_map);
	} else {
		memcpy(o->uid_ns, o->uid, sizeof(o->uid));
		memcpy(o->gid_ns, o->gid, sizeof(o->gid));
		memcpy(o->uid_map, p->self_uid_map, sizeof(o->uid_map));
		memcpy(o->gid_map, p->self_gid_map, sizeof(o->gid_map));
	}
}

/* The process's cgroup from /proc/PID/cgroup: the unified hierarchy's line ("0::/path"), or
 * on a v1-only host the first line's path. Returns true when it was the unified line. */
static bool copy_cgroup(const char *cg, char *out, size_t size)
{
	const char *line = cg, *path = NULL;
	bool unified = false;
	size_t n;
	out[0] = '\0';
	while (line && *line) {
		const char *c = strchr(line, ':');
		c = c ? strchr(c + 1, ':') : NULL;
		unified = strncmp(line, "0::", 3) == 0;
		if (c && (!path || unified))
			path = c + 1;
		if (unified)
			break;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!path)
		return false;
	n = strcspn(path, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, path, n);
	out[n] = '\0';
	return unified;
}

static char *read_link(pid_t pid, const char *what);

void procfs_rlimits(pid_t tid, struct procfs_perms *o)
{
	o->has_rlimits = true;
	for (size_t i = 0; i < PROCFS_RL_COUNT; i++) {
		struct rlimit rl;
		if (prlimit(tid, (__rlimit_resource_t)rlimit_table[i].resource, NULL, &rl) < 0) {
			o->has_rlimits = false;
			return;
		}
		o->rlim_cur[i] = rl.rlim_cur == RLIM_INFINITY ? PROCFS_RLIM_INFINITY : rl.rlim_cur;
		o->rlim_max[i] = rl.rlim_max == RLIM_INFINITY ? PROCFS_RLIM_INFINITY : rl.rlim_max;
	}
}

/* Fill o from a stack of perms_items plus the direct reads for what libproc2 lacks. */
static int fill_perms(struct procfs *p, struct pids_info *info, struct pids_stack *s, pid_t tid,
		      struct procfs_perms *o, struct err *e)
{
	char buf[4096];
	(void)info; /* PIDS_VAL names it, without using it */
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < PROCFS_ID_COUNT; i++) {
		o->uid[i] = PIDS_VAL(PI_UID0 + i, u_int, s, info);
		o->gid[i] = PIDS_VAL(PI_GID0 + i, u_int, s, info);
	}
	for (int i = 0; i < PROCFS_NS_COUNT; i++)
		o->ns[i] = PIDS_VAL(PI_NS0 + i, ul_int, s, info);
	/* not PIDS_CGROUP: libproc2 4.0.2 drops the root ("/") entries of a hybrid host, and with
	 * them the unified "0::" line this snapshot records */
	if (read_proc(tid, "cgroup", buf, sizeof(buf)) > 0)
		copy_cgroup(buf, o->cgroup, sizeof(o->cgroup));
	if (read_proc(tid, "status", buf, sizeof(buf)) < 0)
		return err_set(e, errno, "/proc/%d/status", (int)tid);
	parse_status_perms(buf, o);
	ns_ids(p, tid, o);
	return 0;
}

int procfs_perms(struct procfs *p, pid_t tid, struct procfs_perms *o, struct err *e)
{
	struct pids_stack *s = select_one(p->perms, tid);
	if (!s)
		return err_set(e, ESRCH, "/proc/%d", (int)tid);
	if (fill_perms(p, p->perms, s, tid, o, e) < 0)
		return -1;
	procfs_rlimits(tid, o);
	return 0;
}

char *procfs_cwd(pid_t pid)
{
	/* libproc2 has no item for the working directory */
	return read_link(pid, "cwd");
}

static char *read_link(pid_t pid, const char *what)
{
	char path[64], buf[4096];
	ssize_t n;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* argv from /proc/PID/cmdline: already NUL-separated, read whole (it may be long). The kernel's
 * read loops to the end of the argument area, so a short read is the end. */
static int read_cmdline(pid_t pid, char **out, size_t *len)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	size_t cap = 4096, n = 0;
	char *b;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	b = malloc(cap);
	if (!b)
		return -1;
	for (;;) {
		ssize_t r;
		if (n == cap) {
			char *nb = cap < (1u << 22) ? realloc(b, cap * 2) : NULL;
			if (!nb)
				break; /* keep what fits */
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n < cap)
			break;
	}
	if (n > 0 && b[n - 1] != '\0') { /* a program rewrote its argv area: terminate it */
		if (n == cap) {
			n--;
		}
		b[n++] = '\0';
	}
	*out = b;
	*len = n;
	return 0;
}

/* What exec can change: credentials, capabilities, seccomp, no_new_privs (all in status). */
static void direct_status_perms(const char *status, struct procfs_perms *o)
{
	memset(o, 0, sizeof(*o));
	parse_ids(status, "Uid", o->uid);
	parse_ids(status, "Gid", o->gid);
	parse_status_perms(status, o);
}

/* Close n fds, mostly consecutive (each was the lowest free one): one close_range() per run
 * of consecutive ones instead of a close() each. */
static void close_fds(const int *fds, int n)
{
	for (int i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && fds[j] == fds[i] + (j - i); j++)
			;
		if (j - i == 1 || close_range((unsigned)fds[i], (unsigned)fds[j - 1], 0) < 0)
			for (int k = i; k < j; k++)
				close(fds[k]);
	}
}

/* Namespace ids through a pidfd (Linux 6.11: PIDFD_GET_<NS>_NAMESPACE gives a namespace
 * fd, whose inode number is the id): about half the cost of looking up the eight
 * /proc/PID/ns links, each of which the kernel builds on lookup for every new process.
 * Returns false when the kernel has no such ioctl (the caller then uses /proc). */
static bool pidfd_namespaces(int pidfd, struct procfs_perms *o)
{
	int fds[PROCFS_NS_COUNT], n = 0;
	bool supported = true;
	for (int i = 0; i < PROCFS_NS_COUNT; i++) {
		struct stat st;
		int fd = ioctl(pidfd, _IO(PROCFS_PIDFD_MAGIC, pidfd_ns_nr[i]), 0);
		if (fd < 0) {
			if (errno == ENOTTY || errno == EINVAL)
				supported = false;
			if (errno == ENOTTY || errno == EINVAL || errno == ESRCH)
				break; /* ESRCH: gone, ids stay unknown */
			continue;      /* this kind is not built in (EOPNOTSUPP) */
		}
		fds[n++] = fd;
		if (fstat(fd, &st) == 0)
			o->ns[i] = st.st_ino;
	}
	close_fds(fds, n);
	return supported;
}

static void proc_namespaces(pid_t pid, struct procfs_perms *o)
{
	char path[48];
	struct stat st;
	_cleanup_close_ int nsfd = -1;
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
	/* one lookup of ns/, then one per link (each /proc ns link is built on lookup) */
	nsfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < PROCFS_NS_COUNT && nsfd >= 0; i++)
		o->ns[i] = fstatat(nsfd, procfs_ns_name((enum procfs_ns)i), &st, 0) == 0 ? st.st_ino
											 : 0;
}

/* The cgroup id of the process's unified-hierarchy cgroup (Linux 6.13 PIDFD_GET_INFO), or 0. */
static uint64_t pidfd_cgroup_id(int pidfd)
{
	struct procfs_pidfd_info info;
	memset(&info, 0, sizeof(info));
	info.mask = PROCFS_PIDFD_INFO_CGROUPID;
	if (pidfd < 0 || ioctl(pidfd, PROCFS_PIDFD_GET_INFO, &info) < 0 ||
	    !(info.mask & PROCFS_PIDFD_INFO_CGROUPID))
		return 0;
	return info.cgroupid;
}

/* The cgroup path, remembered for the last cgroup id seen: nearly every process of a tree
 * shares its parent's cgroup, and the id costs one ioctl where /proc/PID/cgroup is a file to
 * open, generate and parse. Only the unified hierarchy's path ("0::") is remembered: that is
 * the hierarchy the id names. (A cgroup renamed while forktop runs keeps its id, so its old
 * path would be reported: cgroups are practically never renamed.) */
static void exec_cgroup(struct procfs *p, pid_t pid, int pidfd, struct procfs_perms *o)
{
	char cg[4096];
	uint64_t id = pidfd_cgroup_id(pidfd);
	if (id && id == p->cg_id) {
		memcpy(o->cgroup, p->cg_path, sizeof(o->cgroup));
		return;
	}
	if (read_proc(pid, "cgroup", cg, sizeof(cg)) <= 0)
		return;
	/* remembered only when the process did not move while it was read */
	if (copy_cgroup(cg, o->cgroup, sizeof(o->cgroup)) && id && pidfd_cgroup_id(pidfd) == id) {
		p->cg_id = id;
		memcpy(p->cg_path, o->cgroup, sizeof(p->cg_path));
	}
}

void procfs_exec_rest(struct procfs *p, pid_t pid, struct procfs_perms *o)
{
	_cleanup_close_ int pidfd = p->no_pidfd ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || !pidfd_namespaces(pidfd, o)) {
		if (pidfd >= 0 || errno == ENOSYS)
			p->no_pidfd = true; /* an older kernel: /proc from now on */
		proc_namespaces(pid, o);
	}
	exec_cgroup(p, pid, pidfd, o);
	ns_ids(p, pid, o);
	procfs_rlimits(pid, o);
}

int procfs_exec_info(struct procfs *p, pid_t pid, char **argv, size_t *argv_len, char **exe,
		     struct procfs_perms *perms, struct err *e)
{
	char path[48], buf[4096];
	ssize_t n;
	*argv = *exe = NULL;
	*argv_len = 0;
	if (read_cmdline(pid, argv, argv_len) < 0)
		return err_set(e, errno == ENOENT ? ESRCH : errno, "/proc/%d/cmdline", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		*exe = strdup(buf);
	}
	if (!perms)
		return 0;
	if (p->status_pid != pid) { /* not read by procfs_ident during this same stop */
		if (read_proc(pid, "status", p->status, sizeof(p->status)) < 0) {
			p->status_pid = 0;
			return err_set(e, errno, "/proc/%d/status", (int)pid);
		}
		p->status_pid = pid; /* for a procfs_ident() of pid once it runs again */
	}
	direct_status_perms(p->status, perms);
	return 0;
}

int procfs_alive(struct procfs *p, pid_t pid, unsigned long long start_ticks, pid_t *ppid,
		 char *state)
{
	char buf[1024];
	unsigned long long start;
	int nthreads;
	(void)p;
	if (read_proc(pid, "stat", buf, sizeof(buf)) < 0 ||
	    parse_stat(buf, state, ppid, &nthreads, &start) < 0 || start != start_ticks)
		return 0;
	return 1;
}

int procfs_threads(pid_t pid, pid_t *out, size_t max, struct err *e)
{
	char path[64];
	struct dirent *d;
	size_t n = 0;
	DIR *dir;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return err_set(e, errno, "%s", path);
	while ((d = readdir(dir))) {
		long t = strtol(d->d_name, NULL, 10);
		if (t <= 0)
			continue;
		if (n < max)
			out[n] = (pid_t)t;
		n++;
	}
	closedir(dir);
	return (int)n;
}

int procfs_scan(struct procfs *p, pid_t **pids, pid_t **ppids, size_t *n, struct err *e)
{
	struct pids_fetch *f = procps_pids_reap(p->scan, PIDS_FETCH_TASKS_ONLY);
	size_t total;
	*pids = *ppids = NULL;
	*n = 0;
	if (!f)
		return err_set(e, errno ? errno : EIO, "libproc2: reading /proc");
	total = f->counts->total > 0 ? (size_t)f->counts->total : 0;
	*pids = calloc(total + 1, sizeof(pid_t));
	*ppids = calloc(total + 1, sizeof(pid_t));
	if (!*pids || !*ppids) {
		free(*pids);
		free(*ppids);
		*pids = *ppids = NULL;
		return err_set(e, ENOMEM, "reading /proc");
	}
	for (size_t i = 0; i < total; i++) {
		(*pids)[i] = PIDS_VAL(SI_PID, s_int, f->stacks[i], p->scan);
		(*ppids)[i] = PIDS_VAL(SI_PPID, s_int, f->stacks[i], p->scan);
	}
	*n = total;
	return 0;
}

bool procfs_perms_equal(const struct procfs_perms *a, const struct procfs_perms *b)
{
	return memcmp(a->uid, b->uid, sizeof(a->uid)) == 0 &&
	       memcmp(a->gid, b->gid, sizeof(a->gid)) == 0 &&
	       memcmp(a->uid_ns, b->uid_ns, sizeof(a->uid_ns)) == 0 &&
	       memcmp(a->gid_ns, b->gid_ns, sizeof(a->gid_ns)) == 0 &&
	       strcmp(a->uid_map, b->uid_map) == 0 && strcmp(a->gid_map, b->gid_map) == 0 &&
	       memcmp(a->caps, b->caps, sizeof(a->caps)) == 0 && a->seccomp == b->seccomp &&
	       a->seccomp_filters == b->seccomp_filters && a->no_new_privs == b->no_new_privs &&
	       memcmp(a->ns, b->ns, sizeof(a->ns)) == 0 && strcmp(a->cgroup, b->cgroup) == 0 &&
	       a->has_rlimits == b->has_rlimits &&
	       memcmp(a->rlim_cur, b->rlim_cur, sizeof(a->rlim_cur)) == 0 &&
	       memcmp(a->rlim_max, b->rlim_max, sizeof(a->rlim_max)) == 0;
}
