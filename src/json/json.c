/* json.c - the exact-number JSON layer (see json.h). */
#include "oaiusage/json.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/arena.h"
#include "oaiusage/dec.h"
#include "oaiusage/text.h"

/* ---- the one scanner --------------------------------------------------------
 *
 * One pass over the body: strings (UTF-8, no NUL escape), nesting depth,
 * number literals (grammar and offsets) and, when asked, the elements of one
 * top-level array member. Structure is followed only as far as splitting
 * needs; cJSON checks the grammar.
 */

struct scanner {
    const char *s;
    size_t len;
    const char *key; /* the split member's name, or NULL */
    size_t klen;
    struct json_scan *out;
    int depth;
    bool top_object; /* the body is an object */
    bool want_key;   /* depth 1: the next string is a member name */
    bool key_match;  /* depth 1: the last name was the split key */
    bool in_split;   /* inside the split array */
    bool want_elem;  /* in it: before an element */
    bool closed;     /* the top-level value has ended */
    bool bad;        /* a shape the splitter does not handle */
    size_t elem_start;
    size_t elem_last; /* one past the last byte of the element */
};

static bool is_num_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
}

/* The JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

__attribute__((format(printf, 3, 4))) static int
scan_fail(struct scanner *sc, struct ou_err *err, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ou_fail(err, OU_E_DATA, "%s", msg);
    if (sc->in_split && !sc->want_elem)
        ou_err_prefix(err, "data[%zu]: ", sc->out->nelem);
    return OU_E_DATA;
}

/* A string whose opening quote is at *i; *i ends after its closing quote
 * (or at len when it does not close: cJSON reports that). */
static int scan_string(struct scanner *sc, size_t *i, struct ou_err *err)
{
    const char *s = sc->s;
    size_t len = sc->len;
    size_t k = *i + 1;

    while (k < len && s[k] != '"') {
        /* Plain ASCII runs first: the common case, no checks. */
        while (k < len) {
            unsigned char u = (unsigned char)s[k];
            if (u == '"' || u == '\\' || u >= 0x80 || u < 0x20)
                break;
            k++;
        }
        if (k >= len || s[k] == '"')
            break;
        if ((unsigned char)s[k] < 0x20) {
            /* RFC 8259: controls in strings must be escaped */
            sc->out->precise = true;
            return scan_fail(sc, err,
                             "a string holds a raw control character (0x%02X) "
                             "at byte offset %zu",
                             (unsigned char)s[k], k);
        }
        if (s[k] == '\\') {
            if (k + 5 < len && memcmp(s + k, "\\u0000", 6) == 0)
                return scan_fail(sc, err,
                                 "a string holds a NUL character (\\u0000) "
                                 "at byte offset %zu",
                                 k);
            k += 2;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode((const unsigned char *)s + k, len - k, &cp);
        if (n == 0)
            return scan_fail(sc, err, "invalid UTF-8 at byte offset %zu", k);
        k += n;
    }
    *i = k + 1;
    return 0;
}

static int push_offset(size_t **v, size_t *n, size_t *cap, size_t off)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        size_t *p = realloc(*v, c * sizeof(*p));
        if (p == NULL)
            return -1;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = off;
    return 0;
}

/* A number literal starting at *i. */
static int scan_number(struct scanner *sc, size_t *i, struct ou_err *err)
{
    struct json_scan *o = sc->out;
    size_t start = *i;
    size_t k = start;

    if (push_offset(&o->num, &o->nnum, &o->cap_num, start) != 0)
        return ou_nomem(err);
    while (k < sc->len && is_num_char(sc->s[k]))
        k++;
    if (!json_number(sc->s + start, k - start)) {
        int w = (int)(k - start > 40 ? 40 : k - start);
        return scan_fail(sc, err,
                         "invalid number literal '%.*s' at byte offset %zu", w,
                         sc->s + start, start);
    }
    *i = k;
    return 0;
}

/* Bookkeeping for the split array: a value byte at i..end (depth before
 * the byte). */
static void note_value(struct scanner *sc, size_t i, size_t end)
{
    if (!sc->in_split)
        return;
    if (sc->want_elem) {
        sc->want_elem = false;
        sc->elem_start = i;
    }
    sc->elem_last = end;
}

