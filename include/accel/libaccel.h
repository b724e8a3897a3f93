/* SPDX-License-Identifier: MIT */
/*
 * libaccel.h - the accel client library: open a device, drive it with ioctls, list devices and
 * their clients, load and unload drivers.
 *
 * DOC: overview
 *
 * One function per operation, no hidden state beyond the handle, every function returns 0 (or
 * a count) on success and a negative errno on failure, as the kernel's own calls do, so there
 * is no errno to race on. libaccel talks to acceld over its UNIX socket
 * ($ACCEL_RUNTIME_DIR/acceld.sock, see docs/wire-protocol.md); the ioctl numbers and structs
 * are those of <uapi/accel/accel.h>, identical to what a kernel node would take.
 *
 *   struct accel_handle *h;
 *   int rc = accel_open("accel0", &h);          // -ENODEV, -EACCES, -ECONNREFUSED, ...
 *   struct accel_version v = {0};
 *   rc = accel_ioctl(h, ACCEL_IOCTL_VERSION, &v);
 *   accel_close(h);
 *
 * Thread safety: a handle may be used from several threads; calls on one handle are
 * serialised (one outstanding request per connection). Use one handle per thread for
 * parallel calls.
 */
#ifndef ACCEL_LIBACCEL_H_
#define ACCEL_LIBACCEL_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define LIBACCEL_VERSION_MAJOR 0
#define LIBACCEL_VERSION_MINOR 1

struct accel_handle;

/* One device as `accelctl list` shows it. */
struct accel_device_entry {
  uint32_t minor;
  uint32_t mode; /* node permission bits */
  uint32_t uid;  /* node owner */
  uint32_t gid;  /* node group */
  uint32_t vendor_id;
  uint32_t device_id;
  uint32_t open_count;
  uint32_t pad;
  uint64_t ras_formats; /* ACCEL_CAP_RAS_* */
  char name[16];        /* accelN */
  char driver[32];
  char serial[48];
  char bus[56];
};

/* The socket path libaccel uses: $ACCEL_RUNTIME_DIR/acceld.sock, /run/accel/acceld.sock for
 * root, $XDG_RUNTIME_DIR/accel/acceld.sock otherwise. Returns its length, or -ENAMETOOLONG. */
int accel_socket_path(char* buf, size_t len);

/* Opens a device by name ("accel0"). */
int accel_open(const char* name, struct accel_handle** out);
/* Issues one ioctl. arg points at _IOC_SIZE(cmd) bytes; it is updated even on failure when
 * the command returns data with its error (e.g. -ENOSPC with the size needed). A command that
 * hands out descriptors (a buffer's memfd) writes each new descriptor's number into its
 * struct, as a kernel ioctl would; the caller owns and closes them. Only the socket transport
 * carries descriptors: over a FUSE node such commands fail with -EOPNOTSUPP. */
int accel_ioctl(struct accel_handle* h, unsigned long cmd, void* arg);
/* As accel_ioctl, for a struct of `size` bytes (the C++ wrapper passes the size of its typed
 * struct). A size other than _IOC_SIZE(cmd) is -EINVAL, judged by the daemon's dispatcher
 * over the socket; a FUSE node cannot carry a size of its own (the kernel copies
 * _IOC_SIZE(cmd) bytes), so there libaccel refuses the mismatch before the call. */
int accel_ioctl_sized(struct accel_handle* h, unsigned long cmd, void* arg, size_t size);
/* Where a reply may write. A command's copy_to_user() lands in the caller's memory only inside
 * a buffer the caller gave for that call: for the generic commands libaccel takes them from
 * the struct (RAS_QUERY's ptr/size, DRM VERSION's name/date/desc and their lengths); for a
 * driver command whose struct carries pointers, name them here. Every copy-out is checked
 * before any is written: a reply that names memory outside them is refused whole with
 * -EFAULT (and, over the socket, the struct is left as it was). */
struct accel_user_buffer {
  uint64_t addr; /* (uintptr_t) the buffer */
  uint64_t len;  /* its size in bytes */
};
#define ACCEL_MAX_USER_BUFFERS 8
/* accel_ioctl with up to ACCEL_MAX_USER_BUFFERS buffers the reply may fill besides those of a
 * generic command; more is -EINVAL. */
int accel_ioctl_buffers(struct accel_handle* h, unsigned long cmd, void* arg,
                        const struct accel_user_buffer* bufs, size_t n);
/* Closes the file; the handle is freed. 0, or -EINVAL for NULL. */
int accel_close(struct accel_handle* h);
/* The minor (N of accelN) and the daemon's client id of an open handle. */
uint32_t accel_minor(const struct accel_handle* h);
uint64_t accel_client_id(const struct accel_handle* h);

