/* Temporary: replaced module by module. */
#include <errno.h>
#include "options.h"
#include "policy.h"
#include "profile.h"
#include "sandbox.h"
int options_parse(const struct options_ctx *ctx, int argc, char **argv, struct sandbox_spec *spec, struct err *e)
{ (void)ctx; (void)argc; (void)argv; (void)spec; return err_setx(e, "not implemented yet"); }
char *policy_dump(const struct sandbox_spec *s, struct err *e) { (void)s; err_setx(e, "not implemented yet"); return NULL; }
int sandbox_run(const struct sandbox_spec *spec, struct err *e) { (void)spec; return err_setx(e, "not implemented yet"); }
