/* nsringctl's one JSON writer (ctl-json.h): a generic encoder driven by protobuf-c
 * descriptors, so the keys are the proto's field names; lists, requests and mutation answers. */
#include "ctl-json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* Length of the valid UTF-8 sequence at s, or 0: JSON must be UTF-8, and interface names
 * are arbitrary bytes. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void json_string(FILE *f, const char *str)
{
	/* The characters JSON spells as a backslash and a letter. */
	static const char short_escape[] = {
		['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	};
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	fputc('"', f);
	while (*s) {
		size_t n;

		if (*s < sizeof(short_escape) && short_escape[*s]) {
			fputc('\\', f);
			fputc(short_escape[*s], f);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
		} else if ((n = utf8_len(s)) == 0) {
			fputs("\\ufffd", f); /* a stray byte: the replacement character */
		} else {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

static void json_base64(FILE *f, const ProtobufCBinaryData *b)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	fputc('"', f);
	for (size_t i = 0; i < b->len; i += 3) {
		uint32_t v = (uint32_t)b->data[i] << 16;
		size_t left = b->len - i;

		if (left > 1)
			v |= (uint32_t)b->data[i + 1] << 8;
		if (left > 2)
			v |= b->data[i + 2];
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(left > 1 ? tab[v >> 6 & 63] : '=', f);
		fputc(left > 2 ? tab[v & 63] : '=', f);
	}
	fputc('"', f);
}

static void json_double(FILE *f, double d, const char *fmt)
{
	/* JSON has no NaN or infinities; proto3's JSON mapping spells them as strings. */
	if (isnan(d))
		fputs("\"NaN\"", f);
	else if (isinf(d))
		fputs(d > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
	else
		fprintf(f, fmt, d);
}

/* How a field's value is stored in the C message: the one place the proto types are grouped. */
typedef enum JsonRep {
	REP_I32,
	REP_U32,
	REP_I64,
	REP_U64,
	REP_FLOAT,
	REP_DOUBLE,
	REP_BOOL,
	REP_ENUM,
	REP_STRING,
	REP_BYTES,
	REP_MESSAGE,
} JsonRep;

static const struct {
	JsonRep rep;
	size_t size; /* of one element of a repeated field */
} field_reps[] = {
	[PROTOBUF_C_TYPE_INT32] = { REP_I32, 4 },
	[PROTOBUF_C_TYPE_SINT32] = { REP_I32, 4 },
	[PROTOBUF_C_TYPE_SFIXED32] = { REP_I32, 4 },
	[PROTOBUF_C_TYPE_UINT32] = { REP_U32, 4 },
	[PROTOBUF_C_TYPE_FIXED32] = { REP_U32, 4 },
	[PROTOBUF_C_TYPE_INT64] = { REP_I64, 8 },
	[PROTOBUF_C_TYPE_SINT64] = { REP_I64, 8 },
	[PROTOBUF_C_TYPE_SFIXED64] = { REP_I64, 8 },
	[PROTOBUF_C_TYPE_UINT64] = { REP_U64, 8 },
	[PROTOBUF_C_TYPE_FIXED64] = { REP_U64, 8 },
	[PROTOBUF_C_TYPE_FLOAT] = { REP_FLOAT, 4 },
	[PROTOBUF_C_TYPE_DOUBLE] = { REP_DOUBLE, 8 },
	[PROTOBUF_C_TYPE_BOOL] = { REP_BOOL, sizeof(protobuf_c_boolean) },
	[PROTOBUF_C_TYPE_ENUM] = { REP_ENUM, 4 },
	[PROTOBUF_C_TYPE_STRING] = { REP_STRING, sizeof(char *) },
	[PROTOBUF_C_TYPE_BYTES] = { REP_BYTES, sizeof(ProtobufCBinaryData) },
	[PROTOBUF_C_TYPE_MESSAGE] = { REP_MESSAGE, sizeof(ProtobufCMessage *) },
};

/* Whether the value at p is the proto3 default (left out unless emit_defaults). */
static bool value_is_default(const ProtobufCFieldDescriptor *fd, const void *p)
{
	switch (field_reps[fd->type].rep) {
	case REP_I32:
	case REP_U32:
	case REP_ENUM:
		return *(const uint32_t *)p == 0;
	case REP_I64:
	case REP_U64:
		return *(const uint64_t *)p == 0;
	case REP_FLOAT:
		return *(const float *)p == 0;
	case REP_DOUBLE:
		return *(const double *)p == 0;
	case REP_BOOL:
		return !*(const protobuf_c_boolean *)p;
	case REP_STRING:
		return !*(char *const *)p || !**(char *const *)p;
	case REP_BYTES:
		return ((const ProtobufCBinaryData *)p)->len == 0;
	case REP_MESSAGE:
		return !*(ProtobufCMessage *const *)p;
	}
	return true;
}

static void json_value(FILE *f, const ProtobufCFieldDescriptor *fd, const void *p,
		       bool emit_defaults)
{
	switch (field_reps[fd->type].rep) {
	case REP_I32:
		fprintf(f, "%" PRId32, *(const int32_t *)p);
		break;
	case REP_U32:
		fprintf(f, "%" PRIu32, *(const uint32_t *)p);
		break;
	case REP_I64:
		fprintf(f, "%" PRId64, *(const int64_t *)p);
		break;
	case REP_U64:
		fprintf(f, "%" PRIu64, *(const uint64_t *)p);
		break;
	case REP_FLOAT:
		json_double(f, *(const float *)p, "%.9g");
		break;
	case REP_DOUBLE:
		json_double(f, *(const double *)p, "%.17g");
		break;
	case REP_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", f);
		break;
	case REP_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(fd->descriptor, v);

		if (ev)
			json_string(f, ev->name);
		else
			fprintf(f, "%d", v);
		break;
	}
	case REP_STRING:
		json_string(f, *(char *const *)p);
		break;
	case REP_BYTES:
		json_base64(f, p);
		break;
	case REP_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;

		if (sub)
			ctl_print_json_message(f, sub, emit_defaults);
		else
			fputs("null", f);
		break;
	}
	}
}

void ctl_print_json_message(FILE *f, const ProtobufCMessage *m, bool emit_defaults)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	bool first = true;

	fputc('{', f);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const void *p = base + fd->offset;

		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			/* Only the member the case names; its default value still counts as set. */
			if (*(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
				continue;
			if (fd->type == PROTOBUF_C_TYPE_MESSAGE && !*(ProtobufCMessage *const *)p)
				continue;
		} else if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			const char *arr = *(char *const *)p;
			size_t sz = field_reps[fd->type].size;

			if (n == 0 && !emit_defaults)
				continue;
			fprintf(f, "%s\"%s\":[", first ? "" : ",", fd->name);
			for (size_t k = 0; k < n; k++) {
				if (k)
					fputc(',', f);
				json_value(f, fd, arr + k * sz, emit_defaults);
			}
			fputc(']', f);
			first = false;
			continue;
		} else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
			   fd->type != PROTOBUF_C_TYPE_MESSAGE &&
			   fd->type != PROTOBUF_C_TYPE_STRING) {
			/* proto2-style has_ flag. */
			if (!*(const protobuf_c_boolean *)(base + fd->quantifier_offset))
				continue;
		} else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (!*(ProtobufCMessage *const *)p)
				continue;
		} else if (!emit_defaults && value_is_default(fd, p)) {
			continue;
		}
		fprintf(f, "%s\"%s\":", first ? "" : ",", fd->name);
		json_value(f, fd, p, emit_defaults);
		first = false;
	}
	fputc('}', f);
}

