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

/* Copy untrusted text (an API error message) into out (size bytes, always
 * NUL-terminated), replacing every occurrence of the key, and of any long
 * prefix of it (its recognised prefix plus 4 or more characters), with the
 * masked form, and control characters with spaces. With key NULL the text
 * is copied with control characters replaced. Replacement happens before
 * truncation, so no part of the key survives a cut. */
void secret_scrub(const char *in, const char *key, char *out, size_t size);

#endif
