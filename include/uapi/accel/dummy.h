/* SPDX-License-Identifier: MIT */
/*
 * dummy.h - uAPI of the dummy driver, accel's reference driver (the RFC's "dummy driver that
 * registers an accel device using the new framework").
 *
 * Driver commands live in the driver range (nr 0x40..0x9f), as for every accel driver:
 *   RAS_INJECT  bump a RAS counter (root only): how tests and operators make errors happen
 *   WAIT_EVENT  sleep until the device's RAS event sequence moves past a value: a blocking
 *               command, so that unplug-wakes-sleepers can be shown with the reference driver
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

#define ACCEL_DUMMY_RAS_INJECT 0x00
#define ACCEL_DUMMY_WAIT_EVENT 0x01

#define ACCEL_IOCTL_DUMMY_RAS_INJECT \
  ACCEL_IOW(ACCEL_COMMAND_BASE + ACCEL_DUMMY_RAS_INJECT, struct accel_dummy_ras_inject)
#define ACCEL_IOCTL_DUMMY_WAIT_EVENT \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + ACCEL_DUMMY_WAIT_EVENT, struct accel_dummy_wait_event)

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
#undef ACCEL_DUMMY_STATIC_ASSERT
#endif

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_UAPI_DUMMY_H_ */
