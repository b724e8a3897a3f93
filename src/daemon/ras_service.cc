// ras_service.cc - see ras_service.h.
#include "daemon/ras_service.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "ras/codec_table.h"

extern char** environ;

namespace accel::ras {

// One subscriber's bounded queue. Overflow drops the oldest record and counts it.
class Subscription final : public EventSubscription {
 public:
  Subscription(std::shared_ptr<RasService::Hub> hub, std::string device, size_t cap)
      : hub_(std::move(hub)), device_(std::move(device)), cap_(std::max<size_t>(cap, 1)) {}
  ~Subscription() override;

  bool Matches(const DeviceIdentity& id) const {
    return device_.empty() || device_ == id.name || device_ == id.serial;
  }
  // One record is shared by every subscriber it goes to: 64 watchers cost 64 pointers.
  void Push(const std::shared_ptr<const EventRecord>& r) {
    std::lock_guard lock(mu_);
    if (cancelled_) return;
    if (queue_.size() == cap_) {
      queue_.pop_front();
      ++lost_;
    }
    queue_.push_back(r);
    if (waiting_) cv_.notify_one();
  }
  bool Next(EventRecord* out, int timeout_ms) override {
    std::unique_lock lock(mu_);
    // A zero timeout polls: no timed wait, which would put the thread through the scheduler.
    if (timeout_ms > 0 && !cancelled_ && queue_.empty()) {
      waiting_ = true;
      cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                   [this] { return cancelled_ || !queue_.empty(); });
      waiting_ = false;
    }
    if (cancelled_ || queue_.empty()) return false;
    *out = *queue_.front();
    queue_.pop_front();
    return true;
  }
  uint64_t TakeLost() override {
    std::lock_guard lock(mu_);
    return std::exchange(lost_, 0);
  }
  void Cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

 private:
  std::shared_ptr<RasService::Hub> hub_;
  const std::string device_;
  const size_t cap_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<const EventRecord>> queue_;
  uint64_t lost_ = 0;
  bool cancelled_ = false;
  bool waiting_ = false;  // a Next() sleeps: Push notifies only then
};

struct RasService::Hub {
  std::mutex mu;
  std::vector<Subscription*> subs;
  bool closed = false;

  void Add(Subscription* s) {
    std::lock_guard lock(mu);
    if (closed) s->Cancel();
    subs.push_back(s);
  }
  void Remove(Subscription* s) {
    std::lock_guard lock(mu);
    subs.erase(std::remove(subs.begin(), subs.end(), s), subs.end());
  }
  bool empty() {
    std::lock_guard lock(mu);
    return subs.empty();
  }
  void Publish(const std::shared_ptr<const EventRecord>& r) {
    std::lock_guard lock(mu);
    for (Subscription* s : subs)
      if (s->Matches(r->device)) s->Push(r);
  }
  void Close() {
    std::lock_guard lock(mu);
    closed = true;
    for (Subscription* s : subs) s->Cancel();
  }
};

Subscription::~Subscription() {
  hub_->Remove(this);
}

RasService::RasService(core::Registry& registry, std::unique_ptr<RasStore> store,
                       std::vector<ThresholdRule> rules, ActionOptions actions)
    : registry_(registry),
      store_(std::move(store)),
      rules_(std::move(rules)),
      hub_(std::make_shared<Hub>()),
      action_opts_(actions),
      action_thread_([this] { ActionLoop(); }) {
  if (store_) store_->SetSettledListener([this](uint64_t ticket) { OnSettled(ticket); });
}

RasService::~RasService() {
  Shutdown();
}

void RasService::Shutdown() {
  {
    std::lock_guard lock(action_mu_);
    if (stopping_ && !action_thread_.joinable()) return;
    stopping_ = true;
    action_cv_.notify_all();
  }
  if (action_thread_.joinable()) action_thread_.join();
  hub_->Close();
  if (store_) {
    store_->Close();
    const StoreStats s = store_->Stats();
    spdlog::info(
        "ras store: {} events acknowledged, {} committed, {} failed; {} commits with fsync, {} "
        "without",
        s.events_queued, s.events_committed, s.events_failed, s.commits_full, s.commits_normal);
  }
}

void RasService::OnDeviceRegistered(core::Device& dev) {
  dev.RasSetThresholds(rules_);
  if (!store_) return;
  const std::string& driver = dev.driver_name();
  Result<PersistedState> st = store_->Load(driver, dev.serial());
  if (!st) {
    spdlog::warn("ras: cannot load the state of {} {}: {}", driver, dev.serial(),
                 std::strerror(-st.error()));
    return;
  }
  std::vector<std::pair<std::string, std::pair<uint32_t, uint64_t>>> aggregates;
  for (const PersistedState::Aggregate& a : st->aggregates)
    aggregates.push_back({a.component, {a.severity, a.count}});
  dev.RasRestore(aggregates, st->pages, st->last_seqno);
}

