/* money.c - an amount as a person reads it (see fmt.h). */
#include "oaiusage/fmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The symbol of a currency the costs are in, or NULL. */
static const char *symbol(const char *currency)
{
    static const struct {
        const char *code, *sym;
    } syms[] = { { "usd", "$" },
                 { "eur", "\xE2\x82\xAC" },
                 { "gbp", "\xC2\xA3" } };

    for (size_t i = 0; currency != NULL && i < sizeof(syms) / sizeof(*syms);
         i++) {
        if (strcmp(currency, syms[i].code) == 0)
            return syms[i].sym;
    }
    return NULL;
}

size_t money_format(const struct dec *d, const char *currency, char *buf,
                    size_t size)
{
    const char *sym = symbol(currency);
    char code[16] = "";
    char num[DEC_FMT_MAX + 8];
    struct dec cent, abs = *d, r;
    struct dec one = dec_from_int64(1);
    int n;

    if (sym == NULL && currency != NULL && currency[0] != '\0') {
        size_t i = 0;
        code[i++] = ' ';
        for (; currency[i - 1] != '\0' && i + 1 < sizeof(code); i++)
            code[i] = (char)toupper((unsigned char)currency[i - 1]);
        code[i] = '\0';
    }
    abs.neg = false;
    dec_parse("0.01", 4, &cent);
    if (!dec_is_zero(d) && dec_cmp(&abs, &cent) < 0) {
        n = snprintf(buf, size, "%s<%s0.01%s", d->neg ? "-" : "",
                     sym != NULL ? sym : "", code);
        return n < 0 ? 0 : (size_t)n;
    }
    if (dec_div(&abs, &one, 2, &r) != DEC_OK)
        r = abs;
    dec_format_grouped(&r, num, sizeof(num));
    /* Always two decimals: 1,200.50, not 1,200.5. */
    const char *dot = strchr(num, '.');
    size_t frac = dot != NULL ? strlen(dot + 1) : 0;
    n = snprintf(buf, size, "%s%s%s%s%s%s",
                 d->neg && !dec_is_zero(&r) ? "-" : "", sym != NULL ? sym : "",
                 num, dot == NULL ? "." : "",
                 frac == 0   ? "00"
                 : frac == 1 ? "0"
                             : "",
                 code);
    return n < 0 ? 0 : (size_t)n;
}
