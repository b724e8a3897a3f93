// vnpu_fault_e2e_test.cc - every injectable vnpu fault and its recovery, against a real acceld
// and vnpu-fw: correctable and uncorrectable ECC (with a retire threshold and poison), an
// engine hang, a firmware crash (a real kill -9 during a stream of jobs), a lost heartbeat
// (SIGSTOP), PCIe link errors, the devcoredump and wedged/recovered events they leave, and
// unplug waking a sleeper.
#include <accel/libaccel.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/vnpu.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acceld_process.h"
#include "ras/codecs/cbor/cbor_codec.h"
#include "rasclient/ras_grpc_client.h"
#include "vnpu_client.h"

namespace accel::testing {
namespace {

bool Eventually(const std::function<bool()>& pred, int seconds = 20) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The pid of acceld's vnpu-fw child (the firmware process), or -1.
pid_t FirmwarePid(pid_t acceld) {
  DIR* d = opendir("/proc");
  if (!d) return -1;
  pid_t found = -1;
  while (dirent* e = readdir(d)) {
    const pid_t pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    const size_t close_paren = stat.rfind(')');
    if (stat.find("(vnpu-fw)") == std::string::npos || close_paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid == acceld && state != 'Z') found = pid;
  }
  closedir(d);
  return found;
}

class VnpuFaultTest : public ::testing::Test {
 protected:
  void StartWith(const std::string& load_args, std::vector<std::string> extra = {},
                 bool fuse = false) {
    // A generous heartbeat timeout unless the test sets its own: a loaded CI machine must not
    // look like a dead firmware.
    const std::string hb =
        load_args.find("heartbeat") == std::string::npos ? "heartbeat_timeout_ms=20000 " : "";
    std::vector<std::string> args = {"--load", "vnpu " + hb + load_args};
    if (!fuse) args.push_back("--no-fuse");
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
    ASSERT_EQ(client_.Open(), 0);
    ASSERT_EQ(client_.CmdqCreate(VNPU_PRIORITY_NORMAL, &cmdq_), 0);
  }
  std::string SysPath(const std::string& rel) {
    return daemon_.runtime_dir() + "/sys/class/accel/accel0/" + rel;
  }
  // The device's RAS state, as CBOR through RAS_QUERY.
  ras::Snapshot Snapshot() {
    accel_ras_query q{};
    q.format = ACCEL_RAS_FMT_CBOR;
    EXPECT_EQ(accel_ioctl(client_.handle(), ACCEL_IOCTL_RAS_QUERY, &q), -ENOSPC);
    std::vector<uint8_t> bytes(q.len);
    q.ptr = reinterpret_cast<uintptr_t>(bytes.data());
    q.size = q.len;
    EXPECT_EQ(accel_ioctl(client_.handle(), ACCEL_IOCTL_RAS_QUERY, &q), 0);
    bytes.resize(q.len);
    Result<ras::Snapshot> s = ras::DecodeCborSnapshot(bytes);
    EXPECT_TRUE(s.ok());
    return s ? *s : ras::Snapshot{};
  }
  uint64_t Count(const std::string& component, uint32_t severity) {
    ras::Snapshot s = Snapshot();
    for (const ras::Counter& c : s.counters)
      if (s.components[c.component].name == component && c.severity == severity)
        return c.volatile_count;
    return UINT64_MAX;
  }
  bool HasPage(uint64_t page) {
    for (const ras::RetiredPage& p : Snapshot().pages)
      if (p.address == page) return true;
    return false;
  }

