// ras_watch.h - `accelctl ras watch [accelN]`: RAS events as they happen, one line each.
//
// A gRPC Watch on acceld's RAS service (ras_service_client.h), for one device or all:
//
//   2026-11-25T18:00:00.123Z  accel0  hbm0  corrected  count=3  code=0x0  seq=7  injected
//   {"time":"2026-11-25T18:00:00.123Z","timestamp_ns":...,"seqno":7,...}      (--json)
//
// It runs until --count events were printed, --timeout seconds pass without one, or SIGINT or
// SIGTERM; all three are a normal end (exit 0). Events acceld dropped because this watcher was
// too slow are reported, never skipped silently: on stderr, or as {"lost":N} with --json.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_WATCH_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_WATCH_H_

#include <cstdint>
#include <optional>
#include <string>

namespace accelctl {

struct RasWatchOptions {
  std::string device;                     // empty: every device
  bool json = false;                      // one compact JSON object per line
  std::optional<uint64_t> count;          // stop after this many events
  std::optional<double> timeout_seconds;  // stop after this long without an event
};

int RunRasWatch(const RasWatchOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_WATCH_H_
