/* The defaults file (libconfig).
 *
 * It names the default plugin of each kind and default parameter values:
 *
 *   seed = 1;
 *   scheduler: {
 *     default = "heap";
 *     calendar: { buckets = 1024; };
 *   };
 *
 * Where it is found: --config FILE (the program), else $SYNACK_CONFIG, else
 * $XDG_CONFIG_HOME/synack/synack.conf (or ~/.config/synack/synack.conf),
 * else SYSCONFDIR/synack/synack.conf.  The first file that exists is read;
 * if none exists the built-in defaults apply.  A file that exists but is
 * broken is an error (file, line, libconfig's message). */
#ifndef SY_CFG_H
#define SY_CFG_H

#include <stdint.h>

#include "errors.h"
#include "plugin.h"

typedef struct sy_cfg sy_cfg;

/* Reads `path`, or searches as above when path is NULL.  Returns a config
 * (empty when no file was found) or NULL with a message. */
sy_cfg *sy_cfg_load(const char *path, sy_err *err);
void sy_cfg_free(sy_cfg *cfg);

/* The file read, or NULL when built-in defaults apply. */
const char *sy_cfg_file(const sy_cfg *cfg);

/* `seed` from the file, or `fallback`. */
uint64_t sy_cfg_seed(const sy_cfg *cfg, uint64_t fallback);

/* KIND.default from the file, or `fallback`. */
const char *sy_cfg_default_plugin(const sy_cfg *cfg, const char *kind,
				  const char *fallback);

/* Applies the group KIND.NAME of the file to an instance; errors name the
 * file and line. */
int sy_cfg_apply(const sy_cfg *cfg, sy_instance *in, sy_err *err);

/* The most a libconfig file (config or sweep) may hold: far more than any
 * real one, and a bound when the path is an endless source (/dev/zero, a
 * FIFO). */
#define SY_CFG_MAX ((size_t)16 << 20)

/* Reads a libconfig file of at most SY_CFG_MAX bytes into lc (initialized
 * by the caller).  A NUL byte, or a string escape \x00 that libconfig
 * would silently drop, is an error naming the file and line; so are
 * libconfig's own errors.  `what` names the file's role in messages
 * ("config file", "sweep file"). */
struct config_t;
int sy_cfg_read(struct config_t *lc, const char *path, const char *what,
		sy_err *err);

#endif
