/*
 * progress.c - draws the --progress line.  It writes only to stderr and only
 * when asked; output files never depend on it.
 */
#include <stdio.h>
#include <time.h>

#include "msg.h"
#include "progress.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
progress_start(struct progress *p, int on, int64_t total)
{
	p->on = on;
	p->total = total;
	p->tick = 0;
	if (on)
		p->start = p->last = now();
}

static void
draw(struct progress *p, double t, uint64_t rows, uint64_t bytes,
    uint64_t raw, const char *end)
{
	double secs = t - p->start, mb = bytes / 1e6;

	fprintf(stderr, "\r%s: %llu rows, %.1f MB, %.1f MB/s", progname,
	    (unsigned long long)rows, mb, secs > 0 ? mb / secs : 0.0);
	if (p->total > 0)
		fprintf(stderr, ", %.0f%%", 100.0 * raw / p->total);
	fputs(end, stderr);
	p->last = t;
}

void
progress_draw(struct progress *p, uint64_t rows, uint64_t bytes,
    uint64_t raw)
{
	double t = now();

	if (t - p->last >= 0.25)
		draw(p, t, rows, bytes, raw, "\033[K");
}

void
progress_end(struct progress *p, uint64_t rows, uint64_t bytes,
    uint64_t raw)
{
	if (p->on)
		draw(p, now(), rows, bytes, raw, "\033[K\n");
}
