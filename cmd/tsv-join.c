/*
 * tsv-join - hash join: load the key (and appended) columns of a filter file
 * into one hash table, then stream the data rows and keep those that match
 * (semi-join), append the filter's columns (inner or left outer join), or
 * keep those that do not match (anti-join).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cli.h"
#include "fieldlist.h"
#include "fieldscan.h"
#include "joinmap.h"
#include "msg.h"
#include "out.h"
#include "progress.h"
#include "rejects.h"
#include "rowkey.h"
#include "stats.h"
#include "tsv.h"

enum mode {
	SEMI,		/* matching rows, unchanged */
	INNER,		/* -a: matching rows with the filter's fields */
	LEFT,		/* -a -w: every row, fill where nothing matched */
	ANTI		/* -e: rows that match nothing */
};

enum dup {
	DUP_ERROR,	/* a second row for a key is an error (with -a) */
	DUP_FIRST,
	DUP_LAST
};

/*
 * With a big filter a look-up is two cache misses, one after the other (the
 * slot, then the record it points to); a miss costs hundreds of ns on a
 * loaded guest, and a prefetch that misses the TLB holds up the rows behind
 * it until its page walk is done.  So data rows pass through NBATCH batches
 * of BATCH rows: each row is copied into the newest batch and its key
 * hashed; when that batch is full, the slots of all its rows are prefetched
 * in one tight loop (their walks and misses overlap), then the records of
 * the batch before it (whose slots came in while this one filled), then the
 * batch before that is looked up (its records came in meanwhile) and
 * written.  Each prefetch gets a whole batch of rows to arrive.  A row whose
 * key equals the row before it (data grouped by key) takes that row's
 * answer and is not looked up.  The filter's rows are batched too: a
 * batch's slots are prefetched in one loop before its rows go in.  A table
 * that fits in the cache (DIRECT_BYTES) is probed row by row, with no copy.
 */
#define BATCH		32
#define NBATCH		3
#define BATCH_BYTES	(256 * 1024)
#define DIRECT_BYTES	(512 * 1024)

struct pending {
	size_t		 line_off, line_len;	/* in batch.buf */
	size_t		 key_off, key_len;
	size_t		 val_off, val_len;	/* filter rows: the value */
	uint64_t	 hv;
	uint64_t	 line;			/* input line number */
	const char	*src;			/* input file name */
	int		 null_key;		/* a key field is \N */
	int		 same;			/* key of the row before */
};

struct batch {
	struct pending	 row[BATCH];
	size_t		 n;
	char		*buf;
	size_t		 len, cap;
};

struct join {
	struct cli	 cli;
	enum mode	 mode;
	enum dup	 dup;
	struct fieldlist fkey, dkey, app;
	int		 fkey_span, dkey_span, app_span; /* adjacent, in order */
	size_t		 fnf, dnf;		/* field counts; 0 = first row's */
	const char	*fpath;			/* the filter */
	int		 fheader;		/* it has a header */
	int		 frescan;		/* a file it can read again */
	size_t		 fneed, dneed;		/* leading fields to locate */
	struct slice	*fv;			/* room for them */
	struct joinmap	 m;
	int		 direct;		/* probe row by row */
	struct bytes	 fill;			/* TAB + fill values for -w */
	struct bytes	 key;			/* scratch for a non-adjacent key */
	struct bytes	 names;			/* TAB + appended column names */
	const struct header *dh;		/* data header; NULL with -N */
	struct batch	 b[NBATCH];		/* b[0]: the filter's */
	unsigned	 cur;			/* the batch being filled */
	const char	*last_v;		/* the last answer looked up */
	size_t		 last_vn;
	struct out	 out;
	struct rejects	 rej;
	struct rejects	 unm;			/* --unmatched */
	struct stats	 st;
	uint64_t	 rows_in, rows_out, matched, unmatched, data_null;
	uint64_t	 filter_rows, filter_null, filter_dups;
};

static void	 filter_open(struct join *, struct tsv_in *, const char *,
		    const char *, const char *, const char *);
static void	 filter_load(struct join *, struct tsv_in *);
static size_t	 estimate_rows(struct tsv_in *);
static void	 filter_insert(struct join *, const char *);
static uint64_t	 first_line(struct join *, const char *, size_t);
static void	 batch_copy(struct batch *, const char *, size_t, size_t *);
static size_t	 join_fields(struct batch *, const struct fieldlist *, int,
		    const struct slice *);
