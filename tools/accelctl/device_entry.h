// device_entry.h - one served device as acceld lists it, in the words accelctl prints.
//
// accel_list() fills fixed C records (struct accel_device_entry); `list` prints them as a
// table or JSON and `info` prints the same fields for one device, so both go through here and
// name every field the same way. Strings in a record come from acceld; they are bounded here
// (a record whose string lacks its NUL is cut at the field's end, never read past it).
//
//   std::vector<accel_device_entry> all = ...;
//   Json j = DeviceEntryJson(all[0]);   // {"node": "accel0", "minor": 0, ...}
#ifndef ACCEL_TOOLS_ACCELCTL_DEVICE_ENTRY_H_
#define ACCEL_TOOLS_ACCELCTL_DEVICE_ENTRY_H_

#include <accel/libaccel.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accelctl {

// JSON whose keys print in the order they were set, so output reads in the table's order.
using Json = nlohmann::ordered_json;

// A fixed char array from a record as a string, stopping at the first NUL or the array's end.
template <size_t N>
std::string RecordString(const char (&field)[N]) {
  size_t len = 0;
  while (len < N && field[len] != '\0') ++len;
  return std::string(field, len);
}

// The header of `accelctl list`'s table.
std::vector<std::string> DeviceTableHeader();

// The cells of one row of `accelctl list`'s table, in DeviceTableHeader()'s order.
std::vector<std::string> DeviceTableRow(const accel_device_entry& entry);

// The record as JSON: node, minor, driver, serial, bus, mode, uid, owner, gid, group,
// open_count, vendor_id, device_id, ras_formats (names) and ras_formats_mask.
Json DeviceEntryJson(const accel_device_entry& entry);

// Prints JSON for people and pipes alike: indented, invalid UTF-8 replaced rather than thrown.
std::string DumpJson(const Json& value);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_DEVICE_ENTRY_H_
