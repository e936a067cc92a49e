#include "config.h"

#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cc.h"
#include "tcp_sm.h"
#include "isn.h"
#include "loss.h"
#include "plugin.h"
#include "queue.h"
#include "scheduler.h"
#include "timers.h"

const char *const sy_plugin_kinds[] = {
	"scheduler", "queue", "loss", "tcp", "isn", "timers", "cc", "app", NULL,
};

int sy_plugin_kind_valid(const char *kind)
{
	for (const char *const *k = sy_plugin_kinds; *k; k++)
		if (strcmp(*k, kind) == 0)
			return 1;
	return 0;
}

void sy_plugin_id(const sy_plugin *p, char buf[SY_PLUGIN_ID_MAX])
{
	snprintf(buf, SY_PLUGIN_ID_MAX, "%s/%s", p->kind ? p->kind : "?",
		 p->name ? p->name : "?");
}

/* ------------------------------------------------------------ search path */

/* The directory list is rebuilt on every call (the environment may change
 * between runs in one process, as in the tests) and kept until the next. */
static char **path_dirs;
static size_t path_n;

static void path_clear(void)
{
	for (size_t i = 0; i < path_n; i++)
		free(path_dirs[i]);
	free(path_dirs);
	path_dirs = NULL;
	path_n = 0;
}

static int path_add(const char *dir, size_t len)
{
	char **d;

	if (len == 0)
		return 0;
	d = realloc(path_dirs, (path_n + 1) * sizeof *d);
	if (!d)
		return -1;
	path_dirs = d;
	path_dirs[path_n] = strndup(dir, len);
	if (!path_dirs[path_n])
		return -1;
	path_n++;
	return 0;
}

/* True when this library was loaded from the build tree, i.e. a program or
 * test that has not been installed: then the build tree's plugins are the
 * ones that match it. */
int sy_running_in_tree(void)
{
	static const char root[] = SY_ABS_BUILDDIR "/";
	static int in_tree = -1;  /* the library does not move: asked once */
	char real[PATH_MAX];
	Dl_info info;

	if (in_tree >= 0)
		return in_tree;
	if (!dladdr((void *)&sy_running_in_tree, &info) || !info.dli_fname)
		return 0;
	if (!realpath(info.dli_fname, real))
		return 0;
	in_tree = strncmp(real, root, sizeof root - 1) == 0;
	return in_tree;
}

int sy_plugin_path(const char ***dirs, size_t *n, sy_err *err)
{
	const char *env = getenv("SYNACK_PLUGIN_PATH");

	path_clear();
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);

		if (path_add(env, len) < 0)
			goto oom;
		env = colon ? colon + 1 : NULL;
	}
	if (sy_running_in_tree()) {
		static const char tree[] = SY_ABS_BUILDDIR "/plugins";

		if (path_add(tree, sizeof tree - 1) < 0)
			goto oom;
	}
	if (path_add(SY_PKGLIBDIR, strlen(SY_PKGLIBDIR)) < 0)
		goto oom;
	*dirs = (const char **)path_dirs;
	*n = path_n;
	return 0;
oom:
	path_clear();
	return sy_err_set(err, "out of memory building the plugin search path");
}

/* ------------------------------------------------------------ modules */

struct module {
	struct module *next;
	char *path;
	void *handle;
	const sy_plugin *desc;
};

static struct module *modules;

/* What sy_plugin_load found for a kind and name, under the search path
 * SYNACK_PLUGIN_PATH gave then: a topology of many links loads the same
 * queue and loss plugins for each, and searching the path each time
 * (access, realpath) cost more than building the link.  Forgotten when
 * the variable changes and when the modules are unloaded. */
struct found_memo {
	struct found_memo *next;
	const sy_plugin *desc;   /* its kind and name are the key */
};

static struct found_memo *memo;
static char *memo_env;           /* SYNACK_PLUGIN_PATH for memo, or NULL */

static void memo_clear(void)
{
	while (memo) {
		struct found_memo *f = memo;

		memo = f->next;
		free(f);
	}
	free(memo_env);
	memo_env = NULL;
}

/* The memo's entry for kind/name, after forgetting the memo if the search
 * path's variable changed since it was made. */
