// generic_ioctls.h - the generic command table: DRM's VERSION and GET_CAP, accel's VERSION and
// RAS_* (include/uapi/accel/accel.h; docs/drm-ioctls.md for DRM's other core numbers).
//
// The same {cmd, min_size, flags, handler} entries drivers use; the dispatcher treats both
// tables alike. Indexed by nr for one-load lookup.
#ifndef ACCEL_CORE_GENERIC_IOCTLS_H_
#define ACCEL_CORE_GENERIC_IOCTLS_H_

#include <accel/driver_abi.h>

#include <cstdint>

namespace accel::core {

// The generic command at `nr` (0x00..0x3f, 0xe0..0xef), or nullptr.
const accel_ioctl_desc* FindGenericIoctl(uint32_t nr);

}  // namespace accel::core

#endif  // ACCEL_CORE_GENERIC_IOCTLS_H_
