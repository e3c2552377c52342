/* hash.h - FNV-1a over C strings, for the hash tables (not for secrets). */
#ifndef OAIUSAGE_HASH_H
#define OAIUSAGE_HASH_H

#include <stdint.h>

#define HASH_FNV_SEED 1469598103934665603ULL

/* Continue a hash h over the bytes of s (start with HASH_FNV_SEED). */
static inline uint64_t hash_more(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static inline uint64_t hash_str(const char *s)
{
    return hash_more(HASH_FNV_SEED, s);
}

#endif
