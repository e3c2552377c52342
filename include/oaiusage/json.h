/* json.h - the exact-number JSON layer: JSON text into cJSON trees whose
 * numbers keep their literal text. The only module that calls cJSON's
 * parser; the page schema (page.h), the organization lists (listpage.h)
 * and API error bodies (apierror.h) are built on it.
 *
 * cJSON keeps numbers only as doubles, and is lenient where RFC 8259 is
 * not. Here a body is first scanned once (json_scan): strings are checked
 * (valid UTF-8, no NUL escape, no raw control character), whitespace
 * outside them is only space, TAB, LF and CR, nesting is capped
 * at JSON_MAX_DEPTH, every number literal is checked against the JSON
 * grammar and its offset recorded, and, when asked, the elements of one
 * top-level array member (a page's "data") are located, so that they can
 * be parsed one at a time. A parse then gives each number node its own
 * literal as valuestring: the text, NUL-terminated in place in the body
 * (the byte after a literal is overwritten), flagged cJSON_IsReference so
 * cJSON never frees it. Read numbers with json_int64() or
 * json_number_text(), never through valuedouble.
 *
 * Memory. While a tree is alive, cJSON's allocator hooks (process-wide)
 * point at this layer's arena: every node of every tree comes from it, and
 * json_tree_end() drops them all at once (the arena keeps its memory for
 * the next tree; json_release() frees it at exit). Hence the rules:
 *  - one tree at a time: end each tree before parsing the next;
 *  - no cJSON inside a sink callback: code called while a tree is alive
 *    (page and list callbacks) must not create, parse or print cJSON;
 *  - strings borrowed from a tree are valid until json_tree_end().
 * The body passed to a parse must be writable, with a NUL at body[len] (a
 * struct buf's data is), and must outlive the tree.
 */
#ifndef OAIUSAGE_JSON_H
#define OAIUSAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "oaiusage/status.h"

#define JSON_MAX_DEPTH 64
#define JSON_MAX_DEPTH_TEXT "64"

/* What one scan found. Offsets are into the scanned body. */
struct json_scan {
    size_t *num; /* offsets of number literals, in text order */
    size_t nnum;
    size_t cap_num;
    size_t *elem; /* [start, end) of each element of the split array */
    size_t nelem; /* elements (elem holds 2 * nelem offsets) */
    size_t cap_elem;
    bool split;   /* the split array was found and is well formed */
    size_t open;  /* the split array's '[' */
    size_t close; /* its ']' */
    bool precise; /* the scan failed on a rule cJSON does not check
                      (nesting cap, raw control characters): its
                      message is the one to give */
};

/* Scan body[0..len). split_key: the top-level member whose array elements
 * to locate ("data"), or NULL. On failure (invalid UTF-8, a NUL escape,
 * nesting too deep, a malformed number) returns OU_E_DATA with the byte
 * offset (prefixed "data[K]: " inside an element of the split array).
 * Structural errors are not this scan's business: cJSON reports them, and
 * a body the scan cannot split has split == false. Free with
 * json_scan_free() either way. */
int json_scan(const char *body, size_t len, const char *split_key,
              struct json_scan *out, struct ou_err *err);
void json_scan_free(struct json_scan *sc);

/* Parse a whole body (scanned first) into a tree with exact numbers.
 * Errors say where: not JSON, incomplete, trailing data, or the scan's.
 * Every parse, successful or not, is followed by json_tree_end(). */
cJSON *json_parse(char *body, size_t len, struct ou_err *err);

/* Parse body[a..b) (scanned as part of the body by sc) with its numbers:
 * sc->num[*k] is the next literal, and *k advances past the range. body[b]
 * is overwritten with a NUL. Offsets in messages are the body's. */
cJSON *json_parse_range(char *body, size_t a, size_t b,
                        const struct json_scan *sc, size_t *k,
                        struct ou_err *err);

/* Parse a copy of the body with the split array emptied ("data":[]): the
 * envelope, with its own numbers. The copy lives as long as the tree. */
cJSON *json_parse_envelope(const char *body, size_t len,
                           const struct json_scan *sc, struct ou_err *err);

/* Install cJSON's allocation hooks, once per process (before threads
 * start; the parsers call it too). Each thread parses into its own arena. */
void json_init(void);
/* Drop the current tree (root may be NULL). */
void json_tree_end(cJSON *root);
/* Free this thread's arena (at exit, and at the end of a thread that
 * parsed). */
void json_release(void);

/* An exact int64 from a number node; false when it is not an integer in
 * range (or not a number). */
bool json_int64(const cJSON *v, int64_t *out);
/* A number node's literal, or NULL. */
const char *json_number_text(const cJSON *v);
/* "a string", "a number", ... for messages. */
const char *json_type_name(const cJSON *v);
/* The value at a dot path ("owner.user.email") under obj, or NULL. */
const cJSON *json_at_path(const cJSON *obj, const char *path);

#endif
