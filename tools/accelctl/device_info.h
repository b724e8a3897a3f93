// device_info.h - what `accelctl info` learns about one open device, and how it shows it.
//
// Everything here comes from the device's own ioctls (VERSION, GET_CAP, RAS_QUERY), exactly
// as a program holding a kernel node would ask, plus the device's list record for what only
// acceld knows (serial, bus, node mode and group, open count).
//
//   accel::Result<DeviceInfo> info = QueryDeviceInfo(device, entry, &failed_call);
//   fmt::print("{}", DeviceInfoText(*info));
#ifndef ACCEL_TOOLS_ACCELCTL_DEVICE_INFO_H_
#define ACCEL_TOOLS_ACCELCTL_DEVICE_INFO_H_

#include <uapi/accel/accel.h>
#include <accel/accel.hpp>

#include <optional>
#include <string>
#include <vector>

#include "device_entry.h"
#include "ras_counters.h"

namespace accelctl {

struct DeviceInfo {
  accel_device_entry entry{};  // from LIST, taken before this tool opened the device
  accel_version version{};
  uint64_t minor = 0;         // ACCEL_CAP_MINOR
  uint64_t uapi_version = 0;  // ACCEL_CAP_UAPI_VERSION: (major << 16) | minor
  uint64_t ras_formats = 0;   // ACCEL_CAP_RAS_FORMATS
  bool ras_passthrough = false;
  // Present when the device speaks KEY_VAL_32.
  std::optional<std::vector<RasCounter>> ras_counters;
  // Index = component number, as the device names them (from its JSON snapshot; empty when it
  // offers no JSON, and counters are then shown as component<N>).
  std::vector<std::string> ras_component_names;
};

// Issues VERSION, the GET_CAPs and RAS_QUERY (KEY_VAL_32 for the counters, JSON for the
// component names, each when the device offers it). On failure returns the
// negative errno and names the call that failed in *failed_call ("GET_CAP(RAS_FORMATS)").
accel::Result<DeviceInfo> QueryDeviceInfo(accel::Device& device, const accel_device_entry& entry,
                                          std::string* failed_call);

// The human-readable report: identity lines, then the volatile RAS counters as a table.
std::string DeviceInfoText(const DeviceInfo& info);

// The same as one JSON object (the list fields plus version, capabilities and counters).
Json DeviceInfoJson(const DeviceInfo& info);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_DEVICE_INFO_H_
