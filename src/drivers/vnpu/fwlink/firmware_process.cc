// firmware_process.cc - see firmware_process.h.
#include "drivers/vnpu/fwlink/firmware_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <variant>

#include "drivers/vnpu/fwlink/fw_messages.h"
#include "drivers/vnpu/fwlink/rpmsg.h"
#include "ras/codecs/utf8.h"
#include "ras/model.h"

namespace accel::vnpu::fwlink {
namespace {

constexpr uint32_t kMaxHeartbeatMs = 60'000;
constexpr int kShutdownGraceMs = 500;
// Where the child finds its descriptors (firmware/main.cc reads the same numbers from argv).
constexpr int kChildShmFd = 3, kChildKickFd = 4, kChildCallFd = 5;

bool SerialOk(const std::string& s) {
  return s.size() <= ras::kMaxNameLen && s.find('\0') == std::string::npos && ras::IsUtf8(s);
}

void DrainEventfd(int fd) {
  uint64_t v;
  while (read(fd, &v, sizeof(v)) == static_cast<ssize_t>(sizeof(v))) {
  }
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// posix_spawn's attributes for the child: nothing of the daemon's signal state carries over
// (acceld blocks signals for its signalfd, and ignored ones would stay ignored across exec),
// and its own process group.
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() {
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

struct SpawnFileActions {
  posix_spawn_file_actions_t fa;
  SpawnFileActions() { posix_spawn_file_actions_init(&fa); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&fa); }
};

}  // namespace

FirmwareProcess::FirmwareProcess(SharedRegion region, FirmwareCallbacks cb)
    : cb_(std::move(cb)),
      region_(std::move(region)),
      rx_(region_.bytes(), region_.layout(), 0),
      tx_(region_.bytes(), region_.layout(), 1) {}

Result<std::unique_ptr<FirmwareProcess>> FirmwareProcess::Start(const std::string& fw_path,
                                                                const FirmwareOptions& opts,
                                                                FirmwareCallbacks cb) {
  if (fw_path.empty() || opts.heartbeat_ms == 0 || opts.heartbeat_ms > kMaxHeartbeatMs ||
      !SerialOk(opts.serial))
    return Err(EINVAL);
  Result<SharedRegion> region = SharedRegion::Create(opts.queue_size);
  if (!region) return Errno{region.error()};
  std::unique_ptr<FirmwareProcess> p(new FirmwareProcess(std::move(*region), std::move(cb)));
  // Non-blocking on both sides: the flag belongs to the shared open file description.
  for (int* fd : {&p->kick_fd_, &p->call_fd_, &p->stop_fd_}) {
    *fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (*fd < 0) return Err(errno);
  }
  // Every rx buffer is the firmware's before it starts, so its announcement has somewhere to go.
  const RegionLayout& l = p->region_.layout();
  for (uint32_t i = 0; i < l.num; ++i) {
    Result<void> r = p->rx_.Add(static_cast<uint16_t>(i), l.buffer_offset(i), fw::kBufferSize,
                                /*device_writes=*/true);
    if (!r) return Errno{r.error()};
    p->tx_free_.push_back(static_cast<uint16_t>(l.num - 1 - i));  // pops 0 first
  }

  std::promise<int> started;
  std::future<int> spawned = started.get_future();
  p->thread_ =
      std::thread(&FirmwareProcess::ReceiveLoop, p.get(), fw_path, opts, std::move(started));
  if (const int rc = spawned.get(); rc < 0) {
    p->thread_.join();  // it returned right after reporting
    return Errno{rc};
  }
  return p;
}

FirmwareProcess::~FirmwareProcess() {
  closing_.store(true);
  if (thread_.joinable()) {
    if (!WaitReaped(0)) {
      // Before the announcement the firmware's address is the protocol's fixed one; it reads
      // vq 1 from the start and obeys SHUTDOWN whenever it comes.
      const fw::Simple bye{fw::kShutdown};
      const uint32_t dst = connected() ? fw_addr_.load() : fw::kFirmwareAddr;
      (void)SendTo(dst, &bye, sizeof(bye));
      if (!WaitReaped(kShutdownGraceMs)) {
        SignalChild(SIGKILL);
        WaitReaped(-1);  // SIGKILL cannot be refused; the receive thread reaps
      }
    }
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(stop_fd_, &one, sizeof(one));
    thread_.join();
  }
  CloseFd(pidfd_);
  CloseFd(kick_fd_);
  CloseFd(call_fd_);
  CloseFd(stop_fd_);
}

std::vector<std::string> FirmwareEnvironment() {
  // Nothing of the daemon's environment: a fixed PATH and the sanitizer runtimes' options,
  // which a sanitizer build of vnpu-fw reads before main.
  std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  for (const char* name :
       {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS", "MSAN_OPTIONS"})
    if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
  return env;
}

Result<void> FirmwareProcess::SpawnChild(const std::string& fw_path, const FirmwareOptions& opts) {
  // Above 5 first, so that no dup2 onto 3..5 can overwrite a descriptor still to be copied.
  const int sources[3] = {region_.fd(), kick_fd_, call_fd_};
  int high[3] = {-1, -1, -1};
  auto close_high = [&high] {
    for (int& fd : high) CloseFd(fd);
  };
  for (int i = 0; i < 3; ++i) {
    high[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, 10);
    if (high[i] < 0) {
      const int err = errno;
      close_high();
      return Err(err);
    }
  }
  SpawnFileActions fa;
  posix_spawn_file_actions_adddup2(&fa.fa, high[0], kChildShmFd);
  posix_spawn_file_actions_adddup2(&fa.fa, high[1], kChildKickFd);
  posix_spawn_file_actions_adddup2(&fa.fa, high[2], kChildCallFd);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
  // The daemon's other descriptors may lack O_CLOEXEC; the firmware needs none of them.
  posix_spawn_file_actions_addclosefrom_np(&fa.fa, kChildCallFd + 1);
#endif
  SpawnAttr attr;

  const std::vector<std::string> args = {fw_path,
                                         "--shm-fd",
                                         std::to_string(kChildShmFd),
                                         "--kick-fd",
                                         std::to_string(kChildKickFd),
                                         "--call-fd",
                                         std::to_string(kChildCallFd),
                                         "--heartbeat-ms",
                                         std::to_string(opts.heartbeat_ms),
                                         "--serial",
                                         opts.serial,
                                         "--parent-pid",
                                         std::to_string(getpid())};
  std::vector<std::string> all = args;
  if (opts.run_as) {
    all.insert(all.end(), {"--uid", std::to_string(opts.run_as->uid), "--gid",
                           std::to_string(opts.run_as->gid)});
  }
  std::vector<char*> argv;
  for (const std::string& a : all) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::vector<std::string> env = FirmwareEnvironment();
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, fw_path.c_str(), &fa.fa, &attr.attr, argv.data(), envp.data());
  close_high();
  if (rc != 0) return Err(rc);

  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int err = errno;
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return Err(err);
  }
  pid_ = pid;
  pidfd_ = pidfd;
  return {};
}

void FirmwareProcess::ReceiveLoop(std::string fw_path, FirmwareOptions opts,
                                  std::promise<int> started) {
  Result<void> spawned = SpawnChild(fw_path, opts);
  started.set_value(spawned ? 0 : spawned.error());
  if (!spawned) return;

  pollfd fds[3] = {{stop_fd_, POLLIN, 0}, {call_fd_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
  bool child_alive = true;
  for (;;) {
    if (poll(fds, child_alive ? 3 : 2, -1) < 0) {
      // Only EINTR (or ENOMEM) can happen here; the thread must live until the destructor
      // stops it, since it is the one that reaps the child.
      if (errno != EINTR) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      DrainEventfd(call_fd_);
      ReceiveAll();
    }
    if (child_alive && fds[2].revents != 0) {
      ReceiveAll();  // what it sent before it died
      Reap();
      child_alive = false;
    }
  }
}

void FirmwareProcess::ReceiveAll() {
  bool requeued = false;
  while (!broken_.load()) {
    Result<UsedBuffer> u = rx_.GetUsed();
    if (!u) {
      if (u.error() != -EAGAIN) LinkBroken(u.error(), "rx used ring corrupted");
      break;
    }
    // Out of shared memory first: the firmware cannot change what we parse.
    std::array<uint8_t, fw::kBufferSize> local;
    const size_t n = std::min<size_t>(u->len, std::min(u->data.size(), local.size()));
    std::memcpy(local.data(), u->data.data(), n);
    const uint64_t off = region_.layout().buffer_offset(u->id);
    if (Result<void> r = rx_.Add(u->id, off, fw::kBufferSize, /*device_writes=*/true); !r) {
      LinkBroken(r.error(), "cannot requeue an rx buffer");
      break;
    }
    requeued = true;
    Dispatch({local.data(), n});
  }
  if (requeued) Kick();
}

void FirmwareProcess::Dispatch(std::span<const uint8_t> bytes) {
  Result<RpmsgMessage> m = ParseRpmsg(bytes);
  if (!m) return Report(m.error(), "malformed rpmsg message dropped");
  if (m->dst == fw::kNsAddr) return HandleAnnouncement(m->payload);
  if (m->dst != fw::kDriverAddr || !connected() || m->src != fw_addr_.load())
    return Report(-EBADMSG, "message from " + std::to_string(m->src) + " to " +
                                std::to_string(m->dst) + " dropped");
  Result<FirmwareMessage> fm = ParseFirmwareMessage(m->payload);
  if (!fm) return Report(fm.error(), "malformed firmware message dropped");
  if (closing_.load()) return;
  if (const auto* hello = std::get_if<fw::Hello>(&*fm)) {
    if (cb_.on_hello) cb_.on_hello(*hello);
  } else if (const auto* hb = std::get_if<fw::Heartbeat>(&*fm)) {
    if (cb_.on_heartbeat) cb_.on_heartbeat(hb->seq, hb->uptime_ns);
  } else if (const auto* blob = std::get_if<RasBlobView>(&*fm)) {
    if (cb_.on_ras_blob) cb_.on_ras_blob(blob->format, blob->blob);
  }
}

void FirmwareProcess::HandleAnnouncement(std::span<const uint8_t> payload) {
  Result<NsAnnouncement> a = ParseNsAnnouncement(payload);
  if (!a) return Report(a.error(), "malformed name-service message dropped");
  if (a->flags == kNsDestroy) {
    if (a->name == fw::kServiceName && connected() && a->addr == fw_addr_.load()) {
      connected_.store(false);
      Report(-ENOTCONN, "the firmware withdrew its endpoint");
    }
    return;
  }
  if (a->name == fw::kServiceName && !connected()) {
    fw_addr_.store(a->addr);
    connected_.store(true, std::memory_order_release);
    // First, before any callback can send: the firmware answers it with HELLO.
    const fw::Simple req{fw::kRasRequest};
    if (Result<void> r = SendTo(a->addr, &req, sizeof(req)); !r)
      Report(r.error(), "cannot send the first RAS request");
  }
  if (!closing_.load() && cb_.on_announce) cb_.on_announce(a->name, a->addr);
}

void FirmwareProcess::Reap() {
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) status = -1;
  connected_.store(false);
  int broken_err;
  std::string broken_what;
  {
    std::lock_guard lock(broken_mu_);
    broken_err = broken_err_;
    broken_what = broken_what_;
  }
  if (broken_err != 0) Report(broken_err, broken_what + "; the firmware was killed");
  {
    std::lock_guard lock(exit_mu_);
    reaped_ = true;
  }
  exit_cv_.notify_all();
  if (!closing_.load() && cb_.on_exit) cb_.on_exit(status);
}

bool FirmwareProcess::exited() const {
  std::lock_guard lock(exit_mu_);
  return reaped_;
}

bool FirmwareProcess::WaitReaped(int timeout_ms) {
  std::unique_lock lock(exit_mu_);
  if (timeout_ms < 0) {
    exit_cv_.wait(lock, [this] { return reaped_; });
    return true;
  }
  return exit_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return reaped_; });
}

Result<void> FirmwareProcess::Send(const void* payload, uint16_t len) {
  if (!connected()) return Err(ENOTCONN);
  return SendTo(fw_addr_.load(), payload, len);
}

Result<void> FirmwareProcess::SendFault(const CheckedFault& fault) {
  return Send(&fault.fault(), sizeof(fw::Fault));
}

Result<void> FirmwareProcess::RequestRas() {
  const fw::Simple m{fw::kRasRequest};
  return Send(&m, sizeof(m));
}

Result<void> FirmwareProcess::ProbeSandbox() {
  const fw::Simple m{fw::kProbeSandbox};
  return Send(&m, sizeof(m));
}

Result<void> FirmwareProcess::StopHeartbeat() {
  const fw::Simple m{fw::kStopHeartbeat};
  return Send(&m, sizeof(m));
}

Result<void> FirmwareProcess::Kill(int sig) {
  if (exited()) return Err(ESRCH);
  if (SignalChild(sig) < 0) return Err(errno);
  return {};
}

int FirmwareProcess::SignalChild(int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd_, sig, nullptr, 0));
}

