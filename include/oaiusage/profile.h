/* profile.h - the config file and its profiles.
 *
 * The file is $XDG_CONFIG_HOME/oaiusage/config (default
 * ~/.config/oaiusage/config), INI read with libinih (the only user of
 * it). A [default] section applies to every run; a [profile NAME] section
 * to runs with --profile NAME or OAIUSAGE_PROFILE=NAME, over [default].
 * Keys are long option names (format, days, group-by, base-url, db,
 * admin-key-file, ...; '_' for '-' is fine) plus org (the organization
 * label of the store's rows); key_file is admin-key-file. The file never
 * holds the key itself, only the path of a file holding it.
 *
 * A file others can write (group or world), or owned by another user, is
 * refused: it could point the key at another server. One others can read
 * is warned about. A struct profile_file owns every string in it.
 */
#ifndef OAIUSAGE_PROFILE_H
#define OAIUSAGE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "oaiusage/status.h"

struct profile_entry {
    char *section; /* "default", or the profile's name */
    char *key;     /* as written */
    char *value;
    int line;
};

struct profile_file {
    char *path;      /* where it is (or would be) */
    const char *dir; /* which variable named its directory */
    bool exists;
    bool others_read; /* group or world may read it */
    struct profile_entry *v;
    int n;
};

/* The file's path: $XDG_CONFIG_HOME/oaiusage/config, else
 * $HOME/.config/oaiusage/config; NULL when neither variable is set (no
 * file then). *dir names the variable used. Owned by the caller. */
char *profile_path(const char **dir);

/* Read the file at path into pf (pf->exists false when there is none).
 * OU_E_USAGE for a file others can write or another user owns, a syntax
 * error (with its line), or a key outside every section; OU_E_IO when it
 * cannot be read. */
int profile_load(struct profile_file *pf, const char *path, const char *dir,
                 struct ou_err *err);
void profile_release(struct profile_file *pf);

/* Does the file have a [profile NAME] section? */
bool profile_exists(const struct profile_file *pf, const char *name);

/* The profile names, in file order, without repeats, into names (at most
 * max); returns how many there are. */
int profile_names(const struct profile_file *pf, const char **names, int max);

/* The value of key (already normalised: '-' for '_') for profile name
 * (NULL: [default] only): the profile's, else [default]'s, else NULL; the
 * entry that gave it in *from. */
const char *profile_get(const struct profile_file *pf, const char *name,
                        const char *key, const struct profile_entry **from);

/* key with '_' made '-', and key_file made admin-key-file, into out. */
void profile_key(const char *key, char *out, size_t size);

#endif
