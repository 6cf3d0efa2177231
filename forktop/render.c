#include "render.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <wchar.h>

#include "../common/cleanup.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

const struct signal_item render_signals[] = {
	{ "TERM", SIGTERM }, { "KILL", SIGKILL },   { "STOP", SIGSTOP }, { "CONT", SIGCONT },
	{ "INT", SIGINT },   { "HUP", SIGHUP },	    { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	{ "QUIT", SIGQUIT }, { "WINCH", SIGWINCH },
};
const int render_nsignals = (int)ARRAY_SIZE(render_signals);

/* ---- lines ---- */

void rlines_init(struct rlines *l)
{
	memset(l, 0, sizeof(*l));
}

void rlines_clear(struct rlines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].text);
	l->n = 0;
}

void rlines_free(struct rlines *l)
{
	rlines_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A line under construction: UTF-8 bytes plus the display column reached. */
struct lb {
	char buf[2048];
	size_t len;
	int col, width;
	unsigned attr;
	struct rspan spans[RSPAN_MAX];
	int nspans;
};

static void lb_start(struct lb *b, int width, unsigned attr)
{
	b->len = 0;
	b->col = 0;
	b->width = width;
	b->attr = attr;
	b->nspans = 0;
	b->buf[0] = '\0';
}

/* Decode one UTF-8 sequence at s (n bytes available); returns its length, *cp the code point
 * (U+FFFD for invalid input). */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len, i;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

static int cp_width(unsigned cp)
{
	int w = wcwidth((wchar_t)cp);
	/* in the C locale wcwidth() knows only ASCII: count one column, as the terminal will
	 * for the box-drawing characters and most text */
	return w < 0 ? 1 : w;
}

/* Append at most maxcols columns of s (control characters shown as '?'). */
static void lb_putn(struct lb *b, const char *s, int maxcols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int limit = b->width - b->col;
	if (maxcols >= 0 && maxcols < limit)
		limit = maxcols;
	while (i < n && limit > 0) {
		unsigned cp;
		size_t k = utf8_decode(u + i, n - i, &cp);
		int w;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffd) {
			cp = '?';
			w = 1;
			if (b->len + 1 >= sizeof(b->buf))
				break;
			b->buf[b->len++] = '?';
		} else {
			w = cp_width(cp);
			if (w > limit || b->len + k >= sizeof(b->buf))
				break;
			memcpy(b->buf + b->len, u + i, k);
			b->len += k;
		}
		b->col += w;
		limit -= w;
		i += k;
	}
	b->buf[b->len] = '\0';
}

static void lb_put(struct lb *b, const char *s)
{
	lb_putn(b, s, -1);
}

static void lb_pad(struct lb *b, int col)
{
	if (col > b->width)
		col = b->width;
	while (b->col < col && b->len + 1 < sizeof(b->buf)) {
		b->buf[b->len++] = ' ';
		b->col++;
	}
	b->buf[b->len] = '\0';
}

/* Put s in a field of w columns (truncated, padded), then one space. */
static void lb_field(struct lb *b, const char *s, int w, bool right)
{
	int start = b->col;
	if (right) {
		int sw = 0;
		for (const char *p = s; *p; p++)
			sw++;
		if (sw < w)
			lb_pad(b, start + w - sw);
	}
	lb_putn(b, s, start + w - b->col);
	lb_pad(b, start + w);
	lb_pad(b, start + w + 1);
}

static void lb_printf(struct lb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lb_printf(struct lb *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	lb_put(b, tmp);
}

static void lb_span(struct lb *b, int col, int len, unsigned attr)
{
	if (b->nspans >= RSPAN_MAX || len <= 0)
		return;
	b->spans[b->nspans++] = (struct rspan){ .col = col, .len = len, .attr = attr };
}

/* Put s with attr as a span. */
static void lb_put_attr(struct lb *b, const char *s, unsigned attr)
{
	int c = b->col;
	lb_put(b, s);
	lb_span(b, c, b->col - c, attr);
}

static int lb_finish(struct lb *b, struct rlines *out)
{
	struct rline *l;
	lb_pad(b, b->width);
	if (out->n == out->cap) {
		int nc = out->cap ? out->cap * 2 : 64;
		struct rline *nv = realloc(out->v, (size_t)nc * sizeof(*nv));
		if (!nv)
			return -1;
		out->v = nv;
		out->cap = nc;
	}
	l = &out->v[out->n];
	l->text = strdup(b->buf);
	if (!l->text)
		return -1;
	l->attr = b->attr;
	memcpy(l->spans, b->spans, sizeof(b->spans));
	l->nspans = b->nspans;
	out->n++;
	return 0;
}

static int put_line(struct rlines *out, int width, unsigned attr, const char *s)
{
	struct lb b;
	lb_start(&b, width, attr);
	lb_put(&b, s);
	return lb_finish(&b, out);
}

static int put_blank(struct rlines *out, int width, int n)
{
	for (int i = 0; i < n; i++)
		if (put_line(out, width, RA_NONE, "") < 0)
			return -1;
	return 0;
}

/* ---- id sets ---- */

static size_t id_hash(uint64_t id, size_t cap)
{
	return (size_t)(id * 11400714819323198485ull) & (cap - 1);
}

bool idset_has(const struct idset *s, uint64_t id)
{
	if (!s->cap || !id)
		return false;
	for (size_t h = id_hash(id, s->cap);; h = (h + 1) & (s->cap - 1)) {
		if (s->v[h] == id)
			return true;
		if (!s->v[h])
			return false;
	}
}

static void idset_put(uint64_t *v, size_t cap, uint64_t id)
{
	size_t h = id_hash(id, cap);
	while (v[h] && v[h] != id)
		h = (h + 1) & (cap - 1);
	v[h] = id;
}

int idset_add(struct idset *s, uint64_t id)
{
	if (!id || idset_has(s, id))
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		uint64_t *nv = calloc(nc, sizeof(*nv));
		if (!nv)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				idset_put(nv, nc, s->v[i]);
		free(s->v);
		s->v = nv;
		s->cap = nc;
	}
	idset_put(s->v, s->cap, id);
	s->n++;
	return 0;
}

