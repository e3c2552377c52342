/* oaiusage-gen - write the man pages and the shell completions, made from
 * the command and option tables (see gen.h). Run by the build:
 *
 *   oaiusage-gen man|mock-man|bash|zsh|fish OUTPUT
 *
 * The page's date is SOURCE_DATE_EPOCH's (reproducible builds), else
 * today's, in UTC. OUTPUT is written whole or not at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oaiusage/cli.h"
#include "oaiusage/gen.h"

static void page_date(char *buf, size_t size)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    struct tm tm;

    if (sde != NULL && *sde != '\0') {
        char *end = NULL;
        long long v = strtoll(sde, &end, 10);
        if (end != NULL && *end == '\0' && v >= 0)
            t = (time_t)v;
    }
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, size, "1970-01-01");
}

static int generate(const char *what, FILE *out)
{
    char date[32];

    page_date(date, sizeof(date));
    if (strcmp(what, "man") == 0)
        return gen_man(out, OAIUSAGE_VERSION, date);
    if (strcmp(what, "mock-man") == 0)
        return gen_man_mock(out, OAIUSAGE_VERSION, date);
    if (strcmp(what, "bash") == 0)
        return gen_bash(out);
    if (strcmp(what, "zsh") == 0)
        return gen_zsh(out);
    if (strcmp(what, "fish") == 0)
        return gen_fish(out);
    fprintf(stderr, "oaiusage-gen: unknown output '%s'\n", what);
    return -1;
}

int main(int argc, char **argv)
{
    char tmp[4096];
    FILE *out;
    int rc;

    if (argc != 3) {
        fprintf(stderr,
                "usage: oaiusage-gen man|mock-man|bash|zsh|fish OUTPUT\n");
        return 2;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]) >= (int)sizeof(tmp))
        return 2;
    out = fopen(tmp, "w");
    if (out == NULL) {
        perror(tmp);
        return 1;
    }
    rc = generate(argv[1], out);
    if (fclose(out) != 0)
        rc = -1;
    if (rc != 0 || rename(tmp, argv[2]) != 0) {
        fprintf(stderr, "oaiusage-gen: cannot write %s\n", argv[2]);
        (void)remove(tmp);
        return 1;
    }
    return 0;
}