  AcceldProcess daemon_;
  VnpuClient client_;
  uint32_t cmdq_ = 0;
};

TEST_F(VnpuFaultTest, CorrectableEccIsCountedAndAThresholdRetiresThePage) {
  StartWith("", {"--threshold", "hbm0:corrected count=2 action=retire_page"});
  MappedBo bo;
  ASSERT_EQ(bo.Create(client_, 8192), 0);
  vnpu_bo_info info;
  ASSERT_EQ(client_.BoInfo(bo.handle(), &info), 0);
  std::memset(bo.data(), 0x5a, 8192);
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_ECC_CORRECTABLE, 0, bo.handle(), 100), 0);
  EXPECT_EQ(Count("hbm0", ACCEL_RAS_SEV_CORRECTED), 1u);
  EXPECT_FALSE(HasPage(info.device_address));
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_ECC_CORRECTABLE, 0, bo.handle(), 200), 0);
  EXPECT_EQ(Count("hbm0", ACCEL_RAS_SEV_CORRECTED), 2u);
  EXPECT_TRUE(HasPage(info.device_address));  // the second crossed the threshold
  // The event came through the firmware with its address.
  ras::Snapshot s = Snapshot();
  ASSERT_FALSE(s.events.empty());
  EXPECT_EQ(s.events.back().address, info.device_address + 200);
  // Corrected means corrected: the data is intact and jobs on it succeed.
  uint64_t fence;
  ASSERT_EQ(
      client_.Submit(cmdq_, VNPU_OP_COPY, {bo.handle(), bo.handle()}, {0, 4096, 4096}, &fence), 0);
  EXPECT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(bo.data()[4096 + 100], 0x5a);
  // RAW: the firmware's own CBOR blob, byte for byte, says the same.
  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_CBOR;
  q.flags = ACCEL_RAS_QUERY_RAW;
  ASSERT_EQ(accel_ioctl(client_.handle(), ACCEL_IOCTL_RAS_QUERY, &q), -ENOSPC);
  std::vector<uint8_t> raw(q.len);
  q.ptr = reinterpret_cast<uintptr_t>(raw.data());
  q.size = q.len;
  ASSERT_EQ(accel_ioctl(client_.handle(), ACCEL_IOCTL_RAS_QUERY, &q), 0);
  EXPECT_EQ(q.schema, uint32_t{ACCEL_RAS_SCHEMA_FIRMWARE});
  Result<ras::Snapshot> fw = ras::DecodeCborSnapshot(raw);
  ASSERT_TRUE(fw.ok());
  EXPECT_EQ(fw->device.driver, "vnpu");
}

TEST_F(VnpuFaultTest, UncorrectableEccPoisonsReadersAndRetiresThePage) {
  StartWith("memory=64K");
  uint32_t a, b;
  uint64_t a_addr;
  ASSERT_EQ(client_.BoCreate(16384, &a, &a_addr), 0);
  ASSERT_EQ(client_.BoCreate(16384, &b), 0);
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_ECC_UNCORRECTABLE, 0, a, 4096 + 8), 0);
  EXPECT_EQ(Count("hbm0", ACCEL_RAS_SEV_UNCORRECTED), 1u);
  EXPECT_TRUE(HasPage(a_addr + 4096));  // listed at once, pending until a reset
  uint64_t bad, good;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_COPY, {a, b}, {4096, 0, 4096}, &bad), 0);
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_COPY, {a, b}, {0, 0, 4096}, &good), 0);
  EXPECT_EQ(client_.Finish(bad), uint32_t{VNPU_JOB_MEMORY_ERROR});
  EXPECT_EQ(client_.Finish(good), uint32_t{VNPU_JOB_SUCCESS});
  // Once freed, the poisoned page never backs a BO again: 64K of memory now holds 15 pages.
  ASSERT_EQ(client_.BoDestroy(a), 0);
  std::vector<uint32_t> handles;
  for (;;) {
    uint32_t h;
    uint64_t addr;
    if (client_.BoCreate(4096, &h, &addr) != 0) break;
    EXPECT_NE(addr, a_addr + 4096);
    handles.push_back(h);
  }
  EXPECT_EQ(handles.size(), 16u - 4u - 1u);  // b holds 4 pages, one page is retired
}

