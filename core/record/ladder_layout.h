/* The SVG ladder's layout: its time scale and where segments and their
 * labels go (ladder_layout.c), for the drawing (ladder_svg.c). */
#ifndef SY_LADDER_LAYOUT_H
#define SY_LADDER_LAYOUT_H

#include "record_priv.h"

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
	/* the window's edges, when arrows cross them: the scale has the
	 * times beyond (ends of arrows the window cuts), and the edges'
	 * heights are where the drawing starts and ends */
	sy_time from, to;
	bool cut_from, cut_to;
};

#define SVG_MAX_SEGMENTS 3000
/* A monospace character's width over the font size, and the share of an
 * arrow a label may take */
#define CHAR_W 0.6
#define LABEL_SHARE 0.48
/* the white halo around a label's glyphs (its stroke is twice as wide) */
#define LABEL_HALO 1.5
/* passes of the layout that move labels apart */
#define LAYOUT_PASSES 80
/* a label's least distance from its arrow's tail, and the room it leaves
 * its arrow's head */
#define LABEL_OFF 10.0
#define HEAD_ROOM 14.0

/* A segment's arrow, as drawn: from (x0, y0) to (x1, y1), where a drop
 * in the network ends it short in an X (xmark), and its label's length. */
struct geom {
	double x0, y0, x1, y1;
	size_t tix;        /* its send time's index in the scale */
	size_t etix;       /* its end's */
	size_t nch;        /* its label's characters */
	double off;        /* its label's distance from the tail, along it */
	int dir;
	bool xmark;
	bool cut;          /* the window's end cuts it: no head */
	bool cut0;         /* the window's start cuts it */
};

int sy_ladder_scale_build(const struct view *v, struct scale *sc, sy_time last, double top,
			  double row, sy_time *owd_out);
void sy_ladder_scale_free(struct scale *sc);
sy_time sy_ladder_clip(const struct view *v, sy_time t);
double sy_ladder_y_at(const struct scale *sc, sy_time t);
void sy_ladder_scale_window(const struct scale *sc, size_t *i0, size_t *i1);
unsigned sy_ladder_stack_row(const sy_rec_seg *s, sy_time *stack_t, unsigned *stack_j);
void sy_ladder_seg_geom(const struct view *v, const struct scale *sc, const sy_rec_seg *s,
			sy_time last, sy_time owd, unsigned stack_j, double xl, double xr,
			const struct geom *above, struct geom *g);
void sy_ladder_label_at(const struct geom *g, double *px, double *py, double *ang);
void sy_ladder_svg_label(const struct view *v, const sy_rec_seg *s, bool relative, bool old,
			 char *buf, size_t n);
void sy_ladder_label_cut(char *lab, double xl, double xr, double font);
int sy_ladder_layout(const struct view *v, struct scale *sc, sy_time last, sy_time owd,
		     double xl, double xr, double font, bool relative, struct geom **places);

#endif
