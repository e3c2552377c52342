/* clock.h - the monotonic clock, in milliseconds. */
#ifndef OAIUSAGE_CLOCK_H
#define OAIUSAGE_CLOCK_H

#include <stdint.h>

int64_t clock_ms(void);
/* Sleep ms milliseconds (resumed after signals). */
void clock_sleep_ms(long ms);

#endif