static int end_elem(struct scanner *sc, struct ou_err *err)
{
    struct json_scan *o = sc->out;

    size_t n = 2 * o->nelem;

    if (push_offset(&o->elem, &n, &o->cap_elem, sc->elem_start) != 0 ||
        push_offset(&o->elem, &n, &o->cap_elem, sc->elem_last) != 0)
        return ou_nomem(err);
    o->nelem++;
    return 0;
}

/* '{' or '[' at i. */
static int open_container(struct scanner *sc, size_t i, struct ou_err *err)
{
    char c = sc->s[i];

    if (sc->depth == 0) {
        if (sc->closed)
            sc->bad = true;
        sc->top_object = c == '{';
        sc->want_key = true;
    } else if (sc->depth == 1 && c == '[' && sc->key_match && !sc->out->split &&
               sc->top_object) {
        sc->in_split = true;
        sc->want_elem = true;
        sc->out->open = i;
        sc->out->split = true;
    } else {
        note_value(sc, i, i + 1);
    }
    if (++sc->depth > JSON_MAX_DEPTH) {
        sc->out->precise = true;
        return scan_fail(sc, err,
                         "JSON nested deeper than " JSON_MAX_DEPTH_TEXT
                         " levels at byte offset %zu",
                         i);
    }
    return 0;
}

/* '}' or ']' at i. */
static int close_container(struct scanner *sc, size_t i, struct ou_err *err)
{
    sc->depth--;
    if (sc->in_split && sc->depth == 1) {
        /* the split array ends; a trailing comma is not splittable */
        if (sc->want_elem && sc->out->nelem > 0)
            sc->bad = true;
        else if (!sc->want_elem && end_elem(sc, err) != 0)
            return OU_E_NOMEM;
        sc->in_split = false;
        sc->out->close = i;
        return 0;
    }
    if (sc->depth == 0)
        sc->closed = true;
    else if (sc->in_split && sc->depth >= 2)
        note_value(sc, i, i + 1);
    return 0;
}

static void on_comma(struct scanner *sc, struct ou_err *err)
{
    if (sc->depth == 1)
        sc->want_key = true;
    if (sc->in_split && sc->depth == 2) {
        if (sc->want_elem || end_elem(sc, err) != 0)
            sc->bad = true; /* an empty element, or out of memory */
        sc->want_elem = true;
    }
}

static int scan_token(struct scanner *sc, size_t *i, struct ou_err *err)
{
    const char *s = sc->s;
    char c = s[*i];
    int rc = 0;

    if (sc->closed && c != ' ' && c != '\t' && c != '\r' && c != '\n')
        sc->bad = true; /* data after the value: the whole parse says so */
    switch (c) {
    case '"': {
        size_t start = *i;
        bool is_key = sc->depth == 1 && sc->want_key;
        if (!is_key)
            note_value(sc, start, start + 1);
        rc = scan_string(sc, i, err);
        if (rc == 0 && is_key) {
            size_t n = *i - start - 2;
            sc->key_match = sc->key != NULL && n == sc->klen &&
                            memcmp(s + start + 1, sc->key, n) == 0;
            sc->want_key = false;
        } else if (rc == 0) {
            note_value(sc, start, *i);
        }
        return rc;
    }
    case '{':
    case '[':
        rc = open_container(sc, *i, err);
        break;
    case '}':
    case ']':
        rc = close_container(sc, *i, err);
        break;
    case ',':
        on_comma(sc, err);
        break;
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case ':':
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = *i;
            note_value(sc, start, start + 1);
            rc = scan_number(sc, i, err);
            if (rc == 0)
                note_value(sc, start, *i);
            return rc;
        }
        if ((unsigned char)c < 0x20) {
            /* JSON whitespace is space, TAB, LF and CR only */
            sc->out->precise = true;
            return scan_fail(sc, err,
                             "unexpected control character 0x%02X at byte "
                             "offset %zu",
                             (unsigned char)c, *i);
        }
        note_value(sc, *i, *i + 1);
        break;
    }
    (*i)++;
    return rc;
}

