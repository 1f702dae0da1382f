/* gRPC server reflection: answers ServerReflectionInfo requests from the FileDescriptorSet that
 * protoc built from the served .proto files (embedded at build time). Pure: no I/O. */
#include "rpc-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/status.h"
#include "grpc/reflection/v1/reflection.pb-c.h"

/* The oneof cases of the request and the response. */
#define REQ(x)	GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_##x
#define RESP(x) GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_##x

static const uint8_t descriptor_set[] = {
#include "rpc-descriptors.inc"
};

typedef struct ReflectFile {
	char *name;
	char *package;
	const uint8_t *data; /* a serialized FileDescriptorProto inside descriptor_set */
	size_t len;
} ReflectFile;

struct RpcReflect {
	ReflectFile *files;
	size_t nfiles;
	char **services; /* fully-qualified names */
	size_t nservices;
};

/* ---- a minimal protobuf wire reader, enough to walk descriptors */

typedef struct Pb {
	const uint8_t *p, *end;
} Pb;

typedef struct PbField {
	uint32_t num;
	const uint8_t *data; /* length-delimited fields only */
	size_t len;
} PbField;

static int pb_varint(Pb *r, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64 && r->p < r->end; shift += 7) {
		uint8_t b = *r->p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return 0;
		}
	}
	return -EBADMSG;
}

/* The next field: 1, 0 at the end, -EBADMSG when malformed. */
static int pb_next(Pb *r, PbField *f)
{
	uint64_t key, v;

	if (r->p >= r->end)
		return 0;
	if (pb_varint(r, &key) < 0)
		return -EBADMSG;
	f->num = (uint32_t)(key >> 3);
	f->data = NULL;
	f->len = 0;
	switch (key & 7) {
	case 0:
		return pb_varint(r, &v) < 0 ? -EBADMSG : 1;
	case 1:
		if (r->end - r->p < 8)
			return -EBADMSG;
		r->p += 8;
		return 1;
	case 2:
		if (pb_varint(r, &v) < 0 || v > (uint64_t)(r->end - r->p))
			return -EBADMSG;
		f->data = r->p;
		f->len = (size_t)v;
		r->p += v;
		return 1;
	case 5:
		if (r->end - r->p < 4)
			return -EBADMSG;
		r->p += 4;
		return 1;
	default:
		return -EBADMSG;
	}
}

static Pb pb_init(const uint8_t *msg, size_t len)
{
	return (Pb){ msg, msg + len };
}

/* The first length-delimited field num of a message (a descriptor's name). */
static bool pb_string(const uint8_t *msg, size_t len, uint32_t num, const uint8_t **ret,
		      size_t *ret_len)
{
	PbField f;

	for (Pb it = pb_init(msg, len); pb_next(&it, &f) > 0;)
		if (f.num == num && f.data) {
			*ret = f.data;
			*ret_len = f.len;
			return true;
		}
	return false;
}

static bool pb_name_is(const uint8_t *msg, size_t len, const char *want)
{
	const uint8_t *n;
	size_t nlen;

	return pb_string(msg, len, 1, &n, &nlen) && nlen == strlen(want) &&
	       memcmp(n, want, nlen) == 0;
}

/* ---- symbol lookup (descriptor.proto field numbers) */

typedef enum {
	SYM_NONE,
	SYM_MESSAGE,
	SYM_OTHER, /* service, method, enum, enum value, field, oneof, extension */
} SymKind;

/* Whether sym names the descriptor msg (whose name is field 1) or something inside it: 1 for
 * the descriptor itself, 2 with *rest set past "name.", 0 otherwise. */
static int sym_enters(const char *sym, const uint8_t *msg, size_t len, const char **rest)
{
	const uint8_t *n;
	size_t nlen;

	if (!pb_string(msg, len, 1, &n, &nlen) || strncmp(sym, (const char *)n, nlen) != 0)
		return 0;
	if (memchr(n, '\0', nlen))
		return 0;
	if (sym[nlen] == '\0')
		return 1;
	if (sym[nlen] != '.')
		return 0;
	*rest = sym + nlen + 1;
	return 2;
}

