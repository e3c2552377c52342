/* text.h - UTF-8 text from outside made safe for where it goes: a
 * terminal, an XML document, a cut to size. Pure.
 *
 * Text from the API (names, messages) can hold anything. Before it reaches
 * a terminal, every character a terminal acts on is replaced by '?': C0
 * controls, DEL, C1 controls (U+0080..U+009F, e.g. CSI, OSC), bidirectional
 * overrides and isolates, and bytes that are not valid UTF-8. Before it
 * goes into XML (SVG, the HTML report), markup characters are escaped, C0
 * controls become spaces and characters XML forbids (U+FFFE, U+FFFF,
 * invalid UTF-8) become U+FFFD. Text is only ever cut between characters.
 */
#ifndef OAIUSAGE_TEXT_H
#define OAIUSAGE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/buf.h"

/* The valid UTF-8 character at s (n bytes available): its length, and its
 * code point in *cp; 0 when the bytes there are not one. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The length of the longest prefix of s[0..len) that fits in max bytes and
 * ends between characters. */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* Zero-width and format characters (U+00AD, U+200B..U+200F, U+2060..,
 * U+FEFF, ...): invisible, so ignored when looking for the key. */
bool text_invisible(uint32_t cp);

/* Would a terminal act on it? C0, DEL, C1, bidi controls. */
bool text_terminal_control(uint32_t cp);

/* Append s for a terminal: controls and invalid bytes as '?'. */
int text_terminal(struct buf *b, const char *s);

/* Append s for XML text or an attribute value (see above). */
int text_xml(struct buf *b, const char *s);

/* "Did you mean": the candidate closest to word by edit distance (an
 * insertion, deletion, substitution or swap of two neighbours each count
 * one; case ignored), when it is close enough to be a typo (at most 1 for
 * short words, 2 from 6 characters, 3 from 12); else NULL. cands may hold
 * NULL entries (skipped). */
const char *text_closest(const char *word, const char *const *cands, size_t n);

#endif
