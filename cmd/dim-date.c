/*
 * dim-date - the year-grain date dimension: one row per year of a contiguous
 * range (given, or the earliest to the latest year found in the input),
 * then the -1 Unknown and -2 Not applicable members.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldlist.h"
#include "msg.h"
#include "numfmt.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "tsv.h"

#define YEAR_MIN	1
#define YEAR_MAX	9999

/* The era table, also in dim-date.1: the first row whose end is >= year. */
static const struct era {
	int64_t		 last;		/* last year of the era */
	const char	*label;
} eras[] = {
	{ 1929,		"Silent era" },
	{ 1959,		"Golden Age" },
	{ 1979,		"New Hollywood" },
	{ 1999,		"Blockbuster era" },
	{ 2009,		"Digital era" },
	{ YEAR_MAX,	"Streaming era" },
};

struct scan {
	struct fieldlist fl;
	struct header	 hdr;
	int		 has_header;
	int64_t		 min, max;	/* 0 until a year is seen */
	uint64_t	 rows_in, values, nulls, nonpositive;
	uint64_t	 bytes_in;
};

static int64_t	 year_arg(const char *, const char *);
static void	 scan_input(struct scan *, char **, int, const char *, int,
		    struct cli *);
static void	 scan_value(struct scan *, struct slice, size_t,
		    struct tsv_in *);
static void	 write_year(struct out *, int64_t);
static const char *ordinal_suffix(int64_t);
static const char *era_of(int64_t);
static void	 usage(FILE *);

