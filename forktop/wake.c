#include "wake.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Signals queued at most; beyond, the oldest are kept (a burst of one signal is one signal). */
#define WAKE_QUEUE 16

struct wake {
	pthread_t thread;
	sigset_t set; /* the signals taken, WAKE_TIMER_SIG included */
	timer_t timer;
	atomic_bool stopping;
	/* tracer thread only */
	int64_t armed_ns; /* deadline the timer is set to, or -1 */
	/* under lock */
	pthread_mutex_t lock;
	siginfo_t queue[WAKE_QUEUE];
	size_t nqueued;
	bool outstanding; /* a wake-up child not yet reaped by the tracer */
	pid_t child;	  /* the last one */
	bool fired;	  /* the timer went off since it was last set */
	/* the wake-up child's stack (signal thread only; one child at a time) */
	_Alignas(16) char stack[16384];
};

static int wake_child(void *arg)
{
	(void)arg;
	return 0;
}

/* A child that exits at once: the tracer's wait4() returns for it. It shares the memory
 * (CLONE_VM) and runs on a stack of its own, and this thread waits until it is gone
 * (CLONE_VFORK): no copy of forktop's address space. */
static void poke(struct wake *w)
{
	pid_t pid;
	pthread_mutex_lock(&w->lock);
	if (w->outstanding) { /* the tracer has yet to reap it, and reads the queue after */
		pthread_mutex_unlock(&w->lock);
		return;
	}
	w->outstanding = true;
	pthread_mutex_unlock(&w->lock);
	pid = clone(wake_child, w->stack + sizeof(w->stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		    NULL);
	pthread_mutex_lock(&w->lock);
	if (pid < 0)
		w->outstanding = false; /* out of processes: the tracer finds the queue later */
	else
		w->child = pid;
	pthread_mutex_unlock(&w->lock);
}

static void *wake_main(void *data)
{
	struct wake *w = data;
	while (!atomic_load(&w->stopping)) {
		siginfo_t si;
		int sig = sigwaitinfo(&w->set, &si);
		if (sig < 0 || atomic_load(&w->stopping))
			continue;
		pthread_mutex_lock(&w->lock);
		if (sig == WAKE_TIMER_SIG) {
			if (si.si_code != SI_TIMER) { /* not ours (a kill): nothing to do */
				pthread_mutex_unlock(&w->lock);
				continue;
			}
			w->fired = true;
		} else if (w->nqueued < WAKE_QUEUE) {
			w->queue[w->nqueued++] = si;
		}
		pthread_mutex_unlock(&w->lock);
		poke(w);
	}
	return NULL;
}

int wake_start(struct wake **out, const int *sigs, size_t nsigs, struct err *e)
{
	struct wake *w = calloc(1, sizeof(*w));
	struct sigevent sev;
	sigset_t all;
	int rc;
	if (!w)
		return err_set(e, ENOMEM, "signal thread");
	pthread_mutex_init(&w->lock, NULL);
	w->armed_ns = -1;
	sigemptyset(&w->set);
	for (size_t i = 0; i < nsigs; i++)
		sigaddset(&w->set, sigs[i]);
	sigaddset(&w->set, WAKE_TIMER_SIG);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL; /* to the process: only the signal thread takes it */
	sev.sigev_signo = WAKE_TIMER_SIG;
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer) < 0) {
		rc = errno;
		free(w);
		return err_set(e, rc, "timer_create");
	}
	/* the thread runs with every signal blocked: it takes its own with sigwaitinfo() */
	sigfillset(&all);
	{
		sigset_t old;
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&w->thread, NULL, wake_main, w);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (rc != 0) {
		timer_delete(w->timer);
		free(w);
		return err_set(e, rc, "signal thread");
	}
	*out = w;
	return 0;
}

void wake_stop(struct wake *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, true);
	pthread_kill(w->thread, WAKE_TIMER_SIG);
	pthread_join(w->thread, NULL);
	timer_delete(w->timer);
	if (w->outstanding && w->child > 0)
		waitpid(w->child, NULL, __WALL | WNOHANG);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void wake_reaped(struct wake *w, pid_t pid)
{
	(void)pid; /* the child's pid may not be stored yet when the tracer reaps it */
	pthread_mutex_lock(&w->lock);
	w->outstanding = false;
	pthread_mutex_unlock(&w->lock);
}

bool wake_take(struct wake *w, siginfo_t *si)
{
	bool got = false;
	pthread_mutex_lock(&w->lock);
	if (w->nqueued > 0) {
		*si = w->queue[0];
		memmove(&w->queue[0], &w->queue[1], --w->nqueued * sizeof(w->queue[0]));
		got = true;
	}
	if (w->fired) {
		w->fired = false;
		w->armed_ns = -1; /* set it again for whatever is due next */
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

void wake_at(struct wake *w, int64_t deadline_ns)
{
	struct itimerspec its;
	int64_t d = deadline_ns - w->armed_ns;
	if (deadline_ns < 0 ? w->armed_ns < 0
			    : w->armed_ns >= 0 && d > -WAKE_SLACK_NS && d < WAKE_SLACK_NS)
		return;
	memset(&its, 0, sizeof(its)); /* zero: disarm */
	if (deadline_ns >= 0) {
		its.it_value.tv_sec = deadline_ns / 1000000000;
		its.it_value.tv_nsec = deadline_ns % 1000000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	pthread_mutex_lock(&w->lock);
	w->fired = false;
	pthread_mutex_unlock(&w->lock);
	if (timer_settime(w->timer, TIMER_ABSTIME, &its, NULL) == 0)
		w->armed_ns = deadline_ns;
}
