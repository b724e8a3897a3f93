/* SPDX-License-Identifier: MIT */
/*
 * accel.h - the generic accel uAPI: ioctl numbers, argument structs, capabilities.
 *
 * DOC: overview
 *
 * accel devices are DRM-style devices: every command is an ioctl with the DRM magic 'd'
 * (DRM_IOCTL_BASE), dispatched on (type, nr) exactly as drm_ioctl() does. The nr space is split
 * the way include/uapi/drm/drm.h splits it:
 *
 *   0x00..0x3f  generic commands whose number and layout are DRM's own (DRM's VERSION = 0x00,
 *               GET_CAP = 0x0c); docs/drm-ioctls.md lists what accel does with the others
 *   0x40..0x9f  driver commands (ACCEL_COMMAND_BASE..ACCEL_COMMAND_END), one table per driver
 *   0xa0..0xdf  DRM's second generic range; unused by accel and answered with -ENOTTY
 *   0xe0..0xef  accel's own generic commands (VERSION with fixed arrays, RAS_*). drm.h uses
 *               nothing above 0xd3 (DRM_IOCTL_SYNCOBJ_QUERY_ERROR), so these cannot collide.
 *
 * Size rules (enforced by the dispatcher alone, never by handlers):
 *   - _IOC_SIZE(cmd) smaller than the command's first published size  -> -EINVAL
 *   - smaller than today's size: the missing tail is zero-extended (older userspace)
 *   - larger than today's size with non-zero extra bytes on input      -> -E2BIG
 *     (extra bytes that are zero are accepted; on output they are zeroed)
 *   - an nr with no command behind it                                  -> -ENOTTY
 *     (DRM answers -EINVAL here; accel follows the general kernel rule: ENOTTY means
 *      "inappropriate ioctl for this device", which is what an unknown command is)
 *   - a command flagged root-only, called without privilege            -> -EACCES
 *   - any command on an unplugged device                               -> -ENODEV
 * The argument struct is copied out even when the command fails, as drm_ioctl() does, so a
 * command can return an error together with data (e.g. -ENOSPC plus the size it needs).
 *
 * Layout rules: fixed-width types, explicit padding, no pointers. A user buffer is a __u64
 * address plus a __u32 size (the RFC thread's "void * and length"); the daemon never
 * dereferences it itself: each transport carries the bytes back into the caller's memory.
 *
 * What differs from a kernel char device: accel runs in userspace (acceld). Devices are
 * reached through libaccel's socket transport or as FUSE nodes, DEVDIR/accel/accelN:
 *   - a node is a regular file, not a char device (FUSE cannot serve those); its `dev`
 *     attribute in the sys tree still says 261:N;
 *   - only the fixed struct of an ioctl travels (restricted ioctls), so input arrays are bounded
 *     and inline in the struct, and the daemon cannot write to a __u64 user pointer: what a
 *     command would copy there is staged in the open file, the ioctl returns its length (> 0
 *     instead of 0), and the bytes are read with read(2)/pread(2) from offset 0 until the next
 *     ioctl on that file. libaccel does that read itself and writes the bytes where the pointer
 *     said, so its callers see kernel semantics on either transport. DRM's VERSION is the
 *     exception: libdrm calls it and knows nothing of staging, so over a node it stages nothing
 *     and returns 0 (struct accel_drm_version);
 *   - no mmap, no fd passing: features that need them use the socket.
 * The numbers and layouts here are identical whichever way a call travels.
 */
#ifndef ACCEL_UAPI_ACCEL_H_
#define ACCEL_UAPI_ACCEL_H_

#include <linux/ioctl.h>
#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* ---- numbering ---------------------------------------------------------------------------- */

