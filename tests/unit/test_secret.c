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
    CHECK_STR(m, "sk-admin-\xe2\x80\xa6" "0123");
    secret_mask("sk-proj-abcdefghijklmnopqrstuvwxyz9876", m, sizeof(m));
    CHECK_STR(m, "sk-proj-\xe2\x80\xa6" "9876");
    secret_mask("sk-admin-short", m, sizeof(m));
    CHECK_STR(m, "sk-admin-(hidden)");
    secret_mask("tiny", m, sizeof(m));
    CHECK_STR(m, "(hidden)");

    setenv(SECRET_ENV, "  sk-admin-abcdefghijklmnopqrstuvwxyz\n", 1);
    CHECK(secret_load(NULL, &key, &src, &e) == 0);
    CHECK_STR(key, "sk-admin-abcdefghijklmnopqrstuvwxyz");
    secret_free(key);

    setenv(SECRET_ENV, "sk-admin-has space", 1);
    CHECK(secret_load(NULL, &key, &src, &e) == OU_EXIT_AUTH);
    CHECK(strstr(e.msg, "has space") == NULL);
    unsetenv(SECRET_ENV);
    CHECK(secret_load(NULL, &key, &src, &e) == OU_EXIT_AUTH);
    CHECK(strstr(e.msg, "OPENAI_ADMIN_KEY") != NULL);
    CHECK(secret_load("/nonexistent/key", &key, &src, &e) == OU_EXIT_IO);
    TEST_END();
}
