// Tests of ModuleLoader with the real dummy plugin: load, use, unload, and that dlclose()
// really unmaps the object (/proc/self/maps), as rmmod removes a module.
#include "daemon/module_loader.h"

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "core/device_attributes.h"
#include "core/dispatch.h"
#include "core/file.h"
#include "core/ras_counters.h"
#include "core/ras_observer.h"
#include "core/registry.h"
#include "ras/codec_table.h"
#include "ras/codecs/key_val_32/key_val_32_codec.h"

namespace accel::daemon {
namespace {

using core::Caller;
using core::Dispatch;
using core::File;
using core::InProcessMemory;

bool MappedInThisProcess(const std::string& needle) {
  std::ifstream maps("/proc/self/maps");
  std::stringstream ss;
  ss << maps.rdbuf();
  return ss.str().find(needle) != std::string::npos;
}

class ModuleLoaderTest : public ::testing::Test {
 protected:
  core::Registry reg_;
  ModuleLoader loader_{reg_, {ACCEL_PLUGIN_DIR}};
  Caller root_{0, 0, 1};
  InProcessMemory mem_;
};

TEST_F(ModuleLoaderTest, LoadCreatesCountDevicesAndUnloadUnmapsTheObject) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "count=3", &why).ok()) << why;
  EXPECT_TRUE(MappedInThisProcess("/dummy.so"));
  EXPECT_EQ(reg_.List().size(), 3u);
  ASSERT_TRUE(loader_.Unload("dummy", false).ok());
  EXPECT_TRUE(reg_.List().empty());
  EXPECT_FALSE(MappedInThisProcess("/dummy.so"));
}

// The durability the daemon's RAS service would give: each recorded batch gets a ticket, and
// the tickets waited for are kept, so a test sees who waited for what.
class TicketObserver final : public core::RasObserver {
 public:
  void OnDeviceRegistered(core::Device&) override {}
  uint64_t OnRasRecorded(core::Device&, const ras::RecordResult&) override {
    std::lock_guard lock(mu);
    return ++issued;
  }
  uint64_t OnPagesChanged(core::Device&, const std::vector<ras::RetiredPage>&) override {
    std::lock_guard lock(mu);
    return ++issued;
  }
  Result<void> WaitDurable(uint64_t ticket) override {
    std::lock_guard lock(mu);
    waited.push_back(ticket);
    return {};
  }
  std::mutex mu;
  uint64_t issued = 0;
  std::vector<uint64_t> waited;
};

// The seed's ACCEL_DUMMY_RAS_INJECT is the same injection as the generic RAS_INJECT and goes
// through the core's one entry (device_ras_inject): the core's range checks answer it, and it
// returns only once the event is durable. Before, the dummy checked ranges itself and returned
// before the store had the event.
TEST_F(ModuleLoaderTest, DummysOwnInjectGoesThroughTheCoresOneEntry) {
  TicketObserver observer;
  core::Registry reg;
  reg.set_ras_observer(&observer);
  ModuleLoader loader{reg, {ACCEL_PLUGIN_DIR}};
  std::string why;
  ASSERT_TRUE(loader.Load("dummy", "count=1", &why).ok()) << why;
  File* f = *reg.Lookup(0)->Open(root_);
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_SRAM, ACCEL_RAS_SEV_CORRECTED, 2, 0};
  ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), 0);
  {
    std::lock_guard lock(observer.mu);
    ASSERT_EQ(observer.waited.size(), 1u) << "the inject did not wait for durability";
    EXPECT_EQ(observer.waited[0], observer.issued);
  }
  // Out of range: the core's check, for the driver's command as for the generic one.
  for (accel_dummy_ras_inject bad :
       {accel_dummy_ras_inject{ACCEL_DUMMY_NUM_COMPONENTS, 0, 1, 0},
        accel_dummy_ras_inject{0, ACCEL_RAS_SEV_COUNT, 1, 0}, accel_dummy_ras_inject{0, 0, 0, 0}}) {
    EXPECT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &bad, sizeof(bad), mem_), -EINVAL);
    accel_ras_inject generic{};
    generic.component = bad.component;
    generic.severity = bad.severity;
    generic.count = bad.count;
    EXPECT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_RAS_INJECT, &generic, sizeof(generic), mem_),
              -EINVAL);
  }
  std::lock_guard lock(observer.mu);
  EXPECT_EQ(observer.waited.size(), 1u);
  EXPECT_EQ(reg.Lookup(0)->RasSnapshot().counters.size() > 0, true);
  f->Close(root_);
  ASSERT_TRUE(loader.Unload("dummy", true).ok());
}

