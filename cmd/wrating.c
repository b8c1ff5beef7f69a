/*
 * wrating - append the Bayesian weighted rating WR = v/(v+m)*R + m/(v+m)*C
 * (IMDb's Top-250 formula), computed as an exact fraction and rounded half
 * away from zero.  -C auto takes C from the data in a first pass.
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
#include "rejects.h"
#include "reread.h"
#include "stats.h"
#include "tsv.h"

#define MAX_DIGITS	12
#define C_SCALE		6	/* decimals accepted in -C MEAN */
#define I128_MAX	((i128)(((unsigned __int128)1 << 127) - 1))

struct wr {
	struct cli	 cli;
	const char	*rspec, *vspec;	/* -r, -v as given */
	const char	*espec;		/* --eligible as given */
	const char	*colname;	/* -n */
	char		*rname, *vname;	/* the fields' names for messages */
	int		 resolved;
	size_t		 nfields;	/* expected per row; 0 = first row's */
	size_t		 ri, vi;	/* rating and votes fields, 0-based */
	int		 has_elig;
	size_t		 ei;		/* --eligible field */
	const char	*evalue;	/* --eligible value */
	int64_t		 m;
	int		 digits;
	const char	*cspec;		/* -C as given */
	int		 c_auto;
	i128		 cn, cd;	/* C = cn / cd, reduced */
	int		 c_known;
	i128		 sum_rv, sum_v;	/* -C auto: sum of 10R*v, sum of v */
	uint64_t	 eligible_rows;
	int		 need_c;	/* a row has a rating and votes */
	int		 want_rejects;	/* --rejects given */
	const char	*name;		/* the input as named, for messages */
	struct out	 out;
	struct rejects	 rej;
	struct stats	 st;
	uint64_t	 rows_in, rows_out, null_rows, bytes_in;
	char		 reason[160];
};

/* One parsed row: rating times ten and votes, or null. */
struct row {
	int64_t		 r10, v;
	int		 null;
};

static void	 resolve(struct wr *, struct tsv_in *);
static size_t	 one_field(const char *, size_t, const struct header *,
		    const char *);
static void	 parse_c(struct wr *, const char *);
static void	 first_pass(struct wr *, const char *);
static void	 second_pass(struct wr *, const char *);
static int	 parse_row(struct wr *, struct fields *, struct row *);
static void	 format_wr(struct wr *, const struct row *, char *, size_t *,
		    struct tsv_in *);
static i128	 gcd(i128, i128);
static void	 usage(FILE *);

