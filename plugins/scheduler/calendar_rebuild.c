#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "calendar.h"

/* ---------------------------------------------------------------- checks */

#ifdef SY_DEEP_CHECKS
/* The walk described at the top of the file. */
static bool in_bucket(const struct calendar *c, const sy_sched_entry *e,
		      uint64_t b)
{
	int64_t d = day_of(e->time, c->shift);

	return ((uint64_t)d & c->mask) == b && d >= c->cur_day;
}

bool cq_valid(const struct calendar *c)
{
	uint64_t nb = c->mask + 1, counted = c->novf, nodes = 0;
	unsigned char *mark = calloc(c->nused ? c->nused : 1, 1);
	bool ok = true;

	for (uint64_t b = 0; ok && b < nb; b++) {
		const struct cq_bucket *bk = &c->bucket[b];
		sy_sched_entry prev = bk->e, e;
		uint32_t last = CQ_NIL;

		if (bk->rest == CQ_EMPTY)
			continue;
		counted++;
		ok = in_bucket(c, &bk->e, b);
		for (uint32_t n = bk->rest; ok && n != CQ_NIL;
		     n = c->node[n].next) {
			if (n >= c->nused || (mark && mark[n]++)) {
				ok = false;
				break;
			}
			node_get(&e, &c->node[n]);
			ok = !sy_entry_before(&e, &prev) && in_bucket(c, &e, b);
			prev = e;
			last = n;
			counted++;
			nodes++;
		}
		if (ok && (bk->rtail != last ||
			   (last != CQ_NIL && bk->ttime != c->node[last].time)))
			ok = false;
	}
	for (size_t i = 1; ok && i < c->novf; i++)
		ok = !sy_entry_before(&c->ovf[i], &c->ovf[(i - 1) / 2]);
	for (uint32_t n = c->free; ok && n != CQ_NIL; n = c->node[n].next) {
		if (n >= c->nused || (mark && mark[n]++))
			ok = false;
		nodes++;
	}
	free(mark);
	return ok && counted == c->size && nodes == c->nused;
}
#endif

/* ---------------------------------------------------------------- rebuild */

/* The CQ_SAMPLE least of n entries, sorted, into samp; returns how many.
 * An insertion sort that mostly rejects at the first comparison, as the
 * entries come roughly in order. */
static unsigned sample_least(const sy_sched_entry *all, size_t n,
			     sy_sched_entry samp[CQ_SAMPLE])
{
	unsigned k = 0, j;

	for (size_t i = 0; i < n; i++) {
		if (k == CQ_SAMPLE && !sy_entry_before(&all[i], &samp[k - 1]))
			continue;
		j = k < CQ_SAMPLE ? k++ : k - 1;
		while (j > 0 && sy_entry_before(&all[i], &samp[j - 1])) {
			samp[j] = samp[j - 1];
			j--;
		}
		samp[j] = all[i];
	}
	return k;
}

/* Brown's estimate of the width: the mean spacing of the sample, again
 * over the spacings no larger than twice that mean (so that a straggler
 * does not stretch the days), times three.  Spacings are taken in
 * unsigned arithmetic, where the true difference of two sy_time always
 * fits.  Returns `shift` unchanged when the sample has fewer than two
 * entries. */
static unsigned estimate_shift(const sy_sched_entry *samp, unsigned k,
			       unsigned shift)
{
	double sum = 0, mean, sum2 = 0;
	unsigned m = 0, j;

	if (k < 2)
		return shift;
	for (j = 1; j < k; j++)
		sum += (double)((uint64_t)samp[j].time -
				(uint64_t)samp[j - 1].time);
	mean = sum / (k - 1);
	for (j = 1; j < k; j++) {
		double d = (double)((uint64_t)samp[j].time -
				    (uint64_t)samp[j - 1].time);

		if (d <= 2 * mean) {
			sum2 += d;
			m++;
		}
	}
	/* All equal: the front is one run of ties, which the finest days
	 * keep apart from whatever differs from them by even 1 ns (a coarse
	 * day would mix them with later times and make each insertion walk
	 * the run). */
	if (sum2 == 0)
		return 0;
	return shift_for(3 * sum2 / m);
}

/* Rebuilds the calendar with nb buckets (a power of two) and a width
 * estimated from the earliest entries.  Everything that can fail happens
 * before the old structure is touched: on failure the queue stays as it
 * was, correct, only slower.  Returns 0 or -1. */
