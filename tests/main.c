/* The unit-test runner: registers every suite in suites.h and runs them.
 * Exit status 0 only when every assertion of every suite held. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
#define REGISTER_SUITE(name) suite_##name##_register();
    SUITE_LIST(REGISTER_SUITE)
    /* An argument names one suite to run, verbosely ("all": every suite). */
    CU_basic_set_mode(argc > 1 ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
    CU_pSuite only = argc > 1 && strcmp(argv[1], "all") != 0
                         ? CU_get_suite(argv[1]) : NULL;
    if (argc > 1 && strcmp(argv[1], "all") != 0 && !only) {
        fprintf(stderr, "no suite named %s\n", argv[1]);
        CU_cleanup_registry();
        return 2;
    }
    if (only)
        CU_basic_run_suite(only);
    else
        CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
