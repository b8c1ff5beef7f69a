/*
 * msg.h - diagnostics and exit statuses shared by every p07 tool.
 * Messages go to stderr as "tool: ..." ; data errors name FILE:LINE.
 * Nothing here writes to stdout.
 */
#ifndef P07_MSG_H
#define P07_MSG_H

#include <stdint.h>

#define EXIT_DATA	1	/* bad data or a system error */
#define EXIT_USAGE	2	/* bad invocation */

extern const char *progname;

void	msg_init(const char *argv0);
/* "tool: fmt" and exit(status). */
_Noreturn void	die(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "tool: fmt: strerror(errno)" and exit(EXIT_DATA). */
_Noreturn void	die_sys(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* "tool: FILE:LINE: fmt" and exit(EXIT_DATA). */
_Noreturn void	die_at(const char *file, uint64_t line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* "tool: fmt", then "Try 'tool --help'." and exit(EXIT_USAGE). */
_Noreturn void	die_usage(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* "tool: fmt" without exiting. */
void	warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