enum { OPT_ELIGIBLE = CLI_FIRST_TOOL_OPTION, OPT_REJECTS };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "rating",	required_argument,	NULL, 'r' },
	{ "votes",	required_argument,	NULL, 'v' },
	{ "min-votes",	required_argument,	NULL, 'm' },
	{ "mean",	required_argument,	NULL, 'C' },
	{ "eligible",	required_argument,	NULL, OPT_ELIGIBLE },
	{ "name",	required_argument,	NULL, 'n' },
	{ "precision",	required_argument,	NULL, 'p' },
	{ "rejects",	required_argument,	NULL, OPT_REJECTS },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct wr w = { 0 };
	struct reread rr;
	const char *rejects = NULL, *output = NULL;
	char cbuf[100];
	size_t len;
	uint64_t u;
	int ch;

	msg_init(argv[0]);
	w.cli.usage = usage;
	w.rspec = "averageRating";
	w.vspec = "numVotes";
	w.colname = "weighted_rating";
	w.m = 25000;
	w.digits = 2;
	w.cspec = "auto";
	while ((ch = getopt_long(argc, argv, "Nr:v:m:C:n:p:o:", longopts,
	    NULL)) != -1) {
		if (cli_common(&w.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'r':
			w.rspec = optarg;
			break;
		case 'v':
			w.vspec = optarg;
			break;
		case 'm':
			if ((u = cli_u64(optarg, "-m")) > INT64_MAX)
				die_usage("-m: invalid value '%s' (too large)",
				    optarg);
			w.m = (int64_t)u;
			break;
		case 'C':
			w.cspec = optarg;
			break;
		case OPT_ELIGIBLE:
			w.espec = optarg;
			break;
		case 'n':
			w.colname = optarg;
			break;
		case 'p':
			if ((u = cli_u64(optarg, "-p")) > MAX_DIGITS)
				die_usage("-p: invalid value '%s' (expected 0 "
				    "to %d decimals)", optarg, MAX_DIGITS);
			w.digits = (int)u;
			break;
		case OPT_REJECTS:
			rejects = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 1)
		die_usage("too many files (expected at most one FILE)");
	if (*w.colname == '\0' || strpbrk(w.colname, "\t\n") != NULL)
		die_usage("-n: invalid column name '%s' (expected a non-empty "
		    "name without TAB or newline)", w.colname);
	parse_c(&w, w.cspec);
	if (w.espec != NULL && !w.c_auto)
		die_usage("--eligible applies only to -C auto (C is given as "
		    "%s)", w.cspec);
	if (w.espec != NULL && strchr(w.espec, '=') == NULL)
		die_usage("--eligible: invalid value '%s' (expected "
		    "FIELD=VALUE)", w.espec);

	w.name = argc == 1 && strcmp(argv[0], "-") != 0 ? argv[0] : "stdin";
	w.want_rejects = rejects != NULL;
	if (w.c_auto) {
		reread_open(&rr, argc == 1 ? argv[0] : NULL);
		first_pass(&w, reread_pass(&rr));
	}
	out_open(&w.out, output);
	rejects_open(&w.rej, rejects);
	second_pass(&w, w.c_auto ? reread_pass(&rr) : argc == 1 ? argv[0] :
	    NULL);
	out_close(&w.out);
	rejects_close(&w.rej);

	stats_u64(&w.st, "rows_in", w.rows_in);
	stats_u64(&w.st, "rows_out", w.rows_out);
	stats_u64(&w.st, "rows_rejected", w.rej.count);
	stats_u64(&w.st, "bytes_in", w.bytes_in);
	stats_u64(&w.st, "m", w.m);
	if (w.c_known) {
		fmt_fraction(cbuf, w.cn, w.cd, 4);
		stats_str(&w.st, "C", "%s", cbuf);
		len = fmt_i128(cbuf, w.cn);
		cbuf[len++] = '/';
		fmt_i128(cbuf + len, w.cd);
		stats_str(&w.st, "C_exact", "%s", cbuf);
	} else {
		stats_str(&w.st, "C", "\\N");
		stats_str(&w.st, "C_exact", "\\N");
	}
	stats_str(&w.st, "C_source", "%s", w.c_auto ? "auto" : "given");
	stats_u64(&w.st, "eligible_rows", w.eligible_rows);
	fmt_i128(cbuf, w.sum_v);
	stats_str(&w.st, "eligible_votes", "%s", cbuf);
	stats_u64(&w.st, "null_rows", w.null_rows);
	if (w.cli.counters)
		stats_counters(&w.st);
	stats_write(&w.st, w.cli.stats);
	return 0;
}

/* C as a decimal (at most six decimals, kept exact) or auto. */
static void
parse_c(struct wr *w, const char *spec)
{
	int64_t v;
	i128 g;

	if (strcmp(spec, "auto") == 0) {
		w->c_auto = 1;
		return;
	}
	if (!parse_scaled(spec, strlen(spec), C_SCALE, &v) || v < 0)
		die_usage("-C: invalid value '%s' (expected a non-negative "
		    "decimal with at most %d decimals, or auto)", spec,
		    C_SCALE);
	w->cn = v;
	w->cd = 1000000;
	g = gcd(w->cn, w->cd);
	w->cn /= g;
	w->cd /= g;
	w->c_known = 1;
}

/* A field option that must name exactly one field. */
static size_t
one_field(const char *spec, size_t len, const struct header *h,
    const char *opt)
{
	struct fieldlist fl;
	char *copy;
	size_t idx;

	if ((copy = strndup(spec, len)) == NULL)
		die_sys("out of memory");
	fieldlist_parse(&fl, copy, h, opt);
	if (fl.n != 1)
		die_usage("%s: '%s' names %zu fields (expected exactly one)",
		    opt, copy, fl.n);
	idx = fl.idx[0];
	fieldlist_free(&fl);
	free(copy);
	return idx;
}

/* "averageRating", or "field 2" for headerless input. */
static char *
field_name(const struct header *h, size_t idx)
{
	char *s;
	int rc;

	if (h != NULL)
		rc = asprintf(&s, "%.*s", (int)h->names.f[idx].n,
		    h->names.f[idx].p);
	else
		rc = asprintf(&s, "field %zu", idx + 1);
	if (rc == -1)
		die_sys("out of memory");
	return s;
}

/* Resolve the field options against the header, once. */
static void
resolve(struct wr *w, struct tsv_in *t)
{
	struct header hdr, *h = NULL;
	const char *eq;

	if (w->resolved)
		return;
	w->resolved = 1;
	if (!w->cli.no_header) {
		header_init(&hdr, t->header, t->header_len);
		h = &hdr;
		w->nfields = hdr.names.n;
		if (header_find(h, w->colname, strlen(w->colname)) >= 0)
			die_usage("-n: column '%s' is already in the header",
			    w->colname);
	}
	w->ri = one_field(w->rspec, strlen(w->rspec), h, "-r");
	w->vi = one_field(w->vspec, strlen(w->vspec), h, "-v");
	w->rname = field_name(h, w->ri);
	w->vname = field_name(h, w->vi);
	if (w->espec != NULL) {
		eq = strchr(w->espec, '=');
		w->ei = one_field(w->espec, eq - w->espec, h, "--eligible");
		w->evalue = eq + 1;
		w->has_elig = 1;
	}
	if (h != NULL)
		header_free(h);
}

/* Why a row is bad, or 0 when it is good (then *R holds it). */
static int
parse_row(struct wr *w, struct fields *fv, struct row *r)
{
	struct slice rs, vs;
	size_t need = w->ri > w->vi ? w->ri : w->vi;

	if (w->has_elig && w->ei > need)
		need = w->ei;
	if (w->nfields == 0)
		w->nfields = fv->n;
	if (fv->n != w->nfields || need >= fv->n) {
		snprintf(w->reason, sizeof(w->reason), "expected %zu fields, "
		    "found %zu", w->nfields, fv->n);
		return 1;
	}
	rs = fv->f[w->ri];
	vs = fv->f[w->vi];
	r->null = 0;
	if (slice_eq(rs, "\\N"))
		r->null = 1;
	else if (!parse_scaled(rs.p, rs.n, 1, &r->r10) || r->r10 < 0) {
		snprintf(w->reason, sizeof(w->reason), "bad %s '%.*s' "
		    "(expected a non-negative decimal with at most one "
		    "decimal, or \\N)", w->rname, (int)(rs.n > 40 ? 40 : rs.n),
		    rs.p);
		return 1;
	}
	if (slice_eq(vs, "\\N"))
		r->null = 1;
	else if (!parse_i64(vs.p, vs.n, &r->v) || r->v < 0) {
		snprintf(w->reason, sizeof(w->reason), "bad %s '%.*s' "
		    "(expected a non-negative integer, or \\N)", w->vname,
		    (int)(vs.n > 40 ? 40 : vs.n), vs.p);
		return 1;
	}
	if (!r->null && r->v == 0)
		r->null = 1;	/* no votes: no rating to weigh */
	return 0;
}

/* -C auto: C = sum(R*v) / sum(v) over eligible rated rows with votes. */
static void
first_pass(struct wr *w, const char *path)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct row r;
	char *paths[1] = { (char *)path };
	i128 g;

	tsv_open(&t, paths, 1, w->cli.no_header ? 0 : TSV_HEADER);
	t.name = w->name;
	resolve(w, &t);
	while (tsv_next(&t, &line)) {
		tsv_split(&fv, line.p, line.n);
		if (parse_row(w, &fv, &r) != 0) {
			if (w->want_rejects)
				continue;	/* rejected in the second pass */
			die_at(t.name, t.line, "%s", w->reason);
		}
		if (r.null)
			continue;
		w->need_c = 1;
		if (w->has_elig && !slice_eq(fv.f[w->ei], w->evalue))
			continue;
		w->eligible_rows++;
		if (__builtin_mul_overflow((i128)r.r10, (i128)r.v, &g) ||
		    __builtin_add_overflow(w->sum_rv, g, &w->sum_rv) ||
		    __builtin_add_overflow(w->sum_v, (i128)r.v, &w->sum_v))
			die_at(t.name, t.line, "sums too large for exact "
			    "arithmetic");
	}
	fields_free(&fv);
	tsv_close(&t);
	if (w->sum_v == 0) {
		if (w->need_c)
			die(EXIT_DATA, "%s: -C auto: no eligible row has a "
			    "rating and votes (C is undefined; give -C MEAN)",
			    w->name);
		return;
	}
	w->cn = w->sum_rv;
	w->cd = 10 * w->sum_v;
	g = gcd(w->cn, w->cd);
	w->cn /= g;
	w->cd /= g;
	w->c_known = 1;
}

