/* nsringctl's output: readable tables, or JSON with the proto's field names, from response
 * messages; no I/O besides the FILE*, so tests print constructed messages. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* Any message as one JSON object keyed by the proto field names (snake_case): enums by value
 * name, 64-bit integers as numbers, bytes as base64, only the set member of a oneof, unset
 * sub-messages left out. emit_defaults also prints zero/empty scalars and empty lists, so
 * every object of one type has the same keys. */
void ctl_print_json_message(FILE *f, const ProtobufCMessage *m, bool emit_defaults);

/* Printers for CtlCmd.print; each takes the method's response message. */
int ctl_print_namespaces(FILE *f, const ProtobufCMessage *resp, bool json); /* List */
int ctl_print_links(FILE *f, const ProtobufCMessage *resp, bool json);	    /* ListLinks */
int ctl_print_link(FILE *f, const ProtobufCMessage *resp, bool json);	    /* GetLink */
int ctl_print_addresses(FILE *f, const ProtobufCMessage *resp, bool json);  /* ListAddresses */
int ctl_print_routes(FILE *f, const ProtobufCMessage *resp, bool json);	    /* ListRoutes */
/* Watch (monitor), once per WatchEvent: a line as ip monitor prints it ("[NS] " first when the
 * event names its namespace; "Deleted " before removed objects), or one JSON object a line. */
int ctl_print_watch_event(FILE *f, const ProtobufCMessage *event, bool json);
/* Create/Update/Delete: silent in text mode, like ip; in JSON the created or changed
 * resource when the response holds one, else {}. */
int ctl_print_created(FILE *f, const ProtobufCMessage *resp, bool json);

/* Names as ip prints them ("main", "link", "static"); a number when there is none. buf
 * holds the number and must have room for 11 bytes. */
const char *ctl_route_table_name(uint32_t table, char buf[static 12]);
const char *ctl_route_scope_name(uint32_t scope, char buf[static 12]);
const char *ctl_route_proto_name(uint32_t proto, char buf[static 12]);
