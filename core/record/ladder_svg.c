#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_priv.h"

/* ------------------------------------------------------------ SVG */

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

/* The vertical scale: times of interest sorted, mapped piecewise linearly
 * with long gaps cut to BREAK_PX. */
#define ONEWAY_PX 90.0
#define BREAK_PX 56.0
#define MAX_HEIGHT 30000.0

struct scale {
	sy_time *t;
	double *y;
	bool *cut;       /* the gap before t[i] was cut */
	unsigned *rows;  /* segment labels that start at t[i] */
	double *rowh;    /* the rows' height there (row, or more where
			  * labels along steep arrows would touch) */
	double *extra;   /* pixels added before t[i], for the same reason */
	size_t n;
	double pps;      /* pixels per second */
	double top;
	double row;      /* pixels a label needs below the one before */
};

static int time_cmp(const void *a, const void *b)
{
	sy_time x = *(const sy_time *)a, y = *(const sy_time *)b;

	return (x > y) - (x < y);
}

static sy_time clip(const struct view *v, sy_time t)
{
	if (t < v->from)
		return v->from;
	if (v->to >= 0 && t > v->to)
		return v->to;
	return t;
}

/* The end a segment is drawn to. */
static sy_time seg_end(const struct view *v, const sy_rec_seg *s, sy_time last)
{
	return clip(v, s->end < 0 ? last : s->end);
}

