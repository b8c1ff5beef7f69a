/*
 * fieldscan.h - the leading fields of a TSV line and the count of all its
 * fields, in one pass: 32 bytes per step (AVX2 or SSE2), no call per
 * field.  For a tool that needs a few fields of a wide row but must check
 * its width.  It never copies or allocates.
 */
#ifndef P07_FIELDSCAN_H
#define P07_FIELDSCAN_H

#include <stddef.h>

#include "tsv.h"

/*
 * Set F[0..NEED) to the first NEED fields of the line P[0..N) (no LF);
 * return how many fields the whole line has.  A line with fewer fields
 * sets only those.  F has room for NEED slices.
 */
size_t	fields_lead(const char *p, size_t n, struct slice *f, size_t need);

#endif
