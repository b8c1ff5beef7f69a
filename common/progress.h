/*
 * progress.h - the --progress meter: one self-overwriting line on stderr
 * (rows, MB, MB/s, % of the input when its size is known), redrawn at most
 * four times a second.  It reads the clock only for this line.
 */
#ifndef P07_PROGRESS_H
#define P07_PROGRESS_H

#include <stdint.h>

struct progress {
	int		 on;
	int64_t		 total;		/* raw input size, -1 unknown */
	double		 start, last;
	uint32_t	 tick;
};

void	progress_start(struct progress *p, int on, int64_t total);
void	progress_draw(struct progress *p, uint64_t rows, uint64_t bytes,
	    uint64_t raw);

/* Cheap to call per row: looks at the clock every 64 Ki calls. */
static inline void
progress_row(struct progress *p, uint64_t rows, uint64_t bytes,
    uint64_t raw)
{
	if (p->on && (++p->tick & 0xffff) == 0)
		progress_draw(p, rows, bytes, raw);
}
void	progress_end(struct progress *p, uint64_t rows, uint64_t bytes,
	    uint64_t raw);

#endif
