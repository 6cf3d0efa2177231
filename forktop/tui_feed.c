#include "tui_feed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Items kept for reuse between the two threads. */
#define FEED_FREE_MAX 4096
/* Events waiting at most (the UI thread stuck): beyond, they are counted as lost rather
 * than held in memory. */
#define FEED_QUEUE_MAX 262144

int tui_feed_init(struct tui_feed *f, struct err *e)
{
	memset(f, 0, sizeof(*f));
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->efd < 0)
		return err_set(e, errno, "eventfd");
	pthread_mutex_init(&f->lock, NULL);
	return 0;
}

static void free_list(struct feed_item *x)
{
	while (x) {
		struct feed_item *n = x->next;
		free(x->blob);
		free(x);
		x = n;
	}
}

void tui_feed_destroy(struct tui_feed *f)
{
	if (f->efd < 0 && !f->head && !f->free_list)
		return;
	free_list(f->head);
	free_list(f->free_list);
	if (f->efd >= 0)
		close(f->efd);
	pthread_mutex_destroy(&f->lock);
	memset(f, 0, sizeof(*f));
	f->efd = -1;
}

static void drop(struct tui_feed *f)
{
	pthread_mutex_lock(&f->lock);
	f->dropped++;
	pthread_mutex_unlock(&f->lock);
}

void tui_feed_emit(void *data, const struct event *ev)
{
	struct tui_feed *f = data;
	struct feed_item *x;
	if (f->next.emit)
		f->next.emit(f->next.data, ev);
	pthread_mutex_lock(&f->lock);
	if (f->queued >= FEED_QUEUE_MAX) {
		f->dropped++;
		pthread_mutex_unlock(&f->lock);
		return;
	}
	x = f->free_list;
	if (x) {
		f->free_list = x->next;
		f->nfree--;
	}
	pthread_mutex_unlock(&f->lock);
	if (!x && !(x = calloc(1, sizeof(*x)))) {
		drop(f);
		return;
	}
	if (!event_copy(&x->ev, &x->perms, &x->blob, &x->blob_cap, ev)) {
		free(x->blob);
		free(x);
		drop(f); /* out of memory: the view misses it, the tracee is not stopped */
		return;
	}
	x->next = NULL;
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->next = x;
	else
		f->head = x;
	f->tail = x;
	f->queued++;
	pthread_mutex_unlock(&f->lock);
}

int tui_feed_idle(void *data, int64_t now_ns)
{
	struct tui_feed *f = data;
	return f->next.idle ? f->next.idle(f->next.data, now_ns) : -1;
}

struct feed_item *tui_feed_take(struct tui_feed *f)
{
	struct feed_item *list;
	uint64_t n;
	if (read(f->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		n = 0;
	pthread_mutex_lock(&f->lock);
	list = f->head;
	f->head = f->tail = NULL;
	f->queued = 0;
	pthread_mutex_unlock(&f->lock);
	return list;
}

void tui_feed_recycle(struct tui_feed *f, struct feed_item *list)
{
	while (list) {
		struct feed_item *n = list->next;
		pthread_mutex_lock(&f->lock);
		if (f->nfree < FEED_FREE_MAX) {
			list->next = f->free_list;
			f->free_list = list;
			f->nfree++;
			list = NULL;
		}
		pthread_mutex_unlock(&f->lock);
		if (list)
			free(list->blob);
		free(list);
		list = n;
	}
}
