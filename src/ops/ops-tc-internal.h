/* What the traffic-control method files (ops-tc.c: create/delete; ops-tc-list.c: lists and
 * conversions to the API) share. */
#pragma once

#include "ops-internal.h"
#include "ops-tc.h"

typedef enum { TC_QDISC, TC_CLASS, TC_FILTER } TcObj;

/* A tc dump's results (qdiscs, classes or filters of one link, or every link). */
typedef struct TcDump {
	uint32_t ifindex; /* keep only this link's (0: all) */
	RtnlQdisc *q;
	RtnlTcStats *qs;
	size_t nq, capq, capqs;
	RtnlClass *c;
	RtnlTcStats *cs;
	size_t nc, capc, capcs;
	RtnlFilter *f;
	size_t nf, capf;
} TcDump;

/* Sends RTM_GETQDISC/GETTCLASS/GETTFILTER (filters: of parent) for ifindex, collected into d. */
OpNl *tc_dump(Op *op, TcObj obj, TcDump *d, uint32_t ifindex, uint32_t parent);
/* Real filters only: not a chain's head nor a u32 hash table. */
bool tc_filter_real(const RtnlFilter *f);

Nsring__V1__Qdisc *tc_qdisc_to_pb(Op *op, const RtnlQdisc *q, const RtnlTcStats *st);
Nsring__V1__TrafficClass *tc_class_to_pb(Op *op, const RtnlClass *c, const RtnlTcStats *st,
					 const char *link_name);
Nsring__V1__Filter *tc_filter_to_pb(Op *op, const RtnlFilter *f, const char *link_name);

extern const size_t ops_tc_scratch_size, ops_tc_list_scratch_size;
void ops_create_qdisc(Op *op);
void ops_delete_qdisc(Op *op);
void ops_list_qdiscs(Op *op);
void ops_create_class(Op *op);
void ops_delete_class(Op *op);
void ops_list_classes(Op *op);
void ops_create_filter(Op *op);
void ops_delete_filter(Op *op);
void ops_list_filters(Op *op);
