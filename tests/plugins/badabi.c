/* A module built for another plugin ABI: the loader must refuse it and
 * name both versions. */
#include "config.h"

#include "plugin.h"

static const char ops;

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI + 41,
	.kind = "scheduler",
	.name = "badabi",
	.summary = "test module with a foreign ABI version",
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
