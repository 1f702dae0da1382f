/* nsringctl: an ip(8)-like command line client for nsringd. Parsing and printing live in one
 * file per object (ctl-netns.c, ctl-link.c, ctl-addr.c, ctl-route.c, ctl-monitor.c; ctl.c
 * dispatches); this file only connects, calls (or follows a stream, for monitor) and maps
 * errors to exit codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "ctl-batch.h"
#include "ctl.h"
#include "ctl-json.h"
#include "nsring/nsring.h"

enum {
	EXIT_FAIL = 1,	/* the daemon refused, or no daemon */
	EXIT_USAGE = 2, /* bad command line */
};

static void cmd_donep(CtlCmd *cmd)
{
	ctl_cmd_done(cmd);
}

static void client_closep(NsrClient **c)
{
	nsr_close(*c);
}

static void resp_freep(ProtobufCMessage **m)
{
	if (*m)
		protobuf_c_message_free_unpacked(*m, NULL);
}

/* monitor: prints each message of the stream as it comes, until the daemon ends it (or
 * Ctrl-C). */
static int run_stream(NsrClient *c, const CtlCmd *cmd, const char *sock)
{
	NsrStatus status = {};
	NsrStream *st = NULL;
	int r;

	/* Changes may be rare: wait for them however long it takes. */
	nsr_set_timeout(c, 0);
	r = nsr_stream_start(c, cmd->method, cmd->req, &st);
	while (r >= 0) {
		ProtobufCMessage *m = NULL;

		r = nsr_stream_next(st, cmd->resp_desc, &m, &status);
		if (r <= 0)
			break;
		r = cmd->print(stdout, m, cmd->json);
		protobuf_c_message_free_unpacked(m, NULL);
		/* Each event as it happens, also into a pipe. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "Error: writing the output failed: %s\n", strerror(errno));
			nsr_stream_close(st);
			return EXIT_FAIL;
		}
	}
	nsr_stream_close(st);
	if (r == 0)
		return 0;
	if (r == -NSR_ESTATUS) {
		fprintf(stderr, "Error: %s: %s\n", nsr_status_code_name(status.code),
			status.message);
		return EXIT_FAIL;
	}
	fprintf(stderr, "Error: %s to nsringd on %s failed: %s\n", cmd->method, sock,
		r == -ECONNRESET ? "the daemon closed the connection" : strerror(-r));
	return EXIT_FAIL;
}

static bool streq_any(const char *s, const char *a, const char *b, const char *c)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0 || (c && strcmp(s, c) == 0);
}

int main(int argc, char **argv)
{
	_cleanup_(cmd_donep) CtlCmd cmd = {};
	_cleanup_(client_closep) NsrClient *c = NULL;
	_cleanup_(resp_freep) ProtobufCMessage *resp = NULL;
	NsrStatus status = {};
	const char *sock;
	int r;

	/* -batch FILE [-force]: global options stay, each line adds the command. */
	{
		const char *batch = NULL;
		bool force = false, ensure = false;
		int k = 0, j = 0;

		for (int i = 0; i < argc; i++) {
			if ((streq_any(argv[i], "-batch", "--batch", "-b")) && i + 1 < argc)
				batch = argv[++i];
			else if (streq_any(argv[i], "-force", "--force", NULL))
				force = true;
			else
				argv[k++] = argv[i];
		}
		if (batch) {
			/* -ensure is the whole Batch's (BatchRequest.ensure), not each line's. */
			for (int i = 0; i < k; i++) {
				if (streq_any(argv[i], "-ensure", "--ensure", NULL))
					ensure = true;
				else
					argv[j++] = argv[i];
			}
			return ctl_batch_run(j, argv, batch, force, ensure);
		}
		argc = k;
	}

	r = ctl_parse(argc, argv, &cmd);
	if (r == CTL_PARSE_HELP) {
		ctl_usage(stdout);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "Error: %s\n", cmd.error);
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}

	if (cmd.dry_run) {
		ctl_json_request(stdout, cmd.method, cmd.req);
		return 0;
	}

	sock = cmd.socket_path;
	if (!sock || !*sock)
		sock = getenv(NSR_SOCKET_ENV);
	if (!sock || !*sock)
		sock = NSR_DEFAULT_SOCKET;

	r = nsr_connect(sock, &c);
	if (r < 0) {
		fprintf(stderr, "Error: cannot connect to %s: %s (is nsringd running?)\n", sock,
			strerror(-r));
		return EXIT_FAIL;
	}
	nsr_set_timeout(c, cmd.timeout_ns);
	if (cmd.stream)
		return run_stream(c, &cmd, sock);

	r = nsr_call(c, cmd.method, cmd.req, cmd.resp_desc, &resp, &status);
	if (r == -NSR_ESTATUS) {
		fprintf(stderr, "Error: %s: %s\n", nsr_status_code_name(status.code),
			status.message);
		return EXIT_FAIL;
	}
	if (r < 0) {
		fprintf(stderr, "Error: %s to nsringd on %s failed: %s\n", cmd.method, sock,
			r == -ETIMEDOUT ? "no answer within the timeout" : strerror(-r));
		return EXIT_FAIL;
	}

	r = cmd.print(stdout, resp, cmd.json);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "Error: writing the output failed: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return r < 0 ? EXIT_FAIL : 0;
}
