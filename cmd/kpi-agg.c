/*
 * kpi-agg - group-by aggregation for the KPI reports: hash groups on
 * unsorted input, exact decimal sums, means and percentiles, buckets,
 * shares, --having filters and top-N per scope.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigbuf.h"
#include "cli.h"
#include "fieldlist.h"
#include "hashmap.h"
#include "hashprobe.h"
#include "msg.h"
#include "numfmt.h"
#include "out.h"
#include "progress.h"
#include "stats.h"
#include "tsv.h"

/*
 * Numbers are kept as integers times 10^SCALE: ratings, votes and weights
 * (6 decimals) are all exact, and sums of products fit in __int128.
 */
#define SCALE		6
#define ONE		((int64_t)1000000)
#define NOFIELD		((size_t)-1)
#define BUCKET_HEX	4	/* a bucket's index in a group key: 4 hex digits */
#define BATCH		32	/* rows whose group probes overlap */
#define NONE		((size_t)-1)	/* no such slot in a group's state */

enum kind {
	K_COUNT, K_COUNT_NONNULL, K_COUNT_DISTINCT, K_SUM, K_MEAN, K_WMEAN,
	K_MIN, K_MAX, K_MEDIAN, K_QUANTILE, K_STDEV, K_FIRST, K_LAST, K_SHARE
};

enum argshape { A_NONE, A_FIELD, A_OPTFIELD, A_TWOFIELDS, A_FIELDQ };

static const struct opdef {
	const char	*name;
	enum kind	 kind;
	enum argshape	 args;
} opdefs[] = {
	{ "count", K_COUNT, A_NONE },
	{ "count-nonnull", K_COUNT_NONNULL, A_FIELD },
	{ "count-distinct", K_COUNT_DISTINCT, A_FIELD },
	{ "sum", K_SUM, A_FIELD },
	{ "mean", K_MEAN, A_FIELD },
	{ "wmean", K_WMEAN, A_TWOFIELDS },
	{ "min", K_MIN, A_FIELD },
	{ "max", K_MAX, A_FIELD },
	{ "median", K_MEDIAN, A_FIELD },
	{ "quantile", K_QUANTILE, A_FIELDQ },
	{ "stdev", K_STDEV, A_FIELD },
	{ "first", K_FIRST, A_FIELD },
	{ "last", K_LAST, A_FIELD },
	{ "share", K_SHARE, A_OPTFIELD },
};
#define NOPDEFS	(sizeof(opdefs) / sizeof(opdefs[0]))

/*
 * Values of one field kept for median/quantile, shared by those ops: per
 * group a chain of chunks in one arena, each chunk a header (the previous
 * chunk's offset + 1, and log2 of its capacity in the top byte) and 2, 4,
 * ... 4096 values.  About 8-12 bytes a value, where (group, value) pairs
 * and a copy sorted by group took 20: on this VM every fresh page costs a
 * fault and zeroing, a third of the time of a 10 M-row median.
 */
struct vstore {
	size_t		 field;
	int64_t		*arena;
	size_t		 used, cap;	/* int64s */
	size_t		 o_tail;	/* group block: uint64_t last chunk + 1 */
	size_t		 o_fill;	/* uint32_t values in it */
};
#define CHUNK_MIN	1	/* log2 of the first chunk's capacity */
#define CHUNK_MAX	12

/* count-distinct: values as dense ids, and every (group, value id) pair. */
struct distinct {
	struct hashmap	 ids;		/* value -> id */
	char		*last;		/* the previous value and its id: */
	size_t		 last_n, last_cap;	/* sorted inputs repeat it */
	uint32_t	 last_id;
	int		 have_last;
	uint64_t	*pairs;		/* gid << 32 | value id */
	size_t		 npairs, cap;
};

/*
 * Per-group accumulators: every group owns one block of A->gsize bytes
 * (struct agg's state), and each operation its slots in it at these
 * offsets (NONE when unused).  One block per row touched, where an array
 * per accumulator cost a cache miss each: the talent aggregation (7
 * accumulators, 1.4 M groups) went from 9 to 2 misses a row.
 */
struct op {
	enum kind	 kind;
	char		*name;		/* output column */
	size_t		 f, w;		/* fields (w: wmean's weight) */
	int64_t		 q;		/* quantile times 10^6 */
	int		 digits;	/* decimals of a computed result */
	int		 digits_given;	/* /DIGITS: also rounds sum, min, max */
	int		 frac;		/* most decimals seen (sum/min/max) */
	size_t		 o_n;		/* uint64_t count */
	size_t		 o_s1, o_s2;	/* i128 sums */
	size_t		 o_mm;		/* int64_t min/max, stdev's shift */
	size_t		 o_toff, o_tlen, o_tcap;	/* first/last text */
	struct vstore	*vs;
	struct distinct	*dist;
	char		*text;		/* first/last values */
	size_t		 text_len, text_cap;
};

struct gcol {
	char		*name;
	size_t		 f;		/* input field, or NOFIELD for the bucket */
};

/* An output column as --by, --sort-by and --having name it. */
struct colref {
	int		 op;		/* 1: ops[i]; 0: gcols[i] */
	size_t		 i;
	int		 desc;
};

enum cmp { C_GE, C_GT, C_LE, C_LT, C_EQ, C_NE };

struct cond {
	struct colref	 col;
	enum cmp	 cmp;
	const char	*text;
	int64_t		 num;		/* the constant times 10^6 */
	int		 numeric;
};

/* A value taken from an output column, for comparisons. */
struct val {
	enum { V_NULL, V_RAT, V_REAL, V_TEXT } kind;
	i128		 num, den;
	long double	 d;
	const char	*p;
	size_t		 n;
};

/* A row of a batch: its line copied into the batch's buffer. */
struct brow {
	const char	*name;		/* file and line, for messages */
	uint64_t	 line;
	uint64_t	 seq;		/* 1, 2, ... over all inputs */
	size_t		 off, len;	/* the line in buf */
	struct fields	 fv;
	size_t		 koff, klen;	/* the group key in buf or kbuf */
	int		 key_in_line;
	int		 same;		/* same key as the row before */
	uint64_t	 hv;
	uint32_t	 gid;
};

struct batch {
	struct brow	 r[BATCH];
	size_t		 n;
	char		*buf, *kbuf;	/* lines, built keys */
	size_t		 len, cap, klen, kcap;
	char		*prev;		/* the key of the last row folded in */
	size_t		 prev_n, prev_cap;
	uint32_t	 prev_gid;
	int		 have_prev;
};

struct agg {
	struct cli	 cli;
	const struct tsv_in *t;
	struct gcol	*gcols;
	size_t		 ngcols, bucket_col;	/* bucket_col == ngcols: none */
	struct op	*ops;
	size_t		 nops;
	struct vstore	*vstores[64];
	size_t		 nvstores;
	int		 default_digits;
	/* --bucket */
	size_t		 bfield;
	int64_t		*edges;
	size_t		 nedges;
	char		**labels;	/* nedges-1 buckets, out_of_range, \N */
	int		 all_buckets;
	uint64_t	 out_of_range;
	/* ordering and filters */
	size_t		*within;
	size_t		 nwithin;
	uint64_t	 top;
	int		 has_top;
	struct colref	*by, *sortby;
	size_t		 nby, nsortby;
	struct cond	*having;
	size_t		 nhaving;
	const char	*rank;
	/* groups */
	struct hashmap	 groups;
	size_t		 gcap;		/* blocks allocated */
	unsigned char	*state;		/* gcap blocks of gsize bytes */
	size_t		 gsize, o_rows;	/* o_rows: the group's row count */
	uint64_t	 memo_seq;	/* the last number parsed: row, field */
	size_t		 memo_f;
	int64_t		 memo_x;
	int		 memo_ok;
	struct batch	 b;
	char		*key;
	size_t		 key_cap;
	uint64_t	 rows_in, rows_out;
	size_t		 nfields;
	struct out	 out;
	struct stats	 st;
};

static int	 is_op(const char *);
static void	 parse_op(struct agg *, const char *, const struct header *);
static void	 parse_groups(struct agg *, const char *, const struct header *);
static void	 parse_bucket(struct agg *, const char *, const struct header *);
static void	 parse_within(struct agg *, const char *);
static void	 parse_colrefs(struct agg *, const char *, const char *,
		    struct colref **, size_t *);
static void	 parse_having(struct agg *, const char *);
static void	 layout(struct agg *);
static void	 batch_add(struct agg *, const struct tsv_in *, struct slice);
static void	 run_batch(struct agg *);
static void	 file_end(struct tsv_in *, void *);
static uint32_t	 group_id(struct agg *, const char *, size_t);
static void	 add_all_buckets(struct agg *);
static void	 finish(struct agg *);
static void	 write_output(struct agg *);
static void	 usage(FILE *);

