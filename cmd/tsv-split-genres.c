/*
 * tsv-split-genres - explode a list field (genres, primaryProfession,
 * knownForTitles, directors, writers) into one row per element, with the
 * element's position, the list length, the allocation weight 1/n and a flag
 * on the first element.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldlist.h"
#include "hashmap.h"
#include "msg.h"
#include "numfmt.h"
#include "out.h"
#include "progress.h"
#include "rejects.h"
#include "stats.h"
#include "tsv.h"

/* Lists longer than this are checked for repeats through a hash table. */
#define LINEAR_MAX	8

struct seen_slot {
	uint32_t	 gen;		/* row generation that filled the slot */
	uint32_t	 idx;		/* index into the kept elements */
};

struct split {
	struct cli	 cli;
	size_t		 field;		/* 0-based index of the list field */
	const char	*sep;
	size_t		 seplen;
	const char	*null_as;	/* --null-as VALUE, or NULL */
	int		 drop_null;
	int		 want_ordinal, want_count, want_weight, want_primary;
	size_t		 nfields;	/* expected per row; 0 = first row's */
	struct slice	*kept;		/* this row's kept elements (reused) */
	size_t		 kept_cap;
	struct seen_slot *seen;		/* repeat detection for long lists */
	size_t		 seen_mask;
	uint32_t	 gen;
	struct out	 out;
	struct rejects	 rej;
	struct stats	 st;
	uint64_t	 rows_in, rows_out, lists, null_lists, null_dropped;
	uint64_t	 elements_in, elements_out, empty_elements, null_elements;
	uint64_t	 repeated_elements;
};

static void	 check_name(const char *, const char *, const struct header *,
		    const char **, size_t);
static void	 split_row(struct split *, struct slice, struct slice);
static size_t	 collect(struct split *, struct slice);
static int	 is_repeat(struct split *, struct slice, size_t);
static void	 emit(struct split *, struct slice, struct slice, struct slice,
		    size_t, size_t, const char *, size_t);
static void	 emit_null(struct split *, struct slice, struct slice,
		    struct slice);
static void	 write_header(struct split *, const char *, size_t,
		    const char *[4]);
static void	 usage(FILE *);

