/* Keystroke-injection probe for escapes.sh: tries TIOCSTI (plain, and with bits set above the
 * low 32 that the kernel ignores but a careless seccomp rule would compare) and TIOCLINUX on the
 * terminal at fd 0, and prints one line per attempt: "NAME ok" or "NAME ERRNO-NAME".
 * Raw syscall(2) so libc cannot mask or normalise the 64-bit request value. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try_ioctl(const char *name, unsigned long req, void *arg)
{
	long r = syscall(SYS_ioctl, 0, req, arg);

	if (r == 0)
		printf("%s ok\n", name);
	else
		printf("%s %s\n", name, strerrorname_np(errno));
}

int main(void)
{
	char c = 'Z';
	/* TIOCL_GETSHIFTSTATE: harmless if it were ever allowed on a real console */
	char linux_arg[2] = { 6, 0 };

	try_ioctl("TIOCSTI", TIOCSTI, &c);
	try_ioctl("TIOCSTI-high", (unsigned long)TIOCSTI | (1UL << 32), &c);
	try_ioctl("TIOCSTI-high2", (unsigned long)TIOCSTI | 0xffffffff00000000UL, &c);
	try_ioctl("TIOCLINUX", TIOCLINUX, linux_arg);
	try_ioctl("TIOCLINUX-high", (unsigned long)TIOCLINUX | (1UL << 32), linux_arg);
	return fflush(stdout) == 0 ? 0 : 1;
}