// Issue 12 A5: a device outlives its driver's unload (an open file, a DeviceRef queued by the
// RAS service), and the plugin is dlclose()d by then. Every path into the driver must go
// through Enter() and fail with -ENODEV; what the device shows of itself (its driver's name,
// its identity and RAS state) it keeps itself. The old code read the freed Driver here (ASan:
// heap-use-after-free in RasIdentity, RasReset, RasInject, ReadRasCounters).
TEST_F(ModuleLoaderTest, ADeviceThatOutlivesItsDriverNeverCallsIntoIt) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "count=1", &why).ok()) << why;
  core::DeviceRef dev = reg_.Lookup(0);
  ASSERT_TRUE(dev);
  File* f = *dev->Open(root_);
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_SRAM, ACCEL_RAS_SEV_CORRECTED, 2, 0};
  ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), 0);
  ASSERT_TRUE(loader_.Unload("dummy", /*force=*/true).ok());
  ASSERT_FALSE(MappedInThisProcess("/dummy.so"));  // nothing of the plugin is left to call

  EXPECT_EQ(dev->driver_name(), "dummy");
  EXPECT_EQ(dev->RasIdentity().driver, "dummy");
  const ras::Snapshot s = dev->RasSnapshot();
  uint64_t sram = 0;
  for (const ras::Counter& c : s.counters)
    if (c.component == ACCEL_DUMMY_COMPONENT_SRAM && c.severity == ACCEL_RAS_SEV_CORRECTED)
      sram = c.aggregate_count;
  EXPECT_EQ(sram, 2u);  // the state stays readable
  EXPECT_EQ(dev->RasReset().error(), -ENODEV);
  EXPECT_EQ(dev->RasInject(root_, f, 0, 0, 1, std::nullopt).error(), -ENODEV);
  EXPECT_EQ(dev->RasClear().error(), -ENODEV);
  EXPECT_EQ(core::ReadRasCounters(*dev.get()).error(), -ENODEV);
  EXPECT_EQ(dev->ClientUsage(root_).error(), -ENODEV);
  EXPECT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), -ENODEV);
  accel_version v{};
  EXPECT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_VERSION, &v, sizeof(v), mem_), -ENODEV);
  EXPECT_TRUE(dev->RasWaitDurable().ok());
  f->Close(root_);  // detached: no postclose into the closed plugin
}

TEST_F(ModuleLoaderTest, DefaultCountIsOne) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "", &why).ok()) << why;
  EXPECT_EQ(reg_.List().size(), 1u);
}

TEST_F(ModuleLoaderTest, DummyAnswersGenericAndDriverCommands) {
  // The dummy leaves encoding to the RAS framework: give the core the one codec used here.
  const ras::Codec* kv32[] = {&ras::KeyVal32Codec()};
  ras::SetCodecs(kv32);
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "count=1", &why).ok()) << why;
  File* f = *reg_.Lookup(0)->Open(root_);
  accel_version v{};
  ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_VERSION, &v, sizeof(v), mem_), 0);
  EXPECT_STREQ(v.name, "dummy");
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_SRAM, ACCEL_RAS_SEV_UNCORRECTED, 3, 0};
  ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), 0);
  Caller user{1000, 1000, 5};
  EXPECT_EQ(Dispatch(*f, user, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), -EACCES);
  std::vector<accel_ras_kv32> kv(64);
  accel_ras_query q{ACCEL_RAS_FMT_KEY_VAL_32,
                    0,
                    reinterpret_cast<uintptr_t>(kv.data()),
                    static_cast<uint32_t>(kv.size() * sizeof(kv[0])),
                    0,
                    0,
                    0};
  ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_RAS_QUERY, &q, sizeof(q), mem_), 0);
  bool found = false;
  for (size_t i = 0; i < q.len / sizeof(accel_ras_kv32); ++i) {
    if (kv[i].key == ACCEL_RAS_KV32_KEY(ACCEL_DUMMY_COMPONENT_SRAM, ACCEL_RAS_SEV_UNCORRECTED,
                                        ACCEL_RAS_CTR_VOLATILE)) {
      EXPECT_EQ(kv[i].value, 3u);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  f->Close(root_);
}

TEST_F(ModuleLoaderTest, InjectionQueuesAnEventOnEveryOpenFile) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "", &why).ok()) << why;
  File* a = *reg_.Lookup(0)->Open(root_);
  File* b = *reg_.Lookup(0)->Open(root_);
  accel_ras_event ev{};
  EXPECT_EQ(Dispatch(*a, root_, ACCEL_IOCTL_RAS_EVENT_READ, &ev, sizeof(ev), mem_), -EAGAIN);
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_FW, ACCEL_RAS_SEV_DEFERRED, 2, 0};
  ASSERT_EQ(Dispatch(*a, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), 0);
  for (File* f : {a, b}) {
    ASSERT_TRUE(f->HasEvent());
    ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_RAS_EVENT_READ, &ev, sizeof(ev), mem_), 0);
    EXPECT_EQ(ev.seqno, 1u);
    EXPECT_EQ(ev.component, static_cast<uint32_t>(ACCEL_DUMMY_COMPONENT_FW));
    EXPECT_STREQ(ev.component_name, "fw");
    EXPECT_EQ(ev.severity, static_cast<uint32_t>(ACCEL_RAS_SEV_DEFERRED));
    EXPECT_EQ(ev.count, 2u);
    EXPECT_EQ(ev.lost, 0u);
    EXPECT_GT(ev.timestamp_ns, 0u);
    EXPECT_FALSE(f->HasEvent());
  }
  a->Close(root_);
  b->Close(root_);
}