static int	 row_key(const struct fieldlist *, int, const struct slice *,
		    struct bytes *, struct slice *);
static size_t	 lead(const struct fieldlist *, const struct fieldlist *);
static void	 check_width(const struct fieldlist *, const char *,
		    const char *, uint64_t, size_t);
static void	 append_names(struct join *, const struct header *,
		    const char *);
static void	 make_fill(struct join *, const char *);
static void	 data_row(struct join *, struct tsv_in *, struct slice);
static void	 emit(struct join *, const char *, uint64_t, const char *,
		    size_t, int, const char *, size_t);
static void	 batch_add(struct join *, struct slice, const char *,
		    size_t, const char *, uint64_t);
static const struct pending *prev_row(const struct join *, const char **);
static void	 batch_next(struct join *);
static void	 batch_step(struct join *, const struct batch *,
		    const struct batch *, struct batch *);
static void	 batch_resolve(struct join *, struct batch *);
static void	 batch_run(struct join *);
static void	 file_end(struct tsv_in *, void *);
static const char *shown(const char *, size_t);
static void	 usage(FILE *);

enum { OPT_FILL = CLI_FIRST_TOOL_OPTION, OPT_PREFIX, OPT_FIRST, OPT_LAST,
    OPT_REJECTS, OPT_UNMATCHED };

