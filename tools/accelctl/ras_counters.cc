// ras_counters.cc - see ras_counters.h.
#include "ras_counters.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <span>
#include <utility>

#include "ras/codecs/key_val_32/key_val_32_codec.h"

namespace accelctl {
namespace {

// Counters appearing between the sizing call and the fetch are rare; a few rounds suffice, and
// a bound keeps a misbehaving device from looping us forever.
constexpr int kQueryAttempts = 4;

// One RAS_QUERY for KEY_VAL_32 into `buffer`; on -ENOSPC, *needed holds the bytes required.
int QueryKv32(accel::Device& device, std::vector<accel_ras_kv32>& buffer, uint32_t* needed) {
  accel_ras_query query{};
  query.format = ACCEL_RAS_FMT_KEY_VAL_32;
  query.ptr = reinterpret_cast<uintptr_t>(buffer.data());
  query.size = static_cast<uint32_t>(buffer.size() * sizeof(accel_ras_kv32));
  int rc = device.Ioctl(ACCEL_IOCTL_RAS_QUERY, query);
  *needed = query.len;
  // Never trust a length to be within what was offered.
  if (rc == 0) buffer.resize(std::min(buffer.size(), query.len / sizeof(accel_ras_kv32)));
  return rc;
}

}  // namespace

accel::Result<std::vector<RasCounter>> QueryRasCounters(accel::Device& device) {
  std::vector<accel_ras_kv32> pairs;  // empty: the first call only learns the size
  for (int attempt = 0; attempt < kQueryAttempts; ++attempt) {
    uint32_t needed = 0;
    int rc = QueryKv32(device, pairs, &needed);
    if (rc == -ENOSPC) {
      pairs.resize((needed + sizeof(accel_ras_kv32) - 1) / sizeof(accel_ras_kv32));
      continue;
    }
    if (rc < 0) return accel::Errno{rc};
    accel::Result<accel::ras::Snapshot> decoded = accel::ras::KeyVal32Codec().decode(
        std::span(reinterpret_cast<const uint8_t*>(pairs.data()), pairs.size() * sizeof pairs[0]));
    if (!decoded) return accel::Err(EIO);
    return std::move(decoded->counters);
  }
  return accel::Err(EAGAIN);
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
