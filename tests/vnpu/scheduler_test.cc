// scheduler_test.cc - Scheduler: strict priority, the hang watchdog and engine reset, Pause,
// AbortQueued, Stop, and many producers (every job ends exactly once; the TSan preset runs it).
//
// Jobs here are NOPs and SPINs: they need no buffer objects, so the scheduler is tested alone.
// Waits are generous deadlines on conditions, never assertions on how fast something is.
#include "drivers/vnpu/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace accel::vnpu {
namespace {

using std::chrono::milliseconds;
constexpr auto kDeadline = std::chrono::seconds(30);
constexpr uint64_t kLongTimeoutNs = 600ull * 1000 * 1000 * 1000;  // never a hang in a test

JobPtr MakeJob(uint64_t fence, uint32_t opcode = VNPU_OP_NOP,
               uint32_t priority = VNPU_PRIORITY_NORMAL, uint64_t spin_ns = 0) {
  auto job = std::make_shared<Job>();
  job->opcode = opcode;
  job->priority = priority;
  job->fence = fence;
  job->params[0] = spin_ns;
  job->timeout_ns = kLongTimeoutNs;
  return job;
}

// What the callbacks saw, in order: "done F S", "hang E F", "hang-end E", "reset E".
class Recorder {
 public:
  SchedulerCallbacks Callbacks() {
    SchedulerCallbacks cb;
    cb.on_complete = [this](const JobPtr& j, uint32_t status, uint64_t) {
      Add("done " + std::to_string(j->fence) + " " + std::to_string(status));
    };
    cb.on_hang = [this](uint32_t engine, const JobPtr& j, uint64_t) {
      Add("hang " + std::to_string(engine) + " " + std::to_string(j->fence));
      if (hang_delay_.count()) std::this_thread::sleep_for(hang_delay_);
      Add("hang-end " + std::to_string(engine));
    };
    cb.on_engine_reset = [this](uint32_t engine) { Add("reset " + std::to_string(engine)); };
    return cb;
  }

  // How long on_hang takes (the device's OnHang writes a coredump and a RAS event).
  void set_hang_delay(milliseconds d) { hang_delay_ = d; }

  // Waits until `n` events were recorded; true if they were.
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return events_.size() >= n; });
  }
  // Waits until an event equal to `e` was recorded.
  bool WaitForEvent(const std::string& e) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return IndexLocked(e) >= 0; });
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Position of `e` in the record, or -1.
  int Index(const std::string& e) {
    std::lock_guard lock(mu_);
    return IndexLocked(e);
  }
  size_t Count(const std::string& prefix) {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const std::string& e : events_) n += e.rfind(prefix, 0) == 0;
    return n;
  }

 private:
  void Add(std::string e) {
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(e));
    }
    cv_.notify_all();
  }
  int IndexLocked(const std::string& e) const {
    for (size_t i = 0; i < events_.size(); ++i)
      if (events_[i] == e) return static_cast<int>(i);
    return -1;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
  milliseconds hang_delay_{0};
};

std::string Done(uint64_t fence, uint32_t status) {
  return "done " + std::to_string(fence) + " " + std::to_string(status);
}