#define ACCEL_IOCTL_BASE 'd' /* DRM_IOCTL_BASE */
#define ACCEL_IO(nr) _IO(ACCEL_IOCTL_BASE, nr)
#define ACCEL_IOR(nr, type) _IOR(ACCEL_IOCTL_BASE, nr, type)
#define ACCEL_IOW(nr, type) _IOW(ACCEL_IOCTL_BASE, nr, type)
#define ACCEL_IOWR(nr, type) _IOWR(ACCEL_IOCTL_BASE, nr, type)

#define ACCEL_COMMAND_BASE 0x40 /* DRM_COMMAND_BASE: first driver nr */
#define ACCEL_COMMAND_END 0xa0  /* DRM_COMMAND_END: one past the last driver nr */
#define ACCEL_GENERIC_BASE 0xe0 /* accel's own generic commands */
#define ACCEL_GENERIC_END 0xf0

/* The accel char major (Documentation/admin-guide/devices.txt) and the minor limit. */
#define ACCEL_MAJOR 261
#define ACCEL_MAX_MINORS 256

/* ---- VERSION ------------------------------------------------------------------------------ */

#define ACCEL_NAME_LEN 32
#define ACCEL_DATE_LEN 16
#define ACCEL_DESC_LEN 128

/**
 * struct accel_version - driver identity, as DRM_IOCTL_VERSION but with fixed arrays.
 * @version_major: driver interface major (incompatible changes)
 * @version_minor: driver interface minor (additions)
 * @version_patchlevel: driver patch level
 * @pad: must be zero
 * @name: driver name, NUL-terminated ("dummy")
 * @date: driver date, NUL-terminated ("20221106")
 * @desc: one-line description, NUL-terminated
 *
 * DRM's own VERSION carries three user pointers; a pointer-free struct is what every accel
 * transport can carry, so accel defines its own at nr 0xe0. DRM's is served too, at its own
 * number, for libdrm's drmGetVersion() (struct accel_drm_version below); docs/drm-ioctls.md
 * compares the two and lists DRM's other core ioctls.
 */
struct accel_version {
  __u32 version_major;
  __u32 version_minor;
  __u32 version_patchlevel;
  __u32 pad;
  char name[ACCEL_NAME_LEN];
  char date[ACCEL_DATE_LEN];
  char desc[ACCEL_DESC_LEN];
};

/**
 * struct accel_drm_version - DRM_IOCTL_VERSION's struct drm_version, as laid out on LP64.
 * @version_major: out, the driver's major (as in struct accel_version)
 * @version_minor: out, the driver's minor
 * @version_patchlevel: out, the driver's patch level
 * @pad: the padding of struct drm_version before @name_len; handed back untouched
 * @name_len: in, bytes at @name; out, strlen of the driver's name
 * @name: in, address of the caller's buffer (a char * in struct drm_version), or 0
 * @date_len: in/out, as @name_len, for the driver's date
 * @date: in, address of the caller's buffer, or 0
 * @desc_len: in/out, as @name_len, for the driver's description
 * @desc: in, address of the caller's buffer, or 0
 *
 * The same 64 bytes as struct drm_version on x86-64 and every other LP64 target, with __u64
 * where drm.h has size_t and char *, so that DRM_IOCTL_VERSION (0xc0406400) is this command and
 * libdrm's drmGetVersion() works on an accel node. A 32-bit caller's struct drm_version is 36
 * bytes (-EINVAL here: accel has no compat path). Semantics are drm_copy_field()'s: for each
 * string, min(*_len, strlen) bytes (no NUL) are copied to the pointer when it is non-zero and
 * *_len > 0, then *_len is set to the string's true length; the pointers go back as they came.
 * Call it once with zero lengths to learn them, then again with buffers, as libdrm does.
 *
 * No length is ever 0: libdrm strdup()s every pointer it allocated for a non-zero length and
 * passes NULL otherwise. A driver without a date reports "0" (what the kernel reports for
 * every driver since driver dates were removed), one without a description reports its name.
 *
 * Over a FUSE node only this struct travels and the daemon cannot write behind the pointers;
 * it writes nothing there and still returns 0 with the lengths set, so libdrm gets the version
 * numbers and empty strings instead of a failure. The strings arrive in full over the socket
 * (libaccel) and, over any transport, through ACCEL_IOCTL_VERSION.
 */
