/* A target for bench_forktop_shell.sh: a periodic timer that records every late wake-up, so
 * that the benchmark can tell the pause a shell injection causes from the machine's own noise
 * by when it happened.
 * Usage: timer_target PERIOD_US DURATION_MS OUT [READY]
 * Wakes every PERIOD_US on CLOCK_MONOTONIC (absolute deadlines, no drift) for DURATION_MS.
 * At the end writes to OUT one line per wake-up later than 1 ms: "WALL_NS LATE_US" (WALL_NS:
 * CLOCK_REALTIME when it woke, to compare with the benchmark's own clock), then
 * "done MAX_LATE_US WAKEUPS". READY, when given, is created once the timer runs.
 * Built by bench/bench_forktop_shell.sh: cc -O2 -o build/bench/timer_target bench/timer_target.c */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LATE_NS 1000000L
#define MAX_LATE 100000

struct late {
	long long wall_ns;
	long late_us;
};

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
	static struct late late[MAX_LATE];
	struct timespec next, now, wall;
	long long end, max = 0;
	long period_ns, n = 0, wakeups = 0;
	FILE *f;

	if (argc < 4) {
		fputs("usage: timer_target PERIOD_US DURATION_MS OUT [READY]\n", stderr);
		return 2;
	}
	period_ns = atol(argv[1]) * 1000L;
	if (period_ns <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &next);
	end = ns_of(&next) + atoll(argv[2]) * 1000000LL;
	if (argc > 4) {
		f = fopen(argv[4], "w");
		if (!f)
			return 1;
		fprintf(f, "ready\n");
		fclose(f);
	}
	for (;;) {
		long long d;
		next.tv_nsec += period_ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		/* interrupted by a signal or an injection: sleep again to the same deadline */
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &now);
		clock_gettime(CLOCK_REALTIME, &wall);
		wakeups++;
		d = ns_of(&now) - ns_of(&next);
		if (d > max)
			max = d;
		if (d > LATE_NS && n < MAX_LATE)
			late[n++] = (struct late){ ns_of(&wall), (long)(d / 1000) };
		if (ns_of(&now) >= end)
			break;
		/* after a long pause, do not fire every missed period at once */
		if (d > period_ns)
			next = now;
	}
	f = fopen(argv[3], "w");
	if (!f)
		return 1;
	for (long i = 0; i < n; i++)
		fprintf(f, "%lld %ld\n", late[i].wall_ns, late[i].late_us);
	fprintf(f, "done %lld %ld\n", max / 1000, wakeups);
	return fclose(f) == 0 ? 0 : 1;
}
