// device_open.cc - see device_open.h.
#include "device_open.h"

#include <fmt/core.h>

#include <cerrno>

#include "device_entry.h"
#include "failure.h"
#include "node_owner.h"

namespace accelctl {
namespace {

int FailOpen(const accel_device_entry& entry, const std::string& root_command, int err) {
  const std::string device = RecordString(entry.name);
  if (err == -ENODEV) return FailNoDevice(device);
  if (IsUnreachable(err)) return FailUnreachable(err);
  if (err == -EACCES && !root_command.empty())
    return Fail(ExitStatus::kFailed,
                fmt::format("`accelctl {}` needs root (opening {}: {}); run it as root",
                            root_command, device, ErrnoText(err)));
  if (err == -EACCES)
    return Fail(ExitStatus::kFailed,
                fmt::format("permission denied opening {} (node mode {} group {}); ask for "
                            "membership of that group",
                            device, FormatNodeMode(entry.mode), GroupName(entry.gid)));
  return Fail(ExitStatus::kFailed, fmt::format("cannot open {}: {}", device, ErrnoText(err)));
}

}  // namespace

int FailNoDevice(const std::string& device) {
  return Fail(ExitStatus::kFailed, fmt::format("no device {}; see `accelctl list`", device));
}

int FindListedDevice(const std::string& name, accel_device_entry* entry) {
  accel::Result<std::vector<accel_device_entry>> devices = accel::ListDevices();
  if (!devices) return FailUnreachable(devices.error());
  if (name.empty()) return static_cast<int>(ExitStatus::kOk);
  for (const accel_device_entry& e : *devices) {
    if (RecordString(e.name) != name) continue;
    if (entry != nullptr) *entry = e;
    return static_cast<int>(ExitStatus::kOk);
  }
  return FailNoDevice(name);
}

int OpenListedDevice(const std::string& name, const std::string& root_command,
                     std::optional<accel::Device>* device, accel_device_entry* entry) {
  accel_device_entry listed{};
  if (int status = FindListedDevice(name, &listed)) return status;
  if (entry != nullptr) *entry = listed;
  accel::Result<accel::Device> opened = accel::Device::Open(name);
  if (!opened) return FailOpen(listed, root_command, opened.error());
  device->emplace(std::move(*opened));
  return static_cast<int>(ExitStatus::kOk);
}

int FailDeviceCall(const std::string& device, const std::string& call, int err) {
  if (err == -ENODEV)
    return Fail(ExitStatus::kFailed,
                fmt::format("{} went away during {}; see `accelctl list`", device, call));
  if (IsUnreachable(err)) return FailUnreachable(err);
  return Fail(ExitStatus::kFailed, fmt::format("{} on {} failed: {}; the driver may be too old "
                                               "or broken, check acceld's log",
                                               call, device, ErrnoText(err)));
}

}  // namespace accelctl
