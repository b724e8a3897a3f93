/* SPDX-License-Identifier: MIT */
/*
 * driver_abi.h - the one C entry table between acceld's core and a driver plugin.
 *
 * DOC: overview
 *
 * A driver is a shared object (this system's kernel module). acceld dlopen()s it
 * ("accelctl load dummy" is insmod), calls its entry function and gets back a
 * struct accel_driver: name, version, ioctl table and hooks. Only C types cross this boundary:
 * no C++ objects, no exceptions, no allocator shared between the sides; every call returns 0
 * or a negative errno. In return the core hands the driver a struct accel_host_ops, the few
 * services a driver needs from the core (create/register/unplug devices, sleep until woken,
 * copy to and from the caller's memory, publish attribute files), so the plugin links against
 * nothing of accel's.
 *
 * Lifetimes (after drm_drv.c):
 *   load()          driver creates its devices with device_create() and publishes each with
 *                   device_register(); from then on they can be opened.
 *   open()/postclose()  per open file; postclose runs exactly once per successful open, either
 *                   when the file is closed or, when the driver is force-unloaded under open
 *                   files, during the unload (the file then only answers -ENODEV).
 *   device_release()    after the device is unplugged and no call is in flight.
 *   unload()        after every device of the driver is released; then the object is closed.
 *
 * Versioning: the entry symbol carries the ABI major (accel_driver_entry_v1); both structs
 * begin with abi_version and struct_size so a newer core can accept an older table.
 *
 *   const struct accel_driver* accel_driver_entry_v1(void) { return &my_driver; }
 */
#ifndef ACCEL_DRIVER_ABI_H_
#define ACCEL_DRIVER_ABI_H_

#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define ACCEL_DRIVER_ABI_VERSION 1
#define ACCEL_DRIVER_ENTRY_SYMBOL "accel_driver_entry_v1"

struct accel_host;   /* opaque: the core's view of this driver */
struct accel_device; /* opaque: a device, owned and refcounted by the core */
struct accel_file;   /* opaque: one open of a device */

/* What a handler knows about the call it serves. */
struct accel_call {
  struct accel_device* dev;
  struct accel_file* file;
  void* dev_priv;  /* the driver's per-device state, from device_create() */
  void* file_priv; /* the driver's per-file state, from open() */
  uint32_t uid;    /* credentials of this call, judged per call */
  uint32_t gid;
  uint32_t pid;
  uint32_t reserved;
  void* core; /* the core's per-call state; opaque to drivers */
};

/* data: the kernel-side copy of the argument struct, today's size, zero-extended. */
typedef int (*accel_ioctl_handler_t)(const struct accel_call* call, void* data);

#define ACCEL_IOCTL_ROOT_ONLY (1u << 0) /* uid 0 only, judged per call; -EACCES otherwise */
/* The handler may sleep (device_wait). Transports that must not block a worker thread (FUSE)
 * run such commands on a thread of their own and reply asynchronously. */
#define ACCEL_IOCTL_MAY_SLEEP (1u << 1)

struct accel_ioctl_desc {
  uint32_t cmd;      /* full ioctl number; its size is today's struct size */
  uint32_t min_size; /* size of the command's first published version; 0 means today's */
  uint32_t flags;    /* ACCEL_IOCTL_* */
  uint32_t reserved;
  accel_ioctl_handler_t handler;
};

/* Identity and abilities of a device, copied by device_create(). */
struct accel_device_info {
  const char* serial; /* stable identity (serial or UUID); may be NULL */
  const char* bus;    /* bus address such as "platform:dummy.0"; may be NULL */
  uint32_t vendor_id; /* PCI-style ids, 0 when not applicable */
  uint32_t device_id;
  /* The device offers every format of the codecs acceld has installed: the core encodes them
   * from what the driver reports. A driver with its own ras_query hook lists here the
   * ACCEL_CAP_RAS_* formats it answers beyond those; others leave it 0. */
  uint64_t ras_formats;
  /* Pass-through: ACCEL_CAP_RAS_* bits of the formats its firmware's blobs come in (0: it has
   * none). The core keeps the last blob (device_ras_firmware_blob) for ACCEL_RAS_QUERY_RAW. */
  uint32_t ras_passthrough;
  uint32_t num_ras_components;
  /* Component names, index = the component number of KEY_VAL_32 keys and RAS events
   * ("hbm0", "sram", ...); at most ACCEL_RAS_COMPONENT_LEN - 1 bytes each. May be NULL. */
  const char* const* ras_components;
};

