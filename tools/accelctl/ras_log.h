// ras_log.h - `accelctl ras log`: the persisted RAS event history, filtered.
//
//   accelctl ras log --since 2h --severity uncorrected
//   accelctl ras log --device accel0 --since 2026-11-25T18:00:00Z --until 2026-11-25T19:00:00Z
//   accelctl ras log --limit 50 --json
//
// A gRPC Log call on acceld's RAS service: the newest --limit events that match, oldest first,
// one line each as `ras watch` prints them (or one JSON array). Times are ISO-8601 UTC, epoch
// seconds, or an age (10m, 2h, 3d: that long ago); --since is inclusive, --until exclusive.
// --device takes a name or a serial, and matches devices that are gone too.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_LOG_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_LOG_H_

#include <cstdint>
#include <optional>
#include <string>

namespace accelctl {

struct RasLogOptions {
  std::optional<std::string> since;  // as ParseTimeArgument() reads it
  std::optional<std::string> until;
  std::string device;                   // empty: every device
  std::optional<std::string> severity;  // a name RasSeverityValidator() accepted
  uint32_t limit = 1000;
  bool json = false;
};

int RunRasLog(const RasLogOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_LOG_H_
