/* Running work inside a network namespace: a short-lived helper thread enters the namespace,
 * runs a function there and exits; its result is handed back to the loop thread. The loop
 * thread itself never switches namespace. Use it for anything that must be opened or made
 * from inside a namespace: sockets (netns_open_socket()), sysctl files, /dev/net/tun. */
#pragma once

#include "netns.h"

/* Runs in a helper thread that has entered the namespace (setns(CLONE_NEWNET) on a copy of
 * ns->ns_fd: the thread is inside it, the rest of the process is not). It may make syscalls
 * and open fds, and returns results through userdata (fds, values) and its return value (0 or
 * more, or a negative errno). It runs concurrently with the loop thread: it must not touch
 * loop state, the Netns or the registry, only userdata (which the caller leaves alone until
 * done). It must not block for long: it holds one of the registry's bounded thread slots
 * (netns_registry_new()'s max_threads); further jobs queue, first in first out. */
typedef int (*NetnsJobFn)(void *userdata);

/* Called on the loop thread, exactly once for every job netns_run_in() accepted, never from
 * inside netns_run_in(). r is what run returned, or an error from entering the namespace or
 * starting the thread (run did not run then), or:
 *   -ENOENT     ns was closed (netns_close_cb) while the job was in flight;
 *   -ECANCELED  the registry is being freed (netns_registry_free()); run may not have run.
 * Both replace a successful result: whatever run opened must then be released here (so
 * initialise fds in userdata to -1 before netns_run_in()), as nothing of ours may pin a closed
 * namespace. done may call back into the registry (open, close, run another job). */
typedef void (*NetnsJobDoneFn)(void *userdata, int r);

/* Queues run to execute inside ns, then done on the loop. Returns 0 when done will be called,
 * or a negative errno and neither will be: -EINVAL (no ns, run or done), -ESHUTDOWN (ns is
 * closed), -ECANCELED (the registry is being freed), -ENOMEM, -EMFILE. */
int netns_run_in(Netns *ns, NetnsJobFn run, NetnsJobDoneFn done, void *userdata);