static size_t time_index(const struct scale *sc, sy_time t)
{
	size_t lo = 0, hi = sc->n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (sc->t[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static double y_at(const struct scale *sc, sy_time t)
{
	size_t lo;

	if (!sc->n)
		return sc->top;
	lo = time_index(sc, t);
	if (t <= sc->t[0])
		return sc->y[0];
	if (lo + 1 >= sc->n || sc->cut[lo + 1])
		return sc->y[lo];
	return sc->y[lo] + (double)(t - sc->t[lo]) / (double)(sc->t[lo + 1] - sc->t[lo]) *
			   (sc->y[lo + 1] - sc->y[lo]);
}

/* Times map to heights piecewise linearly, except that the segments
 * leaving at one instant are stacked a row apart (each its own label,
 * none over another), so the next time of interest comes after the
 * stack, and no two ends of arrows are closer than a row. */
static int scale_build(const struct view *v, struct scale *sc, sy_time last, double top,
		       double row, sy_time *owd_out)
{
	const sy_record *r = v->r;
	size_t n = 0, nd = 0;
	sy_time *d, owd;

	memset(sc, 0, sizeof *sc);
	sc->top = top;
	sc->row = row;
	sc->t = malloc((2 * v->n + 1) * sizeof *sc->t);
	d = malloc((v->n + 1) * sizeof *d);
	if (!sc->t || !d) {
		free(d);
		return -1;
	}
	for (size_t k = 0; k < v->n; k++) {
		const struct item *it = &v->it[k];

		if (it->seg == SIZE_MAX) {
			sc->t[n++] = clip(v, it->t);
			continue;
		}
		const sy_rec_seg *s = &r->seg[it->seg];

		sc->t[n++] = clip(v, s->sent);
		sc->t[n++] = seg_end(v, s, last);
		if (s->fate == SY_REC_ARRIVED && !it->old && s->end > s->sent)
			d[nd++] = s->end - s->sent;
	}
	qsort(sc->t, n, sizeof *sc->t, time_cmp);
	qsort(d, nd, sizeof *d, time_cmp);
	/* one-way delay: the median of the delivered segments' */
	owd = nd ? d[nd / 2] : 0;
	free(d);
	{
		size_t u = 0;

		for (size_t i = 0; i < n; i++)
			if (!u || sc->t[u - 1] != sc->t[i])
				sc->t[u++] = sc->t[i];
		n = u;
	}
	if (!owd)
		owd = n > 1 ? (sc->t[n - 1] - sc->t[0]) / 8 : SY_SEC / 1000;
	if (owd <= 0)
		owd = SY_SEC / 1000;
	*owd_out = owd;
	sc->n = n;
	sc->y = malloc((n + 1) * sizeof *sc->y);
	sc->cut = calloc(n + 1, sizeof *sc->cut);
	sc->rows = calloc(n + 1, sizeof *sc->rows);
	sc->rowh = malloc((n + 1) * sizeof *sc->rowh);
	sc->extra = calloc(n + 1, sizeof *sc->extra);
	if (!sc->y || !sc->cut || !sc->rows || !sc->rowh || !sc->extra)
		return -1;
	for (size_t i = 0; i < n; i++)
		sc->rowh[i] = row;
	for (size_t k = 0; k < v->n; k++)
		if (v->it[k].seg != SIZE_MAX)
			sc->rows[time_index(sc, clip(v, r->seg[v->it[k].seg].sent))]++;
	/* an arrow's head a row at least from the next event too, so that
	 * arrows one way run a row apart end to end and their labels never
	 * touch */
	for (size_t k = 0; k < v->n; k++)
		if (v->it[k].seg != SIZE_MAX) {
			size_t i = time_index(sc, seg_end(v, &r->seg[v->it[k].seg], last));

			if (!sc->rows[i])
				sc->rows[i] = 1;
		}
	sc->pps = ONEWAY_PX / ((double)owd / 1e9);
	return 0;
}

/* The heights of the times of interest, with the rows and extra space the
 * layout has asked for so far. */
static void scale_place(struct scale *sc)
{
	for (int pass = 0; pass < 40; pass++) {
		double y = sc->top;

		for (size_t i = 0; i < sc->n; i++) {
			if (i) {
				double dy = (double)(sc->t[i] - sc->t[i - 1]) / 1e9 * sc->pps,
				       stack = sc->rows[i - 1] * sc->rowh[i - 1];

				sc->cut[i] = dy > 8 * ONEWAY_PX;
				if (sc->cut[i])
					dy = BREAK_PX + stack;
				y += (dy > stack ? dy : stack) + sc->extra[i];
			}
			sc->y[i] = y;
		}
		if (y - sc->top <= MAX_HEIGHT)
			break;
		sc->pps /= 2;
	}
}

static void scale_free(struct scale *sc)
{
	free(sc->t);
	free(sc->y);
	free(sc->cut);
	free(sc->rows);
	free(sc->rowh);
	free(sc->extra);
}

/* "12.5 ms" or "60 s" for a tick at t with spacing step. */
static void tick_label(sy_time t, sy_time step, char *buf, size_t n)
{
	bool seconds = step >= SY_SEC;
	double unit = seconds ? 1e9 : 1e6;
	int dec = 0;

	for (double s = (double)step / unit; s < 0.999 && dec < 6; s *= 10)
		dec++;
	snprintf(buf, n, "%.*f %s", dec, (double)t / unit, seconds ? "s" : "ms");
}

static void svg_axis(FILE *f, const struct scale *sc, double x)
{
	size_t i = 0;

	while (i < sc->n) {
		size_t j = i;

		while (j + 1 < sc->n && !sc->cut[j + 1])
			j++;
		/* a piece from t[i] to t[j]: ticks every nice step */
		sy_time span = sc->t[j] - sc->t[i], step = 1;
		static const int nice[] = { 1, 2, 5 };
		char lab[48];

		for (int e = 0; e < 19 && span; e++) {
			sy_time base = 1;
			bool done = false;

			for (int k = 0; k < e; k++)
				base *= 10;
			for (int k = 0; k < 3; k++) {
				step = base * nice[k];
				if ((double)step / 1e9 * sc->pps >= 48) {
					done = true;
					break;
				}
			}
			if (done)
				break;
		}
		/* the piece's start, one decimal finer than its ticks */
		tick_label(sc->t[i], span ? (step >= 10 ? step / 10 : 1) : 1000, lab, sizeof lab);
		if (!span || y_at(sc, (sc->t[i] / step + 1) * step) - sc->y[i] >= 14) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 6, sc->y[i] + 4);
			xml_text(f, lab);
			fputs("</text>\n", f);
		}
		if (span)
			for (sy_time t = (sc->t[i] / step + 1) * step; t <= sc->t[j]; t += step) {
				double y = y_at(sc, t);

				tick_label(t, step, lab, sizeof lab);
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
					"<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 3, y, x + 3, y,
					x - 6, y + 4);
				xml_text(f, lab);
				fputs("</text>\n", f);
			}
		/* a piece that a cut ends: its last time too, unless a tick
		 * is there already */
		if (span && j + 1 < sc->n &&
		    sc->y[j] - y_at(sc, sc->t[j] / step * step) >= 14) {
			tick_label(sc->t[j], step >= 10 ? step / 10 : 1, lab, sizeof lab);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 6, sc->y[j] + 4);
			xml_text(f, lab);
			fputs("</text>\n", f);
		}
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
			x, sc->y[i], x, sc->y[j]);
		i = j + 1;
	}
}

