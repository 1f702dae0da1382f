/* nsringctl -batch FILE: like ip -batch, one command per line, sent as Batch RPCs (many
 * operations per call, in order within a namespace, pipelined across namespaces). */
#include "ctl-batch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "nsring/nsring.h"

/* Operations per RPC: well under the 4 MiB message limit for any command line. */
#define CHUNK	  4096
#define MAX_WORDS 128

typedef struct Line {
	char *text; /* owned: argv points into it */
	char *argv[MAX_WORDS + 16];
	unsigned lineno;
	CtlCmd cmd;
} Line;

static int batch_case(const char *method, Nsring__V1__BatchOp *op, ProtobufCMessage *req)
{
	static const struct {
		const char *method;
		Nsring__V1__BatchOp__OpCase c;
	} map[] = {
		{ "CreateNamespace", NSRING__V1__BATCH_OP__OP_CREATE_NAMESPACE },
		{ "DeleteNamespace", NSRING__V1__BATCH_OP__OP_DELETE_NAMESPACE },
		{ "CreateLink", NSRING__V1__BATCH_OP__OP_CREATE_LINK },
		{ "UpdateLink", NSRING__V1__BATCH_OP__OP_UPDATE_LINK },
		{ "DeleteLink", NSRING__V1__BATCH_OP__OP_DELETE_LINK },
		{ "CreateAddress", NSRING__V1__BATCH_OP__OP_CREATE_ADDRESS },
		{ "DeleteAddress", NSRING__V1__BATCH_OP__OP_DELETE_ADDRESS },
		{ "CreateRoute", NSRING__V1__BATCH_OP__OP_CREATE_ROUTE },
		{ "DeleteRoute", NSRING__V1__BATCH_OP__OP_DELETE_ROUTE },
		{ "GetLink", NSRING__V1__BATCH_OP__OP_GET_LINK },
		{ "SetSysctl", NSRING__V1__BATCH_OP__OP_SET_SYSCTL },
		{ "CreateQdisc", NSRING__V1__BATCH_OP__OP_CREATE_QDISC },
		{ "DeleteQdisc", NSRING__V1__BATCH_OP__OP_DELETE_QDISC },
		{ "CreateClass", NSRING__V1__BATCH_OP__OP_CREATE_CLASS },
		{ "DeleteClass", NSRING__V1__BATCH_OP__OP_DELETE_CLASS },
		{ "CreateFilter", NSRING__V1__BATCH_OP__OP_CREATE_FILTER },
		{ "DeleteFilter", NSRING__V1__BATCH_OP__OP_DELETE_FILTER },
		{ "UpdateBridgePort", NSRING__V1__BATCH_OP__OP_UPDATE_BRIDGE_PORT },
		{ "CreateBridgeVlan", NSRING__V1__BATCH_OP__OP_CREATE_BRIDGE_VLAN },
		{ "DeleteBridgeVlan", NSRING__V1__BATCH_OP__OP_DELETE_BRIDGE_VLAN },
		{ "ListBridgeVlans", NSRING__V1__BATCH_OP__OP_LIST_BRIDGE_VLANS },
		{ "CreateNeighbor", NSRING__V1__BATCH_OP__OP_CREATE_NEIGHBOR },
		{ "DeleteNeighbor", NSRING__V1__BATCH_OP__OP_DELETE_NEIGHBOR },
		{ "CreateFdbEntry", NSRING__V1__BATCH_OP__OP_CREATE_FDB_ENTRY },
		{ "DeleteFdbEntry", NSRING__V1__BATCH_OP__OP_DELETE_FDB_ENTRY },
		{ "CreateRule", NSRING__V1__BATCH_OP__OP_CREATE_RULE },
		{ "DeleteRule", NSRING__V1__BATCH_OP__OP_DELETE_RULE },
		{ "CreateNexthop", NSRING__V1__BATCH_OP__OP_CREATE_NEXTHOP },
		{ "DeleteNexthop", NSRING__V1__BATCH_OP__OP_DELETE_NEXTHOP },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(map[i].method, method) == 0) {
			nsring__v1__batch_op__init(op);
			op->op_case = map[i].c;
			/* Every member of the oneof is a message pointer at the same place. */
			op->create_namespace = (void *)req;
			return 0;
		}
	return -EOPNOTSUPP;
}

