/*
 * fuzz_rt.h - what lets a p07 tool or common/ function run many times in one
 * libFuzzer process: exit() jumps back to the harness, and whatever the run
 * allocated or opened is released after it.  Fuzz builds only.
 */
#ifndef P07_FUZZ_RT_H
#define P07_FUZZ_RT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* The code under test is compiled with -Dexit=fuzz_exit, -Dmalloc=fuzz_malloc ... */
extern jmp_buf	fuzz_jmp;
extern int	fuzz_status;

void	fuzz_rt_begin(void);	/* before a run: note open fds */
void	fuzz_rt_end(void);	/* after it: free its memory, close its fds */
/* Write DATA to a private temporary file (one per SLOT) and return its path. */
const char *fuzz_file(int slot, const uint8_t *data, size_t n);

#endif