static const sy_plugin *memo_find(const char *kind, const char *name)
{
	const char *env = getenv("SYNACK_PLUGIN_PATH");

	if ((env == NULL) != (memo_env == NULL) ||
	    (env && strcmp(env, memo_env) != 0)) {
		memo_clear();
		return NULL;
	}
	for (struct found_memo *f = memo; f; f = f->next)
		if (strcmp(f->desc->name, name) == 0 && strcmp(f->desc->kind, kind) == 0)
			return f->desc;
	return NULL;
}

/* Remembers d (out of memory: not remembered, searched again next time). */
static void memo_add(const sy_plugin *d)
{
	const char *env = getenv("SYNACK_PLUGIN_PATH");
	struct found_memo *f;

	if (!memo && env && !(memo_env = strdup(env)))
		return;
	if (!(f = malloc(sizeof *f)))
		return;
	f->desc = d;
	f->next = memo;
	memo = f;
}

void sy_plugin_unload_all(void)
{
	memo_clear();
	while (modules) {
		struct module *m = modules;

		modules = m->next;
		dlclose(m->handle);
		free(m->path);
		free(m);
	}
	path_clear();
}

/* The version and size of each kind's operations table, as this synack
 * was built with them; every kind of sy_plugin_kinds has an entry. */
static const struct kind_ops {
	const char *kind;
	uint32_t version;
	size_t size;
} kind_ops[] = {
	{ "scheduler", SY_SCHED_OPS_VERSION, sizeof(sy_sched_ops) },
	{ "queue", SY_QUEUE_OPS_VERSION, sizeof(sy_queue_ops) },
	{ "loss", SY_LOSS_OPS_VERSION, sizeof(sy_loss_ops) },
	{ "tcp", SY_TCP_SM_OPS_VERSION, sizeof(sy_tcp_sm_ops) },
	{ "isn", SY_ISN_OPS_VERSION, sizeof(sy_isn_ops) },
	{ "timers", SY_TIMERS_OPS_VERSION, sizeof(sy_timers_ops) },
	{ "cc", SY_CC_OPS_VERSION, sizeof(sy_cc_ops) },
	{ "app", SY_APP_OPS_VERSION, sizeof(sy_app_ops) },
};
_Static_assert(sizeof kind_ops / sizeof kind_ops[0] ==
	       sizeof sy_plugin_kinds / sizeof sy_plugin_kinds[0] - 1,
	       "every plugin kind has an entry in kind_ops");

static const struct kind_ops *kind_ops_of(const char *kind)
{
	for (size_t i = 0; i < sizeof kind_ops / sizeof kind_ops[0]; i++)
		if (strcmp(kind_ops[i].kind, kind) == 0)
			return &kind_ops[i];
	return NULL;
}

/* The head of d's operations table against this synack's: exactly the
 * same version and size (plugin.h: no forward rule).  Checked before any
 * operation is read, so a table of another layout is never read past its
 * head. */
static int check_ops_head(const sy_plugin *d, const char *path,
			  const char *id, sy_err *err)
{
	const struct kind_ops *k = kind_ops_of(d->kind);
	sy_ops_head h;

	SY_INVARIANT(k != NULL && k->version != 0); /* every kind has one */
	memcpy(&h, d->ops, sizeof h);
	if (h.version == 0)
		return sy_err_set(err, "%s: plugin %s: its %s operations table has no version (its head is not set with SY_OPS_HEAD); this synack needs version %u",
				  path, id, d->kind, (unsigned)k->version);
	if (h.version != k->version)
		return sy_err_set(err, "%s: plugin %s: its %s operations are version %u, but this synack needs version %u; rebuild the plugin against this synack",
				  path, id, d->kind, (unsigned)h.version,
				  (unsigned)k->version);
	if (h.size != k->size)
		return sy_err_set(err, "%s: plugin %s: its %s operations table (version %u) is %u bytes, but this synack's is %zu bytes; rebuild the plugin against this synack",
				  path, id, d->kind, (unsigned)h.version,
				  (unsigned)h.size, k->size);
	return 0;
}

/* Operations every plugin of a kind must have, by offset in its ops table
 * (the others are optional or kinds whose callers check them). */
struct required_op {
	const char *kind;
	const char *op;
	size_t offset;
};

