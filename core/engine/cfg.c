#include "config.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "outfile.h"

struct sy_cfg {
	config_t lc;
	char *file; /* NULL: no file, built-in defaults */
};

static int exists(const char *path)
{
	return path && *path && access(path, F_OK) == 0;
}

/* The first existing file of the documented search order, in *found
 * (NULL: none).  Returns -1 only when out of memory. */
static int search(char **found)
{
	const char *env = getenv("SYNACK_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *pick = NULL;
	char buf[4096];

	*found = NULL;
	buf[0] = 0;
	if (env && *env) {
		pick = env; /* named explicitly: must exist */
	} else {
		if (xdg && *xdg)
			snprintf(buf, sizeof buf, "%s/synack/synack.conf", xdg);
		else if (home && *home)
			snprintf(buf, sizeof buf, "%s/.config/synack/synack.conf",
				 home);
		if (!exists(buf))
			snprintf(buf, sizeof buf, "%s/synack/synack.conf",
				 SY_SYSCONFDIR);
		if (exists(buf))
			pick = buf;
	}
	if (!pick)
		return 0;
	/* Out of memory must not pass for "no config file". */
	*found = strdup(pick);
	return *found ? 0 : -1;
}

/* A \x00 escape in a string: libconfig drops it, so a value would silently
 * differ from what the file says (the text itself holds no NUL byte:
 * sy_read_bounded refused it).  Follows libconfig's lexer: comments (#,
 * //, slash-star) and quoted strings with backslash escapes. */
static int check_nul_escape(const char *path, const char *s, size_t n, sy_err *err)
{
	size_t line = 1;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\n') {
			line++;
		} else if (c == '#' || (c == '/' && i + 1 < n && s[i + 1] == '/')) {
			while (i + 1 < n && s[i + 1] != '\n')
				i++;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			for (i += 2; i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'); i++)
				line += s[i] == '\n';
			i++;
		} else if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\n') {
					line++;
				} else if (s[i] == '\\' && i + 1 < n) {
					if ((s[i + 1] == 'x' || s[i + 1] == 'X') && i + 3 < n &&
					    s[i + 2] == '0' && s[i + 3] == '0')
						return sy_err_set(err, "%s:%zu: a string holds \\x00, a NUL byte, which would cut it short",
								  path, line);
					i++;
				}
			}
		}
	}
	return 0;
}

int sy_cfg_read(config_t *lc, const char *path, const char *what, sy_err *err)
{
	char *text;
	size_t len;
	int rc = 0;

	if (sy_read_bounded(path, SY_CFG_MAX, "a text file", &text, &len, err) < 0)
		return sy_err_prefix(err, "cannot read the %s", what);
	if (check_nul_escape(path, text, len, err) < 0) {
		free(text);
		return -1;
	}
	if (config_read_string(lc, text) != CONFIG_TRUE) {
		const char *f = config_error_file(lc);

		if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
			rc = sy_err_set(err, "%s: cannot read a file it includes", f ? f : path);
		else
			rc = sy_err_set(err, "%s:%d: %s", f ? f : path,
					config_error_line(lc), config_error_text(lc));
	}
	free(text);
	return rc;
}

static int where(char *buf, size_t n, const sy_cfg *cfg, const config_setting_t *s)
{
	return snprintf(buf, n, "%s:%u", cfg->file,
			config_setting_source_line(s));
}

/* Top level: `seed` and one group per plugin kind, whose members are
 * `default` (a plugin name) and one group of parameters per plugin. */
