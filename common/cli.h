/*
 * cli.h - the options every tool shares (--help, --version, --stats,
 * --progress, --counters, -N) and strict parsing of numeric arguments.
 * Each tool still owns its getopt_long loop; this only removes the repeats.
 */
#ifndef P07_CLI_H
#define P07_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#ifndef P07_VERSION
#define P07_VERSION "0.0.0"
#endif

enum {
	CLI_HELP = 0x1000,
	CLI_VERSION,
	CLI_STATS,
	CLI_PROGRESS,
	CLI_COUNTERS,
	CLI_FIRST_TOOL_OPTION	/* tools number their long-only options from here */
};

#define CLI_LONGOPTS \
	{ "help",	no_argument,		NULL, CLI_HELP }, \
	{ "version",	no_argument,		NULL, CLI_VERSION }, \
	{ "stats",	required_argument,	NULL, CLI_STATS }, \
	{ "progress",	no_argument,		NULL, CLI_PROGRESS }, \
	{ "counters",	no_argument,		NULL, CLI_COUNTERS }, \
	{ "no-header",	no_argument,		NULL, 'N' }

struct cli {
	const char	*stats;		/* --stats FILE */
	int		 progress;	/* --progress */
	int		 counters;	/* --counters: Hadoop counters on stderr */
	int		 no_header;	/* -N */
	void		(*usage)(FILE *);
};

/*
 * Handle option OPT if it is a common one: 1 when handled.  '?' (getopt's
 * complaint) becomes a usage error.  --help and --version exit here.
 */
int		 cli_common(struct cli *c, int opt, const char *arg);
/* Strict parsers for option arguments: a bad value is a usage error. */
uint64_t	 cli_u64(const char *arg, const char *opt);
double		 cli_double(const char *arg, const char *opt);

#endif
