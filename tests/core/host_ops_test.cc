// Tests of the host ops and driver hooks added for vnpu (driver_abi.h "since vnpu"), called the
// way a driver calls them, against the in-process test driver: install_fd, retire_page,
// device_reset, device_coredump, device_set_wedged, find_helper; the file_rw and file_usage
// hooks through the Device methods the transports use.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/file.h"
#include "core/host_ops.h"
#include "core/registry.h"
#include "daemon/module_loader.h"
#include "test_driver.h"

namespace accel::core {
namespace {

using testing::TestHost;
using testing::TestHostOps;
using testing::TestState;

// A transport that carries descriptors: records what install_fd handed it.
class FdMemory final : public UserMemory {
 public:
  int CopyOut(uint64_t, const void*, uint32_t) override { return -EFAULT; }
  int InstallFd(int fd, uint32_t offset) override {
    installed.push_back({fd, offset});
    return 0;
  }
  std::vector<std::pair<int, uint32_t>> installed;
};

// What the daemon's RAS service would be told.
class RecordingObserver final : public RasObserver {
 public:
  void OnDeviceRegistered(Device&) override {}
  uint64_t OnRasRecorded(Device&, const ras::RecordResult&) override { return 0; }
  uint64_t OnPagesChanged(Device&, const std::vector<ras::RetiredPage>& pages) override {
    std::lock_guard lock(mu);
    changed.insert(changed.end(), pages.begin(), pages.end());
    return ++tickets;
  }
  Result<void> WaitDurable(uint64_t ticket) override {
    std::lock_guard lock(mu);
    waited.push_back(ticket);
    return {};
  }
  std::mutex mu;
  std::vector<ras::RetiredPage> changed;
  uint64_t tickets = 0;
  std::vector<uint64_t> waited;
};

class HostOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestState().reset_rc = 0;
    TestState().resets = 0;
    reg_.set_ras_observer(&observer_);
  }
  void Load(std::vector<std::string> search_path = {}) {
    testing::LoadTestDriver(reg_, "count=1", std::move(search_path));
    dev_ = reg_.Lookup(0);
    ASSERT_TRUE(dev_);
  }
  accel_device* handle() { return dev_->handle(); }
  const accel_host_ops& ops() { return *TestHostOps(); }

  RecordingObserver observer_;  // outlives the registry's devices
  Registry reg_;
  DeviceRef dev_;
  Caller root_{0, 0, 1};
};

TEST_F(HostOpsTest, TheHostOpsTableCoversEveryOpOfTheHeader) {
  EXPECT_EQ(kHostOps.struct_size, sizeof(accel_host_ops));
  EXPECT_GE(kHostOps.struct_size,
            offsetof(accel_host_ops, copy_from_user) + sizeof(kHostOps.copy_from_user));
  for (auto* op : {reinterpret_cast<const void*>(kHostOps.install_fd),
                   reinterpret_cast<const void*>(kHostOps.device_ras_retire_page),
                   reinterpret_cast<const void*>(kHostOps.device_reset),
                   reinterpret_cast<const void*>(kHostOps.device_coredump),
                   reinterpret_cast<const void*>(kHostOps.device_set_wedged),
                   reinterpret_cast<const void*>(kHostOps.find_helper),
                   reinterpret_cast<const void*>(kHostOps.device_add_attribute),
                   reinterpret_cast<const void*>(kHostOps.copy_from_user),
                   reinterpret_cast<const void*>(kHostOps.device_ras_inject)})
    EXPECT_NE(op, nullptr);
}

// ---- install_fd ------------------------------------------------------------------------------