void ctl_json_array(FILE *f, ProtobufCMessage **items, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		ctl_print_json_message(f, items[i], true);
	}
	fputs("]\n", f);
}

void ctl_print_list(FILE *f, bool json, ProtobufCMessage **items, size_t n, CtlRowFn row,
		    const char *header, ...)
{
	va_list ap;

	if (json) {
		ctl_json_array(f, items, n);
		return;
	}
	va_start(ap, header);
	vfprintf(f, header, ap);
	va_end(ap);
	for (size_t i = 0; i < n; i++)
		row(f, items[i]);
}

void ctl_json_request(FILE *f, const char *method, const ProtobufCMessage *req)
{
	fprintf(f, "{\"method\":\"%s\",\"request\":", method);
	ctl_print_json_message(f, req, false);
	fprintf(f, "}\n");
}

/* Mutations print JSON only: the one place they write anything. */
/* The response's already_done (field 15), set by an operation with ensure that found its
 * work done. */
static bool ensure_resp_done(const ProtobufCMessage *resp)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(resp->descriptor, 15);

	return fd && fd->type == PROTOBUF_C_TYPE_BOOL && strcmp(fd->name, "already_done") == 0 &&
	       *(const protobuf_c_boolean *)((const char *)resp + fd->offset);
}

/* The resource's object with "already_done": true as its last key (the same shape as without
 * ensure, plus the key where it is true). */
static void print_with_already_done(FILE *f, const ProtobufCMessage *sub)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m) {
		ctl_print_json_message(f, sub, true);
		fputc('\n', f);
		return;
	}
	ctl_print_json_message(m, sub, true);
	fclose(m);
	while (len > 0 && buf[len - 1] != '}')
		len--;
	if (len == 0) {
		fprintf(f, "%s\n", buf);
	} else {
		bool empty = len >= 2 && buf[len - 2] == '{';

		fwrite(buf, 1, len - 1, f);
		fprintf(f, "%s\"already_done\":true}\n", empty ? "" : ",");
	}
	free(buf);
}

int ctl_print_created(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const ProtobufCMessageDescriptor *d = resp->descriptor;

	if (!json)
		return 0;
	/* CreateLinkResponse{link}, CreateNamespaceResponse{namespace}: print the resource (its
	 * first field; already_done, the other one, is what -ensure reports). */
	if (d->n_fields >= 1 && d->fields[0].type == PROTOBUF_C_TYPE_MESSAGE &&
	    d->fields[0].label != PROTOBUF_C_LABEL_REPEATED &&
	    (d->n_fields == 1 ||
	     (d->n_fields == 2 && strcmp(d->fields[1].name, "already_done") == 0))) {
		const ProtobufCMessage *sub =
			*(ProtobufCMessage *const *)((const char *)resp + d->fields[0].offset);

		if (sub && ensure_resp_done(resp)) {
			print_with_already_done(f, sub);
			return 0;
		}
		if (sub) {
			ctl_print_json_message(f, sub, true);
			fputc('\n', f);
			return 0;
		}
		fputs(ensure_resp_done(resp) ? "{\"already_done\":true}\n" : "{}\n", f);
		return 0;
	}
	/* The rest carry only already_done: shown when true. */
	ctl_print_json_message(f, resp, false);
	fputc('\n', f);
	return 0;
}
