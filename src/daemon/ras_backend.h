// ras_backend.h - what the RAS services (gRPC, accelctl's control calls) need from acceld.
//
// acceld implements this over the core registry, the per-device RAS state and the store; the
// gRPC service (daemon/ras_grpc_server.h) only translates between it and the wire. Devices are
// named as the user names them: "accel0", or a serial. The plain data it trades in (records,
// thresholds) is ras/service_records.h, which clients use too.
#ifndef ACCEL_DAEMON_RAS_BACKEND_H_
#define ACCEL_DAEMON_RAS_BACKEND_H_

#include <accel/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ras/model.h"
#include "ras/service_records.h"

namespace accel::ras {

// One subscriber of every device's events (gRPC Watch, accelctl ras watch). Bounded: when the
// queue is full the oldest event is dropped and counted, never silently.
class EventSubscription {
 public:
  virtual ~EventSubscription() = default;
  // Waits up to timeout_ms for an event; false on timeout or when Cancel() was called.
  virtual bool Next(EventRecord* out, int timeout_ms) = 0;
  // Events dropped since the last call (and resets the count).
  virtual uint64_t TakeLost() = 0;
  // Makes a blocked Next() return false now and every later one too.
  virtual void Cancel() = 0;
};

class ServiceBackend {
 public:
  virtual ~ServiceBackend() = default;
  virtual std::vector<DeviceIdentity> Devices() = 0;
  // -ENODEV for an unknown device.
  virtual Result<Snapshot> Query(const std::string& device) = 0;
  // The payload ACCEL_IOCTL_RAS_QUERY would return, with its schema id.
  virtual Result<std::vector<uint8_t>> Encode(const std::string& device, uint32_t format, bool raw,
                                              uint32_t* schema) = 0;
  // Privileged: the caller (transport) has checked the right to call these.
  virtual Result<void> Clear(const std::string& device) = 0;
  virtual Result<uint64_t> Inject(const std::string& device, const InjectRequest& req) = 0;
  virtual Result<std::vector<EventRecord>> Log(const LogQuery& q) = 0;
  virtual std::vector<ThresholdStatus> Thresholds(const std::string& device) = 0;
  // The threshold action queue's counters (a backend without one: zeros).
  virtual ActionQueueStats ActionStats() { return {}; }
  // device empty: every device. queue_len: the subscription's bound.
  virtual std::unique_ptr<EventSubscription> Subscribe(const std::string& device,
                                                       size_t queue_len) = 0;
};

}  // namespace accel::ras

#endif  // ACCEL_DAEMON_RAS_BACKEND_H_