// Waits until the engines took every queued job (it is then running).
bool WaitUntilNothingQueued(const Scheduler& s) {
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (s.queued() != 0) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

TEST(VnpuSchedulerTest, StrictPriorityOrder) {
  Recorder rec;
  Scheduler s(1, rec.Callbacks());
  s.Start();
  s.Pause();  // nothing runs while the queues fill
  s.Push(MakeJob(1, VNPU_OP_NOP, VNPU_PRIORITY_LOW));
  s.Push(MakeJob(2, VNPU_OP_NOP, VNPU_PRIORITY_NORMAL));
  s.Push(MakeJob(3, VNPU_OP_NOP, VNPU_PRIORITY_HIGH));
  s.Push(MakeJob(4, VNPU_OP_NOP, VNPU_PRIORITY_LOW));
  s.Push(MakeJob(5, VNPU_OP_NOP, VNPU_PRIORITY_NORMAL));
  s.Push(MakeJob(6, VNPU_OP_NOP, VNPU_PRIORITY_HIGH));
  EXPECT_EQ(s.queued(), 6u);
  s.Resume();
  ASSERT_TRUE(rec.WaitFor(6));
  // Highest priority first, FIFO within a priority.
  const std::vector<std::string> want = {Done(3, VNPU_JOB_SUCCESS), Done(6, VNPU_JOB_SUCCESS),
                                         Done(2, VNPU_JOB_SUCCESS), Done(5, VNPU_JOB_SUCCESS),
                                         Done(1, VNPU_JOB_SUCCESS), Done(4, VNPU_JOB_SUCCESS)};
  EXPECT_EQ(rec.events(), want);
}

TEST(VnpuSchedulerTest, ASpinPastItsTimeoutIsAHangAndTheEngineIsReset) {
  Recorder rec;
  Scheduler s(1, rec.Callbacks());
  s.Start();
  JobPtr hung = MakeJob(1, VNPU_OP_SPIN, VNPU_PRIORITY_NORMAL, 0);  // spins until reset
  hung->timeout_ns = 20 * 1000 * 1000;
  s.Push(hung);
  s.Push(MakeJob(2));  // waits behind it on the only engine
  ASSERT_TRUE(rec.WaitForEvent(Done(2, VNPU_JOB_SUCCESS)))
      << ::testing::PrintToString(rec.events());
  ASSERT_TRUE(rec.WaitForEvent("reset 0"));
  EXPECT_GE(rec.Index(Done(1, VNPU_JOB_TIMED_OUT)), 0) << ::testing::PrintToString(rec.events());
  EXPECT_GE(rec.Index("hang 0 1"), 0);
  EXPECT_LT(rec.Index(Done(1, VNPU_JOB_TIMED_OUT)), rec.Index(Done(2, VNPU_JOB_SUCCESS)));
  EXPECT_EQ(rec.Count("hang "), 1u);
  EXPECT_EQ(rec.Count("reset "), 1u);
}

// VnpuDevice wedges in on_hang and unwedges in on_engine_reset: were the reset reported while
// on_hang still ran, the device would stay wedged for good. on_hang is made slow here (as the
// device's is: it writes a devcoredump and a RAS event) so that an engine free to report its
// reset early would do so every time. (Found by this test; fixed in 4bcc317: the watchdog
// cancels the job only after on_hang returned.)
TEST(VnpuSchedulerTest, TheEngineResetIsReportedAfterTheHang) {
  Recorder rec;
  rec.set_hang_delay(milliseconds(200));
  Scheduler s(1, rec.Callbacks());
  s.Start();
  JobPtr hung = MakeJob(1, VNPU_OP_SPIN, VNPU_PRIORITY_NORMAL, 0);
  hung->timeout_ns = 10 * 1000 * 1000;
  s.Push(hung);
  ASSERT_TRUE(rec.WaitForEvent("reset 0"));
  ASSERT_TRUE(rec.WaitForEvent("hang-end 0"));
  EXPECT_LT(rec.Index("hang-end 0"), rec.Index("reset 0"))
      << "on_engine_reset ran before on_hang returned: " << ::testing::PrintToString(rec.events());
}

TEST(VnpuSchedulerTest, AnInjectedHangTimesOutTheNextJobOfThatEngine) {
  Recorder rec;
  Scheduler s(1, rec.Callbacks());
  EXPECT_EQ(s.HangNextJob(1), -EINVAL);
  EXPECT_EQ(s.HangNextJob(0), 0);
  s.Start();
  JobPtr nop = MakeJob(1);  // a NOP would finish at once; the fault makes it hang
  nop->timeout_ns = 10 * 1000 * 1000;
  s.Push(nop);
  s.Push(MakeJob(2));
  ASSERT_TRUE(rec.WaitForEvent(Done(2, VNPU_JOB_SUCCESS)));
  EXPECT_GE(rec.Index(Done(1, VNPU_JOB_TIMED_OUT)), 0) << ::testing::PrintToString(rec.events());
  EXPECT_EQ(rec.Count("hang 0 1"), 1u);
}

TEST(VnpuSchedulerTest, PauseAbortsQueuedAndRunningJobs) {
  Recorder rec;
  Scheduler s(1, rec.Callbacks());
  s.Start();
  s.Push(MakeJob(1, VNPU_OP_SPIN, VNPU_PRIORITY_NORMAL, 0));  // runs until cancelled
  ASSERT_TRUE(WaitUntilNothingQueued(s));
  s.Push(MakeJob(2));
  s.Push(MakeJob(3, VNPU_OP_NOP, VNPU_PRIORITY_HIGH));
  s.Pause();  // returns once no engine runs a job
  // The running job's completion is reported by its engine after it let go of the job, so it
  // may come a little after Pause() returned.
  ASSERT_TRUE(rec.WaitFor(3));
  EXPECT_EQ(rec.Count("done "), 3u);
  EXPECT_GE(rec.Index(Done(1, VNPU_JOB_ABORTED)), 0);
  EXPECT_GE(rec.Index(Done(2, VNPU_JOB_ABORTED)), 0);
  EXPECT_GE(rec.Index(Done(3, VNPU_JOB_ABORTED)), 0);
  EXPECT_EQ(rec.Count("hang "), 0u);  // an abort is not a hang
  // Jobs pushed while paused wait for Resume().
  s.Push(MakeJob(4));
  EXPECT_EQ(s.queued(), 1u);
  s.Resume();
  EXPECT_TRUE(rec.WaitForEvent(Done(4, VNPU_JOB_SUCCESS)));
}

TEST(VnpuSchedulerTest, AbortQueuedTakesOnlyWhatThePredicateNames) {
  Recorder rec;
  Scheduler s(2, rec.Callbacks());
  s.Start();
  s.Pause();
  for (uint64_t f = 1; f <= 6; ++f) {
    JobPtr j = MakeJob(f, VNPU_OP_NOP, f % 3);
    j->cmdq_id = f % 2 ? 7 : 8;
    s.Push(j);
  }
  EXPECT_EQ(s.AbortQueued([](const Job& j) { return j.cmdq_id == 7; }), 3u);
  EXPECT_EQ(rec.Count("done "), 3u);
  for (uint64_t f : {1, 3, 5}) EXPECT_GE(rec.Index(Done(f, VNPU_JOB_ABORTED)), 0) << f;
  EXPECT_EQ(s.AbortQueued([](const Job&) { return false; }), 0u);
  s.Resume();
  ASSERT_TRUE(rec.WaitFor(6));
  for (uint64_t f : {2, 4, 6}) EXPECT_GE(rec.Index(Done(f, VNPU_JOB_SUCCESS)), 0) << f;
}

TEST(VnpuSchedulerTest, StopAbortsEverything) {
  Recorder rec;
  Scheduler s(2, rec.Callbacks());
  s.Start();
  s.Push(MakeJob(1, VNPU_OP_SPIN, VNPU_PRIORITY_NORMAL, 0));
  s.Push(MakeJob(2, VNPU_OP_SPIN, VNPU_PRIORITY_NORMAL, 0));
  ASSERT_TRUE(WaitUntilNothingQueued(s));  // both engines busy
  for (uint64_t f = 3; f <= 5; ++f) s.Push(MakeJob(f));
  s.Stop();  // joins: every callback has run when it returns
  EXPECT_EQ(rec.Count("done "), 5u) << ::testing::PrintToString(rec.events());
  for (uint64_t f = 1; f <= 5; ++f) EXPECT_GE(rec.Index(Done(f, VNPU_JOB_ABORTED)), 0) << f;
  // After Stop a job ends at once, aborted, on the caller's thread.
  s.Push(MakeJob(6));
  EXPECT_GE(rec.Index(Done(6, VNPU_JOB_ABORTED)), 0);
  s.Stop();  // twice is harmless
}

TEST(VnpuSchedulerTest, ManyProducersEveryJobEndsExactlyOnce) {
  constexpr int kThreads = 6;
  constexpr int kJobsPerThread = 400;
  constexpr int kJobs = kThreads * kJobsPerThread;
  std::vector<std::atomic<int>> ends(kJobs + 1);
  std::atomic<int> total{0};
  SchedulerCallbacks cb;
  cb.on_complete = [&](const JobPtr& j, uint32_t status, uint64_t) {
    EXPECT_TRUE(status == VNPU_JOB_SUCCESS || status == VNPU_JOB_ABORTED) << status;
    ends[j->fence].fetch_add(1);
    total.fetch_add(1);
  };
  Scheduler s(3, std::move(cb));
  s.Start();
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&s, t] {
      for (int i = 0; i < kJobsPerThread; ++i) {
        const uint64_t fence = uint64_t(t) * kJobsPerThread + i + 1;
        // Some short spins so that engines are busy while others push.
        const bool spin = i % 7 == 0;
        s.Push(MakeJob(fence, spin ? VNPU_OP_SPIN : VNPU_OP_NOP, fence % VNPU_PRIORITY_COUNT,
                       spin ? 20000 : 0));
      }
    });
  }
  // Meanwhile: aborts by predicate, a device-reset style Pause/Resume, and readers.
  std::thread meddler([&s] {
    for (int i = 0; i < 20; ++i) {
      s.AbortQueued([i](const Job& j) { return j.fence % 20 == uint64_t(i); });
      if (i % 5 == 0) {
        s.Pause();
        s.Resume();
      }
      (void)s.DescribeEngines();
      (void)s.busy_ns_total();
      (void)s.RunningNsOf(nullptr);
      std::this_thread::sleep_for(milliseconds(1));
    }
  });
  for (std::thread& p : producers) p.join();
  meddler.join();
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (total.load() < kJobs && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(milliseconds(2));
  s.Stop();
  EXPECT_EQ(total.load(), kJobs);
  int wrong = 0;
  for (int f = 1; f <= kJobs; ++f) wrong += ends[f].load() != 1;
  EXPECT_EQ(wrong, 0) << "jobs that did not end exactly once";
}

TEST(VnpuSchedulerTest, DescribeEnginesNamesTheRunningJob) {
  Recorder rec;
  Scheduler s(2, rec.Callbacks());
  s.Start();
  s.Push(MakeJob(9, VNPU_OP_SPIN, VNPU_PRIORITY_NORMAL, 0));
  ASSERT_TRUE(WaitUntilNothingQueued(s));
  std::vector<std::string> lines;
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  bool busy = false;
  while (!busy && std::chrono::steady_clock::now() < end) {
    lines = s.DescribeEngines();
    for (const std::string& l : lines)
      busy = busy || l.find("op=SPIN fence=9") != std::string::npos;
    if (!busy) std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(busy) << ::testing::PrintToString(lines);
  ASSERT_EQ(lines.size(), 2u);
  s.Stop();
}

}  // namespace
}  // namespace accel::vnpu
