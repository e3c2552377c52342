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

/* An API error, as read from a failed response. */
struct api_error {
    long status; /* HTTP status; 0 without a response */
    bool has_message;
    char message[512]; /* error.message, cut between characters */
    char param[64];    /* error.param, or "" */
};

/* Read the error body of a response with the given status into e. body
 * must be writable with a NUL at body[len] (it is parsed in place). */
void api_error_read(char *body, size_t len, long status, struct api_error *e);

/* error.message of a parsed tree into msg (cut to size), false when it has
 * none: also for a page that is an error in disguise (HTTP 200 with
 * {"error":...}). */
bool api_error_in(const cJSON *root, char *msg, size_t size);

#endif