void idset_del(struct idset *s, uint64_t id)
{
	size_t h, j;
	if (!idset_has(s, id))
		return;
	h = id_hash(id, s->cap);
	while (s->v[h] != id)
		h = (h + 1) & (s->cap - 1);
	s->v[h] = 0;
	s->n--;
	/* re-insert the rest of the cluster so that lookups do not stop at the hole */
	for (j = (h + 1) & (s->cap - 1); s->v[j]; j = (j + 1) & (s->cap - 1)) {
		uint64_t x = s->v[j];
		s->v[j] = 0;
		idset_put(s->v, s->cap, x);
	}
}

void idset_clear(struct idset *s)
{
	if (s->v)
		memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
}

void idset_free(struct idset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- text helpers ---- */

void render_argv(const char *argv, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	if (!size)
		return;
	buf[0] = '\0';
	for (size_t off = 0; argv && off < len && o + 1 < size;) {
		const char *a = argv + off;
		size_t n = strnlen(a, len - off);
		bool quote = n == 0 || strpbrk(a, " \t'\"") != NULL;
		if (off && o + 1 < size)
			buf[o++] = ' ';
		if (quote && o + 1 < size)
			buf[o++] = '\'';
		for (size_t i = 0; i < n && o + 1 < size; i++)
			buf[o++] = a[i] == '\'' ? '"' : a[i];
		if (quote && o + 1 < size)
			buf[o++] = '\'';
		off += n + 1;
	}
	buf[o] = '\0';
}

void render_exit(const struct proc *p, char *buf, size_t size)
{
	if (p->state < PROC_ZOMBIE) {
		snprintf(buf, size, "-");
	} else if (p->exit_signal) {
		char s[32];
		event_sig_name(p->exit_signal, s, sizeof(s));
		snprintf(buf, size, "%s%s", s, p->core ? "*" : "");
	} else {
		snprintf(buf, size, "%d", p->exit_code);
	}
}

void render_age(int64_t ns, char *buf, size_t size)
{
	long long s = ns < 0 ? 0 : ns / 1000000000;
	if (s < 60)
		snprintf(buf, size, "%lld.%llds", s,
			 (long long)((ns < 0 ? 0 : ns) / 100000000 % 10));
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

/* The name of an id inside p's user namespace, when the view can know it. */
static const char *id_name(const struct view *v, const struct proc *p, bool group, uint32_t id)
{
	if (!v->id_name || id == PROCFS_ID_UNMAPPED)
		return NULL;
	return v->id_name(v->id_name_data, p, group, id);
}

/* The effective uid inside the process's user namespace, by name when known; the host's
 * number when it is not mapped there. */
static void user_text(const struct proc *p, const struct view *v, char *buf, size_t size)
{
	uint32_t u;
	const char *name;
	if (!p->has_perms) {
		snprintf(buf, size, "?");
		return;
	}
	u = p->perms.uid_ns[PROCFS_ID_EFF];
	name = id_name(v, p, false, u);
	if (u == PROCFS_ID_UNMAPPED)
		u = p->perms.uid[PROCFS_ID_EFF];
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", u);
}

static const char *command_of(const struct proc *p, char *buf, size_t size)
{
	if (p->argv && p->argv_len) {
		render_argv(p->argv, p->argv_len, buf, size);
		return buf;
	}
	if (p->exe)
		return p->exe;
	/* the first process of a sandbox with a pid namespace is cordon's init: it never
	 * execs */
	return p->nspid == 1 ? "(sandbox init)" : "(no exec yet)";
}

bool render_proc_matches(const struct proc *p, const char *s)
{
	char pid[16];
	if (!s || !*s)
		return false;
	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	if (strcmp(pid, s) == 0)
		return true;
	if (p->exe && strstr(p->exe, s))
		return true;
	for (size_t off = 0; p->argv && off < p->argv_len;) {
		const char *a = p->argv + off;
		if (strstr(a, s))
			return true;
		off += strnlen(a, p->argv_len - off) + 1;
	}
	return false;
}

/* ---- tree rows ---- */

void trows_free(struct trows *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int trows_find(const struct trows *r, uint64_t id)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].p->id == id)
			return i;
	return -1;
}

/* Tree lines shown for at most this many levels (the deepest ones); beyond, a marker. */
#define TREE_LEVELS 20

struct walk {
	const struct view *v;
	struct trows *out;
	int err;
};

static struct trow *row_push(struct walk *w)
{
	struct trows *r = w->out;
	if (r->n == r->cap) {
		int nc = r->cap ? r->cap * 2 : 256;
		struct trow *nv = realloc(r->v, (size_t)nc * sizeof(*nv));
		if (!nv) {
			w->err = -1;
			return NULL;
		}
		r->v = nv;
		r->cap = nc;
	}
	return &r->v[r->n++];
}

