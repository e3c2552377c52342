/* test_xlsx.c - workbook sheet names (fmt_xlsx_sheet_name) against Excel's
 * rules, written out by hand: at most 31 characters, none of []:*?/\, no
 * apostrophe first or last, not "History", unique ignoring case; and a
 * workbook of several sheets is built (fmt_xlsx_book). */
#include "test.h"

#include <stdlib.h>

#include "oaiusage/fmt.h"
#include "oaiusage/grid.h"

/* Characters (code points) in a UTF-8 string. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static struct xlsx_name taken[8];

/* The name want gets with the first ntaken names of taken in use. */
static const char *name_of(const char *want, int ntaken)
{
    static struct xlsx_name out;
    fmt_xlsx_sheet_name(want, taken, ntaken, &out);
    return out.s;
}

static void names(void)
{
    /* Valid names stay as they are. */
    CHECK_STR(name_of("overview", 0), "overview");
    CHECK_STR(name_of("code-interpreter-sessions", 0),
              "code-interpreter-sessions");
    CHECK_STR(name_of("costs (usd)", 0), "costs (usd)");
    CHECK_STR(name_of("Cost\xE2\x82\xAC", 0), "Cost\xE2\x82\xAC");
    /* Forbidden characters, control characters, bad UTF-8. */
    CHECK_STR(name_of("a[b]c:d*e?f/g\\h", 0), "a_b_c_d_e_f_g_h");
    CHECK_STR(name_of("tab\there\n", 0), "tab_here_");
    CHECK_STR(name_of("x\xFFy\xC3", 0), "x_y_");
    /* Apostrophes: not first, not last; inside is fine. */
    CHECK_STR(name_of("'quoted'", 0), "_quoted_");
    CHECK_STR(name_of("it's", 0), "it's");
    /* Empty or none. */
    CHECK_STR(name_of("", 0), "Sheet");
    CHECK_STR(name_of(NULL, 0), "Sheet");
    /* 31 characters at most, cut on a character, never after an
     * apostrophe. */
    CHECK_STR(name_of("abcdefghijklmnopqrstuvwxyz0123456789", 0),
              "abcdefghijklmnopqrstuvwxyz01234");
    CHECK(chars(name_of("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                        "\xE2\x82\xAC\xE2\x82\xAC",
                        0)) == 31);
    CHECK_STR(name_of("abcdefghijklmnopqrstuvwxyz1234'xyz", 0),
              "abcdefghijklmnopqrstuvwxyz1234_");
    /* Unique, ignoring case; "History" is reserved. */
    snprintf(taken[0].s, sizeof(taken[0].s), "costs");
    snprintf(taken[1].s, sizeof(taken[1].s), "costs (2)");
    CHECK_STR(name_of("costs", 1), "costs (2)");
    CHECK_STR(name_of("COSTS", 2), "COSTS (3)");
    CHECK_STR(name_of("costs (2)", 1), "costs (2)");
    CHECK_STR(name_of("History", 0), "History (2)");
    CHECK_STR(name_of("history", 0), "history (2)");
    snprintf(taken[0].s, sizeof(taken[0].s), "abcdefghijklmnopqrstuvwxyz01234");
    CHECK_STR(name_of("abcdefghijklmnopqrstuvwxyz0123456789", 1),
              "abcdefghijklmnopqrstuvwxyz0 (2)");
}

/* A workbook of two sheets of one row each. */
static void book(void)
{
    struct grid a, b;
    struct buf out;
    struct ou_err err;

    grid_init(&a, "oaiusage.overview");
    grid_init(&b, "oaiusage.report");
    grid_add_col(&a, &(struct grid_col){ "endpoint", true, false, false, false,
                                         NULL, false });
    grid_add_col(&b, &(struct grid_col){ "amount", true, false, false, false,
                                         NULL, false });
    struct cell *r = grid_add_row(&a, false);
    CHECK(r != NULL && grid_text(&a, &r[0], "=1+1") == 0);
    r = grid_add_row(&b, false);
    CHECK(r != NULL);
    if (r != NULL) {
        r[0].kind = CELL_DEC;
        r[0].s = grid_strdup(&b, "12.5");
    }
    const struct xlsx_sheet sheets[] = { { &a, "overview" },
                                         { &b, "overview" } };
    buf_init(&out, 0);
    memset(&err, 0, sizeof(err));
    CHECK(fmt_xlsx_book(sheets, 2, &out, &err) == 0);
    CHECK(out.len > 4 && memcmp(out.data, "PK\x03\x04", 4) == 0);
    buf_release(&out);
    /* No sheet: an error, not an empty workbook. */
    buf_init(&out, 0);
    CHECK(fmt_xlsx_book(sheets, 0, &out, &err) != 0);
    CHECK(out.len == 0);
    buf_release(&out);
    grid_release(&a);
    grid_release(&b);
}

int main(void)
{
    names();
    book();
    TEST_END();
}
