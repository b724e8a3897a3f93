// sys_tree.cc - FUSE operations of the attribute tree; see sys_tree.h.
#include "transport/fuse/sys_tree.h"

#include <sys/stat.h>
#include <uapi/accel/accel.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/device_attributes.h"
#include "core/ras_counters.h"
#include "ras/model.h"
#include "transport/fuse/dir_entries.h"

namespace accel::transport {
namespace {

using core::DeviceAttributes;

// Inode numbers: the tree's fixed directories, then (minor + 1) << 16 | local id per device.
// A device's local ids: its fixed nodes (kFixed below), one per RAS counter, and one per node
// of its attribute registry (class/accel/accelN/device/...).
constexpr fuse_ino_t kRoot = FUSE_ROOT_ID, kClass = 2, kClassAccel = 3;
enum Local : uint32_t {
  kDeviceDir = 1,
  kDev,
  kUevent,
  kDeviceSub,  // the registry's root; its files are the registry's, not this file's
  kRasDir,
  kRasClear,
  kWedged,
  kClients,
  kCoredumpDir,
  kCoredumpData,
  kCounterBase = 0x100,  // + component * 8 + severity
  kCounterEnd = kCounterBase + 32 * 8,
  kAttrBase = 0x1000,  // + the registry's node id
};
static_assert(kAttrBase + DeviceAttributes::kMaxNodes < 0x10000);

fuse_ino_t Ino(uint32_t minor, uint32_t local) {
  return (static_cast<fuse_ino_t>(minor) + 1) << 16 | local;
}

SysTree& TreeOf(fuse_req_t req) {
  return *static_cast<SysTree*>(fuse_req_userdata(req));
}

// "0" or "1 <reason>": the state first, so that scripts can test one character.
Result<std::string> WedgedText(core::Device& d, const core::Caller&) {
  const core::Device::WedgedState w = d.wedged();
  if (!w.wedged) return std::string("0\n");
  return w.reason.empty() ? std::string("1\n") : "1 " + w.reason + "\n";
}

// One fdinfo block per client the reader may see, each ending with an empty line.
Result<std::string> ClientsText(core::Device& d, const core::Caller& reader) {
  Result<std::vector<std::string>> blocks = d.ClientUsage(reader);
  if (!blocks) return Errno{blocks.error()};
  std::string text;
  for (const std::string& b : *blocks) text += b + "\n";
  return text;
}

Result<std::string> DevText(core::Device& d, const core::Caller&) {
  return std::to_string(ACCEL_MAJOR) + ":" + std::to_string(d.minor()) + "\n";
}

Result<std::string> UeventText(core::Device& d, const core::Caller&) {
  return "MAJOR=" + std::to_string(ACCEL_MAJOR) + "\nMINOR=" + std::to_string(d.minor()) +
         "\nDEVNAME=accel/" + d.name() + "\n";
}

Result<void> ClearCounters(core::Device& d) {
  return core::ClearRasCounters(d);
}

// Any write dismisses the dump, as the kernel's devcoredump does.
Result<void> DismissCoredump(core::Device& d) {
  d.DismissCoredump();
  return {};
}

bool HasCoredump(const core::Device& d) {
  return d.coredump() != nullptr;
}

// A node every device has, outside its attribute registry: one row per file or directory.
struct FixedNode {
  uint32_t local;
  uint32_t parent;  // 0: the device directory, whose parent is class/accel
  const char* name;
  bool dir;
  uint32_t mode;
  bool (*present)(const core::Device&);                             // null: always
  Result<std::string> (*show)(core::Device&, const core::Caller&);  // null: not readable
  Result<void> (*store)(core::Device&);                             // null: not writable
  bool binary;  // read in slices as the device's coredump, root only; size = the dump's
};

constexpr FixedNode kFixed[] = {
    {kDeviceDir, 0, nullptr, true, 0755, nullptr, nullptr, nullptr, false},
    {kDev, kDeviceDir, "dev", false, 0444, nullptr, DevText, nullptr, false},
    {kUevent, kDeviceDir, "uevent", false, 0444, nullptr, UeventText, nullptr, false},
    {kDeviceSub, kDeviceDir, "device", true, 0755, nullptr, nullptr, nullptr, false},
    {kRasDir, kDeviceDir, "ras", true, 0755, nullptr, nullptr, nullptr, false},
    {kRasClear, kRasDir, "clear", false, 0200, nullptr, nullptr, ClearCounters, false},
    {kWedged, kDeviceDir, "wedged", false, 0444, nullptr, WedgedText, nullptr, false},
    {kClients, kDeviceDir, "clients", false, 0444, nullptr, ClientsText, nullptr, false},
    {kCoredumpDir, kDeviceDir, "devcoredump", true, 0755, HasCoredump, nullptr, nullptr, false},
    {kCoredumpData, kCoredumpDir, "data", false, 0600, HasCoredump, nullptr, DismissCoredump, true},
};

const FixedNode* FindFixed(uint32_t local) {
  for (const FixedNode& f : kFixed)
    if (f.local == local) return &f;
  return nullptr;
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
  const FixedNode* fixed = nullptr;  // a device's fixed node, else null
};

// A registry node's local id (its root is device/ itself).
uint32_t AttrLocal(uint32_t id) {
  return id == DeviceAttributes::kRoot ? kDeviceSub : kAttrBase + id;
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
  if (dir.local == kDeviceSub || dir.local >= kAttrBase) {
    const uint32_t id = dir.local == kDeviceSub ? DeviceAttributes::kRoot : dir.local - kAttrBase;
    for (const DeviceAttributes::Node& a : dir.dev->attributes().Children(id))
      add(Ino(m, AttrLocal(a.id)));
    return out;
  }
  if (dir.local == kRasDir) {  // one file per counter, before the fixed `clear`
    if (Result<std::vector<core::RasCounter>> cs = core::ReadRasCounters(*dir.dev.get()); cs) {
      for (const core::RasCounter& c : *cs)
        if (c.component < 32 && c.severity < 8)
          add(Ino(m, kCounterBase + c.component * 8 + c.severity));
    }
  }
  for (const FixedNode& f : kFixed)
    if (f.parent == dir.local) add(Ino(m, f.local));
  return out;
}

std::optional<Node> CounterNode(const core::Device& dev, uint32_t local, Node n) {
  const uint32_t comp = (local - kCounterBase) / 8, sev = (local - kCounterBase) % 8;
  if (sev >= ACCEL_RAS_SEV_COUNT || comp >= std::max<size_t>(dev.ras_components().size(), 1))
    return std::nullopt;
  n.parent = Ino(dev.minor(), kRasDir);
  n.name = dev.RasComponentName(comp) + "_" + ras::SeverityName(sev);
  n.dir = false;
  n.mode = 0444;
  return n;
}

std::optional<Node> AttrNode(core::Device& dev, uint32_t local, Node n) {
  std::optional<DeviceAttributes::Node> a = dev.attributes().Find(local - kAttrBase);
  if (!a || a->id == DeviceAttributes::kRoot) return std::nullopt;
  n.parent = Ino(dev.minor(), AttrLocal(a->parent));
  n.name = a->name;
  n.dir = a->dir;
  n.mode = a->mode;
  return n;
}

std::optional<Node> DeviceNode(core::DeviceRef dev, uint32_t local) {
  const uint32_t m = dev->minor();
  Node n;
  n.ino = Ino(m, local);
  n.local = local;
  std::optional<Node> out;
  if (local >= kAttrBase) {
    out = AttrNode(*dev.get(), local, std::move(n));
  } else if (local >= kCounterBase) {
    if (local < kCounterEnd) out = CounterNode(*dev.get(), local, std::move(n));
  } else if (const FixedNode* f = FindFixed(local); f && (!f->present || f->present(*dev.get()))) {
    n.parent = f->parent ? Ino(m, f->parent) : kClassAccel;
    n.name = f->name ? f->name : dev->name();
    n.dir = f->dir;
    n.mode = f->mode;
    n.fixed = f;
    out = std::move(n);
  }
  if (out) out->dev = std::move(dev);
  return out;
}

std::optional<Node> Resolve(core::Registry& reg, fuse_ino_t ino) {
  if (ino == kRoot) return Node{kRoot, kRoot, "", true, 0755, {}, 0, nullptr};
  if (ino == kClass) return Node{kClass, kRoot, "class", true, 0755, {}, 0, nullptr};
  if (ino == kClassAccel) return Node{kClassAccel, kClass, "accel", true, 0755, {}, 0, nullptr};
  if (ino < (fuse_ino_t{1} << 16)) return std::nullopt;
  core::DeviceRef dev = reg.Lookup(static_cast<uint32_t>((ino >> 16) - 1));
  if (!dev) return std::nullopt;
  return DeviceNode(std::move(dev), static_cast<uint32_t>(ino & 0xffff));
}

// The text of an attribute file, produced now for `reader`.
Result<std::string> Content(const Node& n, const core::Caller& reader) {
  core::Device& d = *n.dev.get();
  if (n.local >= kAttrBase) return core::ReadDeviceAttribute(d, n.local - kAttrBase);
  if (n.fixed) return n.fixed->show ? n.fixed->show(d, reader) : Err(EACCES);
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
  st.st_size = n.dir ? 0 : 4096;     // as sysfs: the size of an attribute is not its length
  if (n.fixed && n.fixed->binary) {  // a binary attribute: its size is the dump's
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
  if (n->fixed && n->fixed->binary) return ReadCoredump(req, *n, size, off);
  Result<std::string> text = Content(*n, CallerOf(req));
  if (!text) return (void)fuse_reply_err(req, -text.error());
  if (off < 0 || static_cast<size_t>(off) >= text->size())
    return (void)fuse_reply_buf(req, nullptr, 0);
  fuse_reply_buf(req, text->data() + off, std::min(size, text->size() - static_cast<size_t>(off)));
}

// The whole write goes to the attribute at once, whatever its offset: as sysfs, a store sees
// what one write(2) wrote.
void Write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t, fuse_file_info*) {
  std::optional<Node> n = Resolve(TreeOf(req).registry(), ino);
  if (!n) return (void)fuse_reply_err(req, ENODEV);
  const core::Caller caller = CallerOf(req);
  Result<void> rc;
  if (n->local >= kAttrBase) {
    rc = core::WriteDeviceAttribute(*n->dev.get(), n->local - kAttrBase, caller,
                                    std::string_view(buf, size));
  } else if (!n->fixed || !n->fixed->store) {
    rc = Err(EACCES);
  } else if (!caller.IsRoot()) {
    rc = Err(EPERM);
  } else {
    rc = n->fixed->store(*n->dev.get());
  }
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
