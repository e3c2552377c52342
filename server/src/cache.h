/* cache.h - the --cache-mb response cache of `serve`: finished response
 * bodies stored under a string key, bounded in bytes with the least recently
 * used entries evicted first, safe to share between threads. What is cached
 * and under which key is decided by server.c. */
#ifndef OAIMOCK_CACHE_H
#define OAIMOCK_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct resp_cache resp_cache;

typedef struct {
    uint64_t hits, misses, stored, evicted, too_big;
    size_t entries;
    size_t bytes;     /* accounted bytes of the cached entries */
    size_t max_bytes; /* the bound */
} cache_stats;

/* A cache holding at most max_bytes (bodies, keys and per-entry overhead). */
resp_cache *cache_create(size_t max_bytes);
void cache_free(resp_cache *c);

/* On a hit: *body is a fresh NUL-terminated copy (caller frees), *len its
 * length, *tag the value given to cache_put; the entry becomes the most
 * recently used. False on a miss. */
bool cache_get(resp_cache *c, const char *key, char **body, size_t *len,
               int *tag);

/* Stores a copy of body under key, evicting least recently used entries
 * until it fits. An entry larger than the whole bound is not stored; a key
 * already present keeps its entry. */
void cache_put(resp_cache *c, const char *key, const char *body, size_t len,
               int tag);

void cache_get_stats(resp_cache *c, cache_stats *out);

#endif
