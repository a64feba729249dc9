/* Untrusted text made safe to show.
 *
 * Scenario strings, names, paths, trace lines and command-line words reach
 * the terminal, and a terminal obeys the control characters in what it is
 * sent: ESC [ 2 J clears the screen, ESC ] 0 ; ... BEL retitles the window,
 * and so do their one-byte C1 forms (U+009B is CSI). Every place that
 * shows such text (headless output, error messages, the viewer) passes it
 * through the one classification below, so that what is escaped and how
 * cannot differ between them.
 *
 * The visible form, for people (text output, errors, the viewer):
 *   \a \b \t \n \v \f \r \e   BEL, BS, TAB, LF, VT, FF, CR and ESC
 *   \xHH                      any other C0 control and DEL (\x01, \x7f),
 *                             and every byte that is not valid UTF-8
 *   \u0080 .. \u009f          the C1 controls, written as code points
 * Everything else, the backslash included, is shown as it is: the form is
 * meant to be read, not parsed back (JSON output is the exact copy). */
#ifndef VMVIZ_UTIL_ESCAPE_H
#define VMVIZ_UTIL_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The longest visible form of one unit ("\u009f"), without a NUL. */
#define ESCAPE_UNIT_MAX 6

enum escape_kind {
    ESCAPE_PLAIN,     /* a printable character, shown as it is */
    ESCAPE_CONTROL,   /* a C0 or C1 control, or DEL: code is the code point */
    ESCAPE_INVALID    /* a byte that starts no valid UTF-8 sequence: code is the byte */
};

/* One unit of text: a whole UTF-8 character, or one stray byte. */
struct escape_unit {
    enum escape_kind kind;
    uint32_t code;    /* the code point (PLAIN, CONTROL) or the byte (INVALID) */
    size_t bytes;     /* how many bytes of the text it takes, at least 1 */
};

/* Classifies the unit that starts s[0..len) (len >= 1). UTF-8 is checked
 * strictly (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF), so a malformed sequence is never taken for a character. */
struct escape_unit escape_next(const char *s, size_t len);

/* Writes the visible form of unit u (which began at s) into out, without a
 * NUL; returns its length (at most ESCAPE_UNIT_MAX for a control or stray
 * byte, u.bytes for a plain character, copied from s). */
size_t escape_unit_form(const char *s, struct escape_unit u, char out[ESCAPE_UNIT_MAX]);

/* Flags of escape_text. */
#define ESCAPE_KEEP_NEWLINES 1u  /* leave LF as it is (for text that is wrapped
                                  * on its line breaks, such as a description) */

/* The visible form of s (NUL-terminated; NULL is ""), like snprintf: writes
 * at most size - 1 bytes into out and a NUL (when size > 0), never cutting
 * an escape or a character in two, and returns the length the whole form
 * needs. */
size_t escape_text(char *out, size_t size, const char *s, unsigned flags);

/* Writes the visible form of s (NULL is "") to fp. Returns 0, or EOF when
 * writing failed (the stream's error indicator is then set). */
int escape_fputs(const char *s, FILE *fp);

#endif