static int validate(const sy_cfg *cfg, sy_err *err)
{
	config_setting_t *root = config_root_setting(&cfg->lc);
	char at[4200];

	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, i);
		const char *name = config_setting_name(s);

		where(at, sizeof at, cfg, s);
		if (strcmp(name, "seed") == 0) {
			int t = config_setting_type(s);

			if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
				return sy_err_set(err, "%s: 'seed' must be an integer", at);
			continue;
		}
		if (!sy_plugin_kind_valid(name))
			return sy_err_set(err,
					  "%s: unknown setting '%s' (expected 'seed' or a plugin kind: scheduler, queue, loss, tcp, isn, timers, cc, app)",
					  at, name);
		if (!config_setting_is_group(s))
			return sy_err_set(err, "%s: '%s' must be a group: %s: { default = \"NAME\"; NAME: { ... }; };",
					  at, name, name);
		for (int j = 0; j < config_setting_length(s); j++) {
			config_setting_t *c = config_setting_get_elem(s, j);
			const char *cn = config_setting_name(c);

			where(at, sizeof at, cfg, c);
			if (strcmp(cn, "default") == 0) {
				if (config_setting_type(c) != CONFIG_TYPE_STRING)
					return sy_err_set(err, "%s: %s.default must be a plugin name in quotes",
							  at, name);
			} else if (!config_setting_is_group(c)) {
				return sy_err_set(err, "%s: %s.%s must be a group of parameters for plugin %s/%s",
						  at, name, cn, name, cn);
			}
		}
	}
	return 0;
}

sy_cfg *sy_cfg_load(const char *path, sy_err *err)
{
	sy_cfg *cfg = calloc(1, sizeof *cfg);

	if (!cfg) {
		sy_err_set(err, "out of memory reading the config");
		return NULL;
	}
	config_init(&cfg->lc);
	if (path ? !(cfg->file = strdup(path)) : search(&cfg->file) < 0) {
		sy_err_set(err, "out of memory reading the config");
		sy_cfg_free(cfg);
		return NULL;
	}
	if (!cfg->file)
		return cfg;
	if (!exists(cfg->file)) {
		sy_err_set(err, "%s: config file not found", cfg->file);
		sy_cfg_free(cfg);
		return NULL;
	}
	if (sy_cfg_read(&cfg->lc, cfg->file, "config file", err) < 0) {
		sy_cfg_free(cfg);
		return NULL;
	}
	if (validate(cfg, err) < 0) {
		sy_cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

void sy_cfg_free(sy_cfg *cfg)
{
	if (!cfg)
		return;
	config_destroy(&cfg->lc);
	free(cfg->file);
	free(cfg);
}

const char *sy_cfg_file(const sy_cfg *cfg)
{
	return cfg->file;
}

uint64_t sy_cfg_seed(const sy_cfg *cfg, uint64_t fallback)
{
	long long v;

	if (cfg->file && config_lookup_int64(&cfg->lc, "seed", &v))
		return (uint64_t)v;
	return fallback;
}

const char *sy_cfg_default_plugin(const sy_cfg *cfg, const char *kind,
				  const char *fallback)
{
	char key[64];
	const char *v;

	if (!cfg->file)
		return fallback;
	snprintf(key, sizeof key, "%s.default", kind);
	if (config_lookup_string(&cfg->lc, key, &v))
		return v;
	return fallback;
}

int sy_cfg_apply(const sy_cfg *cfg, sy_instance *in, sy_err *err)
{
	config_setting_t *g, *kind;
	char at[4200];

	if (!cfg->file)
		return 0;
	kind = config_lookup(&cfg->lc, in->plugin->kind);
	if (!kind)
		return 0;
	g = config_setting_get_member(kind, in->plugin->name);
	if (!g)
		return 0;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		sy_value v;

		where(at, sizeof at, cfg, s);
		switch (config_setting_type(s)) {
		case CONFIG_TYPE_INT:
		case CONFIG_TYPE_INT64:
			v.type = SY_V_INT;
			v.u.i = config_setting_get_int64(s);
			break;
		case CONFIG_TYPE_FLOAT:
			v.type = SY_V_FLOAT;
			v.u.f = config_setting_get_float(s);
			break;
		case CONFIG_TYPE_BOOL:
			v.type = SY_V_BOOL;
			v.u.b = config_setting_get_bool(s);
			break;
		case CONFIG_TYPE_STRING:
			v.type = SY_V_STRING;
			v.u.s = config_setting_get_string(s);
			break;
		default:
			return sy_err_set(err, "%s: %s/%s: parameter '%s': expected a single value, not a group, array or list",
					  at, in->plugin->kind, in->plugin->name,
					  config_setting_name(s));
		}
		if (sy_instance_set(in, config_setting_name(s), &v, at, err) < 0)
			return -1;
	}
	return 0;
}
