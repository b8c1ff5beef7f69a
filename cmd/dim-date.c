/*
 * dim-date - the year-grain date dimension: one row per year of a contiguous
 * range (given, or the earliest to the latest year found in the input),
 * then the -1 Unknown and -2 Not applicable members.  With --keys it writes
 * no dimension but the input rows with their dim_date keys appended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldlist.h"
#include "fieldscan.h"
#include "msg.h"
#include "numfmt.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "tsv.h"

#define YEAR_MIN	1
#define YEAR_MAX	9999

#define KEY_UNKNOWN	(-1)
#define KEY_NOT_APPLICABLE (-2)

/* The title types whose end year is a key; the others' is -2 (DESIGN §4). */
static const struct {
	const char	*p;
	size_t		 n;
} types_with_end[] = {
	{ "tvSeries",		8 },
	{ "tvMiniSeries",	12 },
};

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

/* --keys: the fields read and the keys counted. */
struct keys {
	size_t		 start, end, type;	/* 0-based field indexes */
	uint64_t	 start_unknown, end_unknown, end_not_applicable;
};

static int64_t	 year_arg(const char *, const char *);
static void	 scan_input(struct scan *, char **, int, const char *, int,
		    struct cli *);
static void	 scan_value(struct scan *, struct slice, size_t,
		    struct tsv_in *);
static int64_t	 year_value(struct scan *, struct slice, size_t,
		    struct tsv_in *);
static void	 write_keys(struct scan *, struct keys *, char **, int,
		    const char *, const char *, struct cli *, const char *);
static void	 resolve_keys(struct scan *, struct keys *, const char *,
		    const char *, int);
static void	 write_key(struct out *, int64_t, struct slice);
static int	 has_end(struct slice);
static void	 keys_stats(struct stats *, const struct scan *,
		    const struct keys *);
static void	 write_year(struct out *, int64_t);
static const char *ordinal_suffix(int64_t);
static const char *era_of(int64_t);
static void	 usage(FILE *);

enum { OPT_FROM = CLI_FIRST_TOOL_OPTION, OPT_TO, OPT_KEYS, OPT_TYPE };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "to",		required_argument,	NULL, OPT_TO },
	{ "fields",	required_argument,	NULL, 'f' },
	{ "keys",	no_argument,		NULL, OPT_KEYS },
	{ "type",	required_argument,	NULL, OPT_TYPE },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct cli cli = { .usage = usage };
	struct scan sc = { 0 };
	struct keys k = { 0 };
	struct out o;
	struct stats st = { 0 };
	const char *fields = NULL, *output = NULL, *type = NULL;
	int64_t from = 0, to = 0, y;
	int has_from = 0, has_to = 0, keys = 0, ch;

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
		case OPT_KEYS:
			keys = 1;
			break;
		case OPT_TYPE:
			type = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (type != NULL && !keys)
		die_usage("--type is only used with --keys");
	if (keys) {
		if (has_from || has_to)
			die_usage("--keys writes no dimension: --from and --to "
			    "cannot be used with it");
		if (fields == NULL && cli.no_header)
			die_usage("-N needs -f to say which fields hold years");
		if (type == NULL && cli.no_header)
			die_usage("-N needs --type to say which field holds "
			    "the title type");
		write_keys(&sc, &k, argv, argc, fields != NULL ? fields :
		    "startYear,endYear", type != NULL ? type : "titleType",
		    &cli, output);
		keys_stats(&st, &sc, &k);
		if (cli.counters)
			stats_counters(&st);
		stats_write(&st, cli.stats);
		return 0;
	}
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

static void
scan_value(struct scan *sc, struct slice v, size_t idx, struct tsv_in *t)
{
	int64_t y = year_value(sc, v, idx, t);

	if (y == 0)
		return;
	if (sc->min == 0 || y < sc->min)
		sc->min = y;
	if (y > sc->max)
		sc->max = y;
}

/*
 * The year in V (field IDX), or 0 when V is no year: \N and integers <= 0
 * are not years (they map to -1), counted apart; anything that is not an
 * integer, or a year past 9999, is an error.  Leading zeros are allowed
 * ("0123" is 123); '+', spaces and decimals are not.
 */
static int64_t
year_value(struct scan *sc, struct slice v, size_t idx, struct tsv_in *t)
{
	char num[24];
	int64_t y;

	/* most values are four digits or \N: no general parse for them */
	if (v.n == 4 && v.p[0] >= '1' && v.p[0] <= '9' &&
	    (unsigned)(v.p[1] - '0') < 10 && (unsigned)(v.p[2] - '0') < 10 &&
	    (unsigned)(v.p[3] - '0') < 10) {
		sc->values++;
		return (v.p[0] - '0') * 1000 + (v.p[1] - '0') * 100 +
		    (v.p[2] - '0') * 10 + (v.p[3] - '0');
	}
	if (v.n == 2 && v.p[0] == '\\' && v.p[1] == 'N') {
		sc->nulls++;
		return 0;
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
		return 0;
	}
	sc->values++;
	return y;
}

/*
 * --keys: every input row (and the header) with start_year_key and
 * end_year_key appended, in one streaming pass.  The year fields are read
 * by the dimension's rules (year_value), so a value the dimension would
 * reject is an error here too, whatever the title type.
 */
