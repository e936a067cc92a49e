/* A shared module without the plugin symbol: the loader must say so. */
#include "config.h"

int not_a_plugin(void);
int not_a_plugin(void) { return 42; }