/* A RAS event as a driver reports it (device_ras_event); the core stamps seqno and time.
 * device_ras_report() takes the richer struct accel_ras_report below. */
struct accel_ras_event_info {
  uint32_t component;
  uint32_t severity;
  uint32_t code;
  uint32_t count;
  const char* message; /* may be NULL */
};

#define ACCEL_RAS_REPORT_ADDRESS (1u << 0) /* address is valid */

/* A RAS event with everything the model keeps (device_ras_report). struct_size first, so
 * that fields can be added at the end. */
struct accel_ras_report {
  uint32_t struct_size; /* sizeof(struct accel_ras_report) */
  uint32_t component;
  uint32_t severity; /* ACCEL_RAS_SEV_* */
  uint32_t code;
  uint32_t count;
  uint32_t flags; /* ACCEL_RAS_REPORT_* */
  uint64_t address;
  uint64_t timestamp_ns; /* 0: now */
  const char* message;   /* may be NULL */
  const void* raw;       /* the firmware's record of this error; may be NULL */
  uint32_t raw_len;
  uint32_t reserved;
};

/* DOC: driver attributes (device_add_attribute)
 *
 * sysfs's accelN/device is the parent device's directory: the bus and the driver put their
 * attributes there. A driver publishes a text file (flags 0) or a directory
 * (ACCEL_ATTR_DIR) at `path` below class/accel/accelN/device/; the directories a path passes
 * through are implied. The core copies path and struct; the callbacks and attr_priv must stay
 * valid until the device is released.
 *
 * show() and store() run on a transport thread, outside any call, with the device entered:
 * never after it is unplugged (the reader gets -ENODEV then), so a driver may free what they
 * use in device_release(). They must not sleep long. Values are produced at each read, as
 * sysfs's are; a file reads as what show() returned.
 */
#define ACCEL_ATTR_DIR (1u << 0)   /* a directory: mode, show and store unused */
#define ACCEL_ATTR_RO 0444         /* anyone reads */
#define ACCEL_ATTR_RW 0644         /* anyone reads, root writes (store required) */
#define ACCEL_ATTR_MAX_VALUE 4096u /* the size of show's buffer and the largest write */

struct accel_device_attribute {
  uint32_t struct_size; /* sizeof(struct accel_device_attribute) */
  uint32_t flags;       /* ACCEL_ATTR_DIR or 0 */
  uint32_t mode;        /* a file's: ACCEL_ATTR_RO or ACCEL_ATTR_RW */
  uint32_t reserved;    /* 0 */
  /* "fw_state", "engines/0/busy": components of [A-Za-z0-9_.-], not "." or "..", separated
   * by '/', at most 128 bytes in all. */
  const char* path;
  /* Writes the value (text, usually ending in '\n') to buf, at most `size` bytes
   * (ACCEL_ATTR_MAX_VALUE), and returns its length, or a negative errno the reader gets. */
  int (*show)(void* dev_priv, void* attr_priv, char* buf, uint32_t size);
  /* ACCEL_ATTR_RW only; called for root only (the core checks the writer's uid). buf holds
   * the `len` bytes written (not NUL-terminated). 0, or a negative errno the writer gets. */
  int (*store)(void* dev_priv, void* attr_priv, const char* buf, uint32_t len);
  void* attr_priv;
};

#define ACCEL_LOG_ERROR 0
#define ACCEL_LOG_WARN 1
#define ACCEL_LOG_INFO 2
#define ACCEL_LOG_DEBUG 3

struct accel_host_ops {
  uint32_t abi_version;
  uint32_t struct_size;
  /* A new device, not yet visible; *out holds the driver's reference. */
  int (*device_create)(struct accel_host* host, const struct accel_device_info* info,
                       void* dev_priv, struct accel_device** out);
  /* Reserves a minor and publishes accelN. -ENOSPC when all minors are taken. */
  int (*device_register)(struct accel_device* dev);
  /* Hot-unplug: new calls get -ENODEV, sleepers wake with -ENODEV, returns after calls in
   * flight have left. Open files stay valid until closed. */
  void (*device_unplug)(struct accel_device* dev);
  uint32_t (*device_minor)(const struct accel_device* dev);
  /* From a handler: sleep until cond(arg) != 0 (0 returned), timeout_ns passes (-ETIME, a
   * negative timeout waits forever), the device is unplugged (-ENODEV) or the call is
   * interrupted (-EINTR). cond runs under the device's wait lock. */
  int (*device_wait)(const struct accel_call* call, int (*cond)(void* arg), void* arg,
                     int64_t timeout_ns);
  /* Wakes every sleeper of the device so it re-checks its condition. */
  void (*device_wake_all)(struct accel_device* dev);
  /* copy_to_user(): writes into the caller's memory at a __u64 address from its struct,
   * inside a handler. 0 or -EFAULT. Over the socket the bytes ride back in the reply and
   * libaccel writes them at the address; over a FUSE node they are staged in the open file
   * (the ioctl then returns their count, and libaccel or the caller reads them at offset 0).
   * Its pair for input is copy_from_user, below. */
  int (*copy_to_user)(const struct accel_call* call, uint64_t addr, const void* src, uint32_t len);
  void (*log)(struct accel_host* host, int level, const char* msg);
  /* Queues a RAS event on every file open on the device and wakes their pollers. */
  void (*device_ras_event)(struct accel_device* dev, const struct accel_ras_event_info* ev);

