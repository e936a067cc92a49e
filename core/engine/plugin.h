/* The plugin ABI.
 *
 * A plugin is a shared module (a libtool module) that exports exactly one
 * symbol, SY_PLUGIN_SYMBOL, a function returning a pointer to a constant
 * descriptor.  The descriptor starts with the ABI version so that the loader
 * can refuse a module built against another version before it reads
 * anything else.  Everything kind-specific lives in the ops table, whose
 * layout is fixed by the kind's header (scheduler.h for schedulers, ...).
 *
 * Versions.  Two numbers protect a plugin's binary interface, and the
 * loader refuses a module whose numbers differ from its own:
 *
 *   SY_PLUGIN_ABI  the descriptor below and everything every plugin sees
 *                  (errors.h, vtime.h, param.h, rng.h, packet.h, net.h,
 *                  sim.h, tcp.h, ...);
 *   SY_<KIND>_OPS_VERSION  the kind's operations table and the types
 *                  only that kind passes (SY_QUEUE_OPS_VERSION in
 *                  queue.h, ...), carried by the table's first member, a
 *                  sy_ops_head that also holds the table's size.
 *                  A kind's header whose types a shared header uses
 *                  (cc.h and timers.h in tcp.h's sy_tcb, scheduler.h in
 *                  sim.h) is covered by SY_PLUGIN_ABI as well.
 *
 * A table is accepted only with exactly the version and the size this
 * synack has.  There is no forward rule: a newer table, even one that only
 * appended operations, is refused as well as an older or a smaller one,
 * since its plugin may count on the core calling what it appended.  A
 * version is bumped, never reused, by any change to a declaration of a
 * header it covers (adding, removing, reordering or retyping a field or an
 * operation, changing a constant, a function or an enum); comments and
 * layout do not count.  core/abi.list records which versions cover each
 * installed header, with a hash of its declarations, and tests/abi.sh
 * fails when a header changed and its versions did not; after the bump,
 * tests/abi-record.sh rewrites the record (README, "Plugins").
 *
 * Lifecycle of an instance:
 *   state = calloc(state_size); defaults; user parameters; init(state);
 *   ... use through ops ...; fini(state); strings freed; free(state).
 * sy_instance_* below do exactly this. */
#ifndef SY_PLUGIN_H
#define SY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "param.h"

/* 2: operations tables start with a sy_ops_head; 3: sy_tcb is opaque,
 * state machines work through tcp_sm.h; 4: observers receive typed
 * causes, cc plugins the FreeBSD-like interface of cc.h 2; 5: sy_tcp_opts
 * carries the Fast Open option, tcp_sm.h the services a Fast Open state
 * machine needs; 6: RFC 9293's steps as services; 7: the parameters state
 * machines share (sy_tcp_sm_common). */
#define SY_PLUGIN_ABI 18
#define SY_PLUGIN_SYMBOL "synack_plugin"

/* The first member of every kind's operations table, named `head`: the
 * version of the kind's table the plugin was built against and the size of
 * its table.  A version is never 0: a table whose head was left unset is
 * refused as having none. */
typedef struct sy_ops_head {
	uint32_t version;
	uint32_t size;
} sy_ops_head;

/* In a plugin's table: { SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops),
 * .enqueue = ..., }.  Both come from the headers the plugin is built
 * with, so a rebuild is all a plugin needs after a version bump that
 * leaves its operations alone. */
#define SY_OPS_HEAD(version_, type_) \
	.head = { .version = (version_), .size = sizeof(type_) }

struct sy_sim;

