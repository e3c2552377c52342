/* configcmd.c - the config command: the settings a run would use and
 * where each came from (see cmds.h). Reads no key and no store. */
#include "oaiusage/cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/grid.h"
#include "oaiusage/session.h"

static int row(struct grid *g, const char *setting, const char *value,
               const char *source)
{
    struct cell *r = grid_add_row(g, false);

    if (r == NULL)
        return -1;
    return grid_text(g, &r[0], setting) | grid_text(g, &r[1], value) |
           grid_text(g, &r[2], source);
}

/* "profile acme" or "[default]", line-free. */
static void entry_source(const struct profile_entry *e, char *out, size_t size)
{
    if (strcmp(e->section, "default") == 0)
        snprintf(out, size, "config [default]");
    else
        snprintf(out, size, "config [profile %s]", e->section);
}

/* A setting the environment may give: flag > environment > profile >
 * built-in. */
static int env_setting(const struct config *cfg, struct grid *g, enum opt_id id,
                       const char *env, const char *value, const char *builtin)
{
    const char *ev = env != NULL ? getenv(env) : NULL;
    char src[160];

    if (cfg->src[id] == SRC_FLAG)
        snprintf(src, sizeof(src), "--%s", opt_get(id)->name);
    else if (ev != NULL && ev[0] != '\0')
        snprintf(src, sizeof(src), "environment %s", env);
    else if (cfg->src[id] == SRC_PROFILE)
        entry_source(cfg->src_entry[id], src, sizeof(src));
    else
        snprintf(src, sizeof(src), "built-in");
    return row(g, opt_get(id)->name, value != NULL ? value : builtin, src);
}

/* Where the key comes from; never any of the key. */
static int key_setting(const struct config *cfg, struct grid *g)
{
    const char *ev = getenv("OPENAI_ADMIN_KEY");
    char value[600], src[160];

    if (cfg->key_file != NULL) {
        snprintf(value, sizeof(value), "read from %s (not shown)",
                 strcmp(cfg->key_file, "-") == 0 ? "standard input"
                                                 : cfg->key_file);
        if (cfg->src[OPT_KEY_FILE] == SRC_PROFILE)
            entry_source(cfg->src_entry[OPT_KEY_FILE], src, sizeof(src));
        else
            snprintf(src, sizeof(src), "--admin-key-file");
    } else if (ev != NULL && ev[0] != '\0') {
        snprintf(value, sizeof(value), "set (not shown)");
        snprintf(src, sizeof(src), "environment OPENAI_ADMIN_KEY");
    } else {
        snprintf(value, sizeof(value), "(none: reports need one)");
        snprintf(src, sizeof(src), "-");
    }
    return row(g, "admin key", value, src);
}

/* What the file sets, for every command (the ones that take it). */
static int file_settings(const struct config *cfg, struct grid *g)
{
    const struct profile_file *pf = &cfg->pfile;
    int rc = 0;

    for (int i = 0; i < pf->n && rc == 0; i++) {
        const struct profile_entry *e = &pf->v[i], *won;
        char key[128], src[160];
        if (strcmp(e->section, "default") != 0 &&
            (cfg->profile == NULL || strcmp(e->section, cfg->profile) != 0))
            continue;
        profile_key(e->key, key, sizeof(key));
        if (strcmp(key, "base-url") == 0 ||
            strcmp(key, "admin-key-file") == 0 || strcmp(key, "db") == 0 ||
            strcmp(key, "org") == 0)
            continue; /* shown above */
        profile_get(pf, cfg->profile, key, &won);
        if (won != e) /* one row per key: the one that wins */
            continue;
        entry_source(e, src, sizeof(src));
        rc |= row(g, key, e->value, src);
    }
    return rc;
}

int cmd_config(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    const struct profile_file *pf = &cfg->pfile;
    const struct profile_entry *e = NULL;
    char value[1200], src[160];
    struct grid g;
    int rc = 0;

    grid_init(&g, "oaiusage.config");
    rc |= grid_add_col(&g, &(struct grid_col){ "setting", true, false, false,
                                               false, NULL, false }) < 0;
    rc |= grid_add_col(&g, &(struct grid_col){ "value", true, false, false,
                                               false, "", false }) < 0;
    rc |= grid_add_col(&g, &(struct grid_col){ "source", true, false, false,
                                               false, NULL, false }) < 0;
    snprintf(value, sizeof(value), "%s%s%s",
             pf->path != NULL ? pf->path : "(none: HOME is not set)",
             pf->path != NULL && !pf->exists ? " (absent)" : "",
             pf->others_read ? " (others can read it)" : "");
    snprintf(src, sizeof(src), "%s%s", pf->dir != NULL ? "environment " : "-",
             pf->dir != NULL ? pf->dir : "");
    rc |= row(&g, "config file", value, src);
    rc |= row(&g, "profile", cfg->profile != NULL ? cfg->profile : "(none)",
              cfg->profile_from != NULL
                  ? (strcmp(cfg->profile_from, "--profile") == 0
                         ? "--profile"
                         : "environment OAIUSAGE_PROFILE")
                  : "-");
    rc |= env_setting(cfg, &g, OPT_BASE_URL, "OAIUSAGE_BASE_URL", cfg->base_url,
                      OU_DEFAULT_BASE_URL);
    rc |= key_setting(cfg, &g);
    rc |= env_setting(cfg, &g, OPT_DB, NULL, cfg->db,
                      "(none: reports read the API)");
    const char *org = profile_get(pf, cfg->profile, "org", &e);
    if (org != NULL)
        entry_source(e, src, sizeof(src));
    rc |= row(&g, "org", org != NULL ? org : STORE_DEFAULT_ORG,
              org != NULL ? src : "built-in");
    rc |= file_settings(cfg, &g);
    if (rc != 0)
        rc = ou_nomem(err);
    else
        rc = session_deliver_grid(s, &g, err);
    grid_release(&g);
    return rc;
}
