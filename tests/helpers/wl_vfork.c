/* forktop workload: vfork twice: the first child execs `true`, the second _exit(5)s. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st;
	pid_t c = vfork();
	if (c == 0) {
		execlp("true", "true", "from-vfork", (char *)NULL);
		_exit(127);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 98;
	c = vfork();
	if (c == 0)
		_exit(5);
	if (c < 0 || waitpid(c, &st, 0) != c)
		return 97;
	return 0;
}
