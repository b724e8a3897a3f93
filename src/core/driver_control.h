// driver_control.h - loading and unloading drivers, as a transport's control operations ask.
//
// The socket's LOAD and UNLOAD (docs/wire-protocol.md) are this system's insmod and rmmod.
// The core does no I/O, so it does not open shared objects itself: acceld's ModuleLoader
// (src/daemon/module_loader.h) implements this interface with dlopen() and hands each Driver
// to the Registry. A transport holds only the interface, so it needs nothing above the core.
//
//   Result<void> rc = control.Load("dummy", "count=2", &why);   // -ENOENT, -EEXIST, ...
//   rc = control.Unload("dummy", /*force=*/false);               // -EBUSY while open
#ifndef ACCEL_CORE_DRIVER_CONTROL_H_
#define ACCEL_CORE_DRIVER_CONTROL_H_

#include <accel/result.h>

#include <string>

namespace accel::core {

class DriverControl {
 public:
  virtual ~DriverControl() = default;
  // -ENOENT: no such driver; -EINVAL: bad name or not an accel driver; -EEXIST: already
  // loaded; or the driver's own error from load(). *why says which, in one line.
  virtual Result<void> Load(const std::string& name, const std::string& args, std::string* why) = 0;
  // -ENOENT: not loaded; -EBUSY: a device is open and !force.
  virtual Result<void> Unload(const std::string& name, bool force) = 0;
  // Every driver, forced (shutdown).
  virtual void UnloadAll() = 0;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_DRIVER_CONTROL_H_