int cq_rebuild(struct calendar *c, uint64_t nb)
{
	sy_sched_entry *all = NULL, samp[CQ_SAMPLE];
	struct cq_bucket *nbk;
	size_t m = 0, need, far = 0;
	unsigned k, shift;
	uint64_t i, nonempty = 0;
	int64_t day0;

	nbk = buckets_alloc(nb);
	if (c->size > 0)
		all = malloc(c->size * sizeof *all);
	if (!nbk || (c->size > 0 && !all))
		goto fail;

	/* Gather, starting at the current day's bucket so that the entries
	 * come roughly in time order (which makes relinking mostly
	 * appends and sampling mostly rejections). */
	for (i = 0; i <= c->mask; i++) {
		const struct cq_bucket *bk =
			&c->bucket[((uint64_t)c->cur_day + i) & c->mask];

		if (bk->rest == CQ_EMPTY)
			continue;
		all[m++] = bk->e;
		for (uint32_t n = bk->rest; n != CQ_NIL; n = c->node[n].next)
			node_get(&all[m++], &c->node[n]);
	}
	for (i = 0; i < c->novf; i++)
		all[m++] = c->ovf[i];
	k = sample_least(all, m, samp);
	shift = estimate_shift(samp, k, c->shift);
	day0 = k > 0 ? day_of(samp[0].time, shift) : c->cur_day;

	/* Each non-empty bucket holds one entry inline; the others need
	 * nodes, and entries beyond the new year go to the overflow.  Count
	 * both with the new layout and make room, so that placing the
	 * entries below cannot fail. */
	buckets_clear(nbk, nb);
	for (i = 0; i < m; i++) {
		int64_t d = day_of(all[i].time, shift);
		struct cq_bucket *bk = &nbk[(uint64_t)d & (nb - 1)];

		if (far_ahead(d, day0, nb))
			far++;
		else if (bk->rest == CQ_EMPTY) {
			bk->rest = CQ_NIL;
			nonempty++;
		}
	}
	need = m - far - nonempty;
	if (cq_pool_reserve(c, need) < 0 || cq_ovf_reserve(c, far) < 0)
		goto fail;

	/* Commit. */
	free(c->bucket);
	c->bucket = nbk;
	c->mask = nb - 1;
	c->shift = shift;
	c->cur_day = day0;
	buckets_clear(nbk, nb);
	c->free = CQ_NIL;
	c->nused = 0;
	c->novf = 0;
	for (i = 0; i < m; i++) {
		int64_t d = day_of(all[i].time, shift);

		if (far_ahead(d, day0, nb))
			c->ovf[c->novf++] = all[i];
		else
			cq_bucket_put(c, &nbk[(uint64_t)d & c->mask], &all[i]);
	}
	cq_ovf_heapify(c);
	free(all);
	c->top_valid = false;
	set_thresholds(c);
	c->ops = c->work = 0;
	SY_DEEP_INVARIANT(cq_valid(c));
	return 0;

fail:
	free(nbk);
	free(all);
	/* Retrying at the next operation would cost a failed rebuild per
	 * operation: wait until the size has moved well away. */
	c->grow_at = c->size < SIZE_MAX / 2 ? 2 * c->size : SIZE_MAX;
	c->shrink_at = c->size / 2;
	c->ops = c->work = 0;
	return -1;
}

/* The bucket count for the current size, within [min_buckets, max]. */
uint64_t cq_buckets_for(const struct calendar *c)
{
	uint64_t nb = c->min_buckets;

	while (nb < c->size && nb < CQ_MAX_BUCKETS)
		nb *= 2;
	return nb;
}

/* Called every check_every operations (never when resize is off). */
void cq_check(struct calendar *c)
{
	unsigned oldshift = c->shift;

	if (c->work <= CQ_WORK_LIMIT * c->ops) {
		c->ops = c->work = 0;
		return;
	}
	/* The same width again: the cost is the distribution's (no single
	 * width fits it) and rebuilding soon would only repeat this one, so
	 * look less often. */
	if (cq_rebuild(c, c->mask + 1) == 0 && c->shift == oldshift &&
	    c->check_every < CQ_CHECK_MAX)
		c->check_every *= 2;
}
