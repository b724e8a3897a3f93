// ras_admin.h - `accelctl ras clear` and `accelctl ras inject`: the privileged RAS ioctls.
//
//   accelctl ras clear accel0
//       zero the volatile counters (aggregate counters, the log and retired pages stay)
//   accelctl ras inject accel0 --component hbm0 --severity corrected --count 3 --address 0x1000
//       make the device report errors, as EINJ does for a platform; prints the event's seqno
//
// Both are root only (ACCEL_IOCTL_RAS_CLEAR, ACCEL_IOCTL_RAS_INJECT); anyone else gets one
// line saying so. The component is given by name and resolved to its index from the device's
// own list (its JSON snapshot). inject returns once the event is durable in the RAS store.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_ADMIN_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_ADMIN_H_

#include <cstdint>
#include <optional>
#include <string>

namespace accelctl {

struct RasClearOptions {
  std::string device;  // "accelN", checked by DeviceNameValidator()
};

struct RasInjectOptions {
  std::string device;
  std::string component;  // a component name ("hbm0"), or its index
  std::string severity;   // a name RasSeverityValidator() accepted
  uint32_t count = 1;     // 1..2^32-1
  std::optional<uint64_t> address;
};

int RunRasClear(const RasClearOptions& options);
int RunRasInject(const RasInjectOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_ADMIN_H_
