/* A module installed as scheduler/wrongkind that declares another kind and
 * name: the loader must refuse it when asked for scheduler/wrongkind. */
#include "config.h"

#include "plugin.h"

static const char ops;

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "queue",
	.name = "impostor",
	.summary = "test module that lies about its kind",
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
