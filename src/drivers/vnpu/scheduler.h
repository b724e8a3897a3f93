// scheduler.h - vnpu's engines: priority queues, one thread per engine, a watchdog.
//
// DOC: scheduling and hangs
//
// Jobs wait in one FIFO per priority; a free engine takes the oldest job of the highest
// priority that has one (strict priority, as the firmware schedulers of NPUs do). Each engine
// is a thread running one job at a time. The watchdog looks at every running job each few
// milliseconds: one past its timeout is a hang. Then the engine is reset: the job's cancel
// flag stops its kernel (every kernel polls it between blocks), the job ends TIMED_OUT and
// the engine takes the next job. The device is told twice: OnHang when the hang is detected
// (RAS event, devcoredump, "wedged") and OnEngineReset once the engine is free again.
//
// A device reset pauses the scheduler: queued jobs and running ones end ABORTED, engines
// stop taking jobs until Resume(); jobs submitted meanwhile wait in the queues.
#ifndef ACCEL_DRIVERS_VNPU_SCHEDULER_H_
#define ACCEL_DRIVERS_VNPU_SCHEDULER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/vnpu/job.h"

namespace accel::vnpu {

struct SchedulerCallbacks {
  // A job ended (any status), on the engine's thread (or the caller of Abort*/Pause).
  std::function<void(const JobPtr&, uint32_t status, uint64_t busy_ns)> on_complete;
  // The watchdog found `job` hung on `engine`, on the watchdog thread.
  std::function<void(uint32_t engine, const JobPtr& job, uint64_t ran_ns)> on_hang;
  // The hung engine finished unwinding and takes jobs again, on its thread.
  std::function<void(uint32_t engine)> on_engine_reset;
};

class Scheduler {
 public:
  Scheduler(uint32_t engines, SchedulerCallbacks cb);
  ~Scheduler();  // Stop()s

  void Start();
  // Aborts everything and joins the threads.
  void Stop();

  void Push(JobPtr job);
  // Ends queued jobs matching `pred` with ABORTED (a queue destroyed, a file closed).
  size_t AbortQueued(const std::function<bool(const Job&)>& pred);
  // Device reset: queued and running jobs end ABORTED; returns once no engine runs a job.
  void Pause();
  void Resume();
  // Fault injection: the next job `engine` takes hangs. -EINVAL for a bad engine.
  int HangNextJob(uint32_t engine);

  uint32_t engines() const { return static_cast<uint32_t>(engines_.size()); }
  size_t queued() const;
  // One line per engine, for devcoredumps: state, job, how long it has run.
  std::vector<std::string> DescribeEngines() const;
  uint64_t busy_ns_total() const;
  // Engine time so far of `owner`'s jobs that are running now (fdinfo counts them live).
  uint64_t RunningNsOf(const FileContext* owner) const;

 private:
  struct Engine {
    std::thread thread;
    JobPtr running;  // guarded by mu_
    uint64_t busy_ns = 0;
    bool hang_next = false;
    bool resetting = false;       // the watchdog found its job hung
    bool hang_reporting = false;  // on_hang runs: the reset is not over before it returns
  };

  void EngineLoop(uint32_t index);
  void WatchdogLoop();
  JobPtr PopLocked();

  SchedulerCallbacks cb_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // engines: a job, resume or stop
  std::condition_variable idle_cv_;  // Pause: an engine finished its job
  std::condition_variable stop_cv_;  // watchdog sleeps on it
  std::deque<JobPtr> queues_[VNPU_PRIORITY_COUNT];
  std::vector<Engine> engines_;
  std::thread watchdog_;
  bool paused_ = false;
  bool stopping_ = false;
  bool started_ = false;
};

uint64_t MonotonicNs();

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_SCHEDULER_H_
