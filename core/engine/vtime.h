/* Virtual time: signed 64-bit nanoseconds since the start of a run. */
#ifndef SY_VTIME_H
#define SY_VTIME_H

#include <stdint.h>

typedef int64_t sy_time;

#define SY_NS  ((sy_time)1)
#define SY_US  ((sy_time)1000)
#define SY_MS  ((sy_time)1000000)
#define SY_SEC ((sy_time)1000000000)

/* The end of time: "no limit" for run(), "never" for a deadline. */
#define SY_TIME_NEVER INT64_MAX

static inline double sy_time_to_sec(sy_time t) { return (double)t / 1e9; }

#endif
