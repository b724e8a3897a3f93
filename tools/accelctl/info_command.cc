// info_command.cc - see info_command.h.
//
// The device's list record is fetched before the device is opened: it holds what the advice
// after a refused open needs (node mode and group), and a failing LIST tells "acceld is not
// there" apart from "the device is not there" without guessing from one errno.
#include "info_command.h"

#include <fmt/core.h>
#include <accel/accel.hpp>

#include <cerrno>
#include <optional>

#include "device_entry.h"
#include "device_info.h"
#include "failure.h"
#include "node_owner.h"

namespace accelctl {
namespace {

int FailNoDevice(const std::string& device) {
  return Fail(ExitStatus::kFailed, fmt::format("no device {}; see `accelctl list`", device));
}

int FailOpen(const accel_device_entry& entry, int err) {
  const std::string device = RecordString(entry.name);
  if (err == -ENODEV) return FailNoDevice(device);
  if (IsUnreachable(err)) return FailUnreachable(err);
  if (err == -EACCES)
    return Fail(ExitStatus::kFailed,
                fmt::format("permission denied opening {} (node mode {} group {}); ask for "
                            "membership of that group",
                            device, FormatNodeMode(entry.mode), GroupName(entry.gid)));
  return Fail(ExitStatus::kFailed, fmt::format("cannot open {}: {}", device, ErrnoText(err)));
}

int FailQuery(const std::string& device, const std::string& call, int err) {
  if (err == -ENODEV)
    return Fail(ExitStatus::kFailed,
                fmt::format("{} went away during {}; see `accelctl list`", device, call));
  if (IsUnreachable(err)) return FailUnreachable(err);
  return Fail(ExitStatus::kFailed, fmt::format("{} on {} failed: {}; the driver may be too old "
                                               "or broken, check acceld's log",
                                               call, device, ErrnoText(err)));
}

std::optional<accel_device_entry> FindEntry(const std::vector<accel_device_entry>& devices,
                                            const std::string& device) {
  for (const accel_device_entry& entry : devices)
    if (RecordString(entry.name) == device) return entry;
  return std::nullopt;
}

}  // namespace

int RunInfo(const InfoOptions& options) {
  accel::Result<std::vector<accel_device_entry>> devices = accel::ListDevices();
  if (!devices) return FailUnreachable(devices.error());
  std::optional<accel_device_entry> entry = FindEntry(*devices, options.device);
  if (!entry) return FailNoDevice(options.device);

  accel::Result<accel::Device> device = accel::Device::Open(options.device);
  if (!device) return FailOpen(*entry, device.error());
  std::string failed_call;
  accel::Result<DeviceInfo> info = QueryDeviceInfo(*device, *entry, &failed_call);
  if (!info) return FailQuery(options.device, failed_call, info.error());

  if (options.json) {
    fmt::print("{}\n", DumpJson(DeviceInfoJson(*info)));
  } else {
    fmt::print("{}", DeviceInfoText(*info));
  }
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
