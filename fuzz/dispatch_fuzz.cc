// dispatch_fuzz.cc - the ioctl argument path: core::Dispatch and the handlers behind it.
//
// DOC: setup and input
//
// LLVMFuzzerInitialize loads the real dummy plugin (count=1) from the build tree and opens
// accel0 twice: once as root, once as uid 1000. The registry, loader and files live for the
// whole process: libFuzzer never returns from its loop, and tearing them down would only test
// exit paths the unit tests already cover.
//
// Input layout:
//   bytes 0..3  a little-endian word W that picks the command (see PickCmd)
//   byte  4     bit 0: caller is root; bit 1: call on the file uid 1000 opened (credentials
//               are judged per call, so root on that file and uid 1000 on root's both occur);
//               bits 2..4: how W becomes a command
//   bytes 5..   the argument struct, zero-padded or cut to _IOC_SIZE(cmd) (at most 16383)
//
// The fuzzer controls every __u64 ptr field, so copy_to_user goes to RecordingMemory, which
// keeps the bytes in a bounded buffer instead of writing to those addresses. WAIT_EVENT's
// timeout is forced to 0 so that no input sleeps.
//
// After each call the result is checked against the size and permission rules of
// include/uapi/accel/accel.h, which this file restates rather than borrows from dispatch.cc.
#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "core/caller.h"
#include "core/device.h"
#include "core/dispatch.h"
#include "core/file.h"
#include "core/registry.h"
#include "daemon/module_loader.h"
#include "fuzz_check.h"
#include "ras/codecs/all_codecs.h"

namespace {

using accel::core::Caller;

// copy_to_user() into a bounded record. Every source byte is read (so ASan checks the whole
// range the core hands over), the first kKeep are kept for the oracles.
class RecordingMemory final : public accel::core::UserMemory {
 public:
  static constexpr size_t kKeep = 4096;

  int CopyOut(uint64_t addr, const void* src, uint32_t len) override {
    if (addr == 0 && len != 0) return -EFAULT;  // as InProcessMemory: NULL is never mapped
    const auto* p = static_cast<const uint8_t*>(src);
    uint8_t x = 0;
    for (uint32_t i = 0; i < len; ++i) x ^= p[i];
    sink_ = sink_ ^ x;
    const size_t keep = std::min<size_t>(len, kKeep - std::min(kept_, kKeep));
    std::memcpy(buf_ + kept_, p, keep);
    kept_ += keep;
    ++copies_;
    total_ += len;
    last_addr_ = addr;
    return 0;
  }

