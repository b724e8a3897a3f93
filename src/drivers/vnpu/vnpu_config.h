// vnpu_config.h - vnpu's load arguments (`accelctl load vnpu key=value ...`).
//
//   count=N                 devices (1..16, default 1)
//   engines=N               compute engines per device (1..16, default 2)
//   memory=SIZE             device memory, the BO limit (e.g. 512M, 2G; default 512M)
//   job_timeout_ms=N        default per-job timeout, past which a job is a hang (default 10000)
//   firmware=process|none   run vnpu-fw as its own process (default), or no firmware: RAS is
//                           then reported by the driver itself (fuzzing, sanitizer runs)
//   heartbeat_ms=N          the firmware's heartbeat period (default 50)
//   heartbeat_timeout_ms=N  silence after which the firmware is declared dead (default 2000)
//   fw_user=USER            the user vnpu-fw runs as when acceld is root (default nobody;
//                           fw_user=root keeps it root, which only a test should want)
#ifndef ACCEL_DRIVERS_VNPU_VNPU_CONFIG_H_
#define ACCEL_DRIVERS_VNPU_VNPU_CONFIG_H_

#include <cstdint>
#include <string>

namespace accel::vnpu {

struct VnpuConfig {
  uint32_t count = 1;
  uint32_t engines = 2;
  uint64_t memory = uint64_t{512} << 20;
  uint32_t job_timeout_ms = 10000;
  bool firmware = true;
  uint32_t heartbeat_ms = 50;
  uint32_t heartbeat_timeout_ms = 2000;
  std::string fw_user = "nobody";
};

// Parses "key=value ..." (NULL or empty: defaults). -EINVAL with *why set for an unknown key
// or a value out of range.
int ParseVnpuConfig(const char* args, VnpuConfig* out, std::string* why);

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_VNPU_CONFIG_H_
