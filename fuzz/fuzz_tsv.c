/*
 * fuzz_tsv.c - the TSV reader (common/tsv.c over common/input.c): any bytes,
 * with or without a header, one file or the same file twice.  Checks what
 * every tool relies on: a line holds no LF, and its fields put back
 * together with TABs are the line.  One CR before the LF (or the end) is
 * undone; a CR before that one is data ("a\r\r\n" is the line "a\r"),
 * so a line may end in CR only when the input holds two in a row.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_rt.h"
#include "fieldlist.h"
#include "tsv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct tsv_in t;
	struct fields fv = { 0 };
	struct header h;
	struct slice line;
	char *paths[3];
	size_t i, sum;
	int flags, gzip;

	if (n == 0)
		return 0;
	/* a gzip member's CRs are inside the deflate data: not checked */
	gzip = n >= 3 && data[1] == 0x1f && data[2] == 0x8b;
	flags = data[0] & 1 ? TSV_HEADER : 0;
	paths[0] = paths[1] = (char *)fuzz_file(0, data + 1, n - 1);
	paths[2] = NULL;
	fuzz_rt_begin();
	if (setjmp(fuzz_jmp) == 0) {
		tsv_open(&t, paths, data[0] & 2 ? 2 : 1, flags);
		if (flags & TSV_HEADER) {
			header_init(&h, t.header, t.header_len);
			if (h.names.n == 0)
				abort();
		}
		while (tsv_next(&t, &line)) {
			if (memchr(line.p, '\n', line.n) != NULL ||
			    (line.n > 0 && line.p[line.n - 1] == '\r' &&
			    !gzip && memmem(data + 1, n - 1, "\r\r", 2) == NULL))
				abort();
			tsv_split(&fv, line.p, line.n);
			for (i = 0, sum = 0; i < fv.n; i++)
				sum += fv.f[i].n;
			if (fv.n == 0 || sum + fv.n - 1 != line.n)
				abort();
		}
		tsv_close(&t);
	}
	fuzz_rt_end();
	return 0;
}
