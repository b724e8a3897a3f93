// ras_service.h - acceld's RAS services: persistence, threshold actions, subscribers, and the
// backend that gRPC and accelctl reach.
//
// DOC: where it sits
//
// The core records each RAS event in the device's state and tells this RasObserver; this
// class then (on the reporting thread, without blocking) queues the event for the SQLite
// store, fans it out to subscribers (gRPC Watch, accelctl ras watch) and hands threshold
// actions that need a thread (reset, trigger command) to its action worker. It is also the
// ras::ServiceBackend the gRPC service translates to. It links core and ras, which is why it
// lives apart from both, as acceld's glue.
#ifndef ACCEL_DAEMON_RAS_SERVICE_H_
#define ACCEL_DAEMON_RAS_SERVICE_H_

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/device.h"
#include "core/ras_observer.h"
#include "core/registry.h"
#include "daemon/ras_backend.h"
#include "ras/service_records.h"
#include "ras/store/ras_store.h"

namespace accel::ras {

// How the action worker is bounded. One worker runs the actions in order; a burst of crossings
// past `max_queued` is dropped and counted rather than held without bound, and a trigger
// command that outlives `trigger_timeout_ms` is killed with its process group, so one stuck
// script cannot hold back the resets queued behind it.
struct ActionOptions {
  size_t max_queued = 64;
  uint32_t trigger_timeout_ms = 30000;
};

class RasService final : public core::RasObserver, public ServiceBackend {
 public:
  // `store` may be null (no persistence: --ras-db none). Install with
  // registry.set_ras_observer(this) before any driver loads.
  RasService(core::Registry& registry, std::unique_ptr<RasStore> store,
             std::vector<ThresholdRule> rules, ActionOptions actions = {});
  ~RasService() override;
  RasService(const RasService&) = delete;
  RasService& operator=(const RasService&) = delete;

  // Stops the action worker and subscribers and closes the store (committing what is
  // queued). The registry must not report events afterwards.
  void Shutdown();

  // core::RasObserver
  void OnDeviceRegistered(core::Device& dev) override;
  uint64_t OnRasRecorded(core::Device& dev, const RecordResult& recorded) override;
  uint64_t OnPagesChanged(core::Device& dev, const std::vector<RetiredPage>& pages) override;
  Result<void> WaitDurable(uint64_t ticket) override;

  // ServiceBackend
  std::vector<DeviceIdentity> Devices() override;
  Result<Snapshot> Query(const std::string& device) override;
  Result<std::vector<uint8_t>> Encode(const std::string& device, uint32_t format, bool raw,
                                      uint32_t* schema) override;
  Result<void> Clear(const std::string& device) override;
  Result<uint64_t> Inject(const std::string& device, const InjectRequest& req) override;
  Result<std::vector<EventRecord>> Log(const LogQuery& q) override;
  std::vector<ThresholdStatus> Thresholds(const std::string& device) override;
  ActionQueueStats ActionStats() override;
  std::unique_ptr<EventSubscription> Subscribe(const std::string& device,
                                               size_t queue_len) override;

  // Subscriber bookkeeping, shared with the subscriptions it hands out.
  struct Hub;

 private:
  struct Action {
    core::DeviceRef dev;
    FiredThreshold fired;
  };
  // accelN or a serial -> the device.
  Result<core::DeviceRef> Find(const std::string& device);
  // Queues a reset or trigger, or counts why not; action_mu_ held. True when a drop is to be
  // logged (the first one, then every 64th, so a storm does not flood the log).
  bool QueueActionLocked(core::Device& dev, const FiredThreshold& f);
  void ActionLoop();
  // The store's writer settled every ticket up to `ticket`: publish the events it holds.
  void OnSettled(uint64_t ticket);
  void PublishSettledLocked();  // unpublished_mu_ held
  void RunReset(core::Device& dev, const FiredThreshold& f);
  void RunTrigger(core::Device& dev, const FiredThreshold& f);
  // Waits for a trigger's exit: true with *status; false at the timeout, or at shutdown
  // (*stopping set).
  bool WaitTrigger(pid_t pid, int* status, bool* stopping);

  core::Registry& registry_;
  std::unique_ptr<RasStore> store_;
  const std::vector<ThresholdRule> rules_;
  std::shared_ptr<Hub> hub_;
  std::atomic<uint64_t> settled_{0};
  std::mutex unpublished_mu_;
  // Events for watchers, waiting for their store batch (by ticket).
  std::deque<std::pair<uint64_t, std::shared_ptr<const EventRecord>>> unpublished_;

  std::mutex action_mu_;
  std::condition_variable action_cv_;
  std::deque<Action> actions_;
  const ActionOptions action_opts_;
  ActionQueueStats stats_;  // action_mu_
  bool stopping_ = false;
  std::thread action_thread_;
};

}  // namespace accel::ras

#endif  // ACCEL_DAEMON_RAS_SERVICE_H_
