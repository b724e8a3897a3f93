// dev_tree.cc - FUSE operations of the device-node tree; see dev_tree.h.
#include "transport/fuse/dev_tree.h"

#include <linux/ioctl.h>
#include <poll.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "core/device.h"
#include "core/dispatch.h"
#include "core/file.h"
#include "transport/fuse/dir_entries.h"
#include "transport/fuse/staging_memory.h"

namespace accel::transport {

// The per-open state behind fi->fh.
struct OpenNode {
  core::File* file = nullptr;
  std::mutex mu;  // guards the staged payload and the poll handle
  StagedPayload staged;
  std::vector<uint8_t> staged_segments;  // built from `staged` on the first read of them
  fuse_pollhandle* ph = nullptr;
  int sleepers = 0;  // the tree's sleep_mu_: its sleeping ioctls now

  // Ends this open: no notifier runs after the first line, then the file is closed.
  void Close(const core::Caller& caller) {
    file->SetEventNotifier(nullptr);
    {
      std::lock_guard lock(mu);
      if (ph) fuse_pollhandle_destroy(ph);
      ph = nullptr;
    }
    file->Close(caller);
  }
};

namespace {

constexpr fuse_ino_t kRootIno = FUSE_ROOT_ID;
constexpr fuse_ino_t kByPathIno = 2;
constexpr fuse_ino_t kNodeBase = 0x1000;  // accelN
constexpr fuse_ino_t kLinkBase = 0x2000;  // by-path/<bus>-accel
constexpr char kByPath[] = "by-path";

DevTree& TreeOf(fuse_req_t req) {
  return *static_cast<DevTree*>(fuse_req_userdata(req));
}
OpenNode& NodeOf(fuse_file_info* fi) {
  return *reinterpret_cast<OpenNode*>(fi->fh);
}

core::Caller CallerOf(fuse_req_t req) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  return core::Caller{static_cast<uint32_t>(ctx->uid), static_cast<uint32_t>(ctx->gid),
                      static_cast<uint32_t>(ctx->pid)};
}

const timespec kStartTime = [] {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}();

struct stat DirAttr(fuse_ino_t ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFDIR | 0755;
  st.st_nlink = 2;
  st.st_atim = st.st_mtim = st.st_ctim = kStartTime;
  return st;
}

struct stat NodeAttr(const core::Device& dev) {
  struct stat st {};
  const core::NodePermissions p = dev.permissions();
  st.st_ino = kNodeBase + dev.minor();
  st.st_mode = S_IFREG | (p.mode & 07777);
  st.st_nlink = 1;
  st.st_uid = p.uid;
  st.st_gid = p.gid;
  st.st_atim = st.st_mtim = st.st_ctim = kStartTime;
  return st;
}

struct stat LinkAttr(const core::Device& dev) {
  struct stat st {};
  st.st_ino = kLinkBase + dev.minor();
  st.st_mode = S_IFLNK | 0777;
  st.st_nlink = 1;
  st.st_size = static_cast<off_t>(("../" + dev.name()).size());
  st.st_atim = st.st_mtim = st.st_ctim = kStartTime;
  return st;
}

void ReplyEntry(fuse_req_t req, const struct stat& st) {
  fuse_entry_param e{};
  e.ino = st.st_ino;
  e.attr = st;
  e.attr_timeout = 0;  // devices come and go: never let the kernel cache what it saw
  e.entry_timeout = 0;
  fuse_reply_entry(req, &e);
}

// The device of a by-path name, or empty.
core::DeviceRef FindByPath(core::Registry& reg, const char* name) {
  for (const core::DeviceSummary& d : reg.List()) {
    if (!d.bus.empty() && DevTree::ByPathName(d.bus) == name) return reg.Lookup(d.minor);
  }
  return {};
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  core::Registry& reg = TreeOf(req).registry();
  if (parent == kRootIno) {
    if (std::strcmp(name, kByPath) == 0) return ReplyEntry(req, DirAttr(kByPathIno));
    Result<core::DeviceRef> dev = reg.LookupName(name);
    if (!dev) return (void)fuse_reply_err(req, ENOENT);
    return ReplyEntry(req, NodeAttr(*dev->get()));
  }
  if (parent == kByPathIno) {
    core::DeviceRef dev = FindByPath(reg, name);
    if (!dev) return (void)fuse_reply_err(req, ENOENT);
    return ReplyEntry(req, LinkAttr(*dev.get()));
  }
  fuse_reply_err(req, ENOENT);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  if (ino == kRootIno || ino == kByPathIno) {
    struct stat st = DirAttr(ino);
    return (void)fuse_reply_attr(req, &st, 0);
  }
  const bool link = ino >= kLinkBase;
  core::DeviceRef dev =
      TreeOf(req).registry().Lookup(static_cast<uint32_t>(ino - (link ? kLinkBase : kNodeBase)));
  if (!dev || ino < kNodeBase) return (void)fuse_reply_err(req, ENOENT);
  struct stat st = link ? LinkAttr(*dev.get()) : NodeAttr(*dev.get());
  fuse_reply_attr(req, &st, 0);
}

void ReadLink(fuse_req_t req, fuse_ino_t ino) {
  core::DeviceRef dev = ino >= kLinkBase
                            ? TreeOf(req).registry().Lookup(static_cast<uint32_t>(ino - kLinkBase))
                            : core::DeviceRef();
  if (!dev) return (void)fuse_reply_err(req, ENOENT);
  fuse_reply_readlink(req, ("../" + dev->name()).c_str());
}

void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  if (ino != kRootIno && ino != kByPathIno) return (void)fuse_reply_err(req, ENOTDIR);
  std::vector<DirEntry> entries = {{".", DirAttr(ino)}, {"..", DirAttr(kRootIno)}};
  if (ino == kRootIno) entries.push_back({kByPath, DirAttr(kByPathIno)});
  core::Registry& reg = TreeOf(req).registry();
  for (const core::DeviceSummary& d : reg.List()) {
    core::DeviceRef dev = reg.Lookup(d.minor);
    if (!dev) continue;
    if (ino == kRootIno) entries.push_back({d.name, NodeAttr(*dev.get())});
    if (ino == kByPathIno && !d.bus.empty())
      entries.push_back({DevTree::ByPathName(d.bus), LinkAttr(*dev.get())});
  }
  ReplyDirEntries(req, entries, size, off);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino < kNodeBase || ino >= kLinkBase) return (void)fuse_reply_err(req, EISDIR);
  core::DeviceRef dev = TreeOf(req).registry().Lookup(static_cast<uint32_t>(ino - kNodeBase));
  if (!dev) return (void)fuse_reply_err(req, ENODEV);
  Result<core::File*> file = dev->Open(CallerOf(req));
  if (!file) return (void)fuse_reply_err(req, -file.error());
  auto* node = new OpenNode;
  node->file = *file;
  TreeOf(req).Track(node);
  fi->fh = reinterpret_cast<uint64_t>(node);
  fi->direct_io = 1;  // staged payloads change with every ioctl: never serve them from cache
  fi->keep_cache = 0;
  if (fuse_reply_open(req, fi) != 0) {  // the caller went away (interrupted open)
    TreeOf(req).Untrack(node);
    node->Close(CallerOf(req));
    delete node;
  }
}