/* An enum (EnumDescriptorProto) in a scope defines its name and, C++-style, its values'
 * names in that same scope. */
static SymKind enum_lookup(const uint8_t *e, size_t len, const char *sym)
{
	PbField f;

	if (pb_name_is(e, len, sym))
		return SYM_OTHER;
	for (Pb it = pb_init(e, len); pb_next(&it, &f) > 0;)
		if (f.num == 2 && f.data && pb_name_is(f.data, f.len, sym))
			return SYM_OTHER;
	return SYM_NONE;
}

/* A DescriptorProto: fields (2), nested types (3), enums (4), extensions (6), oneofs (8). */
static SymKind message_lookup(const uint8_t *m, size_t len, const char *sym, unsigned depth)
{
	const char *rest;
	PbField f;
	SymKind k;

	switch (sym_enters(sym, m, len, &rest)) {
	case 1:
		return SYM_MESSAGE;
	case 2:
		break;
	default:
		return SYM_NONE;
	}
	if (depth > 32)
		return SYM_NONE;
	for (Pb it = pb_init(m, len); pb_next(&it, &f) > 0;) {
		if (!f.data)
			continue;
		if ((f.num == 2 || f.num == 6 || f.num == 8) && pb_name_is(f.data, f.len, rest))
			return SYM_OTHER;
		if (f.num == 3 && (k = message_lookup(f.data, f.len, rest, depth + 1)) != SYM_NONE)
			return k;
		if (f.num == 4 && enum_lookup(f.data, f.len, rest) != SYM_NONE)
			return SYM_OTHER;
	}
	return SYM_NONE;
}

/* A ServiceDescriptorProto: the service or one of its methods (2). */
static SymKind service_lookup(const uint8_t *s, size_t len, const char *sym)
{
	const char *rest;
	PbField f;

	switch (sym_enters(sym, s, len, &rest)) {
	case 1:
		return SYM_OTHER;
	case 2:
		for (Pb it = pb_init(s, len); pb_next(&it, &f) > 0;)
			if (f.num == 2 && f.data && pb_name_is(f.data, f.len, rest))
				return SYM_OTHER;
		return SYM_NONE;
	default:
		return SYM_NONE;
	}
}

/* A FileDescriptorProto: messages (4), enums (5), services (6), extensions (7), under its
 * package. */
static SymKind file_lookup(const ReflectFile *file, const char *sym)
{
	size_t plen = strlen(file->package);
	PbField f;
	SymKind k;

	if (plen) {
		if (strncmp(sym, file->package, plen) != 0 || sym[plen] != '.')
			return SYM_NONE;
		sym += plen + 1;
	}
	for (Pb it = pb_init(file->data, file->len); pb_next(&it, &f) > 0;) {
		if (!f.data)
			continue;
		if (f.num == 4 && (k = message_lookup(f.data, f.len, sym, 0)) != SYM_NONE)
			return k;
		if (f.num == 5 && enum_lookup(f.data, f.len, sym) != SYM_NONE)
			return SYM_OTHER;
		if (f.num == 6 && service_lookup(f.data, f.len, sym) != SYM_NONE)
			return SYM_OTHER;
		if (f.num == 7 && pb_name_is(f.data, f.len, sym))
			return SYM_OTHER;
	}
	return SYM_NONE;
}

static ssize_t find_symbol(const RpcReflect *r, const char *sym, SymKind *ret_kind)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		SymKind k = file_lookup(&r->files[i], sym);

		if (k != SYM_NONE) {
			*ret_kind = k;
			return (ssize_t)i;
		}
	}
	return -1;
}

static ssize_t find_file(const RpcReflect *r, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strlen(r->files[i].name) == len && memcmp(r->files[i].name, name, len) == 0)
			return (ssize_t)i;
	return -1;
}

/* ---- the index */

static char *strndup_pb(const uint8_t *p, size_t len)
{
	return strndup((const char *)p, len);
}

