/* Key masking and loading. */
#include <stdlib.h>

#include "oaiusage/secret.h"
#include "test.h"

int main(void)
{
    char m[SECRET_MASK_MAX];
    char *key = NULL;
    const char *src;
    struct ou_err e;

    secret_mask("sk-admin-abcdefghijklmnopqrstuvwxyz0123", m, sizeof(m));
    CHECK_STR(m, "sk-admin-\xe2\x80\xa6"
                 "0123");
    secret_mask("sk-proj-abcdefghijklmnopqrstuvwxyz9876", m, sizeof(m));
    CHECK_STR(m, "sk-proj-\xe2\x80\xa6"
                 "9876");
    secret_mask("sk-admin-short", m, sizeof(m));
    CHECK_STR(m, "sk-admin-(hidden)");
    secret_mask("tiny", m, sizeof(m));
    CHECK_STR(m, "(hidden)");

    setenv(SECRET_ENV, "  sk-admin-abcdefghijklmnopqrstuvwxyz\n", 1);
    CHECK(secret_load(NULL, &key, &src, &e) == 0);
    CHECK_STR(key, "sk-admin-abcdefghijklmnopqrstuvwxyz");
    secret_free(key);

    setenv(SECRET_ENV, "sk-admin-has space", 1);
    CHECK(secret_load(NULL, &key, &src, &e) == OU_E_AUTH);
    CHECK(strstr(e.msg, "has space") == NULL);
    unsetenv(SECRET_ENV);
    CHECK(secret_load(NULL, &key, &src, &e) == OU_E_AUTH);
    CHECK(strstr(e.msg, "OPENAI_ADMIN_KEY") != NULL);
    CHECK(secret_load("/nonexistent/key", &key, &src, &e) == OU_E_IO);

    /* Scrubbing untrusted messages. */
    const char *k = "sk-admin-abcdefghijklmnopqrstuvwxyz0123";
    char out[64];
    char tiny4[4];
    char big[2048];
    secret_scrub("bad key sk-admin-abcdefghijklmnopqrstuvwxyz0123 here", k, out,
                 sizeof(out));
    CHECK_STR(out, "bad key [key hidden] here");
    /* A run of 8 or more characters of the secret part is masked
     * wherever it stands; fewer are not (they identify nothing). */
    secret_scrub("key sk-admin-abcdEF", k, out, sizeof(out));
    CHECK_STR(out, "key sk-admin-abcdEF");
    secret_scrub("id cdefghij!", k, out, sizeof(out));
    CHECK_STR(out, "id [key hidden]!");
    secret_scrub("id cdefghi!", k, out, sizeof(out));
    CHECK_STR(out, "id cdefghi!");
    /* In any letter case, and with zero-width or format characters
     * slipped in: the run and what hides in it go. */
    secret_scrub("KEY: ABCDEFGHIJKLMNOP end", k, out, sizeof(out));
    CHECK_STR(out, "KEY: [key hidden] end");
    secret_scrub("x abcd\xe2\x80\x8b"
                 "efgh\xef\xbb\xbfijkl y",
                 k, out, sizeof(out));
    CHECK_STR(out, "x [key hidden] y");
    /* Runs that only overlap the key in part: the overlap goes. */
    secret_scrub("uvwxyz0123456", k, out, sizeof(out));
    CHECK_STR(out, "[key hidden]456");
    /* Nothing next to the replacement joins it into a fragment (found by
     * fuzzing: a mask that ended the way the key does, or began with its
     * letters, could). */
    secret_scrub("wxyz012abcdefgh", k, out, sizeof(out));
    CHECK_STR(out, "wxyz012[key hidden]");
    /* The non-secret prefix alone is not. */
    secret_scrub("use an sk-admin- key", k, out, sizeof(out));
    CHECK_STR(out, "use an sk-admin- key");
    /* NULL key copies (the terminal sanitiser deals with controls). */
    secret_scrub("a\x1b[31mb\nc", NULL, out, sizeof(out));
    CHECK_STR(out, "a\x1b[31mb\nc");
    /* The cut never splits a character. */
    secret_scrub("\xc3\xa9\xc3\xa9\xc3\xa9", NULL, tiny4, sizeof(tiny4));
    CHECK_STR(tiny4, "\xc3\xa9");
    /* The key straddling the cut: nothing of it past the prefix survives. */
    for (size_t pad = 0; pad < 70; pad++) {
        memset(big, 'x', pad);
        snprintf(big + pad, sizeof(big) - pad, "%s tail", k);
        secret_scrub(big, k, out, sizeof(out));
        CHECK(strlen(out) < sizeof(out));
        CHECK(strstr(out, "abcd") == NULL);
    }
    /* Short keys whose mask is longer than the key, or contains it. */
    memset(big, 'x', 600);
    snprintf(big + 600, sizeof(big) - 600, "sk-admin-abc");
    secret_scrub(big, "sk-admin-abc", out, sizeof(out));
    CHECK(strlen(out) == sizeof(out) - 1);
    secret_scrub("hidden hidden", "hidden", out, sizeof(out));
    CHECK(strstr(out, "hidden hidden") == NULL);
    char tiny[4];
    secret_scrub("sk-admin-abcdefghijklmnopqrstuvwxyz0123", k, tiny,
                 sizeof(tiny));
    CHECK(strlen(tiny) == 3);
    TEST_END();
}
