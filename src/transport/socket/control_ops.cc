// control_ops.cc - the socket's control operations; see control_ops.h.
#include "transport/socket/control_ops.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/device.h"
#include "transport/socket/payload.h"

namespace accel::transport {

namespace {

wire::DeviceRecord ToRecord(const core::DeviceSummary& d) {
  wire::DeviceRecord rec{};
  rec.minor = d.minor;
  rec.mode = d.perms.mode;
  rec.uid = d.perms.uid;
  rec.gid = d.perms.gid;
  rec.vendor_id = d.vendor_id;
  rec.device_id = d.device_id;
  rec.open_count = d.open_count;
  rec.ras_formats = d.ras_formats;
  wire::CopyField(rec.name, sizeof(rec.name), d.name);
  wire::CopyField(rec.driver, sizeof(rec.driver), d.driver);
  wire::CopyField(rec.serial, sizeof(rec.serial), d.serial);
  wire::CopyField(rec.bus, sizeof(rec.bus), d.bus);
  return rec;
}

}  // namespace

int32_t ControlOps::List(std::vector<uint8_t>& out) const {
  out.clear();
  std::vector<core::DeviceSummary> devs = registry_.List();
  AppendStruct(out, wire::ListHeader{static_cast<uint32_t>(devs.size()), 0});
  for (const core::DeviceSummary& d : devs) AppendStruct(out, ToRecord(d));
  return 0;
}

int32_t ControlOps::Drivers(std::vector<uint8_t>& out) const {
  out.clear();
  for (const std::string& n : registry_.DriverNames()) {
    out.insert(out.end(), n.begin(), n.end());
    out.push_back(0);
  }
  return 0;
}

int32_t ControlOps::Clients(const wire::FrameView& f, const core::Caller& caller,
                            std::vector<uint8_t>& out) const {
  out.clear();
  const std::string name = PayloadString(f);
  if (name.size() > wire::kMaxDeviceName || name.find('\0') != std::string::npos) return -EINVAL;
  std::vector<core::DeviceRef> devs;
  if (name.empty()) {
    for (const core::DeviceSummary& d : registry_.List())
      if (core::DeviceRef dev = registry_.Lookup(d.minor)) devs.push_back(std::move(dev));
  } else {
    Result<core::DeviceRef> dev = registry_.LookupName(name);
    if (!dev) return dev.error();
    devs.push_back(std::move(*dev));
  }
  std::vector<std::string> blocks;
  for (const core::DeviceRef& dev : devs) {
    Result<std::vector<std::string>> usage = dev->ClientUsage(caller);
    if (!usage && !name.empty()) return usage.error();
    if (!usage) continue;  // unplugged since the list was taken: it has no clients now
    for (const std::string& b : *usage)
      blocks.push_back("accel-device:\t" + dev->name() + "\n" + b + "\n");
  }
  out.assign(sizeof(wire::ClientsReplyHeader), 0);
  wire::ClientsReplyHeader h{0, static_cast<uint32_t>(blocks.size())};
  for (size_t i = f.header.arg; i < blocks.size(); ++i, ++h.count) {
    if (out.size() + blocks[i].size() > wire::kMaxPayload) break;
    out.insert(out.end(), blocks[i].begin(), blocks[i].end());
  }
  // A block never nears a frame (the driver's part is bounded), but a client must never be
  // left asking for the same block forever.
  if (h.count == 0 && f.header.arg < blocks.size()) {
    out.clear();
    return -EMSGSIZE;
  }
  std::memcpy(out.data(), &h, sizeof(h));
  return 0;
}

int32_t ControlOps::Load(const wire::FrameView& f, const core::Caller& caller,
                         std::vector<uint8_t>& out) {
  out.clear();
  if (!caller.IsRoot()) return -EPERM;
  std::string p = PayloadString(f);
  size_t nul = p.find('\0');
  std::string name = p.substr(0, nul);
  std::string args = nul == std::string::npos ? "" : p.substr(nul + 1);
  if (!args.empty() && args.back() == '\0') args.pop_back();
  std::string why;
  Result<void> rc;
  {
    std::lock_guard lock(modules_mu_);
    rc = loader_.Load(name, args, &why);
  }
  if (!rc) {
    spdlog::warn("load {}: {}", name, why);
    out.assign(why.begin(), why.end());
    return rc.error();
  }
  spdlog::info("loaded driver {} ({})", name, args.empty() ? "no args" : args);
  return 0;
}

int32_t ControlOps::Unload(const wire::FrameView& f, const core::Caller& caller,
                           std::vector<uint8_t>& out) {
  out.clear();
  if (!caller.IsRoot()) return -EPERM;
  std::string name = PayloadString(f);
  const bool force = (f.header.arg & wire::kUnloadForce) != 0;
  if (f.header.arg & ~wire::kUnloadForce) return -EINVAL;
  Result<void> rc;
  {
    std::lock_guard lock(modules_mu_);
    rc = loader_.Unload(name, force);
  }
  if (!rc) return rc.error();
  spdlog::info("unloaded driver {}{}", name, force ? " (forced)" : "");
  return 0;
}

}  // namespace accel::transport
