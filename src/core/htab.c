/* htab.c - the program's one hash table (see htab.h). */
#include "oaiusage/htab.h"

#include <stdlib.h>

#define HTAB_MIN_CAP 64

size_t htab_probe(const struct htab *t, uint64_t h, htab_eq_fn eq,
                  const void *key)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)h & mask;

    while (t->entry[i] != NULL) {
        if (t->hash[i] == h && (eq == NULL || eq(t->entry[i], key)))
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

/* The first empty slot for hash h (growing: entries are distinct). */
static size_t free_slot(const struct htab *t, uint64_t h)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)h & mask;

    while (t->entry[i] != NULL)
        i = (i + 1) & mask;
    return i;
}

void *htab_find(const struct htab *t, uint64_t h, htab_eq_fn eq,
                const void *key)
{
    if (t->cap == 0)
        return NULL;
    return t->entry[htab_probe(t, h, eq, key)];
}

void htab_set(struct htab *t, size_t i, uint64_t h, void *entry)
{
    t->entry[i] = entry;
    t->hash[i] = h;
    t->n++;
}

int htab_reserve(struct htab *t)
{
    if ((t->n + 1) * 2 <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap * 2 : HTAB_MIN_CAP;
    void **entry = calloc(cap, sizeof(*entry));
    uint64_t *hash = calloc(cap, sizeof(*hash));
    if (entry == NULL || hash == NULL) {
        free(entry);
        free(hash);
        return -1;
    }
    struct htab bigger = { entry, hash, cap, 0 };
    for (size_t i = 0; i < t->cap; i++) {
        if (t->entry[i] != NULL)
            htab_set(&bigger, free_slot(&bigger, t->hash[i]), t->hash[i],
                     t->entry[i]);
    }
    free(t->entry);
    free(t->hash);
    t->entry = entry;
    t->hash = hash;
    t->cap = cap;
    return 0;
}

int htab_seen(struct htab *t, const char *s)
{
    uint64_t h = hash_str(s);

    if (htab_reserve(t) != 0)
        return -1;
    size_t i = htab_probe(t, h, NULL, NULL);
    if (t->entry[i] != NULL)
        return 1;
    htab_set(t, i, h, t); /* any non-NULL entry */
    return 0;
}

void htab_release(struct htab *t)
{
    free(t->entry);
    free(t->hash);
    t->entry = NULL;
    t->hash = NULL;
    t->cap = 0;
    t->n = 0;
}
