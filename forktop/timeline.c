#include "timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "render.h"

#define TL_WIDTH 1200
#define TL_LABEL 380 /* label column */
#define TL_ROW 20
#define TL_TOP 50    /* title and time axis */
#define TL_INDENT 12 /* per depth level */

enum mark_kind { MK_SIGNAL, MK_STOP, MK_CONT, MK_PERM, MK_EXEC };

struct mark {
	int64_t t;
	enum mark_kind kind;
	int sig;
	unsigned changes;
};

struct marks {
	struct mark *v;
	size_t n, cap;
};

struct tl {
	FILE *f;
	struct model m;
	struct marks *marks; /* indexed by model id */
	size_t nmarks;
	int64_t t0, t1; /* time range drawn */
	int row;	/* next row */
	int nprocs;
};

/* ---- collecting ---- */

static int mark_add(struct tl *t, const struct proc *p, const struct mark *mk)
{
	struct marks *ms;
	if (p->id >= t->nmarks)
		return 0;
	ms = &t->marks[p->id];
	if (ms->n == ms->cap) {
		size_t nc = ms->cap ? ms->cap * 2 : 4;
		struct mark *nv = realloc(ms->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		ms->v = nv;
		ms->cap = nc;
	}
	ms->v[ms->n++] = *mk;
	return 0;
}

static int collect_one(struct tl *t, const struct event *ev, struct err *e)
{
	struct proc *p;
	struct mark mk = { .t = ev->mono_ns, .sig = ev->sig };
	if (replay_apply(&t->m, ev, &p, e) < 0)
		return -1;
	if (!p)
		return 0;
	switch (ev->type) {
	case EV_SIGNAL:
		mk.kind = MK_SIGNAL;
		break;
	case EV_STOP:
		mk.kind = MK_STOP;
		break;
	case EV_CONTINUE:
		mk.kind = MK_CONT;
		break;
	case EV_EXEC:
		/* model_set_perms computed the changes against the parent and the old self */
		mk.kind = p->changes ? MK_PERM : MK_EXEC;
		mk.changes = p->changes;
		break;
	case EV_SPAWN:
	case EV_ATTACH:
	case EV_EXIT:
	case EV_DETACH:
	case EV_REPARENT:
	case EV_REAP:
		return 0;
	}
	if (mark_add(t, p, &mk) < 0)
		return err_set(e, ENOMEM, "timeline");
	return 0;
}

static int collect(struct tl *t, const struct replay *r, struct err *e)
{
	/* every process kept: the timeline shows all of them */
	if (model_init(&t->m, SIZE_MAX / 2, e) < 0)
		return -1;
	t->nmarks = r->n + 2; /* ids never exceed the number of events + 1 */
	t->marks = calloc(t->nmarks, sizeof(*t->marks));
	if (!t->marks)
		return err_set(e, ENOMEM, "timeline");
	t->t0 = r->t0;
	t->t1 = r->t0;
	for (size_t i = 0; i < r->n; i++) {
		if (collect_one(t, &r->evs[i].ev, e) < 0)
			return -1;
		if (r->evs[i].ev.mono_ns > t->t1)
			t->t1 = r->evs[i].ev.mono_ns;
		if (r->evs[i].ev.mono_ns < t->t0)
			t->t0 = r->evs[i].ev.mono_ns;
	}
	if (t->t1 <= t->t0)
		t->t1 = t->t0 + 1000000;
	return 0;
}

static void tl_free(struct tl *t)
{
	for (size_t i = 0; i < t->nmarks; i++)
		free(t->marks[i].v);
	free(t->marks);
	if (t->m.buckets)
		model_destroy(&t->m);
}

/* ---- output helpers ---- */

/* XML-escaped text; control characters (not allowed in XML 1.0) as '?'. */
static void put_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\n':
			fputs("&#10;", f);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
		}
	}
}

static double x_of(const struct tl *t, int64_t ns)
{
	double span = (double)(t->t1 - t->t0);
	return TL_LABEL + (double)(ns - t->t0) / span * (TL_WIDTH - TL_LABEL - 20);
}

static void fmt_time(int64_t ns, char *buf, size_t size)
{
	if (ns < 1000000)
		snprintf(buf, size, "%" PRId64 "us", ns / 1000);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.4gms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.4gs", (double)ns / 1e9);
}

static const char *bar_class(const struct proc *p)
{
	if (p->state < PROC_ZOMBIE)
		return "running";
	if (p->exit_signal)
		return "killed";
	return p->exit_code ? "failed" : "ok";
}

