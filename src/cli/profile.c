/* profile.c - the config file and its profiles (see profile.h). */
#include "oaiusage/profile.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROFILE_PREFIX "profile "

char *profile_path(const char **dir)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    const char *base;
    const char *tail;
    char *p;

    if (xdg != NULL && xdg[0] == '/') {
        base = xdg;
        tail = "/oaiusage/config";
        *dir = "XDG_CONFIG_HOME";
    } else if (home != NULL && home[0] != '\0') {
        base = home;
        tail = "/.config/oaiusage/config";
        *dir = "HOME";
    } else {
        return NULL;
    }
    size_t n = strlen(base) + strlen(tail) + 1;
    p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s%s", base, tail);
    return p;
}

void profile_key(const char *key, char *out, size_t size)
{
    size_t i = 0;

    if (strcmp(key, "key_file") == 0 || strcmp(key, "key-file") == 0)
        key = "admin-key-file";
    for (; key[i] != '\0' && i + 1 < size; i++)
        out[i] = (char)(key[i] == '_' ? '-' : key[i]);
    out[i] = '\0';
}

/* What the parser hands over, and the first problem it met. */
struct reading {
    struct profile_file *pf;
    struct ou_err *err;
    int rc;
};

static int on_entry(void *user, const char *section, const char *name,
                    const char *value)
{
    struct reading *r = user;
    struct profile_file *pf = r->pf;
    const char *who;

    if (r->rc != 0)
        return 0;
    if (strcmp(section, "default") == 0) {
        who = "default";
    } else if (strncmp(section, PROFILE_PREFIX, strlen(PROFILE_PREFIX)) == 0 &&
               section[strlen(PROFILE_PREFIX)] != '\0' &&
               strchr(section + strlen(PROFILE_PREFIX), ' ') == NULL &&
               strchr(section + strlen(PROFILE_PREFIX), ',') == NULL) {
        who = section + strlen(PROFILE_PREFIX);
    } else {
        r->rc = ou_fail(r->err, OU_E_USAGE,
                        "config file %s: %s%s%s: sections are [default] and "
                        "[profile NAME] (a name without spaces or commas)",
                        pf->path, section[0] ? "[" : "key '",
                        section[0] ? section : name, section[0] ? "]" : "'");
        return 0;
    }
    struct profile_entry *v = realloc(pf->v, (size_t)(pf->n + 1) * sizeof(*v));
    if (v == NULL) {
        r->rc = ou_nomem(r->err);
        return 0;
    }
    pf->v = v;
    v += pf->n;
    v->section = strdup(who);
    v->key = strdup(name);
    v->value = strdup(value != NULL ? value : "");
    v->line = 0;
    if (v->section == NULL || v->key == NULL || v->value == NULL) {
        free(v->section);
        free(v->key);
        free(v->value);
        r->rc = ou_nomem(r->err);
        return 0;
    }
    pf->n++;
    return 1;
}

/* Refuse a file others may change; note one others may read. */
static int check_owner(struct profile_file *pf, int fd, struct ou_err *err)
{
    struct stat st;

    if (fstat(fd, &st) != 0)
        return ou_fail(err, OU_E_IO, "cannot read the config file %s: %s",
                       pf->path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ou_fail(err, OU_E_USAGE, "the config file %s is not a file",
                       pf->path);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return ou_fail(err, OU_E_USAGE,
                       "the config file %s can be changed by others (mode "
                       "%03o), so it could send the key elsewhere: chmod "
                       "go-w it",
                       pf->path, (unsigned)(st.st_mode & 0777));
    if (st.st_uid != getuid() && st.st_uid != 0)
        return ou_fail(err, OU_E_USAGE,
                       "the config file %s belongs to another user (uid "
                       "%u): it could send the key elsewhere",
                       pf->path, (unsigned)st.st_uid);
    pf->others_read = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
    return 0;
}

int profile_load(struct profile_file *pf, const char *path, const char *dir,
                 struct ou_err *err)
{
    struct reading r = { pf, err, 0 };
    FILE *f;
    int line;

    memset(pf, 0, sizeof(*pf));
    pf->dir = dir;
    if ((pf->path = strdup(path)) == NULL)
        return ou_nomem(err);
    f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return ou_fail(err, OU_E_IO, "cannot read the config file %s: %s", path,
                       strerror(errno));
    }
    pf->exists = true;
    r.rc = check_owner(pf, fileno(f), err);
    if (r.rc == 0) {
        line = ini_parse_file(f, on_entry, &r);
        if (r.rc == 0 && line > 0)
            r.rc = ou_fail(err, OU_E_USAGE,
                           "config file %s, line %d: not 'key = value' or a "
                           "[section]",
                           path, line);
        else if (r.rc == 0 && line < 0)
            r.rc = ou_nomem(err);
    }
    (void)fclose(f); /* read only: nothing to lose */
    return r.rc;
}

void profile_release(struct profile_file *pf)
{
    for (int i = 0; i < pf->n; i++) {
        free(pf->v[i].section);
        free(pf->v[i].key);
        free(pf->v[i].value);
    }
    free(pf->v);
    free(pf->path);
    memset(pf, 0, sizeof(*pf));
}

bool profile_exists(const struct profile_file *pf, const char *name)
{
    for (int i = 0; i < pf->n; i++) {
        if (strcmp(pf->v[i].section, "default") != 0 &&
            strcmp(pf->v[i].section, name) == 0)
            return true;
    }
    return false;
}

int profile_names(const struct profile_file *pf, const char **names, int max)
{
    int n = 0;

    for (int i = 0; i < pf->n; i++) {
        const char *s = pf->v[i].section;
        bool seen = strcmp(s, "default") == 0;
        for (int k = 0; k < n && k < max && !seen; k++)
            seen = strcmp(names[k], s) == 0;
        if (!seen) {
            if (n < max)
                names[n] = s;
            n++;
        }
    }
    return n;
}

const char *profile_get(const struct profile_file *pf, const char *name,
                        const char *key, const struct profile_entry **from)
{
    const struct profile_entry *dflt = NULL, *own = NULL;
    char k[128];

    for (int i = 0; i < pf->n; i++) {
        profile_key(pf->v[i].key, k, sizeof(k));
        if (strcmp(k, key) != 0)
            continue;
        if (strcmp(pf->v[i].section, "default") == 0)
            dflt = &pf->v[i]; /* the last one written wins */
        else if (name != NULL && strcmp(pf->v[i].section, name) == 0)
            own = &pf->v[i];
    }
    *from = own != NULL ? own : dflt;
    return *from != NULL ? (*from)->value : NULL;
}
