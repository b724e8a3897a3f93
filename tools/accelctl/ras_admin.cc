// ras_admin.cc - see ras_admin.h.
#include "ras_admin.h"

#include <fmt/core.h>
#include <uapi/accel/accel.h>

#include <accel/accel.hpp>
#include <cerrno>
#include <charconv>
#include <vector>

#include "device_open.h"
#include "failure.h"
#include "ras_device.h"
#include "ras_names.h"

namespace accelctl {
namespace {

int ExitOk() {
  return static_cast<int>(ExitStatus::kOk);
}

int FailAdminCall(const std::string& command, const std::string& device, int err) {
  switch (-err) {
    case EACCES:
    case EPERM:
      return Fail(ExitStatus::kFailed,
                  fmt::format("`accelctl ras {}` needs root ({} refused it: {}); run it as root",
                              command, device, ErrnoText(err)));
    case EOPNOTSUPP:
      return Fail(
          ExitStatus::kFailed,
          fmt::format("{}'s driver does not support ras {}; nothing was changed", device, command));
    default:
      return FailDeviceCall(device, command == "clear" ? "RAS_CLEAR" : "RAS_INJECT", err);
  }
}

// "hbm0, sram, pcie" for messages.
std::string ComponentList(const accel::ras::Snapshot& s) {
  std::vector<std::string> names;
  for (const accel::ras::Component& c : s.components) names.push_back(c.name);
  return JoinNames(names, ", ");
}

struct ResolvedComponent {
  uint32_t index;
  std::string name;
};

// `component` (a name, or an index) among the device's components; on failure *status holds
// the exit status after the one line.
std::optional<ResolvedComponent> ResolveComponent(accel::Device& device, const RasInjectOptions& o,
                                                  int* status) {
  accel::Result<accel::ras::Snapshot> snapshot = QueryRasSnapshot(device);
  if (!snapshot) {
    *status = FailRasQuery(o.device, ACCEL_RAS_FMT_JSON, 0, snapshot.error());
    return std::nullopt;
  }
  const std::vector<accel::ras::Component>& components = snapshot->components;
  for (uint32_t i = 0; i < components.size(); ++i)
    if (components[i].name == o.component) return ResolvedComponent{i, components[i].name};
  uint32_t index = 0;
  const char* end = o.component.data() + o.component.size();
  if (auto [p, ec] = std::from_chars(o.component.data(), end, index);
      !o.component.empty() && ec == std::errc() && p == end && index < components.size())
    return ResolvedComponent{index, components[index].name};
  *status = Fail(ExitStatus::kUsage, fmt::format("{} has no component '{}'; it has {}", o.device,
                                                 o.component, ComponentList(*snapshot)));
  return std::nullopt;
}

}  // namespace

int RunRasClear(const RasClearOptions& options) {
  std::optional<accel::Device> device;
  if (int status = OpenListedDevice(options.device, "ras clear", &device, nullptr)) return status;
  accel_ras_clear clear{};
  if (int rc = device->Ioctl(ACCEL_IOCTL_RAS_CLEAR, clear); rc < 0)
    return FailAdminCall("clear", options.device, rc);
  fmt::print(
      "{}: volatile RAS counters cleared (aggregate counters, the event log and retired "
      "pages are kept)\n",
      options.device);
  return ExitOk();
}

int RunRasInject(const RasInjectOptions& options) {
  const std::optional<uint32_t> severity = RasSeverityFromName(options.severity);
  if (!severity)  // RasSeverityValidator() let it through, so only a caller's mistake
    return Fail(ExitStatus::kUsage, fmt::format("unknown severity '{}'", options.severity));
  std::optional<accel::Device> device;
  if (int status = OpenListedDevice(options.device, "ras inject", &device, nullptr)) return status;
  int status = 0;
  const std::optional<ResolvedComponent> component = ResolveComponent(*device, options, &status);
  if (!component) return status;

  accel_ras_inject inject{};
  inject.component = component->index;
  inject.severity = *severity;
  inject.count = options.count;
  if (options.address) {
    inject.flags |= ACCEL_RAS_INJECT_ADDRESS;
    inject.address = *options.address;
  }
  if (int rc = device->Ioctl(ACCEL_IOCTL_RAS_INJECT, inject); rc < 0)
    return FailAdminCall("inject", options.device, rc);
  fmt::print("{}: injected {} {} count={}{}; event seqno {}\n", options.device, component->name,
             RasSeverityName(*severity), options.count,
             options.address ? fmt::format(" address={:#x}", *options.address) : "", inject.seqno);
  return ExitOk();
}

}  // namespace accelctl
