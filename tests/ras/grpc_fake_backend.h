// grpc_fake_backend.h - an in-memory ServiceBackend for the gRPC service tests.
//
// Two devices: accel0 (serial FAKE-0, the five sample components, ten events) and accel1
// (serial FAKE-1, one component "hbm0", no events). Inject appends an event with the next
// seqno and a fake clock advancing 1 ms per event, updates the counters and the log, and
// hands the event to every matching subscriber. Test controls beside the interface let a test
// wait for a Watch to be subscribed, overflow subscribers' queues deterministically (Burst)
// and make Query fail with a chosen errno.
#ifndef ACCEL_TESTS_RAS_GRPC_FAKE_BACKEND_H_
#define ACCEL_TESTS_RAS_GRPC_FAKE_BACKEND_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/ras_backend.h"

namespace accel::ras::testing {

class FakeBackend;

class FakeSubscription final : public EventSubscription {
 public:
  FakeSubscription(FakeBackend* owner, std::string device, size_t queue_len)
      : owner_(owner), device_(std::move(device)), queue_len_(queue_len) {}
  ~FakeSubscription() override;

  bool Next(EventRecord* out, int timeout_ms) override;
  uint64_t TakeLost() override;
  void Cancel() override;

  bool Wants(const DeviceIdentity& d) const;
  // Queues every record under one hold of the lock, so the watcher cannot drain in between:
  // past queue_len the oldest are dropped and counted.
  void Push(const std::vector<EventRecord>& records);

 private:
  FakeBackend* const owner_;
  const std::string device_;
  const size_t queue_len_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<EventRecord> queue_;
  uint64_t lost_ = 0;
  bool cancelled_ = false;
};

class FakeBackend final : public ServiceBackend {
 public:
  static constexpr uint64_t kClockStartNs = 1764000000000000000ULL;

  FakeBackend();

  std::vector<DeviceIdentity> Devices() override;
  Result<Snapshot> Query(const std::string& device) override;
  // PROTOBUF through the real codec; RAW and other formats -EOPNOTSUPP; -EINVAL past the
  // last format.
  Result<std::vector<uint8_t>> Encode(const std::string& device, uint32_t format, bool raw,
                                      uint32_t* schema) override;
  Result<void> Clear(const std::string& device) override;
  Result<uint64_t> Inject(const std::string& device, const InjectRequest& req) override;
  Result<std::vector<EventRecord>> Log(const LogQuery& q) override;
  std::vector<ThresholdStatus> Thresholds(const std::string& device) override;
  std::unique_ptr<EventSubscription> Subscribe(const std::string& device,
                                               size_t queue_len) override;

  // Test controls.
  void FailQueryWith(int negative_errno);  // 0: Query works again
  bool WaitForSubscribers(size_t n, int timeout_ms);
  // Makes n corrected events on hbm0 of `device` and hands them to subscribers in one go.
  void Burst(const std::string& device, uint32_t n);
  // Hands a record to subscribers as it is (no snapshot or log change).
  void Publish(const EventRecord& record);
  Snapshot snapshot(const std::string& device);

 private:
  friend class FakeSubscription;
  void Unsubscribe(FakeSubscription* sub);
  Snapshot* Find(const std::string& device);  // by name or serial; mu_ held
  EventRecord AddEvent(Snapshot* s, uint32_t component, const InjectRequest& req);  // mu_ held
  void Deliver(const std::vector<EventRecord>& records);                            // mu_ held

  std::mutex mu_;
  std::condition_variable subs_changed_;
  std::vector<Snapshot> devices_;
  std::vector<EventRecord> log_;
  std::vector<ThresholdStatus> thresholds_;
  std::vector<FakeSubscription*> subs_;
  int query_error_ = 0;
  uint64_t clock_ns_ = kClockStartNs;
};

}  // namespace accel::ras::testing

#endif  // ACCEL_TESTS_RAS_GRPC_FAKE_BACKEND_H_
