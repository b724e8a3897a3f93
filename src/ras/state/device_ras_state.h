// device_ras_state.h - one device's live RAS state: counters, event log, pages, thresholds.
//
// DOC: who feeds it
//
// The core owns one per device. Drivers that count errors themselves report events
// (device_ras_report); drivers that only carry their firmware's blobs hand them over
// (device_ras_firmware_blob), and the blob, decoded by its codec, is merged here: the
// firmware's counters are absolute, so their increase since the last blob becomes an event.
// Either way every format is encoded from this one state, and thresholds are judged here.
//
// Thread safety: every method may be called from any thread; one mutex guards the state.
// Record() never blocks on I/O: persistence and actions are the caller's (RasObserver's).
#ifndef ACCEL_RAS_STATE_DEVICE_RAS_STATE_H_
#define ACCEL_RAS_STATE_DEVICE_RAS_STATE_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ras/model.h"
#include "ras/service_records.h"

namespace accel::ras {

// A threshold that an event pushed over its count.
struct FiredThreshold {
  size_t rule_index = 0;
  ThresholdRule rule;
  Event cause;      // the event that crossed it
  Event notice;     // the informational event logged for the crossing
  bool act = true;  // false: reset suppressed (grace period, or auto_recover off)
};

// What Record() did: the events logged (the reported one, then one notice per crossing) and
// the thresholds crossed.
struct RecordResult {
  std::vector<Event> logged;
  std::vector<FiredThreshold> fired;
};

class DeviceRasState {
 public:
  static constexpr size_t kDefaultLogCapacity = 1024;

  explicit DeviceRasState(std::vector<std::string> component_names,
                          size_t log_capacity = kDefaultLogCapacity);

  const std::vector<std::string>& component_names() const { return names_; }
  // The index of a component by name, case-sensitive.
  std::optional<uint32_t> ComponentIndex(const std::string& name) const;

  // Restores what the store kept: aggregates by name, retired pages and the seqno to go on from.
  void Restore(const std::vector<std::pair<std::string, std::pair<uint32_t, uint64_t>>>& aggregates,
               const std::vector<RetiredPage>& pages, uint64_t last_seqno);

  // Logs an event (stamping seqno; and the time when timestamp_ns is 0), bumps counters by
  // its count and judges thresholds. Component or severity out of range: nothing is recorded.
  RecordResult Record(Event e);

  // Merges a firmware snapshot (absolute counters since the firmware started): increases
  // become events; a decrease means the firmware restarted and its count is taken as new.
  RecordResult MergeFirmware(const Snapshot& fw, uint64_t now_ns);
  // The last raw firmware blob and its format, for RAS_QUERY with ACCEL_RAS_QUERY_RAW.
  void SetFirmwareBlob(uint32_t format, std::vector<uint8_t> blob);
  std::optional<std::pair<uint32_t, std::vector<uint8_t>>> FirmwareBlob() const;

  // Volatile counters to zero (ras clear); aggregate counters, log and pages stay.
  void ClearVolatile();
  // Adds a page as pending (*out filled): kAdded; kListed when it already was (a page is
  // listed once); kFull at kMaxPages, which a caller must report (retire_page's -ENOSPC).
  enum class PageAdd { kAdded, kListed, kFull };
  PageAdd AddPage(uint64_t address, uint32_t cause, uint64_t now_ns, RetiredPage* out);
  // After a device reset: pending pages become retired; returns those that changed.
  std::vector<RetiredPage> RetirePendingPages();
  uint64_t AggregateCount(uint32_t component, uint32_t severity) const;

  void SetThresholds(std::vector<ThresholdRule> rules);
  struct ThresholdState {
    ThresholdRule rule;
    uint64_t in_window = 0;
    uint64_t crossings = 0;
    uint64_t last_crossing_ns = 0;
    std::string state;  // armed, crossed, grace, manual
  };
  std::vector<ThresholdState> Thresholds(uint64_t now_ns) const;

  // Everything, with `identity` filled in; health is derived (see Health in the .cc).
  Snapshot TakeSnapshot(const DeviceIdentity& identity, uint64_t now_ns) const;
  uint64_t last_seqno() const;

 private:
  struct CounterPair {
    uint64_t volatile_count = 0;
    uint64_t aggregate_count = 0;
  };
  struct RuleState {
    ThresholdRule rule;
    std::deque<std::pair<uint64_t, uint64_t>> window;  // (timestamp_ns, count)
    uint64_t in_window = 0;
    uint64_t crossings = 0;
    uint64_t last_crossing_ns = 0;
    uint64_t last_reset_ns = 0;
    bool reset_done = false;
  };

  Event AppendLocked(Event e);  // stamps and logs, no thresholds
  void JudgeLocked(const Event& e, RecordResult* out);
  Health HealthLocked(uint32_t component, uint64_t now_ns) const;

  const std::vector<std::string> names_;
  const size_t log_capacity_;
  mutable std::mutex mu_;
  std::vector<CounterPair> counters_;  // [component * kSeverityCount + severity]
  std::deque<Event> log_;
  uint64_t dropped_ = 0;
  uint64_t seqno_ = 0;
  std::vector<RetiredPage> pages_;  // sorted by address
  std::vector<RuleState> rules_;
  std::vector<uint64_t> fw_last_;  // firmware counters last merged, same indexing
  uint64_t fw_last_event_ = 0;     // seqno of the firmware's last event merged
  std::optional<std::pair<uint32_t, std::vector<uint8_t>>> fw_blob_;
};

// CLOCK_REALTIME in ns.
uint64_t NowNs();

}  // namespace accel::ras

#endif  // ACCEL_RAS_STATE_DEVICE_RAS_STATE_H_