enum { OPT_BUCKET = CLI_FIRST_TOOL_OPTION, OPT_ALL_BUCKETS, OPT_TOP, OPT_BY,
    OPT_WITHIN, OPT_HAVING, OPT_SORT_BY, OPT_RANK };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "group",	required_argument,	NULL, 'g' },
	{ "precision",	required_argument,	NULL, 'p' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "bucket",	required_argument,	NULL, OPT_BUCKET },
	{ "all-buckets", no_argument,		NULL, OPT_ALL_BUCKETS },
	{ "top",	required_argument,	NULL, OPT_TOP },
	{ "by",		required_argument,	NULL, OPT_BY },
	{ "within",	required_argument,	NULL, OPT_WITHIN },
	{ "having",	required_argument,	NULL, OPT_HAVING },
	{ "sort-by",	required_argument,	NULL, OPT_SORT_BY },
	{ "rank",	required_argument,	NULL, OPT_RANK },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct agg a = { 0 };
	struct tsv_in t;
	struct slice line;
	struct header hdr, *h = NULL;
	struct progress prog;
	const char *groups = NULL, *bucket = NULL, *within = NULL;
	const char *by = NULL, *sortby = NULL, *output = NULL;
	const char **having = NULL;
	size_t nhaving = 0, i;
	int ch, nops;
	uint64_t p;

	msg_init(argv[0]);
	a.cli.usage = usage;
	a.default_digits = 2;
	if ((having = calloc(argc, sizeof(*having))) == NULL)
		die_sys("out of memory");
	while ((ch = getopt_long(argc, argv, "Ng:p:o:", longopts, NULL)) != -1) {
		if (cli_common(&a.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'g':
			groups = optarg;
			break;
		case 'p':
			if ((p = cli_u64(optarg, "-p")) > 18)
				die_usage("-p: %s decimals is too many "
				    "(expected 0 to 18)", optarg);
			a.default_digits = (int)p;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_BUCKET:
			if (bucket != NULL)
				die_usage("--bucket: given twice (one bucket "
				    "column per run)");
			bucket = optarg;
			break;
		case OPT_ALL_BUCKETS:
			a.all_buckets = 1;
			break;
		case OPT_TOP:
			a.top = cli_u64(optarg, "--top");
			a.has_top = 1;
			break;
		case OPT_BY:
			by = optarg;
			break;
		case OPT_WITHIN:
			within = optarg;
			break;
		case OPT_HAVING:
			having[nhaving++] = optarg;
			break;
		case OPT_SORT_BY:
			sortby = optarg;
			break;
		case OPT_RANK:
			if (*optarg == '\0')
				die_usage("--rank: empty column name");
			a.rank = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	for (nops = 0; nops < argc && is_op(argv[nops]); nops++)
		;
	if (nops == 0 && groups == NULL && bucket == NULL)
		die_usage("no operation given (expected count, sum:FIELD, "
		    "mean:FIELD, ...)");
	if (a.has_top && by == NULL)
		die_usage("--top needs --by to say what is largest");
	if (by != NULL && !a.has_top)
		die_usage("--by needs --top");
	if (a.all_buckets && bucket == NULL)
		die_usage("--all-buckets needs --bucket");

	tsv_open(&t, argv + nops, argc - nops,
	    a.cli.no_header ? 0 : TSV_HEADER);
	if (!a.cli.no_header) {
		header_init(&hdr, t.header, t.header_len);
		h = &hdr;
		a.nfields = hdr.names.n;
	}
	if (bucket != NULL)
		parse_bucket(&a, bucket, h);
	parse_groups(&a, groups, h);
	if ((a.ops = calloc(nops + 1, sizeof(*a.ops))) == NULL)
		die_sys("out of memory");
	for (i = 0; i < (size_t)nops; i++)
		parse_op(&a, argv[i], h);
	if (within != NULL)
		parse_within(&a, within);
	if (by != NULL)
		parse_colrefs(&a, by, "--by", &a.by, &a.nby);
	if (sortby != NULL)
		parse_colrefs(&a, sortby, "--sort-by", &a.sortby, &a.nsortby);
	for (i = 0; i < nhaving; i++)
		parse_having(&a, having[i]);
	if (within != NULL && !a.has_top && a.rank == NULL) {
		for (i = 0; i < a.nops && a.ops[i].kind != K_SHARE; i++)
			;
		if (i == a.nops)
			die_usage("--within needs --top, --rank or a share "
			    "operation");
	}

	layout(&a);
	hmap_init(&a.groups, 1024);
	a.t = &t;
	t.on_file_end = file_end;
	t.cb_arg = &a;
	if (a.ngcols == 0)
		group_id(&a, "", 0);	/* the one global row, even for no input */
	out_open(&a.out, output);
	progress_start(&prog, a.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		a.rows_in++;
		batch_add(&a, &t, line);
		progress_row(&prog, a.rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	run_batch(&a);
	progress_end(&prog, a.rows_in, t.bytes, t.raw_bytes);
	if (a.all_buckets)
		add_all_buckets(&a);
	finish(&a);
	write_output(&a);
	out_close(&a.out);

	stats_u64(&a.st, "rows_in", a.rows_in);
	stats_u64(&a.st, "rows_out", a.rows_out);
	stats_u64(&a.st, "rows_rejected", 0);
	stats_u64(&a.st, "groups", a.groups.count);
	stats_u64(&a.st, "bytes_in", t.bytes);
	if (bucket != NULL)
		stats_u64(&a.st, "out_of_range", a.out_of_range);
	if (a.cli.counters)
		stats_counters(&a.st);
	stats_write(&a.st, a.cli.stats);
	return 0;
}

/* ---- argument parsing ---- */

static char *
xstrndup(const char *p, size_t n)
{
	char *s;

	if ((s = malloc(n + 1)) == NULL)
		die_sys("out of memory");
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL && n > 0)
		die_sys("out of memory");
	return p;
}

static int
is_null(const char *p, size_t n)
{
	return n == 2 && p[0] == '\\' && p[1] == 'N';
}

/* The operation word of SPEC ("[NAME=]OP[:ARGS][/DIGITS]"), or NULL. */
static const struct opdef *
find_opdef(const char *spec)
{
	const char *colon = strchr(spec, ':'), *eq = strchr(spec, '='), *end;
	size_t i, n;

	if (eq != NULL && (colon == NULL || eq < colon))
		spec = eq + 1;
	end = spec + strcspn(spec, ":/");
	n = end - spec;
	for (i = 0; i < NOPDEFS; i++)
		if (strlen(opdefs[i].name) == n &&
		    memcmp(opdefs[i].name, spec, n) == 0)
			return &opdefs[i];
	return NULL;
}

static int
is_op(const char *arg)
{
	return find_opdef(arg) != NULL;
}

/* One field named by SPEC; its output name goes to *NAME. */
static size_t
one_field(const char *spec, const struct header *h, const char *what,
    char **name)
{
	struct fieldlist fl;
	size_t f;

	fieldlist_parse(&fl, spec, h, what);
	if (fl.n != 1)
		die_usage("%s: '%s' names %zu fields (expected one)", what,
		    spec, fl.n);
	f = fl.idx[0];
	fieldlist_free(&fl);
	if (name != NULL)
		*name = h != NULL ? xstrndup(h->names.f[f].p, h->names.f[f].n) :
		    xstrndup(spec, strlen(spec));
	return f;
}

static struct vstore *
vstore_for(struct agg *a, size_t field)
{
	size_t i;
	struct vstore *vs;

	for (i = 0; i < a->nvstores; i++)
		if (a->vstores[i]->field == field)
			return a->vstores[i];
	if (a->nvstores == sizeof(a->vstores) / sizeof(a->vstores[0]))
		die_usage("too many fields with median or quantile");
	if ((vs = calloc(1, sizeof(*vs))) == NULL)
		die_sys("out of memory");
	vs->field = field;
	a->vstores[a->nvstores++] = vs;
	return vs;
}

/* Split "F:X" at its last colon (field names rarely hold one). */
static void
split_pair(const char *spec, const char *arg, char **f, char **x)
{
	const char *colon = strrchr(arg, ':');

	if (colon == NULL || colon == arg || colon[1] == '\0')
		die_usage("%s: expected two arguments separated by ':'", spec);
	*f = xstrndup(arg, colon - arg);
	*x = xstrndup(colon + 1, strlen(colon + 1));
}

static void
parse_op(struct agg *a, const char *spec, const struct header *h)
{
	const struct opdef *def = find_opdef(spec);
	struct op *op = &a->ops[a->nops++];
	const char *colon = strchr(spec, ':'), *eq = strchr(spec, '=');
	const char *body = spec, *slash;
	char *name = NULL, *arg = NULL, *fname = NULL, *wname = NULL;
	char *fs = NULL, *xs = NULL, buf[512];
	size_t len;
	int64_t q;

	if (eq != NULL && (colon == NULL || eq < colon)) {
		if (eq == spec)
			die_usage("%s: empty column name before '='", spec);
		name = xstrndup(spec, eq - spec);
		body = eq + 1;
	}
	op->kind = def->kind;
	op->digits = a->default_digits;
	op->f = op->w = NOFIELD;
	len = strlen(body);
	slash = strrchr(body, '/');
	if (slash != NULL && slash[1] != '\0' &&
	    strspn(slash + 1, "0123456789") == strlen(slash + 1)) {
		if (strlen(slash + 1) > 2 || atoi(slash + 1) > 18)
			die_usage("%s: too many decimals (expected 0 to 18)",
			    spec);
		op->digits = atoi(slash + 1);
		op->digits_given = 1;
		len = slash - body;
	}
	colon = memchr(body, ':', len);
	if (colon != NULL)
		arg = xstrndup(colon + 1, body + len - colon - 1);
	if (arg != NULL && *arg == '\0')
		die_usage("%s: empty argument after ':'", spec);
	switch (def->args) {
	case A_NONE:
		if (arg != NULL)
			die_usage("%s: %s takes no field", spec, def->name);
		snprintf(buf, sizeof(buf), "%s", def->name);
		break;
	case A_OPTFIELD:
	case A_FIELD:
		if (arg == NULL && def->args == A_FIELD)
			die_usage("%s: %s needs a field (%s:FIELD)", spec,
			    def->name, def->name);
		if (arg == NULL) {
			snprintf(buf, sizeof(buf), "%s", def->name);
			break;
		}
		op->f = one_field(arg, h, def->name, &fname);
		snprintf(buf, sizeof(buf), "%s_%s", def->name, fname);
		break;
	case A_TWOFIELDS:
		if (arg == NULL)
			die_usage("%s: %s needs two fields (%s:FIELD:WEIGHT)",
			    spec, def->name, def->name);
		split_pair(spec, arg, &fs, &xs);
		op->f = one_field(fs, h, def->name, &fname);
		op->w = one_field(xs, h, def->name, &wname);
		snprintf(buf, sizeof(buf), "%s_%s_%s", def->name, fname, wname);
		break;
	case A_FIELDQ:
		if (arg == NULL)
			die_usage("%s: %s needs a field and a fraction "
			    "(%s:FIELD:Q)", spec, def->name, def->name);
		split_pair(spec, arg, &fs, &xs);
		if (!parse_scaled(xs, strlen(xs), SCALE, &q) || q < 0 ||
		    q > ONE)
			die_usage("%s: invalid fraction '%s' (expected 0 to 1 "
			    "with at most 6 decimals)", spec, xs);
		op->q = q;
		op->f = one_field(fs, h, def->name, &fname);
		snprintf(buf, sizeof(buf), "%s_%s_%s", def->name, fname, xs);
		break;
	}
	for (char *c = buf; *c != '\0'; c++)
		if (*c == '-')
			*c = '_';
	op->name = name != NULL ? name : xstrndup(buf, strlen(buf));
	if (op->kind == K_COUNT_DISTINCT) {
		if ((op->dist = calloc(1, sizeof(*op->dist))) == NULL)
			die_sys("out of memory");
		hmap_init(&op->dist->ids, 1024);
	}
	if (op->kind == K_MEDIAN || op->kind == K_QUANTILE) {
		op->vs = vstore_for(a, op->f);
		if (op->kind == K_MEDIAN)
			op->q = ONE / 2;
	}
	free(arg);
	free(fname);
	free(wname);
	free(fs);
	free(xs);
}

/* -g: names, numbers, ranges, NAME=FIELD renames and the bucket column. */
static void
parse_groups(struct agg *a, const char *spec, const struct header *h)
{
	struct fieldlist fl;
	const char *p = spec, *end, *eq;
	char *item, *field, *rename;
	size_t i, n, cap = 0;
	int have_bucket = 0;

	a->bucket_col = (size_t)-1;
	while (spec != NULL) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		item = xstrndup(p, n);
		rename = NULL;
		field = item;
		if ((eq = strchr(item, '=')) != NULL) {
			rename = xstrndup(item, eq - item);
			field = item + (eq - item) + 1;
			if (*rename == '\0' || *field == '\0')
				die_usage("-g: invalid rename '%s' (expected "
				    "NAME=FIELD)", item);
		}
		if (a->edges != NULL && strcmp(field, "bucket") == 0) {
			fl.n = 1;
			fl.idx = NULL;
		} else
			fieldlist_parse(&fl, field, h, "-g");
		if (rename != NULL && fl.n != 1)
			die_usage("-g: '%s' renames %zu fields (expected one)",
			    item, fl.n);
		for (i = 0; i < fl.n; i++) {
			if (a->ngcols == cap) {
				cap = cap ? cap * 2 : 8;
				a->gcols = xrealloc(a->gcols,
				    cap * sizeof(*a->gcols));
			}
			a->gcols[a->ngcols].f = fl.idx ? fl.idx[i] : NOFIELD;
			if (rename != NULL)
				a->gcols[a->ngcols].name = rename;
			else if (fl.idx == NULL)
				a->gcols[a->ngcols].name = xstrndup("bucket", 6);
			else if (h != NULL)
				a->gcols[a->ngcols].name = xstrndup(
				    h->names.f[fl.idx[i]].p,
				    h->names.f[fl.idx[i]].n);
			else
				a->gcols[a->ngcols].name = xstrndup(field,
				    strlen(field));
			if (fl.idx == NULL) {
				if (have_bucket)
					die_usage("-g: bucket named twice");
				have_bucket = 1;
				a->bucket_col = a->ngcols;
			}
			a->ngcols++;
		}
		if (fl.idx != NULL)
			fieldlist_free(&fl);
		free(item);
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (a->edges != NULL && !have_bucket) {
		/* Not named in -g: the bucket is the last group column. */
		a->gcols = xrealloc(a->gcols, (a->ngcols + 1) *
		    sizeof(*a->gcols));
		a->gcols[a->ngcols].f = NOFIELD;
		a->gcols[a->ngcols].name = xstrndup("bucket", 6);
		a->bucket_col = a->ngcols++;
	}
}

/* --bucket FIELD=E0,E1,...: right-closed intervals (E0,E1] ... */
static void
parse_bucket(struct agg *a, const char *spec, const struct header *h)
{
	const char *eq = strrchr(spec, '='), *p, *end;
	char *field, buf[128];
	size_t n, i, cap = 0;

	if (eq == NULL || eq == spec || eq[1] == '\0')
		die_usage("--bucket: expected FIELD=EDGES, got '%s'", spec);
	field = xstrndup(spec, eq - spec);
	a->bfield = one_field(field, h, "--bucket", NULL);
	free(field);
	char **text = NULL;
	for (p = eq + 1;; p = end + 1) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (a->nedges == cap) {
			cap = cap ? cap * 2 : 16;
			a->edges = xrealloc(a->edges, cap * sizeof(*a->edges));
			text = xrealloc(text, cap * sizeof(*text));
		}
		if (!parse_scaled(p, n, SCALE, &a->edges[a->nedges]))
			die_usage("--bucket: invalid edge '%.*s' (expected a "
			    "number with at most 6 decimals)", (int)n, p);
		if (a->nedges > 0 && a->edges[a->nedges] <= a->edges[a->nedges - 1])
			die_usage("--bucket: edges must increase ('%.*s' "
			    "follows a larger or equal edge)", (int)n, p);
		text[a->nedges++] = xstrndup(p, n);
		if (end == NULL)
			break;
	}
	if (a->nedges < 2)
		die_usage("--bucket: needs at least two edges");
	if (a->nedges > 0x1000)
		die_usage("--bucket: too many edges (at most 4096)");
	a->labels = xrealloc(NULL, (a->nedges + 1) * sizeof(*a->labels));
	for (i = 0; i + 1 < a->nedges; i++) {
		snprintf(buf, sizeof(buf), "(%s,%s]", text[i], text[i + 1]);
		a->labels[i] = xstrndup(buf, strlen(buf));
	}
	a->labels[a->nedges - 1] = xstrndup("out_of_range", 12);
	a->labels[a->nedges] = xstrndup("\\N", 2);
	for (i = 0; i < a->nedges; i++)
		free(text[i]);
	free(text);
}

/* The output column named NAME (group column or operation). */
static int
find_col(const struct agg *a, const char *name, size_t n, struct colref *c)
{
	size_t i;

	for (i = 0; i < a->ngcols; i++)
		if (strlen(a->gcols[i].name) == n &&
		    memcmp(a->gcols[i].name, name, n) == 0) {
			c->op = 0;
			c->i = i;
			return 1;
		}
	for (i = 0; i < a->nops; i++)
		if (strlen(a->ops[i].name) == n &&
		    memcmp(a->ops[i].name, name, n) == 0) {
			c->op = 1;
			c->i = i;
			return 1;
		}
	return 0;
}

static _Noreturn void
no_such_column(const struct agg *a, const char *opt, const char *p, size_t n)
{
	char list[4096];
	size_t i, len = 0;

	list[0] = '\0';
	for (i = 0; i < a->ngcols + a->nops && len < sizeof(list) - 1; i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", i < a->ngcols ? a->gcols[i].name :
		    a->ops[i - a->ngcols].name);
	die_usage("%s: unknown column '%.*s' (output columns: %s)", opt,
	    (int)n, p, list);
}

static void
parse_within(struct agg *a, const char *spec)
{
	const char *p = spec, *end;
	struct colref c;
	size_t n;

	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (!find_col(a, p, n, &c))
			no_such_column(a, "--within", p, n);
		if (c.op)
			die_usage("--within: '%.*s' is not a group column",
			    (int)n, p);
		a->within = xrealloc(a->within, (a->nwithin + 1) *
		    sizeof(*a->within));
		a->within[a->nwithin++] = c.i;
		if (end == NULL)
			break;
		p = end + 1;
	}
}

/* "COL[:asc|:desc],..." for --by (default desc) and --sort-by (asc). */
static void
parse_colrefs(struct agg *a, const char *spec, const char *opt,
    struct colref **out, size_t *nout)
{
	const char *p = spec, *end, *colon;
	struct colref c;
	size_t n, nn;

	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		colon = memchr(p, ':', n);
		nn = colon != NULL ? (size_t)(colon - p) : n;
		if (!find_col(a, p, nn, &c))
			no_such_column(a, opt, p, nn);
		c.desc = strcmp(opt, "--by") == 0;
		if (colon != NULL) {
			if (n - nn - 1 == 3 && memcmp(colon + 1, "asc", 3) == 0)
				c.desc = 0;
			else if (n - nn - 1 == 4 &&
			    memcmp(colon + 1, "desc", 4) == 0)
				c.desc = 1;
			else
				die_usage("%s: invalid order '%.*s' (expected "
				    "asc or desc)", opt, (int)(n - nn - 1),
				    colon + 1);
		}
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = c;
		if (end == NULL)
			break;
		p = end + 1;
	}
}

