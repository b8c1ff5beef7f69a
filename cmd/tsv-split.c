/*
 * tsv-split - hash-partition TSV rows by key fields into N files (or keep
 * one partition on stdout, as a Hadoop Streaming mapper filter), so that the
 * per-key steps of the pipeline can run per partition.  The partition of a
 * row depends only on its key bytes: FNV-1a 64 of the key fields joined by
 * TAB, modulo N - the same on every machine, run and byte order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fieldlist.h"
#include "msg.h"
#include "out.h"
#include "progress.h"
#include "rejects.h"
#include "stats.h"
#include "tsv.h"

/*
 * Each partition file gets its own buffer: 256 KiB keeps 64 partitions in
 * 16 MiB while a write(2) still moves far more than a page.
 */
#define FNV_OFFSET	UINT64_C(14695981039346656037)
#define FNV_PRIME	UINT64_C(1099511628211)

struct split {
	struct cli	 cli;
	struct fieldlist key;
	uint64_t	 nparts;
	uint64_t	 only;		/* --part K/N: K; else UINT64_MAX */
	const char	*number;	/* --number NAME, or NULL */
	size_t		 nfields;	/* expected per row; 0 = first row's */
	struct out	*outs;		/* one per partition, or one for --part */
	uint64_t	*rows;		/* rows written per partition */
	struct rejects	 rej;
	struct stats	 st;
	uint64_t	 rows_in, rows_out, rows_other;
};

static void	 parse_part(struct split *, const char *);
static void	 open_parts(struct split *, const char *, const char *,
		    size_t);
static void	 close_parts(struct split *);
static void	 route(struct split *, struct slice, const struct fields *,
		    uint64_t);
static uint64_t	 key_hash(const struct split *, const struct fields *);
static void	 write_header(struct out *, const char *, size_t,
		    const char *);
static void	 usage(FILE *);

