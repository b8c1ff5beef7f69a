/*
 * stats.h - the --stats file every tool can write: TSV "tool metric value",
 * metrics in the order first set.  Values are exact integers or text; the
 * stats never influence a tool's output.
 */
#ifndef P07_STATS_H
#define P07_STATS_H

#include <stdint.h>

struct stat_row {
	char		*metric;
	char		*value;
};

struct stats {
	struct stat_row	*rows;
	size_t		 n, cap;
};

void	stats_u64(struct stats *st, const char *metric, uint64_t v);
void	stats_str(struct stats *st, const char *metric, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * Write to PATH; nothing when PATH is NULL.  Like every named output it is
 * renamed into place at exit together with the run's other outputs (out.h),
 * so a failure here leaves the tool's -o FILE and --rejects FILE untouched.
 */
void	stats_write(const struct stats *st, const char *path);
/* With --counters: Hadoop Streaming counter lines on stderr. */
void	stats_counters(const struct stats *st);

#endif
