/* cache.c - owns the --cache-mb response cache: a chained hash table of
 * immutable entries plus a doubly linked recency list (head = most recently
 * used), all under one mutex. Bodies are copied out of the cache outside the
 * lock: a reader holds a reference, so an entry evicted meanwhile is freed
 * by whoever drops the last reference. */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct cache_entry {
    struct cache_entry *hash_next;
    struct cache_entry *prev, *next; /* recency list */
    uint64_t hash;
    size_t size; /* accounted bytes: header, key and body */
    size_t len;  /* body length */
    int tag;
    unsigned refs; /* 1 while in the cache, +1 per reader copying it out */
    char *key;     /* both point into the same allocation */
    char *body;
} cache_entry;

struct resp_cache {
    pthread_mutex_t lock;
    cache_entry **buckets;
    size_t nbuckets; /* a power of two */
    cache_entry *head, *tail;
    cache_stats st;
};

enum { INITIAL_BUCKETS = 256 };

resp_cache *cache_create(size_t max_bytes)
{
    resp_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->nbuckets = INITIAL_BUCKETS;
    c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
    c->st.max_bytes = max_bytes;
    return c;
}

void cache_free(resp_cache *c)
{
    if (!c)
        return;
    cache_entry *e = c->head;
    while (e) {
        cache_entry *next = e->next;
        free(e);
        e = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* ---- internals (called with the lock held) ------------------------------ */

static cache_entry *find(const resp_cache *c, const char *key, uint64_t h)
{
    cache_entry *e = c->buckets[h & (c->nbuckets - 1)];
    for (; e; e = e->hash_next)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static void lru_unlink(resp_cache *c, cache_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(resp_cache *c, cache_entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static void release(cache_entry *e)
{
    if (--e->refs == 0)
        free(e);
}

static void grow(resp_cache *c)
{
    size_t n = c->nbuckets * 2;
    cache_entry **b = xcalloc(n, sizeof *b);
    for (size_t i = 0; i < c->nbuckets; i++) {
        cache_entry *e = c->buckets[i];
        while (e) {
            cache_entry *next = e->hash_next;
            e->hash_next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

static void evict_lru(resp_cache *c)
{
    cache_entry *e = c->tail;
    cache_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hash_next;
    *pp = e->hash_next;
    lru_unlink(c, e);
    c->st.bytes -= e->size;
    c->st.entries--;
    c->st.evicted++;
    release(e);
}

/* ---- API ------------------------------------------------------------------- */

bool cache_get(resp_cache *c, const char *key, char **body, size_t *len,
               int *tag)
{
    uint64_t h = hash_str(0, key);
    pthread_mutex_lock(&c->lock);
    cache_entry *e = find(c, key, h);
    if (!e) {
        c->st.misses++;
        pthread_mutex_unlock(&c->lock);
        return false;
    }
    c->st.hits++;
    lru_unlink(c, e);
    lru_push_front(c, e);
    e->refs++;
    pthread_mutex_unlock(&c->lock);

    char *copy = xmalloc(e->len + 1);
    memcpy(copy, e->body, e->len + 1);
    *body = copy;
    *len = e->len;
    *tag = e->tag;

    pthread_mutex_lock(&c->lock);
    release(e);
    pthread_mutex_unlock(&c->lock);
    return true;
}

void cache_put(resp_cache *c, const char *key, const char *body, size_t len,
               int tag)
{
    size_t klen = strlen(key);
    size_t size = sizeof(cache_entry) + klen + 1 + len + 1;
    if (size > c->st.max_bytes) {
        pthread_mutex_lock(&c->lock);
        c->st.too_big++;
        pthread_mutex_unlock(&c->lock);
        return;
    }
    cache_entry *e = xmalloc(size);
    memset(e, 0, sizeof *e);
    e->key = (char *)(e + 1);
    e->body = e->key + klen + 1;
    memcpy(e->key, key, klen + 1);
    memcpy(e->body, body, len);
    e->body[len] = '\0';
    e->hash = hash_str(0, key);
    e->size = size;
    e->len = len;
    e->tag = tag;
    e->refs = 1;

    pthread_mutex_lock(&c->lock);
    if (find(c, key, e->hash)) { /* another request stored it first */
        pthread_mutex_unlock(&c->lock);
        free(e);
        return;
    }
    while (c->tail && c->st.bytes + size > c->st.max_bytes)
        evict_lru(c);
    if (c->st.entries + 1 > c->nbuckets)
        grow(c);
    size_t b = e->hash & (c->nbuckets - 1);
    e->hash_next = c->buckets[b];
    c->buckets[b] = e;
    lru_push_front(c, e);
    c->st.bytes += size;
    c->st.entries++;
    c->st.stored++;
    pthread_mutex_unlock(&c->lock);
}

void cache_get_stats(resp_cache *c, cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->st;
    pthread_mutex_unlock(&c->lock);
}
