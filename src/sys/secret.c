/* secret.c - loading and masking the admin key. */
#include "oaiusage/secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oaiusage/buf.h"
#include "oaiusage/msg.h"
#include "oaiusage/text.h"

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
    char buf[SECRET_KEY_MAX + 2];
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
    if (n > SECRET_KEY_MAX) {
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

/* ---- scrubbing ------------------------------------------------------------
 *
 * Text is compared with the key's secret part (the key without its
 * recognised prefix) character by character, ASCII letters in either case,
 * with zero-width and format characters skipped (they hide nothing from a
 * reader). Every run of SECRET_MIN_RUN or more characters that occurs in
 * the secret part is replaced by the mask, invisible characters inside it
 * included. The replacement, SECRET_HIDDEN, is bracketed so that nothing
 * next to it can join it into a fragment. Whole characters are kept or
 * dropped, never halves.
 */

/* One visible character of the text: its ASCII letter folded to lower
 * case (0 for anything the key cannot hold), and its bytes. */
struct vchar {
    unsigned char c;
    size_t from;
    size_t to;
};

static unsigned char fold(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return (unsigned char)(cp - 'A' + 'a');
    return cp > 0x20 && cp < 0x7f ? (unsigned char)cp : 0;
}

/* The visible characters of in (the caller frees *out). */
static size_t visible(const char *in, size_t len, struct vchar **out)
{
    struct vchar *v = malloc((len + 1) * sizeof(*v));
    size_t n = 0;

    *out = v;
    if (v == NULL)
        return 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t k = utf8_decode((const unsigned char *)in + i, len - i, &cp);
        if (k == 0)
            k = 1; /* a stray byte: visible, matches nothing */
        else if (text_invisible(cp)) {
            i += k;
            continue;
        }
        v[n++] = (struct vchar){ k == 1 ? fold(cp) : 0, i, i + k };
        i += k;
    }
    return n;
}

/* The longest run at v[i..n) that occurs in sec[0..m). */
static size_t longest_run(const struct vchar *v, size_t i, size_t n,
                          const char *sec, size_t m)
{
    size_t best = 0;

    for (size_t j = 0; j + best < m; j++) { /* j + best >= m: no longer run */
        size_t k = 0;
        while (i + k < n && j + k < m && v[i + k].c != 0 &&
               v[i + k].c == (unsigned char)sec[j + k])
            k++;
        if (k > best)
            best = k;
    }
    return best;
}

/* Where the masked run at v[i] starts: with the key's prefix ("sk-admin-")
 * when the text has it right before, so the mask stands for the whole
 * key; not before `copied`. */
static size_t with_prefix(const struct vchar *v, size_t i, const char *key,
                          size_t copied)
{
    size_t pl = strlen(key_prefix(key));

    if (pl == 0 || i < pl || v[i - pl].from < copied)
        return v[i].from;
    for (size_t k = 0; k < pl; k++) {
        if (v[i - pl + k].c != fold((unsigned char)key[k]))
            return v[i].from;
    }
    return v[i - pl].from;
}

/* The key's secret part, folded to lower case, into sec. */
static size_t secret_part(const char *key, char *sec, size_t size)
{
    const char *p = key + strlen(key_prefix(key));
    size_t m = 0;

    if (strlen(p) < SECRET_MIN_RUN)
        p = key; /* too short to tell apart: the whole key */
    for (; *p && m + 1 < size; p++)
        sec[m++] = (char)fold((unsigned char)*p);
    sec[m] = '\0';
    return m;
}

/* in with the key's runs masked, into b. */
static int scrub_into(const char *in, const char *key, struct buf *b)
{
    char sec[SECRET_KEY_MAX + 1];
    size_t len = strlen(in);
    size_t m = secret_part(key, sec, sizeof(sec));
    size_t min = m < SECRET_MIN_RUN ? m : SECRET_MIN_RUN;
    struct vchar *v = NULL;
    size_t n = visible(in, len, &v);
    size_t copied = 0;
    int rc = v == NULL ? -1 : 0;

    for (size_t i = 0; i < n && rc == 0 && min > 0;) {
        size_t run = longest_run(v, i, n, sec, m);
        if (run < min) {
            i++;
            continue;
        }
        size_t from = with_prefix(v, i, key, copied);
        rc |= buf_append(b, in + copied, from - copied);
        rc |= buf_puts(b, SECRET_HIDDEN);
        copied = v[i + run - 1].to;
        i += run;
    }
    if (rc == 0)
        rc = buf_append(b, in + copied, len - copied);
    free(v);
    return rc;
}

void secret_scrub(const char *in, const char *key, char *out, size_t size)
{
    struct buf b;

    if (size == 0)
        return;
    buf_init(&b, 0);
    if (key == NULL || key[0] == '\0' ? buf_puts(&b, in) != 0
                                      : scrub_into(in, key, &b) != 0) {
        /* Out of memory: say nothing rather than risk the key. */
        buf_release(&b);
        snprintf(out, size, "%s", "(message withheld)");
        return;
    }
    size_t n = utf8_cut(b.data, b.len, size - 1);
    memcpy(out, b.data, n);
    out[n] = '\0';
    buf_release(&b);
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