static const struct option longopts[] = {
	CLI_LONGOPTS,
	{ "filter-file",	required_argument,	NULL, 'f' },
	{ "key-fields",		required_argument,	NULL, 'k' },
	{ "data-fields",	required_argument,	NULL, 'd' },
	{ "append-fields",	required_argument,	NULL, 'a' },
	{ "write-all",		no_argument,		NULL, 'w' },
	{ "exclude",		no_argument,		NULL, 'e' },
	{ "fill",		required_argument,	NULL, OPT_FILL },
	{ "prefix",		required_argument,	NULL, OPT_PREFIX },
	{ "first",		no_argument,		NULL, OPT_FIRST },
	{ "last",		no_argument,		NULL, OPT_LAST },
	{ "rejects",		required_argument,	NULL, OPT_REJECTS },
	{ "unmatched",		required_argument,	NULL, OPT_UNMATCHED },
	{ "output",		required_argument,	NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct join j = { 0 };
	struct tsv_in t, ft;
	struct slice line;
	struct progress prog;
	struct header dh;
	const char *filter = NULL, *keys = "1", *dkeys = NULL, *app = NULL;
	const char *fill = NULL, *prefix = NULL, *rejects = NULL;
	const char *output = NULL, *unmatched = NULL;
	int ch, write_all = 0, exclude = 0, first = 0, last = 0;

	msg_init(argv[0]);
	j.cli.usage = usage;
	while ((ch = getopt_long(argc, argv, "Nf:k:d:a:weo:", longopts,
	    NULL)) != -1) {
		if (cli_common(&j.cli, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			filter = optarg;
			break;
		case 'k':
			keys = optarg;
			break;
		case 'd':
			dkeys = optarg;
			break;
		case 'a':
			app = optarg;
			break;
		case 'w':
			write_all = 1;
			break;
		case 'e':
			exclude = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FILL:
			fill = optarg;
			break;
		case OPT_PREFIX:
			prefix = optarg;
			break;
		case OPT_FIRST:
			first = 1;
			break;
		case OPT_LAST:
			last = 1;
			break;
		case OPT_REJECTS:
			rejects = optarg;
			break;
		case OPT_UNMATCHED:
			unmatched = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (filter == NULL)
		die_usage("-f FILTER is required (the file whose keys are "
		    "looked up)");
	if (exclude && app != NULL)
		die_usage("-e and -a conflict (an anti-join has nothing to "
		    "append)");
	if (exclude && write_all)
		die_usage("-e and -w conflict (-w keeps every row)");
	if (write_all && app == NULL)
		die_usage("-w needs -a (without appended fields every row "
		    "would pass unchanged)");
	if (fill != NULL && !write_all)
		die_usage("--fill needs -w");
	if (prefix != NULL && app == NULL)
		die_usage("--prefix needs -a");
	if (first && last)
		die_usage("--first and --last conflict");
	if (unmatched != NULL && (exclude || write_all))
		die_usage("--unmatched conflicts with %s (no row is dropped for "
		    "want of a match)", exclude ? "-e" : "-w");
	if ((first || last) && app == NULL)
		die_usage("--%s needs -a (without appended fields duplicate "
		    "keys are harmless)", first ? "first" : "last");
	if (strcmp(filter, "-") == 0 && (argc == 0 ||
	    (argc == 1 && strcmp(argv[0], "-") == 0)))
		die_usage("-f -: the filter and the data cannot both be "
		    "standard input");

	j.mode = exclude ? ANTI : app == NULL ? SEMI : write_all ? LEFT :
	    INNER;
	j.dup = first ? DUP_FIRST : last ? DUP_LAST : DUP_ERROR;

	/* The data header first: every usage error comes before any work. */
	tsv_open(&t, argv, argc, j.cli.no_header ? 0 : TSV_HEADER);
	if (!j.cli.no_header) {
		header_init(&dh, t.header, t.header_len);
		j.dnf = dh.names.n;
		j.dh = &dh;
	}
	filter_open(&j, &ft, filter, keys, app,
	    j.cli.no_header ? NULL : prefix != NULL ? prefix : "");
	fieldlist_parse(&j.dkey, dkeys != NULL ? dkeys : keys,
	    j.cli.no_header ? NULL : &dh, dkeys != NULL ? "-d" : "-k");
	j.dkey_span = fieldlist_is_span(&j.dkey);
	j.dneed = lead(&j.dkey, NULL);
	if (j.dkey.n != j.fkey.n)
		die_usage("-k and -d name %zu and %zu fields (they must "
		    "pair up)", j.fkey.n, j.dkey.n);
	make_fill(&j, fill != NULL ? fill : "\\N");
	if ((j.fv = calloc(j.fneed > j.dneed ? j.fneed : j.dneed,
	    sizeof(*j.fv))) == NULL)
		die_sys("out of memory");
	filter_load(&j, &ft);

	rejects_open(&j.rej, rejects);
	rejects_open(&j.unm, unmatched);
	out_open(&j.out, output);
	if (!j.cli.no_header) {
		/* The data header, then the appended names. */
		out_write(&j.out, t.header, t.header_len);
		if (j.names.len > 0)
			out_write(&j.out, j.names.p, j.names.len);
		out_byte(&j.out, '\n');
	}

	/* Queued rows name their file: write them before it is closed. */
	t.on_file_end = file_end;
	t.cb_arg = &j;
	progress_start(&prog, j.cli.progress, t.npaths == 1 ?
	    input_size(t.in) : -1);
	while (tsv_next(&t, &line)) {
		j.rows_in++;
		data_row(&j, &t, line);
		if (j.cli.progress)
			progress_row(&prog, j.rows_in, t.bytes, t.raw_bytes +
			    (t.in != NULL ? input_raw_bytes(t.in) : 0));
	}
	batch_run(&j);
	progress_end(&prog, j.rows_in, t.bytes, t.raw_bytes);
	out_close(&j.out);
	rejects_close(&j.rej);
	rejects_close(&j.unm);

	stats_u64(&j.st, "rows_in", j.rows_in);
	stats_u64(&j.st, "rows_out", j.rows_out);
	stats_u64(&j.st, "rows_rejected", j.rej.count);
	stats_u64(&j.st, "bytes_in", t.bytes);
	stats_u64(&j.st, "filter_rows", j.filter_rows);
	stats_u64(&j.st, "filter_keys", jm_keys(&j.m));
	stats_u64(&j.st, "filter_null_keys", j.filter_null);
	stats_u64(&j.st, "filter_duplicates", j.filter_dups);
	stats_u64(&j.st, "matched", j.matched);
	stats_u64(&j.st, "unmatched", j.unmatched);
	stats_u64(&j.st, "data_null_keys", j.data_null);
	stats_u64(&j.st, "hmap_bytes", jm_bytes(&j.m));
	if (j.cli.counters)
		stats_counters(&j.st);
	stats_write(&j.st, j.cli.stats);
	return 0;
}

/*
 * Open the filter and resolve -k and -a against its header (PREFIX is NULL
 * for headerless input), so that every usage error comes before any work.
 */
static void
filter_open(struct join *j, struct tsv_in *ft, const char *path,
    const char *keys, const char *app, const char *prefix)
{
	struct header fh;
	struct stat sb;
	static char *paths[1];

	paths[0] = (char *)path;
	j->fpath = path;
	j->fheader = prefix != NULL;
	/* A duplicate's first line is looked for again, not kept per key. */
	j->frescan = strcmp(path, "-") != 0 && stat(path, &sb) == 0 &&
	    S_ISREG(sb.st_mode);
	tsv_open(ft, paths, 1, prefix != NULL ? TSV_HEADER : 0);
	if (prefix != NULL) {
		header_init(&fh, ft->header, ft->header_len);
		j->fnf = fh.names.n;
	}
	fieldlist_parse(&j->fkey, keys, prefix != NULL ? &fh : NULL, "-k");
	j->fkey_span = fieldlist_is_span(&j->fkey);
	if (app != NULL)
		fieldlist_parse(&j->app, app, prefix != NULL ? &fh : NULL,
		    "-a");
	j->app_span = fieldlist_is_span(&j->app);
	j->fneed = lead(&j->fkey, &j->app);
	if (prefix != NULL) {
		append_names(j, &fh, prefix);
		header_free(&fh);
	}
}

/*
 * Put every filter key that has no \N field into the table, with its
 * appended fields.  Rows are queued in batches like the data rows, so that
 * the slots of a batch are prefetched before it is inserted.
 */
static void
filter_load(struct join *j, struct tsv_in *ft)
{
	struct slice line, key;
	struct pending *p;
	struct batch *b = &j->b[0];
	size_t nf;

	/* Without -a: no values, so short keys can live in the slots. */
	jm_init(&j->m, estimate_rows(ft), j->app.n == 0 ? JM_KEYS_ONLY :
	    j->dup == DUP_ERROR && !j->frescan ? JM_WITH_LINE : 0);
	while (tsv_next(ft, &line)) {
		j->filter_rows++;
		nf = fields_lead(line.p, line.n, j->fv, j->fneed);
		if (j->fnf == 0) {
			j->fnf = nf;
			check_width(&j->fkey, "-k", ft->name, ft->line, nf);
			check_width(&j->app, "-a", ft->name, ft->line, nf);
		}
		if (nf != j->fnf)
			die_at(ft->name, ft->line, "expected %zu fields, found "
			    "%zu", j->fnf, nf);
		if (!row_key(&j->fkey, j->fkey_span, j->fv, &j->key, &key)) {
			j->filter_null++;
			continue;
		}
		p = &b->row[b->n];
		p->line = ft->line;
		batch_copy(b, key.p, key.n, &p->key_off);
		p->key_len = key.n;
		p->val_off = b->len;
		p->val_len = join_fields(b, &j->app, j->app_span, j->fv);
		p->hv = jm_hash(key.p, key.n);
		if (++b->n == BATCH || b->len >= BATCH_BYTES)
			filter_insert(j, ft->name);
	}
	filter_insert(j, ft->name);
	tsv_close(ft);
	j->direct = jm_bytes(&j->m) <= DIRECT_BYTES;
}

/*
 * Insert the queued filter rows.  Duplicates: harmless without -a; with -a
 * an error unless --first or --last says which row wins.
 */
static void
filter_insert(struct join *j, const char *name)
{
	struct batch *b = &j->b[0];
	struct pending *p, *end = b->row + b->n;
	uint64_t first;

	for (p = b->row; p < end; p++)
		jm_prefetch_slot(&j->m, p->hv, b->buf + p->key_off,
		    p->key_len);
	for (p = b->row; p < end; p++) {
		if (jm_put(&j->m, p->hv, b->buf + p->key_off, p->key_len,
		    b->buf + p->val_off, p->val_len, p->line,
		    j->app.n > 0 && j->dup == DUP_LAST, &first))
			continue;
		j->filter_dups++;
		if (j->app.n == 0 || j->dup != DUP_ERROR)
			continue;
		if (!j->m.with_line)
			first = first_line(j, b->buf + p->key_off, p->key_len);
		die_at(name, p->line, "duplicate key '%s' (first on line %llu; "
		    "use --first or --last)", shown(b->buf + p->key_off,
		    p->key_len), (unsigned long long)first);
	}
	b->n = 0;
	b->len = 0;
}

/*
 * The line where KEY first occurs in the filter, read again from the start:
 * only a duplicate key (an error) needs it, so it is not kept per key.
 */
static uint64_t
first_line(struct join *j, const char *key, size_t kn)
{
	struct tsv_in t;
	struct slice line, k;
	char *paths[1];

	paths[0] = (char *)j->fpath;
	tsv_open(&t, paths, 1, j->fheader ? TSV_HEADER : 0);
	while (tsv_next(&t, &line))
		if (fields_lead(line.p, line.n, j->fv, j->fneed) == j->fnf &&
		    row_key(&j->fkey, j->fkey_span, j->fv, &j->key, &k) &&
		    k.n == kn && memcmp(k.p, key, kn) == 0)
			return t.line;
	die(EXIT_DATA, "%s: changed while being read", j->fpath);
}

/* Copy N bytes to the end of the batch buffer; *OFF says where. */
static void
batch_copy(struct batch *b, const char *p, size_t n, size_t *off)
{
	if (b->cap - b->len < n) {
		if (b->cap == 0)
			b->cap = BATCH_BYTES * 2;
		while (b->cap - b->len < n)
			b->cap *= 2;
		if ((b->buf = realloc(b->buf, b->cap)) == NULL)
			die_sys("out of memory");
	}
	if (n > 0)	/* the buffer may not exist yet for an empty key */
		memcpy(b->buf + b->len, p, n);
	*off = b->len;
	b->len += n;
}

/*
 * Append the fields FL of F, joined by TAB, to the batch (adjacent fields
 * in order, SPAN, are one slice of the row); their length.
 */
static size_t
join_fields(struct batch *b, const struct fieldlist *fl, int span,
    const struct slice *f)
{
	size_t i, start = b->len, off;

	if (fl->n == 0)
		return 0;
	if (span) {
		batch_copy(b, f[fl->idx[0]].p, f[fl->idx[fl->n - 1]].p +
		    f[fl->idx[fl->n - 1]].n - f[fl->idx[0]].p, &off);
		return b->len - start;
	}
	for (i = 0; i < fl->n; i++) {
		if (i > 0)
			batch_copy(b, "\t", 1, &off);
		batch_copy(b, f[fl->idx[i]].p, f[fl->idx[i]].n, &off);
	}
	return b->len - start;
}

/*
 * Rows the filter probably holds, from the line length of its first MiB
 * (already in the reader's buffer) and the file size; a gzip file is taken
 * to be four times as large inside.  Sizing the table once saves rehashing
 * it as it grows; a wrong guess costs only that.
 */
static size_t
estimate_rows(struct tsv_in *t)
{
	const char *p, *end, *nl;
	size_t lines = 0, est;
	int64_t size;

	if (t->in == NULL)
		return 1 << 10;
	p = t->buf + t->beg;
	end = t->buf + t->end;
	while ((nl = memchr(p, '\n', end - p)) != NULL) {
		lines++;
		p = nl + 1;
	}
	if (t->eof || lines == 0)
		return lines + 1;
	size = input_size(t->in);
	if (size <= 0)
		return 1 << 16;
	if (input_is_gzip(t->in))
		size *= 4;
	est = (double)size / (p - (t->buf + t->beg)) * lines * 1.05;
	return est + 1;
}

/*
 * The key of a row (rowkey.h) in KEY, or 0 when a key field is \N: null
 * matches nothing, as in SQL.
 */
static int
row_key(const struct fieldlist *kl, int span, const struct slice *fv,
    struct bytes *scratch, struct slice *key)
{
	if (rowkey_null(kl, fv))
		return 0;
	*key = rowkey(kl, span, fv, scratch);
	return 1;
}

/*
 * How many leading fields a row must be split into to reach every field of
 * A and B (B may be NULL); the rest are only counted.
 */
static size_t
lead(const struct fieldlist *a, const struct fieldlist *b)
{
	return a->max > (b != NULL ? b->max : 0) ? a->max :
	    b != NULL ? b->max : 0;
}

/* Headerless input: a field list must fit the first row's width. */
static void
check_width(const struct fieldlist *fl, const char *opt, const char *file,
    uint64_t line, size_t nf)
{
	if (fl->max > nf)
		die_at(file, line, "%s: field %zu is past the last field "
		    "(%zu)", opt, fl->max, nf);
}

/*
 * The appended column names (after PREFIX), checked against the data's
 * header and each other: a table with two columns of one name cannot be
 * loaded, so a collision is a usage error that --prefix resolves.
 */
static void
append_names(struct join *j, const struct header *fh, const char *prefix)
{
	struct slice s;
	size_t i, k, plen = strlen(prefix);
	char *name;

	for (i = 0; i < j->app.n; i++) {
		s = fh->names.f[j->app.idx[i]];
		bytes_reserve(&j->names, 1 + plen + s.n);
		name = j->names.p + j->names.len + 1;
		j->names.p[j->names.len++] = '\t';
		memcpy(name, prefix, plen);
		memcpy(name + plen, s.p, s.n);
		j->names.len += plen + s.n;
		if (j->dh != NULL && header_find(j->dh, name, plen + s.n) >= 0)
			die_usage("-a: field '%.*s' is also a data column "
			    "(use --prefix to rename appended columns)",
			    (int)(plen + s.n), name);
		for (k = 0; k < i; k++)
			if (j->app.idx[k] == j->app.idx[i])
				die_usage("-a: field '%.*s' is appended twice",
				    (int)s.n, s.p);
	}
}

/* "\tV\tV..." — one V per appended field, written after unmatched rows. */
static void
make_fill(struct join *j, const char *v)
{
	size_t i, n = strlen(v);

	j->fill.len = 0;
	for (i = 0; i < j->app.n; i++) {
		bytes_reserve(&j->fill, 1 + n);
		j->fill.p[j->fill.len++] = '\t';
		memcpy(j->fill.p + j->fill.len, v, n);
		j->fill.len += n;
	}
}

/*
 * One data row: check its width, find its key, then look it up at once
 * (a table in the cache) or queue it (a big one).
 */
static void
data_row(struct join *j, struct tsv_in *t, struct slice line)
{
	struct slice key;
	const char *v = NULL;
	size_t nf, vn = 0;
	int null_key;

	nf = fields_lead(line.p, line.n, j->fv, j->dneed);
	if (j->dnf == 0)
		check_width(&j->dkey, "-d", t->name, t->line, j->dnf = nf);
	if (nf != j->dnf) {
		char reason[80];

		snprintf(reason, sizeof(reason), "expected %zu fields, found %zu",
		    j->dnf, nf);
		if (!j->rej.open)
			die_at(t->name, t->line, "%s", reason);
		rejects_add(&j->rej, t->name, t->line, reason, line.p, line.n);
		return;
	}
	null_key = !row_key(&j->dkey, j->dkey_span, j->fv, &j->key, &key);
	if (null_key) {
		/* Null key: never a match; kept by -e and -w. */
		j->data_null++;
		key.p = NULL;
	}
	if (!j->direct) {
		batch_add(j, line, key.p, key.n, t->name, t->line);
		return;
	}
	if (!null_key)
		v = jm_get(&j->m, jm_hash(key.p, key.n), key.p, key.n, &vn);
	emit(j, t->name, t->line, line.p, line.n, null_key, v, vn);
}

/*
 * Write a looked-up row: matched (V not NULL, its appended value) or not,
 * as the mode wants; a row dropped for want of a match goes to --unmatched.
 */
static void
emit(struct join *j, const char *src, uint64_t line, const char *row,
    size_t n, int null_key, const char *v, size_t vn)
{
	if (v != NULL)
		j->matched++;
	else
		j->unmatched++;
	if ((v != NULL) != (j->mode != ANTI) && j->mode != LEFT) {
		if (j->unm.open)
			rejects_add(&j->unm, src, line, null_key ? "null key" :
			    "no match in filter", row, n);
		return;
	}
	j->rows_out++;
	out_write(&j->out, row, n);
	if (j->mode == INNER || j->mode == LEFT) {
		if (v != NULL) {
			out_byte(&j->out, '\t');
			out_write(&j->out, v, vn);
		} else
			out_write(&j->out, j->fill.p, j->fill.len);
	}
	out_byte(&j->out, '\n');
}

/*
 * Queue a data row with its key (NULL: a null key) in the newest batch; when
 * the batch is full, move the pipeline on.
 */
static void
batch_add(struct join *j, struct slice line, const char *key, size_t kn,
    const char *src, uint64_t lineno)
{
	struct batch *b = &j->b[j->cur];
	struct pending *p = &b->row[b->n];
	const struct pending *q;
	const char *qbuf;

	p->src = src;
	p->line = lineno;
	p->null_key = key == NULL;
	p->same = 0;
	if (key != NULL) {
		/* Before the copy: it may move the batch's buffer. */
		q = prev_row(j, &qbuf);
		p->same = q != NULL && !q->null_key && q->key_len == kn &&
		    (kn == 0 || memcmp(qbuf + q->key_off, key, kn) == 0);
	}
	batch_copy(b, line.p, line.n, &p->line_off);
	p->line_len = line.n;
	if (key != NULL) {
		if (key >= line.p && key < line.p + line.n)
			p->key_off = p->line_off + (key - line.p);
		else
			batch_copy(b, key, kn, &p->key_off);
		p->key_len = kn;
		if (!p->same)
			p->hv = jm_hash(key, kn);
	}
	if (++b->n == BATCH || b->len >= BATCH_BYTES)
		batch_next(j);
}

/* The row queued last (NULL: none queued) and, in *BUF, its batch's bytes. */
static const struct pending *
prev_row(const struct join *j, const char **buf)
{
	const struct batch *b = &j->b[j->cur];

	if (b->n == 0)
		b = &j->b[(j->cur + NBATCH - 1) % NBATCH];
	if (b->n == 0)
		return NULL;
	*buf = b->buf;
	return &b->row[b->n - 1];
}

/*
 * The newest batch is full: prefetch its slots and the records of the one
 * before it, write the oldest out, and fill that one next.
 */
static void
batch_next(struct join *j)
{
	unsigned oldest = (j->cur + 1) % NBATCH;

	batch_step(j, &j->b[j->cur], &j->b[(j->cur + NBATCH - 1) % NBATCH],
	    &j->b[oldest]);
	j->cur = oldest;
}

/*
 * Prefetch the slots of the rows of S, then the records of those of R, then
 * look up and write the rows of W.  One function: a function that only
 * prefetches has no effect GCC can see, and it drops the calls to it.
 */
static void
batch_step(struct join *j, const struct batch *s, const struct batch *r,
    struct batch *w)
{
	const struct pending *p, *end;

	for (p = s->row, end = p + s->n; p < end; p++)
		if (!p->null_key && !p->same)
			jm_prefetch_slot(&j->m, p->hv,
			    s->buf + p->key_off, p->key_len);
	for (p = r->row, end = p + r->n; p < end; p++)
		if (!p->null_key && !p->same)
			jm_prefetch_rec(&j->m, p->hv);
	batch_resolve(j, w);
}

/* Look the rows of B up and write them in order; B is empty after. */
static void
batch_resolve(struct join *j, struct batch *b)
{
	struct pending *p, *end = b->row + b->n;
	const char *v;
	size_t vn;

	for (p = b->row; p < end; p++) {
		v = NULL;
		vn = 0;
		if (p->same) {
			v = j->last_v;
			vn = j->last_vn;
		} else if (!p->null_key) {
			v = jm_get(&j->m, p->hv, b->buf + p->key_off,
			    p->key_len, &vn);
			j->last_v = v;
			j->last_vn = vn;
		}
		emit(j, p->src, p->line, b->buf + p->line_off, p->line_len,
		    p->null_key, v, vn);
	}
	b->n = 0;
	b->len = 0;
}

/* Write every queued row, oldest batch first (at the end of a file). */
static void
batch_run(struct join *j)
{
	unsigned i, k;

	for (i = 1; i <= NBATCH; i++) {
		k = (j->cur + i) % NBATCH;
		batch_step(j, &j->b[k], &j->b[k], &j->b[k]);
	}
}

static void
file_end(struct tsv_in *t, void *arg)
{
	(void)t;
	batch_run(arg);
}

/* A key for a message: fields shown joined by ',', at most 60 bytes. */
static const char *
shown(const char *p, size_t n)
{
	static char s[64];
	size_t i, m = n > 60 ? 57 : n;

	for (i = 0; i < m; i++)
		s[i] = p[i] == '\t' ? ',' : p[i];
	if (m < n)
		memcpy(s + m, "...", 3), m += 3;
	s[m] = '\0';
	return s;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s -f FILTER [-k KEYS] [-d DATAKEYS] "
	    "[-a APPEND [--prefix STR]]\n"
	    "                [-w [--fill VALUE]] [-e] [--first | --last] "
	    "[-N] [--rejects FILE] [--unmatched FILE]\n"
	    "                [--stats FILE] [--progress] [-o FILE] "
	    "[FILE ...]\n", progname);
}
