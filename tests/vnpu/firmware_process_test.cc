// firmware_process_test.cc - FirmwareProcess with the real vnpu-fw: the link coming up,
// heartbeats, faults answered with RAS blobs, a simulated hang, a crash, restarts, and no
// process left behind whatever happens.
//
// Waits are generous (seconds) and end as soon as the awaited callback arrives; nothing here
// asserts on speed.
#include "drivers/vnpu/fwlink/firmware_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ras/codecs/cbor/cbor_codec.h"
#include "uapi/accel/vnpu.h"

namespace accel::vnpu::fwlink {
namespace {

constexpr auto kWait = std::chrono::seconds(10);

// Everything the callbacks saw, with a condition variable to wait on.
class Recorder {
 public:
  FirmwareCallbacks Callbacks() {
    FirmwareCallbacks cb;
    cb.on_announce = [this](const std::string& name, uint32_t addr) {
      Record([&] { announces.emplace_back(name, addr); });
    };
    cb.on_hello = [this](const fw::Hello& h) { Record([&] { hellos.push_back(h); }); };
    cb.on_heartbeat = [this](uint32_t seq, uint64_t uptime) {
      Record([&] { heartbeats.emplace_back(seq, uptime); });
    };
    cb.on_ras_blob = [this](uint32_t format, std::span<const uint8_t> blob) {
      Record([&] { blobs.emplace_back(format, std::vector<uint8_t>(blob.begin(), blob.end())); });
    };
    cb.on_exit = [this](int status) { Record([&] { exits.push_back(status); }); };
    cb.on_link_error = [this](int err, const std::string& what) {
      Record([&] { link_errors.emplace_back(err, what); });
    };
    return cb;
  }

  // Waits until `pred` (called under the lock) holds; false after kWait.
  bool WaitFor(const std::function<bool()>& pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kWait, pred);
  }

  // The newest blob decoded.
  Result<ras::Snapshot> LastSnapshot() {
    std::lock_guard lock(mu);
    if (blobs.empty()) return Err(ENOENT);
    return ras::DecodeCborSnapshot(blobs.back().second);
  }

  size_t Count(const auto& v) {
    std::lock_guard lock(mu);
    return v.size();
  }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, uint32_t>> announces;
  std::vector<fw::Hello> hellos;
  std::vector<std::pair<uint32_t, uint64_t>> heartbeats;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> blobs;
  std::vector<int> exits;
  std::vector<std::pair<int, std::string>> link_errors;

 private:
  void Record(const std::function<void()>& f) {
    {
      std::lock_guard lock(mu);
      f();
    }
    cv.notify_all();
  }
};

FirmwareOptions Options(uint32_t heartbeat_ms = 20, uint32_t queue_size = 64) {
  FirmwareOptions o;
  o.heartbeat_ms = heartbeat_ms;
  o.serial = "VNPU-TEST-0001";
  o.queue_size = queue_size;
  return o;
}

std::unique_ptr<FirmwareProcess> StartOrDie(Recorder& rec,
                                            const FirmwareOptions& opts = Options()) {
  Result<std::unique_ptr<FirmwareProcess>> p =
      FirmwareProcess::Start(VNPU_FW_PATH, opts, rec.Callbacks());
  EXPECT_TRUE(p) << "Start: " << (p ? 0 : p.error());
  return p ? std::move(*p) : nullptr;
}

// kill(pid, 0) fails with ESRCH: no such process (not even a zombie).
bool Gone(pid_t pid) {
  return kill(pid, 0) != 0 && errno == ESRCH;
}

// A stand-in firmware that never speaks (a shell script ignores the arguments).
class FakeFirmware {
 public:
  explicit FakeFirmware(const std::string& body) {
    char dir[] = "/tmp/vnpu-fw-test.XXXXXX";
    dir_ = mkdtemp(dir);
    path_ = dir_ + "/fake-fw";
    std::ofstream(path_) << "#!/bin/sh\n" << body << "\n";
    chmod(path_.c_str(), 0755);
  }
  ~FakeFirmware() {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

fw::Fault HbmFault() {
  fw::Fault f{};
  f.type = fw::kFault;
  f.component = VNPU_COMPONENT_HBM0;
  f.severity = ACCEL_RAS_SEV_CORRECTED;
  f.count = 1;
  f.code = 0xecc;
  f.flags = fw::kFaultHasAddress;
  f.address = 0x12340000;
  std::strcpy(f.message, "single-bit ECC");
  return f;
}

TEST(FirmwareProcess, AnnouncesSaysHelloAndBeats) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec);
  ASSERT_TRUE(fw);
  EXPECT_GT(fw->pid(), 0);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.announces.empty(); }));
  EXPECT_EQ(rec.announces[0].first, "vnpu-ctrl");
  EXPECT_EQ(rec.announces[0].second, fw::kFirmwareAddr);
  EXPECT_TRUE(fw->connected());

  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty(); }));
  const fw::Hello h = rec.hellos[0];
  EXPECT_EQ(h.type, fw::kHello);
  EXPECT_EQ(h.major, 1);
  EXPECT_EQ(h.minor, 4);
  EXPECT_EQ(h.heartbeat_ms, 20u);
  EXPECT_EQ(static_cast<pid_t>(h.pid), fw->pid());

  ASSERT_TRUE(rec.WaitFor([&] { return rec.heartbeats.size() >= 3; }));
  std::lock_guard lock(rec.mu);
  EXPECT_EQ(rec.heartbeats[0].first, 1u);
  for (size_t i = 1; i < rec.heartbeats.size(); ++i) {
    EXPECT_EQ(rec.heartbeats[i].first, rec.heartbeats[i - 1].first + 1);
    EXPECT_GT(rec.heartbeats[i].second, rec.heartbeats[i - 1].second);
  }
  // The first RAS_REQUEST was answered too: a clean slate.
  ASSERT_FALSE(rec.blobs.empty());
  EXPECT_EQ(rec.blobs[0].first, static_cast<uint32_t>(ACCEL_RAS_FMT_CBOR));
  EXPECT_TRUE(rec.exits.empty());
  EXPECT_TRUE(rec.link_errors.empty());
}