static void
parse_having(struct agg *a, const char *spec)
{
	static const struct { const char *s; enum cmp c; } ops[] = {
		{ ">=", C_GE }, { "<=", C_LE }, { "!=", C_NE },
		{ ">", C_GT }, { "<", C_LT }, { "=", C_EQ },
	};
	struct cond *c;
	const char *at;
	size_t i, len;

	len = strcspn(spec, "<>=!");
	at = spec + len;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(at, ops[i].s, strlen(ops[i].s)) == 0)
			break;
	if (*at == '\0' || i == sizeof(ops) / sizeof(ops[0]) || len == 0)
		die_usage("--having: invalid condition '%s' (expected COLUMN "
		    "OP VALUE with OP one of >= > <= < = !=)", spec);
	a->having = xrealloc(a->having, (a->nhaving + 1) * sizeof(*a->having));
	c = &a->having[a->nhaving++];
	if (!find_col(a, spec, len, &c->col))
		no_such_column(a, "--having", spec, len);
	c->cmp = ops[i].c;
	c->text = at + strlen(ops[i].s);
	c->numeric = parse_scaled(c->text, strlen(c->text), SCALE, &c->num);
	if (!c->numeric && c->cmp != C_EQ && c->cmp != C_NE)
		die_usage("--having: '%s' is not a number (only = and != "
		    "compare text)", c->text);
}