TEST_F(VnpuFaultTest, EngineHangIsDetectedTheEngineResetAndLaterJobsRun) {
  StartWith("engines=1", {}, /*fuse=*/true);
  accel_monitor* mon = nullptr;
  ASSERT_EQ(accel_monitor_open(&mon), 0);
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_ENGINE_HANG, 0, 0, 0, 0), 0);
  uint64_t hung, next;
  // A 1 µs spin (a NOP would end at submission, never reaching the engine).
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_SPIN, {}, {1000}, &hung, /*timeout_ms=*/200), 0);
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_NOP, {}, {}, &next), 0);
  EXPECT_EQ(client_.Finish(hung), uint32_t{VNPU_JOB_TIMED_OUT});
  EXPECT_EQ(client_.Finish(next), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_TRUE(Eventually([&] { return Count("compute", ACCEL_RAS_SEV_UNCORRECTED) == 1; }));
  // The hang left a devcoredump in the sys tree, and a wedged -> recovered pair.
  std::string dump;
  EXPECT_TRUE(Eventually([&] {
    dump = ReadFile(SysPath("devcoredump/data"));
    return !dump.empty();
  })) << daemon_.log();
  EXPECT_NE(dump.find("engine 0 hang"), std::string::npos) << dump;
  EXPECT_NE(dump.find("injected hang"), std::string::npos) << dump;
  std::vector<uint32_t> actions;
  accel_monitor_event ev;
  while (accel_monitor_next(mon, &ev, 2000) == 0) {
    actions.push_back(ev.action);
    if (ev.action == ACCEL_MONITOR_RECOVERED) break;
  }
  accel_monitor_close(mon);
  auto wedged = std::find(actions.begin(), actions.end(), uint32_t{ACCEL_MONITOR_WEDGED});
  ASSERT_NE(wedged, actions.end());
  EXPECT_NE(std::find(wedged, actions.end(), uint32_t{ACCEL_MONITOR_RECOVERED}), actions.end());
  EXPECT_EQ(ReadFile(SysPath("wedged")).substr(0, 1), "0");
  // A job that spins past its own timeout is a hang too.
  uint64_t spin;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_SPIN, {}, {0}, &spin, 100), 0);
  EXPECT_EQ(client_.Finish(spin), uint32_t{VNPU_JOB_TIMED_OUT});
  EXPECT_EQ(client_.Param(VNPU_PARAM_RESET_COUNT), 0u);  // an engine reset, not a device one
}

TEST_F(VnpuFaultTest, FirmwareKilledDuringAStreamOfJobsTheDeviceResetsAndServesAgain) {
  StartWith("engines=2");
  const pid_t fw = FirmwarePid(daemon_.pid());
  ASSERT_GT(fw, 0);
  std::vector<uint64_t> fences;
  for (int i = 0; i < 200; ++i) {
    uint64_t f;
    ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_SPIN, {}, {2'000'000}, &f), 0);  // 2 ms each
    fences.push_back(f);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ASSERT_EQ(kill(fw, SIGKILL), 0);  // a real crash of the firmware process
  int success = 0, aborted = 0;
  for (uint64_t f : fences) {
    const uint32_t st = client_.Finish(f);
    ASSERT_TRUE(st == VNPU_JOB_SUCCESS || st == VNPU_JOB_ABORTED) << st;
    (st == VNPU_JOB_SUCCESS ? success : aborted)++;
  }
  EXPECT_GT(aborted, 0);  // jobs in flight at the reset failed, and said so
  EXPECT_TRUE(Eventually([&] { return client_.Param(VNPU_PARAM_RESET_COUNT) == 1; }));
  EXPECT_TRUE(Eventually([&] {
    const pid_t now = FirmwarePid(daemon_.pid());
    return now > 0 && now != fw;
  }));
  EXPECT_NE(client_.Param(VNPU_PARAM_FW_VERSION), 0u);
  EXPECT_EQ(Count("fw", ACCEL_RAS_SEV_FATAL), 1u);
  uint64_t after;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_NOP, {}, {}, &after), 0);
  EXPECT_EQ(client_.Finish(after), uint32_t{VNPU_JOB_SUCCESS});
  // The fault ioctl does the same (kill -9 from inside).
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_FW_CRASH, 0, 0, 0), 0);
  EXPECT_TRUE(Eventually([&] { return client_.Param(VNPU_PARAM_RESET_COUNT) == 2; }));
  EXPECT_TRUE(Eventually([&] { return Count("fw", ACCEL_RAS_SEV_FATAL) == 2; }));
}