struct accel_drm_version {
  __s32 version_major;
  __s32 version_minor;
  __s32 version_patchlevel;
  __u32 pad;
  __u64 name_len;
  __u64 name;
  __u64 date_len;
  __u64 date;
  __u64 desc_len;
  __u64 desc;
};

/* ---- GET_CAP (DRM's number and layout) ---------------------------------------------------- */

/**
 * struct accel_get_cap - query one capability; identical to struct drm_get_cap.
 * @capability: ACCEL_CAP_*, or one of the DRM capabilities below
 * @value: its value, written by the device (0 on failure)
 *
 * Answered as drm_getcap() answers for a driver without DRIVER_MODESET, which every accel
 * driver is: ACCEL_DRM_CAP_TIMESTAMP_MONOTONIC is 1, ACCEL_DRM_CAP_PRIME is IMPORT|EXPORT (the
 * kernel reports both for every driver), ACCEL_DRM_CAP_SYNCOBJ and _SYNCOBJ_TIMELINE are the
 * driver's DRIVER_SYNCOBJ / DRIVER_SYNCOBJ_TIMELINE feature (0 for every accel driver today).
 * Every other capability, the KMS ones (DUMB_BUFFER, ...) and unknown numbers alike, is
 * -EOPNOTSUPP: the kernel's "other caps only work with KMS drivers" check comes before its
 * -EINVAL for an unknown capability, so a non-KMS node never answers -EINVAL.
 */
struct accel_get_cap {
  __u64 capability;
  __u64 value;
};

/* DRM's capabilities that a non-KMS node answers (DRM_CAP_* of include/uapi/drm/drm.h). */
#define ACCEL_DRM_CAP_PRIME 0x5
#define ACCEL_DRM_CAP_TIMESTAMP_MONOTONIC 0x6
#define ACCEL_DRM_CAP_SYNCOBJ 0x13
#define ACCEL_DRM_CAP_SYNCOBJ_TIMELINE 0x14
#define ACCEL_DRM_PRIME_CAP_IMPORT 0x1 /* DRM_PRIME_CAP_IMPORT */
#define ACCEL_DRM_PRIME_CAP_EXPORT 0x2 /* DRM_PRIME_CAP_EXPORT */

/* accel's capabilities start at 0x1000, clear of DRM_CAP_* (0x1..0x15 today). */
#define ACCEL_CAP_UAPI_VERSION 0x1000    /* (major << 16) | minor of this header */
#define ACCEL_CAP_RAS_FORMATS 0x1001     /* bitmask of ACCEL_CAP_RAS_* the device can encode */
#define ACCEL_CAP_RAS_PASSTHROUGH 0x1002 /* ACCEL_CAP_RAS_* bits of its firmware's own blobs */
#define ACCEL_CAP_MINOR 0x1003           /* N of accelN */

/* 1.1: DRM's VERSION at 0x00; GET_CAP answers DRM's capabilities, -EOPNOTSUPP the others. */
#define ACCEL_UAPI_VERSION_MAJOR 1
#define ACCEL_UAPI_VERSION_MINOR 1

/*
 * RAS formats, as bit indices. The RFC thread proposed these bits but listed
 * ACCEL_CAP_RAS_JSON twice (bits 2 and 6); JSON keeps bit 2 and bit 6 stays reserved so the
 * other proposed numbers (ASN1 = 7) are kept.
 */
#define ACCEL_RAS_FMT_KEY_VAL_32 0
#define ACCEL_RAS_FMT_NETLINK 1
#define ACCEL_RAS_FMT_JSON 2
#define ACCEL_RAS_FMT_PROTOBUF 3
#define ACCEL_RAS_FMT_GRPC 4
#define ACCEL_RAS_FMT_THRIFT 5
#define ACCEL_RAS_FMT_RESERVED_6 6 /* the seed's duplicate JSON; never assigned */
#define ACCEL_RAS_FMT_ASN1 7
#define ACCEL_RAS_FMT_CBOR 8
#define ACCEL_RAS_FMT_CPER 9
#define ACCEL_RAS_FMT_COUNT 10

