/* Names for ids (names.h): the in-memory map and its cache file, in a
 * fresh temporary directory. names_resolve() needs the network and is left
 * to the end-to-end tests. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "oaiusage/names.h"
#include "test.h"

static char root[PATH_MAX];

static void join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "path too long: %s/%s\n", a, b);
        exit(2);
    }
}

static bool streq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static char *slurp(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b != NULL && (r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b != NULL)
        b[n] = '\0';
    *len = (long)n;
    return b;
}

static void spit(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fwrite(s, 1, n, f) == n);
        fclose(f);
    }
}

static void set_mtime(const char *path, time_t t)
{
    struct timeval tv[2] = { { t, 0 }, { t, 0 } };
    CHECK(utimes(path, tv) == 0);
}

static void map_basics(void)
{
    struct names *n = names_new();
    char buf[32];

    CHECK(n != NULL);
    if (n == NULL)
        return;
    for (int k = NK_PROJECT; k < NK_COUNT; k++)
        CHECK(names_count(n, (enum name_kind)k) == 0);
    CHECK(names_get(n, NK_PROJECT, "proj_a") == NULL);

    snprintf(buf, sizeof(buf), "%s", "Alpha");
    CHECK(names_put(n, NK_PROJECT, "proj_a", buf) == 0);
    buf[0] = 'X'; /* the name was copied */
    CHECK_STR(names_get(n, NK_PROJECT, "proj_a"), "Alpha");
    CHECK(names_count(n, NK_PROJECT) == 1);
    /* Kinds are separate maps. */
    CHECK(names_get(n, NK_USER, "proj_a") == NULL);
    CHECK(names_get(n, NK_API_KEY, "proj_a") == NULL);
    CHECK(names_count(n, NK_USER) == 0);
    CHECK(names_put(n, NK_USER, "proj_a", "someone@example.com") == 0);
    CHECK_STR(names_get(n, NK_USER, "proj_a"), "someone@example.com");
    CHECK_STR(names_get(n, NK_PROJECT, "proj_a"), "Alpha");

    /* A second put of an id replaces its name. */
    CHECK(names_put(n, NK_PROJECT, "proj_a", "Alpha renamed") == 0);
    CHECK_STR(names_get(n, NK_PROJECT, "proj_a"), "Alpha renamed");
    CHECK(names_count(n, NK_PROJECT) == 1);

    /* Ids are compared whole. */
    CHECK(names_get(n, NK_PROJECT, "proj_") == NULL);
    CHECK(names_get(n, NK_PROJECT, "proj_ab") == NULL);
    CHECK(names_get(n, NK_PROJECT, "PROJ_A") == NULL);

    /* Known unknown: remembered (counted), but no name. */
    CHECK(names_put(n, NK_API_KEY, "key_gone", "") == 0);
    CHECK(names_get(n, NK_API_KEY, "key_gone") == NULL);
    CHECK(names_count(n, NK_API_KEY) == 1);
    CHECK(names_put(n, NK_API_KEY, "key_gone", "back again") == 0);
    CHECK_STR(names_get(n, NK_API_KEY, "key_gone"), "back again");
    CHECK(names_count(n, NK_API_KEY) == 1);
    CHECK(names_put(n, NK_API_KEY, "key_gone", "") == 0);
    CHECK(names_get(n, NK_API_KEY, "key_gone") == NULL);
    CHECK(names_count(n, NK_API_KEY) == 1);

    CHECK(names_count(n, NK_PROJECT) == 1);
    CHECK(names_count(n, NK_USER) == 1);
    names_free(n);
    names_free(NULL);
}

struct ent {
    enum name_kind k;
    const char *id;
    const char *name; /* "" = known unknown */
};

