/* Growable byte buffers: one growth rule for every send/receive buffer in the tree. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes *data (capacity *cap) hold at least need bytes, doubling from initial. On -ENOMEM
 * the buffer is left as it was. */
static inline int buf_grow(uint8_t **data, size_t *cap, size_t need, size_t initial)
{
	size_t c;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap : initial;
	while (c < need)
		c *= 2;
	p = realloc(*data, c);
	if (!p)
		return -ENOMEM;
	*data = p;
	*cap = c;
	return 0;
}