TEST(FirmwareProcess, FaultComesBackInTheRasBlob) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec, Options(1000));
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty() && !rec.blobs.empty(); }));
  Result<ras::Snapshot> first = rec.LastSnapshot();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->device.driver, "vnpu");
  EXPECT_EQ(first->device.serial, "VNPU-TEST-0001");
  EXPECT_TRUE(first->events.empty());

  ASSERT_TRUE(fw->SendFault(*CheckFault(HbmFault())));
  ASSERT_TRUE(rec.WaitFor([&] { return rec.blobs.size() >= 2; }));
  Result<ras::Snapshot> s = rec.LastSnapshot();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(ras::Validate(*s), 0);
  const ras::Counter& c = s->counters[VNPU_COMPONENT_HBM0 * 5 + ACCEL_RAS_SEV_CORRECTED];
  EXPECT_EQ(c.component, uint32_t{VNPU_COMPONENT_HBM0});
  EXPECT_EQ(c.volatile_count, 1u);
  EXPECT_EQ(c.aggregate_count, 1u);
  ASSERT_EQ(s->events.size(), 1u);
  const ras::Event& e = s->events[0];
  EXPECT_EQ(e.seqno, 1u);
  EXPECT_EQ(e.component, uint32_t{VNPU_COMPONENT_HBM0});
  EXPECT_EQ(e.severity, uint32_t{ACCEL_RAS_SEV_CORRECTED});
  EXPECT_EQ(e.code, 0xeccu);
  ASSERT_TRUE(e.address.has_value());
  EXPECT_EQ(*e.address, 0x12340000u);
  EXPECT_EQ(e.message, "single-bit ECC");
  EXPECT_GT(e.timestamp_ns, 0u);

  ASSERT_TRUE(fw->RequestRas());
  ASSERT_TRUE(rec.WaitFor([&] { return rec.blobs.size() >= 3; }));
  EXPECT_EQ(rec.LastSnapshot()->counters[0].volatile_count, 1u);  // asked again: unchanged
}

TEST(FirmwareProcess, SendFaultRefusesWhatTheFirmwareWould) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec);
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty(); }));
  // SendFault takes only a CheckedFault: a fault the firmware would refuse never gets one.
  fw::Fault f = HbmFault();
  f.component = VNPU_NUM_COMPONENTS;
  EXPECT_EQ(CheckFault(f).error(), -EINVAL);
  f = HbmFault();
  f.type = fw::kHello;
  EXPECT_EQ(CheckFault(f).error(), -EINVAL);
  std::vector<uint8_t> big(fw::kMaxPayload + 1);
  EXPECT_EQ(fw->Send(big.data(), static_cast<uint16_t>(big.size())).error(), -EMSGSIZE);
  EXPECT_EQ(fw->Send(nullptr, 4).error(), -EINVAL);
}

