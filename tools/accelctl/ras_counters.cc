// ras_counters.cc - see ras_counters.h.
#include "ras_counters.h"

#include <cerrno>
#include <span>
#include <utility>

#include "ras/codecs/key_val_32/key_val_32_codec.h"
#include "ras_device.h"

namespace accelctl {

accel::Result<std::vector<RasCounter>> QueryRasCounters(accel::Device& device) {
  accel::Result<RasPayload> payload = QueryRasPayload(device, ACCEL_RAS_FMT_KEY_VAL_32, 0);
  if (!payload) return accel::Errno{payload.error()};
  accel::Result<accel::ras::Snapshot> decoded = accel::ras::KeyVal32Codec().decode(payload->bytes);
  if (!decoded) return accel::Err(EIO);
  return std::move(decoded->counters);
}

VolatileCounterGrid VolatileCounters(const std::vector<RasCounter>& counters) {
  VolatileCounterGrid grid;
  for (const RasCounter& c : counters) {
    if (c.component >= grid.values.size())
      grid.values.resize(c.component + 1, std::vector<uint32_t>(ACCEL_RAS_SEV_COUNT, 0));
    grid.values[c.component][c.severity] = static_cast<uint32_t>(c.volatile_count);
  }
  return grid;
}

}  // namespace accelctl
