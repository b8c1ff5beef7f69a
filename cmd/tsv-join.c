/*
 * tsv-join - hash join: load the key (and appended) columns of a filter file
 * into one hash table, then stream the data rows and keep those that match
 * (semi-join), append the filter's columns (inner or left outer join), or
 * keep those that do not match (anti-join).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldlist.h"
#include "hashmap.h"
#include "hashprobe.h"
#include "hugepage.h"
#include "msg.h"
#include "out.h"
#include "progress.h"
#include "rejects.h"
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
 * Data rows are looked up in batches: every row of a batch is copied into
 * one buffer, its key hashed and its slot prefetched, then the records and
 * the appended values are prefetched stage by stage, so the cache misses of
 * BATCH look-ups overlap instead of following one another.
 */
#define BATCH		32
#define BATCH_BYTES	(256 * 1024)

struct pending {
	size_t		 line_off, line_len;	/* in batch.buf */
	size_t		 key_off, key_len;
	uint64_t	 hv;
	uint64_t	 line;			/* input line number */
	const char	*src;			/* input file name */
	int		 null_key;		/* a key field is \N */
	uint32_t	 id;			/* HMAP_NONE: no match */
};

struct batch {
	struct pending	 row[BATCH];
	size_t		 n;
	char		*buf;
	size_t		 len, cap;
};

/* Growable byte buffer for keys, values and batches. */
struct bytes {
	char		*p;
	size_t		 len, cap;
};

struct join {
	struct cli	 cli;
	enum mode	 mode;
	enum dup	 dup;
	struct fieldlist fkey, dkey, app;
	int		 fkey_span, dkey_span;	/* key fields adjacent, in order */
	size_t		 fnf, dnf;		/* field counts; 0 = first row's */
	struct hashmap	 h;
	uint64_t	*voff;			/* id -> offset of its value in vals */
	uint64_t	*fline;			/* id -> first filter line (DUP_ERROR) */
	size_t		 ids_cap;
	struct bytes	 vals;			/* u32 length + bytes, per value */
	size_t		 vmax;			/* longest value */
	char		*fixed;			/* or: length byte + value, per id */
	size_t		 stride;		/* of fixed; 0 = not packed */
	size_t		 peak_bytes;		/* of the table, while packing */
	struct bytes	 fill;			/* TAB + fill values for -w */
	struct bytes	 key;			/* scratch for a non-adjacent key */
	struct bytes	 names;			/* TAB + appended column names */
	const struct header *dh;		/* data header; NULL with -N */
	struct batch	 b;
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
static void	 grow_ids(struct join *, size_t);
static void	 store_value(struct join *, uint32_t, const char *, size_t);
static void	 filter_insert(struct join *, const char *);
static void	 batch_copy(struct batch *, const char *, size_t, size_t *);
static size_t	 join_fields(struct batch *, const struct fieldlist *,
		    struct fields *);
static void	 pack_values(struct join *);
static size_t	 table_bytes(const struct join *);
static int	 row_key(const struct fieldlist *, int, struct fields *,
		    struct bytes *, struct slice *);
static int	 is_span(const struct fieldlist *);
static void	 check_width(const struct fieldlist *, const char *,
		    const char *, uint64_t, size_t);
static void	 append_names(struct join *, const struct header *,
		    const char *);
static void	 make_fill(struct join *, const char *);
static void	 batch_add(struct join *, struct slice, struct fields *);
static void	 batch_run(struct join *);
static void	 file_end(struct tsv_in *, void *);
static void	 bytes_reserve(struct bytes *, size_t);
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
	struct fields fv = { 0 };
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
	j.dkey_span = is_span(&j.dkey);
	if (j.dkey.n != j.fkey.n)
		die_usage("-k and -d name %zu and %zu fields (they must "
		    "pair up)", j.fkey.n, j.dkey.n);
	make_fill(&j, fill != NULL ? fill : "\\N");
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
		tsv_split(&fv, line.p, line.n);
		if (j.dnf == 0)
			check_width(&j.dkey, "-d", t.name, t.line,
			    j.dnf = fv.n);
		if (fv.n != j.dnf) {
			char reason[80];

			snprintf(reason, sizeof(reason), "expected %zu "
			    "fields, found %zu", j.dnf, fv.n);
			if (!j.rej.open)
				die_at(t.name, t.line, "%s", reason);
			rejects_add(&j.rej, t.name, t.line, reason, line.p,
			    line.n);
			continue;
		}
		j.b.row[j.b.n].line = t.line;
		j.b.row[j.b.n].src = t.name;
		batch_add(&j, line, &fv);
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
	stats_u64(&j.st, "filter_keys", j.h.count);
	stats_u64(&j.st, "filter_null_keys", j.filter_null);
	stats_u64(&j.st, "filter_duplicates", j.filter_dups);
	stats_u64(&j.st, "matched", j.matched);
	stats_u64(&j.st, "unmatched", j.unmatched);
	stats_u64(&j.st, "data_null_keys", j.data_null);
	stats_u64(&j.st, "hmap_bytes", table_bytes(&j) > j.peak_bytes ?
	    table_bytes(&j) : j.peak_bytes);
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
	static char *paths[1];

