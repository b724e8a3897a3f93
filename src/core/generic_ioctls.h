// generic_ioctls.h - the generic command table: VERSION, GET_CAP, RAS_QUERY.
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
