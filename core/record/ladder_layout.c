#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_layout.h"

/* The SVG ladder's time scale, its arrows and where their labels go:
 * computed before anything is drawn, so that labels can be moved apart. */

static int time_cmp(const void *a, const void *b)
{
	sy_time x = *(const sy_time *)a, y = *(const sy_time *)b;

	return (x > y) - (x < y);
}

sy_time sy_ladder_clip(const struct view *v, sy_time t)
{
	if (t < v->from)
		return v->from;
	if (v->to >= 0 && t > v->to)
		return v->to;
	return t;
}

/* The end a segment is drawn to: past the window's end when it arrives
 * later (the drawing cuts it at the window's edge). */
static sy_time seg_end(const sy_rec_seg *s, sy_time last)
{
	return s->end < 0 ? last : s->end;
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

double sy_ladder_y_at(const struct scale *sc, sy_time t)
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
int sy_ladder_scale_build(const struct view *v, struct scale *sc, sy_time last, double top,
		       double row, sy_time *owd_out)
{
	const sy_record *r = v->r;
	size_t n = 0, nd = 0;
	sy_time *d, owd;

	memset(sc, 0, sizeof *sc);
	sc->top = top;
	sc->row = row;
	sc->from = v->from;
	sc->to = v->to;
	sc->t = malloc((2 * v->n + 3) * sizeof *sc->t);
	d = malloc((v->n + 1) * sizeof *d);
	if (!sc->t || !d) {
		free(d);
		return -1;
	}
	for (size_t k = 0; k < v->n; k++) {
		const struct item *it = &v->it[k];

		if (it->seg == SIZE_MAX) {
			sc->t[n++] = sy_ladder_clip(v, it->t);
			continue;
		}
		const sy_rec_seg *s = &r->seg[it->seg];

		/* the times beyond the window of the arrows it cuts: they
		 * are drawn as in the whole ladder, cut at its edges */
		sc->t[n++] = s->sent;
		sc->t[n++] = seg_end(s, last);
		if (s->sent < v->from)
			sc->cut_from = true;
		if (v->to >= 0 && seg_end(s, last) > v->to)
			sc->cut_to = true;
		if (s->fate == SY_REC_ARRIVED && !it->old && s->end > s->sent)
			d[nd++] = s->end - s->sent;
	}
	if (sc->cut_from)
		sc->t[n++] = v->from;
	if (sc->cut_to)
		sc->t[n++] = v->to;
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
			sc->rows[time_index(sc, r->seg[v->it[k].seg].sent)]++;
	/* an arrow's head a row at least from the next event too, so that
	 * arrows one way run a row apart end to end and their labels never
	 * touch */
	for (size_t k = 0; k < v->n; k++)
		if (v->it[k].seg != SIZE_MAX) {
			size_t i = time_index(sc, seg_end(&r->seg[v->it[k].seg], last));

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
		if (sc->cut_from) {
			/* the drawing starts at the window's start */
			double shift = sc->top - sy_ladder_y_at(sc, sc->from);

			for (size_t i = 0; i < sc->n; i++)
				sc->y[i] += shift;
			y += shift;
		}
		if (y - sc->top <= MAX_HEIGHT)
			break;
		sc->pps /= 2;
	}
}

/* The indices of the scale's times in the window: i0 to i1. */
void sy_ladder_scale_window(const struct scale *sc, size_t *i0, size_t *i1)
{
	*i0 = 0;
	*i1 = sc->n ? sc->n - 1 : 0;
	if (!sc->n)
		return;
	if (sc->cut_from)
		*i0 = time_index(sc, sc->from);
	if (sc->cut_to)
		*i1 = time_index(sc, sc->to);
}

/* The row of its stack segment s takes: segments leaving at one instant
 * are drawn a row apart, in order. */
unsigned sy_ladder_stack_row(const sy_rec_seg *s, sy_time *stack_t, unsigned *stack_j)
{
	if (s->sent == *stack_t)
		return ++*stack_j;
	*stack_t = s->sent;
	return *stack_j = 0;
}

void sy_ladder_scale_free(struct scale *sc)
{
	free(sc->t);
	free(sc->y);
	free(sc->cut);
	free(sc->rows);
	free(sc->rowh);
	free(sc->extra);
}

void sy_ladder_seg_geom(const struct view *v, const struct scale *sc, const sy_rec_seg *s,
		     sy_time last, sy_time owd, unsigned stack_j, double xl, double xr,
		     const struct geom *above, struct geom *g)
{
	sy_time sent = s->sent;

	g->tix = time_index(sc, sent);
	g->dir = s->dir;
	g->x0 = s->dir ? xr : xl;
	g->x1 = s->dir ? xl : xr;
	g->y0 = sy_ladder_y_at(sc, sent) + stack_j * sc->rowh[g->tix];
	g->etix = time_index(sc, seg_end(s, last));
	g->y1 = sy_ladder_y_at(sc, seg_end(s, last));
	g->xmark = s->fate == SY_REC_DROPPED;
	g->cut = g->cut0 = false;
	g->off = LABEL_OFF;
	if (g->y1 < g->y0)
		g->y1 = g->y0;
	if (s->fate == SY_REC_DROPPED && !s->at_receiver) {
		/* the arrow runs as a delivered one would (parallel to the
		 * one above it in a stack, whose label it must not meet),
		 * and stops in an X at the place of the drop: a third of
		 * the way at least, two thirds at most */
		double frac = (double)(s->end - s->sent) / (double)owd,
		       yd = sy_ladder_y_at(sc, s->sent + owd) + stack_j * sc->rowh[g->tix];

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
	/* the window's edges cut the arrows that cross them */
	if (sc->cut_from || sc->cut_to) {
		double yf = sc->cut_from ? sy_ladder_y_at(sc, v->from) : -INFINITY;
		double yt = sc->cut_to ? sy_ladder_y_at(sc, v->to) : INFINITY;

		if (g->y0 < yf && g->y1 > g->y0) {
			g->x0 += (g->x1 - g->x0) * (yf - g->y0) / (g->y1 - g->y0);
			g->y0 = yf;
			g->cut0 = true;
		}
		if (g->y1 > yt && g->y1 > g->y0) {
			g->x1 = g->x0 + (g->x1 - g->x0) * (yt - g->y0) / (g->y1 - g->y0);
			g->y1 = yt;
			g->cut = true;
		}
	}
}

void sy_ladder_label_at(const struct geom *g, double *px, double *py, double *ang)
{
	double dx = g->x1 - g->x0, dy = g->y1 - g->y0, len = sqrt(dx * dx + dy * dy);

	if (len < 1)
		len = 1;
	*px = g->x0 + dx / len * g->off;
	*py = g->y0 + dy / len * g->off;
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

	sy_ladder_label_at(g, &px, &py, &ang);
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
void sy_ladder_svg_label(const struct view *v, const sy_rec_seg *s, bool relative, bool old,
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

/* A label longer than its share of the full arrow (a width the caller
 * chose) is cut, marked with "~"; the tooltip has it whole. */
void sy_ladder_label_cut(char *lab, double xl, double xr, double font)
{
	size_t fit = (size_t)(LABEL_SHARE * (xr - xl) / (CHAR_W * font));

	if (strlen(lab) > fit && fit > 1) {
		lab[fit - 1] = '~';
		lab[fit] = 0;
	}
}

struct gap {
	double lo, hi;   /* a crossing's extent along the arrow */
};

static int gap_cmp(const void *a, const void *b)
{
	const struct gap *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* An arrow's extent in height. */
struct yspan {
	double lo, hi;
	size_t k;
};

static int yspan_cmp(const void *a, const void *b)
{
	const struct yspan *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/* Where along its arrow g's label goes: the least distance from the tail
 * (LABEL_OFF at least, leaving HEAD_ROOM before the head and before the
 * far lifeline) at which no other arrow passes through its box.  In the
 * arrow's frame (a along it from the tail, b across it, the way the
 * text's glyphs rise negative) the box spans b in [b0, b1] and a in
 * [off - m, off + w + m]; an arrow crossing the band b0..b1 over a0..a1
 * leaves the box room before a0 or after a1.  The crossings of the
 * arrows whose extents in height meet the band's are computed; the
 * others cannot cross it.  Where no place has room for the whole label
 * (a short arrow the window cuts, a long label among a mesh of arrows),
 * it is shortened to the largest room, and cut with "~" when drawn (the
 * tooltip has it whole); with no room for MIN_CHARS, the least offset.
 * full: the label's characters before any shortening. */
#define MIN_CHARS 8
static bool label_place(struct geom *g, size_t self, const struct geom *all,
			const struct yspan *ys, size_t m, double reach, double font, double xl,
			double xr, size_t full, struct gap *gaps)
{
	double dx = g->x1 - g->x0, dy = g->y1 - g->y0, len = sqrt(dx * dx + dy * dy);
	double cw = CHAR_W * font, w = cw * (double)full, mg = LABEL_HALO + 1;
	double b0 = -3 - 0.8 * font - mg, b1 = -3 + 0.2 * font + mg;
	double ex, ey, nx, ny, end, top, bottom, far, best = -INFINITY, best_off = LABEL_OFF;
	size_t n = 0, lo = 0, hi = m;

	/* returns whether it is crossed */
	g->nch = full;
	if (len < 1)
		len = 1;
	ex = dx / len;
	ey = dy / len;
	/* the text's "down": the arrow's direction turned a quarter, read
	 * left to right */
	nx = g->dir ? ey : -ey;
	ny = g->dir ? -ex : ex;
	/* the box ends before the head (an arrow lost on the way has none:
	 * its label may run past its X, and where the arrows crossing it
	 * leave no room on it, start past it, along its line) and before
	 * the far lifeline (a tail the window's start cuts is between the
	 * lifelines) */
	far = fabs(ex) > 1e-9 ? (g->dir ? g->x0 - xl : xr - g->x0) / fabs(ex) : INFINITY;
	end = fmin(g->xmark ? INFINITY : len, far) - HEAD_ROOM;
	/* the band's heights over every offset */
	top = fmin(g->y0, g->y1) - (b1 - b0) - 2;
	bottom = fmax(g->y0, g->y1) + (b1 - b0) + 2;
	while (hi - lo > 0) {
		size_t mid = (lo + hi) / 2;

		if (ys[mid].lo < top - reach)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m && ys[i].lo <= bottom; i++) {
		const struct geom *o = &all[ys[i].k];
		double pa[2], pb[2], t0 = 0, t1 = 1;

		if (ys[i].k == self || ys[i].hi < top)
			continue;
		pa[0] = (o->x0 - g->x0) * ex + (o->y0 - g->y0) * ey;
		pa[1] = (o->x0 - g->x0) * nx + (o->y0 - g->y0) * ny;
		pb[0] = (o->x1 - g->x0) * ex + (o->y1 - g->y0) * ey;
		pb[1] = (o->x1 - g->x0) * nx + (o->y1 - g->y0) * ny;
		/* the part of o inside the band */
		if (fabs(pb[1] - pa[1]) < 1e-9) {
			if (pa[1] <= b0 || pa[1] >= b1)
				continue;
		} else {
			double u = (b0 - pa[1]) / (pb[1] - pa[1]), v = (b1 - pa[1]) / (pb[1] - pa[1]);

			t0 = fmax(0, fmin(u, v));
			t1 = fmin(1, fmax(u, v));
			if (t0 >= t1)
				continue;
		}
		double a0 = pa[0] + (pb[0] - pa[0]) * t0, a1 = pa[0] + (pb[0] - pa[0]) * t1;

		gaps[n++] = (struct gap){ .lo = fmin(a0, a1), .hi = fmax(a0, a1) };
	}
	qsort(gaps, n, sizeof *gaps, gap_cmp);
	/* the places to try: the least offset, and just past each crossing;
	 * each has room up to the next crossing or the end */
	for (size_t i = 0; i <= n; i++) {
		double off = i ? gaps[i - 1].hi + mg + 0.5 : LABEL_OFF, room = end - mg;

		if (off < LABEL_OFF)
			continue;
		/* not inside a later-starting crossing that covers it */
		bool inside = false;

		for (size_t j = 0; j < n && gaps[j].lo < off + mg; j++)
			if (gaps[j].hi > off - mg)
				inside = true;
		if (inside)
			continue;
		for (size_t j = 0; j < n; j++)
			if (gaps[j].lo >= off - mg) {
				room = fmin(room, gaps[j].lo - mg);
				break;
			}
		room -= off;
		if (room >= w) {
			g->off = off;
			return false;
		}
		if (room > best) {
			best = room;
			best_off = off;
		}
	}
	/* an arrow the window cuts short has what room it has, even none
	 * (the tooltip has its label) */
	if (best >= cw * MIN_CHARS || ((g->cut || g->cut0) && best >= 0)) {
		g->nch = (size_t)(best / cw);
		g->off = best_off;
		return false;
	}
	g->off = LABEL_OFF;
	return true;
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
int sy_ladder_layout(const struct view *v, struct scale *sc, sy_time last, sy_time owd, double xl,
		  double xr, double font, bool relative, struct geom **places)
{
	size_t m = 0, k = 0;
	struct geom *g = NULL;
	struct span *sp = NULL;
	struct yspan *ys = NULL;
	struct gap *gaps = NULL;
	double (*box)[4][2] = NULL;
	bool *hit = NULL;
	char lab[200];
	size_t *full = NULL;
	int rc = -1;

	*places = NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->it[i].seg != SIZE_MAX && m < SVG_MAX_SEGMENTS)
			m++;
	if (!(g = calloc(m + 1, sizeof *g)) || !(sp = calloc(m + 1, sizeof *sp)) ||
	    !(box = calloc(m + 1, sizeof *box)) || !(hit = calloc(sc->n + 1, sizeof *hit)) ||
	    !(ys = calloc(m + 1, sizeof *ys)) || !(gaps = calloc(m + 1, sizeof *gaps)) ||
	    !(full = calloc(m + 1, sizeof *full)) || !(*places = calloc(m + 1, sizeof **places)))
		goto out;
	for (size_t i = 0; i < v->n && k < m; i++)
		if (v->it[i].seg != SIZE_MAX) {
			sy_ladder_svg_label(v, &v->r->seg[v->it[i].seg], relative, v->it[i].old, lab, sizeof lab);
			sy_ladder_label_cut(lab, xl, xr, font);
			full[k++] = strlen(lab);
		}
	for (int pass = 0; pass < LAYOUT_PASSES; pass++) {
		sy_time stack_t = -1;
		unsigned stack_j = 0;
		bool moved = false;

		scale_place(sc);
		k = 0;
		for (size_t i = 0; i < v->n && k < m; i++) {
			const sy_rec_seg *s;

			if (v->it[i].seg == SIZE_MAX)
				continue;
			s = &v->r->seg[v->it[i].seg];
			stack_j = sy_ladder_stack_row(s, &stack_t, &stack_j);
			sy_ladder_seg_geom(v, sc, s, last, owd, stack_j, xl, xr, stack_j ? &g[k - 1] : NULL,
				 &g[k]);
			ys[k] = (struct yspan){ .lo = fmin(g[k].y0, g[k].y1), .hi = fmax(g[k].y0, g[k].y1), .k = k };
			k++;
		}
		/* each label along its arrow where no other arrow crosses
		 * it (stretching the scale does not help where arrows
		 * converge: a place crossed everywhere keeps the first) */
		qsort(ys, m, sizeof *ys, yspan_cmp);
		double reach = 0;

		for (k = 0; k < m; k++)
			reach = fmax(reach, ys[k].hi - ys[k].lo);
		memset(hit, 0, sc->n * sizeof *hit);
		for (k = 0; k < m; k++) {
			label_place(&g[k], k, g, ys, m, reach, font, xl, xr, full[k], gaps);
			label_box(&g[k], font, box[k]);
			sp[k] = (struct span){ .lo = INFINITY, .hi = -INFINITY, .k = k };
			for (int c = 0; c < 4; c++) {
				sp[k].lo = fmin(sp[k].lo, box[k][c][1]);
				sp[k].hi = fmax(sp[k].hi, box[k][c][1]);
			}
		}
		qsort(sp, m, sizeof *sp, span_cmp);
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
	if (rc == 0) {
		/* the last pass's places, on the final scale */
		for (k = 0; k < m; k++)
			(*places)[k] = g[k];
	} else {
		free(*places);
		*places = NULL;
	}
	free(full);
	free(g);
	free(sp);
	free(ys);
	free(gaps);
	free(box);
	free(hit);
	return rc;
}
