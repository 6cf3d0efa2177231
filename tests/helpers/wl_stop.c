/* forktop workload: the child stops itself with SIGSTOP; the parent sees it stopped
 * (WUNTRACED: the stop is real), sends SIGCONT, and the child exits 0. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st;
	pid_t c = fork();
	if (c == 0) {
		kill(getpid(), SIGSTOP);
		_exit(0);
	}
	if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP)
		return 98;
	kill(c, SIGCONT);
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 97;
	return 0;
}
