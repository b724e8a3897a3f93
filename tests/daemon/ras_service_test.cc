// Tests of the RAS service's threshold action worker with the real dummy plugin: the queue is
// bounded and counts what it drops, a trigger that outlives its timeout is killed with its
// process group, and shutdown does not wait for a trigger (issue 12 A11).
#include "daemon/ras_service.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/registry.h"
#include "daemon/module_loader.h"

namespace accel::ras {
namespace {

// A trigger that records its pid and then sleeps far past any timeout used here.
class TriggerScript {
 public:
  TriggerScript() {
    char tmpl[] = "/tmp/accel-ras-service-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/trigger.sh";
    std::ofstream(path_) << "#!/bin/sh\necho $$ >> " << pids_path() << "\nexec sleep 60\n";
    chmod(path_.c_str(), 0755);
  }
  ~TriggerScript() {
    for (pid_t p : Pids()) kill(p, SIGKILL);  // in case a test failed before the service did
    std::remove(pids_path().c_str());
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  std::string pids_path() const { return dir_ + "/pids"; }
  std::vector<pid_t> Pids() const {
    std::vector<pid_t> out;
    std::ifstream in(pids_path());
    for (pid_t p; in >> p;) out.push_back(p);
    return out;
  }

 private:
  std::string dir_, path_;
};

bool Gone(pid_t pid) {
  return kill(pid, 0) < 0 && errno == ESRCH;
}

// Polls `done` for up to 20 s (the checks here take well under 2 s when they pass).
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

ThresholdRule TriggerRule(const std::string& command) {
  ThresholdRule r;
  r.component = "sram";
  r.severity = ACCEL_RAS_SEV_CORRECTED;
  r.count = 1;
  r.action = ThresholdAction::kTrigger;
  r.command = command;
  return r;
}

Event SramError() {
  Event e;
  e.component = ACCEL_DUMMY_COMPONENT_SRAM;
  e.severity = ACCEL_RAS_SEV_CORRECTED;
  e.code = 1;
  e.count = 1;
  e.message = "test";
  return e;
}

class RasServiceActionsTest : public ::testing::Test {
 protected:
  void Start(ActionOptions opts) {
    service_ = std::make_unique<RasService>(
        reg_, nullptr, std::vector<ThresholdRule>{TriggerRule(script_.path())}, opts);
    reg_.set_ras_observer(service_.get());
    std::string why;
    ASSERT_TRUE(loader_.Load("dummy", "count=1", &why).ok()) << why;
    dev_ = reg_.Lookup(0);
    ASSERT_TRUE(dev_);
  }
  void TearDown() override {
    if (service_) service_->Shutdown();
    dev_ = core::DeviceRef();
    loader_.UnloadAll();
    reg_.set_ras_observer(nullptr);
  }

  TriggerScript script_;
  core::Registry reg_;
  daemon::ModuleLoader loader_{reg_, {ACCEL_PLUGIN_DIR}};
  std::unique_ptr<RasService> service_;
  core::DeviceRef dev_;
};

// 20 crossings while the first trigger sleeps: 4 wait, the rest are dropped and counted (the
// old queue held all 20 and ran them one after another, each for as long as it liked); each
// trigger is killed, with its process, at the 300 ms timeout.
TEST_F(RasServiceActionsTest, TheQueueIsBoundedAndTriggersTimeOut) {
  Start(ActionOptions{4, 300});
  constexpr uint64_t kCrossings = 20;
  for (uint64_t i = 0; i < kCrossings; ++i) ASSERT_TRUE(dev_->RasReport(SramError()).ok()) << i;
  ActionQueueStats s = service_->ActionStats();
  EXPECT_EQ(s.capacity, 4u);
  EXPECT_LE(s.pending, 4u);
  EXPECT_EQ(s.pending + s.run + s.dropped, kCrossings);
  // At most the first one can have left the queue before the rest arrived.
  EXPECT_GE(s.dropped, kCrossings - 4 - 2);
  const uint64_t ran = kCrossings - s.dropped;
  ASSERT_TRUE(Eventually([&] { return service_->ActionStats().timed_out == ran; }))
      << "timed out: " << service_->ActionStats().timed_out << " of " << ran;
  s = service_->ActionStats();
  EXPECT_EQ(s.run, ran);
  EXPECT_EQ(s.pending, 0u);
  const std::vector<pid_t> pids = script_.Pids();
  EXPECT_EQ(pids.size(), ran);
  for (pid_t p : pids) EXPECT_TRUE(Gone(p)) << "trigger " << p << " still runs";
}

// Shutdown kills a trigger that is running rather than waiting out its timeout (60 s here),
// and does not start what is still queued.
TEST_F(RasServiceActionsTest, ShutdownKillsTheRunningTriggerAndRunsNoMore) {
  Start(ActionOptions{8, 60000});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(dev_->RasReport(SramError()).ok());
  ASSERT_TRUE(Eventually([&] { return script_.Pids().size() == 1; }));
  service_->Shutdown();
  const std::vector<pid_t> pids = script_.Pids();
  ASSERT_EQ(pids.size(), 1u) << "a queued trigger ran after shutdown began";
  EXPECT_TRUE(Gone(pids[0]));
  const ActionQueueStats s = service_->ActionStats();
  EXPECT_EQ(s.timed_out, 1u);
  EXPECT_EQ(s.run, 1u);
  EXPECT_EQ(s.pending, 0u);
}

// Issue 12 A8: with a store, "acknowledged" means the same for an event a driver reports as for
// RAS_INJECT: a watcher (gRPC Watch, accelctl ras watch) sees it only once its batch is
// committed, so whatever a watcher saw survives kill -9. Another connection holds SQLite's
// write lock, so the batch cannot commit until it lets go. The old service published at once.
TEST(RasServiceWatchTest, AWatcherSeesAnEventOnlyOnceItIsCommitted) {
  char tmpl[] = "/tmp/accel-ras-watch-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string db = dir + "/ras.db";
  StoreOptions opts;
  opts.busy_timeout_ms = 10000;  // the writer waits for the lock rather than failing
  Result<std::unique_ptr<RasStore>> store = RasStore::Open(db, opts);
  ASSERT_TRUE(store.ok());
  core::Registry reg;
  RasService service(reg, std::move(*store), {});
  reg.set_ras_observer(&service);
  daemon::ModuleLoader loader{reg, {ACCEL_PLUGIN_DIR}};
  std::string why;
  ASSERT_TRUE(loader.Load("dummy", "count=1", &why).ok()) << why;
  core::DeviceRef dev = reg.Lookup(0);
  std::unique_ptr<EventSubscription> watch = service.Subscribe("", 16);

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_TRUE(dev->RasReport(SramError()).ok());  // a driver's report: returns at once
  EventRecord got;
  EXPECT_FALSE(watch->Next(&got, 300)) << "a watcher saw an event its store has not committed";
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_TRUE(watch->Next(&got, 10000));
  EXPECT_EQ(got.component_name, "sram");
  EXPECT_EQ(got.device.name, "accel0");

  watch.reset();
  service.Shutdown();
  dev = core::DeviceRef();
  loader.UnloadAll();
  reg.set_ras_observer(nullptr);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace accel::ras
