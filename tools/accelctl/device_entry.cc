// device_entry.cc - see device_entry.h.
#include "device_entry.h"

#include "node_owner.h"
#include "ras_names.h"

namespace accelctl {

std::vector<std::string> DeviceTableHeader() {
  return {"NODE", "DRIVER", "SERIAL", "BUS", "MODE", "GROUP", "OPEN", "RAS FORMATS"};
}

std::vector<std::string> DeviceTableRow(const accel_device_entry& entry) {
  return {RecordString(entry.name),         RecordString(entry.driver),
          RecordString(entry.serial),       RecordString(entry.bus),
          FormatNodeMode(entry.mode),       GroupName(entry.gid),
          std::to_string(entry.open_count), JoinNames(RasFormatNames(entry.ras_formats), ",")};
}

Json DeviceEntryJson(const accel_device_entry& entry) {
  return {
      {"node", RecordString(entry.name)},
      {"minor", entry.minor},
      {"driver", RecordString(entry.driver)},
      {"serial", RecordString(entry.serial)},
      {"bus", RecordString(entry.bus)},
      {"mode", FormatNodeMode(entry.mode)},
      {"uid", entry.uid},
      {"owner", UserName(entry.uid)},
      {"gid", entry.gid},
      {"group", GroupName(entry.gid)},
      {"open_count", entry.open_count},
      {"vendor_id", entry.vendor_id},
      {"device_id", entry.device_id},
      {"ras_formats", RasFormatNames(entry.ras_formats)},
      {"ras_formats_mask", entry.ras_formats},
  };
}

std::string DumpJson(const Json& value) {
  return value.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace accelctl