#define OP(kind, type, op) { kind, #op, offsetof(type, op) }
static const struct required_op required_ops[] = {
	OP("scheduler", sy_sched_ops, insert),
	OP("scheduler", sy_sched_ops, peek),
	OP("scheduler", sy_sched_ops, pop),
	OP("scheduler", sy_sched_ops, size),
	OP("scheduler", sy_sched_ops, filter),
	OP("scheduler", sy_sched_ops, memory),
	OP("queue", sy_queue_ops, enqueue),
	OP("queue", sy_queue_ops, dequeue),
	OP("queue", sy_queue_ops, packets),
	OP("queue", sy_queue_ops, bytes),
	OP("queue", sy_queue_ops, flush),
	OP("loss", sy_loss_ops, apply),
};
#undef OP

/* Everything the loader will read or write through the descriptor, checked
 * before the module is accepted: a module built wrong must be refused with
 * its path, not trusted.  Strings are read only up to their limit. */
static int check_desc(const sy_plugin *d, const char *path, sy_err *err)
{
	char show[80], id[SY_PLUGIN_ID_MAX];
	size_t len;
	sy_err why;

	if (d->abi != SY_PLUGIN_ABI)
		return sy_err_set(err,
				  "%s: plugin built for ABI version %u, but this synack loads ABI version %u; rebuild the plugin against this synack",
				  path, (unsigned)d->abi, (unsigned)SY_PLUGIN_ABI);
	if (!d->kind || !sy_plugin_kind_valid(d->kind))
		return sy_err_set(err, "%s: plugin declares an unknown kind %s",
				  path, sy_param_show(d->kind, show,
						      sizeof show));
	if (!d->name || !*d->name)
		return sy_err_set(err, "%s: plugin has no name", path);
	if (!sy_param_name_valid(d->name))
		return sy_err_set(err, "%s: plugin name %s is not a name (1 to %d letters, digits, '_' or '-')",
				  path, sy_param_show(d->name, show, sizeof show),
				  SY_PARAM_NAME_MAX);
	sy_plugin_id(d, id);
	if (!d->summary)
		return sy_err_set(err, "%s: plugin %s has no summary", path, id);
	len = strnlen(d->summary, SY_PLUGIN_SUMMARY_MAX + 1);
	if (len > SY_PLUGIN_SUMMARY_MAX)
		return sy_err_set(err, "%s: plugin %s: its summary is longer than %d bytes",
				  path, id, SY_PLUGIN_SUMMARY_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)d->summary[i] < 0x20 || d->summary[i] == 0x7f)
			return sy_err_set(err, "%s: plugin %s: its summary %s holds a control character",
					  path, id, sy_param_show(d->summary, show,
								  sizeof show));
	if (!d->ops)
		return sy_err_set(err, "%s: plugin %s has no operations table",
				  path, id);
	if (check_ops_head(d, path, id, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof required_ops / sizeof required_ops[0]; i++) {
		const struct required_op *r = &required_ops[i];
		void (*fn)(void);

		if (strcmp(r->kind, d->kind) != 0)
			continue;
		memcpy(&fn, (const char *)d->ops + r->offset, sizeof fn);
		if (!fn)
			return sy_err_set(err, "%s: plugin %s: its operations table has no '%s'",
					  path, id, r->op);
	}
	if (d->state_size > SY_PLUGIN_STATE_MAX)
		return sy_err_set(err, "%s: plugin %s: its state of %zu bytes is larger than the %d allowed",
				  path, id, d->state_size, SY_PLUGIN_STATE_MAX);
	if (sy_params_check(d->params, d->state_size, &why) < 0)
		return sy_err_set(err, "%s: plugin %s: broken parameter table: %s",
				  path, id, why.msg);
	return 0;
}

