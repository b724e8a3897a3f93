// ras_counters.h - a device's RAS counters as the core sees them, for attribute files.
//
// The core asks the driver for its KEY_VAL_32 payload (the one format every counter-keeping
// device offers) and decodes it, so transports such as the sys tree can show one counter per
// file without knowing the driver. The RAS framework proper (model, store, codecs) is its
// own layer; this is only the read path the attribute tree needs.
#ifndef ACCEL_CORE_RAS_COUNTERS_H_
#define ACCEL_CORE_RAS_COUNTERS_H_

#include <accel/result.h>

#include <cstdint>
#include <string>
#include <vector>

namespace accel::core {

class Device;

struct RasCounter {
  uint32_t component = 0;
  std::string component_name;  // "hbm0", or the number when the driver named none
  uint32_t severity = 0;       // ACCEL_RAS_SEV_*
  uint64_t volatile_count = 0;
  uint64_t aggregate_count = 0;
};

// -EOPNOTSUPP when the device has no KEY_VAL_32, -ENODEV when it is gone, -EIO when the
// driver's payload is not valid KEY_VAL_32 (ras/codecs/key_val_32 decodes it).
Result<std::vector<RasCounter>> ReadRasCounters(Device& dev);
// The driver's ras_clear; -EOPNOTSUPP when it has none.
Result<void> ClearRasCounters(Device& dev);

}  // namespace accel::core

#endif  // ACCEL_CORE_RAS_COUNTERS_H_
