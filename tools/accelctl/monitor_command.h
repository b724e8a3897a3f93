// monitor_command.h - `accelctl monitor`: devices appearing, going away and changing, as they
// happen, one line per event, like `udevadm monitor`.
//
// It subscribes to acceld's monitor stream (accel_monitor_open) and prints each event when it
// arrives, flushing stdout after every line so that a pipe or a test sees it at once:
//
//   1712345678.123456  ADD        accel0    dummy
//   1712345679.500000  WEDGED     accel0    dummy      (the reason: sys tree's `wedged`)
//   1712345679.900000  RECOVERED  accel0    dummy
//   1712345680.000042  REMOVE     accel0
//   {"action":"add","minor":0,"name":"accel0","driver":"dummy","seqno":1,...}   (--json)
//
// It runs until --count events were printed, until --timeout seconds pass without an event, or
// until SIGINT/SIGTERM; all three are a normal end (exit 0). Events acceld had to drop because
// this reader was too slow are reported on stderr, never skipped silently.
#ifndef ACCEL_TOOLS_ACCELCTL_MONITOR_COMMAND_H_
#define ACCEL_TOOLS_ACCELCTL_MONITOR_COMMAND_H_

#include <cstdint>
#include <optional>

namespace accelctl {

struct MonitorOptions {
  bool json = false;                      // one compact JSON object per line instead of text
  std::optional<uint64_t> count;          // stop after this many events
  std::optional<double> timeout_seconds;  // stop after this long without an event
};

// Prints events on stdout until one of the ends above; returns the exit status.
int RunMonitor(const MonitorOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_MONITOR_COMMAND_H_