static void changes_text(unsigned ch, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ PCH_CAP_GAINED, "capability gained" }, { PCH_NS_CHANGED, "new namespace" },
		{ PCH_UID_CHANGED, "uid changed" },	 { PCH_GID_CHANGED, "gid changed" },
		{ PCH_SECCOMP, "seccomp changed" },	 { PCH_NNP, "no_new_privs set" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && o + 1 < size; i++)
		if (ch & names[i].bit)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "",
					      names[i].name);
}

/* ---- drawing ---- */

static void axis(struct tl *t)
{
	static const int64_t steps[] = { 1000, 2000, 5000 };
	int64_t span = t->t1 - t->t0, step = 1000;
	for (int64_t mul = 1; step * 12 < span; mul *= 10)
		for (int i = 0; i < 3 && step * 12 < span; i++)
			step = steps[i] * mul;
	fprintf(t->f, "<g class=\"axis\">\n");
	for (int64_t k = 0; k <= span; k += step) {
		char lbl[32];
		double x = x_of(t, t->t0 + k);
		fmt_time(k, lbl, sizeof(lbl));
		fprintf(t->f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"tick\"/>"
			"<text x=\"%.1f\" y=\"%d\" class=\"tlabel\">%s</text>\n",
			x, TL_TOP - 8, x, TL_TOP + t->nprocs * TL_ROW, x, TL_TOP - 12, lbl);
	}
	fprintf(t->f, "</g>\n");
}

static void proc_info(const struct tl *t, const struct proc *p, char *buf, size_t size)
{
	char cmd[512], ex[32], dur[32], st[32];
	const struct marks *ms = p->id < t->nmarks ? &t->marks[p->id] : NULL;
	size_t o;
	render_argv(p->argv, p->argv_len, cmd, sizeof(cmd));
	render_exit(p, ex, sizeof(ex));
	fmt_time((p->state >= PROC_ZOMBIE ? p->end_ns : t->t1) - p->start_ns, dur, sizeof(dur));
	fmt_time(p->start_ns - t->t0, st, sizeof(st));
	o = (size_t)snprintf(buf, size,
			     "pid %d (ns %d), parent %d\ncommand: %s\nexe: %s\nstart %s, ran %s\n"
			     "exit: %s",
			     (int)p->pid, (int)p->nspid, (int)p->ppid, cmd[0] ? cmd : "?",
			     p->exe ? p->exe : "?", st, dur,
			     p->state >= PROC_ZOMBIE ? ex : "running");
	if (p->has_perms && o < size)
		o += (size_t)snprintf(buf + o, size - o, "\nuid %u (in ns %u), seccomp %d, nnp %s",
				      p->perms.uid[PROCFS_ID_EFF], p->perms.uid_ns[PROCFS_ID_EFF],
				      p->perms.seccomp, p->perms.no_new_privs ? "yes" : "no");
	for (size_t i = 0; ms && i < ms->n && o + 1 < size; i++) {
		char what[160], when[32];
		fmt_time(ms->v[i].t - t->t0, when, sizeof(when));
		if (ms->v[i].kind == MK_PERM)
			changes_text(ms->v[i].changes, what, sizeof(what));
		else if (ms->v[i].kind == MK_EXEC)
			snprintf(what, sizeof(what), "exec");
		else
			event_sig_name(ms->v[i].sig, what, sizeof(what));
		o += (size_t)snprintf(buf + o, size - o, "\n%s: %s%s", when,
				      ms->v[i].kind == MK_STOP	 ? "stopped by "
				      : ms->v[i].kind == MK_CONT ? "continued"
								 : "",
				      ms->v[i].kind == MK_CONT ? "" : what);
	}
}

static void draw_marks(struct tl *t, const struct proc *p, int y)
{
	static const char *const cls[] = { "sig", "stop", "cont", "perm", "exec" };
	const struct marks *ms = p->id < t->nmarks ? &t->marks[p->id] : NULL;
	for (size_t i = 0; ms && i < ms->n; i++) {
		double x = x_of(t, ms->v[i].t);
		double cy = y + TL_ROW / 2.0;
		char what[160];
		if (ms->v[i].kind == MK_PERM)
			changes_text(ms->v[i].changes, what, sizeof(what));
		else if (ms->v[i].kind == MK_EXEC || ms->v[i].kind == MK_CONT)
			snprintf(what, sizeof(what), "%s",
				 ms->v[i].kind == MK_EXEC ? "exec" : "SIGCONT");
		else
			event_sig_name(ms->v[i].sig, what, sizeof(what));
		fprintf(t->f,
			"<path class=\"mark %s\" d=\"M%.1f %.1f l4 6 l-4 6 l-4 -6 z\">"
			"<title>",
			cls[ms->v[i].kind], x, cy - 6);
		put_esc(t->f, what);
		fprintf(t->f, "</title></path>\n");
	}
}

