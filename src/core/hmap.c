/* The shared intrusive hash map (see hmap.h). */
#include "core/hmap.h"

#include <errno.h>
#include <stdlib.h>

static int hmap_grow(HMap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 16;
	HNode **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < m->nb; i++)
		for (HNode *n = m->b[i], *next; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

int hmap_insert(HMap *m, HNode *node, uint64_t hash)
{
	HNode **slot;

	if (m->n >= m->nb) {
		int r = hmap_grow(m);

		/* A full table still works, only slower: fail only when there is none at all. */
		if (r < 0 && !m->nb)
			return r;
	}
	node->hash = hash;
	slot = &m->b[hash & (m->nb - 1)];
	node->next = *slot;
	*slot = node;
	m->n++;
	return 0;
}

void hmap_remove(HMap *m, HNode *node)
{
	HNode **p = &m->b[node->hash & (m->nb - 1)];

	while (*p && *p != node)
		p = &(*p)->next;
	if (*p) {
		*p = node->next;
		node->next = NULL;
		m->n--;
	}
}

void hmap_clear(HMap *m)
{
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}
