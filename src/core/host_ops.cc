// host_ops.cc - C entry points a plugin calls back into the core with.
//
// Each one converts opaque handles to core objects and never lets a C++ exception or type
// cross back: the plugin sees ints and C structs only.
#include "core/host_ops.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "core/caller.h"
#include "core/device.h"
#include "core/driver.h"
#include "core/file.h"

namespace accel::core {
namespace {

int DeviceCreate(accel_host* host, const accel_device_info* info, void* dev_priv,
                 accel_device** out) noexcept {
  if (host == nullptr || info == nullptr || out == nullptr) return -EINVAL;
  *out = Device::Create(Driver::FromHost(host), *info, dev_priv)->handle();
  return 0;
}

int DeviceRegister(accel_device* dev) noexcept {
  if (dev == nullptr) return -EINVAL;
  Result<uint32_t> minor = Device::FromHandle(dev)->Register();
  return minor ? 0 : minor.error();
}

void DeviceUnplug(accel_device* dev) noexcept {
  if (dev) Device::FromHandle(dev)->Unplug();
}

uint32_t DeviceMinor(const accel_device* dev) noexcept {
  return dev ? Device::FromHandle(dev)->minor() : UINT32_MAX;
}

int DeviceWait(const accel_call* call, int (*cond)(void*), void* arg, int64_t timeout_ns) noexcept {
  if (call == nullptr || call->dev == nullptr || cond == nullptr) return -EINVAL;
  return Device::FromHandle(call->dev)->Wait(*call, cond, arg, timeout_ns);
}

void DeviceWakeAll(accel_device* dev) noexcept {
  if (dev) Device::FromHandle(dev)->WakeAll();
}

int CopyToUser(const accel_call* call, uint64_t addr, const void* src, uint32_t len) noexcept {
  if (call == nullptr || call->core == nullptr) return -EFAULT;
  return static_cast<UserMemory*>(call->core)->CopyOut(addr, src, len);
}

int CopyFromUser(const accel_call* call, void* dst, uint64_t addr, uint32_t len) noexcept {
  if (call == nullptr || (dst == nullptr && len != 0)) return -EINVAL;
  // No per-call memory: not inside an ioctl (file_rw, file_usage), so no caller to read from.
  if (call->core == nullptr) return -EOPNOTSUPP;
  return static_cast<UserMemory*>(call->core)->CopyIn(dst, addr, len);
}

void Log(accel_host* host, int level, const char* msg) noexcept {
  const char* name = host ? Driver::FromHost(host)->name().c_str() : "?";
  switch (level) {
    case ACCEL_LOG_ERROR:
      spdlog::error("{}: {}", name, msg);
      break;
    case ACCEL_LOG_WARN:
      spdlog::warn("{}: {}", name, msg);
      break;
    case ACCEL_LOG_INFO:
      spdlog::info("{}: {}", name, msg);
      break;
    default:
      spdlog::debug("{}: {}", name, msg);
      break;
  }
}

void DeviceRasEvent(accel_device* dev, const accel_ras_event_info* ev) noexcept {
  if (dev == nullptr || ev == nullptr) return;
  ras::Event e;
  e.component = ev->component;
  e.severity = ev->severity;
  e.code = ev->code;
  e.count = ev->count;
  if (ev->message) e.message = ev->message;
  (void)Device::FromHandle(dev)->RasReport(std::move(e));
}

int64_t DeviceRasReport(accel_device* dev, const accel_ras_report* r) noexcept {
  if (dev == nullptr || r == nullptr || r->struct_size < sizeof(accel_ras_report)) return -EINVAL;
  if (r->raw_len > ras::kMaxRawLen || (r->raw_len != 0 && r->raw == nullptr)) return -EINVAL;
  ras::Event e;
  e.component = r->component;
  e.severity = r->severity;
  e.code = r->code;
  e.count = r->count;
  e.timestamp_ns = r->timestamp_ns;
  if (r->flags & ACCEL_RAS_REPORT_ADDRESS) e.address = r->address;
  if (r->message) e.message.assign(r->message, strnlen(r->message, ras::kMaxMessageLen));
  if (r->raw_len) {
    const auto* raw = static_cast<const uint8_t*>(r->raw);
    e.raw.assign(raw, raw + r->raw_len);
  }
  Result<uint64_t> seqno = Device::FromHandle(dev)->RasReport(std::move(e));
  return seqno ? static_cast<int64_t>(*seqno) : seqno.error();
}

int DeviceRasFirmwareBlob(accel_device* dev, uint32_t format, const void* data,
                          uint32_t len) noexcept {
  if (dev == nullptr || (len != 0 && data == nullptr)) return -EINVAL;
  const auto* p = static_cast<const uint8_t*>(data);
  std::vector<uint8_t> blob(p, p + len);
  return Device::FromHandle(dev)->RasFirmwareBlob(format, std::move(blob)).error();
}

// ---- since vnpu ----

int InstallFd(const accel_call* call, int fd, uint32_t offset) noexcept {
  if (call == nullptr) return -EINVAL;
  if (fd < 0) return -EBADF;
  // No per-call state: not inside an ioctl (file_rw, file_usage), so no reply to carry it.
  if (call->core == nullptr) return -EOPNOTSUPP;
  auto* mem = static_cast<UserMemory*>(call->core);
  if (offset > mem->arg_size() || mem->arg_size() - offset < sizeof(int32_t)) return -EINVAL;
  return mem->InstallFd(fd, offset);
}

int DeviceRasRetirePage(accel_device* dev, uint64_t address, uint32_t severity) noexcept {
  if (dev == nullptr) return -EINVAL;
  Result<bool> listed = Device::FromHandle(dev)->RasRetirePage(address, severity);
  return listed ? 0 : listed.error();
}

int DeviceReset(accel_device* dev) noexcept {
  if (dev == nullptr) return -EINVAL;
  return Device::FromHandle(dev)->RasReset().error();
}

void DeviceCoredump(accel_device* dev, const void* data, uint32_t len) noexcept {
  if (dev == nullptr || (len != 0 && data == nullptr)) return;
  Device* d = Device::FromHandle(dev);
  try {
    d->SetCoredump(data, len);
  } catch (const std::bad_alloc&) {  // a dump is worth having, not worth aborting the daemon
    spdlog::error("{}: no memory for a devcoredump of {} bytes; dropped", d->name(), len);
    return;
  }
  if (len > Device::kMaxCoredump)
    spdlog::warn("{}: devcoredump of {} bytes, kept the first {}", d->name(), len,
                 Device::kMaxCoredump);
  else
    spdlog::warn("{}: devcoredump of {} bytes", d->name(), len);
}

void DeviceSetWedged(accel_device* dev, int wedged, const char* why) noexcept {
  if (dev == nullptr) return;
  Device* d = Device::FromHandle(dev);
  const std::string reason = why ? std::string(why, strnlen(why, 1024)) : std::string();
  if (!d->SetWedged(wedged != 0, reason)) return;
  if (wedged) {
    const std::string kept = d->wedged().reason;  // on one line, as the attribute shows it
    spdlog::error("{}: wedged: {}", d->name(), kept.empty() ? "(no reason given)" : kept);
  } else {
    spdlog::info("{}: recovered", d->name());
  }
}

int FindHelper(accel_host* host, const char* name, char* path, uint32_t size) noexcept {
  if (host == nullptr || name == nullptr || (path == nullptr && size != 0)) return -EINVAL;
  Result<std::string> found = Driver::FromHost(host)->FindHelper(name);
  if (!found) return found.error();
  if (found->size() + 1 > size) return -ENAMETOOLONG;
  std::memcpy(path, found->c_str(), found->size() + 1);
  return 0;
}

// ---- since driver attributes ----

int DeviceAddAttribute(accel_device* dev, const accel_device_attribute* a) noexcept {
  if (dev == nullptr || a == nullptr || a->struct_size < sizeof(accel_device_attribute) ||
      a->path == nullptr || a->reserved != 0 || (a->flags & ~ACCEL_ATTR_DIR) != 0)
    return -EINVAL;
  Device* d = Device::FromHandle(dev);
  if (d->unplugged()) return -ENODEV;
  const std::string path(a->path, strnlen(a->path, DeviceAttributes::kMaxPath + 1));
  try {
    if (a->flags & ACCEL_ATTR_DIR) return d->attributes().AddDir(path).error();
    if (a->show == nullptr || (a->mode == ACCEL_ATTR_RW) != (a->store != nullptr)) return -EINVAL;
    void* const dev_priv = d->priv();
    auto* const show = a->show;
    auto* const store = a->store;
    void* const priv = a->attr_priv;
    DeviceAttributes::Show show_fn = [=]() -> Result<std::string> {
      std::string buf(ACCEL_ATTR_MAX_VALUE, '\0');
      const int n = show(dev_priv, priv, buf.data(), ACCEL_ATTR_MAX_VALUE);
      if (n < 0) return Errno{n};
      if (static_cast<uint32_t>(n) > ACCEL_ATTR_MAX_VALUE) return Err(EIO);
      buf.resize(static_cast<size_t>(n));
      return buf;
    };
    DeviceAttributes::Store store_fn;
    if (store)
      store_fn = [=](std::string_view data) {
        return Result<void>::FromErrno(
            store(dev_priv, priv, data.data(), static_cast<uint32_t>(data.size())));
      };
    return d->attributes().AddFile(path, a->mode, std::move(show_fn), std::move(store_fn)).error();
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
}

// ---- since one inject entry ----

int64_t DeviceRasInject(const accel_call* call, uint32_t component, uint32_t severity,
                        uint32_t count, int has_address, uint64_t address) noexcept {
  if (call == nullptr || call->dev == nullptr || call->file == nullptr) return -EINVAL;
  std::optional<uint64_t> at;
  if (has_address) at = address;
  const Caller caller{call->uid, call->gid, call->pid};
  Result<uint64_t> seqno = Device::FromHandle(call->dev)->RasInject(
      caller, reinterpret_cast<File*>(call->file), component, severity, count, at);
  return seqno ? static_cast<int64_t>(*seqno) : seqno.error();
}

}  // namespace

const accel_host_ops kHostOps = {
    .abi_version = ACCEL_DRIVER_ABI_VERSION,
    .struct_size = sizeof(accel_host_ops),
    .device_create = DeviceCreate,
    .device_register = DeviceRegister,
    .device_unplug = DeviceUnplug,
    .device_minor = DeviceMinor,
    .device_wait = DeviceWait,
    .device_wake_all = DeviceWakeAll,
    .copy_to_user = CopyToUser,
    .log = Log,
    .device_ras_event = DeviceRasEvent,
    .device_ras_report = DeviceRasReport,
    .device_ras_firmware_blob = DeviceRasFirmwareBlob,
    .install_fd = InstallFd,
    .device_ras_retire_page = DeviceRasRetirePage,
    .device_reset = DeviceReset,
    .device_coredump = DeviceCoredump,
    .device_set_wedged = DeviceSetWedged,
    .find_helper = FindHelper,
    .device_add_attribute = DeviceAddAttribute,
    .copy_from_user = CopyFromUser,
    .device_ras_inject = DeviceRasInject,
};

}  // namespace accel::core