void Release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  OpenNode* node = &NodeOf(fi);
  TreeOf(req).Untrack(node);
  node->Close(CallerOf(req));
  delete node;
  fuse_reply_err(req, 0);
}

bool DriverOffset(off_t off) {
  return off >= 0 && static_cast<uint64_t>(off) >= core::Device::kFileRwBegin &&
         static_cast<uint64_t>(off) < core::Device::kFileRwEnd;
}

// pread/pwrite at a driver's fake offset (a buffer object's data): the driver's file_rw, as
// often as it takes to fill this request or reach the object's end. What moved before an error
// is reported as a short count, as read(2) does.
Result<size_t> DriverReadWrite(fuse_req_t req, OpenNode& node, uint64_t pos, uint8_t* buf,
                               size_t size, bool write) {
  core::Device& dev = *node.file->device();
  const core::Caller caller = CallerOf(req);
  size_t done = 0;
  while (done < size && pos + done < core::Device::kFileRwEnd) {
    const auto chunk = static_cast<uint32_t>(std::min<size_t>(size - done, UINT32_MAX));
    Result<uint32_t> n =
        dev.FileReadWrite(*node.file, caller, pos + done, buf + done, chunk, write);
    if (!n && done == 0) return Errno{n.error()};
    if (!n || *n == 0) break;
    done += *n;
  }
  return done;
}

void Read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  OpenNode& node = NodeOf(fi);
  if (DriverOffset(off)) {
    std::vector<uint8_t> buf(size);
    Result<size_t> n =
        DriverReadWrite(req, node, static_cast<uint64_t>(off), buf.data(), size, false);
    if (!n) return (void)fuse_reply_err(req, -n.error());
    return (void)fuse_reply_buf(req, reinterpret_cast<const char*>(buf.data()), *n);
  }
  std::lock_guard lock(node.mu);
  const bool segments = static_cast<uint64_t>(off) >= kSegmentOffset;
  if (segments && node.staged_segments.empty() && !node.staged.empty())
    node.staged_segments = node.staged.Segments();
  const std::vector<uint8_t>& src = segments ? node.staged_segments : node.staged.bytes;
  const uint64_t pos = static_cast<uint64_t>(off) - (segments ? kSegmentOffset : 0);
  if (off < 0 || pos >= src.size()) return (void)fuse_reply_buf(req, nullptr, 0);
  const size_t n = std::min<uint64_t>(size, src.size() - pos);
  fuse_reply_buf(req, reinterpret_cast<const char*>(src.data() + pos), n);
}

