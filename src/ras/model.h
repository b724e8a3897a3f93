// model.h - the device-agnostic RAS model: what every codec encodes and decodes.
//
// DOC: the model
//
// A device has components (hbm0, sram, pcie, fw, compute, ... as its driver names them); each
// component has one counter per severity, kept twice: volatile (since the device was
// registered) and aggregate (over the device's life, persisted by the store, as NVML's
// aggregate ECC counts). Beside the counters: a bounded event log, the retired-page list and a
// health verdict per component. A Snapshot is all of that at one instant, plus the device's
// identity; it is plain data (no locks, no I/O) so codecs and tests can build and compare it.
//
// What each format carries is documented with its codec (docs/ras/<format>.md): KEY_VAL_32
// carries counters only, NETLINK counters with component names and the device's name, CPER
// events, GRPC a URI; the others carry the whole Snapshot.
#ifndef ACCEL_RAS_MODEL_H_
#define ACCEL_RAS_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace accel::ras {

// Severities, numbered as ACCEL_RAS_SEV_* in the uAPI.
enum class Severity : uint32_t {
  kCorrected = 0,
  kDeferred = 1,
  kUncorrected = 2,
  kFatal = 3,
  kInformational = 4,
};
inline constexpr uint32_t kSeverityCount = 5;

enum class Health : uint32_t { kOk = 0, kWarning = 1, kFailed = 2 };
enum class PageState : uint32_t { kPending = 0, kRetired = 1 };

// Bounds every decoder enforces on hostile input, and every encoder on its own output.
inline constexpr uint32_t kMaxComponents = 256;
inline constexpr uint32_t kMaxEvents = 4096;
inline constexpr uint32_t kMaxPages = 65536;
inline constexpr uint32_t kMaxNameLen = 63;      // component, driver, serial, bus, device
inline constexpr uint32_t kMaxMessageLen = 255;  // event message
inline constexpr uint32_t kMaxRawLen = 4096;     // firmware blob attached to one event

struct Component {
  std::string name;  // "hbm0"; unique within a device
  Health health = Health::kOk;
  bool operator==(const Component&) const = default;
};

// One (component, severity) counter pair.
struct Counter {
  uint32_t component = 0;        // index into Snapshot::components
  uint32_t severity = 0;         // Severity
  uint64_t volatile_count = 0;   // since registration (or the last clear)
  uint64_t aggregate_count = 0;  // over the device's life; never cleared by `ras clear`
  bool operator==(const Counter&) const = default;
};

// One RAS event, as logged.
struct Event {
  uint64_t seqno = 0;         // the device's event sequence number, monotonic
  uint64_t timestamp_ns = 0;  // CLOCK_REALTIME
  uint32_t component = 0;
  uint32_t severity = 0;
  uint32_t code = 0;                // driver- or firmware-specific error code
  uint32_t count = 1;               // how many errors this event stands for
  std::optional<uint64_t> address;  // memory errors: the (device) physical address
  std::string message;              // at most kMaxMessageLen bytes
  std::vector<uint8_t> raw;         // the firmware's own record, when it sent one
  bool operator==(const Event&) const = default;
};

// One page on the retired-page list (NVML's retired pages, rasdaemon's page offlining).
struct RetiredPage {
  uint64_t address = 0;                   // page-aligned
  uint32_t cause = 0;                     // Severity of the error that retired it
  PageState state = PageState::kPending;  // pending until the device's next reset
  uint64_t timestamp_ns = 0;
  bool operator==(const RetiredPage&) const = default;
};

// Who the data is about. Persistent state is keyed by (driver, serial), never by name.
struct DeviceIdentity {
  std::string name;    // "accel0"
  std::string driver;  // "dummy"
  std::string serial;  // stable serial or UUID
  std::string bus;     // "platform:dummy.0", "0000:03:00.0"
  uint32_t minor = 0;
  bool operator==(const DeviceIdentity&) const = default;
};

// Everything a device's RAS state holds at one instant.
//   components: index = component number (the KEY_VAL_32 component field)
//   counters:   sorted by (component, severity); a device lists every pair it counts
//   events:     oldest first, at most kMaxEvents
//   pages:      sorted by address
struct Snapshot {
  DeviceIdentity device;
  uint64_t timestamp_ns = 0;
  std::vector<Component> components;
  std::vector<Counter> counters;
  std::vector<Event> events;
  uint64_t events_dropped = 0;  // events that fell out of the bounded log
  std::vector<RetiredPage> pages;
  bool operator==(const Snapshot&) const = default;
};

// "corrected", "deferred", "uncorrected", "fatal", "informational"; nullptr when out of range.
const char* SeverityName(uint32_t severity);
// The inverse, case-insensitive; nullopt for an unknown name.
std::optional<uint32_t> SeverityFromName(const std::string& name);
const char* HealthName(Health h);  // "ok", "warning", "failed"
std::optional<Health> HealthFromName(const std::string& name);

// Checks the bounds and invariants above (indices in range, names not too long, sorted
// counters, ...); -EILSEQ when a name or message is not UTF-8. Every decoder runs it on what it
// produced; -EINVAL when violated.
int Validate(const Snapshot& s);

}  // namespace accel::ras

#endif  // ACCEL_RAS_MODEL_H_
