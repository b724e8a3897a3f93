/* SPDX-License-Identifier: MIT */
/*
 * dummy.h - uAPI of the dummy driver, accel's reference driver (the RFC's "dummy driver that
 * registers an accel device using the new framework").
 *
 * Driver commands live in the driver range (nr 0x40..0x9f), as for every accel driver:
 *   RAS_INJECT  bump a RAS counter (root only): how tests and operators make errors happen
 *   WAIT_EVENT  sleep until the device's RAS event sequence moves past a value: a blocking
 *               command, so that unplug-wakes-sleepers can be shown with the reference driver
 *   EXPORT      hand out sealed memfds: descriptor passing (socket transport only)
 *   SUBMIT      pretend to run a job, so that the file's engine time (fdinfo) moves
 *   FAULT       make the device wedge, recover, leave a devcoredump, retire a page or reset
 *               (root only): the recovery paths of the core, with the reference driver
 *
 * Each open file also has a buffer of ACCEL_DUMMY_BUFFER_SIZE bytes at the fake offset
 * ACCEL_DUMMY_BUFFER_OFFSET: pread(2)/pwrite(2) on a FUSE node there reach it, as a buffer
 * object's data is reached on a DRM node. Its usage (DRM fdinfo: drm-engine-compute,
 * drm-total-system, drm-resident-system) is in the sys tree's `clients` attribute.
 *
 * Components, in the order KEY_VAL_32 numbers them: hbm0, sram, pcie, fw, compute.
 */
#ifndef ACCEL_UAPI_DUMMY_H_
#define ACCEL_UAPI_DUMMY_H_

#include "accel.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define ACCEL_DUMMY_COMPONENT_HBM0 0
#define ACCEL_DUMMY_COMPONENT_SRAM 1
#define ACCEL_DUMMY_COMPONENT_PCIE 2
#define ACCEL_DUMMY_COMPONENT_FW 3
#define ACCEL_DUMMY_COMPONENT_COMPUTE 4
#define ACCEL_DUMMY_NUM_COMPONENTS 5

/**
 * struct accel_dummy_ras_inject - add @count errors of @severity to @component.
 * @component: ACCEL_DUMMY_COMPONENT_*; out of range is -EINVAL
 * @severity: ACCEL_RAS_SEV_*; out of range is -EINVAL
 * @count: how many (0 is -EINVAL)
 * @pad: must be zero
 */
struct accel_dummy_ras_inject {
  __u32 component;
  __u32 severity;
  __u32 count;
  __u32 pad;
};

/**
 * struct accel_dummy_wait_event - sleep until the event sequence differs from @seqno.
 * @seqno: in, the last sequence number seen; out, the current one
 * @timeout_ms: in, 0 polls; -ETIME when it passes with no event
 * @pad: must be zero
 * Returns -ENODEV if the device is unplugged while sleeping.
 */
struct accel_dummy_wait_event {
  __u64 seqno;
  __u32 timeout_ms;
  __u32 pad;
};

#define ACCEL_DUMMY_EXPORT_MAX 8               /* descriptors per EXPORT (a reply carries 8) */
#define ACCEL_DUMMY_EXPORT_MAX_SIZE (1u << 20) /* bytes per exported memfd */
#define ACCEL_DUMMY_EXPORT_FAIL (1u << 0)      /* install them, then fail with -EIO */

/**
 * struct accel_dummy_export - hand the caller @count sealed memfds (F_SEAL_SHRINK, F_SEAL_GROW,
 * F_SEAL_SEAL), as a driver exports a buffer. Socket transport only: over a FUSE node, which
 * cannot pass descriptors, it fails with -EOPNOTSUPP.
 * @count: in, 1..ACCEL_DUMMY_EXPORT_MAX
 * @size: in, bytes of each memfd, 1..ACCEL_DUMMY_EXPORT_MAX_SIZE; byte i of memfd k is
 *        (i + k) & 0xff
 * @flags: in, ACCEL_DUMMY_EXPORT_*; ACCEL_DUMMY_EXPORT_FAIL shows that a failed command hands
 *         over nothing
 * @pad: must be zero
 * @fds: out, new descriptors in the caller's process (the caller closes them); -1 past @count
 * @inos: out, each memfd's inode number as the driver saw it (fstat's st_ino), so that the
 *        caller can check it got the very same file
 */
struct accel_dummy_export {
  __u32 count;
  __u32 size;
  __u32 flags;
  __u32 pad;
  __s32 fds[ACCEL_DUMMY_EXPORT_MAX];
  __u64 inos[ACCEL_DUMMY_EXPORT_MAX];
};

/**
 * struct accel_dummy_submit - "run" a job on the compute engine: the file's engine time grows
 * by @busy_ns at once (nothing sleeps), as a real engine's would while it ran the job.
 * @busy_ns: in, nanoseconds of engine time; 0 is -EINVAL
 */
struct accel_dummy_submit {
  __u64 busy_ns;
};

#define ACCEL_DUMMY_FAULT_WEDGE 1       /* the device is wedged, because of @reason */
#define ACCEL_DUMMY_FAULT_RECOVER 2     /* it serves again */
#define ACCEL_DUMMY_FAULT_COREDUMP 3    /* it leaves a devcoredump of @arg bytes (0: 4096) */
#define ACCEL_DUMMY_FAULT_RETIRE_PAGE 4 /* the page at @address goes bad (severity @arg) */
#define ACCEL_DUMMY_FAULT_RESET 5       /* it is reset, which retires pending pages */
#define ACCEL_DUMMY_COREDUMP_MAX (64u << 20)

