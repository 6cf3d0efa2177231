/* Unit tests for forktop/timeline.c: the SVG of a recorded run has one bar per process,
 * nested by parentage, coloured by exit status, with signal and permission markers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../forktop/replay.h"
#include "../../forktop/timeline.h"

static const char *fixture(void)
{
	static char path[4096];
	const char *root = getenv("T_ROOT");
	snprintf(path, sizeof(path), "%s/tests/expected/tui_run.jsonl", root ? root : ".");
	return path;
}

static char *draw(bool html)
{
	struct replay r;
	struct err e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(replay_open(&r, "--timeline", fixture(), 0, &e), 0);
	assert_int_equal(timeline_write(&r, f, html, &e), 0);
	fclose(f);
	replay_close(&r);
	return buf;
}

/* Value of attribute name in the tag starting at tag (up to its '>'). */
static int attr_int(const char *tag, const char *name)
{
	char key[64];
	const char *end = strchr(tag, '>'), *p;
	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(tag, key);
	assert_non_null(p);
	assert_true(p < end);
	return atoi(p + strlen(key));
}

/* The element <g class="proc" ... data-pid="pid"...> and its content up to its first child. */
static const char *proc_group(const char *svg, int pid)
{
	char key[64];
	snprintf(key, sizeof(key), "data-pid=\"%d\"", pid);
	const char *p = strstr(svg, key);
	assert_non_null(p);
	return p;
}

static void test_svg_nesting(void **state)
{
	char *svg = draw(false);
	int stack[64], depth = 0, procs = 0;
	const char *p = svg;
	(void)state;
	assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_int_equal(attr_int(svg, "data-processes"), 5);
	/* walk every <g ...> and </g>: each process group sits in its parent's group */
	for (p = svg; *p; p++) {
		if (strncmp(p, "</g>", 4) == 0) {
			assert_true(depth > 0);
			depth--;
		} else if (strncmp(p, "<g ", 3) == 0) {
			bool proc = strncmp(p, "<g class=\"proc\"", 15) == 0;
			int pid = proc ? attr_int(p, "data-pid") : -1;
			if (proc) {
				int parent = attr_int(p, "data-parent");
				int enclosing = 0;
				for (int i = depth - 1; i >= 0; i--)
					if (stack[i] > 0) {
						enclosing = stack[i];
						break;
					}
				assert_int_equal(parent, enclosing);
				procs++;
			}
			assert_true(depth < 64);
			stack[depth++] = pid;
		}
	}
	assert_int_equal(depth, 0);
	assert_int_equal(procs, 5);
	/* one bar per process */
	int bars = 0;
	for (p = svg; (p = strstr(p, "<rect class=\"bar ")); p++)
		bars++;
	assert_int_equal(bars, 5 + 4); /* and the legend's four swatches */
	free(svg);
}

static void test_svg_colours_and_marks(void **state)
{
	char *svg = draw(false);
	(void)state;
	/* the first rect after each group's title is its bar */
	assert_non_null(strstr(strstr(proc_group(svg, 101), "<rect"), "<rect class=\"bar ok\""));
	assert_true(strstr(proc_group(svg, 101), "<rect class=\"bar ok\"") ==
		    strstr(proc_group(svg, 101), "<rect"));
	assert_true(strstr(proc_group(svg, 103), "<rect class=\"bar killed\"") ==
		    strstr(proc_group(svg, 103), "<rect"));
	assert_true(strstr(proc_group(svg, 104), "<rect class=\"bar failed\"") ==
		    strstr(proc_group(svg, 104), "<rect"));
	/* sleep (101): a SIGSTOP delivery, the stop and the continue */
	const char *g101 = proc_group(svg, 101), *g102 = proc_group(svg, 102);
	const char *sig = strstr(g101, "<path class=\"mark sig\"");
	assert_true(sig && sig < g102);
	assert_true(strstr(g101, "<path class=\"mark stop\"") < g102);
	assert_true(strstr(g101, "<path class=\"mark cont\"") < g102);
	/* cc (103): its exec gained a capability and a namespace */
	const char *g103 = proc_group(svg, 103), *g104 = proc_group(svg, 104);
	const char *perm = strstr(g103, "<path class=\"mark perm\"");
	assert_true(perm && perm < g104);
	assert_true(strstr(perm, "capability gained, new namespace, uid changed") < g104);
	/* labels: the exec'd command */
	assert_non_null(strstr(g103, ">103 cc -c x.c</text>"));
	assert_non_null(strstr(svg, "forktop timeline: sh -c build"));
	free(svg);
}

static void test_html_is_self_contained(void **state)
{
	char *html = draw(true);
	(void)state;
	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(html, "<svg xmlns="));
	assert_non_null(
		strstr(html, "data-info=\"pid 103 (ns 4), parent 102&#10;command: cc -c x.c"));
	/* nothing loaded from elsewhere */
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href="));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	free(html);
}

static void test_render_file_errors(void **state)
{
	struct err e;
	char path[] = "/tmp/test_timeline.XXXXXX";
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(timeline_render_file("/nonexistent.jsonl", path, &e), -1);
	assert_string_equal(e.msg, "--timeline /nonexistent.jsonl: No such file or directory");
	assert_int_equal(timeline_render_file(fixture(), "/nonexistent/x.svg", &e), -1);
	assert_string_equal(e.msg, "-o /nonexistent/x.svg: No such file or directory");
	assert_int_equal(timeline_render_file(fixture(), path, &e), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_nesting),
		cmocka_unit_test(test_svg_colours_and_marks),
		cmocka_unit_test(test_html_is_self_contained),
		cmocka_unit_test(test_render_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
