/* nsringctl's command line: turns ip-style argv into one RPC (method, request message, response
 * descriptor, printer) without any I/O, so every grammar form is unit-tested. */
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
	int family;		 /* -4/-6: 4 or 6; 0 for both */
	uint64_t timeout_ns;	 /* --timeout SEC */

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