/* One process and, nested inside its group, its children (recursion depth = tree depth). */
static void draw_proc(struct tl *t, const struct proc *p, int parent_row)
{
	char cmd[512], info[4096], label[600];
	int y = TL_TOP + t->row * TL_ROW, my_row = t->row++;
	double x0 = x_of(t, p->start_ns);
	double x1 = x_of(t, p->state >= PROC_ZOMBIE ? p->end_ns : t->t1);
	int indent = p->depth * TL_INDENT;
	if (x1 - x0 < 1.5)
		x1 = x0 + 1.5;
	render_argv(p->argv, p->argv_len, cmd, sizeof(cmd));
	if (!cmd[0])
		snprintf(cmd, sizeof(cmd), "%s", p->exe ? p->exe : "?");
	snprintf(label, sizeof(label), "%d %.*s", (int)p->pid,
		 (int)((TL_LABEL - 20 - indent) / 7 > 4 ? (TL_LABEL - 20 - indent) / 7 : 4), cmd);
	proc_info(t, p, info, sizeof(info));
	fprintf(t->f,
		"<g class=\"proc\" id=\"p%" PRIu64 "\" data-pid=\"%d\" data-parent=\"%d\" "
		"data-depth=\"%d\" data-info=\"",
		p->id, (int)p->pid, p->parent ? (int)p->parent->pid : 0, p->depth);
	put_esc(t->f, info);
	fprintf(t->f, "\">\n<title>");
	put_esc(t->f, info);
	fprintf(t->f, "</title>\n");
	if (parent_row >= 0)
		fprintf(t->f,
			"<line class=\"fork\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x0,
			TL_TOP + parent_row * TL_ROW + TL_ROW / 2, x0, y + 3);
	fprintf(t->f,
		"<rect class=\"bar %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\"/>\n",
		bar_class(p), x0, y + 3, x1 - x0, TL_ROW - 6);
	fprintf(t->f, "<text class=\"label\" x=\"%d\" y=\"%d\">", 8 + indent, y + TL_ROW - 6);
	put_esc(t->f, label);
	fprintf(t->f, "</text>\n");
	draw_marks(t, p, y);
	for (const struct proc *c = p->first_child; c; c = c->next_sibling)
		draw_proc(t, c, my_row);
	fprintf(t->f, "</g>\n");
}

static const char svg_style[] =
	"<style>\n"
	".bar.ok{fill:#4caf50}.bar.failed{fill:#f0a030}.bar.killed{fill:#d9534f}"
	".bar.running{fill:#5b9bd5}\n"
	".label{font:12px monospace;fill:#222}.tlabel{font:10px sans-serif;fill:#666;"
	"text-anchor:middle}\n"
	".tick{stroke:#ddd;stroke-width:1}.fork{stroke:#999;stroke-width:1;stroke-dasharray:2 2}\n"
	".mark{stroke:#000;stroke-width:.5}.mark.sig{fill:#c00}.mark.stop{fill:#fc0}"
	".mark.cont{fill:#0c0}.mark.perm{fill:#f60}.mark.exec{fill:#fff}\n"
	".proc:hover>rect{stroke:#000;stroke-width:1.5}\n"
	".title{font:bold 14px sans-serif}.legend{font:11px sans-serif}\n"
	"</style>\n";

static void legend(struct tl *t, int y)
{
	static const struct {
		const char *cls, *text;
	} items[] = {
		{ "bar ok", "exit 0" },
		{ "bar failed", "exit code != 0" },
		{ "bar killed", "killed by a signal" },
		{ "bar running", "still running" },
	};
	int x = 10;
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++, x += 150)
		fprintf(t->f,
			"<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"14\" height=\"10\"/>"
			"<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>\n",
			items[i].cls, x, y, x + 18, y + 9, items[i].text);
	fprintf(t->f,
		"<path class=\"mark sig\" d=\"M%d %d l4 6 l-4 6 l-4 -6 z\"/><text class=\"legend\" "
		"x=\"%d\" y=\"%d\">signal</text>\n"
		"<path class=\"mark perm\" d=\"M%d %d l4 6 l-4 6 l-4 -6 z\"/><text class=\"legend\" "
		"x=\"%d\" y=\"%d\">permission change</text>\n",
		x + 4, y - 1, x + 12, y + 9, x + 84, y - 1, x + 92, y + 9);
}

