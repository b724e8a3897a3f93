// vnpu_ioctl_fuzz.cc - vnpu's ioctls through core::Dispatch, with the real plugin in-process.
//
// DOC: setup and lifetime
//
// Every input loads vnpu.so from the build tree (`firmware=none engines=1 memory=16M
// job_timeout_ms=50`: no vnpu-fw process, one engine, a watchdog that fires after 50 ms), opens
// accel0 as root, runs its calls, closes the file and unloads the driver. So each input starts
// from a fresh device (a page poisoned by one input does not shrink the next one's memory),
// crashes reproduce from the input alone as far as threads allow, and every input ends on the
// teardown paths (jobs running while the file closes, the scheduler stopped under load) that a
// long-lived fixture would never reach. LeakSanitizer then sees anything the driver leaked.
// The plugin's code stays mapped between inputs all the same: LLVMFuzzerInitialize holds a
// dlopen() reference of its own, because libFuzzer keeps pointers to the coverage counters of
// every instrumented module and would write into an unmapped one after a real dlclose().
//
// DOC: input
//
// A sequence of calls, each:
//   byte 0  command: an index into kCommands (vnpu's 12, the 6 generic ones, then two client
//           actions on a user-mode ring: push a submission, poke a word of its header) modulo
//           its size
//   byte 1  bit 0: the caller is root (else uid 1000; credentials are per call)
//           bit 1: raw: no fix-ups (below)
//           bits 2..3: size: 0 or 3 the struct's size, 1 four bytes short, 2 eight bytes long
//   byte 2  n, then n bytes of the struct (zero-padded or cut to its size)
//
// Fix-ups, so that calls reach the handlers' work with valid objects: a field naming a BO,
// queue, ring or fence is replaced by one this input got in an earlier reply, picked by the
// field's own value modulo how many there are (left alone when there are none). Time is
// bounded, so that no input sleeps: WAIT's timeout_ns to at most 1 ms, SPIN to at most 1 ms of
// spinning, job timeouts to at most 50 ms (a job spinning "until reset" then ends at the
// watchdog). Descriptors (BO_EXPORT, RING_CREATE) are installed as the socket transport would:
// duplicated, their numbers written into the reply; rings are mapped so that the fuzzer can
// play their client.
//
// Oracle: every call returns 0 or an errno of kAllowedErrnos; the size and permission rules
// of accel.h hold; replies are sane (handles, addresses, fences, statuses); nothing crashes;
// the file closes and the driver unloads (-EBUSY or a leak would be a failure).
#include <accel/driver_abi.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/vnpu.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include "../fuzz_check.h"
#include "core/caller.h"
#include "core/device.h"
#include "core/dispatch.h"
#include "core/file.h"
#include "core/registry.h"
#include "daemon/module_loader.h"
#include "ras/codecs/all_codecs.h"