#define ACCEL_CAP_RAS_KEY_VAL_32 (1ULL << ACCEL_RAS_FMT_KEY_VAL_32)
#define ACCEL_CAP_RAS_NETLINK (1ULL << ACCEL_RAS_FMT_NETLINK)
#define ACCEL_CAP_RAS_JSON (1ULL << ACCEL_RAS_FMT_JSON)
#define ACCEL_CAP_RAS_PROTOBUF (1ULL << ACCEL_RAS_FMT_PROTOBUF)
#define ACCEL_CAP_RAS_GRPC (1ULL << ACCEL_RAS_FMT_GRPC)
#define ACCEL_CAP_RAS_THRIFT (1ULL << ACCEL_RAS_FMT_THRIFT)
#define ACCEL_CAP_RAS_ASN1 (1ULL << ACCEL_RAS_FMT_ASN1)
#define ACCEL_CAP_RAS_CBOR (1ULL << ACCEL_RAS_FMT_CBOR)
#define ACCEL_CAP_RAS_CPER (1ULL << ACCEL_RAS_FMT_CPER)

/* ---- RAS_QUERY ---------------------------------------------------------------------------- */

#define ACCEL_RAS_QUERY_RAW (1u << 0) /* pass-through: the firmware's own blob, untouched */
/* THRIFT only: the compact protocol instead of the binary one (schema says which). */
#define ACCEL_RAS_QUERY_THRIFT_COMPACT (1u << 1)
#define ACCEL_RAS_QUERY_FLAGS_ALL (ACCEL_RAS_QUERY_RAW | ACCEL_RAS_QUERY_THRIFT_COMPACT)

/**
 * struct accel_ras_query - fetch RAS data in a format the caller picks.
 * @format: in, ACCEL_RAS_FMT_* bit index; a format the device lacks is -EOPNOTSUPP
 * @flags: in, ACCEL_RAS_QUERY_*; unknown flags are -EINVAL
 * @ptr: in, address of the caller's buffer (a __u64, never a pointer type)
 * @size: in, size of that buffer in bytes (0 is a valid way to ask for the length)
 * @len: out, bytes written, or, with -ENOSPC, bytes needed
 * @schema: out, what the payload holds: the format itself, or with RAW the firmware's schema
 *          id (ACCEL_RAS_SCHEMA_*)
 *
 * A buffer too small returns -ENOSPC with @len set to the size needed and nothing written.
 *
 * Pass-through: a device whose ACCEL_CAP_RAS_PASSTHROUGH is non-zero carries its firmware's
 * blobs; that value holds the ACCEL_CAP_RAS_* bits of the formats the firmware writes. With
 * ACCEL_RAS_QUERY_RAW, @format must be one of those and the reply is the firmware's last blob,
 * byte for byte (-ENODATA before the firmware sent one). Without RAW the blob has been decoded
 * into accel's model, and any format the device offers encodes it.
 *
 * What each format carries, and its schema file, is in docs/ras/<format>.md. GRPC's payload
 * is the gRPC target URI of acceld's RAS service ("unix:/run/accel/ras.sock"), not data.
 */
struct accel_ras_query {
  __u32 format;
  __u32 flags;
  __u64 ptr;
  __u32 size;
  __u32 len;
  __u32 schema;
  __u32 pad;
};

#define ACCEL_RAS_SCHEMA_NATIVE 0         /* the payload is in @format as documented by accel */
#define ACCEL_RAS_SCHEMA_THRIFT_COMPACT 1 /* THRIFT, compact protocol, accel's IDL */
#define ACCEL_RAS_SCHEMA_FIRMWARE 0x100   /* RAW: the firmware's own schema (driver-defined) */

