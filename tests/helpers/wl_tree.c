/* forktop workload: a tree of exactly N processes (default 1000, argv[1]) including this one:
 * each process with budget n > 1 forks up to 2 children and splits n - 1 between them, waits
 * for them, and exits 0. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int grow(long n)
{
	long left = n - 1, half = left / 2;
	long parts[2] = { left - half, half };
	pid_t kids[2];
	int nk = 0, st, rc = 0;
	for (int i = 0; i < 2; i++) {
		if (parts[i] <= 0)
			continue;
		pid_t c = fork();
		if (c < 0)
			return 1;
		if (c == 0)
			_exit(grow(parts[i]));
		kids[nk++] = c;
	}
	for (int i = 0; i < nk; i++)
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	return grow(n < 1 ? 1 : n);
}
