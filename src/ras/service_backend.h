// service_backend.h - what the RAS services (gRPC, accelctl's control calls) need from acceld.
//
// acceld implements this over the core registry, the per-device RAS state and the store; the
// gRPC service (ras/grpc) only translates between it and the wire. Devices are named as the
// user names them: "accel0", or a serial.
#ifndef ACCEL_RAS_SERVICE_BACKEND_H_
#define ACCEL_RAS_SERVICE_BACKEND_H_

#include <accel/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ras/model.h"
#include "ras/threshold_rule.h"

namespace accel::ras {

// An event together with the device it happened on.
struct EventRecord {
  DeviceIdentity device;
  std::string component_name;
  Event event;
};

struct LogQuery {
  std::optional<uint64_t> since_ns;  // inclusive, CLOCK_REALTIME
  std::optional<uint64_t> until_ns;  // exclusive
  std::string device;                // name or serial; empty: every device
  std::optional<uint32_t> severity;  // exactly this severity; nullopt: all
  uint32_t limit = 1000;             // newest `limit` events, returned oldest first
};

struct InjectRequest {
  std::string component;  // by name
  uint32_t severity = 0;
  uint32_t count = 1;
  std::optional<uint64_t> address;
};

struct ThresholdStatus {
  std::string device;  // "accel0"
  ThresholdRule rule;
  uint64_t in_window = 0;  // errors counted in the current window
  uint64_t crossings = 0;  // times it was crossed since registration
  uint64_t last_crossing_ns = 0;
  std::string state;  // "armed", "crossed", "grace" (reset suppressed), "manual" (no auto)
};

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
  // device empty: every device. queue_len: the subscription's bound.
  virtual std::unique_ptr<EventSubscription> Subscribe(const std::string& device,
                                                       size_t queue_len) = 0;
};

}  // namespace accel::ras

#endif  // ACCEL_RAS_SERVICE_BACKEND_H_
