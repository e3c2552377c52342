/* spendlimit.c - a spend limit object (see spendlimit.h). */
#include "oaiusage/spendlimit.h"

#include <ctype.h>
#include <string.h>

#include "oaiusage/apierror.h"
#include "oaiusage/json.h"

/* A short text member into out (lower-cased), "" when absent or null. */
static int text_member(const cJSON *root, const char *path, char *out,
                       size_t size, struct ou_err *err)
{
    const cJSON *v = json_at_path(root, path);
    size_t i = 0;

    out[0] = '\0';
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return ou_fail(err, OU_E_DATA, "%s: expected a string, got %s", path,
                       json_type_name(v));
    for (const char *s = v->valuestring; *s != '\0' && i + 1 < size; s++)
        out[i++] = (char)tolower((unsigned char)*s);
    out[i] = '\0';
    return 0;
}

static int read_limit(const cJSON *root, struct spend_limit *out,
                      struct ou_err *err)
{
    char msg[512];
    const cJSON *amt;
    const char *lit;
    struct dec cents, hundred = dec_from_int64(100);
    int rc;

    if (!cJSON_IsObject(root))
        return ou_fail(err, OU_E_DATA, "expected an object, got %s",
                       json_type_name(root));
    if (api_error_in(root, msg, sizeof(msg)))
        return ou_fail(err, OU_E_API,
                       "the API answered HTTP 200 with an "
                       "error: %s",
                       msg);
    if ((rc = text_member(root, "currency", out->currency,
                          sizeof(out->currency), err)) != 0 ||
        (rc = text_member(root, "interval", out->interval,
                          sizeof(out->interval), err)) != 0 ||
        (rc = text_member(root, "enforcement.status", out->enforcement,
                          sizeof(out->enforcement), err)) != 0)
        return rc;
    amt = cJSON_GetObjectItemCaseSensitive(root, "threshold_amount");
    if (amt == NULL || cJSON_IsNull(amt))
        return 0;
    lit = json_number_text(amt);
    if (lit == NULL)
        return ou_fail(err, OU_E_DATA,
                       "threshold_amount: expected a number, got %s",
                       json_type_name(amt));
    if (dec_parse(lit, strlen(lit), &cents) != DEC_OK)
        return ou_fail(err, OU_E_DATA, "threshold_amount: out of range (%.40s)",
                       lit);
    if (cents.neg)
        return ou_fail(err, OU_E_DATA, "threshold_amount: negative (%s)", lit);
    if (dec_is_zero(&cents))
        return 0;
    /* cents / 100, exact: two more fractional digits. */
    if (cents.scale + 2 > DEC_MAX_SCALE ||
        dec_div(&cents, &hundred, cents.scale + 2, &out->amount) != DEC_OK)
        return ou_fail(err, OU_E_DATA, "threshold_amount: out of range (%s)",
                       lit);
    if (out->currency[0] == '\0')
        return ou_fail(err, OU_E_DATA, "a limit without a currency");
    out->set = true;
    return 0;
}

int spend_limit_parse(char *body, size_t len, struct spend_limit *out,
                      struct ou_err *err)
{
    cJSON *root;
    int rc;

    memset(out, 0, sizeof(*out));
    root = json_parse(body, len, err);
    if (root == NULL) {
        json_tree_end(NULL);
        return (int)err->cat;
    }
    rc = read_limit(root, out, err);
    json_tree_end(root);
    return rc;
}