const sy_plugin *sy_plugin_load_file(const char *path, sy_err *err)
{
	char real[PATH_MAX];
	struct module *m;
	sy_plugin_entry entry;
	const sy_plugin *d;
	void *h;

	if (!realpath(path, real))
		return sy_err_set(err, "%s: no such plugin module", path), NULL;
	for (m = modules; m; m = m->next)
		if (strcmp(m->path, real) == 0)
			return m->desc;

	dlerror();
	h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();

		sy_err_set(err, "cannot load plugin module %s: %s", path,
			   why ? why : "unknown error");
		return NULL;
	}
	*(void **)&entry = dlsym(h, SY_PLUGIN_SYMBOL);
	if (!entry) {
		dlclose(h);
		sy_err_set(err,
			   "%s: not a synack plugin: the symbol '%s' is missing",
			   path, SY_PLUGIN_SYMBOL);
		return NULL;
	}
	d = entry();
	if (!d) {
		dlclose(h);
		sy_err_set(err, "%s: '%s' returned no descriptor", path,
			   SY_PLUGIN_SYMBOL);
		return NULL;
	}
	if (check_desc(d, path, err) < 0) {
		dlclose(h);
		return NULL;
	}
	m = calloc(1, sizeof *m);
	if (!m || !(m->path = strdup(real))) {
		free(m);
		dlclose(h);
		sy_err_set(err, "out of memory loading %s", path);
		return NULL;
	}
	m->handle = h;
	m->desc = d;
	m->next = modules;
	modules = m;
	return d;
}

/* The module file for KIND/NAME in dir, if there is one. */
static int module_file(const char *dir, const char *kind, const char *name,
		       char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/%s.so", dir, kind, name);
	if (access(buf, F_OK) == 0)
		return 1;
	snprintf(buf, n, "%s/%s/.libs/%s.so", dir, kind, name);
	return access(buf, F_OK) == 0;
}

/* Appends ", name" for each available plugin of kind, for messages. */
struct avail {
	char *buf;
	size_t n;
};

static void avail_visit(const sy_plugin *p, const char *path, void *ctx)
{
	struct avail *a = ctx;
	size_t len = strlen(a->buf);

	snprintf(a->buf + len, a->n - len, "%s%s", len ? ", " : "", p->name);
}

const sy_plugin *sy_plugin_load(const char *kind, const char *name,
				sy_err *err)
{
	char file[PATH_MAX], searched[1024] = "", names[512] = "";
	struct avail av = { names, sizeof names };
	const char **dirs;
	const sy_plugin *d;
	size_t n;

	if (!sy_plugin_kind_valid(kind)) {
		char kinds[256] = "";

		for (const char *const *k = sy_plugin_kinds; *k; k++)
			snprintf(kinds + strlen(kinds),
				 sizeof kinds - strlen(kinds), "%s%s",
				 k == sy_plugin_kinds ? "" : ", ", *k);
		sy_err_set(err, "unknown plugin kind '%s' (kinds: %s)", kind,
			   kinds);
		return NULL;
	}
	if (!sy_param_name_valid(name)) {
		sy_err_set(err, "bad plugin name '%s' for kind %s (letters, digits, '_' and '-' only)",
			   name, kind);
		return NULL;
	}
	if ((d = memo_find(kind, name)))
		return d;
	if (sy_plugin_path(&dirs, &n, err) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!module_file(dirs[i], kind, name, file, sizeof file)) {
			size_t len = strlen(searched);

			snprintf(searched + len, sizeof searched - len,
				 "%s%s/%s", len ? ", " : "", dirs[i], kind);
			continue;
		}
		d = sy_plugin_load_file(file, err);
		if (!d)
			return NULL;
		if (strcmp(d->kind, kind) != 0 || strcmp(d->name, name) != 0) {
			sy_err_set(err, "%s: module declares itself as %s/%s, expected %s/%s",
				   file, d->kind, d->name, kind, name);
			return NULL;
		}
		memo_add(d);
		return d;
	}
	sy_plugin_each(kind, avail_visit, NULL, &av, NULL);
	sy_err_set(err, "no %s plugin named '%s' (searched %s; available: %s)",
		   kind, name, searched, *names ? names : "none");
	return NULL;
}

/* ------------------------------------------------------------ listing */

struct found_one {
	char *name;
	char *path;
};

struct found {
	struct found_one *v;
	size_t n, cap;
};

static int found_add(struct found *f, const char *name, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return 0; /* an earlier directory wins */
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct found_one *v = realloc(f->v, cap * sizeof *v);

		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].name = strdup(name);
	f->v[f->n].path = strdup(path);
	if (!f->v[f->n].name || !f->v[f->n].path) {
		free(f->v[f->n].name);
		free(f->v[f->n].path);
		return -1;
	}
	f->n++;
	return 0;
}

static int found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found_one *)a)->name,
		      ((const struct found_one *)b)->name);
}