enum { OPT_NULL_AS = CLI_FIRST_TOOL_OPTION, OPT_DROP_NULL, OPT_ORDINAL,
    OPT_COUNT, OPT_WEIGHT, OPT_PRIMARY, OPT_REJECTS };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "field",	required_argument,	NULL, 'f' },
	{ "delimiter",	required_argument,	NULL, 'd' },
	{ "null-as",	required_argument,	NULL, OPT_NULL_AS },
	{ "drop-null",	no_argument,		NULL, OPT_DROP_NULL },
	{ "ordinal",	required_argument,	NULL, OPT_ORDINAL },
	{ "count",	required_argument,	NULL, OPT_COUNT },
	{ "weight",	required_argument,	NULL, OPT_WEIGHT },
	{ "primary",	required_argument,	NULL, OPT_PRIMARY },
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
	struct fieldlist fl;
	struct progress prog;
	const char *field = "genres", *rejects = NULL, *output = NULL;
	/* the appended columns, in their output order */
	const char *names[4] = { NULL, NULL, NULL, NULL };
	char reason[64];
	int ch;

	msg_init(argv[0]);
	s.cli.usage = usage;
	s.sep = ",";
	while ((ch = getopt_long(argc, argv, "Nf:d:o:", longopts, NULL)) != -1) {
		if (cli_common(&s.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			field = optarg;
			break;
		case 'd':
			s.sep = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_NULL_AS:
			s.null_as = optarg;
			break;
		case OPT_DROP_NULL:
			s.drop_null = 1;
			break;
		case OPT_ORDINAL:
			names[0] = optarg;
			break;
		case OPT_COUNT:
			names[1] = optarg;
			break;
		case OPT_WEIGHT:
			names[2] = optarg;
			break;
		case OPT_PRIMARY:
			names[3] = optarg;
			break;
		case OPT_REJECTS:
			rejects = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (s.null_as != NULL && s.drop_null)
		die_usage("--null-as and --drop-null cannot be used together");
	if ((s.seplen = strlen(s.sep)) == 0 || strpbrk(s.sep, "\t\n") != NULL)
		die_usage("-d: invalid separator '%s' (expected one or more "
		    "bytes, no TAB or newline)", s.sep);
	if (s.null_as != NULL && strpbrk(s.null_as, "\t\n") != NULL)
		die_usage("--null-as: the value must not contain a TAB or "
		    "newline");
	s.want_ordinal = names[0] != NULL;
	s.want_count = names[1] != NULL;
	s.want_weight = names[2] != NULL;
	s.want_primary = names[3] != NULL;

	tsv_open(&t, argv, argc, s.cli.no_header ? 0 : TSV_HEADER);
	if (!s.cli.no_header) {
		header_init(&hdr, t.header, t.header_len);
		hp = &hdr;
		s.nfields = hdr.names.n;
	}
	fieldlist_parse(&fl, field, hp, "-f");
	if (fl.n != 1)
		die_usage("-f: '%s' names %zu fields (expected exactly one)",
		    field, fl.n);
	s.field = fl.idx[0];
	check_name("--ordinal", names[0], hp, names, 0);
	check_name("--count", names[1], hp, names, 1);
	check_name("--weight", names[2], hp, names, 2);
	check_name("--primary", names[3], hp, names, 3);

	out_open(&s.out, output);
	rejects_open(&s.rej, rejects);
	if (hp != NULL)
		write_header(&s, t.header, t.header_len, names);

	progress_start(&prog, s.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		s.rows_in++;
		tsv_split(&fv, line.p, line.n);
		if (s.nfields == 0)
			s.nfields = fv.n;	/* headerless: the first row's */
		if (fv.n != s.nfields || s.field >= fv.n) {
			snprintf(reason, sizeof(reason), "expected %zu fields, "
			    "found %zu", s.nfields, fv.n);
			if (!s.rej.open)
				die_at(t.name, t.line, "%s", reason);
			rejects_add(&s.rej, t.name, t.line, reason, line.p,
			    line.n);
			continue;
		}
		split_row(&s, line, fv.f[s.field]);
		progress_row(&prog, s.rows_in, t.bytes, t.raw_bytes +
		    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	progress_end(&prog, s.rows_in, t.bytes, t.raw_bytes);
	out_close(&s.out);
	rejects_close(&s.rej);

	stats_u64(&s.st, "rows_in", s.rows_in);
	stats_u64(&s.st, "rows_out", s.rows_out);
	stats_u64(&s.st, "rows_rejected", s.rej.count);
	stats_u64(&s.st, "bytes_in", t.bytes);
	stats_u64(&s.st, "lists", s.lists);
	stats_u64(&s.st, "null_lists", s.null_lists);
	stats_u64(&s.st, "null_dropped", s.null_dropped);
	stats_u64(&s.st, "elements_in", s.elements_in);
	stats_u64(&s.st, "elements_out", s.elements_out);
	stats_u64(&s.st, "empty_elements", s.empty_elements);
	stats_u64(&s.st, "null_elements", s.null_elements);
	stats_u64(&s.st, "repeated_elements", s.repeated_elements);
	if (s.cli.counters)
		stats_counters(&s.st);
	stats_write(&s.st, s.cli.stats);
	tsv_close(&t);
	return 0;
}

/*
 * An appended column name must be usable as a header name and must not
 * repeat a column already in the output.
 */
static void
check_name(const char *opt, const char *name, const struct header *h,
    const char **names, size_t self)
{
	size_t i;

	if (name == NULL)
		return;
	if (*name == '\0' || strpbrk(name, "\t\n") != NULL)
		die_usage("%s: invalid column name '%s' (expected a non-empty "
		    "name without TAB or newline)", opt, name);
	if (h != NULL && header_find(h, name, strlen(name)) >= 0)
		die_usage("%s: column '%s' is already in the header", opt,
		    name);
	for (i = 0; i < self; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			die_usage("%s: column '%s' is named twice", opt, name);
}

/*
 * One input row: the list's kept elements each give a row; a list with
 * none (\N, empty, or only empty elements) is a null list.
 */
static void
split_row(struct split *s, struct slice line, struct slice list)
{
	struct slice pre, post;
	size_t n, i;
	char weight[64];
	size_t wlen = 0;

	pre.p = line.p;
	pre.n = list.p - line.p;
	post.p = list.p + list.n;
	post.n = line.p + line.n - post.p;
	if (slice_eq(list, "\\N") || list.n == 0 || (n = collect(s, list)) == 0) {
		s->null_lists++;
		if (s->drop_null)
			s->null_dropped++;
		else
			emit_null(s, line, pre, post);
		return;
	}
	s->lists++;
	if (s->want_weight)
		wlen = fmt_fraction(weight, 1, n, 6);
	for (i = 0; i < n; i++)
		emit(s, pre, s->kept[i], post, i + 1, n, weight, wlen);
	s->elements_out += n;
}

/*
 * Split LIST into s->kept, dropping empty, \N and repeated elements (a null
 * inside a list names nothing, so it is no member of the list).
 */
static size_t
collect(struct split *s, struct slice list)
{
	const char *p = list.p, *end = list.p + list.n, *sep;
	struct slice el;
	size_t n = 0;

	if (++s->gen == 0) {		/* wrapped: old stamps would match */
		if (s->seen != NULL)
			memset(s->seen, 0, (s->seen_mask + 1) *
			    sizeof(*s->seen));
		s->gen = 1;
	}
	for (;;) {
		if (s->seplen == 1)
			sep = memchr(p, s->sep[0], end - p);
		else
			sep = memmem(p, end - p, s->sep, s->seplen);
		el.p = p;
		el.n = (sep != NULL ? sep : end) - p;
		s->elements_in++;
		if (el.n == 0)
			s->empty_elements++;
		else if (slice_eq(el, "\\N"))
			s->null_elements++;
		else if (is_repeat(s, el, n))
			s->repeated_elements++;
		else {
			if (n == s->kept_cap) {
				s->kept_cap = s->kept_cap ? 2 * s->kept_cap : 64;
				s->kept = realloc(s->kept, s->kept_cap *
				    sizeof(*s->kept));
				if (s->kept == NULL)
					die_sys("out of memory");
			}
			s->kept[n++] = el;
		}
		if (sep == NULL)
			return n;
		p = sep + s->seplen;
	}
}

static int
same(struct slice a, struct slice b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* Insert kept element IDX into the table (which has room for it). */
static void
seen_put(struct split *s, size_t idx)
{
	size_t i = hash_bytes(s->kept[idx].p, s->kept[idx].n) & s->seen_mask;

	while (s->seen[i].gen == s->gen)
		i = (i + 1) & s->seen_mask;
	s->seen[i].gen = s->gen;
	s->seen[i].idx = idx;
}

/* A table of at least 2 * WANT slots, refilled with the N kept so far. */
static void
seen_grow(struct split *s, size_t want, size_t n)
{
	size_t size, i;

	for (size = 64; size < 2 * want; size *= 2)
		;
	free(s->seen);
	if ((s->seen = calloc(size, sizeof(*s->seen))) == NULL)
		die_sys("out of memory");
	s->seen_mask = size - 1;
	for (i = 0; i < n; i++)
		seen_put(s, i);
}

/*
 * Is EL among the N elements kept so far?  Short lists are scanned; long
 * ones go through a table whose slots are stamped with the row generation,
 * so it is never cleared between rows.  A new element is recorded as
 * index N, which is where the caller keeps it.
 */
static int
is_repeat(struct split *s, struct slice el, size_t n)
{
	size_t i;

	if (n < LINEAR_MAX) {
		for (i = 0; i < n; i++)
			if (same(s->kept[i], el))
				return 1;
		return 0;
	}
	if (s->seen == NULL || s->seen_mask + 1 < 2 * (n + 1))
		seen_grow(s, n + 1, n);
	else if (n == LINEAR_MAX)
		for (i = 0; i < n; i++)
			seen_put(s, i);
	for (i = hash_bytes(el.p, el.n) & s->seen_mask;
	    s->seen[i].gen == s->gen; i = (i + 1) & s->seen_mask)
		if (same(s->kept[s->seen[i].idx], el))
			return 1;
	s->seen[i].gen = s->gen;
	s->seen[i].idx = n;
	return 0;
}

static void
emit(struct split *s, struct slice pre, struct slice el, struct slice post,
    size_t ordinal, size_t count, const char *weight, size_t wlen)
{
	out_write(&s->out, pre.p, pre.n);
	out_write(&s->out, el.p, el.n);
	out_write(&s->out, post.p, post.n);
	if (s->want_ordinal) {
		out_byte(&s->out, '\t');
		out_u64(&s->out, ordinal);
	}
	if (s->want_count) {
		out_byte(&s->out, '\t');
		out_u64(&s->out, count);
	}
	if (s->want_weight) {
		out_byte(&s->out, '\t');
		out_write(&s->out, weight, wlen);
	}
	if (s->want_primary)
		out_str(&s->out, ordinal == 1 ? "\t1" : "\t0");
	out_byte(&s->out, '\n');
	s->rows_out++;
}

/*
 * A null list: with --null-as one row of VALUE as a one-element list;
 * otherwise the row passes through as it came, its appended columns \N.
 */
static void
emit_null(struct split *s, struct slice line, struct slice pre,
    struct slice post)
{
	struct slice v;

	if (s->null_as != NULL) {
		v.p = s->null_as;
		v.n = strlen(s->null_as);
		emit(s, pre, v, post, 1, 1, "1.000000", 8);
		return;
	}
	out_write(&s->out, line.p, line.n);
	if (s->want_ordinal)
		out_str(&s->out, "\t\\N");
	if (s->want_count)
		out_str(&s->out, "\t\\N");
	if (s->want_weight)
		out_str(&s->out, "\t\\N");
	if (s->want_primary)
		out_str(&s->out, "\t\\N");
	out_byte(&s->out, '\n');
	s->rows_out++;
}

static void
write_header(struct split *s, const char *h, size_t n, const char *names[4])
{
	size_t i;

	out_write(&s->out, h, n);
	for (i = 0; i < 4; i++)
		if (names[i] != NULL) {
			out_byte(&s->out, '\t');
			out_str(&s->out, names[i]);
		}
	out_byte(&s->out, '\n');
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-N] [-f FIELD] [-d SEP] "
	    "[--null-as VALUE | --drop-null] [--ordinal NAME]\n"
	    "                        [--count NAME] [--weight NAME] "
	    "[--primary NAME] [--rejects FILE]\n"
	    "                        [--stats FILE] [--progress] "
	    "[-o FILE] [FILE ...]\n", progname);
}