typedef struct sy_plugin {
	uint32_t abi;           /* SY_PLUGIN_ABI; must stay the first field */
	const char *kind;       /* one of sy_plugin_kinds */
	const char *name;
	const char *summary;    /* one line */
	size_t state_size;      /* per instance; parameters live inside it */
	const sy_param *params; /* NULL-name-terminated; may be NULL */
	/* Called once the parameters are set.  sim is the simulator the
	 * instance will serve (NULL when instantiated outside a run).  When
	 * init fails, fini is not called: init frees what it allocated. */
	int (*init)(void *state, struct sy_sim *sim, sy_err *err);
	void (*fini)(void *state);
	const void *ops;        /* kind-specific operations; starts with a
				 * sy_ops_head */
} sy_plugin;

typedef const sy_plugin *(*sy_plugin_entry)(void);

/* Limits the loader enforces on a descriptor (with those of param.h on its
 * parameter table): bytes of the summary, bytes of the state. */
#define SY_PLUGIN_SUMMARY_MAX 256
#define SY_PLUGIN_STATE_MAX (1 << 20)

/* In a plugin: SY_PLUGIN_EXPORT(my_descriptor); */
#define SY_PLUGIN_EXPORT(desc)                                         \
	const sy_plugin *synack_plugin(void);                          \
	__attribute__((visibility("default"))) const sy_plugin *      \
	synack_plugin(void) { return &(desc); }

/* Kinds, in the order `synack plugins` lists them; NULL-terminated. */
extern const char *const sy_plugin_kinds[];

int sy_plugin_kind_valid(const char *kind);

/* Directories searched, in order: each entry of SYNACK_PLUGIN_PATH
 * (colon-separated), then the build tree's plugins/ when the library runs
 * from the build tree, then the install directory.  A module for KIND/NAME
 * is DIR/KIND/NAME.so (or DIR/KIND/.libs/NAME.so, libtool's build tree). */
int sy_plugin_path(const char ***dirs, size_t *n, sy_err *err);

/* Finds, loads and checks KIND/NAME.  The module stays loaded (and the
 * returned descriptor valid) until sy_plugin_unload_all. */
const sy_plugin *sy_plugin_load(const char *kind, const char *name,
				sy_err *err);

/* Loads one module file and checks its descriptor: ABI, kind, name,
 * summary, the version and size of its operations table (sy_ops_head),
 * the operations its kind requires, the state size and the whole
 * parameter table (sy_params_check).  A module that fails any check is
 * refused with its path and what is wrong, and unloaded. */
const sy_plugin *sy_plugin_load_file(const char *path, sy_err *err);

/* Calls fn for every plugin found on the path, in kind order then name
 * order, the first found for each KIND/NAME only.  kind may be NULL (all).
 * Modules that fail to load are reported through bad (may be NULL) and
 * skipped. */
typedef void (*sy_plugin_visit)(const sy_plugin *p, const char *path,
				void *ctx);
typedef void (*sy_plugin_bad)(const char *path, const char *why, void *ctx);
int sy_plugin_each(const char *kind, sy_plugin_visit fn, sy_plugin_bad bad,
		   void *ctx, sy_err *err);

void sy_plugin_unload_all(void);

/* True when libsynack was loaded from the build tree (not installed). */
int sy_running_in_tree(void);

/* A live instance of a plugin. */
typedef struct sy_instance {
	const sy_plugin *plugin;
	void *state;
	int inited;
} sy_instance;

/* Allocates state and writes the defaults. */
int sy_instance_new(sy_instance *in, const sy_plugin *p, sy_err *err);

/* Sets one parameter; `where` says where the value came from. */
int sy_instance_set(sy_instance *in, const char *key, const sy_value *v,
		    const char *where, sy_err *err);

/* Calls the plugin's init.  After this, parameters are fixed. */
int sy_instance_init(sy_instance *in, struct sy_sim *sim, sy_err *err);

/* fini (if init succeeded), free strings, free state.  Idempotent. */
void sy_instance_free(sy_instance *in);

/* "kind/name" of an instance's plugin, for messages. */
#define SY_PLUGIN_ID_MAX 96
void sy_plugin_id(const sy_plugin *p, char buf[SY_PLUGIN_ID_MAX]);

#endif
