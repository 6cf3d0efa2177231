/* forktop workload (benchmarks, memory test): run N (argv[1]) short processes one after the
 * other: fork, exec argv[2...] (default `true`), wait. With argv[2] "-" the child exits at once
 * without exec. */
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000;
	char *def[] = { "true", NULL };
	char **cmd = argc > 2 ? &argv[2] : def;
	for (long i = 0; i < n; i++) {
		int st;
		pid_t c = fork();
		if (c < 0)
			return 99;
		if (c == 0) {
			if (strcmp(cmd[0], "-") == 0)
				_exit(0);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		if (waitpid(c, &st, 0) != c)
			return 98;
	}
	return 0;
}
