/*
 * fuzz_tool.c - one tool's row handling, the whole program: the tool's .c is
 * compiled with -Dmain=tool_main (and the fuzz_rt.h renames) and this calls
 * it with the fuzz input as its file(s).  The first byte picks one of the
 * tool's argument sets below; for tools with two inputs the rest is split at
 * the first "\n--\n" (no separator: the second input is a fixed good file).
 * Fields are named by number so that a mutated header still gets to the rows.
 * Build: fuzz/build.sh TOOL (defines FUZZ_TOOL_<name>).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_rt.h"

int	tool_main(int, char **);

#define A	"@A"	/* the first input */
#define B	"@B"	/* the second input */
#define G	"@G"	/* a gates file over B (evidence-sum) */
#define MAXARGS	24

static const char *const variants[][MAXARGS] = {
#if defined(FUZZ_TOOL_imdb_cat)
	{ "--schema", "auto", A },
	{ "--schema", "none", "--stats", "/dev/null", A },
	{ "--unique", "--rejects", "/dev/null", A },
	{ "-N", "--schema", "title.basics", "--rejects", "/dev/null", A },
	{ "-f", "1,3", "--limit", "5", "--schema", "none", A },
	{ "--schema", "none", A, A },
#elif defined(FUZZ_TOOL_tsv_split_genres)
	{ "-f", "1", A },
	{ "-f", "2", "-d", ";", "--ordinal", "o", "--count", "c", "--weight", "w", "--rejects", "/dev/null", A },
	{ "-N", "-f", "1", "--drop-null", "--stats", "/dev/null", A },
	{ "-f", "1", "--null-as", "Unknown", A },
#elif defined(FUZZ_TOOL_surrogate_key)
	{ "-k", "k=1", A },
	{ "-k", "a=1,2", "-k", "b=2", "--position", "first", "--stats", "/dev/null", A },
	{ "-N", "-k", "k=1", "--replace", A },
	{ "-k", "k=1", "--no-memo", "--engine", "scalar", A },
#elif defined(FUZZ_TOOL_tsv_join)
	{ "-f", A, "-k", "1", B },
	{ "-f", A, "-k", "1", "-a", "2", "--first", B },
	{ "-f", A, "-k", "1", "-e", "--stats", "/dev/null", B },
	{ "-f", A, "-k", "1,2", "-w", "-a", "3", "--last", "--rejects", "/dev/null", B },
	{ "-N", "-f", A, "-k", "1", "-d", "2", "-a", "2", "--prefix", "p_", "--last", B },
#elif defined(FUZZ_TOOL_scd2_merge)
	{ "--as-of", "2026-01-01", "-k", "1", A, B },
	{ "--as-of", "2026-01-01", "-k", "1", "--deletes", "invalidate", "--type1", "3", B, A },
	{ "--as-of", "2026-01-02", "-k", "1,2", "--deletes", "ignore", "--stats", "/dev/null", A, B },
	{ "--as-of", "2026-01-01", "-N", "-k", "1", A, B },
#elif defined(FUZZ_TOOL_wrating)
	{ "-r", "2", "-v", "3", "-m", "10", "-C", "6.5", A },
	{ "-r", "2", "-v", "3", "-m", "10", "-C", "auto", "--rejects", "/dev/null", A },
	{ "-r", "2", "-v", "3", "-m", "0", "-C", "auto", "--eligible", "1=movie", "-p", "4", A },
	{ "-N", "-r", "1", "-v", "2", "-C", "7", A },
#elif defined(FUZZ_TOOL_kpi_agg)
	{ "-g", "1", "count", "mean:2", "median:2", "sum:3", A },
	{ "-g", "1", "count-distinct:2", "--bucket", "2=0,2,4,6,8,10", "--all-buckets", A },
	{ "-g", "1", "count", "--top", "3", "--by", "count", A },
	{ "-g", "1,2", "wmean:2:3", "quantile:2:0.9", "stdev:3", "min:2", "max:2", "share", "-p", "3", A },
	{ "count", "first:1", "last:2", "count-nonnull:3", "--having", "count>=2", A },
#elif defined(FUZZ_TOOL_dim_date)
	{ "-f", "1", A },
	{ "-f", "1,2", A },
	{ "-N", "-f", "2", A },
#elif defined(FUZZ_TOOL_tsv_split)
	/* --part only: -n writes PREFIX.K.tsv and keeps their names in
	 * file-scope variables and an atexit handler, one per run */
	{ "-k", "1", "--part", "0/2", A },
	{ "-k", "1,2", "--part", "1/3", "--number", "n", "--rejects", "/dev/null", A },
	{ "-N", "-k", "2", "--part", "0/1", "--stats", "/dev/null", A },
	{ "-k", "2", "--part", "2/5", "--rejects", "/dev/null", A, A },
#elif defined(FUZZ_TOOL_tsv_uniq)
	{ A },
	{ "-f", "1", "--stats", "/dev/null", A },
	{ "-f", "3", "--within", "1", A },
	{ "-f", "4,1", "--within", "1", "--counters", A },
	{ "-N", "-f", "2", "--within", "3,1", A, A },
#elif defined(FUZZ_TOOL_evidence_sum)
	{ "--gates", G },
	{ "--gates", A, "--dir", "/nonexistent" },
	{ "--gates", G, "--stats", A, "--fail-on-warn" },
#else
#error "define FUZZ_TOOL_<name>"
#endif
};