	paths[0] = (char *)path;
	tsv_open(ft, paths, 1, prefix != NULL ? TSV_HEADER : 0);
	if (prefix != NULL) {
		header_init(&fh, ft->header, ft->header_len);
		j->fnf = fh.names.n;
	}
	fieldlist_parse(&j->fkey, keys, prefix != NULL ? &fh : NULL, "-k");
	j->fkey_span = is_span(&j->fkey);
	if (app != NULL)
		fieldlist_parse(&j->app, app, prefix != NULL ? &fh : NULL,
		    "-a");
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
	struct fields fv = { 0 };
	struct slice line, key;
	struct pending *p;
	struct batch *b = &j->b;
	size_t est;

	est = estimate_rows(ft);
	hmap_init(&j->h, est);
	hugepage_advise(j->h.slots, (j->h.mask + 1) * sizeof(*j->h.slots));
	if (j->app.n > 0)
		grow_ids(j, est);
	while (tsv_next(ft, &line)) {
		j->filter_rows++;
		tsv_split(&fv, line.p, line.n);
		if (j->fnf == 0) {
			j->fnf = fv.n;
			check_width(&j->fkey, "-k", ft->name, ft->line, fv.n);
			check_width(&j->app, "-a", ft->name, ft->line, fv.n);
		}
		if (fv.n != j->fnf)
			die_at(ft->name, ft->line, "expected %zu fields, found "
			    "%zu", j->fnf, fv.n);
		if (!row_key(&j->fkey, j->fkey_span, &fv, &j->key, &key)) {
			j->filter_null++;
			continue;
		}
		p = &b->row[b->n];
		p->line = ft->line;
		batch_copy(b, key.p, key.n, &p->key_off);
		p->key_len = key.n;
		p->line_off = b->len;
		p->line_len = join_fields(b, &j->app, &fv);
		p->hv = hash_bytes(key.p, key.n);
		hprobe_slot(&j->h, p->hv);
		if (++b->n == BATCH || b->len >= BATCH_BYTES)
			filter_insert(j, ft->name);
	}
	filter_insert(j, ft->name);
	tsv_close(ft);
	fields_free(&fv);
	pack_values(j);
	/* Every data row probes these at random: 2 MiB pages halve the time. */
	hugepage_advise(j->h.slots, (j->h.mask + 1) * sizeof(*j->h.slots));
	hugepage_advise(j->h.keys, j->h.keys_len);
	hugepage_advise(j->voff, j->h.count * sizeof(*j->voff));
	hugepage_advise(j->vals.p, j->vals.len);
}

/*
 * Insert the queued filter rows.  Duplicates: harmless without -a; with -a
 * an error unless --first or --last says which row wins.
 */
static void
filter_insert(struct join *j, const char *name)
{
	struct batch *b = &j->b;
	struct pending *p, *end = b->row + b->n;
	uint32_t id;
	int isnew;

	for (p = b->row; p < end; p++) {
		id = hmap_insert(&j->h, b->buf + p->key_off, p->key_len,
		    &isnew);
		if (isnew) {
			if (j->app.n > 0)
				store_value(j, id, b->buf + p->line_off,
				    p->line_len);
			if (j->fline != NULL)
				j->fline[id] = p->line;
			continue;
		}
		j->filter_dups++;
		if (j->app.n == 0 || j->dup == DUP_FIRST)
			continue;
		if (j->dup == DUP_ERROR)
			die_at(name, p->line, "duplicate key '%s' (first on "
			    "line %llu; use --first or --last)",
			    shown(b->buf + p->key_off, p->key_len),
			    (unsigned long long)j->fline[id]);
		store_value(j, id, b->buf + p->line_off, p->line_len);
	}
	b->n = 0;
	b->len = 0;
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
	memcpy(b->buf + b->len, p, n);
	*off = b->len;
	b->len += n;
}

