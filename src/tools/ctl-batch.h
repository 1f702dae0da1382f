/* nsringctl -batch FILE: one command per line, sent as Batch RPCs. */
#pragma once

#include <stdbool.h>

#include "ctl.h"

/* argv: the program name and the global options to apply to every line (without -batch,
 * -force and -ensure). file "-" is stdin. force: keep going after a failure (ip -force). ensure:
 * BatchRequest.ensure (safe to resend: see nsring.proto). Returns the exit status: 0, 1 (a
 * command failed or no daemon), 2 (a line does not parse). */
int ctl_batch_run(int argc, char **argv, const char *file, bool force, bool ensure);
