/* A batch's name map: per namespace key, interface name -> ifindex learned from earlier link
 * answers (so later ops name links without a round trip), and the namespace an op opened for
 * that key (so later ops use it without reopening). */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "ops-internal.h"

/* The map's entry for a namespace key itself (no interface name contains '/'). */
#define NS_ENTRY "/"

typedef struct NameEntry {
	HNode node;
	const char *key;
	char name[IFNAMSIZ];
	uint32_t index;	 /* 0: forgotten (deleted, renamed) */
	uint32_t writer; /* the op (batch position) that wrote it last: older answers lose */
	Netns *ns;
	/* Learned with index from a full link answer (op_link_learn()): its kind, and for a vxlan
	 * the family of its local address (what an FDB entry's remote must match). */
	bool kind_known;
	char kind[16];
	uint8_t local_family;
} NameEntry;

static uint64_t name_hash(const char *key, const char *name)
{
	return hmap_hash_str(hmap_hash_str(HMAP_HASH_SEED, key), name);
}

static NameEntry *name_find(NameMap *nm, const char *key, const char *name, bool insert)
{
	uint64_t h = name_hash(key, name);
	NameEntry *e;
	HNode *n;

	hmap_for_hash(&nm->m, h, n) {
		e = container_of(n, NameEntry, node);
		if (strcmp(e->key, key) == 0 && strcmp(e->name, name) == 0)
			return e;
	}
	if (!insert)
		return NULL;
	e = op_alloc(nm->arena, sizeof(*e));
	e->key = key;
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (hmap_insert(&nm->m, &e->node, h) < 0)
		return NULL; /* not remembered: later ops look the link up */
	return e;
}

void name_map_init(NameMap *nm, Op *arena)
{
	*nm = (NameMap){ .m = HMAP_INIT, .arena = arena };
}

void name_map_release(NameMap *nm)
{
	HNode *n, *tmp;
	size_t i;

	hmap_for_each(&nm->m, i, n, tmp) {
		NameEntry *e = container_of(n, NameEntry, node);

		if (e->ns)
			netns_unref(e->ns);
		e->ns = NULL;
	}
	hmap_clear(&nm->m);
}

static NameMap *op_names(Op *op, unsigned slot)
{
	if (!op->batch || slot > 1 || !op->ns_key[slot])
		return NULL;
	return batch_names(op->batch);
}

bool op_index_lookup(Op *op, unsigned slot, const char *name, uint32_t *ret_index)
{
	NameMap *nm;
	NameEntry *e;

	if (strcmp(name, "lo") == 0) {
		*ret_index = 1; /* the loopback device is ifindex 1 in every namespace */
		return true;
	}
	nm = op_names(op, slot);
	if (!nm)
		return false;
	e = name_find(nm, op->ns_key[slot], name, false);
	if (!e || !e->index)
		return false;
	*ret_index = e->index;
	return true;
}

void op_index_learn(Op *op, unsigned slot, const char *name, uint32_t index)
{
	NameMap *nm = op_names(op, slot);
	NameEntry *e;

	if (!nm || !name[0] || strlen(name) >= IFNAMSIZ)
		return;
	e = name_find(nm, op->ns_key[slot], name, true);
	/* With pipelining a late answer of an earlier op may arrive after a later op renamed or
	 * deleted the link: the later write wins. */
	if (!e || e->writer > op->seq)
		return;
	e->index = index;
	e->writer = op->seq;
	e->kind_known = false; /* until op_link_learn() says */
}

void op_link_learn(Op *op, unsigned slot, const RtnlLink *l)
{
	NameMap *nm = op_names(op, slot);
	NameEntry *e;

	op_index_learn(op, slot, l->name, l->index);
	if (!nm || !l->name[0] || strlen(l->name) >= IFNAMSIZ)
		return;
	e = name_find(nm, op->ns_key[slot], l->name, false);
	if (!e || e->writer != op->seq || e->index != l->index ||
	    strlen(l->kind) >= sizeof(e->kind))
		return;
	memcpy(e->kind, l->kind, strlen(l->kind) + 1);
	e->local_family = strcmp(l->kind, "vxlan") == 0 ? l->info.vxlan.local.family : 0;
	e->kind_known = true;
}

bool op_link_kind_lookup(Op *op, unsigned slot, const char *name, uint32_t *ret_index,
			 const char **ret_kind, uint8_t *ret_local_family)
{
	NameMap *nm = op_names(op, slot);
	NameEntry *e;

	if (!nm)
		return false;
	e = name_find(nm, op->ns_key[slot], name, false);
	if (!e || !e->index || !e->kind_known)
		return false;
	*ret_index = e->index;
	*ret_kind = e->kind;
	*ret_local_family = e->local_family;
	return true;
}

void op_index_forget(Op *op, unsigned slot, const char *name)
{
	NameMap *nm = op_names(op, slot);
	NameEntry *e;

	if (!nm || !name)
		return;
	e = name_find(nm, op->ns_key[slot], name, true);
	if (!e || e->writer > op->seq)
		return;
	e->index = 0; /* kept: its writer still orders later answers */
	e->kind_known = false;
	e->writer = op->seq;
}

Netns *batch_ns_cached(Op *op, const char *key)
{
	NameEntry *e;

	if (!op->batch || !key)
		return NULL;
	e = name_find(batch_names(op->batch), key, NS_ENTRY, false);
	/* Closed (deleted, gone): reopen by the reference. */
	if (!e || !e->ns || !e->ns->reg || !e->ns->priv)
		return NULL;
	return e->ns;
}

void batch_ns_remember(Op *op, const char *key, Netns *ns)
{
	NameEntry *e;

	if (!op->batch || !key)
		return;
	e = name_find(batch_names(op->batch), key, NS_ENTRY, true);
	if (!e || e->ns == ns)
		return;
	if (e->ns)
		netns_unref(e->ns);
	e->ns = netns_ref(ns);
}