#define SVG_MAX_SEGMENTS 3000
/* A monospace character's width over the font size, and the share of an
 * arrow a label may take */
#define CHAR_W 0.6
#define LABEL_SHARE 0.48
/* the white halo around a label's glyphs (its stroke is twice as wide) */
#define LABEL_HALO 1.5
/* passes of the layout that move labels apart */
#define LAYOUT_PASSES 80

/* A segment's arrow, as drawn: from (x0, y0) to (x1, y1), where a drop
 * in the network ends it short in an X (xmark), and its label's length. */
struct geom {
	double x0, y0, x1, y1;
	size_t tix;        /* its send time's index in the scale */
	size_t etix;       /* its end's */
	size_t nch;        /* its label's characters */
	int dir;
	bool xmark;
};

static void seg_geom(const struct view *v, const struct scale *sc, const sy_rec_seg *s,
		     sy_time last, sy_time owd, unsigned stack_j, double xl, double xr,
		     const struct geom *above, struct geom *g)
{
	sy_time sent = clip(v, s->sent);

	g->tix = time_index(sc, sent);
	g->dir = s->dir;
	g->x0 = s->dir ? xr : xl;
	g->x1 = s->dir ? xl : xr;
	g->y0 = y_at(sc, sent) + stack_j * sc->rowh[g->tix];
	g->etix = time_index(sc, seg_end(v, s, last));
	g->y1 = y_at(sc, seg_end(v, s, last));
	g->xmark = s->fate == SY_REC_DROPPED;
	if (g->y1 < g->y0)
		g->y1 = g->y0;
	if (s->fate == SY_REC_DROPPED && !s->at_receiver) {
		/* the arrow runs as a delivered one would (parallel to the
		 * one above it in a stack, whose label it must not meet),
		 * and stops in an X at the place of the drop: a third of
		 * the way at least, two thirds at most */
		double frac = (double)(s->end - s->sent) / (double)owd,
		       yd = y_at(sc, clip(v, s->sent + owd)) + stack_j * sc->rowh[g->tix];

		if (above && above->dir == g->dir && above->tix == g->tix)
			yd = g->y0 + (above->y1 - above->y0) / (above->x1 - above->x0) *
					     (g->x1 - g->x0);

		if (frac < 0.33)
			frac = 0.33;
		if (frac > 0.67)
			frac = 0.67;
		g->x1 = g->x0 + (g->x1 - g->x0) * frac;
		if (yd < g->y0 + 8)
			yd = g->y0 + 8;
		g->y1 = g->y0 + (yd - g->y0) * frac;
	}
}

