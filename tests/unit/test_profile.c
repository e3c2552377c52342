/* The config file: sections, precedence inside the file, key spellings,
 * and refusals, on files written here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oaiusage/profile.h"
#include "test.h"

static char dir[] = "/tmp/oaiusage-profile-XXXXXX";

static const char *write_file(const char *name, const char *text, int mode)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    chmod(path, (mode_t)mode);
    return path;
}

static void sections(void)
{
    struct profile_file pf;
    struct ou_err err;
    const struct profile_entry *e;
    const char *names[4];
    const char *p = write_file("ok",
                               "; a comment\n"
                               "[default]\nformat = csv\ndays = 30\n"
                               "[profile acme]\nbase_url = http://a\n"
                               "days = 7\nkey_file = /k\n"
                               "[profile beta]\norg = b\n"
                               "[profile acme]\norg = a\n",
                               0600);

    CHECK(profile_load(&pf, p, "XDG_CONFIG_HOME", &err) == 0);
    CHECK(pf.exists && !pf.others_read && pf.n == 7);
    CHECK(profile_exists(&pf, "acme") && profile_exists(&pf, "beta"));
    CHECK(!profile_exists(&pf, "default") && !profile_exists(&pf, "gamma"));
    CHECK(profile_names(&pf, names, 4) == 2);
    CHECK_STR(names[0], "acme");
    CHECK_STR(names[1], "beta");
    /* the profile over [default]; [default] alone without one */
    CHECK_STR(profile_get(&pf, "acme", "days", &e), "7");
    CHECK_STR(e->section, "acme");
    CHECK_STR(profile_get(&pf, NULL, "days", &e), "30");
    CHECK_STR(e->section, "default");
    CHECK_STR(profile_get(&pf, "beta", "days", &e), "30");
    CHECK_STR(profile_get(&pf, "acme", "format", &e), "csv");
    /* spellings: base_url is base-url, key_file is admin-key-file */
    CHECK_STR(profile_get(&pf, "acme", "base-url", &e), "http://a");
    CHECK_STR(profile_get(&pf, "acme", "admin-key-file", &e), "/k");
    CHECK(profile_get(&pf, "beta", "base-url", &e) == NULL && e == NULL);
    /* a section written twice: both parts count */
    CHECK_STR(profile_get(&pf, "acme", "org", &e), "a");
    profile_release(&pf);
}

static void refusals(void)
{
    struct profile_file pf;
    struct ou_err err;
    const char *p;

    p = write_file("gw", "[default]\nformat = csv\n", 0620);
    CHECK(profile_load(&pf, p, "HOME", &err) == OU_E_USAGE);
    CHECK(strstr(err.msg, "can be changed by others") != NULL);
    profile_release(&pf);
    p = write_file("ow", "[default]\nformat = csv\n", 0602);
    CHECK(profile_load(&pf, p, "HOME", &err) == OU_E_USAGE);
    profile_release(&pf);
    p = write_file("or", "[default]\nformat = csv\n", 0644);
    CHECK(profile_load(&pf, p, "HOME", &err) == 0 && pf.others_read);
    profile_release(&pf);
    p = write_file("nosec", "format = csv\n", 0600);
    CHECK(profile_load(&pf, p, "HOME", &err) == OU_E_USAGE);
    CHECK(strstr(err.msg, "sections are [default]") != NULL);
    profile_release(&pf);
    p = write_file("badsec", "[profile a b]\nformat = csv\n", 0600);
    CHECK(profile_load(&pf, p, "HOME", &err) == OU_E_USAGE);
    profile_release(&pf);
    p = write_file("syntax", "[default]\nformat = csv\nthis is not ini\n",
                   0600);
    CHECK(profile_load(&pf, p, "HOME", &err) == OU_E_USAGE);
    CHECK(strstr(err.msg, "line 3") != NULL);
    profile_release(&pf);
    /* absent: no file, no error */
    char absent[256];
    snprintf(absent, sizeof(absent), "%s/none", dir);
    CHECK(profile_load(&pf, absent, "HOME", &err) == 0 && !pf.exists);
    profile_release(&pf);
}

static void paths(void)
{
    const char *from = NULL;
    char *p;
    char key[64];

    setenv("XDG_CONFIG_HOME", "/x/conf", 1);
    p = profile_path(&from);
    CHECK_STR(p, "/x/conf/oaiusage/config");
    CHECK_STR(from, "XDG_CONFIG_HOME");
    free(p);
    setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, as the spec says */
    setenv("HOME", "/h", 1);
    p = profile_path(&from);
    CHECK_STR(p, "/h/.config/oaiusage/config");
    CHECK_STR(from, "HOME");
    free(p);
    profile_key("group_by", key, sizeof(key));
    CHECK_STR(key, "group-by");
    profile_key("key_file", key, sizeof(key));
    CHECK_STR(key, "admin-key-file");
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    sections();
    refusals();
    paths();
    TEST_END();
}
