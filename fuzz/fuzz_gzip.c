/*
 * fuzz_gzip.c - the input layer (common/input.c): plain or gzip by magic,
 * multi-member, damaged streams.  Any bytes must end in data or in a
 * message, never in a crash, a hang or a read past a buffer.  The sha256 of
 * the raw bytes is taken too (INPUT_SHA256, input_drain).
 */
#include <stdlib.h>

#include "fuzz_rt.h"
#include "input.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static unsigned char buf[1 << 16];
	struct input *in;
	const char *path = fuzz_file(0, data, n);
	char hex[65];
	uint64_t total = 0;
	size_t got;

	fuzz_rt_begin();
	if (setjmp(fuzz_jmp) == 0) {
		in = input_open(path, INPUT_SHA256);
		while ((got = input_read(in, buf, sizeof(buf))) > 0)
			total += got;
		input_drain(in);
		input_sha256_hex(in, hex);
		if (!input_is_gzip(in) && total != n)
			abort();	/* a plain file comes out as it is */
		if (input_raw_bytes(in) != n)
			abort();
		input_close(in);
	}
	fuzz_rt_end();
	return 0;
}
