/* The synack program: runs Lua experiment scripts and lists plugins. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "batch.h"
#include "lsynack.h"
#include "luastate.h"
#include "param.h"
#include "plugin.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: synack run SCRIPT [key=value ...] [--seed N] [--config FILE] [--realtime]\n"
	"       synack batch SWEEP.cfg [-j N] [-o FILE] [--resume | --force]\n"
	"                    [--config FILE] [--list] [-q]\n"
	"       synack summarize RESULTS.csv [--by COL,...] [--metrics COL,...]\n"
	"                        [--digits N] [-o FILE]\n"
	"       synack packetdrill [--verbose] [--ladder DIR] [--timers linux|rfc]\n"
	"                          [--set KEY=VALUE]... FILE.pkt ...\n"
	"       synack plugins [KIND | KIND/NAME]\n"
	"       synack --help | --version\n"
	"\n"
	"  run       run a Lua 5.4 experiment script; key=value pairs override\n"
	"            the parameters of a script that returns {params=, run=}\n"
	"            and are available to any script as synack.args\n"
	"  batch     run an experiment over the grid of a sweep file (libconfig),\n"
	"            N runs at a time (default: one per core), into a CSV file;\n"
	"            --resume completes an interrupted batch, --list prints the\n"
	"            runs without running them\n"
	"  summarize mean, standard deviation, 95% confidence interval and count\n"
	"            of each metric of a batch's CSV, per group of --by columns\n"
	"  packetdrill run packetdrill scripts against synack's TCP in virtual\n"
	"            time; prints PASS, FAIL or UNSUPPORTED for each\n"
	"  plugins   list the plugins found, or the parameters of one\n"
	"\n"
	"  --seed N       default seed of every simulator the script creates\n"
	"  --config FILE  read defaults from FILE instead of searching for\n"
	"                 synack.conf (see synack(1))\n"
	"  --realtime     every simulator runs in real time (the clock follows\n"
	"                 the wall clock) and reports how far behind it fell\n"
	"\n"
	"Environment: SYNACK_PLUGIN_PATH (plugin directories searched first),\n"
	"SYNACK_CONFIG (defaults file).\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "synack: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'synack --help'.\n");
}

/* ------------------------------------------------------------ run */

static int report(lua_State *L, int status)
{
	if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);

		fprintf(stderr, "synack: %s\n", msg ? msg : "(no message)");
		fflush(stderr);
		lua_pop(L, 1);
	}
	return status;
}

