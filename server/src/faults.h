/* faults.h - fault-injection specs (--fault N:KIND[:ARG], N+:KIND[:ARG]) and
 * their lookup by 1-based request number. */
#ifndef OAIMOCK_FAULTS_H
#define OAIMOCK_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    FAULT_NONE = 0,
    FAULT_429,
    FAULT_500,
    FAULT_502,
    FAULT_503,
    FAULT_DROP,
    FAULT_TRUNCATE,
    FAULT_MALFORMED,
    FAULT_NOTJSON,
    FAULT_WRONGTYPE,
    FAULT_NODATA,
    FAULT_REPEATCURSOR,
    FAULT_HASMORE_NOCURSOR,
    FAULT_DELAY,
    FAULT_400,
    FAULT_401,
    FAULT_403,
    FAULT_GAP,     /* a page with one bucket missing from its middle */
    FAULT_OVERLAP, /* a page whose first bucket is sent twice */
    FAULT_EXTRA,   /* a page with one more bucket after the window's end */
    FAULT_HUGE,    /* 200 announcing a 4 GiB body (sends blanks until cut) */
    FAULT_DEEP,    /* 200 with JSON nested 10000 levels deep */
} fault_kind;

typedef struct {
    uint64_t n;     /* 1-based request number */
    bool and_later; /* N+ */
    fault_kind kind;
    long arg; /* seconds (429/503), ms (delay); -1 when absent */
} fault_spec;

typedef struct {
    fault_spec *items;
    size_t len, cap;
} fault_list;

/* parse one --fault SPEC; false with a message on error */
bool faults_add(fault_list *l, const char *spec, char *msg, size_t msgn);
void faults_free(fault_list *l);

/* What applies to request n: *delay_ms accumulates every matching `delay`
 * fault; the return value is the first matching non-delay fault, with exact
 * N specs taking precedence over N+ specs (FAULT_NONE if none). */
fault_spec faults_match(const fault_list *l, uint64_t n, long *delay_ms);

const char *fault_kind_name(fault_kind k);

#endif