TEST(FirmwareProcess, StopHeartbeatSilencesALiveFirmware) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec, Options(10));
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.heartbeats.empty(); }));
  ASSERT_TRUE(fw->StopHeartbeat());
  // Handled in order: once this blob is back, the stop was handled.
  const size_t blobs = rec.Count(rec.blobs);
  ASSERT_TRUE(fw->RequestRas());
  ASSERT_TRUE(rec.WaitFor([&] { return rec.blobs.size() > blobs; }));
  const size_t beats = rec.Count(rec.heartbeats);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 30 periods
  EXPECT_EQ(rec.Count(rec.heartbeats), beats);
  EXPECT_EQ(kill(fw->pid(), 0), 0);  // hung, not dead
  EXPECT_FALSE(fw->exited());
  EXPECT_TRUE(fw->connected());
  EXPECT_EQ(rec.Count(rec.exits), 0u);
}

// The value of a "Key:\tvalue" line of /proc/PID/status, "" when absent.
std::string StatusField(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "";
}

// Issue 12 A12: vnpu-fw serves with no new privileges, under a seccomp filter, with nothing
// of its parent's environment; as root it drops to the user it is given. The old firmware
// ran as root with the daemon's environment and no filter.
TEST(FirmwareProcess, FirmwareServesSandboxedWithAMinimalEnvironment) {
  setenv("ACCEL_SECRET_OF_THE_DAEMON", "x", 1);
  Recorder rec;
  FirmwareOptions opts = Options();
  if (geteuid() == 0) opts.run_as = RunAs{65534, 65534};  // nobody, as vnpu's default
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec, opts);
  unsetenv("ACCEL_SECRET_OF_THE_DAEMON");
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty(); }));  // past its setup: serving
  const pid_t pid = fw->pid();
  EXPECT_EQ(StatusField(pid, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(pid, "Seccomp"), "2");  // SECCOMP_MODE_FILTER
  if (geteuid() == 0) {
    EXPECT_EQ(StatusField(pid, "Uid"), "65534\t65534\t65534\t65534");
    EXPECT_EQ(StatusField(pid, "Gid"), "65534\t65534\t65534\t65534");
    EXPECT_EQ(StatusField(pid, "Groups"), "");
  }
  std::ifstream env_file("/proc/" + std::to_string(pid) + "/environ");
  std::string env((std::istreambuf_iterator<char>(env_file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(env.find("ACCEL_SECRET_OF_THE_DAEMON"), std::string::npos);
  EXPECT_NE(env.find("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), std::string::npos);
  for (const std::string& e : FirmwareEnvironment())
    EXPECT_TRUE(e.rfind("PATH=", 0) == 0 || e.find("SAN_OPTIONS=") != std::string::npos) << e;
  // Still a working firmware: it answers a RAS request.
  ASSERT_TRUE(fw->RequestRas());
  EXPECT_TRUE(rec.WaitFor([&] { return !rec.blobs.empty(); }));
}

// A forbidden system call kills the firmware, and only it, with SIGSYS: what the device then
// sees as a firmware crash (vnpu_fault_e2e_test.cc shows the reset).
TEST(FirmwareProcess, AForbiddenSyscallKillsTheFirmwareWithSigsys) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec);
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty(); }));
  const pid_t pid = fw->pid();
  ASSERT_TRUE(fw->ProbeSandbox());
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.exits.empty(); }));
  {
    std::lock_guard lock(rec.mu);
    ASSERT_EQ(rec.exits.size(), 1u);
    EXPECT_TRUE(WIFSIGNALED(rec.exits[0])) << rec.exits[0];
    EXPECT_EQ(WTERMSIG(rec.exits[0]), SIGSYS);
  }
  EXPECT_TRUE(Gone(pid));
}

TEST(FirmwareProcess, KillIsACrashReportedOnce) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec);
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty(); }));
  const pid_t pid = fw->pid();
  ASSERT_TRUE(fw->Kill(SIGKILL));
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.exits.empty(); }));
  {
    std::lock_guard lock(rec.mu);
    ASSERT_EQ(rec.exits.size(), 1u);
    EXPECT_TRUE(WIFSIGNALED(rec.exits[0]));
    EXPECT_EQ(WTERMSIG(rec.exits[0]), SIGKILL);
  }
  EXPECT_TRUE(fw->exited());
  EXPECT_FALSE(fw->connected());
  EXPECT_TRUE(Gone(pid));  // reaped
  EXPECT_EQ(fw->RequestRas().error(), -ENOTCONN);
  EXPECT_EQ(fw->Kill(SIGKILL).error(), -ESRCH);
  fw.reset();
  EXPECT_EQ(rec.Count(rec.exits), 1u);
}