/**
 * struct accel_dummy_fault - make a recovery event happen (root only).
 * @type: ACCEL_DUMMY_FAULT_*; unknown is -EINVAL
 * @arg: COREDUMP: size in bytes (at most ACCEL_DUMMY_COREDUMP_MAX; the core keeps 16 MiB);
 *       RETIRE_PAGE: ACCEL_RAS_SEV_*; otherwise 0
 * @address: RETIRE_PAGE: the device address
 * @reason: WEDGE: why, NUL-terminated
 * A devcoredump starts with the line "dummy devcoredump accelN\n"; byte i after it is i & 0xff.
 */
struct accel_dummy_fault {
  __u32 type;
  __u32 arg;
  __u64 address;
  char reason[64];
};

#define ACCEL_DUMMY_DIGEST_MAX (1u << 20)

/**
 * struct accel_dummy_digest - read @size bytes of the caller's memory at @ptr and report their
 * FNV-1a 64-bit hash: the reference for a command whose input is behind a pointer
 * (copy_from_user).
 * @ptr: in, the caller's buffer; 0 with @size 0 is the empty input
 * @size: in, bytes at @ptr, at most ACCEL_DUMMY_DIGEST_MAX (-EINVAL past it)
 * @pad: must be 0
 * @digest: out, FNV-1a 64 of the bytes (0xcbf29ce484222325 for none)
 * A bad @ptr is -EFAULT. Over a FUSE node the daemon cannot reach the caller's memory: the
 * command is -EOPNOTSUPP there unless @size is 0 (docs/driver-host-ops.md).
 */
struct accel_dummy_digest {
  __u64 ptr;
  __u32 size;
  __u32 pad;
  __u64 digest;
};

/* Each open file's buffer (pread/pwrite on a FUSE node at this offset). */
#define ACCEL_DUMMY_BUFFER_OFFSET (1ull << 32)
#define ACCEL_DUMMY_BUFFER_SIZE 65536u

#define ACCEL_DUMMY_RAS_INJECT 0x00
#define ACCEL_DUMMY_WAIT_EVENT 0x01
#define ACCEL_DUMMY_EXPORT 0x02
#define ACCEL_DUMMY_SUBMIT 0x03
#define ACCEL_DUMMY_FAULT 0x04
#define ACCEL_DUMMY_DIGEST 0x05

#define ACCEL_IOCTL_DUMMY_RAS_INJECT \
  ACCEL_IOW(ACCEL_COMMAND_BASE + ACCEL_DUMMY_RAS_INJECT, struct accel_dummy_ras_inject)
#define ACCEL_IOCTL_DUMMY_WAIT_EVENT \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + ACCEL_DUMMY_WAIT_EVENT, struct accel_dummy_wait_event)
#define ACCEL_IOCTL_DUMMY_EXPORT \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + ACCEL_DUMMY_EXPORT, struct accel_dummy_export)
#define ACCEL_IOCTL_DUMMY_SUBMIT \
  ACCEL_IOW(ACCEL_COMMAND_BASE + ACCEL_DUMMY_SUBMIT, struct accel_dummy_submit)
#define ACCEL_IOCTL_DUMMY_FAULT \
  ACCEL_IOW(ACCEL_COMMAND_BASE + ACCEL_DUMMY_FAULT, struct accel_dummy_fault)
#define ACCEL_IOCTL_DUMMY_DIGEST \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + ACCEL_DUMMY_DIGEST, struct accel_dummy_digest)

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
#if defined(__cplusplus)
#define ACCEL_DUMMY_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define ACCEL_DUMMY_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif
ACCEL_DUMMY_STATIC_ASSERT(sizeof(struct accel_dummy_ras_inject) == 16, "ras_inject is 16 bytes");
ACCEL_DUMMY_STATIC_ASSERT(sizeof(struct accel_dummy_wait_event) == 16, "wait_event is 16 bytes");
ACCEL_DUMMY_STATIC_ASSERT(ACCEL_IOCTL_DUMMY_RAS_INJECT == 0x40106440u, "_IOW('d',0x40,16)");
ACCEL_DUMMY_STATIC_ASSERT(ACCEL_IOCTL_DUMMY_WAIT_EVENT == 0xc0106441u, "_IOWR('d',0x41,16)");
ACCEL_DUMMY_STATIC_ASSERT(sizeof(struct accel_dummy_export) == 112, "export is 112 bytes");
ACCEL_DUMMY_STATIC_ASSERT(sizeof(struct accel_dummy_submit) == 8, "submit is 8 bytes");
ACCEL_DUMMY_STATIC_ASSERT(sizeof(struct accel_dummy_fault) == 80, "fault is 80 bytes");
ACCEL_DUMMY_STATIC_ASSERT(ACCEL_IOCTL_DUMMY_EXPORT == 0xc0706442u, "_IOWR('d',0x42,112)");
ACCEL_DUMMY_STATIC_ASSERT(ACCEL_IOCTL_DUMMY_SUBMIT == 0x40086443u, "_IOW('d',0x43,8)");
ACCEL_DUMMY_STATIC_ASSERT(ACCEL_IOCTL_DUMMY_FAULT == 0x40506444u, "_IOW('d',0x44,80)");
ACCEL_DUMMY_STATIC_ASSERT(sizeof(struct accel_dummy_digest) == 24, "digest is 24 bytes");
ACCEL_DUMMY_STATIC_ASSERT(ACCEL_IOCTL_DUMMY_DIGEST == 0xc0186445u, "_IOWR('d',0x45,24)");
#undef ACCEL_DUMMY_STATIC_ASSERT
#endif

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_UAPI_DUMMY_H_ */
