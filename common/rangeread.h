/*
 * rangeread.h - the lines of one byte range of a plain regular file, so that
 * several threads can each read their own part of a table (evidence-sum).
 * A line belongs to the range when it starts in it; the range should start
 * at a line start.  Lines are what tsv_next gives for the same bytes: no LF,
 * no CR before it, and the file's last line may lack its LF.  No BOM is
 * undone: a range does not hold the header.  The file descriptor stays the
 * caller's; it is read with pread(2), so the readers of a file share it.
 */
#ifndef P07_RANGEREAD_H
#define P07_RANGEREAD_H

#include <stddef.h>
#include <stdint.h>

#include "tsv.h"

struct rangeread {
	int		 fd;
	const char	*name;		/* for messages */
	uint64_t	 pos, end;	/* next byte to read; end of the range */
	char		*buf;
	size_t		 beg, len, cap;	/* buf[beg, len) is not returned yet */
	int		 eof;
	uint64_t	 line;		/* lines returned so far */
};

void	 rr_open(struct rangeread *rr, int fd, const char *name, uint64_t beg,
	    uint64_t end);
/* The next line of the range; 0 after its last.  Valid until the next call. */
int	 rr_next(struct rangeread *rr, struct slice *line);
/* File offset of the line rr_next gives next. */
uint64_t rr_tell(const struct rangeread *rr);
void	 rr_close(struct rangeread *rr);

#endif
