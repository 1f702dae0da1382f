/* nsringctl's one JSON writer: any protobuf-c message as JSON with the proto's field names,
 * driven by the descriptors (new fields appear without code here). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "core/macro.h"

/* Any message as one JSON object keyed by the proto field names (snake_case): enums by value
 * name, 64-bit integers as numbers, bytes as base64, only the set member of a oneof, unset
 * sub-messages left out. emit_defaults also prints zero/empty scalars and empty lists, so
 * every object of one type has the same keys. */
void ctl_print_json_message(FILE *f, const ProtobufCMessage *m, bool emit_defaults);

/* A list response's repeated field as a top-level array, then a newline. */
void ctl_json_array(FILE *f, ProtobufCMessage **items, size_t n);

/* A list response either way: with json its items as ctl_json_array(), else a header line
 * (header formatted with the arguments after it) and one row per item. */
typedef void (*CtlRowFn)(FILE *f, const ProtobufCMessage *item);
_printf_(6, 7) void ctl_print_list(FILE *f, bool json, ProtobufCMessage **items, size_t n,
				   CtlRowFn row, const char *header, ...);

/* --dry-run: {"method":"M","request":{...}} and a newline. */
void ctl_json_request(FILE *f, const char *method, const ProtobufCMessage *req);