/* Append the fields FL of FV, joined by TAB, to the batch; their length. */
static size_t
join_fields(struct batch *b, const struct fieldlist *fl, struct fields *fv)
{
	size_t i, start = b->len, off;

	for (i = 0; i < fl->n; i++) {
		if (i > 0)
			batch_copy(b, "\t", 1, &off);
		batch_copy(b, fv->f[fl->idx[i]].p, fv->f[fl->idx[i]].n, &off);
	}
	return b->len - start;
}

/*
 * When every appended value is short, move them into one array of fixed
 * stride indexed by id: a match then costs one cache miss for its value
 * instead of two (offset, then value).
 */
static void
pack_values(struct join *j)
{
	size_t stride = j->vmax + 1, id;
	const char *v;
	uint32_t len;

	if (j->app.n == 0 || stride > 64)
		return;
	j->peak_bytes = table_bytes(j) + j->h.count * stride;
	if ((j->fixed = malloc(j->h.count * stride + 1)) == NULL)
		die_sys("out of memory");
	hugepage_advise(j->fixed, j->h.count * stride);
	for (id = 0; id < j->h.count; id++) {
		v = j->vals.p + j->voff[id];
		memcpy(&len, v, 4);
		j->fixed[id * stride] = (char)len;
		memcpy(j->fixed + id * stride + 1, v + 4, len);
	}
	j->stride = stride;
	free(j->voff);
	free(j->fline);
	free(j->vals.p);
	j->voff = j->fline = NULL;
	j->vals.p = NULL;
	j->vals.len = j->vals.cap = j->ids_cap = 0;
}

/* Bytes reserved for the table now. */
static size_t
table_bytes(const struct join *j)
{
	return hmap_bytes(&j->h) + j->vals.cap + j->ids_cap *
	    ((j->voff != NULL) + (j->fline != NULL)) * sizeof(uint64_t) +
	    j->h.count * j->stride;
}

/* The appended value of ID and its length. */
static inline const char *
value_of(const struct join *j, uint32_t id, size_t *n)
{
	const char *v;
	uint32_t len;

	if (j->stride != 0) {
		v = j->fixed + (size_t)id * j->stride;
		*n = (unsigned char)v[0];
		return v + 1;
	}
	v = j->vals.p + j->voff[id];
	memcpy(&len, v, 4);
	*n = len;
	return v + 4;
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
		return 1 << 16;
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
	return est > ((size_t)1 << 16) ? est : (size_t)1 << 16;
}

/* Room for N ids in the per-id arrays. */
static void
grow_ids(struct join *j, size_t n)
{
	if (n < (size_t)1 << 16)
		n = (size_t)1 << 16;
	j->ids_cap = n;
	if ((j->voff = realloc(j->voff, n * sizeof(*j->voff))) == NULL)
		die_sys("out of memory");
	if (j->dup == DUP_ERROR && (j->fline = realloc(j->fline,
	    n * sizeof(*j->fline))) == NULL)
		die_sys("out of memory");
}

/* Record VAL (the appended fields of a filter row) as the value of ID. */
static void
store_value(struct join *j, uint32_t id, const char *val, size_t n)
{
	uint32_t len32 = n;

	if (id >= j->ids_cap)
		grow_ids(j, j->ids_cap * 2);
	if (n > UINT32_MAX)
		die(EXIT_DATA, "appended fields longer than 4 GiB");
	bytes_reserve(&j->vals, 4 + n);
	j->voff[id] = j->vals.len;
	memcpy(j->vals.p + j->vals.len, &len32, 4);
	memcpy(j->vals.p + j->vals.len + 4, val, n);
	j->vals.len += 4 + n;
	if (n > j->vmax)
		j->vmax = n;
}

/*
 * The key of a row: its key fields joined by TAB (TAB never occurs inside a
 * field, so the joining is unambiguous).  Adjacent fields in order are a
 * slice of the row itself; others are copied into SCRATCH.  0 when a key
 * field is \N: null matches nothing, as in SQL.
 */
static int
row_key(const struct fieldlist *kl, int span, struct fields *fv,
    struct bytes *scratch, struct slice *key)
{
	const struct slice *f;
	size_t i, n;
	char *p;

