/*
 * tsv.h - records from one or more inputs: LF-ended lines (CRLF and a BOM
 * undone), the header of each file checked against the first, and fields
 * split on TAB.  Lines point into the reader's buffer; nothing is copied.
 */
#ifndef P07_TSV_H
#define P07_TSV_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"

struct slice {
	const char	*p;
	size_t		 n;
};

struct fields {
	struct slice	*f;
	size_t		 n, cap;
};

#define TSV_HEADER	0x100	/* first line of every file is a header */

struct tsv_in {
	char		**paths;	/* NULL-terminated; empty means stdin */
	size_t		 npaths, next;
	int		 flags;
	struct input	*in;		/* the current file */
	const char	*name;		/* its name, for messages */
	uint64_t	 line;		/* line number of the last line read */
	char		*buf;
	size_t		 beg, end, cap;
	int		 eof;
	uint64_t	 bytes;		/* uncompressed bytes of all files */
	uint64_t	 raw_bytes;	/* raw bytes of finished files */
	char		*header;	/* copy of the first file's header */
	size_t		 header_len;
	void		(*on_file_end)(struct tsv_in *, void *);
	void		*cb_arg;
};

/*
 * Open the files (NPATHS == 0: stdin).  FLAGS: TSV_HEADER and the INPUT_*
 * flags.  With TSV_HEADER the first file's header is read at once.
 */
void	tsv_open(struct tsv_in *t, char **paths, size_t npaths, int flags);
/* Next data line without its LF (and CR); 0 when every file is done. */
int	tsv_next(struct tsv_in *t, struct slice *line);

/*
 * Block access, for a tool that scans many lines at once.  tsv_peek sets
 * BLK to the complete lines buffered for the current file from the next
 * unread one on, LF included (CRs and all), reading more when none is
 * whole.  It returns
 * 0 where tsv_next must take over: the file's first line (a BOM), its last
 * line when that has no LF, and the change to the next file.  tsv_skip
 * consumes the first NLINES lines of the block, NBYTES in all.
 */
int	tsv_peek(struct tsv_in *t, struct slice *blk);
void	tsv_skip(struct tsv_in *t, size_t nbytes, uint64_t nlines);
void	tsv_close(struct tsv_in *t);

/* Split LINE on TAB into FV; returns the field count. */
size_t	tsv_split(struct fields *fv, const char *p, size_t n);
void	fields_free(struct fields *fv);

/* 1 when the slice equals the NUL-terminated string S. */
int	slice_eq(struct slice s, const char *str);

#endif