/*
 * KEY_VAL_32 layout: an array of struct accel_ras_kv32. The key packs
 *   bits 31..24 component index (as the device enumerates them)
 *   bits 23..16 severity (ACCEL_RAS_SEV_*)
 *   bits 15..0  counter id (ACCEL_RAS_CTR_*)
 * Values above 2^32-1 saturate at 0xffffffff: KEY_VAL_32 is the format for firmware that
 * keeps 32-bit counters; a caller that needs exact 64-bit counts picks another format.
 */
struct accel_ras_kv32 {
  __u32 key;
  __u32 value;
};

#define ACCEL_RAS_SEV_CORRECTED 0
#define ACCEL_RAS_SEV_DEFERRED 1
#define ACCEL_RAS_SEV_UNCORRECTED 2
#define ACCEL_RAS_SEV_FATAL 3
#define ACCEL_RAS_SEV_INFORMATIONAL 4
#define ACCEL_RAS_SEV_COUNT 5

#define ACCEL_RAS_CTR_VOLATILE 0  /* since the device was registered */
#define ACCEL_RAS_CTR_AGGREGATE 1 /* over the device's lifetime (persisted) */

#define ACCEL_RAS_KV32_KEY(component, severity, counter)                    \
  ((((__u32)(component)&0xffu) << 24) | (((__u32)(severity)&0xffu) << 16) | \
   ((__u32)(counter)&0xffffu))
#define ACCEL_RAS_KV32_COMPONENT(key) (((key) >> 24) & 0xffu)
#define ACCEL_RAS_KV32_SEVERITY(key) (((key) >> 16) & 0xffu)
#define ACCEL_RAS_KV32_COUNTER(key) ((key)&0xffffu)

/* ---- RAS events --------------------------------------------------------------------------- */

#define ACCEL_RAS_COMPONENT_LEN 16
#define ACCEL_RAS_MESSAGE_LEN 64

/**
 * struct accel_ras_event - one RAS event, as queued for an open file.
 * @seqno: the device's event sequence number (monotonic; gaps mean events went elsewhere
 *         before this file was opened, or were lost, see @lost)
 * @timestamp_ns: CLOCK_REALTIME of the event
 * @component: component index, as KEY_VAL_32 numbers them
 * @severity: ACCEL_RAS_SEV_*
 * @code: driver-specific error code
 * @count: how many errors the event stands for
 * @lost: events dropped from this file's queue (it was full) since the last one read
 * @pad: zero
 * @component_name: NUL-terminated ("hbm0")
 * @message: NUL-terminated, human-readable
 *
 * Every open file has its own bounded queue (ACCEL_RAS_EVENT_QUEUE_LEN); a device's events
 * go to every file open on it. poll(2) on a node reports POLLIN while the queue is not
 * empty; ACCEL_IOCTL_RAS_EVENT_READ takes the oldest event, or fails with -EAGAIN when there
 * is none (it never sleeps: wait with poll). Overflow is never silent: it is counted in @lost
 * of the next event read.
 */
struct accel_ras_event {
  __u64 seqno;
  __u64 timestamp_ns;
  __u32 component;
  __u32 severity;
  __u32 code;
  __u32 count;
  __u32 lost;
  __u32 pad;
  char component_name[ACCEL_RAS_COMPONENT_LEN];
  char message[ACCEL_RAS_MESSAGE_LEN];
};

#define ACCEL_RAS_EVENT_QUEUE_LEN 64

/* ---- RAS_CLEAR and RAS_INJECT (privileged) --------------------------------------------------- */

/**
 * struct accel_ras_clear - zero the device's volatile RAS counters (root only).
 * @flags: must be zero
 * @pad: must be zero
 * Aggregate counters, the event log and retired pages are kept: they are the device's history.
 */
struct accel_ras_clear {
  __u32 flags;
  __u32 pad;
};

