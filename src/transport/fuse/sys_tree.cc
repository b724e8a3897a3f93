// sys_tree.cc - FUSE operations of the attribute tree; see sys_tree.h.
#include "transport/fuse/sys_tree.h"

#include <sys/stat.h>
#include <uapi/accel/accel.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ras_counters.h"
#include "transport/fuse/dir_entries.h"

namespace accel::transport {
namespace {

// Inode numbers: the tree's fixed directories, then (minor + 1) << 16 | local id per device.
constexpr fuse_ino_t kRoot = FUSE_ROOT_ID, kClass = 2, kClassAccel = 3;
enum Local : uint32_t {
  kDeviceDir = 1,
  kDev,
  kUevent,
  kDeviceSub,
  kDriver,
  kVendor,
  kDeviceId,
  kSerial,
  kBus,
  kRasDir,
  kRasClear,
  kWedged,
  kClients,
  kCoredumpDir,          // only while the device holds a dump
  kCoredumpData,         // read: the dump; write: dismiss it (root only, as devcoredump's data)
  kCounterBase = 0x100,  // + component * 8 + severity
};

fuse_ino_t Ino(uint32_t minor, uint32_t local) {
  return (static_cast<fuse_ino_t>(minor) + 1) << 16 | local;
}

// One node of the tree, resolved from an inode number.
struct Node {
  fuse_ino_t ino = 0;
  fuse_ino_t parent = 0;
  std::string name;
  bool dir = false;
  uint32_t mode = 0444;
  core::DeviceRef dev;  // empty for the fixed directories
  uint32_t local = 0;
};

SysTree& TreeOf(fuse_req_t req) {
  return *static_cast<SysTree*>(fuse_req_userdata(req));
}

std::string Hex4(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%04x", v);
  return b;
}

std::optional<Node> Resolve(core::Registry& reg, fuse_ino_t ino);

// The children of a directory node.
std::vector<Node> Children(core::Registry& reg, const Node& dir) {
  std::vector<Node> out;
  auto add = [&](fuse_ino_t ino) {
    if (std::optional<Node> n = Resolve(reg, ino)) out.push_back(std::move(*n));
  };
  if (dir.ino == kRoot) return {*Resolve(reg, kClass)};
  if (dir.ino == kClass) return {*Resolve(reg, kClassAccel)};
  if (dir.ino == kClassAccel) {
    for (const core::DeviceSummary& d : reg.List()) add(Ino(d.minor, kDeviceDir));
    return out;
  }
  const uint32_t m = dir.dev->minor();
  switch (dir.local) {
    case kDeviceDir:
      for (uint32_t l : {kDev, kUevent, kDeviceSub, kRasDir, kWedged, kClients, kCoredumpDir})
        add(Ino(m, l));
      break;
    case kCoredumpDir:
      add(Ino(m, kCoredumpData));
      break;
    case kDeviceSub:
      for (uint32_t l : {kDriver, kVendor, kDeviceId, kSerial, kBus}) add(Ino(m, l));
      break;
    case kRasDir:
      if (Result<std::vector<core::RasCounter>> cs = core::ReadRasCounters(*dir.dev.get()); cs) {
        for (const core::RasCounter& c : *cs)
          if (c.component < 32 && c.severity < 8)
            add(Ino(m, kCounterBase + c.component * 8 + c.severity));
      }
      add(Ino(m, kRasClear));
      break;
  }
  return out;
}

std::optional<Node> DeviceNode(core::DeviceRef dev, uint32_t local) {
  Node n;
  const uint32_t m = dev->minor();
  n.ino = Ino(m, local);
  n.local = local;
  auto set = [&](uint32_t parent_local, const std::string& name, bool dir, uint32_t mode) {
    n.parent = parent_local ? Ino(m, parent_local) : kClassAccel;
    n.name = name;
    n.dir = dir;
    n.mode = mode;
  };
  switch (local) {
    case kDeviceDir:
      set(0, dev->name(), true, 0755);
      break;
    case kDev:
      set(kDeviceDir, "dev", false, 0444);
      break;
    case kUevent:
      set(kDeviceDir, "uevent", false, 0444);
      break;
    case kDeviceSub:
      set(kDeviceDir, "device", true, 0755);
      break;
    case kDriver:
      set(kDeviceSub, "driver", false, 0444);
      break;
    case kVendor:
      set(kDeviceSub, "vendor", false, 0444);
      break;
    case kDeviceId:
      set(kDeviceSub, "device", false, 0444);
      break;
    case kSerial:
      if (dev->serial().empty()) return std::nullopt;
      set(kDeviceSub, "serial", false, 0444);
      break;
    case kBus:
      if (dev->bus().empty()) return std::nullopt;
      set(kDeviceSub, "bus", false, 0444);
      break;
    case kRasDir:
      set(kDeviceDir, "ras", true, 0755);
      break;
    case kRasClear:
      set(kRasDir, "clear", false, 0200);
      break;
    case kWedged:
      set(kDeviceDir, "wedged", false, 0444);
      break;
    case kClients:
      set(kDeviceDir, "clients", false, 0444);
      break;
    case kCoredumpDir:
      if (!dev->coredump()) return std::nullopt;
      set(kDeviceDir, "devcoredump", true, 0755);
      break;
    case kCoredumpData:
      if (!dev->coredump()) return std::nullopt;
      set(kCoredumpDir, "data", false, 0600);
      break;
    default: {
      if (local < kCounterBase || local >= kCounterBase + 32 * 8) return std::nullopt;
      const uint32_t comp = (local - kCounterBase) / 8, sev = (local - kCounterBase) % 8;
      if (sev >= ACCEL_RAS_SEV_COUNT || comp >= std::max<size_t>(dev->ras_components().size(), 1))
        return std::nullopt;
      set(kRasDir, dev->RasComponentName(comp) + "_" + core::RasSeverityName(sev), false, 0444);
    }
  }
  n.dev = std::move(dev);
  return n;
}

std::optional<Node> Resolve(core::Registry& reg, fuse_ino_t ino) {
  if (ino == kRoot) return Node{kRoot, kRoot, "", true, 0755, {}, 0};
  if (ino == kClass) return Node{kClass, kRoot, "class", true, 0755, {}, 0};
  if (ino == kClassAccel) return Node{kClassAccel, kClass, "accel", true, 0755, {}, 0};
  if (ino < (fuse_ino_t{1} << 16)) return std::nullopt;
  core::DeviceRef dev = reg.Lookup(static_cast<uint32_t>((ino >> 16) - 1));
  if (!dev) return std::nullopt;
  return DeviceNode(std::move(dev), static_cast<uint32_t>(ino & 0xffff));
}

// "0" or "1 <reason>": the state first, so that scripts can test one character.
std::string WedgedText(const core::Device& d) {
  const core::Device::WedgedState w = d.wedged();
  if (!w.wedged) return "0\n";
  return w.reason.empty() ? "1\n" : "1 " + w.reason + "\n";
}

// One fdinfo block per client the reader may see, each ending with an empty line.
Result<std::string> ClientsText(core::Device& d, const core::Caller& reader) {
  Result<std::vector<std::string>> blocks = d.ClientUsage(reader);
  if (!blocks) return Errno{blocks.error()};
  std::string text;
  for (const std::string& b : *blocks) text += b + "\n";
  return text;
}

// The text of an attribute file, produced now for `reader`.
Result<std::string> Content(const Node& n, const core::Caller& reader) {
  core::Device& d = *n.dev.get();
  const std::string minor = std::to_string(d.minor());
  switch (n.local) {
    case kWedged:
      return WedgedText(d);
    case kClients:
      return ClientsText(d, reader);
    case kDev:
      return std::to_string(ACCEL_MAJOR) + ":" + minor + "\n";
    case kUevent:
      return "MAJOR=" + std::to_string(ACCEL_MAJOR) + "\nMINOR=" + minor + "\nDEVNAME=accel/" +
             d.name() + "\n";
    case kDriver: {
      if (!d.Enter()) return Err(ENODEV);
      std::string name = d.driver()->name();
      d.Exit();
      return name + "\n";
    }
    case kVendor:
      return Hex4(d.vendor_id()) + "\n";
    case kDeviceId:
      return Hex4(d.device_id()) + "\n";
    case kSerial:
      return d.serial() + "\n";
    case kBus:
      return d.bus() + "\n";
  }
  Result<std::vector<core::RasCounter>> cs = core::ReadRasCounters(d);
  if (!cs) return Errno{cs.error()};
  const uint32_t comp = (n.local - kCounterBase) / 8, sev = (n.local - kCounterBase) % 8;
  for (const core::RasCounter& c : *cs)
    if (c.component == comp && c.severity == sev) return std::to_string(c.volatile_count) + "\n";
  return std::string("0\n");
}

struct stat Attr(const Node& n) {
  struct stat st {};
  st.st_ino = n.ino;
  st.st_mode = (n.dir ? S_IFDIR : S_IFREG) | n.mode;
  st.st_nlink = n.dir ? 2 : 1;
  st.st_size = n.dir ? 0 : 4096;   // as sysfs: the size of an attribute is not its length
  if (n.local == kCoredumpData) {  // a binary attribute: its size is the dump's
    std::shared_ptr<const core::Device::Coredump> dump = n.dev->coredump();
    st.st_size = dump ? static_cast<off_t>(dump->data.size()) : 0;
  }
  return st;
}

core::Caller CallerOf(fuse_req_t req) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  return core::Caller{static_cast<uint32_t>(ctx->uid), static_cast<uint32_t>(ctx->gid),
                      static_cast<uint32_t>(ctx->pid)};
}

// devcoredump/data: a slice of the dump, without copying the rest of it.
void ReadCoredump(fuse_req_t req, const Node& n, size_t size, off_t off) {
  if (fuse_req_ctx(req)->uid != 0) return (void)fuse_reply_err(req, EACCES);
  std::shared_ptr<const core::Device::Coredump> dump = n.dev->coredump();
  if (!dump) return (void)fuse_reply_err(req, ENOENT);  // dismissed since the open
  const std::vector<uint8_t>& data = dump->data;
  if (off < 0 || static_cast<size_t>(off) >= data.size())
    return (void)fuse_reply_buf(req, nullptr, 0);
  const size_t pos = static_cast<size_t>(off);
  fuse_reply_buf(req, reinterpret_cast<const char*>(data.data() + pos),
                 std::min(size, data.size() - pos));
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  core::Registry& reg = TreeOf(req).registry();
  std::optional<Node> p = Resolve(reg, parent);
  if (!p || !p->dir) return (void)fuse_reply_err(req, ENOENT);
  for (const Node& c : Children(reg, *p)) {
    if (c.name != name) continue;
    fuse_entry_param e{};
    e.ino = c.ino;
    e.attr = Attr(c);
    fuse_reply_entry(req, &e);  // timeouts 0: devices come and go
    return;
  }
  fuse_reply_err(req, ENOENT);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  std::optional<Node> n = Resolve(TreeOf(req).registry(), ino);
  if (!n) return (void)fuse_reply_err(req, ENOENT);
  struct stat st = Attr(*n);
  fuse_reply_attr(req, &st, 0);
}

void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  core::Registry& reg = TreeOf(req).registry();
  std::optional<Node> d = Resolve(reg, ino);
  if (!d || !d->dir) return (void)fuse_reply_err(req, ENOTDIR);
  std::vector<DirEntry> entries;
  for (const Node& n : Children(reg, *d)) entries.push_back({n.name, Attr(n)});
  ReplyDirEntries(req, entries, size, off);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  std::optional<Node> n = Resolve(TreeOf(req).registry(), ino);
  if (!n) return (void)fuse_reply_err(req, ENOENT);
  if (n->dir) return (void)fuse_reply_err(req, EISDIR);
  fi->direct_io = 1;  // values are produced at read time
  fuse_reply_open(req, fi);
}