uint64_t RasService::OnRasRecorded(core::Device& dev, const RecordResult& recorded) {
  const DeviceIdentity id = dev.RasIdentity();
  uint64_t ticket = 0;
  const bool watched = !hub_->empty();
  for (const Event& e : recorded.logged) {
    const std::string component = dev.RasComponentName(e.component);
    if (store_)
      ticket = store_->Append(id, component, e, dev.ras().AggregateCount(e.component, e.severity));
    if (!watched) continue;
    auto rec = std::make_shared<const EventRecord>(EventRecord{id, component, e});
    if (!store_) {
      hub_->Publish(rec);
      continue;
    }
    // With a store, watchers see an event once its batch is committed: what a watcher has
    // seen survives kill -9, as a RAS_INJECT that returned does.
    std::lock_guard lock(unpublished_mu_);
    unpublished_.push_back({ticket, std::move(rec)});
    PublishSettledLocked();  // its batch may have settled before it got here
  }
  for (const FiredThreshold& f : recorded.fired) {
    if (!f.act) continue;
    switch (f.rule.action) {
      case ThresholdAction::kNone:
        break;
      case ThresholdAction::kRetirePage: {
        // State only, so it runs here: the page is listed before the reporter returns.
        if (!f.cause.address) {
          spdlog::warn("ras: {}: threshold {} wants a page retired, but the event has no address",
                       id.name, FormatThresholdRule(f.rule));
          break;
        }
        // The device's one retirement path: it persists the page through OnPagesChanged and
        // keeps that ticket, so the reporter's wait for durability covers the page too.
        Result<bool> listed =
            dev.RasRetirePage(*f.cause.address, f.cause.severity, f.cause.timestamp_ns);
        if (!listed)
          spdlog::warn("ras: {}: threshold {} cannot retire page {:#x}: {}", id.name,
                       FormatThresholdRule(f.rule), *f.cause.address,
                       std::strerror(-listed.error()));
        break;
      }
      case ThresholdAction::kReset:
      case ThresholdAction::kTrigger: {
        bool log_drop;
        uint64_t dropped;
        {
          std::lock_guard lock(action_mu_);
          log_drop = QueueActionLocked(dev, f);
          dropped = stats_.dropped;
        }
        if (log_drop)
          spdlog::warn(
              "ras: {}: threshold {} crossed but {} actions are queued already; dropped ({} "
              "dropped so far, see `accelctl ras thresholds`)",
              id.name, FormatThresholdRule(f.rule), action_opts_.max_queued, dropped);
        break;
      }
    }
  }
  return ticket;
}

uint64_t RasService::OnPagesChanged(core::Device& dev, const std::vector<RetiredPage>& pages) {
  if (!store_) return 0;
  const DeviceIdentity id = dev.RasIdentity();
  uint64_t ticket = 0;
  for (const RetiredPage& p : pages) ticket = std::max(ticket, store_->PutPage(id, p));
  return ticket;
}

void RasService::OnSettled(uint64_t ticket) {
  uint64_t prev = settled_.load(std::memory_order_relaxed);
  while (prev < ticket && !settled_.compare_exchange_weak(prev, ticket)) {
  }
  std::lock_guard lock(unpublished_mu_);
  PublishSettledLocked();
}

void RasService::PublishSettledLocked() {
  const uint64_t settled = settled_.load(std::memory_order_acquire);
  // In ticket order; an entry pushed late by a slower reporter holds back those behind it
  // only until its own batch settles.
  while (!unpublished_.empty() && unpublished_.front().first <= settled) {
    hub_->Publish(unpublished_.front().second);
    unpublished_.pop_front();
  }
}

Result<void> RasService::WaitDurable(uint64_t ticket) {
  if (!store_) return {};
  return store_->WaitDurable(ticket, 10000);
}

bool RasService::QueueActionLocked(core::Device& dev, const FiredThreshold& f) {
  if (stopping_) return false;
  // A second reset of the same device by the same rule, while the first waits, would do
  // nothing the first does not; a trigger is kept, as its event differs.
  if (f.rule.action == ThresholdAction::kReset)
    for (const Action& a : actions_)
      if (a.dev.get() == &dev && a.fired.rule == f.rule) {
        ++stats_.merged;
        return false;
      }
  if (actions_.size() >= action_opts_.max_queued) {
    ++stats_.dropped;
    return stats_.dropped % 64 == 1;
  }
  actions_.push_back({core::DeviceRef(&dev), f});
  action_cv_.notify_one();
  return false;
}

ActionQueueStats RasService::ActionStats() {
  std::lock_guard lock(action_mu_);
  ActionQueueStats s = stats_;
  s.pending = actions_.size();
  s.capacity = action_opts_.max_queued;
  return s;
}

