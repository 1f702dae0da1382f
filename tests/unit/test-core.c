/* Unit tests of src/core: the shared name rules and the intrusive hash map. */
#include <stdint.h>
#include <stdlib.h>

#include "../common/check.h"
#include "core/hmap.h"
#include "core/macro.h"
#include "core/names.h"

typedef struct Item {
	HNode node;
	uint64_t key;
} Item;

static Item *find(HMap *m, uint64_t key)
{
	uint64_t h = hmap_hash_u64(key);
	HNode *n;

	hmap_for_hash(m, h, n)
	{
		Item *it = container_of(n, Item, node);

		if (it->key == key)
			return it;
	}
	return NULL;
}

static void test_hmap(void)
{
	enum { N = 5000 };
	HMap m = HMAP_INIT;
	Item *items = calloc(N, sizeof(*items));
	HNode *n, *tmp;
	size_t i, seen = 0;

	current_test = "hmap";
	CHECK(find(&m, 1) == NULL); /* an empty map has no buckets */
	for (i = 0; i < N; i++) {
		items[i].key = i * 7919;
		CHECK_EQ(hmap_insert(&m, &items[i].node, hmap_hash_u64(items[i].key)), 0);
	}
	CHECK_EQ(m.n, N);
	CHECK(m.nb >= N); /* it grew */
	for (i = 0; i < N; i++)
		CHECK(find(&m, i * 7919) == &items[i]);
	CHECK(find(&m, 3) == NULL);
	/* Remove every other one while iterating. */
	hmap_for_each(&m, i, n, tmp)
	{
		Item *it = container_of(n, Item, node);

		seen++;
		if (it->key % 2 == 0)
			hmap_remove(&m, n);
	}
	CHECK_EQ(seen, N);
	CHECK_EQ(m.n, N / 2);
	for (i = 0; i < N; i++)
		CHECK((find(&m, i * 7919) != NULL) == ((i * 7919) % 2 == 1));
	CHECK(hmap_hash_str(HMAP_HASH_SEED, "a") != hmap_hash_str(HMAP_HASH_SEED, "b"));
	CHECK(hmap_hash_bytes(HMAP_HASH_SEED, "ab", 2) ==
	      hmap_hash_bytes(hmap_hash_bytes(HMAP_HASH_SEED, "a", 1), "b", 1));
	hmap_clear(&m);
	CHECK(m.nb == 0 && m.n == 0 && find(&m, 7919) == NULL);
	free(items);
}

static void test_names(void)
{
	current_test = "names";
	CHECK(name_ifname_valid("eth0") && name_ifname_valid("123456789012345"));
	CHECK(!name_ifname_valid(NULL) && !name_ifname_valid("") && !name_ifname_valid("."));
	CHECK(!name_ifname_valid("1234567890123456") && !name_ifname_valid("a/b"));
	CHECK(!name_ifname_valid("a:b") && !name_ifname_valid("a b") && !name_ifname_valid("a\tb"));
	CHECK(!name_ifname_valid("a\xa0" "b")); /* the kernel's Latin-1 isspace() */
	CHECK(name_netns_valid("blue") && name_netns_valid("a b") && name_netns_valid("a:b"));
	CHECK(!name_netns_valid(NULL) && !name_netns_valid("") && !name_netns_valid(".."));
	CHECK(!name_netns_valid("a/b") && !name_netns_valid("a\nb") && !name_netns_valid("a\x7f"));
	{
		char name[257];

		memset(name, 'x', 256);
		name[256] = '\0';
		CHECK(!name_netns_valid(name));
		name[255] = '\0';
		CHECK(name_netns_valid(name));
	}
}

int main(void)
{
	test_hmap();
	test_names();
	printf("core: all tests passed\n");
	return 0;
}
