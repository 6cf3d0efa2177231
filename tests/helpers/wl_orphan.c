/* forktop workload: the child forks a grandchild and exits at once; the grandchild waits until
 * it has been reparented (to init or a subreaper), then exits 0. The parent waits for the
 * child and for a pipe EOF from the grandchild. */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	char c;
	pid_t child;
	if (pipe(p) < 0)
		return 99;
	child = fork();
	if (child == 0) {
		pid_t me = getpid();
		if (fork() == 0) {
			close(p[0]);
			while (getppid() == me)
				usleep(1000);
			_exit(0); /* closing p[1] tells the grandparent */
		}
		_exit(0);
	}
	close(p[1]);
	if (waitpid(child, NULL, 0) != child)
		return 98;
	while (read(p[0], &c, 1) > 0)
		;
	usleep(50000); /* let the init reap the grandchild */
	return 0;
}