// Runs one ioctl, the command Ioctl() found, and replies. The struct and the staged payload
// are private to this call until the reply, so concurrent ioctls on one file do not see each
// other's bytes. Dispatch() ends the device's bracket before the reply, which may let the file
// (and the device) go.
// `sleeper_of`: the tree that admitted this call as a sleeper (nullptr for a call on the FUSE
// worker); the node's share is given back before the reply, after which the node may be gone.
void RunIoctl(fuse_req_t req, OpenNode& node, const core::Caller& caller,
              core::FoundCommand&& found, uint8_t* arg, size_t size, size_t out_size,
              DevTree* sleeper_of = nullptr) {
  StagedPayload staged;
  StagingMemory mem(staged);
  int rc = core::Dispatch(std::move(found), caller, arg, size, mem);
  if (rc == 0 && !staged.empty())
    rc = static_cast<int>(std::min<size_t>(staged.bytes.size(), INT_MAX));
  {
    std::lock_guard lock(node.mu);
    if (!staged.empty() || !node.staged.empty()) {  // every ioctl replaces what was staged
      node.staged = std::move(staged);
      node.staged_segments.clear();
    }
  }
  if (sleeper_of) sleeper_of->LeaveSleeperFile(node);
  // With an error the struct still goes back (-ENOSPC carries the size needed).
  fuse_reply_ioctl(req, rc, arg, std::min(out_size, size));
}

void Ioctl(fuse_req_t req, fuse_ino_t, unsigned int cmd, void*, fuse_file_info* fi, unsigned flags,
           const void* in_buf, size_t in_size, size_t out_size) {
  if (flags & FUSE_IOCTL_DIR) return (void)fuse_reply_err(req, ENOTTY);
  OpenNode& node = NodeOf(fi);
  const size_t size = _IOC_SIZE(cmd);
  const core::Caller caller = CallerOf(req);
  // Looked up once, here: its flags choose the thread, and the call runs what was found. An
  // unknown command or a gone device still goes through RunIoctl, which reports the error.
  core::FoundCommand found = core::FindCommand(*node.file, cmd);
  if ((found.flags() & ACCEL_IOCTL_MAY_SLEEP) == 0) {
    // The common case runs here, on a stack copy of the struct.
    uint8_t small[256];
    std::vector<uint8_t> large;
    uint8_t* arg = small;
    if (size > sizeof(small)) {
      large.resize(size);
      arg = large.data();
    }
    std::memset(arg, 0, size);
    if (in_buf) std::memcpy(arg, in_buf, std::min(in_size, size));
    return RunIoctl(req, node, caller, std::move(found), arg, size, out_size);
  }
  std::vector<uint8_t> arg(size, 0);
  if (in_buf) std::memcpy(arg.data(), in_buf, std::min(in_size, size));

  // A sleeping command: off the FUSE worker, interruptible. The kernel keeps the file open
  // until we reply, so `node` lives until the reply, and not a moment longer: after it a
  // close(2) in the client frees it (found by the unplug-under-load test). `found` goes with it,
  // the device still held: an unplug meanwhile waits for this call, whose sleep it then wakes with
  // -ENODEV.
  DevTree& tree = TreeOf(req);
  if (int rc = tree.AdmitSleeper(node, caller.uid); rc < 0) return (void)fuse_reply_err(req, -rc);
  node.file->ClearInterrupt();
  fuse_req_interrupt_func(
      req, [](fuse_req_t, void* file) { static_cast<core::File*>(file)->Interrupt(); }, node.file);
  try {
    std::thread([req, &node, caller, found = std::move(found), arg = std::move(arg), out_size,
                 &tree]() mutable {
      RunIoctl(req, node, caller, std::move(found), arg.data(), arg.size(), out_size, &tree);
      tree.SleeperReplied(caller.uid);  // last: Stop() may end the session once all left
    }).detach();
  } catch (const std::system_error&) {  // no thread to be had: the call is refused, not lost
    tree.LeaveSleeperFile(node);
    tree.SleeperReplied(caller.uid);
    fuse_reply_err(req, EAGAIN);
  }
}