static int reflect_add_file(RpcReflect *r, const uint8_t *data, size_t len)
{
	ReflectFile *file = &r->files[r->nfiles];
	const uint8_t *s;
	size_t slen;
	PbField f;

	file->data = data;
	file->len = len;
	file->name = pb_string(data, len, 1, &s, &slen) ? strndup_pb(s, slen) : strdup("");
	file->package = pb_string(data, len, 2, &s, &slen) ? strndup_pb(s, slen) : strdup("");
	if (!file->name || !file->package) {
		free(file->name);
		free(file->package);
		return -ENOMEM;
	}
	r->nfiles++;
	for (Pb it = pb_init(data, len); pb_next(&it, &f) > 0;) {
		char **v, *name;

		if (f.num != 6 || !f.data || !pb_string(f.data, f.len, 1, &s, &slen))
			continue;
		v = realloc(r->services, (r->nservices + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->services = v;
		if (asprintf(&name, "%s%s%.*s", file->package, *file->package ? "." : "", (int)slen,
			     (const char *)s) < 0)
			return -ENOMEM;
		r->services[r->nservices++] = name;
	}
	return 0;
}

int rpc_reflect_new(RpcReflect **ret)
{
	RpcReflect *r = calloc(1, sizeof(*r));
	size_t n = 0;
	PbField f;
	int err;

	if (!r)
		return -ENOMEM;
	for (Pb it = pb_init(descriptor_set, sizeof(descriptor_set)); pb_next(&it, &f) > 0;)
		if (f.num == 1 && f.data)
			n++;
	r->files = calloc(n ? n : 1, sizeof(*r->files));
	if (!r->files) {
		free(r);
		return -ENOMEM;
	}
	for (Pb it = pb_init(descriptor_set, sizeof(descriptor_set)); pb_next(&it, &f) > 0;) {
		if (f.num != 1 || !f.data)
			continue;
		err = reflect_add_file(r, f.data, f.len);
		if (err < 0) {
			rpc_reflect_free(r);
			return err;
		}
	}
	*ret = r;
	return 0;
}

void rpc_reflect_free(RpcReflect *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].name);
		free(r->files[i].package);
	}
	for (size_t i = 0; i < r->nservices; i++)
		free(r->services[i]);
	free(r->services);
	free(r->files);
	free(r);
}

/* ---- answers */

/* The file first, then its transitive dependencies (field 3 of FileDescriptorProto), each
 * once: a client can build its descriptor pool from one answer. */
static size_t file_closure(const RpcReflect *r, size_t first, size_t *order, bool *seen)
{
	size_t n = 0;

	order[n++] = first;
	seen[first] = true;
	for (size_t i = 0; i < n; i++) {
		const ReflectFile *file = &r->files[order[i]];
		PbField f;

		for (Pb it = pb_init(file->data, file->len); pb_next(&it, &f) > 0;) {
			ssize_t dep;

			if (f.num != 3 || !f.data)
				continue;
			dep = find_file(r, f.data, f.len);
			if (dep >= 0 && !seen[dep]) {
				seen[dep] = true;
				order[n++] = (size_t)dep;
			}
		}
	}
	return n;
}

