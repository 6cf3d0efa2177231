/* forktop workload: child 1 catches SIGUSR1 (sent by the parent) and exits 42 from the
 * handler: the signal reached it untouched; child 2 is killed by SIGTERM; child 3 kills
 * itself with SIGKILL. Exit 0 when every status is as expected. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig)
{
	(void)sig;
	_exit(42);
}

int main(void)
{
	int st, p[2];
	char c;
	pid_t a, b, k;
	if (pipe(p) < 0)
		return 99;
	a = fork();
	if (a == 0) {
		signal(SIGUSR1, on_usr1);
		close(p[0]);
		close(p[1]); /* handler installed */
		for (;;)
			pause();
	}
	close(p[1]);
	while (read(p[0], &c, 1) > 0)
		;
	kill(a, SIGUSR1);
	if (waitpid(a, &st, 0) != a || !WIFEXITED(st) || WEXITSTATUS(st) != 42)
		return 98;
	b = fork();
	if (b == 0)
		for (;;)
			pause();
	kill(b, SIGTERM);
	if (waitpid(b, &st, 0) != b || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		return 97;
	k = fork();
	if (k == 0)
		kill(getpid(), SIGKILL);
	if (waitpid(k, &st, 0) != k || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		return 96;
	return 0;
}
