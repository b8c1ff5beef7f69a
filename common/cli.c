/*
 * cli.c - shared option handling.  It parses nothing a tool has not asked
 * for and never reads the environment.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "msg.h"

int
cli_common(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case CLI_HELP:
		c->usage(stdout);
		if (fflush(stdout) == EOF || ferror(stdout))
			die_sys("stdout: write error");
		exit(0);
	case CLI_VERSION:
		printf("%s (p07) %s\n", progname, P07_VERSION);
		if (fflush(stdout) == EOF || ferror(stdout))
			die_sys("stdout: write error");
		exit(0);
	case CLI_STATS:
		c->stats = arg;
		return 1;
	case CLI_PROGRESS:
		c->progress = 1;
		return 1;
	case CLI_COUNTERS:
		c->counters = 1;
		return 1;
	case 'N':
		c->no_header = 1;
		return 1;
	case '?':
	case ':':
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    progname);
		exit(EXIT_USAGE);
	}
	return 0;
}

uint64_t
cli_u64(const char *arg, const char *opt)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno == ERANGE)
		die_usage("%s: invalid value '%s' (expected a non-negative "
		    "integer)", opt, arg);
	return v;
}

double
cli_double(const char *arg, const char *opt)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(v))
		die_usage("%s: invalid value '%s' (expected a number)", opt,
		    arg);
	return v;
}
