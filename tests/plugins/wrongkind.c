/* A module installed as scheduler/wrongkind that declares another kind and
 * name: the loader must refuse it when asked for scheduler/wrongkind.  Its
 * operations are a complete queue table (the loader checks the operations
 * a queue requires), never called. */
#include "config.h"

#include "plugin.h"
#include "queue.h"

static bool enqueue(void *st, sy_packet *p, sy_time now) { return false; }
static sy_packet *dequeue(void *st, sy_time now,
			  void (*drop)(void *ctx, sy_packet *p), void *ctx)
{
	return NULL;
}
static size_t count(const void *st) { return 0; }
static void flush(void *st, void (*drop)(void *ctx, sy_packet *p), void *ctx) { }

static const sy_queue_ops ops = {
	SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops),
	.enqueue = enqueue, .dequeue = dequeue, .packets = count,
	.bytes = count, .flush = flush,
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "queue",
	.name = "impostor",
	.summary = "test module that lies about its kind",
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
