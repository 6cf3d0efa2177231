#include "rlimits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS },
	{ "core", RLIMIT_CORE },
	{ "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },
	{ "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

_Static_assert(ARRAY_SIZE(rlimit_names) <= RLIMITS_MAX, "RLIMITS_MAX too small");

int rlimits_resource(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(rlimit_names[i].name, name) == 0)
			return rlimit_names[i].resource;
	return -1;
}

const char *rlimits_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return NULL;
}

int rlimits_parse_value(const char *str, uint64_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if (strcmp(str, "unlimited") == 0) {
		*out = SPEC_RLIM_UNLIMITED;
		return 0;
	}
	/* "-1" is a number, just not one that can be a limit */
	if (str[0] == '-' && str[1] && str[1 + strspn(str + 1, "0123456789")] == '\0')
		return -2;
	/* strtoull alone would take spaces, a sign or "0x" */
	if (!str[0] || str[strspn(str, "0123456789")] != '\0')
		return -1;
	errno = 0;
	v = strtoull(str, &end, 10);
	/* the all-ones value is RLIM_INFINITY (spelled "unlimited"); above INT64_MAX a policy
	 * file could not hold it as a JSON integer, and no limit is that large anyway */
	if (errno == ERANGE || v > (unsigned long long)INT64_MAX)
		return -2;
	*out = v;
	return 0;
}

int rlimits_parse(const char *arg, struct rlimit_op *out, struct err *e)
{
	const char *eq = strchr(arg, '=');
	char name[16], soft[32];
	const char *colon, *hard;
	size_t len;
	int rc;

	if (!eq)
		return err_setx(e, "--rlimit %s: expected NAME=SOFT[:HARD]", arg);
	len = (size_t)(eq - arg);
	if (len >= sizeof(name))
		return err_setx(e, "--rlimit %s: unknown resource", arg);
	memcpy(name, arg, len);
	name[len] = '\0';
	out->resource = rlimits_resource(name);
	if (out->resource < 0)
		return err_setx(e, "--rlimit %s: unknown resource", arg);
	colon = strchr(eq + 1, ':');
	len = colon ? (size_t)(colon - eq - 1) : strlen(eq + 1);
	hard = colon ? colon + 1 : NULL;
	if (len >= sizeof(soft))
		return err_setx(e, "--rlimit %s: out of range", arg);
	memcpy(soft, eq + 1, len);
	soft[len] = '\0';
	rc = rlimits_parse_value(soft, &out->soft);
	if (rc == 0 && hard)
		rc = rlimits_parse_value(hard, &out->hard);
	if (rc < 0)
		return err_setx(e, "--rlimit %s: %s", arg,
				rc == -1 ? "not a number" : "out of range");
	/* prlimit(1), ulimit: one value sets both */
	if (!hard)
		out->hard = out->soft;
	if (out->soft > out->hard)
		return err_setx(e, "--rlimit %s: soft limit above the hard limit", arg);
	return 0;
}

static void value_text(uint64_t v, char *buf, size_t len)
{
	if (v == SPEC_RLIM_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

void rlimits_format(const struct rlimit_op *r, char *buf, size_t len)
{
	const char *name = rlimits_name(r->resource);
	char soft[24], hard[24];

	value_text(r->soft, soft, sizeof(soft));
	value_text(r->hard, hard, sizeof(hard));
	if (r->soft == r->hard)
		snprintf(buf, len, "%s=%s", name ? name : "?", soft);
	else
		snprintf(buf, len, "%s=%s:%s", name ? name : "?", soft, hard);
}

int rlimits_set(struct sandbox_spec *s, const struct rlimit_op *r, struct err *e)
{
	struct rlimit_op *grown;

	if (!rlimits_name(r->resource))
		return err_setx(e, "--rlimit: resource %d: unknown resource", r->resource);
	if (r->soft > r->hard) {
		char text[RLIMITS_TEXT_LEN];
		rlimits_format(r, text, sizeof(text));
		return err_setx(e, "--rlimit %s: soft limit above the hard limit", text);
	}
	for (size_t i = 0; i < s->n_rlimits; i++)
		if (s->rlimits[i].resource == r->resource) {
			s->rlimits[i] = *r;
			return 0;
		}
	grown = realloc(s->rlimits, (s->n_rlimits + 1) * sizeof(*grown));
	if (!grown)
		return err_set(e, ENOMEM, "out of memory");
	s->rlimits = grown;
	s->rlimits[s->n_rlimits++] = *r;
	return 0;
}

static rlim_t to_rlim(uint64_t v)
{
	return v == SPEC_RLIM_UNLIMITED ? RLIM_INFINITY : (rlim_t)v;
}

void rlimits_prepare(const struct sandbox_spec *s, struct rlimits_plan *out)
{
	out->n = 0;
	for (size_t i = 0; i < s->n_rlimits && out->n < RLIMITS_MAX; i++) {
		const struct rlimit_op *r = &s->rlimits[i];

		out->v[out->n].resource = r->resource;
		out->v[out->n].lim.rlim_cur = to_rlim(r->soft);
		out->v[out->n].lim.rlim_max = to_rlim(r->hard);
		rlimits_format(r, out->v[out->n].text, sizeof(out->v[out->n].text));
		out->n++;
	}
}

int rlimits_apply(const struct rlimits_plan *pl, struct err *e)
{
	for (size_t i = 0; i < pl->n; i++)
		if (setrlimit((__rlimit_resource_t)pl->v[i].resource, &pl->v[i].lim) < 0)
			return err_set(e, errno, "--rlimit %s", pl->v[i].text);
	return 0;
}
