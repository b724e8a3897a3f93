// recovery_e2e_test.cc - a device's recovery paths end to end, through a real acceld and the
// dummy driver's FAULT command: the wedged state on the monitor stream (libaccel and `accelctl
// monitor`) and as the sys tree's `wedged` attribute, a devcoredump appearing, read and
// dismissed, a retired page kept across a restart, and a helper program found the way plugins
// are (find_helper).
//
// Every test starts its own daemon; TearDown stops it and detaches whatever is still mounted
// below its temp root, so a failing test leaves neither a process nor a mount behind.
#include <accel/libaccel.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <unistd.h>
#include <accel/accel.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acceld_process.h"
#include "fuse_helpers.h"
#include "ras/codecs/json/json_codec.h"
#include "ras/model.h"

namespace accel::testing {
namespace {

constexpr uid_t kNobody = 65534;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

int Fault(Device& dev, uint32_t type, uint32_t arg = 0, uint64_t address = 0,
          const char* reason = "") {
  accel_dummy_fault f{};
  f.type = type;
  f.arg = arg;
  f.address = address;
  std::strncpy(f.reason, reason, sizeof(f.reason) - 1);
  return dev.Ioctl(ACCEL_IOCTL_DUMMY_FAULT, f);
}

struct MonitorCloser {
  void operator()(accel_monitor* m) const { accel_monitor_close(m); }
};

class RecoveryE2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    daemon_.Stop();
    DetachMountsUnder(daemon_.root());
  }
  void StartWith(const std::vector<std::string>& args) {
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
  }
  bool CanMount() const { return geteuid() == 0 && access("/dev/fuse", R_OK | W_OK) == 0; }
  std::string sys(int n = 0) const {
    return daemon_.runtime_dir() + "/sys/class/accel/accel" + std::to_string(n);
  }
  Device OpenDevice() {
    setenv("ACCEL_TRANSPORT", "socket", 1);
    Result<Device> d = Device::Open("accel0");
    unsetenv("ACCEL_TRANSPORT");
    EXPECT_TRUE(d) << d.error();
    return std::move(*d);
  }

  AcceldProcess daemon_;
};

// ---- wedged ---------------------------------------------------------------------------------

TEST_F(RecoveryE2eTest, WedgedAndRecoveredReachTheMonitorAndTheAttribute) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy"}));
  EXPECT_EQ(ReadText(sys() + "/wedged"), "0\n");
  accel_monitor* raw = nullptr;
  ASSERT_EQ(accel_monitor_open(&raw), 0);
  std::unique_ptr<accel_monitor, MonitorCloser> mon(raw);
  Device dev = OpenDevice();

  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_WEDGE, 0, 0, "engine 0 stopped\nresponding"), 0);
  accel_monitor_event ev{};
  ASSERT_EQ(accel_monitor_next(mon.get(), &ev, 5000), 0);
  EXPECT_EQ(ev.action, static_cast<uint32_t>(ACCEL_MONITOR_WEDGED));
  EXPECT_STREQ(ev.name, "accel0");
  EXPECT_STREQ(ev.driver, "dummy");
  EXPECT_EQ(ReadText(sys() + "/wedged"), "1 engine 0 stopped responding\n");

  // Still wedged: no transition, no event.
  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_WEDGE, 0, 0, "again"), 0);
  EXPECT_EQ(accel_monitor_next(mon.get(), &ev, 200), -ETIME);

  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RECOVER), 0);
  ASSERT_EQ(accel_monitor_next(mon.get(), &ev, 5000), 0);
  EXPECT_EQ(ev.action, static_cast<uint32_t>(ACCEL_MONITOR_RECOVERED));
  EXPECT_EQ(ev.seqno, 2u);  // nothing was dropped in between
  EXPECT_EQ(ReadText(sys() + "/wedged"), "0\n");
  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RECOVER), 0);
  EXPECT_EQ(accel_monitor_next(mon.get(), &ev, 200), -ETIME);

  // Only root makes faults happen.
  const Identity nobody{kNobody, kNobody, {}};
  EXPECT_EQ(RunBounded(
                [] {
                  accel_handle* h = nullptr;
                  if (int rc = accel_open("accel0", &h); rc < 0) return rc;
                  accel_dummy_fault f{};
                  f.type = ACCEL_DUMMY_FAULT_WEDGE;
                  const int rc = accel_ioctl(h, ACCEL_IOCTL_DUMMY_FAULT, &f);
                  accel_close(h);
                  return rc;
                },
                std::chrono::seconds(10), &nobody),
            -EACCES);
}