TEST(FirmwareProcess, StartsAgainAfterACrash) {
  Recorder first, second;  // before fw: callbacks must outlive the process object
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(first);
  ASSERT_TRUE(fw);
  ASSERT_TRUE(first.WaitFor([&] { return !first.hellos.empty(); }));
  const pid_t old_pid = fw->pid();
  ASSERT_TRUE(fw->Kill(SIGKILL));
  ASSERT_TRUE(first.WaitFor([&] { return !first.exits.empty(); }));
  fw.reset();

  fw = StartOrDie(second);
  ASSERT_TRUE(fw);
  ASSERT_TRUE(second.WaitFor([&] { return !second.hellos.empty() && !second.heartbeats.empty(); }));
  EXPECT_NE(fw->pid(), old_pid);
  std::lock_guard lock(second.mu);
  EXPECT_EQ(static_cast<pid_t>(second.hellos[0].pid), fw->pid());
  EXPECT_EQ(second.heartbeats[0].first, 1u);  // a fresh firmware counts from 1
}

TEST(FirmwareProcess, DestructorLeavesNoProcess) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec);
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.heartbeats.empty(); }));
  const pid_t pid = fw->pid();
  fw.reset();  // SHUTDOWN, exit 0, reaped
  EXPECT_TRUE(Gone(pid));
  EXPECT_EQ(rec.Count(rec.exits), 0u);  // no callbacks once the destructor runs
}

TEST(FirmwareProcess, DestructorRightAfterStart) {
  for (int i = 0; i < 5; ++i) {
    Recorder rec;
    std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec);
    ASSERT_TRUE(fw);
    const pid_t pid = fw->pid();
    fw.reset();  // maybe before the announcement: SHUTDOWN goes to the fixed address
    EXPECT_TRUE(Gone(pid));
  }
}

TEST(FirmwareProcess, DestructorKillsAFirmwareThatDoesNotListen) {
  FakeFirmware mute("exec sleep 60");
  Recorder rec;
  Result<std::unique_ptr<FirmwareProcess>> fw =
      FirmwareProcess::Start(mute.path(), Options(), rec.Callbacks());
  ASSERT_TRUE(fw) << fw.error();
  const pid_t pid = (*fw)->pid();
  EXPECT_EQ((*fw)->RequestRas().error(), -ENOTCONN);  // never announced
  EXPECT_FALSE((*fw)->connected());
  fw->reset();  // SHUTDOWN unheard, ~500 ms, SIGKILL
  EXPECT_TRUE(Gone(pid));
}

TEST(FirmwareProcess, ExitStatusIsReported) {
  FakeFirmware quits("exit 7");
  Recorder rec;
  Result<std::unique_ptr<FirmwareProcess>> fw =
      FirmwareProcess::Start(quits.path(), Options(), rec.Callbacks());
  ASSERT_TRUE(fw) << fw.error();
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.exits.empty(); }));
  std::lock_guard lock(rec.mu);
  EXPECT_TRUE(WIFEXITED(rec.exits[0]));
  EXPECT_EQ(WEXITSTATUS(rec.exits[0]), 7);
}

TEST(FirmwareProcess, ChildSeesOnlyItsDescriptors) {
  // The fake firmware lists its descriptors; 0..5 are all it may have (the daemon's others
  // must not leak into it, close-on-exec or not).
  int leak = open("/dev/null", O_RDONLY);  // no O_CLOEXEC, on purpose
  ASSERT_GE(leak, 0);
  char out[] = "/tmp/vnpu-fw-fds.XXXXXX";
  const int out_fd = mkstemp(out);
  ASSERT_GE(out_fd, 0);
  close(out_fd);
  FakeFirmware lister(std::string("ls /proc/self/fd > ") + out);
  Recorder rec;
  Result<std::unique_ptr<FirmwareProcess>> fw =
      FirmwareProcess::Start(lister.path(), Options(), rec.Callbacks());
  ASSERT_TRUE(fw) << fw.error();
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.exits.empty(); }));
  close(leak);
  std::ifstream in(out);
  std::vector<int> fds;
  for (int fd; in >> fd;) fds.push_back(fd);
  unlink(out);
  // ls itself opens one descriptor to read the directory (the highest).
  ASSERT_FALSE(fds.empty());
  fds.pop_back();
  EXPECT_EQ(fds, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(FirmwareProcess, FullTxRingPushesBack) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec, Options(1000, /*queue_size=*/4));
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty() && !rec.blobs.empty(); }));
  const size_t blobs = rec.Count(rec.blobs);
  ASSERT_TRUE(fw->Kill(SIGSTOP));  // it cannot take anything now
  int sent = 0;
  Result<void> r;
  for (; sent < 10; ++sent) {
    r = fw->RequestRas();
    if (!r) break;
  }
  EXPECT_EQ(r.error(), -ENOBUFS);
  EXPECT_GE(sent, 1);  // at most 4 buffers, some still held by the first exchange maybe
  EXPECT_LE(sent, 4);
  ASSERT_TRUE(fw->Kill(SIGCONT));
  ASSERT_TRUE(rec.WaitFor([&] { return rec.blobs.size() >= blobs + static_cast<size_t>(sent); }));
  // The buffers come back as the firmware consumes them.
  ASSERT_TRUE(rec.WaitFor([&] { return fw->RequestRas().ok(); }));
}

