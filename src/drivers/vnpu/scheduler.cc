// scheduler.cc - see scheduler.h.
#include "drivers/vnpu/scheduler.h"

#include <time.h>

#include <chrono>

namespace accel::vnpu {

uint64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

namespace {
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(5);
const char* const kOpNames[VNPU_OP_COUNT] = {"NOP",    "COPY", "AXPY", "REDUCE_SUM",
                                             "CRC32C", "GEMM", "SPIN"};
}  // namespace

Scheduler::Scheduler(uint32_t engines, SchedulerCallbacks cb)
    : cb_(std::move(cb)), engines_(engines) {}

Scheduler::~Scheduler() {
  Stop();
}

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  for (uint32_t i = 0; i < engines_.size(); ++i)
    engines_[i].thread = std::thread([this, i] { EngineLoop(i); });
  watchdog_ = std::thread([this] { WatchdogLoop(); });
}

void Scheduler::Stop() {
  std::vector<JobPtr> aborted;
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    for (auto& q : queues_) {
      aborted.insert(aborted.end(), q.begin(), q.end());
      q.clear();
    }
    for (Engine& e : engines_) {
      if (e.running) {
        e.running->cancel_status = VNPU_JOB_ABORTED;
        e.running->cancel = true;
      }
    }
  }
  work_cv_.notify_all();
  stop_cv_.notify_all();
  for (const JobPtr& j : aborted) cb_.on_complete(j, VNPU_JOB_ABORTED, 0);
  for (Engine& e : engines_)
    if (e.thread.joinable()) e.thread.join();
  if (watchdog_.joinable()) watchdog_.join();
}

void Scheduler::Push(JobPtr job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      job->cancel_status = VNPU_JOB_ABORTED;
    } else {
      queues_[job->priority].push_back(std::move(job));
      job = nullptr;
    }
  }
  if (job) {
    cb_.on_complete(job, VNPU_JOB_ABORTED, 0);
    return;
  }
  work_cv_.notify_one();
}

size_t Scheduler::AbortQueued(const std::function<bool(const Job&)>& pred) {
  std::vector<JobPtr> aborted;
  {
    std::lock_guard lock(mu_);
    for (auto& q : queues_) {
      for (auto it = q.begin(); it != q.end();) {
        if (pred(**it)) {
          aborted.push_back(std::move(*it));
          it = q.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  for (const JobPtr& j : aborted) cb_.on_complete(j, VNPU_JOB_ABORTED, 0);
  return aborted.size();
}

void Scheduler::Pause() {
  std::vector<JobPtr> aborted;
  std::unique_lock lock(mu_);
  paused_ = true;
  for (auto& q : queues_) {
    aborted.insert(aborted.end(), q.begin(), q.end());
    q.clear();
  }
  for (Engine& e : engines_) {
    if (e.running && !e.running->cancel) {
      e.running->cancel_status = VNPU_JOB_ABORTED;
      e.running->cancel = true;
    }
  }
  lock.unlock();
  for (const JobPtr& j : aborted) cb_.on_complete(j, VNPU_JOB_ABORTED, 0);
  lock.lock();
  idle_cv_.wait(lock, [this] {
    for (const Engine& e : engines_)
      if (e.running) return false;
    return true;
  });
}

void Scheduler::Resume() {
  {
    std::lock_guard lock(mu_);
    paused_ = false;
  }
  work_cv_.notify_all();
}

int Scheduler::HangNextJob(uint32_t engine) {
  std::lock_guard lock(mu_);
  if (engine >= engines_.size()) return -EINVAL;
  engines_[engine].hang_next = true;
  return 0;
}

size_t Scheduler::queued() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& q : queues_) n += q.size();
  return n;
}

uint64_t Scheduler::busy_ns_total() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (const Engine& e : engines_) n += e.busy_ns;
  return n;
}

uint64_t Scheduler::RunningNsOf(const FileContext* owner) const {
  std::lock_guard lock(mu_);
  const uint64_t now = MonotonicNs();
  uint64_t n = 0;
  for (const Engine& e : engines_)
    if (e.running && e.running->owner.get() == owner) n += now - e.running->start_ns;
  return n;
}

std::vector<std::string> Scheduler::DescribeEngines() const {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  const uint64_t now = MonotonicNs();
  for (size_t i = 0; i < engines_.size(); ++i) {
    const Engine& e = engines_[i];
    std::string line = "engine " + std::to_string(i) + ": ";
    if (!e.running) {
      line += "idle";
    } else {
      const Job& j = *e.running;
      line += std::string(e.resetting ? "resetting" : "busy") + " op=" + kOpNames[j.opcode] +
              (j.hang ? " (injected hang)" : "") + " fence=" + std::to_string(j.fence) +
              " client=" + std::to_string(j.owner ? j.owner->client_id : 0) +
              " running_ms=" + std::to_string((now - j.start_ns) / 1000000) +
              " timeout_ms=" + std::to_string(j.timeout_ns / 1000000);
    }
    line += " busy_ns=" + std::to_string(e.busy_ns);
    out.push_back(std::move(line));
  }
  return out;
}

JobPtr Scheduler::PopLocked() {
  for (int p = VNPU_PRIORITY_COUNT - 1; p >= 0; --p) {
    if (queues_[p].empty()) continue;
    JobPtr j = std::move(queues_[p].front());
    queues_[p].pop_front();
    return j;
  }
  return nullptr;
}

void Scheduler::EngineLoop(uint32_t index) {
  std::unique_lock lock(mu_);
  for (;;) {
    JobPtr job;
    work_cv_.wait(lock, [&] {
      if (stopping_) return true;
      if (paused_) return false;
      job = PopLocked();
      return job != nullptr;
    });
    if (stopping_ && !job) return;
    Engine& e = engines_[index];
    if (e.hang_next) {
      job->hang = true;
      e.hang_next = false;
    }
    job->start_ns = MonotonicNs();
    e.running = job;
    lock.unlock();

    const uint32_t status = ExecuteJob(*job);
    const uint64_t ran = MonotonicNs() - job->start_ns;

    lock.lock();
    e.running = nullptr;
    e.busy_ns += ran;
    const bool was_reset = e.resetting;
    // The reset is over only once the hang was reported: on_engine_reset must never overtake
    // on_hang (the device would be left wedged).
    idle_cv_.wait(lock, [&] { return !e.hang_reporting; });
    e.resetting = false;
    idle_cv_.notify_all();
    lock.unlock();
    cb_.on_complete(job, status, ran);
    if (was_reset && cb_.on_engine_reset) cb_.on_engine_reset(index);
    job.reset();
    lock.lock();
  }
}

void Scheduler::WatchdogLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, kWatchdogPeriod);
    if (stopping_) break;
    const uint64_t now = MonotonicNs();
    for (uint32_t i = 0; i < engines_.size(); ++i) {
      Engine& e = engines_[i];
      if (!e.running || e.resetting || e.running->cancel) continue;
      const uint64_t ran = now - e.running->start_ns;
      if (ran <= e.running->timeout_ns) continue;
      // A hang. It is reported first, while the engine still holds the job (so that the
      // devcoredump shows it); then the engine is reset by cancelling the job.
      e.resetting = true;
      e.hang_reporting = true;
      JobPtr job = e.running;
      lock.unlock();
      if (cb_.on_hang) cb_.on_hang(i, job, ran);
      lock.lock();
      job->cancel_status = VNPU_JOB_TIMED_OUT;
      job->cancel = true;
      e.hang_reporting = false;
      idle_cv_.notify_all();
    }
  }
}

}  // namespace accel::vnpu
