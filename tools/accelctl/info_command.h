// info_command.h - `accelctl info accelN`: one device's identity, capabilities and RAS counters.
#ifndef ACCEL_TOOLS_ACCELCTL_INFO_COMMAND_H_
#define ACCEL_TOOLS_ACCELCTL_INFO_COMMAND_H_

#include <string>

namespace accelctl {

struct InfoOptions {
  std::string device;  // "accelN", already checked by DeviceNameValidator()
  bool json = false;   // one JSON object (DeviceInfoJson()) instead of the report
};

// Opens the device, queries it and prints the report; returns the exit status.
int RunInfo(const InfoOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_INFO_COMMAND_H_
