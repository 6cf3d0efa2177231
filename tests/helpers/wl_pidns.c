/* forktop workload: a new pid namespace (with a user namespace when not root): its first
 * process is pid 1 inside; it forks one child (pid 2 inside) that exits 3; pid 1 exits 0 when
 * it saw that. The outer process exits with pid 1's code; 77 when namespaces are refused. */
#include <errno.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st;
	pid_t init;
	int flags = CLONE_NEWPID | (geteuid() != 0 ? CLONE_NEWUSER : 0);
	if (unshare(flags) < 0)
		return 77;
	init = fork();
	if (init < 0)
		return 99;
	if (init == 0) {
		pid_t c;
		if (getpid() != 1)
			_exit(90);
		c = fork();
		if (c == 0)
			_exit(getpid() == 2 ? 3 : 91);
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st))
			_exit(92);
		_exit(WEXITSTATUS(st) == 3 ? 0 : 93);
	}
	if (waitpid(init, &st, 0) != init || !WIFEXITED(st))
		return 98;
	return WEXITSTATUS(st);
}
