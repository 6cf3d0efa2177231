/* What ends the tracer thread's wait for its tracees. The tracer sleeps in a plain blocking
 * wait4(): the kernel then wakes it as a synchronous wake-up of a parent, on the CPU of the
 * tracee that just stopped, as a minimal tracer is woken. (Sleeping in sigtimedwait() on
 * SIGCHLD instead makes every stop a signal wake-up on whatever CPU the tracer last ran on;
 * on a small VM that cost a cross-CPU wake-up and a queued tracee at most events.)
 *
 * wait4() returns only for a child, so everything else that must interrupt it becomes one:
 * forktop's signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT, shell.h's SHELL_DOORBELL) are taken by a
 * thread of their own, which queues them and then vfork()s a child that exits at once; the
 * tracer reaps it, takes the queue and sleeps again. A deadline of the tracer's (zombie checks,
 * a deferred fork child, the recorder's flush) is a POSIX timer whose signal that thread takes
 * the same way. At most one such child is outstanding at a time: nothing is missed, since the
 * queue is read after the child is reaped.
 *
 * The struct is shared by the tracer thread (wake_take, wake_reaped, wake_at, start/stop) and
 * the signal thread; the functions say which may call them. */
#ifndef FORKTOP_WAKE_H
#define FORKTOP_WAKE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

/* The timer's signal (blocked in every thread, like the signals passed to wake_start). */
#define WAKE_TIMER_SIG SIGALRM

struct wake;

/* Start the signal thread for sigs (which every thread must already block, as must
 * WAKE_TIMER_SIG). Tracer thread. */
int wake_start(struct wake **out, const int *sigs, size_t nsigs, struct err *e);
/* Stop the thread, delete the timer, reap an outstanding child. Tracer thread; NULL is fine. */
void wake_stop(struct wake *w);

/* wait4() returned pid, which is no tracee: note that the wake-up child may be gone (a child
 * of forktop's that is neither is harmless to note). Tracer thread. */
void wake_reaped(struct wake *w, pid_t pid);
/* The oldest queued signal into si: true, or false when none is queued. Tracer thread. */
bool wake_take(struct wake *w, siginfo_t *si);
/* Be woken at deadline_ns (CLOCK_MONOTONIC), or not at all for -1. The timer is set only when
 * the deadline moves by more than WAKE_SLACK_NS: a wake-up that comes a little early finds
 * nothing due and sets the next one. Tracer thread. */
void wake_at(struct wake *w, int64_t deadline_ns);

#define WAKE_SLACK_NS 1000000

#endif
