// grpc_fake_backend.cc - see grpc_fake_backend.h.
#include "grpc_fake_backend.h"

#include <uapi/accel/accel.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "ras/codecs/protobuf/protobuf_codec.h"
#include "sample_snapshot.h"

namespace accel::ras::testing {

FakeSubscription::~FakeSubscription() {
  owner_->Unsubscribe(this);
}

bool FakeSubscription::Next(EventRecord* out, int timeout_ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [&] { return cancelled_ || !queue_.empty(); });
  if (cancelled_ || queue_.empty()) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

uint64_t FakeSubscription::TakeLost() {
  std::lock_guard lock(mu_);
  return std::exchange(lost_, 0);
}

void FakeSubscription::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  cv_.notify_all();
}

bool FakeSubscription::Wants(const DeviceIdentity& d) const {
  return device_.empty() || device_ == d.name || device_ == d.serial;
}

void FakeSubscription::Push(const std::vector<EventRecord>& records) {
  std::lock_guard lock(mu_);
  for (const EventRecord& r : records) {
    if (queue_.size() >= queue_len_) {
      queue_.pop_front();
      ++lost_;
    }
    queue_.push_back(r);
  }
  cv_.notify_all();
}

FakeBackend::FakeBackend() {
  Snapshot a = MakeSampleSnapshot({.components = 5, .events = 10, .pages = 3, .seed = 7});
  a.device = {"accel0", "fake", "FAKE-0", "platform:fake.0", 0};
  Snapshot b = MakeSampleSnapshot({.components = 1, .events = 0, .pages = 0, .seed = 8});
  b.device = {"accel1", "fake", "FAKE-1", "platform:fake.1", 1};
  devices_ = {a, b};
  ThresholdStatus t;
  t.device = "accel0";
  t.rule.component = "hbm0";
  t.rule.severity = 0;
  t.rule.count = 10;
  t.rule.window_ns = 60ULL * 1000000000;
  t.rule.action = ThresholdAction::kRetirePage;
  t.in_window = 3;
  t.state = "armed";
  thresholds_.push_back(t);
  t.device = "accel1";
  t.rule = ThresholdRule{};
  t.rule.severity = 3;
  t.rule.action = ThresholdAction::kReset;
  t.rule.auto_recover = false;
  t.crossings = 2;
  t.last_crossing_ns = kClockStartNs - 5;
  t.state = "manual";
  thresholds_.push_back(t);
}

Snapshot* FakeBackend::Find(const std::string& device) {
  for (Snapshot& s : devices_)
    if (!device.empty() && (s.device.name == device || s.device.serial == device)) return &s;
  return nullptr;
}

std::vector<DeviceIdentity> FakeBackend::Devices() {
  std::lock_guard lock(mu_);
  std::vector<DeviceIdentity> out;
  for (const Snapshot& s : devices_) out.push_back(s.device);
  return out;
}

Result<Snapshot> FakeBackend::Query(const std::string& device) {
  std::lock_guard lock(mu_);
  if (query_error_) return Errno{query_error_};
  Snapshot* s = Find(device);
  if (!s) return Err(ENODEV);
  return *s;
}

Result<std::vector<uint8_t>> FakeBackend::Encode(const std::string& device, uint32_t format,
                                                 bool raw, uint32_t* schema) {
  std::lock_guard lock(mu_);
  Snapshot* s = Find(device);
  if (!s) return Err(ENODEV);
  if (format >= ACCEL_RAS_FMT_COUNT) return Err(EINVAL);
  if (format != ACCEL_RAS_FMT_PROTOBUF || raw) return Err(EOPNOTSUPP);
  *schema = ACCEL_RAS_SCHEMA_NATIVE;
  return ProtobufCodec().encode(*s);
}

Result<void> FakeBackend::Clear(const std::string& device) {
  std::lock_guard lock(mu_);
  Snapshot* s = Find(device);
  if (!s) return Err(ENODEV);
  for (Counter& c : s->counters) c.volatile_count = 0;
  return {};
}