static void
write_keys(struct scan *sc, struct keys *k, char **paths, int npaths,
    const char *fields, const char *type, struct cli *cli, const char *output)
{
	struct tsv_in t;
	struct slice line, *f;
	struct progress prog;
	struct out o;
	size_t nfields = 0, need, nf;
	int64_t sy, ey;

	tsv_open(&t, paths, npaths, cli->no_header ? 0 : TSV_HEADER);
	if (!cli->no_header) {
		header_init(&sc->hdr, t.header, t.header_len);
		sc->has_header = 1;
		nfields = sc->hdr.names.n;
	}
	resolve_keys(sc, k, fields, type, cli->no_header);
	need = k->start > k->end ? k->start : k->end;
	if (k->type > need)
		need = k->type;
	need++;
	if ((f = calloc(need, sizeof(*f))) == NULL)
		die_sys("out of memory");

	out_open(&o, output);
	if (!cli->no_header) {
		out_write(&o, t.header, t.header_len);
		out_str(&o, "\t" "start_year_key\t" "end_year_key\n");
	}
	progress_start(&prog, cli->progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		sc->rows_in++;
		/* only the fields up to the last one used are split */
		nf = fields_lead(line.p, line.n, f, need);
		if (nfields == 0)
			nfields = nf;
		if (nf != nfields)
			die_at(t.name, t.line, "expected %zu fields, found %zu",
			    nfields, nf);
		if (need > nf)
			die_at(t.name, t.line, "%s: field %zu is past the last "
			    "field (%zu)", k->type >= nf ? "--type" : "-f",
			    k->type >= nf ? k->type + 1 : sc->fl.max, nf);
		sy = year_value(sc, f[k->start], k->start, &t);
		ey = year_value(sc, f[k->end], k->end, &t);
		if (sy == 0) {
			sy = KEY_UNKNOWN;
			k->start_unknown++;
		}
		if (!has_end(f[k->type])) {
			ey = KEY_NOT_APPLICABLE;
			k->end_not_applicable++;
		} else if (ey == 0) {
			ey = KEY_UNKNOWN;
			k->end_unknown++;
		}
		out_write(&o, line.p, line.n);
		write_key(&o, sy, f[k->start]);
		write_key(&o, ey, f[k->end]);
		out_byte(&o, '\n');
		progress_row(&prog, sc->rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	progress_end(&prog, sc->rows_in, t.bytes, t.raw_bytes);
	out_close(&o);
	sc->bytes_in = t.bytes;
	free(f);
	tsv_close(&t);
}

/* TAB and KEY; a year written as it came is copied (no leading zero). */
static void
write_key(struct out *o, int64_t key, struct slice v)
{
	out_byte(o, '\t');
	if (key > 0 && v.p[0] != '0')
		out_write(o, v.p, v.n);
	else
		out_i64(o, key);
}

/* -f START,END and --type FIELD, and the names of the appended columns. */
static void
resolve_keys(struct scan *sc, struct keys *k, const char *fields,
    const char *type, int no_header)
{
	static const char *const added[] = { "start_year_key", "end_year_key" };
	struct header *h = no_header ? NULL : &sc->hdr;
	struct fieldlist tl;
	size_t i;

	fieldlist_parse(&sc->fl, fields, h, "-f");
	if (sc->fl.n != 2)
		die_usage("-f: '%s' names %zu field%s (expected START,END "
		    "with --keys)", fields, sc->fl.n, sc->fl.n == 1 ? "" : "s");
	k->start = sc->fl.idx[0];
	k->end = sc->fl.idx[1];
	fieldlist_parse(&tl, type, h, "--type");
	if (tl.n != 1)
		die_usage("--type: '%s' names %zu fields (expected exactly "
		    "one)", type, tl.n);
	k->type = tl.idx[0];
	fieldlist_free(&tl);
	for (i = 0; h != NULL && i < 2; i++)
		if (header_find(h, added[i], strlen(added[i])) >= 0)
			die_usage("--keys: column '%s' is already in the "
			    "header", added[i]);
}

static int
has_end(struct slice type)
{
	size_t i;

	for (i = 0; i < sizeof(types_with_end) / sizeof(types_with_end[0]);
	    i++)
		if (type.n == types_with_end[i].n &&
		    memcmp(type.p, types_with_end[i].p, type.n) == 0)
			return 1;
	return 0;
}

static void
keys_stats(struct stats *st, const struct scan *sc, const struct keys *k)
{
	stats_u64(st, "rows_in", sc->rows_in);
	stats_u64(st, "rows_out", sc->rows_in);
	stats_u64(st, "rows_rejected", 0);
	stats_u64(st, "bytes_in", sc->bytes_in);
	stats_u64(st, "values_year", sc->values);
	stats_u64(st, "values_null", sc->nulls);
	stats_u64(st, "values_nonpositive", sc->nonpositive);
	stats_u64(st, "start_year_key_unknown", k->start_unknown);
	stats_u64(st, "end_year_key_unknown", k->end_unknown);
	stats_u64(st, "end_year_key_not_applicable", k->end_not_applicable);
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
	    "                [-o FILE] [FILE ...]\n"
	    "       %s --keys [-f START,END] [--type FIELD] [-N] "
	    "[--stats FILE] [--progress]\n"
	    "                [-o FILE] [FILE ...]\n", progname, progname);
}
