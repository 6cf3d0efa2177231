/* forktop workload: 4 threads that each run for MS milliseconds (argv[1], default 20) and
 * exit; joined; exit 0. */
#include <stdlib.h>
#include <pthread.h>
#include <unistd.h>

static long ms = 20;

static void *run(void *arg)
{
	(void)arg;
	usleep((useconds_t)(ms * 1000));
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	if (argc > 1)
		ms = atol(argv[1]);
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, run, NULL) != 0)
			return 99;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
