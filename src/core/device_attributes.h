// device_attributes.h - the attribute files of a device under class/accel/accelN/device/.
//
// DOC: what it is for
//
// In sysfs, accelN/device is the parent device's own directory: its bus and driver put their
// attributes there (a PCI device's vendor, a driver's firmware state). Here, too, the files
// under device/ are data, not code of the transport: the core adds the identity every device
// has (driver, vendor, device, serial and bus when it has them) when the device is created,
// and a driver adds its own through the device_add_attribute host op. The sys tree walks this
// registry and knows none of the names.
//
//   DeviceAttributes& a = dev.attributes();
//   a.AddFile("fw/state", 0444, [&] { return Result<std::string>("running\n"); }, nullptr);
//   // class/accel/accelN/device/fw/ (a directory, implied) and fw/state appear at once
//
// DOC: lifetime and unplug
//
// Nodes are only ever added (the tree goes with the device), so a node's id is stable and the
// transport can use it in inode numbers. Show and store callbacks run through
// ReadDeviceAttribute/WriteDeviceAttribute, inside the device's Enter()/Exit(): once the
// device is unplugged they fail with -ENODEV and a driver's callback never runs again, so a
// driver's code is not reached after its device is gone (nor after its plugin is closed).
// Callbacks run outside the registry's lock: they may be slow, and may even add nodes.
#ifndef ACCEL_CORE_DEVICE_ATTRIBUTES_H_
#define ACCEL_CORE_DEVICE_ATTRIBUTES_H_

#include <accel/result.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/caller.h"

namespace accel::core {

class Device;

class DeviceAttributes {
 public:
  // A file's text, produced at read time; at most kMaxValue bytes.
  using Show = std::function<Result<std::string>()>;
  // What a writer wrote (at most kMaxValue bytes, not NUL-terminated).
  using Store = std::function<Result<void>(std::string_view)>;

  static constexpr uint32_t kRoot = 0;             // device/ itself
  static constexpr size_t kMaxNodes = 128;         // files and directories, implied ones too
  static constexpr size_t kMaxPath = 128;          // bytes of a path below device/
  static constexpr size_t kMaxValue = 4096;        // as sysfs's PAGE_SIZE buffer
  static constexpr uint32_t kReadOnly = 0444;      // anyone reads
  static constexpr uint32_t kRootWritable = 0644;  // anyone reads, root writes

  // One file or directory, as the transport lists it.
  struct Node {
    uint32_t id = kRoot;  // 1.., in the order added; kRoot for device/
    uint32_t parent = kRoot;
    std::string name;  // the last component of the path
    bool dir = true;
    uint32_t mode = 0755;  // permission bits: 0755 directories, kReadOnly or kRootWritable
  };

  // A file at `path` ("fw_state", "engines/0/busy"), its missing parent directories implied.
  // `mode` is kReadOnly (no store) or kRootWritable (store required); show is required.
  // -EINVAL: bad path (empty, absolute, ".", "..", a component outside [A-Za-z0-9_.-], longer
  // than kMaxPath), bad mode or callbacks; -EEXIST: the path is taken; -ENOTDIR: a parent is
  // a file; -ENOSPC: past kMaxNodes.
  Result<void> AddFile(std::string_view path, uint32_t mode, Show show, Store store);
  // A directory (possibly empty); one that exists already is fine, as mkdir -p.
  Result<void> AddDir(std::string_view path);

  // kRoot or a node added; nullopt for an id never handed out.
  std::optional<Node> Find(uint32_t id) const;
  // The nodes directly inside directory `id`, in the order added.
  std::vector<Node> Children(uint32_t id) const;
  size_t size() const;

 private:
  friend Result<std::string> ReadDeviceAttribute(Device&, uint32_t);
  friend Result<void> WriteDeviceAttribute(Device&, uint32_t, const Caller&, std::string_view);

  struct Entry {
    Node node;
    Show show;
    Store store;
  };
  // Finds or creates the directories of `path` up to (not including) its last component;
  // mu_ held. Returns the id of the innermost one.
  Result<uint32_t> ParentOf(const std::vector<std::string_view>& parts, size_t* created);
  std::optional<uint32_t> ChildNamed(uint32_t parent, std::string_view name) const;
  std::shared_ptr<const Entry> Get(uint32_t id) const;

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const Entry>> entries_;  // entries_[id - 1]
};

// The file's show, with the device entered: -ENODEV once it is unplugged, -EISDIR for a
// directory, -ENOENT for an unknown id, -EIO when a show returns more than kMaxValue bytes.
Result<std::string> ReadDeviceAttribute(Device& dev, uint32_t id);
// The file's store, as `caller`, with the device entered: -EACCES for a read-only file,
// -EPERM unless the caller is root, -EINVAL past kMaxValue bytes, -ENODEV once unplugged;
// otherwise what the store returned.
Result<void> WriteDeviceAttribute(Device& dev, uint32_t id, const Caller& caller,
                                  std::string_view data);

// The attributes every device has: driver, vendor and device ("0x%04x", as PCI sysfs prints
// ids), serial and bus when the driver gave them. Device::Create calls it.
void AddIdentityAttributes(Device& dev);

}  // namespace accel::core

#endif  // ACCEL_CORE_DEVICE_ATTRIBUTES_H_