/* ---- the row loop ---- */

/* A group's block and the accumulators in it. */
#define BLK(a, g)	((a)->state + (size_t)(g) * (a)->gsize)
#define ROWS(a, g)	(*(uint64_t *)(BLK(a, g) + (a)->o_rows))
#define G_N(a, op, g)	(*(uint64_t *)(BLK(a, g) + (op)->o_n))
#define G_S1(a, op, g)	(*(i128 *)(BLK(a, g) + (op)->o_s1))
#define G_S2(a, op, g)	(*(i128 *)(BLK(a, g) + (op)->o_s2))
#define G_MM(a, op, g)	(*(int64_t *)(BLK(a, g) + (op)->o_mm))
#define G_TOFF(a, op, g) (*(uint64_t *)(BLK(a, g) + (op)->o_toff))
#define G_TLEN(a, op, g) (*(uint32_t *)(BLK(a, g) + (op)->o_tlen))
#define G_TCAP(a, op, g) (*(uint32_t *)(BLK(a, g) + (op)->o_tcap))

/* Next free offset of SIZE bytes (SIZE-aligned) in a group's block. */
static size_t
slot(size_t *off, size_t size)
{
	size_t at = (*off + size - 1) / size * size;

	*off = at + size;
	return at;
}

/* Give every accumulator its place in a group's block: i128s first. */
static void
layout(struct agg *a)
{
	struct op *op;
	size_t off = 0, i;
	enum kind k;

	for (i = 0; i < a->nops; i++) {
		op = &a->ops[i];
		k = op->kind;
		op->o_s1 = op->o_s2 = op->o_n = op->o_mm = NONE;
		op->o_toff = op->o_tlen = op->o_tcap = NONE;
		if (k == K_SUM || k == K_MEAN || k == K_WMEAN || k == K_SHARE ||
		    k == K_MEDIAN || k == K_QUANTILE || k == K_STDEV)
			op->o_s1 = slot(&off, sizeof(i128));
		if (k == K_WMEAN || k == K_SHARE || k == K_STDEV)
			op->o_s2 = slot(&off, sizeof(i128));
	}
	a->o_rows = slot(&off, sizeof(uint64_t));
	for (i = 0; i < a->nops; i++) {
		op = &a->ops[i];
		k = op->kind;
		if (k != K_COUNT && k != K_SHARE && k != K_FIRST && k != K_LAST)
			op->o_n = slot(&off, sizeof(uint64_t));
		if (k == K_MIN || k == K_MAX || k == K_STDEV)
			op->o_mm = slot(&off, sizeof(int64_t));
		if (k == K_FIRST || k == K_LAST) {
			op->o_toff = slot(&off, sizeof(uint64_t));
			op->o_tlen = slot(&off, sizeof(uint32_t));
			op->o_tcap = slot(&off, sizeof(uint32_t));
		}
	}
	for (i = 0; i < a->nvstores; i++) {
		a->vstores[i]->o_tail = slot(&off, sizeof(uint64_t));
		a->vstores[i]->o_fill = slot(&off, sizeof(uint32_t));
	}
	a->gsize = (off + 15) & ~(size_t)15;	/* keeps the i128s aligned */
}

/* The id of the group KEY (hash HV), with a zeroed block when new. */
static uint32_t
group_insert(struct agg *a, uint64_t hv, const char *key, size_t n)
{
	uint32_t id;
	size_t to;
	int isnew;

	id = hmap_insert_hv(&a->groups, hv, key, n, &isnew);
	if (isnew && id >= a->gcap) {
		to = a->gcap ? a->gcap * 2 : 4096;
		a->state = bigbuf_grow(a->state, a->gcap * a->gsize,
		    to * a->gsize);
		a->gcap = to;
	}
	return id;
}

static uint32_t
group_id(struct agg *a, const char *key, size_t n)
{
	return group_insert(a, hash_bytes(key, n), key, n);
}

static _Noreturn void
bad_number(struct agg *a, const struct brow *r, size_t f, struct slice v)
{
	struct header h;
	char name[64];

	if (a->cli.no_header)
		snprintf(name, sizeof(name), "field %zu", f + 1);
	else {
		header_init(&h, a->t->header, a->t->header_len);
		snprintf(name, sizeof(name), "%.*s", (int)h.names.f[f].n,
		    h.names.f[f].p);
	}
	die_at(r->name, r->line, "bad %s '%.*s' (expected a number or \\N)",
	    name, (int)(v.n > 64 ? 64 : v.n), v.p);
}

/*
 * Parse a numeric field: 0 for \N, 1 for a number, dies otherwise.  The
 * last answer is kept: mean and median of one field parse it once.
 */
static inline int
number(struct agg *a, const struct brow *r, size_t f, int64_t *v)
{
	struct slice s = r->fv.f[f];

	if (r->seq == a->memo_seq && f == a->memo_f) {
		*v = a->memo_x;
		return a->memo_ok;
	}
	a->memo_seq = r->seq;
	a->memo_f = f;
	if (is_null(s.p, s.n))
		return a->memo_ok = 0;
	if (!parse_scaled(s.p, s.n, SCALE, v))
		bad_number(a, r, f, s);
	a->memo_x = *v;
	return a->memo_ok = 1;
}

static inline void
note_frac(struct op *op, struct slice s)
{
	const char *dot = memchr(s.p, '.', s.n);

	if (dot != NULL && (int)(s.p + s.n - dot - 1) > op->frac)
		op->frac = (int)(s.p + s.n - dot - 1);
}

/* Keep VALUE as group GID's first/last text of OP. */
static void
keep_text(struct agg *a, struct op *op, uint32_t gid, struct slice v)
{
	size_t cap;

	if (v.n > G_TCAP(a, op, gid)) {
		cap = v.n > 2 * (size_t)G_TCAP(a, op, gid) ? v.n :
		    2 * (size_t)G_TCAP(a, op, gid);
		if (op->text_len + cap > op->text_cap) {
			op->text_cap = op->text_cap ? op->text_cap * 2 : 1 << 16;
			while (op->text_cap < op->text_len + cap)
				op->text_cap *= 2;
			op->text = xrealloc(op->text, op->text_cap);
		}
		G_TOFF(a, op, gid) = op->text_len;
		G_TCAP(a, op, gid) = cap;
		op->text_len += cap;
	}
	if (v.n > 0)	/* an empty first value: op->text may still be NULL */
		memcpy(op->text + G_TOFF(a, op, gid), v.p, v.n);
	G_TLEN(a, op, gid) = v.n;
}

static void
add_value(struct agg *a, struct vstore *vs, uint32_t gid, int64_t v)
{
	uint64_t *tail = (uint64_t *)(BLK(a, gid) + vs->o_tail);
	uint32_t *fill = (uint32_t *)(BLK(a, gid) + vs->o_fill);
	size_t lg = CHUNK_MIN, cap;

	if (*tail != 0)
		lg = (uint64_t)vs->arena[*tail - 1] >> 56;
	if (*tail == 0 || *fill == (uint32_t)1 << lg) {	/* a new chunk */
		if (*tail != 0 && lg < CHUNK_MAX)
			lg++;
		if (vs->used + 1 + ((size_t)1 << lg) > vs->cap) {
			for (cap = vs->cap ? vs->cap : 4096;
			    vs->used + 1 + ((size_t)1 << lg) > cap; cap *= 2)
				;
			vs->arena = bigbuf_grow(vs->arena, vs->cap * 8, cap * 8);
			vs->cap = cap;
		}
		vs->arena[vs->used] = (int64_t)(*tail | (uint64_t)lg << 56);
		*tail = vs->used + 1;
		*fill = 0;
		vs->used += 1 + ((size_t)1 << lg);
	}
	vs->arena[*tail + (*fill)++] = v;
}

/*
 * Note the pair (group, value) of a count-distinct.  The value becomes a
 * dense id (the previous row's value is remembered: on input sorted by the
 * value this skips the hash table) and the pair goes to an array that
 * finish_distinct() sorts by group.  A hash set of pairs cost a second
 * random probe per row: 25 M credits, 14 M groups: 108 -> see RESULTS.md.
 */