TEST_F(HostOpsTest, InstallFdReachesTheTransportWithinTheStruct) {
  Load();
  File* f = *dev_->Open(root_);
  FdMemory mem;
  testing::test_install_fd arg{7, offsetof(testing::test_install_fd, slot), -1, 0};
  ASSERT_EQ(Dispatch(*f, root_, TEST_IOCTL_INSTALL_FD, &arg, sizeof(arg), mem), 0);
  ASSERT_EQ(mem.installed.size(), 1u);
  EXPECT_EQ(mem.installed[0].first, 7);
  EXPECT_EQ(mem.installed[0].second, offsetof(testing::test_install_fd, slot));
  // The last 4 bytes of the struct are fine; one byte further, or past it, is not.
  arg.offset = sizeof(arg) - 4;
  EXPECT_EQ(Dispatch(*f, root_, TEST_IOCTL_INSTALL_FD, &arg, sizeof(arg), mem), 0);
  for (uint32_t off : {uint32_t{sizeof(arg) - 3}, uint32_t{sizeof(arg)}, UINT32_MAX}) {
    arg.offset = off;
    EXPECT_EQ(Dispatch(*f, root_, TEST_IOCTL_INSTALL_FD, &arg, sizeof(arg), mem), -EINVAL) << off;
  }
  arg.fd = -1;
  arg.offset = 0;
  EXPECT_EQ(Dispatch(*f, root_, TEST_IOCTL_INSTALL_FD, &arg, sizeof(arg), mem), -EBADF);
  EXPECT_EQ(mem.installed.size(), 2u);
  f->Close(root_);
}

TEST_F(HostOpsTest, InstallFdWithoutDescriptorPassingIsEopnotsupp) {
  Load();
  File* f = *dev_->Open(root_);
  InProcessMemory mem;  // as FUSE: no way to hand over a descriptor
  testing::test_install_fd arg{0, 0, 0, 0};
  EXPECT_EQ(Dispatch(*f, root_, TEST_IOCTL_INSTALL_FD, &arg, sizeof(arg), mem), -EOPNOTSUPP);
  // Outside any ioctl (file_rw, file_usage, a driver thread) there is no reply to carry it.
  accel_call call{};
  call.dev = handle();
  EXPECT_EQ(ops().install_fd(&call, 0, 0), -EOPNOTSUPP);
  f->Close(root_);
}

// ---- retire_page and reset ------------------------------------------------------------------

TEST_F(HostOpsTest, RetirePageListsThePagePendingOnceAndPersistsIt) {
  Load();
  EXPECT_EQ(ops().device_ras_retire_page(handle(), 0x12345, ACCEL_RAS_SEV_UNCORRECTED), 0);
  EXPECT_EQ(ops().device_ras_retire_page(handle(), 0x12fff, ACCEL_RAS_SEV_UNCORRECTED), 0);
  EXPECT_EQ(ops().device_ras_retire_page(handle(), 0x1000, ACCEL_RAS_SEV_COUNT), -EINVAL);
  ras::Snapshot s = dev_->RasSnapshot();
  ASSERT_EQ(s.pages.size(), 1u);
  EXPECT_EQ(s.pages[0].address, 0x12000u);
  EXPECT_EQ(s.pages[0].state, ras::PageState::kPending);
  EXPECT_EQ(s.pages[0].cause, uint32_t{ACCEL_RAS_SEV_UNCORRECTED});
  ASSERT_EQ(observer_.changed.size(), 1u);  // the second call listed nothing new
  EXPECT_EQ(observer_.changed[0].address, 0x12000u);
  // The page is acknowledged like an event: waiting for durability covers its ticket.
  ASSERT_TRUE(dev_->RasWaitDurable().ok());
  ASSERT_EQ(observer_.waited.size(), 1u);
  EXPECT_EQ(observer_.waited[0], observer_.tickets);
}

// A driver without a ras_inject hook cannot be injected through the one entry either, and
// the entry refuses a call it cannot attribute to a file.
TEST_F(HostOpsTest, RasInjectEntryWithoutAHookIsEopnotsupp) {
  Load();
  File* f = *dev_->Open(root_);
  accel_call call{};
  call.dev = handle();
  EXPECT_EQ(ops().device_ras_inject(&call, 0, 0, 1, 0, 0), -EINVAL);  // no file
  call.file = reinterpret_cast<accel_file*>(f);
  EXPECT_EQ(ops().device_ras_inject(&call, 0, 0, 1, 0, 0), -EINVAL);  // no component at all
  EXPECT_EQ(ops().device_ras_inject(nullptr, 0, 0, 1, 0, 0), -EINVAL);
  f->Close(root_);
}

TEST_F(HostOpsTest, RetirePageIsEnospcWhenTheListIsFull) {
  Load();
  for (uint64_t i = 0; i < ras::kMaxPages; ++i)
    ASSERT_EQ(ops().device_ras_retire_page(handle(), i << 12, ACCEL_RAS_SEV_FATAL), 0) << i;
  EXPECT_EQ(ops().device_ras_retire_page(handle(), uint64_t{ras::kMaxPages} << 12, 0), -ENOSPC);
  EXPECT_EQ(ops().device_ras_retire_page(handle(), 0x3000, 0), 0);  // already listed
}

