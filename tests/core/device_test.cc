// Tests of Device lifetime: register/unplug/release, enter/exit, sleepers woken by unplug,
// open files across a forced driver removal.
#include "core/device.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

#include "core/dispatch.h"
#include "core/file.h"
#include "core/registry.h"
#include "test_driver.h"

namespace accel::core {
namespace {

using testing::TestState;

void WaitFor(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(pred());
}

class DeviceTest : public ::testing::Test {
 protected:
  void SetUp() override { TestState().wake_flag = false; }
  Registry reg_;
  Caller root_{0, 0, 1};
  InProcessMemory mem_;
};

TEST_F(DeviceTest, RegisterGivesConsecutiveMinorsAndNames) {
  testing::LoadTestDriver(reg_, "count=3");
  std::vector<DeviceSummary> list = reg_.List();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "accel0");
  EXPECT_EQ(list[2].name, "accel2");
  EXPECT_EQ(list[1].driver, "testdrv");
}

TEST_F(DeviceTest, LookupNameValidatesNames) {
  testing::LoadTestDriver(reg_);
  EXPECT_TRUE(reg_.LookupName("accel0").ok());
  EXPECT_EQ(reg_.LookupName("accel1").error(), -ENODEV);
  EXPECT_EQ(reg_.LookupName("accel").error(), -EINVAL);
  EXPECT_EQ(reg_.LookupName("accel01").error(), -EINVAL);
  EXPECT_EQ(reg_.LookupName("card0").error(), -EINVAL);
  EXPECT_EQ(reg_.LookupName("accel-1").error(), -EINVAL);
  EXPECT_EQ(reg_.LookupName("accel99999").error(), -EINVAL);
}

TEST_F(DeviceTest, UnplugWakesSleeperWithEnodev) {
  testing::LoadTestDriver(reg_);
  DeviceRef dev = reg_.Lookup(0);
  File* f = *dev->Open(root_);
  std::atomic<int> rc{1};
  std::thread sleeper([&] {
    testing::test_sleep s{0, 0};  // no timeout: only a wake or unplug ends it
    rc = Dispatch(*f, root_, TEST_IOCTL_SLEEP, &s, sizeof(s), mem_);
  });
  WaitFor([] { return TestState().sleepers.load() == 1; });
  dev->Unplug();  // returns only after the sleeper has left the driver
  EXPECT_EQ(TestState().sleepers.load(), 0);
  sleeper.join();
  EXPECT_EQ(rc.load(), -ENODEV);
  f->Close(root_);  // closing after unplug works
}

TEST_F(DeviceTest, SleepTimesOutWithEtime) {
  testing::LoadTestDriver(reg_);
  DeviceRef dev = reg_.Lookup(0);
  File* f = *dev->Open(root_);
  testing::test_sleep s{20, 0};
  EXPECT_EQ(Dispatch(*f, root_, TEST_IOCTL_SLEEP, &s, sizeof(s), mem_), -ETIME);
  f->Close(root_);
}

TEST_F(DeviceTest, InterruptWakesSleeperWithEintr) {
  testing::LoadTestDriver(reg_);
  DeviceRef dev = reg_.Lookup(0);
  File* f = *dev->Open(root_);
  std::atomic<int> rc{1};
  std::thread sleeper([&] {
    testing::test_sleep s{0, 0};
    rc = Dispatch(*f, root_, TEST_IOCTL_SLEEP, &s, sizeof(s), mem_);
  });
  WaitFor([] { return TestState().sleepers.load() == 1; });
  f->Interrupt();
  sleeper.join();
  EXPECT_EQ(rc.load(), -EINTR);
  f->Close(root_);
}

TEST_F(DeviceTest, UnplugWaitsForCallsInFlight) {
  testing::LoadTestDriver(reg_);
  DeviceRef dev = reg_.Lookup(0);
  ASSERT_TRUE(dev->Enter());  // a call in flight
  std::atomic<bool> unplugged{false};
  std::thread t([&] {
    dev->Unplug();
    unplugged = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(unplugged.load());
  EXPECT_FALSE(dev->Enter());  // new calls are refused meanwhile
  dev->Exit();
  t.join();
  EXPECT_TRUE(unplugged.load());
}

TEST_F(DeviceTest, OpenAfterUnplugIsEnodev) {
  testing::LoadTestDriver(reg_);
  DeviceRef dev = reg_.Lookup(0);
  dev->Unplug();
  EXPECT_EQ(dev->Open(root_).error(), -ENODEV);
}

TEST_F(DeviceTest, RemoveDriverWithOpenFileIsEbusyUnlessForced) {
  testing::LoadTestDriver(reg_);
  const int postcloses = TestState().postcloses;
  const int releases = TestState().releases;
  File* f = *reg_.Lookup(0)->Open(root_);
  EXPECT_EQ(reg_.RemoveDriver("testdrv", false).error(), -EBUSY);
  ASSERT_TRUE(reg_.RemoveDriver("testdrv", true).ok());
  // Forced: the driver's per-file state was torn down during the removal...
  EXPECT_EQ(TestState().postcloses, postcloses + 1);
  EXPECT_EQ(TestState().releases, releases + 1);
  // ...and the file only answers -ENODEV, then closes without calling the driver again.
  accel_version v{};
  EXPECT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_VERSION, &v, sizeof(v), mem_), -ENODEV);
  f->Close(root_);
  EXPECT_EQ(TestState().postcloses, postcloses + 1);
  EXPECT_TRUE(reg_.List().empty());
}

TEST_F(DeviceTest, CloseRunsPostcloseOnce) {
  testing::LoadTestDriver(reg_);
  const int before = TestState().postcloses;
  File* f = *reg_.Lookup(0)->Open(root_);
  f->Close(root_);
  EXPECT_EQ(TestState().postcloses, before + 1);
}

TEST_F(DeviceTest, SecondDriverWithSameNameIsEexist) {
  testing::LoadTestDriver(reg_);
  std::string why;
  Result<Driver*> d = Driver::Create(testing::TestDriverTable(), &reg_, &why);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(reg_.AddDriver(std::unique_ptr<Driver>(*d), "", &why).error(), -EEXIST);
}

TEST_F(DeviceTest, MinorsAreReusedAfterRemoval) {
  testing::LoadTestDriver(reg_, "count=2");
  ASSERT_TRUE(reg_.RemoveDriver("testdrv", false).ok());
  testing::LoadTestDriver(reg_, "count=1");
  ASSERT_EQ(reg_.List().size(), 1u);
  EXPECT_EQ(reg_.List()[0].minor, 0u);
}

TEST_F(DeviceTest, DriverTableValidation) {
  accel_driver bad = *testing::TestDriverTable();
  std::string why;
  bad.abi_version = 99;
  EXPECT_EQ(Driver::Create(&bad, &reg_, &why).error(), -EINVAL);
  EXPECT_NE(why.find("ABI"), std::string::npos);
  bad = *testing::TestDriverTable();
  bad.name = "bad/name";
  EXPECT_EQ(Driver::Create(&bad, &reg_, &why).error(), -EINVAL);
  static const accel_ioctl_desc generic_nr[] = {{ACCEL_IOCTL_VERSION, 0, 0, 0, nullptr}};
  bad = *testing::TestDriverTable();
  bad.ioctls = generic_nr;
  bad.num_ioctls = 1;
  EXPECT_EQ(Driver::Create(&bad, &reg_, &why).error(), -EINVAL);
}

}  // namespace
}  // namespace accel::core