/* Append p and its visible subtree; returns whether the subtree holds a filter match (always
 * true without a filter). Recursion depth is the tree depth. */
static bool walk_node(struct walk *w, struct proc *p, int depth)
{
	const struct view *v = w->v;
	bool filtering = v->filter[0] != '\0';
	bool expired = v->exited_ttl_ns > 0 && p->state >= PROC_ZOMBIE &&
		       v->now_ns - p->end_ns > v->exited_ttl_ns;
	bool self = !expired && (filtering ? render_proc_matches(p, v->filter) : true);
	bool collapsed = p->first_child && idset_has(&v->collapsed, p->id);
	bool any = self;
	int idx = w->out->n;
	struct trow *r = row_push(w);
	if (!r)
		return false;
	r->p = p;
	r->depth = depth;
	r->has_children = p->first_child != NULL;
	r->collapsed = collapsed;
	r->match = filtering ? self : render_proc_matches(p, v->search);
	r->prefix[0] = '\0';
	if (!collapsed) {
		for (struct proc *c = p->first_child; c && !w->err; c = c->next_sibling)
			if (walk_node(w, c, depth + 1))
				any = true;
	} else if (filtering && !self) {
		for (struct proc *c = p->first_child; c && !any; c = c->next_sibling)
			any = render_proc_matches(c, v->filter); /* one level: enough to keep it */
	}
	if (!any)
		w->out->n = idx; /* nothing to show in this subtree */
	return any;
}

/* Append s to buf (o bytes used, size in all) if it fits whole: a UTF-8 character is never
 * cut. snprintf costs too much here (every row, every frame). */
static void put_piece(char *buf, size_t *o, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (*o + n < size) {
		memcpy(buf + *o, s, n + 1);
		*o += n;
	}
}

/* Tree lines from the rows actually shown (a filter hides siblings), in one backward pass:
 * sib[k] says a later row at depth k follows with no shallower row in between. */
static int make_prefixes(struct trows *r, bool ascii)
{
	const char *vert = ascii ? "| " : "\u2502 ";
	const char *mid = ascii ? "|-" : "\u251c\u2500";
	const char *end = ascii ? "`-" : "\u2514\u2500";
	int maxd = 0, hi = 0;
	bool *sib;
	for (int i = 0; i < r->n; i++)
		if (r->v[i].depth > maxd)
			maxd = r->v[i].depth;
	sib = calloc((size_t)maxd + 2, sizeof(*sib));
	if (!sib)
		return -1;
	for (int i = r->n - 1; i >= 0; i--) {
		struct trow *t = &r->v[i];
		int d = t->depth, first = d > TREE_LEVELS ? d - TREE_LEVELS : 1;
		size_t o = 0, size = sizeof(t->prefix);
		t->prefix[0] = '\0';
		if (d > 0) {
			if (first > 1)
				put_piece(t->prefix, &o, size, ascii ? ".." : "\u2026 ");
			for (int k = first; k < d; k++)
				put_piece(t->prefix, &o, size, sib[k] ? vert : "  ");
			put_piece(t->prefix, &o, size, sib[d] ? mid : end);
		}
		for (int k = d + 1; k <= hi; k++)
			sib[k] = false;
		sib[d] = true;
		hi = d;
	}
	free(sib);
	return 0;
}

int render_tree_rows(const struct model *m, const struct view *v, struct trows *out)
{
	struct walk w = { .v = v, .out = out };
	out->n = 0;
	for (struct proc *p = m->first_root; p && !w.err; p = p->next_sibling)
		walk_node(&w, p, 0);
	if (w.err)
		return -1;
	return make_prefixes(out, v->ascii);
}

/* ---- layout ---- */

void render_layout(const struct view *v, int width, int height, struct layout *l)
{
	int body_y = 1, body_h = height - 2;
	memset(l, 0, sizeof(*l));
	l->header = (struct rect){ 0, 0, 1, width };
	l->status = (struct rect){ height - 1, 0, 1, width };
	if (body_h < 1)
		return;
	if (v->console && v->zoom) {
		l->console = (struct rect){ body_y, 0, body_h, width };
		return;
	}
	if (v->console) {
		int ch = body_h * 2 / 5;
		if (ch < 3)
			ch = 3;
		if (ch > body_h - 4)
			ch = body_h - 4 > 0 ? body_h - 4 : 0;
		l->console = (struct rect){ body_y + body_h - ch, 0, ch, width };
		body_h -= ch;
	}
	if (v->events) {
		int eh = body_h / 3;
		if (eh < 3)
			eh = body_h >= 8 ? 3 : 0;
		l->events = (struct rect){ body_y + body_h - eh, 0, eh, width };
		body_h -= eh;
	}
	l->tree = (struct rect){ body_y, 0, body_h, width };
	if (v->details) {
		if (width >= 140) {
			int dw = width * 2 / 5;
			l->details = (struct rect){ body_y, width - dw, body_h, dw };
			l->tree.w = width - dw;
		} else {
			int dh = body_h / 2;
			l->details = (struct rect){ body_y + body_h - dh, 0, dh, width };
			l->tree.h = body_h - dh;
		}
	}
	l->tree_rows = l->tree.h > 1 ? l->tree.h - 1 : 0;
}

/* ---- header and status ---- */

