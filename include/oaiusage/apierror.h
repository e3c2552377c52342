/* apierror.h - the message of an API error body, made safe to print.
 *
 * The API explains a failed request as {"error":{"message":...}}. The
 * message is untrusted text: it is scrubbed of the key (secret_scrub)
 * before it is cut to size, so no part of the key survives a cut.
 */
#ifndef OAIUSAGE_APIERROR_H
#define OAIUSAGE_APIERROR_H

#include <stdbool.h>
#include <stddef.h>

/* The scrubbed, truncated error.message of body into msg; false when the
 * body has none. body must be writable with a NUL at body[len] (it is
 * parsed in place); key may be NULL. */
bool api_error_message(char *body, size_t len, const char *key, char *msg,
                       size_t size);

#endif