TEST_F(HostOpsTest, DeviceResetRunsTheHookThenRetiresPendingPages) {
  Load();
  ASSERT_EQ(ops().device_ras_retire_page(handle(), 0x5000, ACCEL_RAS_SEV_UNCORRECTED), 0);
  TestState().reset_rc = -EIO;  // a failed reset retires nothing
  EXPECT_EQ(ops().device_reset(handle()), -EIO);
  EXPECT_EQ(dev_->RasSnapshot().pages[0].state, ras::PageState::kPending);
  TestState().reset_rc = 0;
  EXPECT_EQ(ops().device_reset(handle()), 0);
  EXPECT_EQ(TestState().resets.load(), 2);
  EXPECT_EQ(dev_->RasSnapshot().pages[0].state, ras::PageState::kRetired);
  ASSERT_EQ(observer_.changed.size(), 2u);  // listed, then retired
  EXPECT_EQ(observer_.changed[1].state, ras::PageState::kRetired);
  dev_->Unplug();
  EXPECT_EQ(ops().device_reset(handle()), -ENODEV);
}

// ---- devcoredump ----------------------------------------------------------------------------

TEST_F(HostOpsTest, CoredumpIsKeptReplacedAndDismissed) {
  Load();
  EXPECT_EQ(dev_->coredump(), nullptr);
  const std::string first = "first dump", second = "second, longer dump";
  ops().device_coredump(handle(), first.data(), static_cast<uint32_t>(first.size()));
  std::shared_ptr<const Device::Coredump> d = dev_->coredump();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(std::string(d->data.begin(), d->data.end()), first);
  EXPECT_GT(d->timestamp_ns, 0u);
  ops().device_coredump(handle(), second.data(), static_cast<uint32_t>(second.size()));
  EXPECT_EQ(std::string(dev_->coredump()->data.begin(), dev_->coredump()->data.end()), second);
  // A reader holding the old dump still has it whole.
  EXPECT_EQ(std::string(d->data.begin(), d->data.end()), first);
  dev_->DismissCoredump();
  EXPECT_EQ(dev_->coredump(), nullptr);
  ops().device_coredump(handle(), nullptr, 5);  // nonsense from a driver changes nothing
  EXPECT_EQ(dev_->coredump(), nullptr);
}

TEST_F(HostOpsTest, CoredumpBeyondTheBoundIsCutOff) {
  Load();
  std::vector<uint8_t> big(Device::kMaxCoredump + 4096, 0xab);
  big[Device::kMaxCoredump - 1] = 0x5a;
  ops().device_coredump(handle(), big.data(), static_cast<uint32_t>(big.size()));
  std::shared_ptr<const Device::Coredump> d = dev_->coredump();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->data.size(), Device::kMaxCoredump);
  EXPECT_EQ(d->original_size, big.size());
  EXPECT_EQ(d->data.back(), 0x5a);
}

// ---- wedged ---------------------------------------------------------------------------------

TEST_F(HostOpsTest, OnlyWedgedTransitionsReachTheMonitors) {
  Load();
  std::mutex mu;
  std::vector<DeviceEvent> seen;
  const uint64_t sub = reg_.Subscribe([&](DeviceEvent e, const Device&) {
    std::lock_guard lock(mu);
    seen.push_back(e);
  });
  EXPECT_FALSE(dev_->wedged().wedged);
  ops().device_set_wedged(handle(), 1, "firmware stopped\nanswering");
  ops().device_set_wedged(handle(), 1, "still stuck");  // no transition
  Device::WedgedState w = dev_->wedged();
  EXPECT_TRUE(w.wedged);
  EXPECT_EQ(w.reason, "still stuck");
  ops().device_set_wedged(handle(), 0, nullptr);
  ops().device_set_wedged(handle(), 0, "ignored");
  w = dev_->wedged();
  EXPECT_FALSE(w.wedged);
  EXPECT_EQ(w.reason, "");
  ops().device_set_wedged(handle(), 1, nullptr);
  reg_.Unsubscribe(sub);
  EXPECT_EQ(seen, (std::vector<DeviceEvent>{DeviceEvent::kWedged, DeviceEvent::kRecovered,
                                            DeviceEvent::kWedged}));
}

