/* Helpers for the suites that check error messages. See diag_helpers.h. */
#include "diag_helpers.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

const char *printed(const struct diag *d)
{
    static char buf[2048];
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    if (fp == NULL)
        return "(fmemopen failed)";
    diag_print(fp, d);
    fclose(fp);
    return buf;
}

void check_string(const char *got, const char *want, const char *what)
{
    if (got == NULL || strcmp(got, want) != 0)
        fprintf(stderr, "\n%s:\n  want: %s\n  got:  %s\n", what, want, got ? got : "(null)");
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got != NULL)
        CU_ASSERT_STRING_EQUAL(got, want);
}
