/* The two systemd protocols nsringd speaks, without libsystemd: socket activation
 * (LISTEN_FDS) and readiness notification (NOTIFY_SOCKET). */
#pragma once

/* The listening socket systemd passed (fd 3), made non-blocking; -ENOENT when not
 * socket-activated, -EINVAL if what was passed is not a listening unix stream socket. The
 * LISTEN_* variables are removed so children do not inherit them. */
int sd_listen_fd(void);

/* Sends a notification ("READY=1", "STOPPING=1", "STATUS=...") to $NOTIFY_SOCKET; 0 when
 * not run by systemd. */
int sd_notify_str(const char *state);
