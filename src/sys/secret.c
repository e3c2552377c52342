/* secret.c - loading and masking the admin key. */
#include "oaiusage/secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oaiusage/msg.h"

#define KEY_MAX 4096

void secret_free(char *key)
{
    if (key == NULL)
        return;
    volatile char *p = key;
    while (*p)
        *p++ = '\0';
    free(key);
}

static char *trimmed_copy(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                     s[n - 1] == '\t'))
        n--;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    char *k = malloc(n + 1);
    if (k == NULL)
        return NULL;
    memcpy(k, s, n);
    k[n] = '\0';
    return k;
}

static int read_key_file(const char *path, char **key, struct ou_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char buf[KEY_MAX + 2];
    struct stat st;
    size_t n;

    if (f == NULL)
        return ou_fail(err, OU_E_IO, "cannot read admin key file '%s': %s",
                       path, strerror(errno));
    if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (st.st_mode & 077) != 0)
        msg_warn("admin key file '%s' is readable by %s (chmod 600 '%s')", path,
                 (st.st_mode & 007) != 0 ? "others" : "its group", path);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    int failed = ferror(f);
    if (f != stdin && fclose(f) != 0)
        failed = 1;
    if (failed)
        return ou_fail(err, OU_E_IO, "cannot read admin key file '%s'", path);
    if (n > KEY_MAX) {
        volatile char *p = buf;
        for (size_t i = 0; i < sizeof(buf); i++)
            p[i] = 0;
        return ou_fail(err, OU_E_AUTH,
                       "admin key file '%s' is too large to hold a key", path);
    }
    *key = trimmed_copy(buf, n);
    volatile char *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
    return *key == NULL ? ou_nomem(err) : 0;
}

int secret_load(const char *key_file, char **key, const char **source,
                struct ou_err *err)
{
    int rc;

    *key = NULL;
    if (key_file != NULL) {
        *source = strcmp(key_file, "-") == 0 ? "standard input"
                                             : "--admin-key-file";
        rc = read_key_file(key_file, key, err);
        if (rc != 0)
            return rc;
    } else {
        const char *env = getenv(SECRET_ENV);
        *source = SECRET_ENV;
        if (env == NULL || env[0] == '\0')
            return ou_fail(err, OU_E_AUTH,
                           "no admin key: set %s or use --admin-key-file "
                           "FILE (an Admin key from the organization "
                           "settings, https://platform.openai.com/"
                           "settings/organization/admin-keys)",
                           SECRET_ENV);
        *key = trimmed_copy(env, strlen(env));
        if (*key == NULL)
            return ou_nomem(err);
    }
    if (*key == NULL)
        return ou_nomem(err);
    if ((*key)[0] == '\0') {
        secret_free(*key);
        *key = NULL;
        return ou_fail(err, OU_E_AUTH, "the admin key from %s is empty",
                       *source);
    }
    for (const char *p = *key; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            secret_free(*key);
            *key = NULL;
            return ou_fail(err, OU_E_AUTH,
                           "the admin key from %s contains spaces or "
                           "control characters",
                           *source);
        }
    }
    return 0;
}

static const char *key_prefix(const char *key)
{
    static const char *const prefixes[] = { "sk-admin-", "sk-proj-",
                                            "sk-svcacct-", "sk-" };

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
            return prefixes[i];
    }
    return "";
}

void secret_scrub(const char *in, const char *key, char *out, size_t size)
{
    char mask[SECRET_MASK_MAX];
    size_t klen = key != NULL ? strlen(key) : 0;
    size_t o = 0;
    size_t min_run = 0;

    if (size == 0)
        return;
    if (klen > 0) {
        secret_mask(key, mask, sizeof(mask));
        min_run = strlen(key_prefix(key)) + 4;
        if (min_run > klen)
            min_run = klen;
    }
    for (size_t i = 0; in[i] != '\0' && o + 1 < size;) {
        size_t run = 0;
        while (run < klen && in[i + run] == key[run])
            run++;
        if (klen > 0 && run >= min_run) {
            for (const char *m = mask; *m && o + 1 < size; m++)
                out[o++] = *m;
            i += run;
            continue;
        }
        unsigned char c = (unsigned char)in[i++];
        if (c < 0x20 || c == 0x7f)
            out[o++] = ' ';
        else
            out[o++] = in[i - 1];
    }
    out[o] = '\0';
}

void secret_mask(const char *key, char *buf, size_t size)
{
    size_t n = strlen(key);
    const char *pre = key_prefix(key);

    if (n < strlen(pre) + 12) {
        snprintf(buf, size, "%s(hidden)", pre);
        return;
    }
    snprintf(buf, size, "%s\xe2\x80\xa6%s", pre, key + n - 4);
}