TEST_F(HostOpsTest, AWedgedReasonStaysOnOneLine) {
  Load();
  ops().device_set_wedged(handle(), 1, "line one\nline two\r\n");
  EXPECT_EQ(dev_->wedged().reason, "line one line two  ");
  const std::string longer(2000, 'x');
  ops().device_set_wedged(handle(), 1, longer.c_str());
  EXPECT_LT(dev_->wedged().reason.size(), 1000u);
}

// ---- find_helper ----------------------------------------------------------------------------

class FindHelperTest : public HostOpsTest {
 protected:
  void SetUp() override {
    HostOpsTest::SetUp();
    char tmpl[] = "/tmp/accel-find-helper-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_dir_ = tmpl;
    for (const char* d : {"/a", "/b", "/b/subdir"})
      std::filesystem::create_directories(root_dir_ + d);
    MakeFile("/a/plain", 0644);  // not executable
    MakeFile("/b/plain", 0755);  // the first executable one wins
    MakeFile("/b/helper", 0755);
    MakeFile("/a/helper", 0700);  // earlier directory: found first
  }
  void TearDown() override { std::filesystem::remove_all(root_dir_); }
  void MakeFile(const std::string& rel, mode_t mode) {
    std::ofstream(root_dir_ + rel) << "#!/bin/sh\n";
    chmod((root_dir_ + rel).c_str(), mode);
  }
  int Find(const char* name, std::string* out, uint32_t size = 4096) {
    std::vector<char> buf(size + 1, '@');
    int rc = ops().find_helper(TestHost(), name, buf.data(), size);
    if (rc == 0) *out = buf.data();
    return rc;
  }
  std::string root_dir_;
};

TEST_F(FindHelperTest, SearchesThePluginDirectoriesInOrder) {
  Load({root_dir_ + "/missing", root_dir_ + "/a", root_dir_ + "/b"});
  std::string path;
  ASSERT_EQ(Find("helper", &path), 0);
  EXPECT_EQ(path, root_dir_ + "/a/helper");
  ASSERT_EQ(Find("plain", &path), 0);
  EXPECT_EQ(path, root_dir_ + "/b/plain");
  EXPECT_EQ(Find("subdir", &path), -ENOENT);  // a directory is no program
  EXPECT_EQ(Find("absent", &path), -ENOENT);
}

TEST_F(FindHelperTest, RefusesPathsAndReportsAShortBuffer) {
  Load({root_dir_ + "/a"});
  std::string path;
  for (const char* bad : {"", ".", "..", "a/helper", "/bin/sh", "../a/helper"})
    EXPECT_EQ(Find(bad, &path), -EINVAL) << bad;
  const std::string want = root_dir_ + "/a/helper";
  EXPECT_EQ(Find("helper", &path, static_cast<uint32_t>(want.size())), -ENAMETOOLONG);
  ASSERT_EQ(Find("helper", &path, static_cast<uint32_t>(want.size() + 1)), 0);
  EXPECT_EQ(path, want);
  EXPECT_EQ(ops().find_helper(TestHost(), nullptr, nullptr, 0), -EINVAL);
}

TEST_F(FindHelperTest, AnInProcessDriverWithoutAPathFindsNothing) {
  Load();
  std::string path;
  EXPECT_EQ(Find("helper", &path), -ENOENT);
}

TEST_F(FindHelperTest, ModuleLoaderGivesDriversItsSearchPath) {
  // The static search is what the loader hands a plugin; checked here without dlopen.
  Result<std::string> p = daemon::ModuleLoader::FindHelper({root_dir_ + "/b"}, "helper");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, root_dir_ + "/b/helper");
  EXPECT_EQ(daemon::ModuleLoader::FindHelper({}, "helper").error(), -ENOENT);
}

// ---- file_rw --------------------------------------------------------------------------------