Result<void> FirmwareProcess::SendTo(uint32_t dst, const void* payload, uint16_t len) {
  if (payload == nullptr && len > 0) return Err(EINVAL);
  if (len > fw::kMaxPayload) return Err(EMSGSIZE);
  {
    std::lock_guard lock(tx_mu_);
    if (broken_.load()) return Err(ENOTCONN);
    if (Result<void> r = ReclaimTxLocked(); !r) return r;
    if (tx_free_.empty()) return Err(ENOBUFS);
    const uint16_t id = tx_free_.back();
    const RegionLayout& l = region_.layout();
    const uint64_t off = l.buffer_offset(l.num + id);
    Result<size_t> n = BuildRpmsg(region_.bytes().subspan(off, fw::kBufferSize), fw::kDriverAddr,
                                  dst, {static_cast<const uint8_t*>(payload), len});
    if (!n) return Errno{n.error()};
    if (Result<void> r = tx_.Add(id, off, static_cast<uint32_t>(*n), false); !r) return r;
    tx_free_.pop_back();
  }
  Kick();
  return {};
}

Result<void> FirmwareProcess::ReclaimTxLocked() {
  for (;;) {
    Result<UsedBuffer> u = tx_.GetUsed();
    if (u) {
      tx_free_.push_back(u->id);
      continue;
    }
    if (u.error() == -EAGAIN) return {};
    LinkBroken(u.error(), "tx used ring corrupted");
    return Err(ENOTCONN);
  }
}

void FirmwareProcess::Kick() {
  const uint64_t one = 1;
  // Fails only when the counter would overflow, and then the firmware has a wakeup pending.
  [[maybe_unused]] ssize_t n = write(kick_fd_, &one, sizeof(one));
}

void FirmwareProcess::LinkBroken(int err, const std::string& what) {
  if (broken_.exchange(true)) return;
  connected_.store(false);
  {
    std::lock_guard lock(broken_mu_);
    broken_err_ = err;
    broken_what_ = what;
  }
  // Reported from the receive thread when it reaps the child, so that callbacks never run on
  // a sender's thread (nor under tx_mu_).
  SignalChild(SIGKILL);
}

void FirmwareProcess::Report(int err, const std::string& what) {
  if (!closing_.load() && cb_.on_link_error) cb_.on_link_error(err, what);
}

}  // namespace accel::vnpu::fwlink