static void
add_distinct(struct agg *a, struct op *op, uint32_t gid, struct slice s)
{
	struct distinct *d = op->dist;
	uint32_t id;
	int isnew;

	if (d->have_last && s.n == d->last_n &&
	    (s.n == 0 || memcmp(s.p, d->last, s.n) == 0))
		id = d->last_id;
	else {
		id = hmap_insert(&d->ids, s.p, s.n, &isnew);
		if (s.n > d->last_cap) {
			d->last_cap = s.n * 2;
			d->last = xrealloc(d->last, d->last_cap);
		}
		if (s.n > 0)
			memcpy(d->last, s.p, s.n);
		d->last_n = s.n;
		d->last_id = id;
		d->have_last = 1;
	}
	if (d->npairs == d->cap) {
		d->pairs = bigbuf_grow(d->pairs, d->cap * sizeof(*d->pairs),
		    (d->cap ? d->cap * 2 : 4096) * sizeof(*d->pairs));
		d->cap = d->cap ? d->cap * 2 : 4096;
	}
	d->pairs[d->npairs++] = (uint64_t)gid << 32 | id;
	G_N(a, op, gid)++;
}

static void
op_add(struct agg *a, struct op *op, const struct brow *r, uint32_t gid,
    int first_row)
{
	int64_t x, w, d;
	struct slice s;

	switch (op->kind) {
	case K_COUNT:
		break;
	case K_COUNT_NONNULL:
		s = r->fv.f[op->f];
		G_N(a, op, gid) += !is_null(s.p, s.n);
		break;
	case K_COUNT_DISTINCT:
		s = r->fv.f[op->f];
		if (!is_null(s.p, s.n))
			add_distinct(a, op, gid, s);
		break;
	case K_SUM:
	case K_MEAN:
		if (number(a, r, op->f, &x)) {
			G_N(a, op, gid)++;
			G_S1(a, op, gid) += x;
			if (op->kind == K_SUM)
				note_frac(op, r->fv.f[op->f]);
		}
		break;
	case K_SHARE:
		if (op->f != NOFIELD && number(a, r, op->f, &x))
			G_S1(a, op, gid) += x;
		break;
	case K_WMEAN:
		if (number(a, r, op->f, &x) && number(a, r, op->w, &w)) {
			G_N(a, op, gid)++;
			G_S1(a, op, gid) += (i128)x * w;
			G_S2(a, op, gid) += w;
		}
		break;
	case K_MIN:
	case K_MAX:
		if (number(a, r, op->f, &x)) {
			note_frac(op, r->fv.f[op->f]);
			if (G_N(a, op, gid)++ == 0 || (op->kind == K_MIN ?
			    x < G_MM(a, op, gid) : x > G_MM(a, op, gid)))
				G_MM(a, op, gid) = x;
		}
		break;
	case K_MEDIAN:
	case K_QUANTILE:
		break;	/* the field's vstore holds the values */
	case K_STDEV:
		if (number(a, r, op->f, &x)) {
			/* Sums of x - K (K = the group's first value) stay small. */
			if (G_N(a, op, gid)++ == 0)
				G_MM(a, op, gid) = x;
			d = x - G_MM(a, op, gid);
			G_S1(a, op, gid) += d;
			G_S2(a, op, gid) += (i128)d * d;
		}
		break;
	case K_FIRST:
		if (first_row)
			keep_text(a, op, gid, r->fv.f[op->f]);
		break;
	case K_LAST:
		keep_text(a, op, gid, r->fv.f[op->f]);
		break;
	}
}

/*
 * The bucket index of S: edges are right-closed, (e0,e1], (e1,e2]...
 * 0 when S is not a number.
 */
static int
bucket_of(const struct agg *a, struct slice s, size_t *b)
{
	int64_t x;
	size_t lo = 1, hi = a->nedges - 1, mid;

	if (is_null(s.p, s.n)) {
		*b = a->nedges;
		return 1;
	}
	if (!parse_scaled(s.p, s.n, SCALE, &x))
		return 0;
	if (x <= a->edges[0] || x > a->edges[a->nedges - 1]) {
		*b = a->nedges - 1;
		return 1;
	}
	while (lo < hi) {	/* the first edge >= x */
		mid = lo + (hi - lo) / 2;
		if (a->edges[mid] >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	*b = lo - 1;
	return 1;
}

static void
put_hex(char *p, size_t v)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = BUCKET_HEX - 1; i >= 0; i--, v >>= 4)
		p[i] = hex[v & 15];
}

static void
key_room(struct agg *a, size_t need)
{
	if (need > a->key_cap) {
		a->key_cap = need * 2;
		a->key = xrealloc(a->key, a->key_cap);
	}
}

static void
room(char **buf, size_t *cap, size_t need)
{
	if (need > *cap) {
		*cap = need > 2 * *cap ? need : 2 * *cap;
		*buf = xrealloc(*buf, *cap);
	}
}

/* Row R's group key: in the line itself, or built in the batch's kbuf. */
static const char *
key_of(const struct batch *b, const struct brow *r)
{
	if (r->klen == 0)	/* no -g: kbuf may never have been allocated */
		return "";
	return (r->key_in_line ? b->buf : b->kbuf) + r->koff;
}

/*
 * Build row R's group key (TAB-separated group columns, a bucket as 4 hex
 * digits).  0 when the bucket field is not a number.
 */
static int
make_key(struct agg *a, struct batch *b, struct brow *r)
{
	const struct slice *f = r->fv.f;
	size_t i, n, bk;
	struct slice s;

	if (a->ngcols == 1 && a->bucket_col != 0) {
		s = f[a->gcols[0].f];	/* the key is the field itself */
		r->key_in_line = 1;
		r->koff = s.p - b->buf;
		r->klen = s.n;
		return 1;
	}
	r->key_in_line = 0;
	r->koff = n = b->klen;
	for (i = 0; i < a->ngcols; i++) {
		if (i == a->bucket_col) {
			if (!bucket_of(a, f[a->bfield], &bk))
				return 0;
			a->out_of_range += bk == a->nedges - 1;
			room(&b->kbuf, &b->kcap, n + BUCKET_HEX + 1);
			put_hex(b->kbuf + n, bk);
			n += BUCKET_HEX;
		} else {
			s = f[a->gcols[i].f];
			room(&b->kbuf, &b->kcap, n + s.n + 1);
			memcpy(b->kbuf + n, s.p, s.n);
			n += s.n;
		}
		if (i + 1 < a->ngcols)
			b->kbuf[n++] = '\t';
	}
	r->klen = n - r->koff;
	b->klen = n;
	return 1;
}

/* Fold row R into its group GID. */
static void
add_row(struct agg *a, const struct brow *r, uint32_t gid)
{
	size_t i;
	int64_t x;
	int first;

	first = ROWS(a, gid)++ == 0;
	for (i = 0; i < a->nops; i++)
		op_add(a, &a->ops[i], r, gid, first);
	for (i = 0; i < a->nvstores; i++)
		if (number(a, r, a->vstores[i]->field, &x))
			add_value(a, a->vstores[i], gid, x);
}

/* Copy LINE into the batch; full batches are folded in. */
static void
batch_add(struct agg *a, const struct tsv_in *t, struct slice line)
{
	struct batch *b = &a->b;
	struct brow *r = &b->r[b->n++];

	room(&b->buf, &b->cap, b->len + line.n + 1);
	memcpy(b->buf + b->len, line.p, line.n);
	r->off = b->len;
	r->len = line.n;
	r->name = t->name;
	r->line = t->line;
	r->seq = a->rows_in;
	b->len += line.n;
	if (b->n == BATCH)
		run_batch(a);
}

/*
 * Fold the batch's rows in, in their order, overlapping the cache misses
 * of their group look-ups: hash every key and prefetch its slot, then
 * prefetch the key records, then find or insert the groups (prefetching
 * their blocks), then add the values.  One row at a time waited for each
 * miss in turn: 4.2 M rows, 1.4 M groups: see bench/RESULTS.md.  A row
 * whose key equals the previous row's (sorted input) skips the table.
 */
static void
run_batch(struct agg *a)
{
	struct batch *b = &a->b;
	struct brow *r;
	size_t i, n = b->n, bad = b->n;
	const char *k, *pk;
	size_t pn;

	b->klen = 0;
	for (i = 0; i < n; i++) {
		r = &b->r[i];
		tsv_split(&r->fv, b->buf + r->off, r->len);
		if (a->nfields == 0)
			a->nfields = r->fv.n;
		if (r->fv.n != a->nfields || !make_key(a, b, r)) {
			bad = i;
			break;
		}
		k = key_of(b, r);
		if (i > 0) {
			pk = key_of(b, &b->r[i - 1]);
			pn = b->r[i - 1].klen;
		} else {
			pk = b->prev;
			pn = b->have_prev ? b->prev_n : (size_t)-1;
		}
		r->same = pn == r->klen && (pn == 0 || memcmp(k, pk, pn) == 0);
		if (!r->same) {
			r->hv = hash_bytes(k, r->klen);
			hprobe_slot(&a->groups, r->hv);
		}
	}
	n = bad;
	for (i = 0; i < n; i++)
		if (!b->r[i].same)
			hprobe_record(&a->groups, b->r[i].hv);
	for (i = 0; i < n; i++) {
		r = &b->r[i];
		if (r->same)
			r->gid = i > 0 ? b->r[i - 1].gid : b->prev_gid;
		else
			r->gid = group_insert(a, r->hv, key_of(b, r), r->klen);
		__builtin_prefetch(BLK(a, r->gid));
		if (a->gsize > 64)
			__builtin_prefetch(BLK(a, r->gid) + 64);
	}
	for (i = 0; i < n; i++)
		add_row(a, &b->r[i], b->r[i].gid);
	if (bad < b->n) {	/* the first bad row dies as it would alone */
		r = &b->r[bad];
		if (r->fv.n != a->nfields)
			die_at(r->name, r->line, "expected %zu fields, found %zu",
			    a->nfields, r->fv.n);
		bad_number(a, r, a->bfield, r->fv.f[a->bfield]);
	}
	if (n > 0) {
		r = &b->r[n - 1];
		room(&b->prev, &b->prev_cap, r->klen + 1);
		if (r->klen > 0)	/* no -g: kbuf may still be NULL */
			memcpy(b->prev, key_of(b, r), r->klen);
		b->prev_n = r->klen;
		b->prev_gid = r->gid;
		b->have_prev = 1;
	}
	b->n = b->len = 0;
}

