// device_info.cc - see device_info.h.
#include "device_info.h"

#include <fmt/core.h>
#include <uapi/accel/accel.h>

#include <cctype>

#include "device_entry.h"
#include "node_owner.h"
#include "ras_device.h"
#include "ras_names.h"
#include "text_table.h"

namespace accelctl {
namespace {

struct CapabilityQuery {
  uint64_t capability;
  const char* name;  // for the failure message
  uint64_t* value;
};

int GetCap(accel::Device& device, uint64_t capability, uint64_t* value) {
  accel_get_cap cap{};
  cap.capability = capability;
  int rc = device.Ioctl(ACCEL_IOCTL_GET_CAP, cap);
  if (rc == 0) *value = cap.value;
  return rc;
}

std::string UpperCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string DriverVersion(const accel_version& v) {
  return fmt::format("{}.{}.{}", v.version_major, v.version_minor, v.version_patchlevel);
}

std::string UapiVersion(uint64_t packed) {
  return fmt::format("{}.{}", packed >> 16, packed & 0xffff);
}

std::string DevNumber(const DeviceInfo& info) {
  return fmt::format("{}:{}", ACCEL_MAJOR, info.minor);
}

std::string RasFormatsLine(const DeviceInfo& info) {
  return fmt::format("{} (mask {:#x}), firmware pass-through {}",
                     JoinNames(RasFormatNames(info.ras_formats), ", "), info.ras_formats,
                     info.ras_passthrough ? "yes" : "no");
}

std::string IdentityText(const DeviceInfo& info) {
  const accel_device_entry& e = info.entry;
  TextTable lines(
      {"driver", fmt::format("{} {} ({})", RecordString(info.version.name),
                             DriverVersion(info.version), RecordString(info.version.date))});
  lines.AddRow({"description", RecordString(info.version.desc)});
  lines.AddRow({"dev", DevNumber(info)});
  lines.AddRow({"serial", RecordString(e.serial)});
  lines.AddRow({"bus", RecordString(e.bus)});
  lines.AddRow({"node", fmt::format("mode {}, owner {}, group {}, open by {} other file(s)",
                                    FormatNodeMode(e.mode), UserName(e.uid), GroupName(e.gid),
                                    e.open_count)});
  lines.AddRow({"uapi", UapiVersion(info.uapi_version)});
  lines.AddRow({"ras formats", RasFormatsLine(info)});
  return fmt::format("{}\n{}", RecordString(e.name), lines.Render("  "));
}

std::string CountersText(const DeviceInfo& info) {
  if (!info.ras_counters)
    return "  RAS counters: not shown (the device does not offer key_val_32)\n";
  const VolatileCounterGrid grid = VolatileCounters(*info.ras_counters);
  std::vector<std::string> header{"COMPONENT"};
  for (uint32_t s = 0; s < ACCEL_RAS_SEV_COUNT; ++s)
    header.push_back(UpperCase(RasSeverityName(s)));
  TextTable table(std::move(header));
  for (uint32_t component = 0; component < grid.values.size(); ++component) {
    std::vector<std::string> row{RasComponentName(info.ras_component_names, component)};
    for (uint32_t value : grid.values[component]) row.push_back(std::to_string(value));
    table.AddRow(std::move(row));
  }
  return "  RAS counters (volatile: since the device was registered)\n" + table.Render("    ");
}

Json CountersJson(const DeviceInfo& info) {
  if (!info.ras_counters) return nullptr;
  const VolatileCounterGrid grid = VolatileCounters(*info.ras_counters);
  Json components = Json::object();
  for (uint32_t component = 0; component < grid.values.size(); ++component) {
    Json by_severity = Json::object();
    for (uint32_t s = 0; s < grid.values[component].size(); ++s)
      by_severity[RasSeverityName(s)] = grid.values[component][s];
    components[RasComponentName(info.ras_component_names, component)] = std::move(by_severity);
  }
  return components;
}

}  // namespace

accel::Result<DeviceInfo> QueryDeviceInfo(accel::Device& device, const accel_device_entry& entry,
                                          std::string* failed_call) {
  DeviceInfo info;
  info.entry = entry;
  if (int rc = device.Ioctl(ACCEL_IOCTL_VERSION, info.version); rc < 0) {
    *failed_call = "VERSION";
    return accel::Errno{rc};
  }
  uint64_t passthrough = 0;
  const CapabilityQuery caps[] = {
      {ACCEL_CAP_UAPI_VERSION, "GET_CAP(UAPI_VERSION)", &info.uapi_version},
      {ACCEL_CAP_RAS_FORMATS, "GET_CAP(RAS_FORMATS)", &info.ras_formats},
      {ACCEL_CAP_RAS_PASSTHROUGH, "GET_CAP(RAS_PASSTHROUGH)", &passthrough},
      {ACCEL_CAP_MINOR, "GET_CAP(MINOR)", &info.minor},
  };
  for (const CapabilityQuery& q : caps) {
    if (int rc = GetCap(device, q.capability, q.value); rc < 0) {
      *failed_call = q.name;
      return accel::Errno{rc};
    }
  }
  info.ras_passthrough = passthrough != 0;
  if (info.ras_formats & ACCEL_CAP_RAS_KEY_VAL_32) {
    accel::Result<std::vector<RasCounter>> counters = QueryRasCounters(device);
    if (!counters) {
      *failed_call = "RAS_QUERY(key_val_32)";
      return accel::Errno{counters.error()};
    }
    info.ras_counters = std::move(*counters);
  }
  // Component names are the device's own, from its snapshot (KEY_VAL_32 numbers them only).
  if (info.ras_formats & ACCEL_CAP_RAS_JSON) {
    accel::Result<accel::ras::Snapshot> snapshot = QueryRasSnapshot(device);
    if (!snapshot) {
      *failed_call = "RAS_QUERY(json)";
      return accel::Errno{snapshot.error()};
    }
    for (const accel::ras::Component& c : snapshot->components)
      info.ras_component_names.push_back(c.name);
  }
  return info;
}

std::string DeviceInfoText(const DeviceInfo& info) {
  return IdentityText(info) + CountersText(info);
}

Json DeviceInfoJson(const DeviceInfo& info) {
  Json j = DeviceEntryJson(info.entry);
  j["minor"] = info.minor;
  j["dev"] = DevNumber(info);
  j["driver_version"] = {
      {"name", RecordString(info.version.name)},
      {"version", DriverVersion(info.version)},
      {"date", RecordString(info.version.date)},
      {"desc", RecordString(info.version.desc)},
  };
  j["uapi_version"] = UapiVersion(info.uapi_version);
  j["ras_formats"] = RasFormatNames(info.ras_formats);
  j["ras_formats_mask"] = info.ras_formats;
  j["ras_passthrough"] = info.ras_passthrough;
  j["ras_counters_volatile"] = CountersJson(info);
  return j;
}

}  // namespace accelctl