void RasService::ActionLoop() {
  for (;;) {
    Action a;
    {
      std::unique_lock lock(action_mu_);
      action_cv_.wait(lock, [this] { return stopping_ || !actions_.empty(); });
      if (stopping_) {
        // The daemon is going: what is still queued would run against devices being unloaded.
        if (!actions_.empty())
          spdlog::warn("ras: {} threshold actions not run at shutdown", actions_.size());
        actions_.clear();
        return;
      }
      a = std::move(actions_.front());
      actions_.pop_front();
      ++stats_.run;
    }
    if (a.fired.rule.action == ThresholdAction::kReset)
      RunReset(*a.dev.get(), a.fired);
    else
      RunTrigger(*a.dev.get(), a.fired);
  }
}

void RasService::RunReset(core::Device& dev, const FiredThreshold& f) {
  Result<void> r = dev.RasReset();
  if (!r && r.error() == -ENODEV) {  // unplugged (or its driver unloaded) while queued
    spdlog::info("ras: {}: gone before threshold {} could reset it", dev.name(),
                 FormatThresholdRule(f.rule));
    return;
  }
  Event e;
  e.component = f.cause.component;
  e.severity = static_cast<uint32_t>(Severity::kInformational);
  e.code = 0x7e00;
  e.message = r ? "device reset by threshold " + FormatThresholdRule(f.rule)
                : std::string("device reset failed: ") + std::strerror(-r.error());
  if (r)
    spdlog::warn("ras: {} reset by threshold {}", dev.name(), FormatThresholdRule(f.rule));
  else
    spdlog::error("ras: {}: reset failed: {}", dev.name(), std::strerror(-r.error()));
  (void)dev.RasReport(std::move(e));
}

bool RasService::WaitTrigger(pid_t pid, int* status, bool* stopping) {
  // A pidfd says when the child exits without a SIGCHLD handler; where the kernel has none
  // (before 5.3) the loop polls waitpid every 10 ms instead.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(action_opts_.trigger_timeout_ms);
  bool finished = false;
  for (;;) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) {
      finished = true;
      break;
    }
    {
      std::lock_guard lock(action_mu_);
      if (stopping_) {  // shutdown does not wait for a trigger
        *stopping = true;
        break;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const int slice = static_cast<int>(std::min<int64_t>(
        100, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      (void)poll(&p, 1, slice);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(slice, 10)));
    }
  }
  if (pidfd >= 0) close(pidfd);
  return finished;
}

// Runs the rule's command with the event in the environment, as rasdaemon's triggers do.
void RasService::RunTrigger(core::Device& dev, const FiredThreshold& f) {
  const Event& e = f.cause;
  std::vector<std::string> vars = {
      "ACCEL_RAS_DEVICE=" + dev.name(),
      "ACCEL_RAS_DRIVER=" + dev.driver_name(),
      "ACCEL_RAS_SERIAL=" + dev.serial(),
      "ACCEL_RAS_COMPONENT=" + dev.RasComponentName(e.component),
      std::string("ACCEL_RAS_SEVERITY=") +
          (SeverityName(e.severity) ? SeverityName(e.severity) : "?"),
      "ACCEL_RAS_CODE=" + std::to_string(e.code),
      "ACCEL_RAS_COUNT=" + std::to_string(e.count),
      "ACCEL_RAS_SEQNO=" + std::to_string(e.seqno),
      "ACCEL_RAS_TIMESTAMP_NS=" + std::to_string(e.timestamp_ns),
      "ACCEL_RAS_ADDRESS=" + (e.address ? std::to_string(*e.address) : std::string()),
      "ACCEL_RAS_MESSAGE=" + e.message,
      "ACCEL_RAS_THRESHOLD=" + FormatThresholdRule(f.rule),
  };
  std::vector<char*> envp;
  for (char** p = environ; p && *p; ++p)
    if (std::strncmp(*p, "ACCEL_RAS_", 10) != 0) envp.push_back(*p);
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::string cmd = f.rule.command;
  char* argv[] = {cmd.data(), nullptr};
  pid_t pid = -1;
  // In a process group of its own, so that a timeout kills what the script started too.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  const int rc = posix_spawn(&pid, cmd.c_str(), nullptr, &attr, argv, envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    spdlog::error("ras: trigger {}: {}", cmd, std::strerror(rc));
    return;
  }
  int status = 0;
  bool stopping = false;
  const bool finished = WaitTrigger(pid, &status, &stopping);
  if (!finished) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard lock(action_mu_);
      ++stats_.timed_out;
    }
    if (stopping)
      spdlog::warn("ras: trigger {} for {} killed: acceld is stopping", cmd, dev.name());
    else
      spdlog::error("ras: trigger {} for {} killed: still running after {} ms", cmd, dev.name(),
                    action_opts_.trigger_timeout_ms);
    return;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    spdlog::warn("ras: trigger {} for {} failed (status {:#x})", cmd, dev.name(), status);
  else
    spdlog::info("ras: trigger {} ran for {}", cmd, dev.name());
}

