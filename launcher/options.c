/* options: being written. */
#include "options.h"
int options_parse(const struct options_ctx *ctx, int argc, char **argv, struct sandbox_spec *spec, struct err *e)
{ (void)ctx; (void)argc; (void)argv; (void)spec; return err_setx(e, "not implemented yet"); }