// Issue 12 A12: a compromised firmware (FW_ESCAPE: it calls socket(2)) is killed by its
// seccomp filter, and only it: acceld goes on, the device resets with a new firmware that is
// sandboxed too (and, acceld being root here, runs as nobody), and serves jobs again.
TEST_F(VnpuFaultTest, AForbiddenSyscallKillsOnlyTheFirmwareAndTheDeviceRecovers) {
  StartWith("");
  const pid_t fw = FirmwarePid(daemon_.pid());
  ASSERT_GT(fw, 0);
  const std::string status = ReadFile("/proc/" + std::to_string(fw) + "/status");
  EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos) << status;
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << status;
  if (geteuid() == 0) {
    EXPECT_NE(status.find("Uid:\t65534\t"), std::string::npos) << status;
  }
  const uint64_t resets = client_.Param(VNPU_PARAM_RESET_COUNT);
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_FW_ESCAPE, 0, 0, 0), 0);
  EXPECT_TRUE(Eventually([&] { return client_.Param(VNPU_PARAM_RESET_COUNT) == resets + 1; }))
      << daemon_.log();
  EXPECT_TRUE(Eventually([&] { return kill(fw, 0) != 0; }));
  pid_t now = -1;
  EXPECT_TRUE(Eventually([&] {
    now = FirmwarePid(daemon_.pid());
    return now > 0 && now != fw;
  }));
  EXPECT_EQ(kill(daemon_.pid(), 0), 0);  // acceld itself is untouched
  EXPECT_GE(Count("fw", ACCEL_RAS_SEV_FATAL), 1u);
  EXPECT_NE(daemon_.log().find("signal 31"), std::string::npos) << daemon_.log();
  uint64_t f;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_NOP, {}, {}, &f), 0);
  EXPECT_EQ(client_.Finish(f), uint32_t{VNPU_JOB_SUCCESS});
  if (now > 0) {
    EXPECT_NE(ReadFile("/proc/" + std::to_string(now) + "/status").find("Seccomp:\t2"),
              std::string::npos);
  }
}

// Issue 12 B, crash consistency with the firmware as the one that dies: a steady stream of
// correctable ECC errors that vnpu-fw itself reports (each at its own address, acknowledged
// when VNPU_IOCTL_INJECT_FAULT returns), while vnpu-fw is killed with SIGKILL at a random
// moment 20 times; each time the device resets and a new firmware comes up. Then acceld
// itself is killed with SIGKILL and restarted on the same store: every acknowledged event must
// be in the store's log. The figures are printed; docs/SECURITY.md has a run's.
TEST_F(VnpuFaultTest, EveryAcknowledgedFirmwareEventSurvivesTwentyFirmwareKill9s) {
  constexpr int kRounds = 20;
  StartWith("memory=1M");
  MappedBo bo;
  ASSERT_EQ(bo.Create(client_, 65536), 0);
  vnpu_bo_info info;
  ASSERT_EQ(client_.BoInfo(bo.handle(), &info), 0);
  std::set<uint64_t> acked;  // addresses
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::atomic<int> refused{0};
  std::thread injector([&] {
    for (uint64_t offset = 0; offset < 65536 && !stop; offset += 8) {
      const int rc = client_.InjectFault(VNPU_FAULT_ECC_CORRECTABLE, 0, bo.handle(), offset);
      if (rc != 0) {  // the firmware is down or the device resetting: not acknowledged
        ++refused;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      std::lock_guard lock(mu);
      acked.insert(info.device_address + offset);
    }
  });
  std::mt19937 rng(4242);
  int kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const uint64_t resets = client_.Param(VNPU_PARAM_RESET_COUNT);
    pid_t fw = -1;
    ASSERT_TRUE(Eventually([&] { return (fw = FirmwarePid(daemon_.pid())) > 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    ASSERT_EQ(kill(fw, SIGKILL), 0);
    ++kills;
    ASSERT_TRUE(Eventually([&] {
      const uint64_t now = client_.Param(VNPU_PARAM_RESET_COUNT);
      return now != UINT64_MAX && now > resets;
    })) << daemon_.log();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a few under the last firmware
  stop = true;
  injector.join();
  daemon_.Kill9();
  ASSERT_TRUE(daemon_.Start({"--load", "vnpu heartbeat_timeout_ms=20000 memory=1M", "--no-fuse"}))
      << daemon_.log();
  auto reader = ras::RasGrpcClient::Connect("unix:" + daemon_.runtime_dir() + "/ras.sock");
  ASSERT_TRUE(reader) << reader.error();
  ras::LogQuery q;
  // every device: the one vnpu
  q.severity = ACCEL_RAS_SEV_CORRECTED;
  q.limit = 10000;
  Result<std::vector<ras::EventRecord>> log = (*reader)->Log(q);
  ASSERT_TRUE(log) << log.error();
  std::set<uint64_t> found;
  for (const ras::EventRecord& r : *log)
    if (r.component_name == "hbm0" && r.event.address) found.insert(*r.event.address);
  uint64_t lost = 0;
  for (uint64_t address : acked) lost += found.count(address) == 0;
  std::printf(
      "firmware crash consistency: %d vnpu-fw kill -9s (and one of acceld), %zu firmware "
      "events acknowledged, %zu found in the store, %llu lost, %d injections refused while "
      "the firmware was down\n",
      kills, acked.size(), found.size(), static_cast<unsigned long long>(lost), refused.load());
  RecordProperty("acknowledged", std::to_string(acked.size()));
  RecordProperty("lost", std::to_string(lost));
  EXPECT_GT(acked.size(), 0u);
  EXPECT_EQ(lost, 0u);
}

TEST_F(VnpuFaultTest, LostHeartbeatIsAFirmwareFailure) {
  StartWith("heartbeat_ms=20 heartbeat_timeout_ms=1000");
  const pid_t fw = FirmwarePid(daemon_.pid());
  ASSERT_GT(fw, 0);
  const uint64_t resets = client_.Param(VNPU_PARAM_RESET_COUNT);
  ASSERT_EQ(kill(fw, SIGSTOP), 0);  // alive but silent: a hung firmware
  EXPECT_TRUE(Eventually([&] { return client_.Param(VNPU_PARAM_RESET_COUNT) > resets; }));
  EXPECT_GE(Count("fw", ACCEL_RAS_SEV_FATAL), 1u);
  EXPECT_TRUE(Eventually([&] { return kill(fw, 0) != 0; }));  // the stopped one was killed
  uint64_t f;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_NOP, {}, {}, &f), 0);
  EXPECT_EQ(client_.Finish(f), uint32_t{VNPU_JOB_SUCCESS});
}

TEST_F(VnpuFaultTest, LinkErrorsAreCountedAndAFatalOneResetsTheDevice) {
  StartWith("");
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_LINK_ERROR, 0, 0, 0), 0);
  EXPECT_EQ(Count("pcie", ACCEL_RAS_SEV_CORRECTED), 1u);
  EXPECT_EQ(client_.Param(VNPU_PARAM_RESET_COUNT), 0u);
  ASSERT_EQ(client_.InjectFault(VNPU_FAULT_LINK_ERROR, VNPU_FAULT_FATAL, 0, 0), 0);
  EXPECT_TRUE(Eventually([&] { return client_.Param(VNPU_PARAM_RESET_COUNT) == 1; }));
  EXPECT_GE(Count("pcie", ACCEL_RAS_SEV_FATAL), 1u);
  EXPECT_EQ(client_.InjectFault(99, 0, 0, 0), -EINVAL);
}