namespace {

using accel::core::Caller;

constexpr Caller kRoot{0, 0, 1};
constexpr Caller kUser{1000, 1000, 2};
constexpr const char* kLoadArgs = "firmware=none engines=1 memory=16M job_timeout_ms=50";
constexpr uint64_t kMemory = 16ull << 20;
constexpr uint64_t kDeviceBase = uint64_t{1} << 32;  // DeviceMemory::kBase
constexpr int64_t kMaxWaitNs = 1000000;
constexpr uint64_t kMaxSpinNs = 1000000;
constexpr uint32_t kMaxJobTimeoutMs = 50;
// RAS_INJECT's count. BUG (driver): without firmware, VnpuDevice::RaiseThroughFirmware
// reports `count` events one by one, so count=4e9 holds acceld for hours; capped here so that
// the campaign goes on. Raise it to reproduce.
constexpr uint32_t kMaxInjectCount = 64;

constexpr uint32_t kRingPush = 0xfffffff0;  // client actions, not ioctls
constexpr uint32_t kRingPoke = 0xfffffff1;

constexpr uint32_t kCommands[] = {
    VNPU_IOCTL_GET_PARAM,
    VNPU_IOCTL_BO_CREATE,
    VNPU_IOCTL_BO_INFO,
    VNPU_IOCTL_BO_DESTROY,
    VNPU_IOCTL_BO_EXPORT,
    VNPU_IOCTL_CMDQ_CREATE,
    VNPU_IOCTL_CMDQ_DESTROY,
    VNPU_IOCTL_SUBMIT,
    VNPU_IOCTL_WAIT,
    VNPU_IOCTL_INJECT_FAULT,
    VNPU_IOCTL_RING_CREATE,
    VNPU_IOCTL_RING_DESTROY,
    ACCEL_IOCTL_GET_CAP,
    ACCEL_IOCTL_VERSION,
    ACCEL_IOCTL_RAS_QUERY,
    ACCEL_IOCTL_RAS_EVENT_READ,
    ACCEL_IOCTL_RAS_CLEAR,
    ACCEL_IOCTL_RAS_INJECT,
    kRingPush,
    kRingPoke,
};

bool IsAllowedErrno(int rc) {
  switch (-rc) {
    case 0:
    case EINVAL:      // malformed request
    case E2BIG:       // non-zero bytes past today's struct
    case EACCES:      // root-only command, HIGH priority queue
    case EFAULT:      // RAS_QUERY's buffer at NULL
    case ENOENT:      // unknown BO, queue or ring handle
    case ERANGE:      // offsets outside a BO
    case ENOMEM:      // past the device's memory
    case ENOSPC:      // too many queues or rings; RAS_QUERY's buffer too small
    case EAGAIN:      // fence table full; no RAS event pending
    case ETIME:       // WAIT's timeout passed
    case EOPNOTSUPP:  // no firmware to crash; RAS format not offered
    case ENODATA:     // no firmware blob
      return true;
    default:
      return false;
  }
}

bool IsCmd(uint32_t cmd, uint32_t known) {
  return _IOC_TYPE(cmd) == _IOC_TYPE(known) && _IOC_NR(cmd) == _IOC_NR(known);
}

bool AllZero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

// copy_to_user into a bounded sink (the fuzzer controls RAS_QUERY's ptr), and fd_install as
// the socket transport does it: a duplicate whose number goes into the reply.
class FuzzMemory final : public accel::core::UserMemory {
 public:
  int CopyOut(uint64_t addr, const void* src, uint32_t len) override {
    if (addr == 0 && len != 0) return -EFAULT;
    const auto* p = static_cast<const uint8_t*>(src);
    uint8_t x = 0;
    for (uint32_t i = 0; i < len; ++i) x ^= p[i];  // ASan checks every byte handed over
    sink_ = sink_ ^ x;
    return 0;
  }
  int InstallFd(int fd, uint32_t offset) override {
    const int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return -errno;
    installed_.push_back({dup, offset});
    return 0;
  }
  // After the call: on success the numbers land in the struct and the caller owns the fds.
  std::vector<int> Finish(int rc, uint8_t* arg, size_t size) {
    std::vector<int> fds;
    for (const auto& [fd, offset] : installed_) {
      FUZZ_CHECK(offset + sizeof(int32_t) <= size, "fd installed at %u of %zu", offset, size);
      if (rc == 0) {
        std::memcpy(arg + offset, &fd, sizeof(int32_t));
        fds.push_back(fd);
      } else {
        close(fd);
      }
    }
    installed_.clear();
    return fds;
  }

 private:
  struct Installed {
    int fd;
    uint32_t offset;
  };
  std::vector<Installed> installed_;
  volatile uint8_t sink_ = 0;
};

// The fuzzer's side of a ring it created: its mapping, the geometry the device wrote there at
// creation (copied then: RingPoke may rewrite the map's), and the index it owns.
struct ClientRing {
  uint32_t id = 0;
  uint8_t* map = nullptr;
  uint64_t size = 0;
  int doorbell = -1;
  uint32_t sqe_offset = 0;
  uint32_t sq_entries = 0;
  uint32_t sq_tail = 0;
};

// What replies gave this input, for the fix-ups.
struct State {
  std::vector<uint32_t> bos;
  std::vector<uint64_t> bo_addresses;
  std::vector<uint32_t> cmdqs;
  std::vector<uint32_t> rings;
  std::vector<uint64_t> fences;
  std::vector<ClientRing> client_rings;
  std::vector<int> fds;
  uint64_t last_fence = 0;