TEST_F(ModuleLoaderTest, EventQueueOverflowIsCountedNotSilent) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "", &why).ok()) << why;
  File* f = *reg_.Lookup(0)->Open(root_);
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_SRAM, ACCEL_RAS_SEV_CORRECTED, 1, 0};
  const int extra = 10;
  for (int i = 0; i < ACCEL_RAS_EVENT_QUEUE_LEN + extra; ++i)
    ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj, sizeof(inj), mem_), 0);
  accel_ras_event ev{};
  ASSERT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_RAS_EVENT_READ, &ev, sizeof(ev), mem_), 0);
  EXPECT_EQ(ev.lost, static_cast<uint32_t>(extra));  // the oldest were dropped and counted
  EXPECT_EQ(ev.seqno, static_cast<uint64_t>(extra) + 1);
  int left = 1;
  while (Dispatch(*f, root_, ACCEL_IOCTL_RAS_EVENT_READ, &ev, sizeof(ev), mem_) == 0) {
    EXPECT_EQ(ev.lost, 0u);
    ++left;
  }
  EXPECT_EQ(left, ACCEL_RAS_EVENT_QUEUE_LEN);
  f->Close(root_);
}

TEST_F(ModuleLoaderTest, UnknownDriverIsEnoentWithTheSearchPathInTheReason) {
  std::string why;
  EXPECT_EQ(loader_.Load("nosuchdriver", "", &why).error(), -ENOENT);
  EXPECT_NE(why.find(ACCEL_PLUGIN_DIR), std::string::npos);
}

TEST_F(ModuleLoaderTest, PathLikeNamesAreRefused) {
  std::string why;
  EXPECT_EQ(loader_.Load("../drivers/dummy", "", &why).error(), -EINVAL);
  EXPECT_EQ(loader_.Load("", "", &why).error(), -EINVAL);
}

TEST_F(ModuleLoaderTest, BadArgumentsAreEinvalAndLeaveNothingBehind) {
  std::string why;
  EXPECT_EQ(loader_.Load("dummy", "count=0", &why).error(), -EINVAL);
  EXPECT_EQ(loader_.Load("dummy", "colour=blue", &why).error(), -EINVAL);
  EXPECT_TRUE(reg_.List().empty());
  EXPECT_FALSE(MappedInThisProcess("/dummy.so"));
}

TEST_F(ModuleLoaderTest, DoubleLoadIsEexistAndUnloadOfUnknownIsEnoent) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "", &why).ok());
  EXPECT_EQ(loader_.Load("dummy", "", &why).error(), -EEXIST);
  EXPECT_EQ(reg_.List().size(), 1u);
  EXPECT_EQ(loader_.Unload("other", false).error(), -ENOENT);
}

TEST_F(ModuleLoaderTest, ForcedUnloadUnderOpenFileUnmapsAndFileGetsEnodev) {
  std::string why;
  ASSERT_TRUE(loader_.Load("dummy", "", &why).ok());
  File* f = *reg_.Lookup(0)->Open(root_);
  EXPECT_EQ(loader_.Unload("dummy", false).error(), -EBUSY);
  ASSERT_TRUE(loader_.Unload("dummy", true).ok());
  EXPECT_FALSE(MappedInThisProcess("/dummy.so"));
  accel_version v{};
  EXPECT_EQ(Dispatch(*f, root_, ACCEL_IOCTL_VERSION, &v, sizeof(v), mem_), -ENODEV);
  f->Close(root_);  // no driver code runs: the object is gone
}

TEST_F(ModuleLoaderTest, DriverPathEnvironmentIsSearchedFirst) {
  setenv("ACCEL_DRIVER_PATH", "/nonexistent:" ACCEL_PLUGIN_DIR, 1);
  std::vector<std::string> path = ModuleLoader::DefaultSearchPath();
  unsetenv("ACCEL_DRIVER_PATH");
  ASSERT_GE(path.size(), 3u);
  EXPECT_EQ(path[0], "/nonexistent");
  EXPECT_EQ(path[1], ACCEL_PLUGIN_DIR);
  EXPECT_NE(path.back().find("/../lib/accel/drivers"), std::string::npos);
}

}  // namespace
}  // namespace accel::daemon