enum { OPT_FROM = CLI_FIRST_TOOL_OPTION, OPT_TO };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "to",		required_argument,	NULL, OPT_TO },
	{ "fields",	required_argument,	NULL, 'f' },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct cli cli = { .usage = usage };
	struct scan sc = { 0 };
	struct out o;
	struct stats st = { 0 };
	const char *fields = NULL, *output = NULL;
	int64_t from = 0, to = 0, y;
	int has_from = 0, has_to = 0, ch;

	msg_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "Nf:o:", longopts, NULL)) != -1) {
		if (cli_common(&cli, ch, optarg))
			continue;
		switch (ch) {
		case OPT_FROM:
			from = year_arg(optarg, "--from");
			has_from = 1;
			break;
		case OPT_TO:
			to = year_arg(optarg, "--to");
			has_to = 1;
			break;
		case 'f':
			fields = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (has_from && has_to) {
		if (from > to)
			die_usage("--from %lld is after --to %lld",
			    (long long)from, (long long)to);
		if (fields != NULL || argc > 0)
			die_usage("--from and --to give the whole range: no "
			    "input is read (drop -f and FILE)");
	} else {
		if (fields == NULL && cli.no_header)
			die_usage("-N needs -f to say which fields hold years");
		scan_input(&sc, argv, argc, fields != NULL ? fields :
		    "startYear,endYear", cli.no_header, &cli);
		if (sc.min == 0)
			die(EXIT_DATA, "%s: no years found (expected positive "
			    "integers in -f %s)", argc == 1 ? argv[0] :
			    argc == 0 ? "stdin" : "input",
			    fields != NULL ? fields : "startYear,endYear");
		if (!has_from)
			from = sc.min;
		if (!has_to)
			to = sc.max;
		if (from > to)
			die_usage("the range %lld to %lld is empty (--%s "
			    "against the years in the input)", (long long)from,
			    (long long)to, has_from ? "from" : "to");
	}

	out_open(&o, output);
	out_str(&o, "date_key\tyear\tdecade\tdecade_label\tcentury\t"
	    "century_label\tera_label\tdate_type\n");
	for (y = from; y <= to; y++)
		write_year(&o, y);
	out_str(&o, "-1\t\\N\t\\N\tUnknown\t\\N\tUnknown\tUnknown\tunknown\n");
	out_str(&o, "-2\t\\N\t\\N\tNot applicable\t\\N\tNot applicable\t"
	    "Not applicable\tnot_applicable\n");
	out_close(&o);

	stats_u64(&st, "rows_in", sc.rows_in);
	stats_u64(&st, "rows_out", (uint64_t)(to - from + 1) + 2);
	stats_u64(&st, "rows_rejected", 0);
	stats_u64(&st, "bytes_in", sc.bytes_in);
	stats_u64(&st, "year_from", from);
	stats_u64(&st, "year_to", to);
	stats_u64(&st, "years", to - from + 1);
	stats_u64(&st, "values_year", sc.values);
	stats_u64(&st, "values_null", sc.nulls);
	stats_u64(&st, "values_nonpositive", sc.nonpositive);
	if (cli.counters)
		stats_counters(&st);
	stats_write(&st, cli.stats);
	return 0;
}

static int64_t
year_arg(const char *arg, const char *opt)
{
	int64_t v;

	if (!parse_i64(arg, strlen(arg), &v) || v < YEAR_MIN || v > YEAR_MAX)
		die_usage("%s: invalid year '%s' (expected an integer from %d "
		    "to %d)", opt, arg, YEAR_MIN, YEAR_MAX);
	return v;
}

/* The smallest and largest positive year in the FIELDS of the input. */
static void
scan_input(struct scan *sc, char **paths, int npaths, const char *fields,
    int no_header, struct cli *cli)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct progress prog;
	size_t nfields = 0, i;

	tsv_open(&t, paths, npaths, no_header ? 0 : TSV_HEADER);
	if (!no_header) {
		header_init(&sc->hdr, t.header, t.header_len);
		sc->has_header = 1;
		nfields = sc->hdr.names.n;
	}
	fieldlist_parse(&sc->fl, fields, no_header ? NULL : &sc->hdr, "-f");
	progress_start(&prog, cli->progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		sc->rows_in++;
		tsv_split(&fv, line.p, line.n);
		if (nfields == 0)
			nfields = fv.n;
		if (fv.n != nfields)
			die_at(t.name, t.line, "expected %zu fields, found %zu",
			    nfields, fv.n);
		if (sc->fl.max > fv.n)
			die_at(t.name, t.line, "-f: field %zu is past the last "
			    "field (%zu)", sc->fl.max, fv.n);
		for (i = 0; i < sc->fl.n; i++)
			scan_value(sc, fv.f[sc->fl.idx[i]], sc->fl.idx[i], &t);
		progress_row(&prog, sc->rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	progress_end(&prog, sc->rows_in, t.bytes, t.raw_bytes);
	sc->bytes_in = t.bytes;
	fields_free(&fv);
	tsv_close(&t);
}

/*
 * \N and years <= 0 are not years (they map to -1 downstream); anything
 * that is not an integer, or a year past 9999, is an error.
 */
static void
scan_value(struct scan *sc, struct slice v, size_t idx, struct tsv_in *t)
{
	char num[24];
	int64_t y;

	if (slice_eq(v, "\\N")) {
		sc->nulls++;
		return;
	}
	if (!parse_i64(v.p, v.n, &y) || y > YEAR_MAX) {
		if (sc->has_header)
			die_at(t->name, t->line, "bad %.*s '%.*s' (expected an "
			    "integer year up to %d, or \\N)",
			    (int)sc->hdr.names.f[idx].n, sc->hdr.names.f[idx].p,
			    (int)(v.n > 40 ? 40 : v.n), v.p, YEAR_MAX);
		snprintf(num, sizeof(num), "%zu", idx + 1);
		die_at(t->name, t->line, "bad field %s '%.*s' (expected an "
		    "integer year up to %d, or \\N)", num,
		    (int)(v.n > 40 ? 40 : v.n), v.p, YEAR_MAX);
	}
	if (y < YEAR_MIN) {
		sc->nonpositive++;
		return;
	}
	sc->values++;
	if (sc->min == 0 || y < sc->min)
		sc->min = y;
	if (y > sc->max)
		sc->max = y;
}

static void
write_year(struct out *o, int64_t y)
{
	int64_t decade = y / 10 * 10, century = y / 100 + 1;

	out_i64(o, y);
	out_byte(o, '\t');
	out_i64(o, y);
	out_byte(o, '\t');
	out_i64(o, decade);
	out_byte(o, '\t');
	out_i64(o, decade);
	out_str(o, "s\t");
	out_i64(o, century);
	out_byte(o, '\t');
	out_i64(o, century);
	out_str(o, ordinal_suffix(century));
	out_str(o, " century\t");
	out_str(o, era_of(y));
	out_str(o, "\tyear\n");
}

/* English: 1st 2nd 3rd 4th ... 11th 12th 13th ... 21st 22nd ... 111th */
static const char *
ordinal_suffix(int64_t n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1:
		return "st";
	case 2:
		return "nd";
	case 3:
		return "rd";
	}
	return "th";
}

static const char *
era_of(int64_t y)
{
	size_t i;

	for (i = 0; i < sizeof(eras) / sizeof(eras[0]) - 1; i++)
		if (y <= eras[i].last)
			break;
	return eras[i].label;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [--from YEAR --to YEAR] [-f FIELD[,FIELD]] [-N] "
	    "[--stats FILE] [--progress]\n"
	    "                [-o FILE] [FILE ...]\n", progname);
}
