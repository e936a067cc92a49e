/* Scheduler modules with one defect each in their descriptor, parameter
 * table or the head of their operations table, chosen by a -D flag (Makefile.am builds this file once per
 * defect).  The loader must refuse each with the module's path and the
 * defect, and never write through the table.  Without a flag the module
 * is sound, which shows that the refusals come from the defects. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "scheduler.h"

struct state {
	int64_t limit;
	int64_t other;
	char *label;
};

#define F(field) offsetof(struct state, field)

/* Any non-NULL function will do: a refused module is never called. */
static int insert(void *st, const sy_sched_entry *e) { return -1; }
static const sy_sched_entry *peek(void *st) { return NULL; }
static void __attribute__((unused)) pop(void *st) { }
static size_t size(const void *st) { return 0; }
static void filter(void *st, sy_sched_keep keep, void *ctx) { }
static size_t memory(const void *st) { return 0; }

static const sy_sched_ops __attribute__((unused)) ops = {
#if defined(DEFECT_OPS_VERSION)
	SY_OPS_HEAD(SY_SCHED_OPS_VERSION + 1, sy_sched_ops),
#elif defined(DEFECT_OPS_SMALL)
	/* built against a table one operation shorter */
	.head = { SY_SCHED_OPS_VERSION, sizeof(sy_sched_ops) - sizeof(void *) },
#elif defined(DEFECT_OPS_LARGE)
	.head = { SY_SCHED_OPS_VERSION, sizeof(sy_sched_ops) + sizeof(void *) },
#elif !defined(DEFECT_OPS_NO_HEAD)
	SY_OPS_HEAD(SY_SCHED_OPS_VERSION, sy_sched_ops),
#endif
#ifdef DEFECT_NO_POP
	.pop = NULL,
#else
	.pop = pop,
#endif
	.insert = insert, .peek = peek, .size = size, .filter = filter,
	.memory = memory,
};

#define LIMIT(name) { name, SY_PT_INT, F(limit), "10", "1", "100", NULL, \
		      "a limit" }
#define END { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL }

#define LONG16 "abcdefghijklmnop"
#define LONG256 LONG16 LONG16 LONG16 LONG16 LONG16 LONG16 LONG16 LONG16 \
		LONG16 LONG16 LONG16 LONG16 LONG16 LONG16 LONG16 LONG16

#if defined(DEFECT_NO_END)
/* SY_PARAM_MAX entries and no terminator. */
#define X4 LIMIT("limit"), LIMIT("limit"), LIMIT("limit"), LIMIT("limit")
#define X16 X4, X4, X4, X4
static const sy_param params[SY_PARAM_MAX] = {
	X16, X16, X16, X16, X16, X16, X16, X16,
};
_Static_assert(SY_PARAM_MAX == 128, "the table above has 128 entries");
#else
static const sy_param params[] = {
#if defined(DEFECT_OFFSET)
	{ "limit", SY_PT_INT, 4096, "10", NULL, NULL, NULL, "far away" },
#elif defined(DEFECT_SIZE)
	/* Starts inside the state, ends past it. */
	{ "limit", SY_PT_INT, sizeof(struct state) - 4, "10", NULL, NULL,
	  NULL, "straddles the end" },
#elif defined(DEFECT_ALIGN)
	{ "limit", SY_PT_INT, 3, "10", NULL, NULL, NULL, "misaligned" },
#elif defined(DEFECT_TYPE)
	{ "limit", (sy_ptype)42, F(limit), NULL, NULL, NULL, NULL, "?" },
#elif defined(DEFECT_NULL_NAME)
	LIMIT("limit"),
	{ NULL, SY_PT_INT, F(other), "5", NULL, NULL, NULL, "forgot a name" },
	{ "label", SY_PT_STRING, F(label), "x", NULL, NULL, NULL, "a label" },
#elif defined(DEFECT_DUPLICATE)
	LIMIT("limit"),
	{ "limit", SY_PT_INT, F(other), "5", NULL, NULL, NULL, "again" },
#elif defined(DEFECT_OVERLAP)
	LIMIT("limit"),
	{ "label", SY_PT_STRING, F(limit), NULL, NULL, NULL, NULL,
	  "a string over the limit" },
#elif defined(DEFECT_DEFAULT_RANGE)
	{ "limit", SY_PT_INT, F(limit), "500", "1", "100", NULL, "too big" },
#elif defined(DEFECT_BAD_PARAM_NAME)
	LIMIT("li\nmit"),
#elif defined(DEFECT_LONG_PARAM_NAME)
	LIMIT(LONG256),
#elif defined(DEFECT_LONG_DOC)
	{ "limit", SY_PT_INT, F(limit), "10", NULL, NULL, NULL,
	  LONG256 LONG256 LONG256 LONG256 LONG256 },
#elif defined(DEFECT_BAD_CHOICE)
#define BAD_CHOICES ((const char *const[]){ "one", "two words", NULL })
	{ "mode", SY_PT_ENUM, F(other), "one", NULL, NULL, BAD_CHOICES,
	  "a mode" },
#else
	LIMIT("limit"),
	{ "label", SY_PT_STRING, F(label), "x", NULL, NULL, NULL, "a label" },
#endif
	END,
};
#endif

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
#if defined(DEFECT_LONG_KIND)
	.kind = "scheduler" LONG256,
#else
	.kind = "scheduler",
#endif
#if defined(DEFECT_NO_NAME)
	.name = NULL,
#elif defined(DEFECT_BAD_NAME)
	.name = "bad name\x1b[2J",
#elif defined(DEFECT_LONG_NAME)
	.name = LONG256,
#else
	.name = "baddesc",
#endif
#if !defined(DEFECT_NO_SUMMARY)
	.summary = "test module with one defect",
#endif
#if defined(DEFECT_BIG_STATE)
	.state_size = (size_t)1 << 40,
#else
	.state_size = sizeof(struct state),
#endif
	.params = params,
#if defined(DEFECT_NO_OPS)
	.ops = NULL,
#else
	.ops = &ops,
#endif
};

SY_PLUGIN_EXPORT(desc)
