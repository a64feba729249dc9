/* What the suites that check error messages share. */
#ifndef VMVIZ_TESTS_DIAG_HELPERS_H
#define VMVIZ_TESTS_DIAG_HELPERS_H

#include "util/diag.h"

/* diag_print's output for d, as one string (newline included). The string
 * is overwritten by the next call. */
const char *printed(const struct diag *d);
/* Asserts that got equals want, saying both on stderr when they differ. */
void check_string(const char *got, const char *want, const char *what);

#endif
