/* One small intrusive hash map (chained, power-of-two buckets, grows at load 1), used
 * wherever a module indexes its objects, instead of a hand-rolled table per file. The caller
 * embeds an HNode in its struct, computes the hash (hmap_hash_*), and compares keys itself
 * while walking a bucket:
 *
 *	HNode *n;
 *	hmap_for_hash(&m, h, n) {
 *		Foo *f = container_of(n, Foo, node);
 *		if (f->key == key)
 *			return f;
 *	}
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct HNode {
	struct HNode *next;
	uint64_t hash;
} HNode;

typedef struct HMap {
	HNode **b;
	size_t nb; /* buckets: 0 or a power of two */
	size_t n;  /* nodes */
} HMap;

#define HMAP_INIT {0}

/* FNV-1a over bytes, chainable: start with HMAP_HASH_SEED. */
#define HMAP_HASH_SEED 1469598103934665603ull
static inline uint64_t hmap_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ull;
	return h;
}

static inline uint64_t hmap_hash_str(uint64_t h, const char *s)
{
	return hmap_hash_bytes(h, s, strlen(s) + 1);
}

/* A well-mixed hash of one integer (splitmix64's finalizer). */
static inline uint64_t hmap_hash_u64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Adds node with hash (duplicates allowed: lookups see the newest first). Returns 0, or
 * -ENOMEM when the table had to grow and could not (node is then not added). */
int hmap_insert(HMap *m, HNode *node, uint64_t hash);
/* Removes a node that is in the map. */
void hmap_remove(HMap *m, HNode *node);
/* Frees the bucket array (not the nodes) and empties the map. */
void hmap_clear(HMap *m);

static inline HNode *hmap_bucket(const HMap *m, uint64_t hash)
{
	return m->nb ? m->b[hash & (m->nb - 1)] : NULL;
}

/* Every node whose hash is h (the caller still compares keys). */
#define hmap_for_hash(m, h, node)                                                                  \
	for ((node) = hmap_bucket((m), (h)); (node); (node) = (node)->next)                        \
		if ((node)->hash == (h))

/* Every node; the body may remove the current node (the next one was read before). */
#define hmap_for_each(m, i, node, tmp)                                                             \
	for ((i) = 0; (i) < (m)->nb; (i)++)                                                        \
		for ((node) = (m)->b[(i)]; (node) && ((tmp) = (node)->next, 1); (node) = (tmp))
