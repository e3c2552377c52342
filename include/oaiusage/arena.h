/* arena.h - many small allocations freed together.
 *
 * Memory comes from 64 KiB chunks (or one chunk for a larger request),
 * 16-byte aligned, and lives until arena_release(). The all-zero struct is
 * an empty arena.
 */
#ifndef OAIUSAGE_ARENA_H
#define OAIUSAGE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    struct arena_chunk *spare; /* kept by arena_reset for reuse */
};

/* n bytes, or NULL when out of memory. */
void *arena_alloc(struct arena *ar, size_t n);
/* A copy of s, or NULL when out of memory. */
char *arena_strdup(struct arena *ar, const char *s);
/* Forget every allocation but keep the memory for the next ones. */
void arena_reset(struct arena *ar);
/* Free everything. */
void arena_release(struct arena *ar);

#endif