  // copy_from_user(): the fuzzer's pointers name no memory of ours, so the caller's bytes are
  // made up from the address (deterministic, so a crash reproduces); NULL and a range that
  // wraps are -EFAULT, as in process.
  int CopyIn(void* dst, uint64_t addr, uint32_t len) override {
    if (len == 0) return 0;
    if (addr == 0 || addr + len < addr) return -EFAULT;
    auto* out = static_cast<uint8_t*>(dst);
    for (uint32_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>((addr + i) * 0x9d);
    total_in_ += len;
    return 0;
  }

  void Reset() {
    kept_ = copies_ = total_ = total_in_ = 0;
    last_addr_ = 0;
  }
  size_t copies() const { return copies_; }
  size_t total() const { return total_; }
  size_t total_in() const { return total_in_; }
  uint64_t last_addr() const { return last_addr_; }
  const uint8_t* kept() const { return buf_; }

 private:
  uint8_t buf_[kKeep];
  size_t kept_ = 0, copies_ = 0, total_ = 0, total_in_ = 0;
  uint64_t last_addr_ = 0;
  volatile uint8_t sink_ = 0;
};

struct Fixture {
  accel::core::Registry registry;
  accel::daemon::ModuleLoader loader{registry, {ACCEL_PLUGIN_DIR}};
  accel::core::File* root_file = nullptr;  // opened by uid 0
  accel::core::File* user_file = nullptr;  // opened by uid 1000
};

Fixture* g_fx = nullptr;
constexpr Caller kRoot{0, 0, 1};
constexpr Caller kUser{1000, 1000, 2};

constexpr uint32_t kKnownCmds[] = {
    ACCEL_IOCTL_GET_CAP,          ACCEL_IOCTL_VERSION,          ACCEL_IOCTL_RAS_QUERY,
    ACCEL_IOCTL_DUMMY_RAS_INJECT, ACCEL_IOCTL_DUMMY_WAIT_EVENT,
};

// Modes 0..4: a real command with W's top 16 bits flipped into its direction and size
// (W == 0 gives the command as published). 5: any nr, direction and size under type 'd'.
// 6, 7: W itself, entirely random.
uint32_t PickCmd(uint32_t w, uint32_t mode) {
  if (mode < std::size(kKnownCmds)) return kKnownCmds[mode] ^ (w & 0xffff0000u);
  if (mode == 5)
    return (w & ~(uint32_t{_IOC_TYPEMASK} << _IOC_TYPESHIFT)) |
           (uint32_t{ACCEL_IOCTL_BASE} << _IOC_TYPESHIFT);
  return w;
}

// Commands that mode 5 reaches by their nr but PickCmd does not name (adding them to
// kKnownCmds would renumber the modes, and so change what every corpus input means).
constexpr uint32_t kOtherCmds[] = {
    ACCEL_IOCTL_DRM_VERSION, ACCEL_IOCTL_RAS_EVENT_READ, ACCEL_IOCTL_RAS_CLEAR,
    ACCEL_IOCTL_RAS_INJECT,  ACCEL_IOCTL_DUMMY_EXPORT,   ACCEL_IOCTL_DUMMY_SUBMIT,
    ACCEL_IOCTL_DUMMY_FAULT, ACCEL_IOCTL_DUMMY_DIGEST,
};

// The commands whose table entry says ACCEL_IOCTL_ROOT_ONLY.
constexpr uint32_t kRootOnlyCmds[] = {ACCEL_IOCTL_DUMMY_RAS_INJECT, ACCEL_IOCTL_DUMMY_FAULT,
                                      ACCEL_IOCTL_RAS_CLEAR, ACCEL_IOCTL_RAS_INJECT};

// Today's size of the command at (type, nr), or 0 when there is none (dummy driver loaded).
size_t KnownSize(uint32_t cmd) {
  for (uint32_t k : kKnownCmds)
    if (_IOC_TYPE(k) == _IOC_TYPE(cmd) && _IOC_NR(k) == _IOC_NR(cmd)) return _IOC_SIZE(k);
  for (uint32_t k : kOtherCmds)
    if (_IOC_TYPE(k) == _IOC_TYPE(cmd) && _IOC_NR(k) == _IOC_NR(cmd)) return _IOC_SIZE(k);
  return 0;
}

// The direction bits of the command's table entry (0 when there is none).
uint32_t KnownDir(uint32_t cmd) {
  for (uint32_t k : kKnownCmds)
    if (_IOC_TYPE(k) == _IOC_TYPE(cmd) && _IOC_NR(k) == _IOC_NR(cmd)) return _IOC_DIR(k);
  for (uint32_t k : kOtherCmds)
    if (_IOC_TYPE(k) == _IOC_TYPE(cmd) && _IOC_NR(k) == _IOC_NR(cmd)) return _IOC_DIR(k);
  return 0;
}

bool IsCmd(uint32_t cmd, uint32_t known) {
  return _IOC_TYPE(cmd) == _IOC_TYPE(known) && _IOC_NR(cmd) == _IOC_NR(known);
}

bool IsKnownErrno(int rc) {
  switch (-rc) {
    case 0:
    case EINVAL:
    case ENOTTY:
    case E2BIG:
    case EACCES:
    case EFAULT:
    case ENOSPC:
    case EOPNOTSUPP:
    case ETIME:
      return true;
    default:
      return false;
  }
}

// The dummy device's event sequence number, read with a WAIT_EVENT that cannot sleep (the
// sequence never equals ~0, so the condition holds at once).
uint64_t EventSeqno(RecordingMemory& mem) {
  accel_dummy_wait_event w{};
  w.seqno = ~uint64_t{0};
  const int rc = accel::core::Dispatch(*g_fx->root_file, kRoot, ACCEL_IOCTL_DUMMY_WAIT_EVENT, &w,
                                       sizeof(w), mem);
  FUZZ_CHECK(rc == 0, "seqno probe failed with %d", rc);
  return w.seqno;
}

bool AllZero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

// What the uAPI says must have happened, judged from the command, the caller and the input.
void CheckResult(uint32_t cmd, const Caller& caller, const std::vector<uint8_t>& in,
                 const std::vector<uint8_t>& out, int rc, const RecordingMemory& mem) {
  FUZZ_CHECK(IsKnownErrno(rc), "cmd %#x returned %d", cmd, rc);
  const size_t size = _IOC_SIZE(cmd);
  const size_t today = KnownSize(cmd);
  // Data moves only where the caller's cmd and the table's entry agree (drm_ioctl()'s rule).
  const uint32_t dir = _IOC_DIR(cmd) & KnownDir(cmd);
  const bool dir_in = (dir & _IOC_WRITE) != 0;
  const bool dir_out = (dir & _IOC_READ) != 0;

  if (!dir_out)
    FUZZ_CHECK(in == out, "cmd %#x: no _IOC_READ in both it and its entry, yet it changed", cmd);
  if (today == 0) {
    FUZZ_CHECK(rc == -ENOTTY, "cmd %#x has no command behind it but returned %d", cmd, rc);
    return;
  }
  if (size < today) {
    FUZZ_CHECK(rc == -EINVAL, "cmd %#x: %zu < %zu bytes but returned %d", cmd, size, today, rc);
    return;
  }
  const bool root_only = std::any_of(std::begin(kRootOnlyCmds), std::end(kRootOnlyCmds),
                                     [cmd](uint32_t k) { return IsCmd(cmd, k); });
  if (root_only && !caller.IsRoot()) {
    FUZZ_CHECK(rc == -EACCES, "root-only cmd %#x by uid %u returned %d", cmd, caller.uid, rc);
    return;
  }
  const bool nonzero_tail = !AllZero(in.data() + today, size - today);
  if (dir_in && nonzero_tail) {
    FUZZ_CHECK(rc == -E2BIG, "cmd %#x with a non-zero tail returned %d", cmd, rc);
    return;
  }
  FUZZ_CHECK(rc != -E2BIG, "cmd %#x returned -E2BIG without a non-zero tail", cmd);
  if (dir_out)
    FUZZ_CHECK(AllZero(out.data() + today, size - today), "cmd %#x: tail not zeroed", cmd);

  if (IsCmd(cmd, ACCEL_IOCTL_VERSION) && dir_out) {
    const char* name = reinterpret_cast<const char*>(out.data()) + offsetof(accel_version, name);
    FUZZ_CHECK(rc == 0 && std::strncmp(name, "dummy", ACCEL_NAME_LEN) == 0,
               "VERSION returned %d, name '%.*s'", rc, ACCEL_NAME_LEN, name);
  }

  // DRM's VERSION copies at most the lengths it was given, to the pointers it was given, and
  // hands back the true lengths of "dummy", its date and description, pointers unchanged.
  if (IsCmd(cmd, ACCEL_IOCTL_DRM_VERSION) && dir_in) {
    accel_drm_version v;
    std::memcpy(&v, in.data(), sizeof(v));
    const uint64_t given = std::min<uint64_t>(v.name_len, 5) + std::min<uint64_t>(v.date_len, 8) +
                           std::min<uint64_t>(v.desc_len, 64);
    FUZZ_CHECK(rc == 0 || rc == -EFAULT, "DRM VERSION returned %d", rc);
    FUZZ_CHECK(mem.copies() <= 3 && mem.total() <= given,
               "DRM VERSION copied %zu bytes in %zu pieces; %llu allowed", mem.total(),
               mem.copies(), static_cast<unsigned long long>(given));
    if (rc == 0 && dir_out) {
      accel_drm_version r;
      std::memcpy(&r, out.data(), sizeof(r));
      FUZZ_CHECK(r.name_len == 5 && r.date_len == 8 && r.desc_len > 0 && r.name == v.name &&
                     r.date == v.date && r.desc == v.desc,
                 "DRM VERSION lengths %llu/%llu/%llu or pointers changed",
                 static_cast<unsigned long long>(r.name_len),
                 static_cast<unsigned long long>(r.date_len),
                 static_cast<unsigned long long>(r.desc_len));
    }
    return;
  }
  // DIGEST reads exactly the caller's buffer, and only that command reads any.
  if (IsCmd(cmd, ACCEL_IOCTL_DUMMY_DIGEST) && dir_in && rc == 0) {
    accel_dummy_digest d;
    std::memcpy(&d, in.data(), sizeof(d));
    FUZZ_CHECK(mem.total_in() == d.size, "DIGEST read %zu of %u bytes", mem.total_in(), d.size);
  } else {
    FUZZ_CHECK(mem.total_in() == 0 || IsCmd(cmd, ACCEL_IOCTL_DUMMY_DIGEST),
               "cmd %#x (rc %d) read %zu bytes of the caller's memory", cmd, rc, mem.total_in());
  }
  // Only RAS_QUERY writes to the caller's memory, and only within the buffer it named.
  if (!IsCmd(cmd, ACCEL_IOCTL_RAS_QUERY) || rc != 0 || !dir_in) {
    FUZZ_CHECK(mem.copies() == 0, "cmd %#x (rc %d) copied %zu bytes out", cmd, rc, mem.total());
    return;
  }
  accel_ras_query q;
  std::memcpy(&q, in.data(), sizeof(q));
  FUZZ_CHECK(mem.copies() == 1 && mem.total() <= q.size && mem.last_addr() == q.ptr,
             "RAS_QUERY copied %zu bytes in %zu pieces to %#llx; buffer %u bytes at %#llx",
             mem.total(), mem.copies(), static_cast<unsigned long long>(mem.last_addr()), q.size,
             static_cast<unsigned long long>(q.ptr));
  if (dir_out) {
    accel_ras_query r;
    std::memcpy(&r, out.data(), sizeof(r));
    FUZZ_CHECK(r.len == mem.total(), "RAS_QUERY says %u bytes, copied %zu", r.len, mem.total());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  g_fx = new Fixture;  // never freed: see the DOC above
  // Every codec, as acceld has them: RAS_QUERY's encode paths are part of the argument path.
  accel::ras::InstallAllCodecs();
  std::string why;
  accel::Result<void> loaded = g_fx->loader.Load("dummy", "count=1", &why);
  if (!loaded) {
    std::fprintf(stderr, "dispatch_fuzz: cannot load dummy from %s: %s\n", ACCEL_PLUGIN_DIR,
                 why.c_str());
    std::abort();
  }
  accel::core::DeviceRef dev = g_fx->registry.Lookup(0);
  FUZZ_CHECK(dev, "no accel0 after loading dummy");
  accel::Result<accel::core::File*> root_file = dev->Open(kRoot);
  accel::Result<accel::core::File*> user_file = dev->Open(kUser);
  FUZZ_CHECK(root_file && user_file, "cannot open accel0");
  g_fx->root_file = *root_file;
  g_fx->user_file = *user_file;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  uint32_t w;
  std::memcpy(&w, data, sizeof(w));
  const uint8_t sel = data[4];
  const uint32_t cmd = PickCmd(w, (sel >> 2) & 7);
  const Caller& caller = (sel & 1) ? kRoot : kUser;
  accel::core::File& file = (sel & 2) ? *g_fx->user_file : *g_fx->root_file;

  const size_t arg_size = _IOC_SIZE(cmd);
  std::vector<uint8_t> arg(arg_size, 0);
  const size_t given = std::min(arg_size, size - 5);
  if (given) std::memcpy(arg.data(), data + 5, given);
  if (IsCmd(cmd, ACCEL_IOCTL_DUMMY_WAIT_EVENT) &&
      arg_size >= offsetof(accel_dummy_wait_event, timeout_ms) + sizeof(uint32_t))
    std::memset(arg.data() + offsetof(accel_dummy_wait_event, timeout_ms), 0, sizeof(uint32_t));
  const std::vector<uint8_t> in = arg;

  static RecordingMemory mem;  // 4 KiB: keep it off the stack
  const uint64_t seqno_before = caller.IsRoot() ? 0 : EventSeqno(mem);
  mem.Reset();
  // A zero-size command still gets a valid pointer: Dispatch refuses NULL only with a size.
  uint8_t empty = 0;
  const int rc =
      accel::core::Dispatch(file, caller, cmd, arg_size ? arg.data() : &empty, arg_size, mem);
  CheckResult(cmd, caller, in, arg, rc, mem);
  if (!caller.IsRoot()) {
    mem.Reset();
    FUZZ_CHECK(EventSeqno(mem) == seqno_before, "uid %u raised a RAS event (cmd %#x)", caller.uid,
               cmd);
  }
  return 0;
}