/* tsv's end-of-file hook: a batch never spans two files. */
static void
file_end(struct tsv_in *t, void *arg)
{
	(void)t;
	run_batch(arg);
}

/* Component COL of group GID's key (TAB-separated). */
static struct slice
component(const struct agg *a, uint32_t gid, size_t col)
{
	struct slice s;
	const char *p, *end, *tab;
	size_t n, i;

	p = hmap_key(&a->groups, gid, &n);
	end = p + n;
	for (i = 0; i < col; i++)
		p = memchr(p, '\t', end - p) + 1;
	tab = memchr(p, '\t', end - p);
	s.p = p;
	s.n = (tab != NULL ? tab : end) - p;
	return s;
}

static size_t
bucket_index(struct slice s)
{
	size_t v = 0, i;

	for (i = 0; i < BUCKET_HEX; i++)
		v = v * 16 + (s.p[i] <= '9' ? s.p[i] - '0' : s.p[i] - 'a' + 10);
	return v;
}

/* Every bucket for every combination of the other group columns seen. */
static void
add_all_buckets(struct agg *a)
{
	uint32_t ng = a->groups.count, g;
	size_t b, n, off;
	const char *k;
	char *copy = NULL;
	size_t copy_cap = 0;

	for (g = 0; g < ng; g++) {
		k = hmap_key(&a->groups, g, &n);
		if (n + 1 > copy_cap) {
			copy_cap = (n + 1) * 2;
			copy = xrealloc(copy, copy_cap);
		}
		memcpy(copy, k, n);
		off = component(a, g, a->bucket_col).p - k;
		for (b = 0; b + 1 < a->nedges; b++) {
			put_hex(copy + off, b);
			group_id(a, copy, n);
		}
	}
	free(copy);
}

/* ---- after the last row: percentiles and shares ---- */

static void
swap64(int64_t *v, ptrdiff_t i, ptrdiff_t j)
{
	int64_t x = v[i];

	v[i] = v[j];
	v[j] = x;
}

/*
 * Put the K-th smallest of V[0..N) at V[K], smaller ones before it and
 * larger ones after (Hoare's select: O(N), where a sort costs O(N log N)).
 */