	for (i = 0; i < kl->n; i++) {
		f = &fv->f[kl->idx[i]];
		if (f->n == 2 && f->p[0] == '\\' && f->p[1] == 'N')
			return 0;
	}
	if (span) {
		f = &fv->f[kl->idx[kl->n - 1]];
		key->p = fv->f[kl->idx[0]].p;
		key->n = f->p + f->n - key->p;
		return 1;
	}
	for (n = 0, i = 0; i < kl->n; i++)
		n += fv->f[kl->idx[i]].n + 1;
	scratch->len = 0;
	bytes_reserve(scratch, n);
	p = scratch->p;
	for (i = 0; i < kl->n; i++) {
		f = &fv->f[kl->idx[i]];
		if (i > 0)
			*p++ = '\t';
		memcpy(p, f->p, f->n);
		p += f->n;
	}
	key->p = scratch->p;
	key->n = p - scratch->p;
	return 1;
}

static int
is_span(const struct fieldlist *fl)
{
	size_t i;

	for (i = 1; i < fl->n; i++)
		if (fl->idx[i] != fl->idx[i - 1] + 1)
			return 0;
	return 1;
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

/* Queue a data row; a full batch is looked up and written. */
static void
batch_add(struct join *j, struct slice line, struct fields *fv)
{
	struct batch *b = &j->b;
	struct pending *p = &b->row[b->n];
	struct slice key;

	if (!row_key(&j->dkey, j->dkey_span, fv, &j->key, &key)) {
		/* Null key: never a match; kept by -e and -w. */
		j->data_null++;
		key.p = NULL;
	}
	batch_copy(b, line.p, line.n, &p->line_off);
	p->line_len = line.n;
	p->id = HMAP_NONE;
	p->key_len = 0;
	p->null_key = key.p == NULL;
	if (key.p != NULL) {
		if (key.p >= line.p && key.p < line.p + line.n)
			p->key_off = p->line_off + (key.p - line.p);
		else
			batch_copy(b, key.p, key.n, &p->key_off);
		p->key_len = key.n;
		p->hv = hash_bytes(key.p, key.n);
		p->id = 0;
		hprobe_slot(&j->h, p->hv);
	}
	if (++b->n == BATCH || b->len >= BATCH_BYTES)
		batch_run(j);
}

/* Look the queued rows up, stage by stage, and write them in order. */
static void
batch_run(struct join *j)
{
	struct batch *b = &j->b;
	struct pending *p, *end = b->row + b->n;
	const char *v;
	size_t vlen;

	for (p = b->row; p < end; p++)
		if (p->id == 0)
			hprobe_record(&j->h, p->hv);
	for (p = b->row; p < end; p++)
		if (p->id == 0) {
			p->id = hprobe_find(&j->h, p->hv, b->buf + p->key_off,
			    p->key_len);
			if (p->id == HMAP_NONE)
				continue;
			if (j->stride != 0)
				__builtin_prefetch(j->fixed +
				    (size_t)p->id * j->stride);
			else if (j->voff != NULL)
				__builtin_prefetch(&j->voff[p->id]);
		}
	if (j->voff != NULL)
		for (p = b->row; p < end; p++)
			if (p->id != HMAP_NONE)
				__builtin_prefetch(j->vals.p + j->voff[p->id]);
	for (p = b->row; p < end; p++) {
		if (p->id != HMAP_NONE)
			j->matched++;
		else
			j->unmatched++;
		if ((p->id != HMAP_NONE) != (j->mode != ANTI) &&
		    j->mode != LEFT) {
			/* Dropped for want of a match: keep it if asked. */
			if (j->unm.open)
				rejects_add(&j->unm, p->src, p->line,
				    p->null_key ? "null key" : "no match in filter",
				    b->buf + p->line_off, p->line_len);
			continue;
		}
		j->rows_out++;
		out_write(&j->out, b->buf + p->line_off, p->line_len);
		if (j->mode == INNER || j->mode == LEFT) {
			if (p->id != HMAP_NONE) {
				v = value_of(j, p->id, &vlen);
				out_byte(&j->out, '\t');
				out_write(&j->out, v, vlen);
			} else
				out_write(&j->out, j->fill.p, j->fill.len);
		}
		out_byte(&j->out, '\n');
	}
	b->n = 0;
	b->len = 0;
}

static void
file_end(struct tsv_in *t, void *arg)
{
	(void)t;
	batch_run(arg);
}

/* Room for N more bytes after B->len. */
static void
bytes_reserve(struct bytes *b, size_t n)
{
	if (b->cap - b->len >= n && b->p != NULL)
		return;
	if (b->cap == 0)
		b->cap = 1 << 16;
	while (b->cap - b->len < n)
		b->cap *= 2;
	if ((b->p = realloc(b->p, b->cap)) == NULL)
		die_sys("out of memory");
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
