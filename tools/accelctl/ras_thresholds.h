// ras_thresholds.h - `accelctl ras thresholds [accelN]`: the RAS thresholds acceld applies and
// where each stands.
//
//   DEVICE  RULE                                            IN-WINDOW  CROSSINGS  LAST CROSSING
//   STATE accel0  hbm0:corrected count=10 window=60s action=...  3          0          - armed
//
// A gRPC Thresholds call on acceld's RAS service. Rules come from acceld's --threshold options
// and `threshold` lines of its config file (syntax in src/ras/service_records.h); each device
// has its own count of every rule. STATE is armed, crossed, grace (a reset was suppressed) or
// manual (auto_recover=no: an operator resets).
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_THRESHOLDS_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_THRESHOLDS_H_

#include <string>

namespace accelctl {

struct RasThresholdsOptions {
  std::string device;  // empty: every device
  bool json = false;
};

int RunRasThresholds(const RasThresholdsOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_THRESHOLDS_H_