int render_header(const struct model *m, const struct view *v, int width, struct rlines *out)
{
	struct lb b;
	const struct model_stats *s = &m->stats;
	lb_start(&b, width, RA_TITLE);
	lb_printf(&b, "forktop %s", v->mode ? v->mode : "");
	lb_printf(&b, " | live %llu exited %llu total %llu", (unsigned long long)s->live,
		  (unsigned long long)s->exited, (unsigned long long)s->processes);
	if (v->state && v->state[0])
		lb_printf(&b, " | %s", v->state);
	lb_printf(&b, " | %.0f ev/s", v->event_rate);
	lb_printf(&b, " | sandbox: %s", v->sandbox ? v->sandbox : "none");
	return lb_finish(&b, out);
}

int render_status(const struct view *v, int width, struct rlines *out)
{
	struct lb b;
	static const char *const prompts[] = { "", "/", "\\", "event filter: ", "jump to (s): " };
	lb_start(&b, width, RA_TITLE);
	if (v->prompt != VP_NONE) {
		lb_printf(&b, "%s%s", prompts[v->prompt], v->prompt_buf);
		lb_put(&b, v->ascii ? "_" : "\u2588");
		return lb_finish(&b, out);
	}
	if (v->console)
		lb_put_attr(&b, v->focus == VF_CONSOLE ? "[console]" : "[tree]",
			    RA_BOLD | RA_REVERSE);
	if (v->console)
		lb_put(&b, " ");
	if (v->message[0]) {
		lb_put_attr(&b, v->message, RA_BOLD);
		return lb_finish(&b, out);
	}
	if (v->follow)
		lb_put(&b, "[follow] ");
	if (v->filter[0])
		lb_printf(&b, "[filter: %s] ", v->filter);
	if (v->focus == VF_CONSOLE)
		lb_put(&b, "F2: tree  F11: zoom  (keys go to the workload)");
	else
		lb_put(&b, "?:help q:quit d:details e:events /:search \\:filter "
			   "space:fold f:follow x:signal c:clear");
	return lb_finish(&b, out);
}

/* ---- tree pane ---- */

static int tree_titles(int width, struct rlines *out)
{
	struct lb b;
	lb_start(&b, width, RA_TITLE | RA_BOLD);
	lb_field(&b, "PID", 7, true);
	lb_field(&b, "NSPID", 6, true);
	lb_field(&b, "USER", 8, false);
	lb_field(&b, "STATE", 7, false);
	lb_field(&b, "AGE", 6, true);
	lb_field(&b, "EXIT", 8, false);
	lb_put(&b, "COMMAND");
	return lb_finish(&b, out);
}

static unsigned row_attr(const struct trow *r, const struct view *v, bool selected)
{
	const struct proc *p = r->p;
	unsigned a = RA_NONE;
	if (p->state >= PROC_ZOMBIE)
		a |= RA_DIM;
	else if (v->highlight_ns > 0 && v->now_ns - p->start_ns < v->highlight_ns)
		a |= RA_NEW;
	if (p->state == PROC_STOPPED)
		a |= RA_STOPPED;
	if (r->match)
		a |= RA_MATCH;
	if (selected)
		a |= RA_REVERSE;
	return a;
}

static int tree_row(const struct trow *r, const struct view *v, bool selected, int width,
		    struct rlines *out)
{
	const struct proc *p = r->p;
	char num[32], user[16], age[16], ex[32], cmd[512];
	const char *fold = "";
	struct lb b;
	int c;
	lb_start(&b, width, row_attr(r, v, selected));
	snprintf(num, sizeof(num), "%d", (int)p->pid);
	lb_field(&b, num, 7, true);
	snprintf(num, sizeof(num), "%d", (int)p->nspid);
	lb_field(&b, num, 6, true);
	user_text(p, v, user, sizeof(user));
	c = b.col;
	lb_field(&b, user, 8, false);
	if (p->changes & (PCH_UID_CHANGED | PCH_CAP_GAINED))
		lb_span(&b, c, 8, RA_CHANGED);
	lb_field(&b, proc_state_name(p->state), 7, false);
	render_age((p->state >= PROC_ZOMBIE ? p->end_ns : v->now_ns) - p->start_ns, age,
		   sizeof(age));
	lb_field(&b, age, 6, true);
	render_exit(p, ex, sizeof(ex));
	c = b.col;
	lb_field(&b, ex, 8, false);
	if (p->state >= PROC_ZOMBIE && (p->exit_signal || p->exit_code))
		lb_span(&b, c, 8, RA_ERROR);
	lb_put(&b, r->prefix);
	if (r->collapsed)
		fold = v->ascii ? "[+]" : "\u229e ";
	lb_put(&b, fold);
	if (p->injected) /* a shell of forktop's s / S keys */
		lb_put(&b, p->injected == PINJ_JOIN ? "[join] " : "[hijack] ");
	lb_put(&b, command_of(p, cmd, sizeof(cmd)));
	if (r->collapsed)
		lb_put(&b, " ...");
	return lb_finish(&b, out);
}

/* Keep the selection on screen, and at the same row when possible (stable layout). */
static void tree_scroll(struct view *v, const struct trows *rows, int nrows)
{
	int sel = trows_find(rows, v->selected);
	if (sel < 0) {
		v->top = v->top > rows->n - nrows ? rows->n - nrows : v->top;
		if (v->top < 0)
			v->top = 0;
		return;
	}
	v->top = sel - v->sel_row;
	if (v->top > rows->n - nrows)
		v->top = rows->n - nrows;
	if (v->top < 0)
		v->top = 0;
	if (sel < v->top)
		v->top = sel;
	if (sel >= v->top + nrows)
		v->top = sel - nrows + 1;
	v->sel_row = sel - v->top;
}

