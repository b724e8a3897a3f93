// list_command.cc - see list_command.h.
#include "list_command.h"

#include <fmt/core.h>
#include <accel/accel.hpp>

#include "device_entry.h"
#include "failure.h"
#include "text_table.h"

namespace accelctl {
namespace {

void PrintTable(const std::vector<accel_device_entry>& devices) {
  if (devices.empty()) {
    // An empty table would look like a broken tool; say what is going on instead.
    fmt::print(
        "no accel devices are served by acceld at {}; load a driver with "
        "`accelctl load dummy` (as root)\n",
        DaemonSocketPath());
    return;
  }
  TextTable table(DeviceTableHeader());
  for (const accel_device_entry& entry : devices) table.AddRow(DeviceTableRow(entry));
  fmt::print("{}", table.Render());
}

void PrintJson(const std::vector<accel_device_entry>& devices) {
  Json array = Json::array();
  for (const accel_device_entry& entry : devices) array.push_back(DeviceEntryJson(entry));
  fmt::print("{}\n", DumpJson(array));
}

}  // namespace

int RunList(const ListOptions& options) {
  accel::Result<std::vector<accel_device_entry>> devices = accel::ListDevices();
  // LIST is a control operation anyone may do, so any failure is about reaching acceld.
  if (!devices) return FailUnreachable(devices.error());
  if (options.json) {
    PrintJson(*devices);
  } else {
    PrintTable(*devices);
  }
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