  ~State() {
    for (ClientRing& r : client_rings) munmap(r.map, r.size);
    for (int fd : fds) close(fd);
  }
};

template <typename T>
T Pick(const std::vector<T>& from, uint64_t selector, std::type_identity_t<T> otherwise) {
  return from.empty() ? otherwise : from[selector % from.size()];
}

// ---- fix-ups ------------------------------------------------------------------------------------

void FixSubmit(vnpu_submit& s, const State& st) {
  s.cmdq_id = Pick(st.cmdqs, s.cmdq_id, s.cmdq_id);
  for (uint32_t i = 0; i < std::min<uint32_t>(s.num_bos, VNPU_MAX_JOB_BOS); ++i)
    s.bo_handles[i] = Pick(st.bos, s.bo_handles[i], s.bo_handles[i]);
  if (s.opcode == VNPU_OP_SPIN) s.params[0] %= kMaxSpinNs + 1;  // 0 stays: "until reset"
  s.timeout_ms %= kMaxJobTimeoutMs + 1;                         // 0 stays: the default, 50
}

void FixWait(vnpu_wait& w, const State& st) {
  for (uint32_t i = 0; i < std::min<uint32_t>(w.num_fences, VNPU_MAX_WAIT_FENCES); ++i)
    w.fences[i] = Pick(st.fences, w.fences[i], w.fences[i]);
}

void FixFault(vnpu_inject_fault& f, const State& st) {
  if (f.flags & VNPU_FAULT_ADDRESS) {
    // A device address inside one of this input's BOs (raw mode keeps any address).
    if (!st.bo_addresses.empty())
      f.address = Pick(st.bo_addresses, f.handle, uint64_t{0}) + f.address % (64 * 1024);
  } else {
    f.handle = Pick(st.bos, f.handle, f.handle);
    f.address %= 64 * 1024;
  }
}

// `arg` as a T when it holds one (a short struct is left to the size rules).
template <typename T>
T* As(uint8_t* arg, size_t size) {
  return size >= sizeof(T) ? reinterpret_cast<T*>(arg) : nullptr;
}

// Fix-ups for `cmd`'s struct in `arg` (`size` bytes, at least 4).
void FixUp(uint32_t cmd, uint8_t* arg, size_t size, const State& st) {
  if (IsCmd(cmd, VNPU_IOCTL_BO_INFO) || IsCmd(cmd, VNPU_IOCTL_BO_DESTROY) ||
      IsCmd(cmd, VNPU_IOCTL_BO_EXPORT)) {
    uint32_t h;  // the handle is the first field of all three
    std::memcpy(&h, arg, sizeof(h));
    h = Pick(st.bos, h, h);
    std::memcpy(arg, &h, sizeof(h));
  } else if (IsCmd(cmd, VNPU_IOCTL_CMDQ_DESTROY) || IsCmd(cmd, VNPU_IOCTL_RING_CREATE)) {
    const size_t at = IsCmd(cmd, VNPU_IOCTL_RING_CREATE) ? offsetof(vnpu_ring_create, cmdq_id) : 0;
    uint32_t q;
    std::memcpy(&q, arg + at, sizeof(q));
    q = Pick(st.cmdqs, q, q);
    std::memcpy(arg + at, &q, sizeof(q));
  } else if (IsCmd(cmd, VNPU_IOCTL_RING_DESTROY)) {
    uint32_t r;
    std::memcpy(&r, arg, sizeof(r));
    r = Pick(st.rings, r, r);
    std::memcpy(arg, &r, sizeof(r));
  } else if (IsCmd(cmd, VNPU_IOCTL_SUBMIT)) {
    if (auto* s = As<vnpu_submit>(arg, size)) FixSubmit(*s, st);
  } else if (IsCmd(cmd, VNPU_IOCTL_WAIT)) {
    if (auto* w = As<vnpu_wait>(arg, size)) FixWait(*w, st);
  } else if (IsCmd(cmd, VNPU_IOCTL_INJECT_FAULT)) {
    if (auto* f = As<vnpu_inject_fault>(arg, size)) FixFault(*f, st);
  }
}

// Bounds on time that hold in raw mode too: no input may sleep or spin for long.
void BoundTime(uint32_t cmd, uint8_t* arg, size_t size) {
  if (IsCmd(cmd, VNPU_IOCTL_WAIT) && size >= offsetof(vnpu_wait, timeout_ns) + 8) {
    int64_t t;
    std::memcpy(&t, arg + offsetof(vnpu_wait, timeout_ns), sizeof(t));
    // Negative means forever; keep the sign's meaning out and the magnitude small.
    t = static_cast<int64_t>(static_cast<uint64_t>(t) % (kMaxWaitNs + 1));
    std::memcpy(arg + offsetof(vnpu_wait, timeout_ns), &t, sizeof(t));
  } else if (IsCmd(cmd, VNPU_IOCTL_SUBMIT) && size >= sizeof(vnpu_submit)) {
    auto* s = reinterpret_cast<vnpu_submit*>(arg);
    if (s->opcode == VNPU_OP_SPIN) s->params[0] %= kMaxSpinNs + 1;
    s->timeout_ms %= kMaxJobTimeoutMs + 1;
  } else if (IsCmd(cmd, ACCEL_IOCTL_RAS_INJECT) && size >= sizeof(accel_ras_inject)) {
    auto* r = reinterpret_cast<accel_ras_inject*>(arg);
    if (r->count > kMaxInjectCount) r->count = r->count % kMaxInjectCount + 1;
  }
}

// ---- oracle -------------------------------------------------------------------------------------

bool RootOnly(uint32_t cmd) {
  return IsCmd(cmd, VNPU_IOCTL_INJECT_FAULT) || IsCmd(cmd, ACCEL_IOCTL_RAS_CLEAR) ||
         IsCmd(cmd, ACCEL_IOCTL_RAS_INJECT);
}

void CheckParam(const vnpu_get_param& p, int rc) {
  if (p.pad || p.param > VNPU_PARAM_MAX_BO_SIZE) {
    FUZZ_CHECK(rc == -EINVAL, "GET_PARAM %u (pad %u) returned %d", p.param, p.pad, rc);
    return;
  }
  FUZZ_CHECK(rc == 0, "GET_PARAM %u returned %d", p.param, rc);
  switch (p.param) {
    case VNPU_PARAM_NUM_ENGINES:
      FUZZ_CHECK(p.value == 1, "engines %llu", static_cast<unsigned long long>(p.value));
      break;
    case VNPU_PARAM_MEMORY_SIZE:
      FUZZ_CHECK(p.value == kMemory, "memory %llu", static_cast<unsigned long long>(p.value));
      break;
    case VNPU_PARAM_MEMORY_USED:
      FUZZ_CHECK(p.value <= kMemory, "used %llu", static_cast<unsigned long long>(p.value));
      break;
    case VNPU_PARAM_FW_VERSION:  // firmware=none: never up
      FUZZ_CHECK(p.value == 0, "fw version %llx", static_cast<unsigned long long>(p.value));
      break;
    case VNPU_PARAM_JOB_TIMEOUT_MS:
      FUZZ_CHECK(p.value == 50, "timeout %llu", static_cast<unsigned long long>(p.value));
      break;
    default:
      break;
  }
}

// What a successful (or data-returning) vnpu call must have answered; records new objects.
void CheckAndRecord(uint32_t cmd, const uint8_t* out, int rc, State& st) {
  if (IsCmd(cmd, VNPU_IOCTL_GET_PARAM)) {
    vnpu_get_param p;
    std::memcpy(&p, out, sizeof(p));
    CheckParam(p, rc);
  } else if (IsCmd(cmd, VNPU_IOCTL_BO_CREATE) && rc == 0) {
    vnpu_bo_create c;
    std::memcpy(&c, out, sizeof(c));
    FUZZ_CHECK(c.handle >= 1, "BO handle %u", c.handle);
    FUZZ_CHECK(c.device_address >= kDeviceBase && c.device_address < kDeviceBase + kMemory &&
                   c.device_address % 4096 == 0,
               "BO at %#llx", static_cast<unsigned long long>(c.device_address));
    st.bos.push_back(c.handle);
    st.bo_addresses.push_back(c.device_address);
  } else if (IsCmd(cmd, VNPU_IOCTL_BO_INFO) && rc == 0) {
    vnpu_bo_info i;
    std::memcpy(&i, out, sizeof(i));
    FUZZ_CHECK(i.size % 4096 == 0 && i.size > 0 && i.offset == uint64_t{i.handle} << 32,
               "BO_INFO size %llu offset %#llx", static_cast<unsigned long long>(i.size),
               static_cast<unsigned long long>(i.offset));
  } else if (IsCmd(cmd, VNPU_IOCTL_CMDQ_CREATE) && rc == 0) {
    vnpu_cmdq_create c;
    std::memcpy(&c, out, sizeof(c));
    st.cmdqs.push_back(c.cmdq_id);
  } else if (IsCmd(cmd, VNPU_IOCTL_SUBMIT) && rc == 0) {
    vnpu_submit s;
    std::memcpy(&s, out, sizeof(s));
    FUZZ_CHECK(s.fence > st.last_fence, "fence %llu after %llu",
               static_cast<unsigned long long>(s.fence),
               static_cast<unsigned long long>(st.last_fence));
    st.last_fence = s.fence;
    st.fences.push_back(s.fence);
  } else if (IsCmd(cmd, VNPU_IOCTL_WAIT) && (rc == 0 || rc == -ETIME)) {
    vnpu_wait w;
    std::memcpy(&w, out, sizeof(w));
    for (uint32_t i = 0; i < VNPU_MAX_WAIT_FENCES; ++i)
      FUZZ_CHECK(w.status[i] <= VNPU_JOB_MEMORY_ERROR, "status %u", w.status[i]);
    FUZZ_CHECK(w.first_signaled < w.num_fences, "first_signaled %u of %u", w.first_signaled,
               w.num_fences);
  }
}

// accel.h's size and permission rules, judged from the command, the caller and the input.
// Returns true when the call reached its handler (the reply is then worth checking).
bool CheckRules(uint32_t cmd, size_t size, size_t today, const Caller& caller,
                const std::vector<uint8_t>& in, const std::vector<uint8_t>& out, int rc) {
  FUZZ_CHECK(IsAllowedErrno(rc), "cmd %#x returned %d", cmd, rc);
  if (size < today) {
    FUZZ_CHECK(rc == -EINVAL, "cmd %#x: %zu < %zu bytes but returned %d", cmd, size, today, rc);
    return false;
  }
  if (RootOnly(cmd) && !caller.IsRoot()) {
    FUZZ_CHECK(rc == -EACCES, "root-only cmd %#x by uid %u returned %d", cmd, caller.uid, rc);
    return false;
  }
  const bool dir_in = (_IOC_DIR(cmd) & _IOC_WRITE) != 0;
  const bool dir_out = (_IOC_DIR(cmd) & _IOC_READ) != 0;
  if (dir_in && !AllZero(in.data() + today, size - today)) {
    FUZZ_CHECK(rc == -E2BIG, "cmd %#x with a non-zero tail returned %d", cmd, rc);
    return false;
  }
  FUZZ_CHECK(rc != -E2BIG, "cmd %#x returned -E2BIG without a non-zero tail", cmd);
  if (!dir_out) FUZZ_CHECK(in == out, "cmd %#x without _IOC_READ changed the struct", cmd);
  if (dir_out) FUZZ_CHECK(AllZero(out.data() + today, size - today), "cmd %#x: tail", cmd);
  if (IsCmd(cmd, VNPU_IOCTL_CMDQ_CREATE) && !caller.IsRoot()) {
    vnpu_cmdq_create c;
    std::memcpy(&c, in.data(), sizeof(c));
    if (c.priority == VNPU_PRIORITY_HIGH && !c.flags && !c.pad)
      FUZZ_CHECK(rc == -EACCES, "HIGH priority queue for uid %u: %d", caller.uid, rc);
  }
  return true;
}

// ---- the ring's client --------------------------------------------------------------------------

void MapRing(const vnpu_ring_create& r, State& st) {
  void* p = mmap(nullptr, r.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, r.ring_fd, 0);
  FUZZ_CHECK(p != MAP_FAILED, "cannot map ring %u (%llu bytes)", r.ring_id,
             static_cast<unsigned long long>(r.ring_size));
  const auto* layout = static_cast<const vnpu_ring_layout*>(p);
  FUZZ_CHECK(
      layout->sq_entries >= 2 && layout->sq_entries <= VNPU_RING_MAX_ENTRIES &&
          (layout->sq_entries & (layout->sq_entries - 1)) == 0 &&
          layout->sqe_offset + uint64_t{layout->sq_entries} * sizeof(vnpu_ring_sqe) <= r.ring_size,
      "ring %u: %u entries at %u in %llu bytes", r.ring_id, layout->sq_entries, layout->sqe_offset,
      static_cast<unsigned long long>(r.ring_size));
  st.client_rings.push_back({r.ring_id, static_cast<uint8_t*>(p), r.ring_size, r.doorbell_fd,
                             layout->sqe_offset, layout->sq_entries, 0});
  st.rings.push_back(r.ring_id);
}

void RingPush(const uint8_t* data, size_t n, bool raw, State& st) {
  if (st.client_rings.empty() || n == 0) return;
  ClientRing& r = st.client_rings[data[0] % st.client_rings.size()];
  auto* layout = reinterpret_cast<vnpu_ring_layout*>(r.map);
  vnpu_ring_sqe sqe{};
  std::memcpy(&sqe, data + 1, std::min(n - 1, sizeof(sqe)));
  if (!raw) {
    for (uint32_t i = 0; i < std::min<uint32_t>(sqe.num_bos, VNPU_MAX_JOB_BOS); ++i)
      sqe.bo_handles[i] = Pick(st.bos, sqe.bo_handles[i], sqe.bo_handles[i]);
  }
  if (sqe.opcode == VNPU_OP_SPIN) sqe.params[0] %= kMaxSpinNs + 1;
  sqe.timeout_ms %= kMaxJobTimeoutMs + 1;
  const uint64_t at = r.sqe_offset + uint64_t{r.sq_tail & (r.sq_entries - 1)} * sizeof(sqe);
  std::memcpy(r.map + at, &sqe, sizeof(sqe));
  __atomic_store_n(&layout->sq.tail, ++r.sq_tail, __ATOMIC_RELEASE);
  const uint64_t one = 1;
  (void)!write(r.doorbell, &one, sizeof(one));
}

// A hostile client writes anything anywhere in the ring's header: its own indices and flags,
// and the fields only the device should write (its tails, the masks, entry counts, offsets),
// which the device must never read back (9e6a2ea).
void RingPoke(const uint8_t* data, size_t n, State& st) {
  if (st.client_rings.empty() || n < 6) return;
  ClientRing& r = st.client_rings[data[0] % st.client_rings.size()];
  constexpr size_t kWords = sizeof(vnpu_ring_layout) / sizeof(uint32_t);
  auto* word = reinterpret_cast<uint32_t*>(r.map) + data[1] % kWords;
  uint32_t v;
  std::memcpy(&v, data + 2, sizeof(v));
  __atomic_store_n(word, v, __ATOMIC_RELEASE);
  auto* layout = reinterpret_cast<vnpu_ring_layout*>(r.map);
  if (word == &layout->sq.tail) r.sq_tail = v;
  const uint64_t one = 1;
  (void)!write(r.doorbell, &one, sizeof(one));
}

// ---- one call -----------------------------------------------------------------------------------

struct Fixture {
  accel::core::Registry registry;
  accel::daemon::ModuleLoader loader{registry, {ACCEL_PLUGIN_DIR}};
};

void RunCall(accel::core::File& file, uint32_t cmd, uint8_t flags, const uint8_t* data, size_t n,
             State& st) {
  const Caller& caller = (flags & 1) ? kRoot : kUser;
  const bool raw = flags & 2;
  const size_t today = _IOC_SIZE(cmd);
  size_t size = today;
  if (((flags >> 2) & 3) == 1) size = today - 4;
  if (((flags >> 2) & 3) == 2) size = today + 8;
  // The command as the caller would encode it: its own idea of the size.
  const uint32_t user_cmd =
      (cmd & ~(uint32_t{_IOC_SIZEMASK} << _IOC_SIZESHIFT)) | (uint32_t(size) << _IOC_SIZESHIFT);
  std::vector<uint8_t> arg(size, 0);
  std::memcpy(arg.data(), data, std::min(n, size));
  if (!raw) FixUp(cmd, arg.data(), size, st);
  BoundTime(cmd, arg.data(), size);
  const std::vector<uint8_t> in = arg;

  static FuzzMemory mem;
  const int rc = accel::core::Dispatch(file, caller, user_cmd, arg.data(), size, mem);
  // VNPU_IOCTL_FUZZ_TRACE=1: what each call of an input did, to check that seeds reach what
  // they were written for.
  static const bool trace = std::getenv("VNPU_IOCTL_FUZZ_TRACE") != nullptr;
  if (trace)
    std::fprintf(stderr, "  nr %#04x size %zu uid %u -> %d\n", _IOC_NR(cmd), size, caller.uid, rc);
  const std::vector<int> fds = mem.Finish(rc, arg.data(), size);
  st.fds.insert(st.fds.end(), fds.begin(), fds.end());
  if (!CheckRules(user_cmd, size, today, caller, in, arg, rc)) return;
  if (size >= today) CheckAndRecord(cmd, arg.data(), rc, st);
  if (IsCmd(cmd, VNPU_IOCTL_RING_CREATE) && rc == 0) {
    FUZZ_CHECK(fds.size() == 3, "RING_CREATE installed %zu fds", fds.size());
    vnpu_ring_create r;
    std::memcpy(&r, arg.data(), sizeof(r));
    MapRing(r, st);
  }
  if (IsCmd(cmd, VNPU_IOCTL_RING_DESTROY) && rc == 0) {
    vnpu_ring_destroy d;
    std::memcpy(&d, arg.data(), sizeof(d));
    st.rings.erase(std::remove(st.rings.begin(), st.rings.end(), d.ring_id), st.rings.end());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Hangs (the watchdog firing on a SPIN) and resets are logged: thousands of lines a second.
  spdlog::set_level(spdlog::level::off);
  // Every codec, as acceld has them: RAS_QUERY's encode paths are on the argument path.
  accel::ras::InstallAllCodecs();
  // The pin of the DOC above; never released (the process ends with the fuzzer).
  accel::core::Registry registry;
  const std::string plugin = accel::daemon::ModuleLoader(registry, {ACCEL_PLUGIN_DIR}).Find("vnpu");
  FUZZ_CHECK(!plugin.empty(), "no vnpu.so in %s", ACCEL_PLUGIN_DIR);
  FUZZ_CHECK(dlopen(plugin.c_str(), RTLD_NOW | RTLD_LOCAL) != nullptr, "dlopen %s: %s",
             plugin.c_str(), dlerror());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture fx;
  std::string why;
  accel::Result<void> loaded = fx.loader.Load("vnpu", kLoadArgs, &why);
  FUZZ_CHECK(loaded, "cannot load vnpu from %s: %s", ACCEL_PLUGIN_DIR, why.c_str());
  accel::core::DeviceRef dev = fx.registry.Lookup(0);
  FUZZ_CHECK(dev, "no accel0 after loading vnpu");
  accel::Result<accel::core::File*> opened = dev->Open(kRoot);
  FUZZ_CHECK(opened, "cannot open accel0: %d", opened.error());
  accel::core::File& file = **opened;
  {
    State st;
    size_t pos = 0;
    while (pos + 3 <= size) {
      const uint32_t cmd = kCommands[data[pos] % std::size(kCommands)];
      const uint8_t flags = data[pos + 1];
      const size_t n = std::min<size_t>(data[pos + 2], size - pos - 3);
      const uint8_t* body = data + pos + 3;
      pos += 3 + n;
      if (cmd == kRingPush) {
        RingPush(body, n, flags & 2, st);
      } else if (cmd == kRingPoke) {
        RingPoke(body, n, st);
      } else {
        RunCall(file, cmd, flags, body, n, st);
      }
    }
    // The file closes while jobs may still run and rings still spin; mappings and descriptors
    // go after it, as a client process exiting would drop them.
    file.Close(kRoot);
  }
  dev = {};
  accel::Result<void> unloaded = fx.loader.Unload("vnpu", false);
  FUZZ_CHECK(unloaded, "unloading vnpu failed: %d", unloaded.error());
  return 0;
}