Result<core::DeviceRef> RasService::Find(const std::string& device) {
  if (device.rfind("accel", 0) == 0) return registry_.LookupName(device);
  for (const core::DeviceSummary& d : registry_.List())
    if (d.serial == device) return registry_.LookupName(d.name);
  return Err(ENODEV);
}

std::vector<DeviceIdentity> RasService::Devices() {
  std::vector<DeviceIdentity> out;
  for (const core::DeviceSummary& d : registry_.List())
    out.push_back({d.name, d.driver, d.serial, d.bus, d.minor});
  return out;
}

Result<Snapshot> RasService::Query(const std::string& device) {
  Result<core::DeviceRef> dev = Find(device);
  if (!dev) return dev.error() == -EINVAL ? Err(ENODEV) : Errno{dev.error()};
  return (*dev)->RasSnapshot();
}

Result<std::vector<uint8_t>> RasService::Encode(const std::string& device, uint32_t format,
                                                bool raw, uint32_t* schema) {
  Result<core::DeviceRef> dev = Find(device);
  if (!dev) return Err(ENODEV);
  core::Device& d = *dev->get();
  if (format >= 32) return Err(EINVAL);
  if (raw) {
    if ((d.ras_passthrough() & (1u << format)) == 0) return Err(EOPNOTSUPP);
    auto blob = d.ras().FirmwareBlob();
    if (!blob || blob->first != format) return Err(ENODATA);
    if (schema) *schema = ACCEL_RAS_SCHEMA_FIRMWARE;
    return std::move(blob->second);
  }
  if ((d.ras_formats() & (1ULL << format)) == 0) return Err(EOPNOTSUPP);
  const Codec* codec = FindCodec(format);
  if (codec == nullptr) return Err(EOPNOTSUPP);
  if (schema) *schema = ACCEL_RAS_SCHEMA_NATIVE;
  return codec->encode(d.RasSnapshot());
}

Result<void> RasService::Clear(const std::string& device) {
  Result<core::DeviceRef> dev = Find(device);
  if (!dev) return Err(ENODEV);
  return (*dev)->RasClear();
}

Result<uint64_t> RasService::Inject(const std::string& device, const InjectRequest& req) {
  Result<core::DeviceRef> dev = Find(device);
  if (!dev) return Err(ENODEV);
  std::optional<uint32_t> comp = (*dev)->ras().ComponentIndex(req.component);
  if (!comp) return Err(EINVAL);
  core::Caller root;  // the transport checked the right to inject
  return (*dev)->RasInject(root, nullptr, *comp, req.severity, req.count, req.address);
}

Result<std::vector<EventRecord>> RasService::Log(const LogQuery& q) {
  if (store_) return store_->Events(q);
  // No store: what the devices still hold in memory.
  std::vector<EventRecord> out;
  for (const DeviceIdentity& id : Devices()) {
    if (!q.device.empty() && q.device != id.name && q.device != id.serial) continue;
    Result<core::DeviceRef> dev = Find(id.name);
    if (!dev) continue;
    Snapshot s = (*dev)->RasSnapshot();
    for (const Event& e : s.events) {
      if (q.since_ns && e.timestamp_ns < *q.since_ns) continue;
      if (q.until_ns && e.timestamp_ns >= *q.until_ns) continue;
      if (q.severity && e.severity != *q.severity) continue;
      out.push_back({s.device, s.components[e.component].name, e});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const EventRecord& a, const EventRecord& b) {
    return a.event.timestamp_ns < b.event.timestamp_ns;
  });
  if (out.size() > q.limit) out.erase(out.begin(), out.end() - q.limit);
  return out;
}

std::vector<ThresholdStatus> RasService::Thresholds(const std::string& device) {
  std::vector<ThresholdStatus> out;
  const uint64_t now = NowNs();
  for (const DeviceIdentity& id : Devices()) {
    if (!device.empty() && device != id.name && device != id.serial) continue;
    Result<core::DeviceRef> dev = Find(id.name);
    if (!dev) continue;
    for (const auto& t : (*dev)->ras().Thresholds(now))
      out.push_back({id.name, t.rule, t.in_window, t.crossings, t.last_crossing_ns, t.state});
  }
  return out;
}

std::unique_ptr<EventSubscription> RasService::Subscribe(const std::string& device,
                                                         size_t queue_len) {
  auto sub = std::make_unique<Subscription>(hub_, device, queue_len);
  hub_->Add(sub.get());
  return sub;
}

}  // namespace accel::ras
