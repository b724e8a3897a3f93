// sys_tree.h - the FUSE attribute tree: SYSDIR/class/accel/accelN/..., after sysfs.
//
// DOC: layout
//
//   class/accel/accelN/dev              "261:N"
//   class/accel/accelN/uevent           MAJOR=, MINOR=, DEVNAME=accel/accelN
//   class/accel/accelN/device/...       the device's attribute registry
//                                       (core/device_attributes.h): the core's driver,
//                                       {vendor,device} ("0x%04x", as PCI sysfs prints ids),
//                                       {serial,bus} when the driver has them, then whatever
//                                       the driver published (device_add_attribute)
//   class/accel/accelN/ras/<component>_<severity>  one counter per file (volatile), as QAT's
//                                                  qat_ras/errors_* are
//   class/accel/accelN/ras/clear        write-only, root only: resets the counters
//   class/accel/accelN/wedged           "0", or "1 <reason>" while the driver says the device
//                                       is wedged (DRM's wedged uevent, as an attribute)
//   class/accel/accelN/clients          DRM fdinfo of each open file (drm-driver, drm-client-id,
//                                       drm-engine-*, ...), blocks ending with an empty line;
//                                       root sees all, others their own files
//   class/accel/accelN/devcoredump/data only while the driver left a dump: mode 0600 root; a
//                                       read returns it, any write dismisses it (and the
//                                       directory), as the kernel's devcoredump
//
// Values are produced at read time (files are direct_io), so a counter read after an event
// shows it. Writable attributes are owned by root (mode 0200, or a driver's 0644); the kernel
// enforces that (default_permissions) and the write handler checks the caller again.
//
// The nodes every device has are one table (kFixed in sys_tree.cc); device/ is walked from
// the registry, so that neither a driver's attribute nor a new core one needs code here.
#ifndef ACCEL_TRANSPORT_FUSE_SYS_TREE_H_
#define ACCEL_TRANSPORT_FUSE_SYS_TREE_H_

#include "transport/fuse/fuse_mount.h"

#include <string>

#include "core/registry.h"

namespace accel::transport {

class SysTree {
 public:
  explicit SysTree(core::Registry& registry) : registry_(registry) {}
  ~SysTree() { Stop(); }

  Result<void> Mount(const std::string& dir, std::string* why);
  void Stop() { mount_.Stop(); }
  bool mounted() const { return mount_.mounted(); }
  core::Registry& registry() { return registry_; }

 private:
  core::Registry& registry_;
  FuseMount mount_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_FUSE_SYS_TREE_H_
