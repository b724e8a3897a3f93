// info_command.cc - see info_command.h.
#include "info_command.h"

#include <fmt/core.h>
#include <accel/accel.hpp>

#include <optional>

#include "device_info.h"
#include "device_open.h"
#include "failure.h"

namespace accelctl {

int RunInfo(const InfoOptions& options) {
  std::optional<accel::Device> device;
  accel_device_entry entry{};
  if (int status = OpenListedDevice(options.device, "", &device, &entry)) return status;
  std::string failed_call;
  accel::Result<DeviceInfo> info = QueryDeviceInfo(*device, entry, &failed_call);
  if (!info) return FailDeviceCall(options.device, failed_call, info.error());

  if (options.json) {
    fmt::print("{}\n", DumpJson(DeviceInfoJson(*info)));
  } else {
    fmt::print("{}", DeviceInfoText(*info));
  }
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