TEST(FirmwareProcess, ManyThreadsSendAtOnce) {
  Recorder rec;
  std::unique_ptr<FirmwareProcess> fw = StartOrDie(rec, Options(1000, /*queue_size=*/8));
  ASSERT_TRUE(fw);
  ASSERT_TRUE(rec.WaitFor([&] { return !rec.hellos.empty() && !rec.blobs.empty(); }));
  const size_t before = rec.Count(rec.blobs);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        Result<void> r = fw->RequestRas();
        while (!r && r.error() == -ENOBUFS) {  // back-pressure: the firmware will catch up
          std::this_thread::yield();
          r = fw->RequestRas();
        }
        EXPECT_TRUE(r) << r.error();
      }
    });
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(rec.WaitFor([&] { return rec.blobs.size() >= before + kThreads * kEach; }));
}

TEST(FirmwareProcess, FirmwareDiesWithItsDriver) {
  int to_parent[2], to_child[2];
  ASSERT_EQ(pipe(to_parent), 0);
  ASSERT_EQ(pipe(to_child), 0);
  const pid_t driver = fork();
  ASSERT_GE(driver, 0);
  if (driver == 0) {  // the "daemon": starts a firmware, reports its pid, dies without cleanup
    Recorder rec;
    Result<std::unique_ptr<FirmwareProcess>> fw =
        FirmwareProcess::Start(VNPU_FW_PATH, Options(), rec.Callbacks());
    const pid_t pid = fw ? (*fw)->pid() : -1;
    if (fw) rec.WaitFor([&] { return !rec.hellos.empty(); });
    [[maybe_unused]] ssize_t n = write(to_parent[1], &pid, sizeof(pid));
    char go;
    n = read(to_child[0], &go, 1);
    _exit(0);
  }
  pid_t fw_pid = -1;
  ASSERT_EQ(read(to_parent[0], &fw_pid, sizeof(fw_pid)), static_cast<ssize_t>(sizeof(fw_pid)));
  ASSERT_GT(fw_pid, 0);
  // Watch the firmware through a pidfd: it is not our child, and once orphaned its zombie is
  // reaped by whoever inherits it, so kill(pid, 0) could not tell.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, fw_pid, 0));
  ASSERT_GE(pidfd, 0);
  ASSERT_EQ(write(to_child[1], "x", 1), 1);
  int status;
  ASSERT_EQ(waitpid(driver, &status, 0), driver);
  pollfd p = {pidfd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 10'000), 1) << "vnpu-fw outlived its driver";
  close(pidfd);
  for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]}) close(fd);
}

TEST(FirmwareProcess, StartRefusesBadOptionsAndMissingBinary) {
  Recorder rec;
  FirmwareOptions o = Options();
  o.heartbeat_ms = 0;
  EXPECT_EQ(FirmwareProcess::Start(VNPU_FW_PATH, o, rec.Callbacks()).error(), -EINVAL);
  o = Options();
  o.queue_size = 48;
  EXPECT_EQ(FirmwareProcess::Start(VNPU_FW_PATH, o, rec.Callbacks()).error(), -EINVAL);
  o = Options();
  o.serial = std::string(64, 's');
  EXPECT_EQ(FirmwareProcess::Start(VNPU_FW_PATH, o, rec.Callbacks()).error(), -EINVAL);
  o.serial = "\xff";
  EXPECT_EQ(FirmwareProcess::Start(VNPU_FW_PATH, o, rec.Callbacks()).error(), -EINVAL);
  EXPECT_EQ(FirmwareProcess::Start("/nonexistent/vnpu-fw", Options(), rec.Callbacks()).error(),
            -ENOENT);
  EXPECT_EQ(FirmwareProcess::Start("", Options(), rec.Callbacks()).error(), -EINVAL);
}

}  // namespace
}  // namespace accel::vnpu::fwlink
