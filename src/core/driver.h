// driver.h - a loaded driver: its C entry table, seen from the core.
//
// DOC: lifetime
//
// A Driver is created when a plugin is loaded (or, in tests, from a table compiled into the
// program) and destroyed after unload, once its devices are released. It copies everything it
// shows the world (name, date, description) so that nothing in the core points into the
// plugin's memory after dlclose(); only the ioctl handlers and hooks do, and those are reached
// only inside Device::Enter()/Exit(), which an unplugged device refuses.
//
// The driver's ioctl table is indexed by nr - ACCEL_COMMAND_BASE, so dispatch is one array
// load, as DRM's drm_ioctl() indexes driver->ioctls[nr - DRM_COMMAND_BASE].
#ifndef ACCEL_CORE_DRIVER_H_
#define ACCEL_CORE_DRIVER_H_

#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <accel/result.h>

namespace accel::core {

class Device;
class Registry;

class Driver {
 public:
  static constexpr uint32_t kNumDriverIoctls = ACCEL_COMMAND_END - ACCEL_COMMAND_BASE;

  // Validates the table (ABI version, names, every ioctl in the driver range with a handler,
  // no nr twice). -EINVAL with a reason in *why when it is unusable.
  static Result<Driver*> Create(const accel_driver* table, Registry* registry, std::string* why);
  ~Driver();

  const std::string& name() const { return name_; }
  const std::string& desc() const { return desc_; }
  const std::string& date() const { return date_; }
  uint32_t major() const { return major_; }
  uint32_t minor() const { return minor_; }
  uint32_t patchlevel() const { return patchlevel_; }
  // DRM's driver features that GET_CAP reports (drm_core_check_feature()). No accel driver has
  // syncobjs, and the plugin ABI carries no feature word yet: features() is 0 for every driver
  // until one needs a bit, when accel_driver grows the word (after file_usage).
  static constexpr uint32_t kFeatureSyncobj = 1u << 0;          // DRIVER_SYNCOBJ
  static constexpr uint32_t kFeatureSyncobjTimeline = 1u << 1;  // DRIVER_SYNCOBJ_TIMELINE
  uint32_t features() const { return features_; }
  const accel_driver& table() const { return *table_; }
  // Hooks added after ABI v1's first table; nullptr when the table is older or lacks them.
  decltype(accel_driver::ras_inject) ras_inject_hook() const { return ras_inject_; }
  decltype(accel_driver::reset) reset_hook() const { return reset_; }
  decltype(accel_driver::file_rw) file_rw_hook() const { return file_rw_; }
  decltype(accel_driver::file_usage) file_usage_hook() const { return file_usage_; }
  Registry* registry() const { return registry_; }

  // find_helper(): a helper program's path from its name. Whoever loads the driver says how
  // (the daemon's ModuleLoader searches the plugin directories, before load() runs), since
  // the core does no I/O; without a finder every name is -ENOENT.
  using HelperFinder = std::function<Result<std::string>(const std::string& name)>;
  void set_helper_finder(HelperFinder finder) { helper_finder_ = std::move(finder); }
  Result<std::string> FindHelper(const std::string& name) const {
    return helper_finder_ ? helper_finder_(name) : Result<std::string>(Err(ENOENT));
  }

  // The driver command at `nr`, or nullptr.
  const accel_ioctl_desc* FindIoctl(uint32_t nr) const {
    if (nr < ACCEL_COMMAND_BASE || nr >= ACCEL_COMMAND_END) return nullptr;
    return ioctls_[nr - ACCEL_COMMAND_BASE];
  }

  // Devices created by this driver and not yet released (for unload).
  std::vector<Device*> devices() const;
  void AddDevice(Device* dev);
  void RemoveDevice(Device* dev);

  void set_priv(void* p) { priv_ = p; }
  void* priv() const { return priv_; }
  void set_module_handle(void* h) { module_handle_ = h; }
  void* module_handle() const { return module_handle_; }

  accel_host* host() { return reinterpret_cast<accel_host*>(this); }
  static Driver* FromHost(accel_host* h) { return reinterpret_cast<Driver*>(h); }

 private:
  Driver() = default;

  const accel_driver* table_ = nullptr;
  Registry* registry_ = nullptr;
  std::string name_, desc_, date_;
  uint32_t major_ = 0, minor_ = 0, patchlevel_ = 0;
  uint32_t features_ = 0;
  decltype(accel_driver::ras_inject) ras_inject_ = nullptr;
  decltype(accel_driver::reset) reset_ = nullptr;
  decltype(accel_driver::file_rw) file_rw_ = nullptr;
  decltype(accel_driver::file_usage) file_usage_ = nullptr;
  HelperFinder helper_finder_;
  std::array<const accel_ioctl_desc*, kNumDriverIoctls> ioctls_{};
  void* priv_ = nullptr;
  void* module_handle_ = nullptr;  // dlopen() handle, when loaded from a plugin
  mutable std::mutex devices_mu_;
  std::vector<Device*> devices_;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_DRIVER_H_
