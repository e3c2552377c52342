/* libFuzzer target: the sanitisers. Any bytes through text_terminal(),
 * text_xml() and secret_scrub(): the terminal text holds no control,
 * escape or bidi character and is valid UTF-8; the XML text is valid
 * UTF-8 with no raw markup or character XML forbids; the scrubbed text
 * holds no run of 8 characters of the key's secret part, in any case and
 * with invisible characters removed, and is cut between characters. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/secret.h"
#include "oaiusage/text.h"

#define KEY "sk-admin-Fz7Qp2LmX9vB4nR8tYk3Hd6Wc1Js5Ga0"
#define SECRET "fz7qp2lmx9vb4nr8tyk3hd6wc1js5ga0"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode all of s; abort on invalid UTF-8 or a code point `bad` refuses. */
static void check_utf8(const char *s, bool (*bad)(uint32_t))
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0 || (bad != NULL && bad(cp)))
            abort();
        i += k;
    }
}

static bool valid_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static bool xml_bad(uint32_t cp)
{
    return cp < 0x20 || cp == '<' || cp == '>' || cp == '"' || cp == 0xFFFE ||
           cp == 0xFFFF;
}

/* The visible ASCII of s, folded to lower case. */
static void folded(const char *s, char *out)
{
    size_t n = strlen(s);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0) {
            k = 1;
            cp = 0xFFFD;
        }
        if (!text_invisible(cp))
            out[o++] = cp < 0x80 ? (char)tolower((int)cp) : '#';
        i += k;
    }
    out[o] = '\0';
}

static void check_scrubbed(const char *s)
{
    char *f = malloc(strlen(s) + 1);
    char run[9];
    if (f == NULL)
        return;
    folded(s, f);
    for (size_t j = 0; j + 8 <= strlen(SECRET); j++) {
        memcpy(run, &SECRET[j], 8);
        run[8] = '\0';
        if (strstr(f, run) != NULL)
            abort(); /* a fragment of the key survived */
    }
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    struct buf b;
    char out[256];

    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0'; /* text is NUL-terminated where it is used */
    buf_init(&b, 0);
    if (text_terminal(&b, in) == 0 && b.data != NULL)
        check_utf8(b.data, text_terminal_control);
    buf_reset(&b);
    if (text_xml(&b, in) == 0 && b.data != NULL) {
        check_utf8(b.data, xml_bad);
        /* '&' only as the start of an entity */
        for (const char *p = strchr(b.data, '&'); p; p = strchr(p + 1, '&'))
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
                strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6))
                abort();
    }
    buf_release(&b);
    secret_scrub(in, KEY, out, sizeof(out));
    check_scrubbed(out);
    /* valid UTF-8 stays valid: a cut never splits a character */
    if (valid_utf8(in))
        check_utf8(out, NULL);
    free(in);
    return 0;
}
