/* Gilbert-Elliott bursty loss: a two-state Markov chain, good and bad,
 * with a loss probability in each state.
 *
 * For each packet the chain first moves (good -> bad with probability
 * p_gb, bad -> good with probability p_bg), then the packet is lost with
 * the new state's probability (loss_good or loss_bad).  So `start` is the
 * state before the first packet, which the first packet may already have
 * left.  Two draws per packet, always, so that the stream's use does not
 * depend on the outcomes.
 *
 * With p_gb + p_bg > 0 the chain has the stationary distribution
 *
 *	pi_bad  = p_gb / (p_gb + p_bg),   pi_good = 1 - pi_bad
 *
 * and the long-run loss rate is
 *
 *	loss = pi_good * loss_good + pi_bad * loss_bad.
 *
 * A stay in the bad state lasts a geometric number of packets with mean
 * 1/p_bg (in good: 1/p_gb); with loss_bad = 1 and loss_good = 0 (Gilbert's
 * original model) losses come in bursts of mean length 1/p_bg.  With p_gb
 * = p_bg = 0 the chain stays in `start` forever.  The defaults never leave
 * the good state and lose nothing. */
#include <stdbool.h>
#include <stddef.h>

#include "loss.h"
#include "plugin.h"

enum { GOOD, BAD };

struct gilbert {
	/* parameters */
	double p_gb, p_bg;
	double loss_good, loss_bad;
	int start;
	int state;  /* GOOD or BAD: where the chain is now */
	sy_rng rng;
};

static int gilbert_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct gilbert *g = st;

	g->state = g->start;
	/* A usable stream until seed() gives the run's own. */
	sy_rng_stream(&g->rng, 0, "loss/gilbert", 0);
	return 0;
}

static void gilbert_seed(void *st, const sy_rng *r)
{
	struct gilbert *g = st;

	g->rng = *r;
}

static sy_loss_verdict gilbert_apply(void *st, sy_packet *p, sy_loss_ctx *ctx)
{
	struct gilbert *g = st;
	double move = sy_rng_uniform(&g->rng);
	double lose = sy_rng_uniform(&g->rng);

	if (g->state == GOOD ? move < g->p_gb : move < g->p_bg)
		g->state = g->state == GOOD ? BAD : GOOD;
	if (lose < (g->state == GOOD ? g->loss_good : g->loss_bad))
		return SY_LOSS_DROP;
	return SY_LOSS_PASS;
}

static const sy_loss_ops ops = {
	SY_OPS_HEAD(SY_LOSS_OPS_VERSION, sy_loss_ops),
	.seed = gilbert_seed,
	.apply = gilbert_apply,
};

static const char *const states[] = { "good", "bad", NULL };

static const sy_param params[] = {
	{ .name = "p_gb", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct gilbert, p_gb),
	  .def = "0", .min = "0", .max = "1",
	  .doc = "per-packet probability of moving from good to bad" },
	{ .name = "p_bg", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct gilbert, p_bg),
	  .def = "1", .min = "0", .max = "1",
	  .doc = "per-packet probability of moving from bad to good "
		 "(mean bad run: 1/p_bg packets)" },
	{ .name = "loss_good", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct gilbert, loss_good),
	  .def = "0", .min = "0", .max = "1",
	  .doc = "loss probability in the good state" },
	{ .name = "loss_bad", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct gilbert, loss_bad),
	  .def = "1", .min = "0", .max = "1",
	  .doc = "loss probability in the bad state" },
	{ .name = "start", .type = SY_PT_ENUM,
	  .offset = offsetof(struct gilbert, start),
	  .def = "good", .choices = states,
	  .doc = "state before the first packet" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "loss",
	.name = "gilbert",
	.summary = "bursty loss from a two-state Gilbert-Elliott Markov chain",
	.state_size = sizeof(struct gilbert),
	.params = params,
	.init = gilbert_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
