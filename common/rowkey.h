/*
 * rowkey.h - the key of a row: the fields of a field list joined by TAB.
 * No field holds a TAB, so the joining is unambiguous.  For the tools that
 * look rows up by several fields (tsv-join, tsv-uniq).
 */
#ifndef P07_ROWKEY_H
#define P07_ROWKEY_H

#include "bytes.h"
#include "fieldlist.h"
#include "tsv.h"

/*
 * FL's fields of a row whose fields are FV.  When SPAN (fieldlist_is_span:
 * adjacent fields in order) the key is a slice of the row itself; else it
 * is built in SCRATCH and valid until SCRATCH's next use.
 */
struct slice	rowkey(const struct fieldlist *fl, int span,
		    const struct slice *fv, struct bytes *scratch);
/* Whether one of FL's fields of the row is \N, the null. */
int		rowkey_null(const struct fieldlist *fl, const struct slice *fv);

#endif
