/* forktop workload: posix_spawnp `true` and `false`, wait for both, exit 0. */
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(void)
{
	char *t[] = { "true", NULL }, *f[] = { "false", NULL };
	pid_t a, b;
	if (posix_spawnp(&a, "true", NULL, NULL, t, environ) != 0 ||
	    posix_spawnp(&b, "false", NULL, NULL, f, environ) != 0)
		return 99;
	if (waitpid(a, NULL, 0) != a || waitpid(b, NULL, 0) != b)
		return 98;
	return 0;
}
