#include "env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool name_is(const char *entry, const char *name)
{
	size_t n = strlen(name);
	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static ssize_t find(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && name_is(v[i], name))
			return (ssize_t)i;
	return -1;
}

static char *join(const char *name, const char *value)
{
	size_t a = strlen(name), b = strlen(value);
	char *s = malloc(a + b + 2);

	if (!s)
		return NULL;
	snprintf(s, a + b + 2, "%s=%s", name, value);
	return s;
}

/* Apply one --setenv/--unsetenv to v (capacity is enough for every set). */
static int apply(char **v, size_t *n, const struct env_op *op)
{
	ssize_t i = find(v, *n, op->name);

	switch (op->type) {
	case ENV_SET: {
		char *s = join(op->name, op->value ? op->value : "");
		if (!s)
			return -1;
		if (i >= 0) {
			free(v[i]);
			v[i] = s;
		} else {
			v[(*n)++] = s;
		}
		return 0;
	}
	case ENV_UNSET:
		if (i >= 0) {
			free(v[i]);
			memmove(&v[i], &v[i + 1], (*n - (size_t)i - 1) * sizeof(*v));
			(*n)--;
		}
		return 0;
	}
	return 0;
}

static int add_pwds(const struct sandbox_spec *s, const char *old_cwd, struct env *env)
{
	const char *home = env_get(env, "HOME");
	const char *dirs[ENV_PWD_N] = { s->chdir, old_cwd, home, "/" };

	for (int i = 0; i < ENV_PWD_N; i++) {
		if (!dirs[i])
			continue;
		env->pwd[i] = join("PWD", dirs[i]);
		if (!env->pwd[i])
			return -1;
		env->dir[i] = env->pwd[i] + 4;
	}
	return 0;
}

int env_build(const struct sandbox_spec *s, char *const *base, const char *old_cwd, struct env *out,
	      struct err *e)
{
	size_t nbase = 0, n = 0;
	struct env env = { 0 };
	ssize_t pwd;

	if (!s->clearenv)
		while (base && base[nbase])
			nbase++;
	/* room for every base entry, every --setenv, PWD and the NULL */
	env.envp = calloc(nbase + s->n_env + 2, sizeof(char *));
	if (!env.envp)
		goto nomem;
	for (size_t i = 0; i < nbase; i++) {
		if (!strchr(base[i], '=') || find(env.envp, n, base[i]) >= 0)
			continue;
		env.envp[n] = strdup(base[i]);
		if (!env.envp[n++])
			goto nomem;
	}
	for (size_t i = 0; i < s->n_env; i++)
		if (apply(env.envp, &n, &s->env[i]) < 0)
			goto nomem;
	pwd = find(env.envp, n, "PWD");
	if (pwd >= 0) {
		free(env.envp[pwd]);
		env.envp[pwd] = NULL;
		env.pwd_slot = (size_t)pwd;
	} else {
		env.pwd_slot = n++;
	}
	env.n = n;
	if (add_pwds(s, old_cwd, &env) < 0)
		goto nomem;
	env_set_pwd(&env, ENV_PWD_ROOT);
	*out = env;
	return 0;
nomem:
	env.n = n;
	env_free(&env);
	return err_set(e, ENOMEM, "out of memory");
}

const char *env_get(const struct env *env, const char *name)
{
	for (size_t i = 0; i < env->n; i++)
		if (i != env->pwd_slot && env->envp[i] && name_is(env->envp[i], name))
			return env->envp[i] + strlen(name) + 1;
	return NULL;
}

void env_set_pwd(struct env *env, enum env_pwd which)
{
	env->envp[env->pwd_slot] = env->pwd[which];
}

void env_free(struct env *env)
{
	if (env->envp) {
		for (size_t i = 0; i < env->n; i++)
			if (i != env->pwd_slot)
				free(env->envp[i]);
		free(env->envp);
	}
	for (int i = 0; i < ENV_PWD_N; i++)
		free(env->pwd[i]);
	memset(env, 0, sizeof(*env));
}
