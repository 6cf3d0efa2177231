/* forktop workload: two extra threads; the second one (not the leader) execs
 * `sh -c 'exit 7'` while the leader and the first thread are blocked. The tid changes to the
 * pid and the other threads vanish. */
#include <pthread.h>
#include <unistd.h>

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *do_exec(void *arg)
{
	(void)arg;
	usleep(20000);
	execlp("sh", "sh", "-c", "exit 7", (char *)NULL);
	_exit(127);
}

int main(void)
{
	pthread_t a, b;
	if (pthread_create(&a, NULL, idle, NULL) != 0 ||
	    pthread_create(&b, NULL, do_exec, NULL) != 0)
		return 99;
	for (;;)
		pause();
}
