/* text.c - UTF-8 text made safe for a terminal and for XML (see text.h). */
#include "oaiusage/text.h"

#include <ctype.h>
#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t len;
    uint32_t c;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t k = max;
    /* back over continuation bytes to the start of the cut character */
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

bool text_invisible(uint32_t cp)
{
    return cp == 0xAD || cp == 0x34F || cp == 0x61C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
           (cp >= 0xFE00 && cp <= 0xFE0F);
}

bool text_terminal_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x61C ||
           cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

int text_terminal(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int rc = 0;

    while (n > 0 && rc == 0) {
        uint32_t cp = 0;
        size_t k = utf8_decode(p, n, &cp);
        if (k == 0 || text_terminal_control(cp)) {
            rc = buf_putc(b, '?');
            k = k == 0 ? 1 : k;
        } else {
            rc = buf_append(b, p, k);
        }
        p += k;
        n -= k;
    }
    return rc;
}

/* A character XML 1.0 allows (C0 controls are handled apart). */
static bool xml_char(uint32_t cp)
{
    return cp != 0xFFFE && cp != 0xFFFF;
}

int text_xml(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int rc = 0;

    while (n > 0 && rc == 0) {
        uint32_t cp = 0;
        size_t k = utf8_decode(p, n, &cp);
        if (k == 0 || !xml_char(cp))
            rc = buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
        else if (cp < 0x20)
            rc = buf_putc(b, ' '); /* line breaks and tabs read as spaces */
        else if (cp == '&')
            rc = buf_puts(b, "&amp;");
        else if (cp == '<')
            rc = buf_puts(b, "&lt;");
        else if (cp == '>')
            rc = buf_puts(b, "&gt;");
        else if (cp == '"')
            rc = buf_puts(b, "&quot;");
        else
            rc = buf_append(b, p, k);
        k = k == 0 ? 1 : k;
        p += k;
        n -= k;
    }
    return rc;
}

#define DIST_MAX 64

/* Optimal string alignment distance, ASCII case folded; DIST_MAX + 1 when
 * either is longer than DIST_MAX. */
static size_t distance(const char *a, const char *b)
{
    size_t na = strlen(a);
    size_t nb = strlen(b);
    size_t d[DIST_MAX + 1][DIST_MAX + 1];

    if (na > DIST_MAX || nb > DIST_MAX)
        return DIST_MAX + 1;
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[na][nb];
}

const char *text_closest(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len >= 12 ? 3 : len >= 6 ? 2 : 1;
    const char *best = NULL;
    size_t best_d = limit + 1;

    for (size_t i = 0; i < n; i++) {
        if (cands[i] == NULL)
            continue;
        size_t d = distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}
