// registry.h - the process-wide table of drivers and devices (the accel class).
//
// DOC: what it owns
//
// The registry owns the minor allocator (accel0..accel255) and the list of loaded drivers.
// Transports find devices here by minor or by name; drivers register devices here through
// the host ops. Device lookups are lock-free (RCU); loading and unloading serialise on one
// mutex, as module load/unload do in the kernel.
//
//   Registry reg;
//   DeviceRef dev = reg.Lookup(0);                 // accel0, or empty
//   Result<File*> f = dev->Open(caller);
#ifndef ACCEL_CORE_REGISTRY_H_
#define ACCEL_CORE_REGISTRY_H_

#include <uapi/accel/accel.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <accel/result.h>
#include "core/device.h"
#include "core/driver.h"
#include "core/minor.h"
#include "core/minor_allocator.h"

namespace accel::core {

class Driver;

// What `accelctl list` shows of a device, copied out of the registry.
struct DeviceSummary {
  uint32_t minor = 0;
  std::string name;  // accelN
  std::string driver;
  std::string serial;
  std::string bus;
  uint32_t vendor_id = 0, device_id = 0;
  uint64_t ras_formats = 0;
  uint32_t open_count = 0;
  NodePermissions perms;
};

// What monitors are told (accelctl monitor): a device appeared, went away, changed (a RAS
// event happened on it), was declared wedged by its driver, or recovered from that.
enum class DeviceEvent { kAdded, kRemoved, kChanged, kWedged, kRecovered };
// The device is alive (and its driver loaded) for the duration of the call.
using DeviceEventFn = std::function<void(DeviceEvent, const Device&)>;

class Registry {
 public:
  Registry() = default;
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The device at minor N, with a reference, or empty.
  DeviceRef Lookup(uint32_t minor) const;
  // "accelN" -> the device, or -ENODEV (-EINVAL when the name is not accelN).
  Result<DeviceRef> LookupName(const std::string& name) const;
  std::vector<DeviceSummary> List() const;

  // Binds a validated driver table and calls its load(). Takes ownership of `driver`.
  // -EEXIST when a driver of that name is loaded.
  Result<void> AddDriver(std::unique_ptr<Driver> driver, const std::string& args, std::string* why);
  // Unplugs and releases the driver's devices, calls its unload() and returns the Driver so
  // the caller can close its module. -ENOENT when not loaded; -EBUSY when a device is open
  // and !force.
  Result<std::unique_ptr<Driver>> RemoveDriver(const std::string& name, bool force);
  std::vector<std::string> DriverNames() const;
  // Removes every driver (daemon shutdown); returns them for module cleanup.
  std::vector<std::unique_ptr<Driver>> RemoveAllDrivers();

  // Used by Device::Register/Unplug.
  Result<uint32_t> PublishDevice(Device* dev);
  void UnpublishDevice(uint32_t minor);

  // Permissions given to new nodes (acceld's --node-mode / --node-group).
  void set_default_permissions(const NodePermissions& p) { default_perms_ = p; }
  // The daemon's RAS services; set before any driver loads, outlives the registry's devices.
  void set_ras_observer(RasObserver* obs) { ras_observer_ = obs; }
  RasObserver* ras_observer() const { return ras_observer_; }
  NodePermissions default_permissions() const { return default_perms_; }

  // Monitors: fn runs after each device event, on the thread that caused it, and must not
  // call back into the registry's writers. Returns an id for Unsubscribe.
  uint64_t Subscribe(DeviceEventFn fn);
  void Unsubscribe(uint64_t id);
  void NotifyChanged(const Device& dev) const { Notify(DeviceEvent::kChanged, dev); }
  void NotifyWedged(const Device& dev, bool wedged) const {
    Notify(wedged ? DeviceEvent::kWedged : DeviceEvent::kRecovered, dev);
  }

 private:
  void Notify(DeviceEvent e, const Device& dev) const;
  void TearDownDriver(Driver& d);
  bool WaitUntilClosed(const Driver& d) const;

  MinorAllocator<Minor> minors_{ACCEL_MAX_MINORS};
  mutable std::mutex drivers_mu_;  // serialises load/unload
  std::map<std::string, std::unique_ptr<Driver>> drivers_;
  NodePermissions default_perms_;
  RasObserver* ras_observer_ = nullptr;
  mutable std::mutex subscribers_mu_;
  std::map<uint64_t, DeviceEventFn> subscribers_;
  uint64_t next_subscriber_ = 1;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_REGISTRY_H_
