/* apierror.h - the message of an API error body.
 *
 * The API explains a failed request as {"error":{"message":...}}. The
 * message is untrusted text: it is cut between characters here, and
 * scrubbed of the key and cleaned for the terminal where it is printed
 * (msg.h).
 */
#ifndef OAIUSAGE_APIERROR_H
#define OAIUSAGE_APIERROR_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* error.message of body into msg (cut to size); false when the body has
 * none. body must be writable with a NUL at body[len] (it is parsed in
 * place). */
bool api_error_message(char *body, size_t len, char *msg, size_t size);

/* The same from a parsed tree (a page that is an error in disguise: HTTP
 * 200 with {"error":...}). */
bool api_error_in(const cJSON *root, char *msg, size_t size);

#endif
