// host_ops.cc - C entry points a plugin calls back into the core with.
//
// Each one converts opaque handles to core objects and never lets a C++ exception or type
// cross back: the plugin sees ints and C structs only.
#include "core/host_ops.h"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "core/caller.h"
#include "core/device.h"
#include "core/driver.h"

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
  if (dev && ev) Device::FromHandle(dev)->RasEvent(*ev);
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
};

}  // namespace accel::core
