/* Ensure semantics shared by every object: whether an op has ensure, the already_done mark of
 * its reply, tolerating EEXIST / "not found" answers, and the "exists with different
 * attributes" message. How an object uses them: ops-internal.h and docs/ensure.md. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "ops-internal.h"

/* Every request that changes something has `bool ensure = 15`, every response
 * `bool already_done = 15` (nsring.proto): found through the descriptor, so objects added
 * later need nothing here. */
#define ENSURE_FIELD 15

static const ProtobufCFieldDescriptor *bool_field(const ProtobufCMessageDescriptor *d,
						  const char *name)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(d, ENSURE_FIELD);

	if (!f || f->type != PROTOBUF_C_TYPE_BOOL || f->label == PROTOBUF_C_LABEL_REPEATED ||
	    strcmp(f->name, name) != 0)
		return NULL;
	return f;
}

bool op_ensure(const Op *op)
{
	const ProtobufCFieldDescriptor *f;

	if (op->ensure)
		return true;
	if (!op->req)
		return false;
	f = bool_field(op->req->descriptor, "ensure");
	return f && *(const protobuf_c_boolean *)((const char *)op->req + f->offset);
}

void op_set_already_done(Op *op)
{
	op->already_done = true;
}

bool ensure_resp_already_done(const ProtobufCMessage *resp)
{
	const ProtobufCFieldDescriptor *f =
		resp ? bool_field(resp->descriptor, "already_done") : NULL;

	return f && *(const protobuf_c_boolean *)((const char *)resp + f->offset);
}

void ensure_resp_set_already_done(ProtobufCMessage *resp)
{
	const ProtobufCFieldDescriptor *f = bool_field(resp->descriptor, "already_done");

	if (f)
		*(protobuf_c_boolean *)((char *)resp + f->offset) = 1;
}

void op_nl_tolerate_exists(OpNl *nl, OpFound *found)
{
	if (!nl || !op_ensure(nl->op))
		return;
	nl->found = found;
	nl->exists_ok = true;
}

void op_nl_tolerate_gone(OpNl *nl, OpFound *found)
{
	if (!nl || !op_ensure(nl->op))
		return;
	nl->found = found;
	nl->gone_ok = true;
}

void op_fail_found(Op *op, const OpFound *found)
{
	op_fail(op, found->code ? found->code : STATUS_ALREADY_EXISTS, "%s",
		found->msg ? found->msg : "the object exists");
}

/* ---- comparing what was found with what was asked */

void ensure_diff_init(EnsureDiff *d)
{
	d->text[0] = '\0';
	d->len = 0;
	d->n = 0;
}

void ensure_diff_add(EnsureDiff *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->len + 1 >= sizeof(d->text))
		return; /* long enough to name the first ones */
	n = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s", d->n ? ", " : "");
	d->len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(d->text + d->len, sizeof(d->text) - d->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->len += (size_t)n;
	if (d->len >= sizeof(d->text))
		d->len = sizeof(d->text) - 1;
	d->n++;
}

void ensure_diff_str(EnsureDiff *d, const char *attr, const char *found, const char *asked)
{
	found = found ? found : "";
	asked = asked ? asked : "";
	if (strcmp(found, asked) == 0)
		return;
	ensure_diff_add(d, "%s %s (asked %s)", attr, *found ? found : "none",
			*asked ? asked : "none");
}

void ensure_diff_u32(EnsureDiff *d, const char *attr, uint32_t found, uint32_t asked)
{
	if (found != asked)
		ensure_diff_add(d, "%s %u (asked %u)", attr, found, asked);
}

bool ensure_diff_fail(Op *op, const EnsureDiff *d, const char *what)
{
	if (!d->n)
		return false;
	op_fail(op, STATUS_ALREADY_EXISTS, "%s exists with different attributes: %s", what,
		d->text);
	return true;
}
