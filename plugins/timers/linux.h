/* The linux timer profile's private parts, shared by linux.c (the RTO
 * estimator, the ops and the plugin) and linux_params.c (the parameter
 * table). */
#ifndef SY_PLUGINS_TIMERS_LINUX_H
#define SY_PLUGINS_TIMERS_LINUX_H

#include "param.h"
#include "timers.h"

/* The instance's state. */
struct lnx {
	sy_timer_limits lim;   /* the parameters; limits() points here */
};

/* Shared by the module's files only: hidden, so that the symbol stays
 * within the module, as when it was static. */
#define LNX_LOCAL __attribute__((visibility("hidden")))

/* linux_params.c: the parameters, ended by a NULL name. */
LNX_LOCAL extern const sy_param lnx_params[];

#endif
