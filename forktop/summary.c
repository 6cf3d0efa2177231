#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

long summary_max_rss_kb(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

long summary_cpu_ms(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

json_t *summary_json(const struct model_stats *st, int exit_status, int64_t duration_ns)
{
	json_t *o = json_object(), *fail = json_object(), *sig = json_object();
	char key[32];
	for (int i = 1; i < 256; i++)
		if (st->exit_codes[i]) {
			snprintf(key, sizeof(key), "%d", i);
			json_object_set_new(fail, key, json_integer((json_int_t)st->exit_codes[i]));
		}
	for (int i = 1; i < 65; i++)
		if (st->signals[i]) {
			const char *n = sigabbrev_np(i);
			snprintf(key, sizeof(key), "SIG%s", n ? n : "?");
			if (!n)
				snprintf(key, sizeof(key), "%d", i);
			json_object_set_new(sig, key, json_integer((json_int_t)st->signals[i]));
		}
	json_object_set_new(o, "type", json_string("summary"));
	json_object_set_new(o, "processes", json_integer((json_int_t)st->processes));
	json_object_set_new(o, "threads", json_integer((json_int_t)st->threads));
	json_object_set_new(o, "execs", json_integer((json_int_t)st->execs));
	json_object_set_new(o, "max_depth", json_integer(st->max_depth));
	json_object_set_new(o, "max_concurrent", json_integer((json_int_t)st->max_live));
	json_object_set_new(o, "exited", json_integer((json_int_t)st->exited));
	json_object_set_new(o, "succeeded", json_integer((json_int_t)st->exit_codes[0]));
	json_object_set_new(o, "failures", fail);
	json_object_set_new(o, "signals", sig);
	json_object_set_new(o, "cores", json_integer((json_int_t)st->cores));
	json_object_set_new(o, "exit_status",
			    exit_status >= 0 ? json_integer(exit_status) : json_null());
	json_object_set_new(o, "duration_ns", json_integer(duration_ns));
	json_object_set_new(o, "forktop_max_rss_kb", json_integer(summary_max_rss_kb()));
	json_object_set_new(o, "forktop_cpu_ms", json_integer(summary_cpu_ms()));
	return o;
}

char *summary_text(const struct model_stats *st, int exit_status, int64_t duration_ns)
{
	char *buf = NULL;
	size_t len = 0;
	uint64_t failed = 0, killed = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (int i = 1; i < 256; i++)
		failed += st->exit_codes[i];
	for (int i = 1; i < 65; i++)
		killed += st->signals[i];
	fprintf(f,
		"%llu processes, %llu threads, %llu execs, max depth %d, max concurrent %llu, "
		"%llu failed",
		(unsigned long long)st->processes, (unsigned long long)st->threads,
		(unsigned long long)st->execs, st->max_depth, (unsigned long long)st->max_live,
		(unsigned long long)failed);
	if (failed) {
		const char *sep = " (";
		for (int i = 1; i < 256; i++)
			if (st->exit_codes[i]) {
				fprintf(f, "%sexit %d: %llu", sep, i,
					(unsigned long long)st->exit_codes[i]);
				sep = ", ";
			}
		fputc(')', f);
	}
	fprintf(f, ", %llu killed", (unsigned long long)killed);
	if (killed) {
		const char *sep = " (";
		for (int i = 1; i < 65; i++)
			if (st->signals[i]) {
				const char *n = sigabbrev_np(i);
				fprintf(f, "%sSIG%s: %llu", sep, n ? n : "?",
					(unsigned long long)st->signals[i]);
				sep = ", ";
			}
		fputc(')', f);
	}
	if (exit_status >= 0)
		fprintf(f, "; exit status %d", exit_status);
	fprintf(f, "; %.3f s", (double)duration_ns / 1e9);
	fclose(f);
	return buf;
}