  /* ---- since the RAS framework (check struct_size before calling) ---- */

  /* Records an event in the device's RAS state: counters, log, thresholds, store, every
   * subscriber. Returns the event's seqno (> 0) or a negative errno (-EINVAL: out of range). */
  int64_t (*device_ras_report)(struct accel_device* dev, const struct accel_ras_report* report);
  /* Pass-through: the firmware's latest blob in `format` (ACCEL_RAS_FMT_*). The core keeps a
   * copy for ACCEL_RAS_QUERY_RAW and, when it has a codec for the format, decodes it into the
   * model (the firmware's counters are absolute; increases become events). */
  int (*device_ras_firmware_blob)(struct accel_device* dev, uint32_t format, const void* data,
                                  uint32_t len);

  /* ---- since vnpu (check struct_size before calling) ---- */

  /* fd_install() for a call's reply: the transport passes a duplicate of `fd` to the caller
   * (SCM_RIGHTS on the socket) and writes the descriptor number the caller got, as an __s32,
   * at byte `offset` of the command's struct. The driver keeps its own `fd`. -EOPNOTSUPP when
   * the transport cannot pass descriptors (FUSE); -EMFILE past 8 per reply. */
  int (*install_fd)(const struct accel_call* call, int fd, uint32_t offset);
  /* Records an uncorrectable page (address in the device's address space): listed as pending
   * at once, retired at the next device reset, kept by the store. 0, or -ENOSPC when the list
   * is full; a page already listed is 0. */
  int (*device_ras_retire_page)(struct accel_device* dev, uint64_t address, uint32_t severity);
  /* Resets the device through the core, outside any call (a recovery thread of the driver):
   * runs the driver's reset hook, then retires pending pages. */
  int (*device_reset)(struct accel_device* dev);
  /* devcoredump: keeps a copy of `data` as the sys tree's devcoredump/data (root only) until
   * it is read and dismissed (a write to it) or replaced by the next dump. */
  void (*device_coredump)(struct accel_device* dev, const void* data, uint32_t len);
  /* The device stops serving until recovery (wedged != 0, `why` says what happened) or serves
   * again (wedged == 0): a "wedged"/"recovered" event on the monitor stream and the sys tree's
   * `wedged` attribute. */
  void (*device_set_wedged)(struct accel_device* dev, int wedged, const char* why);
  /* Finds a helper program shipped with the driver (vnpu-fw) the way plugins are found: each
   * directory of the plugin search path. Writes its path (NUL-terminated) to `path`; -ENOENT
   * when none is executable, -ENAMETOOLONG when `size` is too small. */
  int (*find_helper)(struct accel_host* host, const char* name, char* path, uint32_t size);

  /* ---- since driver attributes (check struct_size before calling) ---- */

  /* Publishes a file or directory of the device under class/accel/accelN/device/ (see struct
   * accel_device_attribute). Any time before the device is unplugged; visible at once.
   * -EINVAL: bad path, flags, mode or callbacks; -EEXIST: the path is taken (the core's own
   * driver, vendor, device, serial, bus included); -ENOTDIR: a parent is a file; -ENOSPC:
   * past 128 nodes per device; -ENODEV: the device is unplugged. */
  int (*device_add_attribute)(struct accel_device* dev, const struct accel_device_attribute* attr);
  /* copy_from_user(): reads `len` bytes of the caller's memory at a __u64 address from its
   * struct, inside a handler. 0; -EFAULT for a bad range (address 0, or one that wraps);
   * -EOPNOTSUPP where the caller's memory cannot be reached: over a FUSE node (only the fixed
   * struct travels) and outside an ioctl. Over the socket the daemon asks the client for the
   * bytes during the call (wire v3 COPY_IN); a client older than v3 gets -EOPNOTSUPP. A
   * pointer-carrying command should say so and keep a pointer-free path for those transports, as
   * the uAPI's inline arrays do. */
  int (*copy_from_user)(const struct accel_call* call, void* dst, uint64_t addr, uint32_t len);

