/*
 * fuzz_fieldlist.c - field lists (common/fieldlist.c): the first line is a
 * header, the rest a list like "tconst,3-5"; the first byte says whether the
 * header is given (-N input has none).  A resolved list must index inside
 * the header; everything else must be a usage error (exit 2).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_rt.h"
#include "fieldlist.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct header h;
	struct fieldlist fl;
	const char *nl;
	char *spec;
	size_t hn, i;
	int with_header;

	if (n < 1)
		return 0;
	with_header = data[0] & 1;
	data++, n--;
	nl = memchr(data, '\n', n);
	hn = nl != NULL ? (size_t)(nl - (const char *)data) : n;
	if ((spec = malloc(n - hn + 1)) == NULL)
		abort();
	if (nl != NULL)
		memcpy(spec, nl + 1, n - hn - 1);
	spec[nl != NULL ? n - hn - 1 : 0] = '\0';
	fuzz_rt_begin();
	if (setjmp(fuzz_jmp) == 0) {
		header_init(&h, (const char *)data, hn);
		fieldlist_parse(&fl, spec, with_header ? &h : NULL, "-f");
		for (i = 0; i < fl.n; i++)
			if (fl.idx[i] >= fl.max || (with_header && fl.idx[i] >= h.names.n))
				abort();
		fieldlist_free(&fl);
		header_free(&h);
	} else if (fuzz_status != EXIT_USAGE)
		abort();
	fuzz_rt_end();
	free(spec);
	return 0;
}
