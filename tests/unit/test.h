/* test.h - a minimal assertion harness for the unit tests.
 *
 * CHECK(cond) and CHECK_STR(a, b) count failures and keep going; each test
 * program ends with TEST_END(), which prints "N passed, N failed" and
 * returns non-zero if anything failed.
 */
#ifndef OAIUSAGE_TEST_H
#define OAIUSAGE_TEST_H

#include <stdio.h>
#include <string.h>

static int test_pass;
static int test_fail;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            test_pass++;                                                     \
        } else {                                                             \
            test_fail++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                        \
    do {                                                       \
        const char *a_ = (a);                                  \
        const char *b_ = (b);                                  \
        if (a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0) { \
            test_pass++;                                       \
        } else {                                               \
            test_fail++;                                       \
            fprintf(stderr,                                    \
                    "%s:%d: CHECK_STR failed:\n  got:  [%s]\n" \
                    "  want: [%s]\n",                          \
                    __FILE__, __LINE__, a_ ? a_ : "(null)",    \
                    b_ ? b_ : "(null)");                       \
        }                                                      \
    } while (0)

#define TEST_END()                                              \
    do {                                                        \
        printf("%d passed, %d failed\n", test_pass, test_fail); \
        return test_fail == 0 ? 0 : 1;                          \
    } while (0)

#endif