static int64_t
select_k(int64_t *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, i, j, m;
	int64_t pv;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (v[m] < v[lo])
			swap64(v, m, lo);
		if (v[hi] < v[lo])
			swap64(v, hi, lo);
		if (v[hi] < v[m])
			swap64(v, hi, m);
		pv = v[m];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < pv)
				i++;
			while (v[j] > pv)
				j--;
			if (i <= j)
				swap64(v, i++, j--);
		}
		if ((ptrdiff_t)k <= j)
			hi = j;
		else if ((ptrdiff_t)k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/*
 * percentile_cont(q): the value at position q*(n-1) of the sorted values,
 * interpolated linearly; exact as num / 10^12.
 */
static i128
percentile(int64_t *v, size_t n, int64_t q)
{
	i128 pos = (i128)q * (i128)(n - 1);
	size_t lo = (size_t)(pos / ONE);
	int64_t rem = (int64_t)(pos % ONE), a, b;
	size_t i;

	a = select_k(v, n, lo);
	if (rem == 0)
		return (i128)a * ONE;
	b = v[lo + 1];
	for (i = lo + 2; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return (i128)a * ONE + (i128)rem * (b - a);
}

/* Gather group G's values of VS into *BUF; their count. */
static size_t
gather(struct agg *a, struct vstore *vs, uint32_t g, int64_t **buf,
    size_t *cap)
{
	uint64_t c = *(uint64_t *)(BLK(a, g) + vs->o_tail), h;
	size_t n = 0, k;

	for (k = *(uint32_t *)(BLK(a, g) + vs->o_fill); c != 0; ) {
		h = (uint64_t)vs->arena[c - 1];
		if (n + k > *cap) {
			*cap = (n + k) * 2;
			*buf = xrealloc(*buf, *cap * sizeof(**buf));
		}
		memcpy(*buf + n, vs->arena + c, k * sizeof(**buf));
		n += k;
		c = h & ((UINT64_C(1) << 56) - 1);
		if (c != 0)	/* earlier chunks are full */
			k = (size_t)1 << ((uint64_t)vs->arena[c - 1] >> 56);
	}
	return n;
}

static void
finish_vstore(struct agg *a, struct vstore *vs)
{
	uint32_t ng = a->groups.count, g;
	int64_t *buf = NULL;
	size_t cap = 0, cnt, j;
	struct op *op;

	for (g = 0; g < ng; g++) {
		cnt = gather(a, vs, g, &buf, &cap);
		for (j = 0; j < a->nops; j++) {
			op = &a->ops[j];
			if (op->vs != vs)
				continue;
			G_N(a, op, g) = cnt;
			if (cnt > 0)	/* any order of the values will do */
				G_S1(a, op, g) = percentile(buf, cnt, op->q);
		}
	}
	free(buf);
	bigbuf_free(vs->arena, vs->cap * 8);
	vs->arena = NULL;
}

static int
by_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* Distinct values among the ids V[0..N) (reordered). */
static uint64_t
distinct_ids(uint32_t *v, size_t n)
{
	uint64_t d = n > 0;
	size_t i, j;
	uint32_t x;

	for (i = 1; i < n && v[i - 1] <= v[i]; i++)
		;
	if (i < n) {	/* not in order already (sorted input is) */
		if (n <= 16) {
			for (i = 1; i < n; i++) {
				x = v[i];
				for (j = i; j > 0 && v[j - 1] > x; j--)
					v[j] = v[j - 1];
				v[j] = x;
			}
		} else
			qsort(v, n, sizeof(*v), by_u32);
	}
	for (i = 1; i < n; i++)
		d += v[i] != v[i - 1];
	return d;
}

/*
 * Count the distinct values per group: the pairs are scattered by group
 * (their counts, already in G_N, become offsets), then each group's run
 * of ids is counted.  Sequential passes, where a hash set of pairs probed
 * at random once per row.
 */
static void
finish_distinct(struct agg *a, struct op *op)
{
	struct distinct *d = op->dist;
	uint32_t ng = a->groups.count, g, *ids;
	uint64_t sum = 0, c, beg, end, p;
	size_t i;

	for (g = 0; g < ng; g++) {
		c = G_N(a, op, g);
		G_N(a, op, g) = sum;
		sum += c;
	}
	ids = bigbuf_grow(NULL, 0, (d->npairs + 1) * sizeof(*ids));
	for (i = 0; i < d->npairs; i++) {
		if (i + 16 < d->npairs)
			__builtin_prefetch(BLK(a, d->pairs[i + 16] >> 32) +
			    op->o_n);
		p = d->pairs[i];
		ids[G_N(a, op, (uint32_t)(p >> 32))++] = (uint32_t)p;
	}
	bigbuf_free(d->pairs, d->cap * sizeof(*d->pairs));
	d->pairs = NULL;
	for (g = 0, beg = 0; g < ng; g++, beg = end) {
		end = G_N(a, op, g);
		G_N(a, op, g) = distinct_ids(ids + beg, end - beg);
	}
	bigbuf_free(ids, (d->npairs + 1) * sizeof(*ids));
	hmap_free(&d->ids);
}

/* The scope (--within columns) of group GID as a key, into A->key. */
static size_t
scope_key(struct agg *a, uint32_t gid)
{
	struct slice s;
	size_t i, n = 0;

	for (i = 0; i < a->nwithin; i++) {
		s = component(a, gid, a->within[i]);
		key_room(a, n + s.n + 1);
		memcpy(a->key + n, s.p, s.n);
		n += s.n;
		a->key[n++] = '\t';
	}
	return n;
}

static void
finish_share(struct agg *a, struct op *op)
{
	uint32_t ng = a->groups.count, g, sid;
	struct hashmap scopes;
	i128 *total, v;
	int isnew;

	hmap_init(&scopes, 64);
	total = xrealloc(NULL, (ng + 1) * sizeof(*total));
	memset(total, 0, (ng + 1) * sizeof(*total));
	for (g = 0; g < ng; g++) {
		v = op->f == NOFIELD ? (i128)ROWS(a, g) : G_S1(a, op, g);
		sid = hmap_insert(&scopes, a->key, scope_key(a, g), &isnew);
		total[sid] += v;
	}
	for (g = 0; g < ng; g++) {
		sid = hmap_find(&scopes, a->key, scope_key(a, g));
		G_S2(a, op, g) = total[sid];
		if (op->f == NOFIELD)
			G_S1(a, op, g) = ROWS(a, g);
	}
	free(total);
	hmap_free(&scopes);
}

static void
finish(struct agg *a)
{
	size_t i;

	for (i = 0; i < a->nvstores; i++)
		finish_vstore(a, a->vstores[i]);
	for (i = 0; i < a->nops; i++)
		if (a->ops[i].kind == K_COUNT_DISTINCT)
			finish_distinct(a, &a->ops[i]);
	for (i = 0; i < a->nops; i++)
		if (a->ops[i].kind == K_SHARE)
			finish_share(a, &a->ops[i]);
}

/* ---- values, comparisons and output ---- */

static void
rational(struct val *v, i128 num, i128 den)
{
	if (den == 0) {
		v->kind = V_NULL;
		return;
	}
	if (den < 0) {
		num = -num;
		den = -den;
	}
	v->kind = V_RAT;
	v->num = num;
	v->den = den;
}

static void
col_value(const struct agg *a, const struct colref *c, uint32_t g,
    struct val *v)
{
	const struct op *op;
	struct slice s;
	int64_t x;
	long double var;
	i128 num;

	v->kind = V_NULL;
	if (!c->op) {
		s = component(a, g, c->i);
		if (c->i == a->bucket_col) {
			s.p = a->labels[bucket_index(s)];
			s.n = strlen(s.p);
		}
		if (is_null(s.p, s.n))
			return;
		if (parse_scaled(s.p, s.n, SCALE, &x)) {
			rational(v, x, ONE);
			return;
		}
		v->kind = V_TEXT;
		v->p = s.p;
		v->n = s.n;
		return;
	}
	op = &a->ops[c->i];
	switch (op->kind) {
	case K_COUNT:
		rational(v, ROWS(a, g), 1);
		break;
	case K_COUNT_NONNULL:
	case K_COUNT_DISTINCT:
		rational(v, G_N(a, op, g), 1);
		break;
	case K_SUM:
		if (G_N(a, op, g) > 0)
			rational(v, G_S1(a, op, g), ONE);
		break;
	case K_MEAN:
		rational(v, G_S1(a, op, g), (i128)G_N(a, op, g) * ONE);
		break;
	case K_WMEAN:
		rational(v, G_S1(a, op, g), G_S2(a, op, g) * ONE);
		break;
	case K_MIN:
	case K_MAX:
		if (G_N(a, op, g) > 0)
			rational(v, G_MM(a, op, g), ONE);
		break;
	case K_MEDIAN:
	case K_QUANTILE:
		if (G_N(a, op, g) > 0)
			rational(v, G_S1(a, op, g), (i128)ONE * ONE);
		break;
	case K_STDEV:
		if (G_N(a, op, g) < 2)
			break;
		/* var = (n*S2 - S1^2) / (n(n-1)), exact up to the division */
		num = (i128)G_N(a, op, g) * G_S2(a, op, g) - G_S1(a, op, g) * G_S1(a, op, g);
		var = (long double)num / ((long double)G_N(a, op, g) *
		    (long double)(G_N(a, op, g) - 1)) / ((long double)ONE * ONE);
		v->kind = V_REAL;
		v->d = sqrtl(var < 0 ? 0 : var);
		break;
	case K_FIRST:
	case K_LAST:
		if (ROWS(a, g) == 0)
			break;
		v->kind = V_TEXT;
		v->p = op->text != NULL ? op->text + G_TOFF(a, op, g) : "";
		v->n = G_TLEN(a, op, g);
		if (is_null(v->p, v->n))
			v->kind = V_NULL;
		else if (parse_scaled(v->p, v->n, SCALE, &x))
			rational(v, x, ONE);
		break;
	case K_SHARE:
		rational(v, G_S1(a, op, g), G_S2(a, op, g));
		break;
	}
}

static i128
floor_div(i128 a, i128 b, i128 *r)
{
	i128 q = a / b, m = a % b;

	if (m < 0) {
		q--;
		m += b;
	}
	*r = m;
	return q;
}

/*
 * Compare A/B with C/D (B, D > 0) exactly, without the overflow of cross
 * products: integer parts first, then the inverted remainders (Euclid).
 */
static int
cmp_frac(i128 a, i128 b, i128 c, i128 d)
{
	i128 qa, qc, ra, rc, ob;

	for (;;) {
		qa = floor_div(a, b, &ra);
		qc = floor_div(c, d, &rc);
		if (qa != qc)
			return qa < qc ? -1 : 1;
		if (ra == 0 || rc == 0)
			return (ra != 0) - (rc != 0);
		/* ra/b < rc/d  <=>  d/rc < b/ra */
		ob = b;
		a = d;
		b = rc;
		c = ob;
		d = ra;
	}
}

static int
cmp_val(const struct val *x, const struct val *y)
{
	long double dx, dy;
	size_t n;
	int c;

	if (x->kind == V_RAT && y->kind == V_RAT)
		return cmp_frac(x->num, x->den, y->num, y->den);
	if (x->kind == V_TEXT && y->kind == V_TEXT) {
		n = x->n < y->n ? x->n : y->n;
		if ((c = memcmp(x->p, y->p, n)) != 0)
			return c < 0 ? -1 : 1;
		return (x->n > y->n) - (x->n < y->n);
	}
	if (x->kind == V_TEXT || y->kind == V_TEXT)
		return x->kind == V_TEXT ? 1 : -1;	/* numbers first */
	dx = x->kind == V_REAL ? x->d : (long double)x->num / x->den;
	dy = y->kind == V_REAL ? y->d : (long double)y->num / y->den;
	return (dx > dy) - (dx < dy);
}

static int
cmp_key(const struct agg *a, uint32_t g1, uint32_t g2)
{
	const char *k1, *k2;
	size_t n1, n2;
	int c;

	k1 = hmap_key(&a->groups, g1, &n1);
	k2 = hmap_key(&a->groups, g2, &n2);
	if ((c = memcmp(k1, k2, n1 < n2 ? n1 : n2)) != 0)
		return c < 0 ? -1 : 1;
	return (n1 > n2) - (n1 < n2);
}

static int
cmp_scope(const struct agg *a, uint32_t g1, uint32_t g2)
{
	struct slice s1, s2;
	size_t i;
	int c;

	for (i = 0; i < a->nwithin; i++) {
		s1 = component(a, g1, a->within[i]);
		s2 = component(a, g2, a->within[i]);
		if ((c = memcmp(s1.p, s2.p, s1.n < s2.n ? s1.n : s2.n)) != 0)
			return c < 0 ? -1 : 1;
		if (s1.n != s2.n)
			return s1.n < s2.n ? -1 : 1;
	}
	return 0;
}

/* By the columns REFS (nulls last either way); 0 when they tie. */
static int
cmp_cols(const struct agg *a, const struct colref *refs, size_t n,
    uint32_t g1, uint32_t g2)
{
	struct val v1, v2;
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		col_value(a, &refs[i], g1, &v1);
		col_value(a, &refs[i], g2, &v2);
		if (v1.kind == V_NULL || v2.kind == V_NULL) {
			if (v1.kind != v2.kind)
				return v1.kind == V_NULL ? 1 : -1;
			continue;
		}
		if ((c = cmp_val(&v1, &v2)) != 0)
			return refs[i].desc ? -c : c;
	}
	return 0;
}

/* By the columns REFS, then the group key. */
static int
cmp_refs(const struct agg *a, const struct colref *refs, size_t n,
    uint32_t g1, uint32_t g2)
{
	int c;

	if ((c = cmp_cols(a, refs, n, g1, g2)) != 0)
		return c;
	return cmp_key(a, g1, g2);
}

static int
by_top(const void *x, const void *y, void *arg)
{
	const struct agg *a = arg;
	uint32_t g1 = *(const uint32_t *)x, g2 = *(const uint32_t *)y;
	int c;

	if ((c = cmp_scope(a, g1, g2)) != 0)
		return c;
	return cmp_refs(a, a->by, a->nby, g1, g2);
}

static int
by_sort(const void *x, const void *y, void *arg)
{
	const struct agg *a = arg;

	return cmp_refs(a, a->sortby, a->nsortby, *(const uint32_t *)x,
	    *(const uint32_t *)y);
}

static int
having_ok(const struct agg *a, uint32_t g)
{
	const struct cond *c;
	struct val v, k;
	size_t i;
	int r;

	for (i = 0; i < a->nhaving; i++) {
		c = &a->having[i];
		col_value(a, &c->col, g, &v);
		if (v.kind == V_NULL)
			return 0;
		if (c->numeric && v.kind != V_TEXT) {
			rational(&k, c->num, ONE);
			r = cmp_val(&v, &k);
		} else {
			k.kind = V_TEXT;
			k.p = c->text;
			k.n = strlen(c->text);
			if (v.kind != V_TEXT)
				return c->cmp == C_NE;	/* a number is not that text */
			r = cmp_val(&v, &k);
		}
		switch (c->cmp) {
		case C_GE: if (r < 0) return 0; break;
		case C_GT: if (r <= 0) return 0; break;
		case C_LE: if (r > 0) return 0; break;
		case C_LT: if (r >= 0) return 0; break;
		case C_EQ: if (r != 0) return 0; break;
		case C_NE: if (r == 0) return 0; break;
		}
	}
	return 1;
}

static void
write_value(struct agg *a, const struct op *op, uint32_t g)
{
	struct colref c = { 1, (size_t)(op - a->ops), 0 };
	struct val v;
	char buf[128];
	size_t n;
	int digits = op->digits;

	col_value(a, &c, g, &v);
	switch (v.kind) {
	case V_NULL:
		out_write(&a->out, "\\N", 2);
		return;
	case V_TEXT:
		out_write(&a->out, v.p, v.n);
		return;
	case V_REAL:
		n = fmt_double(buf, (double)v.d, digits);
		out_write(&a->out, buf, n);
		return;
	case V_RAT:
		break;
	}
	switch (op->kind) {
	case K_COUNT:
	case K_COUNT_NONNULL:
	case K_COUNT_DISTINCT:
		digits = 0;
		break;
	case K_SUM:
	case K_MIN:
	case K_MAX:
		/* exact: as many decimals as the input, unless /DIGITS */
		if (!op->digits_given)
			digits = op->frac;
		break;
	case K_FIRST:
	case K_LAST:
		out_write(&a->out, op->text + G_TOFF(a, op, g), G_TLEN(a, op, g));
		return;
	default:
		break;
	}
	n = fmt_fraction(buf, v.num, v.den, digits);
	out_write(&a->out, buf, n);
}

static void
write_header(struct agg *a)
{
	size_t i;

	if (a->rank != NULL) {
		out_str(&a->out, a->rank);
		if (a->ngcols + a->nops > 0)
			out_byte(&a->out, '\t');
	}
	for (i = 0; i < a->ngcols + a->nops; i++) {
		if (i > 0)
			out_byte(&a->out, '\t');
		out_str(&a->out, i < a->ngcols ? a->gcols[i].name :
		    a->ops[i - a->ngcols].name);
	}
	out_byte(&a->out, '\n');
}

static void
write_row(struct agg *a, uint32_t g, uint64_t rank)
{
	const char *p, *end, *tab;
	size_t i, n;

	if (a->rank != NULL) {
		out_u64(&a->out, rank);
		if (a->ngcols + a->nops > 0)
			out_byte(&a->out, '\t');
	}
	p = hmap_key(&a->groups, g, &n);
	end = p + n;
	for (i = 0; i < a->ngcols; i++, p = tab + 1) {
		if ((tab = memchr(p, '\t', end - p)) == NULL)
			tab = end;
		if (i > 0)
			out_byte(&a->out, '\t');
		if (i == a->bucket_col)
			out_str(&a->out, a->labels[bucket_index((struct slice)
			    { p, tab - p })]);
		else
			out_write(&a->out, p, tab - p);
	}
	for (i = 0; i < a->nops; i++) {
		if (i > 0 || a->ngcols > 0)
			out_byte(&a->out, '\t');
		write_value(a, &a->ops[i], g);
	}
	out_byte(&a->out, '\n');
	a->rows_out++;
}

/*
 * A group id with a leading count (--sort-by a count column; else 0) and
 * the first 16 bytes of its key, big-endian.
 */
struct keyent {
	uint64_t	 v, hi, lo;
	uint32_t	 gid;
};

/* How keyents compare after their counts: the other --sort-by columns. */
struct keysort {
	const struct agg	*a;
	const struct colref	*rest;
	size_t			 nrest;
};

static uint64_t
load_be(const char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (i < n ? (unsigned char)p[i] : 0);
	return v;
}

static int
cmp_keyent(const struct keysort *ks, const struct keyent *e1,
    const struct keyent *e2)
{
	int c;

	if (e1->v != e2->v)
		return e1->v < e2->v ? -1 : 1;
	if (ks->nrest > 0 &&
	    (c = cmp_cols(ks->a, ks->rest, ks->nrest, e1->gid, e2->gid)) != 0)
		return c;
	if (e1->hi != e2->hi)
		return e1->hi < e2->hi ? -1 : 1;
	if (e1->lo != e2->lo)
		return e1->lo < e2->lo ? -1 : 1;
	return cmp_key(ks->a, e1->gid, e2->gid);
}

static void
swap_keyent(struct keyent *x, struct keyent *y)
{
	struct keyent t = *x;

	*x = *y;
	*y = t;
}

/*
 * Quicksort of E[0..N) (median of three, insertion sort below 16, the
 * smaller side first): the comparison inlined, where qsort_r called
 * through a pointer and merged through a copy (1.9 M groups: 0.5 -> see
 * bench/RESULTS.md).  Keys are distinct, so ties never go quadratic.
 */
static void
sort_keyents(const struct keysort *a, struct keyent *e, size_t n)
{
	size_t i, j, m;
	struct keyent pv;

	while (n > 16) {
		m = n / 2;
		if (cmp_keyent(a, &e[m], &e[0]) < 0)
			swap_keyent(&e[m], &e[0]);
		if (cmp_keyent(a, &e[n - 1], &e[0]) < 0)
			swap_keyent(&e[n - 1], &e[0]);
		if (cmp_keyent(a, &e[n - 1], &e[m]) < 0)
			swap_keyent(&e[n - 1], &e[m]);
		pv = e[m];
		i = 0;
		j = n - 1;
		for (;;) {	/* Hoare partition around pv */
			while (cmp_keyent(a, &e[i], &pv) < 0)
				i++;
			while (cmp_keyent(a, &pv, &e[j]) < 0)
				j--;
			if (i >= j)
				break;
			swap_keyent(&e[i++], &e[j--]);
		}
		/* now [0, j] <= pv <= [j+1, n) */
		if (j + 1 < n - j - 1) {
			sort_keyents(a, e, j + 1);
			e += j + 1;
			n -= j + 1;
		} else {
			sort_keyents(a, e + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (i = 1; i < n; i++) {
		pv = e[i];
		for (j = i; j > 0 && cmp_keyent(a, &pv, &e[j - 1]) < 0; j--)
			e[j] = e[j - 1];
		e[j] = pv;
	}
}

/* The value of count column C of group G as a sort key (desc: inverted). */
static uint64_t
count_key(const struct agg *a, const struct colref *c, uint32_t g)
{
	const struct op *op = &a->ops[c->i];
	uint64_t v = op->kind == K_COUNT ? ROWS(a, g) : G_N(a, op, g);

	return c->desc ? UINT64_MAX - v : v;
}

static int
is_count(const struct agg *a, const struct colref *c)
{
	return c->op && (a->ops[c->i].kind == K_COUNT ||
	    a->ops[c->i].kind == K_COUNT_NONNULL ||
	    a->ops[c->i].kind == K_COUNT_DISTINCT);
}

/*
 * Sort by group key, or by --sort-by when its first column is a count.
 * Comparing through the hash table's records costs two cache misses per
 * comparison; carrying the count and a 16-byte key prefix decides most of
 * them in the array itself (2 M random ids: 6.1 s -> see bench/kpi-agg.sh).
 */
static void
sort_by_key(struct agg *a, uint32_t *order, size_t n, int by_count)
{
	struct keyent *e = bigbuf_grow(NULL, 0, (n + 1) * sizeof(*e));
	struct keysort ks = { a, NULL, 0 };
	const char *k;
	size_t i, len;

	if (by_count) {
		ks.rest = a->sortby + 1;
		ks.nrest = a->nsortby - 1;
	}
	for (i = 0; i < n; i++) {
		k = hmap_key(&a->groups, order[i], &len);
		e[i].v = by_count ? count_key(a, a->sortby, order[i]) : 0;
		e[i].hi = load_be(k, len);
		e[i].lo = len > 8 ? load_be(k + 8, len - 8) : 0;
		e[i].gid = order[i];
	}
	sort_keyents(&ks, e, n);
	for (i = 0; i < n; i++)
		order[i] = e[i].gid;
	bigbuf_free(e, (n + 1) * sizeof(*e));
}

static void
write_output(struct agg *a)
{
	uint32_t ng = a->groups.count, g, *order, *kept;
	size_t n = 0, k = 0, i;
	uint64_t in_scope = 0, rank = 0;

	order = bigbuf_grow(NULL, 0, (ng + 1) * sizeof(*order));
	for (g = 0; g < ng; g++)
		if (having_ok(a, g))
			order[n++] = g;
	if (a->has_top) {
		qsort_r(order, n, sizeof(*order), by_top, a);
		kept = order;
		for (i = 0; i < n; i++) {
			if (i == 0 || cmp_scope(a, order[i - 1], order[i]) != 0)
				in_scope = 0;
			if (in_scope++ < a->top)
				kept[k++] = order[i];
		}
		n = k;
	}
	if (a->nsortby > 0 && is_count(a, a->sortby))
		sort_by_key(a, order, n, 1);
	else if (a->nsortby > 0)
		qsort_r(order, n, sizeof(*order), by_sort, a);
	else if (!a->has_top)
		sort_by_key(a, order, n, 0);
	if (!a->cli.no_header)
		write_header(a);
	for (i = 0; i < n; i++) {
		/* groups come in a random order: fetch ahead of need */
		if (i + 32 < n)
			hmap_prefetch_rec(&a->groups, order[i + 32]);
		if (i + 16 < n) {
			hmap_prefetch_key(&a->groups, order[i + 16]);
			__builtin_prefetch(BLK(a, order[i + 16]));
		}
		if (i == 0 || cmp_scope(a, order[i - 1], order[i]) != 0)
			rank = 0;
		write_row(a, order[i], ++rank);
	}
	bigbuf_free(order, (ng + 1) * sizeof(*order));
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] [-g FIELDS] OP ... [--bucket FIELD=EDGES] "
	    "[--all-buckets]\n"
	    "               [--top N --by COL[:asc|:desc],... [--within COLS]] "
	    "[--rank NAME]\n"
	    "               [--having COND] [--sort-by COL[:asc|:desc],...] "
	    "[-p DIGITS]\n"
	    "               [--stats FILE] [--progress] [-o FILE] [FILE ...]\n"
	    "OP: [NAME=]count | count-nonnull:F | count-distinct:F | sum:F | "
	    "mean:F |\n"
	    "    wmean:F:W | min:F | max:F | median:F | quantile:F:Q | "
	    "stdev:F |\n"
	    "    first:F | last:F | share[:F]   (suffix /DIGITS: decimals "
	    "of this column)\n", progname);
}