TEST_F(RecoveryE2eTest, AccelctlMonitorPrintsWedgedAndRecovered) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  Device dev = OpenDevice();
  for (const bool json : {false, true}) {
    const std::string log = daemon_.root() + (json ? "/monitor.json" : "/monitor.txt");
    std::vector<std::string> argv = {
        ACCEL_BIN_DIR "/accelctl", "monitor", "--count", "2", "--timeout", "20"};
    if (json) argv.push_back("--json");
    std::atomic<int> status{kTimedOut};
    std::thread monitor([&] { status = RunProgram(argv, log); });
    // The monitor subscribes at some point after it starts: make transitions until it has
    // printed two of them.
    const bool printed = Eventually([&] {
      EXPECT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_WEDGE, 0, 0, "hung"), 0);
      EXPECT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RECOVER), 0);
      return status != kTimedOut;
    });
    monitor.join();
    ASSERT_TRUE(printed);
    const std::string out = ReadText(log);
    EXPECT_EQ(status, 0) << out;
    if (json) {
      EXPECT_TRUE(Contains(out, "\"action\":\"wedged\"")) << out;
      EXPECT_TRUE(Contains(out, "\"action\":\"recovered\"")) << out;
    } else {
      EXPECT_TRUE(Contains(out, "  WEDGED     accel0    dummy\n")) << out;
      EXPECT_TRUE(Contains(out, "  RECOVERED  accel0    dummy\n")) << out;
    }
  }
}

// ---- devcoredump ----------------------------------------------------------------------------

TEST_F(RecoveryE2eTest, ADevcoredumpAppearsIsReadAndIsDismissed) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy"}));
  Device dev = OpenDevice();
  EXPECT_EQ(ListDir(sys()).count("devcoredump"), 0u);
  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_COREDUMP, 100000), 0);
  EXPECT_EQ(ListDir(sys()).count("devcoredump"), 1u);
  const std::string data = sys() + "/devcoredump/data";
  struct stat st {};
  ASSERT_EQ(stat(data.c_str(), &st), 0) << std::strerror(errno);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_size, 100000);
  const std::string dump = ReadText(data);
  ASSERT_EQ(dump.size(), 100000u);
  const std::string head = "dummy devcoredump accel0\n";
  EXPECT_EQ(dump.substr(0, head.size()), head);
  for (size_t i = head.size(); i < dump.size(); i += 997)
    ASSERT_EQ(static_cast<uint8_t>(dump[i]), static_cast<uint8_t>(i - head.size())) << i;

  const Identity nobody{kNobody, kNobody, {}};
  EXPECT_EQ(RunBounded(
                [&] {
                  const int fd = open(data.c_str(), O_RDONLY);
                  if (fd >= 0) close(fd);
                  return fd < 0 ? -errno : 0;
                },
                std::chrono::seconds(10), &nobody),
            -EACCES);

  EXPECT_EQ(WriteText(data, "1\n"), 0);  // dismissed, as the kernel's devcoredump
  EXPECT_EQ(ListDir(sys()).count("devcoredump"), 0u);
  EXPECT_EQ(ReadText(data).rfind("<errno", 0), 0u);
}

