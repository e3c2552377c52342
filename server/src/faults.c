/* faults.c - owns parsing and matching of --fault specifications. What each
 * fault does to a response is implemented in server.c. */
#include "faults.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    fault_kind kind;
    int arg; /* 0 none, 1 optional, 2 required */
} KINDS[] = {
    {"429", FAULT_429, 1},
    {"500", FAULT_500, 0},
    {"502", FAULT_502, 0},
    {"503", FAULT_503, 1},
    {"drop", FAULT_DROP, 0},
    {"truncate", FAULT_TRUNCATE, 0},
    {"malformed", FAULT_MALFORMED, 0},
    {"notjson", FAULT_NOTJSON, 0},
    {"wrongtype", FAULT_WRONGTYPE, 0},
    {"nodata", FAULT_NODATA, 0},
    {"repeatcursor", FAULT_REPEATCURSOR, 0},
    {"hasmore-nocursor", FAULT_HASMORE_NOCURSOR, 0},
    {"delay", FAULT_DELAY, 2},
    {"400", FAULT_400, 0},
    {"401", FAULT_401, 0},
    {"403", FAULT_403, 0},
    {"gap", FAULT_GAP, 0},
    {"overlap", FAULT_OVERLAP, 0},
    {"extra", FAULT_EXTRA, 0},
    {"huge", FAULT_HUGE, 0},
    {"deep", FAULT_DEEP, 0},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

const char *fault_kind_name(fault_kind k)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (KINDS[i].kind == k)
            return KINDS[i].name;
    return "none";
}

bool faults_add(fault_list *l, const char *spec, char *msg, size_t msgn)
{
    fault_spec f = {0, false, FAULT_NONE, -1};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    char *kind = strchr(buf, ':');
    if (!kind) {
        snprintf(msg, msgn, "fault '%s': expected N:KIND[:ARG]", spec);
        return false;
    }
    *kind++ = '\0';
    size_t nl = strlen(buf);
    if (nl > 0 && buf[nl - 1] == '+') {
        f.and_later = true;
        buf[nl - 1] = '\0';
    }
    int64_t n;
    if (!parse_int64(buf, &n) || n < 1) {
        snprintf(msg, msgn, "fault '%s': N must be a positive integer", spec);
        return false;
    }
    f.n = (uint64_t)n;
    char *arg = strchr(kind, ':');
    if (arg)
        *arg++ = '\0';
    size_t k = 0;
    while (k < NKINDS && strcmp(KINDS[k].name, kind) != 0)
        k++;
    if (k == NKINDS) {
        snprintf(msg, msgn, "fault '%s': unknown kind '%s'", spec, kind);
        return false;
    }
    f.kind = KINDS[k].kind;
    if (arg) {
        int64_t v;
        if (KINDS[k].arg == 0 || !parse_int64(arg, &v) || v < 0) {
            snprintf(msg, msgn, "fault '%s': bad or unexpected argument", spec);
            return false;
        }
        f.arg = (long)v;
    } else if (KINDS[k].arg == 2) {
        snprintf(msg, msgn, "fault '%s': %s needs an argument", spec, kind);
        return false;
    }
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->len++] = f;
    return true;
}

void faults_free(fault_list *l)
{
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

fault_spec faults_match(const fault_list *l, uint64_t n, long *delay_ms)
{
    fault_spec none = {0, false, FAULT_NONE, -1};
    fault_spec exact = none, later = none;
    *delay_ms = 0;
    for (size_t i = 0; i < l->len; i++) {
        const fault_spec *f = &l->items[i];
        bool hit = f->and_later ? n >= f->n : n == f->n;
        if (!hit)
            continue;
        if (f->kind == FAULT_DELAY)
            *delay_ms += f->arg;
        else if (!f->and_later && exact.kind == FAULT_NONE)
            exact = *f;
        else if (f->and_later && later.kind == FAULT_NONE)
            later = *f;
    }
    return exact.kind != FAULT_NONE ? exact : later;
}
