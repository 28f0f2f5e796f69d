/* Error reporting and exit codes shared by the launcher's parts. */
#ifndef DRYDOCK_REPORT_H
#define DRYDOCK_REPORT_H

#include <stdnoreturn.h>

/* The command's status is passed through; these are the launcher's own. */
#define EXIT_SETUP 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* Writes "drydock-run: MESSAGE" to stderr with one write(2), so lines of the three processes never
 * mix, and exits with CODE. */
__attribute__((format(printf, 2, 3))) noreturn void die(int code, const char *fmt, ...);

/* strerror() in lower case, to read well inside our sentences. */
const char *error_text(int err);

#endif
