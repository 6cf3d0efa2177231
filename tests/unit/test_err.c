/* Unit tests for common/err.c */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/err.h"

static void test_err_set_appends_strerror(void **state)
{
	struct err e;
	(void)state;
	assert_int_equal(err_set(&e, ENOENT, "--ro-bind %s %s", "/nope", "/x"), -1);
	assert_string_equal(e.msg, "--ro-bind /nope /x: No such file or directory");
	assert_int_equal(e.code, ENOENT);
}

static void test_err_setx_has_no_errno_text(void **state)
{
	struct err e;
	(void)state;
	assert_int_equal(err_setx(&e, "--uid %s: not a number", "abc"), -1);
	assert_string_equal(e.msg, "--uid abc: not a number");
	assert_int_equal(e.code, EINVAL);
}

static void test_err_prefix(void **state)
{
	struct err e;
	(void)state;
	err_set(&e, EACCES, "open");
	err_prefix(&e, "--bind %s", "/a");
	assert_string_equal(e.msg, "--bind /a: open: Permission denied");
}

static void test_err_truncates_safely(void **state)
{
	struct err e;
	char big[2000];
	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ENOENT, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

static void test_err_keeps_errno(void **state)
{
	struct err e;
	(void)state;
	errno = EBADF;
	err_set(&e, ENOENT, "x");
	assert_int_equal(errno, EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set_appends_strerror),
		cmocka_unit_test(test_err_setx_has_no_errno_text),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_err_truncates_safely),
		cmocka_unit_test(test_err_keeps_errno),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
