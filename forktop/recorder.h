/* The JSON Lines recorder (docs/events.md): one header line, then one line per event, then a
 * summary line. recorder_emit() is an event sink for the tracer thread: it copies the event
 * into a queue (recycled records, no blocking I/O) and a writer thread serializes it with
 * jansson and writes it out, so a slow disk or a full pipe never stops a tracee. */
#ifndef FORKTOP_RECORDER_H
#define FORKTOP_RECORDER_H

#include <jansson.h>
#include <stdint.h>

#include "../common/err.h"
#include "event.h"

#define EVENTS_FORMAT_VERSION 1

struct recorder;

struct recorder_header {
	const char *mode;	  /* "launch" or "attach" */
	char *const *command;	  /* NULL-terminated, or NULL (attach) */
	pid_t attach_pid;	  /* attach mode */
	const char *sandbox_json; /* policy_dump() of the spec; NULL: no sandbox / not available */
	int64_t mono_ns, wall_ns;
};

/* path "-" means stdout. Writes the header line before returning. */
int recorder_open(struct recorder **out, const char *path, const struct recorder_header *h,
		  struct err *e);
/* The event sink (data = the recorder): emit queues, idle wakes the writer for what waits. */
void recorder_emit(void *data, const struct event *ev);
int recorder_idle(void *data, int64_t now_ns);
/* Queue the last line (a "summary" object, ownership taken), drain the queue, stop the writer
 * and close the file. Returns -1 with e filled if any write failed. NULL r is fine. */
int recorder_close(struct recorder *r, json_t *summary, struct err *e);

/* Serialization, exposed for tests and for other writers. */
json_t *recorder_event_json(const struct event *ev);
json_t *recorder_perms_json(const struct procfs_perms *p);
json_t *recorder_header_json(const struct recorder_header *h);
/* "CAP_SYS_ADMIN" etc. for bits 0..63 (libcap names); unknown bits as "CAP_N". */
json_t *recorder_caps_json(uint64_t mask);

#endif