TEST_F(VnpuFaultTest, GenericRasInjectReachesTheSameFaults) {
  StartWith("");
  uint32_t bo;
  uint64_t addr;
  ASSERT_EQ(client_.BoCreate(4096, &bo, &addr), 0);
  accel_ras_inject in{};
  in.component = VNPU_COMPONENT_HBM0;
  in.severity = ACCEL_RAS_SEV_CORRECTED;
  in.count = 3;
  in.flags = ACCEL_RAS_INJECT_ADDRESS;
  in.address = addr + 64;
  ASSERT_EQ(accel_ioctl(client_.handle(), ACCEL_IOCTL_RAS_INJECT, &in), 0);
  EXPECT_EQ(Count("hbm0", ACCEL_RAS_SEV_CORRECTED), 3u);
  in.address = 0x10;  // not device memory
  EXPECT_EQ(accel_ioctl(client_.handle(), ACCEL_IOCTL_RAS_INJECT, &in), -EINVAL);
}

TEST_F(VnpuFaultTest, UnplugWakesASleepingWaitWithEnodev) {
  StartWith("");
  uint64_t f;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_SPIN, {}, {0}, &f, 600000), 0);  // spins for minutes
  int rc = 1;
  std::thread waiter([&] { rc = client_.Wait({f}, -1, true); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(accel_driver_unload("vnpu", 1), 0);  // forced: the file is open
  waiter.join();
  EXPECT_EQ(rc, -ENODEV);
}

}  // namespace
}  // namespace accel::testing
