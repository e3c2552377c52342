/* libFuzzer target: what the budget command reads from outside: the
 * budgets file (budget_file_parse) and a spend limit body
 * (spend_limit_parse). Neither may crash or leak, and a parsed limit is
 * above zero exactly when it is set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/budget.h"
#include "oaiusage/json.h"
#include "oaiusage/spendlimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct budget_file f;
    struct spend_limit sl;
    struct ou_err err;
    char *body = malloc(size + 1);

    if (body == NULL)
        return 0;
    if (budget_file_parse((const char *)data, size, "f", &f, &err) == 0) {
        for (size_t i = 0; i < f.n; i++) {
            if (f.v[i].amount.neg || dec_is_zero(&f.v[i].amount))
                abort();
        }
        budget_file_release(&f);
    }
    memcpy(body, data, size);
    body[size] = '\0';
    if (spend_limit_parse(body, size, &sl, &err) == 0 &&
        sl.set != (!sl.amount.neg && !dec_is_zero(&sl.amount)))
        abort();
    free(body);
    json_release();
    return 0;
}
