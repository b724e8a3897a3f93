// registry.cc - drivers, devices and minors; see registry.h.
#include "core/registry.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/driver.h"
#include "core/host_ops.h"

namespace accel::core {

Registry::~Registry() {
  // Drivers still loaded here had no module to close (in-process tables); tear them down.
  RemoveAllDrivers();
}

DeviceRef Registry::Lookup(uint32_t minor) const {
  RcuReadLock guard;
  Minor* m = minors_.Load(minor);
  // The registry's reference keeps a published device alive; Erase() waits for this section.
  return m ? DeviceRef(m->device) : DeviceRef();
}

Result<DeviceRef> Registry::LookupName(const std::string& name) const {
  constexpr std::string_view kPrefix = "accel";
  if (name.size() <= kPrefix.size() || name.compare(0, kPrefix.size(), kPrefix) != 0 ||
      name.size() > kPrefix.size() + 3)
    return Err(EINVAL);
  uint32_t minor = 0;
  for (size_t i = kPrefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return Err(EINVAL);
    minor = minor * 10 + static_cast<uint32_t>(name[i] - '0');
  }
  if (name.size() > kPrefix.size() + 1 && name[kPrefix.size()] == '0') return Err(EINVAL);
  DeviceRef dev = Lookup(minor);
  if (!dev) return Err(ENODEV);
  return dev;
}

std::vector<DeviceSummary> Registry::List() const {
  std::vector<DeviceSummary> out;
  for (uint32_t i = 0; i < minors_.limit(); ++i) {
    DeviceRef dev = Lookup(i);
    if (!dev || !dev->Enter()) continue;
    DeviceSummary s;
    s.minor = i;
    s.name = dev->name();
    s.driver = dev->driver_name();
    s.serial = dev->serial();
    s.bus = dev->bus();
    s.vendor_id = dev->vendor_id();
    s.device_id = dev->device_id();
    s.ras_formats = dev->ras_formats();
    s.open_count = static_cast<uint32_t>(dev->open_count());
    s.perms = dev->permissions();
    dev->Exit();
    out.push_back(std::move(s));
  }
  return out;
}

uint64_t Registry::Subscribe(DeviceEventFn fn) {
  std::lock_guard lock(subscribers_mu_);
  subscribers_.emplace(next_subscriber_, std::move(fn));
  return next_subscriber_++;
}

void Registry::Unsubscribe(uint64_t id) {
  std::lock_guard lock(subscribers_mu_);
  subscribers_.erase(id);
}

void Registry::Notify(DeviceEvent e, const Device& dev) const {
  std::lock_guard lock(subscribers_mu_);
  for (const auto& [id, fn] : subscribers_) fn(e, dev);
}

Result<uint32_t> Registry::PublishDevice(Device* dev) {
  Result<uint32_t> id = minors_.Alloc();
  if (!id) return id;
  // The device learns its minor between reserve and publish: this is the window the
  // reserve-then-store pattern exists for (the name exists, the device is not yet findable).
  auto* m = new Minor{MinorType::kAccel, *id, dev};
  dev->Get();  // the registry's reference, dropped in UnpublishDevice
  dev->minor_ = *id;
  if (ras_observer_) ras_observer_->OnDeviceRegistered(*dev);  // restore before anyone opens
  Result<void> stored = minors_.Store(*id, m);
  if (!stored) {  // cannot happen for an index we just reserved; keep the books straight
    (void)minors_.Erase(*id);
    delete m;
    dev->Put();
    return stored.error() < 0 ? Errno{stored.error()} : Err(EINVAL);
  }
  Notify(DeviceEvent::kAdded, *dev);
  return *id;
}

void Registry::UnpublishDevice(uint32_t minor) {
  Result<Minor*> m = minors_.Erase(minor);  // waits out readers that may hold the pointer
  if (!m || *m == nullptr) return;
  Device* dev = (*m)->device;
  delete *m;
  Notify(DeviceEvent::kRemoved, *dev);
  dev->Put();
}

Result<void> Registry::AddDriver(std::unique_ptr<Driver> driver, const std::string& args,
                                 std::string* why) {
  std::lock_guard lock(drivers_mu_);
  if (drivers_.count(driver->name())) {
    if (why) *why = "driver '" + driver->name() + "' is already loaded";
    return Err(EEXIST);
  }
  Driver& d = *driver;
  const accel_driver& t = d.table();
  if (t.load) {
    void* priv = nullptr;
    int rc = t.load(d.host(), &kHostOps, args.c_str(), &priv);
    if (rc < 0) {
      if (why) *why = "driver '" + d.name() + "' refused to load with args '" + args + "'";
      TearDownDriver(d);  // devices it created before failing
      return Errno{rc};
    }
    d.set_priv(priv);
  }
  drivers_.emplace(d.name(), std::move(driver));
  return {};
}

void Registry::TearDownDriver(Driver& d) {
  std::vector<Device*> devs = d.devices();
  for (Device* dev : devs) dev->Unplug();  // all first: no device of the driver takes calls
  for (Device* dev : devs) dev->Release();
}

// True once no device of `d` is open. A FUSE node's RELEASE reaches the daemon
// asynchronously after the client's close(2) returned (the kernel sends it in the
// background), so a client that closes and then unloads would see -EBUSY for a file it no
// longer holds. A short bounded grace covers that; a file that is really open stays busy.
bool Registry::WaitUntilClosed(const Driver& d) const {
  constexpr auto kGrace = std::chrono::milliseconds(250);
  const auto deadline = std::chrono::steady_clock::now() + kGrace;
  for (;;) {
    bool busy = false;
    for (Device* dev : d.devices()) busy = busy || dev->open_count() > 0;
    if (!busy) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

Result<std::unique_ptr<Driver>> Registry::RemoveDriver(const std::string& name, bool force) {
  std::lock_guard lock(drivers_mu_);
  auto it = drivers_.find(name);
  if (it == drivers_.end()) return Err(ENOENT);
  Driver& d = *it->second;
  if (!force && !WaitUntilClosed(d)) return Err(EBUSY);
  TearDownDriver(d);
  if (d.table().unload) d.table().unload(d.priv());
  std::unique_ptr<Driver> out = std::move(it->second);
  drivers_.erase(it);
  return out;
}

std::vector<std::string> Registry::DriverNames() const {
  std::lock_guard lock(drivers_mu_);
  std::vector<std::string> names;
  for (const auto& [n, d] : drivers_) names.push_back(n);
  return names;
}

std::vector<std::unique_ptr<Driver>> Registry::RemoveAllDrivers() {
  std::vector<std::unique_ptr<Driver>> out;
  for (const std::string& n : DriverNames()) {
    Result<std::unique_ptr<Driver>> d = RemoveDriver(n, /*force=*/true);
    if (d) out.push_back(std::move(*d));
  }
  return out;
}

}  // namespace accel::core