int rpc_reflect_answer(const RpcReflect *r, const uint8_t *req, size_t len, uint8_t **ret,
		       size_t *ret_len)
{
	Grpc__Reflection__V1__ServerReflectionRequest *rq;
	Grpc__Reflection__V1__ServerReflectionResponse resp =
		GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
	Grpc__Reflection__V1__ListServiceResponse list =
		GRPC__REFLECTION__V1__LIST_SERVICE_RESPONSE__INIT;
	Grpc__Reflection__V1__FileDescriptorResponse files =
		GRPC__REFLECTION__V1__FILE_DESCRIPTOR_RESPONSE__INIT;
	Grpc__Reflection__V1__ExtensionNumberResponse exts =
		GRPC__REFLECTION__V1__EXTENSION_NUMBER_RESPONSE__INIT;
	Grpc__Reflection__V1__ErrorResponse error = GRPC__REFLECTION__V1__ERROR_RESPONSE__INIT;
	_cleanup_free_ Grpc__Reflection__V1__ServiceResponse *svc = NULL;
	_cleanup_free_ Grpc__Reflection__V1__ServiceResponse **svcp = NULL;
	_cleanup_free_ ProtobufCBinaryData *fdp = NULL;
	_cleanup_free_ size_t *order = NULL;
	_cleanup_free_ bool *seen = NULL;
	char msg[512];
	ssize_t idx = -1;
	SymKind kind = SYM_NONE;
	uint8_t *out;
	size_t n;
	int err = 0;

	rq = grpc__reflection__v1__server_reflection_request__unpack(NULL, len, req);
	if (!rq)
		return -EBADMSG;
	resp.valid_host = rq->host;
	resp.original_request = rq;
	error.error_code = STATUS_NOT_FOUND;
	error.error_message = msg;

	switch (rq->message_request_case) {
	case REQ(LIST_SERVICES):
		svc = calloc(r->nservices + 1, sizeof(*svc));
		svcp = calloc(r->nservices + 1, sizeof(*svcp));
		if (!svc || !svcp) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < r->nservices; i++) {
			grpc__reflection__v1__service_response__init(&svc[i]);
			svc[i].name = r->services[i];
			svcp[i] = &svc[i];
		}
		list.n_service = r->nservices;
		list.service = svcp;
		resp.message_response_case = RESP(LIST_SERVICES_RESPONSE);
		resp.list_services_response = &list;
		break;
	case REQ(FILE_BY_FILENAME):
		idx = find_file(r, (const uint8_t *)rq->file_by_filename,
				strlen(rq->file_by_filename));
		snprintf(msg, sizeof(msg), "no file \"%.256s\"", rq->file_by_filename);
		break;
	case REQ(FILE_CONTAINING_SYMBOL):
		idx = find_symbol(r, rq->file_containing_symbol, &kind);
		snprintf(msg, sizeof(msg), "no symbol \"%.256s\"", rq->file_containing_symbol);
		break;
	case REQ(FILE_CONTAINING_EXTENSION): {
		const Grpc__Reflection__V1__ExtensionRequest *x = rq->file_containing_extension;

		/* The served files (proto3) declare no extensions. */
		snprintf(msg, sizeof(msg), "no extension %d of \"%.256s\"",
			 x ? x->extension_number : 0, x ? x->containing_type : "");
		break;
	}
	case REQ(ALL_EXTENSION_NUMBERS_OF_TYPE):
		if (find_symbol(r, rq->all_extension_numbers_of_type, &kind) >= 0 &&
		    kind == SYM_MESSAGE) {
			exts.base_type_name = rq->all_extension_numbers_of_type;
			resp.message_response_case = RESP(ALL_EXTENSION_NUMBERS_RESPONSE);
			resp.all_extension_numbers_response = &exts;
		}
		snprintf(msg, sizeof(msg), "no message type \"%.256s\"",
			 rq->all_extension_numbers_of_type);
		break;
	default:
		error.error_code = STATUS_INVALID_ARGUMENT;
		snprintf(msg, sizeof(msg), "empty reflection request");
		break;
	}
	if (idx >= 0) {
		order = calloc(r->nfiles, sizeof(*order));
		seen = calloc(r->nfiles, sizeof(*seen));
		fdp = calloc(r->nfiles, sizeof(*fdp));
		if (!order || !seen || !fdp) {
			err = -ENOMEM;
			goto out;
		}
		n = file_closure(r, (size_t)idx, order, seen);
		for (size_t i = 0; i < n; i++) {
			fdp[i].data = (uint8_t *)r->files[order[i]].data;
			fdp[i].len = r->files[order[i]].len;
		}
		files.n_file_descriptor_proto = n;
		files.file_descriptor_proto = fdp;
		resp.message_response_case = RESP(FILE_DESCRIPTOR_RESPONSE);
		resp.file_descriptor_response = &files;
	}
	if (resp.message_response_case == RESP(_NOT_SET)) {
		resp.message_response_case = RESP(ERROR_RESPONSE);
		resp.error_response = &error;
	}
	n = grpc__reflection__v1__server_reflection_response__get_packed_size(&resp);
	out = malloc(n ? n : 1);
	if (!out) {
		err = -ENOMEM;
		goto out;
	}
	grpc__reflection__v1__server_reflection_response__pack(&resp, out);
	*ret = out;
	*ret_len = n;
out:
	grpc__reflection__v1__server_reflection_request__free_unpacked(rq, NULL);
	return err;
}
