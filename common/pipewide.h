/*
 * pipewide.h - widen a pipe to the size of the buffers the tools move.
 */
#ifndef P07_PIPEWIDE_H
#define P07_PIPEWIDE_H

/*
 * When FD is a pipe or FIFO, ask the kernel to hold 1 MiB in it instead of
 * the default 64 KiB.  Advice only: silent where the kernel says no (an
 * older kernel, a lower /proc/sys/fs/pipe-max-size, the user's pipe quota
 * spent), and a no-op on anything else.
 */
void	pipe_widen(int fd);

#endif