/* Lists devices: fills at most max entries, returns how many exist (may exceed max). */
int accel_list(struct accel_device_entry* out, size_t max);

/* Loads a driver plugin ("dummy", "count=2"); root only (-EPERM). On failure, why (if not
 * NULL) receives the daemon's one-line reason. */
int accel_driver_load(const char* name, const char* args, char* why, size_t why_len);
#define ACCEL_UNLOAD_FORCE (1u << 0)
/* Unloads a driver; -EBUSY while its devices are open, unless ACCEL_UNLOAD_FORCE. */
int accel_driver_unload(const char* name, unsigned flags);
/* Names of loaded drivers, NUL-separated, in buf; returns bytes used, or -ENOSPC. */
int accel_driver_list(char* buf, size_t len);

/* ---- hot-plug monitor ----------------------------------------------------------------------
 * FUSE cannot raise inotify events for nodes the daemon adds, so watchers subscribe to acceld's
 * monitor stream instead: one event per device added, removed or changed (a RAS event). */
struct accel_monitor;

#define ACCEL_MONITOR_ADD 1
#define ACCEL_MONITOR_REMOVE 2
#define ACCEL_MONITOR_CHANGE 3
/* The driver declared the device wedged: it serves nothing useful until it recovers. The reason
 * is in the sys tree's `wedged` attribute (class/accel/accelN/wedged). */
#define ACCEL_MONITOR_WEDGED 4
#define ACCEL_MONITOR_RECOVERED 5 /* it serves again */

struct accel_monitor_event {
  uint32_t action; /* ACCEL_MONITOR_* */
  uint32_t minor;
  uint64_t seqno;        /* the stream's own counter: a gap means events were dropped */
  uint64_t timestamp_ns; /* CLOCK_REALTIME at the daemon */
  char name[16];         /* accelN */
  char driver[32];       /* empty for REMOVE when the driver is already gone */
};

int accel_monitor_open(struct accel_monitor** out);
/* The next event: 0 with *ev filled; -ETIME when timeout_ms passes first (-1 waits forever);
 * -ECONNRESET when the daemon went away. */
int accel_monitor_next(struct accel_monitor* m, struct accel_monitor_event* ev, int timeout_ms);
/* A descriptor that polls readable when an event is waiting (for event loops). */
int accel_monitor_fd(const struct accel_monitor* m);
void accel_monitor_close(struct accel_monitor* m);

/* ---- clients (DRM fdinfo) --------------------------------------------------------------------
 * What each open file of a device uses, as the kernel's /proc/PID/fdinfo shows for DRM files
 * (Documentation/gpu/drm-usage-stats.rst): one block of "key:\tvalue" lines per open file,
 * each block ending with an empty line:
 *
 *   accel-device:\taccel0
 *   drm-driver:\tdummy
 *   drm-client-id:\t7
 *   drm-pdev:\tplatform:dummy.0
 *   accel-pid:\t4242
 *   accel-uid:\t1000
 *   drm-engine-compute:\t123456 ns
 *   drm-total-system:\t64 KiB
 *
 * Root sees every client; other users see the files they opened. */

/* The blocks of `device` ("accel0"), or of every device for NULL or "". On success *text_out is
 * a NUL-terminated string to release with accel_free() and the return is its length;
 * -ENODEV for a device that does not exist, -EOPNOTSUPP from an acceld older than this. */
int accel_clients(const char* device, char** text_out);
/* Frees memory libaccel allocated for the caller (accel_clients' text). NULL is fine. */
void accel_free(void* p);

/* ---- transports -----------------------------------------------------------------------------
 * accel_open() uses the device node (DEVDIR/accel/accelN, FUSE) when one exists and the socket
 * otherwise; ACCEL_TRANSPORT=socket or =node in the environment forces one. DEVDIR is
 * $ACCEL_DEV_DIR, else $ACCEL_RUNTIME_DIR/dev (or the default runtime dir's), else /dev. */
#define ACCEL_TRANSPORT_SOCKET 1
#define ACCEL_TRANSPORT_NODE 2
/* Which transport an open handle uses. */
int accel_transport(const struct accel_handle* h);
/* accel_open() with the transport chosen by the caller: 0 decides as accel_open() does,
 * ACCEL_TRANSPORT_SOCKET or ACCEL_TRANSPORT_NODE forces one (ignoring ACCEL_TRANSPORT). The
 * features that need descriptor passing or shared memory (a vnpu BO's memfd, the user-mode
 * ring) exist only on the socket: open with ACCEL_TRANSPORT_SOCKET to use them. */
int accel_open_transport(const char* name, int transport, struct accel_handle** out);

/* A human-readable message for a negative errno from this library. */
const char* accel_strerror(int err);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_LIBACCEL_H_ */
