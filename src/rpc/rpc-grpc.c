/* gRPC without HTTP/2: the text of its headers (grpc-timeout, grpc-message) and the health
 * service's answers. Pure code for the HTTP/2 transport (rpc-h2.c); unit-tested. */
#include "rpc-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "grpc/health/v1/health.pb-c.h"
#include "wire/ttrpc-wire.h" /* TTRPC_SERVICE: the service is the same on both transports */

#define HEALTH_STATUS(x) GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__##x

int rpc_grpc_timeout_parse(const char *s, size_t len, uint64_t *ret_ns)
{
	uint64_t v = 0, mult;

	if (len < 2 || len > 9)
		return -EINVAL;
	for (size_t i = 0; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	switch (s[len - 1]) {
	case 'H':
		mult = 3600ull * 1000000000ull;
		break;
	case 'M':
		mult = 60ull * 1000000000ull;
		break;
	case 'S':
		mult = 1000000000ull;
		break;
	case 'm':
		mult = 1000000ull;
		break;
	case 'u':
		mult = 1000ull;
		break;
	case 'n':
		mult = 1;
		break;
	default:
		return -EINVAL;
	}
	/* 99999999 hours overflows 64 bits: saturate (centuries are "no deadline" anyway). */
	*ret_ns = v > UINT64_MAX / mult ? UINT64_MAX : v * mult;
	return 0;
}

size_t rpc_grpc_message_escape(char *out, size_t size, const char *msg)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	if (size == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p >= 0x20 && *p <= 0x7e && *p != '%') {
			if (n + 1 >= size)
				break;
			out[n++] = (char)*p;
		} else {
			if (n + 3 >= size)
				break;
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return n;
}

int rpc_grpc_health(const RpcServer *s, const uint8_t *req, size_t len, bool watch, int *ret_status,
		    char *msg, size_t size)
{
	Grpc__Health__V1__HealthCheckRequest *r;
	int status;

	r = grpc__health__v1__health_check_request__unpack(NULL, len, req);
	if (!r) {
		snprintf(msg, size, "malformed HealthCheckRequest");
		return STATUS_INVALID_ARGUMENT;
	}
	if (r->service[0] && strcmp(r->service, TTRPC_SERVICE) != 0)
		status = HEALTH_STATUS(SERVICE_UNKNOWN);
	else
		status = s->shutting_down ? HEALTH_STATUS(NOT_SERVING) : HEALTH_STATUS(SERVING);
	/* Check fails for a service we do not serve; Watch reports it. */
	if (!watch && status == HEALTH_STATUS(SERVICE_UNKNOWN)) {
		snprintf(msg, size, "unknown service \"%.256s\"", r->service);
		grpc__health__v1__health_check_request__free_unpacked(r, NULL);
		return STATUS_NOT_FOUND;
	}
	grpc__health__v1__health_check_request__free_unpacked(r, NULL);
	*ret_status = status;
	return STATUS_OK;
}
