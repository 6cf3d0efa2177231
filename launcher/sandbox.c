/* sandbox: being written. */
#include "sandbox.h"
int sandbox_run(const struct sandbox_spec *spec, struct err *e) { (void)spec; return err_setx(e, "not implemented yet"); }