void Poll(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, fuse_pollhandle* ph) {
  OpenNode* node = &NodeOf(fi);
  if (ph) {
    bool first;
    {
      std::lock_guard lock(node->mu);
      first = node->ph == nullptr;
      if (node->ph) fuse_pollhandle_destroy(node->ph);
      node->ph = ph;
    }
    if (first) {
      node->file->SetEventNotifier([node] {
        std::lock_guard lock(node->mu);
        if (node->ph) fuse_lowlevel_notify_poll(node->ph);
      });
    }
  }
  unsigned revents = 0;
  if (node->file->HasEvent()) revents |= POLLIN | POLLRDNORM;
  if (node->file->detached() || node->file->device()->unplugged()) revents |= POLLHUP | POLLERR;
  fuse_reply_poll(req, revents);
}

void Write(fuse_req_t req, fuse_ino_t, const char* data, size_t size, off_t off,
           fuse_file_info* fi) {
  // Nodes take commands through ioctl(2); below the driver's fake offsets a write has no
  // meaning, and at and above 2^62 are the staged segments, which are read-only.
  if (!DriverOffset(off)) return (void)fuse_reply_err(req, EINVAL);
  // The driver's hook takes a mutable buffer for both directions; a write only reads it.
  auto* buf = reinterpret_cast<uint8_t*>(const_cast<char*>(data));
  Result<size_t> n = DriverReadWrite(req, NodeOf(fi), static_cast<uint64_t>(off), buf, size, true);
  if (!n) return (void)fuse_reply_err(req, -n.error());
  fuse_reply_write(req, *n);
}

constexpr fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops{};
  ops.lookup = Lookup;
  ops.getattr = GetAttr;
  ops.readlink = ReadLink;
  ops.readdir = ReadDir;
  ops.open = Open;
  ops.release = Release;
  ops.read = Read;
  ops.write = Write;
  ops.ioctl = Ioctl;
  ops.poll = Poll;
  return ops;
}

const fuse_lowlevel_ops kOps = MakeOps();

}  // namespace

DevTree::~DevTree() {
  Stop();
}

std::string DevTree::ByPathName(const std::string& bus) {
  std::string name = bus;
  if (size_t colon = name.find(':'); colon != std::string::npos) name[colon] = '-';
  std::replace(name.begin(), name.end(), '/', '-');
  return name + "-accel";
}

Result<void> DevTree::Mount(const std::string& dir, std::string* why) {
  return mount_.Mount(dir, "accel", kOps, this, why);
}

int DevTree::AdmitSleeper(OpenNode& node, uint32_t uid) {
  std::lock_guard lock(sleep_mu_);
  if (stopping_) return -ESHUTDOWN;
  int& mine = sleepers_by_uid_[uid];
  if (node.sleepers >= kMaxSleepersPerFile || mine >= kMaxSleepersPerUid ||
      sleepers_ >= kMaxSleepers) {
    if (mine == 0) sleepers_by_uid_.erase(uid);
    return -EAGAIN;
  }
  ++node.sleepers;
  ++mine;
  ++sleepers_;
  return 0;
}

void DevTree::LeaveSleeperFile(OpenNode& node) {
  std::lock_guard lock(sleep_mu_);
  --node.sleepers;
}

void DevTree::SleeperReplied(uint32_t uid) {
  std::lock_guard lock(sleep_mu_);
  if (auto it = sleepers_by_uid_.find(uid); it != sleepers_by_uid_.end() && --it->second == 0)
    sleepers_by_uid_.erase(it);
  if (--sleepers_ == 0) sleepers_gone_.notify_all();
}

void DevTree::Stop() {
  // Every sleeping call must have replied before the session (and the OpenNode it uses) goes:
  // refuse new ones, interrupt those still asleep (devices usually unplugged first, which
  // wakes them with -ENODEV; a driver waiting on something else gets -EINTR), and wait.
  {
    std::unique_lock lock(sleep_mu_);
    stopping_ = true;
    while (sleepers_ > 0) {
      {
        std::lock_guard open(open_mu_);
        for (OpenNode* node : open_nodes_)
          if (node->sleepers > 0) node->file->Interrupt();
      }
      if (!sleepers_gone_.wait_for(lock, std::chrono::seconds(5), [&] { return sleepers_ == 0; }))
        spdlog::warn("FUSE: {} sleeping ioctls still running at shutdown; waiting", sleepers_);
    }
  }
  mount_.Stop();
  CloseOrphans();
}

void DevTree::Track(OpenNode* node) {
  std::lock_guard lock(open_mu_);
  open_nodes_.insert(node);
}

void DevTree::Untrack(OpenNode* node) {
  std::lock_guard lock(open_mu_);
  open_nodes_.erase(node);
}

void DevTree::CloseOrphans() {
  // The workers are gone: no RELEASE can race this. The clients see ENOTCONN.
  std::set<OpenNode*> orphans;
  {
    std::lock_guard lock(open_mu_);
    orphans.swap(open_nodes_);
  }
  for (OpenNode* node : orphans) {
    node->Close(core::Caller{});
    delete node;
  }
}

}  // namespace accel::transport
