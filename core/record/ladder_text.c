#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_priv.h"

static double ms(sy_time t)
{
	return (double)t / 1e6;
}

/* The widest and narrowest text ladders, in columns. */
#define WIDTH_MIN 60
#define WIDTH_MAX 400

/* Writes s padded with spaces to exactly w columns; a text longer than w
 * is cut and its last column marked '~' (counted in *cut). */
static void put_col(FILE *f, const char *s, int w, bool right, int *cut)
{
	int n = (int)strlen(s);
	bool over = n > w;

	if (over) {
		n = w - 1;
		(*cut)++;
	}
	if (right)
		fprintf(f, "%*s%.*s%s", w - n - over, "", n, s, over ? "~" : "");
	else
		fprintf(f, "%.*s%s%*s", n, s, over ? "~" : "", w - n - over, "");
}

/* The cause of state change s as the ladder shows it, "(syn-ack)", with
 * the marker " [n]" of its footnote when it has a rule (n counts them). */
static void state_cause(const sy_record *r, const sy_rec_state *s, int *n, char *buf,
			size_t len)
{
	int k = snprintf(buf, len, "(%s)", sy_record_cause(r, s->cause));

	if (sy_ladder_state_rule(s) && k >= 0 && (size_t)k < len)
		snprintf(buf + k, len - (size_t)k, " [%d]", ++*n);
}

/* Under the ladder, a footnote per state change that has a rule: its new
 * state, its cause and the rule ("[1] ESTABLISHED: syn-ack (RFC 9293
 * 3.10.7.3)"), numbered as state_cause marked them. */
static void state_notes(const sy_record *r, const struct view *v, FILE *f, int indent)
{
	int n = 0;

	for (size_t k = 0; k < v->n; k++) {
		const sy_rec_state *s;
		const char *rule;

		if (v->it[k].seg != SIZE_MAX)
			continue;
		s = &r->st[v->it[k].st];
		if (!(rule = sy_ladder_state_rule(s)))
			continue;
		if (!n)
			fputc('\n', f);
		fprintf(f, "%*s[%d] %s: %s (%s)\n", indent, "", ++n, sy_tcp_state_name(s->to),
			sy_record_cause(r, s->cause), rule);
	}
}

