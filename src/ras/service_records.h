// service_records.h - the RAS service's plain data: threshold rules and their states, events
// with their device, log queries and injection requests.
//
// Both ends use these: acceld's backend and store produce them, the gRPC client and accelctl
// read them. Nothing here evaluates a rule; that is the live state's (ras/state).
//
// A RAS threshold: N errors within a window, and what to do then.
// After rasdaemon's PAGE_CE_THRESHOLD/PAGE_CE_REFRESH_CYCLE (N corrected errors per refresh
// cycle retire a page) and Level Zero Sysman's per-category thresholds; the reset action
// follows devlink health reporters: a grace period during which a second crossing does not
// reset again, and an auto-recover switch (off: report only, an operator resets).
//
// Config syntax (acceld config file `threshold ...` lines, `accelctl ras thresholds`):
//   <component|*>:<severity> count=<N> [window=<secs>s] [action=none|retire_page|reset|trigger]
//       [command=<path>] [grace=<secs>s] [auto_recover=yes|no]
//   e.g.  hbm0:corrected count=10 window=60s action=retire_page
//         *:fatal count=1 action=reset grace=300s
//         pcie:uncorrected count=3 window=3600s action=trigger command=/usr/local/bin/page-oncall
#ifndef ACCEL_RAS_SERVICE_RECORDS_H_
#define ACCEL_RAS_SERVICE_RECORDS_H_

#include <accel/result.h>

#include <cstdint>
#include <optional>
#include <string>

#include "ras/model.h"

namespace accel::ras {

enum class ThresholdAction : uint32_t { kNone = 0, kRetirePage = 1, kReset = 2, kTrigger = 3 };

struct ThresholdRule {
  std::string component = "*";  // a component name, or "*" for every component
  uint32_t severity = 0;        // Severity
  uint64_t count = 1;           // errors (sum of Event::count) that cross it
  uint64_t window_ns = 0;       // sliding window; 0: since registration or the last crossing
  ThresholdAction action = ThresholdAction::kNone;
  std::string command;  // kTrigger: run with the event in ACCEL_RAS_* variables
  uint64_t grace_ns = 300ULL * 1000000000ULL;  // kReset: no second reset within this
  bool auto_recover = true;                    // kReset: false reports but never resets
  bool operator==(const ThresholdRule&) const = default;
};

// Parses one rule in the syntax above; on error *why says what is wrong.
Result<ThresholdRule> ParseThresholdRule(const std::string& text, std::string* why);
// The canonical text of a rule (parses back to the same rule).
std::string FormatThresholdRule(const ThresholdRule& rule);
const char* ThresholdActionName(ThresholdAction a);  // "none", "retire_page", "reset", "trigger"

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

// The daemon's queue of threshold actions that need a thread (reset, trigger). Counters since
// the daemon started; ThresholdsReply.actions carries them.
struct ActionQueueStats {
  uint64_t pending = 0;    // queued now, not started
  uint64_t capacity = 0;   // the queue's bound
  uint64_t run = 0;        // started (resets and triggers)
  uint64_t merged = 0;     // a reset of a device that already had the same reset queued
  uint64_t dropped = 0;    // refused because the queue was full
  uint64_t timed_out = 0;  // triggers killed at the trigger timeout (or at shutdown)
};

}  // namespace accel::ras

#endif  // ACCEL_RAS_SERVICE_RECORDS_H_
