/* The exit statuses of vmviz, as vmviz(1) states them under EXIT STATUS.
 * One definition for every part that returns one (the command line, the
 * viewer). */
#ifndef VMVIZ_UTIL_EXITSTATUS_H
#define VMVIZ_UTIL_EXITSTATUS_H

/* Every expectation held (and everything was written): 0, EXIT_SUCCESS. */

/* A scenario ran, and an expectation failed. */
#define EXIT_EXPECT_FAILED 1
/* Bad input: a command line, scenario, trace or theme that does not load,
 * a run stopped by the host or a stated limit, no usable terminal, or an
 * output that cannot be written. */
#define EXIT_BAD_INPUT 2
/* Ended by signal N: EXIT_SIGNAL_BASE + N, as a shell reports it. */
#define EXIT_SIGNAL_BASE 128

#endif
