/* nsringctl's command line: turns ip-style argv into one RPC (method, request message, response
 * descriptor, printer) without any I/O, so every grammar form is unit-tested; and the printers
 * of the responses. One file per object (ctl-netns.c, ctl-link.c...) holds both. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* Prints a response: text tables, or one JSON document when json is set. */
typedef int (*CtlPrintFn)(FILE *f, const ProtobufCMessage *resp, bool json);

typedef struct CtlCmd {
	/* Global options. */
	const char *socket_path; /* -s/--socket; NULL: $NSRING_SOCKET or the default */
	bool json;		 /* -j */
	bool dry_run;		 /* --dry-run: print the request as JSON, call nothing */
	bool ensure;		 /* --ensure: the request's ensure field (safe to resend) */
	int family;		 /* -4/-6: 4 or 6; 0 for both */
	uint64_t timeout_ns;	 /* --timeout SEC */
	bool stats;		 /* -s/-stats before an object (ip's), --stats */
	bool details;		 /* -d/-details */

	/* The call. */
	const char *method; /* rpc name, e.g. "CreateLink" */
	ProtobufCMessage *req;
	const ProtobufCMessageDescriptor *resp_desc;
	CtlPrintFn print;
	/* A server stream (monitor): resp_desc and print are for each message. */
	bool stream;

	/* Why ctl_parse() failed, without the "Error: " prefix. */
	char error[512];

	/* Every message and string the request points to, except argv's own strings. */
	void **allocs;
	size_t n_allocs, alloc_cap;
} CtlCmd;

#define CTL_DEFAULT_TIMEOUT_NS (60ull * 1000000000ull)

enum {
	CTL_PARSE_OK = 0,
	CTL_PARSE_HELP = 1, /* -h/--help/help: print ctl_usage() and exit 0 */
};

/* Parses argv (argv[0] is the program name). Returns CTL_PARSE_OK, CTL_PARSE_HELP, or a
 * negative errno with cmd->error set (-EINVAL: a usage error). The request keeps pointers into
 * argv, which must outlive cmd. Call ctl_cmd_done() in every case. */
int ctl_parse(int argc, char **argv, CtlCmd *cmd);
void ctl_cmd_done(CtlCmd *cmd);
void ctl_usage(FILE *f);

/* Printers for CtlCmd.print; each takes the method's response message. No I/O besides the
 * FILE*, so tests print constructed messages. */
int ctl_print_namespaces(FILE *f, const ProtobufCMessage *resp, bool json);  /* List */
int ctl_print_links(FILE *f, const ProtobufCMessage *resp, bool json);	     /* ListLinks */
int ctl_print_link(FILE *f, const ProtobufCMessage *resp, bool json);	     /* GetLink */
int ctl_print_addresses(FILE *f, const ProtobufCMessage *resp, bool json);   /* ListAddresses */
int ctl_print_routes(FILE *f, const ProtobufCMessage *resp, bool json);	     /* ListRoutes */
int ctl_print_sysctls(FILE *f, const ProtobufCMessage *resp, bool json);     /* Get/SetSysctl */
int ctl_print_qdiscs(FILE *f, const ProtobufCMessage *resp, bool json);	     /* ListQdiscs */
int ctl_print_classes(FILE *f, const ProtobufCMessage *resp, bool json);     /* ListClasses */
int ctl_print_filters(FILE *f, const ProtobufCMessage *resp, bool json);     /* ListFilters */
int ctl_print_neighbors(FILE *f, const ProtobufCMessage *resp, bool json);   /* ListNeighbors */
int ctl_print_fdb_entries(FILE *f, const ProtobufCMessage *resp, bool json); /* ListFdbEntries */
int ctl_print_route_get(FILE *f, const ProtobufCMessage *resp, bool json);  /* GetRoute */
int ctl_print_rules(FILE *f, const ProtobufCMessage *resp, bool json);	    /* ListRules */
int ctl_print_nexthops(FILE *f, const ProtobufCMessage *resp, bool json);   /* ListNexthops */
/* Watch (monitor), once per WatchEvent: a line as ip monitor prints it ("[NS] " first when the
 * event names its namespace; "Deleted " before removed objects), or one JSON object a line. */
int ctl_print_watch_event(FILE *f, const ProtobufCMessage *event, bool json);
/* Netlink: every reply message, decoded header (type name, error, ext-ack text) and hex. */
int ctl_print_netlink(FILE *f, const ProtobufCMessage *resp, bool json);
/* Create/Update/Delete: silent in text mode, like ip; in JSON the created or changed
 * resource when the response holds one, else {}. */
int ctl_print_created(FILE *f, const ProtobufCMessage *resp, bool json);

/* Names as ip prints them ("main", "link", "static"); a number when there is none. buf
 * holds the number and must have room for 11 bytes. */
const char *ctl_route_table_name(uint32_t table, char buf[static 12]);
const char *ctl_route_scope_name(uint32_t scope, char buf[static 12]);
const char *ctl_route_proto_name(uint32_t proto, char buf[static 12]);