enum { OPT_PREFIX = CLI_FIRST_TOOL_OPTION, OPT_PART, OPT_NUMBER,
    OPT_REJECTS };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "key",	required_argument,	NULL, 'k' },
	{ "partitions",	required_argument,	NULL, 'n' },
	{ "prefix",	required_argument,	NULL, OPT_PREFIX },
	{ "part",	required_argument,	NULL, OPT_PART },
	{ "number",	required_argument,	NULL, OPT_NUMBER },
	{ "rejects",	required_argument,	NULL, OPT_REJECTS },
	{ "output",	required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct split s = { 0 };
	struct tsv_in t;
	struct fields fv = { 0 };
	struct slice line;
	struct header hdr, *hp = NULL;
	struct progress prog;
	const char *key = NULL, *prefix = NULL, *part = NULL, *output = NULL;
	const char *rejects = NULL;
	char reason[64], metric[64];
	uint64_t i;
	int ch;

	msg_init(argv[0]);
	s.cli.usage = usage;
	s.only = UINT64_MAX;
	while ((ch = getopt_long(argc, argv, "Nk:n:o:", longopts, NULL)) != -1) {
		if (cli_common(&s.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'k':
			key = optarg;
			break;
		case 'n':
			s.nparts = cli_u64(optarg, "-n");
			if (s.nparts == 0)
				die_usage("-n: invalid value '%s' (expected a "
				    "positive integer)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_PREFIX:
			prefix = optarg;
			break;
		case OPT_PART:
			part = optarg;
			break;
		case OPT_NUMBER:
			s.number = optarg;
			break;
		case OPT_REJECTS:
			rejects = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (key == NULL)
		die_usage("-k FIELDS is required");
	if (part != NULL) {
		if (prefix != NULL)
			die_usage("--part and --prefix cannot be used "
			    "together");
		if (s.nparts != 0)
			die_usage("--part K/N and -n cannot be used together");
		parse_part(&s, part);
	} else {
		if (prefix == NULL)
			die_usage("one of --prefix PREFIX and --part K/N is "
			    "required");
		if (s.nparts == 0)
			die_usage("-n N is required with --prefix");
		if (output != NULL)
			die_usage("-o applies to --part only (partitions "
			    "are named by --prefix)");
		if (*prefix == '\0')
			die_usage("--prefix: the prefix must not be empty");
	}
	if (s.number != NULL && (*s.number == '\0' ||
	    strpbrk(s.number, "\t\n") != NULL))
		die_usage("--number: invalid column name '%s' (expected a "
		    "non-empty name without TAB or newline)", s.number);

	tsv_open(&t, argv, argc, s.cli.no_header ? 0 : TSV_HEADER);
	if (!s.cli.no_header) {
		header_init(&hdr, t.header, t.header_len);
		hp = &hdr;
		s.nfields = hdr.names.n;
		if (s.number != NULL &&
		    header_find(hp, s.number, strlen(s.number)) >= 0)
			die_usage("--number: column '%s' is already in the "
			    "header", s.number);
	}
	fieldlist_parse(&s.key, key, hp, "-k");

	rejects_open(&s.rej, rejects);
	if (part != NULL) {
		if ((s.outs = calloc(1, sizeof(*s.outs))) == NULL)
			die_sys("out of memory");
		out_open(&s.outs[0], output);
		if (hp != NULL)
			write_header(&s.outs[0], t.header, t.header_len,
			    s.number);
	} else
		open_parts(&s, prefix, hp != NULL ? t.header : NULL,
		    t.header_len);
	if ((s.rows = calloc(s.nparts, sizeof(*s.rows))) == NULL)
		die_sys("out of memory");

	progress_start(&prog, s.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		s.rows_in++;
		tsv_split(&fv, line.p, line.n);
		if (s.nfields == 0)
			s.nfields = fv.n;	/* headerless: the first row's */
		if (fv.n != s.nfields || s.key.max > fv.n) {
			snprintf(reason, sizeof(reason), "expected %zu fields, "
			    "found %zu", s.nfields, fv.n);
			if (!s.rej.open)
				die_at(t.name, t.line, "%s", reason);
			rejects_add(&s.rej, t.name, t.line, reason, line.p,
			    line.n);
			continue;
		}
		route(&s, line, &fv, s.rows_in);
		progress_row(&prog, s.rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	progress_end(&prog, s.rows_in, t.bytes, t.raw_bytes);
	if (part != NULL)
		out_close(&s.outs[0]);
	else
		close_parts(&s);
	rejects_close(&s.rej);

	stats_u64(&s.st, "rows_in", s.rows_in);
	stats_u64(&s.st, "rows_out", s.rows_out);
	stats_u64(&s.st, "rows_rejected", s.rej.count);
	stats_u64(&s.st, "bytes_in", t.bytes);
	stats_u64(&s.st, "partitions", s.nparts);
	if (part != NULL)
		stats_u64(&s.st, "rows_other_partitions", s.rows_other);
	for (i = 0; i < s.nparts; i++) {
		if (part != NULL && i != s.only)
			continue;
		snprintf(metric, sizeof(metric), "rows_part_%llu",
		    (unsigned long long)i);
		stats_u64(&s.st, metric, s.rows[i]);
	}
	if (s.cli.counters)
		stats_counters(&s.st);
	stats_write(&s.st, s.cli.stats);
	tsv_close(&t);
	return 0;
}

/* --part K/N: K in 0..N-1. */
static void
parse_part(struct split *s, const char *arg)
{
	const char *slash = strchr(arg, '/');
	char *k, *end;

	if (slash == NULL)
		die_usage("--part: invalid value '%s' (expected K/N with "
		    "0 <= K < N)", arg);
	if ((k = strndup(arg, slash - arg)) == NULL)
		die_sys("out of memory");
	errno = 0;
	s->only = strtoull(k, &end, 10);
	if (*k < '0' || *k > '9' || *end != '\0' || errno != 0)
		s->only = UINT64_MAX;
	free(k);
	errno = 0;
	s->nparts = strtoull(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0)
		s->nparts = 0;
	if (s->nparts == 0 || s->only >= s->nparts)
		die_usage("--part: invalid value '%s' (expected K/N with "
		    "0 <= K < N)", arg);
}

/*
 * PREFIX.K.tsv for every K, through common/out.c: each is written under a
 * temporary name, and all of them (with --rejects and --stats) are renamed
 * into place together at exit, only when every one was closed whole.
 */
static void
open_parts(struct split *s, const char *prefix, const char *header,
    size_t header_len)
{
	char *path;
	uint64_t k;

	if ((s->outs = calloc(s->nparts, sizeof(*s->outs))) == NULL)
		die_sys("out of memory");
	for (k = 0; k < s->nparts; k++) {
		if (asprintf(&path, "%s.%llu.tsv", prefix,
		    (unsigned long long)k) == -1)
			die_sys("out of memory");
		out_open(&s->outs[k], path);
		free(path);
		if (header != NULL)
			write_header(&s->outs[k], header, header_len,
			    s->number);
	}
}

static void
close_parts(struct split *s)
{
	uint64_t k;

	for (k = 0; k < s->nparts; k++)
		out_close(&s->outs[k]);
}

static void
route(struct split *s, struct slice line, const struct fields *fv,
    uint64_t rowno)
{
	uint64_t k = key_hash(s, fv) % s->nparts;
	struct out *o;

	s->rows[k]++;
	if (s->only != UINT64_MAX) {
		if (k != s->only) {
			s->rows_other++;
			return;
		}
		o = &s->outs[0];
	} else
		o = &s->outs[k];
	out_write(o, line.p, line.n);
	if (s->number != NULL) {
		out_byte(o, '\t');
		out_u64(o, rowno);
	}
	out_byte(o, '\n');
	s->rows_out++;
}

/*
 * FNV-1a 64 over the key fields in -k order, a TAB between two fields, so
 * that ("a\tb") and ("a", "b") differ only where their bytes do.  Chosen
 * because it is defined by two published constants and byte order alone:
 * a Python, awk or Java mapper can compute the same partition.
 */
static uint64_t
key_hash(const struct split *s, const struct fields *fv)
{
	uint64_t h = FNV_OFFSET;
	const unsigned char *p, *end;
	size_t i;

	for (i = 0; i < s->key.n; i++) {
		if (i > 0)
			h = (h ^ '\t') * FNV_PRIME;
		p = (const unsigned char *)fv->f[s->key.idx[i]].p;
		end = p + fv->f[s->key.idx[i]].n;
		for (; p < end; p++)
			h = (h ^ *p) * FNV_PRIME;
	}
	return h;
}

static void
write_header(struct out *o, const char *h, size_t n, const char *number)
{
	out_write(o, h, n);
	if (number != NULL) {
		out_byte(o, '\t');
		out_str(o, number);
	}
	out_byte(o, '\n');
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] -k FIELDS -n N --prefix PREFIX "
	    "[--number NAME] [--rejects FILE]\n"
	    "                 [--stats FILE] [--progress] [--counters] "
	    "[FILE ...]\n"
	    "       %s [-N] -k FIELDS --part K/N [--number NAME] "
	    "[--rejects FILE] [-o FILE]\n"
	    "                 [--stats FILE] [--progress] [--counters] "
	    "[FILE ...]\n", progname, progname);
}
