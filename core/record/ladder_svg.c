#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_layout.h"

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
	size_t i, end;

	/* the window's times only */
	sy_ladder_scale_window(sc, &i, &end);
	while (sc->n && i <= end) {
		size_t j = i;

		while (j + 1 <= end && !sc->cut[j + 1])
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
		if (!span || sy_ladder_y_at(sc, (sc->t[i] / step + 1) * step) - sc->y[i] >= 14) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 6, sc->y[i] + 4);
			xml_text(f, lab);
			fputs("</text>\n", f);
		}
		if (span)
			for (sy_time t = (sc->t[i] / step + 1) * step; t <= sc->t[j]; t += step) {
				double y = sy_ladder_y_at(sc, t);

				tick_label(t, step, lab, sizeof lab);
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
					"<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 3, y, x + 3, y,
					x - 6, y + 4);
				xml_text(f, lab);
				fputs("</text>\n", f);
			}
		/* a piece that a cut ends: its last time too, unless a tick
		 * is there already */
		if (span && j + 1 <= end &&
		    sc->y[j] - sy_ladder_y_at(sc, sc->t[j] / step * step) >= 14) {
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

/* A segment's label along its arrow, just above it, from near its tail;
 * read left to right whichever way the arrow points, with a white halo so
 * that the arrows it crosses do not hide it, and every field in a tooltip
 * (title). */
static void seg_text(FILE *f, const struct geom *g, const char *cls, const char *text,
		     const char *tip)
{
	double px, py, ang;
	int dir = g->dir;

	sy_ladder_label_at(g, &px, &py, &ang);
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

int sy_record_ladder_svg(const sy_record *r, const sy_ladder_opts *o, FILE *f, sy_err *err)
{
	struct view v;
	struct scale sc;
	double W = o->width > 0 ? o->width : 800, top = 104, xl, xr, xa = 88, H;
	double font = o->font > 0 ? o->font : 12, zoom = o->scale > 0 ? o->scale : 1;
	sy_time last, owd, stack_t = -1;
	size_t drawn = 0, i0, i1;
	unsigned stack_j = 0;
	struct geom above = { 0 };
	struct geom *places = NULL;
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
				sy_ladder_svg_label(&v, &r->seg[v.it[k].seg], o->relative, v.it[k].old, lab,
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
	if (sy_ladder_scale_build(&v, &sc, last, top, font + 5, &owd) < 0 ||
	    sy_ladder_layout(&v, &sc, last, owd, xl, xr, font, o->relative, &places) < 0) {
		free(v.it);
		sy_ladder_scale_free(&sc);
		return sy_err_set(err, "out of memory drawing a ladder");
	}
	sy_ladder_scale_window(&sc, &i0, &i1);
	H = (sc.n ? sc.y[i1] : top) + 60;
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

		for (size_t i = i0 + 1; i <= i1 && i < sc.n; i++)
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
	for (size_t i = i0 + 1; i <= i1 && i < sc.n; i++)
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
			double x = s->side ? xr : xl, y = sy_ladder_y_at(&sc, sy_ladder_clip(&v, s->t));
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
		struct geom g;
		bool headed;

		/* segments leaving at one instant: a row apart */
		stack_j = sy_ladder_stack_row(s, &stack_t, &stack_j);
		if (drawn++ >= SVG_MAX_SEGMENTS)
			continue;
		sy_ladder_seg_geom(&v, &sc, s, last, owd, stack_j, xl, xr, stack_j ? &above : NULL, &g);
		g.off = places[drawn - 1].off;
		above = g;
		const char *cls = it->old ? "old" : s->dir ? "sc" : "cs";
		const char *lcls = it->old ? "lold" : s->dir ? "lsc" : "lcs";
		const char *head = it->old ? "aold" : s->dir ? "asc" : "acs";

		sy_ladder_svg_label(&v, s, o->relative, it->old, lab, sizeof lab);
		ms_text(s->sent, t0, sizeof t0);
		ms_text(s->end, t1, sizeof t1);
		if (s->fate == SY_REC_DROPPED) {
			snprintf(tip, sizeof tip, "%s; sent at %s", lab, t0);
		} else if (s->fate == SY_REC_ARRIVED) {
			snprintf(tip, sizeof tip, "%s; sent at %s, arrived at %s", lab, t0, t1);
		} else {
			snprintf(tip, sizeof tip, "%s; sent at %s, still in flight", lab, t0);
		}
		headed = s->fate == SY_REC_ARRIVED && !g.cut;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"%s%s%s/>\n",
			g.x0, g.y0, g.x1, g.y1, s->fate == SY_REC_DROPPED ? "lost" : cls,
			headed ? " marker-end=\"url(#" : "", headed ? head : "", headed ? ")\"" : "");
		if (g.xmark) {
			fprintf(f, "<path d=\"M%.1f,%.1f l12,12 m0,-12 l-12,12\" class=\"x\"/>\n",
				g.x1 - 6, g.y1 - 6);
			lcls = "llost";
		}
		sy_ladder_label_cut(lab, xl, xr, font);
		/* shortened where it had no room whole */
		if (strlen(lab) > places[drawn - 1].nch) {
			size_t fit = places[drawn - 1].nch;

			if (fit)
				lab[fit - 1] = '~';
			lab[fit] = 0;
		}
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
	sy_ladder_scale_free(&sc);
	free(places);
	free(v.it);
	return ferror(f) ? sy_err_set(err, "cannot write the ladder: %s", strerror(errno)) : 0;
}