static const struct ent tricky[] = {
    { NK_PROJECT, "proj_plain", "Plain project" },
    { NK_PROJECT, "proj\twith\ttabs", "name\twith\ttabs" },
    { NK_PROJECT, "proj\nwith\nnewlines", "name\nwith\nnewlines\n" },
    { NK_PROJECT, "back\\slash\\", "\\" },
    { NK_PROJECT, "literal \\t and \\n", "\\\\t\\n\\" },
    { NK_PROJECT, "crlf\r\n", "carriage\rreturn\r\n" },
    { NK_PROJECT, "proj_utf8", "Prøjekt – 日本語 🚀 ünïcödé" },
    { NK_PROJECT, " spaced id ", "  spaces  " },
    { NK_PROJECT, "proj_gone", "" },
    { NK_PROJECT, "\t", "\t\t" },
    { NK_USER, "user_1", "ana@example.com" },
    { NK_USER, "proj_plain", "same id, another kind" },
    { NK_USER, "user_é", "é@example.com" },
    { NK_USER, "user_gone", "" },
    { NK_API_KEY, "key_1", "prod key" },
    { NK_API_KEY, "key_2", "sk-...abcd" },
    { NK_API_KEY, "key_tab_end\t", "ends with a backslash \\" },
    { NK_API_KEY, "key_gone", "" },
};
#define NTRICKY (sizeof(tricky) / sizeof(tricky[0]))

static size_t count_kind(const struct ent *e, size_t n, enum name_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += e[i].k == k;
    return c;
}

static void check_all(const struct names *n, const struct ent *e, size_t ne)
{
    for (size_t i = 0; i < ne; i++) {
        const char *got = names_get(n, e[i].k, e[i].id);
        bool ok = e[i].name[0] == '\0' ? got == NULL : streq(got, e[i].name);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  entry %zu: got [%s]\n", i, got ? got : "(null)");
    }
    for (int k = NK_PROJECT; k < NK_COUNT; k++)
        CHECK(names_count(n, (enum name_kind)k) ==
              count_kind(e, ne, (enum name_kind)k));
}

static struct names *filled(const struct ent *e, size_t ne)
{
    struct names *n = names_new();
    CHECK(n != NULL);
    for (size_t i = 0; n != NULL && i < ne; i++)
        CHECK(names_put(n, e[i].k, e[i].id, e[i].name) == 0);
    return n;
}

static void round_trip(void)
{
    struct ou_err err = { OU_OK, "" };
    char dir1[PATH_MAX], dir2[PATH_MAX], dir3[PATH_MAX], path[PATH_MAX];
    int64_t now = (int64_t)time(NULL);

    join(dir1, sizeof(dir1), root, "cache");
    join(dir2, sizeof(dir2), dir1, "nested");
    join(dir3, sizeof(dir3), dir2, "oaiusage");
    join(path, sizeof(path), dir3, "names.tsv");
    umask(022);

    struct names *n = filled(tricky, NTRICKY);
    if (n == NULL)
        return;
    check_all(n, tricky, NTRICKY);
    CHECK(names_cache_save(n, path, &err) == 0);
    names_free(n);

    /* Private directories, made as needed; a private file. */
    CHECK(mode_of(dir1) == 0700);
    CHECK(mode_of(dir2) == 0700);
    CHECK(mode_of(dir3) == 0700);
    CHECK(mode_of(path) == 0600);
    struct stat st;
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));

    long len = 0;
    char *text = slurp(path, &len);
    CHECK(text != NULL);
    if (text != NULL) {
        CHECK(strncmp(text, "oaiusage-names 2\n", 17) == 0);
        /* One line per entry: no name or id breaks a line. */
        long lines = 0;
        for (long i = 0; i < len; i++)
            lines += text[i] == '\n';
        CHECK(lines == 1 + (long)NTRICKY);
        CHECK(len > 0 && text[len - 1] == '\n');
        CHECK((long)strlen(text) == len); /* no NUL bytes */
        free(text);
    }
    /* Only the file itself is left in its directory. */
    DIR *d = opendir(dir3);
    int entries = 0;
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL)
        entries += de->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    CHECK(entries == 1);

    struct names *m = names_new();
    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK(names_cache_load(m, path, now, 3600));
    check_all(m, tricky, NTRICKY);
    names_free(m);

    /* Saving again replaces the cache: the old entries are gone. */
    static const struct ent second[] = {
        { NK_USER, "user_new", "new@example.com" },
        { NK_API_KEY, "key_new", "" },
    };
    n = filled(second, 2);
    if (n == NULL)
        return;
    CHECK(names_cache_save(n, path, &err) == 0);
    names_free(n);
    CHECK(mode_of(path) == 0600);
    m = names_new();
    if (m == NULL)
        return;
    CHECK(names_cache_load(m, path, now, 3600));
    check_all(m, second, 2);
    CHECK(names_get(m, NK_PROJECT, "proj_plain") == NULL);
    CHECK(names_get(m, NK_USER, "user_1") == NULL);
    names_free(m);

    /* An empty map round-trips to an empty (but valid) cache. */
    n = names_new();
    if (n == NULL)
        return;
    CHECK(names_cache_save(n, path, &err) == 0);
    names_free(n);
    m = names_new();
    if (m == NULL)
        return;
    CHECK(names_cache_load(m, path, now, 3600));
    for (int k = NK_PROJECT; k < NK_COUNT; k++)
        CHECK(names_count(m, (enum name_kind)k) == 0);
    names_free(m);
}