int json_scan(const char *body, size_t len, const char *split_key,
              struct json_scan *out, struct ou_err *err)
{
    struct scanner sc;
    size_t i = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    memset(&sc, 0, sizeof(sc));
    sc.s = body;
    sc.len = len;
    sc.key = split_key;
    sc.klen = split_key != NULL ? strlen(split_key) : 0;
    sc.out = out;
    while (i < len && rc == 0)
        rc = scan_token(&sc, &i, err);
    if (rc != 0 || sc.bad || sc.in_split || sc.depth != 0 || !sc.top_object)
        out->split = false;
    return rc;
}

void json_scan_free(struct json_scan *sc)
{
    free(sc->num);
    free(sc->elem);
    memset(sc, 0, sizeof(*sc));
}

/* ---- the trees' memory --------------------------------------------------
 *
 * A page's tree is hundreds of thousands of small nodes and key strings.
 * cJSON allocates them from an arena while a tree is alive, and the tree is
 * dropped at once: twice cJSON's speed with malloc/free per node.
 *
 * Several threads parse at once (a run over several organizations): the
 * hooks are installed once for the process, and each thread has its own
 * arena, used only while that thread builds a tree (between tree_begin
 * and json_tree_end); any other cJSON allocation (the JSON writer's) is
 * plain malloc and free.
 */

static _Thread_local struct arena tree_arena;
static _Thread_local bool tree_open; /* a tree is being built or used */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *tree_malloc(size_t n)
{
    return tree_open ? arena_alloc(&tree_arena, n) : malloc(n);
}

static void tree_free(void *p)
{
    if (!tree_open)
        free(p); /* else released with the arena */
}

static void install_hooks(void)
{
    cJSON_Hooks hooks = { tree_malloc, tree_free };
    cJSON_InitHooks(&hooks);
}

void json_init(void)
{
    pthread_once(&hooks_once, install_hooks);
}

static void tree_begin(void)
{
    json_init();
    tree_open = true;
}

void json_tree_end(cJSON *root)
{
    (void)root;
    tree_open = false;
    arena_reset(&tree_arena);
}

void json_release(void)
{
    tree_open = false;
    arena_release(&tree_arena);
}

/* ---- parsing with exact numbers ---------------------------------------- */

/* Give each number node under node its literal: num[*k], ... (offsets into
 * s, shifted by -shift). */
