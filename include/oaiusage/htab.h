/* htab.h - the program's one hash table: open addressing, linear probing.
 *
 * A table holds pointers to entries that its user owns, each with its
 * 64-bit hash (kept, so growing never rehashes). Equality is the user's:
 * htab_probe() takes a function comparing an entry with a key; without one,
 * equal hashes mean equal entries (a set of hashes, as for page cursors).
 * The table owns only its slot arrays: htab_release() frees them, never the
 * entries. The all-zero struct is an empty table. Not for secrets: the hash
 * is FNV-1a, chosen for speed, not collision resistance.
 *
 * Typical use:
 *     if (htab_reserve(&t) != 0) -> out of memory
 *     size_t i = htab_probe(&t, h, eq, key);
 *     if (t.entry[i] == NULL) htab_set(&t, i, h, make_entry(key));
 */
#ifndef OAIUSAGE_HTAB_H
#define OAIUSAGE_HTAB_H

#include <stdbool.h>
#include <stddef.h>
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

/* Mix a 64-bit value into h (for keys made of several parts). */
static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

struct htab {
    void **entry;   /* [cap]; NULL = an empty slot */
    uint64_t *hash; /* [cap]; the hash of each entry */
    size_t cap;     /* 0 or a power of two */
    size_t n;       /* entries held */
};

/* Is `entry` the one `key` names? */
typedef bool (*htab_eq_fn)(const void *entry, const void *key);

/* Room for one more entry (grows at half full). 0, or -1 when out of
 * memory (the table is unchanged). */
int htab_reserve(struct htab *t);

/* The slot of the entry with hash h that eq says equals key (eq NULL: any
 * entry with hash h), or else the empty slot where it belongs. The table
 * must not be empty (htab_reserve first) unless only looking up. */
size_t htab_probe(const struct htab *t, uint64_t h, htab_eq_fn eq,
                  const void *key);

/* The entry that matches, or NULL. */
void *htab_find(const struct htab *t, uint64_t h, htab_eq_fn eq,
                const void *key);

/* Put entry (non-NULL) into the empty slot i that htab_probe returned. */
void htab_set(struct htab *t, size_t i, uint64_t h, void *entry);

/* A set of strings kept as their hashes (page cursors): add s; 1 when it
 * was there already, 0 when added, -1 when out of memory. */
int htab_seen(struct htab *t, const char *s);

/* Free the slot arrays (not the entries); the table is empty again. */
void htab_release(struct htab *t);

#endif
