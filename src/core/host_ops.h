// host_ops.h - the core's side of the driver ABI: struct accel_host_ops.
#ifndef ACCEL_CORE_HOST_OPS_H_
#define ACCEL_CORE_HOST_OPS_H_

#include <accel/driver_abi.h>

namespace accel::core {

// The services every driver gets at load(); see include/accel/driver_abi.h.
extern const accel_host_ops kHostOps;

}  // namespace accel::core

#endif  // ACCEL_CORE_HOST_OPS_H_
