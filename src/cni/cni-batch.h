/* nsring-cni: building one nsringd Batch per CNI command and judging its results. */
#pragma once

#include "cni/cni.h"
#include "nsring/nsring.h"

#define CNI_BATCH_MAX 96

enum {
	CNI_OK_EXISTS = 1 << 0,	 /* ALREADY_EXISTS is success (the bridge, a gateway address) */
	CNI_OK_MISSING = 1 << 1, /* NOT_FOUND is success (deletes: DEL is idempotent) */
};

typedef struct CniBatch {
	Nsring__V1__BatchOp *ops[CNI_BATCH_MAX];
	unsigned flags[CNI_BATCH_MAX];
	char desc[CNI_BATCH_MAX][96];
	size_t n;
	void **allocs; /* everything the ops point to, freed by cni_batch_free() */
	size_t n_allocs, cap_allocs;
	bool oom;
	Nsring__V1__BatchResponse *resp;
} CniBatch;

void cni_batch_free(CniBatch *b);
/* A NamespaceRef by path; NULL for the daemon's own namespace. */
Nsring__V1__NamespaceRef *cni_batch_ns(CniBatch *b, const char *path);

/* Each returns the op's index in the batch, or -1 (too many ops, out of memory: run fails). */
int cni_op_create_bridge(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name, uint32_t mtu);
int cni_op_set_up(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name);
/* The MTU of an existing link (a veth's peer is created with the kernel default). */
int cni_op_set_mtu(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name, uint32_t mtu);
int cni_op_create_veth(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name,
		       const char *peer, Nsring__V1__NamespaceRef *peer_ns, const char *master,
		       uint32_t mtu);
int cni_op_add_addr(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *dev, const char *addr,
		    unsigned plen, unsigned flags);
int cni_op_add_route(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *dst, unsigned plen,
		     const char *gw, const char *dev, bool scope_link);
int cni_op_get_link(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name);
int cni_op_del_link(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name);

/* Sends the batch (CONTINUE mode: every op runs, pipelined per namespace) and checks every
 * result against its flags: the first failure becomes e. */
int cni_batch_run(CniCtx *ctx, CniBatch *b, CniError *e);
/* After a run: op i's result (NULL if i < 0). */
Nsring__V1__BatchResult *cni_batch_result(CniBatch *b, int i);
/* The link a GetLink or CreateLink op returned, or NULL. */
Nsring__V1__Link *cni_batch_link(CniBatch *b, int i);

/* A unary call's status made into a CNI error (UNAVAILABLE: try again later). */
int cni_nsr_err(CniError *e, const char *what, int r, const NsrStatus *st);
