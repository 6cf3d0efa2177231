/* forktop: placeholder until the tracer engine lands. */
#include <stdio.h>

int main(void)
{
	fputs("forktop: not built yet\n", stderr);
	return 1;
}