  /* ---- since one inject entry (check struct_size before calling) ---- */

  /* The one entry of RAS injection, what ACCEL_IOCTL_RAS_INJECT runs: a driver's own inject
   * command calls this instead of raising the error itself, so that the range checks
   * (component, severity, count != 0: -EINVAL), the driver's ras_inject hook (-EOPNOTSUPP
   * without one) and "acknowledged means durable" are the same for every way in. From a
   * handler only (it sleeps until the event is durable: mark the command MAY_SLEEP). Returns
   * the event's seqno (0: the firmware reports it later) or a negative errno. */
  int64_t (*device_ras_inject)(const struct accel_call* call, uint32_t component, uint32_t severity,
                               uint32_t count, int has_address, uint64_t address);
};

struct accel_driver {
  uint32_t abi_version; /* ACCEL_DRIVER_ABI_VERSION */
  uint32_t struct_size; /* sizeof(struct accel_driver) */
  const char* name;     /* at most ACCEL_NAME_LEN - 1 bytes */
  const char* desc;
  const char* date;
  uint32_t major;
  uint32_t minor;
  uint32_t patchlevel;
  uint32_t num_ioctls;
  const struct accel_ioctl_desc* ioctls; /* driver range only: nr 0x40..0x9f */

  /* args: "key=value ..." from `accelctl load NAME key=value`. */
  int (*load)(struct accel_host* host, const struct accel_host_ops* ops, const char* args,
              void** drv_priv);
  void (*unload)(void* drv_priv);
  int (*open)(const struct accel_call* call, void** file_priv);
  void (*postclose)(const struct accel_call* call);
  void (*device_release)(void* dev_priv);
  /* RAS_QUERY after the core validated format and flags: write at most `size` bytes to buf
   * and set *len; when size is too small set *len to the size needed and return -ENOSPC. */
  int (*ras_query)(const struct accel_call* call, uint32_t format, uint32_t flags, void* buf,
                   uint32_t size, uint32_t* len, uint32_t* schema);
  /* Resets the device's volatile RAS counters (root only; from the sys tree's ras/clear).
   * The core clears its own model first; this hook is for drivers keeping counters too. */
  int (*ras_clear)(void* dev_priv);

  /* ---- since the RAS framework (the core checks struct_size) ---- */

  /* ACCEL_IOCTL_RAS_INJECT (and device_ras_inject): simulate an error; the driver reports it
   * (device_ras_report or through its firmware's blob) before returning. The core has
   * checked the ranges: component < num_ras_components, severity < ACCEL_RAS_SEV_COUNT,
   * count > 0, so the hook may index its tables with them. Returns the seqno of the event logged,
   * 0 when the firmware will report it later, or a negative errno. NULL: cannot inject. */
  int64_t (*ras_inject)(const struct accel_call* call, uint32_t component, uint32_t severity,
                        uint32_t count, int has_address, uint64_t address);
  /* Device reset (a RAS threshold action, or recovery): runs on a core thread, outside any
   * call. Pending retired pages become retired after it succeeds. NULL: cannot reset. */
  int (*reset)(void* dev_priv);

  /* ---- since vnpu (the core checks struct_size) ---- */

  /* pread/pwrite on a FUSE node at offset >= 2^32 (below 2^62): a driver's buffer-object data
   * at fake offsets, as DRM's mmap offsets. Returns bytes moved (0 at the end), or a negative
   * errno (-EINVAL: no object at that offset). NULL: such offsets are -EINVAL. */
  int64_t (*file_rw)(const struct accel_call* call, uint64_t offset, void* buf, uint32_t len,
                     int write);
  /* DRM fdinfo: this file's usage as "key:\tvalue\n" lines (drm-engine-<name>: <ns> ns,
   * drm-engine-capacity-<name>, drm-total-<region>: <n> KiB, drm-resident-<region>, ...). The
   * core adds drm-driver, drm-client-id and drm-pdev itself. Returns the length written (at
   * most size - 1, NUL-terminated) or a negative errno. Runs outside any call of the file, with
   * call->file and file_priv set; it must not sleep. NULL: no usage keys. */
  int (*file_usage)(const struct accel_call* call, char* buf, uint32_t size);
};

typedef const struct accel_driver* (*accel_driver_entry_fn)(void);

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_DRIVER_ABI_H_ */