TEST_F(RecoveryE2eTest, ALargeDumpIsKeptUpToItsBound) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy"}));
  Device dev = OpenDevice();
  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_COREDUMP, 20u << 20), 0);
  const std::string dump = ReadText(sys() + "/devcoredump/data");
  EXPECT_EQ(dump.size(), size_t{16} << 20);
  EXPECT_TRUE(Contains(daemon_.log(), "devcoredump of 20971520 bytes, kept the first 16777216"))
      << daemon_.log();
  // A second dump replaces the first.
  ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_COREDUMP, 64), 0);
  EXPECT_EQ(ReadText(sys() + "/devcoredump/data").size(), 64u);
}

// ---- retired pages --------------------------------------------------------------------------

// The device's retired pages, from a JSON RAS_QUERY.
std::vector<ras::RetiredPage> Pages(Device& dev) {
  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_JSON;
  if (dev.Ioctl(ACCEL_IOCTL_RAS_QUERY, q) != -ENOSPC) return {};
  std::vector<uint8_t> bytes(q.len);
  q.ptr = reinterpret_cast<uintptr_t>(bytes.data());
  q.size = q.len;
  if (dev.Ioctl(ACCEL_IOCTL_RAS_QUERY, q) != 0) return {};
  bytes.resize(q.len);
  Result<ras::Snapshot> s = ras::JsonCodec().decode(bytes);
  return s ? s->pages : std::vector<ras::RetiredPage>{};
}

TEST_F(RecoveryE2eTest, ARetiredPageIsKeptAcrossARestart) {
  const std::vector<std::string> args = {"--load", "dummy", "--no-fuse"};
  ASSERT_NO_FATAL_FAILURE(StartWith(args));
  {
    Device dev = OpenDevice();
    ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RETIRE_PAGE, ACCEL_RAS_SEV_UNCORRECTED, 0x123456), 0);
    ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RETIRE_PAGE, ACCEL_RAS_SEV_UNCORRECTED, 0x123000), 0);
    EXPECT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RETIRE_PAGE, 99, 0x5000), -EINVAL);
    std::vector<ras::RetiredPage> pages = Pages(dev);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(pages[0].address, 0x123000u);
    EXPECT_EQ(pages[0].state, ras::PageState::kPending);
  }
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(StartWith(args));  // same temp root: same --ras-db
  {
    Device dev = OpenDevice();
    std::vector<ras::RetiredPage> pages = Pages(dev);
    ASSERT_EQ(pages.size(), 1u) << daemon_.log();
    EXPECT_EQ(pages[0].address, 0x123000u);
    EXPECT_EQ(pages[0].state, ras::PageState::kPending);
    EXPECT_EQ(pages[0].cause, uint32_t{ACCEL_RAS_SEV_UNCORRECTED});
    ASSERT_EQ(Fault(dev, ACCEL_DUMMY_FAULT_RESET), 0);  // a reset retires it
    pages = Pages(dev);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(pages[0].state, ras::PageState::kRetired);
  }
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(StartWith(args));
  Device dev = OpenDevice();
  std::vector<ras::RetiredPage> pages = Pages(dev);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].state, ras::PageState::kRetired);
}

// ---- find_helper ----------------------------------------------------------------------------

TEST_F(RecoveryE2eTest, ADriverFindsItsHelperWhereItsPluginIsSearched) {
  const std::string dir = daemon_.root() + "/helpers";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/dummy-helper") << "#!/bin/sh\nexit 0\n";
  chmod((dir + "/dummy-helper").c_str(), 0755);
  std::ofstream(dir + "/not-executable") << "data\n";
  ASSERT_NO_FATAL_FAILURE(
      StartWith({"--driver-path", dir, "--load", "dummy helper=dummy-helper", "--no-fuse"}));
  EXPECT_TRUE(Contains(daemon_.log(), "helper dummy-helper at " + dir + "/dummy-helper"))
      << daemon_.log();
  ASSERT_EQ(daemon_.Stop(), 0);

  std::string out;
  EXPECT_EQ(daemon_.RunOther(
                {"--driver-path", dir, "--load", "dummy helper=not-executable", "--no-fuse"}, &out),
            1);
  EXPECT_TRUE(Contains(out, "no helper program 'not-executable'")) << out;
}

}  // namespace
}  // namespace accel::testing
