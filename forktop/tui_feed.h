/* The live TUI's inbox: the tracer thread hands each event to tui_feed_emit() (an event sink),
 * which copies it onto a queue (into recycled records: no allocation once warm, no system
 * call). The UI thread looks at the queue every frame (~30 times a second) while the tracer
 * runs and takes it whole, so a burst costs the tracer one copy per event and never waits
 * for the UI; the eventfd only wakes the UI for the end of the run.
 * No curses here. */
#ifndef FORKTOP_TUI_FEED_H
#define FORKTOP_TUI_FEED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"
#include "event.h"
#include "replay.h"

struct feed_item {
	struct event ev; /* pointers into the fields below */
	struct procfs_perms perms;
	char *blob; /* argv, exe\0, cwd\0 */
	size_t blob_cap;
	struct feed_item *next;
};

struct tui_feed {
	pthread_mutex_t lock;
	struct feed_item *head, *tail;
	struct feed_item *free_list; /* recycled items (bounded) */
	size_t nfree;
	size_t queued;
	size_t dropped;		/* events lost (ENOMEM, or the UI far behind) */
	int efd;		/* eventfd: wakes the UI thread (tui_live_finished) */
	struct event_sink next; /* another sink called first (the recorder), or none */
};

int tui_feed_init(struct tui_feed *f, struct err *e);
void tui_feed_destroy(struct tui_feed *f);
/* The event sink (data = the feed). Called from the tracer thread. */
void tui_feed_emit(void *data, const struct event *ev);
/* The sink's idle hook: chains `next`'s. */
int tui_feed_idle(void *data, int64_t now_ns);
/* Take every queued event (oldest first); give them back with tui_feed_recycle(). */
struct feed_item *tui_feed_take(struct tui_feed *f);
void tui_feed_recycle(struct tui_feed *f, struct feed_item *list);

#endif