/* Load a fresh map from path. */
static bool load(const char *path, int64_t now, int64_t ttl)
{
    struct names *m = names_new();
    bool ok = m != NULL && names_cache_load(m, path, now, ttl);
    names_free(m);
    return ok;
}

/* Archived projects are marked, and the mark survives the cache; an id
 * the whole lists lack is unlisted, one never asked about unseen. */
static void archived(void)
{
    struct ou_err err = { OU_OK, "" };
    char path[PATH_MAX];
    int64_t now = (int64_t)time(NULL);
    struct names *n = names_new(), *m = names_new();

    join(path, sizeof(path), root, "archived.tsv");
    CHECK(n != NULL && m != NULL);
    if (n == NULL || m == NULL) {
        names_free(n);
        names_free(m);
        return;
    }
    CHECK(names_put(n, NK_PROJECT, "proj_live", "Live") == 0);
    CHECK(names_put(n, NK_PROJECT, "proj_old", "Old\tBot") == 0);
    CHECK(names_mark_archived(n, NK_PROJECT, "proj_old") == 0);
    CHECK(names_put(n, NK_PROJECT, "proj_gone", "") == 0);
    CHECK(names_state(n, NK_PROJECT, "proj_old") == NAME_ARCHIVED);
    CHECK_STR(names_get(n, NK_PROJECT, "proj_old"), "Old\tBot");
    CHECK(names_cache_save(n, path, &err) == 0);
    CHECK(names_cache_load(m, path, now, 3600));
    CHECK(names_state(m, NK_PROJECT, "proj_live") == NAME_LISTED);
    CHECK(names_state(m, NK_PROJECT, "proj_old") == NAME_ARCHIVED);
    CHECK_STR(names_get(m, NK_PROJECT, "proj_old"), "Old\tBot");
    CHECK(names_state(m, NK_PROJECT, "proj_gone") == NAME_UNLISTED);
    CHECK(names_state(m, NK_PROJECT, "proj_never") == NAME_UNSEEN);
    CHECK(names_state(m, NK_USER, "proj_old") == NAME_UNSEEN);
    /* an archived name put again (a later list) stays archived */
    CHECK(names_put(m, NK_PROJECT, "proj_old", "Old Bot") == 0);
    CHECK(names_state(m, NK_PROJECT, "proj_old") == NAME_ARCHIVED);
    names_free(n);
    names_free(m);
}

