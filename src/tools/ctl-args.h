/* nsringctl's argument helpers shared by every object's grammar: the parser cursor, keyword
 * matching, numbers, addresses and prefixes, interface and namespace names, and word tables. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"
#include "ctl.h"
#include "nsring/v1/nsring.pb-c.h"

typedef struct CtlParser {
	CtlCmd *cmd;
	int argc;
	char **argv;
	int i;
	Nsring__V1__NamespaceRef *ns; /* -n, or NULL for the daemon's own namespace */
} CtlParser;

/* A word and the value it stands for: one table per set of names serves both to parse and to
 * print, so each name is spelled once. Printing takes the first entry with the value, so an
 * alias goes after the name ip prints. */
typedef struct CtlWord {
	const char *word;
	int value;
} CtlWord;

/* The value of word (exact match), or -ENOENT. */
int ctl_word_value(const CtlWord *t, size_t n, const char *word, int *ret);
/* The first word for value, or NULL. */
const char *ctl_word_name(const CtlWord *t, size_t n, int value);
/* The table's words as "a, b, c" (for error messages), last_sep before the last one (", " or
 * " or "), in buf. */
const char *ctl_word_list(const CtlWord *t, size_t n, const char *last_sep, char *buf, size_t size);
/* A name or number for a uint32: the word for value, else the number in buf. */
const char *ctl_word_name_or_number(const CtlWord *t, size_t n, uint32_t value,
				    char buf[static 12]);
#define CTL_WORDS(t) (t), ARRAY_SIZE(t)

/* Sets cmd->error and returns -EINVAL (a usage error) / -ENOMEM. */
_printf_(2, 3) int ctl_fail(CtlCmd *cmd, const char *fmt, ...);
int ctl_oom(CtlCmd *cmd);

/* Zeroed memory freed by ctl_cmd_done(). */
void *ctl_alloc(CtlCmd *cmd, size_t size);
char *ctl_strndup(CtlCmd *cmd, const char *s, size_t n);

/* Allocates and initialises a protobuf-c message owned by cmd. */
#define CTL_NEW_MSG(cmd, type, init)                                                               \
	({                                                                                         \
		type *_m = ctl_alloc((cmd), sizeof(type));                                         \
		if (_m)                                                                            \
			init(_m);                                                                  \
		_m;                                                                                \
	})

/* ip's matches(): arg is a non-empty prefix of word. */
bool ctl_matches(const char *arg, const char *word);
bool ctl_streq(const char *a, const char *b);

/* The current word without / with consuming it; NULL at the end. */
const char *ctl_peek(CtlParser *p);
const char *ctl_next(CtlParser *p);
int ctl_unknown(CtlParser *p, const char *arg);
/* The value after keyword kw. */
int ctl_need(CtlParser *p, const char *kw, const char **ret);
/* Rejects anything after the command's arguments. */
int ctl_no_more(CtlParser *p);

int ctl_parse_u32(const char *s, uint32_t *ret);
int ctl_arg_u32(CtlParser *p, const char *kw, uint32_t max, uint32_t *ret);
/* The value after kw: a word of the table, or a number up to max. */
int ctl_arg_word(CtlParser *p, const char *kw, const CtlWord *t, size_t n, uint32_t max,
		 uint32_t *ret);

int ctl_check_ifname(CtlParser *p, const char *name);
int ctl_arg_ifname(CtlParser *p, const char *kw, const char **ret);
/* The rest of the words as `[dev] NAME` (*ret_name NULL without one); `type KIND` and
 * `master NAME` are taken only where ret_type / ret_master are given (link del takes ip's
 * ignored type, link show both). */
int ctl_parse_dev(CtlParser *p, const char **ret_name, const char **ret_type,
		  const char **ret_master);

/* NS: a name under the netns directory, an absolute nsfs path, or pid:N. */
int ctl_parse_nsref(CtlParser *p, const char *s, Nsring__V1__NamespaceRef **ret);

/* 4 or 6 for an IP address text, 0 if it is none. */
int ctl_ip_family(const char *s);
int ctl_arg_ip(CtlParser *p, const char *kw, const char **ret, int *ret_family);
/* ADDR[/PLEN]: the address (copied without the prefix length), its family and the length;
 * without one, the length is the full address (a host address or route, as in ip). */
int ctl_parse_prefix(CtlParser *p, const char *s, const char **ret_addr, uint32_t *ret_plen,
		     int *ret_family, bool *ret_has_plen);
/* A link-layer address "aa:bb:..": normalised to two lower-case hex digits per byte. */
int ctl_arg_lladdr(CtlParser *p, const char *kw, char **ret);

void ctl_set_namespace(CtlParser *p, Nsring__V1__NamespaceRef **field);
void ctl_set_call(CtlCmd *cmd, const char *method, ProtobufCMessage *req,
		  const ProtobufCMessageDescriptor *resp_desc, CtlPrintFn print);
/* The request of a unary call: a message of req_desc owned by cmd, its namespace field (when
 * it has one) set from -n, and the command set to call method and print the response with
 * print. NULL when out of memory. */
void *ctl_new_call(CtlParser *p, const char *method, const ProtobufCMessageDescriptor *req_desc,
		   const ProtobufCMessageDescriptor *resp_desc, CtlPrintFn print);
/* ctl_new_call() for Method, whose messages are nsring.v1.MethodRequest and MethodResponse
 * (snake: method in snake_case), so a call names its method once. */
#define CTL_NEW_CALL(p, Method, snake, print)                                                      \
	ctl_new_call((p), #Method, &nsring__v1__##snake##_request__descriptor,                     \
		     &nsring__v1__##snake##_response__descriptor, (print))

/* s, or "-" when it is empty. */
const char *ctl_or_dash(const char *s);