static int parse_seed(const char *s, uint64_t *seed)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	*seed = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	const char *script = NULL, *config = NULL;
	int have_seed = 0, realtime = 0, status, nargs = 0;
	uint64_t seed = 0;
	lua_State *L;
	sy_err err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--seed") == 0 || strncmp(a, "--seed=", 7) == 0) {
			const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);

			if (!v || parse_seed(v, &seed) < 0) {
				usage_error("--seed needs a non-negative integer, got '%s'",
					    v ? v : "");
				return EXIT_USAGE;
			}
			have_seed = 1;
		} else if (strcmp(a, "--config") == 0 || strncmp(a, "--config=", 9) == 0) {
			config = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!config || !*config) {
				usage_error("%s needs a file name", "--config");
				return EXIT_USAGE;
			}
		} else if (strcmp(a, "--realtime") == 0) {
			realtime = 1;
		} else if (a[0] == '-' && a[1]) {
			usage_error("unknown option '%s'", a);
			return EXIT_USAGE;
		} else if (!script) {
			script = a;
		} else if (!strchr(a, '=') || a[0] == '=') {
			usage_error("unexpected argument '%s' (overrides are key=value)", a);
			return EXIT_USAGE;
		} else {
			/* argv outlives the run; keep the overrides' positions */
			argv[nargs++] = (char *)a;
		}
	}
	if (!script) {
		usage_error("%s", "run needs a SCRIPT");
		return EXIT_USAGE;
	}

	L = sy_cli_state(&(sy_cli_opts){ .config = config, .have_seed = have_seed,
					  .seed = seed, .realtime = realtime });
	if (!L) {
		fprintf(stderr, "synack: out of memory\n");
		return EXIT_FAILURE;
	}
	/* synack.args: the key=value overrides; arg: as lua5.4 sets it. */
	lua_getfield(L, LUA_REGISTRYINDEX, "synack.args");
	lua_newtable(L);
	lua_pushstring(L, script);
	lua_rawseti(L, -2, 0);
	for (int i = 0; i < nargs; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');

		lua_pushlstring(L, a, (size_t)(eq - a));
		lua_pushstring(L, eq + 1);
		lua_settable(L, -4);
		lua_pushstring(L, a);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setglobal(L, "arg");
	lua_pop(L, 1);

	/* Load synack (and so the config) before the script: a broken
	 * config is reported as such, not as a failure inside the script. */
	status = report(L, sy_cli_load_synack(L));
	if (status == LUA_OK)
		status = report(L, luaL_loadfile(L, script));
	if (status == LUA_OK)
		status = report(L, sy_cli_docall(L, 0, 1));
	if (status == LUA_OK && lua_istable(L, -1)) {
		/* An experiment: {params = {...}, run = function(P) ... }. */
		lua_getfield(L, -1, "run");
		if (lua_isfunction(L, -1)) {
			lua_pop(L, 1);
			lua_getglobal(L, "require");
			lua_pushliteral(L, "synack.contract");
			status = report(L, sy_cli_docall(L, 1, 1));
			if (status == LUA_OK) {
				lua_getfield(L, -1, "main");
				lua_pushvalue(L, -3);
				lua_getfield(L, LUA_REGISTRYINDEX, "synack.args");
				status = report(L, sy_cli_docall(L, 2, 0));
			}
		}
	}
	/* After a script error (often this very failure, raised by
	 * sim:run) the run has failed and said why already. */
	if (sy_lua_close_all(L, &err) < 0 && status == LUA_OK) {
		fprintf(stderr, "synack: %s\n", err.msg);
		status = LUA_ERRRUN;
	}
	lua_close(L);
	sy_plugin_unload_all();
	return status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ------------------------------------------------------------ packetdrill */

/* The runner is Lua (synack.packetdrill): main(args) prints the results
 * and returns the exit status. */
static int cmd_packetdrill(int argc, char **argv)
{
	lua_State *L;
	int status, rc = EXIT_FAILURE;
	sy_err err;

	L = sy_cli_state(&(sy_cli_opts){ 0 });
	if (!L) {
		fprintf(stderr, "synack: out of memory\n");
		return EXIT_FAILURE;
	}
	status = report(L, sy_cli_load_synack(L));
	if (status == LUA_OK) {
		lua_getglobal(L, "require");
		lua_pushliteral(L, "synack.packetdrill");
		status = report(L, sy_cli_docall(L, 1, 1));
	}
	if (status == LUA_OK) {
		lua_getfield(L, -1, "main");
		lua_createtable(L, argc, 0);
		for (int i = 0; i < argc; i++) {
			lua_pushstring(L, argv[i]);
			lua_rawseti(L, -2, i + 1);
		}
		status = report(L, sy_cli_docall(L, 1, 1));
		if (status == LUA_OK)
			rc = (int)lua_tointeger(L, -1);
	}
	if (sy_lua_close_all(L, &err) < 0 && rc == EXIT_SUCCESS) {
		fprintf(stderr, "synack: %s\n", err.msg);
		rc = EXIT_FAILURE;
	}
	lua_close(L);
	sy_plugin_unload_all();
	return rc;
}

/* ------------------------------------------------------------ plugins */

static void print_plugin(const sy_plugin *p, const char *path, void *ctx)
{
	char id[SY_PLUGIN_ID_MAX];

	sy_plugin_id(p, id);
	printf("%-22s %s\n", id, p->summary ? p->summary : "");
	(void)ctx;
}

static void print_bad(const char *path, const char *why, void *ctx)
{
	fprintf(stderr, "synack: skipping %s\n", why);
	(void)path;
	(void)ctx;
}

static void print_range(const sy_param *p, char *buf, size_t n)
{
	if (p->type == SY_PT_ENUM) {
		size_t len = 0;

		buf[0] = 0;
		for (const char *const *c = p->choices; c && *c; c++)
			len += (size_t)snprintf(buf + len, n > len ? n - len : 0,
						"%s%s", c == p->choices ? "" : "|", *c);
	} else if (p->min || p->max) {
		snprintf(buf, n, "%s..%s", p->min ? p->min : "", p->max ? p->max : "");
	} else {
		snprintf(buf, n, "-");
	}
}

static int show_plugin(const char *kind, const char *name)
{
	const sy_plugin *p;
	sy_instance in;
	sy_err err;

	p = sy_plugin_load(kind, name, &err);
	if (!p || sy_instance_new(&in, p, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	printf("%s/%s: %s\n", p->kind, p->name, p->summary ? p->summary : "");
	if (!p->params || !p->params[0].name) {
		printf("\n(no parameters)\n");
	} else {
		printf("\n%-16s %-9s %-12s %-24s %s\n", "PARAMETER", "TYPE",
		       "DEFAULT", "RANGE", "DESCRIPTION");
		for (const sy_param *q = p->params; q->name; q++) {
			char def[128], range[256];
			const char *unit = sy_ptype_unit(q->type);

			sy_param_format(q, in.state, def, sizeof def);
			print_range(q, range, sizeof range);
			printf("%-16s %-9s %-12s %-24s %s%s%s%s\n", q->name,
			       sy_ptype_name(q->type), *def ? def : "\"\"",
			       range, q->doc ? q->doc : "",
			       *unit ? " [" : "", unit, *unit ? "]" : "");
		}
	}
	sy_instance_free(&in);
	return EXIT_SUCCESS;
}

static int cmd_plugins(int argc, char **argv)
{
	char kind[64];
	const char *slash;
	sy_err err;
	int rc;

	if (argc > 1) {
		usage_error("plugins takes at most one argument, got '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 1 && (slash = strchr(argv[0], '/'))) {
		snprintf(kind, sizeof kind, "%.*s", (int)(slash - argv[0]), argv[0]);
		rc = show_plugin(kind, slash + 1);
	} else if (sy_plugin_each(argc ? argv[0] : NULL, print_plugin,
				  print_bad, NULL, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		rc = EXIT_FAILURE;
	} else {
		rc = EXIT_SUCCESS;
	}
	sy_plugin_unload_all();
	return rc;
}

static int command(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("synack %s (Lua %s.%s, plugin ABI %d)\n", PACKAGE_VERSION,
		       LUA_VERSION_MAJOR, LUA_VERSION_MINOR, SY_PLUGIN_ABI);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "batch") == 0)
		return sy_batch_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "summarize") == 0)
		return sy_summarize_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "packetdrill") == 0)
		return cmd_packetdrill(argc - 2, argv + 2);
	if (strcmp(argv[1], "plugins") == 0)
		return cmd_plugins(argc - 2, argv + 2);
	usage_error("unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}

/* Whatever a command printed (a listing, a summary, a script's print) is
 * lost when the standard output cannot be written (a full disk, a closed
 * pipe's reader gone with SIGPIPE ignored): that is an error, not a
 * success with a short output. */
int main(int argc, char **argv)
{
	int rc = command(argc, argv);

	if (fflush(stdout) != 0) {
		fprintf(stderr, "synack: cannot write the standard output: %s\n",
			strerror(errno));
		rc = EXIT_FAILURE;
	} else if (ferror(stdout)) {
		fprintf(stderr, "synack: cannot write the standard output\n");
		rc = EXIT_FAILURE;
	}
	return rc;
}
