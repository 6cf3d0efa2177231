/* forktop workload: fork 3 children that exit with codes 0, 1, 2; wait for each; exit 0. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 3; i++) {
		pid_t c = fork();
		if (c < 0)
			return 99;
		if (c == 0)
			_exit(i);
		if (waitpid(c, NULL, 0) != c)
			return 98;
	}
	return 0;
}