int sy_record_ladder_text(const sy_record *r, const sy_ladder_opts *o, FILE *f, sy_err *err)
{
	struct view v;
	int width = o->width > 0 ? o->width : 80, cut = 0, need = 0, notes = 0;
	const int tw = 11, sw = 13;
	int mw;
	char a[64], b[64];

	if (sy_ladder_view_build(r, o, &v, err) < 0)
		return -1;
	sy_ladder_view_sort(&v);
	/* The width at which no label is cut: an arrow holds "|--" label
	 * "->|", a state change's cause sits in the middle less 3. */
	for (size_t k = 0; k < v.n; k++) {
		const struct item *it = &v.it[k];
		char lab[160];
		int n;

		if (it->seg == SIZE_MAX) {
			state_cause(r, &r->st[it->st], &notes, lab, sizeof lab);
			n = (int)strlen(lab) + 3;
		} else {
			sy_ladder_seg_label(&v, &r->seg[it->seg], o->relative, it->old, false,
					    lab, sizeof lab);
			n = (int)strlen(lab) + 6;
		}
		if (tw + 2 * sw + n > need)
			need = tw + 2 * sw + n;
	}
	if (o->width == SY_LADDER_WIDTH_AUTO)
		width = need > 80 ? need : 80;
	if (width < WIDTH_MIN)
		width = WIDTH_MIN;
	if (width > WIDTH_MAX)
		width = WIDTH_MAX;
	mw = width - tw - 2 * sw;
	notes = 0;
	sy_ladder_endpoint_text(v.c, 0, a, sizeof a);
	sy_ladder_endpoint_text(v.c, 1, b, sizeof b);
	if (o->title)
		fprintf(f, "%s\n", o->title);
	fprintf(f, "%*s  %-*s%*s\n", tw - 2, "time", (mw + sw) / 2, sy_ladder_node_name(v.c, 0),
		width - tw - (mw + sw) / 2, sy_ladder_node_name(v.c, 1));
	fprintf(f, "%*s  %-*s%*s\n", tw - 2, "(ms)", (mw + sw) / 2, a,
		width - tw - (mw + sw) / 2, b);
	for (size_t k = 0; k < v.n; k++) {
		const struct item *it = &v.it[k];
		char mid[WIDTH_MAX + 1], lab[160], side[96];

		fprintf(f, "%*.3f  ", tw - 2, ms(it->t));
		if (it->seg == SIZE_MAX) {
			const sy_rec_state *s = &r->st[it->st];
			char cause[96];

			state_cause(r, s, &notes, cause, sizeof cause);
			if (s->side == 0) {
				put_col(f, sy_tcp_state_name(s->to), sw, false, &cut);
				fputc('|', f);
				fputc(' ', f);
				put_col(f, cause, mw - 3, false, &cut);
				fputc('|', f);
			} else {
				put_col(f, "", sw, false, &cut);
				fputc('|', f);
				put_col(f, cause, mw - 3, true, &cut);
				fputc(' ', f);
				fputc('|', f);
				fputc(' ', f);
				fputs(sy_tcp_state_name(s->to), f);
			}
			fputc('\n', f);
			continue;
		}
		const sy_rec_seg *s = &r->seg[it->seg];
		int room = mw - 6;  /* "|--" label "->|" */
		size_t ll;

		sy_ladder_seg_label(&v, s, o->relative, it->old, false, lab, sizeof lab);
		if ((int)strlen(lab) > room)
			sy_ladder_seg_label(&v, s, o->relative, it->old, true, lab, sizeof lab);
		ll = strlen(lab);
		if ((int)ll > room) {
			/* cut, and marked so: never a silently shorter field */
			ll = (size_t)room;
			lab[room - 1] = '~';
			cut++;
		}
		/* the arrow, with its label after the tail */
		memset(mid, '-', (size_t)mw);
		mid[mw] = 0;
		mid[0] = mid[mw - 1] = '|';
		if (s->dir == 0) {
			memcpy(mid + 3, lab, ll);
			mid[mw - 2] = '>';
		} else {
			memcpy(mid + mw - 3 - ll, lab, ll);
			mid[1] = '<';
		}
		side[0] = 0;
		if (s->fate == SY_REC_DROPPED) {
			char why[64];

			sy_ladder_drop_text(r, s, why, sizeof why);
			snprintf(side, sizeof side, "%s: %s", sy_ladder_drop_verb(s), why);
			if (!s->at_receiver) {
				/* the arrow stops short, in an X */
				int x = s->dir == 0 ? (int)(3 + ll + (size_t)(mw - 5 - (int)ll) / 2)
						    : (int)(mw - 4 - ll - (size_t)(mw - 5 - (int)ll) / 2);

				if (s->dir == 0) {
					mid[x] = 'X';
					for (int i = x + 1; i < mw - 1; i++)
						mid[i] = ' ';
				} else {
					mid[x] = 'X';
					for (int i = 1; i < x; i++)
						mid[i] = ' ';
				}
			} else {
				mid[s->dir == 0 ? mw - 2 : 1] = 'X';
			}
		} else if (s->fate == SY_REC_ARRIVED) {
			snprintf(side, sizeof side, "%.3f", ms(s->end));
		} else {
			snprintf(side, sizeof side, "in flight");
		}
		if (s->copy)
			snprintf(side + strlen(side), sizeof side - strlen(side), " copy");
		sy_ladder_event_mark(s, side + strlen(side), sizeof side - strlen(side));
		if (s->dir == 0) {
			put_col(f, "", sw, false, &cut);
			fputs(mid, f);
			fprintf(f, " %s\n", side);
		} else if ((int)strlen(side) + 1 > sw) {
			/* too long for the left margin: after the arrow, whole */
			put_col(f, "", sw, false, &cut);
			fputs(mid, f);
			fprintf(f, " %s\n", side);
		} else {
			char l2[112];

			snprintf(l2, sizeof l2, "%s ", side);
			put_col(f, l2, sw, true, &cut);
			fputs(mid, f);
			fputc('\n', f);
		}
	}
	if (!v.n)
		fprintf(f, "%*s  (nothing in this time window)\n", tw - 2, "");
	if (cut)
		fprintf(f, "%*s  (%d field%s cut short, marked ~: width = %d%s shows every label whole)\n",
			tw - 2, "", cut, cut == 1 ? "" : "s", need > WIDTH_MAX ? WIDTH_MAX : need,
			need > WIDTH_MAX ? " (the most)" : " or \"auto\"");
	state_notes(r, &v, f, tw);
	free(v.it);
	return ferror(f) ? sy_err_set(err, "cannot write the ladder: %s", strerror(errno)) : 0;
}
