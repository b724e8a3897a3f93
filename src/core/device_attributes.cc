// device_attributes.cc - see device_attributes.h.
#include "core/device_attributes.h"

#include <cerrno>
#include <cstdio>

#include "core/device.h"
#include "core/driver.h"

namespace accel::core {
namespace {

bool ValidComponent(std::string_view c) {
  if (c.empty() || c == "." || c == "..") return false;
  for (char ch : c) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

// "a/b/c" -> {"a", "b", "c"}; nullopt for anything ValidComponent refuses.
std::optional<std::vector<std::string_view>> SplitPath(std::string_view path) {
  if (path.empty() || path.size() > DeviceAttributes::kMaxPath) return std::nullopt;
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view part = path.substr(start, slash - start);
    if (!ValidComponent(part)) return std::nullopt;
    parts.push_back(part);
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

std::string Hex4(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%04x\n", v);
  return b;
}

}  // namespace

std::optional<uint32_t> DeviceAttributes::ChildNamed(uint32_t parent, std::string_view name) const {
  for (const std::shared_ptr<const Entry>& e : entries_)
    if (e->node.parent == parent && e->node.name == name) return e->node.id;
  return std::nullopt;
}

Result<uint32_t> DeviceAttributes::ParentOf(const std::vector<std::string_view>& parts,
                                            size_t* created) {
  uint32_t dir = kRoot;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (std::optional<uint32_t> id = ChildNamed(dir, parts[i])) {
      if (!entries_[*id - 1]->node.dir) return Err(ENOTDIR);
      dir = *id;
      continue;
    }
    if (entries_.size() >= kMaxNodes) return Err(ENOSPC);
    Node n;
    n.id = static_cast<uint32_t>(entries_.size() + 1);
    n.parent = dir;
    n.name = std::string(parts[i]);
    entries_.push_back(std::make_shared<const Entry>(Entry{std::move(n), nullptr, nullptr}));
    ++*created;
    dir = static_cast<uint32_t>(entries_.size());
  }
  return dir;
}

Result<void> DeviceAttributes::AddFile(std::string_view path, uint32_t mode, Show show,
                                       Store store) {
  if (!show || (mode != kReadOnly && mode != kRootWritable) ||
      (mode == kRootWritable) != static_cast<bool>(store))
    return Err(EINVAL);
  std::optional<std::vector<std::string_view>> parts = SplitPath(path);
  if (!parts) return Err(EINVAL);
  std::lock_guard lock(mu_);
  // Implied directories are undone when the file cannot be added, so a failed add leaves
  // nothing behind.
  size_t created = 0;
  Result<uint32_t> parent = ParentOf(*parts, &created);
  auto undo = [&] { entries_.resize(entries_.size() - created); };
  if (!parent) {
    undo();
    return Errno{parent.error()};
  }
  if (ChildNamed(*parent, parts->back())) {
    undo();
    return Err(EEXIST);
  }
  if (entries_.size() >= kMaxNodes) {
    undo();
    return Err(ENOSPC);
  }
  Node n;
  n.id = static_cast<uint32_t>(entries_.size() + 1);
  n.parent = *parent;
  n.name = std::string(parts->back());
  n.dir = false;
  n.mode = mode;
  entries_.push_back(
      std::make_shared<const Entry>(Entry{std::move(n), std::move(show), std::move(store)}));
  return {};
}

Result<void> DeviceAttributes::AddDir(std::string_view path) {
  std::optional<std::vector<std::string_view>> parts = SplitPath(path);
  if (!parts) return Err(EINVAL);
  parts->push_back("x");  // ParentOf makes every component but the last: make them all
  std::lock_guard lock(mu_);
  size_t created = 0;
  Result<uint32_t> dir = ParentOf(*parts, &created);
  if (!dir) {
    entries_.resize(entries_.size() - created);
    return Errno{dir.error()};
  }
  return {};
}

std::shared_ptr<const DeviceAttributes::Entry> DeviceAttributes::Get(uint32_t id) const {
  std::lock_guard lock(mu_);
  if (id == kRoot || id > entries_.size()) return nullptr;
  return entries_[id - 1];
}

std::optional<DeviceAttributes::Node> DeviceAttributes::Find(uint32_t id) const {
  if (id == kRoot) return Node{};
  std::shared_ptr<const Entry> e = Get(id);
  if (!e) return std::nullopt;
  return e->node;
}

std::vector<DeviceAttributes::Node> DeviceAttributes::Children(uint32_t id) const {
  std::lock_guard lock(mu_);
  std::vector<Node> out;
  for (const std::shared_ptr<const Entry>& e : entries_)
    if (e->node.parent == id) out.push_back(e->node);
  return out;
}

size_t DeviceAttributes::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

Result<std::string> ReadDeviceAttribute(Device& dev, uint32_t id) {
  std::shared_ptr<const DeviceAttributes::Entry> e = dev.attributes().Get(id);
  if (!e) return Err(id == DeviceAttributes::kRoot ? EISDIR : ENOENT);
  if (e->node.dir) return Err(EISDIR);
  if (!dev.Enter()) return Err(ENODEV);
  Result<std::string> text = e->show();
  dev.Exit();
  if (text && text->size() > DeviceAttributes::kMaxValue) return Err(EIO);
  return text;
}

Result<void> WriteDeviceAttribute(Device& dev, uint32_t id, const Caller& caller,
                                  std::string_view data) {
  std::shared_ptr<const DeviceAttributes::Entry> e = dev.attributes().Get(id);
  if (!e) return Err(id == DeviceAttributes::kRoot ? EISDIR : ENOENT);
  if (e->node.dir) return Err(EISDIR);
  if (!e->store) return Err(EACCES);
  if (!caller.IsRoot()) return Err(EPERM);
  if (data.size() > DeviceAttributes::kMaxValue) return Err(EINVAL);
  if (!dev.Enter()) return Err(ENODEV);
  Result<void> rc = e->store(data);
  dev.Exit();
  return rc;
}

void AddIdentityAttributes(Device& dev) {
  DeviceAttributes& a = dev.attributes();
  Device* d = &dev;  // the registry is the device's: it never outlives it
  auto text = [](std::string s) { return [s] { return Result<std::string>(s); }; };
  // Fresh names cannot collide and the paths are valid, so these adds cannot fail.
  (void)a.AddFile(
      "driver", DeviceAttributes::kReadOnly,
      [d] { return Result<std::string>(d->driver_name() + "\n"); }, nullptr);
  (void)a.AddFile("vendor", DeviceAttributes::kReadOnly, text(Hex4(dev.vendor_id())), nullptr);
  (void)a.AddFile("device", DeviceAttributes::kReadOnly, text(Hex4(dev.device_id())), nullptr);
  if (!dev.serial().empty())
    (void)a.AddFile("serial", DeviceAttributes::kReadOnly, text(dev.serial() + "\n"), nullptr);
  if (!dev.bus().empty())
    (void)a.AddFile("bus", DeviceAttributes::kReadOnly, text(dev.bus() + "\n"), nullptr);
}

}  // namespace accel::core
