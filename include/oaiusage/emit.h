/* emit.h - JSON text out: the output side of the JSON layer.
 *
 * An object is built member by member and printed compactly into a struct
 * buf (cJSON does the escaping). Numbers are given as their exact literal
 * text (jw_raw), never as doubles. An object owns copies of everything
 * added to it; jw_free() releases it. Not for use while an input tree is
 * alive (see json.h): call it between pages, not from a page callback.
 */
#ifndef OAIUSAGE_EMIT_H
#define OAIUSAGE_EMIT_H

#include <stdbool.h>

#include "oaiusage/buf.h"

struct jw;

struct jw *jw_object(void); /* NULL when out of memory */
void jw_free(struct jw *o);

/* Add a member; each returns 0, or -1 when out of memory. */
int jw_string(struct jw *o, const char *key, const char *value);
int jw_raw(struct jw *o, const char *key, const char *literal);
int jw_null(struct jw *o, const char *key);
int jw_bool(struct jw *o, const char *key, bool value);
int jw_strings(struct jw *o, const char *key, const char *const *values, int n);

/* Append the object's compact text to out; open: without its closing
 * brace (more members follow by hand). */
int jw_print(const struct jw *o, bool open, struct buf *out);

/* "cJSON 1.7.15": the library linked, for --version. */
const char *json_lib_version(void);

#endif