static void svg(struct tl *t, const struct replay *r)
{
	char title[512] = "forktop timeline";
	const json_t *cmd = json_object_get(r->header, "command");
	int height;
	size_t i;
	const json_t *a;
	t->nprocs = (int)t->m.stats.processes;
	height = TL_TOP + t->nprocs * TL_ROW + 40;
	if (json_is_array(cmd)) {
		size_t o = (size_t)snprintf(title, sizeof(title), "forktop timeline:");
		json_array_foreach(cmd, i, a) {
			if (o + 1 < sizeof(title))
				o += (size_t)snprintf(title + o, sizeof(title) - o, " %s",
						      json_string_value(a) ?: "");
		}
	}
	fprintf(t->f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" data-processes=\"%d\">\n",
		TL_WIDTH, height, TL_WIDTH, height, t->nprocs);
	fputs(svg_style, t->f);
	fprintf(t->f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
		TL_WIDTH, height);
	fprintf(t->f, "<text class=\"title\" x=\"8\" y=\"18\">");
	put_esc(t->f, title);
	fprintf(t->f, "</text>\n");
	axis(t);
	t->row = 0;
	for (const struct proc *p = t->m.first_root; p; p = p->next_sibling)
		draw_proc(t, p, -1);
	legend(t, TL_TOP + t->nprocs * TL_ROW + 16);
	fprintf(t->f, "</svg>\n");
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<title>forktop timeline</title>\n<style>\n"
	"body{font-family:sans-serif;margin:12px;background:#fafafa}\n"
	"#tip{position:fixed;display:none;background:#ffe;border:1px solid #888;padding:6px 8px;"
	"font:12px monospace;white-space:pre;pointer-events:none;max-width:70em;z-index:9}\n"
	"</style>\n</head>\n<body data-ready=\"0\" data-errors=\"0\">\n"
	"<script>window.onerror=function(){var b=document.body;"
	"b.dataset.errors=String(Number(b.dataset.errors)+1);};</script>\n"
	"<div id=\"tip\"></div>\n";

static const char html_tail[] =
	"<script>\n"
	"(function(){\n"
	"  var tip=document.getElementById('tip');\n"
	"  var procs=document.querySelectorAll('g.proc');\n"
	"  document.querySelector('svg.timeline').addEventListener('mousemove',function(ev){\n"
	"    var g=ev.target.closest('g.proc');\n"
	"    if(!g){tip.style.display='none';return;}\n"
	"    tip.textContent=g.getAttribute('data-info');\n"
	"    tip.style.left=(ev.clientX+14)+'px';tip.style.top=(ev.clientY+14)+'px';\n"
	"    tip.style.display='block';\n"
	"  });\n"
	"  document.querySelector('svg.timeline').addEventListener('mouseleave',function(){\n"
	"    tip.style.display='none';});\n"
	"  document.body.dataset.ready=String(procs.length);\n"
	"})();\n"
	"</script>\n</body>\n</html>\n";

int timeline_write(const struct replay *r, FILE *out, bool html, struct err *e)
{
	struct tl t = { .f = out };
	int rc = -1;
	if (collect(&t, r, e) < 0)
		goto done;
	if (html)
		fputs(html_head, out);
	svg(&t, r);
	if (html)
		fputs(html_tail, out);
	if (fflush(out) == EOF || ferror(out)) {
		err_set(e, errno ? errno : EIO, "write");
		goto done;
	}
	rc = 0;
done:
	tl_free(&t);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int timeline_render_file(const char *in, const char *out, struct err *e)
{
	struct replay r;
	_cleanup_fclose_ FILE *f = NULL;
	bool html = ends_with(out, ".html") || ends_with(out, ".htm");
	int rc;
	if (replay_open(&r, "--timeline", in, 0, e) < 0)
		return -1;
	if (strcmp(out, "-") == 0) {
		rc = timeline_write(&r, stdout, html, e);
	} else {
		f = fopen(out, "we");
		if (!f) {
			replay_close(&r);
			return err_set(e, errno, "-o %s", out);
		}
		rc = timeline_write(&r, f, html, e);
		if (rc == 0 && fclose(steal_ptr(f)) == EOF)
			rc = err_set(e, errno, "-o %s", out);
		else if (rc < 0)
			err_prefix(e, "-o %s", out);
	}
	replay_close(&r);
	return rc;
}