#define ACCEL_RAS_INJECT_ADDRESS (1u << 0) /* @address is valid (memory errors) */
#define ACCEL_RAS_INJECT_FLAGS_ALL (ACCEL_RAS_INJECT_ADDRESS)

/**
 * struct accel_ras_inject - make the device report errors, as EINJ does for a platform.
 * @component: component index (as KEY_VAL_32 numbers them); out of range is -EINVAL
 * @severity: ACCEL_RAS_SEV_*; out of range is -EINVAL
 * @count: errors the event stands for, 1..2^32-1 (0 is -EINVAL)
 * @flags: ACCEL_RAS_INJECT_*
 * @address: with ACCEL_RAS_INJECT_ADDRESS, the (device) physical address of the error
 * @seqno: out, the sequence number of the event logged
 *
 * Root only. The driver simulates the error (its firmware, if it has one, sees it) and the
 * event goes through the same path as a real one: counters, log, thresholds, subscribers.
 * The call returns once the event is durable in the RAS store (acknowledged).
 * -EOPNOTSUPP when the driver cannot inject.
 */
struct accel_ras_inject {
  __u32 component;
  __u32 severity;
  __u32 count;
  __u32 flags;
  __u64 address;
  __u64 seqno;
};

/* ---- the commands ------------------------------------------------------------------------- */

#define ACCEL_IOCTL_DRM_VERSION ACCEL_IOWR(0x00, struct accel_drm_version) /* DRM_IOCTL_VERSION */
#define ACCEL_IOCTL_GET_CAP ACCEL_IOWR(0x0c, struct accel_get_cap)
#define ACCEL_IOCTL_VERSION ACCEL_IOR(0xe0, struct accel_version)
#define ACCEL_IOCTL_RAS_QUERY ACCEL_IOWR(0xe1, struct accel_ras_query)
#define ACCEL_IOCTL_RAS_EVENT_READ ACCEL_IOR(0xe2, struct accel_ras_event)
#define ACCEL_IOCTL_RAS_CLEAR ACCEL_IOW(0xe3, struct accel_ras_clear)
#define ACCEL_IOCTL_RAS_INJECT ACCEL_IOWR(0xe4, struct accel_ras_inject)

/* ---- pinned sizes and numbers ------------------------------------------------------------- */

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
#if defined(__cplusplus)
#define ACCEL_UAPI_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define ACCEL_UAPI_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_version) == 192, "accel_version is 192 bytes");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_drm_version) == 64, "drm_version on LP64");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_get_cap) == 16, "accel_get_cap is drm_get_cap");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_DRM_VERSION == 0xc0406400u, "DRM_IOCTL_VERSION's number");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_ras_query) == 32, "accel_ras_query is 32 bytes");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_ras_kv32) == 8, "accel_ras_kv32 is 8 bytes");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_ras_event) == 120, "accel_ras_event is 120 bytes");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_GET_CAP == 0xc010640cu, "DRM_IOCTL_GET_CAP's number");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_VERSION == 0x80c064e0u, "VERSION is _IOR('d',0xe0,192)");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_RAS_QUERY == 0xc02064e1u, "RAS_QUERY is _IOWR('d',0xe1,32)");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_RAS_EVENT_READ == 0x807864e2u, "_IOR('d',0xe2,120)");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_ras_clear) == 8, "accel_ras_clear is 8 bytes");
ACCEL_UAPI_STATIC_ASSERT(sizeof(struct accel_ras_inject) == 32, "accel_ras_inject is 32 bytes");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_RAS_CLEAR == 0x400864e3u, "RAS_CLEAR is _IOW('d',0xe3,8)");
ACCEL_UAPI_STATIC_ASSERT(ACCEL_IOCTL_RAS_INJECT == 0xc02064e4u, "_IOWR('d',0xe4,32)");
#undef ACCEL_UAPI_STATIC_ASSERT
#endif

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_UAPI_ACCEL_H_ */