/* Splits a line into words; '#' starts a comment. Returns the word count or -E2BIG. */
static int split(char *s, char **words, int max)
{
	int n = 0;

	for (char *p = s; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -E2BIG;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static void lines_free(Line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ctl_cmd_done(&lines[i].cmd);
		free(lines[i].text);
	}
}

/* Sends lines[0..n) as one Batch; prints each failure with its line number. */
static int send_chunk(NsrClient *c, Line *lines, size_t n, bool force, bool ensure,
		      unsigned *failed)
{
	Nsring__V1__BatchRequest req = NSRING__V1__BATCH_REQUEST__INIT;
	Nsring__V1__BatchResponse *resp = NULL;
	Nsring__V1__BatchOp *ops = calloc(n, sizeof(*ops));
	Nsring__V1__BatchOp **pops = calloc(n, sizeof(*pops));
	NsrStatus status = {};
	int r;

	if (!ops || !pops) {
		free(ops);
		free(pops);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		batch_case(lines[i].cmd.method, &ops[i], lines[i].cmd.req);
		pops[i] = &ops[i];
	}
	req.n_ops = n;
	req.ops = pops;
	req.mode = force ? NSRING__V1__BATCH_MODE__BATCH_MODE_CONTINUE
			 : NSRING__V1__BATCH_MODE__BATCH_MODE_STOP_ON_ERROR;
	req.ensure = ensure;
	r = nsr_call(c, "Batch", &req.base, &nsring__v1__batch_response__descriptor,
		     (ProtobufCMessage **)&resp, &status);
	free(ops);
	free(pops);
	if (r == -NSR_ESTATUS) {
		fprintf(stderr, "Error: %s: %s\n", nsr_status_code_name(status.code),
			status.message);
		return -EIO;
	}
	if (r < 0) {
		fprintf(stderr, "Error: Batch to nsringd failed: %s\n",
			r == -ETIMEDOUT ? "no answer within the timeout" : strerror(-r));
		return r;
	}
	for (size_t i = 0; i < resp->n_results && i < n; i++) {
		const Nsring__V1__BatchResult *res = resp->results[i];
		if (res->code == 0 || res->code == 10 /* ABORTED: not run */)
			continue;
		fprintf(stderr, "Error: %s: line %u: %s\n", nsr_status_code_name(res->code),
			lines[i].lineno, res->message);
		(*failed)++;
	}
	r = resp->failed > 0 && !force ? -ECANCELED : 0;
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return r;
}

/* Dials only when a chunk is ready to send: a file whose first chunk fails to parse never
 * connects. */
static int connect_once(NsrClient **c, const char **sock, uint64_t timeout)
{
	int r;

	if (*c)
		return 0;
	if (!*sock || !**sock)
		*sock = getenv(NSR_SOCKET_ENV);
	r = nsr_connect(*sock && **sock ? *sock : NSR_DEFAULT_SOCKET, c);
	if (r < 0)
		return r;
	nsr_set_timeout(*c, timeout);
	return 0;
}

int ctl_batch_run(int argc, char **argv, const char *file, bool force, bool ensure)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
	Line *lines = calloc(CHUNK, sizeof(*lines));
	NsrClient *c = NULL;
	const char *sock = NULL;
	unsigned lineno = 0, failed = 0;
	uint64_t timeout = CTL_DEFAULT_TIMEOUT_NS;
	size_t n = 0;
	char *buf = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f) {
		fprintf(stderr, "Error: cannot open %s: %s\n", file, strerror(errno));
		free(lines);
		return 1;
	}
	if (!lines) {
		r = -ENOMEM;
		goto out;
	}
	while (getline(&buf, &cap, f) >= 0) {
		Line *l = &lines[n];
		int nw, k = 0;

		lineno++;
		/* Each line is parsed as "nsringctl GLOBAL-OPTIONS WORDS...". */
		l->text = strdup(buf);
		if (!l->text) {
			r = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < argc; i++)
			l->argv[k++] = argv[i];
		nw = split(l->text, l->argv + k, MAX_WORDS);
		if (nw == 0) {
			free(l->text);
			l->text = NULL;
			continue;
		}
		if (nw < 0) {
			fprintf(stderr, "Error: line %u: too many words\n", lineno);
			r = -EINVAL;
			goto out;
		}
		l->lineno = lineno;
		r = ctl_parse(k + nw, l->argv, &l->cmd);
		if (r == CTL_PARSE_OK &&
		    batch_case(l->cmd.method, &(Nsring__V1__BatchOp){}, NULL) < 0) {
			snprintf(l->cmd.error, sizeof(l->cmd.error),
				 "%s cannot be batched (only changes and link get)", l->cmd.method);
			r = -EINVAL;
		}
		if (r != CTL_PARSE_OK) {
			fprintf(stderr, "Error: line %u: %s\n", lineno,
				r == CTL_PARSE_HELP ? "help is not a command" : l->cmd.error);
			n++;
			r = -EINVAL;
			goto out;
		}
		if (!sock) {
			sock = l->cmd.socket_path;
			timeout = l->cmd.timeout_ns;
		}
		if (++n == CHUNK) {
			r = connect_once(&c, &sock, timeout);
			if (r < 0)
				goto connect_failed;
			r = send_chunk(c, lines, n, force, ensure, &failed);
			lines_free(lines, n);
			memset(lines, 0, CHUNK * sizeof(*lines));
			n = 0;
			if (r < 0)
				goto out;
		}
	}
	if (n > 0) {
		r = connect_once(&c, &sock, timeout);
		if (r < 0)
			goto connect_failed;
		r = send_chunk(c, lines, n, force, ensure, &failed);
	}
	goto out;
connect_failed:
	fprintf(stderr, "Error: cannot connect to %s: %s (is nsringd running?)\n",
		sock && *sock ? sock : NSR_DEFAULT_SOCKET, strerror(-r));
out:
	if (lines)
		lines_free(lines, n);
	free(lines);
	free(buf);
	nsr_close(c);
	if (f != stdin)
		fclose(f);
	if (r == -EINVAL)
		return 2;
	return r < 0 || failed ? 1 : 0;
}