/* Read again (or for the first time, with a given C) and write. */
static void
second_pass(struct wr *w, const char *path)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct progress prog;
	struct row r;
	char *paths[1] = { (char *)path };
	char buf[128];
	size_t len;

	tsv_open(&t, paths, path != NULL ? 1 : 0, w->cli.no_header ? 0 :
	    TSV_HEADER);
	t.name = w->name;
	resolve(w, &t);
	if (!w->cli.no_header) {
		out_write(&w->out, t.header, t.header_len);
		out_byte(&w->out, '\t');
		out_str(&w->out, w->colname);
		out_byte(&w->out, '\n');
	}
	progress_start(&prog, w->cli.progress, input_size(t.in));
	while (tsv_next(&t, &line)) {
		w->rows_in++;
		tsv_split(&fv, line.p, line.n);
		if (parse_row(w, &fv, &r) != 0) {
			if (!w->rej.open)
				die_at(t.name, t.line, "%s", w->reason);
			rejects_add(&w->rej, t.name, t.line, w->reason, line.p,
			    line.n);
			continue;
		}
		out_write(&w->out, line.p, line.n);
		if (r.null) {
			w->null_rows++;
			out_str(&w->out, "\t\\N\n");
		} else {
			format_wr(w, &r, buf, &len, &t);
			out_byte(&w->out, '\t');
			out_write(&w->out, buf, len);
			out_byte(&w->out, '\n');
		}
		w->rows_out++;
		progress_row(&prog, w->rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	progress_end(&prog, w->rows_in, t.bytes, t.raw_bytes);
	w->bytes_in = t.bytes;
	fields_free(&fv);
	tsv_close(&t);
}

/*
 * WR = (v*R + m*C) / (v + m) with R = r10/10 and C = cn/cd:
 *   (v*r10*cd + 10*m*cn) / (10*cd*(v + m)),
 * exact in 128 bits; fmt_fraction rounds it half away from zero.
 */
static void
format_wr(struct wr *w, const struct row *r, char *buf, size_t *len,
    struct tsv_in *t)
{
	i128 num, den, a, b, g, lim = I128_MAX / 2;
	int i;

	for (i = 0; i < w->digits; i++)
		lim /= 10;	/* fmt_fraction multiplies by 10^digits */
	if (!w->c_known)
		die_at(t->name, t->line, "C is undefined (no eligible row "
		    "has a rating and votes)");
	if (__builtin_mul_overflow((i128)r->v * r->r10, w->cd, &a) ||
	    __builtin_mul_overflow((i128)10 * w->m, w->cn, &b) ||
	    __builtin_add_overflow(a, b, &num) ||
	    __builtin_mul_overflow(10 * w->cd, (i128)r->v + w->m, &den))
		goto too_large;
	if (num > lim || den > lim) {
		g = gcd(num, den);
		num /= g;
		den /= g;
		if (num > lim || den > lim)
			goto too_large;
	}
	*len = fmt_fraction(buf, num, den, w->digits);
	return;
too_large:
	die_at(t->name, t->line, "values too large for exact arithmetic");
}

static i128
gcd(i128 a, i128 b)
{
	i128 t;

	if (a < 0)
		a = -a;
	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a == 0 ? 1 : a;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] [-r FIELD] [-v FIELD] [-m VOTES] "
	    "[-C MEAN|auto] [--eligible FIELD=VALUE]\n"
	    "               [-n NAME] [-p DIGITS] [--rejects FILE] "
	    "[--stats FILE] [--progress] [-o FILE]\n"
	    "               [FILE]\n", progname);
}