int render_tree(const struct trows *rows, const struct view *v, int width, int height,
		struct rlines *out)
{
	if (height <= 0)
		return 0;
	if (tree_titles(width, out) < 0)
		return -1;
	for (int i = 0; i < height - 1; i++) {
		int k = v->top + i;
		if (k < rows->n) {
			if (tree_row(&rows->v[k], v, rows->v[k].p->id == v->selected, width, out) <
			    0)
				return -1;
		} else if (put_line(out, width, RA_NONE,
				    i == 0 && rows->n == 0 ? "  (no process yet)" : "") < 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- details pane ---- */

static void caps_text(uint64_t mask, char *buf, size_t size)
{
	size_t o = 0;
	int count = 0;
	buf[0] = '\0';
	for (int i = 0; i < 64; i++)
		if (mask & (1ull << i))
			count++;
	if (count == 0) {
		snprintf(buf, size, "none");
		return;
	}
	if (count >= 38) {
		/* a full set: the list says nothing a human can read */
		snprintf(buf, size, "all (%d)", count);
		return;
	}
	for (int i = 0; i < 64 && o + 1 < size; i++) {
		char *n;
		if (!(mask & (1ull << i)))
			continue;
		n = cap_to_name((cap_value_t)i);
		o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? " " : "",
				      n && strncmp(n, "cap_", 4) == 0 ? n + 4 : (n ? n : "?"));
		cap_free(n);
	}
}

static void ids_text(const uint32_t *ids, char *buf, size_t size)
{
	char one[PROCFS_ID_COUNT][16];
	for (int i = 0; i < PROCFS_ID_COUNT; i++) {
		if (ids[i] == PROCFS_ID_UNMAPPED)
			snprintf(one[i], sizeof(one[i]), "-");
		else
			snprintf(one[i], sizeof(one[i]), "%u", ids[i]);
	}
	snprintf(buf, size, "%s/%s/%s/%s", one[0], one[1], one[2], one[3]);
}

struct dctx {
	struct rlines *out;
	int width, left; /* lines still allowed */
	int err;
};

static void dline(struct dctx *d, const char *key, const char *val, unsigned attr)
{
	struct lb b;
	if (d->left <= 0 || d->err)
		return;
	lb_start(&b, d->width, RA_NONE);
	lb_put(&b, " ");
	lb_field(&b, key, 10, false);
	if (attr)
		lb_put_attr(&b, val, attr);
	else
		lb_put(&b, val);
	if (lb_finish(&b, d->out) < 0)
		d->err = -1;
	d->left--;
}

/* "uid"/"gid": host ids, ids inside the user namespace and the effective one's name there,
 * then the namespace's map, each marked when it differs from the parent's. */
static void details_idset(struct dctx *d, const struct view *v, const struct proc *p, bool group)
{
	const struct procfs_perms *pp = &p->perms, *parent = NULL;
	const uint32_t *ids = group ? pp->gid : pp->uid, *ns = group ? pp->gid_ns : pp->uid_ns;
	const char *map = group ? pp->gid_map : pp->uid_map;
	const char *name = id_name(v, p, group, ns[PROCFS_ID_EFF]);
	bool ch = p->changes & (group ? PCH_GID_CHANGED : PCH_UID_CHANGED), mch;
	char a[64], b2[64], line[200];
	if (p->parent && p->parent->has_perms)
		parent = &p->parent->perms;
	mch = parent && strcmp(map, group ? parent->gid_map : parent->uid_map) != 0;
	ids_text(ids, a, sizeof(a));
	ids_text(ns, b2, sizeof(b2));
	snprintf(line, sizeof(line), "%s  in ns %s%s%s%s%s", a, b2, name ? " (" : "",
		 name ? name : "", name ? ")" : "", ch ? "  (changed)" : "");
	dline(d, group ? "gid" : "uid", line, ch ? RA_CHANGED : 0);
	snprintf(line, sizeof(line), "%s%s", map[0] ? map : "?", mch ? "  (changed)" : "");
	dline(d, group ? "gid map" : "uid map", line, mch ? RA_CHANGED : 0);
}

static void details_ids(struct dctx *d, const struct view *v, const struct proc *p)
{
	details_idset(d, v, p, false);
	details_idset(d, v, p, true);
}

static void details_caps(struct dctx *d, const struct proc *p)
{
	static const char *const keys[] = { "cap eff", "cap prm", "cap inh", "cap bnd", "cap amb" };
	char buf[1024];
	for (int i = 0; i < PROCFS_CAP_COUNT; i++) {
		caps_text(p->perms.caps[i], buf, sizeof(buf));
		dline(d, keys[i], buf, 0);
	}
	if (p->changes & PCH_CAP_GAINED) {
		caps_text(p->caps_gained, buf, sizeof(buf));
		dline(d, "gained", buf, RA_CHANGED);
	}
}

static void details_ns(struct dctx *d, const struct proc *p)
{
	char line[128];
	for (int i = 0; i < PROCFS_NS_COUNT; i++) {
		bool isnew = p->ns_changed & (1u << i);
		const char *rel = !p->parent || !p->parent->has_perms ? ""
				  : isnew			      ? "  new"
								      : "  same as parent";
		char key[16];
		snprintf(key, sizeof(key), "ns %s", procfs_ns_name(i));
		if (p->perms.ns[i])
			snprintf(line, sizeof(line), "%llu%s", (unsigned long long)p->perms.ns[i],
				 rel);
		else
			snprintf(line, sizeof(line), "?");
		dline(d, key, line, isnew ? RA_CHANGED : 0);
	}
}

static void details_misc(struct dctx *d, const struct proc *p)
{
	static const char *const modes[] = { "disabled", "strict", "filter" };
	char line[256];
	const struct procfs_perms *pp = &p->perms;
	if (pp->seccomp >= 0 && pp->seccomp <= 2)
		snprintf(line, sizeof(line), "%s, %d filter%s, no_new_privs %s", modes[pp->seccomp],
			 pp->seccomp_filters < 0 ? 0 : pp->seccomp_filters,
			 pp->seccomp_filters == 1 ? "" : "s", pp->no_new_privs ? "yes" : "no");
	else
		snprintf(line, sizeof(line), "unknown, no_new_privs %s",
			 pp->no_new_privs ? "yes" : "no");
	dline(d, "seccomp", line, p->changes & (PCH_SECCOMP | PCH_NNP) ? RA_CHANGED : 0);
	dline(d, "cgroup", pp->cgroup[0] ? pp->cgroup : "?", 0);
	if (pp->has_rlimits) {
		size_t o = 0;
		line[0] = '\0';
		for (int i = 0; i < PROCFS_RL_COUNT && o + 1 < sizeof(line); i++) {
			char cur[24], max[24];
			if (pp->rlim_cur[i] == PROCFS_RLIM_INFINITY)
				snprintf(cur, sizeof(cur), "inf");
			else
				snprintf(cur, sizeof(cur), "%llu",
					 (unsigned long long)pp->rlim_cur[i]);
			if (pp->rlim_max[i] == PROCFS_RLIM_INFINITY)
				snprintf(max, sizeof(max), "inf");
			else
				snprintf(max, sizeof(max), "%llu",
					 (unsigned long long)pp->rlim_max[i]);
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s %s/%s",
					      o ? ", " : "", procfs_rlimit_name(i), cur, max);
		}
		dline(d, "rlimits", line, 0);
	}
}

int render_details(const struct proc *p, const struct view *v, int width, int height,
		   struct rlines *out)
{
	struct dctx d = { .out = out, .width = width, .left = height };
	char line[1024], ex[32];
	struct lb b;
	if (height <= 0)
		return 0;
	lb_start(&b, width, RA_TITLE | RA_BOLD);
	if (p)
		lb_printf(&b, " Details: pid %d (ns %d), parent %d, #%llu", (int)p->pid,
			  (int)p->nspid, (int)p->ppid, (unsigned long long)p->id);
	else
		lb_put(&b, " Details: no process selected");
	if (lb_finish(&b, out) < 0)
		return -1;
	d.left--;
	if (p) {
		render_exit(p, ex, sizeof(ex));
		snprintf(line, sizeof(line), "%s, %d thread%s, %d exec%s, exit %s",
			 proc_state_name(p->state), p->nthreads, p->nthreads == 1 ? "" : "s",
			 p->execs, p->execs == 1 ? "" : "s", ex);
		dline(&d, "state", line, 0);
		if (p->injected) {
			snprintf(line, sizeof(line), "shell: %s of %d",
				 p->injected == PINJ_JOIN ? "join" : "hijack", (int)p->mirrors);
			dline(&d, "injected", line, RA_CHANGED);
		}
		dline(&d, "exe", p->exe ? p->exe : "?", 0);
		render_argv(p->argv, p->argv_len, line, sizeof(line));
		dline(&d, "argv", line, 0);
		dline(&d, "cwd", p->cwd ? p->cwd : "?", 0);
		if (p->has_perms) {
			details_ids(&d, v, p);
			details_caps(&d, p);
			details_misc(&d, p);
			details_ns(&d, p);
		} else {
			dline(&d, "perms", "not read", 0);
		}
	}
	if (d.err)
		return -1;
	return put_blank(out, width, d.left);
}

/* ---- event log ---- */

int evlog_init(struct evlog *l)
{
	memset(l, 0, sizeof(*l));
	l->v = calloc(EVLOG_MAX, sizeof(*l->v));
	return l->v ? 0 : -1;
}

void evlog_free(struct evlog *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void evlog_clear(struct evlog *l)
{
	l->head = l->n = 0;
}

const struct evlog_entry *evlog_get(const struct evlog *l, size_t i)
{
	return i < l->n ? &l->v[(l->head + i) % EVLOG_MAX] : NULL;
}

static void ev_detail(const struct event *ev, char *buf, size_t size)
{
	char s[32];
	buf[0] = '\0';
	switch (ev->type) {
	case EV_SPAWN:
	case EV_ATTACH:
	case EV_EXEC:
		if (ev->thread)
			snprintf(buf, size, "thread %d", (int)ev->tid);
		else
			render_argv(ev->argv, ev->argv_len, buf, size);
		break;
	case EV_EXIT:
		if (ev->sig) {
			event_sig_name(ev->sig, s, sizeof(s));
			snprintf(buf, size, "%s%s%s", ev->thread ? "thread " : "", s,
				 ev->core ? " (core dumped)" : "");
		} else {
			snprintf(buf, size, "%scode %d", ev->thread ? "thread " : "",
				 ev->exit_code);
		}
		break;
	case EV_SIGNAL:
	case EV_STOP:
		event_sig_name(ev->sig, s, sizeof(s));
		snprintf(buf, size, "%s", s);
		break;
	case EV_REPARENT:
		snprintf(buf, size, "new parent %d", (int)ev->ppid);
		break;
	case EV_CONTINUE:
	case EV_DETACH:
	case EV_REAP:
		break;
	}
}

void evlog_push(struct evlog *l, const struct event *ev)
{
	struct evlog_entry *x;
	char detail[EVLOG_TEXT - 32]; /* fits after the type and pid */
	if (!l->v)
		return;
	if (l->n == EVLOG_MAX) {
		x = &l->v[l->head];
		l->head = (l->head + 1) % EVLOG_MAX;
	} else {
		x = &l->v[(l->head + l->n) % EVLOG_MAX];
		l->n++;
	}
	l->total++;
	x->mono_ns = ev->mono_ns;
	x->id = ev->id;
	x->type = ev->type;
	ev_detail(ev, detail, sizeof(detail));
	snprintf(x->text, sizeof(x->text), "%-8s %7d %s", event_type_name(ev->type), (int)ev->pid,
		 detail);
}

static unsigned ev_attr(const struct evlog_entry *x)
{
	switch (x->type) {
	case EV_EXIT:
		return strstr(x->text, "code 0") ? RA_DIM : RA_ERROR;
	case EV_SIGNAL:
	case EV_STOP:
		return RA_STOPPED;
	case EV_SPAWN:
	case EV_EXEC:
	case EV_ATTACH:
		return RA_NEW;
	case EV_CONTINUE:
	case EV_DETACH:
	case EV_REPARENT:
	case EV_REAP:
		return RA_NONE;
	}
	return RA_NONE;
}

int render_events(const struct evlog *l, const struct view *v, int width, int height,
		  struct rlines *out)
{
	size_t shown = 0, want = height > 1 ? (size_t)height - 1 : 0;
	size_t idx[256];
	struct lb b;
	if (height <= 0)
		return 0;
	if (want > ARRAY_SIZE(idx))
		want = ARRAY_SIZE(idx);
	lb_start(&b, width, RA_TITLE | RA_BOLD);
	lb_printf(&b, " Events (%llu)", (unsigned long long)l->total);
	if (v->evfilter[0])
		lb_printf(&b, " filter: %s", v->evfilter);
	if (lb_finish(&b, out) < 0)
		return -1;
	/* the newest matching entries, shown oldest first */
	for (size_t i = l->n; i > 0 && shown < want; i--) {
		const struct evlog_entry *x = evlog_get(l, i - 1);
		if (!x || (v->evfilter[0] && !strstr(x->text, v->evfilter)))
			continue;
		idx[shown++] = i - 1;
	}
	for (size_t k = shown; k > 0; k--) {
		const struct evlog_entry *x = evlog_get(l, idx[k - 1]);
		int64_t t = x->mono_ns - v->t0_ns;
		lb_start(&b, width, ev_attr(x));
		lb_printf(&b, "%4lld.%03lld ", (long long)(t / 1000000000),
			  (long long)((t < 0 ? -t : t) / 1000000 % 1000));
		lb_put(&b, x->text);
		if (lb_finish(&b, out) < 0)
			return -1;
	}
	return put_blank(out, width, (int)(want - shown));
}

/* ---- help and overlays ---- */

static const char *const help_text[] = {
	"forktop keys",
	"",
	"  Up/Down j/k   move             PgUp/PgDn Home/End  page, first, last",
	"  Enter d       details pane     e                   event log pane",
	"  space - +     fold/unfold      *                   unfold all",
	"  /             search           n N                 next / previous match",
	"  \\             filter (keeps ancestors)           E  event log filter",
	"  f             follow the selected process          c  clear exited",
	"  x             signal menu      Z                   freeze/thaw subtree",
	"  s S           shell into the process (hijack / join)   V  verify the shell",
	"  F2 Tab        focus tree/console (F2 back)         z F11  zoom console",
	"  q Ctrl-C      quit             ?                   this help",
	"  mouse         click selects, wheel scrolls (the console: its scrollback)",
	"",
	"replay: p play/pause  . , (Right Left) step  > < faster/slower  g jump to time",
	"",
	"Press any key to close.",
};

int render_help(const struct view *v, int width, int height, struct rlines *out)
{
	(void)v;
	for (int i = 0; i < height; i++)
		if (put_line(out, width, i == 0 ? RA_TITLE | RA_BOLD : RA_NONE,
			     i < (int)ARRAY_SIZE(help_text) ? help_text[i] : "") < 0)
			return -1;
	return 0;
}

/* Replace part of line l (columns x..x+len) with text of box b. */
static int overlay_line(struct rline *l, int x, const struct lb *b, int width)
{
	/* rebuild the line: the part before x, the box text, the rest after */
	struct lb n;
	const unsigned char *u = (const unsigned char *)l->text;
	size_t i = 0, len = strlen(l->text);
	int col = 0;
	lb_start(&n, width, l->attr);
	while (i < len && col < x) {
		unsigned cp;
		size_t k = utf8_decode(u + i, len - i, &cp);
		i += k;
		col += cp_width(cp);
	}
	memcpy(n.buf, l->text, i);
	n.len = i;
	n.buf[i] = '\0';
	n.col = col;
	lb_pad(&n, x);
	lb_put(&n, b->buf);
	lb_pad(&n, width);
	free(l->text);
	l->text = strdup(n.buf);
	if (!l->text)
		return -1;
	if (l->nspans < RSPAN_MAX)
		l->spans[l->nspans++] = (struct rspan){ x, b->col, RA_REVERSE | RA_BOLD };
	else
		l->spans[RSPAN_MAX - 1] = (struct rspan){ x, b->col, RA_REVERSE | RA_BOLD };
	return 0;
}

static int draw_box(struct rlines *out, int first, int width, int height, const char *const *items,
		    int n, int sel)
{
	int bw = 0, y0, x0;
	for (int i = 0; i < n; i++)
		if ((int)strlen(items[i]) + 4 > bw)
			bw = (int)strlen(items[i]) + 4;
	if (bw > width)
		bw = width;
	y0 = first + (height - n) / 2;
	x0 = (width - bw) / 2;
	for (int i = 0; i < n && y0 + i < out->n; i++) {
		struct lb b;
		if (y0 + i < first)
			continue;
		lb_start(&b, bw, RA_NONE);
		lb_put(&b, i == sel ? " > " : "   ");
		lb_put(&b, items[i]);
		lb_pad(&b, bw);
		if (overlay_line(&out->v[y0 + i], x0, &b, width) < 0)
			return -1;
	}
	return 0;
}

static int render_overlay(const struct view *v, int width, int height, struct rlines *out)
{
	if (v->overlay == OV_SIGNALS) {
		const char *items[32];
		char buf[32][24];
		int n = 0;
		items[n++] = "Send signal:";
		for (int i = 0; i < render_nsignals && n < 31; i++) {
			snprintf(buf[n], sizeof(buf[n]), "%2d SIG%s", render_signals[i].sig,
				 render_signals[i].name);
			items[n] = buf[n];
			n++;
		}
		items[n++] = "Enter: send  Esc: cancel";
		return draw_box(out, 1, width, height - 2, items, n, v->menu_sel + 1);
	}
	if (v->overlay == OV_QUIT) {
		const char *items[] = { "The workload is still running.",
					"Quit and kill it? (y/n)" };
		return draw_box(out, 1, width, height - 2, items, 2, -1);
	}
	return 0;
}

/* ---- the screen ---- */

static const struct proc *selected_proc(const struct trows *rows, const struct view *v)
{
	int i = trows_find(rows, v->selected);
	return i >= 0 ? rows->v[i].p : NULL;
}

static int blank_rect(struct rlines *out, int width, int n)
{
	return put_blank(out, width, n);
}

/* Append lines of the tree pane and, beside it, the details pane (wide screens). */
static int render_side_by_side(const struct trows *rows, const struct view *v,
			       const struct layout *lay, int width, struct rlines *out)
{
	struct rlines t, d;
	int rc = -1;
	rlines_init(&t);
	rlines_init(&d);
	if (render_tree(rows, v, lay->tree.w - 1, lay->tree.h, &t) < 0 ||
	    render_details(selected_proc(rows, v), v, lay->details.w, lay->details.h, &d) < 0)
		goto out;
	for (int i = 0; i < lay->tree.h; i++) {
		struct lb b;
		lb_start(&b, width, RA_NONE);
		lb_put(&b, t.v[i].text);
		lb_put(&b, v->ascii ? "|" : "\u2502");
		lb_put(&b, i < d.n ? d.v[i].text : "");
		b.attr = RA_NONE;
		/* the tree row's attribute becomes a span over the tree part */
		lb_span(&b, 0, lay->tree.w - 1, t.v[i].attr);
		for (int s = 0; s < t.v[i].nspans; s++)
			lb_span(&b, t.v[i].spans[s].col, t.v[i].spans[s].len, t.v[i].spans[s].attr);
		if (i < d.n)
			lb_span(&b, lay->details.x, lay->details.w, d.v[i].attr);
		if (lb_finish(&b, out) < 0)
			goto out;
	}
	rc = 0;
out:
	rlines_free(&t);
	rlines_free(&d);
	return rc;
}

int render_screen(const struct model *m, const struct evlog *log, struct view *v,
		  const struct trows *rows, int width, int height, struct rlines *out)
{
	struct layout lay;
	if (width < 1 || height < 1)
		return 0;
	render_layout(v, width, height, &lay);
	tree_scroll(v, rows, lay.tree_rows);
	if (render_header(m, v, width, out) < 0)
		return -1;
	if (v->overlay == OV_HELP) {
		if (render_help(v, width, height - 2, out) < 0)
			return -1;
	} else {
		if (lay.details.h && lay.details.x > 0) {
			if (render_side_by_side(rows, v, &lay, width, out) < 0)
				return -1;
		} else {
			if (render_tree(rows, v, width, lay.tree.h, out) < 0)
				return -1;
			if (lay.details.h && render_details(selected_proc(rows, v), v, width,
							    lay.details.h, out) < 0)
				return -1;
		}
		if (lay.events.h && render_events(log, v, width, lay.events.h, out) < 0)
			return -1;
		if (lay.console.h && blank_rect(out, width, lay.console.h) < 0)
			return -1;
	}
	while (out->n < height - 1)
		if (put_blank(out, width, 1) < 0)
			return -1;
	if (render_status(v, width, out) < 0)
		return -1;
	while (out->n > height) /* screens of one or two lines */
		free(out->v[--out->n].text);
	return render_overlay(v, width, height, out);
}

void view_init(struct view *v)
{
	memset(v, 0, sizeof(*v));
	v->highlight_ns = 2000000000;
	v->mode = "live";
	v->sandbox = "none";
}

void view_free(struct view *v)
{
	idset_free(&v->collapsed);
}