EventRecord FakeBackend::AddEvent(Snapshot* s, uint32_t component, const InjectRequest& req) {
  Event e;
  e.seqno = s->events.empty() ? 1 : s->events.back().seqno + 1;
  e.timestamp_ns = clock_ns_ += 1000000;
  e.component = component;
  e.severity = req.severity;
  e.code = 0xe0;
  e.count = req.count;
  e.address = req.address;
  e.message = "injected";
  s->events.push_back(e);
  if (s->events.size() > kMaxEvents) {
    s->events.erase(s->events.begin());
    ++s->events_dropped;
  }
  for (Counter& c : s->counters) {
    if (c.component == component && c.severity == req.severity) {
      c.volatile_count += req.count;
      c.aggregate_count += req.count;
    }
  }
  EventRecord r{s->device, s->components[component].name, e};
  log_.push_back(r);
  return r;
}

void FakeBackend::Deliver(const std::vector<EventRecord>& records) {
  for (FakeSubscription* sub : subs_) {
    std::vector<EventRecord> wanted;
    for (const EventRecord& r : records)
      if (sub->Wants(r.device)) wanted.push_back(r);
    if (!wanted.empty()) sub->Push(wanted);
  }
}

Result<uint64_t> FakeBackend::Inject(const std::string& device, const InjectRequest& req) {
  std::lock_guard lock(mu_);
  Snapshot* s = Find(device);
  if (!s) return Err(ENODEV);
  if (req.severity >= kSeverityCount) return Err(EINVAL);
  for (uint32_t c = 0; c < s->components.size(); ++c) {
    if (s->components[c].name != req.component) continue;
    EventRecord r = AddEvent(s, c, req);
    Deliver({r});
    return r.event.seqno;
  }
  return Err(EINVAL);
}

Result<std::vector<EventRecord>> FakeBackend::Log(const LogQuery& q) {
  std::lock_guard lock(mu_);
  if (!q.device.empty() && !Find(q.device)) return Err(ENODEV);
  std::vector<EventRecord> out;
  for (const EventRecord& r : log_) {
    if (!q.device.empty() && q.device != r.device.name && q.device != r.device.serial) continue;
    if (q.since_ns && r.event.timestamp_ns < *q.since_ns) continue;
    if (q.until_ns && r.event.timestamp_ns >= *q.until_ns) continue;
    if (q.severity && r.event.severity != *q.severity) continue;
    out.push_back(r);
  }
  if (out.size() > q.limit) out.erase(out.begin(), out.end() - q.limit);
  return out;
}

std::vector<ThresholdStatus> FakeBackend::Thresholds(const std::string& device) {
  std::lock_guard lock(mu_);
  std::vector<ThresholdStatus> out;
  for (const ThresholdStatus& t : thresholds_)
    if (device.empty() || t.device == device) out.push_back(t);
  return out;
}

std::unique_ptr<EventSubscription> FakeBackend::Subscribe(const std::string& device,
                                                          size_t queue_len) {
  auto sub = std::make_unique<FakeSubscription>(this, device, queue_len);
  std::lock_guard lock(mu_);
  subs_.push_back(sub.get());
  subs_changed_.notify_all();
  return sub;
}

void FakeBackend::Unsubscribe(FakeSubscription* sub) {
  std::lock_guard lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), sub), subs_.end());
  subs_changed_.notify_all();
}

void FakeBackend::FailQueryWith(int negative_errno) {
  std::lock_guard lock(mu_);
  query_error_ = negative_errno;
}

bool FakeBackend::WaitForSubscribers(size_t n, int timeout_ms) {
  std::unique_lock lock(mu_);
  return subs_changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                [&] { return subs_.size() == n; });
}

void FakeBackend::Burst(const std::string& device, uint32_t n) {
  std::lock_guard lock(mu_);
  Snapshot* s = Find(device);
  if (!s) return;
  InjectRequest req;
  req.component = "hbm0";
  std::vector<EventRecord> records;
  for (uint32_t i = 0; i < n; ++i) records.push_back(AddEvent(s, 0, req));
  Deliver(records);
}

void FakeBackend::Publish(const EventRecord& record) {
  std::lock_guard lock(mu_);
  Deliver({record});
}

Snapshot FakeBackend::snapshot(const std::string& device) {
  std::lock_guard lock(mu_);
  Snapshot* s = Find(device);
  return s ? *s : Snapshot{};
}

}  // namespace accel::ras::testing