TEST_F(HostOpsTest, FileReadWriteReachesTheDriverAtFakeOffsetsOnly) {
  Load();
  File* f = *dev_->Open(root_);
  File* other = *dev_->Open(root_);
  const uint64_t base = testing::kTestRwOffset;
  char buf[128] = "hello, buffer";
  Result<uint32_t> n = dev_->FileReadWrite(*f, root_, base + 8, buf, 13, true);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 13u);
  char back[128] = {};
  n = dev_->FileReadWrite(*f, root_, base, back, sizeof(back), false);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, testing::kTestRwSize);  // short: the object ends
  EXPECT_EQ(std::string(back + 8, 13), "hello, buffer");
  n = dev_->FileReadWrite(*other, root_, base + 8, back, 13, false);  // per file
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(back, 13), std::string(13, '\0'));
  n = dev_->FileReadWrite(*f, root_, base + testing::kTestRwSize, back, 8, false);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);  // the end
  EXPECT_EQ(dev_->FileReadWrite(*f, root_, base + 4096, back, 8, false).error(), -EINVAL);
  // Below 2^32 is the staged payload, at 2^62 and above its segments: never the driver's.
  EXPECT_EQ(dev_->FileReadWrite(*f, root_, base - 1, back, 8, false).error(), -EINVAL);
  EXPECT_EQ(dev_->FileReadWrite(*f, root_, Device::kFileRwEnd, back, 8, false).error(), -EINVAL);
  dev_->Unplug();
  EXPECT_EQ(dev_->FileReadWrite(*f, root_, base, back, 8, false).error(), -ENODEV);
  f->Close(root_);
  other->Close(root_);
}

// A plugin built before the vnpu hooks: its table ends before file_rw, so the core must not
// read them (they would be whatever follows the table in the plugin's memory).
accel_driver OlderTable() {
  accel_driver t = *testing::TestDriverTable();
  t.name = "olddrv";
  t.struct_size = offsetof(accel_driver, file_rw);
  return t;
}

TEST_F(HostOpsTest, HooksPastAnOlderTablesSizeAreNotUsed) {
  static const accel_driver older = OlderTable();
  std::string why;
  Result<Driver*> d = Driver::Create(&older, &reg_, &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ((*d)->file_rw_hook(), nullptr);
  EXPECT_EQ((*d)->file_usage_hook(), nullptr);
  EXPECT_NE((*d)->reset_hook(), nullptr);
  ASSERT_TRUE(reg_.AddDriver(std::unique_ptr<Driver>(*d), "count=1", &why)) << why;
  DeviceRef dev = reg_.Lookup(0);
  File* f = *dev->Open(root_);
  char buf[8];
  EXPECT_EQ(dev->FileReadWrite(*f, root_, testing::kTestRwOffset, buf, 8, false).error(), -EINVAL);
  Result<std::vector<std::string>> usage = dev->ClientUsage(root_);
  ASSERT_TRUE(usage);
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ((*usage)[0].find("drm-engine"), std::string::npos);  // the core's keys only
  EXPECT_NE((*usage)[0].find("drm-driver:\tolddrv\n"), std::string::npos);
  f->Close(root_);
}

// ---- file_usage (fdinfo) --------------------------------------------------------------------

TEST_F(HostOpsTest, ClientUsageIsOneBlockPerFileTheViewerMaySee) {
  Load();
  const Caller alice{1000, 1000, 4242};
  File* mine = *dev_->Open(alice);
  File* roots = *dev_->Open(root_);
  Result<std::vector<std::string>> all = dev_->ClientUsage(root_);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  const std::string expected =
      "drm-driver:\ttestdrv\n"
      "drm-client-id:\t" +
      std::to_string(mine->client_id()) +
      "\n"
      "drm-pdev:\ttest:0\n"
      "accel-pid:\t4242\n"
      "accel-uid:\t1000\n"
      "drm-engine-test:\t1234 ns\n"
      "drm-total-test:\t4 KiB\n";  // the blank line dropped, \n added
  EXPECT_EQ((*all)[0], expected);
  Result<std::vector<std::string>> own = dev_->ClientUsage(alice);
  ASSERT_TRUE(own);
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ((*own)[0], expected);
  EXPECT_TRUE(dev_->ClientUsage(Caller{2000, 2000, 1})->empty());
  roots->Close(root_);
  mine->Close(alice);
  EXPECT_TRUE(dev_->ClientUsage(root_)->empty());
  dev_->Unplug();
  EXPECT_EQ(dev_->ClientUsage(root_).error(), -ENODEV);
}

}  // namespace
}  // namespace accel::core