#define NVARIANTS	(sizeof(variants) / sizeof(variants[0]))

/* A good second input: three rows, every kind of column. */
static const char good_b[] =
    "tconst\tgenres\tstartYear\taverageRating\tnumVotes\n"
    "tt0000001\tDrama,Comedy\t1894\t5.7\t2000\n"
    "tt0000002\tAnimation\t1892\t6.1\t150\n"
    "tt0000003\t\\N\t1910\t7.0\t12\n";

/* Gates over B by absolute path: every check that reads a table. */
static const char *
gates_file(const char *b)
{
	char text[4096];

	snprintf(text, sizeof(text),
	    "id\tfile\tcheck\tcolumns\targument\tseverity\n"
	    "r\t%1$s\trow_count_between\t-\t1..\terror\n"
	    "u\t%1$s\tunique\t1\t-\terror\n"
	    "u2\t%1$s\tunique\t1,2\t-\twarn\n"
	    "nn\t%1$s\tnot_null\t1,2\t-\terror\n"
	    "b\t%1$s\tbetween\t4\t1..10\twarn\n"
	    "s\t%1$s\tin_set\t2\tDrama,Comedy\twarn\n"
	    "m\t%1$s\tmatches\t1\t^tt[0-9]{7,}$;max_share=0.5\terror\n"
	    "f\t%1$s\tfk\t1\t%1$s:1\terror\n",
	    b);
	return fuzz_file(2, (const uint8_t *)text, strlen(text));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *const *v;
	const uint8_t *sep;
	const char *a, *b, *g = NULL;
	char *argv[MAXARGS + 4];
	int argc = 0, i;

	if (n == 0)
		return 0;
	v = variants[data[0] % NVARIANTS];
	data++, n--;
	sep = memmem(data, n, "\n--\n", 4);
	if (sep != NULL) {
		a = fuzz_file(0, data, sep - data + 1);
		b = fuzz_file(1, sep + 4, n - (sep - data) - 4);
	} else {
		a = fuzz_file(0, data, n);
		b = fuzz_file(1, (const uint8_t *)good_b, sizeof(good_b) - 1);
	}
	argv[argc++] = "fuzz-tool";
	for (i = 0; i < MAXARGS && v[i] != NULL; i++) {
		if (strcmp(v[i], A) == 0)
			argv[argc++] = (char *)a;
		else if (strcmp(v[i], B) == 0)
			argv[argc++] = (char *)b;
		else if (strcmp(v[i], G) == 0)
			argv[argc++] = (char *)(g = gates_file(sep != NULL ? b : a));
		else
			argv[argc++] = (char *)v[i];
	}
	argv[argc++] = "-o";
	argv[argc++] = "/dev/null";
	argv[argc] = NULL;
	optind = 0;	/* glibc: full re-initialisation of getopt */
	fuzz_rt_begin();
	if (setjmp(fuzz_jmp) == 0)
		tool_main(argc, argv);
	fuzz_rt_end();
	return 0;
}
