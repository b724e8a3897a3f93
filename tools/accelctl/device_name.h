// device_name.h - what counts as a device name on accelctl's command line.
//
// A device is named as its node is, "accelN" with N a minor below ACCEL_MAX_MINORS and no
// leading zeros (accel0, accel12; not accel012, accel256 or /dev/accel/accel0): the same rule
// acceld applies, checked here first so that a typo is a usage error, not a daemon round trip.
//
//   info->add_option("DEVICE", name)->check(DeviceNameValidator());
#ifndef ACCEL_TOOLS_ACCELCTL_DEVICE_NAME_H_
#define ACCEL_TOOLS_ACCELCTL_DEVICE_NAME_H_

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace accelctl {

// The minor N of "accelN", or nullopt when `name` is not a device name.
std::optional<unsigned> MinorOfDeviceName(const std::string& name);

// A CLI11 check that rejects anything MinorOfDeviceName() rejects.
CLI::Validator DeviceNameValidator();

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_DEVICE_NAME_H_