static void freshness(void)
{
    struct ou_err err = { OU_OK, "" };
    char path[PATH_MAX];
    int64_t now = (int64_t)time(NULL);
    const int64_t ttl = 86400;

    join(path, sizeof(path), root, "fresh.tsv");
    struct names *n = filled(tricky, 3);
    if (n == NULL)
        return;
    CHECK(names_cache_save(n, path, &err) == 0);
    names_free(n);

    CHECK(load(path, now, ttl)); /* just written */
    set_mtime(path, (time_t)(now - ttl + 1));
    CHECK(load(path, now, ttl));
    set_mtime(path, (time_t)(now - ttl)); /* as old as the TTL: stale */
    CHECK(!load(path, now, ttl));
    set_mtime(path, (time_t)(now - 10 * ttl));
    CHECK(!load(path, now, ttl));
    /* From the future: five minutes of clock difference are tolerated. */
    set_mtime(path, (time_t)(now + 300));
    CHECK(load(path, now, ttl));
    set_mtime(path, (time_t)(now + 301));
    CHECK(!load(path, now, ttl));
    set_mtime(path, (time_t)(now + 30 * 86400));
    CHECK(!load(path, now, ttl));
    /* The TTL is the caller's: the same file is fresh under a longer one. */
    set_mtime(path, (time_t)(now - 2 * ttl));
    CHECK(!load(path, now, ttl));
    CHECK(load(path, now, 3 * ttl));
    set_mtime(path, (time_t)now);
    CHECK(load(path, now, ttl));

    char missing[PATH_MAX];
    join(missing, sizeof(missing), root, "no-such-cache.tsv");
    CHECK(!load(missing, now, ttl));
}

static void malformed(void)
{
    struct ou_err err = { OU_OK, "" };
    char good[PATH_MAX], bad[PATH_MAX];
    int64_t now = (int64_t)time(NULL);
    static const struct ent two[] = {
        { NK_PROJECT, "proj_a", "Alpha" },
        { NK_USER, "user_b", "b@example.com" },
    };

    join(good, sizeof(good), root, "good.tsv");
    join(bad, sizeof(bad), root, "bad.tsv");
    struct names *n = filled(two, 2);
    if (n == NULL)
        return;
    CHECK(names_cache_save(n, good, &err) == 0);
    names_free(n);
    CHECK(load(good, now, 3600)); /* the control */

    long len = 0;
    char *text = slurp(good, &len);
    CHECK(text != NULL);
    if (text == NULL)
        return;
    const char *body = strchr(text, '\n') + 1; /* after the magic line */
    size_t blen = (size_t)(text + len - body);
    char *buf = malloc((size_t)len + 256);
    if (buf == NULL) {
        free(text);
        return;
    }

    /* A line that is not an entry, after good lines or before them. */
    static const char *const junk[] = {
        "this line has no tabs\n",
        "\n",
        "only\tone tab\n",
        "z\tproj_c\tan unknown kind\n",
        "pu\tproj_c\ta kind of two letters\n",
        "\tproj_c\tno kind\n",
    };
    for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
        int m = snprintf(buf, (size_t)len + 256, "%s%s", text, junk[j]);
        spit(bad, buf, (size_t)m);
        CHECK(!load(bad, now, 3600));
        m = snprintf(buf, (size_t)len + 256, "oaiusage-names 2\n%s%s", junk[j],
                     body);
        spit(bad, buf, (size_t)m);
        CHECK(!load(bad, now, 3600));
    }

    /* The same lines under a wrong first line. */
    static const char
        *const
            magic
                [] = {
                    "oaiusage-names 3\n",
                    "oaiusage-names 1\n", /* before archived marks: read again */
                    "oaiusage-names\n",
                    "oaiusage-names 0\n",
                    "names 1\n",
                    "\n",
                    "OAIUSAGE-NAMES 1\n",
                };
    for (size_t j = 0; j < sizeof(magic) / sizeof(magic[0]); j++) {
        int m = snprintf(buf, (size_t)len + 256, "%s%.*s", magic[j], (int)blen,
                         body);
        spit(bad, buf, (size_t)m);
        CHECK(!load(bad, now, 3600));
    }
    /* No magic line at all; an empty file. */
    spit(bad, body, blen);
    CHECK(!load(bad, now, 3600));
    spit(bad, "", 0);
    CHECK(!load(bad, now, 3600));

    /* The magic line is not matched as a prefix: a version 20 (or "2.5")
     * cache is not taken for version 2. */
    static const char *const longer[] = { "oaiusage-names 20\n",
                                          "oaiusage-names 2.5\n" };
    for (size_t j = 0; j < 2; j++) {
        int m = snprintf(buf, (size_t)len + 256, "%s%.*s", longer[j], (int)blen,
                         body);
        spit(bad, buf, (size_t)m);
        CHECK(!load(bad, now, 3600));
    }

    /* The good file is still good (the writes above went elsewhere). */
    CHECK(load(good, now, 3600));
    free(buf);
    free(text);
}