static void label_at(const struct geom *g, double *px, double *py, double *ang)
{
	double dx = g->x1 - g->x0, dy = g->y1 - g->y0, len = sqrt(dx * dx + dy * dy);

	if (len < 1)
		len = 1;
	*px = g->x0 + dx / len * 10;
	*py = g->y0 + dy / len * 10;
	*ang = atan2(g->dir ? -dy : dy, g->dir ? -dx : dx) * 180 / M_PI;
}

/* The box a label covers (a monospace character is CHAR_W of the font
 * size wide, the glyphs 0.8 of it above the baseline and 0.2 below) with
 * its halo and a pixel more: its corners, clockwise. */
static void label_box(const struct geom *g, double font, double c[4][2])
{
	double px, py, ang, w = CHAR_W * font * (double)g->nch, m = LABEL_HALO + 1;
	double lx0 = g->dir ? -w - m : -m, lx1 = g->dir ? m : w + m;
	double ly0 = -3 - 0.8 * font - m, ly1 = -3 + 0.2 * font + m;
	double lx[4] = { lx0, lx1, lx1, lx0 }, ly[4] = { ly0, ly0, ly1, ly1 };

	label_at(g, &px, &py, &ang);
	ang *= M_PI / 180;
	for (int i = 0; i < 4; i++) {
		c[i][0] = px + lx[i] * cos(ang) - ly[i] * sin(ang);
		c[i][1] = py + lx[i] * sin(ang) + ly[i] * cos(ang);
	}
}

/* Two convex quadrilaterals overlap unless one of their edges' normals
 * separates them. */
static bool boxes_overlap(double a[4][2], double b[4][2])
{
	double (*p[2])[2] = { a, b };

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 4; i++) {
			double nx = p[k][(i + 1) % 4][1] - p[k][i][1];
			double ny = p[k][i][0] - p[k][(i + 1) % 4][0];
			double amin = INFINITY, amax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;

			for (int j = 0; j < 4; j++) {
				double da = a[j][0] * nx + a[j][1] * ny, db = b[j][0] * nx + b[j][1] * ny;

				amin = fmin(amin, da);
				amax = fmax(amax, da);
				bmin = fmin(bmin, db);
				bmax = fmax(bmax, db);
			}
			if (amax <= bmin || bmax <= amin)
				return false;
		}
	return true;
}

/* A segment's label: the ladder's, with its event, (copy) and where it
 * was lost. */
static void seg_label(const struct view *v, const sy_rec_seg *s, bool relative, bool old,
		      char *buf, size_t n)
{
	sy_ladder_seg_label(v, s, relative, old, false, buf, n);
	sy_ladder_event_mark(s, buf + strlen(buf), n - strlen(buf));
	if (s->copy)
		snprintf(buf + strlen(buf), n - strlen(buf), " (copy)");
	if (s->fate == SY_REC_DROPPED) {
		char why[96];

		sy_ladder_drop_text(v->r, s, why, sizeof why);
		snprintf(buf + strlen(buf), n - strlen(buf), " %s: %s at %.3f ms",
			 sy_ladder_drop_verb(s), why, (double)s->end / 1e6);
	}
}

/* A segment's label along its arrow, just above it, from near its tail;
 * read left to right whichever way the arrow points, with a white halo so
 * that the arrows it crosses do not hide it, and every field in a tooltip
 * (title). */
static void seg_text(FILE *f, const struct geom *g, const char *cls, const char *text,
		     const char *tip)
{
	double px, py, ang;
	int dir = g->dir;

	label_at(g, &px, &py, &ang);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s lab\" "
		"transform=\"rotate(%.2f %.1f %.1f)\">", px, py - 3, dir ? "end" : "start", cls,
		ang, px, py);
	xml_text(f, text);
	fputs("<title>", f);
	xml_text(f, tip);
	fputs("</title></text>\n", f);
}

static void ms_text(sy_time t, char *buf, size_t n)
{
	snprintf(buf, n, "%.3f ms", (double)t / 1e6);
}

