/* spendlimit.h - a spend limit object of the API into a struct spend_limit,
 * on the exact-number JSON layer (json.h).
 *
 * GET /organization/spend_limit and /organization/projects/{id}/spend_limit
 * answer {"object":"organization.spend_limit" | "project.spend_limit",
 * "threshold_amount": <cents>, "currency": "USD", "interval": "month",
 * "enforcement": {"status": "inactive" | "enforcing"}}. The amount is in
 * cents, an integer (one spelling of the reference says "number": a
 * decimal literal is read exactly too). A limit of 0 (or a null or absent
 * threshold_amount) means none is set; so does a 404 (the API's answer
 * for an unset limit is not documented: the caller treats both alike).
 */
#ifndef OAIUSAGE_SPENDLIMIT_H
#define OAIUSAGE_SPENDLIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "oaiusage/dec.h"
#include "oaiusage/status.h"

struct spend_limit {
    bool set;             /* a limit above 0 */
    struct dec amount;    /* in the currency's units (cents / 100) */
    char currency[16];    /* lower case, as costs write it ("usd") */
    char interval[16];    /* "month" */
    char enforcement[16]; /* "inactive", "enforcing", or "" */
};

/* Parse body[0..len) (writable, NUL at body[len]). OU_E_DATA when it is
 * not a spend limit object, or its amount is negative or not a number. */
int spend_limit_parse(char *body, size_t len, struct spend_limit *out,
                      struct ou_err *err);

#endif
