/* secret.h - loading and masking the admin key.
 *
 * The key comes from the environment (OPENAI_ADMIN_KEY) or from a file
 * (--admin-key-file, "-" = stdin), never from an option value. The returned
 * key is heap memory owned by the caller, released with secret_free(), which
 * wipes it first.
 */
#ifndef OAIUSAGE_SECRET_H
#define OAIUSAGE_SECRET_H

#include <stddef.h>

#include "oaiusage/status.h"

#define SECRET_ENV "OPENAI_ADMIN_KEY"
#define SECRET_MASK_MAX 32

/* Load the key; *source is set to a static description of where it came
 * from. Returns 0, OU_E_AUTH (missing, empty or malformed key) or
 * OU_E_IO (unreadable file). Messages never contain the key. */
int secret_load(const char *key_file, char **key, const char **source,
                struct ou_err *err);
void secret_free(char *key);

/* A display form such as "sk-admin-…abcd" (at most the recognised prefix and
 * the last four characters; short keys are fully hidden). */
void secret_mask(const char *key, char *buf, size_t size);

/* The shortest run of the key's secret part that is masked. */
#define SECRET_MIN_RUN 8
#define SECRET_KEY_MAX 4096
/* What stands in a text where the key (or a run of it) was. */
#define SECRET_HIDDEN "[key hidden]"

/* Copy text into out (size bytes, always NUL-terminated, cut between
 * characters), with every run of SECRET_MIN_RUN or more characters of the
 * key's secret part (the key without its sk-...- prefix) replaced by
 * SECRET_HIDDEN (with the prefix, when it stands right before): in either
 * letter case, and also when zero-width or format
 * characters are slipped in. The whole text is scrubbed before it is cut,
 * so no part of the key survives a cut. key NULL: a plain copy. This is
 * what msg.h applies to every line on stderr. */
void secret_scrub(const char *in, const char *key, char *out, size_t size);

#endif
