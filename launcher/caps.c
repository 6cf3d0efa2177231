#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/capability.h>

uint64_t caps_all(void)
{
	int n = cap_max_bits();

	if (n <= 0 || n > 64)
		n = CAP_LAST_CAP + 1;
	return n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

static int raw_capget(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &hdr, data);
}

static int raw_capset(const struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capset, &hdr, data);
}

int caps_caller_effective(uint64_t *out, struct err *e)
{
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	if (raw_capget(data) < 0)
		return err_set(e, errno, "capget");
	*out = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
	return 0;
}

uint64_t caps_mask_build(const struct sandbox_spec *s, uint64_t initial, bool sandbox_root)
{
	uint64_t mask = initial;

	/* bwrap: a non-root uid inside starts (and without cap options, stays) empty */
	if (!sandbox_root && s->n_caps == 0)
		return 0;
	for (size_t i = 0; i < s->n_caps; i++) {
		uint64_t bits;

		if (s->caps[i].cap < 0)
			bits = caps_all();
		else if (s->caps[i].cap < 64)
			bits = (uint64_t)1 << s->caps[i].cap;
		else
			continue;
		if (s->caps[i].add)
			mask |= bits;
		else
			mask &= ~bits;
	}
	return mask & caps_all();
}

static int caps_set(uint64_t mask, struct err *e)
{
	struct __user_cap_data_struct data[2];

	data[0].effective = data[0].permitted = data[0].inheritable = (uint32_t)mask;
	data[1].effective = data[1].permitted = data[1].inheritable = (uint32_t)(mask >> 32);
	if (raw_capset(data) < 0)
		return err_set(e, errno, "capset");
	return 0;
}

bool caps_want_ambient(const struct sandbox_spec *s, bool caller_root)
{
	return s->n_caps > 0 || !caller_root;
}

int caps_apply(uint64_t mask, bool ambient, struct err *e)
{
	uint64_t all = caps_all();

	for (int cap = 0; cap < 64; cap++) {
		if (!(all & ((uint64_t)1 << cap)) || (mask & ((uint64_t)1 << cap)))
			continue;
		/* EINVAL: a cap this kernel does not know */
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 && errno != EINVAL)
			return err_set(e, errno, "dropping capability %d from the bounding set",
				       cap);
	}
	if (caps_set(mask, e) < 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_set(e, errno, "clearing ambient capabilities");
	for (int cap = 0; ambient && cap < 64; cap++) {
		if (!(mask & ((uint64_t)1 << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0 &&
		    errno != EINVAL)
			return err_set(e, errno, "raising ambient capability %d", cap);
	}
	return 0;
}

int caps_drop_all(struct err *e)
{
	return caps_set(0, e);
}

int caps_raise_effective(struct err *e)
{
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	if (raw_capget(data) < 0)
		return err_set(e, errno, "capget");
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (raw_capset(data) < 0)
		return err_set(e, errno, "capset");
	return 0;
}
