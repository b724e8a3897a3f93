// module_loader.h - insmod/rmmod for accel: driver plugins as shared objects.
//
// DOC: finding and loading a driver
//
// A driver named NAME is the file NAME.so in one of the search directories, tried in order:
// every entry of $ACCEL_DRIVER_PATH (colon-separated), then <dir of the running binary>/
// ../lib/accel/drivers. The build tree lays binaries in bin/ and plugins in
// lib/accel/drivers/, as an install does, so one rule serves both.
//
// Load: dlopen(RTLD_NOW|RTLD_LOCAL), look up accel_driver_entry_v1, validate the table, hand it
// to the registry (which calls the driver's load()). Unload: the registry unplugs and releases
// the devices and calls unload(); then dlclose(). Plugins are built with -fno-gnu-unique under
// GCC, so nothing pins them and dlclose() really unmaps them (tests read /proc/self/maps).
//
// Drivers find their helper programs (vnpu-fw) the same way, through find_helper(): the
// loader gives each driver the search path before its load() runs.
//
// The core does no I/O: this is the daemon's side of core::DriverControl, and it gives each
// driver its find_helper() through Driver::set_helper_finder().
#ifndef ACCEL_DAEMON_MODULE_LOADER_H_
#define ACCEL_DAEMON_MODULE_LOADER_H_

#include <string>
#include <vector>

#include <accel/result.h>

#include "core/driver_control.h"

namespace accel::core {
class Registry;
}  // namespace accel::core

namespace accel::daemon {

class ModuleLoader final : public core::DriverControl {
 public:
  ModuleLoader(core::Registry& registry, std::vector<std::string> search_path)
      : registry_(registry), search_path_(std::move(search_path)) {}
  ~ModuleLoader() override { UnloadAll(); }

  // $ACCEL_DRIVER_PATH entries, then <exe_dir>/../lib/accel/drivers, then the install
  // libdir equivalent when it differs (lib/x86_64-linux-gnu/accel/drivers).
  static std::vector<std::string> DefaultSearchPath();
  // The directory of the running executable (from /proc/self/exe).
  static std::string ExecutableDir();

  // -ENOENT: no NAME.so on the path; -EINVAL: bad name or not an accel driver;
  // -EEXIST: already loaded; or the driver's own error from load(). *why says which.
  Result<void> Load(const std::string& name, const std::string& args, std::string* why) override;
  // -ENOENT: not loaded; -EBUSY: a device is open and !force.
  Result<void> Unload(const std::string& name, bool force) override;
  void UnloadAll() override;

  const std::vector<std::string>& search_path() const { return search_path_; }
  // The file that would be loaded for NAME, or empty.
  std::string Find(const std::string& name) const;
  // find_helper(): the first executable regular file `name` in `dirs`. -EINVAL for a name
  // that is empty, "." or "..", or holds a '/'; -ENOENT when no directory has one.
  static Result<std::string> FindHelper(const std::vector<std::string>& dirs,
                                        const std::string& name);

 private:
  core::Registry& registry_;
  std::vector<std::string> search_path_;
};

}  // namespace accel::daemon

#endif  // ACCEL_DAEMON_MODULE_LOADER_H_