/* The tooltip of a state change: "SYN_SENT -> ESTABLISHED (syn-ack):
 * RFC 9293 3.10.7.3", the rule as sy_tcp_cause_rule gives it. */
static void state_title(FILE *f, const sy_record *r, const sy_rec_state *s)
{
	const char *rule = sy_ladder_state_rule(s);

	fprintf(f, "<title>%s -&gt; %s (", sy_tcp_state_name(s->from), sy_tcp_state_name(s->to));
	xml_text(f, sy_record_cause(r, s->cause));
	fputc(')', f);
	if (rule) {
		fputs(": ", f);
		xml_text(f, rule);
	}
	fputs("</title>", f);
}

/* A label longer than its share of the full arrow (a width the caller
 * chose) is cut, marked with "~"; the tooltip has it whole. */
static void label_cut(char *lab, double xl, double xr, double font)
{
	size_t fit = (size_t)(LABEL_SHARE * (xr - xl) / (CHAR_W * font));

	if (strlen(lab) > fit && fit > 1) {
		lab[fit - 1] = '~';
		lab[fit] = 0;
	}
}

/* How steeply an arrow falls, whichever way it points. */
static double slope(const struct geom *g)
{
	return (g->y1 - g->y0) / fabs(g->x1 - g->x0);
}

