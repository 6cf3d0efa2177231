/* policy: being written. */
#include "policy.h"
char *policy_dump(const struct sandbox_spec *s, struct err *e) { (void)s; err_setx(e, "not implemented yet"); return NULL; }
