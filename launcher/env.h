/* The command's environment: the caller's (or nothing after --clearenv), then --setenv and
 * --unsetenv in order; PWD is set last to the directory the command starts in (bwrap does the
 * same, even after --unsetenv PWD). Built in the parent; the setup child only stores one of the
 * prepared "PWD=..." strings in the reserved slot (env_set_pwd, safe after fork). */
#ifndef LAUNCHER_ENV_H
#define LAUNCHER_ENV_H

#include <stddef.h>

#include "spec.h"

enum env_pwd { ENV_PWD_CHDIR, ENV_PWD_OLD, ENV_PWD_HOME, ENV_PWD_ROOT, ENV_PWD_N };

struct env {
	char **envp; /* NULL-terminated; envp[pwd_slot] is filled by env_set_pwd() */
	size_t n;    /* entries, PWD slot included */
	size_t pwd_slot;
	char *pwd[ENV_PWD_N];	    /* "PWD=<dir>" for each candidate start directory, or NULL */
	const char *dir[ENV_PWD_N]; /* the directory itself (points into pwd[]) */
};

/* base: the caller's environment (environ). old_cwd: the caller's cwd, or NULL. */
int env_build(const struct sandbox_spec *s, char *const *base, const char *old_cwd, struct env *out,
	      struct err *e);
/* Value of NAME in the built environment, or NULL. */
const char *env_get(const struct env *env, const char *name);
void env_set_pwd(struct env *env, enum env_pwd which);
void env_free(struct env *env);

#endif