void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  std::optional<Node> n = Resolve(TreeOf(req).registry(), ino);
  if (!n) return (void)fuse_reply_err(req, ENODEV);
  if (n->local == kRasClear) return (void)fuse_reply_err(req, EACCES);
  if (n->local == kCoredumpData) return ReadCoredump(req, *n, size, off);
  Result<std::string> text = Content(*n, CallerOf(req));
  if (!text) return (void)fuse_reply_err(req, -text.error());
  if (off < 0 || static_cast<size_t>(off) >= text->size())
    return (void)fuse_reply_buf(req, nullptr, 0);
  fuse_reply_buf(req, text->data() + off, std::min(size, text->size() - static_cast<size_t>(off)));
}

void Write(fuse_req_t req, fuse_ino_t ino, const char*, size_t size, off_t, fuse_file_info*) {
  std::optional<Node> n = Resolve(TreeOf(req).registry(), ino);
  if (!n) return (void)fuse_reply_err(req, ENODEV);
  if (n->local != kRasClear && n->local != kCoredumpData) return (void)fuse_reply_err(req, EACCES);
  if (fuse_req_ctx(req)->uid != 0) return (void)fuse_reply_err(req, EPERM);
  if (n->local == kCoredumpData) {  // any write dismisses the dump, as the kernel's does
    n->dev->DismissCoredump();
    return (void)fuse_reply_write(req, size);
  }
  Result<void> rc = core::ClearRasCounters(*n->dev.get());
  if (!rc) return (void)fuse_reply_err(req, -rc.error());
  fuse_reply_write(req, size);
}

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat*, int, fuse_file_info* fi) {
  // `echo 1 > clear` truncates first; attributes have no size to change, so accept it.
  GetAttr(req, ino, fi);
}

fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops{};
  ops.lookup = Lookup;
  ops.getattr = GetAttr;
  ops.setattr = SetAttr;
  ops.readdir = ReadDir;
  ops.open = Open;
  ops.read = Read;
  ops.write = Write;
  return ops;
}

const fuse_lowlevel_ops kOps = MakeOps();

}  // namespace

Result<void> SysTree::Mount(const std::string& dir, std::string* why) {
  return mount_.Mount(dir, "accel-sys", kOps, this, why);
}

}  // namespace accel::transport
