/* A process for cordon-enter to hijack or join, that checks its own work while it is being
 * interrupted:
 *   enter_target [--ready FILE] [--nnp] [--seccomp deny-fork|errno-mkdir] MODE [ARGS]
 * MODE:
 *   read            read(0) once; prints "read ok <data>" or "read FAIL errno N" (512/516 leaks)
 *   sleep MS        one nanosleep(MS); "sleep ok" if it returned 0 after >= MS ms
 *   busy MS         a busy loop of MS ms without syscalls; "busy ok"
 *   timer US MS     a periodic timer of period US for MS ms; "timer ok maxlat_us N"
 *   wait MS         fork a child that sleeps MS ms, wait(): "wait ok" if wait() saw only it
 *   threads N MS    N threads (sleeping, blocking in read, spinning) for MS ms; "threads ok"
 *   pause           sleep until killed (a target for permission checks)
 * --ready FILE: written ("ready PID\n") once set up, just before MODE starts.
 * --seccomp deny-fork: clone/clone3/fork/vfork kill the process; errno-mkdir: mkdir fails
 * with EPERM (a filter that lets a hijack through). Hand-assembled BPF: helpers link only libc.
 * Exit status 0 when the work checked out, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int install_filter(const char *kind)
{
	static const char *const forks[] = { "clone", "clone3", "fork", "vfork" };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = ctx ? 0 : -1;

	if (!strcmp(kind, "deny-fork")) {
		for (size_t i = 0; rc == 0 && i < sizeof(forks) / sizeof(forks[0]); i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS,
					      seccomp_syscall_resolve_name(forks[i]), 0);
	} else if (!strcmp(kind, "errno-mkdir")) {
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mkdir), 0);
	} else {
		rc = -1;
	}
	/* seccomp_load sets no_new_privs first (libseccomp's default) */
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		fprintf(stderr, "enter_target: cannot install the %s filter\n", kind);
	return rc < 0 ? -1 : 0;
}

static int do_read(void)
{
	char buf[256];
	ssize_t n = syscall(SYS_read, 0, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("read FAIL errno %d\n", errno);
		return 1;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("read ok %s\n", buf);
	return 0;
}

static int do_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 }, rem;
	double t0 = now_ms();
	/* the raw syscall: an interrupted nanosleep restarts through restart_syscall (-516) */
	long r = syscall(SYS_nanosleep, &ts, &rem);
	double took = now_ms() - t0;
	if (r != 0) {
		printf("sleep FAIL errno %d\n", errno);
		return 1;
	}
	if (took < (double)ms - 1) {
		printf("sleep FAIL short %.1f ms\n", took);
		return 1;
	}
	printf("sleep ok %.0f\n", took);
	return 0;
}

static int do_busy(long ms)
{
	volatile unsigned long x = 1;
	double end = now_ms() + (double)ms;
	unsigned long loops = 0;
	while (now_ms() < end) /* vdso clock: no syscall */
		for (int i = 0; i < 10000; i++, loops++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	printf("busy ok %lu\n", loops);
	return 0;
}

static int do_timer(long period_us, long ms)
{
	struct timespec next;
	double maxlat = 0;
	long n = ms * 1000 / period_us;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < n; i++) {
		struct timespec now;
		next.tv_nsec += period_us * 1000;
		while (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		int r;
		while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL)) == EINTR)
			;
		if (r) {
			printf("timer FAIL error %d\n", r);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		double lat = (double)(now.tv_sec - next.tv_sec) * 1e6 +
			     (double)(now.tv_nsec - next.tv_nsec) / 1e3;
		if (lat > maxlat)
			maxlat = lat;
	}
	printf("timer ok maxlat_us %.0f\n", maxlat);
	return 0;
}

static int do_wait(long ms)
{
	pid_t child = fork(), got;
	int st;
	if (child == 0) {
		usleep((useconds_t)ms * 1000);
		_exit(42);
	}
	while ((got = wait(&st)) < 0 && errno == EINTR)
		;
	if (got != child || !WIFEXITED(st) || WEXITSTATUS(st) != 42) {
		printf("wait FAIL got %d (child %d) status %#x errno %d\n", got, child, st, errno);
		return 1;
	}
	got = wait(&st);
	if (got != -1 || errno != ECHILD) {
		printf("wait FAIL extra child %d\n", got);
		return 1;
	}
	printf("wait ok\n");
	return 0;
}

struct thr {
	int kind;
	long ms;
	int fd;
	int ok;
};

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	double end = now_ms() + (double)t->ms;
	char c;
	t->ok = 1;
	if (t->kind == 0) {
		while (now_ms() < end) {
			struct timespec ts = { 0, 5000000 };
			if (syscall(SYS_nanosleep, &ts, NULL) != 0)
				t->ok = 0;
		}
	} else if (t->kind == 1) {
		if (syscall(SYS_read, t->fd, &c, 1) != 1)
			t->ok = 0;
	} else {
		volatile unsigned long x = 1;
		while (now_ms() < end)
			x = x * 3 + 1;
	}
	return NULL;
}

static int do_threads(int n, long ms)
{
	pthread_t tid[64];
	struct thr t[64];
	int p[2], bad = 0;
	if (n > 64 || pipe(p) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		t[i] = (struct thr){ i % 3, ms, p[0], 0 };
		pthread_create(&tid[i], NULL, thread_main, &t[i]);
	}
	usleep((useconds_t)ms * 1000);
	for (int i = 0; i < n; i++)
		if (t[i].kind == 1 && write(p[1], "x", 1) != 1)
			bad = 1;
	for (int i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		bad |= !t[i].ok;
	}
	printf(bad ? "threads FAIL\n" : "threads ok\n");
	return bad;
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	int i = 1, rc;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--nnp"))
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		else if (!strcmp(argv[i], "--seccomp") && i + 1 < argc) {
			if (install_filter(argv[++i]) < 0)
				return 2;
		} else {
			fprintf(stderr, "enter_target: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "enter_target: missing MODE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ready) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
		FILE *f = fopen(tmp, "w");
		if (!f || fprintf(f, "ready %d\n", (int)getpid()) < 0 || fclose(f) != 0 ||
		    rename(tmp, ready) < 0)
			return 2;
	}
	const char *mode = argv[i];
	long a1 = i + 1 < argc ? atol(argv[i + 1]) : 0, a2 = i + 2 < argc ? atol(argv[i + 2]) : 0;
	if (!strcmp(mode, "read"))
		rc = do_read();
	else if (!strcmp(mode, "sleep"))
		rc = do_sleep(a1);
	else if (!strcmp(mode, "busy"))
		rc = do_busy(a1);
	else if (!strcmp(mode, "timer"))
		rc = do_timer(a1, a2);
	else if (!strcmp(mode, "wait"))
		rc = do_wait(a1);
	else if (!strcmp(mode, "threads"))
		rc = do_threads((int)a1, a2);
	else if (!strcmp(mode, "pause"))
		rc = pause();
	else {
		fprintf(stderr, "enter_target: unknown mode %s\n", mode);
		rc = 2;
	}
	return rc;
}