static void many(void)
{
    struct ou_err err = { OU_OK, "" };
    char path[PATH_MAX];
    enum { N = 5000 };
    int64_t now = (int64_t)time(NULL);
    char id[64], name[96];

    join(path, sizeof(path), root, "many/names.tsv");
    struct names *n = names_new();
    CHECK(n != NULL);
    if (n == NULL)
        return;
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        for (int i = 0; i < N; i++) {
            snprintf(id, sizeof(id), "id_%d_%d", k, i);
            /* every 7th id is known-unknown */
            if (i % 7 == 3)
                name[0] = '\0';
            else
                snprintf(name, sizeof(name), "name %d of kind %d\t#%x", i, k,
                         (unsigned)(i * 2654435761u));
            if (names_put(n, (enum name_kind)k, id, name) != 0)
                CHECK(0);
        }
        CHECK(names_count(n, (enum name_kind)k) == N);
    }
    CHECK(names_cache_save(n, path, &err) == 0);
    names_free(n);

    struct names *m = names_new();
    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK(names_cache_load(m, path, now, 3600));
    int wrong = 0;
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        CHECK(names_count(m, (enum name_kind)k) == N);
        for (int i = 0; i < N; i++) {
            snprintf(id, sizeof(id), "id_%d_%d", k, i);
            const char *got = names_get(m, (enum name_kind)k, id);
            if (i % 7 == 3) {
                wrong += got != NULL;
            } else {
                snprintf(name, sizeof(name), "name %d of kind %d\t#%x", i, k,
                         (unsigned)(i * 2654435761u));
                wrong += !streq(got, name);
            }
        }
        snprintf(id, sizeof(id), "id_%d_%d", k, N);
        CHECK(names_get(m, (enum name_kind)k, id) == NULL);
    }
    CHECK(wrong == 0);
    names_free(m);
}

static void save_errors(void)
{
    struct ou_err err = { OU_OK, "" };
    char file[PATH_MAX], path[PATH_MAX];

    /* A directory of the path is a regular file. */
    join(file, sizeof(file), root, "plainfile");
    spit(file, "x", 1);
    join(path, sizeof(path), file, "sub/names.tsv");
    struct names *n = filled(tricky, 2);
    if (n == NULL)
        return;
    err.cat = OU_OK;
    CHECK(names_cache_save(n, path, &err) == OU_E_IO);
    CHECK(err.cat == OU_E_IO && err.msg[0] != '\0');
    names_free(n);
}

/* rm -r (what the test made). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX];
    struct stat st;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        join(p, sizeof(p), dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/oaiusage-names-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    mode_t old = umask(022);

    map_basics();
    round_trip();
    archived();
    freshness();
    malformed();
    many();
    save_errors();

    umask(old);
    if (test_fail == 0)
        remove_tree(root);
    else
        fprintf(stderr, "left %s for inspection\n", root);
    TEST_END();
}