static int attach_numbers(cJSON *node, char *s, size_t len, const size_t *num,
                          size_t nnum, size_t shift, size_t *k,
                          struct ou_err *err)
{
    for (; node != NULL; node = node->next) {
        if (cJSON_IsNumber(node)) {
            if (*k >= nnum || num[*k] < shift)
                return ou_fail(err, OU_E_DATA,
                               "number literals do not match the parse");
            size_t off = num[(*k)++] - shift;
            size_t end = off;
            while (end < len && is_num_char(s[end]))
                end++;
            s[end] = '\0'; /* a delimiter, or the buffer's own NUL */
            node->valuestring = s + off;
            node->type |= cJSON_IsReference;
        } else if (node->child != NULL) {
            int rc = attach_numbers(node->child, s, len, num, nnum, shift, k,
                                    err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* Why cJSON refused s[0..len) (base: offset of s in the body). */
static void parse_error(const char *s, size_t len, size_t base, const char *end,
                        struct ou_err *err)
{
    size_t off = end != NULL && end >= s ? (size_t)(end - s) : 0;
    size_t last = len;

    while (last > 0 && strchr(" \t\r\n", s[last - 1]) != NULL)
        last--;
    size_t first = strspn(s, " \t\r\n");
    bool opened = first < len && (s[first] == '{' || s[first] == '[');
    if (opened && (last == 0 || (s[last - 1] != '}' && s[last - 1] != ']')))
        ou_fail(err, OU_E_DATA,
                "response is not complete JSON: it stops after %zu bytes "
                "inside a value (parse error at byte offset %zu)",
                base + len, base + off);
    else
        ou_fail(err, OU_E_DATA, "response is not valid JSON (byte offset %zu)",
                base + off);
}

/* cJSON over s[0..len), then a check for data after the value. */
static cJSON *parse_text(char *s, size_t len, size_t base, struct ou_err *err)
{
    const char *end = NULL;
    cJSON *root;

    if (len == 0) {
        ou_fail(err, OU_E_DATA, "empty response body");
        return NULL;
    }
    tree_begin();
    root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
    if (root == NULL) {
        parse_error(s, len, base, end, err);
        return NULL;
    }
    for (size_t i = (size_t)(end - s); i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            ou_fail(err, OU_E_DATA,
                    "unexpected data after the JSON value at byte offset %zu",
                    base + i);
            return NULL;
        }
    }
    return root;
}

cJSON *json_parse_range(char *body, size_t a, size_t b,
                        const struct json_scan *sc, size_t *k,
                        struct ou_err *err)
{
    cJSON *root;

    body[b] = '\0'; /* the byte after a value: a delimiter or the end */
    root = parse_text(body + a, b - a, a, err);
    if (root != NULL && (attach_numbers(root, body + a, b - a, sc->num,
                                        sc->nnum, a, k, err) != 0 ||
                         (*k < sc->nnum && sc->num[*k] < b))) {
        ou_fail(err, OU_E_DATA, "number literals do not match the parse");
        root = NULL;
    }
    return root;
}

cJSON *json_parse(char *body, size_t len, struct ou_err *err)
{
    struct json_scan sc;
    struct ou_err scan_err = { OU_OK, "" };
    size_t k = 0;
    cJSON *root = NULL;

    int rc = json_scan(body, len, NULL, &sc, &scan_err);
    if (rc == OU_E_NOMEM) {
        *err = scan_err;
    } else if (rc != 0) {
        /* cJSON's verdict first (structure), then the scan's */
        root = parse_text(body, len, 0, err);
        if (root != NULL || sc.precise)
            *err = scan_err;
        root = NULL;
    } else {
        root = json_parse_range(body, 0, len, &sc, &k, err);
    }
    json_scan_free(&sc);
    return root;
}

cJSON *json_parse_envelope(const char *body, size_t len,
                           const struct json_scan *sc, struct ou_err *err)
{
    size_t cut = sc->close - sc->open - 1; /* bytes dropped */
    size_t envlen = len - cut;
    size_t nnum = 0;
    size_t k = 0;
    char *env;
    size_t *num;
    cJSON *root;

    tree_begin();
    env = arena_alloc(&tree_arena, envlen + 1);
    num = arena_alloc(&tree_arena, (sc->nnum + 1) * sizeof(*num));
    if (env == NULL || num == NULL) {
        ou_nomem(err);
        return NULL;
    }
    memcpy(env, body, sc->open + 1);
    memcpy(env + sc->open + 1, body + sc->close, len - sc->close);
    env[envlen] = '\0';
    for (size_t i = 0; i < sc->nnum; i++) {
        if (sc->num[i] < sc->open)
            num[nnum++] = sc->num[i];
        else if (sc->num[i] > sc->close)
            num[nnum++] = sc->num[i] - cut;
    }
    root = parse_text(env, envlen, 0, err);
    if (root != NULL &&
        (attach_numbers(root, env, envlen, num, nnum, 0, &k, err) != 0 ||
         k != nnum)) {
        ou_fail(err, OU_E_DATA, "number literals do not match the parse");
        return NULL;
    }
    return root;
}

/* ---- reading values ------------------------------------------------------- */

bool json_int64(const cJSON *v, int64_t *out)
{
    const char *s = json_number_text(v);
    int64_t r = 0;
    bool neg = false;

    if (s == NULL)
        return false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';
        if (r > (INT64_MAX - d) / 10)
            goto slow;
        r = r * 10 + d;
    }
    if (*p == '\0' && p != s) {
        *out = neg ? -r : r;
        return true;
    }
slow : {
    struct dec d;
    if (dec_parse(v->valuestring, strlen(v->valuestring), &d) != DEC_OK)
        return false;
    return dec_to_int64(&d, out);
}
}

const char *json_number_text(const cJSON *v)
{
    return cJSON_IsNumber(v) ? v->valuestring : NULL;
}

const char *json_type_name(const cJSON *v)
{
    if (v == NULL)
        return "nothing";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "an unknown value";
}

const cJSON *json_at_path(const cJSON *obj, const char *path)
{
    char part[64];

    while (obj != NULL && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(part) || !cJSON_IsObject(obj))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        obj = cJSON_GetObjectItemCaseSensitive(obj, part);
        path += n + (path[n] == '.');
    }
    return obj;
}
