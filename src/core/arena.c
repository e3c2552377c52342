/* arena.c - many small allocations freed together (see arena.h). */
#include "oaiusage/arena.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 65536

struct arena_chunk {
    struct arena_chunk *next;
    size_t used;
    size_t size;
    _Alignas(16) unsigned char mem[];
};

void *arena_alloc(struct arena *ar, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (ar->head == NULL || ar->head->size - ar->head->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        struct arena_chunk *c = NULL;
        if (ar->spare != NULL && ar->spare->size >= n) {
            c = ar->spare;
            ar->spare = c->next;
            c->next = ar->head;
            c->used = 0;
            ar->head = c;
            void *p = c->mem;
            c->used = n;
            return p;
        }
        c = malloc(sizeof(*c) + size);
        if (c == NULL)
            return NULL;
        c->next = ar->head;
        c->used = 0;
        c->size = size;
        ar->head = c;
    }
    void *p = ar->head->mem + ar->head->used;
    ar->head->used += n;
    return p;
}

char *arena_strdup(struct arena *ar, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(ar, n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void arena_reset(struct arena *ar)
{
    while (ar->head != NULL) {
        struct arena_chunk *next = ar->head->next;
        ar->head->next = ar->spare;
        ar->spare = ar->head;
        ar->head = next;
    }
}

void arena_release(struct arena *ar)
{
    arena_reset(ar);
    while (ar->spare != NULL) {
        struct arena_chunk *next = ar->spare->next;
        free(ar->spare);
        ar->spare = next;
    }
}
