/* libFuzzer target: WHEN parsing. Whatever parses must format to RFC 3339
 * and parse back to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[64];
    char back[TU_RFC3339_LEN];
    const char *why;
    int64_t t;
    int64_t t2;

    if (size >= sizeof(s))
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (!tu_parse_when(s, &t, &why)) {
        if (why == NULL)
            abort(); /* every refusal has a reason */
        return 0;
    }
    if (t < 0 || t > TU_MAX_TIME)
        abort();
    tu_format_rfc3339(t, back);
    if (!tu_parse_when(back, &t2, &why) || t2 != t)
        abort();
    for (int p = TU_PER_DAY; p <= TU_PER_MONTH; p++) {
        int64_t f = tu_period_start((enum tu_period)p, t);
        if (f > t || tu_period_start((enum tu_period)p, f) != f)
            abort();
    }
    return 0;
}