static void found_free(struct found *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].path);
	}
	free(f->v);
}

static int scan_dir(struct found *f, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return 0;
	while (rc == 0 && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char name[256], path[PATH_MAX];

		if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0 ||
		    len - 3 >= sizeof name)
			continue;
		memcpy(name, de->d_name, len - 3);
		name[len - 3] = 0;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		rc = found_add(f, name, path);
	}
	closedir(d);
	return rc;
}

int sy_plugin_each(const char *kind, sy_plugin_visit fn, sy_plugin_bad bad,
		   void *ctx, sy_err *err)
{
	const char **dirs;
	size_t n;

	if (kind && !sy_plugin_kind_valid(kind))
		return sy_err_set(err, "unknown plugin kind '%s'", kind);
	if (sy_plugin_path(&dirs, &n, err) < 0)
		return -1;
	for (const char *const *k = sy_plugin_kinds; *k; k++) {
		struct found f = { 0 };
		char dir[PATH_MAX];
		int rc = 0;

		if (kind && strcmp(kind, *k) != 0)
			continue;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			snprintf(dir, sizeof dir, "%s/%s", dirs[i], *k);
			rc = scan_dir(&f, dir);
			snprintf(dir, sizeof dir, "%s/%s/.libs", dirs[i], *k);
			if (rc == 0)
				rc = scan_dir(&f, dir);
		}
		if (rc < 0) {
			found_free(&f);
			return sy_err_set(err, "out of memory listing plugins");
		}
		if (f.n)
			qsort(f.v, f.n, sizeof *f.v, found_cmp);
		for (size_t i = 0; i < f.n; i++) {
			const struct found_one *o = &f.v[i];
			sy_err e;
			const sy_plugin *p = sy_plugin_load_file(o->path, &e);

			if (p && (strcmp(p->kind, *k) != 0 ||
				  strcmp(p->name, o->name) != 0)) {
				sy_err_set(&e, "%s: module declares itself as %s/%s, expected %s/%s",
					   o->path, p->kind, p->name, *k,
					   o->name);
				p = NULL;
			}
			if (p)
				fn(p, o->path, ctx);
			else if (bad)
				bad(o->path, e.msg, ctx);
		}
		found_free(&f);
	}
	return 0;
}

/* ------------------------------------------------------------ instances */

static const sy_param no_params[] = { { .name = NULL } };

static const sy_param *params_of(const sy_plugin *p)
{
	return p->params ? p->params : no_params;
}

int sy_instance_new(sy_instance *in, const sy_plugin *p, sy_err *err)
{
	char id[SY_PLUGIN_ID_MAX];

	memset(in, 0, sizeof *in);
	sy_plugin_id(p, id);
	in->state = calloc(1, p->state_size ? p->state_size : 1);
	if (!in->state)
		return sy_err_set(err, "out of memory creating %s", id);
	in->plugin = p;
	if (sy_params_defaults(params_of(p), in->state, id, err) < 0) {
		sy_instance_free(in);
		return -1;
	}
	return 0;
}

int sy_instance_set(sy_instance *in, const char *key, const sy_value *v,
		    const char *where, sy_err *err)
{
	char id[SY_PLUGIN_ID_MAX];

	sy_plugin_id(in->plugin, id);
	if (in->inited)
		return sy_err_set(err, "%s: parameters of %s are fixed once it runs",
				  where ? where : "?", id);
	return sy_param_set(params_of(in->plugin), in->state, id, key, v,
			    where, err);
}

int sy_instance_init(sy_instance *in, struct sy_sim *sim, sy_err *err)
{
	if (in->inited)
		return 0;
	if (in->plugin->init && in->plugin->init(in->state, sim, err) < 0) {
		char id[SY_PLUGIN_ID_MAX];

		sy_plugin_id(in->plugin, id);
		return sy_err_prefix(err, "%s", id);
	}
	in->inited = 1;
	return 0;
}

void sy_instance_free(sy_instance *in)
{
	if (!in->plugin) {
		free(in->state);
		in->state = NULL;
		return;
	}
	if (in->inited && in->plugin->fini)
		in->plugin->fini(in->state);
	if (in->state)
		sy_params_free(params_of(in->plugin), in->state);
	free(in->state);
	memset(in, 0, sizeof *in);
}