struct span {
	double lo, hi;   /* a label box's top and bottom */
	size_t k;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/* Labels along steep or converging arrows may touch although their
 * arrows leave a row apart: while two labels' boxes overlap, the rows of
 * a stack grow, or the later label's time moves down, two pixels a pass.
 * Deterministic: the same recording, the same layout. */
static int layout(const struct view *v, struct scale *sc, sy_time last, sy_time owd, double xl,
		  double xr, double font, bool relative)
{
	size_t m = 0, k = 0;
	struct geom *g = NULL;
	struct span *sp = NULL;
	double (*box)[4][2] = NULL;
	bool *hit = NULL;
	char lab[200];
	int rc = -1;

	for (size_t i = 0; i < v->n; i++)
		if (v->it[i].seg != SIZE_MAX && m < SVG_MAX_SEGMENTS)
			m++;
	if (!(g = calloc(m + 1, sizeof *g)) || !(sp = calloc(m + 1, sizeof *sp)) ||
	    !(box = calloc(m + 1, sizeof *box)) || !(hit = calloc(sc->n + 1, sizeof *hit)))
		goto out;
	for (size_t i = 0; i < v->n && k < m; i++)
		if (v->it[i].seg != SIZE_MAX) {
			seg_label(v, &v->r->seg[v->it[i].seg], relative, v->it[i].old, lab, sizeof lab);
			label_cut(lab, xl, xr, font);
			g[k++].nch = strlen(lab);
		}
	for (int pass = 0; pass < LAYOUT_PASSES; pass++) {
		sy_time stack_t = -1;
		unsigned stack_j = 0;
		bool moved = false;

		scale_place(sc);
		k = 0;
		for (size_t i = 0; i < v->n && k < m; i++) {
			const sy_rec_seg *s;
			size_t nch = g[k].nch;

			if (v->it[i].seg == SIZE_MAX)
				continue;
			s = &v->r->seg[v->it[i].seg];
			if (clip(v, s->sent) == stack_t) {
				stack_j++;
			} else {
				stack_t = clip(v, s->sent);
				stack_j = 0;
			}
			seg_geom(v, sc, s, last, owd, stack_j, xl, xr, stack_j ? &g[k - 1] : NULL,
				 &g[k]);
			g[k].nch = nch;
			label_box(&g[k], font, box[k]);
			sp[k] = (struct span){ .lo = INFINITY, .hi = -INFINITY, .k = k };
			for (int c = 0; c < 4; c++) {
				sp[k].lo = fmin(sp[k].lo, box[k][c][1]);
				sp[k].hi = fmax(sp[k].hi, box[k][c][1]);
			}
			k++;
		}
		qsort(sp, m, sizeof *sp, span_cmp);
		memset(hit, 0, sc->n * sizeof *hit);
		for (size_t a = 0; a < m; a++)
			for (size_t b = a + 1; b < m && sp[b].lo < sp[a].hi; b++) {
				size_t i = sp[a].k, j = sp[b].k, t;

				if (!boxes_overlap(box[i], box[j]))
					continue;
				moved = true;
				if (i > j) {
					t = i;
					i = j;
					j = t;
				}
				/* i drawn first: j leaves later (its time
				 * moves down), or lower in a stack (the
				 * stack's rows grow) */
				if (g[j].etix > g[i].etix && g[j].etix > g[j].tix &&
				    slope(&g[j]) < slope(&g[i]) - 0.01) {
					/* converging: j's end moves down */
					t = g[j].etix;
					if (!hit[t])
						sc->extra[t] += 2;
				} else if (g[i].tix == g[j].tix) {
					t = g[i].tix;
					if (!hit[t])
						sc->rowh[t] += 2;
				} else {
					t = g[j].tix;
					if (!hit[t])
						sc->extra[t] += 2;
				}
				hit[t] = true;
			}
		if (!moved)
			break;
	}
	scale_place(sc);
	rc = 0;
out:
	free(g);
	free(sp);
	free(box);
	free(hit);
	return rc;
}

int sy_record_ladder_svg(const sy_record *r, const sy_ladder_opts *o, FILE *f, sy_err *err)
{
	struct view v;
	struct scale sc;
	double W = o->width > 0 ? o->width : 800, top = 104, xl, xr, xa = 88, H;
	double font = o->font > 0 ? o->font : 12, zoom = o->scale > 0 ? o->scale : 1;
	sy_time last, owd, stack_t = -1;
	size_t drawn = 0;
	unsigned stack_j = 0;
	struct geom above = { 0 };
	/* state names nudged down so as not to overlap: the lowest so far of
	 * each side's */
	double st_low[2] = { -1e9, -1e9 };
	char a[64], b[64], lab[200], tip[320], t0[32], t1[32];

	if (sy_ladder_view_build(r, o, &v, err) < 0)
		return -1;
	sy_ladder_view_sort(&v);
	if (o->width <= 0) {
		/* wide enough for the longest label to fill less than half of
		 * its arrow: labels of arrows crossing the other way stay
		 * apart */
		size_t most = 0;

		for (size_t k = 0; k < v.n && k < SVG_MAX_SEGMENTS * 2; k++)
			if (v.it[k].seg != SIZE_MAX) {
				seg_label(&v, &r->seg[v.it[k].seg], o->relative, v.it[k].old, lab,
					  sizeof lab);
				if (strlen(lab) > most)
					most = strlen(lab);
			}
		if (CHAR_W * font * (double)most / LABEL_SHARE + 380 > W)
			W = ceil(CHAR_W * font * (double)most / LABEL_SHARE + 380);
	}
	if (W < 480)
		W = 480;
	xl = xa + 140;
	xr = W - 150;
	last = o->to >= 0 ? o->to : v.c->last;
	if (last < v.c->last && o->to < 0)
		last = v.c->last;
	for (size_t k = 0; k < v.n; k++)
		if (v.it[k].t > last)
			last = v.it[k].t;
	if (scale_build(&v, &sc, last, top, font + 5, &owd) < 0 ||
	    layout(&v, &sc, last, owd, xl, xr, font, o->relative) < 0) {
		free(v.it);
		scale_free(&sc);
		return sy_err_set(err, "out of memory drawing a ladder");
	}
	H = (sc.n ? sc.y[sc.n - 1] : top) + 60;
	sy_ladder_endpoint_text(v.c, 0, a, sizeof a);
	sy_ladder_endpoint_text(v.c, 1, b, sizeof b);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"%.1f\">\n",
		W * zoom, H * zoom, W, H, font);
	fprintf(f, "<style>\n"
	      ".life{stroke:#444;stroke-width:1.5}\n"
	      ".axis{stroke:#888;stroke-width:1}\n"
	      ".tick{fill:#555;text-anchor:end;font-size:%.1fpx}\n"
	      ".lab{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\n",
	      font - 1);
	fputs(
	      ".cs{stroke:#1f5fbf;stroke-width:1.3;fill:none}\n"
	      ".sc{stroke:#a05000;stroke-width:1.3;fill:none}\n"
	      ".lost{stroke:#c00000;stroke-width:1.3;stroke-dasharray:5 3;fill:none}\n"
	      ".old{stroke:#7b2fa0;stroke-width:1.3;stroke-dasharray:2 2;fill:none}\n"
	      ".x{stroke:#c00000;stroke-width:2}\n"
	      ".lcs{fill:#1f5fbf}\n.lsc{fill:#a05000}\n.llost{fill:#c00000}\n.lold{fill:#7b2fa0}\n"
	      ".state{font-weight:bold;fill:#222}\n"
	      ".cause{fill:#777;font-size:0.8em}\n"
	      ".cut{fill:#777;font-style:italic;text-anchor:middle}\n"
	      "</style>\n", f);
	fputs("<defs>\n", f);
	static const char *const heads[][2] = {
		{ "acs", "#1f5fbf" }, { "asc", "#a05000" }, { "aold", "#7b2fa0" },
	};
	for (size_t i = 0; i < 3; i++)
		fprintf(f, "<marker id=\"%s\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" "
			"orient=\"auto\" markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,4 L0,8 z\" "
			"fill=\"%s\"/></marker>\n", heads[i][0], heads[i][1]);
	fputs("</defs>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
	/* title and endpoints */
	if (o->title)
		snprintf(lab, sizeof lab, "%s", o->title);
	else
		snprintf(lab, sizeof lab, "%s -> %s", a, b);
	fprintf(f, "<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">",
		W / 2);
	xml_text(f, lab);
	fputs("</text>\n", f);
	for (int s = 0; s < 2; s++) {
		double x = s ? xr : xl;

		fprintf(f, "<text x=\"%.1f\" y=\"52\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">", x);
		xml_text(f, sy_ladder_node_name(v.c, s));
		fprintf(f, "</text>\n<text x=\"%.1f\" y=\"68\" text-anchor=\"middle\">", x);
		xml_text(f, s ? b : a);
		fprintf(f, "</text>\n<text x=\"%.1f\" y=\"82\" text-anchor=\"middle\" class=\"cause\">%s</text>\n",
			x, s ? "server" : "client");
	}
	fprintf(f, "<text x=\"%.1f\" y=\"82\" class=\"tick\">time</text>\n", xa);
	/* lifelines, broken at the cuts */
	for (int s = 0; s < 2; s++) {
		double x = s ? xr : xl, y0 = top - 12;

		for (size_t i = 1; i < sc.n; i++)
			if (sc.cut[i]) {
				double ya = sc.y[i - 1] + 12, yb = sc.y[i] - 12;

				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"life\"/>\n",
					x, y0, x, ya);
				fprintf(f, "<path d=\"M%.1f,%.1f l-6,-3 m6,3 m0,%.1f l6,3\" class=\"axis\"/>\n"
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\" "
					"stroke-dasharray=\"2 3\"/>\n", x, ya, yb - ya, x, ya, x, yb);
				y0 = yb;
			}
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"life\"/>\n",
			x, y0, x, H - 30);
	}
	for (size_t i = 1; i < sc.n; i++)
		if (sc.cut[i]) {
			char gap[48];
			sy_time g = sc.t[i] - sc.t[i - 1];

			if (g >= SY_SEC)
				snprintf(gap, sizeof gap, "%.3f s later", (double)g / 1e9);
			else
				snprintf(gap, sizeof gap, "%.3f ms later", (double)g / 1e6);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"cut\">%s</text>\n",
				(xl + xr) / 2, (sc.y[i - 1] + sc.y[i]) / 2 + 4, gap);
		}
	svg_axis(f, &sc, xa);
	/* segments and state changes */
	for (size_t k = 0; k < v.n; k++) {
		const struct item *it = &v.it[k];

		if (it->seg == SIZE_MAX) {
			const sy_rec_state *s = &r->st[it->st];
			double x = s->side ? xr : xl, y = y_at(&sc, clip(&v, s->t));
			const char *anchor = s->side ? "start" : "end";
			double tx = s->side ? x + 8 : x - 8;

			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#222\"/>\n", x, y);
			if (y < st_low[s->side] + 24)
				y = st_low[s->side] + 24;
			st_low[s->side] = y;
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"state\">%s",
				tx, y + 4, anchor, sy_tcp_state_name(s->to));
			state_title(f, r, s);
			fputs("</text>\n", f);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"cause\">", tx,
				y + 15, anchor);
			xml_text(f, sy_record_cause(r, s->cause));
			fputs("</text>\n", f);
			continue;
		}
		const sy_rec_seg *s = &r->seg[it->seg];
		sy_time sent = clip(&v, s->sent);
		struct geom g;

		/* segments leaving at one instant: a row apart */
		if (sent == stack_t) {
			stack_j++;
		} else {
			stack_t = sent;
			stack_j = 0;
		}
		if (drawn++ >= SVG_MAX_SEGMENTS)
			continue;
		seg_geom(&v, &sc, s, last, owd, stack_j, xl, xr, stack_j ? &above : NULL, &g);
		above = g;
		const char *cls = it->old ? "old" : s->dir ? "sc" : "cs";
		const char *lcls = it->old ? "lold" : s->dir ? "lsc" : "lcs";
		const char *head = it->old ? "aold" : s->dir ? "asc" : "acs";

		seg_label(&v, s, o->relative, it->old, lab, sizeof lab);
		ms_text(s->sent, t0, sizeof t0);
		ms_text(s->end, t1, sizeof t1);
		if (s->fate == SY_REC_DROPPED) {
			snprintf(tip, sizeof tip, "%s; sent at %s", lab, t0);
		} else if (s->fate == SY_REC_ARRIVED) {
			snprintf(tip, sizeof tip, "%s; sent at %s, arrived at %s", lab, t0, t1);
		} else {
			snprintf(tip, sizeof tip, "%s; sent at %s, still in flight", lab, t0);
		}
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"%s%s%s/>\n",
			g.x0, g.y0, g.x1, g.y1, s->fate == SY_REC_DROPPED ? "lost" : cls,
			s->fate == SY_REC_ARRIVED ? " marker-end=\"url(#" : "",
			s->fate == SY_REC_ARRIVED ? head : "",
			s->fate == SY_REC_ARRIVED ? ")\"" : "");
		if (g.xmark) {
			fprintf(f, "<path d=\"M%.1f,%.1f l12,12 m0,-12 l-12,12\" class=\"x\"/>\n",
				g.x1 - 6, g.y1 - 6);
			lcls = "llost";
		}
		label_cut(lab, xl, xr, font);
		seg_text(f, &g, lcls, lab, tip);
	}
	if (drawn > SVG_MAX_SEGMENTS)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"cut\">%zu more segments not drawn: "
			"narrow the window (from, to)</text>\n", (xl + xr) / 2, H - 12,
			drawn - SVG_MAX_SEGMENTS);
	if (!v.n)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"cut\">nothing in this time window</text>\n",
			(xl + xr) / 2, top + 20);
	fputs("</svg>\n", f);
	scale_free(&sc);
	free(v.it);
	return ferror(f) ? sy_err_set(err, "cannot write the ladder: %s", strerror(errno)) : 0;
}
